#!/bin/sh
# Scale: peak memory does not grow with the message (the body streams,
# re-encoded or not), and a 10,000-recipient To field goes through.
# Wall time is reported as a diagnostic only.
. "${srcdir:-.}/tests/e2e/lib.sh"

conf "$T/q.conf" "$(free_port)"
hdr='From: a@example.com
To: b@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <scale@example.org>'
# A 1 KB message, and 100 MiB ones: 76-octet lines, 2,000-octet lines.
# Under AddressSanitizer, where memory is not measured (see below), 10 MiB
# ones: the streaming code runs all the same.
mib=100
[ -n "${ASAN_OPTIONS:-}" ] && mib=10
{
	printf '%s\nSubject: small\n\n' "$hdr"
	yes 'a short line of text' | head -c 900
} >"$T/small"
{
	printf '%s\nSubject: big\n\n' "$hdr"
	yes "$(head -c 75 /dev/zero | tr '\0' x)" | head -c $((mib * 1048576))
} >"$T/big"
{
	printf '%s\nSubject: big long lines\n\n' "$hdr"
	yes "$(head -c 1999 /dev/zero | tr '\0' y)" | head -c $((mib * 1048576))
} >"$T/long"

# rss FILE: "status peak-RSS-in-KiB seconds" of mailout -odq -t < FILE,
# measured by the parent with wait4(2); the queue is emptied after.
rss() {
	"$PYTHON3" - "$MAILOUT" "$T/q.conf" "$1" <<'EOP'
import os, sys, time
t = time.time()
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[3], os.O_RDONLY)
    os.dup2(fd, 0)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.execv(sys.argv[1], [sys.argv[1], "-C", sys.argv[2], "-odq", "-t"])
_, status, ru = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_maxrss, "%.2f" % (time.time() - t))
EOP
}
# qentry: the one queued entry; qsize: octets of its message (what
# follows the state and its empty line); qempty: empty the queue.
qentry() {
	echo "$T/queue/q/$(entry_ids "$T/queue/q" | head -1)"
}
qsize() {
	sed '1,/^$/d' "$(qentry)" | wc -c | tr -d ' '
}
qempty() {
	rm -rf "$T"/queue/q/*
}

set -- $(rss "$T/small")
small_rc=$1 small_kb=$2
qempty
set -- $(rss "$T/big")
big_rc=$1 big_kb=$2 big_s=$3
big_q=$(qsize)
qempty
set -- $(rss "$T/long")
long_rc=$1 long_kb=$2 long_s=$3
long_maxline=$("$PYTHON3" -c '
import sys
m = 0
with open(sys.argv[1], "rb") as f:
    for l in f:
        if l == b"\n":
            break
    for l in f:
        m = max(m, len(l.rstrip(b"\r\n")))
print(m)' "$(qentry)")
qempty
echo "# peak RSS: 1 KB $small_kb KiB; $mib MiB $big_kb KiB (${big_s}s); $mib MiB of 2,000-octet lines $long_kb KiB (${long_s}s)"

is "$small_rc $big_rc $long_rc" "0 0 0" "1 KB and $mib MiB messages queued"
# Each LF becomes CRLF, the cut last line gets its CRLF.
is "$big_q" "$(($(wc -c <"$T/big") + $(wc -l <"$T/big") + 2))" \
	"$mib MiB: queued whole"
# Memory figures mean nothing under AddressSanitizer (shadow memory,
# quarantine): there, only what is checked elsewhere is checked.
if [ -z "${ASAN_OPTIONS:-}" ]; then
	test $((big_kb - small_kb)) -lt 1024
	ok $? "100 MiB message: peak RSS within 1 MiB of a 1 KB one (+$((big_kb - small_kb)) KiB)"
	test $((long_kb - small_kb)) -lt 1024
	ok $? "100 MiB re-encoded as quoted-printable: peak RSS within 1 MiB (+$((long_kb - small_kb)) KiB)"
fi
is "$long_maxline" 76 "$mib MiB of long lines: queued as quoted-printable lines of 76"

# --- 10,000 recipients in one To field, on one line as PHP writes it.
"$PYTHON3" -c '
print("From: a@example.com")
print("To: " + ", ".join("rcpt%d@example.com" % i for i in range(10000)))
print("Subject: many\n\nbody")' >"$T/many"
start=$(date +%s%N)
"$MAILOUT" -C "$T/q.conf" -odq -t <"$T/many" 2>/dev/null
is $? 0 "10,000 recipients: queued"
echo "# 10,000 recipients parsed and queued in $((($(date +%s%N) - start) / 1000000)) ms"
is "$(sed '/^$/q' "$(qentry)" | grep -c "$(printf '^rcpt\t')")" 10000 \
	"10,000 recipients: all in the queue entry"
qempty

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
start=$(date +%s%N)
"$MAILOUT" -C "$T/c.conf" -t <"$T/many"
is $? 0 "10,000 recipients: sent"
echo "# 10,000 recipients sent in $((($(date +%s%N) - start) / 1000000)) ms"
# No batches: the relay takes them all, so one transaction, pipelined.
is "$(count "$T/r")" 1 "10,000 recipients: one transaction"
is "$(cat "$T/r/sessions")" 1 "10,000 recipients: over one connection"
is "$(cat "$T"/r/msg.*/rcpt | wc -l | tr -d ' ')" 10000 "10,000 recipients: 10,000 RCPT commands"
is "$(cat "$T"/r/msg.*/rcpt | sort -u | wc -l | tr -d ' ')" 10000 "10,000 recipients: all different"
"$PYTHON3" - "$T/r/msg.1/data" "$T/many" <<'EOP' >"$T/res"
import email, sys
raw = open(sys.argv[1], "rb").read()
print(max(len(l) for l in raw.split(b"\r\n")))
got = email.message_from_bytes(raw)["To"].replace("\r\n", "")
want = open(sys.argv[2]).read().split("\n")[1][4:]
print("same" if got == want else "differ")
EOP
test "$(sed -n 1p "$T/res")" -le 998
ok $? "10,000 recipients: the To field is folded to lines of at most 998"
is "$(sed -n 2p "$T/res")" same "10,000 recipients: the folded To unfolds to the original"

