/*
 * Configuration: a libconfig file loaded once into a read-only struct
 * conf, every key checked against a schema (unknown keys and wrong types
 * are errors reported as FILE:LINE: message).
 */
#ifndef MAILOUT_CONF_H
#define MAILOUT_CONF_H

struct err;

enum tls_mode {
	TLS_STARTTLS, /* plain connect, STARTTLS required (default) */
	TLS_IMPLICIT, /* TLS from the first byte ("tls", port 465) */
	TLS_NONE /* no TLS at all */
};

/* How to reach one relay and speak to it. */
struct account {
	char *name;
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
	struct account acct;
};

/* The file read when -C is not given. */
#define CONF_DEFAULT_PATH SYSCONFDIR "/mailout.conf"

/*
 * Load the file at path.  When path is NULL the default file is read if
 * it exists; a missing default file leaves every setting at its default
 * (no relay).  Returns 0, or -1 with e set (ERR_CONFIG).
 */
int conf_load(const char *path, struct conf *c, struct err *e);

/* The mail domain: "domain", else /etc/mailname, else the host's FQDN. */
const char *conf_domain(struct conf *c);

/* The EHLO name: "helo", else the host's FQDN, else the mail domain. */
const char *conf_helo(struct conf *c, const struct account *a);

void conf_free(struct conf *c);

#endif
