/* test-pci.c - PCI functions (devices/pci-dev.c, pci-bus.c, pci-msix.c): config masks, BAR sizing and decoding, capabilities, MSI-X, conf1 and ECAM, hostile accesses. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "devices/pci-msix.h"
#include "devices/pci.h"
#include "tests/unit/check.h"
#include "vmm/layout.h"
#include "vmm/vmm.h"

/* A device that records its BAR accesses and moves. */
struct fake {
	struct pci_dev pd;
	struct pci_msix msix;
	unsigned accesses, last_bar;
	uint64_t last_off, last_val;
	bool last_write;
	uint64_t moved_to[PCI_BARS];
	unsigned moves;
	/* MSI-X side */
	unsigned fired[8], routes;
	uint64_t route_addr[8];
	uint32_t route_data[8];
};

static void
fake_bar_access(struct pci_dev *pd, unsigned bar, uint64_t off, unsigned size,
		bool write, uint64_t *val)
{
	struct fake *f = pd->priv;

	f->accesses++;
	f->last_bar = bar;
	f->last_off = off;
	f->last_write = write;
	if (write)
		f->last_val = *val;
	else
		*val = 0xabcd0000 + off;
	(void)size;
}

static void
fake_bar_moved(struct pci_dev *pd, unsigned bar, uint64_t addr)
{
	struct fake *f = pd->priv;

	f->moved_to[bar] = addr;
	f->moves++;
}

static const struct pci_dev_ops fake_ops = {
	.bar_access = fake_bar_access,
	.bar_moved = fake_bar_moved,
};

static int
fake_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	struct fake *f = ctx;

	f->routes++;
	f->route_addr[vec] = addr;
	f->route_data[vec] = data;
	return 0;
}

static void
fake_fire(void *ctx, unsigned vec)
{
	struct fake *f = ctx;

	f->fired[vec]++;
}

static const struct pci_msix_ops fake_msix_ops = {
	.route = fake_route,
	.fire = fake_fire,
};

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pci_dev_init(&f->pd, 0x1af4, 0x1042, 0x018000, 1, 0x1af4, 0x1100,
		     &fake_ops, f);
}

/* ---- conf1 / ECAM helpers on a host ---- */

static uint32_t
conf1_rd(struct pci_host *h, unsigned slot, unsigned reg, unsigned size)
{
	uint32_t a = 0x80000000u | slot << 11 | (reg & 0xfc), v = 0;

	pci_host_io(h, 0, 4, true, &a);
	pci_host_io(h, 4 + (reg & 3), size, false, &v);
	return v;
}

static void
conf1_wr(struct pci_host *h, unsigned slot, unsigned reg, unsigned size,
	 uint32_t v)
{
	uint32_t a = 0x80000000u | slot << 11 | (reg & 0xfc);

	pci_host_io(h, 0, 4, true, &a);
	pci_host_io(h, 4 + (reg & 3), size, true, &v);
}

static uint64_t
ecam_rd(struct pci_host *h, unsigned slot, unsigned reg, unsigned size)
{
	uint64_t v = ~0ull;

	pci_bus_ecam_access(pci_host_bus(h), (uint64_t)slot << 15 | reg, size,
			    false, &v);
	return v;
}

static void
ecam_wr(struct pci_host *h, unsigned slot, unsigned reg, unsigned size,
	uint64_t v)
{
	pci_bus_ecam_access(pci_host_bus(h), (uint64_t)slot << 15 | reg, size,
			    true, &v);
}

/* ---- Tests ---- */

