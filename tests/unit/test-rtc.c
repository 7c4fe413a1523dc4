/* test-rtc.c - the MC146818 RTC model (devices/rtc.c): conversions at fixed epochs and register rules. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "devices/rtc.h"
#include "tests/unit/check.h"

static int64_t
fake_clock(void *arg)
{
	return *(int64_t *)arg;
}

static uint8_t
cmos_rd(struct rtc *r, unsigned idx)
{
	uint8_t v = (uint8_t)idx;

	rtc_io(r, 0, true, &v);
	v = 0x5a;
	rtc_io(r, 1, false, &v);
	return v;
}

static void
cmos_wr(struct rtc *r, unsigned idx, uint8_t val)
{
	uint8_t v = (uint8_t)idx;

	rtc_io(r, 0, true, &v);
	rtc_io(r, 1, true, &val);
}

static void
test_time_from_secs(void)
{
	static const struct {
		int64_t secs;
		int64_t year;
		int mon, mday, hour, min, sec, wday;
	} t[] = {
		{ 0, 1970, 1, 1, 0, 0, 0, 4 },
		{ -1, 1969, 12, 31, 23, 59, 59, 3 },
		{ 951782400, 2000, 2, 29, 0, 0, 0, 2 },
		{ 946684799, 1999, 12, 31, 23, 59, 59, 5 },
		{ 1700000000, 2023, 11, 14, 22, 13, 20, 2 },
		{ 1709251200, 2024, 3, 1, 0, 0, 0, 5 },
		{ 2147483648LL, 2038, 1, 19, 3, 14, 8, 2 },
		{ 4102444799LL, 2099, 12, 31, 23, 59, 59, 4 },
		{ 253402300799LL, 9999, 12, 31, 23, 59, 59, 5 },
	};
	struct rtc_tm tm;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rtc_time_from_secs(t[i].secs, &tm);
		CHECK(tm.year == t[i].year && tm.mon == t[i].mon &&
		      tm.mday == t[i].mday && tm.hour == t[i].hour &&
		      tm.min == t[i].min && tm.sec == t[i].sec &&
		      tm.wday == t[i].wday,
		      "%lld -> %lld-%02d-%02d %02d:%02d:%02d wday %d",
		      (long long)t[i].secs, (long long)tm.year, tm.mon,
		      tm.mday, tm.hour, tm.min, tm.sec, tm.wday);
		CHECK_EQ(rtc_time_to_secs(&tm), t[i].secs);
	}
}

/* The C library's gmtime_r as an oracle over 1900..2200. */
static void
test_time_against_gmtime(void)
{
	struct rtc_tm tm;
	struct tm g;
	int64_t s;
	time_t tt;
	unsigned bad = 0, n = 0;

	for (s = -2208988800LL; s < 7258118400LL; s += 86399LL * 7 + 13) {
		tt = (time_t)s;
		gmtime_r(&tt, &g);
		rtc_time_from_secs(s, &tm);
		n++;
		if (tm.year != g.tm_year + 1900 || tm.mon != g.tm_mon + 1 ||
		    tm.mday != g.tm_mday || tm.hour != g.tm_hour ||
		    tm.min != g.tm_min || tm.sec != g.tm_sec ||
		    tm.wday != g.tm_wday || rtc_time_to_secs(&tm) != s) {
			if (bad++ < 5)
				CHECK(0, "mismatch at %lld", (long long)s);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(n > 10000, "only %u samples", n);
}

static void
test_encode_formats(void)
{
	uint8_t c[RTC_CMOS_SIZE];
	struct rtc_tm tm;

	/* 2023-11-14 22:13:20, a Tuesday (day of week 3: Sunday is 1). */
	rtc_time_from_secs(1700000000, &tm);
	memset(c, 0, sizeof(c));
	rtc_time_encode(&tm, RTC_B_24H, c);		/* BCD, 24 h */
	CHECK_EQ(c[RTC_SECONDS], 0x20);
	CHECK_EQ(c[RTC_MINUTES], 0x13);
	CHECK_EQ(c[RTC_HOURS], 0x22);
	CHECK_EQ(c[RTC_DAY_OF_WEEK], 3);
	CHECK_EQ(c[RTC_DAY_OF_MONTH], 0x14);
	CHECK_EQ(c[RTC_MONTH], 0x11);
	CHECK_EQ(c[RTC_YEAR], 0x23);
	CHECK_EQ(c[RTC_CENTURY], 0x20);
	CHECK_EQ(c[RTC_SECONDS_ALARM], 0);		/* untouched */

	rtc_time_encode(&tm, RTC_B_24H | RTC_B_DM_BINARY, c);
	CHECK_EQ(c[RTC_SECONDS], 20);
	CHECK_EQ(c[RTC_MINUTES], 13);
	CHECK_EQ(c[RTC_HOURS], 22);
	CHECK_EQ(c[RTC_DAY_OF_MONTH], 14);
	CHECK_EQ(c[RTC_MONTH], 11);
	CHECK_EQ(c[RTC_YEAR], 23);
	CHECK_EQ(c[RTC_CENTURY], 20);

	rtc_time_encode(&tm, 0, c);			/* BCD, 12 h */
	CHECK_EQ(c[RTC_HOURS], RTC_HOUR_PM | 0x10);
	rtc_time_encode(&tm, RTC_B_DM_BINARY, c);	/* binary, 12 h */
	CHECK_EQ(c[RTC_HOURS], RTC_HOUR_PM | 10);

	rtc_time_from_secs(0, &tm);			/* midnight: 12 AM */
	rtc_time_encode(&tm, 0, c);
	CHECK_EQ(c[RTC_HOURS], 0x12);
	CHECK_EQ(c[RTC_CENTURY], 0x19);
	CHECK_EQ(c[RTC_YEAR], 0x70);
	CHECK_EQ(c[RTC_DAY_OF_WEEK], 5);		/* Thursday */
	rtc_time_encode(&tm, RTC_B_DM_BINARY, c);
	CHECK_EQ(c[RTC_HOURS], 12);

	rtc_time_from_secs(1709208000, &tm);		/* 2024-02-29 noon */
	rtc_time_encode(&tm, 0, c);
	CHECK_EQ(c[RTC_HOURS], RTC_HOUR_PM | 0x12);
	CHECK_EQ(c[RTC_DAY_OF_MONTH], 0x29);
	CHECK_EQ(c[RTC_MONTH], 0x02);
	rtc_time_encode(&tm, RTC_B_DM_BINARY, c);
	CHECK_EQ(c[RTC_HOURS], RTC_HOUR_PM | 12);

	rtc_time_from_secs(3600 + 23 * 3600 * 0, &tm);	/* 01:00 AM */
	rtc_time_encode(&tm, 0, c);
	CHECK_EQ(c[RTC_HOURS], 0x01);
	rtc_time_from_secs(23 * 3600, &tm);		/* 11 PM */
	rtc_time_encode(&tm, 0, c);
	CHECK_EQ(c[RTC_HOURS], RTC_HOUR_PM | 0x11);
}

static void
test_decode(void)
{
	uint8_t c[RTC_CMOS_SIZE];
	struct rtc_tm tm;
	unsigned h;
	int64_t s;

	/* Every hour of a day survives encode/decode in all four formats. */
	for (h = 0; h < 4; h++) {
		uint8_t regb = (uint8_t)((h & 1 ? RTC_B_DM_BINARY : 0) |
					 (h & 2 ? RTC_B_24H : 0));

		for (s = 1700000000 - 22 * 3600; s < 1700000000 + 2 * 3600;
		     s += 3599) {
			rtc_time_from_secs(s, &tm);
			rtc_time_encode(&tm, regb, c);
			CHECK_EQ(rtc_time_decode(c, regb, &tm), 0);
			CHECK_EQ(rtc_time_to_secs(&tm), s);
		}
	}

	rtc_time_from_secs(1700000000, &tm);
	rtc_time_encode(&tm, RTC_B_24H, c);
	c[RTC_SECONDS] = 0x1a;				/* not BCD */
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);
	c[RTC_SECONDS] = 0x60;				/* 60 s */
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);
	c[RTC_SECONDS] = 0x59;
	c[RTC_MONTH] = 0x00;
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);
	c[RTC_MONTH] = 0x13;
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);
	c[RTC_MONTH] = 0x11;
	c[RTC_HOURS] = 0x24;
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);
	c[RTC_HOURS] = 0x00;				/* no 0 o'clock */
	CHECK_EQ(rtc_time_decode(c, 0, &tm), -EINVAL);
	c[RTC_HOURS] = 0x13;
	CHECK_EQ(rtc_time_decode(c, 0, &tm), -EINVAL);
	c[RTC_HOURS] = 60;				/* binary 60 h */
	CHECK_EQ(rtc_time_decode(c, RTC_B_DM_BINARY | RTC_B_24H, &tm),
		 -EINVAL);
	c[RTC_HOURS] = 0x23;
	c[RTC_DAY_OF_MONTH] = 0x32;
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), -EINVAL);

	/* 31 February 2021 is 3 March; the stored weekday is ignored. */
	c[RTC_YEAR] = 0x21;
	c[RTC_CENTURY] = 0x20;
	c[RTC_MONTH] = 0x02;
	c[RTC_DAY_OF_MONTH] = 0x31;
	c[RTC_HOURS] = 0x00;
	c[RTC_MINUTES] = 0x00;
	c[RTC_SECONDS] = 0x00;
	c[RTC_DAY_OF_WEEK] = 0x77;
	CHECK_EQ(rtc_time_decode(c, RTC_B_24H, &tm), 0);
	CHECK_EQ(rtc_time_to_secs(&tm), 1614729600);
	CHECK_EQ(tm.mon, 3);
	CHECK_EQ(tm.mday, 3);
	CHECK_EQ(tm.wday, 3);
}

