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
#include "xalloc.h"

struct conn {
	const struct account *acct;
	struct transport *t;
};

void
deliverer_init(struct deliverer *d, struct conf *c)
{
	memset(d, 0, sizeof(*d));
	d->conf = c;
}

void
deliverer_free(struct deliverer *d)
{
	size_t i;

	for (i = 0; i < d->nconns; i++)
		transport_free(d->conns[i].t);
	free(d->conns);
	d->conns = NULL;
	d->nconns = 0;
	free(d->took);
	d->took = NULL;
	d->ntook = 0;
}

int
deliverer_took(const struct deliverer *d, const struct account *a)
{
	size_t i;

	for (i = 0; i < d->ntook; i++)
		if (d->took[i] == a)
			return 1;
	return 0;
}

static void
note_took(struct deliverer *d, const struct account *a)
{
	if (deliverer_took(d, a))
		return;
	d->took = xreallocarray(d->took, d->ntook + 1, sizeof(*d->took));
	d->took[d->ntook++] = a;
}

/* The conversation goes to d->trace, unless it is muted. */
static void
trace_unless_muted(void *arg, char dir, const char *line, size_t len)
{
	const struct deliverer *d = arg;

	if (!d->mute)
		d->trace(d->trace_arg, dir, line, len);
}

/* The open transport for account a, or a new one. */
static struct transport *
conn_get(struct deliverer *d, const struct account *a, struct err *e)
{
	struct transport *t;
	size_t i;

	for (i = 0; i < d->nconns; i++)
		if (d->conns[i].acct == a)
			return d->conns[i].t;
	t = transport_new(a, conf_helo(d->conf, a), e);
	if (t == NULL)
		return NULL;
	if (d->trace != NULL)
		transport_set_trace(t, trace_unless_muted, d);
	transport_set_last(t, d->one_message);
	d->conns = xreallocarray(d->conns, d->nconns + 1, sizeof(*d->conns));
	d->conns[d->nconns].acct = a;
	d->conns[d->nconns++].t = t;
	return t;
}

/*
 * The recipients of an attempt (pending at its start, as before[] says;
 * NULL: all) whose state is now state, as to=<a>,<b>.  Returns the last
 * of them, NULL: none.
 */
static const struct rcpt *
put_rcpts(struct buf *b, const struct attempt_log *l, enum rcpt_state state)
{
	const struct envelope *env = l->env;
	const struct rcpt *last = NULL;
	const char *sep = " to=";
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		if ((l->before != NULL && l->before[i] != RCPT_PENDING) ||
		    env->rcpts[i].state != state)
			continue;
		last = &env->rcpts[i];
		buf_printf(b, "%s<%s>", sep, last->addr);
		sep = ",";
	}
	return last;
}

/*
 * KEYWORD id=... uid=... from=<...> to=<...>,<...> relay=... tls=...
 * auth=... size=... reply="..." reason="...", for the recipients of the
 * attempt now in state; nothing when there are none.  reason: why they
 * were not sent.  The transport has
 * scrubbed every text of the secret; the user name is not one.
 */
static void
log_rcpts(const struct attempt_log *l, enum rcpt_state state, const char *kw)
{
	const struct smtp_result *r = l->r;
	const char *reply = r->text;
	const struct rcpt *last;
	struct buf b = BUF_INIT;

	log_head(&b, kw, l->id, l->uid);
	if (l->orig != NULL)
		buf_printf(&b, " orig=%s", l->orig);
	buf_printf(&b, " from=<%s>", l->env->sender);
	if ((last = put_rcpts(&b, l, state)) == NULL) {
		buf_free(&b);
		return;
	}
	/* The relay took the message for others: what it said to these
	 * recipients is their reply, not its 250 to the data. */
	if (state != RCPT_SENT && r->stage == ST_DONE && last->reply != NULL)
		reply = last->reply;
	buf_printf(&b, " relay=%s", r->relay ? r->relay : "-");
	if (r->skipped != NULL)
		log_quoted(&b, "skipped", r->skipped);
	buf_printf(&b, " tls=%s", r->tls ? r->tls : "none");
	if (r->cipher != NULL)
		buf_printf(&b, " cipher=%s", r->cipher);
	buf_printf(&b, " auth=%s size=%lld",
	    r->auth_user ? r->auth_user : "none", (long long)l->size);
	if (reply != NULL)
		log_quoted(&b, "reply", reply);
	if (state != RCPT_SENT && l->reason != NULL)
		log_quoted(&b, "reason", l->reason);
	log_buf(state == RCPT_SENT ? LOG_INFO : LOG_WARNING, &b);
}

void
deliver_log(const struct attempt_log *l)
{
	log_rcpts(l, RCPT_SENT, "sent");
	log_rcpts(l, RCPT_PENDING, l->pending);
	log_rcpts(l, RCPT_FAILED, "bounced");
}

