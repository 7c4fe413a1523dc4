/* console.h - a serial port's byte streams between a guest UART and the host. */
#ifndef HYVE_CONSOLE_H
#define HYVE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct console;

/*
 * Two single-producer/single-consumer rings: "out" carries guest output
 * (UART on a vCPU thread -> host reader), "in" carries host input (host
 * writer -> UART). wake_fd, if >= 0, is an eventfd signalled when output
 * arrives. Capacities are rounded up to powers of two.
 */
struct console *console_create(size_t out_cap, size_t in_cap, int wake_fd);
void console_destroy(struct console *con);

/* Guest side (device model). */
size_t console_out_space(struct console *con);
size_t console_out_put(struct console *con, const void *buf, size_t len);
/* Takes one byte of host input; returns 1, or 0 when none is waiting. */
int console_in_get(struct console *con, uint8_t *byte);
size_t console_in_pending(struct console *con);
/*
 * fn(arg) runs on a host thread after new input is queued, and after the
 * host took output while the guest side was waiting for room (see
 * console_out_space), so a device can resume transmitting.
 */
void console_set_notify(struct console *con, void (*fn)(void *), void *arg);

/* Host side. */
size_t console_out_get(struct console *con, void *buf, size_t len);
size_t console_in_put(struct console *con, const void *buf, size_t len);

#endif
