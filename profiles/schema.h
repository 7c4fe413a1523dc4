/* schema.h - inside the profile loader: the key table, the parse context, and helpers shared by profile.c, schema.c and validate.c. */
#ifndef HYVE_PROFILES_SCHEMA_H
#define HYVE_PROFILES_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profiles/profile.h"

#define PROF_NAME_MAX	49	/* libinih keeps 49 bytes of a section name */
#define PROF_KEYS_MAX	40	/* room in prof_ctx.key_line */
/* key_line objects: 0 = [vm] [boot] [serial] [rng], then disks, then NICs */
#define PROF_OBJS	(1 + VM_DISKS_MAX + VM_NICS_MAX)

enum prof_sect {
	SECT_NONE,	/* before the first header */
	SECT_VM, SECT_BOOT, SECT_SERIAL, SECT_RNG, SECT_DISK, SECT_NET,
	SECT_IGNORED,	/* a broken or surplus section: its keys are skipped */
	SECT_COUNT
};

struct prof_ctx;
struct prof_key;

/* Parses value into field (inside cfg, a disk or a NIC); reports itself. */
typedef void prof_parse_fn(struct prof_ctx *ctx, const struct prof_key *k,
			   const char *value, void *field);

struct prof_choice {
	const char *word;
	unsigned value;
};

struct prof_key {
	enum prof_sect sect;
	const char *name;
	prof_parse_fn *parse;
	size_t off, size;	/* the field; size 0: nothing is stored */
	uint64_t min, max;	/* numbers and sizes */
	const struct prof_choice *choices;	/* { NULL } terminated */
	const char *what;	/* "a disk type", or a range hint */
};

extern const struct prof_key prof_keys[];
extern const size_t prof_nkeys;

enum prof_line_kind { LINE_OTHER, LINE_KEY, LINE_CONT };

struct prof_ctx {
	const char *path;		/* as given: starts every message */
	char dir[PATH_MAX];		/* relative paths start here */
	unsigned flags;			/* PROFILE_* */
	struct vm_config *cfg;
	struct profile_errors *errs;

	/* the reader: the line libinih is handling */
	const char *text;
	size_t len, pos;
	unsigned line;
	enum prof_line_kind kind;
	bool prev_key;		/* libinih continues a key on indented lines */
	int last_key;		/* prof_keys index an indented line continues */

	/* the section being read */
	enum prof_sect sect;
	unsigned dev;			/* disk or NIC index */
	char header[PROF_NAME_MAX + 1];	/* its name, as in [disk.root] */
	unsigned sect_line[SECT_COUNT];	/* header line of [vm] [boot] ... */
	unsigned disk_line[VM_DISKS_MAX], nic_line[VM_NICS_MAX];

	unsigned key_line[PROF_OBJS][PROF_KEYS_MAX];	/* 0: not set */
	unsigned forward_line[VM_NICS_MAX][VM_FORWARDS_MAX];
};

void prof_error(struct prof_ctx *ctx, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* value in double quotes, unprintable bytes as \xNN, long ones cut short. */
const char *prof_quote(const char *value, char *buf, size_t size);
#define PROF_QUOTE_MAX	96

/* s itself when it is plain printable ASCII, else prof_quote(s). */
const char *prof_word(const char *s, char *buf, size_t size);

/* The candidate nearest to word (at most two edits), or NULL. */
const char *prof_near(const char *word, const char *const *cands, size_t n);

/* "16G", "1536M", "512K" or "4097" bytes: the largest exact unit. */
void prof_fmt_size(uint64_t v, char *buf, size_t size);

/* [A-Za-z0-9._-], starting with a letter or digit. */
bool prof_valid_name(const char *s, size_t len);

/* The schema: key lookup and the section a key belongs to. */
int prof_key_find(enum prof_sect sect, const char *name);
const char *prof_sect_name(enum prof_sect sect);
void prof_unknown_key(struct prof_ctx *ctx, const char *name);
void *prof_field(struct prof_ctx *ctx, const struct prof_key *k);
unsigned prof_obj(const struct prof_ctx *ctx);
bool prof_is_text(const struct prof_key *k);
bool prof_is_repeatable(const struct prof_key *k);
/* The line where key name of sect was set for object obj, 0: not set. */
unsigned prof_key_line(const struct prof_ctx *ctx, unsigned obj,
		       enum prof_sect sect, const char *name);

/* A [section] header: sets ctx->sect and ctx->dev, reports problems. */
void prof_section(struct prof_ctx *ctx, const char *name);

/* After the whole file: missing keys, conflicts, the files named. */
void prof_validate(struct prof_ctx *ctx);

#endif
