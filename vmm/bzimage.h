/* bzimage.h - the Linux x86 boot protocol (Documentation/arch/x86/boot.rst, 2.10-2.15). */
#ifndef HYVE_BZIMAGE_H
#define HYVE_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Offsets in the setup header (and in struct boot_params, which embeds it). */
#define BZ_SETUP_SECTS		0x1f1
#define BZ_SYSSIZE		0x1f4
#define BZ_BOOT_FLAG		0x1fe
#define BZ_JUMP			0x200
#define BZ_HEADER_MAGIC		0x202	/* "HdrS" */
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21c
#define BZ_HEAP_END_PTR		0x224
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22c
#define BZ_KERNEL_ALIGNMENT	0x230
#define BZ_RELOCATABLE		0x234
#define BZ_XLOADFLAGS		0x236
#define BZ_CMDLINE_SIZE		0x238
#define BZ_PREF_ADDRESS		0x258
#define BZ_INIT_SIZE		0x260
#define BZ_HEADER_END		0x268	/* end of the 2.15 setup header */

/* Fields of struct boot_params outside the setup header. */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			4096

#define BZ_LOADED_HIGH		0x01
#define BZ_CAN_USE_HEAP		0x80
#define BZ_XLF_KERNEL_64	0x01
#define BZ_MIN_VERSION		0x020a
#define BZ_ENTRY_64_OFFSET	0x200	/* 64-bit entry, from the load address */

/* What the loader needs to know of a bzImage, from its first sectors. */
struct bzimage_info {
	uint16_t version;
	uint32_t setup_size;	/* bytes before the protected-mode kernel */
	uint64_t kernel_size;	/* bytes of protected-mode kernel in the file */
	uint32_t init_size;	/* memory the kernel needs from its load address */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;	/* longest command line, without the NUL */
	uint32_t header_end;	/* setup header bytes to copy to boot_params */
};

/*
 * Checks the header in head[0..head_len) of a file file_size bytes long.
 * Returns 0, or -EINVAL (-ENOEXEC for not-a-bzImage) with a reason in err.
 */
int bzimage_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
		  struct bzimage_info *info, char *err, size_t errlen);

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define E820_RAM	1
#define E820_RESERVED	2

#endif
