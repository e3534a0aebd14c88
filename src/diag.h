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

/* How --server-info asks. */
struct diag_probe {
	transport_trace_fn fn; /* the conversation, NULL: not shown */
	void *arg;
	int auth; /* --auth: authenticate too, then QUIT */
};

/*
 * Print what each relay of the account (chosen as for a message: by
 * name, else by sender, else the default) offers, and with p->auth
 * whether it takes the account's credentials.  Returns 0 when every
 * relay answered, its certificate passed the checks (or tls_verify is
 * off) and (p->auth) it authenticated us; else -1 with e set for the
 * last that did not: ERR_TEMP when it could not be reached (or a 4xx to
 * AUTH), ERR_CONFIG for an untrusted certificate or credentials refused.
 */
int diag_server_info(FILE *out, struct conf *c, const char *account,
    const char *sender, const struct diag_probe *p, struct err *e);

#endif
