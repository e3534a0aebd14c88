#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "alias.h"
#include "conf.h"
#include "err.h"
#include "localaddr.h"
#include "sysinfo.h"
#include "xalloc.h"

/* Aliases that refer to aliases, deeper than this, are a mistake. */
#define ALIAS_DEPTH_MAX 64

void
localmap_init(struct localmap *m, struct conf *c)
{
	memset(m, 0, sizeof(*m));
	m->c = c;
}

void
localmap_free(struct localmap *m)
{
	memset(m, 0, sizeof(*m));
}

/* "vm" matches "vm.example.org"'s first label too. */
static int
is_short_name(const char *domain, const char *host)
{
	size_t n = strcspn(host, ".");

	return strlen(domain) == n && strncasecmp(domain, host, n) == 0;
}

int
local_is_local(struct localmap *m, const struct addr *a)
{
	const char *d = a->domain, *host, *fqdn;

	(void)m; /* the host's names are the process's (sysinfo) */
	if (a->spec[0] == '\0')
		return 0; /* the null path */
	if (d == NULL)
		return 1;
	if (strcasecmp(d, "localhost") == 0 ||
	    strcasecmp(d, "localhost.localdomain") == 0)
		return 1;
	host = sys_hostname();
	fqdn = sys_fqdn();
	if (host != NULL &&
	    (strcasecmp(d, host) == 0 || is_short_name(d, host)))
		return 1;
	return fqdn != NULL && strcasecmp(d, fqdn) == 0;
}

/* A local address (the caller has asked local_is_local) with the mail
 * domain. */
static char *
qualify(const struct localmap *m, const struct addr *a)
{
	return xasprintf("%s@%s", a->local, conf_domain(m->c));
}

char *
local_qualify(struct localmap *m, const struct addr *a)
{
	return local_is_local(m, a) ? qualify(m, a) : xstrdup(a->spec);
}

void
speclist_add_failed(struct speclist *l, char *spec, char *why)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
		l->why = xreallocarray(l->why, l->cap, sizeof(*l->why));
	}
	l->why[l->n] = why;
	l->v[l->n++] = spec;
}

void
speclist_add(struct speclist *l, char *spec)
{
	speclist_add_failed(l, spec, NULL);
}

static void
speclist_note(struct speclist *l, char *note)
{
	l->notes = xreallocarray(l->notes, l->nnotes + 1, sizeof(*l->notes));
	l->notes[l->nnotes++] = note;
}

void
speclist_free(struct speclist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
		free(l->why[i]);
	}
	for (i = 0; i < l->nnotes; i++)
		free(l->notes[i]);
	free(l->v);
	free(l->why);
	free(l->notes);
	memset(l, 0, sizeof(*l));
}

/*
 * One expansion: a mark for each alias of the table, by its place in it
 * (the table is sorted once and never changes).  An alias still being
 * expanded (on the path) stops a loop; one already expanded elsewhere in
 * the tree added its addresses once already.  So each alias is expanded
 * at most once, and the work is linear in the size of the table.
 */
enum mark { UNMET, ON_PATH, DONE };

struct expansion {
	struct localmap *m;
	const struct aliases *t;
	struct speclist *out;
	unsigned char
	    *mark; /* t->n of enum mark; allocated at the first alias */
	int depth;
	const struct alias **left_out; /* aliases met that had entries
	                                  left out, in the order met */
	size_t nleft_out;
};

static int expand(struct expansion *x, const struct addr *a, struct err *e);

