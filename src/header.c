#include "config.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "header.h"
#include "rfc5322.h"

/* One line of the input: its text without the line end, and what follows. */
struct line {
	const char *text;
	size_t len;
	const char *next; /* first byte after the line end */
};

/* RFC 5322 2.2: field names are printable US-ASCII except the colon. */
static int
is_ftext(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 33 && u <= 126 && u != ':';
}

/*
 * Split off the line at p.  CRLF and bare LF both end a line; the last
 * line of the input may have no line end at all.
 */
static void
line_at(const char *p, const char *end, struct line *l)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	l->text = p;
	if (nl == NULL) {
		l->len = (size_t)(end - p);
		l->next = end;
		return;
	}
	l->len = (size_t)(nl - p);
	if (l->len > 0 && nl[-1] == '\r')
		l->len--;
	l->next = nl + 1;
}

/* Length of the field name, WSP before the colon excluded (obs-optional). */
static size_t
name_len(const char *line, size_t len)
{
	size_t n = 0;

	while (n < len && is_ftext(line[n]))
		n++;
	return n;
}

enum hdr_line
hdr_line_kind(const char *line, size_t len)
{
	size_t n, i;

	/* A CR left over by a caller that split at LF is part of the end. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return HDR_LINE_BLANK;
	if (rfc5322_is_wsp(line[0]))
		return HDR_LINE_CONT;
	/* RFC 5322 2.2 field name, 4.5 obs-optional: WSP before ':' */
	n = name_len(line, len);
	if (n == 0)
		return HDR_LINE_OTHER;
	for (i = n; i < len && rfc5322_is_wsp(line[i]); i++)
		continue;
	return i < len && line[i] == ':' ? HDR_LINE_FIELD : HDR_LINE_OTHER;
}

void
hdr_iter_init(struct hdr_iter *it, const char *head, size_t len)
{
	it->p = head;
	it->end = head + len;
}

/*
 * RFC 5322 2.2.3: a field is its first line plus every following line
 * that starts with WSP, even one made only of WSP (A.6.3).
 */
int
hdr_next(struct hdr_iter *it, struct hdr_field *f)
{
	struct line l;
	const char *colon, *last_end;

	if (it->p >= it->end)
		return 0;
	line_at(it->p, it->end, &l);
	if (hdr_line_kind(l.text, l.len) != HDR_LINE_FIELD)
		return 0;
	f->name = l.text;
	f->namelen = name_len(l.text, l.len);
	colon = memchr(l.text, ':', l.len);
	f->value = colon + 1;
	f->raw = l.text;
	last_end = l.text + l.len;
	it->p = l.next;
	while (it->p < it->end) {
		line_at(it->p, it->end, &l);
		if (hdr_line_kind(l.text, l.len) != HDR_LINE_CONT)
			break;
		last_end = l.text + l.len;
		it->p = l.next;
	}
	f->valuelen = (size_t)(last_end - f->value);
	f->rawlen = (size_t)(it->p - f->raw);
	return 1;
}

size_t
hdr_section_len(const char *buf, size_t len)
{
	struct hdr_iter it;
	struct hdr_field f;
	struct line l;

	hdr_iter_init(&it, buf, len);
	while (hdr_next(&it, &f))
		continue;
	if (it.p < it.end) {
		line_at(it.p, it.end, &l);
		if (hdr_line_kind(l.text, l.len) == HDR_LINE_BLANK)
			it.p = l.next;
	}
	return (size_t)(it.p - buf);
}

/*
 * RFC 5322 1.2.2: field names are case-insensitive, ASCII only.  A name
 * (ftext, never NUL) longer than name differs at name's NUL.
 */
int
hdr_is(const struct hdr_field *f, const char *name)
{
	return strncasecmp(f->name, name, f->namelen) == 0 &&
	    name[f->namelen] == '\0';
}

void
hdr_first_fields(const char *head, size_t len, const char *const *names,
    struct hdr_field *out, size_t n)
{
	struct hdr_iter it;
	struct hdr_field f;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	hdr_iter_init(&it, head, len);
	while (hdr_next(&it, &f))
		for (i = 0; i < n; i++)
			if (out[i].name == NULL && hdr_is(&f, names[i])) {
				out[i] = f;
				break;
			}
}

/* Length of the line end at p followed by WSP (a fold), else 0. */
static size_t
fold_len(const char *p, const char *end)
{
	if (p < end && *p == '\r')
		return end - p > 2 && p[1] == '\n' && rfc5322_is_wsp(p[2]) ? 2
		                                                           : 0;
	if (p < end && *p == '\n')
		return end - p > 1 && rfc5322_is_wsp(p[1]) ? 1 : 0;
	return 0;
}

/* RFC 5322 2.2.3: unfolding removes the line end and keeps the WSP. */
void
hdr_unfold(const char *value, size_t len, struct buf *out)
{
	const char *p = value, *end = value + len, *run = value;
	size_t n;

	while (p < end) {
		n = fold_len(p, end);
		if (n == 0) {
			p++;
			continue;
		}
		buf_append(out, run, (size_t)(p - run));
		p += n;
		run = p;
	}
	buf_append(out, run, (size_t)(p - run));
}

size_t
hdr_longest_line(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	struct line l;
	size_t max = 0;

	while (p < end) {
		line_at(p, end, &l);
		if (l.len > max)
			max = l.len;
		p = l.next;
	}
	return max;
}

/* Where to fold l[0..n): the last WSP run start at or before max. */
static size_t
fold_point(const char *l, size_t n, size_t max)
{
	size_t i = n - 1 < max ? n - 1 : max;

	for (; i > 0; i--)
		if (rfc5322_is_wsp(l[i]) && !rfc5322_is_wsp(l[i - 1]))
			return i;
	return 0;
}

int
hdr_fold(const char *field, size_t len, size_t max, struct buf *out)
{
	const char *p = field, *end = field + len;
	struct line l;
	size_t at;

	while (p < end) {
		line_at(p, end, &l);
		while (l.len > max) {
			at = fold_point(l.text, l.len, max);
			if (at == 0)
				return -1;
			buf_append(out, l.text, at);
			buf_append(out, "\r\n", 2);
			l.text += at;
			l.len -= at;
		}
		buf_append(out, l.text, (size_t)(l.next - l.text));
		p = l.next;
	}
	return 0;
}
