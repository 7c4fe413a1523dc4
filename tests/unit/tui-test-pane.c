/* tui-test-pane.c - the console pane drawn into curses: characters, attributes, colours, wide and combining characters, panning, history, keys and query replies. */
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tui/keys.h"
#include "tui/scrollback.h"
#include "tui/vterm-pane.h"
#include "vmm/compat.h"

static SCREEN *screen;
static WINDOW *win;
static struct term_colors *tc;

/* What the guest was sent. */
static char sent[256];
static size_t sent_len;

static void collect(const char *bytes, size_t len, void *user)
{
	if (sent_len + len < sizeof(sent)) {
		memcpy(sent + sent_len, bytes, len);
		sent_len += len;
		sent[sent_len] = 0;
	}
}

static void feed(struct vterm_pane *p, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vterm_pane_feed(p, buf, (size_t)n);
}

struct cell {
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	int fg, bg;
};

/* Reads the window cell at (y, x) back, with its pair's colours. */
static struct cell cell_at(int y, int x)
{
	struct cell c = { { 0 }, 0, 0, 0 };
	cchar_t cc;
	short pair, fg, bg;

	if (mvwin_wch(win, y, x, &cc) == ERR ||
	    getcchar(&cc, c.wch, &c.attrs, &pair, NULL) == ERR) {
		c.wch[0] = L'!';
		return c;
	}
	pair_content(pair, &fg, &bg);
	c.fg = fg;
	c.bg = bg;
	return c;
}

/* The n characters at (y, x) as UTF-8, for ASCII-ish rows. */
static const char *text_at(int y, int x, int n)
{
	static char buf[512];
	size_t len = 0;

	for (int i = 0; i < n && len + 8 < sizeof(buf); i++) {
		int w = wctomb(buf + len, cell_at(y, x + i).wch[0]);

		len += w > 0 ? (size_t)w : 0;
	}
	buf[len] = 0;
	return buf;
}

/* Fills the whole window with '.' so drawing outside a region shows. */
static void clear_window(void)
{
	for (int y = 0; y < getmaxy(win); y++)
		for (int x = 0; x < getmaxx(win); x++)
			mvwaddch(win, y, x, '.');
}

static struct vterm_pane *pane_24x80(void)
{
	struct vterm_pane *p = vterm_pane_new(24, 80, 0, collect, NULL);

	CHECK(p != NULL, "vterm_pane_new failed");
	if (!p)
		exit(1);
	sent_len = 0;
	sent[0] = 0;
	return p;
}

static void test_text_and_attributes(void)
{
	struct vterm_pane *p = pane_24x80();

	feed(p, "plain \x1b[1mbold\x1b[0m \x1b[4mul\x1b[0m \x1b[7mrev\x1b[0m "
	     "\x1b[3mit\x1b[0m \x1b[1;4;7mall\x1b[0m");
	CHECK(vterm_pane_take_damage(p), "no damage after output");
	CHECK(!vterm_pane_take_damage(p), "damage reported twice");
	clear_window();
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 26), "plain bold ul rev it all  "),
	      "row 0: \"%s\"", text_at(0, 0, 26));
	CHECK((cell_at(0, 0).attrs & (A_BOLD | A_UNDERLINE | A_REVERSE)) == 0,
	      "plain text has attributes %#lx",
	      (unsigned long)cell_at(0, 0).attrs);
	CHECK(cell_at(0, 6).attrs & A_BOLD, "bold missing");
	CHECK(!(cell_at(0, 10).attrs & A_BOLD), "bold leaks into the space");
	CHECK(cell_at(0, 11).attrs & A_UNDERLINE, "underline missing");
	CHECK(cell_at(0, 14).attrs & A_REVERSE, "reverse missing");
	CHECK(!(cell_at(0, 14).attrs & A_BOLD), "reverse cell is bold");
#ifdef A_ITALIC
	CHECK(cell_at(0, 18).attrs & A_ITALIC, "italic missing");
