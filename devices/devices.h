/* devices.h - the device model interface and the explicit table a machine is built from. */
#ifndef HYVE_DEVICES_H
#define HYVE_DEVICES_H

#include "vmm/vmm.h"

/*
 * A device model. attach() builds an instance on vm from its arg and
 * registers its traps; detach() frees it after every vCPU has stopped.
 * attach() returns 0 or -errno with a message in err (VM_ERR_MAX bytes).
 */
struct device_model {
	const char *name;
	int (*attach)(struct vm *vm, const void *arg, void **state, char *err);
	void (*detach)(void *state);
	/* Optional: the host pressed the ACPI power button. */
	void (*power_button)(void *state);
	/* Optional: the machine was reset (guest or host); back to power-on. */
	void (*reset)(void *state);
	/*
	 * Optional: stop touching guest RAM (finish in-flight work) because
	 * the machine is about to be torn down and rebuilt; reset follows.
	 */
	void (*quiesce)(void *state);
	/* Optional (disks): usage counters; 0 or -errno. */
	int (*disk_usage)(void *state, struct vm_disk_usage *out);
};

/* The arg of PCI device models. */
struct pci_bus;
struct pci_attach {
	struct pci_bus *bus;
	unsigned slot;			/* 1..30, 0: automatic */
	uint32_t reserved_slots;	/* slots others asked for (bit mask) */
	unsigned index;			/* which cfg->disk[] (virtio-blk) */
};

extern const struct device_model uart_model;	/* arg: struct uart_params */
extern const struct device_model rtc_model;
extern const struct device_model i8042_model;
extern const struct device_model pci_host_model;
extern const struct device_model acpi_pm_model;
extern const struct device_model ioport_sink_model;
extern const struct device_model lpc_model;		/* arg: pci_attach */
extern const struct device_model virtio_blk_model;	/* arg: pci_attach */
extern const struct device_model virtio_rng_model;	/* arg: pci_attach */

struct uart_params {
	uint16_t port;
	uint8_t irq;
	uint8_t console;	/* index for vm_console() */
};

/* The board: the legacy devices every machine has, then its PCI devices. */
struct board;
int board_attach(struct vm *vm, struct board **out, char *err);
void board_detach(struct board *b);
void board_power_button(struct board *b);
void board_reset(struct board *b);
void board_quiesce(struct board *b);
/* Usage of the VM's disk number index (cfg->disk[index]). */
int board_disk_usage(struct board *b, unsigned index,
		     struct vm_disk_usage *out);

#endif