static void
test_config_masks(void)
{
	struct fake f;

	fake_init(&f);
	/* Identity is read-only. */
	pci_dev_cfg_write(&f.pd, PCI_VENDOR_ID, 4, 0);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_VENDOR_ID, 4), 0x10421af4);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_CLASS_PROG, 1), 0x00);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_CLASS_BASE, 1), 0x01);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_SUBSYSTEM_ID, 2), 0x1100);
	/* Command: only IO, MEM, MASTER and INTX_DISABLE stick. */
	pci_dev_cfg_write(&f.pd, PCI_COMMAND, 2, 0xffff);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_COMMAND, 2), 0x0407);
	/* Interrupt line is scratch; the pin is INTA and read-only. */
	pci_dev_cfg_write(&f.pd, PCI_INTERRUPT_LINE, 2, 0x0455);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_INTERRUPT_LINE, 1), 0x55);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_INTERRUPT_PIN, 1), 1);
	/* Hostile offsets and sizes change nothing and read all ones. */
	pci_dev_cfg_write(&f.pd, 0xfe, 4, 0);
	pci_dev_cfg_write(&f.pd, 0x1000, 4, 0);
	pci_dev_cfg_write(&f.pd, PCI_COMMAND, 3, 0);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_COMMAND, 2), 0x0407);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, 0x100, 4), 0xffffffffu);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, 0xfe, 4), 0xffffffffu);
}

static void
test_bar_sizing(void)
{
	struct fake f;

	fake_init(&f);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 0, PCI_BAR_MEM64, 0x8000), 0);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 2, PCI_BAR_MEM32, 0x1000), 0);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 3, PCI_BAR_IO, 0x20), 0);
	/* Bad requests. */
	CHECK_EQ(pci_dev_add_bar(&f.pd, 1, PCI_BAR_MEM32, 0x1000), -EINVAL);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 4, PCI_BAR_MEM32, 0x1800), -EINVAL);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 5, PCI_BAR_MEM64, 0x1000), -EINVAL);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 6, PCI_BAR_MEM32, 0x1000), -EINVAL);
	CHECK_EQ(pci_dev_add_bar(&f.pd, 4, PCI_BAR_MEM32, 8), -EINVAL);

	/* The sizing dance: write all ones, read the mask back. */
	for (unsigned i = 0; i < 6; i++)
		pci_dev_cfg_write(&f.pd, PCI_BAR0 + 4 * i, 4, 0xffffffffu);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0, 4), 0xffff800cu);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 4, 4), 0xffffffffu);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 8, 4), 0xfffff000u);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 12, 4), 0x0000ffe1u);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 16, 4), 0);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 20, 4), 0);
	/* No memory BAR decodes while it holds its mask. */
	pci_dev_cfg_write(&f.pd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY |
						 PCI_COMMAND_IO);
	CHECK_EQ(f.pd.bar[0].addr, 0);
	CHECK_EQ(f.pd.bar[2].addr, 0);
	/* Placed inside the windows, they decode; low bits stay flags. */
	pci_dev_cfg_write(&f.pd, PCI_BAR0, 4, 0xc0010000u | 0xf);
	pci_dev_cfg_write(&f.pd, PCI_BAR0 + 4, 4, 0);
	pci_dev_cfg_write(&f.pd, PCI_BAR0 + 8, 4, 0xc0020123u);
	pci_dev_cfg_write(&f.pd, PCI_BAR0 + 12, 4, 0xc040);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0, 4), 0xc001000cu);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 8, 4), 0xc0020000u);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_BAR0 + 12, 4), 0xc041u);
	CHECK_EQ(f.pd.bar[0].addr, 0xc0010000u);
	CHECK_EQ(f.pd.bar[2].addr, 0xc0020000u);
	CHECK_EQ(f.pd.bar[3].addr, 0xc040);
	CHECK_EQ(f.moved_to[0], 0xc0010000u);
	/* Above 4 GiB with no 64-bit window (no bus): not decoded. */
	pci_dev_cfg_write(&f.pd, PCI_BAR0 + 4, 4, 1);
	CHECK_EQ(f.pd.bar[0].addr, 0);
	CHECK_EQ(f.moved_to[0], 0);
	/* Memory decode off: nothing decodes. */
	pci_dev_cfg_write(&f.pd, PCI_BAR0 + 4, 4, 0);
	CHECK_EQ(f.pd.bar[0].addr, 0xc0010000u);
	pci_dev_cfg_write(&f.pd, PCI_COMMAND, 2, 0);
	CHECK_EQ(f.pd.bar[0].addr, 0);
	CHECK_EQ(f.pd.bar[2].addr, 0);
	CHECK_EQ(f.pd.bar[3].addr, 0);
}

static void
test_capabilities(void)
{
	struct fake f;
	uint8_t a[16] = { PCI_CAP_ID_VNDR, 0xee, 16, 1 };
	uint8_t b[20] = { PCI_CAP_ID_VNDR, 0xee, 20, 2 };
	unsigned off, n = 0, ids[8];
	int rc;

	fake_init(&f);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
		 0);
	CHECK_EQ(pci_dev_add_cap(&f.pd, a, sizeof(a)), 0x40);
	CHECK_EQ(pci_dev_add_cap(&f.pd, b, sizeof(b)), 0x50);
	CHECK_EQ(pci_msix_init(&f.msix, &f.pd, 4, 0, 0x4000, 0x5000,
			       &fake_msix_ops, &f), 0);
	CHECK(pci_dev_cfg_read(&f.pd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
	      "status has no capability list bit");
	/* Walk the list as a driver does. */
	off = pci_dev_cfg_read(&f.pd, PCI_CAP_PTR, 1);
	while (off && n < 8) {
		ids[n++] = pci_dev_cfg_read(&f.pd, off, 1);
		off = pci_dev_cfg_read(&f.pd, off + 1, 1);
	}
	CHECK_EQ(n, 3);
	CHECK_EQ(ids[0], PCI_CAP_ID_VNDR);
	CHECK_EQ(ids[1], PCI_CAP_ID_VNDR);
	CHECK_EQ(ids[2], PCI_CAP_ID_MSIX);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, 0x53, 1), 2);	/* body kept */
	/* Capabilities are read-only (apart from MSI-X control). */
	pci_dev_cfg_write(&f.pd, 0x41, 1, 0x00);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, 0x41, 1), 0x50);
	/* The space runs out cleanly. */
	do {
		rc = pci_dev_add_cap(&f.pd, b, sizeof(b));
	} while (rc > 0);
	CHECK_EQ(rc, -ENOSPC);
	CHECK(f.pd.cap_free <= PCI_CFG_SIZE, "caps overflow: %u",
	      f.pd.cap_free);
	pci_msix_destroy(&f.msix);
}

static uint64_t
msix_rd(struct fake *f, uint64_t off, unsigned size)
{
	uint64_t v = ~0ull;

	pci_msix_table_access(&f->msix, off, size, false, &v);
	return v;
}

static void
msix_wr(struct fake *f, uint64_t off, unsigned size, uint64_t v)
{
	pci_msix_table_access(&f->msix, off, size, true, &v);
}

