/* aml.h - a small AML byte-code builder (ACPI 6.4, chapter 20). */
#ifndef HYVE_AML_H
#define HYVE_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH	16	/* nested Scope/Device/Method/Package/Buffer */

/*
 * Writes AML into a caller's buffer. Objects with a PkgLength (Scope,
 * Device, Method, Package, Buffer) are opened by an aml_*_begin() call and
 * closed by aml_end(), which inserts the length in front of the body. The
 * first error (-ENOSPC: buffer full, -EINVAL: bad name, bad nesting) sticks
 * and turns later calls into no-ops; aml_finish() reports it.
 */
struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	unsigned depth;
	struct {
		size_t start;	/* the body, after the PkgLength */
		bool buffer;	/* a Buffer: patch its size at aml_end() */
	} open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, void *buf, size_t cap);
/* 0 and the byte count in *len, or the first error (also for open objects). */
int aml_finish(struct aml *a, size_t *len);

/* Raw bytes, e.g. resource descriptors inside aml_buffer_begin()/aml_end(). */
void aml_bytes(struct aml *a, const void *data, size_t len);

/*
 * Names are ASL-style paths: an optional root prefix "\" or parent prefixes
 * "^", then segments of 1-4 characters [A-Z0-9_] (not starting with a digit)
 * separated by '.'; short segments are padded with '_' ("_S5" = "_S5_").
 */
void aml_namestring(struct aml *a, const char *path);

/* Data objects; integers in their smallest encoding (Zero, ..., QWord). */
void aml_int(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);	/* ASCII 0x01-0x7f */
void aml_eisaid(struct aml *a, const char *id);	/* "PNP0A03" as a DWordConst */

/* Name (path, <object>): the caller emits the object next. */
void aml_name(struct aml *a, const char *path);
/* Return (<object>): the caller emits the object next. */
void aml_return(struct aml *a);

/* Objects with a body, each closed by aml_end(). */
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *path);
void aml_method_begin(struct aml *a, const char *path, unsigned nargs,
		      bool serialized);
void aml_package_begin(struct aml *a, unsigned count);	/* count <= 255 */
void aml_buffer_begin(struct aml *a);	/* size is filled in by aml_end() */
void aml_end(struct aml *a);

#endif
