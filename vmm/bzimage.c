/* bzimage.c - validates a bzImage setup header (Linux x86 boot protocol 2.10+). */
#include <errno.h>
#include <string.h>

#include "vmm/bzimage.h"
#include "vmm/compat.h"

int bzimage_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
		  struct bzimage_info *info, char *err, size_t errlen)
{
	unsigned setup_sects;
	uint32_t syssize;
	uint16_t xload;

	memset(info, 0, sizeof(*info));
	if (head_len < BZ_HEADER_END || file_size < BZ_HEADER_END)
		return err_set(err, errlen, -ENOEXEC,
			       "not a bzImage: only %llu bytes",
			       (unsigned long long)file_size);
	if (memcmp(head + BZ_HEADER_MAGIC, "HdrS", 4) != 0)
		return err_set(err, errlen, -ENOEXEC,
			       "not a bzImage: no \"HdrS\" boot header "
			       "(hyve boots Linux bzImage kernels, e.g. "
			       "/boot/vmlinuz-*)");
	if (get_le16(head + BZ_BOOT_FLAG) != 0xaa55)
		return err_set(err, errlen, -ENOEXEC,
			       "not a bzImage: boot flag is %#x, not 0xaa55",
			       get_le16(head + BZ_BOOT_FLAG));
	info->version = get_le16(head + BZ_VERSION);
	if (info->version < BZ_MIN_VERSION)
		return err_set(err, errlen, -EINVAL,
			       "boot protocol %u.%02u is too old (hyve needs "
			       "2.10 or later, Linux 2.6.31+)",
			       info->version >> 8, info->version & 0xff);
	if (!(head[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return err_set(err, errlen, -EINVAL,
			       "zImage kernels (loaded below 1 MiB) are not "
			       "supported: use a bzImage");
	xload = get_le16(head + BZ_XLOADFLAGS);
	if (info->version >= 0x020c && !(xload & BZ_XLF_KERNEL_64))
		return err_set(err, errlen, -EINVAL,
			       "kernel has no 64-bit entry point (xloadflags "
			       "%#x): hyve boots x86_64 kernels", xload);

	setup_sects = head[BZ_SETUP_SECTS] ? head[BZ_SETUP_SECTS] : 4;
	info->setup_size = (setup_sects + 1) * 512;
	if (info->setup_size >= file_size)
		return err_set(err, errlen, -EINVAL,
			       "truncated kernel: %u setup bytes but the file "
			       "has %llu", info->setup_size,
			       (unsigned long long)file_size);
	info->kernel_size = file_size - info->setup_size;
	syssize = get_le32(head + BZ_SYSSIZE);
	if (syssize == 0 || (uint64_t)syssize * 16 > info->kernel_size)
		return err_set(err, errlen, -EINVAL,
			       "truncated kernel: header says %llu bytes of "
			       "kernel, the file has %llu",
			       (unsigned long long)syssize * 16,
			       (unsigned long long)info->kernel_size);
	info->init_size = get_le32(head + BZ_INIT_SIZE);
	if (info->init_size < info->kernel_size)
		return err_set(err, errlen, -EINVAL,
			       "corrupt header: init_size %u is smaller than "
			       "the kernel (%llu bytes)", info->init_size,
			       (unsigned long long)info->kernel_size);
	info->initrd_addr_max = get_le32(head + BZ_INITRD_ADDR_MAX);
	info->cmdline_size = get_le32(head + BZ_CMDLINE_SIZE);
	if (info->cmdline_size == 0)
		return err_set(err, errlen, -EINVAL,
			       "corrupt header: cmdline_size is 0");
	info->header_end = BZ_JUMP + 2 + head[BZ_JUMP + 1];
	if (info->header_end > BZ_HEADER_END)
		info->header_end = BZ_HEADER_END;
	if (info->header_end < BZ_INIT_SIZE + 4)
		return err_set(err, errlen, -EINVAL,
			       "corrupt header: it ends at %#x, before the "
			       "2.10 fields", info->header_end);
	return 0;
}
