/* The configuration loader: values, defaults, errors with FILE:LINE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "tap.h"

static char path[] = "/tmp/mailout-test-conf.XXXXXX";

static int
load(const char *text, struct conf *c, struct err *e)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	err_clear(e);
	return conf_load(path, c, e);
}

static void
accounts(void)
{
	struct conf c;
	struct err e = {0};
	const struct account *a;
	char want[512];

	is_int(
	    load("host = \"default.example\";\nport = 2525;\n"
	         "accounts = (\n"
	         "  { name = \"cron\"; match = \"root@*\"; },\n"
	         "  { name = \"web\"; host = \"web.example\";\n"
	         "    match = (\"*@www.example.org\", \"app-*@example.org\");"
	         " tls = \"tls\"; }\n);\n",
	        &c, &e),
	    0, "accounts load");
	is_int((long long)c.naccounts, 2, "two accounts");
	a = conf_account(&c, "cron", NULL, &e);
	is_str(a ? a->host : NULL, "default.example", "-a cron inherits host");
	is_int(a ? a->port : 0, 2525, "-a cron inherits port");
	a = conf_account(&c, NULL, "root@host.example.org", &e);
	is_str(a ? a->name : NULL, "cron", "sender root@... selects cron");
	a = conf_account(&c, NULL, "app-billing@EXAMPLE.org", &e);
	is_str(a ? a->name : NULL, "web", "pattern matches, case ignored");
	is_str(a ? a->host : NULL, "web.example", "web overrides host");
	is_int(a ? a->port : 0, 2525, "web inherits port, even with tls");
	a = conf_account(&c, NULL, "alice@example.org", &e);
	ok(a == &c.acct, "no match: the top-level account");
	a = conf_account(&c, "nope", NULL, &e);
	ok(a == NULL && e.kind == ERR_USAGE, "-a with an unknown name");
	conf_free(&c);

	is_int(load("accounts = ( { host = \"x\"; } );\n", &c, &e), -1,
	    "account without name");
	conf_free(&c);
	is_int(load("accounts = (\n { name = \"a\";\n domain = \"x\"; }\n);\n",
	           &c, &e),
	    -1, "domain in an account refused");
	snprintf(want, sizeof(want),
	    "%s:3: 'domain' cannot be set in an account", path);
	is_str(e.msg, want, "domain in an account: FILE:LINE");
	conf_free(&c);
	is_int(load("name = \"x\";\n", &c, &e), -1, "name at top level");
	conf_free(&c);
	is_int(load("accounts = ( { name = \"a\"; }, { name = \"a\"; } );\n",
	           &c, &e),
	    -1, "two accounts with one name");
	conf_free(&c);
	err_clear(&e);
}

/* The keys of message handling: aliases, from_rewrite, sender. */
static void
message_keys(void)
{
	static char apath[] = "/tmp/mailout-test-aliases.XXXXXX";
	struct conf c;
	struct err e = {0};
	char text[512], want[512];
	const struct alias *a;
	FILE *fp;
	int fd = mkstemp(apath);

	fp = fdopen(fd, "w");
	fputs("# aliases(5)\nops: ops@example.org\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text),
	    "aliases = {\n  root = \"ops\";\n"
	    "  team = [\"a@example.org\", \"b@example.org\"];\n"
	    "  default = \"catch@example.org\";\n};\n"
	    "aliases_file = \"%s\";\n"
	    "from_rewrite = \"envelope\";\nsender = \"Mailer <m@example.org>\";\n",
	    apath);
	is_int(load(text, &c, &e), 0, "aliases, from_rewrite, sender load");
	a = alias_find(&c.aliases, "team");
	is_int(a ? (long long)a->to.n : -1, 2, "an alias as a list");
	a = alias_find(&c.aliases, "ops");
	is_str(a ? a->to.v[0].spec : NULL, "ops@example.org",
	    "aliases_file read");
	ok(alias_catchall(&c.aliases) != NULL, "default is the catch-all");
	is_int(c.from_rewrite, 1, "from_rewrite envelope");
	is_str(c.sender, "m@example.org", "sender reduced to its addr-spec");
	conf_free(&c);

	snprintf(text, sizeof(text),
	    "aliases = { ops = \"x@example.org\"; };\naliases_file = \"%s\";\n",
	    apath);
	is_int(load(text, &c, &e), -1, "alias in both places refused");
	snprintf(want, sizeof(want),
	    "%s:2: alias 'ops' is also defined at %s:1", apath, path);
	is_str(e.msg, want, "alias in both places: both named");
	conf_free(&c);
	is_int(load("aliases = { root = 5; };\n", &c, &e), -1,
	    "alias of the wrong type");
	snprintf(want, sizeof(want),
	    "%s:1: an alias is a string or a list of strings", path);
	is_str(e.msg, want, "alias of the wrong type: FILE:LINE");
	conf_free(&c);
	is_int(load("aliases = {\n root = \"a@\";\n};\n", &c, &e), -1,
	    "bad alias address");
	snprintf(want, sizeof(want), "%s:2: alias 'root': ", path);
	ok(e.msg != NULL && strncmp(e.msg, want, strlen(want)) == 0,
	    "bad alias address: FILE:LINE: alias 'root': reason");
	conf_free(&c);
	is_int(load("aliases_file = \"/nonexistent/aliases\";\n", &c, &e), -1,
	    "missing aliases_file");
	ok(e.kind == ERR_NOINPUT && strstr(e.msg, "/nonexistent/aliases"),
	    "missing aliases_file: named, no input (66)");
	conf_free(&c);
	is_int(load("from_rewrite = \"always\";\n", &c, &e), -1,
	    "bad from_rewrite");
	conf_free(&c);
	is_int(load("sender = \"a@b@c\";\n", &c, &e), -1, "bad sender");
	conf_free(&c);
	unlink(apath);
	err_clear(&e);
}

