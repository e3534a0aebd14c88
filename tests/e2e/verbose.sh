#!/bin/sh
# -v shows the conversation on stderr the way a telnet session would.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
printf 'From: b@example.org\nTo: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <v@example.org>\n\nhello\n' >"$T/msg"

"$MAILOUT" -C "$T/c.conf" -v -f b@example.org a@example.com <"$T/msg" \
	>"$T/out" 2>"$T/err"
is $? 0 "-v: exit 0"
is "$(cat "$T/out")" "" "-v: nothing on stdout"
size=$(wc -c <"$T/r/msg.1/data" | tr -d ' ')
grep -e '^[<>]' "$T/err" | sed 's/^\(< 250 2.0.0 Ok\).*/\1/' >"$T/got"
cat >"$T/want" <<EOF2
< 220 relay.test ESMTP
> EHLO client.example.org
$(grep -e '^< 250[- ]' "$T/err" | sed -n '1,/^< 250 /p')
> MAIL FROM:<b@example.org>
< 250 2.1.0 Ok
> RCPT TO:<a@example.com>
< 250 2.1.5 Ok
> DATA
< 354 End data with <CR><LF>.<CR><LF>
> (message, $size octets)
> .
< 250 2.0.0 Ok
> QUIT
< 221 2.0.0 Bye
EOF2
same_file "$T/got" "$T/want" "-v: the conversation, line by line, QUIT included"
grep -q '^< 250-SIZE\|^< 250-8BITMIME\|^< 250-ENHANCEDSTATUSCODES' "$T/err"
ok $? "-v: EHLO capabilities shown"

# A reply of several lines to the final dot: the message is shown once.
relay_start "$T/r2" --fault 'eod=250-2.0.0 Ok\n250 2.0.0 queued as MULTI'
conf "$T/c2.conf" "$RELAY_PORT"
"$MAILOUT" -C "$T/c2.conf" -v -f b@example.org a@example.com <"$T/msg" \
	>/dev/null 2>"$T/err2"
is $? 0 "-v, a reply of two lines to the dot: exit 0"
sed -n '/^> DATA$/,$p' "$T/err2" | grep -e '^[<>]' >"$T/got2"
cat >"$T/want2" <<EOF2
> DATA
< 354 End data with <CR><LF>.<CR><LF>
> (message, $size octets)
> .
< 250-2.0.0 Ok
< 250 2.0.0 queued as MULTI
> QUIT
< 221 2.0.0 Bye
EOF2
same_file "$T/got2" "$T/want2" "-v, a reply of two lines to the dot: the message shown once"

# The relay's control characters (ESC, TAB, a bare CR, BEL) reach the
# terminal as spaces, as in the log: a reply cannot drive the terminal.
esc=$(printf '\033')
relay_start "$T/r3" --fault "greeting=$(printf '220 relay \033[31mred\tx\ry ESMTP')" \
	--ehlo-ext "$(printf 'X-BAD \033]0;title\007 a\tb\rc')"
conf "$T/c3.conf" "$RELAY_PORT"
"$MAILOUT" -C "$T/c3.conf" -v -X "$T/x3" -f b@example.org a@example.com \
	<"$T/msg" >/dev/null 2>"$T/err3"
is $? 0 "-v, control characters in the relay's replies: exit 0"
grep -x '< 220 relay  \[31mred x y ESMTP' "$T/err3" >"$T/got3"
grep -x '< 250 X-BAD  ]0;title  a b c' "$T/err3" >>"$T/got3"
is "$(wc -l <"$T/got3" | tr -d ' ')" 2 \
	"-v: the greeting and the EHLO line with control characters as spaces"
tr -d '\000-\011\013-\037\177' <"$T/err3" | cmp -s - "$T/err3"
ok $? "-v: no control character but the line ends on stderr"
grep -q "$esc" "$T/err3"
is $? 1 "-v: no ESC on stderr"
grep -c "^[0-9]* < 220 relay  \[31mred x y ESMTP\$" "$T/x3" | grep -qx 1
ok $? "-X: the greeting with control characters as spaces"
tr -d '\000-\011\013-\037\177' <"$T/x3" | cmp -s - "$T/x3"
ok $? "-X: no control character but the line ends"

done_testing
