/*
 * Delivery: one attempt to hand a message to the relay of its account,
 * with one connection per account kept open for the next message, and
 * the policy for a new message (send now, queue what is left, bounce
 * what failed).  The queue runner (runq.c) and the -bs server use it too.
 */
#ifndef MAILOUT_DELIVER_H
#define MAILOUT_DELIVER_H

#include <stddef.h>
#include <sys/types.h>

#include "envelope.h"
#include "queue.h"
#include "transport.h"

struct conf;
struct err;
struct msgsrc;

struct conn;

struct deliverer {
	struct conf *conf;
	transport_trace_fn trace; /* -v, NULL: none */
	void *trace_arg;
	int mute; /* trace nothing for now: another user's entry */
	int one_message; /* a single submission: nothing follows it */
	struct conn *conns; /* open transports, one per account */
	size_t nconns;
	const struct account **took; /* accounts whose relay accepted a
	                                message in this process */
	size_t ntook;
};

void deliverer_init(struct deliverer *d, struct conf *c);
void deliverer_free(struct deliverer *d);

/*
 * Has a relay of account a accepted a message through d (in this
 * process, or in the one that forked it)?  Then it is up.
 */
int deliverer_took(const struct deliverer *d, const struct account *a);

/*
 * One attempt: choose the account (by name, else by the sender), send to
 * the recipients still pending (deliver_log() logs it).  before
 * holds the states of env's recipients as the attempt begins (NULL: all
 * pending).  Returns 0 when every pending recipient accepted the
 * message, else -1 with e judged by outcome_judge() and r telling what
 * happened.
 */
int deliver_attempt(struct deliverer *d, const char *account,
    struct envelope *env, const enum rcpt_state *before, struct msgsrc *src,
    struct smtp_result *r, struct err *e);

/* An attempt, to log once its outcome is known. */
struct attempt_log {
	const char *id; /* the message's queue id */
	uid_t uid; /* whose it is */
	const char *orig; /* a bounce: the failed message's id, or NULL */
	const struct envelope *env; /* the states after the attempt */
	const enum rcpt_state *before; /* the states before, NULL: all
	                                  pending */
	const struct smtp_result *r;
	off_t size;
	const char *reason; /* the failure (outcome_judge()), NULL: none */
	const char *pending; /* keyword for the recipients still pending:
	                        "deferred", "expired", "bounced" */
};

/*
 * One line for each outcome of the attempt's recipients: those the relay
 * took ("sent"), those still pending (l->pending), those failed in it
 * ("bounced").  mailout(8) LOG gives the format.
 */
void deliver_log(const struct attempt_log *l);

/* A message that is new to us. */
struct submission {
	char id[QUEUE_ID_MAX]; /* its id from the first log line on, kept
	                          when it is queued; "": deliver_new() makes
	                          one */
	const char *orig_id; /* a bounce: the failed message's id, or NULL */
	const char *account; /* -a, NULL: chosen by sender */
	struct envelope *env; /* states are updated */
	struct msgsrc *src;
	const char *head; /* its header section as it goes out (Bcc
	                     removed: outmsg_head), for a bounce */
	size_t headlen;
	int queue_only; /* -odq: do not try now */
	int is_bounce; /* a notification: never bounced itself */
	uid_t owner; /* whose mail it is: the caller, or for a bounce the
	                failed message's owner (its entry's uid) */
};

/*
 * Deliver a new message now, or queue it (untried when no relay is
 * configured: it is due as soon as one is).  Returns 0 when the relay took
 * it for every recipient, or it was queued durably (qid is then set, and
 * *note says why in one line); the recipients that failed permanently
 * while others succeeded get one bounce.  Recipients that failed before
 * (RCPT_FAILED in s->env: aliases that mailout cannot honour) are logged
 * with the notes of s->env, named in *note or e, and bounced like those;
 * when no other is left nothing is sent (ERR_NOUSER).  Returns -1 with e
 * set when the caller must be told: every recipient refused (ERR_NOUSER),
 * the message refused (ERR_UNAVAILABLE), or a temporary failure that
 * could not be queued (ERR_TEMP; ERR_CANTCREAT with queue_only).
 */
int deliver_new(struct deliverer *d, struct submission *s,
    char qid[QUEUE_ID_MAX], char **note, struct err *e);

/*
 * Queue s as it is: its pending recipients, its state.  last_error may
 * be NULL; r is the attempt already made (what the entry waits for
 * comes from it), NULL when none was.
 */
int deliver_enqueue(struct deliverer *d, struct submission *s,
    const char *last_error, const struct smtp_result *r, char qid[QUEUE_ID_MAX],
    struct err *e);

#endif
