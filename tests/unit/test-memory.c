/* test-memory.c - guest RAM split around the PCI hole, the e820 map, and guest address checks. */
#include "tests/unit/check.h"
#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* The e820 map must be sorted, disjoint, hole-free where RAM is, and sum to size. */
static void check_e820(uint64_t size)
{
	struct e820_entry e[BP_E820_MAX];
	unsigned n = memory_e820(size, e, BP_E820_MAX);
	uint64_t ram = 0, low, high;

	memory_split(size, &low, &high);
	CHECK(n >= 4, "size %#llx: only %u entries", (unsigned long long)size,
	      n);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			CHECK(e[i].addr >= e[i - 1].addr + e[i - 1].size,
			      "size %#llx: entry %u overlaps or is unsorted",
			      (unsigned long long)size, i);
		if (e[i].type != E820_RAM)
			continue;
		ram += e[i].size;
		/* No RAM inside the PCI hole or the BIOS area. */
		CHECK(e[i].addr + e[i].size <= LAYOUT_PCI_HOLE ||
		      e[i].addr >= LAYOUT_4G, "size %#llx: RAM in the hole",
		      (unsigned long long)size);
		CHECK(e[i].addr >= LAYOUT_HIGH_MEM ||
		      e[i].addr + e[i].size <= LAYOUT_EBDA,
		      "size %#llx: RAM over the BIOS area",
		      (unsigned long long)size);
	}
	/* Low RAM in e820 is all but the 0x9fc00-0x100000 gap. */
	CHECK_EQ(ram, size - (LAYOUT_HIGH_MEM - LAYOUT_EBDA));
	CHECK_EQ(low + high, size);
	CHECK(low <= LAYOUT_PCI_HOLE, "low part crosses the hole");
	if (high) {
		CHECK_EQ(e[n - 1].addr, LAYOUT_4G);
		CHECK_EQ(e[n - 1].size, high);
	}
}

static void test_e820_around_the_hole(void)
{
	static const uint64_t sizes[] = {
		16 * MiB, 256 * MiB, 3 * GiB - 4096, 3 * GiB, 3 * GiB + 4096,
		4 * GiB, 4 * GiB + 2 * MiB, 8 * GiB, 64 * GiB,
	};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check_e820(sizes[i]);
}

static void test_split(void)
{
	uint64_t low, high;

	memory_split(3 * GiB, &low, &high);
	CHECK_EQ(low, 3 * GiB);
	CHECK_EQ(high, 0);
	memory_split(3 * GiB + 4096, &low, &high);
	CHECK_EQ(low, 3 * GiB);
	CHECK_EQ(high, 4096);
	memory_split(512 * MiB, &low, &high);
	CHECK_EQ(low, 512 * MiB);
	CHECK_EQ(high, 0);
}

static void test_e820_table_limit(void)
{
	struct e820_entry e[2];

	CHECK_EQ(memory_e820(8 * GiB, e, 2), 2);
}

static void test_gpa_bounds(void)
{
	struct guest_memory mem;
	uint8_t *base;

	CHECK_EQ(memory_map(&mem, 4 * GiB), 0);
	base = mem.host;
	CHECK(memory_gpa(&mem, 0, 1) == base, "gpa 0");
	CHECK(memory_gpa(&mem, 3 * GiB - 1, 1) == base + 3 * GiB - 1,
	      "last low byte");
	CHECK(memory_gpa(&mem, 3 * GiB - 1, 2) == NULL, "crosses into hole");
	CHECK(memory_gpa(&mem, 3 * GiB, 1) == NULL, "hole");
	CHECK(memory_gpa(&mem, LAYOUT_4G, 1) == base + 3 * GiB, "4 GiB");
	CHECK(memory_gpa(&mem, LAYOUT_4G + GiB - 8, 8) != NULL, "last high");
	CHECK(memory_gpa(&mem, LAYOUT_4G + GiB - 8, 9) == NULL, "past end");
	CHECK(memory_gpa(&mem, ~0ULL - 3, 8) == NULL, "wraps");
	CHECK(memory_gpa(&mem, 16, ~0ULL - 8) == NULL, "huge length");
	CHECK(memory_gpa(&mem, LAYOUT_4G + 16, ~0ULL) == NULL, "huge high");
	memory_unmap(&mem);

	CHECK(memory_map(&mem, 1 * MiB) < 0, "too small accepted");
	CHECK(memory_map(&mem, 16 * MiB + 1) < 0, "unaligned accepted");
}

int main(void)
{
	RUN_TEST(test_e820_around_the_hole);
	RUN_TEST(test_split);
	RUN_TEST(test_e820_table_limit);
	RUN_TEST(test_gpa_bounds);
	CHECK_EXIT();
}
