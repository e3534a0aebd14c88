#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "err.h"
#include "idna.h"
#include "localaddr.h"
#include "rfc5322.h"
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

int
senders_trusted_ok(const char *entry)
{
	if (entry[0] == '%' || entry[0] == '@')
		entry++;
	return name_ok(entry, strlen(entry));
}

/* "alice", "%staff" or "@staff", "*": who a rule is for. */
static int
rule_who(struct sender_rule *r, const char *text, size_t n)
{
	char *who = trimmed(text, n);
	const char *name = who;

	r->is_group = who[0] == '%' || who[0] == '@';
	if (r->is_group)
		name++;
	if (strcmp(who, "*") != 0 && !name_ok(name, strlen(name))) {
		free(who);
		return -1;
	}
	r->who = xstrdup(name);
	free(who);
	return 0;
}

/* "<>", or an address pattern: an "@", no white space, no controls. */
static int
pattern_ok(const char *p)
{
	if (strcmp(p, "<>") == 0)
		return 1;
	return strchr(p, '@') != NULL && strpbrk(p, " \t<>\"") == NULL &&
	    !rfc5322_has_ctl(p);
}

static void
rule_free(struct sender_rule *r)
{
	while (r->npats > 0)
		free(r->pats[--r->npats]);
	free(r->pats);
	free(r->who);
	free(r->where);
	memset(r, 0, sizeof(*r));
}

/* The comma-separated patterns of list into r. */
static int
rule_patterns(struct sender_rule *r, const char *list, struct err *e)
{
	const char *p = list;
	size_t n;
	char *pat;

	while (*p != '\0') {
		n = strcspn(p, ",");
		pat = trimmed(p, n);
		if (!pattern_ok(pat)) {
			err_set(e, ERR_CONFIG,
			    "%s: '%s' is not an address pattern "
			    "(\"*@example.org\", \"alice@example.org\", \"<>\")",
			    r->where, pat);
			free(pat);
			return -1;
		}
		r->pats =
		    xreallocarray(r->pats, r->npats + 1, sizeof(*r->pats));
		r->pats[r->npats++] = pat;
		p += n + (p[n] == ',');
	}
	if (r->npats == 0)
		return err_set(e, ERR_CONFIG, "%s: '%s' allows no address",
		    r->where, r->who);
	return 0;
}

int
senders_parse_rule(const char *text, const char *where, struct sender_rule *r,
    struct err *e)
{
	const char *colon = strchr(text, ':');

