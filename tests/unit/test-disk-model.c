/* test-disk-model.c - raw and xhyve-sparse images against an in-memory reference copy: random I/O, reopen, threads. */
#include <pthread.h>

#include "tests/unit/check.h"
#include "tests/unit/disk-test.h"

#define UNIT	512u
#define MAX_IO	(96u * 1024)

static uint64_t seed;

struct model_run {
	const char *what;
	struct vm_disk_config cfg;
	struct disk *d;
	uint8_t *ref;		/* what the disk must hold */
	uint8_t *mapped;	/* sparse: per sector, whether it holds a slot */
	uint64_t size;
	uint64_t rng;
	uint64_t reads, changes;
};

/* A buffer of len bytes cut into 1..4 iovecs at odd addresses and lengths. */
struct scatter {
	uint8_t *mem;
	struct iovec iov[4];
	int n;
};

static void scatter_make(struct scatter *s, uint64_t *rng, size_t len)
{
	size_t at = 0, pad = (size_t)rng_below(rng, 8);

	s->mem = malloc(len + pad + 4 * 8);
	s->n = (int)rng_below(rng, 4) + 1;
	for (int i = 0; i < s->n; i++) {
		size_t left = len - at;
		size_t n = i == s->n - 1 ? left : (size_t)rng_below(rng, left + 1);

		if (i < s->n - 1 && !rng_below(rng, 3)) /* sector-sized */
			n = ALIGN_DOWN(n, (size_t)UNIT);
		s->iov[i].iov_base = s->mem + pad + at + (size_t)i * 8;
		s->iov[i].iov_len = n;
		at += n;
	}
}

static void scatter_fill(struct scatter *s, const uint8_t *src)
{
	for (int i = 0; i < s->n; i++) {
		memcpy(s->iov[i].iov_base, src, s->iov[i].iov_len);
		src += s->iov[i].iov_len;
	}
}

static bool scatter_equals(const struct scatter *s, const uint8_t *want)
{
	for (int i = 0; i < s->n; i++) {
		if (memcmp(s->iov[i].iov_base, want, s->iov[i].iov_len))
			return false;
		want += s->iov[i].iov_len;
	}
	return true;
}

static bool model_open(struct model_run *m)
{
	char err[VM_ERR_MAX] = "";
	int rc = disk_open(&m->cfg, &m->d, err);

	CHECK(rc == 0, "%s: open: %s (seed %#llx)", m->what, err,
	      (unsigned long long)seed);
	return rc == 0;
}

/* A random range: sector-aligned mostly, crossing segments sometimes. */
static void model_range(struct model_run *m, uint64_t *off, uint64_t *len)
{
	uint64_t units = m->size / UNIT;

	*len = (rng_below(&m->rng, MAX_IO / UNIT) + 1) * UNIT;
	if (rng_below(&m->rng, 4) == 0)
		*len = UNIT * (rng_below(&m->rng, 3) + 1);
	*off = rng_below(&m->rng, units) * UNIT;
	if (rng_below(&m->rng, 2) && m->cfg.split) {	/* near a border */
		uint64_t border = (rng_below(&m->rng, m->size / m->cfg.split) +
				   1) * m->cfg.split;

		*off = border > *len / 2 ? ALIGN_DOWN(border - *len / 2,
						      (uint64_t)UNIT) : 0;
	}
	if (*off + *len > m->size)
		*len = m->size - *off;
	if (!*len) {
		*off = 0;
		*len = UNIT;
	}
}

/* The sparse model: sectors written get a slot, wholly zeroed ones lose it. */
static void model_map(struct model_run *m, uint64_t off, uint64_t len,
		      bool zero)
{
	uint64_t ss = m->cfg.sectorsize;

	for (uint64_t s = off / ss; s < (off + len + ss - 1) / ss; s++) {
		bool whole = s * ss >= off && (s + 1) * ss <= off + len;

		m->mapped[s] = !(zero && whole);
	}
}

static void model_step(struct model_run *m)
{
	uint64_t op = rng_below(&m->rng, 100), off, len;
	struct scatter sc;
	int rc;

	model_range(m, &off, &len);
	if (op < 40) {
		uint8_t *data = malloc(len);

		for (uint64_t i = 0; i < len; i++)
			data[i] = (uint8_t)rng_next(&m->rng);
		if (rng_below(&m->rng, 10) == 0)
			memset(data, 0, len);	/* zeros are data too */
		scatter_make(&sc, &m->rng, len);
		scatter_fill(&sc, data);
		rc = disk_write(m->d, off, sc.iov, sc.n);
		CHECK(rc == 0, "%s: write %#llx+%#llx: %d (seed %#llx)",
		      m->what, (unsigned long long)off,
		      (unsigned long long)len, rc, (unsigned long long)seed);
		memcpy(m->ref + off, data, len);
		model_map(m, off, len, false);
		m->changes++;
		free(sc.mem);
		free(data);
	} else if (op < 80) {
		scatter_make(&sc, &m->rng, len);
		rc = disk_read(m->d, off, sc.iov, sc.n);
		CHECK(rc == 0 && scatter_equals(&sc, m->ref + off),
		      "%s: read %#llx+%#llx: rc %d or wrong data (seed %#llx)",
		      m->what, (unsigned long long)off,
		      (unsigned long long)len, rc, (unsigned long long)seed);
		m->reads++;
		free(sc.mem);
	} else if (op < 92) {
		rc = op < 86 ? disk_discard(m->d, off, len)
			     : disk_write_zeroes(m->d, off, len);
		CHECK(rc == 0, "%s: zero %#llx+%#llx: %d (seed %#llx)", m->what,
		      (unsigned long long)off, (unsigned long long)len, rc,
		      (unsigned long long)seed);
		memset(m->ref + off, 0, len);
		model_map(m, off, len, true);
		m->changes++;
	} else if (op < 98) {
		rc = disk_flush(m->d);
		CHECK(rc == 0, "%s: flush: %d", m->what, rc);
	} else {
		disk_close(m->d);
		m->d = NULL;
		m->reads = m->changes = 0;
		model_open(m);
	}
}

