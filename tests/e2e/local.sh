#!/bin/sh
# Local addresses and aliases, end to end: what the relay sees in the
# envelope for root, root@localhost, root@thishost and aliased names.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
cat >"$T/aliases" <<'EOA'
# aliases(5)
alice: alice@example.net
Postmaster: root
team: a@example.net,
	b@example.net, alice
loop1: loop2
loop2: loop1, l@example.net
self: self, copy@example.net
EOA
conf "$T/c.conf" "$RELAY_PORT" \
	'aliases = { root = "ops@example.org"; staff = ["team", "c@example.net"]; };' \
	"aliases_file = \"$T/aliases\";"
M() { before_send "$T/r" && "$MAILOUT" -C "$T/c.conf" "$@"; }
# rcpts ARGS... : send a message, print what the relay got as RCPT
rcpts() {
	printf 'Subject: local\n\nbody\n' | M -i "$@"
	last rcpt | tr -d '<>' | tr '\n' ' ' | sed 's/ $//'
}

is "$(rcpts root)" "ops@example.org" "root is aliased"
is "$(rcpts ROOT@localhost)" "ops@example.org" "root@localhost is aliased"
is "$(rcpts "root@$(hostname)")" "ops@example.org" "root@<this host> is aliased"
is "$(rcpts root@localhost.localdomain)" "ops@example.org" \
	"root@localhost.localdomain is aliased"
is "$(rcpts bob)" "bob@example.org" "an unknown local name is qualified"
is "$(rcpts bob@localhost)" "bob@example.org" "bob@localhost is qualified"
is "$(rcpts root@example.org)" "root@example.org" \
	"an address at the mail domain is not local"
is "$(rcpts alice)" "alice@example.net" "an alias from aliases_file"
is "$(rcpts postmaster)" "ops@example.org" "an alias of an alias, case ignored"
is "$(rcpts staff)" "a@example.net b@example.net alice@example.net c@example.net" \
	"a list alias through a file alias"
is "$(rcpts team alice)" "a@example.net b@example.net alice@example.net" \
	"duplicates after expansion are sent once"
is "$(rcpts loop1)" "loop1@example.org l@example.net" "a loop ends at its first name"
is "$(rcpts self)" "self@example.org copy@example.net" \
	"an alias that names itself keeps the local mailbox"

# -t: the header recipients go through the aliases too.
printf 'To: root, Team <team@localhost>\nCc: bob\n\nbody\n' | M -t
is "$(last rcpt | tr '\n' ' ')" \
	"<ops@example.org> <a@example.net> <b@example.net> <alice@example.net> <bob@example.org> " \
	"-t recipients are aliased and qualified"

# The sender is qualified, never aliased.
printf 'Subject: s\n\nbody\n' | M -i -f root@localhost c@example.net
is "$(last mail)" "<root@example.org>" \
	"-f root@localhost: qualified, not aliased"
printf 'Subject: s\n\nbody\n' | M -i -f "root@$(hostname)" c@example.net
is "$(last mail)" "<root@example.org>" \
	"-f root@<this host>: qualified"

# The catch-all: every local name not listed.
conf "$T/d.conf" "$RELAY_PORT" \
	'aliases = { default = "catch@example.org"; root = "root"; };'
before_send "$T/r"
printf 'Subject: d\n\nbody\n' | "$MAILOUT" -C "$T/d.conf" -i carol root x@example.com
is "$(last rcpt | tr '\n' ' ')" \
	"<catch@example.org> <root@example.org> <x@example.com> " \
	"default catches unknown local names only"

