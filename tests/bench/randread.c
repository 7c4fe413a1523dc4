/* randread.c - 4 KiB random-read IOPS of a block device with O_DIRECT, queue depth 1 (static; runs inside the benchmark's L2 guest). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 10, t0, t;
	uint64_t size = 0, blocks, x = 88172645463325252ull, n = 0;
	void *buf;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: randread DEVICE [SECONDS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0 || size < BLOCK) {
		perror(argv[1]);
		return 1;
	}
	if (posix_memalign(&buf, BLOCK, BLOCK))
		return 1;
	blocks = size / BLOCK;
	t0 = now();
	do {
		for (int i = 0; i < 64; i++, n++) {
			x ^= x << 13;	/* xorshift64: no libc rand state */
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, BLOCK, (off_t)(x % blocks) * BLOCK) !=
			    BLOCK) {
				perror("pread");
				return 1;
			}
		}
		t = now() - t0;
	} while (t < secs);
	printf("RANDREAD-IOPS=%.0f\n", n / t);
	return 0;
}
