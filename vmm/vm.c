/* vm.c - a VM's lifecycle: create, start, pause, resume, reset, power button, force-stop, destroy; its event thread. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices/devices.h"
#include "vmm/compat.h"
#include "vmm/console.h"
#include "vmm/vm-internal.h"

#define CONSOLE_OUT_CAP	(64 * 1024)
#define CONSOLE_IN_CAP	(64 * 1024)

static const char *const state_names[] = {
	[VM_STATE_CREATED] = "created",
	[VM_STATE_RUNNING] = "running",
	[VM_STATE_PAUSED] = "paused",
	[VM_STATE_STOPPED] = "stopped",
};

static const char *const stop_names[] = {
	[VM_STOP_NONE] = "none",
	[VM_STOP_POWEROFF] = "powered off",
	[VM_STOP_REBOOT] = "rebooted",
	[VM_STOP_FAILED] = "failed",
	[VM_STOP_KILLED] = "force-stopped",
};

const char *vm_state_name(enum vm_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

const char *vm_stop_reason_name(enum vm_stop_reason r)
{
	return (unsigned)r < ARRAY_SIZE(stop_names) ? stop_names[r] : "?";
}

static void fd_signal(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));

	(void)n;	/* an eventfd at its maximum is readable anyway */
}

static void fd_drain(int fd)
{
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));

	(void)n;
}

/* Appends a line to the VM's log; call with vm->lock held. */
static void vm_log_locked(struct vm *vm, const char *fmt, va_list ap)
{
	char *line = vm->log[vm->log_next % VM_LOG_LINES];

	vsnprintf(line, VM_ERR_MAX, fmt, ap);
	vm->log_next++;
}

void vm_log(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	va_start(ap, fmt);
	vm_log_locked(vm, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->state_fd);
}

bool vm_log_next(struct vm *vm, uint64_t *cursor, char *buf, size_t len)
{
	bool got = false;

	pthread_mutex_lock(&vm->lock);
	if (vm->log_next > VM_LOG_LINES && *cursor < vm->log_next - VM_LOG_LINES)
		*cursor = vm->log_next - VM_LOG_LINES;	/* lines were lost */
	if (*cursor < vm->log_next) {
		str_copy(buf, vm->log[*cursor % VM_LOG_LINES], len);
		(*cursor)++;
		got = true;
	}
	pthread_mutex_unlock(&vm->lock);
	return got;
}

static void vm_request(struct vm *vm, unsigned req)
{
	pthread_mutex_lock(&vm->lock);
	vm->requests |= req;
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->ctl_fd);
}

/* The VM failed: the first reason becomes its status message. */
void vm_fail(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (!(vm->requests & REQ_FAIL)) {
		va_start(ap, fmt);
		vsnprintf(vm->message, sizeof(vm->message), fmt, ap);
		va_end(ap);
		vm->requests |= REQ_FAIL;
	}
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->ctl_fd);
}

void vm_request_poweroff(struct vm *vm)
{
	vm_request(vm, REQ_POWEROFF);
}

void vm_request_reset(struct vm *vm, const char *why)
{
	pthread_mutex_lock(&vm->lock);
	/* A failure already recorded keeps its message. */
	if (!(vm->requests & REQ_FAIL))
		snprintf(vm->message, sizeof(vm->message),
			 "guest rebooted (%s)", why);
	vm->requests |= REQ_RESET;
	pthread_mutex_unlock(&vm->lock);
	vm_log(vm, "guest reset: %s", why);
	fd_signal(vm->ctl_fd);
}

void vm_vcpu_park(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->cond);
	while (atomic_load(&vm->run_mode) == RUN_PAUSE)
		pthread_cond_wait(&vm->cond, &vm->lock);
	vm->parked--;
	pthread_mutex_unlock(&vm->lock);
}

static void vm_set_state(struct vm *vm, enum vm_state s,
			 enum vm_stop_reason r)
{
	pthread_mutex_lock(&vm->lock);
	vm->state = s;
	if (s == VM_STATE_STOPPED)
		vm->reason = r;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->state_fd);
}

static void vm_stop_vcpus(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	atomic_store(&vm->run_mode, RUN_STOP);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->cfg.cpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->cfg.cpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

static int vm_start_vcpus(struct vm *vm)
{
	atomic_store(&vm->run_mode, RUN_GO);
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		int rc = vcpu_start(&vm->vcpus[i]);

		if (rc) {
			vm_stop_vcpus(vm);
			return rc;
		}
	}
	return 0;
}

/* Rebuilds the machine in place: fresh RAM, vCPUs and in-kernel chips. */
static int vm_restart(struct vm *vm, char *err)
{
	int rc;

	vm_stop_vcpus(vm);
	board_quiesce(vm->board);	/* devices let go of guest RAM */
	pthread_rwlock_wrlock(&vm->fd_lock);
	machine_teardown(vm);
	rc = machine_build(vm, err);
	pthread_rwlock_unlock(&vm->fd_lock);
	if (rc)
		return rc;
	board_reset(vm->board);
	pthread_mutex_lock(&vm->lock);
	vm->restarts++;
	vm->pause_wanted = false;
	if (vm->state == VM_STATE_PAUSED)
		vm->state = VM_STATE_RUNNING;
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->state_fd);
	rc = vm_start_vcpus(vm);
	if (rc)
		err_set(err, VM_ERR_MAX, rc, "cannot start vCPU threads: %s",
			strerror(-rc));
	return rc;
}

