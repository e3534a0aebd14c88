#!/bin/sh
# TLS with certificates made here: STARTTLS and implicit TLS, the
# certificate checked against the CA and the name, or pinned, or not
# checked at all (tls_verify = false); client certificates; the lowest
# TLS version; a relay that does not offer STARTTLS.  A refused relay
# means nothing was sent and the message waits in the queue (exit 0).
. "${srcdir:-.}/tests/e2e/lib.sh"
. "${srcdir:-.}/tests/e2e/tlslib.sh"

make_certs
cat >"$T/msg" <<'EOF2'
From: Bob <bob@example.org>
To: Alice <alice@example.com>
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <tls@example.org>
Subject: tls

body
EOF2
crlf <"$T/msg" >"$T/msg.crlf"

# send (lib.sh): STARTTLS unless a send says otherwise.
SEND_CONF='tls = "starttls";'

ca="tls_ca_file = \"$T/ca.pem\";"

# --- STARTTLS against the CA, by name and by address
tls_relay "$T/r1"
send ok "$RELAY_PORT" "$ca" 'host = "localhost";'
is $? 0 "STARTTLS: exit 0"
same_file "$T/r1/msg.1/data" "$T/msg.crlf" "STARTTLS: the message arrives intact"
is "$(cat "$T/r1/msg.1/mail")/$(cat "$T/r1/msg.1/rcpt")" \
	"<bob@example.org>/<alice@example.com>" "STARTTLS: the envelope"
case $(cat "$T/r1/msg.1/tls") in TLSv1.[23]) r=0 ;; *) r=1 ;; esac
ok $r "STARTTLS: the relay saw TLS ($(cat "$T/r1/msg.1/tls"))"
is "$(log_norm "$T/ok.log")" \
	"sent id=ID $ME from=<bob@example.org> to=<alice@example.com> relay=localhost:$RELAY_PORT tls=$(cat "$T/r1/msg.1/tls") cipher=C auth=none size=$(wc -c <"$T/r1/msg.1/data" | tr -d ' ') reply=\"250 2.0.0 Ok: queued as 1\"" \
	"STARTTLS: the log line names the TLS version and cipher"
send ip "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r1")" "0/2" "STARTTLS to 127.0.0.1: the address is in the certificate"

# --- implicit TLS
relay_start "$T/r2" --implicit-tls --tls-cert "$T/server.pem" --tls-key "$T/server.key"
send implicit "$RELAY_PORT" "$ca" 'tls = "tls";'
is "$?/$(count "$T/r2")/$(queued implicit)" "0/1/0" "implicit TLS: delivered"
case $(cat "$T/r2/msg.1/tls") in TLSv1.[23]) r=0 ;; *) r=1 ;; esac
ok $r "implicit TLS: the relay saw TLS"
same_file "$T/r2/msg.1/data" "$T/msg.crlf" "implicit TLS: the message arrives intact"

# --- a certificate from an unknown CA: refused unless tls_verify = false
send untrusted "$RELAY_PORT" 'tls = "tls";'
is "$?/$(count "$T/r2")/$(queued untrusted)" "0/1/1" \
	"untrusted certificate: nothing sent, queued"
is "$(sed 's/^mailout: queued as [^:]*: /mailout: queued as ID: /' "$T/untrusted.err")" \
	"mailout: queued as ID: 127.0.0.1:$RELAY_PORT: connect: certificate not trusted (SSL certificate problem: unable to get local issuer certificate); set tls_ca_file or tls_fingerprint (see mailout --server-info)" \
	"untrusted certificate: says so, and what to set, in one line"
# --server-info shows the certificate, and fails: a send would.
"$MAILOUT" -C "$T/untrusted.conf" --server-info >"$T/untrusted.out" \
	2>"$T/untrusted.info"
is "$?/$(grep '^  certificate trusted: ' "$T/untrusted.out")/$(cat "$T/untrusted.info")" \
	"78/  certificate trusted: no: SSL certificate problem: unable to get local issuer certificate/mailout: 127.0.0.1:$RELAY_PORT: certificate not trusted (SSL certificate problem: unable to get local issuer certificate); set tls_ca_file or tls_fingerprint" \
	"--server-info, untrusted certificate: exit 78, what to set"
grep -q '^  certificate SHA-256: [0-9A-F:]*$' "$T/untrusted.out"
ok $? "--server-info, untrusted certificate: its SHA-256, for tls_fingerprint"
send noverify "$RELAY_PORT" 'tls = "tls";' 'tls_verify = false;'
is "$?/$(count "$T/r2")/$(queued noverify)" "0/2/0" \
	"untrusted certificate, tls_verify = false: delivered"

