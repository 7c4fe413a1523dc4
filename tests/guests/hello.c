/* hello.c - test guest: greets, shows cmdline and e820, powers off via ACPI S5 (ACPI 6.5 7.4.2). */
#include "lib/guest.h"

#define E820_RAM	1

void guest_main(void)
{
	const struct e820_entry *e;
	const char *cmdline;
	uint64_t ram = 0;
	unsigned i, n;

	serial_init();
	trap_init();
	kprintf("hello from hyve guest\n");
	cmdline = bp_cmdline();
	kprintf("cmdline: ");
	serial_write(cmdline, strlen(cmdline));
	serial_putc('\n');
	n = bp_e820(&e);
	for (i = 0; i < n; i++)
		if (e[i].type == E820_RAM)
			ram += e[i].size;
	kprintf("e820: %u entries, %lu KiB usable\n", n, ram >> 10);
	if (bp_cmdline_has("acpi_rsdp=scan")) {
		kprintf("acpi: ignoring boot_params.acpi_rsdp_addr\n");
		acpi_rsdp_scan_only();
	}
	acpi_poweroff();
}
