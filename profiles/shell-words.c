/* shell-words.c - reads a POSIX sh script into expanded simple commands without running it (POSIX.1-2017 XCU 2.2-2.6, 2.9). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/shell-words.h"
#include "vmm/compat.h"

#define SH_MAX_NEST	32	/* nested quotes and substitutions */
#define SH_MAX_VALUE	16384	/* longest field or variable value */
#define SH_MAX_COMMAND	262144	/* all fields of one command */
#define SH_MAX_FIELDS	4096	/* fields of one command */
#define SH_MAX_WORDS	4096	/* words of one command */
#define SH_MAX_VARS	1024
#define SH_MAX_STACK	64	/* remembered compound commands */
#define SH_MAX_HEREDOCS	16	/* pending on one line */
#define SH_MAX_NOTES	256	/* per command */
#define SH_MAX_DELIM	256	/* here-document delimiter */
#define SH_SNIP		40	/* script text quoted in a note */
#define SH_BAD		((size_t)-1)

enum sh_tok_kind {
	TOK_EOF, TOK_WORD, TOK_NEWLINE, TOK_SEMI, TOK_DSEMI, TOK_AMP,
	TOK_AND, TOK_OR, TOK_PIPE, TOK_LPAREN, TOK_RPAREN, TOK_REDIR,
	TOK_HEREDOC,
};

struct sh_tok {
	enum sh_tok_kind kind;
	size_t start, end;
	unsigned line;
	bool strip_tabs;	/* <<- */
};

/* A word of the command being read: a span of the raw script text. */
struct sh_word {
	size_t start, end;
	unsigned line;
};

enum sh_compound { SH_IF, SH_LOOP, SH_CASE, SH_BRACE, SH_PAREN };

struct sh_var {
	char *name;
	char *value;
};

struct sh_heredoc {
	char *delim;
	bool strip_tabs;
	unsigned line;
};

struct sh {
	char *text;		/* own copy: NUL-terminated, CR LF -> LF */
	size_t len;
	size_t pos;
	unsigned line;
	const struct sh_ops *ops;
	void *ctx;
	int err;		/* -ENOMEM or a callback's nonzero return */
	bool stop;		/* top-level exit or syntax error */
	struct sh_var *vars;
	size_t nvars;
	struct sh_heredoc heredocs[SH_MAX_HEREDOCS];
	size_t nheredocs;
	enum sh_compound stack[SH_MAX_STACK];
	unsigned depth;
	struct sh_word *words;
	size_t nwords, capwords;
	bool words_cut;
	bool in_pattern;	/* reading a case pattern, up to its ')' */
	bool collect;		/* notes go to notes[] for the command */
	struct sh_note *notes;
	size_t nnotes;
};

/* One expansion in progress: a command's fields, or a single string. */
struct sh_exp {
	struct sh *sh;
	bool split;		/* field splitting (command words) */
	unsigned line;
	struct sh_field *fields;
	size_t nfields, capfields;
	struct strbuf cur;
	bool in_field;		/* cur holds a field, maybe empty */
	const char *cur_var;
	size_t wstart, wend;	/* the command word being expanded */
	size_t total;		/* bytes expanded so far */
	bool cut_noted;
	bool oom;
};

static void buf_add(struct strbuf *b, const char *p, size_t n)
{
	strbuf_add(b, p, n);
}

/* Copies a piece of script text for a message: short, one line. */
static void sh_snip(char *out, size_t size, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && i < SH_SNIP && k + 1 < size; i++)
		out[k++] = s[i] == '\n' || s[i] == '\t' ? ' ' : s[i];
	if (i < n && k + 4 < size) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

static void sh_note(struct sh *sh, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sh_note(struct sh *sh, unsigned line, const char *fmt, ...)
{
	struct sh_note *t;
	char *text;
	va_list ap;
	size_t i;
	int rc;

	if (sh->err)
		return;
	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		sh->err = -ENOMEM;
		return;
	}
	if (!sh->collect) {
		rc = sh->ops->note ? sh->ops->note(sh->ctx, line, text) : 0;
		free(text);
		if (rc)
			sh->err = rc;
		return;
	}
	for (i = 0; i < sh->nnotes; i++) {
		if (sh->notes[i].line == line &&
		    strcmp(sh->notes[i].text, text) == 0) {
			free(text);
			return;
		}
	}
	if (sh->nnotes >= SH_MAX_NOTES) {
		free(text);
		return;
	}
	t = realloc(sh->notes, (sh->nnotes + 1) * sizeof(*t));
	if (!t) {
		free(text);
		sh->err = -ENOMEM;
		return;
	}
	sh->notes = t;
	t[sh->nnotes].line = line;
	t[sh->nnotes].text = text;
	sh->nnotes++;
}

/* ---- Variables ---- */

static struct sh_var *sh_var_find(struct sh *sh, const char *name, size_t n)
{
	for (size_t i = 0; i < sh->nvars; i++)
		if (strlen(sh->vars[i].name) == n &&
		    memcmp(sh->vars[i].name, name, n) == 0)
			return &sh->vars[i];
	return NULL;
}

static const char *sh_var_get(struct sh *sh, const char *name, size_t n)
{
	struct sh_var *v = sh_var_find(sh, name, n);

	return v ? v->value : NULL;
}

