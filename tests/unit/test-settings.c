/* test-settings.c - hyve.ini: the [keys] prefix, key specs, the file's location, and file:line errors. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "profiles/settings.h"
#include "tests/unit/check.h"
#include "tests/unit/scratch.h"

/* Writes text to DIR/hyve.ini and loads it; returns the problem count. */
static int load(const char *text, struct hyve_settings *s,
		struct profile_errors *errs)
{
	scratch_write("hyve.ini", text);
	return settings_load(scratch_path("hyve.ini"), s, errs);
}

static void test_prefix_from_file(void)
{
	struct hyve_settings s;
	struct profile_errors errs;

	CHECK_EQ(load("; my keys\n[keys]\nprefix = C-a\n", &s, &errs), 0);
	CHECK_EQ(s.prefix, 0x01);
	CHECK(errs.lines.s == NULL, "errors: %s", errs.lines.s);
	profile_errors_free(&errs);
	CHECK_EQ(load("[keys]\nprefix = ^B\n", &s, &errs), 0);
	CHECK_EQ(s.prefix, 0x02);
	profile_errors_free(&errs);
}

static void test_missing_file_means_defaults(void)
{
	struct hyve_settings s = { .prefix = 7 };
	struct profile_errors errs;
	const char *path = scratch_path("no-such.ini");

	CHECK_EQ(settings_load(path, &s, &errs), 0);
	CHECK_EQ(s.prefix, 0x1d);
	CHECK(errs.lines.s == NULL, "errors: %s", errs.lines.s);
	profile_errors_free(&errs);
	/* An empty file, or one without [keys], changes nothing either. */
	CHECK_EQ(load("", &s, &errs), 0);
	CHECK_EQ(s.prefix, 0x1d);
	profile_errors_free(&errs);
}

static void test_key_specs(void)
{
	static const struct {
		const char *spec;
		unsigned char byte;
	} good[] = {
		{ "C-a", 0x01 }, { "c-A", 0x01 }, { "^a", 0x01 },
		{ "C-z", 0x1a }, { "C-]", 0x1d }, { "^]", 0x1d },
		{ "C-\\", 0x1c }, { "C-^", 0x1e }, { "^_", 0x1f },
	};
	static const char *const bad[] = {
		"", "a", "C-", "C-ab", "C-1", "^?", "Ctrl-a", "M-a", "C- a",
		"C-[", "^[", "C-m", "^I",
	};
	unsigned char byte;
	char why[256], name[8];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		byte = 0;
		CHECK(key_spec_parse(good[i].spec, &byte, why, sizeof(why)) == 0,
		      "%s rejected: %s", good[i].spec, why);
		CHECK(byte == good[i].byte, "%s gave %#x, want %#x",
		      good[i].spec, byte, good[i].byte);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = 0;
		CHECK(key_spec_parse(bad[i], &byte, why, sizeof(why)) == -EINVAL,
		      "\"%s\" accepted", bad[i]);
		CHECK(strstr(why, "e.g. C-a"), "\"%s\": no fix in \"%s\"",
		      bad[i], why);
	}
	/* Names read back as the same key. */
	for (unsigned b = 1; b < 0x20; b++) {
		if (b == 0x1b || b == 0x0d || b == 0x09)
			continue;
		CHECK(key_spec_parse(key_spec_name((unsigned char)b, name),
				     &byte, why, sizeof(why)) == 0 && byte == b,
		      "byte %#x named \"%s\"", b, name);
	}
	CHECK(!strcmp(key_spec_name(0x1d, name), "C-]"), "%s", name);
	CHECK(!strcmp(key_spec_name(0x01, name), "C-a"), "%s", name);
}

/* Each bad file yields exactly this one message and keeps the default. */
static void expect_error(const char *text, const char *message)
{
	struct hyve_settings s;
	struct profile_errors errs;
	char want[512];

	snprintf(want, sizeof(want), "%s/hyve.ini:%s\n", scratch_dir, message);
	CHECK_EQ(load(text, &s, &errs), 1);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want),
	      "got \"%s\"\nwant \"%s\"", errs.lines.s ? errs.lines.s : "", want);
	CHECK_EQ(s.prefix, 0x1d);
	profile_errors_free(&errs);
}

