#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "idna.h"
#include "msgsrc.h"
#include "transport.h"
#include "xalloc.h"

/* Spelled ALLLOWFAILS up to libcurl 8.1 (configure tells which exists). */
#if !HAVE_DECL_CURLOPT_MAIL_RCPT_ALLOWFAILS
#define CURLOPT_MAIL_RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

/* RFC 5321 4.5.3.2.6: wait ten minutes for the reply to the final dot. */
#define REPLY_TIMEOUT 600L
#define CONNECT_TIMEOUT 30L

/*
 * What the debug callback learns of one transaction.  libcurl reports
 * failures coarsely (a rejected MAIL, RCPT and DATA are all
 * CURLE_SEND_ERROR, and its response code goes stale after a network
 * error), so the stage and the replies are followed here, line by line.
 */
struct session {
	enum smtp_stage stage; /* the command whose reply is awaited */
	int replied; /* its final reply has arrived */
	int code; /* that reply */
	struct buf text;
	struct buf cur; /* reply lines being collected */
	size_t rcpt; /* RCPT commands sent so far */
	int auth; /* inside an AUTH exchange: redact */
	int aside; /* QUIT, NOOP...: their replies change nothing */
	int eof; /* the source was read to its end */
	off_t sent; /* octets handed to libcurl */
	int read_error;
	int too_big;
	long size_limit; /* EHLO SIZE, 0: none */
	int smtputf8; /* EHLO SMTPUTF8 (RFC 6531) */
	int utf8_refused; /* stopped before MAIL: UTF-8 needed, not offered */
};

