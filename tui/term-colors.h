/* term-colors.h - libvterm colours to the host terminal's colours, through a cache of curses colour pairs. */
#ifndef HYVE_TUI_TERM_COLORS_H
#define HYVE_TUI_TERM_COLORS_H

#include <curses.h>
#include <vterm.h>

struct term_colors;

/*
 * Call after start_color(). Pairs from first_pair up to COLOR_PAIRS - 1
 * (at most 32767) belong to the cache; the UI keeps those below for itself.
 * Returns NULL when out of memory.
 */
struct term_colors *term_colors_new(int first_pair);
void term_colors_free(struct term_colors *tc);

/*
 * The curses colour number nearest to c on this terminal: -1 for the
 * terminal's default (when use_default_colors() works), a palette index
 * below COLORS otherwise. 16 and 256-colour indexes and RGB are matched
 * against the xterm palette.
 */
int term_colors_number(const struct term_colors *tc, const VTermColor *c,
		       bool foreground);

/* Starts a frame: pairs handed out from now on are not recycled until the
 * next frame starts, so one redraw never repaints its own cells. */
void term_colors_begin_frame(struct term_colors *tc);

/* The pair for (fg, bg), creating or recycling one; 0 without colours. */
int term_colors_pair(struct term_colors *tc, const VTermColor *fg,
		     const VTermColor *bg);

#endif
