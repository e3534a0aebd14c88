#!/bin/sh
# --check-config validates the configuration and every file it names,
# and shows the accounts as resolved, the password masked.
# --server-info shows what a relay offers: greeting, EHLO, TLS and the
# certificate, AUTH mechanisms.
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
tls_relay "$T/r" --auth alice:pw --auth-mechs PLAIN,LOGIN --size 100000
port=$RELAY_PORT

cat >"$T/c.conf" <<EOF2
host = "localhost";
port = $port;
tls_ca_file = "$T/ca.pem";
domain = "example.org";
helo = "client.example.org";
queue_dir = "$T/queue";
aliases_file = "";
user = "alice";
password = "Secret-Pw1";
accounts = (
	{ name = "backup"; hosts = ( "127.0.0.1:$port", "[::1]" );
	  match = "*@backup.example"; tls_verify = false;
	  password_command = "echo pw"; reply_timeout = "10m"; }
);
EOF2
chmod 600 "$T/c.conf"

# --- --check-config
"$MAILOUT" -C "$T/c.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--check-config: exit 0, nothing on stderr"
grep -q "Secret-Pw1" "$T/out"
is $? 1 "--check-config: the password is not shown"
grep -q '^	password = "\*\*\*\*\*\*\*\*";$' "$T/out"
ok $? "--check-config: the password is masked"
grep -q "^top level (the default account):$" "$T/out"
ok $? "--check-config: the top level is the default account"
sed -n '/^account "backup":$/,$p' "$T/out" >"$T/backup"
cat >"$T/want" <<EOF2
account "backup":
	match = ( "*@backup.example" );
	hosts = ( "127.0.0.1:$port", "[::1]:$port" );
	tls = "starttls";
	tls_verify = false;
	tls_min_version = "1.2";
	tls_ca_file = "$T/ca.pem";
	auth = "auto";
	user = "alice";
	password_command = "echo pw";
	helo = "client.example.org";
	connect_timeout = 30;
	reply_timeout = 600;
EOF2
same_file "$T/backup" "$T/want" "--check-config: an account as resolved, with inherited settings"

cp "$T/c.conf" "$T/bad.conf"
printf 'tls_cert_file = "%s/missing.pem";\n' "$T" >>"$T/bad.conf"
"$MAILOUT" -C "$T/bad.conf" --check-config >/dev/null 2>"$T/err"
is $? 78 "--check-config: a missing certificate file: exit 78"
is "$(cat "$T/err")" \
	"mailout: $T/bad.conf:15: 'tls_cert_file': $T/missing.pem: No such file or directory" \
	"--check-config: a missing certificate file: FILE:LINE: message"
printf 'host = "x";\nauth = "digest";\n' >"$T/bad2.conf"
"$MAILOUT" -C "$T/bad2.conf" --check-config >/dev/null 2>"$T/err"
is $? 78 "--check-config: an unknown mechanism: exit 78"
grep -q "^mailout: $T/bad2.conf:2: 'auth' must be" "$T/err"
ok $? "--check-config: an unknown mechanism: FILE:LINE: message"
"$MAILOUT" -C "$T/nothere.conf" --check-config >/dev/null 2>&1
is $? 78 "--check-config: a missing file: exit 78"

# A proxy URL's password (RFC 3986 3.2.1) is masked like the account's.
printf 'host = "x";\nproxy = "socks5h://bob:Px%%40-9@127.0.0.1:1080";\n' \
	>"$T/proxy.conf"
"$MAILOUT" -C "$T/proxy.conf" --check-config >"$T/out" 2>"$T/err"
is "$?/$(cat "$T/err")/$(grep "proxy =" "$T/out")" \
	'0//	proxy = "socks5h://bob:********@127.0.0.1:1080";' \
	"--check-config: a proxy's password is masked, its user shown"

# --- --server-info
"$MAILOUT" -C "$T/c.conf" --server-info >"$T/info" 2>"$T/err"
is $? 0 "--server-info: exit 0"
grep -q "Secret-Pw1" "$T/info" "$T/err"
is $? 1 "--server-info: no password anywhere"
grep -q "^C: AUTH" "$T/r/session.1.log"
is $? 1 "--server-info: no AUTH sent"
grep -q "^C: QUIT" "$T/r/session.1.log"
ok $? "--server-info: QUIT at the end"
fp=$(cert_sha256 "$T/server.pem")
pin=$(key_pin "$T/server.pem")
tlsv=$(sed -n 's/^\* TLS \(TLSv1\.[23]\).*/\1/p' "$T/r/session.1.log")
sed 's/^\(  TLS: TLSv1\.[23], cipher \).*/\1X/;s/^\(  certificate valid: \).*/\1X/' \
	"$T/info" >"$T/got"
