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
};

extern const struct device_model uart_model;	/* arg: struct uart_params */
extern const struct device_model rtc_model;
extern const struct device_model i8042_model;
extern const struct device_model pci_host_model;
extern const struct device_model acpi_pm_model;
extern const struct device_model ioport_sink_model;

struct uart_params {
	uint16_t port;
	uint8_t irq;
	uint8_t console;	/* index for vm_console() */
};

/* The legacy board: every machine has these, in this order. */
struct board;
int board_attach(struct vm *vm, struct board **out, char *err);
void board_detach(struct board *b);
void board_power_button(struct board *b);
void board_reset(struct board *b);

#endif
