#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cert.h"
#include "conf.h"
#include "paths.h" /* CONF_DEFAULT_PATH, QUEUE_DIR_DEFAULT, ALIASES_DEFAULT */
#include "err.h"
#include "rfc5322.h"
#include "sysinfo.h"
#include "xalloc.h"

/* "FILE:LINE" of a setting, for messages. */
static char *
setting_at(const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);

	return xasprintf("%s:%u", file ? file : "?",
	    config_setting_source_line(s));
}

/* "FILE:LINE: message" for the setting s. */
static int conf_error(struct err *e, const config_setting_t *s, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
conf_error(struct err *e, const config_setting_t *s, const char *fmt, ...)
{
	char *at = setting_at(s), *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(e, ERR_CONFIG, "%s: %s", at, msg);
	free(msg);
	free(at);
	return -1;
}

/* A string value: controls would end up in SMTP commands or headers. */
static int
get_string(const config_setting_t *s, char **out, struct err *e)
{
	const char *v = config_setting_get_string(s);

	if (rfc5322_has_ctl(v))
		return conf_error(e, s, "'%s' contains a control character",
		    config_setting_name(s));
	free(*out);
	*out = xstrdup(v);
	return 0;
}

/* A string that says something: "" would stand for nothing. */
static int
set_text(const config_setting_t *s, char **out, struct err *e)
{
	if (get_string(s, out, e) < 0)
		return -1;
	if ((*out)[0] == '\0')
		return conf_error(e, s, "'%s' must not be empty",
		    config_setting_name(s));
	return 0;
}

/* Host names, EHLO names and domains: letters, digits, '.', '-', ':'... */
static int
is_hostish(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 255)
		return 0;
	if (v[0] == '[')
		return v[n - 1] == ']' &&
		    strspn(v + 1, "0123456789abcdefABCDEF.:IPv6") == n - 2;
	return strspn(v,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789.-_:") == n;
}

static int
set_hostish(const config_setting_t *s, char **out, struct err *e)
{
	if (get_string(s, out, e) < 0)
		return -1;
	if (!is_hostish(*out))
		return conf_error(e, s, "'%s' is not a host name or address",
		    config_setting_name(s));
	return 0;
}

/* An addr-spec, stored without its display name or comments. */
static int
set_address(const config_setting_t *s, char **out, int need_domain,
    struct err *e)
{
	struct addr ad;
	struct err ae = {0};

	if (get_string(s, out, e) < 0)
		return -1;
	if (addr_parse_one(*out, &ad, 0, &ae) < 0) {
		conf_error(e, s, "'%s': %s", config_setting_name(s), ae.msg);
		err_clear(&ae);
		return -1;
	}
	if (need_domain && ad.domain == NULL) {
		addr_free(&ad);
		return conf_error(e, s, "'%s' needs a domain",
		    config_setting_name(s));
	}
	free(*out);
	*out = xstrdup(ad.spec);
	addr_free(&ad);
	return 0;
}

/* Can the process read path?  mailout is set-group-ID: with its group,
 * which access() would leave out (it asks about the real IDs). */
static int
readable(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0;
}

/* An absolute path; with conf_check(), a file or directory it names
 * (mode R_OK, or R_OK | X_OK) must be readable now. */
static int
set_path(const struct conf *c, const config_setting_t *s, char **out, int mode,
    struct err *e)
{
	const char *name = config_setting_name(s);

	if (get_string(s, out, e) < 0)
		return -1;
	if ((*out)[0] != '/')
		return conf_error(e, s, "'%s' must be an absolute path", name);
	if (mode != 0 && c->check_files && !readable(*out, mode))
		return conf_error(e, s, "'%s': %s: %s", name, *out,
		    strerror(errno));
	return 0;
}

/* The seconds in a duration's unit, stepping over it: "s", "m", "h", "d". */
static long long
unit_seconds(const char **unit)
{
	static const char units[] = "smhd";
	static const long long seconds[] = {1, 60, 3600, 24 * 3600};
	const char *u = **unit != '\0' ? strchr(units, **unit) : NULL;

	if (u == NULL)
		return 1;
	(*unit)++;
	return seconds[u - units];
}

#define DURATION_MAX (365LL * 24 * 3600)

/*
 * Durations: an integer of seconds, or a string with a unit: "90s",
 * "30m", "4h", "5d".
 */
static int
set_duration(const config_setting_t *s, long *out, struct err *e)
{
	const char *name = config_setting_name(s), *end = "";
	long long n, unit;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		n = config_setting_get_int64(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		char *p;

		n = strtoll(v, &p, 10);
		end = p == v ? "?" : p;
	} else {
		return conf_error(e, s,
		    "'%s' must be a duration such as 300 or \"5m\"", name);
	}
	/* Out of range before it is multiplied (strtoll's ERANGE gives
	 * LLONG_MIN or LLONG_MAX, out of range too). */
	unit = unit_seconds(&end);
	if (*end != '\0' || n < 1 || n > DURATION_MAX / unit)
		return conf_error(e, s,
		    "'%s' must be a duration from 1s to 365d, such as 300 or "
		    "\"5m\"",
		    name);
	*out = (long)(n * unit);
	return 0;
}

/* A word of a closed list, stored as its value. */
struct choice {
	const char *word;
	int value;
};

static int
set_choice(const config_setting_t *s, const struct choice *ch, int *out,
    struct err *e)
{
	const char *v = config_setting_get_string(s);
	struct buf words = BUF_INIT;
	size_t i;

	for (i = 0; ch[i].word != NULL; i++)
		if (strcmp(v, ch[i].word) == 0) {
			*out = ch[i].value;
			return 0;
		}
	/* "a", "b" or "c" */
	for (i = 0; ch[i].word != NULL; i++) {
		if (i > 0)
			buf_puts(&words,
			    ch[i + 1].word != NULL ? ", " : " or ");
		buf_printf(&words, "\"%s\"", ch[i].word);
	}
	conf_error(e, s, "'%s' must be %s", config_setting_name(s),
	    buf_cstr(&words));
	buf_free(&words);
	return -1;
}

static const struct choice tls_modes[] = {{"starttls", TLS_STARTTLS},
    {"tls", TLS_IMPLICIT}, {"none", TLS_NONE}, {NULL, 0}};
static const struct choice tls_versions[] = {{"1.2", 12}, {"1.3", 13},
    {NULL, 0}};
static const struct choice rewrites[] = {{"none", 0}, {"envelope", 1},
    {NULL, 0}};

/* "host", "host:port", "[address]" or "[address]:port"; a bare IPv6
 * address (two colons or more) has no port. */
static int
parse_relay(const char *v, struct relay *r)
{
	const char *start = v, *rest, *colon = strchr(v, ':');
	size_t len;
	char *end;
	long port = 0;

	if (v[0] == '[') {
		rest = strchr(v, ']');
		if (rest == NULL)
			return -1;
		start = v + 1;
		len = (size_t)(rest++ - start);
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		len = (size_t)(colon - v);
		rest = colon;
	} else {
		len = strlen(v);
		rest = v + len;
	}
	if (*rest == ':') {
		port = strtol(rest + 1, &end, 10);
		if (end == rest + 1 || *end != '\0' || port < 1 || port > 65535)
			return -1;
	} else if (*rest != '\0') {
		return -1;
	}
	r->host = xstrndup(start, len);
	r->port = (int)port;
	return len > 0 && is_hostish(r->host) ? 0 : -1;
}

char *
conf_relay_name(const struct relay *r)
{
	int v6 = strchr(r->host, ':') != NULL;

	return xasprintf("%s%s%s:%d", v6 ? "[" : "", r->host, v6 ? "]" : "",
	    r->port);
}

char *
conf_relay_list(const struct account *a)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < a->nrelays; i++) {
		char *name = conf_relay_name(&a->relays[i]);

		buf_printf(&b, "%s%s", i ? ", " : "", name);
		free(name);
	}
	if (a->nrelays == 0)
		buf_puts(&b, "(no relay)");
	return buf_release(&b);
}

