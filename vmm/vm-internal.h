/* vm-internal.h - struct vm and its parts, shared by the files of vmm/ only. */
#ifndef HYVE_VM_INTERNAL_H
#define HYVE_VM_INTERNAL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>

#include "vmm/memory.h"
#include "vmm/vmm.h"

struct board;

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;				/* -1 when not built */
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	bool exited;			/* its loop ended (vm->lock) */
	_Atomic uint64_t exits[VM_EXIT_NR];	/* written by this vCPU only */
};

struct trap {
	uint64_t base, len;
	vm_trap_fn *fn;
	void *dev;
};

/* Traps of one address space, sorted by base; fixed once the VM starts. */
struct bus {
	struct trap *traps;
	size_t n, cap;
	_Atomic uint64_t unclaimed;	/* accesses no device claimed */
};

/* What the vCPU threads should be doing. */
enum run_mode { RUN_GO, RUN_PAUSE, RUN_STOP };

/* Requests for the event thread (bits). */
enum {
	REQ_POWEROFF = 1 << 0,
	REQ_RESET = 1 << 1,
	REQ_FAIL = 1 << 2,
	REQ_KILL = 1 << 3,
	REQ_HOST_RESET = 1 << 4,
};

#define VM_LOG_LINES 64

/* irqfds, ioeventfds and MSI routes: re-applied whenever the KVM VM is rebuilt. */
#define WIRE_GSI_FIRST	24	/* GSIs below are the IOAPIC's pins */
#define WIRE_MSI_MAX	256
#define WIRE_IRQFD_MAX	256
#define WIRE_IOEVENTFD_MAX	256

struct wire_msi {
	bool used;		/* the GSI is allocated */
	bool routed;		/* addr/data are valid */
	uint64_t addr;
	uint32_t data;
};

struct wire_irqfd {
	int fd;			/* -1: free */
	unsigned gsi;
};

struct wire_ioeventfd {
	int fd;			/* -1: free */
	enum vm_space space;
	uint64_t addr;
	unsigned len;
};

struct vm_wiring {
	pthread_mutex_t lock;	/* taken after fd_lock, never before */
	struct wire_msi msi[WIRE_MSI_MAX];	/* GSI WIRE_GSI_FIRST + i */
	struct wire_irqfd irqfd[WIRE_IRQFD_MAX];
	struct wire_ioeventfd ioeventfd[WIRE_IOEVENTFD_MAX];
};

struct vm {
	struct vm_config cfg;
	int kvm_fd;			/* /dev/kvm, for this VM only */
	int vm_fd;			/* the KVM VM; rebuilt on reset */
	pthread_rwlock_t fd_lock;	/* held for writing while rebuilt */
	size_t run_size;
	struct guest_memory mem;
	struct vcpu vcpus[VM_MAX_CPUS];
	struct bus bus[2];		/* indexed by enum vm_space */
	struct board *board;
	struct vm_wiring wiring;
	struct console *consoles[VM_SERIAL_PORTS];
	int console_fd;			/* eventfd: console output waiting */
	int state_fd;			/* eventfd: state or log changed */
	int ctl_fd;			/* eventfd: wakes the event thread */

	pthread_t event_thread;
	bool event_started;
	_Atomic int run_mode;		/* enum run_mode, read by vCPUs */

	pthread_mutex_t lock;		/* protects everything below */
	pthread_cond_t cond;
	enum vm_state state;
	enum vm_stop_reason reason;
	unsigned restarts;
	unsigned requests;		/* REQ_* */
	unsigned parked;		/* vCPUs waiting in RUN_PAUSE */
	bool pause_wanted;
	char message[VM_ERR_MAX];
	char log[VM_LOG_LINES][VM_ERR_MAX];
	uint64_t log_next;		/* sequence number of the next line */
};

/* kvm.c */
int kvm_open_checked(int *fd, unsigned cpus, char *err);

/* machine.c: the KVM side of a VM, built at create and on each reset */
int machine_build(struct vm *vm, char *err);
void machine_teardown(struct vm *vm);

/* boot.c: kernel, initrd, boot_params, ACPI, page tables into guest RAM */
int boot_load(struct vm *vm, uint64_t *entry, char *err);

/* cpu.c: vCPU identity and entry state */
/* KVM_GET_SUPPORTED_CPUID, malloc'd; NULL with errno on failure. */
struct kvm_cpuid2 *cpu_supported_cpuid(int kvm_fd);
int cpu_setup(struct vm *vm, struct vcpu *vcpu, struct kvm_cpuid2 *cpuid,
	      uint64_t entry, char *err);

/* vcpu.c */
int vcpu_start(struct vcpu *vcpu);
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);

/* wiring.c */
void wiring_init(struct vm_wiring *w);
void wiring_destroy(struct vm_wiring *w);
/* Re-applies every route, irqfd and ioeventfd to a fresh vm_fd. */
int wiring_apply(struct vm *vm, char *err);

/* bus.c */
void bus_dispatch(struct vm *vm, enum vm_space space, uint64_t addr,
		  unsigned size, bool write, uint8_t *data);
void bus_free(struct bus *bus);

/* vm.c: things vCPU threads report */
void vm_fail(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vm_vcpu_park(struct vm *vm);

#endif
