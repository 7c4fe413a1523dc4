/* lz4-pieces.h - test helper: an lz4_source that hands out a block in memory a few bytes at a time, as unpack reads a kernel file a chunk at a time. */
#ifndef HYVE_LZ4_PIECES_H
#define HYVE_LZ4_PIECES_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/compat.h"
#include "vmm/lz4.h"

struct lz4_pieces {
	struct lz4_source src;	/* first: more() is handed this */
	const uint8_t *next, *end;
	size_t step;
};

static inline int lz4_pieces_more(struct lz4_source *src)
{
	struct lz4_pieces *p = (struct lz4_pieces *)src;
	size_t n = MIN(p->step, (size_t)(p->end - p->next));

	if (n == 0)
		return -1;
	p->src.p = p->next;
	p->src.end = p->next + n;
	p->next += n;
	return 0;
}

/* Sets p up to hand out block[0..len) step bytes at a time. */
static inline struct lz4_source *lz4_pieces_init(struct lz4_pieces *p,
						 const uint8_t *block,
						 size_t len, size_t step)
{
	*p = (struct lz4_pieces){ { NULL, NULL, lz4_pieces_more },
				  block, block + len, step };
	return &p->src;
}

#endif
