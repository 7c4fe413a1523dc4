/* line-input.c - interactive lines from COM1: receive interrupts into a ring, halting while idle, with echo and backspace. */
#include "guest.h"

#define RX_RING		256	/* power of two */

static volatile uint8_t rx_ring[RX_RING];
static volatile unsigned rx_head, rx_tail;	/* head: ISR, tail: main */
static volatile unsigned rx_irqs;
static volatile bool power_button;
static void (*on_power_button)(void);

static void com1_irq(struct trap_frame *f)
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

static void sci_irq(struct trap_frame *f)
{
	if (acpi_power_button_check())
		power_button = true;
}

void line_input_init(const struct madt_info *madt, void (*power)(void))
{
	on_power_button = power;
	trap_set_handler(LINE_VEC_COM1, com1_irq);
	trap_set_handler(LINE_VEC_SCI, sci_irq);
	ioapic_route_isa(madt, COM1_IRQ, LINE_VEC_COM1, lapic_id(), false);
	acpi_power_button_enable(madt, LINE_VEC_SCI, lapic_id());
	serial_rx_irq_enable();
}

/* Sleeps until a byte arrives (or the power button is pressed). */
static int line_getc(void)
{
	int c;

	irq_disable();
	while (rx_head == rx_tail) {
		if (power_button) {
			irq_enable();
			on_power_button();
		}
		irq_enable_and_halt();	/* sti; hlt, then cli again */
		irq_disable();
	}
	c = rx_ring[rx_tail % RX_RING];
	rx_tail++;
	irq_enable();
	return c;
}

unsigned line_rx_irqs(void)
{
	return rx_irqs;
}

size_t line_read(char *line, size_t max, unsigned flags)
{
	static int prev;
	size_t len = 0;

	for (;;) {
		int c = line_getc();

		if (c == '\n' && prev == '\r') {	/* the rest of "\r\n" */
			prev = c;
			continue;
		}
		prev = c;
		if (c == '\r' || c == '\n') {
			serial_putc('\n');
			line[len] = '\0';
			return len;
		} else if ((c == 0x7f || c == '\b') && len) {
			len--;
			serial_write("\b \b", 3);
		} else if (c >= ' ' && c < 0x7f && len + 1 < max) {
			line[len++] = (char)c;
			serial_putc((char)c);
		} else if ((flags & LINE_CARET) && c < ' ' && len + 2 < max) {
			line[len++] = '^';
			line[len++] = (char)(c + '@');
			serial_write(&line[len - 2], 2);
		}
	}
}
