/* pci-internal.h - the PCI bus's insides, shared by pci-host.c, pci-bus.c and pci-dev.c only. */
#ifndef HYVE_PCI_INTERNAL_H
#define HYVE_PCI_INTERNAL_H

#include <pthread.h>

#include "devices/pci.h"

struct pci_func {
	const struct pci_func_ops *ops;
	void *dev;
};

struct pci_bus {
	pthread_mutex_t lock;		/* config cycles, BAR moves */
	pthread_rwlock_t decode_lock;	/* written when a BAR moves */
	struct pci_func funcs[PCI_SLOTS * PCI_FUNCS];	/* by devfn */
	struct pci_dev *devs[PCI_SLOTS];	/* functions 0 with BARs */
	uint64_t mmio64;		/* 64-bit window base, 0: none */
	uint64_t next_mmio;		/* BAR placement cursors */
	uint64_t next_mmio64;
	uint64_t next_io;
};

int pci_bus_init(struct pci_bus *bus);
void pci_bus_destroy(struct pci_bus *bus);
/* A config cycle to devfn with bus->lock held; reads of absent ones: ones. */
void pci_bus_cfg(struct pci_bus *bus, unsigned devfn, unsigned reg,
		 unsigned size, bool write, uint32_t *val);

/*
 * Whether [addr, addr + size) lies in the 32-bit window or, if wide, in
 * bus's 64-bit window (bus may be NULL: no 64-bit window).
 */
bool pci_bus_in_mmio(const struct pci_bus *bus, uint64_t addr, uint64_t size,
		     bool wide);

/* pci-dev.c: recomputes where pd's BARs decode (bus->lock held). */
void pci_dev_update_decode(struct pci_dev *pd);

#endif
