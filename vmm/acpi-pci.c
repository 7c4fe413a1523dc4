/* acpi-pci.c - the DSDT's PCI part: \_SB.PCI0 (host bridge windows in _CRS, INTx routing in _PRT) and the ECAM area reserved by a PNP0C02 device (ACPI 6.4, 6.2.13, 6.4). */
#include <stdint.h>

#include "vmm/acpi.h"
#include "vmm/aml.h"
#include "vmm/compat.h"
#include "vmm/layout.h"

#define PCI_SLOTS	32
#define PCI_PINS	4

/* Large resource descriptors (ACPI 6.4, 6.4.3). */
#define RES_MEM32_FIXED	0x86
#define RES_DWORD	0x87
#define RES_WORD	0x88
#define RES_QWORD	0x8a
#define RES_IO		0x47	/* small: I/O port, 7 bytes */
#define RES_END		0x79

#define RES_TYPE_MEM	0
#define RES_TYPE_IO	1
#define RES_TYPE_BUS	2
#define RES_PRODUCER_FIXED	0x0c	/* producer, min and max fixed */

/* WORD address space descriptor: bus numbers or an I/O window. */
static void
res_word(struct aml *a, uint8_t type, uint8_t tflags, uint16_t min,
	 uint16_t max)
{
	uint8_t d[16] = { RES_WORD, 13, 0, type, RES_PRODUCER_FIXED, tflags };

	put_le16(d + 8, min);
	put_le16(d + 10, max);
	put_le16(d + 14, (uint16_t)(max - min + 1));
	aml_bytes(a, d, sizeof(d));
}

/* DWORD memory window, read-write, non-cacheable. */
static void
res_dword_mem(struct aml *a, uint32_t min, uint32_t max)
{
	uint8_t d[26] = { RES_DWORD, 23, 0, RES_TYPE_MEM, RES_PRODUCER_FIXED,
			  0x01 };

	put_le32(d + 10, min);
	put_le32(d + 14, max);
	put_le32(d + 22, max - min + 1);
	aml_bytes(a, d, sizeof(d));
}

/* QWORD memory window above 4 GiB, read-write, cacheable (prefetchable BARs). */
static void
res_qword_mem(struct aml *a, uint64_t min, uint64_t max)
{
	uint8_t d[46] = { RES_QWORD, 43, 0, RES_TYPE_MEM, RES_PRODUCER_FIXED,
			  0x03 };

	put_le64(d + 14, min);
	put_le64(d + 22, max);
	put_le64(d + 38, max - min + 1);
	aml_bytes(a, d, sizeof(d));
}

static void
res_end(struct aml *a)
{
	static const uint8_t d[2] = { RES_END, 0 };

	aml_bytes(a, d, sizeof(d));
}

static void
acpi_pci_crs(struct aml *a, uint64_t mmio64)
{
	static const uint8_t conf_ports[8] = {
		RES_IO, 0x01, PORT_PCI_CONF_ADDR & 0xff,
		PORT_PCI_CONF_ADDR >> 8, PORT_PCI_CONF_ADDR & 0xff,
		PORT_PCI_CONF_ADDR >> 8, 1, 8
	};

	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	res_word(a, RES_TYPE_BUS, 0, 0, 0);
	aml_bytes(a, conf_ports, sizeof(conf_ports));
	res_word(a, RES_TYPE_IO, 0x03, 0x0000, PORT_PCI_CONF_ADDR - 1);
	res_word(a, RES_TYPE_IO, 0x03, PORT_PCI_CONF_ADDR + 8, 0xffff);
	res_dword_mem(a, (uint32_t)LAYOUT_PCI_MMIO32,
		      (uint32_t)(LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE - 1));
	if (mmio64)
		res_qword_mem(a, mmio64, mmio64 + LAYOUT_PCI_MMIO64_SIZE - 1);
	res_end(a);
	aml_end(a);
}

/* _PRT: every slot's INTA-INTD straight to an IOAPIC GSI (source 0). */
static void
acpi_pci_prt(struct aml *a)
{
	aml_name(a, "_PRT");
	aml_package_begin(a, (PCI_SLOTS - 1) * PCI_PINS);
	for (unsigned slot = 1; slot < PCI_SLOTS; slot++) {
		for (unsigned pin = 0; pin < PCI_PINS; pin++) {
			aml_package_begin(a, 4);
			aml_int(a, (uint64_t)slot << 16 | 0xffff);
			aml_int(a, pin);
			aml_int(a, 0);
			aml_int(a, acpi_pci_intx_gsi(slot, pin));
			aml_end(a);
		}
	}
	aml_end(a);
}

/* The ECAM area, reserved so that Linux trusts the MCFG. */
static void
acpi_pci_ecam_reservation(struct aml *a)
{
	uint8_t d[12] = { RES_MEM32_FIXED, 9, 0, 0x01 };

	put_le32(d + 4, (uint32_t)LAYOUT_PCI_ECAM);
	put_le32(d + 8, (uint32_t)LAYOUT_PCI_ECAM_SIZE);
	aml_device_begin(a, "MRES");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C02");
	aml_name(a, "_UID");
	aml_int(a, 1);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	aml_bytes(a, d, sizeof(d));
	res_end(a);
	aml_end(a);
	aml_end(a);
}

unsigned
acpi_pci_intx_gsi(unsigned slot, unsigned pin)
{
	return IRQ_PCI_INTX(slot, pin);
}

void
acpi_pci_aml(struct aml *a, uint64_t mmio64)
{
	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A08");	/* PCI Express root bridge */
	aml_name(a, "_CID");
	aml_eisaid(a, "PNP0A03");	/* PCI root bridge */
	aml_name(a, "_ADR");
	aml_int(a, 0);
	aml_name(a, "_UID");
	aml_int(a, 0);
	aml_name(a, "_SEG");
	aml_int(a, 0);
	aml_name(a, "_BBN");
	aml_int(a, 0);
	acpi_pci_crs(a, mmio64);
	acpi_pci_prt(a);
	aml_end(a);
	acpi_pci_ecam_reservation(a);
}
