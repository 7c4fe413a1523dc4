/* acpi.c - RSDP/XSDT/FADT/MADT/DSDT walk, S5 poweroff, RESET_REG (ACPI 6.5 ch. 5, 7.4.2). */
#include "guest.h"

#define RSDP_SCAN_START	0xe0000
#define RSDP_SCAN_END	0x100000
#define ACPI_ADDR_LIMIT	0x100000000ULL	/* what the entry page tables map */
#define ACPI_TABLE_MAX	0x100000	/* sanity bound on a table length */

/* FADT field offsets */
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM1_EVT_LEN	88
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_RESET_REG_SUP	(1u << 10)

#define GAS_SYSTEM_MEMORY	0
#define GAS_SYSTEM_IO		1

#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_TYP_MASK	(7u << 10)
#define PM1_SLP_EN		(1u << 13)
#define PM1_SCI_EN		(1u << 0)
#define PM1_PWRBTN		(1u << 8)	/* in PM1 status and enable */

#define AML_NAME_OP		0x08
#define AML_PACKAGE_OP		0x12
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_ONES_OP		0xff

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

static char acpi_err[160];
static const struct acpi_rsdp *acpi_rsdp_cached;
static bool acpi_scan_only;
static uint16_t acpi_pm1a_sts;		/* set by acpi_power_button_enable */

void acpi_rsdp_scan_only(void)
{
	acpi_scan_only = true;
	acpi_rsdp_cached = NULL;
}

static void acpi_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void acpi_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(acpi_err, sizeof(acpi_err), fmt, ap);
	va_end(ap);
}

const char *acpi_error(void)
{
	return acpi_err;
}

static uint8_t acpi_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static bool acpi_rsdp_valid(const struct acpi_rsdp *r)
{
	if (memcmp(r->sig, "RSD PTR ", 8) || acpi_sum(r, 20))
		return false;
	if (r->revision >= 2 && (r->length < sizeof(*r) ||
				 r->length > 4096 || acpi_sum(r, r->length)))
		return false;
	return true;
}

/* boot_params.acpi_rsdp_addr first, then the BIOS area scan, as Linux. */
static const struct acpi_rsdp *acpi_rsdp(void)
{
	uint64_t addr = bp_u64(BP_ACPI_RSDP_ADDR);
	uint64_t p;

	if (acpi_rsdp_cached)
		return acpi_rsdp_cached;
	if (addr && !acpi_scan_only) {
		if (addr >= ACPI_ADDR_LIMIT - 4096 ||
		    !acpi_rsdp_valid((const void *)addr)) {
			acpi_fail("boot_params.acpi_rsdp_addr %#lx is not a "
				  "valid RSDP", addr);
			return NULL;
		}
		acpi_rsdp_cached = (const void *)addr;
		return acpi_rsdp_cached;
	}
	for (p = RSDP_SCAN_START; p < RSDP_SCAN_END; p += 16) {
		if (acpi_rsdp_valid((const void *)p)) {
			acpi_rsdp_cached = (const void *)p;
			return acpi_rsdp_cached;
		}
	}
	acpi_fail("no RSDP: boot_params.acpi_rsdp_addr is 0 and none "
		  "in 0xe0000-0xfffff");
	return NULL;
}

/* Checks the header at addr: signature (if sig), length and checksum. */
static const struct acpi_sdt *acpi_table(uint64_t addr, const char *sig)
{
	const struct acpi_sdt *t = (const void *)addr;

	if (!addr || addr >= ACPI_ADDR_LIMIT - sizeof(*t)) {
		acpi_fail("%s table address %#lx is out of range",
			  sig ? sig : "ACPI", addr);
		return NULL;
	}
	if (sig && memcmp(t->sig, sig, 4)) {
		acpi_fail("table at %#lx is '%c%c%c%c', expected %s", addr,
			  t->sig[0], t->sig[1], t->sig[2], t->sig[3], sig);
		return NULL;
	}
	if (t->length < sizeof(*t) || t->length > ACPI_TABLE_MAX ||
	    addr + t->length > ACPI_ADDR_LIMIT) {
		acpi_fail("%.4s at %#lx has a bad length %u", t->sig, addr,
			  t->length);
		return NULL;
	}
	if (acpi_sum(t, t->length)) {
		acpi_fail("%.4s at %#lx has a bad checksum", t->sig, addr);
		return NULL;
	}
	return t;
}

const struct acpi_sdt *acpi_find(const char *sig)
{
	const struct acpi_rsdp *r = acpi_rsdp();
	const struct acpi_sdt *root, *t;
	const uint8_t *ent;
	unsigned esize, i, n;
	uint64_t addr;

	if (!r)
		return NULL;
	if (r->revision >= 2 && r->xsdt) {
		root = acpi_table(r->xsdt, "XSDT");
		esize = 8;
	} else {
		root = acpi_table(r->rsdt, "RSDT");
		esize = 4;
	}
	if (!root)
		return NULL;
	ent = (const uint8_t *)(root + 1);
	n = (root->length - sizeof(*root)) / esize;
	for (i = 0; i < n; i++) {
		addr = 0;
		memcpy(&addr, ent + i * esize, esize);
		t = acpi_table(addr, NULL);
		if (!t)
			return NULL;
		if (!memcmp(t->sig, sig, 4))
			return t;
	}
	acpi_fail("no %s table in the %.4s", sig, root->sig);
	return NULL;
}