/* Sets name (n bytes) to value, taking ownership of value. */
static void sh_var_set(struct sh *sh, const char *name, size_t n,
		       char *value, unsigned line)
{
	struct sh_var *v = sh_var_find(sh, name, n);
	struct sh_var *t;

	if (v) {
		free(v->value);
		v->value = value;
		return;
	}
	if (sh->nvars >= SH_MAX_VARS) {
		sh_note(sh, line, "more than %d variables: %.*s is not "
			"followed", SH_MAX_VARS, (int)n, name);
		free(value);
		return;
	}
	t = realloc(sh->vars, (sh->nvars + 1) * sizeof(*t));
	if (!t)
		goto oom;
	sh->vars = t;
	t[sh->nvars].name = strndup(name, n);
	if (!t[sh->nvars].name)
		goto oom;
	t[sh->nvars].value = value;
	sh->nvars++;
	return;
oom:
	free(value);
	sh->err = -ENOMEM;
}

static void sh_var_unset(struct sh *sh, const char *name)
{
	struct sh_var *v = sh_var_find(sh, name, strlen(name));

	if (!v)
		return;
	free(v->name);
	free(v->value);
	*v = sh->vars[--sh->nvars];
}

static bool sh_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool sh_name_char(char c)
{
	return sh_name_start(c) || (c >= '0' && c <= '9');
}

/* ---- Lexing ---- */

static bool sh_meta(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
	       c == '<' || c == '>';
}

/*
 * Finds the end of a quoted or substituted piece whose opening was just
 * passed: kind is ' " ` ( { or a ($'...'). Returns the position after the
 * closing character, or SH_BAD when the text ends first.
 */
static size_t sh_skip(const char *s, size_t len, size_t p, char kind,
		      unsigned depth)
{
	char c, close = kind == '(' ? ')' : kind == '{' ? '}' : kind;

	if (depth > SH_MAX_NEST)
		return SH_BAD;
	if (kind == 'a')
		close = '\'';
	while (p < len) {
		c = s[p];
		if (kind == '\'') {
			if (c == '\'')
				return p + 1;
			p++;
			continue;
		}
		if (c == '\\') {
			p += 2;
			continue;
		}
		if (c == close)
			return p + 1;
		if (kind == 'a' || kind == '`') {
			p++;
			continue;
		}
		if (c == '`' || (c == '"' && kind != '"') ||
		    (c == '\'' && kind != '"')) {
			p = sh_skip(s, len, p + 1, c, depth + 1);
		} else if (c == '$' && p + 1 < len &&
			   (s[p + 1] == '(' || s[p + 1] == '{')) {
			p = sh_skip(s, len, p + 2, s[p + 1], depth + 1);
		} else if (c == '(' && kind == '(') {
			p = sh_skip(s, len, p + 1, '(', depth + 1);
		} else {
			p++;
		}
		if (p == SH_BAD)
			return SH_BAD;
	}
	return SH_BAD;
}

static const char *sh_kind_name(char kind)
{
	switch (kind) {
	case '\'': return "single quote";
	case '"': return "double quote";
	case '`': return "backquote";
	case '(': return "$( or <( substitution";
	case '{': return "${ expansion";
	default: return "$' quote";
	}
}

static unsigned sh_count_lines(const char *s, size_t from, size_t to)
{
	unsigned n = 0;

	for (size_t i = from; i < to; i++)
		n += s[i] == '\n';
	return n;
}

/* Skips the bodies of the here-documents started on the line just ended. */
static void sh_read_heredocs(struct sh *sh)
{
	const char *s = sh->text;
	size_t i, lp, e;
	bool found;

	for (i = 0; i < sh->nheredocs; i++) {
		struct sh_heredoc *h = &sh->heredocs[i];

		found = false;
		while (!found && sh->pos < sh->len) {
			const char *nl = memchr(s + sh->pos, '\n',
						sh->len - sh->pos);

			e = nl ? (size_t)(nl - s) : sh->len;
			lp = sh->pos;
			while (h->strip_tabs && lp < e && s[lp] == '\t')
				lp++;
			found = e - lp == strlen(h->delim) &&
				memcmp(s + lp, h->delim, e - lp) == 0;
			sh->pos = nl ? e + 1 : e;
			sh->line += nl != NULL;
		}
		if (!found)
			sh_note(sh, h->line, "here-document <<%s never ends",
				h->delim);
		free(h->delim);
		h->delim = NULL;
	}
	sh->nheredocs = 0;
}

static void sh_unterminated(struct sh *sh, size_t at, char kind,
			    unsigned line)
{
	line += sh_count_lines(sh->text, sh->pos, at);
	sh_note(sh, line, "unterminated %s: the script stops being read "
		"here (sh would refuse it)", sh_kind_name(kind));
	sh->stop = true;
}

static int sh_lex_redir(struct sh *sh, struct sh_tok *t, size_t p)
{
	const char *s = sh->text;
	size_t len = sh->len;
	char c = s[p], n = p + 1 < len ? s[p + 1] : '\0';

	t->kind = TOK_REDIR;
	if (c == '&') {
		p += 2;
		if (p < len && s[p] == '>')
			p++;
	} else if (c == '<' && n == '<') {
		if (p + 2 < len && s[p + 2] == '<') {
			p += 3;
		} else {
			p += 2;
			t->kind = TOK_HEREDOC;
			if (p < len && s[p] == '-') {
				t->strip_tabs = true;
				p++;
			}
		}
	} else if ((c == '<' && (n == '&' || n == '>')) ||
		   (c == '>' && (n == '>' || n == '&' || n == '|'))) {
		p += 2;
	} else {
		p++;
	}
	t->end = sh->pos = p;
	return 0;
}

