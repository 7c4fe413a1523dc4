/* test-virtio-rng.c - the virtio entropy engine (devices/virtio-rng-req.c): random bytes reach guest buffers, the token bucket holds the rate. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio-rng-req.h"
#include "tests/unit/check.h"
#include "tests/unit/virtq-fake.h"
#include "vmm/compat.h"

#define QSIZE	8
#define MS	1000000ull
#define SEC	1000000000ull
#define BUF(i)	(DRV_BUF_GPA + 0x4000ull * (i))	/* 16 KiB apart */

struct fixture {
	struct fake_queue q;
	struct rng_limit lim;
	uint16_t used_seen;
};

static struct fixture *
fx_new(uint64_t rate, uint64_t burst)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	fake_queue_init(&f->q, QSIZE, "virtio-rng test");
	CHECK_EQ(vq_enable(&f->q.vq, &f->q.cfg), 0);
	rng_limit_init(&f->lim, rate, burst, 0);
	return f;
}

static void
fx_free(struct fixture *f)
{
	fake_queue_free(&f->q);
	free(f);
}

/* Offers one writable buffer of len bytes at descriptor/buffer slot i. */
static void
offer(struct fixture *f, unsigned i, uint32_t len)
{
	memset(fake_ptr(&f->q.m, BUF(i)), 0, len ? len : 1);
	drv_desc(&f->q.d, i, BUF(i), len, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->q.d, (uint16_t)i);
}

/* Sum of used lengths the device reported since the last call. */
static uint64_t
delivered(struct fixture *f)
{
	uint64_t sum = 0;
	uint32_t id, len;

	while (f->used_seen != drv_used_idx(&f->q.d)) {
		drv_used_elem(&f->q.d, f->used_seen++, &id, &len);
		sum += len;
	}
	return sum;
}

static unsigned
zero_bytes(const uint8_t *p, size_t n)
{
	unsigned z = 0;

	for (size_t i = 0; i < n; i++)
		z += p[i] == 0;
	return z;
}

static void
test_bytes_delivered(void)
{
	struct fixture *f = fx_new(RNG_RATE_DEFAULT, RNG_BURST_DEFAULT);
	uint64_t wait = 99;
	uint8_t first[400];

	/* readable, then two writable buffers: only the latter are filled */
	memset(fake_ptr(&f->q.m, BUF(0)), 0x5a, 64);
	memset(fake_ptr(&f->q.m, BUF(1)), 0, 100);
	memset(fake_ptr(&f->q.m, BUF(2)), 0, 300);
	drv_desc(&f->q.d, 0, BUF(0), 64, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->q.d, 1, BUF(1), 100,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&f->q.d, 2, BUF(2), 300, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->q.d, 0);
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), 1);
	CHECK_EQ(wait, 0);
	CHECK_EQ(delivered(f), 400);
	CHECK(zero_bytes(fake_ptr(&f->q.m, BUF(0)), 64) == 0 &&
		      fake_ptr(&f->q.m, BUF(0))[63] == 0x5a,
	      "readable buffer untouched");
	CHECK(zero_bytes(fake_ptr(&f->q.m, BUF(1)), 100) < 20, "first filled");
	CHECK(zero_bytes(fake_ptr(&f->q.m, BUF(2)), 300) < 40, "second filled");
	memcpy(first, fake_ptr(&f->q.m, BUF(1)), 100);
	memcpy(first + 100, fake_ptr(&f->q.m, BUF(2)), 300);

	offer(f, 3, 400);
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), 1);
	CHECK(memcmp(first, fake_ptr(&f->q.m, BUF(3)), 400) != 0,
	      "two requests, two different answers");
	/* empty queue: nothing pushed, no timer */
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), 0);
	CHECK_EQ(wait, 0);
	fx_free(f);
}

static void
test_budget_and_wait(void)
{
	struct fixture *f = fx_new(1 << 20, 64 << 10);
	uint64_t wait;

	for (unsigned i = 0; i < 5; i++)
		offer(f, i, 16 << 10);
	/* a full bucket pays for four 16 KiB buffers, then it is empty */
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), 4);
	CHECK_EQ(delivered(f), 64 << 10);
	/* 4096 bytes at 1 MiB/s: 3.90625 ms */
	CHECK_EQ(wait, 3906250);
	CHECK(vq_has_avail(&f->q.vq), "the fifth buffer is still queued");
	/* 1 ms later: 1048 bytes' worth, a partial fill */
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 1 * MS, &wait), 1);
	CHECK_EQ(delivered(f), 1048);
	offer(f, 5, 512);
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 1 * MS, &wait), 0);
	/* 0.576 bytes were left over: they count towards the next 4096 */
	CHECK_EQ(wait, ((4096 * SEC - (MS * (1 << 20) - 1048 * SEC)) +
			(1 << 20) - 1) / (1 << 20));
	CHECK(wait < 3906250, "the fraction was kept");
	fx_free(f);
}

