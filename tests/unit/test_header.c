#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "header.h"
#include "tap.h"
#include "testdata.h"

static int
field_is(const struct hdr_field *f, const char *raw, const char *value)
{
	return f->rawlen == strlen(raw) &&
	    memcmp(f->raw, raw, f->rawlen) == 0 &&
	    f->valuelen == strlen(value) &&
	    memcmp(f->value, value, f->valuelen) == 0;
}

static void
test_line_kinds(void)
{
	static const struct {
		const char *line;
		enum hdr_line kind;
	} t[] = {
	    {"To: x", HDR_LINE_FIELD},
	    {"To:", HDR_LINE_FIELD},
	    {"To    : x", HDR_LINE_FIELD},
	    {"To\t: x", HDR_LINE_FIELD},
	    {"X-Mailer:x", HDR_LINE_FIELD},
	    {"!#~{}:x", HDR_LINE_FIELD},
	    {" continued", HDR_LINE_CONT},
	    {"\tcontinued", HDR_LINE_CONT},
	    {"  ", HDR_LINE_CONT},
	    {"", HDR_LINE_BLANK},
	    {"\r", HDR_LINE_BLANK},
	    {"From jdoe Fri Nov 21 09:55:06 1997", HDR_LINE_OTHER},
	    {":value", HDR_LINE_OTHER},
	    {"no colon here", HDR_LINE_OTHER},
	    {"Two words: x", HDR_LINE_OTHER},
	    {"T\xc3\xb6: x", HDR_LINE_OTHER},
	    {"To x:", HDR_LINE_OTHER},
	    {"Body text", HDR_LINE_OTHER},
	};
	char name[80];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "line kind of \"%s\"", t[i].line);
		is_int(hdr_line_kind(t[i].line, strlen(t[i].line)), t[i].kind,
		    name);
	}
}

/*
 * Every field of an Appendix A message: the right number, contiguous,
 * each raw span ending in CRLF, and the section ending at the blank line.
 */
static void
check_message(const char *file, size_t nfields)
{
	struct hdr_iter it;
	struct hdr_field f;
	const char *want_raw, *blank;
	char rel[80], name[120];
	size_t len, n = 0;
	int contiguous = 1;
	char *msg;

	snprintf(rel, sizeof(rel), "rfc5322-appendix-a/%s", file);
	msg = read_data(rel, &len);
	if (msg == NULL) {
		ok(0, rel);
		return;
	}
	hdr_iter_init(&it, msg, len);
	want_raw = msg;
	while (hdr_next(&it, &f)) {
		contiguous &= f.raw == want_raw && f.rawlen >= 2 &&
		    memcmp(f.raw + f.rawlen - 2, "\r\n", 2) == 0 &&
		    f.value + f.valuelen + 2 == f.raw + f.rawlen;
		want_raw = f.raw + f.rawlen;
		n++;
	}
	snprintf(name, sizeof(name), "%s: %zu fields", file, nfields);
	is_int((long long)n, (long long)nfields, name);
	snprintf(name, sizeof(name), "%s: fields are contiguous", file);
	ok(contiguous, name);
	blank = strstr(msg, "\r\n\r\n");
	snprintf(name, sizeof(name), "%s: header section ends at blank line",
	    file);
	ok(blank != NULL && want_raw == blank + 2 &&
	        hdr_section_len(msg, len) == (size_t)(blank + 4 - msg),
	    name);
	free(msg);
}

