/* demo.c - hyve's demo guest: a tiny kernel with a prompt on COM1 (help, cpus, mem, disk, read, write, poweroff), booted through the Linux boot protocol. */
#include "lib/guest.h"

#define LINE_MAX	128
#define E820_RAM	1
#define BLOCK_MAX	4096	/* the largest logical block the demo handles */
#define SHOW_MAX	200	/* bytes of a block `read` prints */

static struct madt_info madt;
static uint8_t block[BLOCK_MAX] __attribute__((aligned(4096)));

static void demo_poweroff(void)
{
	kprintf("\ndemo: powering off\n");
	acpi_poweroff();
}

static void cmd_help(const char *args)
{
	static const char *const lines[] = {
		"help           this list",
		"cpus           how many CPUs the firmware tables list",
		"mem            the RAM in the e820 map",
		"disk           the virtio disk's size and block size",
		"write N TEXT   store TEXT in block N of the disk",
		"read N         show the text in block N",
		"poweroff       power off through ACPI (so does the power "
		"button)",
	};

	/* a line per kprintf: its buffer holds 256 bytes */
	kprintf("commands:\n");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		kprintf("  %s\n", lines[i]);
}

static void cmd_poweroff(const char *args)
{
	demo_poweroff();
}

static void cmd_cpus(const char *args)
{
	kprintf("%u CPU(s), local APIC IDs:", madt.ncpus);
	for (unsigned i = 0; i < madt.ncpus && i < MADT_MAX_CPUS; i++)
		kprintf(" %u", madt.apic_ids[i]);
	kprintf("\n");
}

static void cmd_mem(const char *args)
{
	const struct e820_entry *e;
	unsigned n = bp_e820(&e);
	uint64_t ram = 0;

	for (unsigned i = 0; i < n; i++) {
		kprintf("  %#014llx-%#014llx %s\n",
			(unsigned long long)e[i].addr,
			(unsigned long long)(e[i].addr + e[i].size - 1),
			e[i].type == E820_RAM ? "RAM" : "reserved");
		if (e[i].type == E820_RAM)
			ram += e[i].size;
	}
	kprintf("%llu KiB of RAM (%llu MiB)\n",
		(unsigned long long)(ram >> 10),
		(unsigned long long)(ram >> 20));
}

/* The disk, set up on first use; false (after saying why) if absent. */
static bool disk_ready(void)
{
	const char *why = vblk_init();

	if (why)
		kprintf("demo: disk: %s\n", why);
	else if (vblk_block_size() > BLOCK_MAX || vblk_block_size() < 512 ||
		 vblk_block_size() % 512)
		kprintf("demo: disk: block size %u is not supported\n",
			vblk_block_size());
	else
		return true;
	return false;
}

static void cmd_disk(const char *args)
{
	uint64_t bytes;

	if (!disk_ready())
		return;
	bytes = vblk_sectors() * 512;
	kprintf("disk: %llu bytes (%llu MiB), %llu blocks of %u bytes%s\n",
		(unsigned long long)bytes, (unsigned long long)(bytes >> 20),
		(unsigned long long)(bytes / vblk_block_size()),
		vblk_block_size(), vblk_readonly() ? ", read-only" : "");
}

/* A decimal block number at *s (advanced past it and the spaces after). */
static bool parse_block(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p && *p != ' ')
		return false;
	while (*p == ' ')
		p++;
	*s = p;
	*out = n;
	return true;
}

/* Block N from the arguments, checked against the disk; false: told why. */
static bool block_arg(const char **args, uint64_t *sector)
{
	uint64_t n, blocks;

	if (!disk_ready())
		return false;
	blocks = vblk_sectors() * 512 / vblk_block_size();
	if (!parse_block(args, &n)) {
		kprintf("demo: give a block number (0 to %llu)\n",
			(unsigned long long)(blocks ? blocks - 1 : 0));
		return false;
	}
	if (n >= blocks) {
		kprintf("demo: block %llu is past the end (%llu blocks)\n",
			(unsigned long long)n, (unsigned long long)blocks);
		return false;
	}
	*sector = n * (vblk_block_size() / 512);
	return true;
}

static void cmd_write(const char *args)
{
	size_t len, bs;
	uint64_t sector;
	const char *why;

	if (!block_arg(&args, &sector))
		return;
	bs = vblk_block_size();
	len = strlen(args);
	if (len >= bs)
		len = bs - 1;
	memset(block, 0, bs);
	memcpy(block, args, len);
	why = vblk_write(sector, block, (uint32_t)bs);
	if (why)
		kprintf("demo: write: %s\n", why);
	else
		kprintf("wrote %u bytes to block %llu\n", (unsigned)len,
			(unsigned long long)(sector / (bs / 512)));
}

static void cmd_read(const char *args)
{
	uint64_t sector;
	const char *why;
	size_t len = 0;

	if (!block_arg(&args, &sector))
		return;
	why = vblk_read(sector, block, vblk_block_size());
	if (why) {
		kprintf("demo: read: %s\n", why);
		return;
	}
	while (len < SHOW_MAX && len < vblk_block_size() && block[len])
		len++;
	if (!len)
		kprintf("(block starts with a zero byte: empty)\n");
	kprintf("%s", len ? "text: " : "");
	for (size_t i = 0; i < len; i++)
		serial_putc(block[i] >= ' ' && block[i] < 0x7f ? (char)block[i]
							       : '.');
	kprintf("%s", len ? "\n" : "");
}

static const struct {
	const char *name;
	void (*fn)(const char *args);
} commands[] = {
	{ "help", cmd_help },
	{ "cpus", cmd_cpus },
	{ "mem", cmd_mem },
	{ "disk", cmd_disk },
	{ "write", cmd_write },
	{ "read", cmd_read },
	{ "poweroff", cmd_poweroff },
};

/* The command named by line's first word, its arguments after it. */
static void run_command(const char *line)
{
	size_t word = 0;
	const char *args;

	while (line[word] && line[word] != ' ')
		word++;
	args = line + word;
	while (*args == ' ')
		args++;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strlen(commands[i].name) == word &&
		    !memcmp(line, commands[i].name, word)) {
			commands[i].fn(args);
			return;
		}
	kprintf("demo: %s: unknown command (help lists them)\n", line);
}

void guest_main(void)
{
	char line[LINE_MAX];

	serial_init();
	trap_init();
	if (acpi_madt(&madt))
		panic("demo: %s", acpi_error());
	pic_disable();
	lapic_init(madt.lapic_base);
	line_input_init(&madt, demo_poweroff);
	kprintf("\nhyve demo guest: type help and Enter\n");
	for (;;) {
		kprintf("demo> ");
		if (line_read(line, sizeof(line), 0))
			run_command(line);
	}
}
