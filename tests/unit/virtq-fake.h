/* virtq-fake.h - test doubles for the virtqueue: a guest RAM of two regions with holes, and a minimal driver that writes rings like Linux does. */
#ifndef HYVE_VIRTQ_FAKE_H
#define HYVE_VIRTQ_FAKE_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"

/*
 * Guest RAM: region 0 at [0, 1 MiB), region 1 at [2 MiB, 2 MiB + 64 KiB).
 * Everything else is a hole. A range must fit in one region, like vm_gpa.
 */
#define FAKE_R0_SIZE	0x100000ull
#define FAKE_R1_BASE	0x200000ull
#define FAKE_R1_SIZE	0x10000ull

struct fake_mem {
	uint8_t *ram[2];
	uint64_t base[2], size[2];
	unsigned maps;		/* calls of map, for tests that count */
};

static inline void *
fake_mem_map(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_mem *m = ctx;

	m->maps++;
	for (int i = 0; i < 2; i++)
		if (gpa >= m->base[i] && len <= m->size[i] &&
		    gpa - m->base[i] <= m->size[i] - len)
			return m->ram[i] + (gpa - m->base[i]);
	return NULL;
}

/* Two regions: [0, size0) and [base1, base1 + size1), zeroed. */
static inline void
fake_mem_init_sized(struct fake_mem *m, struct guest_mem *gm, uint64_t size0,
		    uint64_t base1, uint64_t size1)
{
	memset(m, 0, sizeof(*m));
	m->base[0] = 0;
	m->size[0] = size0;
	m->base[1] = base1;
	m->size[1] = size1;
	for (int i = 0; i < 2; i++) {
		m->ram[i] = aligned_alloc(4096, m->size[i]);
		if (!m->ram[i])
			abort();
		memset(m->ram[i], 0, m->size[i]);
	}
	gm->map = fake_mem_map;
	gm->ctx = m;
}

static inline void
fake_mem_init(struct fake_mem *m, struct guest_mem *gm)
{
	fake_mem_init_sized(m, gm, FAKE_R0_SIZE, FAKE_R1_BASE, FAKE_R1_SIZE);
}

/* Whether [p, p + len) lies inside one region (for invariants). */
static inline bool
fake_mem_owns(const struct fake_mem *m, const void *p, uint64_t len)
{
	const uint8_t *b = p;

	for (int i = 0; i < 2; i++)
		if (b >= m->ram[i] && len <= m->size[i] &&
		    (uint64_t)(b - m->ram[i]) <= m->size[i] - len)
			return true;
	return false;
}

static inline void
fake_mem_free(struct fake_mem *m)
{
	free(m->ram[0]);
	free(m->ram[1]);
}

/* Host pointer of a guest address the test knows is in RAM. */
static inline uint8_t *
fake_ptr(struct fake_mem *m, uint64_t gpa)
{
	uint8_t *p = fake_mem_map(m, gpa, 1);

	if (!p)
		abort();
	return p;
}

/* ---- The driver side ---- */

/* Default ring placement inside region 0, and where buffers go. */
#define DRV_DESC_GPA	0x00000ull
#define DRV_AVAIL_GPA	0x80000ull
#define DRV_USED_GPA	0x90000ull
#define DRV_TABLE_GPA	0xc0000ull	/* indirect tables */
#define DRV_BUF_GPA	0xd0000ull	/* data buffers */

struct fake_drv {
	struct fake_mem *m;
	uint32_t size;
	uint16_t avail_idx;
};

static inline void
drv_config(struct fake_drv *d, struct fake_mem *m, uint32_t size,
	   struct vq_config *cfg)
{
	d->m = m;
	d->size = size;
	d->avail_idx = 0;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = size;
	cfg->desc_gpa = DRV_DESC_GPA;
	cfg->avail_gpa = DRV_AVAIL_GPA;
	cfg->used_gpa = DRV_USED_GPA;
	memset(fake_ptr(m, DRV_DESC_GPA), 0, DRV_TABLE_GPA - DRV_DESC_GPA);
}

/* Writes descriptor idx of the table at table_gpa. */
static inline void
drv_desc_at(struct fake_drv *d, uint64_t table_gpa, unsigned idx,
	    uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc v = {
		.addr = htole64(addr),
		.len = htole32(len),
		.flags = htole16(flags),
		.next = htole16(next),
	};

	memcpy(fake_ptr(d->m, table_gpa + 16ull * idx), &v, sizeof(v));
}

static inline void
drv_desc(struct fake_drv *d, unsigned idx, uint64_t addr, uint32_t len,
	 uint16_t flags, uint16_t next)
{
	drv_desc_at(d, DRV_DESC_GPA, idx, addr, len, flags, next);
}

static inline void
drv_put16(struct fake_drv *d, uint64_t gpa, uint16_t v)
{
	v = htole16(v);
	memcpy(fake_ptr(d->m, gpa), &v, 2);
}

static inline uint16_t
drv_get16(struct fake_drv *d, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, fake_ptr(d->m, gpa), 2);
	return le16toh(v);
}

static inline uint32_t
drv_get32(struct fake_drv *d, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, fake_ptr(d->m, gpa), 4);
	return le32toh(v);
}

/* Puts head in the next avail slot without publishing the index. */
static inline void
drv_stage(struct fake_drv *d, uint16_t head)
{
	drv_put16(d, DRV_AVAIL_GPA + 4 + 2ull * (d->avail_idx % d->size), head);
	d->avail_idx++;
}

/* Publishes the avail index as it stands. */
static inline void
drv_kick(struct fake_drv *d)
{
	drv_put16(d, DRV_AVAIL_GPA + 2, d->avail_idx);
}

static inline void
drv_publish(struct fake_drv *d, uint16_t head)
{
	drv_stage(d, head);
	drv_kick(d);
}

static inline uint16_t
drv_used_idx(struct fake_drv *d)
{
	return drv_get16(d, DRV_USED_GPA + 2);
}

static inline void
drv_used_elem(struct fake_drv *d, uint16_t i, uint32_t *id, uint32_t *len)
{
	uint64_t e = DRV_USED_GPA + 4 + 8ull * (i % d->size);

	*id = drv_get32(d, e);
	*len = drv_get32(d, e + 4);
}

static inline void
drv_set_used_event(struct fake_drv *d, uint16_t v)
{
	drv_put16(d, DRV_AVAIL_GPA + 4 + 2ull * d->size, v);
}

static inline uint16_t
drv_avail_event(struct fake_drv *d)
{
	return drv_get16(d, DRV_USED_GPA + 4 + 8ull * d->size);
}

/* ---- A queue under test: guest RAM, the driver, the device side ---- */

struct fake_queue {
	struct fake_mem m;
	struct guest_mem gm;
	struct fake_drv d;
	struct vq_config cfg;
	struct vq vq;
	struct vq_chain c;	/* for vq_pop */
};

/*
 * Fresh RAM, a driver with rings of size entries at the default places,
 * and a device queue named name; not enabled yet, so a test can set
 * features in q->cfg first, then vq_enable(&q->vq, &q->cfg).
 */
static inline void
fake_queue_init(struct fake_queue *q, uint32_t size, const char *name)
{
	fake_mem_init(&q->m, &q->gm);
	drv_config(&q->d, &q->m, size, &q->cfg);
	vq_init(&q->vq, name, &q->gm);
}

static inline void
fake_queue_free(struct fake_queue *q)
{
	vq_chain_free(&q->c);
	fake_mem_free(&q->m);
}

#endif
