/* kvm-keeper.c - idle VMs keep L1 KVM from re-patching its code (KVM API). */

/*
 * Why: L1's KVM keeps static keys (Linux jump labels) that count vCPUs
 * whose local APIC is software-disabled (apic_sw_disabled) and vCPUs with
 * no in-kernel APIC (kvm_has_noapic_vcpu). Every L2 boot moves the first
 * count 0 -> 1 -> 0, and each such move rewrites kernel code with
 * text_poke_bp() while the other L1 vCPU may be running it. Under QEMU's
 * multi-threaded TCG that has been seen to wedge L1 for good: both vCPUs
 * looping on the int3 at the patch site in __apic_accept_irq(). A vCPU
 * that exists but never runs keeps its APIC software-disabled, so holding
 * one (and one without an in-kernel APIC) keeps both counts above zero
 * and the code is patched once, here, before any scenario starts.
 *
 * usage: kvm-keeper &   (prints one line, then sleeps until killed)
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* keeper_vm: a VM with one never-run vCPU (irqchip: with an in-kernel APIC). */
static int
keeper_vm(int kvm, int irqchip)
{
	int vm, vcpu;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return -errno;
	if (irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return -errno;
	return 0;
}

int
main(void)
{
	int kvm, r1, r2;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("kvm-keeper: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	r1 = keeper_vm(kvm, 1);
	r2 = keeper_vm(kvm, 0);
	if (r1 < 0 || r2 < 0) {
		printf("kvm-keeper: cannot create the idle VMs: %s\n",
		    strerror(r1 < 0 ? -r1 : -r2));
		return 1;
	}
	printf("kvm-keeper: holding two idle VMs\n");
	fflush(stdout);
	for (;;)
		pause();
}
