/* internal.c - test guest: an instruction KVM cannot emulate on MMIO -> KVM_EXIT_INTERNAL_ERROR. */
#include "lib/guest.h"

/* The one guest that uses SSE/AVX: only inside the asm statements below. */

#define MMIO_HOLE	0xd0000000UL	/* below 4 GiB, no RAM, no device */
#define CR0_MP		(1u << 1)
#define CR0_EM		(1u << 2)
#define CR0_TS		(1u << 3)
#define CR4_OSFXSR	(1u << 9)
#define CR4_OSXMMEXCPT	(1u << 10)
#define CR4_OSXSAVE	(1u << 18)

static void internal_sse_on(void)
{
	uint64_t cr0 = read_cr(0), cr4 = read_cr(4);

	cr0 = (cr0 & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP;
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	__asm__ volatile("mov %0, %%cr0; mov %1, %%cr4"
			 : : "r"(cr0), "r"(cr4) : "memory");
}

static bool internal_avx_on(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(1), "c"(0));
	if (!(c & (1u << 26)) || !(c & (1u << 28)))	/* XSAVE, AVX */
		return false;
	internal_sse_on();
	__asm__ volatile("mov %%cr4, %%rax; or %0, %%rax; mov %%rax, %%cr4"
			 : : "i"(CR4_OSXSAVE) : "rax", "memory");
	/* XCR0 = x87 | SSE | AVX */
	__asm__ volatile("xsetbv" : : "a"(7), "d"(0), "c"(0) : "memory");
	return true;
}

static void internal_movntdqa(void)
{
	internal_sse_on();
	__asm__ volatile("movntdqa (%0), %%xmm0" : : "r"(MMIO_HOLE)
			 : "memory");
}

static void internal_avx_store(void)
{
	if (!internal_avx_on()) {
		kprintf("internal: no AVX\n");
		return;
	}
	__asm__ volatile("vmovdqu %%ymm0, (%0)" : : "r"(MMIO_HOLE)
			 : "memory");
}

static void internal_fxsave(void)
{
	internal_sse_on();
	__asm__ volatile("fxsave (%0)" : : "r"(MMIO_HOLE) : "memory");
}

static void internal_cmpxchg16b(void)
{
	__asm__ volatile("lock cmpxchg16b (%0)"
			 : : "r"(MMIO_HOLE), "a"(0), "d"(0), "b"(0), "c"(0)
			 : "memory", "cc");
}

static const struct {
	const char *name;
	void (*fn)(void);
} internal_methods[] = {
	{ "movntdqa", internal_movntdqa },
	{ "avx", internal_avx_store },
	{ "fxsave", internal_fxsave },
	{ "cmpxchg16b", internal_cmpxchg16b },
};

#define N_METHODS (sizeof(internal_methods) / sizeof(internal_methods[0]))

void guest_main(void)
{
	char want[32];
	unsigned i;

	serial_init();
	trap_init();
	/* internal=NAME picks one method; default: each in turn. */
	for (i = 0; i < N_METHODS; i++) {
		ksnprintf(want, sizeof(want), "internal=%s",
			   internal_methods[i].name);
		if (bp_cmdline_has(want))
			break;
	}
	if (i < N_METHODS) {
		kprintf("internal: %s against MMIO %#lx\n",
			internal_methods[i].name, MMIO_HOLE);
		internal_methods[i].fn();
		panic("internal: %s against MMIO did not stop the VM",
		      internal_methods[i].name);
	}
	for (i = 0; i < N_METHODS; i++) {
		kprintf("internal: %s against MMIO %#lx\n",
			internal_methods[i].name, MMIO_HOLE);
		internal_methods[i].fn();
		kprintf("internal: %s completed\n", internal_methods[i].name);
	}
	panic("internal: no method made KVM give up");
}