static void
test_msix(void)
{
	struct fake f;
	uint64_t pba;
	unsigned cap;

	fake_init(&f);
	CHECK_EQ(pci_msix_init(&f.msix, &f.pd, 3, 0, 0x4000, 0x5000,
			       &fake_msix_ops, &f), 0);
	cap = f.msix.cap_off;
	CHECK_EQ(pci_dev_cfg_read(&f.pd, cap + 2, 2), 2);	/* size - 1 */
	CHECK_EQ(pci_dev_cfg_read(&f.pd, cap + 4, 4), 0x4000);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, cap + 8, 4), 0x5000);
	/* Disabled: the caller must use INTx. */
	CHECK(!pci_msix_notify(&f.msix, 0), "notify while disabled");
	/* Program vector 1 (masked at power-on). */
	CHECK_EQ(msix_rd(&f, 16 + 12, 4), 1);
	msix_wr(&f, 16, 8, 0x00000000fee01000ull);
	msix_wr(&f, 16 + 8, 4, 0x4041);
	CHECK_EQ(msix_rd(&f, 16, 4), 0xfee01000u);
	CHECK_EQ(msix_rd(&f, 16 + 8, 4), 0x4041);
	/* Enable with vector 1 still masked: the event waits in the PBA. */
	pci_dev_cfg_write(&f.pd, cap + 2, 2, 0xffff);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, cap + 2, 2), 0xc002);
	pci_dev_cfg_write(&f.pd, cap + 2, 2, PCI_MSIX_CTRL_ENABLE);
	CHECK(pci_msix_notify(&f.msix, 1), "notify while enabled");
	CHECK_EQ(f.fired[1], 0);
	pba = ~0ull;
	pci_msix_pba_access(&f.msix, 0, 8, false, &pba);
	CHECK_EQ(pba, 2);
	/* Unmasking delivers it, routed to the programmed message. */
	msix_wr(&f, 16 + 12, 4, 0);
	CHECK_EQ(f.fired[1], 1);
	CHECK_EQ(f.route_addr[1], 0xfee01000u);
	CHECK_EQ(f.route_data[1], 0x4041);
	pci_msix_pba_access(&f.msix, 0, 8, false, &pba);
	CHECK_EQ(pba, 0);
	/* Direct delivery; the route is not redone when unchanged. */
	unsigned routes = f.routes;
	CHECK(pci_msix_notify(&f.msix, 1), "notify");
	CHECK_EQ(f.fired[1], 2);
	CHECK_EQ(f.routes, routes);
	/* Function mask holds everything back, then releases it. */
	pci_dev_cfg_write(&f.pd, cap + 2, 2,
			  PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	pci_msix_notify(&f.msix, 1);
	CHECK_EQ(f.fired[1], 2);
	pci_dev_cfg_write(&f.pd, cap + 2, 2, PCI_MSIX_CTRL_ENABLE);
	CHECK_EQ(f.fired[1], 3);
	/* Hostile accesses: out of the table, unaligned, odd sizes. */
	CHECK_EQ(msix_rd(&f, 3 * 16, 4), 0);
	CHECK_EQ(msix_rd(&f, 1ull << 40, 4), 0);
	CHECK_EQ(msix_rd(&f, 18, 4), 0);
	CHECK_EQ(msix_rd(&f, 16, 2), 0);
	msix_wr(&f, 3 * 16 + 12, 4, 0);
	msix_wr(&f, 17, 4, 0);
	msix_wr(&f, 16, 1, 0);
	CHECK_EQ(msix_rd(&f, 16, 4), 0xfee01000u);
	CHECK(!pci_msix_notify(&f.msix, 3), "vector out of range accepted");
	CHECK(!pci_msix_notify(&f.msix, 1000), "vector out of range");
	/* Reserved vector-control bits read as zero. */
	msix_wr(&f, 12, 4, 0xfffffffe);
	CHECK_EQ(msix_rd(&f, 12, 4), 0);
	/* Reset: disabled, all masked. */
	pci_dev_reset(&f.pd);
	CHECK(!pci_msix_enabled(&f.msix), "enabled after reset");
	CHECK_EQ(msix_rd(&f, 16 + 12, 4), 1);
	CHECK_EQ(pci_dev_cfg_read(&f.pd, cap + 2, 2), 2);
	pci_msix_destroy(&f.msix);
}

