/* acpi-pm.c - ACPI PM1a event/control and PM timer (ACPI 6.4, chapter 4). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/devices.h"
#include "devices/acpi-pm.h"
#include "vmm/acpi.h"
#include "vmm/layout.h"

/*
 * What the guest can change. PM1 enable also keeps GBL_EN and RTC_EN, so
 * that ACPICA and Linux's RTC driver can install their fixed-event handlers
 * (they check that the bit sticks) even though those events never fire:
 * no firmware contends for the global lock, and the RTC alarm arrives on
 * IRQ 8.
 */
#define ACPI_PM1_EN_BITS	(ACPI_PM1_TMR | ACPI_PM1_GBL | \
				 ACPI_PM1_PWRBTN | ACPI_PM1_RTC)
#define ACPI_PM1_SCI_BITS	(ACPI_PM1_TMR | ACPI_PM1_PWRBTN)
#define ACPI_PM1_CNT_BITS	(ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP)
#define ACPI_PM_TMR_MSB		31	/* TMR_STS: this bit changed */

static uint64_t
acpi_pm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Timer ticks since init, not truncated; the guest sees the low 32 bits. */
static uint64_t
acpi_pm_ticks(const struct acpi_pm *pm)
{
	uint64_t ns = acpi_pm_now_ns() - pm->t0_ns;

	return ns / 1000000000u * ACPI_PM_TIMER_HZ +
	    ns % 1000000000u * ACPI_PM_TIMER_HZ / 1000000000u;
}

int
acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_hooks *hooks,
	     void *ctx)
{
	int err;

	memset(pm, 0, sizeof(*pm));
	if ((err = pthread_mutex_init(&pm->lock, NULL)))
		return -err;
	pm->hooks = hooks;
	pm->ctx = ctx;
	pm->t0_ns = acpi_pm_now_ns();
	return 0;
}

