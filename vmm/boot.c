/* boot.c - puts a bzImage, initrd, boot_params, e820, ACPI and page tables into guest RAM (Linux boot protocol, 64-bit entry). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/acpi.h"
#include "vmm/bzimage.h"
#include "vmm/compat.h"
#include "vmm/layout.h"
#include "vmm/unpack.h"
#include "vmm/vm-internal.h"

#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_PS	0x080ULL

static int open_file(const char *path, const char *what, int *fd,
		     uint64_t *size, char *err)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return err_set(err, VM_ERR_MAX, -errno, "%s %s: %s", what,
			       path, strerror(errno));
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		return err_set(err, VM_ERR_MAX, -EINVAL,
			       "%s %s: not a regular file", what, path);
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Identity-maps the first 4 GiB with 2 MiB pages and writes the boot GDT. */
static void boot_page_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, LAYOUT_PML4, 4096);
	uint64_t *pdpt = vm_gpa(vm, LAYOUT_PDPT, 4096);
	uint64_t *pd = vm_gpa(vm, LAYOUT_PD, 4 * 4096);
	uint64_t *gdt = vm_gpa(vm, LAYOUT_GDT, 5 * 8);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = LAYOUT_PDPT | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_PD + i * 4096) | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;	/* 0x10: 64-bit code, flat */
	gdt[3] = 0x00cf93000000ffffULL;	/* 0x18: data, flat 4 GiB */
	gdt[4] = 0x00008b0000000067ULL;	/* 0x20: busy TSS, base 0 */
}

static int boot_initrd(struct vm *vm, const struct bzimage_info *bz,
		       uint64_t kernel_end, uint8_t *bp, char *err)
{
	uint64_t size, top, addr;
	int fd, rc;

	if (!vm->cfg.initrd[0])
		return 0;
	rc = open_file(vm->cfg.initrd, "initrd", &fd, &size, err);
	if (rc)
		return rc;
	top = MIN(vm->mem.low, (uint64_t)bz->initrd_addr_max + 1);
	if (size == 0 || size > top ||
	    ALIGN_DOWN(top - size, 4096) < kernel_end) {
		close(fd);
		return err_set(err, VM_ERR_MAX, -ENOSPC,
			       "initrd %s (%llu bytes) does not fit below "
			       "%#llx with the kernel: give the VM more memory",
			       vm->cfg.initrd, (unsigned long long)size,
			       (unsigned long long)top);
	}
	addr = ALIGN_DOWN(top - size, 4096);
	rc = pread_full(fd, vm_gpa(vm, addr, size), size, 0);
	close(fd);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "initrd %s: read: %s",
			       vm->cfg.initrd, strerror(-rc));
	put_le32(bp + BZ_RAMDISK_IMAGE, (uint32_t)addr);
	put_le32(bp + BZ_RAMDISK_SIZE, (uint32_t)size);
	return 0;
}

static int boot_acpi(struct vm *vm, uint8_t *bp, char *err)
{
	struct acpi_params ap = {
		.cpus = vm->cfg.cpus,
		.rtc_century = CMOS_CENTURY,
		.pci_mmio64 = vm_pci_mmio64(vm),
	};
	size_t used = 0;
	int rc;

	rc = acpi_build(&ap, LAYOUT_ACPI,
			vm_gpa(vm, LAYOUT_ACPI, LAYOUT_ACPI_MAX),
			LAYOUT_ACPI_MAX, &used);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "ACPI tables: %s",
			       strerror(-rc));
	put_le64(bp + BP_ACPI_RSDP_ADDR, LAYOUT_ACPI);
	return 0;
}

/*
 * Puts the kernel of the bzImage open on fd into guest RAM. An LZ4 kernel
 * is unpacked here, which is much faster than its own decompressor in the
 * guest (it runs at its link address then: no KASLR). Any other kernel
 * goes to 1 MiB as it is and decompresses itself.
 */
