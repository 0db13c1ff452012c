/*
 * libFuzzer target: random sequences of kernel operations, with the
 * kernel's invariants checked after every step and the units and items
 * that pass through semaphores and queues accounted for by a model.
 *
 * Each input is a program.  Its bytes pick operations: spawn a task,
 * hand a task its next action (wait on an event, take or give a
 * semaphore, lock or unlock a mutex, put or get a queue item, sleep,
 * yield, wait on several things, return), set events and give units
 * from simulated interrupts (also at random task switches, through the
 * host port's switch hook), tick, announce a tickless stretch, cancel.
 * After each operation the scheduler runs until idle and the checks run:
 *
 *  - idle means no task is ready or running;
 *  - a blocked task's timeout timer runs iff its wait has a timeout, and
 *    is not overdue (the wheel never fires late);
 *  - nobody waits on a semaphore with units, on a queue with items (or for
 *    room in a queue with room), or on an event that is set: no lost
 *    wake-up;
 *  - mutexes: the owner holds it, waiters are blocked on it and sorted by
 *    priority, every task's priority is its base or the highest it
 *    inherits, and no cycle of owners waiting on each other exists;
 *  - units given = units taken + count; items are never duplicated, and
 *    items put = items got + items queued.
 * At the end every task is cancelled and must finish.  A broken check
 * aborts (libFuzzer reports it with the input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "port_host.h"

#define NT 6 /* tasks */
#define NE 2 /* events */
#define NS 2 /* semaphores */
#define NM 3 /* mutexes */
#define NQ 2 /* queues */
#define QCAP 3
#define SCRIPT 8 /* actions queued per task */
#define STACK 32768
#define MAX_ITEMS 4096

#define CHECK(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "fuzz_kernel: %s:%d: %s\n", __FILE__, \
				__LINE__, #c); \
			abort(); \
		} \
	} while (0)

enum act {
	A_EVENT,
	A_SEM_TAKE,
	A_SEM_GIVE,
	A_LOCK,
	A_UNLOCK,
	A_PUT,
	A_GET,
	A_SLEEP,
	A_YIELD,
	A_ANY,
	A_RETURN,
	A_COUNT
};

struct action {
	uint8_t act, obj;
	kt_tick_t timeout;
};

struct agent {
	struct kt_task task;
	struct kt_event mail; /* kicked when an action is queued */
	struct action script[SCRIPT];
	unsigned head, count;
	bool held[NM];
	struct action doing; /* the action it is blocked in */
	_Alignas(16) unsigned char stack[STACK];
};

static struct agent ag[NT];
static struct kt_event ev[NE];
static struct kt_sem sem[NS];
static struct kt_mutex mx[NM];
static struct kt_queue qu[NQ];
static uint32_t qstore[NQ][QCAP];

/* The model. */
static unsigned long given[NS], taken[NS];
static unsigned long put_ok[NQ], got_ok[NQ];
static uint32_t next_item;
static bool item_seen[MAX_ITEMS];

static const uint8_t *in;
static size_t in_len, in_pos;

static uint8_t next_byte(void)
{
	return in_pos < in_len ? in[in_pos++] : 0;
}

static kt_tick_t timeout_of(uint8_t b)
{
	switch (b % 4) {
	case 0:
		return KT_NOWAIT;
	case 1:
		return KT_FOREVER;
	default:
		return 1u + b / 4u % 20u;
	}
}

static void got_item(unsigned q, uint32_t item)
{
	CHECK(item < MAX_ITEMS && !item_seen[item]); /* never duplicated */
	item_seen[item] = true;
	got_ok[q]++;
}