#endif
	CHECK((cell_at(0, 21).attrs & (A_BOLD | A_UNDERLINE | A_REVERSE)) ==
	      (A_BOLD | A_UNDERLINE | A_REVERSE), "combined attributes %#lx",
	      (unsigned long)cell_at(0, 21).attrs);
	/* the rest of the row and screen is blank */
	CHECK(!strcmp(text_at(0, 24, 56), text_at(1, 0, 56)) &&
	      cell_at(1, 0).wch[0] == L' ', "blank area: \"%s\"",
	      text_at(1, 0, 56));
	vterm_pane_free(p);
}

static void expect_colors(int x, wchar_t ch, int fg, int bg)
{
	struct cell c = cell_at(0, x);

	CHECK(c.wch[0] == ch && c.fg == fg && c.bg == bg,
	      "cell %d: '%lc' fg %d bg %d, want '%lc' fg %d bg %d", x,
	      (wint_t)c.wch[0], c.fg, c.bg, (wint_t)ch, fg, bg);
}

static void test_colors(void)
{
	struct vterm_pane *p = pane_24x80();

	/* 16 colours, 256 colours and RGB, fg and bg; then default again */
	feed(p, "\x1b[31mR\x1b[42mG\x1b[0m"
	     "\x1b[38;5;196mX\x1b[48;5;21mY\x1b[0m"
	     "\x1b[38;2;255;135;0mT\x1b[48;2;8;8;9mU\x1b[0m"
	     "\x1b[91mB\x1b[0mD\x1b[7;34mV");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	expect_colors(0, L'R', COLOR_RED, -1);
	expect_colors(1, L'G', COLOR_RED, COLOR_GREEN);
	expect_colors(2, L'X', 196, -1);
	expect_colors(3, L'Y', 196, 21);
	expect_colors(4, L'T', 208, -1);	/* the cube's (255,135,0) */
	expect_colors(5, L'U', 208, 232);	/* nearest grey: 8,8,8 */
	expect_colors(6, L'B', 9, -1);
	expect_colors(7, L'D', -1, -1);
	expect_colors(8, L'V', COLOR_BLUE, -1);
	CHECK(cell_at(0, 8).attrs & A_REVERSE, "reverse with colour lost");
	vterm_pane_free(p);
}

static void test_color_pairs_are_reused(void)
{
	struct vterm_pane *p = pane_24x80();
	cchar_t a, b;
	attr_t attrs;
	short pa, pb;
	wchar_t w[CCHARW_MAX + 1];

	feed(p, "\x1b[33;44mA\x1b[0m \x1b[33;44mB");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	mvwin_wch(win, 0, 0, &a);
	mvwin_wch(win, 0, 2, &b);
	getcchar(&a, w, &attrs, &pa, NULL);
	getcchar(&b, w, &attrs, &pb, NULL);
	CHECK(pa == pb && pa > 0, "same colours got pairs %d and %d", pa, pb);
	vterm_pane_free(p);
}

/* With 3 pairs for 5 colour combinations, each frame still draws right. */
static void test_color_pairs_recycled(void)
{
	/* the cache ends at COLOR_PAIRS - 1 or 32767, whichever is lower */
	struct term_colors *few = term_colors_new(MIN(COLOR_PAIRS - 1, 32767) - 2);
	struct vterm_pane *p = pane_24x80();

	CHECK(few != NULL, "term_colors_new");
	if (!few)
		return;
	for (int round = 0; round < 2; round++)
		for (int fg = 1; fg <= 5; fg++) {
			feed(p, "\x1b[H\x1b[3%d;4%dmA\x1b[0m", fg, fg + 1);
			vterm_pane_render(p, few, win, 0, 0, 1, 2, NULL);
			expect_colors(0, L'A', fg, fg + 1);
		}
	term_colors_free(few);
	vterm_pane_free(p);
}