# --- a certificate for another name: refused unless tls_verify = false
relay_start "$T/r3" --tls-cert "$T/wrong.pem" --tls-key "$T/wrong.key"
send wronghost "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r3")/$(queued wronghost)" "0/0/1" \
	"certificate for another name: nothing sent, queued"
is "$(sed 's/^mailout: queued as [^:]*: /mailout: queued as ID: /' "$T/wronghost.err")" \
	"mailout: queued as ID: 127.0.0.1:$RELAY_PORT: STARTTLS: certificate not valid for this host (SSL: no alternative certificate subject name matches target host name '127.0.0.1'); set host to a name the certificate holds, or tls_fingerprint (see mailout --server-info)" \
	"certificate for another name: says so, and what to set"
send wrongok "$RELAY_PORT" "$ca" 'tls_verify = false;'
is "$?/$(count "$T/r3")" "0/1" "certificate for another name, tls_verify = false: delivered"

# --- pinned: the certificate's SHA-256, or its key's; no CA needed
fp=$(cert_sha256 "$T/wrong.pem")
send fpok "$RELAY_PORT" "tls_fingerprint = \"$fp\";"
is "$?/$(count "$T/r3")/$(queued fpok)" "0/2/0" \
	"tls_fingerprint of the certificate matches: delivered"
lower=$(printf '%s' "$fp" | tr -d : | tr 'A-F' 'a-f')
send fplower "$RELAY_PORT" "tls_fingerprint = \"$lower\";"
is "$?/$(count "$T/r3")" "0/3" "tls_fingerprint in lower case, no colons: delivered"
fp_other=$(cert_sha256 "$T/server.pem")
send fpbad "$RELAY_PORT" "tls_fingerprint = \"$fp_other\";" "$ca"
is "$?/$(count "$T/r3")/$(queued fpbad)" "0/3/1" \
	"tls_fingerprint does not match: nothing sent, queued"
grep -q "fingerprint $fp does not match tls_fingerprint" "$T/fpbad.err"
ok $? "tls_fingerprint does not match: the relay's fingerprint is named"
# --server-info: the pin decides, as for a send (the CA is not known).
"$MAILOUT" -C "$T/fpok.conf" --server-info >"$T/fpok.out" 2>"$T/fpok.info"
is "$?/$(grep '^  certificate trusted: ' "$T/fpok.out")/$(cat "$T/fpok.info")" \
	"0/  certificate trusted: yes (tls_fingerprint)/" \
	"--server-info, tls_fingerprint matches: exit 0"
"$MAILOUT" -C "$T/fpbad.conf" --server-info >"$T/fpbad.out" 2>"$T/fpbad.info"
is "$?/$(cat "$T/fpbad.info")" \
	"78/mailout: 127.0.0.1:$RELAY_PORT: the certificate's SHA-256 fingerprint $fp does not match tls_fingerprint" \
	"--server-info, tls_fingerprint does not match: exit 78, the pin's words"
send pinok "$RELAY_PORT" "tls_fingerprint = \"$(key_pin "$T/wrong.pem")\";"
is "$?/$(count "$T/r3")" "0/4" "key pin matches: delivered"
send pinbad "$RELAY_PORT" "tls_fingerprint = \"$(key_pin "$T/server.pem")\";"
is "$?/$(count "$T/r3")/$(queued pinbad)" "0/4/1" \
	"key pin does not match: nothing sent, queued"
grep -q "public key" "$T/pinbad.err"
ok $? "key pin does not match: says so"

# --- client certificate
tls_relay "$T/r4" --client-ca "$T/ca.pem"
send client "$RELAY_PORT" "$ca" "tls_cert_file = \"$T/client.pem\";" \
	"tls_key_file = \"$T/client.key\";"
is "$?/$(count "$T/r4")" "0/1" "client certificate: delivered"
is "$(cat "$T/r4/msg.1/client-cert")" "CN=client.example.org" \
	"client certificate: the relay verified it"
send noclient "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r4")/$(cat "$T/r4/msg.2/client-cert")" "0/2/" \
	"no client certificate: none sent"

