#!/bin/sh
# -bs: SMTP on stdin and stdout, as Symfony Mailer, Laravel and alpine
# speak it.  Every message goes through the normal submit path.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
# bs SESSION-FILE: run one session; replies in $T/out, stderr in $T/err.
bs() {
	"$MAILOUT" -C "$T/c.conf" -bs <"$1" >"$T/out" 2>"$T/err"
}
msg() {
	printf 'From: app@example.org\r\nTo: %s\r\nSubject: %s\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\n\r\n' "$1" "$2" "$2"
}

# --- a HELO client, two messages in one session, leading dots
{
	printf 'HELO [127.0.0.1]\r\n'
	printf 'MAIL FROM:<app@example.org>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n'
	msg a@example.com one
	printf '..leading dot\r\n...two dots\r\n..\r\nend\r\n.\r\n'
	printf 'MAIL FROM:<app@example.org> BODY=8BITMIME\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n'
	msg b@example.com two
	printf 'second\r\n.\r\nQUIT\r\n'
} >"$T/s1"
bs "$T/s1"
is $? 0 "HELO session: exit 0"
is "$(codes)" "220 250 250 250 354 250 250 250 250 354 250 221 " \
	"HELO session: the replies"
is "$(cat "$T/err")" "" "HELO session: nothing on stderr"
is "$(count "$T/r")" 2 "two messages in one session"
{
	msg a@example.com one
	printf '.leading dot\r\n..two dots\r\n.\r\nend\r\n'
} >"$T/want"
same_file "$T/r/msg.1/data" "$T/want" "dot-unstuffing: the message arrives as sent"
printf '<b@example.com>\n<c@example.com>\n' >"$T/want"
same_file "$T/r/msg.2/rcpt" "$T/want" "second message: its own recipients"
is "$(cat "$T/r/msg.2/mail")" "<app@example.org>" "second message: MAIL FROM"

# --- an EHLO client (alpine), LF line ends, a bare-name recipient
printf 'EHLO localhost\nMAIL FROM:<root>\nRCPT TO:<root>\nDATA\nSubject: lf\n\nbody\n.\nQUIT\n' >"$T/s2"
bs "$T/s2"
is "$(codes)" "220 250 250 250 354 250 221 " "EHLO session: the replies"
grep -q '^250-8BITMIME' "$T/out" && grep -q '^250-PIPELINING' "$T/out"
is $? 0 "EHLO lists 8BITMIME and PIPELINING"
is "$(cat "$T/r/msg.3/mail")/$(cat "$T/r/msg.3/rcpt")" \
	"<root@example.org>/<root@example.org>" "bare names qualified"

# --- a client that waits for the reply to the final "." before it says
#     more (alpine does): ".\n" alone must end the data, and so must a
#     ".\r" whose "\n" comes in a later read.  await CODE N waits, 20 s at
#     most, for the N-th CODE reply and notes in $T/wait whether it came.
await() {
	i=0
	while [ "$(grep -c "^$1" "$T/out")" -lt "$2" ]; do
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then
			echo "no $1 #$2" >>"$T/wait"
			return
		fi
		sleep 0.1
	done
	echo "$1 #$2" >>"$T/wait"
}
n=$(count "$T/r")
: >"$T/out"
: >"$T/wait"
{
	printf 'EHLO x\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.com>\nDATA\n'
	msg b@example.com lf | tr -d '\r'
	printf '..x\nmiddle\n..\n.\n'
	await '250 2.0.0' 1
	printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'
	msg b@example.com cr
	printf 'body\r\n.\r'
	sleep 0.3
	printf '\n'
	await '250 2.0.0' 2
	printf 'QUIT\n'
} | "$MAILOUT" -C "$T/c.conf" -bs >"$T/out" 2>"$T/err"
is "$(tr '\n' ' ' <"$T/wait")" "250 2.0.0 #1 250 2.0.0 #2 " \
	"final dot as \".\\n\", and \".\\r\" then \"\\n\": the reply comes at once"
is "$(codes)/$(count "$T/r")" \
	"220 250 250 250 354 250 250 250 354 250 221 /$((n + 2))" \
	"waiting client: the replies, both messages delivered"
{
	msg b@example.com lf
	printf '.x\r\nmiddle\r\n.\r\n'
} >"$T/want"
same_file "$T/r/msg.$((n + 1))/data" "$T/want" \
	"waiting client: the LF message arrives unstuffed"

# --- RCPT goes through aliases, local names and IDNA, as -t does
conf "$T/al.conf" "$RELAY_PORT" 'aliases = { root = "ops@example.org"; };'
printf 'EHLO localhost\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<root>\r\nRCPT TO:<root@localhost>\r\nRCPT TO:<x@b\303\274cher.example>\r\nDATA\r\nSubject: al\r\n\r\nbody\r\n.\r\nQUIT\r\n' >"$T/s4"
"$MAILOUT" -C "$T/al.conf" -bs <"$T/s4" >"$T/out" 2>"$T/err"
is "$(codes)" "220 250 250 250 250 250 354 250 221 " "aliases: the replies"
printf '<ops@example.org>\n<x@xn--bcher-kva.example>\n' >"$T/want"
same_file "$(last_msg "$T/r")/rcpt" "$T/want" \
	"aliases: RCPT root and root@localhost reach the alias once, the domain in A-labels"

# --- relay down: the message is queued and the reply is still positive
conf "$T/down.conf" "$(free_port)" "queue_dir = \"$T/dq\";"
"$MAILOUT" -C "$T/down.conf" -bs <"$T/s1" >"$T/out" 2>"$T/err"
is "$(codes)" "220 250 250 250 354 250 250 250 250 354 250 221 " \
	"relay down: 250 after each message"
