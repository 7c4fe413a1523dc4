/* test-disk-crash.c - kill -9 an xhyve-sparse writer at random points, 220 times: flushed data intact, every sector old or new, never garbage. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "tests/unit/check.h"
#include "tests/unit/disk-test.h"

#define SIZE		(512u << 10)
#define SPLIT		(128u << 10)
#define ROUNDS		110	/* per sector size: 220 kills in all */
#define MAGIC		0x48797665u

static uint64_t seed;

/*
 * Operation number i (from 1) is a pure function of the seed: the parent
 * recomputes what the child did. It writes or discards count sectors from
 * first. Sector s written by operation i holds block(i, s).
 */
struct op {
	bool discard;
	uint64_t first, count;
};

static struct op op_of(uint64_t i, uint64_t sectors)
{
	uint64_t st = seed ^ (i * 0x9e3779b97f4a7c15ull), h = rng_next(&st);
	struct op o = { .discard = h % 8 == 0 };

	o.first = (h >> 8) % sectors;
	o.count = MIN(1 + (h >> 40) % 3, sectors - o.first);
	return o;
}

static void block(uint8_t *buf, unsigned ss, uint64_t i, uint64_t s)
{
	uint64_t st = i * 65537 + s;

	for (unsigned k = 0; k < ss; k++)
		buf[k] = (uint8_t)rng_next(&st);
	put_le32(buf, MAGIC);
	put_le32(buf + 4, (uint32_t)i);
	put_le32(buf + 8, (uint32_t)s);
}

/* Child -> parent: 'B' n = ops below n may run now; 'F' n = flushed below n. */
struct note {
	char kind;
	uint64_t n;
};

static void child(struct vm_disk_config c, uint64_t next, int out)
{
	uint64_t sectors = SIZE / c.sectorsize, rng = next * 31 + seed;
	uint8_t *buf = malloc(3 * c.sectorsize);
	char err[VM_ERR_MAX];
	struct disk *d;

	c.size = 0;
	if (disk_open(&c, &d, err)) {
		fprintf(stderr, "child: %s\n", err);
		_exit(2);
	}
	for (;;) {
		struct note b = { 'B', next + 1 + rng_below(&rng, 12) };

		if (write(out, &b, sizeof(b)) != sizeof(b))
			_exit(3);
		for (; next < b.n; next++) {
			struct op o = op_of(next, sectors);
			struct iovec v = { buf, o.count * c.sectorsize };
			int rc;

			for (uint64_t k = 0; k < o.count; k++)
				block(buf + k * c.sectorsize, c.sectorsize,
				      next, o.first + k);
			rc = o.discard ? disk_discard(d, o.first * c.sectorsize,
						      v.iov_len)
				       : disk_write(d, o.first * c.sectorsize,
						    &v, 1);
			if (rc)
				_exit(4);
		}
		if (disk_flush(d))
			_exit(5);
		b.kind = 'F';
		if (write(out, &b, sizeof(b)) != sizeof(b))
			_exit(3);
	}
}

/* What a sector holds: 0 for zeros, the writing op, or -1 for garbage. */
static int64_t identify(const uint8_t *data, unsigned ss, uint64_t s,
			uint8_t *scratch_block)
{
	uint64_t i;

	for (unsigned k = 0; k < ss; k++)
		if (data[k])
			goto nonzero;
	return 0;
nonzero:
	if (get_le32(data) != MAGIC || get_le32(data + 8) != s)
		return -1;
	i = get_le32(data + 4);
	block(scratch_block, ss, i, s);
	return memcmp(scratch_block, data, ss) ? -1 : (int64_t)i;
}

struct crash_state {
	struct vm_disk_config cfg;
	uint64_t sectors, next;
	uint64_t *baseline;	/* per sector: 0 zeros, else the op in it */
	int64_t *must;
	uint8_t *zero_ok;
	unsigned failures;
};

