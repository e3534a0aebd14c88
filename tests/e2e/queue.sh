#!/bin/sh
# The queue: relay down -> queued (exit 0) -> relay up -> "mailout -q"
# delivers once, byte for byte what a direct send gives; partial failures,
# backoff, giving up, bounces, mailq.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
Q=$T/queue
conf "$T/c.conf" "$RELAY_PORT" "retry_min = 600;" "logfile = \"$T/log\";"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }
waiting() { entries "$Q/q"; }
failed() { entries "$Q/failed"; }
down() { printf '%s\n' "$@" >"$T/r/faults"; }
up() { rm -f "$T/r/faults"; }
# make_due: every entry due now (its "next" time set to 0), so that a test
# need not wait out the backoff.
make_due() {
	for _e in "$Q"/q/*; do
		case $_e in *.state | *.new) continue ;; esac
		[ -f "$_e" ] || continue
		# The state is the entry's head, or its .state file if any.
		[ -f "$_e.state" ] || sed '/^$/q' "$_e" | sed '$d' >"$_e.state"
		sed 's/^next	.*/next	0/' "$_e.state" >"$_e.t" &&
			mv "$_e.t" "$_e.state"
	done
}

# state ID: the state of entry ID: its .state file, else its head.
state() {
	if [ -f "$Q/q/$1.state" ]; then
		cat "$Q/q/$1.state"
	else
		sed '/^$/q' "$Q/q/$1"
	fi
}
# sent_to ADDR: how many messages the relay took for ADDR.
sent_to() {
	cat "$T/r"/msg.*/rcpt | grep -cxF "<$1>"
}
# rcpt_tried ADDR: how many times a RCPT for ADDR reached the relay.
rcpt_tried() {
	cat "$T/r"/session.*.log | grep -cxF "C: RCPT TO:<$1>"
}

cat >"$T/msg" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Bcc: hidden@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <queue-1@example.org>
Subject: queued

.a line with a dot
body
EOF

# --- a direct send, for the bytes to compare with
M -i -f bob@example.org alice@example.com <"$T/msg"
is $? 0 "direct send: exit 0"

# --- relay down: queued, exit 0, said once on stderr
down 'greeting=421 4.3.2 down for maintenance'
M -i -f bob@example.org alice@example.com <"$T/msg" 2>"$T/err"
is $? 0 "relay down: exit 0"
is "$(waiting)" 1 "relay down: one entry in the queue"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 "relay down: one line on stderr"
grep -q '^mailout: queued as [0-9]\{14\}\.[0-9a-v]\{8\}: .*421 4.3.2 down for maintenance' "$T/err"
ok $? "relay down: says it is queued, and why"
id=$(entry_ids "$Q/q")

# --- mailq shows it
M -bp >"$T/mailq"
is $? 0 "mailq: exit 0"
grep -q "^$id " "$T/mailq"
ok $? "mailq: lists the id"
grep -q '^    <alice@example.com>  pending' "$T/mailq"
ok $? "mailq: recipient pending"
grep -q '^    last error: .*421 4.3.2' "$T/mailq"
ok $? "mailq: last error"
grep -q '^    attempts: 1, next: in [0-9]' "$T/mailq"
ok $? "mailq: attempts and next attempt"
M --json -bp >"$T/json"
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["queued"]==1 and d["failed"]==0 and d["pending_recipients"]==1 and d["oldest_age"]>=0 else 1)' "$T/json"
ok $? "mailq --json: counts"

# --- not due yet: -q --due leaves it, without connecting
s=$(cat "$T/r/sessions")
M -q --due
is "$?/$(waiting)/$(count "$T/r")/$(cat "$T/r/sessions")" "0/1/1/$s" \
	"-q --due before the entry is due: nothing tried"

# --- relay up: -q delivers it once, due or not, same bytes as the direct
# send
up
M -q
is $? 0 "-q: exit 0"
is "$(waiting)" 0 "-q: the queue is empty"
is "$(count "$T/r")" 2 "-q: delivered once"
same_file "$T/r/msg.2/data" "$T/r/msg.1/data" "-q: bytes identical to a direct send"
is "$(cat "$T/r/msg.2/mail")" "<bob@example.org>" "-q: same MAIL FROM"
is "$(cat "$T/r/msg.2/rcpt")" "<alice@example.com>" "-q: same RCPT"
M -q
is "$(count "$T/r")" 2 "a second -q sends nothing again"
M -bp >"$T/mailq"
is "$(cat "$T/mailq")" "Mail queue is empty" "mailq: empty"

