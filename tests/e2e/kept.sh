#!/bin/sh
# A system configuration that cannot be used loses no mail: the message
# is kept in the compiled-in queue, and the first queue run with a
# working configuration sends it with that configuration.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
# A user's own file still refuses the message, as it always did.
printf 'hots = "x";\n' >"$T/broken.conf"
printf 'Subject: s\n\nbody\n' | "$MAILOUT" -C "$T/broken.conf" -i bob \
	2>"$T/err"
is "$?/$(cat "$T/err")" \
	"78/mailout: $T/broken.conf:1: unknown setting 'hots'" \
	"-C with an error: exit 78, nothing kept"

# The compiled-in files, laid over in a private mount namespace (as
# local.sh does for /etc): a scratch layer where the configuration file
# lives, and $T/queue bound over the compiled-in queue directory.
if [ -z "${SYSCONFDIR:-}" ] || [ -z "${QUEUEDIR:-}" ]; then
	skip_rest "the compiled-in paths are not known here"
fi
[ "$(id -u)" -eq 0 ] || skip_rest "not root: no mount namespace"
CONF=$SYSCONFDIR/mailout.conf
mkdir -p "$T/sys" "$T/queue" "$T/dev"
# syslog is a socket of the test's at /dev/log in the namespace (with
# /dev/null and /dev/urandom), as in privilege.sh.
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
# logged TEXT: how many lines of the syslog are TEXT (after
# "mailout[PID]: "), once one is (5 s at most: datagrams arrive late).
logged() {
	_w=0
	while [ "$(log_count "$1")" -eq 0 ] && [ $_w -lt 50 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
	log_count "$1"
}
log_count() {
	sed -n 's/^.*mailout\[[0-9]*\]: //p' "$T/syslog" 2>/dev/null |
		grep -cFx "$1"
}
# sys CMD...: run CMD where the compiled-in configuration is $T/sys/conf
# (none when that is missing) and the compiled-in queue is $T/queue.
sys() {
	unshare --mount --propagation private sh -c '
		d=$1 conf=$2 qdir=$3
		shift 3
		mount --bind /dev/null "$d/../dev/null" &&
			mount --bind /dev/urandom "$d/../dev/urandom" &&
			mount --rbind "$d/../dev" /dev || exit 99
		# layer DIR N: DIR exists and is writable here, not outside.
		layer() {
			a=$1
			while [ ! -d "$a" ]; do a=$(dirname "$a"); done
			mkdir "$d/ov/$2" "$d/ov/$2/up" "$d/ov/$2/work" &&
				mount -t overlay overlay -o "lowerdir=$a,upperdir=$d/ov/$2/up,workdir=$d/ov/$2/work" "$a" &&
				mkdir -p "$1"
		}
		mkdir -p "$d/ov" && mount -t tmpfs tmpfs "$d/ov" &&
			layer "$(dirname "$conf")" c && layer "$qdir" q &&
			mount --bind "$d/../queue" "$qdir" &&
			rm -f "$conf" || exit 99
		if [ -f "$d/conf" ]; then cp -p "$d/conf" "$conf" || exit 99; fi
		exec "$@"
	' sh "$T/sys" "$CONF" "$QUEUEDIR" "$@"
}
sys true 2>/dev/null || skip_rest "no overlay and bind mounts in a mount namespace"

# kept_id FILE: the id that the line in FILE says the message is kept as.
kept_id() {
	sed -n 's/.*; message kept as \([0-9a-v.]*\)$/\1/p' "$1"
}

# --- A typo: exit 0, one line on stderr, the message kept.
printf 'hots = "x";\n' >"$T/sys/conf"
printf 'From: Cron <cron>\nTo: bob\nSubject: backup\n\nit ran\n' >"$T/msg"
sys "$MAILOUT" -t -F "Backup job" <"$T/msg" 2>"$T/err"
st=$? id1=$(kept_id "$T/err")
is "$st/$(cat "$T/err")" \
	"0/mailout: configuration error: $CONF:1: unknown setting 'hots'; message kept as $id1" \
	"a typo in the system's file: exit 0, the message kept"
is "$(logged "kept id=$id1 $ME reason=\"configuration error: $CONF:1: unknown setting 'hots'\"")" 1 \
	"a typo: syslog says it too"
[ -n "$id1" ] && [ -f "$T/queue/kept/$id1" ]
ok $? "the kept entry is in the compiled-in queue's kept/"
is "$(entries "$T/queue/q")" 0 "nothing in q/ yet"
is "$(sed '1,/^$/d' "$T/queue/kept/$id1")" \
	"$(printf 'From: Cron <cron>\r\nTo: bob\r\nSubject: backup\r\n\r\nit ran\r')" \
	"the message is kept as it came"

