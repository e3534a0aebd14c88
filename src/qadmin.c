#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "kept.h"
#include "log.h"
#include "qadmin.h"
#include "queue.h"

/*
 * An address given on the command line, with or without its angle
 * brackets ("<>" is the null sender of bounces), against one of an
 * entry.  Case is ignored: a domain's case never matters, and a local
 * part differing only in case is, in practice, the same mailbox.
 */
static int
same_addr(const char *addr, const char *arg)
{
	size_t n = strlen(arg);

	if (n >= 2 && arg[0] == '<' && arg[n - 1] == '>') {
		arg++;
		n -= 2;
	}
	return strlen(addr) == n && strncasecmp(addr, arg, n) == 0;
}

static int
matches(const struct qentry *q, enum qadmin_sel sel, const char *value)
{
	size_t i;

	if (sel == QSEL_FROM)
		return same_addr(q->env.sender, value);
	if (sel != QSEL_TO)
		return 1; /* QSEL_ID: chosen by its name already */
	for (i = 0; i < q->env.nrcpts; i++)
		if (same_addr(q->env.rcpts[i].addr, value))
			return 1;
	return 0;
}

/*
 * "deleted id=ID uid=UID(NAME) from=<S> area=q/": the user is the real
 * one who did it, not the group it runs with, nor the message's owner.
 */
static void
log_done(const struct qadmin *a, const struct qentry *q, const char *area,
    const char *what)
{
	/* A kept entry may have no envelope yet. */
	const char *from = q->env.sender != NULL ? q->env.sender : "";
	struct buf b = BUF_INIT;

	log_head(&b, what, q->id, a->caller);
	buf_printf(&b, " from=<%s> area=%s/", from, area);
	log_buf(LOG_NOTICE, &b);
}

/*
 * A fresh start: the failed recipients of a failed entry are pending
 * again (their senders had a bounce: a second failure bounces again).
 */
static void
fresh_start(struct qentry *q, time_t now)
{
	size_t i;

	for (i = 0; q->failed && i < q->env.nrcpts; i++) {
		struct rcpt *r = &q->env.rcpts[i];

		if (r->state != RCPT_FAILED)
			continue;
		r->state = RCPT_PENDING;
		r->code = 0;
		free(r->reply);
		r->reply = NULL;
	}
	q->attempts = 0;
	q->created = now;
	q->next = now;
	q->waits = QWAIT_RELAY;
}

/* An area of a queue directory. */
struct place {
	const char *dir, *area;
};

/* Change the locked entry q of p as a->op says. */
static int
change(const struct qadmin *a, const struct place *p, struct qentry *q,
    struct err *e)
{
	int rc;

	if (a->op == QADMIN_DELETE) {
		rc = queue_remove_in(p->dir, p->area, q, e);
		queue_sync_area(p->dir, p->area);
		if (rc == 0)
			log_done(a, q, p->area, "deleted");
		return rc;
	}
	fresh_start(q, time(NULL));
	if (q->failed) {
		rc = queue_unfail(a->dir, q, e);
	} else {
		rc = queue_save(a->dir, q, e);
		queue_sync(a->dir);
	}
	if (rc == 0)
		log_done(a, q, p->area, "requeued");
	return rc;
}

/*
 * Lock the entry (chosen from an unlocked look), and change it.
 * Returns 0 when it is gone meanwhile (a run sent it, or moved it to
 * failed/), else 1 with a->tell told.
 */
static int
act(const struct qadmin *a, const struct place *p, const char *id)
{
	struct qentry q;
	struct err e = {0};
	int rc = queue_claim(p->dir, p->area, id, &q, &e);

	if (rc == QUEUE_GONE)
		return 0;
	if (rc == QUEUE_BUSY)
		a->tell(a->tell_arg, id, QFATE_BUSY, NULL);
	else if (rc < 0)
		a->tell(a->tell_arg, id, QFATE_ERROR, e.msg);
	else if (!a->all_owners && q.uid != a->caller)
		a->tell(a->tell_arg, id, QFATE_NONE, NULL);
	else if (change(a, p, &q, &e) < 0)
		a->tell(a->tell_arg, id, QFATE_ERROR, e.msg);
	else
		a->tell(a->tell_arg, id, QFATE_DONE, NULL);
	if (rc == QUEUE_LOCKED)
		queue_release(&q);
	err_clear(&e);
	return 1;
}

/*
 * Entry id of p, when sel chooses it and it is the caller's: acted
 * on, 1; else 0.  It is read before it is locked, so that a user never
 * holds another's entry (see runq.c).  One that cannot be read is told
 * of to those who may act on any entry, and left as it is.
 */
