/* schema.c - the profile schema (hyve-profile(5)): every section and key, their value parsers, and the messages for bad ones. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

#include "profiles/schema.h"

static prof_parse_fn parse_uint, parse_size, parse_bool, parse_choice,
	parse_path, parse_text, parse_name, parse_uuid, parse_mac,
	parse_forward, parse_ifname;

static const struct prof_choice on_reboot_choices[] = {
	{ "restart", VM_REBOOT_RESTART }, { "exit", VM_REBOOT_EXIT }, { 0 } };
static const struct prof_choice rtc_choices[] = {
	{ "utc", VM_RTC_UTC }, { "localtime", VM_RTC_LOCALTIME }, { 0 } };
static const struct prof_choice com_choices[] = {
	{ "console", VM_SERIAL_CONSOLE }, { "none", VM_SERIAL_NONE }, { 0 } };
static const struct prof_choice disk_type_choices[] = {
	{ "virtio-blk", VM_DISK_VIRTIO_BLK }, { "ahci-hd", VM_DISK_AHCI_HD },
	{ "ahci-cd", VM_DISK_AHCI_CD }, { 0 } };
static const struct prof_choice format_choices[] = {
	{ "raw", VM_DISK_RAW }, { "xhyve-sparse", VM_DISK_XHYVE_SPARSE },
	{ 0 } };
static const struct prof_choice sectorsize_choices[] = {
	{ "512", 512 }, { "4096", 4096 }, { 0 } };
static const struct prof_choice cache_choices[] = {
	{ "writeback", VM_CACHE_WRITEBACK },
	{ "writethrough", VM_CACHE_WRITETHROUGH },
	{ "direct", VM_CACHE_DIRECT }, { 0 } };
static const struct prof_choice net_type_choices[] = {
	{ "virtio-net", 0 }, { 0 } };
static const struct prof_choice mode_choices[] = {
	{ "user", VM_NET_USER }, { "tap", VM_NET_TAP }, { "none", VM_NET_NONE },
	{ 0 } };
static const struct prof_choice rng_choices[] = {
	{ "virtio-rng", 1 }, { "none", 0 }, { 0 } };

#define F(type, member)	.off = offsetof(type, member),			\
			.size = sizeof(((type *)0)->member)
#define VM(member)	F(struct vm_config, member)
#define DISK(member)	F(struct vm_disk_config, member)
#define NIC(member)	F(struct vm_net_config, member)
#define KEY(s, n, fn)	.sect = s, .name = n, .parse = fn
#define RANGE(lo, hi)	.min = lo, .max = hi
#define CHOICES(c, w)	.choices = c, .what = w
#define SLOT_HINT	"use 1 to 30: 0 is the host bridge, 31 the LPC bridge"

const struct prof_key prof_keys[] = {
	{ KEY(SECT_VM, "name", parse_name), VM(name) },
	{ KEY(SECT_VM, "uuid", parse_uuid), VM(uuid) },
	{ KEY(SECT_VM, "cpus", parse_uint), VM(cpus), RANGE(1, VM_MAX_CPUS) },
	{ KEY(SECT_VM, "memory", parse_size), VM(memory),
	  RANGE(VM_MEMORY_MIN, VM_MEMORY_MAX) },
	{ KEY(SECT_VM, "acpi", parse_bool), VM(acpi) },
	{ KEY(SECT_VM, "rtc", parse_choice), VM(rtc),
	  CHOICES(rtc_choices, "an rtc mode") },
	{ KEY(SECT_VM, "on_reboot", parse_choice), VM(on_reboot),
	  CHOICES(on_reboot_choices, "an on_reboot action") },
	{ KEY(SECT_VM, "autostart", parse_bool), VM(autostart) },

	{ KEY(SECT_BOOT, "kernel", parse_path), VM(kernel) },
	{ KEY(SECT_BOOT, "initrd", parse_path), VM(initrd) },
	{ KEY(SECT_BOOT, "cmdline", parse_text), VM(cmdline) },
	{ KEY(SECT_BOOT, "unpack", parse_bool), VM(boot_unpack) },

	{ KEY(SECT_SERIAL, "com1", parse_choice), VM(com[0]),
	  CHOICES(com_choices, "a serial port use") },
	{ KEY(SECT_SERIAL, "com2", parse_choice), VM(com[1]),
	  CHOICES(com_choices, "a serial port use") },
	{ KEY(SECT_SERIAL, "log", parse_path), VM(serial_log) },
	{ KEY(SECT_SERIAL, "rows", parse_uint), VM(console_rows),
	  RANGE(10, 500) },
	{ KEY(SECT_SERIAL, "cols", parse_uint), VM(console_cols),
	  RANGE(20, 1000) },

	{ KEY(SECT_DISK, "type", parse_choice), DISK(type),
	  CHOICES(disk_type_choices, "a disk type") },
	{ KEY(SECT_DISK, "path", parse_path), DISK(path) },
	{ KEY(SECT_DISK, "format", parse_choice), DISK(format),
	  CHOICES(format_choices, "a disk format") },
	{ KEY(SECT_DISK, "size", parse_size), DISK(size),
	  RANGE(1ULL << 20, 64ULL << 40) },
	{ KEY(SECT_DISK, "split", parse_size), DISK(split),
	  RANGE(1ULL << 20, 64ULL << 40) },
	{ KEY(SECT_DISK, "sectorsize", parse_choice), DISK(sectorsize),
	  CHOICES(sectorsize_choices, "a sector size") },
	{ KEY(SECT_DISK, "readonly", parse_bool), DISK(readonly) },
	{ KEY(SECT_DISK, "cache", parse_choice), DISK(cache),
	  CHOICES(cache_choices, "a cache mode") },
	{ KEY(SECT_DISK, "slot", parse_uint), DISK(slot),
	  RANGE(1, VM_PCI_SLOT_MAX), .what = SLOT_HINT },

	{ KEY(SECT_NET, "type", parse_choice),
	  CHOICES(net_type_choices, "a network device type") },
	{ KEY(SECT_NET, "mode", parse_choice), NIC(mode),
	  CHOICES(mode_choices, "a network mode") },
	{ KEY(SECT_NET, "tap", parse_ifname), NIC(tap) },
	{ KEY(SECT_NET, "forward", parse_forward) },
	{ KEY(SECT_NET, "mac", parse_mac), NIC(mac) },
	{ KEY(SECT_NET, "slot", parse_uint), NIC(slot),
	  RANGE(1, VM_PCI_SLOT_MAX), .what = SLOT_HINT },

	{ KEY(SECT_RNG, "type", parse_choice), VM(rng),
	  CHOICES(rng_choices, "an rng type") },
	{ KEY(SECT_RNG, "slot", parse_uint), VM(rng_slot),
	  RANGE(1, VM_PCI_SLOT_MAX), .what = SLOT_HINT },
};

const size_t prof_nkeys = ARRAY_SIZE(prof_keys);

_Static_assert(ARRAY_SIZE(prof_keys) <= PROF_KEYS_MAX,
	       "prof_ctx.key_line is too small for prof_keys");

static const char *const sect_names[SECT_COUNT] = {
	[SECT_VM] = "vm", [SECT_BOOT] = "boot", [SECT_SERIAL] = "serial",
	[SECT_RNG] = "rng", [SECT_DISK] = "disk", [SECT_NET] = "net",
};

const char *prof_sect_name(enum prof_sect sect)
{
	return sect_names[sect] ? sect_names[sect] : "";
}

bool prof_is_text(const struct prof_key *k)
{
	return k->parse == parse_text;
}

bool prof_is_repeatable(const struct prof_key *k)
{
	return k->parse == parse_forward;
}

int prof_key_find(enum prof_sect sect, const char *name)
{
	for (size_t i = 0; i < prof_nkeys; i++)
		if (prof_keys[i].sect == sect && !strcmp(prof_keys[i].name, name))
			return (int)i;
	return -1;
}

unsigned prof_key_line(const struct prof_ctx *ctx, unsigned obj,
		       enum prof_sect sect, const char *name)
{
	int i = prof_key_find(sect, name);

	return i < 0 ? 0 : ctx->key_line[obj][i];
}

unsigned prof_obj(const struct prof_ctx *ctx)
{
	if (ctx->sect == SECT_DISK)
		return 1 + ctx->dev;
	if (ctx->sect == SECT_NET)
		return 1 + VM_DISKS_MAX + ctx->dev;
	return 0;
}

void *prof_field(struct prof_ctx *ctx, const struct prof_key *k)
{
	char *base = (char *)ctx->cfg;

	if (k->sect == SECT_DISK)
		base = (char *)&ctx->cfg->disk[ctx->dev];
	else if (k->sect == SECT_NET)
		base = (char *)&ctx->cfg->nic[ctx->dev];
	return base + k->off;
}

/* ---- Messages ---- */

