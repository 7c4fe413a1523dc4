/* lz4.h - a bounds-checked decoder for LZ4 blocks and the legacy LZ4 frame Linux compresses kernels with. */
#ifndef HYVE_LZ4_H
#define HYVE_LZ4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LZ4_LEGACY_MAGIC	0x184c2102u
#define LZ4_LEGACY_BLOCK_MAX	(8u << 20)	/* bytes of output per block */

/*
 * Where a block's compressed bytes come from: p..end are at hand; more()
 * puts the next ones at hand and returns 0, or -1 at the end of the block
 * (or when they cannot be had). A block in memory has no more().
 */
struct lz4_source {
	const uint8_t *p, *end;
	int (*more)(struct lz4_source *src);
};

/*
 * Decodes one LZ4 block from src into out[0..out_cap). Returns the bytes
 * produced, or -1 when the block is malformed or would not fit. With
 * prefix, it stops once out_cap bytes are out instead (only the start of
 * the block is wanted): it returns out_cap then, or less when the whole
 * block is shorter. Never reads or writes outside the given buffers.
 */
ssize_t lz4_decode(struct lz4_source *src, uint8_t *out, size_t out_cap,
		   bool prefix);

/* lz4_decode of the whole block in[0..in_len). */
ssize_t lz4_block_decode(const uint8_t *in, size_t in_len, uint8_t *out,
			 size_t out_cap);

/*
 * Walks a legacy frame of in_len bytes (magic, then blocks each led by a
 * little-endian compressed length; Linux appends the total output size as
 * 4 more bytes, not counted in in_len). read32(read_ctx, ...) fetches the
 * 4 bytes at a position of the frame (0, or -1), so the frame need not be
 * in memory.
 * For each block, emit() gets the position and length of its compressed
 * bytes and its position in the output stream, decodes it where it wants
 * (or notes where it is) and returns the bytes it produces, or -1.
 * Returns the total output size, or -1.
 */
typedef int lz4_read32_fn(void *ctx, uint64_t pos, uint32_t *v);
typedef ssize_t lz4_emit_fn(void *ctx, uint64_t in_pos, size_t len,
			    uint64_t out_pos);
int64_t lz4_legacy_walk(uint64_t in_len, uint64_t out_size,
			lz4_read32_fn *read32, void *read_ctx,
			lz4_emit_fn *emit, void *emit_ctx);

/* An lz4_read32_fn for a frame in memory; read_ctx is a struct lz4_mem. */
struct lz4_mem {
	const uint8_t *data;
	size_t len;
};
int lz4_mem_read32(void *ctx, uint64_t pos, uint32_t *v);

#endif
