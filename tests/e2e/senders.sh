#!/bin/sh
# Who may send as whom: user_from (each user's own address, and account)
# for the user who runs the tests; then, as root, the sender policy
# (allowed_senders, trusted_users) for throwaway users, the exact
# envelopes the relay saw, exit status 77 and the lines on stderr and in
# the log.
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

# --- --check-config lists the policy and the user_from entries.
conf "$T/cc.conf" "$P1" \
	'allowed_senders = ( "alice: *@alice.example, <>", "%staff: team@example.org" );' \
	'trusted_users = "www-data";' \
	"user_from = ( \"alice: alice@example.net\", \"bob: bob@example.net: work\" );" \
	"$work"
"$MAILOUT" -C "$T/cc.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")/$(grep -e '^# allowed_senders' -e '^# trusted_users' -e '^# user_from' "$T/out")" \
	'0//# allowed_senders: alice: *@alice.example <>
# allowed_senders: %staff: team@example.org
# trusted_users: www-data
# user_from: alice <alice@example.net>
# user_from: bob <bob@example.net> (account "work")' \
	"--check-config: the sender policy and user_from, as read"
"$MAILOUT" -C "$T/ufo.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(grep '^# allowed_senders' "$T/out")" \
	"0/# allowed_senders: none set, any user may use any sender" \
	"--check-config: no policy, said so"

# --- the settings, checked when the file is read (exit 78).
cfg_err() {
	conf "$T/bad.conf" "$P1" "$1"
	"$MAILOUT" -C "$T/bad.conf" -i a@example.com <"$T/msg" 2>"$T/err"
	is "$?/$(cat "$T/err")" "78/mailout: $T/bad.conf:8: $2" "$3"
}
cfg_err 'allowed_senders = ( "alice" );' \
	"an entry of 'allowed_senders' is \"user: addresses\", \"%group: addresses\" or \"*: addresses\"" \
	"allowed_senders: an entry without a colon"
cfg_err 'allowed_senders = ( "alice: example.org" );' \
	"'example.org' is not an address pattern (\"*@example.org\", \"alice@example.org\", \"<>\")" \
	"allowed_senders: a pattern without @"
cfg_err 'allowed_senders = ( "alice:" );' "'alice' allows no address" \
	"allowed_senders: no pattern"
cfg_err 'allowed_senders = ( 7 );' "'allowed_senders' must be a list of strings" \
	"allowed_senders: not a string"
cfg_err 'trusted_users = ( "bad name" );' \
	"'trusted_users': 'bad name' is not a user name or %group" \
	"trusted_users: not a name"
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

# --- the sender policy spares root.
if [ "$(id -u)" -eq 0 ]; then
	conf "$T/root.conf" "$P1" 'allowed_senders = ( "*: x@example.org" );'
	before_send "$T/r"
	"$MAILOUT" -C "$T/root.conf" -i -f boss@example.org a@example.com <"$T/msg"
	is "$?/$(last mail)" "0/<boss@example.org>" "allowed_senders: root may use any sender"
fi

# ------------------------------------ as root: the policy for other users
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null ||
	! command -v setpriv >/dev/null; then
	skip_rest "not root, or no useradd/setpriv: no throwaway users"
fi
G=mosg$$
U1=mosu$$a
U2=mosu$$b
U3=mosu$$c
cleanup_accounts() {
	for _a in "$U1" "$U2" "$U3"; do
		getent passwd "$_a" >/dev/null && userdel "$_a"
		getent group "$_a" >/dev/null && groupdel "$_a"
	done
	getent group "$G" >/dev/null && groupdel "$G"
	return 0
}
AT_EXIT=cleanup_accounts
groupadd --system "$G" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin -G "$G" "$U1" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U2" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U3" ||
	skip_rest "cannot make throwaway accounts"
