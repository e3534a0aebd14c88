/* The notification a bounce sends: its status codes and reasons. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "buf.h"
#include "envelope.h"
#include "tap.h"

static const char head[] = "From: b@example.org\r\nSubject: hi\r\n\r\n";

/* The notification for env's recipients, all of them, quoting h. */
static char *
build_head(struct envelope *env, int expired, const char *h)
{
	struct bounce b;
	struct buf out = BUF_INIT;
	size_t which[3] = {0, 1, 2};

	memset(&b, 0, sizeof(b));
	b.env = env;
	b.which = which;
	b.nwhich = env->nrcpts;
	b.relay = "172.4.2.2:25";
	b.head = h;
	b.headlen = strlen(h);
	b.expired = expired;
	bounce_build(&out, &b, "b@example.org", "example.org", "mx.example.org",
	    0);
	return buf_release(&out);
}

static char *
build(struct envelope *env, int expired)
{
	return build_head(env, expired, head);
}

/* The text/rfc822-headers part of m, up to the closing boundary. */
static char *
quoted(const char *m)
{
	static const char part[] = "Content-Type: text/rfc822-headers\r\n\r\n";
	const char *p = strstr(m, part), *end;

	if (p == NULL)
		return NULL;
	p += sizeof(part) - 1;
	end = strstr(p, "\r\n--");
	return end != NULL ? strndup(p, (size_t)(end - p)) : NULL;
}

/* The Status field reported for addr is want. */
static void
is_status(const char *m, const char *addr, const char *want, const char *name)
{
	char *field = NULL, *got = NULL;
	const char *p;

	if (asprintf(&field,
	        "Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: ",
	        addr) < 0)
		abort();
	p = strstr(m, field);
	if (p != NULL) {
		p += strlen(field);
		got = strndup(p, strcspn(p, "\r"));
	}
	is_str(got, want, name);
	free(got);
	free(field);
}

static size_t
count(const char *m, const char *s)
{
	size_t n = 0;

	for (; (m = strstr(m, s)) != NULL; m++)
		n++;
	return n;
}

static void
rcpt(struct envelope *env, size_t i, int code, const char *reply)
{
	env->rcpts[i].state = RCPT_FAILED;
	env->rcpts[i].code = code;
	env->rcpts[i].reply = strdup(reply);
}

int
main(void)
{
	struct envelope env = {0};
	char *m, *q;

	env.sender = strdup("b@example.org");
	envelope_add_rcpt(&env, "a@example.com");
	envelope_add_rcpt(&env, "c@example.com");
	envelope_add_rcpt(&env, "d@example.com");
	rcpt(&env, 0, 550, "550-5.1.1 no such\n550 5.1.1 user");
	rcpt(&env, 1, 0,
	    "172.4.2.2:25: message of 9 octets is larger than the relay's "
	    "limit of 5 (SIZE)");
	rcpt(&env, 2, 550, "550 5.7.1 \xc3\xbcnknown\r");
	env.rcpts[0].orcpt = strdup("root@example.org");
	m = build(&env, 0);
	is_int(count(m, "Final-Recipient: "), 3, "one report per recipient");
	/* RFC 3464 2.3.1: an aliased recipient's address as given. */
	ok(strstr(m,
	       "\r\n\r\nOriginal-Recipient: rfc822; root@example.org\r\n"
	       "Final-Recipient: rfc822; a@example.com\r\n") != NULL,
	    "Original-Recipient first, for the aliased recipient");
	is_int(count(m, "Original-Recipient: "), 1,
	    "Original-Recipient only where the aliases changed the address");
	ok(strstr(m, "<a@example.com>: (for <root@example.org>) 550-5.1.1") !=
	        NULL,
	    "the text part names the address given too");
	is_status(m, "a@example.com", "5.1.1",
	    "the status code from a reply of several lines");
	ok(strstr(m,
	       "Diagnostic-Code: smtp; 550-5.1.1 no such 550 5.1.1 "
	       "user\r\n") != NULL,
	    "a reply of several lines on one line");
	is_status(m, "c@example.com", "5.0.0",
	    "a reason of ours starting with an address: no status code in it");
	ok(strstr(m, "<c@example.com>: 172.4.2.2:25: message of 9") != NULL,
	    "the reason in the text part");
	ok(strstr(m, "Diagnostic-Code: smtp; 550 5.7.1   nknown \r\n") != NULL,
	    "beyond ASCII and controls: spaces");
	free(m);
	m = build(&env, 1);
	is_status(m, "c@example.com", "4.4.7",
	    "given up in time, no status code: 4.4.7");
	is_status(m, "a@example.com", "5.1.1",
	    "given up in time, a status code: that one");
	free(m);

	/* RFC 5322 3.6.3: no blind recipient shows, folded or not. */
	m = build_head(&env, 0,
	    "From: b@example.org\r\nBcc: x@example.net\r\n"
	    "Subject: hi\r\nbCC: y@example.net,\r\n\tz@example.net\r\n"
	    "Resent-Bcc: r@example.net\r\nBccX: kept\r\n\r\nbody\r\n");
	q = quoted(m);
	is_str(q, "From: b@example.org\r\nSubject: hi\r\nBccX: kept\r\n",
	    "the header quoted without Bcc or Resent-Bcc, nor the body");
	free(q);
	free(m);
	m = build_head(&env, 0, "Subject: no line end");
	q = quoted(m);
	is_str(q, "Subject: no line end\r\n", "the last field ends its line");
	free(q);
	free(m);
	m = build_head(&env, 0, "");
	q = quoted(m);
	is_str(q, "", "no header: an empty part");
	free(q);
	free(m);
	envelope_free(&env);
	return tap_done();
}