grep -c '^250 2.0.0 Ok: queued as ' "$T/out" | grep -qx 2
is $? 0 "relay down: both replies say queued"
is "$(entries "$T/dq/q")" 2 "relay down: two entries queued"
is "$(cat "$T/err")" "" "relay down: nothing on stderr"

# --- the relay back: a message it accepts in a session takes along the
#     mail that waited for it, which is not due before retry_min
conf "$T/up.conf" "$(cat "$T/r/port")" "queue_dir = \"$T/dq\";"
n=$(count "$T/r")
"$MAILOUT" -C "$T/up.conf" -bs <"$T/s2" >"$T/out" 2>"$T/err"
quiesce "$T/up.conf"
is "$(entries "$T/dq/q")/$(count "$T/r")" "0/$((n + 3))" \
	"relay back: the session's message and the two that waited went out"

# --- the relay refuses: the reply says so
relay_start "$T/bad" --fault 'rcpt:no@example.com=550 5.1.1 no such user'
conf "$T/bad.conf" "$RELAY_PORT"
printf 'EHLO x\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<no@example.com>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\nQUIT\r\n' >"$T/s3"
"$MAILOUT" -C "$T/bad.conf" -bs <"$T/s3" >"$T/out" 2>"$T/err"
grep -q '^550 5.1.1 .*no such user' "$T/out"
is $? 0 "every recipient refused: 550 with the relay's reply"

# --- protocol errors
printf 'EHLO x\r\nRCPT TO:<a@example.com>\r\nDATA\r\nMAIL FROM:a@example.com\r\nMAIL FROM:<a@@example.com>\r\nMAIL FROM:<a@example.com>\r\nMAIL FROM:<b@example.com>\r\nDATA\r\nBDAT 10\r\nRSET\r\nNOOP\r\nVRFY root\r\nHELO\r\nQUIT\r\n' >"$T/s4"
bs "$T/s4"
is "$(codes)" "220 250 503 503 501 501 250 503 554 502 250 250 252 501 221 " \
	"errors: RCPT/DATA first, bad syntax, MAIL twice, no recipient, unknown"
{
	printf 'EHLO x\r\n'
	head -c 5000 /dev/zero | tr '\0' 'a'
	printf '\r\nNOOP\r\nQUIT\r\n'
} >"$T/s5"
bs "$T/s5"
is "$(codes)" "220 250 500 250 221 " "a command line over 4096 octets: 500, session goes on"

# --- input ends in the middle of DATA: nothing is sent
n=$(count "$T/r")
printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: cut\r\n\r\npartial' >"$T/s6"
bs "$T/s6"
is "$?/$(count "$T/r")" "0/$n" "input ends inside DATA: nothing sent"

# --- a control character in an address is refused
printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@exa\tmple.com>\r\nQUIT\r\n' >"$T/s7"
bs "$T/s7"
is "$(codes)" "220 250 250 501 221 " "a control character in RCPT: 501"

# --- messages refused in a session (a NUL in the header with a body to
#     re-encode, a header line that cannot be folded): 554 each, nothing
#     of them kept, and the session goes on to send the next
{
	printf 'EHLO x\r\n'
	for m in 1 2 3; do
		printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'
		case $m in
		1) printf 'Subject: a\000b\r\n\r\nbo\000dy\r\n' ;;
		2) printf 'To: b@example.com\r\nSubject: %s\r\n\r\nbody\r\n' \
			"$(head -c 1000 /dev/zero | tr '\0' 'x')" ;;
		3) msg b@example.com refused3 && printf 'sent\r\n' ;;
		esac
		printf '.\r\n'
	done
	printf 'QUIT\r\n'
} >"$T/s8"
n=$(count "$T/r")
bs "$T/s8"
is "$(codes)" "220 250 250 250 354 554 250 250 354 554 250 250 354 250 221 " \
	"refused messages: 554 each, the session goes on"
is "$(count "$T/r")" $((n + 1)) "refused messages: only the third sent"
if command -v valgrind >/dev/null 2>&1 && [ -z "${ASAN_OPTIONS:-}" ]; then
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=97 "$MAILOUT" -C "$T/c.conf" -bs <"$T/s8" \
		>"$T/out" 2>"$T/vg"
	[ $? -ne 97 ] && ! grep -q 'definitely lost' "$T/vg"
	ok $? "refused messages: nothing leaks (valgrind)"
else
	skip "refused messages: nothing leaks" "no valgrind here"
fi

# --- a connection the relay closed with 421 while idle (libcurl 7.88
#     would read that stale 421 as the reply to MAIL): the next message
#     of the session still goes out, on a fresh connection
relay_start "$T/idle" --idle-421 0.5
conf "$T/idle.conf" "$RELAY_PORT"
{
	printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'
	msg b@example.com idle1
	printf 'one\r\n.\r\n'
	sleep 1.5
	printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'
	msg b@example.com idle2
	printf 'two\r\n.\r\nQUIT\r\n'
} | "$MAILOUT" -C "$T/idle.conf" -bs >"$T/out" 2>"$T/err"
is "$(codes)" "220 250 250 250 354 250 250 250 354 250 221 " \
	"idle 421 between two messages: both accepted"
is "$(count "$T/idle")/$(cat "$T/idle/sessions")" "2/2" \
	"idle 421: both delivered, the second on a new connection"
grep -c '^250 2.0.0 Ok: sent' "$T/out" | grep -qx 2
ok $? "idle 421: both sent, none queued"

done_testing
