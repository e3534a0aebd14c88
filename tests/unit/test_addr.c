#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "header.h"
#include "tap.h"
#include "testdata.h"

/*
 * Split the next line of a TSV file into at most 3 columns, in place.
 * Returns 0 at the end of the data.
 */
static int
tsv_next(char **p, char *col[3])
{
	char *line = *p, *nl, *tab;
	int i;

	if (*line == '\0')
		return 0;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = line + strlen(line);
	for (i = 0; i < 3; i++) {
		col[i] = line;
		tab = strchr(line, '\t');
		if (tab != NULL) {
			*tab = '\0';
			line = tab + 1;
		} else
			line += strlen(line);
	}
	return 1;
}

/* The specs of l joined with "," (what the TSV files hold). */
static char *
join_specs(const struct addr_list *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		buf_puts(&b, l->v[i].spec);
	}
	return buf_release(&b);
}

static void
test_cases(void)
{
	struct err e = {ERR_NONE, NULL};
	char *data, *p, *col[3], *got, name[400];
	size_t len;
	int row = 0, rc;

	data = read_data("address-cases.tsv", &len);
	if (data == NULL) {
		ok(0, "address-cases.tsv");
		return;
	}
	p = data;
	tsv_next(&p, col); /* the header row */
	while (tsv_next(&p, col)) {
		struct addr_list l = ADDR_LIST_INIT;

		rc = addr_parse_list(col[0], strlen(col[0]), &l, &e);
		got = join_specs(&l);
		snprintf(name, sizeof(name), "case %d (%s): %s", ++row, col[2],
		    col[0]);
		if (rc != 0)
			printf("# error: %s\n", e.msg);
		is_str(rc == 0 ? got : e.msg, col[1], name);
		free(got);
		addr_list_free(&l);
	}
	is_int(row, 54, "address-cases.tsv has 54 rows");
	err_clear(&e);
	free(data);
}

static int
list_has(const struct addr_list *l, const char *spec)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].spec, spec) == 0 ||
		    strcmp(l->v[i].local, spec) == 0)
			return 1;
	return 0;
}

/* A refused list leaves out as it was (here: one address already in). */
static void
check_invalid(const char *value, const char *never, const char *name)
{
	struct err e = {ERR_NONE, NULL};
	struct addr_list l = ADDR_LIST_INIT;
	int rc;

	addr_parse_list("first@example.org", 17, &l, &e);
	rc = addr_parse_list(value, strlen(value), &l, &e);
	ok(rc == -1 && e.kind == ERR_DATA && e.msg != NULL && l.n == 1 &&
	        strcmp(l.v[0].spec, "first@example.org") == 0 &&
	        (*never == '\0' || !list_has(&l, never)),
	    name);
	printf("# %s\n", e.msg ? e.msg : "(no error)");
	addr_list_free(&l);
	err_clear(&e);
}

static void
test_invalid(void)
{
	char *data, *p, *col[3], name[400];
	size_t len;
	int row = 0;

	data = read_data("address-invalid.tsv", &len);
	if (data == NULL) {
		ok(0, "address-invalid.tsv");
		return;
	}
	p = data;
	tsv_next(&p, col);
	while (tsv_next(&p, col)) {
		snprintf(name, sizeof(name), "invalid %d (%s) refused: %s",
		    ++row, col[2], col[0]);
		check_invalid(col[0], col[1], name);
	}
	is_int(row, 16, "address-invalid.tsv has 16 rows");
	free(data);
}

static int
is_resent(const struct hdr_field *f)
{
	return f->namelen >= 7 && strncasecmp(f->name, "Resent-", 7) == 0;
}

/*
 * The -t recipients of a message: To, Cc and Bcc, or their Resent-
 * versions when any Resent- field exists (and use_resent is set).
 */