static int sh_lex_word(struct sh *sh, struct sh_tok *t)
{
	const char *s = sh->text;
	size_t len = sh->len, p = sh->pos, q;
	char c, kind;

	q = p;
	while (q < len && s[q] >= '0' && s[q] <= '9')
		q++;
	if (q > p && q < len && (s[q] == '<' || s[q] == '>') &&
	    !(q + 1 < len && s[q + 1] == '('))
		return sh_lex_redir(sh, t, q);	/* 2>file: an fd number */
	while (p < len) {
		c = s[p];
		if (c == ' ' || c == '\t' || c == '\n' || sh_meta(c))
			break;
		kind = 0;
		if (c == '\\') {
			q = p + 2 <= len ? p + 2 : len;
		} else if (c == '\'' || c == '"' || c == '`') {
			kind = c;
			q = sh_skip(s, len, p + 1, kind, 0);
		} else if (c == '$' && p + 1 < len && (s[p + 1] == '(' ||
			   s[p + 1] == '{' || s[p + 1] == '"')) {
			kind = s[p + 1];
			q = sh_skip(s, len, p + 2, kind, 0);
		} else if (c == '$' && p + 1 < len && s[p + 1] == '\'') {
			kind = 'a';
			q = sh_skip(s, len, p + 2, kind, 0);
		} else {
			q = p + 1;
		}
		if (q == SH_BAD) {
			sh_unterminated(sh, p, kind, t->line);
			t->kind = TOK_EOF;
			return -1;
		}
		p = q;
	}
	t->kind = TOK_WORD;
	t->end = p;
	sh->line += sh_count_lines(s, sh->pos, p);
	sh->pos = p;
	return 0;
}

/* Reads the next token. Returns -1 (after a note) on a syntax error. */
static int sh_lex(struct sh *sh, struct sh_tok *t)
{
	const char *s = sh->text;
	size_t len = sh->len, p, q;
	char c, n;

	memset(t, 0, sizeof(*t));
	for (;;) {
		while (sh->pos < len) {
			c = s[sh->pos];
			if (c == ' ' || c == '\t') {
				sh->pos++;
			} else if (c == '\\' && sh->pos + 1 < len &&
				   s[sh->pos + 1] == '\n') {
				sh->pos += 2;
				sh->line++;
			} else {
				break;
			}
		}
		if (sh->pos < len && s[sh->pos] == '#') {
			while (sh->pos < len && s[sh->pos] != '\n')
				sh->pos++;
			continue;
		}
		break;
	}
	p = t->start = t->end = sh->pos;
	t->line = sh->line;
	if (p >= len) {
		t->kind = TOK_EOF;
		return 0;
	}
	c = s[p];
	n = p + 1 < len ? s[p + 1] : '\0';
	if (c == '\n') {
		t->kind = TOK_NEWLINE;
		t->end = sh->pos = p + 1;
		sh->line++;
		sh_read_heredocs(sh);
		return 0;
	}
	if ((c == '<' || c == '>') && n == '(') {	/* <(cmd): a word */
		q = sh_skip(s, len, p + 2, '(', 0);
		if (q == SH_BAD) {
			sh_unterminated(sh, p, '(', t->line);
			t->kind = TOK_EOF;
			return -1;
		}
		t->kind = TOK_WORD;
		t->end = sh->pos = q;
		sh->line += sh_count_lines(s, p, q);
		return 0;
	}
	if (c == '<' || c == '>' || (c == '&' && n == '>'))
		return sh_lex_redir(sh, t, p);
	if (!sh_meta(c))
		return sh_lex_word(sh, t);
	q = p + 1;
	switch (c) {
	case ';':
		t->kind = TOK_SEMI;
		if (n == ';' || n == '&') {
			t->kind = TOK_DSEMI;
			q = p + 2;
			if (n == ';' && q < len && s[q] == '&')
				q++;
		}
		break;
	case '&':
		t->kind = n == '&' ? TOK_AND : TOK_AMP;
		q += n == '&';
		break;
	case '|':
		t->kind = n == '|' ? TOK_OR : TOK_PIPE;
		q += n == '|' || n == '&';
		break;
	case '(':
		t->kind = TOK_LPAREN;
		break;
	default:
		t->kind = TOK_RPAREN;
		break;
	}
	t->end = sh->pos = q;
	return 0;
}

/* ---- Expansion ---- */

static void exp_push(struct sh_exp *e)
{
	struct sh_field *t;
	char *text;

	if (e->cur.oom)
		e->oom = true;
	if (e->nfields >= SH_MAX_FIELDS) {
		if (!e->cut_noted)
			sh_note(e->sh, e->line, "more than %d words: the rest "
				"is left out", SH_MAX_FIELDS);
		e->cut_noted = true;
		goto reset;
	}
	if (e->nfields == e->capfields) {
		size_t cap = e->capfields ? e->capfields * 2 : 16;

		t = realloc(e->fields, cap * sizeof(*t));
		if (!t) {
			e->oom = true;
			goto reset;
		}
		e->fields = t;
		e->capfields = cap;
	}
	text = e->cur.s ? e->cur.s : strdup("");
	if (!text) {
		e->oom = true;
		goto reset;
	}
	t = &e->fields[e->nfields++];
	t->text = text;
	t->line = e->line;
	t->var = NULL;
	if (e->cur_var) {
		t->var = strdup(e->cur_var);
		if (!t->var)
			e->oom = true;
	}
	e->cur.s = NULL;
reset:
	free(e->cur.s);
	memset(&e->cur, 0, sizeof(e->cur));
	e->in_field = false;
	e->cur_var = NULL;
}

