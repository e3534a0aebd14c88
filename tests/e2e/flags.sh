#!/bin/sh
# Every sendmail flag: understood, ignored as sendmail and Postfix ignore
# it, or refused with exit 64 and one line on stderr.  Never exit 0
# without having sent or queued the message.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
printf 'From: b@example.org\nTo: a@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <flags@example.org>\nSubject: flags\n\nbody\n' >"$T/msg"
M() { "$MAILOUT" -C "$T/c.conf" "$@"; }
n=0

# accepted NAME FLAGS...: the message goes out, exit 0.
accepted() {
	_name=$1
	shift
	M "$@" a@example.com <"$T/msg" >/dev/null 2>"$T/err"
	_s=$?
	n=$((n + 1))
	is "$_s/$(count "$T/r")" "0/$n" "$_name: accepted and sent"
}

# refused NAME FLAGS...: exit 64, one line on stderr, nothing sent.
refused() {
	_name=$1
	shift
	M "$@" a@example.com <"$T/msg" >/dev/null 2>"$T/err"
	_s=$?
	is "$_s/$(count "$T/r")" "64/$n" "$_name: exit 64, nothing sent"
	is "$(head -1 "$T/err" | cut -c1-9)" "mailout: " "$_name: says why"
}

accepted "-G -U -m -n -c -x" -G -U -m -n -c -x
accepted "-h 17 (separate value)" -h 17
accepted "-L tag" -L mytag
accepted "-Am -Ac" -Am -Ac
accepted "-e and -O and -p" -e m -O DeliveryMode=b -p smtp
accepted "-oem -oep -oee -oeq -odi -odb" -oem -oep -oee -oeq -odi -odb
accepted "-oX unknown option" -oQ/tmp
accepted "-B7BIT" -B7BIT
accepted "-B 8BITMIME" -B 8BITMIME
accepted "-N never" -N never
accepted "-N success,delay" -N success,delay
accepted "-R full -V id" -R full -V envid-17
accepted "-bm" -bm
accepted "-F name" -F 'Bob Example'
accepted "-r sender" -r bounce@example.org
is "$(cat "$T/r/msg.$n/mail")" "<bounce@example.org>" "-r is -f"

refused "-bt" -bt
refused "-bd" -bd
refused "-bD" -bD
refused "-bh" -bh
refused "unknown letter -d" -d
refused "unknown letter -k" -k
refused "unknown long option" --frobnicate
refused "-B binary" -B binary
refused "-N sometimes" -N sometimes
refused "-R body" -R body
refused "-V with a space" -V 'a b'
refused "--due without -q" --due
refused "-f without a value" -f

# -X: the conversation appended to a file, as with -v.
M -X "$T/traffic" a@example.com <"$T/msg"
n=$((n + 1))
grep -q '^[0-9]* > MAIL FROM:<' "$T/traffic" && grep -q '^[0-9]* < 250 ' "$T/traffic"
is $? 0 "-X: the conversation is in the file"

# Names: mailq lists the queue, newaliases checks the aliases.
ln -s "$MAILOUT" "$T/mailq"
ln -s "$MAILOUT" "$T/newaliases"
MAILOUT_CONF=$T/c.conf "$T/mailq" >"$T/out"
is "$?/$(cat "$T/out")" "0/Mail queue is empty" "invoked as mailq: the queue"
MAILOUT_CONF=$T/c.conf "$T/newaliases" >"$T/out"
is $? 0 "invoked as newaliases: exit 0"
M -bi >"$T/out"
is "$?/$(cat "$T/out")" "0/$T/c.conf: 0 aliases" "-bi: exit 0, the count"
printf 'root: ops@example.org\npostmaster: root\n' >"$T/aliases"
conf "$T/al.conf" "$RELAY_PORT" "aliases_file = \"$T/aliases\";"
"$MAILOUT" -C "$T/al.conf" -bi >"$T/out"
is "$?/$(cat "$T/out")" "0/$T/al.conf: 2 aliases, with $T/aliases" "-bi with an aliases file"
"$MAILOUT" -C "$T/al.conf" -bv postmaster >"$T/out"
grep -q '^postmaster: <ops@example.org> via' "$T/out"
is $? 0 "-bv follows the aliases"
"$MAILOUT" -C "$T/al.conf" -n -bv postmaster >"$T/out"
grep -q '^postmaster: <postmaster@example.org> via' "$T/out"
is $? 0 "-n: no aliases"
conf "$T/noal.conf" "$RELAY_PORT" "aliases_file = \"$T/missing\";"
"$MAILOUT" -C "$T/noal.conf" -bi >/dev/null 2>&1
is $? 66 "-bi: an aliases file that cannot be read: exit 66"
M -I >/dev/null
is $? 0 "-I: as -bi"

