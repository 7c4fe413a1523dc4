/* test-profile-check.c - `hyve check` as users run it: ok lines, exact messages, exit status 0/1/2, and no file created or changed. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/compat.h"

static char hyve[PATH_MAX], dir[64];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf b = { 0 };
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&b, buf, n);
	fclose(f);
	strbuf_add(&b, "", 0);
	return b.s;
}

/* Runs "hyve check ARGS" in dir; returns its exit status (-1: died). */
static int run_check(const char *args, char **out, char **err)
{
	char cmd[PATH_MAX + 1024], path[128];
	int st;

	/* the output goes beside dir, so that dir itself stays untouched */
	snprintf(cmd, sizeof(cmd), "cd '%1$s' && '%2$s' check %3$s "
		 ">'%1$s.out' 2>'%1$s.err'", dir, hyve, args);
	st = system(cmd);
	snprintf(path, sizeof(path), "%s.out", dir);
	*out = slurp(path);
	unlink(path);
	snprintf(path, sizeof(path), "%s.err", dir);
	*err = slurp(path);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Names, sizes and mtimes of every file in dir, one line each. */
static char *snapshot(void)
{
	struct strbuf b = { 0 };
	struct dirent **list;
	char line[512], path[PATH_MAX];
	int n = scandir(dir, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
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
	char cmd[160], rel[PATH_MAX];
	int rc;

	snprintf(rel, sizeof(rel), "%s/hyve", build ? build : "build");
	if (access(rel, X_OK) < 0 || !realpath(rel, hyve)) {
		printf("SKIP: test-profile-check: no %s (run make)\n", rel);
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/hyve-test-check-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	put("vmlinuz", "");
	put("good.ini", "[vm]\ncpus = 2\n[boot]\nkernel = vmlinuz\n");
	put("bad.ini", "[vm]\ncpus = 0\nrtc = gmt\n[boot]\nkernel = vmlinuz\n");
	put("elsewhere.ini", "[boot]\nkernel = nope\n");
	put("sized.ini", "[boot]\nkernel = vmlinuz\n[disk.d]\npath = new.img\n"
	    "format = raw\nsize = 1G\n");
	RUN_TEST(test_ok_and_errors);
	RUN_TEST(test_text_only);
	RUN_TEST(test_usage_errors);
	RUN_TEST(test_writes_nothing);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	CHECK_EXIT();
}
