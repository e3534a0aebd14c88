/*
 * Running the queue (-q): the entries chosen, oldest first, each locked
 * while it is tried, one connection per account reused across entries,
 * backoff after a temporary failure, a bounce and failed/ after a
 * permanent one or after queue_lifetime.
 */
#ifndef MAILOUT_RUNQ_H
#define MAILOUT_RUNQ_H

#include <sys/types.h>

struct deliverer;
struct err;

/* Which entries a run tries. */
enum runq_which {
	RUNQ_DUE, /* those whose retry time has come */
	RUNQ_ALL, /* every one, now */
	/* The due ones, and those that waited for the relay (QWAIT_RELAY)
	 * of an account whose relay has since accepted a message: it is
	 * back, whatever their backoff says. */
	RUNQ_RELAY_BACK,
	/* The due ones, and all that wait for their relay: the queue service
	 * woken because a relay took a message (queue_wake()).  Which relay
	 * is unknown: each such entry gets one attempt per wake. */
	RUNQ_WOKEN
};

/* Receives one line, without a line end, of what a run does (-v). */
typedef void (*runq_note_fn)(void *arg, const char *line);

struct runq_opts {
	enum runq_which which;
	const char *only_id; /* this entry only, NULL: any */
	runq_note_fn note; /* each entry tried and its fate, NULL: none */
	void *note_arg;
	/* Whose entries the run takes: the owner's alone, or all (root and
	 * the queue service's user).  Another's entry is not even locked. */
	uid_t owner;
	int all_owners;
};

/*
 * Run the queue once, oldest entry first.  With o->note, each entry
 * tried is told of in a line before its conversation ("ID: trying 2
 * recipients via relay:25") and one after it ("ID: sent", "ID:
 * deferred: why (next try in 10m)", "ID: failed: why"); a run that
 * tells of no entry says why ("queue empty", "nothing sent (1 entry
 * waiting): no relay configured", "nothing due (3 entries
 * waiting)").  Returns how many entries of other owners it left alone
 * that it would have tried (0 with all_owners), or -1 with e set when
 * the queue cannot be listed.
 */
int queue_run(struct deliverer *d, const struct runq_opts *o, struct err *e);

#endif
