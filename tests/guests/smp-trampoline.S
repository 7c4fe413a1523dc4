/* smp-trampoline.S - AP start-up code, real -> protected -> long mode (Intel SDM 3A 9.4, 9.9). */

#define TRAMP_BASE	0x10000		/* SIPI vector 0x10 */
#define TRAMP(x)	(TRAMP_BASE + ((x) - smp_tramp_start))
#define AP_STACK_SIZE	4096
#define CR4_PAE		0x20
#define MSR_EFER	0xc0000080
#define EFER_LME	0x100

/*
 * Copied to TRAMP_BASE by the BSP, which also fills the data slots. The
 * AP starts at CS = TRAMP_BASE >> 4, IP = 0, in real mode.
 */
	.section .rodata
	.code16
	.globl	smp_tramp_start, smp_tramp_end, smp_tramp_cr3
	.globl	smp_tramp_cr0, smp_tramp_efer
smp_tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	smp_tramp_gdtr - smp_tramp_start
	movl	%cr0, %eax
	orl	$1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $TRAMP(smp_tramp_32)

	.code32
smp_tramp_32:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	TRAMP(smp_tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	TRAMP(smp_tramp_efer), %eax
	orl	$EFER_LME, %eax
	xorl	%edx, %edx
	wrmsr
	movl	TRAMP(smp_tramp_cr0), %eax	/* the BSP's: PG, PE, ... */
	movl	%eax, %cr0
	ljmpl	$0x10, $TRAMP(smp_tramp_64)

	.code64
smp_tramp_64:
	/* Each AP takes the next stack. */
	movl	$1, %eax
	lock xaddl %eax, smp_ap_stack_next
	incl	%eax
	imull	$AP_STACK_SIZE, %eax
	movq	$smp_ap_stacks, %rsp
	addq	%rax, %rsp
	movabsq	$smp_ap_entry, %rax
	jmpq	*%rax

	.balign	8
smp_tramp_gdtr:
	.word	gdt_limit
	.long	gdt
	.balign	8
smp_tramp_cr3:	.long	0
smp_tramp_cr0:	.long	0
smp_tramp_efer:	.long	0
smp_tramp_end:

	.text
	.code64
smp_ap_entry:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	call	smp_ap_main
	jmp	halt_forever

	.bss
	.balign	16
	.globl	smp_ap_stacks, smp_ap_stack_next
smp_ap_stacks:
	.skip	AP_STACK_SIZE * 32	/* SMP_MAX_APS in smp.c */
smp_ap_stack_next:
	.long	0