static void
test_bus_placement_and_decode(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	struct pci_bus *bus = pci_host_bus(h);
	struct fake a, b, c;
	uint64_t v;

	fake_init(&a);
	fake_init(&b);
	fake_init(&c);
	pci_dev_add_bar(&a.pd, 0, PCI_BAR_MEM64, 0x8000);
	pci_dev_add_bar(&b.pd, 0, PCI_BAR_MEM32, 0x1000);
	pci_dev_add_bar(&b.pd, 1, PCI_BAR_MEM32, 0x10000);
	pci_dev_add_bar(&c.pd, 0, PCI_BAR_MEM32, 0x1000);
	/* Slot 1 is reserved for someone else: auto picks 2, then 3. */
	CHECK_EQ(pci_bus_add_dev(bus, &a.pd, 0, 1u << 1), 2);
	CHECK_EQ(pci_bus_add_dev(bus, &b.pd, 5, 0), 5);
	CHECK_EQ(pci_bus_add_dev(bus, &c.pd, 5, 0), -EBUSY);
	CHECK_EQ(pci_bus_add_dev(bus, &c.pd, 31, 0), -EINVAL);
	CHECK_EQ(pci_bus_add_dev(bus, &c.pd, 0, 0), 1);
	/* INTA swizzle and line register. */
	CHECK_EQ(a.pd.gsi, IRQ_PCI_INTX(2, 0));
	CHECK_EQ(conf1_rd(h, 2, PCI_INTERRUPT_LINE, 1), IRQ_PCI_INTX(2, 0));
	/* Placed like firmware: aligned, in the window, no overlap. */
	uint64_t a0 = conf1_rd(h, 2, PCI_BAR0, 4) & ~0xfu;
	uint64_t b0 = conf1_rd(h, 5, PCI_BAR0, 4) & ~0xfu;
	uint64_t b1 = conf1_rd(h, 5, PCI_BAR0 + 4, 4) & ~0xfu;
	CHECK(a0 >= LAYOUT_PCI_MMIO32 && a0 % 0x8000 == 0, "a0 %#llx",
	      (unsigned long long)a0);
	CHECK(b1 % 0x10000 == 0, "b1 %#llx", (unsigned long long)b1);
	CHECK(b0 + 0x1000 <= a0 || a0 + 0x8000 <= b0, "overlap");
	CHECK(b1 + 0x10000 <= a0 || a0 + 0x8000 <= b1, "overlap");
	CHECK(b1 + 0x10000 <= LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE,
	      "outside");
	/* Not decoded until the driver enables memory. */
	v = 0;
	pci_bus_window_access(bus, false, a0 + 8, 4, false, &v);
	CHECK_EQ(a.accesses, 0);
	conf1_wr(h, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	pci_bus_window_access(bus, false, a0 + 8, 4, false, &v);
	CHECK_EQ(a.accesses, 1);
	CHECK_EQ(v, 0xabcd0008u);
	/* An access straddling the BAR's end goes nowhere. */
	pci_bus_window_access(bus, false, a0 + 0x8000 - 2, 4, true, &v);
	CHECK_EQ(a.accesses, 1);
	/* The guest moves the BAR (sizing first), accesses follow it. */
	conf1_wr(h, 2, PCI_COMMAND, 2, 0);
	conf1_wr(h, 2, PCI_BAR0, 4, 0xffffffffu);
	CHECK_EQ(conf1_rd(h, 2, PCI_BAR0, 4), 0xffff800cu);
	conf1_wr(h, 2, PCI_BAR0, 4, 0xd0000000u);
	conf1_wr(h, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(a.moved_to[0], 0xd0000000u);
	v = 0x77;
	pci_bus_window_access(bus, false, 0xd0000010u, 4, true, &v);
	CHECK_EQ(a.accesses, 2);
	CHECK_EQ(a.last_off, 0x10);
	CHECK_EQ(a.last_val, 0x77);
	pci_bus_window_access(bus, false, a0 + 8, 4, false, &v);
	CHECK_EQ(a.accesses, 2);
	/* Machine reset puts it back where firmware had it, decode off. */
	pci_dev_reset(&a.pd);
	CHECK_EQ(conf1_rd(h, 2, PCI_BAR0, 4) & ~0xfu, a0);
	CHECK_EQ(a.pd.bar[0].addr, 0);
	pci_host_free(h);
}

/* A BAR's 64-bit address as the guest reads it through conf1. */
static uint64_t
bar64_rd(struct pci_host *h, unsigned slot, unsigned bar)
{
	return (conf1_rd(h, slot, PCI_BAR0 + 4 * bar, 4) & ~0xfull) |
	       (uint64_t)conf1_rd(h, slot, PCI_BAR0 + 4 * bar + 4, 4) << 32;
}

static void
test_bus_mmio64_placement(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	struct pci_bus *bus = pci_host_bus(h);
	const uint64_t win = LAYOUT_PCI_MMIO64_MIN;
	struct fake a, b, big, late;
	uint64_t v = 0, a0, b0, b2, l0;

	CHECK_EQ(pci_bus_set_mmio64(bus, win + 4096), -EINVAL);
	CHECK_EQ(pci_bus_set_mmio64(bus, win), 0);
	fake_init(&a);
	fake_init(&b);
	fake_init(&big);
	fake_init(&late);
	pci_dev_add_bar(&a.pd, 0, PCI_BAR_MEM64, 0x4000);
	pci_dev_add_bar(&b.pd, 0, PCI_BAR_MEM32, 0x1000);
	pci_dev_add_bar(&b.pd, 2, PCI_BAR_MEM64, 0x100000);
	pci_dev_add_bar(&big.pd, 0, PCI_BAR_MEM64, LAYOUT_PCI_MMIO64_SIZE / 2);
	pci_dev_add_bar(&late.pd, 0, PCI_BAR_MEM64, 0x8000);
	CHECK_EQ(pci_bus_add_dev(bus, &a.pd, 3, 0), 3);
	CHECK_EQ(pci_bus_add_dev(bus, &b.pd, 4, 0), 4);
	CHECK_EQ(pci_bus_add_dev(bus, &big.pd, 5, 0), 5);
	/* 64-bit BARs above 4 GiB, aligned, inside the window, apart. */
	a0 = bar64_rd(h, 3, 0);
	b2 = bar64_rd(h, 4, 2);
	CHECK(a0 >= win && a0 % 0x4000 == 0 &&
	      a0 + 0x4000 <= win + LAYOUT_PCI_MMIO64_SIZE, "a0 %#llx",
	      (unsigned long long)a0);
	CHECK(b2 >= win && b2 % 0x100000 == 0 &&
	      b2 + 0x100000 <= win + LAYOUT_PCI_MMIO64_SIZE, "b2 %#llx",
	      (unsigned long long)b2);
	CHECK(a0 + 0x4000 <= b2 || b2 + 0x100000 <= a0, "overlap");
	CHECK_EQ(conf1_rd(h, 3, PCI_BAR0, 4) & 0xf, 0xcu);	/* 64, prefetch */
	/* The 32-bit BAR stays in the 32-bit window. */
	b0 = conf1_rd(h, 4, PCI_BAR0, 4) & ~0xfu;
	CHECK(b0 >= LAYOUT_PCI_MMIO32 &&
	      b0 + 0x1000 <= LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE,
	      "b0 %#llx", (unsigned long long)b0);
	/* Half the window left after big: a BAR that fits still goes there... */
	CHECK(bar64_rd(h, 5, 0) >= win, "big at %#llx",
	      (unsigned long long)bar64_rd(h, 5, 0));
	/* ...and one that no longer fits falls back to the 32-bit window. */
	fake_init(&big);
	pci_dev_add_bar(&big.pd, 0, PCI_BAR_MEM64, LAYOUT_PCI_MMIO64_SIZE / 2);
	CHECK_EQ(pci_bus_add_dev(bus, &big.pd, 6, 0), -ENOSPC);
	CHECK_EQ(pci_bus_add_dev(bus, &late.pd, 7, 0), 7);
	l0 = bar64_rd(h, 7, 0);
	CHECK(l0 >= LAYOUT_PCI_MMIO32 &&
	      l0 + 0x8000 <= LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE,
	      "fallback at %#llx", (unsigned long long)l0);
	/* Accesses above 4 GiB reach the device once memory is enabled. */
	conf1_wr(h, 3, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(a.pd.bar[0].addr, a0);
	pci_bus_window_access(bus, false, a0 + 0x10, 4, false, &v);
	CHECK_EQ(a.accesses, 1);
	CHECK_EQ(v, 0xabcd0010u);
	/* Moved past the window's end by the guest: decodes nowhere. */
	conf1_wr(h, 3, PCI_BAR0 + 4, 4,
		 (uint32_t)((win + LAYOUT_PCI_MMIO64_SIZE) >> 32));
	CHECK_EQ(a.pd.bar[0].addr, 0);
	pci_bus_window_access(bus, false, win + LAYOUT_PCI_MMIO64_SIZE + 0x10,
			      4, false, &v);
	CHECK_EQ(a.accesses, 1);
	pci_host_free(h);
}

/* The window's rule: above RAM, aligned, inside the address bits. */
static void
test_mmio64_base_rule(void)
{
	const uint64_t g = 1ULL << 30, sz = LAYOUT_PCI_MMIO64_SIZE;

	CHECK_EQ(pci_mmio64_base(256ULL << 20, 39), LAYOUT_PCI_MMIO64_MIN);
	CHECK_EQ(pci_mmio64_base(8 * g, 39), LAYOUT_PCI_MMIO64_MIN);
	/* 100 GiB: RAM ends at 101 GiB, the window starts at 128 GiB. */
	CHECK_EQ(pci_mmio64_base(100 * g, 40), 2 * sz);
	for (uint64_t mem = 16ULL << 20; mem <= (1ULL << 40); mem *= 4) {
		uint64_t b = pci_mmio64_base(mem, 46), end = LAYOUT_4G + mem;

		CHECK(b != 0 && b % sz == 0 && b >= end - 3 * g &&
		      b >= LAYOUT_PCI_MMIO64_MIN, "memory %#llx: base %#llx",
		      (unsigned long long)mem, (unsigned long long)b);
	}
	/* Too few address bits: no window. */
	CHECK_EQ(pci_mmio64_base(256ULL << 20, 36), 0);
	CHECK_EQ(pci_mmio64_base(256ULL << 20, 37), LAYOUT_PCI_MMIO64_MIN);
	CHECK_EQ(pci_mmio64_base(1ULL << 40, 40), 0);
	CHECK_EQ(pci_mmio64_base(256ULL << 20, 0), 0);
	CHECK_EQ(pci_mmio64_base(256ULL << 20, 255), LAYOUT_PCI_MMIO64_MIN);
}

static void
test_conf1_and_ecam_agree(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	struct fake a;

	fake_init(&a);
	pci_dev_add_bar(&a.pd, 0, PCI_BAR_MEM32, 0x1000);
	CHECK_EQ(pci_bus_add_dev(pci_host_bus(h), &a.pd, 3, 0), 3);
	CHECK_EQ(ecam_rd(h, 3, 0, 4), 0x10421af4);
	CHECK_EQ(ecam_rd(h, 3, 2, 2), 0x1042);
	CHECK_EQ(ecam_rd(h, 0, 0, 2), conf1_rd(h, 0, 0, 2));
	/* Written through ECAM, read through conf1, and back. */
	ecam_wr(h, 3, PCI_INTERRUPT_LINE, 1, 0x3a);
	CHECK_EQ(conf1_rd(h, 3, PCI_INTERRUPT_LINE, 1), 0x3a);
	conf1_wr(h, 3, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	CHECK_EQ(ecam_rd(h, 3, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	/* Absent functions and hostile ECAM accesses. */
	CHECK_EQ(ecam_rd(h, 9, 0, 4), ~0ull);
	CHECK_EQ(ecam_rd(h, 3, 0x100, 4), 0);		/* no ext caps */
	CHECK_EQ(ecam_rd(h, 3, 0xffe, 4), ~0ull);	/* crosses a dword */
	CHECK_EQ(ecam_rd(h, 3, 0, 8), ~0ull);		/* too wide */
	uint64_t v = ~0ull;
	pci_bus_ecam_access(pci_host_bus(h), LAYOUT_PCI_ECAM_SIZE, 4, false,
			    &v);
	CHECK_EQ(v, ~0ull);
	ecam_wr(h, 3, 3, 2, 0);				/* crosses */
	ecam_wr(h, 3, 0x200, 4, 0);
	CHECK_EQ(conf1_rd(h, 3, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	pci_host_free(h);
}

int
main(void)
{
	RUN_TEST(test_config_masks);
	RUN_TEST(test_bar_sizing);
	RUN_TEST(test_capabilities);
	RUN_TEST(test_msix);
	RUN_TEST(test_bus_placement_and_decode);
	RUN_TEST(test_bus_mmio64_placement);
	RUN_TEST(test_mmio64_base_rule);
	RUN_TEST(test_conf1_and_ecam_agree);
	CHECK_EXIT();
}
