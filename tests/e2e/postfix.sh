#!/bin/sh
# Interoperation with a real Postfix (Debian 12's package "postfix", 3.7):
# a private instance of its own in $T, listening on 127.0.0.1 only, that
# delivers example.com into Maildirs.  What mailout puts on the wire
# (issue 14) must be what Postfix takes: PIPELINING (RFC 2920), DSN
# (RFC 3461), BODY=8BITMIME (RFC 6152), BDAT (RFC 3030), 452 to a RCPT
# (RFC 5321 4.5.3.1.10), SIZE (RFC 1870) and quoted local parts
# (RFC 5321 4.1.2).  Each check reads what Postfix delivered, logged or
# answered (mailout -v).  It needs root (Postfix's master starts as root
# and hands its queue to the "postfix" account): anything else fails.
. "${srcdir:-.}/tests/e2e/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
bail() {
	echo "Bail out! $1"
	exit 99
}
[ "$(id -u)" -eq 0 ] || bail "not root: a private Postfix instance needs root"
if ! command -v postfix >/dev/null || ! command -v postconf >/dev/null ||
	! id postfix >/dev/null 2>&1; then
	bail "no Postfix here (Debian: apt-get install postfix; tests/debian-deps.sh)"
fi

# ---- the private instance
# $PF/etc (main.cf, master.cf), $PF/spool (queue_directory), $PF/data,
# $PF/mail (the Maildirs), $PF/maillog.  Its processes run as "postfix",
# which must reach $PF through $T.
PF=$T/pf
chmod 711 "$T"
mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/mail" || exit 99
chown postfix:postfix "$PF/data" "$PF/mail" || exit 99
PF_UID=$(id -u postfix)
PF_GID=$(id -g postfix)
# Four listeners, each a setting of its own (-o in master.cf):
# D without CHUNKING (DATA), C as Postfix comes (CHUNKING), L taking 2
# recipients a transaction, S with a SIZE of 2000.
PORT_D=$(free_port)
PORT_C=$(free_port)
PORT_L=$(free_port)
PORT_S=$(free_port)

# No DNS, no chroot, no system files: everything in $PF.  Unknown
# recipients are refused at RCPT (texthash: needs no postmap).
cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.net
mydomain = example.net
myorigin = \$myhostname
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_host_lookup = native
disable_dns_lookups = yes
smtpd_client_restrictions =
local_header_rewrite_clients =
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
virtual_mailbox_domains = example.com
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/etc/mailboxes
virtual_uid_maps = static:$PF_UID
virtual_gid_maps = static:$PF_GID
virtual_minimum_uid = $PF_UID
EOF
cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$PORT_D inet n - n - - smtpd
  -o smtpd_discard_ehlo_keywords=chunking
127.0.0.1:$PORT_C inet n - n - - smtpd
127.0.0.1:$PORT_L inet n - n - - smtpd
  -o smtpd_recipient_limit=2
127.0.0.1:$PORT_S inet n - n - - smtpd
  -o message_size_limit=2000
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
USERS="alice carol dave bob erin frank grace john..doe r1 r2 r3 r4 r5 harry"
for u in $USERS; do
	echo "$u@example.com $u/"
done >"$PF/etc/mailboxes"

# pf_procs: the processes of the instance: each works in its queue
# directory (the master and every daemon chdir there).  Their command
# lines do not name $T, so lib.sh's reap does not see them.
pf_procs() {
	for _p in /proc/[0-9]*; do
		case $(readlink "$_p/cwd" 2>/dev/null) in
		"$PF/spool" | "$PF/spool/"*) echo "${_p#/proc/}" ;;
		esac
	done | grep -vx "$$"
}
# pf_stop: "postfix stop" (the master takes its children along), then
# whatever still runs there, with SIGKILL after 5 s.
pf_stop() {
	postfix -c "$PF/etc" stop >>"$PF/ctl.out" 2>&1
	_s=0
	while [ -n "$(pf_procs)" ] && [ $_s -lt 50 ]; do
		sleep 0.1
		_s=$((_s + 1))
	done
	_left=$(pf_procs)
	# shellcheck disable=SC2086 # a list of pids, split on purpose
	[ -n "$_left" ] && kill -KILL $_left 2>/dev/null
	return 0
}
AT_EXIT=pf_stop
postfix -c "$PF/etc" start >"$PF/ctl.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$PF/ctl.out" "$PF/maillog" 2>/dev/null
	bail "postfix -c $PF/etc start: exit $rc"
