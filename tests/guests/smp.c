/* smp.c - test guest: starts each MADT-listed AP with INIT-SIPI-SIPI (Intel SDM 3A 9.4.4). */
#include "lib/guest.h"

#define TRAMP_BASE	0x10000
#define TRAMP_LIMIT	0x20000
#define SIPI_VECTOR	(TRAMP_BASE >> 12)
#define SMP_MAX_APS	32	/* stacks in smp-trampoline.S */
#define AP_WAIT_MS	30000
#define EFER_LMA	(1u << 10)

#define ICR_INIT	0x00004500	/* INIT, assert, edge */
#define ICR_STARTUP	0x00004600	/* start-up, vector in bits 7:0 */

extern const char smp_tramp_start[], smp_tramp_end[];
extern uint32_t smp_tramp_cr3, smp_tramp_cr0, smp_tramp_efer;

void smp_ap_main(void);

static volatile unsigned smp_online = 1;	/* the BSP */
static volatile int smp_print_lock;

static void smp_lock(void)
{
	while (__atomic_exchange_n(&smp_print_lock, 1, __ATOMIC_ACQUIRE))
		while (smp_print_lock)
			cpu_relax();
}

static void smp_unlock(void)
{
	__atomic_store_n(&smp_print_lock, 0, __ATOMIC_RELEASE);
}

/* Runs on each AP, on its own stack, in long mode. */
void smp_ap_main(void)
{
	unsigned n;

	trap_load();
	smp_lock();	/* so the BSP's summary comes after this line */
	n = __atomic_add_fetch(&smp_online, 1, __ATOMIC_SEQ_CST) - 1;
	kprintf("cpu %u up (apic %u)\n", n, lapic_id());
	smp_unlock();
	halt_forever();
}

/* A slot inside the copied trampoline. */
static volatile uint32_t *smp_tramp_slot(const uint32_t *sym)
{
	return (volatile uint32_t *)(TRAMP_BASE +
		((const char *)sym - smp_tramp_start));
}

void guest_main(void)
{
	struct madt_info madt;
	unsigned i, aps = 0, ms, online;
	uint32_t self;
	bool pit_ok;

	serial_init();
	trap_init();
	if (acpi_madt(&madt))
		panic("smp: %s", acpi_error());
	lapic_init(madt.lapic_base);
	self = lapic_id();
	kprintf("smp: MADT lists %u enabled cpus, bsp apic %u\n", madt.ncpus,
		self);
	if (madt.ncpus - 1 > SMP_MAX_APS)
		panic("smp: more than %u APs", SMP_MAX_APS);

	if (smp_tramp_end - smp_tramp_start > TRAMP_LIMIT - TRAMP_BASE)
		panic("smp: trampoline too large");
	memcpy((void *)TRAMP_BASE, smp_tramp_start,
	       (size_t)(smp_tramp_end - smp_tramp_start));
	*smp_tramp_slot(&smp_tramp_cr3) = (uint32_t)read_cr(3);
	*smp_tramp_slot(&smp_tramp_cr0) = (uint32_t)read_cr(0);
	*smp_tramp_slot(&smp_tramp_efer) =
		(uint32_t)rdmsr(0xc0000080) & ~EFER_LMA;

	/* INIT to every AP, 10 ms, then two start-ups 200 us apart. */
	for (i = 0; i < madt.ncpus; i++) {
		if (madt.apic_ids[i] == self)
			continue;
		aps++;
		if (!lapic_send_ipi(madt.apic_ids[i], ICR_INIT))
			panic("smp: INIT to apic %u not delivered",
			      madt.apic_ids[i]);
	}
	pit_ok = pit_delay_us(10000);
	if (!pit_ok)
		kprintf("smp: WARNING: PIT channel 2 does not count\n");
	for (int round = 0; round < 2; round++) {
		for (i = 0; i < madt.ncpus; i++) {
			if (madt.apic_ids[i] == self)
				continue;
			if (!lapic_send_ipi(madt.apic_ids[i],
					    ICR_STARTUP | SIPI_VECTOR))
				panic("smp: SIPI to apic %u not delivered",
				      madt.apic_ids[i]);
		}
		pit_delay_us(200);
	}

	/* Wait, bounded, for every AP to check in. */
	for (ms = 0; ms < AP_WAIT_MS && smp_online < aps + 1; ms += 10)
		if (!pit_delay_us(10000))
			break;
	online = smp_online;
	smp_lock();
	if (online != aps + 1)
		kprintf("smp: WARNING: only %u of %u APs started after %u "
			"ms\n", online - 1, aps, ms);
	kprintf("smp: %u cpus online\n", online);
	smp_unlock();
	acpi_poweroff();
}
