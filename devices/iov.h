/* iov.h - small helpers over struct iovec arrays that point into guest RAM: gather, scatter, trim. */
#ifndef HYVE_IOV_H
#define HYVE_IOV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Copies up to len bytes, from skip bytes into iov, to dst; the count. */
size_t iov_gather(const struct iovec *iov, unsigned n, uint64_t skip, void *dst,
		  size_t len);

/* Copies up to len bytes of src into iov from its start; returns the count. */
size_t iov_scatter(const struct iovec *iov, unsigned n, const void *src,
		   size_t len);

/*
 * Drops the first skip bytes of (*iov, *n) in place (the first remaining
 * iovec is adjusted, *iov moves past emptied ones). skip must not exceed
 * the total length.
 */
void iov_drop_front(struct iovec **iov, unsigned *n, uint64_t skip);

/* Drops the last byte of (iov, *n) in place; nothing if empty. */
void iov_drop_last_byte(struct iovec *iov, unsigned *n);

#endif
