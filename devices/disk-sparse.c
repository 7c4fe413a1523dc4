/* disk-sparse.c - xhyve-sparse images: I/O through the sector lookup table, crash-safe commits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/disk-sparse.h"
#include "vmm/compat.h"

/*
 * The layout (dunkelstern's xhyve, branch sparse-disk-image, block_if.c),
 * PATH being the path of the profile, a base name no file is called:
 *
 *   PATH.lut   one little-endian uint32 per sector of the virtual disk
 *              (sector = sectorsize bytes, 512 or 4096), size/sectorsize
 *              entries. 0xFFFFFFFF: never written, reads as zeros. Any
 *              other value is a slot: the sector's data is at byte
 *              slot * sectorsize of the segment covering the sector.
 *   PATH.0000, PATH.0001, ...  ("%s.%04zu") segment i holds the data of
 *              disk bytes [i * split, (i + 1) * split), i.e. of LUT
 *              entries i * split/sectorsize and on. xhyve appends a slot
 *              at lseek(END) / sectorsize when a sector is first written,
 *              and opens size/split + 1 segments (one extra, empty when
 *              split divides size), creating missing ones.
 *
 * hyve keeps that layout exactly, so each side opens the other's images.
 * Where xhyve had bugs, hyve differs in behaviour only: split absent means
 * split = size (xhyve divided by zero), the LUT's own length gives the size
 * (xhyve took it from the wrong file without split), and a write carries on
 * after an all-zero sector (xhyve dropped the rest of the request).
 *
 * Crash safety - xhyve wrote the LUT entry before the data, and rewrote
 * allocated sectors in place, so a crash could leave garbage. hyve:
 *  - never writes a mapped slot: every write goes to a fresh slot (a freed
 *    one or a new one at the end) and then repoints the in-memory LUT. A
 *    torn write therefore only ever hits a slot nothing on disk points to.
 *  - the LUT file is written only by a commit (a flush, or each write in
 *    writethrough mode): fdatasync the segments written since the last
 *    commit, then write the changed LUT pages, then fdatasync the LUT. So
 *    every entry on disk points at data that is on disk; entries are
 *    4-byte aligned, so a torn page write leaves each entry old or new.
 *  - a slot unlinked by a write or discard (pending) becomes reusable only
 *    after the commit that made its unlinking durable, and only once no
 *    reader that looked it up earlier is still reading it (the reuse
 *    rwlock). It is punched then, giving the space back.
 *  - at open, the LUT is fdatasynced before slots it does not use are
 *    taken as free, so they are not in use by the durable LUT either.
 * After a kill or power loss, a sector written since the last completed
 * flush reads as one of its old or new contents; flushed data is intact.
 * Slots pending for more than a segment's worth of sectors force a commit,
 * so a guest that never flushes cannot grow a segment without bound.
 *
 * `allocated` in disk_usage is mapped sectors * sectorsize (what the guest
 * uses; the files may hold unreclaimed slots on top).
 */

#define PIECE_SECTORS	128u	/* sectors handled per bounce buffer */

int slot_push(struct slot_list *l, uint32_t slot)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = slot;
	return 0;
}

