/* Judging a delivery attempt: which failures are temporary. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "err.h"
#include "outcome.h"
#include "tap.h"
#include "transport.h"

static struct envelope env;
static struct rcpt rcpts[2];

static int
judge(enum smtp_stage st, int code, enum smtp_local local, int s0, int s1)
{
	struct smtp_result r;
	struct err e = {0};
	int kind;

	memset(&r, 0, sizeof(r));
	r.stage = st;
	r.code = code;
	r.text = code ? (char *)"reply" : NULL;
	r.local = local;
	r.local_msg = local ? (char *)"local" : NULL;
	r.relay = (char *)"relay:25";
	rcpts[0].state = (enum rcpt_state)s0;
	rcpts[1].state = (enum rcpt_state)s1;
	rcpts[0].code = s0 == RCPT_FAILED ? 550 : 250;
	rcpts[1].code = s1 == RCPT_FAILED ? 550 : 250;
	if (outcome_judge(&r, &env, NULL, &e) == 0)
		return ERR_NONE;
	kind = e.kind;
	err_clear(&e);
	return kind;
}

/* The message is one line, whatever the reply. */
static void
one_line(void)
{
	struct smtp_result r;
	struct err e = {0};

	memset(&r, 0, sizeof(r));
	r.stage = ST_MAIL;
	r.code = 550;
	r.text = (char *)"550-5.7.1 refused\n550 5.7.1 see\tthere\r";
	r.relay = (char *)"relay:25";
	outcome_judge(&r, &env, NULL, &e);
	is_str(e.msg, "relay:25: MAIL: 550-5.7.1 refused 550 5.7.1 see there ",
	    "a reply of several lines: one line");
	err_clear(&e);
	rcpts[0].state = RCPT_FAILED;
	rcpts[1].state = RCPT_FAILED;
	rcpts[1].reply = (char *)"550-5.1.1 no\n550 5.1.1 such user";
	r.stage = ST_RCPT;
	outcome_judge(&r, &env, NULL, &e);
	is_str(e.msg,
	    "every recipient was refused; last: <b@example.com>: "
	    "550-5.1.1 no 550 5.1.1 such user",
	    "a RCPT reply of several lines: one line");
	rcpts[1].reply = NULL;
	err_clear(&e);
}

/* A recipient refused in an earlier attempt is not this one's failure. */
static void
earlier(void)
{
	enum rcpt_state before[2] = {RCPT_PENDING, RCPT_FAILED};
	struct smtp_result r;
	struct err e = {0};

	memset(&r, 0, sizeof(r));
	r.stage = ST_DONE;
	r.relay = (char *)"relay:25";
	rcpts[0].state = RCPT_SENT;
	rcpts[1].state = RCPT_FAILED;
	is_int(outcome_judge(&r, &env, before, &e), 0,
	    "refused in an earlier attempt: this one succeeded");
	rcpts[0].state = RCPT_FAILED;
	r.stage = ST_RCPT;
	outcome_judge(&r, &env, before, &e);
	is_int(e.kind, ERR_NOUSER, "the one tried refused: no user");
	err_clear(&e);
}

/* What makes the pending recipients fail at once, and with what reason. */
static void
final(void)
{
	struct smtp_result r;
	struct err e = {ERR_UNAVAILABLE, (char *)"relay:25: MAIL: 550 no"};
	static const enum err_kind kinds[] = {ERR_TEMP, ERR_IO, ERR_USAGE,
	    ERR_OSERR};
	size_t i;
	int any = 0;

	ok(outcome_is_final(&e), "5xx to the message: final");
	e.kind = ERR_NOUSER;
	ok(outcome_is_final(&e), "every recipient refused: final");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		e.kind = kinds[i];
		any |= outcome_is_final(&e);
	}
	ok(!any, "temporary, unreadable, no account, system: not final");
	memset(&r, 0, sizeof(r));
	is_str(outcome_reason(&r, &e), e.msg, "no reply: the reason is ours");
	r.code = 550;
	r.text = (char *)"550 5.7.1 no";
	is_str(outcome_reason(&r, &e), r.text, "a reply: the relay's words");
}

static int
per_rcpt(enum smtp_stage st, int code, enum smtp_local local)
{
	struct smtp_result r;

	memset(&r, 0, sizeof(r));
	r.stage = st;
	r.code = code;
	r.local = local;
	return outcome_is_per_rcpt(&r);
}