# --- the lowest TLS version
tls_relay "$T/r5" --tls-max 1.2
send min12 "$RELAY_PORT" "$ca" 'tls_min_version = "1.2";'
is "$?/$(cat "$T/r5/msg.1/tls")" "0/TLSv1.2" "tls_min_version 1.2, relay at most 1.2: delivered"
send min13 "$RELAY_PORT" "$ca" 'tls_min_version = "1.3";'
is "$?/$(count "$T/r5")/$(queued min13)" "0/1/1" \
	"tls_min_version 1.3, relay at most 1.2: nothing sent, queued"

# --- STARTTLS stripped (not offered) or refused: no clear text fallback
tls_relay "$T/r6" --no-starttls
send stripped "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r6")/$(queued stripped)" "0/0/1" \
	"STARTTLS not offered: nothing sent, queued"
grep -q ": STARTTLS: STARTTLS not supported" "$T/stripped.err"
ok $? "STARTTLS not offered: says so"
grep -q "^C: MAIL" "$T/r6/session.1.log"
is $? 1 "STARTTLS not offered: no MAIL in clear text"
tls_relay "$T/r7" --fault 'starttls=454 4.7.0 TLS not available'
send refused "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r7")/$(queued refused)" "0/0/1" \
	"STARTTLS refused: nothing sent, queued"

# --- tls = "none" does not try
relay_start "$T/r8"
send plain "$RELAY_PORT" 'tls = "none";'
is "$?/$(cat "$T/r8/msg.1/tls")" "0/none" "tls = none: delivered in clear text"

# --- tls_ca_file and tls_ca_dir replace the system's authorities; the
# two together are the only ones trusted.  The relay's certificate is
# signed by "ca" (B); "other" (A) signs nothing the relay shows.
hashed "$T/adir" "$T/other.pem"
hashed "$T/bdir" "$T/ca.pem"
tls_relay "$T/rt"
# mails DIR: how many sessions of the relay in DIR reached MAIL.
mails() {
	grep -l '^C: MAIL' "$1"/session.*.log 2>/dev/null | wc -l | tr -d ' '
}
# refusal NAME: the error of "send NAME", the queue id left out.
refusal() {
	sed 's/^mailout: queued as [0-9]*\.[0-9a-z]*: /mailout: queued as ID: /' \
		"$T/$1.err"
}
untrusted_line="mailout: queued as ID: 127.0.0.1:$RELAY_PORT: STARTTLS: certificate not trusted (SSL certificate problem: unable to get local issuer certificate); set tls_ca_file or tls_fingerprint (see mailout --server-info)"
send both_a_b "$RELAY_PORT" "tls_ca_file = \"$T/other.pem\";" \
	"tls_ca_dir = \"$T/bdir\";"
is "$?/$(count "$T/rt")/$(queued both_a_b)" "0/1/0" \
	"tls_ca_file A, tls_ca_dir B: the directory is trusted too, delivered"
send both_b_a "$RELAY_PORT" "tls_ca_file = \"$T/ca.pem\";" \
	"tls_ca_dir = \"$T/adir\";"
is "$?/$(count "$T/rt")/$(queued both_b_a)" "0/2/0" \
	"tls_ca_file B, tls_ca_dir A: the file is trusted too, delivered"
send both_a_a "$RELAY_PORT" "tls_ca_file = \"$T/other.pem\";" \
	"tls_ca_dir = \"$T/adir\";"
is "$?/$(count "$T/rt")/$(queued both_a_a)" "0/2/1" \
	"tls_ca_file A, tls_ca_dir A: nothing sent, queued"
is "$(refusal both_a_a)" "$untrusted_line" \
	"tls_ca_file A, tls_ca_dir A: the certificate problem is said"

# The system's store cannot be changed here, so a private mount
# namespace (root only) lays one holding B alone over libcurl's built-in
# CA file and directory, which curl -v names.  There, left to itself,
# libcurl trusts B whatever else it is given.
[ "$(id -u)" -eq 0 ] || skip_rest "not root: no system CA store to lay over"
unshare --mount --propagation private true 2>/dev/null ||
	skip_rest "no private mount namespace (unshare)"
curl -v --ssl-reqd "smtp://127.0.0.1:$RELAY_PORT/client.example.org" \
	>/dev/null 2>"$T/curl.err"
sys_file=$(sed -n 's/^\*  *CAfile: \(\/.*\)$/\1/p' "$T/curl.err")
sys_dir=$(sed -n 's/^\*  *CApath: \(\/.*\)$/\1/p' "$T/curl.err")
if [ -z "$sys_file" ] || [ -z "$sys_dir" ]; then
	skip_rest "curl -v names no built-in CA file and directory of libcurl"
