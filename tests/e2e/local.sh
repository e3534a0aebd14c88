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

# A bad aliases file is a configuration error: exit 78, nothing sent.
printf 'root: |/usr/bin/procmail\n' >"$T/bad.aliases"
conf "$T/bad.conf" "$RELAY_PORT" "aliases_file = \"$T/bad.aliases\";"
n=$(count "$T/r")
printf 'Subject: b\n\nbody\n' | "$MAILOUT" -C "$T/bad.conf" -i root 2>"$T/err"
is $? 78 "a pipe in aliases_file: exit 78"
is "$(cat "$T/err")" \
	"mailout: $T/bad.aliases:1: alias 'root': pipes and files are not supported" \
	"a pipe in aliases_file: FILE:LINE: message"
is "$(count "$T/r")" "$n" "a bad aliases file: nothing sent"

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
