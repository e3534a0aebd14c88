/*
 * One SMTP mail transaction as a client runs it (RFC 5321 3.3), with
 * PIPELINING (RFC 2920) and CHUNKING (RFC 3030): which commands to
 * write next, which reply belongs to which command, and what the
 * replies decide.  No I/O: the transport writes what this says and
 * feeds it the replies, so it is unit-tested without a network.
 */
#ifndef MAILOUT_SMTPTX_H
#define MAILOUT_SMTPTX_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* What a relay's EHLO reply offers (RFC 5321 4.1.1.1). */
struct smtp_caps {
	long size; /* RFC 1870 SIZE, 0: none announced */
	unsigned pipelining : 1; /* RFC 2920 */
	unsigned dsn : 1; /* RFC 3461 */
	unsigned eightbitmime : 1; /* RFC 6152 */
	unsigned chunking : 1; /* RFC 3030 */
	unsigned smtputf8 : 1; /* RFC 6531 */
};

/* One line of a 250 reply to EHLO, "250-" or "250 " included. */
void smtp_caps_line(struct smtp_caps *c, const char *line, size_t len);

/* Assembles reply lines into replies (RFC 5321 4.2.1). */
struct smtp_reply {
	int code; /* of the complete reply, 0 while lines are missing */
	struct buf text; /* its lines, "\n" between them */
};

/*
 * Feed one line without its CRLF.  Returns 1 when the reply is complete
 * (code and text set; the next line starts a new reply), 0 when more
 * lines follow, -1 when the line is no reply line at all.
 */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);

void smtp_reply_free(struct smtp_reply *r);

/* The commands of one transaction, built by the caller. */
struct smtptx_cmds {
	const char *mail; /* "MAIL FROM:<...> ...", no CRLF */
	char **rcpt; /* "RCPT TO:<...> ..." each */
	size_t nrcpt;
	off_t size; /* octets of the message */
};

/* What the transport does next. */
enum smtptx_next {
	TX_WRITE, /* write smtptx_commands() */
	TX_READ, /* read a reply and feed it to smtptx_reply() */
	TX_BODY, /* write the message (dot-stuffed and ".", or raw after
	            the BDAT line smtptx_commands() gives) */
	TX_DONE, /* the relay took the message */
	TX_FAILED /* the transaction failed: see stage, code, text */
};

/* Where the transaction is, as enum smtp_stage counts (transport.h). */
enum smtptx_stage { TXS_MAIL, TXS_RCPT, TXS_DATA, TXS_BODY, TXS_EOD, TXS_DONE };

struct smtptx {
	const struct smtptx_cmds *cmds;
	int pipelining, chunking;
	int rset; /* RSET goes first: a transaction is still open */
	int bdat_early; /* with CHUNKING and PIPELINING: the message goes
	                   right after the RCPTs, before their replies (set
	                   after smtptx_init()); a reply lost after it then
	                   means the message may have been taken */
	size_t queued; /* commands written and not yet answered, in order */
	size_t next; /* the next command to write: 0 RSET, 1 MAIL, 2.. RCPT,
	                then DATA; see smtptx.c */
	size_t answered; /* replies matched so far */
	size_t accepted; /* RCPTs answered 2xx */
	int mail_ok; /* MAIL answered 2xx */
	int body_sent; /* the message (and its end) has been written */
	int empty_data; /* DATA was taken though no RCPT was: a lone "." */
	enum smtptx_stage stage;
	long rcpt_index; /* the RCPT the last reply answered, else -1 */
	int code; /* the reply that decided a failure or the success */
	char *text;
	int failed;
};

/*
 * Start a transaction.  rset: the previous one on this connection did not
 * end (RFC 5321 4.1.1.5), so RSET is sent first.
 */
void smtptx_init(struct smtptx *tx, const struct smtptx_cmds *cmds,
    int pipelining, int chunking, int rset);

enum smtptx_next smtptx_next(const struct smtptx *tx);

/* Append the commands to write now, each with its CRLF. */
void smtptx_commands(struct smtptx *tx, struct buf *out);

/* The body has been written (and with DATA, its final "."). */
void smtptx_body_sent(struct smtptx *tx);

/* One complete reply, to the oldest command still unanswered. */
void smtptx_reply(struct smtptx *tx, int code, const char *text);

/* The stage of the reply awaited next, or of the message being sent. */
enum smtptx_stage smtptx_awaited(const struct smtptx *tx);

/* The relay still holds a transaction open (MAIL taken, no end). */
int smtptx_open(const struct smtptx *tx);

void smtptx_free(struct smtptx *tx);

/*
 * RFC 5321 4.5.2: a "." at the start of a line is doubled.  Fed the
 * message in pieces of any size; bol says whether the next octet starts
 * a line.
 */
struct dotstuff {
	int bol;
};

void dotstuff_init(struct dotstuff *d);
void dotstuff(struct dotstuff *d, const char *p, size_t n, struct buf *out);

/* The end of data: a CRLF first if the message did not end a line. */
void dotstuff_end(struct dotstuff *d, struct buf *out);

#endif
