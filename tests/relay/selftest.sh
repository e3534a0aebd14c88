#!/bin/sh
# Self-test of the test relay (tests/relay/relay.py).  Output is TAP.
#
# Every check talks to a relay started in a temporary directory, using
# Python's smtplib or curl, and looks at the replies and the stored files.

set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${PYTHON3:=/usr/bin/python3}"
: "${OPENSSL:=openssl}"
RELAY=$here/relay.py
T=$(mktemp -d "${TMPDIR:-/tmp}/relay-selftest.XXXXXX") || exit 1
pids=
n=0
failed=0

cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# ---- TAP helpers

check() {   # DESCRIPTION COMMAND...: one test point
    desc=$1
    shift
    n=$((n + 1))
    if "$@" >"$T/out" 2>&1; then
        echo "ok $n - $desc"
    else
        failed=$((failed + 1))
        echo "not ok $n - $desc"
        sed 's/^/# /' "$T/out"
    fi
}

# ---- relays

start_relay() {     # NAME ARGS...: start a relay with DIR $T/NAME
    name=$1
    shift
    mkdir -p "$T/$name"
    "$PYTHON3" "$RELAY" --dir "$T/$name" "$@" 2>"$T/$name.err" &
    pids="$pids $!"
    i=0
    while [ ! -s "$T/$name/port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 $! 2>/dev/null; then
            echo "Bail out! relay $name did not start"
            sed 's/^/# /' "$T/$name.err"
            exit 1
        fi
        sleep 0.05
    done
}

last_msg() {        # NAME: the newest DIR/msg.N (they are numbered 1, 2, ...)
    echo "$T/$1/msg.$(find "$T/$1" -maxdepth 1 -name 'msg.*' | wc -l)"
}

set_faults() {      # NAME TEXT: replace DIR/faults atomically
    printf '%s\n' "$2" >"$T/$1/faults.new" && mv "$T/$1/faults.new" "$T/$1/faults"
}

# Helpers for the Python snippets: D is the relay directory, P its port.
PRELUDE='
import base64, hashlib, hmac, os, smtplib, socket, ssl, subprocess, sys, time
D = os.environ["D"]
P = int(open(D + "/port").read())
PKI = os.environ["PKI"]
MSG = b"Subject: test\r\n\r\nhello\r\n"

def connect(**kw):
    return smtplib.SMTP("127.0.0.1", P, timeout=5, **kw)

def tls_client(cert=False):
    ctx = ssl.create_default_context(cafile=PKI + "/ca.crt")
    if cert:
        ctx.load_cert_chain(PKI + "/client.crt", PKI + "/client.key")
    return ctx

def expect(got, code, text=None):
    if got[0] != code or (text and text.encode() not in got[1]):
        sys.exit("expected %s %s, got %r" % (code, text or "", got))

def gone(fn, *args):
    """fn(*args) must find the connection closed by the relay."""
    try:
        got = fn(*args)
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        return
    sys.exit("connection still open, got %r" % (got,))

def numbers(kind="msg"):
    return sorted(int(n.split(".")[1]) for n in os.listdir(D)
                  if n.startswith(kind + "."))

def stored(name, n=None, kind="msg"):
    n = n or numbers(kind)[-1]
    return open("%s/%s.%d/%s" % (D, kind, n, name), "rb").read()

def same(got, want):
    if got != want:
        sys.exit("expected %r, got %r" % (want, got))

class Raw:
    """A client on a plain socket: writes whole flights, reads replies."""

    def __init__(self):
        self.sock = socket.create_connection(("127.0.0.1", P), timeout=5)
        self.file = self.sock.makefile("rb")
        same(self.replies(1)[0][:4], "220 ")

    def write(self, data):
        self.sock.sendall(data)

    def replies(self, n):
        """The last lines of the next n replies."""
        got = []
        while len(got) < n:
            line = self.file.readline()
            if not line:
                sys.exit("connection closed; replies so far %r" % got)
            if line[3:4] != b"-":
                got.append(line.rstrip(b"\r\n").decode())
        return got

    def codes(self, n):
        return " ".join(r[:3] for r in self.replies(n))

def log_lines(session):
    return open("%s/session.%d.log" % (D, session), "rb").read().decode(
        "utf-8", "replace").splitlines()

def send(s, rcpts=("<r@x.example>",), msg=MSG):
    """One transaction on an open session; the end-of-data reply."""
    expect(s.mail("<s@x.example>"), 250)
    for r in rcpts:
        expect(s.rcpt(r), 250)
    return s.data(msg)
'

py() {      # NAME CODE: run Python CODE against relay NAME
    D=$T/$1 PKI=$T/pki ROOT=$T "$PYTHON3" -c "$PRELUDE
$2"
}

req() {     # openssl req with a new P-256 key
    "$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@"
}

make_pki() (    # a CA, a server certificate and a client certificate
    mkdir -p "$T/pki" && cd "$T/pki" &&
    req -x509 -keyout ca.key -out ca.crt -days 2 -subj "/CN=Relay Test CA" &&
    req -keyout server.key -out server.csr -subj "/CN=localhost" &&
    echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >server.ext &&
    "$OPENSSL" x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
        -CAcreateserial -days 2 -extfile server.ext -out server.crt &&
    req -keyout client.key -out client.csr \
        -subj "/O=Relay Test/CN=mail client" &&
    echo "extendedKeyUsage=clientAuth" >client.ext &&
    "$OPENSSL" x509 -req -in client.csr -CA ca.crt -CAkey ca.key \
        -CAcreateserial -days 2 -extfile client.ext -out client.crt
)
if ! make_pki >"$T/pki.log" 2>&1; then
    echo "Bail out! openssl could not make the test certificates"
    sed 's/^/# /' "$T/pki.log"
    exit 1
fi
start_tls_relay() {     # NAME ARGS...: a relay with the test certificate
    name=$1
    shift
    start_relay "$name" --tls-cert "$T/pki/server.crt" \
        --tls-key "$T/pki/server.key" "$@"
}

# ================================================================ plain

start_relay plain --size 1000

check "start-up files: port, pid, sessions" py plain '
same(int(open(D + "/pid").read()) > 1, True)
same(open(D + "/sessions").read(), "0")
'

printf 'Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nend\r\n' >"$T/dots.eml"
curl_dots() {
    curl -sS --mail-from '<from@x.example>' --mail-rcpt 'to@x.example' \
        --upload-file "$T/dots.eml" \
        "smtp://127.0.0.1:$(cat "$T/plain/port")/client.example"
}
check "curl delivery" curl_dots
check "data is byte-exact after unstuffing" py plain '
same(stored("data"), open(os.environ["ROOT"] + "/dots.eml", "rb").read())
'
check "data.raw keeps the dot-stuffing" py plain '
same(stored("data.raw"), b"Subject: dots\r\n\r\n..\r\n...\r\n..x\r\nend\r\n")
'
check "envelope files of a curl delivery" py plain '
same(stored("helo"), b"client.example")
same(stored("helo.verb"), b"EHLO")
size = os.path.getsize(os.environ["ROOT"] + "/dots.eml")
same(stored("mail"), b"<from@x.example> SIZE=%d" % size)
same(stored("rcpt"), b"<to@x.example>\n")
same(stored("tls"), b"none")
same(stored("auth"), b"")
same(stored("client-cert"), b"")
same(stored("session"), b"1")
'
check "transcript records both directions" py plain '
log = open(D + "/session.1.log", "rb").read()
for line in (b"S: 220 relay.test ESMTP", b"C: MAIL FROM:<from@x.example> SIZE=",
             b"C: ...", b"S: 250 2.0.0 Ok: queued as 1", b"S: 221 2.0.0 Bye"):
    if not any(l.startswith(line) for l in log.splitlines()):
        sys.exit("missing %r in\n%s" % (line, log.decode()))
'
check "two transactions in one session, exact MAIL and RCPT arguments" py plain '
s = connect()
s.ehlo("two.example")
first = numbers()[-1]
expect(s.mail("<a@x.example>", ["BODY=8BITMIME"]), 250)
expect(s.rcpt("<b@x.example>"), 250)
expect(s.docmd("RCPT", "TO:<c@x.example> NOTIFY=NEVER"), 250)
expect(s.data(MSG), 250, "queued as %d" % (first + 1))
expect(send(s, msg=b"second\r\n"), 250, "queued as %d" % (first + 2))
s.quit()
same(stored("mail", first + 1), b"<a@x.example> BODY=8BITMIME")
same(stored("rcpt", first + 1), b"<b@x.example>\n<c@x.example> NOTIFY=NEVER\n")
same(stored("data", first + 2), b"second\r\n")
same(stored("session", first + 1), stored("session", first + 2))
'
check "HELO, sequence errors, RSET and NOOP" py plain '
s = connect()
expect(s.docmd("MAIL", "FROM:<a@x.example>"), 503)
expect(s.helo("old.example"), 250)
expect(s.rcpt("<b@x.example>"), 503)
expect(s.mail("<a@x.example>"), 250)
expect(s.mail("<a@x.example>"), 503)
expect(s.docmd("DATA"), 554)
expect(s.rset(), 250)
expect(s.noop(), 250)
expect(s.rcpt("<b@x.example>"), 503)
expect(send(s), 250)
s.quit()
same(stored("helo.verb"), b"HELO")
same(stored("helo"), b"old.example")
'
check "--size: advertised, MAIL SIZE= and end-of-data rejections" py plain '
s = connect()
s.ehlo()
same(s.esmtp_features.get("size"), "1000")
expect(s.mail("<a@x.example>", ["SIZE=1001"]), 552)
before = numbers()
expect(send(s, msg=b"x" * 998 + b"\r\n"), 250)
expect(send(s, msg=b"x" * 999 + b"\r\n"), 552)
same(len(numbers()), len(before) + 1)
'
check "EHLO lists no STARTTLS or AUTH without certificate and users" py plain '
s = connect()
s.ehlo()
same(sorted(s.esmtp_features), ["8bitmime", "enhancedstatuscodes", "size"])
expect(s.docmd("STARTTLS"), 454)
expect(s.docmd("AUTH", "PLAIN"), 503)
'

# ================================================================ faults

start_relay f --auth-without-tls --auth user:secret

set_faults f 'greeting=554 5.3.2 no service'
check "greeting reply: 554, then 503 until QUIT" py f '
s = smtplib.SMTP(timeout=5)
expect(s.connect("127.0.0.1", P), 554, "no service")
expect(s.docmd("EHLO", "x"), 503)
expect(s.docmd("QUIT"), 221)
'
set_faults f 'greeting=421 4.3.2 busy'
check "greeting=421 replies and closes" py f '
s = smtplib.SMTP(timeout=5)
expect(s.connect("127.0.0.1", P), 421, "busy")
gone(s.noop)
'
set_faults f 'greeting=drop'
check "greeting=drop" py f 'gone(connect)'
set_faults f 'greeting=sleep:0.4'
check "greeting=sleep:0.4 delays the greeting" py f '
t = time.time()
s = connect()
same(time.time() - t >= 0.4, True)
s.ehlo()
expect(send(s), 250)
'
set_faults f 'ehlo=550 5.7.1 go away'
check "ehlo reply affects EHLO and HELO" py f '
s = connect()
expect(s.ehlo(), 550, "go away")
expect(s.helo(), 550)
'
set_faults f 'ehlo=drop'
check "ehlo=drop" py f 'gone(connect().ehlo)'
set_faults f 'ehlo=250 relay.test'
check "ehlo with a 250 reply: EHLO succeeds with no extensions" py f '
s = connect()
expect(s.ehlo(), 250)
same(s.esmtp_features, {})
expect(send(s), 250)
'
set_faults f 'auth=454 4.7.0 temporary failure'
check "auth reply" py f '
s = connect()
s.ehlo()
expect(s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0user\0secret").decode()), 454)
'
set_faults f 'auth=drop'
check "auth=drop" py f '
s = connect()
s.ehlo()
gone(s.docmd, "AUTH", "PLAIN")
'
set_faults f 'mail=451 4.3.0 try later'
check "mail reply" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 451, "try later")
expect(s.rcpt("<b@x.example>"), 503)
'
set_faults f 'mail=drop'
check "mail=drop" py f '
s = connect()
s.ehlo()
gone(s.mail, "<a@x.example>")
'
set_faults f 'mail=sleep:0.3:421 4.3.2 shutting down'
check "mail=sleep:S:421 waits, replies and closes" py f '
s = connect()
s.ehlo()
t = time.time()
expect(s.mail("<a@x.example>"), 421, "shutting down")
same(time.time() - t >= 0.3, True)
gone(s.noop)
'
set_faults f 'rcpt=450 4.2.0 mailbox busy'
check "rcpt reply" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<b@x.example>"), 450, "busy")
expect(s.rcpt("<c@x.example>"), 450)
'
set_faults f 'rcpt=drop'
check "rcpt=drop" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
gone(s.rcpt, "<b@x.example>")
'
set_faults f 'rcpt:Bad@X.example=550 5.1.1 no such user'
check "rcpt:ADDR rejects only that recipient" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<good@x.example>"), 250)
expect(s.rcpt("<bad@x.example>"), 550, "no such user")
expect(s.rcpt("<also@x.example>"), 250)
expect(s.data(MSG), 250)
same(stored("rcpt"), b"<good@x.example>\n<also@x.example>\n")
'
set_faults f 'rcpt:bad@x.example=550-5.1.1 no such user\n550 5.1.1 try another'
check "a reply of several lines" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<bad@x.example>"), 550,
       "5.1.1 no such user\n5.1.1 try another")
