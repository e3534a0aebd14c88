/*
 * UTF-8 validation (RFC 3629 4), fed in pieces so that a body of any
 * size is checked while it streams past.
 */
#ifndef MAILOUT_UTF8_H
#define MAILOUT_UTF8_H

#include <stddef.h>

struct utf8 {
	unsigned need; /* continuation octets still expected */
	unsigned char lo, hi; /* the range allowed for the next one */
	int bad; /* an invalid sequence was seen */
};

void utf8_init(struct utf8 *u);
void utf8_feed(struct utf8 *u, const char *p, size_t n);
/* Everything fed so far is valid UTF-8 and ends on a whole character. */
int utf8_ok(const struct utf8 *u);
/* Is p[0..n) valid UTF-8? */
int utf8_valid(const char *p, size_t n);
/* Does p hold an octet above 127? */
int utf8_has8bit(const char *p, size_t n);

#endif
