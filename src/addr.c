#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "rfc5322.h"
#include "xalloc.h"

/*
 * A recursive-descent parser, one function per production of RFC 5322
 * 3.4 and 4.4.  Nothing recurses on the input's nesting (comments are
 * counted, groups do not nest), so hostile input cannot exhaust the
 * stack; nothing backtracks (the lookahead is at most three bytes), so
 * the time is linear in the length of the list.
 */

/* Where an address may stand, which decides what may follow it. */
enum ctx {
	CTX_LIST, /* address-list: mailboxes and groups */
	CTX_GROUP, /* group-list: mailboxes only, ended by ";" */
	CTX_ONE /* a single mailbox (command line, configuration) */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	struct err *e;
};

enum item { ITEM_NONE, ITEM_WORD, ITEM_DOT };

/*
 * A run of words and dots (RFC 5322 3.2.5 word, 4.1 obs-phrase, 4.4
 * obs-local-part), CFWS between them skipped.  Until the byte after it
 * is seen ("<", ":", "@" or something else) it is not known whether the
 * run is a display name or a local part, so both readings are kept.
 */
struct words {
	struct buf text; /* word contents (quotes removed) and dots */
	size_t n; /* number of items */
	enum item first, last;
	int adjacent; /* two words or two dots in a row somewhere */
	size_t start; /* offset of the first item */
	size_t end; /* offset just past the last item */
};

static int parse_address(struct parser *p, struct addr_list *l, enum ctx c);

/* Character classes */

/* Controls other than HTAB; folding line ends are handled before. */
static int
is_ctl(int c)
{
	return c != '\t' && rfc5322_is_ctl(c);
}

/* RFC 5322 3.2.3 atext, with RFC 6532 3.2: any octet >= 0x80. */
static int
is_atext(int c)
{
	return c >= 0x80 || rfc5322_is_atext(c);
}

/* RFC 5322 3.2.1 quoted-pair: "\" (VCHAR / WSP); 6532 adds UTF-8. */
static int
is_quotable(int c)
{
	return rfc5322_is_wsp(c) || (c > 0x20 && c != 0x7f);
}

/* RFC 5322 3.2.4 qtext, 3.2.2 ctext, 3.4.1 dtext (with RFC 6532). */
static int
is_qtext(int c)
{
	return c >= 0x80 || (c >= 33 && c <= 126 && c != '"' && c != '\\');
}

static int
is_ctext(int c)
{
	return c >= 0x80 ||
	    (c >= 33 && c <= 126 && c != '(' && c != ')' && c != '\\');
}

static int
is_dtext(int c)
{
	return c >= 0x80 || (c >= 33 && c <= 90) || (c >= 94 && c <= 126);
}

/* Reading the input */

static int
peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int
peek_at(const struct parser *p, size_t off)
{
	return off < p->len ? (unsigned char)p->s[off] : -1;
}

/*
 * RFC 5322 3.2.2 FWS and 4.2 obs-FWS: a line end (CRLF, or a bare LF as
 * a header read with LF line ends has) counts only when WSP follows.
 * Returns the length of the line end at the current position, or 0.
 */
static size_t
fold_len(const struct parser *p)
{
	if (peek(p) == '\r' && peek_at(p, p->pos + 1) == '\n' &&
	    rfc5322_is_wsp(peek_at(p, p->pos + 2)))
		return 2;
	if (peek(p) == '\n' && rfc5322_is_wsp(peek_at(p, p->pos + 1)))
		return 1;
	return 0;
}

/*
 * Fail at the current position.  A control character there is the real
 * problem whatever the caller expected, so it is named instead.
 */
static int
fail(struct parser *p, const char *what)
{
	if (is_ctl(peek(p)))
		return err_set(p->e, ERR_DATA,
		    "control character at offset %zu", p->pos);
	return err_set(p->e, ERR_DATA, "%s at offset %zu", what, p->pos);
}

static int
fail_at(struct parser *p, size_t off, const char *what)
{
	return err_set(p->e, ERR_DATA, "%s at offset %zu", what, off);
}

