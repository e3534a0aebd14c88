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

struct smtpd {
	struct deliverer *deliverer;
	struct conf *conf;
	const struct options *opts;
	const char *spool_dir;
	int delivered; /* messages the relay took at once */
};

/* Serve one session until QUIT or the end of input. */
int smtpd_run(struct smtpd *d, int in, int out);

#endif
