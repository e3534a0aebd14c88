#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "outcome.h"
#include "transport.h"

/*
 * The message on one line: a reply of several lines (a RCPT reply, the
 * relay's verdict) must not split the log line or the note on stderr.
 */
static int
one_line(struct err *e)
{
	struct buf b = BUF_INIT;

	buf_put_oneline(&b, e->msg, strlen(e->msg), 0);
	free(e->msg);
	e->msg = buf_release(&b);
	return -1;
}

/* The recipients of this attempt: those pending at its start. */
static int
judge_rcpts(const struct envelope *env, const enum rcpt_state *before,
    struct err *e)
{
	size_t i, tried = 0, failed = 0, pending = 0;
	const struct rcpt *last = NULL;

	for (i = 0; i < env->nrcpts; i++) {
		if (before != NULL && before[i] != RCPT_PENDING)
			continue;
		tried++;
		if (env->rcpts[i].state == RCPT_FAILED)
			failed++, last = &env->rcpts[i];
		else if (env->rcpts[i].state == RCPT_PENDING)
			pending++, last = &env->rcpts[i];
	}
	if (failed + pending == 0)
		return 0;
	if (failed == tried)
		return err_set(e, ERR_NOUSER,
		    "every recipient was refused; "
		    "last: <%s>: %s",
		    last->addr, last->reply ? last->reply : "");
	return err_set(e, pending ? ERR_TEMP : ERR_UNAVAILABLE,
	    "%zu of %zu recipients not accepted; last: <%s>: %s",
	    failed + pending, tried, last->addr,
	    last->reply ? last->reply : "(no reply)");
}

static int
judge_local(const struct smtp_result *r, struct err *e)
{
	const char *stage = smtp_stage_name(r->stage);

	switch (r->local) {
	case LOCAL_READ:
		return err_set(e, ERR_IO, "%s", r->local_msg);
	case LOCAL_TOO_BIG:
	case LOCAL_UTF8:
		return err_set(e, ERR_UNAVAILABLE, "%s: %s", r->relay,
		    r->local_msg);
	case LOCAL_CONFIG: /* temporary: the message is kept until fixed */
		return err_set(e, ERR_TEMP, "%s", r->local_msg);
	default:
		return err_set(e, ERR_TEMP, "%s: %s%s: %s", r->relay,
		    r->stage == ST_EOD ? "no reply after " : "", stage,
		    r->local_msg != NULL ? r->local_msg : "failed");
	}
}

static int
judge(const struct smtp_result *r, const struct envelope *env,
    const enum rcpt_state *before, struct err *e)
{
	enum err_kind kind;

	if (r->stage == ST_DONE)
		return judge_rcpts(env, before, e);
	if (r->local != LOCAL_NONE)
		return judge_local(r, e);
	if (r->stage == ST_RCPT) {
		/* Every recipient refused: libcurl stops before DATA.  When
		 * none is left pending (an earlier transaction took some),
		 * that is the verdict. */
		if (judge_rcpts(env, before, e) < 0 && e->kind != ERR_TEMP)
			return -1;
		kind = ERR_TEMP;
	} else if (r->code >= 500 && r->stage >= ST_MAIL) {
		kind = ERR_UNAVAILABLE;
	} else {
		kind = ERR_TEMP;
	}
	return err_set(e, kind, "%s: %s: %s", r->relay,
	    smtp_stage_name(r->stage), r->text != NULL ? r->text : "");
}

int
outcome_judge(const struct smtp_result *r, const struct envelope *env,
    const enum rcpt_state *before, struct err *e)
{
	return judge(r, env, before, e) < 0 ? one_line(e) : 0;
}

int
outcome_is_temporary(const struct err *e)
{
	return e->kind == ERR_TEMP;
}

int
outcome_is_final(const struct err *e)
{
	return e->kind == ERR_NOUSER || e->kind == ERR_UNAVAILABLE;
}

int
outcome_is_per_rcpt(const struct smtp_result *r)
{
	if (r->local != LOCAL_NONE)
		return 0;
	return r->stage == ST_DONE || (r->stage == ST_RCPT && r->code != 421);
}

const char *
outcome_reason(const struct smtp_result *r, const struct err *e)
{
	return r->text != NULL ? r->text : e->msg;
}