void slot_list_free(struct slot_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct sparse_disk *to_sparse(struct disk *d)
{
	return (struct sparse_disk *)d;
}

static struct sparse_seg *sparse_seg_of(struct sparse_disk *s, uint64_t sector)
{
	return &s->seg[sector / s->sectors_per_seg];
}

/* Reads k sectors from first (one segment, k <= PIECE_SECTORS) into buf. */
static int sparse_read_sectors(struct sparse_disk *s, uint64_t first,
			       unsigned k, uint8_t *buf)
{
	struct sparse_seg *seg = sparse_seg_of(s, first);
	size_t ss = s->d.sector_size;
	uint32_t slot[PIECE_SECTORS];
	int rc = 0;

	pthread_rwlock_rdlock(&s->reuse);
	pthread_mutex_lock(&s->meta);
	memcpy(slot, &s->lut[first], k * sizeof(slot[0]));
	pthread_mutex_unlock(&s->meta);
	for (unsigned i = 0, run; i < k && !rc; i += run) {
		int64_t n;

		run = 1;
		if (slot[i] == SPARSE_FREE) {
			memset(buf + i * ss, 0, ss);
			continue;
		}
		while (i + run < k && slot[i + run] == slot[i] + run)
			run++;
		n = dfile_pread(&seg->f, (uint64_t)slot[i] * ss, buf + i * ss,
				run * ss);
		if (n < 0)
			rc = (int)n;
		else	/* a slot cut short by a crash of xhyve: zeros */
			memset(buf + i * ss + n, 0, run * ss - (size_t)n);
	}
	pthread_rwlock_unlock(&s->reuse);
	return rc;
}

/* The piece of [off, off+len) starting at off: whole-sector bounds too. */
struct sparse_piece {
	uint64_t first;		/* first sector */
	unsigned k;		/* sectors */
	uint64_t len;		/* bytes of the request in this piece */
	size_t skip;		/* off - first sector's start */
};

static struct sparse_piece sparse_piece(const struct sparse_disk *s,
					uint64_t off, uint64_t len)
{
	uint64_t ss = s->d.sector_size;
	uint64_t first = off / ss;
	uint64_t seg_end = (first / s->sectors_per_seg + 1) *
			   s->sectors_per_seg;
	uint64_t end_sector = MIN(seg_end, first + PIECE_SECTORS);
	uint64_t end = MIN(off + len, end_sector * ss);
	struct sparse_piece p = {
		.first = first, .len = end - off, .skip = (size_t)(off % ss),
	};

	p.k = (unsigned)((end + ss - 1) / ss - first);
	return p;
}

/* A request's data and what its pieces learn on the way. */
struct sparse_io {
	const struct iovec *iov;	/* NULL: zeros (writes only) */
	int iovcnt;
	bool crowded;			/* a write made the LUT want a flush */
};

typedef int sparse_piece_step(struct sparse_disk *s, struct sparse_piece p,
			      uint64_t done, uint8_t *buf,
			      struct sparse_io *io);

/*
 * Cuts [off, off+len) into pieces and runs step on each, in order, with
 * a bounce buffer of PIECE_SECTORS sectors, until one fails; done is how
 * far into the request the piece starts.
 */
static int sparse_each_piece(struct sparse_disk *s, uint64_t off,
			     uint64_t len, sparse_piece_step *step,
			     struct sparse_io *io)
{
	uint8_t *buf = dfile_buffer(&s->seg[0].f,
				    PIECE_SECTORS * s->d.sector_size);
	uint64_t done = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len && !rc) {
		struct sparse_piece p = sparse_piece(s, off + done, len - done);

		rc = step(s, p, done, buf, io);
		done += p.len;
	}
	free(buf);
	return rc;
}

static int sparse_read_piece(struct sparse_disk *s, struct sparse_piece p,
			     uint64_t done, uint8_t *buf, struct sparse_io *io)
{
	int rc = sparse_read_sectors(s, p.first, p.k, buf);

	if (!rc)
		buf_to_iov(io->iov, io->iovcnt, done, buf + p.skip, p.len);
	return rc;
}

static int sparse_read(struct disk *d, uint64_t off, const struct iovec *iov,
		       int iovcnt, uint64_t len)
{
	struct sparse_io io = { .iov = iov, .iovcnt = iovcnt };

	return sparse_each_piece(to_sparse(d), off, len, sparse_read_piece,
				 &io);
}

/* Takes k slots of seg: freed ones first (ascending), then new ones. */
static int sparse_alloc(struct sparse_disk *s, struct sparse_seg *seg,
			unsigned k, uint32_t *slot)
{
	int rc = 0;

	pthread_mutex_lock(&s->meta);
	for (unsigned i = 0; i < k; i++) {
		if (seg->free.n) {
			slot[i] = seg->free.v[--seg->free.n];
		} else if (seg->next_slot < SPARSE_FREE - 1) {
			slot[i] = seg->next_slot++;
		} else {	/* 2^32 slots: cannot happen with commits */
			while (i--)
				slot_push(&seg->free, slot[i]);
			rc = -ENOSPC;
			break;
		}
	}
	pthread_mutex_unlock(&s->meta);
	return rc;
}

/* Gives back slots that were never linked (a failed write). */
static void sparse_unalloc(struct sparse_disk *s, struct sparse_seg *seg,
			   unsigned k, const uint32_t *slot)
{
	pthread_mutex_lock(&s->meta);
	for (unsigned i = k; i--;)
		slot_push(&seg->free, slot[i]);	/* on ENOMEM: leaked, harmless */
	pthread_mutex_unlock(&s->meta);
}

