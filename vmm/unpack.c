/* unpack.c - unpacks an LZ4 bzImage's vmlinux inside hyve and loads its segments where they run, skipping the in-guest decompressor. */
#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/lz4.h"
#include "vmm/unpack.h"

#define UNPACK_MAX_SEGMENTS	16
#define UNPACK_MAX_BLOCKS	128	/* 1 GiB of vmlinux */
#define UNPACK_CHUNK		(64u << 10)	/* compressed bytes per read */
#define UNPACK_HEAD		4096	/* of the vmlinux: ELF + program headers */

/* One block of the LZ4 frame: 8 MiB of the vmlinux. */
struct unpack_block {
	uint64_t in_off;	/* file offset of its compressed bytes */
	uint32_t in_len;
	uint64_t pos;		/* where its bytes start in the vmlinux */
	uint64_t need;		/* how many of them the segments load */
	uint64_t dst_gpa;	/* where they unpack in place, or 0 */
};

struct unpack {
	const struct guest_memory *mem;
	int fd;
	uint64_t frame_off;		/* file offset of the LZ4 frame */
	uint8_t *block;			/* scratch for one unpacked block */
	uint64_t block_gpa;		/* ... its guest address */
	uint64_t block_used;		/* bytes of scratch written */
	unsigned blocks;
	struct unpack_block blk[UNPACK_MAX_BLOCKS];
	unsigned direct[UNPACK_MAX_BLOCKS], directs;	/* see unpack_blocks */
	unsigned mixed[UNPACK_MAX_BLOCKS], mixeds;
	_Atomic unsigned next_direct;
	uint64_t out_size;		/* bytes of the whole vmlinux */
	unsigned segments;
	Elf64_Phdr seg[UNPACK_MAX_SEGMENTS];
	uint64_t entry, end;
	char *why;
	size_t whylen;
};

static int unpack_fail(struct unpack *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int unpack_fail(struct unpack *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->why, u->whylen, fmt, ap);
	va_end(ap);
	return -ENOTSUP;
}

/* Whether the spans [a, a + alen) and [b, b + blen) share a byte. */
static bool spans_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Two segments whose file bytes or whose places in RAM overlap. */
static bool unpack_overlap(const Elf64_Phdr *a, const Elf64_Phdr *b)
{
	return spans_meet(a->p_offset, a->p_filesz, b->p_offset, b->p_filesz) ||
	       spans_meet(a->p_paddr, a->p_memsz, b->p_paddr, b->p_memsz);
}

/* Checks the ELF header and keeps the PT_LOAD segments (len bytes of head). */
static int unpack_elf(struct unpack *u, const uint8_t *img, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	bool entry_ok = false;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return unpack_fail(u, "payload is not an x86-64 vmlinux");
	if (eh->e_phnum == 0 || eh->e_phoff > len ||
	    eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr))
		return unpack_fail(u, "vmlinux program headers out of place");
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (u->segments == UNPACK_MAX_SEGMENTS)
			return unpack_fail(u, "vmlinux has too many segments");
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > u->out_size ||
		    ph.p_filesz > u->out_size - ph.p_offset ||
		    ph.p_paddr < LAYOUT_HIGH_MEM ||
		    ph.p_memsz > u->block_gpa ||
		    ph.p_paddr > u->block_gpa - ph.p_memsz)
			return unpack_fail(u, "vmlinux segment %u does not fit "
					   "below %#llx", i,
					   (unsigned long long)u->block_gpa);
		for (unsigned k = 0; k < u->segments; k++)
			if (unpack_overlap(&ph, &u->seg[k]))
				return unpack_fail(u, "vmlinux segments "
						   "overlap");
		if (eh->e_entry >= ph.p_paddr &&
		    eh->e_entry - ph.p_paddr < ph.p_filesz)
			entry_ok = true;
		u->end = MAX(u->end, ph.p_paddr + ph.p_memsz);
		u->seg[u->segments++] = ph;
	}
	if (!entry_ok)
		return unpack_fail(u, "vmlinux entry point is in no segment");
	u->entry = eh->e_entry;
	return 0;
}

/*
 * The vmlinux bytes [from, to) split at segment boundaries: returns where
 * the piece that starts at from ends, and in *seg the segment that loads
 * it, or NULL for bytes no segment loads (headers, gaps, symbols).
 */