# mailq: the kept entry, with the error; the status says the file is bad.
sys "$MAILOUT" -bp >"$T/out" 2>"$T/err"
is "$?/$(sed -n '2,$p' "$T/out")/$(cat "$T/err")" \
	"78/    command line: -t -F Backup job
    configuration error: $CONF:1: unknown setting 'hots'
-- 1 kept until the configuration is fixed/mailout: $CONF:1: unknown setting 'hots'" \
	"mailq: the kept entry and its error"
is "$(sed -n '1s/ .*  (kept)$/ kept/p' "$T/out")" "$id1 kept" \
	"mailq: the kept entry's id"
sys "$MAILOUT" -bp --json >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" \
	"78//mailout: $CONF:1: unknown setting 'hots'" \
	"mailq --json: no line of text where the figures would be"

# A syntax error, and an aliases_file that is missing: kept the same way.
printf 'domain = "example.org";\nport = = 25;\n' >"$T/sys/conf"
printf 'Subject: two\n\nsecond\n' | sys "$MAILOUT" -i root 2>"$T/err"
st=$? id2=$(kept_id "$T/err")
is "$st/$(cat "$T/err")" \
	"0/mailout: configuration error: $CONF:2: syntax error; message kept as $id2" \
	"a syntax error: exit 0, the message kept"
printf 'aliases_file = "%s/none";\n' "$T" >"$T/sys/conf"
printf 'Subject: three\n\nthird\n' | sys "$MAILOUT" -i -f ops bob 2>"$T/err"
st=$? id3=$(kept_id "$T/err")
is "$st/$(cat "$T/err")" \
	"0/mailout: configuration error: aliases_file $T/none: No such file or directory; message kept as $id3" \
	"a missing aliases_file: exit 0, the message kept"
# A password in a file that others may read.
printf 'host = "127.0.0.1";\nuser = "u";\npassword = "secret";\n' \
	>"$T/sys/conf"
chmod 644 "$T/sys/conf"
printf 'Subject: four\n\nfourth\n' | sys "$MAILOUT" -i -- -odd@example.org \
	2>"$T/err"
st=$? id4=$(kept_id "$T/err")
is "$st/$(cat "$T/err")" \
	"0/mailout: configuration error: $CONF: holds a password and is readable by others; chmod o-r $CONF; message kept as $id4" \
	"a password readable by others: exit 0, the message kept"
is "$(entries "$T/queue/kept")" 4 "four messages kept"
# Without recipients there is no message to keep: refused as before.
printf 'Subject: s\n\nbody\n' | sys "$MAILOUT" -i 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"78/mailout: $CONF: holds a password and is readable by others; chmod o-r $CONF" \
	"no recipients: refused with the configuration error"
is "$(logged "refused id=- $ME reason=\"$CONF: holds a password and is readable by others; chmod o-r $CONF\"")" 1 \
	"no recipients: syslog says why the message is refused"
# -C still refuses, even where the system's file is bad.
printf 'Subject: s\n\nbody\n' | sys "$MAILOUT" -C "$T/broken.conf" -i bob \
	2>"$T/err"
is "$?/$(entries "$T/queue/kept")" "78/4" "-C with an error: exit 78, not kept"
is "$(logged "refused id=- $ME reason=\"$T/broken.conf:1: unknown setting 'hots'\"")" 1 \
	"-C with an error: syslog says why the message is refused"

# --- Fixed: the first queue run sends them, with the configuration now
# in force (aliases, in the envelope and in To as ever, qualification
# with its domain, its Sender field).
cat >"$T/sys/conf" <<EOF
host = "127.0.0.1";
port = $RELAY_PORT;
tls = "none";
domain = "example.net";
sender = "mailer";
aliases_file = "";
aliases = { bob = "robert@example.org"; };
EOF
# Before the run, mailq lists them with the queue.
sys "$MAILOUT" -bp >"$T/out" 2>"$T/err"
is "$?/$(grep -c '  (kept)$' "$T/out")/$(tail -1 "$T/out")" \
	"0/4/-- 0 queued, 0 failed, 4 kept" \
	"mailq, the file fixed: the kept messages, until a queue run"
sys "$MAILOUT" -bp --json >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" \
	'0/{"queued": 0, "pending_recipients": 0, "oldest_age": 0, "failed": 0, "unreadable": 0, "kept": 4, "no_relay_configured": false}/' \
	"mailq --json, the file fixed: the kept messages counted"
