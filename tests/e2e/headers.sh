#!/bin/sh
# Header rewriting, end to end: cron's message, local addresses in the
# header, Bcc removal, added Date/From/Message-ID, from_rewrite, sender,
# folding of long lines.  The relay's stored bytes are compared exactly.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT" \
	'aliases = { root = "ops@example.org"; team = "a@example.net, b@example.net"; };'
M() { before_send "$T/r" && "$MAILOUT" -C "$T/c.conf" "$@"; }
me=$(id -un)

# --- cron (Debian): its exact argv and stdin, as captured live.
printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@vm> echo h\303\251\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\nX-Cron-Env: <HOME=/root>\nX-Cron-Env: <LOGNAME=root>\n\nh\303\251\n' >"$T/cron.in"
M -FCronDaemon -i -B8BITMIME -oem root <"$T/cron.in"
is $? 0 "cron: exit 0"
is "$(last mail)" "<$me@example.org> BODY=8BITMIME" "cron: envelope sender is the job owner, qualified; 8-bit body declared"
is "$(last rcpt)" "<ops@example.org>" "cron: root aliased in the envelope"
last data >"$T/got"
grep -v -e '^Date: ' -e '^Message-ID: ' "$T/got" >"$T/got.rest"
printf 'From: root@example.org (Cron Daemon)\nTo: ops@example.org\nSubject: Cron <root@vm> echo h\303\251\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\nX-Cron-Env: <HOME=/root>\nX-Cron-Env: <LOGNAME=root>\n\nh\303\251\n' | crlf >"$T/want"
same_file "$T/got.rest" "$T/want" "cron: From qualified, To aliased, the rest unchanged"
grep -Eq '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}.$' "$T/got"
ok $? "cron: a Date is added (RFC 5322 3.3)"
grep -Eq '^Message-ID: <[^<>@ ]+@example\.org>.$' "$T/got"
ok $? "cron: a Message-ID is added at the mail domain"
is "$(grep -c -e '^Date: ' -e '^Message-ID: ' "$T/got")" 2 \
	"cron: one Date and one Message-ID"

# --- local addresses in the header: only those change.
cat >"$T/local.in" <<'EOM'
From: Root <root@localhost>
To: Team <team>, "Ops Desk" <root> (the desk),
	carol, dave@example.com (Dave (no comment)),
 Some Group: bob@localhost, erin@example.com;
Cc: root@example.org, <frank>
Reply-To: root
Sender: daemon
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <local@example.org>
Subject: local addresses

body
EOM
M -t <"$T/local.in"
cat <<'EOM' | crlf >"$T/want"
From: Root <root@example.org>
To: Team <a@example.net>, <b@example.net>, "Ops Desk" <ops@example.org> (the desk),
	carol@example.org, dave@example.com (Dave (no comment)),
 Some Group: bob@example.org, erin@example.com;
Cc: root@example.org, <frank@example.org>
Reply-To: root@example.org
Sender: daemon@example.org
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <local@example.org>
Subject: local addresses

body
EOM
last data >"$T/got"
same_file "$T/got" "$T/want" "header addresses aliased/qualified in place, the rest byte for byte"
printf '<a@example.net>\n<b@example.net>\n<ops@example.org>\n<carol@example.org>\n<dave@example.com>\n<bob@example.org>\n<erin@example.com>\n<root@example.org>\n<frank@example.org>\n' >"$T/want"
last rcpt >"$T/got"
same_file "$T/got" "$T/want" "-t envelope matches the rewritten header"

# Without -t, a To field that does not parse is passed on as it is.
printf 'To: alice@example.org(<bob@example.com>\nFrom: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <bad@example.org>\n\nbody\n' >"$T/bad.in"
M -i c@example.net <"$T/bad.in"
is $? 0 "unparseable To without -t: sent"
crlf <"$T/bad.in" >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "unparseable To without -t: left as it is"

# --- Bcc removed with every continuation line, whatever its spelling.
cat >"$T/bcc.in" <<'EOM'
Bcc: hidden1@example.com,
	hidden2@example.com,
    hidden3@example.com
From: a@example.com
To: b@example.com
BCC : hidden4@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <bcc@example.org>
bcc:
Subject: Bcc

Bcc: in the body stays
EOM
M -t <"$T/bcc.in"
printf 'From: a@example.com\nTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <bcc@example.org>\nSubject: Bcc\n\nBcc: in the body stays\n' | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "Bcc, folded Bcc, 'BCC :' and an empty bcc removed"
is "$(grep -c hidden "$T/r/msg.$(count "$T/r")/data.raw")" 0 \
	"Bcc: no hidden address in the transmitted data"
is "$(last rcpt | tr '\n' ' ')" \
	"<hidden1@example.com> <hidden2@example.com> <hidden3@example.com> <b@example.com> <hidden4@example.com> " \
	"Bcc: every blind recipient is in the envelope"

