/*
 * Aliases: local names mapped to address lists.  They come from the
 * configuration ("aliases" group) and from a file in the format of
 * aliases(5):
 *
 *	# a comment
 *	root: ops@example.org, alice
 *	alice: alice@example.net,
 *	    alice@example.com		(a line starting with WSP continues)
 *	default: postmaster@example.org	("default" or "*": any other name)
 *
 * Pipes, files and :include: cannot be honoured: mailout only sends to
 * addresses, it delivers nothing on this host.  Such entries are left
 * out, and the alias records which kinds it had (a file such as
 * Debian's /etc/aliases has them for other mail transports; they must
 * not stop mail to other names).  An alias of nothing but such entries
 * reaches no one: mail to it fails.  Parsing does no I/O;
 * alias_load_file() reads a file and hands it to alias_parse().
 * Expansion (recursion, loops) is the caller's: see localaddr.h.
 */
#ifndef MAILOUT_ALIAS_H
#define MAILOUT_ALIAS_H

#include <stddef.h>

#include "addr.h"

struct err;

/* The entries of aliases(5) that mailout leaves out. */
enum {
	ALIAS_PIPE = 1, /* "|command" */
	ALIAS_FILE = 2, /* "/path" */
	ALIAS_INCLUDE = 4 /* ":include:/path" */
};

struct alias {
	char *name; /* lower case; "*" for the catch-all */
	struct addr_list to; /* the addresses it stands for, as written */
	unsigned left_out; /* ALIAS_PIPE | ...: the entries it had besides */
	char *where; /* "FILE:LINE" where it was defined */
	size_t seq; /* order of definition */
	int yields; /* another alias of its name wins (alias_yield_from) */
};

struct aliases {
	struct alias *v; /* sorted by name once alias_finish() ran */
	size_t n;
	size_t cap;
	char **notes; /* for the administrator, no errors: "FILE:LINE: ..." */
	size_t nnotes;
};

/*
 * Add name: value (an address list).  where names the place for
 * messages.  Returns 0, or -1 with e set (ERR_CONFIG, "where: ...").
 */
int alias_add(struct aliases *t, const char *name, const char *value,
    size_t len, const char *where, struct err *e);

/* Parse text in the format of aliases(5); file names it in messages. */
int alias_parse(struct aliases *t, const char *text, size_t len,
    const char *file, struct err *e);

/* Read and parse the file at path. */
int alias_load_file(struct aliases *t, const char *path, struct err *e);

/*
 * The aliases from the first-th on (a file shared with other programs)
 * yield to those defined before them: of a name defined in both, the
 * earlier is kept.
 */
void alias_yield_from(struct aliases *t, size_t first);

/*
 * Sort for lookups.  A name defined twice is an error, unless one of the
 * two yields: it is dropped then, with a note.
 */
int alias_finish(struct aliases *t, struct err *e);

/* The alias for a local part (compared without regard to case), else
 * NULL.  "default" and "*" are found only through alias_catchall(). */
const struct alias *alias_find(const struct aliases *t, const char *local);

/* The catch-all ("default" or "*"), or NULL. */
const struct alias *alias_catchall(const struct aliases *t);

/* Why entries of a were left out ("pipes are not supported"), or NULL. */
const char *alias_left_out_why(const struct alias *a);

/* Is a nothing but entries left out, so that mail to it reaches no one? */
int alias_unusable(const struct alias *a);

void alias_free(struct aliases *t);

#endif