int
main(void)
{
	struct conf c;
	struct err e = {0};
	char want[512];
	int fd = mkstemp(path);

	close(fd);
	is_int(load("host = \"relay.example.org\";\nport = 2525;\n"
	            "tls = \"none\";\nhelo = \"me.example.org\";\n"
	            "from = \"Bob <bob@example.org>\";\n"
	            "domain = \"example.org\";\n",
	           &c, &e),
	    0, "full file loads");
	is_str(c.acct.host, "relay.example.org", "host");
	is_int(c.acct.port, 2525, "port");
	is_int(c.acct.tls, TLS_NONE, "tls none");
	is_str(c.acct.helo, "me.example.org", "helo");
	is_str(c.acct.from, "bob@example.org", "from reduced to its addr-spec");
	is_str(conf_domain(&c), "example.org", "domain");
	is_str(conf_helo(&c, &c.acct), "me.example.org", "conf_helo");
	conf_free(&c);

	is_int(load("host = \"r\";\n", &c, &e), 0, "minimal file");
	is_int(c.acct.tls, TLS_STARTTLS, "tls defaults to starttls");
	is_int(c.acct.port, 587, "starttls defaults to port 587");
	conf_free(&c);
	load("host = \"r\"; tls = \"tls\";\n", &c, &e);
	is_int(c.acct.port, 465, "tls defaults to port 465");
	conf_free(&c);
	load("host = \"r\"; tls = \"none\";\n", &c, &e);
	is_int(c.acct.port, 25, "none defaults to port 25");
	conf_free(&c);

	is_int(load("host = \"r\";\n\nbogus = 1;\n", &c, &e), -1,
	    "unknown key refused");
	snprintf(want, sizeof(want), "%s:3: unknown setting 'bogus'", path);
	is_str(e.msg, want, "unknown key: FILE:LINE");
	is_int(e.kind, ERR_CONFIG, "unknown key: config error");
	conf_free(&c);

	is_int(load("port = 5000000000;\n", &c, &e), -1,
	    "wrapped integer refused");
	conf_free(&c);
	is_int(load("port = 5000000000L;\n", &c, &e), -1,
	    "int64 out of range refused");
	conf_free(&c);
	is_int(load("queue_dir = \"/var/q\";\n", &c, &e), 0, "queue_dir");
	is_str(c.queue_dir, "/var/q", "queue_dir value");
	conf_free(&c);

	accounts();
	message_keys();
	unlink(path);
	err_clear(&e);
	return tap_done();
}