/* Adds text that is not split: literal or quoted. */
static void exp_add(struct sh_exp *e, const char *p, size_t n)
{
	e->in_field = true;
	if (e->cur.len + n > SH_MAX_VALUE || e->total + n > SH_MAX_COMMAND) {
		if (!e->cut_noted)
			sh_note(e->sh, e->line, "an expansion longer than %d "
				"bytes was cut", e->cur.len + n > SH_MAX_VALUE ?
				SH_MAX_VALUE : SH_MAX_COMMAND);
		e->cut_noted = true;
		n = e->cur.len + n > SH_MAX_VALUE ? SH_MAX_VALUE - e->cur.len :
		    0;
		if (e->total + n > SH_MAX_COMMAND)
			n = e->total < SH_MAX_COMMAND ? SH_MAX_COMMAND -
			    e->total : 0;
	}
	e->total += n;
	buf_add(&e->cur, p, n);
}

/* Adds the value of an expansion: split on IFS unless quoted. */
static void exp_value(struct sh_exp *e, const char *v, bool quoted,
		      const char *var)
{
	const char *ifs;
	size_t i;

	if (!v)
		v = "";
	if (quoted || !e->split) {
		if (var && !e->cur_var)
			e->cur_var = var;
		exp_add(e, v, strlen(v));
		return;
	}
	ifs = sh_var_get(e->sh, "IFS", 3);
	if (!ifs)
		ifs = " \t\n";
	for (i = 0; v[i]; i++) {
		if (!strchr(ifs, v[i])) {
			if (var && !e->cur_var)
				e->cur_var = var;
			exp_add(e, v + i, 1);
		} else if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n') {
			if (e->in_field)
				exp_push(e);
		} else {
			exp_push(e);	/* a non-blank IFS byte: a field */
		}
	}
}

static char *sh_expand_string(struct sh *sh, size_t start, size_t end,
			      unsigned line, unsigned depth);
static void exp_walk(struct sh_exp *e, size_t p, size_t end, bool dq,
		     unsigned depth);

static void exp_special(struct sh_exp *e, char c, bool dq)
{
	if (c == '#' || c == '?') {
		exp_value(e, "0", dq, NULL);
		return;
	}
	if (c == '@' || c == '*')
		sh_note(e->sh, e->line, "$%c (the script's arguments) is empty "
			"when importing", c);
	else
		sh_note(e->sh, e->line, "$%c is not known when importing: it "
			"expanded to nothing", c);
	if (dq)
		e->in_field = true;
}

/* ${...}: content is the text between the braces. */
static void exp_brace(struct sh_exp *e, size_t start, size_t end, bool dq,
		      bool whole, unsigned depth)
{
	struct sh *sh = e->sh;
	const char *s = sh->text;
	const char *name = s + start, *value, *var;
	size_t n = 0, p;
	bool colon = false, unset;
	char op, snip[64], num[24];
	char *word;

	sh_snip(snip, sizeof(snip), s + start, end - start);
	if (end > start + 1 && s[start] == '#' && sh_name_start(s[start + 1])) {
		name++;
		while (start + 1 + n < end && sh_name_char(name[n]))
			n++;
		if (start + 1 + n == end) {
			value = sh_var_get(sh, name, n);
			snprintf(num, sizeof(num), "%zu",
				 value ? strlen(value) : 0);
			exp_value(e, num, dq, NULL);
			return;
		}
		n = 0;
		name = s + start;
	}
	if (start < end && sh_name_start(*name)) {
		while (start + n < end && sh_name_char(name[n]))
			n++;
	} else if (start < end && ((*name >= '0' && *name <= '9') ||
		   strchr("@*#?$!-", *name))) {
		if (start + 1 == end) {
			exp_special(e, *name, dq);
			return;
		}
		sh_note(sh, e->line, "${%s} is not followed: it expanded to "
			"nothing", snip);
		return;
	}
	if (n == 0) {
		sh_note(sh, e->line, "${%s} is not a valid expansion: it "
			"expanded to nothing", snip);
		return;
	}
	p = start + n;
	var = NULL;
	value = sh_var_get(sh, name, n);
	if (value)
		var = sh_var_find(sh, name, n)->name;
	if (p == end) {
		if (!value && !whole)
			sh_note(sh, e->line, "$%.*s is not set by the script: "
				"it expanded to nothing", (int)n, name);
		exp_value(e, value, dq, var);
		return;
	}
	if (s[p] == '[') {
		sh_note(sh, e->line, "${%s}: arrays are not followed: it "
			"expanded to nothing", snip);
		return;
	}
	if (s[p] == ':' && p + 1 < end && strchr("-=+?", s[p + 1])) {
		colon = true;
		p++;
	}
	op = s[p];
	if (!strchr("-=+?", op) || op == '\0') {
		sh_note(sh, e->line, "${%s} is not followed: used the value of "
			"%.*s unchanged", snip, (int)n, name);
		exp_value(e, value, dq, var);
		return;
	}
	p++;
	unset = !value || (colon && !*value);
	if ((op == '+' && unset) || (op != '+' && !unset)) {
		if (op != '+')
			exp_value(e, value, dq, var);
		else if (dq)
			e->in_field = true;
		return;
	}
	if (op == '?') {
		sh_note(sh, e->line, "${%s}: %.*s is not set, so sh would stop "
			"here", snip, (int)n, name);
		return;
	}
	word = sh_expand_string(sh, p, end, e->line, depth + 1);
	if (!word)
		return;
	if (op == '=') {
		char *copy = strdup(word);

		if (!copy) {
			free(word);
			sh->err = -ENOMEM;
			return;
		}
		sh_var_set(sh, name, n, copy, e->line);
	}
	exp_value(e, word, dq, NULL);
	free(word);
}

