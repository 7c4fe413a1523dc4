/* validate.c - the profile checks that need the whole file: missing keys, conflicting keys, shared PCI slots, and the files a profile names. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "profiles/schema.h"

#define DISK_OBJ(i)	(1 + (i))
#define NIC_OBJ(i)	(1 + VM_DISKS_MAX + (i))

static unsigned disk_key(const struct prof_ctx *ctx, unsigned i,
			 const char *name)
{
	return prof_key_line(ctx, DISK_OBJ(i), SECT_DISK, name);
}

static unsigned nic_key(const struct prof_ctx *ctx, unsigned i,
			const char *name)
{
	return prof_key_line(ctx, NIC_OBJ(i), SECT_NET, name);
}

/* Without a name key the VM is named after the file: that must be valid. */
static void check_default_name(struct prof_ctx *ctx)
{
	char base[PATH_MAX], q[PROF_QUOTE_MAX];
	char *b, *dot;
	size_t len;

	if (prof_key_line(ctx, 0, SECT_VM, "name"))
		return;
	str_copy(base, ctx->path, sizeof(base));
	b = basename(base);
	dot = strrchr(b, '.');
	if (dot && strcmp(dot, ".ini") == 0)
		*dot = '\0';
	len = strlen(b);
	if (len < VM_NAME_MAX && prof_valid_name(b, len))
		return;
	prof_error(ctx, 0, "name: the file name %s is not a valid VM name "
		   "(add name = NAME to [vm], or rename the file)",
		   prof_quote(b, q, sizeof(q)));
}

/* A file the VM reads at start: it must be there and be a regular file. */
static void check_file(struct prof_ctx *ctx, unsigned line, const char *key,
		       const char *path)
{
	char q[PROF_QUOTE_MAX];
	struct stat st;

	if (stat(path, &st) < 0)
		prof_error(ctx, line, "%s: %s: %s (fix the path; relative paths "
			   "start at the profile's folder)", key,
			   prof_word(path, q, sizeof(q)), strerror(errno));
	else if (!S_ISREG(st.st_mode))
		prof_error(ctx, line, "%s: %s: not a regular file (give the "
			   "file itself)", key, prof_word(path, q, sizeof(q)));
}

static void check_boot(struct prof_ctx *ctx)
{
	struct vm_config *cfg = ctx->cfg;
	unsigned kline = prof_key_line(ctx, 0, SECT_BOOT, "kernel");
	unsigned iline = prof_key_line(ctx, 0, SECT_BOOT, "initrd");

	if (!kline)
		prof_error(ctx, ctx->sect_line[SECT_BOOT], "kernel: missing "
			   "(add kernel = PATH of a bzImage to [boot])");
	if (ctx->flags & PROFILE_TEXT_ONLY)
		return;
	if (cfg->kernel[0])
		check_file(ctx, kline, "kernel", cfg->kernel);
	if (cfg->initrd[0])
		check_file(ctx, iline, "initrd", cfg->initrd);
}

static void check_disk_image(struct prof_ctx *ctx, unsigned i)
{
	const struct vm_disk_config *d = &ctx->cfg->disk[i];
	char q[PROF_QUOTE_MAX];
	unsigned line = disk_key(ctx, i, "path");
	struct stat st;

	if (!d->path[0] || disk_key(ctx, i, "size") ||
	    (ctx->flags & PROFILE_TEXT_ONLY))
		return;		/* an image with a size is made if missing */
	if (stat(d->path, &st) < 0)
		prof_error(ctx, line, "path: %s: %s (fix the path, or add "
			   "size = ... to create the image)",
			   prof_word(d->path, q, sizeof(q)), strerror(errno));
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		prof_error(ctx, line, "path: %s: not a regular file or block "
			   "device (give the disk image)",
			   prof_word(d->path, q, sizeof(q)));
}