# --- -odq: queued without trying
M -odq -i -f bob@example.org alice@example.com <"$T/msg" 2>"$T/err"
is "$?/$(waiting)/$(count "$T/r")" "0/1/2" "-odq: exit 0, queued, nothing sent"
grep -q 'queued as .*-odq' "$T/err"
ok $? "-odq: says so"
M -q
is "$(waiting)/$(count "$T/r")" "0/3" "-odq entry is due at once"

# --- one connection for a whole queue run
for i in 1 2 3 4 5; do
	M -odq -i -f bob@example.org "r$i@example.com" <"$T/msg" 2>/dev/null
done
before=$(cat "$T/r/sessions")
M -q
is "$(waiting)/$(count "$T/r")" "0/8" "five entries delivered"
is "$(($(cat "$T/r/sessions") - before))" 1 "five entries over one connection"

# --- partial failure: 250, 450, 550 -> delivered once, retried, bounced
down 'rcpt:t@example.com=450 4.2.1 try later' 'rcpt:p@example.com=550 5.1.1 no such user'
M -i -f bob@example.org a@example.com t@example.com p@example.com <"$T/msg" 2>"$T/err"
is "$?/$(waiting)" "0/1" "partial: exit 0, one entry"
printf '<a@example.com>\n' >"$T/want"
same_file "$T/r/msg.9/rcpt" "$T/want" "partial: the accepted recipient got it"
is "$(cat "$T/r/msg.10/mail")/$(cat "$T/r/msg.10/rcpt")" "<>/<bob@example.org>" \
	"partial: one bounce, from <> to the sender"
grep -q '^Final-Recipient: rfc822; p@example.com' "$T/r/msg.10/data"
ok $? "partial: the bounce reports the 550 recipient"
grep -c '^Final-Recipient:' "$T/r/msg.10/data" | grep -qx 1
ok $? "partial: the bounce reports only that one"
grep -q '^Status: 5.1.1' "$T/r/msg.10/data"
ok $? "partial: the bounce has the status code"
grep -q '^Message-ID: <queue-1@example.org>' "$T/r/msg.10/data"
ok $? "partial: the bounce carries the original headers"
M -bp >"$T/mailq"
grep -q '<t@example.com>  pending' "$T/mailq" && grep -q '<a@example.com>  sent' "$T/mailq"
ok $? "partial: mailq shows sent and pending recipients"
pid=$(ls "$Q/q" | grep -v '\.state$')
up
make_due
M -q
is "$(waiting)/$(count "$T/r")" "0/11" "partial: the 450 recipient delivered on retry"
printf '<t@example.com>\n' >"$T/want"
same_file "$T/r/msg.11/rcpt" "$T/want" "partial: only the pending recipient is retried"
is "$(failed)" 1 "partial: the entry with a failed recipient goes to failed/"
# The log: the send, under the id the entry keeps: one line for each
# outcome, the bounce's with its own id and the message's; then the retry,
# judged and logged on what it tried: the 550 of the first attempt is not
# held against it.
log_lines "$T/log" | grep -e " id=$pid " -e " orig=$pid " >"$T/got"
bid=$(sed -n "s/^sent id=\([^ ]*\) $ME orig=$pid .*/\1/p" "$T/got")
size=$(wc -c <"$T/r/msg.9/data" | tr -d ' ')
bsize=$(wc -c <"$T/r/msg.10/data" | tr -d ' ')
why='2 of 3 recipients not accepted; last: <p@example.com>: 550 5.1.1 no such user'
at="relay=127.0.0.1:$RELAY_PORT tls=none auth=none"
cat >"$T/want" <<EOF2
sent id=$pid $ME from=<bob@example.org> to=<a@example.com> $at size=$size reply="250 2.0.0 Ok: queued as 9"
bounced id=$pid $ME from=<bob@example.org> to=<p@example.com> $at size=$size reply="550 5.1.1 no such user" reason="$why"
sent id=$bid $ME orig=$pid from=<> to=<bob@example.org> $at size=$bsize reply="250 2.0.0 Ok: queued as 10"
deferred id=$pid $ME from=<bob@example.org> to=<t@example.com> $at size=$size reply="450 4.2.1 try later" reason="$why"
sent id=$pid $ME from=<bob@example.org> to=<t@example.com> $at size=$size reply="250 2.0.0 Ok: queued as 11"
EOF2
same_file "$T/got" "$T/want" \
	"partial: the log, under the entry's id: sent, bounced, deferred; the retry sent"

