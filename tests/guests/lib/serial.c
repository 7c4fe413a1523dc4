/* serial.c - polled output and receive interrupts on a 16550A at COM1 (TI PC16550D). */
#include "guest.h"

#define UART_RBR	0	/* receive buffer (read, DLAB 0) */
#define UART_THR	0	/* transmit holding (write, DLAB 0) */
#define UART_DLL	0	/* divisor latch low (DLAB 1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define IER_ERBFI	0x01
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT2	0x08
#define LSR_DR		0x01
#define LSR_THRE	0x20

#define SERIAL_TX_SPINS	100000	/* give up on a stuck transmitter */

/*
 * 115200 8N1, interrupts off. The FIFO control register is left alone:
 * writing it may clear the receive FIFO, and input may already be waiting.
 */
void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_MCR, MCR_DTR | MCR_RTS);
}

static void serial_tx(char c)
{
	unsigned spins = SERIAL_TX_SPINS;

	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && --spins)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_tx('\r');
	serial_tx(c);
}

void serial_write(const char *s, size_t n)
{
	while (n--)
		serial_putc(*s++);
}

void serial_rx_irq_enable(void)
{
	outb(COM1 + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	outb(COM1 + UART_IER, IER_ERBFI);
}

int serial_getc_nowait(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
