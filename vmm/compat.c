/* compat.c - tiny helpers glibc lacks (strlcpy-like copy, error formatting). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compat.h"

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
	size_t cap;
	char *t;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		t = realloc(b->s, cap);
		if (!t) {
			b->oom = true;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

int err_set(char *err, size_t size, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && size) {
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#define THREAD_STACK_SIZE (256 * 1024)

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int rc;

	if (pthread_attr_init(&attr))
		return -ENOMEM;
	pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
	rc = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -rc;
}

/* The loop behind pread_full and pwrite_full (p is only read when writing). */
static int pio_full(int fd, uint8_t *p, size_t len, off_t off, bool write)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, off) :
				    pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int pread_full(int fd, void *buf, size_t len, off_t off)
{
	return pio_full(fd, buf, len, off, false);
}

int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	return pio_full(fd, (uint8_t *)buf, len, off, true);
}
