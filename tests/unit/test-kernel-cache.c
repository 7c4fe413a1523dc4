/* test-kernel-cache.c - the unpacked-kernel cache: round trip into guest RAM, keys, damaged entries, trimming. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tests/unit/scratch.h"
#include "vmm/kernel-cache.h"
#include "vmm/memory.h"

static struct guest_memory mem;
static char dir[256], cache[PATH_MAX], image[PATH_MAX];

/* A kernel of three segments with bss, filled with a pattern. */
static void fake_kernel(struct unpacked_kernel *uk, uint8_t seed)
{
	static const struct unpacked_segment seg[] = {
		{ 0x1000000, 0x200000, 0x200000 },
		{ 0x1400000, 0x12345, 0x80000 },
		{ 0x1600000, 0x1000, 0x300000 },
	};

	memset(uk, 0, sizeof(*uk));
	uk->segments = 3;
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *p = memory_gpa(&mem, seg[i].paddr, seg[i].memsz);

		uk->seg[i] = seg[i];
		for (uint64_t b = 0; b < seg[i].memsz; b++)
			p[b] = b < seg[i].filesz ? (uint8_t)(b * 7 + i + seed) : 0;
	}
	uk->entry = 0x1000000;
	uk->end = 0x1900000;
}

static bool same_as_fake(const struct unpacked_kernel *got, uint8_t seed)
{
	for (unsigned i = 0; i < got->segments; i++) {
		const struct unpacked_segment *s = &got->seg[i];
		const uint8_t *p = memory_gpa(&mem, s->paddr, s->memsz);

		for (uint64_t b = 0; b < s->memsz; b++)
			if (p[b] != (b < s->filesz ? (uint8_t)(b * 7 + i + seed) : 0))
				return false;
	}
	return true;
}

static void scribble(void)
{
	memset(memory_gpa(&mem, 0x1000000, 0x900000), 0xee, 0x900000);
}

static void test_round_trip(void)
{
	struct unpacked_kernel uk, got;
	struct stat st;

	CHECK(stat(image, &st) == 0, "stat");
	CHECK(kernel_cache_load(cache, &st, &mem, &got) == -ENOENT,
	      "a hit in an empty cache");
	fake_kernel(&uk, 1);
	CHECK(kernel_cache_store(cache, &st, &mem, &uk) == 0, "store");
	scribble();
	memset(&got, 0, sizeof(got));
	CHECK(kernel_cache_load(cache, &st, &mem, &got) == 0, "no hit");
	CHECK(got.segments == 3 && got.entry == uk.entry && got.end == uk.end,
	      "segments %u entry %#llx", got.segments,
	      (unsigned long long)got.entry);
	CHECK(same_as_fake(&got, 1), "guest RAM differs after a load");
}

/* A rewritten bzImage (new mtime and ctime) is not served from the cache. */
static void test_changed_image_misses(void)
{
	struct unpacked_kernel got;
	struct stat st;

	usleep(20000);	/* a later mtime and ctime */
	write_file(image, "another kernel");
	CHECK(stat(image, &st) == 0, "stat");
	CHECK(kernel_cache_load(cache, &st, &mem, &got) == -ENOENT,
	      "the old kernel was served for a changed image");
}

/* A truncated or scribbled entry is a miss, never a crash or a bad load. */
static void test_damaged_entries_miss(void)
{
	struct unpacked_kernel uk, got;
	struct stat st;
	char cmd[PATH_MAX + 256];

	CHECK(stat(image, &st) == 0, "stat");
	fake_kernel(&uk, 2);
	CHECK(kernel_cache_store(cache, &st, &mem, &uk) == 0, "store");
	snprintf(cmd, sizeof(cmd), "for f in %s/*.kernel; do "
		 "truncate -s 3000 \"$f\"; done", cache);
	CHECK(system(cmd) == 0, "truncate");
	CHECK(kernel_cache_load(cache, &st, &mem, &got) == -ENOENT,
	      "a truncated entry was loaded");
	CHECK(kernel_cache_store(cache, &st, &mem, &uk) == 0, "store");
	snprintf(cmd, sizeof(cmd), "for f in %s/*.kernel; do printf "
		 "'\\377\\377\\377\\377\\377\\377\\377\\377' | dd of=\"$f\" "
		 "bs=1 seek=96 conv=notrunc 2>/dev/null; done", cache);
	CHECK(system(cmd) == 0, "scribble");
	CHECK(kernel_cache_load(cache, &st, &mem, &got) == -ENOENT,
	      "an entry with a wild segment was loaded");
}

static unsigned count_entries(void)
{
	DIR *d = opendir(cache);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".kernel") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* Only the newest KERNEL_CACHE_KEEP kernels stay. */
static void test_trimmed_to_the_newest(void)
{
	struct unpacked_kernel uk;
	char other[PATH_MAX + 16];

	fake_kernel(&uk, 3);
	for (int i = 0; i < KERNEL_CACHE_KEEP + 3; i++) {
		struct stat st;

		snprintf(other, sizeof(other), "%s/k%d", dir, i);
		write_file(other, "k");
		CHECK(stat(other, &st) == 0, "stat");
		CHECK(kernel_cache_store(cache, &st, &mem, &uk) == 0, "store");
		usleep(2000);
	}
	CHECK(count_entries() == KERNEL_CACHE_KEEP, "%u entries, keep %d",
	      count_entries(), KERNEL_CACHE_KEEP);
}

static void test_cache_dir(void)
{
	char d[PATH_MAX];

	setenv("HYVE_KERNEL_CACHE", "/x/y", 1);
	CHECK(kernel_cache_dir(d, sizeof(d)) && !strcmp(d, "/x/y"), "%s", d);
	setenv("HYVE_KERNEL_CACHE", "", 1);
	CHECK(!kernel_cache_dir(d, sizeof(d)), "not turned off: %s", d);
	unsetenv("HYVE_KERNEL_CACHE");
	setenv("XDG_CACHE_HOME", "/c", 1);
	CHECK(kernel_cache_dir(d, sizeof(d)) && !strcmp(d, "/c/hyve/kernels"),
	      "%s", d);
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("HOME", "/h", 1);
	CHECK(kernel_cache_dir(d, sizeof(d)) &&
	      !strcmp(d, "/h/.cache/hyve/kernels"), "%s", d);
}

int main(void)
{
	if (memory_map(&mem, 64ULL << 20))
		return 1;
	scratch_make(dir, sizeof(dir), "kernel-cache");
	snprintf(cache, sizeof(cache), "%s/cache/hyve/kernels", dir);
	snprintf(image, sizeof(image), "%s/vmlinuz", dir);
	write_file(image, "a kernel");
	RUN_TEST(test_round_trip);
	RUN_TEST(test_changed_image_misses);
	RUN_TEST(test_damaged_entries_miss);
	RUN_TEST(test_trimmed_to_the_newest);
	RUN_TEST(test_cache_dir);
	memory_unmap(&mem);
	if (!check_failures)
		scratch_remove(dir);
	CHECK_EXIT();
}
