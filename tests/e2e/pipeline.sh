#!/bin/sh
# The SMTP transaction on the wire (issue 14): PIPELINING flights
# (RFC 2920), DSN parameters (RFC 3461), BODY=8BITMIME (RFC 6152), BDAT
# (RFC 3030), addresses quoted as RFC 5321 4.1.2 wants, 452 to a RCPT
# (RFC 5321 4.5.3.1.10), and a queue run in one session.  Every check
# reads what the relay stored or logged (tests/relay/README.md, "Flights").
# ($FIVE and $mode are split on purpose: recipient and relay arguments.)
# shellcheck disable=SC2086
. "${srcdir:-.}/tests/e2e/lib.sh"

cat >"$T/msg" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <pipeline-1@example.org>
Subject: wire

.a line with a dot
..two dots
.
body
EOF
printf 'From: bob@example.org\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <pipeline-8@example.org>\nSubject: 8bit\n\ncaf\303\251\n' >"$T/msg8"
crlf <"$T/msg" >"$T/msg.crlf"
FIVE="r1@example.com r2@example.com r3@example.com r4@example.com r5@example.com"
RCPT5=$(printf '<%s>\n' $FIVE)

# relay NAME [relay options...]: a relay in $T/NAME and $T/NAME.conf for
# it, its queue in $T/qNAME, its log in $T/NAME.log.
relay() {
	_name=$1
	shift
	relay_start "$T/$_name" "$@"
	conf "$T/$_name.conf" "$RELAY_PORT" "queue_dir = \"$T/q$_name\";" \
		"logfile = \"$T/$_name.log\";" ${RELAY_CONF:+"$RELAY_CONF"}
}
RELAY_CONF=
# M [8bit] NAME [mailout options and recipients...]: $T/msg ($T/msg8
# with "8bit") through $T/NAME.conf, from bob@example.org unless -f is
# given again; stderr in $T/err.  It notes the relay's count first (see
# "last" in lib.sh).
M() {
	_in=$T/msg
	[ "$1" = 8bit ] && _in=$T/msg8 && shift
	_name=$1
	shift
	before_send "$T/$_name"
	"$MAILOUT" -C "$T/$_name.conf" -i -f bob@example.org "$@" \
		<"$_in" 2>"$T/err"
}
# flights_ok NAME: every flight of every session of relay NAME holds one
# command: what a client that waits for each reply sends.
flights_ok() {
	! grep -h '^\* flight ' "$T/$1"/session.*.log | grep -q '^\* flight .* '
}
# sessions_of NAME FIRST LAST: the distinct "session" of msg.FIRST..LAST.
sessions_of() {
	_i=$2
	while [ "$_i" -le "$3" ]; do
		cat "$T/$1/msg.$_i/session"
		echo
		_i=$((_i + 1))
	done | sort -u | tr '\n' ' '
}
NL='
'

# ---- PIPELINING: MAIL, every RCPT and DATA in one flight (RFC 2920)
relay p --pipelining
M p alice@example.com
is $? 0 "--pipelining, 1 recipient: exit 0"
is "$(last "$T/p" flights)" "MAIL RCPT DATA$NL(data)" \
	"--pipelining, 1 recipient: MAIL RCPT DATA in one flight"
same_file "$(last_msg "$T/p")/data" "$T/msg.crlf" \
	"--pipelining, 1 recipient: the message byte for byte"

M p $FIVE
is $? 0 "--pipelining, 5 recipients: exit 0"
is "$(last "$T/p" flights)" "MAIL RCPT RCPT RCPT RCPT RCPT DATA$NL(data)" \
	"--pipelining, 5 recipients: the envelope in one flight"
is "$(last "$T/p" rcpt)" "$RCPT5" "--pipelining, 5 recipients: all accepted, in order"
same_file "$(last_msg "$T/p")/data" "$T/msg.crlf" \
	"--pipelining, 5 recipients: the message byte for byte"
grep -q '^C: DATA$' "$T/p/session.$(last "$T/p" session).log"
ok $? "--pipelining: DATA sent (no CHUNKING offered)"

# ---- no PIPELINING: one command, its reply, the next command
relay w
M w $FIVE
is $? 0 "no PIPELINING, 5 recipients: exit 0"
is "$(last "$T/w" flights)" \
	"MAIL${NL}RCPT${NL}RCPT${NL}RCPT${NL}RCPT${NL}RCPT${NL}DATA$NL(data)" \
	"no PIPELINING: one command per flight"
flights_ok w
ok $? "no PIPELINING: no flight of the session holds two commands"

