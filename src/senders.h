/*
 * Who may send as whom: the sender policy ("allowed_senders",
 * "trusted_users") and each user's own address ("user_from").
 *
 * By default, as with sendmail, any user may give any envelope sender
 * (-f, -bs's MAIL), and with it choose any account's credentials, since
 * accounts are chosen by sender.  With "allowed_senders" set, a user who
 * is neither root nor trusted may use only the senders mailout gives
 * them by default, their own address at the mail domain, and those the
 * entries for them, their groups and "*" allow; and name with -a only an
 * account such a sender would select, their "user_from" account, or one
 * whose "from" they may use.  The check is made at submission only.
 *
 * Parsing and deciding do no I/O; senders_check() asks the system who
 * the real user is.
 */
#ifndef MAILOUT_SENDERS_H
#define MAILOUT_SENDERS_H

#include <stddef.h>

struct conf;
struct err;

/* "who: pattern, pattern": an entry of "allowed_senders". */
struct sender_rule {
	char *who; /* a login name or a group name; "*" for everyone */
	int is_group; /* written "%group" or "@group" */
	char **pats; /* "*@example.org", "alice@example.org", "<>" */
	size_t npats;
	char *where; /* "FILE:LINE", for messages */
};

/* "login: address" or "login: address: account": "user_from". */
struct user_from {
	char *login;
	char *addr; /* an addr-spec, as written (a bare name is local) */
	char *account; /* NULL: chosen by the address, as for any sender */
	char *where;
};

struct senders {
	int policy; /* "allowed_senders" stands in the file */
	struct sender_rule *rules;
	size_t nrules;
	char **trusted; /* login names, or "%group" */
	size_t ntrusted;
	struct user_from *from;
	size_t nfrom;
};

/* The real user as the policy sees it. */
struct sender_who {
	int root; /* uid 0: never restricted */
	const char *login; /* NULL: the uid has no name */
	char *const *groups; /* names of the user's groups */
	size_t ngroups;
};

/*
 * Parse an entry; where names its place for messages.  Return 0, or -1
 * with e set (ERR_CONFIG, "where: ...") and nothing to free.
 */
int senders_parse_rule(const char *text, const char *where,
    struct sender_rule *r, struct err *e);
int senders_parse_user_from(const char *text, const char *where,
    struct user_from *u, struct err *e);

/* A trusted_users entry: a login name, or "%group" / "@group". */
int senders_trusted_ok(const char *entry);

/*
 * Does pattern match the addr-spec addr?  "*" matches any run of
 * characters and case is ignored, as in an account's "match"; "<>"
 * matches the null sender ("") only.
 */
int senders_match(const char *pattern, const char *addr);

/* The user_from entry of login, or NULL. */
const struct user_from *
senders_user_from(const struct senders *s, const char *login);

/*
 * May who submit with envelope sender sender (qualified, in A-labels)
 * through the account named account (-a; NULL: the one the sender
 * selects)?  Returns 0, or -1 with e set (ERR_NOPERM) saying which.
 */
int senders_decide(struct conf *c, const struct sender_who *who,
    const char *account, const char *sender, struct err *e);

/*
 * senders_decide() for the real user (getuid(), or the owner of a kept
 * message being submitted again: sys_assume_user()).
 */
int senders_check(struct conf *c, const char *account, const char *sender,
    struct err *e);

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
