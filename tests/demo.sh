#!/bin/sh
# "make demo": send one message through mailout to a throwaway SMTP relay
# on 127.0.0.1, show the conversation (-v) and what the relay stored.
: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${MAILOUT:=./mailout}"
: "${PYTHON3:=/usr/bin/python3}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/mailout-demo.XXXXXX") || exit 1
"$PYTHON3" "$srcdir/tests/relay/relay.py" --dir "$dir/relay" >"$dir/relay.log" 2>&1 &
relay=$!
trap 'kill $relay 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT PIPE TERM
i=0
while [ ! -s "$dir/relay/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $relay 2>/dev/null; then
		[ -s "$dir/relay/port" ] && break
		cat "$dir/relay.log"
		exit 1
	fi
	sleep 0.1
done

cat >"$dir/mailout.conf" <<EOF2
host = "127.0.0.1";
port = $(cat "$dir/relay/port");
tls = "none";   # a throwaway relay on this host
domain = "example.org";
helo = "client.example.org";
queue_dir = "$dir";
EOF2

echo "== mailout -v -f bob@example.org alice@example.com < message"
echo
"$MAILOUT" -C "$dir/mailout.conf" -v -f bob@example.org alice@example.com <<'EOF2'
From: Bob Example <bob@example.org>
To: Alice Example <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <demo-1@example.org>
Subject: Test message

こんにちは
EOF2
status=$?
echo
echo "== mailout exited with status $status; the relay stored:"
echo
for f in helo mail rcpt; do
	printf '%-5s %s\n' "$f:" "$(cat "$dir/relay/msg.1/$f")"
done
echo "data:"
sed 's/\r$//; s/^/    /' "$dir/relay/msg.1/data"
exit $status
