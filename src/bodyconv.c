#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bodyconv.h"
#include "err.h"
#include "header.h"
#include "xalloc.h"

/* A line (CRLF included) longer than this breaks RFC 5322 2.1.1. */
#define LINE_HOLD (HDR_LINE_MAX + 2)

static void
put(struct conv *c, struct buf *out, const char *p, size_t n)
{
	if (c->emit)
		buf_append(out, p, n);
}

/* What re-encoding the current leaf takes; -1 when it cannot be done. */
static int
leaf_action(struct conv *c, struct err *e)
{
	const char *t = buf_cstr(&c->type);

	/* RFC 2046 5.2.1, 5.1: only 7bit, 8bit or binary for these. */
	if (strncmp(t, "multipart/", 10) == 0 || strncmp(t, "message/", 8) == 0)
		return err_set(e, ERR_DATA,
		    "a %s part has a line longer than %d octets or a NUL "
		    "octet, and cannot be re-encoded",
		    t, HDR_LINE_MAX);
	switch (c->cte) {
	case CTE_IDENTITY:
		c->act = ACT_QP;
		break;
	case CTE_QP:
		c->act = ACT_QP_REWRAP;
		break;
	case CTE_BASE64:
		c->act = ACT_B64_REWRAP;
		break;
	default:
		return err_set(e, ERR_DATA,
		    "a %s part has a line longer than %d octets or a NUL "
		    "octet, in a transfer encoding that cannot be re-encoded",
		    t, HDR_LINE_MAX);
	}
	qp_init(&c->qp,
	    c->act == ACT_QP              ? QP_ENCODE
	        : c->act == ACT_QP_REWRAP ? QP_REWRAP
	                                  : B64_REWRAP);
	return 0;
}

static int
leaf_begin(struct conv *c, struct err *e)
{
	size_t idx = c->nleaves++;

	c->st = ST_LEAF;
	c->act = ACT_PASS;
	c->leaf_bad = 0;
	if (!c->emit || c->affpos >= c->naff || c->aff[c->affpos] != idx)
		return 0;
	c->affpos++;
	return leaf_action(c, e);
}

static void
leaf_end(struct conv *c, struct buf *out)
{
	if (c->emit && c->act != ACT_PASS)
		qp_finish(&c->qp, out);
	if (!c->emit && c->leaf_bad) {
		if (c->nfound == c->capfound) {
			c->capfound = c->capfound ? c->capfound * 2 : 8;
			c->found = xreallocarray(c->found, c->capfound,
			    sizeof(*c->found));
		}
		c->found[c->nfound++] = c->nleaves - 1;
	}
	c->act = ACT_PASS;
}

/*
 * An entity's type: a multipart with a usable boundary opens a level
 * (its preamble follows), anything else begins a leaf.
 */
static int
entity(struct conv *c, const char *ct, size_t ctlen, const char *te,
    size_t telen, struct err *e)
{
	struct buf bnd = BUF_INIT;
	int digest = c->depth > 0 && c->lv[c->depth - 1].digest;
	struct conv_level *l;

	buf_reset(&c->type);
	if (ct == NULL || mime_ctype(ct, ctlen, &c->type, &bnd) < 0) {
		buf_reset(&c->type);
		buf_puts(&c->type, digest ? "message/rfc822" : "text/plain");
	}
	c->cte = te != NULL ? mime_cte(te, telen) : CTE_IDENTITY;
	if (strncmp(buf_cstr(&c->type), "multipart/", 10) == 0 && bnd.len > 0 &&
	    bnd.len <= MIME_BOUNDARY_MAX && c->depth < CONV_DEPTH_MAX) {
		l = &c->lv[c->depth++];
		memcpy(l->delim, "--", 2);
		memcpy(l->delim + 2, bnd.data, bnd.len);
		l->len = bnd.len + 2;
		l->digest = strcmp(buf_cstr(&c->type), "multipart/digest") == 0;
		c->st = ST_TEXT;
		buf_free(&bnd);
		return 0;
	}
	buf_free(&bnd);
	return leaf_begin(c, e);
}

/* RFC 2045 6.1: the part now says what it became. */
static void
put_head_qp(struct conv *c, struct buf *out)
{
	struct hdr_iter it;
	struct hdr_field f;

	hdr_iter_init(&it, c->head.data, c->head.len);
	while (hdr_next(&it, &f))
		if (!hdr_is(&f, "Content-Transfer-Encoding"))
			put(c, out, f.raw, f.rawlen);
	put(c, out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n", 47);
}

/* The part header is complete: decide, then pass it on. */
static int
part_begin(struct conv *c, struct buf *out, struct err *e)
{
	static const char *const names[] = {"Content-Type",
	    "Content-Transfer-Encoding"};
	struct hdr_field f[2];

	hdr_first_fields(c->head.data, c->head.len, names, f, 2);
	if (entity(c, f[0].value, f[0].valuelen, f[1].value, f[1].valuelen, e) <
	    0)
		return -1;
	if (c->st == ST_LEAF && c->act == ACT_QP)
		put_head_qp(c, out);
	else
		put(c, out, c->head.data, c->head.len);
	buf_reset(&c->head);
	return 0;
}

static int
content(struct conv *c, const char *p, size_t n, int long_line, struct buf *out,
    struct err *e)
{
	int nul = memchr(p, '\0', n) != NULL;

	if (!c->emit) {
		if (c->st == ST_LEAF && (long_line || nul))
			c->leaf_bad = 1;
		return 0;
	}
	if (c->st == ST_LEAF && c->act != ACT_PASS) {
		qp_feed(&c->qp, p, n, out);
		return 0;
	}
	if (c->st == ST_LEAF && (long_line || nul))
		return err_set(e, ERR_SOFTWARE,
		    "a MIME part that needs re-encoding was missed");
	if (long_line || nul)
		return err_set(e, ERR_DATA,
		    "a %s in a preamble or epilogue of MIME parts cannot be "
		    "re-encoded",
		    long_line ? "line longer than 998 octets" : "NUL octet");
	put(c, out, p, n);
	return 0;
}

/* RFC 2046 5.1.1: "--" boundary ["--"] *LWSP CRLF, innermost first. */
static int
delimiter(const struct conv *c, const char *l, size_t n, int *close)
{
	int k;
	size_t i;

	for (k = c->depth - 1; k >= 0; k--) {
		const struct conv_level *lv = &c->lv[k];

		if (n < lv->len || memcmp(l, lv->delim, lv->len) != 0)
			continue;
		i = lv->len;
		*close = n - i >= 2 && l[i] == '-' && l[i + 1] == '-';
		for (i += *close ? 2 : 0; i < n; i++)
			if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r' &&
			    l[i] != '\n')
				break;
		if (i == n)
			return k;
	}
	return -1;
}

