#!/bin/sh
# Each fault of the test relay, and the exit status it must give.
# 0 accepted; 75 temporary (4xx, network, anything before MAIL); 69
# permanent (5xx from MAIL on); 67 every recipient refused permanently.
. "${srcdir:-.}/tests/e2e/lib.sh"

cat >"$T/msg" <<'EOF2'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <fault@example.org>
Subject: faults

body
EOF2

# fault NAME STATUS STORED FAULT...: one relay with these faults, one
# message to a@example.com and b@example.com.
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
	conf "$T/f$n.conf" "$RELAY_PORT"
	"$MAILOUT" -C "$T/f$n.conf" -i a@example.com b@example.com \
		<"$T/msg" 2>"$T/f$n.err"
	is $? "$_want" "$_name: exit $_want"
	is "$(count "$T/f$n")" "$_stored" "$_name: $_stored stored"
	relay_stop "$T/f$n"
}

fault "no fault" 0 1
fault "greeting 421" 75 0 'greeting=421 4.3.2 busy'
fault "greeting 554" 75 0 'greeting=554 5.3.2 no service'
fault "greeting dropped" 75 0 'greeting=drop'
fault "greeting delayed 1s" 0 1 'greeting=sleep:1'
fault "EHLO 421" 75 0 'ehlo=421 4.3.2 closing'
fault "EHLO 550" 75 0 'ehlo=550 5.5.1 go away'
fault "EHLO dropped" 75 0 'ehlo=drop'
fault "MAIL 451" 75 0 'mail=451 4.3.0 try later'
fault "MAIL 550" 69 0 'mail=550 5.7.1 sender refused'
fault "MAIL dropped" 75 0 'mail=drop'
fault "RCPT 450 for all" 75 0 'rcpt=450 4.2.0 mailbox busy'
fault "RCPT 550 for all" 67 0 'rcpt=550 5.1.1 no such user'
fault "RCPT 550 for one of two" 0 1 'rcpt:b@example.com=550 5.1.1 no such user'
fault "RCPT dropped" 75 0 'rcpt=drop'
fault "DATA 451" 75 0 'data=451 4.3.0 try later'
fault "DATA 554" 69 0 'data=554 5.5.1 no valid recipients'
fault "DATA dropped" 75 0 'data=drop'
fault "message data dropped" 75 0 'body=drop'
fault "end of data 451" 75 0 'eod=451 4.3.0 try later'
fault "end of data 552" 69 0 'eod=552 5.3.4 message too big'
fault "end of data 554" 69 0 'eod=554 5.7.1 spam'
fault "end of data dropped" 75 0 'eod=drop'

# The partial failure names the refused recipient and its reply.
grep -q '<b@example.com>.*550 5.1.1' "$T/f14.err"
ok $? "RCPT 550 for one: the refused recipient is named"
printf '<a@example.com>\n' >"$T/want"
same_file "$T/f14/msg.1/rcpt" "$T/want" "RCPT 550 for one: the other gets it"
grep -q '550 5.7.1 sender refused' "$T/f10.err"
ok $? "MAIL 550: the relay's reply is shown"
grep -q 'end of data' "$T/f23.err"
ok $? "dropped after the final dot: the stage is named"
[ -d "$T/f23/dropped.1" ]
ok $? "dropped after the final dot: the relay had the whole message"

# Nothing listens.
conf "$T/down.conf" "$(free_port)"
"$MAILOUT" -C "$T/down.conf" -i a@example.com <"$T/msg" 2>"$T/down.err"
is $? 75 "connection refused: exit 75"
grep -q 'connect' "$T/down.err"
ok $? "connection refused: the stage is named"

done_testing
