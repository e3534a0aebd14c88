/*
 * The envelope: who the message is from and to whom it goes, decided
 * from the flags, the configuration and (with -t) the headers.
 */
#ifndef MAILOUT_ENVELOPE_H
#define MAILOUT_ENVELOPE_H

#include <stddef.h>

struct addr;
struct conf;
struct err;
struct localmap;
struct options;

enum rcpt_state {
	RCPT_PENDING, /* not yet accepted by a relay */
	RCPT_SENT, /* accepted by the relay */
	RCPT_FAILED /* refused permanently */
};

struct rcpt {
	char *addr; /* validated addr-spec, qualified */
	enum rcpt_state state;
	int code; /* last SMTP reply to RCPT, 0 if none */
	char *reply; /* its text, NULL if none */
	char *orcpt; /* RFC 3461 4.2: the address the submitter gave
	                (qualified) when the aliases made it addr; NULL:
	                none (addr is what was given) */
};

struct envelope {
	char *sender; /* addr-spec, "" for the null sender */
	struct rcpt *rcpts;
	size_t nrcpts;
	size_t rcptcap;
	size_t *seen; /* hash table of indexes + 1 into rcpts, 0: free */
	size_t seencap;
	/* RFC 3461 delivery status notifications, from -N, -R and -V;
	 * NULL: not given (the relay's default).  The transport passes
	 * them on when the relay offers DSN. */
	char *notify; /* "NEVER", or e.g. "SUCCESS,FAILURE" (the order of
	                 -N), upper case */
	char *ret; /* "FULL" or "HDRS" */
	char *envid; /* as given: printable US-ASCII, xtext-encoded on the
	                wire */
	char **notes; /* what the aliases left out (localaddr.h), for the
	                 log of a new message; never queued */
	size_t nnotes;
};

/*
 * Decide the envelope of a message whose header section is head[0..len).
 * Sender: -f, else the "from" of the account -a names, else the user's
 * "user_from" address, else the configured "from", else the user (from
 * getuid()) at the mail domain.  Recipients: the arguments (each may hold a
 * comma separated list) and, with -t, To/Cc/Bcc or the Resent- fields.  Local
 * recipients (localaddr.h) go through the aliases; what stays local is
 * qualified with the mail domain, the sender too; duplicates are
 * dropped.  A local recipient whose aliases are only pipes, files or
 * :include: is added as failed (RCPT_FAILED, its reply says why), since
 * mailout delivers nothing on this host; what they left out of other
 * recipients goes to env->notes.  A recipient the aliases changed keeps
 * what was given (qualified) in orcpt.  -N, -R and -V are copied,
 * upper case but for -V.  Returns 0, or -1 with e set: ERR_USAGE
 * for no recipients or a bad argument, ERR_DATA for a malformed header,
 * ERR_CONFIG for aliases nested too deeply.
 */
int envelope_build(struct envelope *env, const struct options *o,
    struct conf *c, const char *head, size_t len, struct err *e);

/*
 * Add one recipient unless already present.  The domain is compared
 * without regard to case, the local part exactly (RFC 5321 2.4).
 * Returns the recipient added (pending), or NULL when it was present.
 */
struct rcpt *envelope_add_rcpt(struct envelope *env, const char *addr);

/*
 * For -bs: the sender from MAIL (a local one qualified, the domain in
 * A-labels), and a recipient from RCPT through the aliases and
 * qualification, as for arguments and -t (a failed one included).
 * Return 0, or -1 with e set.
 */
int envelope_set_sender(struct envelope *env, struct localmap *m,
    const struct addr *a, struct err *e);
int envelope_add_addr(struct envelope *env, const struct addr *a,
    struct localmap *m, struct err *e);

/*
 * The DSN requests of -N, -R and -V (RFC 3461) into env, replacing any:
 * NOTIFY and RET upper case, ENVID as given.  envelope_build() does it;
 * -bs too, for the session's messages.
 */
void envelope_set_dsn(struct envelope *env, const struct options *o);

/* Is this addr-spec safe to hand to the relay (no controls, sane size)? */
int envelope_addr_ok(const char *addr, struct err *e);

/* Every recipient still pending fails, its reply set to why. */
void envelope_fail_pending(struct envelope *env, const char *why);

/* How many recipients are in state st. */
size_t envelope_count(const struct envelope *env, enum rcpt_state st);

/* The state of each recipient now (an array of nrcpts, to free). */
enum rcpt_state *envelope_states(const struct envelope *env);

void envelope_free(struct envelope *env);

#endif
