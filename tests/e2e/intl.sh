#!/bin/sh
# International addresses, end to end: non-ASCII domains go out as
# A-labels; SMTPUTF8 is asked for only when a local part needs it, and
# never is UTF-8 sent raw to a relay that does not offer it.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/plain"
conf "$T/plain.conf" "$RELAY_PORT"
relay_start "$T/utf8" --ehlo-ext SMTPUTF8
conf "$T/utf8.conf" "$RELAY_PORT"
P() { before_send "$T/plain" && "$MAILOUT" -C "$T/plain.conf" "$@"; }
U() { before_send "$T/utf8" && "$MAILOUT" -C "$T/utf8.conf" "$@"; }
me=$(id -un)
printf 'From: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <intl@example.org>\nSubject: international\n\nbody\n' >"$T/msg"

# --- a non-ASCII domain: A-labels, no SMTPUTF8, whatever the relay.
P -i 'user@bücher.example' <"$T/msg"
is $? 0 "IDN domain, relay without SMTPUTF8: exit 0"
is "$(last "$T/plain" rcpt)" "<user@xn--bcher-kva.example>" \
	"IDN domain: RCPT in A-labels"
is "$(last "$T/plain" mail)" "<$me@example.org>" "IDN domain: no SMTPUTF8 asked for"
U -i 'user@BÜCHER.example' <"$T/msg"
is "$(last "$T/utf8" rcpt)" "<user@xn--bcher-kva.example>" \
	"IDN domain, relay with SMTPUTF8: still A-labels (UTS #46 maps case)"
is "$(last "$T/utf8" mail)" "<$me@example.org>" \
	"IDN domain, relay with SMTPUTF8: SMTPUTF8 not asked for"
P -i 'a@bücher.example' 'a@xn--bcher-kva.example' <"$T/msg"
is "$(last "$T/plain" rcpt)" "<a@xn--bcher-kva.example>" \
	"the U-label and A-label forms are one recipient"
P -f 'sender@bücher.example' -i b@example.com <"$T/msg"
is "$(last "$T/plain" mail)" "<sender@xn--bcher-kva.example>" \
	"IDN domain of the sender: A-labels"

# --- a non-ASCII local part: SMTPUTF8 when offered.
U -i 'jörg@bücher.example' <"$T/msg"
is $? 0 "UTF-8 local part, relay with SMTPUTF8: exit 0"
is "$(last "$T/utf8" mail)" "<$me@example.org> SMTPUTF8" \
	"UTF-8 local part: MAIL asks for SMTPUTF8"
is "$(last "$T/utf8" rcpt)" "<jörg@xn--bcher-kva.example>" \
	"UTF-8 local part: sent as UTF-8, the domain as A-labels"

# --- ... and a permanent failure for that recipient when not offered.
n=$(count "$T/plain")
P -i 'jörg@example.org' ascii@example.org <"$T/msg" 2>"$T/err"
is $? 0 "UTF-8 local part and an ASCII one, no SMTPUTF8: exit 0"
is "$(cat "$T/plain/msg.$((n + 1))/rcpt")" \
	"<ascii@example.org>" "no SMTPUTF8: the ASCII recipient gets the message"
is "$(cat "$T/err")" \
	"mailout: 1 of 2 recipients not accepted; last: <jörg@example.org>: 553 5.6.7 not sent: the relay does not offer SMTPUTF8 (RFC 6531), which this address needs" \
	"no SMTPUTF8: the UTF-8 recipient is named, with the reason"
is "$(count "$T/plain")/$(cat "$T/plain/msg.$((n + 2))/mail")" "$((n + 2))/<> BODY=8BITMIME" \
	"no SMTPUTF8: a bounce follows, its 8-bit text declared"
grep -q '^Status: 5.6.7.$' "$T/plain/msg.$((n + 2))/data"
ok $? "no SMTPUTF8: the bounce says 5.6.7"
cat "$T"/plain/session.*.log | grep -a -e '^C: MAIL' -e '^C: RCPT' | grep -a -c 'jörg' >"$T/n"
is "$(cat "$T/n")" 0 "no SMTPUTF8: the UTF-8 address never appears in a command"

n=$(count "$T/plain")
P -i 'jörg@example.org' <"$T/msg" 2>"$T/err"
is $? 67 "only a UTF-8 recipient, no SMTPUTF8: exit 67"
is "$(count "$T/plain")" "$n" "only a UTF-8 recipient: nothing sent"
P -i -f 'jörg@example.org' a@example.com <"$T/msg" 2>"$T/err"
is $? 69 "UTF-8 sender, no SMTPUTF8: exit 69"
grep -q 'does not offer SMTPUTF8 (RFC 6531), which the sender <jörg@example.org> needs' "$T/err"
ok $? "UTF-8 sender: says why"
is "$(count "$T/plain")" "$n" "UTF-8 sender: nothing sent"

# A queue run over one connection: what the first message was refused for
# (a UTF-8 sender) is not the reason of the next (larger than SIZE).
relay_start "$T/small" --size 2000
conf "$T/small.conf" "$RELAY_PORT" "queue_dir = \"$T/qsmall\";" \
	"logfile = \"$T/small.log\";"
"$MAILOUT" -C "$T/small.conf" -odq -i -f 'jörg@example.org' a@example.com <"$T/msg"
sleep 1 # a queue run goes by id, and an id starts with its second
{ cat "$T/msg" && head -c 3000 /dev/zero | tr '\0' 'x' && echo; } >"$T/big"
"$MAILOUT" -C "$T/small.conf" -odq -i -f b@example.com c@example.com <"$T/big"
"$MAILOUT" -C "$T/small.conf" -q
log_lines "$T/small.log" | grep -av ' from=<> ' |
	sed -n 's/^bounced .* to=<\([^>]*\)> .*reason="\([^"]*\)".*/\1: \2/p' >"$T/q.got"
big=$(log_lines "$T/small.log" |
	sed -n 's/^queued .* to=<c@example.com> size=\([0-9]*\) .*/\1/p')
cat >"$T/q.want" <<EOF
a@example.com: 127.0.0.1:$RELAY_PORT: the relay does not offer SMTPUTF8 (RFC 6531), which the sender <jörg@example.org> needs
c@example.com: 127.0.0.1:$RELAY_PORT: message of $big octets is larger than the relay's limit of 2000 (SIZE)
EOF
same_file "$T/q.got" "$T/q.want" "a queue run: each message refused for its own reason"

# --- UTF-8 in header fields (RFC 6532) passes through.
printf 'From: Jörg <j@example.com>\nTo: "Zoë" <zoe@bücher.example>\nSubject: Grüße\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <h@example.org>\n\nbody\n' >"$T/h.msg"
P -t <"$T/h.msg"
crlf <"$T/h.msg" >"$T/want"
last "$T/plain" data >"$T/got"
same_file "$T/got" "$T/want" "UTF-8 header fields arrive unchanged"
is "$(last "$T/plain" rcpt)" "<zoe@xn--bcher-kva.example>" "-t: IDN domain in A-labels"

# --- a domain that is no valid IDN is a bad address.
P -i 'x@☃.example' <"$T/msg" 2>"$T/err"
is $? 64 "invalid IDN argument: exit 64"
is "$(cat "$T/err")" \
	"mailout: x@☃.example: not a valid international domain name: string contains a disallowed character" \
	"invalid IDN argument: says why"
printf 'To: x@☃.example\n\nbody\n' | P -t 2>"$T/err"
is $? 65 "invalid IDN in To with -t: exit 65"

done_testing
