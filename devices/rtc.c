/* rtc.c - the MC146818 CMOS real-time clock (Motorola datasheet) at ports 0x70-0x71. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/devices.h"
#include "devices/rtc.h"
#include "vmm/layout.h"

/*
 * The guest's clock is the host clock plus a per-instance offset, so it
 * never drifts and a guest setting the time only moves the offset. The
 * update cycle is never in progress (UIP reads 0): every read computes the
 * time afresh. No interrupts are raised; register C reports the update-ended
 * flag when the second has changed since it was last read.
 */

struct rtc {
	pthread_mutex_t lock;
	enum vm_rtc_mode mode;
	int64_t (*clock)(void *arg);
	void *clock_arg;
	int64_t offset;		/* guest wall seconds - host wall seconds */
	int64_t uf_last;	/* guest wall second when C was last read */
	uint8_t index;
	/* Plain storage, plus the time registers as frozen while SET is on. */
	uint8_t cmos[RTC_CMOS_SIZE];
};

/* ---- Pure conversions ---- */

static int64_t
rtc_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (March-based years). */
static int64_t
rtc_days_from_date(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = rtc_floor_div(y, 400);
	yoe = y - era * 400;				/* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0..146096 */
	return era * 146097 + doe - 719468;
}

static void
rtc_date_from_days(int64_t days, struct rtc_tm *tm)
{
	int64_t z = days + 719468;
	int64_t era = rtc_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = yoe + era * 400 + (tm->mon <= 2);
	/* 1970-01-01 was a Thursday. */
	tm->wday = (int)((days % 7 + 7 + 4) % 7);
}

void
rtc_time_from_secs(int64_t secs, struct rtc_tm *tm)
{
	int64_t days = rtc_floor_div(secs, 86400);
	int64_t rem = secs - days * 86400;

	rtc_date_from_days(days, tm);
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem / 60 % 60);
	tm->sec = (int)(rem % 60);
}

int64_t
rtc_time_to_secs(const struct rtc_tm *tm)
{
	return rtc_days_from_date(tm->year, tm->mon, tm->mday) * 86400 +
	    tm->hour * 3600 + tm->min * 60 + tm->sec;
}

