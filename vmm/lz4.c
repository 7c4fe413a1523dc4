/* lz4.c - a bounds-checked decoder for LZ4 blocks and the legacy LZ4 frame Linux compresses kernels with. */
#include <string.h>

#include "vmm/compat.h"
#include "vmm/lz4.h"

/* Reads an LZ4 length extension (bytes of 255 ending with one below). */
static int lz4_extend(const uint8_t **ip, const uint8_t *end, size_t *len)
{
	uint8_t b;

	do {
		if (*ip >= end)
			return -1;
		b = *(*ip)++;
		if (*len > SIZE_MAX - b)
			return -1;
		*len += b;
	} while (b == 255);
	return 0;
}

/*
 * Copies match bytes from off back (the caller checked both ends). A match
 * may overlap the bytes it produces, which then repeat: those go byte by
 * byte; the rest in 8-byte steps where the buffer has the slack for it.
 */
static void lz4_copy_match(uint8_t *out, size_t op, size_t off, size_t match,
			   size_t out_cap)
{
	uint8_t *d = out + op;
	const uint8_t *s = d - off;
	size_t i = 0;

	if (off >= 8 && match + 8 <= out_cap - op)
		for (; i < match; i += 8)
			memcpy(d + i, s + i, 8);
	else
		for (; i < match; i++)
			d[i] = s[i];
}

ssize_t lz4_block_decode(const uint8_t *in, size_t in_len, uint8_t *out,
			 size_t out_cap)
{
	const uint8_t *ip = in, *end = in + in_len;
	size_t op = 0;

	while (ip < end) {
		uint8_t token = *ip++;
		size_t lit = token >> 4, match = token & 15, off;

		if (lit == 15 && lz4_extend(&ip, end, &lit))
			return -1;
		if (lit > (size_t)(end - ip) || lit > out_cap - op)
			return -1;
		memcpy(out + op, ip, lit);
		ip += lit;
		op += lit;
		if (ip == end)		/* the last sequence has no match */
			break;
		if (end - ip < 2)
			return -1;
		off = (size_t)ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if (off == 0 || off > op)
			return -1;
		if (match == 15 && lz4_extend(&ip, end, &match))
			return -1;
		match += 4;
		if (match > out_cap - op)
			return -1;
		lz4_copy_match(out, op, off, match, out_cap);
		op += match;
	}
	return (ssize_t)op;
}

int64_t lz4_legacy_walk(const uint8_t *in, size_t in_len, uint64_t out_size,
			lz4_emit_fn *emit, void *ctx)
{
	size_t pos = 0;
	uint64_t produced = 0;

	if (in_len < 4 || get_le32(in) != LZ4_LEGACY_MAGIC)
		return -1;
	pos = 4;
	while (produced < out_size) {
		uint32_t len;
		ssize_t n;

		if (in_len - pos < 4)
			return -1;
		len = get_le32(in + pos);
		pos += 4;
		if (len == LZ4_LEGACY_MAGIC)	/* concatenated frames */
			continue;
		if (len == 0 || len > in_len - pos)
			return -1;
		n = emit(ctx, in + pos, len, produced);
		if (n <= 0 || (uint64_t)n > out_size - produced)
			return -1;
		produced += (uint64_t)n;
		pos += len;
	}
	return (int64_t)produced;
}
