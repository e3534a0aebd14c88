/*
 * Diagnostics for the administrator: --check-config shows what the
 * configuration means once every default and inherited setting is
 * applied; --server-info shows what a relay offers.
 */
#ifndef MAILOUT_DIAG_H
#define MAILOUT_DIAG_H

#include <stdio.h>

#include "transport.h"

struct conf;
struct err;

/*
 * Print the files read and every account as resolved, secrets masked:
 * the password always, password_command (whose arguments may hold one)
 * unless show_secrets.  Returns 0, or -1 with e set (ERR_CONFIG,
 * "FILE:LINE: message") when an account asks for what this libcurl
 * cannot do.
 */
int
diag_check_config(FILE *out, struct conf *c, int show_secrets, struct err *e);

/*
 * Print what each relay of the account (chosen as for a message: by
 * name, else by sender, else the default) offers.  Returns 0 when every
 * relay answered, else -1 with e set for the last that did not.
 */
int diag_server_info(FILE *out, struct conf *c, const char *account,
    const char *sender, transport_trace_fn fn, void *arg, struct err *e);

#endif
