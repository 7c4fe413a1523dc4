/* import.c - turns xhyve/hyperkit command lines (xhyve(1), hyperkit -h) and the sh scripts around them into hyve profile text (hyve-profile(5)). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/import.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"
#include "profiles/shell-words.h"

#define IMP_MAX_DISKS		64
#define IMP_MAX_NETS		32
#define IMP_MAX_CANDS		16	/* xhyve commands remembered */
#define IMP_MAX_WARNINGS	500
#define IMP_STEM_MAX		32	/* disk names from file names */
#define IMP_NAME_MAX		48	/* [vm] name */
#define IMP_WRAP		78	/* lines stay within 79 columns */
#define IMP_LINE_MAX		190	/* libinih: 199 bytes a line */
#define IMP_SNIP		60	/* option text quoted in a warning */
#define IMP_MAX_CPUS		16
#define IMP_DEFAULT_MEM		"256M"	/* xhyve's default */
#define MIN_SNIP(n)		((n) < IMP_SNIP ? (n) : IMP_SNIP)
#define MAX_SIZE(a, b)		((a) > (b) ? (a) : (b))

struct imp_arg {
	char *s;
	unsigned line;
	char *var;		/* variable it came from, or NULL */
};

/* An xhyve command found in a script. */
struct imp_cand {
	struct imp_arg *argv;	/* after the xhyve word */
	size_t argc;
	unsigned line;
	struct sh_note *notes;	/* met while expanding it */
	size_t nnotes;
	bool kexec;
	const char *prog;	/* "xhyve" or "hyperkit" */
};

/* One option as xhyve's getopt() saw it. */
struct imp_opt {
	char flag;
	const char *arg;	/* NULL for flags without an argument */
	unsigned line;
	const char *var;
};

enum imp_disk_type { DISK_VIRTIO_BLK, DISK_AHCI_HD, DISK_AHCI_CD };

static const char *const imp_disk_types[] = {
	[DISK_VIRTIO_BLK] = "virtio-blk",
	[DISK_AHCI_HD] = "ahci-hd",
	[DISK_AHCI_CD] = "ahci-cd",
};

struct imp_disk {
	char name[IMP_STEM_MAX + 8];
	enum imp_disk_type type;
	char *path;
	bool sparse, readonly;
	uint64_t size, split;
	unsigned sectorsize;
	const char *cache;
	int slot;		/* -1: hyve picks */
	unsigned line;
};

struct imp_net {
	const char *mode;	/* "user" or "tap" */
	char *tap;
	char mac[18];		/* empty: auto */
	int slot;
};

struct imp {
	const struct import_options *opts;
	struct import_result *res;
	int err;		/* -ENOMEM */
	size_t warnings_dropped;
	bool finishing;		/* the last warning may pass the cap */
	struct imp_cand cands[IMP_MAX_CANDS];
	size_t ncands;
	const char *prog;
	unsigned line;		/* line of the imported command */
	/* the machine, as read from the options */
	unsigned cpus;		/* 0: not given */
	uint64_t memory;	/* 0: not given */
	bool acpi, utc;
	char uuid[37];
	char *kernel, *initrd, *cmdline;
	char *fw_error;		/* the last -f cannot be imported: why */
	bool fw_seen;
	const char *com[2];	/* "console" or NULL (none) */
	char *log;
	struct imp_disk disks[IMP_MAX_DISKS];
	size_t ndisks;
	struct imp_net nets[IMP_MAX_NETS];
	size_t nnets;
	bool rng;
	const char *slot_owner[32];
	bool relative;
	char name[IMP_NAME_MAX + 1];
	struct strbuf out;
};

/* ---- Warnings ---- */

static void imp_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void imp_vwarn(struct imp *im, unsigned line, const char *fmt,
		      va_list ap)
{
	struct import_result *res = im->res;
	struct import_warning *t;
	char *text;

	if (im->err)
		return;
	if (res->nwarnings >= IMP_MAX_WARNINGS && !im->finishing) {
		im->warnings_dropped++;
		return;
	}
	if (vasprintf(&text, fmt, ap) < 0) {
		im->err = -ENOMEM;
		return;
	}
	imp_printable(text);
	t = realloc(res->warnings, (res->nwarnings + 1) * sizeof(*t));
	if (!t) {
		free(text);
		im->err = -ENOMEM;
		return;
	}
	res->warnings = t;
	t[res->nwarnings].line = line;
	t[res->nwarnings].text = text;
	res->nwarnings++;
}

static void imp_warn(struct imp *im, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void imp_warn(struct imp *im, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vwarn(im, line, fmt, ap);
	va_end(ap);
}

/* Quotes at most IMP_SNIP bytes of s. */
static void imp_snip(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n > IMP_SNIP)
		snprintf(out, size, "%.*s...", IMP_SNIP, s);
	else
		snprintf(out, size, "%s", s);
}

/* A warning about one option: "-s 2,virtio-net (from $NET): ...". */
static void imp_warn_opt(struct imp *im, const struct imp_opt *o,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void imp_warn_opt(struct imp *im, const struct imp_opt *o,
			 const char *fmt, ...)
{
	char arg[IMP_SNIP + 8], from[80] = "", *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		im->err = -ENOMEM;
		return;
	}
	imp_snip(arg, sizeof(arg), o->arg && !*o->arg ? "''" :
		 o->arg ? o->arg : "");
	if (o->var)
		snprintf(from, sizeof(from), " (from $%.60s)", o->var);
	imp_warn(im, o->line, "-%c%s%s%s: %s", o->flag, o->arg ? " " : "",
		 arg, from, msg);
	free(msg);
}

struct imp_order {
	unsigned line;
	size_t index;
};

