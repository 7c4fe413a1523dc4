/* lpc.c - the ISA/LPC bridge at 00:1f.0 (xhyve's "lpc"): an identity on the bus behind which the legacy devices live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci.h"

/* bhyve's choice: Intel 82371SB PIIX3 ISA bridge ids, class 06/01 (ISA). */
#define LPC_VENDOR	0x8086
#define LPC_DEVICE	0x7000
#define LPC_CLASS_BASE	0x06
#define LPC_CLASS_SUB	0x01

struct lpc {
	struct pci_cfg cfg;
};

static void
lpc_power_on(struct lpc *l)
{
	struct pci_cfg *c = &l->cfg;

	memset(c, 0, sizeof(*c));
	pci_cfg_set16(c, PCI_VENDOR_ID, LPC_VENDOR);
	pci_cfg_set16(c, PCI_DEVICE_ID, LPC_DEVICE);
	pci_cfg_set16(c, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					      PCI_COMMAND_MASTER);
	pci_cfg_set8(c, PCI_CLASS_BASE, LPC_CLASS_BASE);
	pci_cfg_set8(c, PCI_CLASS_SUB, LPC_CLASS_SUB);
	c->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->wmask[PCI_LATENCY_TIMER] = 0xff;
}

static int
lpc_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	const struct pci_attach *pa = arg;
	struct lpc *l = calloc(1, sizeof(*l));
	int rc;

	if (l == NULL) {
		snprintf(err, VM_ERR_MAX, "lpc: out of memory");
		return -ENOMEM;
	}
	lpc_power_on(l);
	rc = pci_bus_add(pa->bus, PCI_SLOT_LPC, 0, &pci_cfg_image_ops,
			 &l->cfg);
	if (rc < 0) {
		snprintf(err, VM_ERR_MAX, "lpc: slot %u: %s", PCI_SLOT_LPC,
			 strerror(-rc));
		free(l);
		return rc;
	}
	*state = l;
	return 0;
}

static void
lpc_detach(void *state)
{
	free(state);
}

static void
lpc_reset(void *state)
{
	lpc_power_on(state);
}

const struct device_model lpc_model = {
	.name = "lpc",
	.attach = lpc_attach,
	.detach = lpc_detach,
	.reset = lpc_reset,
};
