/* trap.c - IDT setup and interrupt dispatch (Intel SDM vol. 3A 6.14, 64-bit gates). */
#include "guest.h"

#define GDT_CODE64	0x10
#define GATE_INTR	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define TRAP_STUB_SIZE	16

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const char trap_stubs[];

static struct idt_gate trap_idt[256] __attribute__((aligned(16)));
static trap_handler_fn *trap_handlers[256];

static const char *const trap_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "?", "#TS", "#NP", "#SS", "#GP", "#PF", "?",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "?", "?",
	"?", "?", "?", "?", "#HV", "#VC", "#SX", "?",
};

void trap_load(void)
{
	struct idt_ptr p = { sizeof(trap_idt) - 1, (uint64_t)trap_idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

void trap_init(void)
{
	unsigned v;

	for (v = 0; v < 256; v++) {
		uint64_t h = (uint64_t)(trap_stubs + v * TRAP_STUB_SIZE);

		trap_idt[v].off_lo = (uint16_t)h;
		trap_idt[v].sel = GDT_CODE64;
		trap_idt[v].ist = 0;
		trap_idt[v].type = GATE_INTR;
		trap_idt[v].off_mid = (uint16_t)(h >> 16);
		trap_idt[v].off_hi = (uint32_t)(h >> 32);
		trap_idt[v].reserved = 0;
	}
	trap_load();
}

void trap_set_handler(unsigned vector, trap_handler_fn *fn)
{
	if (vector < 256)
		trap_handlers[vector] = fn;
}

void trap_dispatch(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector & 0xff;
	uint64_t cr2 = 0;

	if (trap_handlers[v]) {
		trap_handlers[v](f);
		if (v >= 32 && v != VEC_SPURIOUS)
			lapic_eoi();
		return;
	}
	if (v < 32) {
		if (v == 14)
			__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		panic("CPU exception %u (%s) error %#lx at rip %#lx "
		      "(cr2 %#lx)", v, trap_names[v], f->error, f->rip, cr2);
	}
	if (v == VEC_SPURIOUS)
		return;
	kprintf("WARNING: unexpected interrupt, vector %u\n", v);
	lapic_eoi();
}
