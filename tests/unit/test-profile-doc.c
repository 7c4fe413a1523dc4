/* test-profile-doc.c - saving profiles in place: one changed line per changed key, comments, CRLF, continuations, refusal of external changes, uuid once, no temp files left, removing sections. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile-doc.h"
#include "profiles/profile.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"
#include "vmm/vmm.h"

/* For messages: a NULL string printed safely. */
#define S(s) ((s) ? (s) : "(null)")

static const char commented[] =
	"; ubuntu.ini - a hand-written profile\n"
	"# with both comment styles\n"
	"\n"
	"[vm]\n"
	"name = ubuntu            ; default: the file name\n"
	"uuid = 8e7af180-c54d-4aa2-9bef-59d94a1ac572\n"
	"cpus=2\n"
	"memory = 2G              ; k/m/g/t binary suffixes\n"
	"   \n"
	"; the boot section follows\n"
	"\n"
	"[boot]\n"
	"kernel = vmlinuz\n"
	"cmdline = console=ttyS0\n"
	"\troot=/dev/vda1 ro\n"
	"; a comment between continuations\n"
	"  quiet\n"
	"\n"
	"[disk.root]\n"
	"path: ubuntu.img\n"
	"format = raw\n"
	"; trailing comment\n";

static struct profile_doc *load(const char *name, const char *text)
{
	struct profile_doc *doc = NULL;
	char err[VM_ERR_MAX] = "";

	write_file(scratch_path("%s", name), text);
	CHECK(profile_doc_load(&doc, scratch_path("%s", name), err) == 0,
	      "load: %s", err);
	return doc;
}

