/*
 * The host port: the same kernel on x86-64 Linux, for unit tests.
 *
 * Task switches are a small assembly routine (switch_x86_64.S), the same
 * direct switch as on the target.  Under AddressSanitizer every switch is
 * announced with __sanitizer_start/finish_switch_fiber, or ASan would take
 * the other stack for an overflow.  Time is virtual: nothing ticks until a
 * test calls kt_host_tick().  Interrupts are simulated by kt_host_isr(),
 * which only flags that an "ISR" is running; the kernel's ISR paths are
 * the same code as on the target.
 */
#include "port.h"
#include "port_host.h"
#include "kernel.h"

#if !defined(__x86_64__)
#error "the host port supports x86-64 only"
#endif

#if KT_ASAN /* kernel.h: gcc's or clang's AddressSanitizer */
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define HOST_ASAN 1
#else
#define HOST_ASAN 0
#endif

void host_switch(void **save_sp, void *load_sp);

bool kt_host_in_isr;
static void (*switch_hook)(void *);
static void *switch_hook_arg;
static unsigned long switches;

#if HOST_ASAN
/* The scheduler's stack is main's, learnt when it is first left. */
static const void *main_bottom;
static size_t main_size;
static struct kt_task *switched_from;

static void asan_start(void **fake, struct kt_task *to)
{
	const void *bottom = to->stack != NULL ? to->stack : main_bottom;
	size_t size = to->stack != NULL ? to->stack_size : main_size;

	__sanitizer_start_switch_fiber(fake, bottom, size);
}

static void asan_finish(void *fake)
{
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(fake, &bottom, &size);
	if (switched_from != NULL && switched_from->stack == NULL) {
		main_bottom = bottom;
		main_size = size;
	}
}
#endif

uint32_t port_irq_save(void)
{
	return 0;
}

void port_irq_restore(uint32_t state)
{
	(void)state;
}

void port_idle(void)
{
}

/*
 * Time is the tests' to move (kt_host_tick, kt_tick_announce from
 * kt_host_isr): the host has no timer to sleep on, so nothing passes here.
 */
void port_idle_ticks(kt_tick_t max)
{
	(void)max;
}

static void task_start(void)
{
#if HOST_ASAN
	asan_finish(NULL);
#endif
	kt_task_entry();
}

void port_task_init(struct kt_task *t)
{
#if HOST_ASAN
	/* A stack reused after its task was abandoned may still be poisoned. */
	__asan_unpoison_memory_region(t->stack, t->stack_size);
#endif
	uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)top;

	*--sp = 0; /* task_start's return address */
	*--sp = (uint64_t)(uintptr_t)task_start; /* popped by ret */
	for (int r = 0; r < 6; r++)
		*--sp = 0; /* rbp rbx r12-r15 */
	t->sp = sp;
}

void port_switch(struct kt_task *from, struct kt_task *to)
{
	switches++;
	if (switch_hook != NULL)
		kt_host_isr(switch_hook, switch_hook_arg);
#if HOST_ASAN
	void *fake = NULL;

	switched_from = from;
	asan_start(from->state == KT_DONE ? NULL : &fake, to);
	host_switch(&from->sp, to->sp);
	asan_finish(fake);
#else
	host_switch(&from->sp, to->sp);
#endif
}

void kt_host_isr(void (*fn)(void *), void *arg)
{
	bool was = kt_host_in_isr;

	kt_host_in_isr = true;
	fn(arg);
	kt_host_in_isr = was;
}

static void tick(void *arg)
{
	(void)arg;
	kt_tick_isr();
}

void kt_host_tick(kt_tick_t n)
{
	kt_run_until_idle();
	while (n-- > 0) {
		kt_host_isr(tick, NULL);
		kt_run_until_idle();
	}
}

void kt_host_set_switch_hook(void (*hook)(void *), void *arg)
{
	switch_hook = hook;
	switch_hook_arg = arg;
}

unsigned long kt_host_switches(void)
{
	return switches;
}
