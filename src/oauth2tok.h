/*
 * OAuth 2.0 tokens for an account's "oauth2" group: the access token
 * from the token endpoint (refresh_token or client_credentials grant),
 * cached across processes in the account's state file until shortly
 * before it expires; rotated refresh tokens kept there; refused ones
 * never sent again; the device grant (RFC 8628) for --oauth2-login.
 *
 * The state file (conf.h: oauth2_conf.state_file) is JSON, mode 0660,
 * replaced whole (a temporary file, fsync, rename), under a lock
 * (flock on STATE.lock) held while the endpoint is asked, so that
 * concurrent processes ask once.  It belongs to one token_url and
 * client_id: with others configured, it is started afresh, so that no
 * token goes to an endpoint it was not issued by.
 */
#ifndef MAILOUT_OAUTH2TOK_H
#define MAILOUT_OAUTH2TOK_H

#include <stdio.h>
#include <time.h>

struct account;
struct err;
struct redact;

/* A line for -v: what was asked of the endpoint (no secret in it). */
typedef void (*oauth2_note_fn)(void *arg, const char *line);

struct oauth2_call {
	const struct account *acct; /* with an "oauth2" group */
	struct redact *secrets; /* each secret met is added; NULL: none */
	oauth2_note_fn note; /* NULL: none */
	void *note_arg;
};

/*
 * The account's access token: the cached one while it lasts, else a new
 * one from the endpoint.  refused: the token the relay refused (it is
 * not given again), NULL.  *until: when to ask again.  Returns the token
 * (the caller frees it), or NULL with e set: ERR_TEMP with "oauth2: ..."
 * (the endpoint down, slow, or refusing: "oauth2: invalid_grant: ...").
 * No secret is in e's message.
 */
char *oauth2_token(const struct oauth2_call *c, const char *refused,
    time_t *until, struct err *e);

/*
 * --oauth2-login: the device authorization grant.  Prints to out where
 * to sign in and the code, polls the token endpoint at the interval the
 * endpoint asks, and keeps the refresh token in the state file.
 * Returns 0, or -1 with e set.
 */
int oauth2_login(const struct oauth2_call *c, FILE *out, struct err *e);

#endif
