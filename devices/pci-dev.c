/* pci-dev.c - one PCI function: its config image with writable-bit masks, BAR sizing and decoding, and its capability list. */
#include <errno.h>
#include <string.h>

#include "devices/pci-internal.h"
#include "devices/pci-msix.h"
#include "vmm/layout.h"

#define PCI_COMMAND_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

static void
pci_wmask16(struct pci_cfg *c, unsigned off, uint16_t m)
{
	c->wmask[off] = (uint8_t)m;
	c->wmask[off + 1] = (uint8_t)(m >> 8);
}

static void
pci_wmask32(struct pci_cfg *c, unsigned off, uint32_t m)
{
	pci_wmask16(c, off, (uint16_t)m);
	pci_wmask16(c, off + 2, (uint16_t)(m >> 16));
}

void
pci_dev_init(struct pci_dev *pd, uint16_t vendor, uint16_t device,
	     uint32_t class_code, uint8_t revision, uint16_t subvendor,
	     uint16_t subdevice, const struct pci_dev_ops *ops, void *priv)
{
	struct pci_cfg *c = &pd->cfg;

	memset(pd, 0, sizeof(*pd));
	pd->ops = ops;
	pd->priv = priv;
	pci_cfg_set16(c, PCI_VENDOR_ID, vendor);
	pci_cfg_set16(c, PCI_DEVICE_ID, device);
	pci_cfg_set8(c, PCI_REVISION_ID, revision);
	pci_cfg_set8(c, PCI_CLASS_PROG, (uint8_t)class_code);
	pci_cfg_set8(c, PCI_CLASS_SUB, (uint8_t)(class_code >> 8));
	pci_cfg_set8(c, PCI_CLASS_BASE, (uint8_t)(class_code >> 16));
	pci_cfg_set16(c, PCI_SUBSYSTEM_VENDOR_ID, subvendor);
	pci_cfg_set16(c, PCI_SUBSYSTEM_ID, subdevice);
	pci_cfg_set8(c, PCI_INTERRUPT_PIN, 1);	/* INTA */
	pci_wmask16(c, PCI_COMMAND, PCI_COMMAND_WRITABLE);
	c->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->wmask[PCI_LATENCY_TIMER] = 0xff;
	c->wmask[PCI_INTERRUPT_LINE] = 0xff;
	pd->cap_free = PCI_CAP_FIRST;
	pd->power_on = pd->cfg;
}

int
pci_dev_add_bar(struct pci_dev *pd, unsigned bar, enum pci_bar_type type,
		uint64_t size)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	struct pci_cfg *c = &pd->cfg;

	if (bar >= PCI_BARS || type == PCI_BAR_NONE || size < 16 ||
	    (size & (size - 1)) || pd->bar[bar].type != PCI_BAR_NONE ||
	    (bar > 0 && pd->bar[bar - 1].type == PCI_BAR_MEM64))
		return -EINVAL;
	switch (type) {
	case PCI_BAR_IO:
		if (size > 256)
			return -EINVAL;
		pci_cfg_set32(c, off, PCI_BAR_IO_FLAG);
		pci_wmask32(c, off, 0xffffu & ~(uint32_t)(size - 1));
		break;
	case PCI_BAR_MEM32:
		if (size > (1ull << 31))
			return -EINVAL;
		pci_wmask32(c, off, ~(uint32_t)(size - 1) & ~0xfu);
		break;
	case PCI_BAR_MEM64:
		if (bar + 1 >= PCI_BARS || pd->bar[bar + 1].type != PCI_BAR_NONE)
			return -EINVAL;
		pci_cfg_set32(c, off,
			      PCI_BAR_MEM64_FLAG | PCI_BAR_PREFETCH_FLAG);
		pci_wmask32(c, off, (uint32_t)~(size - 1) & ~0xfu);
		pci_wmask32(c, off + 4, (uint32_t)(~(size - 1) >> 32));
		break;
	default:
		return -EINVAL;
	}
	pd->bar[bar].type = type;
	pd->bar[bar].size = size;
	pd->power_on = pd->cfg;
	return 0;
}

