/* keys.h - every key binding of the UI in one table (manager mode and console prefix keys), with help text. */
#ifndef HYVE_TUI_KEYS_H
#define HYVE_TUI_KEYS_H

#include <curses.h>
#include <stddef.h>

#include "profiles/settings.h"

/*
 * One key as an int: a character (Unicode code point or control byte), or
 * a curses function key code (KEY_UP ...) with KEYS_FN set, since the two
 * ranges overlap (KEY_UP == U+0103).
 */
#define KEYS_FN		0x40000000
/* In the table: the configured console prefix key. */
#define KEYS_PREFIX	(-2)

/* Turns a wget_wch() result into a key. */
static inline int keys_from_wch(int rc, wint_t wch)
{
	return rc == KEY_CODE_YES ? (int)wch | KEYS_FN : (int)wch;
}

enum key_mode {
	KEYMODE_MANAGER,	/* keys act on the VM list */
	KEYMODE_CONSOLE,	/* the key typed after the console prefix */
};

enum key_action {
	ACTION_NONE,
	/* manager mode */
	ACTION_UP,
	ACTION_DOWN,
	ACTION_ATTACH,
	ACTION_START,
	ACTION_POWER_BUTTON,
	ACTION_FORCE_STOP,
	ACTION_RESET,
	ACTION_PAUSE,
	ACTION_EDIT,
	ACTION_NEW,
	ACTION_CLONE,
	ACTION_DELETE,
	ACTION_FILTER,
	ACTION_QUIT,
	/* console mode, after the prefix */
	ACTION_DETACH,
	ACTION_NEXT_CONSOLE,
	ACTION_PREV_CONSOLE,
	ACTION_JUMP_CONSOLE,	/* arg: the VM's number, 1 to 9 */
	ACTION_SCROLL_UP,
	ACTION_SCROLL_DOWN,
	ACTION_LITERAL_PREFIX,
	/* both */
	ACTION_HELP,
};

struct key_binding {
	enum key_mode mode;
	int key, last;		/* last: end of a range like 1-9, else 0 */
	enum key_action action;
	const char *description;	/* also in hyve(1), word for word */
};

extern const struct key_binding key_bindings[];
extern const size_t key_bindings_count;

/*
 * What key does in mode (prefix: the configured prefix byte). For
 * ACTION_JUMP_CONSOLE, *arg gets the number (arg may be NULL otherwise).
 */
enum key_action keys_lookup(enum key_mode mode, int key, unsigned char prefix,
			    int *arg);

/* A key's name for people: "Up", "PgDn", "Enter", "C-]", "j". */
const char *keys_name(int key, unsigned char prefix, char *buf, size_t size);

/* One help screen line: all keys of one action, and what it does. */
struct key_help {
	char keys[32];		/* "Up, k", "1-9", "C-]" */
	const char *description;
};

/* Fills out with the help lines of mode in table order; returns the count. */
size_t keys_help(enum key_mode mode, unsigned char prefix,
		 struct key_help *out, size_t max);

#endif
