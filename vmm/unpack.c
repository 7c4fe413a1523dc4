/* unpack.c - unpacks an LZ4 bzImage's vmlinux inside hyve and loads its segments where they run, skipping the in-guest decompressor. */
#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/lz4.h"
#include "vmm/unpack.h"

#define UNPACK_MAX_SEGMENTS 16

#define UNPACK_MAX_BLOCKS 128	/* 1 GiB of vmlinux */

struct unpack {
	const struct guest_memory *mem;
	uint8_t *block;			/* scratch for one unpacked block */
	uint64_t block_gpa;		/* ... and its guest address */
	unsigned blocks;		/* the frame's blocks, in order */
	const uint8_t *block_in[UNPACK_MAX_BLOCKS];
	size_t block_len[UNPACK_MAX_BLOCKS];
	uint8_t *dst[UNPACK_MAX_BLOCKS];	/* direct target, or NULL */
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

/* Checks the ELF header and keeps the PT_LOAD segments (first block). */
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

/* Copies n unpacked bytes at stream position pos to their segments. */
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

/* lz4_emit_fn: notes where a block is, for the decoders below. */
static ssize_t unpack_note_block(void *ctx, const uint8_t *in, size_t len,
				 uint64_t pos)
{
	struct unpack *u = ctx;

	if (u->blocks == UNPACK_MAX_BLOCKS)
		return -1;
	u->block_in[u->blocks] = in;
	u->block_len[u->blocks++] = len;
	return (ssize_t)unpack_block_size(u, pos);
}

/*
 * Where in guest RAM the size bytes at stream position pos go when they all
 * lie inside one segment, else NULL (they straddle segments or gaps).
 */
static uint8_t *unpack_direct(const struct unpack *u, uint64_t pos,
			      uint64_t size)
{
	for (unsigned i = 0; i < u->segments; i++) {
		const Elf64_Phdr *ph = &u->seg[i];

		if (pos >= ph->p_offset && size <= ph->p_filesz &&
		    pos - ph->p_offset <= ph->p_filesz - size)
			return memory_gpa(u->mem,
					  ph->p_paddr + (pos - ph->p_offset),
					  size);
	}
	return NULL;
}

/*
 * Unpacks block i and places it: straight into guest RAM when the block
 * lies inside one segment (most of a kernel: no copy, and no scratch page
 * touched), else into the scratch buf and copied piece by piece; 0 or -1.
 */
static int unpack_one(const struct unpack *u, unsigned i, uint8_t *buf)
{
	uint64_t pos = (uint64_t)i * LZ4_LEGACY_BLOCK_MAX;
	uint64_t size = unpack_block_size(u, pos);
	uint8_t *dst = u->dst[i];
	ssize_t n = lz4_block_decode(u->block_in[i], u->block_len[i],
				     dst ? dst : buf,
				     dst ? size : LZ4_LEGACY_BLOCK_MAX);

	if (n <= 0 || (uint64_t)n != size)
		return -1;
	return dst ? 0 : unpack_place(u, buf, (size_t)n, pos);
}

struct unpack_worker {
	struct unpack *u;
	uint8_t *buf;		/* the scratch block, or NULL */
	int rc;
};

/*
 * A worker with the scratch block first unpacks the blocks that need it;
 * then every worker takes direct blocks until none is left.
 */
static void *unpack_worker(void *arg)
{
	struct unpack_worker *w = arg;
	struct unpack *u = w->u;
	unsigned k;

	for (k = 0; w->buf && k < u->mixeds && !w->rc; k++)
		w->rc = unpack_one(u, u->mixed[k], w->buf);
	while (!w->rc && (k = atomic_fetch_add(&u->next_direct, 1)) <
			 u->directs)
		w->rc = unpack_one(u, u->direct[k], NULL);
	return NULL;
}

/*
 * Unpacks blocks 1.. (block 0, the ELF header, is done): LZ4 blocks of a
 * legacy frame are independent, so two threads share them. Only blocks
 * that straddle segments need the scratch block, and they all go to the
 * thread that has it, so a single scratch block is ever touched.
 */
static int unpack_blocks(struct unpack *u)
{
	struct unpack_worker with = { u, u->block, 0 };
	struct unpack_worker without = { u, NULL, 0 };
	pthread_t t;

	for (unsigned i = 1; i < u->blocks; i++) {
		uint64_t pos = (uint64_t)i * LZ4_LEGACY_BLOCK_MAX;

		u->dst[i] = unpack_direct(u, pos, unpack_block_size(u, pos));
		if (u->dst[i])
			u->direct[u->directs++] = i;
		else
			u->mixed[u->mixeds++] = i;
	}
	if (u->directs > 1 && thread_start(&t, unpack_worker, &without) == 0) {
		unpack_worker(&with);
		pthread_join(t, NULL);
	} else {
		unpack_worker(&with);
	}
	return with.rc || without.rc ? -1 : 0;
}

/* Block 0 holds the ELF header: it says where everything goes. */
static int unpack_first(struct unpack *u, ssize_t n)
{
	if (n <= 0 || (uint64_t)n != unpack_block_size(u, 0) ||
	    unpack_elf(u, u->block, (size_t)n) ||
	    unpack_place(u, u->block, (size_t)n, 0))
		return -1;
	return 0;
}

struct unpack_reader {
	int fd;
	uint8_t *dst;
	size_t len;
	off_t off;
	int rc;
};

static void *unpack_reader(void *arg)
{
	struct unpack_reader *r = arg;

	r->rc = pread_full(r->fd, r->dst, r->len, r->off);
	return NULL;
}

/*
 * Reads the compressed payload (len bytes at off) into comp, the second
 * half on a thread of its own, and unpacks block 0 into the scratch block
 * as soon as the first half is in: the time goes into faulting in fresh
 * pages and decoding, which two CPUs do side by side. Returns 0 or a
 * negative errno; *n0 is what block 0 unpacked to (-1 if it could not be
 * done yet, or failed).
 */
static int unpack_read(struct unpack *u, int fd, uint8_t *comp, size_t len,
		       off_t off, ssize_t *n0)
{
	size_t first = ALIGN_DOWN(len / 2, 4096);
	struct unpack_reader tail = { fd, comp + first, len - first,
				      off + (off_t)first, 0 };
	pthread_t t;
	bool threaded = first >= 8 &&
			thread_start(&t, unpack_reader, &tail) == 0;
	int rc = pread_full(fd, comp, threaded ? first : len, off);
	uint32_t len0 = rc == 0 && len >= 8 ? get_le32(comp + 4) : 0;

	*n0 = -1;
	if (rc == 0 && get_le32(comp) == LZ4_LEGACY_MAGIC && len0 &&
	    len0 != LZ4_LEGACY_MAGIC && len0 <= (threaded ? first : len) - 8)
		*n0 = lz4_block_decode(comp + 8, len0, u->block,
				       LZ4_LEGACY_BLOCK_MAX);
	if (threaded) {
		pthread_join(t, NULL);
		if (!rc)
			rc = tail.rc;
	}
	return rc;
}

/*
 * Zeroes the scratch area in place. It is not handed back to the host
 * (MADV_DONTNEED): it lies at the top of low RAM, where the guest kernel
 * allocates its first pages, and a page dropped now would only be faulted
 * in again, and zeroed again, moments later, which costs far more than
 * this memset, above all nested.
 */
static void unpack_scrub(const struct guest_memory *mem, uint64_t from,
			 uint64_t to)
{
	memset(memory_gpa(mem, from, to - from), 0, to - from);
}

int unpack_kernel(const struct guest_memory *mem, int fd,
		  const uint8_t *head, const struct bzimage_info *bz,
		  struct unpacked_kernel *out, char *why, size_t whylen)
{
	struct unpack u = { .mem = mem, .why = why, .whylen = whylen };
	uint32_t off = get_le32(head + BZ_PAYLOAD_OFFSET);
	uint32_t len = get_le32(head + BZ_PAYLOAD_LENGTH);
	uint64_t comp_gpa, scratch_end = mem->low;
	uint8_t *comp;
	ssize_t n0;
	int64_t got;

