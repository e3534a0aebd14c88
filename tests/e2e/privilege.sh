#!/bin/sh
# The privilege model: installed set-group-ID, mailout lets any user send
# and queue, and no user read the relay's password or another user's
# mail.  As root, this test makes a throwaway group and two throwaway
# users, installs a copy of mailout as "make install" does, and acts as
# those users.  The environment tests need no root.
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
printf 'From: b@example.org\nTo: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <priv@example.org>\nSubject: x\n\nbody\n' >"$T/msg"

# ---------------------------------------- the environment changes nothing
# (The proxy variables are in network.sh.)

# A relay whose certificate only the test CA vouches for: without
# tls_ca_file it must not be trusted, whatever SSL_CERT_FILE says.
tls_relay "$T/tls"
cat >"$T/tls.conf" <<EOF
host = "localhost"; port = $RELAY_PORT; domain = "example.org";
queue_dir = "$T/tlsq";
aliases_file = "";
EOF
SSL_CERT_FILE=$T/ca.pem SSL_CERT_DIR=$T CURL_CA_BUNDLE=$T/ca.pem \
	"$MAILOUT" -C "$T/tls.conf" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(count "$T/tls")/$(entries "$T/tlsq/q")" "0/0/1" \
	"SSL_CERT_FILE naming the relay's CA: still untrusted, queued"
grep -q 'certificate' "$T/err"
ok $? "SSL_CERT_FILE: the certificate is what failed"

# -------------------------------------------- as root: throwaway accounts
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null ||
	! command -v setpriv >/dev/null; then
	echo "# not root, or no useradd/setpriv: the set-group-ID tests are skipped"
	done_testing
	exit $?
fi
# A set-group-ID copy of a sanitizer build runs as other users who cannot
# write its reports: that part is for the plain build.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	skip_rest "a sanitizer build: the set-group-ID tests are skipped"
fi
case $(findmnt -no OPTIONS -T "$T" 2>/dev/null) in
*nosuid*)
	echo "# $T is on a nosuid file system: the set-group-ID tests are skipped"
	done_testing
	exit $?
	;;
esac

G=mot$$
U1=motu$$a
U2=motu$$b
# Each user's own group too (useradd made it; --regid below needs it).
# lib.sh's cleanup runs it once every process of the test has ended:
# userdel refuses a user who still runs one, such as a queue run that
# mailout detached.
cleanup_accounts() {
	for _a in "$U1" "$U2"; do
		getent passwd "$_a" >/dev/null && userdel "$_a"
		getent group "$_a" >/dev/null && groupdel "$_a"
	done
	getent group "$G" >/dev/null && groupdel "$G"
	return 0
}
AT_EXIT=cleanup_accounts
groupadd --system "$G" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U1" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U2" ||
	skip_rest "cannot make throwaway accounts"
# as USER CMD...: run CMD as USER, with none of root's groups.
as() {
	_u=$1
	shift
	setpriv --reuid "$_u" --regid "$_u" --clear-groups "$@"
}

