/* disk-file.c - one image file: cache-mode open, QEMU-compatible locks, full-length and O_DIRECT-safe I/O. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/disk-internal.h"
#include "vmm/compat.h"

/*
 * QEMU's block/file-posix.c expresses block-layer permissions as one-byte
 * open-file-description locks, all shared (F_RDLCK): byte PERM_BASE + i
 * means "I hold permission bit i", byte SHARED_BASE + i "I do not let
 * anyone else hold permission bit i". A newcomer conflicts when a byte it
 * needs is held exclusively-testable by someone else (tested with F_WRLCK
 * through F_OFD_GETLK). The bit numbers are QEMU's BLK_PERM_* order.
 */
#define LOCK_PERM_BASE		100
#define LOCK_SHARED_BASE	200
#define PERM_CONSISTENT_READ	(1u << 0)
#define PERM_WRITE		(1u << 1)
#define PERM_WRITE_UNCHANGED	(1u << 2)
#define PERM_RESIZE		(1u << 3)
#define PERM_BITS		5	/* QEMU's BLK_PERM_ALL spans at most 5 */

#define DIRECT_ALIGN_FALLBACK	4096
#define ZERO_CHUNK		(1u << 20)

/* statx(2) with STATX_DIOALIGN: glibc 2.36's struct statx lacks the fields. */
#define STATX_DIOALIGN_MASK	0x00002000u
#define STATX_OFF_MASK		0x00
#define STATX_OFF_DIO_MEM	0x98
#define STATX_OFF_DIO_OFFSET	0x9c

/* The O_DIRECT alignment of fd: the device's logical block, else 4096. */
static unsigned dfile_direct_align(int fd)
{
	struct stat st;
	uint8_t sx[256] = { 0 };
	uint32_t mask, mem, offset;
	int lbs = 0;

	if (!fstat(fd, &st) && S_ISBLK(st.st_mode) &&
	    !ioctl(fd, BLKSSZGET, &lbs) && lbs >= 512)
		return (unsigned)lbs;
	if (!syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_DIOALIGN_MASK,
		     sx)) {
		memcpy(&mask, sx + STATX_OFF_MASK, 4);
		memcpy(&mem, sx + STATX_OFF_DIO_MEM, 4);
		memcpy(&offset, sx + STATX_OFF_DIO_OFFSET, 4);
		if ((mask & STATX_DIOALIGN_MASK) && offset) {
			unsigned a = MAX(MAX(mem, offset), 512u);

			if (!(a & (a - 1)) && a <= 65536)
				return a;
		}
	}
	return DIRECT_ALIGN_FALLBACK;
}

int dfile_open(struct disk_file *f, const char *path, bool readonly,
	       enum vm_disk_cache cache, bool dsync, enum dfile_create create,
	       char *err)
{
	int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->align = 1;
	if (cache == VM_CACHE_WRITETHROUGH && dsync)
		flags |= O_DSYNC;
	if (cache == VM_CACHE_DIRECT)
		flags |= O_DIRECT;
	if (create == DFILE_CREATE_EXCL)
		flags |= O_CREAT | O_EXCL;
	else if (create == DFILE_CREATE_OK)
		flags |= O_CREAT;
	f->fd = open(path, flags, 0660);
	if (f->fd < 0) {
		int e = errno;

		if (e == EINVAL && (flags & O_DIRECT))
			return err_set(err, VM_ERR_MAX, -e,
				       "%s: cache = direct is not supported on "
				       "this filesystem (O_DIRECT refused): use "
				       "cache = writeback or writethrough", path);
		if (e == ENOENT)
			return err_set(err, VM_ERR_MAX, -e,
				       "%s: no such file: fix path, or set size = "
				       "to create a new image", path);
		if ((e == EACCES || e == EROFS || e == EPERM) && !readonly)
			return err_set(err, VM_ERR_MAX, -e,
				       "%s: cannot open it for writing (%s): fix "
				       "its permissions or set readonly = yes",
				       path, strerror(e));
		return err_set(err, VM_ERR_MAX, -e, "%s: cannot open it: %s",
			       path, strerror(e));
	}
	if (flags & O_DIRECT) {
		f->direct = true;
		f->align = dfile_direct_align(f->fd);
	}
	pthread_mutex_init(&f->rmw_lock, NULL);
	return 0;
}

void dfile_close(struct disk_file *f)
{
	if (f->fd >= 0) {
		close(f->fd);	/* drops its OFD locks too */
		pthread_mutex_destroy(&f->rmw_lock);
	}
	f->fd = -1;
}

/* One F_OFD_SETLK / F_OFD_GETLK on byte off; GETLK reports in *held. */
static int dfile_lock_byte(int fd, int cmd, short type, off_t off, bool *held)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET, .l_start = off, .l_len = 1,
	};

	if (fcntl(fd, cmd, &fl) < 0)
		return -errno;
	if (held)
		*held = fl.l_type != F_UNLCK;
	return 0;
}

