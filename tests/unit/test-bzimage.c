/* test-bzimage.c - bzImage setup-header validation: good, truncated and corrupt images. */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/bzimage.h"
#include "vmm/compat.h"

#define SETUP_SECTS 4
#define FILE_SIZE ((SETUP_SECTS + 1) * 512 + 64 * 1024)

static uint8_t img[BZ_HEADER_END];

/* A header as a 2.15 x86_64 kernel carries it. */
static void good_header(void)
{
	memset(img, 0, sizeof(img));
	img[BZ_SETUP_SECTS] = SETUP_SECTS;
	put_le32(img + BZ_SYSSIZE, 64 * 1024 / 16);
	put_le16(img + BZ_BOOT_FLAG, 0xaa55);
	img[BZ_JUMP] = 0xeb;
	img[BZ_JUMP + 1] = 0x66;
	memcpy(img + BZ_HEADER_MAGIC, "HdrS", 4);
	put_le16(img + BZ_VERSION, 0x020f);
	img[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	put_le32(img + BZ_INITRD_ADDR_MAX, 0x7fffffff);
	put_le16(img + BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
	put_le32(img + BZ_CMDLINE_SIZE, 2047);
	put_le32(img + BZ_INIT_SIZE, 1 << 20);
}

static int parse(uint64_t size, struct bzimage_info *info, char *err)
{
	return bzimage_parse(img, sizeof(img), size, info, err, 256);
}

static void test_good_image(void)
{
	struct bzimage_info info;
	char err[256] = "";

	good_header();
	CHECK_EQ(parse(FILE_SIZE, &info, err), 0);
	CHECK_EQ(info.version, 0x020f);
	CHECK_EQ(info.setup_size, (SETUP_SECTS + 1) * 512);
	CHECK_EQ(info.kernel_size, 64 * 1024);
	CHECK_EQ(info.init_size, 1 << 20);
	CHECK_EQ(info.cmdline_size, 2047);
	CHECK_EQ(info.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(info.header_end, 0x268);
}

static void test_zero_setup_sects_means_four(void)
{
	struct bzimage_info info;
	char err[256];

	good_header();
	img[BZ_SETUP_SECTS] = 0;
	CHECK_EQ(parse(FILE_SIZE, &info, err), 0);
	CHECK_EQ(info.setup_size, 5 * 512);
}

/* Each mutation must be rejected with a message containing `want`. */
static void expect_reject(const char *what, uint64_t size, int rc_want,
			  const char *want)
{
	struct bzimage_info info;
	char err[256] = "";
	int rc = parse(size, &info, err);

	CHECK(rc == rc_want, "%s: rc %d, expected %d (%s)", what, rc, rc_want,
	      err);
	CHECK(strstr(err, want) != NULL, "%s: message \"%s\" lacks \"%s\"",
	      what, err, want);
}

static void test_truncated_images(void)
{
	good_header();
	expect_reject("tiny file", 100, -ENOEXEC, "only 100 bytes");
	expect_reject("setup only", (SETUP_SECTS + 1) * 512, -EINVAL,
		      "truncated kernel");
	expect_reject("short kernel", FILE_SIZE - 16, -EINVAL,
		      "truncated kernel");
	img[BZ_SETUP_SECTS] = 200;	/* setup larger than the file */
	expect_reject("huge setup", FILE_SIZE, -EINVAL, "truncated kernel");
}

static void test_corrupt_headers(void)
{
	good_header();
	memcpy(img + BZ_HEADER_MAGIC, "HdrX", 4);
	expect_reject("magic", FILE_SIZE, -ENOEXEC, "HdrS");

	good_header();
	put_le16(img + BZ_BOOT_FLAG, 0x1234);
	expect_reject("boot flag", FILE_SIZE, -ENOEXEC, "boot flag");

	good_header();
	put_le16(img + BZ_VERSION, 0x0209);
	expect_reject("old protocol", FILE_SIZE, -EINVAL, "2.09 is too old");

	good_header();
	img[BZ_LOADFLAGS] = 0;
	expect_reject("zImage", FILE_SIZE, -EINVAL, "zImage");

	good_header();
	put_le16(img + BZ_XLOADFLAGS, 0);
	expect_reject("32-bit", FILE_SIZE, -EINVAL, "no 64-bit entry");

	good_header();
	put_le32(img + BZ_SYSSIZE, 0);
	expect_reject("syssize 0", FILE_SIZE, -EINVAL, "truncated");

	good_header();
	put_le32(img + BZ_INIT_SIZE, 100);
	expect_reject("init_size", FILE_SIZE, -EINVAL, "init_size");

	good_header();
	put_le32(img + BZ_CMDLINE_SIZE, 0);
	expect_reject("cmdline_size", FILE_SIZE, -EINVAL, "cmdline_size");

	good_header();
	img[BZ_JUMP + 1] = 0x10;	/* header ends before init_size */
	expect_reject("short header", FILE_SIZE, -EINVAL, "ends at");
}

static void test_old_protocol_without_xloadflags(void)
{
	struct bzimage_info info;
	char err[256];

	/* 2.10 and 2.11 have no xloadflags; the 64-bit entry is assumed. */
	good_header();
	put_le16(img + BZ_VERSION, 0x020a);
	put_le16(img + BZ_XLOADFLAGS, 0);
	CHECK_EQ(parse(FILE_SIZE, &info, err), 0);
}

/* Random bytes and random single-byte mutations never crash the parser. */
static void test_random_headers(void)
{
	struct bzimage_info info;
	char err[256];
	unsigned accepted = 0;

	srand(42);
	for (int i = 0; i < 20000; i++) {
		good_header();
		if (i % 2) {
			for (size_t j = 0; j < sizeof(img); j++)
				img[j] = (uint8_t)rand();
		} else {
			img[0x1f1 + rand() % (BZ_HEADER_END - 0x1f1)] =
				(uint8_t)rand();
		}
		if (parse((uint64_t)rand() % (2 * FILE_SIZE), &info, err) == 0) {
			accepted++;
			CHECK(info.setup_size + info.kernel_size <= 2 * FILE_SIZE,
			      "sizes beyond the file");
			CHECK(info.init_size >= info.kernel_size, "init_size");
		}
	}
	CHECK(accepted > 0, "no mutated header was accepted at all");
}

int main(void)
{
	RUN_TEST(test_good_image);
	RUN_TEST(test_zero_setup_sects_means_four);
	RUN_TEST(test_truncated_images);
	RUN_TEST(test_corrupt_headers);
	RUN_TEST(test_old_protocol_without_xloadflags);
	RUN_TEST(test_random_headers);
	CHECK_EXIT();
}
