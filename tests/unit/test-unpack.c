/* test-unpack.c - unpack_kernel on a made-up LZ4 bzImage: segments land where their headers say, bss and scratch are zero, bad payloads are refused. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tests/unit/lz4-tool.h"
#include "tests/unit/scratch.h"
#include "vmm/compat.h"
#include "vmm/lz4.h"
#include "vmm/unpack.h"

#define MIB		(1ULL << 20)
#define SETUP_SIZE	0x4000		/* real-mode part of the bzImage */
#define PAYLOAD_OFF	0x200		/* payload offset in the kernel part */
#define RAM		(256 * MIB)

struct seg {
	uint64_t off, paddr, filesz, memsz;
};

/* A made-up vmlinux: its size, entry point and PT_LOAD segments. */
struct layout {
	uint64_t size, entry, end;	/* end: above the highest segment */
	unsigned nsegs;
	struct seg segs[4];
};

/*
 * Segments with different offset-to-address deltas, so the 8 MiB LZ4
 * blocks fall every way: block 0 holds the ELF header and the start of A
 * (in place, the header landing below A), block 1 lies inside A, block 2
 * holds A's end, a gap and B, whose delta differs (scratch), block 3 is
 * exactly C (both ends on a block boundary), block 4 is a short tail
 * outside every segment (not unpacked at all).
 */
static const struct layout mixed = {
	0x2000000 + 0x12345, 0x1000000, 0x3080000, 3, {
		{ 0x200000, 0x1000000, 0x1400000, 0x1400000 },	/* A: 20 MiB */
		{ 0x1700000, 0x3000000, 0x20123, 0x80000 },	/* B: bss after */
		{ 0x1800000, 0x2800000, 0x800000, 0x800000 },	/* C: 8 MiB */
	}
};

/*
 * One delta for A and E, but the gap between them in block 1 would, in
 * place, land where F goes: block 1 must go through the scratch block, or
 * zeroing what it put in the gap would wipe F.
 */
static const struct layout gap_on_segment = {
	0x1100000, 0x1000000, 0x1e00000, 3, {
		{ 0x200000, 0x1000000, 0xa00000, 0xa00000 },	/* A: to 12 MiB */
		{ 0xd00000, 0x1b00000, 0x300000, 0x300000 },	/* E: to 16 MiB */
		{ 0x1000000, 0x1a00000, 0x100000, 0x100000 },	/* F: in the gap */
	}
};

static char dir[256];

static uint8_t byte_at(uint64_t pos)
{
	uint64_t x = pos * 0x9e3779b97f4a7c15ULL;

	return pos % 97 < 40 ? (uint8_t)(pos >> 9) : (uint8_t)(x >> 56);
}

static uint8_t *make_vmlinux(const struct layout *l)
{
	uint8_t *v = malloc(l->size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)v;

	for (uint64_t i = 0; i < l->size; i++)
		v[i] = byte_at(i);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_machine = EM_X86_64;
	eh->e_type = ET_EXEC;
	eh->e_entry = l->entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)l->nsegs;
	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct seg *g = &l->segs[i];
		Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = g->off,
				  .p_paddr = g->paddr, .p_filesz = g->filesz,
				  .p_memsz = g->memsz };

		memcpy(v + eh->e_phoff + i * sizeof(ph), &ph, sizeof(ph));
	}
	return v;
}

/*
 * Writes DIR/NAME: SETUP_SIZE bytes of setup, PAYLOAD_OFF bytes, then the
 * payload (the vmlinux packed by lz4_tool, as Linux packs it), with head
 * filled in as the setup header would be.
 */
static int make_bzimage(const uint8_t *vmlinux, uint64_t size,
			const char *name, uint8_t *head,
			struct bzimage_info *bz, int *fd)
{
	char path[300];
	struct frame f;
	uint8_t *file;
	int rc;

