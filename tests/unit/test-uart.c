/* test-uart.c - the 16550A model (devices/uart.c) against the PC16550D datasheet's register rules. */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/uart.h"
#include "tests/unit/check.h"
#include "vmm/console.h"

/* The interrupt line as the UART drives it. */
struct line {
	bool level;
	unsigned raises, lowers;
	unsigned spurious;	/* calls that did not change the level */
};

static void
line_set(void *arg, bool level)
{
	struct line *l = arg;

	if (level == l->level)
		l->spurious++;
	l->level = level;
	if (level)
		l->raises++;
	else
		l->lowers++;
}

struct fixture {
	struct console *con;
	struct uart *u;
	struct line line;
};

static void
fx_init(struct fixture *f, size_t out_cap, size_t in_cap)
{
	memset(f, 0, sizeof(*f));
	f->con = console_create(out_cap, in_cap, -1);
	f->u = uart_new(f->con, line_set, &f->line);
	CHECK(f->con != NULL && f->u != NULL, "fixture allocation");
}

static void
fx_fini(struct fixture *f)
{
	uart_free(f->u);
	console_destroy(f->con);
	CHECK_EQ(f->line.spurious, 0);
}

static uint8_t
rd(struct uart *u, unsigned reg)
{
	uint8_t v = 0x5a;

	uart_io(u, reg, false, &v);
	return v;
}

static void
wr(struct uart *u, unsigned reg, uint8_t v)
{
	uart_io(u, reg, true, &v);
}

static size_t
con_take(struct console *con, char *buf, size_t len)
{
	return console_out_get(con, buf, len);
}

static void
test_power_on_values(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	CHECK_EQ(rd(f.u, UART_IER), 0x00);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(rd(f.u, UART_LCR), 0x03);
	CHECK_EQ(rd(f.u, UART_MCR), 0x00);
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	CHECK_EQ(rd(f.u, UART_MSR), 0xb0);	/* CTS, DSR, DCD; no deltas */
	CHECK_EQ(rd(f.u, UART_MSR), 0xb0);
	CHECK_EQ(rd(f.u, UART_SCR), 0x00);
	CHECK_EQ(f.line.raises, 0);
	fx_fini(&f);
}