static void
test_registers(void)
{
	int64_t now = 1700000000;
	struct rtc *r = rtc_new(VM_RTC_UTC, fake_clock, &now);
	uint8_t v;

	CHECK(r != NULL, "rtc_new");
	if (r == NULL)
		return;
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x20);
	CHECK_EQ(cmos_rd(r, RTC_MINUTES), 0x13);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x22);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_WEEK), 3);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_MONTH), 0x14);
	CHECK_EQ(cmos_rd(r, RTC_MONTH), 0x11);
	CHECK_EQ(cmos_rd(r, RTC_YEAR), 0x23);
	CHECK_EQ(cmos_rd(r, RTC_CENTURY), 0x20);
	CHECK_EQ(cmos_rd(r, RTC_REG_A), 0x26);		/* UIP clear */
	CHECK_EQ(cmos_rd(r, RTC_REG_B), RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_REG_D), RTC_D_VRT);
	/* The clock runs with the host's. */
	now += 61;
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x21);
	CHECK_EQ(cmos_rd(r, RTC_MINUTES), 0x14);
	/* Format changes apply at once. */
	cmos_wr(r, RTC_REG_B, RTC_B_DM_BINARY);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), RTC_HOUR_PM | 10);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 21);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	/* Index port: bit 7 (NMI mask) is ignored, reads float. */
	v = 0x80 | RTC_HOURS;
	rtc_io(r, 0, true, &v);
	v = 0;
	rtc_io(r, 1, false, &v);
	CHECK_EQ(v, 0x22);
	rtc_io(r, 0, false, &v);
	CHECK_EQ(v, 0xff);
	/* A: UIP is read-only, divider bits are kept. D: VRT only. */
	cmos_wr(r, RTC_REG_A, 0xff);
	CHECK_EQ(cmos_rd(r, RTC_REG_A), 0x7f);
	cmos_wr(r, RTC_REG_A, 0x26);
	cmos_wr(r, RTC_REG_D, 0x00);
	CHECK_EQ(cmos_rd(r, RTC_REG_D), RTC_D_VRT);
	/* Alarm registers and the rest of the CMOS are storage. */
	cmos_wr(r, RTC_SECONDS_ALARM, 0x42);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS_ALARM), 0x42);
	cmos_wr(r, 0x10, 0xa5);
	cmos_wr(r, 0x7f, 0x5a);
	CHECK_EQ(cmos_rd(r, 0x10), 0xa5);
	CHECK_EQ(cmos_rd(r, 0x7f), 0x5a);
	rtc_free(r);
}

