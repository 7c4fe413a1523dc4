/* test-import.c - hyve import (profiles/import.c, profiles/shell-words.c): fixture scripts against their expected profiles, sh word rules, error cases. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/import.h"
#include "profiles/shell-words.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"

/* tests/run starts tests at the top of the tree. */
#define FIXTURES	"tests/import/"

/* Shows the first line where want and got differ. */
static void show_difference(const char *want, const char *got)
{
	unsigned line = 1;
	size_t wl, gl;

	while (*want && *got) {
		wl = strcspn(want, "\n");
		gl = strcspn(got, "\n");
		if (wl != gl || memcmp(want, got, wl))
			break;
		want += wl + (want[wl] != '\0');
		got += gl + (got[gl] != '\0');
		line++;
	}
	printf("  line %u:\n    want: %.*s\n    got:  %.*s\n", line,
	       (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

/*
 * The import must equal tests/import/NAME exactly. HYVE_IMPORT_UPDATE=1
 * rewrites the fixture instead (then review it with git diff).
 */
static void check_fixture(const char *name, const char *got)
{
	char path[256];
	char *want;
	FILE *f;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	if (getenv("HYVE_IMPORT_UPDATE")) {
		f = fopen(path, "w");
		CHECK(f && fputs(got, f) >= 0, "cannot write %s", path);
		if (f)
			fclose(f);
		return;
	}
	want = slurp(path, NULL);
	CHECK(want, "%s: %s", path, strerror(errno));
	if (!want)
		return;
	CHECK(strcmp(want, got) == 0, "the import differs from %s", path);
	if (strcmp(want, got))
		show_difference(want, got);
	free(want);
}

/* Every profile line fits in 79 columns (and so in libinih's 199). */
static void check_line_lengths(const char *text)
{
	unsigned line = 1;

	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");

		CHECK(n <= 79, "line %u has %zu columns", line, n);
		p += n + (p[n] != '\0');
	}
}

static bool has_warning(const struct import_result *res, unsigned line,
			const char *text)
{
	for (size_t i = 0; i < res->nwarnings; i++)
		if (res->warnings[i].line == line &&
		    strcmp(res->warnings[i].text, text) == 0)
			return true;
	return false;
}

static void dump_warnings(const struct import_result *res)
{
	for (size_t i = 0; i < res->nwarnings; i++)
		printf("    warning %u: %s\n", res->warnings[i].line,
		       res->warnings[i].text);
}

#define CHECK_WARNING(res, line, text)					\
	do {								\
		CHECK(has_warning(res, line, text),			\
		      "no warning %u: %s", (unsigned)(line), text);	\
		if (!has_warning(res, line, text))			\
			dump_warnings(res);				\
	} while (0)

#define CHECK_HAS(text, s)						\
	CHECK((text) && strstr(text, s), "no \"%s\" in the profile", s)

#define CHECK_LACKS(text, s)						\
	CHECK((text) && !strstr(text, s), "\"%s\" in the profile", s)

/* Imports tests/import/NAME.sh and compares with NAME.ini. */
static char *script_fixture(const char *name, struct import_result *res)
{
	struct import_options opts = { 0 };
	char path[256], source[128], ini[128];
	size_t len = 0;
	char *text;
	int rc;

	snprintf(path, sizeof(path), FIXTURES "%s.sh", name);
	snprintf(source, sizeof(source), "%s.sh", name);
	snprintf(ini, sizeof(ini), "%s.ini", name);
	text = slurp(path, &len);
	CHECK(text, "%s: %s", path, strerror(errno));
	if (!text) {
		memset(res, 0, sizeof(*res));
		return NULL;
	}
	opts.source = source;
	rc = import_script(text, len, &opts, res);
	free(text);
	CHECK_EQ(rc, 0);
	CHECK(res->profile, "no profile: %s", res->error ? res->error : "?");
	if (!res->profile)
		return NULL;
	check_fixture(ini, res->profile);
	check_line_lengths(res->profile);
	return res->profile;
}

static void test_ubuntu_install(void)
{
	struct import_result res;
	const char *p = script_fixture("ubuntu-install", &res);

	CHECK_HAS(p, "[disk.root]\ntype = virtio-blk\npath = ubuntu.img\n"
		  "format = raw\nslot = 2\n");
	CHECK_HAS(p, "[disk.ubuntu-16.04.1-server-amd64]\ntype = ahci-cd\n");
	CHECK_HAS(p, "kernel = install/vmlinuz\n");
	CHECK_HAS(p, "cmdline = earlyprintk=serial console=ttyS0 acpi=off\n");
	CHECK_WARNING(&res, 21, "-s 3:0,virtio-net,en0 (from $NET): macOS "
		      "vmnet (NAT through the Mac) becomes hyve's user-mode "
		      "network (mode = user); 'en0' is left out");
	CHECK_EQ(res.nwarnings, 1);	/* $SMP (commented out) vanishes */
	import_result_free(&res);
}

static void test_ubuntu_run(void)
{
	struct import_result res;
	const char *p = script_fixture("ubuntu-run", &res);

	CHECK_HAS(p, "name = ubuntu\nuuid = efcf0a67-1b0d-4a5c-b3b0-"
		  "2c8f5a1d9e44\ncpus = 2\nmemory = 1G\nacpi = no\n");
	CHECK_HAS(p, "com1 = console\n");
	CHECK_HAS(p, "[net.eth0]\ntype = virtio-net\nmode = user\nmac = auto\n"
		  "slot = 3\n");
	CHECK_HAS(p, "root=/dev/vda1 ro\n");
	import_result_free(&res);
}

static void test_xhyverun_tinycore(void)
{
	struct import_result res;
	const char *p = script_fixture("xhyverun", &res);

	CHECK_HAS(p, "name = xhyverun\n");
	CHECK_HAS(p, "kernel = test/vmlinuz\ninitrd = test/initrd.gz\n");
	CHECK_HAS(p, "acpi = yes\n");
	CHECK_LACKS(p, "[disk.");
	CHECK_EQ(res.nwarnings, 0);
	import_result_free(&res);
}

static void test_sparse_disk(void)
{
	struct import_result res;
	const char *p = script_fixture("sparse-disk", &res);

	CHECK_HAS(p, "[disk.root]\ntype = virtio-blk\npath = disk.img\n"
		  "format = xhyve-sparse\nsize = 20G\nsplit = 1G\n"
		  "sectorsize = 4096\nslot = 4\n");
	import_result_free(&res);
}

static void test_alpine_install(void)
{
	struct import_result res;
	const char *p = script_fixture("alpine-install", &res);

	CHECK_HAS(p, "[disk.root]\ntype = virtio-blk\npath = alpine.img\n");
	CHECK_HAS(p, "[disk.alpine-virt-3.18.4-x86_64]\ntype = ahci-cd\n"
		  "path = alpine-virt-3.18.4-x86_64.iso\n");
	CHECK_HAS(p, "memory = 512M\n");
	CHECK_HAS(p, "uuid = 1f0b5c3e-9a21-4f77-b1d4-3c2a9b8e7d61\n");
	CHECK_HAS(p, "modules=loop,squashfs,sd-mod,usb-storage");
	CHECK_HAS(p, "[rng]\ntype = virtio-rng\n");
	CHECK_WARNING(&res, 6, "'cd' is not followed: relative paths are "
		      "kept as the script wrote them");
	import_result_free(&res);
}

static void test_shell_features(void)
{
	struct import_result res;
	const char *p = script_fixture("shell-features", &res);

	CHECK_HAS(p, "path = My VMs/debian.img\n");
	CHECK_HAS(p, "kernel = ~/vms/debian/vmlinuz\n");
	CHECK_HAS(p, "cmdline = console=ttyS1\n");
	CHECK_HAS(p, "com1 = none\ncom2 = console\n");
	CHECK_HAS(p, "mode = tap\ntap = tap0\nmac = 52:54:00:12:34:56\n");
	CHECK_LACKS(p, "64G");		/* from the here-document */
	CHECK_WARNING(&res, 29, "-s 4,virtio-9p,share: device 'virtio-9p' "
		      "has no counterpart in hyve; not imported");
	CHECK_WARNING(&res, 35, "another xhyve command: not imported (this "
		      "profile is the one on line 26)");
	import_result_free(&res);
}

/* hyperkit as docker-machine runs it: one argument per line. */
static void test_hyperkit_argv(void)
{
	struct import_options opts = { 0 };
	struct import_result res;
	char *text = slurp(FIXTURES "hyperkit.argv", NULL), *p, *nl;
	char *argv[64];
	int argc = 0, rc;

	CHECK(text, "hyperkit.argv: %s", strerror(errno));
	if (!text)
		return;
	for (p = text; *p && argc < 64; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		argv[argc++] = p;
	}
	rc = import_argv(argc, argv, &opts, &res);
	CHECK_EQ(rc, 0);
	if (res.profile) {
		check_fixture("hyperkit.ini", res.profile);
		check_line_lengths(res.profile);
		CHECK_HAS(res.profile, "from a hyperkit command line.\n");
		CHECK_HAS(res.profile, "acpi = yes\nrtc = utc\n");
		CHECK_HAS(res.profile, "uuid = 4e1b3a53-6c88-4d66-8d31-"
			  "2e0c9e2f9b8e\n");
		CHECK_HAS(res.profile, "memory = 2G\n");
		CHECK_HAS(res.profile, "log = /Users/me/.docker/machine/"
			  "machines/default/console-ring\n");
		CHECK_WARNING(&res, 0, "-F /Users/me/.docker/machine/machines/"
			      "default/hyperkit.pid: hyve keeps track of its "
			      "VMs itself and writes no pid file; ignored");
	}
	import_result_free(&res);
	free(text);
}

static int import_words(struct import_result *res, const char *const *words)
{
	char *argv[64];
	int argc = 0;

	while (words[argc] && argc < 64) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	return import_argv(argc, argv, NULL, res);
}

static void test_argv_prefixes(void)
{
	static const char *const words[] = {
		"sudo", "-E", "-u", "root", "./build/xhyve", "-m", "512", "-c4",
		"-Af", "kexec,vmlinuz,,quiet", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "; Imported by hyve import from an xhyve "
		  "command line.\n");
	CHECK_HAS(res.profile, "name = xhyve\n");
	CHECK_HAS(res.profile, "cpus = 4\nmemory = 512M\nacpi = yes\n");
	CHECK_HAS(res.profile, "kernel = vmlinuz\ncmdline = quiet\n");
	CHECK_LACKS(res.profile, "initrd");
	CHECK_EQ(res.nwarnings, 0);
	import_result_free(&res);
}

static void test_no_command(void)
{
	static const char script[] = "#!/bin/sh\necho hello\nqemu-system-x86_64"
				     " -m 1G\n";
	struct import_result res;
	int rc;

	rc = import_script(script, sizeof(script) - 1, NULL, &res);
	CHECK_EQ(rc, -EINVAL);
	CHECK(!res.profile, "a profile without a command");
	CHECK(res.error && !strcmp(res.error, "no xhyve or hyperkit command "
				   "found"), "error: %s", res.error);
	import_result_free(&res);
}

static void test_unterminated_quote(void)
{
	static const char script[] = "KERNEL=vmlinuz\n"
				     "xhyve -A \\\n"
				     "  -f \"kexec,$KERNEL\n"
				     "echo done\n";
	static const char late[] = "xhyve -f kexec,vmlinuz\n"
				   "echo 'oops\n";
	struct import_result res;
	int rc;

	rc = import_script(script, sizeof(script) - 1, NULL, &res);
	CHECK_EQ(rc, -EINVAL);
	CHECK(res.error && !strcmp(res.error, "no xhyve or hyperkit command "
				   "found"), "error: %s", res.error);
	CHECK_WARNING(&res, 3, "unterminated double quote: the script stops "
		      "being read here (sh would refuse it)");
	import_result_free(&res);

	/* sh runs the commands before the broken one */
	rc = import_script(late, sizeof(late) - 1, NULL, &res);
	CHECK_EQ(rc, 0);
	CHECK_WARNING(&res, 2, "unterminated single quote: the script stops "
		      "being read here (sh would refuse it)");
	import_result_free(&res);
}

static void test_no_kernel(void)
{
	static const char *const none[] = { "xhyve", "-A", "-m", "1G", NULL };
	static const char *const fbsd[] = {
		"xhyve", "-f", "kexec,vmlinuz", "-f",
		"fbsd,userboot.so,FreeBSD.iso,", NULL,
	};
	static const char *const empty[] = { "hyperkit", "-f", "kexec,,initrd",
					     NULL };
	static const char *const boot[] = { "xhyve", "-f", "bootrom,UEFI.fd",
					    NULL };
	struct import_result res;

	CHECK_EQ(import_words(&res, none), -EINVAL);
	CHECK(res.error && !strcmp(res.error, "the xhyve command has no "
				   "-f kexec,KERNEL,INITRD,CMDLINE: hyve needs "
				   "a kernel to boot"), "error: %s", res.error);
	import_result_free(&res);

	CHECK_EQ(import_words(&res, fbsd), -EINVAL);
	CHECK(res.error && !strcmp(res.error, "-f fbsd: FreeBSD's userboot "
				   "cannot be imported: hyve boots Linux "
				   "kernels directly"), "error: %s", res.error);
	CHECK_WARNING(&res, 0, "-f fbsd,userboot.so,FreeBSD.iso,: -f was "
		      "given before: the last one counts, as in xhyve");
	import_result_free(&res);

	CHECK_EQ(import_words(&res, empty), -EINVAL);
	CHECK(res.error && !strcmp(res.error, "-f kexec,,initrd: no kernel "
				   "(use -f kexec,KERNEL,INITRD,CMDLINE)"),
	      "error: %s", res.error);
	import_result_free(&res);

	CHECK_EQ(import_words(&res, boot), -EINVAL);
	CHECK(res.error && strstr(res.error, "without UEFI firmware"),
	      "error: %s", res.error);
	import_result_free(&res);
}

static void test_unknown_device(void)
{
	static const char *const words[] = {
		"xhyve", "-s", "4,virtio-9p,share",
		"-s", "5,fbuf,tcp=0.0.0.0:5900",
		"-s", "6,uart,stdio", "-s", "7", "-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_WARNING(&res, 0, "-s 4,virtio-9p,share: device 'virtio-9p' has "
		      "no counterpart in hyve; not imported");
	CHECK_WARNING(&res, 0, "-s 5,fbuf,tcp=0.0.0.0:5900: device 'fbuf' has "
		      "no counterpart in hyve; not imported");
	CHECK_WARNING(&res, 0, "-s 6,uart,stdio: a PCI 16550 UART has no "
		      "counterpart in hyve (use COM2: -l com2 or [serial] "
		      "com2); not imported");
	CHECK_WARNING(&res, 0, "-s 7: no device given (use -s "
		      "SLOT,DEVICE[,OPTIONS]); ignored");
	CHECK_EQ(res.nwarnings, 4);
	CHECK_LACKS(res.profile, "[disk.");
	CHECK_LACKS(res.profile, "[net.");
	import_result_free(&res);
}

static void test_bad_slots(void)
{
	static const char *const words[] = {
		"xhyve", "-s", "x,virtio-blk,a.img",
		"-s", "32,virtio-blk,b.img",
		"-s", "0,virtio-blk,c.img", "-s", "5,virtio-blk,d.img",
		"-s", "5,virtio-blk,e.img", "-s", "6:2,virtio-blk,f.img",
		"-s", "1:7:0,virtio-blk,g.img", "-s", "31,ahci-hd,h.img",
		"-s", "7,virtio-blk", "-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_WARNING(&res, 0, "-s x,virtio-blk,a.img: 'x' is not a PCI slot "
		      "(use SLOT or SLOT:FUNCTION, slots 1 to 30); hyve picks "
		      "one");
	CHECK_WARNING(&res, 0, "-s 32,virtio-blk,b.img: '32' is not a PCI "
		      "slot (use SLOT or SLOT:FUNCTION, slots 1 to 30); hyve "
		      "picks one");
	CHECK_WARNING(&res, 0, "-s 0,virtio-blk,c.img: slot 0 holds hyve's "
		      "host bridge; hyve picks another one (devices use 1 to "
		      "30)");
	CHECK_WARNING(&res, 0, "-s 5,virtio-blk,e.img: slot 5 is taken by "
		      "virtio-blk already; hyve picks another one");
	CHECK_WARNING(&res, 0, "-s 6:2,virtio-blk,f.img: hyve puts one device "
		      "in each slot: function 2 is left out and hyve picks the "
		      "slot");
	CHECK_WARNING(&res, 0, "-s 1:7:0,virtio-blk,g.img: hyve has one PCI "
		      "bus: bus 1 is left out and hyve picks the slot");
	CHECK_WARNING(&res, 0, "-s 31,ahci-hd,h.img: slot 31 holds hyve's LPC "
		      "bridge; hyve picks another one (devices use 1 to 30)");
	CHECK_WARNING(&res, 0, "-s 7,virtio-blk: no image file (xhyve would "
		      "refuse it); not imported");
	CHECK_EQ(res.nwarnings, 8);
	/* all eight disks are there; only d.img keeps its slot */
	CHECK_HAS(res.profile, "[disk.root]\ntype = virtio-blk\npath = a.img\n"
		  "format = raw\n\n");
	CHECK_HAS(res.profile, "[disk.d]\ntype = virtio-blk\npath = d.img\n"
		  "format = raw\nslot = 5\n");
	CHECK_HAS(res.profile, "[disk.h]\ntype = ahci-hd\n");
	CHECK_LACKS(res.profile, "slot = 6");
	CHECK_LACKS(res.profile, "slot = 7");
	import_result_free(&res);
}

static void test_disk_names(void)
{
	static const char *const words[] = {
		"xhyve", "-s", "2,ahci-cd,/isos/install.iso", "-s",
		"3,virtio-blk,/vm/disk.img",
		"-s", "4,virtio-blk,/other/disk.img",
		"-s", "5,ahci-hd,root.img",
		"-s", "6,virtio-blk,we ird#name.raw",
		"-s", "7,ahci-cd,/", "-s", "8,virtio-blk,.hidden",
		"-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "[disk.install]\ntype = ahci-cd\n");
	CHECK_HAS(res.profile, "[disk.root]\ntype = virtio-blk\npath = "
		  "/vm/disk.img\n");
	CHECK_HAS(res.profile, "[disk.disk]\ntype = virtio-blk\npath = "
		  "/other/disk.img\n");
	CHECK_HAS(res.profile, "[disk.root-2]\ntype = ahci-hd\n");
	CHECK_HAS(res.profile, "[disk.we-ird-name]\n");
	CHECK_HAS(res.profile, "[disk.cdrom]\ntype = ahci-cd\npath = /\n");
	CHECK_HAS(res.profile, "[disk..hidden]\n");
	CHECK_HAS(res.profile, "name = disk\n");
	import_result_free(&res);
}

static void test_memory_sizes(void)
{
	static const struct {
		const char *arg;
		const char *line;	/* NULL: left out with a warning */
	} t[] = {
		{ "2048", "memory = 2G\n" },
		{ "512M", "memory = 512M\n" },
		{ "1g", "memory = 1G\n" },
		{ "2GB", "memory = 2G\n" },
		{ "1536m", "memory = 1536M\n" },
		{ "0x40000000", "memory = 1G\n" },
		{ "2147483648", "memory = 2G\n" },
		{ "1048576k", "memory = 1G\n" },
		{ "8", NULL },
		{ "2T", NULL },
		{ "2X", NULL },
		{ "-1", NULL },
		{ "", NULL },
		{ "99999999999999999999", NULL },
		{ "16777216e", NULL },
	};
	struct import_result res;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *words[] = { "-m", t[i].arg, "-f", "kexec,k", NULL };

		CHECK_EQ(import_words(&res, words), 0);
		if (t[i].line) {
			CHECK_HAS(res.profile, t[i].line);
			CHECK(res.nwarnings == 0, "-m %s: warned", t[i].arg);
		} else {
			CHECK_HAS(res.profile, "memory = 256M            ; "
				  "xhyve's default (no -m)\n");
			CHECK(res.nwarnings == 1, "-m %s: %zu warnings",
			      t[i].arg, res.nwarnings);
		}
		import_result_free(&res);
	}
}

static void test_cpus_and_uuid(void)
{
	static const char *const bad[] = {
		"-c", "17", "-U", "not-a-uuid", "-c", "0", "-f", "kexec,k",
		NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, bad), 0);
	CHECK_WARNING(&res, 0, "-c 17: hyve runs 1 to 16 vCPUs; left out");
	CHECK_WARNING(&res, 0, "-c 0: hyve runs 1 to 16 vCPUs; left out");
	CHECK_WARNING(&res, 0, "-U not-a-uuid: not a UUID like "
		      "8e7af180-c54d-4aa2-9bef-59d94a1ac572; left out");
	CHECK_HAS(res.profile, "cpus = 1                 ; xhyve's default "
		  "(no -c)\n");
	CHECK_LACKS(res.profile, "\nuuid =");
	import_result_free(&res);
}

static void test_options_without_counterpart(void)
{
	static const char *const words[] = {
		"xhyve", "-HPwxeWYMbCvh", "-F", "vm.pid", "-g", "1234", "-p",
		"0:1", "-a", "nvmm", "--version", "-l", "bootrom,BHYVE_UEFI.fd",
		"-l", "com3,stdio", "-f", "kexec,k", "extra", "words", NULL,
	};
	static const char *const want[] = {
		"-H: under KVM an idle vCPU always sleeps, as -H asked; "
		"ignored",
		"-P: KVM handles PAUSE loops itself; ignored",
		"-w: hyve has no option to ignore unknown MSRs; ignored",
		"-x: hyve has no option for x2APIC mode; ignored",
		"-e: hyve has no option to stop at unhandled I/O ports; "
		"ignored",
		"-W: hyve has no option to force single-vector MSI; ignored",
		"-Y: hyve has no option to leave out the MP table; ignored",
		"-M: it only prints the vmnet MAC address; ignored",
		"-b: the bvmconsole of FreeBSD guests has no counterpart in "
		"hyve; ignored",
		"-C: hyve has no option to put guest memory in core dumps; "
		"ignored",
		"-v: it only prints xhyve's version; ignored",
		"-h: it only prints xhyve's help; ignored",
		"-F vm.pid: hyve keeps track of its VMs itself and writes no "
		"pid file; ignored",
		"-g 1234: hyve has no gdb port; ignored",
		"-p 0:1: hyve does not pin vCPUs to host CPUs; ignored",
		"-a nvmm: not an xhyve or hyperkit option; ignored",
		"--version: not an xhyve or hyperkit option; ignored",
		"-l bootrom,BHYVE_UEFI.fd: a UEFI boot ROM: hyve boots the "
		"kernel directly, without firmware; ignored",
		"-l com3,stdio: not an LPC device hyve has (com1, com2); "
		"ignored",
		"'extra' and what follows it is ignored: xhyve stops reading "
		"options at the first word that is not one",
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_EQ(res.nwarnings, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) &&
	     i < res.nwarnings; i++)
		CHECK(!strcmp(res.warnings[i].text, want[i]),
		      "warning %zu: %s\n    want: %s", i, res.warnings[i].text,
		      want[i]);
	import_result_free(&res);
}

static void test_serial_ports(void)
{
	static const char *const words[] = {
		"-l", "com1,autopty=/tmp/tty,log=console.log", "-l", "com2,asl",
		"-l", "COM2,/dev/ttys004", "-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "[serial]\ncom1 = console\ncom2 = console\n"
		  "log = console.log\n");
	CHECK_WARNING(&res, 0, "-l com1,autopty=/tmp/tty,log=console.log: COM1 "
		      "went to a pseudo-terminal; hyve shows it in its console "
		      "pane");
	CHECK_WARNING(&res, 0, "-l com2,asl: the Apple system log has no "
		      "counterpart in hyve; ignored");
	CHECK_WARNING(&res, 0, "-l COM2,/dev/ttys004: COM2 was connected to "
		      "/dev/ttys004; hyve shows it in its console pane "
		      "instead");
	import_result_free(&res);
}

static void test_disk_options(void)
{
	static const char *const words[] = {
		"-s", "2,virtio-blk,file:///vm/disk.qcow2?sync=os&buffered=1,"
		"format=qcow,ro,sectorsize=512/4096,direct",
		"-s", "3,virtio-blk,a.img,size=1000,split=300M,sparse,frob",
		"-s", "4,virtio-blk,b.img,split=1G,sectorsize=1024,size=3G",
		"-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "path = /vm/disk.qcow2\nformat = raw\n"
		  "sectorsize = 512\nreadonly = yes\ncache = writethrough\n"
		  "slot = 2\n");
	CHECK_HAS(res.profile, "path = a.img\nformat = xhyve-sparse\n"
		  "slot = 3\n");
	CHECK_HAS(res.profile, "path = b.img\nformat = raw\nsize = 3G\n"
		  "split = 1G\nslot = 4\n");
	CHECK_WARNING(&res, 0, "-s 2,virtio-blk,file:///vm/disk.qcow2?sync=os"
		      "&buffered=1,format...: hyperkit's block settings "
		      "'?sync=os&buffered=1' are left out");
	CHECK_WARNING(&res, 0, "-s 2,virtio-blk,file:///vm/disk.qcow2?sync=os"
		      "&buffered=1,format...: hyve reads raw and "
		      "xhyve-sparse images only: convert this one (qemu-img "
		      "convert -O raw) and fix format");
	CHECK_WARNING(&res, 0, "-s 2,virtio-blk,file:///vm/disk.qcow2?sync=os"
		      "&buffered=1,format...: the physical sector size "
		      "4096 is left out (hyve reports 512)");
	CHECK_WARNING(&res, 0, "-s 3,virtio-blk,a.img,size=1000,split=300M,"
		      "sparse,frob: size=1000 is not a whole number of KiB; "
		      "left out");
	CHECK_WARNING(&res, 0, "-s 3,virtio-blk,a.img,size=1000,split=300M,"
		      "sparse,frob: 'frob' is not a disk option hyve knows; "
		      "ignored");
	CHECK_WARNING(&res, 0, "-s 3,virtio-blk,a.img,size=1000,split=300M,"
		      "sparse,frob: split= needs size= (xhyve refused that "
		      "too); split left out");
	CHECK_WARNING(&res, 0, "-s 3,virtio-blk,a.img,size=1000,split=300M,"
		      "sparse,frob: sparse needs size= (xhyve refused that "
		      "too); add a size to the profile");
	import_result_free(&res);
}

static void test_networks(void)
{
	static const char *const words[] = {
		"-s", "2,virtio-tap,tap3", "-s", "3,virtio-net,tap1",
		"-s", "4,virtio-net,mac=02:AB:cd:00:00:01",
		"-s", "5,virtio-vpnkit,path=/tmp/s,uuid=x", "-s", "6,e1000",
		"-s", "7,virtio-tap", "-s", "8,virtio-tap,bad/name",
		"-f", "kexec,k", NULL,
	};
	struct import_result res;

	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "[net.eth0]\ntype = virtio-net\nmode = tap\n"
		  "tap = tap3\nmac = auto\nslot = 2\n");
	CHECK_HAS(res.profile, "[net.eth1]\ntype = virtio-net\nmode = tap\n"
		  "tap = tap1\n");
	CHECK_HAS(res.profile, "[net.eth2]\ntype = virtio-net\nmode = user\n"
		  "mac = 02:ab:cd:00:00:01\nslot = 4\n");
	CHECK_HAS(res.profile, "[net.eth4]\ntype = virtio-net\nmode = user\n");
	CHECK_WARNING(&res, 0, "-s 5,virtio-vpnkit,path=/tmp/s,uuid=x: VPNKit "
		      "becomes hyve's user-mode network (mode = user); "
		      "'path=/tmp/s', 'uuid=x' are left out");
	CHECK_WARNING(&res, 0, "-s 6,e1000: hyve has no e1000 card: imported "
		      "as virtio-net (the guest needs its virtio-net driver)");
	CHECK_WARNING(&res, 0, "-s 7,virtio-tap: no tap device named (use "
		      "virtio-tap,tapN); imported as mode = user");
	CHECK_WARNING(&res, 0, "-s 8,virtio-tap,bad/name: 'bad/name' is left "
		      "out");
	import_result_free(&res);
}

