#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/socket.h>

#include <curl/curl.h>

#include "buf.h"
#include "cert.h"
#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "idna.h"
#include "msgsrc.h"
#include "oauth2tok.h"
#include "pwcmd.h"
#include "redact.h"
#include "smtptx.h"
#include "smtpwire.h"
#include "transport.h"
#include "utf8.h"
#include "xalloc.h"

/* RFC 5321 4.5.3.2.6: wait ten minutes for the reply to the final dot. */
#define EOD_TIMEOUT 600L

/* Replies before MAIL at most: greeting, EHLO, STARTTLS, EHLO, AUTH... */
#define SETUP_REPLIES 6L

/*
 * What one connection has told us.  libcurl keeps a connection open for
 * the next message and then sends no new EHLO, STARTTLS or AUTH, so
 * this outlives a transaction; a new connection shows a new greeting.
 */
struct connstate {
	int authed; /* 235 to AUTH */
	char *mech; /* the mechanism of the last AUTH sent */
	int pin_checked; /* the certificate matched tls_fingerprint */
	struct smtp_caps caps; /* what EHLO offered */
	char *tls; /* a TLS handshake completed: its version, else NULL */
	char *cipher;
	struct buf greeting;
	struct buf ehlo; /* the last EHLO reply */
};

/* What is awaited, for connect_timeout and reply_timeout. */
enum wait { WAIT_NONE, WAIT_CONNECT, WAIT_REPLY };

/*
 * What one attempt has come to.  During libcurl's set-up the debug
 * callback follows the stage and the replies line by line (libcurl
 * reports failures coarsely, and its response code goes stale after a
 * network error); the transaction code then sets what it did.
 */
struct session {
	enum smtp_stage stage; /* the command whose reply is awaited */
	int replied; /* its final reply has arrived */
	int code; /* that reply */
	struct buf text;
	struct buf cur; /* reply lines being collected */
	int auth; /* inside an AUTH exchange: redact */
	int aside; /* QUIT, NOOP...: their replies change nothing */
	off_t sent; /* octets of the message written */
	int no_auth; /* credentials set, but the relay did not take them */
	char *pin_failed; /* why the certificate is not the pinned one */
	enum wait wait;
	double since; /* ...awaited since then (monotonic seconds) */
	enum wait timed_out; /* the wait that ran out */
};

struct transport {
	CURL *h;
	const struct account *acct;
	char **names; /* of the account's relays: "host:port", "[v6]:port" */
	char *helo; /* URL-escaped, the URL's path */
	size_t cur; /* the relay that took the last message */
	size_t relay; /* the relay of this attempt */
	int probe; /* --server-info: no credentials, no message */
	int auth_probe; /* --server-info --auth: credentials, no message */
	int unchecked; /* --server-info: show the certificate, trust or not */
	char errbuf[CURL_ERROR_SIZE];
	transport_trace_fn trace;
	void *trace_arg;
	struct session s;
	struct connstate conn;
	char *secret; /* password or token, once known */
	time_t bearer_until; /* oauth2: when to ask for the token again */
	char *login_options;
	struct redact secrets;
	struct envelope *env;
	size_t *map; /* RCPT number -> index in env->rcpts, for one batch */
	curl_socket_t sock; /* the connection, once libcurl set it up */
	int live; /* set up, and the next transaction may use it */
	int reused; /* this transaction's connection served before */
	int open_tx; /* a transaction is open on it: RSET first */
	struct buf in; /* what the relay sent, from inpos on unread */
	size_t inpos;
	struct smtp_reply reply; /* the last reply read */
	char *net_msg; /* why the connection was lost */
	int eightbit; /* the message has 8-bit octets; -1: not known yet */
	int dsn_noted; /* -v was told that DSN is not offered */
	int last; /* no message follows: QUIT may go with the end of data */
	int quit_sent; /* ...and did: read its 221 after the final reply */
	int performed; /* the handle has set up a connection before */
	struct buf wbuf; /* commands waiting to go with the early BDAT */
	size_t nmap;
	unsigned char *tried; /* per recipient, this relay: TRIED, RETRIED */
	struct msgsrc *src;
};

const char *
smtp_stage_name(enum smtp_stage st)
{
	static const char *const names[] = {"connect", "greeting", "EHLO",
	    "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "message data",
	    "end of data", "done"};

	return names[st];
}

static double
monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every line shown passes here, scrubbed of the secret in any form. */
static void
trace(struct transport *t, char dir, const char *line, size_t len)
{
	char *clean;

	if (t->trace == NULL)
		return;
	if (t->secrets.n == 0) {
		t->trace(t->trace_arg, dir, line, len);
		return;
	}
	clean = redact_text(&t->secrets, line, len);
	t->trace(t->trace_arg, dir, clean, strlen(clean));
	free(clean);
}

/* RFC 4954 4: credentials travel in AUTH and in the 334 responses. */
static void
trace_command(struct transport *t, const char *l, size_t n)
{
	size_t verb = 0;

	if (t->s.auth) {
		trace(t, '>', REDACTED, strlen(REDACTED));
		return;
	}
	if (n > 5 && strncasecmp(l, "AUTH ", 5) == 0) {
		/* Keep "AUTH MECH", drop any initial response. */
		verb = 5 + strcspn(l + 5, " ");
		if (verb < n) {
			char *shown =
			    xasprintf("%.*s %s", (int)verb, l, REDACTED);
			trace(t, '>', shown, strlen(shown));
			free(shown);
			return;
		}
	}
	trace(t, '>', l, n);
}

/* The stage a command starts, or -1 for QUIT, NOOP, RSET... */
static int
command_stage(const char *l, size_t n)
{
	static const struct {
		const char *verb;
		enum smtp_stage stage;
	} verbs[] = {
	    {"EHLO", ST_EHLO},
	    {"HELO", ST_EHLO},
	    {"STARTTLS", ST_STARTTLS},
	    {"AUTH", ST_AUTH},
	    {"MAIL", ST_MAIL},
	    {"RCPT", ST_RCPT},
	    {"DATA", ST_DATA},
	};
	size_t i, len;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		len = strlen(verbs[i].verb);
		if (n >= len && strncasecmp(l, verbs[i].verb, len) == 0 &&
		    (n == len || l[len] == ' '))
			return (int)verbs[i].stage;
	}
	return -1;
}

static void
await_reply(struct session *s)
{
	s->wait = WAIT_REPLY;
	s->since = monotonic();
}

static void
on_command(struct transport *t, const char *l, size_t n)
{
	struct session *s = &t->s;
	int stage;

	trace_command(t, l, n);
	await_reply(s);
	if (s->auth)
		return;
	stage = command_stage(l, n);
	s->aside = stage < 0;
	if (s->aside)
		return; /* a QUIT after a failure must not hide it */
	s->stage = (enum smtp_stage)stage;
	s->replied = 0;
	if (s->stage == ST_EHLO) {
		memset(&t->conn.caps, 0, sizeof(t->conn.caps));
	} else if (s->stage == ST_AUTH) {
		s->auth = 1;
		free(t->conn.mech);
		t->conn.mech = xstrndup(l + 5, strcspn(l + 5, " \r\n"));
	}
}

static void
conn_reset_tls(struct connstate *c)
{
	free(c->tls);
	free(c->cipher);
	c->tls = c->cipher = NULL;
	c->pin_checked = 0;
}

/* What the relay said on the connection: greeting, EHLO, AUTH. */
static void
conn_reset_smtp(struct connstate *c)
{
	c->authed = 0;
	free(c->mech);
	c->mech = NULL;
	memset(&c->caps, 0, sizeof(c->caps));
	buf_free(&c->greeting);
	buf_free(&c->ehlo);
}

static void
conn_reset(struct connstate *c)
{
	conn_reset_tls(c);
	conn_reset_smtp(c);
}

/*
 * A greeting: a new connection, nothing learnt before holds.  With
 * implicit TLS the handshake came first and stays.
 */
static void
on_greeting(struct transport *t)
{
	struct connstate *c = &t->conn;

	if (t->acct->tls != TLS_IMPLICIT)
		conn_reset_tls(c);
	conn_reset_smtp(c);
	buf_append(&c->greeting, t->s.cur.data, t->s.cur.len);
}

/* The final line of a reply (RFC 5321 4.2.1: "NNN " or just "NNN"). */
static void
on_final_reply(struct transport *t, int code)
{
	struct session *s = &t->s;

	s->wait = WAIT_NONE;
	if (s->stage == ST_CONNECT) {
		s->stage = ST_GREETING;
		on_greeting(t);
	}
	if (s->stage == ST_AUTH && code != 334)
		s->auth = 0;
	if (s->stage == ST_AUTH && code == 334)
		return; /* a challenge, not the outcome */
	if (s->stage == ST_AUTH && code == 235)
		t->conn.authed = 1;
	if (s->stage == ST_STARTTLS && code == 220)
		await_reply(s); /* the handshake counts as a reply */
	if (s->stage == ST_EHLO) {
		buf_reset(&t->conn.ehlo);
		buf_append(&t->conn.ehlo, s->cur.data, s->cur.len);
	}
	s->replied = 1;
	s->code = code;
	buf_reset(&s->text);
	buf_append(&s->text, s->cur.data, s->cur.len);
}

