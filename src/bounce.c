#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "envelope.h"
#include "err.h"
#include "header.h"
#include "idna.h"
#include "localaddr.h"
#include "log.h"
#include "mkhdr.h"
#include "msgsrc.h"
#include "outcome.h"
#include "xalloc.h"

/*
 * RFC 3463: the enhanced status code after the reply code ("550 5.1.1
 * ...").  A reason of ours has none, even when a relay's address starts
 * it ("172.4.2.2:25: ..." is no "4.2.2").
 */
static void
status_code(const struct rcpt *r, int expired, char *out, size_t len)
{
	const char *t = r->reply ? r->reply : "";
	size_t n = 0;

	if (strspn(t, "0123456789") == 3 && (t[3] == ' ' || t[3] == '-')) {
		t += 4;
		n = strspn(t, "0123456789.");
	}
	if (n >= 5 && n < len && (t[0] == '2' || t[0] == '4' || t[0] == '5') &&
	    t[1] == '.') {
		memcpy(out, t, n);
		out[n] = '\0';
	} else {
		/* 4.4.7: delivery time expired; 5.0.0: undefined failure. */
		snprintf(out, len, "%s",
		    expired || r->code / 100 == 4 ? "4.4.7" : "5.0.0");
	}
}

static void
human_part(struct buf *out, const struct bounce *b, const char *mta)
{
	size_t i;

	buf_printf(out, "This is the mail system at %s.\r\n\r\n", mta);
	buf_puts(out,
	    b->expired ? "Your message could not be delivered in "
	                 "time to these recipients; mailout gave "
	                 "up:\r\n\r\n"
	               : "Your message could not be delivered to "
	                 "these recipients:\r\n\r\n");
	for (i = 0; i < b->nwhich; i++) {
		const struct rcpt *r = &b->env->rcpts[b->which[i]];
		const char *why = r->reply ? r->reply : "no reply";

		buf_printf(out, "<%s>: ", r->addr);
		if (r->orcpt != NULL)
			buf_printf(out, "(for <%s>) ", r->orcpt);
		/* A part in US-ASCII, one line per recipient. */
		buf_put_oneline(out, why, strlen(why), BUF_ASCII);
		buf_puts(out, "\r\n");
	}
	buf_puts(out,
	    "\r\nThe headers of your message follow this report.\r\n");
}

/* RFC 3464 2.2 and 2.3: per-message, then per-recipient fields. */
static void
status_part(struct buf *out, const struct bounce *b, const char *mta)
{
	char status[16];
	size_t i;

	buf_printf(out, "Reporting-MTA: dns; %s\r\n", mta);
	if (b->id != NULL)
		buf_printf(out, "X-Mailout-Queue-ID: %s\r\n", b->id);
	buf_puts(out, "Arrival-Date: ");
	mkhdr_date(out, b->arrival);
	buf_puts(out, "\r\n");
	for (i = 0; i < b->nwhich; i++) {
		const struct rcpt *r = &b->env->rcpts[b->which[i]];

		status_code(r, b->expired, status, sizeof(status));
		buf_puts(out, "\r\n");
		/* RFC 3464 2.3.1: the address as the submitter gave it,
		 * when the aliases made it another (the ORCPT we send). */
		if (r->orcpt != NULL)
			buf_printf(out, "Original-Recipient: rfc822; %s\r\n",
			    r->orcpt);
		buf_printf(out,
		    "Final-Recipient: rfc822; %s\r\n"
		    "Action: failed\r\nStatus: %s\r\n",
		    r->addr, status);
		if (b->relay != NULL) /* "host:port": the name only */
			buf_printf(out, "Remote-MTA: dns; %.*s\r\n",
			    (int)strcspn(b->relay, ":"), b->relay);
		if (r->reply != NULL) {
			buf_puts(out, "Diagnostic-Code: smtp; ");
			buf_put_oneline(out, r->reply, strlen(r->reply),
			    BUF_ASCII);
			buf_puts(out, "\r\n");
		}
	}
}

/*
 * The fields of the message's header section, each whole (continuation
 * lines and all), but never a Bcc or Resent-Bcc: the header quoted is the
 * one that went out, which has none (rewrite.c), and a bounce may go
 * elsewhere than to the author ("bounce_to"), so a blind recipient must
 * not show even should a caller hand over the header as submitted (RFC
 * 5322 3.6.3).
 */
static void
quote_head(struct buf *out, const char *head, size_t len)
{
	struct hdr_iter it;
	struct hdr_field f;
	size_t before = out->len;

	if (head == NULL)
		return;
	hdr_iter_init(&it, head, len);
	while (hdr_next(&it, &f))
		if (!hdr_is(&f, "Bcc") && !hdr_is(&f, "Resent-Bcc"))
			buf_append(out, f.raw, f.rawlen);
	if (out->len > before && out->data[out->len - 1] != '\n')
		buf_puts(out, "\r\n");
}

