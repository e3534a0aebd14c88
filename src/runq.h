/*
 * Running the queue (-q): the entries chosen, oldest first, each locked
 * while it is tried, one connection per account reused across entries,
 * backoff after a temporary failure, a bounce and failed/ after a
 * permanent one or after queue_lifetime.
 */
#ifndef MAILOUT_RUNQ_H
#define MAILOUT_RUNQ_H

struct deliverer;
struct err;

/* Which entries a run tries. */
enum runq_which {
	RUNQ_DUE, /* those whose retry time has come */
	RUNQ_ALL, /* every one, now */
	/* The due ones, and those that waited for the relay (QWAIT_RELAY)
	 * of an account whose relay has since accepted a message: it is
	 * back, whatever their backoff says. */
	RUNQ_RELAY_BACK
};

struct runq_opts {
	enum runq_which which;
	const char *only_id; /* this entry only, NULL: any */
};

int queue_run(struct deliverer *d, const struct runq_opts *o, struct err *e);

#endif