# The install, as "make install" makes it as root.
R=$T/root
mkdir -p "$R/sbin" "$R/etc" "$R/queue/q" "$R/queue/tmp" "$R/queue/failed"
cp "$MAILOUT" "$R/sbin/mailout"
chgrp "$G" "$R/sbin/mailout" && chmod 2755 "$R/sbin/mailout"
chgrp -R "$G" "$R/queue" && chmod 2770 "$R/queue" "$R/queue"/*
chmod 755 "$T" "$R" "$R/sbin" "$R/etc"
relay_start "$T/auth" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
	--auth "relayuser:s3cret-pass" --fault 'greeting=421 4.3.2 down@1'
cat >"$R/etc/mailout.conf" <<EOF
host = "localhost"; port = $RELAY_PORT; domain = "example.org";
tls_ca_file = "$T/ca.pem";
user = "relayuser"; password = "s3cret-pass"; auth = "plain";
queue_dir = "$R/queue";
aliases_file = "";
EOF
chgrp "$G" "$R/etc/mailout.conf" && chmod 0640 "$R/etc/mailout.conf"
chmod 644 "$T/ca.pem"

# The users run the copy with no -C, so it reads its compiled-in file
# ($SYSCONFDIR/mailout.conf).  A private mount namespace puts the test's
# etc/ there, for these commands only.
[ -d "${SYSCONFDIR:-}" ] || skip_rest "no directory \"$SYSCONFDIR\" to mount over"
unshare --mount --propagation private true 2>/dev/null ||
	skip_rest "no private mount namespace (unshare)"
# sys USER CMD...: run CMD as USER, seeing $R/etc at $SYSCONFDIR.
sys() {
	_u=$1
	shift
	unshare --mount --propagation private sh -c '
		mount --bind "$1" "$2" || exit 99
		shift 2
		exec setpriv --reuid "$0" --regid "$0" --clear-groups "$@"
	' "$_u" "$R/etc" "$SYSCONFDIR" "$@"
}
M="$R/sbin/mailout"
# sys_rotmp USER CMD...: as sys, with /tmp read-only and only the queue
# writable there: a message spooled anywhere but in the queue fails.
sys_rotmp() {
	_u=$1
	shift
	unshare --mount --propagation private sh -c '
		mount --bind "$1" "$2" && mount --bind "$3" "$3" &&
			mount --rbind /tmp /tmp &&
			mount -o remount,bind,ro /tmp || exit 99
		shift 3
		exec setpriv --reuid "$0" --regid "$0" --clear-groups "$@"
	' "$_u" "$R/etc" "$SYSCONFDIR" "$R/queue" "$@"
}

# --- a user submits while the relay is down: queued, exit 0
sys "$U1" "$M" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(entries "$R/queue/q")" "0/1" "a user, relay down: exit 0, queued"
id1=$(entry_ids "$R/queue/q")
is "$(stat -c '%G %a' "$R/queue/q/$id1")" "$G 660" \
	"the entry belongs to the group, mode 0660"

# --- the user cannot read the configuration or the queue
sys "$U1" cat "$R/etc/mailout.conf" >/dev/null 2>&1
is $? 1 "a user cannot read mailout.conf"
sys "$U2" cat "$R/queue/q/$id1" >/dev/null 2>&1
is $? 1 "another user cannot read a queued message"
sys "$U2" ls "$R/queue/q" >/dev/null 2>&1
is $? 2 "another user cannot list the queue"
sys "$U2" "$M" -bp >"$T/out" 2>&1
is "$?/$(cat "$T/out")" "0/Mail queue is empty" \
	"mailq shows a user only that user's own messages"
sys "$U1" "$M" -bp >"$T/out" 2>&1
grep -q "^$id1 " "$T/out"
ok $? "mailq shows the user's own message"

# --- another user's queue run, in any form, leaves it alone: no
#     connection, no lock held, no trace, the entry as it was (so that
#     user can neither hold it back nor have it sent again and again)
cp "$R/queue/q/$id1" "$T/entry1"
for f in "-q" "-q -v" "-qR -v" "-q --due -v" "-qI$id1 -v"; do
	# shellcheck disable=SC2086 # f: options, split on purpose
	sys "$U2" "$M" $f 2>"$T/err"
	is "$?/$(count "$T/auth")/$(cat "$T/auth/sessions")/$(entries "$R/queue/q")" \
		"0/0/1/1" "another user's mailout $f: nothing sent, no connection"
done
is "$(cat "$T/err")" "mailout: $id1: not in the queue" \
	"-qI with another user's id: not in the queue, as mailq has it"
sys "$U2" "$M" -qR -v 2>"$T/err"
is "$(cat "$T/err")" "mailout: queue empty" \
	"-v shows that user neither the message nor its conversation (as mailq)"
cmp -s "$R/queue/q/$id1" "$T/entry1" && [ ! -e "$R/queue/q/$id1.state" ]
ok $? "another user's runs: the entry and its state unchanged (no attempt)"

# --- that user's own queued message leaves in that user's run, with the
#     password that the users cannot read
sys "$U2" "$M" -odq -i -f u2@example.org a@example.com <"$T/msg" 2>/dev/null
id2=$(entry_ids "$R/queue/q" | grep -vx "$id1")
sys "$U2" "$M" -q -v 2>"$T/err"
is "$?/$(count "$T/auth")/$(entry_ids "$R/queue/q")" "0/1/$id1" \
	"a user's -q sends the user's own message, not the other's"
is "$(grep -c "$id1" "$T/err")/$(grep -c "^mailout: $id2: sent\$" "$T/err")" \
	"0/1" "-q -v tells of the user's own message alone"
is "$(cat "$T/auth/msg.1/mail")" "<u2@example.org>" "the relay got that one"
is "$(cat "$T/auth/msg.1/auth")" "PLAIN relayuser" "with the account's password"
cmp -s "$R/queue/q/$id1" "$T/entry1" && [ ! -e "$R/queue/q/$id1.state" ]
ok $? "the other user's entry and its state still unchanged"
[ ! -e "$R/queue/wake" ]
ok $? "a queue run does not wake the queue service"

# --- root's due run leaves it too: it waits out its backoff
sys root "$M" -q --due 2>"$T/err"
is "$?/$(count "$T/auth")/$(entries "$R/queue/q")" "0/1/1" \
	"root's -q --due: the message is not due yet"

# --- a user's send goes out, and wakes the queue service for the other
#     user's message, which waited for the relay
sys "$U2" "$M" -i -f u2@example.org a@example.com <"$T/msg" 2>"$T/err"
s=$?
quiesce "$M"
is "$s/$(count "$T/auth")/$(entries "$R/queue/q")" "0/2/1" \
	"a user's send: sent; the run after it leaves the other's message"
cmp -s "$R/queue/q/$id1" "$T/entry1" && [ ! -e "$R/queue/q/$id1.state" ]
ok $? "the run after a user's send: the other's entry unchanged"
is "$(stat -c '%G %a' "$R/queue/wake" 2>&1)" "$G 660" \
	"the run after it leaves the wake file for the service, group $G, 0660"
# As the service runs: root or the queue's user, -q --due.
sys root "$M" -q --due -v 2>"$T/err"
is "$?/$(count "$T/auth")/$(entries "$R/queue/q")" "0/3/0" \
	"woken, root's -q --due sends what waited for the relay, not yet due"
grep -qx "mailout: $id1: sent" "$T/err"
ok $? "root's -q -v tells of the other user's message"
[ ! -e "$R/queue/wake" ]
ok $? "the woken run removed the wake file"

# --- a bounce made in root's run belongs to the failed message's owner
printf '%s\n' 'greeting=421 4.3.2 down' >"$T/auth/faults.new" &&
	mv "$T/auth/faults.new" "$T/auth/faults"
sys "$U1" "$M" -i -f u1@example.org nobody@example.com <"$T/msg" 2>/dev/null
id3=$(entry_ids "$R/queue/q")
printf '%s\n' 'rcpt:nobody@example.com=550 5.1.1 no such user' \
	'rcpt:u1@example.org=451 4.2.0 mailbox busy' >"$T/auth/faults.new" &&
	mv "$T/auth/faults.new" "$T/auth/faults"
sys root "$M" -q 2>"$T/err"
s=$?
bid=$(entry_ids "$R/queue/q")
is "$s/$(entries "$R/queue/failed")/$(entries "$R/queue/q")/$(count "$T/auth")" \
	"0/1/1/3" "root's run: refused for good, the bounce deferred and queued"
is "$(entry_ids "$R/queue/failed")" "$id3" "the failed message is the user's"
is "$(sed -n 's/^uid\t//p' "$R/queue/q/$bid")" "$(id -u "$U1")" \
	"the bounce's entry has the uid of the failed message's owner"
sys "$U1" "$M" -bp >"$T/out" 2>&1
grep -q "^$bid " "$T/out"
ok $? "mailq shows the bounce to the owner"
sys "$U2" "$M" -bp >"$T/out" 2>&1
is "$?/$(cat "$T/out")" "0/Mail queue is empty" \
	"mailq does not show it to another user"
rm -f "$T/auth/faults"
sys "$U1" "$M" -q 2>"$T/err"
is "$?/$(entries "$R/queue/q")/$(count "$T/auth")" "0/0/4" \
	"the owner's run sends the bounce"
rm -f "$R/queue/failed"/*

# --- a user's own configuration cannot reach the system's secrets
relay_start "$T/hostile" --implicit-tls --tls-cert "$T/server.pem" \
	--tls-key "$T/server.key" --auth "relayuser:anything"
mkdir -p "$T/user"
chmod 755 "$T/user"
# Through @include (relative: libconfig 1.5 refuses absolute ones).
printf '@include "../root/etc/mailout.conf"\n' >"$T/user/inc.conf"
chmod 644 "$T/user/inc.conf"
sys "$U1" "$M" -C "$T/user/inc.conf" -i a@example.com <"$T/msg" 2>"$T/err"
is $? 78 "-C including the system's file: the group is gone, exit 78"
grep -q 'include' "$T/err"
ok $? "-C including the system's file: cannot open it"
sys "$U1" env MAILOUT_CONF="$T/user/inc.conf" "$M" -i a@example.com \
	<"$T/msg" >/dev/null 2>&1
is $? 78 "MAILOUT_CONF including the system's file: exit 78"
# Through password_command: it runs as the user, without the group.
printf 's3cret-pass\n' >"$R/etc/secret"
chgrp "$G" "$R/etc/secret" && chmod 0640 "$R/etc/secret"
{
	printf 'host = "127.0.0.1"; port = %s; tls = "tls";\n' \
		"$(cat "$T/hostile/port")"
	printf 'tls_verify = false; domain = "example.org";\n'
	printf 'queue_dir = "%s"; user = "relayuser"; aliases_file = "";\n' \
		"$T/user/q"
	printf 'password_command = "cat %s";\n' "$R/etc/secret"
} >"$T/user/pw.conf"
chmod 644 "$T/user/pw.conf"
sys "$U1" "$M" -C "$T/user/pw.conf" -i a@example.com <"$T/msg" \
	>/dev/null 2>&1
cat "$T"/hostile/session.*.log 2>/dev/null | grep -q 's3cret'
is $? 1 "-C with password_command: the hostile relay never sees the password"
is "$(cat "$T/hostile/sessions")" 0 "-C with password_command: not even a connection"
is "$(count "$T/hostile")" 0 "-C with password_command: nor the message"

# --- password_command of the system's file runs without the group too
{
	printf 'host = "localhost"; port = %s; domain = "example.org";\n' \
		"$(cat "$T/auth/port")"
	printf 'tls_ca_file = "%s"; queue_dir = "%s"; aliases_file = "";\n' \
		"$T/ca.pem" "$R/queue"
	printf 'user = "relayuser"; auth = "plain";\n'
	printf 'password_command = "cat %s";\n' "$R/etc/secret"
} >"$R/etc/mailout.conf"
n=$(count "$T/auth")
sys "$U1" "$M" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(count "$T/auth")/$(entries "$R/queue/q")" "0/$n/1" \
	"password_command, as the user, cannot read the group's file: queued"
grep -q 'password_command' "$T/err"
ok $? "password_command: says so"

# --- root gives the group up for its own file too (and could take it
#     back, as any group), and its password_command runs
{
	printf 'host = "localhost"; port = %s; domain = "example.org";\n' \
		"$(cat "$T/auth/port")"
	printf 'tls_ca_file = "%s"; queue_dir = "%s"; aliases_file = "";\n' \
		"$T/ca.pem" "$T/rootq"
	printf 'user = "relayuser"; auth = "plain";\n'
	printf 'password_command = "cat %s";\n' "$R/etc/secret"
} >"$T/root.conf"
chmod 600 "$T/root.conf"
n=$(count "$T/auth")
"$M" -C "$T/root.conf" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(count "$T/auth")" "0/$((n + 1))" \
	"root, -C with password_command: sent"
is "$(cat "$T/err")" "" "root, -C: nothing on stderr"
MAILOUT_CONF=$T/root.conf "$M" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(count "$T/auth")" "0/$((n + 2))" \
	"root, MAILOUT_CONF with password_command: sent"
sys root "$M" -i a@example.com <"$T/msg" 2>"$T/err"
s=$?
# The user's message that waited since the password_command failure
# leaves with it: through the same account, in the run after the send.
quiesce "$M"
is "$s/$(count "$T/auth")/$(entries "$R/queue/q")" "0/$((n + 4))/0" \
	"root, the system's password_command (run without the group): sent, the waiting message too"

# --- the group's rights count, not the user's: the queue's tmp/, files
#     only the group can read
n=$(entries "$R/queue/q")
sys_rotmp "$U1" "$M" -i a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(entries "$R/queue/q")" "0/$((n + 1))" \
	"a user outside the group spools in the queue's tmp/, not in /tmp"
cp "$T/ca.pem" "$R/etc/ca.pem"
chgrp "$G" "$R/etc/ca.pem" && chmod 0640 "$R/etc/ca.pem"
sed -i "s|\"$T/ca.pem\"|\"$R/etc/ca.pem\"|" "$R/etc/mailout.conf"
sys "$U1" "$M" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" \
	"--check-config: a tls_ca_file only the group can read is readable"
grep -q "tls_ca_file = \"$R/etc/ca.pem\"" "$T/out"
ok $? "--check-config: shows it"

# --- --check-config: password_command's arguments (which may hold a
#     secret) for root only; a user reading the system's file sees that it
#     is set.  A user's own file (-C), read without the group, is shown.
grep -Fx "	password_command = (set; shown to root only);" "$T/out" |
	grep -c . | grep -qx 1
ok $? "--check-config, a user: password_command masked, exactly"
grep -q "cat $R/etc/secret" "$T/out"
is $? 1 "--check-config, a user: no word of the command"
sys root "$M" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--check-config, root: exit 0"
grep -Fx "	password_command = \"cat $R/etc/secret\";" "$T/out" |
	grep -c . | grep -qx 1
ok $? "--check-config, root: password_command shown"
sys "$U1" "$M" -C "$T/user/pw.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--check-config -C, a user's own file: exit 0"
grep -Fx "	password_command = \"cat $R/etc/secret\";" "$T/out" |
	grep -c . | grep -qx 1
ok $? "--check-config -C, a user's own file: password_command shown"

# --- the logfile: root's first run creates it for the group, so that
#     every user's send is logged there too (with the queue emptied of
#     the messages above, which a send would take along)
quiesce "$M"
rm -f "$R/queue/q"/*
relay_start "$T/plain"
mkdir -p "$R/log"
chmod 755 "$R/log"
{
	printf 'host = "127.0.0.1"; port = %s; tls = "none";\n' "$RELAY_PORT"
	printf 'domain = "example.org"; aliases_file = "";\n'
	printf 'queue_dir = "%s"; logfile = "%s";\n' "$R/queue" \
		"$R/log/mailout.log"
} >"$R/etc/mailout.conf"
chgrp "$G" "$R/etc/mailout.conf" && chmod 0640 "$R/etc/mailout.conf"
L=$R/log/mailout.log
sys root "$M" -i -f root@example.org a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/plain")" "0//1" "root's send: sent"
is "$(stat -c '%U %G %a' "$L")" "root $G 660" \
	"root's first run creates the logfile root:$G, mode 0660"
sys "$U1" "$M" -i -f u1@example.org a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/plain")" "0//2" "a user's send: sent"
# Each line names the real user who sent, uid and name.
log_lines "$L" >"$T/got"
id1=$(sed -n '1s/^sent id=\([^ ]*\) .*/\1/p' "$T/got")
id2=$(sed -n '2s/^sent id=\([^ ]*\) .*/\1/p' "$T/got")
at="relay=127.0.0.1:$RELAY_PORT tls=none auth=none"
cat >"$T/want" <<EOF2
sent id=$id1 uid=0(root) from=<root@example.org> to=<a@example.com> $at size=$(wc -c <"$T/plain/msg.1/data" | tr -d ' ') reply="250 2.0.0 Ok: queued as 1"
sent id=$id2 uid=$(id -u "$U1")($U1) from=<u1@example.org> to=<a@example.com> $at size=$(wc -c <"$T/plain/msg.2/data" | tr -d ' ') reply="250 2.0.0 Ok: queued as 2"
EOF2
same_file "$T/got" "$T/want" \
	"the logfile: root's send, then the user's, after root created the file; each names its user"