/* On an 8-colour terminal, 256-colour and RGB map to the nearest of 8. */
static void test_colors_on_8_colour_terminal(void)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *xterm = newterm("xterm", out, in);	/* now current */
	struct term_colors *t8;
	VTermColor c;

	CHECK(xterm != NULL, "newterm(xterm)");
	if (!xterm) {
		set_term(screen);
		return;
	}
	start_color();
	t8 = term_colors_new(1);
	CHECK(t8 && COLORS == 8, "colours %d", COLORS);
	if (t8) {
		vterm_color_rgb(&c, 250, 10, 10);
		CHECK_EQ(term_colors_number(t8, &c, true), COLOR_RED);
		vterm_color_indexed(&c, 21);	/* 256-colour blue */
		CHECK_EQ(term_colors_number(t8, &c, true), COLOR_BLUE);
		vterm_color_indexed(&c, 10);	/* bright green */
		CHECK_EQ(term_colors_number(t8, &c, true), COLOR_GREEN);
		vterm_color_indexed(&c, 3);
		CHECK_EQ(term_colors_number(t8, &c, false), COLOR_YELLOW);
		term_colors_free(t8);
	}
	endwin();
	set_term(screen);
	/* xterm is kept: deleting it here made later drawing on the first
	 * screen crash inside ncurses 6.4 */
	fclose(out);
	fclose(in);
}

static void test_wide_and_combining(void)
{
	struct vterm_pane *p = pane_24x80();
	struct cell c;

	feed(p, "a\xe4\xb8\xad" "b\xf0\x9f\x98\x80" "ce\xcc\x81" "f");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(cell_at(0, 0).wch[0] == L'a', "a");
	CHECK(cell_at(0, 1).wch[0] == 0x4e2d, "CJK at 1: %#x",
	      (unsigned)cell_at(0, 1).wch[0]);
	CHECK(cell_at(0, 3).wch[0] == L'b', "b after the wide char: %#x",
	      (unsigned)cell_at(0, 3).wch[0]);
	CHECK(cell_at(0, 4).wch[0] == 0x1f600, "emoji at 4: %#x",
	      (unsigned)cell_at(0, 4).wch[0]);
	CHECK(cell_at(0, 6).wch[0] == L'c', "c after the emoji: %#x",
	      (unsigned)cell_at(0, 6).wch[0]);
	c = cell_at(0, 7);
	CHECK(c.wch[0] == L'e' && c.wch[1] == 0x301, "e + U+0301: %#x %#x",
	      (unsigned)c.wch[0], (unsigned)c.wch[1]);
	CHECK(cell_at(0, 8).wch[0] == L'f', "f after the combined e");
	/* A region ending in a wide character's middle shows a blank. */
	clear_window();
	vterm_pane_render(p, tc, win, 0, 0, 24, 2, NULL);
	CHECK(cell_at(0, 1).wch[0] == L' ', "half a wide char: %#x",
	      (unsigned)cell_at(0, 1).wch[0]);
	CHECK(cell_at(0, 2).wch[0] == L'.', "drawn past the region");
	vterm_pane_free(p);
}

/* The character the test pattern has at console row r, column c. */
static char pattern(int r, int c)
{
	return (char)('a' + (r * 7 + c) % 26);
}