static int perform(struct agent *a, const struct action *x)
{
	int err;

	a->doing = *x;
	switch (x->act) {
	case A_EVENT:
		err = kt_event_wait(&ev[x->obj % NE], x->timeout);
		CHECK(err == 0 || err == -ETIMEDOUT || err == -ECANCELED);
		return err;
	case A_SEM_TAKE:
		err = kt_sem_take(&sem[x->obj % NS], x->timeout);
		CHECK(err == 0 || err == -ETIMEDOUT || err == -ECANCELED);
		if (err == 0)
			taken[x->obj % NS]++;
		return err;
	case A_SEM_GIVE:
		err = kt_sem_give(&sem[x->obj % NS]);
		CHECK(err == 0 || err == -EOVERFLOW);
		if (err == 0)
			given[x->obj % NS]++;
		return err;
	case A_LOCK: {
		unsigned m = x->obj % NM;

		err = kt_mutex_lock(&mx[m], x->timeout);
		CHECK(err == 0 || err == -ETIMEDOUT || err == -ECANCELED ||
		      err == -EDEADLK || err == -EOWNERDEAD);
		CHECK(err != -EDEADLK || a->held[m] || mx[m].owner != &a->task);
		if (err == 0 || err == -EOWNERDEAD) {
			CHECK(mx[m].owner == &a->task);
			a->held[m] = true;
		}
		return err;
	}
	case A_UNLOCK: {
		unsigned m = x->obj % NM;

		err = kt_mutex_unlock(&mx[m]);
		CHECK(err == (a->held[m] ? 0 : -EPERM));
		a->held[m] = false;
		return err;
	}
	case A_PUT: {
		unsigned q = x->obj % NQ;
		uint32_t item = next_item++;

		if (item >= MAX_ITEMS)
			return 0; /* the model's numbers are used up */
		err = kt_queue_put(&qu[q], &item, x->timeout);
		CHECK(err == 0 || err == -ETIMEDOUT || err == -ECANCELED);
		if (err == 0)
			put_ok[q]++;
		return err;
	}
	case A_GET: {
		unsigned q = x->obj % NQ;
		uint32_t item = 0;

		err = kt_queue_get(&qu[q], &item, x->timeout);
		CHECK(err == 0 || err == -ETIMEDOUT || err == -ECANCELED);
		if (err == 0)
			got_item(q, item);
		return err;
	}
	case A_SLEEP:
		err = kt_sleep(x->timeout == KT_FOREVER ? 50 : x->timeout);
		CHECK(err == 0 || err == -ECANCELED);
		return err;
	case A_YIELD:
		kt_yield();
		return 0;
	case A_ANY: {
		uint32_t item = 0;
		unsigned q = x->obj % NQ, s = (x->obj / 2u) % NS, e = x->obj % NE;
		struct kt_wait_item it[3] = {
			{ KT_ON_EVENT, &ev[e], NULL },
			{ KT_ON_SEM, &sem[s], NULL },
			{ KT_ON_QUEUE, &qu[q], &item },
		};

		err = kt_wait_any(it, 3, x->timeout);
		CHECK(err >= -ECANCELED && err <= 2);
		CHECK(err >= 0 || err == -ETIMEDOUT || err == -ECANCELED);
		if (err == 1)
			taken[s]++;
		if (err == 2)
			got_item(q, item);
		return err;
	}
	}
	return 0;
}

static int agent_main(void *arg)
{
	struct agent *a = arg;

	for (;;) {
		struct action x;
		int err;

		a->doing.act = A_COUNT;
		if (a->count == 0) {
			kt_event_clear(&a->mail);
			a->doing = (struct action){ A_EVENT, 0xff, KT_FOREVER };
			err = kt_event_wait(&a->mail, KT_FOREVER);
			CHECK(err == 0 || err == -ECANCELED);
			if (err == 0)
				continue;
		} else {
			x = a->script[a->head];
			a->head = (a->head + 1) % SCRIPT;
			a->count--;
			if (x.act == A_RETURN)
				err = -ECANCELED;
			else
				err = perform(a, &x);
		}
		if (err == -ECANCELED) {
			/* Clean up and go: release what it holds. */
			for (unsigned m = 0; m < NM; m++)
				if (a->held[m])
					CHECK(kt_mutex_unlock(&mx[m]) == 0);
			memset(a->held, 0, sizeof(a->held));
			return -ECANCELED;
		}
	}
}

/* ---- simulated interrupts ---------------------------------------------- */

