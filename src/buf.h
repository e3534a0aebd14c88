/* A growable byte buffer: never truncates, always NUL-terminated. */
#ifndef MAILOUT_BUF_H
#define MAILOUT_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT \
	{ \
		NULL, 0, 0 \
	}

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* buf_put_oneline(): octets beyond US-ASCII become spaces too. */
#define BUF_ASCII 1

/*
 * Append len octets of s on one line: every control character (line
 * breaks, tabs, DEL) becomes a space, so that a reply of several lines,
 * or a hostile one, stays on its line of a log, a queue file or an SMTP
 * reply.  With BUF_ASCII, every octet above 0x7e as well (a text/plain
 * part in US-ASCII).
 */
void buf_put_oneline(struct buf *b, const char *s, size_t len, int flags);
/* The contents as a C string ("" when empty); valid until the next append. */
const char *buf_cstr(struct buf *b);
/* Hand the contents over to the caller (who frees them) and reset. */
char *buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
