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

static void
masked(const char *url, const char *want, const char *name)
{
	char *got = redact_url(url);

	is_str(got, want, name);
	free(got);
}

/* RFC 3986 3.2.1: a proxy URL's password, never its user or host. */
static void
proxy_urls(void)
{
	char *b64;

	masked("socks5h://bob:p%40ss@proxy:1080",
	    "socks5h://bob:********@proxy:1080", "URL: the password masked");
	masked("socks5h://bob@proxy:1080", "socks5h://bob@proxy:1080",
	    "URL: a user alone is shown");
	masked("socks5h://proxy:1080", "socks5h://proxy:1080",
	    "URL: no userinfo, unchanged");
	masked("socks5h://bob:a@b@proxy", "socks5h://bob:********@proxy",
	    "URL: up to the last '@' of the authority");
	masked("socks5h://proxy/x@y:z", "socks5h://proxy/x@y:z",
	    "URL: an '@' after the authority is not userinfo");
	redact_add_url(&r, "socks5h://proxy:1080");
	is_int((long long)r.n, 0, "URL without a password: no secret");
	redact_add_url(&r, "socks5h://bob:p%40ss@proxy:1080");
	scrub("pw p@ss, typed p%40ss", "pw " REDACTED ", typed " REDACTED,
	    "URL: the password, decoded and as typed");
	b64 = base64_encode("bob:p@ss", 8);
	scrub(b64, REDACTED, "URL: HTTP Basic's user:password in base64");
	free(b64);
	scrub("bob at proxy", "bob at proxy", "URL: the user is no secret");
	redact_free(&r);
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
	proxy_urls();
	return tap_done();
}
