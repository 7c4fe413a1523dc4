/* bootparams.c - the Linux zero page: cmdline and e820 (Documentation/arch/x86/zero-page.rst). */
#include "guest.h"

#define CMDLINE_LIMIT	0x100000000ULL	/* what the entry page tables map */

const char *bp_cmdline(void)
{
	uint64_t p = bp_u32(BP_CMD_LINE_PTR) |
		     (uint64_t)bp_u32(BP_EXT_CMD_LINE_PTR) << 32;

	if (!p || p >= CMDLINE_LIMIT)
		return "";
	return (const char *)p;
}

bool bp_cmdline_has(const char *word)
{
	const char *s = bp_cmdline();
	size_t n = strlen(word);

	while (*s) {
		while (*s == ' ')
			s++;
		if (!memcmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

unsigned bp_e820(const struct e820_entry **table)
{
	unsigned n = boot_params[BP_E820_ENTRIES];

	*table = (const struct e820_entry *)(boot_params + BP_E820_TABLE);
	return n > BP_E820_MAX ? BP_E820_MAX : n;
}