static void
relays_free(struct account *a)
{
	while (a->nrelays > 0)
		free(a->relays[--a->nrelays].host);
	free(a->relays);
	a->relays = NULL;
}

/*
 * The settings that are more than a kind of value (see enum kind below):
 * each is checked and stored by a function of its own.
 */

/* host = "a";  hosts = ( "a", "b:2525" ): replaces what was inherited. */
static int
set_hosts(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	const char *name = config_setting_name(s);
	int i,
	    n = config_setting_type(s) == CONFIG_TYPE_STRING
	    ? 1
	    : config_setting_length(s);

	(void)c;
	relays_free(a);
	if (n == 0)
		return conf_error(e, s, "'%s' names no relay", name);
	a->relays = xcalloc((size_t)n, sizeof(*a->relays));
	for (i = 0; i < n; i++) {
		const config_setting_t *h =
		    config_setting_type(s) == CONFIG_TYPE_STRING
		    ? s
		    : config_setting_get_elem(s, (unsigned)i);
		char *v = NULL;
		int bad;

		if (config_setting_type(h) != CONFIG_TYPE_STRING)
			return conf_error(e, h,
			    "'%s' must be a string or a list of strings", name);
		if (get_string(h, &v, e) < 0)
			return -1;
		bad = parse_relay(v, &a->relays[a->nrelays++]);
		free(v);
		if (bad)
			return conf_error(e, h,
			    "'%s' is not a host name or address", name);
	}
	return 0;
}

static int
set_port(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	long long v = config_setting_get_int64(s);

	(void)c;
	if (v < 1 || v > 65535)
		return conf_error(e, s, "'port' must be from 1 to 65535");
	a->port = (int)v;
	return 0;
}

static int
set_bounce_to(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	(void)a;
	return set_address(s, &c->bounce_to, 1, e);
}

static int
set_name(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	size_t i;

	if (set_text(s, &a->name, e) < 0)
		return -1;
	for (i = 0; i < c->naccounts; i++)
		if (&c->accounts[i] != a && c->accounts[i].name != NULL &&
		    strcmp(c->accounts[i].name, a->name) == 0)
			return conf_error(e, s, "a second account named '%s'",
			    a->name);
	return 0;
}

/* match = ( "root@*", "*@example.org" );  also a single string. */
static int
set_match(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	int i, n = config_setting_length(s);

	(void)c;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		a->match =
		    xreallocarray(a->match, a->nmatch + 1, sizeof(*a->match));
		a->match[a->nmatch] = NULL;
		if (get_string(s, &a->match[a->nmatch], e) < 0)
			return -1;
		a->nmatch++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *m =
		    config_setting_get_elem(s, (unsigned)i);
		char *v = NULL;

		if (config_setting_type(m) != CONFIG_TYPE_STRING)
			return conf_error(e, m,
			    "'match' must be a list of "
			    "strings");
		if (get_string(m, &v, e) < 0)
			return -1;
		a->match =
		    xreallocarray(a->match, a->nmatch + 1, sizeof(*a->match));
		a->match[a->nmatch++] = v;
	}
	return 0;
}

/* One alias of the "aliases" group: a string, or a list of strings. */
static int
conf_alias(struct conf *c, const config_setting_t *m, struct err *e)
{
	char *where = setting_at(m);
	struct buf all = BUF_INIT;
	int i, rc = 0, n = config_setting_length(m);

	if (config_setting_type(m) == CONFIG_TYPE_STRING)
		buf_puts(&all, config_setting_get_string(m));
	for (i = 0; i < n && rc == 0; i++) {
		const config_setting_t *v = config_setting_get_elem(m, i);

		if (config_setting_type(v) != CONFIG_TYPE_STRING)
			rc = conf_error(e, v,
			    "an alias is a string or a list of strings");
		else
			buf_printf(&all, "%s%s", i ? ", " : "",
			    config_setting_get_string(v));
	}
	if (rc == 0 && config_setting_type(m) != CONFIG_TYPE_STRING &&
	    config_setting_type(m) != CONFIG_TYPE_LIST &&
	    config_setting_type(m) != CONFIG_TYPE_ARRAY)
		rc = conf_error(e, m,
		    "an alias is a string or a list of strings");
	if (rc == 0)
		rc = alias_add(&c->aliases, config_setting_name(m),
		    buf_cstr(&all), all.len, where, e);
	buf_free(&all);
	free(where);
	return rc;
}

/* aliases = { root = "ops@example.org"; backup = ["a@x", "b@y"]; }; */
static int
set_aliases(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	int i, n = config_setting_length(s);

	(void)a;
	for (i = 0; i < n; i++)
		if (conf_alias(c, config_setting_get_elem(s, (unsigned)i), e) <
		    0)
			return -1;
	return 0;
}

/* aliases_file: a path, or "" for none, not even the system's file. */
static int
set_aliases_file(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	(void)a;
	c->aliases_file_set = 1;
	if (config_setting_get_string(s)[0] != '\0')
		return set_path(c, s, &c->aliases_file, 0, e);
	free(c->aliases_file);
	c->aliases_file = NULL;
	return 0;
}

/* queue_dir: a path; without it, a user's file has a queue of its own. */
static int
set_queue_dir(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	(void)a;
	c->queue_dir_set = 1;
	return set_path(c, s, &c->queue_dir, 0, e);
}