/* Joins "cmdline =" and its indented continuation lines. */
static void cmdline_of(const char *profile, char *out, size_t size)
{
	const char *p = strstr(profile, "\ncmdline = ");
	size_t k = 0, n;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen("\ncmdline = ");
	for (;;) {
		n = strcspn(p, "\n");
		if (k && k + 1 < size)
			out[k++] = ' ';
		if (k + n >= size)
			return;
		memcpy(out + k, p, n);
		k += n;
		out[k] = '\0';
		p += n;
		if (strncmp(p, "\n          ", 11))
			return;
		p += 11;
	}
}

static void test_long_cmdline(void)
{
	static const char cmd[] =
		"kexec,bzImage,initrd.gz,earlyprintk=serial console=ttyS0 "
		"root=UUID=ad6a4283-c0a1-445a-9b56-629d9aff7aba ro "
		"crashkernel=auto acpi=off LANG=en_US.UTF-8 quiet "
		"dyndbg=\"file drivers/virtio/* +p\" #not-a-comment "
		"systemd.unit=multi-user.target loglevel=3";
	const char *words[] = { "-f", cmd, NULL };
	struct import_result res;
	char joined[1024];

	CHECK_EQ(import_words(&res, words), 0);
	check_line_lengths(res.profile);
	cmdline_of(res.profile, joined, sizeof(joined));
	CHECK(!strcmp(joined, strchr(strchr(strchr(cmd, ',') + 1, ',') + 1,
				     ',') + 1), "joined cmdline: %s", joined);
	CHECK_HAS(res.profile, "\"file drivers/virtio/* +p\"");
	CHECK_LACKS(res.profile, "\n          #");
	import_result_free(&res);
}

