/* test-profile.c - the profile loader: every schema key reaches vm_config, defaults, relative paths, continued cmdline, text-only checks, imported profiles, file:line errors. */
#include <glob.h>
#include <stdlib.h>
#include <unistd.h>

#include "profiles/import.h"
#include "profiles/profile.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"
#include "vmm/compat.h"

static struct vm_config cfg;

/* Writes text to DIR/name and loads it; returns the problem count. */
static int load(const char *name, const char *text,
		struct profile_errors *errs)
{
	scratch_write(name, text);
	return profile_load(scratch_path("%s", name), &cfg, errs);
}

static bool in_dir(const char *path, const char *name)
{
	return !strcmp(path, scratch_path("%s", name));
}

static void test_every_key_reaches_the_config(void)
{
	struct profile_errors errs;

	CHECK_EQ(load("full.ini",
		      "[vm]\nname = web-1\n"
		      "uuid = 8E7AF180-C54D-4AA2-9BEF-59D94A1AC572\n"
		      "cpus = 4\nmemory = 2G\nacpi = off\nrtc = localtime\n"
		      "on_reboot = exit\nautostart = yes\n"
		      "[boot]\nkernel = vmlinuz\ninitrd = vmlinuz\n"
		      "cmdline = console=ttyS0 quiet\n"
		      "[serial]\ncom1 = none\ncom2 = console\nlog = logs/c.log\n"
		      "rows = 50\ncols = 132\n"
		      "[disk.root]\ntype = ahci-hd\npath = root.img\n"
		      "format = xhyve-sparse\nsize = 16G\nsplit = 2G\n"
		      "sectorsize = 4096\ncache = direct\nslot = 5\n"
		      "[disk.cd]\ntype = ahci-cd\npath = vmlinuz\nformat = raw\n"
		      "[net.eth0]\nmode = user\nforward = tcp::2222-:22\n"
		      "forward = udp:127.0.0.1:53-10.0.2.3:53\nslot = 7\n"
		      "[net.lan]\nmode = tap\ntap = tap3\n"
		      "mac = 02:aa:bb:cc:dd:0e\n"
		      "[rng]\ntype = virtio-rng\nslot = 9\n", &errs), 0);
	if (errs.lines.s)
		printf("%s", errs.lines.s);
	CHECK(!strcmp(cfg.name, "web-1"), "name %s", cfg.name);
	CHECK(!strcmp(cfg.uuid, "8e7af180-c54d-4aa2-9bef-59d94a1ac572"),
	      "uuid %s", cfg.uuid);
	CHECK_EQ(cfg.cpus, 4);
	CHECK_EQ(cfg.memory, 2ULL << 30);
	CHECK_EQ(cfg.acpi, false);
	CHECK_EQ(cfg.rtc, VM_RTC_LOCALTIME);
	CHECK_EQ(cfg.on_reboot, VM_REBOOT_EXIT);
	CHECK_EQ(cfg.autostart, true);
	CHECK(in_dir(cfg.kernel, "vmlinuz"), "kernel %s", cfg.kernel);
	CHECK(in_dir(cfg.initrd, "vmlinuz"), "initrd %s", cfg.initrd);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 quiet"), "%s", cfg.cmdline);
	CHECK_EQ(cfg.com[0], VM_SERIAL_NONE);
	CHECK_EQ(cfg.com[1], VM_SERIAL_CONSOLE);
	CHECK(in_dir(cfg.serial_log, "logs/c.log"), "log %s", cfg.serial_log);
	CHECK_EQ(cfg.console_rows, 50);
	CHECK_EQ(cfg.console_cols, 132);
	CHECK_EQ(cfg.disks, 2);
	CHECK(!strcmp(cfg.disk[0].name, "root"), "%s", cfg.disk[0].name);
	CHECK_EQ(cfg.disk[0].type, VM_DISK_AHCI_HD);
	CHECK(in_dir(cfg.disk[0].path, "root.img"), "%s", cfg.disk[0].path);
	CHECK_EQ(cfg.disk[0].format, VM_DISK_XHYVE_SPARSE);
	CHECK_EQ(cfg.disk[0].size, 16ULL << 30);
	CHECK_EQ(cfg.disk[0].split, 2ULL << 30);
	CHECK_EQ(cfg.disk[0].sectorsize, 4096);
	CHECK_EQ(cfg.disk[0].readonly, false);
	CHECK_EQ(cfg.disk[0].cache, VM_CACHE_DIRECT);
	CHECK_EQ(cfg.disk[0].slot, 5);
	CHECK_EQ(cfg.disk[1].type, VM_DISK_AHCI_CD);
	CHECK_EQ(cfg.disk[1].readonly, true);	/* a CD always is */
	CHECK_EQ(cfg.disk[1].sectorsize, 512);
	CHECK_EQ(cfg.disk[1].cache, VM_CACHE_WRITEBACK);
	CHECK_EQ(cfg.disk[1].slot, 0);
	CHECK_EQ(cfg.nics, 2);
	CHECK_EQ(cfg.nic[0].mode, VM_NET_USER);
	CHECK_EQ(cfg.nic[0].forwards, 2);
	CHECK(!strcmp(cfg.nic[0].forward[1], "udp:127.0.0.1:53-10.0.2.3:53"),
	      "%s", cfg.nic[0].forward[1]);
	CHECK_EQ(cfg.nic[0].slot, 7);
	CHECK_EQ(cfg.nic[0].mac_auto, true);
	CHECK_EQ(cfg.nic[1].mode, VM_NET_TAP);
	CHECK(!strcmp(cfg.nic[1].tap, "tap3"), "%s", cfg.nic[1].tap);
	CHECK_EQ(cfg.nic[1].mac_auto, false);
	CHECK(!memcmp(cfg.nic[1].mac, "\x02\xaa\xbb\xcc\xdd\x0e", 6),
	      "explicit mac");
	CHECK_EQ(cfg.rng, true);
	CHECK_EQ(cfg.rng_slot, 9);
	profile_errors_free(&errs);
}

