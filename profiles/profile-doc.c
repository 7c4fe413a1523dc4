/* profile-doc.c - a profile as text: lines classified as libinih 55 reads them, keys read and changed in place. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile-doc-internal.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"

#define DOC_INDENT	"    "	/* for new continuation lines */

static bool is_blank(char c)
{
	return isspace((unsigned char)c);
}

/*
 * libinih's scan for one of chars or an inline comment (';' right after
 * whitespace) in t[from, end); returns its index, or end.
 */
static size_t doc_find(const char *t, size_t from, size_t end,
		       const char *chars)
{
	bool was_space = false;
	size_t i;

	for (i = from; i < end; i++) {
		if (chars && strchr(chars, t[i]))
			break;
		if (was_space && t[i] == ';')
			break;
		was_space = is_blank(t[i]);
	}
	return i;
}

static bool has_bom(const struct doc_line *l)
{
	return l->len >= 3 && !memcmp(l->text, "\xef\xbb\xbf", 3);
}

/* Reads one "name = value" line; false when it has no '=' or ':'. */
static bool doc_classify_key(struct doc_line *l, size_t start, size_t end)
{
	const char *t = l->text;
	size_t p = doc_find(t, start, end, "=:"), n, v, c;

	if (p == end || (t[p] != '=' && t[p] != ':'))
		return false;
	for (n = p; n > start && is_blank(t[n - 1]); n--)
		;
	c = doc_find(t, p + 1, end, NULL);
	for (v = p + 1; v < c && is_blank(t[v]); v++)
		;
	l->kind = DOC_KEY;
	l->name_off = start;
	l->name_len = n - start;
	l->delim = p;
	l->comment = c < end ? c : DOC_NONE;
	for (l->val_off = v; c > v && is_blank(t[c - 1]); c--)
		;
	l->val_len = c - v;
	return true;
}

/* Labels every line the way libinih 55's ini_parse_stream reads it. */
static void doc_classify(struct profile_doc *doc)
{
	size_t section = DOC_NONE, last_key = DOC_NONE;
	bool prev_name = false;

	for (size_t i = 0; i < doc->nlines; i++) {
		struct doc_line *l = &doc->line[i];
		const char *t = l->text;
		size_t start = i == 0 && has_bom(l) ? 3 : 0, end = l->len, p;

		while (end > start && is_blank(t[end - 1]))
			end--;
		while (start < end && is_blank(t[start]))
			start++;
		l->section = section;
		l->owner = DOC_NONE;
		l->kind = DOC_OTHER;
		if (start == end) {
			l->kind = DOC_BLANK;
		} else if (t[start] == ';' || t[start] == '#') {
			l->kind = DOC_COMMENT;
		} else if (prev_name && start > 0) {
			l->kind = DOC_CONT;
			l->owner = last_key;
			l->val_off = start;
			l->val_len = end - start;
		} else if (t[start] == '[') {
			p = doc_find(t, start + 1, end, "]");
			if (p < end && t[p] == ']') {
				l->kind = DOC_SECTION;
				l->name_off = start + 1;
				l->name_len = p - start - 1;
				section = i;
				l->section = i;
				prev_name = false;
			}
		} else if (doc_classify_key(l, start, end)) {
			prev_name = l->name_len > 0;
			last_key = i;
		}
	}
}

static bool span_is(const struct doc_line *l, size_t off, size_t len,
		    const char *s)
{
	return strlen(s) == len && !memcmp(l->text + off, s, len);
}

static bool doc_in_section(const struct profile_doc *doc,
			   const struct doc_line *l, const char *section)
{
	const struct doc_line *h;

	if (l->section == DOC_NONE)
		return false;
	h = &doc->line[l->section];
	return span_is(h, h->name_off, h->name_len, section);
}

static bool doc_is_key(const struct profile_doc *doc, size_t i,
		       const char *section, const char *key)
{
	const struct doc_line *l = &doc->line[i];

	return l->kind == DOC_KEY &&
	       span_is(l, l->name_off, l->name_len, key) &&
	       doc_in_section(doc, l, section);
}