static void test_unwritable_values(void)
{
	static const char script[] =
		"CMD='console=ttyS0 ;rm'\n"
		"xhyve -s 2,virtio-blk,$'bad\\nname.img' -s 3,virtio-blk,' x' "
		"-f kexec,vmlinuz,$'init\\trd',\"$CMD\"\n";
	static const char *const kernel[] = { "-f", "kexec, vmlinuz", NULL };
	struct import_result res;

	CHECK_EQ(import_script(script, sizeof(script) - 1, NULL, &res), 0);
	CHECK_WARNING(&res, 2, "path 'bad?name.img': it holds a control "
		      "character; left out");
	CHECK_WARNING(&res, 2, "path ' x': a profile cannot keep blanks at "
		      "its start or end; left out");
	CHECK_WARNING(&res, 2, "initrd 'init?rd': it holds a control "
		      "character; left out");
	CHECK_WARNING(&res, 2, "cmdline 'console=ttyS0 ;rm': ' ;' would "
		      "start a comment in a profile; left out");
	CHECK_LACKS(res.profile, "[disk.");
	CHECK_LACKS(res.profile, "initrd =");
	CHECK_LACKS(res.profile, "\ncmdline =");
	import_result_free(&res);

	CHECK_EQ(import_words(&res, kernel), -EINVAL);
	CHECK(res.error && strstr(res.error, "the kernel path cannot be "
				  "written"), "error: %s", res.error);
	import_result_free(&res);
}

