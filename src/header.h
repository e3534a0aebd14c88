/*
 * The header section of a message: an I/O-free reader over bytes held in
 * memory (RFC 5322 2.2, 3.6 and the obsolete syntax of 4.5).
 *
 * The input is the header section as spooled: CRLF line ends (bare LF is
 * accepted too), possibly followed by the blank line that ends it.
 */
#ifndef MAILOUT_HEADER_H
#define MAILOUT_HEADER_H

#include <stddef.h>

struct buf;

/* RFC 5322 2.1.1: a line is at most 998 octets without its CRLF. */
#define HDR_LINE_MAX 998

enum hdr_line {
	HDR_LINE_FIELD, /* "name:" or "name  :" (obs-optional, 4.5) */
	HDR_LINE_CONT, /* starts with SP or HTAB: continues a field */
	HDR_LINE_BLANK, /* empty line: the header section ends */
	HDR_LINE_OTHER /* anything else: the body begins here */
};

/*
 * Classify one line (without its line end).  Used by the spooler to
 * decide, line by line, where the header section ends.
 */
enum hdr_line hdr_line_kind(const char *line, size_t len);

/* One header field, pointing into the caller's buffer. */
struct hdr_field {
	const char *name; /* field name, without WSP before the colon */
	size_t namelen;
	const char *value; /* after the colon up to the final line end, */
	size_t valuelen; /* continuation lines (CRLF WSP) included */
	const char *raw; /* the whole field: name to final CRLF, */
	size_t rawlen; /* continuation lines included */
};

struct hdr_iter {
	const char *p;
	const char *end;
};

void hdr_iter_init(struct hdr_iter *it, const char *head, size_t len);

/*
 * Next field.  Returns 1 and fills f, or 0 at the end of the header
 * section (blank line, end of input, or a line that is not a field).
 */
int hdr_next(struct hdr_iter *it, struct hdr_field *f);

/*
 * Length of the header section at the start of buf: every field line and
 * continuation line, plus the blank line if there is one.  The body
 * begins at that offset.
 */
size_t hdr_section_len(const char *buf, size_t len);

/* Case-insensitive field name comparison (RFC 5322 1.2.2). */
int hdr_is(const struct hdr_field *f, const char *name);

/*
 * One pass over a header section: out[i] becomes the first field named
 * names[i], or all zero (name NULL) when there is none.
 */
void hdr_first_fields(const char *head, size_t len, const char *const *names,
    struct hdr_field *out, size_t n);

/*
 * Unfold a field value (RFC 5322 2.2.3): remove each CRLF that is
 * followed by WSP.  The result is appended to out.
 */
void hdr_unfold(const char *value, size_t len, struct buf *out);

/*
 * Fold a field (CRLF line ends) so that no line is longer than max
 * octets (RFC 5322 2.1.1): a line end goes before a run of WSP that
 * follows other text on the line, which unfolding takes out again
 * (2.2.3).  The result is appended to out.  Returns -1 when a line has
 * no such place within max octets.
 */
int hdr_fold(const char *field, size_t len, size_t max, struct buf *out);

/* Length of the longest line in buf, line ends excluded. */
size_t hdr_longest_line(const char *buf, size_t len);

#endif
