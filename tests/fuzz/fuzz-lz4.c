/* fuzz-lz4.c - libFuzzer target for the LZ4 decoder (vmm/lz4.c): hostile kernel payloads, as a frame, as one block, and as a block read in pieces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compat.h"
#include "vmm/lz4.h"
#include "tests/unit/lz4-pieces.h"

#define FUZZ_OUT_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[FUZZ_OUT_MAX], again[FUZZ_OUT_MAX];

static ssize_t to_out(void *ctx, uint64_t in_pos, size_t len, uint64_t pos)
{
	const uint8_t *frame = ctx;

	if (pos >= FUZZ_OUT_MAX)
		return -1;
	return lz4_block_decode(frame + in_pos, len, out + pos,
				FUZZ_OUT_MAX - pos);
}

/*
 * The block read in pieces, and cut to a prefix, must give the same bytes
 * as the block decoded whole (n of them, or -1 if it was refused).
 */
static void check_pieces(const uint8_t *data, size_t size, ssize_t n)
{
	struct lz4_pieces p;
	struct lz4_source *src = lz4_pieces_init(&p, data, size,
						 1 + (size ? data[0] % 7 : 0));
	size_t cap = n > 0 ? (size_t)n / 2 + 1 : FUZZ_OUT_MAX;
	ssize_t m = lz4_decode(src, again, cap, true);

	if (m > (ssize_t)cap)
		abort();
	if (n >= 0 && (m != (ssize_t)MIN(cap, (size_t)n) ||
		       memcmp(out, again, (size_t)m)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t n = lz4_block_decode(data, size, out, FUZZ_OUT_MAX);
	int64_t total;

	if (n > (ssize_t)FUZZ_OUT_MAX)
		abort();
	check_pieces(data, size, n);
	/* the first 4 bytes: the unpacked size Linux would append */
	if (size >= 4) {
		struct lz4_mem m = { data + 4, size - 4 };

		total = lz4_legacy_walk(m.len,
					get_le32(data) % (FUZZ_OUT_MAX + 1),
					lz4_mem_read32, &m, to_out,
					(void *)m.data);
		if (total > (int64_t)FUZZ_OUT_MAX)
			abort();
	}
	return 0;
}
