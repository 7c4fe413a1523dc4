/* disk-raw.c - the raw format: the image is the disk, byte for byte (file or block device). */
#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/disk-internal.h"
#include "vmm/compat.h"

struct raw_disk {
	struct disk d;
	struct disk_file f;
	bool blockdev;
};

static struct raw_disk *to_raw(struct disk *d)
{
	return (struct raw_disk *)d;
}

static int raw_read(struct disk *d, uint64_t off, const struct iovec *iov,
		    int iovcnt, uint64_t len)
{
	int64_t n = dfile_preadv(&to_raw(d)->f, off, iov, iovcnt);

	if (n < 0)
		return (int)n;
	return (uint64_t)n == len ? 0 : -EIO;	/* shrunk behind our back */
}

static int raw_write(struct disk *d, uint64_t off, const struct iovec *iov,
		     int iovcnt, uint64_t len)
{
	return dfile_pwritev(&to_raw(d)->f, off, iov, iovcnt);
}

static int raw_zero(struct disk *d, uint64_t off, uint64_t len)
{
	struct raw_disk *r = to_raw(d);
	int rc = dfile_zero(&r->f, off, len);

	/* O_DSYNC does not cover fallocate: writethrough syncs by hand */
	if (!rc && d->cache == VM_CACHE_WRITETHROUGH)
		rc = dfile_sync(&r->f);
	return rc;
}

static int raw_flush(struct disk *d)
{
	return dfile_sync(&to_raw(d)->f);
}

static uint64_t raw_allocated(struct disk *d)
{
	struct raw_disk *r = to_raw(d);
	struct stat st;

	if (r->blockdev)
		return d->size;
	if (fstat(r->f.fd, &st))
		return 0;
	return (uint64_t)st.st_blocks * 512;
}

static void raw_close(struct disk *d)
{
	struct raw_disk *r = to_raw(d);

	dfile_close(&r->f);
	free(r);
}

static const struct disk_ops raw_ops = {
	.read = raw_read,
	.write = raw_write,
	.zero = raw_zero,
	.flush = raw_flush,
	.allocated = raw_allocated,
	.close = raw_close,
};

/* Opens cfg->path, creating a sparse file of cfg->size if it is missing. */
static int raw_open_file(struct raw_disk *r, const struct vm_disk_config *cfg,
			 char *err)
{
	int rc = dfile_open(&r->f, cfg->path, cfg->readonly, cfg->cache, true,
			    DFILE_EXISTING, err);

	if (rc != -ENOENT || !cfg->size || cfg->readonly)
		return rc;
	rc = dfile_open(&r->f, cfg->path, false, cfg->cache, true,
			DFILE_CREATE_EXCL, err);
	if (rc)
		return rc;
	if (ftruncate(r->f.fd, (off_t)cfg->size) || dfile_sync(&r->f) ||
	    dfile_sync_dir(cfg->path)) {
		rc = -errno;
		unlink(cfg->path);
		return err_set(err, VM_ERR_MAX, rc ? rc : -EIO,
			       "%s: cannot create a %llu-byte image: %s",
			       cfg->path, (unsigned long long)cfg->size,
			       strerror(errno));
	}
	return 0;
}

/* The image's size, checked against the sector size and the profile. */
static int raw_probe_size(struct raw_disk *r, const struct vm_disk_config *cfg,
			  char *err)
{
	struct stat st;
	uint64_t size;

	if (fstat(r->f.fd, &st))
		return err_set(err, VM_ERR_MAX, -errno, "%s: %s", cfg->path,
			       strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(r->f.fd, BLKGETSIZE64, &size))
			return err_set(err, VM_ERR_MAX, -errno,
				       "%s: cannot get the device size: %s",
				       cfg->path, strerror(errno));
		r->blockdev = true;
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s is not a regular file or a block device: "
			       "fix path", cfg->path);
	}
	if (!size)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s is empty: give it a size (truncate -s) or "
			       "remove it and set size =", cfg->path);
	if (size % r->d.sector_size)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s is %llu bytes, not a multiple of sectorsize "
			       "= %u: resize it or change sectorsize",
			       cfg->path, (unsigned long long)size,
			       r->d.sector_size);
	if (cfg->size && size != cfg->size)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s is %llu bytes but size = %llu: set size = "
			       "%llu, or leave size out to take the image as "
			       "it is", cfg->path, (unsigned long long)size,
			       (unsigned long long)cfg->size,
			       (unsigned long long)size);
	if (r->f.direct && size % r->f.align)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: cache = direct needs a size that is a "
			       "multiple of %u bytes (the device's block): "
			       "resize it or use another cache mode",
			       cfg->path, r->f.align);
	r->d.size = size;
	return 0;
}

int disk_raw_open(const struct vm_disk_config *cfg, struct disk **out,
		  char *err)
{
	struct raw_disk *r;
	int rc;

	if (cfg->split)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s: split = applies to xhyve-sparse images "
			       "only: remove it or set format = xhyve-sparse",
			       cfg->path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "%s: out of memory",
			       cfg->path);
	r->d.ops = &raw_ops;
	r->d.sector_size = cfg->sectorsize ? cfg->sectorsize : 512;
	r->d.readonly = cfg->readonly;
	r->d.cache = cfg->cache;
	rc = 0;
	if (cfg->size % r->d.sector_size)
		rc = err_set(err, VM_ERR_MAX, -EINVAL,
			     "%s: size = %llu is not a multiple of sectorsize "
			     "= %u: fix size", cfg->path,
			     (unsigned long long)cfg->size, r->d.sector_size);
	r->f.fd = -1;
	if (!rc)
		rc = raw_open_file(r, cfg, err);
	if (!rc)
		rc = raw_probe_size(r, cfg, err);
	if (!rc)
		rc = dfile_lock(&r->f, cfg->path, cfg->readonly, err);
	if (rc) {
		dfile_close(&r->f);
		free(r);
		return rc;
	}
	*out = &r->d;
	return 0;
}
