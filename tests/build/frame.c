/*
 * One function with a frame of about FRAME_BUF bytes, for frame_limit.sh:
 * a local array written at its far end first (the lowest address), the
 * way that would jump over a stack guard smaller than the frame.
 */
#include <stdint.h>

void FRAME_FN(volatile uint8_t *out);

void FRAME_FN(volatile uint8_t *out)
{
	volatile uint8_t buf[FRAME_BUF];

	buf[0] = out[0];
	for (unsigned i = 1; i < FRAME_BUF; i++)
		buf[i] = (uint8_t)i;
	out[1] = buf[FRAME_BUF - 1];
}
