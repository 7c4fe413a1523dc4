/* fuzz-virtio-blk.c - libFuzzer target for virtio-blk request handling (devices/virtio-blk-req.c) over the virtqueue, against an in-memory disk. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio-blk-req.h"
#include "tests/fuzz/fuzz-vq-input.h"
#include "tests/unit/blk-memdisk.h"

#define DISK_BYTES	(32 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Header byte 7 picks the disk: bit 0 read-only, bit 1 4096-byte sectors,
 * bit 2 no flush op, bit 3 no discard / write-zeroes ops.
 */
static void
setup_engine(struct blk_engine *e, struct memdisk *d, uint8_t bits,
	     uint32_t qsize)
{
	struct blk_backend be;
	unsigned ss = (bits & 2) ? 4096 : 512;

	memdisk_init(d, DISK_BYTES, ss, &be);
	if (bits & 4)
		be.flush = NULL;
	if (bits & 8) {
		be.discard = NULL;
		be.write_zeroes = NULL;
	}
	FUZZ_ASSERT(blk_engine_init(e, &be, DISK_BYTES, ss, bits & 1,
				    "fuzz-serial", MAX(qsize, 3)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[DISK_BYTES];
	struct fuzz_vq fz;
	struct vq_chain c = { 0 };
	struct memdisk disk;
	struct blk_engine e;
	struct blk_req r;
	int rc;

	if (fuzz_vq_setup(&fz, data, size) < 0)
		return 0;
	setup_engine(&e, &disk, fz.extra, fz.cfg.size);
	memcpy(before, disk.data, DISK_BYTES);
	for (unsigned round = 0; round < fz.rounds && !vq_broken(&fz.vq);
	     round++) {
		while ((rc = vq_pop(&fz.vq, &c)) == 1) {
			uint32_t used;
			uint8_t st;

			if (blk_req_parse(&e, &fz.vq, &c, &r) < 0) {
				FUZZ_ASSERT(c.wr_len == 0 && vq_broken(&fz.vq));
				break;
			}
			st = blk_req_execute(&e, &r);
			FUZZ_ASSERT(st <= VIRTIO_BLK_S_UNSUPP);
			used = blk_req_complete(&r, st);
			FUZZ_ASSERT(used >= 1 && used <= c.wr_len);
			FUZZ_ASSERT(st == VIRTIO_BLK_S_OK || used == 1);
			FUZZ_ASSERT(vq_push(&fz.vq, r.head, used) == 0);
		}
		FUZZ_ASSERT(rc == 0 || rc == 1 || rc == -EIO);
		fuzz_vq_guest_step(&fz, round);
	}
	/* the engine never hands the disk a bad range ... */
	FUZZ_ASSERT(!disk.bad_call);
	/* ... and never writes a read-only one */
	if (e.readonly)
		FUZZ_ASSERT(memcmp(before, disk.data, DISK_BYTES) == 0 &&
			    disk.writes + disk.discards + disk.zeroes == 0);
	free(disk.data);
	vq_chain_free(&c);
	fuzz_vq_free(&fz);
	return 0;
}
