/* OAuth 2.0 without I/O: form encoding, replies, the state file's text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "oauth2.h"
#include "tap.h"

static void
form(void)
{
	struct buf b = BUF_INIT;

	oauth2_form(&b, "grant_type", "refresh_token");
	oauth2_form(&b, "scope", "https://x.example/SMTP.Send offline_access");
	oauth2_form(&b, "refresh_token", "a+b/c=d&e~f_g.h-i");
	is_str(buf_cstr(&b),
	    "grant_type=refresh_token"
	    "&scope=https%3A%2F%2Fx.example%2FSMTP.Send+offline_access"
	    "&refresh_token=a%2Bb%2Fc%3Dd%26e~f_g.h-i",
	    "form: RFC 6749 appendix B encoding");
	buf_free(&b);
}

#define P(s, st, dev) oauth2_parse(s, strlen(s), st, dev, &r, &e)

static void
replies(void)
{
	struct oauth2_reply r;
	struct err e = {0};
	char *t;

	is_int(P("{\"access_token\":\"at\",\"token_type\":\"bearer\","
	         "\"expires_in\":3599,\"refresh_token\":\"rt2\"}\n",
	           200, 0),
	    0, "token reply: parsed");
	is_str(r.access_token, "at", "token reply: access_token");
	is_int(r.expires_in, 3599, "token reply: expires_in");
	is_str(r.refresh_token, "rt2", "token reply: a rotated refresh token");
	ok(r.error == NULL, "token reply: no error");
	oauth2_reply_free(&r);
	is_int(P("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
	         "\"expires_in\":\"3600\"}",
	           200, 0),
	    0, "token reply: expires_in as a string");
	is_int(r.expires_in, 3600, "token reply: its value");
	ok(r.refresh_token == NULL, "token reply: no new refresh token");
	oauth2_reply_free(&r);
	is_int(P("{\"access_token\":\"at\",\"token_type\":\"mac\"}", 200, 0),
	    -1, "token reply: not a bearer token");
	err_clear(&e);
	is_int(P("{\"access_token\":\"at\"} x", 200, 0), -1,
	    "token reply: text after the object");
	is_str(e.msg, "HTTP 200, the reply is not a JSON object",
	    "token reply: not JSON, said");
	err_clear(&e);
	is_int(P("<html>", 503, 0), -1, "HTML: refused");
	err_clear(&e);
	is_int(P("{\"a\":1}", 500, 0), -1, "HTTP 500 without an error code");
	is_str(e.msg, "HTTP 500 without an error code", "...said");
	err_clear(&e);
	is_int(P("{\"error\":\"invalid_grant\",\"error_description\":"
	         "\"AADSTS70008: expired\\r\\nline two\"}",
	           400, 0),
	    0, "error reply: parsed");
	t = oauth2_error_text(&r);
	is_str(t, "invalid_grant: AADSTS70008: expired  line two",
	    "error text: one line");
	free(t);
	oauth2_reply_free(&r);
	is_int(P("{\"device_code\":\"d\",\"user_code\":\"U-1\","
	         "\"verification_url\":\"https://g.example/device\","
	         "\"expires_in\":1800,\"interval\":5}",
	           200, 1),
	    0, "device reply (Google's verification_url)");
	is_str(r.verification_uri, "https://g.example/device",
	    "device reply: where to go");
	is_int(r.interval, 5, "device reply: interval");
	oauth2_reply_free(&r);
	is_int(P("{\"device_code\":\"d\"}", 200, 1), -1,
	    "device reply without a user code");
	err_clear(&e);
}

static void
rules(void)
{
	is_int(oauth2_lifetime(3600), 3540, "lifetime: a minute early");
	is_int(oauth2_lifetime(60), 30, "lifetime: short ones, half");
	is_int(oauth2_lifetime(-1), 600, "lifetime: not said, 10 minutes");
	is_int(oauth2_poll_next("authorization_pending"), POLL_WAIT,
	    "poll: pending");
	is_int(oauth2_poll_next("slow_down"), POLL_SLOWER, "poll: slow_down");
	is_int(oauth2_poll_next("access_denied"), POLL_FAIL, "poll: denied");
	is_int(oauth2_poll_next("expired_token"), POLL_FAIL, "poll: expired");
}

static void
state(void)
{
	struct oauth2_state s = {0}, t;
	struct err e = {0};
	char *text, *again;

	s.token_url = strdup("https://t.example/token");
	s.client_id = strdup("c");
	s.access_token = strdup("at/1");
	s.expires = 1700000000;
	s.refresh_token = strdup("rt");
	oauth2_state_reject(&s, "old");
	oauth2_state_reject(&s, "old");
	is_int((long long)s.nrejected, 1, "state: a refused token, once");
	ok(oauth2_state_rejected(&s, "old") && !oauth2_state_rejected(&s, "rt"),
	    "state: refused or not");
	ok(strstr(s.rejected[0], "old") == NULL && strlen(s.rejected[0]) == 64,
	    "state: kept as a digest");
	text = oauth2_state_format(&s);
	is_int(oauth2_state_parse(text, strlen(text), &t, &e), 0,
	    "state: read back");
	again = oauth2_state_format(&t);
	is_str(again, text, "state: the same");
	is_int(t.expires, 1700000000, "state: expires");
	ok(oauth2_state_rejected(&t, "old"), "state: refused, read back");
	free(text);
	free(again);
	oauth2_state_free(&t);
	oauth2_state_free(&s);
	is_int(oauth2_state_parse("{\"rejected\":[1]}", 16, &t, &e), -1,
	    "state: a bad list");
	err_clear(&e);
	is_int(oauth2_state_parse("{\"acc", 5, &t, &e), -1, "state: torn");
	err_clear(&e);
}

int
main(void)
{
	form();
	replies();
	rules();
	state();
	return tap_done();
}
