/*
 * port_switch(from, to): save the callee-saved registers on the running
 * stack, store SP in from->sp (offset 0 of struct kt_task), load to->sp,
 * restore and return into the other context.  Caller-saved registers are
 * already saved by the C caller (AAPCS): 4 instructions carry the switch.
 */
	.syntax unified
	.thumb
	.text
	.global port_switch
	.type port_switch, %function
	.thumb_func
port_switch:
	push	{r4-r11, lr}
	str	sp, [r0]
	ldr	sp, [r1]
	pop	{r4-r11, pc}
	.size port_switch, . - port_switch
