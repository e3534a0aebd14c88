#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alias.h"
#include "buf.h"
#include "err.h"
#include "rfc5322.h"
#include "xalloc.h"

/* An aliases file larger than this is surely not one. */
#define ALIAS_FILE_MAX (16u * 1024 * 1024)

/* "default" and "*" both name the catch-all; it is stored as "*". */
static char *
alias_key(const char *name, size_t len)
{
	char *k = xstrndup(name, len);
	size_t i;

	for (i = 0; i < len; i++)
		if (k[i] >= 'A' && k[i] <= 'Z')
			k[i] = (char)(k[i] - 'A' + 'a');
	if (strcmp(k, "default") == 0) {
		free(k);
		k = xstrdup("*");
	}
	return k;
}

/*
 * The length of the entry at v: up to a comma that stands outside a
 * quoted string, a comment and angle brackets (RFC 5322 3.4).
 */
static size_t
entry_len(const char *v, size_t len)
{
	size_t i;
	int quoted = 0, comment = 0, angle = 0;

	for (i = 0; i < len; i++) {
		char c = v[i];

		if ((quoted || comment) && c == '\\' && i + 1 < len)
			i++;
		else if (quoted)
			quoted = c != '"';
		else if (comment)
			comment += (c == '(') - (c == ')');
		else if (c == '"')
			quoted = 1;
		else if (c == '(')
			comment = 1;
		else if (c == '<' || c == '>')
			angle = c == '<';
		else if (c == ',' && !angle)
			break;
	}
	return i;
}

/*
 * sendmail's aliases(5) also has "|command", "/file" and ":include:list"
 * (each may be quoted): what kind of such entry v is, else 0.
 */
static unsigned
entry_kind(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len && rfc5322_is_wsp(v[i]))
		i++;
	if (i < len && v[i] == '"')
		i++;
	if (i < len && v[i] == '|')
		return ALIAS_PIPE;
	if (i < len && v[i] == '/')
		return ALIAS_FILE;
	if (len - i >= 9 && strncasecmp(v + i, ":include:", 9) == 0)
		return ALIAS_INCLUDE;
	return 0;
}

/*
 * value with the entries that are no addresses blanked out (offsets in
 * messages stay those of value), their kinds or-ed into *left_out; NULL
 * when there are none of those.
 */
static char *
addresses_only(const char *value, size_t len, unsigned *left_out)
{
	char *kept = NULL;
	size_t i, n;
	unsigned kind;

	*left_out = 0;
	for (i = 0; i < len; i += n + 1) {
		n = entry_len(value + i, len - i);
		kind = entry_kind(value + i, n);
		if (kind == 0)
			continue;
		if (kept == NULL)
			kept = xstrndup(value, len);
		memset(kept + i, ' ', n);
		*left_out |= kind;
	}
	return kept;
}

static int
alias_value(struct alias *a, const char *value, size_t len, struct err *e)
{
	char *kept = addresses_only(value, len, &a->left_out);
	struct err ae = {0};
	int rc = 0;

	if (addr_parse_list(kept != NULL ? kept : value, len, &a->to, &ae) <
	    0) {
		rc = err_set(e, ERR_CONFIG, "%s: alias '%s': %s", a->where,
		    a->name, ae.msg);
		err_clear(&ae);
	} else if (a->to.n == 0 && a->left_out == 0) {
		rc = err_set(e, ERR_CONFIG, "%s: alias '%s' has no address",
		    a->where, a->name);
	}
	free(kept);
	return rc;
}

int
alias_add(struct aliases *t, const char *name, const char *value, size_t len,
    const char *where, struct err *e)
{
	size_t nlen = strlen(name);
	struct alias *a;

	if (!(nlen == 1 && name[0] == '*') && !addr_is_login_name(name, nlen))
		return err_set(e, ERR_CONFIG,
		    "%s: '%s' cannot be an alias name "
		    "(letters, digits, '.', '_', '-')",
		    where, name);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	a = &t->v[t->n++];
	memset(a, 0, sizeof(*a));
	a->name = alias_key(name, nlen);
	a->where = xstrdup(where);
	a->seq = t->n;
	return alias_value(a, value, len, e);
}

/* One logical line (continuations joined) that began on line lineno. */
static int
parse_entry(struct aliases *t, const char *s, size_t len, const char *file,
    unsigned lineno, struct err *e)
{
	const char *colon = memchr(s, ':', len);
	char *where = xasprintf("%s:%u", file, lineno);
	size_t n;
	char *name;
	int rc;

	if (colon == NULL) {
		rc = err_set(e, ERR_CONFIG,
		    "%s: expected \"name: address, ...\"", where);
		free(where);
		return rc;
	}
	for (n = (size_t)(colon - s); n > 0 && rfc5322_is_wsp(s[n - 1]); n--)
		continue;
	name = xstrndup(s, n);
	rc = alias_add(t, name, colon + 1, len - (size_t)(colon + 1 - s), where,
	    e);
	free(name);
	free(where);
	return rc;
}

/* Lines of nothing but WSP, and lines whose first other octet is "#". */
static int
is_ignored(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && rfc5322_is_wsp(l[i]))
		i++;
	return i == n || l[i] == '#';
}

