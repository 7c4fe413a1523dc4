/* scrollback.h - a console's history: lines libvterm pushed off the top, stored compactly in a ring. */
#ifndef HYVE_TUI_SCROLLBACK_H
#define HYVE_TUI_SCROLLBACK_H

#include <stddef.h>
#include <vterm.h>

struct scrollback;

/* Keeps the newest capacity lines (at least 1). NULL when out of memory. */
struct scrollback *scrollback_new(size_t capacity);
void scrollback_free(struct scrollback *sb);

/*
 * Appends a line of cols cells (as sb_pushline gives them), dropping the
 * oldest when full. Trailing blank cells are not stored. Returns 0 or
 * -ENOMEM (the line is then lost, the history otherwise intact).
 */
int scrollback_push(struct scrollback *sb, int cols,
		    const VTermScreenCell *cells);

size_t scrollback_count(const struct scrollback *sb);

/*
 * Decodes line i (0 is the oldest) into cells[0..cols): cells beyond the
 * stored ones are copies of blank. Returns false when i is out of range.
 */
bool scrollback_get(const struct scrollback *sb, size_t i, int cols,
		    VTermScreenCell *cells, const VTermScreenCell *blank);

/* Removes the newest line into cells (for sb_popline); false when empty. */
bool scrollback_pop(struct scrollback *sb, int cols, VTermScreenCell *cells,
		    const VTermScreenCell *blank);

/* Bytes held by the stored lines (for tests and status). */
size_t scrollback_bytes(const struct scrollback *sb);

#endif