static void check_disk(struct prof_ctx *ctx, unsigned i)
{
	struct vm_disk_config *d = &ctx->cfg->disk[i];
	unsigned sline = ctx->disk_line[i];
	unsigned size_line = disk_key(ctx, i, "size");
	unsigned split_line = disk_key(ctx, i, "split");
	unsigned ro_line = disk_key(ctx, i, "readonly");
	char a[32], b[32];

	if (!disk_key(ctx, i, "path"))
		prof_error(ctx, sline, "path: missing in [disk.%s] (add "
			   "path = IMAGE)", d->name);
	if (!disk_key(ctx, i, "format"))
		prof_error(ctx, sline, "format: missing in [disk.%s] (add "
			   "format = raw or format = xhyve-sparse: hyve never "
			   "guesses)", d->name);
	else if (d->format == VM_DISK_XHYVE_SPARSE && !size_line)
		prof_error(ctx, disk_key(ctx, i, "format"), "format: "
			   "xhyve-sparse needs size in [disk.%s] (add size = "
			   "the disk's size)", d->name);
	if (d->type == VM_DISK_AHCI_CD) {
		if (ro_line && !d->readonly)
			prof_error(ctx, ro_line, "readonly: an ahci-cd is "
				   "always read-only (remove the line)");
		d->readonly = true;
	}
	if (split_line && d->split && !size_line)
		prof_error(ctx, split_line, "split: needs size in [disk.%s] "
			   "(add size = ..., a multiple of the split)",
			   d->name);
	else if (d->split && d->size && d->size % d->split) {
		prof_fmt_size(d->split, a, sizeof(a));
		prof_fmt_size(d->size, b, sizeof(b));
		prof_error(ctx, split_line, "split: %s does not divide size %s "
			   "(use a split that does, e.g. 1G)", a, b);
	}
	check_disk_image(ctx, i);
}

/* "tcp:ADDR:PORT-...": the protocol and host port, for clashes. */
static void forward_host(const char *fwd, char proto[4], unsigned *port)
{
	const char *dash = strchr(fwd, '-'), *colon = dash;

	memcpy(proto, fwd, 3);
	proto[3] = '\0';
	while (colon > fwd && *colon != ':')
		colon--;
	*port = 0;
	for (const char *p = colon + 1; p < dash; p++)
		*port = *port * 10 + (unsigned)(*p - '0');
}

static void check_forwards(struct prof_ctx *ctx, unsigned i)
{
	const struct vm_config *cfg = ctx->cfg;
	const struct vm_net_config *nic = &cfg->nic[i];

	for (unsigned f = 0; f < nic->forwards; f++) {
		unsigned line = ctx->forward_line[i][f], port, oport;
		char proto[4], oproto[4];
		bool clash = false;

		if (nic->mode != VM_NET_USER) {
			prof_error(ctx, line, "forward: only used with mode = "
				   "user (remove it, or set mode = user)");
			continue;
		}
		forward_host(nic->forward[f], proto, &port);
		for (unsigned j = 0; j <= i && !clash; j++) {
			const struct vm_net_config *o = &cfg->nic[j];

			for (unsigned g = 0; g < (j < i ? o->forwards : f) &&
			     !clash; g++) {
				forward_host(o->forward[g], oproto, &oport);
				if (o->mode != VM_NET_USER ||
				    strcmp(proto, oproto) || port != oport)
					continue;
				prof_error(ctx, line, "forward: %s host port %u "
					   "is already forwarded on line %u "
					   "(use another port)", proto, port,
					   ctx->forward_line[j][g]);
				clash = true;
			}
		}
	}
}

