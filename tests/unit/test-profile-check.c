/* test-profile-check.c - `hyve check` as users run it: ok lines, exact messages, exit status 0/1/2, and no file created or changed. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tests/unit/scratch.h"
#include "vmm/compat.h"

static char hyve[PATH_MAX];

/* Runs "hyve check ARGS" in dir; returns its exit status (-1: died). */
static int run_check(const char *args, char **out, char **err)
{
	char cmd[3 * PATH_MAX], path[PATH_MAX];
	int st;

	/* the output goes beside dir, so that dir itself stays untouched */
	snprintf(cmd, sizeof(cmd), "cd '%1$s' && '%2$s' check %3$s "
		 ">'%1$s.out' 2>'%1$s.err'", scratch_dir, hyve, args);
	st = system(cmd);
	snprintf(path, sizeof(path), "%s.out", scratch_dir);
	*out = slurp(path, NULL);
	unlink(path);
	snprintf(path, sizeof(path), "%s.err", scratch_dir);
	*err = slurp(path, NULL);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Names, sizes and mtimes of every file in dir, one line each. */
static char *snapshot(void)
{
	struct strbuf b = { 0 };
	struct dirent **list;
	char line[512], path[PATH_MAX];
	int n = scandir(scratch_dir, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", scratch_dir,
			 list[i]->d_name);
		if (strcmp(list[i]->d_name, "..") && stat(path, &st) == 0) {
			snprintf(line, sizeof(line), "%s %lld %lld.%09ld\n",
				 list[i]->d_name, (long long)st.st_size,
				 (long long)st.st_mtim.tv_sec,
				 st.st_mtim.tv_nsec);
			strbuf_add(&b, line, strlen(line));
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return b.s;
}

static void test_ok_and_errors(void)
{
	char *out, *err;

	CHECK_EQ(run_check("good.ini bad.ini good.ini", &out, &err), 1);
	CHECK(out && !strcmp(out, "good.ini: ok\ngood.ini: ok\n"), "out %s",
	      out);
	CHECK(err && !strcmp(err, "bad.ini:2: cpus: \"0\" is out of range "
			     "(use 1 to 16)\nbad.ini:3: rtc: \"gmt\" is not "
			     "an rtc mode (use utc or localtime)\n"),
	      "err %s", err);
	free(out);
	free(err);
	CHECK_EQ(run_check("good.ini", &out, &err), 0);
	CHECK(err && !*err, "err %s", err);
	free(out);
	free(err);
}

static void test_text_only(void)
{
	char *out, *err;

	CHECK_EQ(run_check("elsewhere.ini", &out, &err), 1);
	CHECK(err && strstr(err, "elsewhere.ini:2: kernel: ./nope: No such "
			    "file or directory"), "err %s", err);
	free(out);
	free(err);
	CHECK_EQ(run_check("-t elsewhere.ini", &out, &err), 0);
	CHECK(out && !strcmp(out, "elsewhere.ini: ok\n"), "out %s", out);
	free(out);
	free(err);
}

static void test_usage_errors(void)
{
	char *out, *err;

	CHECK_EQ(run_check("", &out, &err), 2);
	CHECK(err && strstr(err, "usage: hyve check"), "err %s", err);
	free(out);
	free(err);
	CHECK_EQ(run_check("-z good.ini", &out, &err), 2);
	free(out);
	free(err);
	CHECK_EQ(run_check("missing.ini", &out, &err), 1);
	CHECK(err && !strcmp(err, "missing.ini:0: cannot be read: No such "
			     "file or directory (check the file name)\n"),
	      "err %s", err);
	free(out);
	free(err);
}

/* A disk with a size may be created by hyve run, never by hyve check. */
static void test_writes_nothing(void)
{
	char *before, *after, *out, *err;

	before = snapshot();
	CHECK_EQ(run_check("good.ini bad.ini sized.ini", &out, &err), 1);
	free(out);
	free(err);
	after = snapshot();
	CHECK(before && after && !strcmp(before, after),
	      "before:\n%s\nafter:\n%s", before, after);
	free(before);
	free(after);
}

int main(void)
{
	const char *build = getenv("BUILD");
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/hyve", build ? build : "build");
	if (access(rel, X_OK) < 0 || !realpath(rel, hyve)) {
		printf("SKIP: test-profile-check: no %s (run make)\n", rel);
		return 0;
	}
	scratch_open("check");
	scratch_write("vmlinuz", "");
	scratch_write("good.ini", "[vm]\ncpus = 2\n[boot]\nkernel = vmlinuz\n");
	scratch_write("bad.ini", "[vm]\ncpus = 0\nrtc = gmt\n[boot]\n"
		      "kernel = vmlinuz\n");
	scratch_write("elsewhere.ini", "[boot]\nkernel = nope\n");
	scratch_write("sized.ini", "[boot]\nkernel = vmlinuz\n[disk.d]\n"
		      "path = new.img\nformat = raw\nsize = 1G\n");
	RUN_TEST(test_ok_and_errors);
	RUN_TEST(test_text_only);
	RUN_TEST(test_usage_errors);
	RUN_TEST(test_writes_nothing);
	scratch_close();
	CHECK_EXIT();
}
