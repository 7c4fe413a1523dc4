/* i8042.c - just enough of the 8042 keyboard controller (IBM PC/AT) to reset the machine. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vmm/layout.h"

/*
 * No keyboard or mouse is connected: bytes for them are ignored. The
 * controller answers its own commands through the output buffer, keeps its
 * command byte and output port, and resets the machine when the guest
 * pulses the reset line (command 0xfe, or any 0xf0-0xff pulse that
 * includes bit 0) or drives it low through the output port (0xd1).
 */

#define I8042_STS_OBF		0x01	/* output buffer full */
#define I8042_STS_SYS		0x04	/* system flag (self test passed) */
#define I8042_STS_A2		0x08	/* last write was a command */
#define I8042_STS_INH		0x10	/* 1: keyboard not inhibited */

#define I8042_CTR_SYS		0x04
#define I8042_CTR_KBD_DIS	0x10
#define I8042_CTR_AUX_DIS	0x20

#define I8042_OUT_RESET		0x01	/* reset line, active low */

struct i8042 {
	pthread_mutex_t lock;
	void (*reset)(void *arg);
	void *reset_arg;
	uint8_t ram[32];	/* ram[0] is the command byte */
	uint8_t outport;
	uint8_t out;		/* output buffer */
	bool obf;
	bool a2;
	uint8_t pending;	/* command awaiting a data byte, or 0 */
};

/* The core, with its prototypes here: tests/unit/test-i8042.c uses it. */
struct i8042 *i8042_new(void (*reset)(void *arg), void *arg);
void i8042_free(struct i8042 *k);
void i8042_reset(struct i8042 *k);
void i8042_io(struct i8042 *k, uint16_t port, bool write, uint8_t *val);

static void
i8042_respond(struct i8042 *k, uint8_t b)
{
	k->out = b;
	k->obf = true;
}

/* Returns true when the command resets the machine. */
static bool
i8042_command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (cmd >= 0x20 && cmd <= 0x3f) {
		i8042_respond(k, k->ram[cmd - 0x20]);
		return false;
	}
	if ((cmd >= 0x60 && cmd <= 0x7f) || cmd == 0xd1) {
		k->pending = cmd;
		return false;
	}
	if (cmd >= 0xf0)
		return !(cmd & I8042_OUT_RESET);	/* pulse low bits */
	switch (cmd) {
	case 0xa7:
		k->ram[0] |= I8042_CTR_AUX_DIS;
		break;
	case 0xa8:
		k->ram[0] &= ~I8042_CTR_AUX_DIS;
		break;
	case 0xaa:			/* controller self test */
		k->ram[0] |= I8042_CTR_SYS;
		i8042_respond(k, 0x55);
		break;
	case 0xab:			/* keyboard interface test */
		i8042_respond(k, 0x00);
		break;
	case 0xad:
		k->ram[0] |= I8042_CTR_KBD_DIS;
		break;
	case 0xae:
		k->ram[0] &= ~I8042_CTR_KBD_DIS;
		break;
	case 0xd0:
		i8042_respond(k, k->outport);
		break;
	}
	return false;
}

/* Returns true when the byte resets the machine. */
static bool
i8042_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= 0x60 && cmd <= 0x7f) {
		k->ram[cmd - 0x60] = v;
	} else if (cmd == 0xd1) {
		k->outport = v;
		return !(v & I8042_OUT_RESET);
	}
	return false;		/* otherwise for the absent keyboard */
}

void
i8042_io(struct i8042 *k, uint16_t port, bool write, uint8_t *val)
{
	bool reset = false;

	pthread_mutex_lock(&k->lock);
	if (port == PORT_I8042_CMD) {
		if (write) {
			k->a2 = true;
			reset = i8042_command(k, *val);
		} else {
			*val = I8042_STS_INH |
			    (k->obf ? I8042_STS_OBF : 0) |
			    (k->ram[0] & I8042_CTR_SYS ? I8042_STS_SYS : 0) |
			    (k->a2 ? I8042_STS_A2 : 0);
		}
	} else if (port == PORT_I8042_DATA) {
		if (write) {
			k->a2 = false;
			reset = i8042_data(k, *val);
		} else {
			*val = k->obf ? k->out : 0;
			k->obf = false;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (reset && k->reset != NULL)
		k->reset(k->reset_arg);
}

/* Power-on state, as firmware leaves it: translation, system flag, IRQ 1. */
static void
i8042_power_on(struct i8042 *k)
{
	memset(k->ram, 0, sizeof(k->ram));
	k->ram[0] = 0x40 | I8042_CTR_SYS | 0x01;
	k->outport = I8042_OUT_RESET | 0x02;	/* not in reset, A20 on */
	k->out = 0;
	k->obf = false;
	k->a2 = false;
	k->pending = 0;
}

void
i8042_reset(struct i8042 *k)
{
	pthread_mutex_lock(&k->lock);
	i8042_power_on(k);
	pthread_mutex_unlock(&k->lock);
}

struct i8042 *
i8042_new(void (*reset)(void *arg), void *arg)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	if (pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k);
		return NULL;
	}
	k->reset = reset;
	k->reset_arg = arg;
	i8042_power_on(k);
	return k;
}

void
i8042_free(struct i8042 *k)
{
	if (k == NULL)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* ---- The device model ---- */

struct i8042_dev {
	struct vm *vm;
	struct i8042 *kbc;
};

static void
i8042_dev_reset(void *arg)
{
	struct i8042_dev *d = arg;

	vm_request_reset(d->vm, "i8042 reset");
}

static void
i8042_dev_trap_data(void *dev, uint64_t off, unsigned size, bool write,
		    uint64_t *val)
{
	struct i8042_dev *d = dev;
	uint8_t b = (uint8_t)*val;

	i8042_io(d->kbc, PORT_I8042_DATA, write, &b);
	if (!write)
		*val = b;
}

static void
i8042_dev_trap_cmd(void *dev, uint64_t off, unsigned size, bool write,
		   uint64_t *val)
{
	struct i8042_dev *d = dev;
	uint8_t b = (uint8_t)*val;

	i8042_io(d->kbc, PORT_I8042_CMD, write, &b);
	if (!write)
		*val = b;
}

static int
i8042_dev_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	struct i8042_dev *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->kbc = i8042_new(i8042_dev_reset, d)) == NULL) {
		snprintf(err, VM_ERR_MAX, "i8042: out of memory");
		free(d);
		return -ENOMEM;
	}
	d->vm = vm;
	rc = vm_trap_add(vm, VM_SPACE_PIO, PORT_I8042_DATA, 1,
			 i8042_dev_trap_data, d);
	if (rc < 0)
		goto fail;
	rc = vm_trap_add(vm, VM_SPACE_PIO, PORT_I8042_CMD, 1,
			 i8042_dev_trap_cmd, d);
	if (rc < 0)
		goto fail;
	*state = d;
	return 0;
fail:
	snprintf(err, VM_ERR_MAX, "i8042: cannot claim ports %#x/%#x: %s",
		 PORT_I8042_DATA, PORT_I8042_CMD, strerror(-rc));
	i8042_free(d->kbc);
	free(d);
	return rc;
}

static void
i8042_dev_detach(void *state)
{
	struct i8042_dev *d = state;

	if (d == NULL)
		return;
	i8042_free(d->kbc);
	free(d);
}

static void
i8042_dev_reset_op(void *state)
{
	struct i8042_dev *d = state;

	i8042_reset(d->kbc);
}

const struct device_model i8042_model = {
	.name = "i8042",
	.attach = i8042_dev_attach,
	.detach = i8042_dev_detach,
	.reset = i8042_dev_reset_op,
};