# --- giving up after queue_lifetime: failed/, one bounce
conf "$T/life.conf" "$RELAY_PORT" "queue_lifetime = 1;"
down 'mail=451 4.3.0 still down'
"$MAILOUT" -C "$T/life.conf" -i -f bob@example.org late@example.com <"$T/msg" 2>/dev/null
is "$(waiting)" 1 "lifetime: queued"
sleep 2
make_due
n=$(count "$T/r")
"$MAILOUT" -C "$T/life.conf" -q
is "$(waiting)/$(failed)" "1/2" "lifetime: given up, in failed/; its bounce queued"
up
"$MAILOUT" -C "$T/life.conf" -q --due
is "$(count "$T/r")" $((n + 0)) "lifetime: the bounce was queued while the relay was down"
make_due
"$MAILOUT" -C "$T/life.conf" -q
last=$(last_msg "$T/r")
is "$(cat "$last/mail")/$(cat "$last/rcpt")" "<>/<bob@example.org>" \
	"lifetime: the bounce reaches the sender once the relay is back"
grep -q '^Status: 4.3.0' "$last/data" && grep -q '^Action: failed' "$last/data"
ok $? "lifetime: the bounce says failed, with the last status"
M -bp >"$T/mailq"
grep -q '(failed)' "$T/mailq"
ok $? "mailq lists failed entries"

# --- every recipient refused at once: exit 67, no bounce (the caller knows)
down 'rcpt=550 5.1.1 no such user'
n=$(count "$T/r")
M -i -f bob@example.org x@example.com y@example.com <"$T/msg" 2>"$T/err"
is $? 67 "every recipient refused: exit 67"
grep -q '550 5.1.1 no such user' "$T/err"
ok $? "every recipient refused: the reply is printed"
is "$(count "$T/r")" "$n" "every recipient refused: nothing sent, no bounce"

# --- no bounce for the null sender, none when bounce = false
down 'rcpt:y@example.com=550 5.1.1 no such user'
M -i -f '<>' x@example.com y@example.com <"$T/msg" 2>/dev/null
is "$(count "$T/r")" $((n + 1)) "null sender: delivered to x, no bounce for y"
conf "$T/nob.conf" "$RELAY_PORT" "bounce = false;"
"$MAILOUT" -C "$T/nob.conf" -i -f bob@example.org x@example.com y@example.com <"$T/msg" 2>/dev/null
is "$(count "$T/r")" $((n + 2)) "bounce = false: delivered to x, no bounce for y"
conf "$T/bto.conf" "$RELAY_PORT" 'bounce_to = "postmaster@example.org";'
"$MAILOUT" -C "$T/bto.conf" -i -f bob@example.org x@example.com y@example.com <"$T/msg" 2>/dev/null
last=$(last_msg "$T/r")
is "$(cat "$last/mail")/$(cat "$last/rcpt")" "<>/<postmaster@example.org>" \
	"bounce_to: the bounce goes there"
up

# --- the send after an outage takes the waiting mail along, due or not
down 'greeting=421 4.3.2 down'
M -i -f bob@example.org waited@example.com <"$T/msg" 2>/dev/null
is "$(waiting)" 1 "outage: queued"
wid=$(entry_ids "$Q/q")
is "$(state "$wid" | grep '^wait')" "wait	relay" "outage: waits for the relay"
up
# Not due for another 10 minutes (retry_min): the message that goes out
# shows that the relay is back.
M -i -f bob@example.org next@example.com <"$T/msg"
quiesce "$T/c.conf"
is "$(waiting)" 0 "outage: the next send delivered the waiting entry too"
is "$(sent_to waited@example.com)" 1 "outage: the waiting message arrived, once"

