/* disk-test.h - helpers shared by the disk unit tests: configs, a seeded PRNG, a reference model (scratch folders and files come from scratch.h). */
#ifndef HYVE_DISK_TEST_H
#define HYVE_DISK_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/disk.h"
#include "tests/unit/scratch.h"
#include "vmm/compat.h"

/* splitmix64: small, seedable, good enough to pick test operations. */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

/* The seed: $HYVE_TEST_SEED, else the clock. Printed by the caller on failure. */
static inline uint64_t test_seed(void)
{
	const char *s = getenv("HYVE_TEST_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

static inline struct vm_disk_config disk_cfg(const char *path,
					     enum vm_disk_format format,
					     uint64_t size, uint64_t split,
					     unsigned ss, bool readonly,
					     enum vm_disk_cache cache)
{
	struct vm_disk_config c;

	memset(&c, 0, sizeof(c));
	str_copy(c.name, "test", sizeof(c.name));
	str_copy(c.path, path, sizeof(c.path));
	c.format = format;
	c.size = size;
	c.split = split;
	c.sectorsize = ss;
	c.readonly = readonly;
	c.cache = cache;
	return c;
}

static inline const char *cache_name(enum vm_disk_cache c)
{
	return c == VM_CACHE_DIRECT ? "direct"
	       : c == VM_CACHE_WRITETHROUGH ? "writethrough" : "writeback";
}

/* Reads the whole disk into a new buffer; NULL on error. */
static inline uint8_t *disk_slurp(struct disk *d)
{
	uint64_t size = disk_size(d);
	uint8_t *buf = malloc(size);
	struct iovec v = { buf, size };

	if (buf && disk_read(d, 0, &v, 1)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Index of the first differing byte, or -1. */
static inline long first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

#endif
