/* profile.c - reads a VM profile: lines checked here, split by libinih, keys by the schema; every problem reported as file:line. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/schema.h"
#include "vmm/compat.h"

void prof_error(struct prof_ctx *ctx, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	profile_errors_vadd(ctx->errs, ctx->path, line, fmt, ap);
	va_end(ap);
}

/* ---- Lines, before libinih sees them ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* libinih's rule: up to one of chars, or a ';' after a space (a comment). */
static const char *find_chars_or_comment(const char *s, const char *end,
					 const char *chars)
{
	bool was_space = false;

	for (; s < end; s++) {
		if (strchr(chars, *s) || (was_space && *s == ';'))
			break;
		was_space = is_blank(*s);
	}
	return s;
}

/* The first control character (tab aside) in line, or NULL. */
static const char *find_control(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			return line + i;
	return NULL;
}

/*
 * A [section] header (s points at '['): true when libinih can have it.
 * A header that is broken still ends the section before it.
 */
static bool check_header(struct prof_ctx *ctx, const char *s,
			 const char *end)
{
	const char *close = find_chars_or_comment(s + 1, end, "]");
	const char *after;
	char name[PROF_NAME_MAX + 1], q[PROF_QUOTE_MAX], raw[256];
	size_t n;

	snprintf(raw, sizeof(raw), "%.*s", (int)MIN(end - s, 200), s);
	ctx->sect = SECT_IGNORED;
	if (close == end || *close != ']') {
		prof_error(ctx, ctx->line, "%s has no closing ] (write "
			   "[NAME])", prof_quote(raw, q, sizeof(q)));
		return false;
	}
	n = (size_t)(close - s - 1);
	if (n > PROF_NAME_MAX) {
		prof_error(ctx, ctx->line, "section name longer than %d "
			   "characters (no section has such a name)",
			   PROF_NAME_MAX);
		return false;
	}
	memcpy(name, s + 1, n);
	name[n] = '\0';
	prof_section(ctx, name);
	after = close + 1;
	while (after < end && is_blank(*after))
		after++;
	if (after < end && *after != ';' && *after != '#')
		prof_error(ctx, ctx->line, "text after the section header "
			   "%s (remove it, or start a comment with ;)",
			   prof_quote(raw, q, sizeof(q)));
	return true;
}

/* A key = value line (s at its first non-blank): true when valid. */
static bool check_key_line(struct prof_ctx *ctx, const char *s,
			   const char *end)
{
	const char *sep = find_chars_or_comment(s, end, "=:");
	const char *name_end = sep;
	char q[PROF_QUOTE_MAX], raw[256];

	ctx->last_key = -1;
	if (sep == end || (*sep != '=' && *sep != ':')) {
		snprintf(raw, sizeof(raw), "%.*s", (int)MIN(end - s, 200), s);
		prof_error(ctx, ctx->line, "%s is neither [section] nor key = "
			   "value (fix it, or comment it out with ;)",
			   prof_quote(raw, q, sizeof(q)));
		return false;
	}
	while (name_end > s && is_blank(name_end[-1]))
		name_end--;
	if (name_end - s > PROF_NAME_MAX) {
		prof_error(ctx, ctx->line, "key name longer than %d "
			   "characters (no key has such a name)",
			   PROF_NAME_MAX);
		return false;
	}
	ctx->prev_key = name_end > s;
	return true;
}

/*
 * Sorts one line (without its newline) and reports what libinih would
 * get wrong or not say. Returns what to give libinih: the line itself,
 * "" for a line to skip, or "[]" for a broken header.
 */
static const char *check_line(struct prof_ctx *ctx, const char *line,
			      size_t *n, size_t max)
{
	const char *end = line + *n, *s = line, *bad;

	ctx->kind = LINE_OTHER;
	if (*n > max) {
		prof_error(ctx, ctx->line, "line longer than %zu bytes (%zu); "
			   "continue a long cmdline on indented lines, and "
			   "shorten anything else", max, *n);
		return "";
	}
	bad = find_control(line, *n);
	if (bad) {
		prof_error(ctx, ctx->line, "the line holds a control "
			   "character, byte \\x%02x (remove it: a profile is "
			   "text)", (unsigned char)*bad);
		return "";
	}
	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s == ';' || *s == '#')
		return line;
	if (s > line && ctx->prev_key) {
		ctx->kind = LINE_CONT;
		return line;
	}
	if (*s == '[') {
		ctx->prev_key = false;
		ctx->last_key = -1;
		return check_header(ctx, s, end) ? line : "[]";
	}
	if (!check_key_line(ctx, s, end))
		return "";
	ctx->kind = LINE_KEY;
	return line;
}

