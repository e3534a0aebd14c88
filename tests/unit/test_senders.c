/* Each user's own address: the user_from parser. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "senders.h"
#include "tap.h"

/* A user_from entry as text: "login|addr|account", or the error. */
static void
is_user_from(const char *text, const char *want)
{
	struct user_from u;
	struct err e = {0};
	char out[512];

	if (senders_parse_user_from(text, "f:2", &u, &e) < 0) {
		snprintf(out, sizeof(out), "error: %s", e.msg);
		is_int(e.kind, ERR_CONFIG, "user_from error: ERR_CONFIG");
		err_clear(&e);
	} else {
		snprintf(out, sizeof(out), "%s|%s|%s", u.login, u.addr,
		    u.account != NULL ? u.account : "(none)");
		free(u.login);
		free(u.addr);
		free(u.account);
		free(u.where);
	}
	is_str(out, want, text);
}

static void
user_froms(void)
{
	is_user_from("alice: alice@example.org",
	    "alice|alice@example.org|(none)");
	is_user_from("alice:Alice Example <alice@example.org> : work ",
	    "alice|alice@example.org|work");
	is_user_from("bob: bob", "bob|bob|(none)");
	is_user_from("alice",
	    "error: f:2: an entry of 'user_from' is \"user: address\" or "
	    "\"user: address: account\"");
	is_user_from("alice: a@example.org:",
	    "error: f:2: 'user_from' of alice: no account");
	is_user_from("alice: a@@example.org",
	    "error: f:2: 'user_from' of alice: expected domain at offset 2");
}

int
main(void)
{
	user_froms();
	return tap_done();
}