/* $'...' of bash and ksh: backslash escapes, no expansion. */
static void exp_ansi(struct sh_exp *e, size_t p, size_t end)
{
	const char *s = e->sh->text;
	char c;

	e->in_field = true;
	while (p < end) {
		c = s[p++];
		if (c == '\\' && p < end) {
			switch (s[p++]) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'e': case 'E': c = 033; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			default: c = s[p - 1]; break;
			}
		}
		exp_add(e, &c, 1);
	}
}

/* Expands the $ at p; returns where the text continues. */
static size_t exp_dollar(struct sh_exp *e, size_t p, size_t end, bool dq,
			 unsigned depth)
{
	struct sh *sh = e->sh;
	const char *s = sh->text;
	char n = p + 1 < end ? s[p + 1] : '\0', snip[64];
	const char *value;
	bool whole;
	size_t q;

	if (n == '(' || n == '{' || (!dq && (n == '\'' || n == '"'))) {
		q = sh_skip(s, end, p + 2, n == '\'' ? 'a' : n, depth);
		if (q == SH_BAD) {
			exp_add(e, s + p, end - p);
			return end;
		}
		sh_snip(snip, sizeof(snip), s + p, q - p);
		if (n == '(' && p + 2 < end && s[p + 2] == '(')
			sh_note(sh, e->line, "%s is not evaluated: it expanded "
				"to nothing", snip);
		else if (n == '(')
			sh_note(sh, e->line, "%s is not run: it expanded to "
				"nothing", snip);
		else if (n == '{')
			exp_brace(e, p + 2, q - 1, dq, !dq && e->split &&
				  p == e->wstart && q == e->wend, depth);
		else if (n == '\'')
			exp_ansi(e, p + 2, q - 1);
		else {
			e->in_field = true;
			exp_walk(e, p + 2, q - 1, true, depth + 1);
		}
		if (n == '(' && dq)
			e->in_field = true;
		return q;
	}
	if (sh_name_start(n)) {
		q = p + 1;
		while (q < end && sh_name_char(s[q]))
			q++;
		value = sh_var_get(sh, s + p + 1, q - p - 1);
		/* a whole unquoted word that vanishes is what scripts want */
		whole = !dq && e->split && p == e->wstart && q == e->wend;
		if (!value && !whole)
			sh_note(sh, e->line, "$%.*s is not set by the script: "
				"it expanded to nothing", (int)(q - p - 1),
				s + p + 1);
		exp_value(e, value, dq, value ? sh_var_find(sh, s + p + 1,
			  q - p - 1)->name : NULL);
		return q;
	}
	if ((n >= '0' && n <= '9') || (n && strchr("@*#?$!-", n))) {
		exp_special(e, n, dq);
		return p + 2;
	}
	exp_add(e, "$", 1);
	return p + 1;
}

/* Walks raw word text [p, end): quotes, escapes and expansions. */
static void exp_walk(struct sh_exp *e, size_t p, size_t end, bool dq,
		     unsigned depth)
{
	struct sh *sh = e->sh;
	const char *s = sh->text;
	bool glob_noted = false;
	char c, snip[64];
	size_t q;

	if (depth > SH_MAX_NEST) {
		sh_note(sh, e->line, "quotes and expansions nest too deeply: "
			"a word was cut");
		return;
	}
	while (p < end && !sh->err) {
		c = s[p];
		if (c == '\\') {
			if (p + 1 >= end) {
				exp_add(e, "\\", 1);
				p++;
			} else if (s[p + 1] == '\n') {
				p += 2;
			} else if (!dq || strchr("$`\"\\", s[p + 1])) {
				exp_add(e, s + p + 1, 1);
				p += 2;
			} else {
				exp_add(e, "\\", 1);
				p++;
			}
			continue;
		}
		if (c == '$') {
			p = exp_dollar(e, p, end, dq, depth);
			continue;
		}
		if (c == '`') {
			q = sh_skip(s, end, p + 1, '`', depth);
			if (q == SH_BAD)
				q = end;
			sh_snip(snip, sizeof(snip), s + p, q - p);
			sh_note(sh, e->line, "%s is not run: it expanded to "
				"nothing", snip);
			if (dq)
				e->in_field = true;
			p = q;
			continue;
		}
		if (!dq && (c == '\'' || c == '"')) {
			q = sh_skip(s, end, p + 1, c, depth);
			if (q == SH_BAD)
				q = end + 1;	/* not after lexing */
			if (c == '"' && q - p - 2 == 2 && s[p + 1] == '$' &&
			    s[p + 2] == '@') {
				/* "$@" without arguments: no field */
				exp_special(e, '@', false);
			} else if (c == '\'') {
				exp_add(e, s + p + 1, q - p - 2);
			} else {
				e->in_field = true;
				exp_walk(e, p + 1, q - 1, true, depth + 1);
			}
			p = q;
			continue;
		}
		if (!dq && (c == '*' || c == '?') && e->split && !glob_noted) {
			sh_note(sh, e->line, "'%c' is not matched against file "
				"names", c);
			glob_noted = true;
		}
		exp_add(e, &c, 1);
		p++;
	}
}

