#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "header.h"
#include "localaddr.h"
#include "mkhdr.h"
#include "rewrite.h"
#include "senders.h"
#include "spool.h"
#include "sysinfo.h"
#include "utf8.h"
#include "xalloc.h"

/* The fields whose presence decides what is added. */
enum seen {
	SEEN_DATE = 1,
	SEEN_FROM = 2,
	SEEN_MSGID = 4,
	SEEN_MIMEVER = 8,
	SEEN_CTYPE = 16,
	SEEN_CTE = 32,
	SEEN_TO = 64 /* To or Cc */
};

enum fkind {
	F_COPY,
	F_DROP,
	F_RCPT, /* addresses of recipients: aliases, then qualified */
	F_ORIG, /* addresses of originators: qualified only */
	F_FROM, /* F_ORIG, or the envelope sender with from_rewrite */
	F_SENDER, /* F_ORIG, or replaced with the "sender" setting */
	F_CTE /* copied, or replaced when the body is re-encoded */
};

/*
 * Bcc and Resent-Bcc would disclose the blind recipients (RFC 5322
 * 3.6.3); Return-Path is the final MTA's to add (RFC 5321 4.4);
 * Content-Length means nothing in SMTP and misleads.
 */
static const struct {
	const char *name;
	enum fkind kind;
	unsigned seen;
} fields[] = {
    {"Bcc", F_DROP, 0},
    {"Resent-Bcc", F_DROP, 0},
    {"Return-Path", F_DROP, 0},
    {"Content-Length", F_DROP, 0},
    {"To", F_RCPT, SEEN_TO},
    {"Cc", F_RCPT, SEEN_TO},
    {"Resent-To", F_RCPT, 0},
    {"Resent-Cc", F_RCPT, 0},
    {"From", F_FROM, SEEN_FROM},
    {"Sender", F_SENDER, 0},
    {"Reply-To", F_ORIG, 0},
    {"Resent-From", F_ORIG, 0},
    {"Resent-Sender", F_ORIG, 0},
    {"Date", F_COPY, SEEN_DATE},
    {"Message-ID", F_COPY, SEEN_MSGID},
    {"MIME-Version", F_COPY, SEEN_MIMEVER},
    {"Content-Type", F_COPY, SEEN_CTYPE},
    {"Content-Transfer-Encoding", F_CTE, SEEN_CTE},
};

/* One rewrite of a header section. */
struct rw {
	const struct spool *sp;
	const struct envelope *env;
	const struct options *o;
	struct conf *c;
	struct localmap map;
	struct buf *head;
	unsigned seen;
	enum conv_act top_act; /* what happens to a single-part body */
	const char *own_login; /* the user's, when user_from names it */
	char *own_from; /* that address, qualified */
};

static enum fkind
field_kind(struct rw *w, const struct hdr_field *f)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!hdr_is(f, fields[i].name))
			continue;
		w->seen |= fields[i].seen;
		if (fields[i].kind == F_SENDER)
			return w->c->sender != NULL ? F_DROP : F_ORIG;
		if (fields[i].kind == F_CTE)
			return w->top_act == ACT_QP ? F_DROP : F_COPY;
		if (fields[i].kind == F_FROM)
			return w->c->from_rewrite && w->env->sender[0] != '\0'
			    ? F_FROM
			    : F_ORIG;
		return fields[i].kind;
	}
	return F_COPY;
}

/* A display name longer than this is left out of an added From. */
#define NAME_MAX_OCTETS 300

/* RFC 5322 2.1.1: lines SHOULD NOT be longer than 78 octets. */
#define LINE_SHOULD 78

/*
 * RFC 5322 2.1.1: no line over 998 octets leaves, folded if need be;
 * fields mailout writes itself (soft) keep to 78 where they can.
 */
static int
put_field(struct rw *w, const char *text, size_t len, int soft, struct err *e)
{
	struct buf folded = BUF_INIT;
	size_t longest = hdr_longest_line(text, len);
	int rc = 0;

	if (longest <= (soft ? LINE_SHOULD : HDR_LINE_MAX)) {
		buf_append(w->head, text, len);
		return 0;
	}
	if (soft && hdr_fold(text, len, LINE_SHOULD, &folded) == 0) {
		buf_append(w->head, folded.data, folded.len);
	} else if (longest <= HDR_LINE_MAX) {
		buf_append(w->head, text, len);
	} else {
		buf_reset(&folded);
		if (hdr_fold(text, len, HDR_LINE_MAX, &folded) == 0)
			buf_append(w->head, folded.data, folded.len);
		else
			rc = err_set(e, ERR_DATA,
			    "the %.*s field has a line longer than %d octets "
			    "that cannot be folded",
			    (int)strcspn(text, ":"), text, HDR_LINE_MAX);
	}
	buf_free(&folded);
	return rc;
}

