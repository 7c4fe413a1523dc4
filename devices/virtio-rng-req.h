/* virtio-rng-req.h - the virtio entropy device engine: fills guest buffers from getrandom() under a token-bucket rate limit. */
#ifndef HYVE_VIRTIO_RNG_REQ_H
#define HYVE_VIRTIO_RNG_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtqueue.h"

#define RNG_RATE_DEFAULT	(1u << 20)	/* bytes a second, sustained */
#define RNG_BURST_DEFAULT	(64u << 10)	/* bytes at once after a rest */
#define RNG_BURST_MAX		(1ull << 32)
#define RNG_CHAIN_COST		64u	/* bytes charged at least per buffer */
#define RNG_WAKE_BYTES		4096u	/* a sleeping queue waits for this */

/*
 * A token bucket: level grows by rate bytes a second up to burst; serving
 * a buffer takes what it delivered (at least RNG_CHAIN_COST, so even
 * empty buffers cost). Times are CLOCK_MONOTONIC nanoseconds passed in by
 * the caller. rate 0 means no limit.
 */
struct rng_limit {
	uint64_t rate, burst;
	uint64_t level;		/* bytes * 1e9, so no rounding drifts */
	uint64_t last_ns;
};

/* Starts with a full bucket at now_ns; burst is clamped to 1..RNG_BURST_MAX. */
void rng_limit_init(struct rng_limit *l, uint64_t rate, uint64_t burst,
		    uint64_t now_ns);

/* Whole bytes the bucket holds at now_ns (refilling it first). */
uint64_t rng_limit_available(struct rng_limit *l, uint64_t now_ns);

/* Takes n bytes (at most what rng_limit_available said). */
void rng_limit_take(struct rng_limit *l, uint64_t n);

/* Nanoseconds until want bytes (capped at burst) are there; 0 if already. */
uint64_t rng_limit_wait_ns(const struct rng_limit *l, uint64_t want);

/* Fills up to max bytes of c's writable part from getrandom(); the count. */
uint64_t rng_fill_chain(struct vq_chain *c, uint64_t max);

/*
 * rng_service: serves vq until it is empty or the bucket is: pops, fills,
 * pushes. Returns the number of buffers pushed (then ask vq_need_notify)
 * or -EIO if the guest broke the queue. *wait_ns is 0 when the queue ran
 * empty (sleep until the next doorbell), or how long to wait before
 * calling again because the budget ran out (arm a timer; the doorbell
 * alone must not restart service before then).
 */
int rng_service(struct rng_limit *l, struct vq *vq, struct vq_chain *c,
		uint64_t now_ns, uint64_t *wait_ns);

#endif
