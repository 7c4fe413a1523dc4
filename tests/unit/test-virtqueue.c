/* test-virtqueue.c - the split virtqueue (devices/virtqueue.c) against a fake guest RAM: normal chains, hostile guests, notification decisions. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "tests/unit/check.h"
#include "vmm/compat.h"
#include "tests/unit/virtq-fake.h"

#define BUF(i)	(DRV_BUF_GPA + 0x1000ull * (i))

static struct fake_queue *
fx_new(uint32_t size, bool indirect, bool event_idx)
{
	struct fake_queue *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	fake_queue_init(f, size, "test q0");
	f->cfg.indirect_desc = indirect;
	f->cfg.event_idx = event_idx;
	CHECK_EQ(vq_enable(&f->vq, &f->cfg), 0);
	CHECK(!vq_broken(&f->vq), "enable broke: %s", vq_error(&f->vq));
	return f;
}

static void
fx_free(struct fake_queue *f)
{
	fake_queue_free(f);
	free(f);
}

/* ---- Normal paths ---- */

static void
test_single_descriptor(void)
{
	struct fake_queue *f = fx_new(8, false, false);
	uint32_t id, len;

	drv_desc(&f->d, 3, BUF(0), 512, 0, 0);
	drv_publish(&f->d, 3);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.head, 3);
	CHECK_EQ(f->c.nr_rd, 1);
	CHECK_EQ(f->c.nr_wr, 0);
	CHECK_EQ(f->c.rd_len, 512);
	CHECK(vq_chain_rd(&f->c)[0].iov_base == fake_ptr(&f->m, BUF(0)),
	      "iovec points at the guest buffer");
	CHECK_EQ(vq_chain_rd(&f->c)[0].iov_len, 512);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 0);
	CHECK_EQ(drv_used_idx(&f->d), 0);
	CHECK_EQ(vq_push(&f->vq, 3, 7), 0);
	CHECK_EQ(drv_used_idx(&f->d), 1);
	drv_used_elem(&f->d, 0, &id, &len);
	CHECK_EQ(id, 3);
	CHECK_EQ(len, 7);
	fx_free(f);
}

static void
test_chain_readable_then_writable(void)
{
	struct fake_queue *f = fx_new(8, false, false);

	drv_desc(&f->d, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 5);
	drv_desc(&f->d, 5, BUF(1), 4096, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&f->d, 2, BUF(2), 100,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 7);
	drv_desc(&f->d, 7, BUF(3), 1, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.nr_rd, 2);
	CHECK_EQ(f->c.nr_wr, 2);
	CHECK_EQ(f->c.rd_len, 16 + 4096);
	CHECK_EQ(f->c.wr_len, 101);
	CHECK(vq_chain_rd(&f->c)[1].iov_base == fake_ptr(&f->m, BUF(1)),
	      "second readable buffer");
	CHECK(vq_chain_wr(&f->c)[0].iov_base == fake_ptr(&f->m, BUF(2)),
	      "first writable buffer");
	CHECK(vq_chain_wr(&f->c)[1].iov_base == fake_ptr(&f->m, BUF(3)),
	      "last writable buffer");
	CHECK_EQ(vq_chain_wr(&f->c)[1].iov_len, 1);
	fx_free(f);
}

static void
test_buffer_in_second_region(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	/* the last 16 bytes of region 1 */
	drv_desc(&f->d, 0, FAKE_R1_BASE + FAKE_R1_SIZE - 16, 16, 0, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.rd_len, 16);
	fx_free(f);
}

static void
test_indirect_table(void)
{
	struct fake_queue *f = fx_new(8, true, false);

	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 1, BUF(1), 512,
		    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 2, BUF(2), 1, VIRTQ_DESC_F_WRITE, 0);
	/* WRITE on the descriptor naming the table is to be ignored */
	drv_desc(&f->d, 6, DRV_TABLE_GPA, 48,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 6);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.head, 6);
	CHECK_EQ(f->c.nr_rd, 1);
	CHECK_EQ(f->c.nr_wr, 2);
	CHECK_EQ(f->c.rd_len, 16);
	CHECK_EQ(f->c.wr_len, 513);
	CHECK(vq_chain_wr(&f->c)[0].iov_base == fake_ptr(&f->m, BUF(1)),
	      "indirect writable buffer");
	CHECK_EQ(vq_push(&f->vq, 6, 513), 0);
	fx_free(f);
}