n = open(D + "/sessions").read().strip()
log = open("%s/session.%s.log" % (D, n), "rb").read()
same(b"S: 550-5.1.1 no such user\nS: 550 5.1.1 try another\n" in log, True)
'
set_faults f 'eod=250-2.0.0 Ok\n250 2.0.0 queued as MULTI'
check "a success reply of several lines" py f '
s = connect()
s.ehlo()
expect(send(s), 250, "2.0.0 Ok\n2.0.0 queued as MULTI")
'
set_faults f 'data=452 4.3.1 out of memory'
check "data reply" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<b@x.example>"), 250)
expect(s.docmd("DATA"), 452)
'
set_faults f 'data=drop'
check "data=drop" py f '
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<b@x.example>"), 250)
gone(s.docmd, "DATA")
'
set_faults f 'body=drop'
check "body=drop closes during DATA, nothing stored" py f '
before = numbers()
s = connect()
s.ehlo()
gone(send, s)
same(numbers(), before)
'
set_faults f 'body=552 5.3.4 too big'
check "body reply comes early; session goes on" py f '
before = numbers()
s = connect()
s.ehlo()
expect(send(s), 552, "too big")
same(numbers(), before)
expect(s.noop(), 250)
'
set_faults f 'body=sleep:0.4'
check "body=sleep:0.4 stalls, then stores" py f '
before = numbers()
s = connect()
s.ehlo()
t = time.time()
expect(send(s), 250)
same(time.time() - t >= 0.4, True)
same(len(numbers()), len(before) + 1)
'
check "long DATA lines and bare LF are stored exactly" py f '
body = b".a\r\n" + b"x" * 20000 + b"\r\nbare\n.lf\n\r\n"
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
expect(s.rcpt("<b@x.example>"), 250)
expect(s.docmd("DATA"), 354)
s.send(b"." + body + b".\r\n")
expect(s.getreply(), 250)
same(stored("data.raw"), b"." + body)
same(stored("data"), body)
'
set_faults f 'eod=sleep:0.6'
check "eod=sleep: a client hanging up meanwhile still gets msg.N stored" py f '
before = numbers()
s = connect()
s.ehlo()
s.timeout = 0.2
s.sock.settimeout(0.2)
try:
    send(s)
    sys.exit("got a reply before the sleep was over")
