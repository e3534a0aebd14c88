# Shared by the end-to-end tests: a TAP producer, a scratch directory,
# and the test relay (tests/relay/relay.py) started on 127.0.0.1.
#
# Environment (set by "make check"): srcdir, builddir, MAILOUT, PYTHON3.

: "${srcdir:=.}"
: "${builddir:=.}"
: "${MAILOUT:=$builddir/mailout}"
: "${PYTHON3:=/usr/bin/python3}"
: "${OPENSSL:=openssl}"

T=$(mktemp -d "${TMPDIR:-/tmp}/mailout-test.XXXXXX") || exit 99
TAP_N=0
TAP_FAILED=0
RELAY_PIDS=

# pids_naming TEXT: the processes, this shell aside, whose command line
# holds TEXT.  (TEXT reaches grep on stdin: in its arguments, grep would
# find itself.)
pids_naming() {
	printf '%s\n' "$1" | grep -laF -f - /proc/[0-9]*/cmdline 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/cmdline$|\1|p' | grep -vx "$$"
}

# reap: nothing a test started outlives it.  The script's background jobs
# end (an interrupt does not reach them: they ignore SIGINT), and so does
# every process that names $T (relays, helpers, the queue runs that
# mailout detaches, which wait(1) never sees), with SIGKILL after 5 s;
# then whatever a test mounted under $T is unmounted, deepest first.
reap() {
	# (Through a file: dash's jobs lists nothing in a subshell.)
	jobs -p >"$T/.jobs" 2>/dev/null && kill $(cat "$T/.jobs") 2>/dev/null
	_pids=$(pids_naming "$T")
	[ -n "$_pids" ] && kill $_pids 2>/dev/null
	_r=0
	while [ -n "$_pids" ] && [ $_r -lt 50 ]; do
		sleep 0.1
		_r=$((_r + 1))
		_pids=$(pids_naming "$T")
	done
	[ -n "$_pids" ] && kill -KILL $_pids 2>/dev/null
	[ "$(id -u)" -eq 0 ] || return 0
	findmnt -rn -o TARGET 2>/dev/null | grep -F "$T/" | sort -r |
		while IFS= read -r _m; do
			umount "$_m" || umount -l "$_m"
		done
}

# cleanup, however the script ends: $AT_EXIT (a command of the script's,
# such as removing what it made outside $T) runs once nothing of the test
# runs any more.
AT_EXIT=
cleanup() {
	# A second signal must not cut the cleanup short.
	trap '' HUP INT PIPE TERM
	for pid in $RELAY_PIDS; do
		kill "$pid" 2>/dev/null
	done
	reap
	wait 2>/dev/null
	[ -n "$AT_EXIT" ] && $AT_EXIT
	if [ "$TAP_FAILED" -eq 0 ] && [ -z "$KEEP_TMP" ]; then
		rm -rf "$T"
	else
		echo "# scratch files kept in $T"
	fi
}
trap cleanup EXIT
trap 'exit 99' HUP INT PIPE TERM

# ok CONDITION-STATUS NAME: "ok" when the previous command succeeded.
ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $2"
	fi
}

# is GOT WANT NAME
is() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $TAP_N - $3"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed '2,$s/^/#   /;'
	fi
}

# same_file GOT WANT NAME: byte-exact comparison.
same_file() {
	TAP_N=$((TAP_N + 1))
	if cmp -s "$1" "$2"; then
		echo "ok $TAP_N - $3"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $3"
		if [ -f "$1" ]; then
			od -c "$1" | head -20 | sed 's/^/#   got:  /'
		else
			echo "#   got: no file $1"
		fi
		od -c "$2" | head -20 | sed 's/^/#   want: /'
	fi
}

# skip NAME WHY: a check that cannot run here.
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