const char *prof_quote(const char *value, char *buf, size_t size)
{
	size_t n = 0, max = size - 6;	/* room for "...", quotes, NUL */
	const unsigned char *p = (const unsigned char *)value;

	buf[n++] = '"';
	for (; *p && n < max; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			if (n + 4 >= max)
				break;
			n += (size_t)snprintf(buf + n, size - n,
					      *p == '"' ? "\\\"" :
					      *p == '\\' ? "\\\\" : "\\x%02x",
					      *p);
		} else {
			buf[n++] = (char)*p;
		}
	}
	if (*p) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

/* Edit distance with transpositions (optimal string alignment), no case. */
static unsigned prof_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned d[PROF_NAME_MAX + 2][PROF_NAME_MAX + 2];

	if (la > PROF_NAME_MAX || lb > PROF_NAME_MAX)
		return ~0u;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);
			unsigned v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);

			v = MIN(v, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *prof_near(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = ~0u;

	for (size_t i = 0; i < n; i++) {
		unsigned d = prof_distance(word, cands[i]);
		unsigned limit = strlen(cands[i]) <= 4 ? 1 : 2;

		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

void prof_fmt_size(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)v, units[u]);
}

bool prof_valid_name(const char *s, size_t len)
{
	return len > 0 && isalnum((unsigned char)s[0]) &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") >= len;
}

#define NAME_HINT "use letters, digits, '.', '_' and '-', starting with a " \
		  "letter or digit"

/* Lists the choices as "a, b or c". */
static void prof_list_choices(const struct prof_choice *c, char *buf,
			      size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; c[i].word && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i == 0 ? "" : c[i + 1].word ? ", " :
				      " or ", c[i].word);
}