# A copy of mailout the users can reach; each user's own log and queue.
mkdir -p "$T/bin" "$T/u"
cp "$MAILOUT" "$T/bin/mailout"
chmod 755 "$T" "$T/bin"
chmod 1777 "$T/u"
# pol USER CMD...: run mailout as USER (none of root's groups), with
# $T/USER.conf: the policy below, its log in $T/u/USER.log.
pol() {
	_u=$1
	shift
	setpriv --reuid "$_u" --regid "$_u" --clear-groups \
		"$T/bin/mailout" -C "$T/$_u.conf" "$@"
}
for u in "$U1" "$U2" "$U3"; do
	conf "$T/$u.conf" "$P1" "queue_dir = \"$T/u/q$u\";" \
		"logfile = \"$T/u/$u.log\";" \
		"allowed_senders = ( \"$U1: *@u1.example\", \"%$G: team@example.org\", \"*: noreply@example.org\" );" \
		"trusted_users = \"$U2\";" \
		"user_from = \"$U3: u3@elsewhere.example\";" \
		"accounts = ( { name = \"boss\"; port = $P2; match = \"boss@*\"; from = \"boss@example.org\"; }, { name = \"u1\"; port = $P2; match = \"*@u1.example\"; }, { name = \"plain\"; port = $P2; } );"
	chmod 644 "$T/$u.conf"
done
# log USER: the lines of USER's log, without stamp and pid.
log() {
	sed 's/^[^ ]* mailout\[[0-9]*\]: //' "$T/u/$1.log"
}

# send_as USER FLAGS...: the message to a@example.com; the status, then
# the relay's MAIL FROM (or "-" when nothing new reached it).
send_as() {
	_u=$1
	shift
	_n=$(count "$T/r")
	pol "$_u" -i "$@" a@example.com <"$T/msg" 2>"$T/err"
	_rc=$?
	if [ "$(count "$T/r")" -eq "$((_n + 1))" ]; then
		echo "$_rc $(cat "$(last_msg "$T/r")/mail") $(cat "$(last_msg "$T/r")/rcpt")"
	else
		echo "$_rc -"
	fi
}
is "$(send_as "$U1" -f x@u1.example)" "0 -" \
	"$U1 -f x@u1.example: its own rule; the account it selects (second relay)"
is "$(cat "$(last_msg "$T/r2")/mail")" "<x@u1.example>" \
	"$U1 -f x@u1.example: MAIL FROM as given"
is "$(send_as "$U1" -f team@example.org)" "0 <team@example.org> <a@example.com>" \
	"$U1 -f team@example.org: allowed by its group"
is "$(send_as "$U1" -f noreply@example.org)" "0 <noreply@example.org> <a@example.com>" \
	"$U1 -f noreply@example.org: allowed to everyone"
is "$(send_as "$U1")" "0 <$U1@example.org> <a@example.com>" \
	"$U1 without -f: its own address"
is "$(send_as "$U1" -f "$U1")" "0 <$U1@example.org> <a@example.com>" \
	"$U1 -f $U1: its own name, qualified"
is "$(send_as "$U1" -f boss@example.org)" "77 -" \
	"$U1 -f boss@example.org: exit 77, nothing sent"
is "$(cat "$T/err")" \
	"mailout: user $U1 may not send as <boss@example.org> (allowed_senders)" \
	"$U1 -f boss@example.org: one line says why"
is "$(log "$U1" | sed 's/^refused id=[0-9a-v.]* /refused id=ID /' | grep -cxF "refused id=ID uid=$(id -u "$U1")($U1) reason=\"user $U1 may not send as <boss@example.org> (allowed_senders)\"")" 1 \
	"$U1 -f boss@example.org: the log says why"
is "$(send_as "$U1" -f BOSS@Example.Org)" "77 -" \
	"$U1 -f BOSS@Example.Org: case does not help"
is "$(send_as "$U1" -f '<>')" "77 -" "$U1 -f '<>': the null sender is not listed"
is "$(cat "$T/err")" "mailout: user $U1 may not send as <> (allowed_senders)" \
	"$U1 -f '<>': says so"
is "$(send_as "$U3" -f team@example.org)" "77 -" \
	"$U3 -f team@example.org: not in the group, exit 77"
is "$(send_as "$U3" -f x@u1.example)" "77 -" \
	"$U3 -f x@u1.example: another user's rule, exit 77"
is "$(send_as "$U3")" "0 <u3@elsewhere.example> <a@example.com>" \
	"$U3 without -f: its user_from address"
is "$(send_as "$U3" -f u3@elsewhere.example)" "0 <u3@elsewhere.example> <a@example.com>" \
	"$U3 -f its user_from address: allowed"
is "$(send_as "$U3" -f "$U3@example.org")" "0 <$U3@example.org> <a@example.com>" \
	"$U3 -f its name at the mail domain: allowed"
is "$(send_as "$U2" -f boss@example.org)" "0 -" \
	"$U2 (trusted) -f boss@example.org: sent (through the account boss)"
is "$(cat "$(last_msg "$T/r2")/mail")" "<boss@example.org>" \
	"$U2 (trusted): MAIL FROM <boss@example.org>"

