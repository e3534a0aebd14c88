#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "deliver.h"
#include "envelope.h"
#include "err.h"
#include "io.h"
#include "kept.h"
#include "localaddr.h"
#include "log.h"
#include "rewrite.h"
#include "senders.h"
#include "smtpcmd.h"
#include "smtpd.h"
#include "spool.h"
#include "sysinfo.h"
#include "xalloc.h"

/* RFC 5321 4.5.3.1.4: 512 octets; longer lines are refused, not cut. */
#define CMD_MAX 4096
#define INBUF 65536

struct smtpin {
	int fd;
	char buf[INBUF];
	size_t pos, len;
	int eof;
};

struct session {
	struct smtpd *d;
	struct smtpin in;
	int out;
	struct envelope env; /* sender NULL: no MAIL yet */
	struct localmap local;
	char **keep_rcpts; /* keep: each RCPT's path as given */
	size_t nkeep_rcpts;
};

static int reply(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Write one reply, its CRLF added in place so that reply and line end go
 * out together; a client that went away ends the session.
 */
static int
reply(struct session *s, const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t n;
	int rc;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(text);
	text = xreallocarray(text, n + 3, 1);
	memcpy(text + n, "\r\n", 3);
	rc = io_write_all(s->out, text, n + 2);
	free(text);
	return rc;
}

/* Make at least want octets available, unless input ends first. */
static int
in_fill(struct smtpin *in, size_t want)
{
	ssize_t n;

	while (in->len - in->pos < want && !in->eof) {
		if (in->pos > 0) {
			memmove(in->buf, in->buf + in->pos, in->len - in->pos);
			in->len -= in->pos;
			in->pos = 0;
		}
		n = read(in->fd, in->buf + in->len, INBUF - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			in->eof = 1;
		else
			in->len += (size_t)n;
	}
	return in->len - in->pos >= want ? 0 : -1;
}

/*
 * At the start of a line of DATA, enough to tell whether it is the final
 * "." (RFC 5321 4.5.2): three octets, or fewer that already hold the line
 * end.  A client waits for the reply after ".\n" (LF alone, as alpine
 * sends it), so asking for a third octet there would wait forever.
 */
static void
in_fill_bol(struct smtpin *in)
{
	while (in->len - in->pos < 3 &&
	    memchr(in->buf + in->pos, '\n', in->len - in->pos) == NULL &&
	    in_fill(in, in->len - in->pos + 1) == 0)
		;
}

/*
 * One command line into line, without its line end.  Returns 1, 0 at the
 * end of input, or -1 for a line longer than CMD_MAX (consumed).
 */
static int
in_line(struct smtpin *in, struct buf *line)
{
	const char *nl;
	size_t n;
	int toolong = 0;

	buf_reset(line);
	for (;;) {
		if (in->pos == in->len && in_fill(in, 1) < 0)
			return 0;
		nl = memchr(in->buf + in->pos, '\n', in->len - in->pos);
		n = nl ? (size_t)(nl - (in->buf + in->pos)) : in->len - in->pos;
		if (line->len + n > CMD_MAX)
			toolong = 1;
		else
			buf_append(line, in->buf + in->pos, n);
		in->pos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		line->data[--line->len] = '\0';
	return toolong ? -1 : 1;
}

/*
 * The message after DATA, into the spool: RFC 5321 4.5.2, a line "."
 * ends it and a leading dot of any other line is removed.  Streams in
 * blocks; only the start of each line is looked at.  After a spool error
 * the rest is read and dropped, so the client stays in step.  Returns 1
 * at the final ".", 0 when input ended first.
 */
static int
in_data(struct smtpin *in, struct spool *sp, int *failed, struct err *e)
{
	int bol = 1;
	const char *p, *nl;
	size_t n;

	for (;;) {
		if (bol) {
			in_fill_bol(in);
			p = in->buf + in->pos;
			n = in->len - in->pos;
			if (n == 0)
				return 0;
			if (p[0] == '.' && n >= 2 && p[1] == '\n') {
				in->pos += 2;
				return 1;
			}
			if (p[0] == '.' &&
			    ((n >= 3 && p[1] == '\r' && p[2] == '\n') ||
			        (n == 1 && in->eof))) {
				in->pos += n >= 3 ? 3 : 1;
				return 1;
			}
			if (p[0] == '.')
				in->pos++; /* the stuffed dot */
		}
		if (in->pos == in->len && in_fill(in, 1) < 0)
			return 0;
		p = in->buf + in->pos;
		n = in->len - in->pos;
		nl = memchr(p, '\n', n);
		if (nl != NULL)
			n = (size_t)(nl - p) + 1;
		if (!*failed && spool_write(sp, p, n, e) < 0)
			*failed = 1;
		in->pos += n;
		bol = nl != NULL;
	}
}

static void
reset(struct session *s)
{
	envelope_free(&s->env);
	while (s->nkeep_rcpts > 0)
		free(s->keep_rcpts[--s->nkeep_rcpts]);
	free(s->keep_rcpts);
	s->keep_rcpts = NULL;
}

/* The name in the greeting and EHLO reply, with or without a conf. */
static const char *
my_name(const struct smtpd *d)
{
	if (d->conf != NULL)
		return conf_helo(d->conf, &d->conf->acct);
	return sys_fqdn() != NULL ? sys_fqdn() : "localhost";
}

/*
 * A sender the policy forbids this user (senders.h): RFC 3463 5.7.1,
 * not authorized; the log says so as for a refused message.
 */
static int
refuse_sender(struct session *s, struct err *e)
{
	struct buf b = BUF_INIT;
	int rc;

	log_head(&b, "refused", NULL, getuid());
	buf_printf(&b, " from=<%s>", s->env.sender);
	log_quoted(&b, "reason", e->msg);
	log_buf(LOG_WARNING, &b);
	rc = reply(s, "550 5.7.1 %s", e->msg);
	free(s->env.sender);
	s->env.sender = NULL;
	err_clear(e);
	return rc;
}

/* MAIL FROM:<path>: the null path is allowed, a bare name qualified. */
static int
cmd_mail(struct session *s, const struct smtp_cmd *c)
{
	struct addr a;
	struct err e = {0};
	char *path = xstrndup(c->path, c->pathlen);
	int rc;

	if (s->env.sender != NULL) {
		free(path);
		return reply(s, "503 5.5.1 MAIL already given; RSET first");
	}
	rc = addr_parse_one(path, &a, 1, &e);
	if (rc == 0 && s->d->keep != NULL) {
		/* As given, "<" and ">" too: resolved with the message. */
		addr_free(&a);
		s->env.sender = path;
		return reply(s, "250 2.1.0 Ok");
	}
	free(path);
	if (rc == 0) {
		rc = envelope_set_sender(&s->env, &s->local, &a, &e);
		addr_free(&a);
	}
	if (rc < 0) {
		free(s->env.sender);
		s->env.sender = NULL;
		rc = reply(s, "501 5.1.7 bad sender address: %s", e.msg);
		err_clear(&e);
		return rc;
	}
	rc = senders_check(s->d->conf, s->d->opts->account, s->env.sender, &e);
	if (rc < 0)
		return refuse_sender(s, &e);
	/* The command line's, as for a message on stdin (kept_bs_args()
	 * keeps them too). */
	envelope_set_dsn(&s->env, s->d->opts);
	return reply(s, "250 2.1.0 Ok");
}

static int
cmd_rcpt(struct session *s, const struct smtp_cmd *c)
{
	struct addr a;
	struct err e = {0};
	char *path = xstrndup(c->path, c->pathlen);
	int rc;

	if (s->env.sender == NULL) {
		free(path);
		return reply(s, "503 5.5.1 MAIL first");
	}
	rc = addr_parse_one(path, &a, 0, &e);
	if (rc == 0 && s->d->keep != NULL) {
		addr_free(&a);
		s->keep_rcpts = xreallocarray(s->keep_rcpts, s->nkeep_rcpts + 1,
		    sizeof(*s->keep_rcpts));
		s->keep_rcpts[s->nkeep_rcpts++] = path;
		return reply(s, "250 2.1.5 Ok");
	}
	free(path);
	/* As an argument or a -t address: aliases, qualification, IDNA. */
	if (rc == 0) {
		rc = envelope_add_addr(&s->env, &a, &s->local, &e);
		addr_free(&a);
	}
	if (rc == 0)
		return reply(s, "250 2.1.5 Ok");
	rc = reply(s, "501 5.1.3 bad recipient address: %s", e.msg);
	err_clear(&e);
	return rc;
}

/* A reply text on one line, of a sane length. */
static char *
one_line(const char *msg)
{
	struct buf b = BUF_INIT;

	if (msg == NULL)
		msg = "failed";
	buf_put_oneline(&b, msg, strnlen(msg, 400), 0);
	return buf_release(&b);
}

/* The reply to the final dot: what became of the message. */
static int
data_reply(struct session *s, int rc, const char *qid, const struct err *e)
{
	char *why;
	int r;

	if (rc == 0 && qid[0] != '\0')
		return reply(s, "250 2.0.0 Ok: queued as %s", qid);
	if (rc == 0) {
		s->d->delivered++;
		return reply(s, "250 2.0.0 Ok: sent");
	}
	why = one_line(e->msg);
	switch (e->kind) {
	case ERR_NOUSER:
		r = reply(s, "550 5.1.1 %s", why);
		break;
	case ERR_UNAVAILABLE:
		r = reply(s, "554 5.0.0 %s", why);
		break;
	case ERR_DATA:
		r = reply(s, "554 5.6.0 %s", why);
		break;
	default:
		r = reply(s, "451 4.3.0 %s", why);
		break;
	}
	free(why);
	return r;
}

/* Deliver or queue the spooled message to the session's envelope. */
static int
deliver_spooled(struct session *s, struct spool *sp, char qid[QUEUE_ID_MAX],
    struct err *e)
{
	struct outmsg m = {0};
	struct submission sub;
	struct msgsrc src;
	char *note = NULL;
	int rc;

	qid[0] = '\0';
	memset(&sub, 0, sizeof(sub));
	queue_new_id(sub.id);
	if (rewrite_message(&m, sp, &s->env, s->d->opts, s->d->conf, e) < 0) {
		log_event(LOG_WARNING, "refused", sub.id, getuid(), e->msg);
		return -1;
	}
	outmsg_source(&m, &src);
	sub.account =
	    senders_account(s->d->conf, s->d->opts->account, s->env.sender);
	sub.env = &s->env;
	sub.src = &src;
	sub.head = outmsg_head(&m, &sub.headlen);
	sub.queue_only = s->d->opts->queue_only;
	sub.owner = getuid();
	rc = deliver_new(s->d->deliverer, &sub, qid, &note, e);
	free(note);
	outmsg_free(&m);
	return rc;
}

/* keep: the spooled message into the kept area, with its envelope. */
static int
keep_spooled(struct session *s, struct spool *sp)
{
	const struct smtpd_keep *k = s->d->keep;
	char id[QUEUE_ID_MAX], **args, *why;
	struct err e = {0};
	size_t n;
	int rc;

	args = kept_bs_args(k->args, k->nargs, s->env.sender,
	    (char *const *)s->keep_rcpts, s->nkeep_rcpts, &n);
	if (kept_store(k->dir, args, n, k->why, sp->fd, sp->size, id, &e) < 0) {
		why = xasprintf("configuration error: %s; cannot keep the "
		                "message: %s",
		    k->why, e.msg);
		log_event(LOG_ERR, "refused", NULL, getuid(), why);
		free(why);
		why = one_line(e.msg);
		rc = reply(s, "451 4.3.0 cannot keep the message: %s", why);
		free(why);
	} else {
		why = xasprintf("configuration error: %s", k->why);
		log_event(LOG_ERR, "kept", id, getuid(), why);
		free(why);
		s->d->kept++;
		rc = reply(s,
		    "250 2.0.0 Ok: kept as %s until the configuration is "
		    "fixed",
		    id);
	}
	err_clear(&e);
	free(args);
	return rc;
}

static int
cmd_data(struct session *s)
{
	struct spool sp;
	struct err e = {0};
	char qid[QUEUE_ID_MAX];
	int failed = 0, rc;

	if (s->env.sender == NULL)
		return reply(s, "503 5.5.1 MAIL first");
	if (s->env.nrcpts == 0 && s->nkeep_rcpts == 0)
		return reply(s, "554 5.5.1 no valid recipients");
	if (spool_open(&sp, s->d->spool_dir, 0, &e) < 0) {
		rc = reply(s, "451 4.3.0 %s", e.msg);
		err_clear(&e);
		return rc;
	}
	if (reply(s, "354 End data with <CR><LF>.<CR><LF>") < 0 ||
	    in_data(&s->in, &sp, &failed, &e) == 0) {
		spool_close(&sp);
		err_clear(&e);
		return -1; /* the client went away in the middle */
	}
	if (!failed && spool_finish(&sp, &e) < 0)
		failed = 1;
	if (failed)
		rc = reply(s, "451 4.3.0 %s", e.msg);
	else if (s->d->keep != NULL)
		rc = keep_spooled(s, &sp);
	else
		rc = data_reply(s, deliver_spooled(s, &sp, qid, &e), qid, &e);
	spool_close(&sp);
	err_clear(&e);
	reset(s);
	return rc;
}

static int
cmd_ehlo(struct session *s, const struct smtp_cmd *c)
{
	const char *me = my_name(s->d);

	reset(s);
	if (c->arglen == 0)
		return reply(s, "501 5.5.4 %s needs a domain",
		    c->verb == SMTP_EHLO ? "EHLO" : "HELO");
	if (c->verb == SMTP_HELO)
		return reply(s, "250 %s", me);
	return reply(s,
	    "250-%s\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
	    "250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 HELP",
	    me);
}

static int
command(struct session *s, const struct smtp_cmd *c)
{
	switch (c->verb) {
	case SMTP_HELO:
	case SMTP_EHLO:
		return cmd_ehlo(s, c);
	case SMTP_MAIL:
		return cmd_mail(s, c);
	case SMTP_RCPT:
		return cmd_rcpt(s, c);
	case SMTP_DATA:
		return cmd_data(s);
	case SMTP_RSET:
		reset(s);
		return reply(s, "250 2.0.0 Ok");
	case SMTP_NOOP:
		return reply(s, "250 2.0.0 Ok");
	case SMTP_VRFY:
		return reply(s, "252 2.5.2 Cannot verify; send some mail");
	case SMTP_HELP:
		return reply(s,
		    "214 2.0.0 HELO EHLO MAIL RCPT DATA RSET NOOP "
		    "QUIT");
	default:
		return reply(s, "502 5.5.2 command not recognized");
	}
}

int
smtpd_run(struct smtpd *d, int in, int out)
{
	struct session *s = xcalloc(1, sizeof(*s));
	struct buf line = BUF_INIT;
	struct smtp_cmd c;
	const char *why;
	int rc = 0, r;

	s->d = d;
	s->in.fd = in;
	s->out = out;
	localmap_init(&s->local, d->conf);
	s->local.noalias = d->opts->noalias;
	if (reply(s, "220 %s ESMTP mailout", my_name(d)) < 0)
		rc = -1;
	while (rc == 0 && (r = in_line(&s->in, &line)) != 0) {
		if (r < 0)
			rc = reply(s, "500 5.5.2 line too long");
		else if (smtpcmd_parse(line.data ? line.data : "", line.len, &c,
		             &why) < 0)
			rc = reply(s, "501 5.5.4 %s", why);
		else if (c.verb == SMTP_QUIT) {
			reply(s, "221 2.0.0 Bye");
			break;
		} else
			rc = command(s, &c);
	}
	reset(s);
	localmap_free(&s->local);
	buf_free(&line);
	free(s);
	return 0;
}
