/*
 * The demo's TCP services (web.c): the status page on port 80 and an echo
 * service on port 7.
 */
#ifndef DEMO_WEB_H
#define DEMO_WEB_H

#include "net.h"

/* Listen on both ports and start their tasks.  Before kt_run().  0 or
 * the first error of net_tcp_listen / kt_task_spawn. */
int demo_web_start(struct net_stack *s);

#endif
