/* fuzz-import.c - libFuzzer target for hyve import (profiles/import.c, profiles/shell-words.c): bytes as an sh script and as xhyve arguments. */
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/import.h"

#define FUZZ_MAX_ARGS	128
#define FUZZ_LINE_MAX	198	/* libinih reads 199 bytes a line */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, show the profile, stop the run. */
#define FUZZ_ASSERT(cond, res)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz-import: %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			if ((res)->profile)				\
				fprintf(stderr, "%s", (res)->profile);	\
			abort();					\
		}							\
	} while (0)

static int fuzz_ini_key(void *user, const char *section, const char *name,
			const char *value)
{
	return 1;
}

/* What every result must satisfy; a violation aborts the run. */
static void fuzz_check(int rc, const struct import_result *res)
{
	const char *p;
	size_t n;

	FUZZ_ASSERT(rc != 0 || (res->profile && !res->error), res);
	FUZZ_ASSERT(rc == 0 || !res->profile, res);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOMEM, res);
	for (size_t i = 0; i < res->nwarnings; i++)
		for (p = res->warnings[i].text; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f,
				    res);
	if (!res->profile)
		return;
	/* a profile libinih reads without a syntax error */
	for (p = res->profile; *p; p += n + 1) {
		n = strcspn(p, "\n");
		FUZZ_ASSERT(n <= FUZZ_LINE_MAX && p[n] == '\n', res);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT((unsigned char)p[i] >= 0x20 ||
				    p[i] == '\t', res);
	}
	FUZZ_ASSERT(ini_parse_string(res->profile, fuzz_ini_key, NULL) == 0,
		    res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_options opts = { .source = "fuzz.sh" };
	char *copy, *start, *argv[FUZZ_MAX_ARGS];
	struct import_result res;
	int argc = 0, rc;

	rc = import_script((const char *)data, size, &opts, &res);
	fuzz_check(rc, &res);
	import_result_free(&res);

	/* the same bytes as arguments, split at NUL and newline bytes */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	start = copy;
	for (size_t i = 0; i <= size && argc < FUZZ_MAX_ARGS; i++) {
		if (i == size || copy[i] == '\0' || copy[i] == '\n') {
			copy[i] = '\0';
			argv[argc++] = start;
			start = copy + i + 1;
		}
	}
	rc = import_argv(argc, argv, NULL, &res);
	fuzz_check(rc, &res);
	import_result_free(&res);
	free(copy);
	return 0;
}
