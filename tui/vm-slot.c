/* vm-slot.c - one profile's VM in the UI: start, console bytes to the pane and the serial log, state, exit rates, resident memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tui/vm-slot.h"
#include "vmm/compat.h"

#define SLOT_PAGE	4096UL
#define SLOT_PCI_HOLE	0xc0000000ULL	/* RAM above this sits at 4 GiB */
#define SLOT_4G		0x100000000ULL

double slot_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum slot_state slot_state(struct slot *s)
{
	struct vm_status st;

	if (!s->valid && !s->vm)
		return SLOT_BROKEN;
	if (!s->vm)
		return SLOT_STOPPED;
	vm_status(s->vm, &st);
	switch (st.state) {
	case VM_STATE_CREATED:
		return SLOT_BOOTING;
	case VM_STATE_RUNNING:
		return s->output_seen ? SLOT_RUNNING : SLOT_BOOTING;
	case VM_STATE_PAUSED:
		return SLOT_PAUSED;
	case VM_STATE_STOPPED:
		break;
	}
	return st.reason == VM_STOP_FAILED ? SLOT_FAILED : SLOT_STOPPED;
}

const char *slot_state_name(enum slot_state st)
{
	static const char *const names[] = {
		[SLOT_BROKEN] = "broken", [SLOT_STOPPED] = "stopped",
		[SLOT_BOOTING] = "booting", [SLOT_RUNNING] = "running",
		[SLOT_PAUSED] = "paused", [SLOT_FAILED] = "failed",
	};

	return names[st];
}

void slot_send(struct slot *s, const char *bytes, size_t len)
{
	if (s->vm && s->running)
		vm_console_write(s->vm, 0, bytes, len);
}

static void pane_to_guest(const char *bytes, size_t len, void *user)
{
	slot_send(user, bytes, len);
}

static int slot_open_log(struct slot *s, char *err)
{
	if (!s->cfg->serial_log[0])
		return 0;
	s->log_fd = open(s->cfg->serial_log,
			 O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (s->log_fd < 0)
		return err_set(err, VM_ERR_MAX, -errno, "serial log %s: %s",
			       s->cfg->serial_log, strerror(errno));
	return 0;
}

int slot_start(struct slot *s, char *err)
{
	unsigned rows, cols;
	int rc;

	if (!s->valid)
		return err_set(err, VM_ERR_MAX, -EINVAL, "%s", s->problem);
	if (s->running)
		return err_set(err, VM_ERR_MAX, -EBUSY, "%s is running",
			       s->name);
	if (s->vm) {
		vm_destroy(s->vm);
		s->vm = NULL;
	}
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->log_fd = -1;
	rows = s->cfg->console_rows ? s->cfg->console_rows : 24;
	cols = s->cfg->console_cols ? s->cfg->console_cols : 80;
	if (!s->pane)
		s->pane = vterm_pane_new((int)rows, (int)cols, 0,
					 pane_to_guest, s);
	if (!s->pane)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "out of memory");
	rc = slot_open_log(s, err);
	if (rc)
		return rc;
	rc = vm_create(s->cfg, &s->vm, err);
	if (rc)
		return rc;
	rc = vm_start(s->vm);
	if (rc) {
		err_set(err, VM_ERR_MAX, rc, "cannot start: %s",
			strerror(-rc));
		vm_destroy(s->vm);
		s->vm = NULL;
		return rc;
	}
	s->running = true;
	s->output_seen = false;
	s->cfg_changed = false;
	s->last_error[0] = s->last_log[0] = '\0';
	s->log_cursor = 0;
	s->started = s->prev_time = slot_now();
	memset(&s->prev_exits, 0, sizeof(s->prev_exits));
	memset(s->rate, 0, sizeof(s->rate));
	s->rate_total = 0;
	s->disks = MIN(s->cfg->disks, VM_DISKS_MAX);
	for (unsigned i = 0; i < s->disks; i++)
		str_copy(s->disk_name[i], s->cfg->disk[i].name,
			 sizeof(s->disk_name[i]));
	memset(s->prev_disk, 0, sizeof(s->prev_disk));
	memset(s->disk_rate, 0, sizeof(s->disk_rate));
	return 0;
}

