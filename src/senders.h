/*
 * Each user's own address ("user_from", as ssmtp's revaliases): the
 * sender of the user's mail without -f, and optionally its account.
 * Parsing does no I/O; the functions for the real user ask the system
 * who that is.
 */
#ifndef MAILOUT_SENDERS_H
#define MAILOUT_SENDERS_H

#include <stddef.h>

struct conf;
struct err;

/* "login: address" or "login: address: account": "user_from". */
struct user_from {
	char *login;
	char *addr; /* an addr-spec, as written (a bare name is local) */
	char *account; /* NULL: chosen by the address, as for any sender */
	char *where;
};

struct senders {
	struct user_from *from;
	size_t nfrom;
};

/*
 * Parse an entry; where names its place for messages.  Return 0, or -1
 * with e set (ERR_CONFIG, "where: ...") and nothing to free.
 */
int senders_parse_user_from(const char *text, const char *where,
    struct user_from *u, struct err *e);

/* The user_from entry of login, or NULL. */
const struct user_from *
senders_user_from(const struct senders *s, const char *login);

/*
 * The account for a submission: account (-a) when given, else the real
 * user's user_from account when sender is that entry's address, else
 * NULL (chosen by the sender).
 */
const char *
senders_account(struct conf *c, const char *account, const char *sender);

/* The real user's user_from entry, or NULL. */
const struct user_from *senders_own(struct conf *c);

void senders_free(struct senders *s);

#endif