# --- RCPT 450 is about the mailbox, not the relay: the entry keeps its
# backoff when another message goes out.  One that waited for the relay
# leaves with that message, which shows that its queue run took place.
down 'rcpt:busy@example.com=450 4.2.1 mailbox busy'
M -i -f bob@example.org busy@example.com <"$T/msg" 2>/dev/null
bid=$(entry_ids "$Q/q")
is "$(waiting)/$(state "$bid" | grep '^wait')" "1/wait	rcpt" \
	"RCPT 450: queued, waits for its recipient"
down 'greeting=421 4.3.2 down'
M -i -f bob@example.org waited2@example.com <"$T/msg" 2>/dev/null
is "$(waiting)" 2 "RCPT 450: a message for another recipient queued too"
up
tried=$(rcpt_tried busy@example.com)
M -i -f bob@example.org next@example.com <"$T/msg"
quiesce "$T/c.conf"
is "$(sent_to waited2@example.com)/$(entry_ids "$Q/q")" "1/$bid" \
	"RCPT 450: the next send took the one that waited for the relay, only"
is "$(rcpt_tried busy@example.com)" "$tried" \
	"RCPT 450: the relay saw no RCPT for the deferred recipient"
M -q
is "$(waiting)/$(sent_to busy@example.com)" "0/1" "RCPT 450: -q delivers it"

# --- an account's relay that took a message says nothing of another
# account's relay: the entry for account x keeps its backoff
relay_start "$T/x"
RELAY_PORT=$(cat "$T/r/port")
conf "$T/acct.conf" "$RELAY_PORT" "retry_min = 600;" \
	"queue_dir = \"$T/aq\";" "logfile = \"$T/acct.log\";" \
	"accounts = ( { name = \"x\"; port = $(cat "$T/x/port"); } );"
A() { "$MAILOUT" -C "$T/acct.conf" "$@"; }
printf '%s\n' 'greeting=421 4.3.2 down' >"$T/x/faults"
A -a x -i -f bob@example.org viax@example.com <"$T/msg" 2>/dev/null
down 'greeting=421 4.3.2 down'
A -i -f bob@example.org viatop@example.com <"$T/msg" 2>/dev/null
is "$(entries "$T/aq/q")/$(cat "$T/x/sessions")" "2/1" \
	"accounts: one entry waits for each relay"
rm -f "$T/x/faults"
up
A -i -f bob@example.org next@example.com <"$T/msg"
quiesce "$T/acct.conf"
is "$(sent_to viatop@example.com)/$(entries "$T/aq/q")" "1/1" \
	"accounts: the send took the entry of its own account"
is "$(cat "$T/x/sessions")/$(count "$T/x")" "1/0" \
	"accounts: the entry for the other account's relay was not tried"
A -q
is "$(entries "$T/aq/q")/$(count "$T/x")" "0/1" "accounts: -q delivers it"
is "$(cat "$T/x/msg.1/rcpt")" "<viax@example.com>" \
	"accounts: through its own account's relay"

# --- three messages queued while the relay was down (nothing listened):
# -q --due leaves them before their retry time, -q sends them all at once
port=$(free_port)
conf "$T/q3.conf" "$port" "retry_min = 600;" "queue_dir = \"$T/q3\";"
for i in 1 2 3; do
	"$MAILOUT" -C "$T/q3.conf" -i -f bob@example.org "d$i@example.com" \
		<"$T/msg" 2>/dev/null
	is $? 0 "down: message $i queued, exit 0"
done
relay_start "$T/r3" --port "$port"
"$MAILOUT" -C "$T/q3.conf" -q --due
is "$?/$(entries "$T/q3/q")/$(cat "$T/r3/sessions")" "0/3/0" \
	"down, then up: -q --due sends nothing before the retry time, connects not"
"$MAILOUT" -C "$T/q3.conf" -q
is "$?/$(entries "$T/q3/q")/$(count "$T/r3")/$(cat "$T/r3/sessions")" "0/0/3/1" \
	"down, then up: -q sends all three at once, over one connection"
