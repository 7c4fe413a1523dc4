/* test-virtio-blk-req.c - the virtio-blk request engine (devices/virtio-blk-req.c) through a real virtqueue, against an in-memory disk. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio-blk-req.h"
#include "tests/unit/blk-memdisk.h"
#include "tests/unit/check.h"
#include "tests/unit/virtq-fake.h"
#include "vmm/compat.h"

#define QSIZE		16
#define DISK_BYTES	(64 * 1024)	/* 128 sectors */
#define HDR_GPA		(DRV_BUF_GPA + 0x0000)
#define STATUS_GPA	(DRV_BUF_GPA + 0x0ff0)
#define DATA_GPA	(DRV_BUF_GPA + 0x1000)	/* 128 KiB of room */

struct fixture {
	struct fake_queue q;
	struct memdisk disk;
	struct blk_backend be;
	struct blk_engine e;
	uint32_t used_len;
	int rc;
};

static struct fixture *
fx_new(unsigned sector_size, bool readonly, const char *serial)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	fake_queue_init(&f->q, QSIZE, "virtio-blk test");
	f->q.cfg.indirect_desc = true;
	CHECK_EQ(vq_enable(&f->q.vq, &f->q.cfg), 0);
	memdisk_init(&f->disk, DISK_BYTES, sector_size, &f->be);
	CHECK_EQ(blk_engine_init(&f->e, &f->be, DISK_BYTES, sector_size,
				 readonly, serial, QSIZE), 0);
	return f;
}

static void
fx_free(struct fixture *f)
{
	CHECK(!f->disk.bad_call, "backend got a bad range %#llx+%#llx",
	      (unsigned long long)f->disk.last_off,
	      (unsigned long long)f->disk.last_len);
	free(f->disk.data);
	fake_queue_free(&f->q);
	free(f);
}

/* ---- Building requests like a driver ---- */

/* Writes the header (type, sector) at HDR_GPA. */
static void
header(struct fixture *f, uint32_t type, uint64_t sector)
{
	uint8_t *h = fake_ptr(&f->q.m, HDR_GPA);

	put_le32(h, type);
	put_le32(h + 4, 0);
	put_le64(h + 8, sector);
}

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool wr;
};

/*
 * Submits a chain made of segs at descriptors 0.., pops it, lets the
 * engine handle it; f->rc is blk_req_handle's result, f->used_len the
 * length in the used ring, and the return value the status byte.
 */
static uint8_t
submit(struct fixture *f, const struct seg *s, unsigned n)
{
	uint16_t before = drv_used_idx(&f->q.d);
	uint32_t id;

	*fake_ptr(&f->q.m, STATUS_GPA) = 0xee;
	for (unsigned i = 0; i < n; i++)
		drv_desc(&f->q.d, i, s[i].gpa, s[i].len,
			 (s[i].wr ? VIRTQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			 (uint16_t)(i + 1));
	drv_publish(&f->q.d, 0);
	CHECK_EQ(vq_pop(&f->q.vq, &f->q.c), 1);
	f->rc = blk_req_handle(&f->e, &f->q.vq, &f->q.c);
	f->used_len = 0;
	if (f->rc == 0) {
		CHECK_EQ(drv_used_idx(&f->q.d), (uint16_t)(before + 1));
		drv_used_elem(&f->q.d, before, &id, &f->used_len);
		CHECK_EQ(id, 0);
	}
	return *fake_ptr(&f->q.m, STATUS_GPA);
}

#define HDR		{ HDR_GPA, 16, false }
#define STATUS		{ STATUS_GPA, 1, true }
#define DATA(off, len, wr) { DATA_GPA + (off), (len), (wr) }

static void
fill(struct fixture *f, uint64_t gpa, size_t len, uint8_t seed)
{
	uint8_t *p = fake_ptr(&f->q.m, gpa);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

/* ---- Requests that work ---- */

static void
test_write_then_read(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg w[] = { HDR, DATA(0, 512, false), DATA(0x2000, 512, false),
			   STATUS };
	struct seg r[] = { HDR, DATA(0x4000, 256, true),
			   DATA(0x5000, 512, true), DATA(0x6000, 256, true),
			   STATUS };

	fill(f, DATA_GPA, 512, 1);
	fill(f, DATA_GPA + 0x2000, 512, 2);
	header(f, VIRTIO_BLK_T_OUT, 4);
	CHECK_EQ(submit(f, w, ARRAY_SIZE(w)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 1);
	CHECK(memcmp(f->disk.data + 4 * 512, fake_ptr(&f->q.m, DATA_GPA),
		     512) == 0, "first sector written");
	CHECK(memcmp(f->disk.data + 5 * 512,
		     fake_ptr(&f->q.m, DATA_GPA + 0x2000), 512) == 0,
	      "second sector written");

	header(f, VIRTIO_BLK_T_IN, 4);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 1024 + 1);
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA + 0x4000),
		     fake_ptr(&f->q.m, DATA_GPA), 256) == 0, "read part 1");
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA + 0x5000),
		     fake_ptr(&f->q.m, DATA_GPA + 256), 256) == 0,
	      "read part 2");
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA + 0x5000 + 256),
		     fake_ptr(&f->q.m, DATA_GPA + 0x2000), 256) == 0,
	      "read part 3");
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA + 0x6000),
		     fake_ptr(&f->q.m, DATA_GPA + 0x2000 + 256), 256) == 0,
	      "read part 4");
	fx_free(f);
}

