#!/usr/bin/python3
"""Benchmarks of mailout against msmtp and two floors, on loopback.

Every contender sends to the same sink (sink.c); the sink's counters are
read before and after each run, and a run that did not deliver what it
was given stops its scenario with an error: no figure is reported for it.

Contenders:
  mailout   the program under test
  msmtp     Debian's msmtp
  floor     rawsmtp.c: the SMTP dialogue over plain TCP and nothing else
  libcurl   curlfloor.c: curl_global_init, one easy handle, a read callback

Scenario 6 puts delayproxy.c between the clients and the sinks: a link
with a fixed one-way delay, on which the clients' round trips are
counted.

mailout and msmtp read each message with LF line ends on stdin, as the
callers of sendmail give it.  The floors read a copy in CRLF form: the
octets that go on the wire before dot-stuffing, so that they measure the
transport alone.

Each child runs under measure.c, which times it with a monotonic clock
around posix_spawn() and wait4(), and takes its CPU time (user + system)
and peak RSS from the rusage that wait4() returns.  Runs of the
contenders alternate, so that drift on the machine spreads over all of
them; medians are reported.  Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time

FROM = "sender@example.org"
TO = "rcpt@example.net"
USER, PASSWORD = "benchuser", "bench-password"
MIB = 1024 * 1024
ROLES = ("mailout", "msmtp", "floor", "libcurl")
# Scenario 6's recipient counts and the names of its relays.
DELAY_RCPTS = (1, 5)
DELAY_LINKS = (("plain", "plain"), ("starttls", "STARTTLS+AUTH"),
               ("tls", "implicit TLS+AUTH"))
# --only takes the scenario numbers, or these names.
ALIASES = {"delay": "6", "chunking": "7"}


class BenchError(Exception):
    """A run that did not do what it was asked: no figure for it."""


class NotAvailable(Exception):
    """A feature the mailout under test does not have."""


# ------------------------------------------------------------------ runs


class Run:
    """One child: wall and CPU seconds, peak RSS in KiB, sink's CPU."""

    def __init__(self, wall, cpu, rss_kib):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib
        self.sink_cpu, self.conns = 0.0, 0
        self.rtt = None  # round trips, on a delayed link only


def log_tail(log, n=8):
    try:
        with open(log, errors="replace") as f:
            return "".join(f.readlines()[-n:]).rstrip()
    except OSError:
        return ""


class Runner:
    """Children run under measure.c, which reports their figures."""

    def __init__(self, measure, timeout):
        self.measure, self.timeout = measure, timeout

    def spawn(self, argv, stdin, log, count=1):
        """Run argv count times; returns (exit status, Run of the total).
        A run that outlasts the timeout is killed with its children (its
        own session), so that a client stuck on a socket cannot hang the
        benchmark."""
        cmd = [self.measure, "-n", str(count), "-i", stdin or os.devnull,
               "-l", log, "--"] + argv
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise BenchError("%s: no end after %d s, killed\n%s"
                             % (" ".join(argv[:4]), self.timeout,
                                log_tail(log)))
        if p.returncode != 0:
            raise BenchError("measure failed: %s" % err.strip())
        w = out.split()
        d = {k: int(v) for k, v in zip(w[::2], w[1::2])}
        run = Run(d["wall_ns"] / 1e9, (d["user_us"] + d["sys_us"]) / 1e6,
                  d["maxrss_kib"])
        return d["status"], run

    def checked(self, argv, stdin, log, count=1):
        status, run = self.spawn(argv, stdin, log, count)
        if status != 0:
            raise BenchError("%s exited with %d\n%s"
                             % (" ".join(argv[:4]), status, log_tail(log)))
        return run


# ------------------------------------------------------------------ sink


class Sink:
    """sink.c in the background, with its port and count files."""

    def __init__(self, exe, workdir, name, tls=None, flags=()):
        """flags: more options, e.g. -L (PIPELINING), -B (CHUNKING), -I
        (implicit TLS)."""
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.portfile = os.path.join(self.dir, "port")
        self.countfile = os.path.join(self.dir, "count")
        argv = [exe, "-P", self.portfile, "-c", self.countfile]
        if tls is not None:
            argv += ["-C", tls["cert"], "-K", tls["key"],
                     "-u", USER, "-s", PASSWORD]
        argv += list(flags)
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.port = self._wait_port()

    def _wait_port(self):
        for _ in range(200):
            if os.path.exists(self.portfile):
                with open(self.portfile) as f:
                    return int(f.read())
            if self.proc.poll() is not None:
                break
            time.sleep(0.025)
        raise BenchError("the sink did not start: see %s" % self.log.name)

    def counts(self):
        with open(self.countfile) as f:
            words = f.read().split()
        return {k: int(v) for k, v in zip(words[::2], words[1::2])}

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.log.close()