static void
on_reply(struct transport *t, const char *l, size_t n)
{
	struct session *s = &t->s;
	int code;

	trace(t, '<', l, n);
	if (s->aside || n < 3 || l[0] < '2' || l[0] > '5')
		return;
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (s->cur.len > 0)
		buf_putc(&s->cur, '\n');
	buf_append(&s->cur, l, n);
	if (s->stage == ST_EHLO && code == 250)
		smtp_caps_line(&t->conn.caps, l, n);
	if (n > 3 && l[3] == '-')
		return;
	on_final_reply(t, code);
	buf_reset(&s->cur);
}

/* Call fn for each line of data (CRLF or LF ended). */
static void
each_line(struct transport *t, const char *p, size_t n,
    void (*fn)(struct transport *, const char *, size_t))
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) : n;
		size_t adv = nl != NULL ? len + 1 : len;

		if (len > 0 && p[len - 1] == '\r')
			len--;
		fn(t, p, len);
		p += adv;
		n -= adv;
	}
}

/*
 * libcurl names the protocol version and cipher only in a note once the
 * handshake is done: "SSL connection using TLSv1.3 / TLS_AES_..."
 * (OpenSSL; newer versions add more " / " fields).  It also tells us
 * that a handshake happened, so the certificate is checked again.
 */
static void
on_tls_note(struct transport *t, const char *l, size_t n)
{
	static const char prefix[] = "SSL connection using ";
	const char *p = l + sizeof(prefix) - 1, *end = l + n, *sep;

	conn_reset_tls(&t->conn);
	sep = memmem(p, (size_t)(end - p), " / ", 3);
	t->conn.tls = xstrndup(p, (size_t)((sep ? sep : end) - p));
	if (sep == NULL)
		return;
	p = sep + 3;
	sep = memmem(p, (size_t)(end - p), " / ", 3);
	t->conn.cipher = xstrndup(p, (size_t)((sep ? sep : end) - p));
}

static void
on_text(struct transport *t, const char *p, size_t n)
{
	static const char prefix[] = "SSL connection using ";

	if (n > sizeof(prefix) && memcmp(p, prefix, sizeof(prefix) - 1) == 0)
		on_tls_note(t, p, n);
	trace(t, '*', p, n);
}

static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct transport *t = arg;

	(void)h;
	switch (type) {
	case CURLINFO_TEXT:
		each_line(t, data, size, on_text);
		break;
	case CURLINFO_HEADER_OUT:
		each_line(t, data, size, on_command);
		break;
	case CURLINFO_HEADER_IN:
		each_line(t, data, size, on_reply);
		break;
	default:
		break;
	}
	return 0;
}

/* A "Name:value" field of libcurl's certificate information. */
static const char *
cert_field(struct curl_slist *l, const char *name)
{
	size_t len = strlen(name);

	for (; l != NULL; l = l->next)
		if (strncmp(l->data, name, len) == 0 && l->data[len] == ':')
			return l->data + len + 1;
	return NULL;
}

/* The DER of the relay's certificate from this connection's handshake. */
static int
peer_cert(struct transport *t, struct buf *der)
{
	struct curl_certinfo *ci = NULL;
	const char *pem;

	if (curl_easy_getinfo(t->h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return -1;
	pem = cert_field(ci->certinfo[0], "Cert");
	return pem != NULL ? cert_pem_to_der(pem, der) : -1;
}

/*
 * tls_fingerprint of the certificate.  libcurl pins keys only, so the
 * certificate is compared here, in the progress callback: it runs after
 * the handshake, while the EHLO that follows it awaits its reply, so
 * before AUTH; prereq_cb refuses MAIL if it never matched.
 */
static int
check_pin(struct transport *t)
{
	unsigned char md[SHA256_LEN];
	struct buf der = BUF_INIT;
	char *got;

	if (t->acct->pin != PIN_CERT || t->unchecked || t->conn.tls == NULL ||
	    t->conn.pin_checked || t->s.pin_failed != NULL)
		return t->s.pin_failed != NULL ? -1 : 0;
	if (peer_cert(t, &der) < 0) {
		t->s.pin_failed = xstrdup("the relay's certificate could not "
		                          "be read to check tls_fingerprint");
	} else {
		sha256(der.data, der.len, md);
		t->conn.pin_checked =
		    memcmp(md, t->acct->pin_cert, sizeof(md)) == 0;
		got = cert_fingerprint(der.data, der.len);
		if (!t->conn.pin_checked)
			t->s.pin_failed = xasprintf("the certificate's SHA-256 "
			                            "fingerprint %s does not "
			                            "match tls_fingerprint",
			    got);
		free(got);
	}
	buf_free(&der);
	return t->s.pin_failed != NULL ? -1 : 0;
}

/* Is the connection (with implicit TLS: the handshake too) up? */
static int
connected(struct transport *t)
{
	curl_off_t tcp = 0, tls = 0;

	curl_easy_getinfo(t->h, CURLINFO_CONNECT_TIME_T, &tcp);
	curl_easy_getinfo(t->h, CURLINFO_APPCONNECT_TIME_T, &tls);
	return tcp > 0 && (t->acct->tls != TLS_IMPLICIT || tls > 0);
}

/*
 * connect_timeout and reply_timeout.  libcurl's connect timeout covers
 * everything up to MAIL (greeting, EHLO, STARTTLS, AUTH), and it has
 * one reply timeout for every reply, so both are kept here instead;
 * libcurl's own are set wider, as a backstop, and libcurl's reply
 * timeout is what waits for the reply to the final dot.
 */
static int
wait_expired(struct transport *t)
{
	struct session *s = &t->s;
	double now = monotonic();
	long limit;

	if (s->wait == WAIT_CONNECT && connected(t)) {
		s->wait = WAIT_REPLY; /* for the greeting */
		s->since = now;
	}
	if (s->wait == WAIT_NONE || s->stage >= ST_BODY)
		return 0;
	limit = s->wait == WAIT_CONNECT ? t->acct->connect_timeout
	                                : t->acct->reply_timeout;
	if (now - s->since < (double)limit)
		return 0;
	s->timed_out = s->wait;
	return 1;
}

static int
xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct transport *t = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (check_pin(t) < 0)
		return 1;
	return wait_expired(t);
}

/* Does an address of this transaction need SMTPUTF8?  Domains are
 * A-labels already (idna.h), so only a local part can. */
static int
needs_utf8(const struct transport *t)
{
	size_t k;

	if (idna_needs_utf8(t->env->sender))
		return 1;
	for (k = 0; k < t->nmap; k++)
		if (idna_needs_utf8(t->env->rcpts[t->map[k]].addr))
			return 1;
	return 0;
}

/* After EHLO (and AUTH), before MAIL: refuse what the relay would. */
static int
prereq_cb(void *arg, char *conn_primary_ip, char *conn_local_ip,
    int conn_primary_port, int conn_local_port)
{
	struct transport *t = arg;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	if (t->probe)
		return CURL_PREREQFUNC_OK;
	if (t->acct->pin == PIN_CERT && !t->conn.pin_checked) {
		if (t->s.pin_failed == NULL)
			t->s.pin_failed = xstrdup("the certificate was not "
			                          "checked against "
			                          "tls_fingerprint");
		return CURL_PREREQFUNC_ABORT;
	}
	/* libcurl sends unauthenticated when the relay offers no AUTH. */
	if (account_has_credentials(t->acct) && !t->conn.authed) {
		t->s.no_auth = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* smtp[s]://relay:port/helo: the path is the EHLO name (RFC 5321 4.1.4). */
static char *
make_url(const struct transport *t, size_t i)
{
	const char *scheme = t->acct->tls == TLS_IMPLICIT ? "smtps" : "smtp";

	return xasprintf("%s://%s/%s", scheme, t->names[i], t->helo);
}

/* The relay's certificate: checked, pinned, or (tls_verify off) not. */
static void
set_tls_options(struct transport *t)
{
	const struct account *a = t->acct;
	CURL *h = t->h;
	long verify = a->tls_verify && a->pin == PIN_NONE;

	/* RFC 3207: STARTTLS required; CURLUSESSL_TRY would go on in clear
	 * text when it is not offered (smtps:// is TLS anyway). */
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    a->tls == TLS_STARTTLS ? (long)CURLUSESSL_ALL
	                           : (long)CURLUSESSL_NONE);
	/* tls_min_version; libcurl 7.88 itself would allow TLS 1.0. */
	curl_easy_setopt(h, CURLOPT_SSLVERSION,
	    a->tls_min_version == 13 ? (long)CURL_SSLVERSION_TLSv1_3
	                             : (long)CURL_SSLVERSION_TLSv1_2);
	/* A pin replaces the chain and name checks (msmtp does the same). */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	/* Configured authorities replace the system's: libcurl keeps its
	 * built-in file and directory unless told otherwise, and OpenSSL
	 * would look issuers up in both.  NULL unsets one in libcurl 7.88
	 * (later manuals speak of the default coming back): tests/e2e/tls.sh
	 * checks it against a system store of its own. */
	if (a->tls_ca_file != NULL || a->tls_ca_dir != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, a->tls_ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, a->tls_ca_dir);
	}
	/* Our client certificate; the key may be in the same file. */
	if (a->tls_cert_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLCERT, a->tls_cert_file);
	if (a->tls_key_file != NULL)
		curl_easy_setopt(h, CURLOPT_SSLKEY, a->tls_key_file);
	/* A key pin is checked by libcurl during the handshake. */
	if (a->pin == PIN_KEY)
		curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY,
		    a->tls_fingerprint);
	/* The certificate, for a certificate pin and --server-info. */
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
}