/* Any layout: header and data in one buffer, data and status in one. */
static void
test_any_layout(void)
{
	struct fixture *f = fx_new(512, false, "x");
	uint8_t *p = fake_ptr(&f->q.m, DATA_GPA);
	struct seg w[] = { { DATA_GPA, 16 + 512, false }, STATUS };
	struct seg r[] = { { HDR_GPA, 8, false }, { HDR_GPA + 8, 8, false },
			   { DATA_GPA + 0x1000, 513, true } };

	put_le32(p, VIRTIO_BLK_T_OUT);
	put_le32(p + 4, 0);
	put_le64(p + 8, 10);
	fill(f, DATA_GPA + 16, 512, 9);
	CHECK_EQ(submit(f, w, ARRAY_SIZE(w)), VIRTIO_BLK_S_OK);
	CHECK(memcmp(f->disk.data + 10 * 512, p + 16, 512) == 0,
	      "data after an inline header");

	header(f, VIRTIO_BLK_T_IN, 10);	/* header split in two buffers */
	submit(f, r, ARRAY_SIZE(r));
	CHECK_EQ(*fake_ptr(&f->q.m, DATA_GPA + 0x1000 + 512), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 513);
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA + 0x1000), p + 16, 512) == 0,
	      "read into the buffer holding the status");
	fx_free(f);
}

static void
test_zero_length_io(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { HDR, STATUS };

	header(f, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 1);
	CHECK_EQ(f->disk.reads, 0);
	fx_free(f);
}

static void
test_flush(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { HDR, STATUS };

	header(f, VIRTIO_BLK_T_FLUSH, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.flushes, 1);
	CHECK_EQ(f->used_len, 1);
	f->disk.fail = -EIO;
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.flushes, 2);
	CHECK(blk_engine_features(&f->e) & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH),
	      "FLUSH offered with a flush op");
	/* without a flush op writes are durable: FLUSH not offered, OK */
	f->e.be.flush = NULL;
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.flushes, 2);
	CHECK(!(blk_engine_features(&f->e) & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)),
	      "FLUSH not offered");
	fx_free(f);
}

