#!/bin/sh
# The log an admin greps: one line per event, each starting with its
# keyword, then the message's queue id (a direct send's too, and the same
# once it is queued) and the user who sent it, uid and name.  mailout(8)
# LOG gives the format.  (kept: kept.sh; error: queue.sh and
# durability.sh; another user's uid and name: privilege.sh.)
. "${srcdir:-.}/tests/e2e/lib.sh"

cat >"$T/msg" <<'EOF2'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <logs@example.org>
Subject: logs

body
EOF2

relay_start "$T/r"
Q=$T/q
conf "$T/c.conf" "$RELAY_PORT" "queue_dir = \"$Q\";" "logfile = \"$T/log\";" \
	"retry_min = 600;"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }
S() { M -i -f bob@example.org "$@" <"$T/msg"; }
down() { printf '%s\n' "$@" >"$T/r/faults"; }
up() { rm -f "$T/r/faults"; }
# lines: the log lines written since the last call.
lines() {
	_seen=$(cat "$T/log.seen" 2>/dev/null || echo 0)
	log_lines "$T/log" | tail -n "+$((_seen + 1))"
	wc -l <"$T/log" | tr -d ' ' >"$T/log.seen"
}
# idof KEYWORD: the id on the first line of lines' output in $T/got that
# starts with KEYWORD.
idof() {
	sed -n "s/^$1 id=\\([^ ]*\\) .*/\\1/p" "$T/got" | head -1
}
at="relay=127.0.0.1:$RELAY_PORT tls=none auth=none"
ID='[0-9]\{14\}\.[0-9a-v]\{8\}'

# --- sent: a direct send has its id on its line, as a queue entry's.
S a@example.com 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/r")" "0//1" "sent: exit 0, delivered"
size=$(wc -c <"$T/r/msg.1/data" | tr -d ' ')
lines >"$T/got"
id=$(idof sent)
is "$(cat "$T/got")" \
	"sent id=$id $ME from=<bob@example.org> to=<a@example.com> $at size=$size reply=\"250 2.0.0 Ok: queued as 1\"" \
	"sent: one line, keyword first, the id, the user"
expr "$id" : "^$ID\$" >/dev/null
ok $? "sent: a direct send's id has the queue's format ($id)"

# --- deferred: the queued entry keeps the id of the send's line; mailq,
# the queue's file name and the queue run's line have it too.
down 'mail=451 4.3.0 try later'
S d@example.com 2>"$T/err"
st=$?
lines >"$T/got"
id=$(idof deferred)
is "$st/$(cat "$T/err")/$(entry_ids "$Q/q")" \
	"0/mailout: queued as $id: 127.0.0.1:$RELAY_PORT: MAIL: 451 4.3.0 try later/$id" \
	"deferred: exit 0; stderr and the queue's file name give the log's id"
is "$(cat "$T/got")" \
	"deferred id=$id $ME from=<bob@example.org> to=<d@example.com> $at size=$size reply=\"451 4.3.0 try later\" reason=\"127.0.0.1:$RELAY_PORT: MAIL: 451 4.3.0 try later\"" \
	"deferred: one line, with the reply and the reason"
M -bp >"$T/mailq"
is "$(sed -n '1s/ .*//p' "$T/mailq")" "$id" "deferred: mailq lists the same id"
up
M -q
is "$?/$(entries "$Q/q")/$(count "$T/r")" "0/0/2" "deferred: -q sends it"
is "$(lines)" \
	"sent id=$id $ME from=<bob@example.org> to=<d@example.com> $at size=$size reply=\"250 2.0.0 Ok: queued as 2\"" \
	"deferred, then -q: sent, under the same id"

# --- bounced: a permanent refusal of a new message; the caller is told.
down 'mail=550 5.7.1 not from you'
S b@example.com 2>"$T/err"
st=$?
lines >"$T/got"
id=$(idof bounced)
is "$st/$(entries "$Q/q")" "69/0" "bounced: exit 69, nothing queued"
is "$(cat "$T/got")" \
	"bounced id=$id $ME from=<bob@example.org> to=<b@example.com> $at size=$size reply=\"550 5.7.1 not from you\" reason=\"127.0.0.1:$RELAY_PORT: MAIL: 550 5.7.1 not from you\"" \
	"bounced: one line, with the reply and the reason"