before_send "$T/r"
sys "$MAILOUT" -q 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "the queue run: exit 0"
_w=0
while [ "$(grep -c 'mailout\[[0-9]*\]: sent id=' "$T/syslog")" -lt 4 ] &&
	[ $_w -lt 50 ]; do
	sleep 0.1
	_w=$((_w + 1))
done
is "$(sed -n 's/^.*mailout\[[0-9]*\]: \(queued id=.*\)$/\1/p' "$T/syslog" | sort)" \
	"$(printf "queued id=%s $ME reason=\"kept message resolved\"\n" "$id1" "$id2" "$id3" "$id4" | sort)" \
	"the queue run: syslog says each kept message is queued, with its id"
is "$(sed -n 's/^.*mailout\[[0-9]*\]: sent id=\([^ ]*\) .*$/\1/p' "$T/syslog" | sort)" \
	"$(printf '%s\n' "$id1" "$id2" "$id3" "$id4" | sort)" \
	"the queue run: each sent with the id it was kept as"
is "$(count "$T/r")" 4 "the queue run: the four kept messages sent"
is "$(entries "$T/queue/kept")/$(entries "$T/queue/q")" "0/0" \
	"the queue run: nothing kept, nothing left"
for m in "$T"/r/msg.*; do
	printf '%s|%s|%s\n' "$(grep '^Subject:' "$m/data" | tr -d '\r')" \
		"$(cat "$m/mail")" "$(tr '\n' ' ' <"$m/rcpt")"
done | sort >"$T/got"
cat >"$T/want" <<EOF
Subject: backup|<root@example.net>|<robert@example.org> 
Subject: four|<root@example.net>|<-odd@example.org> 
Subject: three|<ops@example.net>|<robert@example.org> 
Subject: two|<root@example.net>|<root@example.net> 
EOF
same_file "$T/got" "$T/want" \
	"each envelope as the fixed configuration makes it"
m=$(grep -l '^Subject: backup' "$T"/r/msg.*/data)
is "$(grep -e '^From:' -e '^To:' -e '^Sender:' "$m" | tr -d '\r')" \
	"From: Cron <cron@example.net>
To: robert@example.org
Sender: mailer@example.net" \
	"the header rewritten as the fixed configuration says"
sys "$MAILOUT" -bp >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")" "0/Mail queue is empty" "mailq: the queue is empty"

# --- A kept message that is not to be sent: --delete, once the file is
# fixed, before a queue run sends it.
cp "$T/sys/conf" "$T/fixed.conf"
printf 'hots = "x";
' >"$T/sys/conf"
printf 'Subject: five

fifth
' | sys "$MAILOUT" -i bob 2>"$T/err"
id5=$(kept_id "$T/err")
sys "$MAILOUT" --delete "$id5" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")" \
	"78//mailout: $CONF:1: unknown setting 'hots'" \
	"--delete while the file cannot be used: the configuration error"
cp "$T/fixed.conf" "$T/sys/conf"
sys "$MAILOUT" --delete "$id5" >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/out")/$(cat "$T/err")/$(entries "$T/queue/kept")" \
	"0/$id5: deleted//0" "--delete, the file fixed: the kept message is gone"
is "$(logged "deleted id=$id5 $ME from=<> area=kept/")" 1 \
	"the deletion of a kept message is logged"
sys "$MAILOUT" -q 2>"$T/err"
is "$?/$(count "$T/r")" "0/4" "the next run sends nothing"
# --- -bs while the file is broken: each message kept, its envelope as
# the client gave it; resolved by the fixed file like the others.
printf 'hots = "x";\n' >"$T/sys/conf"
printf '%s\r\n' "EHLO client" "MAIL FROM:<>" "RCPT TO:<bob>" \
	"RCPT TO:<\"a b\"@example.com>" DATA "Subject: bs one" "" ".. dot" . \
	"MAIL FROM:<cron>" "RCPT TO:<root>" DATA "Subject: bs two" "" "x" . \
	"MAIL FROM:<a@>" QUIT >"$T/bs.in"
sys "$MAILOUT" -bs <"$T/bs.in" >"$T/out" 2>"$T/err"
st=$?
bs1=$(sed -n 's/^250 2.0.0 Ok: kept as \([0-9a-v.]*\) until.*/\1/p' "$T/out" | sed -n 1p)
bs2=$(sed -n 's/^250 2.0.0 Ok: kept as \([0-9a-v.]*\) until.*/\1/p' "$T/out" | sed -n 2p)
is "$st/$(sed -n '/^250 /,$p' "$T/out" | tr -d '\r')/$(cat "$T/err")" \
	"0/250 HELP