/* How the connection is made: proxy, source address, timeouts. */
static void
set_network_options(struct transport *t)
{
	const struct account *a = t->acct;
	CURL *h = t->h;
	long reply = a->reply_timeout;

	/* libcurl would obey all_proxy & co. from the environment, and
	 * no_proxy even with a proxy set. */
	curl_easy_setopt(h, CURLOPT_PROXY, a->proxy != NULL ? a->proxy : "");
	if (a->proxy != NULL) {
		curl_easy_setopt(h, CURLOPT_NOPROXY, "");
		/* HTTP CONNECT's Proxy-Authorization shows in -v. */
		redact_add_url(&t->secrets, a->proxy);
	}
	if (a->source_ip != NULL) {
		char *iface = xasprintf("host!%s", a->source_ip);

		/* libcurl copies strings it is given. */
		curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
		free(iface);
	}
	/* No SIGALRM (the resolver is threaded); main() ignores SIGPIPE. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* Backstops for wait_expired(), which measures each wait. */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    a->connect_timeout + SETUP_REPLIES * reply);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    reply > EOD_TIMEOUT ? reply : EOD_TIMEOUT);
	/* Called about once a second: the timeouts, the certificate pin. */
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
	/* A relay that stops reading the message for 5 minutes is gone. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 300L);
}

/* Options that hold for every message sent through this handle. */
static void
set_fixed_options(struct transport *t)
{
	CURL *h = t->h;

	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	set_network_options(t);
	set_tls_options(t);
	/* libcurl sets the session up (TLS, AUTH); the transaction is ours
	 * (smtptx.h), written with curl_easy_send(). */
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	/* The debug callback needs VERBOSE; it is how replies are seen. */
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
}

static int
is_bearer(const char *auth)
{
	return auth != NULL &&
	    (strcmp(auth, "XOAUTH2") == 0 || strcmp(auth, "OAUTHBEARER") == 0);
}

const char *
transport_auth_unsupported(const char *auth)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	if (auth == NULL)
		return NULL;
	if (strcmp(auth, "GSSAPI") == 0 &&
	    !(v->features & CURL_VERSION_KERBEROS5))
		return "this libcurl was built without Kerberos";
	if (strcmp(auth, "NTLM") == 0 && !(v->features & CURL_VERSION_NTLM))
		return "this libcurl was built without NTLM";
	if (strncmp(auth, "SCRAM-", 6) == 0 &&
	    !(v->features & CURL_VERSION_GSASL))
		return "this libcurl was built without GNU SASL";
	return NULL;
}

/* The secret in every form it may take on the wire, for redact_text(). */
static void
add_secrets(struct transport *t)
{
	const char *user = t->acct->user != NULL ? t->acct->user : "";
	struct buf b = BUF_INIT;

	redact_add_secret(&t->secrets, t->secret);
	/* RFC 4616: PLAIN's "\0user\0password". */
	buf_putc(&b, '\0');
	buf_puts(&b, user);
	buf_putc(&b, '\0');
	buf_puts(&b, t->secret);
	redact_add_encoded(&t->secrets, b.data, b.len);
	/* XOAUTH2: "user=U\1auth=Bearer T\1\1". */
	buf_reset(&b);
	buf_printf(&b, "user=%s\001auth=Bearer %s\001\001", user, t->secret);
	redact_add_encoded(&t->secrets, b.data, b.len);
	buf_free(&b);
}

/*
 * Credentials, once per transport: the password, or the first line of
 * password_command (run when the first message needs it), and whether
 * this libcurl can use the mechanism configured at all.  The
 * mechanism is always pinned: left to itself libcurl picks CRAM-MD5,
 * or GSSAPI for a user name with "@", and ignores a bearer token.
 */
static int
set_credentials(struct transport *t, struct smtp_result *r)
{
	const struct account *a = t->acct;
	const char *why;
	struct err e = {0};

	if (t->login_options != NULL || !account_has_credentials(a))
		return 0;
	if ((why = transport_auth_unsupported(a->auth)) != NULL) {
		r->local = LOCAL_CONFIG;
		r->local_msg = xasprintf("auth \"%s\": %s", a->auth, why);
		return -1;
	}
	if (a->password != NULL)
		t->secret = xstrdup(a->password);
	else if (a->password_command != NULL &&
	    (t->secret = pwcmd_run(a->password_command, &e)) == NULL) {
		r->local = LOCAL_CONFIG;
		r->local_msg = xstrdup(e.msg);
		err_clear(&e);
		return -1;
	}
	if (t->secret != NULL)
		add_secrets(t);
	if (a->user != NULL)
		curl_easy_setopt(t->h, CURLOPT_USERNAME, a->user);
	if (t->secret != NULL)
		curl_easy_setopt(t->h,
		    is_bearer(a->auth) ? CURLOPT_XOAUTH2_BEARER
		                       : CURLOPT_PASSWORD,
		    t->secret);
	/* "auto": PLAIN if offered, else LOGIN; always inside TLS. */
	t->login_options = a->auth != NULL ? xasprintf("AUTH=%s", a->auth)
	                                   : xstrdup("AUTH=PLAIN;AUTH=LOGIN");
	curl_easy_setopt(t->h, CURLOPT_LOGIN_OPTIONS, t->login_options);
	/* RFC 4954 4: the initial response saves a round trip. */
	curl_easy_setopt(t->h, CURLOPT_SASL_IR, 1L);
	return 0;
}

/*
 * libcurl's global set-up loads OpenSSL and costs milliseconds, so it is
 * done on first use: mailq, -odq and a queue that is empty never pay it.
 */
static int curl_ready;

int
transport_global_init(struct err *e)
{
	CURLcode rc;

	if (curl_ready)
		return 0;
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return err_set(e, ERR_OSERR, "cannot initialise libcurl: %s",
		    curl_easy_strerror(rc));
	curl_ready = 1;
	return 0;
}

void
transport_global_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = 0;
}

struct transport *
transport_new(const struct account *a, const char *helo, struct err *e)
{
	struct transport *t;
	char *path;
	size_t i;

	if (a->nrelays == 0) {
		err_set(e, ERR_TEMP, "%s", CONF_NO_RELAY);
		return NULL;
	}
	if (transport_global_init(e) < 0)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->acct = a;
	t->sock = CURL_SOCKET_BAD;
	t->h = curl_easy_init();
	if (t->h == NULL) {
		free(t);
		err_set(e, ERR_OSERR, "cannot create a libcurl handle");
		return NULL;
	}
	path = curl_easy_escape(t->h, helo, 0);
	t->helo = xstrdup(path != NULL ? path : "");
	curl_free(path);
	t->names = xcalloc(a->nrelays, sizeof(*t->names));
	for (i = 0; i < a->nrelays; i++)
		t->names[i] = conf_relay_name(&a->relays[i]);
	set_fixed_options(t);
	return t;
}

void
transport_set_trace(struct transport *t, transport_trace_fn fn, void *arg)
{
	t->trace = fn;
	t->trace_arg = arg;
}

static void
session_reset(struct session *s)
{
	buf_free(&s->text);
	buf_free(&s->cur);
	free(s->pin_failed);
	memset(s, 0, sizeof(*s));
	s->wait = WAIT_CONNECT;
	s->since = monotonic();
}

static enum smtp_local
local_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return LOCAL_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return LOCAL_TLS;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		return LOCAL_AUTH;
	default:
		return LOCAL_NETWORK;
	}
}

static void
mark_rcpts(struct transport *t, struct envelope *env, int delivered)
{
	size_t k;

	for (k = 0; k < t->nmap; k++) {
		struct rcpt *r = &env->rcpts[t->map[k]];

		if (r->code >= 500)
			r->state = RCPT_FAILED;
		else if (delivered && r->code >= 200 && r->code < 300)
			r->state = RCPT_SENT;
	}
}

/* Failures our callbacks decided on: their reason, else NULL. */
static char *
own_reason(struct transport *t, struct smtp_result *r)
{
	struct session *s = &t->s;

	if (s->pin_failed != NULL) {
		r->local = LOCAL_TLS;
		r->stage =
		    t->acct->tls == TLS_IMPLICIT ? ST_CONNECT : ST_STARTTLS;
		return xstrdup(s->pin_failed);
	}
	if (s->timed_out != WAIT_NONE) {
		r->local = LOCAL_TIMEOUT;
		return s->timed_out == WAIT_CONNECT
		    ? xasprintf("no connection within %ld s (connect_timeout)",
		          t->acct->connect_timeout)
		    : xasprintf("no reply within %ld s (reply_timeout)",
		          t->acct->reply_timeout);
	}
	if (s->no_auth) {
		r->local = LOCAL_AUTH;
		r->stage = ST_AUTH;
		return xstrdup("credentials are configured but the relay did "
		               "not authenticate us (it offered no AUTH)");
	}
	return NULL;
}

/*
 * RFC 4954 3: the mechanisms the relay offers, from the "250-AUTH PLAIN
 * LOGIN" line of its EHLO reply; NULL when it names none.
 */