/* Points sectors first.. at slot[] (SPARSE_FREE: unmaps); caller holds meta. */
static void sparse_link_locked(struct sparse_disk *s, uint64_t first,
			       uint64_t k, const uint32_t *slot)
{
	for (uint64_t i = 0; i < k; i++) {
		uint64_t sector = first + i;
		struct sparse_seg *seg = sparse_seg_of(s, sector);
		uint32_t old = s->lut[sector];
		uint32_t now = slot ? slot[i] : SPARSE_FREE;

		if (old == now)
			continue;
		s->lut[sector] = now;
		s->lut_dirty[sector / SPARSE_LUT_PAGE] = 1;
		if (old != SPARSE_FREE)
			slot_push(&seg->pending, old);	/* ENOMEM: leaked */
		if (old == SPARSE_FREE)
			__atomic_fetch_add(&s->mapped, 1, __ATOMIC_RELAXED);
		else if (now == SPARSE_FREE)
			__atomic_fetch_sub(&s->mapped, 1, __ATOMIC_RELAXED);
		if (now != SPARSE_FREE)
			seg->dirty = true;
	}
}

/* Links or unlinks; true when a segment holds too many unlinked slots. */
static bool sparse_link(struct sparse_disk *s, uint64_t first, uint64_t k,
			const uint32_t *slot)
{
	bool crowded;

	pthread_mutex_lock(&s->meta);
	sparse_link_locked(s, first, k, slot);
	crowded = sparse_seg_of(s, first)->pending.n > s->sectors_per_seg ||
		  sparse_seg_of(s, first + k - 1)->pending.n >
			  s->sectors_per_seg;
	pthread_mutex_unlock(&s->meta);
	return crowded;
}

/* Writes consecutive runs of slot[] from buf. */
static int sparse_write_slots(struct sparse_disk *s, struct sparse_seg *seg,
			      unsigned k, const uint32_t *slot,
			      const uint8_t *buf)
{
	size_t ss = s->d.sector_size;
	int rc = 0;

	for (unsigned i = 0, run; i < k && !rc; i += run) {
		run = 1;
		while (i + run < k && slot[i + run] == slot[i] + run)
			run++;
		rc = dfile_pwrite(&seg->f, (uint64_t)slot[i] * ss, buf + i * ss,
				  run * ss);
	}
	return rc;
}

/*
 * Writes one piece: merges partial sectors with their current content,
 * writes all k sectors to fresh slots, then repoints the LUT.
 */
static int sparse_write_piece(struct sparse_disk *s, struct sparse_piece p,
			      uint64_t done, uint8_t *buf,
			      struct sparse_io *io)
{
	struct sparse_seg *seg = sparse_seg_of(s, p.first);
	size_t ss = s->d.sector_size;
	bool head = p.skip != 0;
	bool tail = (p.skip + p.len) % ss != 0;
	uint32_t slot[PIECE_SECTORS];
	int rc = 0;

	if (head || tail)
		pthread_mutex_lock(&s->partial);
	if (head)
		rc = sparse_read_sectors(s, p.first, 1, buf);
	if (!rc && tail && (p.k > 1 || !head))
		rc = sparse_read_sectors(s, p.first + p.k - 1, 1,
					 buf + (p.k - 1) * ss);
	if (!rc) {
		if (io->iov)
			iov_to_buf(io->iov, io->iovcnt, done, buf + p.skip,
				   p.len);
		else
			memset(buf + p.skip, 0, p.len);
		rc = sparse_alloc(s, seg, p.k, slot);
	}
	if (!rc) {
		rc = sparse_write_slots(s, seg, p.k, slot, buf);
		if (rc)
			sparse_unalloc(s, seg, p.k, slot);
		else
			io->crowded |= sparse_link(s, p.first, p.k, slot);
	}
	if (head || tail)
		pthread_mutex_unlock(&s->partial);
	return rc;
}

static int sparse_commit(struct sparse_disk *s);

/* After a change: writethrough (or too many unlinked slots) commits now. */
static int sparse_after_change(struct sparse_disk *s, bool crowded)
{
	if (s->d.cache != VM_CACHE_WRITETHROUGH && !crowded)
		return 0;
	if (sparse_commit(s)) {
		/* as good as a failed flush: durability is lost */
		__atomic_store_n(&s->d.flush_failed, 1, __ATOMIC_RELEASE);
		return -EIO;
	}
	return 0;
}