static void
test_direct_then_indirect(void)
{
	struct fake_queue *f = fx_new(8, true, false);

	drv_desc(&f->d, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->d, 1, DRV_TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(1), 8, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.nr_rd, 1);
	CHECK_EQ(f->c.nr_wr, 1);
	CHECK_EQ(f->c.wr_len, 8);
	fx_free(f);
}

/* A chain of exactly the queue size is fine, in the ring or indirect. */
static void
test_chain_of_queue_size(void)
{
	struct fake_queue *f = fx_new(8, true, false);
	unsigned i;

	for (i = 0; i < 8; i++)
		drv_desc(&f->d, i, BUF(i), 64, i < 7 ? VIRTQ_DESC_F_NEXT : 0,
			 (uint16_t)(i + 1));
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.nr_rd, 8);
	CHECK_EQ(f->c.rd_len, 8 * 64);
	CHECK_EQ(vq_push(&f->vq, 0, 0), 0);

	for (i = 0; i < 8; i++)
		drv_desc_at(&f->d, DRV_TABLE_GPA, i, BUF(i), 32,
			    i < 7 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	drv_desc(&f->d, 0, DRV_TABLE_GPA, 8 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.nr_rd, 8);
	CHECK(!vq_broken(&f->vq), "%s", vq_error(&f->vq));
	fx_free(f);
}

static void
test_zero_length_descriptor_skipped(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->d, 1, 0xdead0000ull, 0, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&f->d, 2, BUF(2), 1, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.nr_rd, 1);
	CHECK_EQ(f->c.nr_wr, 1);
	CHECK_EQ(f->c.ndesc, 3);
	fx_free(f);
}

/* Many chains in one publish, pushed out of order, all land in used. */
static void
test_batch_out_of_order(void)
{
	struct fake_queue *f = fx_new(4, false, false);
	uint16_t heads[4];
	uint32_t id, len;
	unsigned i;

	for (i = 0; i < 4; i++) {
		drv_desc(&f->d, i, BUF(i), 8, VIRTQ_DESC_F_WRITE, 0);
		drv_stage(&f->d, (uint16_t)(3 - i));
	}
	drv_kick(&f->d);	/* idx moves by exactly the size: allowed */
	for (i = 0; i < 4; i++) {
		CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
		heads[i] = f->c.head;
		CHECK_EQ(heads[i], 3 - i);
	}
	CHECK_EQ(vq_pop(&f->vq, &f->c), 0);
	CHECK_EQ(f->vq.inflight_count, 4);
	for (i = 0; i < 4; i++)
		CHECK_EQ(vq_push(&f->vq, heads[(i + 2) % 4], i), 0);
	CHECK_EQ(drv_used_idx(&f->d), 4);
	for (i = 0; i < 4; i++) {
		drv_used_elem(&f->d, (uint16_t)i, &id, &len);
		CHECK_EQ(id, heads[(i + 2) % 4]);
		CHECK_EQ(len, i);
	}
	CHECK_EQ(f->vq.inflight_count, 0);
	fx_free(f);
}

static void
test_push_not_in_flight(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	CHECK_EQ(vq_push(&f->vq, 1, 0), -EINVAL);
	CHECK_EQ(vq_push(&f->vq, 9, 0), -EINVAL);
	drv_desc(&f->d, 1, BUF(0), 8, 0, 0);
	drv_publish(&f->d, 1);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(vq_push(&f->vq, 1, 0), 0);
	CHECK_EQ(vq_push(&f->vq, 1, 0), -EINVAL);
	CHECK_EQ(drv_used_idx(&f->d), 1);
	CHECK(!vq_broken(&f->vq), "a device bug does not blame the guest");
	fx_free(f);
}

/* ---- Queue configuration ---- */

static void
test_zero_sized_queue(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	f->cfg.size = 0;
	CHECK_EQ(vq_enable(&f->vq, &f->cfg), 0);
	CHECK(!f->vq.enabled, "size 0: the queue is absent");
	drv_desc(&f->d, 0, BUF(0), 8, 0, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 0);
	CHECK_EQ(vq_push(&f->vq, 0, 0), -EINVAL);
	CHECK(!vq_need_notify(&f->vq), "nothing to notify");
	CHECK(!vq_enable_notify(&f->vq), "nothing pending on an absent queue");
	CHECK(!vq_broken(&f->vq), "absent is not broken");
	fx_free(f);
}