	if (len < 8 || off > bz->kernel_size || len > bz->kernel_size - off)
		return unpack_fail(&u, "no payload in the setup header"),
		       -ENOENT;
	if (scratch_end < len + LZ4_LEGACY_BLOCK_MAX + (64ULL << 20))
		return unpack_fail(&u, "too little memory to unpack in");
	comp_gpa = ALIGN_DOWN(scratch_end - len, 4096);
	u.block_gpa = ALIGN_DOWN(comp_gpa - LZ4_LEGACY_BLOCK_MAX, 4096);
	comp = memory_gpa(mem, comp_gpa, len);
	u.block = memory_gpa(mem, u.block_gpa, LZ4_LEGACY_BLOCK_MAX);
	if (!comp || !u.block)
		return unpack_fail(&u, "no room to unpack in");
	if (unpack_read(&u, fd, comp, len, (off_t)bz->setup_size + off,
			&n0) || get_le32(comp) != LZ4_LEGACY_MAGIC) {
		unpack_scrub(mem, u.block_gpa, scratch_end);
		return unpack_fail(&u, "payload is not LZ4"), -ENOENT;
	}
	/* Linux appends the unpacked size to the compressed stream. */
	u.out_size = get_le32(comp + len - 4);
	got = lz4_legacy_walk(comp, len - 4, u.out_size, unpack_note_block, &u);
	if (got >= 0 && u.blocks > 0 && (u.block_in[0] != comp + 8 || n0 < 0))
		n0 = lz4_block_decode(u.block_in[0], u.block_len[0], u.block,
				      LZ4_LEGACY_BLOCK_MAX);
	if (got < 0 || (uint64_t)got != u.out_size || u.blocks == 0 ||
	    unpack_first(&u, n0) || unpack_blocks(&u))
		got = -1;
	unpack_scrub(mem, u.block_gpa, scratch_end);
	if (got < 0) {
		if (!why[0])
			unpack_fail(&u, "LZ4 payload is corrupt");
		return -ENOTSUP;
	}
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