except (TimeoutError, smtplib.SMTPServerDisconnected):
    pass
s.close()
time.sleep(0.2)
same(numbers(), before)
time.sleep(0.6)
same(len(numbers()), len(before) + 1)
'
set_faults f 'eod=451 4.3.0 queue full'
check "eod reply, nothing stored" py f '
before = numbers()
s = connect()
s.ehlo()
expect(send(s), 451, "queue full")
same(numbers(), before)
expect(send(s), 451)
'
set_faults f 'eod=drop'
check "eod=drop closes without reply and stores dropped.N" py f '
before = numbers()
s = connect()
s.ehlo()
gone(send, s)
same(numbers(), before)
same(numbers("dropped"), [1])
same(stored("data", 1, "dropped"), MSG)
same(stored("rcpt", 1, "dropped"), b"<r@x.example>\n")
'
set_faults f 'eod=250 2.0.0 Ok: queued as CUSTOM'
check "eod with a 250 reply stores and uses its text" py f '
before = numbers()
s = connect()
s.ehlo()
expect(send(s), 250, "CUSTOM")
same(len(numbers()), len(before) + 1)
'
set_faults f 'rset=421 4.3.2 bye'
check "rset reply" py f '
s = connect()
s.ehlo()
expect(s.rset(), 421)
gone(s.noop)
'
set_faults f 'rset=drop'
check "rset=drop" py f '
s = connect()
s.ehlo()
gone(s.rset)
'
set_faults f 'quit=500 5.5.1 not now'
check "quit reply keeps the session" py f '
s = connect()
s.ehlo()
expect(s.docmd("QUIT"), 500)
expect(s.noop(), 250)
'
set_faults f 'quit=drop'
check "quit=drop" py f '
s = connect()
s.ehlo()
gone(s.docmd, "QUIT")
'
# Session numbers are absolute: aim the faults at the next five sessions.
s=$(cat "$T/f/sessions")
set_faults f "# comment

