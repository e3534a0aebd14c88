/* Who may send as whom: the entries' parsers, patterns, the decision. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "senders.h"
#include "tap.h"

/* A rule as text: "who|group|pat,pat", or the error. */
static char *
rule(const char *text)
{
	struct sender_rule r;
	struct err e = {0};
	char out[512];
	size_t i, n;

	if (senders_parse_rule(text, "f:1", &r, &e) < 0) {
		snprintf(out, sizeof(out), "error: %s", e.msg);
		err_clear(&e);
		return strdup(out);
	}
	n = (size_t)snprintf(out, sizeof(out), "%s|%s|", r.who,
	    r.is_group ? "group" : "user");
	for (i = 0; i < r.npats; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
		    i ? "," : "", r.pats[i]);
	for (i = 0; i < r.npats; i++)
		free(r.pats[i]);
	free(r.pats);
	free(r.who);
	free(r.where);
	return strdup(out);
}

static void
is_rule(const char *text, const char *want)
{
	char *got = rule(text);

	is_str(got, want, text);
	free(got);
}

static void
rules(void)
{
	is_rule("alice: alice@example.org", "alice|user|alice@example.org");
	is_rule("  alice :*@a.example ,  b@example.org,<>  ",
	    "alice|user|*@a.example,b@example.org,<>");
	is_rule("%staff: *@example.org", "staff|group|*@example.org");
	is_rule("@staff: *@example.org", "staff|group|*@example.org");
	is_rule("*: noreply@example.org", "*|user|noreply@example.org");
	is_rule("alice",
	    "error: f:1: an entry of 'allowed_senders' is "
	    "\"user: addresses\", \"%group: addresses\" or "
	    "\"*: addresses\"");
	is_rule(": a@example.org",
	    "error: f:1: an entry of 'allowed_senders' is \"user: addresses\", "
	    "\"%group: addresses\" or \"*: addresses\"");
	is_rule("al ice: a@example.org",
	    "error: f:1: an entry of 'allowed_senders' is \"user: addresses\", "
	    "\"%group: addresses\" or \"*: addresses\"");
	is_rule("alice:", "error: f:1: 'alice' allows no address");
	is_rule("alice: a@example.org,,b@example.org",
	    "error: f:1: '' is not an address pattern (\"*@example.org\", "
	    "\"alice@example.org\", \"<>\")");
	is_rule("alice: Alice <a@example.org>",
	    "error: f:1: 'Alice <a@example.org>' is not an address pattern "
	    "(\"*@example.org\", \"alice@example.org\", \"<>\")");
	is_int(senders_trusted_ok("www-data"), 1, "trusted: a login name");
	is_int(senders_trusted_ok("%adm"), 1, "trusted: %group");
	is_int(senders_trusted_ok("@adm"), 1, "trusted: @group");
	is_int(senders_trusted_ok("%"), 0, "trusted: % alone");
	is_int(senders_trusted_ok("a b"), 0, "trusted: a space");
	is_int(senders_trusted_ok("-x"), 0, "trusted: a leading dash");
}

/* A user_from entry as text: "login|addr|account", or the error. */
static void
is_user_from(const char *text, const char *want)
{
	struct user_from u;
	struct err e = {0};
	char out[512];

	if (senders_parse_user_from(text, "f:2", &u, &e) < 0) {
		snprintf(out, sizeof(out), "error: %s", e.msg);
		is_int(e.kind, ERR_CONFIG, "user_from error: ERR_CONFIG");
		err_clear(&e);
	} else {
		snprintf(out, sizeof(out), "%s|%s|%s", u.login, u.addr,
		    u.account != NULL ? u.account : "(none)");
		free(u.login);
		free(u.addr);
		free(u.account);
		free(u.where);
	}
	is_str(out, want, text);
}

static void
user_froms(void)
{
	is_user_from("alice: alice@example.org",
	    "alice|alice@example.org|(none)");
	is_user_from("alice:Alice Example <alice@example.org> : work ",
	    "alice|alice@example.org|work");
	is_user_from("bob: bob", "bob|bob|(none)");
	is_user_from("alice",
	    "error: f:2: an entry of 'user_from' is \"user: address\" or "
	    "\"user: address: account\"");
	is_user_from("alice: a@example.org:",
	    "error: f:2: 'user_from' of alice: no account");
	is_user_from("alice: a@@example.org",
	    "error: f:2: 'user_from' of alice: expected domain at offset 2");
}

static void
patterns(void)
{
	is_int(senders_match("*@example.org", "a@example.org"), 1,
	    "*@domain matches");
	is_int(senders_match("*@example.org", "a@EXAMPLE.org"), 1,
	    "case is ignored");
	is_int(senders_match("*@example.org", "a@sub.example.org"), 0,
	    "*@domain: not a subdomain");
	is_int(senders_match("*@*.example.org", "a@sub.example.org"), 1,
	    "*@*.domain: a subdomain");
	is_int(senders_match("a@example.org", "ab@example.org"), 0,
	    "an address matches only itself");
	is_int(senders_match("<>", ""), 1, "<> matches the null sender");
	is_int(senders_match("*", ""), 0, "* does not match the null sender");
	is_int(senders_match("<>", "a@example.org"), 0,
	    "<> matches no address");
}

