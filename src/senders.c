#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "err.h"
#include "idna.h"
#include "localaddr.h"
#include "senders.h"
#include "sysinfo.h"
#include "xalloc.h"

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

/* A login or group name as the password and group files hold them. */
static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (strchr(name_chars, s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* s[0..n) without the white space around it. */
static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static void
user_from_free(struct user_from *u)
{
	free(u->login);
	free(u->addr);
	free(u->account);
	free(u->where);
	memset(u, 0, sizeof(*u));
}

/* The address part of a user_from entry, checked, as an addr-spec. */
static int
user_from_addr(struct user_from *u, const char *text, size_t n, struct err *e)
{
	char *v = trimmed(text, n);
	struct addr a;
	int rc = addr_parse_one(v, &a, 0, e);

	if (rc < 0) {
		err_prefix(e, "%s: 'user_from' of %s", u->where, u->login);
		e->kind = ERR_CONFIG;
	} else {
		u->addr = xstrdup(a.spec);
		addr_free(&a);
	}
	free(v);
	return rc;
}

int
senders_parse_user_from(const char *text, const char *where,
    struct user_from *u, struct err *e)
{
	const char *colon = strchr(text, ':'), *last;

	memset(u, 0, sizeof(*u));
	u->where = xstrdup(where);
	if (colon != NULL)
		u->login = trimmed(text, (size_t)(colon - text));
	if (colon == NULL || !name_ok(u->login, strlen(u->login))) {
		err_set(e, ERR_CONFIG,
		    "%s: an entry of 'user_from' is \"user: address\" or "
		    "\"user: address: account\"",
		    where);
		user_from_free(u);
		return -1;
	}
	last = strrchr(colon + 1, ':');
	if (last != NULL) {
		u->account = trimmed(last + 1, strlen(last + 1));
		if (u->account[0] == '\0') {
			err_set(e, ERR_CONFIG,
			    "%s: 'user_from' of %s: no account", where,
			    u->login);
			user_from_free(u);
			return -1;
		}
	} else {
		last = colon + 1 + strlen(colon + 1);
	}
	if (user_from_addr(u, colon + 1, (size_t)(last - colon - 1), e) < 0) {
		user_from_free(u);
		return -1;
	}
	return 0;
}

const struct user_from *
senders_user_from(const struct senders *s, const char *login)
{
	size_t i;

	for (i = 0; login != NULL && i < s->nfrom; i++)
		if (strcmp(s->from[i].login, login) == 0)
			return &s->from[i];
	return NULL;
}

/* text (an address of the configuration) as a sender becomes it. */
static char *
as_sender(struct conf *c, const char *text)
{
	struct localmap m;
	struct addr a;
	struct err e = {0};
	char *q, *spec = NULL;

	if (text == NULL || addr_parse_one(text, &a, 0, &e) < 0) {
		err_clear(&e);
		return NULL;
	}
	localmap_init(&m, c);
	q = local_qualify(&m, &a);
	spec = idna_spec(q, &e);
	err_clear(&e);
	free(q);
	addr_free(&a);
	localmap_free(&m);
	return spec;
}

/* Is addr (qualified) the same address as text of the configuration? */
static int
same_as(struct conf *c, const char *text, const char *addr)
{
	char *spec = as_sender(c, text);
	int same = spec != NULL && strcasecmp(spec, addr) == 0;

	free(spec);
	return same;
}

const struct user_from *
senders_own(struct conf *c)
{
	struct err e = {0};
	const struct user_from *u;
	char *login;

	if (c->senders.nfrom == 0)
		return NULL;
	login = sys_username(&e);
	err_clear(&e);
	u = senders_user_from(&c->senders, login);
	free(login);
	return u;
}

const char *
senders_account(struct conf *c, const char *account, const char *sender)
{
	const struct user_from *u;

	if (account != NULL || (u = senders_own(c)) == NULL ||
	    u->account == NULL)
		return account;
	return same_as(c, u->addr, sender) ? u->account : NULL;
}

void
senders_free(struct senders *s)
{
	while (s->nfrom > 0)
		user_from_free(&s->from[--s->nfrom]);
	free(s->from);
	memset(s, 0, sizeof(*s));
}