# --- A Debian-like aliases file: pipes, files and :include: are for other
# mail transports.  They stop no other name; mail to such a name alone
# fails for that recipient, as sendmail's for a local user it cannot
# deliver to: the others are sent, the sender gets a bounce, and with no
# other recipient nothing is sent and the exit status is 67.
cat >"$T/deb.aliases" <<'EOA'
# /etc/aliases
root: admin@example.org
pipe: |/usr/bin/procmail
file: /var/mail/x
inc: :include:/etc/list
both: ops@example.org, "|/usr/bin/vacation ops"
EOA
A=$T/deb.aliases
conf "$T/deb.conf" "$RELAY_PORT" "aliases_file = \"$A\";" \
	"logfile = \"$T/deb.log\";" "queue_dir = \"$T/debq\";"
D() { before_send "$T/r" && "$MAILOUT" -C "$T/deb.conf" -i -f bob@example.org "$@"; }
# lines: the log lines written since the last call, without stamp and pid.
lines() {
	_seen=$(cat "$T/deb.seen" 2>/dev/null || echo 0)
	tail -n "+$((_seen + 1))" "$T/deb.log" |
		sed 's/^[^ ]* mailout\[[0-9]*\]: //'
	wc -l <"$T/deb.log" | tr -d ' ' >"$T/deb.seen"
}
: >"$T/deb.log"

printf 'Subject: d\n\nbody\n' | D root 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "Debian aliases: mail to root: exit 0, nothing on stderr"
is "$(last mail)/$(last rcpt)" "<bob@example.org>/<admin@example.org>" \
	"Debian aliases: mail to root goes to admin@example.org exactly"
lines >/dev/null

n=$(count "$T/r")
printf 'Subject: d\n\nbody\n' | D pipe 2>"$T/err"
is "$?/$(count "$T/r")/$(entries "$T/debq/q")" "67/$n/0" \
	"mail to a pipe alone: exit 67, nothing sent, nothing queued"
is "$(cat "$T/err")" \
	"mailout: not sent to <pipe@example.org>: $A:3: alias 'pipe': pipes are not supported" \
	"mail to a pipe alone: one line names the recipient and why"
lines >"$T/got"
id=$(sed -n 's/^bounced id=\([^ ]*\) .*/\1/p' "$T/got")
is "$(cat "$T/got")" \
	"bounced id=$id $ME from=<bob@example.org> to=<pipe@example.org> reason=\"$A:3: alias 'pipe': pipes are not supported\"" \
	"mail to a pipe alone: the log says why"
