/* uart.h - a 16550A UART (National/TI PC16550D datasheet), testable without a VM. */
#ifndef HYVE_UART_H
#define HYVE_UART_H

#include <stdbool.h>
#include <stdint.h>

struct console;
struct uart;

/* Register offsets from the base port. */
#define UART_RBR	0	/* read, DLAB=0: receiver buffer */
#define UART_THR	0	/* write, DLAB=0: transmitter holding */
#define UART_DLL	0	/* DLAB=1: divisor latch, low byte */
#define UART_IER	1	/* DLAB=0: interrupt enable */
#define UART_DLM	1	/* DLAB=1: divisor latch, high byte */
#define UART_IIR	2	/* read: interrupt identification */
#define UART_FCR	2	/* write: FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

#define UART_IER_ERBFI	0x01	/* received data available */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00	/* modem status (lowest priority) */
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06	/* receiver line status (highest) */
#define UART_IIR_CTI	0x0c	/* character timeout */
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04
#define UART_FCR_DMA	0x08
#define UART_FCR_TRIG_1	0x00
#define UART_FCR_TRIG_4	0x40
#define UART_FCR_TRIG_8	0x80
#define UART_FCR_TRIG_14 0xc0

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08	/* gates the interrupt line on a PC */
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16

/*
 * Creates a UART connected to con (may be NULL: output is discarded and
 * no input arrives). irq(arg, level) is called, with the UART's lock held,
 * whenever the interrupt line changes level; it must not call back into
 * the UART. The UART registers itself for con's input notifications.
 * Returns NULL when out of memory.
 */
struct uart *uart_new(struct console *con, void (*irq)(void *arg, bool level),
		      void *arg);
/* Back to power-on state; the line goes low. Output the console has room
 * for is flushed first, the rest is dropped with the FIFO. */
void uart_reset(struct uart *u);
/* Unhooks from the console, lowers the line if it is high, and frees. */
void uart_free(struct uart *u);

/* One byte access to register reg (0..7; higher bits are ignored). */
void uart_io(struct uart *u, unsigned reg, bool write, uint8_t *val);

/* New host input may be waiting: refill the receiver (any thread). */
void uart_input_notify(struct uart *u);

#endif
