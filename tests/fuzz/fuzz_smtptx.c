/*
 * Fuzz target: the client transaction fed a relay's replies.  The first
 * octet chooses PIPELINING, CHUNKING, RSET, early BDAT and the recipient
 * count; the rest is what the relay sends, a line at a time.  Whatever
 * it sends,
 * the transaction ends, never answers more commands than were written,
 * and names only recipients it has.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "smtptx.h"

static char *rcpt[] = {(char *)"RCPT TO:<a@x>", (char *)"RCPT TO:<b@x>",
    (char *)"RCPT TO:<c@x>", (char *)"RCPT TO:<d@x>"};

static void
step(struct smtptx *tx, struct smtp_reply *r, struct buf *out)
{
	switch (smtptx_next(tx)) {
	case TX_WRITE:
		smtptx_commands(tx, out);
		break;
	case TX_BODY:
		smtptx_body_sent(tx);
		break;
	case TX_READ:
		smtptx_reply(tx, r->code, buf_cstr(&r->text));
		FUZZ_ASSERT(tx->rcpt_index < (long)tx->cmds->nrcpt);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtptx_cmds c = {"MAIL FROM:<s@x>", rcpt, 1, 10};
	struct smtp_reply r = {0};
	struct buf out = BUF_INIT;
	struct smtptx tx;
	const char *p, *end, *nl;
	enum smtptx_next n;

	if (size == 0)
		return 0;
	c.nrcpt = 1 + (data[0] & 3);
	smtptx_init(&tx, &c, data[0] & 4, data[0] & 8, data[0] & 16);
	tx.bdat_early = (data[0] & 32) && tx.pipelining && tx.chunking;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		while ((n = smtptx_next(&tx)) == TX_WRITE || n == TX_BODY)
			step(&tx, &r, &out);
		if (n != TX_READ)
			break;
		if (smtp_reply_line(&r, p, (size_t)(nl - p)) == 1)
			step(&tx, &r, &out);
		FUZZ_ASSERT(tx.answered <= 2 + c.nrcpt + 1 + 1);
	}
	smtptx_free(&tx);
	smtp_reply_free(&r);
	buf_free(&out);
	return 0;
}
