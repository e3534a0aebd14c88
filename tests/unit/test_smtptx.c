/* The client transaction: what is written when, which reply is whose. */
#include "config.h"

#include <string.h>

#include "smtptx.h"
#include "tap.h"

static char *rcpts[] = {(char *)"RCPT TO:<a@x.example>",
    (char *)"RCPT TO:<b@x.example>", (char *)"RCPT TO:<c@x.example>"};
static const struct smtptx_cmds three = {"MAIL FROM:<s@x.example>", rcpts, 3,
    10};

static const char *
written(struct smtptx *tx, struct buf *b)
{
	buf_reset(b);
	smtptx_commands(tx, b);
	return buf_cstr(b);
}

static void
caps(void)
{
	struct smtp_caps c = {0};
	const char *lines[] = {"250-relay.example", "250-PIPELINING",
	    "250-SIZE 1000", "250-dsn", "250-8BITMIME", "250-CHUNKING",
	    "250-PIPELININGX", "250 SMTPUTF8"};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		smtp_caps_line(&c, lines[i], strlen(lines[i]));
	ok(c.pipelining && c.dsn && c.eightbitmime && c.chunking && c.smtputf8,
	    "EHLO keywords, any case");
	is_int((int)c.size, 1000, "SIZE 1000");
	memset(&c, 0, sizeof(c));
	smtp_caps_line(&c, "250-PIPELININGX", 15);
	smtp_caps_line(&c, "250-relay.example PIPELINING", 28);
	ok(!c.pipelining, "a longer keyword or a word later is no keyword");
}

static void
replies(void)
{
	struct smtp_reply r = {0};

	is_int(smtp_reply_line(&r, "250-first", 9), 0, "continued");
	is_int(smtp_reply_line(&r, "250 second", 10), 1, "complete");
	is_int(r.code, 250, "its code");
	is_str(buf_cstr(&r.text), "250-first\n250 second", "its lines");
	is_int(smtp_reply_line(&r, "354", 3), 1, "a bare code is complete");
	is_str(buf_cstr(&r.text), "354", "a new reply starts afresh");
	is_int(smtp_reply_line(&r, "hello", 5), -1, "not a reply line");
	is_int(smtp_reply_line(&r, "250x", 4), -1, "no separator");
	smtp_reply_free(&r);
}

static void
pipelined(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;

	smtptx_init(&tx, &three, 1, 0, 0);
	is_int(smtptx_next(&tx), TX_WRITE, "pipelined: write first");
	is_str(written(&tx, &b),
	    "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"
	    "RCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\nDATA\r\n",
	    "the envelope and DATA in one write");
	is_int(smtptx_next(&tx), TX_READ, "then five replies");
	smtptx_reply(&tx, 250, "250 ok");
	smtptx_reply(&tx, 250, "250 a");
	is_int((int)tx.rcpt_index, 0, "the first RCPT's reply");
	smtptx_reply(&tx, 550, "550 no b");
	is_int((int)tx.rcpt_index, 1, "the second RCPT's reply");
	smtptx_reply(&tx, 452, "452 c later");
	is_int(smtptx_next(&tx), TX_READ, "DATA's reply still due");
	smtptx_reply(&tx, 354, "354 go");
	is_int(smtptx_next(&tx), TX_BODY, "one recipient taken: the message");
	ok(smtptx_open(&tx), "a transaction is open");
	smtptx_body_sent(&tx);
	is_int(smtptx_next(&tx), TX_READ, "the end of data's reply");
	smtptx_reply(&tx, 250, "250 queued");
	is_int(smtptx_next(&tx), TX_DONE, "done");
	ok(!smtptx_open(&tx), "nothing open after the end of data");
	smtptx_free(&tx);
	buf_free(&b);
}

static void
mail_refused(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;

	smtptx_init(&tx, &three, 1, 0, 1);
	is_str(written(&tx, &b),
	    "RSET\r\nMAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"
	    "RCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\nDATA\r\n",
	    "RSET first when asked");
	smtptx_reply(&tx, 250, "250 reset");
	smtptx_reply(&tx, 451, "451 try later");
	smtptx_reply(&tx, 503, "503 need MAIL");
	is_int((int)tx.rcpt_index, -1,
	    "a 503 after a refused MAIL is "
	    "nobody's");
	smtptx_reply(&tx, 503, "503 need MAIL");
	smtptx_reply(&tx, 503, "503 need MAIL");
	smtptx_reply(&tx, 503, "503 no recipients");
	is_int(smtptx_next(&tx), TX_FAILED, "failed");
	is_int(tx.stage, TXS_MAIL, "at MAIL");
	is_int(tx.code, 451, "MAIL's reply decides");
	is_str(tx.text, "451 try later", "its text");
	ok(!smtptx_open(&tx), "no transaction open");
	smtptx_free(&tx);
	buf_free(&b);
}

/* RFC 2920 3.1: DATA accepted although every RCPT failed. */
static void
nobody_but_354(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;

	smtptx_init(&tx, &three, 1, 0, 0);
	written(&tx, &b);
	smtptx_reply(&tx, 250, "250 ok");
	smtptx_reply(&tx, 550, "550 a");
	smtptx_reply(&tx, 550, "550 b");
	smtptx_reply(&tx, 551, "551 c");
	smtptx_reply(&tx, 354, "354 go");
	is_int(smtptx_next(&tx), TX_BODY, "a lone dot is due");
	ok(tx.empty_data, "...and nothing else");
	smtptx_body_sent(&tx);
	smtptx_reply(&tx, 554, "554 no valid recipients");
	is_int(smtptx_next(&tx), TX_FAILED, "failed");
	is_int(tx.stage, TXS_RCPT, "at RCPT");
	is_int(tx.code, 551, "the last RCPT's reply decides");
	smtptx_free(&tx);
	buf_free(&b);
}

