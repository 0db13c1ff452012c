#include "filter.h"

void filter_init(struct filter *f)
{
	*f = (struct filter){ 0 };
}

int32_t filter_add(struct filter *f, int32_t sample)
{
	if (f->count == FILTER_LEN)
		f->sum -= f->window[f->next];
	else
		f->count++;
	f->window[f->next] = sample;
	f->sum += sample;
	f->next = (f->next + 1) % FILTER_LEN;
	return (int32_t)(f->sum / (int64_t)f->count);
}
