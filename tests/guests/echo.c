/* echo.c - test guest: 16550A receive IRQs, ACPI power button; echoes lines, powers off or resets. */
#include "lib/guest.h"

#define VEC_COM1	0x24
#define VEC_SCI		0x29
#define RX_RING		256	/* power of two */
#define LINE_MAX	128

static volatile uint8_t rx_ring[RX_RING];
static volatile unsigned rx_head, rx_tail;	/* head: ISR, tail: main */
static volatile unsigned rx_irqs;
static volatile bool power_button;

/* Drains the receiver (bounded); bytes beyond a full ring are dropped. */
static void echo_com1_irq(struct trap_frame *f)
{
	unsigned n = 0;
	int c;

	rx_irqs++;
	while (n++ < 4 * RX_RING && (c = serial_getc_nowait()) >= 0) {
		if (rx_head - rx_tail < RX_RING) {
			rx_ring[rx_head % RX_RING] = (uint8_t)c;
			rx_head++;
		}
	}
}

static void echo_sci_irq(struct trap_frame *f)
{
	if (acpi_power_button_check())
		power_button = true;
}

/* Sleeps until the ISR has queued a byte, then returns it. */
static int echo_getc(void)
{
	int c;

	irq_disable();
	while (rx_head == rx_tail) {
		if (power_button) {
			irq_enable();
			kprintf("\necho: power button pressed, powering "
				"off\n");
			acpi_poweroff();
		}
		irq_enable_and_halt();	/* sti; hlt, then cli again */
		irq_disable();
	}
	c = rx_ring[rx_tail % RX_RING];
	rx_tail++;
	irq_enable();
	return c;
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
			rx_irqs);
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
	size_t len = 0;
	int c, prev = 0;

	serial_init();
	trap_init();
	if (acpi_madt(&madt))
		panic("echo: %s", acpi_error());
	pic_disable();
	lapic_init(madt.lapic_base);
	trap_set_handler(VEC_COM1, echo_com1_irq);
	trap_set_handler(VEC_SCI, echo_sci_irq);
	ioapic_route_isa(&madt, COM1_IRQ, VEC_COM1, lapic_id(), false);
	acpi_power_button_enable(&madt, VEC_SCI, lapic_id());
	serial_rx_irq_enable();
	kprintf("echo: ready (COM1 IRQ %u -> vector %#x, SCI -> %#x)\n",
		COM1_IRQ, VEC_COM1, VEC_SCI);
	kprintf("echo> ");
	for (;;) {
		c = echo_getc();
		if (c == '\n' && prev == '\r') {	/* the rest of "\r\n" */
			prev = c;
			continue;
		}
		prev = c;
		if (c == '\r' || c == '\n') {
			serial_putc('\n');
			line[len] = '\0';
			echo_line(line);
			len = 0;
			kprintf("echo> ");
		} else if ((c == 0x7f || c == '\b') && len) {
			len--;
			serial_write("\b \b", 3);
		} else if (c >= ' ' && c < 0x7f && len < LINE_MAX - 1) {
			line[len++] = (char)c;
			serial_putc((char)c);
		} else if (c < ' ' && len < LINE_MAX - 2) {
			/* control bytes show in caret notation: 0x1d is ^] */
			line[len++] = '^';
			line[len++] = (char)(c + '@');
			serial_write(&line[len - 2], 2);
		}
	}
}
