/* A length of time for people, as mailq and -q -v show it. */
#ifndef MAILOUT_SPAN_H
#define MAILOUT_SPAN_H

struct buf;

/* "45s", "12m", "2h13m", "3d04h": two units at most; below 0 is "0s". */
void span_put(struct buf *b, long s);

#endif
