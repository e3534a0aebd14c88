#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "header.h"
#include "idna.h"
#include "localaddr.h"
#include "rfc5322.h"
#include "senders.h"
#include "sysinfo.h"
#include "xalloc.h"

/* RFC 5321 4.5.3.1.3: a path is at most 256 octets, "<" and ">" included. */
#define PATH_MAX_OCTETS 254

int
envelope_addr_ok(const char *addr, struct err *e)
{
	if (rfc5322_has_ctl(addr))
		return err_set(e, ERR_DATA,
		    "address contains a control character");
	if (strlen(addr) > PATH_MAX_OCTETS)
		return err_set(e, ERR_DATA, "address longer than %d octets",
		    PATH_MAX_OCTETS);
	return 0;
}

/* FNV-1a over the address with the domain folded to lower case. */
static uint64_t
addr_hash(const char *a)
{
	const char *at = strrchr(a, '@');
	uint64_t h = 14695981039346656037ULL;
	const char *p;

	for (p = a; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (at != NULL && p > at)
			c = (unsigned char)tolower(c);
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

/* RFC 5321 2.4: local parts may be case-sensitive, domains are not. */
static int
addr_same(const char *a, const char *b)
{
	const char *at = strrchr(a, '@');
	size_t n = at != NULL ? (size_t)(at - a) : strlen(a);

	if (strncmp(a, b, n) != 0 || (b[n] != '@' && b[n] != '\0'))
		return 0;
	if (at == NULL)
		return b[n] == '\0';
	return b[n] == '@' && strcasecmp(at + 1, b + n + 1) == 0;
}

/*
 * The recipients are kept in order in env->rcpts; a hash table of their
 * indexes finds duplicates in constant time (10,000 recipients in one To
 * field are a use case, not an attack).
 */
static void
seen_grow(struct envelope *env)
{
	size_t i, cap = env->seencap ? env->seencap * 2 : 64;
	size_t *t = xcalloc(cap, sizeof(*t));

	for (i = 0; i < env->nrcpts; i++) {
		size_t j = addr_hash(env->rcpts[i].addr) & (cap - 1);

		while (t[j] != 0)
			j = (j + 1) & (cap - 1);
		t[j] = i + 1;
	}
	free(env->seen);
	env->seen = t;
	env->seencap = cap;
}

struct rcpt *
envelope_add_rcpt(struct envelope *env, const char *addr)
{
	size_t j;

	if ((env->nrcpts + 1) * 2 > env->seencap)
		seen_grow(env);
	j = addr_hash(addr) & (env->seencap - 1);
	for (; env->seen[j] != 0; j = (j + 1) & (env->seencap - 1))
		if (addr_same(env->rcpts[env->seen[j] - 1].addr, addr))
			return NULL;
	if (env->nrcpts == env->rcptcap) {
		env->rcptcap = env->rcptcap ? env->rcptcap * 2 : 8;
		env->rcpts = xreallocarray(env->rcpts, env->rcptcap,
		    sizeof(*env->rcpts));
	}
	memset(&env->rcpts[env->nrcpts], 0, sizeof(env->rcpts[0]));
	env->rcpts[env->nrcpts].addr = xstrdup(addr);
	env->nrcpts++;
	env->seen[j] = env->nrcpts;
	return &env->rcpts[env->nrcpts - 1];
}

/* The sender's domain in A-labels, and a last check. */
static int
sender_idna(struct envelope *env, struct err *e)
{
	char *spec = idna_spec(env->sender, e);

	if (spec == NULL)
		return err_prefix(e, "sender %s", env->sender);
	free(env->sender);
	env->sender = spec;
	return envelope_addr_ok(env->sender, e) < 0
	    ? err_prefix(e, "sender %s", env->sender)
	    : 0;
}

/*
 * Without -f: the "from" of the account named by -a; else the user's
 * own address ("user_from"); else the "from" of the top level (or of
 * the default account).  NULL: none is set.
 */
static const char *
default_from(struct conf *c, const struct options *o,
    const struct account *acct)
{
	const struct user_from *u;

	if (o->account != NULL && acct->from != NULL)
		return acct->from;
	if ((u = senders_own(c)) != NULL)
		return u->addr;
	return acct->from;
}

static int
envelope_sender(struct envelope *env, const struct options *o,
    struct localmap *m, struct err *e)
{
	struct conf *c = m->c;
	const struct account *acct;
	const char *from;
	struct addr a;
	char *user;

	/* Without -f: see default_from().  Either way the account is
	 * chosen again later, by -a or by the sender found here. */
	acct = conf_account(c, o->account, NULL, e);
	if (acct == NULL)
		return -1;
	if (o->sender != NULL) {
		if (addr_parse_one(o->sender, &a, 1, e) < 0)
			return err_prefix(e, "-f %s", o->sender);
		env->sender = local_qualify(m, &a);
		addr_free(&a);
	} else if ((from = default_from(c, o, acct)) != NULL) {
		if (addr_parse_one(from, &a, 0, e) < 0)
			return -1;
		env->sender = local_qualify(m, &a);
		addr_free(&a);
	} else {
		if ((user = sys_username(e)) == NULL)
			return -1;
		if (!addr_is_login_name(user, strlen(user))) {
			err_set(e, ERR_CONFIG,
			    "user name \"%s\" cannot be "
			    "used as an address; use -f",
			    user);
			free(user);
			return -1;
		}
		env->sender = xasprintf("%s@%s", user, conf_domain(c));
		free(user);
	}
	return sender_idna(env, e);
}

int
envelope_set_sender(struct envelope *env, struct localmap *m,
    const struct addr *a, struct err *e)
{
	free(env->sender);
	env->sender = local_qualify(m, a);
	return sender_idna(env, e);
}

/* A recipient that mail cannot be sent to, failed from the start. */
static void
add_failed(struct envelope *env, const char *spec, const char *why)
{
	struct rcpt *r = envelope_add_rcpt(env, spec);

	if (r == NULL)
		return;
	r->state = RCPT_FAILED;
	r->reply = xstrdup(why);
}

static void
add_note(struct envelope *env, const char *note)
{
	env->notes =
	    xreallocarray(env->notes, env->nnotes + 1, sizeof(*env->notes));
	env->notes[env->nnotes++] = xstrdup(note);
}

/*
 * RFC 3461 4.2: a recipient the aliases made of another keeps the
 * address given, as qualified (a local name alone would tell the relay's
 * DSN nothing), for ORCPT.  Only local addresses expand, so any other
 * spec is the given one.
 */
static void
add_expanded(struct envelope *env, const char *spec, const char *given,
    const char *orig)
{
	struct rcpt *r = envelope_add_rcpt(env, spec);

	if (r != NULL && strcmp(given, orig) != 0)
		r->orcpt = xstrdup(orig);
}

int
envelope_add_addr(struct envelope *env, const struct addr *a,
    struct localmap *m, struct err *e)
{
	struct speclist specs = {0};
	char *orig = local_qualify(m, a);
	size_t i;
	int rc = local_expand(m, a, &specs, e);

	for (i = 0; rc == 0 && i < specs.n; i++) {
		char *spec = idna_spec(specs.v[i], e);

		rc = spec != NULL ? envelope_addr_ok(spec, e) : -1;
		if (rc < 0)
			err_prefix(e, "%s", specs.v[i]);
		else if (specs.why[i] != NULL)
			add_failed(env, spec, specs.why[i]);
		else
			add_expanded(env, spec, specs.v[i], orig);
		free(spec);
	}
	for (i = 0; rc == 0 && i < specs.nnotes; i++)
		add_note(env, specs.notes[i]);
	speclist_free(&specs);
	free(orig);
	return rc;
}

static int
add_list(struct envelope *env, struct addr_list *l, struct localmap *m,
    struct err *e)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (envelope_add_addr(env, &l->v[i], m, e) < 0)
			return -1;
	return 0;
}

/* A recipient argument: an address list ("a@x,b@y" is how cron passes
 * MAILTO).  Controls are refused before parsing: no folding here. */
static int
add_argument(struct envelope *env, const char *arg, struct localmap *m,
    struct err *e)
{
	struct addr_list l = ADDR_LIST_INIT;
	int rc;

	if (rfc5322_has_ctl(arg))
		return err_set(e, ERR_USAGE,
		    "recipient argument contains a control character");
	if (addr_parse_list(arg, strlen(arg), &l, e) < 0) {
		err_prefix(e, "recipient \"%s\"", arg);
		e->kind = ERR_USAGE;
		return -1;
	}
	rc = add_list(env, &l, m, e);
	addr_list_free(&l);
	if (rc < 0 && e->kind == ERR_DATA)
		e->kind = ERR_USAGE;
	return rc;
}

static int
is_resent(const struct hdr_field *f)
{
	return f->namelen >= 7 && strncasecmp(f->name, "Resent-", 7) == 0;
}

static int
add_field(struct envelope *env, const struct hdr_field *f, struct localmap *m,
    struct err *e)
{
	struct addr_list l = ADDR_LIST_INIT;
	int rc;

	if (addr_parse_list(f->value, f->valuelen, &l, e) < 0)
		return err_prefix(e, "malformed %.*s header", (int)f->namelen,
		    f->name);
	rc = add_list(env, &l, m, e);
	addr_list_free(&l);
	if (rc < 0 && e->kind == ERR_DATA)
		err_prefix(e, "%.*s header", (int)f->namelen, f->name);
	return rc;
}

/*
 * -t: To, Cc and Bcc; but when the message has been resent (RFC 5322
 * 3.6.6), the Resent-To, Resent-Cc and Resent-Bcc of the first (newest)
 * block of Resent- fields instead, as sendmail does.
 */
static int
add_headers(struct envelope *env, const char *head, size_t len,
    struct localmap *m, struct err *e)
{
	struct hdr_iter it;
	struct hdr_field f;
	int resent = 0, in_block = 0;

	hdr_iter_init(&it, head, len);
	while (hdr_next(&it, &f))
		if (is_resent(&f))
			resent = 1;
	hdr_iter_init(&it, head, len);
	while (hdr_next(&it, &f)) {
		if (resent) {
			if (!is_resent(&f)) {
				if (in_block)
					break;
				continue;
			}
			in_block = 1;
			if (!hdr_is(&f, "Resent-To") &&
			    !hdr_is(&f, "Resent-Cc") &&
			    !hdr_is(&f, "Resent-Bcc"))
				continue;
		} else if (!hdr_is(&f, "To") && !hdr_is(&f, "Cc") &&
		    !hdr_is(&f, "Bcc")) {
			continue;
		}
		if (add_field(env, &f, m, e) < 0)
			return -1;
	}
	return 0;
}

static int
envelope_rcpts(struct envelope *env, const struct options *o,
    struct localmap *m, const char *head, size_t len, struct err *e)
{
	size_t i;

	for (i = 0; i < o->nrcpts; i++)
		if (add_argument(env, o->rcpts[i], m, e) < 0)
			return -1;
	if (o->tflag && add_headers(env, head, len, m, e) < 0)
		return -1;
	if (env->nrcpts == 0)
		return err_set(e, o->tflag ? ERR_DATA : ERR_USAGE,
		    o->tflag ? "no recipients in the arguments or headers"
		             : "no recipients given");
	return 0;
}

static char *
upper_dup(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* RFC 3461 4.1, 4.3, 4.4: the keywords in upper case, ENVID as given. */
void
envelope_set_dsn(struct envelope *env, const struct options *o)
{
	free(env->notify);
	free(env->ret);
	free(env->envid);
	env->notify = o->notify != NULL ? upper_dup(o->notify) : NULL;
	env->ret = o->ret != NULL ? upper_dup(o->ret) : NULL;
	env->envid = o->envid != NULL ? xstrdup(o->envid) : NULL;
}

int
envelope_build(struct envelope *env, const struct options *o, struct conf *c,
    const char *head, size_t len, struct err *e)
{
	struct localmap m;
	int rc;

	memset(env, 0, sizeof(*env));
	envelope_set_dsn(env, o);
	localmap_init(&m, c);
	m.noalias = o->noalias;
	rc = envelope_sender(env, o, &m, e);
	if (rc == 0)
		rc = envelope_rcpts(env, o, &m, head, len, e);
	localmap_free(&m);
	return rc;
}

void
envelope_fail_pending(struct envelope *env, const char *why)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		struct rcpt *r = &env->rcpts[i];

		if (r->state != RCPT_PENDING)
			continue;
		r->state = RCPT_FAILED;
		if (why != NULL) {
			free(r->reply);
			r->reply = xstrdup(why);
		}
	}
}

enum rcpt_state *
envelope_states(const struct envelope *env)
{
	enum rcpt_state *v = xcalloc(env->nrcpts + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < env->nrcpts; i++)
		v[i] = env->rcpts[i].state;
	return v;
}

size_t
envelope_count(const struct envelope *env, enum rcpt_state st)
{
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		n += env->rcpts[i].state == st;
	return n;
}

void
envelope_free(struct envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		free(env->rcpts[i].addr);
		free(env->rcpts[i].reply);
		free(env->rcpts[i].orcpt);
	}
	for (i = 0; i < env->nnotes; i++)
		free(env->notes[i]);
	free(env->notes);
	free(env->rcpts);
	free(env->seen);
	free(env->sender);
	free(env->notify);
	free(env->ret);
	free(env->envid);
	memset(env, 0, sizeof(*env));
}
