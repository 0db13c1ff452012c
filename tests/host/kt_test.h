/* Shared bits of the host unit tests: cmocka, and a fresh kernel per test. */
#ifndef KT_TEST_H
#define KT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kettle.h"
#include "port_host.h"

#define TEST_STACK 16384

/* A task and its stack, for tests. */
struct test_task {
	struct kt_task task;
	_Alignas(16) unsigned char stack[TEST_STACK];
};

static inline int kt_test_setup(void **state)
{
	(void)state;
	kt_init(0);
	return 0;
}

/* The same with the clock 100 ticks before the 32-bit wrap. */
static inline int kt_test_setup_wrap(void **state)
{
	(void)state;
	kt_init(0xffffffffu - 99u);
	return 0;
}

static inline int spawn(struct test_task *t, const char *name, kt_entry_fn fn,
			void *arg, unsigned prio)
{
	return kt_task_spawn(&t->task, name, fn, arg, t->stack,
			     sizeof(t->stack), prio);
}

#define KT_TEST(f) cmocka_unit_test_setup(f, kt_test_setup)
#define KT_TEST_WRAP(f) cmocka_unit_test_setup(f, kt_test_setup_wrap)

#endif
