/* ui-draw.c - drawing the UI: the VM list, the console pane, the status panel, help, the bottom line, and the too-small notice. */
#include <curses.h>
#include <string.h>

#include "tui/app.h"
#include "vmm/compat.h"

#define STATUS_LINES_MAX 32
#define VISIBLE_MAX 1024

/* Text at (y, x), cut to width columns and padded with blanks. */
static void put(int y, int x, int width, const char *text)
{
	if (width <= 0)
		return;
	mvaddnstr(y, x, text, width);
	for (int c = getcurx(stdscr); c < x + width && c > 0; c++)
		addch(' ');
}

static void draw_list(struct app *a, int top, int height)
{
	struct slot *vis[VISIBLE_MAX];
	size_t n = app_visible(a, vis, ARRAY_SIZE(vis)), first = 0, at = 0;
	char row[256], mem[16];

	attron(A_BOLD);
	put(top, 0, APP_LIST_WIDTH, a->filter[0] ? " # VM (filtered)" :
	    " # VM           STATE    CPU  MEM");
	attroff(A_BOLD);
	for (size_t i = 0; i < n; i++)
		if (vis[i] == a->sel)
			at = i;
	if (at >= (size_t)height - 1)
		first = at - (size_t)height + 2;
	for (int r = 1; r < height; r++) {
		size_t i = first + (size_t)r - 1;
		struct slot *s = i < n ? vis[i] : NULL;

		if (!s) {
			put(top + r, 0, APP_LIST_WIDTH, "");
			continue;
		}
		if (s->cfg)
			snprintf(mem, sizeof(mem), "%lluM",
				 (unsigned long long)(s->cfg->memory >> 20));
		if (slot_state(s) == SLOT_BROKEN)
			snprintf(row, sizeof(row), "%2zu %-12.12s broken: %.200s",
				 i + 1, s->name, s->problem);
		else
			snprintf(row, sizeof(row), "%2zu %-12.12s %-8s %3u %5s",
				 i + 1, s->name, slot_state_name(slot_state(s)),
				 s->cfg ? s->cfg->cpus : 0, s->cfg ? mem : "");
		if (s == a->sel)
			attron(A_REVERSE);
		put(top + r, 0, APP_LIST_WIDTH, row);
		attroff(A_REVERSE);
	}
}

static void draw_status(struct app *a, int top, int height)
{
	char lines[STATUS_LINES_MAX][64];
	size_t n = a->sel ? status_lines(a->sel, lines, ARRAY_SIZE(lines))
		: 0;

	mvhline(top, 0, ACS_HLINE, APP_LIST_WIDTH);
	for (int r = 1; r < height; r++)
		put(top + r, 0, APP_LIST_WIDTH,
		    (size_t)r - 1 < n ? lines[r - 1] : "");
}

static void draw_pane(struct app *a, struct slot *s, int top, int left,
		      int height, int width, bool focus)
{
	struct vterm_pane_cursor cur;
	char title[128];

	if (!s || !s->pane) {
		for (int r = 0; r < height; r++)
			put(top + r, left, width, "");
		put(top + height / 2, left + 2, width - 2, !s ?
		    "no profiles: n creates one" : !s->valid ?
		    "the profile has errors: e edits it" :
		    "not started: s starts it, Enter attaches");
		curs_set(0);
		return;
	}
	snprintf(title, sizeof(title), " %.60s - %s%s", s->name,
		 slot_state_name(slot_state(s)),
		 vterm_pane_scrolled(s->pane) ? " (scrolled back)" : "");
	attron(A_BOLD);
	put(top, left, width, title);
	attroff(A_BOLD);
	term_colors_begin_frame(a->tc);
	vterm_pane_render(s->pane, a->tc, stdscr, top + 1, left, height - 1,
			  width, &cur);
	if (focus && cur.visible) {
		curs_set(1);
		move(cur.y, cur.x);
	} else {
		curs_set(0);
	}
}

