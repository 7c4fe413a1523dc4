/* fuzz-virtqueue.c - libFuzzer target for the split virtqueue (devices/virtqueue.c): input bytes are the queue config and the guest RAM. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "tests/fuzz/fuzz-vq-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What every popped chain must satisfy. */
static void
check_chain(const struct fuzz_vq *fz, struct vq_chain *c)
{
	uint64_t rd = 0, wr = 0;

	FUZZ_ASSERT(c->head < fz->cfg.size);
	FUZZ_ASSERT(c->ndesc <= fz->cfg.size);
	FUZZ_ASSERT(c->nr_rd + c->nr_wr <= c->ndesc);
	for (unsigned i = 0; i < c->nr_rd + c->nr_wr; i++) {
		FUZZ_ASSERT(c->iov[i].iov_len > 0);
		FUZZ_ASSERT(fake_mem_owns(&fz->m, c->iov[i].iov_base,
					  c->iov[i].iov_len));
		if (i < c->nr_rd)
			rd += c->iov[i].iov_len;
		else
			wr += c->iov[i].iov_len;
	}
	FUZZ_ASSERT(rd == c->rd_len && wr == c->wr_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_vq fz;
	struct vq_chain c = { 0 };
	uint16_t heads[64];
	unsigned nheads = 0;
	int rc;

	if (fuzz_vq_setup(&fz, data, size) < 0)
		return 0;
	for (unsigned round = 0; round < fz.rounds && !vq_broken(&fz.vq);
	     round++) {
		while ((rc = vq_pop(&fz.vq, &c)) == 1) {
			check_chain(&fz, &c);
			/* keep a few in flight across rounds, push the rest */
			if (nheads < ARRAY_SIZE(heads) && (c.head & 1))
				heads[nheads++] = c.head;
			else
				FUZZ_ASSERT(vq_push(&fz.vq, c.head,
						    (uint32_t)c.wr_len) == 0);
		}
		FUZZ_ASSERT(rc == 0 || rc == -EIO);
		if (rc == -EIO) {
			FUZZ_ASSERT(vq_broken(&fz.vq) && vq_error(&fz.vq)[0]);
			FUZZ_ASSERT(vq_pop(&fz.vq, &c) == -EIO);
			FUZZ_ASSERT(!vq_need_notify(&fz.vq));
		}
		(void)vq_need_notify(&fz.vq);
		if (round & 1)
			vq_suppress_notify(&fz.vq);
		else
			(void)vq_enable_notify(&fz.vq);
		while (nheads && !vq_broken(&fz.vq))
			FUZZ_ASSERT(vq_push(&fz.vq, heads[--nheads], 0) == 0);
		fuzz_vq_guest_step(&fz, round);
	}
	vq_chain_free(&c);
	fuzz_vq_free(&fz);
	return 0;
}
