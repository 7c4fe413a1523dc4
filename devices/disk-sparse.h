/* disk-sparse.h - the xhyve-sparse format's in-memory state, shared by its I/O and open code. */
#ifndef HYVE_DISK_SPARSE_H
#define HYVE_DISK_SPARSE_H

#include "devices/disk-internal.h"

#define SPARSE_FREE		0xFFFFFFFFu	/* LUT entry: unallocated */
#define SPARSE_LUT_PAGE		1024u	/* entries per LUT page (4 KiB) */
#define SPARSE_MAX_SECTORS	(1ull << 28)	/* a 1 GiB LUT in memory */

/* A set of slot numbers. */
struct slot_list {
	uint32_t *v;
	size_t n, cap;
};

struct sparse_seg {
	struct disk_file f;
	uint32_t next_slot;	/* first slot never used: the end of file */
	struct slot_list free;	/* reusable now; sorted, smallest last */
	struct slot_list pending; /* unlinked, but not durably yet */
	bool dirty;		/* data written since the last commit */
};

struct sparse_disk {
	struct disk d;
	struct disk_file lut_file;
	uint32_t *lut;		/* the LUT, host order */
	uint64_t sectors;
	uint64_t sectors_per_seg;
	unsigned nsegs;
	struct sparse_seg *seg;
	uint8_t *lut_dirty;	/* one flag per LUT page */
	size_t lut_pages;
	uint64_t mapped;	/* allocated sectors (atomic) */
	pthread_mutex_t meta;	/* lut, lut_dirty, slot lists, next_slot */
	pthread_rwlock_t reuse;	/* shared by slot readers; freeing waits */
	pthread_mutex_t partial; /* read-modify-write of partial sectors */
	pthread_mutex_t commit;	/* one commit at a time */
};

int slot_push(struct slot_list *l, uint32_t slot);
void slot_list_free(struct slot_list *l);

/* disk-sparse.c */
extern const struct disk_ops sparse_ops;
void sparse_free(struct sparse_disk *s);

#endif