int dfile_lock(struct disk_file *f, const char *what, bool readonly, char *err)
{
	unsigned perm = PERM_CONSISTENT_READ | (readonly ? 0 : PERM_WRITE);
	unsigned unshared = PERM_WRITE | PERM_RESIZE;
	bool conflict = false;
	int rc = 0;

	/* Take ours first, then look: two racing openers both fail, never both win. */
	for (int i = 0; i < PERM_BITS && !rc; i++) {
		if (perm & (1u << i))
			rc = dfile_lock_byte(f->fd, F_OFD_SETLK, F_RDLCK,
					     LOCK_PERM_BASE + i, NULL);
		if (!rc && (unshared & (1u << i)))
			rc = dfile_lock_byte(f->fd, F_OFD_SETLK, F_RDLCK,
					     LOCK_SHARED_BASE + i, NULL);
	}
	if (rc == -EAGAIN || rc == -EACCES) {
		conflict = true;
		rc = 0;
	}
	for (int i = 0; i < PERM_BITS && !rc && !conflict; i++) {
		bool held = false;

		if (perm & (1u << i))
			rc = dfile_lock_byte(f->fd, F_OFD_GETLK, F_WRLCK,
					     LOCK_SHARED_BASE + i, &held);
		conflict |= held;
		if (!rc && (unshared & (1u << i)))
			rc = dfile_lock_byte(f->fd, F_OFD_GETLK, F_WRLCK,
					     LOCK_PERM_BASE + i, &held);
		conflict |= held;
	}
	if (conflict)
		rc = err_set(err, VM_ERR_MAX, -EBUSY,
			     "%s is in use by another VM (a hyve or QEMU holds "
			     "its lock): stop that VM first; only read-only "
			     "users can share an image", what);
	else if (rc)
		err_set(err, VM_ERR_MAX, rc,
			"%s: cannot lock it (%s): keep images on a filesystem "
			"with open file description locks", what,
			strerror(-rc));
	if (rc) {
		struct flock all = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

		fcntl(f->fd, F_OFD_SETLK, &all);
	}
	return rc;
}

/*
 * preadv/pwritev until all total bytes moved, retrying EINTR and short
 * transfers. Returns the bytes moved (short only at end of file on reads)
 * or -errno.
 */
static int64_t dfile_io_full(int fd, bool write, uint64_t off,
			     const struct iovec *iov, int iovcnt,
			     uint64_t total)
{
	struct iovec *copy = NULL, *cur = NULL;
	uint64_t done = 0;
	int64_t rc = 0;

	while (done < total) {
		ssize_t n = write ? pwritev(fd, iov, iovcnt, (off_t)(off + done))
				  : preadv(fd, iov, iovcnt, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n == 0 && write)) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		if (n == 0)
			break;	/* end of file */
		done += (uint64_t)n;
		if (done >= total)
			break;
		if (!copy) {	/* short: step through a private copy */
			copy = malloc(sizeof(*copy) * (size_t)iovcnt);
			if (!copy) {
				rc = -ENOMEM;
				break;
			}
			memcpy(copy, iov, sizeof(*copy) * (size_t)iovcnt);
			cur = copy;
		}
		while ((size_t)n >= cur->iov_len) {
			n -= (ssize_t)cur->iov_len;
			cur++;
			iovcnt--;
		}
		cur->iov_base = (uint8_t *)cur->iov_base + n;
		cur->iov_len -= (size_t)n;
		iov = cur;
	}
	free(copy);
	return rc < 0 ? rc : (int64_t)done;
}

static uint64_t iov_total(const struct iovec *iov, int iovcnt)
{
	uint64_t total = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	return total;
}

/* Whether O_DIRECT can take this request as it is. */
static bool dfile_aligned(const struct disk_file *f, uint64_t off,
			  const struct iovec *iov, int iovcnt)
{
	if (!f->direct)
		return true;
	if (off % f->align)
		return false;
	for (int i = 0; i < iovcnt; i++)
		if ((uintptr_t)iov[i].iov_base % f->align ||
		    iov[i].iov_len % f->align)
			return false;
	return true;
}

void *dfile_buffer(const struct disk_file *f, size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, MAX(f->align, 64u), len ? len : 1))
		return NULL;
	return p;
}

/* Reads whole aligned blocks [start, start+len) into buf, zeros past EOF. */
static int dfile_read_blocks(struct disk_file *f, uint64_t start, uint8_t *buf,
			     size_t len)
{
	struct iovec v = { buf, len };
	int64_t n = dfile_io_full(f->fd, false, start, &v, 1, len);

	if (n < 0)
		return (int)n;
	memset(buf + n, 0, len - (size_t)n);
	return 0;
}