static void isr_op(void *arg)
{
	uint8_t b = (uint8_t)(uintptr_t)arg;
	unsigned q = b % NQ;
	uint32_t item;

	switch (b / 8 % 4) {
	case 0:
		kt_event_set_isr(&ev[b % NE]);
		break;
	case 1:
		if (kt_sem_give_isr(&sem[b % NS]) == 0)
			given[b % NS]++;
		break;
	case 2:
		item = next_item++;
		if (item < MAX_ITEMS && kt_queue_put_isr(&qu[q], &item) == 0)
			put_ok[q]++;
		break;
	default:
		if (kt_queue_get_isr(&qu[q], &item) == 0)
			got_item(q, item);
		break;
	}
}

static void announce(void *arg)
{
	kt_tick_announce((kt_tick_t)(uintptr_t)arg);
}

static void switch_hook(void *arg)
{
	uint8_t b;

	(void)arg;
	b = next_byte();
	if (b >= 0xf0)
		isr_op((void *)(uintptr_t)next_byte());
}

/* ---- the checks ------------------------------------------------------ */

static bool waits_on(const struct kt_task *t, const struct kt_list *list)
{
	const struct kt_list *n;

	for (n = list->next; n != list; n = n->next)
		if (kt_waiter_of((struct kt_list *)n)->task == t)
			return true;
	return false;
}

static unsigned expected_prio(const struct kt_task *t)
{
	unsigned p = t->base_prio;

	for (unsigned m = 0; m < NM; m++) {
		struct kt_waiter *w = kt_waiter_first(&mx[m].waiters);

		if (mx[m].owner == t && w != NULL && w->task->prio > p)
			p = w->task->prio;
	}
	return p;
}

static void check_invariants(void)
{
	kt_tick_t now = kt_now();

	CHECK(kt_k.ready_bits == 0);
	for (int i = 0; i < NT; i++) {
		const struct kt_task *t = &ag[i].task;
		const struct action *x = &ag[i].doing;

		CHECK(t->state == KT_UNUSED || t->state == KT_BLOCKED ||
		      t->state == KT_DONE);
		if (t->state != KT_BLOCKED)
			continue;
		/* Timer iff a finite timeout; never overdue. */
		if (kt_timer_active(&t->timer))
			CHECK(kt_tick_before(now, t->timer.expires));
		if (t->wait == KT_WAIT_EVENT && x->act == A_EVENT && x->obj != 0xff)
			CHECK(!kt_event_is_set(&ev[x->obj % NE]));
		if (t->wait == KT_WAIT_SEM)
			CHECK(kt_sem_count(&sem[x->obj % NS]) == 0);
		if (t->wait == KT_WAIT_QUEUE && x->act == A_GET)
			CHECK(kt_queue_count(&qu[x->obj % NQ]) == 0);
		if (t->wait == KT_WAIT_QUEUE && x->act == A_PUT)
			CHECK(kt_queue_count(&qu[x->obj % NQ]) == QCAP);
		if (t->wait == KT_WAIT_MUTEX) {
			const struct kt_mutex *m = t->wait_obj;

			CHECK(m->owner != NULL && m->owner != t);
			CHECK(waits_on(t, &m->waiters));
		}
		CHECK(t->prio == expected_prio(t));
	}
	for (int i = 0; i < NT; i++)
		if (ag[i].task.state == KT_DONE || ag[i].task.state == KT_UNUSED)
			CHECK(ag[i].task.prio == ag[i].task.base_prio);
	for (unsigned m = 0; m < NM; m++) {
		const struct kt_list *n;
		unsigned last = 255;

		if (mx[m].owner == NULL)
			CHECK(kt_list_empty(&mx[m].waiters));
		for (n = mx[m].waiters.next; n != &mx[m].waiters; n = n->next) {
			const struct kt_task *w =
				kt_waiter_of((struct kt_list *)n)->task;

			CHECK(w->state == KT_BLOCKED && w->wait_obj == &mx[m]);
			CHECK(w->prio <= last);
			last = w->prio;
		}
		/* No cycle: follow owner -> mutex it waits on -> owner ... */
		{
			const struct kt_task *o = mx[m].owner;
			int steps = 0;

			while (o != NULL && o->state == KT_BLOCKED &&
			       o->wait == KT_WAIT_MUTEX) {
				o = ((const struct kt_mutex *)o->wait_obj)->owner;
				CHECK(++steps <= NT);
			}
		}
	}
	for (unsigned s = 0; s < NS; s++)
		CHECK(given[s] == taken[s] + kt_sem_count(&sem[s]));
	for (unsigned q = 0; q < NQ; q++)
		CHECK(put_ok[q] == got_ok[q] + kt_queue_count(&qu[q]));
}

