/* profile-doc-internal.h - the line model shared by profile-doc.c (editing) and profile-doc-save.c (disk). */
#ifndef HYVE_PROFILE_DOC_INTERNAL_H
#define HYVE_PROFILE_DOC_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "profiles/profile-doc.h"

#define DOC_NONE	((size_t)-1)

/* What libinih makes of a line. */
enum doc_kind {
	DOC_BLANK,
	DOC_COMMENT,	/* ';' or '#' first */
	DOC_SECTION,	/* [name] */
	DOC_KEY,	/* name = value  or  name: value */
	DOC_CONT,	/* indented: continues the key above */
	DOC_OTHER,	/* a syntax error, kept as it is */
};

struct doc_line {
	char *text;		/* without the line ending; NUL-terminated */
	size_t len;
	const char *eol;	/* "\n", "\r\n", or "" on a last unterminated line */
	/* Filled by doc_classify after every change: */
	enum doc_kind kind;
	size_t section;		/* the [section] line above, DOC_NONE: none */
	size_t owner;		/* DOC_CONT: the key line continued */
	size_t name_off, name_len;	/* DOC_SECTION, DOC_KEY */
	size_t delim;		/* DOC_KEY: the '=' or ':' */
	size_t val_off, val_len;	/* DOC_KEY, DOC_CONT */
	size_t comment;		/* DOC_KEY: the inline ';', DOC_NONE: none */
};

/* What the file held when it was loaded or last saved. */
struct doc_disk {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *text;
	size_t len;
};

struct profile_doc {
	char path[PATH_MAX];		/* as given, for messages */
	char write_path[PATH_MAX];	/* symlinks resolved */
	struct doc_line *line;
	size_t nlines, cap;
	const char *eol;		/* for new lines */
	bool on_disk;			/* disk below is valid */
	struct doc_disk disk;
};

/* Splits text into doc's lines (doc must be empty). 0 or -errno. */
int doc_parse_text(struct profile_doc *doc, const char *text, size_t len,
		   char *err);

#endif
