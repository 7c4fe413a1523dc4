/* cmd-list.c - `hyve list`: the profile store as a table (name, cpus, memory, disks, validity with the first error). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "profiles/store.h"
#include "tui/hyve.h"

/* 2G, 512M, 1536M: the largest binary unit that is exact. */
static void list_size(uint64_t bytes, char *out, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, size, "%" PRIu64, bytes);
	else
		snprintf(out, size, "%" PRIu64 "%c", bytes, units[u]);
}

/* "invalid: NAME.ini:LINE: what (+N more)" from the entry's errors. */
static void list_status(const struct store_entry *e, char *out, size_t size)
{
	const char *first = e->errs.lines.s ? e->errs.lines.s : "";
	size_t plen = strlen(e->path), len;
	char more[32] = "";

	if (e->valid) {
		snprintf(out, size, "ok");
		return;
	}
	/* the folder is in the footer: keep the file name only */
	if (!strncmp(first, e->path, plen) && first[plen] == ':')
		first += plen - strlen(e->name) - strlen(".ini");
	len = strcspn(first, "\n");
	if (e->errs.count > 1)
		snprintf(more, sizeof(more), " (+%u more)", e->errs.count - 1);
	snprintf(out, size, "invalid: %.*s%s", (int)len, first, more);
}

static void list_empty(const char *dir, enum store_source source)
{
	struct stat st;
	bool missing = stat(dir, &st) != 0;

	printf("No profiles in %s (%s%s).\n"
	       "hyve looks for NAME.ini files in the folder given with -d DIR, "
	       "else in\n$HYVE_PROFILES, else in $XDG_CONFIG_HOME/hyve/profiles "
	       "or ~/.config/hyve/profiles.\n"
	       "To make a profile, import an xhyve script:\n", dir,
	       store_source_name(source),
	       missing ? "; the folder does not exist yet" : "");
	if (missing)
		printf("  mkdir -p %s\n", dir);
	printf("  hyve import -o %s/NAME.ini run.sh\n"
	       "or write NAME.ini there by hand (see hyve-profile(5)).\n", dir);
}

int cmd_list(int argc, char **argv)
{
	char dir[PATH_MAX], err[VM_ERR_MAX], mem[32], status[600];
	enum store_source source;
	struct store_list list;
	int width = 4, c;

	optind = 1;
	while ((c = getopt(argc, argv, "+h")) != -1) {
		printf("usage: hyve [-d DIR] list\nLists the profiles in the "
		       "store: name, cpus, memory, disks, and whether each\n"
		       "is valid (else its first error). See hyve(1).\n");
		return c == 'h' ? 0 : 2;
	}
	if (optind < argc) {
		fprintf(stderr, "hyve list: unexpected \"%s\" (usage: hyve "
			"[-d DIR] list)\n", argv[optind]);
		return 2;
	}
	if (store_dir(hyve_profiles_dir, dir, &source, err) ||
	    store_list(dir, &list, err)) {
		fprintf(stderr, "hyve list: %s\n", err);
		return 1;
	}
	if (!list.count) {
		list_empty(dir, source);
		store_list_free(&list);
		return 0;
	}
	for (size_t i = 0; i < list.count; i++)
		width = MAX(width, (int)strlen(list.entry[i].name));
	printf("%-*s  %4s  %6s  %5s  %s\n", width, "NAME", "CPUS", "MEMORY",
	       "DISKS", "STATUS");
	for (size_t i = 0; i < list.count; i++) {
		const struct store_entry *e = &list.entry[i];

		list_status(e, status, sizeof(status));
		if (e->cfg) {
			list_size(e->cfg->memory, mem, sizeof(mem));
			printf("%-*s  %4u  %6s  %5u  %s\n", width, e->name,
			       e->cfg->cpus, mem, e->cfg->disks, status);
		} else {
			printf("%-*s  %4s  %6s  %5s  %s\n", width, e->name, "-",
			       "-", "-", status);
		}
	}
	printf("(%zu profile%s in %s)\n", list.count, list.count == 1 ? "" : "s",
	       dir);
	store_list_free(&list);
	return 0;
}