int
pci_dev_add_cap(struct pci_dev *pd, const void *body, unsigned len)
{
	unsigned at = (pd->cap_free + 3) & ~3u;
	struct pci_cfg *c = &pd->cfg;

	if (len < 2 || at >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - at)
		return -ENOSPC;
	memcpy(&c->data[at], body, len);
	c->data[at + 1] = 0;
	memset(&c->wmask[at], 0, len);
	if (pd->cap_last)
		c->data[pd->cap_last + 1] = (uint8_t)at;
	else
		c->data[PCI_CAP_PTR] = (uint8_t)at;
	c->data[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	pd->cap_last = at;
	pd->cap_free = at + len;
	pd->power_on = pd->cfg;
	return (int)at;
}

/* Where BAR i decodes with the current config, or 0 when it does not. */
static uint64_t
pci_dev_bar_addr(const struct pci_dev *pd, unsigned i)
{
	const struct pci_bar *b = &pd->bar[i];
	uint16_t cmd = (uint16_t)pci_cfg_read(&pd->cfg, PCI_COMMAND, 2);
	uint64_t a = pci_cfg_read(&pd->cfg, PCI_BAR0 + 4 * i, 4);

	switch (b->type) {
	case PCI_BAR_IO:
		a &= ~3ull;
		if (!(cmd & PCI_COMMAND_IO) || a < PORT_PCI_IO ||
		    a + b->size > PORT_PCI_IO + PORT_PCI_IO_SIZE)
			return 0;
		return a;
	case PCI_BAR_MEM64:
		a |= (uint64_t)pci_cfg_read(&pd->cfg, PCI_BAR0 + 4 * i + 4, 4)
		     << 32;
		/* fall through */
	case PCI_BAR_MEM32:
		a &= ~0xfull;
		/* Only the host's windows reach the devices. */
		if (!(cmd & PCI_COMMAND_MEMORY) ||
		    !pci_bus_in_mmio(pd->bus, a, b->size,
				     b->type == PCI_BAR_MEM64))
			return 0;
		return a;
	default:
		return 0;
	}
}

void
pci_dev_update_decode(struct pci_dev *pd)
{
	for (unsigned i = 0; i < PCI_BARS; i++) {
		uint64_t a = pci_dev_bar_addr(pd, i);

		if (pd->bar[i].type == PCI_BAR_NONE || a == pd->bar[i].addr)
			continue;
		if (pd->bus != NULL)
			pthread_rwlock_wrlock(&pd->bus->decode_lock);
		pd->bar[i].addr = a;
		if (pd->bus != NULL)
			pthread_rwlock_unlock(&pd->bus->decode_lock);
		if (pd->ops != NULL && pd->ops->bar_moved != NULL)
			pd->ops->bar_moved(pd, i, a);
	}
}

uint32_t
pci_dev_cfg_read(struct pci_dev *pd, unsigned off, unsigned size)
{
	return pci_cfg_read(&pd->cfg, off, size);
}

static bool
pci_overlaps(unsigned off, unsigned size, unsigned start, unsigned len)
{
	return off < start + len && start < off + size;
}

void
pci_dev_cfg_write(struct pci_dev *pd, unsigned off, unsigned size,
		  uint32_t val)
{
	if (size != 1 && size != 2 && size != 4)
		return;
	pci_cfg_write(&pd->cfg, off, size, val);
	if (pci_overlaps(off, size, PCI_COMMAND, 2) ||
	    pci_overlaps(off, size, PCI_BAR0, 4 * PCI_BARS))
		pci_dev_update_decode(pd);
	if (pd->msix != NULL &&
	    pci_overlaps(off, size, pd->msix->cap_off, PCI_MSIX_CAP_LEN))
		pci_msix_cfg_written(pd->msix);
}

void
pci_dev_reset(struct pci_dev *pd)
{
	if (pd->bus != NULL)
		pthread_mutex_lock(&pd->bus->lock);
	pd->cfg = pd->power_on;
	pci_dev_update_decode(pd);
	if (pd->msix != NULL)
		pci_msix_reset(pd->msix);
	if (pd->bus != NULL)
		pthread_mutex_unlock(&pd->bus->lock);
}
