#include "config.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "oauth2.h"
#include "sha256.h"
#include "xalloc.h"

/* RFC 6749 appendix B: unreserved characters as they are, space as '+',
 * every other octet as %XX. */
void
oauth2_form(struct buf *b, const char *name, const char *value)
{
	const char *p;
	int i;

	for (i = 0; i < 2; i++) {
		if (i == 0 && b->len > 0)
			buf_putc(b, '&');
		for (p = i == 0 ? name : value; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
				buf_putc(b, c);
			else if (c == ' ')
				buf_putc(b, '+');
			else
				buf_printf(b, "%%%02X", c);
		}
		if (i == 0)
			buf_putc(b, '=');
	}
}

/* Replies are small; deeper nesting than this is no token reply. */
#define JSON_DEPTH 8

static json_object *
parse_object(const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
	json_object *o;

	if (tok == NULL || len > (size_t)INT32_MAX)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)len);
	/* All of it, and nothing after the object but white space. */
	if (o != NULL &&
	    (json_tokener_get_error(tok) != json_tokener_success ||
	        strspn(text + json_tokener_get_parse_end(tok), " \t\r\n") !=
	            len - json_tokener_get_parse_end(tok) ||
	        !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* A number of seconds; some endpoints send it as a string. */
static long
get_seconds(json_object *o, const char *key)
{
	json_object *v;
	const char *s;
	char *end;
	long n;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		return i >= 0 && i <= 100L * 365 * 86400 ? (long)i : -1;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	errno = 0;
	n = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && n >= 0 ? n : -1;
}

static int
read_success(json_object *o, int device, struct oauth2_reply *r, struct err *e)
{
	char *type;

	if (device) {
		r->device_code = get_str(o, "device_code");
		r->user_code = get_str(o, "user_code");
		r->verification_uri = get_str(o, "verification_uri");
		if (r->verification_uri == NULL)
			r->verification_uri = get_str(o, "verification_url");
		r->verification_uri_complete =
		    get_str(o, "verification_uri_complete");
		r->interval = get_seconds(o, "interval");
		if (r->device_code == NULL || r->user_code == NULL ||
		    r->verification_uri == NULL)
			return err_set(e, ERR_TEMP,
			    "the device endpoint's reply lacks device_code, "
			    "user_code or verification_uri");
		return 0;
	}
	r->access_token = get_str(o, "access_token");
	r->refresh_token = get_str(o, "refresh_token");
	type = get_str(o, "token_type");
	if (r->access_token == NULL || r->access_token[0] == '\0' ||
	    type == NULL || strcasecmp(type, "Bearer") != 0) {
		free(type);
		return err_set(e, ERR_TEMP,
		    "the token endpoint's reply holds no bearer access_token");
	}
	free(type);
	return 0;
}

int
oauth2_parse(const char *body, size_t len, long status, int device,
    struct oauth2_reply *r, struct err *e)
{
	json_object *o = parse_object(body, len);
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->expires_in = r->interval = -1;
	if (o == NULL)
		return err_set(e, ERR_TEMP, "HTTP %ld, %s", status,
		    len == 0 ? "no reply" : "the reply is not a JSON object");
	r->expires_in = get_seconds(o, "expires_in");
	r->error = get_str(o, "error");
	if (r->error != NULL) {
		r->error_description = get_str(o, "error_description");
	} else if (status != 200) {
		rc = err_set(e, ERR_TEMP, "HTTP %ld without an error code",
		    status);
	} else {
		rc = read_success(o, device, r, e);
	}
	json_object_put(o);
	if (rc < 0)
		oauth2_reply_free(r);
	return rc;
}

void
oauth2_reply_free(struct oauth2_reply *r)
{
	free(r->error);
	free(r->error_description);
	free(r->access_token);
	free(r->refresh_token);
	free(r->device_code);
	free(r->user_code);
	free(r->verification_uri);
	free(r->verification_uri_complete);
	memset(r, 0, sizeof(*r));
}

#define ERROR_MAX 64
#define DESCRIPTION_MAX 240

char *
oauth2_error_text(const struct oauth2_reply *r)
{
	struct buf b = BUF_INIT;
	const char *d = r->error_description;
	size_t n;

	n = strlen(r->error);
	buf_put_oneline(&b, r->error, n < ERROR_MAX ? n : ERROR_MAX, BUF_ASCII);
	if (d != NULL && d[0] != '\0') {
		buf_puts(&b, ": ");
		n = strlen(d);
		buf_put_oneline(&b, d,
		    n < DESCRIPTION_MAX ? n : DESCRIPTION_MAX, BUF_ASCII);
		if (n > DESCRIPTION_MAX)
			buf_puts(&b, "...");
	}
	return buf_release(&b);
}

enum oauth2_poll
oauth2_poll_next(const char *error)
{
	if (strcmp(error, "authorization_pending") == 0)
		return POLL_WAIT;
	if (strcmp(error, "slow_down") == 0)
		return POLL_SLOWER;
	return POLL_FAIL;
}

long
oauth2_lifetime(long expires_in)
{
	if (expires_in < 0)
		return 600;
	return expires_in > 120 ? expires_in - 60 : expires_in / 2;
}

char *
oauth2_digest(const char *secret)
{
	unsigned char d[SHA256_LEN];
	struct buf b = BUF_INIT;
	size_t i;

	sha256(secret, strlen(secret), d);
	for (i = 0; i < SHA256_LEN; i++)
		buf_printf(&b, "%02x", d[i]);
	return buf_release(&b);
}

static void
put_str(json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

char *
oauth2_state_format(const struct oauth2_state *s)
{
	json_object *o = json_object_new_object(), *a;
	char *text;
	size_t i;

	put_str(o, "token_url", s->token_url);
	put_str(o, "client_id", s->client_id);
	put_str(o, "access_token", s->access_token);
	if (s->access_token != NULL)
		json_object_object_add(o, "expires",
		    json_object_new_int64(s->expires));
	put_str(o, "refresh_token", s->refresh_token);
	put_str(o, "seed", s->seed);
	a = json_object_new_array();
	for (i = 0; i < s->nrejected; i++)
		json_object_array_add(a,
		    json_object_new_string(s->rejected[i]));
	json_object_object_add(o, "rejected", a);
	text = xasprintf("%s\n",
	    json_object_to_json_string_ext(o,
	        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

static int
read_rejected(json_object *o, struct oauth2_state *s)
{
	json_object *a;
	size_t i, n;

	if (!json_object_object_get_ex(o, "rejected", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return -1;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string))
			return -1;
		oauth2_state_reject_digest(s, json_object_get_string(v));
	}
	return 0;
}

int
oauth2_state_parse(const char *text, size_t len, struct oauth2_state *s,
    struct err *e)
{
	json_object *o = parse_object(text, len), *v;

	memset(s, 0, sizeof(*s));
	if (o == NULL)
		return err_set(e, ERR_CONFIG, "not a JSON object");
	s->token_url = get_str(o, "token_url");
	s->client_id = get_str(o, "client_id");
	s->access_token = get_str(o, "access_token");
	if (json_object_object_get_ex(o, "expires", &v))
		s->expires = json_object_get_int64(v);
	s->refresh_token = get_str(o, "refresh_token");
	s->seed = get_str(o, "seed");
	if (read_rejected(o, s) < 0) {
		json_object_put(o);
		oauth2_state_free(s);
		return err_set(e, ERR_CONFIG,
		    "'rejected' is not a list of "
		    "strings");
	}
	json_object_put(o);
	return 0;
}

void
oauth2_state_reject_digest(struct oauth2_state *s, const char *digest)
{
	s->rejected =
	    xreallocarray(s->rejected, s->nrejected + 1, sizeof(*s->rejected));
	s->rejected[s->nrejected++] = xstrdup(digest);
}

int
oauth2_state_rejected(const struct oauth2_state *s, const char *token)
{
	char *d = oauth2_digest(token);
	size_t i;
	int found = 0;

	for (i = 0; i < s->nrejected && !found; i++)
		found = strcmp(s->rejected[i], d) == 0;
	free(d);
	return found;
}

void
oauth2_state_reject(struct oauth2_state *s, const char *token)
{
	char *d;

	if (oauth2_state_rejected(s, token))
		return;
	d = oauth2_digest(token);
	oauth2_state_reject_digest(s, d);
	free(d);
}

void
oauth2_state_free(struct oauth2_state *s)
{
	free(s->token_url);
	free(s->client_id);
	free(s->access_token);
	free(s->refresh_token);
	free(s->seed);
	while (s->nrejected > 0)
		free(s->rejected[--s->nrejected]);
	free(s->rejected);
	memset(s, 0, sizeof(*s));
}