static void test_clip_and_pan(void)
{
	struct vterm_pane *p = pane_24x80();
	struct vterm_pane_cursor cur;
	char row[81];
	bool ok = true;

	for (int r = 0; r < 24; r++) {
		for (int c = 0; c < 80; c++)
			row[c] = pattern(r, c);
		row[80] = 0;
		feed(p, "\x1b[%d;1H%s", r + 1, row);
	}
	feed(p, "\x1b[20;75H");	/* cursor: row 19, column 74 */
	clear_window();
	vterm_pane_render(p, tc, win, 5, 3, 10, 40, &cur);
	/* the view follows the cursor: rows 10..19, columns 35..74 */
	for (int y = 0; y < 10; y++)
		for (int x = 0; x < 40; x++)
			if (cell_at(5 + y, 3 + x).wch[0] !=
			    (wchar_t)pattern(10 + y, 35 + x))
				ok = false;
	CHECK(ok, "panned view wrong, row 5: \"%s\"", text_at(5, 3, 40));
	CHECK(cur.visible && cur.y == 5 + 9 && cur.x == 3 + 39,
	      "cursor %d at %d,%d", cur.visible, cur.y, cur.x);
	CHECK(cell_at(4, 3).wch[0] == L'.' && cell_at(15, 3).wch[0] == L'.' &&
	      cell_at(5, 2).wch[0] == L'.' && cell_at(5, 43).wch[0] == L'.',
	      "drawn outside the region");
	/* the cursor goes home: the view follows it back */
	feed(p, "\x1b[H");
	vterm_pane_render(p, tc, win, 5, 3, 10, 40, &cur);
	CHECK(cell_at(5, 3).wch[0] == (wchar_t)pattern(0, 0) &&
	      cell_at(14, 42).wch[0] == (wchar_t)pattern(9, 39),
	      "view at home: \"%s\"", text_at(5, 3, 40));
	CHECK(cur.visible && cur.y == 5 && cur.x == 3, "cursor at %d,%d",
	      cur.y, cur.x);
	/* a hidden cursor is reported hidden */
	feed(p, "\x1b[?25l");
	vterm_pane_render(p, tc, win, 5, 3, 10, 40, &cur);
	CHECK(!cur.visible, "hidden cursor reported visible");
	/* a larger region: whole console, blank around it */
	clear_window();
	vterm_pane_render(p, tc, win, 0, 0, 30, 100, NULL);
	CHECK(cell_at(23, 79).wch[0] == (wchar_t)pattern(23, 79),
	      "bottom right of the console");
	CHECK(cell_at(23, 80).wch[0] == L' ' && cell_at(29, 99).wch[0] == L' ' &&
	      cell_at(24, 0).wch[0] == L' ', "area around the console not blank");
	vterm_pane_free(p);
}

static void test_history_beyond_10000_lines(void)
{
	struct vterm_pane *p = pane_24x80();
	const int total = 12000, kept = VTERM_PANE_HISTORY;
	/* the last line's CR LF leaves an empty bottom row */
	const int pushed = total - 23, oldest = pushed - kept + 1;
	char want[32];
	struct cell c;

	CHECK(VTERM_PANE_HISTORY >= 10000, "history %d", VTERM_PANE_HISTORY);
	for (int i = 1; i <= total; i++)
		if (i == 3000)
			feed(p, "\x1b[31mline %d in red\x1b[0m\r\n", i);
		else
			feed(p, "line %d\r\n", i);
	CHECK_EQ(vterm_pane_history(p), kept);
	vterm_pane_scroll(p, 1 << 20);	/* to the oldest line */
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	snprintf(want, sizeof(want), "line %d ", oldest);
	CHECK(!strcmp(text_at(0, 0, (int)strlen(want)), want),
	      "oldest kept line: \"%s\", want \"%s\"", text_at(0, 0, 12), want);
	/* forward to line 3000: text and colour survived */
	vterm_pane_scroll(p, -(3000 - oldest));
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 16), "line 3000 in red"), "got \"%s\"",
	      text_at(0, 0, 16));
	c = cell_at(0, 0);
	CHECK(c.fg == COLOR_RED, "line 3000 fg %d", c.fg);
	CHECK(!strcmp(text_at(1, 0, 10), "line 3001 "), "next: \"%s\"",
	      text_at(1, 0, 10));
	/* new output while scrolled back does not move the view */
	feed(p, "more\r\nand more\r\n");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 16), "line 3000 in red"), "view moved: "
	      "\"%s\"", text_at(0, 0, 16));
	/* PgDn all the way, or a key, is the live screen again */
	vterm_pane_scroll(p, -(1 << 20));
	CHECK_EQ(vterm_pane_scrolled(p), 0);
	vterm_pane_scroll(p, 5);
	CHECK_EQ(vterm_pane_scrolled(p), 5);
	vterm_pane_key(p, 'x');
	CHECK_EQ(vterm_pane_scrolled(p), 0);
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(22, 0, 9), "and more "), "live bottom: \"%s\"",
	      text_at(22, 0, 9));
	vterm_pane_free(p);
}

