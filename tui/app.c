/* app.c - `hyve` with no command: the terminal UI's setup, its poll loop over keys, signals, consoles and VM states, and the store reload. */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "profiles/store.h"
#include "tui/app.h"
#include "tui/hyve.h"
#include "vmm/compat.h"

#define APP_UI_PAIRS	8	/* colour pairs below this are the UI's own */

void app_say(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->message, sizeof(a->message), fmt, ap);
	va_end(ap);
	a->message_is_error = error;
	a->dirty = true;
}

size_t app_running(struct app *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nslots; i++)
		n += a->slot[i]->running;
	return n;
}

size_t app_visible(struct app *a, struct slot **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nslots && n < max; i++)
		if (!a->filter[0] || strstr(a->slot[i]->name, a->filter))
			out[n++] = a->slot[i];
	return n;
}

static struct slot *app_find(struct app *a, const char *name)
{
	for (size_t i = 0; i < a->nslots; i++)
		if (!strcmp(a->slot[i]->name, name))
			return a->slot[i];
	return NULL;
}

/* "NAME.ini:LINE: what" - the first error, without the folder. */
static void first_problem(const struct store_entry *e, char *out, size_t size)
{
	const char *first = e->errs.lines.s ? e->errs.lines.s : "invalid";
	const char *slash = strrchr(e->path, '/');
	size_t dlen = slash ? (size_t)(slash - e->path) + 1 : 0;

	if (dlen && !strncmp(first, e->path, dlen))
		first += dlen;
	snprintf(out, size, "%.*s", (int)strcspn(first, "\n"), first);
}

/* Takes over entry e's profile into slot s. */
static void slot_take(struct slot *s, struct store_entry *e)
{
	str_copy(s->name, e->name, sizeof(s->name));
	str_copy(s->path, e->path, sizeof(s->path));
	s->valid = e->valid;
	s->problem[0] = '\0';
	if (!e->valid)
		first_problem(e, s->problem, sizeof(s->problem));
	if (s->running && s->cfg && e->cfg &&
	    memcmp(s->cfg, e->cfg, sizeof(*e->cfg)))
		s->cfg_changed = true;
	free(s->cfg);
	s->cfg = e->cfg;	/* NULL when broken */
	e->cfg = NULL;
}

static int slot_cmp(const void *x, const void *y)
{
	return strcmp((*(struct slot *const *)x)->name,
		      (*(struct slot *const *)y)->name);
}

void app_reload(struct app *a)
{
	struct store_list list;
	struct slot **next;
	char err[VM_ERR_MAX];
	size_t n = 0;

	if (store_list(a->dir, &list, err)) {
		app_say(a, true, "%s", err);
		return;
	}
	next = calloc(list.count + a->nslots + 1, sizeof(*next));
	if (!next) {
		store_list_free(&list);
		app_say(a, true, "out of memory");
		return;
	}
	for (size_t i = 0; i < list.count; i++) {
		struct slot *s = app_find(a, list.entry[i].name);

		if (!s) {
			s = calloc(1, sizeof(*s));
			if (!s)
				continue;
			s->log_fd = -1;
		}
		slot_take(s, &list.entry[i]);
		next[n++] = s;
	}
	/* Profiles gone from the store: keep those whose VM still runs. */
	for (size_t i = 0; i < a->nslots; i++) {
		struct slot *s = a->slot[i];
		bool kept = false;

		for (size_t j = 0; j < n && !kept; j++)
			kept = next[j] == s;
		if (kept)
			continue;
		if (s->running) {
			s->valid = false;
			snprintf(s->problem, sizeof(s->problem),
				 "%s.ini is gone from the store", s->name);
			next[n++] = s;
			continue;
		}
		if (a->sel == s)
			a->sel = NULL;
		if (a->shown == s)
			a->shown = NULL;
		slot_free(s);
		free(s);
	}
	store_list_free(&list);
	free(a->slot);
	a->slot = next;
	a->nslots = n;
	qsort(a->slot, n, sizeof(*a->slot), slot_cmp);
	if (!a->sel && n)
		a->sel = a->slot[0];
	a->dirty = true;
}

