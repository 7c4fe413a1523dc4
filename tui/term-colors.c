/* term-colors.c - nearest xterm palette colour for each libvterm colour, and a recycling cache of colour pairs. */
#include <stdint.h>
#include <stdlib.h>

#include "tui/term-colors.h"
#include "vmm/compat.h"

/* Colour numbers -1..255 make keys 0..257*257-1. */
#define NUMBERS		257
#define KEY(fg, bg)	(((fg) + 1) * NUMBERS + (bg) + 1)
#define MAX_PAIRS	32767

struct term_colors {
	int colors;		/* COLORS, at most 256 used */
	bool default_ok;	/* -1 is usable (use_default_colors) */
	int first, count;	/* pairs first .. first + count - 1 */
	int hand;		/* next pair to consider for recycling */
	uint32_t frame;
	uint16_t pair_of[NUMBERS * NUMBERS];	/* key -> pair index + 1 */
	int32_t *key_of;	/* pair index -> key, -1 unused */
	uint32_t *used;		/* pair index -> frame it was last handed out */
};

/* xterm's first 16 colours. */
static const uint8_t base16[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 },
	{ 0xcd, 0xcd, 0x00 }, { 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd },
	{ 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 }, { 0x7f, 0x7f, 0x7f },
	{ 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff },
	{ 0xff, 0xff, 0xff },
};

static const uint8_t cube_levels[6] = { 0, 95, 135, 175, 215, 255 };

static void palette_rgb(int idx, uint8_t rgb[3])
{
	if (idx < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = base16[idx][i];
	} else if (idx < 232) {
		idx -= 16;
		rgb[0] = cube_levels[idx / 36];
		rgb[1] = cube_levels[idx / 6 % 6];
		rgb[2] = cube_levels[idx % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = (uint8_t)(8 + 10 * (idx - 232));
	}
}

static int distance(const uint8_t a[3], const uint8_t b[3])
{
	int d = 0;

	for (int i = 0; i < 3; i++)
		d += (a[i] - b[i]) * (a[i] - b[i]);
	return d;
}

static int nearest_in(const uint8_t rgb[3], int from, int to)
{
	int best = from, best_d = 1 << 30;
	uint8_t p[3];

	for (int i = from; i < to; i++) {
		palette_rgb(i, p);
		if (distance(rgb, p) < best_d) {
			best_d = distance(rgb, p);
			best = i;
		}
	}
	return best;
}

static int nearest_level(uint8_t v)
{
	int best = 0;

	for (int i = 1; i < 6; i++)
		if (abs(v - cube_levels[i]) < abs(v - cube_levels[best]))
			best = i;
	return best;
}

/* Nearest of the 240 colours 16..255 (the cube or the grey ramp). */
static int nearest_256(const uint8_t rgb[3])
{
	int cube = 16 + 36 * nearest_level(rgb[0]) + 6 * nearest_level(rgb[1]) +
		   nearest_level(rgb[2]);
	int grey = nearest_in(rgb, 232, 256);
	uint8_t c[3], g[3];

	palette_rgb(cube, c);
	palette_rgb(grey, g);
	return distance(rgb, g) < distance(rgb, c) ? grey : cube;
}

static int nearest(const struct term_colors *tc, const uint8_t rgb[3])
{
	if (tc->colors >= 256)
		return nearest_256(rgb);
	return nearest_in(rgb, 0, tc->colors >= 16 ? 16 : 8);
}

int term_colors_number(const struct term_colors *tc, const VTermColor *c,
		       bool foreground)
{
	uint8_t rgb[3];

	if (foreground ? VTERM_COLOR_IS_DEFAULT_FG(c) :
	    VTERM_COLOR_IS_DEFAULT_BG(c)) {
		if (tc->default_ok)
			return -1;
		return foreground ? COLOR_WHITE : COLOR_BLACK;
	}
	if (VTERM_COLOR_IS_INDEXED(c)) {
		if (c->indexed.idx < tc->colors)
			return c->indexed.idx;
		palette_rgb(c->indexed.idx, rgb);
	} else {
		rgb[0] = c->rgb.red;
		rgb[1] = c->rgb.green;
		rgb[2] = c->rgb.blue;
	}
	return nearest(tc, rgb);
}

struct term_colors *term_colors_new(int first_pair)
{
	struct term_colors *tc = calloc(1, sizeof(*tc));

	if (!tc)
		return NULL;
	tc->colors = has_colors() ? MIN(COLORS, 256) : 0;
	tc->default_ok = tc->colors && use_default_colors() == OK;
	tc->first = MAX(first_pair, 1);
	tc->count = tc->colors ? MIN(COLOR_PAIRS - 1, MAX_PAIRS) - tc->first +
		    1 : 0;
	if (tc->count < 0)
		tc->count = 0;
	tc->key_of = malloc(sizeof(*tc->key_of) * (size_t)MAX(tc->count, 1));
	tc->used = calloc((size_t)MAX(tc->count, 1), sizeof(*tc->used));
	if (!tc->key_of || !tc->used) {
		term_colors_free(tc);
		return NULL;
	}
	for (int i = 0; i < tc->count; i++)
		tc->key_of[i] = -1;
	tc->frame = 1;
	return tc;
}

void term_colors_free(struct term_colors *tc)
{
	if (!tc)
		return;
	free(tc->key_of);
	free(tc->used);
	free(tc);
}

void term_colors_begin_frame(struct term_colors *tc)
{
	tc->frame++;
}

/* A pair index to (re)use: a free one, else the next one not in this
 * frame (else, with too few pairs for one frame, the next one anyway). */
static int recycle(struct term_colors *tc)
{
	for (int tries = 0; tries < tc->count; tries++) {
		int i = tc->hand;

		tc->hand = (tc->hand + 1) % tc->count;
		if (tc->key_of[i] < 0 || tc->used[i] != tc->frame)
			return i;
	}
	return tc->hand;
}

int term_colors_pair(struct term_colors *tc, const VTermColor *fg,
		     const VTermColor *bg)
{
	int f, b, key, i;

	if (!tc->colors || !tc->count)
		return 0;
	f = term_colors_number(tc, fg, true);
	b = term_colors_number(tc, bg, false);
	if (f == -1 && b == -1)
		return 0;
	key = KEY(f, b);
	if (tc->pair_of[key]) {
		i = tc->pair_of[key] - 1;
	} else {
		i = recycle(tc);
		if (tc->key_of[i] >= 0)
			tc->pair_of[tc->key_of[i]] = 0;
		if (init_pair((short)(tc->first + i), (short)f, (short)b) != OK)
			return 0;
		tc->key_of[i] = key;
		tc->pair_of[key] = (uint16_t)(i + 1);
	}
	tc->used[i] = tc->frame;
	return tc->first + i;
}
