/* Fields mailout writes itself: the From mailbox and its display name. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mkhdr.h"
#include "tap.h"

static void
check(const char *name, const char *want, const char *label)
{
	struct buf b = BUF_INIT;

	mkhdr_mailbox(&b, name, "a@example.org");
	is_str(buf_cstr(&b), want, label);
	buf_free(&b);
}

/* Every encoded-word of s is at most 75 octets (RFC 2047 2). */
static int
words_short(const char *s)
{
	const char *p = s, *end;

	while ((p = strstr(p, "=?")) != NULL) {
		/* The "?=" inside "=?UTF-8?Q?" is not the end. */
		end = strstr(p + 10, "?=");
		if (end == NULL || end + 2 - p > 75)
			return 0;
		p = end + 2;
	}
	return 1;
}

int
main(void)
{
	struct buf b = BUF_INIT;

	check(NULL, "a@example.org", "no name");
	check("", "a@example.org", "empty name");
	check("Cron Daemon", "Cron Daemon <a@example.org>", "atoms");
	check("CronDaemon", "CronDaemon <a@example.org>", "one atom");
	check("John Q. Public", "\"John Q. Public\" <a@example.org>",
	    "a dot: quoted-string");
	check("a \"b\" \\c", "\"a \\\"b\\\" \\\\c\" <a@example.org>",
	    "quotes and backslashes escaped");
	check(" lead", "\" lead\" <a@example.org>", "leading space: quoted");
	check("two  spaces", "\"two  spaces\" <a@example.org>",
	    "two spaces: quoted");
	check("Bob\r\nBcc: x@y", "\"Bob  Bcc: x@y\" <a@example.org>",
	    "controls become spaces: no header injection");
	check("J\xc3\xb6rg", "=?UTF-8?Q?J=C3=B6rg?= <a@example.org>",
	    "UTF-8: Q-encoded");
	check("\xc3\xa9 a_b=c?",
	    "=?UTF-8?Q?=C3=A9_a=5Fb=3Dc=3F?= <a@example.org>",
	    "space is _, and _ = ? are encoded");
	check("caf\xe9", "a@example.org", "not UTF-8: the name is left out");

	mkhdr_mailbox(&b,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\x90\x8d"
	    "\xe5\x89\x8d\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82\xe9\x95\xb7"
	    "\xe3\x81\x84\xe5\x90\x8d\xe5\x89\x8d\xe3\x81\xa7\xe3\x81\x99",
	    "a@example.org");
	is_int(words_short(buf_cstr(&b)), 1,
	    "long name: every encoded-word <= 75");
	ok(strstr(buf_cstr(&b), "?= =?UTF-8?Q?") != NULL,
	    "long name: several words");
	ok(strstr(buf_cstr(&b), "=E6=97=A5") != NULL &&
	        strstr(buf_cstr(&b), "=E6=97?=") == NULL,
	    "long name: never split inside a character");
	buf_free(&b);

	buf_reset(&b);
	mkhdr_date(&b, 0);
	ok(b.len >= 29 && strstr(buf_cstr(&b), " 1970 ") != NULL,
	    "mkhdr_date: RFC 5322 date");
	buf_free(&b);
	return tap_done();
}
