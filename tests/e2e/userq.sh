#!/bin/sh
# The queue of a user's own configuration (-C, MAILOUT_CONF) that sets no
# queue_dir: $XDG_STATE_HOME/mailout/queue, by default
# ~/.local/state/mailout/queue, made 0700, that the user's "-q -C" runs.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
down() { printf '%s\n' "$@" >"$T/r/faults"; }
up() { rm -f "$T/r/faults"; }
printf 'Subject: x\n\nbody\n' >"$T/msg"
# (conf() always sets queue_dir.)
cat >"$T/u.conf" <<EOF
host = "127.0.0.1"; port = $RELAY_PORT; tls = "none"; domain = "example.org";
aliases_file = ""; retry_min = 600;
EOF
chmod 644 "$T/u.conf" "$T/msg"
H=$T/home
mkdir "$H"
UQ=$H/.local/state/mailout/queue
# U CMD...: mailout with HOME=$H and no XDG_STATE_HOME.
U() { env -u XDG_STATE_HOME HOME="$H" "$MAILOUT" "$@"; }

# --- relay down: queued in the user's queue, made 0700
down 'greeting=421 4.3.2 down'
U -C "$T/u.conf" -i -f bob@example.org alice@example.com <"$T/msg" 2>"$T/err"
is "$?/$(entries "$UQ/q")" "0/1" \
	"a user's file without queue_dir, relay down: exit 0, queued in ~/.local/state/mailout/queue"
id=$(entry_ids "$UQ/q")
is "$(cat "$T/err")" \
	"mailout: queued as $id: 127.0.0.1:$RELAY_PORT: greeting: 421 4.3.2 down" \
	"it says where it is queued, and why"
is "$(cd "$H" && stat -c '%a %n' .local .local/state .local/state/mailout \
	.local/state/mailout/queue)" "700 .local
700 .local/state
700 .local/state/mailout
700 .local/state/mailout/queue" "the directories made, mode 0700"

# --- --check-config names the user's queue, and makes nothing
U -C "$T/u.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")/$(sed -n 's/^# queue_dir = \("[^"]*"\);.*/\1/p' "$T/out")" \
	"0//\"$UQ\"" "--check-config: the queue_dir a send would use, the user's"
# --- mailq -C and MAILOUT_CONF list it
U -C "$T/u.conf" -bp >"$T/out" 2>&1
is "$?/$(head -1 "$T/out" | cut -d' ' -f1)/$(tail -1 "$T/out")" \
	"0/$id/-- 1 queued, 0 failed" "mailq -C lists the user's queue"
MAILOUT_CONF=$T/u.conf U -bp >"$T/out" 2>&1
is "$?/$(head -1 "$T/out" | cut -d' ' -f1)/$(tail -1 "$T/out")" \
	"0/$id/-- 1 queued, 0 failed" "MAILOUT_CONF: the same queue"

# --- the user's -q -C sends it
up
U -C "$T/u.conf" -q --due
is "$?/$(count "$T/r")/$(entries "$UQ/q")" "0/0/1" \
	"-q --due -C: not due yet, left"
U -C "$T/u.conf" -q -v 2>"$T/err"
is "$?/$(count "$T/r")/$(entries "$UQ/q")" "0/1/0" "-q -C: sent"
grep -c "^mailout: $id: sent\$" "$T/err" >"$T/n"
is "$(cat "$T/n")/$(cat "$(last_msg "$T/r")/mail")" "1/<bob@example.org>" \
	"-q -C -v: that message, from its sender"
[ ! -e "$UQ/wake" ]
ok $? "no wake: the queue service has no part in a user's queue"

# --- XDG_STATE_HOME, when absolute; a relative one is ignored
down 'greeting=421 4.3.2 down'
XDG_STATE_HOME=$T/state HOME=$H "$MAILOUT" -C "$T/u.conf" -odq -i \
	alice@example.com <"$T/msg" 2>/dev/null
is "$?/$(entries "$T/state/mailout/queue/q")/$(stat -c %a "$T/state")" \
	"0/1/700" "XDG_STATE_HOME: its mailout/queue, made 0700"
XDG_STATE_HOME=state HOME=$H "$MAILOUT" -C "$T/u.conf" -odq -i \
	alice@example.com <"$T/msg" 2>/dev/null
is "$?/$(entries "$UQ/q")" "0/1" \
	"a relative XDG_STATE_HOME is ignored: ~/.local/state"
up

# --- a queue that cannot be made: a message that must be queued says why
touch "$T/file"
down 'greeting=421 4.3.2 down'
env -u XDG_STATE_HOME HOME="$T/file" "$MAILOUT" -C "$T/u.conf" -i \
	alice@example.com <"$T/msg" 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"75/mailout: 127.0.0.1:$RELAY_PORT: greeting: 421 4.3.2 down; and it cannot be queued: cannot create $T/file/.local/state/mailout/queue: Not a directory" \
	"no queue to be had: exit 75, and why"
up

# -------------------------------------------- as root: a throwaway user
# The set-group-ID install: a user's own file is read without the group,
# and the user's queue is written without it too.
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null ||
	! command -v setpriv >/dev/null; then
	skip_rest "not root, or no useradd/setpriv: the set-group-ID checks"
fi
[ -n "${ASAN_OPTIONS:-}" ] && skip_rest "a sanitizer build: the set-group-ID checks"
case $(findmnt -no OPTIONS -T "$T" 2>/dev/null) in
*nosuid*) skip_rest "$T is on a nosuid file system: the set-group-ID checks" ;;
esac
G=mou$$
U1=mouu$$
cleanup_accounts() {
	getent passwd "$U1" >/dev/null && userdel "$U1"
	getent group "$U1" >/dev/null && groupdel "$U1"
	getent group "$G" >/dev/null && groupdel "$G"
	return 0
}
AT_EXIT=cleanup_accounts
groupadd --system "$G" &&
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U1" ||
	skip_rest "cannot make a throwaway account"
mkdir -p "$T/sbin" "$T/u1"
cp "$MAILOUT" "$T/sbin/mailout"
chgrp "$G" "$T/sbin/mailout" && chmod 2755 "$T/sbin/mailout"
chown "$U1:$U1" "$T/u1"
chmod 755 "$T" "$T/sbin"
# as CMD...: the set-group-ID copy as the user, HOME its directory.
as() {
	env -u XDG_STATE_HOME HOME="$T/u1" \
		setpriv --reuid "$U1" --regid "$U1" --clear-groups "$T/sbin/mailout" "$@"
}
UQ=$T/u1/.local/state/mailout/queue
down 'greeting=421 4.3.2 down'
as -C "$T/u.conf" -i -f u1@example.org alice@example.com <"$T/msg" 2>/dev/null
is "$?/$(entries "$UQ/q")" "0/1" "a user of the set-group-ID install: queued in the user's queue"
id=$(entry_ids "$UQ/q")
is "$(stat -c '%U:%G %a' "$UQ" "$UQ/q/$id")" "$U1:$U1 700
$U1:$U1 660" "the user's, not the group's: the group was given up"
up
as -C "$T/u.conf" -q
is "$?/$(count "$T/r")/$(entries "$UQ/q")" "0/2/0" "the user's -q -C sends it"
is "$(cat "$(last_msg "$T/r")/mail")" "<u1@example.org>" "from the user's sender"
done_testing