/* ---- Value parsers ---- */

static void store_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(bool *)field = v != 0; break;
	case 4: *(unsigned *)field = (unsigned)v; break;
	case 8: *(uint64_t *)field = v; break;
	default: break;	/* size 0: nothing to store */
	}
}

/* Only the digits 0-9, at least one: no sign, space or base prefix. */
static bool parse_digits(const char *v, uint64_t *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return !errno && !*end;
}

static void range_error(struct prof_ctx *ctx, const struct prof_key *k,
			const char *v, bool size)
{
	char q[PROF_QUOTE_MAX], lo[32], hi[32];

	if (k->what) {
		prof_error(ctx, ctx->line, "%s: %s is out of range (%s)",
			   k->name, prof_quote(v, q, sizeof(q)), k->what);
		return;
	}
	if (size) {
		prof_fmt_size(k->min, lo, sizeof(lo));
		prof_fmt_size(k->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
	}
	prof_error(ctx, ctx->line, "%s: %s is out of range (use %s to %s)",
		   k->name, prof_quote(v, q, sizeof(q)), lo, hi);
}

static void parse_uint(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	char q[PROF_QUOTE_MAX];
	uint64_t n;

	if (!parse_digits(v, &n)) {
		if (k->what)
			prof_error(ctx, ctx->line, "%s: %s is not a number "
				   "(%s)", k->name, prof_quote(v, q, sizeof(q)),
				   k->what);
		else
			prof_error(ctx, ctx->line, "%s: %s is not a number "
				   "(use %llu to %llu)", k->name,
				   prof_quote(v, q, sizeof(q)),
				   (unsigned long long)k->min,
				   (unsigned long long)k->max);
		return;
	}
	if (n < k->min || n > k->max) {
		range_error(ctx, k, v, false);
		return;
	}
	store_uint(field, k->size, n);
}

int profile_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mul;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; break;
	case 'm': case 'M': mul = 1ULL << 20; break;
	case 'g': case 'G': mul = 1ULL << 30; break;
	case 't': case 'T': mul = 1ULL << 40; break;
	default: return -EINVAL;
	}
	end++;
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > ~0ULL / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static void parse_size(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	char q[PROF_QUOTE_MAX];
	unsigned long long n;

	if (profile_parse_size(v, &n)) {
		prof_error(ctx, ctx->line, "%s: %s is not a size (use e.g. "
			   "512M or 2G)", k->name, prof_quote(v, q, sizeof(q)));
		return;
	}
	if (n < k->min || n > k->max) {
		range_error(ctx, k, v, true);
		return;
	}
	if (n % 4096) {
		prof_error(ctx, ctx->line, "%s: %s is not a multiple of 4K "
			   "(use e.g. 512M or 2G)", k->name,
			   prof_quote(v, q, sizeof(q)));
		return;
	}
	store_uint(field, k->size, n);
}