class Proxy:
    """delayproxy.c in front of a sink; one stats line per connection."""

    def __init__(self, exe, workdir, name, target, delay_ms):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.portfile = os.path.join(self.dir, "port")
        self.statsfile = os.path.join(self.dir, "stats")
        open(self.statsfile, "w").close()
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(
            [exe, "-t", str(target.port), "-d", str(delay_ms),
             "-P", self.portfile, "-s", self.statsfile],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.port = Sink._wait_port(self)

    def rtts(self):
        """The round trips of each connection ended so far."""
        with open(self.statsfile) as f:
            return [int(line.split()[1]) for line in f if line.strip()]

    def wait(self, before, conns):
        """The round trips of the conns connections after the first
        before; the line comes when the client closes, so wait for it."""
        for _ in range(200):
            got = self.rtts()
            if len(got) >= before + conns:
                return sum(got[before:before + conns])
            time.sleep(0.01)
        raise BenchError("the delaying proxy reported %d connections, "
                         "expected %d" % (len(got) - before, conns))

    def stop(self):
        Sink.stop(self)


class Expect:
    """What one run must have delivered, checked on the sink's counters.
    octets: the message as DATA carries it (CRLF, dots stuffed); raw: as
    BDAT does (CRLF only), for messages the sink counts as sent with BDAT.
    """

    def __init__(self, msgs, rcpts, octets, conns=None, tls=0, auths=0,
                 raw=None):
        self.msgs, self.rcpts, self.octets = msgs, rcpts, octets
        self.conns, self.tls, self.auths = conns, tls, auths
        self.raw = octets if raw is None else raw

    # Clients may add a few header fields the message lacks.
    SLACK_PER_MSG = 1024

    def check(self, before, after):
        d = {k: after[k] - before[k] for k in after}
        wrong = []
        for key in ("msgs", "rcpts", "tls", "auths"):
            if d[key] != getattr(self, key):
                wrong.append("%s %d, expected %d"
                             % (key, d[key], getattr(self, key)))
        if self.conns is not None and d["conns"] != self.conns:
            wrong.append("conns %d, expected %d" % (d["conns"], self.conns))
        bdat = min(d.get("bdat", 0), self.msgs)
        low = (self.octets * (self.msgs - bdat) // max(self.msgs, 1)
               + self.raw * bdat // max(self.msgs, 1))
        high = low + self.SLACK_PER_MSG * self.msgs
        if not low <= d["bytes"] <= high:
            wrong.append("octets %d, expected %d to %d"
                         % (d["bytes"], low, high))
        if wrong:
            raise BenchError("the sink did not receive what was sent: "
                             + "; ".join(wrong))
        return d


def measured(sink, expect, fn, proxy=None):
    """fn() -> Run, checked against the sink; the sink's CPU added, and
    the round trips when a delaying proxy lies between."""
    before = sink.counts()
    seen = len(proxy.rtts()) if proxy is not None else 0
    run = fn()
    d = expect.check(before, sink.counts())
    run.sink_cpu = d["cpu_us"] / 1e6
    run.conns = d["conns"]
    if proxy is not None:
        run.rtt = proxy.wait(seen, run.conns)
    return run


# ---------------------------------------------------------------- inputs


def wire_octets(path):
    """Octets of the message as SMTP carries it: CRLF, dots stuffed."""
    n = 0
    with open(path, "rb") as f:
        for line in f:
            body = line.rstrip(b"\r\n")
            n += len(body) + 2 + (1 if body.startswith(b".") else 0)
    return n


def crlf_copy(path):
    """The message with CRLF line ends, next to it as NAME.crlf."""
    out = path + ".crlf"
    with open(path, "rb") as f, open(out, "wb") as g:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            g.write(block.replace(b"\n", b"\r\n"))
    return out


def headers(subject, to):
    return ("From: Bench Sender <%s>\n" % FROM
            + "To: %s\n" % to
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\n"
            + "Message-ID: <%s@bench.example.org>\n" % subject.replace(" ", "-")
            + "Subject: %s\n" % subject
            + "MIME-Version: 1.0\n"
            + "Content-Type: text/plain; charset=us-ascii\n\n")


def text_lines(count, start=0):
    """76-character lines; every 37th starts with a dot, to be stuffed."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    out = []
    for i in range(start, start + count):
        k = i % len(alphabet)
        line = (alphabet[k:] + alphabet[:k]) * 2
        line = ("." if i % 37 == 0 else "") + line
        out.append(line[:76] + "\n")
    return "".join(out)


def make_small(path):
    with open(path, "w") as f:
        f.write(headers("small message", TO) + text_lines(9, 1))


def make_big(path, octets):
    block = text_lines(37 * 100).encode()  # ~285 KB, dots included
    with open(path, "wb") as f:
        f.write(headers("big message", TO).encode())
        written = 0
        while written < octets:
            f.write(block)
            written += len(block)


def make_rcpts(path, listpath, n):
    addrs = ["r%05d@example.net" % i for i in range(1, n + 1)]
    with open(path, "w") as f:
        f.write(headers("%d recipients" % n, ",\n ".join(addrs)))
        f.write(text_lines(9, 1))
    with open(listpath, "w") as f:
        f.write("\n".join(addrs) + "\n")


# ------------------------------------------------------------ contenders


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def mailout_conf(path, port, queue_dir, tls=None, implicit=False):
    os.makedirs(queue_dir, exist_ok=True)
    text = ('host = "127.0.0.1";\nport = %d;\ndomain = "example.org";\n'
            'helo = "bench.example.org";\nqueue_dir = "%s";\n'
            % (port, queue_dir))
    if tls is None:
        text += 'tls = "none";\n'
    else:
        text += ('tls = "%s";\ntls_ca_file = "%s";\nuser = "%s";\n'
                 'password = "%s";\nauth = "plain";\n'
                 % ("tls" if implicit else "starttls", tls["ca"], USER,
                    PASSWORD))
    write_private(path, text)


def msmtp_conf(path, port, tls=None, implicit=False):
    text = ("account default\nhost 127.0.0.1\nport %d\nfrom %s\n"
            % (port, FROM))
    if tls is None:
        text += "auth off\ntls off\n"
    else:
        text += ("tls on\ntls_starttls %s\ntls_trust_file %s\n"
                 "auth plain\nuser %s\npassword %s\n"
                 % ("off" if implicit else "on", tls["ca"], USER, PASSWORD))
    write_private(path, text)  # msmtp refuses a readable password file


class Contenders:
    """The command lines of the contenders against one sink, or against
    the delaying proxy in front of it (proxy)."""

    def __init__(self, b, sink, name, tls=None, proxy=None, implicit=False):
        self.b, self.sink, self.tls, self.proxy = b, sink, tls, proxy
        self.port = proxy.port if proxy is not None else sink.port
        w = os.path.join(b.work, name)
        os.makedirs(w, exist_ok=True)
        self.queue_dir = os.path.join(w, "queue")
        self.mconf = os.path.join(w, "mailout.conf")
        self.sconf = os.path.join(w, "msmtprc")
        mailout_conf(self.mconf, self.port, self.queue_dir, tls, implicit)
        msmtp_conf(self.sconf, self.port, tls, implicit)

    def argv(self, role, rcpt=TO, files=None, tflag=False):
        """rcpt: an address, a list of them, or @file for the floors."""
        b, port = self.b, str(self.port)
        rcpts = rcpt if isinstance(rcpt, list) else [rcpt]
        if role in ("mailout", "msmtp"):
            exe, conf = ((b.mailout, self.mconf) if role == "mailout"
                         else (b.msmtp, self.sconf))
            return [exe, "-C", conf] + (["-t", "-i", "-f", FROM] if tflag
                                        else ["-i", "-f", FROM] + rcpts)
        if role == "floor":
            return [b.rawsmtp, "127.0.0.1", port, FROM, rcpt] + files
        if role == "floor-bdat":
            return [b.rawsmtp, "-b", "127.0.0.1", port, FROM, rcpt] + files
        tls = []
        if self.tls is not None:
            tls = ["--tls", self.tls["ca"], "--user", USER,
                   "--pass", PASSWORD]
        return [b.curlfloor] + tls + ["127.0.0.1", port, FROM, rcpt] + files


# --------------------------------------------------------------- results


class Row:
    def __init__(self, label):
        self.label, self.runs, self.status, self.note = label, [], "ok", ""

    def median(self, attr):
        return statistics.median(getattr(r, attr) for r in self.runs)

    def ok(self):
        return self.status == "ok" and self.runs


class Scenario:
    def __init__(self, key, title):
        self.key, self.title, self.rows = key, title, {}

    def row(self, role, label):
        self.rows[role] = Row(label)
        return self.rows[role]

    def value(self, role, attr):
        r = self.rows.get(role)
        return r.median(attr) if r is not None and r.ok() else None


def rounds(sc, plan, n, b, warmup=True):
    """plan: role -> fn() returning a Run.  Round i runs every role once;
    the first round is an untimed warm-up unless warmup is false.  A role
    that fails is reported and left out of the later rounds."""
    live = dict(plan)
    first = 0 if warmup else 1
    for i in range(first, n + 1):
        for role, fn in list(live.items()):
            row = sc.rows[role]
            try:
                run = fn()
            except BenchError as e:
                row.status, row.note = "FAILED", str(e)
                b.failed.append("scenario %s, %s: %s" % (sc.key, row.label, e))
                del live[role]
                continue
            if i > 0:
                row.runs.append(run)
    b.progress("scenario %s done" % sc.key)


# -------------------------------------------------------------- scenarios


class Bench:
    def __init__(self, args):
        self.a = args
        here = os.path.dirname(os.path.abspath(__file__))
        self.out = os.path.abspath(args.out)
        self.bindir = os.path.abspath(args.bindir or
                                      os.path.join(self.out, "bin"))
        self.srcdir = os.path.abspath(args.srcdir or
                                      os.path.join(here, "..", ".."))
        self.mailout = os.path.abspath(args.mailout)
        self.msmtp = shutil.which(args.msmtp) or args.msmtp
        self.rawsmtp = os.path.join(self.bindir, "rawsmtp")
        self.curlfloor = os.path.join(self.bindir, "curlfloor")
        self.work = os.path.join(self.out, "work")
        self.logs = os.path.join(self.out, "logs")
        self.r = Runner(os.path.join(self.bindir, "measure"), args.timeout)
        self.failed = []
        self.scenarios = []

    def progress(self, msg):
        print("bench: %s" % msg, file=sys.stderr, flush=True)

    def log(self, name):
        return os.path.join(self.logs, name + ".log")

    # ---------------------------------------------------------- set-up

    def prepare(self, wanted):
        self.proxy_exe = os.path.join(self.bindir, "delayproxy")
        for exe in (self.mailout, self.msmtp, self.rawsmtp, self.curlfloor,
                    self.r.measure, os.path.join(self.bindir, "sink"),
                    self.proxy_exe):
            if not os.access(exe, os.X_OK):
                raise BenchError("%s: not found or not executable" % exe)
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.logs, ignore_errors=True)
        os.makedirs(self.work)
        os.makedirs(self.logs)
        self.inputs(wanted)
        self.tls = self.make_certs()
        sink = os.path.join(self.bindir, "sink")
        self.sinks = []  # appended one by one: all are stopped at the end
        self.sinks.append(Sink(sink, self.work, "sink"))
        self.sinks.append(Sink(sink, self.work, "tls-sink", self.tls))
        self.plain = Contenders(self, self.sinks[0], "plain")
        self.secure = Contenders(self, self.sinks[1], "tls", self.tls)
        if wanted is None or "6" in wanted:
            self.delayed_links(sink)
        if wanted is None or "7" in wanted:
            # RFC 3030 allows BDAT in a pipelined group: both offered.
            self.sinks.append(Sink(sink, self.work, "chunking-sink",
                                   flags=("-L", "-B")))
            self.chunking = Contenders(self, self.sinks[-1], "chunking")

    def delayed_links(self, sink):
        """Scenario 6: a sink offering PIPELINING for each kind of link,
        behind a delaying proxy; self.links: name -> Contenders."""
        self.links = {}
        for name, _ in DELAY_LINKS:
            tls = None if name == "plain" else self.tls
            flags = ("-L", "-I") if name == "tls" else ("-L",)
            if self.a.delay_chunking:
                flags += ("-B",)
            s = Sink(sink, self.work, "delay-%s-sink" % name, tls, flags)
            self.sinks.append(s)
            p = Proxy(self.proxy_exe, self.work, "delay-%s-proxy" % name, s,
                      self.a.delay_ms)
            self.sinks.append(p)  # stopped with them
            self.links[name] = Contenders(self, s, "delay-" + name, tls,
                                          proxy=p, implicit=name == "tls")

    def inputs(self, wanted):
        a, w = self.a, self.work
        self.progress("generating inputs")
        self.small = os.path.join(w, "small.eml")
        make_small(self.small)
        lf = [self.small]
        self.big = os.path.join(w, "big.eml")
        if wanted is None or "2" in wanted or "7" in wanted:
            make_big(self.big, a.big_mb * 1000 * 1000)
            lf.append(self.big)
        self.rcpt_msgs = {}
        if wanted is None or "4" in wanted:
            for n in (a.rcpts, 2 * a.rcpts):
                msg = os.path.join(w, "rcpts-%d.eml" % n)
                lst = os.path.join(w, "rcpts-%d.txt" % n)
                make_rcpts(msg, lst, n)
                self.rcpt_msgs[n] = (msg, lst)
        lf += [m for m, _ in self.rcpt_msgs.values()]
        self.octets = {p: wire_octets(p) for p in lf}
        self.crlf = {p: crlf_copy(p) for p in lf}
        # As BDAT carries them: CRLF, no dots stuffed (RFC 3030 2).
        self.raw = {p: os.path.getsize(self.crlf[p]) for p in lf}

    def make_certs(self):
        d = os.path.join(self.work, "pki")
        os.makedirs(d)
        p = {k: os.path.join(d, k) for k in
             ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem",
              "ext.cnf")}
        with open(p["ext.cnf"], "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                    "basicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n")
        cmds = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=mailout bench CA", "-keyout", p["ca.key"],
             "-out", p["ca.pem"]],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", p["server.key"], "-out", p["server.csr"]],
            ["x509", "-req", "-in", p["server.csr"], "-CA", p["ca.pem"],
             "-CAkey", p["ca.key"], "-CAcreateserial", "-days", "2",
             "-extfile", p["ext.cnf"], "-out", p["server.pem"]],
        ]
        for c in cmds:
            subprocess.run(["openssl"] + c, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {"ca": p["ca.pem"], "cert": p["server.pem"],
                "key": p["server.key"]}

    # ------------------------------------------------------ one message

    def single(self, c, role, msg, log, rcpt=TO, nrcpts=1, tflag=False,
               secure=False, copies=1):
        """fn() for one message by one contender, checked on the sink.
        copies: transactions the message takes (one per recipient batch)."""
        lf = role in ("mailout", "msmtp")
        argv = c.argv(role, rcpt=rcpt, files=[self.crlf[msg]], tflag=tflag)
        stdin = msg if lf else None
        expect = Expect(copies, nrcpts, copies * self.octets[msg], conns=1,
                        tls=1 if secure else 0, auths=1 if secure else 0,
                        raw=copies * self.raw[msg])
        return lambda: measured(c.sink, expect,
                                lambda: self.r.checked(argv, stdin, log),
                                c.proxy)

    def message_scenario(self, key, title, msg, n):
        sc = Scenario(key, title)
        plan = {}
        for role, label in zip(ROLES, ("mailout", "msmtp", "floor (raw SMTP)",
                                       "libcurl floor")):
            sc.row(role, label)
            plan[role] = self.single(self.plain, role, msg,
                                     self.log("s%s-%s" % (key, role)))
        rounds(sc, plan, n, self)
        return sc

    def scenario1(self):
        return self.message_scenario("1", "one small message (%d octets)"
                                     % os.path.getsize(self.small),
                                     self.small, self.a.runs_small)

    def scenario2(self):
        return self.message_scenario("2", "one %d MB message"
                                     % self.a.big_mb, self.big,
                                     self.a.runs_big)

    # ------------------------------------------------------------ queue

    def queue_support(self, c, log):
        """Does this mailout queue with -odq, and send the queue with -q?"""
        argv = [self.mailout, "-C", c.mconf, "-odq", "-i", "-f", FROM, TO]
        shutil.rmtree(c.queue_dir, ignore_errors=True)
        os.makedirs(c.queue_dir)
        before = c.sink.counts()["msgs"]
        status, _ = self.r.spawn(argv, self.small, log)
        sent = c.sink.counts()["msgs"] - before
        if status != 0:
            raise NotAvailable("mailout -odq exited with %d: %s"
                               % (status, log_tail(log, 1)))
        if sent != 0:
            raise NotAvailable("mailout -odq sent the message at once "
                               "instead of queueing it")
        if not any(files for _, _, files in os.walk(c.queue_dir)):
            raise NotAvailable("mailout -odq left nothing in queue_dir")
        status, _ = self.r.spawn([self.mailout, "-C", c.mconf, "-q"], None,
                                 log)
        if status != 0 or c.sink.counts()["msgs"] - before != 1:
            raise BenchError("mailout -q did not send the queued message "
                             "(exit %d)\n%s" % (status, log_tail(log)))

    def fill_queue(self, c, n, log):
        shutil.rmtree(c.queue_dir, ignore_errors=True)
        os.makedirs(c.queue_dir)
        argv = [self.mailout, "-C", c.mconf, "-odq", "-i", "-f", FROM, TO]
        before = c.sink.counts()["msgs"]
        self.r.checked(argv, self.small, log, count=n)
        if c.sink.counts()["msgs"] != before:
            raise BenchError("mailout -odq sent messages instead of "
                             "queueing them")

    def queue_run(self, c, n, log):
        def fn():
            self.fill_queue(c, n, log)  # not timed
            expect = Expect(n, n, n * self.octets[self.small], conns=None,
                            raw=n * self.raw[self.small])
            return measured(c.sink, expect, lambda: self.r.checked(
                [self.mailout, "-C", c.mconf, "-q"], None, log), c.proxy)
        return fn

    def loop(self, c, role, n, log):
        """n invocations of mailout or msmtp, one message each: the total
        wall time, the children's summed CPU and their largest RSS."""
        argv = c.argv(role)
        expect = Expect(n, n, n * self.octets[self.small], conns=n,
                        raw=n * self.raw[self.small])
        return lambda: measured(c.sink, expect, lambda: self.r.checked(
            argv, self.small, log, count=n), c.proxy)

    def batch(self, c, role, n, log):
        """One invocation, n messages over one connection."""
        argv = c.argv(role, files=[self.crlf[self.small]] * n)
        expect = Expect(n, n, n * self.octets[self.small], conns=1,
                        raw=n * self.raw[self.small])
        return lambda: measured(c.sink, expect,
                                lambda: self.r.checked(argv, None, log))

    def scenario3(self):
        n, c = self.a.queue, self.plain
        sc = Scenario("3", "a queue of %d small messages" % n)
        plan = {}
        self.mailout_queue_row(sc, plan, "3", c, n)
        sc.row("msmtp", "msmtp x%d" % n)
        plan["msmtp"] = self.loop(c, "msmtp", n, self.log("s3-msmtp"))
        sc.row("floor", "floor, 1 connection")
        plan["floor"] = self.batch(c, "floor", n, self.log("s3-floor"))
        sc.row("libcurl", "libcurl floor, 1 handle")
        plan["libcurl"] = self.batch(c, "libcurl", n, self.log("s3-libcurl"))
        sc.row("mailout-loop", "mailout x%d" % n)
        plan["mailout-loop"] = self.loop(c, "mailout", n,
                                         self.log("s3-mailout-loop"))
        # A loop of n warms itself up; a warm-up round would cost minutes.
        rounds(sc, plan, self.a.runs_queue, self, warmup=False)
        return sc

    def mailout_queue_row(self, sc, plan, key, c, n):
        """Scenario key's row for `mailout -q` over n queued messages."""
        log = self.log("s%s-mailout" % key)
        try:
            self.queue_support(c, log)
            sc.row("mailout", "mailout -q")
            plan["mailout"] = self.queue_run(c, n, log)
        except NotAvailable as e:
            sc.row("mailout", "mailout -q").status = "n/a"
            sc.rows["mailout"].note = "not available in this build: %s" % e
        except BenchError as e:
            r = sc.row("mailout", "mailout -q")
            r.status, r.note = "FAILED", str(e)
            self.failed.append("scenario %s, mailout -q: %s" % (key, e))

    # ------------------------------------------------------- recipients

    def rcpt_scenario(self, key, n):
        msg, lst = self.rcpt_msgs[n]
        sc = Scenario(key, "-t, %d recipients in To" % n)
        plan = {}
        for role, label in zip(ROLES, ("mailout -t", "msmtp -t",
                                       "floor (raw SMTP)", "libcurl floor")):
            sc.row(role, label)
            plan[role] = self.single(
                self.plain, role, msg, self.log("s%s-%s" % (key, role)),
                rcpt="@" + lst, nrcpts=n, tflag=role in ("mailout", "msmtp"))
        rounds(sc, plan, self.a.runs_rcpt, self)
        return sc

    def scenario4(self):
        return [self.rcpt_scenario("4a", self.a.rcpts),
                self.rcpt_scenario("4b", 2 * self.a.rcpts)]

    # -------------------------------------------------------------- TLS

    def tls_support(self, c, log):
        argv = c.argv("mailout")
        status, _ = self.r.spawn(argv, self.small, log)
        if status == 78:
            raise NotAvailable(log_tail(log, 1))

    def scenario5(self):
        c = self.secure
        sc = Scenario("5", "STARTTLS + AUTH PLAIN, one small message")
        plan = {}
        labels = {"mailout": "mailout", "msmtp": "msmtp",
                  "libcurl": "libcurl floor"}
        for role, label in labels.items():
            sc.row(role, label)
            plan[role] = self.single(c, role, self.small,
                                     self.log("s5-" + role), secure=True)
        try:
            self.tls_support(c, self.log("s5-mailout"))
        except NotAvailable as e:
            sc.rows["mailout"].status = "n/a"
            sc.rows["mailout"].note = "not available in this build: %s" % e
            del plan["mailout"]
        sc.row("floor", "floor (raw SMTP)").status = "n/a"
        sc.rows["floor"].note = "no TLS in the raw floor"
        rounds(sc, plan, self.a.runs_tls, self)
        return sc

    # ---------------------------------------------------- delayed link

    def chunking_note(self):
        return ", CHUNKING offered" if self.a.delay_chunking else ""

    def delay_scenario(self, key, link, title, nrcpts):
        c = self.links[link]
        rcpts = ["r%d@example.net" % i for i in range(1, nrcpts + 1)]
        sc = Scenario(key, "delayed link (%d ms each way%s), %s, %d "
                      "recipient%s" % (self.a.delay_ms, self.chunking_note(),
                                       title, nrcpts,
                                       "s" if nrcpts > 1 else ""))
        plan = {}
        for role in ("mailout", "msmtp"):
            sc.row(role, role)
            plan[role] = self.single(c, role, self.small,
                                     self.log("s%s-%s" % (key, role)),
                                     rcpt=rcpts, nrcpts=nrcpts,
                                     secure=c.tls is not None)
        rounds(sc, plan, self.a.runs_delay, self)
        return sc

    def delay_queue(self, key):
        """mailout -q with n entries against n msmtp invocations."""
        n, c = self.a.delay_queue, self.links["plain"]
        sc = Scenario(key, "delayed link (%d ms each way%s), plain, a queue "
                      "of %d small messages" % (self.a.delay_ms,
                                                self.chunking_note(), n))
        plan = {}
        self.mailout_queue_row(sc, plan, key, c, n)
        sc.row("msmtp", "msmtp x%d" % n)
        plan["msmtp"] = self.loop(c, "msmtp", n, self.log("s%s-msmtp" % key))
        rounds(sc, plan, self.a.runs_delay_queue, self, warmup=False)
        return sc

    def scenario6(self):
        out, letters = [], iter("abcdefghijklmnop")
        for link, title in DELAY_LINKS:
            for n in DELAY_RCPTS:
                out.append(self.delay_scenario("6" + next(letters), link,
                                               title, n))
        return out + [self.delay_queue("6q")]

    # --------------------------------------------------------- CHUNKING

    def scenario7(self):
        c, msg = self.chunking, self.big
        sc = Scenario("7", "one %d MB message, the relay offers CHUNKING "
                      "and PIPELINING" % self.a.big_mb)
        plan = {}
        for role, label in (("mailout", "mailout"), ("msmtp", "msmtp"),
                            ("floor", "floor (raw SMTP, DATA)"),
                            ("floor-bdat", "floor (raw SMTP, BDAT)"),
                            ("libcurl", "libcurl floor")):
            sc.row(role, label)
            plan[role] = self.single(c, role, msg,
                                     self.log("s7-%s" % role))
        rounds(sc, plan, self.a.runs_chunking, self)
        return sc

    # -------------------------------------------------------------- all

    def run(self):
        wanted = None
        if self.a.only:
            wanted = set(ALIASES.get(k.strip(), k.strip())
                         for k in self.a.only.split(","))
        steps = [("1", self.scenario1), ("2", self.scenario2),
                 ("3", self.scenario3), ("4", self.scenario4),
                 ("5", self.scenario5), ("6", self.scenario6),
                 ("7", self.scenario7)]
        self.load = [os.getloadavg()[0]]
        try:
            self.prepare(wanted)
            for key, fn in steps:
                if wanted is None or key in wanted:
                    self.progress("scenario %s" % key)
                    got = fn()
                    self.scenarios += got if isinstance(got, list) else [got]
                    self.load.append(os.getloadavg()[0])
        finally:
            for s in getattr(self, "sinks", []):
                s.stop()
            if not self.a.keep:  # the inputs are large; logs stay
                shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------- report


def fmt_time(s):
    if s is None:
        return "-"
    if s < 0.01:
        return "%.2f ms" % (s * 1000)
    if s < 1:
        return "%.1f ms" % (s * 1000)
    return "%.2f s" % s


def fmt_mib(kib):
    return "-" if kib is None else "%.1f MiB" % (kib / 1024)


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return ("%.3fx" if a / b < 0.1 else "%.2fx") % (a / b)


def absolute_table(scenarios):
    out = ["| Scenario | Contender | Runs | Wall (median) | Wall (min-max) "
           "| CPU (median) | Peak RSS | Sink CPU |",
           "|---|---|---|---|---|---|---|---|"]
    for sc in scenarios:
        for role, r in sc.rows.items():
            if not r.ok():
                out.append("| %s | %s | - | %s | | | | |"
                           % (sc.key, r.label, r.status))
                continue
            walls = [x.wall for x in r.runs]
            out.append("| %s | %s | %d | %s | %s-%s | %s | %s | %s |" % (
                sc.key, r.label, len(r.runs), fmt_time(r.median("wall")),
                fmt_time(min(walls)), fmt_time(max(walls)),
                fmt_time(r.median("cpu")), fmt_mib(r.median("rss_kib")),
                fmt_time(r.median("sink_cpu"))))
    return out


def ratio_table(scenarios):
    """mailout's medians over the others'; in scenario 3 also the loop of
    mailout invocations, which needs no queue support."""
    out = ["| Scenario | Measure | mailout/msmtp | mailout/floor "
           "| mailout/libcurl floor |", "|---|---|---|---|---|"]
    for sc in scenarios:
        for role in ("mailout", "mailout-loop"):
            if role not in sc.rows:
                continue
            key = sc.key if role == "mailout" else "%s (%s)" % (
                sc.key, sc.rows[role].label)
            for attr, name in (("wall", "wall"), ("cpu", "CPU"),
                               ("rss_kib", "peak RSS")):
                m = sc.value(role, attr)
                out.append("| %s | %s | %s | %s | %s |" % (
                    key, name, fmt_ratio(m, sc.value("msmtp", attr)),
                    fmt_ratio(m, sc.value("floor", attr)),
                    fmt_ratio(m, sc.value("libcurl", attr))))
    return out


def target(name, ok, measured):
    if ok is None:
        return (name, "n/a", measured or "not measured")
    return (name, "PASS" if ok else "MISS", measured)


def targets(scenarios, a):
    s = {sc.key: sc for sc in scenarios}

    def v(key, role, attr):
        return s[key].value(role, attr) if key in s else None

    def ratio(a, b):
        return None if a is None or b is None else a / b

    res = []
    r = ratio(v("1", "mailout", "wall"), v("1", "msmtp", "wall"))
    res.append(target("1: wall <= 0.25x msmtp", None if r is None
                      else r <= 0.25, r and "%.3fx" % r))
    r = ratio(v("1", "mailout", "wall"), v("1", "libcurl", "wall"))
    res.append(target("1: wall <= 1.25x libcurl floor", None if r is None
                      else r <= 1.25, r and "%.2fx" % r))
    r = ratio(v("2", "mailout", "wall"), v("2", "floor", "wall"))
    res.append(target("2: wall <= 1.5x raw floor", None if r is None
                      else r <= 1.5, r and "%.2fx" % r))
    r = ratio(v("2", "mailout", "cpu"), v("2", "msmtp", "cpu"))
    res.append(target("2: CPU <= 0.2x msmtp", None if r is None
                      else r <= 0.2, r and "%.3fx" % r))
    big, small = v("2", "mailout", "rss_kib"), v("1", "mailout", "rss_kib")
    d = None if big is None or small is None else (big - small) / 1024
    res.append(target("2: peak RSS within 1 MiB of mailout's small-message "
                      "peak", None if d is None else abs(d) <= 1,
                      d is not None and "%+.2f MiB" % d))
    cf = v("2", "libcurl", "rss_kib")
    d = None if big is None or cf is None else (big - cf) / 1024
    res.append(target("2: peak RSS within 2 MiB of the libcurl floor's",
                      None if d is None else d <= 2,
                      d is not None and "%+.2f MiB" % d))
    r = ratio(v("3", "msmtp", "wall"), v("3", "mailout", "wall"))
    res.append(target("3: mailout -q >= 20x faster than the msmtp loop",
                      None if r is None else r >= 20, r and "%.1fx" % r))
    # Many round trips: the wall time follows the scheduler's wake-ups,
    # so the CPU time is shown beside it.
    t10, c10 = v("4a", "mailout", "wall"), v("4a", "mailout", "cpu")
    res.append(target("4: -t with %d recipients under 0.5 s" % a.rcpts,
                      None if t10 is None else t10 < 0.5,
                      t10 is not None and "%s (CPU %s)"
                      % (fmt_time(t10), fmt_time(c10))))
    r = ratio(v("4b", "mailout", "wall"), t10)
    rc = ratio(v("4b", "mailout", "cpu"), c10)
    res.append(target("4: twice the recipients at most twice the time",
                      None if r is None else r <= 2,
                      r and "%.2fx (CPU %.2fx)" % (r, rc)))
    r = ratio(v("5", "mailout", "wall"), v("5", "msmtp", "wall"))
    res.append(target("5: STARTTLS+AUTH wall <= msmtp's", None if r is None
                      else r <= 1, r and "%.2fx" % r))
    for sc in scenarios:
        if sc.key.startswith("6"):
            res += delay_targets(sc)
    res += chunking_targets(v)
    return res


def delay_targets(sc):
    """Scenario 6: round trips at most msmtp's, wall at most 0.9x; the
    queue run in at most 45 round trips."""
    res = []
    m, o = sc.value("mailout", "rtt"), sc.value("msmtp", "rtt")
    res.append(target("%s: round trips <= msmtp's" % sc.key,
                      None if m is None or o is None else m <= o,
                      m is not None and o is not None
                      and "%g vs %g" % (m, o)))
    mw, ow = sc.value("mailout", "wall"), sc.value("msmtp", "wall")
    r = None if mw is None or ow is None else mw / ow
    res.append(target("%s: wall <= 0.9x msmtp" % sc.key,
                      None if r is None else r <= 0.9, r and "%.2fx" % r))
    if sc.key == "6q":
        res.append(target("6q: queue run in <= 45 round trips",
                          None if m is None else m <= 45,
                          m is not None and "%g" % m))
    return res


def chunking_targets(v):
    """Scenario 7: wall at most 1.3x the raw floor (DATA, as in scenario
    2), CPU under 0.14x msmtp's (scenario 2's figure before CHUNKING)."""
    m = v("7", "mailout", "wall")
    res = []
    for role, name in (("floor", "raw floor"),
                       ("floor-bdat", "raw floor with BDAT")):
        f = v("7", role, "wall")
        r = None if m is None or f is None else m / f
        res.append(target("7: wall <= 1.3x %s" % name,
                          None if r is None else r <= 1.3,
                          r and "%.2fx" % r))
    mc, oc = v("7", "mailout", "cpu"), v("7", "msmtp", "cpu")
    r = None if mc is None or oc is None else mc / oc
    res.append(target("7: CPU < 0.14x msmtp", None if r is None
                      else r < 0.14, r and "%.3fx" % r))
    return res


def rtt_table(scenarios):
    """Scenario 6 side by side: round trips and wall time."""
    out = ["| Scenario | Link | mailout round trips | msmtp round trips "
           "| mailout wall | msmtp wall | mailout/msmtp wall |",
           "|---|---|---|---|---|---|---|"]
    for sc in scenarios:
        if not sc.key.startswith("6"):
            continue
        cells = []
        for role in ("mailout", "msmtp"):
            r = sc.rows.get(role)
            rt = sorted(set(x.rtt for x in r.runs)) if r and r.ok() else []
            cells.append("-" if not rt else "%g" % sc.value(role, "rtt")
                         + ("" if len(rt) == 1 else " (%g-%g)"
                            % (rt[0], rt[-1])))
        mw, ow = sc.value("mailout", "wall"), sc.value("msmtp", "wall")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            sc.key, sc.title.split("), ", 1)[1], cells[0], cells[1],
            fmt_time(mw), fmt_time(ow), fmt_ratio(mw, ow)))
    return out