static int imp_order_cmp(const void *a, const void *b)
{
	const struct imp_order *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts warnings by line, keeping the order of those on one line. */
static void imp_sort_warnings(struct imp *im)
{
	struct import_result *res = im->res;
	size_t i, n = res->nwarnings;
	struct import_warning *sorted;
	struct imp_order *order;

	if (n < 2)
		return;
	order = malloc(n * sizeof(*order));
	sorted = malloc(n * sizeof(*sorted));
	if (!order || !sorted) {
		free(order);
		free(sorted);
		im->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		order[i].line = res->warnings[i].line;
		order[i].index = i;
	}
	qsort(order, n, sizeof(*order), imp_order_cmp);
	for (i = 0; i < n; i++)
		sorted[i] = res->warnings[order[i].index];
	free(res->warnings);
	res->warnings = sorted;
	free(order);
}

/* ---- Small parsers ---- */

static const char *imp_basename(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

static bool imp_is_hypervisor(const char *word, const char **prog)
{
	const char *b = imp_basename(word);

	if (strcmp(b, "xhyve") == 0) {
		*prog = "xhyve";
		return true;
	}
	if (strcmp(b, "hyperkit") == 0 ||
	    strcmp(b, "com.docker.hyperkit") == 0) {
		*prog = "hyperkit";
		return true;
	}
	return false;
}

/* Skips sudo, exec, env, nohup and friends in front of a command. */
static size_t imp_skip_prefixes(char *const *w, size_t n)
{
	size_t i = 0;
	const char *b;

	while (i < n) {
		b = imp_basename(w[i]);
		if (!strcmp(b, "sudo") || !strcmp(b, "doas")) {
			for (i++; i < n && w[i][0] == '-'; i++) {
				size_t len = strlen(w[i]);

				if (!strcmp(w[i], "--")) {
					i++;
					break;
				}
				if (len >= 2 && w[i][1] != '-' &&
				    strchr("ugpCDrtUTRh", w[i][len - 1]))
					i++;	/* -u USER and the like */
			}
		} else if (!strcmp(b, "exec")) {
			for (i++; i < n && w[i][0] == '-'; i++)
				if (!strcmp(w[i], "-a"))
					i++;
		} else if (!strcmp(b, "env")) {
			for (i++; i < n && (w[i][0] == '-' ||
					    strchr(w[i], '=')); i++)
				if (!strcmp(w[i], "-u") ||
				    !strcmp(w[i], "-C") ||
				    !strcmp(w[i], "-S"))
					i++;
		} else if (!strcmp(b, "nice")) {
			for (i++; i < n && w[i][0] == '-'; i++)
				if (!strcmp(w[i], "-n"))
					i++;
		} else if (!strcmp(b, "caffeinate")) {
			for (i++; i < n && w[i][0] == '-'; i++)
				if (!strcmp(w[i], "-t") || !strcmp(w[i], "-w"))
					i++;
		} else if (!strcmp(b, "nohup") || !strcmp(b, "command") ||
			   !strcmp(b, "time") || !strcmp(b, "builtin")) {
			for (i++; i < n && w[i][0] == '-'; i++)
				;
		} else {
			break;
		}
	}
	return i;
}

/* Strict decimal number in [min, max]. */
static bool imp_parse_uint(const char *s, unsigned long min,
			   unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 9)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * xhyve's size syntax (expand_number): decimal, 0x hex or 0 octal, with an
 * optional unit k m g t p e (any case, optionally followed by "b" or "ib")
 * or b for bytes. *plain tells that no unit was given.
 */
static bool imp_parse_size(const char *s, uint64_t *out, bool *plain)
{
	unsigned long long v;
	unsigned shift;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	*plain = *end == '\0';
	switch (tolower((unsigned char)*end)) {
	case '\0': case 'b': shift = 0; break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	case 'p': shift = 50; break;
	case 'e': shift = 60; break;
	default: return false;
	}
	if (*end) {
		end++;
		if (shift && (*end == 'i' || *end == 'I'))
			end++;
		if (shift && (*end == 'b' || *end == 'B'))
			end++;
		if (*end)
			return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* Writes v with the largest binary unit that divides it; false if none. */
static bool imp_fmt_size(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "TGMK";
	int shift = 40;

	for (const char *u = units; *u; u++, shift -= 10) {
		if (v && v % (1ULL << shift) == 0) {
			snprintf(buf, size, "%llu%c",
				 (unsigned long long)(v >> shift), *u);
			return true;
		}
	}
	return false;
}

static bool imp_parse_uuid(const char *s, char *out)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[36] = '\0';
	return true;
}

static bool imp_parse_mac(const char *s, char *out)
{
	size_t i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':' && s[i] != '-')
				return false;
			out[i] = ':';
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		} else {
			out[i] = (char)tolower((unsigned char)s[i]);
		}
	}
	out[17] = '\0';
	return true;
}

static bool imp_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* The file name of path without its last extension, as a name. */
static void imp_stem(char *out, size_t max, const char *path)
{
	const char *b = imp_basename(path), *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b), i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = imp_name_char(b[i]) ? b[i] : '-';
	out[n] = '\0';
}

/* Keeps a copy of s (n bytes) in *dst. */
static void imp_set(struct imp *im, char **dst, const char *s, size_t n)
{
	char *c = strndup(s, n);

	if (!c) {
		im->err = -ENOMEM;
		return;
	}
	free(*dst);
	*dst = c;
}

static void imp_path_seen(struct imp *im, const char *path)
{
	if (path && path[0] && path[0] != '/')
		im->relative = true;
}

/* ---- Options ---- */

static void imp_opt_acpi(struct imp *im, const struct imp_opt *o)
{
	im->acpi = true;
}

static void imp_opt_utc(struct imp *im, const struct imp_opt *o)
{
	im->utc = true;
}

static void imp_opt_cpus(struct imp *im, const struct imp_opt *o)
{
	unsigned long n;

	if (!imp_parse_uint(o->arg, 1, IMP_MAX_CPUS, &n)) {
		imp_warn_opt(im, o, "hyve runs 1 to %d vCPUs; left out",
			     IMP_MAX_CPUS);
		return;
	}
	im->cpus = (unsigned)n;
}

static void imp_opt_memory(struct imp *im, const struct imp_opt *o)
{
	uint64_t v;
	bool plain;

	if (!imp_parse_size(o->arg, &v, &plain)) {
		imp_warn_opt(im, o, "not a size (xhyve would refuse it); "
			     "left out");
		return;
	}
	if (plain && v < (1ULL << 20))
		v <<= 20;	/* xhyve: a plain number below 1M means MiB */
	if (v < VM_MEMORY_MIN || v > VM_MEMORY_MAX || v % 4096) {
		imp_warn_opt(im, o, "hyve takes 16M to 1T of memory, in 4K "
			     "steps; left out");
		return;
	}
	im->memory = v;
}

static void imp_opt_uuid(struct imp *im, const struct imp_opt *o)
{
	if (!imp_parse_uuid(o->arg, im->uuid)) {
		im->uuid[0] = '\0';
		imp_warn_opt(im, o, "not a UUID like "
			     "8e7af180-c54d-4aa2-9bef-59d94a1ac572; left out");
	}
}

static void imp_opt_firmware(struct imp *im, const struct imp_opt *o)
{
	const char *s = o->arg, *c1 = strchr(s, ','), *c2, *c3, *cmd;
	size_t type = c1 ? (size_t)(c1 - s) : strlen(s), n;

	if (im->fw_seen)
		imp_warn_opt(im, o, "-f was given before: the last one counts, "
			     "as in xhyve");
	im->fw_seen = true;
	free(im->fw_error);
	im->fw_error = NULL;
	if (type != 5 || strncmp(s, "kexec", 5) != 0) {
		const char *why;

		if (type == 4 && !strncmp(s, "fbsd", 4))
			why = "FreeBSD's userboot cannot be imported: hyve "
			      "boots Linux kernels directly";
		else if (type == 7 && !strncmp(s, "bootrom", 7))
			why = "hyve boots Linux kernels directly, without "
			      "UEFI firmware";
		else if (type == 9 && !strncmp(s, "multiboot", 9))
			why = "hyve boots Linux kernels only, not multiboot "
			      "images";
		else
			why = "not an xhyve firmware (use "
			      "-f kexec,KERNEL,INITRD,CMDLINE)";
		if (asprintf(&im->fw_error, "-f %.*s: %s", (int)MIN_SNIP(type),
			     s, why) < 0) {
			im->fw_error = NULL;
			im->err = -ENOMEM;
		}
		return;
	}
	c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	c3 = c2 ? strchr(c2 + 1, ',') : NULL;
	n = c1 ? (c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) : 0;
	if (!n) {
		if (asprintf(&im->fw_error, "-f %.*s: no kernel (use "
			     "-f kexec,KERNEL,INITRD,CMDLINE)", IMP_SNIP,
			     s) < 0) {
			im->fw_error = NULL;
			im->err = -ENOMEM;
		}
		return;
	}
	imp_set(im, &im->kernel, c1 + 1, n);
	free(im->initrd);
	free(im->cmdline);
	im->initrd = im->cmdline = NULL;
	if (c2) {
		n = c3 ? (size_t)(c3 - c2 - 1) : strlen(c2 + 1);
		if (n)
			imp_set(im, &im->initrd, c2 + 1, n);
	}
	if (c3) {
		/* the command line is the rest: it may hold commas */
		cmd = c3 + 1;
		n = strlen(cmd);
		if (n >= 2 && cmd[0] == '"' && cmd[n - 1] == '"') {
			cmd++;		/* -f kexec,K,I,'"CMDLINE"' */
			n -= 2;
		}
		imp_set(im, &im->cmdline, cmd, n);
	}
	imp_path_seen(im, im->kernel);
	imp_path_seen(im, im->initrd);
}

