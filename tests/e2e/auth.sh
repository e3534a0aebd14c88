#!/bin/sh
# SMTP AUTH (RFC 4954) over TLS: the mechanism is the one configured
# ("auto": PLAIN, else LOGIN), the secret comes from "password" or from
# password_command (a bearer token for XOAUTH2 and OAUTHBEARER), and
# the send fails (nothing sent, the message queued) when the relay does
# not authenticate us.  The secret never shows: not with -v, not in the
# log, not in an error, in clear or in base64.
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
printf 'From: bob@example.org\nTo: alice@example.com\nSubject: auth\n\nbody\n' >"$T/msg"
pw='Pa55-w0rd:secret'
token='ya29.token-for-alice_XYZ'

# send (lib.sh): as alice over STARTTLS, -vv output in $T/NAME.err.
SEND_CONF="tls = \"starttls\";
tls_ca_file = \"$T/ca.pem\";
user = \"alice\";"
SEND_FLAGS=-vv

# --- mechanisms
tls_relay "$T/r1" --auth "alice:$pw" --auth-mechs PLAIN,LOGIN,CRAM-MD5
send auto "$RELAY_PORT" "password = \"$pw\";"
is "$?/$(cat "$T/r1/msg.1/auth")" "0/PLAIN alice" \
	"auth auto: PLAIN, not CRAM-MD5 though offered"
is "$(log_norm "$T/auto.log")" \
	"sent id=ID $ME from=<bob@example.org> to=<alice@example.com> relay=127.0.0.1:$RELAY_PORT tls=$(cat "$T/r1/msg.1/tls") cipher=C auth=alice size=$(wc -c <"$T/r1/msg.1/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as 1\"" \
	"the log line names the TLS version and the user"
send login "$RELAY_PORT" "password = \"$pw\";" 'auth = "login";'
is "$?/$(cat "$T/r1/msg.2/auth")" "0/LOGIN alice" "auth login"
send cram "$RELAY_PORT" "password = \"$pw\";" 'auth = "CRAM-MD5";'
is "$?/$(cat "$T/r1/msg.3/auth")" "0/CRAM-MD5 alice" "auth cram-md5"
printf "printf '%%s\\\\r\\\\nsecond line\\\\n' '%s'\n" "$pw" >"$T/pw.sh"
send pwcmd "$RELAY_PORT" "password_command = \"sh $T/pw.sh\";"
is "$?/$(cat "$T/r1/msg.4/auth")" "0/PLAIN alice" \
	"password_command: its first line, CR LF stripped"

tls_relay "$T/r2" --auth "alice:$pw" --auth-mechs LOGIN
send autologin "$RELAY_PORT" "password = \"$pw\";"
is "$?/$(cat "$T/r2/msg.1/auth")" "0/LOGIN alice" "auth auto: LOGIN when PLAIN is not offered"
send logincmd "$RELAY_PORT" "password_command = \"sh $T/pw.sh\";" 'auth = "login";'
is "$?/$(cat "$T/r2/msg.2/auth")" "0/LOGIN alice" "auth login with password_command"
send onlyplain "$RELAY_PORT" "password = \"$pw\";" 'auth = "plain";'
is "$?/$(count "$T/r2")/$(queued onlyplain)" "0/2/1" \
	"auth plain, relay offers LOGIN only: nothing sent, queued"
is "$(grep '^mailout: queued as ' "$T/onlyplain.err" | sed 's/^mailout: queued as [^:]*: //')" \
	"127.0.0.1:$RELAY_PORT: AUTH: the relay does not offer AUTH PLAIN (auth = \"PLAIN\"); it offers LOGIN" \
	"auth plain, relay offers LOGIN only: says what it offers and what auth asks for"

# --- bearer tokens
tls_relay "$T/r3" --auth "alice:$token" --auth-mechs XOAUTH2,OAUTHBEARER,PLAIN
send xoauth2 "$RELAY_PORT" "password_command = \"echo $token\";" 'auth = "xoauth2";'
is "$?/$(cat "$T/r3/msg.1/auth")" "0/XOAUTH2 alice" "XOAUTH2 with a token from password_command"
send oauthbearer "$RELAY_PORT" "password_command = \"echo $token\";" 'auth = "oauthbearer";'
is "$?/$(cat "$T/r3/msg.2/auth")" "0/OAUTHBEARER alice" "OAUTHBEARER with a token"
send badtoken "$RELAY_PORT" 'password_command = "echo expired";' 'auth = "xoauth2";'
is "$?/$(count "$T/r3")/$(queued badtoken)" "0/2/1" "XOAUTH2 refused: nothing sent, queued"

