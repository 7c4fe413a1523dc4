/* kvm.c - opens /dev/kvm and checks the API version and every capability hyve uses. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/vm-internal.h"

struct kvm_cap_need {
	int cap;
	const char *name;
	const char *use;
};

static const struct kvm_cap_need kvm_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "in-kernel PIC/IOAPIC/LAPIC" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2", "in-kernel PIT" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "CPUID setup" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "TSS placement" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR",
	  "identity map placement" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
	  "stopping vCPUs from another thread" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE", "SMP bring-up" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD", "device interrupts" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", "device doorbells" },
	{ KVM_CAP_SYNC_MMU, "KVM_CAP_SYNC_MMU", "anonymous guest RAM" },
};

int kvm_open_checked(int *fdp, unsigned cpus, char *err)
{
	int fd, version, max;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return err_set(err, VM_ERR_MAX, -e,
				       "/dev/kvm does not exist: load the KVM "
				       "module (modprobe kvm_intel or kvm_amd) "
				       "and enable virtualization in the "
				       "firmware");
		if (e == EACCES || e == EPERM)
			return err_set(err, VM_ERR_MAX, -e,
				       "/dev/kvm: permission denied: add your "
				       "user to the kvm group (sudo usermod "
				       "-aG kvm $USER) and log in again");
		return err_set(err, VM_ERR_MAX, -e, "/dev/kvm: %s",
			       strerror(e));
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		close(fd);
		return err_set(err, VM_ERR_MAX, -ENOTSUP,
			       "/dev/kvm speaks API version %d, hyve needs %d",
			       version, KVM_API_VERSION);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kvm_caps); i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, kvm_caps[i].cap) <= 0) {
			close(fd);
			return err_set(err, VM_ERR_MAX, -ENOTSUP,
				       "/dev/kvm lacks %s (needed for %s)",
				       kvm_caps[i].name, kvm_caps[i].use);
		}
	}
	max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && (unsigned)max < cpus) {
		close(fd);
		return err_set(err, VM_ERR_MAX, -ENOTSUP,
			       "/dev/kvm allows %d vCPUs per VM, the profile "
			       "asks for %u", max, cpus);
	}
	*fdp = fd;
	return 0;
}
