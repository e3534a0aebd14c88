#include "config.h"

#include "buf.h"
#include "span.h"

void
span_put(struct buf *b, long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		buf_printf(b, "%lds", s);
	else if (s < 3600)
		buf_printf(b, "%ldm", s / 60);
	else if (s < 86400)
		buf_printf(b, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		buf_printf(b, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}
