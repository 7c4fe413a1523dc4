/* board.c - the machine's devices: the legacy PC board (UARTs, RTC, i8042, PCI host, ACPI PM), then the LPC bridge and the profile's PCI devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci.h"
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

/* The legacy devices, attached first in this order, detached in reverse. */
static const struct board_device board_table[] = {
	{ &uart_model, &board_com1 },
	{ &uart_model, &board_com2 },
	{ &rtc_model, NULL },
	{ &i8042_model, NULL },
	{ &pci_host_model, NULL },
	{ &acpi_pm_model, NULL },
	{ &ioport_sink_model, NULL },
};

#define BOARD_PCI_HOST	4	/* index of pci_host_model above */
#define BOARD_MAX	(ARRAY_SIZE(board_table) + 2 + VM_DISKS_MAX)

struct board_slot {
	const struct device_model *model;
	void *state;
	int disk;		/* its cfg->disk[] index, or -1 */
};

struct board {
	size_t n;
	struct board_slot dev[BOARD_MAX];
};

static int
board_add(struct vm *vm, struct board *b, const struct device_model *model,
	  const void *arg, int disk, char *err)
{
	struct board_slot *d = &b->dev[b->n];
	char why[VM_ERR_MAX] = "";
	int rc;

	if (b->n == BOARD_MAX)
		return err_set(err, VM_ERR_MAX, -ENOSPC, "board: too many devices");
	rc = model->attach(vm, arg, &d->state, why);
	if (rc < 0) {
		if (why[0] != '\0')
			snprintf(err, VM_ERR_MAX, "%s", why);
		else
			snprintf(err, VM_ERR_MAX, "%s: cannot attach: %s",
				 model->name, strerror(-rc));
		return rc;
	}
	d->model = model;
	d->disk = disk;
	b->n++;
	return 0;
}

/* Slots the profile names explicitly, kept free for their owners. */
static uint32_t
board_reserved_slots(const struct vm_config *cfg)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < cfg->disks; i++)
		if (cfg->disk[i].slot)
			mask |= 1u << cfg->disk[i].slot;
	if (cfg->rng && cfg->rng_slot)
		mask |= 1u << cfg->rng_slot;
	return mask;
}

static int
board_attach_pci(struct vm *vm, struct board *b, char *err)
{
	const struct vm_config *cfg = vm_config(vm);
	struct pci_attach pa = {
		.bus = pci_host_bus(b->dev[BOARD_PCI_HOST].state),
		.reserved_slots = board_reserved_slots(cfg),
	};
	int rc;

	rc = board_add(vm, b, &lpc_model, &pa, -1, err);
	for (unsigned i = 0; !rc && i < cfg->disks; i++) {
		if (cfg->disk[i].type != VM_DISK_VIRTIO_BLK)
			return err_set(err, VM_ERR_MAX, -ENOTSUP,
				       "disk.%s: only type = virtio-blk is "
				       "supported so far",
				       cfg->disk[i].name);
		pa.slot = cfg->disk[i].slot;
		pa.index = i;
		rc = board_add(vm, b, &virtio_blk_model, &pa, (int)i, err);
	}
	if (!rc && cfg->rng) {
		pa.slot = cfg->rng_slot;
		pa.index = 0;
		rc = board_add(vm, b, &virtio_rng_model, &pa, -1, err);
	}
	return rc;
}

int
board_attach(struct vm *vm, struct board **out, char *err)
{
	struct board *b;
	int rc = 0;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return err_set(err, VM_ERR_MAX, -ENOMEM, "board: out of memory");
	for (size_t i = 0; !rc && i < ARRAY_SIZE(board_table); i++)
		rc = board_add(vm, b, board_table[i].model, board_table[i].arg,
			       -1, err);
	if (!rc)
		rc = board_attach_pci(vm, b, err);
	if (rc) {
		board_detach(b);
		return rc;
	}
	*out = b;
	return 0;
}

void
board_detach(struct board *b)
{
	size_t i;

	if (b == NULL)
		return;
	i = b->n;
	while (i-- > 0)
		b->dev[i].model->detach(b->dev[i].state);
	free(b);
}

void
board_power_button(struct board *b)
{
	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (b->dev[i].model->power_button != NULL)
			b->dev[i].model->power_button(b->dev[i].state);
}

void
board_reset(struct board *b)
{
	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (b->dev[i].model->reset != NULL)
			b->dev[i].model->reset(b->dev[i].state);
}

void
board_quiesce(struct board *b)
{
	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (b->dev[i].model->quiesce != NULL)
			b->dev[i].model->quiesce(b->dev[i].state);
}

int
board_disk_usage(struct board *b, unsigned index, struct vm_disk_usage *out)
{
	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (b->dev[i].disk == (int)index &&
		    b->dev[i].model->disk_usage != NULL)
			return b->dev[i].model->disk_usage(b->dev[i].state,
							   out);
	return -ENOENT;
}