void
acpi_pm_destroy(struct acpi_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

/*
 * TMR_STS is set when the timer's top bit changes. Nothing watches the
 * clock in between, so the bit is brought up to date on access: a guest
 * that enables TMR_EN gets its SCI late. Linux does not use it.
 */
static void
acpi_pm_update_tmr_sts(struct acpi_pm *pm)
{
	uint64_t now = acpi_pm_ticks(pm);

	if (now >> ACPI_PM_TMR_MSB != pm->tmr_seen >> ACPI_PM_TMR_MSB)
		pm->sts |= ACPI_PM1_TMR;
	pm->tmr_seen = now;
}

/* Drives the SCI to match status and enable; called with the lock held. */
static void
acpi_pm_update_sci(struct acpi_pm *pm)
{
	bool level = (pm->sts & pm->en & ACPI_PM1_SCI_BITS) != 0;

	if (level == pm->sci)
		return;
	pm->sci = level;
	if (pm->hooks && pm->hooks->sci)
		pm->hooks->sci(pm->ctx, level);
}

void
acpi_pm_io(struct acpi_pm *pm, enum acpi_pm_block blk, uint64_t off,
	   unsigned size, bool write, uint64_t *val)
{
	static const unsigned blk_len[] = {
		[ACPI_PM_EVT] = PORT_PM1A_EVT_LEN,
		[ACPI_PM_CNT] = PORT_PM1A_CNT_LEN,
		[ACPI_PM_TMR] = PORT_PM_TMR_LEN,
	};
	uint32_t cur = 0, mask = 0, wv = 0;
	uint64_t rv = 0;
	unsigned i, len, slp_typ = 0;
	bool sleep_en = false;
	char msg[128];

	if ((unsigned)blk > ACPI_PM_TMR || size > 8) {
		if (!write)
			*val = ~0ULL;
		return;
	}
	len = blk_len[blk];
	/* Which bytes of the block the access covers; the rest float high. */
	for (i = 0; i < size; i++) {
		if (off >= len || i >= len - off)
			continue;
		mask |= 0xffu << (8 * (off + i));
		wv |= (uint32_t)(*val >> (8 * i) & 0xff) << (8 * (off + i));
	}

	pthread_mutex_lock(&pm->lock);
	switch (blk) {
	case ACPI_PM_EVT:	/* status at +0, enable at +2 */
		acpi_pm_update_tmr_sts(pm);
		if (write) {
			/* Status bits: write 1 to clear. */
			pm->sts &= (uint16_t)~(wv & mask);
			pm->en = (uint16_t)((pm->en & ~(mask >> 16)) |
			    (wv >> 16 & mask >> 16 & ACPI_PM1_EN_BITS));
		}
		acpi_pm_update_sci(pm);
		cur = pm->sts | (uint32_t)pm->en << 16;
		break;
	case ACPI_PM_CNT:
		if (write) {
			uint32_t v = (pm->cnt & ~mask) | (wv & mask);

			pm->cnt = (uint16_t)(v & ACPI_PM1_CNT_BITS);
			if (wv & mask & ACPI_PM1_CNT_SLP_EN) {
				sleep_en = true;
				slp_typ = (v & ACPI_PM1_CNT_SLP_TYP) >>
				    ACPI_PM1_CNT_SLP_TYP_SHIFT;
			}
		}
		/* No SMI_CMD: the machine is always in ACPI mode. */
		cur = pm->cnt | ACPI_PM1_CNT_SCI_EN;
		break;
	case ACPI_PM_TMR:	/* read-only */
		cur = (uint32_t)acpi_pm_ticks(pm);
		break;
	}
	pthread_mutex_unlock(&pm->lock);

	if (!write) {
		for (i = 0; i < size; i++) {
			uint64_t b = 0xff;

			if (off < len && i < len - off)
				b = cur >> (8 * (off + i)) & 0xff;
			rv |= b << (8 * i);
		}
		*val = rv;
		return;
	}
	if (!sleep_en || !pm->hooks)
		return;
	if (slp_typ == ACPI_S5_SLP_TYP) {
		if (pm->hooks->poweroff)
			pm->hooks->poweroff(pm->ctx);
	} else if (pm->hooks->log) {
		snprintf(msg, sizeof(msg), "acpi-pm: guest asked for sleep "
			 "type %u; only S5 (%u) is supported, ignored",
			 slp_typ, ACPI_S5_SLP_TYP);
		pm->hooks->log(pm->ctx, msg);
	}
}

void
acpi_pm_power_button(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= ACPI_PM1_PWRBTN;
	acpi_pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

/* Back to power-on: no events pending or enabled, SCI low. */
void
acpi_pm_reset(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = 0;
	acpi_pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

/* ---- The device model: the core above wired to a VM ---- */

struct acpi_pm_dev {
	struct vm *vm;
	struct acpi_pm pm;
};

static void
acpi_pm_dev_sci(void *ctx, bool level)
{
	struct acpi_pm_dev *d = ctx;

	(void)vm_irq_line(d->vm, IRQ_SCI, level);
}

static void
acpi_pm_dev_poweroff(void *ctx)
{
	struct acpi_pm_dev *d = ctx;

	vm_request_poweroff(d->vm);
}

static void
acpi_pm_dev_log(void *ctx, const char *msg)
{
	struct acpi_pm_dev *d = ctx;

	vm_log(d->vm, "%s", msg);
}

static const struct acpi_pm_hooks acpi_pm_dev_hooks = {
	.sci = acpi_pm_dev_sci,
	.poweroff = acpi_pm_dev_poweroff,
	.log = acpi_pm_dev_log,
};

static void
acpi_pm_evt_trap(void *dev, uint64_t off, unsigned size, bool write,
		 uint64_t *val)
{
	acpi_pm_io(&((struct acpi_pm_dev *)dev)->pm, ACPI_PM_EVT, off, size,
		   write, val);
}

static void
acpi_pm_cnt_trap(void *dev, uint64_t off, unsigned size, bool write,
		 uint64_t *val)
{
	acpi_pm_io(&((struct acpi_pm_dev *)dev)->pm, ACPI_PM_CNT, off, size,
		   write, val);
}

static void
acpi_pm_tmr_trap(void *dev, uint64_t off, unsigned size, bool write,
		 uint64_t *val)
{
	acpi_pm_io(&((struct acpi_pm_dev *)dev)->pm, ACPI_PM_TMR, off, size,
		   write, val);
}

static int
acpi_pm_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	static const struct {
		uint16_t port, len;
		vm_trap_fn *fn;
	} traps[] = {
		{ PORT_PM1A_EVT, PORT_PM1A_EVT_LEN, acpi_pm_evt_trap },
		{ PORT_PM1A_CNT, PORT_PM1A_CNT_LEN, acpi_pm_cnt_trap },
		{ PORT_PM_TMR, PORT_PM_TMR_LEN, acpi_pm_tmr_trap },
	};
	struct acpi_pm_dev *d;
	unsigned i;
	int rc;

	if (!(d = calloc(1, sizeof(*d)))) {
		snprintf(err, VM_ERR_MAX, "acpi-pm: out of memory");
		return -ENOMEM;
	}
	d->vm = vm;
	if ((rc = acpi_pm_init(&d->pm, &acpi_pm_dev_hooks, d))) {
		snprintf(err, VM_ERR_MAX, "acpi-pm: mutex: %s", strerror(-rc));
		free(d);
		return rc;
	}
	for (i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
		rc = vm_trap_add(vm, VM_SPACE_PIO, traps[i].port, traps[i].len,
				 traps[i].fn, d);
		if (rc) {
			/* The VM never runs after a failed attach. */
			snprintf(err, VM_ERR_MAX,
				 "acpi-pm: cannot trap ports %#x-%#x: %s",
				 traps[i].port,
				 traps[i].port + traps[i].len - 1,
				 strerror(-rc));
			acpi_pm_destroy(&d->pm);
			free(d);
			return rc;
		}
	}
	*state = d;
	return 0;
}

static void
acpi_pm_detach(void *state)
{
	struct acpi_pm_dev *d = state;

	if (!d)
		return;
	acpi_pm_destroy(&d->pm);
	free(d);
}

static void
acpi_pm_power_button_op(void *state)
{
	acpi_pm_power_button(&((struct acpi_pm_dev *)state)->pm);
}

static void
acpi_pm_reset_op(void *state)
{
	acpi_pm_reset(&((struct acpi_pm_dev *)state)->pm);
}

const struct device_model acpi_pm_model = {
	.name = "acpi-pm",
	.attach = acpi_pm_attach,
	.detach = acpi_pm_detach,
	.power_button = acpi_pm_power_button_op,
	.reset = acpi_pm_reset_op,
};