static void parse_bool(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	char q[PROF_QUOTE_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			store_uint(field, k->size, !strcasecmp(v, yes[i]));
			return;
		}
	}
	prof_error(ctx, ctx->line, "%s: %s is not yes or no (use yes, no, "
		   "true, false, on, off, 1 or 0)", k->name,
		   prof_quote(v, q, sizeof(q)));
}

static void parse_choice(struct prof_ctx *ctx, const struct prof_key *k,
			 const char *v, void *field)
{
	const char *words[8], *near;
	char q[PROF_QUOTE_MAX], list[128];
	size_t n = 0;

	for (; k->choices[n].word; n++) {
		if (!strcasecmp(v, k->choices[n].word)) {
			store_uint(field, k->size, k->choices[n].value);
			return;
		}
		words[n] = k->choices[n].word;
	}
	near = prof_near(v, words, n);
	prof_quote(v, q, sizeof(q));
	if (near) {
		prof_error(ctx, ctx->line, "%s: %s is not %s (did you mean "
			   "%s?)", k->name, q, k->what, near);
		return;
	}
	prof_list_choices(k->choices, list, sizeof(list));
	prof_error(ctx, ctx->line, "%s: %s is not %s (use %s)", k->name, q,
		   k->what, list);
}

static void parse_path(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	int n;

	if (v[0] == '/')
		n = snprintf(field, k->size, "%s", v);
	else
		n = snprintf(field, k->size, "%s/%s", ctx->dir, v);
	if (n < 0 || (size_t)n >= k->size) {
		prof_error(ctx, ctx->line, "%s: the path is longer than %zu "
			   "bytes (move the file nearer to /)", k->name,
			   k->size - 1);
		*(char *)field = '\0';
	}
}

static void parse_text(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	if (str_copy(field, v, k->size) >= k->size) {
		prof_error(ctx, ctx->line, "%s: longer than %zu characters "
			   "(shorten it)", k->name, k->size - 1);
		*(char *)field = '\0';
	}
}

static void parse_name(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	char q[PROF_QUOTE_MAX];
	size_t len = strlen(v);

	if (len >= k->size)
		prof_error(ctx, ctx->line, "%s: %s is longer than %zu "
			   "characters (shorten it)", k->name,
			   prof_quote(v, q, sizeof(q)), k->size - 1);
	else if (!prof_valid_name(v, len))
		prof_error(ctx, ctx->line, "%s: %s is not a valid name ("
			   NAME_HINT ")", k->name, prof_quote(v, q, sizeof(q)));
	else
		str_copy(field, v, k->size);
}

