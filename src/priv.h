/*
 * Privileges.  Installed setgid to its own group (see mailout(8),
 * SECURITY), mailout can read the configuration and the queue that the
 * users who call it cannot.  This is where the process is made fit to
 * hold that: a clean environment, a umask, no core dumps, and the group
 * given up for good whenever the user supplies what is run or read.
 */
#ifndef MAILOUT_PRIV_H
#define MAILOUT_PRIV_H

/*
 * First thing in main(): keep only the environment mailout uses itself
 * (TZ when it names a zone, MAILOUT_CONF; PATH is set to the system's),
 * so that neither libcurl (all_proxy, ...) nor OpenSSL (SSL_CERT_FILE,
 * OPENSSL_CONF, ...) takes orders from the caller; umask 007, files
 * for the owner and the group; no core dumps while secrets are held.
 * HOME and XDG_STATE_HOME are set aside (priv_caller_env()).
 * Returns MAILOUT_CONF's value (copied), or NULL.
 */
char *priv_sanitize(void);

/*
 * The caller's HOME or XDG_STATE_HOME (name), as priv_sanitize() found
 * it, or NULL: kept aside, out of the environment that libcurl and
 * OpenSSL read, for the queue of a user's own configuration (userq.h).
 */
const char *priv_caller_env(const char *name);

/*
 * Give up the set-group-ID privilege for good (real, effective and saved
 * group IDs set to the real one; only root could take it back, as it can
 * any group).  Returns 0, or -1 with errno set when it cannot, in which
 * case the caller must stop.
 */
int priv_drop(void);

/*
 * Does the process hold more than the user's own rights (the group of
 * the set-group-ID install, not given up)?  What it read with them, the
 * user may not see.
 */
int priv_held(void);

/*
 * open(2) as the user who called, not with the group: for files the
 * user names (-X).  The group is taken back afterwards.
 */
int priv_open_as_user(const char *path, int flags, int mode);

#endif