static void test_vm_name(void)
{
	static const char *const words[] = { "-f", "kexec,k", NULL };
	struct import_options opts = { .name = "my vm!" };
	struct import_result res;
	char *argv[] = { "-f", "kexec,k" };

	CHECK_EQ(import_argv(2, argv, &opts, &res), 0);
	CHECK_HAS(res.profile, "name = my-vm-\n");
	import_result_free(&res);
	opts.name = NULL;
	opts.source = "/home/me/vms/debian-run.sh";
	CHECK_EQ(import_argv(2, argv, &opts, &res), 0);
	CHECK_HAS(res.profile, "name = debian-run\n");
	import_result_free(&res);
	CHECK_EQ(import_words(&res, words), 0);
	CHECK_HAS(res.profile, "name = xhyve\n");
	import_result_free(&res);
}

static void test_limits(void)
{
	struct import_result res;
	char *script, *p;
	int rc;

	/* 600 ignored options: 500 warnings, then a count of the rest */
	script = malloc(8192);
	if (!script)
		return;
	p = script + sprintf(script, "xhyve");
	for (int i = 0; i < 600; i++)
		p += sprintf(p, " -H");
	sprintf(p, " -f kexec,vmlinuz\n");
	rc = import_script(script, strlen(script), NULL, &res);
	CHECK_EQ(rc, 0);
	CHECK_EQ(res.nwarnings, 501);
	CHECK_WARNING(&res, 0, "100 more warnings are not shown");
	import_result_free(&res);

	/* a value that doubles 30 times is cut, not grown to 16 GiB */
	p = script + sprintf(script, "A=0123456789abcdef\n");
	for (int i = 0; i < 30; i++)
		p += sprintf(p, "A=$A$A\n");
	sprintf(p, "xhyve -f kexec,vmlinuz,$A\n");
	rc = import_script(script, strlen(script), NULL, &res);
	CHECK_EQ(rc, 0);
	CHECK_WARNING(&res, 12, "an expansion longer than 16384 bytes was "
		      "cut");
	CHECK_WARNING(&res, 32, "initrd '0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789ab...': it is too long for a "
		      "profile line; left out");
	import_result_free(&res);
	free(script);
}

