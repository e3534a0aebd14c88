#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "redact.h"
#include "xalloc.h"

/* Keep the longest first, so that a secret is replaced whole. */
static void
add_word(struct redact *r, char *w)
{
	size_t i, len = strlen(w);

	for (i = 0; i < r->n; i++)
		if (strcmp(r->words[i], w) == 0) {
			free(w);
			return;
		}
	if (len == 0) {
		free(w);
		return;
	}
	r->words = xreallocarray(r->words, r->n + 1, sizeof(*r->words));
	for (i = r->n; i > 0 && strlen(r->words[i - 1]) < len; i--)
		r->words[i] = r->words[i - 1];
	r->words[i] = w;
	r->n++;
}

void
redact_add_encoded(struct redact *r, const void *p, size_t n)
{
	add_word(r, base64_encode(p, n));
}

/*
 * Base64 turns each 3 octets into 4 characters.  Wherever the secret
 * stands in a longer string, the octets from its first group boundary
 * on encode to the same characters: one such core per alignment.
 */
void
redact_add_secret(struct redact *r, const char *secret)
{
	size_t n = strlen(secret), skip, m;

	if (n == 0)
		return;
	add_word(r, xstrdup(secret));
	redact_add_encoded(r, secret, n);
	for (skip = 0; skip < 3 && skip < n; skip++) {
		m = (n - skip) / 3 * 3;
		if (m >= 3)
			redact_add_encoded(r, secret + skip, m);
	}
}

char *
redact_text(const struct redact *r, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i = 0, k, len;

	while (i < n) {
		for (k = 0; k < r->n; k++) {
			len = strlen(r->words[k]);
			if (len <= n - i &&
			    memcmp(s + i, r->words[k], len) == 0)
				break;
		}
		if (k < r->n) {
			buf_puts(&b, REDACTED);
			i += len;
		} else {
			buf_putc(&b, s[i++]);
		}
	}
	return buf_release(&b);
}

/*
 * Where url's userinfo is (RFC 3986 3.2.1): *at the '@' that ends it,
 * *colon the ':' before the password or NULL.  Returns the userinfo's
 * start, or NULL when the URL has none.
 */
static const char *
userinfo(const char *url, const char **colon, const char **at)
{
	const char *p = strstr(url, "://"), *end, *q;

	if (p == NULL)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	*at = NULL;
	for (q = p; q < end; q++)
		if (*q == '@')
			*at =
			    q; /* the last one: an unencoded '@' may precede */
	if (*at == NULL)
		return NULL;
	*colon = memchr(p, ':', (size_t)(*at - p));
	return p;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* p[0..n) with each "%XX" decoded (RFC 3986 2.1). */
static void
put_decoded(struct buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
		    hexval(p[i + 2]) >= 0) {
			buf_putc(b,
			    (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2])));
			i += 2;
		} else {
			buf_putc(b, p[i]);
		}
}

void
redact_add_url(struct redact *r, const char *url)
{
	const char *colon, *at, *p = userinfo(url, &colon, &at);
	struct buf b = BUF_INIT;
	char *typed;

	if (p == NULL || colon == NULL || colon + 1 == at)
		return;
	put_decoded(&b, colon + 1, (size_t)(at - colon - 1));
	redact_add_secret(r, buf_cstr(&b));
	/* Also as typed: an error may quote the URL itself. */
	typed = xstrndup(colon + 1, (size_t)(at - colon - 1));
	redact_add_secret(r, typed);
	free(typed);
	buf_reset(&b);
	put_decoded(&b, p, (size_t)(at - p)); /* "user:password" */
	redact_add_encoded(r, b.data, b.len);
	buf_free(&b);
}

char *
redact_url(const char *url)
{
	const char *colon, *at;

	if (userinfo(url, &colon, &at) == NULL || colon == NULL)
		return xstrdup(url);
	return xasprintf("%.*s********%s", (int)(colon + 1 - url), url, at);
}

void
redact_free(struct redact *r)
{
	while (r->n > 0)
		free(r->words[--r->n]);
	free(r->words);
	r->words = NULL;
}
