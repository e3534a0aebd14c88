/* Quoted-printable encoding and re-wrapping, fed in pieces. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qp.h"
#include "tap.h"

/* Encode in[0..len) in chunks of chunk octets (0: at once). */
static char *
run(enum qp_mode mode, const char *in, size_t len, size_t chunk, size_t *outlen)
{
	struct qp q;
	struct buf out = BUF_INIT;
	size_t off, n;

	qp_init(&q, mode);
	for (off = 0; off < len; off += n) {
		n = chunk && len - off > chunk ? chunk : len - off;
		qp_feed(&q, in + off, n, &out);
	}
	qp_finish(&q, &out);
	*outlen = out.len;
	if (out.data == NULL)
		buf_puts(&out, "");
	return buf_release(&out);
}

/* in may hold NULs: its length is that of the literal. */
#define check(mode, in, want, name) \
	check_len(mode, in, sizeof(in) - 1, want, name)

static void
check_len(enum qp_mode mode, const char *in, size_t len, const char *want,
    const char *name)
{
	static const size_t chunks[] = {0, 1, 2, 5};
	char label[160], *got;
	size_t i, n;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		got = run(mode, in, len, chunks[i], &n);
		snprintf(label, sizeof(label), "%s (chunks of %zu)", name,
		    chunks[i]);
		is_str(got, want, label);
		free(got);
	}
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	    : c >= 'A' && c <= 'F'  ? c - 'A' + 10
	                            : -1;
}

/*
 * A strict decoder (RFC 2045 6.7): fails on a line over 76 octets, on
 * trailing white space, on an octet that must have been encoded, and on
 * a bad "=XX".
 */
static int
decode(const char *p, size_t n, struct buf *out)
{
	const char *end = p + n;

	while (p < end) {
		const char *eol = strstr(p, "\r\n");
		size_t len =
		    eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
		int soft = len > 0 && p[len - 1] == '=';
		size_t i;

		if (len > 76 ||
		    (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')))
			return -1;
		for (i = 0; i < len - (size_t)soft; i++) {
			unsigned char c = (unsigned char)p[i];

			if (c == '=') {
				if (i + 2 >= len - (size_t)soft ||
				    hexval(p[i + 1]) < 0 ||
				    hexval(p[i + 2]) < 0)
					return -1;
				buf_putc(out,
				    (char)(hexval(p[i + 1]) * 16 +
				        hexval(p[i + 2])));
				i += 2;
			} else if ((c < 33 || c > 126) && c != ' ' &&
			    c != '\t') {
				return -1;
			} else {
				buf_putc(out, (char)c);
			}
		}
		if (!soft && eol != NULL)
			buf_append(out, "\r\n", 2);
		p += len + (eol != NULL ? 2 : 0);
	}
	return 0;
}

/* Random text with long lines, NULs, 8-bit octets and trailing WSP. */
static void
round_trip(void)
{
	static const char alphabet[] = "ab =.\t\0\xe9\xff\r\nxyz";
	struct buf in = BUF_INIT, dec = BUF_INIT;
	unsigned seed = 12345;
	size_t i, n, chunk;
	char *enc;
	int all_ok = 1;

	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 500 == 0)
			buf_append(&in, "\r\n", 2);
		else
			buf_putc(&in,
			    alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]);
	}
	buf_append(&in, "\r\n", 2);
	for (chunk = 0; chunk < 4000; chunk = chunk * 3 + 7) {
		enc = run(QP_ENCODE, in.data, in.len, chunk, &n);
		buf_reset(&dec);
		if (decode(enc, n, &dec) < 0 || dec.len != in.len ||
		    memcmp(dec.data, in.data, in.len) != 0)
			all_ok = 0;
		free(enc);
	}
	ok(all_ok,
	    "200,000 random octets: valid QP that decodes back, any chunking");
	buf_free(&in);
	buf_free(&dec);
}

int
main(void)
{
	struct buf b = BUF_INIT;
	size_t i, n;
	char *got, *want;

	check(QP_ENCODE, "plain text\r\n", "plain text\r\n", "plain text");
	check(QP_ENCODE, "a=b\r\n", "a=3Db\r\n", "= is encoded");
	check(QP_ENCODE, "caf\xc3\xa9\r\n", "caf=C3=A9\r\n", "8-bit octets");
	check(QP_ENCODE, "a\0b\r\n", "a=00b\r\n", "NUL is =00");
	check(QP_ENCODE, "trailing \r\ntab\t\r\n", "trailing=20\r\ntab=09\r\n",
	    "white space at the end of a line is encoded");
	check(QP_ENCODE, "a  b\r\n", "a  b\r\n", "white space inside stays");
	check(QP_ENCODE, "end ", "end=20", "white space at the very end");
	check(QP_ENCODE, "a\rb\r\n", "a=0Db\r\n", "a lone CR is encoded");
	check(QP_ENCODE, "a\nb", "a=0Ab", "a lone LF is encoded");
	check(QP_ENCODE, "\r\n\r\n", "\r\n\r\n", "empty lines");

	/* 80 x: a soft break after 75, the "=" being the 76th octet. */
	for (i = 0; i < 80; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	got = run(QP_ENCODE, b.data, b.len, 0, &n);
	want = malloc(100);
	memset(want, 'x', 75);
	strcpy(want + 75, "=\r\nxxxxx\r\n");
	is_str(got, want, "soft line break at 76 octets");
	free(got);
	/* An "=XX" is never split by a soft break. */
	buf_reset(&b);
	for (i = 0; i < 74; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\xe9y\r\n");
	got = run(QP_ENCODE, b.data, b.len, 0, &n);
	memset(want, 'x', 74);
	strcpy(want + 74, "=\r\n=E9y\r\n");
	is_str(got, want, "=XX moves whole to the next line");
	free(got);
	free(want);
	buf_free(&b);
	round_trip();

	check(QP_REWRAP, "short=3D line=\r\nnext\r\n",
	    "short=3D line=\r\nnext\r\n", "rewrap: short lines unchanged");
	buf_reset(&b);
	for (i = 0; i < 30; i++)
		buf_puts(&b, "ab=3D");
	buf_puts(&b, "\r\n");
	got = run(QP_REWRAP, b.data, b.len, 0, &n);
	is_str(got,
	    "ab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3D=\r\n"
	    "ab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3Dab=3D\r\n",
	    "rewrap: a 150-octet QP line cut, never inside =XX");
	free(got);
	buf_free(&b);
	check(QP_REWRAP, "a\0b\xe9\r\n", "a=00b=E9\r\n",
	    "rewrap: NUL and 8-bit octets encoded");

	buf_reset(&b);
	for (i = 0; i < 200; i++)
		buf_putc(&b, "ABCD"[i % 4]);
	buf_puts(&b, "\r\n");
	got = run(B64_REWRAP, b.data, b.len, 3, &n);
	is_int((long long)n, 200 + 3 * 2, "base64: two line ends added");
	ok(strstr(got, "\r\n") == got + 76 &&
	        strncmp(got + 76 + 2 + 76, "\r\n", 2) == 0,
	    "base64: cut into lines of 76");
	free(got);
	buf_free(&b);
	check(B64_REWRAP, "QU\0JD\r\n", "QUJD\r\n", "base64: NUL dropped");
	return tap_done();
}