static uint64_t unpack_piece(const struct unpack *u, uint64_t from,
			     uint64_t to, const Elf64_Phdr **seg)
{
	uint64_t end = to;

	*seg = NULL;
	for (unsigned i = 0; i < u->segments; i++) {
		const Elf64_Phdr *ph = &u->seg[i];

		if (from >= ph->p_offset && from - ph->p_offset < ph->p_filesz) {
			*seg = ph;
			return MIN(to, ph->p_offset + ph->p_filesz);
		}
		if (ph->p_offset > from)
			end = MIN(end, ph->p_offset);
	}
	return end;
}

/* Copies n unpacked bytes at vmlinux position pos to their segments. */
static int unpack_place(const struct unpack *u, const uint8_t *buf, size_t n,
			uint64_t pos)
{
	for (unsigned i = 0; i < u->segments; i++) {
		const Elf64_Phdr *ph = &u->seg[i];
		uint64_t lo = MAX(pos, ph->p_offset);
		uint64_t hi = MIN(pos + (uint64_t)n, ph->p_offset + ph->p_filesz);
		uint8_t *dst;

		if (lo >= hi)
			continue;
		dst = memory_gpa(u->mem, ph->p_paddr + (lo - ph->p_offset),
				 hi - lo);
		if (!dst)
			return -1;
		memcpy(dst, buf + (lo - pos), hi - lo);
	}
	return 0;
}

/* Every block of a legacy frame but the last unpacks to a full block. */
static uint64_t unpack_block_size(const struct unpack *u, uint64_t pos)
{
	return MIN((uint64_t)LZ4_LEGACY_BLOCK_MAX, u->out_size - pos);
}

/* lz4_read32_fn on the frame in the kernel file. */
static int unpack_read32(void *ctx, uint64_t pos, uint32_t *v)
{
	const struct unpack *u = ctx;
	uint8_t b[4];

	if (pread_full(u->fd, b, 4, (off_t)(u->frame_off + pos)))
		return -1;
	*v = get_le32(b);
	return 0;
}

/* lz4_emit_fn: notes where a block is, to unpack it later. */
static ssize_t unpack_note_block(void *ctx, uint64_t in_pos, size_t len,
				 uint64_t pos)
{
	struct unpack *u = ctx;
	struct unpack_block *b;

	if (u->blocks == UNPACK_MAX_BLOCKS || len > UINT32_MAX)
		return -1;
	b = &u->blk[u->blocks++];
	b->in_off = u->frame_off + in_pos;
	b->in_len = (uint32_t)len;
	b->pos = pos;
	return (ssize_t)unpack_block_size(u, pos);
}

/* The compressed bytes of a block, read from the file a chunk at a time. */
struct unpack_source {
	struct lz4_source src;	/* first: more() is handed this */
	int fd;
	uint64_t off, left;	/* what is not read yet */
	uint8_t *buf;		/* UNPACK_CHUNK bytes */
};

static int unpack_more(struct lz4_source *src)
{
	struct unpack_source *s = (struct unpack_source *)src;
	size_t n = (size_t)MIN(s->left, UNPACK_CHUNK);

	if (n == 0 || pread_full(s->fd, s->buf, n, (off_t)s->off))
		return -1;
	s->src.p = s->buf;
	s->src.end = s->buf + n;
	s->off += n;
	s->left -= n;
	return 0;
}

/* Unpacks the first n bytes of block b into out, reading through buf: 0, or
 * -1 when the block is corrupt, shorter or cannot be read. */
static int unpack_decode(const struct unpack *u, const struct unpack_block *b,
			 uint8_t *buf, uint8_t *out, uint64_t n)
{
	struct unpack_source s = { { NULL, NULL, unpack_more }, u->fd,
				   b->in_off, b->in_len, buf };

	return lz4_decode(&s.src, out, n, true) == (ssize_t)n ? 0 : -1;
}

/*
 * Where block b can unpack in place: at one guest address when every
 * segment it holds has the same offset-to-address delta, the bytes no
 * segment loads (a header, a gap) then landing in free RAM above 1 MiB
 * and below the scratch block, where no segment goes; they are zeroed
 * afterwards. 0 when it cannot (it goes through the scratch block).
 */
static uint64_t unpack_in_place(const struct unpack *u,
				const struct unpack_block *b)
{
	uint64_t to = b->pos + b->need, dst = 0, x, end;
	const Elf64_Phdr *first = NULL, *s;

	for (x = b->pos; x < to; x = end) {
		end = unpack_piece(u, x, to, &s);
		if (!s)
			continue;
		if (!first)
			first = s;
		else if (s->p_paddr - s->p_offset !=
			 first->p_paddr - first->p_offset)
			return 0;
	}
	if (!first)
		return 0;
	if (first->p_offset <= b->pos)
		dst = first->p_paddr + (b->pos - first->p_offset);
	else if (first->p_offset - b->pos <= first->p_paddr - LAYOUT_HIGH_MEM)
		dst = first->p_paddr - (first->p_offset - b->pos);
	else
		return 0;
	if (dst > u->block_gpa || b->need > u->block_gpa - dst)
		return 0;
	for (x = b->pos; x < to; x = end) {
		end = unpack_piece(u, x, to, &s);
		for (unsigned i = 0; !s && i < u->segments; i++)
			if (spans_meet(dst + (x - b->pos), end - x,
				       u->seg[i].p_paddr, u->seg[i].p_filesz))
				return 0;
	}
	return dst;
}

/* Zeroes what unpacking block b in place wrote where no segment goes. */
static void unpack_clear_junk(const struct unpack *u,
			      const struct unpack_block *b)
{
	uint64_t to = b->pos + b->need, x, end;
	const Elf64_Phdr *s;

	for (x = b->pos; x < to; x = end) {
		uint8_t *p;

		end = unpack_piece(u, x, to, &s);
		p = s ? NULL : memory_gpa(u->mem, b->dst_gpa + (x - b->pos),
					  end - x);
		if (p)
			memset(p, 0, end - x);
	}
}

/*
 * Unpacks block i and places it: in place when it can (most of a kernel:
 * no copy, and no scratch page touched), else into the scratch buf and
 * copied piece by piece; 0 or -1. in is the worker's read buffer.
 */
static int unpack_one(const struct unpack *u, unsigned i, uint8_t *in,
		      uint8_t *scratch)
{
	const struct unpack_block *b = &u->blk[i];
	uint8_t *dst;

	if (b->dst_gpa) {
		dst = memory_gpa(u->mem, b->dst_gpa, b->need);
		return dst ? unpack_decode(u, b, in, dst, b->need) : -1;
	}
	if (unpack_decode(u, b, in, scratch, b->need))
		return -1;
	return unpack_place(u, scratch, b->need, b->pos);
}

struct unpack_worker {
	struct unpack *u;
	uint8_t *in;		/* UNPACK_CHUNK bytes to read through */
	uint8_t *scratch;	/* the scratch block, or NULL */
	int rc;
};

/*
 * A worker with the scratch block first unpacks the blocks that need it;
 * then every worker takes in-place blocks until none is left.
 */
static void *unpack_worker(void *arg)
{
	struct unpack_worker *w = arg;
	struct unpack *u = w->u;
	unsigned k;

	for (k = 0; w->scratch && k < u->mixeds && !w->rc; k++)
		w->rc = unpack_one(u, u->mixed[k], w->in, w->scratch);
	while (!w->rc && (k = atomic_fetch_add(&u->next_direct, 1)) <
			 u->directs)
		w->rc = unpack_one(u, u->direct[k], w->in, NULL);
	return NULL;
}

/*
 * Sorts the blocks: those without a segment byte are skipped, the others
 * unpack in place or through the scratch block, and only as far as their
 * last segment byte.
 */
static void unpack_plan(struct unpack *u)
{
	for (unsigned i = 0; i < u->blocks; i++) {
		struct unpack_block *b = &u->blk[i];
		uint64_t to = b->pos + unpack_block_size(u, b->pos);

		for (unsigned k = 0; k < u->segments; k++) {
			const Elf64_Phdr *ph = &u->seg[k];
			uint64_t hi = MIN(to, ph->p_offset + ph->p_filesz);

			if (ph->p_filesz && ph->p_offset < to && hi > b->pos)
				b->need = MAX(b->need, hi - b->pos);
		}
		if (b->need == 0)
			continue;
		b->dst_gpa = unpack_in_place(u, b);
		if (b->dst_gpa) {
			u->direct[u->directs++] = i;
		} else {
			u->mixed[u->mixeds++] = i;
			u->block_used = MAX(u->block_used, b->need);
		}
	}
}

