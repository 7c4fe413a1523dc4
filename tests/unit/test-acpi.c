/* test-acpi.c - tests of ACPI tables, AML builder, PM registers (ACPI 6.4). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "tests/unit/check.h"
#include "devices/acpi-pm.h"
#include "vmm/acpi.h"
#include "vmm/aml.h"
#include "vmm/layout.h"
#include "vmm/vmm.h"

static uint8_t tables[LAYOUT_ACPI_MAX];
static size_t tables_len;

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t
le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t
sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/*
 * The table with signature sig at guest address gpa, after checking that
 * it lies inside the built tables, and its length and checksum; or NULL.
 */
static const uint8_t *
table_at(uint64_t gpa, const char *sig, bool checksum)
{
	const uint8_t *t;
	uint64_t off = gpa - LAYOUT_ACPI;
	uint32_t len;

	CHECK(gpa >= LAYOUT_ACPI && off + 8 <= tables_len,
	      "%s at %#llx is outside the tables", sig,
	      (unsigned long long)gpa);
	if (gpa < LAYOUT_ACPI || off + 8 > tables_len)
		return NULL;
	t = tables + off;
	len = le32(t + 4);
	CHECK(memcmp(t, sig, 4) == 0, "expected %s, found %.4s", sig, t);
	CHECK(len >= 36 && off + len <= tables_len, "%s length %u", sig, len);
	if (memcmp(t, sig, 4) || len < 36 || off + len > tables_len)
		return NULL;
	if (checksum) {
		CHECK(sum8(t, len) == 0, "%s checksum", sig);
		CHECK(memcmp(t + 10, "HYVE  ", 6) == 0, "%s OEM ID", sig);
		CHECK(memcmp(t + 16, "HYVEVM  ", 8) == 0, "%s OEM table", sig);
		CHECK(memcmp(t + 28, "HYVE", 4) == 0, "%s creator", sig);
	}
	return t;
}

