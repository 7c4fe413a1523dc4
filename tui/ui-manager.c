/* ui-manager.c - what keys do: the VM list (manager mode), console mode with its prefix, confirmations, prompts and quitting. */
#include <curses.h>
#include <errno.h>
#include <string.h>

#include "profiles/store.h"
#include "tui/app.h"
#include "vmm/compat.h"

#define APP_VISIBLE_MAX 1024

void app_start_slot(struct app *a, struct slot *s)
{
	char err[VM_ERR_MAX];

	if (slot_start(s, err))
		app_say(a, true, "%s: %s", s->name, err);
	else
		app_say(a, false, "%s started", s->name);
}

/* The selected slot moved by delta among the visible ones. */
static void move_selection(struct app *a, int delta)
{
	struct slot *vis[APP_VISIBLE_MAX];
	size_t n = app_visible(a, vis, ARRAY_SIZE(vis)), i;

	if (!n) {
		a->sel = NULL;
		return;
	}
	for (i = 0; i < n && vis[i] != a->sel; i++)
		;
	if (i == n)
		i = 0;
	else if (delta < 0 && i > 0)
		i--;
	else if (delta > 0 && i + 1 < n)
		i++;
	a->sel = vis[i];
}

static bool need_vm(struct app *a, struct slot *s, bool running)
{
	if (!s) {
		app_say(a, true, "no VM selected");
		return false;
	}
	if (running && !s->running) {
		app_say(a, true, "%s is not running (s starts it)", s->name);
		return false;
	}
	return true;
}

static void ask(struct app *a, enum confirm_what what, const char *fmt,
		const char *name)
{
	a->confirm = what;
	a->mode = UI_CONFIRM;
	app_say(a, false, fmt, name);
}

static void ask_text(struct app *a, enum prompt_what what)
{
	a->prompt = what;
	a->mode = UI_PROMPT;
	if (what == PROMPT_FILTER)
		str_copy(a->input, a->filter, sizeof(a->input));
	else
		a->input[0] = '\0';
}

static void attach(struct app *a, struct slot *s)
{
	if (!s->pane) {
		app_say(a, true, "%s has no console yet (s starts it)",
			s->name);
		return;
	}
	a->shown = s;
	a->sel = s;
	a->mode = UI_CONSOLE;
	a->prefix_pending = false;
	clear();
}

static void pause_or_resume(struct app *a, struct slot *s)
{
	bool paused = slot_state(s) == SLOT_PAUSED;
	int rc = paused ? vm_resume(s->vm) : vm_pause(s->vm);

	if (rc)
		app_say(a, true, "%s: cannot %s: %s", s->name,
			paused ? "resume" : "pause", strerror(-rc));
	else
		app_say(a, false, "%s %s", s->name,
			paused ? "resumed" : "paused");
}

static void show_help(struct app *a)
{
	a->help_back = a->mode;
	a->mode = UI_HELP;
}

static void quit_key(struct app *a)
{
	if (!app_running(a)) {
		a->quit = true;
		return;
	}
	a->confirm = CONFIRM_QUIT;
	a->mode = UI_CONFIRM;
	app_say(a, false, "%zu VM(s) running: p power off (force after "
		"%d s), f force-stop, c cancel", app_running(a),
		APP_QUIT_TIMEOUT);
}

