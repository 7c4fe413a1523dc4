/* paging.c - identity maps memory the entry page tables do not reach (a 64-bit PCI BAR above 4 GiB). */
#include "guest.h"

#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_PWT	0x008ULL
#define PTE_PCD	0x010ULL
#define PTE_PS	0x080ULL
#define PTE_ADDR 0x000ffffffffff000ULL
#define GIB	(1ULL << 30)

/* Spare tables: a few more GiB of device space is all a test guest needs. */
#define SPARE_PDS	4
#define SPARE_PDPTS	2
static uint64_t spare_pd[SPARE_PDS][512] __attribute__((aligned(4096)));
static uint64_t spare_pdpt[SPARE_PDPTS][512] __attribute__((aligned(4096)));
static unsigned pds_used, pdpts_used;

int map_identity_gib(uint64_t addr)
{
	uint64_t *pml4 = (uint64_t *)(read_cr(3) & PTE_ADDR), *pdpt, *pd;
	unsigned i4 = (addr >> 39) & 511, i3 = (addr >> 30) & 511;
	uint64_t base = addr & ~(GIB - 1);

	if (addr >> 48)
		return -1;
	if (!(pml4[i4] & PTE_P)) {
		if (pdpts_used == SPARE_PDPTS)
			return -1;
		pml4[i4] = (uint64_t)spare_pdpt[pdpts_used++] | PTE_P | PTE_RW;
	}
	pdpt = (uint64_t *)(pml4[i4] & PTE_ADDR);
	if (pdpt[i3] & PTE_P)
		return 0;		/* mapped already */
	if (pds_used == SPARE_PDS)
		return -1;
	pd = spare_pd[pds_used++];
	/* 2 MiB pages, uncached: this is for device registers */
	for (unsigned i = 0; i < 512; i++)
		pd[i] = (base + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_PS |
			PTE_PCD | PTE_PWT;
	pdpt[i3] = (uint64_t)pd | PTE_P | PTE_RW;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	return 0;
}
