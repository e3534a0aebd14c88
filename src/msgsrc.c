#include "config.h"

#include <string.h>

#include "msgsrc.h"

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct memsrc *m = ctx;
	size_t left = m->len - m->pos;

	if (len > left)
		len = left;
	memcpy(buf, m->p + m->pos, len);
	m->pos += len;
	return (ssize_t)len;
}

static int
mem_rewind(void *ctx)
{
	((struct memsrc *)ctx)->pos = 0;
	return 0;
}

void
memsrc_init(struct memsrc *m, const char *p, size_t len, struct msgsrc *src)
{
	m->p = p;
	m->len = len;
	m->pos = 0;
	src->read = mem_read;
	src->rewind = mem_rewind;
	src->ctx = m;
	src->size = (off_t)len;
	src->octets = OCTETS_UNKNOWN;
}