static char *
offered_mechs(struct connstate *c)
{
	const char *line = buf_cstr(&c->ehlo), *nl;
	size_t len;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len > 9 && strncasecmp(line + 4, "AUTH ", 5) == 0)
			return xstrndup(line + 9, len - 9);
		line += len + (nl != NULL);
	}
	return NULL;
}

/*
 * libcurl says "Login denied" when the relay offers none of the
 * mechanisms we allow, as for a wrong password: say what it offers, and
 * what "auth" asks for.
 */
static char *
mech_reason(struct transport *t)
{
	char *offered = offered_mechs(&t->conn), *why;
	const char *want = t->acct->auth;

	if (offered == NULL)
		return NULL;
	why = want != NULL ? xasprintf("the relay does not offer AUTH %s "
	                               "(auth = \"%s\"); it offers %s",
	                         want, want, offered)
	                   : xasprintf("the relay offers neither AUTH PLAIN "
	                               "nor LOGIN (auth = \"auto\"); it "
	                               "offers %s",
	                         offered);
	free(offered);
	return why;
}

char *
transport_untrusted(const char *why)
{
	/* OpenSSL's words for a name that is not in the certificate. */
	if (strstr(why, "host name") != NULL)
		return xasprintf("certificate not valid for this host (%s); "
		                 "set host to a name the certificate holds, or "
		                 "tls_fingerprint",
		    why);
	return xasprintf("certificate not trusted (%s); set tls_ca_file or "
	                 "tls_fingerprint",
	    why);
}

/* A failure libcurl decided on, in its words, with what may mend it. */
static char *
library_reason(struct transport *t, CURLcode rc)
{
	const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
	char *msg, *hint;

	if (rc == CURLE_LOGIN_DENIED && t->s.stage < ST_AUTH &&
	    (msg = mech_reason(t)) != NULL)
		return msg;
	if (rc != CURLE_PEER_FAILED_VERIFICATION)
		return xstrdup(why);
	hint = transport_untrusted(why);
	msg = xasprintf("%s (see mailout --server-info)", hint);
	free(hint);
	return msg;
}

static void
fail_reason(struct transport *t, CURLcode rc, struct smtp_result *r)
{
	struct session *s = &t->s;

	if ((r->local_msg = own_reason(t, r)) != NULL) {
		return;
	} else if (!s->replied || s->code < 400) {
		/* Not refused by the relay: the network, TLS, a timeout. */
		r->local = local_failure(rc);
		r->local_msg = library_reason(t, rc);
		if (r->local == LOCAL_AUTH && s->stage < ST_AUTH)
			r->stage = ST_AUTH; /* no mechanism we allow */
		if (r->local == LOCAL_TLS && s->stage == ST_EHLO)
			r->stage = ST_STARTTLS; /* not offered */
	}
}

/* TLS and AUTH as they were, with every text scrubbed of the secret. */
static void
finish_result(struct transport *t, struct smtp_result *r)
{
	char *clean;

	if (t->conn.tls != NULL && r->stage > ST_CONNECT) {
		r->tls = xstrdup(t->conn.tls);
		r->cipher = t->conn.cipher ? xstrdup(t->conn.cipher) : NULL;
	}
	if (t->conn.authed)
		r->auth_user = xstrdup(
		    t->acct->user != NULL ? t->acct->user : "(certificate)");
	if (t->secrets.n == 0)
		return;
	if (r->text != NULL) {
		clean = redact_text(&t->secrets, r->text, strlen(r->text));
		free(r->text);
		r->text = clean;
	}
	if (r->local_msg != NULL) {
		clean = redact_text(&t->secrets, r->local_msg,
		    strlen(r->local_msg));
		free(r->local_msg);
		r->local_msg = clean;
	}
}

/* The relay's reply that decided the transaction. */
static void
keep_reply(struct session *s, struct smtp_result *r)
{
	if (s->replied && s->code != 0) {
		r->code = s->code;
		r->text = xstrdup(buf_cstr(&s->text));
	}
}

/* libcurl could not set the session up (rc): where, and why. */
static int
setup_failed(struct transport *t, CURLcode rc, struct smtp_result *r)
{
	struct session *s = &t->s;

	r->stage = s->stage;
	/* No reply at all: did the connection (and implicit TLS) come up? */
	if (r->stage == ST_CONNECT)
		r->stage = connected(t) ? ST_GREETING : ST_CONNECT;
	fail_reason(t, rc, r);
	/* When we stopped (no AUTH, a timeout...), the last reply was a
	 * success or beside the point: the reason is ours. */
	if (r->local == LOCAL_NONE)
		keep_reply(s, r);
	finish_result(t, r);
	return -1;
}

/*
 * The mail transaction is ours, over the connection libcurl set up
 * (CURLOPT_CONNECT_ONLY: greeting, EHLO, STARTTLS, AUTH): libcurl 7.88's
 * own transfer waits for each reply, cannot pipeline (RFC 2920), send DSN
 * parameters, BODY= or BDAT, and fails past 300 KiB of replies.
 */

/* RFC 5321 4.5.3.2.5-6: data blocks and the reply to the final dot. */
#define DATA_TIMEOUT 300L

/*
 * A message this small goes in BDAT right behind its envelope (RFC 3030
 * 4.2): should every recipient be refused, less is wasted than the round
 * trip that waiting for their replies costs on most links.
 */
#define BDAT_EARLY (64 * 1024)

/* Octets of the message read and written at a time. */
#define CHUNK (256 * 1024)

#define TRIED 1 /* sent a RCPT for it on this relay */

/* How our own I/O on the connection ended. */
enum net { NET_OK, NET_LOST, NET_TIMEOUT, NET_READ };

static enum net
net_lost(struct transport *t, const char *why)
{
	free(t->net_msg);
	t->net_msg = xstrdup(why);
	t->live = 0;
	return NET_LOST;
}

/* Wait for events until deadline: the events seen, 0 when it passed. */
static short
net_wait(struct transport *t, short events, double deadline)
{
	struct pollfd p = {t->sock, events, 0};
	double left;
	int n;

	for (;;) {
		left = deadline - monotonic();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n > 0)
			return p.revents;
		if (n == 0)
			continue;
		if (errno != EINTR)
			return POLLERR;
	}
}

/* Whatever the relay sent, without waiting; NET_OK also for nothing. */
static enum net
net_take(struct transport *t, int *got_some)
{
	char chunk[16384];
	size_t got;
	CURLcode rc;

	*got_some = 0;
	rc = curl_easy_recv(t->h, chunk, sizeof(chunk), &got);
	if (rc == CURLE_AGAIN)
		return NET_OK;
	if (rc != CURLE_OK)
		return net_lost(t, curl_easy_strerror(rc));
	if (got == 0)
		return net_lost(t, "the relay closed the connection");
	buf_append(&t->in, chunk, got);
	*got_some = 1;
	return NET_OK;
}

/* More of the relay's replies, waiting until deadline. */
static enum net
net_fill(struct transport *t, double deadline)
{
	enum net e;
	int got;

	for (;;) {
		if ((e = net_take(t, &got)) != NET_OK || got)
			return e;
		if (net_wait(t, POLLIN, deadline) == 0)
			return NET_TIMEOUT;
	}
}

/*
 * All of p written, reading replies meanwhile: a relay answering a long
 * pipelined group must not block on us while we block on it (RFC 2920
 * 3.5).  A relay that takes nothing for timeout seconds is gone.
 */
static enum net
net_write(struct transport *t, const char *p, size_t n, long timeout)
{
	double deadline = monotonic() + (double)timeout;
	size_t sent;
	CURLcode rc;
	enum net e;
	short ev;
	int got;

	while (n > 0) {
		rc = curl_easy_send(t->h, p, n, &sent);
		if (rc == CURLE_OK) {
			p += sent;
			n -= sent;
			deadline = monotonic() + (double)timeout;
			continue;
		}
		if (rc != CURLE_AGAIN)
			return net_lost(t, curl_easy_strerror(rc));
		ev = net_wait(t, POLLOUT | POLLIN, deadline);
		if (ev == 0)
			return NET_TIMEOUT;
		if ((ev & POLLIN) && (e = net_take(t, &got)) != NET_OK)
			return e;
	}
	return NET_OK;
}

/* The next line the relay sent, if a whole one is here. */
static int
net_line(struct transport *t, const char **l, size_t *n)
{
	const char *p = t->in.data + t->inpos;
	size_t left = t->in.len - t->inpos;
	const char *nl = left > 0 ? memchr(p, '\n', left) : NULL;

	if (nl == NULL) {
		if (t->inpos > 0) { /* keep only the partial line */
			memmove(t->in.data, p, left);
			t->in.len = left;
			t->inpos = 0;
		}
		return 0;
	}
	*l = p;
	*n = (size_t)(nl - p);
	if (*n > 0 && p[*n - 1] == '\r')
		(*n)--;
	t->inpos += (size_t)(nl - p) + 1;
	return 1;
}

/* One whole reply into t->reply, each line shown. */
static enum net
net_reply(struct transport *t, long timeout)
{
	double deadline = monotonic() + (double)timeout;
	const char *l;
	size_t n;
	enum net e;

	for (;;) {
		while (net_line(t, &l, &n)) {
			trace(t, '<', l, n);
			switch (smtp_reply_line(&t->reply, l, n)) {
			case 1:
				return NET_OK;
			case -1:
				return net_lost(t,
				    "the relay sent a line that "
				    "is no SMTP reply");
			default:
				break;
			}
		}
		if ((e = net_fill(t, deadline)) != NET_OK)
			return e;
	}
}

