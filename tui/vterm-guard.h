/* vterm-guard.h - shields libvterm 0.1.4 from guest byte sequences that crash it. */
#ifndef HYVE_VTERM_GUARD_H
#define HYVE_VTERM_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Two bugs of libvterm 0.1.4 that guest output can reach:
 * - it keeps at most 16 arguments of a control sequence (CSI) but does not
 *   stop at 16: a seventeenth ';' or ':' writes past its array;
 * - REP (CSI Pn b) of a double-width glyph that starts on an odd column
 *   from the right margin writes a cell past the end of the row.
 * Either crashes the process. The guard follows the escape-sequence state
 * of the byte stream as libvterm does (an escape runs on through controls,
 * high bytes and intermediates until a final byte; '[' as that byte starts
 * a CSI), drops the separators beyond 16, and takes REP away from
 * libvterm: it ends the sequence with CAN instead of 'b' and reports the
 * count, and the caller prints the last glyph that many times itself
 * (vterm_guard_glyph). Nothing else changes.
 */
#define VTERM_GUARD_CSI_ARGS 16
#define VTERM_GUARD_GLYPH_MAX 4		/* one UTF-8 character */

struct vterm_guard {
	enum { GUARD_TEXT, GUARD_ESC, GUARD_CSI } state;
	unsigned separators;	/* ';' and ':' seen in the current CSI */
	unsigned rep;		/* the CSI's first argument, saturated */
	bool plain;		/* no leader or intermediate in this CSI */
	char glyph[VTERM_GUARD_GLYPH_MAX];	/* last printed character */
	unsigned glyph_len;	/* 0: none yet (a blank, as the pane primes) */
	char part[VTERM_GUARD_GLYPH_MAX];	/* UTF-8 character so far */
	unsigned part_len, part_need;
};

/*
 * Filters in[0..len) into out (room for len bytes): up to the end of the
 * input, or through the first REP. Returns the bytes written, sets *used
 * to the input bytes taken and *rep to the REP's count (0: no REP). State
 * carries over between calls, so sequences may be split.
 */
size_t vterm_guard_filter(struct vterm_guard *g, const char *in, size_t len,
			  char *out, size_t *used, unsigned *rep);

/* The UTF-8 bytes of the last printed character (a blank before any). */
const char *vterm_guard_glyph(const struct vterm_guard *g, size_t *len);

#endif