for x in "file:4:files are" "inc:5::include: is"; do
	name=${x%%:*} rest=${x#*:}
	line=${rest%%:*} why=${rest#*:}
	printf 'Subject: d\n\nbody\n' | D "$name" 2>"$T/err"
	is "$?/$(cat "$T/err")" \
		"67/mailout: not sent to <$name@example.org>: $A:$line: alias '$name': $why not supported" \
		"mail to $name alone: exit 67, the reason"
done
lines >/dev/null

printf 'Subject: d\n\nbody\n' | D pipe root 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"0/mailout: not sent to <pipe@example.org>: $A:3: alias 'pipe': pipes are not supported" \
	"mail to pipe and root: exit 0, pipe named on stderr"
is "$(cat "$T/r/msg.$((n + 1))/rcpt")" "<admin@example.org>" \
	"mail to pipe and root: sent to admin@example.org exactly"
is "$(cat "$T/r/msg.$((n + 2))/mail")/$(cat "$T/r/msg.$((n + 2))/rcpt")" \
	"<>/<bob@example.org>" "mail to pipe and root: a bounce to the sender"
grep -c -e '^Final-Recipient: rfc822; pipe@example.org' \
	-e "^<pipe@example.org>: $A:3: alias 'pipe': pipes are not supported" \
	"$T/r/msg.$((n + 2))/data" | tr -d '\r' >"$T/got"
is "$(cat "$T/got")/$(grep -c '^Final-Recipient:' "$T/r/msg.$((n + 2))/data")" "2/1" \
	"mail to pipe and root: the bounce is for pipe alone, with the reason"
is "$(count "$T/r")/$(entries "$T/debq/q")" "$((n + 2))/0" \
	"mail to pipe and root: nothing else sent, nothing queued"
lines | sed 's/ size=[0-9]* / size=N /' >"$T/got"
id=$(sed -n '1s/^bounced id=\([^ ]*\) .*/\1/p' "$T/got")
bid=$(sed -n '3s/^sent id=\([^ ]*\) .*/\1/p' "$T/got")
cat >"$T/want" <<EOF
bounced id=$id $ME from=<bob@example.org> to=<pipe@example.org> reason="$A:3: alias 'pipe': pipes are not supported"
sent id=$id $ME from=<bob@example.org> to=<admin@example.org> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=N reply="250 2.0.0 Ok: queued as $((n + 1))"
sent id=$bid $ME orig=$id from=<> to=<bob@example.org> relay=127.0.0.1:$RELAY_PORT tls=none auth=none size=N reply="250 2.0.0 Ok: queued as $((n + 2))"
EOF
same_file "$T/got" "$T/want" "mail to pipe and root: the log says why, then the sends"

# Several recipients the aliases cannot serve: the summary names the last,
# then each on a line of its own (as for several the relay refused).
printf 'Subject: d\n\nbody\n' | D pipe file 2>"$T/err"
is "$?" 67 "mail to pipe and file: exit 67"
cat >"$T/want" <<EOF
mailout: not sent to 2 recipients; last: <file@example.org>: $A:4: alias 'file': files are not supported
mailout: <pipe@example.org>: $A:3: alias 'pipe': pipes are not supported
mailout: <file@example.org>: $A:4: alias 'file': files are not supported
EOF
same_file "$T/err" "$T/want" "mail to pipe and file: the summary, then each recipient and why"
n=$(count "$T/r")
printf 'Subject: d\n\nbody\n' | D pipe root file 2>"$T/err"
is "$?/$(count "$T/r")/$(sed 1d "$T/err")" "0/$((n + 2))/$(sed 1d "$T/want")" \
	"mail to pipe, root and file: sent to root, a bounce, each failed recipient named"
lines >/dev/null

# Root's bounces go where root's mail goes: a sender at the mail domain
# that the aliases name is expanded like a recipient; the report's To
# still names the sender.  Other senders, and the catch-all, are not.
for f in root root@example.org ROOT@EXAMPLE.ORG; do
	n=$(count "$T/r")
	printf 'Subject: d\n\nbody\n' |
		"$MAILOUT" -C "$T/deb.conf" -i -f "$f" pipe x@example.com 2>/dev/null
	is "$?/$(count "$T/r")" "0/$((n + 2))" "-f $f, mail to pipe and x: sent, and a bounce"
	is "$(cat "$T/r/msg.$((n + 2))/mail")/$(cat "$T/r/msg.$((n + 2))/rcpt")" \
		"<>/<admin@example.org>" "-f $f: the bounce goes to root's alias"
done
is "$(grep -m1 '^To: ' "$T/r/msg.$((n + 2))/data" | tr -d '\r')" "To: <ROOT@EXAMPLE.ORG>" \
	"the bounce to root's alias: To names the sender"
n=$(count "$T/r")
printf 'Subject: d\n\nbody\n' |
	"$MAILOUT" -C "$T/deb.conf" -i -f root@example.com pipe x@example.com 2>/dev/null
is "$(cat "$T/r/msg.$((n + 2))/rcpt")" "<root@example.com>" \
	"a sender at another domain: its bounce goes to it, unaliased"
conf "$T/dflt.conf" "$RELAY_PORT" "aliases_file = \"$A\";" \
	'aliases = { default = "catch@example.org"; };' "queue_dir = \"$T/debq\";"
n=$(count "$T/r")
printf 'Subject: d\n\nbody\n' |
	"$MAILOUT" -C "$T/dflt.conf" -i -f carol pipe x@example.com 2>/dev/null
is "$(cat "$T/r/msg.$((n + 2))/rcpt")" "<carol@example.org>" \
	"a sender that only the catch-all names: its bounce goes to it"
n=$(count "$T/r")
printf 'Subject: d\n\nbody\n' |
	"$MAILOUT" -C "$T/dflt.conf" -i -f both pipe x@example.com 2>/dev/null
is "$(cat "$T/r/msg.$((n + 2))/rcpt")" "<ops@example.org>" \
	"a sender whose alias is partly a pipe: the bounce goes to its address"
lines >/dev/null

# An alias with a usable address besides: that address is used, the log
# says what was left out, and the sender is not bothered.
printf 'Subject: d\n\nbody\n' | D both 2>"$T/err"
is "$?/$(cat "$T/err")/$(last rcpt)" "0//<ops@example.org>" \
	"an alias partly a pipe: its address gets the message"
lines >"$T/got"
id=$(sed -n 's/^sent id=\([^ ]*\) .*/\1/p' "$T/got")
is "$(grep -v '^sent ' "$T/got")/$(grep -c "^sent id=$id $ME from=<bob@example.org> to=<ops@example.org> " "$T/got")" \
	"note id=$id $ME reason=\"<both@example.org>: $A:6: alias 'both': pipes are not supported; its other addresses are used\"/1" \
	"an alias partly a pipe: the log says what was left out"

# -bs: the reply to the final dot, as for a refusal by the relay.
printf 'HELO x\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<pipe>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n' >"$T/s"
n=$(count "$T/r")
"$MAILOUT" -C "$T/deb.conf" -bs <"$T/s" >"$T/out" 2>/dev/null
is "$(sed -n 6p "$T/out" | tr -d '\r')/$(count "$T/r")" \
	"550 5.1.1 not sent to <pipe@example.org>: $A:3: alias 'pipe': pipes are not supported/$n" \
	"-bs, RCPT pipe alone: 550 after the data, nothing sent"
lines >/dev/null

# -bv says it too.
"$MAILOUT" -C "$T/deb.conf" -bv pipe >"$T/out"
is "$?/$(cat "$T/out")" \
	"67/pipe: <pipe@example.org> (not sent: $A:3: alias 'pipe': pipes are not supported) via 127.0.0.1:$RELAY_PORT (account default), from <$(id -un)@example.org>" \
	"-bv pipe: not sent, why; exit 67"

# --check-config lists each such entry and passes.
"$MAILOUT" -C "$T/deb.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--check-config with pipes, files, :include:: exit 0"
sed -n '3,7p' "$T/out" >"$T/got"
cat >"$T/want" <<EOF
# aliases_file = "$A"; 5 aliases
$A:3: alias 'pipe': pipes are not supported; mail to it fails
$A:4: alias 'file': files are not supported; mail to it fails
$A:5: alias 'inc': :include: is not supported; mail to it fails
$A:6: alias 'both': pipes are not supported; its other addresses are used
EOF
same_file "$T/got" "$T/want" "--check-config: each entry left out, FILE:LINE"
is "$(sed -n 8,9p "$T/out")" "# allowed_senders: none set, any user may use any sender
top level (the default account):" \
	"--check-config: nothing more about the aliases"

# --- This host's files, as the installed program reads them: the aliases
# file ($ALIASES_DEFAULT) when aliases_file is not set, and the mail
# domain (/etc/mailname) when domain is not.  As root, a private mount
# namespace lays a scratch layer over /etc, for these commands only.
[ "${ALIASES_DEFAULT:-}" = /etc/aliases ] ||
	skip_rest "the default aliases file is not /etc/aliases here"
[ "$(id -u)" -eq 0 ] || skip_rest "not root: /etc cannot be laid over"
mkdir -p "$T/etc/ov"
# sysetc CMD...: run CMD where /etc has $T/etc/aliases and mailname
# instead of its own, or none where $T/etc has none.
sysetc() {
	unshare --mount --propagation private sh -c '
		d=$1
		shift
		mount -t tmpfs tmpfs "$d/ov" &&
			mkdir "$d/ov/up" "$d/ov/work" &&
			mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/ov/up,workdir=$d/ov/work" /etc &&
			rm -f /etc/aliases /etc/mailname || exit 99
		for f in aliases mailname; do
			if [ -f "$d/$f" ]; then cp "$d/$f" "/etc/$f" || exit 99; fi
		done
		exec "$@"
	' sh "$T/etc" "$@"
}
sysetc true 2>/dev/null || skip_rest "no overlay over /etc in a mount namespace"
cat >"$T/sys.conf" <<EOF
host = "127.0.0.1";
port = $RELAY_PORT;
tls = "none";
helo = "client.example.org";
queue_dir = "$T/queue";
EOF
printf 'root: admin@example.org\nPostmaster: root\n' >"$T/etc/aliases"
printf 'mail.example.net\n' >"$T/etc/mailname"
S() { before_send "$T/r" && sysetc "$MAILOUT" "$@"; }
printf 'Subject: s\n\nbody\n' | S -C "$T/sys.conf" -i postmaster bob
is "$?/$(last rcpt | tr '\n' ' ')" "0/<admin@example.org> <bob@mail.example.net> " \
	"no aliases_file: /etc/aliases applies; no domain: /etc/mailname qualifies"
is "$(last mail)" "<$(id -un)@mail.example.net>" \
	"no domain: the sender at /etc/mailname's domain"
is "$(sysetc "$MAILOUT" -C "$T/sys.conf" -bi)" \
	"$T/sys.conf: 2 aliases, with /etc/aliases" "-bi: the aliases of /etc/aliases"
sysetc "$MAILOUT" -C "$T/sys.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--check-config with /etc/aliases: exit 0"
is "$(sed -n 3p "$T/out")" \
	'# aliases_file = "/etc/aliases" (the default); 2 aliases' \
	"--check-config: names the aliases file, the default"
# mailout.conf's own aliases win over /etc/aliases.
cp "$T/sys.conf" "$T/grp.conf"
printf 'aliases = { root = "ops@example.org"; };\n' >>"$T/grp.conf"
printf 'Subject: s\n\nbody\n' | S -C "$T/grp.conf" -i postmaster
is "$?/$(last rcpt)" "0/<ops@example.org>" \
	"a name in mailout.conf and /etc/aliases: mailout.conf's"
sysetc "$MAILOUT" -C "$T/grp.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(sed -n 3,4p "$T/out")" "0/# aliases_file = \"/etc/aliases\" (the default); 2 aliases
/etc/aliases:1: alias 'root' is overridden by $T/grp.conf:6" \
	"--check-config: the overridden alias"
# aliases_file = "": none at all.
cp "$T/sys.conf" "$T/off.conf"
printf 'aliases_file = "";\n' >>"$T/off.conf"
printf 'Subject: s\n\nbody\n' | S -C "$T/off.conf" -i postmaster
is "$?/$(last rcpt)" "0/<postmaster@mail.example.net>" \
	"aliases_file = \"\": /etc/aliases is not read"
# No /etc/aliases, no /etc/mailname: no error, the host's name.
rm "$T/etc/aliases" "$T/etc/mailname"
printf 'Subject: s\n\nbody\n' | S -C "$T/sys.conf" -i root 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "no /etc/aliases: no error"
sysetc "$MAILOUT" -C "$T/sys.conf" --check-config >"$T/out"
is "$(sed -n 3p "$T/out")" \
	'# aliases_file = "" (no /etc/aliases); 0 aliases' \
	"--check-config: no /etc/aliases"
domain=$(sed -n 's/^# queue_dir = .*; domain = "\(.*\)"$/\1/p' "$T/out")
is "$(last rcpt)" "<root@$domain>" \
	"no /etc/aliases: root qualified with the host's domain, unaliased"

done_testing