/* Decodes a PkgLength at p (ACPI 6.4, 20.2.4): the length, its size. */
static uint32_t
pkglen(const uint8_t *p, unsigned *nbytes)
{
	unsigned n = (p[0] >> 6) + 1, i;
	uint32_t len;

	*nbytes = n;
	if (n == 1)
		return p[0] & 0x3f;
	len = p[0] & 0x0f;
	for (i = 1; i < n; i++)
		len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

/* Decodes a ComputationalData integer at p; returns its size, 0 if none. */
static unsigned
aml_integer(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	static const unsigned sizes[] = { [0x0a] = 1, [0x0b] = 2,
					  [0x0c] = 4, [0x0e] = 8 };
	unsigned n, i;

	if (p >= end)
		return 0;
	if (p[0] == 0x00 || p[0] == 0x01) {
		*v = p[0];
		return 1;
	}
	if (p[0] == 0xff) {
		*v = ~0ULL;
		return 1;
	}
	if (p[0] > 0x0e || !(n = sizes[p[0]]) || end - p < 1 + n)
		return 0;
	for (*v = 0, i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return 1 + n;
}

/* Finds needle in [p, end), or NULL. */
static const uint8_t *
find(const uint8_t *p, const uint8_t *end, const void *needle, size_t n)
{
	for (; end - p >= (ptrdiff_t)n; p++)
		if (memcmp(p, needle, n) == 0)
			return p;
	return NULL;
}

static void
check_dsdt(const uint8_t *dsdt)
{
	const uint8_t *end = dsdt + le32(dsdt + 4), *p, *pkg_end;
	uint64_t v[4];
	unsigned n, i, k;
	uint32_t len;

	CHECK_EQ(dsdt[8], 2);	/* 64-bit integers */

	/* Name (_S5, Package (4) { SLP_TYP, SLP_TYP, 0, 0 }) */
	p = find(dsdt + 36, end, "_S5_", 4);
	CHECK(p != NULL, "no _S5_ in the DSDT");
	if (!p)
		return;
	CHECK(p[-1] == 0x08 || (p[-1] == '\\' && p[-2] == 0x08),
	      "_S5_ is not named by a NameOp");
	p += 4;
	CHECK_EQ(p[0], 0x12);	/* PackageOp */
	len = pkglen(p + 1, &n);
	pkg_end = p + 1 + len;
	CHECK(pkg_end <= end, "_S5 package runs past the DSDT");
	if (p[0] != 0x12 || pkg_end > end)
		return;
	p += 1 + n;
	CHECK_EQ(p[0], 4);	/* NumElements */
	p++;
	for (i = 0; i < 4; i++) {
		k = aml_integer(p, pkg_end, &v[i]);
		CHECK(k != 0, "_S5 element %u is not an integer", i);
		if (!k)
			return;
		p += k;
	}
	CHECK(p == pkg_end, "_S5 package length does not match its elements");
	CHECK_EQ(v[0], ACPI_S5_SLP_TYP);
	CHECK_EQ(v[1], ACPI_S5_SLP_TYP);

	/* Scope (\_SB) { Device (PCI0) {...} Device (MRES) {...} } */
	p = find(dsdt + 36, end, "\\_SB_", 5);
	CHECK(p != NULL && (p[-2] == 0x10 || p[-3] == 0x10),
	      "no Scope (\\_SB) with a 1- or 2-byte PkgLength");
	p = find(dsdt + 36, end, "PCI0", 4);
	CHECK(p != NULL && find(dsdt + 36, p, "\x5b\x82", 2) != NULL,
	      "no Device (PCI0)");
	CHECK(find(dsdt + 36, end, "\x0c\x41\xd0\x0a\x08", 5) != NULL,
	      "no EisaId (PNP0A08)");
	CHECK(find(dsdt + 36, end, "MRES", 4) != NULL, "no Device (MRES)");
	/* _PRT's first entry: slot 1 INTA -> GSI IRQ_PCI_INTX(1, 0). */
	static const uint8_t prt0[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff,
					0x01, 0x00, 0x00, 0x00, 0x0a,
					IRQ_PCI_INTX(1, 0) };
	p = find(dsdt + 36, end, "_PRT", 4);
	CHECK(p != NULL && find(p, end, prt0, sizeof(prt0)) != NULL,
	      "no _PRT entry for slot 1 INTA");
}

/* MCFG: one ECAM area for bus 0 at LAYOUT_PCI_ECAM. */
static void
check_mcfg(const uint8_t *m)
{
	CHECK_EQ(le32(m + 4), 36 + 8 + 16);
	CHECK_EQ(le64(m + 44), LAYOUT_PCI_ECAM);
	CHECK_EQ(m[52] | m[53] << 8, 0);	/* segment */
	CHECK_EQ(m[54], 0);			/* start bus */
	CHECK_EQ(m[55], 0);			/* end bus */
}

static void
check_fadt(const uint8_t *f)
{
	uint32_t flags = le32(f + 112);
	const uint8_t *facs;
	uint64_t facs_gpa;

	CHECK_EQ(le32(f + 4), 276);
	CHECK_EQ(f[8], 6);			/* revision */
	CHECK_EQ(le16(f + 46), IRQ_SCI);
	CHECK_EQ(le32(f + 48), 0);		/* SMI_CMD: always ACPI */
	CHECK_EQ(le32(f + 56), PORT_PM1A_EVT);
	CHECK_EQ(le32(f + 60), 0);		/* no PM1b */
	CHECK_EQ(le32(f + 64), PORT_PM1A_CNT);
	CHECK_EQ(le32(f + 76), PORT_PM_TMR);
	CHECK_EQ(le32(f + 80), 0);		/* no GPE0 */
	CHECK_EQ(f[88], PORT_PM1A_EVT_LEN);
	CHECK_EQ(f[89], PORT_PM1A_CNT_LEN);
	CHECK_EQ(f[91], PORT_PM_TMR_LEN);
	CHECK_EQ(le16(f + 109), 1u << 2);	/* VGA not present, no 8042 */
	/* WBINVD, PROC_C1, SLP_BUTTON, FIX_RTC, TMR_VAL_EXT, RESET_REG_SUP */
	CHECK_EQ(flags, 0x565);
	CHECK(!(flags & (1u << 20)), "hardware-reduced");
	CHECK(!(flags & (1u << 4)), "power button is not fixed hardware");
	/* RESET_REG: system I/O, 8 bits, byte access */
	CHECK_EQ(f[116], 1);
	CHECK_EQ(f[117], 8);
	CHECK_EQ(f[118], 0);
	CHECK_EQ(f[119], 1);
	CHECK_EQ(le64(f + 120), PORT_RESET_CONTROL);
	CHECK_EQ(f[128], RESET_CONTROL_VALUE);
	/* DSDT and X_DSDT agree */
	CHECK_EQ(le64(f + 140), le32(f + 40));
	/* X_PM1a_EVT_BLK, X_PM1a_CNT_BLK, X_PM_TMR_BLK */
	CHECK_EQ(f[148], 1);
	CHECK_EQ(f[149], 8 * PORT_PM1A_EVT_LEN);
	CHECK_EQ(le64(f + 152), PORT_PM1A_EVT);
	CHECK_EQ(f[172], 1);
	CHECK_EQ(f[173], 8 * PORT_PM1A_CNT_LEN);
	CHECK_EQ(le64(f + 176), PORT_PM1A_CNT);
	CHECK_EQ(f[208], 1);
	CHECK_EQ(f[209], 8 * PORT_PM_TMR_LEN);
	CHECK_EQ(le64(f + 212), PORT_PM_TMR);

	/* FACS: 64 bytes, 64-byte aligned, no checksum */
	facs_gpa = le32(f + 36) ? le32(f + 36) : le64(f + 132);
	CHECK_EQ(facs_gpa % 64, 0);
	if ((facs = table_at(facs_gpa, "FACS", false))) {
		CHECK_EQ(le32(facs + 4), 64);
		CHECK_EQ(facs[32], 2);		/* version */
	}
	if (le32(f + 40))
		if ((f = table_at(le32(f + 40), "DSDT", true)))
			check_dsdt(f);
}

static void
check_madt(const uint8_t *m, unsigned cpus)
{
	const uint8_t *p = m + 44, *end = m + le32(m + 4);
	unsigned lapics = 0, ioapics = 0, sci_iso = 0, nmis = 0;
	uint32_t ids = 0;

	CHECK_EQ(le32(m + 36), LAYOUT_LAPIC);
	CHECK_EQ(le32(m + 40) & 1, 1);		/* PCAT_COMPAT */
	while (p < end) {
		CHECK(end - p >= 2 && p[1] >= 2 && p[1] <= end - p,
		      "MADT entry at +%td has a bad length", p - m);
		if (end - p < 2 || p[1] < 2 || p[1] > end - p)
			return;
		switch (p[0]) {
		case 0:		/* Processor Local APIC */
			CHECK_EQ(p[1], 8);
			CHECK_EQ(p[2], p[3]);		/* UID = APIC ID */
			CHECK(p[3] < cpus, "APIC ID %u", p[3]);
			CHECK(!(ids & 1u << (p[3] & 31)), "APIC ID %u twice",
			      p[3]);
			CHECK_EQ(le32(p + 4) & 1, 1);	/* enabled */
			ids |= 1u << (p[3] & 31);
			lapics++;
			break;
		case 1:		/* I/O APIC */
			CHECK_EQ(p[1], 12);
			CHECK(p[2] >= cpus, "IOAPIC ID %u clashes", p[2]);
			CHECK_EQ(le32(p + 4), LAYOUT_IOAPIC);
			CHECK_EQ(le32(p + 8), 0);
			ioapics++;
			break;
		case 2:		/* Interrupt Source Override */
			CHECK_EQ(p[1], 10);
			CHECK_EQ(p[2], 0);
			CHECK(p[3] == IRQ_SCI, "unexpected override of IRQ %u",
			      p[3]);
			CHECK_EQ(le32(p + 4), IRQ_SCI);
			CHECK_EQ(le16(p + 8), 0x000d);	/* level, high */
			sci_iso++;
			break;
		case 4:		/* Local APIC NMI */
			CHECK_EQ(p[1], 6);
			CHECK_EQ(p[2], 0xff);
			CHECK_EQ(p[5], 1);		/* LINT1 */
			nmis++;
			break;
		default:
			CHECK(0, "unexpected MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	CHECK_EQ(lapics, cpus);
	CHECK_EQ(ids, (uint32_t)((1ULL << cpus) - 1));
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(sci_iso, 1);
	CHECK_EQ(nmis, 1);
}

static void
check_tables(unsigned cpus)
{
	struct acpi_params p = { .cpus = cpus };
	const uint8_t *xsdt, *t;
	unsigned i, n, facp = 0, apic = 0, mcfg = 0;
	size_t used = 0;
	int rc;

	memset(tables, 0xa5, sizeof(tables));
	rc = acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used);
	CHECK(rc == 0, "cpus=%u: acpi_build: %d", cpus, rc);
	if (rc)
		return;
	CHECK(used > 36 && used <= LAYOUT_ACPI_MAX, "used %zu", used);
	tables_len = used;

	/* RSDP at the base: both checksums */
	CHECK(memcmp(tables, "RSD PTR ", 8) == 0, "RSDP signature");
	CHECK_EQ(sum8(tables, 20), 0);
	CHECK_EQ(sum8(tables, 36), 0);
	CHECK_EQ(tables[15], 2);		/* revision */
	CHECK_EQ(le32(tables + 20), 36);	/* length */
	CHECK(memcmp(tables + 9, "HYVE  ", 6) == 0, "RSDP OEM ID");

	if (!(xsdt = table_at(le64(tables + 24), "XSDT", true)))
		return;
	CHECK_EQ((le32(xsdt + 4) - 36) % 8, 0);
	n = (le32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		uint64_t gpa = le64(xsdt + 36 + 8 * i);
		const uint8_t *e = tables + (gpa - LAYOUT_ACPI);

		CHECK(gpa >= LAYOUT_ACPI && gpa - LAYOUT_ACPI + 4 <= used,
		      "XSDT entry %u: %#llx", i, (unsigned long long)gpa);
		if (gpa < LAYOUT_ACPI || gpa - LAYOUT_ACPI + 4 > used)
			continue;
		if (memcmp(e, "FACP", 4) == 0) {
			facp++;
			if ((t = table_at(gpa, "FACP", true)))
				check_fadt(t);
		} else if (memcmp(e, "APIC", 4) == 0) {
			apic++;
			if ((t = table_at(gpa, "APIC", true)))
				check_madt(t, cpus);
		} else if (memcmp(e, "MCFG", 4) == 0) {
			mcfg++;
			if ((t = table_at(gpa, "MCFG", true)))
				check_mcfg(t);
		} else {
			CHECK(0, "unexpected table %.4s", e);
		}
	}
	CHECK_EQ(facp, 1);
	CHECK_EQ(apic, 1);
	CHECK_EQ(mcfg, 1);
}

static void
test_tables(void)
{
	static const unsigned cpus[] = { 1, 2, 4, 16 };
	unsigned i;

	for (i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		check_tables(cpus[i]);
}

static void
test_tables_errors(void)
{
	struct acpi_params p = { .cpus = VM_MAX_CPUS };
	size_t used = 0, u, cap;
	int rc;

	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used),
		 0);
	/* Every buffer too small by at least a byte is refused. */
	for (cap = 0; cap < used; cap++) {
		u = 12345;
		rc = acpi_build(&p, LAYOUT_ACPI, tables, cap, &u);
		CHECK(rc == -ENOSPC, "cap %zu: %d", cap, rc);
		CHECK_EQ(u, 12345);
	}
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, used, &u), 0);
	CHECK_EQ(u, used);

	p.cpus = 0;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &u),
		 -EINVAL);
	p.cpus = VM_MAX_CPUS + 1;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &u),
		 -EINVAL);
	p.cpus = 1;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI + 8, tables, sizeof(tables), &u),
		 -EINVAL);
	CHECK_EQ(acpi_build(&p, LAYOUT_4G, tables, sizeof(tables), &u),
		 -EINVAL);
}