/* Expects vq_enable to refuse cfg, naming what in the message. */
static void
expect_enable_refused(struct fake_queue *f, const char *what)
{
	CHECK_EQ(vq_enable(&f->vq, &f->cfg), -EINVAL);
	CHECK(vq_broken(&f->vq), "%s: not broken", what);
	CHECK(strstr(vq_error(&f->vq), what) != NULL, "error '%s' lacks '%s'",
	      vq_error(&f->vq), what);
	CHECK(strncmp(vq_error(&f->vq), "test q0: ", 9) == 0,
	      "error '%s' does not name the queue", vq_error(&f->vq));
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	f->cfg.size = 4;
	f->cfg.desc_gpa = DRV_DESC_GPA;
	f->cfg.avail_gpa = DRV_AVAIL_GPA;
	f->cfg.used_gpa = DRV_USED_GPA;
}

static void
test_enable_checks(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	f->cfg.size = 3;
	expect_enable_refused(f, "power of 2");
	f->cfg.size = 65536;
	expect_enable_refused(f, "power of 2");
	f->cfg.desc_gpa = 8;
	expect_enable_refused(f, "descriptor table address");
	f->cfg.avail_gpa = DRV_AVAIL_GPA + 1;
	expect_enable_refused(f, "available ring address");
	f->cfg.used_gpa = DRV_USED_GPA + 2;
	expect_enable_refused(f, "used ring address");
	/* the used ring runs off the end of region 0 into the hole */
	f->cfg.used_gpa = FAKE_R0_SIZE - 16;
	expect_enable_refused(f, "used ring [");
	f->cfg.desc_gpa = FAKE_R1_BASE - 16;
	expect_enable_refused(f, "descriptor table [");
	/* an address whose area would wrap past 2^64 */
	f->cfg.avail_gpa = UINT64_MAX - 3;
	expect_enable_refused(f, "available ring [");
	/* the largest queue fits in region 0: 512 KiB of descriptors */
	f->cfg.size = VIRTQ_SIZE_MAX;
	f->cfg.avail_gpa = 0x80000;
	f->cfg.used_gpa = FAKE_R1_BASE;	/* 256 KiB: does not fit region 1 */
	expect_enable_refused(f, "used ring [");
	/* reset makes a broken queue usable again */
	vq_reset(&f->vq);
	CHECK_EQ(vq_enable(&f->vq, &f->cfg), 0);
	CHECK(!vq_broken(&f->vq) && vq_error(&f->vq)[0] == 0, "reset clears");
	fx_free(f);
}

/* ---- Hostile guests: each rejected, the queue broken, nothing used ---- */

/* Pops once expecting the guest to be caught; what must be in the error. */
static void
expect_broken(struct fake_queue *f, const char *what)
{
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK(vq_broken(&f->vq), "%s: queue not broken", what);
	CHECK(strstr(vq_error(&f->vq), what) != NULL, "error '%s' lacks '%s'",
	      vq_error(&f->vq), what);
	/* later calls do nothing */
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK_EQ(vq_push(&f->vq, f->c.head, 1), -EIO);
	CHECK(!vq_need_notify(&f->vq), "no interrupt from a broken queue");
	CHECK_EQ(drv_used_idx(&f->d), 0);
	CHECK_EQ(f->vq.inflight_count, 0);
}

static void
test_descriptor_outside_ram(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, FAKE_R0_SIZE + 0x1000, 16, 0, 0);	/* in the hole */
	drv_publish(&f->d, 0);
	expect_broken(f, "not inside guest RAM");
	fx_free(f);

	/* straddles the end of region 0 */
	f = fx_new(4, false, false);
	drv_desc(&f->d, 0, FAKE_R0_SIZE - 8, 16, 0, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "not inside guest RAM");
	fx_free(f);

	/* beyond every region, the second descriptor of a chain */
	f = fx_new(4, false, false);
	drv_desc(&f->d, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->d, 1, 1ull << 40, 1, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "descriptor 1 buffer");
	fx_free(f);
}

