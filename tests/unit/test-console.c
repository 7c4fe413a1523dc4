/* test-console.c - the console rings between a serial port and the host: wake-ups, room notifications, order. */
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/console.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void drain(int fd)
{
	uint64_t v;

	while (readable(fd) && read(fd, &v, sizeof(v)) == sizeof(v))
		;
}

/* A reader that takes output in slices is woken again while bytes wait,
 * and not once the ring is empty. */
static void test_partial_reads_wake_again(void)
{
	int fd = eventfd(0, EFD_NONBLOCK);
	struct console *con = console_create(256, 16, fd);
	char buf[300], got[300];
	size_t n, total = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)i;
	CHECK(console_out_put(con, buf, 100) == 100, "put");
	CHECK(readable(fd), "no wake-up for the first bytes");
	drain(fd);
	CHECK(console_out_put(con, buf + 100, 50) == 50, "put");
	CHECK(!readable(fd), "woken although the ring was not empty");
	while ((n = console_out_get(con, got + total, 40)) > 0) {
		total += n;
		if (total < 150)
			CHECK(readable(fd), "not woken with %zu bytes left",
			      150 - total);
		drain(fd);
	}
	CHECK(total == 150 && !memcmp(got, buf, 150), "%zu bytes", total);
	CHECK(!readable(fd), "woken with nothing left");
	console_destroy(con);
	close(fd);
}

static int room_calls;
static void on_room(void *arg)
{
	room_calls++;
}

/* A full ring tells the device when the host made room. */
static void test_room_notification(void)
{
	struct console *con = console_create(64, 16, -1);
	char buf[64] = { 0 };

	console_set_notify(con, on_room, NULL);
	CHECK(console_out_put(con, buf, 64) == 64, "fill");
	CHECK(console_out_space(con) == 0, "space in a full ring");
	CHECK(console_out_get(con, buf, 1) == 1, "get");
	CHECK(room_calls == 1, "%d room notifications", room_calls);
	CHECK(console_out_get(con, buf, 1) == 1, "get");
	CHECK(room_calls == 1, "notified without being blocked");
	console_destroy(con);
}

#define RACE_BYTES 400000

static void *race_producer(void *arg)
{
	struct console *con = arg;

	for (unsigned i = 0; i < RACE_BYTES;) {
		uint8_t b = (uint8_t)i;

		if (console_out_put(con, &b, 1) == 1)
			i++;
	}
	return NULL;
}

/*
 * A guest putting bytes one at a time while the host reads whatever is
 * there: every byte must arrive through wake-ups alone. A byte put while
 * a read runs, after the reader saw the head but before it stored its
 * tail, used to find the ring "not empty", wake nobody, and wait forever.
 */
static void test_no_lost_wakeup(void)
{
	int fd = eventfd(0, EFD_NONBLOCK);
	struct console *con = console_create(1 << 16, 16, fd);
	pthread_t t;
	unsigned got = 0;
	bool order_ok = true;

	CHECK(pthread_create(&t, NULL, race_producer, con) == 0, "thread");
	while (got < RACE_BYTES) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[512];
		uint64_t v;
		size_t n;

		if (poll(&p, 1, 2000) != 1)
			break;		/* bytes left and no wake-up: lost */
		if (read(fd, &v, sizeof(v)) < 0)
			continue;
		n = console_out_get(con, buf, sizeof(buf));
		for (size_t i = 0; i < n; i++)
			order_ok &= buf[i] == (uint8_t)(got + i);
		got += (unsigned)n;
	}
	CHECK(got == RACE_BYTES, "%u of %u bytes arrived before the wake-ups "
	      "stopped", got, RACE_BYTES);
	CHECK(order_ok, "bytes out of order");
	pthread_join(t, NULL);
	console_destroy(con);
	close(fd);
}

int main(void)
{
	RUN_TEST(test_partial_reads_wake_again);
	RUN_TEST(test_room_notification);
	RUN_TEST(test_no_lost_wakeup);
	CHECK_EXIT();
}
