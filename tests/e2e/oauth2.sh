#!/bin/sh
# OAuth 2.0 built in: the access token comes from a token endpoint (the
# mock identity provider tests/relay/idp.py, HTTPS on 127.0.0.1), is kept
# in the account's state file and reused, is replaced when the relay
# refuses it, and the refresh token rotates.  The relay takes only the
# tokens the provider issued.  Failures of the endpoint queue the
# message; --oauth2-login runs the device grant.  No token or secret
# shows in any output, log or file others can read.
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
printf 'From: bob@example.org\nTo: alice@example.com\nSubject: oauth\n\nbody\n' >"$T/msg"
I=$T/idp
mkdir -p "$I"
"$PYTHON3" "$srcdir/tests/relay/idp.py" --dir "$I" --cert "$T/server.pem" \
	--key "$T/server.key" --client app:app-Secret-42 \
	--refresh rt0-first-Refresh --rotate >"$T/idp.out" 2>&1 &
RELAY_PIDS="$RELAY_PIDS $!"
wait_file "$I/port" $!
IDP="https://127.0.0.1:$(cat "$I/port")"
tls_relay "$T/r" --auth-mechs XOAUTH2,OAUTHBEARER --bearer-file "$I/tokens" \
	--require-auth

# requests: the token endpoint's requests so far, one a line.
requests() { cat "$I/requests" 2>/dev/null; }
# issued N KIND: the Nth token of KIND (access, refresh) it issued.
issued() { grep "^$2 " "$I/issued" | sed -n "$1{s/^[a-z]* //;p}"; }
sessions() { cat "$T/r/sessions"; }

