/* test-profile.c - the profile loader: keys, relative paths, continued cmdline, and file:line errors. */
#include <stdlib.h>
#include <unistd.h>

#include "profiles/profile.h"
#include "tests/unit/check.h"
#include "vmm/compat.h"

static char dir[64];

/* Writes text to DIR/name and loads it; returns the problem count. */
static int load(const char *name, const char *text, struct vm_config *cfg,
		struct profile_errors *errs)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return profile_load(path, cfg, errs);
}

static void test_valid_profile(void)
{
	struct vm_config cfg;
	struct profile_errors errs;
	char want[256];

	CHECK_EQ(load("debian.ini",
		      "; a comment\n[vm]\ncpus = 4\nmemory = 2G\n"
		      "on_reboot = exit\n\n[boot]\nkernel = vmlinuz\n"
		      "cmdline = console=ttyS0 quiet\n", &cfg, &errs), 0);
	CHECK(!strcmp(cfg.name, "debian"), "name %s", cfg.name);
	CHECK_EQ(cfg.cpus, 4);
	CHECK_EQ(cfg.memory, 2ULL << 30);
	CHECK_EQ(cfg.on_reboot, VM_REBOOT_EXIT);
	snprintf(want, sizeof(want), "%s/vmlinuz", dir);
	CHECK(!strcmp(cfg.kernel, want), "kernel %s", cfg.kernel);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 quiet"), "cmdline %s",
	      cfg.cmdline);
	profile_errors_free(&errs);
}

static void test_cmdline_continuation_lines(void)
{
	struct vm_config cfg;
	struct profile_errors errs;

	CHECK_EQ(load("long.ini",
		      "[boot]\nkernel = vmlinuz\ncmdline = console=ttyS0\n"
		      "  root=/dev/vda1 ro\n\tquiet\n", &cfg, &errs), 0);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 root=/dev/vda1 ro quiet"),
	      "cmdline \"%s\"", cfg.cmdline);
	profile_errors_free(&errs);
}

/* Each bad profile yields exactly this one message. */
static void expect_error(const char *text, const char *message)
{
	struct vm_config cfg;
	struct profile_errors errs;
	char want[512];

	snprintf(want, sizeof(want), "%s/bad.ini:%s\n", dir, message);
	CHECK_EQ(load("bad.ini", text, &cfg, &errs), 1);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want), "got \"%s\"\nwant \"%s\"",
	      errs.lines.s ? errs.lines.s : "", want);
	profile_errors_free(&errs);
}

static void test_errors_name_file_and_line(void)
{
	expect_error("[vm]\nmemory = 2X\n[boot]\nkernel = vmlinuz\n",
		     "2: memory: \"2X\" is not valid (use a size with a unit "
		     "from 16M to 1T, e.g. 512M or 2G)");
	expect_error("[vm]\ncpus = 17\n[boot]\nkernel = vmlinuz\n",
		     "2: cpus: \"17\" is not valid (use a number from 1 to 16)");
	expect_error("[vm]\ncpus = 2\ncpus = 3\n[boot]\nkernel = vmlinuz\n",
		     "3: cpus: duplicated key (first set on line 2; keep one)");
	expect_error("[vm]\nmemory = 1G\n  2G\n[boot]\nkernel = vmlinuz\n",
		     "3: memory: an indented line continues the key above it, "
		     "and only cmdline may be continued (remove the "
		     "indentation)");
	expect_error("[vm]\nmemroy = 1G\n[boot]\nkernel = vmlinuz\n",
		     "2: memroy: unknown key in [vm]");
}

static void test_missing_kernel(void)
{
	struct vm_config cfg;
	struct profile_errors errs;

	CHECK_EQ(load("nokernel.ini", "[boot]\nkernel = nope\n", &cfg, &errs),
		 1);
	CHECK(errs.lines.s && strstr(errs.lines.s, "nokernel.ini:2: kernel: ") &&
	      strstr(errs.lines.s, "/nope: No such file or directory"),
	      "got %s", errs.lines.s);
	profile_errors_free(&errs);
	CHECK_EQ(load("nokey.ini", "[vm]\ncpus = 1\n", &cfg, &errs), 1);
	CHECK(errs.lines.s && strstr(errs.lines.s, "[boot] kernel is missing"),
	      "got %s", errs.lines.s);
	profile_errors_free(&errs);
}

static void test_every_problem_is_reported(void)
{
	struct vm_config cfg;
	struct profile_errors errs;

	CHECK_EQ(load("many.ini", "[vm]\ncpus = 0\nmemory = 5\nfoo = 1\n"
		      "[disk]\npath = x\n", &cfg, &errs), 5);
	profile_errors_free(&errs);
}

int main(void)
{
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/hyve-test-profile-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	/* the profiles above name DIR/vmlinuz as their kernel */
	snprintf(cmd, sizeof(cmd), "%s/vmlinuz", dir);
	fclose(fopen(cmd, "w"));
	RUN_TEST(test_valid_profile);
	RUN_TEST(test_cmdline_continuation_lines);
	RUN_TEST(test_errors_name_file_and_line);
	RUN_TEST(test_missing_kernel);
	RUN_TEST(test_every_problem_is_reported);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	CHECK_EXIT();
}