static void test_defaults(void)
{
	struct profile_errors errs;

	CHECK_EQ(load("plain.ini", "[boot]\nkernel = vmlinuz\n"
		      "[disk.d]\npath = vmlinuz\nformat = raw\n[net.n]\n",
		      &errs), 0);
	CHECK(!strcmp(cfg.name, "plain"), "name %s", cfg.name);
	CHECK_EQ(cfg.uuid[0], 0);
	CHECK_EQ(cfg.cpus, 1);
	CHECK_EQ(cfg.memory, 256ULL << 20);
	CHECK_EQ(cfg.acpi, true);
	CHECK_EQ(cfg.rtc, VM_RTC_UTC);
	CHECK_EQ(cfg.on_reboot, VM_REBOOT_RESTART);
	CHECK_EQ(cfg.autostart, false);
	CHECK_EQ(cfg.com[0], VM_SERIAL_CONSOLE);
	CHECK_EQ(cfg.com[1], VM_SERIAL_NONE);
	CHECK_EQ(cfg.console_rows, 24);
	CHECK_EQ(cfg.console_cols, 80);
	CHECK_EQ(cfg.disk[0].type, VM_DISK_VIRTIO_BLK);
	CHECK_EQ(cfg.disk[0].sectorsize, 512);
	CHECK_EQ(cfg.disk[0].readonly, false);
	CHECK_EQ(cfg.disk[0].cache, VM_CACHE_WRITEBACK);
	CHECK_EQ(cfg.nic[0].mode, VM_NET_USER);
	CHECK_EQ(cfg.nic[0].mac_auto, true);
	CHECK_EQ(cfg.rng, false);	/* no [rng] section */
	profile_errors_free(&errs);
}