/* The whole disk equals the model; sparse usage counts the model's slots. */
static void model_compare(struct model_run *m, const char *when)
{
	uint8_t *all = disk_slurp(m->d);
	struct disk_usage u;
	long at;

	CHECK(all != NULL, "%s: %s: reading the whole disk failed", m->what,
	      when);
	if (!all)
		return;
	at = first_diff(all, m->ref, m->size);
	CHECK(at < 0, "%s: %s: byte %#lx differs from the model (seed %#llx)",
	      m->what, when, at, (unsigned long long)seed);
	free(all);
	disk_usage(m->d, &u);
	CHECK_EQ(u.virtual_size, m->size);
	CHECK(u.rd_ops == m->reads + 1 && u.wr_ops == m->changes,
	      "%s: %s: counters rd %llu wr %llu, expected %llu %llu", m->what,
	      when, (unsigned long long)u.rd_ops,
	      (unsigned long long)u.wr_ops,
	      (unsigned long long)m->reads + 1,
	      (unsigned long long)m->changes);
	if (m->cfg.format == VM_DISK_XHYVE_SPARSE) {
		uint64_t ss = m->cfg.sectorsize, want = 0;

		for (uint64_t s = 0; s < m->size / ss; s++)
			want += m->mapped[s] * ss;
		CHECK(u.allocated == want,
		      "%s: %s: allocated %llu, the model says %llu (seed "
		      "%#llx)", m->what, when,
		      (unsigned long long)u.allocated,
		      (unsigned long long)want, (unsigned long long)seed);
	}
}

static char scratch[256];

static void model_case(enum vm_disk_format fmt, unsigned ss,
		       uint64_t split, enum vm_disk_cache cache, unsigned ops)
{
	struct model_run m = { 0 };
	char path[PATH_MAX], what[160];

	snprintf(path, sizeof(path), "%s/img-%s-%u-%llu-%s", scratch,
		 fmt == VM_DISK_RAW ? "raw" : "sparse", ss,
		 (unsigned long long)split, cache_name(cache));
	snprintf(what, sizeof(what), "%s ss=%u split=%llu cache=%s",
		 fmt == VM_DISK_RAW ? "raw" : "xhyve-sparse", ss,
		 (unsigned long long)split, cache_name(cache));
	m.what = what;
	m.size = 2u << 20;
	m.cfg = disk_cfg(path, fmt, m.size, split, ss, false, cache);
	m.ref = calloc(1, m.size);
	m.mapped = calloc(m.size / ss, 1);
	m.rng = seed ^ (fmt * 7 + ss + split + cache * 13);
	if (model_open(&m)) {
		for (unsigned i = 0; i < ops && m.d; i++)
			model_step(&m);
		if (m.d) {
			model_compare(&m, "after the random operations");
			disk_close(m.d);
			m.d = NULL;
		}
		m.cfg.size = 0;	/* reopen as an existing image */
		m.reads = m.changes = 0;
		if (model_open(&m)) {
			model_compare(&m, "after close and reopen");
			disk_close(m.d);
		}
	}
	free(m.ref);
	free(m.mapped);
}

static void test_raw_model(void)
{
	model_case(VM_DISK_RAW, 512, 0, VM_CACHE_WRITEBACK, 3000);
	model_case(VM_DISK_RAW, 4096, 0, VM_CACHE_WRITEBACK, 3000);
}

static void test_sparse_model(void)
{
	model_case(VM_DISK_XHYVE_SPARSE, 512, 512 * 1024,
		   VM_CACHE_WRITEBACK, 3000);
	model_case(VM_DISK_XHYVE_SPARSE, 4096, 512 * 1024,
		   VM_CACHE_WRITEBACK, 3000);
	model_case(VM_DISK_XHYVE_SPARSE, 4096, 0, VM_CACHE_WRITEBACK,
		   1500);
}