static size_t doc_find_key(const struct profile_doc *doc, const char *section,
			   const char *key)
{
	for (size_t i = 0; i < doc->nlines; i++)
		if (doc_is_key(doc, i, section, key))
			return i;
	return DOC_NONE;
}

/* ---- Lines ---- */

static int doc_grow(struct profile_doc *doc, size_t n)
{
	struct doc_line *t;
	size_t cap;

	if (doc->nlines + n <= doc->cap)
		return 0;
	cap = doc->cap ? doc->cap : 32;
	while (cap < doc->nlines + n)
		cap *= 2;
	t = realloc(doc->line, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	doc->line = t;
	doc->cap = cap;
	return 0;
}

/* Inserts a line at index at (unclassified until doc_classify runs). */
static int doc_insert(struct profile_doc *doc, size_t at, const char *text,
		      size_t len, const char *eol)
{
	char *copy = malloc(len + 1);

	if (!copy || doc_grow(doc, 1)) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	memmove(&doc->line[at + 1], &doc->line[at],
		(doc->nlines - at) * sizeof(doc->line[0]));
	doc->line[at] = (struct doc_line){
		.text = copy, .len = len, .eol = eol,
	};
	doc->nlines++;
	/* The line before a new one must end. */
	if (at > 0 && !*doc->line[at - 1].eol) {
		doc->line[at - 1].eol = doc->eol;
		if (at + 1 == doc->nlines)
			doc->line[at].eol = "";
	}
	return 0;
}

static void doc_delete(struct profile_doc *doc, size_t at)
{
	const char *eol = doc->line[at].eol;

	free(doc->line[at].text);
	memmove(&doc->line[at], &doc->line[at + 1],
		(doc->nlines - at - 1) * sizeof(doc->line[0]));
	doc->nlines--;
	/* Deleting an unterminated last line: the new last one ends alike. */
	if (!*eol && at == doc->nlines && at > 0)
		doc->line[at - 1].eol = eol;
}

int doc_parse_text(struct profile_doc *doc, const char *text, size_t len,
		   char *err)
{
	size_t pos = 0;

	if (memchr(text, '\0', len))
		return err_set(err, VM_ERR_MAX, -EINVAL, "%s: contains a NUL "
			       "byte (not a text file?)", doc->path);
	doc->eol = NULL;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		const char *eol = "";

		if (nl) {
			eol = "\n";
			if (n && text[pos + n - 1] == '\r') {
				eol = "\r\n";
				n--;
			}
			if (!doc->eol)
				doc->eol = eol;
		}
		if (doc_insert(doc, doc->nlines, text + pos, n, eol))
			return err_set(err, VM_ERR_MAX, -ENOMEM, "%s: %s",
				       doc->path, strerror(ENOMEM));
		pos += n + strlen(eol);
	}
	if (!doc->eol)
		doc->eol = "\n";
	doc_classify(doc);
	return 0;
}

void profile_doc_free(struct profile_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nlines; i++)
		free(doc->line[i].text);
	free(doc->line);
	free(doc->disk.text);
	free(doc);
}

const char *profile_doc_path(const struct profile_doc *doc)
{
	return doc->path;
}

char *profile_doc_text(const struct profile_doc *doc, size_t *len)
{
	struct strbuf b = { 0 };

	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < doc->nlines; i++) {
		strbuf_add(&b, doc->line[i].text, doc->line[i].len);
		strbuf_add(&b, doc->line[i].eol, strlen(doc->line[i].eol));
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.s;
}

/* ---- Reading keys ---- */

/* Adds key line i's value, continuations joined with single spaces. */
static void doc_value_add(const struct profile_doc *doc, size_t i,
			  struct strbuf *b)
{
	const struct doc_line *l = &doc->line[i];

	strbuf_add(b, l->text + l->val_off, l->val_len);
	for (size_t j = i + 1; j < doc->nlines; j++) {
		l = &doc->line[j];
		if (l->kind != DOC_CONT || l->owner != i)
			continue;
		strbuf_add(b, " ", 1);
		strbuf_add(b, l->text + l->val_off, l->val_len);
	}
}