# -bv: what would happen; nothing is sent.
M -bv root 'x@example.com, y@example.net' >"$T/out"
is $? 0 "-bv: exit 0"
is "$(count "$T/r")" "$n" "-bv: nothing sent"
grep -q "^root: <root@example.org> via 127.0.0.1:$RELAY_PORT (account default)" "$T/out"
is $? 0 "-bv: a bare name, qualified, and the relay"
grep -q '^x@example.com, y@example.net: <x@example.com> <y@example.net> via' "$T/out"
is $? 0 "-bv: a list"
M -bv 'bad@@example.com' >"$T/out"
is $? 64 "-bv: a bad address: exit 64"

# The modes that only look log nothing, and open no log file.
conf "$T/log.conf" "$RELAY_PORT" "logfile = \"$T/look.log\";"
for args in -bp "-bv root" -bi; do
	"$MAILOUT" -C "$T/log.conf" $args >/dev/null
	is "$?/$(test -e "$T/look.log" && echo created)" "0/" \
		"${args%% *}: exit 0, no log file created"
done
"$MAILOUT" -C "$T/log.conf" -i a@example.com <"$T/msg"
n=$((n + 1))
id=$(log_lines "$T/look.log" | sed -n 's/^sent id=\([^ ]*\) .*/\1/p')
is "$(log_lines "$T/look.log")/$(count "$T/r")" \
	"sent id=$id $ME from=$(cat "$(last_msg "$T/r")/mail") to=<a@example.com> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=$(wc -c <"$(last_msg "$T/r")/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as $n\"/$n" \
	"a message sent: the log file has it"

# Process hygiene: closed fds are reopened on /dev/null before anything
# else is opened, so no message lands in a file that took fd 2.
conf "$T/down.conf" "$(free_port)" "queue_dir = \"$T/q2\";"
"$MAILOUT" -C "$T/down.conf" -i a@example.com <"$T/msg" 2>&-
is "$?/$(entries "$T/q2/q")" "0/1" "stderr closed: queued"
grep -rq 'mailout:' "$T/q2/q"
is $? 1 "stderr closed: the notice did not land in the queue"
# (Under AddressSanitizer its runtime opens files before main() and may
# take fd 0 itself, so this one is left to the plain build.)
if [ -z "${ASAN_OPTIONS:-}" ]; then
	"$MAILOUT" -C "$T/c.conf" -i a@example.com <&- >&- 2>&-
	rc=$?
	n=$((n + 1))
	is "$rc/$(count "$T/r")" "0/$n" "stdin, stdout and stderr closed: sent"
fi

# Identity comes from getuid(), never from the environment.
env -i PATH=/usr/bin:/bin "$MAILOUT" -C "$T/c.conf" -i a@example.com <"$T/msg"
n=$((n + 1))
is "$(cat "$T/r/msg.$n/mail")" "<$(id -un)@example.org>" "empty environment: sender from getuid()"
USER=mallory LOGNAME=mallory HOME=/nonexistent "$MAILOUT" -C "$T/c.conf" \
	-i a@example.com <"$T/msg"
n=$((n + 1))
is "$(cat "$T/r/msg.$n/mail")" "<$(id -un)@example.org>" "USER and LOGNAME lie: sender from getuid()"

# -q uses -C, -v, -X, -L, --due and -qI; anything else is said to be
# ignored, as sendmail ignores it.  After an operand ("-qR x") nothing is
# read as a flag.
M -qR x -v -C "$T/other.conf" >/dev/null 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"0/mailout: -q does not use x, -v, -C, $T/other.conf; ignored" \
	"-qR x -v -C file: the operands are named as ignored"
M -t -oi -f b@example.org -q30m -N never -t -odq >/dev/null 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"0/mailout: -q does not use -t, -oi, -f, -N, -odq; ignored" \
	"-q30m with a submission's flags: each named once"