mail=451 4.3.0 two sessions@$((s + 1))-$((s + 2))
eod=451 4.3.0 from the fourth on@$((s + 4))-"
check "DIR/faults is re-read at each connection; @N-M and @N- ranges" py f '
codes = []
for i in range(5):
    s = connect()
    s.ehlo()
    code = s.mail("<a@x.example>")[0]
    if code == 250:
        expect(s.rcpt("<b@x.example>"), 250)
        code = s.data(MSG)[0]
    codes.append(code)
same(codes, [451, 451, 250, 451, 451])
'
rm -f "$T/f/faults"

start_relay once --fault 'greeting=421 4.3.2 busy@1' --fault 'mail=451 4.3.0 later@2-'
check "--fault with @1 and @2-: session 1 only, session 2 onward" py once '
s = smtplib.SMTP(timeout=5)
expect(s.connect("127.0.0.1", P), 421)
for session in (2, 3):
    s = connect()
    s.ehlo()
    expect(s.mail("<a@x.example>"), 451)
same(open(D + "/sessions").read(), "3")
'
check "DIR/faults replaces the command-line faults, and back" py once '
open(D + "/faults.new", "w").write("# nothing\n")
os.rename(D + "/faults.new", D + "/faults")
s = connect()
s.ehlo()
expect(send(s), 250)
os.unlink(D + "/faults")
s = connect()
s.ehlo()
expect(s.mail("<a@x.example>"), 451)
'

# ================================================================ TLS