static int
consider(const struct qadmin *a, const struct place *p, const char *id,
    enum qadmin_sel sel, const char *value)
{
	struct qentry q;
	struct err e = {0};
	int rc = queue_peek_in(p->dir, p->area, id, &q, &e);
	int chosen = rc > 0 && (a->all_owners || q.uid == a->caller) &&
	    matches(&q, sel, value);

	if (rc > 0)
		qentry_free(&q);
	if (rc < 0 && a->all_owners && (sel == QSEL_ID || sel == QSEL_ALL)) {
		a->tell(a->tell_arg, id, QFATE_ERROR, e.msg);
		chosen = -1;
	}
	err_clear(&e);
	if (chosen > 0)
		chosen = act(a, p, id);
	return chosen != 0;
}

/*
 * The areas that sel looks in, in order (q/ first, where runs look),
 * into p: how many.  A kept entry may lack its envelope, and the queue
 * run that can send it submits it again: it is deleted, by its id or
 * with all, never requeued.
 */
static size_t
places(const struct qadmin *a, enum qadmin_sel sel, struct place p[3])
{
	size_t n = 0;

	if (!a->failed_only)
		p[n++] = (struct place){a->dir, "q"};
	p[n++] = (struct place){a->dir, "failed"};
	if (a->kept_dir != NULL && !a->failed_only && a->op == QADMIN_DELETE &&
	    (sel == QSEL_ID || sel == QSEL_ALL))
		p[n++] = (struct place){a->kept_dir, KEPT_AREA};
	return n;
}

static long
by_id(const struct qadmin *a, const char *id)
{
	struct place p[3];
	size_t i, n = places(a, QSEL_ID, p);

	for (i = 0; i < n && queue_id_ok(id); i++)
		if (consider(a, &p[i], id, QSEL_ID, id))
			return 1;
	a->tell(a->tell_arg, id, QFATE_NONE, NULL);
	return 0;
}

long
qadmin_run(const struct qadmin *a, enum qadmin_sel sel, const char *value,
    struct err *e)
{
	struct place p[3];
	char **ids;
	size_t i, j, n, np = places(a, sel, p);
	long chosen = 0;

	if (sel == QSEL_ID)
		return by_id(a, value);
	for (i = 0; i < np; i++) {
		if (queue_list_in(p[i].dir, p[i].area, &ids, &n, e) < 0)
			return -1;
		for (j = 0; j < n; j++) {
			chosen += consider(a, &p[i], ids[j], sel, value);
			free(ids[j]);
		}
		free(ids);
	}
	return chosen;
}

/* "removed id=ID uid=OWNER(NAME) from=<S> reason=...": by a queue run. */
static void
log_removed(const struct qentry *q)
{
	struct buf b = BUF_INIT;

	log_head(&b, "removed", q->id, q->uid);
	buf_printf(&b, " from=<%s>", q->env.sender);
	log_quoted(&b, "reason", "in failed/ longer than failed_lifetime");
	log_buf(LOG_INFO, &b);
}

/* Is the failed entry id, of owner's (NULL: of anyone's), expired? */
static int
expired(const char *dir, const char *id, time_t limit, const uid_t *owner)
{
	struct qentry q;
	struct err e = {0};
	time_t t;
	int rc;

	if (queue_changed_in(dir, "failed", id, &t) < 0 || t > limit)
		return 0;
	if (owner == NULL)
		return 1;
	rc = queue_peek_in(dir, "failed", id, &q, &e);
	err_clear(&e);
	if (rc <= 0)
		return 0;
	rc = q.uid == *owner;
	qentry_free(&q);
	return rc;
}

void
qadmin_expire(const char *dir, long lifetime, const uid_t *owner)
{
	struct qentry q;
	struct err e = {0};
	char **ids;
	size_t i, n, removed = 0;
	time_t limit = time(NULL) - lifetime;

	if (queue_list_in(dir, "failed", &ids, &n, &e) < 0) {
		err_clear(&e); /* the run lists q/ next, and says why */
		return;
	}
	for (i = 0; i < n; i++) {
		if (expired(dir, ids[i], limit, owner) &&
		    queue_claim(dir, "failed", ids[i], &q, &e) ==
		        QUEUE_LOCKED) {
			if (queue_remove_in(dir, "failed", &q, &e) == 0) {
				log_removed(&q);
				removed++;
			}
			queue_release(&q);
		}
		if (e.kind != ERR_NONE)
			log_event(LOG_ERR, "error", ids[i], (uid_t)-1, e.msg);
		err_clear(&e);
		free(ids[i]);
	}
	free(ids);
	if (removed > 0)
		queue_sync(dir);
}