static void imp_opt_lpc(struct imp *im, const struct imp_opt *o)
{
	const char *s = o->arg, *comma = strchr(s, ','), *tok, *end;
	size_t n = comma ? (size_t)(comma - s) : strlen(s), tn;
	int port;

	if (n == 7 && !strncasecmp(s, "bootrom", 7)) {
		imp_warn_opt(im, o, "a UEFI boot ROM: hyve boots the kernel "
			     "directly, without firmware; ignored");
		return;
	}
	if (n != 4 || (strncasecmp(s, "com1", 4) &&
		       strncasecmp(s, "com2", 4))) {
		imp_warn_opt(im, o, "not an LPC device hyve has (com1, com2); "
			     "ignored");
		return;
	}
	port = s[3] - '1';
	im->com[port] = NULL;
	for (tok = comma ? comma + 1 : NULL; tok; tok = end ? end + 1 : NULL) {
		end = strchr(tok, ',');
		tn = end ? (size_t)(end - tok) : strlen(tok);
		if (tn == 0)
			continue;
		if (tn == 5 && !strncmp(tok, "stdio", 5)) {
			im->com[port] = "console";
		} else if ((tn == 7 && !strncmp(tok, "autopty", 7)) ||
			   !strncmp(tok, "autopty=", 8)) {
			im->com[port] = "console";
			imp_warn_opt(im, o, "COM%d went to a pseudo-terminal; "
				     "hyve shows it in its console pane",
				     port + 1);
		} else if (!strncmp(tok, "log=", 4)) {
			if (!im->com[port])
				im->com[port] = "console";
			if (port == 0 && tn > 4) {
				imp_set(im, &im->log, tok + 4, tn - 4);
				imp_path_seen(im, im->log);
			} else {
				imp_warn_opt(im, o, "hyve keeps a log of COM1 "
					     "only; the COM2 log is left out");
			}
		} else if (tn == 3 && !strncmp(tok, "asl", 3)) {
			imp_warn_opt(im, o, "the Apple system log has no "
				     "counterpart in hyve; ignored");
		} else {
			im->com[port] = "console";
			imp_warn_opt(im, o, "COM%d was connected to %.*s; hyve "
				     "shows it in its console pane instead",
				     port + 1, (int)MIN_SNIP(tn), tok);
		}
	}
}

/* ---- PCI devices (-s) ---- */