start_tls_relay tls --auth user:secret --client-ca "$T/pki/ca.crt"

check "STARTTLS: offered, EHLO again, AUTH only after TLS" py tls '
s = connect()
s.ehlo()
same("starttls" in s.esmtp_features, True)
same("auth" in s.esmtp_features, False)
expect(s.docmd("AUTH", "PLAIN"), 538)
expect(s.mail("<a@x.example>"), 250)
expect(s.starttls(context=tls_client()), 220)
expect(s.mail("<a@x.example>"), 503)
s.ehlo("tls.example")
same("starttls" in s.esmtp_features, False)
same(s.esmtp_features.get("auth"), " PLAIN LOGIN")
expect(send(s), 250)
same(stored("tls"), b"TLSv1.3")
same(stored("client-cert"), b"")
same(stored("helo"), b"tls.example")
'
check "client certificate subject is recorded" py tls '
s = connect()
s.starttls(context=tls_client(cert=True))
s.ehlo()
expect(send(s), 250)
same(stored("client-cert"), b"CN=mail client,O=Relay Test")
'
check "clear text sent after STARTTLS is discarded" py tls '
s = connect()
s.ehlo()
s.sock.sendall(b"STARTTLS\r\nMAIL FROM:<injected@x.example>\r\n")
expect(s.getreply(), 220)
s.sock = tls_client().wrap_socket(s.sock, server_hostname="localhost")
s.file = None
s.ehlo()
expect(s.mail("<a@x.example>"), 250)
'
curl_auth() {   # MECH: deliver over STARTTLS with AUTH MECH
    curl -sS --ssl-reqd --cacert "$T/pki/ca.crt" --user user:secret \
        --login-options "AUTH=$1" --mail-from a@x.example \
        --mail-rcpt b@x.example --upload-file "$T/dots.eml" \
        "smtp://localhost:$(cat "$T/tls/port")/" &&
    [ "$(cat "$(last_msg tls)/auth")" = "$1 user" ]
}
curl_starttls() {
    curl -sS --ssl-reqd --cacert "$T/pki/ca.crt" --mail-from a@x.example \
        --mail-rcpt b@x.example --upload-file "$T/dots.eml" \
        "smtp://localhost:$(cat "$T/tls/port")/" &&
    [ "$(cat "$(last_msg tls)/tls")" = TLSv1.3 ]
}
check "curl over STARTTLS with --ssl-reqd" curl_starttls
check "curl AUTH PLAIN" curl_auth PLAIN
check "curl AUTH LOGIN" curl_auth LOGIN
set_faults tls 'starttls=454 4.7.0 TLS not available'
check "starttls reply" py tls '
s = connect()
s.ehlo()
expect(s.docmd("STARTTLS"), 454)
expect(send(s), 250)
same(stored("tls"), b"none")
'
set_faults tls 'starttls=drop'
check "starttls=drop" py tls '
s = connect()
s.ehlo()
gone(s.docmd, "STARTTLS")
'
rm -f "$T/tls/faults"

auth_checks() {
    py tls '
s = connect()
s.starttls(context=tls_client())
s.ehlo()
b64 = lambda b: base64.b64encode(b).decode()
# PLAIN with an initial response, then without
expect(s.docmd("AUTH", "PLAIN " + b64(b"\0user\0secret")), 235)
expect(send(s), 250)
same(stored("auth"), b"PLAIN user")
s.quit()
s = connect()
s.starttls(context=tls_client())
s.ehlo()
expect(s.docmd("AUTH", "PLAIN"), 334)
expect(s.docmd(b64(b"\0user\0wrong")), 535, "5.7.8")
expect(s.docmd("AUTH", "PLAIN"), 334)
expect(s.docmd(b64(b"authz\0user\0secret")), 235)
expect(s.docmd("AUTH", "PLAIN"), 503)
'
}
check "AUTH PLAIN with and without initial response, wrong secret" auth_checks

check "AUTH LOGIN with and without initial response, wrong secret" py tls '
b64 = lambda b: base64.b64encode(b).decode()
s = connect()
s.starttls(context=tls_client())
s.ehlo()
expect(s.docmd("AUTH", "LOGIN"), 334, b64(b"Username:"))
expect(s.docmd(b64(b"user")), 334, b64(b"Password:"))
expect(s.docmd(b64(b"nope")), 535)
expect(s.docmd("AUTH", "LOGIN " + b64(b"user")), 334)
expect(s.docmd(b64(b"secret")), 235)
expect(send(s), 250)
same(stored("auth"), b"LOGIN user")
'
check "smtplib login() over TLS" py tls '
s = connect()
s.starttls(context=tls_client())
s.ehlo()
try:
    s.login("user", "wrong")
    sys.exit("wrong secret accepted")
except smtplib.SMTPAuthenticationError as e:
    same(e.smtp_code, 535)
s.login("user", "secret")
'

