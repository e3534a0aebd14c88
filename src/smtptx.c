#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtptx.h"
#include "xalloc.h"

/* An EHLO keyword: the whole first word, in any case (RFC 5321 2.4). */
static int
keyword(const char *l, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	return n >= k && strncasecmp(l, kw, k) == 0 && (n == k || l[k] == ' ');
}

/* RFC 5321 4.1.1.1: "250-KEYWORD params", the first line the name. */
void
smtp_caps_line(struct smtp_caps *c, const char *line, size_t len)
{
	const char *l = line + 4;
	size_t n;

	if (len < 5 || (line[3] != '-' && line[3] != ' '))
		return;
	n = len - 4;
	if (keyword(l, n, "SIZE"))
		c->size = n > 5 ? strtol(l + 5, NULL, 10) : 0;
	else if (keyword(l, n, "PIPELINING"))
		c->pipelining = 1;
	else if (keyword(l, n, "DSN"))
		c->dsn = 1;
	else if (keyword(l, n, "8BITMIME"))
		c->eightbitmime = 1;
	else if (keyword(l, n, "CHUNKING"))
		c->chunking = 1;
	else if (keyword(l, n, "SMTPUTF8"))
		c->smtputf8 = 1;
}

/* RFC 5321 4.2.1: "NNN-text" lines, then "NNN text" or "NNN". */
int
smtp_reply_line(struct smtp_reply *r, const char *line, size_t len)
{
	int code;

	if (r->code != 0) {
		r->code = 0;
		buf_reset(&r->text);
	}
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (len > 3 && line[3] != ' ' && line[3] != '-'))
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->text.len > 0)
		buf_putc(&r->text, '\n');
	buf_append(&r->text, line, len);
	if (len > 3 && line[3] == '-')
		return 0;
	r->code = code;
	return 1;
}

void
smtp_reply_free(struct smtp_reply *r)
{
	buf_free(&r->text);
	r->code = 0;
}

/*
 * The commands in order: RSET (when asked), MAIL, each RCPT, then DATA
 * unless the message goes in BDAT.  Numbered from 0; these say where.
 */
static size_t
first_rcpt(const struct smtptx *tx)
{
	return (size_t)tx->rset + 1;
}

static size_t
ncommands(const struct smtptx *tx)
{
	return first_rcpt(tx) + tx->cmds->nrcpt + (tx->chunking ? 0 : 1);
}

void
smtptx_init(struct smtptx *tx, const struct smtptx_cmds *cmds, int pipelining,
    int chunking, int rset)
{
	memset(tx, 0, sizeof(*tx));
	tx->cmds = cmds;
	tx->pipelining = pipelining != 0;
	tx->chunking = chunking != 0;
	tx->rset = rset != 0;
	tx->rcpt_index = -1;
	tx->stage = TXS_MAIL;
}

enum smtptx_next
smtptx_next(const struct smtptx *tx)
{
	/* RFC 3030 4.2: BDAT may follow the envelope in the same group. */
	if (tx->bdat_early && !tx->body_sent && tx->next == ncommands(tx))
		return TX_BODY;
	if (tx->queued > 0)
		return TX_READ;
	if (tx->empty_data && !tx->body_sent)
		return TX_BODY;
	if (tx->failed)
		return TX_FAILED;
	if (tx->stage == TXS_DONE)
		return TX_DONE;
	if (tx->next < ncommands(tx))
		return TX_WRITE;
	return tx->body_sent ? TX_FAILED : TX_BODY;
}

static void
put_command(const struct smtptx *tx, size_t k, struct buf *out)
{
	size_t r = first_rcpt(tx);

	if (k < r)
		buf_puts(out, k + 1 == r ? tx->cmds->mail : "RSET");
	else if (k < r + tx->cmds->nrcpt)
		buf_puts(out, tx->cmds->rcpt[k - r]);
	else
		buf_puts(out, "DATA");
	buf_puts(out, "\r\n");
}

/*
 * RFC 2920 3.1: with PIPELINING the whole envelope goes in one write,
 * DATA last; without it, one command and its reply at a time.
 */
void
smtptx_commands(struct smtptx *tx, struct buf *out)
{
	size_t end = tx->pipelining ? ncommands(tx) : tx->next + 1;

	if (!tx->pipelining && tx->queued > 0)
		return;

	while (tx->next < end && tx->next < ncommands(tx)) {
		put_command(tx, tx->next++, out);
		tx->queued++;
	}
}

