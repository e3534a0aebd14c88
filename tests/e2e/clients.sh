#!/bin/sh
# Every argv vector that real clients pass to sendmail (captured from the
# programs themselves on Debian 12), with a stdin shaped like theirs,
# against the test relay: the exact envelope, and no Bcc transmitted.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
# The command line must stay exactly the client's: the file comes from
# the environment instead of -C.
MAILOUT_CONF=$T/c.conf
export MAILOUT_CONF
mkdir -p "$T/bin"
ln -s "$MAILOUT" "$T/bin/sendmail"
SENDMAIL=$T/bin/sendmail
me=$(id -un)
# The clients write user@$(hostname): an address at this host, so local.
H=$(hostname)
n=0

# client NAME FROM RCPTS CMD...: run CMD with the message in $T/in;
# FROM is the expected MAIL FROM, RCPTS the RCPT paths separated by
# spaces.  Checks the exit status, the envelope and that no Bcc field
# went out.
client() {
	_name=$1 _from=$2 _rcpts=$3
	shift 3
	"$@" <"$T/in" >"$T/out" 2>"$T/err"
	_status=$?
	n=$((n + 1))
	is "$_status" 0 "$_name: exit 0"
	is "$(cat "$T/r/msg.$n/mail" 2>/dev/null)" "$_from" "$_name: MAIL FROM"
	is "$(tr '\n' ' ' <"$T/r/msg.$n/rcpt" 2>/dev/null)" "$_rcpts " \
		"$_name: RCPT TO"
	grep -qi '^bcc:' "$T/r/msg.$n/data"
	is $? 1 "$_name: no Bcc transmitted"
}

# ----------------------------------------------------------- cron family
cat >"$T/in" <<'EOF'
From: root (Cron Daemon)
To: root
Subject: Cron <root@vm> /usr/local/bin/report
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
X-Cron-Env: <SHELL=/bin/sh>
X-Cron-Env: <HOME=/root>

report: disk usage 81 %
.
naïve output
EOF
client "cron (Debian)" "<$me@example.org> BODY=8BITMIME" "<root@example.org>" \
	"$SENDMAIL" -FCronDaemon -i -B8BITMIME -oem root
grep -q "^\\.$(printf '\r')\$" "$T/r/msg.$n/data" &&
	grep -q '^naïve output' "$T/r/msg.$n/data"
is $? 0 "cron (Debian): -i keeps the lone dot and what follows"
client "cron MAILTO list" "<$me@example.org> BODY=8BITMIME" \
	"<a@example.com> <b@example.net>" \
	"$SENDMAIL" -FCronDaemon -i -B8BITMIME -oem a@example.com,b@example.net

cat >"$T/in" <<'EOF'
From: "(Cron Daemon)" <root>
To: root
Subject: Cron <root@vm> /usr/local/bin/report
Date: Sat, 28 Nov 2026 10:00:01 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
Auto-Submitted: auto-generated
Precedence: bulk

output
EOF
client "cronie" "<root@example.org>" "<root@example.org>" \
	"$SENDMAIL" -FCronDaemon -i -odi -oem -oi -t -f root

cat >"$T/in" <<'EOF'
Content-Type: text/plain; charset="utf-8"
MIME-Version: 1.0
Content-Transfer-Encoding: base64
Date: Sat, 28 Nov 2026 10:00:02 +0000
From: root (systemd-cron)
To: ops@example.org
Subject: [vm] job report.service failed
Auto-Submitted: auto-generated

am9iIGZhaWxlZAo=
EOF
client "systemd-cron 1.15" "<$me@example.org>" "<ops@example.org>" \
	env PATH="$T/bin:$PATH" sendmail -i -B8BITMIME ops@example.org
client "systemd-cron 2.x" "<$me@example.org>" "<user@example.org>" \
	env PATH="$T/bin:$PATH" sendmail -i -B 8BITMIME user@example.org

printf 'Subject: Output from your job        7\nTo: alice\n\njob output\n' >"$T/in"
client "at" "<$me@example.org>" "<alice@example.org>" \
	env PATH="$T/bin:$PATH" sendmail -i alice

cat >"$T/in" <<'EOF'
From: Anacron <root>
To: root
Subject: Anacron job 'cron.daily' on vm
Content-Type: text/plain; charset="UTF-8"

run-parts output
EOF
client "anacron" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -FAnacron -odi root

# ------------------------------------------------------------ mail users
cat >"$T/in" <<'EOF'
To: alice@example.com
Subject: hello
Cc: carol@example.com
Bcc: hidden@example.com
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 8bit

hello
EOF
client "bsd-mailx" "<$me@example.org>" \
	"<alice@example.com> <carol@example.com> <hidden@example.com>" \
	"$SENDMAIL" -i -t
{
	echo 'From: sender@example.org'
	cat "$T/in"
} >"$T/in2" && mv "$T/in2" "$T/in"
client "bsd-mailx -r" "<sender@example.org>" \
	"<alice@example.com> <carol@example.com> <hidden@example.com>" \
	"$SENDMAIL" -i -t -f sender@example.org

