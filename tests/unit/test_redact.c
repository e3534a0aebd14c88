/* Secrets scrubbed from what is shown: in clear and in base64. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "redact.h"
#include "tap.h"
#include "xalloc.h"

static struct redact r;

static void
scrub(const char *in, const char *want, const char *name)
{
	char *got = redact_text(&r, in, strlen(in));

	is_str(got, want, name);
	free(got);
}

/* base64 of prefix + secret + suffix, with the secret at any offset. */
static int
hidden_inside(const char *prefix, const char *secret)
{
	char *whole = xasprintf("%s%s-and-more", prefix, secret);
	char *b64 = base64_encode(whole, strlen(whole));
	char *got = redact_text(&r, b64, strlen(b64));
	int hidden = strstr(got, REDACTED) != NULL;

	free(whole);
	free(b64);
	free(got);
	return hidden;
}

int
main(void)
{
	static const char pw[] = "Pa55-w0rd:secret";
	char plain[64], *b64, *line;

	memset(&r, 0, sizeof(r));
	scrub("nothing to hide", "nothing to hide", "no secrets: unchanged");
	redact_add_secret(&r, pw);
	scrub("the password is Pa55-w0rd:secret!",
	    "the password is " REDACTED "!", "in clear");
	b64 = base64_encode(pw, strlen(pw));
	line = xasprintf("334 %s", b64);
	scrub(line, "334 " REDACTED, "its base64");
	free(line);
	free(b64);
	ok(hidden_inside("", pw), "inside base64, at offset 0");
	ok(hidden_inside("x", pw), "inside base64, at offset 1");
	ok(hidden_inside("xy", pw), "inside base64, at offset 2");
	ok(hidden_inside("user=alice\001auth=Bearer ", pw),
	    "inside an XOAUTH2 string");

	/* PLAIN: "\0alice\0password" as a whole. */
	plain[0] = '\0';
	memcpy(plain + 1, "alice", 5);
	plain[6] = '\0';
	memcpy(plain + 7, pw, sizeof(pw) - 1);
	redact_add_encoded(&r, plain, 7 + sizeof(pw) - 1);
	b64 = base64_encode(plain, 7 + sizeof(pw) - 1);
	line = xasprintf("AUTH PLAIN %s", b64);
	scrub(line, "AUTH PLAIN " REDACTED, "PLAIN's initial response");
	free(line);
	free(b64);
	scrub("Pa55-w0rd:secret and Pa55-w0rd:secret",
	    REDACTED " and " REDACTED, "every occurrence");
	redact_free(&r);
	is_int((long long)r.n, 0, "redact_free empties the list");
	return tap_done();
}