static void vm_stop(struct vm *vm, enum vm_stop_reason reason,
		    const char *msg)
{
	vm_stop_vcpus(vm);
	pthread_mutex_lock(&vm->lock);
	if (msg)
		str_copy(vm->message, msg, sizeof(vm->message));
	pthread_mutex_unlock(&vm->lock);
	vm_set_state(vm, VM_STATE_STOPPED, reason);
}

/* The event thread: carries out what vCPUs, devices and the host ask. */
static void *vm_event_thread(void *arg)
{
	struct vm *vm = arg;
	char err[VM_ERR_MAX];

	pthread_setname_np(pthread_self(), "vm-event");
	for (;;) {
		unsigned req;

		fd_drain(vm->ctl_fd);
		pthread_mutex_lock(&vm->lock);
		req = vm->requests;
		vm->requests = 0;
		pthread_mutex_unlock(&vm->lock);

		if (req & REQ_KILL) {
			vm_stop(vm, VM_STOP_KILLED, "force-stopped");
			break;
		}
		if (req & REQ_FAIL) {
			vm_stop(vm, VM_STOP_FAILED, NULL);
			break;
		}
		if (req & REQ_POWEROFF) {
			vm_stop(vm, VM_STOP_POWEROFF, "guest powered off");
			break;
		}
		if ((req & REQ_RESET) &&
		    vm->cfg.on_reboot == VM_REBOOT_EXIT &&
		    !(req & REQ_HOST_RESET)) {
			vm_stop(vm, VM_STOP_REBOOT, NULL);
			break;
		}
		if (req & (REQ_RESET | REQ_HOST_RESET)) {
			if (vm_restart(vm, err)) {
				vm_stop(vm, VM_STOP_FAILED, err);
				break;
			}
		}
	}
	return NULL;
}

static int vm_validate(const struct vm_config *cfg, char *err)
{
	if (cfg->cpus < 1 || cfg->cpus > VM_MAX_CPUS)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "cpus is %u: use 1 to %u", cfg->cpus,
			       VM_MAX_CPUS);
	if (cfg->memory < VM_MEMORY_MIN || cfg->memory > VM_MEMORY_MAX ||
	    cfg->memory % 4096)
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "memory must be a multiple of 4 KiB from 16 MiB "
			       "to 1 TiB");
	if (!cfg->kernel[0])
		return err_set(err, VM_ERR_MAX, -EINVAL, "no kernel given");
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *err)
{
	struct vm *vm;
	int rc;

	rc = vm_validate(cfg, err);
	if (rc)
		return rc;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "out of memory");
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	for (unsigned i = 0; i < VM_MAX_CPUS; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		vm->vcpus[i].fd = -1;
	}
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* for vm_wait */
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_rwlock_init(&vm->fd_lock, NULL);
	wiring_init(&vm->wiring);
	vm->console_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->state_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->ctl_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->console_fd < 0 || vm->state_fd < 0 || vm->ctl_fd < 0) {
		rc = err_set(err, VM_ERR_MAX, -errno, "eventfd: %s",
			     strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < VM_SERIAL_PORTS; i++) {
		vm->consoles[i] = console_create(CONSOLE_OUT_CAP,
						 CONSOLE_IN_CAP,
						 vm->console_fd);
		if (!vm->consoles[i]) {
			rc = err_set(err, VM_ERR_MAX, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	rc = kvm_open_checked(&vm->kvm_fd, cfg->cpus, err);
	if (rc)
		goto fail;
	rc = machine_build(vm, err);
	if (rc)
		goto fail;
	rc = board_attach(vm, &vm->board, err);
	if (rc)
		goto fail;
	vm->state = VM_STATE_CREATED;
	*out = vm;
	return 0;
fail:
	vm_destroy(vm);
	return rc;
}

int vm_start(struct vm *vm)
{
	int rc;

	if (vm->state != VM_STATE_CREATED)
		return -EINVAL;
	rc = thread_start(&vm->event_thread, vm_event_thread, vm);
	if (rc)
		return rc;
	vm->event_started = true;
	vm_set_state(vm, VM_STATE_RUNNING, VM_STOP_NONE);
	rc = vm_start_vcpus(vm);
	if (rc)
		vm_fail(vm, "cannot start vCPU threads: %s", strerror(-rc));
	return rc;
}

static unsigned vm_live_vcpus(struct vm *vm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vm->cfg.cpus; i++)
		n += vm->vcpus[i].thread_started && !vm->vcpus[i].exited;
	return n;
}

int vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_STATE_RUNNING || vm->requests) {
		pthread_mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	atomic_store(&vm->run_mode, RUN_PAUSE);
	pthread_mutex_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->cfg.cpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->lock);
	while (vm->parked < vm_live_vcpus(vm) &&
	       atomic_load(&vm->run_mode) == RUN_PAUSE)
		pthread_cond_wait(&vm->cond, &vm->lock);
	if (atomic_load(&vm->run_mode) == RUN_PAUSE)
		vm->state = VM_STATE_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->state_fd);
	return vm->state == VM_STATE_PAUSED ? 0 : -EINVAL;
}

int vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_STATE_PAUSED) {
		pthread_mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	atomic_store(&vm->run_mode, RUN_GO);
	vm->state = VM_STATE_RUNNING;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	fd_signal(vm->state_fd);
	return 0;
}

static int vm_request_live(struct vm *vm, unsigned req)
{
	if (vm->state != VM_STATE_RUNNING && vm->state != VM_STATE_PAUSED)
		return -EINVAL;
	vm_request(vm, req);
	return 0;
}

int vm_reset(struct vm *vm)
{
	return vm_request_live(vm, REQ_HOST_RESET);
}

int vm_force_stop(struct vm *vm)
{
	return vm_request_live(vm, REQ_KILL);
}

int vm_power_button(struct vm *vm)
{
	if (vm->state != VM_STATE_RUNNING)
		return -EINVAL;
	board_power_button(vm->board);
	return 0;
}

int vm_wait(struct vm *vm, int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&vm->lock);
	while (vm->state != VM_STATE_STOPPED && rc == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&vm->cond, &vm->lock);
		else
			rc = -pthread_cond_timedwait(&vm->cond, &vm->lock,
						     &ts);
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->event_started) {
		if (vm->state != VM_STATE_STOPPED)
			vm_request(vm, REQ_KILL);
		pthread_join(vm->event_thread, NULL);
	}
	vm_stop_vcpus(vm);
	if (vm->board)
		board_detach(vm->board);
	machine_teardown(vm);
	bus_free(&vm->bus[VM_SPACE_PIO]);
	bus_free(&vm->bus[VM_SPACE_MMIO]);
	for (unsigned i = 0; i < VM_SERIAL_PORTS; i++)
		console_destroy(vm->consoles[i]);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->console_fd >= 0)
		close(vm->console_fd);
	if (vm->state_fd >= 0)
		close(vm->state_fd);
	if (vm->ctl_fd >= 0)
		close(vm->ctl_fd);
	wiring_destroy(&vm->wiring);
	pthread_rwlock_destroy(&vm->fd_lock);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

void vm_status(struct vm *vm, struct vm_status *out)
{
	pthread_mutex_lock(&vm->lock);
	out->state = vm->state;
	out->reason = vm->reason;
	out->restarts = vm->restarts;
	str_copy(out->message, vm->state == VM_STATE_STOPPED ? vm->message :
		 "", sizeof(out->message));
	pthread_mutex_unlock(&vm->lock);
}

const char *vm_name(const struct vm *vm)
{
	return vm->cfg.name;
}

unsigned vm_cpus(const struct vm *vm)
{
	return vm->cfg.cpus;
}

const struct vm_config *vm_config(const struct vm *vm)
{
	return &vm->cfg;
}

int vm_state_fd(struct vm *vm)
{
	return vm->state_fd;
}

int vm_exit_stats(struct vm *vm, int cpu, struct vm_exit_stats *out)
{
	unsigned first = cpu < 0 ? 0 : (unsigned)cpu;
	unsigned last = cpu < 0 ? vm->cfg.cpus : first + 1;

	if (cpu >= (int)vm->cfg.cpus)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (unsigned i = first; i < last; i++) {
		for (unsigned k = 0; k < VM_EXIT_NR; k++) {
			uint64_t v = atomic_load_explicit(
				&vm->vcpus[i].exits[k], memory_order_relaxed);

			out->count[k] += v;
			out->total += v;
		}
	}
	return 0;
}

int vm_irq_line(struct vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };
	int rc = 0;

	pthread_rwlock_rdlock(&vm->fd_lock);
	if (vm->vm_fd < 0)
		rc = -ENODEV;
	else if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		rc = -errno;
	pthread_rwlock_unlock(&vm->fd_lock);
	return rc;
}

int vm_disk_usage(struct vm *vm, unsigned index, struct vm_disk_usage *out)
{
	if (index >= vm->cfg.disks || !vm->board)
		return -ENOENT;
	return board_disk_usage(vm->board, index, out);
}

void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return memory_gpa(&vm->mem, gpa, len);
}

struct console *vm_console(struct vm *vm, unsigned port)
{
	return port < VM_SERIAL_PORTS ? vm->consoles[port] : NULL;
}

int vm_console_fd(struct vm *vm)
{
	return vm->console_fd;
}

size_t vm_console_read(struct vm *vm, unsigned port, void *buf, size_t len)
{
	if (port >= VM_SERIAL_PORTS)
		return 0;
	return console_out_get(vm->consoles[port], buf, len);
}

size_t vm_console_write(struct vm *vm, unsigned port, const void *buf,
			size_t len)
{
	if (port >= VM_SERIAL_PORTS)
		return 0;
	return console_in_put(vm->consoles[port], buf, len);
}