static void
test_length_wraps(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, UINT64_MAX - 15, 0x100, 0, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "not inside guest RAM");
	fx_free(f);

	/* a long length from a valid address wraps nothing but leaves RAM */
	f = fx_new(4, false, false);
	drv_desc(&f->d, 0, BUF(0), 0xffffffffu, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "not inside guest RAM");
	fx_free(f);
}

static void
test_chain_loop(void)
{
	struct fake_queue *f = fx_new(8, false, false);

	drv_desc(&f->d, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->d, 1, BUF(1), 16, VIRTQ_DESC_F_NEXT, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "longer than the queue size");
	fx_free(f);

	f = fx_new(8, false, false);	/* a descriptor naming itself */
	drv_desc(&f->d, 5, BUF(0), 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 5);
	drv_publish(&f->d, 5);
	expect_broken(f, "longer than the queue size");
	fx_free(f);
}

static void
test_chain_longer_than_queue(void)
{
	struct fake_queue *f = fx_new(4, true, false);
	unsigned i;

	/* five distinct descriptors in an indirect table, queue of four */
	for (i = 0; i < 5; i++)
		drv_desc_at(&f->d, DRV_TABLE_GPA, i, BUF(i), 8,
			    i < 4 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	drv_desc(&f->d, 0, DRV_TABLE_GPA, 5 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "longer than the queue size");
	fx_free(f);

	/* a loop inside an indirect table */
	f = fx_new(4, true, false);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(0), 8, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 1, BUF(1), 8, VIRTQ_DESC_F_NEXT, 0);
	drv_desc(&f->d, 2, DRV_TABLE_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 2);
	expect_broken(f, "longer than the queue size");
	fx_free(f);
}

static void
test_next_out_of_range(void)
{
	struct fake_queue *f = fx_new(4, true, false);

	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_NEXT, 4);
	drv_publish(&f->d, 0);
	expect_broken(f, "beyond the ring table");
	fx_free(f);

	f = fx_new(4, true, false);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(0), 8, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&f->d, 0, DRV_TABLE_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "beyond the indirect table");
	fx_free(f);
}

static void
test_indirect_inside_indirect(void)
{
	struct fake_queue *f = fx_new(8, true, false);

	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(0), 8, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 1, DRV_TABLE_GPA + 0x100, 16,
		    VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc_at(&f->d, DRV_TABLE_GPA + 0x100, 0, BUF(1), 8, 0, 0);
	drv_desc(&f->d, 0, DRV_TABLE_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "inside an indirect table");
	fx_free(f);

	/* an indirect table that is the ring's own table (found by fuzzing) */
	f = fx_new(8, true, false);
	drv_desc(&f->d, 0, DRV_DESC_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "inside an indirect table");
	fx_free(f);
}

static void
test_indirect_bad_tables(void)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
		bool feature;
		const char *what;
	} t[] = {
		{ DRV_TABLE_GPA, 24, 0, true, "not a non-zero multiple of 16" },
		{ DRV_TABLE_GPA, 0, 0, true, "not a non-zero multiple of 16" },
		{ DRV_TABLE_GPA, 15, 0, true, "not a non-zero multiple of 16" },
		{ DRV_TABLE_GPA, 16, VIRTQ_DESC_F_NEXT, true,
		  "both INDIRECT and NEXT" },
		{ DRV_TABLE_GPA, 16, 0, false, "not negotiated" },
		{ FAKE_R0_SIZE - 16, 32, 0, true, "indirect table [" },
		{ UINT64_MAX - 15, 32, 0, true, "indirect table [" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct fake_queue *f = fx_new(4, t[i].feature, false);

		drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(0), 8, 0, 0);
		drv_desc(&f->d, 0, BUF(1), 8, VIRTQ_DESC_F_NEXT, 1);
		drv_desc(&f->d, 1, t[i].addr, t[i].len,
			 VIRTQ_DESC_F_INDIRECT | t[i].flags, 2);
		drv_desc(&f->d, 2, BUF(2), 8, 0, 0);
		drv_publish(&f->d, 0);
		expect_broken(f, t[i].what);
		fx_free(f);
	}
}

