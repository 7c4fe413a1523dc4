/* pci.c - PCI configuration space through conf1 ports (0xcf8/0xcfc): device search, capability walk, BAR 0/1 addresses. */
#include "guest.h"

#define PCI_CONF_ADDR	0xcf8
#define PCI_CONF_DATA	0xcfc
#define PCI_STATUS	0x06
#define PCI_STATUS_CAPS	0x10
#define PCI_CAP_PTR	0x34
#define PCI_BAR0	0x10
#define PCI_BAR_IO	0x1
#define PCI_BAR_MEM64	0x4	/* type bits 2:1 = 10b */

static void pci_select(unsigned devfn, unsigned reg)
{
	outl(PCI_CONF_ADDR, 0x80000000u | devfn << 8 | (reg & 0xfc));
}

uint32_t pci_read32(unsigned devfn, unsigned reg)
{
	pci_select(devfn, reg);
	return inl(PCI_CONF_DATA);
}

uint8_t pci_read8(unsigned devfn, unsigned reg)
{
	return (uint8_t)(pci_read32(devfn, reg) >> (reg & 3) * 8);
}

void pci_write16(unsigned devfn, unsigned reg, uint16_t v)
{
	pci_select(devfn, reg);
	outw(PCI_CONF_DATA + (reg & 2), v);
}

int pci_find(uint16_t vendor, uint16_t device)
{
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint32_t id = pci_read32(devfn, 0);

		if ((id & 0xffff) == vendor && id >> 16 == device)
			return (int)devfn;
	}
	return -1;
}

unsigned pci_cap_next(unsigned devfn, unsigned at)
{
	unsigned next, guard;

	if (!at) {
		if (!(pci_read32(devfn, PCI_STATUS & ~3u) >> 16 &
		      PCI_STATUS_CAPS))
			return 0;
		next = pci_read8(devfn, PCI_CAP_PTR);
	} else {
		next = pci_read8(devfn, at + 1);
	}
	/* a pointer into the header or a loop ends the walk */
	guard = next & ~3u;
	return guard >= 0x40 && guard > at ? guard : 0;
}

uint64_t pci_bar_mem(unsigned devfn, unsigned bar)
{
	uint32_t lo = pci_read32(devfn, PCI_BAR0 + 4 * bar);
	uint64_t addr = lo & ~0xfu;

	if (lo & PCI_BAR_IO)
		return 0;
	if ((lo & 0x6) == PCI_BAR_MEM64 && bar < 5)
		addr |= (uint64_t)pci_read32(devfn, PCI_BAR0 + 4 * bar + 4)
			<< 32;
	return addr;
}