/* The addr-specs of a recipient, joined as the address was written. */
static int
rcpt_text(struct rw *w, const struct addr *a, char **out, struct err *e)
{
	struct speclist l = {0};
	struct buf b = BUF_INIT;
	size_t i;

	if (local_expand(&w->map, a, &l, e) < 0)
		return -1;
	/* "Name <root>" with root: a, b becomes "Name <a>, <b>". */
	for (i = 0; i < l.n; i++)
		buf_printf(&b, "%s%s",
		    i == 0         ? ""
		        : a->angle ? ">, <"
		                   : ", ",
		    l.v[i]);
	speclist_free(&l);
	*out = buf_release(&b);
	return 0;
}

/* What address a becomes in a field of kind k; *out NULL: unchanged. */
static int
replacement(struct rw *w, const struct addr *a, enum fkind k, char **out,
    struct err *e)
{
	*out = NULL;
	if (k == F_FROM) {
		*out = xstrdup(w->env->sender);
		return 0;
	}
	if (!local_is_local(&w->map, a))
		return 0;
	if (k == F_RCPT)
		return rcpt_text(w, a, out, e);
	/* ssmtp's revaliases: the user's local address is their own. */
	if (w->own_from != NULL && strcmp(a->local, w->own_login) == 0) {
		*out = xstrdup(w->own_from);
		return 0;
	}
	*out = local_qualify(&w->map, a);
	return 0;
}

/*
 * Rewrite the addresses of an address field in place (the spans of
 * struct addr), keeping display names, comments and folding.  A field
 * that does not parse leaves as it came: with -t a bad recipient field
 * has refused the message already.
 */
static int
rewrite_addrs(struct rw *w, const struct hdr_field *f, enum fkind k,
    struct buf *out, struct err *e)
{
	struct addr_list l = ADDR_LIST_INIT;
	struct err pe = {0};
	const char *tail = f->value + f->valuelen;
	size_t i, pos = 0;
	char *r = NULL;
	int rc = 0;

	if (addr_parse_list(f->value, f->valuelen, &l, &pe) < 0) {
		err_clear(&pe);
		if (k == F_FROM)
			buf_printf(out, "From: %s\r\n", w->env->sender);
		else
			buf_append(out, f->raw, f->rawlen);
		return 0;
	}
	if (k == F_FROM && l.n != 1) {
		/* Several mailboxes (or none): one, the sender's. */
		buf_printf(out, "From: %s\r\n", w->env->sender);
		addr_list_free(&l);
		return 0;
	}
	buf_append(out, f->raw, (size_t)(f->value - f->raw));
	for (i = 0; i < l.n && rc == 0; i++) {
		rc = replacement(w, &l.v[i], k, &r, e);
		if (r == NULL)
			continue;
		buf_append(out, f->value + pos, l.v[i].start - pos);
		buf_puts(out, r);
		free(r);
		pos = l.v[i].end;
	}
	buf_append(out, f->value + pos, f->valuelen - pos);
	buf_append(out, tail, (size_t)(f->raw + f->rawlen - tail));
	addr_list_free(&l);
	return rc;
}

static int
rewrite_field(struct rw *w, const struct hdr_field *f, struct err *e)
{
	enum fkind k = field_kind(w, f);
	struct buf out = BUF_INIT;
	int rc;

	if (k == F_DROP)
		return 0;
	if (k == F_COPY)
		return put_field(w, f->raw, f->rawlen, 0, e);
	rc = rewrite_addrs(w, f, k, &out, e);
	if (rc == 0)
		rc = put_field(w, out.data, out.len, 0, e);
	buf_free(&out);
	return rc;
}

/* The From field's mailbox: the envelope sender (or, for the null
 * sender, the user), named by -F or the user's full name. */