static void
test_get_id(void)
{
	struct fixture *f = fx_new(512, false, "debian-12");
	struct seg r[] = { HDR, DATA(0, 20, true), STATUS };
	struct seg small[] = { HDR, DATA(0, 6, true), STATUS };
	uint8_t *p = fake_ptr(&f->q.m, DATA_GPA);

	memset(p, 0xaa, 32);
	header(f, VIRTIO_BLK_T_GET_ID, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 21);
	CHECK(memcmp(p, "debian-12\0\0\0\0\0\0\0\0\0\0\0", 20) == 0,
	      "NUL-padded serial");
	CHECK_EQ(p[20], 0xaa);
	fx_free(f);

	/* 20 characters or more: cut, no terminator */
	f = fx_new(512, true, "a-very-long-profile-name-indeed");
	p = fake_ptr(&f->q.m, DATA_GPA);
	memset(p, 0xaa, 32);
	header(f, VIRTIO_BLK_T_GET_ID, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK(memcmp(p, "a-very-long-profile-", 20) == 0, "cut serial");
	CHECK_EQ(p[20], 0xaa);
	/* a short buffer gets what fits */
	memset(p, 0xaa, 32);
	CHECK_EQ(submit(f, small, ARRAY_SIZE(small)), VIRTIO_BLK_S_OK);
	CHECK_EQ(f->used_len, 7);
	CHECK(memcmp(p, "a-very", 6) == 0 && p[6] == 0xaa, "short buffer");
	fx_free(f);
}

/* Writes discard/write-zeroes ranges at DATA_GPA: {sector, num, flags}... */
static void
ranges(struct fixture *f, const uint64_t (*r)[3], unsigned n)
{
	uint8_t *p = fake_ptr(&f->q.m, DATA_GPA);

	for (unsigned i = 0; i < n; i++) {
		put_le64(p + 16 * i, r[i][0]);
		put_le32(p + 16 * i + 8, (uint32_t)r[i][1]);
		put_le32(p + 16 * i + 12, (uint32_t)r[i][2]);
	}
}

static uint8_t
submit_ranges(struct fixture *f, uint32_t type, const uint64_t (*r)[3],
	      unsigned n)
{
	struct seg s[] = { HDR, DATA(0, 16 * n, false), STATUS };

	ranges(f, r, n);
	header(f, type, 0);
	return submit(f, s, ARRAY_SIZE(s));
}

static void
test_discard(void)
{
	struct fixture *f = fx_new(512, false, "x");
	const uint64_t one[][3] = { { 8, 4, 0 } };
	const uint64_t two[][3] = { { 0, 1, 0 }, { 100, 28, 0 } };

	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, one, 1),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.discards, 1);
	CHECK_EQ(f->disk.last_off, 8 * 512);
	CHECK_EQ(f->disk.last_len, 4 * 512);
	CHECK_EQ(f->used_len, 1);
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, two, 2),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.discards, 3);
	CHECK_EQ(f->disk.last_off, 100 * 512);	/* up to the last sector */
	fx_free(f);
}

static void
test_discard_checks(void)
{
	static const struct {
		uint64_t r[3];
		uint8_t status;
	} t[] = {
		{ { 8, 4, VIRTIO_BLK_DWZ_F_UNMAP }, VIRTIO_BLK_S_UNSUPP },
		{ { 8, 4, 2 }, VIRTIO_BLK_S_UNSUPP },		/* unknown flag */
		{ { 127, 2, 0 }, VIRTIO_BLK_S_IOERR },		/* past the end */
		{ { 128, 0, 0 }, VIRTIO_BLK_S_OK },		/* empty, at end */
		{ { 129, 0, 0 }, VIRTIO_BLK_S_IOERR },
		{ { UINT64_MAX - 1, 4, 0 }, VIRTIO_BLK_S_IOERR }, /* wraps */
		{ { 0, BLK_DWZ_SECTORS_MAX + 1, 0 }, VIRTIO_BLK_S_IOERR },
	};
	struct fixture *f = fx_new(512, false, "x");
	uint64_t many[BLK_DWZ_SEG_MAX + 1][3];
	struct seg odd[] = { HDR, DATA(0, 24, false), STATUS };
	struct seg none[] = { HDR, STATUS };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		unsigned before = f->disk.discards;

		CHECK(submit_ranges(f, VIRTIO_BLK_T_DISCARD, &t[i].r, 1) ==
			      t[i].status,
		      "range %zu: status %u", i,
		      *fake_ptr(&f->q.m, STATUS_GPA));
		CHECK_EQ(f->disk.discards, before);	/* nothing to do */
		CHECK_EQ(f->used_len, 1);
	}
	for (unsigned i = 0; i <= BLK_DWZ_SEG_MAX; i++) {
		many[i][0] = i;
		many[i][1] = 1;
		many[i][2] = 0;
	}
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, many, BLK_DWZ_SEG_MAX),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.discards, BLK_DWZ_SEG_MAX);
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, many,
			       BLK_DWZ_SEG_MAX + 1), VIRTIO_BLK_S_IOERR);
	/* one bad range fails the request before any is done */
	many[3][1] = 200;
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, many, 4),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.discards, BLK_DWZ_SEG_MAX);
	header(f, VIRTIO_BLK_T_DISCARD, 0);
	CHECK_EQ(submit(f, odd, ARRAY_SIZE(odd)), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(submit(f, none, ARRAY_SIZE(none)), VIRTIO_BLK_S_IOERR);
	/* a backend without discard: not offered, UNSUPP */
	f->e.be.discard = NULL;
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, many, 1),
		 VIRTIO_BLK_S_UNSUPP);
	CHECK(!(blk_engine_features(&f->e) & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)),
	      "DISCARD not offered");
	fx_free(f);
}