/* SLOT, SLOT:FUNCTION or BUS:SLOT:FUNCTION: the slot for hyve, or -1. */
static int imp_slot(struct imp *im, const struct imp_opt *o, const char *s,
		    size_t n, const char *what)
{
	unsigned long v[3], slot, fn;
	char buf[32], *p = buf, *c;
	int k = 0;

	if (n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (;;) {
		c = strchr(p, ':');
		if (c)
			*c = '\0';
		if (k == 3 || !imp_parse_uint(p, 0, 255, &v[k]))
			goto bad;
		k++;
		if (!c)
			break;
		p = c + 1;
	}
	slot = k == 3 ? v[1] : v[0];
	fn = k == 1 ? 0 : v[k - 1];
	if (slot > 31 || fn > 7)
		goto bad;
	if (k == 3 && v[0]) {
		imp_warn_opt(im, o, "hyve has one PCI bus: bus %lu is left out "
			     "and hyve picks the slot", v[0]);
		return -1;
	}
	if (fn) {
		imp_warn_opt(im, o, "hyve puts one device in each slot: "
			     "function %lu is left out and hyve picks the slot",
			     fn);
		return -1;
	}
	if (slot == 0 || slot == 31) {
		imp_warn_opt(im, o, "slot %lu holds hyve's %s; hyve picks "
			     "another one (devices use 1 to 30)", slot,
			     slot ? "LPC bridge" : "host bridge");
		return -1;
	}
	if (im->slot_owner[slot]) {
		imp_warn_opt(im, o, "slot %lu is taken by %s already; hyve "
			     "picks another one", slot, im->slot_owner[slot]);
		return -1;
	}
	im->slot_owner[slot] = what;
	return (int)slot;
bad:
	imp_warn_opt(im, o, "'%.*s' is not a PCI slot (use SLOT or "
		     "SLOT:FUNCTION, slots 1 to 30); hyve picks one",
		     (int)MIN_SNIP(n), s);
	return -1;
}

struct imp_dev {
	const char *emu;
	void (*add)(struct imp *im, const struct imp_opt *o,
		    const struct imp_dev *d, const char *slot, size_t slotn,
		    const char *conf);
	int kind;
};

/* The next comma-separated token of *rest (NULL at the end). */
static const char *imp_token(const char **rest, size_t *tn)
{
	const char *t = *rest, *e;

	if (!t)
		return NULL;
	e = strchr(t, ',');
	*tn = e ? (size_t)(e - t) : strlen(t);
	*rest = e ? e + 1 : NULL;
	return t;
}

static void imp_dev_bridge(struct imp *im, const struct imp_opt *o,
			   const struct imp_dev *d, const char *slot,
			   size_t slotn, const char *conf)
{
	/* the host and LPC bridges are built into hyve */
}

static void imp_disk_sectorsize(struct imp *im, const struct imp_opt *o,
				struct imp_disk *dk, char *v)
{
	char *slash = strchr(v, '/');
	unsigned long l, p;

	if (slash)
		*slash = '\0';
	if (!imp_parse_uint(v, 1, 65536, &l) || (l != 512 && l != 4096)) {
		imp_warn_opt(im, o, "hyve's disks have 512 or 4096 byte "
			     "sectors; sectorsize=%.20s left out", v);
		return;
	}
	dk->sectorsize = (unsigned)l;
	if (slash && (!imp_parse_uint(slash + 1, 1, 65536, &p) || p != l))
		imp_warn_opt(im, o, "the physical sector size %.20s is left "
			     "out (hyve reports %lu)", slash + 1, l);
}

static void imp_disk_size(struct imp *im, const struct imp_opt *o,
			  const char *key, const char *v, uint64_t *out)
{
	uint64_t n;
	bool plain;

	if (!imp_parse_size(v, &n, &plain) || n == 0) {
		imp_warn_opt(im, o, "%s=%.20s is not a size; left out", key, v);
		return;
	}
	if (n % 1024) {
		imp_warn_opt(im, o, "%s=%.20s is not a whole number of KiB; "
			     "left out", key, v);
		return;
	}
	*out = n;
}

static void imp_disk_option(struct imp *im, const struct imp_opt *o,
			    struct imp_disk *dk, const char *tok, size_t tn)
{
	char t[80];

	if (tn >= sizeof(t)) {
		imp_warn_opt(im, o, "'%.*s...' is not a disk option hyve "
			     "knows; ignored", 20, tok);
		return;
	}
	memcpy(t, tok, tn);
	t[tn] = '\0';
	if (!strcmp(t, "ro"))
		dk->readonly = true;
	else if (!strcmp(t, "nocache"))
		dk->cache = "direct";
	else if (!strcmp(t, "direct") || !strcmp(t, "sync"))
		dk->cache = "writethrough";
	else if (!strncmp(t, "sectorsize=", 11))
		imp_disk_sectorsize(im, o, dk, t + 11);
	else if (!strncmp(t, "size=", 5))
		imp_disk_size(im, o, "size", t + 5, &dk->size);
	else if (!strncmp(t, "split=", 6))
		imp_disk_size(im, o, "split", t + 6, &dk->split);
	else if (!strcmp(t, "sparse"))
		dk->sparse = true;
	else if (!strcmp(t, "format=raw"))
		;
	else if (!strncmp(t, "format=", 7))
		imp_warn_opt(im, o, "hyve reads raw and xhyve-sparse images "
			     "only: convert this one (qemu-img convert -O raw) "
			     "and fix format");
	else
		imp_warn_opt(im, o, "'%s' is not a disk option hyve knows; "
			     "ignored", t);
}

static void imp_dev_disk(struct imp *im, const struct imp_opt *o,
			 const struct imp_dev *d, const char *slot,
			 size_t slotn, const char *conf)
{
	const char *path = conf, *q, *tok, *rest;
	struct imp_disk *dk;
	size_t n, tn;

	if (im->ndisks >= IMP_MAX_DISKS) {
		imp_warn_opt(im, o, "more than %d disks; left out",
			     IMP_MAX_DISKS);
		return;
	}
	n = path ? strcspn(path, ",") : 0;
	if (n > 7 && !strncmp(path, "file://", 7)) {
		path += 7;
		n -= 7;
	}
	q = path ? memchr(path, '?', n) : NULL;
	if (q) {
		imp_warn_opt(im, o, "hyperkit's block settings '%.*s' are left "
			     "out", (int)MIN_SNIP(n - (size_t)(q - path)), q);
		n = (size_t)(q - path);
	}
	if (n == 0) {
		imp_warn_opt(im, o, "no image file (xhyve would refuse it); "
			     "not imported");
		return;
	}
	dk = &im->disks[im->ndisks];
	memset(dk, 0, sizeof(*dk));
	dk->type = (enum imp_disk_type)d->kind;
	dk->line = o->line;
	imp_set(im, &dk->path, path, n);
	if (im->err)
		return;
	im->ndisks++;
	dk->slot = imp_slot(im, o, slot, slotn, d->emu);
	rest = strchr(conf, ',');
	if (rest)
		rest++;
	while ((tok = imp_token(&rest, &tn)))
		if (tn)
			imp_disk_option(im, o, dk, tok, tn);
	if (dk->split && !dk->size) {
		imp_warn_opt(im, o, "split= needs size= (xhyve refused that "
			     "too); split left out");
		dk->split = 0;
	}
	if (dk->sparse && !dk->size)
		imp_warn_opt(im, o, "sparse needs size= (xhyve refused that "
			     "too); add a size to the profile");
	if (dk->size && dk->split && dk->size % dk->split)
		imp_warn_opt(im, o, "size= is not a multiple of split=: fix "
			     "one of them, or hyve refuses the profile");
	imp_path_seen(im, dk->path);
}

static bool imp_tap_name(const char *s, size_t n)
{
	if (n == 0 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!imp_name_char(s[i]))
			return false;
	return true;
}

enum imp_net_kind { NET_VMNET, NET_TAP, NET_VPNKIT, NET_E1000 };

static void imp_dev_net(struct imp *im, const struct imp_opt *o,
			const struct imp_dev *d, const char *slot,
			size_t slotn, const char *conf)
{
	static const char *const what[] = {
		[NET_VMNET] = "macOS vmnet (NAT through the Mac) becomes "
			      "hyve's user-mode network (mode = user)",
		[NET_TAP] = NULL,
		[NET_VPNKIT] = "VPNKit becomes hyve's user-mode network "
			       "(mode = user)",
		[NET_E1000] = "hyve has no e1000 card: imported as virtio-net "
			      "(the guest needs its virtio-net driver)",
	};
	const char *tok, *rest = conf;
	char left[IMP_SNIP + 8] = "";
	struct imp_net *net;
	size_t tn, nleft = 0, ll = 0;
	bool first = true;

	if (im->nnets >= IMP_MAX_NETS) {
		imp_warn_opt(im, o, "more than %d network cards; left out",
			     IMP_MAX_NETS);
		return;
	}
	net = &im->nets[im->nnets++];
	memset(net, 0, sizeof(*net));
	net->mode = "user";
	net->slot = imp_slot(im, o, slot, slotn, d->emu);
	while ((tok = imp_token(&rest, &tn))) {
		bool was_first = first;

		if (!tn)
			continue;
		first = false;
		if (tn == 21 && !strncmp(tok, "mac=", 4) &&
		    d->kind != NET_VPNKIT) {
			char mac[18], buf[18];

			memcpy(buf, tok + 4, 17);
			buf[17] = '\0';
			if (imp_parse_mac(buf, mac)) {
				memcpy(net->mac, mac, sizeof(mac));
				continue;
			}
		}
		if (was_first && d->kind != NET_VPNKIT &&
		    (d->kind == NET_TAP || (tn > 3 && !strncmp(tok, "tap", 3) &&
		     strspn(tok + 3, "0123456789") == tn - 3)) &&
		    imp_tap_name(tok, tn)) {
			net->mode = "tap";
			imp_set(im, &net->tap, tok, tn);
			continue;
		}
		if (ll < IMP_SNIP)
			ll += (size_t)snprintf(left + ll, sizeof(left) - ll,
					       "%s'%.*s'", nleft ? ", " : "",
					       (int)MIN_SNIP(tn), tok);
		nleft++;
	}
	if (d->kind == NET_TAP && !net->tap)
		imp_warn_opt(im, o, "no tap device named (use "
			     "virtio-tap,tapN); imported as mode = user");
	if (d->kind == NET_VMNET && net->tap)
		return;		/* bhyve's virtio-net,tapN */
	if (what[d->kind] && nleft)
		imp_warn_opt(im, o, "%s; %s %s left out", what[d->kind], left,
			     nleft > 1 ? "are" : "is");
	else if (what[d->kind])
		imp_warn_opt(im, o, "%s", what[d->kind]);
	else if (nleft)
		imp_warn_opt(im, o, "%s %s left out", left,
			     nleft > 1 ? "are" : "is");
}

static void imp_dev_rng(struct imp *im, const struct imp_opt *o,
			const struct imp_dev *d, const char *slot,
			size_t slotn, const char *conf)
{
	if (im->rng) {
		imp_warn_opt(im, o, "hyve has one random number device; this "
			     "one is left out");
		return;
	}
	im->rng = true;
	imp_slot(im, o, slot, slotn, d->emu);
	if (conf && *conf)
		imp_warn_opt(im, o, "'%.*s' is left out",
			     (int)MIN_SNIP(strlen(conf)), conf);
}

static void imp_dev_uart(struct imp *im, const struct imp_opt *o,
			 const struct imp_dev *d, const char *slot,
			 size_t slotn, const char *conf)
{
	imp_warn_opt(im, o, "a PCI 16550 UART has no counterpart in hyve "
		     "(use COM2: -l com2 or [serial] com2); not imported");
}

static const struct imp_dev imp_devs[] = {
	{ "hostbridge", imp_dev_bridge, 0 },
	{ "amd_hostbridge", imp_dev_bridge, 0 },
	{ "lpc", imp_dev_bridge, 0 },
	{ "virtio-blk", imp_dev_disk, DISK_VIRTIO_BLK },
	{ "ahci-hd", imp_dev_disk, DISK_AHCI_HD },
	{ "ahci-cd", imp_dev_disk, DISK_AHCI_CD },
	{ "virtio-net", imp_dev_net, NET_VMNET },
	{ "virtio-tap", imp_dev_net, NET_TAP },
	{ "virtio-vpnkit", imp_dev_net, NET_VPNKIT },
	{ "e1000", imp_dev_net, NET_E1000 },
	{ "virtio-rnd", imp_dev_rng, 0 },
	{ "uart", imp_dev_uart, 0 },
};

static void imp_opt_slot(struct imp *im, const struct imp_opt *o)
{
	const char *s = o->arg, *c1 = strchr(s, ','), *emu, *c2;
	size_t en;

	if (!c1 || !c1[1] || c1[1] == ',') {
		imp_warn_opt(im, o, "no device given (use -s "
			     "SLOT,DEVICE[,OPTIONS]); ignored");
		return;
	}
	emu = c1 + 1;
	c2 = strchr(emu, ',');
	en = c2 ? (size_t)(c2 - emu) : strlen(emu);
	for (size_t i = 0; i < sizeof(imp_devs) / sizeof(imp_devs[0]); i++) {
		const struct imp_dev *d = &imp_devs[i];

		if (strlen(d->emu) == en && !strncmp(d->emu, emu, en)) {
			d->add(im, o, d, s, (size_t)(c1 - s),
			       c2 ? c2 + 1 : NULL);
			return;
		}
	}
	imp_warn_opt(im, o, "device '%.*s' has no counterpart in hyve; not "
		     "imported", (int)MIN_SNIP(en), emu);
}

/* ---- The command line ---- */

struct imp_flag {
	char flag;
	bool has_arg;
	void (*handle)(struct imp *im, const struct imp_opt *o);
	const char *why;	/* for options hyve has no counterpart for */
};

/* xhyve's and hyperkit's getopt string: "behvuwxMACHPWY:f:F:g:c:s:m:l:U:" */
static const struct imp_flag imp_flags[] = {
	{ 'A', false, imp_opt_acpi, NULL },
	{ 'b', false, NULL, "the bvmconsole of FreeBSD guests has no "
	  "counterpart in hyve" },
	{ 'c', true, imp_opt_cpus, NULL },
	{ 'C', false, NULL, "hyve has no option to put guest memory in core "
	  "dumps" },
	{ 'e', false, NULL, "hyve has no option to stop at unhandled I/O "
	  "ports" },
	{ 'f', true, imp_opt_firmware, NULL },
	{ 'F', true, NULL, "hyve keeps track of its VMs itself and writes no "
	  "pid file" },
	{ 'g', true, NULL, "hyve has no gdb port" },
	{ 'h', false, NULL, "it only prints xhyve's help" },
	{ 'H', false, NULL, "under KVM an idle vCPU always sleeps, as -H "
	  "asked" },
	{ 'l', true, imp_opt_lpc, NULL },
	{ 'm', true, imp_opt_memory, NULL },
	{ 'M', false, NULL, "it only prints the vmnet MAC address" },
	{ 'p', true, NULL, "hyve does not pin vCPUs to host CPUs" },
	{ 'P', false, NULL, "KVM handles PAUSE loops itself" },
	{ 's', true, imp_opt_slot, NULL },
	{ 'u', false, imp_opt_utc, NULL },
	{ 'U', true, imp_opt_uuid, NULL },
	{ 'v', false, NULL, "it only prints xhyve's version" },
	{ 'w', false, NULL, "hyve has no option to ignore unknown MSRs" },
	{ 'W', false, NULL, "hyve has no option to force single-vector MSI" },
	{ 'x', false, NULL, "hyve has no option for x2APIC mode" },
	{ 'Y', false, NULL, "hyve has no option to leave out the MP table" },
};

static const struct imp_flag *imp_flag_find(char c)
{
	for (size_t i = 0; i < sizeof(imp_flags) / sizeof(imp_flags[0]); i++)
		if (imp_flags[i].flag == c)
			return &imp_flags[i];
	return NULL;
}

static void imp_run_flag(struct imp *im, const struct imp_flag *f,
			 const struct imp_opt *o)
{
	if (f->handle)
		f->handle(im, o);
	else
		imp_warn_opt(im, o, "%s; ignored", f->why);
}

/* Reads options the way xhyve's (BSD) getopt() does. */
static void imp_parse_args(struct imp *im, const struct imp_arg *args,
			   size_t n)
{
	const struct imp_flag *f;
	char snip[IMP_SNIP + 8];
	const char *p;
	size_t i;

	for (i = 0; i < n && !im->err; i++) {
		const struct imp_arg *a = &args[i];

		if (!strcmp(a->s, "--")) {
			i++;
			break;
		}
		if (a->s[0] != '-' || !a->s[1])
			break;
		if (a->s[1] == '-') {
			imp_snip(snip, sizeof(snip), a->s);
			imp_warn(im, a->line, "%s: not an xhyve or hyperkit "
				 "option; ignored", snip);
			continue;
		}
		for (p = a->s + 1; *p; p++) {
			struct imp_opt o = {
				.flag = *p, .line = a->line, .var = a->var,
			};

			f = imp_flag_find(*p);
			if (!f || f->has_arg) {
				if (p[1]) {
					o.arg = p + 1;
				} else if (i + 1 < n && (f ||
					   args[i + 1].s[0] != '-')) {
					i++;
					o.arg = args[i].s;
					if (args[i].var)
						o.var = args[i].var;
				}
			}
			if (!f) {
				imp_warn_opt(im, &o, "not an xhyve or hyperkit "
					     "option; ignored");
				break;
			}
			if (f->has_arg && !o.arg) {
				imp_warn_opt(im, &o, "needs an argument (xhyve "
					     "would refuse it); ignored");
				break;
			}
			imp_run_flag(im, f, &o);
			if (f->has_arg)
				break;
		}
	}
	if (i < n) {
		imp_snip(snip, sizeof(snip), args[i].s);
		imp_warn(im, args[i].line, "'%s'%s is ignored: xhyve stops "
			 "reading options at the first word that is not one",
			 snip, i + 1 < n ? " and what follows it" : "");
	}
}

/* ---- Scripts ---- */

static bool imp_has_kexec(char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(w[i], "kexec,", 6) ||
		    (w[i][0] == '-' && w[i][1] != '-' &&
		     strstr(w[i], "fkexec,")))
			return true;
	return false;
}