/*
 * A line of a submission that was not tried: KEYWORD id=... uid=...
 * from=<...> to=<...> size=... reason="...".
 */
static void
log_untried(const struct submission *s, const char *kw, const char *why)
{
	struct attempt_log l = {.env = s->env};
	struct buf b = BUF_INIT;

	log_head(&b, kw, s->id, s->owner);
	if (s->orig_id != NULL)
		buf_printf(&b, " orig=%s", s->orig_id);
	buf_printf(&b, " from=<%s>", s->env->sender);
	put_rcpts(&b, &l, RCPT_PENDING);
	buf_printf(&b, " size=%lld", (long long)s->src->size);
	if (why != NULL)
		log_quoted(&b, "reason", why);
	log_buf(LOG_INFO, &b);
}

int
deliver_attempt(struct deliverer *d, const char *account, struct envelope *env,
    const enum rcpt_state *before, struct msgsrc *src, struct smtp_result *r,
    struct err *e)
{
	const struct account *a;
	struct transport *t = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	a = conf_account(d->conf, account, env->sender, e);
	if (a != NULL)
		t = conn_get(d, a, e);
	if (t != NULL) {
		transport_send(t, env, src, r);
		rc = outcome_judge(r, env, before, e);
		if (r->stage == ST_DONE)
			note_took(d, a);
	}
	return rc;
}

int
deliver_enqueue(struct deliverer *d, struct submission *s,
    const char *last_error, const struct smtp_result *r, char qid[QUEUE_ID_MAX],
    struct err *e)
{
	const struct conf *c = d->conf;
	struct qentry q;
	int rc;

	if (queue_init(c->queue_dir, e) < 0)
		return -1;
	memset(&q, 0, sizeof(q));
	q.env = *s->env; /* borrowed, not freed here */
	q.account = (char *)s->account;
	q.created = time(NULL);
	q.next = r != NULL ? q.created + c->retry_min : q.created;
	q.attempts = r != NULL;
	q.waits =
	    r != NULL && outcome_is_per_rcpt(r) ? QWAIT_RCPT : QWAIT_RELAY;
	q.last_error = (char *)last_error;
	q.uid = s->owner;
	q.is_bounce = s->is_bounce;
	memcpy(q.id, s->id, QUEUE_ID_MAX);
	rc = queue_put(c->queue_dir, &q, s->src, e);
	if (rc == 0)
		memcpy(qid, q.id, QUEUE_ID_MAX);
	return rc;
}

/*
 * Queue what is pending of s after a temporary failure, saying why (r:
 * the attempt made, so the next one waits retry_min; NULL: none was made,
 * so the entry is due at once).  When that fails too, the message was
 * neither sent nor queued: ERR_TEMP.
 */
static int
queue_rest(struct deliverer *d, struct submission *s, const char *why,
    const struct smtp_result *r, char qid[QUEUE_ID_MAX], struct err *e)
{
	struct err qe = {0};

	if (deliver_enqueue(d, s, why, r, qid, &qe) < 0) {
		err_set(e, ERR_TEMP, "%s; and it cannot be queued: %s", why,
		    qe.msg);
		err_clear(&qe);
		return -1;
	}
	return 0;
}

/*
 * One bounce for the recipients of s that failed (none: nothing).  One
 * that can be neither sent nor queued is logged: the caller is told of
 * those recipients all the same (deliver_new()).
 */
static void
bounce_new(struct deliverer *d, const struct submission *s, const char *relay)
{
	struct bounce b = {.env = s->env,
	    .relay = relay,
	    .id = s->id,
	    .arrival = time(NULL),
	    .head = s->head,
	    .headlen = s->headlen,
	    .is_bounce = s->is_bounce,
	    .owner = s->owner};
	struct err e = {0};
	char *why;

	if (bounce_failures(d, &b, NULL, NULL, NULL, &e) < 0) {
		why = xasprintf("bounce failed: %s", e.msg);
		log_event(LOG_ERR, "error", s->id, s->owner, why);
		free(why);
	}
	err_clear(&e);
}

/*
 * After an attempt that not every recipient took.  When some got it (in
 * one transaction of several, perhaps), or the failure is temporary, the
 * caller is told of no failure: what is pending is queued, and what the
 * relay refused for good is bounced.  Otherwise the failure stands.
 * Each outcome is logged (l: the attempt) once it is known.
 */