/* RFC 5322 3.2.1 quoted-pair: append the quoted octet to out if given. */
static int
parse_quoted_pair(struct parser *p, struct buf *out)
{
	p->pos++;
	if (p->pos >= p->len)
		return fail(p, "backslash at end of input");
	if (!is_quotable(peek(p)))
		return fail(p, "bad quoted-pair");
	if (out != NULL)
		buf_putc(out, peek(p));
	p->pos++;
	return 0;
}

/*
 * RFC 5322 3.2.2 comment, nested.  The depth is counted rather than
 * recursed on, so "((((..." of any depth is harmless.
 */
static int
skip_comment(struct parser *p)
{
	size_t start = p->pos, depth = 0, n;
	int c;

	do {
		c = peek(p);
		if (c == -1)
			return fail_at(p, start, "unterminated comment");
		if (c == '\\') {
			if (parse_quoted_pair(p, NULL) == -1)
				return -1;
			continue;
		}
		if ((n = fold_len(p)) > 0)
			p->pos += n;
		else if (c == '(' || c == ')' || rfc5322_is_wsp(c) ||
		    is_ctext(c))
			p->pos++;
		else
			return fail(p, "bad character in comment");
		depth += c == '(';
		depth -= c == ')';
	} while (depth > 0);
	return 0;
}

/* RFC 5322 3.2.2 CFWS, possibly empty. */
static int
skip_cfws(struct parser *p)
{
	size_t n;

	for (;;) {
		if (rfc5322_is_wsp(peek(p)))
			p->pos++;
		else if ((n = fold_len(p)) > 0)
			p->pos += n;
		else if (peek(p) == '(') {
			if (skip_comment(p) == -1)
				return -1;
		} else
			return 0;
	}
}

/*
 * RFC 5322 3.2.4 quoted-string.  The content goes to out with the
 * quoted-pairs resolved and folds unfolded (3.2.4: the CRLF of FWS is
 * not part of the content, its WSP is).
 */
static int
parse_quoted_string(struct parser *p, struct buf *out)
{
	size_t start = p->pos, n;
	int c;

	p->pos++;
	for (;;) {
		c = peek(p);
		if (c == -1)
			return fail_at(p, start, "unterminated quoted string");
		if (c == '"')
			break;
		if (c == '\\') {
			if (parse_quoted_pair(p, out) == -1)
				return -1;
		} else if ((n = fold_len(p)) > 0) {
			p->pos += n;
		} else if (rfc5322_is_wsp(c) || is_qtext(c)) {
			buf_putc(out, c);
			p->pos++;
		} else
			return fail(p, "bad character in quoted string");
	}
	p->pos++;
	return 0;
}

/* RFC 5322 3.2.3 atom (without its CFWS): 1*atext, appended to out. */
static void
parse_atom(struct parser *p, struct buf *out)
{
	size_t start = p->pos;

	while (is_atext(peek(p)))
		p->pos++;
	buf_append(out, p->s + start, p->pos - start);
}

static void
words_init(struct words *w)
{
	struct buf empty = BUF_INIT;

	w->text = empty;
	w->n = 0;
	w->first = w->last = ITEM_NONE;
	w->adjacent = 0;
	w->start = w->end = 0;
}

static void
words_add(struct words *w, enum item kind, size_t start, size_t end)
{
	if (w->n == 0) {
		w->first = kind;
		w->start = start;
	} else if (w->last == kind)
		w->adjacent = 1;
	w->last = kind;
	w->end = end;
	w->n++;
}

/*
 * Words and dots up to the first byte that is neither, CFWS skipped
 * before, between and after them.
 */
static int
parse_words(struct parser *p, struct words *w)
{
	size_t start;
	int c;

	for (;;) {
		if (skip_cfws(p) == -1)
			return -1;
		start = p->pos;
		c = peek(p);
		if (c == '"') {
			if (parse_quoted_string(p, &w->text) == -1)
				return -1;
			words_add(w, ITEM_WORD, start, p->pos);
		} else if (is_atext(c)) {
			parse_atom(p, &w->text);
			words_add(w, ITEM_WORD, start, p->pos);
		} else if (c == '.') {
			buf_putc(&w->text, '.');
			p->pos++;
			words_add(w, ITEM_DOT, start, p->pos);
		} else
			return 0;
	}
}