/* The DSDT in freshly built tables (found by signature), checksum checked. */
static const uint8_t *
built_dsdt(size_t used)
{
	const uint8_t *t = find(tables, tables + used, "DSDT", 4);

	CHECK(t != NULL && t + le32(t + 4) <= tables + used, "no DSDT");
	if (t == NULL || t + le32(t + 4) > tables + used)
		return NULL;
	CHECK_EQ(sum8(t, le32(t + 4)), 0);
	return t;
}

/* PCI0's _CRS has a QWordMemory range exactly when there is a 64-bit window. */
static void
test_dsdt_mmio64_window(void)
{
	struct acpi_params p = { .cpus = 1 };
	const uint64_t base = 2 * LAYOUT_PCI_MMIO64_SIZE;
	uint8_t want[46] = { 0x8a, 43, 0, 0 /* memory */, 0x0c, 0x03 };
	const uint8_t *dsdt;
	size_t used = 0;

	for (unsigned i = 0; i < 8; i++) {
		want[14 + i] = (uint8_t)(base >> (8 * i));
		want[22 + i] = (uint8_t)((base + LAYOUT_PCI_MMIO64_SIZE - 1) >>
					 (8 * i));
		want[38 + i] = (uint8_t)(LAYOUT_PCI_MMIO64_SIZE >> (8 * i));
	}
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used), 0);
	dsdt = built_dsdt(used);
	CHECK(dsdt != NULL &&
	      find(dsdt, dsdt + le32(dsdt + 4), want, 3) == NULL,
	      "a QWord range without a 64-bit window");

	p.pci_mmio64 = base;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used), 0);
	tables_len = used;
	dsdt = built_dsdt(used);
	if (dsdt == NULL)
		return;
	const uint8_t *end = dsdt + le32(dsdt + 4);
	const uint8_t *q = find(dsdt, end, want, sizeof(want));
	const uint8_t *crs = find(dsdt, end, "_CRS", 4);
	const uint8_t *prt = find(dsdt, end, "_PRT", 4);

	CHECK(q != NULL, "no QWordMemory %#llx-%#llx in the DSDT",
	      (unsigned long long)base,
	      (unsigned long long)(base + LAYOUT_PCI_MMIO64_SIZE - 1));
	CHECK(crs != NULL && prt != NULL && q > crs && q < prt,
	      "the QWord range is not in PCI0's _CRS");
	check_dsdt(dsdt);	/* the rest still parses */

	/* A window below 4 GiB or off its alignment is refused. */
	p.pci_mmio64 = LAYOUT_PCI_MMIO64_SIZE + 4096;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used),
		 -EINVAL);
	p.pci_mmio64 = LAYOUT_PCI_MMIO32;
	CHECK_EQ(acpi_build(&p, LAYOUT_ACPI, tables, sizeof(tables), &used),
		 -EINVAL);
}

