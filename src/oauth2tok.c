#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "https.h"
#include "io.h"
#include "oauth2.h"
#include "oauth2tok.h"
#include "pwcmd.h"
#include "redact.h"
#include "xalloc.h"

/* The endpoint gets at most this long to answer (reply_timeout caps it
 * lower). */
#define ENDPOINT_TIMEOUT 60

/* One use of the account's tokens: its state, locked, and its secrets. */
struct tok {
	const struct oauth2_call *call;
	const struct oauth2_conf *oc;
	int lock; /* fd of STATE.lock, -1: none */
	struct oauth2_state st;
	char *client_secret;
	struct redact scrub; /* what never goes into a message */
};

static void
note(struct tok *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct tok *t, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (t->call->note == NULL)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	t->call->note(t->call->note_arg, line);
	free(line);
}

/* A secret met: scrubbed from our messages and from the caller's. */
static void
secret(struct tok *t, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	redact_add_secret(&t->scrub, s);
	if (t->call->secrets != NULL)
		redact_add_secret(t->call->secrets, s);
}

/* e's message prefixed "oauth2: " and scrubbed of every secret. */
static int
fail(struct tok *t, struct err *e)
{
	char *clean;

	err_prefix(e, "oauth2");
	if (t->scrub.n > 0) {
		clean = redact_text(&t->scrub, e->msg, strlen(e->msg));
		free(e->msg);
		e->msg = clean;
	}
	return -1;
}

/* ---------------------------------------------------------- the state */

static int
lock_state(struct tok *t, struct err *e)
{
	const char *file = t->oc->state_file;
	char *dir = xstrdup(file), *lock = xasprintf("%s.lock", file);
	int rc = 0;

	*strrchr(dir, '/') = '\0';
	/* The group's, as the queue is (umask 007, the setgid directory). */
	if (mkdir(dir, 02770) < 0 && errno != EEXIST)
		rc = err_sys(e, ERR_TEMP, "%s", dir);
	else if ((t->lock = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) < 0)
		rc = err_sys(e, ERR_TEMP, "%s", lock);
	else if (flock(t->lock, LOCK_EX) < 0)
		rc = err_sys(e, ERR_TEMP, "lock %s", lock);
	free(dir);
	free(lock);
	return rc;
}

static int
read_state(struct tok *t, struct err *e)
{
	const char *file = t->oc->state_file;
	struct buf b = BUF_INIT;
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(e, ERR_TEMP, "%s", file);
	if (io_read_all(fd, &b, HTTPS_BODY_MAX) < 0)
		rc = err_sys(e, ERR_TEMP, "%s", file);
	else if (oauth2_state_parse(buf_cstr(&b), b.len, &t->st, e) < 0)
		rc = err_prefix(e, "%s", file);
	close(fd);
	buf_free(&b);
	return rc;
}

/* The tokens of another endpoint or client are not sent to this one;
 * a refresh token newly set in the configuration wins over the stored. */
static void
bind_state(struct tok *t)
{
	struct oauth2_state *st = &t->st;
	const struct oauth2_conf *oc = t->oc;
	char *seed;

	if (st->token_url == NULL ||
	    strcmp(st->token_url, oc->token_url) != 0 ||
	    st->client_id == NULL ||
	    strcmp(st->client_id, oc->client_id) != 0) {
		oauth2_state_free(st);
		st->token_url = xstrdup(oc->token_url);
		st->client_id = xstrdup(oc->client_id);
	}
	if (oc->refresh_token == NULL)
		return;
	seed = oauth2_digest(oc->refresh_token);
	if (st->seed != NULL && strcmp(st->seed, seed) == 0) {
		free(seed);
		return;
	}
	free(st->seed);
	st->seed = seed;
	free(st->refresh_token);
	st->refresh_token = xstrdup(oc->refresh_token);
}

static int
load_state(struct tok *t, struct err *e)
{
	if (t->oc->state_file != NULL &&
	    (lock_state(t, e) < 0 || read_state(t, e) < 0))
		return -1;
	bind_state(t);
	secret(t, t->st.access_token);
	secret(t, t->st.refresh_token);
	return 0;
}