static int boot_kernel(struct vm *vm, int fd, const uint8_t *head,
		       const struct bzimage_info *bz, uint64_t *entry,
		       uint64_t *kernel_end, char *err)
{
	struct unpacked_kernel uk;
	char why[VM_ERR_MAX] = "";
	int rc;

	if (vm->cfg.boot_unpack) {
		rc = unpack_kernel(&vm->mem, fd, head, bz, &uk, why,
				   sizeof(why));
		if (rc == 0) {
			*entry = uk.entry;
			*kernel_end = uk.end;
			return 0;
		}
		if (rc != -ENOENT)	/* an LZ4 kernel we could not unpack */
			vm_log(vm, "kernel %s: booting it as it is (%s)",
			       vm->cfg.kernel, why);
	}
	if (LAYOUT_HIGH_MEM + (uint64_t)bz->init_size > vm->mem.low)
		return err_set(err, VM_ERR_MAX, -ENOSPC,
			       "kernel %s needs %u MiB from 1 MiB up; give the "
			       "VM more memory", vm->cfg.kernel,
			       bz->init_size >> 20);
	rc = pread_full(fd, vm_gpa(vm, LAYOUT_HIGH_MEM, bz->kernel_size),
		       bz->kernel_size, bz->setup_size);
	if (rc)
		return err_set(err, VM_ERR_MAX, rc, "kernel %s: read: %s",
			       vm->cfg.kernel, strerror(-rc));
	*entry = LAYOUT_HIGH_MEM + BZ_ENTRY_64_OFFSET;
	*kernel_end = LAYOUT_HIGH_MEM + bz->init_size;
	return 0;
}

int boot_load(struct vm *vm, uint64_t *entry, char *err)
{
	uint8_t head[BZ_HEADER_END];
	struct e820_entry e820[BP_E820_MAX];
	struct bzimage_info bz;
	uint64_t size;
	size_t cmdlen = strlen(vm->cfg.cmdline);
	uint64_t kernel_end = 0;
	uint8_t *bp;
	unsigned n;
	int fd, rc;
	char why[VM_ERR_MAX];

	rc = open_file(vm->cfg.kernel, "kernel", &fd, &size, err);
	if (rc)
		return rc;
	rc = size < sizeof(head) ? -ENOEXEC : pread_full(fd, head,
							sizeof(head), 0);
	if (rc == 0)
		rc = bzimage_parse(head, sizeof(head), size, &bz, why,
				   sizeof(why));
	else
		str_copy(why, "not a bzImage: file too short", sizeof(why));
	if (rc) {
		close(fd);
		return err_set(err, VM_ERR_MAX, rc, "kernel %s: %s",
			       vm->cfg.kernel, why);
	}
	rc = boot_kernel(vm, fd, head, &bz, entry, &kernel_end, err);
	close(fd);
	if (rc)
		return rc;

	if (cmdlen > bz.cmdline_size || cmdlen >= LAYOUT_CMDLINE_MAX)
		return err_set(err, VM_ERR_MAX, -E2BIG,
			       "command line is %zu bytes; kernel %s takes at "
			       "most %u", cmdlen, vm->cfg.kernel,
			       bz.cmdline_size);
	memcpy(vm_gpa(vm, LAYOUT_CMDLINE, cmdlen + 1), vm->cfg.cmdline,
	       cmdlen + 1);

	bp = vm_gpa(vm, LAYOUT_ZERO_PAGE, BP_SIZE);
	memset(bp, 0, BP_SIZE);
	memcpy(bp + BZ_SETUP_SECTS, head + BZ_SETUP_SECTS,
	       bz.header_end - BZ_SETUP_SECTS);
	bp[BZ_TYPE_OF_LOADER] = 0xff;
	bp[BZ_LOADFLAGS] |= BZ_CAN_USE_HEAP;
	put_le16(bp + BZ_HEAP_END_PTR, 0xfe00);
	put_le32(bp + BZ_CMD_LINE_PTR, LAYOUT_CMDLINE);
	n = memory_e820(vm->mem.size, e820, BP_E820_MAX);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * 20;

		put_le64(e, e820[i].addr);
		put_le64(e + 8, e820[i].size);
		put_le32(e + 16, e820[i].type);
	}
	rc = boot_initrd(vm, &bz, kernel_end, bp, err);
	if (rc)
		return rc;
	rc = boot_acpi(vm, bp, err);
	if (rc)
		return rc;
	boot_page_tables(vm);
	return 0;
}