# --- a relay that takes 1,000 recipients a transaction (Postfix's
# default): the rest get 452 and go in the next transaction on the same
# connection (RFC 5321 4.5.3.1.10), pipelined.
relay_start "$T/rb" --max-rcpts 1000 --pipelining
conf "$T/b.conf" "$RELAY_PORT" "queue_dir = \"$T/qb\";"
"$PYTHON3" -c '
print("From: a@example.com")
print("To: " + ", ".join("rcpt%d@example.com" % i for i in range(1001)))
print("Subject: many\n\nbody")' >"$T/many1001"
"$MAILOUT" -C "$T/b.conf" -t <"$T/many1001" 2>"$T/b.err"
is "$?/$(entries "$T/qb/q")/$(count "$T/rb")/$(cat "$T/rb/sessions")" "0/0/2/1" \
	"1,001 recipients, 1,000 a transaction: exit 0, two transactions, one connection"
is "$(wc -l <"$T/rb/msg.1/rcpt" | tr -d ' ')/$(cat "$T/rb/msg.2/rcpt")" \
	"1000/<rcpt1000@example.com>" \
	"1,001 recipients, 1,000 a transaction: the 452ed one in the second"
is "$(sed -n 1p "$T/rb/msg.1/flights")" "MAIL$(printf ' RCPT%.0s' $(seq 1001)) DATA" \
	"1,001 recipients: the first envelope in one flight"

# --- the header section is bounded: 8 MiB, also in one endless line.
n=$(count "$T/r")
"$PYTHON3" -c '
import sys
sys.stdout.write("To: b@example.com\n")
for i in range(90000):
    sys.stdout.write("X-Pad-%d: %s\n" % (i, "p" * 90))
sys.stdout.write("\nbody\n")' >"$T/bighead"
"$MAILOUT" -C "$T/c.conf" -t <"$T/bighead" 2>"$T/err"
is $? 65 "a 9 MiB header section: exit 65"
is "$(cat "$T/err")" "mailout: the header section is larger than 8 MiB" \
	"a 9 MiB header section: says so"
{
	printf 'To: b@example.com\nX-Endless: '
	yes x | head -c 20000000 | tr -d '\n'
	printf '\n\nbody\n'
} >"$T/endless"
set -- $(rss "$T/endless")
is "$1" 65 "a 20 MB header line: exit 65"
if [ -z "${ASAN_OPTIONS:-}" ]; then
	test $(($2 - small_kb)) -lt 10240
	ok $? "a 20 MB header line is not held whole (+$(($2 - small_kb)) KiB)"
fi
is "$(count "$T/r")" "$n" "an oversized header: nothing sent"

done_testing