/* Show the commands about to be written, one line each. */
static void
trace_commands(struct transport *t, const struct buf *b)
{
	const char *p = b->data, *end = b->data + b->len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		trace_command(t, p,
		    (size_t)(nl - p - (nl > p && nl[-1] == '\r')));
		p = nl + 1;
	}
}

/* The message, read through to its announced end, or NET_READ. */
static enum net
read_chunk(struct transport *t, char *chunk, size_t *n)
{
	ssize_t got = t->src->read(t->src->ctx, chunk, CHUNK);

	if (got < 0 || (got == 0 && t->s.sent != t->src->size) ||
	    t->s.sent + got > t->src->size)
		return NET_READ;
	t->s.sent += got;
	*n = (size_t)got;
	return NET_OK;
}

/*
 * With the last message, QUIT follows the end of data in the same write
 * when no further transaction should be needed: every recipient is in
 * this one, and none was told to wait (452) in an earlier one.  (With an
 * early BDAT this one's replies are not known yet: a 452 among them then
 * costs a new connection.)
 */
static int
quit_now(struct transport *t)
{
	size_t k;

	if (!t->last || !t->conn.caps.pipelining)
		return 0;
	for (k = 0; k < t->nmap; k++)
		if (t->env->rcpts[t->map[k]].code == 452)
			return 0;
	for (k = 0; k < t->env->nrcpts; k++)
		if (t->env->rcpts[k].state == RCPT_PENDING &&
		    !(t->tried[k] & TRIED))
			return 0;
	return t->quit_sent = 1;
}

/* What waits in t->wbuf, written now. */
static enum net
flush(struct transport *t, long timeout)
{
	enum net e = NET_OK;

	if (t->wbuf.len > 0)
		e = net_write(t, t->wbuf.data, t->wbuf.len, timeout);
	buf_reset(&t->wbuf);
	return e;
}

/*
 * RFC 3030 2: one chunk of the announced size, the octets as they are.
 * Commands still waiting (an early BDAT), the BDAT line, the first piece
 * of the message (all of a small one) and QUIT go in one write: one
 * flight, however slowly the writes would have followed each other.
 */
static enum net
send_bdat(struct transport *t, char *chunk)
{
	char *cmd = xasprintf("BDAT %lld LAST", (long long)t->src->size);
	enum net e = NET_OK;
	size_t n;

	trace(t, '>', cmd, strlen(cmd));
	buf_printf(&t->wbuf, "%s\r\n", cmd);
	free(cmd);
	while (e == NET_OK && t->s.sent < t->src->size) {
		if ((e = read_chunk(t, chunk, &n)) != NET_OK)
			break;
		if (t->wbuf.len == 0) {
			e = net_write(t, chunk, n, DATA_TIMEOUT);
			continue;
		}
		buf_append(&t->wbuf, chunk, n);
		if (t->s.sent < t->src->size)
			e = flush(t, DATA_TIMEOUT);
	}
	if (e == NET_OK && quit_now(t))
		buf_puts(&t->wbuf, "QUIT\r\n");
	if (e == NET_OK)
		e = flush(t, DATA_TIMEOUT);
	return e;
}

/* RFC 5321 4.5.2: dot-stuffed, then the final dot, never before the
 * whole message was read. */
static enum net
send_data(struct transport *t, char *chunk)
{
	struct dotstuff d;
	struct buf out = BUF_INIT;
	enum net e = NET_OK;
	size_t n = 1;

	dotstuff_init(&d);
	while (e == NET_OK && t->s.sent < t->src->size) {
		if ((e = read_chunk(t, chunk, &n)) != NET_OK)
			break;
		buf_reset(&out);
		dotstuff(&d, chunk, n, &out);
		e = net_write(t, out.data, out.len, DATA_TIMEOUT);
	}
	if (e == NET_OK) {
		buf_reset(&out);
		dotstuff_end(&d, &out);
		if (quit_now(t))
			buf_puts(&out, "QUIT\r\n");
		e = net_write(t, out.data, out.len, DATA_TIMEOUT);
	}
	buf_free(&out);
	return e;
}

static enum net
send_body(struct transport *t, struct smtptx *tx)
{
	char *chunk, *m;
	enum net e;

	if (tx->empty_data) { /* RFC 2920 3.1: end the empty message */
		trace(t, '>', ".", 1);
		return net_write(t, ".\r\n", 3, DATA_TIMEOUT);
	}
	if (t->src->rewind(t->src->ctx) < 0)
		return NET_READ;
	t->s.stage = ST_BODY;
	t->s.sent = 0;
	chunk = xmalloc(CHUNK);
	e = tx->chunking ? send_bdat(t, chunk) : send_data(t, chunk);
	free(chunk);
	if (e != NET_OK)
		return e;
	m = xasprintf("(message, %lld octets)", (long long)t->s.sent);
	trace(t, '>', m, strlen(m));
	free(m);
	if (!tx->chunking)
		trace(t, '>', ".", 1);
	if (t->quit_sent)
		trace(t, '>', "QUIT", 4);
	return NET_OK;
}

/* Does the message hold an octet above 127 (RFC 6152)?  Read once. */
static int
message_8bit(struct transport *t)
{
	char *chunk;
	ssize_t n;

	if (t->eightbit >= 0)
		return t->eightbit;
	if (t->src->octets != OCTETS_UNKNOWN)
		return t->eightbit = t->src->octets == OCTETS_8BIT;
	if (t->src->rewind(t->src->ctx) < 0)
		return 1; /* the read error shows when the data goes */
	chunk = xmalloc(CHUNK);
	t->eightbit = 0;
	while (
	    !t->eightbit && (n = t->src->read(t->src->ctx, chunk, CHUNK)) > 0)
		t->eightbit = utf8_has8bit(chunk, (size_t)n);
	free(chunk);
	return t->eightbit;
}

/* RFC 5321 4.1.1.2, RFC 6152 2, RFC 6531 3.4, RFC 3461 4.3-4.4. */
static char *
mail_command(struct transport *t)
{
	const struct smtp_caps *c = &t->conn.caps;
	struct buf b = BUF_INIT;
	char *path = smtp_path_addr(t->env->sender);

	buf_printf(&b, "MAIL FROM:<%s>", path);
	free(path);
	if (c->eightbitmime && message_8bit(t))
		buf_puts(&b, " BODY=8BITMIME");
	if (c->smtputf8 && needs_utf8(t))
		buf_puts(&b, " SMTPUTF8");
	if (c->dsn && t->env->ret != NULL)
		buf_printf(&b, " RET=%s", t->env->ret);
	if (c->dsn && t->env->envid != NULL) {
		char *x = smtp_xtext(t->env->envid);

		buf_printf(&b, " ENVID=%s", x);
		free(x);
	}
	return buf_release(&b);
}

/* RFC 5321 4.1.1.3, RFC 3461 4.1-4.2. */
static char *
rcpt_command(struct transport *t, const struct rcpt *rc)
{
	struct buf b = BUF_INIT;
	char *path = smtp_path_addr(rc->addr);

	buf_printf(&b, "RCPT TO:<%s>", path);
	free(path);
	if (t->conn.caps.dsn && t->env->notify != NULL)
		buf_printf(&b, " NOTIFY=%s", t->env->notify);
	if (t->conn.caps.dsn && rc->orcpt != NULL) {
		char *x = smtp_xtext(rc->orcpt);

		buf_printf(&b, " ORCPT=rfc822;%s", x);
		free(x);
	}
	return buf_release(&b);
}

static int
wants_dsn(const struct envelope *env)
{
	size_t i;

	if (env->notify != NULL || env->ret != NULL || env->envid != NULL)
		return 1;
	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].orcpt != NULL)
			return 1;
	return 0;
}

static void
build_commands(struct transport *t, struct smtptx_cmds *c)
{
	size_t k;

	if (!t->conn.caps.dsn && wants_dsn(t->env) && !t->dsn_noted) {
		static const char note[] =
		    "the relay does not offer DSN (RFC 3461): -N, -R and -V "
		    "are not passed on";

		trace(t, '!', note, sizeof(note) - 1);
		t->dsn_noted = 1;
	}
	c->mail = mail_command(t);
	c->rcpt = xcalloc(t->nmap + 1, sizeof(*c->rcpt));
	for (k = 0; k < t->nmap; k++)
		c->rcpt[k] = rcpt_command(t, &t->env->rcpts[t->map[k]]);
	c->nrcpt = t->nmap;
	c->size = t->src->size;
}

static void
free_commands(struct smtptx_cmds *c)
{
	size_t k;

	free((char *)c->mail);
	for (k = 0; k < c->nrcpt; k++)
		free(c->rcpt[k]);
	free(c->rcpt);
}

static void
tx_rcpt_reply(struct transport *t, const struct smtptx *tx)
{
	struct rcpt *r;

	if (tx->rcpt_index < 0)
		return;
	r = &t->env->rcpts[t->map[tx->rcpt_index]];
	r->code = t->reply.code;
	free(r->reply);
	r->reply = xstrdup(buf_cstr(&t->reply.text));
}

