/* uart.c - a 16550A UART following the National/TI PC16550D datasheet, on a hyve console. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/uart.h"
#include "vmm/console.h"

/*
 * There is no baud-rate timing: a byte written to THR leaves as soon as the
 * console has room, and host input enters the receiver FIFO as soon as there
 * is room for it. The divisor latch is plain storage (never divided by).
 * The character timeout interrupt is reported whenever data waits below the
 * trigger level, as if the four character times had already passed.
 */

struct uart_fifo {
	uint8_t buf[UART_FIFO_SIZE];
	unsigned head;		/* index of the oldest byte */
	unsigned count;
};

struct uart {
	pthread_mutex_t lock;
	struct console *con;
	void (*irq)(void *arg, bool level);
	void *irq_arg;
	bool level;		/* last level given to irq() */

	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool oe;		/* LSR overrun error, cleared by reading LSR */
	bool thre_pending;	/* THRE interrupt condition */
	uint8_t msr_delta;	/* MSR bits 3:0, cleared by reading MSR */
	uint8_t msr_lines;	/* MSR bits 7:4 as last seen */
	uint8_t rbr;		/* last byte read from the receiver */
	struct uart_fifo rx, tx;
};

static void
uart_fifo_reset(struct uart_fifo *f)
{
	f->head = 0;
	f->count = 0;
}

static void
uart_fifo_push(struct uart_fifo *f, uint8_t b)
{
	f->buf[(f->head + f->count) % UART_FIFO_SIZE] = b;
	f->count++;
}

static uint8_t
uart_fifo_pop(struct uart_fifo *f)
{
	uint8_t b = f->buf[f->head];

	f->head = (f->head + 1) % UART_FIFO_SIZE;
	f->count--;
	return b;
}

