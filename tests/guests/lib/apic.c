/* apic.c - xAPIC (MMIO), 82093AA I/O APIC, 8259A setup (Intel SDM 3A ch. 11, ACPI 6.5 5.2.12). */
#include "guest.h"

#define LAPIC_ID		0x020
#define LAPIC_TPR		0x080
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define LAPIC_ICR_LOW		0x300
#define LAPIC_ICR_HIGH		0x310
#define LAPIC_SVR_ENABLE	0x100
#define ICR_DELIVERY_PENDING	(1u << 12)

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10
#define IOAPIC_VER		0x01
#define IOAPIC_REDTBL(n)	(0x10 + 2 * (n))
#define REDIR_POLARITY_LOW	(1u << 13)
#define REDIR_LEVEL		(1u << 15)

#define PIC1_CMD		0x20
#define PIC1_DATA		0x21
#define PIC2_CMD		0xa0
#define PIC2_DATA		0xa1

static uint64_t lapic_base = 0xfee00000;

static uint32_t lapic_read(unsigned reg)
{
	return mmio_read32(lapic_base + reg);
}

static void lapic_write(unsigned reg, uint32_t v)
{
	mmio_write32(lapic_base + reg, v);
}

/* Remaps the 8259s away from the exception vectors and masks every line. */
void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);		/* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IR2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* OCW1: mask all */
	outb(PIC2_DATA, 0xff);
}

void lapic_init(uint64_t base)
{
	if (base)
		lapic_base = base;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	unsigned i;

	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	for (i = 0; i < 100000; i++) {
		if (!(lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}

static uint32_t ioapic_read(uint64_t base, unsigned reg)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	return mmio_read32(base + IOAPIC_WIN);
}

static void ioapic_write(uint64_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	mmio_write32(base + IOAPIC_WIN, v);
}

void ioapic_route_isa(const struct madt_info *m, unsigned irq,
		      unsigned vector, uint32_t apic_id, bool sci)
{
	uint32_t gsi, pin, entries, low = vector & 0xff;
	uint16_t flags;

	if (irq >= 16)
		panic("ioapic: ISA IRQ %u out of range", irq);
	gsi = m->isa_gsi[irq];
	flags = m->isa_flags[irq];
	entries = ((ioapic_read(m->ioapic_base, IOAPIC_VER) >> 16) & 0xff) + 1;
	if (gsi < m->ioapic_gsi_base || gsi - m->ioapic_gsi_base >= entries)
		panic("ioapic: IRQ %u -> GSI %u is not on the I/O APIC at "
		      "%#lx (GSI base %u, %u pins)", irq, gsi, m->ioapic_base,
		      m->ioapic_gsi_base, entries);
	pin = gsi - m->ioapic_gsi_base;
	/*
	 * MPS INTI flags: polarity 1:0, trigger 3:2; 0 means "conforms to
	 * the bus": edge and active high for ISA, level and active low for
	 * the ACPI SCI (ACPI 6.5 5.2.12.5).
	 */
	if ((flags & 3) == 3 || ((flags & 3) == 0 && sci))
		low |= REDIR_POLARITY_LOW;
	if (((flags >> 2) & 3) == 3 || (((flags >> 2) & 3) == 0 && sci))
		low |= REDIR_LEVEL;
	ioapic_write(m->ioapic_base, IOAPIC_REDTBL(pin) + 1, apic_id << 24);
	ioapic_write(m->ioapic_base, IOAPIC_REDTBL(pin), low);
}
