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

char *
local_qualify(struct localmap *m, const struct addr *a)
{
	if (!local_is_local(m, a))
		return xstrdup(a->spec);
	return xasprintf("%s@%s", a->local, conf_domain(m->c));
}

void
speclist_add(struct speclist *l, char *spec)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = spec;
}

void
speclist_free(struct speclist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * One expansion: the aliases met so far.  An alias still being expanded
 * (on the path) stops a loop; one already expanded elsewhere in the tree
 * added its addresses once already.  So each alias is expanded at most
 * once, and the work is linear in the size of the table.
 */
enum mark { ON_PATH, DONE };

struct expansion {
	struct localmap *m;
	struct speclist *out;
	const struct alias **met;
	enum mark *mark;
	size_t nmet;
	int depth;
};

static int
met_index(const struct expansion *x, const struct alias *al)
{
	size_t i;

	for (i = 0; i < x->nmet; i++)
		if (x->met[i] == al)
			return (int)i;
	return -1;
}

static int expand(struct expansion *x, const struct addr *a, struct err *e);

static int
expand_alias(struct expansion *x, const struct alias *al, struct err *e)
{
	size_t i, me = x->nmet;

	if (x->depth >= ALIAS_DEPTH_MAX)
		return err_set(e, ERR_CONFIG,
		    "%s: aliases nested more than %d deep at '%s'", al->where,
		    ALIAS_DEPTH_MAX, al->name);
	x->met = xreallocarray(x->met, me + 1, sizeof(*x->met));
	x->mark = xreallocarray(x->mark, me + 1, sizeof(*x->mark));
	x->met[me] = al;
	x->mark[me] = ON_PATH;
	x->nmet++;
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
	const struct aliases *t = &x->m->c->aliases;
	const struct alias *al;
	int i;

	if (!local_is_local(x->m, a)) {
		speclist_add(x->out, xstrdup(a->spec));
		return 0;
	}
	al = x->m->noalias ? NULL : alias_find(t, a->local);
	if (al == NULL && !x->m->noalias)
		al = alias_catchall(t);
	i = al != NULL ? met_index(x, al) : -1;
	if (al == NULL || (i >= 0 && x->mark[i] == ON_PATH)) {
		speclist_add(x->out, local_qualify(x->m, a));
		return 0;
	}
	if (i >= 0)
		return 0; /* DONE: its addresses are in out already */
	return expand_alias(x, al, e);
}

int
local_expand(struct localmap *m, const struct addr *a, struct speclist *out,
    struct err *e)
{
	struct expansion x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.m = m;
	x.out = out;
	rc = expand(&x, a, e);
	free(x.met);
	free(x.mark);
	return rc;
}