/* mac = auto: locally administered unicast, stable, different per NIC. */
static void test_auto_mac(void)
{
	struct profile_errors errs;
	const char *text = "[vm]\nuuid = 8e7af180-c54d-4aa2-9bef-59d94a1ac572\n"
			   "[boot]\nkernel = vmlinuz\n[net.a]\n[net.b]\n";
	uint8_t first[6];

	CHECK_EQ(load("mac.ini", text, &errs), 0);
	memcpy(first, cfg.nic[0].mac, 6);
	CHECK_EQ(first[0] & 3, 2);
	CHECK(memcmp(cfg.nic[0].mac, cfg.nic[1].mac, 6), "NICs share a MAC");
	profile_errors_free(&errs);
	CHECK_EQ(load("mac2.ini", text, &errs), 0);
	CHECK(!memcmp(first, cfg.nic[0].mac, 6), "MAC not stable");
	profile_errors_free(&errs);
}

static void test_cmdline_continuation_lines(void)
{
	struct profile_errors errs;

	CHECK_EQ(load("long.ini",
		      "[boot]\nkernel = vmlinuz\ncmdline = console=ttyS0\n"
		      "  root=/dev/vda1 ro ; a comment\n; between\n\tquiet\n",
		      &errs), 0);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 root=/dev/vda1 ro quiet"),
	      "cmdline \"%s\"", cfg.cmdline);
	profile_errors_free(&errs);
	CHECK_EQ(load("long2.ini", "[boot]\nkernel = vmlinuz\ncmdline =\n"
		      "  console=ttyS0\n  quiet\n", &errs), 0);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 quiet"), "cmdline \"%s\"",
	      cfg.cmdline);
	profile_errors_free(&errs);
}

/* Each bad profile yields exactly this one message. */
static void expect_error(const char *text, const char *message)
{
	struct profile_errors errs;
	char want[512];

	snprintf(want, sizeof(want), "%s/bad.ini:%s\n", scratch_dir, message);
	CHECK_EQ(load("bad.ini", text, &errs), 1);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want),
	      "got \"%s\"\nwant \"%s\"", errs.lines.s ? errs.lines.s : "",
	      want);
	profile_errors_free(&errs);
}

static void test_errors_name_file_and_line(void)
{
	expect_error("[vm]\nmemory = 2X\n[boot]\nkernel = vmlinuz\n",
		     "2: memory: \"2X\" is not a size (use e.g. 512M or 2G)");
	expect_error("[vm]\ncpus = 17\n[boot]\nkernel = vmlinuz\n",
		     "2: cpus: \"17\" is out of range (use 1 to 16)");
	expect_error("[vm]\ncpus = 2\ncpus = 3\n[boot]\nkernel = vmlinuz\n",
		     "3: cpus: duplicated key (first set on line 2; keep one)");
	expect_error("[vm]\nmemroy = 1G\n[boot]\nkernel = vmlinuz\n",
		     "2: memroy: unknown key in [vm] (did you mean memory?)");
	expect_error("[vm]\ncpus = 1\n[boot]\n",
		     "3: kernel: missing (add kernel = PATH of a bzImage to "
		     "[boot])");
}

