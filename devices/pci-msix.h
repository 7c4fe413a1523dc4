/* pci-msix.h - MSI-X (PCI Local Bus 3.0, 6.8.2): the capability, the vector table and pending bits in a BAR, masking and delivery. */
#ifndef HYVE_PCI_MSIX_H
#define HYVE_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"

#define PCI_MSIX_MAX		64	/* vectors a function may have */
#define PCI_MSIX_CAP_LEN	12
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_CTRL_ENABLE	0x8000
#define PCI_MSIX_CTRL_MASKALL	0x4000
#define PCI_MSIX_VEC_MASKED	0x1

/* How vectors reach the CPUs (a VM: an MSI route plus an irqfd). */
/* Both run with the MSI-X lock held: they must not call back into it. */
struct pci_msix_ops {
	/* Points vector vec at the message (addr, data); 0 or -errno. */
	int (*route)(void *ctx, unsigned vec, uint64_t addr, uint32_t data);
	/* Delivers vector vec's (routed) message now. */
	void (*fire)(void *ctx, unsigned vec);
};

struct pci_msix_vec {
	uint32_t addr_lo, addr_hi, data, ctrl;	/* the table entry */
	bool routed;				/* what route() was told */
	uint64_t r_addr;
	uint32_t r_data;
};

struct pci_msix {
	pthread_mutex_t lock;
	struct pci_dev *pd;
	unsigned cap_off;
	unsigned nvec;
	bool enabled, masked;		/* from the capability */
	struct pci_msix_vec vec[PCI_MSIX_MAX];
	uint64_t pending;		/* the PBA */
	const struct pci_msix_ops *ops;
	void *ctx;
};

/*
 * Adds the capability to pd: nvec vectors, the table at table_off and the
 * PBA at pba_off of BAR bar (both 8-byte aligned; the caller routes BAR
 * accesses to the two functions below). Returns 0 or -errno.
 */
int pci_msix_init(struct pci_msix *m, struct pci_dev *pd, unsigned nvec,
		  unsigned bar, uint32_t table_off, uint32_t pba_off,
		  const struct pci_msix_ops *ops, void *ctx);
void pci_msix_destroy(struct pci_msix *m);

/* Bytes the table and the PBA of nvec vectors take. */
#define PCI_MSIX_TABLE_BYTES(n)	((n) * PCI_MSIX_ENTRY_SIZE)
#define PCI_MSIX_PBA_BYTES(n)	((((n) + 63) / 64) * 8)

/* Guest accesses; off is relative to the table / PBA start. */
void pci_msix_table_access(struct pci_msix *m, uint64_t off, unsigned size,
			   bool write, uint64_t *val);
void pci_msix_pba_access(struct pci_msix *m, uint64_t off, unsigned size,
			 bool write, uint64_t *val);

/* The capability's control word changed (config write). */
void pci_msix_cfg_written(struct pci_msix *m);
/* Power-on: disabled, every vector masked, nothing pending. */
void pci_msix_reset(struct pci_msix *m);

bool pci_msix_enabled(struct pci_msix *m);
/*
 * Raises vector vec: delivered now, or left pending while masked. Returns
 * false when MSI-X is disabled (the caller uses INTx) or vec is out of
 * range.
 */
bool pci_msix_notify(struct pci_msix *m, unsigned vec);

#endif
