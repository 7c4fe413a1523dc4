/* disk.h - disk images for the block devices: raw and xhyve-sparse formats, locking, cache modes, usage. */
#ifndef HYVE_DISK_H
#define HYVE_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/vmm.h"

#define DISK_UNIT	512u	/* offsets and lengths are multiples of this */

struct disk;

/*
 * Opens the image cfg describes (cfg->format picks the format; nothing is
 * guessed) and takes its lock. On failure err (VM_ERR_MAX bytes) holds one
 * line naming the file and the fix. Defaults: sectorsize 0 means 512, split
 * 0 means one segment covering the whole disk (xhyve-sparse).
 *
 * raw: a regular file or a block device. When the path is missing and
 * cfg->size is set, a sparse file of that size is created (never an
 * existing one truncated); an existing image must match cfg->size when it
 * is set.
 *
 * xhyve-sparse: see disk-sparse.c for the layout; the lock is taken on
 * PATH.lut.
 *
 * Locking: open file description locks on the bytes QEMU's file-posix
 * driver uses (see disk-file.c), so a second writer - another VM in this
 * process, another hyve or a QEMU - is refused, and read-only openers
 * share.
 */
int disk_open(const struct vm_disk_config *cfg, struct disk **out, char *err);

/* Flushes (best effort), releases the lock and frees d. NULL is fine. */
void disk_close(struct disk *d);

uint64_t disk_size(const struct disk *d);		/* bytes */
unsigned disk_sector_size(const struct disk *d);	/* 512 | 4096 */
bool disk_readonly(const struct disk *d);

/*
 * I/O. Offsets and lengths are bytes, multiples of DISK_UNIT; any memory
 * alignment. Every function returns 0 or -errno and is safe to call from
 * several threads at once (overlapping requests in flight at the same time
 * end in one of the orders, as on real disks).
 * Out of range, misaligned or more than IOV_MAX segments: -EINVAL, and the
 * image is not touched. Changes on a read-only disk: -EROFS.
 */
int disk_read(struct disk *d, uint64_t off, const struct iovec *iov, int iovcnt);
int disk_write(struct disk *d, uint64_t off, const struct iovec *iov,
	       int iovcnt);
/* Both leave the range reading as zeros and give the space back (holes). */
int disk_discard(struct disk *d, uint64_t off, uint64_t len);
int disk_write_zeroes(struct disk *d, uint64_t off, uint64_t len);
/*
 * Makes every completed write durable (fdatasync). Once a flush has failed,
 * it and every later flush return -EIO: the page cache may have dropped
 * the data, so success could never be promised again.
 */
int disk_flush(struct disk *d);

struct disk_usage {
	uint64_t virtual_size;	/* bytes the guest sees */
	uint64_t allocated;	/* raw: st_blocks * 512; sparse: mapped sectors */
	uint64_t rd_bytes, wr_bytes;
	uint64_t rd_ops, wr_ops;	/* wr_ops counts discards and zeroes too */
	uint64_t flushes;
};

/* From any thread; reads atomic counters only, never waits for I/O. */
void disk_usage(struct disk *d, struct disk_usage *out);

/*
 * TEST ONLY: when set, called instead of fdatasync(fd) everywhere in the
 * disk code (return 0 or -1 with errno set), so tests can simulate a
 * failing device. NULL (the default) in hyve itself.
 */
extern int (*disk_fdatasync_hook)(int fd);

#endif
