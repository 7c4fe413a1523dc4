/* cpu.c - vCPU identity (CPUID, topology, MSRs, LAPIC LVTs) and the 64-bit boot entry state (Linux boot protocol). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/vm-internal.h"

#define CPUID_MAX_ENTRIES	256

#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define MISC_ENABLE_FAST_STRING	0x1
#define MTRR_ENABLE_WB		0x806	/* enabled, default type write-back */

#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

#define CR0_PE	(1ULL << 0)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/* Bits needed to number cpus IDs (x86 topology "shift"). */
static unsigned topo_shift(unsigned n)
{
	unsigned s = 0;

	while ((1U << s) < n)
		s++;
	return s;
}

/*
 * KVM emulates the LAPIC's TSC-deadline timer mode but leaves the CPUID
 * bit to us. Linux then skips calibrating the LAPIC timer against the PM
 * timer, a tenth of a second of boot spent in port exits.
 */
static void cpuid_tsc_deadline(int kvm_fd, struct kvm_cpuid2 *c)
{
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0)
		return;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= 1U << 24;
}

struct kvm_cpuid2 *cpu_supported_cpuid(int kvm_fd)
{
	size_t n = CPUID_MAX_ENTRIES;

	for (int tries = 0; tries < 4; tries++, n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = (uint32_t)n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			cpuid_tsc_deadline(kvm_fd, c);
			return c;
		}
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

static bool cpuid_is_amd(const struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0)
			return c->entries[i].ebx == 0x68747541; /* "Auth" */
	return false;
}

/* Rewrites leaf 0xB (x2APIC topology): one package, `cpus` cores, no SMT. */
static void cpuid_topology_leaf(struct kvm_cpuid2 *c, uint32_t leaf,
				unsigned apic, unsigned cpus)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != leaf)
			continue;
		e->edx = apic;
		switch (e->index) {
		case 0:		/* SMT level */
			e->eax = 0;
			e->ebx = 1;
			e->ecx = (1 << 8) | 0;
			break;
		case 1:		/* core level */
			e->eax = topo_shift(cpus);
			e->ebx = cpus;
			e->ecx = (2 << 8) | 1;
			break;
		default:
			e->eax = e->ebx = 0;
			e->ecx = e->index;
			break;
		}
	}
}

static void cpuid_patch(struct kvm_cpuid2 *c, unsigned apic, unsigned cpus)
{
	bool amd = cpuid_is_amd(c);

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (apic << 24) | (cpus << 16) | (8 << 8);
			e->ecx |= 1U << 31;	/* running under a hypervisor */
			if (cpus > 1)
				e->edx |= 1U << 28;	/* HTT: multi-core */
			break;
		case 4:		/* deterministic cache parameters */
			e->eax = (e->eax & 0x03ffffff) | ((cpus - 1) << 26);
			break;
		case 0x80000008:
			if (amd)
				e->ecx = (e->ecx & ~0xf0ffU) |
					 (topo_shift(cpus) << 12) | (cpus - 1);
			break;
		case 0x8000001e:
			e->eax = apic;
			e->ebx = apic & 0xff;	/* core id; 1 thread/core */
			e->ecx = 0;
			break;
		}
	}
	cpuid_topology_leaf(c, 0xb, apic, cpus);
	cpuid_topology_leaf(c, 0x1f, apic, cpus);
}

/* cpuid_patch rewrites every per-vCPU field, so one table serves all. */
static int cpu_cpuid(struct vm *vm, struct vcpu *vcpu, struct kvm_cpuid2 *c,
		     char *err)
{
	cpuid_patch(c, vcpu->index, vm->cfg.cpus);
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "vCPU %u: KVM_SET_CPUID2: %s", vcpu->index,
			       strerror(errno));
	return 0;
}

static int cpu_msrs(struct vcpu *vcpu, char *err)
{
	static const struct { uint32_t index; uint64_t value; } init[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },
		{ MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },
		{ MSR_STAR, 0 },
		{ MSR_LSTAR, 0 },
		{ MSR_CSTAR, 0 },
		{ MSR_SYSCALL_MASK, 0 },
		{ MSR_KERNEL_GS_BASE, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WB },
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[ARRAY_SIZE(init)];
	} m;
	int n;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = ARRAY_SIZE(init);
	for (size_t i = 0; i < ARRAY_SIZE(init); i++) {
		m.e[i].index = init[i].index;
		m.e[i].data = init[i].value;
	}
	n = ioctl(vcpu->fd, KVM_SET_MSRS, &m);
	if (n < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "vCPU %u: KVM_SET_MSRS: %s", vcpu->index,
			       strerror(errno));
	if ((size_t)n < ARRAY_SIZE(init))
		return err_set(err, VM_ERR_MAX, -ENOTSUP,
			       "vCPU %u: KVM refused MSR %#x", vcpu->index,
			       init[n].index);
	return 0;
}

/* LINT0 takes the PIC's ExtINT, LINT1 takes NMI, as on a PC. */
static int cpu_lapic(struct vcpu *vcpu, char *err)
{
	struct kvm_lapic_state la;
	uint32_t v;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &la) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_GET_LAPIC: %s",
			       strerror(errno));
	v = get_le32(la.regs + APIC_LVT_LINT0);
	put_le32(la.regs + APIC_LVT_LINT0,
		 (v & ~0x700U) | (APIC_MODE_EXTINT << 8));
	v = get_le32(la.regs + APIC_LVT_LINT1);
	put_le32(la.regs + APIC_LVT_LINT1,
		 (v & ~0x700U) | (APIC_MODE_NMI << 8));
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &la) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_SET_LAPIC: %s",
			       strerror(errno));
	return 0;
}

static void segment_flat(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 bool code64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/* The state Linux's 64-bit entry (startup_64) expects, boot.rst "64-bit BOOT PROTOCOL". */
static int cpu_boot_state(struct vcpu *vcpu, uint64_t entry, char *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_GET_SREGS: %s",
			       strerror(errno));
	segment_flat(&sregs.cs, 0x10, 0xb, true);
	segment_flat(&sregs.ds, 0x18, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = 0x20;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb;
	sregs.tr.present = 1;
	sregs.gdt.base = LAYOUT_GDT;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs.cr3 = LAYOUT_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_SET_SREGS: %s",
			       strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsi = LAYOUT_ZERO_PAGE;
	regs.rsp = LAYOUT_BOOT_STACK;
	regs.rflags = 0x2;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_SET_REGS: %s",
			       strerror(errno));

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_SET_FPU: %s",
			       strerror(errno));
	return 0;
}

int cpu_setup(struct vm *vm, struct vcpu *vcpu, struct kvm_cpuid2 *cpuid,
	      uint64_t entry, char *err)
{
	int rc;

	rc = cpu_cpuid(vm, vcpu, cpuid, err);
	if (!rc)
		rc = cpu_msrs(vcpu, err);
	if (!rc)
		rc = cpu_lapic(vcpu, err);
	/* The other vCPUs wait for INIT/SIPI from the guest's own BSP. */
	if (!rc && vcpu->index == 0)
		rc = cpu_boot_state(vcpu, entry, err);
	return rc;
}
