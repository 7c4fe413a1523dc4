/* scrollback.c - history lines encoded as UTF-8 text plus attribute changes, about one byte per ASCII cell. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/scrollback.h"
#include "vmm/compat.h"

/*
 * A line's encoding. Bytes 0xf8..0xff never occur in UTF-8, so they mark:
 *   ATTRS + 10 bytes   the pen for the cells that follow (fg, bg, flags)
 *   WIDE               the next character is two cells wide
 *   COMBINING + char   a combining character added to the previous cell
 *   EMPTY              a cell with no character
 * Any other byte starts a cell's UTF-8 character.
 */
#define MARK_ATTRS	0xff
#define MARK_COMBINING	0xfe
#define MARK_WIDE	0xfd
#define MARK_EMPTY	0xfc
#define ATTRS_SIZE	10
#define CONTINUATION	((uint32_t)-1)

struct sb_line {
	size_t size;
	unsigned char bytes[];
};

struct scrollback {
	struct sb_line **lines;
	size_t capacity, head, count;	/* head: index of the oldest */
	size_t bytes;
};

struct scrollback *scrollback_new(size_t capacity)
{
	struct scrollback *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->capacity = MAX(capacity, 1);
	sb->lines = calloc(sb->capacity, sizeof(*sb->lines));
	if (!sb->lines) {
		free(sb);
		return NULL;
	}
	return sb;
}

void scrollback_free(struct scrollback *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; i < sb->capacity; i++)
		free(sb->lines[i]);
	free(sb->lines);
	free(sb);
}

size_t scrollback_count(const struct scrollback *sb)
{
	return sb->count;
}

size_t scrollback_bytes(const struct scrollback *sb)
{
	return sb->bytes;
}

static void pack_attrs(unsigned char *p, const VTermScreenCell *c)
{
	const VTermScreenCellAttrs *a = &c->attrs;
	unsigned flags = a->bold | a->underline << 1 | a->italic << 3 |
			 a->blink << 4 | a->reverse << 5 | a->strike << 6 |
			 a->font << 7 | a->dwl << 11 | a->dhl << 12;

	_Static_assert(sizeof(VTermColor) == 4, "VTermColor is 4 bytes");
	memcpy(p, &c->fg, 4);
	memcpy(p + 4, &c->bg, 4);
	put_le16(p + 8, (uint16_t)flags);
}

static void unpack_attrs(const unsigned char *p, VTermScreenCell *c)
{
	VTermScreenCellAttrs *a = &c->attrs;
	unsigned flags = get_le16(p + 8);

	memcpy(&c->fg, p, 4);
	memcpy(&c->bg, p + 4, 4);
	a->bold = flags & 1;
	a->underline = flags >> 1 & 3;
	a->italic = flags >> 3 & 1;
	a->blink = flags >> 4 & 1;
	a->reverse = flags >> 5 & 1;
	a->strike = flags >> 6 & 1;
	a->font = flags >> 7 & 15;
	a->dwl = flags >> 11 & 1;
	a->dhl = flags >> 12 & 3;
}

static bool same_pen(const VTermScreenCell *a, const VTermScreenCell *b)
{
	unsigned char pa[ATTRS_SIZE], pb[ATTRS_SIZE];

	pack_attrs(pa, a);
	pack_attrs(pb, b);
	return !memcmp(pa, pb, ATTRS_SIZE);
}

