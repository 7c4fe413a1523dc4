/* pci-window.c - where the 64-bit PCI MMIO window goes: above RAM, inside the guest's physical address bits (vmm/layout.h). */
#include <stdlib.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/memory.h"
#include "vmm/vm-internal.h"

/* The window must not grow past what the 64-bit arithmetic holds. */
#define PHYS_BITS_MAX	52

uint64_t pci_mmio64_base(uint64_t memory, unsigned phys_bits)
{
	uint64_t low, high, end, base;

	if (phys_bits > PHYS_BITS_MAX)
		phys_bits = PHYS_BITS_MAX;
	memory_split(memory, &low, &high);
	end = LAYOUT_4G + high;
	base = (end + LAYOUT_PCI_MMIO64_SIZE - 1) & ~(LAYOUT_PCI_MMIO64_SIZE - 1);
	base = MAX(base, LAYOUT_PCI_MMIO64_MIN);
	if (base + LAYOUT_PCI_MMIO64_SIZE > 1ULL << phys_bits)
		return 0;
	return base;
}

/*
 * The guest's physical address width as KVM offers it: CPUID 0x80000008
 * EAX[7:0], or EAX[23:16] when set (AMD's "guest physical address size").
 * 36 (the architectural minimum) when KVM does not say.
 */
static unsigned vm_phys_bits(struct vm *vm)
{
	struct kvm_cpuid2 *c = cpu_supported_cpuid(vm->kvm_fd);
	unsigned bits = 36;

	if (!c)
		return bits;
	for (uint32_t i = 0; i < c->nent; i++) {
		uint32_t eax = c->entries[i].eax;

		if (c->entries[i].function != 0x80000008)
			continue;
		if ((eax >> 16) & 0xff)
			bits = (eax >> 16) & 0xff;
		else if (eax & 0xff)
			bits = eax & 0xff;
	}
	free(c);
	return bits;
}

uint64_t vm_pci_mmio64(struct vm *vm)
{
	return pci_mmio64_base(vm->cfg.memory, vm_phys_bits(vm));
}