cat >"$T/in" <<'EOF'
Date: Sat, 28 Nov 2026 10:00:03 +0000
To: root
Subject: note
User-Agent: s-nail v14.9.24

a note
EOF
client "s-nail" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -i -- root
cat >"$T/in" <<'EOF'
Date: Sat, 28 Nov 2026 10:00:04 +0000
From: sender@example.org
To: a@example.com, b@example.net
Cc: cc@example.org
Subject: note
Message-ID: <20261128100004.1@example.org>
User-Agent: s-nail v14.9.24

a note
EOF
client "s-nail -r" "<sender@example.org>" \
	"<a@example.com> <b@example.net> <cc@example.org> <bcc@example.org>" \
	"$SENDMAIL" -i -f sender@example.org -- a@example.com b@example.net \
	cc@example.org bcc@example.org

cat >"$T/in" <<'EOF'
Subject: disk report
Bcc: audit@example.org
To: root
User-Agent: mail (GNU Mailutils 3.15)
Date: Sat, 28 Nov 2026 10:00:05 +0000

report
EOF
client "mailutils" "<root@example.org>" "<audit@example.org> <root@example.org>" \
	"$SENDMAIL" -oi -f "root@$H" -t

cat >"$T/in" <<'EOF'
Date: Sat, 28 Nov 2026 10:00:06 +0000
From: root <root@vm>
To: root@vm
Subject: mutt
Message-ID: <20261128100006.GA1@vm>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Disposition: inline

from mutt
EOF
client "mutt" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -oem -oi -- "root@$H"
client "mutt (dsn, 8bit)" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -oem -oi -B8BITMIME -N failure,delay -R hdrs -- "root@$H"
client "mutt (another host)" "<$me@example.org>" "<root@elsewhere.example>" \
	"$SENDMAIL" -oem -oi -- root@elsewhere.example
client "mutt (envelope from)" "<sender@example.org>" \
	"<a@example.com> <b@example.net> <cc@example.org> <bcc@example.org>" \
	"$SENDMAIL" -oem -oi -f sender@example.org -- a@example.com \
	b@example.net cc@example.org bcc@example.org

# ----------------------------------------------------------- programs
cat >"$T/in" <<'EOF'
From: Tester <tester@example.org>
To: root
Cc: cc@example.org,
	tester@example.org
Subject: [PATCH] fix
Date: Sat, 28 Nov 2026 10:00:07 +0000
Message-Id: <20261128100007.1-1-tester@example.org>
X-Mailer: git-send-email 2.39.5
MIME-Version: 1.0
Content-Transfer-Encoding: 8bit

---
 a | 1 +
-- 
2.39.5

EOF
client "git send-email" "<$me@example.org>" \
	"<root@example.org> <cc@example.org> <tester@example.org>" \
	"$SENDMAIL" -i root cc@example.org tester@example.org
client "git send-email -f" "<bounce@example.org>" "<list@example.org>" \
	"$SENDMAIL" -f bounce@example.org -i list@example.org
client "git --sendmail-cmd" "<$me@example.org>" "<list@example.org>" \
	sh -c "$SENDMAIL"' -oi -i "$@"' sendmail list@example.org

# PHP 8 writes CRLF headers and leaves the body's LF alone.
printf 'To: a@example.com, b@example.com\r\nSubject: php\r\nFrom: app@example.org\r\n\r\nline one\nline two\r\n' >"$T/in"
client "PHP mail()" "<$me@example.org>" "<a@example.com> <b@example.com>" \
	sh -c "$SENDMAIL -t -i"
grep -c "$(printf '\r$')" "$T/r/msg.$n/data" | grep -qx "$(wc -l <"$T/r/msg.$n/data" | tr -d ' ')"
is $? 0 "PHP mail(): every line arrives CRLF, none CR CR LF"
printf 'line one\r\nline two\r\n' >"$T/php.body"
sed '1,/^\r$/d' "$T/r/msg.$n/data" >"$T/got"
same_file "$T/got" "$T/php.body" "PHP mail(): the body arrives as written, LF made CRLF"
client "PHP mail() -f" "<bounce@example.org>" "<a@example.com> <b@example.com>" \
	sh -c "$SENDMAIL -t -i -fbounce@example.org"

cat >"$T/in" <<'EOF'
To: root
From: alice
Auto-Submitted: auto-generated
Subject: *** SECURITY information for vm ***

vm : Nov 28 10:00:08 : alice : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true
EOF
client "sudo" "<$me@example.org>" "<root@example.org>" \
	env PATH="$T/bin:$PATH" sendmail -t

