/* scrub.c - writes once to every page of N MiB of fresh memory, then frees it (benchmark hygiene in TCG-emulated L1). */

/*
 * usage: scrub MIB
 *
 * In the sandbox, L1 is emulated by TCG. A page of L1 memory that last held
 * code the emulator translated (any guest's kernel, booted by an earlier
 * benchmark run) is slow to write again: the first write to it makes TCG
 * throw that translated code away, and Linux writes every page it hands
 * out. A VMM started right after another one gets such pages and pays for
 * its predecessor's code, up to several times the cost of a clean page.
 * Writing and freeing more memory than one VMM run uses leaves clean pages
 * on top of L1's free lists, so each timed run starts from the same state,
 * whichever VMM ran before it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char *end = NULL;
	unsigned long mib = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	size_t len, page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p;

	if (mib == 0 || mib > (1UL << 20) || *end) {
		fprintf(stderr, "usage: scrub MIB\n");
		return 2;
	}
	len = (size_t)mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("scrub: mmap");
		return 1;
	}
	for (size_t off = 0; off < len; off += page)
		p[off] = 1;
	munmap((void *)p, len);
	return 0;
}