fi
echo "# Postfix $(postconf -d -h mail_version), configuration $PF/etc"
postfix -c "$PF/etc" status >>"$PF/ctl.out" 2>&1
ok $? "postfix -c DIR status: the private instance runs"

# in_new USER: the messages delivered to USER's Maildir, one a line.
in_new() {
	find "$PF/mail/$1/new" -type f 2>/dev/null
}
# delivered USER N: wait, 15 s at most, until USER's Maildir holds N
# messages (Postfix delivers after its reply to the end of data).
delivered() {
	_w=0
	while [ "$(in_new "$1" | wc -l)" -lt "$2" ]; do
		[ $_w -ge 150 ] && return 1
		sleep 0.1
		_w=$((_w + 1))
	done
	[ "$(in_new "$1" | wc -l)" -eq "$2" ]
}
# mailbox USER: the file of the (first) message in USER's Maildir.
mailbox() {
	in_new "$1" | head -1 | grep . || echo "$PF/mail/$1/new/(none)"
}
# added FILE: the names of the header fields Postfix put at the top of a
# delivered message; as_sent FILE: the message after them, as mailout
# sent it (Postfix stores lines with LF).
first_own() {
	LC_ALL=C awk '/^[ \t]/ { next }
		/^(Return-Path|X-Original-To|Delivered-To|Received):/ { next }
		{ print NR; exit }' "$1"
}
added() {
	head -n $(($(first_own "$1") - 1)) "$1" | grep -v '^[[:space:]]' |
		sed 's/:.*//' | tr '\n' ' '
}
as_sent() {
	tail -n +"$(first_own "$1")" "$1"
}
# copy_of USER: as_sent of USER's message, in a file; prints its name.
copy_of() {
	as_sent "$(mailbox "$1")" >"$T/got.$1"
	echo "$T/got.$1"
}
# M PORT NAME [mailout options and recipients...]: $T/NAME.msg from
# bob@example.com through $T/NAME.conf (for PORT), with -v: the
# conversation in $T/NAME.err.
M() {
	_port=$1 _name=$2
	shift 2
	conf "$T/$_name.conf" "$_port" "queue_dir = \"$T/q$_name\";" \
		"logfile = \"$T/$_name.log\";"
	"$MAILOUT" -C "$T/$_name.conf" -v -i -f bob@example.com "$@" \
		<"$T/$_name.msg" 2>"$T/$_name.err"
}
# wire NAME: the commands and replies of -v in $T/NAME.err.
wire() {
	grep -e '^[<>]' "$T/$1.err"
}
NL='
'

# ---- 3 recipients, PIPELINING: one flight, each delivered byte for byte
cat >"$T/three.msg" <<'EOF'
From: Bob <bob@example.com>
To: Alice <alice@example.com>, carol@example.com, dave@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <postfix-1@example.org>
Subject: three

From the start of a line
.a line with a dot
body
EOF
M "$PORT_D" three alice@example.com carol@example.com dave@example.com
is $? 0 "3 recipients: exit 0"
for u in alice carol dave; do
	delivered $u 1
	ok $? "3 recipients: $u's Maildir has one message"
	f=$(mailbox $u)
	is "$(added "$f")" "Return-Path X-Original-To Delivered-To Received " \
		"3 recipients: Postfix added Return-Path, X-Original-To, Delivered-To, Received for $u"
	is "$(head -1 "$f")|$(grep -m1 '^Delivered-To:' "$f")" \
		"Return-Path: <bob@example.com>|Delivered-To: $u@example.com" \
		"3 recipients: $u's copy has Return-Path <bob@example.com>"
	same_file "$(copy_of $u)" "$T/three.msg" \
		"3 recipients: $u's copy is the message byte for byte"
