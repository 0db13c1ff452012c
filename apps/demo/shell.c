/*
 * The demo's shell: one task ("echo", the name the trace tools know)
 * reads the interrupt-driven UART, edits a line and runs it through a
 * small command table.  It sees inside the kernel only through the public
 * calls (kt_task_next/kt_task_info, kt_timer_foreach, kt_mutex_owner) and
 * the public fields of struct kt_task (held, wait_obj).
 *
 * Sessions (demo.h): the UART's is this task's; apps/demo/tcp_shell.c
 * runs others over TCP.  A session is the task-local pointer of the task
 * running it, and the commands print through shell_printf, which formats
 * a whole line and hands it to that session's sink: on the UART
 * board_console_write (under the console mutex, so the answers never mix
 * with the other tasks' lines), on TCP the connection.  Commands run one
 * at a time under cmd_lock, whatever the session: their static buffers
 * (and net.c's) are shared, and printing may block.  Commands that walk
 * kernel lists (timers, mutex) copy what they see into a small array
 * first and print after: printing may block, and a walk must not.
 *
 * A line longer than DEMO_SHELL_LINE_MAX is swallowed to its end and
 * refused; nothing is written past the buffer.  CR, LF and CR LF each end
 * a line.  Ctrl-C throws the line away.  The hog detector's report comes
 * in on the scheduler, where nothing may block, so it only notes the hog
 * and gives a semaphore; the reporter task prints it on the console.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "demo.h"
#include "kettle.h"

#define STACK 1536   /* ps and mutex peak near 1 KiB: formatting on the stack */
#define MAX_SHOWN 16 /* timers or mutexes one command lists */
#define HOG_SPIN_MAX_MS 10000u /* longer is a hang, not a demonstration */

static struct kt_task shell_task, hog_report_task;
static uint8_t shell_stack[STACK], hog_report_stack[1024];
static struct kt_sem hog_seen;
static struct kt_task *volatile hog_task;
static volatile kt_tick_t hog_ran;
static volatile uint32_t hog_missed;
static struct kt_mutex cmd_lock = KT_MUTEX_INIT(cmd_lock);
static struct demo_shell uart_session;

struct command {
	const char *name;
	const char *args;
	const char *help;
	void (*run)(const char *args);
};

static void cmd_help(const char *args);

/* ---- a session's output --------------------------------------------------- */

int shell_write(const void *buf, size_t len)
{
	struct demo_shell *sh = kt_task_local();
	int n;

	if (sh == NULL)
		return board_console_write(buf, len);
	if (sh->ended)
		return -EPIPE;
	if (len == 0)
		return 0;
	n = sh->write(sh, buf, len);
	if (n < 0)
		sh->ended = true;
	return n;
}