/* RFC 5322 3.4.1 local-part, 4.4 obs-local-part: word *("." word) */
static int
words_are_local(const struct words *w)
{
	return w->n > 0 && w->first == ITEM_WORD && w->last == ITEM_WORD &&
	    !w->adjacent;
}

/* RFC 5322 3.2.5 phrase, 4.1 obs-phrase: word *(word / "." / CFWS) */
static int
words_are_phrase(const struct words *w)
{
	return w->n > 0 && w->first == ITEM_WORD;
}

/* RFC 5322 3.4.1 domain-literal; FWS inside is dropped, the rest kept. */
static int
parse_domain_literal(struct parser *p, struct buf *out)
{
	size_t start = p->pos, n;
	int c;

	buf_putc(out, '[');
	p->pos++;
	for (;;) {
		c = peek(p);
		if (c == -1)
			return fail_at(p, start, "unterminated domain literal");
		if (c == ']')
			break;
		if ((n = fold_len(p)) > 0) {
			p->pos += n;
		} else if (rfc5322_is_wsp(c)) {
			p->pos++;
		} else if (c == '\\') {
			/* 4.4 obs-dtext: a quoted-pair, kept as written */
			buf_putc(out, c);
			if (parse_quoted_pair(p, out) == -1)
				return -1;
		} else if (is_dtext(c)) {
			buf_putc(out, c);
			p->pos++;
		} else
			return fail(p, "bad character in domain literal");
	}
	buf_putc(out, ']');
	p->pos++;
	return 0;
}

/*
 * RFC 5322 3.4.1 domain = dot-atom / domain-literal, 4.4 obs-domain =
 * atom *("." atom), CFWS allowed around each part.  The canonical domain
 * goes to out; *end is set just past its last part.
 */
static int
parse_domain(struct parser *p, struct buf *out, size_t *end)
{
	if (skip_cfws(p) == -1)
		return -1;
	if (peek(p) == '[') {
		if (parse_domain_literal(p, out) == -1)
			return -1;
		*end = p->pos;
		return skip_cfws(p);
	}
	for (;;) {
		if (!is_atext(peek(p)))
			return fail(p, "expected domain");
		parse_atom(p, out);
		*end = p->pos;
		if (skip_cfws(p) == -1)
			return -1;
		if (peek(p) != '.')
			return 0;
		buf_putc(out, '.');
		p->pos++;
		if (skip_cfws(p) == -1)
			return -1;
	}
}

/* Append a to the list, which grows geometrically. */
static void
list_push(struct addr_list *l, const struct addr *a)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *a;
}

/* Fill a from a decoded local part and a canonical domain (or NULL). */
static void
make_addr(struct addr *a, const struct buf *local, const char *domain,
    size_t start, size_t end, int angle)
{
	a->local = addr_quote_local(local->data != NULL ? local->data : "",
	    local->len);
	a->domain = domain != NULL ? xstrdup(domain) : NULL;
	if (a->domain != NULL)
		a->spec = xasprintf("%s@%s", a->local, a->domain);
	else
		a->spec = xstrdup(a->local);
	a->start = start;
	a->end = end;
	a->angle = angle;
}

/*
 * The addr-spec whose local part w was just read (RFC 5322 3.4.1): "@"
 * domain follows, or nothing, which is allowed only for a login name
 * (see addr.h).  The span runs from start to the end of the addr-spec.
 */
static int
finish_addr_spec(struct parser *p, const struct words *w, struct addr *a,
    size_t start, int angle)
{
	struct buf domain = BUF_INIT;
	size_t end = w->end;

	if (peek(p) != '@') {
		make_addr(a, &w->text, NULL, start, end, angle);
		if (addr_is_login_name(a->local, strlen(a->local)))
			return 0;
		addr_free(a);
		return fail(p, "expected \"@\"");
	}
	p->pos++;
	if (parse_domain(p, &domain, &end) == -1) {
		buf_free(&domain);
		return -1;
	}
	make_addr(a, &w->text, buf_cstr(&domain), start, end, angle);
	buf_free(&domain);
	return 0;
}

