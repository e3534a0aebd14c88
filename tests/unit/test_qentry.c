/* The queue entry's "env" file: written and read back unchanged. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "err.h"
#include "queue.h"
#include "tap.h"
#include "xalloc.h"

static int
parse(const char *text, struct qentry *q, struct err *e)
{
	memset(q, 0, sizeof(*q));
	err_clear(e);
	return qentry_parse(text, strlen(text), q, e);
}

/* A kept entry: its command line comes back octet for octet. */
static void
kept_entry(struct err *e)
{
	/* Arrays, not string literals: the entry holds writable strings. */
	char a0[] = "-t", a1[] = "-F", a2[] = "Job 100%\tdone\n", a3[] = "",
	     a4[] = "-f";
	char *args[] = {a0, a1, a2, a3, a4};
	struct qentry k, r;
	char *text;

	memset(&k, 0, sizeof(k));
	k.kept = 1;
	k.args = args;
	k.nargs = 5;
	k.env.sender = (char *)"";
	text = qentry_format(&k);
	ok(strstr(text,
	       "\nkept\t1\narg\t-t\narg\t-F\n"
	       "arg\tJob%20100%25%09done%0A\narg\t\narg\t-f\n") != NULL,
	    "kept: each argument on its line, encoded");
	is_int(parse(text, &r, e), 0, "kept: no recipients, no sender: read");
	is_int(r.kept, 1, "kept: read as kept");
	is_int((int)r.nargs, 5, "kept: every argument");
	if (r.nargs == 5) {
		is_str(r.args[2], "Job 100%\tdone\n",
		    "kept: an argument as it was");
		is_str(r.args[3], "", "kept: an empty argument");
	}
	qentry_free(&r);
	is_int(parse("version\t1\nkept\t1\nsender\t\narg\t%0\n", &r, e), -1,
	    "kept: a bad escape is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nkept\t1\nsender\t\narg\ta%00\n", &r, e), -1,
	    "kept: a NUL is refused");
	qentry_free(&r);
	free(text);
}

/* RFC 3461: -N, -R, -V and each recipient's original address. */
static void
dsn_entry(struct err *e)
{
	struct qentry q, r;
	char *text, *again;

	memset(&q, 0, sizeof(q));
	q.env.sender = xstrdup("bob@example.org");
	q.env.notify = xstrdup("SUCCESS,FAILURE");
	q.env.ret = xstrdup("HDRS");
	q.env.envid = xstrdup("QQ+314=159");
	envelope_add_rcpt(&q.env, "admin@example.org");
	envelope_add_rcpt(&q.env, "carol@example.com");
	q.env.rcpts[0].orcpt = xstrdup("root@example.org");
	q.env.rcpts[0].state = RCPT_SENT;
	q.env.rcpts[0].code = 250;
	q.env.rcpts[0].reply = xstrdup("250 2.1.5 Ok");
	text = qentry_format(&q);
	ok(strstr(text,
	       "notify\tSUCCESS,FAILURE\nret\tHDRS\nenvid\tQQ+314=159\n"
	       "sender\tbob@example.org\n"
	       "rcpt\tS\t250\tadmin@example.org\t250 2.1.5 Ok\n"
	       "orcpt\troot@example.org\n"
	       "rcpt\tP\t0\tcarol@example.com\n") != NULL,
	    "dsn: the lines as written");
	is_int(parse(text, &r, e), 0, "dsn: the entry parses");
	is_str(r.env.notify, "SUCCESS,FAILURE", "dsn: notify");
	is_str(r.env.ret, "HDRS", "dsn: ret");
	is_str(r.env.envid, "QQ+314=159", "dsn: envid as given");
	is_str(r.env.rcpts[0].orcpt, "root@example.org",
	    "dsn: orcpt of the recipient before it");
	ok(r.env.rcpts[1].orcpt == NULL, "dsn: no orcpt line, none");
	again = qentry_format(&r);
	is_str(again, text, "dsn: format(parse(format(x))) == format(x)");
	free(again);
	qentry_free(&r);
	qentry_free(&q);
	free(text);

	/* An entry written before DSN was kept: read as it was. */
	is_int(parse("version\t1\ncreated\t1\nnext\t2\nattempts\t1\n"
	             "wait\trcpt\nuid\t1000\nsender\ta@b\n"
	             "rcpt\tP\t450\tc@d\t450 4.2.1 later\n",
	           &r, e),
	    0, "old format: parses");
	ok(r.env.notify == NULL && r.env.ret == NULL && r.env.envid == NULL,
	    "old format: no DSN parameters");
	ok(r.env.rcpts[0].orcpt == NULL, "old format: no orcpt");
	is_str(r.env.rcpts[0].reply, "450 4.2.1 later", "old format: reply");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\ta@b\norcpt\tx@y\n"
	             "rcpt\tP\t0\tc@d\n",
	           &r, e),
	    -1, "an orcpt before any rcpt is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\ta@b\nrcpt\tP\t0\tc@d\n"
	             "orcpt\tx@y\norcpt\tz@y\n",
	           &r, e),
	    -1, "two orcpt lines for one rcpt are refused");
	qentry_free(&r);
	is_int(parse("version\t1\nret\tFULL\nret\tHDRS\nsender\ta@b\n"
	             "rcpt\tP\t0\tc@d\n",
	           &r, e),
	    -1, "ret twice is refused");
	qentry_free(&r);
}