# --- a logfile the group cannot write (0640, as made before): the send
#     goes on as before, and syslog gets its line and says why the file
#     lacks it.  syslog is a socket of the test's at /dev/log, in the
#     user's private mount namespace (with /dev/null and /dev/urandom).
chmod 0640 "$L"
mkdir -p "$T/dev"
chmod 755 "$T/dev"
: >"$T/dev/null"
: >"$T/dev/urandom"
"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$T/dev/log" "$T/syslog" &
_w=0
while [ ! -S "$T/dev/log" ] && [ $_w -lt 100 ]; do
	sleep 0.1
	_w=$((_w + 1))
done
chmod 666 "$T/dev/log"
lines=$(wc -l <"$L")
unshare --mount --propagation private sh -c '
	mount --bind "$1" "$2" && mount --bind /dev/null "$3/null" &&
		mount --bind /dev/urandom "$3/urandom" &&
		mount --rbind "$3" /dev || exit 99
	shift 3
	exec setpriv --reuid "$0" --regid "$0" --clear-groups "$@"
' "$U1" "$R/etc" "$SYSCONFDIR" "$T/dev" \
	"$M" -i -f u1@example.org a@example.com <"$T/msg" 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/plain")" "0//3" \
	"a logfile the group cannot write: sent, exit 0, nothing on stderr"
