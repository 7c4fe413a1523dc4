/* memory.c - guest RAM layout (PC e820 conventions), anonymous mapping, address checks. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

void memory_split(uint64_t size, uint64_t *low, uint64_t *high)
{
	*low = MIN(size, LAYOUT_PCI_HOLE);
	*high = size - *low;
}

static unsigned e820_add(struct e820_entry *e820, unsigned n, unsigned max,
			 uint64_t addr, uint64_t size, uint32_t type)
{
	if (n < max && size) {
		e820[n].addr = addr;
		e820[n].size = size;
		e820[n].type = type;
		n++;
	}
	return n;
}

unsigned memory_e820(uint64_t size, struct e820_entry *e820, unsigned max)
{
	uint64_t low, high;
	unsigned n = 0;

	memory_split(size, &low, &high);
	n = e820_add(e820, n, max, 0, MIN(low, LAYOUT_EBDA), E820_RAM);
	n = e820_add(e820, n, max, LAYOUT_EBDA, 0xa0000 - LAYOUT_EBDA,
		     E820_RESERVED);
	n = e820_add(e820, n, max, LAYOUT_BIOS, LAYOUT_HIGH_MEM - LAYOUT_BIOS,
		     E820_RESERVED);
	if (low > LAYOUT_HIGH_MEM)
		n = e820_add(e820, n, max, LAYOUT_HIGH_MEM,
			     low - LAYOUT_HIGH_MEM, E820_RAM);
	if (high)
		n = e820_add(e820, n, max, LAYOUT_4G, high, E820_RAM);
	return n;
}

/*
 * Anonymous, not reserved, and aligned to 2 MiB with a hint for transparent
 * huge pages: the guest's page tables then map 2 MiB pages, which saves a
 * host page fault (and, nested, a trip through the outer hypervisor) for
 * every 4 KiB the guest touches first.
 */
int memory_map(struct guest_memory *mem, uint64_t size)
{
	uint8_t *p, *aligned;
	size_t span;

	if (size < VM_MEMORY_MIN || size > VM_MEMORY_MAX || size % 4096)
		return -EINVAL;
	span = size + MEMORY_HUGE_PAGE;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	aligned = (uint8_t *)ALIGN_UP((uintptr_t)p, MEMORY_HUGE_PAGE);
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	if (aligned + size < p + span)
		munmap(aligned + size, (size_t)(p + span - (aligned + size)));
	madvise(aligned, size, MADV_HUGEPAGE);	/* only a hint */
	mem->host = aligned;
	mem->size = size;
	memory_split(size, &mem->low, &mem->high);
	return 0;
}

void memory_unmap(struct guest_memory *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	mem->host = NULL;
	mem->size = mem->low = mem->high = 0;
}

void *memory_gpa(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	if (!mem->host || len > mem->size)
		return NULL;
	if (gpa < mem->low && len <= mem->low - gpa)
		return mem->host + gpa;
	if (gpa >= LAYOUT_4G && gpa - LAYOUT_4G < mem->high &&
	    len <= mem->high - (gpa - LAYOUT_4G))
		return mem->host + mem->low + (gpa - LAYOUT_4G);
	return NULL;
}

int memory_zero(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	uint8_t *p = memory_gpa(mem, gpa, len);
	uint8_t *first, *last;

	if (!p)
		return -EINVAL;
	first = (uint8_t *)ALIGN_UP((uintptr_t)p, 4096);
	last = (uint8_t *)ALIGN_DOWN((uintptr_t)(p + len), 4096);
	if (first >= last) {
		memset(p, 0, len);
		return 0;
	}
	memset(p, 0, (size_t)(first - p));
	memset(last, 0, (size_t)(p + len - last));
	if (madvise(first, (size_t)(last - first), MADV_DONTNEED) < 0)
		memset(first, 0, (size_t)(last - first));
	return 0;
}