def targets_table(scenarios, a):
    out = ["| Target | Result | Measured |", "|---|---|---|"]
    for name, verdict, measured in targets(scenarios, a):
        out.append("| %s | %s | %s |" % (name, verdict, measured))
    return out


def notes(scenarios):
    out = []
    for sc in scenarios:
        for r in sc.rows.values():
            if r.note:
                out.append("- %s, %s: %s" % (sc.key, r.label,
                                             r.note.splitlines()[0]))
        q = sc.rows.get("mailout")
        if sc.key in ("3", "6q") and q is not None and q.ok():
            conns = sorted(set(x.conns for x in q.runs))
            out.append("- %s, mailout -q: connections per queue run: %s"
                       % (sc.key, ", ".join(map(str, conns))))
    return out


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine(b):
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        with open("/etc/debian_version") as f:
            debian = "Debian " + f.read().strip()
    except OSError:
        debian = platform.platform()
    describe = command_output(["git", "-C", b.srcdir, "describe", "--always",
                               "--dirty", "--tags"])
    return [
        "- Date: %s" % datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%d %H:%M UTC"),
        "- Machine: %s, %d cores, Linux %s, %s"
        % (model, os.cpu_count(), platform.release(), debian),
        "- mailout: %s (git %s)" % (command_output([b.mailout, "--version"]),
                                   describe or "unknown"),
        "- msmtp: %s" % command_output([b.msmtp, "--version"])
        .splitlines()[0],
        "- libcurl: %s" % command_output([b.curlfloor, "--version"]),
        "- OpenSSL: %s" % command_output(["openssl", "version"]),
    ]


