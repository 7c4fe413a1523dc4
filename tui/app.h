/* app.h - the terminal UI's shared state: the profile slots, the mode, dialogs, and the functions of its parts. */
#ifndef HYVE_TUI_APP_H
#define HYVE_TUI_APP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "profiles/settings.h"
#include "tui/keys.h"
#include "tui/term-colors.h"
#include "tui/vm-slot.h"

/* Below this the UI says the terminal is too small instead of drawing. */
#define APP_MIN_COLS	60
#define APP_MIN_ROWS	16
#define APP_LIST_WIDTH	34	/* the left column: list and status */
#define APP_QUIT_TIMEOUT 30	/* seconds from power button to force-stop */

enum ui_mode {
	UI_MANAGER,	/* keys act on the list */
	UI_CONSOLE,	/* keys go to the shown VM, except after the prefix */
	UI_CONFIRM,	/* a yes/no (or quit) question on the bottom line */
	UI_PROMPT,	/* a line of text on the bottom line */
	UI_HELP,	/* the key table */
	UI_EDITOR,	/* the profile form */
	UI_QUITTING,	/* waiting for VMs to power off */
};

enum confirm_what { CONFIRM_FORCE_STOP, CONFIRM_DELETE, CONFIRM_QUIT };
enum prompt_what { PROMPT_FILTER, PROMPT_NEW, PROMPT_CLONE };

struct editor;

struct app {
	char dir[PATH_MAX];		/* the profile store */
	struct hyve_settings settings;
	struct slot **slot;		/* sorted by name; pointers stay put */
	size_t nslots;
	struct slot *sel;		/* selected in the list, or NULL */
	struct slot *shown;		/* the console in console mode */
	char filter[NAME_MAX + 1];

	enum ui_mode mode, help_back;	/* help_back: the mode help returns to */
	bool prefix_pending;		/* console mode: the prefix was typed */
	enum confirm_what confirm;
	enum prompt_what prompt;
	char input[NAME_MAX + 1];
	char message[2 * VM_ERR_MAX];
	bool message_is_error;

	int sigfd, timerfd;
	bool timer_armed;
	bool dirty;			/* redraw everything */
	bool damaged;			/* console output shown: redraw at the
					   next frame (see APP_FRAME) */
	double last_draw;		/* monotonic seconds */
	double console_hold;		/* consoles not polled before this */
	bool quit;
	double quit_deadline;		/* UI_QUITTING: force-stop then */
	struct term_colors *tc;
	struct editor *editor;
};

/* app.c */
void app_say(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Re-reads the store; slots of running VMs are kept. */
void app_reload(struct app *a);
/* Slots matching the filter, in list order, into out; returns the count. */
size_t app_visible(struct app *a, struct slot **out, size_t max);
size_t app_running(struct app *a);

/* ui-manager.c: keys in manager mode and of the dialogs */
void manager_key(struct app *a, int key);
void console_key(struct app *a, int key);
void confirm_key(struct app *a, int key);
void prompt_key(struct app *a, int key);
void quitting_key(struct app *a, int key);
void app_start_quit(struct app *a, bool force);
void app_start_slot(struct app *a, struct slot *s);

/* ui-draw.c */
void app_draw(struct app *a);

/* ui-status.c: the status panel's text for s, one line each */
size_t status_lines(struct slot *s, char (*lines)[64], size_t max);

/* ui-editor.c */
void editor_open(struct app *a, struct slot *s);
void editor_key(struct app *a, int key);
void editor_draw(struct app *a, int rows, int cols);
void editor_close(struct app *a);

/* demo-profile.c: on the first start, a profile for the demo guest */
void demo_profile_first_start(const char *dir, char *note, size_t size);

#endif
