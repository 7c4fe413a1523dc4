/* profile.h - VM profiles: INI files turned into struct vm_config (the only door to <ini.h>). */
#ifndef HYVE_PROFILE_H
#define HYVE_PROFILE_H

#include <stddef.h>

#include "vmm/compat.h"
#include "vmm/vmm.h"

/* Problems found in a profile, one "file:line: message" per line. */
struct profile_errors {
	struct strbuf lines;	/* lines.s is NULL when there are none */
	unsigned count;
};

/*
 * Loads path into cfg (defaults first, then the file). Relative paths in
 * the file resolve against the file's folder. Returns 0 when the profile
 * is valid, else the number of problems, all of them described in errs.
 */
int profile_load(const char *path, struct vm_config *cfg,
		 struct profile_errors *errs);
void profile_errors_free(struct profile_errors *errs);

/* "512M", "2G", "1024k": binary suffixes k/m/g/t; a unit is required. */
int profile_parse_size(const char *s, unsigned long long *out);

#endif
