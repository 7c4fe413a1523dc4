/* test-lifecycle.c - the vmm API on the host's /dev/kvm with tiny guests: several VMs, pause, resume, reset, force-stop, failures, exit counters. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"

#define WAIT_MS 60000	/* kvm_pvm emulates guest code slowly */

static char guest_dir[PATH_MAX / 2];

static void config(struct vm_config *cfg, const char *name,
		   const char *guest)
{
	vm_config_defaults(cfg);
	str_copy(cfg->name, name, sizeof(cfg->name));
	cfg->memory = 32ULL << 20;
	snprintf(cfg->kernel, sizeof(cfg->kernel), "%s/%s.bzImage",
		 guest_dir, guest);
	str_copy(cfg->cmdline, "console=ttyS0", sizeof(cfg->cmdline));
}

static struct vm *start(const char *name, const char *guest)
{
	struct vm_config cfg;
	struct vm *vm = NULL;
	char err[VM_ERR_MAX] = "";

	config(&cfg, name, guest);
	if (vm_create(&cfg, &vm, err)) {
		CHECK(0, "vm_create %s: %s", name, err);
		return NULL;
	}
	CHECK_EQ(vm_start(vm), 0);
	return vm;
}

/* Collected COM1 output of one VM. */
struct output {
	char buf[16384];
	size_t len;
};