# -a: an account whose sender the user may not use, or that the sender
# would not select, is refused; one the sender selects is not.
is "$(send_as "$U1" -a boss)" "77 -" "$U1 -a boss: its from is not allowed, exit 77"
is "$(cat "$T/err")" \
	"mailout: user $U1 may not send as <boss@example.org> (allowed_senders)" \
	"$U1 -a boss: says why"
is "$(send_as "$U1" -a boss -f x@u1.example)" "77 -" \
	"$U1 -a boss -f x@u1.example: the account is not allowed, exit 77"
is "$(cat "$T/err")" \
	"mailout: user $U1 may not use account \"boss\" (allowed_senders)" \
	"$U1 -a boss -f x@u1.example: says why"
is "$(send_as "$U1" -a plain)" "77 -" "$U1 -a plain (no from): exit 77"
is "$(cat "$T/err")" \
	"mailout: user $U1 may not use account \"plain\" (allowed_senders)" \
	"$U1 -a plain: says why"
n2=$(count "$T/r2")
is "$(send_as "$U1" -a u1 -f y@u1.example)" "0 -" \
	"$U1 -a u1 -f y@u1.example: the account its sender selects"
is "$(count "$T/r2")/$(cat "$(last_msg "$T/r2")/mail")" "$((n2 + 1))/<y@u1.example>" \
	"$U1 -a u1: sent through it"

# -t: the envelope sender never comes from the header; From is checked
# by no one, unless from_rewrite makes it the (checked) envelope sender.
printf 'From: boss@example.org\nTo: t@example.com\n\nbody\n' >"$T/t.in"
n=$(count "$T/r")
pol "$U1" -t <"$T/t.in" 2>"$T/err"
is "$?/$(count "$T/r")/$(cat "$(last_msg "$T/r")/mail")" \
	"0/$((n + 1))/<$U1@example.org>" \
	"$U1 -t with From: boss: the envelope sender is its own"
is "$(grep '^From: ' "$(last_msg "$T/r")/data" | tr -d '\r')" "From: boss@example.org" \
	"$U1 -t: From as written"
printf 'from_rewrite = "envelope";\n' >>"$T/$U1.conf"
n=$(count "$T/r")
pol "$U1" -t <"$T/t.in" 2>"$T/err"
is "$?/$(grep '^From: ' "$(last_msg "$T/r")/data" | tr -d '\r')" \
	"0/From: $U1@example.org" "$U1 -t with from_rewrite: From is the envelope sender"
pol "$U1" -t -f boss@example.org <"$T/t.in" 2>"$T/err"
is "$?/$(count "$T/r")" "77/$((n + 1))" "$U1 -t -f boss@example.org: exit 77"

# -bs: MAIL FROM is checked; the session goes on.
{
	printf 'EHLO client.example.org\r\n'
	printf 'MAIL FROM:<boss@example.org>\r\n'
	printf 'MAIL FROM:<z@u1.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'
	printf 'Subject: bs\r\n\r\nbody\r\n.\r\nQUIT\r\n'
} >"$T/bs.in"
n2=$(count "$T/r2")
: >"$T/u/$U1.log"
pol "$U1" -bs <"$T/bs.in" >"$T/out" 2>"$T/err"
is "$?/$(codes)" "0/220 250 550 250 250 354 250 221 " \
	"-bs: MAIL FROM a forbidden sender gets 550, the next one goes"
is "$(grep '^550' "$T/out" | tr -d '\r')" \
	"550 5.7.1 user $U1 may not send as <boss@example.org> (allowed_senders)" \
	"-bs: the 550 reply says why"
is "$(count "$T/r2")/$(cat "$(last_msg "$T/r2")/mail")" "$((n2 + 1))/<z@u1.example>" \
	"-bs: the allowed sender's message went out"
is "$(log "$U1" | grep -cxF "refused id=- uid=$(id -u "$U1")($U1) from=<boss@example.org> reason=\"user $U1 may not send as <boss@example.org> (allowed_senders)\"")" 1 \
	"-bs: the log says why"

# Without allowed_senders: as sendmail, any sender.
conf "$T/$U3.conf" "$P1" "queue_dir = \"$T/u/q$U3\";"
is "$(send_as "$U3" -f boss@example.org)" "0 <boss@example.org> <a@example.com>" \
	"no allowed_senders: $U3 may use any sender"

done_testing