start_relay mechs --auth-without-tls --auth alice:s3cret --auth bob:token-b \
    --auth-mechs CRAM-MD5,XOAUTH2,OAUTHBEARER,PLAIN
check "AUTH CRAM-MD5, XOAUTH2, OAUTHBEARER" py mechs '
b64 = lambda b: base64.b64encode(b).decode()
s = connect()
s.ehlo()
same(s.esmtp_features.get("auth"), " CRAM-MD5 XOAUTH2 OAUTHBEARER PLAIN")
expect(s.docmd("AUTH", "LOGIN"), 504)
code, ch = s.docmd("AUTH", "CRAM-MD5")
digest = hmac.new(b"s3cret", base64.b64decode(ch), hashlib.md5).hexdigest()
expect(s.docmd(b64(b"alice " + digest.encode())), 235)
expect(send(s), 250)
same(stored("auth"), b"CRAM-MD5 alice")
s = connect()
s.ehlo()
code, err = s.docmd("AUTH", "XOAUTH2 " + b64(b"user=bob\1auth=Bearer bad\1\1"))
expect((code, err), 334)
same(base64.b64decode(err), b"{\"status\":\"401\"}")
expect(s.docmd(""), 535)
expect(s.docmd("AUTH", "XOAUTH2 " + b64(b"user=bob\1auth=Bearer token-b\1\1")), 235)
s = connect()
s.ehlo()
bearer = lambda t: b64(b"n,a=bob,\1host=localhost\1port=25\1auth=Bearer " + t + b"\1\1")
expect(s.docmd("AUTH", "OAUTHBEARER " + bearer(b"bad")), 334)
expect(s.docmd("AQ=="), 535)
expect(s.docmd("AUTH", "OAUTHBEARER " + bearer(b"token-b")), 235)
expect(send(s), 250)
same(stored("auth"), b"OAUTHBEARER bob")
'
check "AUTH failures: CRAM-MD5 digest, cancel, bad base64" py mechs '
b64 = lambda b: base64.b64encode(b).decode()
s = connect()
s.ehlo()
s.docmd("AUTH", "CRAM-MD5")
expect(s.docmd(b64(b"alice 0123456789abcdef0123456789abcdef")), 535)
expect(s.docmd("AUTH", "PLAIN"), 334)
expect(s.docmd("*"), 501)
expect(s.docmd("AUTH", "PLAIN !!!"), 501)
expect(s.docmd("AUTH", "PLAIN " + b64(b"\0alice\0s3cret")), 235)
'
curl_oauth() {
    curl -sS --user bob: --oauth2-bearer token-b --mail-from a@x.example \
        --mail-rcpt b@x.example --upload-file "$T/dots.eml" \
        "smtp://127.0.0.1:$(cat "$T/mechs/port")/" &&
    [ "$(cat "$(last_msg mechs)/auth")" = "OAUTHBEARER bob" ]
}
check "curl --oauth2-bearer" curl_oauth

start_tls_relay smtps --implicit-tls --tls-max 1.2
check "implicit TLS with --tls-max 1.2" py smtps '
s = smtplib.SMTP_SSL("localhost", P, context=tls_client(), timeout=5)
s.ehlo()
same("starttls" in s.esmtp_features, False)
expect(send(s), 250)
same(stored("tls"), b"TLSv1.2")
'

start_tls_relay mtls --implicit-tls --client-ca "$T/pki/ca.crt" \
    --require-client-cert
check "--require-client-cert: handshake fails without, works with" py mtls '
try:
    s = smtplib.SMTP_SSL("localhost", P, context=tls_client(), timeout=5)
    s.ehlo()
    sys.exit("served without a client certificate")
except (ssl.SSLError, smtplib.SMTPServerDisconnected, ConnectionError):
    pass
s = smtplib.SMTP_SSL("localhost", P, context=tls_client(cert=True), timeout=5)
s.ehlo()
expect(send(s), 250)
same(stored("client-cert"), b"CN=mail client,O=Relay Test")
same(open(D + "/sessions").read(), "2")
'

start_tls_relay strict --require-starttls --no-starttls --hostname mx.test \
    --ehlo-ext SMTPUTF8 --ehlo-ext 'DSN' --no-ehlo-ext 8bitmime
check "--no-starttls, --require-starttls, --hostname, EHLO keywords" py strict '
s = smtplib.SMTP(timeout=5)
expect(s.connect("127.0.0.1", P), 220, "mx.test ESMTP")
expect(s.ehlo(), 250, "mx.test")
same(sorted(s.esmtp_features), ["dsn", "enhancedstatuscodes", "smtputf8"])
expect(s.mail("<a@x.example>"), 530)
'

start_relay idle --idle-421 0.5
check "--idle-421 0.5" py idle '
s = connect()
s.ehlo()
t = time.time()
expect(s.getreply(), 421, "4.4.2 idle timeout")
same(time.time() - t >= 0.4, True)  # the relay started its clock first
gone(s.noop)
'