static void drain(struct vm *vm, struct output *o)
{
	size_t n;

	while (o->len < sizeof(o->buf) - 1 &&
	       (n = vm_console_read(vm, 0, o->buf + o->len,
				    sizeof(o->buf) - 1 - o->len)) > 0)
		o->len += n;
	o->buf[o->len] = '\0';
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the VM's output contains the n-th occurrence of text. */
static bool wait_output(struct vm *vm, struct output *o, const char *text,
			int nth, int ms)
{
	long end = now_ms() + ms;

	for (;;) {
		const char *p = o->buf;
		int found = 0;

		drain(vm, o);
		while ((p = strstr(p, text)) != NULL) {
			found++;
			p++;
		}
		if (found >= nth)
			return true;
		if (now_ms() > end)
			return false;
		struct pollfd pfd = { vm_console_fd(vm), POLLIN, 0 };
		poll(&pfd, 1, 50);
		uint64_t v;
		ssize_t r = read(vm_console_fd(vm), &v, sizeof(v));
		(void)r;
	}
}

static enum vm_stop_reason stop_reason(struct vm *vm)
{
	struct vm_status st;

	vm_status(vm, &st);
	return st.state == VM_STATE_STOPPED ? st.reason : VM_STOP_NONE;
}

static void send(struct vm *vm, const char *s)
{
	CHECK_EQ(vm_console_write(vm, 0, s, strlen(s)), strlen(s));
}

static void test_two_vms_in_one_process(void)
{
	struct vm *a = start("a", "hello"), *b = start("b", "hello");
	struct output oa = { .len = 0 }, ob = { .len = 0 };

	if (!a || !b)
		goto out;
	CHECK_EQ(vm_wait(a, WAIT_MS), 0);
	CHECK_EQ(vm_wait(b, WAIT_MS), 0);
	drain(a, &oa);
	drain(b, &ob);
	CHECK(strstr(oa.buf, "hello from hyve guest"), "a said: %s", oa.buf);
	CHECK(strstr(ob.buf, "hello from hyve guest"), "b said: %s", ob.buf);
	CHECK_EQ(stop_reason(a), VM_STOP_POWEROFF);
	CHECK_EQ(stop_reason(b), VM_STOP_POWEROFF);
out:
	vm_destroy(a);
	vm_destroy(b);
}

/* The echo guest sleeps in HLT inside KVM_RUN; force-stop must reach it. */
static void test_force_stop_inside_kvm_run(void)
{
	struct vm *vm = start("idle", "echo");
	struct output o = { .len = 0 };
	long t0;

	if (!vm)
		return;
	CHECK(wait_output(vm, &o, "echo> ", 1, WAIT_MS), "no prompt: %s",
	      o.buf);
	usleep(200000);
	t0 = now_ms();
	CHECK_EQ(vm_force_stop(vm), 0);
	CHECK_EQ(vm_wait(vm, 5000), 0);
	CHECK(now_ms() - t0 < 5000, "force-stop took %ld ms", now_ms() - t0);
	CHECK_EQ(stop_reason(vm), VM_STOP_KILLED);
	CHECK_EQ(vm_force_stop(vm), -EINVAL);
	vm_destroy(vm);
}

static void test_pause_and_resume(void)
{
	struct vm *vm = start("pausing", "echo");
	struct output o = { .len = 0 };
	struct vm_status st;

	if (!vm)
		return;
	CHECK(wait_output(vm, &o, "echo> ", 1, WAIT_MS), "no prompt");
	CHECK_EQ(vm_pause(vm), 0);
	vm_status(vm, &st);
	CHECK_EQ(st.state, VM_STATE_PAUSED);
	CHECK_EQ(vm_pause(vm), -EINVAL);
	send(vm, "paused\n");
	/* A paused guest runs no code, so it cannot answer. */
	CHECK(!wait_output(vm, &o, "got: PAUSED", 1, 1500),
	      "a paused guest answered");
	CHECK_EQ(vm_resume(vm), 0);
	vm_status(vm, &st);
	CHECK_EQ(st.state, VM_STATE_RUNNING);
	CHECK(wait_output(vm, &o, "got: PAUSED", 1, WAIT_MS),
	      "no answer after resume: %s", o.buf);
	CHECK_EQ(vm_resume(vm), -EINVAL);
	send(vm, "quit\n");
	CHECK_EQ(vm_wait(vm, WAIT_MS), 0);
	CHECK_EQ(stop_reason(vm), VM_STOP_POWEROFF);
	vm_destroy(vm);
}

static void test_host_reset_reboots_the_guest(void)
{
	struct vm *vm = start("resetting", "echo");
	struct output o = { .len = 0 };
	struct vm_status st;

	if (!vm)
		return;
	CHECK(wait_output(vm, &o, "echo> ", 1, WAIT_MS), "no prompt");
	CHECK_EQ(vm_reset(vm), 0);
	CHECK(wait_output(vm, &o, "echo: ready", 2, WAIT_MS),
	      "no second boot: %s", o.buf);
	vm_status(vm, &st);
	CHECK_EQ(st.restarts, 1);
	CHECK_EQ(st.state, VM_STATE_RUNNING);
	send(vm, "quit\n");
	CHECK_EQ(vm_wait(vm, WAIT_MS), 0);
	CHECK_EQ(stop_reason(vm), VM_STOP_POWEROFF);
	vm_destroy(vm);
}

/* One VM crashing leaves the other one running and answering. */
static void test_failure_stays_inside_the_vm(void)
{
	struct vm *bad = start("bad", "crash"), *good = start("good", "echo");
	struct output o = { .len = 0 };
	struct vm_status st;

	if (!bad || !good)
		goto out;
	CHECK_EQ(vm_wait(bad, WAIT_MS), 0);
	vm_status(bad, &st);
	CHECK_EQ(st.reason, VM_STOP_FAILED);
	CHECK(strstr(st.message, "triple fault at RIP 0x"), "message: %s",
	      st.message);
	CHECK(wait_output(good, &o, "echo> ", 1, WAIT_MS), "no prompt");
	send(good, "still here\n");
	CHECK(wait_output(good, &o, "got: STILL HERE", 1, WAIT_MS),
	      "good VM stopped answering: %s", o.buf);
	vm_force_stop(good);
	vm_wait(good, WAIT_MS);
out:
	vm_destroy(bad);
	vm_destroy(good);
}

static void test_exit_counters(void)
{
	struct vm *vm = start("counting", "echo");
	struct output o = { .len = 0 };
	struct vm_exit_stats before, after, cpu0;

	if (!vm)
		return;
	CHECK(wait_output(vm, &o, "echo> ", 1, WAIT_MS), "no prompt");
	CHECK_EQ(vm_exit_stats(vm, -1, &before), 0);
	CHECK(before.count[VM_EXIT_IO] > 0, "no I/O exits counted");
	send(vm, "count me\n");
	CHECK(wait_output(vm, &o, "got: COUNT ME", 1, WAIT_MS), "no answer");
	CHECK_EQ(vm_exit_stats(vm, -1, &after), 0);
	CHECK(after.count[VM_EXIT_IO] > before.count[VM_EXIT_IO] + 10,
	      "I/O exits did not rise: %llu -> %llu",
	      (unsigned long long)before.count[VM_EXIT_IO],
	      (unsigned long long)after.count[VM_EXIT_IO]);
	CHECK_EQ(vm_exit_stats(vm, 0, &cpu0), 0);
	CHECK(cpu0.total >= after.total, "per-vCPU total below the sum");
	CHECK_EQ(vm_exit_stats(vm, 1, &cpu0), -EINVAL);
	uint64_t sum = 0;
	for (int k = 0; k < VM_EXIT_NR; k++)
		sum += after.count[k];
	CHECK_EQ(sum, after.total);
	CHECK(!strcmp(vm_exit_name(VM_EXIT_IO), "io"), "exit name");
	vm_force_stop(vm);
	vm_wait(vm, WAIT_MS);
	vm_destroy(vm);
}

static void test_bad_kernels_are_refused(void)
{
	struct vm_config cfg;
	struct vm *vm = NULL;
	char err[VM_ERR_MAX] = "", junk[] = "/tmp/hyve-junk-XXXXXX";
	int fd;

	config(&cfg, "missing", "no-such-guest");
	CHECK(vm_create(&cfg, &vm, err) == -ENOENT, "missing kernel: %s", err);
	CHECK(strstr(err, "no-such-guest.bzImage"), "message: %s", err);

	fd = mkstemp(junk);
	CHECK(fd >= 0, "mkstemp");
	for (int i = 0; i < 100; i++)
		CHECK_EQ(write(fd, "not a kernel, just text.\n", 25), 25);
	close(fd);
	str_copy(cfg.kernel, junk, sizeof(cfg.kernel));
	CHECK(vm_create(&cfg, &vm, err) == -ENOEXEC, "junk kernel: %s", err);
	CHECK(strstr(err, "not a bzImage"), "message: %s", err);
	unlink(junk);

	config(&cfg, "tiny", "hello");
	cfg.cpus = 17;
	CHECK(vm_create(&cfg, &vm, err) == -EINVAL, "17 cpus accepted");
	cfg.cpus = 1;
	cfg.memory = 1 << 20;
	CHECK(vm_create(&cfg, &vm, err) == -EINVAL, "1 MiB accepted");
}

int main(void)
{
	const char *build = getenv("BUILD");

	snprintf(guest_dir, sizeof(guest_dir), "%s/guests",
		 build ? build : "build");
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIP: lifecycle: /dev/kvm is not usable here\n");
		return 0;
	}
	RUN_TEST(test_two_vms_in_one_process);
	RUN_TEST(test_force_stop_inside_kvm_run);
	RUN_TEST(test_pause_and_resume);
	RUN_TEST(test_host_reset_reboots_the_guest);
	RUN_TEST(test_failure_stays_inside_the_vm);
	RUN_TEST(test_exit_counters);
	RUN_TEST(test_bad_kernels_are_refused);
	CHECK_EXIT();
}
