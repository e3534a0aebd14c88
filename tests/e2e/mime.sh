#!/bin/sh
# Long lines, NUL, lone CR and 8-bit bodies, end to end: what the relay
# stores must be valid (no line over 998 octets, none over 76 where
# re-encoded) and must decode to exactly what was submitted.
. "${srcdir:-.}/tests/e2e/lib.sh"

relay_start "$T/r"
conf "$T/c.conf" "$RELAY_PORT"
M() { before_send "$T/r" && "$MAILOUT" -C "$T/c.conf" "$@"; }
hdr='From: a@example.com
To: b@example.com
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <mime@example.org>'

# check IN STORED: python checks, one line of output per check.
#   longest  the longest line of STORED, CRLF excluded
#   same     "same" when every leaf part of STORED decodes to the
#            corresponding leaf of IN (LF turned into CRLF first)
check() {
	"$PYTHON3" - "$1" "$2" <<'EOP'
import email, sys
inp = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
got = open(sys.argv[2], "rb").read()
print(max(len(l) for l in got.split(b"\r\n")))
def leaves(raw):
    m = email.message_from_bytes(raw)
    return [(p.get_content_type(), p.get_payload(decode=True))
            for p in m.walk() if not p.is_multipart()]
a, b = leaves(inp), leaves(got)
print("same" if a == b else "differ: %r" % [x[0] for x, y in zip(a, b) if x != y])
EOP
}

# --- a 2,000-octet line arrives as valid quoted-printable.
{
	printf '%s\nSubject: long line\n\n' "$hdr"
	printf 'short line\n'
	head -c 1999 /dev/zero | tr '\0' 'x'
	printf ' \nlast line\n'
} >"$T/long.in"
M -t <"$T/long.in"
is $? 0 "2,000-octet line: exit 0"
last data >"$T/got"
check "$T/long.in" "$T/got" >"$T/res"
is "$(sed -n 1p "$T/res")" 76 "2,000-octet line: no line over 76 octets"
is "$(sed -n 2p "$T/res")" same "2,000-octet line: decodes to the original"
grep -c '^Content-Transfer-Encoding: quoted-printable.$' "$T/got" >"$T/n"
is "$(cat "$T/n")" 1 "2,000-octet line: labelled quoted-printable"
grep -q '^MIME-Version: 1.0.$' "$T/got"
ok $? "2,000-octet line: MIME-Version added"
grep -q '^Content-Type' "$T/got"
is $? 1 "2,000-octet line: ASCII: no Content-Type added (text/plain; us-ascii)"
"$PYTHON3" -c '
import quopri, sys
raw = open(sys.argv[1], "rb").read().split(b"\r\n\r\n", 1)[1]
want = open(sys.argv[2], "rb").read().split(b"\n\n", 1)[1].replace(b"\n", b"\r\n")
sys.exit(quopri.decodestring(raw) != want)' "$T/got" "$T/long.in"
ok $? "2,000-octet line: quopri decodes the body to the original octets"

# An existing Content-Transfer-Encoding is replaced, not doubled.
{
	printf '%s\nSubject: 8bit\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n' "$hdr"
	head -c 1200 /dev/zero | tr '\0' 'y'
	printf '\303\251\n'
} >"$T/8long.in"
M -t <"$T/8long.in"
last data >"$T/got"
check "$T/8long.in" "$T/got" >"$T/res"
is "$(sed -n 2p "$T/res")" same "long UTF-8 line: decodes to the original"
grep -c '^Content-Transfer-Encoding' "$T/got" >"$T/n"
is "$(cat "$T/n")" 1 "long UTF-8 line: one Content-Transfer-Encoding"
grep -q '^Content-Transfer-Encoding: quoted-printable.$' "$T/got"
ok $? "long UTF-8 line: 8bit replaced by quoted-printable"
grep -q '^Content-Type: text/plain; charset=UTF-8.$' "$T/got"
ok $? "long UTF-8 line: Content-Type kept"

# --- NUL octets: quoted-printable too (=00), never sent raw.
printf '%s\nSubject: nul\n\na\000b\nplain\n' "$hdr" >"$T/nul.in"
M -t <"$T/nul.in"
is $? 0 "NUL in the body: exit 0"
last data >"$T/got"
is "$(tr -d '\r' <"$T/got" | sed -n '/^$/,$p' | sed 1d)" "a=00b
plain" "NUL in the body: sent as =00"
check "$T/nul.in" "$T/got" >"$T/res"
is "$(sed -n 2p "$T/res")" same "NUL in the body: decodes to the original"

# --- a lone CR ends a line, in the body and in the header.
printf '%s\nSubject: cr\n\none\rtwo\r\nthree\n' "$hdr" >"$T/cr.in"
M -t <"$T/cr.in"
printf '%s\nSubject: cr\n\none\ntwo\nthree\n' "$hdr" | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "a lone CR in the body is a line end"
printf 'From: a@example.com\rTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <cr2@example.org>\n\nbody\n' | M -t
printf 'From: a@example.com\nTo: b@example.com\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <cr2@example.org>\n\nbody\n' | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "a lone CR in the header is a line end"
is "$(last rcpt)" "<b@example.com>" "a lone CR in the header: the To after it counts"

