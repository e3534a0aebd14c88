/*
 * The state of a queue entry (at the head of its file, or in its .state
 * file): its envelope and delivery state as
 * lines of tab-separated fields.  Addresses and replies never hold a tab
 * or any other control character (they are checked on the way in), so
 * no quoting is needed.
 *
 *   version	1
 *   created	1764323400
 *   next	1764324000
 *   attempts	2
 *   wait	relay
 *   uid	1000
 *   account	work
 *   bounce	1
 *   error	451 4.3.0 try later
 *   notify	SUCCESS,FAILURE
 *   ret	HDRS
 *   envid	QQ314159
 *   sender	bob@example.org
 *   rcpt	P	0	alice@example.com
 *   orcpt	root@example.org
 *   rcpt	S	250	carol@example.com	250 2.1.5 Ok
 *
 * notify, ret and envid are the DSN parameters of -N, -R and -V (RFC
 * 3461), absent when not given; an "orcpt" line gives the original
 * address of the recipient on the line before it (envelope.h).  States
 * written before these existed have none, and read as they were.
 *
 * A kept entry (kept.c) says "kept" and holds its command line, one
 * "arg" line per argument, each octet below 0x21, 0x7f and "%" written
 * as %XX: an argument may hold anything, and must come back as it was.
 * Its sender may be empty and it may have no recipients (-t):
 *
 *   kept	1
 *   error	/etc/mailout.conf:3: unknown setting "hots"
 *   arg	-t
 *   arg	-F%20Backup%20job
 *
 * "wait" is "relay" or "rcpt" (enum qwait).  States written before it
 * existed have none, and an unknown value may come from a later version:
 * both are read as "relay".  Were the guess wrong, the cost is one early
 * attempt when a message goes out through the same account; the other
 * guess could hold back mail that waited for the relay until its
 * backoff ends, up to retry_max after the relay is back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "queue.h"
#include "xalloc.h"

/* One letter per state, in the order of enum rcpt_state. */
static const char states[] = "PSF";

/* The words of "wait", in the order of enum qwait. */
static const char *const waits[] = {"relay", "rcpt"};

/* Controls become spaces: a reply must stay on its line. */
static void
put_clean(struct buf *b, const char *s)
{
	buf_put_oneline(b, s, strlen(s), 0);
}

static void
put_arg(struct buf *b, const char *arg)
{
	const unsigned char *p;

	buf_puts(b, "arg\t");
	for (p = (const unsigned char *)arg; *p != '\0'; p++)
		if (*p < 0x21 || *p == 0x7f || *p == '%')
			buf_printf(b, "%%%02X", *p);
		else
			buf_putc(b, (char)*p);
	buf_putc(b, '\n');
}

/* The DSN parameters (RFC 3461), checked printable on the way in. */
static void
put_dsn(struct buf *b, const struct envelope *env)
{
	if (env->notify != NULL)
		buf_printf(b, "notify\t%s\n", env->notify);
	if (env->ret != NULL)
		buf_printf(b, "ret\t%s\n", env->ret);
	if (env->envid != NULL)
		buf_printf(b, "envid\t%s\n", env->envid);
}

static void
put_rcpt(struct buf *b, const struct rcpt *r)
{
	buf_printf(b, "rcpt\t%c\t%d\t%s", states[r->state], r->code, r->addr);
	if (r->reply != NULL) {
		buf_putc(b, '\t');
		put_clean(b, r->reply);
	}
	buf_putc(b, '\n');
	if (r->orcpt != NULL)
		buf_printf(b, "orcpt\t%s\n", r->orcpt);
}

char *
qentry_format(const struct qentry *q)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b,
	    "version\t1\ncreated\t%lld\nnext\t%lld\n"
	    "attempts\t%d\nwait\t%s\nuid\t%lu\n",
	    (long long)q->created, (long long)q->next, q->attempts,
	    waits[q->waits], (unsigned long)q->uid);
	if (q->account != NULL)
		buf_printf(&b, "account\t%s\n", q->account);
	if (q->is_bounce)
		buf_puts(&b, "bounce\t1\n");
	if (q->kept)
		buf_puts(&b, "kept\t1\n");
	for (i = 0; i < q->nargs; i++)
		put_arg(&b, q->args[i]);
	if (q->last_error != NULL) {
		buf_puts(&b, "error\t");
		put_clean(&b, q->last_error);
		buf_putc(&b, '\n');
	}
	put_dsn(&b, &q->env);
	buf_printf(&b, "sender\t%s\n", q->env.sender ? q->env.sender : "");
	for (i = 0; i < q->env.nrcpts; i++)
		put_rcpt(&b, &q->env.rcpts[i]);
	return buf_release(&b);
}

/* Split line at tabs into at most max fields; returns the count. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

static int
parse_rcpt(struct qentry *q, char **f, size_t n, struct err *e)
{
	const char *st;
	struct rcpt *r;
	size_t had = q->env.nrcpts;

	if (n < 4 || f[1][0] == '\0' || f[1][1] != '\0' ||
	    (st = strchr(states, f[1][0])) == NULL || f[3][0] == '\0')
		return err_set(e, ERR_DATA, "bad rcpt line");
	envelope_add_rcpt(&q->env, f[3]);
	if (q->env.nrcpts == had)
		return err_set(e, ERR_DATA, "a recipient twice");
	r = &q->env.rcpts[had];
	r->state = (enum rcpt_state)(st - states);
	r->code = atoi(f[2]);
	if (n > 4)
		r->reply = xstrdup(f[4]);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An "arg" line, as put_arg() wrote it. */