int shell_printf(const char *fmt, ...)
{
	char buf[BOARD_PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = board_vformat(buf, fmt, ap);
	va_end(ap);
	return n < 0 ? n : shell_write(buf, (size_t)n);
}

static void echo(const struct demo_shell *sh, const char *s, size_t n)
{
	if (sh->echo)
		shell_write(s, n);
}

static unsigned ms(uint64_t ticks)
{
	return (unsigned)(ticks * 1000u / KT_TICK_HZ);
}

static struct kt_task *find_task(const char *name)
{
	struct kt_task *t = NULL;

	while ((t = kt_task_next(t)) != NULL)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* ---- ps, uptime ---------------------------------------------------------- */

static void cmd_ps(const char *args)
{
	const struct kt_task *t = NULL;
	struct kt_task_info info;
	uint64_t idle = kt_idle_ticks(), total = idle; /* 64 bits: x 1000 below */
	unsigned done = 0, idle_permille;
	(void)args;

	while ((t = kt_task_next(t)) != NULL)
		if (kt_task_info(t, &info) == 0)
			total += info.ticks;
	if (total == 0)
		total = 1;
	shell_printf("%-10s %-8s %-6s %4s %11s %8s %6s %4s\n", "task", "state",
		     "wait", "prio", "stack", "runs", "cpu", "hogs");
	while ((t = kt_task_next(t)) != NULL) {
		unsigned permille;

		if (kt_task_info(t, &info) != 0)
			continue;
		if (info.state == KT_DONE) {
			done++;
			continue;
		}
		permille = (unsigned)((uint64_t)info.ticks * 1000u / total);
		shell_printf("%-10s %-8s %-6s %4u %5lu/%-5lu %8lu %4u.%u%% %4lu\n",
			     info.name, kt_state_name(info.state),
			     kt_wait_name(info.wait), info.prio,
			     (unsigned long)info.stack_used,
			     (unsigned long)info.stack_size,
			     (unsigned long)info.runs, permille / 10,
			     permille % 10, (unsigned long)info.hogs);
	}
	idle_permille = (unsigned)(idle * 1000u / total);
	shell_printf("%-10s %-8s %-6s %4s %11s %8s %4u.%u%%\n", "(idle)", "",
		     "", "", "", "", idle_permille / 10, idle_permille % 10);
	if (done == 0)
		return;
	/* Finished tasks leave the table; their results stay worth seeing. */
	while ((t = kt_task_next(t)) != NULL)
		if (t->state == KT_DONE)
			shell_printf("finished: %s (result %d)\n", t->name, t->result);
}

static void cmd_uptime(const char *args)
{
	uint64_t up = kt_uptime64();
	(void)args;

	shell_printf("up %lu.%03u s (%lu ticks at %u Hz), idle %lu ticks\n",
		     (unsigned long)(up / KT_TICK_HZ), ms(up % KT_TICK_HZ),
		     (unsigned long)up, (unsigned)KT_TICK_HZ,
		     (unsigned long)kt_idle_ticks());
}

/* ---- timers --------------------------------------------------------------- */

struct timer_seen {
	const struct kt_timer *t;
	const struct kt_task *task;
	kt_tick_t expires, period;
};

struct timers_seen {
	struct timer_seen v[MAX_SHOWN];
	unsigned n, more;
};

static void note_timer(const struct kt_timer *t, void *arg)
{
	struct timers_seen *s = arg;

	if (s->n == MAX_SHOWN) {
		s->more++;
		return;
	}
	s->v[s->n++] = (struct timer_seen){ t, kt_timer_task(t), t->expires,
					    t->period };
}

static void cmd_timers(const char *args)
{
	static struct timers_seen s; /* static: keeps the shell's stack small */
	kt_tick_t now = kt_now();
	(void)args;

	s.n = s.more = 0;
	kt_timer_foreach(note_timer, &s);
	shell_printf("%u timers running at tick %lu\n", s.n + s.more,
		     (unsigned long)now);
	for (unsigned i = 0; i < s.n; i++) {
		const struct timer_seen *e = &s.v[i];
		unsigned in = ms((kt_tick_t)(e->expires - now));

		if (e->task != NULL)
			shell_printf("  timeout of %-10s fires in %6u ms (%s)\n",
				     e->task->name, in,
				     kt_wait_name((enum kt_wait)e->task->wait));
		else
			shell_printf("  soft timer %-10s fires in %6u ms, %s %u ms\n",
				     demo_timer_name(e->t), in,
				     e->period ? "every" : "once,", ms(e->period));
	}
	if (s.more)
		shell_printf("  and %u more\n", s.more);
}

/* ---- mutex ---------------------------------------------------------------- */

static const char *mutex_name(const struct kt_mutex *m)
{
	if (m == &board_console_mutex)
		return "console";
	if (m == &cmd_lock)
		return "shell"; /* held by whoever runs this command */
	return demo_mutex_name(m);
}

struct mutex_seen {
	const struct kt_mutex *m;
	const struct kt_task *owner;
	const char *waiters[4];
	unsigned nwait;
};

static void note_waiter(struct mutex_seen *e, const struct kt_task *t)
{
	if (e->nwait < sizeof(e->waiters) / sizeof(e->waiters[0]))
		e->waiters[e->nwait] = t->name;
	e->nwait++;
}

static void cmd_mutex(const char *args)
{
	static struct mutex_seen seen[MAX_SHOWN];
	unsigned n = 0;
	const struct kt_task *t = NULL, *w;
	(void)args;

	/* Owners from the tasks' held lists, then waiters from the blocked
	 * tasks' wait objects; all before the first line is printed. */
	while ((t = kt_task_next(t)) != NULL) {
		const struct kt_list *pos;

		kt_list_for_each (pos, &t->held) {
			if (n == MAX_SHOWN)
				break;
			seen[n].m = kt_container_of(pos, struct kt_mutex, held);
			seen[n].owner = t;
			seen[n].nwait = 0;
			n++;
		}
	}
	w = NULL;
	while ((w = kt_task_next(w)) != NULL) {
		if (w->state != KT_BLOCKED || w->wait != KT_WAIT_MUTEX)
			continue;
		for (unsigned i = 0; i < n; i++)
			if (seen[i].m == w->wait_obj)
				note_waiter(&seen[i], w);
	}
	if (kt_mutex_owner(&board_console_mutex) == NULL)
		shell_printf("console: free\n");
	if (n == 0) {
		shell_printf("no task holds a mutex\n");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct mutex_seen *e = &seen[i];
		char line[BOARD_PRINTF_MAX];
		size_t len = 0;

		line[0] = '\0';
		for (unsigned j = 0; j < e->nwait && j < 4; j++)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s", e->waiters[j]);
		shell_printf("%s: held by %s (prio %u), %u waiting%s%s\n",
			     mutex_name(e->m), e->owner->name, e->owner->prio,
			     e->nwait, e->nwait ? ":" : "", line);
	}
}

/* ---- kill, hog, bench -------------------------------------------------------- */

static void cmd_kill(const char *args)
{
	struct kt_task *t = find_task(args);
	int err;

	if (t == NULL) {
		shell_printf("kill: no task \"%s\"\n", args);
		return;
	}
	err = kt_task_cancel(t);
	if (err == -EALREADY)
		shell_printf("kill: %s has already finished\n", t->name);
	else if (err != 0)
		shell_printf("kill: %s: error %d\n", t->name, err);
	else
		shell_printf("kill: cancelled %s\n", t->name);
}

/*
 * Spin without a scheduling point: the hog detector should notice.  The
 * spin is timed by the tick the detector counts, not by board_cycles():
 * under QEMU the two clocks drift apart when the host is busy.
 */
static void cmd_hog(const char *args)
{
	char *end;
	unsigned long n = strtoul(args, &end, 10);
	kt_tick_t start, span;

	if (end == args || *end != '\0' || n == 0 || n > HOG_SPIN_MAX_MS) {
		shell_printf("hog: want milliseconds, 1..%u\n", HOG_SPIN_MAX_MS);
		return;
	}
	shell_printf("hog: spinning %lu ms without yielding (limit %u ms)\n", n,
		     (unsigned)DEMO_HOG_MS);
	span = (kt_tick_t)((n * KT_TICK_HZ + 999) / 1000);
	start = kt_now();
	while ((kt_tick_t)(kt_now() - start) < span)
		;
}

static uint32_t per_op(uint32_t cycles, unsigned n)
{
	return (cycles + n / 2) / n;
}

static void cmd_bench(const char *args)
{
	enum { N = 1000 };
	static struct kt_mutex m = KT_MUTEX_INIT(m);
	static struct kt_queue q;
	static uint32_t qbuf[4];
	uint32_t t0, t1, t2, t3, item = 0;
	(void)args;

	kt_queue_init(&q, qbuf, sizeof(qbuf[0]), 4);
	t0 = board_cycles();
	for (unsigned i = 0; i < N; i++)
		kt_yield();
	t1 = board_cycles();
	for (unsigned i = 0; i < N; i++) {
		kt_mutex_lock(&m, KT_FOREVER);
		kt_mutex_unlock(&m);
	}
	t2 = board_cycles();
	for (unsigned i = 0; i < N; i++) {
		kt_queue_put(&q, &item, KT_NOWAIT);
		kt_queue_get(&q, &item, KT_NOWAIT);
	}
	t3 = board_cycles();
	shell_printf("bench: %u rounds each, cycles at %lu Hz\n", N,
		     (unsigned long)board_cycles_hz());
	shell_printf("  yield (nothing else ready)  %6lu cycles\n",
		     (unsigned long)per_op(t1 - t0, N));
	shell_printf("  mutex lock + unlock         %6lu cycles\n",
		     (unsigned long)per_op(t2 - t1, N));
	shell_printf("  queue put + get             %6lu cycles\n",
		     (unsigned long)per_op(t3 - t2, N));
}

/* ---- the table ------------------------------------------------------------- */

static void cmd_quiet(const char *args)
{
	(void)args;
	demo_quiet(true);
	shell_printf("periodic lines off (\"loud\" brings them back)\n");
}

static void cmd_loud(const char *args)
{
	(void)args;
	demo_quiet(false);
}

static void cmd_exit(const char *args)
{
	struct demo_shell *sh = kt_task_local();
	(void)args;

	shell_printf("bye\n");
	if (sh != NULL && sh->remote) {
		sh->ended = true;
		return;
	}
	board_exit(0);
}

static void cmd_quit(const char *args)
{
	const struct demo_shell *sh = kt_task_local();

	if (sh != NULL && sh->remote)
		cmd_exit(args);
	else
		shell_printf("quit: ends a TCP session; \"exit\" leaves QEMU\n");
}

/* args "" takes no argument, "NAME"/"N" one. */
static const struct command commands[] = {
	{ "help", "", "this list", cmd_help },
	{ "ps", "",
	  "tasks: state, wait, prio, stack used/size, runs, CPU, hogs", cmd_ps },
	{ "uptime", "", "time since boot", cmd_uptime },
	{ "timers", "", "running timers and task timeouts", cmd_timers },
	{ "mutex", "", "who holds which mutex, who waits", cmd_mutex },
	{ "kill", "NAME", "cancel a task", cmd_kill },
	{ "hog", "N", "spin N ms without yielding", cmd_hog },
	{ "bench", "", "yield, mutex and queue timings", cmd_bench },
	{ "quiet", "", "stop the periodic lines", cmd_quiet },
	{ "loud", "", "start them again", cmd_loud },
	{ "exit", "", "leave QEMU (over TCP: end the session)", cmd_exit },
	{ "quit", "", "end the TCP session", cmd_quit },
	{ NULL, NULL, NULL, NULL },
};

static void cmd_help(const char *args)
{
	(void)args;
	for (const struct command *c = commands; c->name != NULL; c++)
		shell_printf("  %-6s %-6s %s\n", c->name, c->args, c->help);
	shell_printf("  (and the demo's own: %s)\n", demo_extra_commands());
}

static void run_command(const char *line)
{
	size_t n = strcspn(line, " ");
	const char *args = line + n;
	const struct command *c;

	/* ip, net and trace parse their own arguments. */
	if (demo_net_command(line) || demo_trace_command(line))
		return;
	while (*args == ' ')
		args++;
	for (c = commands; c->name != NULL; c++)
		if (strncmp(c->name, line, n) == 0 && c->name[n] == '\0')
			break;
	if (c->name == NULL) {
		/* "heard" and the whole line: what the trace tools wait for. */
		shell_printf("%s heard: \"%s\": no such command (try \"help\")\n",
			     kt_self()->name, line);
		return;
	}
	if ((c->args[0] == '\0') != (args[0] == '\0') || strchr(args, ' ') != NULL) {
		shell_printf("%s: usage: %s %s\n", c->name, c->name, c->args);
		return;
	}
	c->run(args);
}

static void run_line(const char *line)
{
	int err;

	if (line[0] == '\0')
		return;
	err = kt_mutex_lock(&cmd_lock, KT_FOREVER);
	if (err != 0 && err != -EOWNERDEAD)
		return; /* cancelled */
	run_command(line);
	kt_mutex_unlock(&cmd_lock);
}

static void prompt(const struct demo_shell *sh)
{
	if (sh->prompt != NULL && !sh->ended)
		shell_write(sh->prompt, strlen(sh->prompt));
}

void demo_shell_begin(struct demo_shell *sh)
{
	sh->ended = sh->too_long = sh->after_cr = false;
	sh->len = 0;
	kt_task_set_local(sh);
	shell_printf("type a line and press Enter; \"help\" lists the commands\n");
	prompt(sh);
}

void demo_shell_end(void)
{
	kt_task_set_local(NULL);
}

bool demo_shell_input(struct demo_shell *sh, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && !sh->ended; i++) {
		char c = buf[i];
		bool after_cr = sh->after_cr;

		sh->after_cr = c == '\r';
		if (c == '\n' && after_cr)
			continue; /* CR LF: one line end */
		if (c == '\r' || c == '\n') {
			echo(sh, "\n", 1);
			sh->line[sh->len] = '\0';
			if (sh->too_long)
				shell_printf("error: line longer than %u characters, ignored\n",
					     DEMO_SHELL_LINE_MAX);
			else
				run_line(sh->line);
			sh->len = 0;
			sh->too_long = false;
			prompt(sh);
		} else if (c == 0x03) { /* Ctrl-C */
			echo(sh, "^C\n", 3);
			sh->len = 0;
			sh->too_long = false;
			prompt(sh);
		} else if (c == 0x7f || c == '\b') {
			if (sh->len > 0 && !sh->too_long) {
				sh->len--;
				echo(sh, "\b \b", 3);
			}
		} else if (c >= ' ' && c < 0x7f) {
			if (sh->len == DEMO_SHELL_LINE_MAX)
				sh->too_long = true;
			if (sh->too_long)
				continue;
			sh->line[sh->len++] = c;
			echo(sh, &c, 1);
		}
	}
	return !sh->ended;
}

static int uart_write(struct demo_shell *sh, const void *buf, size_t len)
{
	(void)sh;
	return board_console_write(buf, len);
}

static int shell(void *arg)
{
	struct demo_shell *sh = &uart_session;
	(void)arg;

	sh->write = uart_write;
	sh->echo = true;
	demo_shell_begin(sh);
	for (;;) {
		char buf[16];
		int n = board_uart_read(buf, sizeof(buf), KT_FOREVER);

		if (n < 0)
			return n; /* cancelled */
		demo_shell_input(sh, buf, (size_t)n);
	}
	return 0;
}

/* ---- the hog detector -------------------------------------------------------- */

/* On the scheduler: note and wake the reporter; nothing here may block. */
static void hog_report(struct kt_task *t, kt_tick_t ran)
{
	if (hog_task != NULL) {
		hog_missed++;
		return;
	}
	hog_ran = ran;
	hog_task = t;
	kt_sem_give_isr(&hog_seen);
}

static int hog_reporter(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t missed;

		if (kt_sem_take(&hog_seen, KT_FOREVER) < 0)
			return -ECANCELED;
		missed = hog_missed;
		hog_missed = 0;
		board_printf("hog: %s ran %u ms without yielding (limit %u ms)\n",
			     hog_task->name, ms(hog_ran), (unsigned)DEMO_HOG_MS);
		if (missed)
			board_printf("hog: and %lu more not shown\n",
				     (unsigned long)missed);
		hog_task = NULL;
	}
	return 0;
}

void demo_shell_start(unsigned prio)
{
	kt_sem_init(&hog_seen, 0, 1);
	kt_hog_watch(DEMO_HOG_MS * KT_TICK_HZ / 1000, hog_report);
	kt_task_spawn(&hog_report_task, "hogwatch", hog_reporter, NULL,
		      hog_report_stack, sizeof(hog_report_stack), prio);
	kt_task_spawn(&shell_task, "echo", shell, NULL, shell_stack, STACK, prio);
}
