/*
 * Local addresses: which addresses belong to this host (a bare name such
 * as "root", or a name at "localhost" or at this host's own name), what
 * the aliases turn them into, and how what stays local is qualified with
 * the mail domain, so that a relay never sees "root" or "root@vm".
 */
#ifndef MAILOUT_LOCALADDR_H
#define MAILOUT_LOCALADDR_H

#include <stddef.h>

struct addr;
struct conf;
struct err;

struct localmap {
	struct conf *c;
	int noalias; /* -n: local names are only qualified */
};

/*
 * A list of addr-specs, owned.  From local_expand(), an addr-spec may
 * come with why it cannot be sent to, and notes say what the aliases
 * left out of the others.
 */
struct speclist {
	char **v;
	char **why; /* for each of v: NULL, or why mail to it fails */
	size_t n;
	size_t cap;
	char **notes; /* "<addr>: FILE:LINE: alias 'x': ...", one a line */
	size_t nnotes;
};

void localmap_init(struct localmap *m, struct conf *c);
void localmap_free(struct localmap *m);

/* Is a this host's (bare, @localhost, @this host's name)? */
int local_is_local(struct localmap *m, const struct addr *a);

/*
 * The addr-spec an originator address (From, Sender, the envelope
 * sender) stands for: a local one qualified, any other as it is.  The
 * null path stays "".  Aliases do not apply to senders.
 */
char *local_qualify(struct localmap *m, const struct addr *a);

/*
 * The addr-specs a recipient address stands for, appended to out: a
 * local one through the aliases (recursively) and then qualified; any
 * other as it is.  A name met again while it is being expanded is not
 * expanded again but qualified ("root: root, ops@example.org").
 *
 * Pipes, files and :include: in the aliases are left out.  When nothing
 * else is left, the recipient itself (qualified) is appended with why
 * mail to it fails (the first alias met that was only such entries);
 * otherwise a note for each alias met that had some says that they were
 * left out.  Returns 0, or -1 with e set (ERR_CONFIG: aliases nested too
 * deeply).
 */
int local_expand(struct localmap *m, const struct addr *a, struct speclist *out,
    struct err *e);

/*
 * Where mail back to a sender goes (a bounce): a sender at the mail
 * domain whose local part the aliases name ("root@example.org", as
 * "root" was qualified) stands for what the alias does, as mail to
 * "root" would; the addresses that can take mail are appended to out,
 * none when the sender is no such name or its aliases give nothing
 * usable (the caller then writes to the sender itself).  The catch-all
 * does not apply: "alice@example.org" is nobody's alias.  Returns 0, or
 * -1 with e set as local_expand().
 */
int local_return_expand(struct localmap *m, const char *sender,
    struct speclist *out, struct err *e);

void speclist_add(struct speclist *l, char *spec);
/* Add spec that mail cannot be sent to, and why. */
void speclist_add_failed(struct speclist *l, char *spec, char *why);
void speclist_free(struct speclist *l);

#endif