static char *sh_expand_string(struct sh *sh, size_t start, size_t end,
			      unsigned line, unsigned depth)
{
	struct sh_exp e = { .sh = sh, .split = false, .line = line };
	char *r;

	exp_walk(&e, start, end, false, depth);
	if (e.cur.oom || e.oom) {
		free(e.cur.s);
		sh->err = -ENOMEM;
		return NULL;
	}
	r = e.cur.s ? e.cur.s : strdup("");
	if (!r)
		sh->err = -ENOMEM;
	return r;
}

static void sh_fields_free(struct sh_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].text);
		free(f[i].var);
	}
	free(f);
}

/* ---- Commands ---- */

static bool sh_word_is(struct sh *sh, const struct sh_word *w, const char *s)
{
	size_t n = strlen(s);

	return w->end - w->start == n && memcmp(sh->text + w->start, s, n) == 0;
}

/* NAME=... or NAME+=...: returns the length of NAME, 0 if not one. */
static size_t sh_assignment(struct sh *sh, const struct sh_word *w)
{
	const char *s = sh->text + w->start;
	size_t n = 0, len = w->end - w->start;

	if (!len || !sh_name_start(s[0]))
		return 0;
	while (n < len && sh_name_char(s[n]))
		n++;
	if (n < len && s[n] == '=')
		return n;
	if (n + 1 < len && s[n] == '+' && s[n + 1] == '=')
		return n;
	return 0;
}

static void sh_assign(struct sh *sh, const struct sh_word *w)
{
	const char *s = sh->text + w->start;
	size_t n = sh_assignment(sh, w), v = n + 1;
	const char *old;
	char *value, *joined;

	if (s[n] == '+')
		v++;
	if (w->start + v < w->end && s[v] == '~')
		sh_note(sh, w->line, "%.*s: '~' is not expanded", (int)n, s);
	value = sh_expand_string(sh, w->start + v, w->end, w->line, 0);
	if (!value)
		return;
	old = sh_var_get(sh, s, n);
	if (s[n] == '+' && old) {
		if (asprintf(&joined, "%s%s", old, value) < 0) {
			free(value);
			sh->err = -ENOMEM;
			return;
		}
		free(value);
		value = joined;
	}
	if (strlen(value) > SH_MAX_VALUE) {
		sh_note(sh, w->line, "%.*s is longer than %d bytes: cut",
			(int)n, s, SH_MAX_VALUE);
		value[SH_MAX_VALUE] = '\0';
	}
	sh_var_set(sh, s, n, value, w->line);
}

static void sh_push(struct sh *sh, enum sh_compound c)
{
	if (sh->depth < SH_MAX_STACK)
		sh->stack[sh->depth] = c;
	if (sh->depth < UINT_MAX)
		sh->depth++;
}

static void sh_pop(struct sh *sh)
{
	if (sh->depth)
		sh->depth--;
}

static int sh_top(struct sh *sh)
{
	if (!sh->depth || sh->depth > SH_MAX_STACK)
		return -1;
	return (int)sh->stack[sh->depth - 1];
}

/* export, readonly, local, declare, typeset: assignments in arguments. */
static void sh_declare(struct sh *sh, size_t from, size_t to, bool arrays)
{
	for (size_t k = from; k < to && !sh->err; k++) {
		const struct sh_word *w = &sh->words[k];
		const char *s = sh->text + w->start;

		if (*s == '-') {
			if (arrays && (memchr(s, 'a', w->end - w->start) ||
				       memchr(s, 'A', w->end - w->start)))
				sh_note(sh, w->line, "arrays are not followed");
			continue;
		}
		if (sh_assignment(sh, w))
			sh_assign(sh, w);
	}
}

static void sh_unset(struct sh *sh, size_t from, size_t to)
{
	for (size_t k = from; k < to && !sh->err; k++) {
		const struct sh_word *w = &sh->words[k];
		char *name;

		if (sh->text[w->start] == '-')
			continue;
		name = sh_expand_string(sh, w->start, w->end, w->line, 0);
		if (!name)
			return;
		sh_var_unset(sh, name);
		free(name);
	}
}

/* Expands words [from, to) into fields and hands them to ops->command. */
static void sh_simple(struct sh *sh, size_t from, size_t to)
{
	struct sh_exp e = { .sh = sh, .split = true };
	struct sh_command cmd;
	int rc;

	sh->collect = true;
	for (size_t k = from; k < to && !sh->err; k++) {
		const struct sh_word *w = &sh->words[k];

		e.line = w->line;
		e.wstart = w->start;
		e.wend = w->end;
		if (sh->text[w->start] == '~')
			sh_note(sh, w->line, "'~' is not expanded");
		exp_walk(&e, w->start, w->end, false, 0);
		if (e.in_field)
			exp_push(&e);
	}
	sh->collect = false;
	if (e.cur.oom || e.oom)
		sh->err = -ENOMEM;
	if (!sh->err && e.nfields) {
		cmd.argv = e.fields;
		cmd.argc = e.nfields;
		cmd.line = sh->words[from].line;
		cmd.notes = sh->notes;
		cmd.nnotes = sh->nnotes;
		rc = sh->ops->command(sh->ctx, &cmd);
		if (rc)
			sh->err = rc;
	}
	sh_fields_free(e.fields, e.nfields);
	free(e.cur.s);
	for (size_t i = 0; i < sh->nnotes; i++)
		free(sh->notes[i].text);
	free(sh->notes);
	sh->notes = NULL;
	sh->nnotes = 0;
}

