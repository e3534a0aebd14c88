#!/bin/sh
# Each fault of the test relay, and what mailout must do: deliver (exit
# 0), queue a temporary failure (4xx, network, anything before MAIL: exit
# 0, one entry in the queue), or refuse permanently (5xx from MAIL on:
# 69; every recipient refused: 67).  The queue is then checked too.
. "${srcdir:-.}/tests/e2e/lib.sh"

cat >"$T/msg" <<'EOF2'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <fault@example.org>
Subject: faults

body
EOF2

# fault NAME WANT STORED FAULT...: one relay with these faults, one
# message to a@example.com and b@example.com.  WANT is an exit status, or
# "queued": exit 0 and one entry in the queue.
n=0
fault() {
	_name=$1 _want=$2 _stored=$3
	shift 3
	n=$((n + 1))
	_args=
	for _f in "$@"; do
		_args="$_args --fault '$_f'"
	done
	eval relay_start "\"\$T/f$n\"" $_args
	conf "$T/f$n.conf" "$RELAY_PORT" "queue_dir = \"$T/q$n\";"
	"$MAILOUT" -C "$T/f$n.conf" -i a@example.com b@example.com \
		<"$T/msg" 2>"$T/f$n.err"
	_status=$?
	_queued=$(entries "$T/q$n/q")
	if [ "$_want" = queued ]; then
		is "$_status/$_queued" "0/1" "$_name: exit 0, queued"
		grep -q "^mailout: queued as " "$T/f$n.err"
		ok $? "$_name: says it queued"
	else
		is "$_status/$_queued" "$_want/0" "$_name: exit $_want, not queued"
	fi
	is "$(count "$T/f$n")" "$_stored" "$_name: $_stored stored"
	relay_stop "$T/f$n"
}

fault "no fault" 0 1
fault "greeting 421" queued 0 'greeting=421 4.3.2 busy'
fault "greeting 554" queued 0 'greeting=554 5.3.2 no service'
fault "greeting dropped" queued 0 'greeting=drop'
fault "greeting delayed 1s" 0 1 'greeting=sleep:1'
fault "EHLO 421" queued 0 'ehlo=421 4.3.2 closing'
fault "EHLO 550" queued 0 'ehlo=550 5.5.1 go away'
fault "EHLO dropped" queued 0 'ehlo=drop'
fault "MAIL 451" queued 0 'mail=451 4.3.0 try later'
fault "MAIL 550" 69 0 'mail=550 5.7.1 sender refused'
fault "MAIL dropped" queued 0 'mail=drop'
fault "RCPT 450 for all" queued 0 'rcpt=450 4.2.0 mailbox busy'
fault "RCPT 550 for all" 67 0 'rcpt=550 5.1.1 no such user'
# The other recipient gets it; the sender gets a bounce for the one.
fault "RCPT 550 for one of two" 0 2 'rcpt:b@example.com=550 5.1.1 no such user'
fault "RCPT dropped" queued 0 'rcpt=drop'
fault "DATA 451" queued 0 'data=451 4.3.0 try later'
fault "DATA 554" 69 0 'data=554 5.5.1 no valid recipients'
fault "DATA dropped" queued 0 'data=drop'
fault "message data dropped" queued 0 'body=drop'
fault "end of data 451" queued 0 'eod=451 4.3.0 try later'
fault "end of data 552" 69 0 'eod=552 5.3.4 message too big'
fault "end of data 554" 69 0 'eod=554 5.7.1 spam'
fault "end of data dropped" queued 0 'eod=drop'

# The partial failure names the refused recipient and its reply.
grep -q '<b@example.com>.*550 5.1.1' "$T/f14.err"
ok $? "RCPT 550 for one: the refused recipient is named"
printf '<a@example.com>\n' >"$T/want"
same_file "$T/f14/msg.1/rcpt" "$T/want" "RCPT 550 for one: the other gets it"
is "$(cat "$T/f14/msg.2/mail")" "<>" "RCPT 550 for one: a bounce from <>"
is "$(cat "$T/f14/msg.2/rcpt")" "<$(id -un)@example.org>" \
	"RCPT 550 for one: the bounce goes to the sender"
grep -q '^Final-Recipient: rfc822; b@example.com' "$T/f14/msg.2/data"
ok $? "RCPT 550 for one: the bounce names the refused recipient"
grep -q '550 5.7.1 sender refused' "$T/f10.err"
ok $? "MAIL 550: the relay's reply is shown"
grep -q 'end of data' "$T/f23.err"
ok $? "dropped after the final dot: the stage is named"
[ -d "$T/f23/dropped.1" ]
ok $? "dropped after the final dot: the relay had the whole message"