O2="client_id = \"app\"; ca_file = \"$T/ca.pem\";"
SEND_CONF="tls = \"starttls\";
tls_ca_file = \"$T/ca.pem\";
auth = \"xoauth2\";
user = \"bob@example.org\";
queue_dir = \"$T/qs\";
oauth2 = { token_url = \"$IDP/token\"; device_url = \"$IDP/device\"; $O2 refresh_token = \"rt0-first-Refresh\"; };"
SEND_FLAGS=-v
STATE=$T/qs/oauth2/default

# --- one token for two sends
before_send "$T/r"
send first "$RELAY_PORT"
is "$?/$(last "$T/r" bearer)" "0/$(issued 1 access)" \
	"a send fetches a token, and the relay takes it"
is "$(requests)" \
	"/token client_id=app grant_type=refresh_token refresh_token=rt0-first-Refresh" \
	"one token request, with the configured refresh token"
before_send "$T/r"
send second "$RELAY_PORT"
is "$?/$(last "$T/r" bearer)/$(requests | wc -l)" "0/$(issued 1 access)/1" \
	"the next send reuses it: no token request"
is "$(stat -c %a "$STATE")" 660 "the state file: mode 0660"
grep -q "\"refresh_token\":\"$(issued 2 refresh)\"" "$STATE"
ok $? "the state file holds the rotated refresh token"
grep -c "rt0-first-Refresh" "$STATE" | grep -qx 0
ok $? "...and not the first one"

# --- revoked: the relay refuses it, a new one from the rotated refresh token
: >"$I/tokens"
s0=$(sessions)
before_send "$T/r"
send revoked "$RELAY_PORT"
is "$?/$(last "$T/r" bearer)" "0/$(issued 2 access)" \
	"a revoked token: replaced within the same send"
is "$(requests | sed -n 2p)" \
	"/token client_id=app grant_type=refresh_token refresh_token=$(issued 2 refresh)" \
	"...from the rotated refresh token"
is "$(($(sessions) - s0))/$(requests | wc -l)" 2/2 \
	"...one refused session, one token request, one session that sends"
grep -q '^< 334 ' "$T/revoked.err" && grep -q '^! oauth2: the relay refused the token$' "$T/revoked.err"
ok $? "-v: the XOAUTH2 error challenge, then a new token"

# --- expiry: a token for 2 s is used for 1 s
echo 2 >"$I/expires_in"
: >"$I/tokens"
send short "$RELAY_PORT" && rm -f "$I/expires_in" && sleep 1.2
before_send "$T/r"
s0=$(sessions)
send expired "$RELAY_PORT"
is "$?/$(requests | wc -l)/$(($(sessions) - s0))/$(last "$T/r" bearer)" \
	"0/4/1/$(issued 4 access)" \
	"an expired token: a new one before the send, no session refused"

# --- OAUTHBEARER (RFC 7628) with the same token
before_send "$T/r"
send bearer "$RELAY_PORT" 'auth = "oauthbearer";'
is "$?/$(last "$T/r" auth)/$(last "$T/r" bearer)/$(requests | wc -l)" \
	"0/OAUTHBEARER bob@example.org/$(issued 4 access)/4" \
	"OAUTHBEARER with the cached token"

# --- invalid_grant: queued, the reason in mailq and the log; never again
echo invalid_grant >"$I/fail"
: >"$I/tokens"
send grant "$RELAY_PORT"
is "$?/$(entries "$T/qs/q")" 0/1 "invalid_grant: exit 0, queued"
why="oauth2: invalid_grant: the provider says invalid_grant"
grep -qF "$why" "$T/grant.err"
ok $? "invalid_grant: said on stderr"
grep -qF "$why" "$T/grant.log"
ok $? "invalid_grant: in the log"
"$MAILOUT" -C "$T/grant.conf" -bp >"$T/mailq.out" 2>&1
grep -qF "$why" "$T/mailq.out"
ok $? "invalid_grant: mailq shows it"
rm -f "$I/fail"
n=$(requests | wc -l)
"$MAILOUT" -C "$T/grant.conf" -q -v >"$T/again.out" 2>&1
is "$(requests | wc -l)/$(entries "$T/qs/q")" "$n/1" \
	"the refused refresh token is not sent again; the message waits"
grep -qF "the refresh token was refused (invalid_grant) and is not sent again" \
	"$T/again.out"
ok $? "...and mailout says so"
"$MAILOUT" -C "$T/grant.conf" --server-info >"$T/info.out" 2>&1
is "$?/$(grep '^oauth2:' "$T/info.out")" \
	"75/oauth2: the refresh token was refused (invalid_grant) and is not sent again: run mailout --oauth2-login, or set a new 'refresh_token'" \
	"--server-info reports the token error"

# --- --oauth2-login: the device grant, then the queue goes out with its token
echo 2 >"$I/pending"
n=$(requests | wc -l)
"$MAILOUT" -C "$T/grant.conf" --oauth2-login >"$T/login.out" 2>"$T/login.err"
is "$?/$(head -1 "$T/login.out")" \
	"0/To sign in, open $IDP/verify and enter the code WDJB-MJHT" \
	"--oauth2-login: where to sign in, and the code"
is "$(requests | sed "1,${n}d" | sed 's/device_code=[0-9a-f]*/device_code=D/')" \
	"/device client_id=app
/token client_id=app device_code=D grant_type=urn:ietf:params:oauth:grant-type:device_code
/token client_id=app device_code=D grant_type=urn:ietf:params:oauth:grant-type:device_code
/token client_id=app device_code=D grant_type=urn:ietf:params:oauth:grant-type:device_code" \
	"--oauth2-login: the device code, then polls while authorization is pending"
login_at=$(issued 5 access)
before_send "$T/r"
"$MAILOUT" -C "$T/grant.conf" -q >"$T/run.out" 2>&1
is "$?/$(entries "$T/qs/q")/$(last "$T/r" bearer)/$(requests | wc -l)" \
	"0/0/$login_at/$((n + 4))" \
	"after the login, the queued message goes with its token"
: >"$I/tokens"
send afterlogin "$RELAY_PORT"
is "$?/$(requests | tail -1)" \
	"0//token client_id=app grant_type=refresh_token refresh_token=$(issued 6 refresh)" \
	"the login's refresh token is the one used next"

# --- client credentials (RFC 6749 4.4)
before_send "$T/r"
send app "$RELAY_PORT" "queue_dir = \"$T/qapp\";" \
	"oauth2 = { token_url = \"$IDP/token\"; $O2 grant = \"client_credentials\"; client_secret = \"app-Secret-42\"; scope = \"https://outlook.office365.com/.default\"; };"
is "$?/$(requests | tail -1)" \
	"0//token client_id=app client_secret=app-Secret-42 grant_type=client_credentials scope=https://outlook.office365.com/.default" \
	"client credentials: the request"
is "$(last "$T/r" bearer)" "$(grep '^access ' "$I/issued" | tail -1 | cut -d' ' -f2)" \
	"client credentials: the relay takes its token"

# --- four processes at once, no token yet: the lock makes one request
n=$(requests | wc -l)
m=$(count "$T/r")
pids=
for k in 1 2 3 4; do
	send "par$k" "$RELAY_PORT" "queue_dir = \"$T/qpar\";" \
		"oauth2 = { token_url = \"$IDP/token\"; $O2 grant = \"client_credentials\"; client_secret = \"app-Secret-42\"; };" &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # the senders, not the relay and the provider
wait $pids
is "$(($(requests | wc -l) - n))/$(($(count "$T/r") - m))" 1/4 \
	"four concurrent sends: one token request, four messages"

# --- the endpoint down or slow: queued, said
echo down >"$I/fail"
send down "$RELAY_PORT" "queue_dir = \"$T/qdown\";"
is "$?/$(entries "$T/qdown/q")" 0/1 "the endpoint down: exit 0, queued"
grep -qF "oauth2: $IDP/token: HTTP 503, the reply is not a JSON object" "$T/down.log"
ok $? "the endpoint down: the log says so"
echo "slow 5" >"$I/fail"
t0=$(date +%s)
send slow "$RELAY_PORT" "queue_dir = \"$T/qslow\";" "connect_timeout = 1;" \
	"reply_timeout = 1;"
is "$?/$(entries "$T/qslow/q")/$(($(date +%s) - t0 < 5))" 0/1/1 \
	"the endpoint slow: given up after the timeouts, queued"
grep -q "oauth2: $IDP/token: Operation timed out" "$T/slow.log"
ok $? "the endpoint slow: the log says so"
rm -f "$I/fail"

# --- the endpoint's certificate is checked
n=$(requests | wc -l)
send untrusted "$RELAY_PORT" "queue_dir = \"$T/qbad\";" \
	"oauth2 = { token_url = \"$IDP/token\"; client_id = \"app\"; ca_file = \"$T/other.pem\"; refresh_token = \"rt0-first-Refresh\"; };"
is "$?/$(entries "$T/qbad/q")/$(requests | wc -l)" "0/1/$n" \
	"an endpoint whose certificate is not trusted gets nothing; queued"

# --- --check-config: the settings, secrets masked
"$MAILOUT" -C "$T/app.conf" --check-config >"$T/check.out" 2>&1
grep -qx '		client_secret = "\*\*\*\*\*\*\*\*";' "$T/check.out" &&
	grep -qx '		grant = "client_credentials";' "$T/check.out" &&
	grep -qx "	# oauth2 tokens kept in $T/qapp/oauth2/default" "$T/check.out"
ok $? "--check-config: the oauth2 settings, the secret masked"

# --- no secret anywhere: outputs, logs, the queue, the -X transcript
SEND_FLAGS="-v -X $T/x.trace"
: >"$I/tokens"
send traced "$RELAY_PORT"
b64() { printf "$1" | base64 | tr -d '\n'; }
cut -d' ' -f2 "$I/issued" | sort -u >"$T/secrets"
printf '%s\n' app-Secret-42 rt0-first-Refresh >>"$T/secrets"
leaks=0
for f in "$T"/*.err "$T"/*.log "$T"/*.out "$T/x.trace" \
	$(find "$T"/q* -type f ! -path '*/oauth2/*'); do
	while read -r s; do
		if grep -qF -e "$s" -e "$(b64 "$s")" "$f"; then
			echo "# $f shows $s"
			leaks=$((leaks + 1))
		fi
	done <"$T/secrets"
done
is "$leaks/$(wc -l <"$T/secrets")" "0/$(($(grep -c . "$I/issued") + 2))" \
	"no token or secret in any output, log, queue file or -X transcript"
is "$(find "$T"/q*/oauth2 -type f -perm /o=rwx | wc -l)" 0 \
	"no state file is readable by others"

done_testing