/*
 * Unpacks the blocks: LZ4 blocks of a legacy frame are independent, so two
 * threads share them. Only blocks that cannot unpack in place need the
 * scratch block, and they all go to the thread that has it, so a single
 * scratch block is ever touched. in holds two read buffers.
 */
static int unpack_blocks(struct unpack *u, uint8_t *in)
{
	struct unpack_worker with = { u, in, u->block, 0 };
	struct unpack_worker without = { u, in + UNPACK_CHUNK, NULL, 0 };
	pthread_t t;

	unpack_plan(u);
	if (u->directs > 1 && thread_start(&t, unpack_worker, &without) == 0) {
		unpack_worker(&with);
		pthread_join(t, NULL);
	} else {
		unpack_worker(&with);
	}
	for (unsigned k = 0; k < u->directs; k++)
		unpack_clear_junk(u, &u->blk[u->direct[k]]);
	memset(u->block, 0, u->block_used);
	return with.rc || without.rc ? -1 : 0;
}

/*
 * Finds the blocks of the frame at payload (len bytes of the file, the
 * unpacked size last) and reads the ELF headers at the start of block 0.
 */
static int unpack_frame(struct unpack *u, uint64_t len, uint8_t *in)
{
	uint8_t head[UNPACK_HEAD], b[4];
	int64_t got;

	if (pread_full(u->fd, b, 4, (off_t)(u->frame_off + len - 4)))
		return unpack_fail(u, "cannot read the payload");
	u->out_size = get_le32(b);
	got = lz4_legacy_walk(len - 4, u->out_size, unpack_read32, u,
			      unpack_note_block, u);
	if (got < 0 || (uint64_t)got != u->out_size || u->blocks == 0)
		return unpack_fail(u, "LZ4 payload is corrupt");
	if (unpack_decode(u, &u->blk[0], in, head,
			  MIN(sizeof(head), u->out_size)))
		return unpack_fail(u, "LZ4 payload is corrupt");
	return unpack_elf(u, head, MIN(sizeof(head), u->out_size));
}

int unpack_kernel(const struct guest_memory *mem, int fd,
		  const uint8_t *head, const struct bzimage_info *bz,
		  struct unpacked_kernel *out, char *why, size_t whylen)
{
	struct unpack u = { .mem = mem, .fd = fd, .why = why,
			    .whylen = whylen };
	uint32_t off = get_le32(head + BZ_PAYLOAD_OFFSET);
	uint32_t len = get_le32(head + BZ_PAYLOAD_LENGTH);
	uint8_t magic[4], *in;
	int rc;

	if (len < 8 || off > bz->kernel_size || len > bz->kernel_size - off)
		return unpack_fail(&u, "no payload in the setup header"),
		       -ENOENT;
	u.frame_off = (uint64_t)bz->setup_size + off;
	if (pread_full(fd, magic, 4, (off_t)u.frame_off) ||
	    get_le32(magic) != LZ4_LEGACY_MAGIC)
		return unpack_fail(&u, "payload is not LZ4"), -ENOENT;
	if (mem->low < LZ4_LEGACY_BLOCK_MAX + (64ULL << 20))
		return unpack_fail(&u, "too little memory to unpack in");
	u.block_gpa = ALIGN_DOWN(mem->low - LZ4_LEGACY_BLOCK_MAX, 4096);
	u.block = memory_gpa(mem, u.block_gpa, LZ4_LEGACY_BLOCK_MAX);
	in = malloc(2 * UNPACK_CHUNK);
	if (!u.block || !in) {
		free(in);
		return unpack_fail(&u, "no room to unpack in");
	}
	rc = unpack_frame(&u, len, in);
	if (rc == 0 && unpack_blocks(&u, in))
		rc = unpack_fail(&u, "LZ4 payload is corrupt or unreadable");
	free(in);
	if (rc)
		return rc;
	for (unsigned i = 0; i < u.segments; i++) {
		const Elf64_Phdr *ph = &u.seg[i];

		if (ph->p_memsz > ph->p_filesz)
			memory_zero(mem, ph->p_paddr + ph->p_filesz,
				    ph->p_memsz - ph->p_filesz);
	}
	out->entry = u.entry;
	out->end = u.end;
	return 0;
}