/* Builds with fn and compares the bytes with want. */
static void
check_aml(const char *what, void (*fn)(struct aml *), const void *want,
	  size_t want_len)
{
	uint8_t out[256];
	struct aml a;
	size_t n = 0;
	int rc;

	aml_init(&a, out, sizeof(out));
	fn(&a);
	rc = aml_finish(&a, &n);
	CHECK(rc == 0, "%s: %d", what, rc);
	CHECK(rc == 0 && n == want_len && memcmp(out, want, n) == 0,
	      "%s: wrong bytes (%zu, expected %zu)", what, n, want_len);
}

static void aml_ints(struct aml *a)
{
	aml_int(a, 0);
	aml_int(a, 1);
	aml_int(a, 0xff);
	aml_int(a, 0x100);
	aml_int(a, 0x12345678);
	aml_int(a, 0x100000000ULL);
}

static void aml_names(struct aml *a)
{
	aml_namestring(a, "_S5");
	aml_namestring(a, "\\_SB.PCI0");
	aml_namestring(a, "\\_SB.PCI0.S08");
	aml_namestring(a, "^^AB");
	aml_namestring(a, "\\");
}

static void aml_method_sta(struct aml *a)
{
	aml_method_begin(a, "_STA", 0, false);
	aml_return(a);
	aml_int(a, 0x0f);
	aml_end(a);
}

