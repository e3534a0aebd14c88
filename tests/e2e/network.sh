#!/bin/sh
# How the connection is made and how long mailout waits: reply_timeout
# and connect_timeout (a relay that is slow is left, the message
# queued), a SOCKS5 proxy (a small one written here, on loopback), the
# proxy variables of the environment (ignored), source_ip.
. "${srcdir:-.}/tests/e2e/lib.sh"

printf 'From: bob@example.org\nTo: alice@example.com\nSubject: net\n\nbody\n' >"$T/msg"

now() {
	date +%s
}

# --- reply_timeout: a relay silent too long is left; the message waits
relay_start "$T/slow" --fault 'greeting=sleep:20@1' --fault 'mail=sleep:20@2'
t0=$(now)
send greet "$RELAY_PORT" 'reply_timeout = 2;'
is "$?/$(queued greet)/$(count "$T/slow")" "0/1/0" \
	"no greeting within reply_timeout: exit 0, queued"
[ $(($(now) - t0)) -lt 10 ]
ok $? "no greeting within reply_timeout: gave up in time"
grep -q "greeting: no reply within 2 s (reply_timeout)" "$T/greet.err"
ok $? "no greeting within reply_timeout: says so"
t0=$(now)
send mail "$RELAY_PORT" 'reply_timeout = "2s";'
is "$?/$(queued mail)/$(count "$T/slow")" "0/1/0" \
	"no reply to MAIL within reply_timeout: exit 0, queued"
[ $(($(now) - t0)) -lt 10 ]
ok $? "no reply to MAIL within reply_timeout: gave up in time"
grep -q "MAIL: no reply within 2 s" "$T/mail.err"
ok $? "no reply to MAIL within reply_timeout: says so"
relay_start "$T/slowish" --fault 'greeting=sleep:1' --fault 'eod=sleep:3'
send patient "$RELAY_PORT" 'reply_timeout = 2;'
is "$?/$(count "$T/slowish")" "0/1" \
	"replies within reply_timeout, the final one slower: delivered"

# --- connect_timeout: a listener whose queue is full never completes
# the connection.
cat >"$T/full.py" <<'EOF2'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
held = []
for i in range(3):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held.append(c)
time.sleep(0.2)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(port))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
EOF2
"$PYTHON3" "$T/full.py" "$T/full.port" &
RELAY_PIDS="$RELAY_PIDS $!"
wait_file "$T/full.port" $!
t0=$(now)
send connect "$(cat "$T/full.port")" 'connect_timeout = 2;' \
	'reply_timeout = 4;'
is "$?/$(queued connect)" "0/1" "no connection within connect_timeout: exit 0, queued"
[ $(($(now) - t0)) -lt 10 ]
ok $? "no connection within connect_timeout: gave up in time"
grep -q "connect: no connection within 2 s (connect_timeout)" "$T/connect.err"
ok $? "no connection within connect_timeout: says so"

# --- the environment's proxy variables change nothing
relay_start "$T/r"
dead="socks5h://127.0.0.1:$(free_port)"
all_proxy=$dead ALL_PROXY=$dead smtp_proxy=$dead smtps_proxy=$dead \
	send env "$RELAY_PORT"
is "$?/$(count "$T/r")" "0/1" "all_proxy, smtp_proxy in the environment: ignored"

# --- a SOCKS5 proxy (RFC 1928), CONNECT only, no authentication
cat >"$T/socks5.py" <<'EOF2'
import os, socket, struct, sys, threading

def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

def serve(c, log):
    n = c.recv(2)[1]
    c.recv(n)
    c.sendall(b"\x05\x00")
    ver, cmd, _, atyp = c.recv(4)
    if atyp == 3:
        host = c.recv(c.recv(1)[0]).decode()
    elif atyp == 1:
        host = socket.inet_ntoa(c.recv(4))
    else:
        host = socket.inet_ntop(socket.AF_INET6, c.recv(16))
    port = struct.unpack("!H", c.recv(2))[0]
    with open(log, "a") as f:
        f.write("CONNECT atyp=%d %s:%d\n" % (atyp, host, port))
    up = socket.create_connection((host, port))
    c.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1")
              + struct.pack("!H", up.getsockname()[1]))
    threading.Thread(target=pipe, args=(up, c), daemon=True).start()
    pipe(c, up)

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c, sys.argv[2]), daemon=True).start()
EOF2
"$PYTHON3" "$T/socks5.py" "$T/socks.port" "$T/proxy.log" &
RELAY_PIDS="$RELAY_PIDS $!"
wait_file "$T/socks.port" $!
proxy="proxy = \"socks5h://127.0.0.1:$(cat "$T/socks.port")\";"
send socks "$RELAY_PORT" 'host = "localhost";' "$proxy"
is "$?/$(count "$T/r")" "0/2" "SOCKS5 proxy: delivered"
is "$(cat "$T/proxy.log")" "CONNECT atyp=3 localhost:$RELAY_PORT" \
	"socks5h: the proxy was asked for the name"
no_proxy='*' NO_PROXY='*' send socks2 "$RELAY_PORT" "$proxy"
is "$?/$(count "$T/r")/$(sed -n 2p "$T/proxy.log")" \
	"0/3/CONNECT atyp=1 127.0.0.1:$RELAY_PORT" \
	"proxy set, no_proxy in the environment: still through the proxy"

# --- source_ip: the connection comes from that address
send source "$RELAY_PORT" 'source_ip = "127.0.0.2";'
is "$?/$(count "$T/r")" "0/4" "source_ip 127.0.0.2: delivered"
grep -q "^\* peer 127.0.0.2:" "$T/r/session.$(cat "$T/r/msg.4/session").log"
ok $? "source_ip 127.0.0.2: the relay saw that address"

done_testing
