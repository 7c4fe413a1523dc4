/* memory.h - guest RAM: the split around the 32-bit PCI hole, e820, and host mapping. */
#ifndef HYVE_MEMORY_H
#define HYVE_MEMORY_H

#include <stdint.h>

#include "vmm/bzimage.h"
#include "vmm/vmm.h"

#define MEMORY_HUGE_PAGE (2ULL << 20)

struct guest_memory {
	uint8_t *host;		/* one anonymous mapping of size bytes */
	uint64_t size;
	uint64_t low;		/* bytes mapped at guest address 0 */
	uint64_t high;		/* bytes mapped at 4 GiB */
};

/* Splits size into low and high parts around LAYOUT_PCI_HOLE. */
void memory_split(uint64_t size, uint64_t *low, uint64_t *high);

/* Fills e820 (max entries); returns the number written. */
unsigned memory_e820(uint64_t size, struct e820_entry *e820, unsigned max);

int memory_map(struct guest_memory *mem, uint64_t size);
void memory_unmap(struct guest_memory *mem);

/* Host pointer for guest [gpa, gpa + len) if it is all RAM, else NULL. */
void *memory_gpa(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/*
 * Zeroes guest [gpa, gpa + len) (all RAM, as memory_gpa checks), handing
 * whole pages back to the host instead of writing them.
 */
int memory_zero(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

#endif