# --- a queue run: one connection, one AUTH, every message authenticated
tls_relay "$T/r6" --auth "alice:$pw"
conf "$T/run.conf" "$RELAY_PORT" 'tls = "starttls";' "tls_ca_file = \"$T/ca.pem\";" \
	'user = "alice";' "password = \"$pw\";" "queue_dir = \"$T/qrun\";" \
	"logfile = \"$T/run.log\";"
chmod 600 "$T/run.conf"
for i in 1 2 3; do
	"$MAILOUT" -C "$T/run.conf" -odq -i alice@example.com <"$T/msg" 2>/dev/null
done
"$MAILOUT" -C "$T/run.conf" -q
is "$?/$(count "$T/r6")/$(cat "$T/r6/sessions")" "0/3/1" \
	"queue run: three messages over one connection"
is "$(for f in "$T/r6"/msg.*/auth; do cat "$f"; echo; done | sort -u)" "PLAIN alice" \
	"queue run: each message authenticated"
for i in 1 2 3; do
	echo "sent id=ID $ME from=$(cat "$T/r6/msg.$i/mail") to=<alice@example.com> relay=127.0.0.1:$RELAY_PORT tls=$(cat "$T/r6/msg.$i/tls") cipher=C auth=alice size=$(wc -c <"$T/r6/msg.$i/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as $i\""
done >"$T/want"
log_norm "$T/run.log" | grep '^sent ' >"$T/got"
same_file "$T/got" "$T/want" "queue run: each logged with auth=alice"

# --- failures: nothing is sent, the message waits in the queue
send wrongpw "$RELAY_PORT" 'password = "wrong";'
is "$?/$(count "$T/r3")/$(queued wrongpw)" "0/2/1" "wrong password: nothing sent, queued"
grep -q "AUTH: 535" "$T/wrongpw.err"
ok $? "wrong password: the relay's 535 is shown"
send cmdfails "$RELAY_PORT" 'password_command = "exit 3";'
is "$?/$(count "$T/r3")/$(queued cmdfails)" "0/2/1" \
	"password_command fails: nothing sent, queued"
grep -q "password_command: exit status 3" "$T/cmdfails.err"
ok $? "password_command fails: says so"
send cmdempty "$RELAY_PORT" 'password_command = "true";'
is "$?/$(queued cmdempty)" "0/1" "password_command prints nothing: queued"
grep -q "password_command printed no secret" "$T/cmdempty.err"
ok $? "password_command prints nothing: says so"

# The relay offers no AUTH: libcurl would send without it.
tls_relay "$T/r4"
send noauth "$RELAY_PORT" "password = \"$pw\";"
is "$?/$(count "$T/r4")/$(queued noauth)" "0/0/1" \
	"relay offers no AUTH: nothing sent, queued"
grep -q "did not authenticate us" "$T/noauth.err"
ok $? "relay offers no AUTH: says so"
grep -q "^C: MAIL" "$T/r4/session.1.log"
is $? 1 "relay offers no AUTH: no MAIL command"

# STARTTLS stripped: the credentials never travel in clear text.
relay_start "$T/r5" --auth "alice:$pw" --auth-without-tls
send stripped "$RELAY_PORT" "password = \"$pw\";"
is "$?/$(count "$T/r5")/$(queued stripped)" "0/0/1" \
	"relay without STARTTLS: nothing sent, queued"
grep -q "^C: AUTH" "$T/r5/session.1.log"
is $? 1 "relay without STARTTLS: no AUTH in clear text"

# --- larger than the relay's SIZE, found after AUTH: the message fails
# for that reason; the relay's last reply (235) was no verdict on it
tls_relay "$T/r7" --auth "alice:$pw" --size 4000
conf "$T/big.conf" "$RELAY_PORT" 'tls = "starttls";' "tls_ca_file = \"$T/ca.pem\";" \
	'user = "alice";' "password = \"$pw\";" "queue_dir = \"$T/qbig\";" \
	"logfile = \"$T/big.log\";"
chmod 600 "$T/big.conf"
{
	cat "$T/msg"
	yes 'a line of the body' | head -c 8000
} >"$T/bigmsg"
"$MAILOUT" -C "$T/big.conf" -odq -i -f bob@example.org alice@example.com \
	<"$T/bigmsg" 2>/dev/null
"$MAILOUT" -C "$T/big.conf" -q
is "$(entries "$T/qbig/failed")/$(count "$T/r7")" "1/1" \
	"larger than SIZE after AUTH: failed, one bounce"
