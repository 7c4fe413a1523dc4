/* console.c - lock-free single-producer/single-consumer byte rings for serial ports. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compat.h"
#include "vmm/console.h"

struct ring {
	uint8_t *buf;
	size_t mask;
	_Atomic size_t head;	/* written by the producer */
	_Atomic size_t tail;	/* written by the consumer */
};

struct console {
	struct ring out, in;
	int wake_fd;
	_Atomic bool out_blocked;	/* the guest side found no room */
	pthread_mutex_t notify_lock;
	void (*notify)(void *);
	void *notify_arg;
};

static int ring_init(struct ring *r, size_t cap)
{
	size_t size = 1;

	while (size < cap)
		size <<= 1;
	r->buf = malloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->mask = size - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

static size_t ring_used(struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

static size_t ring_space(struct ring *r)
{
	return r->mask + 1 - ring_used(r);
}

/* Producer side; returns bytes stored and whether the ring was empty. */
static size_t ring_put(struct ring *r, const void *src, size_t len,
		       int *was_empty)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t space = r->mask + 1 - (head - tail);
	const uint8_t *p = src;
	size_t n = MIN(len, space);

	for (size_t i = 0; i < n; i++)
		r->buf[(head + i) & r->mask] = p[i];
	atomic_store_explicit(&r->head, head + n, memory_order_seq_cst);
	/*
	 * "Empty" is judged after publishing: a consumer that read the old
	 * head and stored its tail since may be going to sleep, and only a
	 * tail read now sees that (one read before the store could miss it,
	 * and the wake-up with it).
	 */
	if (was_empty)
		*was_empty = atomic_load_explicit(&r->tail,
					memory_order_seq_cst) == head;
	return n;
}

static size_t ring_get(struct ring *r, void *dst, size_t len)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint8_t *p = dst;
	size_t n = MIN(len, head - tail);

	for (size_t i = 0; i < n; i++)
		p[i] = r->buf[(tail + i) & r->mask];
	atomic_store_explicit(&r->tail, tail + n, memory_order_seq_cst);
	return n;
}

struct console *console_create(size_t out_cap, size_t in_cap, int wake_fd)
{
	struct console *con = calloc(1, sizeof(*con));

	if (!con)
		return NULL;
	if (ring_init(&con->out, out_cap) || ring_init(&con->in, in_cap)) {
		free(con->out.buf);
		free(con);
		return NULL;
	}
	con->wake_fd = wake_fd;
	pthread_mutex_init(&con->notify_lock, NULL);
	return con;
}

void console_destroy(struct console *con)
{
	if (!con)
		return;
	pthread_mutex_destroy(&con->notify_lock);
	free(con->out.buf);
	free(con->in.buf);
	free(con);
}

size_t console_out_space(struct console *con)
{
	size_t space = ring_space(&con->out);

	if (space)
		return space;
	/* Ask the host side to notify us when it makes room, then look again
	 * in case it did so in between. */
	atomic_store(&con->out_blocked, true);
	return ring_space(&con->out);
}

static void console_notify(struct console *con)
{
	pthread_mutex_lock(&con->notify_lock);
	if (con->notify)
		con->notify(con->notify_arg);
	pthread_mutex_unlock(&con->notify_lock);
}

static void console_wake(struct console *con)
{
	uint64_t one = 1;
	ssize_t r;

	if (con->wake_fd < 0)
		return;
	r = write(con->wake_fd, &one, sizeof(one));
	(void)r;	/* a full eventfd is already readable */
}

size_t console_out_put(struct console *con, const void *buf, size_t len)
{
	int was_empty = 0;
	size_t n = ring_put(&con->out, buf, len, &was_empty);

	if (n && was_empty)
		console_wake(con);
	return n;
}

int console_in_get(struct console *con, uint8_t *byte)
{
	return ring_get(&con->in, byte, 1) == 1;
}

size_t console_in_pending(struct console *con)
{
	return ring_used(&con->in);
}

void console_set_notify(struct console *con, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&con->notify_lock);
	con->notify = fn;
	con->notify_arg = arg;
	pthread_mutex_unlock(&con->notify_lock);
}

size_t console_out_get(struct console *con, void *buf, size_t len)
{
	size_t n = ring_get(&con->out, buf, len);

	if (n && atomic_exchange(&con->out_blocked, false))
		console_notify(con);
	/* The guest side wakes the host only when it finds the ring empty:
	 * bytes still there now (left behind by a reader taking slices, or
	 * put while this read ran) would wait for output that may never
	 * come, so the reader is woken again for them. */
	if (ring_used(&con->out))
		console_wake(con);
	return n;
}

size_t console_in_put(struct console *con, const void *buf, size_t len)
{
	size_t n = ring_put(&con->in, buf, len, NULL);

	if (n)
		console_notify(con);
	return n;
}