struct transport {
	CURL *h;
	const struct account *acct;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	transport_trace_fn trace;
	void *trace_arg;
	struct session s;
	struct envelope *env;
	size_t *map; /* RCPT number -> index in env->rcpts */
	size_t nmap;
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

static void
trace(struct transport *t, char dir, const char *line, size_t len)
{
	if (t->trace != NULL)
		t->trace(t->trace_arg, dir, line, len);
}

/* RFC 4954 4: credentials travel in AUTH and in the 334 responses. */
static void
trace_command(struct transport *t, const char *l, size_t n)
{
	static const char redacted[] = "[redacted]";
	size_t verb = 0;

	if (t->s.auth) {
		trace(t, '>', redacted, sizeof(redacted) - 1);
		return;
	}
	if (n > 5 && strncasecmp(l, "AUTH ", 5) == 0) {
		/* Keep "AUTH MECH", drop any initial response. */
		verb = 5 + strcspn(l + 5, " ");
		if (verb < n) {
			char *shown =
			    xasprintf("%.*s %s", (int)verb, l, redacted);
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
on_command(struct transport *t, const char *l, size_t n)
{
	struct session *s = &t->s;
	int stage;

	trace_command(t, l, n);
	if (s->auth)
		return;
	stage = command_stage(l, n);
	s->aside = stage < 0;
	if (s->aside)
		return; /* a QUIT after a failure must not hide it */
	s->stage = (enum smtp_stage)stage;
	s->replied = 0;
	if (s->stage == ST_EHLO) {
		s->size_limit = 0;
		s->smtputf8 = 0;
	} else if (s->stage == ST_AUTH)
		s->auth = 1;
	else if (s->stage == ST_RCPT)
		s->rcpt++;
}

/*
 * RFC 1870: "250-SIZE 10240000" announces the largest message.  RFC
 * 6531: "250-SMTPUTF8", matched as libcurl 7.88 matches it (upper case),
 * since it is libcurl that then adds SMTPUTF8 to MAIL.
 */
static void
ehlo_line(struct session *s, const char *l, size_t n)
{
	if (n > 9 && strncasecmp(l + 4, "SIZE ", 5) == 0)
		s->size_limit = strtol(l + 9, NULL, 10);
	else if (n >= 12 && memcmp(l + 4, "SMTPUTF8", 8) == 0 &&
	    (n == 12 || l[12] == ' '))
		s->smtputf8 = 1;
}

static void
rcpt_reply(struct transport *t, int code, const char *text)
{
	struct rcpt *r;

	if (t->s.rcpt == 0 || t->env == NULL)
		return;
	r = &t->env->rcpts[t->map[t->s.rcpt - 1]];
	r->code = code;
	free(r->reply);
	r->reply = xstrdup(text);
}

/* The final line of a reply (RFC 5321 4.2.1: "NNN " or just "NNN"). */
static void
on_final_reply(struct transport *t, int code)
{
	struct session *s = &t->s;

	if (s->stage == ST_CONNECT)
		s->stage = ST_GREETING;
	if (s->stage == ST_BODY)
		s->stage = ST_EOD;
	if (s->stage == ST_AUTH && code != 334)
		s->auth = 0;
	if (s->stage == ST_AUTH && code == 334)
		return; /* a challenge, not the outcome */
	s->replied = 1;
	s->code = code;
	buf_reset(&s->text);
	buf_append(&s->text, s->cur.data, s->cur.len);
	if (s->stage == ST_RCPT)
		rcpt_reply(t, code, buf_cstr(&s->cur));
}

static void
on_reply(struct transport *t, const char *l, size_t n)
{
	struct session *s = &t->s;
	int code;

	if (s->stage == ST_BODY) {
		/* The message went out before this reply: show that. */
		char *m =
		    xasprintf("(message, %lld octets)", (long long)s->sent);
		trace(t, '>', m, strlen(m));
		trace(t, '>', ".", 1);
		free(m);
	}
	trace(t, '<', l, n);
	if (s->aside || n < 3 || l[0] < '2' || l[0] > '5')
		return;
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (s->cur.len > 0)
		buf_putc(&s->cur, '\n');
	buf_append(&s->cur, l, n);
	if (s->stage == ST_EHLO && code == 250)
		ehlo_line(s, l, n);
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

static void
on_text(struct transport *t, const char *p, size_t n)
{
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
	case CURLINFO_DATA_OUT:
		t->s.stage = ST_BODY;
		t->s.replied = 0;
		break;
	default:
		break;
	}
	return 0;
}

/* Our own reader: a read error aborts, so no truncated message is sent. */
static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct transport *t = arg;
	ssize_t n = t->src->read(t->src->ctx, buf, size * nitems);

	if (n < 0) {
		t->s.read_error = 1;
		return CURL_READFUNC_ABORT;
	}
	if (n == 0)
		t->s.eof = 1;
	t->s.sent += n;
	return (size_t)n;
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
	if (t->s.size_limit > 0 && t->src->size > t->s.size_limit) {
		t->s.too_big = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	/* Without SMTPUTF8, libcurl would send UTF-8 raw: never. */
	if (!t->s.smtputf8 && needs_utf8(t)) {
		t->s.utf8_refused = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static char *
make_url(const struct account *a, const char *helo)
{
	char *path = curl_easy_escape(NULL, helo, 0);
	const char *scheme = a->tls == TLS_IMPLICIT ? "smtps" : "smtp";
	int v6 = strchr(a->host, ':') != NULL && a->host[0] != '[';
	char *url;

	url = xasprintf("%s://%s%s%s:%d/%s", scheme, v6 ? "[" : "", a->host,
	    v6 ? "]" : "", a->port, path != NULL ? path : "");
	curl_free(path);
	return url;
}

/* Options that hold for every message sent through this handle. */
static void
set_fixed_options(struct transport *t)
{
	CURL *h = t->h;

	curl_easy_setopt(h, CURLOPT_URL, t->url);
#if HAVE_DECL_CURLOPT_PROTOCOLS_STR
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	/* libcurl would obey all_proxy & co. from the environment. */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, REPLY_TIMEOUT);
	/* A relay that stops reading the message for 5 minutes is gone. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 300L);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    t->acct->tls == TLS_STARTTLS ? (long)CURLUSESSL_ALL
	                                 : (long)CURLUSESSL_NONE);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* Rejected recipients must not abort the others; we read each
	 * RCPT reply from the conversation. */
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	/* No CURLOPT_INFILESIZE: 7.88 truncates when dots are stuffed. */
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, t);
	/* The debug callback needs VERBOSE; it is how replies are seen. */
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
}

/*
 * libcurl's global set-up loads OpenSSL and costs milliseconds, so it is
 * done on first use: mailq, -odq and a queue that is empty never pay it.
 */
static int curl_ready;

static int
global_init(struct err *e)
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

	if (a->host == NULL) {
		err_set(e, ERR_TEMP, "no relay configured (\"host\")");
		return NULL;
	}
	if (global_init(e) < 0)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->acct = a;
	t->h = curl_easy_init();
	if (t->h == NULL) {
		free(t);
		err_set(e, ERR_OSERR, "cannot create a libcurl handle");
		return NULL;
	}
	t->url = make_url(a, helo);
	set_fixed_options(t);
	return t;
}

void
transport_set_trace(struct transport *t, transport_trace_fn fn, void *arg)
{
	t->trace = fn;
	t->trace_arg = arg;
}

/* The recipients still to be sent to, in order, as libcurl wants them. */
static struct curl_slist *
rcpt_list(struct transport *t, struct envelope *env)
{
	struct curl_slist *l = NULL, *n;
	size_t i, k = 0;

	free(t->map);
	t->map = xcalloc(env->nrcpts, sizeof(*t->map));
	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state != RCPT_PENDING)
			continue;
		n = curl_slist_append(l, env->rcpts[i].addr);
		if (n == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = n;
		t->map[k++] = i;
	}
	t->nmap = k;
	return l;
}

static void
session_reset(struct session *s)
{
	long size_limit = s->size_limit;
	int smtputf8 = s->smtputf8;

	buf_free(&s->text);
	buf_free(&s->cur);
	memset(s, 0, sizeof(*s));
	/* A reused connection sends no new EHLO: keep what it said. */
	s->size_limit = size_limit;
	s->smtputf8 = smtputf8;
}

/*
 * libcurl 7.88 reuses a connection on which the relay already said "421"
 * while idle, and reads that stale 421 as the reply to MAIL (fixed in
 * 8.0.0).  Such a failure on a reused connection earns one fresh try.
 */
static int
stale_421(struct transport *t, CURLcode rc)
{
	long connects = 0;

	if (rc != CURLE_SEND_ERROR || t->s.stage != ST_MAIL || t->s.code != 421)
		return 0;
	curl_easy_getinfo(t->h, CURLINFO_NUM_CONNECTS, &connects);
	return connects == 0;
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
	default:
		return LOCAL_NETWORK;
	}
}

/* No reply at all: did the connection (and implicit TLS) come up? */
static enum smtp_stage
silent_stage(struct transport *t)
{
	curl_off_t connect = 0, appconnect = 0;

	curl_easy_getinfo(t->h, CURLINFO_CONNECT_TIME_T, &connect);
	curl_easy_getinfo(t->h, CURLINFO_APPCONNECT_TIME_T, &appconnect);
	if (connect == 0)
		return ST_CONNECT;
	if (t->acct->tls == TLS_IMPLICIT && appconnect == 0)
		return ST_CONNECT;
	return ST_GREETING;
}

static void
mark_rcpts(struct transport *t, struct envelope *env, int delivered)
{
	size_t k;

	for (k = 0; k < t->s.rcpt; k++) {
		struct rcpt *r = &env->rcpts[t->map[k]];

		if (r->code >= 500)
			r->state = RCPT_FAILED;
		else if (delivered && r->code >= 200 && r->code < 300)
			r->state = RCPT_SENT;
	}
}

static void
fail_reason(struct transport *t, CURLcode rc, struct smtp_result *r)
{
	struct session *s = &t->s;

	if (s->read_error) {
		r->local = LOCAL_READ;
		r->local_msg = xstrdup("cannot read the spooled message");
	} else if (s->utf8_refused) {
		r->stage = ST_MAIL;
		r->local = LOCAL_UTF8;
		r->local_msg = xasprintf("the relay does not offer SMTPUTF8 "
		                         "(RFC 6531), which the sender <%s> "
		                         "needs",
		    t->env->sender);
	} else if (s->too_big) {
		r->local = LOCAL_TOO_BIG;
		r->local_msg = xasprintf("message of %lld octets is larger "
		                         "than the relay's limit of %ld (SIZE)",
		    (long long)t->src->size, s->size_limit);
	} else if (!s->replied || s->code < 400) {
		/* Not refused by the relay: the network, TLS, a timeout. */
		r->local = local_failure(rc);
		r->local_msg =
		    xstrdup(t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	}
}

static int
fill_result(struct transport *t, struct envelope *env, CURLcode rc,
    struct smtp_result *r)
{
	struct session *s = &t->s;

	r->stage = s->stage;
	if (r->stage == ST_BODY && s->eof)
		r->stage = ST_EOD;
	r->dot_sent = r->stage == ST_EOD;
	if (s->replied && s->code != 0) {
		r->code = s->code;
		r->text = xstrdup(buf_cstr(&s->text));
	}
	if (rc == CURLE_OK && s->stage == ST_EOD && s->replied &&
	    s->code / 100 == 2 && s->eof && s->sent == t->src->size) {
		r->stage = ST_DONE;
		mark_rcpts(t, env, 1);
		return 0;
	}
	if (r->stage == ST_CONNECT)
		r->stage = silent_stage(t);
	if (rc == CURLE_OK) {
		r->local = LOCAL_OTHER;
		r->local_msg = xstrdup("the transfer ended before the relay "
		                       "accepted the message");
	} else {
		fail_reason(t, rc, r);
	}
	mark_rcpts(t, env, 0);
	return -1;
}

/* One transaction, with one fresh try after a stale 421. */
static CURLcode
perform(struct transport *t, struct envelope *env, struct msgsrc *src,
    struct curl_slist *rcpts)
{
	CURLcode rc = CURLE_OK;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		session_reset(&t->s);
		if (src->rewind(src->ctx) < 0) {
			t->s.read_error = 1;
			break;
		}
		t->errbuf[0] = '\0';
		curl_easy_setopt(t->h, CURLOPT_MAIL_FROM, env->sender);
		curl_easy_setopt(t->h, CURLOPT_MAIL_RCPT, rcpts);
		curl_easy_setopt(t->h, CURLOPT_FRESH_CONNECT, (long)attempt);
		rc = curl_easy_perform(t->h);
		if (!stale_421(t, rc))
			break;
	}
	return rc;
}

#define UTF8_REFUSAL \
	"553 5.6.7 not sent: the relay does not offer SMTPUTF8 (RFC 6531), " \
	"which this address needs"

/*
 * The relay lacks SMTPUTF8 and a recipient's address is not ASCII: that
 * recipient fails here, and nothing goes out in raw UTF-8.  Returns how
 * many recipients are left to try.
 */
static size_t
refuse_utf8(struct transport *t, struct envelope *env)
{
	size_t k, left = 0;

	for (k = 0; k < t->nmap; k++) {
		struct rcpt *rc = &env->rcpts[t->map[k]];

		if (!idna_needs_utf8(rc->addr)) {
			left++;
			continue;
		}
		rc->state = RCPT_FAILED;
		rc->code = 553;
		free(rc->reply);
		rc->reply = xstrdup(UTF8_REFUSAL);
	}
	return left;
}

int
transport_send(struct transport *t, struct envelope *env, struct msgsrc *src,
    struct smtp_result *r)
{
	struct curl_slist *rcpts;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	r->relay = xasprintf("%s:%d", t->acct->host, t->acct->port);
	rcpts = rcpt_list(t, env);
	if (rcpts == NULL) {
		/* libcurl would send HELP and report success. */
		r->local = LOCAL_OTHER;
		r->local_msg = xstrdup("no recipients to send to");
		return -1;
	}
	t->env = env;
	t->src = src;
	rc = perform(t, env, src, rcpts);
	if (t->s.utf8_refused && !idna_needs_utf8(env->sender)) {
		/* Again, with the recipients that need no SMTPUTF8. */
		size_t left = refuse_utf8(t, env);

		curl_easy_setopt(t->h, CURLOPT_MAIL_RCPT, NULL);
		curl_slist_free_all(rcpts);
		rcpts = left > 0 ? rcpt_list(t, env) : NULL;
		if (rcpts == NULL) {
			/* As if the relay had refused every one. */
			r->stage = ST_RCPT;
			r->code = 553;
			r->text = xstrdup(UTF8_REFUSAL);
			return -1;
		}
		rc = perform(t, env, src, rcpts);
	}
	curl_easy_setopt(t->h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpts);
	return fill_result(t, env, rc, r);
}

void
transport_free(struct transport *t)
{
	if (t == NULL)
		return;
	curl_easy_cleanup(t->h);
	session_reset(&t->s);
	free(t->url);
	free(t->map);
	free(t);
}

void
smtp_result_free(struct smtp_result *r)
{
	free(r->text);
	free(r->local_msg);
	free(r->relay);
	memset(r, 0, sizeof(*r));
}