	if (lz4_tool(dir, vmlinux, size, &f))
		return -1;
	file = calloc(1, SETUP_SIZE + PAYLOAD_OFF + f.len);
	memcpy(file + SETUP_SIZE + PAYLOAD_OFF, f.data, f.len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = spit(path, file, SETUP_SIZE + PAYLOAD_OFF + f.len);
	free(file);
	free(f.data);
	if (rc)
		return -1;
	memset(head, 0, BZ_HEADER_END);
	put_le32(head + BZ_PAYLOAD_OFFSET, PAYLOAD_OFF);
	put_le32(head + BZ_PAYLOAD_LENGTH, (uint32_t)f.len);
	memset(bz, 0, sizeof(*bz));
	bz->setup_size = SETUP_SIZE;
	bz->kernel_size = PAYLOAD_OFF + f.len;
	*fd = open(path, O_RDWR);
	return *fd < 0 ? -1 : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* One test's bzImage (DIR/bzImage of make_vmlinux) and guest RAM. */
struct fixture {
	const struct layout *l;
	uint8_t *v, head[BZ_HEADER_END];
	struct bzimage_info bz;
	struct guest_memory mem;
	int fd;
};

/* Sets f up with ram bytes of guest RAM; false (a FAIL) if it could not. */
static bool fixture_open(struct fixture *f, const struct layout *l,
			 uint64_t ram)
{
	memset(f, 0, sizeof(*f));
	f->l = l;
	f->v = make_vmlinux(l);
	if (make_bzimage(f->v, l->size, "bzImage", f->head, &f->bz, &f->fd)) {
		CHECK(0, "could not make the bzImage (apt-get install lz4)");
		free(f->v);
		return false;
	}
	CHECK_EQ(memory_map(&f->mem, ram), 0);
	return true;
}

static void fixture_close(struct fixture *f)
{
	memory_unmap(&f->mem);
	close(f->fd);
	free(f->v);
}

/*
 * Unpacks a kernel of layout l into RAM that holds stale bytes where bss
 * goes (as after a guest reboot) and checks that every segment is in
 * place, bss is zero, and nothing else in RAM is written: not the ELF
 * header, not the gaps between segments, not the scratch block, not the
 * tail.
 */
static void check_unpacked(const struct layout *l)
{
	struct fixture fx, *f = &fx;
	struct unpacked_kernel uk;
	char why[256] = "";
	uint64_t at = 0;
	int rc;

	if (!fixture_open(f, l, RAM))
		return;
	for (unsigned i = 0; i < l->nsegs; i++)
		memset(memory_gpa(&f->mem, l->segs[i].paddr + l->segs[i].filesz,
				  l->segs[i].memsz - l->segs[i].filesz),
		       0xaa, l->segs[i].memsz - l->segs[i].filesz);
	rc = unpack_kernel(&f->mem, f->fd, f->head, &f->bz, &uk, why,
			   sizeof(why));
	CHECK(rc == 0, "unpack_kernel: %d (%s)", rc, why);
	if (rc) {
		fixture_close(f);
		return;
	}
	CHECK_EQ(uk.entry, l->entry);
	CHECK_EQ(uk.end, l->end);
	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct seg *g = &l->segs[i];
		const uint8_t *p = memory_gpa(&f->mem, g->paddr, g->memsz);

		CHECK(memcmp(p, f->v + g->off, g->filesz) == 0,
		      "segment %u differs from the vmlinux", i);
		CHECK(all_zero(p + g->filesz, g->memsz - g->filesz),
		      "segment %u: bss not zeroed", i);
	}
	/* the RAM between the segments, in address order, is untouched */
	while (at < RAM) {
		uint64_t next = RAM, skip = 0;

		for (unsigned i = 0; i < l->nsegs; i++) {
			const struct seg *g = &l->segs[i];

			if (g->paddr >= at && g->paddr < next) {
				next = g->paddr;
				skip = g->memsz;
			}
		}
		CHECK(all_zero(memory_gpa(&f->mem, at, next - at), next - at),
		      "bytes written in RAM %#llx..%#llx, where no segment "
		      "goes", (unsigned long long)at,
		      (unsigned long long)next);
		at = next + skip;
	}
	fixture_close(f);
}

static void test_segments_land_in_place(void)
{
	check_unpacked(&mixed);
}

/* A block whose gap would land on another segment is not unpacked in place. */
static void test_gap_over_a_segment(void)
{
	check_unpacked(&gap_on_segment);
}

/* A payload cut short, or a corrupt block, fails cleanly (-ENOTSUP). */
static void test_bad_payloads(void)
{
	struct fixture f;
	struct unpacked_kernel uk;
	uint32_t len;
	char why[256];

	if (!fixture_open(&f, &mixed, RAM))
		return;
	len = get_le32(f.head + BZ_PAYLOAD_LENGTH);
	put_le32(f.head + BZ_PAYLOAD_LENGTH, len / 2);	/* truncated frame */
	why[0] = '\0';
	CHECK_EQ(unpack_kernel(&f.mem, f.fd, f.head, &f.bz, &uk, why,
			       sizeof(why)), -ENOTSUP);
	CHECK(why[0] != '\0', "no reason given");
	put_le32(f.head + BZ_PAYLOAD_LENGTH, len);
	/* block 1's length field (block 0 decoded, then a bad length) */
	{
		uint8_t b[8];
		uint32_t len0;

		CHECK_EQ(pread_full(f.fd, b, 8, SETUP_SIZE + PAYLOAD_OFF), 0);
		len0 = get_le32(b + 4);
		put_le32(b, 0x7fffffff);
		CHECK_EQ(pwrite_full(f.fd, b, 4,
				     SETUP_SIZE + PAYLOAD_OFF + 8 + len0), 0);
	}
	why[0] = '\0';
	CHECK_EQ(unpack_kernel(&f.mem, f.fd, f.head, &f.bz, &uk, why,
			       sizeof(why)), -ENOTSUP);
	/* not LZ4 at all: booted as it is, quietly */
	CHECK_EQ(pwrite_full(f.fd, "\x1f\x8b\x08\x00", 4,
			     SETUP_SIZE + PAYLOAD_OFF), 0);
	CHECK_EQ(unpack_kernel(&f.mem, f.fd, f.head, &f.bz, &uk, why,
			       sizeof(why)), -ENOENT);
	fixture_close(&f);
}

/* Too little RAM to hold payload, scratch and kernel: refused. */
static void test_small_memory(void)
{
	struct fixture f;
	struct unpacked_kernel uk;
	char why[256] = "";

	if (!fixture_open(&f, &mixed, 64 * MIB))
		return;
	CHECK_EQ(unpack_kernel(&f.mem, f.fd, f.head, &f.bz, &uk, why,
			       sizeof(why)), -ENOTSUP);
	CHECK(strstr(why, "memory") != NULL, "why: %s", why);
	fixture_close(&f);
}

int main(void)
{
	scratch_make(dir, sizeof(dir), "unpack");
	RUN_TEST(test_segments_land_in_place);
	RUN_TEST(test_gap_over_a_segment);
	RUN_TEST(test_bad_payloads);
	RUN_TEST(test_small_memory);
	scratch_remove(dir);
	CHECK_EXIT();
}
