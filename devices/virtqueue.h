/* virtqueue.h - the split virtqueue shared by every virtio device: pops descriptor chains from a hostile guest, pushes used entries, decides notifications. */
#ifndef HYVE_VIRTQUEUE_H
#define HYVE_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio-defs.h"

/*
 * Guest memory as the queue sees it. map returns a host pointer for
 * [gpa, gpa + len) when that range lies inside one contiguous region of
 * guest RAM, else NULL (vm_gpa has this contract). The queue never calls
 * map with len == 0 or with a range that wraps.
 */
struct guest_mem {
	void *(*map)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
};

/* guest_mem_map: map with the len == 0 and wrap-around checks done first. */
void *guest_mem_map(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* What the transport has set up for one queue before enabling it. */
struct vq_config {
	uint32_t size;		/* power of 2, 1..VIRTQ_SIZE_MAX; 0 = absent */
	uint64_t desc_gpa;	/* 16-byte aligned */
	uint64_t avail_gpa;	/* 2-byte aligned */
	uint64_t used_gpa;	/* 4-byte aligned */
	bool indirect_desc;	/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
};

/*
 * One popped descriptor chain. iov[0 .. nr_rd) are the device-readable
 * buffers, iov[nr_rd .. nr_rd + nr_wr) the device-writable ones, all host
 * pointers into guest RAM, checked. Zero-length descriptors add no iovec.
 * The iovec array belongs to the chain and grows as needed: zero-initialise
 * a chain once, reuse it for many pops, vq_chain_free it at the end.
 */
struct vq_chain {
	uint16_t head;
	unsigned nr_rd, nr_wr;
	uint64_t rd_len, wr_len;	/* total bytes of each part */
	unsigned ndesc;			/* buffer descriptors walked */
	struct iovec *iov;
	unsigned cap;
};

static inline struct iovec *vq_chain_rd(struct vq_chain *c)
{
	return c->iov;
}

static inline struct iovec *vq_chain_wr(struct vq_chain *c)
{
	return c->iov + c->nr_rd;
}

void vq_chain_free(struct vq_chain *c);

#define VQ_NAME_MAX	48
#define VQ_ERR_MAX	192

/*
 * One split virtqueue. Not internally locked: the device serialises the
 * calls on one queue (pop, push, notify decisions, reset). The rings are
 * mapped once, at vq_enable, after checking the whole areas lie in RAM.
 */
struct vq {
	char name[VQ_NAME_MAX];
	struct guest_mem mem;
	struct vq_config cfg;
	bool enabled;
	bool broken;
	bool notify_enabled;	/* the device wants avail notifications */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t *used_event;	/* in the avail ring, written by the driver */
	uint16_t *avail_event;	/* in the used ring, written by us */
	uint16_t last_avail;	/* next avail entry we will consume */
	uint16_t used_idx;	/* our copy of used->idx */
	uint16_t signalled_used; /* used_idx at the last vq_need_notify */
	unsigned inflight_count;
	uint64_t inflight[VIRTQ_SIZE_MAX / 64]; /* heads popped, not pushed */
	char err[VQ_ERR_MAX];
};

/* vq_init: a disabled queue; name prefixes every error ("virtio-blk0 q0"). */
void vq_init(struct vq *vq, const char *name, const struct guest_mem *mem);

/*
 * vq_enable: validate cfg (size, alignment, all three areas inside RAM for
 * the full size) and start the queue at index 0. Returns 0, or -EINVAL with
 * the queue broken and vq_error() saying why. size 0 leaves the queue
 * disabled and returns 0 (the queue is absent).
 */
int vq_enable(struct vq *vq, const struct vq_config *cfg);

/* vq_reset: back to the state vq_init left (device reset, queue reset). */
void vq_reset(struct vq *vq);

/*
 * vq_pop: the next available chain. Returns 1 with *c filled, 0 if nothing
 * is available (or the queue is disabled), -ENOMEM (nothing consumed, try
 * later), or -EIO: the guest broke the rules, the queue is now broken,
 * vq_error() says how, and every later pop/push returns -EIO untouched.
 */
int vq_pop(struct vq *vq, struct vq_chain *c);

/* vq_has_avail: whether vq_pop would find something (without consuming). */
bool vq_has_avail(struct vq *vq);

/*
 * vq_push: return chain head to the driver with written_len bytes written.
 * Returns 0, -EIO on a broken queue, -EINVAL if head is not in flight
 * (a device bug, or a completion from before a reset: it is dropped).
 */
int vq_push(struct vq *vq, uint16_t head, uint32_t written_len);

/*
 * vq_need_notify: after one or more pushes, whether the driver wants an
 * interrupt now (EVENT_IDX used_event, or the NO_INTERRUPT flag). Call
 * once per batch; false when nothing was pushed since the last call.
 */
bool vq_need_notify(struct vq *vq);

/*
 * Avail notifications (doorbells). vq_suppress_notify asks the driver not
 * to ring; vq_enable_notify asks it to ring again and returns true if new
 * buffers slipped in meanwhile, so the caller must pop again before
 * sleeping.
 */
void vq_suppress_notify(struct vq *vq);
bool vq_enable_notify(struct vq *vq);

/* vq_fail: a device found the guest broke its rules; breaks the queue. */
int vq_fail(struct vq *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool vq_broken(const struct vq *vq)
{
	return vq->broken;
}

/* vq_error: why the queue broke ("" while it is fine). */
static inline const char *vq_error(const struct vq *vq)
{
	return vq->err;
}

#endif