M -q --due -L tag -oem >/dev/null 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "-q --due -L -oem: nothing ignored, nothing said"

# -N, -R and -V (RFC 3461) and the address the aliases changed stay with
# a queued message.
"$MAILOUT" -C "$T/al.conf" -odq -N success,Delay -R hdrs -V 'id+1=x' \
	-i -f b@example.org root x@example.com <"$T/msg" 2>/dev/null
id=$(entry_ids "$T/queue/q")
sed -n '/^notify/,/^$/p' "$T/queue/q/$id" >"$T/got"
printf 'notify\tSUCCESS,DELAY\nret\tHDRS\nenvid\tid+1=x\nsender\tb@example.org\nrcpt\tP\t0\tops@example.org\norcpt\troot@example.org\nrcpt\tP\t0\tx@example.com\n\n' >"$T/want"
same_file "$T/got" "$T/want" \
	"-odq -N -R -V to an alias: the entry keeps them and the original address"
M -q
n=$((n + 1))
is "$(entries "$T/queue/q")/$(count "$T/r")" "0/$n" "the entry with DSN parameters is sent"
# -bs: the command line's -N, -R and -V go with each message of the session.
printf '%s\r\n' "EHLO client" "MAIL FROM:<b@example.org>" "RCPT TO:<root>" \
	DATA "Subject: bs" "" "x" . QUIT |
	"$MAILOUT" -C "$T/al.conf" -bs -odq -N delay -V bs.1 >/dev/null 2>&1
id=$(entry_ids "$T/queue/q")
sed -n '/^$/q;/^notify/,$p' "$T/queue/q/$id" >"$T/got"
printf 'notify\tDELAY\nenvid\tbs.1\nsender\tb@example.org\nrcpt\tP\t0\tops@example.org\norcpt\troot@example.org\n' >"$T/want"
same_file "$T/got" "$T/want" "-bs -N -V: the session's message keeps them"
M -q
n=$((n + 1))
is "$(entries "$T/queue/q")/$(count "$T/r")" "0/$n" "the -bs entry is sent"

# Several recipients refused: each is named with its reply, after the
# line that says why.
printf '%s\n' 'rcpt:b@example.com=550 5.1.1 no such user b' \
	'rcpt:c@example.com=553 5.1.3 bad c' >"$T/r/faults.new" &&
	mv "$T/r/faults.new" "$T/r/faults"
M -i a@example.com b@example.com c@example.com <"$T/msg" >/dev/null 2>"$T/err"
is $? 0 "2 of 3 recipients refused: exit 0"
n=$((n + 2))
is "$(count "$T/r")" "$n" "2 of 3 recipients refused: sent to one, a bounce"
cat >"$T/want" <<EOF
mailout: 2 of 3 recipients not accepted; last: <c@example.com>: 553 5.1.3 bad c
mailout: <b@example.com>: 550 5.1.1 no such user b
mailout: <c@example.com>: 553 5.1.3 bad c
EOF
same_file "$T/err" "$T/want" "2 of 3 recipients refused: each named on stderr"
M -i b@example.com c@example.com <"$T/msg" >/dev/null 2>"$T/err"
is "$?/$(count "$T/r")" "67/$n" "every recipient refused: exit 67, nothing sent"
cat >"$T/want" <<EOF
mailout: every recipient was refused; last: <c@example.com>: 553 5.1.3 bad c
mailout: <b@example.com>: 550 5.1.1 no such user b
mailout: <c@example.com>: 553 5.1.3 bad c
EOF
same_file "$T/err" "$T/want" "every recipient refused: each named on stderr"
M -i a@example.com b@example.com <"$T/msg" >/dev/null 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"0/mailout: 1 of 2 recipients not accepted; last: <b@example.com>: 550 5.1.1 no such user b" \
	"one recipient refused: the one line names it"
n=$((n + 2))
rm -f "$T/r/faults"
quiesce "$T/c.conf"

M --help >"$T/out"
is "$?/$(head -1 "$T/out" | cut -c1-14)" "0/usage: mailout" "--help"
M --version >"$T/out"
is "$?/$(cut -c1-8 "$T/out")" "0/mailout " "--version"

done_testing