static void
test_write_zeroes(void)
{
	struct fixture *f = fx_new(512, false, "x");
	const uint64_t r[][3] = { { 2, 3, VIRTIO_BLK_DWZ_F_UNMAP } };
	const uint64_t keep[][3] = { { 20, 1, 0 } };
	const uint8_t zero[3 * 512] = { 0 };

	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_WRITE_ZEROES, r, 1),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.zeroes, 1);
	CHECK(f->disk.last_unmap, "unmap passed on");
	CHECK(memcmp(f->disk.data + 2 * 512, zero, sizeof(zero)) == 0,
	      "zeroed");
	CHECK(f->disk.data[5 * 512] != 0 || f->disk.data[5 * 512 + 1] != 0,
	      "next sector untouched");
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_WRITE_ZEROES, keep, 1),
		 VIRTIO_BLK_S_OK);
	CHECK(!f->disk.last_unmap, "no unmap");
	fx_free(f);
}

static void
test_unknown_types(void)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_GET_LIFETIME, VIRTIO_BLK_T_SECURE_ERASE, 2, 3, 5,
		16, 0x80000000u, 0xffffffffu,
	};
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { HDR, DATA(0, 512, true), STATUS };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		header(f, types[i], 0);
		CHECK(submit(f, r, ARRAY_SIZE(r)) == VIRTIO_BLK_S_UNSUPP,
		      "type %#x", types[i]);
		CHECK_EQ(f->used_len, 1);
	}
	CHECK_EQ(f->disk.reads + f->disk.writes, 0);
	fx_free(f);
}

/* ---- Malformed requests ---- */

static void
test_short_header(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { { HDR_GPA, 15, false }, DATA(0, 512, true),
			   STATUS };
	struct seg none[] = { DATA(0, 512, true), STATUS };

	header(f, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->used_len, 1);
	CHECK_EQ(submit(f, none, ARRAY_SIZE(none)), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.reads, 0);
	CHECK(!vq_broken(&f->q.vq), "a status byte exists: queue fine");
	fx_free(f);
}

static void
test_missing_status(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg w[] = { HDR, DATA(0, 512, false) };

	header(f, VIRTIO_BLK_T_OUT, 0);
	submit(f, w, ARRAY_SIZE(w));
	CHECK_EQ(f->rc, -EIO);
	CHECK(vq_broken(&f->q.vq), "queue broken");
	CHECK(strstr(vq_error(&f->q.vq), "status byte") != NULL, "%s",
	      vq_error(&f->q.vq));
	CHECK_EQ(drv_used_idx(&f->q.d), 0);
	CHECK_EQ(f->disk.writes, 0);
	fx_free(f);
}

static void
test_out_of_range(void)
{
	static const struct {
		uint64_t sector;
		uint32_t len;
		uint8_t status;
	} t[] = {
		{ 127, 512, VIRTIO_BLK_S_OK },		/* the last sector */
		{ 127, 1024, VIRTIO_BLK_S_IOERR },
		{ 128, 512, VIRTIO_BLK_S_IOERR },
		{ UINT64_MAX, 512, VIRTIO_BLK_S_IOERR },
		{ UINT64_MAX >> 9, 512, VIRTIO_BLK_S_IOERR },
		{ 0, 100, VIRTIO_BLK_S_IOERR },		/* not whole sectors */
		{ 0, 513, VIRTIO_BLK_S_IOERR },
	};
	struct fixture *f = fx_new(512, false, "x");

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct seg r[] = { HDR, DATA(0, t[i].len, true), STATUS };
		struct seg w[] = { HDR, DATA(0, t[i].len, false), STATUS };

		header(f, VIRTIO_BLK_T_IN, t[i].sector);
		CHECK(submit(f, r, 3) == t[i].status, "read %zu", i);
		header(f, VIRTIO_BLK_T_OUT, t[i].sector);
		CHECK(submit(f, w, 3) == t[i].status, "write %zu", i);
		CHECK_EQ(f->used_len, 1);
	}
	CHECK_EQ(f->disk.reads, 1);
	CHECK_EQ(f->disk.writes, 1);
	fx_free(f);
}

