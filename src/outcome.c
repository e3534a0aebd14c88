#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "err.h"
#include "outcome.h"
#include "transport.h"
#include "xalloc.h"

/* The relay's reply on one line: continuation lines joined by "; ". */
static char *
one_line(const char *text)
{
	char *s = xstrdup(text != NULL ? text : "");
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

static int
judge_rcpts(const struct envelope *env, struct err *e)
{
	size_t i, failed = 0, pending = 0;
	const struct rcpt *last = NULL;

	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state == RCPT_FAILED)
			failed++, last = &env->rcpts[i];
		else if (env->rcpts[i].state == RCPT_PENDING)
			pending++, last = &env->rcpts[i];
	}
	if (failed + pending == 0)
		return 0;
	if (failed == env->nrcpts)
		return err_set(e, ERR_NOUSER,
		    "every recipient was refused; "
		    "last: <%s>: %s",
		    last->addr, last->reply ? last->reply : "");
	return err_set(e, pending ? ERR_TEMP : ERR_UNAVAILABLE,
	    "%zu of %zu recipients not accepted; last: <%s>: %s",
	    failed + pending, env->nrcpts, last->addr,
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
		    r->dot_sent ? "no reply after " : "", stage,
		    r->local_msg != NULL ? r->local_msg : "failed");
	}
}

int
outcome_judge(const struct smtp_result *r, const struct envelope *env,
    struct err *e)
{
	enum err_kind kind;
	char *text;

	if (r->stage == ST_DONE)
		return judge_rcpts(env, e);
	if (r->local != LOCAL_NONE)
		return judge_local(r, e);
	if (r->stage == ST_RCPT) {
		/* Every recipient refused: libcurl stops before DATA. */
		if (judge_rcpts(env, e) < 0 && e->kind == ERR_NOUSER)
			return -1;
		kind = ERR_TEMP;
	} else if (r->code >= 500 && r->stage >= ST_MAIL) {
		kind = ERR_UNAVAILABLE;
	} else {
		kind = ERR_TEMP;
	}
	text = one_line(r->text);
	err_set(e, kind, "%s: %s: %s", r->relay, smtp_stage_name(r->stage),
	    text != NULL ? text : "");
	free(text);
	return -1;
}

int
outcome_is_temporary(const struct err *e)
{
	return e->kind == ERR_TEMP;
}
