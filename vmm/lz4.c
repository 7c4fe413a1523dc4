/* lz4.c - a bounds-checked decoder for LZ4 blocks and the legacy LZ4 frame Linux compresses kernels with. */
#include <string.h>

#include "vmm/compat.h"
#include "vmm/lz4.h"

/* Makes at least one byte of src at hand: 0, or -1 at its end. */
static inline int lz4_at_hand(struct lz4_source *src)
{
	if (src->p < src->end)
		return 0;
	return src->more ? src->more(src) : -1;
}

static inline int lz4_byte(struct lz4_source *src, uint8_t *b)
{
	if (lz4_at_hand(src))
		return -1;
	*b = *src->p++;
	return 0;
}

/* Reads an LZ4 length extension (bytes of 255 ending with one below). */
static int lz4_extend(struct lz4_source *src, size_t *len)
{
	uint8_t b;

	do {
		if (lz4_byte(src, &b))
			return -1;
		if (*len > SIZE_MAX - b)
			return -1;
		*len += b;
	} while (b == 255);
	return 0;
}

/* Copies n literal bytes from src to out (the caller checked out's room). */
static int lz4_literals(struct lz4_source *src, uint8_t *out, size_t n)
{
	while (n) {
		size_t k;

		if (lz4_at_hand(src))
			return -1;
		k = MIN(n, (size_t)(src->end - src->p));
		memcpy(out, src->p, k);
		src->p += k;
		out += k;
		n -= k;
	}
	return 0;
}

/*
 * Copies match bytes from off back (the caller checked both ends). A match
 * longer than its offset overlaps the bytes it produces: the off bytes
 * before it repeat. One byte repeating (a run, as of zeroes) is a memset;
 * other patterns are copied once, then doubled.
 */
static void lz4_copy_match(uint8_t *out, size_t op, size_t off, size_t match)
{
	uint8_t *d = out + op;
	const uint8_t *s = d - off;
	size_t done;

	if (off >= match) {
		memcpy(d, s, match);
		return;
	}
	if (off == 1) {
		memset(d, *s, match);
		return;
	}
	memcpy(d, s, off);
	for (done = off; done < match; done += MIN(done, match - done))
		memcpy(d + done, d, MIN(done, match - done));
}

/*
 * How many of want bytes fit at op: all of them, or with prefix what is
 * left of out_cap (the decode then ends there); -1 when they do not fit.
 */
static ssize_t lz4_fit(size_t want, size_t op, size_t out_cap, bool prefix)
{
	if (want <= out_cap - op)
		return (ssize_t)want;
	return prefix ? (ssize_t)(out_cap - op) : -1;
}

ssize_t lz4_decode(struct lz4_source *src, uint8_t *out, size_t out_cap,
		   bool prefix)
{
	size_t op = 0;
	uint8_t token, lo, hi;

	while (!(prefix && op == out_cap) && lz4_byte(src, &token) == 0) {
		size_t lit = token >> 4, match = token & 15, off;
		ssize_t n;

		if (lit == 15 && lz4_extend(src, &lit))
			return -1;
		n = lz4_fit(lit, op, out_cap, prefix);
		if (n < 0 || lz4_literals(src, out + op, (size_t)n))
			return -1;
		op += (size_t)n;
		if ((size_t)n < lit || lz4_at_hand(src))
			break;	/* a full prefix, or the last sequence */
		if (lz4_byte(src, &lo) || lz4_byte(src, &hi))
			return -1;
		off = (size_t)lo | (size_t)hi << 8;
		if (off == 0 || off > op)
			return -1;
		if (match == 15 && lz4_extend(src, &match))
			return -1;
		match += 4;
		n = lz4_fit(match, op, out_cap, prefix);
		if (n < 0)
			return -1;
		lz4_copy_match(out, op, off, (size_t)n);
		op += (size_t)n;
	}
	return (ssize_t)op;
}

ssize_t lz4_block_decode(const uint8_t *in, size_t in_len, uint8_t *out,
			 size_t out_cap)
{
	struct lz4_source src = { in, in + in_len, NULL };

	return lz4_decode(&src, out, out_cap, false);
}

int lz4_mem_read32(void *ctx, uint64_t pos, uint32_t *v)
{
	const struct lz4_mem *m = ctx;

	if (pos > m->len || m->len - pos < 4)
		return -1;
	*v = get_le32(m->data + pos);
	return 0;
}

int64_t lz4_legacy_walk(uint64_t in_len, uint64_t out_size,
			lz4_read32_fn *read32, void *read_ctx,
			lz4_emit_fn *emit, void *emit_ctx)
{
	uint64_t pos = 4, produced = 0;
	uint32_t v;

	if (read32(read_ctx, 0, &v) || v != LZ4_LEGACY_MAGIC)
		return -1;
	while (produced < out_size) {
		ssize_t n;

		if (in_len < pos || in_len - pos < 4 ||
		    read32(read_ctx, pos, &v))
			return -1;
		pos += 4;
		if (v == LZ4_LEGACY_MAGIC)	/* concatenated frames */
			continue;
		if (v == 0 || v > in_len - pos)
			return -1;
		n = emit(emit_ctx, pos, v, produced);
		if (n <= 0 || (uint64_t)n > out_size - produced)
			return -1;
		produced += (uint64_t)n;
		pos += v;
	}
	return (int64_t)produced;
}