static void aml_device_hid(struct aml *a)
{
	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_STR");
	aml_string(a, "x");
	aml_end(a);
}

static void aml_end_tag(struct aml *a)
{
	static const uint8_t end_tag[] = { 0x79, 0x00 };

	aml_buffer_begin(a);
	aml_bytes(a, end_tag, sizeof(end_tag));
	aml_end(a);
}

static void
test_aml_encoding(void)
{
	static const uint8_t ints[] = {
		0x00, 0x01, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x78, 0x56, 0x34, 0x12,
		0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
	};
	static const uint8_t names[] = {
		'_', 'S', '5', '_',
		'\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		'\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		'S', '0', '8', '_',
		'^', '^', 'A', 'B', '_', '_',
		'\\', 0x00,
	};
	static const uint8_t method[] = {
		0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f,
	};
	static const uint8_t device[] = {
		0x5b, 0x82, 0x17, 'P', 'C', 'I', '0',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
		0x08, '_', 'S', 'T', 'R', 0x0d, 'x', 0x00,
	};
	static const uint8_t buffer[] = {
		0x11, 0x08, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x79, 0x00,
	};

	check_aml("integers", aml_ints, ints, sizeof(ints));
	check_aml("names", aml_names, names, sizeof(names));
	check_aml("method", aml_method_sta, method, sizeof(method));
	check_aml("device", aml_device_hid, device, sizeof(device));
	check_aml("buffer", aml_end_tag, buffer, sizeof(buffer));
}