static void test_scrollback_is_compact_and_exact(void)
{
	struct vterm_pane *p = pane_24x80();
	struct scrollback *sb = scrollback_new(3);
	VTermScreenCell in[80], out[80], blank = { .width = 1 };
	size_t bytes;

	/* a line with attributes, a wide character and a combining mark */
	feed(p, "\x1b[1;32mok\x1b[0m \xe4\xb8\xad e\xcc\x81 \x1b[48;5;17mbg"
	     "\x1b[0m");
	feed(p, "\x1b[24;1H\r\n");	/* scrolls it into history */
	CHECK_EQ(vterm_pane_history(p), 1);
	vterm_pane_scroll(p, 1);
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 3), "ok "), "\"%s\"", text_at(0, 0, 3));
	CHECK(cell_at(0, 0).attrs & A_BOLD && cell_at(0, 0).fg == COLOR_GREEN,
	      "bold green lost in history");
	CHECK(cell_at(0, 3).wch[0] == 0x4e2d, "wide char in history: %#x",
	      (unsigned)cell_at(0, 3).wch[0]);
	CHECK(cell_at(0, 6).wch[0] == L'e' && cell_at(0, 6).wch[1] == 0x301,
	      "combining mark in history");
	CHECK(cell_at(0, 8).bg == 17, "256-colour bg in history: %d",
	      cell_at(0, 8).bg);
	vterm_pane_free(p);

	/* round trip through the ring itself, oldest dropped when full */
	for (int i = 0; i < 80; i++) {
		in[i] = blank;
		in[i].chars[0] = i < 70 ? (uint32_t)('A' + i % 26) : 0;
		vterm_color_indexed(&in[i].fg, 7);
		in[i].fg.type |= VTERM_COLOR_DEFAULT_FG;
		vterm_color_indexed(&in[i].bg, 0);
		in[i].bg.type |= VTERM_COLOR_DEFAULT_BG;
	}
	blank = in[79];
	for (int n = 0; n < 4; n++) {
		in[0].chars[0] = (uint32_t)('0' + n);
		scrollback_push(sb, 80, in);
	}
	CHECK_EQ(scrollback_count(sb), 3);
	bytes = scrollback_bytes(sb);
	CHECK(bytes <= 3 * (70 + 11), "3 lines of 70 letters take %zu bytes",
	      bytes);
	CHECK(scrollback_get(sb, 0, 80, out, &blank), "get 0");
	CHECK(out[0].chars[0] == '1', "oldest kept is line 1, got '%c'",
	      (char)out[0].chars[0]);
	in[0].chars[0] = '1';
	CHECK(!memcmp(in, out, sizeof(in)), "cells changed in the round trip");
	CHECK(!scrollback_get(sb, 3, 80, out, &blank), "get past the end");
	CHECK(scrollback_pop(sb, 80, out, &blank) && out[0].chars[0] == '3',
	      "pop gives the newest");
	CHECK_EQ(scrollback_count(sb), 2);
	scrollback_free(sb);
}

static void expect_key(struct vterm_pane *p, int key, const char *want)
{
	sent_len = 0;
	sent[0] = 0;
	vterm_pane_key(p, key);
	CHECK(sent_len == strlen(want) && !memcmp(sent, want, sent_len),
	      "key %#x sent \"%s\" (%zu bytes), want \"%s\"", key, sent,
	      sent_len, want);
}

static void test_key_encoding(void)
{
	struct vterm_pane *p = pane_24x80();

	expect_key(p, 'a', "a");
	expect_key(p, 0xe9, "\xc3\xa9");		/* é */
	expect_key(p, 0x20ac, "\xe2\x82\xac");		/* € */
	expect_key(p, 0x1f600, "\xf0\x9f\x98\x80");
	/* control bytes go raw, never as CSI u */
	expect_key(p, 0x03, "\x03");
	expect_key(p, '\r', "\r");
	expect_key(p, '\n', "\n");
	expect_key(p, '\t', "\t");
	expect_key(p, 0x1b, "\x1b");
	expect_key(p, 0x1d, "\x1d");
	expect_key(p, 0x1c, "\x1c");
	expect_key(p, 0x1f, "\x1f");
	expect_key(p, 0x7f, "\x7f");
	expect_key(p, KEYS_FN | KEY_BACKSPACE, "\x7f");
	expect_key(p, KEYS_FN | KEY_ENTER, "\r");
	/* function keys, by libvterm */
	expect_key(p, KEYS_FN | KEY_UP, "\x1b[A");
	expect_key(p, KEYS_FN | KEY_LEFT, "\x1b[D");
	expect_key(p, KEYS_FN | KEY_SR, "\x1b[1;2A");
	expect_key(p, KEYS_FN | KEY_DC, "\x1b[3~");
	expect_key(p, KEYS_FN | KEY_NPAGE, "\x1b[6~");
	expect_key(p, KEYS_FN | KEY_BTAB, "\x1b[Z");
	expect_key(p, KEYS_FN | KEY_F(1), "\x1bOP");
	expect_key(p, KEYS_FN | KEY_F(5), "\x1b[15~");
	expect_key(p, KEYS_FN | KEY_F(13), "\x1b[1;2P");	/* shift-F1 */
	expect_key(p, KEYS_FN | KEY_RESIZE, "");
	/* ... in the guest's modes: application cursor keys */
	feed(p, "\x1b[?1h");
	expect_key(p, KEYS_FN | KEY_UP, "\x1bOA");
	/* U+0103 is a character, not KEY_UP */
	expect_key(p, 0x103, "\xc4\x83");
	vterm_pane_free(p);
}