/* Writes c as UTF-8 (U+FFFD when it is no character); returns the length. */
static size_t put_utf8(unsigned char *p, uint32_t c)
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		p[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (unsigned char)(0xc0 | c >> 6);
		p[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (unsigned char)(0xe0 | c >> 12);
		p[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		p[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | c >> 18);
	p[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	p[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	p[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* Reads one UTF-8 character at p (end: one past the data); *c gets it.
 * Our own encoder wrote it, but a bad byte still only yields U+FFFD. */
static size_t get_utf8(const unsigned char *p, const unsigned char *end,
		       uint32_t *c)
{
	size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

	if (n > (size_t)(end - p) || (*p >= 0x80 && *p < 0xc0)) {
		*c = 0xfffd;
		return 1;
	}
	*c = n == 1 ? *p : (uint32_t)(*p & (0x7f >> n));
	for (size_t i = 1; i < n; i++)
		*c = *c << 6 | (p[i] & 0x3f);
	return n;
}

static bool blank_cell(const VTermScreenCell *c)
{
	return (c->chars[0] == 0 || c->chars[0] == ' ') &&
	       VTERM_COLOR_IS_DEFAULT_BG(&c->bg) && !c->attrs.reverse &&
	       !c->attrs.underline && !c->attrs.strike;
}

/* Appends n bytes to out (NULL: only counts them). */
static void emit(unsigned char *out, size_t *size, const void *bytes, size_t n)
{
	if (out)
		memcpy(out + *size, bytes, n);
	*size += n;
}

/* Encodes cells[0..cols) into out (NULL: just measure); returns the size. */
static size_t encode(int cols, const VTermScreenCell *cells, unsigned char *out)
{
	unsigned char tmp[ATTRS_SIZE + 1];
	const VTermScreenCell *pen = NULL;
	size_t size = 0;
	int used = cols;

	/* trailing blanks go; a wide character's continuation cell too */
	while (used > 0 && (blank_cell(&cells[used - 1]) ||
			    cells[used - 1].chars[0] == CONTINUATION))
		used--;
	for (int i = 0; i < used; i++) {
		const VTermScreenCell *c = &cells[i];

		if (c->chars[0] == CONTINUATION)
			continue;
		if (!pen || !same_pen(pen, c)) {
			tmp[0] = MARK_ATTRS;
			pack_attrs(tmp + 1, c);
			emit(out, &size, tmp, ATTRS_SIZE + 1);
			pen = c;
		}
		if (c->chars[0] == 0) {
			tmp[0] = MARK_EMPTY;
			emit(out, &size, tmp, 1);
			continue;
		}
		if (c->width == 2) {
			tmp[0] = MARK_WIDE;
			emit(out, &size, tmp, 1);
		}
		emit(out, &size, tmp, put_utf8(tmp, c->chars[0]));
		for (int k = 1; k < VTERM_MAX_CHARS_PER_CELL && c->chars[k];
		     k++) {
			tmp[0] = MARK_COMBINING;
			emit(out, &size, tmp, 1 + put_utf8(tmp + 1, c->chars[k]));
		}
	}
	return size;
}

static void decode(const struct sb_line *line, int cols, VTermScreenCell *cells,
		   const VTermScreenCell *blank)
{
	const unsigned char *p = line->bytes, *end = p + line->size;
	VTermScreenCell pen = *blank;
	int col = 0, k = 0;
	bool wide = false;
	uint32_t ch;

	for (int i = 0; i < cols; i++)
		cells[i] = *blank;
	while (p < end) {
		switch (*p) {
		case MARK_ATTRS:
			if (end - p < ATTRS_SIZE + 1)
				return;
			unpack_attrs(p + 1, &pen);
			p += ATTRS_SIZE + 1;
			continue;
		case MARK_WIDE:
			wide = true;
			p++;
			continue;
		case MARK_COMBINING:
			p++;
			if (p == end)
				return;
			p += get_utf8(p, end, &ch);
			if (col > 0 && k < VTERM_MAX_CHARS_PER_CELL) {
				VTermScreenCell *prev = &cells[col - 1];

				if (prev->chars[0] == CONTINUATION && col > 1)
					prev--;
				prev->chars[k++] = ch;
				if (k < VTERM_MAX_CHARS_PER_CELL)
					prev->chars[k] = 0;
			}
			continue;
		}
		if (*p == MARK_EMPTY) {
			ch = 0;
			p++;
		} else {
			p += get_utf8(p, end, &ch);
		}
		if (col >= cols)
			return;
		cells[col] = pen;
		memset(cells[col].chars, 0, sizeof(cells[col].chars));
		cells[col].chars[0] = ch;
		cells[col].width = 1;
		k = 1;
		col++;
		if (wide && col < cols) {
			cells[col - 1].width = 2;
			cells[col] = pen;
			memset(cells[col].chars, 0, sizeof(cells[col].chars));
			cells[col].chars[0] = CONTINUATION;
			cells[col].width = 1;
			col++;
		}
		wide = false;
	}
}

int scrollback_push(struct scrollback *sb, int cols,
		    const VTermScreenCell *cells)
{
	size_t size = encode(cols, cells, NULL);
	struct sb_line *line = malloc(sizeof(*line) + size);
	size_t slot;

	if (!line)
		return -ENOMEM;
	line->size = encode(cols, cells, line->bytes);
	slot = (sb->head + sb->count) % sb->capacity;
	if (sb->count == sb->capacity) {
		sb->bytes -= sb->lines[slot]->size;
		free(sb->lines[slot]);
		sb->head = (sb->head + 1) % sb->capacity;
	} else {
		sb->count++;
	}
	sb->lines[slot] = line;
	sb->bytes += line->size;
	return 0;
}

bool scrollback_get(const struct scrollback *sb, size_t i, int cols,
		    VTermScreenCell *cells, const VTermScreenCell *blank)
{
	if (i >= sb->count)
		return false;
	decode(sb->lines[(sb->head + i) % sb->capacity], cols, cells, blank);
	return true;
}

bool scrollback_pop(struct scrollback *sb, int cols, VTermScreenCell *cells,
		    const VTermScreenCell *blank)
{
	size_t slot;

	if (!sb->count)
		return false;
	slot = (sb->head + sb->count - 1) % sb->capacity;
	decode(sb->lines[slot], cols, cells, blank);
	sb->bytes -= sb->lines[slot]->size;
	free(sb->lines[slot]);
	sb->lines[slot] = NULL;
	sb->count--;
	return true;
}
