/* The MIME walker that re-encodes only the parts that need it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodyconv.h"
#include "buf.h"
#include "err.h"
#include "tap.h"

struct run {
	int rc;
	struct buf out;
	char found[64]; /* scan: the leaves found, "0,2" */
	char *msg;
};

static void
run_len(struct run *r, int emit, const char *ctype, const char *cte,
    const size_t *aff, size_t naff, const char *body, size_t len, size_t chunk)
{
	struct conv c;
	struct err e = {0};
	size_t off, n, i;

	memset(r, 0, sizeof(*r));
	r->rc = conv_init(&c, emit, ctype, ctype ? strlen(ctype) : 0, cte,
	    cte ? strlen(cte) : 0, aff, naff, &e);
	for (off = 0; r->rc == 0 && off < len; off += n) {
		n = chunk && len - off > chunk ? chunk : len - off;
		r->rc = conv_feed(&c, body + off, n, &r->out, &e);
	}
	if (r->rc == 0)
		r->rc = conv_finish(&c, &r->out, &e);
	for (i = 0; i < c.nfound; i++)
		snprintf(r->found + strlen(r->found),
		    sizeof(r->found) - strlen(r->found), "%s%zu", i ? "," : "",
		    c.found[i]);
	if (r->out.data == NULL)
		buf_puts(&r->out, "");
	r->msg = e.msg;
	conv_free(&c);
}

static void
run(struct run *r, int emit, const char *ctype, const char *cte,
    const size_t *aff, size_t naff, const char *body, size_t chunk)
{
	run_len(r, emit, ctype, cte, aff, naff, body, strlen(body), chunk);
}

static void
run_free(struct run *r)
{
	buf_free(&r->out);
	free(r->msg);
}

/* A line of n copies of c, CRLF included. */
static char *
long_line(char c, size_t n)
{
	char *s = malloc(n + 3);

	memset(s, c, n);
	strcpy(s + n, "\r\n");
	return s;
}

static const char *mp_type = "multipart/mixed; boundary=\"b:1\"";

static void
single_part(void)
{
	static const size_t leaf0[] = {0};
	char *l = long_line('x', 1200);
	struct run r;

	run(&r, 1, "text/plain; charset=utf-8", "8bit", leaf0, 1, l, 7);
	is_int(r.rc, 0, "single part: converted");
	ok(r.out.len > 1200 && strstr(r.out.data, "=\r\n") != NULL,
	    "single part: soft line breaks");
	run_free(&r);
	run(&r, 1, NULL, "base64", leaf0, 1, l, 0);
	ok(r.rc == 0 && strncmp(r.out.data + 76, "\r\n", 2) == 0,
	    "single part base64: re-wrapped");
	run_free(&r);
	run(&r, 1, NULL, "x-uuencode", leaf0, 1, l, 0);
	is_int(r.rc, -1, "single part x-uuencode: refused");
	is_str(r.msg,
	    "a text/plain part has a line longer than 998 octets or a NUL "
	    "octet, in a transfer encoding that cannot be re-encoded",
	    "single part x-uuencode: says why");
	run_free(&r);
	run(&r, 1, "message/rfc822", NULL, leaf0, 1, l, 0);
	is_str(r.msg,
	    "a message/rfc822 part has a line longer than 998 octets or a NUL "
	    "octet, and cannot be re-encoded",
	    "message/rfc822: refused");
	run_free(&r);
	run(&r, 1, NULL, NULL, NULL, 0, "fine\r\n", 0);
	is_str(r.out.data, "fine\r\n", "not named: passes as it is");
	run_free(&r);
	free(l);
}

