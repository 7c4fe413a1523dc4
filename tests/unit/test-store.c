/* test-store.c - the profile store: folder precedence (-d, HYVE_PROFILES, XDG), listing with broken profiles, create, clone, rename, delete to .trash. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile-doc.h"
#include "profiles/store.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"

#define S(s) ((s) ? (s) : "(null)")

static char store[PATH_MAX];

/* A path in the store folder (scratch_path's turns of buffers). */
static char *in_store(const char *name)
{
	return scratch_path("profiles/%s", name);
}

static char *doc_value(const char *path, const char *section,
		       const char *key)
{
	struct profile_doc *doc;
	char err[VM_ERR_MAX], *v;

	if (profile_doc_load(&doc, path, err))
		return NULL;
	v = profile_doc_get(doc, section, key);
	profile_doc_free(doc);
	return v;
}

static void expect_dir(const char *opt, const char *want,
		       enum store_source want_source)
{
	char dir[PATH_MAX], err[VM_ERR_MAX] = "";
	enum store_source source;

	CHECK(store_dir(opt, dir, &source, err) == 0, "%s", err);
	CHECK(!strcmp(dir, want), "dir %s, want %s", dir, want);
	CHECK_EQ(source, want_source);
}

static void test_folder_precedence(void)
{
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("HOME", "/home/h", 1);
	unsetenv("HYVE_PROFILES");
	unsetenv("XDG_CONFIG_HOME");
	expect_dir(NULL, "/home/h/.config/hyve/profiles", STORE_FROM_HOME);
	setenv("XDG_CONFIG_HOME", "", 1);
	expect_dir(NULL, "/home/h/.config/hyve/profiles", STORE_FROM_HOME);
	setenv("XDG_CONFIG_HOME", "relative/cfg", 1);
	expect_dir(NULL, "/home/h/.config/hyve/profiles", STORE_FROM_HOME);
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	expect_dir(NULL, "/x/cfg/hyve/profiles", STORE_FROM_XDG);
	expect_dir("", "/x/cfg/hyve/profiles", STORE_FROM_XDG);
	setenv("HYVE_PROFILES", "", 1);
	expect_dir(NULL, "/x/cfg/hyve/profiles", STORE_FROM_XDG);
	setenv("HYVE_PROFILES", "/env/profiles", 1);
	expect_dir(NULL, "/env/profiles", STORE_FROM_ENV);
	expect_dir("/opt/p", "/opt/p", STORE_FROM_OPTION);
	unsetenv("HYVE_PROFILES");
	unsetenv("XDG_CONFIG_HOME");
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(home);
}

static const char good[] =
	"; %s - a good one\n[vm]\ncpus = %d\nmemory = %s\n\n[boot]\n"
	"kernel = vmlinuz\ncmdline = console=ttyS0\n";

static void write_good(const char *name, int cpus, const char *memory)
{
	char text[256], file[64];

	snprintf(file, sizeof(file), "%s.ini", name);
	snprintf(text, sizeof(text), good, name, cpus, memory);
	write_file(in_store(file), text);
}

static void test_list_with_broken_profile(void)
{
	char err[VM_ERR_MAX] = "", missing[PATH_MAX];
	struct store_list list;
	const struct store_entry *e;

	write_good("zeta", 2, "2G");
	write_good("alpha", 1, "512M");
	write_file(in_store("broken.ini"), "[vm]\ncpus = 99\n[boot]\n"
		   "kernel = vmlinuz\n");
	write_file(in_store("notes.txt"), "not a profile\n");
	write_file(in_store(".hidden.ini"), "[vm]\n");
	mkdir(in_store("folder.ini"), 0755);
	mkdir(in_store(".trash"), 0700);
	write_file(in_store(".trash/old.ini"), "[vm]\n");
	CHECK(store_list(store, &list, err) == 0, "%s", err);
	CHECK_EQ(list.count, 3);
	if (list.count != 3) {
		store_list_free(&list);
		return;
	}
	CHECK(!strcmp(list.entry[0].name, "alpha") &&
	      !strcmp(list.entry[1].name, "broken") &&
	      !strcmp(list.entry[2].name, "zeta"), "order %s %s %s",
	      list.entry[0].name, list.entry[1].name, list.entry[2].name);
	e = &list.entry[0];
	CHECK(e->valid && e->cfg, "alpha invalid: %s", S(e->errs.lines.s));
	if (e->cfg) {
		CHECK_EQ(e->cfg->cpus, 1);
		CHECK_EQ(e->cfg->memory, 512ULL << 20);
	}
	CHECK(!strcmp(e->path, in_store("alpha.ini")), "path %s", e->path);
	e = &list.entry[1];
	CHECK(!e->valid && !e->cfg && e->errs.count >= 1, "broken is valid");
	CHECK(e->errs.lines.s && strstr(e->errs.lines.s, "broken.ini:2:") &&
	      strstr(e->errs.lines.s, "cpus"), "errors: %s",
	      S(e->errs.lines.s));
	e = &list.entry[2];
	CHECK(e->valid && e->cfg && e->cfg->cpus == 2 &&
	      e->cfg->memory == 2ULL << 30, "zeta: %s", S(e->errs.lines.s));
	store_list_free(&list);

	/* a store that does not exist yet is empty, not an error */
	snprintf(missing, sizeof(missing), "%s/none/profiles", scratch_dir);
	CHECK(store_list(missing, &list, err) == 0, "%s", err);
	CHECK_EQ(list.count, 0);
	store_list_free(&list);
}

