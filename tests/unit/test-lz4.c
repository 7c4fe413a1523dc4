/* test-lz4.c - the LZ4 decoder against frames made by the lz4 tool (legacy format, as Linux packs kernels), and against corrupt input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tests/unit/lz4-pieces.h"
#include "tests/unit/lz4-tool.h"
#include "vmm/compat.h"
#include "vmm/lz4.h"

static char dir[] = "/tmp/hyve-lz4.XXXXXX";

/* A mix LZ4 meets in a kernel: text, runs, short repeats, noise. */
static uint8_t *make_input(size_t len, unsigned seed)
{
	uint8_t *p = malloc(len);
	static const char words[] = "vmlinux startup_64 boot_params e820 ";

	srand(seed);
	for (size_t i = 0; i < len;) {
		size_t run = 1 + (size_t)rand() % 300;

		switch (rand() % 4) {
		case 0:	/* text */
			for (size_t k = 0; k < run && i < len; k++, i++)
				p[i] = (uint8_t)words[(i + k) % (sizeof(words) - 1)];
			break;
		case 1:	/* a run of one byte */
			memset(p + i, rand(), MIN(run, len - i));
			i += MIN(run, len - i);
			break;
		case 2:	/* a short repeat (overlapping matches) */
			for (size_t k = 0; k < run && i < len; k++, i++)
				p[i] = i >= 3 ? p[i - 3] : 'x';
			break;
		default:	/* noise */
			for (size_t k = 0; k < run && i < len; k++, i++)
				p[i] = (uint8_t)rand();
		}
	}
	return p;
}

struct sink {
	const uint8_t *frame;
	uint8_t *out;
	size_t cap;
	unsigned blocks;
};

static ssize_t to_buffer(void *ctx, uint64_t in_pos, size_t len,
			 uint64_t pos)
{
	struct sink *s = ctx;

	s->blocks++;
	if (pos > s->cap)
		return -1;
	return lz4_block_decode(s->frame + in_pos, len, s->out + pos,
				MIN(s->cap - pos, (size_t)LZ4_LEGACY_BLOCK_MAX));
}

/* Decodes frame f (expected output size out_size) into a fresh buffer. */
static int64_t decode(const struct frame *f, uint64_t out_size,
		      struct sink *s)
{
	struct lz4_mem m = { f->data, f->len - 4 };

	s->frame = f->data;
	s->cap = out_size + 64;
	s->out = malloc(s->cap);
	s->blocks = 0;
	return lz4_legacy_walk(m.len, out_size, lz4_mem_read32, &m,
			       to_buffer, s);
}

static void round_trip(size_t len, unsigned seed, unsigned min_blocks)
{
	uint8_t *in = make_input(len, seed);
	struct frame f;
	struct sink s;

	if (lz4_tool(dir, in, len, &f)) {
		CHECK(0, "the lz4 tool failed (apt-get install lz4)");
		free(in);
		return;
	}
	CHECK(decode(&f, len, &s) == (int64_t)len, "%zu bytes", len);
	CHECK(!memcmp(s.out, in, len), "output differs from the input");
	CHECK(s.blocks >= min_blocks, "%u blocks", s.blocks);
	free(s.out);
	free(f.data);
	free(in);
}

static void test_small_frames(void)
{
	round_trip(1, 1, 1);
	round_trip(100, 2, 1);
	round_trip(4096, 3, 1);
	round_trip(300000, 4, 1);
}

/* More than one 8 MiB block: blocks are independent in this format. */
static void test_multi_block_frame(void)
{
	round_trip(LZ4_LEGACY_BLOCK_MAX * 2 + 12345, 5, 3);
}

/* Every truncation and many byte flips: an error or some output, in
 * bounds (ASan and UBSan watch), never a crash or a hang. */
static void test_corrupt_frames(void)
{
	size_t len = 200000;
	uint8_t *in = make_input(len, 6);
	struct frame f, g;
	struct sink s;
	unsigned errors = 0;

	if (lz4_tool(dir, in, len, &f)) {
		CHECK(0, "the lz4 tool failed");
		free(in);
		return;
	}
	for (size_t cut = 0; cut + 4 < f.len; cut += 97) {
		g.data = malloc(cut + 4);
		memcpy(g.data, f.data, cut);
		put_le32(g.data + cut, (uint32_t)len);
		g.len = cut + 4;
		errors += decode(&g, len, &s) < 0;
		free(s.out);
		free(g.data);
	}
	CHECK(errors > 0, "no truncation was noticed");
	srand(7);
	for (int i = 0; i < 2000; i++) {
		size_t at = (size_t)rand() % (f.len - 4);
		uint8_t old = f.data[at];

		f.data[at] ^= (uint8_t)(1 + rand() % 255);
		(void)decode(&f, len, &s);
		free(s.out);
		f.data[at] = old;
	}
	free(f.data);
	free(in);
}

