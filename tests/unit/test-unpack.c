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

/*
 * The vmlinux: segments with different offset-to-address deltas, so the
 * 8 MiB LZ4 blocks fall every way: block 0 holds the ELF header and the
 * start of A (scratch), block 1 lies inside A (direct), block 2 holds A's
 * end, a gap and B (scratch), block 3 is exactly C (direct, both ends on
 * a block boundary), block 4 is a short tail outside every segment.
 */
static const struct { uint64_t off, paddr, filesz, memsz; } segs[] = {
	{ 0x200000, 0x1000000, 0x1400000, 0x1400000 },	/* A: 20 MiB */
	{ 0x1700000, 0x3000000, 0x20123, 0x80000 },	/* B: bss after */
	{ 0x1800000, 0x2800000, 0x800000, 0x800000 },	/* C: 8 MiB */
};
#define NSEGS		(sizeof(segs) / sizeof(segs[0]))
#define VMLINUX_SIZE	(0x2000000 + 0x12345)
#define ENTRY		0x1000000

static char dir[256];

static uint8_t byte_at(uint64_t pos)
{
	uint64_t x = pos * 0x9e3779b97f4a7c15ULL;

	return pos % 97 < 40 ? (uint8_t)(pos >> 9) : (uint8_t)(x >> 56);
}

static uint8_t *make_vmlinux(void)
{
	uint8_t *v = malloc(VMLINUX_SIZE);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)v;

	for (uint64_t i = 0; i < VMLINUX_SIZE; i++)
		v[i] = byte_at(i);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_machine = EM_X86_64;
	eh->e_type = ET_EXEC;
	eh->e_entry = ENTRY;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = NSEGS;
	for (unsigned i = 0; i < NSEGS; i++) {
		Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = segs[i].off,
				  .p_paddr = segs[i].paddr,
				  .p_filesz = segs[i].filesz,
				  .p_memsz = segs[i].memsz };

		memcpy(v + eh->e_phoff + i * sizeof(ph), &ph, sizeof(ph));
	}
	return v;
}

/*
 * Writes DIR/NAME: SETUP_SIZE bytes of setup, PAYLOAD_OFF bytes, then the
 * payload (the vmlinux packed by lz4_tool, as Linux packs it), with head
 * filled in as the setup header would be.
 */
static int make_bzimage(const uint8_t *vmlinux, const char *name,
			uint8_t *head, struct bzimage_info *bz, int *fd)
{
	char path[300];
	struct frame f;
	uint8_t *file;
	int rc;

	if (lz4_tool(dir, vmlinux, VMLINUX_SIZE, &f))
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
	uint8_t *v, head[BZ_HEADER_END];
	struct bzimage_info bz;
	struct guest_memory mem;
	int fd;
};

/* Sets f up with ram bytes of guest RAM; false (a FAIL) if it could not. */
static bool fixture_open(struct fixture *f, uint64_t ram)
{
	memset(f, 0, sizeof(*f));
	f->v = make_vmlinux();
	if (make_bzimage(f->v, "bzImage", f->head, &f->bz, &f->fd)) {
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

static void test_segments_land_in_place(void)
{
	struct fixture f;
	struct unpacked_kernel uk;
	char why[256] = "";
	int rc;

	if (!fixture_open(&f, RAM))
		return;
	/* stale bytes where bss goes, as after a guest reboot */
	memset(memory_gpa(&f.mem, 0x3000000, 0x80000), 0xaa, 0x80000);
	rc = unpack_kernel(&f.mem, f.fd, f.head, &f.bz, &uk, why, sizeof(why));
	CHECK(rc == 0, "unpack_kernel: %d (%s)", rc, why);
	CHECK_EQ(uk.entry, ENTRY);
	CHECK_EQ(uk.end, 0x3080000);
	for (unsigned i = 0; i < NSEGS && rc == 0; i++) {
		const uint8_t *g = memory_gpa(&f.mem, segs[i].paddr,
					      segs[i].memsz);

		CHECK(memcmp(g, f.v + segs[i].off, segs[i].filesz) == 0,
		      "segment %u differs from the vmlinux", i);
		CHECK(all_zero(g + segs[i].filesz,
			       segs[i].memsz - segs[i].filesz),
		      "segment %u: bss not zeroed", i);
	}
	/* nothing but the segments is written: below A, the gap, scratch */
	CHECK(all_zero(memory_gpa(&f.mem, 0, 0x1000000), 0x1000000),
	      "bytes written below the kernel");
	CHECK(all_zero(memory_gpa(&f.mem, 0x3080000, RAM - 0x3080000),
		       RAM - 0x3080000), "scratch or tail bytes left in RAM");
	fixture_close(&f);
}

/* A payload cut short, or a corrupt block, fails cleanly (-ENOTSUP). */
static void test_bad_payloads(void)
{
	struct fixture f;
	struct unpacked_kernel uk;
	uint32_t len;
	char why[256];

	if (!fixture_open(&f, RAM))
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

	if (!fixture_open(&f, 64 * MIB))
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
	RUN_TEST(test_bad_payloads);
	RUN_TEST(test_small_memory);
	scratch_remove(dir);
	CHECK_EXIT();
}
