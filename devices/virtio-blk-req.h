/* virtio-blk-req.h - the virtio-blk request engine: parses a popped chain, runs it against a disk backend, reports status; plus the device config and feature bits. */
#ifndef HYVE_VIRTIO_BLK_REQ_H
#define HYVE_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio-defs.h"
#include "devices/virtqueue.h"

/*
 * The disk as the engine sees it. Offsets and lengths are in bytes and
 * always aligned to the engine's sector_size; ranges are inside the disk.
 * Each op returns 0 or -errno. read/write transfer the whole iovec list.
 * flush NULL means every write is durable when it completes (no FLUSH
 * offered); discard / write_zeroes NULL means the request type is not
 * offered. A backend whose flush once failed must keep failing flushes.
 */
struct blk_backend {
	int (*read)(void *ctx, uint64_t off, const struct iovec *iov, int n);
	int (*write)(void *ctx, uint64_t off, const struct iovec *iov, int n);
	int (*flush)(void *ctx);
	int (*discard)(void *ctx, uint64_t off, uint64_t len);
	int (*write_zeroes)(void *ctx, uint64_t off, uint64_t len,
			    bool may_unmap);
	void *ctx;
};

/* Default limits (blk_engine_init); a caller may lower them afterwards. */
#define BLK_SEG_MAX_DEFAULT	254u		/* data segments a request */
#define BLK_SIZE_MAX_DEFAULT	(1u << 20)	/* bytes a segment (advice) */
#define BLK_DWZ_SEG_MAX		16u		/* ranges a discard/zeroes */
#define BLK_DWZ_SECTORS_MAX	0x3fffffu	/* 512-byte sectors a range */

struct blk_engine {
	struct blk_backend be;
	uint64_t capacity;	/* 512-byte sectors */
	unsigned sector_size;	/* 512 or 4096: alignment of every request */
	bool readonly;
	uint32_t seg_max;	/* enforced on IN/OUT data segments */
	uint32_t size_max;	/* advertised only */
	uint32_t max_discard_sectors, max_discard_seg;
	uint32_t max_write_zeroes_sectors, max_write_zeroes_seg;
	char serial[VIRTIO_BLK_ID_BYTES]; /* NUL-padded, maybe unterminated */
};

/*
 * blk_engine_init: an engine for a disk of disk_bytes (rounded down to
 * whole sectors) served through a queue of queue_size entries (seg_max
 * leaves room for the header and status descriptors). serial is the
 * GET_ID string, cut to 20 bytes. Returns 0 or -EINVAL (sector_size not
 * 512 or 4096, queue_size below 3, read missing, write missing on a
 * writable disk).
 */
int blk_engine_init(struct blk_engine *e, const struct blk_backend *be,
		    uint64_t disk_bytes, unsigned sector_size, bool readonly,
		    const char *serial, uint32_t queue_size);

/* Device feature bits (VIRTIO_BLK_F_*) to offer; no transport bits. */
uint64_t blk_engine_features(const struct blk_engine *e);

/* The configuration space, little-endian, for the features offered. */
void blk_engine_config(const struct blk_engine *e,
		       struct virtio_blk_config *cfg);

struct blk_range {
	uint64_t off, len;	/* bytes */
	bool unmap;
};

/*
 * One request in flight. It points into the chain it was parsed from:
 * keep that chain alive and unchanged until blk_req_complete.
 */
struct blk_req {
	uint16_t head;
	uint32_t type;
	bool decided;		/* status known at parse time */
	uint8_t result;		/* that status */
	uint64_t off;		/* bytes, IN/OUT */
	struct iovec *data;	/* data buffers, IN/OUT/GET_ID */
	unsigned ndata;
	uint64_t data_len;
	unsigned nranges;	/* DISCARD/WRITE_ZEROES, copied from guest */
	struct blk_range ranges[BLK_DWZ_SEG_MAX];
	uint8_t *status;	/* the last device-writable byte */
	uint32_t written;	/* data bytes given to the guest */
};

/*
 * blk_req_parse: reads and checks the request in chain c (popped from vq).
 * Returns 0 (run blk_req_execute next) or -EIO: no status byte to report
 * an error in, so the queue is now broken (vq_error says why).
 */
int blk_req_parse(const struct blk_engine *e, struct vq *vq,
		  struct vq_chain *c, struct blk_req *r);

/* blk_req_execute: the backend work (any thread); returns VIRTIO_BLK_S_*. */
uint8_t blk_req_execute(const struct blk_engine *e, struct blk_req *r);

/* blk_req_complete: stores the status; returns the used length for vq_push. */
uint32_t blk_req_complete(struct blk_req *r, uint8_t status);

/* The three steps and the push, synchronously: vq_push's result or -EIO. */
int blk_req_handle(const struct blk_engine *e, struct vq *vq,
		   struct vq_chain *c);

#endif
