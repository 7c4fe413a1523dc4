/* import.h - turns xhyve/hyperkit command lines and the sh scripts around them into hyve profile text (see hyve-profile(5)). */
#ifndef HYVE_IMPORT_H
#define HYVE_IMPORT_H

#include <stddef.h>

/*
 * A pure library: no printing, no files. The caller reads the script,
 * shows the warnings and writes the profile.
 *
 * Naming rules of the generated profile:
 *   - [vm] name: opts->name if given, else the file name stem of the first
 *     hard disk, else the script's file name stem, else "xhyve"; every
 *     byte outside [A-Za-z0-9._-] becomes '-'.
 *   - [disk.NAME]: the first hard disk (virtio-blk or ahci-hd) is "root";
 *     every other disk is named after its file name without the last
 *     extension (or "disk"/"cdrom" when that is empty), sanitized like the
 *     VM name, cut to 32 bytes, and made unique with "-2", "-3", ...
 *   - [net.NAME]: eth0, eth1, ... in command-line order.
 */

struct import_warning {
	unsigned line;		/* script line, 0 for argv input */
	char *text;		/* printable ASCII, one line */
};

struct import_result {
	char *profile;		/* the INI text, or NULL */
	struct import_warning *warnings;
	size_t nwarnings;
	char *error;		/* why there is no profile, or NULL */
	unsigned error_line;	/* its script line, or 0 */
};

struct import_options {
	const char *source;	/* "run.sh" for messages, or NULL */
	const char *name;	/* [vm] name, or NULL to derive one */
};

/*
 * Reads an sh script of len bytes (not necessarily NUL-terminated) and
 * imports its first xhyve or hyperkit command that boots with -f kexec
 * (else its first one). Returns 0 with res->profile set (warnings may be
 * present), -EINVAL with res->error set when nothing usable was found
 * (no command, no kernel), or -ENOMEM. res is always filled in and must
 * be released with import_result_free().
 */
int import_script(const char *text, size_t len,
		  const struct import_options *opts, struct import_result *res);

/*
 * Imports xhyve arguments, with or without a leading "xhyve"/"hyperkit"
 * (or "sudo xhyve") word. Same results as import_script().
 */
int import_argv(int argc, char *const argv[],
		const struct import_options *opts, struct import_result *res);

void import_result_free(struct import_result *res);

#endif
