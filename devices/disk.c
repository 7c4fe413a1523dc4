/* disk.c - the disk API common to every format: request checks, counters, sticky flush errors. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "devices/disk-internal.h"
#include "vmm/compat.h"

int (*disk_fdatasync_hook)(int fd);

int disk_open(const struct vm_disk_config *cfg, struct disk **out, char *err)
{
	*out = NULL;
	if (!cfg->path[0])
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "disk %s: no path: set path = to the image file",
			       cfg->name);
	if (cfg->sectorsize && cfg->sectorsize != 512 &&
	    cfg->sectorsize != 4096)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: sectorsize = %u is not supported: use 512 "
			       "or 4096", cfg->path, cfg->sectorsize);
	switch (cfg->format) {
	case VM_DISK_RAW:
		return disk_raw_open(cfg, out, err);
	case VM_DISK_XHYVE_SPARSE:
		return disk_sparse_open(cfg, out, err);
	}
	return err_set(err, VM_ERR_MAX, -EINVAL,
		       "%s: unknown format: use raw or xhyve-sparse", cfg->path);
}

void disk_close(struct disk *d)
{
	if (!d)
		return;
	if (!d->readonly)
		d->ops->flush(d);	/* nobody is left to hear a failure */
	d->ops->close(d);
}

uint64_t disk_size(const struct disk *d)
{
	return d->size;
}

unsigned disk_sector_size(const struct disk *d)
{
	return d->sector_size;
}

bool disk_readonly(const struct disk *d)
{
	return d->readonly;
}

/* 0 when [off, off+len) is a well-formed range inside the disk. */
static int disk_check_range(const struct disk *d, uint64_t off, uint64_t len)
{
	if (off % DISK_UNIT || len % DISK_UNIT)
		return -EINVAL;
	if (off > d->size || len > d->size - off)
		return -EINVAL;
	return 0;
}

/* Checks the iovec and returns its total length in *len. */
static int disk_check_iov(const struct iovec *iov, int iovcnt, uint64_t *len)
{
	uint64_t total = 0;

	if (iovcnt < 0 || iovcnt > IOV_MAX || (iovcnt && !iov))
		return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > UINT64_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	*len = total;
	return 0;
}

int disk_read(struct disk *d, uint64_t off, const struct iovec *iov, int iovcnt)
{
	uint64_t len = 0;
	int rc = disk_check_iov(iov, iovcnt, &len);

	if (!rc)
		rc = disk_check_range(d, off, len);
	if (rc || !len)
		return rc;
	rc = d->ops->read(d, off, iov, iovcnt, len);
	if (!rc) {
		disk_count(&d->rd_bytes, len);
		disk_count(&d->rd_ops, 1);
	}
	return rc;
}

int disk_write(struct disk *d, uint64_t off, const struct iovec *iov,
	       int iovcnt)
{
	uint64_t len = 0;
	int rc = disk_check_iov(iov, iovcnt, &len);

	if (!rc)
		rc = disk_check_range(d, off, len);
	if (!rc && d->readonly)
		rc = -EROFS;
	if (rc || !len)
		return rc;
	rc = d->ops->write(d, off, iov, iovcnt, len);
	if (!rc) {
		disk_count(&d->wr_bytes, len);
		disk_count(&d->wr_ops, 1);
	}
	return rc;
}

/* Discard and write-zeroes are the same here: both punch holes. */
static int disk_zero(struct disk *d, uint64_t off, uint64_t len)
{
	int rc = disk_check_range(d, off, len);

	if (!rc && d->readonly)
		rc = -EROFS;
	if (rc || !len)
		return rc;
	rc = d->ops->zero(d, off, len);
	if (!rc)
		disk_count(&d->wr_ops, 1);
	return rc;
}

int disk_discard(struct disk *d, uint64_t off, uint64_t len)
{
	return disk_zero(d, off, len);
}

int disk_write_zeroes(struct disk *d, uint64_t off, uint64_t len)
{
	return disk_zero(d, off, len);
}

int disk_flush(struct disk *d)
{
	disk_count(&d->flushes, 1);
	if (d->readonly)
		return 0;
	if (__atomic_load_n(&d->flush_failed, __ATOMIC_ACQUIRE))
		return -EIO;
	if (d->ops->flush(d) < 0) {
		__atomic_store_n(&d->flush_failed, 1, __ATOMIC_RELEASE);
		return -EIO;
	}
	/* a flush that failed meanwhile in another thread taints this one */
	return __atomic_load_n(&d->flush_failed, __ATOMIC_ACQUIRE) ? -EIO : 0;
}

void disk_usage(struct disk *d, struct disk_usage *out)
{
	out->virtual_size = d->size;
	out->allocated = d->ops->allocated(d);
	out->rd_bytes = __atomic_load_n(&d->rd_bytes, __ATOMIC_RELAXED);
	out->wr_bytes = __atomic_load_n(&d->wr_bytes, __ATOMIC_RELAXED);
	out->rd_ops = __atomic_load_n(&d->rd_ops, __ATOMIC_RELAXED);
	out->wr_ops = __atomic_load_n(&d->wr_ops, __ATOMIC_RELAXED);
	out->flushes = __atomic_load_n(&d->flushes, __ATOMIC_RELAXED);
}

/* Walks the iovec from byte skip, calling copy() on each piece of len bytes. */
static void iov_walk(const struct iovec *iov, int iovcnt, uint64_t skip,
		     uint8_t *buf, size_t len, bool to_iov)
{
	for (int i = 0; i < iovcnt && len; i++) {
		size_t n;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		n = MIN(iov[i].iov_len - skip, len);
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + skip, buf, n);
		else
			memcpy(buf, (uint8_t *)iov[i].iov_base + skip, n);
		buf += n;
		len -= n;
		skip = 0;
	}
}

void iov_to_buf(const struct iovec *iov, int iovcnt, uint64_t skip,
		void *buf, size_t len)
{
	iov_walk(iov, iovcnt, skip, buf, len, false);
}

void buf_to_iov(const struct iovec *iov, int iovcnt, uint64_t skip,
		const void *buf, size_t len)
{
	iov_walk(iov, iovcnt, skip, (uint8_t *)buf, len, true);
}