/* ---- sh word rules, through shell-words.h directly ---- */

struct collect {
	char out[2048];
	size_t len;
	char notes[2048];
	size_t nlen;
};

static void collect_add(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > size)
		n = size - *len - 1;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static int collect_command(void *ctx, const struct sh_command *cmd)
{
	struct collect *c = ctx;
	char num[16];

	for (size_t i = 0; i < cmd->argc; i++) {
		if (i)
			collect_add(c->out, sizeof(c->out), &c->len, "|");
		collect_add(c->out, sizeof(c->out), &c->len,
			    cmd->argv[i].text);
	}
	collect_add(c->out, sizeof(c->out), &c->len, "\n");
	for (size_t i = 0; i < cmd->nnotes; i++) {
		snprintf(num, sizeof(num), "%u: ", cmd->notes[i].line);
		collect_add(c->notes, sizeof(c->notes), &c->nlen, num);
		collect_add(c->notes, sizeof(c->notes), &c->nlen,
			    cmd->notes[i].text);
		collect_add(c->notes, sizeof(c->notes), &c->nlen, "\n");
	}
	return 0;
}

static int collect_note(void *ctx, unsigned line, const char *text)
{
	struct collect *c = ctx;
	char num[16];

	snprintf(num, sizeof(num), "%u: ", line);
	collect_add(c->notes, sizeof(c->notes), &c->nlen, num);
	collect_add(c->notes, sizeof(c->notes), &c->nlen, text);
	collect_add(c->notes, sizeof(c->notes), &c->nlen, "\n");
	return 0;
}

