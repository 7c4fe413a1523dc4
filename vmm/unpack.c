/* unpack.c - unpacks an LZ4 bzImage's vmlinux inside hyve and loads its segments where they run, skipping the in-guest decompressor. */
#include <elf.h>
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

struct unpack {
	const struct guest_memory *mem;
	uint8_t *block;			/* scratch for one unpacked block */
	uint64_t block_gpa;		/* ... and its guest address */
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

/* lz4_emit_fn: unpacks one block to scratch, copies it to its segments. */
static ssize_t unpack_block(void *ctx, const uint8_t *in, size_t len,
			    uint64_t pos)
{
	struct unpack *u = ctx;
	ssize_t n = lz4_block_decode(in, len, u->block, LZ4_LEGACY_BLOCK_MAX);

	if (n <= 0)
		return -1;
	if (pos == 0 && unpack_elf(u, u->block, (size_t)n))
		return -1;
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
		memcpy(dst, u->block + (lo - pos), hi - lo);
	}
	return n;
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
	if (pread_full(fd, comp, len, (off_t)bz->setup_size + off) ||
	    get_le32(comp) != LZ4_LEGACY_MAGIC) {
		memory_zero(mem, u.block_gpa, scratch_end - u.block_gpa);
		return unpack_fail(&u, "payload is not LZ4"), -ENOENT;
	}
	/* Linux appends the unpacked size to the compressed stream. */
	u.out_size = get_le32(comp + len - 4);
	got = lz4_legacy_walk(comp, len - 4, u.out_size, unpack_block, &u);
	memory_zero(mem, u.block_gpa, scratch_end - u.block_gpa);
	if (got < 0 || (uint64_t)got != u.out_size) {
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