# ================================================================ issue 14:
# PIPELINING (RFC 2920) flights, DSN (RFC 3461), CHUNKING (RFC 3030),
# --max-rcpts

check "flights recorded without --pipelining: one command each" py plain '
s = connect()
s.ehlo("w.example")
same("pipelining" in s.esmtp_features, False)
expect(send(s, rcpts=("<a@x.example>", "<b@x.example>")), 250)
s.quit()
same(stored("flights"), b"MAIL\nRCPT\nRCPT\nDATA\n(data)\n")
log = log_lines(int(stored("session")))
for f in ("EHLO", "MAIL", "RCPT", "DATA", "(data)", "QUIT"):
    if "* flight " + f not in log:
        sys.exit("no flight %r in %r" % (f, log))
'
check "BDAT without --chunking: 500, as any unknown command" py plain '
r = Raw()
r.write(b"EHLO w.example\r\nBDAT 0 LAST\r\nQUIT\r\n")
same(r.codes(3), "250 500 221")
'

start_relay pipe --pipelining --dsn --chunking --max-rcpts 2
check "--pipelining --dsn --chunking: advertised" py pipe '
s = connect()
s.ehlo("p.example")
same(sorted(s.esmtp_features), ["8bitmime", "chunking", "dsn",
                                "enhancedstatuscodes", "pipelining"])
'
check "a pipelined flight: replies batched, one flight, DSN parameters kept" py pipe '
r = Raw()
r.write(b"EHLO p.example\r\n")
r.replies(1)
before = numbers()
r.write(b"MAIL FROM:<a@x.example> RET=HDRS ENVID=id+2B1+3D2\r\n"
        b"RCPT TO:<b@x.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root@x.example\r\n"
        b"RCPT TO:<c@x.example> NOTIFY=NEVER\r\nDATA\r\n")
