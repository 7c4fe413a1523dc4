/* machine.c - the KVM side of a VM (VM fd, irqchip, PIT, RAM, vCPUs), built at create and rebuilt on reset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/vm-internal.h"

static int machine_memory(struct vm *vm, char *err)
{
	struct kvm_userspace_memory_region r;
	int rc = memory_map(&vm->mem, vm->cfg.memory);

	if (rc)
		return err_set(err, VM_ERR_MAX, rc,
			       "cannot map %llu MiB of guest RAM: %s",
			       (unsigned long long)(vm->cfg.memory >> 20),
			       strerror(-rc));
	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.guest_phys_addr = 0;
	r.memory_size = vm->mem.low;
	r.userspace_addr = (uintptr_t)vm->mem.host;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "KVM_SET_USER_MEMORY_REGION: %s",
			       strerror(errno));
	if (!vm->mem.high)
		return 0;
	r.slot = 1;
	r.guest_phys_addr = LAYOUT_4G;
	r.memory_size = vm->mem.high;
	r.userspace_addr = (uintptr_t)(vm->mem.host + vm->mem.low);
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "KVM_SET_USER_MEMORY_REGION (high): %s",
			       strerror(errno));
	return 0;
}

static int machine_chips(struct vm *vm, char *err)
{
	uint64_t ident = LAYOUT_IDENTITY_MAP;
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_TSS) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_SET_TSS_ADDR: %s",
			       strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_CREATE_PIT2: %s",
			       strerror(errno));
	return 0;
}

static int machine_vcpu(struct vm *vm, struct vcpu *vcpu,
			struct kvm_cpuid2 *cpuid, uint64_t entry, char *err)
{
	void *run;

	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->index);
	if (vcpu->fd < 0)
		return err_set(err, VM_ERR_MAX, -errno,
			       "KVM_CREATE_VCPU %u: %s", vcpu->index,
			       strerror(errno));
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED)
		return err_set(err, VM_ERR_MAX, -errno,
			       "vCPU %u: mmap kvm_run: %s", vcpu->index,
			       strerror(errno));
	vcpu->run = run;
	return cpu_setup(vm, vcpu, cpuid, entry, err);
}

int machine_build(struct vm *vm, char *err)
{
	struct kvm_cpuid2 *cpuid = NULL;
	uint64_t entry;
	int rc, n;

	n = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n < (int)sizeof(struct kvm_run))
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	vm->run_size = (size_t)n;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return err_set(err, VM_ERR_MAX, -errno, "KVM_CREATE_VM: %s",
			       strerror(errno));
	rc = machine_chips(vm, err);
	if (!rc)
		rc = machine_memory(vm, err);
	if (!rc)
		rc = boot_load(vm, &entry, err);
	if (!rc) {
		cpuid = cpu_supported_cpuid(vm->kvm_fd);
		if (!cpuid)
			rc = err_set(err, VM_ERR_MAX, -errno,
				     "KVM_GET_SUPPORTED_CPUID: %s",
				     strerror(errno));
	}
	for (unsigned i = 0; !rc && i < vm->cfg.cpus; i++)
		rc = machine_vcpu(vm, &vm->vcpus[i], cpuid, entry, err);
	free(cpuid);
	if (!rc)
		rc = wiring_apply(vm, err);
	if (rc)
		machine_teardown(vm);
	return rc;
}

void machine_teardown(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_CPUS; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, vm->run_size);
		if (v->fd >= 0)
			close(v->fd);
		v->run = NULL;
		v->fd = -1;
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
	memory_unmap(&vm->mem);
}
