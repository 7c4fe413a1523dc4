/* profile-doc.h - a profile as text: every line kept, keys read and changed in place, saved atomically. */
#ifndef HYVE_PROFILE_DOC_H
#define HYVE_PROFILE_DOC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A profile document keeps the file's bytes line by line and understands
 * them the way libinih 55 does (sections, "key = value" and "key: value",
 * ';'/'#' comment lines, inline "; comments" after whitespace, indented
 * lines continuing the key above, a UTF-8 BOM). Edits touch only the lines
 * of the keys they change:
 *  - a changed key keeps its indentation, spacing, inline comment (whose
 *    column is kept when the value's length allows) and line ending; its
 *    continuation lines are replaced;
 *  - a new key goes right after the last key line (or continuation) of its
 *    section, so comment and blank lines that close the section stay in
 *    front of the next section; in a section without keys it goes right
 *    after the [section] line;
 *  - a new section goes at the end of the file, after a blank line;
 *  - new lines use the file's line ending (CRLF files stay CRLF).
 * Functions that take err fill it (VM_ERR_MAX bytes) when they fail.
 */
struct profile_doc;

/* libinih 55 reads at most 198 bytes a line (its 200-byte buffer also
 * holds the newline and a NUL; profile.c checks the same) and names of 49. */
#define PROFILE_DOC_LINE_MAX	198
#define PROFILE_DOC_NAME_MAX	49

/* Flags for profile_doc_set. */
enum {
	/* Too long for one line: continue on indented lines, breaking at
	 * single spaces (for cmdline, whose continuations join with spaces). */
	PROFILE_DOC_WRAP = 1 << 0,
};

/* Reads path; remembers what was on disk for profile_doc_save. 0 or -errno. */
int profile_doc_load(struct profile_doc **out, const char *path, char *err);
/* A document for a file that must not exist yet (the save creates it). */
int profile_doc_new(struct profile_doc **out, const char *path,
		    const char *text, char *err);
void profile_doc_free(struct profile_doc *doc);

const char *profile_doc_path(const struct profile_doc *doc);
/* The whole text as it would be saved (malloc'd, NUL-terminated). */
char *profile_doc_text(const struct profile_doc *doc, size_t *len);

/*
 * The value of the first key in section (continuation lines joined with
 * single spaces, as the loader joins cmdline), malloc'd; NULL if absent.
 */
char *profile_doc_get(const struct profile_doc *doc, const char *section,
		      const char *key);
/*
 * Every value of a repeatable key (forward) in file order, joined with sep,
 * malloc'd; NULL if absent.
 */
char *profile_doc_get_all(const struct profile_doc *doc, const char *section,
			  const char *key, const char *sep);
/* How many times key appears in section. */
unsigned profile_doc_count(const struct profile_doc *doc, const char *section,
			   const char *key);

/*
 * Sets key in section to value: the first such key line is changed in
 * place (later duplicates are left alone), else the key is added (and the
 * section, if it is missing). Values that would not read back the same are
 * refused with -EINVAL: line breaks, leading or trailing blanks, a ';'
 * at the start or after a blank (libinih takes it for a comment), control
 * characters, or a line longer than libinih reads (without
 * PROFILE_DOC_WRAP). Names must be [A-Za-z0-9._-]+, at most 49 bytes.
 */
int profile_doc_set(struct profile_doc *doc, const char *section,
		    const char *key, const char *value, unsigned flags,
		    char *err);
/* Adds one more key line after section's last key (repeatable keys), with
 * the same checks as profile_doc_set. */
int profile_doc_add(struct profile_doc *doc, const char *section,
		    const char *key, const char *value, unsigned flags,
		    char *err);
/* Removes every key line (and continuation) of key; returns how many. */
unsigned profile_doc_remove(struct profile_doc *doc, const char *section,
			    const char *key);
/*
 * Removes every [section] (libinih merges repeats) with what belongs to
 * it: the comment lines right above its header (no blank line between),
 * and every line after the header up to the next header - keys,
 * continuations, comments, blank and unreadable lines - except the comment
 * lines right above that next header, which belong to it. A blank line
 * before the removed lines goes too when it would end the file or double a
 * blank line. Lines before the first header are never touched. An
 * indented header after the removed lines loses its indentation (else
 * libinih would read it as a continuation of the key before). Returns how
 * many headers were removed.
 */
unsigned profile_doc_remove_section(struct profile_doc *doc,
				    const char *section);
/* Adds [section] at the end unless it exists. 0 or -EINVAL. */
int profile_doc_add_section(struct profile_doc *doc, const char *section,
			    char *err);
bool profile_doc_has_section(const struct profile_doc *doc,
			     const char *section);

/*
 * Saves in place. Refuses (-ESTALE) when the file changed on disk since it
 * was loaded or saved (inode, size, mtime or content) or was removed, and
 * (-EEXIST) when a new document's file appeared meanwhile. On the first
 * save of a profile without a [vm] uuid, a random one is added; an
 * existing uuid is never changed. The write is atomic (see safe-file.h).
 */
int profile_doc_save(struct profile_doc *doc, char *err);

/* A fresh random uuid, lower case, in out (at least 37 bytes). */
void profile_doc_new_uuid(char *out);

#endif
