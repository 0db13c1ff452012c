/*
 * Waiting on many things: kt_wait_any (asyncio.wait FIRST_COMPLETED) and
 * kt_task_join_all (gather).
 *
 * kt_wait_any first polls each thing in order.  If none is ready it links
 * one waiter per thing - an array on its own stack - into the things' wait
 * lists and blocks once.  Whatever fires first completes its transfer into
 * that waiter (a unit taken, an item copied) and wakes the task with the
 * waiter's index; waking unlinks all the other waiters at once, so nothing
 * else can be consumed for it, and a timeout or cancel that wins instead
 * unlinks them all before anything was consumed.
 */
#include "kernel.h"

/* Take the thing now if it is ready. */
static bool poll_item(const struct kt_wait_item *it)
{
	switch (it->kind) {
	case KT_ON_EVENT:
		return kt_event_is_set(it->obj);
	case KT_ON_SEM:
		return kt_sem_take(it->obj, KT_NOWAIT) == 0;
	case KT_ON_QUEUE:
		return kt_queue_get(it->obj, it->buf, KT_NOWAIT) == 0;
	case KT_ON_TASK:
		return ((struct kt_task *)it->obj)->state == KT_DONE;
	}
	return false;
}

static struct kt_list *wait_list(const struct kt_wait_item *it)
{
	switch (it->kind) {
	case KT_ON_EVENT:
		return &((struct kt_event *)it->obj)->waiters;
	case KT_ON_SEM:
		return &((struct kt_sem *)it->obj)->waiters;
	case KT_ON_QUEUE:
		return &((struct kt_queue *)it->obj)->getters;
	case KT_ON_TASK:
		return &((struct kt_task *)it->obj)->joiners;
	}
	return NULL;
}

static bool valid(const struct kt_wait_item *it)
{
	if (it->obj == NULL || (unsigned)it->kind > KT_ON_TASK)
		return false;
	if (it->kind == KT_ON_QUEUE && it->buf == NULL)
		return false;
	if (it->kind != KT_ON_TASK && kt_list_uninit(wait_list(it)))
		return false;
	if (it->kind == KT_ON_TASK &&
	    (((struct kt_task *)it->obj)->state == KT_UNUSED || it->obj == kt_self()))
		return false;
	return true;
}

int kt_wait_any(const struct kt_wait_item *items, size_t n, kt_tick_t timeout)
{
	struct kt_waiter w[KT_WAIT_ANY_MAX];
	struct kt_task *cur = kt_running();
	int err;

	if (items == NULL || n == 0 || n > KT_WAIT_ANY_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!valid(&items[i]))
			return -EINVAL;
	err = kt_wait_args(timeout);
	if (err != 0)
		return err;
	if (cur == NULL || port_in_isr())
		return -EPERM;
	/* An event's set count is noted before its flag is polled. */
	for (size_t i = 0; i < n; i++) {
		w[i].data = items[i].kind == KT_ON_EVENT ?
				    (void *)kt_event_seq(items[i].obj) :
				    items[i].buf;
		if (poll_item(&items[i]))
			return (int)i;
	}
	err = kt_block_check(timeout);
	if (err != 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		w[i].task = cur;
		kt_list_push_back(wait_list(&items[i]), &w[i].link);
	}
	cur->many = w;
	cur->nmany = (uint8_t)n;
	err = kt_block_now(timeout, KT_WAIT_ANY, items);
	cur->many = NULL;
	cur->nmany = 0;
	return err;
}

int kt_task_join_all(struct kt_task *const *tasks, size_t n, int *results,
		     kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;

	if (tasks == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		kt_tick_t left = KT_FOREVER;
		int err;

		if (timeout != KT_FOREVER) {
			left = kt_tick_before(kt_now(), deadline) ?
				       deadline - kt_now() :
				       KT_NOWAIT;
		}
		err = kt_task_join(tasks[i],
				   results != NULL ? &results[i] : NULL, left);
		if (err != 0)
			return err;
	}
	return 0;
}
