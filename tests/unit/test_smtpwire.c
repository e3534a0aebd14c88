/* What goes into SMTP commands: xtext (RFC 3461 4), paths (RFC 5321). */
#include "config.h"

#include <stdlib.h>

#include "smtpwire.h"
#include "tap.h"

static void
xtext(const char *in, const char *want, const char *name)
{
	char *got = smtp_xtext(in);

	is_str(got, want, name);
	free(got);
}

static void
path(const char *in, const char *want, const char *name)
{
	char *got = smtp_path_addr(in);

	is_str(got, want, name);
	free(got);
}

int
main(void)
{
	xtext("a+b=c d", "a+2Bb+3Dc+20d", "xtext: +, = and space encoded");
	xtext("QQ314159", "QQ314159", "xtext: plain id unchanged");
	xtext("", "", "xtext: empty stays empty");
	xtext("!~", "!~", "xtext: the ends of the range stay");
	xtext("a\tb\x7f", "a+09b+7F",
	    "xtext: controls and DEL, upper-case hex");
	xtext("j\xc3\xb6rg@x", "j+C3+B6rg@x", "xtext: each UTF-8 octet");
	xtext("rfc822;<a@b>", "rfc822;<a@b>", "xtext: ; < > @ stay");

	path("a.b@x", "a.b@x", "path: a dot-atom as it is");
	path("\"john..doe\"@example.com", "\"john..doe\"@example.com",
	    "path: not a dot-atom: stays quoted");
	path("\"john.doe\"@example.com", "john.doe@example.com",
	    "path: a quoted dot-atom goes unquoted");
	path("\"a b\"@x", "\"a b\"@x", "path: a space: quoted");
	path("\"a\\\"b\"@x", "\"a\\\"b\"@x", "path: a quote inside: escaped");
	path("\"a\\\\b\"@x", "\"a\\\\b\"@x", "path: a backslash: escaped");
	path("\"\\a\\b\"@x", "ab@x", "path: needless escapes dropped");
	path("\"a@b\"@x", "\"a@b\"@x", "path: an @ in quotes is no domain");
	path("\".a\"@x", "\".a\"@x", "path: a leading dot: quoted");
	path("\"\"@x", "\"\"@x", "path: an empty local part: quoted");
	path("", "", "path: the null path stays empty");
	path("a@[192.0.2.1]", "a@[192.0.2.1]", "path: a domain literal as is");
	path("J\xc3\xb6rg@x", "J\xc3\xb6rg@x", "path: UTF-8 atext (RFC 6531)");
	path("root", "root", "path: no domain");
	return tap_done();
}