/* One string of a list setting, with its "FILE:LINE". */
typedef int (*string_fn)(struct conf *c, const char *v, const char *where,
    struct err *e);

/* A list of strings (or a single string), each handed to fn. */
static int
set_strings(struct conf *c, const config_setting_t *s, string_fn fn,
    struct err *e)
{
	const char *name = config_setting_name(s);
	int one = config_setting_type(s) == CONFIG_TYPE_STRING;
	int i, rc, n = one ? 1 : config_setting_length(s);
	const config_setting_t *v;
	char *where;

	for (i = 0; i < n; i++) {
		v = one ? s : config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(v) != CONFIG_TYPE_STRING)
			return conf_error(e, v,
			    "'%s' must be a list of strings", name);
		if (rfc5322_has_ctl(config_setting_get_string(v)))
			return conf_error(e, v,
			    "'%s' contains a control character", name);
		where = setting_at(v);
		rc = fn(c, config_setting_get_string(v), where, e);
		free(where);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
add_rule(struct conf *c, const char *v, const char *where, struct err *e)
{
	struct senders *p = &c->senders;
	struct sender_rule r;

	if (senders_parse_rule(v, where, &r, e) < 0)
		return -1;
	p->rules = xreallocarray(p->rules, p->nrules + 1, sizeof(*p->rules));
	p->rules[p->nrules++] = r;
	return 0;
}

/* allowed_senders = ( "alice: *@alice.example", "%staff: *@example.org" ) */
static int
set_allowed_senders(struct conf *c, struct account *a,
    const config_setting_t *s, struct err *e)
{
	(void)a;
	c->senders.policy = 1;
	return set_strings(c, s, add_rule, e);
}

static int
add_trusted(struct conf *c, const char *v, const char *where, struct err *e)
{
	struct senders *p = &c->senders;

	if (!senders_trusted_ok(v))
		return err_set(e, ERR_CONFIG,
		    "%s: 'trusted_users': '%s' is not a user name or %%group",
		    where, v);
	p->trusted =
	    xreallocarray(p->trusted, p->ntrusted + 1, sizeof(*p->trusted));
	p->trusted[p->ntrusted++] = xstrdup(v);
	return 0;
}

/* trusted_users = ( "www-data", "%admins" ) */
static int
set_trusted_users(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	(void)a;
	return set_strings(c, s, add_trusted, e);
}

static int
add_user_from(struct conf *c, const char *v, const char *where, struct err *e)
{
	struct senders *p = &c->senders;
	const struct user_from *old;
	struct user_from u;

	if (senders_parse_user_from(v, where, &u, e) < 0)
		return -1;
	if ((old = senders_user_from(p, u.login)) != NULL) {
		err_set(e, ERR_CONFIG, "%s: a second 'user_from' of %s (%s)",
		    where, u.login, old->where);
		free(u.login);
		free(u.addr);
		free(u.account);
		free(u.where);
		return -1;
	}
	p->from = xreallocarray(p->from, p->nfrom + 1, sizeof(*p->from));
	p->from[p->nfrom++] = u;
	return 0;
}

/* user_from = ( "alice: alice@example.org", "bob: bob@example.net: work" ) */
static int
set_user_from(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	(void)a;
	return set_strings(c, s, add_user_from, e);
}

/* The accounts that user_from names exist (they are read after it). */
static int
check_user_from(const struct conf *c, struct err *e)
{
	const struct user_from *u;
	size_t i, j;

	for (i = 0; i < c->senders.nfrom; i++) {
		u = &c->senders.from[i];
		for (j = 0; u->account != NULL && j < c->naccounts; j++)
			if (strcmp(c->accounts[j].name, u->account) == 0)
				break;
		if (u->account != NULL && j == c->naccounts)
			return err_set(e, ERR_CONFIG,
			    "%s: 'user_from' of %s: no account named \"%s\"",
			    u->where, u->login, u->account);
	}
	return 0;
}

/* "FILE" of a setting, as a path that can be opened from here. */
static char *
source_path(const struct conf *c, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	const char *slash = c->path != NULL ? strrchr(c->path, '/') : NULL;

	if (file == NULL)
		return xstrdup(c->path != NULL ? c->path : "?");
	/* Included files are named as written, relative to the main one's
	 * directory (the include_dir given to libconfig). */
	if (file[0] == '/' || (c->path != NULL && strcmp(file, c->path) == 0) ||
	    slash == NULL)
		return xstrdup(file);
	return xasprintf("%.*s/%s", (int)(slash - c->path), c->path, file);
}

/*
 * "AB:CD:..." (64 hex digits): SHA-256 of the certificate, as msmtp and
 * "openssl x509 -fingerprint -sha256" write it.  "sha256//BASE64":
 * SHA-256 of the public key, the form libcurl pins in the handshake.
 */
static int
set_tls_fingerprint(struct conf *c, struct account *a,
    const config_setting_t *s, struct err *e)
{
	const char *v;

	(void)c;
	if (get_string(s, &a->tls_fingerprint, e) < 0)
		return -1;
	v = a->tls_fingerprint;
	if (strncmp(v, "sha256//", 8) == 0 && strlen(v) == 8 + 44 &&
	    strspn(v + 8,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789+/=") == 44) {
		a->pin = PIN_KEY;
		return 0;
	}
	if (cert_parse_fingerprint(v, a->pin_cert) == 0) {
		a->pin = PIN_CERT;
		return 0;
	}
	return conf_error(e, s,
	    "'tls_fingerprint' must be the certificate's SHA-256 in hex "
	    "(AB:CD:...) or its key's as \"sha256//BASE64\"");
}

/* The SASL mechanisms libcurl knows (RFC 4422 names, upper case). */
static const char *const mechanisms[] = {"PLAIN", "LOGIN", "CRAM-MD5",
    "DIGEST-MD5", "NTLM", "GSSAPI", "EXTERNAL", "XOAUTH2", "OAUTHBEARER",
    "SCRAM-SHA-1", "SCRAM-SHA-256", NULL};

static int
set_auth(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	const char *v = config_setting_get_string(s);
	size_t i;

	(void)c;
	free(a->auth);
	a->auth = NULL;
	free(a->auth_at);
	a->auth_at = setting_at(s);
	if (strcasecmp(v, "auto") == 0)
		return 0;
	for (i = 0; mechanisms[i] != NULL; i++)
		if (strcasecmp(v, mechanisms[i]) == 0) {
			a->auth = xstrdup(mechanisms[i]);
			return 0;
		}
	return conf_error(e, s,
	    "'auth' must be \"auto\" or one of plain, login, cram-md5, "
	    "digest-md5, ntlm, gssapi, external, xoauth2, oauthbearer, "
	    "scram-sha-1, scram-sha-256");
}

/* msmtp's rule: a password in a file others can read is refused. */
static int
secret_file_ok(struct conf *c, const config_setting_t *s, const char *what,
    struct err *e)
{
	char *file = source_path(c, s);
	struct stat st;
	int rc = 0;

	if (stat(file, &st) == 0 && (st.st_mode & S_IROTH) != 0)
		rc = err_set(e, ERR_CONFIG,
		    "%s: holds %s and is readable by others; chmod o-r %s",
		    file, what, file);
	free(file);
	return rc;
}

static int
set_password(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	if (secret_file_ok(c, s, "a password", e) < 0 ||
	    set_text(s, &a->password, e) < 0)
		return -1;
	free(a->password_command); /* the one set last wins */
	a->password_command = NULL;
	return 0;
}

static int
set_password_command(struct conf *c, struct account *a,
    const config_setting_t *s, struct err *e)
{
	(void)c;
	if (set_text(s, &a->password_command, e) < 0)
		return -1;
	free(a->password);
	a->password = NULL;
	return 0;
}

/* SOCKS only: libcurl tunnels SMTP through nothing else we can test. */
static int
set_proxy(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	static const char *const schemes[] = {"socks5h://", "socks5://",
	    "socks4a://", "socks4://", NULL};
	size_t i;

	(void)c;
	if (get_string(s, &a->proxy, e) < 0)
		return -1;
	for (i = 0; schemes[i] != NULL; i++)
		if (strncmp(a->proxy, schemes[i], strlen(schemes[i])) == 0 &&
		    a->proxy[strlen(schemes[i])] != '\0' &&
		    strchr(a->proxy, ' ') == NULL)
			return 0;
	return conf_error(e, s,
	    "'proxy' must be socks5h://HOST:PORT (or socks5://, socks4a://, "
	    "socks4://)");
}

static int
set_source_ip(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	unsigned char addr[16];

	(void)c;
	if (get_string(s, &a->source_ip, e) < 0)
		return -1;
	if (inet_pton(AF_INET, a->source_ip, addr) != 1 &&
	    inet_pton(AF_INET6, a->source_ip, addr) != 1)
		return conf_error(e, s,
		    "'source_ip' must be an IPv4 or IPv6 address");
	return 0;
}

/*
 * The "oauth2" group.  Its secrets (client_secret, refresh_token) follow
 * the password's rule; its URLs are HTTPS only, since they carry them.
 */
static const config_setting_t *
blame(const config_setting_t *g, const char *key);
static int check_exclusive(const config_setting_t *g, const char *k1,
    const char *k2, struct err *e);

enum o2kind { O2_TEXT, O2_URL, O2_SECRET, O2_FILE, O2_GRANT };

static const struct o2key {
	const char *name;
	enum o2kind kind;
	size_t off;
} o2keys[] = {
    {"ca_file", O2_FILE, offsetof(struct oauth2_conf, ca_file)},
    {"client_id", O2_TEXT, offsetof(struct oauth2_conf, client_id)},
    {"client_secret", O2_SECRET, offsetof(struct oauth2_conf, client_secret)},
    {"client_secret_command", O2_TEXT,
        offsetof(struct oauth2_conf, client_secret_command)},
    {"device_url", O2_URL, offsetof(struct oauth2_conf, device_url)},
    {"grant", O2_GRANT, 0},
    {"provider", O2_TEXT, offsetof(struct oauth2_conf, provider)},
    {"refresh_token", O2_SECRET, offsetof(struct oauth2_conf, refresh_token)},
    {"scope", O2_TEXT, offsetof(struct oauth2_conf, scope)},
    {"tenant", O2_TEXT, offsetof(struct oauth2_conf, tenant)},
    {"token_url", O2_URL, offsetof(struct oauth2_conf, token_url)},
    {NULL, O2_TEXT, 0},
};

static const struct choice grants[] = {
    {"refresh_token", GRANT_REFRESH_TOKEN},
    {"client_credentials", GRANT_CLIENT_CREDENTIALS},
    {NULL, 0},
};

static void
oauth2_free(struct oauth2_conf *o)
{
	const struct o2key *k;

	if (o == NULL)
		return;
	for (k = o2keys; k->name != NULL; k++)
		if (k->kind != O2_GRANT)
			free(*(char **)((char *)o + k->off));
	free(o->at);
	free(o->state_file);
	free(o);
}

static int
set_o2value(struct conf *c, struct oauth2_conf *o, const struct o2key *k,
    const config_setting_t *s, struct err *e)
{
	char **f = (char **)((char *)o + k->off);

	switch (k->kind) {
	case O2_GRANT:
		return set_choice(s, grants, (int *)&o->grant, e);
	case O2_FILE:
		return set_path(c, s, f, R_OK, e);
	case O2_SECRET:
		if (secret_file_ok(c, s, "a secret", e) < 0)
			return -1;
		break;
	case O2_URL:
		if (set_text(s, f, e) < 0)
			return -1;
		if (strncmp(*f, "https://", 8) != 0 || (*f)[8] == '\0' ||
		    strchr(*f, ' ') != NULL)
			return conf_error(e, s, "'%s' must be an https:// URL",
			    k->name);
		return 0;
	default:
		break;
	}
	return set_text(s, f, e);
}

static int
oauth2_member(struct conf *c, struct oauth2_conf *o, const config_setting_t *s,
    struct err *e)
{
	const char *name = config_setting_name(s);
	const struct o2key *k;

	for (k = o2keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			break;
	if (k->name == NULL)
		return conf_error(e, s, "unknown setting 'oauth2.%s'", name);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_error(e, s, "'oauth2.%s' must be a string", name);
	return set_o2value(c, o, k, s, e);
}

/* Presets: the endpoints and scopes of Microsoft 365 and Google. */
#define MS_LOGIN "https://login.microsoftonline.com/"

static void
fill(char **f, char *v)
{
	if (*f == NULL)
		*f = v;
	else
		free(v);
}

static int
oauth2_preset(struct oauth2_conf *o, const config_setting_t *g, struct err *e)
{
	int app = o->grant == GRANT_CLIENT_CREDENTIALS;

	if (o->provider == NULL)
		return 0;
	if (strcmp(o->provider, "microsoft") == 0) {
		if (o->tenant == NULL)
			return conf_error(e, g,
			    "provider \"microsoft\" needs 'tenant' (the "
			    "directory's ID or domain name)");
		fill(&o->token_url,
		    xasprintf(MS_LOGIN "%s/oauth2/v2.0/token", o->tenant));
		fill(&o->device_url,
		    xasprintf(MS_LOGIN "%s/oauth2/v2.0/devicecode", o->tenant));
		/* An application's own permission (Microsoft's "app-only"),
		 * or the user's, with offline_access for a refresh token. */
		fill(&o->scope,
		    xstrdup(app ? "https://outlook.office365.com/.default"
		                : "https://outlook.office365.com/SMTP.Send "
		                  "offline_access"));
	} else if (strcmp(o->provider, "google") == 0) {
		fill(&o->token_url,
		    xstrdup("https://oauth2.googleapis.com/token"));
		fill(&o->device_url,
		    xstrdup("https://oauth2.googleapis.com/device/code"));
		fill(&o->scope, xstrdup("https://mail.google.com/"));
	} else {
		return conf_error(e, blame(g, "provider"),
		    "'oauth2.provider' must be \"microsoft\" or \"google\"");
	}
	return 0;
}

/* What the group must hold once read. */
static int
oauth2_finish(struct oauth2_conf *o, const config_setting_t *g, struct err *e)
{
	if (check_exclusive(g, "client_secret", "client_secret_command", e) <
	        0 ||
	    oauth2_preset(o, g, e) < 0)
		return -1;
	if (o->tenant != NULL && o->provider == NULL)
		return conf_error(e, blame(g, "tenant"),
		    "'oauth2.tenant' needs provider = \"microsoft\"");
	if (o->token_url == NULL)
		return conf_error(e, g,
		    "'oauth2' needs 'token_url' (or 'provider')");
	if (o->client_id == NULL)
		return conf_error(e, g, "'oauth2' needs 'client_id'");
	if (o->grant == GRANT_CLIENT_CREDENTIALS && o->client_secret == NULL &&
	    o->client_secret_command == NULL)
		return conf_error(e, blame(g, "grant"),
		    "grant \"client_credentials\" needs 'client_secret' or "
		    "'client_secret_command'");
	return 0;
}

/* An account's group replaces the top level's as a whole. */
static int
set_oauth2(struct conf *c, struct account *a, const config_setting_t *s,
    struct err *e)
{
	struct oauth2_conf *o = xcalloc(1, sizeof(*o));
	int i, n = config_setting_length(s);

	oauth2_free(a->oauth2);
	a->oauth2 = o;
	o->at = setting_at(s);
	for (i = 0; i < n; i++)
		if (oauth2_member(c, o, config_setting_get_elem(s, i), e) < 0)
			return -1;
	return oauth2_finish(o, s, e);
}

/*
 * The schema: every key the file may hold, where it may stand, and how
 * its value is checked and stored.  libconfig accepts any key silently,
 * so anything not listed here is reported as unknown.
 */
enum kind {
	K_CUSTOM, /* set() checks and stores it */
	K_BOOL, /* int */
	K_DURATION, /* long, seconds */
	K_CHOICE, /* int: the value of one of choices[] */
	K_TEXT, /* char *, not empty */
	K_HOST, /* char *, a host name or address */
	K_ADDRESS, /* char *, an addr-spec */
	K_PATH, /* char *, an absolute path */
	K_FILE, /* char *, a path to a file readable under conf_check() */
	K_DIR /* char *, the same for a directory */
};

#define TOP 1 /* only at the top level */
#define ACCOUNT 2 /* only in an element of "accounts" */
#define BOTH 3 /* at the top level (the default) or in an account */

struct key {
	const char *name;
	int scope; /* where it may stand: TOP, ACCOUNT, BOTH */
	enum kind kind;
	size_t off; /* of the field: in struct conf for TOP, else account */
	const struct choice *choices; /* K_CHOICE */
	int type; /* K_CUSTOM: CONFIG_TYPE_*; the other kinds imply it */
	int (*set)(struct conf *, struct account *, const config_setting_t *,
	    struct err *); /* K_CUSTOM */
};

#define IN_CONF(f) offsetof(struct conf, f)
#define IN_ACCT(f) offsetof(struct account, f)

/* K_CHOICE stores an enum through an int. */
_Static_assert(sizeof(enum tls_mode) == sizeof(int), "enum tls_mode is int");

static const struct key keys[] = {
    {"aliases", TOP, .type = CONFIG_TYPE_GROUP, .set = set_aliases},
    {"aliases_file", TOP, .type = CONFIG_TYPE_STRING, .set = set_aliases_file},
    {"allowed_senders", TOP, .type = CONFIG_TYPE_LIST,
        .set = set_allowed_senders},
    {"auth", BOTH, .type = CONFIG_TYPE_STRING, .set = set_auth},
    {"bounce", TOP, K_BOOL, .off = IN_CONF(bounce)},
    {"bounce_to", TOP, .type = CONFIG_TYPE_STRING, .set = set_bounce_to},
    {"connect_timeout", BOTH, K_DURATION, .off = IN_ACCT(connect_timeout)},
    {"domain", TOP, K_HOST, .off = IN_CONF(domain)},
    {"failed_lifetime", TOP, K_DURATION, .off = IN_CONF(failed_lifetime)},
    {"from", BOTH, K_ADDRESS, .off = IN_ACCT(from)},
    {"from_rewrite", TOP, K_CHOICE, .off = IN_CONF(from_rewrite),
        .choices = rewrites},
    {"helo", BOTH, K_HOST, .off = IN_ACCT(helo)},
    {"host", BOTH, .type = CONFIG_TYPE_STRING, .set = set_hosts},
    {"hosts", BOTH, .type = CONFIG_TYPE_LIST, .set = set_hosts},
    {"logfile", TOP, K_PATH, .off = IN_CONF(logfile)},
    {"match", ACCOUNT, .type = CONFIG_TYPE_LIST, .set = set_match},
    {"name", ACCOUNT, .type = CONFIG_TYPE_STRING, .set = set_name},
    {"oauth2", BOTH, .type = CONFIG_TYPE_GROUP, .set = set_oauth2},
    {"password", BOTH, .type = CONFIG_TYPE_STRING, .set = set_password},
    {"password_command", BOTH, .type = CONFIG_TYPE_STRING,
        .set = set_password_command},
    {"port", BOTH, .type = CONFIG_TYPE_INT, .set = set_port},
    {"proxy", BOTH, .type = CONFIG_TYPE_STRING, .set = set_proxy},
    {"queue_dir", TOP, .type = CONFIG_TYPE_STRING, .set = set_queue_dir},
    {"queue_lifetime", TOP, K_DURATION, .off = IN_CONF(queue_lifetime)},
    {"reply_timeout", BOTH, K_DURATION, .off = IN_ACCT(reply_timeout)},
    {"retry_max", TOP, K_DURATION, .off = IN_CONF(retry_max)},
    {"retry_min", TOP, K_DURATION, .off = IN_CONF(retry_min)},
    {"sender", TOP, K_ADDRESS, .off = IN_CONF(sender)},
    {"source_ip", BOTH, .type = CONFIG_TYPE_STRING, .set = set_source_ip},
    {"tls", BOTH, K_CHOICE, .off = IN_ACCT(tls), .choices = tls_modes},
    {"tls_ca_dir", BOTH, K_DIR, .off = IN_ACCT(tls_ca_dir)},
    {"tls_ca_file", BOTH, K_FILE, .off = IN_ACCT(tls_ca_file)},
    {"tls_cert_file", BOTH, K_FILE, .off = IN_ACCT(tls_cert_file)},
    {"tls_fingerprint", BOTH, .type = CONFIG_TYPE_STRING,
        .set = set_tls_fingerprint},
    {"tls_key_file", BOTH, K_FILE, .off = IN_ACCT(tls_key_file)},
    {"tls_min_version", BOTH, K_CHOICE, .off = IN_ACCT(tls_min_version),
        .choices = tls_versions},
    {"tls_verify", BOTH, K_BOOL, .off = IN_ACCT(tls_verify)},
    {"trusted_users", TOP, .type = CONFIG_TYPE_LIST, .set = set_trusted_users},
    {"undisclosed_recipients", TOP, K_BOOL,
        .off = IN_CONF(undisclosed_recipients)},
    {"user", BOTH, K_TEXT, .off = IN_ACCT(user)},
    {"user_from", TOP, .type = CONFIG_TYPE_LIST, .set = set_user_from},
    {.name = NULL},
};

/* Check and store a value of k's kind in its field. */
static int
set_value(const struct key *k, struct conf *c, struct account *a,
    const config_setting_t *s, struct err *e)
{
	void *f = (k->scope == TOP ? (char *)c : (char *)a) + k->off;

	switch (k->kind) {
	case K_BOOL:
		*(int *)f = config_setting_get_bool(s);
		return 0;
	case K_DURATION:
		return set_duration(s, f, e);
	case K_CHOICE:
		return set_choice(s, k->choices, f, e);
	case K_TEXT:
		return set_text(s, f, e);
	case K_HOST:
		return set_hostish(s, f, e);
	case K_ADDRESS:
		return set_address(s, f, 0, e);
	case K_PATH:
		return set_path(c, s, f, 0, e);
	case K_FILE:
		return set_path(c, s, f, R_OK, e);
	case K_DIR:
		return set_path(c, s, f, R_OK | X_OK, e);
	default:
		return k->set(c, a, s, e);
	}
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "something else";
	}
}

static int
type_ok(int want, int got)
{
	return want == CONFIG_TYPE_NONE || got == want ||
	    (want == CONFIG_TYPE_INT && got == CONFIG_TYPE_INT64) ||
	    (want == CONFIG_TYPE_LIST &&
	        (got == CONFIG_TYPE_ARRAY || got == CONFIG_TYPE_STRING));
}

/* The libconfig type of a key's value. */
static int
key_type(const struct key *k)
{
	switch (k->kind) {
	case K_CUSTOM:
		return k->type;
	case K_BOOL:
		return CONFIG_TYPE_BOOL;
	case K_DURATION:
		return CONFIG_TYPE_NONE; /* a number or a string: it checks */
	default:
		return CONFIG_TYPE_STRING;
	}
}

static const struct key *
find_key(const char *name)
{
	const struct key *k;

	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* Remember each file that settings came from, for --check-config. */
static void
note_file(struct conf *c, const config_setting_t *s)
{
	char *file = source_path(c, s);
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i], file) == 0) {
			free(file);
			return;
		}
	c->files = xreallocarray(c->files, c->nfiles + 1, sizeof(*c->files));
	c->files[c->nfiles++] = file;
}

