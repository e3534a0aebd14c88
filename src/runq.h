/*
 * Running the queue (-q): due entries oldest first, each locked while it
 * is tried, one connection per account reused across entries, backoff
 * after a temporary failure, a bounce and failed/ after a permanent one
 * or after queue_lifetime.
 */
#ifndef MAILOUT_RUNQ_H
#define MAILOUT_RUNQ_H

struct deliverer;
struct err;

struct runq_opts {
	int all; /* try every entry now, due or not */
	const char *only_id; /* try only this entry, now */
};

int queue_run(struct deliverer *d, const struct runq_opts *o, struct err *e);

#endif
