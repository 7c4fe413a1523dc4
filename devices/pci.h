/* pci.h - PCI bus 0 behind configuration mechanism #1 (PCI Local Bus Spec 3.0, 3.2.2.3.2). */
#ifndef HYVE_PCI_H
#define HYVE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_SLOTS		32
#define PCI_FUNCS		8
#define PCI_CFG_SIZE		256

/* Configuration header offsets (type 0) */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_SUB		0x0a
#define PCI_CLASS_BASE		0x0b
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_INTERRUPT_LINE	0x3c

#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004

/*
 * One function's configuration space. off..off+size-1 (size 1, 2 or 4)
 * never crosses a dword and lies below PCI_CFG_SIZE. Handlers run with the
 * bus lock held (config cycles are serialised) and must not call back into
 * the bus.
 */
struct pci_func_ops {
	uint32_t (*cfg_read)(void *dev, unsigned off, unsigned size);
	void (*cfg_write)(void *dev, unsigned off, unsigned size,
			  uint32_t val);
};

/* A configuration space image: bits set in wmask are guest-writable. */
struct pci_cfg {
	uint8_t data[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
};

uint32_t pci_cfg_read(const struct pci_cfg *c, unsigned off, unsigned size);
void pci_cfg_write(struct pci_cfg *c, unsigned off, unsigned size,
		   uint32_t val);
/* Little-endian setters for building an image. */
void pci_cfg_set8(struct pci_cfg *c, unsigned off, uint8_t v);
void pci_cfg_set16(struct pci_cfg *c, unsigned off, uint16_t v);
void pci_cfg_set32(struct pci_cfg *c, unsigned off, uint32_t v);

struct pci_bus;
/* Puts a function at 00:slot.fn; -EINVAL out of range, -EBUSY if taken. */
int pci_bus_add(struct pci_bus *bus, unsigned slot, unsigned fn,
		const struct pci_func_ops *ops, void *dev);

/*
 * The host: ports 0xcf8-0xcff (address register, data window, and the
 * reset control register at 0xcf9) and a host bridge at 00:00.0. The
 * state pci_host_model's attach() returns is a struct pci_host.
 */
struct pci_host;
struct pci_host *pci_host_new(void (*reset)(void *arg), void *arg);
void pci_host_free(struct pci_host *h);
/* Machine reset: the host's registers and the host bridge to power-on. */
void pci_host_reset(struct pci_host *h);
struct pci_bus *pci_host_bus(struct pci_host *h);
/* An access at 0xcf8 + off (off 0..7) of size 1, 2 or 4 bytes. */
void pci_host_io(struct pci_host *h, unsigned off, unsigned size, bool write,
		 uint32_t *val);

#endif
