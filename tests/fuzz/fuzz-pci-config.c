/* fuzz-pci-config.c - libFuzzer target for PCI config space, BAR decoding and MSI-X (devices/pci-*.c): input bytes are a sequence of guest accesses through ECAM, the BAR window and the MSI-X table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci-internal.h"
#include "devices/pci-msix.h"
#include "vmm/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "assertion failed: %s\n", #c);	\
			abort();					\
		}							\
	} while (0)

struct fdev {
	struct pci_dev pd;
	struct pci_msix msix;
	unsigned fired;
};

static void
fdev_bar(struct pci_dev *pd, unsigned bar, uint64_t off, unsigned size,
	 bool write, uint64_t *val)
{
	struct fdev *f = pd->priv;

	/* The bus only hands out accesses that fit the BAR. */
	FUZZ_ASSERT(bar < PCI_BARS && pd->bar[bar].size);
	FUZZ_ASSERT(off < pd->bar[bar].size && size <= pd->bar[bar].size - off);
	if (bar == 0 && off >= 0x4000 && off < 0x4000 + 16 * 4)
		pci_msix_table_access(&f->msix, off - 0x4000, size, write, val);
	else if (bar == 0 && off >= 0x5000 && off < 0x5008)
		pci_msix_pba_access(&f->msix, off - 0x5000, size, write, val);
	else if (!write)
		*val = off;
}

static const struct pci_dev_ops fdev_ops = { .bar_access = fdev_bar };

static int
fdev_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	FUZZ_ASSERT(vec < 4);
	return (data & 1) ? -1 : 0;	/* routes may fail */
}

static void
fdev_fire(void *ctx, unsigned vec)
{
	struct fdev *f = ctx;

	FUZZ_ASSERT(vec < 4);
	/* ops run with the MSI-X lock held: read the field, do not call in */
	FUZZ_ASSERT(f->msix.enabled);
	f->fired++;
}

static const struct pci_msix_ops fdev_msix = { fdev_route, fdev_fire };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pci_bus bus;
	static struct fdev devs[2];
	size_t i;

	pci_bus_init(&bus);
	FUZZ_ASSERT(pci_bus_set_mmio64(&bus, LAYOUT_PCI_MMIO64_MIN) == 0);
	for (unsigned d = 0; d < 2; d++) {
		struct fdev *f = &devs[d];

		pci_dev_init(&f->pd, 0x1af4, 0x1042 + d, 0x018000, 1, 0x1af4,
			     0x1100, &fdev_ops, f);
		pci_dev_add_bar(&f->pd, 0, d ? PCI_BAR_MEM32 : PCI_BAR_MEM64,
				0x8000);
		pci_dev_add_bar(&f->pd, 2, PCI_BAR_IO, 0x40);
		pci_msix_init(&f->msix, &f->pd, 4, 0, 0x4000, 0x5000,
			      &fdev_msix, f);
		FUZZ_ASSERT(pci_bus_add_dev(&bus, &f->pd, 0, 0) == (int)d + 1);
	}
	/* 12 bytes an access: kind, size, 2 bytes offset-ish, 8 value. */
	for (i = 0; i + 12 <= size; i += 12) {
		const uint8_t *p = data + i;
		unsigned sz = 1u << (p[1] & 3), kind = p[0] % 6;
		uint64_t v, off = (uint64_t)p[2] | (uint64_t)p[3] << 8 |
				  (uint64_t)(p[1] >> 2) << 16;

		memcpy(&v, p + 4, 8);
		switch (kind) {
		case 0:	/* ECAM write / read anywhere (hostile offsets too) */
		case 1:
			pci_bus_ecam_access(&bus, off, sz, kind == 0, &v);
			break;
		case 2:	/* BAR window */
		case 3:
			pci_bus_window_access(&bus, kind == 3,
					      kind == 3 ? PORT_PCI_IO + off :
							  LAYOUT_PCI_MMIO32 + off * 8,
					      sz, p[0] & 0x80, &v);
			break;
		case 4:
			pci_msix_notify(&devs[p[2] & 1].msix, p[3] & 7);
			break;
		case 5:	/* the 64-bit window */
			pci_bus_window_access(&bus, false,
					      LAYOUT_PCI_MMIO64_MIN + off * 8,
					      sz, p[0] & 0x80, &v);
			break;
		}
	}
	for (unsigned d = 0; d < 2; d++) {
		struct pci_dev *pd = &devs[d].pd;
		uint64_t ecam = 0;

		/* Identity is read-only, whatever was written. */
		pci_bus_ecam_access(&bus, (uint64_t)(d + 1) << 15, 4, false,
				    &ecam);
		FUZZ_ASSERT(ecam == (0x1af4u | (0x1042u + d) << 16));
		/* Decoded BARs lie inside their windows. */
		for (unsigned b = 0; b < PCI_BARS; b++) {
			uint64_t a = pd->bar[b].addr;

			if (a == 0)
				continue;
			if (pd->bar[b].type == PCI_BAR_IO)
				FUZZ_ASSERT(a >= PORT_PCI_IO &&
					    a + pd->bar[b].size <=
						    PORT_PCI_IO + PORT_PCI_IO_SIZE);
			else if (a >= LAYOUT_4G)	/* 64-bit BARs only */
				FUZZ_ASSERT(pd->bar[b].type == PCI_BAR_MEM64 &&
					    a >= LAYOUT_PCI_MMIO64_MIN &&
					    a + pd->bar[b].size <=
						    LAYOUT_PCI_MMIO64_MIN +
							    LAYOUT_PCI_MMIO64_SIZE);
			else
				FUZZ_ASSERT(a >= LAYOUT_PCI_MMIO32 &&
					    a + pd->bar[b].size <=
						    LAYOUT_PCI_MMIO32 +
							    LAYOUT_PCI_MMIO32_SIZE);
		}
		pci_msix_destroy(&devs[d].msix);
	}
	pci_bus_destroy(&bus);
	return 0;
}