static void
test_seg_max(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { HDR, DATA(0, 512, true), DATA(0x1000, 512, true),
			   DATA(0x2000, 512, true), STATUS };

	CHECK_EQ(f->e.seg_max, QSIZE - 2);
	f->e.seg_max = 2;
	header(f, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_IOERR);
	f->e.seg_max = 3;
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	fx_free(f);
}

static void
test_readonly(void)
{
	struct fixture *f = fx_new(512, true, "x");
	struct seg w[] = { HDR, DATA(0, 512, false), STATUS };
	struct seg r[] = { HDR, DATA(0, 512, true), STATUS };
	const uint64_t one[][3] = { { 0, 1, 0 } };
	uint8_t before[512];
	uint64_t feat = blk_engine_features(&f->e);

	memcpy(before, f->disk.data, 512);
	fill(f, DATA_GPA, 512, 3);
	header(f, VIRTIO_BLK_T_OUT, 0);
	CHECK_EQ(submit(f, w, ARRAY_SIZE(w)), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.writes, 0);
	CHECK(memcmp(before, f->disk.data, 512) == 0, "disk unchanged");
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, one, 1),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_WRITE_ZEROES, one, 1),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.discards + f->disk.zeroes, 0);
	header(f, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(submit(f, r, ARRAY_SIZE(r)), VIRTIO_BLK_S_OK);
	CHECK(memcmp(before, fake_ptr(&f->q.m, DATA_GPA), 512) == 0,
	      "reads still work");
	CHECK(feat & VIRTIO_BIT(VIRTIO_BLK_F_RO), "RO offered");
	CHECK(!(feat & (VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
			VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES))),
	      "no discard or write zeroes on a read-only disk");
	fx_free(f);
}

static void
test_4k_sectors(void)
{
	struct fixture *f = fx_new(4096, false, "x");
	struct seg r4k[] = { HDR, DATA(0, 4096, true), STATUS };
	struct seg r512[] = { HDR, DATA(0, 512, true), STATUS };
	const uint64_t bad[][3] = { { 4, 8, 0 } };
	const uint64_t good[][3] = { { 8, 16, 0 } };

	header(f, VIRTIO_BLK_T_IN, 8);
	CHECK_EQ(submit(f, r4k, 3), VIRTIO_BLK_S_OK);
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA), f->disk.data + 4096, 4096) ==
		      0, "block 1");
	header(f, VIRTIO_BLK_T_IN, 1);	/* 512 bytes in: misaligned */
	CHECK_EQ(submit(f, r4k, 3), VIRTIO_BLK_S_IOERR);
	header(f, VIRTIO_BLK_T_IN, 8);	/* a 512-byte read of a 4K disk */
	CHECK_EQ(submit(f, r512, 3), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, bad, 1),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(submit_ranges(f, VIRTIO_BLK_T_DISCARD, good, 1),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(f->disk.reads, 1);
	CHECK_EQ(f->disk.discards, 1);
	CHECK_EQ(f->e.max_discard_sectors % 8, 0);
	fx_free(f);
}