/* Five leaves: 1 has a long line, 3 a NUL, 4 is a message. */
static void
mp_body(struct buf *b, const char *l)
{
	buf_puts(b,
	    "preamble\r\n--b:1\r\nContent-Type: text/plain\r\n\r\n"
	    "leaf 0\r\n--b:1\r\nContent-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	buf_puts(b, l);
	buf_puts(b,
	    "--b:1\r\nContent-Type: multipart/alternative; "
	    "boundary=in\r\n\r\n--in\r\n\r\nleaf 2\r\n--in\r\n"
	    "Content-Type: text/html\r\n\r\na");
	buf_putc(b, '\0');
	/* An outer delimiter also ends the inner multipart (RFC 2046 5.1.2). */
	buf_puts(b,
	    "b\r\n--b:1\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Subject: x\r\n\r\nleaf 4\r\n--b:1--  \r\nepilogue\r\n");
}

static void
mp_want(struct buf *b, const char *l)
{
	size_t i;

	buf_puts(b,
	    "preamble\r\n--b:1\r\nContent-Type: text/plain\r\n\r\n"
	    "leaf 0\r\n--b:1\r\nContent-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	for (i = 0; i + 75 < 1000; i += 75) {
		buf_append(b, l + i, 75);
		buf_puts(b, "=\r\n");
	}
	buf_append(b, l + i, 1000 - i);
	buf_puts(b,
	    "\r\n--b:1\r\nContent-Type: multipart/alternative; "
	    "boundary=in\r\n\r\n--in\r\n\r\nleaf 2\r\n--in\r\n"
	    "Content-Type: text/html\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "a=00b\r\n--b:1\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Subject: x\r\n\r\nleaf 4\r\n--b:1--  \r\nepilogue\r\n");
}

static void
multipart(void)
{
	static const size_t leaf13[] = {1, 3}, leaf134[] = {1, 3, 4};
	static const size_t chunks[] = {0, 1, 7, 64, 1001};
	char *l = long_line('y', 1000), label[80];
	struct buf body = BUF_INIT, want = BUF_INIT;
	struct run r;
	size_t i;

	mp_body(&body, l);
	mp_want(&want, l);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		run_len(&r, 0, mp_type, NULL, NULL, 0, body.data, body.len,
		    chunks[i]);
		snprintf(label, sizeof(label),
		    "scan: leaves 1 and 3 (chunks of %zu)", chunks[i]);
		is_str(r.found, "1,3", label);
		run_free(&r);
		run_len(&r, 1, mp_type, NULL, leaf13, 2, body.data, body.len,
		    chunks[i]);
		snprintf(label, sizeof(label),
		    "only leaves 1 and 3 re-encoded (chunks of %zu)",
		    chunks[i]);
		is_str(r.rc == 0 ? r.out.data : r.msg, want.data, label);
		run_free(&r);
	}
	run_len(&r, 1, mp_type, NULL, leaf134, 3, body.data, body.len, 0);
	is_str(r.msg,
	    "a message/rfc822 part has a line longer than 998 octets or a NUL "
	    "octet, and cannot be re-encoded",
	    "a message part cannot be re-encoded");
	run_free(&r);
	buf_free(&body);
	buf_free(&want);
	free(l);
}

static void
oddities(void)
{
	char *l = long_line('z', 999);
	struct buf b = BUF_INIT;
	struct run r;
	const char *s;

	buf_puts(&b, "--b:1\r\n\r\nx\r\n--b:1--\r\n");
	buf_puts(&b, l);
	run(&r, 1, mp_type, NULL, NULL, 0, b.data, 0);
	is_str(r.msg,
	    "a line longer than 998 octets in a preamble or epilogue of MIME "
	    "parts cannot be re-encoded",
	    "a long line in the epilogue: refused");
	run_free(&r);
	buf_reset(&b);
	buf_puts(&b, "--b:1\r\nX-Long: ");
	buf_puts(&b, l);
	buf_puts(&b, "\r\nbody\r\n--b:1--\r\n");
	run(&r, 0, mp_type, NULL, NULL, 0, b.data, 5);
	is_str(r.msg, "a MIME part header has a line longer than 998 octets",
	    "a long line in a part header: refused");
	run_free(&r);
	s = "--b:1\r\nContent-Type: text/plain\r\n--b:1\r\n\r\nx\r\n--b:1--\r\n";
	run(&r, 1, mp_type, NULL, NULL, 0, s, 3);
	is_str(r.out.data, s, "a part header ended by a delimiter");
	run_free(&r);
	s = "--b:1\r\n\r\n--b:10 is not it\r\n--b:1 \t\r\n\r\n--b:1--\r\n";
	run(&r, 0, mp_type, NULL, NULL, 0, s, 0);
	is_int(r.rc, 0, "delimiters with padding, and a longer look-alike");
	run_free(&r);
	buf_free(&b);
	free(l);
}

static void
check_ctype(const char *v, const char *type, const char *bnd)
{
	struct buf t = BUF_INIT, b = BUF_INIT;
	char label[160], *p;
	int rc = mime_ctype(v, strlen(v), &t, &b);

	snprintf(label, sizeof(label), "Content-Type: %s", v);
	for (p = label; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	is_str(rc == 0 ? buf_cstr(&t) : "(none)", type, label);
	strncat(label, ": boundary", sizeof(label) - strlen(label) - 1);
	is_str(buf_cstr(&b), bnd, label);
	buf_free(&t);
	buf_free(&b);
}

static void
mime_fields(void)
{
	check_ctype(" text/plain; charset=utf-8", "text/plain", "");
	check_ctype("Multipart/Mixed; BOUNDARY=\"a b:c\"", "multipart/mixed",
	    "a b:c");
	check_ctype("multipart/mixed (a comment);\r\n boundary=xyz (more)",
	    "multipart/mixed", "xyz");
	check_ctype("multipart/mixed; charset=\"x;boundary=no\"; boundary=yes",
	    "multipart/mixed", "yes");
	check_ctype("multipart/mixed; boundary=\"q\\\"uote\"",
	    "multipart/mixed", "q\"uote");
	check_ctype("text", "(none)", "");
	check_ctype("", "(none)", "");
	is_int(mime_cte(" 7BIT", 5), CTE_IDENTITY, "7BIT");
	is_int(mime_cte("8bit (c)", 8), CTE_IDENTITY, "8bit with a comment");
	is_int(mime_cte("binary", 6), CTE_IDENTITY, "binary");
	is_int(mime_cte("", 0), CTE_IDENTITY, "empty");
	is_int(mime_cte("Quoted-Printable", 16), CTE_QP, "quoted-printable");
	is_int(mime_cte(" base64\r\n", 9), CTE_BASE64, "base64");
	is_int(mime_cte("x-uuencode", 10), CTE_OTHER, "x-uuencode");
}

int
main(void)
{
	mime_fields();
	single_part();
	multipart();
	oddities();
	return tap_done();
}
