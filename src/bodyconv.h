/*
 * The body on its way out when some of it cannot go as it was spooled:
 * a line longer than 998 octets (RFC 5322 2.1.1, RFC 5321 4.5.3.1.6) or
 * a NUL octet (RFC 5322 2.3, RFC 2045 2.8).
 *
 * The body is walked as MIME (RFC 2046 5.1): multiparts by their
 * boundaries, nested, each leaf part with its own header.  Only the
 * leaves that hold such a line or octet are re-encoded (qp.h), and their
 * header is fixed; the rest passes byte for byte.  What cannot be
 * re-encoded (a message part, a preamble, an unknown encoding) is an
 * error.  The body is fed in pieces; memory holds one line of up to
 * 1,000 octets and one part header.  No I/O.
 *
 * A scan (emit = 0) finds the leaves that need it; the conversion (emit
 * = 1) is then told which they are.  Leaves are numbered from 0 in the
 * order they begin; a body that is not multipart is leaf 0.
 */
#ifndef MAILOUT_BODYCONV_H
#define MAILOUT_BODYCONV_H

#include <stddef.h>

#include "buf.h"
#include "mime.h"
#include "qp.h"

struct err;

/* Multiparts nested deeper than this are walked as one opaque leaf. */
#define CONV_DEPTH_MAX 32
/* A part header larger than this cannot be rewritten. */
#define CONV_PART_HEAD_MAX (64u * 1024)

enum conv_act {
	ACT_PASS, /* as it is */
	ACT_QP, /* quoted-printable; Content-Transfer-Encoding replaced */
	ACT_QP_REWRAP, /* quoted-printable already: lines cut */
	ACT_B64_REWRAP /* base64: lines cut */
};

struct conv_level {
	char delim[2 + MIME_BOUNDARY_MAX + 1]; /* "--" boundary */
	size_t len;
	int digest; /* multipart/digest: parts default to message/rfc822 */
};

enum conv_state {
	ST_LEAF, /* in the body of a leaf part */
	ST_HEAD, /* in a part header */
	ST_TEXT /* in a preamble or an epilogue */
};

struct conv {
	int emit;
	const size_t *aff; /* emit: the leaves to re-encode, ascending */
	size_t naff;
	size_t affpos;
	size_t *found; /* scan: the leaves that need it */
	size_t nfound;
	size_t capfound;
	struct conv_level lv[CONV_DEPTH_MAX];
	int depth;
	enum conv_state st;
	size_t nleaves; /* leaves begun so far */
	enum conv_act act; /* of the current leaf */
	int leaf_bad; /* scan: the current leaf needs re-encoding */
	struct buf type; /* the current leaf's media type */
	enum mime_cte cte;
	struct qp qp;
	struct buf line; /* the current line, while it may be a boundary */
	int spilled; /* the current line is too long to be one */
	struct buf head; /* the part header being read */
};

/*
 * Start on a body whose entity header has these Content-Type and
 * Content-Transfer-Encoding values (NULL: absent).  With emit, aff names
 * the leaves to re-encode.  Returns -1 with e set (ERR_DATA) when leaf 0
 * must be re-encoded and cannot be.
 */
int conv_init(struct conv *c, int emit, const char *ctype, size_t ctlen,
    const char *cte, size_t ctelen, const size_t *aff, size_t naff,
    struct err *e);

/* Feed body octets; output is appended to out (emit only). */
int conv_feed(struct conv *c, const char *p, size_t n, struct buf *out,
    struct err *e);

/* The end of the body. */
int conv_finish(struct conv *c, struct buf *out, struct err *e);

void conv_free(struct conv *c);

#endif
