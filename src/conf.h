/*
 * Configuration: a libconfig file loaded once into a read-only struct
 * conf, every key checked against a schema (unknown keys and wrong types
 * are errors reported as FILE:LINE: message).
 */
#ifndef MAILOUT_CONF_H
#define MAILOUT_CONF_H

#include "alias.h"
#include "senders.h"

struct err;

enum tls_mode {
	TLS_STARTTLS, /* plain connect, STARTTLS required (default) */
	TLS_IMPLICIT, /* TLS from the first byte ("tls", port 465) */
	TLS_NONE /* no TLS at all */
};

/* One relay of an account: "host", "host:port", "[v6]" or "[v6]:port". */
struct relay {
	char *host; /* a name or an address (IPv6 without brackets) */
	int port; /* its own port, else the account's */
};

/* "host:port", "[v6]:port": the relay as messages and the URL name it;
 * the caller frees it. */
char *conf_relay_name(const struct relay *r);

/* How the relay's certificate is pinned (tls_fingerprint). */
enum tls_pin {
	PIN_NONE,
	PIN_CERT, /* SHA-256 of the certificate (hex) */
	PIN_KEY /* SHA-256 of its public key ("sha256//base64") */
};

/* OAuth 2.0 grants for the access token (RFC 6749 6 and 4.4). */
enum oauth2_grant { GRANT_REFRESH_TOKEN, GRANT_CLIENT_CREDENTIALS };

/*
 * The "oauth2" group: where the bearer token for XOAUTH2 or OAUTHBEARER
 * comes from.  A preset (provider) fills in what is not set.
 */
struct oauth2_conf {
	char *at; /* "FILE:LINE" of the group, for messages */
	char *provider; /* "microsoft", "google", NULL: none */
	char *tenant; /* microsoft's directory */
	char *token_url; /* https:// */
	char *device_url; /* https://, NULL: no --oauth2-login */
	char *client_id;
	char *client_secret;
	char *client_secret_command;
	char *scope; /* NULL: none sent */
	enum oauth2_grant grant;
	char *refresh_token; /* the first one: see oauth2tok.h */
	char *ca_file; /* NULL: the system's authorities */
	char *state_file; /* the token cache, NULL: none (a user's file
	                     with the system's queue: conf_load()) */
};

/*
 * How to reach one relay and speak to it.  The top level of the file
 * holds the default account; each element of "accounts" starts from the
 * top-level settings and overrides some of them.
 */
struct account {
	char *name; /* NULL for the top-level (default) account */
	char **match; /* envelope senders that select it ("*" allowed) */
	size_t nmatch;
	struct relay *relays; /* "host" or "hosts", tried in order */
	size_t nrelays;
	int port; /* 0 until conf_load() fills in the default for tls */
	enum tls_mode tls;
	int tls_verify; /* check the certificate's chain and name */
	char *tls_ca_file;
	char *tls_ca_dir;
	char *tls_cert_file; /* our client certificate */
	char *tls_key_file;
	char *tls_fingerprint; /* as written, for display */
	enum tls_pin pin;
	unsigned char pin_cert[32]; /* PIN_CERT */
	int tls_min_version; /* 12 or 13: TLS 1.2 or 1.3 */
	char *helo;
	char *auth; /* SASL mechanism in upper case, NULL: "auto" */
	char *auth_at; /* "FILE:LINE" of the auth setting, for messages */
	char *user;
	char *password;
	char *password_command;
	struct oauth2_conf *oauth2; /* NULL: no "oauth2" group */
	char *proxy;
	char *source_ip;
	long connect_timeout; /* seconds */
	long reply_timeout; /* seconds */
	char *from;
};