static int imp_on_note(void *ctx, unsigned line, const char *text)
{
	struct imp *im = ctx;

	imp_warn(im, line, "%s", text);
	return im->err;
}

static void imp_cand_free(struct imp_cand *c)
{
	for (size_t i = 0; i < c->argc; i++) {
		free(c->argv[i].s);
		free(c->argv[i].var);
	}
	free(c->argv);
	for (size_t i = 0; i < c->nnotes; i++)
		free(c->notes[i].text);
	free(c->notes);
	memset(c, 0, sizeof(*c));
}

static int imp_cand_note(struct imp_cand *c, unsigned line, const char *text)
{
	struct sh_note *t = realloc(c->notes, (c->nnotes + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	c->notes = t;
	t[c->nnotes].line = line;
	t[c->nnotes].text = strdup(text);
	if (!t[c->nnotes].text)
		return -ENOMEM;
	c->nnotes++;
	return 0;
}

static int imp_cand_add(struct imp *im, const struct sh_command *cmd,
			size_t k, const char *prog, bool guessed, char **w)
{
	struct imp_cand *c = &im->cands[im->ncands++];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->line = cmd->line;
	c->prog = prog;
	c->kexec = imp_has_kexec(w + k, cmd->argc - k);
	c->argv = calloc(cmd->argc - k + 1, sizeof(*c->argv));
	if (!c->argv)
		return -ENOMEM;
	for (i = k; i < cmd->argc; i++, c->argc++) {
		struct imp_arg *a = &c->argv[c->argc];

		a->line = cmd->argv[i].line;
		a->s = strdup(cmd->argv[i].text);
		if (!a->s)
			return -ENOMEM;
		if (cmd->argv[i].var) {
			a->var = strdup(cmd->argv[i].var);
			if (!a->var)
				return -ENOMEM;
		}
	}
	for (i = 0; i < cmd->nnotes; i++)
		if (imp_cand_note(c, cmd->notes[i].line, cmd->notes[i].text))
			return -ENOMEM;
	if (guessed && imp_cand_note(c, cmd->line, "the command name "
				     "expanded to nothing; read as xhyve "
				     "because of its -f kexec"))
		return -ENOMEM;
	return 0;
}

static int imp_on_command(void *ctx, const struct sh_command *cmd)
{
	struct imp *im = ctx;
	const char *prog = "xhyve", *b;
	bool guessed = false;
	size_t i, k;
	char **w;
	int rc = 0;

	w = calloc(cmd->argc + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (i = 0; i < cmd->argc; i++)
		w[i] = cmd->argv[i].text;
	k = imp_skip_prefixes(w, cmd->argc);
	if (k < cmd->argc && imp_is_hypervisor(w[k], &prog)) {
		k++;
	} else if (k < cmd->argc && w[k][0] == '-' &&
		   imp_has_kexec(w + k, cmd->argc - k)) {
		guessed = true;
	} else {
		if (k < cmd->argc) {
			b = imp_basename(w[k]);
			if (strstr(b, "xhyve") || strstr(b, "hyperkit"))
				imp_warn(im, cmd->line, "%.60s is not "
					 "followed: import the script or "
					 "command it runs instead", b);
		}
		goto out;
	}
	if (im->ncands >= IMP_MAX_CANDS) {
		imp_warn(im, cmd->line, "another %s command is not imported",
			 prog);
		goto out;
	}
	rc = imp_cand_add(im, cmd, k, prog, guessed, w);
out:
	free(w);
	return rc ? rc : im->err;
}

/* ---- Checks before writing ---- */

/* Why value cannot be written as a profile value, or NULL. */
static const char *imp_ini_problem(const char *key, const char *v)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return "it holds a control character";
	if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
		  v[n - 1] == '\t'))
		return "a profile cannot keep blanks at its start or end";
	if (v[0] == ';' || strstr(v, " ;") || strstr(v, "\t;"))
		return "' ;' would start a comment in a profile";
	if (strlen(key) + 3 + n > IMP_LINE_MAX)
		return "it is too long for a profile line";
	return NULL;
}

