/* profile.h - VM profiles: INI files turned into struct vm_config (the only door to <ini.h>). */
#ifndef HYVE_PROFILE_H
#define HYVE_PROFILE_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>

#include "vmm/compat.h"
#include "vmm/vmm.h"

/*
 * Problems found in a profile, one line each, always in the form
 * "FILE:LINE: what is wrong (how to fix it)\n". LINE is the line of the
 * offending key or section header; a missing key names the line of its
 * section header, and a problem of the whole file (or of a section that is
 * not there at all) names line 0.
 */
struct profile_errors {
	struct strbuf lines;	/* lines.s is NULL when there are none */
	unsigned count;
};

/* Flags of profile_load_text(). */
enum {
	/* Check the text only: do not look at the files the profile names
	 * (kernel, initrd, disk images); for profiles from another machine. */
	PROFILE_TEXT_ONLY = 1u << 0,
};

/* Profiles larger than this are refused (they cannot be hand-written). */
#define PROFILE_SIZE_MAX	(256u << 10)

/*
 * Loads path into cfg (defaults first, then the file). Relative paths in
 * the file resolve against the file's folder. Returns 0 when the profile
 * is valid, else the number of problems, all of them described in errs.
 * Nothing is written anywhere.
 */
int profile_load(const char *path, struct vm_config *cfg,
		 struct profile_errors *errs);

/* profile_load() with PROFILE_* flags. */
int profile_load_file(const char *path, unsigned flags, struct vm_config *cfg,
		      struct profile_errors *errs);

/*
 * The same for a profile already in memory: text[0..len) is the content
 * of the file at path (which names it in messages and anchors relative
 * paths; it is not opened). flags: PROFILE_*.
 */
int profile_load_text(const char *path, const char *text, size_t len,
		      unsigned flags, struct vm_config *cfg,
		      struct profile_errors *errs);

/* The line number that means "no line": the message reads "FILE: ...". */
#define PROFILE_NO_LINE	UINT_MAX

/*
 * Adds "FILE:LINE: message\n" (message from fmt, cut at 1023 bytes) to
 * errs and counts it. Out of memory, the problem is still counted and
 * errs->lines.oom is set.
 */
void profile_errors_vadd(struct profile_errors *errs, const char *path,
			 unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

void profile_errors_free(struct profile_errors *errs);

/* "512M", "2G", "1024k": binary suffixes k/m/g/t; a unit is required. */
int profile_parse_size(const char *s, unsigned long long *out);

#endif
