/* The configuration loader: values, defaults, errors with FILE:LINE. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "tap.h"

static char path[] = "/tmp/mailout-test-conf.XXXXXX";

/* What stands for /etc/aliases: this host's must not count here. */
static const char *sys_aliases = "/nonexistent/aliases";

static int
load(const char *text, struct conf *c, struct err *e)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	err_clear(e);
	return conf_load_sys_aliases(path, sys_aliases, c, e);
}

static void
write_file(const char *name, const char *text)
{
	FILE *fp = fopen(name, "w");

	fputs(text, fp);
	fclose(fp);
}

/* The system's aliases file: read when aliases_file is not set. */
static void
system_aliases(void)
{
	static char sys[] = "/tmp/mailout-test-sysaliases.XXXXXX";
	struct conf c;
	struct err e = {0};
	const struct alias *a;
	char want[512];

	close(mkstemp(sys));
	write_file(sys,
	    "# /etc/aliases\npostmaster: root\nroot: admin@example.org\n");
	sys_aliases = sys;
	is_int(load("domain = \"example.org\";\n", &c, &e), 0,
	    "no aliases_file: the system's file is read");
	a = alias_find(&c.aliases, "root");
	is_str(a ? a->to.v[0].spec : NULL, "admin@example.org",
	    "no aliases_file: its aliases");
	is_str(c.aliases_file, sys, "no aliases_file: the file read is named");
	conf_free(&c);

	is_int(load("aliases_file = \"\";\n", &c, &e), 0,
	    "aliases_file = \"\": loads");
	ok(c.aliases.n == 0 && c.aliases_file == NULL,
	    "aliases_file = \"\": no aliases, not even the system's");
	conf_free(&c);

	/* The system's file yields to mailout.conf's own aliases. */
	is_int(load("aliases = { root = \"ops@example.org\"; };\n", &c, &e), 0,
	    "a name in both the group and the system's file: loads");
	a = alias_find(&c.aliases, "root");
	is_str(a ? a->to.v[0].spec : NULL, "ops@example.org",
	    "a name in both: the group's");
	is_int((long long)c.aliases.n, 2, "a name in both: kept once");
	snprintf(want, sizeof(want), "%s:3: alias 'root' is overridden by %s:1",
	    sys, path);
	is_str(c.aliases.nnotes == 1 ? c.aliases.notes[0] : NULL, want,
	    "a name in both: noted");
	conf_free(&c);

	/* Twice in the system's file is still an error. */
	write_file(sys, "root: a@example.org\nroot: b@example.org\n");
	is_int(load("aliases = { root = \"ops@example.org\"; };\n", &c, &e), -1,
	    "a name twice in the system's file: refused");
	snprintf(want, sizeof(want),
	    "%s:2: alias 'root' is also defined at %s:1", sys, sys);
	is_str(e.msg, want, "a name twice in the system's file: both named");
	conf_free(&c);

	unlink(sys);
	is_int(load("domain = \"example.org\";\n", &c, &e), 0,
	    "no system's file: no error");
	ok(c.aliases.n == 0 && c.aliases_file == NULL,
	    "no system's file: no aliases");
	conf_free(&c);
	sys_aliases = "/nonexistent/aliases";
	err_clear(&e);
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
	is_str(a ? a->relays[0].host : NULL, "default.example",
	    "-a cron inherits host");
	is_int(a ? a->port : 0, 2525, "-a cron inherits port");
	a = conf_account(&c, NULL, "root@host.example.org", &e);
	is_str(a ? a->name : NULL, "cron", "sender root@... selects cron");
	a = conf_account(&c, NULL, "app-billing@EXAMPLE.org", &e);
	is_str(a ? a->name : NULL, "web", "pattern matches, case ignored");
	is_str(a ? a->relays[0].host : NULL, "web.example",
	    "web overrides host");
	is_int(a ? a->port : 0, 2525, "web inherits port, even with tls");
	a = conf_account(&c, NULL, "alice@example.org", &e);
	ok(a == &c.acct, "no match: the top-level account");
	a = conf_account(&c, "nope", NULL, &e);
	ok(a == NULL && e.kind == ERR_USAGE, "-a with an unknown name");
	conf_free(&c);

	is_int(load("tls = \"none\";\naccounts = (\n"
	            "  { name = \"nohost\"; match = \"a@*\"; },\n"
	            "  { name = \"first\"; host = \"f.example\"; },\n"
	            "  { name = \"second\"; host = \"s.example\"; }\n);\n",
	           &c, &e),
	    0, "accounts, no top-level host");
	a = conf_account(&c, NULL, "b@example.org", &e);
	is_str(a ? a->name : NULL, "first",
	    "no top-level host: the first account with a relay is the default");
	a = conf_account(&c, NULL, "a@example.org", &e);
	is_str(a ? a->name : NULL, "nohost", "match still chooses");
	is_int(conf_no_relay(&c, NULL, NULL), 0, "some account has a relay");
	is_int(conf_no_relay(&c, NULL, "a@example.org"), 1,
	    "the account chosen by sender has none");
	is_int(conf_no_relay(&c, "second", NULL), 0, "-a second has one");
	is_int(conf_no_relay(&c, "nope", NULL), 0,
	    "an unknown account: no answer");
	conf_free(&c);

	is_int(load("tls = \"none\";\n", &c, &e), 0, "no relay at all");
	is_int(conf_no_relay(&c, NULL, NULL), 1, "no relay at all: none");
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
	is_int(load("aliases_file = \"/nonexistent/named\";\n", &c, &e), -1,
	    "missing aliases_file");
	ok(e.kind == ERR_NOINPUT && strstr(e.msg, "/nonexistent/named"),
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

/* The error for text, with the path cut off: ":LINE: message". */
static const char *
error_of(const char *text, struct conf *c, struct err *e)
{
	static char msg[512];

	msg[0] = '\0';
	if (load(text, c, e) < 0 && strncmp(e->msg, path, strlen(path)) == 0)
		snprintf(msg, sizeof(msg), "%s", e->msg + strlen(path));
	conf_free(c);
	return msg;
}

static void
relays(void)
{
	struct conf c;
	struct err e = {0};
	char *name;

	is_int(load("hosts = ( \"a.example\", \"b.example:2525\", "
	            "\"[2001:db8::1]:26\", \"::1\", \"[::2]\" );\n"
	            "port = 25;\n",
	           &c, &e),
	    0, "hosts: a list");
	is_int((long long)c.acct.nrelays, 5, "hosts: five relays");
	is_str(c.acct.relays[0].host, "a.example", "hosts: a name");
	is_int(c.acct.relays[0].port, 25, "hosts: the account's port");
	is_str(c.acct.relays[1].host, "b.example", "hosts: name:port");
	is_int(c.acct.relays[1].port, 2525, "hosts: its own port");
	is_str(c.acct.relays[2].host, "2001:db8::1", "hosts: [v6]:port");
	is_int(c.acct.relays[2].port, 26, "hosts: [v6]:port, the port");
	is_str(c.acct.relays[3].host, "::1", "hosts: bare IPv6");
	is_int(c.acct.relays[3].port, 25, "hosts: bare IPv6 has no port");
	is_str(c.acct.relays[4].host, "::2", "hosts: [v6]");
	name = conf_relay_name(&c.acct.relays[1]);
	is_str(name, "b.example:2525", "a relay's name: name:port");
	free(name);
	name = conf_relay_name(&c.acct.relays[3]);
	is_str(name, "[::1]:25", "a relay's name: [v6]:port");
	free(name);
	conf_free(&c);
	is_int(load("host = \"r.example:465\"; tls = \"tls\";\n", &c, &e), 0,
	    "host with a port");
	is_int(c.acct.relays[0].port, 465, "host with a port: that port");
	conf_free(&c);
	is_str(error_of("hosts = ( \"a\", \"b:0\" );\n", &c, &e),
	    ":1: 'hosts' is not a host name or address", "hosts: port 0");
	is_str(error_of("hosts = ( \"a\", 25 );\n", &c, &e),
	    ":1: 'hosts' must be a string or a list of strings",
	    "hosts: a number in the list");
	is_str(error_of("hosts = ();\n", &c, &e), ":1: 'hosts' names no relay",
	    "hosts: empty");
	is_str(error_of("host = \"a\";\nhosts = ( \"b\" );\n", &c, &e),
	    ":2: 'host' and 'hosts' cannot both be set", "host and hosts");
	is_int(load("host = \"top\";\naccounts = ( { name = \"x\"; "
	            "hosts = ( \"p\", \"q\" ); } );\n",
	           &c, &e),
	    0, "an account's hosts replace the top level's host");
	is_int((long long)c.accounts[0].nrelays, 2, "the account's two relays");
	is_str(c.accounts[0].relays[0].host, "p", "the account's first relay");
	conf_free(&c);
	err_clear(&e);
}

static void
tls_settings(void)
{
	struct conf c;
	struct err e = {0};

	is_int(load("host = \"r\";\n", &c, &e), 0, "defaults");
	is_int(c.acct.tls_verify, 1, "tls_verify defaults to true");
	is_int(c.acct.tls_min_version, 12, "tls_min_version defaults to 1.2");
	is_int(c.acct.pin, PIN_NONE, "no pin by default");
	is_int(c.acct.connect_timeout, 30, "connect_timeout defaults to 30");
	is_int(c.acct.reply_timeout, 300, "reply_timeout defaults to 300");
	conf_free(&c);
	is_int(load("tls_verify = false;\ntls_min_version = \"1.3\";\n"
	            "reply_timeout = \"10m\";\nconnect_timeout = 5;\n"
	            "tls_fingerprint = \"sha256//leaOHAqccxtdCHZ90o+2L9eyoyZC8"
	            "u86/fVtGLtAUUw=\";\n",
	           &c, &e),
	    0, "TLS settings");
	is_int(c.acct.tls_verify, 0, "tls_verify false");
	is_int(c.acct.tls_min_version, 13, "tls_min_version 1.3");
	is_int(c.acct.reply_timeout, 600, "reply_timeout 10m");
	is_int(c.acct.connect_timeout, 5, "connect_timeout 5");
	is_int(c.acct.pin, PIN_KEY, "a key pin");
	conf_free(&c);
	is_int(
	    load(
	        "tls_fingerprint = \"E1:B4:CD:76:64:01:16:B5:AB:94:DA:12:88:"
	        "42:45:72:EF:14:BB:41:DB:DA:25:92:A0:6B:E7:0A:9C:EE:0A:93\";\n",
	        &c, &e),
	    0, "a certificate fingerprint");
	is_int(c.acct.pin, PIN_CERT, "a certificate pin");
	is_int(c.acct.pin_cert[0], 0xe1, "its first octet");
	conf_free(&c);
	is_str(error_of("tls_fingerprint = \"E1:B4\";\n", &c, &e),
	    ":1: 'tls_fingerprint' must be the certificate's SHA-256 in hex "
	    "(AB:CD:...) or its key's as \"sha256//BASE64\"",
	    "a short fingerprint");
	is_str(error_of("tls_min_version = \"1.1\";\n", &c, &e),
	    ":1: 'tls_min_version' must be \"1.2\" or \"1.3\"", "TLS 1.1");
	is_str(error_of("tls_ca_file = \"ca.pem\";\n", &c, &e),
	    ":1: 'tls_ca_file' must be an absolute path", "a relative CA file");
	is_str(error_of("proxy = \"http://p:3128\";\n", &c, &e),
	    ":1: 'proxy' must be socks5h://HOST:PORT (or socks5://, socks4a://, "
	    "socks4://)",
	    "an HTTP proxy");
	is_str(error_of("source_ip = \"localhost\";\n", &c, &e),
	    ":1: 'source_ip' must be an IPv4 or IPv6 address", "a source name");
	is_str(error_of("reply_timeout = 0;\n", &c, &e),
	    ":1: 'reply_timeout' must be a duration from 1s to 365d, such as "
	    "300 or \"5m\"",
	    "reply_timeout 0");
	is_str(error_of("reply_timeout = \"94368760191893771d\";\n", &c, &e),
	    ":1: 'reply_timeout' must be a duration from 1s to 365d, such as "
	    "300 or \"5m\"",
	    "a number of days that overflows once in seconds");
	is_str(error_of("connect_timeout = \"9223372036854775808s\";\n", &c,
	           &e),
	    ":1: 'connect_timeout' must be a duration from 1s to 365d, such "
	    "as 300 or \"5m\"",
	    "a number beyond 64 bits");
	is_str(error_of("retry_max = \"366d\";\n", &c, &e),
	    ":1: 'retry_max' must be a duration from 1s to 365d, such as "
	    "300 or \"5m\"",
	    "366d");
	is_int(load("queue_lifetime = \"365d\";\nretry_min = 9000000000;\n", &c,
	           &e),
	    -1, "an integer beyond 32 bits");
	is_int(load("queue_lifetime = \"365d\";\nretry_min = \"2h\";\n", &c,
	           &e),
	    0, "365d and 2h");
	is_int(c.queue_lifetime, 365L * 24 * 3600, "365d in seconds");
	is_int(c.failed_lifetime, 30L * 24 * 3600,
	    "failed_lifetime: 30 days unless set");
	is_int(c.retry_min, 7200, "2h in seconds");
	conf_free(&c);
	err_clear(&e);
}

static void
credentials(void)
{
	struct conf c;
	struct err e = {0};

	chmod(path, 0600);
	is_int(load("host = \"r\";\nuser = \"u\";\npassword = \"p\";\n"
	            "auth = \"Cram-MD5\";\n",
	           &c, &e),
	    0, "credentials");
	is_str(c.acct.auth, "CRAM-MD5", "auth in upper case");
	ok(account_has_credentials(&c.acct), "has credentials");
	conf_free(&c);
	is_int(load("host = \"r\";\nuser = \"u\";\npassword = \"p\";\n"
	            "auth = \"auto\";\n",
	           &c, &e),
	    0, "auth auto");
	ok(c.acct.auth == NULL, "auth auto: no mechanism pinned here");
	conf_free(&c);
	is_int(load("host = \"r\";\nauth = \"external\";\n", &c, &e), 0,
	    "auth external: no user, no password");
	conf_free(&c);
	is_str(error_of("host = \"r\";\nauth = \"kerberos\";\n", &c, &e),
	    ":2: 'auth' must be \"auto\" or one of plain, login, cram-md5, "
	    "digest-md5, ntlm, gssapi, external, xoauth2, oauthbearer, "
	    "scram-sha-1, scram-sha-256",
	    "an unknown mechanism");
	is_str(error_of("host = \"r\";\npassword = \"p\";\n", &c, &e),
	    ":2: a password or token needs 'user'", "a password without user");
	is_str(error_of("host = \"r\";\nuser = \"u\";\n", &c, &e),
	    ":2: 'user' needs 'password' or 'password_command'",
	    "a user without password");
	is_str(error_of("host = \"r\";\nuser = \"u\";\npassword = \"p\";\n"
	                "password_command = \"echo p\";\n",
	           &c, &e),
	    ":4: 'password' and 'password_command' cannot both be set",
	    "password and password_command");
	is_str(error_of("host = \"r\";\ntls = \"none\";\nuser = \"u\";\n"
	                "password = \"p\";\n",
	           &c, &e),
	    ":2: credentials are configured, so 'tls' cannot be \"none\"",
	    "credentials without TLS");
	is_int(load("user = \"u\";\ntls = \"none\";\naccounts = ( { name = "
	            "\"a\"; host = \"r\"; tls = \"tls\"; password = "
	            "\"p\"; } );\n",
	           &c, &e),
	    0, "top level without a relay: only defaults, not checked alone");
	is_str(c.accounts[0].password, "p", "the account's password");
	conf_free(&c);
	chmod(path, 0604);
	is_int(load("host = \"r\";\nuser = \"u\";\npassword = \"p\";\n", &c,
	           &e),
	    -1, "a password in a file others can read");
	conf_free(&c);
	chmod(path, 0640);
	is_int(load("host = \"r\";\nuser = \"u\";\npassword = \"p\";\n", &c,
	           &e),
	    0, "a password in a group-readable file");
	conf_free(&c);
	err_clear(&e);
}

#define O2_ACCT \
	"host = \"r\";\nuser = \"u@example.org\";\nauth = \"xoauth2\";\n"

/* The "oauth2" group: presets, checks, the state file's place. */
static void
oauth2(void)
{
	struct conf c;
	struct err e = {0};
	char want[512];

	chmod(path, 0640);
	is_int(load(O2_ACCT "oauth2 = { provider = \"microsoft\"; tenant = "
	                    "\"t1\"; client_id = \"c\"; };\n",
	           &c, &e),
	    0, "oauth2: microsoft preset");
	is_str(c.acct.oauth2 ? c.acct.oauth2->token_url : NULL,
	    "https://login.microsoftonline.com/t1/oauth2/v2.0/token",
	    "oauth2: microsoft token_url");
	is_str(c.acct.oauth2->device_url,
	    "https://login.microsoftonline.com/t1/oauth2/v2.0/devicecode",
	    "oauth2: microsoft device_url");
	is_str(c.acct.oauth2->scope,
	    "https://outlook.office365.com/SMTP.Send offline_access",
	    "oauth2: microsoft delegated scope");
	is_int(c.acct.oauth2->grant, GRANT_REFRESH_TOKEN,
	    "oauth2: refresh_token is the default grant");
	conf_free(&c);
	is_int(load(O2_ACCT "queue_dir = \"/tmp/q\";\noauth2 = { provider = "
	                    "\"microsoft\"; tenant = \"t1\"; grant = "
	                    "\"client_credentials\"; client_id = \"c\"; "
	                    "client_secret = \"s\"; };\naccounts = ( { name = "
	                    "\"a/b\"; } );\n",
	           &c, &e),
	    0, "oauth2: microsoft app-only");
	is_str(c.acct.oauth2->scope, "https://outlook.office365.com/.default",
	    "oauth2: microsoft app-only scope");
	is_str(c.acct.oauth2->state_file, "/tmp/q/oauth2/default",
	    "oauth2: a user's file with its own queue: state there");
	is_str(c.accounts[0].oauth2 ? c.accounts[0].oauth2->state_file : NULL,
	    "/tmp/q/oauth2/a%2Fb", "oauth2: an account's state file, escaped");
	conf_free(&c);
	is_int(load(O2_ACCT "oauth2 = { provider = \"google\"; client_id = "
	                    "\"c\"; token_url = \"https://t.example/x\"; };\n",
	           &c, &e),
	    0, "oauth2: google preset");
	is_str(c.acct.oauth2->token_url, "https://t.example/x",
	    "oauth2: a URL set wins over the preset");
	is_str(c.acct.oauth2->scope, "https://mail.google.com/",
	    "oauth2: google scope");
	ok(c.acct.oauth2->state_file == NULL,
	    "oauth2: a user's file with the system's queue: no state");
	conf_free(&c);
	is_str(error_of(O2_ACCT "oauth2 = { client_id = \"c\";\n tokenurl = "
	                        "\"https://x\"; };\n",
	           &c, &e),
	    ":5: unknown setting 'oauth2.tokenurl'", "oauth2: unknown key");
	is_str(error_of(O2_ACCT "oauth2 = {\n token_url = \"http://x/\"; };\n",
	           &c, &e),
	    ":5: 'token_url' must be an https:// URL", "oauth2: http refused");
	is_str(error_of(O2_ACCT "oauth2 = {\n token_url = \"https://x/\"; };\n",
	           &c, &e),
	    ":4: 'oauth2' needs 'client_id'", "oauth2: no client_id");
	is_str(error_of(O2_ACCT "oauth2 = { token_url = \"https://x/\"; "
	                        "client_id = \"c\";\n grant = "
	                        "\"client_credentials\"; };\n",
	           &c, &e),
	    ":5: grant \"client_credentials\" needs 'client_secret' or "
	    "'client_secret_command'",
	    "oauth2: client_credentials without a secret");
	is_str(error_of(O2_ACCT "oauth2 = { provider = \"microsoft\"; "
	                        "client_id = \"c\"; };\n",
	           &c, &e),
	    ":4: provider \"microsoft\" needs 'tenant' (the directory's ID or "
	    "domain name)",
	    "oauth2: microsoft without a tenant");
	is_str(error_of("host = \"r\";\nuser = \"u\";\nauth = \"plain\";\n"
	                "oauth2 = { token_url = \"https://x/\"; client_id = "
	                "\"c\"; };\n",
	           &c, &e),
	    ":3: 'oauth2' needs auth = \"xoauth2\" or \"oauthbearer\"",
	    "oauth2: with a mechanism that takes no token");
	is_str(error_of(O2_ACCT "password = \"p\";\noauth2 = { token_url = "
	                        "\"https://x/\"; client_id = \"c\"; };\n",
	           &c, &e),
	    ":4: 'oauth2' gives the token: no 'password' or "
	    "'password_command' with it",
	    "oauth2: with a password");
	chmod(path, 0644);
	is_int(load(O2_ACCT
	           "oauth2 = { token_url = \"https://x/\"; client_id = "
	           "\"c\"; refresh_token = \"r\"; };\n",
	           &c, &e),
	    -1, "oauth2: a refresh token in a file others can read");
	snprintf(want, sizeof(want),
	    "%s: holds a secret and is readable by others; chmod o-r %s", path,
	    path);
	is_str(e.msg, want, "oauth2: ...refused like a password");
	conf_free(&c);
	chmod(path, 0640);
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
	is_str(c.acct.relays[0].host, "relay.example.org", "host");
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
	system_aliases();
	relays();
	tls_settings();
	credentials();
	oauth2();
	unlink(path);
	err_clear(&e);
	return tap_done();
}
