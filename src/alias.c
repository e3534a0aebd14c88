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
 * sendmail's aliases(5) also allows "|command", "/file" and
 * ":include:list"; say plainly that they are not for us rather than
 * report a syntax error.
 */
static const char *
unsupported(const char *v, size_t len)
{
	size_t i;
	int start = 1;

	for (i = 0; i < len; i++) {
		if (rfc5322_is_wsp(v[i]))
			continue;
		if (start && (v[i] == '|' || v[i] == '/'))
			return "pipes and files are not supported";
		if (start && len - i >= 9 &&
		    strncasecmp(v + i, ":include:", 9) == 0)
			return ":include: is not supported";
		start = v[i] == ',';
	}
	return NULL;
}

static int
alias_value(struct alias *a, const char *value, size_t len, struct err *e)
{
	const char *why = unsupported(value, len);
	struct err ae = {0};

	if (why != NULL)
		return err_set(e, ERR_CONFIG, "%s: alias '%s': %s", a->where,
		    a->name, why);
	if (addr_parse_list(value, len, &a->to, &ae) < 0) {
		err_set(e, ERR_CONFIG, "%s: alias '%s': %s", a->where, a->name,
		    ae.msg);
		err_clear(&ae);
		return -1;
	}
	if (a->to.n == 0)
		return err_set(e, ERR_CONFIG, "%s: alias '%s' has no address",
		    a->where, a->name);
	return 0;
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