static void
make_from(struct rw *w, struct buf *b)
{
	const char *spec = w->env->sender;
	char *name, *user = NULL, *own = NULL;
	struct err e = {0};

	if (spec[0] == '\0' && w->own_from != NULL) {
		spec = w->own_from;
	} else if (spec[0] == '\0') {
		user = sys_username(&e);
		own = xasprintf("%s@%s", user != NULL ? user : "MAILER-DAEMON",
		    conf_domain(w->c));
		spec = own;
	}
	name =
	    w->o->fullname != NULL ? xstrdup(w->o->fullname) : sys_fullname();
	/* A name too long to fold is no reason to refuse the message. */
	if (name != NULL && strlen(name) > NAME_MAX_OCTETS) {
		free(name);
		name = NULL;
	}
	buf_puts(b, "From: ");
	mkhdr_mailbox(b, name, spec);
	buf_puts(b, "\r\n");
	free(name);
	free(user);
	free(own);
	err_clear(&e);
}

static char *
sender_spec(struct rw *w)
{
	struct addr a;
	struct err e = {0};
	char *spec;

	if (addr_parse_one(w->c->sender, &a, 0, &e) < 0) {
		err_clear(&e);
		return xstrdup(w->c->sender); /* checked by conf_load */
	}
	spec = local_qualify(&w->map, &a);
	addr_free(&a);
	return spec;
}

/*
 * RFC 5322 3.6: Date and From are required, Message-ID should be
 * there; sendmail and Postfix add them when the client did not.
 */
static void
add_origin(struct rw *w, struct buf *b)
{
	char *spec;

	if (!(w->seen & SEEN_DATE)) {
		buf_puts(b, "Date: ");
		mkhdr_date(b, time(NULL));
		buf_puts(b, "\r\n");
	}
	if (!(w->seen & SEEN_FROM))
		make_from(w, b);
	if (w->c->sender != NULL) {
		spec = sender_spec(w);
		buf_printf(b, "Sender: %s\r\n", spec);
		free(spec);
	}
	if (!(w->seen & SEEN_MSGID)) {
		buf_puts(b, "Message-ID: ");
		mkhdr_msgid(b, conf_domain(w->c));
		buf_puts(b, "\r\n");
	}
	/* RFC 5322 3.6.3: with only blind recipients, an empty group says
	 * so, as Postfix writes it; some readers file a message with no To
	 * and no Cc as spam. */
	if (!(w->seen & SEEN_TO) && w->c->undisclosed_recipients)
		buf_puts(b, "To: undisclosed-recipients:;\r\n");
}

/*
 * RFC 2045 4, 5, 6: an 8-bit body without MIME labels is declared as
 * what it is: UTF-8 text when it is valid UTF-8, else text in a charset
 * nobody recorded (RFC 1428 "unknown-8bit"), sent as 8bit.  A body that
 * was re-encoded says so.
 */
static void
add_mime(struct rw *w, struct buf *b)
{
	int qp = w->top_act == ACT_QP;

	if (!w->sp->body8bit && !qp)
		return;
	if (!(w->seen & SEEN_MIMEVER))
		buf_puts(b, "MIME-Version: 1.0\r\n");
	if (!(w->seen & SEEN_CTYPE) && w->sp->body8bit)
		buf_printf(b, "Content-Type: text/plain; charset=%s\r\n",
		    utf8_ok(&w->sp->bodyutf8) ? "UTF-8" : "unknown-8bit");
	if (qp)
		buf_puts(b, "Content-Transfer-Encoding: quoted-printable\r\n");
	else if (!(w->seen & SEEN_CTE))
		buf_puts(b, "Content-Transfer-Encoding: 8bit\r\n");
}

static int
rewrite_head(struct rw *w, struct err *e)
{
	struct hdr_iter it;
	struct hdr_field f;
	struct buf added = BUF_INIT;
	int rc = 0;

	if (w->sp->headnul)
		return err_set(e, ERR_DATA,
		    "the header section holds a NUL octet (RFC 5322 2.2)");
	hdr_iter_init(&it, w->sp->head.data, w->sp->head.len);
	while (rc == 0 && hdr_next(&it, &f))
		rc = rewrite_field(w, &f, e);
	if (rc < 0)
		return -1;
	add_origin(w, &added);
	add_mime(w, &added);
	hdr_iter_init(&it, added.data, added.len);
	while (rc == 0 && hdr_next(&it, &f))
		rc = put_field(w, f.raw, f.rawlen, 1, e);
	buf_free(&added);
	/* The blank line that separates the body, also where none was. */
	buf_append(w->head, "\r\n", 2);
	return rc;
}