/*
 * RFC 5322 4.4 obs-route = obs-domain-list ":", where obs-domain-list =
 * *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]).  The route SHOULD
 * be ignored (4.4), so it is only checked.
 */
static int
skip_route(struct parser *p)
{
	struct buf ignored = BUF_INIT;
	int c, seen = 0, need_comma = 0, r = 0;
	size_t end;

	while (r == 0 && ((c = peek(p)) == ',' || (c == '@' && !need_comma))) {
		p->pos++;
		need_comma = c == '@';
		if (c == '@') {
			seen = 1;
			r = parse_domain(p, &ignored, &end);
		} else
			r = skip_cfws(p);
	}
	buf_free(&ignored);
	if (r == -1)
		return -1;
	if (!seen || peek(p) != ':')
		return fail(p, "expected \":\" after route");
	p->pos++;
	return 0;
}

/*
 * RFC 5322 3.4 angle-addr = [CFWS] "<" addr-spec ">" [CFWS] and 4.4
 * obs-angle-addr with a route.  The span is everything between the
 * brackets, so that replacing it drops the route along with the address.
 */
static int
parse_angle_addr(struct parser *p, struct addr_list *l)
{
	struct words w;
	struct addr a;
	size_t start = ++p->pos;
	int r = -1;

	if (skip_cfws(p) == -1)
		return -1;
	if ((peek(p) == '@' || peek(p) == ',') && skip_route(p) == -1)
		return -1;
	words_init(&w);
	if (parse_words(p, &w) == -1)
		goto out;
	if (w.n == 0)
		fail(p,
		    peek(p) == '>' ? "empty address" : "expected an address");
	else if (!words_are_local(&w))
		fail_at(p, w.start, "bad local part");
	else if (finish_addr_spec(p, &w, &a, start, 1) == 0) {
		if (peek(p) == '>') {
			a.end = p->pos++;
			list_push(l, &a);
			r = 0;
		} else {
			addr_free(&a);
			fail(p, "expected \">\"");
		}
	}
out:
	buf_free(&w.text);
	return r;
}

/*
 * RFC 5322 3.4 group = display-name ":" [group-list] ";" [CFWS], with
 * the null members of 4.4 obs-group-list and obs-mbox-list.  An empty
 * group yields nothing.
 */
static int
parse_group(struct parser *p, struct addr_list *l)
{
	p->pos++;
	for (;;) {
		if (skip_cfws(p) == -1)
			return -1;
		if (peek(p) == ';')
			break;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == -1)
			return fail(p, "expected \";\" to end the group");
		if (parse_address(p, l, CTX_GROUP) == -1)
			return -1;
		if (skip_cfws(p) == -1)
			return -1;
		if (peek(p) == ',')
			p->pos++;
		else if (peek(p) != ';')
			return fail(p, "expected \",\" or \";\"");
	}
	p->pos++;
	return 0;
}

/*
 * What the words w turned out to be, from the byte after them: a display
 * name before "<" (3.4 name-addr) or ":" (3.4 group), a local part before
 * "@" (3.4.1 addr-spec), or a bare login name.
 */
static int
parse_after_words(struct parser *p, const struct words *w, struct addr_list *l,
    enum ctx c)
{
	struct addr a;
	int next = peek(p);

	if (next == '<' && (w->n == 0 || words_are_phrase(w)))
		return parse_angle_addr(p, l);
	if (next == ':' && c == CTX_LIST && words_are_phrase(w))
		return parse_group(p, l);
	if (next == ':' && c != CTX_LIST && words_are_phrase(w))
		return fail(p, "group not allowed here");
	if (w->n == 0)
		return fail(p, "expected an address");
	if (next == '<' || next == ':')
		return fail_at(p, w->start, "bad display name");
	if (next == '@' && !words_are_local(w))
		return fail_at(p, w->start, "bad local part");
	if (!words_are_local(w))
		return fail(p, "expected \"<\"");
	if (finish_addr_spec(p, w, &a, w->start, 0) == -1)
		return -1;
	list_push(l, &a);
	return 0;
}

