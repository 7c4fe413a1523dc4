/* test-pci-host.c - PCI configuration mechanism #1 and the host bridge (devices/pci-host.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "tests/unit/check.h"

static uint32_t
io_rd(struct pci_host *h, unsigned off, unsigned size)
{
	uint32_t v = 0x12345678;

	pci_host_io(h, off, size, false, &v);
	return v;
}

static void
io_wr(struct pci_host *h, unsigned off, unsigned size, uint32_t v)
{
	pci_host_io(h, off, size, true, &v);
}

static uint32_t
addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

static uint32_t
conf_rd(struct pci_host *h, unsigned dev, unsigned fn, unsigned reg,
	unsigned size)
{
	io_wr(h, 0, 4, addr(0, dev, fn, reg));
	return io_rd(h, 4 + (reg & 3), size);
}

static void
count_reset(void *arg)
{
	(*(unsigned *)arg)++;
}

static void
test_address_register(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);

	CHECK_EQ(io_rd(h, 0, 4), 0);
	/* Linux's pci_check_type1(). */
	io_wr(h, 3, 1, 0x01);			/* byte at 0xcfb: elsewhere */
	io_wr(h, 0, 4, 0x80000000);
	CHECK_EQ(io_rd(h, 0, 4), 0x80000000);
	io_wr(h, 0, 4, 0xffffffff);
	CHECK_EQ(io_rd(h, 0, 4), 0x8ffffffc);
	/* Byte and word accesses to 0xcf8-0xcfb are not the register. */
	CHECK_EQ(io_rd(h, 0, 1), 0xff);
	CHECK_EQ(io_rd(h, 2, 2), 0xffff);
	io_wr(h, 0, 2, 0);
	CHECK_EQ(io_rd(h, 0, 4), 0x8ffffffc);
	pci_host_free(h);
}

static void
test_host_bridge(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	unsigned reg;

	CHECK_EQ(conf_rd(h, 0, 0, 0x00, 4), 0x12751275);
	CHECK_EQ(conf_rd(h, 0, 0, 0x00, 2), 0x1275);
	CHECK_EQ(conf_rd(h, 0, 0, 0x02, 2), 0x1275);
	CHECK_EQ(conf_rd(h, 0, 0, 0x01, 1), 0x12);
	CHECK_EQ(conf_rd(h, 0, 0, 0x04, 4), 0x00000006);
	CHECK_EQ(conf_rd(h, 0, 0, 0x08, 4), 0x06000000);
	CHECK_EQ(conf_rd(h, 0, 0, 0x0b, 1), 0x06);
	CHECK_EQ(conf_rd(h, 0, 0, 0x0e, 1), 0x00);
	/* Word access at odd offset inside the window (0xcfd). */
	CHECK_EQ(conf_rd(h, 0, 0, 0x09, 2), 0x0000);
	CHECK_EQ(conf_rd(h, 0, 0, 0x01, 2), 0x7512);
	/* Crossing the window's end reads nothing. */
	io_wr(h, 0, 4, addr(0, 0, 0, 0));
	CHECK_EQ(io_rd(h, 6, 4), 0xffffffff);
	CHECK_EQ(io_rd(h, 7, 2), 0xffff);
	/* Read-only fields ignore writes; BARs are absent. */
	io_wr(h, 0, 4, addr(0, 0, 0, 0));
	io_wr(h, 4, 4, 0);
	CHECK_EQ(conf_rd(h, 0, 0, 0, 4), 0x12751275);
	io_wr(h, 0, 4, addr(0, 0, 0, 0x10));
	io_wr(h, 4, 4, 0xffffffff);
	CHECK_EQ(conf_rd(h, 0, 0, 0x10, 4), 0);
	io_wr(h, 0, 4, addr(0, 0, 0, 0x04));
	io_wr(h, 4, 2, 0xffff);
	CHECK_EQ(conf_rd(h, 0, 0, 0x04, 4), 0x00000006);
	/* Interrupt line is scratch. */
	io_wr(h, 0, 4, addr(0, 0, 0, 0x3c));
	io_wr(h, 4, 1, 0x0b);
	CHECK_EQ(conf_rd(h, 0, 0, 0x3c, 4), 0x0b);
	for (reg = 0x40; reg < 0x100; reg += 4)
		CHECK_EQ(conf_rd(h, 0, 0, reg, 4), 0);
	pci_host_reset(h);
	CHECK_EQ(conf_rd(h, 0, 0, 0x3c, 4), 0);
	pci_host_free(h);
}

