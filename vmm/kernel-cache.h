/* kernel-cache.h - keeps kernels hyve unpacked, so the next boot of the same bzImage only reads them. */
#ifndef HYVE_KERNEL_CACHE_H
#define HYVE_KERNEL_CACHE_H

#include <stddef.h>
#include <sys/stat.h>

#include "vmm/memory.h"
#include "vmm/unpack.h"

#define KERNEL_CACHE_KEEP 4	/* unpacked kernels kept (about 50 MiB each) */

/*
 * The cache folder: $HYVE_KERNEL_CACHE if set ("" turns the cache off),
 * else $XDG_CACHE_HOME/hyve/kernels, else ~/.cache/hyve/kernels. Returns
 * false when there is none (or it is turned off).
 */
bool kernel_cache_dir(char *out, size_t len);

/*
 * Loads the unpacked kernel of the bzImage with status st (its device,
 * inode, size, mtime and ctime are the key) into guest RAM. Returns 0, or
 * -ENOENT when it is not cached (or the entry is unusable).
 */
int kernel_cache_load(const char *dir, const struct stat *st,
		      const struct guest_memory *mem,
		      struct unpacked_kernel *out);

/*
 * Stores the kernel just unpacked into guest RAM (before the guest runs),
 * atomically, and drops all but the KERNEL_CACHE_KEEP newest. Returns 0 or
 * -errno; a cache that cannot be written changes nothing else.
 */
int kernel_cache_store(const char *dir, const struct stat *st,
		       const struct guest_memory *mem,
		       const struct unpacked_kernel *uk);

#endif
