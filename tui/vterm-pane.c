/* vterm-pane.c - a VM console: libvterm screen and history, drawn cell by cell into a curses window region. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/keys.h"
#include "tui/scrollback.h"
#include "tui/vterm-guard.h"
#include "tui/vterm-pane.h"
#include "vmm/compat.h"

#define CONTINUATION	((uint32_t)-1)	/* right half of a wide character */

struct vterm_pane {
	VTerm *vt;
	VTermScreen *screen;
	int rows, cols;
	struct scrollback *history;
	vterm_pane_send_fn *send;
	void *user;
	VTermPos cursor;
	bool cursor_visible, reverse_video, damaged;
	int scrolled;		/* lines back from the live screen */
	int pan_row, pan_col;	/* first console row/column shown */
	VTermScreenCell blank;	/* an erased cell */
	VTermScreenCell *line;	/* one row, cols cells, for drawing */
	struct vterm_guard guard;	/* guest bytes pass it first */
};

static void pane_send(struct vterm_pane *p, const char *bytes, size_t len)
{
	if (p->send && len)
		p->send(bytes, len, p->user);
}

static void on_output(const char *s, size_t len, void *user)
{
	pane_send(user, s, len);
}

static int on_damage(VTermRect rect, void *user)
{
	struct vterm_pane *p = user;

	p->damaged = true;
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos oldpos, int visible,
			 void *user)
{
	struct vterm_pane *p = user;

	p->cursor = pos;
	p->damaged = true;
	return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct vterm_pane *p = user;

	if (prop == VTERM_PROP_CURSORVISIBLE)
		p->cursor_visible = val->boolean;
	else if (prop == VTERM_PROP_REVERSE)
		p->reverse_video = val->boolean;
	p->damaged = true;
	return 1;
}

static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct vterm_pane *p = user;

	scrollback_push(p->history, cols, cells);
	if (p->scrolled)
		p->scrolled++;	/* the view stays on the same lines */
	p->damaged = true;
	return 1;
}

static int on_popline(int cols, VTermScreenCell *cells, void *user)
{
	struct vterm_pane *p = user;

	return scrollback_pop(p->history, cols, cells, &p->blank);
}

static const VTermScreenCallbacks screen_callbacks = {
	.damage = on_damage,
	.movecursor = on_movecursor,
	.settermprop = on_settermprop,
	.sb_pushline = on_pushline,
	.sb_popline = on_popline,
};

struct vterm_pane *vterm_pane_new(int rows, int cols, size_t history,
				  vterm_pane_send_fn *send, void *user)
{
	struct vterm_pane *p = calloc(1, sizeof(*p));
	VTermColor fg, bg;

	if (!p || rows < 1 || cols < 1)
		goto fail;
	p->rows = rows;
	p->cols = cols;
	p->send = send;
	p->user = user;
	p->cursor_visible = true;
	p->history = scrollback_new(MAX(history, VTERM_PANE_HISTORY));
	p->line = calloc((size_t)cols, sizeof(*p->line));
	p->vt = vterm_new(rows, cols);
	if (!p->history || !p->line || !p->vt)
		goto fail;
	vterm_set_utf8(p->vt, 1);
	vterm_output_set_callback(p->vt, on_output, p);
	p->screen = vterm_obtain_screen(p->vt);
	vterm_screen_set_callbacks(p->screen, &screen_callbacks, p);
	vterm_screen_set_damage_merge(p->screen, VTERM_DAMAGE_SCROLL);
	vterm_screen_enable_altscreen(p->screen, 1);
	vterm_screen_reset(p->screen, 1);
	/*
	 * libvterm 0.1.4 loops forever on REP (CSI Pn b) before any glyph
	 * was printed: it repeats a glyph of width 0. One blank printed and
	 * taken back gives it a width-1 glyph to repeat; a reset keeps it.
	 */
	vterm_input_write(p->vt, " \r", 2);
	vterm_state_get_default_colors(vterm_obtain_state(p->vt), &fg, &bg);
	p->blank.width = 1;
	p->blank.fg = fg;
	p->blank.bg = bg;
	p->blank.fg.type |= VTERM_COLOR_DEFAULT_FG;
	p->blank.bg.type |= VTERM_COLOR_DEFAULT_BG;
	p->damaged = true;
	return p;
fail:
	vterm_pane_free(p);
	return NULL;
}

