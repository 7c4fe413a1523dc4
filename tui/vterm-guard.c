/* vterm-guard.c - shields libvterm 0.1.4 from guest byte sequences that crash it. */
#include "tui/vterm-guard.h"

#define ESC	0x1b
#define CAN	0x18
#define SUB	0x1a

size_t vterm_guard_filter(struct vterm_guard *g, const char *in, size_t len,
			  char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ESC) {		/* starts over, even inside a CSI */
			g->state = GUARD_ESC;
		} else if (c == CAN || c == SUB) {	/* cancel a sequence */
			g->state = GUARD_TEXT;
		} else if (g->state == GUARD_ESC) {
			g->state = c == '[' ? GUARD_CSI : GUARD_TEXT;
			g->separators = 0;
		} else if (g->state == GUARD_CSI) {
			if (c == ';' || c == ':') {
				if (g->separators + 1 >= VTERM_GUARD_CSI_ARGS)
					continue;	/* would overflow */
				g->separators++;
			} else if (c >= 0x40 && c <= 0x7e) {
				g->state = GUARD_TEXT;	/* final byte */
			}
			/* parameters, intermediates and C0 controls stay */
		}
		out[n++] = (char)c;
	}
	return n;
}