# --- bounced in a queue run, with its bounce, and a note when none is made.
down 'rcpt:x@example.com=450 4.2.1 busy'
S x@example.com 2>/dev/null
lines >"$T/got"
id=$(idof deferred)
down 'rcpt:x@example.com=550 5.1.1 gone'
M -q
lines >"$T/got"
bid=$(idof sent)
bsize=$(wc -c <"$T/r/msg.3/data" | tr -d ' ')
cat >"$T/want" <<EOF2
bounced id=$id $ME from=<bob@example.org> to=<x@example.com> $at size=$size reply="550 5.1.1 gone" reason="every recipient was refused; last: <x@example.com>: 550 5.1.1 gone"
sent id=$bid $ME orig=$id from=<> to=<bob@example.org> $at size=$bsize reply="250 2.0.0 Ok: queued as 3"
EOF2
same_file "$T/got" "$T/want" \
	"bounced in a queue run: the entry's line, then its bounce's, which names it"
up
M -i -f '<>' -odq y@example.com <"$T/msg"
lines >"$T/got"
id=$(idof queued)
down 'rcpt=550 5.1.1 gone'
M -q
cat >"$T/want" <<EOF2
bounced id=$id $ME from=<> to=<y@example.com> $at size=$size reply="550 5.1.1 gone" reason="every recipient was refused; last: <y@example.com>: 550 5.1.1 gone"
note id=$id $ME reason="no bounce for 1 recipient(s)"
EOF2
lines >"$T/got"
same_file "$T/got" "$T/want" "note: no bounce for the null sender"
up

# --- queued: -odq, untried.
S -odq q@example.com 2>"$T/err"
lines >"$T/got"
id=$(idof queued)
is "$(cat "$T/err")/$(entry_ids "$Q/q")" \
	"mailout: queued as $id: queued without trying (-odq)/$id" \
	"queued: stderr and the queue's file name give the log's id"
is "$(cat "$T/got")" \
	"queued id=$id $ME from=<bob@example.org> to=<q@example.com> size=$size reason=\"queued without trying (-odq)\"" \
	"queued: one line, no relay, the reason"
M -q
is "$(lines)" \
	"sent id=$id $ME from=<bob@example.org> to=<q@example.com> $at size=$size reply=\"250 2.0.0 Ok: queued as 4\"" \
	"queued, then -q: sent, under the same id"

# --- expired: queue_lifetime over; the bounce is queued with the relay
# down, under an id of its own.
conf "$T/life.conf" "$RELAY_PORT" "queue_dir = \"$Q\";" \
	"logfile = \"$T/log\";" "queue_lifetime = 1;"
down 'mail=451 4.3.0 still down'
S -odq e@example.com 2>/dev/null
lines >"$T/got"
id=$(idof queued)
sleep 2
"$MAILOUT" -C "$T/life.conf" -q
lines >"$T/got"
bid=$(idof deferred)
# The bounce's size: its message, after the entry's state and empty line.
bsize=$(sed '1,/^$/d' "$Q/q/$bid" | wc -c | tr -d ' ')
why="127.0.0.1:$RELAY_PORT: MAIL: 451 4.3.0 still down"
cat >"$T/want" <<EOF2
expired id=$id $ME from=<bob@example.org> to=<e@example.com> $at size=$size reply="451 4.3.0 still down" reason="$why"
deferred id=$bid $ME orig=$id from=<> to=<bob@example.org> $at size=$bsize reply="451 4.3.0 still down" reason="$why"
EOF2
same_file "$T/got" "$T/want" \
	"expired: the entry's line, then its bounce's, deferred with the relay down"
is "$(entry_ids "$Q/failed" | grep -cx "$id")/$(entry_ids "$Q/q")" "1/$bid" \
	"expired: the entry in failed/, its bounce in q/, each with its id"
up

# --- refused: a submission refused before it is sent; the id it was given.
printf 'Subject: none\n\nno recipients\n' | M -t 2>"$T/err"
st=$?
lines >"$T/got"
id=$(idof refused)
is "$st/$(cat "$T/err")" "65/mailout: no recipients in the arguments or headers" \
	"refused: exit 65, stderr"
is "$(cat "$T/got")" \
	"refused id=$id $ME reason=\"no recipients in the arguments or headers\"" \
	"refused: one line, with the id given to the submission"
expr "$id" : "^$ID\$" >/dev/null
ok $? "refused: the id has the queue's format"

# --- -bs: the reply to the dot names the id of the log's lines.
down 'mail=451 4.3.0 try later'
printf 'HELO x\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<s@example.com>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n' |
	M -bs >"$T/out" 2>"$T/err"
lines >"$T/got"
id=$(idof deferred)
is "$(sed -n 6p "$T/out" | tr -d '\r')/$(entry_ids "$Q/q" | grep -cx "$id")/$(wc -l <"$T/got" | tr -d ' ')" \
	"250 2.0.0 Ok: queued as $id/1/1" \
	"-bs: queued under the id of its deferred line"
up

done_testing
