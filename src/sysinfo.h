/*
 * Facts about this host and the calling user, read from the system.
 * Identity comes from getuid() and the password database, never from
 * $USER or $HOME: cron, atd and php-fpm pass environments that lie.
 * Each is looked up once per process.
 */
#ifndef MAILOUT_SYSINFO_H
#define MAILOUT_SYSINFO_H

#include <sys/types.h>

struct err;

/*
 * From now on the user is uid, not the real user: a queue run resolving
 * an entry that uid submitted (kept.c) names its sender as it would have.
 */
void sys_assume_user(uid_t uid);

/* The real user's uid (or the one sys_assume_user() gave). */
uid_t sys_uid(void);

/* Login name of the real user.  Returns NULL with e set if unknown. */
char *sys_username(struct err *e);

/*
 * The real user's full name: the GECOS field up to its first comma, "&"
 * standing for the login name capitalised.  NULL when there is none.
 */
char *sys_fullname(void);

/*
 * The names of the real user's groups: the password entry's, and those
 * the group database lists the user in (getgrouplist), not the groups
 * the process holds, which setpriv or sudo may have changed.  *n of
 * them; the caller frees each and the vector.  None when the user has
 * no name.
 */
char **sys_groups(size_t *n);

/*
 * Is the real user the queue service's (QUEUE_USER, configure
 * --with-queue-user)?  Its runs, as root's, take every user's entries.
 */
int sys_is_queue_user(void);

/* The first word of /etc/mailname, or NULL. */
char *sys_mailname(void);

/* This host's name as gethostname() gives it, or NULL when it has none. */
const char *sys_hostname(void);

/* This host's fully qualified name, or NULL when it has none. */
const char *sys_fqdn(void);

#endif
