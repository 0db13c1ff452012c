/*
 * Looking at the kernel: a task's state, stack high-water mark and CPU
 * share, the running timers (the task list itself, kt_task_next, is in
 * task.c: the port walks it).  For shells and debuggers; the
 * kernel itself never calls into this file, so an image that does not
 * look links none of it.
 */
#include "kernel.h"

/* The lowest word that is no longer paint marks the deepest the stack went. */
KT_NO_ASAN static size_t stack_used(const struct kt_task *t)
{
	const uint32_t *p = t->stack;
	const uint32_t *end = p + t->stack_size / sizeof(uint32_t);

	while (p < end && *p == KT_STACK_PAINT)
		p++;
	return (size_t)((const char *)end - (const char *)p);
}

int kt_task_info(const struct kt_task *t, struct kt_task_info *info)
{
	if (t == NULL || info == NULL || t->state == KT_UNUSED)
		return -EINVAL;
	info->name = t->name;
	info->state = (enum kt_state)t->state;
	info->wait = (enum kt_wait)t->wait;
	info->prio = t->prio;
	info->stack_size = t->stack_size;
	info->stack_used = stack_used(t);
	info->runs = t->runs;
	info->ticks = t->ticks;
	info->hogs = t->hogs;
	return 0;
}

#if KT_STATS
uint32_t kt_idle_ticks(void)
{
	return kt_k.sched.ticks;
}
#endif

const char *kt_state_name(enum kt_state s)
{
	static const char *const names[] = {
		"unused", "new", "ready", "running", "blocked", "done",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *kt_wait_name(enum kt_wait w)
{
	static const char *const names[] = {
		"-", "sleep", "join", "event", "mutex", "sem", "queue", "any",
	};

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

static void each_in(const struct kt_hlist *h,
		    void (*fn)(const struct kt_timer *t, void *arg), void *arg)
{
	for (const struct kt_hnode *n = h->first; n != NULL; n = n->next)
		fn(kt_container_of(n, struct kt_timer, node), arg);
}

void kt_timer_foreach(void (*fn)(const struct kt_timer *t, void *arg), void *arg)
{
	struct kt_wheel *w = &kt_k.wheel;

	if (fn == NULL)
		return;
	each_in(&w->due, fn, arg);
	for (unsigned l = 0; l < KT_WHEEL_LEVELS; l++)
		for (uint32_t occ = w->occupied[l]; occ != 0; occ &= occ - 1)
			each_in(&w->slot[l][__builtin_ctz(occ)], fn, arg);
}

struct kt_task *kt_timer_task(const struct kt_timer *t)
{
	if (t == NULL || t->fn == NULL || t->arg == NULL)
		return NULL;
	/* A task's timeout timer is the one inside it that points back. */
	struct kt_task *task = t->arg;

	return &task->timer == t ? task : NULL;
}
