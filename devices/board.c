/* board.c - the legacy PC board every hyve machine has: UARTs, RTC, i8042, PCI host, ACPI PM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vmm/compat.h"
#include "vmm/layout.h"

static const struct uart_params board_com1 = {
	.port = PORT_COM1, .irq = IRQ_COM1, .console = 0,
};
static const struct uart_params board_com2 = {
	.port = PORT_COM2, .irq = IRQ_COM2, .console = 1,
};

struct board_device {
	const struct device_model *model;
	const void *arg;
};

/* Attached in this order, detached in reverse. */
static const struct board_device board_table[] = {
	{ &uart_model, &board_com1 },
	{ &uart_model, &board_com2 },
	{ &rtc_model, NULL },
	{ &i8042_model, NULL },
	{ &pci_host_model, NULL },
	{ &acpi_pm_model, NULL },
	{ &ioport_sink_model, NULL },
};

#define BOARD_NDEVICES	ARRAY_SIZE(board_table)

struct board {
	void *state[BOARD_NDEVICES];
};

int
board_attach(struct vm *vm, struct board **out, char *err)
{
	char why[VM_ERR_MAX];
	struct board *b;
	size_t i;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		snprintf(err, VM_ERR_MAX, "board: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < BOARD_NDEVICES; i++) {
		why[0] = '\0';
		rc = board_table[i].model->attach(vm, board_table[i].arg,
						  &b->state[i], why);
		if (rc < 0)
			goto fail;
	}
	*out = b;
	return 0;
fail:
	if (why[0] != '\0')
		snprintf(err, VM_ERR_MAX, "%s", why);
	else
		snprintf(err, VM_ERR_MAX, "%s: cannot attach: %s",
			 board_table[i].model->name, strerror(-rc));
	while (i-- > 0)
		board_table[i].model->detach(b->state[i]);
	free(b);
	return rc;
}

void
board_detach(struct board *b)
{
	size_t i = BOARD_NDEVICES;

	if (b == NULL)
		return;
	while (i-- > 0)
		board_table[i].model->detach(b->state[i]);
	free(b);
}

void
board_power_button(struct board *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < BOARD_NDEVICES; i++)
		if (board_table[i].model->power_button != NULL)
			board_table[i].model->power_button(b->state[i]);
}

void
board_reset(struct board *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < BOARD_NDEVICES; i++)
		if (board_table[i].model->reset != NULL)
			board_table[i].model->reset(b->state[i]);
}