/* Writes len bytes at off from iov (NULL: zeros). */
static int sparse_write_range(struct sparse_disk *s, uint64_t off,
			      const struct iovec *iov, int iovcnt, uint64_t len)
{
	struct sparse_io io = { .iov = iov, .iovcnt = iovcnt };
	int rc = sparse_each_piece(s, off, len, sparse_write_piece, &io);

	return rc ? rc : sparse_after_change(s, io.crowded);
}

static int sparse_write(struct disk *d, uint64_t off, const struct iovec *iov,
			int iovcnt, uint64_t len)
{
	return sparse_write_range(to_sparse(d), off, iov, iovcnt, len);
}

/* Whole sectors are unmapped; partial ones get zeros written. */
static int sparse_zero(struct disk *d, uint64_t off, uint64_t len)
{
	struct sparse_disk *s = to_sparse(d);
	uint64_t ss = d->sector_size;
	uint64_t start = ALIGN_UP(off, ss), end = ALIGN_DOWN(off + len, ss);
	bool crowded = false;
	int rc = 0;

	if (start >= end)	/* inside one sector */
		return sparse_write_range(s, off, NULL, 0, len);
	if (off < start)
		rc = sparse_write_range(s, off, NULL, 0, start - off);
	if (!rc && off + len > end)
		rc = sparse_write_range(s, end, NULL, 0, off + len - end);
	if (rc)
		return rc;
	crowded = sparse_link(s, start / ss, (end - start) / ss, NULL);
	return sparse_after_change(s, crowded);
}

/* Everything one commit writes, taken from the live state under meta. */
struct sparse_snapshot {
	uint8_t *pages;		/* little-endian copies of dirty pages */
	size_t *page_index;
	size_t npages;
	bool *sync_seg;
	struct slot_list *unlinked;	/* per segment */
};

static void snapshot_free(struct sparse_snapshot *snap, unsigned nsegs)
{
	free(snap->pages);
	free(snap->page_index);
	free(snap->sync_seg);
	if (snap->unlinked)
		for (unsigned i = 0; i < nsegs; i++)
			slot_list_free(&snap->unlinked[i]);
	free(snap->unlinked);
}

static int sparse_snapshot(struct sparse_disk *s, struct sparse_snapshot *snap)
{
	size_t n = 0;

	memset(snap, 0, sizeof(*snap));
	pthread_mutex_lock(&s->meta);
	for (size_t p = 0; p < s->lut_pages; p++)
		n += s->lut_dirty[p];
	snap->pages = malloc(MAX(n, (size_t)1) * SPARSE_LUT_PAGE * 4);
	snap->page_index = malloc(MAX(n, (size_t)1) * sizeof(size_t));
	snap->sync_seg = calloc(s->nsegs, sizeof(bool));
	snap->unlinked = calloc(s->nsegs, sizeof(struct slot_list));
	if (!snap->pages || !snap->page_index || !snap->sync_seg ||
	    !snap->unlinked) {
		pthread_mutex_unlock(&s->meta);
		snapshot_free(snap, s->nsegs);
		return -ENOMEM;
	}
	for (size_t p = 0; p < s->lut_pages; p++) {
		uint8_t *out = snap->pages + snap->npages * SPARSE_LUT_PAGE * 4;
		uint64_t base = (uint64_t)p * SPARSE_LUT_PAGE;
		uint64_t count = MIN((uint64_t)SPARSE_LUT_PAGE, s->sectors - base);

		if (!s->lut_dirty[p])
			continue;
		for (uint64_t i = 0; i < count; i++)
			put_le32(out + i * 4, s->lut[base + i]);
		s->lut_dirty[p] = 0;
		snap->page_index[snap->npages++] = p;
	}
	for (unsigned i = 0; i < s->nsegs; i++) {
		snap->sync_seg[i] = s->seg[i].dirty;
		s->seg[i].dirty = false;
		snap->unlinked[i] = s->seg[i].pending;
		memset(&s->seg[i].pending, 0, sizeof(s->seg[i].pending));
	}
	pthread_mutex_unlock(&s->meta);
	return 0;
}