static const enum smtp_stage tx_stages[] = {
    [TXS_MAIL] = ST_MAIL,
    [TXS_RCPT] = ST_RCPT,
    [TXS_DATA] = ST_DATA,
    [TXS_BODY] = ST_BODY,
    [TXS_EOD] = ST_EOD,
    [TXS_DONE] = ST_DONE,
};

/* One step of the transaction: write, read or send the message. */
static enum net
tx_step(struct transport *t, struct smtptx *tx, enum smtptx_next next)
{
	struct buf out = BUF_INIT;
	enum net e;

	switch (next) {
	case TX_WRITE:
		smtptx_commands(tx, &out);
		trace_commands(t, &out);
		buf_append(&t->wbuf, out.data, out.len);
		buf_free(&out);
		/* An early BDAT goes in the same write (send_bdat()). */
		if (smtptx_next(tx) == TX_BODY && tx->bdat_early)
			return NET_OK;
		return flush(t, t->acct->reply_timeout);
	case TX_READ:
		t->s.stage = tx_stages[smtptx_awaited(tx)];
		e = net_reply(t,
		    t->s.stage == ST_EOD ? (t->acct->reply_timeout > EOD_TIMEOUT
		                                   ? t->acct->reply_timeout
		                                   : EOD_TIMEOUT)
		                         : t->acct->reply_timeout);
		if (e == NET_OK) {
			smtptx_reply(tx, t->reply.code,
			    buf_cstr(&t->reply.text));
			tx_rcpt_reply(t, tx);
		}
		return e;
	case TX_BODY:
		e = send_body(t, tx);
		if (e == NET_OK)
			smtptx_body_sent(tx);
		return e;
	default:
		return NET_OK;
	}
}

static int
tx_result(struct transport *t, struct envelope *env, struct smtptx *tx,
    enum net e, struct smtp_result *r)
{
	enum smtptx_next next = smtptx_next(tx);

	if (e == NET_OK && next == TX_DONE) {
		r->stage = ST_DONE;
		r->code = tx->code;
		r->text = xstrdup(tx->text);
		mark_rcpts(t, env, 1);
		finish_result(t, r);
		return 0;
	}
	r->stage = tx_stages[e == NET_OK ? tx->stage : smtptx_awaited(tx)];
	if (e == NET_OK) {
		r->code = tx->code;
		r->text = xstrdup(tx->text != NULL ? tx->text : "");
	} else if (e == NET_READ) {
		r->local = LOCAL_READ;
		r->local_msg = xstrdup("cannot read the spooled message");
	} else if (e == NET_TIMEOUT) {
		r->local = LOCAL_TIMEOUT;
		r->local_msg = r->stage == ST_BODY
		    ? xasprintf("the relay took no data for %ld s",
		          DATA_TIMEOUT)
		    : xasprintf("no reply within %ld s (reply_timeout)",
		          r->stage == ST_EOD &&
		                  t->acct->reply_timeout < EOD_TIMEOUT
		              ? EOD_TIMEOUT
		              : t->acct->reply_timeout);
	} else {
		r->local = LOCAL_NETWORK;
		r->local_msg = xstrdup(t->net_msg);
	}
	mark_rcpts(t, env, 0);
	finish_result(t, r);
	return -1;
}

/* Close without QUIT: nothing more may reach the relay (no final dot). */
static void
drop(struct transport *t)
{
	if (t->sock != CURL_SOCKET_BAD)
		shutdown(t->sock, SHUT_RDWR);
	t->sock = CURL_SOCKET_BAD;
	t->live = 0;
}

/* RFC 5321 4.1.1.10: leave politely; the 221 is waited for briefly. */
static void
session_quit(struct transport *t)
{
	long wait = t->acct->reply_timeout < 10 ? t->acct->reply_timeout : 10;

	if (!t->live)
		return;
	trace(t, '>', "QUIT", 4);
	if (net_write(t, "QUIT\r\n", 6, wait) == NET_OK)
		(void)net_reply(t, wait);
	drop(t);
}

/*
 * A relay speaks on an idle connection only to close it (421, RFC 5321
 * 3.8): anything there before MAIL means a new connection is needed.
 */
static int
session_stale(struct transport *t)
{
	const char *l;
	size_t n;
	int got = 0;

	if (t->in.len == t->inpos && net_take(t, &got) != NET_OK)
		return 1;
	if (t->in.len == t->inpos)
		return 0;
	while (net_line(t, &l, &n))
		trace(t, '<', l, n);
	drop(t);
	return 1;
}

/*
 * A handle that set up a connection before gets a successor with the
 * same options: libcurl 7.88 loses track of a CONNECT_ONLY connection
 * when the handle performs again (LeakSanitizer shows its structures
 * leaked), while cleaning the handle up frees it.
 */
static int
fresh_handle(struct transport *t)
{
	CURL *h = curl_easy_duphandle(t->h);

	if (h == NULL)
		return -1;
	curl_easy_cleanup(t->h);
	t->h = h;
	return 0;
}

/*
 * libcurl's part: connect, greeting, EHLO, STARTTLS, EHLO, AUTH, seen
 * line by line through the debug callback; then the connection is ours.
 */
static CURLcode
open_session(struct transport *t)
{
	CURLcode rc;

	drop(t);
	session_reset(&t->s);
	t->errbuf[0] = '\0';
	buf_reset(&t->in);
	t->inpos = 0;
	smtp_reply_free(&t->reply);
	t->open_tx = 0;
	if (t->performed && fresh_handle(t) < 0)
		return CURLE_OUT_OF_MEMORY;
	t->performed = 1;
	curl_easy_setopt(t->h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(t->h, CURLOPT_FRESH_CONNECT, 1L);
	rc = curl_easy_perform(t->h);
	/* From here our own trace; libcurl's would add notes per call. */
	curl_easy_setopt(t->h, CURLOPT_VERBOSE, 0L);
	if (rc != CURLE_OK)
		return rc;
	if (curl_easy_getinfo(t->h, CURLINFO_ACTIVESOCKET, &t->sock) !=
	        CURLE_OK ||
	    t->sock == CURL_SOCKET_BAD)
		return CURLE_COULDNT_CONNECT;
	t->live = 1;
	return CURLE_OK;
}

#define UTF8_REFUSAL \
	"553 5.6.7 not sent: the relay does not offer SMTPUTF8 (RFC 6531), " \
	"which this address needs"

/*
 * The relay lacks SMTPUTF8 and a recipient's address is not ASCII: that
 * recipient fails here, and nothing goes out in raw UTF-8.  The others
 * stay in the map; returns how many.
 */
static size_t
refuse_utf8(struct transport *t, struct envelope *env)
{
	size_t k, left = 0;

	for (k = 0; k < t->nmap; k++) {
		struct rcpt *rc = &env->rcpts[t->map[k]];

		if (!idna_needs_utf8(rc->addr)) {
			t->map[left++] = t->map[k];
			continue;
		}
		rc->state = RCPT_FAILED;
		rc->code = 553;
		free(rc->reply);
		rc->reply = xstrdup(UTF8_REFUSAL);
	}
	if (left > 0)
		t->nmap = left;
	return left;
}

/* A message refused before MAIL (why: its reason, taken). */
static int
refused_here(struct transport *t, struct smtp_result *r, enum smtp_local local,
    char *why)
{
	r->stage = ST_MAIL;
	r->local = local;
	r->local_msg = why;
	finish_result(t, r);
	return -1;
}

/*
 * Before MAIL, what the relay would refuse is refused here, and the
 * connection stays for the next message: a message larger than SIZE
 * (RFC 1870), an address needing SMTPUTF8 the relay lacks (RFC 6531).
 */
static int
message_fits(struct transport *t, struct envelope *env, struct smtp_result *r)
{
	if (t->conn.caps.size > 0 && t->src->size > t->conn.caps.size)
		return refused_here(t, r, LOCAL_TOO_BIG,
		    xasprintf("message of %lld octets is larger than the "
		              "relay's limit of %ld (SIZE)",
		        (long long)t->src->size, t->conn.caps.size));
	if (t->conn.caps.smtputf8 || !needs_utf8(t))
		return 0;
	if (idna_needs_utf8(env->sender))
		return refused_here(t, r, LOCAL_UTF8,
		    xasprintf("the relay does not offer SMTPUTF8 (RFC 6531), "
		              "which the sender <%s> needs",
		        env->sender));
	if (refuse_utf8(t, env) > 0)
		return 0;
	r->stage = ST_RCPT; /* as if the relay had refused them */
	r->code = 553;
	r->text = xstrdup(UTF8_REFUSAL);
	return -1;
}

/* Our part: the transaction, over a session already set up. */
static int
run_tx(struct transport *t, struct envelope *env, struct smtp_result *r,
    int *stale)
{
	struct smtptx_cmds cmds;
	struct smtptx tx;
	enum smtptx_next next;
	enum net e = NET_OK;
	int result;

	build_commands(t, &cmds);
	smtptx_init(&tx, &cmds, t->conn.caps.pipelining, t->conn.caps.chunking,
	    t->open_tx);
	tx.bdat_early =
	    tx.pipelining && tx.chunking && t->src->size <= BDAT_EARLY;
	while (e == NET_OK && (next = smtptx_next(&tx)) != TX_DONE &&
	    next != TX_FAILED)
		e = tx_step(t, &tx, next);
	/* A reused connection the relay had closed: once more, afresh. */
	*stale = t->reused &&
	    ((e == NET_LOST && tx.answered <= (size_t)tx.rset) ||
	        (tx.failed && tx.stage == TXS_MAIL && tx.code == 421));
	buf_reset(&t->wbuf);
	if (e == NET_OK && t->quit_sent)
		(void)net_reply(t, t->acct->reply_timeout); /* the 221 */
	if (e != NET_OK || t->quit_sent)
		drop(t);
	t->quit_sent = 0;
	t->open_tx = t->live && smtptx_open(&tx);
	if (t->live && tx.code == 421)
		drop(t); /* RFC 5321 3.8: the relay is closing */
	result = *stale ? -1 : tx_result(t, env, &tx, e, r);
	smtptx_free(&tx);
	free_commands(&cmds);
	return result;
}

/* One transaction with the recipients in t->map, on the current relay. */
static int
transaction(struct transport *t, struct envelope *env, struct smtp_result *r)
{
	CURLcode rc;
	int attempt, stale = 0, result = -1;

	for (attempt = 0; attempt < 2; attempt++) {
		t->reused = t->live && !session_stale(t);
		if (!t->reused && (rc = open_session(t)) != CURLE_OK) {
			result = setup_failed(t, rc, r);
			conn_reset(&t->conn);
			return result;
		}
		if (message_fits(t, env, r) < 0)
			return -1;
		result = run_tx(t, env, r, &stale);
		if (!stale)
			break;
	}
	return result;
}

/* The next recipients: still pending and not yet tried on this relay. */
static size_t
pick_rcpts(struct transport *t, struct envelope *env)
{
	size_t i, k = 0;

	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state != RCPT_PENDING ||
		    (t->tried[i] & TRIED))
			continue;
		t->tried[i] |= TRIED;
		t->map[k++] = i;
	}
	return t->nmap = k;
}