# Resent-Bcc likewise; the Resent- block decides the recipients.
cat >"$T/rbcc.in" <<'EOM'
Resent-From: r@example.com
Resent-To: new@example.com
Resent-Bcc: hidden5@example.com,
 hidden6@example.com
Resent-Date: Sun, 29 Nov 2026 10:00:00 +0000
From: a@example.com
To: b@example.com
Bcc: old-hidden@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <rbcc@example.org>

body
EOM
M -t <"$T/rbcc.in"
grep -v -e '^Resent-Bcc' -e '^ hidden6' -e '^Bcc' "$T/rbcc.in" | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "Resent-Bcc and Bcc removed from a resent message"
is "$(last rcpt | tr '\n' ' ')" \
	"<new@example.com> <hidden5@example.com> <hidden6@example.com> " \
	"resent: Resent-To and Resent-Bcc are the recipients"

# Return-Path and Content-Length are dropped too.
printf 'Return-Path: <x@example.com>\nContent-Length: 99999\nFrom: a@example.com\nTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <rp@example.org>\n\nbody\n' >"$T/rp.in"
M -t <"$T/rp.in"
tail -n +3 "$T/rp.in" | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "Return-Path and Content-Length removed"

# --- Date, From, Message-ID: added when missing, never twice.
printf 'To: b@example.com\nSubject: bare\n\nbody\n' | M -t -F 'Cron Daemon'
last data >"$T/got"
is "$(grep '^From: ' "$T/got" | tr -d '\r')" "From: Cron Daemon <$me@example.org>" \
	"-F gives the added From its name"
is "$(grep -c -e '^Date: ' -e '^Message-ID: ' "$T/got")" 2 "Date and Message-ID added"
printf 'To: b@example.com\nSubject: bare\n\nbody\n' | M -t -F 'John Q. Public, "Jr."'
is "$(last data | grep '^From: ' | tr -d '\r')" \
	"From: \"John Q. Public, \\\"Jr.\\\"\" <$me@example.org>" \
	"-F with specials: a quoted-string"
name='Jörg Müller-Lüdenscheidt, Straße der Pariser Kommune'
printf 'To: b@example.com\nSubject: bare\n\nbody\n' | M -t -F "$name"
last data >"$T/got"
# email.header follows RFC 2047 6.2 (white space between adjacent
# encoded-words is not part of the text).
"$PYTHON3" - "$T/got" >"$T/decoded" <<'EOP'
import email, email.header, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw)
value = str(email.header.make_header(email.header.decode_header(m["From"])))
print(value.rsplit(" <", 1)[0])
print(max(len(l) for l in raw.split(b"\r\n")))
EOP
is "$(sed -n 1p "$T/decoded")" "$name" "-F not ASCII: RFC 2047 words decode to the name"
test "$(sed -n 2p "$T/decoded")" -le 78
ok $? "-F not ASCII: no header line over 78 octets"
grep -q '=?UTF-8?Q?' "$T/got"
ok $? "-F not ASCII: Q-encoded UTF-8 words"

# Without -F: the GECOS name of the real user, up to the first comma.
gecos=$(getent passwd "$(id -u)" | cut -d: -f5 | cut -d, -f1)
cap=$(printf '%s' "$me" | sed 's/^\(.\)/\U\1/')
gecos=$(printf '%s' "$gecos" | sed "s/&/$cap/g")
want="From: $me@example.org"
[ -n "$gecos" ] && want="From: $gecos <$me@example.org>"
printf 'To: b@example.com\n\nbody\n' | M -t
is "$(last data | grep '^From: ' | tr -d '\r')" "$want" "no -F: the GECOS name ($gecos)"

# -f sets the added From's address; present fields are never replaced.
printf 'To: b@example.com\n\nbody\n' | M -t -f bounce@example.com -F B
is "$(last data | grep '^From: ' | tr -d '\r')" "From: B <bounce@example.com>" \
	"added From: the envelope sender"
printf 'To: b@example.com\n\nbody\n' | M -t -f '<>' -F N
is "$(last data | grep '^From: ' | tr -d '\r')" "From: N <$me@example.org>" \
	"null sender: the added From is the user at the mail domain"
is "$(last mail)" "<>" "null sender: MAIL FROM:<>"
printf 'From: x@example.com\nDate: Fri, 27 Nov 2026 10:00:00 +0000\nMessage-ID: <keep@example.org>\nTo: b@example.com\n\nbody\n' >"$T/full.in"
M -t -F Other <"$T/full.in"
crlf <"$T/full.in" >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "a complete message gets nothing added"

# --- from_rewrite = "envelope" and sender.
conf "$T/fr.conf" "$RELAY_PORT" 'from_rewrite = "envelope";' \
	'sender = "mailer";' 'from = "account@example.net";'
