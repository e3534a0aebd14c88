#!/bin/sh
# Queue administration: --delete, --delete-from, --delete-to,
# --delete-failed, --requeue; an entry being delivered is left alone;
# a user acts on the user's own entries alone.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
Q=$T/queue
conf "$T/c.conf" "$RELAY_PORT" "retry_min = 600;" "bounce = false;" \
	"logfile = \"$T/log\";"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }
down() { printf '%s\n' "$@" >"$T/r/faults"; }
up() { rm -f "$T/r/faults"; }
printf 'Subject: x\n\nbody\n' >"$T/msg"
# queue FROM TO...: a message queued while the relay is down; its id.
queue() {
	_f=$1
	shift
	down 'greeting=421 4.3.2 down'
	M -i -f "$_f" "$@" <"$T/msg" 2>"$T/qerr" ||
		echo "(queue: exit $?)"
	sed -n 's/^mailout: queued as \([^:]*\):.*/\1/p' "$T/qerr"
	up
}
# state ID [AREA]: the state of entry ID, in q/ unless AREA is given.
state() {
	_s=$Q/${2:-q}/$1
	if [ -f "$_s.state" ]; then cat "$_s.state"; else sed '/^$/q' "$_s"; fi
}
# logged: the log's lines since the last call, without their time stamp.
logged() {
	_n=$(cat "$T/log.seen" 2>/dev/null || echo 0)
	sed -n "$((_n + 1)),\$p" "$T/log" | sed 's/^[^ ]* mailout\[[0-9]*\]: //'
	wc -l <"$T/log" | tr -d ' ' >"$T/log.seen"
}
me=$(id -un)
uid=$(id -u)

a=$(queue bob@example.org alice@example.com)
b=$(queue bob@example.org carol@example.com)
c=$(queue eve@example.org alice@example.com dave@example.com)
is "$(entries "$Q/q")" 3 "three messages queued"
logged >/dev/null

# --- --delete ID
M --delete "$a" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/$a: deleted/" \
	"--delete ID: exit 0, one line on stdout"
[ ! -e "$Q/q/$a" ] && [ ! -e "$Q/q/$a.state" ]
ok $? "--delete ID: the entry is gone"
is "$(logged)" \
	"deleted id=$a $ME from=<bob@example.org> area=q/" \
	"--delete ID: logged with the id, the sender and the real user"

# --- an id that is not there, or not an id at all
M --delete "$a" 20260101000000.aaaaaaaa ../q/"$b" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")" "66/" "--delete of ids not in the queue: exit 66"
is "$(cat "$T/err")" "mailout: $a: no such message
mailout: 20260101000000.aaaaaaaa: no such message
mailout: ../q/$b: no such message" "--delete: one line for each id not there"
is "$(entries "$Q/q")" 2 "--delete of a path: nothing else deleted"
is "$(logged)" "" "nothing deleted: nothing logged"

# --- usage
M --delete >"$T/out" 2>"$T/err"
is "$?/$(head -1 "$T/err")" \
	"64/mailout: --delete, --delete-failed and --requeue need ids or ALL" \
	"--delete without ids: exit 64"
M --delete-to >/dev/null 2>"$T/err"
is "$?/$(head -1 "$T/err")" \
	"64/mailout: --delete-from and --delete-to need addresses" \
	"--delete-to without an address: exit 64"
M --delete "$b" -C "$T/c.conf" >/dev/null 2>"$T/err"
is "$?/$(head -1 "$T/err")/$(entries "$Q/q")" \
	"64/mailout: -C: options go before the ids and addresses/2" \
	"an option after the ids: exit 64, nothing deleted"

# --- --delete-from, --delete-to
M --delete-from nobody@example.org '<>' >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")" "66/" "--delete-from, no such sender: exit 66"
is "$(cat "$T/err")" "mailout: no message from nobody@example.org
mailout: no message from <>" "--delete-from: one line for each address"
M --delete-to '<DAVE@Example.COM>' >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/$c: deleted/" \
	"--delete-to: the message with that recipient among others, case ignored"
M --delete-from Bob@example.org >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entries "$Q/q")" "0/$b: deleted//0" \
	"--delete-from: that sender's message"
is "$(logged)" \
	"deleted id=$c $ME from=<eve@example.org> area=q/
deleted id=$b $ME from=<bob@example.org> area=q/" \
	"--delete-to, --delete-from: each deletion logged"

# --- failed/: mailq lists it, --requeue sends it back to q/
a=$(queue bob@example.org alice@example.com)
b=$(queue bob@example.org carol@example.com)
down 'rcpt=550 5.1.1 no such user'
M -q
up
is "$(entries "$Q/q")/$(entries "$Q/failed")" "0/2" "refused: both in failed/"
M -bp >"$T/mailq"
is "$(grep -c '  (failed)$' "$T/mailq")/$(tail -1 "$T/mailq")" \
	"2/-- 0 queued, 2 failed" "mailq lists failed/ too"
logged >/dev/null
before=$(date +%s)
M --requeue "$a" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/$a: requeued/" \
	"--requeue ID of failed/: exit 0"