/* What a deferred message waits for: its recipients, or the relay. */
static void
waits(void)
{
	ok(per_rcpt(ST_DONE, 250, LOCAL_NONE),
	    "accepted for some, RCPT 4xx for others: the recipients");
	ok(per_rcpt(ST_RCPT, 450, LOCAL_NONE),
	    "RCPT 450 for every one: the recipients");
	ok(per_rcpt(ST_RCPT, 452, LOCAL_NONE),
	    "RCPT 452 for every one: the recipients");
	ok(!per_rcpt(ST_RCPT, 421, LOCAL_NONE),
	    "RCPT 421: the relay (it ends the session)");
	ok(!per_rcpt(ST_RCPT, 0, LOCAL_TIMEOUT), "no reply to RCPT: the relay");
	ok(!per_rcpt(ST_CONNECT, 0, LOCAL_NETWORK), "connect: the relay");
	ok(!per_rcpt(ST_STARTTLS, 0, LOCAL_TLS), "TLS: the relay");
	ok(!per_rcpt(ST_GREETING, 421, LOCAL_NONE), "greeting 421: the relay");
	ok(!per_rcpt(ST_EHLO, 451, LOCAL_NONE), "EHLO 4xx: the relay");
	ok(!per_rcpt(ST_MAIL, 451, LOCAL_NONE), "MAIL 4xx: the relay");
	ok(!per_rcpt(ST_DATA, 451, LOCAL_NONE), "DATA 4xx: the relay");
	ok(!per_rcpt(ST_EOD, 451, LOCAL_NONE), "4xx after the dot: the relay");
	ok(!per_rcpt(ST_EOD, 0, LOCAL_TIMEOUT),
	    "no reply to the dot: the relay");
	ok(!per_rcpt(ST_CONNECT, 0, LOCAL_CONFIG),
	    "password_command failed: not the recipients");
}

int
main(void)
{
	rcpts[0].addr = (char *)"a@example.com";
	rcpts[1].addr = (char *)"b@example.com";
	env.rcpts = rcpts;
	env.nrcpts = 2;

	is_int(judge(ST_DONE, 250, LOCAL_NONE, RCPT_SENT, RCPT_SENT), ERR_NONE,
	    "all accepted");
	is_int(judge(ST_DONE, 250, LOCAL_NONE, RCPT_SENT, RCPT_FAILED),
	    ERR_UNAVAILABLE, "one refused 5xx after delivery to the other");
	is_int(judge(ST_DONE, 250, LOCAL_NONE, RCPT_SENT, RCPT_PENDING),
	    ERR_TEMP, "one refused 4xx after delivery to the other");
	is_int(judge(ST_CONNECT, 0, LOCAL_NETWORK, 0, 0), ERR_TEMP,
	    "connect failure is temporary");
	is_int(judge(ST_GREETING, 554, LOCAL_NONE, 0, 0), ERR_TEMP,
	    "554 greeting is temporary (the relay, not the message)");
	is_int(judge(ST_AUTH, 535, LOCAL_NONE, 0, 0), ERR_TEMP,
	    "AUTH 535 is temporary (our account, not the message)");
	is_int(judge(ST_STARTTLS, 220, LOCAL_TLS, 0, 0), ERR_TEMP,
	    "TLS failure is temporary");
	is_int(judge(ST_MAIL, 451, LOCAL_NONE, 0, 0), ERR_TEMP, "MAIL 451");
	is_int(judge(ST_MAIL, 550, LOCAL_NONE, 0, 0), ERR_UNAVAILABLE,
	    "MAIL 550 is permanent");
	is_int(judge(ST_RCPT, 550, LOCAL_NONE, RCPT_FAILED, RCPT_FAILED),
	    ERR_NOUSER, "every RCPT 550: no user");
	is_int(judge(ST_RCPT, 450, LOCAL_NONE, RCPT_FAILED, RCPT_PENDING),
	    ERR_TEMP, "RCPT 550 and 450: temporary");
	is_int(judge(ST_RCPT, 550, LOCAL_NONE, RCPT_SENT, RCPT_FAILED),
	    ERR_UNAVAILABLE,
	    "RCPT 550 for a later transaction after delivery in an earlier "
	    "one: permanent");
	is_int(judge(ST_DATA, 554, LOCAL_NONE, 0, 0), ERR_UNAVAILABLE,
	    "DATA 554 is permanent");
	is_int(judge(ST_EOD, 552, LOCAL_NONE, 0, 0), ERR_UNAVAILABLE,
	    "end of data 552 is permanent");
	is_int(judge(ST_EOD, 0, LOCAL_TIMEOUT, 0, 0), ERR_TEMP,
	    "no reply after the dot is temporary");
	is_int(judge(ST_BODY, 0, LOCAL_READ, 0, 0), ERR_IO,
	    "read error is an I/O error");
	is_int(judge(ST_MAIL, 0, LOCAL_TOO_BIG, 0, 0), ERR_UNAVAILABLE,
	    "larger than SIZE is permanent");
	one_line();
	earlier();
	final();
	waits();
	return tap_done();
}
