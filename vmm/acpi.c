/* acpi.c - a hyve machine's ACPI tables (ACPI 6.4, chapter 5). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vmm/acpi.h"
#include "vmm/aml.h"
#include "vmm/layout.h"
#include "vmm/vmm.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the table structs below assume a little-endian host"
#endif

#define ACPI_OEM_ID		"HYVE  "
#define ACPI_OEM_TABLE_ID	"HYVEVM  "
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"HYVE"
#define ACPI_CREATOR_REVISION	1
#define ACPI_MAX_TABLES		8	/* XSDT entries */

#define ACPI_PACKED		__attribute__((packed))

/* 5.2.6 System Description Table Header */
struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;

/* 5.2.5.3 Root System Description Pointer */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;	/* of the first 20 bytes (ACPI 1.0 part) */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} ACPI_PACKED;

/* 5.2.3.2 Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} ACPI_PACKED;

#define ACPI_GAS_SYSTEM_IO	1
#define ACPI_GAS_ACCESS_BYTE	1
#define ACPI_GAS_ACCESS_WORD	2
#define ACPI_GAS_ACCESS_DWORD	3

/* 5.2.9 Fixed ACPI Description Table, revision 6 */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} ACPI_PACKED;

_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");

/* FADT flags (5.2.9) */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_FIX_RTC		(1u << 6)	/* no RTC_STS in PM1 */
#define FADT_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define FADT_RESET_REG_SUP	(1u << 10)

/* IA-PC boot architecture flags (5.2.9.3) */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)

/* 5.2.10 Firmware ACPI Control Structure */
struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_facs) == 64, "FACS layout");

/* 5.2.12 Multiple APIC Description Table and its entries */
struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;
} ACPI_PACKED;

#define MADT_PCAT_COMPAT	(1u << 0)

struct madt_lapic {
	uint8_t type;		/* 0 */
	uint8_t length;		/* 8 */
	uint8_t uid;
	uint8_t apic_id;
	uint32_t flags;
} ACPI_PACKED;

#define MADT_LAPIC_ENABLED	(1u << 0)

struct madt_ioapic {
	uint8_t type;		/* 1 */
	uint8_t length;		/* 12 */
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} ACPI_PACKED;