is "$(wc -l <"$L")" "$lines" "a logfile the group cannot write: left alone"
_w=0
while ! grep -q ': sent id=' "$T/syslog" 2>/dev/null && [ $_w -lt 50 ]; do
	sleep 0.1
	_w=$((_w + 1))
done
grep -c "mailout\[[0-9]*\]: error id=- uid=$(id -u "$U1")($U1) reason=\"cannot open logfile $L: Permission denied; logging to syslog only\"\$" \
	"$T/syslog" | grep -qx 1
ok $? "syslog: one line says the logfile cannot be opened"
grep -c "mailout\[[0-9]*\]: sent id=[0-9]\{14\}\.[0-9a-v]\{8\} uid=$(id -u "$U1")($U1) from=<u1@example.org> to=<a@example.com> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=$(wc -c <"$T/plain/msg.3/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as 3\"\$" \
	"$T/syslog" | grep -qx 1
ok $? "syslog: the user's send, with the user's uid and name"

# --- the system's file unreadable to the group (root:root 0640): a
#     user's message is kept in the compiled-in queue with the group's
#     rights, the user's own; the other user does not see it; root's
#     queue run sends it, from the user, once the file is fixed.
[ -n "${QUEUEDIR:-}" ] || skip_rest "the compiled-in queue is not known"
mkdir -p "$R/cq" "$T/ovq"
chgrp "$G" "$R/cq" && chmod 2770 "$R/cq"
# sysq USER CMD...: as sys, with $R/cq at the compiled-in queue directory
# (made in a scratch layer where it is missing; the layer first, as it
# would hide a mount below it).
sysq() {
	_u=$1
	shift
	unshare --mount --propagation private sh -c '
		a=$4
		while [ ! -d "$a" ]; do a=$(dirname "$a"); done
		mount -t tmpfs tmpfs "$5" && mkdir "$5/up" "$5/work" &&
			mount -t overlay overlay -o "lowerdir=$a,upperdir=$5/up,workdir=$5/work" "$a" &&
			mkdir -p "$4" && mount --bind "$3" "$4" &&
			mount --bind "$1" "$2" || exit 99
		shift 5
		exec setpriv --reuid "$0" --regid "$0" --clear-groups "$@"
	' "$_u" "$R/etc" "$SYSCONFDIR" "$R/cq" "$QUEUEDIR" "$T/ovq" "$@"
}
chgrp root "$R/etc/mailout.conf"
sysq "$U1" "$M" -i a@example.com <"$T/msg" 2>"$T/err"
st=$? kid=$(sed -n 's/.*; message kept as \([0-9a-v.]*\)$/\1/p' "$T/err")
is "$st/$(cat "$T/err")" \
	"0/mailout: configuration error: $SYSCONFDIR/mailout.conf: Permission denied; message kept as $kid" \
	"a file the group cannot read: the user's message kept, exit 0"
