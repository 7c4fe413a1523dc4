/* iov.c - gather, scatter and trim over iovec arrays (used on guest buffers by the virtio devices). */
#include <string.h>

#include "devices/iov.h"
#include "vmm/compat.h"

size_t
iov_gather(const struct iovec *iov, unsigned n, uint64_t skip, void *dst,
	   size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = MIN(iov[i].iov_len - skip, len - done);
		memcpy(out + done, (const uint8_t *)iov[i].iov_base + skip,
		       take);
		done += take;
		skip = 0;
	}
	return done;
}

size_t
iov_scatter(const struct iovec *iov, unsigned n, const void *src, size_t len)
{
	const uint8_t *in = src;
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t take = MIN(iov[i].iov_len, len - done);

		memcpy(iov[i].iov_base, in + done, take);
		done += take;
	}
	return done;
}

void
iov_drop_front(struct iovec **iov, unsigned *n, uint64_t skip)
{
	while (*n && skip >= (*iov)->iov_len) {
		skip -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n && skip) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + skip;
		(*iov)->iov_len -= skip;
	}
}

void
iov_drop_last_byte(struct iovec *iov, unsigned *n)
{
	if (!*n)
		return;
	if (--iov[*n - 1].iov_len == 0)
		(*n)--;
}
