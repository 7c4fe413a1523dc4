/* rtc.h - MC146818 CMOS RTC core and its pure time conversions (for tests). */
#ifndef HYVE_RTC_H
#define HYVE_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vmm.h"

/* CMOS register indexes (MC146818 datasheet; century as ACPI FADT says). */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1 = Sunday */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32
#define RTC_CMOS_SIZE		128

#define RTC_A_UIP		0x80
#define RTC_B_SET		0x80
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_SQWE		0x08
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_C_IRQF		0x80
#define RTC_C_UF		0x10
#define RTC_D_VRT		0x80
#define RTC_HOUR_PM		0x80	/* hours register, 12-hour mode */

/* A broken-down civil time (proleptic Gregorian, no time zone). */
struct rtc_tm {
	int64_t year;		/* e.g. 2024 */
	int mon;		/* 1..12 */
	int mday;		/* 1..31 */
	int hour;		/* 0..23 */
	int min;		/* 0..59 */
	int sec;		/* 0..59 */
	int wday;		/* 0 = Sunday */
};

/* Seconds since 1970-01-01 00:00:00 <-> civil time; pure functions. */
void rtc_time_from_secs(int64_t secs, struct rtc_tm *tm);
int64_t rtc_time_to_secs(const struct rtc_tm *tm);

/*
 * Writes tm into the time registers of cmos (seconds, minutes, hours, day
 * of week, day, month, year, century) in the format register B selects.
 */
void rtc_time_encode(const struct rtc_tm *tm, uint8_t regb,
		     uint8_t cmos[RTC_CMOS_SIZE]);
/* The reverse; -EINVAL when a field is not a valid value (day of week is
 * ignored, tm->wday is computed). */
int rtc_time_decode(const uint8_t cmos[RTC_CMOS_SIZE], uint8_t regb,
		    struct rtc_tm *tm);

/*
 * The device core. clock(arg) gives host seconds since the epoch (UTC);
 * NULL means the real clock. mode says how the host clock maps to the
 * guest's wall clock.
 */
struct rtc;
struct rtc *rtc_new(enum vm_rtc_mode mode, int64_t (*clock)(void *arg),
		    void *arg);
void rtc_free(struct rtc *r);
/* The RESET pin: interrupt enables and flags clear; time and CMOS stay. */
void rtc_reset(struct rtc *r);
/* One byte access: port 0 is the index register, 1 the data register. */
void rtc_io(struct rtc *r, unsigned port, bool write, uint8_t *val);

#endif