is "$(stat -c '%U %G %a' "$R/cq/kept/$kid" 2>&1)" "$U1 $G 660" \
	"the kept entry: the user's, the group's, mode 0660"
sysq "$U1" "$M" -bp >"$T/out" 2>/dev/null
is "$(sed -n '1s/ .*//p;$p' "$T/out")" "$kid
-- 1 kept until the configuration is fixed" "mailq: the user sees it"
sysq "$U2" "$M" -bp >"$T/out" 2>/dev/null
is "$(cat "$T/out")" "-- 0 kept until the configuration is fixed" \
	"mailq: another user does not"
chgrp "$G" "$R/etc/mailout.conf"
n=$(count "$T/plain")
# Fixed: the other user's queue run leaves the user's kept message alone
# (it is not theirs to resolve), root's sends it.
sysq "$U2" "$M" -q 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/plain")/$(ls "$R/cq/kept")" "0//$n/$kid" \
	"fixed: another user's queue run leaves the kept message"
before_send "$T/plain"
sysq root "$M" -q 2>"$T/err"
is "$?/$(cat "$T/err")/$(count "$T/plain")" "0//$((n + 1))" \
	"fixed: root's queue run sends the kept message"
is "$(last "$T/plain" mail)/$(ls "$R/cq/kept")" "<$U1@example.org>/" \
	"fixed: from the user who sent it; nothing kept"

done_testing