/* A commit failed: what it took goes back, for a later one to retry. */
static void sparse_snapshot_undo(struct sparse_disk *s,
				 struct sparse_snapshot *snap)
{
	pthread_mutex_lock(&s->meta);
	for (size_t i = 0; i < snap->npages; i++)
		s->lut_dirty[snap->page_index[i]] = 1;
	for (unsigned i = 0; i < s->nsegs; i++) {
		s->seg[i].dirty |= snap->sync_seg[i];
		for (size_t j = 0; j < snap->unlinked[i].n; j++)
			slot_push(&s->seg[i].pending, snap->unlinked[i].v[j]);
	}
	pthread_mutex_unlock(&s->meta);
}

static int cmp_slot_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Punches the now unreferenced slots and makes them reusable. */
static void sparse_release(struct sparse_disk *s, struct sparse_snapshot *snap)
{
	uint64_t ss = s->d.sector_size;

	/* wait out readers that looked a slot up before it was unlinked */
	pthread_rwlock_wrlock(&s->reuse);
	pthread_rwlock_unlock(&s->reuse);
	for (unsigned i = 0; i < s->nsegs; i++) {
		struct slot_list *l = &snap->unlinked[i];
		struct sparse_seg *seg = &s->seg[i];

		if (!l->n)
			continue;
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_slot_desc);
		for (size_t j = 0, run; j < l->n; j += run) {
			run = 1;	/* descending: v[j+run] == v[j] - run */
			while (j + run < l->n && l->v[j + run] == l->v[j] - run)
				run++;
			dfile_zero(&seg->f, (uint64_t)l->v[j + run - 1] * ss,
				   run * ss);	/* best effort */
		}
		pthread_mutex_lock(&s->meta);
		for (size_t j = 0; j < l->n; j++)
			slot_push(&seg->free, l->v[j]);
		qsort(seg->free.v, seg->free.n, sizeof(seg->free.v[0]),
		      cmp_slot_desc);
		pthread_mutex_unlock(&s->meta);
	}
}

/* Segments, then LUT pages, then the LUT: see the comment at the top. */
static int sparse_commit(struct sparse_disk *s)
{
	uint64_t lut_bytes = s->sectors * 4;
	struct sparse_snapshot snap;
	int rc;

	pthread_mutex_lock(&s->commit);
	rc = sparse_snapshot(s, &snap);
	if (rc) {
		pthread_mutex_unlock(&s->commit);
		return rc;
	}
	for (unsigned i = 0; i < s->nsegs && !rc; i++)
		if (snap.sync_seg[i])
			rc = dfile_sync(&s->seg[i].f);
	for (size_t i = 0; i < snap.npages && !rc; i++) {
		uint64_t at = (uint64_t)snap.page_index[i] * SPARSE_LUT_PAGE * 4;

		rc = dfile_pwrite(&s->lut_file, at,
				  snap.pages + i * SPARSE_LUT_PAGE * 4,
				  (size_t)MIN((uint64_t)SPARSE_LUT_PAGE * 4,
					      lut_bytes - at));
	}
	if (!rc && snap.npages)
		rc = dfile_sync(&s->lut_file);
	if (rc)
		sparse_snapshot_undo(s, &snap);
	else
		sparse_release(s, &snap);
	snapshot_free(&snap, s->nsegs);
	pthread_mutex_unlock(&s->commit);
	return rc;
}

static int sparse_flush(struct disk *d)
{
	return sparse_commit(to_sparse(d));
}

static uint64_t sparse_allocated(struct disk *d)
{
	return __atomic_load_n(&to_sparse(d)->mapped, __ATOMIC_RELAXED) *
	       d->sector_size;
}

void sparse_free(struct sparse_disk *s)
{
	for (unsigned i = 0; s->seg && i < s->nsegs; i++) {
		dfile_close(&s->seg[i].f);
		slot_list_free(&s->seg[i].free);
		slot_list_free(&s->seg[i].pending);
	}
	dfile_close(&s->lut_file);
	pthread_mutex_destroy(&s->meta);
	pthread_rwlock_destroy(&s->reuse);
	pthread_mutex_destroy(&s->partial);
	pthread_mutex_destroy(&s->commit);
	free(s->seg);
	free(s->lut);
	free(s->lut_dirty);
	free(s);
}

static void sparse_close(struct disk *d)
{
	sparse_free(to_sparse(d));
}

const struct disk_ops sparse_ops = {
	.read = sparse_read,
	.write = sparse_write,
	.zero = sparse_zero,
	.flush = sparse_flush,
	.allocated = sparse_allocated,
	.close = sparse_close,
};