def settings(a):
    return ("- Runs: %d (scenario 1), %d (2), %d (3), %d (4), %d (5), "
            "%d (6; %d for 6q), %d (7); big message %d MB; queue %d; "
            "recipients %d and %d; delay %d ms each way, delayed queue %d%s%s"
            % (a.runs_small, a.runs_big, a.runs_queue, a.runs_rcpt,
               a.runs_tls, a.runs_delay, a.runs_delay_queue,
               a.runs_chunking, a.big_mb, a.queue, a.rcpts, 2 * a.rcpts,
               a.delay_ms, a.delay_queue,
               "; --delay-chunking" if a.delay_chunking else "",
               "; --quick" if a.quick else ""))


LEGEND = ("Wall: from spawn to exit.  CPU: user + system.  Peak RSS: "
          "ru_maxrss.  Sink CPU: what the sink's workers spent on the run's "
          "sessions.  A row \"x N\" is N invocations back to back: total "
          "wall, summed CPU, largest peak RSS.")


RTT_LEGEND = ("Round trips, counted by delayproxy: 1 for the connection, "
              "plus each flight from the client that follows data from the "
              "server; a row \"x N\" sums N connections.")


def report(b):
    # Other work on the machine shows in the spread of the figures.
    load = ("- Load average (1 min) at the start and after scenarios run: "
            + ", ".join("%.2f" % x for x in b.load))
    lines = ["# mailout benchmark", ""] + machine(b) + [settings(b.a), load,
                                                        ""]
    lines += ["## Scenarios", ""]
    lines += ["- %s: %s" % (sc.key, sc.title) for sc in b.scenarios] + [""]
    lines += ["## Absolute figures (medians)", ""] + absolute_table(
        b.scenarios) + ["", LEGEND, ""]
    lines += ["## Ratios (medians)", ""] + ratio_table(b.scenarios) + [""]
    if any(sc.key.startswith("6") for sc in b.scenarios):
        lines += ["## Delayed link: round trips (medians)", ""]
        lines += rtt_table(b.scenarios) + ["", RTT_LEGEND, ""]
    lines += ["## Targets", ""] + targets_table(b.scenarios, b.a) + [""]
    extra = notes(b.scenarios)
    if extra:
        lines += ["## Notes", ""] + extra + [""]
    if b.failed:
        lines += ["## FAILED", ""] + ["- " + f.splitlines()[0]
                                      for f in b.failed] + [""]
    return "\n".join(lines)