/* The 1 Hz status refresh runs only while the panel shows a running VM. */
static void app_timer(struct app *a)
{
	bool want = a->mode == UI_MANAGER && a->sel && a->sel->running;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (want == a->timer_armed)
		return;
	if (want)
		its.it_interval.tv_sec = its.it_value.tv_sec = 1;
	timerfd_settime(a->timerfd, 0, &its, NULL);
	a->timer_armed = want;
	if (want && a->sel)
		slot_sample_rates(a->sel);
}

static void app_resize(struct app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	a->dirty = true;
}

static void app_signal(struct app *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			app_resize(a);
		else	/* SIGTERM, SIGINT, SIGHUP: power off, a 2nd forces */
			app_start_quit(a, a->mode == UI_QUITTING);
	}
}

static void app_key(struct app *a, int key)
{
	if (key == (KEY_RESIZE | KEYS_FN)) {	/* from our resizeterm() */
		a->dirty = true;
		return;
	}
	if (a->mode != UI_CONSOLE && a->message[0]) {
		a->message[0] = '\0';
		a->dirty = true;
	}
	switch (a->mode) {
	case UI_MANAGER:
		manager_key(a, key);
		break;
	case UI_CONSOLE:
		console_key(a, key);
		break;
	case UI_CONFIRM:
		confirm_key(a, key);
		break;
	case UI_PROMPT:
		prompt_key(a, key);
		break;
	case UI_HELP:
		a->mode = a->help_back;
		break;
	case UI_EDITOR:
		editor_key(a, key);
		break;
	case UI_QUITTING:
		quitting_key(a, key);
		break;
	}
	a->dirty = true;
}

static void app_input(struct app *a)
{
	wint_t wch;
	int rc;

	while ((rc = wget_wch(stdscr, &wch)) != ERR)
		app_key(a, keys_from_wch(rc, wch));
}

/*
 * Console output is drawn at most once a frame: a guest printing fast
 * wakes the loop for every slice, and drawing each one would cost far
 * more than feeding libvterm. Keys and state changes draw at once.
 */
#define APP_FRAME	(1.0 / 60)
/*
 * After taking console output, the consoles rest this long so that the
 * next read takes a batch rather than a byte or two (a 64 KiB ring fills
 * in 2 ms only above 32 MB/s; typing echoes 2 ms later at most).
 */
#define APP_BATCH	0.002

/* After poll: consoles, states, the timer. Returns false to leave. */
static void app_events(struct app *a, struct pollfd *pfd, size_t np)
{
	size_t moved = 0;
	uint64_t v;

	for (size_t i = 0; i < a->nslots; i++) {
		struct slot *s = a->slot[i];

		if (!s->vm)
			continue;
		moved += slot_drain_console(s);
		if (slot_update_state(s)) {
			a->dirty = true;
			if (s->last_error[0] && slot_state(s) == SLOT_FAILED)
				app_say(a, true, "%s failed: %s", s->name,
					s->last_error);
		}
		if (vterm_pane_take_damage(s->pane) &&
		    (s == a->shown || s == a->sel))
			a->damaged = true;
	}
	if (moved)
		a->console_hold = slot_now() + APP_BATCH;
	if (pfd[1].revents && read(a->timerfd, &v, sizeof(v)) == sizeof(v) &&
	    a->sel) {
		slot_sample_rates(a->sel);
		a->dirty = true;
	}
	if (pfd[0].revents)
		app_input(a);
	if (np > 2 && pfd[2].revents)
		app_signal(a);
}

/* Draws when something changed and, for output alone, a frame passed. */
static void app_maybe_draw(struct app *a)
{
	double now = slot_now();

	if (!a->dirty && !(a->damaged && now - a->last_draw >= APP_FRAME))
		return;
	app_draw(a);
	a->dirty = a->damaged = false;
	a->last_draw = now;
}

/* The earlier of a deadline (seconds, <0: none) and the one at t. */
static double sooner(double left, double t, double now)
{
	double d = t - now < 0 ? 0 : t - now;

	return left < 0 || d < left ? d : left;
}

/* Milliseconds poll may wait: the quit deadline, the next frame, the end
 * of the consoles' rest, or -1 (no deadline). */
