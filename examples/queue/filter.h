/*
 * A moving average over the last FILTER_LEN samples, in integers: the
 * consumer's logic, kept apart from the tasks so the host can test it.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stdint.h>

#define FILTER_LEN 4

struct filter {
	int32_t window[FILTER_LEN];
	int64_t sum;
	unsigned count; /* samples so far, up to FILTER_LEN */
	unsigned next;  /* where the next sample goes */
};

void filter_init(struct filter *f);
/* Add a sample; returns the mean of the last FILTER_LEN (or fewer, at
 * first) samples, rounded toward zero. */
int32_t filter_add(struct filter *f, int32_t sample);

#endif
