/*
 * The trace ring (see trace.h).  A record claims its slot with one atomic
 * add on the free-running head, so interrupt handlers and tasks record
 * without masking; the ring keeps the newest size records and the dump
 * reports how many older ones were overwritten.  The dump formats its own
 * hex: the kernel uses no printf.
 */
#include "kernel.h"

static struct {
	struct kt_trace_rec *buf;
	uint32_t mask;
	uint32_t head; /* records claimed so far; atomic */
	uint32_t (*clock)(void);
	volatile uint8_t on;
} tr;

volatile uint32_t kt_trace_irq;

int kt_trace_start(struct kt_trace_rec *buf, uint32_t n, uint32_t (*clock)(void))
{
	if (buf == NULL || clock == NULL || n == 0 || (n & (n - 1)) != 0)
		return -EINVAL;
	tr.on = 0;
	tr.buf = buf;
	tr.mask = n - 1;
	tr.head = 0;
	tr.clock = clock;
	tr.on = 1;
	return 0;
}

void kt_trace_stop(void)
{
	tr.on = 0;
}

void kt_trace_rec(uint8_t type, uint8_t task, uint16_t arg)
{
	struct kt_trace_rec *r;

	if (!tr.on)
		return;
	r = &tr.buf[__atomic_fetch_add(&tr.head, 1u, __ATOMIC_RELAXED) & tr.mask];
	r->time = tr.clock();
	r->type = type;
	r->task = task;
	r->arg = arg;
}

void kt_trace_mark(uint16_t value)
{
	struct kt_task *t = kt_self();

	kt_trace_rec(KT_TR_MARK, t != NULL ? t->id : 0, value);
}

uint32_t kt_trace_irq_enter(uint32_t irq)
{
	uint32_t prev = kt_trace_irq;

	kt_trace_irq = irq + 1;
	kt_trace_rec(KT_TR_IRQ_ENTER, 0, (uint16_t)irq);
	return prev;
}

void kt_trace_irq_exit(uint32_t irq, uint32_t prev)
{
	kt_trace_rec(KT_TR_IRQ_EXIT, 0, (uint16_t)irq);
	kt_trace_irq = prev;
}

uint32_t kt_trace_copy(struct kt_trace_rec *out, uint32_t n)
{
	uint32_t head, count, was = tr.on;

	if (out == NULL || tr.buf == NULL)
		return 0;
	tr.on = 0;
	head = __atomic_load_n(&tr.head, __ATOMIC_RELAXED);
	count = head < tr.mask + 1 ? head : tr.mask + 1;
	if (count > n)
		count = n;
	for (uint32_t i = 0; i < count; i++)
		out[i] = tr.buf[(head - count + i) & tr.mask];
	tr.on = was;
	return count;
}

/* ---- the dump ---------------------------------------------------------- */

struct line {
	char s[160];
	unsigned n;
};

static void add_str(struct line *l, const char *s)
{
	while (*s && l->n < sizeof(l->s) - 2)
		l->s[l->n++] = *s++;
}

static void add_hex(struct line *l, uint32_t v, unsigned digits)
{
	while (digits-- > 0 && l->n < sizeof(l->s) - 2)
		l->s[l->n++] = "0123456789abcdef"[(v >> (digits * 4)) & 15];
}

static void add_dec(struct line *l, uint32_t v)
{
	char d[10];
	unsigned k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k > 0 && l->n < sizeof(l->s) - 2)
		l->s[l->n++] = d[--k];
}

static void emit(struct line *l, void (*put)(const char *))
{
	l->s[l->n++] = '\n';
	l->s[l->n] = 0;
	put(l->s);
	l->n = 0;
}

void kt_trace_dump(void (*put)(const char *line), uint32_t clock_hz, uint32_t tick_hz)
{
	struct line l = { .n = 0 };
	uint32_t head, count, first, was = tr.on;

	if (put == NULL || tr.buf == NULL)
		return;
	tr.on = 0;
	head = __atomic_load_n(&tr.head, __ATOMIC_RELAXED);
	count = head < tr.mask + 1 ? head : tr.mask + 1;
	first = head - count;
	add_str(&l, "KTRACE begin ");
	add_dec(&l, count);
	add_str(&l, " ");
	add_dec(&l, first);
	add_str(&l, " ");
	add_dec(&l, clock_hz);
	add_str(&l, " ");
	add_dec(&l, tick_hz);
	emit(&l, put);
	for (struct kt_task *t = kt_task_next(NULL); t != NULL; t = kt_task_next(t)) {
		add_str(&l, "KTRACE task ");
		add_dec(&l, t->id);
		add_str(&l, " ");
		add_dec(&l, t->base_prio);
		add_str(&l, " ");
		add_str(&l, t->name);
		emit(&l, put);
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct kt_trace_rec *r = &tr.buf[(first + i) & tr.mask];

		if (l.n == 0)
			add_str(&l, "KTRACE rec");
		add_str(&l, " ");
		add_hex(&l, r->time, 8);
		add_hex(&l, r->type, 2);
		add_hex(&l, r->task, 2);
		add_hex(&l, r->arg, 4);
		if (i % 8 == 7)
			emit(&l, put);
	}
	if (l.n != 0)
		emit(&l, put);
	add_str(&l, "KTRACE end ");
	add_dec(&l, count);
	emit(&l, put);
	tr.on = (uint8_t)was;
}