static void
test_absent_functions(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	unsigned dev, fn;

	for (dev = 0; dev < 32; dev++)
		for (fn = 0; fn < 8; fn++)
			if (dev || fn)
				CHECK_EQ(conf_rd(h, dev, fn, 0, 4), 0xffffffff);
	/* Other buses, disabled address, extended registers: all ones. */
	io_wr(h, 0, 4, addr(1, 0, 0, 0));
	CHECK_EQ(io_rd(h, 4, 4), 0xffffffff);
	io_wr(h, 0, 4, 0);
	CHECK_EQ(io_rd(h, 4, 4), 0xffffffff);
	CHECK_EQ(io_rd(h, 4, 1), 0xff);
	io_wr(h, 0, 4, addr(0, 0, 0, 0) | 0x01000000);
	CHECK_EQ(io_rd(h, 4, 4), 0xffffffff);
	pci_host_free(h);
}

static void
test_reset_control(void)
{
	unsigned resets = 0;
	struct pci_host *h = pci_host_new(count_reset, &resets);

	CHECK_EQ(io_rd(h, 1, 1), 0);
	io_wr(h, 1, 1, 0x02);		/* Linux: hard reset request first */
	CHECK_EQ(resets, 0);
	CHECK_EQ(io_rd(h, 1, 1), 0x02);
	io_wr(h, 1, 1, 0x06);
	CHECK_EQ(resets, 1);
	CHECK_EQ(io_rd(h, 1, 1), 0x02);
	io_wr(h, 1, 1, 0x0e);
	CHECK_EQ(resets, 2);
	CHECK_EQ(io_rd(h, 1, 1), 0x0a);
	/* Not a byte access: not the reset register. */
	io_wr(h, 1, 2, 0x0606);
	CHECK_EQ(resets, 2);
	/* The address register is separate from it. */
	io_wr(h, 0, 4, 0x80000000);
	CHECK_EQ(io_rd(h, 1, 1), 0x0a);
	CHECK_EQ(io_rd(h, 0, 4), 0x80000000);
	pci_host_free(h);
}

static uint32_t fake_cfg;
static uint32_t
fake_read(void *dev, unsigned off, unsigned size)
{
	return (uint32_t)(off | size << 8);
}
static void
fake_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
	fake_cfg = off << 24 | size << 16 | (val & 0xffff);
}
static const struct pci_func_ops fake_ops = { fake_read, fake_write };

static void
test_bus_add(void)
{
	struct pci_host *h = pci_host_new(NULL, NULL);
	struct pci_bus *b = pci_host_bus(h);

	CHECK_EQ(pci_bus_add(b, 0, 0, &fake_ops, NULL), -EBUSY);
	CHECK_EQ(pci_bus_add(b, 32, 0, &fake_ops, NULL), -EINVAL);
	CHECK_EQ(pci_bus_add(b, 3, 8, &fake_ops, NULL), -EINVAL);
	CHECK_EQ(pci_bus_add(b, 3, 1, &fake_ops, NULL), 0);
	CHECK_EQ(conf_rd(h, 3, 1, 0x42, 2), 0x242);
	CHECK_EQ(conf_rd(h, 3, 1, 0x43, 1), 0x43);	/* masked to the size */
	io_wr(h, 0, 4, addr(0, 3, 1, 0x40));
	io_wr(h, 5, 2, 0xbeef);
	CHECK_EQ(fake_cfg, 0x4102beef);
	pci_host_free(h);
}

static void
test_every_access(void)
{
	unsigned resets = 0, off, size, i;
	struct pci_host *h = pci_host_new(count_reset, &resets);

	for (i = 0; i < 70000; i++) {
		uint32_t v = i * 2654435761u;

		io_wr(h, 0, 4, v);
		for (off = 0; off < 8; off++)
			for (size = 1; size <= 4; size <<= 1) {
				if (off == 1 && size == 1)
					continue;
				io_rd(h, off, size);
				if (off != 0)
					io_wr(h, off, size, v);
			}
		io_rd(h, 0, 3);
		io_wr(h, 9, 8, v);
	}
	CHECK_EQ(resets, 0);
	CHECK_EQ(conf_rd(h, 0, 0, 0, 4), 0x12751275);
	pci_host_free(h);
}

int
main(void)
{
	RUN_TEST(test_address_register);
	RUN_TEST(test_host_bridge);
	RUN_TEST(test_absent_functions);
	RUN_TEST(test_reset_control);
	RUN_TEST(test_bus_add);
	RUN_TEST(test_every_access);
	CHECK_EXIT();
}
