/* fuzz-lz4.c - libFuzzer target for the LZ4 decoder (vmm/lz4.c): hostile kernel payloads, as a frame and as one block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compat.h"
#include "vmm/lz4.h"

#define FUZZ_OUT_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[FUZZ_OUT_MAX];

static ssize_t to_out(void *ctx, const uint8_t *block, size_t len,
		      uint64_t pos)
{
	if (pos >= FUZZ_OUT_MAX)
		return -1;
	return lz4_block_decode(block, len, out + pos, FUZZ_OUT_MAX - pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t n = lz4_block_decode(data, size, out, FUZZ_OUT_MAX);
	int64_t total;

	if (n > (ssize_t)FUZZ_OUT_MAX)
		abort();
	/* the first 4 bytes: the unpacked size Linux would append */
	if (size >= 4) {
		total = lz4_legacy_walk(data + 4, size - 4,
					get_le32(data) % (FUZZ_OUT_MAX + 1),
					to_out, NULL);
		if (total > (int64_t)FUZZ_OUT_MAX)
			abort();
	}
	return 0;
}
