/* Aliases: the aliases(5) parser, lookups, and expansion with loops. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "localaddr.h"
#include "tap.h"

/* The addr-specs of an alias joined with ",", or "(none)". */
static char *
specs_of(const struct aliases *t, const char *name)
{
	const struct alias *a =
	    strcmp(name, "*") == 0 ? alias_catchall(t) : alias_find(t, name);
	struct buf b = BUF_INIT;
	size_t i;

	if (a == NULL)
		return strdup("(none)");
	for (i = 0; i < a->to.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", a->to.v[i].spec);
	return buf_release(&b);
}

static void
is_alias(const struct aliases *t, const char *name, const char *want)
{
	char *got = specs_of(t, name), label[128];

	snprintf(label, sizeof(label), "alias %s", name);
	is_str(got, want, label);
	free(got);
}

static int
parse(struct aliases *t, const char *text, struct err *e)
{
	err_clear(e);
	memset(t, 0, sizeof(*t));
	if (alias_parse(t, text, strlen(text), "aliases", e) < 0)
		return -1;
	return alias_finish(t, e);
}

static void
syntax(void)
{
	struct aliases t;
	struct err e = {0};

	is_int(parse(&t,
	           "# system aliases\n"
	           "\n"
	           "root: ops@example.org\n"
	           "Postmaster : root\n"
	           "   # an indented comment\n"
	           "alice: alice@example.net,\n"
	           "\talice@example.com\r\n"
	           "  , Alice Two <a2@example.com>\n"
	           "bob:\"b o b\"@example.org (Bob), <bob@localhost>\n"
	           "default: catch@example.org\n",
	           &e),
	    0, "file parses");
	is_int((long long)t.n, 5, "five aliases");
	is_alias(&t, "root", "ops@example.org");
	is_alias(&t, "postmaster", "root");
	is_alias(&t, "POSTMASTER", "root");
	is_alias(&t, "alice",
	    "alice@example.net,alice@example.com,a2@example.com");
	is_alias(&t, "bob", "\"b o b\"@example.org,bob@localhost");
	is_alias(&t, "*", "catch@example.org");
	is_alias(&t, "default", "(none)");
	is_alias(&t, "carol", "(none)");
	alias_free(&t);

	is_int(parse(&t, "*: all@example.org", &e), 0, "\"*\" without newline");
	is_alias(&t, "*", "all@example.org");
	alias_free(&t);
	is_int(parse(&t, "", &e), 0, "empty file");
	is_int((long long)t.n, 0, "empty file: no aliases");
	alias_free(&t);
}

static void
bad(const char *text, const char *want, const char *name)
{
	struct aliases t;
	struct err e = {0};
	char label[128];

	snprintf(label, sizeof(label), "%s: refused", name);
	is_int(parse(&t, text, &e), -1, label);
	snprintf(label, sizeof(label), "%s: message", name);
	is_str(e.msg, want, label);
	ok(e.kind == ERR_CONFIG, "ERR_CONFIG");
	alias_free(&t);
	err_clear(&e);
}

static void
errors(void)
{
	bad("root ops@example.org\n",
	    "aliases:1: expected \"name: address, ...\"", "no colon");
	bad("a: b@x\n\nroot:\n", "aliases:3: alias 'root' has no address",
	    "empty value");
	bad("root: |/usr/bin/procmail, a@\n",
	    "aliases:1: alias 'root': expected domain at offset 24",
	    "a pipe beside a bad address");
	bad(" ops@example.org\n",
	    "aliases:1: continuation line without an alias before it",
	    "leading continuation");
	bad("a b: x@y\n",
	    "aliases:1: 'a b' cannot be an alias name "
	    "(letters, digits, '.', '_', '-')",
	    "name with a space");
	bad("root: a@x\nRoot: b@x\n",
	    "aliases:2: alias 'root' is also defined at aliases:1",
	    "defined twice");
	bad("default: a@x\n*: b@x\n",
	    "aliases:2: alias '*' is also defined at aliases:1",
	    "two catch-alls");
}

/* An alias's addresses, the entries left out, and what is said of them. */
static void
is_left_out(const struct aliases *t, const char *name, const char *specs,
    unsigned left_out, const char *why)
{
	const struct alias *a = alias_find(t, name);
	char label[128];

	is_alias(t, name, specs);
	snprintf(label, sizeof(label), "alias %s: the entries left out", name);
	is_int(a ? (long long)a->left_out : -1, left_out, label);
	snprintf(label, sizeof(label), "alias %s: why", name);
	is_str(a ? alias_left_out_why(a) : "(none)", why, label);
	snprintf(label, sizeof(label), "alias %s: %s", name,
	    specs[0] == '\0' ? "unusable" : "usable");
	ok(a != NULL && alias_unusable(a) == (specs[0] == '\0'), label);
}

/*
 * Pipes, files and :include: (Debian's /etc/aliases has them for other
 * mail transports) are left out, recorded; they stop nothing else.
 */
static void
left_out(void)
{
	struct aliases t;
	struct err e = {0};

	is_int(
	    parse(&t,
	        "root: admin@example.org\n"
	        "pipe: |/usr/bin/procmail\n"
	        "file: /var/mail/x\n"
	        "inc: :include:/etc/list\n"
	        "INC2: :INCLUDE: /etc/list\n"
	        "quoted: \"|/usr/bin/vacation bob\", \"/var/log/v\"\n"
	        "mixed: a@example.org,\n"
	        "\t|/usr/bin/foo, b@example.org (one, two)\n"
	        "commas: \"|/bin/x a,b\", \"c,d\"@example.org, <e@example.org>\n"
	        "all: |/bin/a, /var/b, :include:/c\n",
	        &e),
	    0, "a Debian-like file parses");
	is_left_out(&t, "root", "admin@example.org", 0, NULL);
	is_left_out(&t, "pipe", "", ALIAS_PIPE, "pipes are not supported");
	is_left_out(&t, "file", "", ALIAS_FILE, "files are not supported");
	is_left_out(&t, "inc", "", ALIAS_INCLUDE, ":include: is not supported");
	is_left_out(&t, "inc2", "", ALIAS_INCLUDE,
	    ":include: is not supported");
	is_left_out(&t, "quoted", "", ALIAS_PIPE | ALIAS_FILE,
	    "pipes and files are not supported");
	is_left_out(&t, "mixed", "a@example.org,b@example.org", ALIAS_PIPE,
	    "pipes are not supported");
	is_left_out(&t, "commas", "\"c,d\"@example.org,e@example.org",
	    ALIAS_PIPE, "pipes are not supported");
	is_left_out(&t, "all", "", ALIAS_PIPE | ALIAS_FILE | ALIAS_INCLUDE,
	    "pipes, files and :include: are not supported");
	alias_free(&t);
}

/* What local_expand() makes of the address s, joined with ",". */
static char *
expand(struct localmap *m, const char *s, struct err *e)
{
	struct speclist out = {0};
	struct addr a;
	struct buf b = BUF_INIT;
	size_t i;

	if (addr_parse_one(s, &a, 0, e) < 0)
		return strdup("(bad address)");
	if (local_expand(m, &a, &out, e) < 0)
		buf_puts(&b, "(error)");
	for (i = 0; i < out.n; i++)
		buf_printf(&b, "%s%s%s%s%s", i ? "," : "", out.v[i],
		    out.why[i] ? " (fails: " : "", out.why[i] ? out.why[i] : "",
		    out.why[i] ? ")" : "");
	for (i = 0; i < out.nnotes; i++)
		buf_printf(&b, " [%s]", out.notes[i]);
	addr_free(&a);
	speclist_free(&out);
	return buf_release(&b);
}

static void
is_expansion(struct localmap *m, const char *s, const char *want)
{
	struct err e = {0};
	char *got = expand(m, s, &e), label[160];

	snprintf(label, sizeof(label), "expand %s", s);
	is_str(got, want, label);
	free(got);
	err_clear(&e);
}

static void
expansion(void)
{
	struct conf c;
	struct localmap m;
	struct err e = {0};

	memset(&c, 0, sizeof(c));
	c.domain = strdup("example.org");
	is_int(alias_parse(&c.aliases,
	           "root: ops@example.org, alice\n"
	           "alice: alice@example.net\n"
	           "self: self, copy@example.net\n"
	           "a: b\nb: c, a\nc: c@example.net\n"
	           "fan: alice, root, alice@localhost\n"
	           "local: someone@localhost, ops@example.org\n",
	           strlen("root: ops@example.org, alice\n"
	                  "alice: alice@example.net\n"
	                  "self: self, copy@example.net\n"
	                  "a: b\nb: c, a\nc: c@example.net\n"
	                  "fan: alice, root, alice@localhost\n"
	                  "local: someone@localhost, ops@example.org\n"),
	           "aliases", &e),
	    0, "expansion table parses");
	alias_finish(&c.aliases, &e);
	localmap_init(&m, &c);
	is_expansion(&m, "root", "ops@example.org,alice@example.net");
	is_expansion(&m, "ROOT@localhost", "ops@example.org,alice@example.net");
	is_expansion(&m, "Root <root@localhost.localdomain>",
	    "ops@example.org,alice@example.net");
	is_expansion(&m, "bob", "bob@example.org");
	is_expansion(&m, "bob@localhost", "bob@example.org");
	is_expansion(&m, "root@example.org", "root@example.org");
	is_expansion(&m, "self", "self@example.org,copy@example.net");
	is_expansion(&m, "a", "c@example.net,a@example.org");
	/* alice is expanded once, however often it is reached. */
	is_expansion(&m, "fan", "alice@example.net,ops@example.org");
	is_expansion(&m, "local", "someone@example.org,ops@example.org");
	localmap_free(&m);

	/* The catch-all takes every local name that is not listed. */
	alias_free(&c.aliases);
	alias_parse(&c.aliases,
	    "root: root, admin\n*: postmaster\npostmaster: pm@example.net\n",
	    strlen("root: root, admin\n*: postmaster\n"
	           "postmaster: pm@example.net\n"),
	    "aliases", &e);
	alias_finish(&c.aliases, &e);
	localmap_init(&m, &c);
	is_expansion(&m, "carol", "pm@example.net");
	is_expansion(&m, "root", "root@example.org,pm@example.net");
	is_expansion(&m, "x@elsewhere.example", "x@elsewhere.example");
	localmap_free(&m);

	/* Without a listed postmaster the catch-all ends at itself. */
	alias_free(&c.aliases);
	alias_parse(&c.aliases, "default: postmaster\n",
	    strlen("default: postmaster\n"), "aliases", &e);
	alias_finish(&c.aliases, &e);
	localmap_init(&m, &c);
	is_expansion(&m, "carol", "postmaster@example.org");
	localmap_free(&m);
	conf_free(&c);
}

/* Where local_return_expand() sends mail back to sender s, or "(sender)". */
static void
is_return(struct localmap *m, const char *s, const char *want)
{
	struct speclist out = {0};
	struct buf b = BUF_INIT;
	struct err e = {0};
	char label[160];
	size_t i;

	if (local_return_expand(m, s, &out, &e) < 0)
		buf_puts(&b, "(error)");
	for (i = 0; i < out.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", out.v[i]);
	if (out.n == 0)
		buf_puts(&b, "(sender)");
	snprintf(label, sizeof(label), "bounce to %s", s);
	is_str(buf_cstr(&b), want, label);
	buf_free(&b);
	speclist_free(&out);
	err_clear(&e);
}

/* Bounces to a sender that the aliases name follow them. */
static void
return_expansion(void)
{
	static const char table[] = "root: ops@example.org, admin\n"
	                            "admin: admin@example.net\n"
	                            "pipe: |/usr/bin/procmail\n"
	                            "both: b@example.net, |/bin/cat\n"
	                            "*: catch@example.org\n";
	struct conf c;
	struct localmap m;
	struct err e = {0};

	memset(&c, 0, sizeof(c));
	c.domain = strdup("example.org");
	alias_parse(&c.aliases, table, strlen(table), "aliases", &e);
	is_int(alias_finish(&c.aliases, &e), 0, "a table for bounces parses");
	localmap_init(&m, &c);
	is_return(&m, "root@example.org", "ops@example.org,admin@example.net");
	is_return(&m, "Root@EXAMPLE.org", "ops@example.org,admin@example.net");
	is_return(&m, "root@example.com", "(sender)");
	is_return(&m, "carol@example.org", "(sender)");
	is_return(&m, "pipe@example.org", "(sender)");
	is_return(&m, "both@example.org", "b@example.net");
	is_return(&m, "", "(sender)");
	is_return(&m, "root", "(sender)");
	m.noalias = 1;
	is_return(&m, "root@example.org", "(sender)");
	localmap_free(&m);
	conf_free(&c);
}

/*
 * What the aliases left out: a recipient of nothing else fails, with why;
 * one with addresses besides gets them, with a note.
 */
static void
left_out_expansion(void)
{
	static const char table[] = "root: admin@example.org\n"
	                            "pipe: |/usr/bin/procmail\n"
	                            "both: ops@example.org, /var/mail/both\n"
	                            "team: pipe, b@example.net\n"
	                            "chain: pipe\n"
	                            "twice: pipe, chain\n";
	struct conf c;
	struct localmap m;
	struct err e = {0};

	memset(&c, 0, sizeof(c));
	c.domain = strdup("example.org");
	is_int(alias_parse(&c.aliases, table, strlen(table), "aliases", &e), 0,
	    "a table with pipes and files parses");
	alias_finish(&c.aliases, &e);
	localmap_init(&m, &c);
	is_expansion(&m, "root", "admin@example.org");
	is_expansion(&m, "pipe",
	    "pipe@example.org (fails: aliases:2: alias 'pipe': pipes are not "
	    "supported)");
	is_expansion(&m, "Pipe@localhost",
	    "Pipe@example.org (fails: aliases:2: alias 'pipe': pipes are not "
	    "supported)");
	is_expansion(&m, "both",
	    "ops@example.org [<both@example.org>: aliases:3: alias 'both': "
	    "files are not supported; its other addresses are used]");
	is_expansion(&m, "team",
	    "b@example.net [<team@example.org>: aliases:2: alias 'pipe': "
	    "pipes are not supported; its other addresses are used]");
	is_expansion(&m, "chain",
	    "chain@example.org (fails: aliases:2: alias 'pipe': pipes are not "
	    "supported)");
	is_expansion(&m, "twice",
	    "twice@example.org (fails: aliases:2: alias 'pipe': pipes are not "
	    "supported)");
	is_expansion(&m, "pipe@example.net", "pipe@example.net");
	m.noalias = 1;
	is_expansion(&m, "pipe", "pipe@example.org");
	localmap_free(&m);
	conf_free(&c);
}

/* A chain deeper than the limit is reported, not followed forever. */
static void
depth(void)
{
	struct conf c;
	struct localmap m;
	struct err e = {0};
	struct buf t = BUF_INIT;
	char *got;
	int i;

	memset(&c, 0, sizeof(c));
	c.domain = strdup("example.org");
	for (i = 0; i < 100; i++)
		buf_printf(&t, "n%d: n%d\n", i, i + 1);
	alias_parse(&c.aliases, t.data, t.len, "deep", &e);
	alias_finish(&c.aliases, &e);
	localmap_init(&m, &c);
	got = expand(&m, "n0", &e);
	is_str(got, "(error)", "100 nested aliases: error");
	ok(e.kind == ERR_CONFIG && e.msg != NULL &&
	        strstr(e.msg, "nested more than 64 deep") != NULL,
	    "100 nested aliases: says why");
	free(got);
	err_clear(&e);
	got = expand(&m, "n40", &e);
	is_str(got, "n100@example.org", "60 nested aliases: followed");
	free(got);
	localmap_free(&m);
	buf_free(&t);
	conf_free(&c);
}

int
main(void)
{
	syntax();
	errors();
	left_out();
	expansion();
	left_out_expansion();
	return_expansion();
	depth();
	return tap_done();
}
