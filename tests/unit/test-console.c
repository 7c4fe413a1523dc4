/* test-console.c - the console rings between a serial port and the host: wake-ups, room notifications, order. */
#include <poll.h>
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

int main(void)
{
	RUN_TEST(test_partial_reads_wake_again);
	RUN_TEST(test_room_notification);
	CHECK_EXIT();
}
