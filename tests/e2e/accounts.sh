#!/bin/sh
# Accounts: the top-level settings are the defaults, each element of
# "accounts" overrides some of them.  An account is chosen by -a, else
# by the envelope sender (-f) matching its "match", else the default:
# the top level when it names a relay, else the first account.
. "${srcdir:-.}/tests/e2e/lib.sh"

printf 'From: x@example.org\nTo: alice@example.com\nSubject: accounts\n\nbody\n' >"$T/msg"
relay_start "$T/top"
relay_start "$T/work"
relay_start "$T/cron"
cat >"$T/c.conf" <<EOF2
host = "127.0.0.1";
port = $(cat "$T/top/port");
tls = "none";
domain = "example.org";
helo = "client.example.org";
queue_dir = "$T/queue";
aliases_file = "";
accounts = (
	{ name = "work"; port = $(cat "$T/work/port");
	  match = ( "*@work.example", "boss@example.org" ); },
	{ name = "cron"; port = $(cat "$T/cron/port"); match = "daemon@*";
	  from = "cron@example.org"; }
);
EOF2

M() { "$MAILOUT" -C "$T/c.conf" -i "$@" alice@example.com <"$T/msg"; }

M -a work -f someone@example.org
is "$?/$(count "$T/work")/$(count "$T/top")" "0/1/0" "-a work: the work relay"
is "$(cat "$T/work/msg.1/mail")" "<someone@example.org>" "-a work: -f is still the sender"
M -f anna@WORK.example
is "$?/$(count "$T/work")" "0/2" "-f matching *@work.example: the work relay"
M -f boss@example.org
is "$?/$(count "$T/work")" "0/3" "-f matching an exact address: the work relay"
M -f daemon@host.example.org
is "$?/$(count "$T/cron")" "0/1" "-f daemon@...: the cron relay"
M -f alice@example.org
is "$?/$(count "$T/top")" "0/1" "-f matching nothing: the top level"
M
is "$?/$(count "$T/top")" "0/2" "no -f: the top level"
is "$(cat "$T/top/msg.2/mail")" "<$(id -un)@example.org>" "no -f: the user at the domain"
M -a cron
is "$?/$(count "$T/cron")/$(cat "$T/cron/msg.2/mail")" "0/2/<cron@example.org>" \
	"-a cron: its relay and its from"
is "$(cat "$T/cron/msg.2/helo")" "client.example.org" "-a cron: helo inherited from the top level"
M -a nosuch 2>"$T/err"
is $? 64 "-a with an unknown name: exit 64"
grep -q 'no account named "nosuch"' "$T/err"
ok $? "-a with an unknown name: says so"

# The top level without a relay: the first account is the default.
cat >"$T/nohost.conf" <<EOF2
tls = "none";
domain = "example.org";
queue_dir = "$T/queue";
aliases_file = "";
accounts = (
	{ name = "work"; host = "127.0.0.1"; port = $(cat "$T/work/port"); },
	{ name = "cron"; host = "127.0.0.1"; port = $(cat "$T/cron/port");
	  match = "daemon@*"; }
);
EOF2
"$MAILOUT" -C "$T/nohost.conf" -i -f alice@example.org alice@example.com <"$T/msg"
is "$?/$(count "$T/work")" "0/4" "no top-level host: the first account is the default"
"$MAILOUT" -C "$T/nohost.conf" -i -f daemon@example.org alice@example.com <"$T/msg"
is "$?/$(count "$T/cron")" "0/3" "no top-level host: match still chooses"

done_testing