/* Check and store one setting found where scope allows (TOP, ACCOUNT). */
static int
conf_setting(struct conf *c, struct account *a, const config_setting_t *s,
    int where, struct err *e)
{
	const char *name = config_setting_name(s);
	const struct key *k = find_key(name);
	int type = config_setting_type(s);

	if (k == NULL)
		return conf_error(e, s, "unknown setting '%s'", name);
	if (!(k->scope & where))
		return conf_error(e, s, "'%s' cannot be set %s", name,
		    where == TOP ? "outside an account" : "in an account");
	if (!type_ok(key_type(k), type))
		return conf_error(e, s, "'%s' must be %s", name,
		    type_name(key_type(k)));
	note_file(c, s);
	return set_value(k, c, a, s, e);
}

static int
conf_read(config_t *cfg, const char *path, struct err *e)
{
	char *dir, *slash;

	/* @include names are relative to the including file (libconfig
	 * 1.5 would use the working directory). */
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		config_set_include_dir(cfg, dir[0] ? dir : "/");
	}
	free(dir);
	if (config_read_file(cfg, path))
		return 0;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		if (!readable(path, R_OK))
			return err_sys(e, ERR_CONFIG, "%s", path);
		return err_set(e, ERR_CONFIG, "%s: cannot read the file", path);
	}
	return err_set(e, ERR_CONFIG, "%s:%d: %s",
	    config_error_file(cfg) ? config_error_file(cfg) : path,
	    config_error_line(cfg), config_error_text(cfg));
}

