/* scratch.h - unit-test scratch folders (made, named into, removed) and whole files written and read back. */
#ifndef HYVE_SCRATCH_H
#define HYVE_SCRATCH_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"

static inline int scratch_rm_one(const char *path, const struct stat *st,
				 int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh folder $TMPDIR/hyve-NAME.XXXXXX (/tmp without TMPDIR); exits when it cannot. */
static inline void scratch_make(char *dir, size_t size, const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, size, "%s/hyve-%s.XXXXXX", t && *t ? t : "/tmp", name);
	if (!mkdtemp(dir)) {
		printf("FAIL: %s: mkdtemp %s: %s\n", name, dir, strerror(errno));
		exit(1);
	}
}

/* Removes dir and everything in it. */
static inline void scratch_remove(const char *dir)
{
	nftw(dir, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Reads a whole file into a malloc'd buffer with a NUL after its bytes
 * (so text can be used as a string); *len (when len is not NULL) gets the
 * size. NULL when the file cannot be read.
 */
static inline void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (len)
		*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Writes len bytes to path (created or truncated); 0 or -1. */
static inline int spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len)
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc;
}

/* Writes text to path; a failed check when it cannot. */
static inline void write_file(const char *path, const char *text)
{
	CHECK(spit(path, text, strlen(text)) == 0, "cannot write %s", path);
}

/* ---- One scratch folder per test program ---- */

/* Short, so that messages quoting paths in it fit test buffers. */
static char scratch_dir[128];

static inline void scratch_open(const char *name)
{
	scratch_make(scratch_dir, sizeof(scratch_dir), name);
}

/*
 * scratch_dir, '/', then fmt: in one of four buffers used in turn, so one
 * call may take several of these paths.
 */
static inline char *scratch_path(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline char *scratch_path(const char *fmt, ...)
{
	static char buf[4][PATH_MAX];
	static unsigned turn;
	char *p = buf[turn++ % 4];
	size_t n = (size_t)snprintf(p, PATH_MAX, "%s/", scratch_dir);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return p;
}

/* Writes text to scratch_dir/name. */
static inline void scratch_write(const char *name, const char *text)
{
	write_file(scratch_path("%s", name), text);
}

/* Removes scratch_dir, unless a check failed: then it stays for a look. */
static inline void scratch_close(void)
{
	if (check_failures)
		printf("  (kept %s for a look)\n", scratch_dir);
	else
		scratch_remove(scratch_dir);
}

#endif