static bool is_uuid(const char *s)
{
	return s && strlen(s) == VM_UUID_LEN && s[8] == '-' && s[13] == '-' &&
	       strspn(s, "0123456789abcdef-") == VM_UUID_LEN;
}

static void test_create_from_template(void)
{
	char err[VM_ERR_MAX] = "", fresh[PATH_MAX], path[PATH_MAX + 16];
	char *v, *text;
	struct stat st;
	static const char *const bad[] = { "", "a b", "../up", ".hidden",
					   "x/y", "semi;colon" };

	/* the folder is made (0700) when it is missing */
	snprintf(fresh, sizeof(fresh), "%s/new/hyve/profiles", scratch_dir);
	CHECK(store_create(fresh, "web", err) == 0, "%s", err);
	CHECK(stat(fresh, &st) == 0 && (st.st_mode & 0777) == 0700, "mode %o",
	      st.st_mode & 0777);
	snprintf(path, sizeof(path), "%s/web.ini", fresh);
	v = doc_value(path, "vm", "name");
	CHECK(v && !strcmp(v, "web"), "name %s", S(v));
	free(v);
	v = doc_value(path, "vm", "uuid");
	CHECK(is_uuid(v), "uuid %s", S(v));
	free(v);
	v = doc_value(path, "boot", "kernel");
	CHECK(v && !strcmp(v, "/path/to/vmlinuz"), "kernel %s", S(v));
	free(v);
	text = slurp(path, NULL);
	CHECK(text && strstr(text, "; web.ini - a hyve VM profile") &&
	      strstr(text, "hyve-profile(5)"), "template:\n%s", S(text));
	free(text);

	/* never over an existing profile; bad names refused */
	write_file(path, "[vm]\n; mine\n");
	CHECK_EQ(store_create(fresh, "web", err), -EEXIST);
	CHECK(strstr(err, path) && strstr(err, "exists"), "%s", err);
	text = slurp(path, NULL);
	CHECK(text && !strcmp(text, "[vm]\n; mine\n"), "overwritten");
	free(text);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK_EQ(store_create(fresh, bad[i], err), -EINVAL);
		CHECK(strstr(err, "not a valid profile name"), "%s: %s", bad[i],
		      err);
	}
}