same(r.codes(4), "250 250 250 354")
r.write(b"Subject: p\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
same(r.replies(2), ["250 2.0.0 Ok: queued as %d" % (len(before) + 1),
                    "221 2.0.0 Bye"])
same(stored("mail"), b"<a@x.example> RET=HDRS ENVID=id+2B1+3D2")
same(stored("rcpt"), b"<b@x.example> NOTIFY=SUCCESS,FAILURE "
     b"ORCPT=rfc822;root@x.example\n<c@x.example> NOTIFY=NEVER\n")
same(stored("data"), b"Subject: p\r\n\r\n.dot\r\n")
# (Stored at the final dot: QUIT was not read yet.)
same(stored("flights"), b"MAIL RCPT RCPT DATA\n(data)\n")
log = log_lines(int(stored("session")))
# The four commands were read before the first reply went out.
i = log.index("C: DATA")
same(log[i - 3:i + 6], ["C: MAIL FROM:<a@x.example> RET=HDRS ENVID=id+2B1+3D2",
    "C: RCPT TO:<b@x.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root@x.example",
    "C: RCPT TO:<c@x.example> NOTIFY=NEVER", "C: DATA", "S: 250 2.1.0 Ok",
    "S: 250 2.1.5 Ok", "S: 250 2.1.5 Ok",
    "S: 354 End data with <CR><LF>.<CR><LF>", "* flight MAIL RCPT RCPT DATA"])
same("* flight (data) QUIT" in log, True)
'
check "flights file: from MAIL on, commands before it in its flight left out" py pipe '
r = Raw()
r.write(b"EHLO p.example\r\nRSET\r\nMAIL FROM:<a@x.example>\r\n"
        b"RCPT TO:<b@x.example>\r\nDATA\r\n")
same(r.codes(5), "250 250 250 250 354")
r.write(b"x\r\n.\r\n")
same(r.codes(1), "250")
r.write(b"MAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nDATA\r\n")
same(r.codes(3), "250 250 354")
r.write(b"y\r\n.\r\n")
same(r.codes(1), "250")
n = numbers()[-1]
same(stored("flights", n - 1), b"MAIL RCPT DATA\n(data)\n")
same(stored("flights", n), b"MAIL RCPT DATA\n(data)\n")
log = log_lines(int(stored("session")))
same([l for l in log if l.startswith("* flight")],
     ["* flight EHLO RSET MAIL RCPT DATA", "* flight (data)",
      "* flight MAIL RCPT DATA", "* flight (data)"])
'
check "--max-rcpts 2: the third RCPT gets 452 4.5.3, the next transaction takes more" py pipe '
r = Raw()
r.write(b"EHLO p.example\r\nMAIL FROM:<a@x.example>\r\n"
        + b"".join(b"RCPT TO:<r%d@x.example>\r\n" % i for i in range(1, 4))
        + b"DATA\r\n")
got = r.replies(6)
same(got[4], "452 4.5.3 Too many recipients")
same(" ".join(g[:3] for g in got), "250 250 250 250 452 354")
r.write(b"x\r\n.\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<r3@x.example>\r\n"
        b"RCPT TO:<r4@x.example>\r\nRCPT TO:<r5@x.example>\r\nDATA\r\n")
same(r.codes(6), "250 250 250 250 452 354")
r.write(b"y\r\n.\r\n")
same(r.codes(1), "250")
n = numbers()[-1]
same(stored("rcpt", n - 1), b"<r1@x.example>\n<r2@x.example>\n")
same(stored("rcpt", n), b"<r3@x.example>\n<r4@x.example>\n")
same(stored("flights", n - 1), b"MAIL RCPT RCPT RCPT DATA\n(data)\n")
same(stored("flights", n), b"MAIL RCPT RCPT RCPT DATA\n(data)\n")
'
check "BDAT: pipelined chunks, stored byte-exact, chunk sizes" py pipe '
r = Raw()
before = numbers()
body = b".a\r\nb\r\n" + b".\r\n\x00\x80\xff\rz"
r.write(b"EHLO p.example\r\nMAIL FROM:<a@x.example> BODY=8BITMIME\r\n"
        b"RCPT TO:<b@x.example>\r\nBDAT 7\r\n" + body[:7]
        + b"BDAT 8\r\n" + body[7:] + b"BDAT 0 LAST\r\n")
got = r.replies(6)
same(" ".join(g[:3] for g in got), "250 250 250 250 250 250")
same(got[-1], "250 2.0.0 Ok: queued as %d" % (len(before) + 1))
same(stored("data"), body)
same(stored("data.raw"), body)
same(stored("chunks"), b"7\n8\n0\n")
same(stored("flights"), b"MAIL RCPT BDAT BDAT BDAT\n")
same(stored("mail"), b"<a@x.example> BODY=8BITMIME")
log = log_lines(int(stored("session")))
same("* BDAT chunk of 8 octets" in log and "C: DATA" not in log, True)
'
check "BDAT one chunk, waiting client: a flight each" py pipe '
r = Raw()
for line, code in ((b"EHLO p.example", "250"), (b"MAIL FROM:<a@x.example>", "250"),
                   (b"RCPT TO:<b@x.example>", "250")):
    r.write(line + b"\r\n")
    same(r.codes(1), code)
r.write(b"BDAT 5 LAST\r\nhi\r\n.")
same(r.codes(1), "250")
same(stored("flights"), b"MAIL\nRCPT\nBDAT\n")
same(stored("data"), b"hi\r\n.")
same(stored("chunks"), b"5\n")
'
check "BDAT errors: 503 without MAIL or RCPT (chunk read all the same), DATA after BDAT, 501" py pipe '
before = numbers()
r = Raw()
r.write(b"EHLO p.example\r\nBDAT 6 LAST\r\nNOOP\r\nNOOP\r\n")
got = r.replies(3)
same(got[1:], ["503 5.5.1 Error: need MAIL command", "250 2.0.0 Ok"])
r.write(b"MAIL FROM:<a@x.example>\r\nBDAT 6\r\nRSET\r\nRSET\r\n")
same(r.replies(3)[1:], ["503 5.5.1 Error: need RCPT command", "250 2.0.0 Ok"])
r.write(b"MAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nBDAT 3\r\nab\n"
        b"DATA\r\nBDAT 3 NOW\r\nx\r\nBDAT 0 LAST\r\n")
got = r.replies(6)
same(got[3:5], ["503 5.5.1 Error: DATA after BDAT",
                "501 5.5.4 Syntax: BDAT size [LAST]"])
same(got[5][:3], "250")
same(numbers(), before + [len(before) + 1])
same(stored("data"), b"ab\n")
same(stored("chunks"), b"3\n0\n")
'
set_faults pipe 'eod=554 5.7.1 refused'
check "BDAT LAST takes the eod fault: its reply, nothing stored" py pipe '
before = numbers()
r = Raw()
r.write(b"EHLO p.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
        b"BDAT 3\r\nab\nBDAT 3 LAST\r\ncd\nNOOP\r\n")
got = r.replies(6)
same(got[4:], ["554 5.7.1 refused", "250 2.0.0 Ok"])
same(numbers(), before)
'
rm -f "$T/pipe/faults"

stop_relay() {     # SIGTERM; a watchdog kills the relay after 2 s
    pid=$(cat "$T/idle/pid")
    kill -TERM "$pid" || return 1
    (sleep 2 && kill -KILL "$pid" 2>/dev/null) &
    watchdog=$!
    wait "$pid"
    status=$?
    kill "$watchdog" 2>/dev/null
    echo "exit status $status"
    [ "$status" -eq 0 ]
}
check "SIGTERM stops the relay with status 0" stop_relay

check "no errors on any relay's stderr" sh -c "! grep -H . '$T'/*.err"

echo "1..$n"
[ "$failed" -eq 0 ]