static void test_missing_files(void)
{
	struct profile_errors errs;
	const char *text = "[boot]\nkernel = nope\n[disk.d]\npath = no.img\n"
			   "format = raw\n[disk.new]\npath = new.img\n"
			   "format = raw\nsize = 1G\n";
	char path[PATH_MAX];

	CHECK_EQ(load("nofiles.ini", text, &errs), 2);
	CHECK(errs.lines.s && strstr(errs.lines.s, "nofiles.ini:2: kernel: ") &&
	      strstr(errs.lines.s, "/nope: No such file or directory") &&
	      strstr(errs.lines.s, "nofiles.ini:4: path: "),
	      "got %s", errs.lines.s);
	profile_errors_free(&errs);
	/* -t: the same text is fine when the files are elsewhere */
	snprintf(path, sizeof(path), "%s/nofiles.ini", scratch_dir);
	CHECK_EQ(profile_load_text(path, text, strlen(text), PROFILE_TEXT_ONLY,
				   &cfg, &errs), 0);
	profile_errors_free(&errs);
	CHECK_EQ(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/new.img", scratch_dir);
	CHECK(access(path, F_OK) < 0, "loading created %s", path);
}

static void test_every_problem_is_reported_in_line_order(void)
{
	struct profile_errors errs;
	char want[2048];

	CHECK_EQ(load("many.ini", "[vm]\ncpus = 0\nmemory = 5\nfoo = 1\n"
		      "[disk]\npath = x\n[net.e]\nmode = tap\n", &errs), 6);
	snprintf(want, sizeof(want),
		 "%1$s/many.ini:0: kernel: missing (add kernel = PATH of a "
		 "bzImage to [boot])\n"
		 "%1$s/many.ini:2: cpus: \"0\" is out of range (use 1 to 16)\n"
		 "%1$s/many.ini:3: memory: \"5\" is not a size (use e.g. 512M "
		 "or 2G)\n"
		 "%1$s/many.ini:4: foo: unknown key in [vm] (use name, uuid, "
		 "cpus, memory, acpi, rtc, on_reboot, autostart)\n"
		 "%1$s/many.ini:5: [disk]: a disk section needs a name (write "
		 "[disk.NAME], e.g. [disk.root])\n"
		 "%1$s/many.ini:8: mode: tap needs a tap key in [net.e] (add "
		 "tap = tap0)\n", scratch_dir);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want), "got %s",
	      errs.lines.s);
	profile_errors_free(&errs);
}

static void test_unreadable_file(void)
{
	struct profile_errors errs;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/absent.ini", scratch_dir);
	CHECK_EQ(profile_load(path, &cfg, &errs), 1);
	CHECK(errs.lines.s && strstr(errs.lines.s, "absent.ini:0: cannot be "
				     "read: No such file or directory"),
	      "got %s", errs.lines.s);
	profile_errors_free(&errs);
}

/* What hyve import writes from its fixture scripts passes validation. */
static void test_imported_profiles_are_valid(void)
{
	glob_t g;
	int n = 0;

	if (glob("tests/import/*.sh", 0, NULL, &g)) {
		CHECK(0, "no tests/import/*.sh (run from the top of the tree)");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct import_options opts = { .source = g.gl_pathv[i] };
		struct import_result res;
		struct profile_errors errs;
		char out[256], *text;
		size_t len;

		text = slurp(g.gl_pathv[i], &len);
		if (!text)
			continue;
		CHECK_EQ(import_script(text, len, &opts, &res), 0);
		free(text);
		if (!res.profile) {
			import_result_free(&res);
			continue;
		}
		snprintf(out, sizeof(out), "%.*s.ini",
			 (int)(strlen(g.gl_pathv[i]) - 3), g.gl_pathv[i]);
		CHECK_EQ(profile_load_text(out, res.profile,
					   strlen(res.profile),
					   PROFILE_TEXT_ONLY, &cfg, &errs), 0);
		if (errs.lines.s)
			printf("%s", errs.lines.s);
		profile_errors_free(&errs);
		import_result_free(&res);
		n++;
	}
	globfree(&g);
	CHECK(n >= 5, "only %d imports checked", n);
}

int main(void)
{
	scratch_open("profile");
	/* the profiles above name DIR/vmlinuz as their kernel */
	scratch_write("vmlinuz", "");
	RUN_TEST(test_every_key_reaches_the_config);
	RUN_TEST(test_defaults);
	RUN_TEST(test_auto_mac);
	RUN_TEST(test_cmdline_continuation_lines);
	RUN_TEST(test_errors_name_file_and_line);
	RUN_TEST(test_missing_files);
	RUN_TEST(test_every_problem_is_reported_in_line_order);
	RUN_TEST(test_unreadable_file);
	RUN_TEST(test_imported_profiles_are_valid);
	scratch_close();
	CHECK_EXIT();
}