/* A file that cannot be opened is a problem of the whole file: no line. */
static void expect_unreadable(void)
{
	struct hyve_settings s;
	struct profile_errors errs;
	const char *path = scratch_path("hyve.ini/x.ini");
	char want[512];

	load("", &s, &errs);
	profile_errors_free(&errs);
	snprintf(want, sizeof(want), "%s: %s\n", path, strerror(ENOTDIR));
	CHECK_EQ(settings_load(path, &s, &errs), 1);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want),
	      "got \"%s\"\nwant \"%s\"", errs.lines.s ? errs.lines.s : "",
	      want);
	profile_errors_free(&errs);
}

static void test_errors_name_file_and_line(void)
{
	expect_error("[keys]\nprefix = C-1\n",
		     "2: prefix: \"C-1\" is not a control key (use C- or ^ "
		     "with a letter or one of \\ ] ^ _, e.g. C-a)");
	expect_error("\n[keys]\nprefix = C-[\n",
		     "3: prefix: \"C-[\" is Escape, which starts every arrow "
		     "and function key (choose another, e.g. C-a)");
	expect_error("[keys]\nprefix =\n",
		     "2: prefix: empty (use C- or ^ with a letter or one of "
		     "\\ ] ^ _, e.g. C-a)");
	expect_error("[keys]\nprefx = C-a\n",
		     "2: prefx: unknown key in [keys] (known: prefix)");
	expect_error("[key]\nprefix = C-a\n",
		     "2: [key] is not a settings section (known: [keys])");
	expect_error("[keys]\nnonsense\n",
		     "2: syntax error (expected [section] or key = value)");
	expect_unreadable();
}

/* A second prefix line is reported and the first value stays. */
static void test_duplicated_key(void)
{
	struct hyve_settings s;
	struct profile_errors errs;
	char want[512];

	snprintf(want, sizeof(want),
		 "%s/hyve.ini:3: prefix: duplicated key (first set on line 2; "
		 "keep one)\n", scratch_dir);
	CHECK_EQ(load("[keys]\nprefix = C-a\nprefix = C-b\n", &s, &errs), 1);
	CHECK(errs.lines.s && !strcmp(errs.lines.s, want), "got \"%s\"",
	      errs.lines.s ? errs.lines.s : "");
	CHECK_EQ(s.prefix, 0x01);
	profile_errors_free(&errs);
}

static void test_path_follows_xdg(void)
{
	char path[256];

	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	setenv("HOME", "/home/u", 1);
	CHECK_EQ(settings_path(path, sizeof(path)), 0);
	CHECK(!strcmp(path, "/cfg/hyve/hyve.ini"), "%s", path);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	CHECK_EQ(settings_path(path, sizeof(path)), 0);
	CHECK(!strcmp(path, "/home/u/.config/hyve/hyve.ini"), "%s", path);
	unsetenv("XDG_CONFIG_HOME");
	CHECK_EQ(settings_path(path, sizeof(path)), 0);
	CHECK(!strcmp(path, "/home/u/.config/hyve/hyve.ini"), "%s", path);
	unsetenv("HOME");
	CHECK_EQ(settings_path(path, sizeof(path)), -ENOENT);
	setenv("HOME", "/home/u", 1);
	CHECK_EQ(settings_path(path, 10), -ENAMETOOLONG);
}

int main(void)
{
	scratch_open("settings");
	RUN_TEST(test_prefix_from_file);
	RUN_TEST(test_missing_file_means_defaults);
	RUN_TEST(test_key_specs);
	RUN_TEST(test_errors_name_file_and_line);
	RUN_TEST(test_duplicated_key);
	RUN_TEST(test_path_follows_xdg);
	scratch_close();
	CHECK_EXIT();
}
