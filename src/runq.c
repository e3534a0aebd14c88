#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "envelope.h"
#include "err.h"
#include "kept.h"
#include "log.h"
#include "msgsrc.h"
#include "outcome.h"
#include "qadmin.h"
#include "queue.h"
#include "runq.h"
#include "span.h"
#include "xalloc.h"

/* Leftovers in tmp/ older than this belong to no living process. */
#define TMP_MAX_AGE (24 * 3600)

/* Exponential backoff: retry_min, doubled per attempt, up to retry_max. */
static time_t
backoff(const struct conf *c, int attempts)
{
	time_t delay = c->retry_min;

	while (--attempts > 0 && delay < c->retry_max)
		delay *= 2;
	return delay < c->retry_max ? delay : c->retry_max;
}

/*
 * The header section at the start of the entry's message, for a bounce;
 * the bounce goes without it when it cannot be read.
 */
static void
entry_head(struct qentry *q, struct buf *head)
{
	struct err e = {0};

	if (queue_msg_head(q, head, &e) < 0)
		log_event(LOG_ERR, "error", q->id, q->uid, e.msg);
	err_clear(&e);
}

/* For bounce_failures(): the entry's header section, when one is due. */
static void
head_of_entry(void *q, struct buf *head)
{
	entry_head(q, head);
}

/*
 * The pending recipients fail when the relay refused the message for good
 * or queue_lifetime is over (outcome_is_final).  Returns 1 when they
 * failed because time ran out.
 */
static int
give_up(const struct conf *c, struct qentry *q, const struct smtp_result *r,
    const struct err *failure, time_t now)
{
	int final;

	if (failure == NULL)
		return 0;
	final = outcome_is_final(failure);
	if (!final && now - q->created < c->queue_lifetime)
		return 0;
	envelope_fail_pending(&q->env, outcome_reason(r, failure));
	return !final;
}

/* What became of an entry after an attempt, for -v. */
enum fate {
	FATE_SENT,
	FATE_DEFERRED,
	FATE_FAILED, /* refused for good, in failed/ */
	FATE_EXPIRED /* given up after queue_lifetime, in failed/ */
};

/*
 * The bounce for the recipients that failed in this attempt was neither
 * sent nor queued (e says why: a full disk, say).  They are not done
 * with: pending again, the entry stays in q/ and they are tried, and
 * bounced, in a later run; filed in failed/, their bounce would be lost.
 */
static void
owe_bounce(struct qentry *q, const enum rcpt_state *before, const struct err *e)
{
	char *why;
	size_t i;

	for (i = 0; i < q->env.nrcpts; i++)
		if (q->env.rcpts[i].state == RCPT_FAILED &&
		    before[i] != RCPT_FAILED)
			q->env.rcpts[i].state = RCPT_PENDING;
	why = xasprintf("bounce failed, kept in the queue: %s", e->msg);
	log_event(LOG_ERR, "error", q->id, q->uid, why);
	free(why);
	why = xasprintf("%s; its bounce: %s",
	    q->last_error != NULL ? q->last_error : "failed", e->msg);
	free(q->last_error);
	q->last_error = why;
}

/*
 * The attempt's lines, before give_up() fails the pending recipients:
 * those are "bounced" when the relay's verdict is final, "expired" when
 * queue_lifetime is over, else "deferred".  No attempt (nothing was
 * pending): no line.
 */
static void
log_entry(const struct conf *c, const struct qentry *q,
    const struct smtp_result *r, const struct err *failure,
    const enum rcpt_state *before, time_t now)
{
	struct attempt_log l = {.id = q->id,
	    .uid = q->uid,
	    .env = &q->env,
	    .before = before,
	    .r = r,
	    .size = q->size,
	    .reason = failure != NULL ? failure->msg : NULL,
	    .pending = "deferred"};

	if (failure != NULL && outcome_is_final(failure))
		l.pending = "bounced";
	else if (now - q->created >= c->queue_lifetime)
		l.pending = "expired";
	if (failure != NULL || r->relay != NULL)
		deliver_log(&l);
}