/* Splits text at '\n' into at most max lines (pointers into a copy). */
static size_t lines_of(char *text, char **line, size_t max)
{
	size_t n = 0;

	for (char *p = text; *p && n < max;) {
		char *nl = strchr(p, '\n');

		line[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* before and after differ exactly in line `at` (1-based), which is now want. */
static void expect_one_line_changed(const char *before, const char *after,
				    size_t at, const char *want)
{
	char *a = strdup(before), *b = strdup(after), *la[64], *lb[64];
	size_t na = lines_of(a, la, 64), nb = lines_of(b, lb, 64);

	CHECK_EQ(nb, na);
	for (size_t i = 0; i < MIN(na, nb); i++) {
		if (i + 1 == at)
			CHECK(!strcmp(lb[i], want), "line %zu is \"%s\", want "
			      "\"%s\"", at, lb[i], S(want));
		else
			CHECK(!strcmp(la[i], lb[i]), "line %zu changed: \"%s\" "
			      "-> \"%s\"", i + 1, la[i], lb[i]);
	}
	free(a);
	free(b);
}

static void save_ok(struct profile_doc *doc)
{
	char err[VM_ERR_MAX] = "";

	CHECK(profile_doc_save(doc, err) == 0, "save: %s", err);
}

/* doc reads want as [section] key. */
static void expect_value(const struct profile_doc *doc, const char *section,
			 const char *key, const char *want)
{
	char *v = profile_doc_get(doc, section, key);

	CHECK(v && !strcmp(v, want), "[%s] %s is \"%s\", want \"%s\"",
	      section, key, S(v), want);
	free(v);
}

static void test_round_trip_changes_one_line(void)
{
	struct profile_doc *doc = load("ubuntu.ini", commented);
	char err[VM_ERR_MAX] = "", *after;

	if (!doc)
		return;
	CHECK(profile_doc_set(doc, "vm", "memory", "512M", 0, err) == 0, "%s",
	      err);
	save_ok(doc);
	after = slurp(scratch_path("ubuntu.ini"), NULL);
	/* the comment keeps its column */
	expect_one_line_changed(commented, after ? after : "", 8,
				"memory = 512M            ; k/m/g/t binary "
				"suffixes");
	free(after);

	/* a longer value, on a line written without blanks */
	CHECK(profile_doc_set(doc, "vm", "cpus", "12", 0, err) == 0, "%s", err);
	CHECK(profile_doc_set(doc, "vm", "name", "a-much-longer-vm-name", 0,
			      err) == 0, "%s", err);
	save_ok(doc);
	after = slurp(scratch_path("ubuntu.ini"), NULL);
	CHECK(after && strstr(after, "\ncpus=12\n"), "cpus line: %s", S(after));
	CHECK(after && strstr(after, "\nname = a-much-longer-vm-name ; "
			      "default: the file name\n"), "name line: %s", S(after));
	free(after);
	profile_doc_free(doc);
}

static void test_read_back_through_libinih(void)
{
	struct profile_doc *doc = load("ubuntu.ini", commented);
	struct profile_errors errs;
	struct vm_config cfg;

	if (!doc)
		return;
	expect_value(doc, "boot", "cmdline",
		     "console=ttyS0 root=/dev/vda1 ro quiet");
	expect_value(doc, "disk.root", "path", "ubuntu.img");
	expect_value(doc, "vm", "name", "ubuntu");
	CHECK(profile_doc_get(doc, "vm", "kernel") == NULL, "kernel in [vm]");
	CHECK(profile_doc_get(doc, "net.eth0", "mode") == NULL, "no [net]");
	CHECK_EQ(profile_doc_count(doc, "boot", "cmdline"), 1);
	/* the loader (libinih itself) agrees about the continuation */
	profile_load(scratch_path("ubuntu.ini"), &cfg, &errs);
	CHECK(!strcmp(cfg.cmdline, "console=ttyS0 root=/dev/vda1 ro quiet"),
	      "loader cmdline \"%s\"", cfg.cmdline);
	profile_errors_free(&errs);
	profile_doc_free(doc);
}

static void test_new_key_and_new_section(void)
{
	struct profile_doc *doc = load("add.ini", commented);
	char err[VM_ERR_MAX] = "", *after, *want;
	const char *mark = "memory = 2G              ; k/m/g/t binary "
			   "suffixes\n";
	size_t cut;

	if (!doc)
		return;
	CHECK(profile_doc_set(doc, "vm", "acpi", "yes", 0, err) == 0, "%s",
	      err);
	CHECK(profile_doc_set(doc, "rng", "type", "virtio-rng", 0, err) == 0,
	      "%s", err);
	save_ok(doc);
	after = slurp(scratch_path("add.ini"), NULL);
	/* acpi right after the last key of [vm], before its closing
	 * blank and comment lines; [rng] at the end after a blank line */
	cut = (size_t)(strstr(commented, mark) - commented) + strlen(mark);
	if (asprintf(&want, "%.*sacpi = yes\n%s\n[rng]\ntype = virtio-rng\n",
		     (int)cut, commented, commented + cut) < 0)
		want = NULL;
	CHECK(after && want && !strcmp(after, want), "got:\n%s\nwant:\n%s",
	      after, S(want));
	free(want);
	free(after);
	profile_doc_free(doc);

	/* a key for a section that has none goes right under its header */
	doc = load("empty-section.ini", "[vm]\n; no keys yet\n\n[boot]\n");
	if (!doc)
		return;
	CHECK(profile_doc_set(doc, "boot", "kernel", "k", 0, err) == 0, "%s",
	      err);
	CHECK(profile_doc_set(doc, "vm", "cpus", "1", 0, err) == 0, "%s", err);
	after = profile_doc_text(doc, NULL);
	CHECK(after && !strcmp(after, "[vm]\ncpus = 1\n; no keys yet\n\n"
			       "[boot]\nkernel = k\n"), "got:\n%s", S(after));
	free(after);
	profile_doc_free(doc);
}

static void test_continuation_lines_replaced(void)
{
	struct profile_doc *doc = load("cont.ini", commented);
	struct profile_errors errs;
	struct vm_config cfg;
	char err[VM_ERR_MAX] = "", *after;
	char longer[600];
	size_t n = 0;

	if (!doc)
		return;
	CHECK(profile_doc_set(doc, "boot", "cmdline", "console=hvc0", 0, err)
	      == 0, "%s", err);
	after = profile_doc_text(doc, NULL);
	/* both continuations gone, the comment between them kept */
	CHECK(after && strstr(after, "cmdline = console=hvc0\n; a comment "
			      "between continuations\n\n[disk.root]"),
	      "got:\n%s", S(after));
	free(after);

	/* too long for one line: refused, or wrapped on request */
	while (n < 500)
		n += (size_t)snprintf(longer + n, sizeof(longer) - n,
				      "opt%zu=value%zu ", n, n);
	longer[n - 1] = '\0';
	CHECK(profile_doc_set(doc, "boot", "cmdline", longer, 0, err) ==
	      -EINVAL, "a %zu-byte line accepted", strlen(longer));
	CHECK(strstr(err, "198") != NULL, "message: %s", err);
	CHECK(profile_doc_set(doc, "boot", "cmdline", longer, PROFILE_DOC_WRAP,
			      err) == 0, "%s", err);
	expect_value(doc, "boot", "cmdline", longer);
	save_ok(doc);
	after = slurp(scratch_path("cont.ini"), NULL);
	for (char *p = after; p && *p;) {
		size_t len = strcspn(p, "\n");

		CHECK(len <= PROFILE_DOC_LINE_MAX, "a %zu-byte line", len);
		p += len + (p[len] == '\n');
	}
	free(after);
	/* text only: the kernel and disk image named are not there */
	CHECK(profile_load_file(scratch_path("cont.ini"), PROFILE_TEXT_ONLY,
				&cfg, &errs) == 0, "%s", S(errs.lines.s));
	CHECK(!strcmp(cfg.cmdline, longer), "loader cmdline \"%s\"",
	      cfg.cmdline);
	profile_errors_free(&errs);
	profile_doc_free(doc);
}

static void test_crlf_stays_crlf(void)
{
	const char *text = "; dos\r\n[vm]\r\ncpus = 1   ; one\r\n\r\n"
			   "[boot]\r\nkernel = k\r\n";
	struct profile_doc *doc = load("dos.ini", text);
	char err[VM_ERR_MAX] = "", *after, *want, *uuid;

	if (!doc)
		return;
	CHECK(profile_doc_set(doc, "vm", "cpus", "4", 0, err) == 0, "%s", err);
	CHECK(profile_doc_set(doc, "vm", "memory", "1G", 0, err) == 0, "%s",
	      err);
	CHECK(profile_doc_set(doc, "serial", "com1", "console", 0, err) == 0,
	      "%s", err);
	save_ok(doc);
	after = slurp(scratch_path("dos.ini"), NULL);
	uuid = profile_doc_get(doc, "vm", "uuid");
	if (asprintf(&want, "; dos\r\n[vm]\r\ncpus = 4   ; one\r\n"
		     "memory = 1G\r\nuuid = %s\r\n\r\n[boot]\r\nkernel = k"
		     "\r\n\r\n[serial]\r\ncom1 = console\r\n", uuid) < 0)
		want = NULL;
	CHECK(after && want && !strcmp(after, want), "got:\n%s", S(after));
	free(want);
	free(uuid);
	/* and the uuid line, also CRLF: no bare LF anywhere */
	for (char *p = after; p && (p = strchr(p, '\n')); p++)
		CHECK(p > after && p[-1] == '\r', "a bare LF at %zu",
		      (size_t)(p - after));
	free(after);
	profile_doc_free(doc);
}

static void test_values_that_would_not_round_trip(void)
{
	struct profile_doc *doc = load("refuse.ini", "[vm]\ncpus = 1\n");
	static const char *const bad[] = {
		"two\nlines", "cr\rhere", " leading", "trailing ", "a ;b",
		";start", "tab\t;comment", "bell\a",
	};
	char err[VM_ERR_MAX];

	if (!doc)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK(profile_doc_set(doc, "vm", "cpus", bad[i], 0, err) ==
		      -EINVAL, "accepted \"%s\"", bad[i]);
		CHECK(!strncmp(err, "cpus: ", 6), "message \"%s\"", err);
	}
	CHECK(profile_doc_set(doc, "vm", "bad key", "1", 0, err) == -EINVAL,
	      "a key with a blank");
	CHECK(profile_doc_set(doc, "v]m", "k", "1", 0, err) == -EINVAL,
	      "a section with ]");
	/* these are fine: ';' inside a word, '#', '=' and ':' in values */
	CHECK(profile_doc_set(doc, "vm", "cpus", "a;b #c d=e:f", 0, err) == 0,
	      "%s", err);
	expect_value(doc, "vm", "cpus", "a;b #c d=e:f");
	profile_doc_free(doc);

	/* a NUL byte: not a profile */
	write_file(scratch_path("nul.ini"), "[vm]\n");
	{
		int fd = open(scratch_path("nul.ini"), O_WRONLY | O_APPEND);

		CHECK(fd >= 0 && write(fd, "a = \0\n", 6) == 6, "append");
		close(fd);
	}
	doc = NULL;
	CHECK(profile_doc_load(&doc, scratch_path("nul.ini"), err) == -EINVAL,
	      "NUL accepted");
	CHECK(strstr(err, "nul.ini") && strstr(err, "NUL"), "message %s", err);
	profile_doc_free(doc);
}

static void test_empty_values_and_odd_spacing(void)
{
	struct profile_doc *doc = load("odd.ini",
		"[vm]\nname =\ncpus=\nmemory = ; later\n  \n[boot]\n"
		"kernel=k\ncmdline :  quiet   ; spaced\n");
	char err[VM_ERR_MAX] = "", *after;

	if (!doc)
		return;
	CHECK(!profile_doc_set(doc, "vm", "name", "n", 0, err), "%s", err);
	CHECK(!profile_doc_set(doc, "vm", "cpus", "2", 0, err), "%s", err);
	CHECK(!profile_doc_set(doc, "vm", "memory", "1G", 0, err), "%s", err);
	CHECK(!profile_doc_set(doc, "boot", "cmdline", "console=ttyS0", 0, err),
	      "%s", err);
	after = profile_doc_text(doc, NULL);
	CHECK(after && !strcmp(after, "[vm]\nname = n\ncpus= 2\n"
			       "memory = 1G ; later\n  \n[boot]\nkernel=k\n"
			       "cmdline :  console=ttyS0 ; spaced\n"),
	      "got:\n%s", S(after));
	free(after);
	CHECK_EQ(profile_doc_remove(doc, "vm", "cpus"), 1);
	CHECK_EQ(profile_doc_remove(doc, "vm", "cpus"), 0);
	after = profile_doc_text(doc, NULL);
	CHECK(after && !strncmp(after, "[vm]\nname = n\nmemory", 20), "got:\n%s",
	      S(after));
	free(after);
	profile_doc_free(doc);

	/* an indented line after the slot would join a new key: refused */
	doc = load("indent.ini", "[vm]\n  [boot]\nkernel = k\n");
	if (!doc)
		return;
	CHECK_EQ(profile_doc_set(doc, "vm", "cpus", "1", 0, err), -EINVAL);
	CHECK(strstr(err, "line 2") && strstr(err, "indent"), "%s", err);
	after = profile_doc_text(doc, NULL);
	CHECK(after && !strcmp(after, "[vm]\n  [boot]\nkernel = k\n"),
	      "got:\n%s", S(after));
	free(after);
	profile_doc_free(doc);

	/* no newline at the end: the new key still ends the file alike */
	doc = load("nonl.ini", "[vm]\ncpus = 1");
	if (!doc)
		return;
	CHECK(!profile_doc_set(doc, "vm", "memory", "1G", 0, err), "%s", err);
	after = profile_doc_text(doc, NULL);
	CHECK(after && !strcmp(after, "[vm]\ncpus = 1\nmemory = 1G"),
	      "got \"%s\"", S(after));
	free(after);
	profile_doc_free(doc);
}

/* Edits the file behind the document's back, keeping size and mtime. */
static void edit_behind_back(const char *path, const char *from,
			     const char *to)
{
	char *text = slurp(path, NULL), *at;
	struct stat st;
	struct timespec times[2];

	if (!text || stat(path, &st)) {
		CHECK(0, "cannot read %s", path);
		free(text);
		return;
	}
	at = strstr(text, from);
	CHECK(at && strlen(from) == strlen(to), "bad edit");
	if (at)
		memcpy(at, to, strlen(to));
	write_file(path, text);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	CHECK(utimensat(AT_FDCWD, path, times, 0) == 0, "utimensat");
	free(text);
}

static void test_refuses_external_change(void)
{
	struct profile_doc *doc = load("ext.ini", commented);
	char err[VM_ERR_MAX] = "", *after, *edited;
	struct stat st0, st1;

	if (!doc)
		return;
	stat(scratch_path("ext.ini"), &st0);
	edit_behind_back(scratch_path("ext.ini"), "cpus=2", "cpus=8");
	stat(scratch_path("ext.ini"), &st1);
	/* the same inode, size and mtime: only the content tells */
	CHECK(st0.st_ino == st1.st_ino && st0.st_size == st1.st_size &&
	      st0.st_mtim.tv_sec == st1.st_mtim.tv_sec &&
	      st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec, "stat differs");
	edited = slurp(scratch_path("ext.ini"), NULL);
	CHECK(!profile_doc_set(doc, "vm", "memory", "1G", 0, err), "%s", err);
	CHECK_EQ(profile_doc_save(doc, err), -ESTALE);
	CHECK(strstr(err, scratch_path("ext.ini")) && strstr(err, "changed") &&
	      strstr(err, "reload"), "message: %s", err);
	after = slurp(scratch_path("ext.ini"), NULL);
	CHECK(after && edited && !strcmp(after, edited), "file overwritten");
	free(after);
	free(edited);
	profile_doc_free(doc);

	/* a change that does alter the mtime */
	doc = load("ext2.ini", commented);
	if (!doc)
		return;
	write_file(scratch_path("ext2.ini"), "[vm]\ncpus = 3\n");
	CHECK_EQ(profile_doc_save(doc, err), -ESTALE);
	after = slurp(scratch_path("ext2.ini"), NULL);
	CHECK(after && !strcmp(after, "[vm]\ncpus = 3\n"), "overwritten");
	free(after);
	profile_doc_free(doc);
}

static void test_refuses_removed_file(void)
{
	struct profile_doc *doc = load("gone.ini", commented);
	char err[VM_ERR_MAX] = "";

	if (!doc)
		return;
	unlink(scratch_path("gone.ini"));
	CHECK_EQ(profile_doc_save(doc, err), -ESTALE);
	CHECK(strstr(err, scratch_path("gone.ini")) && strstr(err, "removed"),
	      "message: %s", err);
	CHECK(access(scratch_path("gone.ini"), F_OK) != 0, "file re-created");
	profile_doc_free(doc);
}

/* Names of the entries of a folder other than . and .., joined by ' '. */
static void dir_entries(const char *d, char *out, size_t size)
{
	DIR *dh = opendir(d);
	struct dirent *e;

	out[0] = '\0';
	while (dh && (e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		strncat(out, e->d_name, size - strlen(out) - 2);
		strcat(out, " ");
	}
	if (dh)
		closedir(dh);
}

static void test_failed_write_leaves_original_and_no_temp(void)
{
	char sub[PATH_MAX], path[PATH_MAX + 8], err[VM_ERR_MAX] = "";
	char names[512], *after;
	struct profile_doc *doc = NULL;
	struct rlimit old, tiny;
	int rc;

	snprintf(sub, sizeof(sub), "%s/fail", scratch_dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/vm.ini", sub);
	write_file(path, "[vm]\ncpus = 1\n");
	CHECK(!profile_doc_load(&doc, path, err), "%s", err);
	if (!doc)
		return;
	for (int i = 0; i < 16; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		profile_doc_set(doc, "pad", key, "0123456789012345678901234567"
				"8901234567890123456789012345678901234567890123"
				"456789", 0, err);
	}
	/* the temp file cannot grow past 64 bytes: the write fails */
	getrlimit(RLIMIT_FSIZE, &old);
	tiny = old;
	tiny.rlim_cur = 64;
	signal(SIGXFSZ, SIG_IGN);
	fflush(stdout);
	if (setrlimit(RLIMIT_FSIZE, &tiny) == 0) {
		rc = profile_doc_save(doc, err);
		setrlimit(RLIMIT_FSIZE, &old);
		CHECK_EQ(rc, -EFBIG);
	} else {
		CHECK(0, "setrlimit: %s", strerror(errno));
	}
	CHECK(strstr(err, "vm.ini") && strstr(err, "not saved"), "message: %s",
	      err);
	after = slurp(path, NULL);
	CHECK(after && !strcmp(after, "[vm]\ncpus = 1\n"), "original changed");
	free(after);
	dir_entries(sub, names, sizeof(names));
	CHECK(!strcmp(names, "vm.ini "), "folder holds: %s", names);
	/* the same document saves once the cause is gone */
	save_ok(doc);
	dir_entries(sub, names, sizeof(names));
	CHECK(!strcmp(names, "vm.ini "), "folder holds: %s", names);
	profile_doc_free(doc);

	/* a new profile whose folder is gone */
	snprintf(path, sizeof(path), "%s/no-such-folder/vm.ini", scratch_dir);
	CHECK(!profile_doc_new(&doc, path, "[vm]\n", err), "%s", err);
	CHECK_EQ(profile_doc_save(doc, err), -ENOENT);
	CHECK(strstr(err, "no-such-folder/vm.ini"), "message: %s", err);
	profile_doc_free(doc);
}

static bool is_uuid(const char *s)
{
	if (!s || strlen(s) != VM_UUID_LEN)
		return false;
	for (int i = 0; i < VM_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

static void test_uuid_written_once(void)
{
	struct profile_doc *doc = load("id.ini", "[vm]\ncpus = 1\n\n[boot]\n"
				       "kernel = k\n");
	char err[VM_ERR_MAX] = "", *u1, *u2, *after;

	if (!doc)
		return;
	save_ok(doc);
	u1 = profile_doc_get(doc, "vm", "uuid");
	CHECK(is_uuid(u1), "uuid \"%s\"", S(u1));
	after = slurp(scratch_path("id.ini"), NULL);
	if (u1 && after) {
		char want[256];

		snprintf(want, sizeof(want), "[vm]\ncpus = 1\nuuid = %s\n\n"
			 "[boot]\nkernel = k\n", S(u1));
		CHECK(!strcmp(after, want), "got:\n%s", S(after));
	}
	free(after);
	CHECK(!profile_doc_set(doc, "vm", "cpus", "2", 0, err), "%s", err);
	save_ok(doc);
	profile_doc_free(doc);
	/* reloaded and saved again: the same uuid */
	CHECK(!profile_doc_load(&doc, scratch_path("id.ini"), err), "%s", err);
	if (!doc)
		return;
	save_ok(doc);
	u2 = profile_doc_get(doc, "vm", "uuid");
	CHECK(u1 && u2 && !strcmp(u1, u2), "uuid %s became %s", S(u1), S(u2));
	CHECK_EQ(profile_doc_count(doc, "vm", "uuid"), 1);
	free(u1);
	free(u2);
	profile_doc_free(doc);

	/* an existing uuid is kept, even an upper-case one */
	doc = load("keep.ini", "[vm]\nuuid = 8E7AF180-C54D-4AA2-9BEF-"
		   "59D94A1AC572\n");
	if (!doc)
		return;
	save_ok(doc);
	after = slurp(scratch_path("keep.ini"), NULL);
	CHECK(after && !strcmp(after, "[vm]\nuuid = 8E7AF180-C54D-4AA2-9BEF-"
			       "59D94A1AC572\n"), "got:\n%s", S(after));
	free(after);
	profile_doc_free(doc);
}

static void test_modes_and_new_files(void)
{
	char err[VM_ERR_MAX] = "", link_path[PATH_MAX];
	struct profile_doc *doc;
	struct stat st;
	mode_t mask;

	doc = load("private.ini", "[vm]\n");
	chmod(scratch_path("private.ini"), 0600);
	if (doc)
		save_ok(doc);
	CHECK(stat(scratch_path("private.ini"), &st) == 0 &&
	      (st.st_mode & 07777) == 0600, "mode %o", st.st_mode & 07777);
	profile_doc_free(doc);

	mask = umask(022);
	doc = NULL;
	CHECK(!profile_doc_new(&doc, scratch_path("fresh.ini"),
			       "[vm]\ncpus = 1\n", err), "%s", err);
	save_ok(doc);
	CHECK(stat(scratch_path("fresh.ini"), &st) == 0 &&
	      (st.st_mode & 07777) == 0644, "mode %o", st.st_mode & 07777);
	save_ok(doc);	/* saved once: now it is the file on disk */
	profile_doc_free(doc);
	umask(077);
	CHECK(!profile_doc_new(&doc, scratch_path("fresh2.ini"), "", err), "%s",
	      err);
	save_ok(doc);
	CHECK(stat(scratch_path("fresh2.ini"), &st) == 0 &&
	      (st.st_mode & 07777) == 0600, "mode %o", st.st_mode & 07777);
	profile_doc_free(doc);
	umask(mask);

	/* a new document never replaces a file that appeared meanwhile */
	CHECK(!profile_doc_new(&doc, scratch_path("fresh.ini"), "[vm]\n", err),
	      "%s", err);
	CHECK_EQ(profile_doc_save(doc, err), -EEXIST);
	CHECK(strstr(err, "fresh.ini") && strstr(err, "exists"), "%s", err);
	profile_doc_free(doc);

	/* saving through a symlink updates the file it points to */
	snprintf(link_path, sizeof(link_path), "%s/link.ini", scratch_dir);
	symlink("fresh2.ini", link_path);
	doc = NULL;
	CHECK(!profile_doc_load(&doc, link_path, err), "%s", err);
	if (doc) {
		CHECK(!profile_doc_set(doc, "vm", "cpus", "3", 0, err), "%s",
		      err);
		save_ok(doc);
	}
	profile_doc_free(doc);
	CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode),
	      "the link was replaced");
}

/* doc's text now is exactly want. */
static void expect_text(struct profile_doc *doc, const char *want)
{
	char *text = profile_doc_text(doc, NULL);

	CHECK(text && !strcmp(text, want), "text is\n%s\nwant\n%s", S(text),
	      want);
	free(text);
}

static void test_remove_section(void)
{
	static const char before[] =
		"; top of file\n"
		"[vm]\n"
		"cpus = 2\n"
		"\n"
		"; the data disk\n"
		"[disk.data]\n"
		"path = data.img ; inline\n"
		"cmdline = a\n"
		"  b\n"
		"; an old setting\n"
		";size = 1G\n"
		"\n"
		"; the root disk\n"
		"[disk.root]\n"
		"path = root.img\n"
		"\n"
		"[net.eth0]\n"
		"mode = user\n";
	struct profile_doc *doc = load("remove.ini", before);
	char *value;

	if (!doc)
		return;
	/* header, keys, continuation, its comments and blank go; the next
	 * header's comment stays */
	CHECK_EQ(profile_doc_remove_section(doc, "disk.data"), 1);
	expect_text(doc, "; top of file\n[vm]\ncpus = 2\n\n; the root disk\n"
		    "[disk.root]\npath = root.img\n\n[net.eth0]\n"
		    "mode = user\n");
	/* the last section: no blank line is left at the end */
	CHECK_EQ(profile_doc_remove_section(doc, "net.eth0"), 1);
	expect_text(doc, "; top of file\n[vm]\ncpus = 2\n\n; the root disk\n"
		    "[disk.root]\npath = root.img\n");
	/* an absent section: nothing changes */
	CHECK_EQ(profile_doc_remove_section(doc, "disk.none"), 0);
	CHECK_EQ(profile_doc_remove_section(doc, "disk"), 0);
	CHECK(!profile_doc_has_section(doc, "disk.data"), "disk.data is left");
	/* the document still edits: a key of the remaining sections */
	expect_value(doc, "disk.root", "path", "root.img");
	CHECK_EQ(profile_doc_remove_section(doc, "disk.root"), 1);
	expect_text(doc, "; top of file\n[vm]\ncpus = 2\n");
	save_ok(doc);
	value = slurp(scratch_path("remove.ini"), NULL);
	/* (the first save adds a uuid) */
	CHECK(value && !strncmp(value, "; top of file\n[vm]\ncpus = 2\n", 28) &&
	      !strchr(value + 28, '['), "saved %s", S(value));
	free(value);
	profile_doc_free(doc);
}

static void test_remove_repeated_and_first_section(void)
{
	struct profile_doc *doc = load("repeat.ini",
		"; lines before any section stay\n"
		"\n"
		"[rng]\n"
		"slot = 3\n"
		"[vm]\n"
		"cpus = 1\n"
		"\n"
		"[rng]\r\n"
		"enabled = yes\n");

	if (!doc)
		return;
	CHECK_EQ(profile_doc_remove_section(doc, "rng"), 2);
	expect_text(doc, "; lines before any section stay\n\n[vm]\ncpus = 1\n");
	CHECK_EQ(profile_doc_count(doc, "rng", "slot"), 0);
	CHECK_EQ(profile_doc_count(doc, "vm", "cpus"), 1);
	profile_doc_free(doc);
}

/* An indented header right after a removed section without keys would,
 * as the first line after [vm]'s last key, read as that key's continuation
 * (after a key it is one already, and goes with the section): it loses its
 * indentation, and its section and keys keep their meaning. */
static void test_remove_section_before_indented_header(void)
{
	struct profile_doc *doc = load("indent.ini",
		"[vm]\n"
		"name = a\n"
		"[boot]\n"
		"; empty: the header below is one\n"
		"  [disk.root]\n"
		"  path = root.img\n");

	if (!doc)
		return;
	CHECK_EQ(profile_doc_remove_section(doc, "boot"), 1);
	expect_text(doc, "[vm]\nname = a\n; empty: the header below is one\n"
		    "[disk.root]\n  path = root.img\n");
	expect_value(doc, "vm", "name", "a");
	expect_value(doc, "disk.root", "path", "root.img");
	profile_doc_free(doc);
}

static void test_repeatable_keys(void)
{
	struct profile_doc *doc = load("fwd.ini",
		"[net.eth0]\n"
		"mode = user\n"
		"forward = tcp::2222-:22   ; ssh\n"
		"mac = auto\n"
		"forward = udp::5353-:53\n"
		"\n"
		"[rng]\n");
	char err[VM_ERR_MAX] = "", *all;

	if (!doc)
		return;
	all = profile_doc_get_all(doc, "net.eth0", "forward", " ");
	CHECK(all && !strcmp(all, "tcp::2222-:22 udp::5353-:53"), "all: %s",
	      S(all));
	free(all);
	CHECK(!profile_doc_get_all(doc, "net.eth0", "tap", " "), "tap found");
	/* a third one goes after the section's last key, before the blank */
	CHECK(profile_doc_add(doc, "net.eth0", "forward", "tcp::8080-:80", 0,
			      err) == 0, "%s", err);
	CHECK_EQ(profile_doc_count(doc, "net.eth0", "forward"), 3);
	expect_text(doc, "[net.eth0]\nmode = user\n"
		    "forward = tcp::2222-:22   ; ssh\nmac = auto\n"
		    "forward = udp::5353-:53\nforward = tcp::8080-:80\n\n"
		    "[rng]\n");
	/* same checks as set */
	CHECK(profile_doc_add(doc, "net.eth0", "forward", "a\nb", 0, err) ==
	      -EINVAL, "a line break was taken");
	CHECK_EQ(profile_doc_count(doc, "net.eth0", "forward"), 3);
	profile_doc_free(doc);
}

int main(void)
{
	scratch_open("doc");
	write_file(scratch_path("vmlinuz"), "");
	RUN_TEST(test_round_trip_changes_one_line);
	RUN_TEST(test_read_back_through_libinih);
	RUN_TEST(test_new_key_and_new_section);
	RUN_TEST(test_continuation_lines_replaced);
	RUN_TEST(test_crlf_stays_crlf);
	RUN_TEST(test_values_that_would_not_round_trip);
	RUN_TEST(test_empty_values_and_odd_spacing);
	RUN_TEST(test_refuses_external_change);
	RUN_TEST(test_refuses_removed_file);
	RUN_TEST(test_failed_write_leaves_original_and_no_temp);
	RUN_TEST(test_uuid_written_once);
	RUN_TEST(test_modes_and_new_files);
	RUN_TEST(test_remove_section);
	RUN_TEST(test_remove_repeated_and_first_section);
	RUN_TEST(test_remove_section_before_indented_header);
	RUN_TEST(test_repeatable_keys);
	scratch_close();
	CHECK_EXIT();
}