static void test_sh_words(void)
{
	static const struct {
		const char *script;
		const char *fields;	/* "|" between fields, "\n" after */
		size_t len;		/* 0: strlen(script) */
	} t[] = {
		{ "A=\"-m 2G\"; x $A", "x|-m|2G\n", 0 },
		{ "A=\"-m 2G\"; x \"$A\" '$A' \\$A", "x|-m 2G|$A|$A\n", 0 },
		{ "A='a  b'; x pre$A ${A}post", "x|prea|b|a|bpost\n", 0 },
		{ "x \"\" '' $UNSET \"$UNSET\"", "x|||\n", 0 },
		{ "x ${B:-def val} \"${B:-def val}\" ${B:+no}",
		  "x|def|val|def val\n", 0 },
		{ "x ${B:=set}; y $B ${#B}", "x|set\ny|set|3\n", 0 },
		{ "x a\\ b a\\\nb \"a\\\"b\" 'c\"d' \"e\\f\"",
		  "x|a b|ab|a\"b|c\"d|e\\f\n", 0 },
		{ "IFS=,; L=a,b,,c; x $L", "x|a|b||c\n", 0 },
		{ "x $(date) \"$(date)\" `date` $((1+2))", "x|\n", 0 },
		{ "Z=1 x $Z; export E=\"e 1\" F; y $E",
		  "x\ny|e|1\n", 0 },
		{ "x $'a\\tb' $\"q\"", "x|a\tb|q\n", 0 },
		{ "x \"$@\" $# $?", "x|0|0\n", 0 },
		{ "if true; then x 1; else x 2; fi", "true\nx|1\nx|2\n", 0 },
		{ "x 1 && y 2 || z 3 | w 4 & v 5",
		  "x|1\ny|2\nz|3\nw|4\nv|5\n", 0 },
		{ "cat <<EOF >f\nx inside $(\nEOF\ny", "cat\ny\n", 0 },
		{ "cat <<-'E' ; z\n\tx in\n\tE\ny", "cat\nz\ny\n", 0 },
		{ "f() { x in; }\nfunction g { y; }", "x|in\ny\n", 0 },
		{ "x a # b\nx a#b", "x|a\nx|a#b\n", 0 },
		{ "arr=(1 2\n 3); x ${arr[0]}", "x\n", 0 },
		{ "x >out 2>&1 <in &>/dev/null 3<<<word", "x\n", 0 },
		{ "x a\r\ny\r\n", "x|a\ny\n", 0 },
		{ "x; exit 0; y", "x\n", 0 },
		{ "[ -f a ] || exit 1; (exit 2); y", "[|-f|a|]\ny\n", 0 },
		{ "case $1 in a) x;; b|c) y ;; esac; z", "x\ny\nz\n", 0 },
		{ "for i in 1 2; do x $i; done", "x\n", 0 },
		{ "A=1; unset A; x ${A-gone}", "x|gone\n", 0 },
		{ "A=a; A+=b; x $A", "x|ab\n", 0 },
		{ "x ${A%%.*} ${1} ${@}", "x\n", 0 },
		{ "x \"${A:-$(pwd)/d}\"", "x|/d\n", 0 },
		{ "x ~/a b~", "x|~/a|b~\n", 0 },
		{ "x a\0y b", "x|a\n", 7 },
	};
	static const struct sh_ops ops = {
		.command = collect_command,
		.note = collect_note,
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct collect c = { .len = 0 };
		const char *s = t[i].script;
		size_t len = t[i].len ? t[i].len : strlen(s);

		CHECK_EQ(sh_run(s, len, &ops, &c), 0);
		CHECK(!strcmp(c.out, t[i].fields), "script %zu:\n%s\n"
		      "    got:\n%s    want:\n%s", i, s, c.out, t[i].fields);
	}
}

