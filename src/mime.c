#include "config.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mime.h"

struct scan {
	const char *p;
	const char *end;
};

/* RFC 2045 5.1 tspecials, and the characters a token may not hold. */
static int
is_token_char(char c)
{
	return (unsigned char)c > 32 && (unsigned char)c < 127 &&
	    strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* White space, folding and RFC 822 comments (nested) between tokens. */
static void
skip_cfws(struct scan *s)
{
	int depth = 0;

	for (; s->p < s->end; s->p++) {
		char c = *s->p;

		if (depth > 0 && c == '\\' && s->p + 1 < s->end)
			s->p++;
		else if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' &&
		    c != '\n')
			return;
	}
}

static size_t
token(struct scan *s, const char **start)
{
	skip_cfws(s);
	*start = s->p;
	while (s->p < s->end && is_token_char(*s->p))
		s->p++;
	return (size_t)(s->p - *start);
}

/* A parameter value: a token or a quoted-string (quotes removed). */
static void
value(struct scan *s, struct buf *out)
{
	const char *v;
	size_t n;

	skip_cfws(s);
	if (s->p < s->end && *s->p == '"') {
		for (s->p++; s->p < s->end && *s->p != '"'; s->p++) {
			if (*s->p == '\\' && s->p + 1 < s->end)
				s->p++;
			if (*s->p != '\r' && *s->p != '\n')
				buf_putc(out, *s->p);
		}
		if (s->p < s->end)
			s->p++;
		return;
	}
	n = token(s, &v);
	buf_append(out, v, n);
}

enum mime_cte
mime_cte(const char *v, size_t len)
{
	struct scan s = {v, v + len};
	const char *t;
	size_t n = token(&s, &t);

	if (n == 0 || (n == 4 && strncasecmp(t, "7bit", 4) == 0) ||
	    (n == 4 && strncasecmp(t, "8bit", 4) == 0) ||
	    (n == 6 && strncasecmp(t, "binary", 6) == 0))
		return CTE_IDENTITY;
	if (n == 16 && strncasecmp(t, "quoted-printable", 16) == 0)
		return CTE_QP;
	if (n == 6 && strncasecmp(t, "base64", 6) == 0)
		return CTE_BASE64;
	return CTE_OTHER;
}

static void
lower(struct buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_putc(b,
		    p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]);
}

/* RFC 2045 5.1: *(";" parameter), keeping the boundary's value. */
static void
parameters(struct scan *s, struct buf *boundary)
{
	struct buf ignored = BUF_INIT;
	const char *a;
	size_t n;

	for (;;) {
		skip_cfws(s);
		if (s->p >= s->end || *s->p != ';')
			break;
		s->p++;
		n = token(s, &a);
		skip_cfws(s);
		if (s->p >= s->end || *s->p != '=')
			continue;
		s->p++;
		if (n == 8 && strncasecmp(a, "boundary", 8) == 0) {
			buf_reset(boundary);
			value(s, boundary);
		} else {
			value(s, &ignored);
		}
	}
	buf_free(&ignored);
}

int
mime_ctype(const char *v, size_t len, struct buf *type, struct buf *boundary)
{
	struct scan s = {v, v + len};
	const char *t, *sub;
	size_t n, m;

	n = token(&s, &t);
	skip_cfws(&s);
	if (n == 0 || s.p >= s.end || *s.p != '/')
		return -1;
	s.p++;
	m = token(&s, &sub);
	if (m == 0)
		return -1;
	lower(type, t, n);
	buf_putc(type, '/');
	lower(type, sub, m);
	parameters(&s, boundary);
	return 0;
}
