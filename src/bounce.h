/*
 * Bounces: one delivery status notification (RFC 3464) to the envelope
 * sender for recipients that failed.  Never for the null sender, never
 * for a notification itself, so no bounce storm can start here.
 */
#ifndef MAILOUT_BOUNCE_H
#define MAILOUT_BOUNCE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "envelope.h"

struct buf;
struct deliverer;
struct err;

struct bounce {
	const struct envelope *env; /* the failed message's envelope */
	const size_t *which; /* indexes of the recipients to report */
	size_t nwhich;
	const char *relay; /* where they were refused, NULL: unknown */
	const char *id; /* queue id, NULL: none */
	time_t arrival;
	const char *head; /* the message's header section */
	size_t headlen;
	int expired; /* given up after queue_lifetime */
	int is_bounce; /* the failed message was a notification */
	uid_t owner; /* the failed message's owner: the bounce's too (its
	                queue entry shows it to them, in mailq) */
};

/*
 * The notification as bytes (CRLF lines), for the recipient to: pure,
 * no I/O.  domain names the reporting system, now dates it.
 */
void bounce_build(struct buf *out, const struct bounce *b, const char *to,
    const char *domain, const char *mta, time_t now);

/*
 * Build it and deliver or queue it to the sender (or "bounce_to").
 * Returns 0, also when no bounce is due (null sender, a bounce, or
 * "bounce = false").
 */
int bounce_send(struct deliverer *d, const struct bounce *b, struct err *e);

/* Reads the failed message's header section into out (for a bounce). */
typedef void (*bounce_head_fn)(void *arg, struct buf *out);

/*
 * After an attempt: one bounce for the recipients of b->env that have
 * failed since the states in before (NULL: every one that failed); the
 * rest as b says (its which and nwhich are not used).  When head_fn is
 * not NULL it supplies the header section instead of b->head, read only
 * when a bounce is due.  Returns 0 when the bounce was sent or queued
 * durably, or none was due; also when the relay refused the bounce for
 * good, which is logged (no try would do better).  Returns -1 with e
 * set when it was neither sent nor queued (the queue's disk is full, say)
 * and a later try may do it: those recipients are not done with yet.
 */
int bounce_failures(struct deliverer *d, const struct bounce *b,
    const enum rcpt_state *before, bounce_head_fn head_fn, void *arg,
    struct err *e);

#endif