static void
test_set_time(void)
{
	int64_t now = 1700000000;
	struct rtc *r = rtc_new(VM_RTC_UTC, fake_clock, &now);
	struct rtc *other = rtc_new(VM_RTC_UTC, fake_clock, &now);

	CHECK(r != NULL && other != NULL, "rtc_new");
	if (r == NULL || other == NULL)
		return;
	/* Linux's way: SET, write the fields, clear SET. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	cmos_wr(r, RTC_SECONDS, 0x05);
	cmos_wr(r, RTC_MINUTES, 0x04);
	cmos_wr(r, RTC_HOURS, 0x03);
	cmos_wr(r, RTC_DAY_OF_MONTH, 0x02);
	cmos_wr(r, RTC_MONTH, 0x01);
	cmos_wr(r, RTC_YEAR, 0x30);
	/* While SET is on the registers hold what was written. */
	now += 100;
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x05);
	CHECK_EQ(cmos_rd(r, RTC_CENTURY), 0x20);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x05);
	CHECK_EQ(cmos_rd(r, RTC_YEAR), 0x30);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_WEEK), 4);	/* 2030-01-02: Wed */
	now += 10;
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x15);
	CHECK_EQ(cmos_rd(r, RTC_MINUTES), 0x04);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x03);
	/* Only this instance's offset moved. */
	CHECK_EQ(cmos_rd(other, RTC_YEAR), 0x23);
	CHECK_EQ(now, 1700000110);

	/* A field written while the clock runs applies at once. */
	cmos_wr(r, RTC_HOURS, 0x21);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x21);
	CHECK_EQ(cmos_rd(r, RTC_MINUTES), 0x04);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_MONTH), 0x02);

	/* Nonsense is ignored: the clock keeps its time. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	cmos_wr(r, RTC_SECONDS, 0x99);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x15);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x21);

	/* Binary 12-hour mode: 11 PM on 2001-09-09. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_DM_BINARY);
	/* Frozen in the format being switched to: 21:04:15 is 9 PM. */
	CHECK_EQ(cmos_rd(r, RTC_HOURS), RTC_HOUR_PM | 9);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 15);
	cmos_wr(r, RTC_SECONDS, 0);
	cmos_wr(r, RTC_MINUTES, 0);
	cmos_wr(r, RTC_HOURS, RTC_HOUR_PM | 11);
	cmos_wr(r, RTC_DAY_OF_MONTH, 9);
	cmos_wr(r, RTC_MONTH, 9);
	cmos_wr(r, RTC_YEAR, 1);
	cmos_wr(r, RTC_CENTURY, 20);
	cmos_wr(r, RTC_REG_B, RTC_B_DM_BINARY);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x23);
	CHECK_EQ(cmos_rd(r, RTC_YEAR), 0x01);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_WEEK), 1);	/* a Sunday */
	/* SET clears UIE. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_UIE | RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_REG_B), RTC_B_SET | RTC_B_24H);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	rtc_free(r);
	rtc_free(other);
}

static void
test_reg_c_clear_on_read(void)
{
	int64_t now = 1700000000;
	struct rtc *r = rtc_new(VM_RTC_UTC, fake_clock, &now);

	CHECK(r != NULL, "rtc_new");
	if (r == NULL)
		return;
	CHECK_EQ(cmos_rd(r, RTC_REG_C), 0x00);
	now++;
	CHECK_EQ(cmos_rd(r, RTC_REG_C), RTC_C_UF);
	CHECK_EQ(cmos_rd(r, RTC_REG_C), 0x00);
	cmos_wr(r, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	now += 5;
	CHECK_EQ(cmos_rd(r, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	CHECK_EQ(cmos_rd(r, RTC_REG_C), 0x00);
	cmos_wr(r, RTC_REG_C, 0xff);			/* read-only */
	CHECK_EQ(cmos_rd(r, RTC_REG_C), 0x00);
	/* Reset clears the interrupt enables but keeps time and format. */
	cmos_wr(r, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY | RTC_B_PIE |
		RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	cmos_wr(r, 0x20, 0x33);
	rtc_reset(r);
	CHECK_EQ(cmos_rd(r, RTC_REG_B), RTC_B_24H | RTC_B_DM_BINARY);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 26);
	CHECK_EQ(cmos_rd(r, 0x20), 0x33);
	rtc_free(r);
}