static void
account_init(struct account *a)
{
	memset(a, 0, sizeof(*a));
	a->tls = TLS_STARTTLS;
	a->tls_verify = 1;
	a->tls_min_version = 12;
	a->connect_timeout = CONNECT_TIMEOUT_DEFAULT;
	a->reply_timeout = REPLY_TIMEOUT_DEFAULT;
}

static void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	account_init(&c->acct);
	c->queue_dir = xstrdup(QUEUE_DIR_DEFAULT);
	c->queue_lifetime = 5 * 24 * 3600;
	c->failed_lifetime = 30 * 24 * 3600;
	c->retry_min = 5 * 60;
	c->retry_max = 60 * 60;
	c->bounce = 1;
	c->undisclosed_recipients = 1;
}

/* RFC 8314 3.3 (465), RFC 6409 (587), RFC 5321 (25). */
static void
conf_default_port(struct account *a)
{
	size_t i;

	if (a->port == 0)
		a->port = a->tls == TLS_IMPLICIT ? 465
		    : a->tls == TLS_NONE         ? 25
		                                 : 587;
	for (i = 0; i < a->nrelays; i++)
		if (a->relays[i].port == 0)
			a->relays[i].port = a->port;
}

int
account_has_credentials(const struct account *a)
{
	return a->user != NULL || a->password != NULL ||
	    a->password_command != NULL || a->auth != NULL || a->oauth2 != NULL;
}