/* Drops *v (with a warning) when it cannot be written. */
static void imp_check_value(struct imp *im, unsigned line, const char *key,
			    char **v)
{
	const char *why = *v ? imp_ini_problem(key, *v) : NULL;
	char snip[IMP_SNIP + 8];

	if (!why)
		return;
	imp_snip(snip, sizeof(snip), *v);
	imp_warn(im, line, "%s '%s': %s; left out", key, snip, why);
	free(*v);
	*v = NULL;
}

/*
 * The length of the kernel command line word at p: up to a space outside
 * double quotes (the kernel's own rule), so a quoted value stays whole.
 */
static size_t imp_cmdline_word(const char *p)
{
	bool quoted = false;
	size_t n;

	for (n = 0; p[n] && (quoted || p[n] != ' '); n++)
		if (p[n] == '"')
			quoted = !quoted;
	return n;
}

static void out_add(struct imp *im, const char *p, size_t n);
static void out_str(struct imp *im, const char *s);
static void out_printf(struct imp *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct imp_word {
	const char *p;
	size_t n;
};

/*
 * Lays out "cmdline = ..." on lines of at most 79 columns, continued on
 * indented lines that the profile loader joins with spaces. Words are
 * split at spaces outside double quotes, and no continuation line starts
 * with '#' (libinih would take it for a comment). Writes the lines when
 * emit is set; returns the longest line's length (SIZE_MAX: no memory).
 */
static size_t out_cmdline(struct imp *im, const char *c, bool emit)
{
	static const char indent[] = "          ";	/* under the value */
	const size_t in = sizeof(indent) - 1;
	size_t nw = 0, i, col, need, longest;
	struct imp_word *w;
	const char *p = c;
	bool brk;

	w = calloc(strlen(c) / 2 + 2, sizeof(*w));
	if (!w) {
		im->out.oom = true;
		return SIZE_MAX;
	}
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[nw].p = p;
		w[nw].n = imp_cmdline_word(p);
		p += w[nw++].n;
	}
	if (emit)
		out_str(im, "cmdline =");
	col = longest = 9;
	for (i = 0; i < nw; i++) {
		need = col + 1 + w[i].n;
		brk = false;
		if (i && need > IMP_WRAP && w[i].p[0] != '#')
			brk = true;
		/* keep a word with a '#' word that would start a line */
		if (i && need <= IMP_WRAP && i + 1 < nw &&
		    w[i + 1].p[0] == '#' && need + 1 + w[i + 1].n > IMP_WRAP &&
		    in + w[i].n + 1 + w[i + 1].n <= IMP_WRAP)
			brk = true;
		if (brk) {
			if (emit)
				out_printf(im, "\n%s", indent);
			col = in;
		} else {
			if (emit)
				out_str(im, " ");
			col++;
		}
		if (emit)
			out_add(im, w[i].p, w[i].n);
		col += w[i].n;
		longest = MAX_SIZE(longest, col);
	}
	if (emit)
		out_str(im, "\n");
	free(w);
	return longest;
}