# ---- DSN (RFC 3461): -N, -R, -V; xtext (RFC 3461 4)
relay d --dsn
M d -f a@example.org -N success,failure -R hdrs -V 'id+1=2' \
	b@example.com c@example.com
is $? 0 "--dsn, -N -R -V: exit 0"
is "$(last "$T/d" mail)" "<a@example.org> RET=HDRS ENVID=id+2B1+3D2" \
	"--dsn: MAIL has RET=HDRS and ENVID in xtext"
is "$(last "$T/d" rcpt)" \
	"<b@example.com> NOTIFY=SUCCESS,FAILURE$NL<c@example.com> NOTIFY=SUCCESS,FAILURE" \
	"--dsn: each RCPT has NOTIFY=SUCCESS,FAILURE"
M d -N never alice@example.com
is "$?/$(last "$T/d" mail)/$(last "$T/d" rcpt)" \
	"0/<bob@example.org>/<alice@example.com> NOTIFY=NEVER" \
	"--dsn, -N never: NOTIFY=NEVER, no RET or ENVID"
M d -R full alice@example.com
is "$?/$(last "$T/d" mail)/$(last "$T/d" rcpt)" \
	"0/<bob@example.org> RET=FULL/<alice@example.com>" \
	"--dsn, -R full: RET=FULL, no NOTIFY"
M d alice@example.com
is "$?/$(last "$T/d" mail)/$(last "$T/d" rcpt)" \
	"0/<bob@example.org>/<alice@example.com>" \
	"--dsn, no -N -R -V: no parameters"
M 8bit d -R full -V e8 alice@example.com
is "$?/$(last "$T/d" mail)" "0/<bob@example.org> BODY=8BITMIME RET=FULL ENVID=e8" \
	"--dsn, 8-bit: BODY=8BITMIME before RET and ENVID"

# The relay does not offer DSN: nothing passed on, said under -v, sent.
M w -v -f a@example.org -N success,failure -R hdrs -V 'id+1=2' b@example.com
is $? 0 "no DSN offered, -N -R -V: exit 0"
is "$(last "$T/w" mail)/$(last "$T/w" rcpt)" "<a@example.org>/<b@example.com>" \
	"no DSN offered: no parameters"
grep -qF 'the relay does not offer DSN (RFC 3461): -N, -R and -V are not passed on' "$T/err"
ok $? "no DSN offered: -v says -N, -R and -V are not passed on"

# ---- ORCPT: the original recipient of an alias, qualified
printf 'root: admin@example.org\n' >"$T/aliases"
RELAY_CONF="aliases_file = \"$T/aliases\";"
relay a --dsn
RELAY_CONF=
M a -N success,failure root b@example.com
is $? 0 "alias, --dsn: exit 0"
is "$(last "$T/a" rcpt)" \
	"<admin@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root@example.org$NL<b@example.com> NOTIFY=SUCCESS,FAILURE" \
	"alias, --dsn: ORCPT=rfc822;root@example.org for the alias only"
M a root
is "$(last "$T/a" rcpt)" "<admin@example.org> ORCPT=rfc822;root@example.org" \
	"alias, --dsn, no -N: ORCPT all the same"
relay_start "$T/an"
conf "$T/an.conf" "$RELAY_PORT" "queue_dir = \"$T/qan\";" \
	"aliases_file = \"$T/aliases\";"
M an -N success root
is "$?/$(last "$T/an" rcpt)" "0/<admin@example.org>" "alias, no DSN offered: no ORCPT"
# A bounce for an aliased recipient names the address given as well
# (RFC 3464 2.3.1 Original-Recipient).
RELAY_CONF="aliases_file = \"$T/aliases\";"
relay o --dsn --fault 'rcpt:admin@example.org=550 5.1.1 no such user'
RELAY_CONF=
n=$(count "$T/o")
M o root b@example.com
is "$?/$(count "$T/o")" "0/$((n + 2))" "alias refused: exit 0, sent to the other, a bounce"
tr -d '\r' <"$(last_msg "$T/o")/data" |
	grep -e '^Original-Recipient:' -e '^Final-Recipient:' -e '^<admin@' >"$T/got"
printf '%s\n' "<admin@example.org>: (for <root@example.org>) 550 5.1.1 no such user" \
	"Original-Recipient: rfc822; root@example.org" \
	"Final-Recipient: rfc822; admin@example.org" >"$T/want"
same_file "$T/got" "$T/want" "alias refused: the bounce names root@example.org as given"

