/* ui-status.c - the status panel's text for one VM: memory, uptime, vCPUs, kvm_stat-style exits, disks, the last error. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "vmm/compat.h"

#define STATUS_TOP_EXITS 4
#define STATUS_WIDTH	(APP_LIST_WIDTH - 1)

/* 512M, 1.5G: short human sizes. */
static void human(double bytes, char *out, size_t size)
{
	static const char units[] = "BKMGT";
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, u && bytes < 10 ? "%.1f%c" : "%.0f%c", bytes,
		 units[u]);
}

static void uptime(double secs, char *out, size_t size)
{
	unsigned long t = (unsigned long)secs;

	snprintf(out, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
}

/* Exit kinds by count, largest first (selection sort over a few). */
static void top_exits(const struct vm_exit_stats *st, unsigned *order)
{
	for (unsigned i = 0; i < VM_EXIT_NR; i++)
		order[i] = i;
	for (unsigned i = 0; i < VM_EXIT_NR; i++)
		for (unsigned j = i + 1; j < VM_EXIT_NR; j++)
			if (st->count[order[j]] > st->count[order[i]]) {
				unsigned t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
}

/* One more line (cut to the panel's 64 bytes) while there is room. */
static void line_add(char (*lines)[64], size_t *n, size_t max,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void line_add(char (*lines)[64], size_t *n, size_t max,
		     const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(lines[(*n)++], 64, fmt, ap);
	va_end(ap);
}

/* A title line and text broken into lines of the panel's width. */
static void wrapped(char (*lines)[64], size_t *n, size_t max,
		    const char *title, const char *text)
{
	size_t len = strlen(text);

	if (!len)
		return;
	line_add(lines, n, max, "%s", title);
	for (size_t off = 0; off < len; off += STATUS_WIDTH - 1)
		line_add(lines, n, max, " %.*s", STATUS_WIDTH - 1, text + off);
}

/* A started VM's disks: size, host allocation, read/write rates. */
static void disk_lines(struct slot *s, char (*lines)[64], size_t *n,
		       size_t max)
{
	char size[16], alloc[16], rd[16], wr[16], rdt[16], wrt[16];
	struct vm_disk_usage u;

	if (!s->disks)
		line_add(lines, n, max, "no disks");
	for (unsigned i = 0; i < s->disks; i++) {
		const struct slot_disk_rates *r = &s->disk_rate[i];

		if (vm_disk_usage(s->vm, i, &u))
			continue;
		human((double)u.virtual_size, size, sizeof(size));
		human((double)u.allocated, alloc, sizeof(alloc));
		human((double)u.rd_bytes, rdt, sizeof(rdt));
		human((double)u.wr_bytes, wrt, sizeof(wrt));
		human(s->running ? r->rd_bytes : 0, rd, sizeof(rd));
		human(s->running ? r->wr_bytes : 0, wr, sizeof(wr));
		line_add(lines, n, max, "disk %.12s: %s, host %s",
			 s->disk_name[i], size, alloc);
		line_add(lines, n, max, "  rd %6s %6s/s %5.0f op/s", rdt, rd,
			 s->running ? r->rd_ops : 0.0);
		line_add(lines, n, max, "  wr %6s %6s/s %5.0f op/s", wrt, wr,
			 s->running ? r->wr_ops : 0.0);
	}
}

/* A VM not started yet: the profile's disks and their images. */
static void profile_disk_lines(struct slot *s, char (*lines)[64], size_t *n,
			       size_t max)
{
	if (s->cfg && !s->cfg->disks)
		line_add(lines, n, max, "no disks");
	for (unsigned i = 0; s->cfg && i < s->cfg->disks; i++)
		line_add(lines, n, max, "disk %s: %.40s",
			 s->cfg->disk[i].name, s->cfg->disk[i].path);
}

#define LINE(...) line_add(lines, &n, max, __VA_ARGS__)

size_t status_lines(struct slot *s, char (*lines)[64], size_t max)
{
	char mem[16], res[16] = "n/a", up[32];
	unsigned order[VM_EXIT_NR];
	struct vm_exit_stats st;
	long long resident;
	size_t n = 0;

	LINE("%.40s: %s%s", s->name, slot_state_name(slot_state(s)),
	     s->cfg_changed ? " (edited)" : "");
	if (!s->valid)
		wrapped(lines, &n, max, "profile error:", s->problem);
	if (s->cfg) {
		human((double)s->cfg->memory, mem, sizeof(mem));
		resident = slot_resident(s);
		if (resident >= 0)
			human((double)resident, res, sizeof(res));
		LINE("memory %s, resident %s", mem, res);
	}
	if (s->vm) {
		uptime((s->running ? slot_now() : s->stopped_at) - s->started,
		       up, sizeof(up));
		LINE("vCPUs %u  uptime %s", vm_cpus(s->vm), up);
		if (!vm_exit_stats(s->vm, -1, &st)) {
			LINE("exits %" PRIu64 " total, %.0f/s", st.total,
			     s->running ? s->rate_total : 0.0);
			top_exits(&st, order);
			for (unsigned i = 0; i < STATUS_TOP_EXITS; i++) {
				unsigned k = order[i];

				if (!st.count[k])
					break;
				LINE("  %-8s %9" PRIu64 " %7.0f/s",
				     vm_exit_name(k), st.count[k],
				     s->running ? s->rate[k] : 0.0);
			}
		}
	} else if (s->cfg) {
		LINE("vCPUs %u  not started", s->cfg->cpus);
	}
	if (s->vm)
		disk_lines(s, lines, &n, max);
	else
		profile_disk_lines(s, lines, &n, max);
	if (s->cfg_changed)
		LINE("profile edited: applies at next start");
	wrapped(lines, &n, max, "error:", s->last_error);
	wrapped(lines, &n, max, "log:", s->last_log);
	return n;
}
