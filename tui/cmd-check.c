/* cmd-check.c - `hyve check PROFILE.ini...`: validates profiles and prints every problem; reads only, writes no file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "profiles/profile.h"
#include "tui/hyve.h"

enum {
	CHECK_OK = 0,
	CHECK_INVALID = 1,
	CHECK_USAGE = 2,
};

static void check_usage(FILE *f)
{
	fprintf(f, "usage: hyve check [-t] PROFILE.ini...\n"
		"Checks each profile and prints \"PROFILE: ok\", or every "
		"problem as\nPROFILE:LINE: what is wrong (how to fix it). "
		"-t checks the text only,\nnot the files it names (kernel, "
		"initrd, disk images). Exit status: 0 all\nvalid, 1 some "
		"invalid, 2 usage error.\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "text-only", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct profile_errors errs;
	unsigned flags = 0;
	int c, rc = CHECK_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+th", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			flags |= PROFILE_TEXT_ONLY;
			break;
		case 'h':
			check_usage(stdout);
			return CHECK_OK;
		default:
			check_usage(stderr);
			return CHECK_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "hyve check: no profile given\n");
		check_usage(stderr);
		return CHECK_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct vm_config *cfg = malloc(sizeof(*cfg));

		if (!cfg) {
			fprintf(stderr, "hyve check: out of memory\n");
			return CHECK_INVALID;
		}
		if (profile_load_file(argv[i], flags, cfg, &errs) == 0) {
			printf("%s: ok\n", argv[i]);
		} else {
			fflush(stdout);
			fputs(errs.lines.s ? errs.lines.s :
			      "hyve check: out of memory\n", stderr);
			rc = CHECK_INVALID;
		}
		profile_errors_free(&errs);
		free(cfg);
	}
	return rc;
}