static char *
message_rcpts(const char *msg, size_t len, int use_resent, char **errmsg)
{
	static const char *plain[] = {"To", "Cc", "Bcc"};
	static const char *resent[] = {"Resent-To", "Resent-Cc", "Resent-Bcc"};
	const char **names = plain;
	struct addr_list l = ADDR_LIST_INIT;
	struct err e = {ERR_NONE, NULL};
	struct hdr_iter it;
	struct hdr_field f;
	char *got;
	int i;

	hdr_iter_init(&it, msg, len);
	while (use_resent && hdr_next(&it, &f))
		if (is_resent(&f))
			names = resent;
	hdr_iter_init(&it, msg, len);
	while (hdr_next(&it, &f)) {
		for (i = 0; i < 3; i++)
			if (hdr_is(&f, names[i]) &&
			    addr_parse_list(f.value, f.valuelen, &l, &e) ==
			        -1 &&
			    *errmsg == NULL)
				*errmsg = strdup(e.msg);
	}
	got = join_specs(&l);
	addr_list_free(&l);
	err_clear(&e);
	return got;
}

static void
check_message(const char *rel, const char *want, int use_resent)
{
	char *msg, *got, *errmsg = NULL, name[200];
	size_t len;

	snprintf(name, sizeof(name), "%s%s", rel,
	    use_resent ? "" : " (Resent- ignored)");
	msg = read_data(rel, &len);
	if (msg == NULL) {
		ok(0, name);
		return;
	}
	got = message_rcpts(msg, len, use_resent, &errmsg);
	if (errmsg != NULL)
		printf("# error: %s\n", errmsg);
	is_str(errmsg == NULL ? got : errmsg, want, name);
	free(errmsg);
	free(got);
	free(msg);
}

static void
test_messages(void)
{
	char *data, *p, *col[3], rel[100], *want;
	size_t len;
	int rows = 0;

	data = read_data("rfc5322-appendix-a/expected.tsv", &len);
	if (data == NULL) {
		ok(0, "rfc5322-appendix-a/expected.tsv");
		return;
	}
	p = data;
	tsv_next(&p, col);
	while (tsv_next(&p, col)) {
		snprintf(rel, sizeof(rel), "rfc5322-appendix-a/%s", col[0]);
		check_message(rel, col[1], 1);
		if (*col[2] != '\0')
			check_message(rel, col[2], 0);
		rows++;
	}
	is_int(rows, 14, "expected.tsv has 14 messages");
	free(data);
	want = read_data("messages/msmtp-header-handling.expected", &len);
	if (want != NULL && len > 0 && want[len - 1] == '\n')
		want[len - 1] = '\0';
	check_message("messages/msmtp-header-handling.eml", want, 1);
	free(want);
}

/* Replace the span of every address in value with repl. */
static char *
replace_spans(const char *value, const struct addr_list *l, const char *repl)
{
	struct buf b = BUF_INIT;
	size_t i, pos = 0;

	for (i = 0; i < l->n; i++) {
		buf_append(&b, value + pos, l->v[i].start - pos);
		buf_puts(&b, repl);
		pos = l->v[i].end;
	}
	buf_puts(&b, value + pos);
	return buf_release(&b);
}

static void
check_spans(const char *value, const char *want, const char *name)
{
	struct err e = {ERR_NONE, NULL};
	struct addr_list l = ADDR_LIST_INIT;
	char *got;

	if (addr_parse_list(value, strlen(value), &l, &e) == -1) {
		is_str(e.msg, want, name);
		err_clear(&e);
		return;
	}
	got = replace_spans(value, &l, "new@example.org");
	is_str(got, want, name);
	free(got);
	addr_list_free(&l);
}