int
main(void)
{
	struct qentry q, r;
	struct err e = {0};
	char *text, *again;

	memset(&q, 0, sizeof(q));
	q.env.sender = xstrdup("bob@example.org");
	envelope_add_rcpt(&q.env, "alice@example.com");
	envelope_add_rcpt(&q.env, "\"odd one\"@example.com");
	envelope_add_rcpt(&q.env, "carol@example.com");
	q.env.rcpts[1].state = RCPT_SENT;
	q.env.rcpts[1].code = 250;
	q.env.rcpts[1].reply = xstrdup("250 2.1.5 Ok");
	q.env.rcpts[2].state = RCPT_FAILED;
	q.env.rcpts[2].code = 550;
	q.env.rcpts[2].reply = xstrdup("550 5.1.1 no\tsuch\nuser");
	q.created = 1764323400;
	q.next = 1764324000;
	q.attempts = 3;
	q.waits = QWAIT_RCPT;
	q.uid = 1001;
	q.account = xstrdup("work");
	q.is_bounce = 1;
	q.last_error = xstrdup("relay:25: MAIL: 451 4.3.0\ntry later");
	text = qentry_format(&q);
	ok(strchr(strchr(text, '\n') + 1, '\r') == NULL, "no CR in the file");
	is_int(parse(text, &r, &e), 0, "the formatted entry parses");
	is_str(r.env.sender, "bob@example.org", "sender");
	is_int((long long)r.env.nrcpts, 3, "three recipients");
	is_str(r.env.rcpts[1].addr, "\"odd one\"@example.com",
	    "a quoted local part with a space");
	is_int(r.env.rcpts[1].state, RCPT_SENT, "state sent");
	is_int(r.env.rcpts[2].state, RCPT_FAILED, "state failed");
	is_str(r.env.rcpts[2].reply, "550 5.1.1 no such user",
	    "controls in a reply became spaces");
	is_int(r.env.rcpts[0].state, RCPT_PENDING, "state pending");
	is_int((long long)r.created, 1764323400, "created");
	is_int((long long)r.next, 1764324000, "next");
	is_int(r.attempts, 3, "attempts");
	is_int(r.waits, QWAIT_RCPT, "waits for its recipients");
	ok(strstr(text, "\nattempts\t3\nwait\trcpt\nuid\t1001\n") != NULL,
	    "the wait line, after attempts");
	is_int((long long)r.uid, 1001, "uid");
	is_str(r.account, "work", "account");
	is_int(r.is_bounce, 1, "bounce flag");
	is_str(r.last_error, "relay:25: MAIL: 451 4.3.0 try later",
	    "last error on one line");
	again = qentry_format(&r);
	is_str(again, text, "format(parse(format(x))) == format(x)");
	qentry_free(&r);
	free(again);
	free(text);

	is_int(parse("version\t2\nsender\ta@b\nrcpt\tP\t0\tc@d\n", &r, &e), -1,
	    "an unknown version is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\ta@b\n", &r, &e), -1,
	    "no recipient is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\ta@b\nrcpt\tX\t0\tc@d\n", &r, &e), -1,
	    "a bad state is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\ta@b\nrcpt\tP\t0\tc@d", &r, &e), -1,
	    "a truncated file is refused");
	qentry_free(&r);
	is_int(parse("version\t1\nsender\t\nrcpt\tP\t0\tc@d\n", &r, &e), 0,
	    "the null sender");
	is_str(r.env.sender, "", "null sender is empty");
	qentry_free(&r);
	is_int(parse("version\t1\nattempts\t1\nsender\ta@b\nrcpt\tP\t0\tc@d\n",
	           &r, &e),
	    0, "a state without a wait line (written before it existed)");
	is_int(r.waits, QWAIT_RELAY,
	    "without a wait line: waits for the relay");
	qentry_free(&r);
	is_int(parse("version\t1\nwait\tmoon\nsender\ta@b\nrcpt\tP\t0\tc@d\n",
	           &r, &e),
	    0, "an unknown wait word");
	is_int(r.waits, QWAIT_RELAY,
	    "an unknown wait word: waits for the relay");
	qentry_free(&r);
	is_int(parse("version\t1\nwait\trelay\nsender\ta@b\nrcpt\tP\t0\tc@d\n",
	           &r, &e),
	    0, "wait relay");
	is_int(r.waits, QWAIT_RELAY, "wait relay: waits for the relay");
	qentry_free(&r);
	kept_entry(&e);
	dsn_entry(&e);
	qentry_free(&q);
	err_clear(&e);
	return tap_done();
}
