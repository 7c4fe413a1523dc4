/* flood.c - benchmark guest: prints flood.mib=N MiB (default 16) of mixed text with colour and cursor escapes on COM1, then "FLOOD DONE". */
#include "lib/guest.h"

#define MIB (1024u * 1024u)

/* The number after "flood.mib=" on the command line, else 16. */
static unsigned flood_mib(void)
{
	static const char key[] = "flood.mib=";
	const char *s = bp_cmdline();
	unsigned v = 0;

	for (; *s; s++) {
		if (memcmp(s, key, sizeof(key) - 1))
			continue;
		for (s += sizeof(key) - 1; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (unsigned)(*s - '0');
		return v ? v : 16;
	}
	return 16;
}

void guest_main(void)
{
	static const char words[] = "lorem ipsum dolor sit amet, consectetur "
				    "adipiscing elit, sed do eiusmod tempor";
	uint64_t total = (uint64_t)flood_mib() * MIB, sent = 0;
	char line[256];
	unsigned n = 0;

	serial_init();
	while (sent < total) {
		/* colour, bold, a clear-to-end and a wide character: the
		 * mix a busy console shows (each '\n' goes out as "\r\n") */
		int len = ksnprintf(line, sizeof(line),
				    "\033[3%um%6u\033[0m \033[1m%s\033[0m "
				    "\xe4\xb8\xad \033[K%s\n", n % 8, n,
				    n % 3 ? "ok" : "warn", words);

		serial_write(line, (size_t)len);
		sent += (uint64_t)len + 1;
		n++;
	}
	kprintf("\nFLOOD DONE %u lines\n", n);
	acpi_poweroff();
}