/* mac = auto: a locally administered unicast MAC, stable per VM and NIC. */
static void derive_mac(const struct vm_config *cfg,
		       struct vm_net_config *nic)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	const char *id = cfg->uuid[0] ? cfg->uuid : cfg->name;

	for (const char *p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = (h ^ '/') * 0x100000001b3ULL;
	for (const char *p = nic->name; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (int b = 0; b < 6; b++)
		nic->mac[b] = (uint8_t)(h >> (8 * b));
	nic->mac[0] = (uint8_t)((nic->mac[0] & 0xfc) | 0x02);
}

static void check_nic(struct prof_ctx *ctx, unsigned i)
{
	struct vm_net_config *nic = &ctx->cfg->nic[i];
	unsigned tap_line = nic_key(ctx, i, "tap");
	unsigned mac_line = nic_key(ctx, i, "mac");

	if (nic->mode == VM_NET_TAP && !tap_line)
		prof_error(ctx, nic_key(ctx, i, "mode"), "mode: tap needs a "
			   "tap key in [net.%s] (add tap = tap0)", nic->name);
	if (tap_line && nic->mode != VM_NET_TAP)
		prof_error(ctx, tap_line, "tap: only used with mode = tap "
			   "(remove it, or set mode = tap)");
	check_forwards(ctx, i);
	if (nic->mac_auto) {
		derive_mac(ctx->cfg, nic);
		return;
	}
	for (unsigned j = 0; j < i; j++) {
		const struct vm_net_config *o = &ctx->cfg->nic[j];

		if (!o->mac_auto && !memcmp(o->mac, nic->mac, 6)) {
			prof_error(ctx, mac_line, "mac: the same as [net.%s] "
				   "on line %u (give each NIC its own)",
				   o->name, nic_key(ctx, j, "mac"));
			break;
		}
	}
}

struct slot_user {
	unsigned slot, line;
	char what[VM_DEV_NAME_MAX + 8];
};

static void check_slots(struct prof_ctx *ctx)
{
	const struct vm_config *cfg = ctx->cfg;
	struct slot_user u[VM_DISKS_MAX + VM_NICS_MAX + 1];
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->disks; i++) {
		u[n] = (struct slot_user){ .slot = cfg->disk[i].slot,
					   .line = disk_key(ctx, i, "slot") };
		snprintf(u[n++].what, sizeof(u[0].what), "[disk.%s]",
			 cfg->disk[i].name);
	}
	for (unsigned i = 0; i < cfg->nics; i++) {
		u[n] = (struct slot_user){ .slot = cfg->nic[i].slot,
					   .line = nic_key(ctx, i, "slot") };
		snprintf(u[n++].what, sizeof(u[0].what), "[net.%s]",
			 cfg->nic[i].name);
	}
	if (cfg->rng) {
		u[n] = (struct slot_user){ .slot = cfg->rng_slot,
			.line = prof_key_line(ctx, 0, SECT_RNG, "slot") };
		snprintf(u[n++].what, sizeof(u[0].what), "[rng]");
	}
	for (unsigned i = 1; i < n; i++) {	/* by line: the later one errs */
		for (unsigned j = i; j > 0 && u[j - 1].line > u[j].line; j--) {
			struct slot_user t = u[j];

			u[j] = u[j - 1];
			u[j - 1] = t;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; u[i].slot && j < i; j++) {
			if (u[j].slot != u[i].slot)
				continue;
			prof_error(ctx, u[i].line, "slot: %u is already used "
				   "by %s on line %u (use another slot from 1 "
				   "to %d)", u[i].slot, u[j].what, u[j].line,
				   VM_PCI_SLOT_MAX);
			break;
		}
	}
}

void prof_validate(struct prof_ctx *ctx)
{
	struct vm_config *cfg = ctx->cfg;

	check_default_name(ctx);
	check_boot(ctx);
	if (ctx->sect_line[SECT_RNG] &&
	    !prof_key_line(ctx, 0, SECT_RNG, "type"))
		cfg->rng = true;	/* [rng] alone asks for one */
	for (unsigned i = 0; i < cfg->disks; i++)
		check_disk(ctx, i);
	for (unsigned i = 0; i < cfg->nics; i++)
		check_nic(ctx, i);
	check_slots(ctx);
}