# --- 8-bit bodies without MIME labels get them.
printf '%s\nSubject: at job\n\nr\303\251sum\303\251\n' "$hdr" >"$T/u8.in"
M -t <"$T/u8.in"
printf '%s\nSubject: at job\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nr\303\251sum\303\251\n' "$hdr" | crlf >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "8-bit UTF-8 body: MIME-Version, UTF-8, 8bit added"
printf '%s\nSubject: latin-1\n\nr\351sum\351\n' "$hdr" | M -t
last data | grep '^Content-Type: ' | tr -d '\r' >"$T/got"
is "$(cat "$T/got")" "Content-Type: text/plain; charset=unknown-8bit" \
	"8-bit body, not UTF-8: charset=unknown-8bit"
# anacron writes Content-Type alone.
printf '%s\nSubject: anacron\nContent-Type: text/plain; charset=UTF-8\n\n\303\251\n' "$hdr" | M -t
last data >"$T/got"
is "$(grep -c -e '^MIME-Version: 1.0' -e '^Content-Type: text/plain; charset=UTF-8' -e '^Content-Transfer-Encoding: 8bit' "$T/got")" 3 \
	"Content-Type alone: MIME-Version and 8bit added, Content-Type kept"
printf '%s\nSubject: 8-bit header \303\251\n\nascii body\n' "$hdr" >"$T/h8.in"
M -t <"$T/h8.in"
crlf <"$T/h8.in" >"$T/want"
last data >"$T/got"
same_file "$T/got" "$T/want" "UTF-8 in a header (RFC 6532), ASCII body: unchanged"

# --- multipart: only the part with the long line is re-encoded.
L=$(head -c 1500 /dev/zero | tr '\0' 'y')
B=$(head -c 2000 /dev/urandom | base64 -w 0)
cat >"$T/mp.in" <<EOM
$hdr
Subject: multipart
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_outer"

This is a preamble.
--=_outer
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

short and sweet: caf$(printf '\303\251')
--=_outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

$L
--inner
Content-Type: text/html

<p>ok</p>
--inner--
--=_outer
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

$B
--=_outer--
EOM
M -t <"$T/mp.in"
is $? 0 "multipart: exit 0"
last data >"$T/got"
check "$T/mp.in" "$T/got" >"$T/res"
is "$(sed -n 1p "$T/res")" 76 "multipart: no line over 76 octets"
is "$(sed -n 2p "$T/res")" same "multipart: every part decodes to the original"
grep -c 'quoted-printable' "$T/got" >"$T/n"
is "$(cat "$T/n")" 1 "multipart: one part re-encoded as quoted-printable"
crlf <"$T/mp.in" | sed -n '/^short and sweet/p' >"$T/a"
sed -n '/^short and sweet/p' "$T/got" >"$T/b"
same_file "$T/b" "$T/a" "multipart: the 8bit part passes byte for byte"
grep -B1 -A3 '^Content-Type: text/plain.$' "$T/got" | tr -d '\r' | head -4 >"$T/b"
printf -- '--inner\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n' >"$T/a"
same_file "$T/b" "$T/a" "multipart: the long part's header gets its encoding"

# A long line inside a message/rfc822 part cannot be re-encoded.
cat >"$T/msg822.in" <<EOM
$hdr
Subject: forwarded
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822

Subject: inner

$L
--b--
EOM
n=$(count "$T/r")
M -t <"$T/msg822.in" 2>"$T/err"
is $? 65 "long line in a message/rfc822 part: exit 65"
is "$(cat "$T/err")" "mailout: a message/rfc822 part has a line longer than 998 octets or a NUL octet, and cannot be re-encoded" \
	"long line in a message/rfc822 part: says why"
is "$(count "$T/r")" "$n" "long line in a message/rfc822 part: nothing sent"

# Long lines in a body already quoted-printable or base64 are cut.
{
	printf '%s\nSubject: qp\nMIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\n' "$hdr"
	i=0
	while [ $i -lt 300 ]; do printf 'ab=3D'; i=$((i + 1)); done
	printf '\n'
} >"$T/qp.in"
M -t <"$T/qp.in"
last data >"$T/got"
check "$T/qp.in" "$T/got" >"$T/res"
is "$(sed -n 1p "$T/res")" 76 "a 1,500-octet quoted-printable line: cut to 76"
is "$(sed -n 2p "$T/res")" same "a 1,500-octet quoted-printable line: same text"
{
	printf '%s\nSubject: b64\nMIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n' "$hdr"
	printf '%s\n' "$B"
} >"$T/b64.in"
M -t <"$T/b64.in"
last data >"$T/got"
check "$T/b64.in" "$T/got" >"$T/res"
is "$(sed -n 1p "$T/res")" 76 "a 2,668-octet base64 line: cut to 76"
is "$(sed -n 2p "$T/res")" same "a 2,668-octet base64 line: same data"
printf '%s\nSubject: uu\nContent-Transfer-Encoding: x-uuencode\n\n%s\n' "$hdr" "$L" |
	M -t 2>"$T/err"
is $? 65 "a long line in x-uuencode: exit 65"

done_testing