static int app_poll_timeout(struct app *a, bool hold)
{
	double now = slot_now(), left = -1;

	if (a->mode == UI_QUITTING)
		left = sooner(left, a->quit_deadline, now);
	if (a->damaged)
		left = sooner(left, a->last_draw + APP_FRAME, now);
	if (hold)
		left = sooner(left, a->console_hold, now);
	return left < 0 ? -1 : (int)(left * 1000) + 1;
}

static void app_loop(struct app *a)
{
	while (!a->quit) {
		size_t np = 3, cap = 3 + 2 * a->nslots;
		struct pollfd *pfd = calloc(cap, sizeof(*pfd));
		bool hold = slot_now() < a->console_hold;

		if (!pfd)
			return;
		app_timer(a);
		app_maybe_draw(a);
		pfd[0] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		pfd[1] = (struct pollfd){ a->timerfd, POLLIN, 0 };
		pfd[2] = (struct pollfd){ a->sigfd, POLLIN, 0 };
		for (size_t i = 0; i < a->nslots; i++) {
			if (!a->slot[i]->vm)
				continue;
			if (!hold)
				pfd[np++] = (struct pollfd){
					vm_console_fd(a->slot[i]->vm), POLLIN,
					0 };
			pfd[np++] = (struct pollfd){
				vm_state_fd(a->slot[i]->vm), POLLIN, 0 };
		}
		if (poll(pfd, np, app_poll_timeout(a, hold)) < 0 &&
		    errno != EINTR) {
			free(pfd);
			return;
		}
		app_events(a, pfd, np);
		free(pfd);
		if (a->mode == UI_QUITTING) {
			if (!app_running(a))
				a->quit = true;
			else if (slot_now() >= a->quit_deadline)
				app_start_quit(a, true);
		}
	}
}

static void app_settings(struct app *a)
{
	struct profile_errors errs = { 0 };
	char path[PATH_MAX];

	settings_defaults(&a->settings);
	if (settings_path(path, sizeof(path)))
		return;
	if (settings_load(path, &a->settings, &errs) > 0 && errs.lines.s)
		app_say(a, true, "%.*s", (int)strcspn(errs.lines.s, "\n"),
			errs.lines.s);
	profile_errors_free(&errs);
}

static int app_curses(struct app *a)
{
	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "hyve: the UI needs a terminal; for VMs "
			"without one use hyve run (see hyve(1))\n");
		return -1;
	}
	set_escdelay(25);	/* Esc reaches the guest (vim) at once */
	if (!initscr())
		return -1;
	raw();
	nonl();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	a->tc = term_colors_new(APP_UI_PAIRS);
	return a->tc ? 0 : -1;
}

/* Signals go to a signalfd; blocked before any VM thread exists. */
static int app_signals(struct app *a)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGWINCH);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_CLOEXEC | TFD_NONBLOCK);
	return a->sigfd < 0 || a->timerfd < 0 ? -1 : 0;
}

static void app_autostart(struct app *a)
{
	for (size_t i = 0; i < a->nslots; i++)
		if (a->slot[i]->valid && a->slot[i]->cfg->autostart)
			app_start_slot(a, a->slot[i]);
}

static void app_free(struct app *a)
{
	for (size_t i = 0; i < a->nslots; i++) {
		slot_free(a->slot[i]);
		free(a->slot[i]);
	}
	free(a->slot);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->tc)
		term_colors_free(a->tc);
	free(a);
}

int cmd_ui(void)
{
	char err[VM_ERR_MAX], note[PATH_MAX + 64] = "";
	struct app *a = calloc(1, sizeof(*a));
	int rc = 1;

	if (!a)
		return 1;
	a->sigfd = a->timerfd = -1;
	if (store_dir(hyve_profiles_dir, a->dir, NULL, err)) {
		fprintf(stderr, "hyve: %s\n", err);
		free(a);
		return 1;
	}
	demo_profile_first_start(a->dir, note, sizeof(note));
	if (app_signals(a) || app_curses(a)) {
		if (!isendwin())
			endwin();
		app_free(a);
		return 1;
	}
	a->mode = UI_MANAGER;
	app_settings(a);
	app_reload(a);
	app_autostart(a);
	if (note[0])
		app_say(a, false, "%s", note);
	a->dirty = true;
	app_loop(a);
	rc = 0;
	endwin();
	if (a->editor)
		editor_close(a);
	app_free(a);
	return rc;
}
