/* lz4-tool.h - unit-test helper: LZ4 frames made by the lz4 tool in the legacy format, with the unpacked size appended, as Linux packs a kernel. */
#ifndef HYVE_LZ4_TOOL_H
#define HYVE_LZ4_TOOL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/compat.h"

struct frame {
	uint8_t *data;
	size_t len;
};

/*
 * Compresses in[0..len) with "lz4 -l -9" (files raw and raw.lz4 in the
 * folder dir) into f, and appends the size as Linux does. 0, or -1 when
 * the tool failed (apt-get install lz4).
 */
static inline int lz4_tool(const char *dir, const uint8_t *in, size_t len,
			   struct frame *f)
{
	char raw[300], packed[300], cmd[700];
	FILE *fp;
	long n;

	snprintf(raw, sizeof(raw), "%s/raw", dir);
	snprintf(packed, sizeof(packed), "%s/raw.lz4", dir);
	fp = fopen(raw, "wb");
	if (!fp || fwrite(in, 1, len, fp) != len || fclose(fp))
		return -1;
	snprintf(cmd, sizeof(cmd), "lz4 -q -f -l -9 %s %s", raw, packed);
	if (system(cmd) != 0)
		return -1;
	fp = fopen(packed, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0)
		return -1;
	rewind(fp);
	f->data = malloc((size_t)n + 4);
	f->len = (size_t)n + 4;
	if (fread(f->data, 1, (size_t)n, fp) != (size_t)n)
		return -1;
	fclose(fp);
	put_le32(f->data + n, (uint32_t)len);
	return 0;
}

#endif