grep -q '^Status: 5\.' "$T/r7/msg.1/data"
ok $? "larger than SIZE after AUTH: the bounce's status is permanent"
grep -q '^Diagnostic-Code: .*larger than the relay.s limit of 4000' "$T/r7/msg.1/data"
ok $? "larger than SIZE after AUTH: the bounce gives the reason"
# 235 as a number of its own: the bounce's boundary holds the time, which
# has those digits in it at times (1796323591).
grep -q '\(^\|[^0-9]\)235\([^0-9]\|$\)\|Authentication successful' \
	"$T/r7/msg.1/data" "$T/big.log"
is $? 1 "larger than SIZE after AUTH: the 235 is no reason, in the bounce or the log"

# --- --server-info --auth: connect as for a message, authenticate, NOOP
# instead of a message, QUIT; the exact reason when the relay refuses.
tls_relay "$T/r8" --auth "alice:$pw" --auth-mechs PLAIN,LOGIN
# siauth NAME SETTINGS...: --server-info --auth -vv with the settings;
# stdout in $T/NAME.out, stderr (the conversation too) in $T/NAME.err.
siauth() {
	_n=$1
	shift
	conf "$T/$_n.conf" "$RELAY_PORT" 'tls = "starttls";' \
		"tls_ca_file = \"$T/ca.pem\";" 'user = "alice";' "$@"
	chmod 600 "$T/$_n.conf"
	"$MAILOUT" -C "$T/$_n.conf" --server-info --auth -vv \
		>"$T/$_n.out" 2>"$T/$_n.err"
}
siauth siok "password = \"$pw\";"
is "$?/$(grep '^  AUTH' "$T/siok.out")" \
	"0/  AUTH mechanisms: PLAIN LOGIN
  AUTH: authenticated as alice (AUTH PLAIN)" \
	"--server-info --auth: exit 0, authenticated, the mechanism named"
n=$(cat "$T/r8/sessions")
is "$(grep '^C: ' "$T/r8/session.$n.log" | sed 's/^\(C: AUTH [A-Z]*\) .*/\1/')" \
	"C: EHLO client.example.org
C: STARTTLS
C: EHLO client.example.org
C: AUTH PLAIN
C: NOOP
C: QUIT" "--server-info --auth: AUTH, then NOOP and QUIT, no message"
is "$(count "$T/r8")" 0 "--server-info --auth: nothing stored by the relay"
grep -qx '> AUTH PLAIN \[redacted\]' "$T/siok.err"
ok $? "--server-info --auth -vv: AUTH PLAIN [redacted]"
siauth silogin "password = \"$pw\";" 'auth = "login";'
is "$?/$(grep '^  AUTH: ' "$T/silogin.out")/$(sed -n '/^> AUTH/,/^< 235/p' "$T/silogin.err")" \
	"0/  AUTH: authenticated as alice (AUTH LOGIN)/> AUTH LOGIN [redacted]
< 334 UGFzc3dvcmQ6
> [redacted]
< 235 2.7.0 Authentication successful" \
	"--server-info --auth, LOGIN, -vv: the user name and password [redacted]"
siauth sibad 'password = "wrong";'
st=$?
why="127.0.0.1:$RELAY_PORT: AUTH: 535 5.7.8 Authentication credentials invalid"
is "$st/$(grep '^  AUTH: ' "$T/sibad.out")/$(grep '^mailout: ' "$T/sibad.err")" \
	"78/  AUTH: failed: $why/mailout: $why" \
	"--server-info --auth, wrong password: exit 78, the relay's reply"
siauth simech "password = \"$pw\";" 'auth = "cram-md5";'
st=$?
why="127.0.0.1:$RELAY_PORT: AUTH: the relay does not offer AUTH CRAM-MD5 (auth = \"CRAM-MD5\"); it offers PLAIN LOGIN"
is "$st/$(grep '^  AUTH: ' "$T/simech.out")/$(grep '^mailout: ' "$T/simech.err")" \
	"78/  AUTH: failed: $why/mailout: $why" \
	"--server-info --auth, a mechanism not offered: exit 78, what is offered"
siauth sicmd "password_command = \"printf '%s\\\\n' '$pw'\";"
is "$?/$(grep '^  AUTH: ' "$T/sicmd.out")" \
	"0/  AUTH: authenticated as alice (AUTH PLAIN)" \
	"--server-info --auth with password_command: authenticated"
conf "$T/sinone.conf" "$RELAY_PORT" 'tls = "starttls";' \
	"tls_ca_file = \"$T/ca.pem\";"
