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
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_FIRST		0x40	/* capabilities start here */

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX		0x0008
#define PCI_STATUS_CAP_LIST	0x0010

#define PCI_BAR_IO_FLAG		0x1
#define PCI_BAR_MEM64_FLAG	0x4
#define PCI_BAR_PREFETCH_FLAG	0x8

#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11

#define PCI_SLOT_LPC		31
#define PCI_BARS		6

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

/* ops for a function that is just a struct pci_cfg (dev points to it). */
extern const struct pci_func_ops pci_cfg_image_ops;

struct pci_bus;
/* Puts a function at 00:slot.fn; -EINVAL out of range, -EBUSY if taken. */
int pci_bus_add(struct pci_bus *bus, unsigned slot, unsigned fn,
		const struct pci_func_ops *ops, void *dev);

/* ---- A PCI function with BARs and capabilities (devices/pci-dev.c) ---- */

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_dev;
struct pci_msix;

struct pci_dev_ops {
	/*
	 * An access at off (size 1, 2, 4 or 8, inside the BAR) of a decoded
	 * BAR. For a read set *val (it starts as all ones). Runs on vCPU
	 * threads, concurrently, with the bus's decode lock held for reading:
	 * it must not make config accesses.
	 */
	void (*bar_access)(struct pci_dev *pd, unsigned bar, uint64_t off,
			   unsigned size, bool write, uint64_t *val);
	/*
	 * Optional: where the BAR decodes changed (0: it no longer decodes).
	 * Runs with the bus lock held (from a config write or a reset).
	 */
	void (*bar_moved)(struct pci_dev *pd, unsigned bar, uint64_t addr);
};

struct pci_bar {
	enum pci_bar_type type;
	uint64_t size;		/* power of two; 0 when absent */
	uint64_t addr;		/* where it decodes now; 0: nowhere */
};

struct pci_dev {
	struct pci_cfg cfg;
	struct pci_cfg power_on;	/* restored by pci_dev_reset */
	const struct pci_dev_ops *ops;
	void *priv;
	struct pci_bus *bus;		/* set by pci_bus_add_dev */
	unsigned slot;
	unsigned gsi;			/* INTA's IOAPIC pin */
	struct pci_bar bar[PCI_BARS];
	unsigned cap_last;	/* offset of the last capability, 0: none */
	unsigned cap_free;	/* where the next one goes */
	struct pci_msix *msix;	/* its MSI-X capability, if any */
};

/* A header-type-0 function: ids, class (base << 16 | sub << 8 | prog-if). */
void pci_dev_init(struct pci_dev *pd, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint16_t subvendor,
		  uint16_t subdevice, const struct pci_dev_ops *ops,
		  void *priv);
/*
 * Declares BAR bar (size a power of two >= 16; a 64-bit one uses bar+1 and
 * is prefetchable, so it may go to the 64-bit window).
 */
int pci_dev_add_bar(struct pci_dev *pd, unsigned bar, enum pci_bar_type type,
		    uint64_t size);
/*
 * Appends a capability: len bytes of body (body[0] is the id; the next
 * pointer at body[1] is filled in). Returns its config offset, or -ENOSPC.
 * Its bytes are read-only until the caller widens cfg.wmask.
 */
int pci_dev_add_cap(struct pci_dev *pd, const void *body, unsigned len);
/* Config space as the guest sees it (BAR sizing, masks, MSI-X hooks). */
uint32_t pci_dev_cfg_read(struct pci_dev *pd, unsigned off, unsigned size);
void pci_dev_cfg_write(struct pci_dev *pd, unsigned off, unsigned size,
		       uint32_t val);
/* Back to power-on: config image, BAR placement, MSI-X state. */
void pci_dev_reset(struct pci_dev *pd);

/*
 * Puts pd on bus at slot (1..30; 0: the lowest free slot not in
 * reserved_slots, a bit mask), gives its INTA a GSI, and places its BARs
 * in the windows, as firmware would. Returns the slot or -errno.
 */
int pci_bus_add_dev(struct pci_bus *bus, struct pci_dev *pd, unsigned slot,
		    uint32_t reserved_slots);
/*
 * Gives the bus its 64-bit window (LAYOUT_PCI_MMIO64_SIZE bytes at base,
 * above 4 GiB and aligned to its size; 0: none), where devices added from
 * then on get their 64-bit BARs. -EINVAL for a bad base.
 */
int pci_bus_set_mmio64(struct pci_bus *bus, uint64_t base);
/* A guest access into a window: dispatches to the decoding BAR (or none). */
void pci_bus_window_access(struct pci_bus *bus, bool io, uint64_t addr,
			   unsigned size, bool write, uint64_t *val);
/* An ECAM access: off is relative to the ECAM base (bus 0). */
void pci_bus_ecam_access(struct pci_bus *bus, uint64_t off, unsigned size,
			 bool write, uint64_t *val);
/* GSI of INTx pin (0 = INTA) on slot: the swizzle the DSDT's _PRT names. */
unsigned pci_intx_gsi(unsigned slot, unsigned pin);

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