static void test_sh_notes(void)
{
	static const char script[] =
		"BASE=$HOME/vm\n"			/* 1 */
		"source ./common.sh\n"			/* 2 */
		"x $(date) ${A:?} \"$MISSING\" a*\n"	/* 3 */
		"if [ -n \"$X\" ]; then\n"		/* 4 */
		"  y 'unterminated\n";			/* 5 */
	static const char want[] =
		"1: $HOME is not set by the script: it expanded to nothing\n"
		"2: 'source' is not followed: variables it would set are "
		"unknown here\n"
		"3: $(date) is not run: it expanded to nothing\n"
		"3: ${A:?}: A is not set, so sh would stop here\n"
		"3: $MISSING is not set by the script: it expanded to nothing\n"
		"3: '*' is not matched against file names\n"
		"4: 'if' is not evaluated: the commands of every branch are "
		"read as if they ran\n"
		"4: $X is not set by the script: it expanded to nothing\n"
		"5: unterminated single quote: the script stops being read "
		"here (sh would refuse it)\n";
	static const struct sh_ops ops = {
		.command = collect_command,
		.note = collect_note,
	};
	struct collect c = { .len = 0 };

	CHECK_EQ(sh_run(script, sizeof(script) - 1, &ops, &c), 0);
	CHECK(!strcmp(c.notes, want), "notes:\n%s    want:\n%s", c.notes,
	      want);
}

int main(void)
{
	RUN_TEST(test_ubuntu_install);
	RUN_TEST(test_ubuntu_run);
	RUN_TEST(test_xhyverun_tinycore);
	RUN_TEST(test_sparse_disk);
	RUN_TEST(test_alpine_install);
	RUN_TEST(test_shell_features);
	RUN_TEST(test_hyperkit_argv);
	RUN_TEST(test_argv_prefixes);
	RUN_TEST(test_no_command);
	RUN_TEST(test_unterminated_quote);
	RUN_TEST(test_no_kernel);
	RUN_TEST(test_unknown_device);
	RUN_TEST(test_bad_slots);
	RUN_TEST(test_disk_names);
	RUN_TEST(test_memory_sizes);
	RUN_TEST(test_cpus_and_uuid);
	RUN_TEST(test_options_without_counterpart);
	RUN_TEST(test_serial_ports);
	RUN_TEST(test_disk_options);
	RUN_TEST(test_networks);
	RUN_TEST(test_long_cmdline);
	RUN_TEST(test_unwritable_values);
	RUN_TEST(test_vm_name);
	RUN_TEST(test_limits);
	RUN_TEST(test_sh_words);
	RUN_TEST(test_sh_notes);
	CHECK_EXIT();
}
