/* vmm.h - the one door into hyve's hypervisor core: VMs, traps, IRQs, guest memory. */
#ifndef HYVE_VMM_H
#define HYVE_VMM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#define VM_MAX_CPUS	16
#define VM_NAME_MAX	64
#define VM_ERR_MAX	512	/* room for one error message */
#define VM_MEMORY_MIN	(16ULL << 20)	/* boot structures + a kernel */
#define VM_MEMORY_MAX	(1ULL << 40)	/* 1 TiB */

/* ---- Configuration: plain data, filled by profiles/ ---- */

enum vm_on_reboot { VM_REBOOT_RESTART, VM_REBOOT_EXIT };
enum vm_rtc_mode { VM_RTC_UTC, VM_RTC_LOCALTIME };

#define VM_DISKS_MAX	8
#define VM_NICS_MAX	4
#define VM_FORWARDS_MAX	16
#define VM_DEV_NAME_MAX	32	/* the NAME of [disk.NAME] and [net.NAME] */
#define VM_UUID_LEN	36	/* 8-4-4-4-12 hex digits */
#define VM_PCI_SLOT_MAX	30	/* slots 1..30 are for devices */

enum vm_disk_type { VM_DISK_VIRTIO_BLK, VM_DISK_AHCI_HD, VM_DISK_AHCI_CD };
enum vm_disk_format { VM_DISK_RAW, VM_DISK_XHYVE_SPARSE };
enum vm_disk_cache {
	VM_CACHE_WRITEBACK, VM_CACHE_WRITETHROUGH, VM_CACHE_DIRECT
};

struct vm_disk_config {
	char name[VM_DEV_NAME_MAX];
	enum vm_disk_type type;
	char path[PATH_MAX];		/* absolute or cwd-relative path */
	enum vm_disk_format format;
	uint64_t size;			/* bytes; 0: the image must exist */
	uint64_t split;			/* xhyve-sparse segment bytes */
	unsigned sectorsize;		/* 512 or 4096 */
	bool readonly;
	enum vm_disk_cache cache;
	unsigned slot;			/* PCI slot 1..30; 0: automatic */
};

enum vm_net_mode { VM_NET_USER, VM_NET_TAP, VM_NET_NONE };

struct vm_net_config {
	char name[VM_DEV_NAME_MAX];
	enum vm_net_mode mode;
	char tap[16];			/* IFNAMSIZ */
	unsigned forwards;
	char forward[VM_FORWARDS_MAX][64];	/* tcp:127.0.0.1:2222-:22 */
	uint8_t mac[6];			/* explicit, or derived from the uuid */
	bool mac_auto;
	unsigned slot;
};

enum vm_serial_mode { VM_SERIAL_CONSOLE, VM_SERIAL_NONE };

struct vm_config {
	char name[VM_NAME_MAX];
	char uuid[VM_UUID_LEN + 1];	/* "" until the profile is first saved */
	unsigned cpus;			/* 1..VM_MAX_CPUS */
	uint64_t memory;		/* bytes */
	bool acpi;
	enum vm_on_reboot on_reboot;
	enum vm_rtc_mode rtc;
	bool autostart;
	char kernel[PATH_MAX];		/* absolute or cwd-relative path */
	char initrd[PATH_MAX];		/* "" when there is none */
	char cmdline[4096];
	bool boot_unpack;		/* unpack LZ4 kernels in hyve (no KASLR) */

	enum vm_serial_mode com[2];	/* COM1, COM2 */
	char serial_log[PATH_MAX];	/* "" for none */
	unsigned console_rows, console_cols;

	unsigned disks;
	struct vm_disk_config disk[VM_DISKS_MAX];
	unsigned nics;
	struct vm_net_config nic[VM_NICS_MAX];
	bool rng;			/* virtio-rng */
	unsigned rng_slot;
};

void vm_config_defaults(struct vm_config *cfg);

/* ---- Lifecycle ---- */

struct vm;

enum vm_state {
	VM_STATE_CREATED,	/* built, not started */
	VM_STATE_RUNNING,
	VM_STATE_PAUSED,
	VM_STATE_STOPPED,	/* see enum vm_stop_reason */
};

enum vm_stop_reason {
	VM_STOP_NONE,
	VM_STOP_POWEROFF,	/* guest powered off (ACPI S5) */
	VM_STOP_REBOOT,		/* guest asked for a reset and on_reboot = exit */
	VM_STOP_FAILED,		/* internal error, triple fault, bad device use */
	VM_STOP_KILLED,		/* force-stopped by the host */
};

struct vm_status {
	enum vm_state state;
	enum vm_stop_reason reason;
	unsigned restarts;		/* guest reboots handled with restart */
	char message[VM_ERR_MAX];	/* why it stopped or failed, if it did */
};

/*
 * All functions return 0 or -errno. Where an err buffer is taken, a failure
 * leaves a one-line message in it (at most VM_ERR_MAX bytes).
 */
int vm_create(const struct vm_config *cfg, struct vm **out, char *err);
int vm_start(struct vm *vm);
int vm_pause(struct vm *vm);
int vm_resume(struct vm *vm);
int vm_reset(struct vm *vm);
int vm_power_button(struct vm *vm);
int vm_force_stop(struct vm *vm);
/* Waits for the VM to stop (timeout_ms < 0: forever); -ETIMEDOUT otherwise. */
int vm_wait(struct vm *vm, int timeout_ms);
void vm_destroy(struct vm *vm);

