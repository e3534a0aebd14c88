/*
 * A message source: the bytes that go to the relay, produced on demand so
 * that a message of any size is streamed in constant memory.
 */
#ifndef MAILOUT_MSGSRC_H
#define MAILOUT_MSGSRC_H

#include <stddef.h>
#include <sys/types.h>

struct msgsrc {
	/*
	 * Fill buf with up to len octets.  Returns the count, 0 at the end,
	 * or -1 on a read error (the transfer must then be aborted).
	 */
	ssize_t (*read)(void *ctx, char *buf, size_t len);
	/* Start again from the first octet (for a retry). */
	int (*rewind)(void *ctx);
	void *ctx;
	off_t size; /* total octets, known in advance */
	/* Whether an octet is above 127 (RFC 6152), when the maker knows
	 * it; zero-initialised sources leave it to be found out. */
	enum { OCTETS_UNKNOWN, OCTETS_7BIT, OCTETS_8BIT } octets;
};

/* A source over bytes in memory (a bounce, a test message). */
struct memsrc {
	const char *p;
	size_t len;
	size_t pos;
};

void
memsrc_init(struct memsrc *m, const char *p, size_t len, struct msgsrc *src);

#endif
