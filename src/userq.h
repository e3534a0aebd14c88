/*
 * The queue of a user's own configuration.  A file named with -C or
 * MAILOUT_CONF is read without the group (priv.h), so the system's
 * queue is out of reach; and the system's queue runs would send its
 * messages with the system's configuration, not with that file.  When
 * it sets no queue_dir, its messages queue in a directory of the user's:
 * $XDG_STATE_HOME/mailout/queue, by default ~/.local/state/mailout/queue
 * (the XDG Base Directory Specification, 0.8: state that persists
 * between runs, not worth a backup).  The user runs that queue (-q -C).
 */
#ifndef MAILOUT_USERQ_H
#define MAILOUT_USERQ_H

struct err;

/*
 * The queue directory for state_home ($XDG_STATE_HOME) and home: under
 * state_home when it is an absolute path (the specification ignores a
 * relative one), else under home/.local/state.  NULL when home is not
 * an absolute path either.  The caller frees it.  (Pure.)
 */
char *userq_path(const char *state_home, const char *home);

/*
 * The caller's queue directory: userq_path() of the caller's
 * XDG_STATE_HOME and HOME, HOME being the password entry's when unset.
 * NULL with e set when there is none.  Only once the group is given up:
 * the environment then gives no more than the user's own rights.
 */
char *userq_dir(struct err *e);

/*
 * Create dir and its missing parents, mode 0700 (the specification asks
 * that of the directories it creates).  Returns 0, or -1 with e set.
 */
int userq_make(const char *dir, struct err *e);

#endif
