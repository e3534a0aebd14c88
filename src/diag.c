#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "paths.h" /* CONF_DEFAULT_PATH, ALIASES_DEFAULT */
#include "diag.h"
#include "err.h"
#include "oauth2tok.h"
#include "redact.h"
#include "senders.h"
#include "transport.h"
#include "xalloc.h"

/* A string as libconfig would read it back. */
static void
put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void
put_key(FILE *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(out, "\t%s = ", key);
	put_string(out, value);
	fputs(";\n", out);
}

/* A proxy URL's password is a secret like the account's (RFC 3986 3.2.1). */
static void
put_proxy(FILE *out, const char *url)
{
	char *shown;

	if (url == NULL)
		return;
	shown = redact_url(url);
	put_key(out, "proxy", shown);
	free(shown);
}

static void
put_list(FILE *out, const char *key, char **v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "\t%s = ( ", key);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", out);
		put_string(out, v[i]);
	}
	fputs(" );\n", out);
}

static void
put_relays(FILE *out, const struct account *a)
{
	char **names = xcalloc(a->nrelays + 1, sizeof(*names));
	size_t i;

	for (i = 0; i < a->nrelays; i++)
		names[i] = conf_relay_name(&a->relays[i]);
	put_list(out, "hosts", names, a->nrelays);
	for (i = 0; i < a->nrelays; i++)
		free(names[i]);
	free(names);
}

static void
put_tls(FILE *out, const struct account *a)
{
	static const char *const modes[] = {"starttls", "tls", "none"};

	put_key(out, "tls", modes[a->tls]);
	if (a->tls == TLS_NONE)
		return;
	fprintf(out, "\ttls_verify = %s;\n", a->tls_verify ? "true" : "false");
	put_key(out, "tls_min_version",
	    a->tls_min_version == 13 ? "1.3" : "1.2");
	put_key(out, "tls_ca_file", a->tls_ca_file);
	put_key(out, "tls_ca_dir", a->tls_ca_dir);
	put_key(out, "tls_cert_file", a->tls_cert_file);
	put_key(out, "tls_key_file", a->tls_key_file);
	put_key(out, "tls_fingerprint", a->tls_fingerprint);
}