done
is "$(wire three | sed -n '/^> MAIL/,/^</p')" \
	"> MAIL FROM:<bob@example.com>$NL> RCPT TO:<alice@example.com>$NL> RCPT TO:<carol@example.com>$NL> RCPT TO:<dave@example.com>$NL> DATA$NL< 250 2.1.0 Ok" \
	"PIPELINING: MAIL, 3 RCPT and DATA written before the first reply"
wire three | grep -qx '< 250-PIPELINING'
ok $? "PIPELINING: Postfix offers it"
wire three | grep -qx '< 250[- ]CHUNKING'
is $? 1 "the DATA listener: no CHUNKING offered"
grep -q 'ehlo=1 mail=1 rcpt=3 data=1 quit=1 commands=7$' "$PF/maillog"
ok $? "Postfix's log: ehlo, mail, 3 rcpt, data, quit in one session"

# ---- DSN: NOTIFY=SUCCESS brings a success report back to the sender
cat >"$T/dsn.msg" <<'EOF'
From: Bob <bob@example.com>
To: erin@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <postfix-dsn@example.org>
Subject: dsn

a body line that RET=HDRS leaves out of the report
EOF
M "$PORT_D" dsn -N success,failure -R hdrs -V env-1 erin@example.com
is $? 0 "DSN -N success,failure -R hdrs -V env-1: exit 0"
is "$(wire dsn | grep -e '^> MAIL' -e '^> RCPT')" \
	"> MAIL FROM:<bob@example.com> RET=HDRS ENVID=env-1$NL> RCPT TO:<erin@example.com> NOTIFY=SUCCESS,FAILURE" \
	"DSN: MAIL has RET=HDRS ENVID=env-1, RCPT NOTIFY=SUCCESS,FAILURE"
delivered erin 1
ok $? "DSN: erin's Maildir has the message"
same_file "$(copy_of erin)" \
	"$T/dsn.msg" "DSN: erin's copy is the message byte for byte"
delivered bob 1
ok $? "DSN: the success report reached the sender's Maildir"
f=$(mailbox bob)
grep -qx 'Original-Envelope-Id: env-1' "$f"
ok $? "DSN: the report has Original-Envelope-Id: env-1"
is "$(grep -e '^Final-Recipient:' -e '^Action:' "$f" | tr '\n' '|')" \
	"Final-Recipient: rfc822; erin@example.com|Action: delivered|" \
	"DSN: the report names erin, delivered"
grep -qx 'Content-Type: text/rfc822-headers' "$f" &&
	! grep -q 'a body line that RET=HDRS' "$f"
ok $? "DSN: RET=HDRS: the report returns the header, not the body"

# ---- BODY=8BITMIME
printf 'From: bob@example.com\nTo: frank@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <postfix-8@example.org>\nSubject: 8bit\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\ncaf\303\251 \342\202\254\n\377\376 raw octets\n' >"$T/eight.msg"
M "$PORT_D" eight frank@example.com
is $? 0 "8-bit: exit 0"
wire eight | grep -qx '> MAIL FROM:<bob@example.com> BODY=8BITMIME'
ok $? "8-bit: MAIL has BODY=8BITMIME"
delivered frank 1
ok $? "8-bit: frank's Maildir has the message"
same_file "$(copy_of frank)" \
	"$T/eight.msg" "8-bit: frank's copy is the message byte for byte"

# ---- CHUNKING: BDAT with the raw bytes, lines starting with "."
cat >"$T/chunk.msg" <<'EOF'
From: Bob <bob@example.com>
To: grace@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <postfix-bdat@example.org>
Subject: chunks

.a line with a dot
..two dots
.
. a dot and a space
body
EOF
M "$PORT_C" chunk grace@example.com
is $? 0 "CHUNKING: exit 0"
wire chunk | grep -qx '< 250[- ]CHUNKING'
ok $? "CHUNKING: Postfix offers it"
size=$(crlf <"$T/chunk.msg" | wc -c | tr -d ' ')
is "$(wire chunk | grep -e '^> BDAT' -e '^> DATA')" "> BDAT $size LAST" \
	"CHUNKING: one BDAT $size LAST, no DATA"