# ---- BODY=8BITMIME (RFC 6152)
M 8bit w alice@example.com
is "$?/$(last "$T/w" mail)" "0/<bob@example.org> BODY=8BITMIME" \
	"8-bit body, 8BITMIME offered: BODY=8BITMIME"
M w alice@example.com
is "$(last "$T/w" mail)" "<bob@example.org>" "7-bit message: no BODY"
relay n --no-ehlo-ext 8BITMIME
M 8bit n alice@example.com
is "$(last "$T/n" mail)" "<bob@example.org>" \
	"8-bit body, no 8BITMIME offered: no BODY"

# ---- addresses as RFC 5321 4.1.2 wants them
M w '"john..doe"@example.com'
is "$?/$(last "$T/w" rcpt)" '0/<"john..doe"@example.com>' \
	'"john..doe"@example.com stays quoted'
M w '"john.doe"@example.com'
is "$?/$(last "$T/w" rcpt)" '0/<john.doe@example.com>' \
	'"john.doe"@example.com goes unquoted'

# ---- 452 Too many recipients: the rest in a next transaction, same
# connection (RFC 5321 4.5.3.1.10)
for mode in "" --pipelining; do
	name=m${mode:+p}
	relay "$name" --max-rcpts 2 $mode
	M "$name" $FIVE
	rc=$?
	quiesce "$T/$name.conf"
	what="--max-rcpts 2${mode:+ $mode}, 5 recipients"
	is "$rc/$(count "$T/$name")/$(queued "$name")" "0/3/0" \
		"$what: exit 0, 3 messages, nothing queued"
	is "$(cat "$T/$name/msg.1/rcpt")|$(cat "$T/$name/msg.2/rcpt")|$(cat "$T/$name/msg.3/rcpt")" \
		"<r1@example.com>$NL<r2@example.com>|<r3@example.com>$NL<r4@example.com>|<r5@example.com>" \
		"$what: recipients 2, 2, 1 in order"
	is "$(sessions_of "$name" 1 3)/$(cat "$T/$name/sessions")" "1 /1" \
		"$what: one connection"
	cmp -s "$T/$name/msg.1/data" "$T/msg.crlf" &&
		cmp -s "$T/$name/msg.2/data" "$T/msg.crlf" &&
		cmp -s "$T/$name/msg.3/data" "$T/msg.crlf"
	ok $? "$what: each transaction the message byte for byte"
done
is "$(cat "$T/mp/msg.1/flights")" "MAIL RCPT RCPT RCPT RCPT RCPT DATA$NL(data)" \
	"--max-rcpts 2 --pipelining: the first flight has all 5 RCPTs"

# ---- CHUNKING (RFC 3030): BDAT, the raw bytes, no DATA
relay c --chunking
M c alice@example.com
is $? 0 "--chunking: exit 0"
same_file "$(last_msg "$T/c")/data" "$T/msg.crlf" \
	"--chunking: the message byte for byte, dots not stuffed"
log=$T/c/session.$(last "$T/c" session).log
grep -q '^C: DATA$' "$log"
is $? 1 "--chunking: no DATA command"
first=$(last "$T/c" flights | sed -n '1,2p' | tr '\n' ' ')
rest=$(last "$T/c" flights | sed '1,2d' | sort -u)
is "$first|$rest" "MAIL RCPT |BDAT" "--chunking: flights MAIL, RCPT, then BDAT"
is "$(last "$T/c" chunks | awk '{ s += $1 } END { print s + 0 }')" \
	"$(wc -c <"$T/msg.crlf" | tr -d ' ')" \
	"--chunking: the chunk sizes add up to the message"
grep '^C: BDAT ' "$log" | tail -1 | grep -q '^C: BDAT [0-9]* LAST$'
ok $? "--chunking: the last chunk is BDAT n LAST"

# ---- the queue keeps -N, -R and -V
relay qd --dsn
printf '%s\n' 'greeting=421 4.3.2 down' >"$T/qd/faults"
M qd -N success -R full -V queued-1 alice@example.com
rc=$?
quiesce "$T/qd.conf"
is "$rc/$(queued qd)/$(count "$T/qd")" "0/1/0" "relay down: queued, exit 0"
rm -f "$T/qd/faults"
before_send "$T/qd"
"$MAILOUT" -C "$T/qd.conf" -q 2>"$T/err"
is "$?/$(queued qd)" "0/0" "-q: sent, the queue empty"
is "$(last "$T/qd" mail)|$(last "$T/qd" rcpt)" \
	"<bob@example.org> RET=FULL ENVID=queued-1|<alice@example.com> NOTIFY=SUCCESS" \
	"-q: the queued message keeps -N, -R and -V"