void vterm_pane_free(struct vterm_pane *p)
{
	if (!p)
		return;
	if (p->vt)
		vterm_free(p->vt);
	scrollback_free(p->history);
	free(p->line);
	free(p);
}

/*
 * REP, done here instead of by libvterm (see vterm-guard.h): the last
 * character printed count times, as xterm does (wrapping at the margin),
 * at most a screenful.
 */
static void pane_repeat(struct vterm_pane *p, unsigned count)
{
	char buf[1024];
	size_t glen, n = 0;
	const char *glyph = vterm_guard_glyph(&p->guard, &glen);

	count = MIN(count, (unsigned)(p->rows * p->cols));
	while (count--) {
		memcpy(buf + n, glyph, glen);
		n += glen;
		if (n + VTERM_GUARD_GLYPH_MAX > sizeof(buf) || !count) {
			vterm_input_write(p->vt, buf, n);
			n = 0;
		}
	}
}

void vterm_pane_feed(struct vterm_pane *p, const char *bytes, size_t len)
{
	char safe[4096];

	while (len) {
		size_t used, n = MIN(len, sizeof(safe));
		unsigned rep;

		n = vterm_guard_filter(&p->guard, bytes, n, safe, &used, &rep);
		vterm_input_write(p->vt, safe, n);
		if (rep)
			pane_repeat(p, rep);
		bytes += used;
		len -= used;
	}
	vterm_screen_flush_damage(p->screen);
}

bool vterm_pane_take_damage(struct vterm_pane *p)
{
	bool d = p->damaged;

	p->damaged = false;
	return d;
}

int vterm_pane_scrolled(const struct vterm_pane *p)
{
	return p->scrolled;
}

size_t vterm_pane_history(const struct vterm_pane *p)
{
	return scrollback_count(p->history);
}

void vterm_pane_scroll(struct vterm_pane *p, int lines)
{
	long s = (long)p->scrolled + lines;
	long most = (long)scrollback_count(p->history) + p->rows;

	s = s < 0 ? 0 : s > most ? most : s;
	if (s != p->scrolled)
		p->damaged = true;
	p->scrolled = (int)s;
}

/* ---- keys ---- */

static const struct {
	int code;
	VTermKey key;
	VTermModifier mod;
} fn_keys[] = {
	{ KEY_UP, VTERM_KEY_UP, 0 }, { KEY_DOWN, VTERM_KEY_DOWN, 0 },
	{ KEY_LEFT, VTERM_KEY_LEFT, 0 }, { KEY_RIGHT, VTERM_KEY_RIGHT, 0 },
	{ KEY_HOME, VTERM_KEY_HOME, 0 }, { KEY_END, VTERM_KEY_END, 0 },
	{ KEY_IC, VTERM_KEY_INS, 0 }, { KEY_DC, VTERM_KEY_DEL, 0 },
	{ KEY_PPAGE, VTERM_KEY_PAGEUP, 0 }, { KEY_NPAGE, VTERM_KEY_PAGEDOWN, 0 },
	{ KEY_SR, VTERM_KEY_UP, VTERM_MOD_SHIFT },
	{ KEY_SF, VTERM_KEY_DOWN, VTERM_MOD_SHIFT },
	{ KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT },
	{ KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT },
	{ KEY_SHOME, VTERM_KEY_HOME, VTERM_MOD_SHIFT },
	{ KEY_SEND, VTERM_KEY_END, VTERM_MOD_SHIFT },
	{ KEY_SIC, VTERM_KEY_INS, VTERM_MOD_SHIFT },
	{ KEY_SDC, VTERM_KEY_DEL, VTERM_MOD_SHIFT },
	{ KEY_SPREVIOUS, VTERM_KEY_PAGEUP, VTERM_MOD_SHIFT },
	{ KEY_SNEXT, VTERM_KEY_PAGEDOWN, VTERM_MOD_SHIFT },
	{ KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT },
};