delivered grace 1
ok $? "CHUNKING: grace's Maildir has the message"
same_file "$(copy_of grace)" \
	"$T/chunk.msg" "CHUNKING: grace's copy is the message byte for byte, dots and all"
grep -q 'ehlo=1 mail=1 rcpt=1 bdat=1 quit=1 commands=5$' "$PF/maillog"
ok $? "Postfix's log: the session had one BDAT"

# ---- 452 too many recipients: 5 recipients, 2 a transaction
cp "$T/three.msg" "$T/limit.msg"
M "$PORT_L" limit r1@example.com r2@example.com r3@example.com \
	r4@example.com r5@example.com
is $? 0 "smtpd_recipient_limit = 2, 5 recipients: exit 0"
# Postfix offers CHUNKING and PIPELINING here: the first message went
# in BDAT right behind its envelope, QUIT with it, before the 452s were
# known; the rest go on a second connection, in two transactions (their
# 452 now known, no QUIT goes early).
is "$(wire limit | grep -c '^> MAIL')/$(wire limit | grep -c '^> EHLO')/$(wire limit | grep -c '^> QUIT')" "3/2/2" \
	"smtpd_recipient_limit = 2: 3 MAIL commands, the last two on a second connection"
wire limit | grep -q '^< 452 4\.5\.3 Error: too many recipients'
ok $? "smtpd_recipient_limit = 2: Postfix answered 452 4.5.3"
for u in r1 r2 r3 r4 r5; do
	delivered $u 1 &&
		as_sent "$(mailbox $u)" | cmp -s - "$T/limit.msg"
	ok $? "smtpd_recipient_limit = 2: $u has the message byte for byte"
done

# ---- SIZE: refused before MAIL, then QUIT
{
	cat "$T/three.msg"
	yes 'a line of the body, 31 octets' | head -c 5000
} | head -c 5000 >"$T/big.msg"
M "$PORT_S" big harry@example.com
rc=$?
wire big | grep -qx '< 250-SIZE 2000'
ok $? "message_size_limit = 2000: Postfix offers SIZE 2000"
is "$rc" 69 "SIZE 2000, 5000 octets: refused, EX_UNAVAILABLE"
grep -q "larger than the relay's limit of 2000" "$T/big.err"
ok $? "SIZE 2000, 5000 octets: stderr gives the reason"
is "$(wire big | sed '1,/^< 250 /d' | tr '\n' '|')" "> QUIT|< 221 2.0.0 Bye|" \
	"SIZE 2000, 5000 octets: no MAIL, QUIT after the EHLO reply, 221"

# ---- a quoted local part (RFC 5321 4.1.2)
cp "$T/three.msg" "$T/quoted.msg"
M "$PORT_D" quoted '"john..doe"@example.com'
is $? 0 '"john..doe"@example.com: exit 0'
wire quoted | grep -qxF '> RCPT TO:<"john..doe"@example.com>'
ok $? '"john..doe"@example.com: the RCPT has it quoted'
wire quoted | grep -A4 -xF '> RCPT TO:<"john..doe"@example.com>' |
	grep -qx '< 250 2.1.5 Ok'
ok $? '"john..doe"@example.com: Postfix accepts it'
delivered john..doe 1
ok $? '"john..doe"@example.com: delivered'
is "$(grep -m1 '^Delivered-To:' "$(mailbox john..doe)")" \
	'Delivered-To: "john..doe"@example.com' \
	'"john..doe"@example.com: Postfix quotes it too'

# ---- nothing else in the Maildirs, nothing wrong in the log
is "$(find "$PF/mail" -type f -path '*/new/*' | wc -l | tr -d ' ')" 13 \
	"13 messages delivered in all: no bounce, nothing twice"
grep -e 'improper command pipelining' -e 'warning:' -e 'fatal:' -e 'panic:' \
	"$PF/maillog" | sed 's/^/# /'
grep -q -e 'improper command pipelining' -e 'fatal:' -e 'panic:' "$PF/maillog"
is $? 1 "Postfix's log: no improper pipelining, nothing fatal"

pf_stop
is "$(pf_procs)" "" "postfix stop: no process of the instance is left"
AT_EXIT=

done_testing