static void
test_dlab_and_divisor(void)
{
	struct fixture f;
	char out[8];

	fx_init(&f, 64, 64);
	wr(f.u, UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
	wr(f.u, UART_LCR, 0x83);
	CHECK_EQ(rd(f.u, UART_LCR), 0x83);
	wr(f.u, UART_DLL, 0x01);
	wr(f.u, UART_DLM, 0x02);
	CHECK_EQ(rd(f.u, UART_DLL), 0x01);
	CHECK_EQ(rd(f.u, UART_DLM), 0x02);
	/* Nothing was transmitted and IER is untouched. */
	CHECK_EQ(con_take(f.con, out, sizeof(out)), 0);
	wr(f.u, UART_LCR, 0x03);
	CHECK_EQ(rd(f.u, UART_IER), UART_IER_ERBFI | UART_IER_ELSI);
	/* IER's upper nibble is reserved and reads 0. */
	wr(f.u, UART_IER, 0xff);
	CHECK_EQ(rd(f.u, UART_IER), 0x0f);
	wr(f.u, UART_IER, 0);
	/* A divisor of zero is stored and harmless. */
	wr(f.u, UART_LCR, 0x80);
	wr(f.u, UART_DLL, 0);
	wr(f.u, UART_DLM, 0);
	CHECK_EQ(rd(f.u, UART_DLL), 0);
	CHECK_EQ(rd(f.u, UART_DLM), 0);
	wr(f.u, UART_LCR, 0x03);
	wr(f.u, UART_THR, 'z');
	CHECK_EQ(con_take(f.con, out, sizeof(out)), 1);
	CHECK_EQ(out[0], 'z');
	/* DLAB does not hide FCR/IIR, LSR or SCR. */
	wr(f.u, UART_LCR, 0x80);
	wr(f.u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	wr(f.u, UART_SCR, 0x77);
	CHECK_EQ(rd(f.u, UART_SCR), 0x77);
	fx_fini(&f);
}

static void
test_scratch_and_mcr(void)
{
	struct fixture f;
	unsigned v;

	fx_init(&f, 64, 64);
	for (v = 0; v < 256; v++) {
		wr(f.u, UART_SCR, (uint8_t)v);
		CHECK_EQ(rd(f.u, UART_SCR), v);
	}
	wr(f.u, UART_MCR, 0xff);
	CHECK_EQ(rd(f.u, UART_MCR), 0x1f);
	fx_fini(&f);
}

static void
test_output(void)
{
	struct fixture f;
	const char *msg = "hello, world";
	char out[32];
	size_t i, n;

	fx_init(&f, 64, 64);
	for (i = 0; msg[i] != '\0'; i++) {
		CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
		wr(f.u, UART_THR, (uint8_t)msg[i]);
	}
	n = con_take(f.con, out, sizeof(out));
	CHECK_EQ(n, strlen(msg));
	CHECK(n == strlen(msg) && memcmp(out, msg, n) == 0, "output %.*s",
	      (int)n, out);
	CHECK_EQ(rd(f.u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	fx_fini(&f);
}

/* The console has room for 4 bytes: the rest waits in the TX FIFO. */
static void
test_output_backpressure_fifo(void)
{
	struct fixture f;
	char out[64];
	size_t got = 0, n;
	unsigned i, rounds = 0;

	fx_init(&f, 4, 64);
	wr(f.u, UART_FCR, UART_FCR_ENABLE);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	for (i = 0; i < 4; i++)
		wr(f.u, UART_THR, (uint8_t)('a' + i));
	CHECK_EQ(rd(f.u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	wr(f.u, UART_THR, 'e');
	CHECK_EQ(rd(f.u, UART_LSR), 0x00);	/* THR/FIFO not empty */
	/* 15 more fill the FIFO (16 waiting); the 21st byte is lost. */
	for (i = 5; i < 21; i++)
		wr(f.u, UART_THR, (uint8_t)('a' + i));
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);	/* not empty: no THRE */
	CHECK_EQ(f.line.level, false);
	while (rounds++ < 100) {
		n = con_take(f.con, out + got, sizeof(out) - got);
		got += n;
		if (rd(f.u, UART_LSR) & UART_LSR_THRE)
			break;
		if (n == 0)
			break;
	}
	got += con_take(f.con, out + got, sizeof(out) - got);
	CHECK_EQ(got, 20);
	for (i = 0; i < 20 && i < got; i++)
		CHECK(out[i] == 'a' + (int)i, "byte %u is %c", i, out[i]);
	CHECK_EQ(rd(f.u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	/* THR became empty with ETBEI set: THRE interrupt, line high. */
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc2);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
	CHECK_EQ(f.line.level, false);
	fx_fini(&f);
}

/* Without FIFOs the transmitter holds one byte. */
static void
test_output_backpressure_16450(void)
{
	struct fixture f;
	char out[16];
	size_t n;

	fx_init(&f, 4, 64);
	wr(f.u, UART_THR, '1');
	wr(f.u, UART_THR, '2');
	wr(f.u, UART_THR, '3');
	wr(f.u, UART_THR, '4');
	wr(f.u, UART_THR, '5');		/* held in THR */
	CHECK_EQ(rd(f.u, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	wr(f.u, UART_THR, '6');		/* THR full: lost */
	n = con_take(f.con, out, sizeof(out));
	CHECK_EQ(n, 4);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
	n = con_take(f.con, out, sizeof(out));
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0], '5');
	fx_fini(&f);
}

static void
test_input(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	CHECK_EQ(console_in_put(f.con, "abc", 3), 3);
	/* 16450 mode: one byte at a time, nothing lost, no overrun. */
	CHECK_EQ(rd(f.u, UART_LSR), 0x61);
	CHECK_EQ(rd(f.u, UART_RBR), 'a');
	CHECK_EQ(rd(f.u, UART_LSR), 0x61);
	CHECK_EQ(rd(f.u, UART_RBR), 'b');
	CHECK_EQ(rd(f.u, UART_RBR), 'c');
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	CHECK_EQ(console_in_pending(f.con), 0);
	fx_fini(&f);
}

/* Host input arriving on another thread reaches the guest in order. */
struct feeder {
	struct console *con;
	unsigned count;
};

static void *
feeder_run(void *arg)
{
	struct feeder *fd = arg;
	unsigned i = 0;
	uint8_t b;

	while (i < fd->count) {
		b = (uint8_t)(i * 7);
		if (console_in_put(fd->con, &b, 1) == 1)
			i++;
		else
			sched_yield();
	}
	return NULL;
}

static void
test_input_threaded(void)
{
	struct fixture f;
	struct feeder fd;
	pthread_t t;
	unsigned i = 0, bad = 0, spins = 0;
	uint8_t b;

	fx_init(&f, 64, 16);
	wr(f.u, UART_FCR, UART_FCR_ENABLE | UART_FCR_TRIG_8);
	wr(f.u, UART_IER, UART_IER_ERBFI);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	fd.con = f.con;
	fd.count = 20000;
	CHECK(pthread_create(&t, NULL, feeder_run, &fd) == 0, "thread");
	while (i < fd.count && spins < 100000000) {
		spins++;
		if (!(rd(f.u, UART_LSR) & UART_LSR_DR)) {
			sched_yield();
			continue;
		}
		b = rd(f.u, UART_RBR);
		if (b != (uint8_t)(i * 7))
			bad++;
		i++;
	}
	pthread_join(t, NULL);
	CHECK_EQ(i, fd.count);
	CHECK_EQ(bad, 0);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_OE, 0);
	fx_fini(&f);
}

static void
test_rx_trigger_levels(void)
{
	static const struct {
		uint8_t fcr;
		unsigned level;
	} trig[] = {
		{ UART_FCR_TRIG_1, 1 }, { UART_FCR_TRIG_4, 4 },
		{ UART_FCR_TRIG_8, 8 }, { UART_FCR_TRIG_14, 14 },
	};
	struct fixture f;
	uint8_t buf[16];
	unsigned t, i;

	memset(buf, 'x', sizeof(buf));
	for (t = 0; t < 4; t++) {
		fx_init(&f, 64, 64);
		wr(f.u, UART_FCR, UART_FCR_ENABLE | trig[t].fcr);
		wr(f.u, UART_IER, UART_IER_ERBFI);
		wr(f.u, UART_MCR, UART_MCR_OUT2);
		CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
		if (trig[t].level > 1) {
			console_in_put(f.con, buf, trig[t].level - 1);
			/* Below the trigger: character timeout. */
			CHECK_EQ(rd(f.u, UART_IIR), 0xcc);
			CHECK_EQ(f.line.level, true);
		}
		console_in_put(f.con, buf, 1);
		CHECK_EQ(rd(f.u, UART_IIR), 0xc4);
		CHECK_EQ(f.line.level, true);
		/* Reading one byte below the trigger gives a timeout again. */
		rd(f.u, UART_RBR);
		CHECK_EQ(rd(f.u, UART_IIR), trig[t].level > 1 ? 0xcc : 0xc1);
		for (i = 1; i < trig[t].level; i++)
			rd(f.u, UART_RBR);
		CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
		CHECK_EQ(rd(f.u, UART_LSR), 0x60);
		CHECK_EQ(f.line.level, false);
		fx_fini(&f);
	}
}

static void
test_rx_fifo_depth_and_reset(void)
{
	struct fixture f;
	uint8_t buf[40];
	unsigned i;

	fx_init(&f, 64, 64);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	wr(f.u, UART_FCR, UART_FCR_ENABLE | UART_FCR_TRIG_14);
	CHECK_EQ(console_in_put(f.con, buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ(rd(f.u, UART_LSR), 0x61);
	/* 16 in the FIFO, the rest still in the console: no overrun. */
	CHECK_EQ(console_in_pending(f.con), sizeof(buf) - 16);
	CHECK_EQ(rd(f.u, UART_RBR), 0);
	CHECK_EQ(console_in_pending(f.con), sizeof(buf) - 17);
	/* Clearing the RX FIFO drops what it holds, then it refills. */
	wr(f.u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
	CHECK_EQ(rd(f.u, UART_RBR), 17);
	for (i = 18; i < sizeof(buf); i++)
		CHECK_EQ(rd(f.u, UART_RBR), i);
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_OE, 0);
	fx_fini(&f);
}

static void
test_fcr_rules(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	CHECK_EQ(rd(f.u, UART_IIR) & 0xc0, 0);
	/* Other bits are not programmed while FCR0 is written 0. */
	wr(f.u, UART_FCR, UART_FCR_TRIG_14);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	wr(f.u, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
	/* Disabling the FIFOs clears them. */
	wr(f.u, UART_MCR, UART_MCR_LOOP);
	wr(f.u, UART_THR, 1);
	wr(f.u, UART_THR, 2);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	wr(f.u, UART_FCR, 0);
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	fx_fini(&f);
}

static void
test_irq_needs_out2(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(f.line.raises, 0);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(f.line.raises, 1);
	wr(f.u, UART_MCR, UART_MCR_OUT1 | UART_MCR_DTR | UART_MCR_RTS);
	CHECK_EQ(f.line.level, false);
	wr(f.u, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR);
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	CHECK_EQ(f.line.level, false);
	CHECK_EQ(f.line.raises, 2);
	CHECK_EQ(f.line.lowers, 2);
	fx_fini(&f);
}

static void
test_thre_interrupt_rules(void)
{
	struct fixture f;
	char out[8];

	fx_init(&f, 4, 64);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	/* ETBEI 0 -> 1 with THR empty. */
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);	/* reported: now cleared */
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(f.line.level, false);
	/* Writing ETBEI again (1 -> 1) does not re-arm it. */
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	/* 1 -> 0 -> 1 does. */
	wr(f.u, UART_IER, 0);
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	/* A byte that leaves at once empties THR again. */
	wr(f.u, UART_THR, 'a');
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	/* Writing THR clears a pending THRE interrupt. */
	wr(f.u, UART_IER, 0);
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(f.line.level, true);
	wr(f.u, UART_THR, 'b');
	wr(f.u, UART_THR, 'c');
	wr(f.u, UART_THR, 'd');		/* console now full */
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	wr(f.u, UART_THR, 'e');		/* stays in THR */
	CHECK_EQ(f.line.level, false);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_THRE, 0);
	/* THR empties when the console makes room: THRE again. */
	CHECK_EQ(con_take(f.con, out, sizeof(out)), 4);
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	/* A THRE condition is not reported while ETBEI is 0. */
	wr(f.u, UART_IER, 0);
	wr(f.u, UART_THR, 'f');
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(f.line.level, false);
	fx_fini(&f);
}

static void
test_iir_priorities(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	wr(f.u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	rd(f.u, UART_MSR);		/* clear deltas from entering loop */
	wr(f.u, UART_IER, 0x0f);
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	wr(f.u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	wr(f.u, UART_THR, 'x');
	wr(f.u, UART_THR, 'y');		/* 16450 mode: overruns 'x' */
	/* All four pending: line status first. */
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0x06);
	CHECK_EQ(rd(f.u, UART_LSR), 0x63);	/* DR OE THRE TEMT */
	CHECK_EQ(rd(f.u, UART_LSR), 0x61);	/* OE cleared by the read */
	CHECK_EQ(rd(f.u, UART_IIR), 0x04);
	CHECK_EQ(rd(f.u, UART_RBR), 'y');
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	CHECK_EQ(rd(f.u, UART_IIR), 0x00);	/* THRE cleared: modem */
	CHECK_EQ(rd(f.u, UART_MSR), UART_MSR_CTS | UART_MSR_DCD |
		 UART_MSR_DCTS);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(f.line.level, false);
	/* Reading IIR does not clear what it did not report. */
	wr(f.u, UART_IER, 0);
	wr(f.u, UART_IER, UART_IER_ETBEI | UART_IER_ERBFI);
	wr(f.u, UART_THR, 'z');
	CHECK_EQ(rd(f.u, UART_IIR), 0x04);
	CHECK_EQ(rd(f.u, UART_IIR), 0x04);
	CHECK_EQ(rd(f.u, UART_RBR), 'z');
	CHECK_EQ(rd(f.u, UART_IIR), 0x02);
	fx_fini(&f);
}

static void
test_loopback(void)
{
	struct fixture f;
	char out[8];

	fx_init(&f, 64, 64);
	/* Linux's 8250 probe: MCR = LOOP|RTS|OUT2 must show CTS|DCD. */
	wr(f.u, UART_MCR, UART_MCR_LOOP | 0x0a);
	CHECK_EQ(rd(f.u, UART_MSR) & 0xf0, 0x90);
	wr(f.u, UART_MCR, UART_MCR_LOOP | 0x0f);
	CHECK_EQ(rd(f.u, UART_MSR), 0xf0 | UART_MSR_DDSR);
	/* RI trailing edge (OUT1 1 -> 0) sets TERI; a rising one does not. */
	wr(f.u, UART_MCR, UART_MCR_LOOP | 0x0b);
	CHECK_EQ(rd(f.u, UART_MSR), 0xb0 | UART_MSR_TERI);
	wr(f.u, UART_MCR, UART_MCR_LOOP | 0x0f);
	CHECK_EQ(rd(f.u, UART_MSR), 0xf0);
	wr(f.u, UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(f.u, UART_MSR), 0x0f);	/* all four fell */
	CHECK_EQ(rd(f.u, UART_MSR), 0x00);
	/* Output loops to input and does not reach the console; console
	 * input waits while the receiver is disconnected. */
	console_in_put(f.con, "Q", 1);
	wr(f.u, UART_THR, 'L');
	CHECK_EQ(con_take(f.con, out, sizeof(out)), 0);
	CHECK_EQ(rd(f.u, UART_RBR), 'L');
	CHECK_EQ(rd(f.u, UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(console_in_pending(f.con), 1);
	/* Leaving loopback: real lines again (all of DCD, DSR, CTS rise). */
	wr(f.u, UART_MCR, 0);
	CHECK_EQ(rd(f.u, UART_MSR), 0xb0 | UART_MSR_DCTS | UART_MSR_DDSR |
		 UART_MSR_DDCD);
	CHECK_EQ(rd(f.u, UART_RBR), 'Q');
	fx_fini(&f);
}

static void
test_overrun_fifo(void)
{
	struct fixture f;
	unsigned i;

	fx_init(&f, 64, 64);
	wr(f.u, UART_FCR, UART_FCR_ENABLE);
	wr(f.u, UART_MCR, UART_MCR_LOOP);
	for (i = 0; i < 17; i++)
		wr(f.u, UART_THR, (uint8_t)(0x40 + i));
	CHECK_EQ(rd(f.u, UART_LSR), 0x63);
	CHECK_EQ(rd(f.u, UART_LSR), 0x61);
	for (i = 0; i < 16; i++)
		CHECK_EQ(rd(f.u, UART_RBR), 0x40 + i);	/* 17th lost */
	CHECK_EQ(rd(f.u, UART_LSR), 0x60);
	/* Overrun interrupt only with ELSI, and only until LSR is read. */
	wr(f.u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	rd(f.u, UART_MSR);
	for (i = 0; i < 17; i++)
		wr(f.u, UART_THR, 0);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
	wr(f.u, UART_IER, UART_IER_ELSI);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc6);
	CHECK_EQ(f.line.level, true);
	rd(f.u, UART_LSR);
	CHECK_EQ(rd(f.u, UART_IIR), 0xc1);
	CHECK_EQ(f.line.level, false);
	fx_fini(&f);
}

static void
test_modem_status_interrupt(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	wr(f.u, UART_IER, UART_IER_EDSSI);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(f.line.level, false);
	/* Entering loopback changes the lines seen: a modem interrupt. */
	wr(f.u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	CHECK_EQ(f.line.level, true);
	CHECK_EQ(rd(f.u, UART_IIR), 0x00);
	CHECK_EQ(rd(f.u, UART_IIR), 0x00);	/* IIR read does not clear */
	CHECK_EQ(rd(f.u, UART_MSR), UART_MSR_DCD | UART_MSR_DCTS |
		 UART_MSR_DDSR);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(f.line.level, false);
	fx_fini(&f);
}

static void
test_every_register_value(void)
{
	struct fixture f;
	char out[256];
	unsigned dlab, reg, v;
	uint8_t b;

	fx_init(&f, 16, 16);
	console_in_put(f.con, "0123456789", 10);
	for (dlab = 0; dlab < 2; dlab++) {
		for (reg = 0; reg < 8; reg++) {
			for (v = 0; v < 256; v++) {
				wr(f.u, UART_LCR, dlab ? 0x80 : 0x03);
				wr(f.u, reg, (uint8_t)v);
				b = rd(f.u, reg);
				(void)b;
				rd(f.u, UART_IIR);
				rd(f.u, UART_LSR);
				if ((v & 15) == 0)
					con_take(f.con, out, sizeof(out));
			}
		}
	}
	/* Out-of-range register numbers wrap (only 3 bits decode). */
	for (reg = 8; reg < 64; reg++) {
		wr(f.u, reg, 0xff);
		rd(f.u, reg);
	}
	/* Still a working UART afterwards. */
	uart_reset(f.u);
	CHECK_EQ(f.line.level, false);
	con_take(f.con, out, sizeof(out));
	wr(f.u, UART_THR, '!');
	CHECK_EQ(con_take(f.con, out, sizeof(out)), 1);
	CHECK_EQ(out[0], '!');
	CHECK_EQ(rd(f.u, UART_LSR) & 0x60, 0x60);
	fx_fini(&f);
}

static void
test_reset_and_free_lower_line(void)
{
	struct fixture f;

	fx_init(&f, 64, 64);
	wr(f.u, UART_FCR, UART_FCR_ENABLE);
	wr(f.u, UART_LCR, 0x1f);
	wr(f.u, UART_SCR, 0x55);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(f.line.level, true);
	uart_reset(f.u);
	CHECK_EQ(f.line.level, false);
	CHECK_EQ(rd(f.u, UART_IER), 0);
	CHECK_EQ(rd(f.u, UART_IIR), 0x01);
	CHECK_EQ(rd(f.u, UART_LCR), 0x03);
	CHECK_EQ(rd(f.u, UART_MCR), 0);
	CHECK_EQ(rd(f.u, UART_SCR), 0);
	wr(f.u, UART_MCR, UART_MCR_OUT2);
	wr(f.u, UART_IER, UART_IER_ETBEI);
	CHECK_EQ(f.line.level, true);
	uart_free(f.u);
	CHECK_EQ(f.line.level, false);
	/* The console no longer calls into the freed UART. */
	CHECK_EQ(console_in_put(f.con, "x", 1), 1);
	console_destroy(f.con);
	CHECK_EQ(f.line.spurious, 0);
}

static void
test_no_console(void)
{
	struct uart *u = uart_new(NULL, NULL, NULL);
	unsigned i;

	CHECK(u != NULL, "uart_new without console");
	if (u == NULL)
		return;
	for (i = 0; i < 100; i++)
		wr(u, UART_THR, (uint8_t)i);
	CHECK_EQ(rd(u, UART_LSR), 0x60);
	CHECK_EQ(rd(u, UART_RBR), 0);
	uart_free(u);
}

int
main(void)
{
	RUN_TEST(test_power_on_values);
	RUN_TEST(test_dlab_and_divisor);
	RUN_TEST(test_scratch_and_mcr);
	RUN_TEST(test_output);
	RUN_TEST(test_output_backpressure_fifo);
	RUN_TEST(test_output_backpressure_16450);
	RUN_TEST(test_input);
	RUN_TEST(test_input_threaded);
	RUN_TEST(test_rx_trigger_levels);
	RUN_TEST(test_rx_fifo_depth_and_reset);
	RUN_TEST(test_fcr_rules);
	RUN_TEST(test_irq_needs_out2);
	RUN_TEST(test_thre_interrupt_rules);
	RUN_TEST(test_iir_priorities);
	RUN_TEST(test_loopback);
	RUN_TEST(test_overrun_fifo);
	RUN_TEST(test_modem_status_interrupt);
	RUN_TEST(test_every_register_value);
	RUN_TEST(test_reset_and_free_lower_line);
	RUN_TEST(test_no_console);
	CHECK_EXIT();
}
