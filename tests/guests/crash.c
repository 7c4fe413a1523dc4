/* crash.c - test guest: triple-faults (int3 through an IDT of not-present gates -> #NP -> #DF -> shutdown, Intel SDM vol. 3A 6.15). */
#include "lib/guest.h"

static uint8_t crash_idt[4096] __attribute__((aligned(16)));

void guest_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(crash_idt) - 1,
					(uint64_t)crash_idt };

	serial_init();
	kprintf("crash: loading an IDT of empty gates, then int3\n");
	memset(crash_idt, 0, sizeof(crash_idt));
	__asm__ volatile("lidt %0; int3" : : "m"(p) : "memory");
	panic("crash: still running after int3 through an empty IDT");
}