static int
after_attempt(struct deliverer *d, struct submission *s, struct attempt_log *l,
    char qid[QUEUE_ID_MAX], char **note, struct err *e)
{
	int delivered = envelope_count(s->env, RCPT_SENT) > 0;
	char *why = xstrdup(e->msg);
	int rc = 0;

	l->reason = why;
	if (!delivered && !outcome_is_temporary(e)) {
		/* The caller is told: of the relay's verdict, or of our own
		 * failure (a spool file that cannot be read). */
		l->pending = outcome_is_final(e) ? "bounced" : "refused";
		deliver_log(l);
		free(why);
		return -1;
	}
	if (outcome_is_final(e))
		envelope_fail_pending(s->env, outcome_reason(l->r, e));
	log_rcpts(l, RCPT_SENT, "sent");
	log_rcpts(l, RCPT_FAILED, "bounced");
	bounce_new(d, s, l->r->relay);
	if (envelope_count(s->env, RCPT_PENDING) > 0 &&
	    queue_rest(d, s, why, l->r, qid, e) < 0) {
		l->reason = e->msg;
		log_rcpts(l, RCPT_PENDING, "refused");
		rc = -1;
	} else {
		log_rcpts(l, RCPT_PENDING, "deferred");
		*note = why;
		why = NULL;
		err_clear(e);
	}
	free(why);
	return rc;
}

/*
 * Queue s untried (why: -odq, or no relay): logged as queued, or as
 * refused when it cannot be.
 */
static int
queue_untried(struct deliverer *d, struct submission *s, const char *why,
    char qid[QUEUE_ID_MAX], char **note, struct err *e)
{
	int rc = s->queue_only ? deliver_enqueue(d, s, NULL, NULL, qid, e)
	                       : queue_rest(d, s, why, NULL, qid, e);

	if (rc < 0) {
		log_untried(s, "refused", e->msg);
		return -1;
	}
	log_untried(s, "queued", why);
	*note = xstrdup(why);
	bounce_new(d, s, NULL);
	return 0;
}

/* Send s now, or queue it; what fails is bounced unless the caller is told. */
static int
send_new(struct deliverer *d, struct submission *s, char qid[QUEUE_ID_MAX],
    char **note, struct err *e)
{
	struct smtp_result r;
	struct attempt_log l = {.id = s->id,
	    .uid = s->owner,
	    .orig = s->orig_id,
	    .env = s->env,
	    .r = &r,
	    .size = s->src->size,
	    .pending = "deferred"};
	enum rcpt_state *before;
	int rc;

	if (s->queue_only)
		return queue_untried(d, s, "queued without trying (-odq)", qid,
		    note, e);
	/* Nothing to try: no attempt is counted, so the message is due as
	 * soon as a relay is configured. */
	if (conf_no_relay(d->conf, s->account, s->env->sender))
		return queue_untried(d, s, CONF_NO_RELAY, qid, note, e);
	l.before = before = envelope_states(s->env);
	rc = deliver_attempt(d, s->account, s->env, before, s->src, &r, e);
	if (rc < 0) {
		rc = after_attempt(d, s, &l, qid, note, e);
	} else {
		deliver_log(&l);
		bounce_new(d, s, r.relay);
	}
	smtp_result_free(&r);
	free(before);
	return rc;
}

/*
 * The recipients that failed before any attempt (aliases of nothing but
 * pipes, files or :include:), each logged with what the aliases left out
 * of the others; then one line for the caller, NULL when none failed.
 */
static char *
refusals(const struct submission *s)
{
	const struct envelope *env = s->env;
	const struct rcpt *last = NULL;
	struct buf b = BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < env->nnotes; i++)
		log_event(LOG_WARNING, "note", s->id, s->owner, env->notes[i]);
	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state != RCPT_FAILED)
			continue;
		last = &env->rcpts[i];
		n++;
		log_head(&b, "bounced", s->id, s->owner);
		buf_printf(&b, " from=<%s> to=<%s>", env->sender, last->addr);
		log_quoted(&b, "reason", last->reply);
		log_buf(LOG_WARNING, &b);
	}
	if (n == 0)
		return NULL;
	if (n == 1)
		return xasprintf("not sent to <%s>: %s", last->addr,
		    last->reply);
	return xasprintf("not sent to %zu recipients; last: <%s>: %s", n,
	    last->addr, last->reply);
}

int
deliver_new(struct deliverer *d, struct submission *s, char qid[QUEUE_ID_MAX],
    char **note, struct err *e)
{
	char *refused, *both;
	int rc;

	qid[0] = '\0';
	*note = NULL;
	if (s->id[0] == '\0')
		queue_new_id(s->id);
	refused = refusals(s);
	if (refused == NULL)
		return send_new(d, s, qid, note, e);
	/* As sendmail for a local recipient it cannot deliver to: when no
	 * other is left, the caller is told, and nothing is sent. */
	if (envelope_count(s->env, RCPT_PENDING) == 0) {
		rc = err_set(e, ERR_NOUSER, "%s", refused);
	} else if ((rc = send_new(d, s, qid, note, e)) == 0) {
		both = *note != NULL ? xasprintf("%s; %s", *note, refused)
		                     : xstrdup(refused);
		free(*note);
		*note = both;
	} else {
		err_set(e, e->kind, "%s; %s", e->msg, refused);
	}
	free(refused);
	return rc;
}
