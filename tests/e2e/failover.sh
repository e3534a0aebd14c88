#!/bin/sh
# Failover: the relays of an account ("hosts") are tried in order for
# any failure before the message data is sent; the message reaches the
# next relay exactly once.  Never once the data has gone out: a 5xx, or
# a lost connection, after the final dot stays with the first relay.
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
cat >"$T/msg" <<'EOF2'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <failover@example.org>
Subject: failover

body
EOF2
crlf <"$T/msg" >"$T/msg.crlf"

# hosts FIRST-PORT SECOND-PORT: the two relays, in that order (in conf()
# and send, it replaces the single host and port).
hosts() {
	echo "hosts = ( \"127.0.0.1:$1\", \"127.0.0.1:$2\" );"
}
# send (lib.sh): -v output in $T/NAME.err.
SEND_CONF="tls_ca_file = \"$T/ca.pem\";"
SEND_FLAGS=-v

relay_start "$T/b"
b=$RELAY_PORT

# --- the first relay refuses the connection
send refused 0 "$(hosts "$(free_port)" "$b")"
is "$?/$(count "$T/b")/$(queued refused)" "0/1/0" \
	"first refuses connections: the second has it, once"
same_file "$T/b/msg.1/data" "$T/msg.crlf" "first refuses connections: intact"
grep -q "^! 127.0.0.1:[0-9]*: connect: .*; trying 127.0.0.1:$b$" "$T/refused.err"
ok $? "-v says why it fails over and where to"
# (libcurl's words for the refused connection hold a time: left open.)
log_norm "$T/refused.log" >"$T/got"
is "$(wc -l <"$T/got" | tr -d ' ')/$(grep -cx "sent id=ID $ME from=<bob@example.org> to=<alice@example.com> relay=127.0.0.1:$b skipped=\"127.0.0.1:[0-9]*: connect: [^\"]*\" tls=none auth=none size=$(wc -c <"$T/b/msg.1/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as 1\"" "$T/got")" \
	"1/1" "the log names the relay used and the one skipped"

# --- 421 at the greeting
relay_start "$T/a2" --fault 'greeting=421 4.3.2 busy'
send busy 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/a2")/$(count "$T/b")/$(queued busy)" "0/0/2/0" \
	"first answers 421 at the greeting: the second has it, once"

# --- TLS fails on the first (a certificate for another name)
relay_start "$T/a3" --tls-cert "$T/wrong.pem" --tls-key "$T/wrong.key"
relay_start "$T/b3" --tls-cert "$T/server.pem" --tls-key "$T/server.key"
send tls 0 "$(hosts "$(cat "$T/a3/port")" "$RELAY_PORT")" 'tls = "starttls";'
is "$?/$(count "$T/a3")/$(count "$T/b3")/$(queued tls)" "0/0/1/0" \
	"TLS fails on the first: the second has it, once"
grep -q "^C: MAIL" "$T/a3/session.1.log"
is $? 1 "TLS fails on the first: it saw no MAIL"

# --- 4xx to MAIL, and to every RCPT
relay_start "$T/a4" --fault 'mail=451 4.3.0 try later'
send mail451 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/a4")/$(count "$T/b")" "0/0/3" "MAIL 451 on the first: the second has it"
relay_start "$T/a5" --fault 'rcpt=452 4.3.1 insufficient storage'
send rcpt452 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/a5")/$(count "$T/b")" "0/0/4" "RCPT 452 on the first: the second has it"

# --- AUTH fails on the first (no AUTH offered)
tls_relay "$T/a6"
tls_relay "$T/b6" --auth alice:pw
send noauth 0 "$(hosts "$(cat "$T/a6/port")" "$RELAY_PORT")" 'tls = "starttls";' \
	'user = "alice";' 'password = "pw";'
is "$?/$(count "$T/a6")/$(cat "$T/b6/msg.1/auth")" "0/0/PLAIN alice" \
	"first offers no AUTH: the second authenticates and has it"

# --- no reply in time on the first
relay_start "$T/a7" --fault 'greeting=sleep:10'
send slow 0 "$(hosts "$RELAY_PORT" "$b")" 'reply_timeout = 1;'
is "$?/$(count "$T/b")/$(queued slow)" "0/5/0" \
	"first silent past reply_timeout: the second has it"

# --- never after the data has gone out
relay_start "$T/a8" --fault 'eod=554 5.7.1 spam'
send eod554 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/b")/$(queued eod554)" "69/5/0" \
	"5xx at end of data: no failover, refused (69)"
relay_start "$T/a9" --fault 'eod=drop'
send eoddrop 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/b")/$(queued eoddrop)" "0/5/1" \
	"connection lost after the final dot: no failover, queued"
is "$(ls -d "$T/a9"/dropped.* | wc -l | tr -d ' ')" 1 \
	"connection lost after the final dot: the first relay had it"
relay_start "$T/a10" --fault 'body=drop'
send bodydrop 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/b")/$(queued bodydrop)" "0/5/1" \
	"connection lost in the data: no failover, queued"
relay_start "$T/a11" --fault 'mail=550 5.7.1 sender refused'
send mail550 0 "$(hosts "$RELAY_PORT" "$b")"
is "$?/$(count "$T/b")/$(queued mail550)" "69/5/0" \
	"MAIL 550: a refusal of the message, no failover (69)"

# --- every relay fails: queued, each named
send alldown 0 "$(hosts "$(free_port)" "$(cat "$T/a2/port")")"
is "$?/$(queued alldown)" "0/1" "every relay fails: queued"
grep -q "greeting: 421 4.3.2 busy" "$T/alldown.err"
ok $? "every relay fails: the last failure is reported"

# --- in one queue run the relay that took the last message goes first
mkdir -p "$T/qrun"
conf "$T/run.conf" 0 "$(hosts "$(free_port)" "$b")" \
	"queue_dir = \"$T/qrun\";" 'connect_timeout = 5;'
"$MAILOUT" -C "$T/run.conf" -odq -i alice@example.com <"$T/msg" 2>/dev/null &&
	"$MAILOUT" -C "$T/run.conf" -odq -i alice@example.com <"$T/msg" 2>/dev/null
before=$(count "$T/b")
"$MAILOUT" -C "$T/run.conf" -v -q 2>"$T/run.err"
is "$?/$(($(count "$T/b") - before))/$(entries "$T/qrun/q")" "0/2/0" \
	"queue run: both messages reach the second relay"
is "$(grep -c '^! ' "$T/run.err")" 1 \
	"queue run: the dead first relay is tried once, not per message"

done_testing
