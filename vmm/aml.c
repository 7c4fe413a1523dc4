/* aml.c - a small AML byte-code builder (ACPI 6.4, chapter 20). */
#include <errno.h>
#include <string.h>

#include "vmm/aml.h"

/* Opcodes and prefixes (ACPI 6.4, 20.3) */
#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_CHAR		'^'
#define AML_RETURN_OP		0xa4

#define AML_PKGLEN_MAX		0x0fffffff	/* 28 bits */
#define AML_NAME_SEGS_MAX	255

void
aml_init(struct aml *a, void *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

int
aml_finish(struct aml *a, size_t *len)
{
	if (!a->err && a->depth)
		a->err = -EINVAL;
	if (!a->err)
		*len = a->len;
	return a->err;
}

static void
aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

void
aml_bytes(struct aml *a, const void *data, size_t len)
{
	if (a->err)
		return;
	if (len > a->cap - a->len) {
		aml_fail(a, -ENOSPC);
		return;
	}
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

static void
aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* Little-endian, n bytes. */
static void
aml_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

static bool
aml_name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

void
aml_namestring(struct aml *a, const char *path)
{
	uint8_t segs[AML_NAME_SEGS_MAX][4];
	unsigned nsegs = 0, n;
	const char *p = path;

	if (a->err)
		return;
	if (*p == AML_ROOT_CHAR)
		aml_byte(a, *p++);
	else
		while (*p == AML_PARENT_CHAR)
			aml_byte(a, *p++);
	while (*p) {
		if (nsegs == AML_NAME_SEGS_MAX)
			goto bad;
		for (n = 0; n < 4 && aml_name_char(*p, n == 0); n++)
			segs[nsegs][n] = (uint8_t)*p++;
		if (n == 0)
			goto bad;
		for (; n < 4; n++)
			segs[nsegs][n] = '_';
		nsegs++;
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (nsegs == 0)
		aml_byte(a, 0x00);	/* NullName */
	else if (nsegs == 2)
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	aml_bytes(a, segs, 4 * (size_t)nsegs);
	return;
bad:
	aml_fail(a, -EINVAL);
}

void
aml_int(struct aml *a, uint64_t v)
{
	if (v == 0)
		aml_byte(a, AML_ZERO);
	else if (v == 1)
		aml_byte(a, AML_ONE);
	else if (v <= UINT8_MAX) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= UINT16_MAX) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= UINT32_MAX) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

void
aml_string(struct aml *a, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p > 0x7f)
			aml_fail(a, -EINVAL);
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

/* A compressed EISA id: three letters (5 bits each) and four hex digits. */
void
aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;
	unsigned i;

	if (strlen(id) != 7) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			aml_fail(a, -EINVAL);
			return;
		}
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (i = 3; i < 7; i++) {
		char c = id[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			aml_fail(a, -EINVAL);
			return;
		}
	}
	/* Stored big-endian: the bytes read as the id's characters. */
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, __builtin_bswap32(v), 4);
}

void
aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, path);
}

void
aml_return(struct aml *a)
{
	aml_byte(a, AML_RETURN_OP);
}

/* Opens an object whose PkgLength goes here (inserted by aml_end()). */
static void
aml_open(struct aml *a, bool buffer)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		aml_fail(a, -EINVAL);
		return;
	}
	a->open[a->depth].start = a->len;
	a->open[a->depth].buffer = buffer;
	a->depth++;
}

void
aml_end(struct aml *a)
{
	uint8_t pkglen[4];
	size_t start, body, total;
	unsigned n, i;

	if (a->err)
		return;
	if (a->depth == 0) {
		aml_fail(a, -EINVAL);
		return;
	}
	a->depth--;
	start = a->open[a->depth].start;
	body = a->len - start;
	if (a->open[a->depth].buffer) {
		/* The DWordConst placeholder aml_buffer_begin() wrote. */
		size_t size = body - 5;

		for (i = 0; i < 4; i++)
			a->buf[start + 1 + i] = (uint8_t)(size >> (8 * i));
	}
	/* The length counts its own bytes: 1 byte holds 6 bits, more 4+8n. */
	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else
		n = 4;
	total = body + n;
	if (total > AML_PKGLEN_MAX) {
		aml_fail(a, -ENOSPC);
		return;
	}
	if (n > a->cap - a->len) {
		aml_fail(a, -ENOSPC);
		return;
	}
	if (n == 1) {
		pkglen[0] = (uint8_t)total;
	} else {
		pkglen[0] = (uint8_t)((n - 1) << 6 | (total & 0x0f));
		for (i = 1; i < n; i++)
			pkglen[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	memmove(a->buf + start + n, a->buf + start, body);
	memcpy(a->buf + start, pkglen, n);
	a->len += n;
}

void
aml_scope_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a, false);
	aml_namestring(a, path);
}

void
aml_device_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	aml_open(a, false);
	aml_namestring(a, path);
}

void
aml_method_begin(struct aml *a, const char *path, unsigned nargs,
		 bool serialized)
{
	if (nargs > 7)
		aml_fail(a, -EINVAL);
	aml_byte(a, AML_METHOD_OP);
	aml_open(a, false);
	aml_namestring(a, path);
	/* MethodFlags: ArgCount 2:0, SerializeFlag 3, SyncLevel 7:4 = 0 */
	aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 0x08 : 0)));
}

void
aml_package_begin(struct aml *a, unsigned count)
{
	if (count > UINT8_MAX)
		aml_fail(a, -EINVAL);
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a, false);
	aml_byte(a, (uint8_t)count);
}

void
aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, true);
	aml_byte(a, AML_DWORD_PREFIX);	/* BufferSize, patched by aml_end() */
	aml_le(a, 0, 4);
}