before_send "$T/r"
printf 'From: "Alice Example" <alice@example.com>\nSender: someone@example.com\nTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <fr@example.org>\n\nbody\n' |
	"$MAILOUT" -C "$T/fr.conf" -t
printf 'From: "Alice Example" <account@example.net>\nTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <fr@example.org>\nSender: mailer@example.org\n\nbody\n' | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "from_rewrite: From's address is the sender's, name kept; sender replaces Sender"
is "$(last mail)" "<account@example.net>" "from_rewrite: the envelope sender"
before_send "$T/r"
printf 'From: root (Cron Daemon)\nTo: b@example.com\n\nbody\n' |
	"$MAILOUT" -C "$T/fr.conf" -t
is "$(last data | grep '^From: ' | tr -d '\r')" "From: account@example.net (Cron Daemon)" \
	"from_rewrite: a comment as name is kept"
before_send "$T/r"
printf 'From: a@example.com, b@example.com\nTo: b@example.com\n\nbody\n' |
	"$MAILOUT" -C "$T/fr.conf" -t
is "$(last data | grep '^From: ' | tr -d '\r')" "From: account@example.net" \
	"from_rewrite: several mailboxes become the sender alone"

# --- no To and no Cc: "To: undisclosed-recipients:;" (RFC 5322 3.6.3).
printf 'From: a@example.com\nBcc: hidden7@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <undisc@example.org>\nSubject: blind\n\nbody\n' >"$T/undisc.in"
M -t <"$T/undisc.in"
is $? 0 "only Bcc: exit 0"
printf 'From: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <undisc@example.org>\nSubject: blind\nTo: undisclosed-recipients:;\n\nbody\n' | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "only Bcc: Bcc removed, To: undisclosed-recipients:; added"
is "$(last rcpt)" "<hidden7@example.com>" "only Bcc: the blind recipient in the envelope"
printf 'Subject: args\n\nbody\n' >"$T/args.in"
M -i -F 'Arg Test' -f a@example.com c@example.net <"$T/args.in"
last data | grep -v -e '^Date: ' -e '^Message-ID: ' >"$T/got"
printf 'Subject: args\nFrom: Arg Test <a@example.com>\nTo: undisclosed-recipients:;\n\nbody\n' | crlf >"$T/want"
same_file "$T/got" "$T/want" "recipients only as arguments: To: undisclosed-recipients:; after the added fields"
printf 'From: a@example.com\nCc: c@example.net\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <cc@example.org>\n\nbody\n' >"$T/cc.in"
M -t <"$T/cc.in"
crlf <"$T/cc.in" >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "a Cc and no To: nothing added"
conf "$T/nu.conf" "$RELAY_PORT" "undisclosed_recipients = false;"
before_send "$T/r"
"$MAILOUT" -C "$T/nu.conf" -t <"$T/undisc.in"
grep -v '^Bcc' "$T/undisc.in" | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "undisclosed_recipients = false: no To added"

# --- long header lines are folded at white space; unfolding restores them.
subj=$(seq 1 400 | tr '\n' ' ')
printf 'From: a@example.com\nTo: b@example.com\nSubject: %s\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <long@example.org>\n\nbody\n' "$subj" >"$T/long.in"
M -t <"$T/long.in"
last data >"$T/got"
test "$(tr -d '\r' <"$T/got" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 998
ok $? "a 1,492-octet Subject is folded to lines of at most 998 octets"
tr -d '\r' <"$T/got" | awk '/^[ \t]/ { printf "%s", $0; next } NR > 1 { print "" } { printf "%s", $0 } END { print "" }' >"$T/unfolded"
cp "$T/long.in" "$T/want"
same_file "$T/unfolded" "$T/want" "the folded Subject unfolds to the original"
printf 'From: a@example.com\nTo: b@example.com\nX-Long: %s\n\nbody\n' \
	"$(head -c 1200 /dev/zero | tr '\0' x)" >"$T/nofold.in"
n=$(count "$T/r")
M -t <"$T/nofold.in" 2>"$T/err"
is $? 65 "a 1,208-octet line without white space: exit 65"
is "$(cat "$T/err")" \
	"mailout: the X-Long field has a line longer than 998 octets that cannot be folded" \
	"a line that cannot be folded: says which field"
is "$(count "$T/r")" "$n" "a line that cannot be folded: nothing sent"

# --- a NUL octet in the header section refuses the message.
printf 'From: a@example.com\nTo: b@example.com\nSubject: a\000b\n\nbody\n' | M -t 2>"$T/err"
is $? 65 "NUL in the header: exit 65"
is "$(cat "$T/err")" "mailout: the header section holds a NUL octet (RFC 5322 2.2)" \
	"NUL in the header: says so"
is "$(count "$T/r")" "$n" "NUL in the header: nothing sent"

done_testing
