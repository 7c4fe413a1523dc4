/* virtio-rng-req.c - virtio entropy device (virtio 1.2 section 5.4): getrandom() into writable buffers, paced by a token bucket. */
#include <errno.h>
#include <sys/random.h>

#include "devices/virtio-rng-req.h"
#include "vmm/compat.h"

#define NS	1000000000ull

/* ---- Token bucket ---- */

void
rng_limit_init(struct rng_limit *l, uint64_t rate, uint64_t burst,
	       uint64_t now_ns)
{
	l->rate = rate;
	l->burst = MIN(MAX(burst, 1), RNG_BURST_MAX);
	l->level = l->burst * NS;
	l->last_ns = now_ns;
}

static void
rng_limit_refill(struct rng_limit *l, uint64_t now_ns)
{
	uint64_t full = l->burst * NS, elapsed;

	if (now_ns <= l->last_ns)
		return;
	elapsed = now_ns - l->last_ns;
	l->last_ns = now_ns;
	if (l->rate == 0 || elapsed >= full / l->rate + 1) {
		l->level = full;
		return;
	}
	/* elapsed * rate <= full + rate: no overflow for burst <= 2^32 */
	l->level = MIN(full, l->level + elapsed * l->rate);
}

uint64_t
rng_limit_available(struct rng_limit *l, uint64_t now_ns)
{
	rng_limit_refill(l, now_ns);
	if (l->rate == 0)
		return UINT64_MAX;
	return l->level / NS;
}

void
rng_limit_take(struct rng_limit *l, uint64_t n)
{
	if (l->rate == 0)
		return;
	l->level -= MIN(l->level, n * NS);
}

uint64_t
rng_limit_wait_ns(const struct rng_limit *l, uint64_t want)
{
	uint64_t need;

	if (l->rate == 0)
		return 0;
	need = MIN(want, l->burst) * NS;
	if (l->level >= need)
		return 0;
	return (need - l->level + l->rate - 1) / l->rate;
}

/* ---- Serving buffers ---- */

uint64_t
rng_fill_chain(struct vq_chain *c, uint64_t max)
{
	struct iovec *wr = vq_chain_wr(c);
	uint64_t done = 0;

	for (unsigned i = 0; i < c->nr_wr && done < max; i++) {
		uint8_t *p = wr[i].iov_base;
		size_t want = MIN(wr[i].iov_len, max - done), got = 0;

		while (got < want) {
			ssize_t n = getrandom(p + got, want - got, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + got; /* not on Linux >= 3.17 */
			got += (size_t)n;
		}
		done += got;
	}
	return done;
}

int
rng_service(struct rng_limit *l, struct vq *vq, struct vq_chain *c,
	    uint64_t now_ns, uint64_t *wait_ns)
{
	int pushed = 0, rc;

	*wait_ns = 0;
	for (;;) {
		uint64_t budget, n;

		if (!vq_has_avail(vq))
			return vq_broken(vq) ? -EIO : pushed;
		budget = rng_limit_available(l, now_ns);
		if (budget == 0) {
			*wait_ns = rng_limit_wait_ns(l, RNG_WAKE_BYTES);
			return pushed;
		}
		rc = vq_pop(vq, c);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return pushed;
		n = rng_fill_chain(c, MIN(budget, c->wr_len));
		rng_limit_take(l, MAX(n, RNG_CHAIN_COST));
		rc = vq_push(vq, c->head, (uint32_t)n);
		if (rc < 0)
			return rc;
		pushed++;
	}
}