static void
test_appendix_a(void)
{
	static const struct {
		const char *file;
		size_t nfields;
	} t[] = {
	    {"A.1.1a.eml", 5},
	    {"A.1.1b.eml", 6},
	    {"A.1.2.eml", 5},
	    {"A.1.3.eml", 5},
	    {"A.2a.eml", 5},
	    {"A.2b.eml", 8},
	    {"A.2c.eml", 7},
	    {"A.3a.eml", 5},
	    {"A.3b.eml", 9},
	    {"A.4.eml", 7},
	    {"A.5.eml", 5},
	    {"A.6.1.eml", 4},
	    {"A.6.2.eml", 5},
	    {"A.6.3.eml", 5},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		check_message(t[i].file, t[i].nfields);
}

/* Find the first field called name in the message held in msg. */
static int
find_field(const char *msg, size_t len, const char *name, struct hdr_field *f)
{
	struct hdr_iter it;

	hdr_iter_init(&it, msg, len);
	while (hdr_next(&it, f))
		if (hdr_is(f, name))
			return 1;
	return 0;
}

/* RFC 5322 A.6.3: WSP before the colon and a fold line of WSP only. */
static void
test_a63(void)
{
	struct hdr_field f;
	struct buf u = BUF_INIT;
	size_t len;
	char *msg = read_data("rfc5322-appendix-a/A.6.3.eml", &len);
	int found = msg != NULL && find_field(msg, len, "to", &f);

	ok(found, "A.6.3: \"To    :\" found as To");
	if (!found) {
		free(msg);
		return;
	}
	ok(f.namelen == 2 && memcmp(f.name, "To", 2) == 0,
	    "A.6.3: name without the WSP before the colon");
	ok(field_is(&f,
	       "To    : Mary Smith\r\n  \r\n          <mary@example.net>\r\n",
	       " Mary Smith\r\n  \r\n          <mary@example.net>"),
	    "A.6.3: whitespace-only line continues the To field");
	hdr_unfold(f.value, f.valuelen, &u);
	is_str(buf_cstr(&u), " Mary Smith            <mary@example.net>",
	    "A.6.3: To unfolded");
	ok(find_field(msg, len, "Message-ID", &f) &&
	        field_is(&f,
	            "Message-ID  : <1234   @   local(blah)  .machine .example>"
	            "\r\n",
	            " <1234   @   local(blah)  .machine .example>"),
	    "A.6.3: last field before the blank line");
	buf_free(&u);
	free(msg);
}

/* RFC 5322 A.4: a Received field folded over six lines. */
static void
test_a4(void)
{
	struct hdr_field f;
	struct buf u = BUF_INIT;
	size_t len;
	char *msg = read_data("rfc5322-appendix-a/A.4.eml", &len);
	int found = msg != NULL && find_field(msg, len, "RECEIVED", &f);

	ok(found, "A.4: Received found");
	if (!found) {
		free(msg);
		return;
	}
	ok(f.raw == msg &&
	        f.raw + f.rawlen == strstr(msg, "Received: from node"),
	    "A.4: folded Received runs to the next field");
	hdr_unfold(f.value, f.valuelen, &u);
	is_str(buf_cstr(&u),
	    " from x.y.test   by example.net   via TCP   with ESMTP   id "
	    "ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600",
	    "A.4: Received unfolded");
	ok(find_field(msg, len, "to", &f) &&
	        field_is(&f, "To: Mary Smith <mary@example.net>\r\n",
	            " Mary Smith <mary@example.net>"),
	    "A.4: To after the trace fields");
	buf_free(&u);
	free(msg);
}

/* Iterate over s; check the field count and the section length. */
static void
check_section(const char *s, size_t nfields, size_t seclen, const char *name)
{
	struct hdr_iter it;
	struct hdr_field f;
	size_t n = 0;
	char full[160];

	hdr_iter_init(&it, s, strlen(s));
	while (hdr_next(&it, &f))
		n++;
	snprintf(full, sizeof(full), "%s: %zu fields", name, nfields);
	is_int((long long)n, (long long)nfields, full);
	snprintf(full, sizeof(full), "%s: section length", name);
	is_int((long long)hdr_section_len(s, strlen(s)), (long long)seclen,
	    full);
}

static void
test_boundaries(void)
{
	check_section("A: 1\r\nB: 2\r\n\r\nbody\r\n", 2, 14, "blank line");
	check_section("A: 1\r\nB: 2\r\nNot a field\r\nC: 3\r\n", 2, 12,
	    "non-field line starts the body");
	check_section("A: 1\nFrom x Fri\nB: 2\n", 1, 5, "mbox From line");
	check_section("A: 1\nB: 2\n  more\n\nbody\n", 2, 18, "bare LF");
	check_section("A: 1\r\nB: 2", 2, 10, "no final newline");
	check_section("", 0, 0, "empty input");
	check_section("\r\nbody\r\n", 0, 2, "blank line first");
	check_section(" cont\r\nA: 1\r\n\r\n", 0, 0, "continuation first");
	check_section("A: 1\r\n\r\nB: 2\r\n", 1, 8, "field after the body");
}

static void
test_fields(void)
{
	static const char lf[] = "Subject: a\n\tb\nTo: x\n\nbody";
	static const char eof[] = "A: 1\r\nB: 2\r\n  more";
	struct hdr_iter it;
	struct hdr_field f;

	hdr_iter_init(&it, lf, strlen(lf));
	ok(hdr_next(&it, &f) && field_is(&f, "Subject: a\n\tb\n", " a\n\tb"),
	    "bare LF: folded field, value and raw");
	ok(hdr_next(&it, &f) && field_is(&f, "To: x\n", " x"),
	    "bare LF: next field");
	ok(!hdr_next(&it, &f), "bare LF: end at the blank line");
	ok(!hdr_next(&it, &f), "end is sticky");
	hdr_iter_init(&it, eof, strlen(eof));
	ok(hdr_next(&it, &f) && field_is(&f, "A: 1\r\n", " 1"),
	    "end of input: first field");
	ok(hdr_next(&it, &f) && field_is(&f, "B: 2\r\n  more", " 2\r\n  more"),
	    "end of input: continuation without a newline");
	ok(!hdr_next(&it, &f), "end of input: no more fields");
}

static void
test_is(void)
{
	struct hdr_field f;
	struct hdr_iter it;
	static const char s[] = "Resent-To  : x\r\n";

	hdr_iter_init(&it, s, strlen(s));
	ok(hdr_next(&it, &f), "hdr_is: field read");
	ok(hdr_is(&f, "Resent-To"), "hdr_is: same case");
	ok(hdr_is(&f, "RESENT-to"), "hdr_is: other case");
	ok(!hdr_is(&f, "Resent-T"), "hdr_is: prefix is not a match");
	ok(!hdr_is(&f, "Resent-Too"), "hdr_is: longer name is not a match");
	ok(!hdr_is(&f, "Resent-To  "), "hdr_is: WSP is not part of the name");
}

static void
test_first_fields(void)
{
	static const char s[] = "content-type: a\r\nX: 1\r\nContent-Type: b\r\n"
	                        "X: 2\r\n\r\nY: body\r\n";
	static const char *const names[] = {"Content-Type", "X", "Y"};
	struct hdr_field f[3];

	memset(f, 0xff, sizeof(f));
	hdr_first_fields(s, strlen(s), names, f, 3);
	ok(field_is(&f[0], "content-type: a\r\n", " a"),
	    "first fields: the first of a name, in any case");
	ok(field_is(&f[1], "X: 1\r\n", " 1"), "first fields: a second name");
	ok(f[2].name == NULL && f[2].valuelen == 0,
	    "first fields: none after the blank line");
	hdr_first_fields("", 0, names, f, 3);
	ok(f[0].name == NULL && f[1].name == NULL,
	    "first fields: an empty header section");
}

static void
check_unfold(const char *in, const char *want, const char *name)
{
	struct buf b = BUF_INIT;

	hdr_unfold(in, strlen(in), &b);
	is_str(buf_cstr(&b), want, name);
	buf_free(&b);
}

static void
test_unfold(void)
{
	check_unfold(" a\r\n b", " a b", "unfold CRLF SP");
	check_unfold(" a\n\tb", " a\tb", "unfold LF HTAB");
	check_unfold("a\r\n \r\n  b", "a   b", "unfold whitespace-only line");
	check_unfold("a\r\nb", "a\r\nb", "CRLF without WSP stays");
	check_unfold("a\r\n", "a\r\n", "final CRLF stays");
	check_unfold("", "", "unfold empty");
}

static void
test_longest_line(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	is_int((long long)hdr_longest_line("ab\r\nabcd\r\nabc", 13), 4,
	    "longest line, CRLF excluded");
	is_int((long long)hdr_longest_line("ab\nabc\n", 7), 3,
	    "longest line, LF");
	is_int((long long)hdr_longest_line("abcdef", 6), 6,
	    "longest line without a newline");
	is_int((long long)hdr_longest_line("", 0), 0, "longest line, empty");
	for (i = 0; i < HDR_LINE_MAX + 2; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\nshort\r\n");
	is_int((long long)hdr_longest_line(b.data, b.len), HDR_LINE_MAX + 2,
	    "longest line over the RFC 5322 limit");
	buf_free(&b);
}

static void
check_fold(const char *in, size_t max, const char *want, const char *name)
{
	struct buf b = BUF_INIT;
	int rc = hdr_fold(in, strlen(in), max, &b);

	is_str(rc == 0 ? buf_cstr(&b) : "(cannot fold)", want, name);
	buf_free(&b);
}

static void
test_fold(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT, unf = BUF_INIT;
	size_t i;

	check_fold("Subject: short\r\n", 20, "Subject: short\r\n",
	    "a short line stays");
	check_fold("Subject: aaa bbb ccc\r\n", 12,
	    "Subject: aaa\r\n bbb ccc\r\n", "fold at the last WSP in reach");
	check_fold("Subject: aaa   bbb\r\n", 14, "Subject: aaa\r\n   bbb\r\n",
	    "fold before a run of WSP, not inside it");
	check_fold("To: a,\r\n  bbbbbbbbbb cc\r\n", 14,
	    "To: a,\r\n  bbbbbbbbbb\r\n cc\r\n",
	    "a continuation line is folded, never left blank");
	check_fold("X: 0123456789abcdef\r\n", 10, "(cannot fold)",
	    "no WSP in reach: cannot fold");
	check_fold("X:       aaaaaaaaaaaa\r\n", 10, "(cannot fold)",
	    "only leading WSP: cannot fold");
	check_fold("X: a b", 4, "X: a\r\n b", "last line without CRLF");

	/* A 10,000-address line: every line within the limit, and
	 * unfolding gives the original back. */
	buf_puts(&in, "To: ");
	for (i = 0; i < 10000; i++)
		buf_printf(&in, "%srcpt%zu@example.com", i ? ", " : "", i);
	buf_puts(&in, "\r\n");
	is_int(hdr_fold(in.data, in.len, HDR_LINE_MAX, &out), 0,
	    "10,000 addresses on one line fold");
	ok(hdr_longest_line(out.data, out.len) <= HDR_LINE_MAX,
	    "10,000 addresses: no line over 998 octets");
	hdr_unfold(out.data, out.len, &unf);
	is_str(buf_cstr(&unf), buf_cstr(&in), "10,000 addresses: unfold back");
	buf_free(&in);
	buf_free(&out);
	buf_free(&unf);
}

int
main(void)
{
	test_line_kinds();
	test_appendix_a();
	test_a63();
	test_a4();
	test_boundaries();
	test_fields();
	test_is();
	test_first_fields();
	test_unfold();
	test_longest_line();
	test_fold();
	return tap_done();
}