/* The kernel command line: blanks become spaces, every line fits. */
static void imp_check_cmdline(struct imp *im)
{
	char *c = im->cmdline, *p, snip[IMP_SNIP + 8];
	const char *why = NULL;
	size_t n;

	if (!c)
		return;
	for (p = c; *p; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "it holds a control character";
	}
	n = out_cmdline(im, c, false);
	if (n == SIZE_MAX)
		return;
	if (n > IMP_LINE_MAX)
		why = "a word of it is too long for a profile line";
	if (strstr(c, " ;") || c[0] == ';')
		why = "' ;' would start a comment in a profile";
	if (why) {
		imp_snip(snip, sizeof(snip), c);
		imp_warn(im, im->line, "cmdline '%s': %s; left out", snip, why);
		free(c);
		im->cmdline = NULL;
	}
}

static bool imp_name_used(struct imp *im, const char *name, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (!strcmp(im->disks[i].name, name))
			return true;
	return false;
}

static void imp_name_disks(struct imp *im)
{
	char stem[IMP_STEM_MAX + 1];
	bool root = false;
	size_t i;

	for (i = 0; i < im->ndisks; i++) {
		struct imp_disk *dk = &im->disks[i];

		if (!root && dk->type != DISK_AHCI_CD) {
			snprintf(stem, sizeof(stem), "root");
			root = true;
		} else {
			imp_stem(stem, IMP_STEM_MAX, dk->path);
			if (!stem[0])
				snprintf(stem, sizeof(stem), "%s",
					 dk->type == DISK_AHCI_CD ? "cdrom" :
					 "disk");
		}
		snprintf(dk->name, sizeof(dk->name), "%s", stem);
		for (unsigned k = 2; imp_name_used(im, dk->name, i); k++)
			snprintf(dk->name, sizeof(dk->name), "%s-%u", stem, k);
	}
}

static void imp_name_vm(struct imp *im)
{
	const char *src = im->opts->name, *s;
	size_t i;

	if (!src || !*src) {
		src = NULL;
		for (i = 0; i < im->ndisks && !src; i++)
			if (im->disks[i].type != DISK_AHCI_CD)
				src = im->disks[i].path;
		if (!src)
			src = im->opts->source;
		if (src) {
			imp_stem(im->name, IMP_NAME_MAX, src);
			if (im->name[0] && strcmp(im->name, "-"))
				return;
		}
		snprintf(im->name, sizeof(im->name), "%s", im->prog);
		return;
	}
	for (i = 0, s = src; s[i] && i < IMP_NAME_MAX; i++)
		im->name[i] = imp_name_char(s[i]) ? s[i] : '-';
	im->name[i] = '\0';
}

/* Decides whether there is a profile at all, then tidies values. */
static int imp_finish(struct imp *im)
{
	struct import_result *res = im->res;
	char *why = NULL;

	if (!im->fw_seen) {
		if (asprintf(&why, "the %s command has no "
			     "-f kexec,KERNEL,INITRD,CMDLINE: hyve needs a "
			     "kernel to boot", im->prog) < 0)
			return -ENOMEM;
	} else if (im->fw_error) {
		why = im->fw_error;
		im->fw_error = NULL;
	} else if (imp_ini_problem("kernel", im->kernel)) {
		if (asprintf(&why, "the kernel path cannot be written in a "
			     "profile: %s", imp_ini_problem("kernel",
			     im->kernel)) < 0)
			return -ENOMEM;
	}
	if (why) {
		imp_printable(why);
		res->error = why;
		res->error_line = im->line;
		return -EINVAL;
	}
	imp_check_value(im, im->line, "initrd", &im->initrd);
	imp_check_cmdline(im);
	imp_check_value(im, im->line, "log", &im->log);
	for (size_t i = 0; i < im->ndisks; i++) {
		struct imp_disk *dk = &im->disks[i];

		imp_check_value(im, dk->line, "path", &dk->path);
		if (!dk->path) {
			free(dk->path);
			memmove(dk, dk + 1, (im->ndisks - i - 1) * sizeof(*dk));
			im->ndisks--;
			i--;
		}
	}
	imp_name_disks(im);
	imp_name_vm(im);
	return im->err;
}

/* ---- Writing the profile ---- */

static void out_add(struct imp *im, const char *p, size_t n)
{
	strbuf_add(&im->out, p, n);
}

static void out_str(struct imp *im, const char *s)
{
	out_add(im, s, strlen(s));
}

static void out_printf(struct imp *im, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		im->out.oom = true;
		return;
	}
	out_add(im, s, (size_t)n);
	free(s);
}

/* A comment, wrapped; continuation lines start with ";" + indent + " ". */
static void out_comment(struct imp *im, const char *text, const char *indent)
{
	size_t col = 1, wl, take, in = strlen(indent);
	const char *p = text;
	bool first = true;

	out_str(im, ";");
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		wl = strcspn(p, " ");
		if (!first && col + 1 + wl > IMP_WRAP) {
			out_printf(im, "\n;%s", indent);
			col = 1 + in;
			first = true;
		}
		out_str(im, " ");
		col++;
		while (col + wl > IMP_WRAP && col < IMP_WRAP) {
			take = IMP_WRAP - col;
			out_add(im, p, take);
			p += take;
			wl -= take;
			out_printf(im, "\n;%s ", indent);
			col = 2 + in;
		}
		out_add(im, p, wl);
		col += wl;
		p += wl;
		first = false;
	}
	out_str(im, "\n");
}

static void out_kv(struct imp *im, const char *key, const char *value,
		   const char *comment)
{
	size_t n = strlen(key) + 3 + strlen(value);

	out_printf(im, "%s = %s", key, value);
	if (comment) {
		do
			out_str(im, " ");
		while (++n < 25);
		out_printf(im, "; %s", comment);
	}
	out_str(im, "\n");
}

static void out_size(struct imp *im, const char *key, uint64_t v)
{
	char buf[32];

	if (v && imp_fmt_size(v, buf, sizeof(buf)))
		out_kv(im, key, buf, NULL);
}

static void out_header(struct imp *im)
{
	const struct import_result *res = im->res;
	char *line, *src = NULL;
	int rc;

	if (im->opts->source) {
		src = strdup(im->opts->source);
		if (!src) {
			im->out.oom = true;
			return;
		}
		imp_printable(src);
		rc = asprintf(&line, "Imported by hyve import from %s, line "
			      "%u.", src, im->line);
	} else {
		rc = asprintf(&line, "Imported by hyve import from a%s %s "
			      "command line.", im->prog[0] == 'x' ? "n" : "",
			      im->prog);
	}
	if (rc < 0) {
		free(src);
		im->out.oom = true;
		return;
	}
	out_comment(im, line, "");
	free(line);
	if (im->relative)
		out_comment(im, "Relative paths are kept as written: xhyve "
			    "read them from the folder it ran in, hyve reads "
			    "them from the folder of this file.", "");
	if (res->nwarnings) {
		out_str(im, ";\n; Warnings:\n");
		for (size_t i = 0; i < res->nwarnings; i++) {
			const struct import_warning *w = &res->warnings[i];

			if (src && w->line)
				rc = asprintf(&line, "%s:%u: %s", src, w->line,
					      w->text);
			else
				rc = asprintf(&line, "%s", w->text);
			if (rc < 0) {
				im->out.oom = true;
				break;
			}
			out_comment(im, line, "  ");
			free(line);
		}
	}
	free(src);
}