# A refusal of several lines is said on one line: on stderr, in the log.
ml='550-5.1.1 no such user\n550 5.1.1 try another'
relay_start "$T/ml" --fault "rcpt:b@example.com=$ml"
p1=$RELAY_PORT
conf "$T/ml.conf" "$RELAY_PORT" "queue_dir = \"$T/qml\";" \
	"logfile = \"$T/ml.log\";"
"$MAILOUT" -C "$T/ml.conf" -i a@example.com b@example.com <"$T/msg" \
	2>"$T/ml.err"
is "$?/$(count "$T/ml")" "0/2" "RCPT 550 of two lines for one: sent, bounced"
is "$(wc -l <"$T/ml.err" | tr -d ' ')" 1 \
	"RCPT 550 of two lines for one: one line on stderr"
grep -q '<b@example.com>: 550-5.1.1 no such user 550 5.1.1 try another$' "$T/ml.err"
ok $? "RCPT 550 of two lines for one: both lines said"
relay_stop "$T/ml"
relay_start "$T/ml2" --fault "rcpt=$ml"
p2=$RELAY_PORT
conf "$T/ml2.conf" "$RELAY_PORT" "queue_dir = \"$T/qml\";" \
	"logfile = \"$T/ml.log\";"
"$MAILOUT" -C "$T/ml2.conf" -i a@example.com b@example.com <"$T/msg" \
	2>"$T/ml2.err"
is "$?/$(wc -l <"$T/ml2.err" | tr -d ' ')" "67/3" \
	"RCPT 550 of two lines for all: exit 67, the why and one line each"
cat >"$T/want" <<EOF
mailout: every recipient was refused; last: <b@example.com>: 550-5.1.1 no such user 550 5.1.1 try another
mailout: <a@example.com>: 550-5.1.1 no such user 550 5.1.1 try another
mailout: <b@example.com>: 550-5.1.1 no such user 550 5.1.1 try another
EOF
same_file "$T/ml2.err" "$T/want" \
	"RCPT 550 of two lines for all: each recipient's reply on its line"
grep -vq '^[0-9T:+-]* mailout\[[0-9]*\]: ' "$T/ml.log"
is $? 1 "RCPT 550 of two lines: each log line whole"
# The ids: the first message's, its bounce's, the second message's.
log_lines "$T/ml.log" >"$T/ml.lines"
id1=$(sed -n '1s/^sent id=\([^ ]*\) .*/\1/p' "$T/ml.lines")
bid=$(sed -n '3s/^sent id=\([^ ]*\) .*/\1/p' "$T/ml.lines")
id2=$(sed -n '4s/^bounced id=\([^ ]*\) .*/\1/p' "$T/ml.lines")
from=$(cat "$T/ml/msg.1/mail")
size=$(wc -c <"$T/ml/msg.1/data" | tr -d ' ')
bsize=$(wc -c <"$T/ml/msg.2/data" | tr -d ' ')
why='550-5.1.1 no such user 550 5.1.1 try another'
cat >"$T/want" <<EOF2
sent id=$id1 $ME from=$from to=<a@example.com> relay=127.0.0.1:$p1 tls=none auth=none size=$size reply="250 2.0.0 Ok: queued as 1"
bounced id=$id1 $ME from=$from to=<b@example.com> relay=127.0.0.1:$p1 tls=none auth=none size=$size reply="$why" reason="1 of 2 recipients not accepted; last: <b@example.com>: $why"
sent id=$bid $ME orig=$id1 from=<> to=$from relay=127.0.0.1:$p1 tls=none auth=none size=$bsize reply="250 2.0.0 Ok: queued as 2"
bounced id=$id2 $ME from=$from to=<a@example.com>,<b@example.com> relay=127.0.0.1:$p2 tls=none auth=none size=$size reply="$why" reason="every recipient was refused; last: <b@example.com>: $why"
EOF2
same_file "$T/ml.lines" "$T/want" \
	"RCPT 550 of two lines: sent, bounced, the bounce sent; each line has both lines"

# Nothing listens: queued.
conf "$T/down.conf" "$(free_port)" "queue_dir = \"$T/qdown\";"
"$MAILOUT" -C "$T/down.conf" -i a@example.com <"$T/msg" 2>"$T/down.err"
is "$?/$(entries "$T/qdown/q")" "0/1" \
	"connection refused: exit 0, queued"
grep -q 'connect' "$T/down.err"
ok $? "connection refused: the stage is named"

# Nothing listens and the queue cannot be written: exit 75, the one
# status that means "not delivered, not queued".
touch "$T/notadir"
conf "$T/noq.conf" "$(free_port)" "queue_dir = \"$T/notadir\";"
"$MAILOUT" -C "$T/noq.conf" -i a@example.com <"$T/msg" 2>"$T/noq.err"
is $? 75 "relay down, queue unusable: exit 75"
grep -q 'cannot be queued' "$T/noq.err"
ok $? "relay down, queue unusable: says so"

done_testing