static void test_query_replies_reach_the_guest(void)
{
	struct vterm_pane *p = pane_24x80();

	feed(p, "\x1b[5;10H\x1b[6n");
	CHECK(!strcmp(sent, "\x1b[5;10R"), "DSR reply \"%s\"", sent + 1);
	sent_len = 0;
	feed(p, "\x1b[c");
	CHECK(sent_len > 4 && !memcmp(sent, "\x1b[?", 3) &&
	      sent[sent_len - 1] == 'c', "DA reply \"%s\"", sent + 1);
	vterm_pane_free(p);
}

/* A guest cannot hang the UI through libvterm 0.1.4's REP loop. */
static void test_rep_on_a_fresh_console(void)
{
	struct vterm_pane *p = pane_24x80();

	alarm(10);	/* the bug hangs; SIGALRM ends the test as a failure */
	feed(p, "\x1b[5b");
	feed(p, "x\x1b[3b");
	alarm(0);
	CHECK(vterm_pane_take_damage(p), "no output");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	/* the first REP repeats a blank, the second the x */
	CHECK(!strcmp(text_at(0, 0, 10), "     xxxx "), "row 0 is \"%s\"",
	      text_at(0, 0, 10));
	vterm_pane_free(p);
}

/*
 * More than 16 arguments in one control sequence crash libvterm 0.1.4 (it
 * writes past its argument array): the pane's guard keeps 16, even when
 * the sequence arrives in pieces, and the console goes on working.
 */
static void test_csi_with_too_many_arguments(void)
{
	struct vterm_pane *p = pane_24x80();
	char seq[256] = "\x1b[48";

	for (int i = 0; i < 60; i++)
		strcat(seq, i % 2 ? ";" : ":");
	strcat(seq, "2m");
	for (size_t i = 0; seq[i]; i += 7)	/* in 7-byte pieces */
		vterm_pane_feed(p, seq + i, MIN(7, strlen(seq + i)));
	feed(p, "\x1b[;;;;;;;;;;;;;;;;;;;;;;;;;H\x1b[0m\x1b[H\x1b[2J");
	feed(p, "\x1b[1;4;31mok");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 2), "ok"), "row 0 is \"%s\"",
	      text_at(0, 0, 2));
	CHECK(cell_at(0, 0).attrs & A_BOLD, "bold lost");
	CHECK(cell_at(0, 0).attrs & A_UNDERLINE, "underline lost");
	vterm_pane_free(p);
}

/*
 * libvterm 0.1.4 keeps an escape sequence going through controls, high
 * bytes and intermediates: "ESC \x81 [" or "ESC ( [" followed by many ';'
 * crashed it past the guard (found by fuzz-console). Each of these
 * openings, with 40 separators, leaves a pane that still works.
 */
