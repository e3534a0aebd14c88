/*
 * Configuration: a libconfig file loaded once into a read-only struct
 * conf, every key checked against a schema (unknown keys and wrong types
 * are errors reported as FILE:LINE: message).
 */
#ifndef MAILOUT_CONF_H
#define MAILOUT_CONF_H

#include "alias.h"

struct err;

enum tls_mode {
	TLS_STARTTLS, /* plain connect, STARTTLS required (default) */
	TLS_IMPLICIT, /* TLS from the first byte ("tls", port 465) */
	TLS_NONE /* no TLS at all */
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
	char *host;
	int port; /* 0 until conf_load() fills in the default for tls */
	enum tls_mode tls;
	char *helo;
	char *from;
};

struct conf {
	char *path; /* the file read, NULL when none was */
	char *domain; /* NULL: not set, see conf_domain() */
	char *fqdn; /* this host's name, looked up once by conf_helo() */
	char *queue_dir;
	long queue_lifetime; /* seconds before a queued message is given up */
	long retry_min; /* first wait after a temporary failure */
	long retry_max; /* the longest wait between attempts */
	int bounce; /* send delivery status notifications */
	char *bounce_to; /* send them here instead of the sender */
	char *logfile; /* also log here, NULL: syslog only */
	struct aliases aliases; /* "aliases" and "aliases_file" together */
	char *aliases_file;
	int from_rewrite; /* put the envelope sender in From */
	char *sender; /* write "Sender: this", NULL: leave Sender alone */
	struct account acct; /* the top-level (default) account */
	struct account *accounts;
	size_t naccounts;
};

/* The file read when -C is not given. */
#define CONF_DEFAULT_PATH SYSCONFDIR "/mailout.conf"

/*
 * Load the file at path.  When path is NULL the default file is read if
 * it exists; a missing default file leaves every setting at its default
 * (no relay).  Returns 0, or -1 with e set (ERR_CONFIG).
 */
int conf_load(const char *path, struct conf *c, struct err *e);

/*
 * The account for a message: the one named (-a), else the first whose
 * "match" matches the envelope sender, else the top-level one.  Returns
 * NULL with e set (ERR_USAGE) when no account has that name.
 */
const struct account *conf_account(const struct conf *c, const char *name,
    const char *sender, struct err *e);

/* The mail domain: "domain", else /etc/mailname, else the host's FQDN. */
const char *conf_domain(struct conf *c);

/* The EHLO name: "helo", else the host's FQDN, else the mail domain. */
const char *conf_helo(struct conf *c, const struct account *a);

void conf_free(struct conf *c);

#endif