static void slot_log_write(struct slot *s, const char *buf, size_t n)
{
	while (s->log_fd >= 0 && n) {
		ssize_t w = write(s->log_fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_set(s->last_error, sizeof(s->last_error), 0,
				"serial log %s: %s; no longer written",
				 s->cfg->serial_log,
				w < 0 ? strerror(errno) : "short write");
			close(s->log_fd);
			s->log_fd = -1;
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

size_t slot_drain_console(struct slot *s)
{
	char buf[16384];
	size_t n, total = 0;
	uint64_t v;

	if (!s->vm)
		return 0;
	if (read(vm_console_fd(s->vm), &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	while ((n = vm_console_read(s->vm, 0, buf, sizeof(buf))) > 0) {
		s->output_seen = true;
		vterm_pane_feed(s->pane, buf, n);
		slot_log_write(s, buf, n);
		total += n;
	}
	/* COM2 has no pane yet: keep its buffer from filling. */
	while ((n = vm_console_read(s->vm, 1, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

bool slot_update_state(struct slot *s)
{
	struct vm_status st;
	char line[VM_ERR_MAX];
	uint64_t v;

	if (!s->vm)
		return false;
	if (read(vm_state_fd(s->vm), &v, sizeof(v)) < 0 && errno != EAGAIN)
		return false;
	while (vm_log_next(s->vm, &s->log_cursor, line, sizeof(line)))
		str_copy(s->last_log, line, sizeof(s->last_log));
	vm_status(s->vm, &st);
	if (st.state != VM_STATE_STOPPED || !s->running)
		return false;
	s->running = false;
	s->stopped_at = slot_now();
	slot_drain_console(s);
	if (st.reason == VM_STOP_FAILED && st.message[0])
		str_copy(s->last_error, st.message, sizeof(s->last_error));
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->log_fd = -1;
	return true;
}

/* Per-second rate of a counter that went from before to now in dt. */
static double per_second(uint64_t before, uint64_t now, double dt)
{
	return now >= before ? (double)(now - before) / dt : 0.0;
}

/* Disk i's byte and op rates since the last sample (dt 0: keep them). */
static void sample_disk(struct slot *s, unsigned i, double dt)
{
	struct vm_disk_usage now, *was = &s->prev_disk[i];
	struct slot_disk_rates *r = &s->disk_rate[i];

	if (vm_disk_usage(s->vm, i, &now))
		return;
	if (dt > 0.05) {
		r->rd_bytes = per_second(was->rd_bytes, now.rd_bytes, dt);
		r->wr_bytes = per_second(was->wr_bytes, now.wr_bytes, dt);
		r->rd_ops = per_second(was->rd_ops, now.rd_ops, dt);
		r->wr_ops = per_second(was->wr_ops, now.wr_ops, dt);
	}
	*was = now;
}

void slot_sample_rates(struct slot *s)
{
	struct vm_exit_stats now;
	double t = slot_now(), dt = t - s->prev_time;

	if (!s->vm || vm_exit_stats(s->vm, -1, &now))
		return;
	for (unsigned i = 0; i < s->disks; i++)
		sample_disk(s, i, dt);
	if (dt > 0.05) {
		for (unsigned k = 0; k < VM_EXIT_NR; k++)
			s->rate[k] = (double)(now.count[k] -
					      s->prev_exits.count[k]) / dt;
		s->rate_total = (double)(now.total - s->prev_exits.total) / dt;
	}
	s->prev_exits = now;
	s->prev_time = t;
}

/* Pages of [gpa, gpa+len) of guest RAM that the host has backed. */
static long long resident_range(struct vm *vm, uint64_t gpa, uint64_t len)
{
	unsigned char vec[4096];
	long long pages = 0;
	uint8_t *base;

	if (!len)
		return 0;
	base = vm_gpa(vm, gpa, len);
	if (!base || (uintptr_t)base % SLOT_PAGE)
		return -1;
	for (uint64_t off = 0; off < len;) {
		uint64_t chunk = MIN(len - off, sizeof(vec) * SLOT_PAGE);
		size_t n = (size_t)((chunk + SLOT_PAGE - 1) / SLOT_PAGE);

		if (mincore(base + off, chunk, vec))
			return -1;
		for (size_t i = 0; i < n; i++)
			pages += vec[i] & 1;
		off += chunk;
	}
	return pages * (long long)SLOT_PAGE;
}

long long slot_resident(struct slot *s)
{
	uint64_t mem, low;
	long long a, b;

	if (!s->vm || !s->running)
		return -1;
	mem = vm_config(s->vm)->memory;
	low = MIN(mem, SLOT_PCI_HOLE);
	a = resident_range(s->vm, 0, low);
	b = resident_range(s->vm, SLOT_4G, mem - low);
	return a < 0 || b < 0 ? -1 : a + b;
}

void slot_free(struct slot *s)
{
	if (s->vm)
		vm_destroy(s->vm);
	if (s->pane)
		vterm_pane_free(s->pane);
	if (s->log_fd >= 0)
		close(s->log_fd);
	free(s->cfg);
	memset(s, 0, sizeof(*s));
	s->log_fd = -1;
}
