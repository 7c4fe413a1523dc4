/* cmd-import.c - `hyve import`: an xhyve/hyperkit script or command line to a profile, written atomically (temp file, fsync, rename). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiles/import.h"
#include "profiles/safe-file.h"
#include "tui/hyve.h"

#define IMPORT_MAX_SCRIPT	(16 << 20)

enum {
	IMPORT_OK = 0,
	IMPORT_FAILED = 1,
	IMPORT_USAGE = 2,
};

static void import_usage(FILE *f)
{
	fprintf(f, "usage: hyve import [-f] [-n NAME] [-o OUT.ini] SCRIPT.sh\n"
		"       hyve import [-f] [-n NAME] [-o OUT.ini] -- [xhyve] "
		"ARGS...\n"
		"Turns an xhyve or hyperkit command line, or the shell script "
		"that runs it\n(SCRIPT - reads standard input), into a hyve "
		"profile. The profile goes to\nstandard output, or to OUT.ini "
		"(-f: even if it exists). -n sets the VM name\n(default: the "
		"name of OUT.ini, else the first disk's file name).\n"
		"Warnings name what could not be imported; they are also "
		"comments in the profile.\n");
}

/* Reads a whole file (or standard input for "-"). */
static int import_read(const char *path, char **text, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int rc;

	if (fd < 0)
		return -errno;
	rc = safe_file_read_fd(fd, IMPORT_MAX_SCRIPT, text, len);
	if (fd)
		close(fd);
	return rc;
}

/* The VM name from OUT.ini: its file name without ".ini". */
static void import_name_from(const char *out, char *name, size_t size)
{
	char buf[PATH_MAX], *b, *dot;

	snprintf(buf, sizeof(buf), "%s", out);
	b = basename(buf);
	dot = strrchr(b, '.');
	if (dot && dot != b && !strcmp(dot, ".ini"))
		*dot = '\0';
	snprintf(name, size, "%s", b);
}

static void import_report(const char *src, const struct import_result *res)
{
	for (size_t i = 0; i < res->nwarnings; i++) {
		const struct import_warning *w = &res->warnings[i];

		if (src && w->line)
			fprintf(stderr, "hyve import: %s:%u: warning: %s\n",
				src, w->line, w->text);
		else if (src)
			fprintf(stderr, "hyve import: %s: warning: %s\n", src,
				w->text);
		else
			fprintf(stderr, "hyve import: warning: %s\n", w->text);
	}
	if (!res->error)
		return;
	if (src && res->error_line)
		fprintf(stderr, "hyve import: %s:%u: %s\n", src,
			res->error_line, res->error);
	else if (src)
		fprintf(stderr, "hyve import: %s: %s\n", src, res->error);
	else
		fprintf(stderr, "hyve import: %s\n", res->error);
}

int cmd_import(int argc, char **argv)
{
	struct import_options opts = { 0 };
	struct import_result res;
	const char *out = NULL, *script = NULL;
	char name[256];
	bool force = false, dashdash;
	size_t len = 0;
	char *text = NULL;
	int c, rc;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fhn:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'n':
			opts.name = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			import_usage(stdout);
			return IMPORT_OK;
		default:
			import_usage(stderr);
			return IMPORT_USAGE;
		}
	}
	dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	if (optind >= argc || (!dashdash && argc - optind != 1)) {
		if (!dashdash && argc - optind > 1)
			fprintf(stderr, "hyve import: put -- before xhyve's "
				"arguments\n");
		import_usage(stderr);
		return IMPORT_USAGE;
	}
	if (out && !opts.name) {
		import_name_from(out, name, sizeof(name));
		opts.name = name;
	}
	if (out && !force && access(out, F_OK) == 0) {
		fprintf(stderr, "hyve import: %s exists (use -f to overwrite "
			"it)\n", out);
		return IMPORT_FAILED;
	}
	if (!dashdash) {
		script = argv[optind];
		rc = import_read(script, &text, &len);
		if (rc) {
			fprintf(stderr, "hyve import: %s: %s\n", script,
				strerror(-rc));
			return IMPORT_FAILED;
		}
		opts.source = strcmp(script, "-") ? script : "stdin";
		rc = import_script(text, len, &opts, &res);
		free(text);
		script = opts.source;
	} else if (argc - optind == 1 && strpbrk(argv[optind], " \t\n")) {
		/* one quoted command line: read it as sh would */
		rc = import_script(argv[optind], strlen(argv[optind]), &opts,
				   &res);
	} else {
		rc = import_argv(argc - optind, argv + optind, &opts, &res);
	}
	if (rc == -ENOMEM) {
		fprintf(stderr, "hyve import: %s\n", strerror(ENOMEM));
		import_result_free(&res);
		return IMPORT_FAILED;
	}
	import_report(script, &res);
	if (rc) {
		import_result_free(&res);
		return IMPORT_FAILED;
	}
	if (!out) {
		fputs(res.profile, stdout);
		rc = fflush(stdout) ? -errno : 0;
	} else {
		/* -f replaces OUT.ini; without it a file made meanwhile wins. */
		rc = safe_file_write(out, res.profile, strlen(res.profile),
				     !force);
	}
	if (rc) {
		fprintf(stderr, "hyve import: %s: %s\n", out ? out : "stdout",
			strerror(-rc));
		import_result_free(&res);
		return IMPORT_FAILED;
	}
	if (out)
		fprintf(stderr, "hyve import: wrote %s (%zu warning%s)\n", out,
			res.nwarnings, res.nwarnings == 1 ? "" : "s");
	import_result_free(&res);
	return IMPORT_OK;
}
