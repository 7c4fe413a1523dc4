/* acpi-pm.h - ACPI PM1 event/control registers and the PM timer (ACPI 6.4, 4.8): a testable core. */
#ifndef HYVE_ACPI_PM_H
#define HYVE_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- PM1 event/control and PM timer (devices/acpi-pm.c) ---- */

#define ACPI_PM_TIMER_HZ	3579545

/* PM1 status / enable bits (ACPI 6.4, "PM1 Event Grouping") */
#define ACPI_PM1_TMR		(1u << 0)
#define ACPI_PM1_GBL		(1u << 5)
#define ACPI_PM1_PWRBTN		(1u << 8)
#define ACPI_PM1_RTC		(1u << 10)
#define ACPI_PM1_WAK		(1u << 15)	/* status only */

/* PM1 control bits (ACPI 6.4, "PM1 Control Grouping") */
#define ACPI_PM1_CNT_SCI_EN	(1u << 0)
#define ACPI_PM1_CNT_BM_RLD	(1u << 1)
#define ACPI_PM1_CNT_GBL_RLS	(1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP	(7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN	(1u << 13)

enum acpi_pm_block { ACPI_PM_EVT, ACPI_PM_CNT, ACPI_PM_TMR };

/*
 * The register logic, apart from the VM so it can be tested: the owner
 * supplies hooks. sci() runs with the lock held (so levels arrive in
 * order); poweroff() and log() run after it is dropped.
 */
struct acpi_pm_hooks {
	void (*sci)(void *ctx, bool level);
	void (*poweroff)(void *ctx);
	void (*log)(void *ctx, const char *msg);
};

struct acpi_pm {
	pthread_mutex_t lock;
	const struct acpi_pm_hooks *hooks;
	void *ctx;
	uint16_t sts;		/* PM1 status */
	uint16_t en;		/* PM1 enable */
	uint16_t cnt;		/* PM1 control, stored bits */
	bool sci;		/* level last driven */
	uint64_t t0_ns;		/* CLOCK_MONOTONIC when the timer read 0 */
	uint64_t tmr_seen;	/* timer ticks at the last TMR_STS check */
};

int acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_hooks *hooks,
		 void *ctx);
void acpi_pm_destroy(struct acpi_pm *pm);
/* A trap on one block: off from the block's base, size 1, 2, 4 or 8. */
void acpi_pm_io(struct acpi_pm *pm, enum acpi_pm_block blk, uint64_t off,
		unsigned size, bool write, uint64_t *val);
/* The host pressed the power button. */
void acpi_pm_power_button(struct acpi_pm *pm);
/* Machine reset: registers back to power-on values, SCI low. */
void acpi_pm_reset(struct acpi_pm *pm);

#endif
