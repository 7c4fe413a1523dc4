/* test-disk-api.c - disk rules: range and read-only rejection, image locks (also against QEMU's bytes), sticky flush errors, creation and config errors. */
#include <fcntl.h>
#include <sys/stat.h>

#include "tests/unit/check.h"
#include "tests/unit/disk-test.h"

static char scratch[256];
static const enum vm_disk_format formats[] = { VM_DISK_RAW,
					       VM_DISK_XHYVE_SPARSE };

/* The file that carries the lock and the data of an image. */
static void lock_file(char *out, const struct vm_disk_config *c)
{
	str_copy(out, c->path, PATH_MAX);
	if (c->format != VM_DISK_RAW)
		strncat(out, ".lut", PATH_MAX - strlen(out) - 1);
}

static struct vm_disk_config make_cfg(const char *name,
				      enum vm_disk_format f, bool ro)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s-%s", scratch, name,
		 f == VM_DISK_RAW ? "raw" : "sparse");
	return disk_cfg(path, f, 1 << 20, f == VM_DISK_RAW ? 0 : 256 << 10,
			512, ro, VM_CACHE_WRITEBACK);
}

/* A concatenation of every file of the image, to see it did not change. */
static uint8_t *image_bytes(const struct vm_disk_config *c, size_t *len)
{
	char name[PATH_MAX + 16];
	uint8_t *all = NULL;
	size_t total = 0;

	for (int i = -1; i < 6; i++) {
		size_t n;
		uint8_t *b;

		if (c->format == VM_DISK_RAW && i >= 0)
			break;
		if (c->format == VM_DISK_RAW)
			snprintf(name, sizeof(name), "%s", c->path);
		else if (i < 0)
			snprintf(name, sizeof(name), "%s.lut", c->path);
		else
			snprintf(name, sizeof(name), "%s.%04d", c->path, i);
		b = slurp(name, &n);
		if (!b)
			continue;
		all = realloc(all, total + n + 1);
		memcpy(all + total, b, n);
		total += n;
		free(b);
	}
	*len = total;
	return all;
}

static void test_range_and_readonly(void)
{
	for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
		struct vm_disk_config c = make_cfg("range", formats[f], false);
		char err[VM_ERR_MAX] = "";
		uint8_t buf[4096], *before, *after;
		struct iovec v = { buf, 512 }, big = { buf, 1024 };
		size_t nb, na;
		struct disk *d;

		memset(buf, 0xab, sizeof(buf));
		if (disk_open(&c, &d, err)) {
			CHECK(0, "open: %s", err);
			continue;
		}
		CHECK_EQ(disk_write(d, 0, &v, 1), 0);
		CHECK_EQ(disk_flush(d), 0);
		before = image_bytes(&c, &nb);
		CHECK_EQ(disk_write(d, 1 << 20, &v, 1), -EINVAL);
		CHECK_EQ(disk_write(d, (1 << 20) - 512, &big, 1), -EINVAL);
		CHECK_EQ(disk_write(d, 256, &v, 1), -EINVAL);
		v.iov_len = 100;
		CHECK_EQ(disk_write(d, 0, &v, 1), -EINVAL);
		CHECK_EQ(disk_read(d, 0, &v, 1), -EINVAL);
		v.iov_len = 512;
		CHECK_EQ(disk_write(d, UINT64_MAX - 511, &v, 1), -EINVAL);
		CHECK_EQ(disk_read(d, 1 << 20, &v, 1), -EINVAL);
		CHECK_EQ(disk_read(d, 0, &v, -1), -EINVAL);
		CHECK_EQ(disk_read(d, 0, &v, IOV_MAX + 1), -EINVAL);
		CHECK_EQ(disk_discard(d, (1 << 20) - 512, 1024), -EINVAL);
		CHECK_EQ(disk_write_zeroes(d, 512, 100), -EINVAL);
		CHECK_EQ(disk_discard(d, UINT64_MAX - 511, 1024), -EINVAL);
		CHECK_EQ(disk_flush(d), 0);
		after = image_bytes(&c, &na);
		CHECK(nb == na && !memcmp(before, after, nb),
		      "format %d: rejected requests changed the image files",
		      c.format);
		free(before);
		free(after);
		disk_close(d);

		/* read-only: data readable, every change refused */
		c.readonly = true;
		c.size = 0;
		if (disk_open(&c, &d, err)) {
			CHECK(0, "open read-only: %s", err);
			continue;
		}
		CHECK(disk_readonly(d), "format %d: not read-only", c.format);
		memset(buf, 0, 512);
		CHECK_EQ(disk_read(d, 0, &v, 1), 0);
		CHECK(buf[0] == 0xab && buf[511] == 0xab,
		      "format %d: read-only read gave %#x", c.format, buf[0]);
		CHECK_EQ(disk_write(d, 0, &v, 1), -EROFS);
		CHECK_EQ(disk_discard(d, 0, 512), -EROFS);
		CHECK_EQ(disk_write_zeroes(d, 0, 512), -EROFS);
		CHECK_EQ(disk_flush(d), 0);
		disk_close(d);
	}
}