/* libuuid alone also takes other forms; hyve wants exactly 8-4-4-4-12. */
static void parse_uuid(struct prof_ctx *ctx, const struct prof_key *k,
		       const char *v, void *field)
{
	char q[PROF_QUOTE_MAX];
	uuid_t u;
	bool ok = strlen(v) == VM_UUID_LEN && uuid_parse(v, u) == 0;

	for (size_t i = 0; ok && i < VM_UUID_LEN; i++)
		ok = (i == 8 || i == 13 || i == 18 || i == 23) ? v[i] == '-' :
		     isxdigit((unsigned char)v[i]);
	if (!ok) {
		prof_error(ctx, ctx->line, "%s: %s is not a UUID (use the "
			   "8-4-4-4-12 hex digit form, or remove the line and "
			   "hyve writes a new one)", k->name,
			   prof_quote(v, q, sizeof(q)));
		return;
	}
	if (uuid_is_null(u)) {
		prof_error(ctx, ctx->line, "%s: the nil UUID identifies "
			   "nothing (remove the line and hyve writes a new one)",
			   k->name);
		return;
	}
	uuid_unparse_lower(u, field);
}

static void parse_mac(struct prof_ctx *ctx, const struct prof_key *k,
		      const char *v, void *field)
{
	struct vm_net_config *nic = &ctx->cfg->nic[ctx->dev];
	char q[PROF_QUOTE_MAX];
	uint8_t *mac = field;
	bool ok = strlen(v) == 17;

	if (!strcasecmp(v, "auto")) {
		nic->mac_auto = true;
		return;
	}
	for (size_t i = 0; ok && i < 17; i++)
		ok = i % 3 == 2 ? v[i] == ':' : isxdigit((unsigned char)v[i]);
	prof_quote(v, q, sizeof(q));
	if (!ok) {
		prof_error(ctx, ctx->line, "%s: %s is not a MAC address (use "
			   "auto, or six hex pairs like 02:00:00:12:34:56)",
			   k->name, q);
		return;
	}
	for (size_t i = 0; i < 6; i++)
		mac[i] = (uint8_t)strtoul(v + 3 * i, NULL, 16);
	if (mac[0] & 1) {
		prof_error(ctx, ctx->line, "%s: %s is a multicast address (the "
			   "first byte must be even, e.g. 02)", k->name, q);
		return;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		prof_error(ctx, ctx->line, "%s: %s is not a usable address "
			   "(use auto)", k->name, q);
		return;
	}
	nic->mac_auto = false;
}

static void parse_ifname(struct prof_ctx *ctx, const struct prof_key *k,
			 const char *v, void *field)
{
	char q[PROF_QUOTE_MAX];
	size_t len = strlen(v);

	if (len >= k->size || !prof_valid_name(v, len)) {
		prof_error(ctx, ctx->line, "%s: %s is not an interface name "
			   "(use 1 to %zu letters, digits, '.', '_' or '-', "
			   "e.g. tap0)", k->name, prof_quote(v, q, sizeof(q)),
			   k->size - 1);
		return;
	}
	str_copy(field, v, k->size);
}

/* "[ADDR]:PORT" up to end; ADDR may be empty. */
static bool parse_endpoint(const char *s, const char *end)
{
	const char *colon = NULL;
	char addr[INET_ADDRSTRLEN], port[8];
	struct in_addr a;
	uint64_t p;

	for (const char *c = s; c < end; c++)
		if (*c == ':')
			colon = c;
	if (!colon || (size_t)(colon - s) >= sizeof(addr) ||
	    (size_t)(end - colon - 1) >= sizeof(port))
		return false;
	memcpy(addr, s, (size_t)(colon - s));
	addr[colon - s] = '\0';
	memcpy(port, colon + 1, (size_t)(end - colon - 1));
	port[end - colon - 1] = '\0';
	if (addr[0] && inet_pton(AF_INET, addr, &a) != 1)
		return false;
	return parse_digits(port, &p) && p >= 1 && p <= 65535;
}

