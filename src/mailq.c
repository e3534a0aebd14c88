#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "kept.h"
#include "mailq.h"
#include "paths.h" /* QUEUE_DIR_DEFAULT */
#include "queue.h"
#include "span.h"

struct totals {
	size_t queued, failed, pending, kept;
	size_t unreadable; /* entries that cannot be parsed (root's view) */
	time_t oldest; /* creation time of the oldest queued entry, 0: none */
};

static void
print_span(FILE *out, long s)
{
	struct buf b = BUF_INIT;

	span_put(&b, s);
	fputs(buf_cstr(&b), out);
	buf_free(&b);
}

static const char *
state_name(enum rcpt_state st)
{
	return st == RCPT_SENT  ? "sent"
	    : st == RCPT_FAILED ? "failed"
	                        : "pending";
}

static void
print_next(FILE *out, const struct conf *c, const struct qentry *q, time_t now)
{
	fprintf(out, "    attempts: %d, next: ", q->attempts);
	if (conf_no_relay(c, q->account, q->env.sender))
		fputs("once a relay is configured", out);
	else if (q->next <= now)
		fputs("due now", out);
	else {
		fputs("in ", out);
		print_span(out, q->next - now);
	}
	fputc('\n', out);
}

static void
print_entry(FILE *out, const struct conf *c, const struct qentry *q, time_t now)
{
	size_t i;

	fprintf(out, "%s %10lld  age ", q->id, (long long)q->size);
	print_span(out, now - q->created);
	fprintf(out, "  <%s>%s%s\n", q->env.sender,
	    q->failed ? "  (failed)" : "", q->is_bounce ? "  (bounce)" : "");
	for (i = 0; i < q->env.nrcpts; i++) {
		const struct rcpt *r = &q->env.rcpts[i];

		fprintf(out, "    <%s>  %s%s%s\n", r->addr,
		    state_name(r->state),
		    r->reply && r->state != RCPT_SENT ? "  " : "",
		    r->reply && r->state != RCPT_SENT ? r->reply : "");
	}
	if (q->last_error != NULL)
		fprintf(out, "    last error: %s\n", q->last_error);
	if (!q->failed)
		print_next(out, c, q, now);
}

/* A kept entry: its command line and why it was kept. */
static void
print_kept(FILE *out, const struct qentry *q, time_t now)
{
	struct buf b = BUF_INIT;
	size_t i;

	fprintf(out, "%s %10lld  age ", q->id, (long long)q->size);
	print_span(out, now - q->created);
	fputs("  (kept)\n    command line:", out);
	for (i = 0; i < q->nargs; i++) {
		buf_putc(&b, ' ');
		buf_put_oneline(&b, q->args[i], strlen(q->args[i]), 0);
	}
	fprintf(out, "%s\n    configuration error: %s\n", buf_cstr(&b),
	    q->last_error != NULL ? q->last_error : "");
	buf_free(&b);
}

/* The kept entries, each shown to its owner or to all (root). */
static int
walk_kept(FILE *out, int all, uid_t uid, struct totals *t, struct err *e)
{
	struct qentry q;
	char **ids;
	size_t i, n;
	time_t now = time(NULL);

	if (queue_list_in(QUEUE_DIR_DEFAULT, KEPT_AREA, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (queue_peek_in(QUEUE_DIR_DEFAULT, KEPT_AREA, ids[i], &q, e) >
		        0 &&
		    (all || q.uid == uid)) {
			if (out != NULL)
				print_kept(out, &q, now);
			t->kept++;
		}
		err_clear(e);
		qentry_free(&q);
		free(ids[i]);
	}
	free(ids);
	return 0;
}

int
mailq_print_kept(FILE *out, int all, uid_t uid, struct err *e)
{
	struct totals t = {0, 0, 0, 0, 0, 0};

	if (walk_kept(out, all, uid, &t, e) < 0)
		return -1;
	fprintf(out, "-- %zu kept until the configuration is fixed\n", t.kept);
	return 0;
}

static int
walk(FILE *out, const struct conf *c, int failed, int all, uid_t uid,
    struct totals *t, struct err *e)
{
	struct qentry q;
	char **ids;
	size_t i, n, j;
	time_t now = time(NULL);
	int rc;

	if (queue_list(c->queue_dir, failed, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		rc = queue_peek(c->queue_dir, ids[i], failed, &q, e);
		/* Its owner is unknown, so only the view of all shows it. */
		if (rc < 0 && all) {
			if (out != NULL)
				fprintf(out, "%s unreadable: %s\n", ids[i],
				    e->msg);
			t->unreadable++;
		} else if (rc > 0 && (all || q.uid == uid)) {
			if (out != NULL)
				print_entry(out, c, &q, now);
			if (failed)
				t->failed++;
			else {
				t->queued++;
				if (t->oldest == 0 || q.created < t->oldest)
					t->oldest = q.created;
				for (j = 0; j < q.env.nrcpts; j++)
					t->pending += q.env.rcpts[j].state ==
					    RCPT_PENDING;
			}
		}
		err_clear(e);
		qentry_free(&q);
		free(ids[i]);
	}
	free(ids);
	return 0;
}

int
mailq_print(FILE *out, const struct conf *c, int json, int all, uid_t uid,
    struct err *e)
{
	struct totals t = {0, 0, 0, 0, 0, 0};
	/* The default account is the first that has a relay. */
	int no_relay = conf_no_relay(c, NULL, NULL);

	if (walk(json ? NULL : out, c, 0, all, uid, &t, e) < 0 ||
	    walk(json ? NULL : out, c, 1, all, uid, &t, e) < 0)
		return -1;
	/* Another queue directory may be out of reach: then none is kept. */
	if (conf_is_system(c) &&
	    walk_kept(json ? NULL : out, all, uid, &t, e) < 0)
		err_clear(e);
	if (json)
		fprintf(out,
		    "{\"queued\": %zu, \"pending_recipients\": %zu, "
		    "\"oldest_age\": %lld, \"failed\": %zu, "
		    "\"unreadable\": %zu, \"kept\": %zu, "
		    "\"no_relay_configured\": %s}\n",
		    t.queued, t.pending,
		    t.oldest ? (long long)(time(NULL) - t.oldest) : 0LL,
		    t.failed, t.unreadable, t.kept,
		    no_relay ? "true" : "false");
	else if (t.queued + t.failed + t.unreadable + t.kept == 0)
		fputs("Mail queue is empty\n", out);
	else if (t.kept > 0 && t.unreadable == 0)
		fprintf(out, "-- %zu queued, %zu failed, %zu kept\n", t.queued,
		    t.failed, t.kept);
	else if (t.unreadable == 0)
		fprintf(out, "-- %zu queued, %zu failed\n", t.queued, t.failed);
	else
		fprintf(out, "-- %zu queued, %zu failed, %zu unreadable\n",
		    t.queued, t.failed, t.unreadable);
	if (!json && no_relay)
		fprintf(out, "-- %s: mail waits in the queue until one is\n",
		    CONF_NO_RELAY);
	return 0;
}