/* Modifiers of F13..F63 in xterm's terminfo: each group of 12 adds some
 * (curses has no function key past F63). */
static const VTermModifier fn_groups[] = {
	0, VTERM_MOD_SHIFT, VTERM_MOD_CTRL, VTERM_MOD_CTRL | VTERM_MOD_SHIFT,
	VTERM_MOD_ALT, VTERM_MOD_ALT | VTERM_MOD_SHIFT,
};

static void send_function_key(struct vterm_pane *p, int code)
{
	int n = code - KEY_F0;

	if (n >= 1 && n <= 63) {
		vterm_keyboard_key(p->vt, VTERM_KEY_FUNCTION((n - 1) % 12 + 1),
				   fn_groups[(n - 1) / 12]);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fn_keys); i++)
		if (fn_keys[i].code == code) {
			vterm_keyboard_key(p->vt, fn_keys[i].key, fn_keys[i].mod);
			return;
		}
	if (code == KEY_BACKSPACE)
		pane_send(p, "\x7f", 1);
	else if (code == KEY_ENTER)
		pane_send(p, "\r", 1);
}

void vterm_pane_key(struct vterm_pane *p, int key)
{
	char byte;

	if (key < 0 || (key & KEYS_FN && (key & ~KEYS_FN) == KEY_RESIZE))
		return;
	if (p->scrolled) {
		p->scrolled = 0;
		p->damaged = true;
	}
	if (key & KEYS_FN) {
		send_function_key(p, key & ~KEYS_FN);
	} else if (key < 0x20 || key == 0x7f) {
		byte = (char)key;
		pane_send(p, &byte, 1);
	} else if (key <= 0x10ffff) {
		vterm_keyboard_unichar(p->vt, (uint32_t)key, VTERM_MOD_NONE);
	}
}

/* ---- drawing ---- */

static attr_t cell_attrs(const struct vterm_pane *p, const VTermScreenCell *c)
{
	attr_t a = A_NORMAL;

	if (c->attrs.bold)
		a |= A_BOLD;
	if (c->attrs.underline)
		a |= A_UNDERLINE;
#ifdef A_ITALIC
	if (c->attrs.italic)
		a |= A_ITALIC;
#endif
	if (c->attrs.blink)
		a |= A_BLINK;
	if (c->attrs.reverse != p->reverse_video)
		a |= A_REVERSE;
	return a;
}

static void put_cell(WINDOW *win, int y, int x, const wchar_t *wch,
		     attr_t attrs, int pair)
{
	cchar_t cc;

	if (setcchar(&cc, wch, attrs, (short)pair, NULL) == ERR)
		setcchar(&cc, L"\xfffd", attrs, (short)pair, NULL);
	mvwadd_wch(win, y, x, &cc);
}

/*
 * Draws c at (y, x) with room cells left on its right; returns the cells
 * used. A wide character without room, or one the host's wcwidth() does
 * not agree on, leaves a blank or U+FFFD, so columns never shift.
 */