void
bounce_build(struct buf *out, const struct bounce *b, const char *to,
    const char *domain, const char *mta, time_t now)
{
	struct buf boundary = BUF_INIT;

	buf_printf(&boundary, "%lld.bounce/%s", (long long)now, mta);
	buf_printf(out,
	    "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n"
	    "To: <%s>\r\n"
	    "Subject: Undelivered Mail Returned to Sender\r\n"
	    "Date: ",
	    domain, to);
	mkhdr_date(out, now);
	buf_puts(out, "\r\nMessage-ID: ");
	mkhdr_msgid(out, domain);
	/* RFC 3834 5: automatic replies must not be answered automatically. */
	buf_printf(out,
	    "\r\nAuto-Submitted: auto-replied\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n"
	    "\tboundary=\"%s\"\r\n\r\n"
	    "This is a MIME-encapsulated message.\r\n\r\n"
	    "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
	    buf_cstr(&boundary), buf_cstr(&boundary));
	human_part(out, b, mta);
	buf_printf(out,
	    "\r\n--%s\r\nContent-Type: message/delivery-status\r\n"
	    "\r\n",
	    buf_cstr(&boundary));
	status_part(out, b, mta);
	buf_printf(out, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
	    buf_cstr(&boundary));
	quote_head(out, b->head, b->headlen);
	buf_printf(out, "\r\n--%s--\r\n", buf_cstr(&boundary));
	buf_free(&boundary);
}

/*
 * The bounce's envelope recipients: "bounce_to" as it is; else the
 * sender, or what the aliases make of it when it is a name they list
 * (localaddr.h), so that root's bounces reach whoever reads root's
 * mail.  The To field names the sender still: it is whom the report is
 * about, as with aliases in any MTA.
 */
static void
bounce_rcpts(struct conf *c, const char *to, struct envelope *env)
{
	struct localmap m;
	struct speclist l = {0};
	struct err e = {0};
	size_t i;
	char *spec;

	localmap_init(&m, c);
	if (c->bounce_to == NULL)
		local_return_expand(&m, to, &l, &e);
	err_clear(&e); /* aliases nested too deeply: the sender itself */
	for (i = 0; i < l.n; i++) {
		spec = idna_spec(l.v[i], &e);
		if (spec != NULL && envelope_addr_ok(spec, &e) == 0)
			envelope_add_rcpt(env, spec);
		free(spec);
		err_clear(&e);
	}
	if (env->nrcpts == 0)
		envelope_add_rcpt(env, to);
	speclist_free(&l);
	localmap_free(&m);
}

int
bounce_send(struct deliverer *d, const struct bounce *b, struct err *e)
{
	struct conf *c = d->conf;
	const char *to = c->bounce_to ? c->bounce_to : b->env->sender;
	struct envelope env = {0};
	struct submission s = {0};
	struct buf msg = BUF_INIT;
	struct memsrc mem;
	struct msgsrc src;
	char qid[QUEUE_ID_MAX], *note = NULL;
	int rc;

	if (!c->bounce || b->is_bounce || b->env->sender[0] == '\0') {
		note = xasprintf("no bounce for %zu recipient(s)%s", b->nwhich,
		    !c->bounce ? " (bounce = false)" : "");
		log_event(LOG_NOTICE, "note", b->id, b->owner, note);
		free(note);
		return 0;
	}
	bounce_build(&msg, b, to, conf_domain(c), conf_helo(c, &c->acct),
	    time(NULL));
	env.sender = xstrdup("");
	bounce_rcpts(c, to, &env);
	memsrc_init(&mem, msg.data, msg.len, &src);
	s.env = &env;
	s.src = &src;
	s.head = msg.data;
	s.headlen = msg.len;
	s.is_bounce = 1;
	s.owner = b->owner;
	s.orig_id = b->id;
	rc = deliver_new(d, &s, qid, &note, e);
	free(note);
	envelope_free(&env);
	buf_free(&msg);
	return rc;
}

/*
 * Send or queue the bounce n.  A relay's refusal of the bounce itself is
 * final (another try gets the same answer, and no bounce is made for a
 * bounce): logged, and done with.  Any other failure left the bounce
 * neither sent nor queued, which a later try may mend: -1.
 */
static int
send_or_keep(struct deliverer *d, const struct bounce *n, struct err *e)
{
	char *why;

	if (bounce_send(d, n, e) == 0)
		return 0;
	if (!outcome_is_final(e))
		return -1;
	why = xasprintf("bounce failed: %s", e->msg);
	log_event(LOG_ERR, "error", n->id, n->owner, why);
	free(why);
	err_clear(e);
	return 0;
}

int
bounce_failures(struct deliverer *d, const struct bounce *b,
    const enum rcpt_state *before, bounce_head_fn head_fn, void *arg,
    struct err *e)
{
	const struct envelope *env = b->env;
	struct bounce n = *b;
	struct buf head = BUF_INIT;
	size_t i, *which = xcalloc(env->nrcpts + 1, sizeof(*which));
	int rc = 0;

	n.nwhich = 0;
	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].state == RCPT_FAILED &&
		    (before == NULL || before[i] != RCPT_FAILED))
			which[n.nwhich++] = i;
	n.which = which;
	if (n.nwhich > 0 && head_fn != NULL) {
		head_fn(arg, &head);
		n.head = head.data;
		n.headlen = head.len;
	}
	if (n.nwhich > 0)
		rc = send_or_keep(d, &n, e);
	buf_free(&head);
	free(which);
	return rc;
}
