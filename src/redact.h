/*
 * Secrets kept out of what is shown and logged.  The transport redacts
 * the AUTH exchange itself; this is the second line of defence: every
 * traced line and every error message is scrubbed of the password or
 * token, in clear and in base64 wherever it stands inside a base64 blob
 * (PLAIN's "\0user\0pass", LOGIN's password line, XOAUTH2's and
 * OAUTHBEARER's strings; RFC 4616, RFC 7628).
 */
#ifndef MAILOUT_REDACT_H
#define MAILOUT_REDACT_H

#include <stddef.h>

struct redact {
	char **words; /* longest first */
	size_t n;
};

#define REDACTED "[redacted]"

/* Add secret: as it is, its base64, and its base64 inside any blob. */
void redact_add_secret(struct redact *r, const char *secret);

/* Add the base64 of p[0..n) as a whole (a composite such as PLAIN's). */
void redact_add_encoded(struct redact *r, const void *p, size_t n);

/* A copy of s[0..n) with every secret replaced by REDACTED. */
char *redact_text(const struct redact *r, const char *s, size_t n);

/*
 * A URL's credentials (RFC 3986 3.2.1, "scheme://user:password@host"),
 * a proxy's: the password as libcurl sends it (percent-decoded) and the
 * "user:password" of HTTP Basic (RFC 7617) in base64.  None: nothing.
 */
void redact_add_url(struct redact *r, const char *url);

/* A copy of url with its password, if any, shown as "********". */
char *redact_url(const char *url);

void redact_free(struct redact *r);

#endif