void manager_key(struct app *a, int key)
{
	enum key_action act = keys_lookup(KEYMODE_MANAGER, key,
					  a->settings.prefix, NULL);
	struct slot *s = a->sel;
	int rc;

	switch (act) {
	case ACTION_UP:
	case ACTION_DOWN:
		move_selection(a, act == ACTION_UP ? -1 : 1);
		break;
	case ACTION_ATTACH:
		if (need_vm(a, s, false))
			attach(a, s);
		break;
	case ACTION_START:
		if (need_vm(a, s, false))
			app_start_slot(a, s);
		break;
	case ACTION_POWER_BUTTON:
		if (!need_vm(a, s, true))
			break;
		rc = vm_power_button(s->vm);
		app_say(a, rc != 0, "%s: %s", s->name, rc ? strerror(-rc) :
			"power button pressed");
		break;
	case ACTION_FORCE_STOP:
		if (need_vm(a, s, true))
			ask(a, CONFIRM_FORCE_STOP,
			    "force-stop %s? The guest loses unsaved data. "
			    "y/n", s->name);
		break;
	case ACTION_RESET:
		if (!need_vm(a, s, true))
			break;
		rc = vm_reset(s->vm);
		app_say(a, rc != 0, "%s: %s", s->name, rc ? strerror(-rc) :
			"reset");
		break;
	case ACTION_PAUSE:
		if (need_vm(a, s, true))
			pause_or_resume(a, s);
		break;
	case ACTION_EDIT:
		if (need_vm(a, s, false))
			editor_open(a, s);
		break;
	case ACTION_NEW:
		ask_text(a, PROMPT_NEW);
		break;
	case ACTION_CLONE:
		if (need_vm(a, s, false))
			ask_text(a, PROMPT_CLONE);
		break;
	case ACTION_DELETE:
		if (!need_vm(a, s, false))
			break;
		if (s->running)
			app_say(a, true, "%s is running: stop it before "
				"deleting its profile", s->name);
		else
			ask(a, CONFIRM_DELETE, "delete %s? The profile "
			    "moves to the trash (.trash). y/n", s->name);
		break;
	case ACTION_FILTER:
		ask_text(a, PROMPT_FILTER);
		break;
	case ACTION_HELP:
		show_help(a);
		break;
	case ACTION_QUIT:
		quit_key(a);
		break;
	default:
		break;
	}
}

/* The next (dir 1) or previous (-1) visible VM with a console. */
static void cycle_console(struct app *a, int dir)
{
	struct slot *vis[APP_VISIBLE_MAX];
	size_t n = app_visible(a, vis, ARRAY_SIZE(vis)), at = 0;

	for (size_t i = 0; i < n; i++)
		if (vis[i] == a->shown)
			at = i;
	for (size_t step = 1; step < n; step++) {
		struct slot *s = vis[(at + n + (size_t)dir * step) % n];

		if (s->pane) {
			attach(a, s);
			return;
		}
	}
	app_say(a, true, "no other VM has a console");
}

static void jump_console(struct app *a, int number)
{
	struct slot *vis[APP_VISIBLE_MAX];
	size_t n = app_visible(a, vis, ARRAY_SIZE(vis));

	if (number < 1 || (size_t)number > n)
		app_say(a, true, "there is no VM %d in the list", number);
	else
		attach(a, vis[number - 1]);
}

static void prefix_action(struct app *a, int key)
{
	int arg = 0;
	struct slot *s = a->shown;
	int page = MAX(1, LINES - 3);
	char c = (char)a->settings.prefix;

	switch (keys_lookup(KEYMODE_CONSOLE, key, a->settings.prefix, &arg)) {
	case ACTION_DETACH:
		a->mode = UI_MANAGER;
		break;
	case ACTION_NEXT_CONSOLE:
		cycle_console(a, 1);
		break;
	case ACTION_PREV_CONSOLE:
		cycle_console(a, -1);
		break;
	case ACTION_JUMP_CONSOLE:
		jump_console(a, arg);
		break;
	case ACTION_SCROLL_UP:
		vterm_pane_scroll(s->pane, page);
		break;
	case ACTION_SCROLL_DOWN:
		vterm_pane_scroll(s->pane, -page);
		break;
	case ACTION_LITERAL_PREFIX:
		slot_send(s, &c, 1);
		break;
	case ACTION_HELP:
		show_help(a);
		break;
	default:
		app_say(a, true, "that key means nothing after the prefix; "
			"? lists the keys");
		break;
	}
}