void
smtptx_body_sent(struct smtptx *tx)
{
	tx->body_sent = 1;
	tx->queued++;
	if (!tx->empty_data)
		tx->stage = TXS_EOD;
}

/* The first failure decides; what follows it is its consequence. */
static void
fail(struct smtptx *tx, enum smtptx_stage st, int code, const char *text)
{
	if (tx->failed)
		return;
	tx->failed = 1;
	tx->stage = st;
	tx->code = code;
	free(tx->text);
	tx->text = xstrdup(text);
}

static void
rcpt_reply(struct smtptx *tx, size_t i, int code, const char *text)
{
	tx->rcpt_index = (long)i;
	if (code / 100 == 2)
		tx->accepted++;
	/* RFC 2920 3.1: no recipient, no message, whatever DATA says. */
	if (i + 1 == tx->cmds->nrcpt && tx->accepted == 0)
		fail(tx, TXS_RCPT, code, text);
	else if (!tx->failed && !tx->body_sent && i + 1 == tx->cmds->nrcpt)
		tx->stage = tx->chunking ? TXS_BODY : TXS_DATA;
}

static void
data_reply(struct smtptx *tx, int code, const char *text)
{
	if (code != 354) {
		fail(tx, TXS_DATA, code, text);
		return;
	}
	/* RFC 2920 3.1: DATA taken with no recipient ends at once. */
	if (tx->failed)
		tx->empty_data = 1;
	else
		tx->stage = TXS_BODY;
}

static void
end_reply(struct smtptx *tx, int code, const char *text)
{
	if (tx->empty_data)
		return;
	if (code / 100 != 2) {
		fail(tx, TXS_EOD, code, text);
		return;
	}
	tx->stage = TXS_DONE;
	tx->code = code;
	free(tx->text);
	tx->text = xstrdup(text);
}

void
smtptx_reply(struct smtptx *tx, int code, const char *text)
{
	size_t k, r = first_rcpt(tx);

	if (tx->queued == 0)
		return; /* no command awaits it: the transport's mistake */
	k = tx->answered++;
	tx->queued--;
	tx->rcpt_index = -1;
	if (k >= ncommands(tx)) {
		end_reply(tx, code, text);
	} else if (k + 1 < r) { /* RSET */
		if (code / 100 != 2)
			fail(tx, TXS_MAIL, code, text);
	} else if (k + 1 == r) {
		tx->mail_ok = code / 100 == 2;
		if (!tx->mail_ok)
			fail(tx, TXS_MAIL, code, text);
		else
			tx->stage = TXS_RCPT;
	} else if (k < r + tx->cmds->nrcpt) {
		/* After a refused MAIL, the 503s are not about recipients. */
		if (tx->mail_ok)
			rcpt_reply(tx, k - r, code, text);
	} else {
		data_reply(tx, code, text);
	}
}

enum smtptx_stage
smtptx_awaited(const struct smtptx *tx)
{
	size_t k = tx->answered, r = first_rcpt(tx);

	if (tx->body_sent)
		return TXS_EOD;
	if (k < r)
		return TXS_MAIL;
	if (k < r + tx->cmds->nrcpt)
		return TXS_RCPT;
	return k < ncommands(tx) ? TXS_DATA : TXS_BODY;
}

int
smtptx_open(const struct smtptx *tx)
{
	/* After a failure RSET is sent anyway: it costs no round trip in
	 * a pipelined group, and a refused end of data may or may not have
	 * closed the transaction. */
	return tx->mail_ok && tx->stage != TXS_DONE;
}

void
smtptx_free(struct smtptx *tx)
{
	free(tx->text);
	tx->text = NULL;
}

void
dotstuff_init(struct dotstuff *d)
{
	d->bol = 1;
}

/* Whole runs between line starts are copied at once: no octet loop. */
void
dotstuff(struct dotstuff *d, const char *p, size_t n, struct buf *out)
{
	const char *end = p + n, *nl;

	while (p < end) {
		if (d->bol && *p == '.')
			buf_putc(out, '.');
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			buf_append(out, p, (size_t)(end - p));
			d->bol = 0;
			return;
		}
		buf_append(out, p, (size_t)(nl + 1 - p));
		p = nl + 1;
		d->bol = 1;
	}
}

void
dotstuff_end(struct dotstuff *d, struct buf *out)
{
	buf_puts(out, d->bol ? ".\r\n" : "\r\n.\r\n");
	d->bol = 1;
}