/* libinih's fgets: one line of ctx->text per call, checked first. */
static char *profile_reader(char *buf, int size, void *stream)
{
	struct prof_ctx *ctx = stream;
	const char *line = ctx->text + ctx->pos, *nl, *give;
	size_t n;

	if (ctx->pos >= ctx->len || size < 4)
		return NULL;
	nl = memchr(line, '\n', ctx->len - ctx->pos);
	n = nl ? (size_t)(nl - line) : ctx->len - ctx->pos;
	ctx->pos += n + (nl != NULL);
	ctx->line++;
	if (n && line[n - 1] == '\r')
		n--;
	if (ctx->line == 1 && n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;	/* a UTF-8 byte order mark */
		n -= 3;
	}
	give = check_line(ctx, line, &n, (size_t)size - 2);
	if (give != line)
		n = strlen(give);
	memcpy(buf, give, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return buf;
}

/* ---- Keys, as libinih splits them ---- */

/* An indented line continues the key above it: only cmdline may. */
static void profile_continue(struct prof_ctx *ctx, const char *value)
{
	const struct prof_key *k;
	const char *cut;
	char *field;
	size_t len, vlen;

	if (ctx->last_key < 0)
		return;		/* the key above was already reported */
	k = &prof_keys[ctx->last_key];
	if (!prof_is_text(k)) {
		prof_error(ctx, ctx->line, "%s: an indented line continues the "
			   "key above it, and only cmdline may be continued "
			   "(remove the indentation)", k->name);
		ctx->last_key = -1;
		return;
	}
	/* libinih 55 keeps a " ; comment" on a continued line: cut it */
	cut = find_chars_or_comment(value, value + strlen(value), "");
	while (cut > value && is_blank(cut[-1]))
		cut--;
	vlen = (size_t)(cut - value);
	field = prof_field(ctx, k);
	len = strlen(field);
	if (len + 1 + vlen >= k->size) {
		prof_error(ctx, ctx->line, "%s: longer than %zu characters "
			   "(shorten it)", k->name, k->size - 1);
		ctx->last_key = -1;
		return;
	}
	if (len)
		field[len++] = ' ';
	memcpy(field + len, value, vlen);
	field[len + vlen] = '\0';
}

static void profile_key(struct prof_ctx *ctx, const char *name,
			const char *value)
{
	const struct prof_key *k;
	unsigned *seen;
	int i;

	if (!*name) {
		prof_error(ctx, ctx->line, "a value without a key name (write "
			   "key = value)");
		return;
	}
	if (ctx->sect == SECT_IGNORED)
		return;		/* the header was reported */
	i = ctx->sect == SECT_NONE ? -1 : prof_key_find(ctx->sect, name);
	if (i < 0) {
		prof_unknown_key(ctx, name);
		return;
	}
	k = &prof_keys[i];
	seen = &ctx->key_line[prof_obj(ctx)][i];
	if (*seen && !prof_is_repeatable(k)) {
		prof_error(ctx, ctx->line, "%s: duplicated key (first set on "
			   "line %u; keep one)", name, *seen);
		return;
	}
	if (!*seen)
		*seen = ctx->line;
	if (!*value && !prof_is_text(k)) {
		prof_error(ctx, ctx->line, "%s: no value (give one, or remove "
			   "the line for the default)", name);
		return;
	}
	ctx->last_key = i;
	k->parse(ctx, k, value, prof_field(ctx, k));
}

static int profile_handler(void *user, const char *section, const char *name,
			   const char *value)
{
	struct prof_ctx *ctx = user;

	if (ctx->kind == LINE_CONT)
		profile_continue(ctx, value);
	else if (ctx->kind == LINE_KEY)
		profile_key(ctx, name, value);
	return 1;
}

static void profile_default_name(struct prof_ctx *ctx)
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

struct error_line {
	unsigned line;
	const char *s;
	size_t len;
};

static int error_line_cmp(const void *a, const void *b)
{
	const struct error_line *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->s < y->s ? -1 : x->s > y->s;	/* stable: keep found order */
}

/* Puts the messages in line order, the file's problems (line 0) first. */
static void sort_errors(struct profile_errors *e, size_t path_len)
{
	struct strbuf sorted = { 0 };
	struct error_line *v;
	size_t n = 0;

	if (!e->lines.s || e->lines.oom)
		return;
	v = calloc(e->count, sizeof(*v));
	if (!v)
		return;		/* unsorted is still complete */
	for (char *p = e->lines.s; *p && n < e->count; n++) {
		v[n].s = p;
		v[n].len = strcspn(p, "\n") + 1;
		v[n].line = (unsigned)strtoul(p + path_len + 1, NULL, 10);
		p += v[n].len;
	}
	qsort(v, n, sizeof(*v), error_line_cmp);
	for (size_t i = 0; i < n; i++)
		strbuf_add(&sorted, v[i].s, v[i].len);
	free(v);
	if (sorted.oom) {
		free(sorted.s);
		return;
	}
	free(e->lines.s);
	e->lines = sorted;
}

int profile_load_text(const char *path, const char *text, size_t len,
		      unsigned flags, struct vm_config *cfg,
		      struct profile_errors *errs)
{
	struct prof_ctx *ctx = calloc(1, sizeof(*ctx));
	char tmp[PATH_MAX];
	int rc;

	memset(errs, 0, sizeof(*errs));
	vm_config_defaults(cfg);
	if (!ctx) {
		errs->count = 1;
		errs->lines.oom = true;
		return 1;
	}
	*ctx = (struct prof_ctx){
		.path = path, .flags = flags, .cfg = cfg, .errs = errs,
		.text = text, .len = len, .last_key = -1,
	};
	str_copy(tmp, path, sizeof(tmp));
	str_copy(ctx->dir, dirname(tmp), sizeof(ctx->dir));
	profile_default_name(ctx);
	if (len > PROFILE_SIZE_MAX) {
		prof_error(ctx, 0, "larger than %uK: not a profile (give the "
			   ".ini file)", PROFILE_SIZE_MAX >> 10);
		rc = (int)errs->count;
		free(ctx);
		return rc;
	}
	if (len >= 2 && (!memcmp(text, "\xff\xfe", 2) ||
			 !memcmp(text, "\xfe\xff", 2))) {
		prof_error(ctx, 0, "the file is UTF-16 text (save it as UTF-8)");
		rc = (int)errs->count;
		free(ctx);
		return rc;
	}
	rc = ini_parse_stream(profile_reader, ctx, profile_handler, ctx);
	if (rc > 0)	/* check_line lets through only what libinih takes */
		prof_error(ctx, (unsigned)rc, "syntax error (expected "
			   "[section] or key = value)");
	else if (rc < 0)
		prof_error(ctx, 0, "out of memory while reading");
	prof_validate(ctx);
	sort_errors(errs, strlen(path));
	rc = (int)errs->count;
	free(ctx);
	return rc;
}

int profile_load(const char *path, struct vm_config *cfg,
		 struct profile_errors *errs)
{
	return profile_load_file(path, 0, cfg, errs);
}

int profile_load_file(const char *path, unsigned flags, struct vm_config *cfg,
		      struct profile_errors *errs)
{
	struct strbuf text = { 0 };
	char buf[16384];
	size_t got;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		struct prof_ctx ctx = { .path = path, .errs = errs };

		rc = errno;
		memset(errs, 0, sizeof(*errs));
		vm_config_defaults(cfg);
		prof_error(&ctx, 0, "cannot be read: %s (check the file name)",
			   strerror(rc));
		return 1;
	}
	do {
		got = fread(buf, 1, sizeof(buf), f);
		strbuf_add(&text, buf, got);
	} while (got == sizeof(buf) && text.len <= PROFILE_SIZE_MAX);
	rc = ferror(f) ? (errno ? errno : EIO) : text.oom ? ENOMEM : 0;
	fclose(f);
	if (rc) {
		struct prof_ctx ctx = { .path = path, .errs = errs };

		free(text.s);
		memset(errs, 0, sizeof(*errs));
		vm_config_defaults(cfg);
		prof_error(&ctx, 0, "cannot be read: %s", strerror(rc));
		return 1;
	}
	rc = profile_load_text(path, text.s ? text.s : "", text.len, flags,
			       cfg, errs);
	free(text.s);
	return rc;
}