static void
put_auth(FILE *out, const struct account *a, int show_secrets)
{
	char *lower = NULL, *p;

	if (!account_has_credentials(a))
		return;
	if (a->auth != NULL) {
		lower = xstrdup(a->auth);
		for (p = lower; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	put_key(out, "auth", lower != NULL ? lower : "auto");
	free(lower);
	put_key(out, "user", a->user);
	if (a->password != NULL)
		put_key(out, "password", "********");
	if (a->password_command == NULL)
		return;
	if (show_secrets)
		put_key(out, "password_command", a->password_command);
	else
		fputs("\tpassword_command = (set; shown to root only);\n", out);
}

static void
put_sub(FILE *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(out, "\t\t%s = ", key);
	put_string(out, value);
	fputs(";\n", out);
}

/* The "oauth2" group as it is used (presets filled in), secrets masked. */
static void
put_oauth2(FILE *out, const struct oauth2_conf *o, int show_secrets)
{
	if (o == NULL)
		return;
	fputs("\toauth2 = {\n", out);
	put_sub(out, "provider", o->provider);
	put_sub(out, "tenant", o->tenant);
	put_sub(out, "token_url", o->token_url);
	put_sub(out, "device_url", o->device_url);
	put_sub(out, "client_id", o->client_id);
	put_sub(out, "client_secret", o->client_secret ? "********" : NULL);
	if (o->client_secret_command != NULL && show_secrets)
		put_sub(out, "client_secret_command", o->client_secret_command);
	else if (o->client_secret_command != NULL)
		fputs(
		    "\t\tclient_secret_command = (set; shown to root only);\n",
		    out);
	put_sub(out, "scope", o->scope);
	put_sub(out, "grant",
	    o->grant == GRANT_CLIENT_CREDENTIALS ? "client_credentials"
	                                         : "refresh_token");
	put_sub(out, "refresh_token", o->refresh_token ? "********" : NULL);
	put_sub(out, "ca_file", o->ca_file);
	fputs("\t};\n", out);
	if (o->state_file != NULL)
		fprintf(out, "\t# oauth2 tokens kept in %s\n", o->state_file);
	else
		fputs("\t# oauth2 tokens not kept: a file of your own with the "
		      "system's queue\n",
		    out);
}

static void
put_account(FILE *out, const struct account *a, int is_default,
    int has_accounts, int show_secrets)
{
	if (a->name != NULL)
		fprintf(out, "account \"%s\"", a->name);
	else
		fputs("top level", out);
	fputs(is_default ? " (the default account):\n" : ":\n", out);
	if (a->nrelays == 0)
		fputs(a->name == NULL && has_accounts
		        ? "\t# no relay: defaults for the accounts only\n"
		        : "\t# no relay: its messages wait in the queue\n",
		    out);
	put_list(out, "match", a->match, a->nmatch);
	put_relays(out, a);
	put_tls(out, a);
	put_auth(out, a, show_secrets);
	put_oauth2(out, a->oauth2, show_secrets);
	put_key(out, "helo", a->helo);
	put_key(out, "from", a->from);
	put_proxy(out, a->proxy);
	put_key(out, "source_ip", a->source_ip);
	fprintf(out, "\tconnect_timeout = %ld;\n\treply_timeout = %ld;\n",
	    a->connect_timeout, a->reply_timeout);
}

static int
by_definition(const void *a, const void *b)
{
	const struct alias *x = *(const struct alias *const *)a;
	const struct alias *y = *(const struct alias *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The aliases with entries left out (pipes, files, :include:), in the
 * order of their files: no error, but mail does not go there.
 */
static void
put_left_out(FILE *out, const struct aliases *t)
{
	const struct alias **v = xcalloc(t->n + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].left_out != 0)
			v[n++] = &t->v[i];
	qsort(v, n, sizeof(*v), by_definition);
	for (i = 0; i < n; i++)
		fprintf(out, "%s: alias '%s': %s; %s\n", v[i]->where,
		    v[i]->name, alias_left_out_why(v[i]),
		    alias_unusable(v[i]) ? "mail to it fails"
		                         : "its other addresses are used");
	free(v);
}

/* Which aliases file is read, and what the administrator should know. */
static void
put_aliases(FILE *out, const struct conf *c)
{
	size_t i;

	fputs("# aliases_file = ", out);
	put_string(out, c->aliases_file != NULL ? c->aliases_file : "");
	if (!c->aliases_file_set)
		fputs(c->aliases_file != NULL ? " (the default)"
		                              : " (no " ALIASES_DEFAULT ")",
		    out);
	fprintf(out, "; %zu aliases\n", c->aliases.n);
	put_left_out(out, &c->aliases);
	for (i = 0; i < c->aliases.nnotes; i++)
		fprintf(out, "%s\n", c->aliases.notes[i]);
}

/* "# user_from: alice <alice@example.net> (account \"work\")", ... */
static void
put_senders(FILE *out, const struct conf *c)
{
	const struct senders *p = &c->senders;
	size_t i, j;

	if (!p->policy)
		fputs("# allowed_senders: none set, any user may use any "
		      "sender\n",
		    out);
	for (i = 0; i < p->nrules; i++) {
		fprintf(out,
		    "# allowed_senders: %s%s:", p->rules[i].is_group ? "%" : "",
		    p->rules[i].who);
		for (j = 0; j < p->rules[i].npats; j++)
			fprintf(out, " %s", p->rules[i].pats[j]);
		fputc('\n', out);
	}
	for (i = 0; i < p->ntrusted; i++)
		fprintf(out, "# trusted_users: %s\n", p->trusted[i]);
	for (i = 0; i < p->nfrom; i++) {
		fprintf(out, "# user_from: %s <%s>", p->from[i].login,
		    p->from[i].addr);
		if (p->from[i].account != NULL)
			fprintf(out, " (account \"%s\")", p->from[i].account);
		fputc('\n', out);
	}
}

static int
check_auth(const struct account *a, struct err *e)
{
	const char *why = transport_auth_unsupported(a->auth);

	if (why == NULL)
		return 0;
	return err_set(e, ERR_CONFIG, "%s: auth \"%s\": %s", a->auth_at,
	    a->auth, why);
}

int
diag_check_config(FILE *out, struct conf *c, int show_secrets, struct err *e)
{
	const struct account *def = conf_account(c, NULL, NULL, e);
	size_t i;

	if (check_auth(&c->acct, e) < 0)
		return -1;
	for (i = 0; i < c->naccounts; i++)
		if (check_auth(&c->accounts[i], e) < 0)
			return -1;
	if (c->path == NULL) {
		fprintf(out, "# no %s: every setting has its default\n",
		    CONF_DEFAULT_PATH);
	}
	for (i = 0; i < c->nfiles; i++)
		fprintf(out, "# read %s\n", c->files[i]);
	fprintf(out, "# queue_dir = \"%s\"; domain = \"%s\"\n", c->queue_dir,
	    conf_domain(c));
	put_aliases(out, c);
	put_senders(out, c);
	put_account(out, &c->acct, def == &c->acct, c->naccounts > 0,
	    show_secrets);
	for (i = 0; i < c->naccounts; i++)
		put_account(out, &c->accounts[i], def == &c->accounts[i], 1,
		    show_secrets);
	return 0;
}

/*
 * What the relay said (or its certificate), as the log shows it: a
 * control character (CR, TAB, ESC...) becomes a space, so that the
 * relay cannot drive the terminal.
 */
static void
put_text(FILE *out, const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	buf_put_oneline(&b, s, len, 0);
	fputs(buf_cstr(&b), out);
	buf_free(&b);
}

/* label: text, on one line of its own. */
static void
put_field(FILE *out, const char *label, const char *s, size_t len)
{
	fprintf(out, "  %s: ", label);
	put_text(out, s, len);
	fputc('\n', out);
}

/* Each line of a multi-line text, after a label; the SMTP code dropped. */
static void
put_lines(FILE *out, const char *label, const char *text, int strip)
{
	const char *p = text, *nl;
	size_t len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (strip && len >= 4) {
			p += 4;
			len -= 4;
		}
		put_field(out, label, p, len);
		p += len + (nl != NULL);
	}
}

/* RFC 4954 3: "250-AUTH PLAIN LOGIN" names the mechanisms. */
static void
put_mechanisms(FILE *out, const char *ehlo)
{
	const char *line = ehlo, *nl;
	size_t len;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len > 9 && strncasecmp(line + 4, "AUTH ", 5) == 0) {
			put_field(out, "AUTH mechanisms", line + 9, len - 9);
			return;
		}
		line += len + (nl != NULL);
	}
	fputs("  AUTH mechanisms: none offered\n", out);
}