for i in 1 2 3; do
	is "$(cat "$T/r3"/msg.*/rcpt | grep -cxF "<d$i@example.com>")" 1 \
		"down, then up: message $i sent once"
	same_file "$T/r3/msg.$i/data" "$T/r/msg.1/data" \
		"down, then up: message $i, bytes identical to a direct send"
done

# --- once its retry time has come, -q --due sends it
port=$(free_port)
conf "$T/q4.conf" "$port" "retry_min = 1;" "queue_dir = \"$T/q4\";"
"$MAILOUT" -C "$T/q4.conf" -i -f bob@example.org due@example.com \
	<"$T/msg" 2>/dev/null
is "$?/$(entries "$T/q4/q")" "0/1" "retry_min 1: queued"
relay_start "$T/r4" --port "$port"
sleep 2
"$MAILOUT" -C "$T/q4.conf" -q --due
is "$?/$(entries "$T/q4/q")/$(cat "$T/r4/msg.1/rcpt")" "0/0/<due@example.com>" \
	"retry_min 1, 2 s later: -q --due sends it"

# --- -q30m: an interval asks for a daemon; the queue is run once
"$MAILOUT" -C "$T/q4.conf" -odq -i -f bob@example.org iv@example.com \
	<"$T/msg" 2>/dev/null
timeout 20 "$MAILOUT" -C "$T/q4.conf" -q30m
is "$?/$(entries "$T/q4/q")/$(cat "$T/r4/msg.2/rcpt")" "0/0/<iv@example.com>" \
	"-q30m: runs the queue once and exits"

# --- -q -v: a line before each entry's conversation, one after it
port=$(free_port)
conf "$T/v.conf" "$port" "retry_min = 600;" "queue_dir = \"$T/vq\";"
V() { "$MAILOUT" -C "$T/v.conf" "$@"; }
V -q -v 2>"$T/v.err"
is "$?/$(cat "$T/v.err")" "0/mailout: queue empty" "-q -v, no queue yet: says it is empty"
V -i -f bob@example.org v1@example.com <"$T/msg" 2>/dev/null
sleep 1 # ids sort by the second they were made in, then at random
V -i -f bob@example.org v2@example.com v3@example.com <"$T/msg" 2>/dev/null
v1=$(entry_ids "$T/vq/q" | head -1)
v2=$(entry_ids "$T/vq/q" | tail -1)
V -q --due -v 2>"$T/v.err"
is "$?/$(cat "$T/v.err")" "0/mailout: nothing due (2 entries waiting)" \
	"-q --due -v, nothing due: says so, with the count"
relay_start "$T/rv" --port "$port"
printf '%s\n' 'greeting=421 4.3.2 down' >"$T/rv/faults"
V -q -v 2>"$T/v.err"
cat >"$T/want" <<EOF2
mailout: $v1: trying 1 recipient via 127.0.0.1:$port
< 421 4.3.2 down
mailout: $v1: deferred: 127.0.0.1:$port: greeting: 421 4.3.2 down (next try in 20m)
mailout: $v2: trying 2 recipients via 127.0.0.1:$port
< 421 4.3.2 down
mailout: $v2: deferred: 127.0.0.1:$port: greeting: 421 4.3.2 down (next try in 20m)
EOF2
same_file "$T/v.err" "$T/want" "-q -v, relay refusing: each entry, the reply, the next try"
rm -f "$T/rv/faults"
V -q -v 2>"$T/v.err"
is "$?/$(entries "$T/vq/q")/$(count "$T/rv")" "0/0/2" "-q -v, relay back: both sent"
size=$(wc -c <"$T/rv/msg.1/data" | tr -d ' ')
ehlo=$(grep -e '^< 250[- ]' "$T/v.err" | sed -n '1,/^< 250 /p')
# The reply to the dot names the relay's own id: cut after "Ok".
sed 's/^\(< 250 2.0.0 Ok\): queued as [0-9]*$/\1/' "$T/v.err" >"$T/got"
cat >"$T/want" <<EOF2
mailout: $v1: trying 1 recipient via 127.0.0.1:$port
< 220 relay.test ESMTP
> EHLO client.example.org
$ehlo
> MAIL FROM:<bob@example.org>
< 250 2.1.0 Ok
> RCPT TO:<v1@example.com>
< 250 2.1.5 Ok
> DATA
< 354 End data with <CR><LF>.<CR><LF>
> (message, $size octets)
> .
< 250 2.0.0 Ok
mailout: $v1: sent
mailout: $v2: trying 2 recipients via 127.0.0.1:$port
> MAIL FROM:<bob@example.org>
< 250 2.1.0 Ok
> RCPT TO:<v2@example.com>
< 250 2.1.5 Ok
> RCPT TO:<v3@example.com>
< 250 2.1.5 Ok
> DATA
< 354 End data with <CR><LF>.<CR><LF>
> (message, $size octets)
> .
< 250 2.0.0 Ok
mailout: $v2: sent
> QUIT
< 221 2.0.0 Bye
EOF2
same_file "$T/got" "$T/want" \
	"-q -v: each entry's lines around its conversation, over one connection"