/* The directory that holds file, synced (io_fsync_dir()). */
static int
sync_parent(const char *file)
{
	char *dir = xstrdup(file);
	int rc;

	*strrchr(dir, '/') = '\0';
	rc = io_fsync_dir(dir);
	free(dir);
	return rc;
}

/* Replaced whole: a crash leaves the old file or the new, never half. */
static int
save_state(struct tok *t, struct err *e)
{
	const char *file = t->oc->state_file;
	char *tmp, *text;
	int fd, rc = -1;

	if (file == NULL)
		return 0;
	tmp = xasprintf("%s.tmp.%ld", file, (long)getpid());
	text = oauth2_state_format(&t->st);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
	if (fd >= 0 && fchmod(fd, 0660) == 0 &&
	    io_write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0 &&
	    close(fd) == 0) {
		fd = -1;
		if (rename(tmp, file) == 0 && sync_parent(file) == 0)
			rc = 0;
	}
	if (rc < 0)
		err_sys(e, ERR_TEMP, "cannot save %s", file);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	free(text);
	return rc;
}

static void
tok_free(struct tok *t)
{
	if (t->lock >= 0)
		close(t->lock); /* and the lock with it */
	oauth2_state_free(&t->st);
	free(t->client_secret);
	redact_free(&t->scrub);
}

/* ------------------------------------------------------ the endpoint */

static int
get_client_secret(struct tok *t, struct err *e)
{
	const struct oauth2_conf *oc = t->oc;

	if (oc->client_secret != NULL)
		t->client_secret = xstrdup(oc->client_secret);
	else if (oc->client_secret_command != NULL &&
	    (t->client_secret = pwcmd_run(oc->client_secret_command, e)) ==
	        NULL)
		return err_prefix(e, "client_secret_command");
	secret(t, t->client_secret);
	return 0;
}

/* POST form to url; r holds the endpoint's answer, error or not. */
static int
ask(struct tok *t, const char *url, struct buf *form, int device,
    struct oauth2_reply *r, struct err *e)
{
	const struct account *a = t->call->acct;
	struct https_request rq = {url, buf_cstr(form), t->oc->ca_file,
	    a->connect_timeout,
	    a->connect_timeout +
	        (a->reply_timeout < ENDPOINT_TIMEOUT ? a->reply_timeout
	                                             : ENDPOINT_TIMEOUT)};
	struct https_reply rp;
	int rc;

	if (https_post(&rq, &rp, e) < 0)
		return -1;
	rc = oauth2_parse(buf_cstr(&rp.body), rp.body.len, rp.status, device, r,
	    e);
	if (rc < 0)
		err_prefix(e, "%s", url);
	else
		note(t, "oauth2: %s: HTTP %ld%s%s", url, rp.status,
		    r->error != NULL ? ", error " : "",
		    r->error != NULL ? r->error : "");
	https_reply_free(&rp);
	if (rc == 0) {
		secret(t, r->access_token);
		secret(t, r->refresh_token);
		secret(t, r->device_code);
	}
	return rc;
}

static void
add_client(struct tok *t, struct buf *form)
{
	oauth2_form(form, "client_id", t->oc->client_id);
	if (t->client_secret != NULL)
		oauth2_form(form, "client_secret", t->client_secret);
}

/* The request of the configured grant, or -1 when it cannot be made. */
static int
grant_form(struct tok *t, struct buf *form, struct err *e)
{
	const char *rt = t->st.refresh_token;

	if (t->oc->grant == GRANT_CLIENT_CREDENTIALS) {
		oauth2_form(form, "grant_type", "client_credentials");
	} else if (rt == NULL) {
		return err_set(e, ERR_TEMP,
		    "no refresh token: run mailout --oauth2-login, or set "
		    "'refresh_token'");
	} else if (oauth2_state_rejected(&t->st, rt)) {
		return err_set(e, ERR_TEMP,
		    "the refresh token was refused (invalid_grant) and is not "
		    "sent again: run mailout --oauth2-login, or set a new "
		    "'refresh_token'");
	} else {
		oauth2_form(form, "grant_type", "refresh_token");
		oauth2_form(form, "refresh_token", rt);
	}
	add_client(t, form);
	if (t->oc->scope != NULL)
		oauth2_form(form, "scope", t->oc->scope);
	return 0;
}