/* Opens c; returns the rc and keeps the disk in *d (NULL on failure). */
static int try_open(struct vm_disk_config c, bool ro, struct disk **d,
		    char *err)
{
	c.readonly = ro;
	c.size = ro ? 0 : c.size;
	return disk_open(&c, d, err);
}

static void test_locks(void)
{
	for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
		struct vm_disk_config c = make_cfg("lock", formats[f], false);
		char err[VM_ERR_MAX] = "", lut[PATH_MAX + 8];
		struct disk *a = NULL, *b = NULL;

		CHECK_EQ(try_open(c, false, &a, err), 0);
		err[0] = 0;
		CHECK_EQ(try_open(c, false, &b, err), -EBUSY);
		lock_file(lut, &c);
		CHECK(strstr(err, lut) && strstr(err, "in use by another VM"),
		      "format %d: RW+RW message: %s", c.format, err);
		CHECK_EQ(try_open(c, true, &b, err), -EBUSY);	/* RW then RO */
		disk_close(a);
		CHECK_EQ(try_open(c, true, &a, err), 0);
		CHECK_EQ(try_open(c, true, &b, err), 0);	/* RO + RO */
		disk_close(b);
		CHECK_EQ(try_open(c, false, &b, err), -EBUSY);	/* RO then RW */
		disk_close(a);
		CHECK_EQ(try_open(c, false, &a, err), 0);	/* all released */
		disk_close(a);
	}
}

/* Takes F_RDLCK on the given bytes through a new open file description. */
static int qemu_like_holder(const char *path, const int *bytes, int n)
{
	int fd = open(path, O_RDWR);

	for (int i = 0; fd >= 0 && i < n; i++) {
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
				    .l_start = bytes[i], .l_len = 1 };

		if (fcntl(fd, F_OFD_SETLK, &fl))
			CHECK(0, "could not take byte %d: %s", bytes[i],
			      strerror(errno));
	}
	return fd;
}

static bool byte_locked(const char *path, int byte)
{
	int fd = open(path, O_RDONLY);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = byte, .l_len = 1 };
	bool held = false;

	if (fd >= 0 && !fcntl(fd, F_OFD_GETLK, &fl))
		held = fl.l_type != F_UNLCK;
	if (fd >= 0)
		close(fd);
	return held;
}

/*
 * QEMU's file-posix holds, for a read-write disk, bytes 100 (consistent
 * read) and 101 (write) and 201 (nobody else writes); a read-only one
 * 100 and 201. hyve must refuse and be refused accordingly.
 */
static void test_locks_qemu_bytes(void)
{
	static const int qemu_rw[] = { 100, 101, 201, 203 };
	static const int qemu_ro[] = { 100, 201, 203 };
	struct vm_disk_config c = make_cfg("qemu", VM_DISK_RAW, false);
	char err[VM_ERR_MAX] = "";
	struct disk *d = NULL;
	int fd;

	CHECK_EQ(try_open(c, false, &d, err), 0);
	CHECK(byte_locked(c.path, 100) && byte_locked(c.path, 101) &&
	      byte_locked(c.path, 201),
	      "hyve read-write does not hold QEMU's bytes 100, 101, 201");
	disk_close(d);
	CHECK(!byte_locked(c.path, 101) && !byte_locked(c.path, 201),
	      "locks outlive disk_close");

	fd = qemu_like_holder(c.path, qemu_rw, 4);
	CHECK_EQ(try_open(c, false, &d, err), -EBUSY);
	CHECK_EQ(try_open(c, true, &d, err), -EBUSY);
	close(fd);

	fd = qemu_like_holder(c.path, qemu_ro, 3);
	CHECK_EQ(try_open(c, false, &d, err), -EBUSY);
	CHECK_EQ(try_open(c, true, &d, err), 0);
	disk_close(d);
	close(fd);

	CHECK_EQ(try_open(c, true, &d, err), 0);
	CHECK(byte_locked(c.path, 100) && !byte_locked(c.path, 101) &&
	      byte_locked(c.path, 201),
	      "hyve read-only should hold 100 and 201, not 101");
	disk_close(d);
}

