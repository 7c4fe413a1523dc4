/* test-i8042.c - the 8042 controller model (devices/i8042.c): status, commands, reset lines. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/unit/check.h"
#include "vmm/layout.h"

/* The model's core; devices/i8042.c has no header of its own. */
struct i8042;
struct i8042 *i8042_new(void (*reset)(void *arg), void *arg);
void i8042_free(struct i8042 *k);
void i8042_reset(struct i8042 *k);
void i8042_io(struct i8042 *k, uint16_t port, bool write, uint8_t *val);

static void
count_reset(void *arg)
{
	(*(unsigned *)arg)++;
}

static uint8_t
status(struct i8042 *k)
{
	uint8_t v = 0xaa;

	i8042_io(k, PORT_I8042_CMD, false, &v);
	return v;
}

static uint8_t
data_rd(struct i8042 *k)
{
	uint8_t v = 0xaa;

	i8042_io(k, PORT_I8042_DATA, false, &v);
	return v;
}

static void
cmd(struct i8042 *k, uint8_t c)
{
	i8042_io(k, PORT_I8042_CMD, true, &c);
}

static void
data_wr(struct i8042 *k, uint8_t d)
{
	i8042_io(k, PORT_I8042_DATA, true, &d);
}

static void
test_status_and_self_test(void)
{
	unsigned resets = 0;
	struct i8042 *k = i8042_new(count_reset, &resets);

	CHECK(k != NULL, "i8042_new");
	if (k == NULL)
		return;
	/* Input buffer empty, not inhibited, system flag; nothing waits. */
	CHECK_EQ(status(k), 0x14);
	CHECK_EQ(data_rd(k), 0x00);
	cmd(k, 0xaa);
	CHECK_EQ(status(k), 0x1d);		/* OBF, A2 */
	CHECK_EQ(data_rd(k), 0x55);
	CHECK_EQ(status(k) & 0x01, 0);
	CHECK_EQ(data_rd(k), 0x00);
	cmd(k, 0xab);
	CHECK_EQ(status(k) & 0x01, 0x01);
	CHECK_EQ(data_rd(k), 0x00);
	CHECK_EQ(status(k) & 0x01, 0);
	/* Unknown commands are ignored. */
	cmd(k, 0xc0);
	cmd(k, 0x12);
	cmd(k, 0xe5);
	CHECK_EQ(status(k) & 0x01, 0);
	/* Keyboard bytes go nowhere. */
	data_wr(k, 0xff);
	CHECK_EQ(status(k), 0x14);		/* A2 clear after data */
	CHECK_EQ(resets, 0);
	i8042_free(k);
}

static void
test_command_byte(void)
{
	struct i8042 *k = i8042_new(NULL, NULL);

	CHECK(k != NULL, "i8042_new");
	if (k == NULL)
		return;
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x45);
	cmd(k, 0x60);
	data_wr(k, 0x20);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x20);
	CHECK_EQ(status(k) & 0x04, 0);		/* SYS follows the byte */
	cmd(k, 0xad);
	cmd(k, 0xa7);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x30);
	cmd(k, 0xae);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x20);
	cmd(k, 0xa8);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x00);
	cmd(k, 0xaa);
	data_rd(k);
	CHECK_EQ(status(k) & 0x04, 0x04);	/* self test sets SYS */
	/* A command in between drops a pending write. */
	cmd(k, 0x60);
	cmd(k, 0xab);
	data_rd(k);
	data_wr(k, 0x77);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x04);
	i8042_reset(k);
	cmd(k, 0x20);
	CHECK_EQ(data_rd(k), 0x45);
	i8042_free(k);
}

static void
test_reset_lines(void)
{
	unsigned resets = 0;
	struct i8042 *k = i8042_new(count_reset, &resets);

	CHECK(k != NULL, "i8042_new");
	if (k == NULL)
		return;
	cmd(k, 0xfe);
	CHECK_EQ(resets, 1);
	cmd(k, 0xff);			/* pulses nothing */
	CHECK_EQ(resets, 1);
	cmd(k, 0xfd);			/* pulses bit 1 only */
	CHECK_EQ(resets, 1);
	cmd(k, 0xf0);			/* pulses all four, reset included */
	CHECK_EQ(resets, 2);
	/* Output port: bit 0 low is the reset line asserted. */
	cmd(k, 0xd0);
	CHECK_EQ(data_rd(k), 0x03);
	cmd(k, 0xd1);
	data_wr(k, 0x03);
	CHECK_EQ(resets, 2);
	cmd(k, 0xd0);
	CHECK_EQ(data_rd(k), 0x03);
	cmd(k, 0xd1);
	data_wr(k, 0x02);
	CHECK_EQ(resets, 3);
	/* A data byte without 0xd1 before it does nothing. */
	data_wr(k, 0x00);
	CHECK_EQ(resets, 3);
	i8042_free(k);
}

static void
test_every_value(void)
{
	unsigned resets = 0, expect = 0, c, d;
	struct i8042 *k = i8042_new(count_reset, &resets);

	CHECK(k != NULL, "i8042_new");
	if (k == NULL)
		return;
	for (c = 0; c < 256; c++) {
		for (d = 0; d < 256; d++) {
			cmd(k, (uint8_t)c);
			if (c >= 0xf0 && !(c & 1))
				expect++;
			data_wr(k, (uint8_t)d);
			if (c == 0xd1 && !(d & 1))
				expect++;
			status(k);
			data_rd(k);
			data_rd(k);
		}
	}
	CHECK_EQ(resets, expect);
	i8042_reset(k);
	cmd(k, 0xaa);
	CHECK_EQ(data_rd(k), 0x55);
	i8042_free(k);
}

int
main(void)
{
	RUN_TEST(test_status_and_self_test);
	RUN_TEST(test_command_byte);
	RUN_TEST(test_reset_lines);
	RUN_TEST(test_every_value);
	CHECK_EXIT();
}
