/* disk-internal.h - what the disk formats share: the backend interface, the file layer, iovec helpers. */
#ifndef HYVE_DISK_INTERNAL_H
#define HYVE_DISK_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/disk.h"

/*
 * One format. Requests reaching these are checked already: in range,
 * DISK_UNIT-aligned, non-empty, not a change on a read-only disk; len is
 * the iovec total.
 */
struct disk_ops {
	int (*read)(struct disk *d, uint64_t off, const struct iovec *iov,
		    int iovcnt, uint64_t len);
	int (*write)(struct disk *d, uint64_t off, const struct iovec *iov,
		     int iovcnt, uint64_t len);
	int (*zero)(struct disk *d, uint64_t off, uint64_t len); /* holes */
	int (*flush)(struct disk *d);
	uint64_t (*allocated)(struct disk *d);	/* never blocks */
	void (*close)(struct disk *d);	/* frees the format's state and d */
};

/* The common part; each format embeds it first. */
struct disk {
	const struct disk_ops *ops;
	uint64_t size;
	unsigned sector_size;
	bool readonly;
	enum vm_disk_cache cache;
	/* counters, updated and read with __atomic builtins */
	uint64_t rd_bytes, wr_bytes, rd_ops, wr_ops, flushes;
	int flush_failed;
};

int disk_raw_open(const struct vm_disk_config *cfg, struct disk **out,
		  char *err);
int disk_sparse_open(const struct vm_disk_config *cfg, struct disk **out,
		     char *err);

/* ---- The file layer (disk-file.c): one image file opened in a cache mode ---- */

struct disk_file {
	int fd;
	unsigned align;		/* O_DIRECT offset/memory/length alignment; 1 */
	bool direct;
	pthread_mutex_t rmw_lock;	/* serialises partial-block writes */
};

enum dfile_create { DFILE_EXISTING, DFILE_CREATE_EXCL, DFILE_CREATE_OK };

/*
 * Opens path read-only or read-write in the cache mode (writethrough adds
 * O_DSYNC when dsync is set, direct adds O_DIRECT). The err message names
 * path. With DFILE_CREATE_* a missing file is created (mode 0660 like
 * xhyve, less the umask).
 */
int dfile_open(struct disk_file *f, const char *path, bool readonly,
	       enum vm_disk_cache cache, bool dsync, enum dfile_create create,
	       char *err);
void dfile_close(struct disk_file *f);

/*
 * Takes the QEMU-compatible permission lock on f (what == the file named
 * in messages). Read-only: consistent read, not sharing write/resize.
 */
int dfile_lock(struct disk_file *f, const char *what, bool readonly, char *err);

/*
 * Full-length I/O at off: short transfers and EINTR are retried; O_DIRECT
 * requests that are not aligned go through an aligned bounce buffer (with a
 * read-modify-write of partial blocks). A read returns the bytes read
 * (fewer only at end of file) or -errno; a write 0 or -errno.
 */
int64_t dfile_preadv(struct disk_file *f, uint64_t off,
		     const struct iovec *iov, int iovcnt);
int dfile_pwritev(struct disk_file *f, uint64_t off, const struct iovec *iov,
		  int iovcnt);
int64_t dfile_pread(struct disk_file *f, uint64_t off, void *buf, size_t len);
int dfile_pwrite(struct disk_file *f, uint64_t off, const void *buf,
		 size_t len);

/* Makes [off, off+len) read as zeros, punching a hole where possible. */
int dfile_zero(struct disk_file *f, uint64_t off, uint64_t len);

/* fdatasync (or the test hook): 0 or -errno. */
int dfile_sync(struct disk_file *f);

/* fsync of the folder holding path, so a new file's name is durable. */
int dfile_sync_dir(const char *path);

/* Memory for I/O on f: aligned for O_DIRECT; free() it. NULL on failure. */
void *dfile_buffer(const struct disk_file *f, size_t len);

/* ---- iovec helpers (disk.c) ---- */

/* Copies len bytes starting skip bytes into the iovec to buf. */
void iov_to_buf(const struct iovec *iov, int iovcnt, uint64_t skip,
		void *buf, size_t len);
/* Copies len bytes of buf into the iovec starting skip bytes into it. */
void buf_to_iov(const struct iovec *iov, int iovcnt, uint64_t skip,
		const void *buf, size_t len);

/* Counter helpers. */
static inline void disk_count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

#endif