done_testing() {
	if [ -s "$T/.stale" ]; then
		TAP_N=$((TAP_N + 1))
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - every message read was the one its send stored"
		sed 's/^/#   /' "$T/.stale"
	fi
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# skip_rest WHY: the checks so far stand; the rest cannot run here.
skip_rest() {
	echo "# skipped from here: $1"
	done_testing
	exit $?
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

[ -x "$MAILOUT" ] || skip_all "no mailout binary at $MAILOUT"
"$PYTHON3" -c 'import aiosmtpd' 2>/dev/null ||
	skip_all "$PYTHON3 has no aiosmtpd (Debian: python3-aiosmtpd)"

# relay_start DIR [relay options...]: start a relay storing into DIR and
# wait until it listens; its port is then in $RELAY_PORT and DIR/port.
relay_start() {
	_dir=$1
	shift
	mkdir -p "$_dir"
	rm -f "$_dir/port"
	"$PYTHON3" "$srcdir/tests/relay/relay.py" --dir "$_dir" "$@" \
		>"$_dir/relay.out" 2>&1 &
	RELAY_PIDS="$RELAY_PIDS $!"
	_i=0
	while [ ! -s "$_dir/port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "# the relay did not start:" >&2
			sed 's/^/#   /' "$_dir/relay.out" >&2
			exit 99
		fi
		sleep 0.1
	done
	RELAY_PORT=$(cat "$_dir/port")
}

# wait_file FILE PID: wait, 10 s at most, until FILE is not empty; PID
# writes it.  When PID ends first or takes too long, the script stops.
wait_file() {
	_w=0
	while [ ! -s "$1" ]; do
		if [ $_w -ge 100 ] || ! kill -0 "$2" 2>/dev/null; then
			[ -s "$1" ] && break
			echo "# process $2 did not write $1" >&2
			exit 99
		fi
		sleep 0.1
		_w=$((_w + 1))
	done
}

# relay_stop DIR
relay_stop() {
	[ -s "$1/pid" ] && kill "$(cat "$1/pid")" 2>/dev/null
	return 0
}

# A port where nothing listens (bound, then released).
free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# conf FILE PORT [extra lines...]: a configuration for a plain relay.
# A line replaces a default or an earlier extra line of the same name
# (before " ="); a "hosts" line replaces the default host and port.
# aliases_file is "" unless given: this host's /etc/aliases plays no part.
conf() {
	_file=$1
	_port=$2
	shift 2
	{
		for _l in "host = \"127.0.0.1\";" "port = $_port;" \
			"tls = \"none\";" "domain = \"example.org\";" \
			"helo = \"client.example.org\";" \
			"queue_dir = \"$T/queue\";" "aliases_file = \"\";"; do
			_k=${_l%% =*}
			for _x in "$@"; do
				case ${_x%% =*} in
				"$_k") _l= ;;
				hosts) [ "$_k" = host ] || [ "$_k" = port ] && _l= ;;
				esac
			done
			[ -n "$_l" ] && echo "$_l"
		done
		_i=0
		for _l in "$@"; do
			_i=$((_i + 1)) _j=0 _later=
			for _x in "$@"; do
				_j=$((_j + 1))
				[ $_j -gt $_i ] && [ "${_x%% =*}" = "${_l%% =*}" ] &&
					_later=1
			done
			[ -z "$_later" ] && echo "$_l"
		done
	} >"$_file"
}

# send NAME PORT [settings...]: $T/msg from bob@example.org to
# alice@example.com through $T/NAME.conf, which conf() makes for PORT
# with the queue in $T/qNAME, the log in $T/NAME.log, the settings in
# $SEND_CONF (one a line) and then those given.  mailout also gets the
# options in $SEND_FLAGS; its stderr goes to $T/NAME.err.
send() {
	_n=$1 _p=$2
	shift 2
	_ifs=$IFS
	IFS='
'
	set -f
	set -- $SEND_CONF "$@"
	set +f
	IFS=$_ifs
	conf "$T/$_n.conf" "$_p" "queue_dir = \"$T/q$_n\";" \
		"logfile = \"$T/$_n.log\";" "$@"
	chmod 600 "$T/$_n.conf"
	# shellcheck disable=SC2086 # SEND_FLAGS: options, split on purpose
	"$MAILOUT" -C "$T/$_n.conf" $SEND_FLAGS -i -f bob@example.org \
		alice@example.com <"$T/msg" 2>"$T/$_n.err"
}

# queued NAME: how many messages the queue of "send NAME" holds.
queued() {
	[ $# -eq 1 ] || { echo "(queued: no NAME)" && return 2; }
	entries "$T/q$1/q"
}

# count DIR: how many messages the relay in DIR accepted.
count() {
	ls -d "$1"/msg.* 2>/dev/null | wc -l | tr -d ' '
}

# entries AREA: how many messages an area of a queue holds (q/ or
# failed/), not counting their .state files.
entries() {
	ls "$1" 2>/dev/null | grep -vc -e '\.state$' -e '\.new$' -e '^\.'
}

# entry_ids AREA: the ids of the messages entries counts, one a line.
entry_ids() {
	ls "$1" 2>/dev/null | grep -v -e '\.state$' -e '\.new$' -e '^\.'
}

# ME: how the log names the user running the tests (uid=UID(NAME)).
ME="uid=$(id -u)($(id -un))"

# log_lines FILE: the lines of a logfile, without the time and the
# "mailout[PID]: " that start each.
log_lines() {
	sed 's/^[0-9T:+-]* mailout\[[0-9]*\]: //' "$1"
}

# log_norm FILE: log_lines with each id of the queue's format as "ID" and
# each cipher as "C", for lines asserted whole where those vary.
log_norm() {
	log_lines "$1" |
		sed 's/ id=[0-9]\{14\}\.[0-9a-v]\{8\} / id=ID /;s/ cipher=[A-Z0-9_-]* / cipher=C /'
}

# quiesce FILE: wait, 60 s at most, until no process has FILE in its
# command line.  After a send, mailout leaves a detached queue run behind
# (it outlives the caller, so wait(1) does not see it); a test that counts
# the queue must let those runs end first.
quiesce() {
	_q=0
	while [ $_q -lt 600 ]; do
		[ -z "$(pids_naming "$1")" ] && return 0
		sleep 0.1
		_q=$((_q + 1))
	done
	echo "# quiesce: processes with $1 still run after 60 s"
	return 1
}

# last_msg DIR: the directory of the message the relay accepted last.
last_msg() {
	echo "$1/$(ls "$1" | grep '^msg\.[0-9]*$' | sort -t. -k2 -n | tail -1)"
}

# before_send DIR: note how many messages the relay in DIR holds, before
# a send whose message "last" reads.
before_send() {
	count "$1" >"$1/.before"
}

# last [DIR] FILE: FILE (mail, rcpt, data...) of the message the relay in
# DIR ($T/r if not given) accepted last, which must be the one message it
# accepted since "before_send DIR".  If the send stored none, or more,
# a check must not pass on an older message: last prints a line that no
# check expects instead, and done_testing fails the script.
last() {
	[ $# -eq 1 ] && set -- "$T/r" "$1"
	_want=$(($(cat "$1/.before" 2>/dev/null || echo -1) + 1))
	_have=$(count "$1")
	if [ "$_have" -ne "$_want" ]; then
		echo "last $2: $1 holds $_have messages, not $_want" >>"$T/.stale"
		echo "(no message of this send: $1 holds $_have, not $_want)"
		return 1
	fi
	cat "$(last_msg "$1")/$2"
}

# codes [FILE]: the code of each SMTP reply in FILE ($T/out if not
# given), on one line: the last line of a reply ("250 ", not "250-").
codes() {
	grep -v '^...-' "${1:-$T/out}" | cut -c1-3 | tr '\n' ' '
}

# crlf: turn LF into CRLF on stdin (for expected message bytes).
crlf() {
	sed 's/$/\r/'
}
