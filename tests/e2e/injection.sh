#!/bin/sh
# No header or SMTP command injection: a CR, LF, NUL or other control in
# a flag, a recipient, a configuration value or a header address is
# refused before anything is sent.  The relay must not even see a
# connection.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
printf 'From: b@example.org\nTo: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <inj@example.org>\nSubject: x\n\nbody\n' >"$T/msg"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }
CRLF=$(printf '\r\n')
LF=$(printf '\nx')
LF=${LF%x}

# refused NAME STATUS CMD...: CMD exits STATUS, and says why in one line.
refused() {
	_name=$1 _want=$2
	shift 2
	"$@" <"$T/msg" >/dev/null 2>"$T/err"
	is $? "$_want" "$_name: exit $_want"
	is "$(head -c 9 "$T/err")" "mailout: " "$_name: says why"
}

refused "-f with CR LF" 64 M -f "a@example.org${CRLF}RCPT TO:<x@evil.example>" a@example.com
refused "-f with LF" 64 M -f "a@example.org${LF}x" a@example.com
refused "-F with LF (a Bcc field)" 64 M -F "Bob${LF}Bcc: x@evil.example" a@example.com
refused "-N with CR LF" 64 M -N "success${CRLF}RSET" a@example.com
refused "-R with LF" 64 M -R "full${LF}x" a@example.com
refused "-V with a tab" 64 M -V "$(printf 'id\tx')" a@example.com
refused "-V with NUL-free DEL" 64 M -V "$(printf 'id\177')" a@example.com
refused "-L with LF" 64 M -L "tag${LF}x" a@example.com
refused "recipient with CR LF" 64 M "a@example.com${CRLF}RCPT TO:<x@evil.example>"
refused "recipient with LF" 64 M "a@example.com${LF}x@evil.example"
refused "recipient with a tab" 64 M "$(printf 'a@exa\tmple.com')"

for key in helo from domain host; do
	conf "$T/bad.conf" "$RELAY_PORT" "$key = \"x.example\\nMAIL FROM:<evil@example>\";"
	refused "config $key with LF" 78 "$MAILOUT" -C "$T/bad.conf" a@example.com
done
conf "$T/bad.conf" "$RELAY_PORT" 'sender = "s@example.org\r\nBcc: x@evil.example";'
refused "config sender with CR LF" 78 "$MAILOUT" -C "$T/bad.conf" a@example.com

# Header addresses with -t: a control in a To field refuses the message.
printf 'From: b@example.org\nTo: a@exa\001mple.com\nSubject: x\n\nbody\n' >"$T/h1"
M -t <"$T/h1" 2>"$T/err"
is $? 65 "-t, To with a control character: exit 65"
grep -q '^mailout: .*To' "$T/err"
ok $? "-t, To with a control character: names the field"
printf 'From: b@example.org\nTo: <a@example.com\177>\nSubject: x\n\nbody\n' >"$T/h2"
M -t <"$T/h2" 2>/dev/null
is $? 65 "-t, To with DEL: exit 65"
# A CR inside a field ends the line: what follows is a line of its own,
# not part of an address (and here not a field: the body starts).
printf 'From: b@example.org\nTo: a@example.com\rRCPT TO:<x@evil.example>\nSubject: x\n\nbody\n' >"$T/h3"
M -odq -t <"$T/h3" 2>/dev/null
is $? 0 "-t, a CR inside To: queued"
M -bp >"$T/mailq"
grep -q '<a@example.com>  pending' "$T/mailq" && ! grep -q 'evil' "$T/mailq"
ok $? "-t, a CR inside To: only a@example.com is a recipient"

# -bs: a control in MAIL or RCPT is refused by the server side too.
printf 'EHLO x\r\nMAIL FROM:<a@ex\001ample.org>\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@ex\033ample.com>\r\nQUIT\r\n' |
	M -bs >"$T/out"
is "$(codes)" "220 250 501 250 501 221 " "-bs: controls in MAIL and RCPT: 501"

is "$(cat "$T/r/sessions")" 0 "nothing of it reached the relay: no connection at all"
is "$(count "$T/r")" 0 "no message stored"

done_testing