static int
parse_arg(struct qentry *q, const char *s, struct err *e)
{
	struct buf b = BUF_INIT;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			buf_putc(&b, *s);
			continue;
		}
		if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0 ||
		    (hi == 0 && lo == 0)) {
			buf_free(&b);
			return err_set(e, ERR_DATA, "bad arg line");
		}
		buf_putc(&b, (char)(hi * 16 + lo));
		s += 2;
	}
	q->args = xreallocarray(q->args, q->nargs + 1, sizeof(*q->args));
	q->args[q->nargs++] = buf_release(&b);
	return 0;
}

/* A field that may appear once: a second one means the file is damaged. */
static int
set_once(char **field, char **f, struct err *e)
{
	if (*field != NULL)
		return err_set(e, ERR_DATA, "\"%s\" twice", f[0]);
	*field = xstrdup(f[1]);
	return 0;
}

/* An "orcpt" line: the recipient of the line before it. */
static int
parse_orcpt(struct qentry *q, char **f, struct err *e)
{
	if (q->env.nrcpts == 0 || f[1][0] == '\0')
		return err_set(e, ERR_DATA, "bad orcpt line");
	return set_once(&q->env.rcpts[q->env.nrcpts - 1].orcpt, f, e);
}

/* The lines of the envelope other than rcpt; an unknown one (from a
 * later version) is left alone. */
static int
parse_env_line(struct qentry *q, char **f, struct err *e)
{
	if (strcmp(f[0], "sender") == 0)
		return set_once(&q->env.sender, f, e);
	if (strcmp(f[0], "orcpt") == 0)
		return parse_orcpt(q, f, e);
	if (strcmp(f[0], "notify") == 0)
		return set_once(&q->env.notify, f, e);
	if (strcmp(f[0], "ret") == 0)
		return set_once(&q->env.ret, f, e);
	if (strcmp(f[0], "envid") == 0)
		return set_once(&q->env.envid, f, e);
	return 0;
}

static int
parse_line(struct qentry *q, char *line, struct err *e)
{
	char *f[5];
	size_t n = split(line, f, 5);

	if (strcmp(f[0], "rcpt") == 0)
		return parse_rcpt(q, f, n, e);
	if (n != 2)
		return err_set(e, ERR_DATA, "bad line \"%s\"", f[0]);
	if (strcmp(f[0], "version") == 0 && strcmp(f[1], "1") != 0)
		return err_set(e, ERR_DATA, "unknown version %s", f[1]);
	else if (strcmp(f[0], "created") == 0)
		q->created = (time_t)strtoll(f[1], NULL, 10);
	else if (strcmp(f[0], "next") == 0)
		q->next = (time_t)strtoll(f[1], NULL, 10);
	else if (strcmp(f[0], "attempts") == 0)
		q->attempts = atoi(f[1]);
	else if (strcmp(f[0], "wait") == 0)
		q->waits = strcmp(f[1], waits[QWAIT_RCPT]) == 0 ? QWAIT_RCPT
		                                                : QWAIT_RELAY;
	else if (strcmp(f[0], "uid") == 0)
		q->uid = (uid_t)strtoul(f[1], NULL, 10);
	else if (strcmp(f[0], "bounce") == 0)
		q->is_bounce = atoi(f[1]) != 0;
	else if (strcmp(f[0], "kept") == 0)
		q->kept = atoi(f[1]) != 0;
	else if (strcmp(f[0], "arg") == 0)
		return parse_arg(q, f[1], e);
	else if (strcmp(f[0], "account") == 0)
		return set_once(&q->account, f, e);
	else if (strcmp(f[0], "error") == 0)
		return set_once(&q->last_error, f, e);
	return parse_env_line(q, f, e);
}

int
qentry_parse(const char *text, size_t len, struct qentry *q, struct err *e)
{
	char *copy = xstrndup(text, len), *line = copy, *nl;
	int rc = 0;

	if (strncmp(copy, "version\t1\n", 10) != 0) {
		free(copy);
		return err_set(e, ERR_DATA, "not a queue entry (version 1)");
	}
	while (rc == 0 && *line != '\0') {
		nl = strchr(line, '\n');
		if (nl == NULL) {
			rc = err_set(e, ERR_DATA, "truncated");
			break;
		}
		*nl = '\0';
		rc = parse_line(q, line, e);
		line = nl + 1;
	}
	free(copy);
	if (rc == 0 && !q->kept &&
	    (q->env.sender == NULL || q->env.nrcpts == 0))
		rc = err_set(e, ERR_DATA, "no sender or no recipients");
	return rc;
}

void
qentry_free(struct qentry *q)
{
	envelope_free(&q->env);
	free(q->account);
	free(q->last_error);
	q->account = q->last_error = NULL;
	while (q->nargs > 0)
		free(q->args[--q->nargs]);
	free(q->args);
	q->args = NULL;
}
