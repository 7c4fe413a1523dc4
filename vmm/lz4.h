/* lz4.h - a bounds-checked decoder for LZ4 blocks and the legacy LZ4 frame Linux compresses kernels with. */
#ifndef HYVE_LZ4_H
#define HYVE_LZ4_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LZ4_LEGACY_MAGIC	0x184c2102u
#define LZ4_LEGACY_BLOCK_MAX	(8u << 20)	/* bytes of output per block */

/*
 * Decodes one LZ4 block in[0..in_len) into out[0..out_cap). Returns the
 * bytes produced, or -1 when the block is malformed or would not fit.
 * Never reads or writes outside the given buffers.
 */
ssize_t lz4_block_decode(const uint8_t *in, size_t in_len, uint8_t *out,
			 size_t out_cap);

/*
 * Walks a legacy frame (magic, then blocks each led by a little-endian
 * compressed length; Linux appends the total output size as 4 more bytes).
 * For each block it calls emit() with the block's compressed bytes and its
 * position in the output stream; emit() decodes it where it wants and
 * returns the bytes produced or -1. Returns the total output size, or -1.
 */
typedef ssize_t lz4_emit_fn(void *ctx, const uint8_t *block, size_t len,
			    uint64_t out_pos);
int64_t lz4_legacy_walk(const uint8_t *in, size_t in_len, uint64_t out_size,
			lz4_emit_fn *emit, void *ctx);

#endif
