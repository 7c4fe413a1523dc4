/* pci-bus.c - bus 0: function slots, config cycles (conf1 and ECAM), BAR placement, window decoding and the INTx swizzle. */
#include <errno.h>
#include <string.h>

#include "devices/pci-internal.h"
#include "vmm/layout.h"
#include "vmm/vmm.h"

int
pci_bus_init(struct pci_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	if (pthread_mutex_init(&bus->lock, NULL) != 0)
		return -ENOMEM;
	if (pthread_rwlock_init(&bus->decode_lock, NULL) != 0) {
		pthread_mutex_destroy(&bus->lock);
		return -ENOMEM;
	}
	bus->next_mmio = LAYOUT_PCI_MMIO32;
	bus->next_io = PORT_PCI_IO;
	return 0;
}

void
pci_bus_destroy(struct pci_bus *bus)
{
	pthread_rwlock_destroy(&bus->decode_lock);
	pthread_mutex_destroy(&bus->lock);
}

int
pci_bus_add(struct pci_bus *bus, unsigned slot, unsigned fn,
	    const struct pci_func_ops *ops, void *dev)
{
	struct pci_func *f;
	int rc = 0;

	if (slot >= PCI_SLOTS || fn >= PCI_FUNCS || ops == NULL ||
	    ops->cfg_read == NULL || ops->cfg_write == NULL)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	f = &bus->funcs[slot * PCI_FUNCS + fn];
	if (f->ops != NULL) {
		rc = -EBUSY;
	} else {
		f->ops = ops;
		f->dev = dev;
	}
	pthread_mutex_unlock(&bus->lock);
	return rc;
}

void
pci_bus_cfg(struct pci_bus *bus, unsigned devfn, unsigned reg, unsigned size,
	    bool write, uint32_t *val)
{
	struct pci_func *f;

	if (devfn >= PCI_SLOTS * PCI_FUNCS || reg >= PCI_CFG_SIZE ||
	    (size != 1 && size != 2 && size != 4) || (reg & 3) + size > 4)
		return;
	f = &bus->funcs[devfn];
	if (f->ops == NULL)
		return;
	if (write)
		f->ops->cfg_write(f->dev, reg, size, *val);
	else
		*val = f->ops->cfg_read(f->dev, reg, size);
}

unsigned
pci_intx_gsi(unsigned slot, unsigned pin)
{
	return IRQ_PCI_INTX(slot, pin);
}

/* ---- Functions with BARs ---- */

static uint32_t
pci_dev_func_read(void *dev, unsigned off, unsigned size)
{
	return pci_dev_cfg_read(dev, off, size);
}

static void
pci_dev_func_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
	pci_dev_cfg_write(dev, off, size, val);
}

static const struct pci_func_ops pci_dev_func_ops = {
	.cfg_read = pci_dev_func_read,
	.cfg_write = pci_dev_func_write,
};

/* The next aligned place for a BAR of size in [*cursor, end), or 0. */
static uint64_t
pci_bus_place(uint64_t *cursor, uint64_t end, uint64_t size)
{
	uint64_t at = (*cursor + size - 1) & ~(size - 1);

	if (at < *cursor || at > end || size > end - at)
		return 0;
	*cursor = at + size;
	return at;
}

static bool
pci_in_range(uint64_t addr, uint64_t size, uint64_t base, uint64_t len)
{
	return addr >= base && addr - base < len && size <= len - (addr - base);
}

bool
pci_bus_in_mmio(const struct pci_bus *bus, uint64_t addr, uint64_t size,
		bool wide)
{
	return pci_in_range(addr, size, LAYOUT_PCI_MMIO32,
			    LAYOUT_PCI_MMIO32_SIZE) ||
	       (wide && bus != NULL && bus->mmio64 != 0 &&
		pci_in_range(addr, size, bus->mmio64, LAYOUT_PCI_MMIO64_SIZE));
}

