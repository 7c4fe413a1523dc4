/* main.c - hyve's entry point: picks the subcommand. */
#include <stdio.h>
#include <string.h>

#include "tui/hyve.h"

#define HYVE_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run VMs headless, COM1 on this terminal" },
	{ "import", cmd_import,
	  "turn an xhyve or hyperkit script into a profile" },
	{ "check", cmd_check, "validate profiles, printing every problem" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hyve COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nSee hyve(1) and hyve-profile(5).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("hyve %s\n", HYVE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hyve: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