"$MAILOUT" -C "$T/sinone.conf" --server-info --auth >"$T/sinone.out" \
	2>"$T/sinone.err"
is "$?/$(cat "$T/sinone.out")/$(cat "$T/sinone.err")" \
	"78//mailout: --auth: no credentials to try: set user, and password or password_command" \
	"--server-info --auth without credentials: exit 78, says so, connects not"
"$MAILOUT" -C "$T/siok.conf" --auth >"$T/siusage.out" 2>"$T/siusage.err" </dev/null
is "$?/$(head -1 "$T/siusage.err")" \
	"64/mailout: --auth needs --server-info: mailout --server-info --auth" \
	"--auth without --server-info: exit 64"

# --- the secret shows nowhere: -vv, the log, the messages
b64() { printf "$1" | base64 | tr -d '\n'; }
leaks=0
for f in "$T"/*.err "$T"/*.log "$T"/*.out; do
	for s in "$pw" "$token" "$(b64 "$pw")" "$(b64 "\\0alice\\0$pw")" \
		"$(b64 "$token")" "$(b64 "user=alice\\001auth=Bearer $token\\001\\001")" \
		"$(b64 "n,a=alice,\\001host=127.0.0.1\\001port=$(cat "$T/r3/port")\\001auth=Bearer $token\\001\\001")"; do
		if grep -qF -e "$s" "$f"; then
			echo "# $f shows $s"
			leaks=$((leaks + 1))
		fi
	done
done
is $leaks 0 "neither the password nor the token, in clear or base64, in -vv or the log"
grep -q '^> AUTH PLAIN \[redacted\]$' "$T/auto.err"
ok $? "-v shows AUTH PLAIN [redacted]"
grep -c '^> \[redacted\]$' "$T/login.err" | grep -q '^[12]$'
ok $? "-v shows LOGIN's responses as [redacted]"

# --- configuration: a password needs a private file and TLS
printf 'host = "127.0.0.1";\nuser = "alice";\npassword = "%s";\n' "$pw" >"$T/open.conf"
chmod 644 "$T/open.conf"
"$MAILOUT" -C "$T/open.conf" -i alice@example.com <"$T/msg" 2>"$T/open.err"
is $? 78 "a password in a file others can read: exit 78"
is "$(cat "$T/open.err")" \
	"mailout: $T/open.conf: holds a password and is readable by others; chmod o-r $T/open.conf" \
	"a password in a file others can read: the message"
mkdir -p "$T/etc"
conf "$T/etc/main.conf" "$(cat "$T/r1/port")" 'tls = "starttls";' \
	"tls_ca_file = \"$T/ca.pem\";" 'user = "alice";' "queue_dir = \"$T/qinc\";"
echo '@include "secret.conf"' >>"$T/etc/main.conf"
printf 'password = "%s";\n' "$pw" >"$T/etc/secret.conf"
chmod 644 "$T/etc/main.conf"
chmod 604 "$T/etc/secret.conf"
"$MAILOUT" -C "$T/etc/main.conf" -i alice@example.com <"$T/msg" 2>"$T/inc.err"
is $? 78 "a password in an included file others can read: exit 78"
grep -q "^mailout: $T/etc/secret.conf: holds a password" "$T/inc.err"
ok $? "a password in an included file: that file is named"
chmod 640 "$T/etc/secret.conf"
"$MAILOUT" -C "$T/etc/main.conf" -i alice@example.com <"$T/msg" 2>"$T/inc.err"
is "$?/$(count "$T/r1")" "0/5" "group-readable file with a password: accepted"
printf 'host = "127.0.0.1";\ntls = "none";\nuser = "alice";\npassword = "x";\n' >"$T/clear.conf"
chmod 600 "$T/clear.conf"
"$MAILOUT" -C "$T/clear.conf" -i alice@example.com <"$T/msg" 2>"$T/clear.err"
is $? 78 "credentials with tls = none: exit 78"
grep -q "clear.conf:2: credentials are configured, so 'tls' cannot be \"none\"" "$T/clear.err"
ok $? "credentials with tls = none: FILE:LINE: message"
printf 'host = "127.0.0.1";\nuser = "alice";\n' >"$T/nopw.conf"
"$MAILOUT" -C "$T/nopw.conf" -i alice@example.com <"$T/msg" 2>"$T/nopw.err"
is "$?/$(cat "$T/nopw.err")" \
	"78/mailout: $T/nopw.conf:2: 'user' needs 'password' or 'password_command'" \
	"user without a password: FILE:LINE: message"

done_testing