struct madt_irq_override {
	uint8_t type;		/* 2 */
	uint8_t length;		/* 10 */
	uint8_t bus;		/* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} ACPI_PACKED;

#define MADT_ACTIVE_HIGH	0x1
#define MADT_LEVEL		0xc

struct madt_lapic_nmi {
	uint8_t type;		/* 4 */
	uint8_t length;		/* 6 */
	uint8_t uid;		/* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} ACPI_PACKED;

/* The output buffer: tables are appended, each at its guest address. */
struct acpi_out {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint64_t base;
	int err;
	uint64_t tables[ACPI_MAX_TABLES];	/* for the XSDT */
	unsigned ntables;
};

/* Room for size bytes at the next multiple of align (zeroed), or NULL. */
static void *
acpi_alloc(struct acpi_out *o, size_t size, size_t align)
{
	size_t at = (o->len + align - 1) & ~(align - 1);

	if (o->err)
		return NULL;
	if (at > o->cap || size > o->cap - at) {
		o->err = -ENOSPC;
		return NULL;
	}
	memset(o->buf + o->len, 0, at + size - o->len);
	o->len = at + size;
	return o->buf + at;
}

static uint64_t
acpi_gpa(const struct acpi_out *o, const void *p)
{
	return o->base + (uint64_t)((const uint8_t *)p - o->buf);
}

static uint8_t
acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static void
acpi_header_init(struct acpi_header *h, const char *sig, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Sets the length (to the end of the output) and the checksum. */
static void
acpi_header_done(struct acpi_out *o, struct acpi_header *h)
{
	h->length = (uint32_t)(o->buf + o->len - (uint8_t *)h);
	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum(h, h->length);
}

static void
acpi_add_table(struct acpi_out *o, const struct acpi_header *h)
{
	if (o->ntables < ACPI_MAX_TABLES)
		o->tables[o->ntables++] = acpi_gpa(o, h);
	else if (!o->err)
		o->err = -ENOSPC;
}

static struct acpi_gas
acpi_gas_io(uint16_t port, unsigned bytes, uint8_t access_size)
{
	struct acpi_gas g = {
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = (uint8_t)(8 * bytes),
		.access_size = access_size,
		.address = port,
	};

	return g;
}

static struct acpi_facs *
acpi_build_facs(struct acpi_out *o)
{
	struct acpi_facs *f = acpi_alloc(o, sizeof(*f), 64);

	if (!f)
		return NULL;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
	return f;
}

/* The DSDT's AML: \_S5 (ACPI 6.4, 7.4.2) and the \_SB scope (5.3.1). */
static void
acpi_dsdt_aml(struct aml *a, const struct acpi_params *p)
{
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_int(a, ACPI_S5_SLP_TYP);	/* PM1a_CNT.SLP_TYP */
	aml_int(a, ACPI_S5_SLP_TYP);	/* PM1b_CNT.SLP_TYP (no PM1b) */
	aml_int(a, 0);			/* reserved */
	aml_int(a, 0);
	aml_end(a);

	aml_scope_begin(a, "\\_SB");
	acpi_pci_aml(a, p->pci_mmio64);
	aml_end(a);
}

static struct acpi_header *
acpi_build_dsdt(struct acpi_out *o, const struct acpi_params *p)
{
	struct acpi_header *h = acpi_alloc(o, sizeof(*h), 16);
	struct aml a;
	size_t n;
	int err;

	if (!h)
		return NULL;
	acpi_header_init(h, "DSDT", 2);	/* revision 2: 64-bit integers */
	aml_init(&a, o->buf + o->len, o->cap - o->len);
	acpi_dsdt_aml(&a, p);
	err = aml_finish(&a, &n);
	if (err) {
		o->err = err;
		return NULL;
	}
	o->len += n;
	acpi_header_done(o, h);
	return h;
}

static void
acpi_build_fadt(struct acpi_out *o, const struct acpi_params *p,
		const struct acpi_facs *facs, const struct acpi_header *dsdt)
{
	struct acpi_fadt *f = acpi_alloc(o, sizeof(*f), 16);

	if (!f)
		return;
	acpi_header_init(&f->h, "FACP", 6);
	f->minor_version = 4;
	f->firmware_ctrl = (uint32_t)acpi_gpa(o, facs);
	f->dsdt = (uint32_t)acpi_gpa(o, dsdt);
	f->x_dsdt = acpi_gpa(o, dsdt);
	f->sci_int = IRQ_SCI;
	f->smi_cmd = 0;			/* no SMM: always in ACPI mode */
	f->pm1a_evt_blk = PORT_PM1A_EVT;
	f->pm1a_cnt_blk = PORT_PM1A_CNT;
	f->pm_tmr_blk = PORT_PM_TMR;
	f->pm1_evt_len = PORT_PM1A_EVT_LEN;
	f->pm1_cnt_len = PORT_PM1A_CNT_LEN;
	f->pm_tmr_len = PORT_PM_TMR_LEN;
	f->x_pm1a_evt_blk = acpi_gas_io(PORT_PM1A_EVT, PORT_PM1A_EVT_LEN,
					ACPI_GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = acpi_gas_io(PORT_PM1A_CNT, PORT_PM1A_CNT_LEN,
					ACPI_GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = acpi_gas_io(PORT_PM_TMR, PORT_PM_TMR_LEN,
				      ACPI_GAS_ACCESS_DWORD);
	f->p_lvl2_lat = 101;		/* > 100: no C2 */
	f->p_lvl3_lat = 1001;		/* > 1000: no C3 */
	f->century = p->rtc_century;
	f->iapc_boot_arch = FADT_BOOT_VGA_NOT_PRESENT;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON |
	    FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP;
	f->reset_reg = acpi_gas_io(PORT_RESET_CONTROL, 1,
				   ACPI_GAS_ACCESS_BYTE);
	f->reset_value = RESET_CONTROL_VALUE;
	acpi_header_done(o, &f->h);
	acpi_add_table(o, &f->h);
}

static void
acpi_build_madt(struct acpi_out *o, const struct acpi_params *p)
{
	struct acpi_madt *m = acpi_alloc(o, sizeof(*m), 16);
	struct madt_lapic *lapic;
	struct madt_ioapic *ioapic;
	struct madt_irq_override *iso;
	struct madt_lapic_nmi *nmi;
	unsigned i;

	if (!m)
		return;
	acpi_header_init(&m->h, "APIC", 5);
	m->lapic_address = (uint32_t)LAYOUT_LAPIC;
	m->flags = MADT_PCAT_COMPAT;
	for (i = 0; i < p->cpus; i++) {
		if (!(lapic = acpi_alloc(o, sizeof(*lapic), 1)))
			return;
		lapic->type = 0;
		lapic->length = sizeof(*lapic);
		lapic->uid = (uint8_t)i;
		lapic->apic_id = (uint8_t)i;
		lapic->flags = MADT_LAPIC_ENABLED;
	}
	if (!(ioapic = acpi_alloc(o, sizeof(*ioapic), 1)))
		return;
	ioapic->type = 1;
	ioapic->length = sizeof(*ioapic);
	ioapic->id = (uint8_t)p->cpus;	/* after the CPUs' APIC IDs */
	ioapic->address = (uint32_t)LAYOUT_IOAPIC;
	ioapic->gsi_base = 0;
	/*
	 * KVM routes ISA IRQ n to IOAPIC pin n, so only the SCI needs an
	 * override: its polarity and trigger differ from ISA's edge/high.
	 */
	if (!(iso = acpi_alloc(o, sizeof(*iso), 1)))
		return;
	iso->type = 2;
	iso->length = sizeof(*iso);
	iso->bus = 0;
	iso->source = IRQ_SCI;
	iso->gsi = IRQ_SCI;
	iso->flags = MADT_ACTIVE_HIGH | MADT_LEVEL;
	if (!(nmi = acpi_alloc(o, sizeof(*nmi), 1)))
		return;
	nmi->type = 4;
	nmi->length = sizeof(*nmi);
	nmi->uid = 0xff;
	nmi->flags = 0;			/* bus conforming */
	nmi->lint = 1;
	acpi_header_done(o, &m->h);
	acpi_add_table(o, &m->h);
}

/* PCI Firmware Spec 3.2, 4.1.2: MCFG with one ECAM area (bus 0). */
static void
acpi_build_mcfg(struct acpi_out *o)
{
	struct acpi_header *h = acpi_alloc(o, sizeof(*h), 16);
	uint8_t *e;

	if (!h)
		return;
	acpi_header_init(h, "MCFG", 1);
	if (!acpi_alloc(o, 8, 1) || !(e = acpi_alloc(o, 16, 1)))
		return;
	memcpy(e, &(uint64_t){ LAYOUT_PCI_ECAM }, 8);
	e[8] = e[9] = 0;		/* segment 0 */
	e[10] = 0;			/* start bus */
	e[11] = (uint8_t)(LAYOUT_PCI_ECAM_SIZE / (1u << 20) - 1); /* end bus */
	acpi_header_done(o, h);
	acpi_add_table(o, h);
}

static struct acpi_header *
acpi_build_xsdt(struct acpi_out *o)
{
	struct acpi_header *h = acpi_alloc(o, sizeof(*h), 16);
	uint8_t *e;
	unsigned i;

	if (!h)
		return NULL;
	acpi_header_init(h, "XSDT", 1);
	if (!(e = acpi_alloc(o, 8 * (size_t)o->ntables, 1)))
		return NULL;
	for (i = 0; i < o->ntables; i++)
		memcpy(e + 8 * i, &o->tables[i], 8);
	acpi_header_done(o, h);
	return h;
}

int
acpi_build(const struct acpi_params *p, uint64_t base_gpa, void *buf,
	   size_t cap, size_t *used)
{
	struct acpi_out o = { .buf = buf, .cap = cap, .base = base_gpa };
	struct acpi_rsdp *rsdp;
	struct acpi_facs *facs;
	struct acpi_header *dsdt, *xsdt;

	if (p->cpus < 1 || p->cpus > VM_MAX_CPUS || base_gpa % 16 ||
	    base_gpa >= LAYOUT_4G || (!buf && cap) ||
	    p->pci_mmio64 % LAYOUT_PCI_MMIO64_SIZE ||
	    (p->pci_mmio64 && p->pci_mmio64 < LAYOUT_4G))
		return -EINVAL;

	/* The RSDP first: Linux finds it by scanning 16-byte boundaries. */
	rsdp = acpi_alloc(&o, sizeof(*rsdp), 16);
	facs = acpi_build_facs(&o);
	dsdt = acpi_build_dsdt(&o, p);
	if (o.err)
		return o.err;
	acpi_build_fadt(&o, p, facs, dsdt);
	acpi_build_madt(&o, p);
	acpi_build_mcfg(&o);
	xsdt = acpi_build_xsdt(&o);
	if (o.err)
		return o.err;
	/* 32-bit pointers (FADT.DSDT, FIRMWARE_CTRL) must reach them. */
	if (base_gpa + o.len > LAYOUT_4G)
		return -EINVAL;

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, ACPI_OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->rsdt_address = 0;		/* XSDT only */
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = acpi_gpa(&o, xsdt);
	rsdp->checksum = (uint8_t)-acpi_sum(rsdp, 20);
	rsdp->extended_checksum = (uint8_t)-acpi_sum(rsdp, sizeof(*rsdp));
	*used = o.len;
	return 0;
}
