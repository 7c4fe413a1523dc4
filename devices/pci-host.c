/* pci-host.c - PCI configuration mechanism #1 (PCI Local Bus Spec 3.0) and a host bridge. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci-internal.h"
#include "vmm/compat.h"
#include "vmm/layout.h"

/*
 * Ports 0xcf8-0xcff: a dword access at 0xcf8 is the address register
 * (enable bit 31, bus 23:16, device 15:11, function 10:8, register 7:2);
 * 0xcfc-0xcff is a window onto that dword of configuration space, open to
 * byte, word and dword accesses. A byte access to 0xcf9 is instead the
 * reset control register of Intel chipsets, which ACPI's RESET_REG names.
 * Any other access to 0xcf8-0xcfb goes nowhere. Only bus 0 exists; absent
 * functions read as all ones.
 */

#define PCI_ADDR_ENABLE		0x80000000u
#define PCI_ADDR_EXT_REG	0x0f000000u	/* AMD extended register bits */
#define PCI_ADDR_MASK		0x8ffffffcu

#define RCR_RST_CPU		0x04		/* 0 -> 1: reset the system */

/* The host bridge's identity, as bhyve's hostbridge uses. */
#define HOSTBRIDGE_VENDOR	0x1275
#define HOSTBRIDGE_DEVICE	0x1275

struct pci_host {
	struct pci_bus bus;
	void (*reset)(void *arg);
	void *reset_arg;
	uint32_t addr;		/* address register */
	uint8_t rcr;		/* reset control register */
	struct pci_cfg bridge;	/* 00:00.0 */
};

/* ---- The host bridge at 00:00.0 ---- */