/* A guest that always has buffers queued gets burst + rate * time. */
static void
test_sustained_rate(void)
{
	struct fixture *f = fx_new(1 << 20, 64 << 10);
	uint64_t now = 0, total = 0, wait, limit;
	unsigned calls = 0;
	uint32_t id, len;

	for (unsigned i = 0; i < QSIZE; i++)
		offer(f, i, 8192);
	while (now < SEC) {
		calls++;
		CHECK(rng_service(&f->lim, &f->q.vq, &f->q.c, now, &wait) >= 0,
		      "service");
		/* the driver gives every used buffer straight back */
		while (f->used_seen != drv_used_idx(&f->q.d)) {
			drv_used_elem(&f->q.d, f->used_seen++, &id, &len);
			total += len;
			drv_publish(&f->q.d, (uint16_t)id);
		}
		now += wait ? wait : MS;
	}
	limit = (64 << 10) + (1 << 20) + 4096 + RNG_CHAIN_COST;
	CHECK(total <= limit, "delivered %llu > %llu",
	      (unsigned long long)total, (unsigned long long)limit);
	CHECK(total >= (1 << 20), "delivered only %llu",
	      (unsigned long long)total);
	CHECK(calls < 400, "%u wake-ups in a second", calls);
	fx_free(f);
}

/* Buffers with nothing to fill still cost, so they cannot spin a core. */
static void
test_empty_buffers_cost(void)
{
	struct fixture *f = fx_new(1 << 20, 4 * RNG_CHAIN_COST);
	uint64_t wait;

	for (unsigned i = 0; i < QSIZE; i++) {
		/* readable only */
		drv_desc(&f->q.d, i, BUF(i), 16, 0, 0);
		drv_publish(&f->q.d, (uint16_t)i);
	}
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), 4);
	CHECK_EQ(delivered(f), 0);
	CHECK(wait > 0, "out of budget");
	fx_free(f);
}

static void
test_limit_math(void)
{
	struct rng_limit l;

	rng_limit_init(&l, 1000, 100, 5 * SEC);
	CHECK_EQ(rng_limit_available(&l, 5 * SEC), 100);
	rng_limit_take(&l, 100);
	CHECK_EQ(rng_limit_available(&l, 5 * SEC), 0);
	CHECK_EQ(rng_limit_wait_ns(&l, 1), 1 * MS);
	CHECK_EQ(rng_limit_wait_ns(&l, 1000), 100 * MS);	/* capped at burst */
	CHECK_EQ(rng_limit_available(&l, 5 * SEC + MS - 1), 0);
	CHECK_EQ(rng_limit_available(&l, 5 * SEC + MS), 1);
	/* the fraction carries over: 1.5 ms then 0.5 ms make 2 bytes */
	rng_limit_take(&l, 1);
	CHECK_EQ(rng_limit_available(&l, 5 * SEC + 2 * MS + MS / 2), 1);
	CHECK_EQ(rng_limit_available(&l, 5 * SEC + 3 * MS), 2);
	/* time going backwards adds nothing */
	CHECK_EQ(rng_limit_available(&l, 1 * SEC), 2);
	/* a long rest fills to burst, no more, with no overflow */
	CHECK_EQ(rng_limit_available(&l, UINT64_MAX), 100);
	/* extreme settings are clamped */
	rng_limit_init(&l, UINT64_MAX, UINT64_MAX, 0);
	CHECK_EQ(rng_limit_available(&l, 0), RNG_BURST_MAX);
	rng_limit_take(&l, RNG_BURST_MAX);
	CHECK_EQ(rng_limit_available(&l, 1), RNG_BURST_MAX);
	/* rate 0: unlimited */
	rng_limit_init(&l, 0, 1, 0);
	rng_limit_take(&l, 1 << 30);
	CHECK(rng_limit_available(&l, 0) >= (1u << 30), "unlimited");
	CHECK_EQ(rng_limit_wait_ns(&l, 1 << 30), 0);
}

static void
test_broken_queue(void)
{
	struct fixture *f = fx_new(1 << 20, 64 << 10);
	uint64_t wait;

	drv_desc(&f->q.d, 0, FAKE_R0_SIZE, 16, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->q.d, 0);
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), -EIO);
	CHECK(vq_broken(&f->q.vq), "broken");
	CHECK_EQ(rng_service(&f->lim, &f->q.vq, &f->q.c, 0, &wait), -EIO);
	CHECK_EQ(drv_used_idx(&f->q.d), 0);
	fx_free(f);
}

int
main(void)
{
	RUN_TEST(test_bytes_delivered);
	RUN_TEST(test_budget_and_wait);
	RUN_TEST(test_sustained_rate);
	RUN_TEST(test_empty_buffers_cost);
	RUN_TEST(test_limit_math);
	RUN_TEST(test_broken_queue);
	CHECK_EXIT();
}
