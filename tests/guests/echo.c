/* echo.c - test guest: 16550A receive IRQs, ACPI power button; echoes lines, powers off or resets. */
#include "lib/guest.h"

#define LINE_MAX	128

/* The power button (from line_read): say so, power off. */
static void echo_power_button(void)
{
	kprintf("\necho: power button pressed, powering off\n");
	acpi_poweroff();
}

static void echo_line(const char *line)
{
	char up[LINE_MAX];
	size_t i;

	for (i = 0; line[i]; i++)
		up[i] = line[i] >= 'a' && line[i] <= 'z' ?
			(char)(line[i] - 'a' + 'A') : line[i];
	up[i] = '\0';
	kprintf("got: %s\n", up);
	if (!strcmp(line, "quit")) {
		kprintf("echo: %u receive interrupts, powering off\n",
			line_rx_irqs());
		acpi_poweroff();
	} else if (!strcmp(line, "reboot")) {
		kprintf("echo: resetting through the i8042\n");
		i8042_reset();
	} else if (!strcmp(line, "acpireset")) {
		kprintf("echo: resetting through the FADT RESET_REG\n");
		acpi_reset();
	}
}

void guest_main(void)
{
	struct madt_info madt;
	char line[LINE_MAX];

	serial_init();
	trap_init();
	if (acpi_madt(&madt))
		panic("echo: %s", acpi_error());
	pic_disable();
	lapic_init(madt.lapic_base);
	line_input_init(&madt, echo_power_button);
	kprintf("echo: ready (COM1 IRQ %u -> vector %#x, SCI -> %#x)\n",
		COM1_IRQ, LINE_VEC_COM1, LINE_VEC_SCI);
	for (;;) {
		kprintf("echo> ");
		line_read(line, sizeof(line), LINE_CARET);
		echo_line(line);
	}
}
