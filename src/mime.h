/*
 * MIME fields that decide how a body may be re-encoded: the media type
 * and boundary of Content-Type (RFC 2045 5.1, RFC 2046 5.1.1) and the
 * Content-Transfer-Encoding (RFC 2045 6.1).  No I/O.
 */
#ifndef MAILOUT_MIME_H
#define MAILOUT_MIME_H

#include <stddef.h>

struct buf;

/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. */
#define MIME_BOUNDARY_MAX 70

enum mime_cte {
	CTE_IDENTITY, /* none, 7bit, 8bit, binary: the octets as they are */
	CTE_QP, /* quoted-printable */
	CTE_BASE64,
	CTE_OTHER /* x-uuencode and anything unknown */
};

enum mime_cte mime_cte(const char *value, size_t len);

/*
 * Parse a Content-Type value: "type/subtype" in lower case into type
 * and the boundary parameter, if there is one, into boundary.  Comments
 * and quoted-strings are understood.  Returns 0, or -1 when the value
 * has no type/subtype (RFC 2045 5.2: then it is text/plain).
 */
int mime_ctype(const char *value, size_t len, struct buf *type,
    struct buf *boundary);

#endif