	memset(r, 0, sizeof(*r));
	r->where = xstrdup(where);
	if (colon == NULL || rule_who(r, text, (size_t)(colon - text)) < 0) {
		err_set(e, ERR_CONFIG,
		    "%s: an entry of 'allowed_senders' is \"user: addresses\", "
		    "\"%%group: addresses\" or \"*: addresses\"",
		    where);
		rule_free(r);
		return -1;
	}
	if (rule_patterns(r, colon + 1, e) < 0) {
		rule_free(r);
		return -1;
	}
	return 0;
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

int
senders_match(const char *pattern, const char *addr)
{
	if (strcmp(pattern, "<>") == 0 || addr[0] == '\0')
		return strcmp(pattern, "<>") == 0 && addr[0] == '\0';
	return conf_match_pattern(pattern, addr);
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

static int
in_groups(const struct sender_who *who, const char *group)
{
	size_t i;

	for (i = 0; i < who->ngroups; i++)
		if (strcmp(who->groups[i], group) == 0)
			return 1;
	return 0;
}

static int
trusted(const struct senders *s, const struct sender_who *who)
{
	const char *t;
	size_t i;

	if (who->root)
		return 1;
	for (i = 0; i < s->ntrusted; i++) {
		t = s->trusted[i];
		if (t[0] == '%' || t[0] == '@') {
			if (in_groups(who, t + 1))
				return 1;
		} else if (who->login != NULL && strcmp(t, who->login) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Is r an entry for who: their name, a group of theirs, or "*"? */
static int
rule_for(const struct sender_rule *r, const struct sender_who *who)
{
	if (r->is_group)
		return in_groups(who, r->who);
	if (strcmp(r->who, "*") == 0)
		return 1;
	return who->login != NULL && strcmp(r->who, who->login) == 0;
}

/* Does an entry for who allow addr? */
static int
rule_allows(const struct senders *s, const struct sender_who *who,
    const char *addr)
{
	size_t i, j;

	for (i = 0; i < s->nrules; i++)
		for (j = 0;
		     rule_for(&s->rules[i], who) && j < s->rules[i].npats; j++)
			if (senders_match(s->rules[i].pats[j], addr))
				return 1;
	return 0;
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

/*
 * What who may always use: their own address at the mail domain, their
 * user_from address, and the default account's "from" (the sender every
 * user gets without -f).
 */
static int
own_sender(struct conf *c, const struct sender_who *who, const char *addr)
{
	const struct user_from *u = senders_user_from(&c->senders, who->login);
	struct err e = {0};
	const struct account *dflt = conf_account(c, NULL, NULL, &e);
	const char *at = strrchr(addr, '@');

	if (who->login != NULL && at != NULL &&
	    strlen(who->login) == (size_t)(at - addr) &&
	    strncmp(addr, who->login, (size_t)(at - addr)) == 0 &&
	    strcasecmp(at + 1, conf_domain(c)) == 0)
		return 1;
	if (u != NULL && same_as(c, u->addr, addr))
		return 1;
	return dflt != NULL && dflt->from != NULL &&
	    same_as(c, dflt->from, addr);
}

static int
sender_allowed(struct conf *c, const struct sender_who *who, const char *addr)
{
	return own_sender(c, who, addr) || rule_allows(&c->senders, who, addr);
}

/* May who name account a with -a (see senders.h)? */
static int
account_allowed(struct conf *c, const struct sender_who *who,
    const struct account *a, const char *sender)
{
	const struct user_from *u = senders_user_from(&c->senders, who->login);
	struct err e = {0};
	char *from;
	int ok;

	if (conf_account(c, NULL, sender, &e) == a)
		return 1;
	if (u != NULL && u->account != NULL && a->name != NULL &&
	    strcmp(u->account, a->name) == 0)
		return 1;
	if ((from = as_sender(c, a->from)) == NULL)
		return 0;
	ok = sender_allowed(c, who, from);
	free(from);
	return ok;
}

int
senders_decide(struct conf *c, const struct sender_who *who,
    const char *account, const char *sender, struct err *e)
{
	const struct account *a;
	const char *user = who->login != NULL ? who->login : "(no name)";

	if (!c->senders.policy || trusted(&c->senders, who))
		return 0;
	if (!sender_allowed(c, who, sender))
		return err_set(e, ERR_NOPERM,
		    "user %s may not send as <%s> (allowed_senders)", user,
		    sender);
	if (account == NULL)
		return 0;
	if ((a = conf_account(c, account, NULL, e)) == NULL)
		return -1;
	if (!account_allowed(c, who, a, sender))
		return err_set(e, ERR_NOPERM,
		    "user %s may not use account \"%s\" (allowed_senders)",
		    user, account);
	return 0;
}

int
senders_check(struct conf *c, const char *account, const char *sender,
    struct err *e)
{
	struct sender_who who = {0};
	struct err ne = {0};
	char *login = NULL, **groups = NULL;
	size_t i, n = 0;
	int rc;

	if (!c->senders.policy)
		return 0;
	who.root = sys_uid() == 0;
	if (!who.root) {
		login = sys_username(&ne);
		groups = sys_groups(&n);
	}
	err_clear(&ne);
	who.login = login;
	who.groups = groups;
	who.ngroups = n;
	rc = senders_decide(c, &who, account, sender, e);
	for (i = 0; i < n; i++)
		free(groups[i]);
	free(groups);
	free(login);
	return rc;
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
	while (s->nrules > 0)
		rule_free(&s->rules[--s->nrules]);
	free(s->rules);
	while (s->ntrusted > 0)
		free(s->trusted[--s->ntrusted]);
	free(s->trusted);
	while (s->nfrom > 0)
		user_from_free(&s->from[--s->nfrom]);
	free(s->from);
	memset(s, 0, sizeof(*s));
}