static void
test_spans(void)
{
	check_spans("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . "
	            "example (Jdoe)",
	    "Mary Smith <new@example.org>, , new@example.org (Jdoe)",
	    "span: route in angle-addr, obs-domain");
	check_spans(" to1@example.com,\n\t=?utf-8?B?VGVzdCDDnHNlcg==?= "
	            "<to2@example.com>, Some\n\tOne <to3@example.com>,",
	    " new@example.org,\n\t=?utf-8?B?VGVzdCDDnHNlcg==?= "
	    "<new@example.org>, Some\n\tOne <new@example.org>,",
	    "span: folded value (msmtp To)");
	check_spans(" Mary Smith\r\n  \r\n          <mary@example.net>",
	    " Mary Smith\r\n  \r\n          <new@example.org>",
	    "span: folded value (A.6.3 To)");
	check_spans("(f\\)\\()a@b.c (x), <spaceman@(wtf)example.org  >",
	    "(f\\)\\()new@example.org (x), <new@example.org>",
	    "span: comments around a bare and inside an angle addr-spec");
	check_spans("G: a.(x)b@c, \"q\" <x@y>;, root (Cron Daemon)",
	    "G: new@example.org, \"q\" <new@example.org>;, new@example.org "
	    "(Cron Daemon)",
	    "span: group members and an unqualified name");
}

/* Parse value, expecting one address; check spec, domain and angle. */
static void
check_one_addr(const char *value, const char *spec, const char *domain,
    int angle, const char *name)
{
	struct err e = {ERR_NONE, NULL};
	struct addr_list l = ADDR_LIST_INIT;
	int rc = addr_parse_list(value, strlen(value), &l, &e);

	ok(rc == 0 && l.n == 1 && strcmp(l.v[0].spec, spec) == 0 &&
	        (domain == NULL ? l.v[0].domain == NULL
	                        : l.v[0].domain != NULL &&
	                    strcmp(l.v[0].domain, domain) == 0) &&
	        l.v[0].angle == angle,
	    name);
	if (rc != 0)
		printf("# error: %s\n", e.msg);
	addr_list_free(&l);
	err_clear(&e);
}

static void
test_unqualified(void)
{
	check_one_addr("root (Cron Daemon)", "root", NULL, 0,
	    "unqualified: root (Cron Daemon)");
	check_one_addr("Anacron <root>", "root", NULL, 1,
	    "unqualified: Anacron <root>");
	check_one_addr("to4", "to4", NULL, 0, "unqualified: to4");
	check_one_addr("_cron-failure", "_cron-failure", NULL, 0,
	    "unqualified: _cron-failure");
	check_one_addr(" <fail2ban> ", "fail2ban", NULL, 1,
	    "unqualified: <fail2ban>");
	check_one_addr("first.last", "first.last", NULL, 0,
	    "unqualified: first.last");
	check_invalid("-oops", "", "unqualified: leading - refused");
	check_invalid("\"root\".x#y", "", "unqualified: # refused");
	check_invalid("<jdoe#machine.example>", "",
	    "unqualified: <jdoe#machine.example> refused");
	check_invalid("John Doe", "", "unqualified: a phrase refused");
}

/* A list that must be refused with a message containing what. */
static void
check_error(const char *value, size_t len, const char *what, const char *name)
{
	struct err e = {ERR_NONE, NULL};
	struct addr_list l = ADDR_LIST_INIT;
	int rc = addr_parse_list(value, len, &l, &e);

	ok(rc == -1 && l.n == 0 && e.kind == ERR_DATA && e.msg != NULL &&
	        strstr(e.msg, what) != NULL,
	    name);
	if (rc != -1 || e.msg == NULL || strstr(e.msg, what) == NULL)
		printf("#   got: %s\n#   want: %s\n", e.msg, what);
	addr_list_free(&l);
	err_clear(&e);
}

static void
test_controls(void)
{
	check_error("a@b.c,\rd@e.f", 12, "control character at offset 6",
	    "bare CR refused");
	check_error("a@b.c,\nd@e.f", 12, "control character at offset 6",
	    "LF not followed by WSP refused");
	check_error("a@b.c\r\n", 7, "control character at offset 5",
	    "final CRLF refused");
	check_error("a@b.c\r\nd", 8, "control character at offset 5",
	    "CRLF not followed by WSP refused");
	check_error("a@b\0.c", 6, "control character at offset 3",
	    "NUL refused");
	check_error("a@b.c\x7f", 6, "control character at offset 5",
	    "DEL refused");
	check_error("\"a\x01\"@b.c", 8, "control character at offset 2",
	    "control in a quoted string refused");
	check_error("(x\x1b)a@b.c", 9, "control character at offset 2",
	    "control in a comment refused");
	check_error("a@[1.2\x0c.3.4]", 12, "control character at offset 6",
	    "control in a domain literal refused");
	check_error("\"a\\\x01\"@b.c", 9, "control character at offset 3",
	    "control in a quoted-pair refused");
	check_one_addr("a@b.c\r\n (x)", "a@b.c", "b.c", 0, "CRLF SP is FWS");
	check_one_addr("\"a\r\n b\"@c", "\"a b\"@c", "c", 0,
	    "fold inside a quoted string");
}

