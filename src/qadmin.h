/*
 * Queue administration: deleting entries and sending them again, what
 * postsuper(1) does for Postfix.  An entry is locked while it is
 * changed, so one that a queue run is delivering is left alone (busy),
 * never pulled from under it.  A user acts on the user's own entries
 * alone; another user's entry is, to that user, no such message.
 */
#ifndef MAILOUT_QADMIN_H
#define MAILOUT_QADMIN_H

#include <sys/types.h>

struct err;

enum qadmin_op {
	QADMIN_DELETE,
	/* Due now, no attempts made, queue_lifetime counted from now; an
	 * entry of failed/ goes back to q/ with its failed recipients
	 * pending again. */
	QADMIN_REQUEUE
};

/* Which entries: one by its id, all, a sender's, those to a recipient. */
enum qadmin_sel { QSEL_ID, QSEL_ALL, QSEL_FROM, QSEL_TO };

/* What became of an entry. */
enum qadmin_fate {
	QFATE_DONE, /* deleted, or requeued */
	QFATE_NONE, /* no such message (or another user's) */
	QFATE_BUSY, /* locked by another process: left alone */
	QFATE_ERROR /* it could not be done: why */
};

/* Told of each entry chosen, and of an id that chose none. */
typedef void (*qadmin_tell_fn)(void *arg, const char *id, enum qadmin_fate f,
    const char *why);

struct qadmin {
	const char *dir; /* the queue */
	/* The queue whose kept/ entries (kept.h) are deleted too, by their
	 * ids or with ALL; NULL: none. */
	const char *kept_dir;
	enum qadmin_op op;
	int failed_only; /* failed/ alone, not q/ */
	uid_t caller; /* the real user */
	const char *caller_name; /* for the log, NULL: unknown */
	int all_owners; /* root, the queue service's user: any entry */
	qadmin_tell_fn tell;
	void *tell_arg;
};

/*
 * Act on the entries that sel chooses with value (an id, an address;
 * ignored for QSEL_ALL), in q/ then failed/.  Each change is durable
 * and logged with the caller.  Returns how many entries were chosen, or
 * -1 with e set when the queue cannot be listed.
 */
long qadmin_run(const struct qadmin *a, enum qadmin_sel sel, const char *value,
    struct err *e);

/*
 * Remove the entries of failed/ that failed more than lifetime seconds
 * ago, each logged (a queue run does it).  owner: only that user's;
 * NULL: every user's.  One that is locked or cannot be read stays.
 */
void qadmin_expire(const char *dir, long lifetime, const uid_t *owner);

#endif
