/* test-disk-xhyve.c - xhyve-sparse compatibility: images laid out as xhyve's branch writes them open in hyve, and hyve's images read back with an independent reader. */
#include <sys/stat.h>

#include "tests/unit/check.h"
#include "tests/unit/disk-test.h"

static char scratch[256];
static uint64_t seed;

/* The pattern of sector s as the tests write it: never all zeros. */
static void pattern(uint8_t *buf, size_t ss, uint64_t s, uint64_t salt)
{
	uint64_t st = s * 1000003 + salt;

	for (size_t i = 0; i < ss; i++)
		buf[i] = (uint8_t)(rng_next(&st) | 1);
}

static void file_name(char *out, const char *base, const char *suffix, int i)
{
	if (i < 0)
		snprintf(out, PATH_MAX + 16, "%s%s", base, suffix);
	else
		snprintf(out, PATH_MAX + 16, "%s.%04d", base, i);
}

/*
 * Builds, byte by byte, what xhyve's block_if.c leaves on disk: a LUT of
 * size/ss entries, segments NAME.0000.. (size/split + 1 of them) where a
 * sector's data was appended at the segment's end when first written
 * (xhyve never frees a slot). Sectors are "written" in a shuffled order,
 * so slots do not follow sector order.
 */
static void xhyve_build(const char *base, uint64_t size, uint64_t split,
			unsigned ss, const uint8_t *written, uint8_t *expect)
{
	uint64_t sectors = size / ss, per_seg = split / ss;
	unsigned files = (unsigned)(size / split) + 1;
	uint8_t *lut = malloc(sectors * 4);
	uint8_t **seg = calloc(files, sizeof(*seg));
	size_t *seg_len = calloc(files, sizeof(*seg_len));
	char name[PATH_MAX + 16];
	uint64_t rng = seed;

	memset(lut, 0xff, sectors * 4);
	memset(expect, 0, size);
	for (uint64_t n = 0; n < sectors * 2; n++) {
		uint64_t s = rng_below(&rng, sectors);
		unsigned i = (unsigned)(s / per_seg);

		if (!written[s] || get_le32(lut + s * 4) != 0xffffffffu)
			continue;
		put_le32(lut + s * 4, (uint32_t)(seg_len[i] / ss));
		seg[i] = realloc(seg[i], seg_len[i] + ss);
		pattern(seg[i] + seg_len[i], ss, s, 1);
		memcpy(expect + s * ss, seg[i] + seg_len[i], ss);
		seg_len[i] += ss;
	}
	file_name(name, base, ".lut", -1);
	CHECK(!spit(name, lut, sectors * 4), "write %s", name);
	for (unsigned i = 0; i < files; i++) {
		file_name(name, base, "", (int)i);
		CHECK(!spit(name, seg[i], seg_len[i]), "write %s", name);
		free(seg[i]);
	}
	free(seg);
	free(seg_len);
	free(lut);
}

static void xhyve_case(unsigned ss, uint64_t split)
{
	uint64_t size = 1 << 20, sectors = size / ss, rng = seed + ss;
	uint8_t *written = calloc(sectors, 1), *expect = malloc(size), *got;
	char base[PATH_MAX], err[VM_ERR_MAX] = "";
	struct vm_disk_config c;
	struct disk *d;

	for (uint64_t s = 0; s < sectors; s++)
		written[s] = rng_below(&rng, 3) == 0;
	snprintf(base, sizeof(base), "%s/xhyve-%u-%llu", scratch, ss,
		 (unsigned long long)split);
	xhyve_build(base, size, split, ss, written, expect);
	c = disk_cfg(base, VM_DISK_XHYVE_SPARSE, size, split, ss, true,
		     VM_CACHE_WRITEBACK);
	if (disk_open(&c, &d, err)) {
		CHECK(0, "ss %u: xhyve's image does not open: %s", ss, err);
	} else {
		got = disk_slurp(d);
		CHECK(got && first_diff(got, expect, size) < 0,
		      "ss %u: byte %ld of xhyve's image reads wrong (seed "
		      "%#llx)", ss, got ? first_diff(got, expect, size) : -1,
		      (unsigned long long)seed);
		free(got);
		disk_close(d);
	}
	/* and read-write: overwrite some, reopen, compare */
	c.readonly = false;
	if (!disk_open(&c, &d, err)) {
		uint8_t *buf = malloc(ss);
		struct iovec v = { buf, ss };

		for (uint64_t s = 0; s < sectors; s += 7) {
			pattern(buf, ss, s, 2);
			memcpy(expect + s * ss, buf, ss);
			CHECK_EQ(disk_write(d, s * ss, &v, 1), 0);
		}
		disk_close(d);
		c.size = 0;
		if (!disk_open(&c, &d, err)) {
			got = disk_slurp(d);
			CHECK(got && first_diff(got, expect, size) < 0,
			      "ss %u: rewritten xhyve image differs", ss);
			free(got);
			disk_close(d);
		}
		free(buf);
	} else {
		CHECK(0, "ss %u: read-write open: %s", ss, err);
	}
	free(written);
	free(expect);
}

static void test_xhyve_images_open(void)
{
	xhyve_case(512, 256 << 10);
	xhyve_case(4096, 256 << 10);
	xhyve_case(4096, 384 << 10);	/* split not dividing size */
}

/*
 * An independent reader of the format, as xhyve's blockif_sparse_read
 * does it: sector s lives in segment s / (split/ss), at LUT[s] * ss.
 */