def dump_json(b, path):
    data = {sc.key: {"title": sc.title, "rows": {
        role: {"label": r.label, "status": r.status, "note": r.note,
               "runs": [vars(x) for x in r.runs]}
        for role, r in sc.rows.items()}} for sc in b.scenarios}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


# ------------------------------------------------------------------ main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mailout", default="./mailout")
    p.add_argument("--msmtp", default="msmtp")
    p.add_argument("--bindir", help="where the C tools are [OUT/bin]")
    p.add_argument("--srcdir", help="the source tree (for git describe)")
    p.add_argument("--out", default="tests/bench/out")
    p.add_argument("--only", help="scenarios to run, e.g. 1,2; 'delay' "
                   "is 6, 'chunking' 7")
    p.add_argument("--keep", action="store_true",
                   help="keep OUT/work (inputs, configurations, queues)")
    p.add_argument("--quick", action="store_true",
                   help="few runs and smaller inputs: a smoke run")
    p.add_argument("--runs-small", type=int, default=11)
    p.add_argument("--runs-big", type=int, default=5)
    p.add_argument("--runs-queue", type=int, default=3)
    p.add_argument("--runs-rcpt", type=int, default=9)
    p.add_argument("--runs-tls", type=int, default=11)
    p.add_argument("--big-mb", type=int, default=100)
    p.add_argument("--queue", type=int, default=1000)
    p.add_argument("--rcpts", type=int, default=10000)
    p.add_argument("--runs-delay", type=int, default=5)
    p.add_argument("--runs-delay-queue", type=int, default=3)
    p.add_argument("--runs-chunking", type=int, default=3)
    p.add_argument("--delay-ms", type=int, default=25,
                   help="scenario 6: the link's delay each way")
    p.add_argument("--delay-queue", type=int, default=20,
                   help="scenario 6q: messages in the queue")
    p.add_argument("--timeout", type=int, default=600,
                   help="seconds one timed run may take before it is killed")
    p.add_argument("--delay-chunking", action="store_true",
                   help="scenario 6: the sinks offer CHUNKING too")
    a = p.parse_args(argv)
    if a.quick:
        a.runs_small, a.runs_big, a.runs_queue = 3, 1, 1
        a.runs_rcpt, a.runs_tls = 1, 3
        a.runs_delay, a.runs_delay_queue, a.runs_chunking = 2, 1, 1
        a.big_mb, a.queue = 10, 50
    return a


def main(argv):
    b = Bench(parse_args(argv))
    os.makedirs(b.out, exist_ok=True)
    try:
        b.run()
    except BenchError as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    text = report(b)
    print(text)
    with open(os.path.join(b.out, "results.md"), "w") as f:
        f.write(text)
    dump_json(b, os.path.join(b.out, "results.json"))
    print("bench: written to %s" % os.path.join(b.out, "results.md"),
          file=sys.stderr)
    if b.failed:
        print("bench: FAILED runs:\n" + "\n".join(b.failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