is "$(echo "$ehlo" | head -1)" "< 250-relay.test" "-q -v: the EHLO reply shown"
V -odq -i -f bob@example.org v4@example.com <"$T/msg" 2>/dev/null
V -q 2>"$T/v.err"
is "$?/$(count "$T/rv")/$(cat "$T/v.err")" "0/3/" "-q without -v: silent"

RELAY_PORT=$(cat "$T/r/port") # relay_start changed it: the main relay again

# --- --due without -q: a usage error
n=$(count "$T/r")
M --due -i -f bob@example.org alice@example.com <"$T/msg" 2>"$T/err"
is "$?/$(count "$T/r")" "64/$n" "--due without -q: exit 64, nothing sent"
is "$(head -1 "$T/err")" "mailout: --due needs -q: mailout -q --due" \
	"--due without -q: says so in one line"

# --- a damaged entry: root's mailq shows it, -q leaves it and logs why
conf "$T/bad.conf" "$RELAY_PORT" "queue_dir = \"$T/bq\";" \
	"logfile = \"$T/bad.log\";"
mkdir -p "$T/bq/q" "$T/bq/tmp" "$T/bq/failed"
bad=20261128000000.damaged0
printf 'garbage\n\nbody\n' >"$T/bq/q/$bad"
"$MAILOUT" -C "$T/bad.conf" -bp >"$T/badq"
is $? 0 "damaged entry: mailq exits 0"
"$MAILOUT" -C "$T/bad.conf" --json -bp >"$T/badj"
if [ "$(id -u)" -eq 0 ]; then
	is "$(cat "$T/badq")" "$bad unreadable: queue entry $bad: not a queue entry (version 1)
-- 0 queued, 0 failed, 1 unreadable" "damaged entry: root's mailq names it and says why"
	is "$(cat "$T/badj")" '{"queued": 0, "pending_recipients": 0, "oldest_age": 0, "failed": 0, "unreadable": 1, "kept": 0, "no_relay_configured": false}' \
		"damaged entry: counted in --json"
else
	is "$(cat "$T/badq")" "Mail queue is empty" "damaged entry: not shown to a user"
	is "$(cat "$T/badj")" '{"queued": 0, "pending_recipients": 0, "oldest_age": 0, "failed": 0, "unreadable": 0, "kept": 0, "no_relay_configured": false}' \
		"damaged entry: not counted for a user"
fi
n=$(count "$T/r")
"$MAILOUT" -C "$T/bad.conf" -qR
is "$?/$(count "$T/r")" "0/$n" "damaged entry: -q sends nothing"
test -f "$T/bq/q/$bad"
ok $? "damaged entry: -q leaves it in place"
is "$(log_lines "$T/bad.log")" \
	"error id=$bad uid=- reason=\"queue entry $bad: not a queue entry (version 1)\"" \
	"damaged entry: -q logs why"

# --- a state file that cannot be read: the entry waits; its head's older
# state would send again to recipients already done.  A directory in its
# place fails the read even for root (EISDIR), as EIO or EMFILE would.
"$MAILOUT" -C "$T/bad.conf" -odq -i -f bob@example.org st@example.com <"$T/msg" 2>/dev/null
sid=$(ls "$T/bq/q" | grep -v -e '\.state$' -e "^$bad\$")
mkdir "$T/bq/q/$sid.state"
n=$(count "$T/r")
"$MAILOUT" -C "$T/bad.conf" -qR
is "$?/$(count "$T/r")" "0/$n" "unreadable state: -q sends nothing"
test -f "$T/bq/q/$sid"
ok $? "unreadable state: -q leaves the entry in place"
is "$(log_lines "$T/bad.log" | tail -1)" \
	"error id=$sid uid=- reason=\"queue entry $sid: cannot read $T/bq/q/$sid.state: Is a directory\"" \
	"unreadable state: -q logs why"
