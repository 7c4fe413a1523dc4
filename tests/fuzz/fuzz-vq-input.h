/* fuzz-vq-input.h - how the virtio fuzzers turn input bytes into a queue config and a guest RAM image, and play the guest between rounds. */
#ifndef HYVE_FUZZ_VQ_INPUT_H
#define HYVE_FUZZ_VQ_INPUT_H

#include <stdio.h>
#include <stdlib.h>

#include "devices/virtqueue.h"
#include "tests/unit/virtq-fake.h"
#include "vmm/compat.h"

/* A broken invariant: say which and stop the run. */
#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/*
 * Input: an 8-byte header, then the RAM image (region 0 from 0, then
 * region 1). Header: [0] queue size log2 (low 4 bits; bit 4: size 0)
 * [1] bit 0 INDIRECT_DESC, bit 1 EVENT_IDX [2] descriptor table at
 * byte*16 [3] avail ring at 0x1000 + byte*2 [4] used ring at 0x1400 +
 * byte*4 [5] rounds - 1 (low 2 bits) [6] avail idx step between rounds
 * [7] for the device fuzzers. Rings start low so short inputs reach them.
 */
#define FUZZ_HDR	8
#define FUZZ_R0_SIZE	0x10000ull
#define FUZZ_R1_BASE	0x14000ull
#define FUZZ_R1_SIZE	0x4000ull

struct fuzz_vq {
	struct fake_mem m;
	struct guest_mem gm;
	struct vq_config cfg;
	struct vq vq;
	unsigned rounds;
	uint8_t step, extra;
};

static inline int
fuzz_vq_setup(struct fuzz_vq *fz, const uint8_t *data, size_t size)
{
	size_t n0, n1;

	if (size < FUZZ_HDR)
		return -1;
	fake_mem_init_sized(&fz->m, &fz->gm, FUZZ_R0_SIZE, FUZZ_R1_BASE,
			    FUZZ_R1_SIZE);
	memset(&fz->cfg, 0, sizeof(fz->cfg));
	fz->cfg.size = (data[0] & 0x10) ? 0 : 1u << (data[0] & 0x0f);
	fz->cfg.indirect_desc = data[1] & 1;
	fz->cfg.event_idx = data[1] & 2;
	fz->cfg.desc_gpa = data[2] * 16ull;
	fz->cfg.avail_gpa = 0x1000 + data[3] * 2ull;
	fz->cfg.used_gpa = 0x1400 + data[4] * 4ull;
	fz->rounds = 1 + (data[5] & 3);
	fz->step = data[6];
	fz->extra = data[7];
	data += FUZZ_HDR;
	size -= FUZZ_HDR;
	n0 = MIN(size, FUZZ_R0_SIZE);
	memcpy(fz->m.ram[0], data, n0);
	n1 = MIN(size - n0, FUZZ_R1_SIZE);
	memcpy(fz->m.ram[1], data + n0, n1);
	vq_init(&fz->vq, "fuzz q", &fz->gm);
	if (vq_enable(&fz->vq, &fz->cfg) < 0)
		FUZZ_ASSERT(vq_broken(&fz->vq) && vq_error(&fz->vq)[0]);
	return 0;
}

/* The guest between rounds: moves the avail index on by step. */
static inline void
fuzz_vq_guest_step(struct fuzz_vq *fz, unsigned round)
{
	uint8_t *idx = fake_mem_map(&fz->m, fz->cfg.avail_gpa + 2, 2);

	if (idx)
		put_le16(idx, (uint16_t)(get_le16(idx) + fz->step + round));
}

static inline void
fuzz_vq_free(struct fuzz_vq *fz)
{
	fake_mem_free(&fz->m);
}

#endif