/* ---- one input ------------------------------------------------------- */

static void setup(void)
{
	kt_init((kt_tick_t)(0xffffff00u + next_byte()));
	for (int i = 0; i < NE; i++)
		kt_event_init(&ev[i]);
	for (int i = 0; i < NS; i++)
		kt_sem_init(&sem[i], 0, 3);
	for (int i = 0; i < NM; i++)
		kt_mutex_init(&mx[i]);
	for (int i = 0; i < NQ; i++)
		kt_queue_init(&qu[i], qstore[i], sizeof(uint32_t), QCAP);
	memset(given, 0, sizeof(given));
	memset(taken, 0, sizeof(taken));
	memset(put_ok, 0, sizeof(put_ok));
	memset(got_ok, 0, sizeof(got_ok));
	memset(item_seen, 0, sizeof(item_seen));
	next_item = 0;
	for (int i = 0; i < NT; i++) {
		ag[i].task.state = KT_UNUSED;
		ag[i].head = ag[i].count = 0;
		memset(ag[i].held, 0, sizeof(ag[i].held));
	}
}

static void step(uint8_t op)
{
	struct agent *a = &ag[next_byte() % NT];

	switch (op % 10) {
	case 0:
		if (a->task.state == KT_UNUSED || a->task.state == KT_DONE) {
			kt_event_init(&a->mail);
			a->head = a->count = 0;
			CHECK(kt_task_spawn(&a->task, "agent", agent_main, a,
					    a->stack, sizeof(a->stack),
					    next_byte() % 8) == 0);
		}
		break;
	case 1:
	case 2:
	case 3:
		if (a->count < SCRIPT) {
			struct action *x = &a->script[(a->head + a->count) % SCRIPT];

			x->act = next_byte() % A_COUNT;
			x->obj = next_byte();
			x->timeout = timeout_of(next_byte());
			a->count++;
			kt_event_set(&a->mail);
		}
		break;
	case 4:
	case 5:
		kt_host_isr(isr_op, (void *)(uintptr_t)next_byte());
		break;
	case 6:
		kt_host_tick(1 + next_byte() % 4);
		break;
	case 7: {
		/* A tickless stretch: the whole budget (or part) at once. */
		kt_tick_t b = kt_idle_budget(), n = 1 + next_byte() % 64;

		if (b != KT_FOREVER && b != 0 && b < n)
			n = b;
		kt_host_isr(announce, (void *)(uintptr_t)n);
		break;
	}
	case 8:
		kt_task_cancel(&a->task);
		break;
	default:
		kt_event_clear(&ev[next_byte() % NE]);
		break;
	}
	kt_run_until_idle();
	check_invariants();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = data;
	in_len = size;
	in_pos = 0;
	setup();
	kt_host_set_switch_hook(switch_hook, NULL);
	while (in_pos < in_len)
		step(next_byte());
	/* Everyone is cancelled and must finish, within the longest timeout. */
	kt_host_set_switch_hook(NULL, NULL);
	for (int i = 0; i < NT; i++)
		if (ag[i].task.state != KT_UNUSED && ag[i].task.state != KT_DONE)
			kt_task_cancel(&ag[i].task);
	for (int t = 0; t < 100; t++)
		kt_host_tick(1);
	for (int i = 0; i < NT; i++)
		CHECK(ag[i].task.state == KT_UNUSED || ag[i].task.state == KT_DONE);
	check_invariants();
	return 0;
}