cat >"$T/want" <<EOF2
relay localhost:$port
  greeting: 220 relay.test ESMTP
  EHLO: relay.test
  EHLO: SIZE 100000
  EHLO: 8BITMIME
  EHLO: AUTH PLAIN LOGIN
  EHLO: ENHANCEDSTATUSCODES
  TLS: $tlsv, cipher X
  certificate subject: CN = localhost
  certificate issuer: CN = mailout test CA
  certificate valid: X
  certificate SHA-256: $fp
  certificate key pin: $pin
  certificate trusted: yes
  AUTH mechanisms: PLAIN LOGIN
EOF2
same_file "$T/got" "$T/want" "--server-info: greeting, EHLO, TLS, certificate, AUTH"

# An untrusted certificate is still shown, with the reason; the exit
# status and stderr say it fails, and what to set.
sed '/^tls_ca_file/d' "$T/c.conf" >"$T/untrusted.conf"
chmod 600 "$T/untrusted.conf"
"$MAILOUT" -C "$T/untrusted.conf" --server-info >"$T/info" 2>"$T/err"
is "$?/$(cat "$T/err")" \
	"78/mailout: localhost:$port: certificate not trusted (SSL certificate problem: unable to get local issuer certificate); set tls_ca_file or tls_fingerprint" \
	"--server-info, untrusted certificate: exit 78, what to set"
grep -q "^  certificate trusted: no: SSL certificate problem" "$T/info"
ok $? "--server-info, untrusted certificate: says why"
grep -q "^  certificate SHA-256: $fp$" "$T/info"
ok $? "--server-info, untrusted certificate: its fingerprint, to pin it"

# -a (and -f) choose the account; each of its relays is shown.
"$MAILOUT" -C "$T/c.conf" --server-info -a backup >"$T/info" 2>"$T/err"
is $? 75 "--server-info -a backup: one relay unreachable: exit 75"
grep -c "^relay " "$T/info" | grep -q '^2$'
ok $? "--server-info -a backup: both relays"
grep -q "^  certificate trusted: not checked (tls_verify)$" "$T/info"
ok $? "--server-info -a backup: tls_verify = false is said"
"$MAILOUT" -C "$T/c.conf" --server-info -f x@backup.example >"$T/info2" 2>/dev/null
cmp -s "$T/info" "$T/info2"
ok $? "--server-info -f: the account that matches the sender"

# -v shows the conversation.
"$MAILOUT" -C "$T/c.conf" --server-info -v >/dev/null 2>"$T/err"
grep -q "^> STARTTLS$" "$T/err"
ok $? "--server-info -v: the conversation"

# The relay's control characters (ESC, TAB, a bare CR, BEL) are shown as
# spaces, as in the log: a reply cannot drive the terminal.
relay_start "$T/ctl" --fault "greeting=$(printf '220 relay \033[31mred\tx\ry ESMTP')" \
	--ehlo-ext "$(printf 'X-BAD \033]0;title\007 a\tb\rc')"
conf "$T/ctl.conf" "$RELAY_PORT"
"$MAILOUT" -C "$T/ctl.conf" --server-info >"$T/info" 2>"$T/err"
is "$?/$(cat "$T/err")" "0/" "--server-info, control characters: exit 0"
cat >"$T/want" <<EOF2
relay 127.0.0.1:$RELAY_PORT
  greeting: 220 relay  [31mred x y ESMTP
  EHLO: relay.test
  EHLO: 8BITMIME
  EHLO: ENHANCEDSTATUSCODES
  EHLO: X-BAD  ]0;title  a b c
  TLS: none
  AUTH mechanisms: none offered
EOF2
same_file "$T/info" "$T/want" "--server-info: control characters as spaces"
"$MAILOUT" -C "$T/ctl.conf" --server-info -v >/dev/null 2>"$T/err"
grep -x '< 250 X-BAD  ]0;title  a b c' "$T/err" | grep -c . | grep -qx 1
ok $? "--server-info -v: control characters as spaces"
tr -d '\000-\011\013-\037\177' <"$T/err" | cmp -s - "$T/err"
ok $? "--server-info -v: no control character but the line ends"

done_testing