cat >"$T/in" <<'EOF'
From: mdadm monitoring <root@vm>
To: root
Subject: Fail event on /dev/md0:vm

A Fail event had been detected on md device /dev/md0.
EOF
client "mdadm" "<$me@example.org>" "<root@example.org>" \
	sh -c "$SENDMAIL -t"

cat >"$T/in" <<'EOF'
Subject: unattended-upgrades result for vm: SUCCESS
From: root
To: root
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Unattended upgrade result: All upgrades installed
EOF
client "unattended-upgrades" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -oi -t
cat >"$T/in" <<'EOF'
Auto-Submitted: auto-generated
Subject: apt-listchanges: news for vm
To: root
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

news   
EOF
client "apt-listchanges" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -oi -t

# logwatch passes no -i: a line holding only "." ends the message.
cat >"$T/in" <<'EOF'
To: root
From: root
Subject: Logwatch for vm (Linux)
Auto-Submitted: auto-generated
Precedence: bulk
MIME-Version: 1.0
Content-Transfer-Encoding: 8bit
Content-Type: text/plain; charset="UTF-8"

 --- sshd Begin ---
.
 --- sshd End ---
EOF
client "logwatch" "<$me@example.org>" "<root@example.org>" \
	"$SENDMAIL" -t
tail -1 "$T/r/msg.$n/data" | grep -q 'sshd Begin'
is $? 0 "logwatch: without -i the lone dot ends the message (as sendmail)"

printf 'Subject: [Fail2Ban] sshd: banned 192.0.2.1 from vm\nDate: Sat, 28 Nov 2026 10:00:09 +0000\nFrom: Fail2Ban <root@vm>\nTo: root@localhost\n\nThe IP 192.0.2.1 has just been banned.' >"$T/in"
client "fail2ban" "<root@example.org>" "<root@example.org>" \
	"$SENDMAIL" -f "root@$H" root@localhost
tail -c 9 "$T/r/msg.$n/data" | od -c | grep -q 'd   .  \\r  \\n'
is $? 0 "fail2ban: the body without final newline arrives complete"
client "fail2ban (bare)" "<fail2ban@example.org>" "<root@example.org>" \
	"$SENDMAIL" -f fail2ban root

# ------------------------------------------------ SMTP on stdin and stdout
printf 'EHLO localhost\r\nMAIL FROM:<root@elsewhere.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nDate: Sat, 28 Nov 2026 10:00:10 +0000\r\nFrom: root <root@vm>\r\nTo: alice@example.com\r\nSubject: alpine\r\nMessage-ID: <alpine.1@vm>\r\n\r\n..a stuffed line\r\n.\r\nQUIT\r\n' >"$T/in"
"$SENDMAIL" -bs -odb -oem <"$T/in" >"$T/out" 2>&1
rc=$?
n=$((n + 1))
is $rc 0 "alpine -bs: exit 0"
is "$(cat "$T/r/msg.$n/mail")/$(cat "$T/r/msg.$n/rcpt")" \
	"<root@elsewhere.example>/<alice@example.com>" "alpine -bs: envelope"
grep -v '^[0-9][0-9][0-9][ -]' "$T/out" | grep -q .
is $? 1 "alpine -bs: stdout and stderr hold nothing but SMTP replies"
tail -2 "$T/out" | head -1 | grep -q '^250 2.0.0 Ok: sent'
is $? 0 "alpine -bs: 250 after the final dot"
grep -q '^\.a stuffed line' "$T/r/msg.$n/data"
is $? 0 "alpine -bs: the dot unstuffed"

printf 'HELO [127.0.0.1]\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<hidden@example.net>\r\nDATA\r\nFrom: app@example.org\r\nTo: a@example.com\r\nSubject: symfony\r\nDate: Sat, 28 Nov 2026 10:00:11 +0000\r\nMessage-ID: <symfony.1@example.org>\r\n\r\nbody\r\n.\r\nQUIT\r\n' >"$T/in"
"$SENDMAIL" -bs <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
n=$((n + 1))
is "$rc/$(cat "$T/err")" "0/" "Symfony -bs: exit 0, nothing on stderr"
is "$(cat "$T/r/msg.$n/mail")/$(tr '\n' ' ' <"$T/r/msg.$n/rcpt")" \
	"<app@example.org>/<a@example.com> <hidden@example.net> " \
	"Symfony -bs: envelope"
cat >"$T/in" <<'EOF'
From: app@example.org
To: a@example.com
Cc: c@example.com
Subject: symfony
Date: Sat, 28 Nov 2026 10:00:12 +0000
Message-ID: <symfony.2@example.org>

body
EOF
client "Symfony (-t mode)" "<app@example.org>" \
	"<a@example.com> <c@example.com> <hidden@example.net>" \
	"$SENDMAIL" -i -fapp@example.org -- a@example.com c@example.com \
	hidden@example.net

done_testing