/* Body octets read from the spool at a time. */
#define BLOCK (64 * 1024)

/* A copy of a field's value, NULL if there is no such field. */
static char *
value_copy(const struct hdr_field *f, size_t *len)
{
	*len = f->valuelen;
	return f->name != NULL ? xstrndup(f->value, f->valuelen) : NULL;
}

/* The message's MIME labels (RFC 2045 5, 6): the first of each. */
static void
mime_labels(struct outmsg *m, const struct spool *sp)
{
	static const char *const names[] = {"Content-Type",
	    "Content-Transfer-Encoding"};
	struct hdr_field f[2];

	hdr_first_fields(sp->head.data, sp->head.len, names, f, 2);
	m->ctype = value_copy(&f[0], &m->ctypelen);
	m->cte = value_copy(&f[1], &m->ctelen);
}

static ssize_t
read_block(const struct outmsg *m, off_t at, size_t len)
{
	ssize_t n;

	if ((off_t)len > m->body_len - at)
		len = (size_t)(m->body_len - at);
	do
		n = pread(m->fd, m->inbuf, len, m->body_off + at);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The whole body through c; *total: the octets it produced. */
static int
body_pass(struct outmsg *m, struct conv *c, off_t *total, struct err *e)
{
	struct buf out = BUF_INIT;
	off_t at = 0;
	ssize_t n;
	int rc = 0;

	*total = 0;
	while (rc == 0 && at < m->body_len) {
		n = read_block(m, at, BLOCK);
		if (n <= 0) {
			rc = err_sys(e, ERR_IO, "cannot read the spool file");
			break;
		}
		rc = conv_feed(c, m->inbuf, (size_t)n, &out, e);
		at += n;
		*total += (off_t)out.len;
		buf_reset(&out);
	}
	if (rc == 0)
		rc = conv_finish(c, &out, e);
	*total += (off_t)out.len;
	buf_free(&out);
	return rc;
}

static int
conv_start(struct outmsg *m, struct conv *c, int emit, struct err *e)
{
	return conv_init(c, emit, m->ctype, m->ctypelen, m->cte, m->ctelen,
	    m->aff, m->naff, e);
}

/*
 * A line over 998 octets or a NUL in the body: which leaves need
 * re-encoding (a single part is leaf 0, a multipart is scanned), then
 * one conversion to count the octets it gives.  Nothing is kept but the
 * list of leaves.
 */
static int
plan_body(struct outmsg *m, const struct spool *sp, struct err *e)
{
	struct conv c;
	int rc = 0;

	m->converting = 1;
	mime_labels(m, sp);
	m->inbuf = xmalloc(BLOCK);
	conv_start(m, &c, 0, e);
	if (c.st == ST_LEAF) {
		m->aff = xcalloc(1, sizeof(*m->aff));
		m->naff = 1;
	} else {
		rc = body_pass(m, &c, &m->body_out, e);
		m->aff = c.found;
		m->naff = c.nfound;
		c.found = NULL;
	}
	conv_free(&c);
	if (rc == 0 && (rc = conv_start(m, &c, 1, e)) == 0) {
		m->top_act = c.st == ST_LEAF ? c.act : ACT_PASS;
		rc = body_pass(m, &c, &m->body_out, e);
	}
	conv_free(&c);
	return rc;
}

/* Ready to convert from the first octet of the body. */
static int
conv_restart(struct outmsg *m)
{
	struct err e = {0};
	int rc;

	conv_free(&m->conv);
	rc = conv_start(m, &m->conv, 1, &e);
	err_clear(&e);
	m->in = 0;
	m->fed_all = 0;
	buf_reset(&m->out);
	m->outpos = 0;
	return rc;
}

/* The user's user_from address (senders.h), for their local address. */
static void
own_address(struct rw *w)
{
	const struct user_from *u = senders_own(w->c);
	struct addr a;
	struct err e = {0};

	if (u == NULL || addr_parse_one(u->addr, &a, 0, &e) < 0) {
		err_clear(&e);
		return;
	}
	w->own_login = u->login;
	w->own_from = local_qualify(&w->map, &a);
	addr_free(&a);
}

int
rewrite_message(struct outmsg *m, const struct spool *sp,
    const struct envelope *env, const struct options *o, struct conf *c,
    struct err *e)
{
	struct rw w;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	m->fd = sp->fd;
	m->body_off = spool_body_offset(sp);
	m->body_len = sp->size - m->body_off;
	m->body8bit = sp->body8bit;
	/* RFC 5322 2.1.1 and 2.3 (and RFC 2045 2.8): not as it is. */
	if (sp->maxline > HDR_LINE_MAX || sp->bodynul)
		rc = plan_body(m, sp, e);
	if (rc < 0) {
		outmsg_free(m);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.sp = sp;
	w.env = env;
	w.o = o;
	w.c = c;
	w.head = &m->head;
	w.top_act = m->top_act;
	localmap_init(&w.map, c);
	w.map.noalias = o->noalias;
	own_address(&w);
	rc = rewrite_head(&w, e);
	free(w.own_from);
	localmap_free(&w.map);
	if (rc == 0 && m->converting && conv_restart(m) < 0)
		rc = err_set(e, ERR_SOFTWARE, "body conversion failed");
	/* A refused message leaves nothing behind: a -bs session goes on. */
	if (rc < 0)
		outmsg_free(m);
	return rc;
}

static int
conv_refill(struct outmsg *m)
{
	struct err e = {0};
	ssize_t n;
	int rc;

	buf_reset(&m->out);
	m->outpos = 0;
	if (m->in >= m->body_len) {
		m->fed_all = 1;
		rc = conv_finish(&m->conv, &m->out, &e);
	} else {
		n = read_block(m, m->in, BLOCK);
		if (n <= 0)
			return -1;
		m->in += n;
		rc = conv_feed(&m->conv, m->inbuf, (size_t)n, &m->out, &e);
	}
	err_clear(&e);
	return rc;
}

static ssize_t
conv_read(struct outmsg *m, char *buf, size_t len)
{
	size_t left;

	while (m->outpos == m->out.len) {
		if (m->fed_all)
			return 0;
		if (conv_refill(m) < 0)
			return -1;
	}
	left = m->out.len - m->outpos;
	if (len > left)
		len = left;
	memcpy(buf, m->out.data + m->outpos, len);
	m->outpos += len;
	m->pos += (off_t)len;
	return (ssize_t)len;
}

static ssize_t
outmsg_read(void *ctx, char *buf, size_t len)
{
	struct outmsg *m = ctx;
	off_t headlen = (off_t)m->head.len;
	ssize_t n;

	if (m->pos < headlen) {
		size_t left = (size_t)(headlen - m->pos);

		n = (ssize_t)(len < left ? len : left);
		memcpy(buf, m->head.data + m->pos, (size_t)n);
		m->pos += n;
		return n;
	}
	if (m->converting)
		return conv_read(m, buf, len);
	if (m->pos - headlen >= m->body_len)
		return 0;
	if ((off_t)len > m->body_len - (m->pos - headlen))
		len = (size_t)(m->body_len - (m->pos - headlen));
	do
		n = pread(m->fd, buf, len, m->body_off + (m->pos - headlen));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1; /* an error, or the file shrank: never a short send
		            */
	m->pos += n;
	return n;
}

static int
outmsg_rewind(void *ctx)
{
	struct outmsg *m = ctx;

	m->pos = 0;
	return m->converting ? conv_restart(m) : 0;
}

void
outmsg_source(struct outmsg *m, struct msgsrc *src)
{
	src->read = outmsg_read;
	src->rewind = outmsg_rewind;
	src->ctx = m;
	src->size =
	    (off_t)m->head.len + (m->converting ? m->body_out : m->body_len);
	/* The spool saw every body octet: no second pass to tell. */
	if (m->converting)
		src->octets = OCTETS_UNKNOWN;
	else if (m->body8bit || utf8_has8bit(m->head.data, m->head.len))
		src->octets = OCTETS_8BIT;
	else
		src->octets = OCTETS_7BIT;
}

const char *
outmsg_head(const struct outmsg *m, size_t *len)
{
	/* rewrite_head() ends it with the blank line, always. */
	*len = m->head.len >= 2 ? m->head.len - 2 : 0;
	return m->head.data;
}

void
outmsg_free(struct outmsg *m)
{
	buf_free(&m->head);
	conv_free(&m->conv);
	buf_free(&m->out);
	free(m->aff);
	free(m->ctype);
	free(m->cte);
	free(m->inbuf);
	m->aff = NULL;
	m->ctype = m->cte = m->inbuf = NULL;
	m->converting = 0;
	m->fd = -1;
}