/* After an attempt: keep, finish or give up on the locked entry q. */
static enum fate
settle(struct deliverer *d, struct qentry *q, const struct smtp_result *r,
    const struct err *failure, const enum rcpt_state *before, time_t now)
{
	const struct conf *c = d->conf;
	struct err e = {0};
	int expired = give_up(c, q, r, failure, now);
	struct bounce b = {.env = &q->env,
	    .relay = r->relay,
	    .id = q->id,
	    .arrival = q->created,
	    .expired = expired,
	    .is_bounce = q->is_bounce,
	    .owner = q->uid};
	enum fate f = FATE_SENT;

	free(q->last_error);
	q->last_error = failure ? xstrdup(failure->msg) : NULL;
	if (bounce_failures(d, &b, before, head_of_entry, q, &e) < 0)
		owe_bounce(q, before, &e);
	err_clear(&e);
	q->waits = failure != NULL && outcome_is_per_rcpt(r) ? QWAIT_RCPT
	                                                     : QWAIT_RELAY;
	if (envelope_count(&q->env, RCPT_PENDING) > 0) {
		q->next = now + backoff(c, q->attempts);
		queue_save(c->queue_dir, q, &e);
		f = FATE_DEFERRED;
	} else if (envelope_count(&q->env, RCPT_FAILED) > 0) {
		queue_fail(c->queue_dir, q, &e);
		f = expired ? FATE_EXPIRED : FATE_FAILED;
	} else {
		queue_remove(c->queue_dir, q, &e);
	}
	if (e.kind != ERR_NONE)
		log_event(LOG_ERR, "error", q->id, q->uid, e.msg);
	err_clear(&e);
	return f;
}

/* One queue run: what it tells (-v), and what it found. */
struct run {
	struct deliverer *d;
	const struct runq_opts *o;
	int tell; /* tell of the entry at hand */
	size_t seen; /* entries the owner may see (runq_opts) */
	size_t told; /* entries told of */
	size_t no_relay; /* chosen, but their account has no relay */
	size_t others; /* other owners', left alone, that were chosen */
};

/* -v: one line to the caller; b is freed. */
static void
tell(struct run *run, struct buf *b)
{
	run->o->note(run->o->note_arg, buf_cstr(b));
	buf_free(b);
}

/* "ID: trying 2 recipients via relay:25", before the conversation. */
static void
tell_trying(struct run *run, const struct qentry *q)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	size_t n = envelope_count(&q->env, RCPT_PENDING);
	const struct account *a =
	    conf_account(run->d->conf, q->account, q->env.sender, &e);
	char *relays = a != NULL ? conf_relay_list(a) : NULL;

	buf_printf(&b, "%s: trying %zu recipient%s", q->id, n,
	    n == 1 ? "" : "s");
	/* No account: the attempt fails, and its line after says why. */
	if (relays != NULL)
		buf_printf(&b, " via %s", relays);
	free(relays);
	err_clear(&e);
	tell(run, &b);
}

/* "ID: sent", "ID: deferred: why (next try in 10m)", "ID: failed: why". */
static void
tell_fate(struct run *run, const struct qentry *q, enum fate f,
    const struct err *failure, time_t now)
{
	struct buf b = BUF_INIT;
	/* No attempt: a killed run left the entry done but not filed. */
	const char *why =
	    failure != NULL ? failure->msg : "refused in an earlier attempt";

	buf_printf(&b, "%s: ", q->id);
	if (f == FATE_SENT) {
		buf_puts(&b, "sent");
	} else if (f == FATE_DEFERRED) {
		/* The state's error: it tells of a bounce not yet queued. */
		buf_printf(&b, "deferred: %s (next try in ",
		    q->last_error != NULL ? q->last_error : why);
		span_put(&b, q->next - now);
		buf_putc(&b, ')');
	} else {
		buf_printf(&b, "failed%s: %s",
		    f == FATE_EXPIRED ? " after queue_lifetime" : "", why);
	}
	tell(run, &b);
	run->told++;
}

static void
run_entry(struct run *run, struct qentry *q, time_t now)
{
	struct smtp_result r;
	struct msgsrc src;
	struct err e = {0};
	enum rcpt_state *before;
	enum fate f;
	int rc;

	before = envelope_states(&q->env);
	memset(&r, 0, sizeof(r));
	rc = 0;
	/* Nothing pending: a run was killed before it could file the entry
	 * away; settle it without talking to the relay. */
	if (envelope_count(&q->env, RCPT_PENDING) > 0) {
		if (run->tell)
			tell_trying(run, q);
		queue_source(q, &src);
		rc = deliver_attempt(run->d, q->account, &q->env, before, &src,
		    &r, &e);
		q->attempts++;
	}
	log_entry(run->d->conf, q, &r, rc == 0 ? NULL : &e, before, now);
	f = settle(run->d, q, &r, rc == 0 ? NULL : &e, before, now);
	if (run->tell)
		tell_fate(run, q, f, rc == 0 ? NULL : &e, now);
	smtp_result_free(&r);
	err_clear(&e);
	free(before);
}

/* Has the relay of the entry's account accepted a message since? */
static int
relay_back(struct deliverer *d, const struct qentry *q)
{
	struct err e = {0};
	const struct account *a =
	    conf_account(d->conf, q->account, q->env.sender, &e);

	err_clear(&e);
	return a != NULL && deliverer_took(d, a);
}

static int
chosen(struct deliverer *d, const struct runq_opts *o, const struct qentry *q,
    time_t now)
{
	if (o->which == RUNQ_ALL || q->next <= now)
		return 1;
	if (o->which == RUNQ_WOKEN)
		return q->waits == QWAIT_RELAY;
	return o->which == RUNQ_RELAY_BACK && q->waits == QWAIT_RELAY &&
	    relay_back(d, q);
}