fi
hashed "$T/store" "$T/ca.pem"
# (In case the file lies in the directory: the mount over it needs one.)
cp "$T/ca.pem" "$T/store/${sys_file##*/}"
# $T/in_store CMD...: run CMD where the system's authorities are B alone.
cat >"$T/in_store" <<EOF2
#!/bin/sh
exec unshare --mount --propagation private sh -c '
	mount --bind "\$1" "\$2" && mount --bind "\$3" "\$4" || exit 99
	shift 4
	exec "\$@"
' sh "$T/store" "$sys_dir" "$T/ca.pem" "$sys_file" "\$@"
EOF2
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$T/in_store" "$MAILOUT" \
	>"$T/sys-mailout"
chmod +x "$T/in_store" "$T/sys-mailout"
"$T/in_store" true || skip_rest "cannot mount over $sys_dir and $sys_file"
"$T/in_store" curl -sS --ssl-reqd --cacert "$T/other.pem" \
	"smtp://127.0.0.1:$RELAY_PORT/client.example.org" >/dev/null 2>&1
ok $? "curl --cacert A trusts B: libcurl's built-in directory holds B"
"$T/in_store" curl -sS --ssl-reqd --capath "$T/adir" \
	"smtp://127.0.0.1:$RELAY_PORT/client.example.org" >/dev/null 2>&1
ok $? "curl --capath A trusts B: libcurl's built-in file holds B"

# sys_send NAME [settings...]: send, with the system's authorities B.
sys_send() {
	_real=$MAILOUT
	MAILOUT=$T/sys-mailout
	send "$@"
	_rc=$?
	MAILOUT=$_real
	return $_rc
}
# The system's authorities: used when neither setting is.
sys_send sys "$RELAY_PORT"
is "$?/$(count "$T/rt")/$(queued sys)" "0/3/0" \
	"no tls_ca_file nor tls_ca_dir: the system's B is trusted, delivered"
sys_send file_a "$RELAY_PORT" "tls_ca_file = \"$T/other.pem\";"
rc=$?
quiesce "$T/file_a.conf"
is "$rc/$(count "$T/rt")/$(mails "$T/rt")/$(queued file_a)" "0/3/3/1" \
	"tls_ca_file A only: the system's directory is not used, nothing sent"
is "$(refusal file_a)" "$untrusted_line" \
	"tls_ca_file A only: the certificate problem is said"
sys_send dir_a "$RELAY_PORT" "tls_ca_dir = \"$T/adir\";"
rc=$?
quiesce "$T/dir_a.conf"
is "$rc/$(count "$T/rt")/$(mails "$T/rt")/$(queued dir_a)" "0/3/3/1" \
	"tls_ca_dir A only: the system's file is not used, nothing sent"
is "$(refusal dir_a)" "$untrusted_line" \
	"tls_ca_dir A only: the certificate problem is said"
sys_send file_b "$RELAY_PORT" "tls_ca_file = \"$T/ca.pem\";"
is "$?/$(count "$T/rt")/$(queued file_b)" "0/4/0" \
	"tls_ca_file B only: delivered"
sys_send dir_b "$RELAY_PORT" "tls_ca_dir = \"$T/bdir\";"
is "$?/$(count "$T/rt")/$(queued dir_b)" "0/5/0" \
	"tls_ca_dir B only: delivered"

# --server-info connects with the same trust.
"$T/sys-mailout" -C "$T/file_a.conf" --server-info >"$T/info" 2>"$T/info.err"
is "$?/$(grep '^  certificate trusted: ' "$T/info")" \
	"78/  certificate trusted: no: SSL certificate problem: unable to get local issuer certificate" \
	"--server-info, tls_ca_file A only: the system's directory is not used (exit 78)"
"$T/sys-mailout" -C "$T/dir_a.conf" --server-info >"$T/info" 2>"$T/info.err"
is "$?/$(grep '^  certificate trusted: ' "$T/info")" \
	"78/  certificate trusted: no: SSL certificate problem: unable to get local issuer certificate" \
	"--server-info, tls_ca_dir A only: the system's file is not used (exit 78)"
"$T/sys-mailout" -C "$T/sys.conf" --server-info >"$T/info" 2>"$T/info.err"
is "$?/$(grep '^  certificate trusted: ' "$T/info")" \
	"0/  certificate trusted: yes" \
	"--server-info, neither setting: the system's B is trusted"

done_testing