/* a and b are the same but for lines starting with the given prefixes */
static void expect_same_but(const char *a, const char *b, const char *p1,
			    const char *p2)
{
	while (a && b && (*a || *b)) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		bool skip_a = !strncmp(a, p1, strlen(p1)) ||
			      !strncmp(a, p2, strlen(p2));
		bool skip_b = !strncmp(b, p1, strlen(p1)) ||
			      !strncmp(b, p2, strlen(p2));

		if (skip_a != skip_b) {
			CHECK(0, "one copy lacks \"%.*s\"", (int)(skip_a ? la : lb),
			      skip_a ? a : b);
			return;
		}
		if (!skip_a)
			CHECK(la == lb && !memcmp(a, b, la), "\"%.*s\" vs "
			      "\"%.*s\"", (int)la, a, (int)lb, b);
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

static void test_clone(void)
{
	const char *src_text = "; original, with comments\n[vm]\n"
			       "name = orig   ; the name\n"
			       "uuid = 11111111-2222-4333-8444-555555555555\n"
			       "cpus = 3\n\n[boot]\nkernel = vmlinuz\n";
	char err[VM_ERR_MAX] = "", *a, *b, *v;

	write_file(in_store("orig.ini"), src_text);
	CHECK(store_clone(store, "orig", "copy", err) == 0, "%s", err);
	a = slurp(in_store("orig.ini"), NULL);
	b = slurp(in_store("copy.ini"), NULL);
	CHECK(a && !strcmp(a, src_text), "the original changed");
	expect_same_but(a, b, "name =", "uuid =");
	v = doc_value(in_store("copy.ini"), "vm", "name");
	CHECK(v && !strcmp(v, "copy"), "name %s", S(v));
	CHECK(b && strstr(b, "name = copy   ; the name\n"), "%s", S(b));
	free(v);
	v = doc_value(in_store("copy.ini"), "vm", "uuid");
	CHECK(is_uuid(v) && strcmp(v, "11111111-2222-4333-8444-555555555555"),
	      "uuid %s", S(v));
	free(v);
	free(a);
	free(b);

	CHECK_EQ(store_clone(store, "orig", "copy", err), -EEXIST);
	CHECK_EQ(store_clone(store, "nosuch", "copy2", err), -ENOENT);
	CHECK(strstr(err, "nosuch.ini") && strstr(err, "no such profile"),
	      "%s", err);
	CHECK(access(in_store("copy2.ini"), F_OK) != 0, "copy2 made");
}

static void test_rename(void)
{
	char err[VM_ERR_MAX] = "", *v, *t;

	write_file(in_store("old.ini"), "[vm]\nname = old\ncpus = 1\n");
	write_file(in_store("taken.ini"), "[vm]\nname = taken\n");
	CHECK_EQ(store_rename(store, "old", "taken", err), -EEXIST);
	t = slurp(in_store("old.ini"), NULL);
	CHECK(t && !strcmp(t, "[vm]\nname = old\ncpus = 1\n"), "old changed");
	free(t);
	t = slurp(in_store("taken.ini"), NULL);
	CHECK(t && !strcmp(t, "[vm]\nname = taken\n"), "target changed");
	free(t);

	CHECK(store_rename(store, "old", "new", err) == 0, "%s", err);
	CHECK(access(in_store("old.ini"), F_OK) != 0, "old.ini still there");
	v = doc_value(in_store("new.ini"), "vm", "name");
	CHECK(v && !strcmp(v, "new"), "name %s", S(v));
	free(v);
	v = doc_value(in_store("new.ini"), "vm", "cpus");
	CHECK(v && !strcmp(v, "1"), "cpus %s", S(v));
	free(v);
	CHECK_EQ(store_rename(store, "old", "other", err), -ENOENT);
	CHECK_EQ(store_rename(store, "new", "bad name", err), -EINVAL);
}

static void test_delete_to_trash(void)
{
	char err[VM_ERR_MAX] = "", trashed[PATH_MAX], *t;

	write_file(in_store("tmp.ini"), "[vm]\n; first\n");
	CHECK(store_delete(store, "tmp", trashed, err) == 0, "%s", err);
	CHECK(!strcmp(trashed, in_store(".trash/tmp.ini")), "to %s", trashed);
	CHECK(access(in_store("tmp.ini"), F_OK) != 0, "still in the store");
	write_file(in_store("tmp.ini"), "[vm]\n; second\n");
	CHECK(store_delete(store, "tmp", trashed, err) == 0, "%s", err);
	CHECK(!strcmp(trashed, in_store(".trash/tmp.1.ini")), "to %s",
	      trashed);
	t = slurp(in_store(".trash/tmp.ini"), NULL);
	CHECK(t && !strcmp(t, "[vm]\n; first\n"), "first copy: %s", S(t));
	free(t);
	t = slurp(in_store(".trash/tmp.1.ini"), NULL);
	CHECK(t && !strcmp(t, "[vm]\n; second\n"), "second copy: %s", S(t));
	free(t);
	CHECK_EQ(store_delete(store, "tmp", trashed, err), -ENOENT);
}

int main(void)
{
	scratch_open("store");
	str_copy(store, scratch_path("profiles"), sizeof(store));
	mkdir(store, 0700);
	write_file(in_store("vmlinuz"), "");
	RUN_TEST(test_folder_precedence);
	RUN_TEST(test_list_with_broken_profile);
	RUN_TEST(test_create_from_template);
	RUN_TEST(test_clone);
	RUN_TEST(test_rename);
	RUN_TEST(test_delete_to_trash);
	scratch_close();
	CHECK_EXIT();
}
