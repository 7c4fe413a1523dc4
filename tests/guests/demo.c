/* demo.c - hyve's demo guest: a tiny kernel with a prompt on COM1 (help, cpus, mem, poweroff), booted through the Linux boot protocol. */
#include "lib/guest.h"

#define LINE_MAX	128
#define E820_RAM	1

static struct madt_info madt;

static void demo_poweroff(void)
{
	kprintf("\ndemo: powering off\n");
	acpi_poweroff();
}

static void cmd_help(void)
{
	kprintf("commands:\n"
		"  help      this list\n"
		"  cpus      how many CPUs the firmware tables list\n"
		"  mem       the RAM in the e820 map\n"
		"  poweroff  power off through ACPI (so does the power "
		"button)\n");
}

static void cmd_cpus(void)
{
	kprintf("%u CPU(s), local APIC IDs:", madt.ncpus);
	for (unsigned i = 0; i < madt.ncpus && i < MADT_MAX_CPUS; i++)
		kprintf(" %u", madt.apic_ids[i]);
	kprintf("\n");
}

static void cmd_mem(void)
{
	const struct e820_entry *e;
	unsigned n = bp_e820(&e);
	uint64_t ram = 0;

	for (unsigned i = 0; i < n; i++) {
		kprintf("  %#014llx-%#014llx %s\n",
			(unsigned long long)e[i].addr,
			(unsigned long long)(e[i].addr + e[i].size - 1),
			e[i].type == E820_RAM ? "RAM" : "reserved");
		if (e[i].type == E820_RAM)
			ram += e[i].size;
	}
	kprintf("%llu KiB of RAM (%llu MiB)\n",
		(unsigned long long)(ram >> 10),
		(unsigned long long)(ram >> 20));
}

static const struct {
	const char *name;
	void (*fn)(void);
} commands[] = {
	{ "help", cmd_help },
	{ "cpus", cmd_cpus },
	{ "mem", cmd_mem },
	{ "poweroff", demo_poweroff },
};

void guest_main(void)
{
	char line[LINE_MAX];

	serial_init();
	trap_init();
	if (acpi_madt(&madt))
		panic("demo: %s", acpi_error());
	pic_disable();
	lapic_init(madt.lapic_base);
	line_input_init(&madt, demo_poweroff);
	kprintf("\nhyve demo guest: type help and Enter\n");
	for (;;) {
		size_t i;

		kprintf("demo> ");
		if (!line_read(line, sizeof(line)))
			continue;
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(line, commands[i].name))
				break;
		if (i < sizeof(commands) / sizeof(commands[0]))
			commands[i].fn();
		else
			kprintf("demo: %s: unknown command (help lists "
				"them)\n", line);
	}
}
