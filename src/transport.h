/*
 * The transport: the only user of libcurl.  It takes an account, an
 * envelope and a message source and reports what happened in a struct
 * smtp_result: the stage reached, the relay's reply, each recipient's
 * reply, and whether the final dot may have gone out.  It never decides
 * exit codes.
 */
#ifndef MAILOUT_TRANSPORT_H
#define MAILOUT_TRANSPORT_H

#include <stddef.h>

struct account;
struct envelope;
struct err;
struct msgsrc;

/* The stages of an SMTP transaction, in order (RFC 5321 3.1-3.3). */
enum smtp_stage {
	ST_CONNECT, /* TCP connect, implicit TLS handshake */
	ST_GREETING, /* waiting for 220 */
	ST_EHLO,
	ST_STARTTLS,
	ST_AUTH,
	ST_MAIL,
	ST_RCPT,
	ST_DATA, /* the DATA command, waiting for 354 */
	ST_BODY, /* sending the message */
	ST_EOD, /* final dot sent, waiting for the reply */
	ST_DONE /* the relay accepted the message */
};

/* Failures that are not a reply of the relay. */
enum smtp_local {
	LOCAL_NONE,
	LOCAL_NETWORK, /* connect failed, connection lost */
	LOCAL_TIMEOUT, /* no reply in time */
	LOCAL_TLS, /* handshake, certificate, STARTTLS missing */
	LOCAL_READ, /* the message could not be read */
	LOCAL_TOO_BIG, /* larger than the relay's SIZE */
	LOCAL_UTF8, /* the sender needs SMTPUTF8, the relay lacks it */
	LOCAL_AUTH, /* credentials configured, but no authentication */
	LOCAL_CONFIG, /* a setting cannot be used now (password_command) */
	LOCAL_OTHER
};

struct smtp_result {
	enum smtp_stage stage; /* where the transaction ended; ST_EOD:
	                          the final dot may have reached the relay */
	int code; /* the relay's verdict: its refusal, or on ST_DONE its
	             acceptance; 0 when local says what failed */
	char *text; /* its text (all lines), NULL: none */
	enum smtp_local local; /* what failed on our side, if anything */
	char *local_msg; /* libcurl's or our description of it */
	char *relay; /* "host:port" used (the last one tried) */
	char *skipped; /* relays tried before it and why, NULL: none */
	char *tls; /* TLS version ("TLSv1.3"), NULL: none */
	char *cipher; /* TLS cipher, NULL: none or unknown */
	char *auth_user; /* the user the relay authenticated, NULL: none */
};

/*
 * Receives each line of the conversation for -v: dir is '<' (a reply),
 * '>' (a command), '*' (libcurl's notes) or '!' (the transport's own:
 * failing over to the next relay).  Secrets are already redacted.
 */
typedef void (
    *transport_trace_fn)(void *arg, char dir, const char *line, size_t len);

struct transport;

/* One connection's worth of state; reused across messages to one relay. */
struct transport *
transport_new(const struct account *a, const char *helo, struct err *e);

void transport_set_trace(struct transport *t, transport_trace_fn fn, void *arg);

/*
 * Send one message.  Each recipient's code and reply are stored in
 * env->rcpts[i] and its state set: RCPT_SENT when the message was
 * accepted for it, RCPT_FAILED on a 5xx, RCPT_PENDING otherwise.  A
 * recipient whose address is not ASCII fails (553 5.6.7) without being
 * sent when the relay does not offer SMTPUTF8 (RFC 6531).
 * All recipients go in one transaction; those the relay defers with 452
 * go in the next on the same connection, as long as each transaction is
 * accepted for one recipient at least (RFC 5321 4.5.3.1.10).  libcurl
 * sets the session up; the transaction is run here (smtptx.h):
 * pipelined when the relay offers PIPELINING, the message in BDAT with
 * CHUNKING, with BODY=8BITMIME, SMTPUTF8 and the DSN parameters as the
 * relay offers them.
 * Returns 0 when the relay accepted the message in the last
 * transaction, -1 otherwise; r tells of that transaction in both cases.
 *
 * The account's relays are tried in turn, starting with the one that
 * took the previous message, for any failure before the message data
 * is sent (connect, TLS, greeting, EHLO, STARTTLS, AUTH, a 4xx to
 * MAIL, RCPT or DATA); never once the data has started.
 */
int transport_send(struct transport *t, struct envelope *env,
    struct msgsrc *src, struct smtp_result *r);

void transport_free(struct transport *t);

/*
 * No other message will follow on this transport (a single submission):
 * QUIT may then go in the same write as the end of the message (RFC 2920
 * 3.1 allows it as the last command of a group), which saves the round
 * trip of a QUIT after the reply.
 */
void transport_set_last(struct transport *t, int last);

/*
 * Why auth (a mechanism name, NULL for "auto") cannot be used with this
 * libcurl, or NULL when it can.
 */
const char *transport_auth_unsupported(const char *auth);

/*
 * A certificate that failed the checks (why: libcurl's words), said with
 * the settings that would make it trusted, in one line.
 */
char *transport_untrusted(const char *why);

/* What --server-info shows of one relay. */
struct server_info {
	char *relay; /* "host:port" */
	char *greeting; /* the reply lines, "\n" between them */
	char *ehlo; /* the last EHLO reply (after STARTTLS) */
	char *tls; /* NULL: no TLS */
	char *cipher;
	char *subject; /* the certificate's, NULL: none */
	char *issuer;
	char *not_before;
	char *not_after;
	char *fingerprint; /* SHA-256 of the certificate, "AB:CD:..." */
	char *pin; /* SHA-256 of its public key, "sha256//..." */
	char *untrusted; /* why the checks failed, NULL: they passed */
};

/*
 * Connect to relay number i of account a, read the greeting, send EHLO
 * and STARTTLS as for a message, and collect what the relay said and
 * its certificate; no credentials are sent, no message.  A certificate
 * that fails the checks is still shown (untrusted says why).  Returns
 * 0, or -1 with e set (ERR_TEMP) when the relay could not be reached.
 */
int transport_server_info(const struct account *a, size_t i, const char *helo,
    transport_trace_fn fn, void *arg, struct server_info *si, struct err *e);

void server_info_free(struct server_info *si);

/*
 * Connect to relay number i of account a as for a message, authenticate
 * with the account's credentials, send NOOP instead of a message, QUIT.
 * Returns 0 with *done saying how (malloc'd), or -1 with e set to the
 * reason as a send would give it, never with the secret: ERR_TEMP (the
 * network, a timeout, a 4xx), else ERR_CONFIG (no credentials, refused,
 * no mechanism in common, the certificate...).
 */
int transport_try_auth(const struct account *a, size_t i, const char *helo,
    transport_trace_fn fn, void *arg, char **done, struct err *e);

void smtp_result_free(struct smtp_result *r);

/* Name of a stage for messages ("MAIL", "end of data", ...). */
const char *smtp_stage_name(enum smtp_stage st);

/* Set up libcurl's process-wide state, once (https.c shares it). */
int transport_global_init(struct err *e);

/* Release libcurl's process-wide state (set up by the first transport). */
void transport_global_cleanup(void);

#endif