static int draw_cell(struct vterm_pane *p, struct term_colors *tc,
		     WINDOW *win, int y, int x, const VTermScreenCell *c,
		     int room)
{
	wchar_t wch[CCHARW_MAX + 1] = { L' ' };
	int pair = term_colors_pair(tc, &c->fg, &c->bg), n = 1, k = 1;
	attr_t attrs = cell_attrs(p, c);

	if (c->chars[0] && c->chars[0] != CONTINUATION &&
	    c->chars[0] <= 0x10ffff) {
		int width = wcwidth((wchar_t)c->chars[0]);

		wch[0] = (wchar_t)c->chars[0];
		if (c->width == 2 && width == 2 && room >= 2)
			n = 2;
		else if (c->width == 2 && room < 2)
			wch[0] = L' ';
		else if (width != 1)
			wch[0] = 0xfffd;
	}
	for (int i = 1; wch[0] != L' ' && wch[0] != 0xfffd &&
			i < VTERM_MAX_CHARS_PER_CELL && c->chars[i] &&
			k < CCHARW_MAX; i++)
		if (c->chars[i] <= 0x10ffff &&
		    wcwidth((wchar_t)c->chars[i]) == 0)
			wch[k++] = (wchar_t)c->chars[i];
	wch[k] = 0;
	put_cell(win, y, x, wch, attrs, pair);
	return n;
}

static void draw_blanks(struct vterm_pane *p, struct term_colors *tc,
			WINDOW *win, int y, int x, int n)
{
	int pair = term_colors_pair(tc, &p->blank.fg, &p->blank.bg);

	for (int i = 0; i < n; i++)
		put_cell(win, y, x + i, L" ", cell_attrs(p, &p->blank), pair);
}

/* Fills p->line with line v of history followed by the screen. */
static void fetch_line(struct vterm_pane *p, size_t v)
{
	size_t h = scrollback_count(p->history);

	if (v < h) {
		scrollback_get(p->history, v, p->cols, p->line, &p->blank);
		return;
	}
	for (int col = 0; col < p->cols; col++) {
		VTermPos pos = { .row = (int)(v - h), .col = col };

		vterm_screen_get_cell(p->screen, pos, &p->line[col]);
	}
}

/* Keeps the cursor inside a view of size shown of total, from *first. */
static void follow(int *first, int cursor, int shown, int total)
{
	if (shown >= total) {
		*first = 0;
		return;
	}
	if (cursor < *first)
		*first = cursor;
	else if (cursor >= *first + shown)
		*first = cursor - shown + 1;
	*first = MAX(0, MIN(*first, total - shown));
}

void vterm_pane_render(struct vterm_pane *p, struct term_colors *tc,
		       WINDOW *win, int top, int left, int height, int width,
		       struct vterm_pane_cursor *cursor)
{
	int shown_rows = MIN(height, p->rows), shown_cols = MIN(width, p->cols);
	size_t h = scrollback_count(p->history), first;

	if (height < 1 || width < 1)
		return;
	vterm_screen_flush_damage(p->screen);
	term_colors_begin_frame(tc);
	follow(&p->pan_row, p->cursor.row, height, p->rows);
	follow(&p->pan_col, p->cursor.col, width, p->cols);
	p->scrolled = (int)MIN((size_t)p->scrolled, h + (size_t)p->pan_row);
	first = h + (size_t)p->pan_row - (size_t)p->scrolled;
	for (int y = 0; y < height; y++) {
		int x = 0;

		if (y < shown_rows) {
			fetch_line(p, first + (size_t)y);
			while (x < shown_cols)
				x += draw_cell(p, tc, win, top + y, left + x,
					       &p->line[p->pan_col + x],
					       shown_cols - x);
		}
		draw_blanks(p, tc, win, top + y, left + x, width - x);
	}
	if (cursor) {
		cursor->y = top + p->cursor.row - p->pan_row;
		cursor->x = left + p->cursor.col - p->pan_col;
		cursor->visible = p->cursor_visible && !p->scrolled &&
				  p->cursor.row >= p->pan_row &&
				  p->cursor.row < p->pan_row + shown_rows &&
				  p->cursor.col >= p->pan_col &&
				  p->cursor.col < p->pan_col + shown_cols;
	}
	p->damaged = false;
}
