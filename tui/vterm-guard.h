/* vterm-guard.h - shields libvterm 0.1.4 from guest byte sequences that crash it. */
#ifndef HYVE_VTERM_GUARD_H
#define HYVE_VTERM_GUARD_H

#include <stddef.h>

/*
 * libvterm 0.1.4 keeps at most 16 arguments of a control sequence (CSI)
 * but does not stop at 16: a seventeenth ';' or ':' writes past its array
 * and crashes the process. The guard follows the escape-sequence state of
 * the byte stream and drops the separators beyond that limit, so every
 * CSI reaching libvterm has at most 16 arguments. Nothing else changes.
 */
#define VTERM_GUARD_CSI_ARGS 16

struct vterm_guard {
	enum { GUARD_TEXT, GUARD_ESC, GUARD_CSI } state;
	unsigned separators;	/* ';' and ':' seen in the current CSI */
};

/*
 * Filters in[0..len) into out (room for len bytes); returns the bytes
 * written. State carries over between calls, so sequences may be split.
 */
size_t vterm_guard_filter(struct vterm_guard *g, const char *in, size_t len,
			  char *out);

#endif