static void
test_localtime(void)
{
	int64_t now = 1700000000;	/* 2023-11-14 22:13:20 UTC */
	struct rtc *r;

	/* The test may set TZ; the device never does. */
	setenv("TZ", "EST5", 1);
	tzset();
	r = rtc_new(VM_RTC_LOCALTIME, fake_clock, &now);
	CHECK(r != NULL, "rtc_new");
	if (r == NULL)
		return;
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x17);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_MONTH), 0x14);
	/* Setting the time in local terms. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	cmos_wr(r, RTC_HOURS, 0x08);
	cmos_wr(r, RTC_MINUTES, 0x00);
	cmos_wr(r, RTC_SECONDS, 0x00);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	now += 30;
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x08);
	CHECK_EQ(cmos_rd(r, RTC_SECONDS), 0x30);
	rtc_free(r);

	setenv("TZ", "JST-9", 1);
	tzset();
	now = 1700000000;
	r = rtc_new(VM_RTC_LOCALTIME, fake_clock, &now);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x07);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_MONTH), 0x15);
	CHECK_EQ(cmos_rd(r, RTC_DAY_OF_WEEK), 4);
	rtc_free(r);
	/* UTC mode ignores TZ. */
	r = rtc_new(VM_RTC_UTC, fake_clock, &now);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x22);
	rtc_free(r);
	unsetenv("TZ");
	tzset();
}

