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
	{ "list", cmd_list, "list the profiles in the store, with their errors" },
};

const char *hyve_profiles_dir;

static void usage(FILE *f)
{
	fprintf(f, "usage: hyve [-d DIR] [COMMAND [ARGS...]]\n\n"
		"  without a command: the terminal UI (VM list, consoles)\n"
		"  -d DIR   the profile store (else $HYVE_PROFILES, else\n"
		"           $XDG_CONFIG_HOME/hyve/profiles or "
		"~/.config/hyve/profiles)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nSee hyve(1) and hyve-profile(5).\n");
}

/* Global options before the command (-d DIR); returns the command's index. */
static int global_options(int argc, char **argv)
{
	int i = 1;

	while (i < argc && !strncmp(argv[i], "-d", 2)) {
		if (argv[i][2]) {
			hyve_profiles_dir = argv[i] + 2;
		} else if (i + 1 < argc) {
			hyve_profiles_dir = argv[++i];
		} else {
			fprintf(stderr, "hyve: -d needs a folder (hyve -d DIR "
				"COMMAND)\n");
			return -1;
		}
		i++;
	}
	return i;
}

int main(int argc, char **argv)
{
	int first = global_options(argc, argv);

	if (first < 0)
		return 2;
	argc -= first - 1;
	argv += first - 1;
	if (argc < 2)
		return cmd_ui();
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