static void
put_cert(FILE *out, const struct account *a, const struct server_info *si)
{
	if (si->subject == NULL)
		return;
	put_field(out, "certificate subject", si->subject, strlen(si->subject));
	put_field(out, "certificate issuer", si->issuer ? si->issuer : "?",
	    si->issuer ? strlen(si->issuer) : 1);
	fprintf(out, "  certificate valid: %s to %s\n",
	    si->not_before ? si->not_before : "?",
	    si->not_after ? si->not_after : "?");
	if (si->fingerprint != NULL)
		fprintf(out, "  certificate SHA-256: %s\n", si->fingerprint);
	if (si->pin != NULL)
		fprintf(out, "  certificate key pin: %s\n", si->pin);
	if (si->untrusted != NULL)
		fprintf(out, "  certificate trusted: no: %s\n", si->untrusted);
	else if (a->pin != PIN_NONE)
		fputs("  certificate trusted: yes (tls_fingerprint)\n", out);
	else if (!a->tls_verify)
		fputs("  certificate trusted: not checked (tls_verify)\n", out);
	else
		fputs("  certificate trusted: yes\n", out);
}

static void
put_server_info(FILE *out, const struct account *a,
    const struct server_info *si)
{
	fprintf(out, "relay %s\n", si->relay);
	put_lines(out, "greeting", si->greeting, 0);
	put_lines(out, "EHLO", si->ehlo, 1);
	if (si->tls != NULL)
		fprintf(out, "  TLS: %s%s%s\n", si->tls,
		    si->cipher ? ", cipher " : "",
		    si->cipher ? si->cipher : "");
	else
		fputs("  TLS: none\n", out);
	put_cert(out, a, si);
	put_mechanisms(out, si->ehlo);
}

