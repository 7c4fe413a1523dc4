/* head.S - bzImage boot sector, setup header and 64-bit entry (Linux boot protocol 2.15, boot.rst). */

#define SETUP_SECTS	1	/* setup sectors after the boot sector */
#define LOADED_HIGH	0x01
#define XLF_KERNEL_64	0x01
#define BOOT_STACK_SIZE	16384

/*
 * Real-mode part: the boot sector and one setup sector, copied by the boot
 * loader to low memory. A loader that enters through the 16-bit setup code
 * (at offset 0x200) finds only a halt loop: these guests need the 64-bit
 * entry.
 */
	.section .setup, "a"
	.code16
	.globl	_setup_start
_setup_start:
	.org	0x1f1
setup_sects:		.byte	SETUP_SECTS
root_flags:		.word	0
syssize:		.long	_guest_syssize	/* 16-byte paragraphs */
ram_size:		.word	0
vid_mode:		.word	0xffff		/* "normal" */
root_dev:		.word	0
boot_flag:		.word	0xaa55
	/* offset 0x200 */
jump:			.byte	0xeb, setup_halt - 1f
1:
header:			.ascii	"HdrS"
version:		.word	0x020f
realmode_swtch:		.long	0
start_sys_seg:		.word	0x1000
kernel_version:		.word	version_string - 0x200
type_of_loader:		.byte	0
loadflags:		.byte	LOADED_HIGH
setup_move_size:	.word	0x8000
code32_start:		.long	0x100000
ramdisk_image:		.long	0
ramdisk_size:		.long	0
bootsect_kludge:	.long	0
heap_end_ptr:		.word	0
ext_loader_ver:		.byte	0
ext_loader_type:	.byte	0
cmd_line_ptr:		.long	0
initrd_addr_max:	.long	0x7fffffff
kernel_alignment:	.long	0x200000
relocatable_kernel:	.byte	0
min_alignment:		.byte	21		/* 2 MiB */
xloadflags:		.word	XLF_KERNEL_64
cmdline_size:		.long	4095
hardware_subarch:	.long	0
hardware_subarch_data:	.quad	0
payload_offset:		.long	0
payload_length:		.long	0
setup_data:		.quad	0
pref_address:		.quad	0x100000
init_size:		.long	_guest_init_size
handover_offset:	.long	0
kernel_info_offset:	.long	0

setup_halt:
	cli
	hlt
	jmp	setup_halt

version_string:
	.asciz	"hyve test guest"

	.org	(SETUP_SECTS + 1) * 512

/*
 * Protected-mode part, loaded at 1 MiB. Offset 0 would be the 32-bit
 * entry: these guests only halt there. The 64-bit entry is at 0x200.
 */
	.section .head, "ax"
	.code64
	.globl	startup_32
startup_32:
	cli			/* same bytes in 32- and 64-bit mode */
	hlt
	jmp	startup_32

	.org	0x200
	.globl	startup_64
startup_64:
	cli
	cld
	/* Our own GDT: 0x08 32-bit code, 0x10 64-bit code, 0x18 data. */
	lgdt	gdt_ptr(%rip)
	pushq	$0x10
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs

	/* Clear .bss (the boot stack lives there too). */
	movq	%rsi, %rbx
	movq	$_bss_start, %rdi
	movq	$_bss_end, %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep stosq

	movq	$boot_stack_top, %rsp
	movq	%rbx, boot_params(%rip)
	call	guest_main
	jmp	halt_forever

	.globl	halt_forever
halt_forever:
	cli
	hlt
	jmp	halt_forever

	.section .rodata
	.balign	16
	.globl	gdt, gdt_limit
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code, flat */
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: data, flat */
gdt_end:
	.set	gdt_limit, gdt_end - gdt - 1
	.balign	8
	.word	0
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt

	.data
	.balign	8
	.globl	boot_params
boot_params:
	.quad	0

	.bss
	.balign	16
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
