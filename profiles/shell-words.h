/* shell-words.h - reads a POSIX sh script into expanded simple commands without running it (POSIX.1-2017 XCU 2.2-2.6, 2.9). */
#ifndef HYVE_SHELL_WORDS_H
#define HYVE_SHELL_WORDS_H

#include <stddef.h>

/*
 * This is not a shell: nothing is executed. Plain assignments are followed
 * in script order, $VAR and ${VAR} (with :- = + ?) are expanded, quotes are
 * removed and unquoted expansions are split into fields on IFS, the way sh
 * builds a command's argv. Everything else (command substitution, loops,
 * conditionals, functions, arrays, here-documents) is stepped over with a
 * note naming the line: the commands inside if/case/loops/functions are
 * read once, in order, as if they ran.
 */

/* One field of an expanded command: what the program finds in argv. */
struct sh_field {
	char *text;
	unsigned line;		/* script line of the word it came from */
	char *var;		/* first variable expanded into it, or NULL */
};

/* Something the reader could not follow, for "SCRIPT:LINE: text". */
struct sh_note {
	unsigned line;
	char *text;
};

/* A simple command after expansion (assignments and keywords removed). */
struct sh_command {
	struct sh_field *argv;
	size_t argc;		/* at least 1 */
	unsigned line;		/* line of its first word */
	struct sh_note *notes;	/* met while expanding this command */
	size_t nnotes;
};

struct sh_ops {
	/*
	 * Called for each simple command in script order; the command and
	 * its notes are freed after the call returns. A nonzero return stops
	 * the walk and becomes sh_run()'s result.
	 */
	int (*command)(void *ctx, const struct sh_command *cmd);
	/* Script-level notes (constructs not followed, syntax errors). */
	int (*note)(void *ctx, unsigned line, const char *text);
};

/*
 * Reads len bytes of script text (it need not be NUL-terminated). Returns
 * 0 (also when the script has a syntax error: that is a note), -ENOMEM,
 * or the first nonzero value a callback returned.
 */
int sh_run(const char *text, size_t len, const struct sh_ops *ops, void *ctx);

#endif