void vm_status(struct vm *vm, struct vm_status *out);
const char *vm_name(const struct vm *vm);
const char *vm_state_name(enum vm_state s);
const char *vm_stop_reason_name(enum vm_stop_reason r);
/* Readable (eventfd) whenever the state changes or a log line is added. */
int vm_state_fd(struct vm *vm);
/* The next log line after *cursor (start at 0); false when none is new. */
bool vm_log_next(struct vm *vm, uint64_t *cursor, char *buf, size_t len);

/* ---- Exit accounting (snapshots are lock-free for the vCPUs) ---- */

enum vm_exit_kind {
	VM_EXIT_IO, VM_EXIT_MMIO, VM_EXIT_HLT, VM_EXIT_SHUTDOWN,
	VM_EXIT_IRQ_WINDOW, VM_EXIT_INTERNAL_ERROR, VM_EXIT_FAIL_ENTRY,
	VM_EXIT_INTR, VM_EXIT_SYSTEM_EVENT, VM_EXIT_DEBUG, VM_EXIT_OTHER,
	VM_EXIT_NR
};

struct vm_exit_stats {
	uint64_t count[VM_EXIT_NR];
	uint64_t total;
};

const char *vm_exit_name(enum vm_exit_kind k);
unsigned vm_cpus(const struct vm *vm);
/* cpu < 0: the sum over all vCPUs. */
int vm_exit_stats(struct vm *vm, int cpu, struct vm_exit_stats *out);

/* ---- Disks ---- */

struct vm_disk_usage {
	uint64_t virtual_size;	/* bytes the guest sees */
	uint64_t allocated;	/* bytes the image takes on the host */
	uint64_t rd_bytes, wr_bytes;
	uint64_t rd_ops, wr_ops;	/* wr_ops counts discards and zeroes too */
	uint64_t flushes;
};

/* Counters of cfg.disk[index]; never waits for I/O. -ENOENT if absent. */
int vm_disk_usage(struct vm *vm, unsigned index, struct vm_disk_usage *out);

/* ---- Console (serial ports) ---- */

#define VM_SERIAL_PORTS 2	/* COM1, COM2 */

/* Guest output: read what the guest printed; 0 when nothing is waiting. */
size_t vm_console_read(struct vm *vm, unsigned port, void *buf, size_t len);
/* Readable (eventfd) when console output is waiting on any port. */
int vm_console_fd(struct vm *vm);
/* Host input to the guest; returns bytes accepted (may be short when full). */
size_t vm_console_write(struct vm *vm, unsigned port, const void *buf,
			size_t len);

/* ---- For device models: traps, interrupts, guest memory, events ---- */

enum vm_space { VM_SPACE_PIO, VM_SPACE_MMIO };

/*
 * A trap handler. off is relative to the registered base, size is 1, 2, 4
 * or 8. For a write *val holds the value; for a read the handler sets it
 * (it starts as all ones). Handlers run on vCPU threads, concurrently.
 */
typedef void vm_trap_fn(void *dev, uint64_t off, unsigned size, bool write,
			uint64_t *val);

int vm_trap_add(struct vm *vm, enum vm_space space, uint64_t base,
		uint64_t len, vm_trap_fn *fn, void *dev);

/*
 * Base of the machine's 64-bit PCI MMIO window (LAYOUT_PCI_MMIO64_SIZE
 * bytes), or 0 when it has none (vmm/pci-window.c). pci_mmio64_base is
 * the rule: above RAM of memory bytes, inside phys_bits address bits.
 */
uint64_t vm_pci_mmio64(struct vm *vm);
uint64_t pci_mmio64_base(uint64_t memory, unsigned phys_bits);

/* Drive a GSI (IOAPIC pin; 0-15 also reach the PIC) high or low. */
int vm_irq_line(struct vm *vm, unsigned gsi, bool level);

/*
 * Interrupts and doorbells without a trap (KVM irqfd / ioeventfd). They
 * outlive machine rebuilds (reset): hyve re-applies them to the new VM.
 * vm_msi_gsi_alloc returns a GSI for an MSI route (or -ENOSPC);
 * vm_msi_route points it at an MSI message; an irqfd on that GSI then
 * delivers the message each time its eventfd is written. An irqfd on GSI
 * 0..23 pulses that IOAPIC pin (edge).
 */
int vm_msi_gsi_alloc(struct vm *vm);
void vm_msi_gsi_free(struct vm *vm, unsigned gsi);
int vm_msi_route(struct vm *vm, unsigned gsi, uint64_t addr, uint32_t data);
int vm_irqfd_add(struct vm *vm, int fd, unsigned gsi);
int vm_irqfd_del(struct vm *vm, int fd, unsigned gsi);
/* Guest writes to addr (len 1/2/4/8 bytes, or 0: any MMIO width) signal fd. */
int vm_ioeventfd_add(struct vm *vm, enum vm_space space, uint64_t addr,
		     unsigned len, int fd);
int vm_ioeventfd_del(struct vm *vm, enum vm_space space, uint64_t addr,
		     unsigned len, int fd);

/* Host pointer for [gpa, gpa+len) if it lies in guest RAM, else NULL. */
void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len);

/* Requests a device makes of its machine. */
void vm_request_poweroff(struct vm *vm);
void vm_request_reset(struct vm *vm, const char *why);
/* A device the guest broke: record why; the VM goes on without it. */
void vm_log(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Console plumbing for the UART model. */
struct console;
struct console *vm_console(struct vm *vm, unsigned port);

/* Configuration as the VM was created with (read-only). */
const struct vm_config *vm_config(const struct vm *vm);

#endif
