/*
 * HTTPS for the OAuth 2.0 endpoints: one form POST, the server's
 * certificate checked.  With transport.c, the only files that use
 * libcurl.
 */
#ifndef MAILOUT_HTTPS_H
#define MAILOUT_HTTPS_H

#include "buf.h"

struct err;

struct https_request {
	const char *url; /* https:// only */
	const char *form; /* application/x-www-form-urlencoded */
	const char *ca_file; /* NULL: the system's authorities */
	long connect_timeout; /* seconds */
	long timeout; /* seconds, the whole exchange */
};

struct https_reply {
	long status; /* HTTP status */
	struct buf body; /* at most HTTPS_BODY_MAX octets */
};

#define HTTPS_BODY_MAX (64 * 1024)

/*
 * POST rq->form to rq->url and read the reply.  Returns 0 (whatever the
 * status), or -1 with e set (ERR_TEMP: "URL: why") when no reply came:
 * the network, TLS, a certificate not trusted, a timeout, a reply larger
 * than HTTPS_BODY_MAX.  No redirect is followed, no proxy used.
 */
int https_post(const struct https_request *rq, struct https_reply *rp,
    struct err *e);

void https_reply_free(struct https_reply *rp);

#endif
