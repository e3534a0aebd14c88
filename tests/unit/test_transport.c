/*
 * The transport where no relay is needed: a message that cannot be read
 * is an I/O error before anything is sent, and no other relay is tried.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "msgsrc.h"
#include "outcome.h"
#include "tap.h"
#include "transport.h"

static ssize_t
no_read(void *ctx, char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return -1;
}

static int
no_rewind(void *ctx)
{
	(void)ctx;
	return -1;
}

/* A message source that fails from the start, as a damaged spool file. */
static void
unreadable_source(void)
{
	char host[] = "127.0.0.1";
	struct relay relays[2] = {{host, 1}, {host, 2}};
	struct account a;
	struct envelope env = {0};
	struct msgsrc src = {no_read, no_rewind, NULL, 100, OCTETS_UNKNOWN};
	struct smtp_result r;
	struct transport *t;
	struct err e = {0};

	memset(&a, 0, sizeof(a));
	a.relays = relays;
	a.nrelays = 2;
	a.tls = TLS_NONE;
	a.tls_min_version = 12;
	a.connect_timeout = 5;
	a.reply_timeout = 5;
	env.sender = strdup("b@example.org");
	envelope_add_rcpt(&env, "a@example.com");
	t = transport_new(&a, "client.example.org", &e);
	ok(t != NULL, "transport_new");
	if (t == NULL)
		return;
	is_int(transport_send(t, &env, &src, &r), -1, "unreadable: not sent");
	is_int(r.local, LOCAL_READ, "unreadable: a read failure");
	is_str(r.local_msg, "cannot read the spooled message",
	    "unreadable: says so");
	ok(r.skipped == NULL, "unreadable: no other relay tried");
	outcome_judge(&r, &env, NULL, &e);
	is_int(e.kind, ERR_IO, "unreadable: an I/O error");
	is_int(env.rcpts[0].state, RCPT_PENDING, "unreadable: still pending");
	err_clear(&e);
	smtp_result_free(&r);
	transport_free(t);
	envelope_free(&env);
}

int
main(void)
{
	unreadable_source();
	transport_global_cleanup();
	return tap_done();
}