struct conf {
	char *path; /* the file read, NULL when none was */
	char *domain; /* NULL: not set, see conf_domain() */
	char *queue_dir;
	int queue_dir_set; /* "queue_dir" stands in the file */
	long queue_lifetime; /* seconds before a queued message is given up */
	long failed_lifetime; /* seconds a message given up on stays */
	long retry_min; /* first wait after a temporary failure */
	long retry_max; /* the longest wait between attempts */
	int bounce; /* send delivery status notifications */
	char *bounce_to; /* send them here instead of the sender */
	char *logfile; /* also log here, NULL: syslog only */
	struct aliases aliases; /* "aliases" and "aliases_file" together */
	char *aliases_file; /* the file read, NULL: none */
	int aliases_file_set; /* "aliases_file" stands in the file ("": none) */
	int from_rewrite; /* put the envelope sender in From */
	char *sender; /* write "Sender: this", NULL: leave Sender alone */
	int undisclosed_recipients; /* add "To: undisclosed-recipients:;" */
	struct senders senders; /* allowed_senders, trusted_users, user_from */
	char **files; /* every file read (the main file, its includes) */
	size_t nfiles;
	int check_files; /* conf_check(): files named must be readable */
	struct account acct; /* the top-level account */
	struct account *accounts;
	size_t naccounts;
};

/* Defaults: RFC 5321 4.5.3.2 asks for 5 minutes per reply. */
#define CONNECT_TIMEOUT_DEFAULT 30
#define REPLY_TIMEOUT_DEFAULT 300

/*
 * Load the file at path.  When path is NULL the default file is read if
 * it exists; a missing default file leaves every setting at its default
 * (no relay).  Without "aliases_file", ALIASES_DEFAULT (/etc/aliases) is
 * read when it exists, and a name that the "aliases" group defines too
 * is the group's.  Returns 0, or -1 with e set (ERR_CONFIG; ERR_NOINPUT
 * for an aliases file that cannot be read) and c freed.
 */
int conf_load(const char *path, struct conf *c, struct err *e);

/*
 * As conf_load(), with sys_aliases in the place of ALIASES_DEFAULT: for
 * the tests, which must not read this host's aliases.
 */
int conf_load_sys_aliases(const char *path, const char *sys_aliases,
    struct conf *c, struct err *e);

/*
 * As conf_load(), and the files named in settings (tls_ca_file, ...)
 * must exist and be readable, for --check-config.
 */
int conf_check(const char *path, struct conf *c, struct err *e);

/* The account's relays as conf_relay_name() names them, ", " between
 * them; "(no relay)" when it has none.  The caller frees it. */
char *conf_relay_list(const struct account *a);

/* Does the account send credentials (user, password, token, or auth)? */
int account_has_credentials(const struct account *a);

/*
 * The account for a message: the one named (-a), else the first whose
 * "match" matches the envelope sender, else the default account: the
 * top level when it names a relay, else the first account that does.
 * Returns NULL with e set (ERR_USAGE) when no account has that name.
 */
const struct account *conf_account(const struct conf *c, const char *name,
    const char *sender, struct err *e);

/* Does the pattern ("*" for any run, case ignored) match s? */
int conf_match_pattern(const char *pat, const char *s);

/* What is said of a message that waits because no relay is set. */
#define CONF_NO_RELAY "no relay configured (\"host\")"

/*
 * Does the account conf_account() chooses have no relay?  Its messages
 * then wait in the queue, untried, until one is configured.  An unknown
 * account name is no answer here: 0.  With name and sender NULL: does no
 * account at all have one (the default is the first that has)?
 */
int conf_no_relay(const struct conf *c, const char *name, const char *sender);

/*
 * Is c the system's configuration (the default file, read or missing)?
 * Only it may resolve the messages kept while it could not be used.
 */
int conf_is_system(const struct conf *c);

/* The mail domain: "domain", else /etc/mailname, else the host's FQDN. */
const char *conf_domain(struct conf *c);

/* The EHLO name: "helo", else the host's FQDN, else the mail domain. */
const char *conf_helo(struct conf *c, const struct account *a);

void conf_free(struct conf *c);

#endif
