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

void
redact_free(struct redact *r)
{
	while (r->n > 0)
		free(r->words[--r->n]);
	free(r->words);
	r->words = NULL;
}