static void
test_errors(void)
{
	check_error("cfws@example.com (", 18,
	    "unterminated comment at offset 17", "error: unterminated comment");
	check_error("alice@example.org )Alice(", 25,
	    "expected \",\" or end of list at offset 18", "error: stray )");
	check_error("\"abc", 4, "unterminated quoted string at offset 0",
	    "error: unterminated quoted string");
	check_error("a@[1.2", 6, "unterminated domain literal at offset 2",
	    "error: unterminated domain literal");
	check_error("G: a@b", 6, "\";\"", "error: group without ;");
	check_error("G: a@b; c@d", 11, "expected \",\" or end of list",
	    "error: no comma after a group");
	check_error("G: H: a@b;;", 11, "group not allowed",
	    "error: nested group");
	check_error("<>", 2, "empty address", "error: <> in a list");
	check_error("a@b.", 4, "expected domain", "error: trailing dot");
	check_error("a@", 2, "expected domain", "error: no domain");
	check_error("<@a:>", 5, "empty address", "error: route, no address");
	check_error("<@a@b:c@d>", 10, "after route", "error: bad route");
	check_error("a@b c@d", 7, "expected \",\"", "error: missing comma");
	check_error("\\a@b", 4, "expected an address", "error: backslash");
}

static void
test_more_valid(void)
{
	check_one_addr("\"S\xc3\xbcrname, Firstname\" <to@example.com>",
	    "to@example.com", "example.com", 1, "UTF-8 in a display name");
	check_one_addr("Micro <\xc2\xb5@example.com>", "\xc2\xb5@example.com",
	    "example.com", 1, "UTF-8 local part");
	check_one_addr("a@b\xc3\xa9.example", "a@b\xc3\xa9.example",
	    "b\xc3\xa9.example", 0, "UTF-8 domain");
	check_one_addr("x@[ 1.2.3.4 ]", "x@[1.2.3.4]", "[1.2.3.4]", 0,
	    "FWS in a domain literal dropped");
	check_one_addr("<,@a, ,@b:x@y>", "x@y", "y", 1, "route with commas");
	check_one_addr("\"e\"@c.d", "e@c.d", "c.d", 0, "needless quotes go");
	check_one_addr("\"\"@c.d", "\"\"@c.d", "c.d", 0, "empty local part");
	check_one_addr("Joe Q. Public <john.q.public@example.com>",
	    "john.q.public@example.com", "example.com", 1, "obs-phrase");
}

static void
check_parse_one(const char *s, int allow_null, const char *want,
    const char *name)
{
	struct err e = {ERR_NONE, NULL};
	struct addr a = {NULL, NULL, NULL, 0, 0, 0};
	int rc = addr_parse_one(s, &a, allow_null, &e);

	if (want == NULL)
		ok(rc == -1 && e.kind == ERR_DATA && e.msg != NULL, name);
	else
		is_str(rc == 0 ? a.spec : e.msg, want, name);
	if (rc == 0)
		addr_free(&a);
	err_clear(&e);
}