/* A package of count Zeros: check the PkgLength at every size boundary. */
static void
check_pkglen(unsigned count, unsigned want_nbytes)
{
	static uint8_t out[8192];
	struct aml a;
	size_t n = 0;
	unsigned i, nbytes;
	uint32_t len;

	aml_init(&a, out, sizeof(out));
	aml_package_begin(&a, count & 0xff);
	for (i = 0; i < count; i++)
		aml_int(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a, &n), 0);
	len = pkglen(out + 1, &nbytes);
	CHECK(nbytes == want_nbytes, "count %u: %u PkgLength bytes", count,
	      nbytes);
	CHECK(len == n - 1, "count %u: PkgLength %u, object %zu", count, len,
	      n);
	CHECK_EQ(out[1 + nbytes], count & 0xff);
}

static void
test_aml_pkglen(void)
{
	/* body = 1 (NumElements) + count; 1 byte holds lengths up to 63 */
	check_pkglen(0, 1);
	check_pkglen(61, 1);
	check_pkglen(62, 2);
	check_pkglen(4092, 2);
	check_pkglen(4093, 3);
}

static void
test_aml_errors(void)
{
	static const char *bad[] = {
		"abc", "TOOLONG", "A..B", "1ABC", "_SB.", ".X", "\\^X", "X Y",
	};
	uint8_t out[64];
	struct aml a;
	size_t n;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, out, sizeof(out));
		aml_name(&a, bad[i]);
		aml_int(&a, 0);
		CHECK(aml_finish(&a, &n) == -EINVAL, "name \"%s\" accepted",
		      bad[i]);
	}

	aml_init(&a, out, sizeof(out));
	aml_end(&a);
	CHECK_EQ(aml_finish(&a, &n), -EINVAL);		/* nothing open */

	aml_init(&a, out, sizeof(out));
	aml_scope_begin(&a, "\\_SB");
	CHECK_EQ(aml_finish(&a, &n), -EINVAL);		/* left open */

	aml_init(&a, out, sizeof(out));
	for (i = 0; i <= AML_MAX_DEPTH; i++)
		aml_package_begin(&a, 1);
	CHECK_EQ(aml_finish(&a, &n), -EINVAL);		/* too deep */

	aml_init(&a, out, sizeof(out));
	aml_eisaid(&a, "pnp0a03");
	CHECK_EQ(aml_finish(&a, &n), -EINVAL);

	aml_init(&a, out, 4);
	aml_int(&a, 0x12345678);			/* 5 bytes */
	CHECK_EQ(aml_finish(&a, &n), -ENOSPC);

	/* The body fits, its PkgLength does not. */
	aml_init(&a, out, 3);
	aml_package_begin(&a, 1);
	aml_int(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a, &n), -ENOSPC);
	aml_init(&a, out, 4);
	aml_package_begin(&a, 1);
	aml_int(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a, &n), 0);
	CHECK_EQ(n, 4);
}

/* ---- PM1 event/control and PM timer ---- */

