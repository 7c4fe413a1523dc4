/* platform.c - i8042 reset (command 0xFE), MC146818 CMOS RAM, 8254 PIT channel 2 delays. */
#include "guest.h"

#define I8042_STATUS		0x64
#define I8042_COMMAND		0x64
#define I8042_STATUS_IBF	0x02
#define I8042_PULSE_RESET	0xfe

#define CMOS_INDEX		0x70
#define CMOS_DATA		0x71

#define PIT_CH2			0x42
#define PIT_MODE		0x43
#define PIT_PORT_B		0x61	/* 0: gate 2, 1: speaker, 5: OUT2 */
#define PIT_HZ			1193182u
#define PIT_MAX_SPINS		1000000u

void i8042_reset(void)
{
	unsigned i;

	/* Wait (bounded) for the controller's input buffer to drain. */
	for (i = 0; i < 100000 && (inb(I8042_STATUS) & I8042_STATUS_IBF); i++)
		cpu_relax();
	outb(I8042_COMMAND, I8042_PULSE_RESET);
	for (i = 0; i < 20; i++)
		pit_delay_us(100000);
	panic("still running 2 s after the i8042 reset command (0xfe to "
	      "port 0x64)");
}

uint8_t cmos_read(uint8_t index)
{
	outb(CMOS_INDEX, index & 0x7f);
	return inb(CMOS_DATA);
}

void cmos_write(uint8_t index, uint8_t v)
{
	outb(CMOS_INDEX, index & 0x7f);
	outb(CMOS_DATA, v);
}

/* One-shot count in mode 0 (interrupt on terminal count), polled on OUT2. */
static bool pit_delay_ticks(uint16_t ticks)
{
	uint8_t b = inb(PIT_PORT_B);
	unsigned spins;

	outb(PIT_PORT_B, (uint8_t)((b & ~0x02) | 0x01));
	outb(PIT_MODE, 0xb0);		/* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	for (spins = 0; spins < PIT_MAX_SPINS; spins++)
		if (inb(PIT_PORT_B) & 0x20)
			return true;
	return false;
}

bool pit_delay_us(uint32_t us)
{
	uint64_t ticks = (uint64_t)us * PIT_HZ / 1000000;

	while (ticks) {
		uint16_t n = ticks > 0xffff ? 0xffff : (uint16_t)ticks;

		if (n < 2)
			n = 2;
		if (!pit_delay_ticks(n))
			return false;
		ticks -= ticks > n ? n : ticks;
	}
	return true;
}
