/* layout.h - the fixed shape of a hyve machine: guest addresses, I/O ports, IRQs. */
#ifndef HYVE_LAYOUT_H
#define HYVE_LAYOUT_H

/* Guest physical memory (low 1 MiB follows the PC conventions Linux expects). */
#define LAYOUT_GDT		0x00000500ULL	/* flat GDT for the 64-bit entry */
#define LAYOUT_BOOT_STACK	0x00008ff0ULL
#define LAYOUT_ZERO_PAGE	0x00007000ULL	/* struct boot_params */
#define LAYOUT_PML4		0x00009000ULL	/* identity page tables: PML4, */
#define LAYOUT_PDPT		0x0000a000ULL	/* one PDPT, */
#define LAYOUT_PD		0x0000b000ULL	/* four PDs (2 MiB pages, 4 GiB) */
#define LAYOUT_CMDLINE		0x00020000ULL
#define LAYOUT_CMDLINE_MAX	0x00010000ULL
#define LAYOUT_EBDA		0x0009fc00ULL	/* end of usable low memory */
#define LAYOUT_BIOS		0x000e0000ULL	/* reserved: ACPI tables live here */
#define LAYOUT_ACPI		0x000e0000ULL	/* RSDP first (scanned by Linux) */
#define LAYOUT_ACPI_MAX		0x00010000ULL
#define LAYOUT_HIGH_MEM		0x00100000ULL	/* 1 MiB: the kernel loads here */
#define LAYOUT_PCI_HOLE		0xc0000000ULL	/* RAM above this moves to 4 GiB */
#define LAYOUT_4G		0x100000000ULL
/*
 * PCI: 32-bit BARs are placed in the 32-bit window, 64-bit (prefetchable)
 * ones in the 64-bit window when the machine has one, else in the 32-bit
 * window too. ECAM covers bus 0 only.
 */
#define LAYOUT_PCI_MMIO32	0xc0000000ULL
#define LAYOUT_PCI_MMIO32_SIZE	0x20000000ULL	/* 512 MiB, up to ECAM */
#define LAYOUT_PCI_ECAM		0xe0000000ULL	/* MCFG base, bus 0 */
#define LAYOUT_PCI_ECAM_SIZE	0x00100000ULL	/* 32 slots * 8 fns * 4 KiB */
/*
 * The 64-bit window: LAYOUT_PCI_MMIO64_SIZE bytes at the end of RAM (4 GiB +
 * the RAM above the hole) rounded up to a multiple of its size, and at
 * least LAYOUT_PCI_MMIO64_MIN, so a 256 MiB guest gets 64..128 GiB. It
 * exists only when it ends within the guest's physical address bits
 * (CPUID 0x80000008; 37 bits are enough for RAM up to 60 GiB); see
 * pci_mmio64_base() in vmm/pci-window.c.
 */
#define LAYOUT_PCI_MMIO64_MIN	0x1000000000ULL	/* 64 GiB */
#define LAYOUT_PCI_MMIO64_SIZE	0x1000000000ULL	/* 64 GiB, also its alignment */
#define LAYOUT_IOAPIC		0xfec00000ULL
#define LAYOUT_LAPIC		0xfee00000ULL
#define LAYOUT_TSS		0xfffbd000ULL	/* KVM's TSS pages (3), reserved */
#define LAYOUT_IDENTITY_MAP	0xfffbc000ULL	/* KVM's identity map page */

/* I/O ports */
#define PORT_COM1		0x3f8
#define PORT_COM2		0x2f8
#define PORT_RTC		0x70	/* 0x70 index, 0x71 data */
#define PORT_I8042_DATA		0x60
#define PORT_I8042_CMD		0x64
#define PORT_PCI_CONF_ADDR	0xcf8
#define PORT_PCI_CONF_DATA	0xcfc
#define PORT_RESET_CONTROL	0xcf9	/* byte access; ACPI RESET_REG too */
#define RESET_CONTROL_VALUE	0x06
#define PORT_PCI_IO		0xc000	/* I/O BAR window, to 0xffff */
#define PORT_PCI_IO_SIZE	0x4000
#define PORT_PM1A_EVT		0x600	/* PM1a status (2) + enable (2) */
#define PORT_PM1A_EVT_LEN	4
#define PORT_PM1A_CNT		0x604
#define PORT_PM1A_CNT_LEN	2
#define PORT_PM_TMR		0x608
#define PORT_PM_TMR_LEN		4

/* CMOS index of the RTC's century byte (the FADT names it) */
#define CMOS_CENTURY		0x32

/* ACPI S5 (soft off) sleep type, as written to PM1_CNT.SLP_TYP */
#define ACPI_S5_SLP_TYP		5

/* ISA IRQs (identity-mapped to IOAPIC pins) */
#define IRQ_COM1		4
#define IRQ_COM2		3
#define IRQ_RTC			8
#define IRQ_SCI			9

/* PCI INTx: slot S pin P (0 = INTA) -> GSI IRQ_PCI_FIRST + (S + P) % 8 */
#define IRQ_PCI_FIRST		16
#define IRQ_PCI_COUNT		8
#define IRQ_PCI_INTX(slot, pin)	(IRQ_PCI_FIRST + ((slot) + (pin)) % IRQ_PCI_COUNT)

#endif
