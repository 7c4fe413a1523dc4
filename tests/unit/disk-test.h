/* disk-test.h - helpers shared by the disk unit tests: scratch folders, configs, a seeded PRNG, a reference model. */
#ifndef HYVE_DISK_TEST_H
#define HYVE_DISK_TEST_H

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/disk.h"
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

static inline int rm_one(const char *path, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh scratch folder under $TMPDIR (or /tmp). */
static inline void scratch_make(char *dir, size_t size)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, size, "%s/hyve-disk-test.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline void scratch_remove(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
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

/* Reads a whole file; NULL if missing. */
static inline uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static inline int spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len)
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc;
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