/* A relay that could not be asked: its line, and the error (clean too). */
static int
relay_failed(FILE *out, struct err *one, struct err *e)
{
	struct buf b = BUF_INIT;

	buf_put_oneline(&b, one->msg, strlen(one->msg), 0);
	fprintf(out, "relay %s\n", buf_cstr(&b));
	err_set(e, one->kind, "%s", buf_cstr(&b));
	buf_free(&b);
	err_clear(one);
	return -1;
}

/*
 * Can the account get its token?  The token itself is not shown (only
 * --auth's AUTH sends it, to the relay).
 */
static int
put_token(FILE *out, const struct account *a, struct err *e)
{
	struct oauth2_call call = {a, NULL, NULL, NULL};
	struct err one = {0};
	time_t until = 0;
	char *token = oauth2_token(&call, NULL, &until, &one);

	if (token == NULL) {
		fprintf(out, "%s\n", one.msg);
		err_set(e, one.kind, "%s", one.msg);
		err_clear(&one);
		return -1;
	}
	fprintf(out, "oauth2: an access token from %s, used for %ld s more\n",
	    a->oauth2->token_url, (long)(until - time(NULL)));
	free(token);
	return 0;
}

/*
 * A certificate that failed the checks: a send would fail too, so this
 * is an error (EX_CONFIG), which says what to set.  With a pin, the
 * pin's own words say it.
 */
static int
cert_failed(const struct account *a, const struct server_info *si,
    struct err *e)
{
	char *why = a->pin != PIN_NONE ? xstrdup(si->untrusted)
	                               : transport_untrusted(si->untrusted);

	err_set(e, ERR_CONFIG, "%s: %s", si->relay, why);
	free(why);
	return -1;
}

/* --auth: "  AUTH: authenticated as ..." or "  AUTH: failed: why". */
static int
try_auth(FILE *out, const struct account *a, size_t i, const char *helo,
    const struct diag_probe *p, struct err *e)
{
	char *done;

	if (transport_try_auth(a, i, helo, p->fn, p->arg, &done, e) < 0) {
		fputs("  AUTH: failed: ", out);
		put_text(out, e->msg, strlen(e->msg));
		fputc('\n', out);
		return -1;
	}
	fprintf(out, "  AUTH: %s\n", done);
	free(done);
	return 0;
}

/* One relay: what it offers, then (--auth) whether it takes us. */
static int
one_relay(FILE *out, const struct account *a, size_t i, const char *helo,
    const struct diag_probe *p, struct err *e)
{
	struct server_info si;
	struct err one = {0};
	int rc = 0;

	if (transport_server_info(a, i, helo, p->fn, p->arg, &si, &one) < 0)
		return relay_failed(out, &one, e);
	put_server_info(out, a, &si);
	if (si.untrusted != NULL)
		rc = cert_failed(a, &si, &one);
	else if (p->auth)
		rc = try_auth(out, a, i, helo, p, &one);
	if (rc < 0) {
		err_set(e, one.kind, "%s", one.msg);
		err_clear(&one);
	}
	server_info_free(&si);
	return rc;
}

int
diag_server_info(FILE *out, struct conf *c, const char *account,
    const char *sender, const struct diag_probe *p, struct err *e)
{
	const struct account *a = conf_account(c, account, sender, e);
	size_t i;
	int rc = 0;

	if (a == NULL)
		return -1;
	if (a->nrelays == 0)
		return err_set(e, ERR_CONFIG, "%s", CONF_NO_RELAY);
	if (p->auth && !account_has_credentials(a))
		return err_set(e, ERR_CONFIG,
		    "--auth: no credentials to try: set user, and password "
		    "or password_command");
	if (a->oauth2 != NULL && put_token(out, a, e) < 0)
		rc = -1;
	for (i = 0; i < a->nrelays; i++)
		if (one_relay(out, a, i, conf_helo(c, a), p, e) < 0)
			rc = -1;
	return rc;
}