static void
test_every_register_value(void)
{
	int64_t now = 1700000000;
	struct rtc *r = rtc_new(VM_RTC_UTC, fake_clock, &now);
	unsigned idx, v, mode;
	uint8_t b;

	CHECK(r != NULL, "rtc_new");
	if (r == NULL)
		return;
	for (mode = 0; mode < 4; mode++) {
		for (idx = 0; idx < 256; idx++) {
			for (v = 0; v < 256; v++) {
				b = (uint8_t)idx;
				rtc_io(r, 0, true, &b);
				b = (uint8_t)v;
				rtc_io(r, 1, true, &b);
				rtc_io(r, 1, false, &b);
				/* Keep B in the mode under test. */
				cmos_wr(r, RTC_REG_B, (uint8_t)(mode << 1));
				now += 7;
			}
		}
	}
	CHECK_EQ(cmos_rd(r, RTC_REG_D), RTC_D_VRT);
	CHECK_EQ(cmos_rd(r, RTC_REG_A) & RTC_A_UIP, 0);
	/* Plain storage round-trips every value. */
	for (idx = 0x0e; idx < RTC_CMOS_SIZE; idx++) {
		if (idx == RTC_CENTURY)
			continue;
		for (v = 0; v < 256; v += 51) {
			cmos_wr(r, idx, (uint8_t)v);
			CHECK_EQ(cmos_rd(r, idx), v);
		}
	}
	/* The clock still works and can be set. */
	cmos_wr(r, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	cmos_wr(r, RTC_SECONDS, 0);
	cmos_wr(r, RTC_MINUTES, 0);
	cmos_wr(r, RTC_HOURS, 0x12);
	cmos_wr(r, RTC_DAY_OF_MONTH, 0x01);
	cmos_wr(r, RTC_MONTH, 0x06);
	cmos_wr(r, RTC_YEAR, 0x25);
	cmos_wr(r, RTC_CENTURY, 0x20);
	cmos_wr(r, RTC_REG_B, RTC_B_24H);
	CHECK_EQ(cmos_rd(r, RTC_HOURS), 0x12);
	CHECK_EQ(cmos_rd(r, RTC_MONTH), 0x06);
	CHECK_EQ(cmos_rd(r, RTC_YEAR), 0x25);
	rtc_free(r);
}

static void
test_real_clock(void)
{
	struct rtc *r = rtc_new(VM_RTC_UTC, NULL, NULL);
	time_t t = time(NULL);
	struct tm g;
	unsigned y;

	CHECK(r != NULL, "rtc_new");
	if (r == NULL)
		return;
	gmtime_r(&t, &g);
	y = cmos_rd(r, RTC_YEAR);
	CHECK_EQ((y >> 4) * 10 + (y & 15), (unsigned)(g.tm_year % 100));
	rtc_free(r);
}

int
main(void)
{
	RUN_TEST(test_time_from_secs);
	RUN_TEST(test_time_against_gmtime);
	RUN_TEST(test_encode_formats);
	RUN_TEST(test_decode);
	RUN_TEST(test_registers);
	RUN_TEST(test_set_time);
	RUN_TEST(test_reg_c_clear_on_read);
	RUN_TEST(test_localtime);
	RUN_TEST(test_every_register_value);
	RUN_TEST(test_real_clock);
	CHECK_EXIT();
}