/* RFC 5322 3.4 address = mailbox / group; mailbox = name-addr / addr-spec */
static int
parse_address(struct parser *p, struct addr_list *l, enum ctx c)
{
	struct words w;
	int r = -1;

	words_init(&w);
	if (parse_words(p, &w) == 0)
		r = parse_after_words(p, &w, l, c);
	buf_free(&w.text);
	return r;
}

/*
 * RFC 5322 3.4 address-list, 4.4 obs-addr-list: null members (", ,",
 * leading and trailing commas) and a list of CFWS only are allowed.
 */
static int
parse_list(struct parser *p, struct addr_list *l)
{
	for (;;) {
		if (skip_cfws(p) == -1)
			return -1;
		if (peek(p) == -1)
			return 0;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (parse_address(p, l, CTX_LIST) == -1)
			return -1;
		if (skip_cfws(p) == -1)
			return -1;
		if (peek(p) == ',')
			p->pos++;
		else if (peek(p) != -1)
			return fail(p, "expected \",\" or end of list");
	}
}

int
addr_parse_list(const char *s, size_t len, struct addr_list *out, struct err *e)
{
	struct parser p = {s, len, 0, e};
	struct addr_list tmp = ADDR_LIST_INIT;
	size_t i;

	if (parse_list(&p, &tmp) == -1) {
		addr_list_free(&tmp);
		return -1;
	}
	for (i = 0; i < tmp.n; i++)
		list_push(out, &tmp.v[i]);
	free(tmp.v);
	return 0;
}

/*
 * The null reverse-path, "<>" (RFC 5321 4.1.1.2) or nothing at all,
 * with CFWS around.  Returns 1 and fills a if that is all there is, else
 * 0 with the position unchanged.
 */
static int
parse_null(struct parser *p, struct addr *a)
{
	size_t saved = p->pos;

	a->angle = peek(p) == '<';
	a->start = a->end = p->pos;
	if (a->angle) {
		a->start = ++p->pos;
		if (skip_cfws(p) == -1 || peek(p) != '>')
			goto no;
		a->end = p->pos++;
		if (skip_cfws(p) == -1)
			goto no;
	}
	if (peek(p) != -1)
		goto no;
	a->spec = xstrdup("");
	a->local = xstrdup("");
	a->domain = NULL;
	return 1;
no:
	p->pos = saved;
	return 0;
}

int
addr_parse_one(const char *s, struct addr *out, int allow_null, struct err *e)
{
	struct parser p = {s, strlen(s), 0, e};
	struct addr_list tmp = ADDR_LIST_INIT;
	struct addr a;

	if (skip_cfws(&p) == -1)
		return -1;
	if (parse_null(&p, &a)) {
		if (!allow_null) {
			addr_free(&a);
			return err_set(e, ERR_DATA, "null address not allowed");
		}
		*out = a;
		return 0;
	}
	if (parse_address(&p, &tmp, CTX_ONE) == -1 || skip_cfws(&p) == -1)
		goto fail;
	if (peek(&p) != -1) {
		fail(&p,
		    peek(&p) == ',' ? "more than one address"
		                    : "expected end of address");
		goto fail;
	}
	*out = tmp.v[0];
	free(tmp.v);
	return 0;
fail:
	addr_list_free(&tmp);
	return -1;
}

/* See addr.h: what cron and friends write as a bare user name. */
#define LOGIN_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

int
addr_is_login_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64 || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (strchr(LOGIN_CHARS, s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* RFC 5322 3.2.3 dot-atom-text: 1*atext *("." 1*atext) */
static int
is_dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (s[i] != '.' && !is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

void
addr_put_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

/* RFC 5321 4.1.2: the form with the minimum quoting possible. */
char *
addr_quote_local(const char *local, size_t len)
{
	struct buf b = BUF_INIT;

	if (is_dot_atom(local, len))
		return xstrndup(local, len);
	addr_put_quoted(&b, local, len);
	return buf_release(&b);
}

void
addr_free(struct addr *a)
{
	free(a->spec);
	free(a->local);
	free(a->domain);
	a->spec = a->local = a->domain = NULL;
}

void
addr_list_free(struct addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		addr_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
