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
/* The contents as a C string ("" when empty); valid until the next append. */
const char *buf_cstr(struct buf *b);
/* Hand the contents over to the caller (who frees them) and reset. */
char *buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
