#include "config.h"

#include "buf.h"
#include "qp.h"

/* RFC 2045 6.7 (5): 76 octets a line, the "=" of a soft break included. */
#define QP_LINE 76
/* RFC 2045 6.8: base64 lines of at most 76 characters. */
#define B64_LINE 76

void
qp_init(struct qp *q, enum qp_mode mode)
{
	q->mode = mode;
	q->col = 0;
	q->cr = 0;
	q->wsp = 0;
	q->esc = 0;
}

/*
 * RFC 2045 6.7 (5): a soft line break ("=" CRLF) unless n more octets
 * fit on the line, its "=" included.
 */
static void
room_for(struct qp *q, size_t n, struct buf *out)
{
	if (q->col + n > QP_LINE - 1) {
		buf_append(out, "=\r\n", 3);
		q->col = 0;
	}
}

/* A token of n octets, never split by a soft line break. */
static void
put(struct qp *q, const char *t, size_t n, struct buf *out)
{
	room_for(q, n, out);
	buf_append(out, t, n);
	q->col += n;
}

/* RFC 2045 6.7 (1): "=" and two upper-case hexadecimal digits. */
static void
put_hex(struct qp *q, unsigned char c, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3] = {'=', hex[c >> 4], hex[c & 0x0f]};

	put(q, t, 3, out);
}

/* RFC 2045 6.7 (2): octets that stand for themselves. */
static int
is_literal(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

/* RFC 2045 6.7 (3): white space at the end of a line must be encoded. */
static void
flush_wsp(struct qp *q, int at_line_end, struct buf *out)
{
	char c = q->wsp;

	if (c == 0)
		return;
	q->wsp = 0;
	if (at_line_end)
		put_hex(q, (unsigned char)c, out);
	else
		put(q, &c, 1, out);
}

static void
hard_break(struct qp *q, struct buf *out)
{
	flush_wsp(q, 1, out);
	buf_append(out, "\r\n", 2);
	q->col = 0;
	q->esc = 0;
}

/* RFC 2045 6.7 (2): printable ASCII but "=" stands for itself. */
static void
encode_octet(struct qp *q, unsigned char c, struct buf *out)
{
	flush_wsp(q, 0, out);
	if (c == ' ' || c == '\t')
		q->wsp = (char)c;
	else if (is_literal(c))
		put(q, (const char *)&c, 1, out);
	else
		put_hex(q, c, out);
}

static void
rewrap_octet(struct qp *q, unsigned char c, struct buf *out)
{
	if (q->esc > 0) {
		buf_putc(out, (char)c);
		q->col++;
		q->esc--;
	} else if (c == '=') {
		/* Room for the whole "=XX" before its "=" goes out. */
		room_for(q, 3, out);
		put(q, "=", 1, out);
		q->esc = 2;
	} else if (c == '\0' || c >= 0x80 || c == '\r' || c == '\n') {
		put_hex(q, c, out);
	} else {
		put(q, (const char *)&c, 1, out);
	}
}

static void
b64_octet(struct qp *q, unsigned char c, struct buf *out)
{
	if (c == '\0' || c == '\r' || c == '\n')
		return;
	if (q->col == B64_LINE) {
		buf_append(out, "\r\n", 2);
		q->col = 0;
	}
	buf_putc(out, (char)c);
	q->col++;
}

static void
octet(struct qp *q, unsigned char c, struct buf *out)
{
	if (q->mode == QP_ENCODE)
		encode_octet(q, c, out);
	else if (q->mode == QP_REWRAP)
		rewrap_octet(q, c, out);
	else
		b64_octet(q, c, out);
}

/*
 * QP_ENCODE, nothing pending: copy the run of literal octets at p in
 * pieces that fill the output lines.  Returns the octets taken.
 */
static size_t
encode_run(struct qp *q, const char *p, size_t n, struct buf *out)
{
	size_t run = 0, k;

	while (run < n && is_literal((unsigned char)p[run]))
		run++;
	for (n = run; n > 0; n -= k, p += k) {
		room_for(q, 1, out);
		k = QP_LINE - 1 - q->col;
		if (k > n)
			k = n;
		buf_append(out, p, k);
		q->col += k;
	}
	return run;
}

void
qp_feed(struct qp *q, const char *p, size_t n, struct buf *out)
{
	size_t i, run;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (q->mode == QP_ENCODE && !q->cr && q->wsp == 0 &&
		    (run = encode_run(q, p + i, n - i, out)) > 0) {
			i += run - 1;
			continue;
		}

		if (q->cr) {
			q->cr = 0;
			if (c == '\n') {
				hard_break(q, out);
				continue;
			}
			q->esc = 0;
			octet(q, '\r', out);
		}
		if (c == '\r')
			q->cr = 1;
		else
			octet(q, c, out);
	}
}

void
qp_finish(struct qp *q, struct buf *out)
{
	if (q->cr) {
		q->cr = 0;
		octet(q, '\r', out);
	}
	if (q->mode == QP_ENCODE)
		flush_wsp(q, 1, out);
}
