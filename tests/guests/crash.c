/* crash.c - test guest: triple fault via an IDT of empty gates (Intel SDM vol. 3A 6.15, #DF). */
#include "lib/guest.h"

static uint8_t crash_idt[4096] __attribute__((aligned(16)));

void guest_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(crash_idt) - 1,
					(uint64_t)crash_idt };

	/*
	 * crash=int3|div0|gp|pf picks the exception (default: ud2). Under
	 * kvm_pvm, int3 in kernel mode is an emulation failure, not a triple
	 * fault: KVM's emulator does not deliver protected-mode INTn.
	 */
	serial_init();
	kprintf("crash: loading an IDT of empty gates\n");
	memset(crash_idt, 0, sizeof(crash_idt));
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
	if (bp_cmdline_has("crash=int3")) {
		kprintf("crash: int3\n");
		__asm__ volatile("int3");
	} else if (bp_cmdline_has("crash=div0")) {
		kprintf("crash: divide by zero\n");
		__asm__ volatile("xor %%edx, %%edx; xor %%ecx, %%ecx; div %%ecx"
				 : : "a"(1) : "rcx", "rdx");
	} else if (bp_cmdline_has("crash=gp")) {
		kprintf("crash: non-canonical load\n");
		__asm__ volatile("mov (%0), %%eax" : : "r"(0x8000000000000000UL)
				 : "rax", "memory");
	} else if (bp_cmdline_has("crash=pf")) {
		kprintf("crash: load from an unmapped page\n");
		__asm__ volatile("mov (%0), %%eax" : : "r"(0x100000000000UL)
				 : "rax", "memory");
	} else {
		kprintf("crash: ud2\n");
		__asm__ volatile("ud2");
	}
	panic("crash: still running after an exception through an empty IDT");
}
