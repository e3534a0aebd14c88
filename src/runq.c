#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "envelope.h"
#include "err.h"
#include "log.h"
#include "msgsrc.h"
#include "outcome.h"
#include "queue.h"
#include "runq.h"
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
		log_msg(LOG_ERR, "id=%s: %s", q->id, e.msg);
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

/* After an attempt: keep, finish or give up on the locked entry q. */
static void
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
	    .is_bounce = q->is_bounce};

	bounce_failures(d, &b, before, head_of_entry, q);
	free(q->last_error);
	q->last_error = failure ? xstrdup(failure->msg) : NULL;
	if (envelope_count(&q->env, RCPT_PENDING) > 0) {
		q->next = now + backoff(c, q->attempts);
		queue_save(c->queue_dir, q, &e);
	} else if (envelope_count(&q->env, RCPT_FAILED) > 0) {
		queue_fail(c->queue_dir, q, &e);
	} else {
		queue_remove(c->queue_dir, q, &e);
	}
	if (e.kind != ERR_NONE)
		log_msg(LOG_ERR, "id=%s: %s", q->id, e.msg);
	err_clear(&e);
}

static void
run_entry(struct deliverer *d, struct qentry *q, time_t now)
{
	struct smtp_result r;
	struct msgsrc src;
	struct err e = {0};
	enum rcpt_state *before;
	size_t i;
	int rc;

	before = xcalloc(q->env.nrcpts, sizeof(*before));
	for (i = 0; i < q->env.nrcpts; i++)
		before[i] = q->env.rcpts[i].state;
	memset(&r, 0, sizeof(r));
	rc = 0;
	/* Nothing pending: a run was killed before it could file the entry
	 * away; settle it without talking to the relay. */
	if (envelope_count(&q->env, RCPT_PENDING) > 0) {
		queue_source(q, &src);
		rc = deliver_attempt(d, q->id, q->account, &q->env, before,
		    &src, &r, &e);
		q->attempts++;
	}
	settle(d, q, &r, rc == 0 ? NULL : &e, before, now);
	smtp_result_free(&r);
	err_clear(&e);
	free(before);
}

/*
 * Is the entry to be tried in this run?  Not when its account has no
 * relay: that is no attempt (none is counted, the run logs one line for
 * all such entries), so it stays due and leaves with the first run after
 * one is configured.
 */
static int
to_try(const struct deliverer *d, const struct runq_opts *o,
    const struct qentry *q, time_t now, size_t *waiting)
{
	if (!(o->all || o->only_id != NULL || q->next <= now))
		return 0;
	if (conf_no_relay(d->conf, q->account, q->env.sender)) {
		(*waiting)++;
		return 0;
	}
	return 1;
}

int
queue_run(struct deliverer *d, const struct runq_opts *o, struct err *e)
{
	const char *dir = d->conf->queue_dir;
	struct qentry q;
	char **ids;
	size_t i, n, waiting = 0;
	time_t now = time(NULL);
	int rc;

	queue_clean_tmp(dir, TMP_MAX_AGE);
	if (queue_list(dir, 0, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (o->only_id != NULL && strcmp(o->only_id, ids[i]) != 0)
			continue;
		rc = queue_lock(dir, ids[i], &q, e);
		if (rc < 0)
			log_msg(LOG_ERR, "id=%s: %s", ids[i], e->msg);
		if (rc <= 0) {
			err_clear(e);
			continue;
		}
		if (to_try(d, o, &q, now, &waiting))
			run_entry(d, &q, time(NULL));
		queue_release(&q);
	}
	queue_sync(dir);
	if (waiting > 0)
		log_msg(LOG_NOTICE, "%zu message(s) wait: %s", waiting,
		    CONF_NO_RELAY);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return 0;
}