/* A refusal: invalid_grant condemns the refresh token sent. */
static int
refused(struct tok *t, struct oauth2_reply *r, struct err *e)
{
	char *why = oauth2_error_text(r);
	struct err se = {0};

	err_set(e, ERR_TEMP, "%s", why);
	free(why);
	if (strcmp(r->error, "invalid_grant") != 0 ||
	    t->oc->grant != GRANT_REFRESH_TOKEN)
		return -1;
	oauth2_state_reject(&t->st, t->st.refresh_token);
	if (save_state(t, &se) < 0) {
		err_prefix(e, "%s; %s", se.msg, e->msg);
		err_clear(&se);
	}
	return -1;
}

/* A new access token, and a new refresh token when it rotates. */
static void
keep(struct tok *t, struct oauth2_reply *r, time_t now)
{
	free(t->st.access_token);
	t->st.access_token = xstrdup(r->access_token);
	t->st.expires = (long long)now + oauth2_lifetime(r->expires_in);
	if (r->refresh_token != NULL &&
	    (t->st.refresh_token == NULL ||
	        strcmp(r->refresh_token, t->st.refresh_token) != 0)) {
		note(t, "oauth2: the endpoint rotated the refresh token%s",
		    t->oc->state_file ? "" : " (no state file: not kept)");
		free(t->st.refresh_token);
		t->st.refresh_token = xstrdup(r->refresh_token);
	}
}

static int
fetch(struct tok *t, struct err *e)
{
	struct buf form = BUF_INIT;
	struct oauth2_reply r;
	time_t now = time(NULL);
	int rc;

	if (get_client_secret(t, e) < 0 || grant_form(t, &form, e) < 0) {
		buf_free(&form);
		return -1;
	}
	note(t, "oauth2: asking %s for an access token (%s grant)",
	    t->oc->token_url,
	    t->oc->grant == GRANT_CLIENT_CREDENTIALS ? "client_credentials"
	                                             : "refresh_token");
	rc = ask(t, t->oc->token_url, &form, 0, &r, e);
	buf_free(&form);
	if (rc < 0)
		return -1;
	if (r.error != NULL)
		rc = refused(t, &r, e);
	else
		keep(t, &r, now);
	oauth2_reply_free(&r);
	return rc < 0 ? -1 : save_state(t, e);
}

char *
oauth2_token(const struct oauth2_call *c, const char *refused_token,
    time_t *until, struct err *e)
{
	struct tok t = {c, c->acct->oauth2, -1, {0}, NULL, {0}};
	char *token = NULL;
	int rc = load_state(&t, e);
	struct err se = {0};

	/* The one refused is forgotten, even if no other comes (another
	 * process may have replaced it already: that one is used). */
	if (rc == 0 && refused_token != NULL && t.st.access_token != NULL &&
	    strcmp(t.st.access_token, refused_token) == 0) {
		free(t.st.access_token);
		t.st.access_token = NULL;
	}
	if (rc == 0 &&
	    (t.st.access_token == NULL || time(NULL) >= t.st.expires) &&
	    (rc = fetch(&t, e)) < 0 && refused_token != NULL &&
	    save_state(&t, &se) < 0)
		err_clear(&se); /* the endpoint's refusal says more */
	if (rc < 0) {
		fail(&t, e);
	} else {
		token = xstrdup(t.st.access_token);
		*until = (time_t)t.st.expires;
	}
	tok_free(&t);
	return token;
}

/* ------------------------------------------- the device grant (login) */

