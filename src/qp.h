/*
 * Re-encoding text whose lines are too long for SMTP, in pieces, so that
 * a body of any size passes in constant memory.  The input is lines
 * ending in CRLF (as spooled); every output line is at most 76 octets.
 *
 *   QP_ENCODE	quoted-printable (RFC 2045 6.7) of octets sent as they
 *		were (7bit, 8bit, binary); CRLF stays a hard line break
 *   QP_REWRAP	text that is quoted-printable already: soft line breaks
 *		inserted, never inside an "=XX"; NUL and 8-bit octets,
 *		which it may not hold, encoded
 *   B64_REWRAP	base64: lines cut at 76; NUL, which decoders ignore
 *		like every octet outside the alphabet (RFC 2045 6.8),
 *		is dropped
 *
 * No I/O.
 */
#ifndef MAILOUT_QP_H
#define MAILOUT_QP_H

#include <stddef.h>

struct buf;

enum qp_mode { QP_ENCODE, QP_REWRAP, B64_REWRAP };

struct qp {
	enum qp_mode mode;
	size_t col; /* octets on the output line so far */
	int cr; /* a CR waits for its LF */
	char wsp; /* QP_ENCODE: a SP or HTAB waits to see the line end */
	int esc; /* QP_REWRAP: octets of an "=XX" still to copy */
};

void qp_init(struct qp *q, enum qp_mode mode);
void qp_feed(struct qp *q, const char *p, size_t n, struct buf *out);
/* The end of the text: what is still pending goes out. */
void qp_finish(struct qp *q, struct buf *out);

#endif