static void test_cache_modes_model(void)
{
	for (unsigned ss = 512; ss <= 4096; ss *= 8) {
		model_case(VM_DISK_RAW, ss, 0, VM_CACHE_DIRECT, 600);
		model_case(VM_DISK_RAW, ss, 0, VM_CACHE_WRITETHROUGH,
			   300);
		model_case(VM_DISK_XHYVE_SPARSE, ss, 256 * 1024,
			   VM_CACHE_DIRECT, 600);
		model_case(VM_DISK_XHYVE_SPARSE, ss, 256 * 1024,
			   VM_CACHE_WRITETHROUGH, 200);
	}
}

/*
 * Threads: each owns every 4th 512-byte unit, so with 4096-byte sectors
 * (sparse) or blocks (O_DIRECT) they read-modify-write the same sectors
 * at once; a lost update shows in the final compare. A fifth thread
 * flushes all along (sparse commits race with the writers).
 */
#define THREADS		4
#define THREAD_UNITS	1024	/* 512 KiB disk */

struct worker {
	struct disk *d;
	uint8_t *ref;
	int id;
	uint64_t rng;
	int failures;
	volatile int *stop;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[UNIT];

	for (int i = 0; i < 1500; i++) {
		uint64_t u = rng_below(&w->rng, THREAD_UNITS / THREADS) *
				     THREADS + (uint64_t)w->id;
		struct iovec v = { buf, UNIT };
		uint64_t op = rng_below(&w->rng, 10);

		if (op < 6) {
			memset(buf, (int)rng_next(&w->rng) | 1, UNIT);
			if (disk_write(w->d, u * UNIT, &v, 1))
				w->failures++;
			memcpy(w->ref + u * UNIT, buf, UNIT);
		} else if (op < 9) {
			if (disk_read(w->d, u * UNIT, &v, 1) ||
			    memcmp(buf, w->ref + u * UNIT, UNIT))
				w->failures++;
		} else {
			if (disk_discard(w->d, u * UNIT, UNIT))
				w->failures++;
			memset(w->ref + u * UNIT, 0, UNIT);
		}
	}
	return NULL;
}

static void *flusher_run(void *arg)
{
	struct worker *w = arg;

	while (!*w->stop) {
		if (disk_flush(w->d))
			w->failures++;
		usleep(200);
	}
	return NULL;
}

static void threads_case(enum vm_disk_format fmt, unsigned ss,
			 enum vm_disk_cache cache)
{
	char path[PATH_MAX], err[VM_ERR_MAX] = "";
	uint64_t size = THREAD_UNITS * UNIT;
	struct vm_disk_config cfg;
	struct worker w[THREADS + 1];
	pthread_t t[THREADS + 1];
	uint8_t *ref = calloc(1, size), *all;
	volatile int stop = 0;
	struct disk *d;
	int failures = 0;

	snprintf(path, sizeof(path), "%s/threads-%d-%u-%d", scratch, fmt, ss,
		 cache);
	cfg = disk_cfg(path, fmt, size, fmt == VM_DISK_RAW ? 0 : 128 * 1024,
		       ss, false, cache);
	if (disk_open(&cfg, &d, err)) {
		CHECK(0, "open: %s", err);
		free(ref);
		return;
	}
	for (int i = 0; i <= THREADS; i++) {
		w[i] = (struct worker){ .d = d, .ref = ref, .id = i,
					.rng = seed + (uint64_t)i * 977,
					.stop = &stop };
		pthread_create(&t[i], NULL, i < THREADS ? worker_run
							: flusher_run, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	stop = 1;
	pthread_join(t[THREADS], NULL);
	for (int i = 0; i <= THREADS; i++)
		failures += w[i].failures;
	CHECK(failures == 0, "format %d ss %u cache %s: %d failed requests or "
	      "wrong reads (seed %#llx)", fmt, ss, cache_name(cache), failures,
	      (unsigned long long)seed);
	disk_close(d);
	cfg.size = 0;
	if (disk_open(&cfg, &d, err)) {
		CHECK(0, "reopen: %s", err);
	} else {
		all = disk_slurp(d);
		CHECK(all && first_diff(all, ref, size) < 0,
		      "format %d ss %u cache %s: byte %ld differs after "
		      "concurrent I/O (seed %#llx)", fmt, ss,
		      cache_name(cache), all ? first_diff(all, ref, size) : -1,
		      (unsigned long long)seed);
		free(all);
		disk_close(d);
	}
	free(ref);
}

static void test_threads(void)
{
	threads_case(VM_DISK_XHYVE_SPARSE, 4096, VM_CACHE_WRITEBACK);
	threads_case(VM_DISK_XHYVE_SPARSE, 512, VM_CACHE_WRITEBACK);
	threads_case(VM_DISK_RAW, 512, VM_CACHE_DIRECT);
	threads_case(VM_DISK_RAW, 4096, VM_CACHE_WRITEBACK);
}

int main(void)
{
	seed = test_seed();
	printf("seed %#llx (rerun with HYVE_TEST_SEED=%#llx)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	scratch_make(scratch, sizeof(scratch), "disk-test");
	RUN_TEST(test_raw_model);
	RUN_TEST(test_sparse_model);
	RUN_TEST(test_cache_modes_model);
	RUN_TEST(test_threads);
	scratch_remove(scratch);
	CHECK_EXIT();
}