static void
test_parse_one(void)
{
	check_parse_one("a@b", 0, "a@b", "one: a@b");
	check_parse_one("<a@b>", 0, "a@b", "one: <a@b>");
	check_parse_one("Name <a@b>", 0, "a@b", "one: Name <a@b>");
	check_parse_one("  \"N, M\" <a@b>  ", 0, "a@b", "one: quoted name");
	check_parse_one("a@b (comment)", 0, "a@b", "one: comment");
	check_parse_one(" root ", 0, "root", "one: login name");
	check_parse_one("<>", 1, "", "one: null sender <>");
	check_parse_one(" < > ", 1, "", "one: null sender < >");
	check_parse_one("", 1, "", "one: null sender, empty");
	check_parse_one("<>", 0, NULL, "one: <> refused without allow_null");
	check_parse_one("", 0, NULL, "one: empty refused without allow_null");
	check_parse_one("a@b, c@d", 0, NULL, "one: two addresses refused");
	check_parse_one("a@b,", 0, NULL, "one: trailing comma refused");
	check_parse_one("G: a@b;", 0, NULL, "one: group refused");
	check_parse_one("John Doe", 0, NULL, "one: phrase refused");
	check_parse_one("<> x", 1, NULL, "one: <> and more refused");
	check_parse_one("a@b (", 0, NULL, "one: unterminated comment");
}

static void
test_helpers(void)
{
	struct buf b = BUF_INIT;
	char *q;

	ok(addr_is_login_name("root", 4), "login: root");
	ok(addr_is_login_name("a.b_c-d9", 8), "login: a.b_c-d9");
	ok(!addr_is_login_name("", 0), "login: empty");
	ok(!addr_is_login_name("-r", 2), "login: leading -");
	ok(!addr_is_login_name(".r", 2), "login: leading .");
	ok(!addr_is_login_name("a b", 3), "login: space");
	ok(!addr_is_login_name("a@b", 3), "login: @");
	ok(addr_is_login_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                      "aaaaaaaaaaaaaaaa",
	       64),
	    "login: 64 octets");
	ok(!addr_is_login_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                       "aaaaaaaaaaaaaaaaaa",
	       65),
	    "login: 65 octets");
	is_str(q = addr_quote_local("a.b", 3), "a.b", "quote: dot-atom");
	free(q);
	is_str(q = addr_quote_local("john..doe", 9), "\"john..doe\"",
	    "quote: two dots");
	free(q);
	is_str(q = addr_quote_local("a\"b\\", 4), "\"a\\\"b\\\\\"",
	    "quote: escapes \" and \\ only");
	free(q);
	is_str(q = addr_quote_local("a b", 3), "\"a b\"", "quote: space");
	free(q);
	is_str(q = addr_quote_local("", 0), "\"\"", "quote: empty");
	free(q);
	buf_puts(&b, "x ");
	addr_put_quoted(&b, "a\"b\\c.", 5);
	is_str(buf_cstr(&b), "x \"a\\\"b\\\\c\"",
	    "quoted-string: appended, only \" and \\ escaped, length kept");
	buf_free(&b);
}

/* Long input: 10,000 addresses, and comments nested 100,000 deep. */
static void
test_big(void)
{
	struct err e = {ERR_NONE, NULL};
	struct addr_list l = ADDR_LIST_INIT;
	struct buf b = BUF_INIT;
	int i, rc;

	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%sUser %d <user%d@example.org>",
		    i ? ",\r\n " : "", i, i);
	rc = addr_parse_list(b.data, b.len, &l, &e);
	ok(rc == 0 && l.n == 10000 &&
	        strcmp(l.v[9999].spec, "user9999@example.org") == 0,
	    "10,000 addresses");
	addr_list_free(&l);
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "a@b");
	for (i = 0; i < 100000; i++)
		buf_putc(&b, ')');
	rc = addr_parse_list(b.data, b.len, &l, &e);
	ok(rc == 0 && l.n == 0, "comments nested 100,000 deep");
	b.len -= 1;
	check_error(b.data, b.len, "unterminated comment at offset 0",
	    "unterminated deep comment");
	buf_free(&b);
	err_clear(&e);
}

int
main(void)
{
	test_cases();
	test_invalid();
	test_messages();
	test_spans();
	test_unqualified();
	test_controls();
	test_errors();
	test_more_valid();
	test_parse_one();
	test_helpers();
	test_big();
	return tap_done();
}