int
alias_parse(struct aliases *t, const char *text, size_t len, const char *file,
    struct err *e)
{
	const char *p = text, *end = text + len;
	struct buf entry = BUF_INIT;
	unsigned lineno = 0, start = 0;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!is_ignored(p, n)) {
			if (!rfc5322_is_wsp(p[0]) && entry.len > 0) {
				rc = parse_entry(t, entry.data, entry.len, file,
				    start, e);
				buf_reset(&entry);
			}
			if (entry.len == 0)
				start = lineno;
			if (rc == 0 && entry.len == 0 && rfc5322_is_wsp(p[0]))
				rc = err_set(e, ERR_CONFIG,
				    "%s:%u: continuation line without an "
				    "alias before it",
				    file, lineno);
			buf_append(&entry, p, n);
			buf_putc(&entry, ' ');
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (rc == 0 && entry.len > 0)
		rc = parse_entry(t, entry.data, entry.len, file, start, e);
	buf_free(&entry);
	return rc;
}

int
alias_load_file(struct aliases *t, const char *path, struct err *e)
{
	struct buf text = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp;
	int rc;

	fp = fopen(path, "re");
	if (fp == NULL) /* sendmail's "cannot open input file" */
		return err_sys(e, ERR_NOINPUT, "aliases_file %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	    text.len <= ALIAS_FILE_MAX)
		buf_append(&text, chunk, n);
	rc = ferror(fp) ? err_sys(e, ERR_CONFIG, "aliases_file %s", path) : 0;
	fclose(fp);
	if (rc == 0 && text.len > ALIAS_FILE_MAX)
		rc = err_set(e, ERR_CONFIG,
		    "aliases_file %s: larger than %u MiB", path,
		    ALIAS_FILE_MAX >> 20);
	if (rc == 0)
		rc = alias_parse(t, text.data ? text.data : "", text.len, path,
		    e);
	buf_free(&text);
	return rc;
}

static int
alias_cmp(const void *a, const void *b)
{
	return strcmp(((const struct alias *)a)->name,
	    ((const struct alias *)b)->name);
}

/* By name, then in the order of definition (qsort is not stable). */
static int
alias_cmp_seq(const void *a, const void *b)
{
	const struct alias *x = a, *y = b;
	int c = alias_cmp(a, b);

	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

void
alias_yield_from(struct aliases *t, size_t first)
{
	size_t i;

	for (i = first; i < t->n; i++)
		t->v[i].yields = 1;
}

static void
alias_note(struct aliases *t, char *note)
{
	t->notes = xreallocarray(t->notes, t->nnotes + 1, sizeof(*t->notes));
	t->notes[t->nnotes++] = note;
}

static void
alias_entry_free(struct alias *a)
{
	free(a->name);
	free(a->where);
	addr_list_free(&a->to);
}

/* Sorted by name, then by definition: keep the first of each name. */
static void
drop_yielding(struct aliases *t)
{
	size_t i, kept = 0;

	for (i = 0; i < t->n; i++) {
		struct alias *a = &t->v[i];

		if (kept > 0 && strcmp(t->v[kept - 1].name, a->name) == 0) {
			alias_note(t,
			    xasprintf("%s: alias '%s' is overridden by %s",
			        a->where, a->name, t->v[kept - 1].where));
			alias_entry_free(a);
			continue;
		}
		t->v[kept++] = *a;
	}
	t->n = kept;
}

int
alias_finish(struct aliases *t, struct err *e)
{
	size_t i;

	if (t->n > 0)
		qsort(t->v, t->n, sizeof(*t->v), alias_cmp_seq);
	for (i = 1; i < t->n; i++)
		if (strcmp(t->v[i - 1].name, t->v[i].name) == 0 &&
		    (t->v[i - 1].yields || !t->v[i].yields))
			return err_set(e, ERR_CONFIG,
			    "%s: alias '%s' is also defined at %s",
			    t->v[i].where, t->v[i].name, t->v[i - 1].where);
	drop_yielding(t);
	return 0;
}

static const struct alias *
alias_lookup(const struct aliases *t, const char *key)
{
	struct alias k;

	if (t == NULL || t->n == 0)
		return NULL;
	k.name = (char *)key;
	return bsearch(&k, t->v, t->n, sizeof(*t->v), alias_cmp);
}

const struct alias *
alias_find(const struct aliases *t, const char *local)
{
	char *key = alias_key(local, strlen(local));
	const struct alias *a = NULL;

	if (strcmp(key, "*") != 0)
		a = alias_lookup(t, key);
	free(key);
	return a;
}

const struct alias *
alias_catchall(const struct aliases *t)
{
	return alias_lookup(t, "*");
}

const char *
alias_left_out_why(const struct alias *a)
{
	/* By the kinds left out, ALIAS_PIPE | ALIAS_FILE | ALIAS_INCLUDE. */
	static const char *const why[] = {NULL, "pipes are not supported",
	    "files are not supported", "pipes and files are not supported",
	    ":include: is not supported",
	    "pipes and :include: are not supported",
	    "files and :include: are not supported",
	    "pipes, files and :include: are not supported"};

	return why[a->left_out & 7];
}

int
alias_unusable(const struct alias *a)
{
	return a->left_out != 0 && a->to.n == 0;
}

void
alias_free(struct aliases *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		alias_entry_free(&t->v[i]);
	free(t->v);
	for (i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
	memset(t, 0, sizeof(*t));
}