static uint64_t acpi_field(const struct acpi_sdt *t, unsigned off,
			   unsigned size)
{
	uint64_t v = 0;

	if (off + size <= t->length)
		memcpy(&v, (const uint8_t *)t + off, size);
	return v;
}

int acpi_madt(struct madt_info *m)
{
	const struct acpi_sdt *t = acpi_find("APIC");
	const uint8_t *p, *end;
	unsigned i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 16; i++) {
		m->isa_gsi[i] = i;
		m->isa_flags[i] = 0;
	}
	if (!t)
		return -1;
	m->lapic_base = acpi_field(t, 36, 4);
	p = (const uint8_t *)t + 44;
	end = (const uint8_t *)t + t->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags, id;

		switch (p[0]) {
		case 0:		/* processor local APIC */
		case 9:		/* processor local x2APIC */
			if (p[0] == 0 && p[1] >= 8) {
				id = p[3];
				memcpy(&flags, p + 4, 4);
			} else if (p[0] == 9 && p[1] >= 16) {
				memcpy(&id, p + 4, 4);
				memcpy(&flags, p + 8, 4);
			} else {
				break;
			}
			if ((flags & 1) && m->ncpus < MADT_MAX_CPUS)
				m->apic_ids[m->ncpus++] = id;
			break;
		case 1:		/* I/O APIC */
			if (p[1] >= 12 && !m->ioapic_base) {
				memcpy(&id, p + 4, 4);
				m->ioapic_base = id;
				memcpy(&m->ioapic_gsi_base, p + 8, 4);
			}
			break;
		case 2:		/* interrupt source override */
			if (p[1] >= 10 && p[2] == 0 && p[3] < 16) {
				memcpy(&m->isa_gsi[p[3]], p + 4, 4);
				memcpy(&m->isa_flags[p[3]], p + 8, 2);
			}
			break;
		case 5:		/* local APIC address override */
			if (p[1] >= 12)
				memcpy(&m->lapic_base, p + 4, 8);
			break;
		}
		p += p[1];
	}
	if (!m->lapic_base || !m->ncpus || !m->ioapic_base) {
		acpi_fail("MADT lacks %s", !m->lapic_base ? "a local APIC "
			  "address" : !m->ncpus ? "enabled CPUs" :
			  "an I/O APIC");
		return -1;
	}
	return 0;
}

static const struct acpi_sdt *acpi_dsdt(const struct acpi_sdt *fadt)
{
	uint64_t addr = acpi_field(fadt, FADT_X_DSDT, 8);

	if (!addr)
		addr = acpi_field(fadt, FADT_DSDT, 4);
	return acpi_table(addr, "DSDT");
}

/* Reads one AML integer constant at p; false if it is not one. */
static bool aml_integer(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	unsigned n;

	if (p >= end)
		return false;
	switch (*p) {
	case AML_ZERO_OP: *v = 0; return true;
	case AML_ONE_OP: *v = 1; return true;
	case AML_ONES_OP: *v = ~0ULL; return true;
	case AML_BYTE_PREFIX: n = 1; break;
	case AML_WORD_PREFIX: n = 2; break;
	case AML_DWORD_PREFIX: n = 4; break;
	default: return false;
	}
	if (p + 1 + n > end)
		return false;
	*v = 0;
	memcpy(v, p + 1, n);
	return true;
}

/* SLP_TYPa from the DSDT's Name (_S5_, Package () { a, b, ... }). */
static int acpi_s5_slp_typ(const struct acpi_sdt *dsdt, unsigned *typ)
{
	const uint8_t *p = (const uint8_t *)(dsdt + 1);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;
	uint64_t v;

	for (; p + 5 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != AML_PACKAGE_OP)
			continue;
		if (p[-1] != AML_NAME_OP &&
		    !(p[-1] == '\\' && p[-2] == AML_NAME_OP))
			continue;
		p += 5;			/* at PkgLength */
		p += 1 + (*p >> 6);	/* skip PkgLength */
		p += 1;			/* skip NumElements */
		if (!aml_integer(p, end, &v) || v > 7) {
			acpi_fail("\\_S5 package does not start with a "
				  "SLP_TYP integer");
			return -1;
		}
		*typ = (unsigned)v;
		return 0;
	}
	acpi_fail("no Name (_S5_, Package ...) in the DSDT");
	return -1;
}

/* Waits a while for the machine to act on a request, then reports. */
static void __attribute__((noreturn)) acpi_wait_then_fail(const char *what)
{
	unsigned i;

	for (i = 0; i < 20; i++)
		pit_delay_us(100000);
	panic("still running 2 s after %s", what);
}