/* v is 0..99. */
static uint8_t
rtc_enc(unsigned v, uint8_t regb)
{
	if (regb & RTC_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static int
rtc_dec(uint8_t v, uint8_t regb, int lo, int hi, int *out)
{
	int n;

	if (regb & RTC_B_DM_BINARY) {
		n = v;
	} else {
		if ((v & 0x0f) > 9 || (v >> 4) > 9)
			return -EINVAL;
		n = (v >> 4) * 10 + (v & 0x0f);
	}
	if (n < lo || n > hi)
		return -EINVAL;
	*out = n;
	return 0;
}

void
rtc_time_encode(const struct rtc_tm *tm, uint8_t regb,
		uint8_t cmos[RTC_CMOS_SIZE])
{
	int64_t year = tm->year % 10000;
	int h;

	if (year < 0)
		year += 10000;
	cmos[RTC_SECONDS] = rtc_enc((unsigned)tm->sec, regb);
	cmos[RTC_MINUTES] = rtc_enc((unsigned)tm->min, regb);
	if (regb & RTC_B_24H) {
		cmos[RTC_HOURS] = rtc_enc((unsigned)tm->hour, regb);
	} else {
		h = tm->hour % 12;
		cmos[RTC_HOURS] = rtc_enc(h == 0 ? 12 : (unsigned)h, regb);
		if (tm->hour >= 12)
			cmos[RTC_HOURS] |= RTC_HOUR_PM;
	}
	cmos[RTC_DAY_OF_WEEK] = rtc_enc((unsigned)tm->wday + 1, regb);
	cmos[RTC_DAY_OF_MONTH] = rtc_enc((unsigned)tm->mday, regb);
	cmos[RTC_MONTH] = rtc_enc((unsigned)tm->mon, regb);
	cmos[RTC_YEAR] = rtc_enc((unsigned)(year % 100), regb);
	cmos[RTC_CENTURY] = rtc_enc((unsigned)(year / 100), regb);
}

int
rtc_time_decode(const uint8_t cmos[RTC_CMOS_SIZE], uint8_t regb,
		struct rtc_tm *tm)
{
	int year, century, h;
	struct rtc_tm t;

	if (rtc_dec(cmos[RTC_SECONDS], regb, 0, 59, &t.sec) < 0 ||
	    rtc_dec(cmos[RTC_MINUTES], regb, 0, 59, &t.min) < 0 ||
	    rtc_dec(cmos[RTC_DAY_OF_MONTH], regb, 1, 31, &t.mday) < 0 ||
	    rtc_dec(cmos[RTC_MONTH], regb, 1, 12, &t.mon) < 0 ||
	    rtc_dec(cmos[RTC_YEAR], regb, 0, 99, &year) < 0 ||
	    rtc_dec(cmos[RTC_CENTURY], regb, 0, 99, &century) < 0)
		return -EINVAL;
	if (regb & RTC_B_24H) {
		if (rtc_dec(cmos[RTC_HOURS], regb, 0, 23, &t.hour) < 0)
			return -EINVAL;
	} else {
		if (rtc_dec(cmos[RTC_HOURS] & ~RTC_HOUR_PM, regb, 1, 12,
			    &h) < 0)
			return -EINVAL;
		t.hour = h % 12 + (cmos[RTC_HOURS] & RTC_HOUR_PM ? 12 : 0);
	}
	t.year = century * 100 + year;
	/* Normalise (31 February is 3 March) and compute the weekday. */
	rtc_time_from_secs(rtc_time_to_secs(&t), tm);
	return 0;
}

/* ---- The device core ---- */

static bool
rtc_is_time_reg(unsigned idx)
{
	switch (idx) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	}
	return false;
}

static int64_t
rtc_real_clock(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* The host's wall clock in the guest's time zone, as seconds. */
static int64_t
rtc_host_wall(struct rtc *r)
{
	int64_t now = r->clock(r->clock_arg);
	time_t t = (time_t)now;
	struct tm tm;

	if (r->mode == VM_RTC_LOCALTIME && localtime_r(&t, &tm) != NULL)
		now += tm.tm_gmtoff;
	return now;
}

static int64_t
rtc_guest_wall(struct rtc *r)
{
	return rtc_host_wall(r) + r->offset;
}

/* Freezes the current time into the time registers, in format regb. */
static void
rtc_snapshot(struct rtc *r, uint8_t regb)
{
	struct rtc_tm tm;

	rtc_time_from_secs(rtc_guest_wall(r), &tm);
	rtc_time_encode(&tm, regb, r->cmos);
}

/* Makes the time registers (format regb) the guest's time, if valid. */
static void
rtc_commit(struct rtc *r, uint8_t regb)
{
	struct rtc_tm tm;

	if (rtc_time_decode(r->cmos, regb, &tm) < 0)
		return;		/* nonsense: the clock keeps its time */
	r->offset = rtc_time_to_secs(&tm) - rtc_host_wall(r);
	r->uf_last = rtc_guest_wall(r);
}

static uint8_t
rtc_read_data(struct rtc *r, unsigned idx)
{
	uint8_t regb = r->cmos[RTC_REG_B];
	uint8_t c = 0;
	int64_t now;

	if (rtc_is_time_reg(idx)) {
		if (!(regb & RTC_B_SET))
			rtc_snapshot(r, regb);
		return r->cmos[idx];
	}
	switch (idx) {
	case RTC_REG_A:
		return r->cmos[RTC_REG_A] & ~RTC_A_UIP;
	case RTC_REG_C:
		if (!(regb & RTC_B_SET)) {
			now = rtc_guest_wall(r);
			if (now != r->uf_last)
				c |= RTC_C_UF;
			r->uf_last = now;
		}
		if ((c & RTC_C_UF) && (regb & RTC_B_UIE))
			c |= RTC_C_IRQF;
		return c;
	case RTC_REG_D:
		return RTC_D_VRT;
	}
	return r->cmos[idx];
}

static void
rtc_write_data(struct rtc *r, unsigned idx, uint8_t v)
{
	uint8_t regb = r->cmos[RTC_REG_B];

	if (rtc_is_time_reg(idx)) {
		if (regb & RTC_B_SET) {
			r->cmos[idx] = v;
		} else {
			/* A running clock takes a single field at once. */
			rtc_snapshot(r, regb);
			r->cmos[idx] = v;
			rtc_commit(r, regb);
		}
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
		return;
	case RTC_REG_B:
		if (!(regb & RTC_B_SET) && (v & RTC_B_SET)) {
			rtc_snapshot(r, v);
			v &= ~RTC_B_UIE;	/* SET clears UIE */
		} else if ((regb & RTC_B_SET) && !(v & RTC_B_SET)) {
			rtc_commit(r, regb);
		}
		r->cmos[RTC_REG_B] = v;
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return;		/* read-only */
	}
	r->cmos[idx] = v;
}

void
rtc_io(struct rtc *r, unsigned port, bool write, uint8_t *val)
{
	pthread_mutex_lock(&r->lock);
	if ((port & 1) == 0) {
		/* Bit 7 masks NMIs on a PC; there is nothing to mask here. */
		if (write)
			r->index = *val & (RTC_CMOS_SIZE - 1);
		else
			*val = 0xff;	/* write-only */
	} else if (write) {
		rtc_write_data(r, r->index, *val);
	} else {
		*val = rtc_read_data(r, r->index);
	}
	pthread_mutex_unlock(&r->lock);
}

struct rtc *
rtc_new(enum vm_rtc_mode mode, int64_t (*clock)(void *arg), void *arg)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		return NULL;
	}
	r->mode = mode;
	r->clock = clock != NULL ? clock : rtc_real_clock;
	r->clock_arg = arg;
	r->cmos[RTC_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz */
	r->cmos[RTC_REG_B] = RTC_B_24H;	/* BCD, 24-hour, as a PC BIOS sets */
	r->uf_last = rtc_guest_wall(r);
	return r;
}

void
rtc_reset(struct rtc *r)
{
	pthread_mutex_lock(&r->lock);
	r->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	r->uf_last = rtc_guest_wall(r);
	pthread_mutex_unlock(&r->lock);
}

void
rtc_free(struct rtc *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ---- The device model ---- */

static void
rtc_dev_trap(void *dev, uint64_t off, unsigned size, bool write,
	     uint64_t *val)
{
	uint8_t b = (uint8_t)*val;

	rtc_io(dev, (unsigned)off, write, &b);
	if (!write)
		*val = b;
}

static int
rtc_dev_attach(struct vm *vm, const void *arg, void **state, char *err)
{
	const struct vm_config *cfg = vm_config(vm);
	struct rtc *r;
	int rc;

	r = rtc_new(cfg != NULL ? cfg->rtc : VM_RTC_UTC, NULL, NULL);
	if (r == NULL) {
		snprintf(err, VM_ERR_MAX, "rtc: out of memory");
		return -ENOMEM;
	}
	rc = vm_trap_add(vm, VM_SPACE_PIO, PORT_RTC, 2, rtc_dev_trap, r);
	if (rc < 0) {
		snprintf(err, VM_ERR_MAX, "rtc: cannot claim ports %#x-%#x: %s",
			 PORT_RTC, PORT_RTC + 1, strerror(-rc));
		rtc_free(r);
		return rc;
	}
	*state = r;
	return 0;
}

static void
rtc_dev_detach(void *state)
{
	rtc_free(state);
}

static void
rtc_dev_reset(void *state)
{
	rtc_reset(state);
}

const struct device_model rtc_model = {
	.name = "rtc",
	.attach = rtc_dev_attach,
	.detach = rtc_dev_detach,
	.reset = rtc_dev_reset,
};