static void
hostbridge_init(struct pci_cfg *c)
{
	memset(c, 0, sizeof(*c));
	pci_cfg_set16(c, PCI_VENDOR_ID, HOSTBRIDGE_VENDOR);
	pci_cfg_set16(c, PCI_DEVICE_ID, HOSTBRIDGE_DEVICE);
	pci_cfg_set16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_cfg_set8(c, PCI_CLASS_BASE, 0x06);	/* bridge */
	pci_cfg_set8(c, PCI_CLASS_SUB, 0x00);	/* host bridge */
	pci_cfg_set8(c, PCI_HEADER_TYPE, 0x00);
	/* Scratch fields software may write; all else is read-only. */
	c->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->wmask[PCI_LATENCY_TIMER] = 0xff;
	c->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

/* ---- The host: ports 0xcf8-0xcff ---- */

/* A config cycle through the data window; off is 0..3 within it. */
static void
pci_host_data(struct pci_host *h, unsigned off, unsigned size, bool write,
	      uint32_t *val)
{
	uint32_t a = h->addr;

	if (!(a & PCI_ADDR_ENABLE) || (a & PCI_ADDR_EXT_REG) ||
	    ((a >> 16) & 0xff) != 0)
		return;
	pci_bus_cfg(&h->bus, (a >> 8) & 0xff, (a & 0xfc) + off, size, write,
		    val);
}

void
pci_host_io(struct pci_host *h, unsigned off, unsigned size, bool write,
	    uint32_t *val)
{
	uint32_t ones;
	bool reset = false;

	if (size != 1 && size != 2 && size != 4)
		return;
	ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	if (write)
		*val &= ones;
	else
		*val = ones;
	pthread_mutex_lock(&h->bus.lock);
	if (off == 0 && size == 4) {
		if (write)
			h->addr = *val & PCI_ADDR_MASK;
		else
			*val = h->addr;
	} else if (off == PORT_RESET_CONTROL - PORT_PCI_CONF_ADDR &&
		   size == 1) {
		if (write) {
			h->rcr = (uint8_t)(*val & ~RCR_RST_CPU);
			reset = *val & RCR_RST_CPU;
		} else {
			*val = h->rcr;
		}
	} else if (off >= 4 && off + size <= 8) {
		pci_host_data(h, off - 4, size, write, val);
	}
	if (!write)
		*val &= ones;
	pthread_mutex_unlock(&h->bus.lock);
	if (reset && h->reset != NULL)
		h->reset(h->reset_arg);
}

struct pci_bus *
pci_host_bus(struct pci_host *h)
{
	return &h->bus;
}

void
pci_host_reset(struct pci_host *h)
{
	pthread_mutex_lock(&h->bus.lock);
	h->addr = 0;
	h->rcr = 0;
	hostbridge_init(&h->bridge);
	pthread_mutex_unlock(&h->bus.lock);
}

struct pci_host *
pci_host_new(void (*reset)(void *arg), void *arg)
{
	struct pci_host *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	if (pci_bus_init(&h->bus) != 0) {
		free(h);
		return NULL;
	}
	h->reset = reset;
	h->reset_arg = arg;
	hostbridge_init(&h->bridge);
	if (pci_bus_add(&h->bus, 0, 0, &pci_cfg_image_ops, &h->bridge) < 0) {
		pci_host_free(h);
		return NULL;
	}
	return h;
}

void
pci_host_free(struct pci_host *h)
{
	if (h == NULL)
		return;
	pci_bus_destroy(&h->bus);
	free(h);
}

/* ---- The device model ---- */

static void
pci_host_dev_reset(void *arg)
{
	vm_request_reset(arg, "reset control register");
}

static void
pci_host_dev_trap(void *dev, uint64_t off, unsigned size, bool write,
		  uint64_t *val)
{
	uint32_t v = (uint32_t)*val;

	if (off >= 8)
		return;
	pci_host_io(dev, (unsigned)off, size, write, &v);
	if (!write)
		*val = v;
}

static void
pci_host_ecam_trap(void *dev, uint64_t off, unsigned size, bool write,
		   uint64_t *val)
{
	pci_bus_ecam_access(pci_host_bus(dev), off, size, write, val);
}

static void
pci_host_mmio_trap(void *dev, uint64_t off, unsigned size, bool write,
		   uint64_t *val)
{
	pci_bus_window_access(pci_host_bus(dev), false,
			      LAYOUT_PCI_MMIO32 + off, size, write, val);
}

static void
pci_host_mmio64_trap(void *dev, uint64_t off, unsigned size, bool write,
		     uint64_t *val)
{
	struct pci_bus *bus = pci_host_bus(dev);

	pci_bus_window_access(bus, false, bus->mmio64 + off, size, write, val);
}

static void
pci_host_io_trap(void *dev, uint64_t off, unsigned size, bool write,
		 uint64_t *val)
{
	pci_bus_window_access(pci_host_bus(dev), true, PORT_PCI_IO + off, size,
			      write, val);
}

/* What the host claims: config ports, ECAM and the BAR windows (+ mmio64). */
static const struct {
	enum vm_space space;
	uint64_t base, len;
	vm_trap_fn *fn;
} pci_host_traps[] = {
	{ VM_SPACE_PIO, PORT_PCI_CONF_ADDR, 8, pci_host_dev_trap },
	{ VM_SPACE_MMIO, LAYOUT_PCI_ECAM, LAYOUT_PCI_ECAM_SIZE,
	  pci_host_ecam_trap },
	{ VM_SPACE_MMIO, LAYOUT_PCI_MMIO32, LAYOUT_PCI_MMIO32_SIZE,
	  pci_host_mmio_trap },
	{ VM_SPACE_PIO, PORT_PCI_IO, PORT_PCI_IO_SIZE, pci_host_io_trap },
};

static int
pci_host_claim(struct vm *vm, struct pci_host *h, enum vm_space space,
	       uint64_t base, uint64_t len, vm_trap_fn *fn, char *err)
{
	int rc = vm_trap_add(vm, space, base, len, fn, h);

	if (rc < 0)
		snprintf(err, VM_ERR_MAX,
			 "pci-host: cannot claim %s %#llx-%#llx: %s",
			 space == VM_SPACE_PIO ? "ports" : "memory",
			 (unsigned long long)base,
			 (unsigned long long)(base + len - 1), strerror(-rc));
	return rc;
}

static int
pci_host_dev_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	uint64_t mmio64 = vm_pci_mmio64(vm);	/* as the DSDT's _CRS says */
	struct pci_host *h;
	int rc = 0;

	h = pci_host_new(pci_host_dev_reset, vm);
	if (h == NULL) {
		snprintf(err, VM_ERR_MAX, "pci-host: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(pci_host_traps); i++)
		rc = pci_host_claim(vm, h, pci_host_traps[i].space,
				    pci_host_traps[i].base,
				    pci_host_traps[i].len, pci_host_traps[i].fn,
				    err);
	if (rc == 0 && mmio64 != 0)
		rc = pci_host_claim(vm, h, VM_SPACE_MMIO, mmio64,
				    LAYOUT_PCI_MMIO64_SIZE,
				    pci_host_mmio64_trap, err);
	if (rc == 0)
		rc = pci_bus_set_mmio64(&h->bus, mmio64);
	if (rc < 0) {
		pci_host_free(h);
		return rc;
	}
	*state = h;
	return 0;
}

static void
pci_host_dev_detach(void *state)
{
	pci_host_free(state);
}

static void
pci_host_dev_reset_op(void *state)
{
	pci_host_reset(state);
}

const struct device_model pci_host_model = {
	.name = "pci-host",
	.attach = pci_host_dev_attach,
	.detach = pci_host_dev_detach,
	.reset = pci_host_dev_reset_op,
};
