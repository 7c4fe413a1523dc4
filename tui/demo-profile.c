/* demo-profile.c - the first start: a new store gets a `demo` profile (with a 16M disk, demo.img beside it) for the demo guest shipped with hyve. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile-doc.h"
#include "profiles/store.h"
#include "tui/app.h"
#include "vmm/compat.h"

#define DEMO_NAME "demo"

/* The demo kernel: $HYVE_DEMO_KERNEL, the build tree, or the install. */
static bool demo_kernel(char *out, size_t size)
{
	static const char *const beside_exe[] = {
		"guests/demo.bzImage",			/* build/hyve */
		"../share/hyve/demo.bzImage",		/* PREFIX/bin/hyve */
	};
	const char *env = getenv("HYVE_DEMO_KERNEL");
	char exe[PATH_MAX], *dir;
	ssize_t n;

	if (env && *env) {
		str_copy(out, env, size);
		return access(out, R_OK) == 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	dir = dirname(exe);
	for (size_t i = 0; i < ARRAY_SIZE(beside_exe); i++) {
		char path[2 * PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", dir, beside_exe[i]);
		if (realpath(path, out) && access(out, R_OK) == 0)
			return true;
	}
	return false;
}

static int demo_write(const char *dir, const char *kernel, char *err)
{
	static const struct {
		const char *section, *key, *value;
	} keys[] = {
		{ "vm", "cpus", "2" },
		{ "vm", "memory", "64M" },
		{ "vm", "autostart", "yes" },
		{ "boot", "cmdline", "console=ttyS0" },
		/* a small disk for the demo's read and write commands */
		{ "disk.data", "format", "raw" },
		{ "disk.data", "size", "16M" },
		{ "disk.data", "path", DEMO_NAME ".img" },
	};
	struct profile_doc *doc;
	char path[PATH_MAX];
	int rc;

	rc = store_create(dir, DEMO_NAME, err);
	if (!rc)
		rc = store_path(dir, DEMO_NAME, path, err);
	if (!rc)
		rc = profile_doc_load(&doc, path, err);
	if (rc)
		return rc;
	rc = profile_doc_set(doc, "boot", "kernel", kernel, 0, err);
	for (size_t i = 0; !rc && i < ARRAY_SIZE(keys); i++)
		rc = profile_doc_set(doc, keys[i].section, keys[i].key,
				     keys[i].value, 0, err);
	if (!rc)
		rc = profile_doc_save(doc, err);
	profile_doc_free(doc);
	return rc;
}

void demo_profile_first_start(const char *dir, char *note, size_t size)
{
	char kernel[PATH_MAX], err[VM_ERR_MAX];
	struct stat st;

	note[0] = '\0';
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return;		/* not the first start */
	if (!demo_kernel(kernel, sizeof(kernel)))
		return;
	if (demo_write(dir, kernel, err))
		snprintf(note, size, "demo profile: %s", err);
	else
		snprintf(note, size, "first start: made the demo profile in "
			 "%s", dir);
}
