/*
 * The -bs mode: SMTP spoken on stdin and stdout (RFC 5321, the server
 * side), for Symfony Mailer, Laravel and alpine.  Each message goes
 * through the normal submit path (sent, or queued when the relay cannot
 * take it) and the reply to the final dot says which.  Nothing but SMTP
 * replies is written.
 */
#ifndef MAILOUT_SMTPD_H
#define MAILOUT_SMTPD_H

struct conf;
struct deliverer;
struct options;

#include <stddef.h>

/*
 * A session while the system's configuration cannot be used: each
 * message is kept (kept.h), not sent, with the command line's arguments
 * and the session's envelope after them (kept_bs_args()).  Aliases,
 * qualification and the rest come when the kept message is resolved.
 */
struct smtpd_keep {
	const char *dir; /* the queue directory whose kept/ area takes it */
	const char *why; /* the configuration error */
	char *const *args; /* from kept_bs_args() */
	size_t nargs;
};

struct smtpd {
	struct deliverer *deliverer; /* NULL with keep */
	struct conf *conf; /* NULL with keep */
	const struct smtpd_keep *keep; /* NULL: send each message */
	const struct options *opts;
	const char *spool_dir;
	int delivered; /* messages the relay took at once */
	int kept; /* messages kept (keep) */
};

/* Serve one session until QUIT or the end of input. */
int smtpd_run(struct smtpd *d, int in, int out);

#endif
