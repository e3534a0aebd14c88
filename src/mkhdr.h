/* Values of header fields that mailout writes itself. */
#ifndef MAILOUT_MKHDR_H
#define MAILOUT_MKHDR_H

#include <time.h>

struct buf;

/* RFC 5322 3.3: "Sat, 28 Nov 2026 17:15:02 +0100" in local time. */
void mkhdr_date(struct buf *b, time_t t);

/* RFC 5322 3.6.4: "<unique@domain>", unique by time, pid and chance. */
void mkhdr_msgid(struct buf *b, const char *domain);

#endif