/*
 * RFC 5321 4.5.3.1.10: recipients refused with 452 because there were too
 * many go in another transaction, as long as each one makes progress.
 */
static int
again_after_452(struct transport *t, struct envelope *env)
{
	size_t k;
	int accepted = 0, again = 0;

	for (k = 0; k < t->nmap; k++)
		accepted |= env->rcpts[t->map[k]].state == RCPT_SENT;
	for (k = 0; accepted && k < t->nmap; k++) {
		size_t i = t->map[k];

		if (env->rcpts[i].state == RCPT_PENDING &&
		    env->rcpts[i].code == 452) {
			t->tried[i] = 0;
			again = 1;
		}
	}
	return again;
}

static int
more_to_try(const struct transport *t, const struct envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].state == RCPT_PENDING &&
		    !(t->tried[i] & TRIED))
			return 1;
	return 0;
}

/*
 * The relay refused every recipient of the last transaction for good:
 * nothing is wrong with the connection or the message, so the next
 * transaction goes ahead.
 */
static int
batch_refused(const struct transport *t, const struct envelope *env,
    const struct smtp_result *r)
{
	size_t k;

	if (r->local != LOCAL_NONE || r->stage != ST_RCPT)
		return 0;
	for (k = 0; k < t->nmap; k++)
		if (env->rcpts[t->map[k]].state != RCPT_FAILED)
			return 0;
	return 1;
}

/*
 * The message to relay i: as many transactions as the recipients need
 * (after 452s), over one connection.  r tells of the last one.
 */
static int
send_to(struct transport *t, size_t i, struct envelope *env, struct msgsrc *src,
    struct smtp_result *r)
{
	char *url = make_url(t, i);
	int result;

	(void)src;
	memset(t->tried, 0, env->nrcpts);
	if (i != t->relay) {
		session_quit(t);
		conn_reset(&t->conn);
	}
	t->relay = i;
	curl_easy_setopt(t->h, CURLOPT_URL, url);
	free(url);
	do {
		smtp_result_free(r);
		r->relay = xstrdup(t->names[i]);
		if (pick_rcpts(t, env) == 0) {
			r->local = LOCAL_OTHER;
			r->local_msg = xstrdup("no recipients to send to");
			return -1;
		}
		result = transaction(t, env, r);
	} while (result == 0 ? again_after_452(t, env) || more_to_try(t, env)
	                     : batch_refused(t, env, r) && more_to_try(t, env));
	return result;
}

/*
 * Another relay may do better when nothing of the message went out and
 * the refusal is not about the message: any failure up to AUTH (the
 * relay, or our account there), a 4xx to MAIL, RCPT or DATA, a lost
 * connection or a timeout before the data.
 */
static int
may_fail_over(const struct smtp_result *r, const struct envelope *env)
{
	if (r->stage >= ST_BODY || envelope_count(env, RCPT_PENDING) == 0)
		return 0;
	switch (r->local) {
	case LOCAL_READ:
	case LOCAL_TOO_BIG:
	case LOCAL_CONFIG:
		return 0;
	case LOCAL_NONE:
		break;
	default:
		return 1;
	}
	return r->stage <= ST_AUTH || (r->code >= 400 && r->code < 500);
}

/* "host:port: stage: why" in one line, for -v and the log. */
static char *
describe(const struct smtp_result *r)
{
	struct buf b = BUF_INIT;
	const char *why = r->local == LOCAL_NONE && r->text != NULL ? r->text
	    : r->local_msg != NULL ? r->local_msg
	                           : "failed";

	buf_printf(&b, "%s: %s: ", r->relay, smtp_stage_name(r->stage));
	buf_put_oneline(&b, why, strlen(why), 0);
	return buf_release(&b);
}

static void
note_failover(struct transport *t, struct smtp_result *r, size_t next,
    struct buf *skipped)
{
	char *why = describe(r);
	char *line = xasprintf("%s; trying %s", why, t->names[next]);

	trace(t, '!', line, strlen(line));
	buf_printf(skipped, "%s%s", skipped->len ? "; " : "", why);
	free(line);
	free(why);
	smtp_result_free(r);
}

static void
note_oauth2(void *arg, const char *line)
{
	trace(arg, '!', line, strlen(line));
}

/*
 * The "oauth2" group's token as the secret: the cached one, or a new
 * one (refused: the token the relay refused).  A failure is ours, and
 * temporary: the message waits (LOCAL_CONFIG).
 */
static int
oauth2_bearer(struct transport *t, const char *refused, struct smtp_result *r)
{
	struct oauth2_call c = {t->acct, &t->secrets, note_oauth2, t};
	struct err e = {0};
	char *token = oauth2_token(&c, refused, &t->bearer_until, &e);

	if (token == NULL) {
		smtp_result_free(r);
		r->relay = xstrdup(t->names[t->cur]);
		r->stage = ST_AUTH;
		r->local = LOCAL_CONFIG;
		r->local_msg = e.msg;
		return -1;
	}
	if (t->secret == NULL || strcmp(t->secret, token) != 0) {
		free(t->secret);
		t->secret = token;
		add_secrets(t);
		/* A new bearer means a new connection (libcurl compares it). */
		curl_easy_setopt(t->h, CURLOPT_XOAUTH2_BEARER, t->secret);
	} else {
		free(token);
	}
	return 0;
}

/* Did the relay refuse the token itself (535, or XOAUTH2's challenge)? */
static int
bearer_refused(const struct transport *t, const struct smtp_result *r)
{
	return t->acct->oauth2 != NULL && r->stage == ST_AUTH &&
	    t->s.stage == ST_AUTH && !t->s.no_auth &&
	    (r->code == 535 || (r->local == LOCAL_AUTH && r->code == 0));
}

/* The account's relays in turn, from the one that took the last. */
static int
try_relays(struct transport *t, struct envelope *env, struct msgsrc *src,
    struct smtp_result *r, struct buf *skipped)
{
	size_t k, i, n = t->acct->nrelays;
	int rc = -1;

	for (k = 0; k < n; k++) {
		i = (t->cur + k) % n;
		rc = send_to(t, i, env, src, r);
		if (rc == 0) {
			t->cur = i;
			break;
		}
		if (k + 1 == n || !may_fail_over(r, env))
			break;
		note_failover(t, r, (i + 1) % n, skipped);
	}
	return rc;
}

int
transport_send(struct transport *t, struct envelope *env, struct msgsrc *src,
    struct smtp_result *r)
{
	struct buf skipped = BUF_INIT;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	t->env = env;
	t->src = src;
	/* Per message: what was tried where, and one batch's RCPT map. */
	free(t->tried);
	t->tried = xcalloc(env->nrcpts + 1, 1);
	free(t->map);
	t->map = xcalloc(env->nrcpts + 1, sizeof(*t->map));
	t->eightbit = -1;
	t->dsn_noted = 0;
	/* A message that cannot be read is not worth a connection. */
	if (src->rewind(src->ctx) < 0) {
		r->relay = xstrdup(t->names[t->cur]);
		r->local = LOCAL_READ;
		r->local_msg = xstrdup("cannot read the spooled message");
		return -1;
	}
	if (t->acct->oauth2 != NULL && time(NULL) >= t->bearer_until &&
	    oauth2_bearer(t, NULL, r) < 0)
		return -1;
	if (set_credentials(t, r) < 0) {
		r->relay = xstrdup(t->names[t->cur]);
		return -1;
	}
	rc = try_relays(t, env, src, r, &skipped);
	/* A token revoked or expired early: a new one, once. */
	if (rc < 0 && bearer_refused(t, r)) {
		char *refused = xstrdup(t->secret);

		trace(t, '!', "oauth2: the relay refused the token",
		    strlen("oauth2: the relay refused the token"));
		if (oauth2_bearer(t, refused, r) == 0)
			rc = try_relays(t, env, src, r, &skipped);
		free(refused);
	}
	if (skipped.len > 0)
		r->skipped = buf_release(&skipped);
	return rc;
}

