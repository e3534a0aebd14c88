/*
 * password_command: a secret (a password or an OAuth2 bearer token)
 * printed by a command, so that it need not stand in the configuration.
 */
#ifndef MAILOUT_PWCMD_H
#define MAILOUT_PWCMD_H

struct err;

/*
 * Run cmd with /bin/sh -c and return the first line of its output, CR
 * and LF stripped; the caller frees it.  A command that fails (exit
 * status not 0, killed) or prints nothing is an error: NULL with e set
 * (ERR_CONFIG).  Its standard input is /dev/null, its standard error
 * ours.
 */
char *pwcmd_run(const char *cmd, struct err *e);

#endif
