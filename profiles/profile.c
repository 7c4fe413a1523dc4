/* profile.c - reads a VM profile with libinih, table-driven keys, every problem reported as file:line. */
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profiles/profile.h"
#include "vmm/compat.h"

struct profile_ctx;

struct profile_key {
	const char *section;
	const char *name;
	int (*parse)(struct profile_ctx *ctx, const struct profile_key *k,
		     const char *value);
	const char *hint;
};

struct profile_ctx {
	const char *path;
	char dir[PATH_MAX];
	struct vm_config *cfg;
	struct profile_errors *errs;
	unsigned line;		/* line of the key being handled */
	unsigned lines_read;
	bool last_indented;	/* the line just read continues the previous */
	unsigned kernel_line;
	unsigned key_line[16];	/* line of each profile_keys entry, 0: unseen */
	int last_key;		/* index of the key handled last, -1: none */
	FILE *f;
};

static void profile_error(struct profile_ctx *ctx, unsigned line,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void profile_error(struct profile_ctx *ctx, unsigned line,
			  const char *fmt, ...)
{
	struct profile_errors *e = ctx->errs;
	char msg[1024], at[16] = " ";
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(at, sizeof(at), "%u: ", line);
	n = asprintf(&t, "%s:%s%s\n", ctx->path, at, msg);
	if (n < 0)
		return;
	strbuf_add(&e->lines, t, (size_t)n);
	free(t);
	e->count++;
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

static int parse_name(struct profile_ctx *ctx, const struct profile_key *k,
		      const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len >= sizeof(ctx->cfg->name) ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789._-") != len)
		return -EINVAL;
	str_copy(ctx->cfg->name, v, sizeof(ctx->cfg->name));
	return 0;
}

static int parse_cpus(struct profile_ctx *ctx, const struct profile_key *k,
		      const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > VM_MAX_CPUS)
		return -EINVAL;
	ctx->cfg->cpus = (unsigned)n;
	return 0;
}

static int parse_memory(struct profile_ctx *ctx, const struct profile_key *k,
			const char *v)
{
	unsigned long long n;

	if (profile_parse_size(v, &n) || n < VM_MEMORY_MIN ||
	    n > VM_MEMORY_MAX || n % 4096)
		return -EINVAL;
	ctx->cfg->memory = n;
	return 0;
}

static int parse_on_reboot(struct profile_ctx *ctx,
			   const struct profile_key *k, const char *v)
{
	if (strcmp(v, "restart") == 0)
		ctx->cfg->on_reboot = VM_REBOOT_RESTART;
	else if (strcmp(v, "exit") == 0)
		ctx->cfg->on_reboot = VM_REBOOT_EXIT;
	else
		return -EINVAL;
	return 0;
}

static int parse_path(struct profile_ctx *ctx, char *dst, const char *v)
{
	int n;

	if (!*v)
		return -EINVAL;
	if (v[0] == '/')
		n = snprintf(dst, PATH_MAX, "%s", v);
	else
		n = snprintf(dst, PATH_MAX, "%s/%s", ctx->dir, v);
	return n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

static int parse_kernel(struct profile_ctx *ctx, const struct profile_key *k,
			const char *v)
{
	ctx->kernel_line = ctx->line;
	return parse_path(ctx, ctx->cfg->kernel, v);
}

static int parse_initrd(struct profile_ctx *ctx, const struct profile_key *k,
			const char *v)
{
	struct stat st;
	int rc = parse_path(ctx, ctx->cfg->initrd, v);

	if (rc == 0 && stat(ctx->cfg->initrd, &st) < 0) {
		profile_error(ctx, ctx->line, "initrd: %s: %s (fix the path or "
			      "remove the key)", ctx->cfg->initrd,
			      strerror(errno));
		return 0;
	}
	return rc;
}

static int parse_cmdline(struct profile_ctx *ctx, const struct profile_key *k,
			 const char *v)
{
	return str_copy(ctx->cfg->cmdline, v, sizeof(ctx->cfg->cmdline)) <
	       sizeof(ctx->cfg->cmdline) ? 0 : -E2BIG;
}

static const struct profile_key profile_keys[] = {
	{ "vm", "name", parse_name, "use letters, digits, '.', '_' and '-'" },
	{ "vm", "cpus", parse_cpus, "use a number from 1 to 16" },
	{ "vm", "memory", parse_memory,
	  "use a size with a unit from 16M to 1T, e.g. 512M or 2G" },
	{ "vm", "on_reboot", parse_on_reboot, "use restart or exit" },
	{ "boot", "kernel", parse_kernel, "give the path of a bzImage" },
	{ "boot", "initrd", parse_initrd, "give the path of an initrd" },
	{ "boot", "cmdline", parse_cmdline, "at most 4095 characters" },
};

/* An indented line continues the key before it: only cmdline may. */
static void profile_continue(struct profile_ctx *ctx, const char *name,
			     const char *value)
{
	const struct profile_key *k = ctx->last_key >= 0 ?
		&profile_keys[ctx->last_key] : NULL;
	char *cmd = ctx->cfg->cmdline;
	size_t len = strlen(cmd);

	if (!k || strcmp(k->name, name) || k->parse != parse_cmdline) {
		profile_error(ctx, ctx->line, "%s: an indented line continues "
			      "the key above it, and only cmdline may be "
			      "continued (remove the indentation)", name);
		return;
	}
	if (len + 1 + strlen(value) >= sizeof(ctx->cfg->cmdline)) {
		profile_error(ctx, ctx->line, "cmdline: longer than %zu "
			      "characters", sizeof(ctx->cfg->cmdline) - 1);
		return;
	}
	cmd[len] = ' ';
	str_copy(cmd + len + 1, value, sizeof(ctx->cfg->cmdline) - len - 1);
}

_Static_assert(ARRAY_SIZE(profile_keys) <=
	       sizeof(((struct profile_ctx *)0)->key_line) / sizeof(unsigned),
	       "profile_ctx.key_line is too small for profile_keys");

static bool profile_known_section(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(profile_keys); i++)
		if (strcmp(profile_keys[i].section, section) == 0)
			return true;
	return false;
}

static int profile_handler(void *user, const char *section, const char *name,
			   const char *value)
{
	struct profile_ctx *ctx = user;

	ctx->line = ctx->lines_read;
	if (!name) {
		ctx->last_key = -1;
		return 1;	/* a bare [section] header */
	}
	if (ctx->last_indented) {
		profile_continue(ctx, name, value);
		return 1;
	}
	ctx->last_key = -1;
	if (!profile_known_section(section)) {
		profile_error(ctx, ctx->line, "[%s] is not a profile section "
			      "(known: [vm], [boot])", section);
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(profile_keys); i++) {
		const struct profile_key *k = &profile_keys[i];

		if (strcmp(k->section, section) || strcmp(k->name, name))
			continue;
		if (ctx->key_line[i]) {
			profile_error(ctx, ctx->line, "%s: duplicated key (first "
				      "set on line %u; keep one)", name,
				      ctx->key_line[i]);
			return 1;
		}
		ctx->key_line[i] = ctx->line;
		ctx->last_key = (int)i;
		if (k->parse(ctx, k, value))
			profile_error(ctx, ctx->line, "%s: \"%s\" is not valid "
				      "(%s)", name, value, k->hint);
		return 1;
	}
	profile_error(ctx, ctx->line, "%s: unknown key in [%s]", name, section);
	return 1;
}

/* fgets for libinih that counts lines, so handlers know where they are. */
static char *profile_reader(char *buf, int size, void *stream)
{
	struct profile_ctx *ctx = stream;
	char *r = fgets(buf, size, ctx->f);

	if (r) {
		ctx->lines_read++;
		ctx->last_indented = (buf[0] == ' ' || buf[0] == '\t') &&
				     buf[strspn(buf, " \t\r\n")] != '\0';
	}
	return r;
}

static void profile_check(struct profile_ctx *ctx)
{
	struct stat st;

	if (!ctx->cfg->kernel[0]) {
		profile_error(ctx, 0, "[boot] kernel is missing (add kernel = "
			      "PATH to a bzImage)");
		return;
	}
	if (stat(ctx->cfg->kernel, &st) < 0)
		profile_error(ctx, ctx->kernel_line, "kernel: %s: %s",
			      ctx->cfg->kernel, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		profile_error(ctx, ctx->kernel_line,
			      "kernel: %s: not a regular file", ctx->cfg->kernel);
}

static void profile_default_name(struct profile_ctx *ctx)
{
	char base[PATH_MAX];
	char *b, *dot;

	str_copy(base, ctx->path, sizeof(base));
	b = basename(base);
	dot = strrchr(b, '.');
	if (dot && strcmp(dot, ".ini") == 0)
		*dot = '\0';
	str_copy(ctx->cfg->name, b, sizeof(ctx->cfg->name));
}

int profile_load(const char *path, struct vm_config *cfg,
		 struct profile_errors *errs)
{
	struct profile_ctx ctx = {
		.path = path, .cfg = cfg, .errs = errs, .last_key = -1,
	};
	char tmp[PATH_MAX];
	int rc;

	memset(errs, 0, sizeof(*errs));
	vm_config_defaults(cfg);
	ctx.f = fopen(path, "r");
	if (!ctx.f) {
		profile_error(&ctx, 0, "%s", strerror(errno));
		return (int)errs->count;
	}
	str_copy(tmp, path, sizeof(tmp));
	str_copy(ctx.dir, dirname(tmp), sizeof(ctx.dir));
	profile_default_name(&ctx);
	rc = ini_parse_stream(profile_reader, &ctx, profile_handler, &ctx);
	fclose(ctx.f);
	if (rc > 0)
		profile_error(&ctx, (unsigned)rc, "syntax error (expected "
			      "[section] or key = value)");
	else if (rc < 0)
		profile_error(&ctx, 0, "cannot be read");
	profile_check(&ctx);
	return (int)errs->count;
}

void profile_errors_free(struct profile_errors *errs)
{
	free(errs->lines.s);
	memset(errs, 0, sizeof(*errs));
}