static void out_profile(struct imp *im)
{
	char buf[64];

	out_header(im);
	out_str(im, "\n[vm]\n");
	out_kv(im, "name", im->name, NULL);
	if (im->uuid[0])
		out_kv(im, "uuid", im->uuid, NULL);
	snprintf(buf, sizeof(buf), "%u", im->cpus ? im->cpus : 1);
	out_kv(im, "cpus", buf, im->cpus ? NULL : "xhyve's default (no -c)");
	if (im->memory && imp_fmt_size(im->memory, buf, sizeof(buf)))
		out_kv(im, "memory", buf, NULL);
	else
		out_kv(im, "memory", IMP_DEFAULT_MEM,
		       "xhyve's default (no -m)");
	out_kv(im, "acpi", im->acpi ? "yes" : "no", NULL);
	out_kv(im, "rtc", im->utc ? "utc" : "localtime",
	       im->utc ? NULL : "xhyve's default (no -u)");
	out_kv(im, "on_reboot", "exit", "xhyve exits when the guest reboots");
	out_kv(im, "autostart", "no", NULL);

	out_str(im, "\n[boot]\n");
	out_kv(im, "kernel", im->kernel, NULL);
	if (im->initrd)
		out_kv(im, "initrd", im->initrd, NULL);
	if (im->cmdline)
		out_cmdline(im, im->cmdline, true);

	out_str(im, "\n[serial]\n");
	out_kv(im, "com1", im->com[0] ? im->com[0] : "none", NULL);
	out_kv(im, "com2", im->com[1] ? im->com[1] : "none", NULL);
	if (im->log)
		out_kv(im, "log", im->log, NULL);

	for (size_t i = 0; i < im->ndisks; i++) {
		const struct imp_disk *dk = &im->disks[i];

		out_printf(im, "\n[disk.%s]\n", dk->name);
		out_kv(im, "type", imp_disk_types[dk->type], NULL);
		out_kv(im, "path", dk->path, NULL);
		out_kv(im, "format", dk->sparse ? "xhyve-sparse" : "raw", NULL);
		out_size(im, "size", dk->size);
		out_size(im, "split", dk->split);
		if (dk->sectorsize) {
			snprintf(buf, sizeof(buf), "%u", dk->sectorsize);
			out_kv(im, "sectorsize", buf, NULL);
		}
		if (dk->readonly)
			out_kv(im, "readonly", "yes", NULL);
		if (dk->cache)
			out_kv(im, "cache", dk->cache, NULL);
		if (dk->slot > 0) {
			snprintf(buf, sizeof(buf), "%d", dk->slot);
			out_kv(im, "slot", buf, NULL);
		}
	}
	for (size_t i = 0; i < im->nnets; i++) {
		const struct imp_net *net = &im->nets[i];

		out_printf(im, "\n[net.eth%zu]\n", i);
		out_kv(im, "type", "virtio-net", NULL);
		out_kv(im, "mode", net->mode, NULL);
		if (net->tap)
			out_kv(im, "tap", net->tap, NULL);
		out_kv(im, "mac", net->mac[0] ? net->mac : "auto", NULL);
		if (net->slot > 0) {
			snprintf(buf, sizeof(buf), "%d", net->slot);
			out_kv(im, "slot", buf, NULL);
		}
	}
	out_str(im, "\n[rng]\n");
	out_kv(im, "type", im->rng ? "virtio-rng" : "none",
	       im->rng ? NULL : "xhyve had no -s N,virtio-rnd");
}

/* ---- Entry points ---- */

static struct imp *imp_new(const struct import_options *opts,
			   struct import_result *res)
{
	static const struct import_options none;
	struct imp *im;

	memset(res, 0, sizeof(*res));
	im = calloc(1, sizeof(*im));
	if (!im)
		return NULL;
	im->opts = opts ? opts : &none;
	im->res = res;
	im->prog = "xhyve";
	return im;
}

static int imp_done(struct imp *im, int rc)
{
	struct import_result *res = im->res;

	if (rc == 0)
		rc = imp_finish(im);
	if (rc != -ENOMEM) {
		im->finishing = true;
		if (im->warnings_dropped)
			imp_warn(im, 0, "%zu more warnings are not shown",
				 im->warnings_dropped);
		imp_sort_warnings(im);
	}
	if (rc == 0 && im->err)
		rc = im->err;
	if (rc == 0) {
		out_profile(im);
		if (im->out.oom)
			rc = -ENOMEM;
	}
	if (im->err)
		rc = im->err;
	if (rc == 0) {
		res->profile = im->out.s;
		im->out.s = NULL;
	}
	for (size_t i = 0; i < im->ncands; i++)
		imp_cand_free(&im->cands[i]);
	for (size_t i = 0; i < im->ndisks; i++)
		free(im->disks[i].path);
	for (size_t i = 0; i < im->nnets; i++)
		free(im->nets[i].tap);
	free(im->kernel);
	free(im->initrd);
	free(im->cmdline);
	free(im->fw_error);
	free(im->log);
	free(im->out.s);
	free(im);
	if (rc == -ENOMEM) {
		free(res->error);
		res->error = NULL;
	}
	return rc;
}

static int imp_fail(struct imp *im, unsigned line, const char *msg)
{
	im->res->error = strdup(msg);
	im->res->error_line = line;
	return im->res->error ? -EINVAL : -ENOMEM;
}

int import_script(const char *text, size_t len,
		  const struct import_options *opts, struct import_result *res)
{
	static const struct sh_ops ops = {
		.command = imp_on_command,
		.note = imp_on_note,
	};
	struct imp *im = imp_new(opts, res);
	struct imp_cand *c;
	size_t i, pick = 0;
	int rc;

	if (!im)
		return -ENOMEM;
	rc = sh_run(text, len, &ops, im);
	if (rc)
		return imp_done(im, rc);
	if (im->ncands == 0)
		return imp_done(im, imp_fail(im, 0, "no xhyve or hyperkit "
						"command found"));
	for (i = 0; i < im->ncands; i++) {
		if (im->cands[i].kexec) {
			pick = i;
			break;
		}
	}
	c = &im->cands[pick];
	im->prog = c->prog;
	im->line = c->line;
	for (i = 0; i < im->ncands; i++)
		if (i != pick)
			imp_warn(im, im->cands[i].line, "another %s command: "
				 "not imported (this profile is the one on "
				 "line %u)", im->cands[i].prog, c->line);
	for (i = 0; i < c->nnotes; i++)
		imp_warn(im, c->notes[i].line, "%s", c->notes[i].text);
	imp_parse_args(im, c->argv, c->argc);
	return imp_done(im, 0);
}

int import_argv(int argc, char *const argv[],
		const struct import_options *opts, struct import_result *res)
{
	struct imp *im = imp_new(opts, res);
	struct imp_arg *args;
	size_t i, k, n = argc > 0 ? (size_t)argc : 0;

	if (!im)
		return -ENOMEM;
	k = imp_skip_prefixes(argv, n);
	if (k < n && imp_is_hypervisor(argv[k], &im->prog))
		k++;
	args = calloc(n - k + 1, sizeof(*args));
	if (!args)
		return imp_done(im, -ENOMEM);
	for (i = k; i < n; i++)
		args[i - k].s = argv[i];
	imp_parse_args(im, args, n - k);
	free(args);
	return imp_done(im, 0);
}

void import_result_free(struct import_result *res)
{
	for (size_t i = 0; i < res->nwarnings; i++)
		free(res->warnings[i].text);
	free(res->warnings);
	free(res->profile);
	free(res->error);
	memset(res, 0, sizeof(*res));
}