static int
expand_alias(struct expansion *x, const struct alias *al, struct err *e)
{
	size_t i, me = (size_t)(al - x->t->v);

	if (x->depth >= ALIAS_DEPTH_MAX)
		return err_set(e, ERR_CONFIG,
		    "%s: aliases nested more than %d deep at '%s'", al->where,
		    ALIAS_DEPTH_MAX, al->name);
	if (al->left_out != 0) {
		x->left_out = xreallocarray(x->left_out, x->nleft_out + 1,
		    sizeof(*x->left_out));
		x->left_out[x->nleft_out++] = al;
	}
	x->mark[me] = ON_PATH;
	x->depth++;
	for (i = 0; i < al->to.n; i++)
		if (expand(x, &al->to.v[i], e) < 0)
			return -1;
	x->depth--;
	x->mark[me] = DONE;
	return 0;
}

static int
expand(struct expansion *x, const struct addr *a, struct err *e)
{
	const struct alias *al = NULL;

	if (!local_is_local(x->m, a)) {
		speclist_add(x->out, xstrdup(a->spec));
		return 0;
	}
	if (!x->m->noalias && (al = alias_find(x->t, a->local)) == NULL)
		al = alias_catchall(x->t);
	if (al == NULL) {
		speclist_add(x->out, qualify(x->m, a));
		return 0;
	}
	if (x->mark == NULL)
		x->mark = xcalloc(x->t->n, sizeof(*x->mark));
	switch (x->mark[al - x->t->v]) {
	case ON_PATH:
		speclist_add(x->out, qualify(x->m, a));
		return 0;
	case DONE:
		return 0; /* its addresses are in out already */
	default:
		return expand_alias(x, al, e);
	}
}

/* "FILE:LINE: alias 'x': pipes are not supported" */
static char *
left_out_why(const struct alias *al)
{
	return xasprintf("%s: alias '%s': %s", al->where, al->name,
	    alias_left_out_why(al));
}

/*
 * After the expansion of a, which added from-th on to out: what its
 * aliases left out.  Mail to a fails when that left nothing at all; an
 * address that stays is never dropped silently.
 */
static void
report_left_out(struct expansion *x, const struct addr *a, size_t from)
{
	char *spec, *why;
	size_t i;

	if (x->nleft_out == 0)
		return;
	spec = qualify(x->m, a);
	if (x->out->n == from) {
		speclist_add_failed(x->out, spec, left_out_why(x->left_out[0]));
		return;
	}
	for (i = 0; i < x->nleft_out; i++) {
		why = left_out_why(x->left_out[i]);
		speclist_note(x->out,
		    xasprintf("<%s>: %s; its other addresses are used", spec,
		        why));
		free(why);
	}
	free(spec);
}

int
local_expand(struct localmap *m, const struct addr *a, struct speclist *out,
    struct err *e)
{
	struct expansion x;
	size_t from = out->n;
	int rc;

	memset(&x, 0, sizeof(x));
	x.m = m;
	x.t = &m->c->aliases;
	x.out = out;
	rc = expand(&x, a, e);
	if (rc == 0)
		report_left_out(&x, a, from);
	free(x.mark);
	free(x.left_out);
	return rc;
}

/* The usable addr-specs of from, moved to out. */
static void
take_usable(struct speclist *from, struct speclist *out)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		if (from->why[i] == NULL) {
			speclist_add(out, from->v[i]);
			from->v[i] = NULL;
		}
}

int
local_return_expand(struct localmap *m, const char *sender,
    struct speclist *out, struct err *e)
{
	struct speclist l = {0};
	struct addr a, bare;
	struct err pe = {0};
	int rc = 0;

	if (addr_parse_one(sender, &a, 0, &pe) < 0) {
		err_clear(&pe);
		return 0;
	}
	if (!m->noalias && a.domain != NULL &&
	    strcasecmp(a.domain, conf_domain(m->c)) == 0 &&
	    alias_find(&m->c->aliases, a.local) != NULL) {
		/* The name itself, as a local recipient is written. */
		bare = a;
		bare.spec = a.local;
		bare.domain = NULL;
		rc = local_expand(m, &bare, &l, e);
		if (rc == 0)
			take_usable(&l, out);
		speclist_free(&l);
	}
	addr_free(&a);
	return rc;
}