struct pm_rec {
	bool sci;
	unsigned sci_calls, poweroffs, logs;
};

static void
rec_sci(void *ctx, bool level)
{
	struct pm_rec *r = ctx;

	r->sci = level;
	r->sci_calls++;
}

static void
rec_poweroff(void *ctx)
{
	((struct pm_rec *)ctx)->poweroffs++;
}

static void
rec_log(void *ctx, const char *msg)
{
	((struct pm_rec *)ctx)->logs++;
}

static const struct acpi_pm_hooks rec_hooks = {
	.sci = rec_sci, .poweroff = rec_poweroff, .log = rec_log,
};

static uint64_t
pm_rd(struct acpi_pm *pm, enum acpi_pm_block blk, uint64_t off,
      unsigned size)
{
	uint64_t v = ~0ULL;

	acpi_pm_io(pm, blk, off, size, false, &v);
	return v;
}

static void
pm_wr(struct acpi_pm *pm, enum acpi_pm_block blk, uint64_t off,
      unsigned size, uint64_t v)
{
	acpi_pm_io(pm, blk, off, size, true, &v);
}

static void
test_pm_events(void)
{
	struct pm_rec r = { 0 };
	struct acpi_pm pm;

	CHECK_EQ(acpi_pm_init(&pm, &rec_hooks, &r), 0);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 4) & ~ACPI_PM1_TMR, 0);

	/* The button sets PWRBTN_STS; no SCI until PWRBTN_EN. */
	acpi_pm_power_button(&pm);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 2) & ACPI_PM1_PWRBTN,
		 ACPI_PM1_PWRBTN);
	CHECK_EQ(r.sci_calls, 0);
	pm_wr(&pm, ACPI_PM_EVT, 2, 2, ACPI_PM1_PWRBTN);
	CHECK_EQ(r.sci, true);
	CHECK_EQ(r.sci_calls, 1);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 4) & ~ACPI_PM1_TMR,
		 ACPI_PM1_PWRBTN | ACPI_PM1_PWRBTN << 16);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 3, 1), ACPI_PM1_PWRBTN >> 8);

	/* Writing 0 keeps the status; writing 1 (a byte at +1) clears it. */
	pm_wr(&pm, ACPI_PM_EVT, 0, 2, 0);
	CHECK_EQ(r.sci, true);
	pm_wr(&pm, ACPI_PM_EVT, 1, 1, ACPI_PM1_PWRBTN >> 8);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 2) & ACPI_PM1_PWRBTN, 0);
	CHECK_EQ(r.sci, false);
	CHECK_EQ(r.sci_calls, 2);

	/* A press with the event enabled raises the SCI at once. */
	acpi_pm_power_button(&pm);
	CHECK_EQ(r.sci, true);
	/* Disabling the event drops it; the status stays. */
	pm_wr(&pm, ACPI_PM_EVT, 0, 4, 0);
	CHECK_EQ(r.sci, false);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 2) & ACPI_PM1_PWRBTN,
		 ACPI_PM1_PWRBTN);
	/* A dword write clears status and sets enable together. */
	pm_wr(&pm, ACPI_PM_EVT, 0, 4,
	      0xffffu | (uint32_t)ACPI_PM1_PWRBTN << 16);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 4) & ~ACPI_PM1_TMR,
		 (uint32_t)ACPI_PM1_PWRBTN << 16);
	CHECK_EQ(r.sci, false);

	/* GBL_EN and RTC_EN stick (handlers check), bits 1-4 do not. */
	pm_wr(&pm, ACPI_PM_EVT, 2, 2, ACPI_PM1_GBL | ACPI_PM1_RTC | 0x1e);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 2, 2), ACPI_PM1_GBL | ACPI_PM1_RTC);
	CHECK_EQ(r.sci, false);

	/* Bytes outside the block float high; an 8-byte read is split. */
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 4, 1), 0xff);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 8) >> 32, 0xffffffffu);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, ~0ULL, 4), 0xffffffffu);
	CHECK_EQ(r.poweroffs, 0);

	/* A reset forgets pending and enabled events and drops the SCI. */
	pm_wr(&pm, ACPI_PM_EVT, 2, 2, ACPI_PM1_PWRBTN);
	acpi_pm_power_button(&pm);
	CHECK_EQ(r.sci, true);
	acpi_pm_reset(&pm);
	CHECK_EQ(r.sci, false);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_EVT, 0, 4) & ~ACPI_PM1_TMR, 0);
	acpi_pm_destroy(&pm);
}