/*
 * Runs the words collected for one command. cond: it follows && || or |,
 * so an exit there does not end the script.
 */
static void sh_command(struct sh *sh, bool cond)
{
	const struct sh_word *w = sh->words;
	size_t n = sh->nwords, i = 0, j;

	while (i < n) {
		if (sh_word_is(sh, &w[i], "if") ||
		    sh_word_is(sh, &w[i], "while") ||
		    sh_word_is(sh, &w[i], "until")) {
			bool is_if = sh_word_is(sh, &w[i], "if");

			sh_push(sh, is_if ? SH_IF : SH_LOOP);
			sh_note(sh, w[i].line, is_if ? "'if' is not evaluated: "
				"the commands of every branch are read as if "
				"they ran" : "loops are not followed: the body "
				"is read once, as if it ran");
		} else if (sh_word_is(sh, &w[i], "for") ||
			   sh_word_is(sh, &w[i], "select")) {
			sh_push(sh, SH_LOOP);
			sh_note(sh, w[i].line, "loops are not followed: the "
				"body is read once, with the loop variable "
				"unset");
			return;
		} else if (sh_word_is(sh, &w[i], "case")) {
			sh_push(sh, SH_CASE);
			sh->in_pattern = true;
			sh_note(sh, w[i].line, "'case' is not evaluated: the "
				"commands of every branch are read as if they "
				"ran");
			return;
		} else if (sh_word_is(sh, &w[i], "function")) {
			if (i + 1 < n)
				sh_note(sh, w[i].line, "function %.*s is "
					"read where it is defined, as if it "
					"ran there",
					(int)(w[i + 1].end - w[i + 1].start),
					sh->text + w[i + 1].start);
			i++;
		} else if (sh_word_is(sh, &w[i], "{")) {
			sh_push(sh, SH_BRACE);
		} else if (sh_word_is(sh, &w[i], "fi") ||
			   sh_word_is(sh, &w[i], "done") ||
			   sh_word_is(sh, &w[i], "esac") ||
			   sh_word_is(sh, &w[i], "}")) {
			sh_pop(sh);
		} else if (sh_word_is(sh, &w[i], "[[")) {
			return;		/* a test: nothing to import */
		} else if (!sh_word_is(sh, &w[i], "then") &&
			   !sh_word_is(sh, &w[i], "else") &&
			   !sh_word_is(sh, &w[i], "elif") &&
			   !sh_word_is(sh, &w[i], "do") &&
			   !sh_word_is(sh, &w[i], "!") &&
			   !sh_word_is(sh, &w[i], "time")) {
			break;
		}
		i++;
	}
	if (i >= n)
		return;
	for (j = i; j < n && sh_assignment(sh, &w[j]); j++)
		;
	if (j == n) {
		for (; i < n && !sh->err; i++)
			sh_assign(sh, &w[i]);
		return;
	}
	/* NAME=value before a command only sets its environment. */
	if (sh_word_is(sh, &w[j], "export") ||
	    sh_word_is(sh, &w[j], "readonly")) {
		sh_declare(sh, j + 1, n, false);
	} else if (sh_word_is(sh, &w[j], "local") ||
		   sh_word_is(sh, &w[j], "declare") ||
		   sh_word_is(sh, &w[j], "typeset")) {
		sh_declare(sh, j + 1, n, true);
	} else if (sh_word_is(sh, &w[j], "unset")) {
		sh_unset(sh, j + 1, n);
	} else if (sh_word_is(sh, &w[j], "exit")) {
		if (!cond && sh->depth == 0)
			sh->stop = true;
	} else if (sh_word_is(sh, &w[j], "source") ||
		   sh_word_is(sh, &w[j], ".") ||
		   sh_word_is(sh, &w[j], "eval")) {
		sh_note(sh, w[j].line, "'%.*s' is not followed: variables it "
			"would set are unknown here",
			(int)(w[j].end - w[j].start), sh->text + w[j].start);
	} else if (sh_word_is(sh, &w[j], "cd") ||
		   sh_word_is(sh, &w[j], "pushd")) {
		sh_note(sh, w[j].line, "'cd' is not followed: relative paths "
			"are kept as the script wrote them");
	} else {
		sh_simple(sh, j, n);
	}
}

static void sh_add_word(struct sh *sh, const struct sh_tok *t)
{
	struct sh_word *nw;

	if (sh->nwords >= SH_MAX_WORDS) {
		if (!sh->words_cut)
			sh_note(sh, t->line, "more than %d words in a command: "
				"the rest is left out", SH_MAX_WORDS);
		sh->words_cut = true;
		return;
	}
	if (sh->nwords == sh->capwords) {
		size_t cap = sh->capwords ? sh->capwords * 2 : 32;

		nw = realloc(sh->words, cap * sizeof(*nw));
		if (!nw) {
			sh->err = -ENOMEM;
			return;
		}
		sh->words = nw;
		sh->capwords = cap;
	}
	nw = &sh->words[sh->nwords++];
	nw->start = t->start;
	nw->end = t->end;
	nw->line = t->line;
}

