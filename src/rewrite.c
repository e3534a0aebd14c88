#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "header.h"
#include "rewrite.h"
#include "spool.h"

/*
 * Fields that never leave: Bcc and Resent-Bcc would disclose the blind
 * recipients (RFC 5322 3.6.3); Return-Path is the final MTA's to add
 * (RFC 5321 4.4); Content-Length means nothing in SMTP and misleads.
 */
static const char *const dropped[] = {
    "Bcc",
    "Resent-Bcc",
    "Return-Path",
    "Content-Length",
    NULL,
};

static int
is_dropped(const struct hdr_field *f)
{
	const char *const *d;

	for (d = dropped; *d != NULL; d++)
		if (hdr_is(f, *d))
			return 1;
	return 0;
}

int
rewrite_message(struct outmsg *m, const struct spool *sp,
    const struct envelope *env, const struct options *o, struct conf *c,
    struct err *e)
{
	struct hdr_iter it;
	struct hdr_field f;

	(void)env;
	(void)o;
	(void)c;
	(void)e;
	memset(m, 0, sizeof(*m));
	hdr_iter_init(&it, sp->head.data, sp->head.len);
	while (hdr_next(&it, &f))
		if (!is_dropped(&f))
			buf_append(&m->head, f.raw, f.rawlen);
	/* The blank line that separates the body, also where none was. */
	buf_append(&m->head, "\r\n", 2);
	m->fd = sp->fd;
	m->body_off = spool_body_offset(sp);
	m->body_len = sp->size - m->body_off;
	return 0;
}

static ssize_t
outmsg_read(void *ctx, char *buf, size_t len)
{
	struct outmsg *m = ctx;
	off_t headlen = (off_t)m->head.len;
	ssize_t n;

	if (m->pos < headlen) {
		size_t left = (size_t)(headlen - m->pos);

		n = (ssize_t)(len < left ? len : left);
		memcpy(buf, m->head.data + m->pos, (size_t)n);
		m->pos += n;
		return n;
	}
	if (m->pos - headlen >= m->body_len)
		return 0;
	if ((off_t)len > m->body_len - (m->pos - headlen))
		len = (size_t)(m->body_len - (m->pos - headlen));
	do
		n = pread(m->fd, buf, len, m->body_off + (m->pos - headlen));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1; /* an error, or the file shrank: never a short send
		            */
	m->pos += n;
	return n;
}

static int
outmsg_rewind(void *ctx)
{
	struct outmsg *m = ctx;

	m->pos = 0;
	return 0;
}

void
outmsg_source(struct outmsg *m, struct msgsrc *src)
{
	src->read = outmsg_read;
	src->rewind = outmsg_rewind;
	src->ctx = m;
	src->size = (off_t)m->head.len + m->body_len;
}

void
outmsg_free(struct outmsg *m)
{
	buf_free(&m->head);
	m->fd = -1;
}