/*
 * Block data arriving in pieces (as unpack reads a kernel, a chunk at a
 * time) decodes to the same bytes, wherever the pieces end: inside a
 * length extension, an offset, a literal run. A prefix stops early.
 */
static void test_streamed_and_prefix(void)
{
	size_t len = 100000;
	uint8_t *in = make_input(len, 8), *out = malloc(len);
	struct frame f;
	uint32_t blen;
	static const size_t steps[] = { 1, 2, 3, 7, 4096, 65536 };

	if (lz4_tool(dir, in, len, &f)) {
		CHECK(0, "the lz4 tool failed");
		free(in);
		free(out);
		return;
	}
	blen = get_le32(f.data + 4);	/* the one block */
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct lz4_pieces p;
		struct lz4_source *src = lz4_pieces_init(&p, f.data + 8, blen,
							 steps[i]);

		memset(out, 0, len);
		CHECK_EQ(lz4_decode(src, out, len, false), (ssize_t)len);
		CHECK(!memcmp(out, in, len), "step %zu: output differs",
		      steps[i]);
	}
	for (size_t cap = 0; cap < len; cap = cap * 3 + 1) {
		struct lz4_pieces p;
		struct lz4_source *src = lz4_pieces_init(&p, f.data + 8, blen, 5);

		memset(out, 0xee, len);
		CHECK_EQ(lz4_decode(src, out, cap, true), (ssize_t)cap);
		CHECK(!memcmp(out, in, cap), "prefix %zu differs", cap);
		CHECK(cap == len || out[cap] == 0xee,
		      "prefix %zu: wrote past its end", cap);
		CHECK(lz4_block_decode(f.data + 8, blen, out, cap) < 0,
		      "a whole decode into %zu bytes must fail", cap);
	}
	/* a prefix longer than the block: what the block has */
	{
		struct lz4_pieces p;
		struct lz4_source *src = lz4_pieces_init(&p, f.data + 8, blen,
							 999);
		uint8_t *big = malloc(len + 100);

		CHECK_EQ(lz4_decode(src, big, len + 100, true),
			 (ssize_t)len);
		free(big);
	}
	free(f.data);
	free(out);
	free(in);
}

static void test_bad_blocks(void)
{
	uint8_t out[64];
	/* match offset 0, an offset before the output, lengths past the end */
	static const uint8_t zero_off[] = { 0x10, 'a', 0x00, 0x00, 0x00 };
	static const uint8_t far_off[] = { 0x10, 'a', 0x05, 0x00, 0x00 };
	static const uint8_t long_lit[] = { 0xf0, 0xff, 0xff, 'a' };
	/* 'a', then 8 more from offset 1, then the literal "b" */
	static const uint8_t ok[] = { 0x14, 'a', 0x01, 0x00, 0x10, 'b' };

	CHECK(lz4_block_decode(zero_off, sizeof(zero_off), out, 64) < 0, "0");
	CHECK(lz4_block_decode(far_off, sizeof(far_off), out, 64) < 0, "far");
	CHECK(lz4_block_decode(long_lit, sizeof(long_lit), out, 64) < 0,
	      "long literal");
	CHECK(lz4_block_decode(ok, sizeof(ok), out, 64) == 10, "ok");
	CHECK(!memcmp(out, "aaaaaaaaab", 10), "overlapping match");
	/* all of it must fit */
	CHECK(lz4_block_decode(ok, sizeof(ok), out, 9) < 0, "overflow");
	CHECK(lz4_block_decode(ok, 3, out, 64) < 0, "cut offset");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN_TEST(test_small_frames);
	RUN_TEST(test_multi_block_frame);
	RUN_TEST(test_corrupt_frames);
	RUN_TEST(test_streamed_and_prefix);
	RUN_TEST(test_bad_blocks);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	CHECK_EXIT();
}