static void
test_avail_index_jump(void)
{
	struct fake_queue *f = fx_new(4, false, false);
	unsigned i;

	for (i = 0; i < 4; i++)
		drv_desc(&f->d, i, BUF(i), 8, 0, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(vq_push(&f->vq, 0, 0), 0);
	/* one past the last seen, plus five: more than the size */
	drv_put16(&f->d, DRV_AVAIL_GPA + 2, 1 + 5);
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK(strstr(vq_error(&f->vq), "moved from 1 to 6") != NULL, "%s",
	      vq_error(&f->vq));
	fx_free(f);

	/* going backwards is a jump of almost 2^16 */
	f = fx_new(4, false, false);
	drv_desc(&f->d, 0, BUF(0), 8, 0, 0);
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	drv_put16(&f->d, DRV_AVAIL_GPA + 2, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK(strstr(vq_error(&f->vq), "more than the queue size") != NULL,
	      "%s", vq_error(&f->vq));
	fx_free(f);
}

static void
test_head_out_of_range(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_publish(&f->d, 4);
	expect_broken(f, "holds head 4");
	fx_free(f);

	f = fx_new(4, false, false);
	drv_publish(&f->d, 0xffff);
	expect_broken(f, "holds head 65535");
	fx_free(f);
}

static void
test_head_reused_in_flight(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 2, BUF(0), 8, 0, 0);
	drv_publish(&f->d, 2);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	drv_publish(&f->d, 2);
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK(strstr(vq_error(&f->vq), "still owns it") != NULL, "%s",
	      vq_error(&f->vq));
	fx_free(f);
}

static void
test_writable_before_readable(void)
{
	struct fake_queue *f = fx_new(4, true, false);

	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	drv_desc(&f->d, 1, BUF(1), 8, 0, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "device-readable after a device-writable");
	fx_free(f);

	/* the same across the step into an indirect table */
	f = fx_new(4, true, false);
	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	drv_desc(&f->d, 1, DRV_TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc_at(&f->d, DRV_TABLE_GPA, 0, BUF(1), 8, 0, 0);
	drv_publish(&f->d, 0);
	expect_broken(f, "device-readable after a device-writable");
	fx_free(f);
}

/* A bad chain behind a good one: the good one is served first. */
static void
test_broken_after_good(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, BUF(0), 8, 0, 0);
	drv_desc(&f->d, 1, FAKE_R0_SIZE, 8, 0, 0);
	drv_stage(&f->d, 0);
	drv_stage(&f->d, 1);
	drv_kick(&f->d);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(f->c.head, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), -EIO);
	CHECK_EQ(vq_push(&f->vq, 0, 0), -EIO);	/* stopped touching the queue */
	CHECK_EQ(drv_used_idx(&f->d), 0);
	fx_free(f);
}

/* ---- Notifications ---- */

/* One pop and push of a one-descriptor chain at head 0. */
static void
cycle(struct fake_queue *f)
{
	drv_publish(&f->d, 0);
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	CHECK_EQ(vq_push(&f->vq, 0, 1), 0);
}

static void
test_no_interrupt_flag(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE, 0);
	CHECK(!vq_need_notify(&f->vq), "nothing pushed yet");
	cycle(f);
	CHECK(vq_need_notify(&f->vq), "flag clear: notify");
	CHECK(!vq_need_notify(&f->vq), "nothing new since");
	drv_put16(&f->d, DRV_AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	cycle(f);
	CHECK(!vq_need_notify(&f->vq), "NO_INTERRUPT set: quiet");
	drv_put16(&f->d, DRV_AVAIL_GPA, 0);
	cycle(f);
	CHECK(vq_need_notify(&f->vq), "flag cleared again");
	fx_free(f);
}

static void
test_used_flags_suppression(void)
{
	struct fake_queue *f = fx_new(4, false, false);

	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE, 0);
	vq_suppress_notify(&f->vq);
	CHECK_EQ(drv_get16(&f->d, DRV_USED_GPA), VIRTQ_USED_F_NO_NOTIFY);
	CHECK(!vq_enable_notify(&f->vq), "nothing pending");
	CHECK_EQ(drv_get16(&f->d, DRV_USED_GPA), 0);
	vq_suppress_notify(&f->vq);
	drv_publish(&f->d, 0);	/* arrives while suppressed */
	CHECK(vq_enable_notify(&f->vq), "the late arrival is reported");
	CHECK_EQ(vq_pop(&f->vq, &f->c), 1);
	fx_free(f);
}

