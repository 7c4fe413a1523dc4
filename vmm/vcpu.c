/* vcpu.c - one thread per vCPU: the KVM_RUN loop, exit handling and exit accounting. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/compat.h"
#include "vmm/vm-internal.h"

#define VCPU_KICK_SIGNAL SIGUSR1

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* only interrupts KVM_RUN */
}

static pthread_once_t vcpu_signal_once = PTHREAD_ONCE_INIT;

static void vcpu_signal_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);	/* no SA_RESTART */
}

static void vcpu_count(struct vcpu *vcpu, enum vm_exit_kind k)
{
	uint64_t v = atomic_load_explicit(&vcpu->exits[k],
					  memory_order_relaxed);

	atomic_store_explicit(&vcpu->exits[k], v + 1, memory_order_relaxed);
}

static enum vm_exit_kind vcpu_exit_kind(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO: return VM_EXIT_IO;
	case KVM_EXIT_MMIO: return VM_EXIT_MMIO;
	case KVM_EXIT_HLT: return VM_EXIT_HLT;
	case KVM_EXIT_SHUTDOWN: return VM_EXIT_SHUTDOWN;
	case KVM_EXIT_IRQ_WINDOW_OPEN: return VM_EXIT_IRQ_WINDOW;
	case KVM_EXIT_INTERNAL_ERROR: return VM_EXIT_INTERNAL_ERROR;
	case KVM_EXIT_FAIL_ENTRY: return VM_EXIT_FAIL_ENTRY;
	case KVM_EXIT_INTR: return VM_EXIT_INTR;
	case KVM_EXIT_SYSTEM_EVENT: return VM_EXIT_SYSTEM_EVENT;
	case KVM_EXIT_DEBUG: return VM_EXIT_DEBUG;
	default: return VM_EXIT_OTHER;
	}
}

/* Formats up to 15 instruction bytes at the vCPU's RIP into buf. */
static void vcpu_insn_bytes(struct vcpu *vcpu, uint64_t rip, char *buf,
			    size_t len)
{
	struct kvm_run *run = vcpu->run;
	uint8_t bytes[16];
	unsigned n = 0;
	size_t off = 0;

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		n = MIN(run->emulation_failure.insn_size, 15);
		memcpy(bytes, run->emulation_failure.insn_bytes, n);
	}
	while (n < 15) {
		struct kvm_translation tr = { .linear_address = rip + n };
		uint8_t *p;

		if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
			break;
		p = vm_gpa(vcpu->vm, tr.physical_address, 1);
		if (!p)
			break;
		bytes[n++] = *p;
	}
	buf[0] = '\0';
	for (unsigned i = 0; i < n && off + 4 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%02x",
					i ? " " : "", bytes[i]);
	if (!n)
		str_copy(buf, "unreadable", len);
}

static uint64_t vcpu_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ULL;
	return regs.rip;
}

static void vcpu_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t rip = vcpu_rip(vcpu);
	char insn[64];
	const char *what;

	switch (run->internal.suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		what = "instruction emulation failed";
		break;
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		what = "exception while delivering an exception";
		break;
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		what = "event delivery failed";
		break;
	default:
		what = "KVM internal error";
		break;
	}
	vcpu_insn_bytes(vcpu, rip, insn, sizeof(insn));
	vm_fail(vcpu->vm, "vCPU %u: %s (suberror %u) at RIP %#llx, "
		"instruction bytes: %s", vcpu->index, what,
		run->internal.suberror, (unsigned long long)rip, insn);
}

/*
 * A triple fault. Loading an empty IDT and faulting is the classic way to
 * reset a PC (Linux's reboot=triple does it), so that is a reboot; any
 * other triple fault is a crashed guest.
 */
static void vcpu_shutdown(struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	uint64_t rip = vcpu_rip(vcpu);

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		vm_fail(vcpu->vm, "vCPU %u: triple fault (the guest crashed)",
			vcpu->index);
		return;
	}
	/* AMD's KVM has already reset the vCPU: the faulting RIP is gone. */
	if (rip == 0xfff0 && sregs.cs.base == 0xffff0000) {
		vm_fail(vcpu->vm, "vCPU %u: triple fault (the guest crashed; "
			"KVM reset the vCPU, so its RIP is lost)", vcpu->index);
		return;
	}
	if (sregs.idt.limit == 0) {
		vm_request_reset(vcpu->vm, "triple fault with an empty IDT");
		return;
	}
	vm_fail(vcpu->vm, "vCPU %u: triple fault at RIP %#llx (the guest "
		"crashed)", vcpu->index, (unsigned long long)rip);
}

static void vcpu_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_poweroff(vcpu->vm);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_reset(vcpu->vm, "system reset event");
		break;
	default:
		vm_fail(vcpu->vm, "vCPU %u: system event %u (guest crash)",
			vcpu->index, vcpu->run->system_event.type);
		break;
	}
}

static void vcpu_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t off = run->io.data_offset;
	uint64_t total = (uint64_t)run->io.size * run->io.count;

	if (off > vcpu->vm->run_size || total > vcpu->vm->run_size - off) {
		vm_fail(vcpu->vm, "vCPU %u: malformed I/O exit", vcpu->index);
		return;
	}
	for (uint32_t i = 0; i < run->io.count; i++)
		bus_dispatch(vcpu->vm, VM_SPACE_PIO, run->io.port,
			     run->io.size,
			     run->io.direction == KVM_EXIT_IO_OUT,
			     (uint8_t *)run + off + i * run->io.size);
}

/* Handles one exit; returns false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		bus_dispatch(vcpu->vm, VM_SPACE_MMIO, run->mmio.phys_addr,
			     run->mmio.len, run->mmio.is_write,
			     run->mmio.data);
		return true;
	case KVM_EXIT_HLT:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_DEBUG:
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		vcpu_shutdown(vcpu);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_system_event(vcpu);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_internal_error(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_fail(vcpu->vm, "vCPU %u: VM entry failed (hardware reason "
			"%#llx)", vcpu->index, (unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		return false;
	default:
		vm_fail(vcpu->vm, "vCPU %u: unexpected KVM exit %u at RIP "
			"%#llx", vcpu->index, run->exit_reason,
			(unsigned long long)vcpu_rip(vcpu));
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int mode = atomic_load(&vm->run_mode);

		if (mode == RUN_STOP)
			break;
		if (mode == RUN_PAUSE) {
			vm_vcpu_park(vm);
			continue;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vcpu_count(vcpu, VM_EXIT_INTR);
				__atomic_store_n(&vcpu->run->immediate_exit,
						 0, __ATOMIC_SEQ_CST);
				continue;
			}
			vm_fail(vm, "vCPU %u: KVM_RUN: %s", vcpu->index,
				strerror(errno));
			break;
		}
		vcpu_count(vcpu, vcpu_exit_kind(vcpu->run->exit_reason));
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	pthread_mutex_lock(&vm->lock);
	vcpu->exited = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	sigset_t all, old;
	int rc;

	pthread_once(&vcpu_signal_once, vcpu_signal_install);
	/* The thread starts with every signal blocked but the kick. */
	vcpu->exited = false;
	sigfillset(&all);
	sigdelset(&all, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = thread_start(&vcpu->thread, vcpu_thread, vcpu);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	vcpu->thread_started = rc == 0;
	return rc;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->thread_started)
		return;
	if (vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (!vcpu->thread_started)
		return;
	pthread_join(vcpu->thread, NULL);
	vcpu->thread_started = false;
}