static void draw_help(struct app *a, int rows, int cols)
{
	struct key_help help[64];
	char spec[8], line[256];
	int y = 0;
	static const struct {
		enum key_mode mode;
		const char *title;
	} parts[] = {
		{ KEYMODE_MANAGER, "Manager mode (the VM list)" },
		{ KEYMODE_CONSOLE, "Console mode: after the prefix key" },
	};

	curs_set(0);
	for (size_t p = 0; p < ARRAY_SIZE(parts) && y < rows - 1; p++) {
		size_t n = keys_help(parts[p].mode, a->settings.prefix, help,
				     ARRAY_SIZE(help));

		attron(A_BOLD);
		snprintf(line, sizeof(line), "%s%s%s", parts[p].title,
			 parts[p].mode == KEYMODE_CONSOLE ? " " : "",
			 parts[p].mode == KEYMODE_CONSOLE ?
			 key_spec_name(a->settings.prefix, spec) : "");
		put(y++, 0, cols, line);
		attroff(A_BOLD);
		for (size_t i = 0; i < n && y < rows - 1; i++) {
			snprintf(line, sizeof(line), "  %-12.31s %.200s",
				 help[i].keys, help[i].description);
			put(y++, 0, cols, line);
		}
		y++;
	}
}

static void draw_bottom(struct app *a, int row, int cols)
{
	char line[2 * VM_ERR_MAX + 64], spec[8];

	if (a->mode == UI_PROMPT) {
		snprintf(line, sizeof(line), "%s: %s",
			 a->prompt == PROMPT_FILTER ? "filter" :
			 a->prompt == PROMPT_NEW ? "new profile name" :
			 "clone as", a->input);
	} else if (a->message[0]) {
		str_copy(line, a->message, sizeof(line));
	} else if (a->mode == UI_CONSOLE) {
		snprintf(line, sizeof(line), a->prefix_pending ?
			 "%s: d back, n/p next/prev, 1-9, PgUp/PgDn, ? help" :
			 "console: %s d returns to the list, %s ? help",
			 key_spec_name(a->settings.prefix, spec),
			 key_spec_name(a->settings.prefix, spec));
	} else if (a->mode == UI_EDITOR) {
		str_copy(line, "Enter edit  a add disk  A add NIC  x remove  "
			 "w save  q close", sizeof(line));
	} else if (a->mode == UI_HELP) {
		str_copy(line, "any key closes the help", sizeof(line));
	} else {
		str_copy(line, "Enter console  s start  S power  K kill  "
			 "e edit  n new  d delete  ? help  q quit",
			 sizeof(line));
	}
	if (a->message_is_error && a->message[0] && a->mode != UI_PROMPT)
		attron(A_BOLD);
	attron(A_REVERSE);
	put(row, 0, cols, line);
	attroff(A_REVERSE | A_BOLD);
}

void app_draw(struct app *a)
{
	int rows = LINES, cols = COLS;
	int list_h;

	if (rows < APP_MIN_ROWS || cols < APP_MIN_COLS) {
		erase();
		curs_set(0);
		mvprintw(0, 0, "terminal too small: %dx%d, hyve needs at "
			 "least %dx%d", cols, rows, APP_MIN_COLS,
			 APP_MIN_ROWS);
		refresh();
		return;
	}
	erase();	/* curses sends only what changed */
	/* the bottom line first: the pane leaves the cursor in place */
	draw_bottom(a, rows - 1, cols);
	if (a->mode == UI_HELP) {
		draw_help(a, rows, cols);
	} else if (a->mode == UI_EDITOR) {
		editor_draw(a, rows, cols);
	} else if (a->mode == UI_CONSOLE) {
		draw_pane(a, a->shown, 0, 0, rows - 1, cols, true);
	} else {
		list_h = MAX(3, MIN((int)a->nslots + 2, (rows - 1) / 3));
		draw_list(a, 0, list_h);
		draw_status(a, list_h, rows - 1 - list_h);
		mvvline(0, APP_LIST_WIDTH, ACS_VLINE, rows - 1);
		draw_pane(a, a->sel, 0, APP_LIST_WIDTH + 1, rows - 1,
			  cols - APP_LIST_WIDTH - 1, false);
	}
	refresh();
}