static void
test_event_idx_avail_event(void)
{
	struct fake_queue *f = fx_new(4, false, true);

	drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE, 0);
	cycle(f);
	CHECK_EQ(drv_avail_event(&f->d), 1);
	cycle(f);
	CHECK_EQ(drv_avail_event(&f->d), 2);
	vq_suppress_notify(&f->vq);
	CHECK_EQ(drv_get16(&f->d, DRV_USED_GPA), 0);	/* flags unused */
	cycle(f);
	CHECK_EQ(drv_avail_event(&f->d), 2);	/* left behind: no kicks */
	drv_publish(&f->d, 0);
	CHECK(vq_enable_notify(&f->vq), "pending buffer reported");
	CHECK_EQ(drv_avail_event(&f->d), 3);
	fx_free(f);
}

/* Drives the used index to start (mod 2^16) with pop/push cycles. */
static void
advance_to(struct fake_queue *f, uint16_t start)
{
	while (f->vq.used_idx != start)
		cycle(f);
	(void)vq_need_notify(&f->vq);	/* forget what came before */
}

static void
test_event_idx_decisions(void)
{
	static const struct {
		uint16_t start, event;
		unsigned pushes;
		bool notify;
	} t[] = {
		{ 10, 10, 1, true },	/* wants the next one */
		{ 10, 11, 1, false },	/* wants the one after */
		{ 10, 11, 2, true },
		{ 10, 9, 3, false },	/* already passed: no more */
		{ 10, 14, 4, false },	/* just outside the batch */
		{ 10, 13, 4, true },	/* last of the batch */
		{ 65534, 65534, 1, true },
		{ 65534, 65535, 1, false },
		{ 65534, 65535, 2, true },	/* new index wraps to 0 */
		{ 65534, 0, 2, false },
		{ 65534, 0, 3, true },
		{ 65534, 1, 3, false },
		{ 65534, 1, 4, true },
		{ 65535, 65533, 3, false },	/* behind, across the wrap */
	};
	size_t i;
	unsigned k;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct fake_queue *f = fx_new(4, false, true);
		bool got;

		drv_desc(&f->d, 0, BUF(0), 8, VIRTQ_DESC_F_WRITE, 0);
		advance_to(f, t[i].start);
		drv_set_used_event(&f->d, t[i].event);
		for (k = 0; k < t[i].pushes; k++)
			cycle(f);
		got = vq_need_notify(&f->vq);
		CHECK(got == t[i].notify,
		      "start %u event %u pushes %u: got %d", t[i].start,
		      t[i].event, t[i].pushes, got);
		CHECK(!vq_need_notify(&f->vq), "asked twice");
		CHECK_EQ(drv_used_idx(&f->d),
			 (uint16_t)(t[i].start + t[i].pushes));
		fx_free(f);
	}
}

int
main(void)
{
	RUN_TEST(test_single_descriptor);
	RUN_TEST(test_chain_readable_then_writable);
	RUN_TEST(test_buffer_in_second_region);
	RUN_TEST(test_indirect_table);
	RUN_TEST(test_direct_then_indirect);
	RUN_TEST(test_chain_of_queue_size);
	RUN_TEST(test_zero_length_descriptor_skipped);
	RUN_TEST(test_batch_out_of_order);
	RUN_TEST(test_push_not_in_flight);
	RUN_TEST(test_zero_sized_queue);
	RUN_TEST(test_enable_checks);
	RUN_TEST(test_descriptor_outside_ram);
	RUN_TEST(test_length_wraps);
	RUN_TEST(test_chain_loop);
	RUN_TEST(test_chain_longer_than_queue);
	RUN_TEST(test_next_out_of_range);
	RUN_TEST(test_indirect_inside_indirect);
	RUN_TEST(test_indirect_bad_tables);
	RUN_TEST(test_avail_index_jump);
	RUN_TEST(test_head_out_of_range);
	RUN_TEST(test_head_reused_in_flight);
	RUN_TEST(test_writable_before_readable);
	RUN_TEST(test_broken_after_good);
	RUN_TEST(test_no_interrupt_flag);
	RUN_TEST(test_used_flags_suppression);
	RUN_TEST(test_event_idx_avail_event);
	RUN_TEST(test_event_idx_decisions);
	CHECK_EXIT();
}