if [ "$(id -u)" -eq 0 ]; then
	"$MAILOUT" -C "$T/bad.conf" -bp | grep -q "^$sid unreadable: queue entry $sid: cannot read"
	ok $? "unreadable state: root's mailq names it"
fi
rmdir "$T/bq/q/$sid.state"
"$MAILOUT" -C "$T/bad.conf" -qR
is "$(count "$T/r")/$(entries "$T/bq/q")" "$((n + 1))/1" \
	"unreadable state: once readable, -q delivers it"

# --- a bounce quotes the header section as it went out: no Bcc field of
# any spelling, folded or not (RFC 5322 3.6.3), whether it is made at
# submission or in a queue run.  250 for a, 550 for p, 450 for t that
# becomes 550 when the queue is run.
conf "$T/bcc.conf" "$RELAY_PORT" "retry_min = 600;" "queue_dir = \"$T/bccq\";"
cat >"$T/bcc.msg" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Bcc: secret@example.net
Date: Sat, 28 Nov 2026 10:00:00 +0000
bcc: hidden@example.net,
	folded@example.net
Message-ID: <bcc-1@example.org>
Resent-Bcc: resent@example.net
Subject: blind copies

body
EOF
crlf >"$T/bcc.want" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <bcc-1@example.org>
Subject: blind copies

EOF
# quoted FILE: the text/rfc822-headers part of the bounce in FILE, up to
# the closing boundary.
quoted() {
	awk '/^--.*--\r$/ && h == 2 { exit }
		h == 2 { print }
		h == 1 { h = 2 }
		/^Content-Type: text\/rfc822-headers\r$/ { h = 1 }' "$1"
}
down 'rcpt:p@example.com=550 5.1.1 no such user' \
	'rcpt:t@example.com=450 4.2.1 try later'
n=$(count "$T/r")
"$MAILOUT" -C "$T/bcc.conf" -i -f bob@example.org a@example.com \
	p@example.com t@example.com <"$T/bcc.msg" 2>/dev/null
is "$?/$(count "$T/r")/$(entries "$T/bccq/q")" "0/$((n + 2))/1" \
	"Bcc: sent to a, bounced for p, queued for t"
sent=$T/r/msg.$((n + 1))
bounce=$T/r/msg.$((n + 2))
is "$(cat "$sent/rcpt")/$(cat "$bounce/mail")/$(cat "$bounce/rcpt")" \
	"<a@example.com>/<>/<bob@example.org>" "Bcc: the message, then the bounce"
sed '/^\r$/q' "$sent/data" >"$T/bcc.sent"
same_file "$T/bcc.sent" "$T/bcc.want" "Bcc: the message went out without Bcc"
quoted "$bounce/data" >"$T/bcc.got"
same_file "$T/bcc.got" "$T/bcc.want" \
	"Bcc: the bounce made at submission quotes the header as sent"
down 'rcpt:t@example.com=550 5.1.1 gone now'
"$MAILOUT" -C "$T/bcc.conf" -q
is "$?/$(count "$T/r")/$(entries "$T/bccq/q")/$(entries "$T/bccq/failed")" \
	"0/$((n + 3))/0/1" "Bcc: the queue run bounced t, the entry in failed/"
bounce=$T/r/msg.$((n + 3))
grep -c '^Final-Recipient: rfc822; t@example.com' "$bounce/data" >"$T/bcc.n"
is "$(cat "$bounce/rcpt")/$(cat "$T/bcc.n")" "<bob@example.org>/1" \
	"Bcc: the queue run's bounce reports t"
quoted "$bounce/data" >"$T/bcc.got"
same_file "$T/bcc.got" "$T/bcc.want" \
	"Bcc: the bounce made in a queue run quotes the header as sent"
up

done_testing
