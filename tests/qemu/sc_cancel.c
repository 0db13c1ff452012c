/*
 * Cancellation on the target: a task blocked in each primitive (event,
 * semaphore, queue get, queue put, mutex, sleep, join, wait-any) is
 * cancelled; its blocking call returns -ECANCELED, it leaves that
 * primitive's wait list and its timer, and the primitive still works for
 * the next user.  A cancelled sleeper blocks again in its cleanup.
 */
#include <stdio.h>

#include "scenario.h"

#define STACK 1024

static struct kt_event ev;
static struct kt_sem sem;
static struct kt_queue q, full_q;
static struct kt_mutex mx;
static uint32_t q_store[4], full_store[1];
static struct kt_task holder, victim, checker;
static uint8_t stacks[3][STACK];

static const char *const names[] = {
	"event", "sem",   "queue-get", "queue-put",
	"mutex", "sleep", "join",      "wait-any",
};

static int hold(void *arg)
{
	(void)arg;
	kt_mutex_lock(&mx, KT_FOREVER);
	kt_sleep(100000);
	kt_mutex_unlock(&mx);
	return 0;
}

static int cleaned_up;

static int block_in(void *arg)
{
	uint32_t item = 5;
	struct kt_wait_item any[2] = { { KT_ON_SEM, &sem, NULL },
				       { KT_ON_QUEUE, &q, &item } };
	int err = -1;

	switch ((int)(intptr_t)arg) {
	case 0:
		err = kt_event_wait(&ev, KT_FOREVER);
		break;
	case 1:
		err = kt_sem_take(&sem, KT_FOREVER);
		break;
	case 2:
		err = kt_queue_get(&q, &item, KT_FOREVER);
		break;
	case 3:
		err = kt_queue_put(&full_q, &item, KT_FOREVER);
		break;
	case 4:
		err = kt_mutex_lock(&mx, KT_FOREVER);
		break;
	case 5:
		err = kt_sleep(100000);
		/* The cancel is delivered once: cleanup may block. */
		if (kt_sleep(3) == 0)
			cleaned_up = 1;
		break;
	case 6:
		err = kt_task_join(&holder, NULL, KT_FOREVER);
		break;
	case 7:
		err = kt_wait_any(any, 2, KT_FOREVER);
		break;
	}
	return err;
}

static int check(void *arg)
{
	uint32_t v = 1;
	int r;

	(void)arg;
	kt_queue_put(&full_q, &v, KT_NOWAIT);
	kt_task_spawn(&holder, "holder", hold, NULL, stacks[0], STACK, 1);
	kt_sleep(1);
	for (int kind = 0; kind < 8; kind++) {
		kt_task_spawn(&victim, names[kind], block_in,
			      (void *)(intptr_t)kind, stacks[1], STACK, 2);
		kt_sleep(2);
		SC_CHECK_EQ(victim.state, KT_BLOCKED);
		SC_CHECK_EQ(kt_task_cancel(&victim), 0);
		SC_CHECK_EQ(kt_task_join(&victim, &r, 50), 0);
		SC_CHECK_EQ(r, -ECANCELED);
		SC_CHECK(!kt_timer_active(&victim.timer));
		SC_CHECK(kt_list_empty(&ev.waiters) && kt_list_empty(&sem.waiters));
		SC_CHECK(kt_list_empty(&q.getters) && kt_list_empty(&full_q.putters));
		SC_CHECK(kt_list_empty(&mx.waiters) &&
			 kt_list_empty(&holder.joiners));
		SC_CHECK_EQ(holder.prio, 1);
		printf("cancelled in %s: %d\n", names[kind], r);
	}
	SC_CHECK_EQ(cleaned_up, 1);
	/* Everything still works. */
	SC_CHECK_EQ(kt_sem_give(&sem), 0);
	SC_CHECK_EQ(kt_sem_take(&sem, KT_NOWAIT), 0);
	SC_CHECK_EQ(kt_queue_get(&full_q, &v, KT_NOWAIT), 0);
	SC_CHECK_EQ(v, 1);
	SC_CHECK_EQ(kt_task_cancel(&holder), 0);
	SC_CHECK_EQ(kt_task_join(&holder, &r, 10), 0);
	SC_CHECK(kt_mutex_owner(&mx) == NULL);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("cancel");
	sc_watchdog(2000);
	kt_event_init(&ev);
	kt_sem_init(&sem, 0, 4);
	kt_queue_init(&q, q_store, sizeof(uint32_t), 4);
	kt_queue_init(&full_q, full_store, sizeof(uint32_t), 1);
	kt_mutex_init(&mx);
	kt_task_spawn(&checker, "checker", check, NULL, stacks[2], STACK, 3);
	kt_run();
}