/* A device whose fdatasync fails once, at call number fail_at. */
static int sync_calls, fail_at;

static int failing_fdatasync(int fd)
{
	if (++sync_calls == fail_at) {
		errno = EIO;
		return -1;
	}
	return fdatasync(fd);
}

static void test_sticky_flush(void)
{
	for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
		struct vm_disk_config c = make_cfg("sticky", formats[f], false);
		char err[VM_ERR_MAX] = "";
		uint8_t buf[512] = { 1 };
		struct iovec v = { buf, 512 };
		struct disk *d;

		if (disk_open(&c, &d, err)) {
			CHECK(0, "open: %s", err);
			continue;
		}
		disk_fdatasync_hook = failing_fdatasync;
		sync_calls = 0;
		fail_at = 1;
		CHECK_EQ(disk_write(d, 0, &v, 1), 0);
		CHECK_EQ(disk_flush(d), -EIO);
		CHECK(sync_calls >= 1, "the hook was not called");
		/* the device works again, but the lost data stays lost */
		CHECK_EQ(disk_write(d, 512, &v, 1), 0);
		CHECK_EQ(disk_flush(d), -EIO);
		CHECK_EQ(disk_flush(d), -EIO);
		disk_fdatasync_hook = NULL;
		CHECK_EQ(disk_flush(d), -EIO);
		disk_close(d);
		/* a fresh open is a fresh start */
		c.size = 0;
		if (!disk_open(&c, &d, err)) {
			CHECK_EQ(disk_flush(d), 0);
			disk_close(d);
		}
	}
	/* xhyve-sparse writethrough: the commit inside a write fails it */
	{
		struct vm_disk_config c = make_cfg("sticky-wt",
						   VM_DISK_XHYVE_SPARSE, false);
		char err[VM_ERR_MAX] = "";
		uint8_t buf[512] = { 1 };
		struct iovec v = { buf, 512 };
		struct disk *d;

		c.cache = VM_CACHE_WRITETHROUGH;
		if (disk_open(&c, &d, err)) {
			CHECK(0, "open: %s", err);
			return;
		}
		disk_fdatasync_hook = failing_fdatasync;
		sync_calls = 0;
		fail_at = 1;
		CHECK_EQ(disk_write(d, 0, &v, 1), -EIO);
		CHECK_EQ(disk_flush(d), -EIO);
		disk_fdatasync_hook = NULL;
		disk_close(d);
	}
}

static void test_raw_create(void)
{
	struct vm_disk_config c = make_cfg("create", VM_DISK_RAW, false);
	char err[VM_ERR_MAX] = "";
	struct disk *d = NULL;
	struct stat st;
	int fd;

	c.size = 64ull << 20;
	CHECK_EQ(disk_open(&c, &d, err), 0);
	CHECK(!stat(c.path, &st) && st.st_size == 64 << 20 &&
	      st.st_blocks * 512 < (1 << 20),
	      "new raw image: size %lld, %lld blocks (want sparse 64 MiB)",
	      (long long)st.st_size, (long long)st.st_blocks);
	if (d) {
		struct disk_usage u;

		CHECK_EQ(disk_size(d), 64 << 20);
		CHECK_EQ(disk_sector_size(d), 512);
		disk_usage(d, &u);
		CHECK(u.allocated < (1 << 20), "allocated %llu",
		      (unsigned long long)u.allocated);
		disk_close(d);
	}
	/* an existing image is never truncated; a size mismatch is an error */
	c.size = 32ull << 20;
	err[0] = 0;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, c.path) && strstr(err, "size ="), "message: %s",
	      err);
	CHECK(!stat(c.path, &st) && st.st_size == 64 << 20, "image resized");
	/* missing without size */
	snprintf(c.path, sizeof(c.path), "%s/missing", scratch);
	c.size = 0;
	CHECK_EQ(disk_open(&c, &d, err), -ENOENT);
	CHECK(strstr(err, c.path) != NULL, "message: %s", err);
	/* size not a multiple of the sector size */
	c.size = 1000 * 1000;
	c.sectorsize = 4096;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, "sectorsize") != NULL, "message: %s", err);
	c.sectorsize = 1024;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	/* an existing file whose length does not fit the sector size */
	snprintf(c.path, sizeof(c.path), "%s/odd", scratch);
	fd = open(c.path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && !ftruncate(fd, 4096 + 512), "odd file");
	close(fd);
	c.size = 0;
	c.sectorsize = 4096;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, c.path) && strstr(err, "multiple"), "message: %s",
	      err);
	c.split = 1 << 20;
	c.sectorsize = 512;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, "split") != NULL, "message: %s", err);
}