/*
 * An entry whose account has no relay is not tried: that is no attempt
 * (none is counted, the run logs one line for all such entries), so it
 * stays due and leaves with the first run after one is configured.
 */
static int
to_try(struct run *run, const struct qentry *q, time_t now)
{
	const struct conf *c = run->d->conf;

	if (!chosen(run->d, run->o, q, now))
		return 0;
	if (conf_no_relay(c, q->account, q->env.sender)) {
		run->no_relay++;
		return 0;
	}
	return 1;
}

/*
 * An entry that cannot be read is logged at each run; root's -v tells
 * of it too (mailq shows it to root alone: whose it is, is unknown).
 */
static void
unreadable(struct run *run, const char *id, const struct err *e)
{
	struct buf b = BUF_INIT;

	log_event(LOG_ERR, "error", id, (uid_t)-1, e->msg);
	if (run->o->note == NULL || !run->o->all_owners)
		return;
	buf_printf(&b, "%s: unreadable: %s", id, e->msg);
	tell(run, &b);
	run->told++;
}

/*
 * A user's run takes the user's own entries alone: another's is read,
 * never locked, and counted when it would have been tried, for the
 * caller to wake the queue service.  So no user's process holds, sends,
 * traces or bounces another's mail.  Is entry id the owner's?
 */
static int
owned(struct run *run, const char *id, time_t now)
{
	struct qentry q;
	struct err e = {0};
	int rc = queue_peek(run->d->conf->queue_dir, id, 0, &q, &e);
	int mine = rc > 0 && q.uid == run->o->owner;

	if (rc < 0)
		unreadable(run, id, &e);
	err_clear(&e);
	if (rc > 0 && !mine && chosen(run->d, run->o, &q, now))
		run->others++;
	if (rc > 0)
		queue_release(&q);
	return mine;
}

/* Lock entry id, try it if it is chosen, release it. */
static void
consider(struct run *run, const char *id, time_t now)
{
	const struct runq_opts *o = run->o;
	struct qentry q;
	struct err e = {0};
	int rc, mine;

	if (!o->all_owners && !owned(run, id, now))
		return;
	rc = queue_lock(run->d->conf->queue_dir, id, &q, &e);
	if (rc < 0)
		unreadable(run, id, &e);
	err_clear(&e);
	if (rc <= 0)
		return; /* or another process has it */
	mine = o->all_owners || q.uid == o->owner;
	run->seen += mine;
	if (to_try(run, &q, now)) {
		/* Another user's envelope is not for the owner's eyes. */
		run->d->mute = !mine;
		run->tell = mine && o->note != NULL;
		run_entry(run, &q, time(NULL));
		run->d->mute = 0;
	}
	queue_release(&q);
}

/* -v, when no entry was told of: why nothing happened. */
static void
tell_nothing(struct run *run)
{
	struct buf b = BUF_INIT;

	if (run->seen == 0 && run->o->only_id != NULL)
		buf_printf(&b, "%s: not in the queue", run->o->only_id);
	else if (run->seen == 0)
		buf_puts(&b, "queue empty");
	else if (run->no_relay > 0)
		buf_printf(&b, "nothing sent (%zu entr%s waiting): %s",
		    run->seen, run->seen == 1 ? "y" : "ies", CONF_NO_RELAY);
	else
		buf_printf(&b, "nothing due (%zu entr%s waiting)", run->seen,
		    run->seen == 1 ? "y" : "ies");
	tell(run, &b);
}

/* One line for the entries that wait for a relay to be configured. */
static void
log_wait(const struct runq_opts *o, size_t n)
{
	char *why = xasprintf("%zu message(s) wait: %s", n, CONF_NO_RELAY);

	log_event(LOG_NOTICE, "note", NULL, o->owner, why);
	free(why);
}

int
queue_run(struct deliverer *d, const struct runq_opts *o, struct err *e)
{
	const char *dir = d->conf->queue_dir;
	struct run run = {d, o, 0, 0, 0, 0, 0};
	char **ids;
	size_t i, n;
	time_t now = time(NULL);

	queue_clean_tmp(dir, TMP_MAX_AGE);
	qadmin_expire(dir, d->conf->failed_lifetime,
	    o->all_owners ? NULL : &o->owner);
	kept_resolve(d, o->only_id, o->all_owners ? NULL : &o->owner);
	if (queue_list(dir, 0, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (o->only_id == NULL || strcmp(o->only_id, ids[i]) == 0)
			consider(&run, ids[i], now);
	queue_sync(dir);
	if (o->note != NULL && run.told == 0)
		tell_nothing(&run);
	if (run.no_relay > 0)
		log_wait(o, run.no_relay);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return run.others > INT_MAX ? INT_MAX : (int)run.others;
}
