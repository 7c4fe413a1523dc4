/* blk-memdisk.h - an in-memory disk behind struct blk_backend for the virtio-blk tests and fuzzer; it records calls and can be told to fail. */
#ifndef HYVE_BLK_MEMDISK_H
#define HYVE_BLK_MEMDISK_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio-blk-req.h"

struct memdisk {
	uint8_t *data;
	uint64_t size;
	unsigned sector_size;
	int fail;		/* if non-zero, every op returns it */
	bool bad_call;		/* an op got a range outside or misaligned */
	unsigned reads, writes, flushes, discards, zeroes;
	uint64_t last_off, last_len;
	bool last_unmap;
};

/* Checks what the engine promises the backend: aligned and inside. */
static inline bool
memdisk_range(struct memdisk *d, uint64_t off, uint64_t len)
{
	d->last_off = off;
	d->last_len = len;
	if (off > d->size || len > d->size - off || off % d->sector_size ||
	    len % d->sector_size) {
		d->bad_call = true;
		return false;
	}
	return true;
}

static inline uint64_t
memdisk_iov_len(const struct iovec *iov, int n)
{
	uint64_t len = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/* Counts the call, then fails as told or for a bad range; else 0. */
static inline int
memdisk_begin(struct memdisk *d, unsigned *calls, uint64_t off, uint64_t len)
{
	(*calls)++;
	if (d->fail)
		return d->fail;
	return memdisk_range(d, off, len) ? 0 : -EINVAL;
}

/* Copies between the disk at off and iov: to the disk when write. */
static inline int
memdisk_copy(struct memdisk *d, unsigned *calls, uint64_t off,
	     const struct iovec *iov, int n, bool write)
{
	int rc = memdisk_begin(d, calls, off, memdisk_iov_len(iov, n));

	for (int i = 0; !rc && i < n; i++) {
		if (write)
			memcpy(d->data + off, iov[i].iov_base, iov[i].iov_len);
		else
			memcpy(iov[i].iov_base, d->data + off, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	return rc;
}

static inline int
memdisk_read(void *ctx, uint64_t off, const struct iovec *iov, int n)
{
	struct memdisk *d = ctx;

	return memdisk_copy(d, &d->reads, off, iov, n, false);
}

static inline int
memdisk_write(void *ctx, uint64_t off, const struct iovec *iov, int n)
{
	struct memdisk *d = ctx;

	return memdisk_copy(d, &d->writes, off, iov, n, true);
}

static inline int
memdisk_flush(void *ctx)
{
	struct memdisk *d = ctx;

	d->flushes++;
	return d->fail;
}

/* Zeroes [off, off + len) after memdisk_begin. */
static inline int
memdisk_zero(struct memdisk *d, unsigned *calls, uint64_t off, uint64_t len)
{
	int rc = memdisk_begin(d, calls, off, len);

	if (!rc)
		memset(d->data + off, 0, len);
	return rc;
}

static inline int
memdisk_discard(void *ctx, uint64_t off, uint64_t len)
{
	struct memdisk *d = ctx;

	return memdisk_zero(d, &d->discards, off, len);
}

static inline int
memdisk_write_zeroes(void *ctx, uint64_t off, uint64_t len, bool unmap)
{
	struct memdisk *d = ctx;

	d->last_unmap = unmap;
	return memdisk_zero(d, &d->zeroes, off, len);
}

/* A disk of size bytes, filled with a byte pattern, and its full backend. */
static inline void
memdisk_init(struct memdisk *d, uint64_t size, unsigned sector_size,
	     struct blk_backend *be)
{
	memset(d, 0, sizeof(*d));
	d->data = malloc(size ? size : 1);
	if (!d->data)
		abort();
	for (uint64_t i = 0; i < size; i++)
		d->data[i] = (uint8_t)(i * 7 + i / 512);
	d->size = size;
	d->sector_size = sector_size;
	*be = (struct blk_backend){
		.read = memdisk_read,
		.write = memdisk_write,
		.flush = memdisk_flush,
		.discard = memdisk_discard,
		.write_zeroes = memdisk_write_zeroes,
		.ctx = d,
	};
}

#endif
