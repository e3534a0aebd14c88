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

done_testing