static void parse_forward(struct prof_ctx *ctx, const struct prof_key *k,
			  const char *v, void *field)
{
	struct vm_net_config *nic = &ctx->cfg->nic[ctx->dev];
	char q[PROF_QUOTE_MAX];
	const char *rest = NULL, *dash;

	if (!strncmp(v, "tcp:", 4) || !strncmp(v, "udp:", 4))
		rest = v + 4;
	dash = rest ? strchr(rest, '-') : NULL;
	if (!dash || !parse_endpoint(rest, dash) ||
	    !parse_endpoint(dash + 1, dash + strlen(dash)) ||
	    strlen(v) >= sizeof(nic->forward[0])) {
		prof_error(ctx, ctx->line, "%s: %s is not a forward (use "
			   "tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT "
			   "with IPv4 addresses and ports 1 to 65535, e.g. "
			   "tcp:127.0.0.1:2222-:22)", k->name,
			   prof_quote(v, q, sizeof(q)));
		return;
	}
	if (nic->forwards >= VM_FORWARDS_MAX) {
		prof_error(ctx, ctx->line, "%s: more than %d forwards in "
			   "[net.%s] (remove some)", k->name, VM_FORWARDS_MAX,
			   nic->name);
		return;
	}
	ctx->forward_line[ctx->dev][nic->forwards] = ctx->line;
	str_copy(nic->forward[nic->forwards++], v, sizeof(nic->forward[0]));
}

/* ---- Unknown keys and sections ---- */

const char *prof_word(const char *s, char *buf, size_t size)
{
	for (const char *p = s; *p; p++)
		if (*p < ' ' || *p >= 0x7f)
			return prof_quote(s, buf, size);
	return *s ? s : prof_quote(s, buf, size);
}

void prof_unknown_key(struct prof_ctx *ctx, const char *key)
{
	const char *cands[PROF_KEYS_MAX], *near;
	char list[256], w[PROF_QUOTE_MAX];
	const char *name = prof_word(key, w, sizeof(w));
	size_t n = 0, len = 0;
	int home = -1, homes = 0;

	for (size_t i = 0; i < prof_nkeys; i++) {
		if (prof_keys[i].sect == ctx->sect) {
			cands[n++] = prof_keys[i].name;
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s%s", len ? ", " : "",
						prof_keys[i].name);
		} else if (!strcmp(prof_keys[i].name, key)) {
			home = (int)prof_keys[i].sect;
			homes++;
		}
	}
	if (ctx->sect == SECT_NONE) {
		if (homes == 1)
			prof_error(ctx, ctx->line, "%s: set before any section "
				   "(put it under [%s])", name,
				   prof_sect_name((enum prof_sect)home));
		else
			prof_error(ctx, ctx->line, "%s: set before any section "
				   "(start with a [section] header)", name);
		return;
	}
	if (homes == 1) {
		prof_error(ctx, ctx->line, "%s: unknown key in [%s] (it belongs "
			   "in [%s%s])", name, ctx->header,
			   prof_sect_name((enum prof_sect)home),
			   home == SECT_DISK || home == SECT_NET ? ".NAME" : "");
		return;
	}
	near = prof_near(key, cands, n);
	if (near)
		prof_error(ctx, ctx->line, "%s: unknown key in [%s] (did you "
			   "mean %s?)", name, ctx->header, near);
	else
		prof_error(ctx, ctx->line, "%s: unknown key in [%s] (use %s)",
			   name, ctx->header, list);
}

