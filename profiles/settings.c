/* settings.c - reads hyve.ini ([keys] prefix) with libinih; problems reported as file:line like profiles. */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/settings.h"
#include "vmm/compat.h"

#define KEY_SPEC_HINT "use C- or ^ with a letter or one of \\ ] ^ _, e.g. C-a"

void settings_defaults(struct hyve_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->prefix = SETTINGS_DEFAULT_PREFIX;
}

int settings_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/hyve/hyve.ini", xdg);
	else if (home && home[0])
		n = snprintf(buf, size, "%s/.config/hyve/hyve.ini", home);
	else
		return -ENOENT;
	return n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* Control keys that cannot be the prefix, and why. */
static const struct {
	unsigned char byte;
	const char *is;
} key_spec_reserved[] = {
	{ 0x1b, "Escape, which starts every arrow and function key" },
	{ 0x0d, "Enter" },
	{ 0x09, "Tab" },
};

int key_spec_parse(const char *spec, unsigned char *byte, char *why,
		   size_t why_size)
{
	const char *k;
	unsigned char c;

	if (!spec[0])
		return err_set(why, why_size, -EINVAL, "empty (%s)",
			       KEY_SPEC_HINT);
	if ((spec[0] == 'C' || spec[0] == 'c') && spec[1] == '-')
		k = spec + 2;
	else if (spec[0] == '^')
		k = spec + 1;
	else
		k = NULL;
	if (!k || !k[0] || k[1] || !strchr("abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_",
					   k[0]))
		return err_set(why, why_size, -EINVAL, "\"%s\" is not a "
			       "control key (%s)", spec, KEY_SPEC_HINT);
	c = (unsigned char)k[0] & 0x1f;
	for (size_t i = 0; i < ARRAY_SIZE(key_spec_reserved); i++)
		if (key_spec_reserved[i].byte == c)
			return err_set(why, why_size, -EINVAL, "\"%s\" is %s "
				       "(choose another, e.g. C-a)", spec,
				       key_spec_reserved[i].is);
	*byte = c;
	return 0;
}

const char *key_spec_name(unsigned char byte, char buf[8])
{
	if (byte < 0x20)
		snprintf(buf, 8, "C-%c", byte >= 1 && byte <= 26 ?
			 'a' + byte - 1 : byte | 0x40);
	else if (byte == 0x7f)
		snprintf(buf, 8, "C-?");
	else
		snprintf(buf, 8, "%c", byte);
	return buf;
}

struct settings_ctx {
	const char *path;
	struct hyve_settings *s;
	struct profile_errors *errs;
	FILE *f;
	unsigned lines_read;
	bool last_indented;
	unsigned prefix_line;
};

static void settings_error(struct settings_ctx *ctx, unsigned line,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* hyve.ini's problems of the whole file name no line (not line 0). */
static void settings_error(struct settings_ctx *ctx, unsigned line,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	profile_errors_vadd(ctx->errs, ctx->path, line ? line : PROFILE_NO_LINE,
			    fmt, ap);
	va_end(ap);
}

static void settings_prefix(struct settings_ctx *ctx, const char *value)
{
	char why[256];
	unsigned char byte;

	if (ctx->prefix_line) {
		settings_error(ctx, ctx->lines_read, "prefix: duplicated key "
			       "(first set on line %u; keep one)",
			       ctx->prefix_line);
		return;
	}
	ctx->prefix_line = ctx->lines_read;
	if (key_spec_parse(value, &byte, why, sizeof(why)))
		settings_error(ctx, ctx->lines_read, "prefix: %s", why);
	else
		ctx->s->prefix = byte;
}

static int settings_handler(void *user, const char *section, const char *name,
			    const char *value)
{
	struct settings_ctx *ctx = user;
	unsigned line = ctx->lines_read;

	if (!name)
		return 1;	/* a bare [section] header */
	if (ctx->last_indented)
		settings_error(ctx, line, "%s: an indented line continues the "
			       "key above it, which no setting allows (remove "
			       "the indentation)", name);
	else if (strcmp(section, "keys"))
		settings_error(ctx, line, "[%s] is not a settings section "
			       "(known: [keys])", section);
	else if (strcmp(name, "prefix"))
		settings_error(ctx, line, "%s: unknown key in [keys] (known: "
			       "prefix)", name);
	else
		settings_prefix(ctx, value);
	return 1;
}

/* fgets for libinih that counts lines, so handlers know where they are. */
static char *settings_reader(char *buf, int size, void *stream)
{
	struct settings_ctx *ctx = stream;
	char *r = fgets(buf, size, ctx->f);

	if (r) {
		ctx->lines_read++;
		ctx->last_indented = (buf[0] == ' ' || buf[0] == '\t') &&
				     buf[strspn(buf, " \t\r\n")] != '\0';
	}
	return r;
}

int settings_load(const char *path, struct hyve_settings *s,
		  struct profile_errors *errs)
{
	struct settings_ctx ctx = { .path = path, .s = s, .errs = errs };
	int rc;

	memset(errs, 0, sizeof(*errs));
	settings_defaults(s);
	ctx.f = fopen(path, "r");
	if (!ctx.f) {
		if (errno != ENOENT)
			settings_error(&ctx, 0, "%s", strerror(errno));
		return (int)errs->count;
	}
	rc = ini_parse_stream(settings_reader, &ctx, settings_handler, &ctx);
	fclose(ctx.f);
	if (rc > 0)
		settings_error(&ctx, (unsigned)rc, "syntax error (expected "
			       "[section] or key = value)");
	else if (rc < 0)
		settings_error(&ctx, 0, "cannot be read");
	return (int)errs->count;
}