static void
boundary(struct conv *c, int k, int close, struct buf *out)
{
	if (c->st == ST_LEAF)
		leaf_end(c, out);
	put(c, out, c->line.data, c->line.len);
	c->depth = close ? k : k + 1;
	c->st = close ? ST_TEXT : ST_HEAD;
	buf_reset(&c->head);
}

static int
head_line(struct conv *c, struct buf *out, struct err *e, int *done)
{
	enum hdr_line kind = hdr_line_kind(c->line.data, c->line.len - 1);

	*done = 1;
	if (kind == HDR_LINE_OTHER) {
		*done = 0; /* a header without its blank line */
		return part_begin(c, out, e);
	}
	if (c->line.len > LINE_HOLD)
		return err_set(e, ERR_DATA,
		    "a MIME part header has a line longer than %d octets",
		    HDR_LINE_MAX);
	buf_append(&c->head, c->line.data, c->line.len);
	if (c->head.len > CONV_PART_HEAD_MAX)
		return err_set(e, ERR_DATA,
		    "a MIME part header is larger than %u KiB",
		    CONV_PART_HEAD_MAX >> 10);
	return kind == HDR_LINE_BLANK ? part_begin(c, out, e) : 0;
}

/* A complete line (its LF included) is in c->line. */
static int
line(struct conv *c, struct buf *out, struct err *e)
{
	int close = 0, done = 0, rc = 0;
	int long_line = c->line.len > LINE_HOLD;
	int k =
	    long_line ? -1 : delimiter(c, c->line.data, c->line.len, &close);

	/* A delimiter also ends a part header that lacks its blank line. */
	if (c->st == ST_HEAD)
		rc = k >= 0 ? part_begin(c, out, e)
		            : head_line(c, out, e, &done);
	if (rc == 0 && !done && k >= 0)
		boundary(c, k, close, out);
	else if (rc == 0 && !done)
		rc = content(c, c->line.data, c->line.len, long_line, out, e);
	buf_reset(&c->line);
	return rc;
}

/* The line is too long to be a boundary: stream it from here on. */
static int
spill(struct conv *c, struct buf *out, struct err *e)
{
	int done = 0, rc = 0;

	c->spilled = 1;
	if (c->st == ST_HEAD)
		rc = head_line(c, out, e, &done);
	if (rc == 0 && !done)
		rc = content(c, c->line.data, c->line.len, 1, out, e);
	buf_reset(&c->line);
	return rc;
}

int
conv_feed(struct conv *c, const char *p, size_t n, struct buf *out,
    struct err *e)
{
	int rc = 0;

	/* A body that is one part has no boundaries to look for. */
	if (c->emit && c->depth == 0 && c->st == ST_LEAF &&
	    c->act != ACT_PASS) {
		qp_feed(&c->qp, p, n, out);
		return 0;
	}
	while (n > 0 && rc == 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;

		if (c->spilled) {
			rc = content(c, p, k, 1, out, e);
		} else {
			buf_append(&c->line, p, k);
			if (nl != NULL)
				rc = line(c, out, e);
			else if (c->line.len > LINE_HOLD)
				rc = spill(c, out, e);
		}
		if (nl != NULL)
			c->spilled = 0;
		p += k;
		n -= k;
	}
	return rc;
}

int
conv_finish(struct conv *c, struct buf *out, struct err *e)
{
	if (c->line.len > 0 && line(c, out, e) < 0)
		return -1;
	if (c->st == ST_HEAD && part_begin(c, out, e) < 0)
		return -1;
	if (c->st == ST_LEAF)
		leaf_end(c, out);
	c->st = ST_TEXT;
	return 0;
}

int
conv_init(struct conv *c, int emit, const char *ctype, size_t ctlen,
    const char *cte, size_t ctelen, const size_t *aff, size_t naff,
    struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->emit = emit;
	c->aff = aff;
	c->naff = naff;
	return entity(c, ctype, ctlen, cte, ctelen, e);
}

void
conv_free(struct conv *c)
{
	free(c->found);
	buf_free(&c->type);
	buf_free(&c->line);
	buf_free(&c->head);
	memset(c, 0, sizeof(*c));
}