static void test_csi_opened_through_odd_bytes(void)
{
	static const char *const opening[] = {
		"\x1b\x81[", "\x1b\x0b[", "\x1b\x7f[", "\x1b\xc3[", "\x1b([",
		"\x1b \x81#[",
	};
	char seq[128];

	for (size_t k = 0; k < ARRAY_SIZE(opening); k++) {
		struct vterm_pane *p = pane_24x80();

		snprintf(seq, sizeof(seq), "%s%s", opening[k],
			 ";;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;S");
		feed(p, seq);
		feed(p, "\x1b[0m\x1b[H\x1b[2Jok");
		vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
		CHECK(!strcmp(text_at(0, 0, 2), "ok"), "opening %zu: row 0 is "
		      "\"%s\"", k, text_at(0, 0, 2));
		vterm_pane_free(p);
	}
}

/*
 * REP of a double-width glyph from an odd column made libvterm 0.1.4 write
 * past the end of the row (found by fuzz-console: "\xc9\xe4\xa4\xac" then
 * CSI 42 b on a 20-column pane). The pane repeats the glyph itself, as
 * xterm does: it wraps at the margin; plain REP keeps working.
 */
static void test_rep_of_a_wide_glyph(void)
{
	struct vterm_pane *p = pane_24x80();

	feed(p, "a\xe4\xa4\xac\x1b[45b");	/* U+492C, 46 in all */
	feed(p, "\r\n\r\nz\x1b[2;3bq");	/* a 2nd argument is ignored */
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(cell_at(0, 0).wch[0] == L'a', "row 0 starts with %lc",
	      (wint_t)cell_at(0, 0).wch[0]);
	/* 39 fit after the a (columns 1-78); the 40th wraps */
	CHECK(cell_at(0, 77).wch[0] == 0x492c, "column 77 holds %lx",
	      (unsigned long)cell_at(0, 77).wch[0]);
	CHECK(cell_at(1, 0).wch[0] == 0x492c, "row 1 starts with %lx",
	      (unsigned long)cell_at(1, 0).wch[0]);
	CHECK(cell_at(1, 12).wch[0] == 0x492c && cell_at(1, 14).wch[0] == L' ',
	      "row 1 holds %s", text_at(1, 0, 16));
	CHECK(!strcmp(text_at(3, 0, 5), "zzzq "), "row 3 is \"%s\"",
	      text_at(3, 0, 5));
	/* past the margin from an odd column, a screenful of times */
	feed(p, "\x1b[H\x1b[2Ja\xe4\xa4\xac\x1b[9999b\x1b[H\x1b[2Jok");
	vterm_pane_render(p, tc, win, 0, 0, 24, 80, NULL);
	CHECK(!strcmp(text_at(0, 0, 3), "ok "), "row 0 is \"%s\"",
	      text_at(0, 0, 3));
	vterm_pane_free(p);
}

int main(void)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	setlocale(LC_ALL, "C.UTF-8");
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "120", 1);
	screen = newterm("xterm-256color", out, in);
	if (!screen || !out || !in) {
		printf("FAIL: newterm(xterm-256color) on /dev/null\n");
		return 1;
	}
	set_term(screen);
	start_color();
	win = newwin(40, 120, 0, 0);
	tc = term_colors_new(1);
	if (!win || !tc || COLORS < 256) {
		endwin();
		printf("FAIL: setup: window %p, colours %d\n", (void *)win,
		       COLORS);
		return 1;
	}
	RUN_TEST(test_text_and_attributes);
	RUN_TEST(test_colors);
	RUN_TEST(test_color_pairs_are_reused);
	RUN_TEST(test_color_pairs_recycled);
	RUN_TEST(test_colors_on_8_colour_terminal);
	RUN_TEST(test_wide_and_combining);
	RUN_TEST(test_clip_and_pan);
	RUN_TEST(test_history_beyond_10000_lines);
	RUN_TEST(test_scrollback_is_compact_and_exact);
	RUN_TEST(test_key_encoding);
	RUN_TEST(test_query_replies_reach_the_guest);
	RUN_TEST(test_rep_on_a_fresh_console);
	RUN_TEST(test_csi_with_too_many_arguments);
	RUN_TEST(test_csi_opened_through_odd_bytes);
	RUN_TEST(test_rep_of_a_wide_glyph);
	term_colors_free(tc);
	delwin(win);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	CHECK_EXIT();
}
