#!/bin/sh
# The configuration file: every error is FILE:LINE: message and exit 78.
. "${srcdir:-.}/tests/e2e/lib.sh"

printf 'To: a@example.com\nFrom: b@example.org\n\nbody\n' >"$T/msg"

# bad NAME WANT-STDERR FILE-CONTENT
bad() {
	printf '%s\n' "$3" >"$T/bad.conf"
	"$MAILOUT" -C "$T/bad.conf" a@example.com <"$T/msg" 2>"$T/err"
	is $? 78 "$1: exit 78"
	is "$(cat "$T/err")" "mailout: $2" "$1: message"
}

bad "syntax error" "$T/bad.conf:2: syntax error" 'host = "x";
port = ;'
bad "unknown key" "$T/bad.conf:2: unknown setting 'prot'" 'host = "x";
prot = 25;'
bad "wrong type" "$T/bad.conf:1: 'port' must be an integer" 'port = "25";'
bad "float for an integer" "$T/bad.conf:1: 'port' must be an integer" 'port = 25.0;'
bad "port out of range" "$T/bad.conf:1: 'port' must be from 1 to 65535" 'port = 70000;'
bad "bad tls" "$T/bad.conf:1: 'tls' must be \"starttls\", \"tls\" or \"none\"" 'tls = "yes";'
bad "control character" "$T/bad.conf:1: 'helo' contains a control character" 'helo = "a\nMAIL FROM:<x>";'
bad "host with a space" "$T/bad.conf:1: 'host' is not a host name or address" 'host = "a b";'
printf 'from = "a@";\n' >"$T/bad.conf"
"$MAILOUT" -C "$T/bad.conf" a@example.com <"$T/msg" 2>"$T/err"
is $? 78 "bad from: exit 78"
grep -q "^mailout: $T/bad.conf:1: 'from': ." "$T/err"
ok $? "bad from: FILE:LINE: 'from': reason"
bad "duplicate key" "$T/bad.conf:2: duplicate setting name" 'host = "a";
host = "b";'
bad "relative queue_dir" "$T/bad.conf:1: 'queue_dir' must be an absolute path" 'queue_dir = "q";'

"$MAILOUT" -C "$T/missing.conf" a@example.com <"$T/msg" 2>"$T/err"
is $? 78 "missing -C file: exit 78"
grep -q "missing.conf" "$T/err"
ok $? "missing -C file: named"

# @include is relative to the including file, not the working directory.
relay_start "$T/r"
mkdir -p "$T/etc"
printf 'port = %s;\n' "$RELAY_PORT" >"$T/etc/port.conf"
printf 'host = "127.0.0.1";\ntls = "none";\n@include "port.conf"\ndomain = "example.org";\nqueue_dir = "%s";\naliases_file = "";\n' "$T/queue" >"$T/etc/main.conf"
mkdir -p "$T/queue"
(cd / && "$MAILOUT" -C "$T/etc/main.conf" -i a@example.com <"$T/msg")
is $? 0 "@include relative to the config file"
is "$(count "$T/r")" 1 "@include: delivered"