is "$(entries "$Q/q")/$(entries "$Q/failed")" "1/1" "--requeue: back in q/"
[ ! -e "$Q/failed/$a.state" ]
ok $? "--requeue: no state left behind in failed/"
state "$a" | grep -e '^attempts' -e '^rcpt' >"$T/st"
printf 'attempts\t0\nrcpt\tP\t0\talice@example.com\n' >"$T/want"
same_file "$T/st" "$T/want" "--requeue: no attempts, the recipient pending"
next=$(state "$a" | sed -n 's/^next\t//p')
created=$(state "$a" | sed -n 's/^created\t//p')
[ "$next" -ge "$before" ] && [ "$next" -le "$(date +%s)" ] &&
	[ "$created" = "$next" ]
ok $? "--requeue: due now, its lifetime counted from now"
is "$(logged)" \
	"requeued id=$a $ME from=<bob@example.org> area=failed/" \
	"--requeue: logged"
M -q --due
is "$(entries "$Q/q")/$(count "$T/r")/$(cat "$(last_msg "$T/r")/rcpt")" \
	"0/1/<alice@example.com>" "a requeued message leaves with the next due run"

# --- --delete-failed takes failed/ alone; --requeue ALL
c=$(queue eve@example.org dave@example.com)
M --delete-failed "$c" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entries "$Q/q")" \
	"66//mailout: $c: no such message/1" \
	"--delete-failed with an id of q/: no such message, left there"
M --delete-failed ALL >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/$b: deleted/" \
	"--delete-failed ALL: what failed/ holds"
is "$(entries "$Q/q")/$(entries "$Q/failed")" "1/0" \
	"--delete-failed ALL: q/ as it was"
M --delete-failed ALL >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0//" \
	"--delete-failed ALL with nothing there: exit 0, nothing said"
down 'greeting=421 4.3.2 down'
M -q
up
is "$(state "$c" | sed -n 's/^attempts\t//p')" 2 \
	"two attempts made: the submission's, the run's"
M --requeue ALL >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(state "$c" | sed -n 's/^attempts\t//p')" \
	"0/$c: requeued/0" "--requeue ALL: the entries of q/ too, attempts reset"

# --- an entry that a queue run holds is left alone ("busy")
logged >/dev/null
# (One process holds it, as a run does: flock(1) would leave it to a child.)
"$PYTHON3" -c 'import fcntl, sys, time
f = open(sys.argv[1])
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write("held\n")
time.sleep(60)' "$Q/q/$c" "$T/held" &
locker=$!
wait_file "$T/held" "$locker"
M --delete "$c" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" \
	"75//mailout: $c: busy (being delivered), left as it is" \
	"--delete of a locked entry: busy, exit 75"
M --requeue ALL >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"75/mailout: $c: busy (being delivered), left as it is" \
	"--requeue ALL: a locked entry is busy"
is "$(entries "$Q/q")/$(logged)" "1/" \
	"the locked entry is still there, and nothing is logged"
kill "$locker"
wait "$locker" 2>/dev/null
M --delete "$c" "$c" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entries "$Q/q")" \
	"66/$c: deleted/mailout: $c: no such message/0" \
	"unlocked: deleted; the second time, no such message"

# --- failed_lifetime: a queue run removes what failed longer ago
conf "$T/l.conf" "$RELAY_PORT" "retry_min = 600;" "bounce = false;" \
	"logfile = \"$T/log\";" "failed_lifetime = \"1h\";"
a=$(queue bob@example.org alice@example.com)
b=$(queue eve@example.org alice@example.com)
down 'rcpt=550 5.1.1 no such user'
M -q
up
is "$(entries "$Q/failed")" 2 "two messages failed"
# $a failed 61 minutes ago, $b 59 minutes ago.
touch -d '-61 minutes' "$Q/failed/$a" "$Q/failed/$a.state"
touch -d '-59 minutes' "$Q/failed/$b" "$Q/failed/$b.state"
logged >/dev/null
M -bp >/dev/null
is "$(entries "$Q/failed")" 2 "mailq removes nothing"
"$MAILOUT" -C "$T/l.conf" -q
is "$?/$(entry_ids "$Q/failed")" "0/$b" \
	"a queue run removes what failed more than failed_lifetime ago"
[ ! -e "$Q/failed/$a.state" ]
ok $? "its state too"
is "$(logged)" \
	"removed id=$a $ME from=<bob@example.org> reason=\"in failed/ longer than failed_lifetime\"" \
	"the removal is logged"
"$MAILOUT" -C "$T/l.conf" -q
is "$(entry_ids "$Q/failed")" "$b" "the younger one stays"
# The default: 30 days.
touch -d '-29 days' "$Q/failed/$b" "$Q/failed/$b.state"
M -q
is "$(entry_ids "$Q/failed")" "$b" "by default, 29 days: still there"
touch -d '-31 days' "$Q/failed/$b" "$Q/failed/$b.state"
M -q
is "$(entries "$Q/failed")" 0 "by default, 31 days: removed"