static void sh_add_heredoc(struct sh *sh, const struct sh_tok *t,
			   bool strip_tabs)
{
	struct sh_heredoc *h;
	const char *s = sh->text;
	size_t i, k = 0;
	char *d;

	if (sh->nheredocs >= SH_MAX_HEREDOCS)
		return;
	d = malloc(SH_MAX_DELIM + 1);
	if (!d) {
		sh->err = -ENOMEM;
		return;
	}
	for (i = t->start; i < t->end && k < SH_MAX_DELIM; i++) {
		if (s[i] == '\'' || s[i] == '"')
			continue;
		if (s[i] == '\\' && i + 1 < t->end)
			i++;
		d[k++] = s[i];
	}
	d[k] = '\0';
	h = &sh->heredocs[sh->nheredocs++];
	h->delim = d;
	h->strip_tabs = strip_tabs;
	h->line = t->line;
}

/* NAME=( ... ): skips to the matching parenthesis. */
static void sh_skip_array(struct sh *sh, const struct sh_word *w)
{
	struct sh_tok t;
	unsigned depth = 1;

	sh_note(sh, w->line, "arrays are not followed: %.*s(...) is left out",
		(int)(w->end - w->start), sh->text + w->start);
	while (depth && !sh->stop && !sh->err) {
		if (sh_lex(sh, &t) || t.kind == TOK_EOF)
			return;
		if (t.kind == TOK_LPAREN)
			depth++;
		else if (t.kind == TOK_RPAREN)
			depth--;
	}
}

static void sh_walk(struct sh *sh)
{
	struct sh_tok t, t2;
	bool cond = false, redir = false, heredoc = false, strip = false;
	struct sh_word *last;

	while (!sh->stop && !sh->err) {
		if (sh_lex(sh, &t))
			break;
		if (sh->in_pattern) {
			/* pattern words, | between them, up to ')' */
			struct sh_word pw = { t.start, t.end, t.line };

			bool esac = t.kind == TOK_WORD &&
				    sh_word_is(sh, &pw, "esac");

			if (esac)
				sh_pop(sh);
			if (esac || t.kind == TOK_RPAREN)
				sh->in_pattern = false;
			if (t.kind == TOK_EOF)
				break;
			continue;
		}
		if (t.kind == TOK_WORD) {
			if (redir) {
				if (heredoc)
					sh_add_heredoc(sh, &t, strip);
				redir = false;
			} else {
				sh_add_word(sh, &t);
			}
			continue;
		}
		if (t.kind == TOK_REDIR || t.kind == TOK_HEREDOC) {
			redir = true;
			heredoc = t.kind == TOK_HEREDOC;
			strip = t.strip_tabs;
			continue;
		}
		redir = false;
		last = sh->nwords ? &sh->words[sh->nwords - 1] : NULL;
		if (t.kind == TOK_LPAREN) {
			if (last && last->end == t.start &&
			    sh_assignment(sh, last) &&
			    sh->text[last->end - 1] == '=') {
				sh_skip_array(sh, last);
				sh->nwords--;
				continue;
			}
			if (sh->nwords == 1 || (sh->nwords == 2 &&
			    sh_word_is(sh, &sh->words[0], "function"))) {
				if (sh_lex(sh, &t2))
					break;
				if (t2.kind == TOK_RPAREN)
					sh_note(sh, last->line, "function %.*s "
						"is read where it is defined, "
						"as if it ran there",
						(int)(last->end - last->start),
						sh->text + last->start);
				sh->nwords = 0;
				continue;
			}
			if (sh->nwords == 0)
				sh_push(sh, SH_PAREN);
			sh->nwords = 0;
			continue;
		}
		if (t.kind == TOK_RPAREN) {
			if (sh->nwords && sh_word_is(sh, &sh->words[0],
						     "case")) {
				/* case X in PATTERN) on one line */
				sh_push(sh, SH_CASE);
				sh_note(sh, sh->words[0].line, "'case' is not "
					"evaluated: the commands of every "
					"branch are read as if they ran");
				sh->nwords = 0;
				continue;
			}
			if (sh_top(sh) == SH_CASE) {
				sh->nwords = 0;		/* a pattern */
				continue;
			}
			sh_command(sh, cond);
			sh->nwords = 0;
			sh->words_cut = false;
			sh_pop(sh);
			cond = false;
			continue;
		}
		sh_command(sh, cond);
		sh->nwords = 0;
		sh->words_cut = false;
		cond = t.kind == TOK_AND || t.kind == TOK_OR ||
		       t.kind == TOK_PIPE;
		if (t.kind == TOK_DSEMI && sh_top(sh) == SH_CASE)
			sh->in_pattern = true;
		if (t.kind == TOK_EOF)
			break;
	}
}

int sh_run(const char *text, size_t len, const struct sh_ops *ops, void *ctx)
{
	struct sh sh = { .ops = ops, .ctx = ctx, .line = 1 };
	const char *nul = memchr(text, '\0', len);
	size_t i, k = 0, stop = nul ? (size_t)(nul - text) : len;

	sh.text = malloc(stop + 1);
	if (!sh.text)
		return -ENOMEM;
	for (i = 0; i < stop; i++)
		if (!(text[i] == '\r' && i + 1 < stop && text[i + 1] == '\n'))
			sh.text[k++] = text[i];
	sh.text[k] = '\0';
	sh.len = k;
	if (nul)
		sh_note(&sh, 1 + sh_count_lines(sh.text, 0, k), "a NUL byte: "
			"the rest of the file is not read");
	sh_walk(&sh);
	for (i = 0; i < sh.nvars; i++) {
		free(sh.vars[i].name);
		free(sh.vars[i].value);
	}
	for (i = 0; i < sh.nheredocs; i++)
		free(sh.heredocs[i].delim);
	free(sh.vars);
	free(sh.words);
	free(sh.text);
	return sh.err;
}
