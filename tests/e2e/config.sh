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
printf 'host = "127.0.0.1";\ntls = "none";\n@include "port.conf"\ndomain = "example.org";\nqueue_dir = "%s";\n' "$T/queue" >"$T/etc/main.conf"
mkdir -p "$T/queue"
(cd / && "$MAILOUT" -C "$T/etc/main.conf" -i a@example.com <"$T/msg")
is $? 0 "@include relative to the config file"
is "$(count "$T/r")" 1 "@include: delivered"

# Default ports follow tls: 25 for none, 587 for starttls, 465 for tls.
# (-bv names the relay without connecting: a local MTA gets no mail.)
for pair in none:25 starttls:587 tls:465; do
	mode=${pair%%:*} port=${pair#*:}
	printf 'host = "127.0.0.1";\ntls = "%s";\ndomain = "example.org";\nqueue_dir = "%s";\n' "$mode" "$T/queue" >"$T/p.conf"
	"$MAILOUT" -C "$T/p.conf" -bv a@example.com >"$T/out" 2>&1
	grep -q "via 127.0.0.1:$port " "$T/out"
	ok $? "tls = \"$mode\": default port $port"
done

done_testing
