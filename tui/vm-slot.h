/* vm-slot.h - one profile in the UI: its VM (when started), console pane, serial log, error and exit-rate samples. */
#ifndef HYVE_TUI_VM_SLOT_H
#define HYVE_TUI_VM_SLOT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "tui/vterm-pane.h"
#include "vmm/vmm.h"

/* What the list shows in the state column. */
enum slot_state {
	SLOT_BROKEN,	/* the profile does not validate */
	SLOT_STOPPED,	/* never started, powered off, or killed */
	SLOT_BOOTING,	/* started, no console output yet */
	SLOT_RUNNING,
	SLOT_PAUSED,
	SLOT_FAILED,
};

struct slot {
	char name[NAME_MAX + 1];	/* the profile's file name without .ini */
	char path[PATH_MAX];
	bool valid;
	char problem[VM_ERR_MAX];	/* a broken profile's first error */
	struct vm_config *cfg;		/* the profile as last loaded */
	bool cfg_changed;		/* edited while the VM runs */

	struct vm *vm;			/* NULL until first started */
	struct vterm_pane *pane;	/* kept across restarts: history stays */
	bool output_seen;		/* any console byte since the start */
	int log_fd;			/* the profile's serial log, -1: none */
	uint64_t log_cursor;
	char last_error[VM_ERR_MAX];	/* why it failed or could not log */
	char last_log[VM_ERR_MAX];	/* the VM's latest log line */
	double started;			/* monotonic seconds at start */
	double stopped_at;		/* when it stopped (uptime freezes) */
	bool running;			/* started and not seen stopped */

	/* exit rates: the sample before last refresh */
	struct vm_exit_stats prev_exits;
	double prev_time;
	double rate[VM_EXIT_NR], rate_total;

	/* the started VM's disks (the profile may be edited since) */
	unsigned disks;
	char disk_name[VM_DISKS_MAX][VM_DEV_NAME_MAX];
	/* disk rates over the same interval */
	struct vm_disk_usage prev_disk[VM_DISKS_MAX];
	struct slot_disk_rates {
		double rd_bytes, wr_bytes, rd_ops, wr_ops;
	} disk_rate[VM_DISKS_MAX];
};

double slot_now(void);
enum slot_state slot_state(struct slot *s);
const char *slot_state_name(enum slot_state st);

/*
 * Creates and starts the VM of a valid profile, with a console pane of the
 * profile's size. 0, or -errno with a message in err.
 */
int slot_start(struct slot *s, char *err);
/* Moves waiting console output into the pane and the serial log; returns
 * the bytes moved. */
size_t slot_drain_console(struct slot *s);
/* Reads the state eventfd and new log lines; true when the VM just stopped. */
bool slot_update_state(struct slot *s);
/* Samples the exit and disk counters and updates the per-second rates. */
void slot_sample_rates(struct slot *s);
/* Resident guest RAM in bytes, or -1 when it cannot be measured. */
long long slot_resident(struct slot *s);
/* Releases the VM (it must have stopped) and everything else. */
void slot_free(struct slot *s);
/* Types bytes into COM1 (what the guest cannot take now is dropped). */
void slot_send(struct slot *s, const char *bytes, size_t len);

#endif
