/* Values of header fields that mailout writes itself. */
#ifndef MAILOUT_MKHDR_H
#define MAILOUT_MKHDR_H

#include <time.h>

struct buf;

/* RFC 5322 3.3: "Sat, 28 Nov 2026 17:15:02 +0100" in local time. */
void mkhdr_date(struct buf *b, time_t t);

/* RFC 5322 3.6.4: "<unique@domain>", unique by time, pid and chance. */
void mkhdr_msgid(struct buf *b, const char *domain);

/*
 * RFC 5322 3.4 mailbox: "Name <spec>", or "spec" when name is NULL or
 * empty.  The name is written as atoms when it is only atoms and
 * spaces, as a quoted-string when it is other ASCII, and as RFC 2047
 * encoded-words (UTF-8, "Q") when it is not ASCII; a name that is not
 * valid UTF-8 is left out.  Control characters become spaces.
 */
void mkhdr_mailbox(struct buf *b, const char *name, const char *spec);

#endif
