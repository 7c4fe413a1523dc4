/* trap-entry.S - interrupt and exception entry stubs (Intel SDM vol. 3A 6.14.2 stack frame). */

/* Vectors where the CPU pushes an error code. */
#define HAS_ERR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
		    (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
		    (v) == 29 || (v) == 30)

	.text
	.code64
/* 256 stubs, 16 bytes apart: trap_stubs + 16 * vector. */
	.balign	16
	.globl	trap_stubs
trap_stubs:
	vec = 0
	.rept	256
	.balign	16
	.if	HAS_ERR(vec)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	trap_common
	vec = vec + 1
	.endr

trap_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	%rsp, %rdi
	cld
	call	trap_dispatch
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp	/* vector and error code */
	iretq