/* The setting to blame: key in group g if it stands there, else g. */
static const config_setting_t *
blame(const config_setting_t *g, const char *key)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	return s != NULL ? s : g;
}

/* A token from "oauth2" goes with a bearer mechanism and a user only. */
static int
oauth2_check(const struct account *a, const config_setting_t *g, struct err *e)
{
	if (a->password != NULL || a->password_command != NULL)
		return conf_error(e,
		    blame(g, a->password ? "password" : "password_command"),
		    "'oauth2' gives the token: no 'password' or "
		    "'password_command' with it");
	if (a->auth == NULL ||
	    (strcmp(a->auth, "XOAUTH2") != 0 &&
	        strcmp(a->auth, "OAUTHBEARER") != 0))
		return conf_error(e, blame(g, a->auth ? "auth" : "oauth2"),
		    "'oauth2' needs auth = \"xoauth2\" or \"oauthbearer\"");
	if (a->user == NULL)
		return conf_error(e, blame(g, "oauth2"),
		    "'oauth2' needs 'user' (the mailbox the token is for)");
	if (a->tls == TLS_NONE)
		return conf_error(e, blame(g, "tls"),
		    "credentials are configured, so 'tls' cannot be \"none\"");
	return 0;
}

/* Settings that only make sense together (RFC 4954, RFC 7628). */
static int
account_check(const struct account *a, const config_setting_t *g, struct err *e)
{
	int needs_secret = a->auth == NULL ||
	    (strcmp(a->auth, "EXTERNAL") != 0 &&
	        strcmp(a->auth, "GSSAPI") != 0);
	int secret = a->password != NULL || a->password_command != NULL;

	if (a->oauth2 != NULL)
		return oauth2_check(a, g, e);
	if (secret && a->user == NULL)
		return conf_error(e,
		    blame(g, a->password ? "password" : "password_command"),
		    "a password or token needs 'user'");
	if (a->user != NULL && needs_secret && !secret)
		return conf_error(e, blame(g, "user"),
		    "'user' needs 'password' or 'password_command'");
	if (a->auth != NULL && needs_secret && !secret)
		return conf_error(e, blame(g, "auth"),
		    "'auth' = \"%s\" needs 'user' and 'password' or "
		    "'password_command'",
		    a->auth);
	if (a->pin != PIN_NONE && a->tls == TLS_NONE)
		return conf_error(e, blame(g, "tls_fingerprint"),
		    "'tls_fingerprint' needs TLS, but 'tls' is \"none\"");
	/* Credentials never travel in clear text. */
	if (account_has_credentials(a) && a->tls == TLS_NONE)
		return conf_error(e, blame(g, "tls"),
		    "credentials are configured, so 'tls' cannot be \"none\"");
	return 0;
}