# ---- -q: three queued messages, one session, three transactions
relay qp --pipelining
for i in 1 2 3; do
	"$MAILOUT" -C "$T/qp.conf" -odq -i -f bob@example.org "q$i@example.com" \
		<"$T/msg" 2>>"$T/err"
done
is "$(queued qp)/$(count "$T/qp")" "3/0" "-odq three times: 3 queued"
"$MAILOUT" -C "$T/qp.conf" -q 2>"$T/err"
is "$?/$(queued qp)/$(count "$T/qp")" "0/0/3" "-q: exit 0, 3 messages sent"
is "$(sessions_of qp 1 3)/$(cat "$T/qp/sessions")" "1 /1" \
	"-q: the 3 messages in one session"
is "$(cat "$T/qp"/msg.*/rcpt | sort | tr '\n' ' ')" \
	"<q1@example.com> <q2@example.com> <q3@example.com> " \
	"-q: one recipient each"
is "$(cat "$T/qp/msg.1/flights")|$(cat "$T/qp/msg.2/flights")|$(cat "$T/qp/msg.3/flights")" \
	"MAIL RCPT DATA$NL(data)|MAIL RCPT DATA$NL(data)|MAIL RCPT DATA$NL(data)" \
	"-q, --pipelining: each envelope in one flight"

is "$(grep -h '^\* flight ' "$T/qp/session.1.log" | tail -2 | tr '\n' '|')" \
	"* flight (data)|* flight QUIT|" \
	"-q: QUIT after the last reply, on its own"

# ---- a single submission: QUIT goes with the end of data (RFC 2920 3.1)
relay sq --pipelining
M sq -v alice@example.com
is "$?/$(count "$T/sq")" "0/1" "one message: sent"
is "$(grep -h '^\* flight ' "$T/sq/session.1.log" | tr '\n' '|')" \
	"* flight EHLO|* flight MAIL RCPT DATA|* flight (data) QUIT|" \
	"one message: three flights, QUIT in the last with the message"
is "$(grep -e '^[<>]' "$T/err" | tail -5 | sed 's/queued as [0-9]*/queued/' | tr '\n' '|')" \
	"> (message, $(wc -c <"$T/sq/msg.1/data" | tr -d ' ') octets)|> .|> QUIT|< 250 2.0.0 Ok: queued|< 221 2.0.0 Bye|" \
	"one message: -v shows QUIT before the two replies"
relay sq4 --pipelining --max-rcpts 1
M sq4 r1@example.com r2@example.com
is "$?/$(count "$T/sq4")/$(cat "$T/sq4/sessions")" "0/2/1" \
	"452 to one recipient: no QUIT with the data, a second transaction"

# ---- CHUNKING and PIPELINING: a small message goes in BDAT right behind
# its envelope (RFC 3030 4.2), QUIT with it: one flight after EHLO
relay cp --chunking --pipelining
M cp alice@example.com bob2@example.com
is "$?/$(count "$T/cp")" "0/1" "CHUNKING+PIPELINING: sent"
same_file "$T/cp/msg.1/data" "$T/msg.crlf" "CHUNKING+PIPELINING: the message byte for byte"
is "$(grep -h '^\* flight ' "$T/cp/session.1.log" | tr '\n' '|')" \
	"* flight EHLO|* flight MAIL RCPT RCPT BDAT QUIT|" \
	"CHUNKING+PIPELINING: envelope, message and QUIT in one flight"
relay cpr --chunking --pipelining --fault 'rcpt=550 5.1.1 no such user'
M cpr alice@example.com
is "$?/$(count "$T/cpr")" "67/0" \
	"CHUNKING+PIPELINING, the recipient refused: exit 67, nothing stored"

# ---- after a send, the detached queue run sends what was queued over one
# connection: only the submission itself pipelines QUIT with its message
relay kq --pipelining
for i in 1 2; do
	"$MAILOUT" -C "$T/kq.conf" -odq -i -f bob@example.org "k$i@example.com" \
		<"$T/msg" 2>>"$T/err"
done
M kq k0@example.com
rc=$?
quiesce "$T/kq.conf"
is "$rc/$(count "$T/kq")/$(queued kq)/$(cat "$T/kq/sessions")" "0/3/0/2" \
	"a send and the queued two after it: 3 sent, 2 connections"
is "$(sessions_of kq 2 3)" "2 " "the queued two in one session"

done_testing