static uint8_t *reference_read(const char *base, uint64_t size, uint64_t split,
			       unsigned ss)
{
	uint64_t sectors = size / ss, per_seg = split / ss;
	char name[PATH_MAX + 16];
	size_t lut_len, seg_len[64] = { 0 };
	uint8_t *lut, *seg[64] = { 0 }, *out = calloc(1, size);
	unsigned files = (unsigned)(size / split) + 1;

	file_name(name, base, ".lut", -1);
	lut = slurp(name, &lut_len);
	CHECK(lut && lut_len == sectors * 4, "%s: %zu bytes, want %llu", name,
	      lut_len, (unsigned long long)sectors * 4);
	for (unsigned i = 0; i < files && i < 64; i++) {
		file_name(name, base, "", (int)i);
		seg[i] = slurp(name, &seg_len[i]);
		CHECK(seg[i] != NULL || seg_len[i] == 0, "%s missing", name);
		if (!seg[i]) {
			struct stat st;

			CHECK(!stat(name, &st), "%s missing: xhyve opens it",
			      name);
		}
	}
	for (uint64_t s = 0; lut && lut_len == sectors * 4 && s < sectors;
	     s++) {
		uint32_t slot = get_le32(lut + s * 4);
		unsigned i = (unsigned)(s / per_seg);

		if (slot == 0xffffffffu)
			continue;
		if ((uint64_t)(slot + 1) * ss > seg_len[i]) {
			CHECK(0, "sector %llu: slot %u beyond %s.%04u",
			      (unsigned long long)s, slot, base, i);
			break;
		}
		memcpy(out + s * ss, seg[i] + (size_t)slot * ss, ss);
	}
	for (unsigned i = 0; i < 64; i++)
		free(seg[i]);
	free(lut);
	return out;
}

static void hyve_case(unsigned ss, uint64_t split)
{
	uint64_t size = 1 << 20, rng = seed * 3 + ss;
	uint8_t *model = calloc(1, size), *buf = malloc(64 << 10), *got;
	char base[PATH_MAX], err[VM_ERR_MAX] = "";
	struct vm_disk_config c;
	struct disk *d;

	snprintf(base, sizeof(base), "%s/hyve-%u-%llu", scratch, ss,
		 (unsigned long long)split);
	c = disk_cfg(base, VM_DISK_XHYVE_SPARSE, size, split, ss, false,
		     VM_CACHE_WRITEBACK);
	if (disk_open(&c, &d, err)) {
		CHECK(0, "create: %s", err);
		goto out;
	}
	for (int n = 0; n < 600; n++) {
		uint64_t len = (rng_below(&rng, 16) + 1) * 512;
		uint64_t off = rng_below(&rng, (size - len) / 512 + 1) * 512;
		struct iovec v = { buf, len };

		if (rng_below(&rng, 5) == 0) {
			CHECK_EQ(disk_discard(d, off, len), 0);
			memset(model + off, 0, len);
		} else {
			for (uint64_t i = 0; i < len; i++)
				buf[i] = (uint8_t)rng_next(&rng);
			CHECK_EQ(disk_write(d, off, &v, 1), 0);
			memcpy(model + off, buf, len);
		}
		if (rng_below(&rng, 50) == 0)
			CHECK_EQ(disk_flush(d), 0);
	}
	disk_close(d);
	got = reference_read(base, size, split ? split : size, ss);
	CHECK(first_diff(got, model, size) < 0,
	      "ss %u split %llu: the reference reader sees byte %ld differ "
	      "(seed %#llx)", ss, (unsigned long long)split,
	      first_diff(got, model, size), (unsigned long long)seed);
	free(got);
out:
	free(model);
	free(buf);
}

static void test_hyve_images_read_back(void)
{
	hyve_case(512, 256 << 10);
	hyve_case(4096, 256 << 10);
	hyve_case(4096, 0);	/* no split: one segment, NAME.0000 */
}

/* xhyve wrote the LUT before the data: a crash left slots past the end. */
static void test_torn_xhyve_image_refused(void)
{
	uint64_t size = 64 << 10;
	uint8_t lut[(64 << 10) / 512 * 4];
	char base[PATH_MAX], name[PATH_MAX + 16], err[VM_ERR_MAX] = "";
	struct vm_disk_config c;
	struct disk *d;

	snprintf(base, sizeof(base), "%s/torn", scratch);
	memset(lut, 0xff, sizeof(lut));
	put_le32(lut + 5 * 4, 0);	/* slot 0 of an empty segment */
	file_name(name, base, ".lut", -1);
	spit(name, lut, sizeof(lut));
	for (int i = 0; i < 2; i++) {
		file_name(name, base, "", i);
		spit(name, "", 0);
	}
	c = disk_cfg(base, VM_DISK_XHYVE_SPARSE, size, size, 512, true,
		     VM_CACHE_WRITEBACK);
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, "sector 5") && strstr(err, ".0000"), "message: %s",
	      err);
}

int main(void)
{
	seed = test_seed();
	printf("seed %#llx (rerun with HYVE_TEST_SEED=%#llx)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	scratch_make(scratch, sizeof(scratch), "disk-test");
	RUN_TEST(test_xhyve_images_open);
	RUN_TEST(test_hyve_images_read_back);
	RUN_TEST(test_torn_xhyve_image_refused);
	scratch_remove(scratch);
	CHECK_EXIT();
}