static bool
uart_fifo_enabled(const struct uart *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* Bytes each FIFO holds: 16, or 1 (the bare RBR/THR) in 16450 mode. */
static unsigned
uart_fifo_cap(const struct uart *u)
{
	return uart_fifo_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned
uart_rx_trigger(const struct uart *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };

	if (!uart_fifo_enabled(u))
		return 1;
	return levels[u->fcr >> 6];
}

/* The modem inputs CTS, DSR, RI, DCD (MSR bits 7:4). */
static uint8_t
uart_modem_lines(const struct uart *u)
{
	uint8_t s = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	if (u->mcr & UART_MCR_RTS)
		s |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		s |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		s |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		s |= UART_MSR_DCD;
	return s;
}

/* Latches delta bits for the modem inputs that changed. */
static void
uart_modem_update(struct uart *u)
{
	uint8_t now = uart_modem_lines(u);
	uint8_t changed = now ^ u->msr_lines;

	if (changed & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if ((u->msr_lines & UART_MSR_RI) && !(now & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
	u->msr_lines = now;
}

/* A character arrives at the receiver (from the console or looped back). */
static void
uart_receive(struct uart *u, uint8_t b)
{
	if (u->rx.count < uart_fifo_cap(u)) {
		uart_fifo_push(&u->rx, b);
		return;
	}
	u->oe = true;
	/* 16450 mode: the new character overwrites RBR; a full FIFO keeps its
	 * contents and the character in the shift register is lost. */
	if (!uart_fifo_enabled(u))
		u->rx.buf[u->rx.head] = b;
}

/* Takes host input while the receiver has room (not in loopback mode). */
static void
uart_refill(struct uart *u)
{
	uint8_t b;

	if (u->con == NULL || (u->mcr & UART_MCR_LOOP))
		return;
	while (u->rx.count < uart_fifo_cap(u) &&
	       console_in_get(u->con, &b) == 1)
		uart_fifo_push(&u->rx, b);
}

/* Moves transmitter bytes to the console while it has room. */
static void
uart_drain(struct uart *u)
{
	uint8_t b;

	if (u->tx.count == 0)
		return;
	while (u->tx.count > 0) {
		if (u->con != NULL) {
			if (console_out_space(u->con) == 0)
				break;
			b = u->tx.buf[u->tx.head];
			if (console_out_put(u->con, &b, 1) != 1)
				break;
		}
		uart_fifo_pop(&u->tx);
	}
	if (u->tx.count == 0)
		u->thre_pending = true;		/* THR just became empty */
}

/* The highest-priority pending interrupt, as IIR bits 3:0. */
static uint8_t
uart_iir_source(const struct uart *u)
{
	if ((u->ier & UART_IER_ELSI) && u->oe)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx.count > 0) {
		if (uart_fifo_enabled(u) && u->rx.count < uart_rx_trigger(u))
			return UART_IIR_CTI;
		return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr_delta & 0x0f))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void
uart_update_irq(struct uart *u)
{
	bool level = uart_iir_source(u) != UART_IIR_NO_INT &&
	    (u->mcr & UART_MCR_OUT2);

	if (level == u->level)
		return;
	u->level = level;
	if (u->irq != NULL)
		u->irq(u->irq_arg, level);
}

static uint8_t
uart_lsr(const struct uart *u)
{
	uint8_t lsr = 0;

	if (u->rx.count > 0)
		lsr |= UART_LSR_DR;
	if (u->oe)
		lsr |= UART_LSR_OE;
	if (u->tx.count == 0)
		lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	return lsr;
}

static void
uart_write_thr(struct uart *u, uint8_t val)
{
	u->thre_pending = false;
	if (u->mcr & UART_MCR_LOOP) {
		uart_receive(u, val);
		u->thre_pending = true;	/* sent to ourselves at once */
		return;
	}
	/* A full transmitter drops the byte, as real hardware would. */
	if (u->tx.count < uart_fifo_cap(u))
		uart_fifo_push(&u->tx, val);
	uart_drain(u);
}

static void
uart_write_ier(struct uart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f;
	if (!(old & UART_IER_ETBEI) && (u->ier & UART_IER_ETBEI) &&
	    u->tx.count == 0)
		u->thre_pending = true;
	else if (!(u->ier & UART_IER_ETBEI))
		u->thre_pending = false;
}

static void
uart_write_fcr(struct uart *u, uint8_t val)
{
	bool had_tx = u->tx.count > 0;

	if (!(val & UART_FCR_ENABLE)) {
		/* Disabling the FIFOs clears them; other bits need FCR0. */
		if (uart_fifo_enabled(u)) {
			uart_fifo_reset(&u->rx);
			uart_fifo_reset(&u->tx);
		}
		u->fcr = 0;
	} else {
		if (!uart_fifo_enabled(u) || (val & UART_FCR_CLR_RX))
			uart_fifo_reset(&u->rx);
		if (!uart_fifo_enabled(u) || (val & UART_FCR_CLR_TX))
			uart_fifo_reset(&u->tx);
		u->fcr = val & (UART_FCR_ENABLE | UART_FCR_DMA | 0xc0);
	}
	if (had_tx && u->tx.count == 0)
		u->thre_pending = true;
}

static void
uart_write(struct uart *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			uart_write_thr(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			uart_write_ier(u, val);
		break;
	case UART_FCR:
		uart_write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		uart_modem_update(u);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* read-only here */
	case UART_SCR:
		u->scr = val;
		break;
	}
}

static uint8_t
uart_read(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v = 0xff;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		if (u->rx.count > 0)
			u->rbr = uart_fifo_pop(&u->rx);
		return u->rbr;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir_source(u);
		if (v == UART_IIR_THRI)
			u->thre_pending = false;
		if (uart_fifo_enabled(u))
			v |= UART_IIR_FIFO;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = uart_lsr(u);
		u->oe = false;
		return v;
	case UART_MSR:
		uart_modem_update(u);
		v = u->msr_lines | u->msr_delta;
		u->msr_delta = 0;
		return v;
	case UART_SCR:
		return u->scr;
	}
	return v;
}

void
uart_io(struct uart *u, unsigned reg, bool write, uint8_t *val)
{
	reg &= 7;
	pthread_mutex_lock(&u->lock);
	uart_drain(u);
	uart_refill(u);
	if (write)
		uart_write(u, reg, *val);
	else
		*val = uart_read(u, reg);
	uart_drain(u);
	uart_refill(u);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void
uart_input_notify(struct uart *u)
{
	pthread_mutex_lock(&u->lock);
	uart_drain(u);
	uart_refill(u);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void
uart_input_cb(void *arg)
{
	uart_input_notify(arg);
}

/* Power-on register values; hyve is the firmware, so 8N1 at 9600 baud. */
static void
uart_power_on(struct uart *u)
{
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0x03;
	u->mcr = 0;
	u->scr = 0;
	u->dll = 12;
	u->dlm = 0;
	u->oe = false;
	u->thre_pending = false;
	u->msr_delta = 0;
	u->msr_lines = uart_modem_lines(u);
	u->rbr = 0;
	uart_fifo_reset(&u->rx);
	uart_fifo_reset(&u->tx);
}

struct uart *
uart_new(struct console *con, void (*irq)(void *arg, bool level), void *arg)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	if (pthread_mutex_init(&u->lock, NULL) != 0) {
		free(u);
		return NULL;
	}
	u->con = con;
	u->irq = irq;
	u->irq_arg = arg;
	uart_power_on(u);
	if (con != NULL)
		console_set_notify(con, uart_input_cb, u);
	return u;
}

static void
uart_lower(struct uart *u)
{
	if (u->level && u->irq != NULL)
		u->irq(u->irq_arg, false);
	u->level = false;
}

void
uart_reset(struct uart *u)
{
	pthread_mutex_lock(&u->lock);
	uart_drain(u);		/* output already accepted is not lost */
	uart_power_on(u);
	uart_lower(u);
	pthread_mutex_unlock(&u->lock);
}

void
uart_free(struct uart *u)
{
	if (u == NULL)
		return;
	/* Once this returns, the console makes no more callbacks. */
	if (u->con != NULL)
		console_set_notify(u->con, NULL, NULL);
	pthread_mutex_lock(&u->lock);
	uart_lower(u);
	pthread_mutex_unlock(&u->lock);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

/* ---- The device model: a UART on an I/O port range and an ISA IRQ ---- */

struct uart_dev {
	struct vm *vm;
	unsigned irq;
	struct uart *uart;
};

static void
uart_dev_irq(void *arg, bool level)
{
	struct uart_dev *d = arg;

	vm_irq_line(d->vm, d->irq, level);
}

/* Linux only makes byte accesses; a wider one acts on its first register. */
static void
uart_dev_trap(void *dev, uint64_t off, unsigned size, bool write,
	      uint64_t *val)
{
	struct uart_dev *d = dev;
	uint8_t b = (uint8_t)*val;

	uart_io(d->uart, (unsigned)(off & 7), write, &b);
	if (!write)
		*val = b;
}

static int
uart_dev_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	const struct uart_params *p = arg;
	struct uart_dev *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, VM_ERR_MAX, "uart %#x: out of memory", p->port);
		return -ENOMEM;
	}
	d->vm = vm;
	d->irq = p->irq;
	d->uart = uart_new(vm_console(vm, p->console), uart_dev_irq, d);
	if (d->uart == NULL) {
		snprintf(err, VM_ERR_MAX, "uart %#x: out of memory", p->port);
		rc = -ENOMEM;
		goto fail;
	}
	rc = vm_trap_add(vm, VM_SPACE_PIO, p->port, 8, uart_dev_trap, d);
	if (rc < 0) {
		snprintf(err, VM_ERR_MAX, "uart %#x: cannot claim ports: %s",
			 p->port, strerror(-rc));
		goto fail;
	}
	*state = d;
	return 0;
fail:
	uart_free(d->uart);
	free(d);
	return rc;
}

static void
uart_dev_detach(void *state)
{
	struct uart_dev *d = state;

	if (d == NULL)
		return;
	uart_free(d->uart);
	free(d);
}

static void
uart_dev_reset(void *state)
{
	struct uart_dev *d = state;

	uart_reset(d->uart);
}

const struct device_model uart_model = {
	.name = "uart",
	.attach = uart_dev_attach,
	.detach = uart_dev_detach,
	.reset = uart_dev_reset,
};