int
pci_bus_set_mmio64(struct pci_bus *bus, uint64_t base)
{
	if (base % LAYOUT_PCI_MMIO64_SIZE || (base && base < LAYOUT_4G))
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	bus->mmio64 = base;
	bus->next_mmio64 = base;
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

/* A memory BAR's place: 64-bit ones above 4 GiB when they fit there. */
static uint64_t
pci_bus_place_mem(struct pci_bus *bus, const struct pci_bar *b)
{
	uint64_t at = 0;

	if (b->type == PCI_BAR_MEM64 && bus->mmio64 != 0)
		at = pci_bus_place(&bus->next_mmio64,
				   bus->mmio64 + LAYOUT_PCI_MMIO64_SIZE,
				   b->size);
	if (at == 0)
		at = pci_bus_place(&bus->next_mmio,
				   LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE,
				   b->size);
	return at;
}

/* Firmware's job: give each BAR an address in its window. */
static int
pci_bus_place_bars(struct pci_bus *bus, struct pci_dev *pd)
{
	for (unsigned i = 0; i < PCI_BARS; i++) {
		struct pci_bar *b = &pd->bar[i];
		uint64_t at;
		uint32_t flags;

		if (b->type == PCI_BAR_NONE || b->size == 0)
			continue;
		if (b->type == PCI_BAR_IO)
			at = pci_bus_place(&bus->next_io,
					   PORT_PCI_IO + PORT_PCI_IO_SIZE,
					   b->size);
		else
			at = pci_bus_place_mem(bus, b);
		if (at == 0)
			return -ENOSPC;
		flags = pci_cfg_read(&pd->cfg, PCI_BAR0 + 4 * i, 4) &
			(b->type == PCI_BAR_IO ? 0x3u : 0xfu);
		pci_cfg_set32(&pd->cfg, PCI_BAR0 + 4 * i, (uint32_t)at | flags);
		if (b->type == PCI_BAR_MEM64)
			pci_cfg_set32(&pd->cfg, PCI_BAR0 + 4 * (i + 1),
				      (uint32_t)(at >> 32));
	}
	return 0;
}

int
pci_bus_add_dev(struct pci_bus *bus, struct pci_dev *pd, unsigned slot,
		uint32_t reserved_slots)
{
	int rc;

	if (slot > VM_PCI_SLOT_MAX)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	if (slot == 0) {
		for (slot = 1; slot <= VM_PCI_SLOT_MAX; slot++)
			if (!(reserved_slots & (1u << slot)) &&
			    bus->funcs[slot * PCI_FUNCS].ops == NULL)
				break;
		if (slot > VM_PCI_SLOT_MAX) {
			pthread_mutex_unlock(&bus->lock);
			return -ENOSPC;
		}
	}
	pthread_mutex_unlock(&bus->lock);
	pd->bus = bus;
	pd->slot = slot;
	pd->gsi = pci_intx_gsi(slot, 0);
	pci_cfg_set8(&pd->cfg, PCI_INTERRUPT_LINE, (uint8_t)pd->gsi);
	pthread_mutex_lock(&bus->lock);
	rc = pci_bus_place_bars(bus, pd);
	pthread_mutex_unlock(&bus->lock);
	if (rc < 0)
		return rc;
	pd->power_on = pd->cfg;
	rc = pci_bus_add(bus, slot, 0, &pci_dev_func_ops, pd);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&bus->lock);
	bus->devs[slot] = pd;
	pthread_mutex_unlock(&bus->lock);
	return (int)slot;
}

/* ---- Guest accesses ---- */

void
pci_bus_window_access(struct pci_bus *bus, bool io, uint64_t addr,
		      unsigned size, bool write, uint64_t *val)
{
	pthread_rwlock_rdlock(&bus->decode_lock);
	for (unsigned s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev *pd = bus->devs[s];

		if (pd == NULL)
			continue;
		for (unsigned i = 0; i < PCI_BARS; i++) {
			const struct pci_bar *b = &pd->bar[i];

			if (b->addr == 0 || (b->type == PCI_BAR_IO) != io ||
			    addr < b->addr || addr - b->addr >= b->size ||
			    size > b->size - (addr - b->addr))
				continue;
			pd->ops->bar_access(pd, i, addr - b->addr, size, write,
					    val);
			goto out;
		}
	}
out:
	pthread_rwlock_unlock(&bus->decode_lock);
}

void
pci_bus_ecam_access(struct pci_bus *bus, uint64_t off, unsigned size,
		    bool write, uint64_t *val)
{
	unsigned devfn = (unsigned)(off >> 12), reg = (unsigned)(off & 0xfff);
	uint32_t v = (uint32_t)*val;
	struct pci_func *f;

	if (off >= LAYOUT_PCI_ECAM_SIZE || size > 4 || (reg & 3) + size > 4)
		return;
	pthread_mutex_lock(&bus->lock);
	f = &bus->funcs[devfn];
	if (reg >= PCI_CFG_SIZE) {
		/* No extended capabilities: present functions read zeros. */
		if (!write && f->ops != NULL)
			*val = 0;
	} else if (f->ops != NULL) {
		pci_bus_cfg(bus, devfn, reg, size, write, &v);
		if (!write)
			*val = v;
	}
	pthread_mutex_unlock(&bus->lock);
}