/* b's text, or NULL (freed) when it ran out of memory. */
static char *doc_strbuf_take(struct strbuf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *profile_doc_get(const struct profile_doc *doc, const char *section,
		      const char *key)
{
	size_t i = doc_find_key(doc, section, key);
	struct strbuf b = { 0 };

	if (i == DOC_NONE)
		return NULL;
	doc_value_add(doc, i, &b);
	strbuf_add(&b, "", 0);	/* an empty value is "", not NULL */
	return doc_strbuf_take(&b);
}

char *profile_doc_get_all(const struct profile_doc *doc, const char *section,
			  const char *key, const char *sep)
{
	struct strbuf b = { 0 };
	bool any = false;

	for (size_t i = 0; i < doc->nlines; i++) {
		if (!doc_is_key(doc, i, section, key))
			continue;
		if (any)
			strbuf_add(&b, sep, strlen(sep));
		doc_value_add(doc, i, &b);
		any = true;
	}
	if (!any)
		return NULL;
	strbuf_add(&b, "", 0);
	return doc_strbuf_take(&b);
}

unsigned profile_doc_count(const struct profile_doc *doc, const char *section,
			   const char *key)
{
	unsigned n = 0;

	for (size_t i = 0; i < doc->nlines; i++)
		n += doc_is_key(doc, i, section, key);
	return n;
}

/* The first [section] header line, or DOC_NONE. */
static size_t doc_find_section(const struct profile_doc *doc,
			       const char *section)
{
	for (size_t i = 0; i < doc->nlines; i++) {
		const struct doc_line *l = &doc->line[i];

		if (l->kind == DOC_SECTION &&
		    span_is(l, l->name_off, l->name_len, section))
			return i;
	}
	return DOC_NONE;
}

bool profile_doc_has_section(const struct profile_doc *doc,
			     const char *section)
{
	return doc_find_section(doc, section) != DOC_NONE;
}

/* ---- Checking what is written ---- */

static int doc_check_name(const char *what, const char *name, char *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > PROFILE_DOC_NAME_MAX ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789._-") != len)
		return err_set(err, VM_ERR_MAX, -EINVAL, "\"%s\" is not a "
			       "valid %s name (use 1 to %d letters, digits, "
			       "'.', '_' or '-')", name, what,
			       PROFILE_DOC_NAME_MAX);
	return 0;
}

/* Refuses values that libinih would not read back unchanged. */
static int doc_check_value(const char *key, const char *v, char *err)
{
	size_t len = strlen(v);
	const char *why = NULL;

	for (size_t i = 0; i < len && !why; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\n' || c == '\r')
			why = "contains a line break (a value is one line)";
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			why = "contains a control character";
		else if (c == ';' && (i == 0 || is_blank(v[i - 1])))
			why = "has a ';' at its start or after a blank, which "
			      "starts a comment";
	}
	if (!why && len && (is_blank(v[0]) || is_blank(v[len - 1])))
		why = "begins or ends with a blank, which would be dropped";
	if (why)
		return err_set(err, VM_ERR_MAX, -EINVAL, "%s: the value %s",
			       key, why);
	return 0;
}

/*
 * Splits value into lines: the first of at most first_max bytes, the rest
 * of at most next_max, breaking only at a single space between words (the
 * loader joins continuations with one space) and never before a word that
 * would read as a comment. Fills brk[] with the break offsets (the spaces)
 * and returns how many, or -1 when the value cannot be split.
 */
static int doc_wrap(const char *v, size_t first_max, size_t next_max,
		    size_t *brk, int brk_max)
{
	size_t len = strlen(v), start = 0, max = first_max, best;
	int n = 0;

	while (len - start > max) {
		best = 0;
		for (size_t k = start + 1; k < len && k - start <= max; k++)
			if (v[k] == ' ' && v[k - 1] != ' ' && !is_blank(v[k + 1]) &&
			    v[k + 1] != '#' && v[k + 1] != ';')
				best = k;
		if (!best || n == brk_max)
			return -1;
		brk[n++] = best;
		start = best + 1;
		max = next_max;
	}
	return n;
}

#define DOC_WRAP_MAX	64

/* Room for an error about memory, the one failure edits share. */
static int doc_oom(char *err)
{
	return err_set(err, VM_ERR_MAX, -ENOMEM, "%s", strerror(ENOMEM));
}

/*
 * Line i becomes its first at bytes, lead, the value's first part, and
 * what followed the old value's old_len bytes: an inline comment keeps its
 * column when the new value allows. The value's other parts (only with
 * PROFILE_DOC_WRAP) become continuation lines right after line i.
 */
static int doc_put_value(struct profile_doc *doc, size_t i, size_t at,
			 size_t old_len, const char *lead, const char *key,
			 const char *value, unsigned flags, const char *indent,
			 char *err)
{
	struct doc_line *l = &doc->line[i];
	bool comment = l->kind == DOC_KEY && l->comment != DOC_NONE;
	size_t len = strlen(value), head = at + strlen(lead), brk[DOC_WRAP_MAX];
	size_t tail_off = comment ? l->comment : at + old_len;
	size_t tail_len = l->len - tail_off, first = len, pad = 0, room;
	struct strbuf b = { 0 };
	int n = 0;

	room = head + tail_len + comment < PROFILE_DOC_LINE_MAX ?
	       PROFILE_DOC_LINE_MAX - head - tail_len - comment : 0;
	if (len > room) {
		n = flags & PROFILE_DOC_WRAP ?
		    doc_wrap(value, room, PROFILE_DOC_LINE_MAX - strlen(indent),
			     brk, DOC_WRAP_MAX) : -1;
		if (n < 0)
			return err_set(err, VM_ERR_MAX, -EINVAL, "%s: the line "
				       "would be longer than %d bytes, which "
				       "libinih cuts (shorten the value%s)",
				       key, PROFILE_DOC_LINE_MAX,
				       comment ? " or the comment" : "");
		if (n)
			first = brk[0];
	}
	if (comment) {
		pad = l->comment > head + first ? l->comment - head - first : 1;
		if (head + first + pad + tail_len > PROFILE_DOC_LINE_MAX)
			pad = 1;
	}
	strbuf_add(&b, l->text, at);
	strbuf_add(&b, lead, strlen(lead));
	strbuf_add(&b, value, first);
	for (size_t p = 0; p < pad; p++)
		strbuf_add(&b, " ", 1);
	strbuf_add(&b, l->text + tail_off, tail_len);
	if (b.oom) {
		free(b.s);
		return doc_oom(err);
	}
	free(l->text);
	l->text = b.s;
	l->len = b.len;
	for (int k = 0; k < n; k++) {
		size_t s = brk[k] + 1, e = k + 1 < n ? brk[k + 1] : len;
		struct strbuf c = { 0 };
		int rc;

		strbuf_add(&c, indent, strlen(indent));
		strbuf_add(&c, value + s, e - s);
		rc = c.oom ? -ENOMEM :
		     doc_insert(doc, i + 1 + (size_t)k, c.s, c.len, doc->eol);
		free(c.s);
		if (rc)
			return doc_oom(err);
	}
	return 0;
}

/* Removes the continuation lines of key line i; indent gets the first's
 * indentation (unchanged when there are none). */
static void doc_drop_continuations(struct profile_doc *doc, size_t i,
				   char *indent, size_t size)
{
	for (size_t j = doc->nlines; j-- > i + 1;) {
		const struct doc_line *l = &doc->line[j];
		size_t n = MIN(l->val_off, size - 1);

		if (l->kind != DOC_CONT || l->owner != i)
			continue;
		memcpy(indent, l->text, n);
		indent[n] = '\0';
		doc_delete(doc, j);
	}
}

/* Changes the value on key line i; its continuations are replaced. */
static int doc_replace(struct profile_doc *doc, size_t i, const char *key,
		       const char *value, unsigned flags, char *err)
{
	char indent[64] = DOC_INDENT;
	const struct doc_line *l;
	size_t at, old;
	const char *lead = "";
	int rc;

	doc_drop_continuations(doc, i, indent, sizeof(indent));
	l = &doc->line[i];
	at = l->val_off;
	old = l->val_len;
	if (old == 0) {
		/* "key =", "key=" or "key = ; note": one blank, then the value */
		at = l->delim + 1;
		if (at < l->len && is_blank(l->text[at]) &&
		    (l->comment == DOC_NONE || at < l->comment))
			at++;
		else
			lead = " ";
		if (l->comment == DOC_NONE)
			old = l->len - at;	/* trailing blanks go */
	}
	rc = doc_put_value(doc, i, at, old, lead, key, value, flags, indent,
			   err);
	doc_classify(doc);
	return rc;
}

/*
 * Where a new key of section goes: after its last key line or
 * continuation, else right after its [section] line. libinih lets an
 * indented line continue the last key even across comment, blank and
 * error lines, so the slot moves past indented error lines that follow
 * (they would otherwise join the new key's value).
 */
static size_t doc_key_slot(const struct profile_doc *doc, const char *section)
{
	size_t slot = DOC_NONE;

	for (size_t i = 0; i < doc->nlines; i++) {
		const struct doc_line *l = &doc->line[i];

		if (!doc_in_section(doc, l, section))
			continue;
		if (l->kind == DOC_KEY || l->kind == DOC_CONT ||
		    (l->kind == DOC_SECTION && slot == DOC_NONE))
			slot = i + 1;
	}
	for (size_t j = slot; j < doc->nlines; j++) {
		const struct doc_line *l = &doc->line[j];

		if (l->kind == DOC_SECTION || l->kind == DOC_KEY)
			break;
		if (l->kind == DOC_OTHER && l->len && is_blank(l->text[0]))
			slot = j + 1;
	}
	return slot;
}

static int doc_append_section(struct profile_doc *doc, const char *section)
{
	char buf[PROFILE_DOC_NAME_MAX + 3];
	int n = snprintf(buf, sizeof(buf), "[%s]", section);

	if (doc->nlines && doc->line[doc->nlines - 1].kind != DOC_BLANK &&
	    doc_insert(doc, doc->nlines, "", 0, doc->eol))
		return -ENOMEM;
	if (doc_insert(doc, doc->nlines, buf, (size_t)n, doc->eol))
		return -ENOMEM;
	doc_classify(doc);
	return 0;
}

int profile_doc_add_section(struct profile_doc *doc, const char *section,
			    char *err)
{
	int rc = doc_check_name("section", section, err);

	if (rc || profile_doc_has_section(doc, section))
		return rc;
	return doc_append_section(doc, section) ? doc_oom(err) : 0;
}

/*
 * After lines [at, at + added) were inserted: does every other line still
 * read as it did (before[] holds the old kinds)? If not, names the first
 * line that changed in err and takes the insertion back.
 */
static int doc_insert_kept_meaning(struct profile_doc *doc,
				   const enum doc_kind *before, size_t at,
				   size_t added, const char *section,
				   const char *key, char *err)
{
	for (size_t i = 0; i < doc->nlines; i++) {
		size_t old = i < at ? i : i - added;

		if (i >= at && i < at + added)
			continue;
		if (before[old] == doc->line[i].kind)
			continue;
		while (added--)
			doc_delete(doc, at);
		doc_classify(doc);
		return err_set(err, VM_ERR_MAX, -EINVAL, "cannot add %s to [%s]"
			       ": line %zu is indented, so libinih would read "
			       "it as part of %s (remove its indentation)",
			       key, section, old + 1, key);
	}
	return 0;
}

/* Adds "key = value" at the end of section (made if missing). */
static int doc_add_key(struct profile_doc *doc, const char *section,
		       const char *key, const char *value, unsigned flags,
		       char *err)
{
	char lead[PROFILE_DOC_NAME_MAX + 4];
	enum doc_kind *before;
	size_t slot, n;
	int rc;

	if (!profile_doc_has_section(doc, section) &&
	    doc_append_section(doc, section))
		return doc_oom(err);
	n = doc->nlines;
	before = malloc((n + 1) * sizeof(*before));
	if (!before)
		return doc_oom(err);
	for (size_t i = 0; i < n; i++)
		before[i] = doc->line[i].kind;
	slot = doc_key_slot(doc, section);
	rc = doc_insert(doc, slot, "", 0, doc->eol) ? doc_oom(err) : 0;
	snprintf(lead, sizeof(lead), "%s = ", key);
	if (!rc)
		rc = doc_put_value(doc, slot, 0, 0, lead, key, value, flags,
				   DOC_INDENT, err);
	if (rc) {
		while (doc->nlines > n)
			doc_delete(doc, slot);
	}
	doc_classify(doc);
	if (!rc)
		rc = doc_insert_kept_meaning(doc, before, slot,
					     doc->nlines - n, section, key, err);
	free(before);
	return rc;
}

/* Names and value that the file can hold as they are. 0 or -EINVAL. */
static int doc_check_entry(const char *section, const char *key,
			   const char *value, char *err)
{
	int rc = doc_check_name("section", section, err);

	if (!rc)
		rc = doc_check_name("key", key, err);
	if (!rc)
		rc = doc_check_value(key, value, err);
	return rc;
}

int profile_doc_add(struct profile_doc *doc, const char *section,
		    const char *key, const char *value, unsigned flags,
		    char *err)
{
	int rc = doc_check_entry(section, key, value, err);

	return rc ? rc : doc_add_key(doc, section, key, value, flags, err);
}

int profile_doc_set(struct profile_doc *doc, const char *section,
		    const char *key, const char *value, unsigned flags,
		    char *err)
{
	size_t i;
	int rc;

	rc = doc_check_entry(section, key, value, err);
	if (rc)
		return rc;
	i = doc_find_key(doc, section, key);
	if (i == DOC_NONE)
		return doc_add_key(doc, section, key, value, flags, err);
	return doc_replace(doc, i, key, value, flags, err);
}

unsigned profile_doc_remove(struct profile_doc *doc, const char *section,
			    const char *key)
{
	unsigned n = 0;
	size_t i;
	char indent[8];

	while ((i = doc_find_key(doc, section, key)) != DOC_NONE) {
		doc_drop_continuations(doc, i, indent, sizeof(indent));
		doc_delete(doc, i);
		doc_classify(doc);
		n++;
	}
	return n;
}

/* Where the comment lines right above line at (none blank) begin. */
static size_t doc_comments_above(const struct profile_doc *doc, size_t at)
{
	while (at > 0 && doc->line[at - 1].kind == DOC_COMMENT)
		at--;
	return at;
}

/* Removes lines [from, to) and, when that leaves two blank lines meeting
 * (or a blank line at the end), the blank line before from. */
static void doc_delete_span(struct profile_doc *doc, size_t from, size_t to)
{
	for (size_t n = to - from; n; n--)
		doc_delete(doc, from);
	if (from > 0 && doc->line[from - 1].kind == DOC_BLANK &&
	    (from == doc->nlines || doc->line[from].kind == DOC_BLANK))
		doc_delete(doc, from - 1);
	doc_classify(doc);
}

/* Drops the blanks that start line l (a header: its meaning stays). */
static void doc_unindent(struct doc_line *l)
{
	size_t lead = 0;

	while (lead < l->len && is_blank(l->text[lead]))
		lead++;
	memmove(l->text, l->text + lead, l->len - lead + 1);
	l->len -= lead;
}

unsigned profile_doc_remove_section(struct profile_doc *doc,
				    const char *section)
{
	unsigned n = 0;
	size_t head;

	while ((head = doc_find_section(doc, section)) != DOC_NONE) {
		size_t end = head + 1;

		while (end < doc->nlines && doc->line[end].kind != DOC_SECTION)
			end++;
		/*
		 * An indented next header would follow the last key before
		 * the removed lines, and libinih would read it as that key's
		 * continuation: it loses its indentation instead.
		 */
		if (end < doc->nlines) {
			doc_unindent(&doc->line[end]);
			/* the next header keeps its comments */
			end = doc_comments_above(doc, end);
		}
		if (end <= head)
			end = head + 1;
		doc_delete_span(doc, doc_comments_above(doc, head), end);
		n++;
	}
	return n;
}
