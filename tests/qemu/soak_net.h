/*
 * The soak's network half (tests/qemu/soak_net.c), for sc_soak.c: on a
 * board with Ethernet the runner floods UDP port SOAK_NET_PORT with
 * checksummed datagrams (soak_proto.h) while the UART flood and the churn
 * go on, and every datagram is accounted for at the end.
 */
#ifndef SOAK_NET_H
#define SOAK_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "kettle.h"

/* The network's long-lived tasks, in this order in the arrays below. */
enum { SOAK_NETRX, SOAK_DGRAM, SOAK_ACKER, SOAK_NET_TASKS };

struct soak_net_ctx {
	struct kt_task *tasks; /* [SOAK_NET_TASKS], the caller's */
	uint32_t *progress;    /* [SOAK_NET_TASKS]: bumped at every loop */
	const volatile bool *running;  /* the header came: pauses may start */
	const volatile bool *stopping; /* the run is over: no more pauses */
};

/*
 * Bring up the Ethernet and the stack (10.0.2.15/24, gateway 10.0.2.2:
 * QEMU's user networking), bind the soak's socket and spawn the tasks.
 * thread, before kt_run().  0, or the first error.
 */
int soak_net_start(const struct soak_net_ctx *c);

/*
 * After the runner was told to stop: wait for the trailer (up to wait
 * ticks), end the tasks, print the accounts and check them.  task (the
 * controller).
 */
void soak_net_end(kt_tick_t wait);

#endif
