#!/bin/sh
# The submit path, end to end: the real mailout against the test relay,
# asserting the exact envelope and the exact bytes that arrive.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }

# A message complete in every header, so nothing is added on the way.
cat >"$T/msg.lf" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <test-1@example.org>
Subject: line ends

first line
second line
EOF
crlf <"$T/msg.lf" >"$T/msg.crlf"

# --- line ends: LF, CRLF and a mix all arrive as the same CRLF text
M -i alice@example.com <"$T/msg.lf"
is $? 0 "LF message: exit 0"
same_file "$T/r/msg.1/data" "$T/msg.crlf" "LF input arrives as CRLF"

M -i alice@example.com <"$T/msg.crlf"
is $? 0 "CRLF message: exit 0"
same_file "$T/r/msg.2/data" "$T/msg.crlf" "CRLF input arrives unchanged"

# PHP 8 writes CRLF headers and an LF body.
awk 'NR <= 5 { printf "%s\r\n", $0; next } { print }' "$T/msg.lf" >"$T/msg.mixed"
M -i alice@example.com <"$T/msg.mixed"
is $? 0 "mixed message: exit 0"
same_file "$T/r/msg.3/data" "$T/msg.crlf" "mixed LF/CRLF input arrives as CRLF"

# CR CR LF (a CRLF converted to CRLF again) is one line end.
sed 's/$/\r\r/' "$T/msg.lf" >"$T/msg.crcrlf"
M -i alice@example.com <"$T/msg.crcrlf"
same_file "$T/r/msg.4/data" "$T/msg.crlf" "CR CR LF arrives as one CRLF"

# --- dots: with -i, lines ".", "..", ".x" arrive unchanged
{
	head -6 "$T/msg.lf"
	printf '.\n..\n.x\n...\nend\n'
} >"$T/dots"
crlf <"$T/dots" >"$T/dots.crlf"
M -i alice@example.com <"$T/dots"
is $? 0 "dot lines with -i: exit 0"
same_file "$T/r/msg.5/data" "$T/dots.crlf" "lines . .. .x ... arrive unchanged"
printf '..\r\n...\r\n..x\r\n....\r\nend\r\n' >"$T/dots.stuffed"
tail -c 25 "$T/r/msg.5/data.raw" >"$T/dots.tail"
same_file "$T/dots.tail" "$T/dots.stuffed" "dot lines are stuffed on the wire"

# Without -i or -oi, a line holding only "." ends the message (sendmail).
M alice@example.com <"$T/dots"
is $? 0 "dot line without -i: exit 0"
head -6 "$T/msg.lf" | crlf >"$T/dots.cut"
same_file "$T/r/msg.6/data" "$T/dots.cut" "without -i the \".\" line ends input"

M -oi alice@example.com <"$T/dots"
same_file "$T/r/msg.7/data" "$T/dots.crlf" "-oi is -i"

# --- a missing final newline is added; the message arrives complete
printf '%s' "$(cat "$T/msg.lf")" >"$T/nonl"
M -i alice@example.com <"$T/nonl"
is $? 0 "no final newline: exit 0"
same_file "$T/r/msg.8/data" "$T/msg.crlf" "message without final newline arrives complete"

# --- a read error on stdin sends nothing (a directory cannot be read)
M -i alice@example.com <"$T"
is $? 74 "read error on stdin: exit 74 (EX_IOERR)"
is "$(count "$T/r")" 8 "read error: nothing sent"

# --- no recipients: nothing sent
M -i <"$T/msg.lf" 2>"$T/err"
is $? 64 "no recipients: exit 64"
is "$(count "$T/r")" 8 "no recipients: nothing sent"
grep -q "no recipients" "$T/err"
ok $? "no recipients: says so"

printf 'Subject: no one\n\nbody\n' | M -t 2>/dev/null
is $? 65 "-t and no recipient headers: exit 65"
is "$(count "$T/r")" 8 "-t and no recipient headers: nothing sent"

# --- a recipient with CR or LF is refused before anything is sent
M -i "$(printf 'alice@example.com\r\nRSET')" <"$T/msg.lf" 2>/dev/null
is $? 64 "recipient with CRLF: exit 64"
M -i "$(printf 'alice@example.com\nbob@example.com')" <"$T/msg.lf" 2>/dev/null
is $? 64 "recipient with LF: exit 64"
is "$(count "$T/r")" 8 "recipient with CR/LF: nothing sent"

# --- the envelope
M -i -f bounce@example.org alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.9/mail")" "<bounce@example.org>" "-f sets MAIL FROM"
is "$(cat "$T/r/msg.9/rcpt")" "<alice@example.com>" "argument recipient"
is "$(cat "$T/r/msg.9/helo")" "client.example.org" "EHLO name from helo"

M -i -fbounce2@example.org alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.10/mail")" "<bounce2@example.org>" "-f with attached value"

M -i alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.11/mail")" "<$(id -un)@example.org>" \
	"default sender: user from getuid() at domain"

# cron passes MAILTO as one argument: "a@x,b@y"; bare names are qualified.
M -i 'a@example.com,b@example.net' root <"$T/msg.lf"
printf '<a@example.com>\n<b@example.net>\n<root@example.org>\n' >"$T/want"
same_file "$T/r/msg.12/rcpt" "$T/want" "comma list argument split, bare name qualified"

M -i -f '<>' alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.13/mail")" "<>" "-f '<>' is the null sender"
M -i -f '' alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.14/mail")" "<>" "-f '' is the null sender"

conf "$T/from.conf" "$RELAY_PORT" 'from = "daemon@example.net";'
"$MAILOUT" -C "$T/from.conf" -i alice@example.com <"$T/msg.lf"
is "$(cat "$T/r/msg.15/mail")" "<daemon@example.net>" "sender from the config's from"

# Duplicates are dropped (domain case ignored, local part kept).
M -i alice@example.com alice@EXAMPLE.com Alice@example.com <"$T/msg.lf"
printf '<alice@example.com>\n<Alice@example.com>\n' >"$T/want"
same_file "$T/r/msg.16/rcpt" "$T/want" "duplicate recipients dropped"

# --- -t: To, Cc and Bcc; Bcc never transmitted
cat >"$T/t.msg" <<'EOF'
From: Bob <bob@example.org>
To: Alice <alice@example.com>, carol@example.com
Cc: dave@example.com
Bcc: eve@example.com,
 frank@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <test-t@example.org>
Subject: -t

body
EOF
M -t <"$T/t.msg"
is $? 0 "-t: exit 0"
printf '<alice@example.com>\n<carol@example.com>\n<dave@example.com>\n<eve@example.com>\n<frank@example.com>\n' >"$T/want"
same_file "$T/r/msg.17/rcpt" "$T/want" "-t takes To, Cc and Bcc"
grep -v -e '^Bcc:' -e '^ frank' "$T/t.msg" | crlf >"$T/want"
same_file "$T/r/msg.17/data" "$T/want" "-t: Bcc and its continuation line removed"

M -t extra@example.com <"$T/t.msg"
head -1 "$T/r/msg.18/rcpt" >"$T/got"
echo '<extra@example.com>' >"$T/want"
same_file "$T/got" "$T/want" "-t adds argument recipients"

done_testing