/* Exclusive pairs, when both stand in one group. */
static int
check_exclusive(const config_setting_t *g, const char *k1, const char *k2,
    struct err *e)
{
	const config_setting_t *a = config_setting_get_member(g, k1);
	const config_setting_t *b = config_setting_get_member(g, k2);

	if (a == NULL || b == NULL)
		return 0;
	return conf_error(e,
	    config_setting_source_line(a) > config_setting_source_line(b) ? a
	                                                                  : b,
	    "'%s' and '%s' cannot both be set", k1, k2);
}

/* What a group of settings (the top level, an account) must hold. */
static int
account_finish(struct account *a, const config_setting_t *g, int check,
    struct err *e)
{
	if (check_exclusive(g, "host", "hosts", e) < 0 ||
	    check_exclusive(g, "password", "password_command", e) < 0)
		return -1;
	conf_default_port(a);
	return check ? account_check(a, g, e) : 0;
}

/*
 * One element of "accounts": the top-level account settings first (the
 * defaults), then the element's own.
 */
static int
conf_one_account(struct conf *c, const config_setting_t *root,
    const config_setting_t *g, struct err *e)
{
	struct account *a;
	int i, n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_error(e, g,
		    "each element of 'accounts' must be "
		    "a group: { name = ...; }");
	c->accounts =
	    xreallocarray(c->accounts, c->naccounts + 1, sizeof(*c->accounts));
	a = &c->accounts[c->naccounts++];
	account_init(a);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		const struct key *k = find_key(config_setting_name(s));

		if (k != NULL && k->scope == BOTH &&
		    conf_setting(c, a, s, BOTH, e) < 0)
			return -1;
	}
	n = config_setting_length(g);
	for (i = 0; i < n; i++)
		if (conf_setting(c, a, config_setting_get_elem(g, i), ACCOUNT,
		        e) < 0)
			return -1;
	if (a->name == NULL)
		return conf_error(e, g, "an account needs a 'name'");
	return account_finish(a, g, 1, e);
}

static int
conf_accounts(struct conf *c, const config_setting_t *root,
    const config_setting_t *list, struct err *e)
{
	int i, n = config_setting_length(list);

	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return conf_error(e, list,
		    "'accounts' must be a list: "
		    "( { ... }, { ... } )");
	for (i = 0; i < n; i++)
		if (conf_one_account(c, root, config_setting_get_elem(list, i),
		        e) < 0)
			return -1;
	return 0;
}

static int
conf_walk(struct conf *c, const config_setting_t *root, struct err *e)
{
	const config_setting_t *s, *accounts = NULL;
	int i, n = config_setting_length(root);

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, i);
		if (strcmp(config_setting_name(s), "accounts") == 0)
			accounts = s;
		else if (conf_setting(c, &c->acct, s, TOP, e) < 0)
			return -1;
	}
	/* Top-level settings with no relay are only defaults. */
	if (account_finish(&c->acct, root, c->acct.nrelays > 0, e) < 0)
		return -1;
	if (accounts != NULL && conf_accounts(c, root, accounts, e) < 0)
		return -1;
	return check_user_from(c, e);
}

/* The main file (path) and what it includes, into c. */
static int
conf_read_file(const char *path, struct conf *c, struct err *e)
{
	config_t cfg;
	int rc;

	c->path = xstrdup(path);
	c->files = xcalloc(1, sizeof(*c->files));
	c->files[c->nfiles++] = xstrdup(path);
	config_init(&cfg);
	rc = conf_read(&cfg, path, e);
	if (rc == 0)
		rc = conf_walk(c, config_root_setting(&cfg), e);
	config_destroy(&cfg);
	return rc;
}

/*
 * The aliases file: the one named, none for "", else the system's
 * (sys_aliases) when it exists.  Debian's other mail transports read
 * /etc/aliases, so mail to root goes where it did before mailout.
 */