/* RFC 8628 3.1: the device code, the user code, where to go. */
static int
device_start(struct tok *t, struct oauth2_reply *d, struct err *e)
{
	struct buf form = BUF_INIT;
	int rc;

	oauth2_form(&form, "client_id", t->oc->client_id);
	if (t->oc->scope != NULL)
		oauth2_form(&form, "scope", t->oc->scope);
	rc = ask(t, t->oc->device_url, &form, 1, d, e);
	buf_free(&form);
	if (rc == 0 && d->error != NULL) {
		char *why = oauth2_error_text(d);

		rc = err_set(e, ERR_TEMP, "%s", why);
		free(why);
		oauth2_reply_free(d);
	}
	return rc;
}

/* RFC 8628 3.4, 3.5: ask every interval seconds until the user is done. */
static int
device_poll(struct tok *t, const struct oauth2_reply *d, struct oauth2_reply *r,
    struct err *e)
{
	long interval = d->interval > 0 ? d->interval : 5;
	time_t end = time(NULL) + (d->expires_in > 0 ? d->expires_in : 900);
	struct buf form = BUF_INIT;
	int rc = -1;

	oauth2_form(&form, "grant_type", OAUTH2_DEVICE_GRANT);
	oauth2_form(&form, "device_code", d->device_code);
	add_client(t, &form);
	while (time(NULL) + interval <= end) {
		sleep((unsigned)interval);
		if ((rc = ask(t, t->oc->token_url, &form, 0, r, e)) < 0 ||
		    r->error == NULL)
			break;
		rc = -1;
		if (oauth2_poll_next(r->error) == POLL_FAIL) {
			char *why = oauth2_error_text(r);

			err_set(e, ERR_TEMP, "%s", why);
			free(why);
			break;
		}
		if (oauth2_poll_next(r->error) == POLL_SLOWER)
			interval += 5;
		oauth2_reply_free(r);
	}
	if (rc < 0 && e->msg == NULL)
		err_set(e, ERR_TEMP,
		    "expired_token: the code expired before "
		    "the sign-in");
	buf_free(&form);
	return rc;
}

static void
show_code(const struct oauth2_reply *d, FILE *out)
{
	fprintf(out, "To sign in, open %s and enter the code %s\n",
	    d->verification_uri, d->user_code);
	if (d->verification_uri_complete != NULL)
		fprintf(out, "(or open %s)\n", d->verification_uri_complete);
	fprintf(out, "Waiting for the sign-in...\n");
	fflush(out);
}

/* The refresh token from the sign-in replaces the stored one. */
static int
device_keep(struct tok *t, struct oauth2_reply *r, struct err *e)
{
	if (r->refresh_token == NULL)
		return err_set(e, ERR_TEMP,
		    "the endpoint gave no refresh token (the scope may lack "
		    "offline_access)");
	if (load_state(t, e) < 0)
		return -1;
	free(t->st.refresh_token);
	t->st.refresh_token = NULL;
	keep(t, r, time(NULL));
	return save_state(t, e);
}

int
oauth2_login(const struct oauth2_call *c, FILE *out, struct err *e)
{
	struct tok t = {c, c->acct->oauth2, -1, {0}, NULL, {0}};
	struct oauth2_reply d, r;
	int rc;

	if (t.oc->device_url == NULL)
		return err_set(e, ERR_CONFIG,
		    "oauth2: --oauth2-login needs 'device_url' (or 'provider')");
	if (t.oc->state_file == NULL)
		return err_set(e, ERR_CONFIG,
		    "oauth2: no state file to keep the refresh token in: a "
		    "file of your own (-C) needs a 'queue_dir' of its own");
	if (get_client_secret(&t, e) < 0 || device_start(&t, &d, e) < 0) {
		fail(&t, e);
		tok_free(&t);
		return -1;
	}
	show_code(&d, out);
	rc = device_poll(&t, &d, &r, e);
	oauth2_reply_free(&d);
	if (rc == 0) {
		rc = device_keep(&t, &r, e);
		oauth2_reply_free(&r);
	}
	if (rc < 0)
		fail(&t, e);
	else
		fprintf(out, "Signed in: the refresh token is kept in %s\n",
		    t.oc->state_file);
	tok_free(&t);
	return rc;
}
