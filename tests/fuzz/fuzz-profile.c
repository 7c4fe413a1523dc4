/* fuzz-profile.c - libFuzzer target for the profile loader (profiles/profile.c, schema.c, validate.c): bytes as a profile file, messages checked for form. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile.h"

/* Relative paths in the input resolve into a folder that does not exist. */
#define FUZZ_PATH	"/nonexistent-hyve-fuzz/fuzz.ini"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, errs)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz-profile: %s:%d: %s\n%s",	\
				__FILE__, __LINE__, #cond,		\
				(errs)->lines.s ? (errs)->lines.s : "");\
			abort();					\
		}							\
	} while (0)

/* Every message is one printable line "FUZZ_PATH:LINE: text". */
static void fuzz_check(int rc, const struct profile_errors *errs,
		       size_t size)
{
	size_t plen = strlen(FUZZ_PATH);
	unsigned lines = 0, last = 0;
	const char *p = errs->lines.s;

	FUZZ_ASSERT(rc >= 0 && (unsigned)rc == errs->count, errs);
	FUZZ_ASSERT((rc == 0) == (p == NULL) || errs->lines.oom, errs);
	for (; p && *p; lines++) {
		const char *nl = strchr(p, '\n');
		char *end;
		unsigned long line;

		FUZZ_ASSERT(nl, errs);
		FUZZ_ASSERT(!strncmp(p, FUZZ_PATH ":", plen + 1), errs);
		line = strtoul(p + plen + 1, &end, 10);
		FUZZ_ASSERT(end > p + plen + 1 && !strncmp(end, ": ", 2) &&
			    end + 2 < nl, errs);
		FUZZ_ASSERT(line <= size + 1 && line >= last, errs);
		last = (unsigned)line;
		for (const char *c = p; c < nl; c++)
			FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f,
				    errs);
		p = nl + 1;
	}
	FUZZ_ASSERT(!errs->lines.s || lines == errs->count, errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config cfg;
	struct profile_errors errs;
	int rc;

	rc = profile_load_text(FUZZ_PATH, (const char *)data, size, 0, &cfg,
			       &errs);
	fuzz_check(rc, &errs, size);
	if (rc == 0) {
		/* a valid profile holds what the schema promises */
		FUZZ_ASSERT(cfg.cpus >= 1 && cfg.cpus <= VM_MAX_CPUS, &errs);
		FUZZ_ASSERT(cfg.disks <= VM_DISKS_MAX, &errs);
		FUZZ_ASSERT(cfg.nics <= VM_NICS_MAX, &errs);
		FUZZ_ASSERT(cfg.kernel[0] == '/', &errs);
	}
	profile_errors_free(&errs);
	return 0;
}
