/* virtqueue.c - split virtqueue (virtio 1.2 section 2.7): chain parsing with every guest value checked, used ring, notification suppression. */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "vmm/compat.h"

/*
 * The guest writes the rings while we read them. Every value is loaded
 * once into a local, checked there and never loaded again. Ring indices
 * and flags are naturally aligned (vq_enable checks), so they go through
 * atomic loads and stores with the orderings the spec asks for;
 * descriptors are copied whole into a local behind a compiler barrier.
 */

static inline uint16_t
ring_load(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline uint16_t
ring_load_acquire(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

static inline void
ring_store(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

static inline void
ring_store_release(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELEASE);
}

/* A descriptor as we saw it, in host order. */
struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static void
desc_read(const void *p, struct desc_copy *d)
{
	struct virtq_desc raw;

	memcpy(&raw, p, sizeof(raw));
	/* From here on only the copy counts, whatever the guest does. */
	__asm__ __volatile__("" ::: "memory");
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

void *
guest_mem_map(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	/* [gpa, gpa + len) must be non-empty and end at or below 2^64. */
	if (len == 0 || gpa > UINT64_MAX - (len - 1))
		return NULL;
	return mem->map(mem->ctx, gpa, len);
}

/* ---- Errors ---- */

int
vq_fail(struct vq *vq, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (vq->broken)
		return -EIO;	/* the first reason is the one that matters */
	n = str_copy(vq->err, vq->name, sizeof(vq->err) - 2);
	n = MIN(n, sizeof(vq->err) - 3);
	memcpy(vq->err + n, ": ", 3);
	va_start(ap, fmt);
	vsnprintf(vq->err + n + 2, sizeof(vq->err) - n - 2, fmt, ap);
	va_end(ap);
	vq->broken = true;
	return -EIO;
}

/* ---- Set-up ---- */

static bool
inflight_test(const struct vq *vq, uint16_t head)
{
	return vq->inflight[head / 64] & (1ull << (head % 64));
}

static void
inflight_flip(struct vq *vq, uint16_t head)
{
	vq->inflight[head / 64] ^= 1ull << (head % 64);
}

void
vq_init(struct vq *vq, const char *name, const struct guest_mem *mem)
{
	memset(vq, 0, sizeof(*vq));
	str_copy(vq->name, name, sizeof(vq->name));
	vq->mem = *mem;
	vq->notify_enabled = true;
}

void
vq_reset(struct vq *vq)
{
	char name[VQ_NAME_MAX];
	struct guest_mem mem = vq->mem;

	memcpy(name, vq->name, sizeof(name));
	vq_init(vq, name, &mem);
}

/* Maps one ring area of len bytes at gpa, aligned to align; NULL: broken. */
static void *
vq_map_area(struct vq *vq, const char *what, uint64_t gpa, uint64_t len,
	    unsigned align)
{
	void *p;

	if (gpa % align) {
		vq_fail(vq, "%s address %#llx is not %u-byte aligned", what,
			(unsigned long long)gpa, align);
		return NULL;
	}
	p = guest_mem_map(&vq->mem, gpa, len);
	if (!p) {
		vq_fail(vq, "%s [%#llx, +%#llx) is not inside guest RAM", what,
			(unsigned long long)gpa, (unsigned long long)len);
		return NULL;
	}
	if ((uintptr_t)p % align) {
		vq_fail(vq, "%s is misaligned in host memory", what);
		return NULL;
	}
	return p;
}

int
vq_enable(struct vq *vq, const struct vq_config *cfg)
{
	uint32_t n = cfg->size;

	vq_reset(vq);
	if (n == 0)
		return 0;
	if (n > VIRTQ_SIZE_MAX || (n & (n - 1))) {
		vq_fail(vq, "queue size %u is not a power of 2 up to %u", n,
			VIRTQ_SIZE_MAX);
		return -EINVAL;
	}
	vq->cfg = *cfg;
	vq->desc = vq_map_area(vq, "descriptor table", cfg->desc_gpa,
			       VIRTQ_DESC_BYTES(n), VIRTQ_DESC_ALIGN);
	if (!vq->desc)
		return -EINVAL;
	vq->avail = vq_map_area(vq, "available ring", cfg->avail_gpa,
				VIRTQ_AVAIL_BYTES(n), VIRTQ_AVAIL_ALIGN);
	if (!vq->avail)
		return -EINVAL;
	vq->used = vq_map_area(vq, "used ring", cfg->used_gpa,
			       VIRTQ_USED_BYTES(n), VIRTQ_USED_ALIGN);
	if (!vq->used)
		return -EINVAL;
	vq->used_event = &vq->avail->ring[n];
	vq->avail_event = (uint16_t *)&vq->used->ring[n];
	vq->enabled = true;
	return 0;
}

/* ---- Popping a chain ---- */

void
vq_chain_free(struct vq_chain *c)
{
	free(c->iov);
	memset(c, 0, sizeof(*c));
}

/* Room for one more iovec; a chain never needs more than the queue size. */
static int
chain_reserve(struct vq_chain *c, unsigned limit)
{
	unsigned cap;
	struct iovec *iov;

	if (c->nr_rd + c->nr_wr < c->cap)
		return 0;
	cap = c->cap ? MIN(c->cap * 2, limit) : MIN(16u, limit);
	iov = realloc(c->iov, cap * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	c->iov = iov;
	c->cap = cap;
	return 0;
}

/* Adds one buffer descriptor (where: for messages) to the chain. */
static int
chain_add(struct vq *vq, struct vq_chain *c, const struct desc_copy *d,
	  const char *where, uint32_t idx)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	void *p;

	if (!writable && c->nr_wr)
		return vq_fail(vq, "head %u: %s descriptor %u is "
			       "device-readable after a device-writable one",
			       c->head, where, idx);
	if (d->len == 0)
		return 0;
	p = guest_mem_map(&vq->mem, d->addr, d->len);
	if (!p)
		return vq_fail(vq, "head %u: %s descriptor %u buffer "
			       "[%#llx, +%#x) is not inside guest RAM", c->head,
			       where, idx, (unsigned long long)d->addr, d->len);
	if (chain_reserve(c, vq->cfg.size) < 0)
		return -ENOMEM;
	c->iov[c->nr_rd + c->nr_wr] = (struct iovec){ p, d->len };
	if (writable) {
		c->nr_wr++;
		c->wr_len += d->len;
	} else {
		c->nr_rd++;
		c->rd_len += d->len;
	}
	return 0;
}

/* Switches the walk to the indirect table d points to. */
static int
chain_enter_indirect(struct vq *vq, struct vq_chain *c,
		     const struct desc_copy *d, uint32_t idx, bool indirect,
		     const uint8_t **table, uint32_t *table_n)
{
	if (!vq->cfg.indirect_desc)
		return vq_fail(vq, "head %u: descriptor %u is indirect but "
			       "INDIRECT_DESC was not negotiated", c->head,
			       idx);
	/* Tracked by state, not by address: a table may alias the ring's. */
	if (indirect)
		return vq_fail(vq, "head %u: indirect descriptor %u inside an "
			       "indirect table", c->head, idx);
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return vq_fail(vq, "head %u: descriptor %u has both INDIRECT "
			       "and NEXT", c->head, idx);
	if (d->len == 0 || d->len % sizeof(struct virtq_desc))
		return vq_fail(vq, "head %u: indirect table length %u is not a "
			       "non-zero multiple of 16", c->head, d->len);
	*table = guest_mem_map(&vq->mem, d->addr, d->len);
	if (!*table)
		return vq_fail(vq, "head %u: indirect table [%#llx, +%#x) is "
			       "not inside guest RAM", c->head,
			       (unsigned long long)d->addr, d->len);
	*table_n = d->len / sizeof(struct virtq_desc);
	return 0;
}

/*
 * Walks the chain at c->head. Every buffer descriptor counts towards the
 * queue-size limit, in the ring's table or in an indirect one, so a NEXT
 * loop anywhere ends there.
 */
static int
chain_walk(struct vq *vq, struct vq_chain *c)
{
	const uint8_t *table = (const uint8_t *)vq->desc;
	uint32_t table_n = vq->cfg.size, idx = c->head;
	bool indirect = false;
	struct desc_copy d;
	int rc;

	for (;;) {
		const char *where = indirect ? "indirect" : "ring";

		if (idx >= table_n)
			return vq_fail(vq, "head %u: next index %u is beyond "
				       "the %s table of %u", c->head, idx,
				       where, table_n);
		desc_read(table + (size_t)idx * sizeof(struct virtq_desc), &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			rc = chain_enter_indirect(vq, c, &d, idx, indirect,
						  &table, &table_n);
			if (rc < 0)
				return rc;
			indirect = true;
			idx = 0;
			continue;
		}
		if (++c->ndesc > vq->cfg.size)
			return vq_fail(vq, "head %u: chain longer than the "
				       "queue size %u (a loop?)", c->head,
				       vq->cfg.size);
		rc = chain_add(vq, c, &d, where, idx);
		if (rc < 0)
			return rc;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int
vq_pop(struct vq *vq, struct vq_chain *c)
{
	uint32_t n = vq->cfg.size;
	uint16_t avail_idx, pending, head;
	int rc;

	if (vq->broken)
		return -EIO;
	if (!vq->enabled)
		return 0;
	/* Acquire: the ring entries and descriptors are read after idx. */
	avail_idx = ring_load_acquire(&vq->avail->idx);
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > n)
		return vq_fail(vq, "available index moved from %u to %u, more "
			       "than the queue size %u", vq->last_avail,
			       avail_idx, n);
	head = ring_load(&vq->avail->ring[vq->last_avail & (n - 1)]);
	if (head >= n)
		return vq_fail(vq, "available ring entry %u holds head %u, "
			       "beyond the queue size %u", vq->last_avail, head,
			       n);
	if (inflight_test(vq, head))
		return vq_fail(vq, "head %u made available again while the "
			       "device still owns it", head);
	c->head = head;
	c->nr_rd = c->nr_wr = c->ndesc = 0;
	c->rd_len = c->wr_len = 0;
	rc = chain_walk(vq, c);
	if (rc < 0)
		return rc;
	inflight_flip(vq, head);
	vq->inflight_count++;
	vq->last_avail++;
	if (vq->cfg.event_idx && vq->notify_enabled)
		ring_store_release(vq->avail_event, vq->last_avail);
	return 1;
}

bool
vq_has_avail(struct vq *vq)
{
	if (!vq->enabled || vq->broken)
		return false;
	return ring_load_acquire(&vq->avail->idx) != vq->last_avail;
}

/* ---- Returning a chain ---- */

int
vq_push(struct vq *vq, uint16_t head, uint32_t written_len)
{
	struct virtq_used_elem *e;

	if (vq->broken)
		return -EIO;
	if (!vq->enabled || head >= vq->cfg.size || !inflight_test(vq, head))
		return -EINVAL;
	inflight_flip(vq, head);
	vq->inflight_count--;
	e = &vq->used->ring[vq->used_idx & (vq->cfg.size - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(written_len), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	ring_store_release(&vq->used->idx, vq->used_idx);
	return 0;
}

/* ---- Notifications ---- */

bool
vq_need_notify(struct vq *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx, event;

	if (!vq->enabled || vq->broken || old == now)
		return false;
	vq->signalled_used = now;
	/* Our used idx store must be ordered before reading the driver's
	 * wishes, or both sides may decide the other will act. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->cfg.event_idx)
		return !(ring_load(&vq->avail->flags) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	event = ring_load(vq->used_event);
	/* Notify if used_event lies in the entries pushed since last time. */
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

void
vq_suppress_notify(struct vq *vq)
{
	vq->notify_enabled = false;
	if (vq->enabled && !vq->broken && !vq->cfg.event_idx)
		ring_store(&vq->used->flags, VIRTQ_USED_F_NO_NOTIFY);
}

bool
vq_enable_notify(struct vq *vq)
{
	vq->notify_enabled = true;
	if (!vq->enabled || vq->broken)
		return false;
	if (vq->cfg.event_idx)
		ring_store(vq->avail_event, vq->last_avail);
	else
		ring_store(&vq->used->flags, 0);
	/* The request must be visible before we look for late arrivals. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ring_load_acquire(&vq->avail->idx) != vq->last_avail;
}