void
transport_set_last(struct transport *t, int last)
{
	t->last = last;
}

void
transport_free(struct transport *t)
{
	size_t i;

	if (t == NULL)
		return;
	session_quit(t);
	curl_easy_cleanup(t->h);
	buf_free(&t->in);
	buf_free(&t->wbuf);
	smtp_reply_free(&t->reply);
	free(t->net_msg);
	session_reset(&t->s);
	conn_reset(&t->conn);
	redact_free(&t->secrets);
	free(t->secret);
	free(t->login_options);
	free(t->helo);
	for (i = 0; i < t->acct->nrelays; i++)
		free(t->names[i]);
	free(t->names);
	free(t->map);
	free(t->tried);
	free(t);
}

void
smtp_result_free(struct smtp_result *r)
{
	free(r->text);
	free(r->local_msg);
	free(r->relay);
	free(r->skipped);
	free(r->tls);
	free(r->cipher);
	free(r->auth_user);
	memset(r, 0, sizeof(*r));
}

/* --server-info: a connection set up as for a message, then no more. */
static CURLcode
probe(struct transport *t, size_t i, int checks)
{
	char *url = make_url(t, i);
	CURLcode rc;

	t->probe = 1;
	curl_easy_setopt(t->h, CURLOPT_URL, url);
	free(url);
	/* Greeting, EHLO, STARTTLS, EHLO; no MAIL (and no AUTH: no
	 * credentials are set). */
	curl_easy_setopt(t->h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(t->h, CURLOPT_FRESH_CONNECT, 1L);
	if (!checks) {
		/* Shown as it is, whatever the checks would say. */
		curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(t->h, CURLOPT_PINNEDPUBLICKEY, NULL);
		t->unchecked = 1;
	}
	session_reset(&t->s);
	conn_reset(&t->conn);
	t->errbuf[0] = '\0';
	rc = curl_easy_perform(t->h);
	return rc;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
collect_cert(struct transport *t, struct server_info *si)
{
	struct curl_certinfo *ci = NULL;
	struct buf der = BUF_INIT;
	struct curl_slist *f;

	if (curl_easy_getinfo(t->h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	f = ci->certinfo[0];
	si->subject = dup_or_null(cert_field(f, "Subject"));
	si->issuer = dup_or_null(cert_field(f, "Issuer"));
	si->not_before = dup_or_null(cert_field(f, "Start date"));
	si->not_after = dup_or_null(cert_field(f, "Expire date"));
	if (peer_cert(t, &der) == 0) {
		si->fingerprint = cert_fingerprint(der.data, der.len);
		si->pin = cert_key_pin(der.data, der.len);
	}
	buf_free(&der);
}

/* RFC 5321 4.1.1.10: leave politely, waiting a little for the 221. */
static void
quit(struct transport *t)
{
	struct buf reply = BUF_INIT;
	struct pollfd p = {CURL_SOCKET_BAD, POLLIN, 0};
	char chunk[256];
	size_t got;
	CURLcode rc;

	if (curl_easy_send(t->h, "QUIT\r\n", 6, &got) != CURLE_OK ||
	    curl_easy_getinfo(t->h, CURLINFO_ACTIVESOCKET, &p.fd) != CURLE_OK)
		return;
	trace(t, '>', "QUIT", 4);
	t->s.aside = 1; /* the 221 is no reply to EHLO */
	while (memchr(buf_cstr(&reply), '\n', reply.len) == NULL) {
		rc = curl_easy_recv(t->h, chunk, sizeof(chunk), &got);
		if (rc == CURLE_AGAIN && poll(&p, 1, 2000) > 0)
			continue;
		if (rc != CURLE_OK || got == 0)
			break;
		buf_append(&reply, chunk, got);
	}
	each_line(t, reply.data, reply.len, on_reply);
	buf_free(&reply);
}

static void
collect(struct transport *t, size_t i, struct server_info *si)
{
	si->relay = xstrdup(t->names[i]);
	si->greeting = xstrdup(buf_cstr(&t->conn.greeting));
	si->ehlo = xstrdup(buf_cstr(&t->conn.ehlo));
	si->tls = dup_or_null(t->conn.tls);
	si->cipher = dup_or_null(t->conn.cipher);
	if (t->conn.tls != NULL)
		collect_cert(t, si);
	quit(t);
}

/* A failure that is about trusting the certificate, not reaching it. */
static int
untrusted(struct transport *t, CURLcode rc)
{
	return t->s.pin_failed != NULL ||
	    (local_failure(rc) == LOCAL_TLS && rc != CURLE_USE_SSL_FAILED &&
	        rc != CURLE_SSL_CONNECT_ERROR);
}

int
transport_server_info(const struct account *a, size_t i, const char *helo,
    transport_trace_fn fn, void *arg, struct server_info *si, struct err *e)
{
	struct transport *t = transport_new(a, helo, e);
	CURLcode rc;

	memset(si, 0, sizeof(*si));
	if (t == NULL)
		return -1;
	transport_set_trace(t, fn, arg);
	rc = probe(t, i, 1);
	if (rc != CURLE_OK && untrusted(t, rc)) {
		si->untrusted = xstrdup(
		    t->s.pin_failed != NULL ? t->s.pin_failed : t->errbuf);
		trace(t, '!', si->untrusted, strlen(si->untrusted));
		rc = probe(t, i, 0);
	}
	if (rc == CURLE_OK) {
		collect(t, i, si);
	} else {
		err_set(e, ERR_TEMP, "%s: %s", t->names[i],
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	}
	transport_free(t);
	return rc == CURLE_OK ? 0 : -1;
}

/* The reply to NOOP, which libcurl hands on as a download: not needed. */
static size_t
discard_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

/*
 * --server-info --auth: a connection set up as for a message, with the
 * credentials.  With no recipients and no upload, libcurl sends the
 * custom command where a message would go (HELP without one); NOOP asks
 * nothing of the relay (RFC 5321 4.1.1.9).  transport_free() QUITs.
 */
static CURLcode
auth_probe(struct transport *t, size_t i)
{
	char *url = make_url(t, i);

	t->auth_probe = 1;
	curl_easy_setopt(t->h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(t->h, CURLOPT_CONNECT_ONLY, 0L);
	curl_easy_setopt(t->h, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, discard_cb);
	session_reset(&t->s);
	conn_reset(&t->conn);
	t->errbuf[0] = '\0';
	return curl_easy_perform(t->h);
}

/* Why the credentials were not tried, or not taken: the reason, as for a
 * message, scrubbed of the secret. */
static void
auth_failed(struct transport *t, CURLcode rc, struct smtp_result *r,
    struct err *e)
{
	struct session *s = &t->s;
	enum err_kind kind = ERR_CONFIG;
	char *why;

	if (r->local == LOCAL_CONFIG) {
		r->stage = ST_AUTH; /* the secret could not be had */
	} else if (r->local == LOCAL_NONE) {
		r->stage = s->stage;
		fail_reason(t, rc, r);
		if (r->local == LOCAL_NONE)
			keep_reply(s, r);
		finish_result(t, r);
	}
	/* The network, a timeout, a 4xx: another try may do; the rest is
	 * for the configuration to mend. */
	if (r->local == LOCAL_NETWORK || r->local == LOCAL_TIMEOUT ||
	    (r->local == LOCAL_NONE && r->code < 500))
		kind = ERR_TEMP;
	why = describe(r);
	err_set(e, kind, "%s", why);
	free(why);
}

int
transport_try_auth(const struct account *a, size_t i, const char *helo,
    transport_trace_fn fn, void *arg, char **done, struct err *e)
{
	struct transport *t;
	struct smtp_result r;
	CURLcode rc = CURLE_OK;

	*done = NULL;
	if (!account_has_credentials(a))
		return err_set(e, ERR_CONFIG,
		    "no credentials to try: set user, and password or "
		    "password_command");
	if ((t = transport_new(a, helo, e)) == NULL)
		return -1;
	transport_set_trace(t, fn, arg);
	memset(&r, 0, sizeof(r));
	r.relay = xstrdup(t->names[i]);
	if (set_credentials(t, &r) == 0)
		rc = auth_probe(t, i);
	if (r.local == LOCAL_NONE && rc == CURLE_OK && t->conn.authed)
		*done = xasprintf("authenticated as %s (AUTH %s)",
		    a->user != NULL ? a->user : "(certificate)",
		    t->conn.mech != NULL ? t->conn.mech : "?");
	else
		auth_failed(t, rc, &r, e);
	smtp_result_free(&r);
	transport_free(t);
	return *done != NULL ? 0 : -1;
}

void
server_info_free(struct server_info *si)
{
	free(si->relay);
	free(si->greeting);
	free(si->ehlo);
	free(si->tls);
	free(si->cipher);
	free(si->subject);
	free(si->issuer);
	free(si->not_before);
	free(si->not_after);
	free(si->fingerprint);
	free(si->pin);
	free(si->untrusted);
	memset(si, 0, sizeof(*si));
}
