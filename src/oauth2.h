/*
 * OAuth 2.0 without I/O: the token endpoint's requests (RFC 6749
 * appendix B's form encoding) and replies (5.1, 5.2; RFC 8628 3.2 and
 * 3.5 for the device grant), read with json-c, and the state file's
 * contents.  oauth2tok.c does the I/O.
 */
#ifndef MAILOUT_OAUTH2_H
#define MAILOUT_OAUTH2_H

#include <stddef.h>

struct buf;
struct err;

/* "&name=value", percent-encoded (the '&' left out for the first). */
void oauth2_form(struct buf *b, const char *name, const char *value);

/* RFC 8628 3.4: the device grant's grant_type. */
#define OAUTH2_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* A reply of the token or device endpoint; any field may be NULL. */
struct oauth2_reply {
	char *error; /* RFC 6749 5.2 code: NULL on success */
	char *error_description;
	char *access_token; /* 5.1 */
	long expires_in; /* seconds; -1: not said */
	char *refresh_token; /* a new one (rotation), NULL: keep ours */
	char *device_code; /* RFC 8628 3.2 */
	char *user_code;
	char *verification_uri; /* Google says verification_url */
	char *verification_uri_complete;
	long interval; /* seconds; -1: not said */
};

/*
 * Read the JSON object body[0..len), as the HTTP status said: an error
 * (with "error") or a success.  A success of the token endpoint must
 * hold access_token with token_type "Bearer" (5.1); one of the device
 * endpoint (device = 1), device_code, user_code and verification_uri.
 * Returns 0, or -1 with e set (ERR_TEMP) for anything else.
 */
int oauth2_parse(const char *body, size_t len, long status, int device,
    struct oauth2_reply *r, struct err *e);

void oauth2_reply_free(struct oauth2_reply *r);

/*
 * "error: description" on one line, printable ASCII, at most about 300
 * characters: the endpoint's words as mailq and the log show them.
 */
char *oauth2_error_text(const struct oauth2_reply *r);

/* What a device grant's poll does next (RFC 8628 3.5). */
enum oauth2_poll {
	POLL_WAIT, /* authorization_pending: ask again after interval */
	POLL_SLOWER, /* slow_down: interval grows by 5 s, then ask */
	POLL_FAIL /* anything else: access_denied, expired_token... */
};

enum oauth2_poll oauth2_poll_next(const char *error);

/*
 * How long an access token is used: until a minute before it expires,
 * or half its lifetime when that is shorter (clocks drift, a send
 * takes time).  expires_in < 0 (not said): 10 minutes.
 */
long oauth2_lifetime(long expires_in);

/* The hex SHA-256 of a secret: how a refused one is remembered. */
char *oauth2_digest(const char *secret);

/*
 * The state file of an account: whose tokens they are (the endpoint,
 * the client), the cached access token, the current refresh token, the
 * configured refresh token it descends from (seed: a digest), and the
 * digests of refresh tokens the endpoint refused.
 */
struct oauth2_state {
	char *token_url;
	char *client_id;
	char *access_token;
	long long expires; /* time(2) when it is no longer used */
	char *refresh_token;
	char *seed;
	char **rejected;
	size_t nrejected;
};

/* JSON text of s, "\n" at the end; the caller frees it. */
char *oauth2_state_format(const struct oauth2_state *s);

/* Read a state file's text; -1 with e set (ERR_CONFIG) when it is not. */
int oauth2_state_parse(const char *text, size_t len, struct oauth2_state *s,
    struct err *e);

int oauth2_state_rejected(const struct oauth2_state *s, const char *token);
void oauth2_state_reject(struct oauth2_state *s, const char *token);
void oauth2_state_reject_digest(struct oauth2_state *s, const char *digest);
void oauth2_state_free(struct oauth2_state *s);

#endif
