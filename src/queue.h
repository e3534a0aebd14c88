/*
 * The queue: messages that could not be delivered yet, stored durably in
 * queue_dir without a daemon.
 *
 *   queue_dir/tmp/          entries being written, spool files
 *   queue_dir/q/ID          a queued entry: its state (envelope, each
 *                           recipient's state), an empty line, and the
 *                           message as it goes out, never changed
 *   queue_dir/q/ID.state    a later state, replacing the one in ID
 *                           (written to ID.state.new, then renamed)
 *   queue_dir/failed/ID     entries given up on, with their ID.state
 *   queue_dir/wake          present: a relay took a message while others'
 *                           entries waited for theirs (queue_wake())
 *
 * An entry appears in q/ by rename(2) of a complete, fsynced file, so q/
 * never holds half an entry.  Whoever delivers an entry holds an
 * flock(2) on it: the kernel releases it when the holder dies, so a lock
 * is never stale.
 */
#ifndef MAILOUT_QUEUE_H
#define MAILOUT_QUEUE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "envelope.h"

struct buf;
struct err;
struct msgsrc;

#define QUEUE_ID_MAX 32

/*
 * What an entry waits for since its last attempt, so that the news that
 * the relay is back can send it before its backoff ends (runq.c).
 */
enum qwait {
	QWAIT_RELAY, /* the attempt failed as a whole: the relay (down, 4xx
	                to the greeting, MAIL, DATA, the dot, 421), the
	                network, TLS, a timeout, our side; or no attempt yet */
	QWAIT_RCPT /* the relay deferred the recipients one by one (RCPT
	              4xx): their mailboxes, not the relay */
};

/* The state of an entry (see qentry_format()). */
struct qentry {
	char id[QUEUE_ID_MAX];
	struct envelope env; /* recipients with their states */
	char *account; /* the account chosen (-a), NULL: by sender */
	time_t created;
	time_t next; /* next attempt not before this time */
	int attempts; /* delivery attempts made */
	enum qwait waits; /* why the pending recipients wait */
	char *last_error; /* one line, NULL: none */
	uid_t uid; /* who submitted it */
	int is_bounce; /* a delivery status notification */
	int failed; /* lives in failed/ */
	/* A submission kept while the system's configuration could not be
	 * used (kept.c): args is its command line, last_error what was
	 * wrong, the message is as it came, and env may be empty. */
	int kept;
	char **args;
	size_t nargs;
	off_t size; /* octets of the message */
	off_t msg_off; /* where it starts in the entry's file */
	int fd; /* the entry's file, open and locked, or -1 */
	off_t pos; /* read position for queue_source() */
};

/*
 * A new id, as queue_put() gives an entry: a submission takes one before
 * its first attempt, and keeps it when it is queued.
 */
void queue_new_id(char id[QUEUE_ID_MAX]);

/*
 * Is id an entry's id as queue_put() makes them?  A name from the
 * command line is checked with it before it becomes part of a path.
 */
int queue_id_ok(const char *id);

/* Create queue_dir/{tmp,q,failed} where missing. */
int queue_init(const char *dir, struct err *e);

/*
 * Store a new entry: the message from src and the state in q.  Returns
 * only once the entry is durable (fsynced and renamed into q/), or -1
 * with e set (ERR_CANTCREAT) and nothing visible in q/.  q->id is set:
 * kept when it was set before and is free, else a new one.
 */
int
queue_put(const char *dir, struct qentry *q, struct msgsrc *src, struct err *e);

/* The ids of the entries in q/ (failed/ when failed is set), oldest first. */
int
queue_list(const char *dir, int failed, char ***ids, size_t *n, struct err *e);

/*
 * The same in another area of the queue (kept/: kept.c).  An area is
 * created on the first queue_put_in().
 */
int queue_put_in(const char *dir, const char *area, struct qentry *q,
    struct msgsrc *src, struct err *e);
int queue_list_in(const char *dir, const char *area, char ***ids, size_t *n,
    struct err *e);
int queue_lock_in(const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e);
int queue_peek_in(const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e);
int queue_remove_in(const char *dir, const char *area, struct qentry *q,
    struct err *e);

/*
 * Open and lock entry id for delivery, then read its state.  Returns 1
 * when locked, 0 when someone else holds it or it is gone, -1 on error.
 */
int
queue_lock(const char *dir, const char *id, struct qentry *q, struct err *e);

/*
 * As queue_lock_in(), telling apart an entry that another process holds
 * (delivering it): QUEUE_LOCKED, QUEUE_GONE, QUEUE_BUSY, or -1 with e set.
 */
enum { QUEUE_GONE = 0, QUEUE_LOCKED = 1, QUEUE_BUSY = 2 };
int queue_claim(const char *dir, const char *area, const char *id,
    struct qentry *q, struct err *e);

/* Read an entry's state without locking it (for listing). */
int queue_peek(const char *dir, const char *id, int failed, struct qentry *q,
    struct err *e);

/* Unlock an entry and free its state. */
void queue_release(struct qentry *q);

/*
 * Replace the state of a locked entry.  The new state is whole or absent
 * after a crash; it is durable once queue_sync() returns.
 */
int queue_save(const char *dir, const struct qentry *q, struct err *e);

/* Remove a locked entry that needs nothing more. */
int queue_remove(const char *dir, struct qentry *q, struct err *e);

/*
 * Make the removals, states and moves done so far durable: once per run,
 * one fsync of q/ and one of failed/.
 */
void queue_sync(const char *dir);

/* The same for one area: a removal from it made durable. */
void queue_sync_area(const char *dir, const char *area);

/* Move a locked entry to failed/ (durable once queue_sync() returns). */
int queue_fail(const char *dir, struct qentry *q, struct err *e);

/*
 * Move a locked entry of failed/ back to q/ with its state as q holds it
 * now (requeued).  Durable when it returns 0; -1 with e set.
 */
int queue_unfail(const char *dir, struct qentry *q, struct err *e);

/*
 * When entry id in area last changed (its state was written, or the
 * entry made): for failed/, when it failed.  Returns 0, or -1 when it
 * is gone.
 */
int
queue_changed_in(const char *dir, const char *area, const char *id, time_t *t);

/*
 * The header section of the locked entry's message, appended to head (for
 * a bounce): up to the CRLF that ends its last field, or all of the
 * message when no empty line follows.  Returns 0, or -1 with e set and
 * head empty.
 */
int queue_msg_head(const struct qentry *q, struct buf *head, struct err *e);

/* A message source over the locked entry's message. */
void queue_source(struct qentry *q, struct msgsrc *src);

/*
 * Remove leftovers: in tmp/ those older than max_age seconds, in q/ the
 * state files without an entry and the new states never renamed into
 * place, once a minute old.
 */
void queue_clean_tmp(const char *dir, time_t max_age);

/* Are there entries in q/ at all?  Cheap: for the run after a send. */
int queue_nonempty(const char *dir);

/*
 * A relay took a message, and entries the caller may not run wait: create
 * dir/wake, or touch it, for the queue service to run them (a systemd
 * path unit starts it while the file exists).  Returns 0, or -1 with e.
 */
int queue_wake(const char *dir, struct err *e);

/*
 * Remove dir/wake before a run of every owner's entries: returns 1 when
 * it was there.  A wake that comes during the run makes it again, and
 * so one more run.
 */
int queue_take_wake(const char *dir);

/* The state as text: format and parse (pure, for tests). */
char *qentry_format(const struct qentry *q);
int qentry_parse(const char *text, size_t len, struct qentry *q, struct err *e);

void qentry_free(struct qentry *q);

#endif