int64_t dfile_preadv(struct disk_file *f, uint64_t off,
		     const struct iovec *iov, int iovcnt)
{
	uint64_t len = iov_total(iov, iovcnt), start, end, n;
	struct iovec v;
	uint8_t *buf;
	int64_t got;

	if (dfile_aligned(f, off, iov, iovcnt))
		return dfile_io_full(f->fd, false, off, iov, iovcnt, len);
	start = ALIGN_DOWN(off, (uint64_t)f->align);
	end = ALIGN_UP(off + len, (uint64_t)f->align);
	buf = dfile_buffer(f, end - start);
	if (!buf)
		return -ENOMEM;
	v = (struct iovec){ buf, end - start };
	got = dfile_io_full(f->fd, false, start, &v, 1, end - start);
	if (got >= 0) {
		n = (uint64_t)got > off - start ? (uint64_t)got - (off - start)
						 : 0;
		n = MIN(n, len);
		buf_to_iov(iov, iovcnt, 0, buf + (off - start), n);
		got = (int64_t)n;
	}
	free(buf);
	return got;
}

int dfile_pwritev(struct disk_file *f, uint64_t off, const struct iovec *iov,
		  int iovcnt)
{
	uint64_t len = iov_total(iov, iovcnt), start, end;
	bool head, tail;
	struct iovec v;
	uint8_t *buf;
	int64_t rc = 0;

	if (dfile_aligned(f, off, iov, iovcnt)) {
		rc = dfile_io_full(f->fd, true, off, iov, iovcnt, len);
		return rc < 0 ? (int)rc : 0;
	}
	start = ALIGN_DOWN(off, (uint64_t)f->align);
	end = ALIGN_UP(off + len, (uint64_t)f->align);
	head = off != start;
	tail = off + len != end;
	buf = dfile_buffer(f, end - start);
	if (!buf)
		return -ENOMEM;
	/* partial blocks: keep the rest of them, and no other partial
	 * writer may interleave its own read-modify-write */
	if (head || tail)
		pthread_mutex_lock(&f->rmw_lock);
	if (head)
		rc = dfile_read_blocks(f, start, buf, f->align);
	if (!rc && tail && (!head || end - start > f->align))
		rc = dfile_read_blocks(f, end - f->align,
				       buf + (end - start) - f->align,
				       f->align);
	if (!rc) {
		iov_to_buf(iov, iovcnt, 0, buf + (off - start), len);
		v = (struct iovec){ buf, end - start };
		rc = dfile_io_full(f->fd, true, start, &v, 1, end - start);
	}
	if (head || tail)
		pthread_mutex_unlock(&f->rmw_lock);
	free(buf);
	return rc < 0 ? (int)rc : 0;
}

int64_t dfile_pread(struct disk_file *f, uint64_t off, void *buf, size_t len)
{
	struct iovec v = { buf, len };

	return dfile_preadv(f, off, &v, 1);
}

int dfile_pwrite(struct disk_file *f, uint64_t off, const void *buf,
		 size_t len)
{
	struct iovec v = { (void *)buf, len };

	return dfile_pwritev(f, off, &v, 1);
}

/* The fallback of dfile_zero: plain writes of zeros. */
static int dfile_write_zeros(struct disk_file *f, uint64_t off, uint64_t len)
{
	size_t chunk = (size_t)MIN(len, (uint64_t)ZERO_CHUNK);
	uint8_t *zeros = dfile_buffer(f, chunk);
	int rc = 0;

	if (!zeros)
		return -ENOMEM;
	memset(zeros, 0, chunk);
	while (len && !rc) {
		size_t n = (size_t)MIN(len, (uint64_t)chunk);

		rc = dfile_pwrite(f, off, zeros, n);
		off += n;
		len -= n;
	}
	free(zeros);
	return rc;
}

int dfile_zero(struct disk_file *f, uint64_t off, uint64_t len)
{
	static const int modes[] = {
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
	};

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		int r;

		do
			r = fallocate(f->fd, modes[i], (off_t)off, (off_t)len);
		while (r < 0 && errno == EINTR);
		if (!r)
			return 0;
		/* unsupported here (filesystem, device, alignment): next way */
		if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL &&
		    errno != ENODEV)
			return -errno;
	}
	return dfile_write_zeros(f, off, len);
}

int dfile_sync(struct disk_file *f)
{
	int r = disk_fdatasync_hook ? disk_fdatasync_hook(f->fd)
				    : fdatasync(f->fd);

	if (r < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int dfile_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, rc = 0;

	str_copy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		str_copy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (disk_fdatasync_hook ? disk_fdatasync_hook(fd) : fsync(fd))
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}
