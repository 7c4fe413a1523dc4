/* vterm-pane.h - one VM console: a libvterm screen fed the guest's bytes, its history, drawing into curses, and key encoding. */
#ifndef HYVE_TUI_VTERM_PANE_H
#define HYVE_TUI_VTERM_PANE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/term-colors.h"

/* History kept per console unless the caller asks for more. */
#define VTERM_PANE_HISTORY 10000

/* Bytes for the guest: typed keys, and libvterm's answers to its queries. */
typedef void vterm_pane_send_fn(const char *bytes, size_t len, void *user);

struct vterm_pane;

/*
 * A console of rows x cols (the profile's size) keeping history lines
 * (at least VTERM_PANE_HISTORY are kept whatever is asked). send may be
 * NULL. Returns NULL when out of memory.
 */
struct vterm_pane *vterm_pane_new(int rows, int cols, size_t history,
				  vterm_pane_send_fn *send, void *user);
void vterm_pane_free(struct vterm_pane *p);

/* Guest output; call it for every console, shown or not. */
void vterm_pane_feed(struct vterm_pane *p, const char *bytes, size_t len);

/* True once after anything visible changed (then redraw). */
bool vterm_pane_take_damage(struct vterm_pane *p);

/*
 * A key typed in console mode (a keys_from_wch() value) to the guest.
 * Control bytes (C-a..C-z, Esc, C-\ C-] C-^ C-_, DEL) go raw, so the
 * UI must run in raw() and nonl() mode to tell Enter (C-m) from C-j;
 * other keys are encoded by libvterm in the guest's current modes. A
 * key also ends scrollback, back to the live screen.
 */
void vterm_pane_key(struct vterm_pane *p, int key);

/* Scrolls the view lines back into history (negative: forward), clamped. */
void vterm_pane_scroll(struct vterm_pane *p, int lines);
/* How many lines the view is scrolled back; 0 is the live screen. */
int vterm_pane_scrolled(const struct vterm_pane *p);
/* Lines in history now. */
size_t vterm_pane_history(const struct vterm_pane *p);

struct vterm_pane_cursor {
	bool visible;	/* shown, live and inside the region */
	int y, x;	/* window coordinates */
};

/*
 * Draws the console into the region of win at (top, left), height x
 * width. A region smaller than the console shows the part around the
 * cursor (the view pans to follow it); a larger one is blanked around it.
 * Colours go through tc. cursor (may be NULL) gets where to put the
 * cursor. Does not refresh the window.
 */
void vterm_pane_render(struct vterm_pane *p, struct term_colors *tc,
		       WINDOW *win, int top, int left, int height, int width,
		       struct vterm_pane_cursor *cursor);

#endif