static int
conf_aliases_file(struct conf *c, const char *sys_aliases, struct err *e)
{
	size_t first = c->aliases.n;

	if (!c->aliases_file_set) {
		if (access(sys_aliases, F_OK) != 0 && errno == ENOENT)
			return 0;
		c->aliases_file = xstrdup(sys_aliases);
	}
	if (c->aliases_file == NULL)
		return 0;
	if (alias_load_file(&c->aliases, c->aliases_file, e) < 0)
		return -1;
	/* The system's file is shared with other programs: a name that
	 * mailout.conf defines too is mailout's. */
	if (!c->aliases_file_set)
		alias_yield_from(&c->aliases, first);
	return 0;
}

/*
 * Where an account's tokens are kept: QUEUE_DIR/oauth2/NAME ("default"
 * for the top level; other than letters, digits, '-', '_' and inner '.'
 * as %XX).  A user's own file that keeps the system's queue gets none:
 * it must not read, nor replace, the system's tokens.
 */
static void
oauth2_state_file(const struct conf *c, struct account *a)
{
	const char *n = a->name != NULL ? a->name : "default", *p;
	struct buf b = BUF_INIT;

	if (a->oauth2 == NULL ||
	    (!conf_is_system(c) &&
	        strcmp(c->queue_dir, QUEUE_DIR_DEFAULT) == 0))
		return;
	buf_printf(&b, "%s/oauth2/", c->queue_dir);
	for (p = n; *p != '\0'; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
		    (*p == '.' && p != n))
			buf_putc(&b, *p);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*p);
	free(a->oauth2->state_file);
	a->oauth2->state_file = buf_release(&b);
}

static void
conf_oauth2_states(struct conf *c)
{
	size_t i;

	oauth2_state_file(c, &c->acct);
	for (i = 0; i < c->naccounts; i++)
		oauth2_state_file(c, &c->accounts[i]);
}

static int
conf_load_files(const char *path, const char *sys_aliases, struct conf *c,
    int check, struct err *e)
{
	int rc = 0;

	conf_defaults(c);
	c->check_files = check;
	if (path != NULL)
		rc = conf_read_file(path, c, e);
	else if (access(CONF_DEFAULT_PATH, F_OK) == 0 || errno != ENOENT)
		rc = conf_read_file(CONF_DEFAULT_PATH, c, e);
	else
		conf_default_port(&c->acct); /* no file: the defaults */
	if (rc == 0)
		rc = conf_aliases_file(c, sys_aliases, e);
	if (rc == 0)
		rc = alias_finish(&c->aliases, e);
	if (rc == 0)
		conf_oauth2_states(c);
	if (rc < 0)
		conf_free(c); /* nothing half-loaded is left behind */
	return rc;
}

int
conf_load(const char *path, struct conf *c, struct err *e)
{
	return conf_load_files(path, ALIASES_DEFAULT, c, 0, e);
}

int
conf_load_sys_aliases(const char *path, const char *sys_aliases, struct conf *c,
    struct err *e)
{
	return conf_load_files(path, sys_aliases, c, 0, e);
}

int
conf_check(const char *path, struct conf *c, struct err *e)
{
	return conf_load_files(path, ALIASES_DEFAULT, c, 1, e);
}

/*
 * "*" matches any run of characters; case is ignored.  On a mismatch the
 * last "*" takes one more character, so the cost stays linear in
 * practice whatever the pattern.
 */
int
conf_match_pattern(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (tolower((unsigned char)*pat) ==
		    tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

const struct account *
conf_account(const struct conf *c, const char *name, const char *sender,
    struct err *e)
{
	size_t i, j;

	for (i = 0; name != NULL && i < c->naccounts; i++)
		if (strcmp(c->accounts[i].name, name) == 0)
			return &c->accounts[i];
	if (name != NULL) {
		err_set(e, ERR_USAGE, "no account named \"%s\" in %s", name,
		    c->path != NULL ? c->path : CONF_DEFAULT_PATH);
		return NULL;
	}
	for (i = 0; sender != NULL && i < c->naccounts; i++)
		for (j = 0; j < c->accounts[i].nmatch; j++)
			if (conf_match_pattern(c->accounts[i].match[j], sender))
				return &c->accounts[i];
	/* Top-level settings without a relay are defaults for accounts. */
	for (i = 0; c->acct.nrelays == 0 && i < c->naccounts; i++)
		if (c->accounts[i].nrelays > 0)
			return &c->accounts[i];
	return &c->acct;
}

int
conf_no_relay(const struct conf *c, const char *name, const char *sender)
{
	struct err e = {0};
	const struct account *a = conf_account(c, name, sender, &e);

	err_clear(&e);
	return a != NULL && a->nrelays == 0;
}

const char *
conf_domain(struct conf *c)
{
	const char *fqdn;

	if (c->domain == NULL)
		c->domain = sys_mailname();
	if (c->domain == NULL) {
		fqdn = sys_fqdn();
		c->domain = xstrdup(fqdn != NULL ? fqdn : "localhost");
	}
	return c->domain;
}

const char *
conf_helo(struct conf *c, const struct account *a)
{
	if (a->helo != NULL)
		return a->helo;
	return sys_fqdn() != NULL ? sys_fqdn() : conf_domain(c);
}

static void
account_free(struct account *a)
{
	size_t i;

	for (i = 0; i < a->nmatch; i++)
		free(a->match[i]);
	free(a->match);
	free(a->name);
	relays_free(a);
	free(a->tls_ca_file);
	free(a->tls_ca_dir);
	free(a->tls_cert_file);
	free(a->tls_key_file);
	free(a->tls_fingerprint);
	free(a->helo);
	free(a->auth);
	free(a->auth_at);
	free(a->user);
	free(a->password);
	free(a->password_command);
	oauth2_free(a->oauth2);
	free(a->proxy);
	free(a->source_ip);
	free(a->from);
}

void
conf_free(struct conf *c)
{
	free(c->path);
	free(c->domain);
	free(c->queue_dir);
	free(c->bounce_to);
	free(c->logfile);
	alias_free(&c->aliases);
	free(c->aliases_file);
	free(c->sender);
	senders_free(&c->senders);
	while (c->nfiles > 0)
		free(c->files[--c->nfiles]);
	free(c->files);
	account_free(&c->acct);
	while (c->naccounts > 0)
		account_free(&c->accounts[--c->naccounts]);
	free(c->accounts);
	memset(c, 0, sizeof(*c));
}

int
conf_is_system(const struct conf *c)
{
	return c->path == NULL || strcmp(c->path, CONF_DEFAULT_PATH) == 0;
}