250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: kept as $bs1 until the configuration is fixed
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: kept as $bs2 until the configuration is fixed
501 5.1.7 bad sender address: expected domain at offset 3
221 2.0.0 Bye/" \
	"-bs, the file broken: exit 0, each message kept, a bad address refused"
is "$(logged "kept id=$bs2 $ME reason=\"configuration error: $CONF:1: unknown setting 'hots'\"")" 1 \
	"-bs: syslog says each message is kept"
is "$(sed -n '/^$/q;s/^arg\t//p' "$T/queue/kept/$bs1" | tr '\n' ' ')" \
	'-bm -f <> -- <bob> <"a%20b"@example.com> ' \
	"-bs: the kept command line: -bm, then the session's envelope"
is "$(sed '1,/^$/d' "$T/queue/kept/$bs1")" \
	"$(printf 'Subject: bs one\r\n\r\n. dot\r')" \
	"-bs: the message kept as it came, the dot unstuffed"
cat >"$T/sys/conf" <<EOF
host = "127.0.0.1";
port = $RELAY_PORT;
tls = "none";
domain = "example.net";
aliases_file = "";
aliases = { bob = "robert@example.org"; };
EOF
before_send "$T/r"
sys "$MAILOUT" -q 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "-bs kept: the queue run, exit 0"
_w=0
while [ "$(count "$T/r")" -lt 6 ] && [ $_w -lt 50 ]; do
	sleep 0.1
	_w=$((_w + 1))
done
for m in "$T"/r/msg.*; do
	grep -q '^Subject: bs' "$m/data" || continue
	printf '%s|%s|%s\n' "$(grep '^Subject:' "$m/data" | tr -d '\r')" \
		"$(cat "$m/mail")" "$(tr '\n' ' ' <"$m/rcpt")"
done | sort >"$T/got"
cat >"$T/want" <<EOF
Subject: bs one|<>|<robert@example.org> <"a b"@example.com> 
Subject: bs two|<cron@example.net>|<root@example.net> 
EOF
same_file "$T/got" "$T/want" \
	"-bs kept: each envelope as the session gave it, resolved by the fixed file"
m=$(grep -l '^Subject: bs one' "$T"/r/msg.*/data)
is "$(sed '1,/^\r$/d' "$m")" "$(printf '. dot\r')" \
	"-bs kept: the body as the client meant it"
is "$(entries "$T/queue/kept")/$(entries "$T/queue/q")" "0/0" \
	"-bs kept: nothing kept, nothing left"

# --- -N, -R and -V survive keeping: the entry the fixed file makes has
# them, and the address the aliases changed (the relay is down here, so
# the entry stays to be read).
printf 'hots = "x";\n' >"$T/sys/conf"
printf 'Subject: dsn\n\nx\n' |
	sys "$MAILOUT" -N failure -R hdrs -V kept.1 -i -f ops bob 2>"$T/err"
idd=$(kept_id "$T/err")
is "$(sed -n '/^$/q;s/^arg\t//p' "$T/queue/kept/$idd" | tr '\n' ' ')" \
	'-N failure -R hdrs -V kept.1 -i -f ops bob ' \
	"-N -R -V kept: in the kept command line"
sed "s/^port = .*/port = $(free_port);/" "$T/fixed.conf" >"$T/sys/conf"
sys "$MAILOUT" -q 2>"$T/err"
is "$?/$(entries "$T/queue/kept")/$(entries "$T/queue/q")" "0/0/1" \
	"-N -R -V kept, the relay down: resolved into q/"
# The attempt's state, when written, is beside the entry.
f=$T/queue/q/$idd.state
[ -f "$f" ] || f=$T/queue/q/$idd
sed -n '/^$/q;/^notify/,$p' "$f" >"$T/got"
printf 'notify\tFAILURE\nret\tHDRS\nenvid\tkept.1\nsender\tops@example.net\nrcpt\tP\t0\trobert@example.org\norcpt\tbob@example.net\n' >"$T/want"
same_file "$T/got" "$T/want" \
	"-N -R -V kept: the resolved entry has them, and the original address"
sys "$MAILOUT" --delete "$idd" >/dev/null 2>&1
is "$(entries "$T/queue/q")" 0 "-N -R -V kept: deleted"

done_testing