/* One round: run, kill, then check the image against the child's notes. */
static void crash_round(struct crash_state *cs, uint64_t *rng)
{
	unsigned ss = cs->cfg.sectorsize;
	uint64_t start = cs->next, flushed = start, announced = start;
	uint8_t *all, *tmp = malloc(ss);
	char err[VM_ERR_MAX];
	struct note n;
	struct disk *d;
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(cs->cfg, start, p[1]);
	}
	close(p[1]);
	usleep((useconds_t)rng_below(rng, 25000));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	while (read(p[0], &n, sizeof(n)) == sizeof(n)) {
		if (n.kind == 'B')
			announced = MAX(announced, n.n);
		else
			flushed = MAX(flushed, n.n);
	}
	close(p[0]);
	if (!WIFSIGNALED(status)) {
		CHECK(0, "child ended by itself: status %#x", status);
		cs->failures++;
	}

	/* what must be there: the baseline, then every op below flushed */
	for (uint64_t s = 0; s < cs->sectors; s++) {
		cs->must[s] = (int64_t)cs->baseline[s];
		cs->zero_ok[s] = 0;
	}
	for (uint64_t i = start; i < announced; i++) {
		struct op o = op_of(i, cs->sectors);

		for (uint64_t s = o.first; s < o.first + o.count; s++) {
			if (i < flushed)
				cs->must[s] = o.discard ? 0 : (int64_t)i;
			else if (o.discard)
				cs->zero_ok[s] = 1;
		}
	}
	if (disk_open(&cs->cfg, &d, err)) {
		CHECK(0, "reopen after kill (ops %llu..%llu): %s",
		      (unsigned long long)start, (unsigned long long)announced,
		      err);
		cs->failures++;
		free(tmp);
		return;
	}
	all = disk_slurp(d);
	for (uint64_t s = 0; all && s < cs->sectors; s++) {
		int64_t got = identify(all + s * ss, ss, s, tmp);
		bool ok;

		if (got < 0)
			ok = false;
		else if (got == cs->must[s])
			ok = true;
		else if (got == 0)
			ok = cs->zero_ok[s];
		else {	/* a newer write to this very sector */
			struct op o = op_of((uint64_t)got, cs->sectors);

			ok = (uint64_t)got >= flushed &&
			     (uint64_t)got < announced && !o.discard &&
			     s >= o.first && s < o.first + o.count;
		}
		if (!ok && cs->failures++ < 5)
			CHECK(0, "ss %u sector %llu holds %s %lld, must be %lld "
			      "(flushed below op %llu, ran up to %llu; seed "
			      "%#llx)", ss, (unsigned long long)s,
			      got < 0 ? "garbage" : "op", (long long)got,
			      (long long)cs->must[s],
			      (unsigned long long)flushed,
			      (unsigned long long)announced,
			      (unsigned long long)seed);
		cs->baseline[s] = got < 0 ? 0 : (uint64_t)got;
	}
	free(all);
	disk_close(d);	/* flushes: what we found is the new baseline */
	cs->next = announced;
	free(tmp);
}

static char scratch[256];

static void crash_case(unsigned ss)
{
	struct crash_state cs = { 0 };
	char path[PATH_MAX], err[VM_ERR_MAX];
	uint64_t rng = seed + ss;
	struct disk *d;

	snprintf(path, sizeof(path), "%s/crash-%u", scratch, ss);
	cs.cfg = disk_cfg(path, VM_DISK_XHYVE_SPARSE, SIZE, SPLIT, ss, false,
			  VM_CACHE_WRITEBACK);
	if (disk_open(&cs.cfg, &d, err)) {
		CHECK(0, "create: %s", err);
		return;
	}
	disk_close(d);
	cs.cfg.size = 0;
	cs.sectors = SIZE / ss;
	cs.next = 1;
	cs.baseline = calloc(cs.sectors, sizeof(*cs.baseline));
	cs.must = calloc(cs.sectors, sizeof(*cs.must));
	cs.zero_ok = calloc(cs.sectors, 1);
	for (int r = 0; r < ROUNDS && cs.failures == 0; r++)
		crash_round(&cs, &rng);
	CHECK(cs.failures == 0, "ss %u: %u bad sectors or rounds", ss,
	      cs.failures);
	CHECK(cs.next > ROUNDS / 4, "ss %u: the children hardly ran (%llu ops)",
	      ss, (unsigned long long)cs.next);
	printf("ss %u: %d kills, %llu operations\n", ss, ROUNDS,
	       (unsigned long long)cs.next - 1);
	free(cs.baseline);
	free(cs.must);
	free(cs.zero_ok);
}

static void test_kill9_sparse_512(void)
{
	crash_case(512);
}

static void test_kill9_sparse_4096(void)
{
	crash_case(4096);
}

int main(void)
{
	seed = test_seed();
	printf("seed %#llx (rerun with HYVE_TEST_SEED=%#llx)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	scratch_make(scratch, sizeof(scratch), "disk-test");
	RUN_TEST(test_kill9_sparse_512);
	RUN_TEST(test_kill9_sparse_4096);
	scratch_remove(scratch);
	CHECK_EXIT();
}
