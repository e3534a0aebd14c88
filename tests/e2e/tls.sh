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
grep -q " tls=$(cat "$T/r1/msg.1/tls") cipher=[A-Z0-9_-]* auth=none " "$T/ok.log"
ok $? "STARTTLS: the log line names the TLS version and cipher"
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
grep -q "certificate" "$T/untrusted.err"
ok $? "untrusted certificate: says so"
send noverify "$RELAY_PORT" 'tls = "tls";' 'tls_verify = false;'
is "$?/$(count "$T/r2")/$(queued noverify)" "0/2/0" \
	"untrusted certificate, tls_verify = false: delivered"

# --- a certificate for another name: refused unless tls_verify = false
relay_start "$T/r3" --tls-cert "$T/wrong.pem" --tls-key "$T/wrong.key"
send wronghost "$RELAY_PORT" "$ca"
is "$?/$(count "$T/r3")/$(queued wronghost)" "0/0/1" \
	"certificate for another name: nothing sent, queued"
grep -q "127.0.0.1\|name" "$T/wronghost.err"
ok $? "certificate for another name: says so"
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

done_testing
