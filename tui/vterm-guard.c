/* vterm-guard.c - shields libvterm 0.1.4 from guest byte sequences that crash it. */
#include <string.h>

#include "tui/vterm-guard.h"

#define ESC	0x1b
#define CAN	0x18
#define SUB	0x1a
#define REP_MAX	65535u

/* Follows printable text, so REP knows the character before it. */
static void guard_text(struct vterm_guard *g, unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return;				/* controls print nothing */
	if (c < 0x80 || (c >= 0xc2 && c <= 0xf4)) {
		g->part[0] = (char)c;
		g->part_len = 1;
		g->part_need = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	} else if (c < 0xc0 && g->part_need) {
		g->part[g->part_len++] = (char)c;
		g->part_need--;
	} else {
		g->part_len = g->part_need = 0;	/* not UTF-8: no glyph */
		return;
	}
	if (g->part_need == 0 && g->part_len) {
		memcpy(g->glyph, g->part, g->part_len);
		g->glyph_len = g->part_len;
		g->part_len = 0;
	}
}

/* One byte inside a CSI; returns the byte to pass on, or -1 to drop it. */
static int guard_csi(struct vterm_guard *g, unsigned char c, unsigned *rep)
{
	if (c == ';' || c == ':') {
		if (g->separators + 1 >= VTERM_GUARD_CSI_ARGS)
			return -1;		/* would overflow */
		g->separators++;
	} else if (c >= '0' && c <= '9') {
		if (g->separators == 0)
			g->rep = g->rep > REP_MAX / 10 ? REP_MAX :
				 g->rep * 10 + (c - '0');
	} else if (c >= 0x40 && c <= 0x7e) {	/* final byte */
		g->state = GUARD_TEXT;
		if (c == 'b' && g->plain) {
			*rep = g->rep ? g->rep : 1;
			return CAN;		/* the caller repeats */
		}
	} else if (c >= 0x20 && c <= 0x3f) {
		g->plain = false;		/* leader or intermediate */
	}
	/* other C0 controls and high bytes stay */
	return c;
}

size_t vterm_guard_filter(struct vterm_guard *g, const char *in, size_t len,
			  char *out, size_t *used, unsigned *rep)
{
	size_t n = 0, i;

	*rep = 0;
	for (i = 0; i < len && !*rep; i++) {
		unsigned char c = (unsigned char)in[i];
		int pass = c;

		if (c == ESC) {		/* starts over, even inside a CSI */
			g->state = GUARD_ESC;
		} else if (c == CAN || c == SUB) {	/* cancel a sequence */
			g->state = GUARD_TEXT;
		} else if (g->state == GUARD_ESC) {
			/*
			 * libvterm 0.1.4 keeps an escape going through C0
			 * controls, DEL, bytes from 0x80 and intermediates
			 * (0x20-0x2f): "ESC \x81 [" and "ESC ( [" start a CSI
			 * for it too. Only a final byte ends the escape.
			 */
			if (c == '[') {
				g->state = GUARD_CSI;
				g->separators = g->rep = 0;
				g->plain = true;
			} else if (c >= 0x30 && c <= 0x7e) {
				g->state = GUARD_TEXT;
			}
		} else if (g->state == GUARD_CSI) {
			pass = guard_csi(g, c, rep);
		} else {
			guard_text(g, c);
		}
		if (pass >= 0)
			out[n++] = (char)pass;
	}
	*used = i;
	return n;
}

const char *vterm_guard_glyph(const struct vterm_guard *g, size_t *len)
{
	if (!g->glyph_len) {
		*len = 1;
		return " ";
	}
	*len = g->glyph_len;
	return g->glyph;
}