static void test_sparse_config_errors(void)
{
	struct vm_disk_config c = make_cfg("sparsecfg", VM_DISK_XHYVE_SPARSE,
					   false);
	char err[VM_ERR_MAX] = "", name[PATH_MAX + 16];
	struct disk *d = NULL;

	c.size = 0;	/* missing and no size */
	CHECK_EQ(disk_open(&c, &d, err), -ENOENT);
	CHECK(strstr(err, ".lut") && strstr(err, "size ="), "message: %s",
	      err);
	c.size = 1 << 20;
	c.split = 1000;	/* not a multiple of 512 */
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, "split") != NULL, "message: %s", err);
	c.split = 256 << 10;
	CHECK_EQ(disk_open(&c, &d, err), 0);
	if (d) {
		uint8_t buf[512];
		struct iovec v = { buf, 512 };

		memset(buf, 7, sizeof(buf));
		CHECK_EQ(disk_write(d, 900 << 10, &v, 1), 0); /* segment 3 */
		disk_close(d);
	}
	/* four segments and the extra empty one xhyve opens */
	for (int i = 0; i < 5; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "%s.%04d", c.path, i);
		CHECK(!stat(name, &st), "%s missing", name);
	}
	/* size that does not match the LUT */
	c.size = 2 << 20;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, ".lut") && strstr(err, "size ="), "message: %s",
	      err);
	/* a wrong split: too large leaves data in segments beyond it */
	c.size = 0;
	c.split = 512 << 10;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	CHECK(strstr(err, "split") != NULL, "message: %s", err);
	/* split absent = one segment: the data is in .0003, so refused too */
	c.split = 0;
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	c.split = 256 << 10;
	c.sectorsize = 4096;	/* LUT of 512-byte sectors read as 4096 */
	CHECK_EQ(disk_open(&c, &d, err), -EINVAL);
	c.sectorsize = 512;
	CHECK_EQ(disk_open(&c, &d, err), 0);
	if (d)
		disk_close(d);
}

static void test_usage_counters(void)
{
	struct vm_disk_config c = make_cfg("usage", VM_DISK_XHYVE_SPARSE,
					   false);
	char err[VM_ERR_MAX] = "";
	uint8_t buf[8192];
	struct iovec v = { buf, sizeof(buf) };
	struct disk_usage u;
	struct disk *d;

	c.sectorsize = 4096;
	if (disk_open(&c, &d, err)) {
		CHECK(0, "open: %s", err);
		return;
	}
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(disk_write(d, 0, &v, 1), 0);
	CHECK_EQ(disk_write(d, 65536, &v, 1), 0);
	CHECK_EQ(disk_read(d, 0, &v, 1), 0);
	CHECK_EQ(disk_discard(d, 65536, 4096), 0);
	CHECK_EQ(disk_flush(d), 0);
	disk_usage(d, &u);
	CHECK_EQ(u.virtual_size, 1 << 20);
	CHECK_EQ(u.allocated, 3 * 4096);
	CHECK_EQ(u.rd_bytes, 8192);
	CHECK_EQ(u.wr_bytes, 16384);
	CHECK_EQ(u.rd_ops, 1);
	CHECK_EQ(u.wr_ops, 3);
	CHECK_EQ(u.flushes, 1);
	disk_close(d);
}

int main(void)
{
	scratch_make(scratch, sizeof(scratch), "disk-test");
	RUN_TEST(test_range_and_readonly);
	RUN_TEST(test_locks);
	RUN_TEST(test_locks_qemu_bytes);
	RUN_TEST(test_sticky_flush);
	RUN_TEST(test_raw_create);
	RUN_TEST(test_sparse_config_errors);
	RUN_TEST(test_usage_counters);
	scratch_remove(scratch);
	CHECK_EXIT();
}