# Default ports follow tls: 25 for none, 587 for starttls, 465 for tls.
# (-bv names the relay without connecting: a local MTA gets no mail.)
for pair in none:25 starttls:587 tls:465; do
	mode=${pair%%:*} port=${pair#*:}
	printf 'host = "127.0.0.1";\ntls = "%s";\ndomain = "example.org";\nqueue_dir = "%s";\naliases_file = "";\n' "$mode" "$T/queue" >"$T/p.conf"
	"$MAILOUT" -C "$T/p.conf" -bv a@example.com >"$T/out" 2>&1
	grep -q "via 127.0.0.1:$port " "$T/out"
	ok $? "tls = \"$mode\": default port $port"
done

# --- The sample configuration (etc/mailout.conf) names no relay: a
# message is queued untried (exit 0, nothing lost), every report says
# why, and "mailout -q" sends it once a relay is set.  Only the queue and
# the log are moved into the scratch directory, and this host's
# /etc/aliases is left out.
{
	cat "$srcdir/etc/mailout.conf"
	printf 'queue_dir = "%s";\nlogfile = "%s";\n' "$T/sq" "$T/s.log"
	printf 'aliases_file = "";\n'
} >"$T/s.conf"
"$MAILOUT" -C "$T/s.conf" --check-config >/dev/null 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "the sample configuration: --check-config passes"
printf 'From: b@example.org\nTo: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <sample@example.org>\nSubject: s\n\nbody\n' >"$T/smsg"
n=$(count "$T/r")
"$MAILOUT" -C "$T/s.conf" -i -f bob@example.org alice@example.com \
	<"$T/smsg" 2>"$T/err"
is "$?/$(entries "$T/sq/q")/$(count "$T/r")" "0/1/$n" \
	"no relay configured: exit 0, queued, nothing sent"
id=$(entry_ids "$T/sq/q")
is "$(cat "$T/err")" "mailout: queued as $id: no relay configured (\"host\")" \
	"no relay configured: the stderr line"
"$MAILOUT" -C "$T/s.conf" -bp >"$T/mailq"
size=$(sed -n "s/^$id  *\([0-9]*\)  age [0-9]*s  <bob@example.org>\$/\1/p" "$T/mailq")
sed 1d "$T/mailq" >"$T/mailq.rest"
cat >"$T/want" <<'EOF2'
    <alice@example.com>  pending
    last error: no relay configured ("host")
    attempts: 0, next: once a relay is configured
-- 1 queued, 0 failed
-- no relay configured ("host"): mail waits in the queue until one is
EOF2
same_file "$T/mailq.rest" "$T/want" "no relay configured: mailq says so"
[ -n "$size" ]
ok $? "no relay configured: mailq's first line is the entry's"
"$MAILOUT" -C "$T/s.conf" -bp --json >"$T/json"
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["no_relay_configured"] is True and d["queued"]==1 and d["pending_recipients"]==1 and d["failed"]==0 else 1)' "$T/json"
ok $? "no relay configured: mailq --json says so"
log_lines "$T/s.log" >"$T/s.lines"
printf 'queued id=%s %s from=<bob@example.org> to=<alice@example.com> size=%s reason="no relay configured (\047host\047)"\n' \
	"$id" "$ME" "$size" >"$T/want"
same_file "$T/s.lines" "$T/want" "no relay configured: the log line"
# A queue run without a relay tries nothing and counts no attempt.
"$MAILOUT" -C "$T/s.conf" -q
is "$?/$(entries "$T/sq/q")/$(count "$T/r")" "0/1/$n" \
	"no relay configured: -q leaves it queued"
is "$(log_lines "$T/s.log" | tail -1)" \
	"note id=- $ME reason=\"1 message(s) wait: no relay configured ('host')\"" \
	"no relay configured: -q logs that it waits"
"$MAILOUT" -C "$T/s.conf" -q -v 2>"$T/err"
is "$?/$(cat "$T/err")" \
	'0/mailout: nothing sent (1 entry waiting): no relay configured ("host")' \
	"no relay configured: -q -v says why nothing was sent"
# The relay is set: the next -q sends it, whatever the retry schedule.
printf 'host = "127.0.0.1";\nport = %s;\ntls = "none";\n' "$RELAY_PORT" \
	>>"$T/s.conf"
before_send "$T/r"
"$MAILOUT" -C "$T/s.conf" -q
is "$?/$(entries "$T/sq/q")/$(entries "$T/sq/failed")" "0/0/0" \
	"relay set: -q sends the waiting message"
is "$(last mail)/$(last rcpt)" "<bob@example.org>/<alice@example.com>" \
	"relay set: the envelope as submitted"
is "$(last data | wc -c | tr -d ' ')" "$size" \
	"relay set: the bytes that were queued"
is "$(log_lines "$T/s.log" | tail -1)" \
	"sent id=$id $ME from=<bob@example.org> to=<alice@example.com> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=$size reply=\"250 2.0.0 Ok: queued as $(count "$T/r")\"" \
	"relay set: the log says sent"

done_testing
