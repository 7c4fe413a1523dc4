/* test-profile-corpus.c - each invalid profile in tests/profiles/invalid gives exactly its NAME.expect; each valid one loads clean. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiles/profile.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"

/* tests/run starts tests at the top of the tree. */
#define CORPUS		"tests/profiles/"
#define INVALID_MIN	150

static int is_ini(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".ini");
}

/* Shows the first line where want and got differ. */
static void show_difference(const char *want, const char *got)
{
	while (*want && *got) {
		size_t wl = strcspn(want, "\n"), gl = strcspn(got, "\n");

		if (wl != gl || memcmp(want, got, wl))
			break;
		want += wl + (want[wl] != '\0');
		got += gl + (got[gl] != '\0');
	}
	printf("    want: %.*s\n    got:  %.*s\n", (int)strcspn(want, "\n"),
	       want, (int)strcspn(got, "\n"), got);
}

/* One verdict line per profile, so tests/run counts each. */
static void verdict(const char *group, const char *name, int before)
{
	printf("%s: profile-corpus/%s/%s\n",
	       check_failures == before ? "PASS" : "FAIL", group, name);
}

static void check_invalid(const char *name, struct vm_config *cfg)
{
	struct profile_errors errs;
	char expect[512];
	char *want;
	size_t len = strlen(name) - 4;
	int n;

	snprintf(expect, sizeof(expect), "%.*s.expect", (int)len, name);
	want = slurp(expect, NULL);
	CHECK(want, "%s: %s", expect, strerror(errno));
	n = profile_load(name, cfg, &errs);
	CHECK(n > 0, "accepted");
	if (want && errs.lines.s) {
		unsigned lines = 0;

		for (const char *p = want; *p; p++)
			lines += *p == '\n';
		CHECK_EQ(errs.count, lines);
		CHECK(!strcmp(want, errs.lines.s), "messages differ");
		if (strcmp(want, errs.lines.s))
			show_difference(want, errs.lines.s);
	}
	profile_errors_free(&errs);
	free(want);
}

static void check_valid(const char *name, struct vm_config *cfg)
{
	struct profile_errors errs;

	CHECK_EQ(profile_load(name, cfg, &errs), 0);
	if (errs.lines.s)
		printf("%s", errs.lines.s);
	profile_errors_free(&errs);
}

/* Runs check on every NAME.ini in dir; returns how many there were. */
static int walk(const char *group, struct vm_config *cfg,
		void (*check)(const char *, struct vm_config *))
{
	struct dirent **list;
	char top[PATH_MAX], dir[PATH_MAX];
	int n;

	snprintf(dir, sizeof(dir), CORPUS "%s", group);
	if (!getcwd(top, sizeof(top)) || chdir(dir) < 0) {
		printf("FAIL: profile-corpus/%s: %s: %s\n", group, dir,
		       strerror(errno));
		check_failures++;
		return 0;
	}
	n = scandir(".", &list, is_ini, alphasort);
	for (int i = 0; i < n; i++) {
		int before = check_failures;

		check(list[i]->d_name, cfg);
		verdict(group, list[i]->d_name, before);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	if (chdir(top) < 0)
		check_failures++;
	return n;
}

int main(void)
{
	struct vm_config *cfg = malloc(sizeof(*cfg));
	int invalid, valid;

	if (!cfg)
		return 1;
	invalid = walk("invalid", cfg, check_invalid);
	valid = walk("valid", cfg, check_valid);
	check_current = "corpus size";
	CHECK(invalid >= INVALID_MIN, "%d invalid profiles, want %d", invalid,
	      INVALID_MIN);
	CHECK(valid >= 10, "%d valid profiles", valid);
	printf("%s: profile-corpus/size (%d invalid, %d valid)\n",
	       invalid >= INVALID_MIN && valid >= 10 ? "PASS" : "FAIL",
	       invalid, valid);
	free(cfg);
	CHECK_EXIT();
}
