/* acpi.h - ACPI tables and PM fixed hardware of a machine (ACPI 6.4). */
#ifndef HYVE_ACPI_H
#define HYVE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Tables (vmm/acpi.c) ---- */

/* What the tables describe; zero-initialise, then fill in. */
struct acpi_params {
	unsigned cpus;		/* 1..VM_MAX_CPUS; APIC IDs 0..cpus-1 */
	uint8_t rtc_century;	/* CMOS index of the century byte, 0: none */
	uint64_t pci_mmio64;	/* 64-bit PCI window base, 0: none (layout.h) */
};

/*
 * Builds RSDP, XSDT, FADT, FACS, DSDT and MADT into buf, which the caller
 * then copies to guest-physical base_gpa (16-byte aligned, below 4 GiB; the
 * RSDP comes first, so base_gpa = LAYOUT_ACPI puts it where Linux scans).
 * Returns 0 and the bytes written in *used, -ENOSPC when cap is too small,
 * or -EINVAL for bad parameters. Pure: no KVM, no global state.
 */
int acpi_build(const struct acpi_params *p, uint64_t base_gpa, void *buf,
	       size_t cap, size_t *used);

/* ---- PCI in the DSDT (vmm/acpi-pci.c) ---- */

struct aml;
/*
 * \_SB.PCI0 and the ECAM reservation; call inside Scope (\_SB). mmio64 is
 * the base of the 64-bit window (LAYOUT_PCI_MMIO64_SIZE bytes), 0: none.
 */
void acpi_pci_aml(struct aml *a, uint64_t mmio64);
/* The INTx swizzle _PRT describes: slot's pin (0 = INTA) -> GSI. */
unsigned acpi_pci_intx_gsi(unsigned slot, unsigned pin);

#endif