static void
test_pm_sleep(void)
{
	const uint32_t s5 = ACPI_S5_SLP_TYP << ACPI_PM1_CNT_SLP_TYP_SHIFT;
	struct pm_rec r = { 0 };
	struct acpi_pm pm;

	CHECK_EQ(acpi_pm_init(&pm, &rec_hooks, &r), 0);
	/* SCI_EN reads as 1 and cannot be cleared. */
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 0, 2), ACPI_PM1_CNT_SCI_EN);
	pm_wr(&pm, ACPI_PM_CNT, 0, 2, 0);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 0, 2), ACPI_PM1_CNT_SCI_EN);

	/* SLP_TYP alone does nothing; SLP_EN reads as 0. */
	pm_wr(&pm, ACPI_PM_CNT, 0, 2, s5);
	CHECK_EQ(r.poweroffs, 0);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 0, 2), s5 | ACPI_PM1_CNT_SCI_EN);
	pm_wr(&pm, ACPI_PM_CNT, 0, 2, s5 | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(r.poweroffs, 1);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 0, 2) & ACPI_PM1_CNT_SLP_EN, 0);

	/* The same through the high byte alone. */
	pm_wr(&pm, ACPI_PM_CNT, 1, 1, (s5 | ACPI_PM1_CNT_SLP_EN) >> 8);
	CHECK_EQ(r.poweroffs, 2);

	/* Other sleep types are logged and ignored. */
	pm_wr(&pm, ACPI_PM_CNT, 0, 2,
	      3u << ACPI_PM1_CNT_SLP_TYP_SHIFT | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(r.poweroffs, 2);
	CHECK_EQ(r.logs, 1);

	/* Reads past the 2-byte block float high. */
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 1, 2) >> 8, 0xff);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_CNT, 2, 4), 0xffffffffu);
	CHECK_EQ(r.sci_calls, 0);
	acpi_pm_destroy(&pm);
}

static void
test_pm_timer(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };	/* 20 ms */
	struct acpi_pm pm;
	uint32_t t0, t1, d;
	uint64_t b;

	CHECK_EQ(acpi_pm_init(&pm, NULL, NULL), 0);
	t0 = (uint32_t)pm_rd(&pm, ACPI_PM_TMR, 0, 4);
	nanosleep(&ts, NULL);
	t1 = (uint32_t)pm_rd(&pm, ACPI_PM_TMR, 0, 4);
	d = t1 - t0;
	/* 20 ms is 71591 ticks; allow a slow, busy machine up to 2 s. */
	CHECK(d >= 71591 && d < 2 * ACPI_PM_TIMER_HZ, "20 ms = %u ticks", d);
	/* Writes are ignored; the upper bytes read on their own. */
	pm_wr(&pm, ACPI_PM_TMR, 0, 4, 0);
	CHECK((uint32_t)pm_rd(&pm, ACPI_PM_TMR, 0, 4) - t1 < 2u *
	      ACPI_PM_TIMER_HZ, "timer was written");
	b = pm_rd(&pm, ACPI_PM_TMR, 3, 1);
	CHECK(b <= 0xff, "byte read %#llx", (unsigned long long)b);
	CHECK_EQ(pm_rd(&pm, ACPI_PM_TMR, 2, 4) >> 16, 0xffff);
	acpi_pm_destroy(&pm);
}

int
main(void)
{
	RUN_TEST(test_tables);
	RUN_TEST(test_tables_errors);
	RUN_TEST(test_dsdt_mmio64_window);
	RUN_TEST(test_aml_encoding);
	RUN_TEST(test_aml_pkglen);
	RUN_TEST(test_aml_errors);
	RUN_TEST(test_pm_events);
	RUN_TEST(test_pm_sleep);
	RUN_TEST(test_pm_timer);
	CHECK_EXIT();
}