static char path[] = "/tmp/mailout-test-senders.XXXXXX";

static void
load(const char *text, struct conf *c)
{
	FILE *fp = fopen(path, "w");
	struct err e = {0};

	fputs(text, fp);
	fclose(fp);
	if (conf_load_sys_aliases(path, "/nonexistent/aliases", c, &e) < 0)
		printf("# %s\n", e.msg);
}

/* What senders_decide() says: "ok", or the error and its kind. */
static void
is_decision(struct conf *c, const struct sender_who *w, const char *account,
    const char *sender, const char *want)
{
	struct err e = {0};
	char got[512], label[256];

	if (senders_decide(c, w, account, sender, &e) == 0)
		snprintf(got, sizeof(got), "ok");
	else
		snprintf(got, sizeof(got), "%d %s", e.kind == ERR_NOPERM,
		    e.msg);
	err_clear(&e);
	snprintf(label, sizeof(label), "%s%s%s as <%s>",
	    w->login != NULL ? w->login : "(no name)",
	    account != NULL ? " -a " : "", account != NULL ? account : "",
	    sender);
	is_str(got, want, label);
}

static void
decisions(void)
{
	static char g_alice[] = "alice", g_staff[] = "staff", g_bob[] = "bob";
	char *staff[] = {g_alice, g_staff}, *none[] = {g_bob};
	struct sender_who alice = {0, "alice", staff, 2};
	struct sender_who bob = {0, "bob", none, 1};
	struct sender_who root = {1, "root", NULL, 0};
	struct sender_who carol = {0, "carol", NULL, 0};
	struct sender_who dave = {0, "dave", staff + 1, 1};
	struct conf c;
	char want[256];

	load("domain = \"example.org\"; host = \"127.0.0.1\";\n"
	     "from = \"cron@example.org\";\n"
	     "allowed_senders = ( \"alice: *@a.example\",\n"
	     "  \"%staff: team@example.org\", \"*: <>\" );\n"
	     "trusted_users = ( \"carol\", \"%admins\" );\n"
	     "user_from = \"bob: bob@b.example: b\";\n"
	     "accounts = ( { name = \"a\"; match = \"*@a.example\"; },\n"
	     "  { name = \"boss\"; from = \"boss@example.org\"; },\n"
	     "  { name = \"b\"; from = \"b-only@b.example\"; },\n"
	     "  { name = \"team\"; from = \"team\"; } );\n",
	    &c);
	is_decision(&c, &alice, NULL, "x@a.example", "ok");
	is_decision(&c, &alice, NULL, "team@example.org", "ok");
	is_decision(&c, &alice, NULL, "", "ok");
	is_decision(&c, &alice, NULL, "alice@example.org", "ok");
	is_decision(&c, &alice, NULL, "cron@example.org", "ok");
	is_decision(&c, &alice, NULL, "alice@a.example", "ok");
	is_decision(&c, &alice, NULL, "Alice@example.org",
	    "1 user alice may not send as <Alice@example.org> "
	    "(allowed_senders)");
	is_decision(&c, &alice, NULL, "bob@b.example",
	    "1 user alice may not send as <bob@b.example> (allowed_senders)");
	is_decision(&c, &bob, NULL, "bob@b.example", "ok");
	is_decision(&c, &bob, NULL, "team@example.org",
	    "1 user bob may not send as <team@example.org> "
	    "(allowed_senders)");
	is_decision(&c, &dave, NULL, "team@example.org", "ok");
	is_decision(&c, &root, NULL, "anyone@example.com", "ok");
	is_decision(&c, &carol, "boss", "anyone@example.com", "ok");
	/* -a: the account the sender selects, the user's, or one whose from
	 * is allowed; no other. */
	is_decision(&c, &alice, "a", "x@a.example", "ok");
	is_decision(&c, &alice, "team", "team@example.org", "ok");
	is_decision(&c, &alice, "team", "alice@example.org", "ok");
	is_decision(&c, &alice, "boss", "x@a.example",
	    "1 user alice may not use account \"boss\" (allowed_senders)");
	is_decision(&c, &alice, "b", "alice@example.org",
	    "1 user alice may not use account \"b\" (allowed_senders)");
	/* An account inherits the top level's from, which is allowed. */
	is_decision(&c, &alice, "a", "alice@example.org", "ok");
	is_decision(&c, &bob, "b", "bob@example.org", "ok");
	snprintf(want, sizeof(want), "0 no account named \"nosuch\" in %s",
	    path);
	is_decision(&c, &bob, "nosuch", "bob@example.org", want);
	conf_free(&c);

	/* Without allowed_senders, anyone may send as anyone. */
	load("domain = \"example.org\"; trusted_users = \"carol\";\n", &c);
	is_decision(&c, &bob, NULL, "boss@example.org", "ok");
	conf_free(&c);
}

int
main(void)
{
	close(mkstemp(path));
	rules();
	user_froms();
	patterns();
	decisions();
	unlink(path);
	return tap_done();
}