/* PM1a_CNT's port, from X_PM1a_CNT_BLK or PM1a_CNT_BLK; panics if none. */
static uint16_t acpi_pm1a_cnt(const struct acpi_sdt *fadt)
{
	struct acpi_gas x_cnt;
	uint64_t port;

	memset(&x_cnt, 0, sizeof(x_cnt));
	if (fadt->length >= FADT_X_PM1A_CNT_BLK + sizeof(x_cnt))
		memcpy(&x_cnt, (const uint8_t *)fadt + FADT_X_PM1A_CNT_BLK,
		       sizeof(x_cnt));
	if (x_cnt.address) {
		if (x_cnt.space_id != GAS_SYSTEM_IO)
			panic("X_PM1a_CNT_BLK is in address space %u, not "
			      "system I/O", x_cnt.space_id);
		port = x_cnt.address;
	} else {
		port = acpi_field(fadt, FADT_PM1A_CNT_BLK, 4);
	}
	if (!port || port > 0xfffe)
		panic("FADT PM1a_CNT_BLK is %#lx", port);
	return (uint16_t)port;
}

void acpi_power_button_enable(const struct madt_info *m, unsigned vector,
			      uint32_t apic_id)
{
	const struct acpi_sdt *fadt = acpi_find("FACP");
	uint64_t evt, len, sci;
	uint16_t cnt;

	if (!fadt)
		panic("power button: %s", acpi_err);
	evt = acpi_field(fadt, FADT_PM1A_EVT_BLK, 4);
	len = acpi_field(fadt, FADT_PM1_EVT_LEN, 1);
	sci = acpi_field(fadt, FADT_SCI_INT, 2);
	if (!evt || evt + len > 0x10000 || len < 4)
		panic("power button: FADT PM1a_EVT_BLK %#lx, PM1_EVT_LEN %lu",
		      evt, len);
	if (sci >= 16)
		panic("power button: SCI_INT %lu is not an ISA IRQ", sci);
	cnt = acpi_pm1a_cnt(fadt);
	if (!(inw(cnt) & PM1_SCI_EN))
		panic("power button: not in ACPI mode (PM1a_CNT.SCI_EN is 0, "
		      "SMI_CMD %#lx)", acpi_field(fadt, FADT_SMI_CMD, 4));
	acpi_pm1a_sts = (uint16_t)evt;
	outw(acpi_pm1a_sts, PM1_PWRBTN);		/* clear a stale press */
	ioapic_route_isa(m, (unsigned)sci, vector, apic_id, true);
	outw((uint16_t)(evt + len / 2), PM1_PWRBTN);	/* PM1a_EN */
}

bool acpi_power_button_check(void)
{
	if (!acpi_pm1a_sts || !(inw(acpi_pm1a_sts) & PM1_PWRBTN))
		return false;
	outw(acpi_pm1a_sts, PM1_PWRBTN);	/* write 1 to clear */
	return true;
}

void acpi_poweroff(void)
{
	const struct acpi_sdt *fadt, *dsdt;
	uint16_t port;
	unsigned typ;
	uint16_t v;
	char what[64];

	fadt = acpi_find("FACP");
	if (!fadt)
		panic("poweroff: %s", acpi_err);
	dsdt = acpi_dsdt(fadt);
	if (!dsdt)
		panic("poweroff: %s", acpi_err);
	if (acpi_s5_slp_typ(dsdt, &typ))
		panic("poweroff: %s", acpi_err);
	port = acpi_pm1a_cnt(fadt);
	ksnprintf(what, sizeof(what), "the S5 write to PM1a_CNT %#x", port);
	/* As Linux: SLP_TYP first, then SLP_TYP | SLP_EN. */
	v = inw(port);
	v &= (uint16_t)~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	v |= (uint16_t)(typ << PM1_SLP_TYP_SHIFT);
	outw(port, v);
	outw(port, v | PM1_SLP_EN);
	acpi_wait_then_fail(what);
}

void acpi_reset(void)
{
	const struct acpi_sdt *fadt = acpi_find("FACP");
	struct acpi_gas reg;
	uint8_t val;

	if (!fadt)
		panic("acpi reset: %s", acpi_err);
	if (fadt->length < FADT_RESET_VALUE + 1)
		panic("acpi reset: FADT (length %u) has no RESET_REG",
		      fadt->length);
	if (!(acpi_field(fadt, FADT_FLAGS, 4) & FADT_RESET_REG_SUP))
		panic("acpi reset: FADT flags lack RESET_REG_SUP");
	memcpy(&reg, (const uint8_t *)fadt + FADT_RESET_REG, sizeof(reg));
	val = (uint8_t)acpi_field(fadt, FADT_RESET_VALUE, 1);
	switch (reg.space_id) {
	case GAS_SYSTEM_IO:
		if (!reg.address || reg.address > 0xffff)
			panic("acpi reset: RESET_REG port %#lx", reg.address);
		outb((uint16_t)reg.address, val);
		break;
	case GAS_SYSTEM_MEMORY:
		if (!reg.address || reg.address >= ACPI_ADDR_LIMIT)
			panic("acpi reset: RESET_REG address %#lx",
			      reg.address);
		*(volatile uint8_t *)reg.address = val;
		break;
	default:
		panic("acpi reset: RESET_REG in address space %u",
		      reg.space_id);
	}
	acpi_wait_then_fail("the write to the FADT RESET_REG");
}
