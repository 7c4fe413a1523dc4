/* compat.h - tiny helpers glibc lacks, kept in one place. */
#ifndef HYVE_COMPAT_H
#define HYVE_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)	ALIGN_DOWN((x) + (a) - 1, (a))

/* BSD strlcpy: copies at most size-1 bytes, always terminates, returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);

/* A growable NUL-terminated string; after a failed allocation oom stays set
 * and further appends are dropped. Zero-initialise; free s when done. */
struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void strbuf_add(struct strbuf *b, const void *p, size_t n);

/* Formats into a VM_ERR_MAX-style buffer and returns err (for one-liners). */
int err_set(char *err, size_t size, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * pthread_create with a small stack (VM threads need little), which also
 * keeps the kernel from backing the stack with a 2 MiB transparent huge
 * page. Returns 0 or -errno.
 */
#include <pthread.h>
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

#include <sys/types.h>
/* Exactly len bytes at off, through EINTR and short transfers: 0 or
 * -errno (-EIO at an early end of file). */
int pread_full(int fd, void *buf, size_t len, off_t off);
int pwrite_full(int fd, const void *buf, size_t len, off_t off);

/* Little-endian loads and stores on byte buffers (any alignment). */
static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t get_le64(const void *p)
{
	return get_le32(p) | (uint64_t)get_le32((const uint8_t *)p + 4) << 32;
}

static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(void *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16((uint8_t *)p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif
