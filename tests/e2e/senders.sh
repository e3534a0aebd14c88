#!/bin/sh
# Who may send as whom: user_from (each user's own address, and account)
# for the user who runs the tests.
. "${srcdir:-.}/tests/e2e/lib.sh"

me=$(id -un)
relay_start "$T/r"
P1=$RELAY_PORT
relay_start "$T/r2"
P2=$RELAY_PORT
printf 'Subject: s\n\nbody\n' >"$T/msg"
# The account "work" sends through the second relay.
work="accounts = ( { name = \"work\"; port = $P2; match = \"*@work.example\"; } );"

# --- user_from: the user's envelope sender and From, without -f.
conf "$T/uf.conf" "$P1" "user_from = ( \"$me: Me <me@example.net>\" );" \
	"$work"
before_send "$T/r"
"$MAILOUT" -C "$T/uf.conf" -i -F 'Me Myself' a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "user_from: exit 0"
is "$(last mail)" "<me@example.net>" "user_from: the envelope sender"
last data | grep -v -e '^Date: ' -e '^Message-ID: ' >"$T/got"
printf 'Subject: s\nFrom: Me Myself <me@example.net>\nTo: undisclosed-recipients:;\n\nbody\n' | crlf >"$T/want"
same_file "$T/got" "$T/want" "user_from: the From that mailout makes"
# The user's local address in From (cron writes "From: root (Cron
# Daemon)" for root's jobs), and in Reply-To, becomes it too.
printf 'From: %s (Cron Daemon)\nReply-To: <%s@localhost>\nCc: %s\nTo: b@example.com\n\nbody\n' \
	"$me" "$me" "$me" >"$T/cron.in"
before_send "$T/r"
"$MAILOUT" -C "$T/uf.conf" -i -f other@example.com b@example.com <"$T/cron.in"
is "$(last mail)" "<other@example.com>" "user_from: -f still wins"
last data | grep -e '^From: ' -e '^Reply-To: ' -e '^Cc: ' | tr -d '\r' >"$T/got"
printf 'From: me@example.net (Cron Daemon)\nReply-To: <me@example.net>\nCc: %s@example.org\n' \
	"$me" >"$T/want"
same_file "$T/got" "$T/want" "user_from: the user's local address in From and Reply-To; Cc only qualified"
# With an account: it carries the user's mail, and only that.
conf "$T/ufa.conf" "$P1" "user_from = \"$me: me@example.net: work\";" "$work"
before_send "$T/r2"
"$MAILOUT" -C "$T/ufa.conf" -i a@example.com <"$T/msg"
is "$?/$(last "$T/r2" mail)" "0/<me@example.net>" \
	"user_from with an account: through that account"
before_send "$T/r"
"$MAILOUT" -C "$T/ufa.conf" -i -f other@example.com a@example.com <"$T/msg"
is "$?/$(last "$T/r" mail)" "0/<other@example.com>" \
	"user_from with an account: another sender, the account it selects"
is "$("$MAILOUT" -C "$T/ufa.conf" -bv a@example.com)" \
	"a@example.com: <a@example.com> via 127.0.0.1:$P2 (account work), from <me@example.net>" \
	"user_from with an account: -bv says so"
# Another user's entry changes nothing for this one.
conf "$T/ufo.conf" "$P1" 'user_from = ( "nosuchuser1: x@example.net" );'
before_send "$T/r"
"$MAILOUT" -C "$T/ufo.conf" -i a@example.com <"$T/msg"
is "$(last mail)" "<$me@example.org>" "another user's user_from: not this user's"

# --- the settings, checked when the file is read (exit 78).
cfg_err() {
	conf "$T/bad.conf" "$P1" "$1"
	"$MAILOUT" -C "$T/bad.conf" -i a@example.com <"$T/msg" 2>"$T/err"
	is "$?/$(cat "$T/err")" "78/mailout: $T/bad.conf:8: $2" "$3"
}
cfg_err 'user_from = ( 7 );' "'user_from' must be a list of strings" \
	"user_from: not a string"
cfg_err 'user_from = ( "alice: a@b: nosuch" );' \
	"'user_from' of alice: no account named \"nosuch\"" \
	"user_from: an account that does not exist"
cfg_err 'user_from = ( "alice: a@b", "alice: c@d" );' \
	"a second 'user_from' of alice ($T/bad.conf:8)" \
	"user_from: a user named twice"
cfg_err 'user_from = ( "alice: a@@b" );' \
	"'user_from' of alice: $("$MAILOUT" -C "$T/uf.conf" -i -f 'a@@b' x@example.com </dev/null 2>&1 | sed 's/^mailout: -f a@@b: //')" \
	"user_from: an address that does not parse"

done_testing