void console_key(struct app *a, int key)
{
	struct slot *s = a->shown;

	if (!s || !s->pane) {
		a->mode = UI_MANAGER;
		return;
	}
	if (a->prefix_pending) {
		a->prefix_pending = false;
		a->message[0] = '\0';
		prefix_action(a, key);
		return;
	}
	if (key == a->settings.prefix) {
		a->prefix_pending = true;
		return;
	}
	if (!s->running)
		app_say(a, true, "%s is not running: keys go nowhere",
			s->name);
	else
		vterm_pane_key(s->pane, key);
}

static void delete_profile(struct app *a, struct slot *s)
{
	char err[VM_ERR_MAX], trashed[PATH_MAX];

	if (store_delete(a->dir, s->name, trashed, err)) {
		app_say(a, true, "%s", err);
		return;
	}
	app_say(a, false, "%s moved to %s", s->name, trashed);
	app_reload(a);
}

void app_start_quit(struct app *a, bool force)
{
	a->mode = UI_QUITTING;
	for (size_t i = 0; i < a->nslots; i++) {
		struct slot *s = a->slot[i];

		if (!s->running)
			continue;
		if (force)
			vm_force_stop(s->vm);
		else
			vm_power_button(s->vm);
	}
	if (!force)
		a->quit_deadline = slot_now() + APP_QUIT_TIMEOUT;
	else
		a->quit_deadline = slot_now() + 3600;
	app_say(a, false, "%s %zu VM(s)%s", force ? "force-stopping" :
		"powering off", app_running(a), force ? "" :
		"; f force-stops them now");
}

void quitting_key(struct app *a, int key)
{
	if (key == 'f' || key == 'K')
		app_start_quit(a, true);
}

void confirm_key(struct app *a, int key)
{
	struct slot *s = a->sel;

	a->mode = UI_MANAGER;
	a->message[0] = '\0';
	if (a->confirm == CONFIRM_QUIT) {
		if (key == 'p' || key == 'y')
			app_start_quit(a, false);
		else if (key == 'f')
			app_start_quit(a, true);
		return;
	}
	if ((key != 'y' && key != 'Y') || !s)
		return;
	if (a->confirm == CONFIRM_FORCE_STOP && s->running) {
		vm_force_stop(s->vm);
		app_say(a, false, "%s force-stopped", s->name);
	} else if (a->confirm == CONFIRM_DELETE) {
		delete_profile(a, s);
	}
}

static void prompt_done(struct app *a)
{
	char err[VM_ERR_MAX];
	struct slot *s = a->sel;
	int rc = 0;

	if (a->prompt == PROMPT_FILTER) {
		str_copy(a->filter, a->input, sizeof(a->filter));
		move_selection(a, 0);
		return;
	}
	if (!a->input[0])
		return;
	if (a->prompt == PROMPT_NEW)
		rc = store_create(a->dir, a->input, err);
	else if (s)
		rc = store_clone(a->dir, s->name, a->input, err);
	if (rc) {
		app_say(a, true, "%s", err);
		return;
	}
	app_reload(a);
	for (size_t i = 0; i < a->nslots; i++)
		if (!strcmp(a->slot[i]->name, a->input))
			a->sel = a->slot[i];
	if (a->prompt == PROMPT_NEW && a->sel)
		editor_open(a, a->sel);
	else
		app_say(a, false, "%s created", a->input);
}

void prompt_key(struct app *a, int key)
{
	size_t len = strlen(a->input);

	if (key == '\r' || key == '\n' || key == (KEY_ENTER | KEYS_FN)) {
		a->mode = UI_MANAGER;
		prompt_done(a);
	} else if (key == 0x1b || key == 0x07 || key == 0x03) {
		a->mode = UI_MANAGER;
	} else if (key == 0x7f || key == 0x08 ||
		   key == (KEY_BACKSPACE | KEYS_FN)) {
		if (len)
			a->input[len - 1] = '\0';
	} else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof(a->input)) {
		a->input[len] = (char)key;
		a->input[len + 1] = '\0';
	}
	if (a->mode == UI_PROMPT && a->prompt == PROMPT_FILTER) {
		str_copy(a->filter, a->input, sizeof(a->filter));
		move_selection(a, 0);
	}
}