/* [disk.NAME] and [net.NAME]: a new device, or NULL after an error. */
static bool prof_device(struct prof_ctx *ctx, enum prof_sect sect,
			const char *header, const char *name)
{
	bool disk = sect == SECT_DISK;
	unsigned n = disk ? ctx->cfg->disks : ctx->cfg->nics;
	unsigned max = disk ? VM_DISKS_MAX : VM_NICS_MAX;
	unsigned *lines = disk ? ctx->disk_line : ctx->nic_line;
	size_t len = strlen(name);
	char q[PROF_QUOTE_MAX], h[PROF_QUOTE_MAX];

	if (len == 0) {
		prof_error(ctx, ctx->line, "[%s]: a %s section needs a name "
			   "(write [%s.NAME], e.g. [%s])", header,
			   disk ? "disk" : "net", disk ? "disk" : "net",
			   disk ? "disk.root" : "net.eth0");
		return false;
	}
	if (len >= VM_DEV_NAME_MAX || !prof_valid_name(name, len)) {
		prof_error(ctx, ctx->line, "[%s]: %s is not a valid %s name "
			   "(use up to %d letters, digits, '.', '_' and '-', "
			   "starting with a letter or digit)",
			   prof_word(header, h, sizeof(h)),
			   prof_quote(name, q, sizeof(q)),
			   disk ? "disk" : "net", VM_DEV_NAME_MAX - 1);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *other = disk ? ctx->cfg->disk[i].name :
				    ctx->cfg->nic[i].name;

		if (!strcmp(other, name)) {
			prof_error(ctx, ctx->line, "[%s]: duplicated section "
				   "(first on line %u; merge the two)", header,
				   lines[i]);
			return false;
		}
	}
	if (n >= max) {
		prof_error(ctx, ctx->line, "[%s]: more than %u %s (remove one)",
			   header, max,
			   disk ? "disks" : "network interfaces");
		return false;
	}
	lines[n] = ctx->line;
	ctx->dev = n;
	if (disk) {
		struct vm_disk_config *d = &ctx->cfg->disk[ctx->cfg->disks++];

		str_copy(d->name, name, sizeof(d->name));
		d->type = VM_DISK_VIRTIO_BLK;
		d->sectorsize = 512;
		d->cache = VM_CACHE_WRITEBACK;
	} else {
		struct vm_net_config *nic = &ctx->cfg->nic[ctx->cfg->nics++];

		str_copy(nic->name, name, sizeof(nic->name));
		nic->mode = VM_NET_USER;
		nic->mac_auto = true;
	}
	return true;
}

static void trim_blanks(char *s)
{
	size_t lead = strspn(s, " \t"), n = strlen(s);

	while (n > lead && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	memmove(s, s + lead, n - lead);
	s[n - lead] = '\0';
}

static const char *const prof_sections[] = {
	"vm", "boot", "serial", "rng", "disk", "net",
};

void prof_section(struct prof_ctx *ctx, const char *header)
{
	char q[PROF_QUOTE_MAX], w[PROF_QUOTE_MAX];
	const char *dot = strchr(header, '.'), *near;
	size_t plen = dot ? (size_t)(dot - header) : strlen(header);
	char prefix[PROF_NAME_MAX + 1];

	ctx->sect = SECT_IGNORED;
	str_copy(ctx->header, header, sizeof(ctx->header));
	snprintf(prefix, sizeof(prefix), "%.*s", (int)plen, header);
	for (int s = SECT_VM; s <= SECT_NET; s++) {
		if (strcmp(prefix, sect_names[s]))
			continue;
		if (s == SECT_DISK || s == SECT_NET) {
			if (prof_device(ctx, (enum prof_sect)s, header,
					dot ? dot + 1 : ""))
				ctx->sect = (enum prof_sect)s;
			return;
		}
		if (dot)
			break;	/* [vm.x]: unknown */
		if (ctx->sect_line[s]) {
			prof_error(ctx, ctx->line, "[%s]: duplicated section "
				   "(first on line %u; merge the two)", header,
				   ctx->sect_line[s]);
			return;
		}
		ctx->sect_line[s] = ctx->line;
		ctx->sect = (enum prof_sect)s;
		return;
	}
	trim_blanks(prefix);	/* "[ vm ]": libinih keeps the blanks */
	near = prof_near(prefix, prof_sections, ARRAY_SIZE(prof_sections));
	if (near && dot && !strcmp(near, prefix))
		near = NULL;	/* [vm.x]: the prefix was right */
	if (near && (!strcmp(near, "disk") || !strcmp(near, "net")))
		prof_error(ctx, ctx->line, "[%s]: unknown section (did you "
			   "mean [%s.%s]?)", prof_word(header, q, sizeof(q)),
			   near, dot && prof_word(dot + 1, w, sizeof(w)) ==
			   dot + 1 ? dot + 1 : "NAME");
	else if (near && !dot)
		prof_error(ctx, ctx->line, "[%s]: unknown section (did you "
			   "mean [%s]?)", prof_word(header, q, sizeof(q)), near);
	else
		prof_error(ctx, ctx->line, "[%s]: unknown section (use [vm], "
			   "[boot], [serial], [disk.NAME], [net.NAME] or [rng])",
			   prof_word(header, q, sizeof(q)));
}
