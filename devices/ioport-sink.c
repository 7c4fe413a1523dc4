/* ioport-sink.c - named no-op PC/AT legacy I/O ports that Linux probes: reads all ones, writes ignored. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vmm/compat.h"

/*
 * Every range here reads as a floating ISA bus (all ones), which is what
 * Linux's probes take for "nothing there" and give up on at once: the
 * 8237 DMA probe (page register 0x87 == 0xff), IDE status 0xff, floppy
 * MSR, parallel port read-back, 8250 IER read-back at COM3/COM4, Super
 * I/O and fw_cfg signatures. The trap dispatcher treats unclaimed ports
 * the same way; this table exists to name and count the expected ones.
 * Ports KVM emulates in the kernel (PIC 0x20-0x21, 0xa0-0xa1, ELCR
 * 0x4d0-0x4d1, PIT 0x40-0x43, speaker 0x61) are deliberately absent.
 */

struct sink_range {
	uint16_t base;
	uint16_t len;
	const char *name;
};

static const struct sink_range sink_ranges[] = {
	{ 0x000, 0x20, "dma1" },
	{ 0x022, 0x02, "imcr" },
	{ 0x02e, 0x02, "superio" },
	{ 0x04e, 0x02, "superio" },
	{ 0x080, 0x01, "post" },
	{ 0x081, 0x0f, "dma-page" },
	{ 0x0c0, 0x20, "dma2" },
	{ 0x0ed, 0x01, "delay" },
	{ 0x0f0, 0x10, "fpu" },
	{ 0x170, 0x08, "ide1" },
	{ 0x1f0, 0x08, "ide0" },
	{ 0x278, 0x03, "lpt2" },
	{ 0x2e8, 0x08, "com4" },
	{ 0x376, 0x01, "ide1-ctl" },
	{ 0x378, 0x03, "lpt1" },
	{ 0x3b0, 0x30, "vga" },	/* includes lpt0 at 0x3bc */
	{ 0x3e8, 0x08, "com3" },
	{ 0x3f0, 0x06, "floppy" },
	{ 0x3f6, 0x01, "ide0-ctl" },
	{ 0x3f7, 0x01, "floppy-dir" },
	{ 0x510, 0x0c, "fw_cfg" },
};

#define SINK_NRANGES	ARRAY_SIZE(sink_ranges)

struct ioport_sink {
	/* Accesses per range, for a debugger or a later stats view. */
	atomic_uint_fast64_t hits[SINK_NRANGES];
};

static void
sink_trap(void *dev, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	atomic_uint_fast64_t *hits = dev;

	atomic_fetch_add_explicit(hits, 1, memory_order_relaxed);
	if (!write)
		*val = ~(uint64_t)0;
}

static int
sink_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	struct ioport_sink *s;
	const struct sink_range *r;
	size_t i;
	int rc;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, VM_ERR_MAX, "ioport-sink: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < SINK_NRANGES; i++) {
		r = &sink_ranges[i];
		rc = vm_trap_add(vm, VM_SPACE_PIO, r->base, r->len, sink_trap,
				 &s->hits[i]);
		if (rc < 0) {
			snprintf(err, VM_ERR_MAX,
				 "ioport-sink: cannot claim %s %#x-%#x: %s",
				 r->name, r->base, r->base + r->len - 1,
				 strerror(-rc));
			free(s);
			return rc;
		}
	}
	*state = s;
	return 0;
}

static void
sink_detach(void *state)
{
	free(state);
}

const struct device_model ioport_sink_model = {
	.name = "ioport-sink",
	.attach = sink_attach,
	.detach = sink_detach,
};
