/* unpack.h - unpacks an LZ4 bzImage's vmlinux inside hyve and loads its segments where they run, skipping the in-guest decompressor. */
#ifndef HYVE_UNPACK_H
#define HYVE_UNPACK_H

#include <stdint.h>

#include "vmm/bzimage.h"
#include "vmm/memory.h"

#define BZ_PAYLOAD_OFFSET	0x248	/* protocol 2.08+ */
#define BZ_PAYLOAD_LENGTH	0x24c

struct unpacked_kernel {
	uint64_t entry;		/* physical address of startup_64 */
	uint64_t end;		/* first byte above the loaded kernel */
};

/*
 * Unpacks the LZ4 payload of the bzImage open on fd (head: its first
 * BZ_HEADER_END bytes, bz: the parsed header) and puts each PT_LOAD segment
 * of the vmlinux ELF at its physical address. The payload is read a chunk
 * at a time, never whole. Each 8 MiB block unpacks straight into guest RAM
 * when its segments allow, else through a scratch block at the top of low
 * RAM; whatever lands outside the segments is zeroed again. Returns 0;
 * -ENOENT when the kernel is not LZ4 packed; or -ENOTSUP when an LZ4
 * kernel cannot be unpacked here (too little memory, a corrupt or
 * unreadable payload, an odd vmlinux). The reason is in why; boot the
 * bzImage as it is then.
 */
int unpack_kernel(const struct guest_memory *mem, int fd,
		  const uint8_t *head, const struct bzimage_info *bz,
		  struct unpacked_kernel *out, char *why, size_t whylen);

#endif