# -------------------------------------------- as root: throwaway accounts
# The set-group-ID install as privilege.sh makes it: two users share the
# queue through the program, which checks whose each entry is.
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null ||
	! command -v setpriv >/dev/null; then
	skip_rest "not root, or no useradd/setpriv: the owner checks"
fi
[ -n "${ASAN_OPTIONS:-}" ] && skip_rest "a sanitizer build: the owner checks"
case $(findmnt -no OPTIONS -T "$T" 2>/dev/null) in
*nosuid*) skip_rest "$T is on a nosuid file system: the owner checks" ;;
esac
[ -d "${SYSCONFDIR:-}" ] || skip_rest "no directory \"$SYSCONFDIR\" to mount over"
unshare --mount --propagation private true 2>/dev/null ||
	skip_rest "no private mount namespace (unshare)"
G=moq$$
U1=moqu$$a
U2=moqu$$b
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
R=$T/root
mkdir -p "$R/sbin" "$R/etc" "$R/queue/q" "$R/queue/tmp" "$R/queue/failed"
cp "$MAILOUT" "$R/sbin/mailout"
chgrp "$G" "$R/sbin/mailout" && chmod 2755 "$R/sbin/mailout"
chgrp -R "$G" "$R/queue" && chmod 2770 "$R/queue" "$R/queue"/*
chmod 755 "$T" "$R" "$R/sbin" "$R/etc"
chmod 644 "$T/msg"
cat >"$R/etc/mailout.conf" <<EOF
host = "127.0.0.1"; port = $RELAY_PORT; tls = "none"; domain = "example.org";
queue_dir = "$R/queue"; aliases_file = ""; bounce = false;
logfile = "$R/queue/log"; failed_lifetime = "1h";
EOF
chgrp "$G" "$R/etc/mailout.conf" && chmod 0640 "$R/etc/mailout.conf"
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
SM=$R/sbin/mailout
down 'greeting=421 4.3.2 down'
sys "$U1" "$SM" -i -f u1@example.org a@example.com <"$T/msg" 2>/dev/null
id1=$(entry_ids "$R/queue/q")
sys "$U2" "$SM" -i -f u2@example.org a@example.com <"$T/msg" 2>/dev/null
id2=$(entry_ids "$R/queue/q" | grep -vx "$id1")
up
is "$(entries "$R/queue/q")" 2 "each user queued a message"

# --- another user's entry is no such message, in every form
sys "$U2" "$SM" --delete "$id1" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "66//mailout: $id1: no such message" \
	"another user's --delete ID: no such message, exit 66"
sys "$U2" "$SM" --requeue "$id1" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "66//mailout: $id1: no such message" \
	"another user's --requeue ID: no such message, exit 66"
sys "$U2" "$SM" --delete-from u1@example.org >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" \
	"66//mailout: no message from u1@example.org" \
	"--delete-from another user's sender: no message, exit 66"
sys "$U2" "$SM" --delete-to a@example.com >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/$id2: deleted/" \
	"--delete-to: that user's own message alone"
is "$(entry_ids "$R/queue/q")" "$id1" "the other user's message is still there"

# --- a user deletes the user's own; root any user's
old2=$id2
down 'greeting=421 4.3.2 down'
sys "$U2" "$SM" -i -f u2@example.org a@example.com <"$T/msg" 2>/dev/null
up
id2=$(entry_ids "$R/queue/q" | grep -vx "$id1")
sys "$U1" "$SM" --delete ALL >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entry_ids "$R/queue/q")" \
	"0/$id1: deleted//$id2" "a user's --delete ALL: the user's own alone"
sys root "$SM" --delete "$id2" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entries "$R/queue/q")" \
	"0/$id2: deleted//0" "root's --delete: any user's message"
sed 's/^[^ ]* mailout\[[0-9]*\]: //' "$R/queue/log" | grep deleted >"$T/got"
printf '%s\n' \
	"deleted id=$old2 uid=$(id -u "$U2")($U2) from=<u2@example.org> area=q/" \
	"deleted id=$id1 uid=$(id -u "$U1")($U1) from=<u1@example.org> area=q/" \
	"deleted id=$id2 uid=0(root) from=<u2@example.org> area=q/" >"$T/want"
same_file "$T/got" "$T/want" "each deletion logged with the real user"

# --- failed_lifetime: a user's run removes the user's own alone
down 'greeting=421 4.3.2 down'
sys "$U1" "$SM" -i -f u1@example.org a@example.com <"$T/msg" 2>/dev/null
id1=$(entry_ids "$R/queue/q")
down 'rcpt=550 5.1.1 no such user'
sys "$U1" "$SM" -q
up
touch -d '-2 hours' "$R/queue/failed/$id1" "$R/queue/failed/$id1.state"
sys "$U2" "$SM" -q
is "$(entry_ids "$R/queue/failed")" "$id1" \
	"another user's run leaves the user's expired message"
sys "$U1" "$SM" -q
is "$(entries "$R/queue/failed")" 0 "the user's own run removes it"
done_testing
