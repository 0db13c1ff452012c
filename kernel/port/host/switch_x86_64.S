/*
 * host_switch(void **save_sp, void *load_sp): the x86-64 System V
 * callee-saved registers go on the running stack, its SP into *save_sp;
 * then the other stack's are popped and ret resumes it.
 */
	.text
	.globl	host_switch
	.type	host_switch, @function
host_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	host_switch, . - host_switch
	.section .note.GNU-stack, "", @progbits