static void
lockstep(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;
	char *one[] = {(char *)"RCPT TO:<a@x.example>"};
	struct smtptx_cmds c = {"MAIL FROM:<>", one, 1, 5};

	smtptx_init(&tx, &c, 0, 0, 0);
	is_str(written(&tx, &b), "MAIL FROM:<>\r\n",
	    "without PIPELINING: MAIL");
	is_str(written(&tx, &b), "", "nothing more before its reply");
	smtptx_reply(&tx, 250, "250 ok");
	is_str(written(&tx, &b), "RCPT TO:<a@x.example>\r\n", "then RCPT");
	smtptx_reply(&tx, 250, "250 ok");
	is_str(written(&tx, &b), "DATA\r\n", "then DATA");
	smtptx_reply(&tx, 554, "554 no");
	is_int(smtptx_next(&tx), TX_FAILED, "DATA refused");
	is_int(tx.stage, TXS_DATA, "at DATA");
	ok(smtptx_open(&tx), "MAIL was taken: RSET before the next");
	smtptx_free(&tx);

	smtptx_init(&tx, &c, 0, 0, 0);
	written(&tx, &b);
	smtptx_reply(&tx, 250, "250 ok");
	written(&tx, &b);
	smtptx_reply(&tx, 550, "550 no such user");
	is_int(smtptx_next(&tx), TX_FAILED, "the only RCPT refused");
	is_int(tx.stage, TXS_RCPT, "at RCPT");
	smtptx_free(&tx);
	buf_free(&b);
}

static void
chunking(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;

	smtptx_init(&tx, &three, 1, 1, 0);
	is_str(written(&tx, &b),
	    "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"
	    "RCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\n",
	    "CHUNKING: no DATA");
	smtptx_reply(&tx, 250, "250 ok");
	smtptx_reply(&tx, 250, "250 a");
	smtptx_reply(&tx, 250, "250 b");
	smtptx_reply(&tx, 250, "250 c");
	is_int(smtptx_next(&tx), TX_BODY, "BDAT after the recipients");
	smtptx_body_sent(&tx);
	smtptx_reply(&tx, 250, "250 queued");
	is_int(smtptx_next(&tx), TX_DONE, "done");
	smtptx_free(&tx);
	buf_free(&b);
}

/* RFC 3030 4.2: BDAT right behind the envelope, replies after. */
static void
bdat_early(void)
{
	struct smtptx tx;
	struct buf b = BUF_INIT;

	smtptx_init(&tx, &three, 1, 1, 0);
	tx.bdat_early = 1;
	written(&tx, &b);
	is_int(smtptx_next(&tx), TX_BODY,
	    "early BDAT: the message before any "
	    "reply");
	smtptx_body_sent(&tx);
	is_int(smtptx_awaited(&tx), TXS_EOD, "a reply lost now: maybe taken");
	smtptx_reply(&tx, 250, "250 ok");
	smtptx_reply(&tx, 550, "550 a");
	smtptx_reply(&tx, 250, "250 b");
	is_int((int)tx.rcpt_index, 1, "RCPT replies still matched");
	smtptx_reply(&tx, 250, "250 c");
	is_int(smtptx_next(&tx), TX_READ, "the BDAT reply is due");
	smtptx_reply(&tx, 250, "250 queued");
	is_int(smtptx_next(&tx), TX_DONE, "done");
	smtptx_free(&tx);

	smtptx_init(&tx, &three, 1, 1, 0);
	tx.bdat_early = 1;
	written(&tx, &b);
	smtptx_body_sent(&tx);
	smtptx_reply(&tx, 250, "250 ok");
	smtptx_reply(&tx, 550, "550 a");
	smtptx_reply(&tx, 550, "550 b");
	smtptx_reply(&tx, 551, "551 c");
	smtptx_reply(&tx, 554, "554 no valid recipients");
	is_int(smtptx_next(&tx), TX_FAILED, "early BDAT, nobody: failed");
	is_int(tx.stage, TXS_RCPT, "at RCPT");
	is_int(tx.code, 551, "the last RCPT's reply decides");
	ok(smtptx_open(&tx), "RSET before the next transaction");
	smtptx_free(&tx);
	buf_free(&b);
}

static const char *
stuffed(const char *const *pieces, size_t n)
{
	static struct buf b;
	struct dotstuff d;
	size_t i;

	buf_reset(&b);
	dotstuff_init(&d);
	for (i = 0; i < n; i++)
		dotstuff(&d, pieces[i], strlen(pieces[i]), &b);
	dotstuff_end(&d, &b);
	return buf_cstr(&b);
}

static void
dots(void)
{
	const char *a[] = {".a\r\nb\r\n..c\r\n"};
	const char *split[] = {"x\r", "\n", ".", "y\r\n.", "\r\n"};
	const char *open[] = {"no end"};
	const char *none[] = {""};

	is_str(stuffed(a, 1), "..a\r\nb\r\n...c\r\n.\r\n", "dots doubled");
	is_str(stuffed(split, 5), "x\r\n..y\r\n..\r\n.\r\n", "across pieces");
	is_str(stuffed(open, 1), "no end\r\n.\r\n", "CRLF added at the end");
	is_str(stuffed(none, 1), ".\r\n", "empty message");
}

int
main(void)
{
	caps();
	replies();
	pipelined();
	mail_refused();
	nobody_but_354();
	lockstep();
	chunking();
	bdat_early();
	dots();
	return tap_done();
}
