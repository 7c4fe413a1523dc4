/* pci-cfg.c - configuration space images: reads, writes through the writable-bit mask, and setters for building them. */
#include "devices/pci.h"

/* ---- Configuration space images ---- */

uint32_t
pci_cfg_read(const struct pci_cfg *c, unsigned off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	if (size > 4 || off >= PCI_CFG_SIZE || size > PCI_CFG_SIZE - off)
		return 0xffffffffu;
	for (i = 0; i < size; i++)
		v |= (uint32_t)c->data[off + i] << (8 * i);
	return v;
}

void
pci_cfg_write(struct pci_cfg *c, unsigned off, unsigned size, uint32_t val)
{
	unsigned i;
	uint8_t b, m;

	if (size > 4 || off >= PCI_CFG_SIZE || size > PCI_CFG_SIZE - off)
		return;
	for (i = 0; i < size; i++) {
		b = (uint8_t)(val >> (8 * i));
		m = c->wmask[off + i];
		c->data[off + i] = (uint8_t)((c->data[off + i] & ~m) | (b & m));
	}
}

void
pci_cfg_set8(struct pci_cfg *c, unsigned off, uint8_t v)
{
	if (off < PCI_CFG_SIZE)
		c->data[off] = v;
}

void
pci_cfg_set16(struct pci_cfg *c, unsigned off, uint16_t v)
{
	pci_cfg_set8(c, off, (uint8_t)v);
	pci_cfg_set8(c, off + 1, (uint8_t)(v >> 8));
}

void
pci_cfg_set32(struct pci_cfg *c, unsigned off, uint32_t v)
{
	pci_cfg_set16(c, off, (uint16_t)v);
	pci_cfg_set16(c, off + 2, (uint16_t)(v >> 16));
}

static uint32_t
cfg_image_read(void *dev, unsigned off, unsigned size)
{
	return pci_cfg_read(dev, off, size);
}

static void
cfg_image_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
	pci_cfg_write(dev, off, size, val);
}

/* Functions that are only a config image (host bridge, LPC bridge). */
const struct pci_func_ops pci_cfg_image_ops = {
	.cfg_read = cfg_image_read,
	.cfg_write = cfg_image_write,
};

