/* fuzz-profile-doc.c - libFuzzer target for in-place profile editing: any text reads back byte for byte, a value set or added is what libinih then reads, and a section removed is gone for libinih while the others keep their keys. */
#include <ini.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile-doc.h"
#include "vmm/compat.h"
#include "vmm/vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, text)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz-profile-doc: %s:%d: %s\n%s\n", \
				__FILE__, __LINE__, #cond, text);	\
			abort();					\
		}							\
	} while (0)

static const char *const values[] = {
	"2", "", "a;b", "x = y", "[vm]", "#not a comment",
	"console=ttyS0 root=/dev/vda1 ro quiet loglevel=3 "
	"rd.systemd.show_status=false systemd.unit=multi-user.target "
	"init=/sbin/init earlyprintk=serial,ttyS0,115200 panic=-1 "
	"nokaslr mitigations=off tsc=reliable no_timer_check noreplace-smp",
};

/* The [vm] cpus values libinih reports, continuations joined by spaces. */
static int fuzz_collect(void *user, const char *section, const char *name,
			const char *value)
{
	struct strbuf *b = user;

	if (strcmp(section, "vm") || strcmp(name, "cpus"))
		return 1;
	if (b->s)
		strbuf_add(b, " ", 1);
	strbuf_add(b, value, strlen(value));
	return 1;
}

/* Whether libinih reports any key of the section named by user. */
static int fuzz_section_seen(void *user, const char *section,
			     const char *name, const char *value)
{
	const char **want = user;

	(void)name;
	(void)value;
	if (*want && !strcmp(section, *want))
		*want = NULL;	/* seen */
	return 1;
}

/* The whole text of doc, as libinih reads it, has no key in section. */
static bool fuzz_no_keys_in(const struct profile_doc *doc, const char *section)
{
	const char *want = section;
	size_t len;
	char *out = profile_doc_text(doc, &len);

	if (!out)
		return false;
	ini_parse_string(out, fuzz_section_seen, &want);
	free(out);
	return want != NULL;
}

/*
 * [boot] removed: the document and libinih no longer see it, [vm] keeps
 * its cpus lines; a key added to a new section reads back as set.
 */
static void fuzz_sections(struct profile_doc *doc, const char *value,
			  bool whole_lines, const char *in)
{
	unsigned cpus = profile_doc_count(doc, "vm", "cpus");
	char err[VM_ERR_MAX], *got;

	profile_doc_remove_section(doc, "boot");
	FUZZ_ASSERT(!profile_doc_has_section(doc, "boot"), in);
	FUZZ_ASSERT(profile_doc_count(doc, "vm", "cpus") == cpus, in);
	if (whole_lines)
		FUZZ_ASSERT(fuzz_no_keys_in(doc, "boot"), in);
	if (profile_doc_has_section(doc, "fuzz.extra") ||
	    profile_doc_add_section(doc, "fuzz.extra", err) ||
	    profile_doc_add(doc, "fuzz.extra", "k", value, PROFILE_DOC_WRAP,
			    err))
		return;
	FUZZ_ASSERT(profile_doc_has_section(doc, "fuzz.extra"), in);
	FUZZ_ASSERT(profile_doc_count(doc, "fuzz.extra", "k") == 1, in);
	got = profile_doc_get(doc, "fuzz.extra", "k");
	FUZZ_ASSERT(got && !strcmp(got, value), in);
	free(got);
}

static bool lines_shorter_than(const char *t, size_t max)
{
	for (const char *p = t; *p;) {
		size_t len = strcspn(p, "\n");

		if (len >= max)
			return false;
		p += len + (p[len] == '\n');
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VM_ERR_MAX], *in, *out;
	struct profile_doc *doc;
	const char *value;
	struct strbuf got = { 0 };
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	value = values[data[0] % ARRAY_SIZE(values)];
	in = strndup((const char *)data + 1, size - 1);
	if (!in)
		return 0;
	if (profile_doc_new(&doc, "/nonexistent/fuzz.ini", in, err)) {
		free(in);
		return 0;
	}
	out = profile_doc_text(doc, &len);
	FUZZ_ASSERT(out && !strcmp(out, in), in);
	free(out);
	profile_doc_remove(doc, "vm", "cpus");
	FUZZ_ASSERT(profile_doc_count(doc, "vm", "cpus") == 0, in);
	rc = profile_doc_set(doc, "vm", "cpus", value, PROFILE_DOC_WRAP, err);
	out = profile_doc_text(doc, &len);
	FUZZ_ASSERT(out, in);
	/* libinih's own reading agrees, when it reads whole lines */
	if (rc == 0 && lines_shorter_than(in, PROFILE_DOC_LINE_MAX)) {
		FUZZ_ASSERT(lines_shorter_than(out, PROFILE_DOC_LINE_MAX + 1),
			    out);
		ini_parse_string(out, fuzz_collect, &got);
		FUZZ_ASSERT(got.s && !strcmp(got.s, value), out);
	}
	free(got.s);
	free(out);
	fuzz_sections(doc, value,
		      lines_shorter_than(in, PROFILE_DOC_LINE_MAX), in);
	profile_doc_free(doc);
	free(in);
	return 0;
}
