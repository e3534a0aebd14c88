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

# --- not due yet: -q leaves it; -qI forces it while still down
M -q
is "$(waiting)/$(count "$T/r")" "1/1" "-q before the entry is due: nothing tried"

# --- relay up: -q delivers it once, same bytes as the direct send
up
make_due
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
# The retry is judged and logged on what it tried: the 550 of the first
# attempt is not held against it.
grep -q " id=$pid .* status=sent\$" "$T/log"
ok $? "partial: the retry is logged as sent"
grep -q " id=$pid from=<bob@example.org> to=<t@example.com> relay=" "$T/log"
ok $? "partial: the retry's log line names only the recipient it tried"

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
"$MAILOUT" -C "$T/life.conf" -q
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

# --- the send after an outage takes the waiting mail along
down 'greeting=421 4.3.2 down'
M -i -f bob@example.org waited@example.com <"$T/msg" 2>/dev/null
is "$(waiting)" 1 "outage: queued"
up
# The entry is not due yet; a new message's detached run only takes due
# ones, so make it due.
make_due
M -i -f bob@example.org next@example.com <"$T/msg"
quiesce "$T/c.conf"
is "$(waiting)" 0 "outage: the next send delivered the waiting entry too"
grep -l '<waited@example.com>' "$T/r"/msg.*/rcpt >/dev/null
ok $? "outage: the waiting message arrived"

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
	is "$(cat "$T/badj")" '{"queued": 0, "pending_recipients": 0, "oldest_age": 0, "failed": 0, "unreadable": 1, "no_relay_configured": false}' \
		"damaged entry: counted in --json"
else
	is "$(cat "$T/badq")" "Mail queue is empty" "damaged entry: not shown to a user"
	is "$(cat "$T/badj")" '{"queued": 0, "pending_recipients": 0, "oldest_age": 0, "failed": 0, "unreadable": 0, "no_relay_configured": false}' \
		"damaged entry: not counted for a user"
fi
n=$(count "$T/r")
"$MAILOUT" -C "$T/bad.conf" -qR
is "$?/$(count "$T/r")" "0/$n" "damaged entry: -q sends nothing"
test -f "$T/bq/q/$bad"
ok $? "damaged entry: -q leaves it in place"
grep -q "id=$bad: queue entry $bad: not a queue entry" "$T/bad.log"
ok $? "damaged entry: -q logs why"

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
grep -q "id=$sid: queue entry $sid: cannot read .*/q/$sid.state: Is a directory" "$T/bad.log"
ok $? "unreadable state: -q logs why"
if [ "$(id -u)" -eq 0 ]; then
	"$MAILOUT" -C "$T/bad.conf" -bp | grep -q "^$sid unreadable: queue entry $sid: cannot read"
	ok $? "unreadable state: root's mailq names it"
fi
rmdir "$T/bq/q/$sid.state"
"$MAILOUT" -C "$T/bad.conf" -qR
is "$(count "$T/r")/$(entries "$T/bq/q")" "$((n + 1))/1" \
	"unreadable state: once readable, -q delivers it"

done_testing
