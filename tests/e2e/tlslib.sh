# Certificates for the TLS tests, made by openssl in the scratch
# directory: a CA; a server certificate for localhost and 127.0.0.1; one
# for another name (wrong.test); a client certificate; a second CA that
# signs none of them.  Sourced after lib.sh.

"$OPENSSL" version >/dev/null 2>&1 || skip_all "no openssl"

# cert NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
cert() {
	"$OPENSSL" req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/$1.key" -out "$T/$1.csr" -subj "$2" \
		2>/dev/null &&
		printf '%s\n' "$3" >"$T/$1.ext" &&
		"$OPENSSL" x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" \
			-CAkey "$T/ca.key" -set_serial "$4" -days 2 \
			-extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null
}

# make_ca NAME SUBJECT: a self-signed CA, $T/NAME.pem and $T/NAME.key.
make_ca() {
	"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
		-subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_certs() {
	make_ca ca "/CN=mailout test CA" &&
		make_ca other "/CN=mailout other CA" &&
		cert server "/CN=localhost" \
			"subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth" 1 &&
		cert wrong "/CN=wrong.test" \
			"subjectAltName=DNS:wrong.test
extendedKeyUsage=serverAuth" 2 &&
		cert client "/CN=client.example.org" \
			"extendedKeyUsage=clientAuth" 3 ||
		skip_all "openssl cannot make the test certificates"
}

# SHA-256 of a certificate, as "openssl x509 -fingerprint" writes it.
cert_sha256() {
	"$OPENSSL" x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'
}

# SHA-256 of its public key, as libcurl pins it.
key_pin() {
	printf 'sha256//%s\n' "$("$OPENSSL" x509 -in "$1" -pubkey -noout |
		"$OPENSSL" pkey -pubin -outform der |
		"$OPENSSL" dgst -sha256 -binary | base64)"
}

# tls_relay DIR [options]: a relay with STARTTLS and the server certificate.
tls_relay() {
	_d=$1
	shift
	relay_start "$_d" --tls-cert "$T/server.pem" --tls-key "$T/server.key" "$@"
}

# hashed DIR CERT...: a directory of the certificates, named by their
# subject hashes as libcurl's CA directory must be (openssl rehash).
hashed() {
	_h=$1
	shift
	mkdir -p "$_h" && cp "$@" "$_h" && "$OPENSSL" rehash "$_h"
}