static void
test_backend_error(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct seg r[] = { HDR, DATA(0, 512, true), STATUS };
	struct seg w[] = { HDR, DATA(0, 512, false), STATUS };

	f->disk.fail = -EIO;
	header(f, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(submit(f, r, 3), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->used_len, 1);
	header(f, VIRTIO_BLK_T_OUT, 0);
	CHECK_EQ(submit(f, w, 3), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(f->disk.reads + f->disk.writes, 2);
	fx_free(f);
}

/* Parse on the queue thread, execute later in any order, then complete. */
static void
test_split_steps(void)
{
	struct fixture *f = fx_new(512, false, "x");
	struct vq_chain c2 = { 0 };
	struct blk_req a, b;
	uint32_t id, len;

	header(f, VIRTIO_BLK_T_IN, 1);
	drv_desc(&f->q.d, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&f->q.d, 1, DATA_GPA, 512,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&f->q.d, 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	drv_desc(&f->q.d, 3, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 4);
	drv_desc(&f->q.d, 4, STATUS_GPA + 1, 1, VIRTQ_DESC_F_WRITE, 0);
	drv_stage(&f->q.d, 0);
	drv_stage(&f->q.d, 3);
	drv_kick(&f->q.d);
	CHECK_EQ(vq_pop(&f->q.vq, &f->q.c), 1);
	CHECK_EQ(blk_req_parse(&f->e, &f->q.vq, &f->q.c, &a), 0);
	CHECK_EQ(vq_pop(&f->q.vq, &c2), 1);
	CHECK_EQ(blk_req_parse(&f->e, &f->q.vq, &c2, &b), 0);
	CHECK_EQ(b.type, VIRTIO_BLK_T_IN);	/* same header, no data */
	/* the guest rewrites the header after parsing: no effect */
	header(f, VIRTIO_BLK_T_OUT, 99);
	CHECK_EQ(vq_push(&f->q.vq, b.head, blk_req_complete(&b,
				blk_req_execute(&f->e, &b))), 0);
	CHECK_EQ(vq_push(&f->q.vq, a.head, blk_req_complete(&a,
				blk_req_execute(&f->e, &a))), 0);
	drv_used_elem(&f->q.d, 0, &id, &len);
	CHECK(id == 3 && len == 1, "b first: id %u len %u", id, len);
	drv_used_elem(&f->q.d, 1, &id, &len);
	CHECK(id == 0 && len == 513, "a second: id %u len %u", id, len);
	CHECK(memcmp(fake_ptr(&f->q.m, DATA_GPA), f->disk.data + 512, 512) == 0,
	      "a read sector 1");
	CHECK_EQ(f->disk.writes, 0);
	vq_chain_free(&c2);
	fx_free(f);
}

/* ---- Configuration space ---- */

static void
test_config(void)
{
	struct fixture *f = fx_new(4096, false, "x");
	struct virtio_blk_config cfg;
	struct blk_engine e;

	blk_engine_config(&f->e, &cfg);
	CHECK_EQ(le64toh(cfg.capacity), DISK_BYTES / 512);
	CHECK_EQ(le32toh(cfg.blk_size), 4096);
	CHECK_EQ(le32toh(cfg.seg_max), QSIZE - 2);
	CHECK_EQ(le32toh(cfg.size_max), BLK_SIZE_MAX_DEFAULT);
	CHECK_EQ(le32toh(cfg.max_discard_seg), BLK_DWZ_SEG_MAX);
	CHECK_EQ(le32toh(cfg.discard_sector_alignment), 8);
	CHECK_EQ(le32toh(cfg.max_write_zeroes_sectors) % 8, 0);
	CHECK_EQ(cfg.write_zeroes_may_unmap, 1);
	CHECK_EQ(cfg.unused0 | cfg.unused1[0] | cfg.unused1[1], 0);
	/* the byte offsets the spec fixes */
	CHECK_EQ(offsetof(struct virtio_blk_config, blk_size), 20);
	CHECK_EQ(offsetof(struct virtio_blk_config, max_discard_sectors), 36);
	CHECK_EQ(offsetof(struct virtio_blk_config, write_zeroes_may_unmap),
		 56);

	/* a disk size that is not whole sectors rounds down; big queues
	 * keep the default seg_max */
	CHECK_EQ(blk_engine_init(&e, &f->be, 3 * 4096 + 700, 4096, false, "",
				 1024), 0);
	CHECK_EQ(e.capacity, 24);
	CHECK_EQ(e.seg_max, BLK_SEG_MAX_DEFAULT);
	CHECK_EQ(blk_engine_init(&e, &f->be, 4096, 1024, false, "", 64),
		 -EINVAL);
	CHECK_EQ(blk_engine_init(&e, &f->be, 4096, 512, false, "", 2), -EINVAL);
	fx_free(f);
}

int
main(void)
{
	RUN_TEST(test_write_then_read);
	RUN_TEST(test_any_layout);
	RUN_TEST(test_zero_length_io);
	RUN_TEST(test_flush);
	RUN_TEST(test_get_id);
	RUN_TEST(test_discard);
	RUN_TEST(test_discard_checks);
	RUN_TEST(test_write_zeroes);
	RUN_TEST(test_unknown_types);
	RUN_TEST(test_short_header);
	RUN_TEST(test_missing_status);
	RUN_TEST(test_out_of_range);
	RUN_TEST(test_seg_max);
	RUN_TEST(test_readonly);
	RUN_TEST(test_4k_sectors);
	RUN_TEST(test_backend_error);
	RUN_TEST(test_split_steps);
	RUN_TEST(test_config);
	CHECK_EXIT();
}
