#!/usr/bin/python3
"""Test SMTP relay for the mailout end-to-end tests.

Listens on 127.0.0.1, stores every accepted transaction under --dir and can
inject faults at each stage of an SMTP session.  tests/relay/README.md
describes the options and the stored files.

Runs with Debian's /usr/bin/python3 and python3-aiosmtpd: aiosmtpd supplies
the protocol plumbing (stream reader and writer, connection bookkeeping);
the command loop, the replies, DATA, STARTTLS and AUTH are implemented here
so that every byte on the wire is visible and every stage can be faulted.
"""

import argparse
import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import ssl
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Optional

from aiosmtpd.smtp import SMTP

# Longest command line or DATA line read in one piece.  Longer command lines
# get a 500 reply; longer DATA lines are still stored, byte for byte.
MAX_LINE = 8192

# Safety net: a connection silent for this long is closed without a word.
SILENCE_LIMIT = 300

STAGES = {"greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data",
          "body", "eod", "rset", "quit"}

# First digit of the normal successful reply at each stage.  A fault reply
# with the same first digit lets the command succeed with that reply text;
# any other reply rejects the command.
SUCCESS_CLASS = {"greeting": "2", "ehlo": "2", "starttls": "2", "auth": "2",
                 "mail": "2", "rcpt": "2", "data": "3", "eod": "2",
                 "rset": "2", "quit": "2"}

INVALID_CREDENTIALS = "535 5.7.8 Authentication credentials invalid"


# ---------------------------------------------------------------- faults

@dataclass(frozen=True)
class Fault:
    text: str                 # as given, for the transcript
    stage: str                # one of STAGES ("rcpt" for rcpt:ADDR too)
    addr: Optional[str]       # lower-cased ADDR of rcpt:ADDR, else None
    delay: float              # seconds to wait first
    drop: bool                # close the connection without a reply
    reply: Optional[str]      # reply line to send instead of the normal one
    first: int                # first session it applies to
    last: Optional[int]       # last session, None for no limit

    def applies_to(self, session):
        return self.first <= session and (self.last is None
                                          or session <= self.last)


SPEC_RE = re.compile(r"^(?P<action>.*)@(?P<first>\d+)(?P<dash>-)?(?P<last>\d+)?$",
                     re.S)
REPLY_RE = re.compile(r"^[2-5]\d\d(?:[ -].*)?$", re.S)


def parse_stage(stage):
    """Return (stage, addr) for a fault stage, or None if it is not one."""
    if stage.startswith("rcpt:") and len(stage) > 5:
        return "rcpt", stage[5:].strip("<>").lower()
    if stage in STAGES:
        return stage, None
    return None


def parse_action(action):
    """Return (delay, drop, reply) for a fault action, or None if invalid."""
    delay = 0.0
    if action.startswith("sleep:"):
        seconds, _, action = action[6:].partition(":")
        try:
            delay = float(seconds)
        except ValueError:
            return None
        if delay < 0:
            return None
        if not action:
            return delay, False, None
    if action == "drop":
        return delay, True, None
    if REPLY_RE.match(action):
        # "\\n" (backslash, n) ends a line of a multi-line reply; it
        # works in a --fault argument and in DIR/faults alike.
        return delay, False, action.replace("\\n", "\n")
    return None


def parse_fault(text):
    """Parse STAGE=ACTION[@SPEC]; raise ValueError if it is malformed."""
    body, first, last = text, 1, None
    spec = SPEC_RE.match(text)
    if spec:
        body, first = spec["action"], int(spec["first"])
        last = None if spec["dash"] and not spec["last"] else int(
            spec["last"] or first)
    # An address in rcpt:ADDR may itself contain "=", so try each "=" in
    # turn until both sides make sense.
    for at in (m.start() for m in re.finditer("=", body)):
        stage, action = parse_stage(body[:at]), parse_action(body[at + 1:])
        if stage and action:
            return Fault(text, stage[0], stage[1], *action, first, last)
    raise ValueError(f"bad fault {text!r}: expected STAGE=ACTION[@SPEC]")


class FaultSet:
    """The faults in force for one session."""

    def __init__(self, faults, session):
        self.faults = [f for f in faults if f.applies_to(session)]

    def find(self, stage, addr=None):
        """The fault for this stage; rcpt:ADDR wins over a plain rcpt."""
        if addr is not None:
            wanted = addr.lower()
            for fault in self.faults:
                if fault.stage == stage and fault.addr == wanted:
                    return fault
        for fault in self.faults:
            if fault.stage == stage and fault.addr is None:
                return fault
        return None


def read_fault_file(path):
    """Faults from DIR/faults, or None when there is no such file."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    faults = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            faults.append(parse_fault(line))
        except ValueError as e:
            print(f"relay: {path}: {e}", file=sys.stderr)
    return faults


# ---------------------------------------------------------------- storage

def write_atomic(path, data):
    """Replace path with data so that a reader never sees half of it."""
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def as_bytes(value):
    return value if isinstance(value, (bytes, bytearray)) else str(
        value).encode("utf-8", "surrogateescape")


class Relay:
    """State shared by all sessions: options, counters, storage."""

    def __init__(self, opts):
        self.opts = opts
        self.dir = opts.dir
        self.cli_faults = opts.fault
        self.tls = make_tls_context(opts)
        self.creds = dict(opts.auth)
        self.sessions = 0
        self.stored = {"msg": 0, "dropped": 0}
        self.live = set()

    def path(self, name):
        return os.path.join(self.dir, name)

    def secret_matches(self, user, secret):
        """Whether secret (bytes) is the one given for user by --auth."""
        expected = self.creds.get(user)
        return expected is not None and hmac.compare_digest(
            as_bytes(expected), secret)

    def open_session(self):
        """Count a new connection; return its number and its faults."""
        self.sessions += 1
        write_atomic(self.path("sessions"), b"%d" % self.sessions)
        faults = read_fault_file(self.path("faults"))
        if faults is None:
            faults = self.cli_faults
        return self.sessions, FaultSet(faults, self.sessions)

    def store(self, kind, files):
        """Write one message as DIR/KIND.N (kind is msg or dropped)."""
        self.stored[kind] += 1
        n = self.stored[kind]
        tmp = self.path(f".tmp.{kind}.{n}")
        os.mkdir(tmp)
        for name, value in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(as_bytes(value))
        os.rename(tmp, self.path(f"{kind}.{n}"))
        return n


# ---------------------------------------------------------------- TLS

TLS_VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}

# Short attribute names for the client certificate subject (RFC 4514).
RDN_NAMES = {"commonName": "CN", "organizationName": "O",
             "organizationalUnitName": "OU", "countryName": "C",
             "stateOrProvinceName": "ST", "localityName": "L",
             "streetAddress": "STREET", "domainComponent": "DC",
             "userId": "UID"}


def make_tls_context(opts):
    if not opts.tls_cert:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
    if opts.tls_max:
        ctx.maximum_version = TLS_VERSIONS[opts.tls_max]
    if opts.client_ca:
        # Ask for a certificate and verify any that is sent; unless one is
        # required, a client that sends none is still served.
        ctx.load_verify_locations(opts.client_ca)
        ctx.verify_mode = (ssl.CERT_REQUIRED if opts.require_client_cert
                           else ssl.CERT_OPTIONAL)
    return ctx


def cert_subject(ssl_object):
    """Subject of the verified peer certificate as in RFC 4514, or ""."""
    cert = ssl_object.getpeercert() if ssl_object else None
    if not cert:
        return ""
    parts = []
    for rdn in reversed(cert.get("subject", ())):
        parts.append("+".join(f"{RDN_NAMES.get(k, k)}={rdn_escape(v)}"
                              for k, v in rdn))
    return ",".join(parts)


def rdn_escape(value):
    value = re.sub(r'([,+"\\<>;])', r"\\\1", value)
    if value.startswith(("#", " ")):
        value = "\\" + value
    if value.endswith(" "):
        value = value[:-1] + "\\ "
    return value


# ---------------------------------------------------------------- addresses

FROM_RE = re.compile(rb"FROM:", re.I)
TO_RE = re.compile(rb"TO:", re.I)


def parse_path(text):
    """Split '<addr> PARAMS' into (addr, [params]); None if malformed.

    Lenient like many servers: spaces before the path and a path without
    angle brackets are accepted.
    """
    text = text.strip()
    if text.startswith(b"<"):
        end = text.find(b">")
        if end < 0:
            return None
        return text[1:end], text[end + 1:].split()
    words = text.split()
    if not words:
        return None
    return words[0], words[1:]


def declared_size(params):
    """The SIZE= value among MAIL parameters, or None."""
    for param in params:
        key, _, value = param.partition(b"=")
        if key.upper() == b"SIZE" and value.isdigit():
            return int(value)
    return None


def text(value):
    return value.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------- session

class AuthFailed(Exception):
    """AUTH did not succeed; args[0] is the reply to send (None: sent)."""


class SessionEnd(Exception):
    """The session is over; the connection is already being closed."""


class RelaySession(SMTP):
    """One client connection."""

    line_length_limit = MAX_LINE

    def __init__(self, relay):
        super().__init__(None, hostname=relay.opts.hostname,
                         timeout=SILENCE_LIMIT,
                         loop=asyncio.get_running_loop())
        self.relay = relay
        self.opts = relay.opts
        self.number, self.faults = relay.open_session()
        self.transcript = open(relay.path(f"session.{self.number}.log"),
                               "wb", buffering=0)
        self.note("connection accepted")
        self.helo = self.helo_verb = None
        self.auth_info = None       # (mechanism, user) after AUTH
        self.bearer = b""           # the token it took (--bearer-file)
        self.tls_version = None
        self.client_cert = ""
        self.refusing = False       # after a non-2xx greeting
        self.success_reply = None   # set by a success-class fault
        self.ended = False
        self.partial = b""          # start of a long line, for the log
        self.accepting = None       # the task deciding on a message
        self.outbox = []            # replies not yet sent (see flush())
        self.flights = [[]]         # verbs of each flight, the last open
        self.txn_start = (0, 0)     # where the transaction's MAIL is in it
        self.reset_transaction()

    # ---- transcript and replies

    def note(self, what):
        self.log_line(b"* ", what.encode("utf-8", "backslashreplace"))

    def log_line(self, prefix, line):
        if not self.transcript.closed:
            self.transcript.write(prefix + line.rstrip(b"\r\n") + b"\n")

    def log_client(self, piece):
        """Log what the client sent, one line at a time."""
        self.partial += piece
        if piece.endswith(b"\n"):
            self.log_line(b"C: ", self.partial)
            self.partial = b""

    async def push(self, status):
        """Queue a reply; a multi-line one (a fault's) line by line.

        Replies go out when the relay is about to wait for input that is
        not there yet (see read_line()), as an RFC 2920 server may batch
        them; each such flush ends a flight.
        """
        self.outbox += as_bytes(status).split(b"\n")

    def write_out(self):
        """Hand the queued replies to the transport; end the flight."""
        if not self.outbox:
            return
        for line in self.outbox:
            self.log_line(b"S: ", line)
        # Noted before the replies go: a client that has its reply finds
        # the transcript complete up to it.
        if self.flights[-1]:
            self.note("flight " + " ".join(self.flights[-1]))
            self.flights.append([])
        if self.transport is not None and not self.transport.is_closing():
            self._writer.write(b"".join(line + b"\r\n"
                                        for line in self.outbox))
        self.outbox = []

    async def flush(self):
        """Send the queued replies now."""
        if self.outbox:
            self.write_out()
            await self._writer.drain()

    def record(self, verb):
        """Note a command (or "(data)", "(auth)"...) in the open flight."""
        self.flights[-1].append(verb)

    def transaction_flights(self):
        """The flights of the transaction so far, one line each (LF).

        From its MAIL command on: commands that shared a flight with it
        but came before it are left out.
        """
        i, j = self.txn_start
        flights = [self.flights[i][j:]] + self.flights[i + 1:]
        return "".join(" ".join(f) + "\n" for f in flights if f)

    async def reply(self, line):
        """Send one reply line; a 421 also ends the session."""
        await self.push(line)
        if line.startswith("421"):
            self.hang_up("closed after 421")

    async def succeed(self, lines):
        """Send a successful reply, or the text a fault put in its place."""
        if self.success_reply:
            lines = self.success_reply.split("\n")
            self.success_reply = None
        for i, line in enumerate(lines):
            sep = " " if i == len(lines) - 1 else "-"
            await self.push(line[:3] + sep + line[4:] if len(line) > 3
                            else line)

    def hang_up(self, why):
        """Close the connection and unwind the session."""
        self.write_out()    # closing the transport still sends them
        self.note(why)
        self.ended = True
        if self.transport is not None:
            self.transport.close()
        raise SessionEnd()

    # ---- faults

    async def fault_gate(self, stage, addr=None):
        """Apply the fault for this stage, if any.

        True when the command is finished (rejected or dropped); False when
        it is to be carried out normally.
        """
        self.success_reply = None
        fault = self.faults.find(stage, addr)
        if fault is None:
            return False
        self.note(f"fault {fault.text}")
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            self.hang_up("dropped by fault")
        if fault.reply is None:
            return False
        if fault.reply[0] == SUCCESS_CLASS[stage]:
            self.success_reply = fault.reply
            return False
        await self.reply(fault.reply)
        return True

    # ---- the command loop

    async def _handle_client(self):
        # Replaces aiosmtpd's loop, which is started by connection_made().
        try:
            await self.run_session()
        except SessionEnd:
            pass
        except asyncio.CancelledError:
            # aiosmtpd cancels this task when the client closes its side.
            if not self.ended:
                self.note("connection closed by client")
            raise
        except (ConnectionError, asyncio.IncompleteReadError):
            self.note("connection lost")
        except Exception:
            # A bug in the relay: make it loud, in the transcript and stderr.
            self.note(traceback.format_exc())
            traceback.print_exc()
        finally:
            self.end_session()

    def end_session(self):
        self.ended = True
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()
        if self.transport is not None:
            self.transport.close()
        if self.accepting and not self.accepting.done():
            # Still to note what became of the message.
            self.accepting.add_done_callback(
                lambda _: self.transcript.close())
        else:
            self.transcript.close()
        self.relay.live.discard(self)

    async def run_session(self):
        self.relay.live.add(self)
        self.note("peer %s:%s" % self.session.peer[:2])
        ssl_object = self.transport.get_extra_info("ssl_object")
        if ssl_object is not None:      # implicit TLS
            self.record_tls(ssl_object)
        await self.greet()
        while True:
            line = await self.read_command()
            if line is not None:
                await self.dispatch(line)

    async def greet(self):
        if await self.fault_gate("greeting"):
            # RFC 5321 3.1: after a refusing greeting only QUIT is served.
            self.refusing = True
            return
        await self.succeed([f"220 {self.opts.hostname} ESMTP"])

    async def read_line(self):
        """The next line, CRLF included; a too long one comes in pieces.

        Queued replies are sent first unless the client has already sent
        a whole line more: the relay answers a flight of pipelined
        commands at once (RFC 2920 3.1).
        """
        if b"\n" not in self._reader._buffer:
            await self.flush()
        try:
            line = await self._reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as e:
            line = await self._reader.read(e.consumed)
        except asyncio.IncompleteReadError as e:
            if e.partial:
                self.log_client(e.partial + b"\n")
            self.hang_up("connection closed by client")
        self._reset_timeout()
        return line

    async def read_command(self):
        """The next command line without CRLF, or None if it was too long."""
        try:
            line = await asyncio.wait_for(self.read_line(),
                                          self.opts.idle_421)
        except asyncio.TimeoutError:
            await self.push("421 4.4.2 idle timeout")
            self.hang_up(f"idle for {self.opts.idle_421} s")
        self.log_client(line)
        if line.endswith(b"\n"):
            return line.rstrip(b"\r\n")
        while not line.endswith(b"\n"):     # skip the rest of a long line
            line = await self.read_line()
            self.log_client(line)
        self.record("(long)")
        await self.push("500 5.5.2 Line too long")
        return None

    async def dispatch(self, line):
        verb, _, arg = line.partition(b" ")
        verb = verb.upper().decode("ascii", "replace")
        self.record(verb or "(empty)")
        method = self._smtp_methods.get(verb)
        if self.refusing and verb != "QUIT":
            await self.push("503 5.5.1 Bad sequence of commands")
        elif method is None:
            await self.push("500 5.5.2 Error: command not recognized")
        else:
            await method(arg)

    def reset_transaction(self):
        self.mail = None
        self.rcpts = []
        self.chunks = None      # BDAT chunk sizes, once BDAT came
        self.chunk_data = bytearray()

    # ---- session set-up commands

    async def smtp_HELO(self, arg):
        await self.hello("HELO", arg)

    async def smtp_EHLO(self, arg):
        await self.hello("EHLO", arg)

    async def hello(self, verb, arg):
        if await self.fault_gate("ehlo"):
            return
        if not arg.strip():
            return await self.push(f"501 5.5.4 Syntax: {verb} hostname")
        self.helo, self.helo_verb = arg.strip(), verb
        self.reset_transaction()
        if verb == "HELO":
            return await self.succeed([f"250 {self.opts.hostname}"])
        lines = [self.opts.hostname] + self.ehlo_keywords()
        await self.succeed(["250 " + line for line in lines])

    def ehlo_keywords(self):
        words = []
        if self.opts.size:
            words.append(f"SIZE {self.opts.size}")
        if self.opts.pipelining:
            words.append("PIPELINING")
        words.append("8BITMIME")
        if self.opts.dsn:
            words.append("DSN")
        if self.opts.chunking:
            words.append("CHUNKING")
        if self.starttls_offered():
            words.append("STARTTLS")
        if self.auth_mechs() and (self.tls_version
                                  or self.opts.auth_without_tls):
            words.append("AUTH " + " ".join(self.auth_mechs()))
        words.append("ENHANCEDSTATUSCODES")
        words += self.opts.ehlo_ext
        removed = {w.split()[0].upper() for w in self.opts.no_ehlo_ext
                   if w.split()}
        return [w for w in words if w.split()[0].upper() not in removed]

    def starttls_offered(self):
        return bool(self.relay.tls and not self.tls_version
                    and not self.opts.no_starttls)

    def auth_mechs(self):
        if self.opts.auth_mechs:
            return self.opts.auth_mechs
        return ["PLAIN", "LOGIN"] if self.opts.auth else []

    async def smtp_STARTTLS(self, arg):
        if await self.fault_gate("starttls"):
            return
        if arg.strip():
            return await self.push("501 5.5.4 Syntax: STARTTLS")
        if self.tls_version:
            return await self.push("503 5.5.1 TLS already active")
        if not self.starttls_offered():
            return await self.push("454 4.7.0 TLS not available")
        await self.succeed(["220 2.0.0 Ready to start TLS"])
        await self.flush()
        await self.start_tls()

    async def start_tls(self):
        # Anything the client sent after STARTTLS in clear text would be
        # injected into the TLS session; drop it (RFC 3207 section 5).
        if self._reader._buffer:
            self.note(f"discarded {len(self._reader._buffer)} bytes sent"
                      " in clear text after STARTTLS")
            self._reader._buffer.clear()
        try:
            await self._writer.start_tls(self.relay.tls)
        except OSError as e:
            self.hang_up(f"TLS handshake failed: {e}")
        # aiosmtpd and the stream reader keep their own transport reference.
        self.transport = self._writer.transport
        self._reader._transport = self.transport
        self.record_tls(self.transport.get_extra_info("ssl_object"))
        # RFC 3207 4.2: forget everything learnt before TLS.
        self.helo = self.helo_verb = self.auth_info = None
        self.reset_transaction()

    def record_tls(self, ssl_object):
        self.tls_version = ssl_object.version()
        self.client_cert = cert_subject(ssl_object)
        self.note(f"TLS {self.tls_version}"
                  + (f" client {self.client_cert}" if self.client_cert
                     else ""))

    # ---- AUTH

    async def smtp_AUTH(self, arg):
        if await self.fault_gate("auth"):
            return
        refusal = self.auth_refusal(arg)
        if refusal:
            return await self.push(refusal)
        words = arg.split()
        mech = text(words[0]).upper()
        initial = words[1] if len(words) > 1 else None
        try:
            user = await MECHANISMS[mech](self, initial)
        except AuthFailed as e:
            if e.args[0]:
                await self.push(e.args[0])
            return
        self.auth_info = (mech, user)
        self.note(f"authenticated {mech} {user}")
        await self.succeed(["235 2.7.0 Authentication successful"])

    def auth_refusal(self, arg):
        """Why this AUTH command cannot go ahead, or None."""
        words = arg.split()
        if self.helo_verb != "EHLO":
            return "503 5.5.1 Error: send EHLO first"
        if not self.auth_mechs():
            return "503 5.5.1 Error: authentication not enabled"
        if not self.tls_version and not self.opts.auth_without_tls:
            return ("538 5.7.11 Encryption required for requested"
                    " authentication mechanism")
        if self.auth_info:
            return "503 5.5.1 Error: already authenticated"
        if self.mail is not None:
            return "503 5.5.1 Error: MAIL transaction in progress"
        if not 1 <= len(words) <= 2:
            return "501 5.5.4 Syntax: AUTH mechanism [initial-response]"
        if text(words[0]).upper() not in self.auth_mechs():
            return "504 5.5.4 Unrecognized authentication type"
        return None

    async def challenge(self, data):
        """Send a 334 challenge; return the decoded client response."""
        await self.push(b"334 " + base64.b64encode(data))
        line = await self.read_line()
        self.log_client(line)
        self.record("(auth)")
        return decode_response(line.rstrip(b"\r\n"))

    # ---- mail transaction

    async def smtp_MAIL(self, arg):
        if self.mail is None:   # a transaction (maybe) starts here
            self.txn_start = (len(self.flights) - 1,
                              len(self.flights[-1]) - 1)
        if await self.fault_gate("mail"):
            return
        refusal = self.mail_refusal(arg)
        if refusal:
            return await self.push(refusal)
        self.mail = arg[5:]
        await self.succeed(["250 2.1.0 Ok"])

    def mail_refusal(self, arg):
        """Why this MAIL command is refused, or None."""
        if not self.helo:
            return "503 5.5.1 Error: send HELO/EHLO first"
        if not FROM_RE.match(arg):
            return "501 5.5.4 Syntax: MAIL FROM:<address>"
        path = parse_path(arg[5:])
        if path is None:
            return "501 5.1.7 Bad sender address syntax"
        if self.mail is not None:
            return "503 5.5.1 Error: nested MAIL command"
        if self.opts.require_starttls and not self.tls_version:
            return "530 5.7.0 Must issue a STARTTLS command first"
        if self.opts.require_auth and not self.auth_info:
            return "530 5.7.0 Authentication required"
        size = declared_size(path[1])
        if self.opts.size and size is not None and size > self.opts.size:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        return None

    async def smtp_RCPT(self, arg):
        path = parse_path(arg[3:]) if TO_RE.match(arg) else None
        addr = text(path[0]) if path else None
        if await self.fault_gate("rcpt", addr):
            return
        if self.mail is None:
            return await self.push("503 5.5.1 Error: need MAIL command")
        if path is None or not addr:
            return await self.push("501 5.1.3 Bad recipient address syntax")
        if self.opts.max_rcpts and len(self.rcpts) >= self.opts.max_rcpts:
            # RFC 5321 4.5.3.1.10: the client sends the rest later.
            return await self.push("452 4.5.3 Too many recipients")
        self.rcpts.append(arg[3:])
        await self.succeed(["250 2.1.5 Ok"])

    async def smtp_DATA(self, arg):
        if await self.fault_gate("data"):
            return
        if arg.strip():
            return await self.push("501 5.5.4 Syntax: DATA")
        if self.mail is None:
            return await self.push("503 5.5.1 Error: need MAIL command")
        if self.chunks is not None:
            # RFC 3030 2: no DATA in a transaction that used BDAT.
            return await self.push("503 5.5.1 Error: DATA after BDAT")
        if not self.rcpts:
            return await self.push("554 5.5.1 Error: no valid recipients")
        await self.succeed(["354 End data with <CR><LF>.<CR><LF>"])
        files = self.message_files()
        self.reset_transaction()
        message = await self.receive_data()
        if message is not None:
            files["data.raw"], files["data"] = message
            await self.end_of_data(files)

    async def smtp_BDAT(self, arg):
        if not self.opts.chunking:
            return await self.push("500 5.5.2 Error: command not recognized")
        words = arg.split()
        if not 1 <= len(words) <= 2 or not words[0].isdigit():
            # The chunk's end is unknown: what follows is read as commands.
            return await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
        # RFC 3030 2: the chunk is read whatever the reply will be.
        chunk = await self.read_chunk(int(words[0]))
        last = len(words) == 2 and words[1].upper() == b"LAST"
        refusal = self.bdat_refusal(words)
        if refusal:
            return await self.push(refusal)
        if self.chunks is None:
            self.chunks = []
        self.chunks.append(len(chunk))
        self.chunk_data += chunk
        if not last:
            return await self.push(f"250 2.0.0 Ok: {len(chunk)} octets")
        files = self.message_files()
        data = bytes(self.chunk_data)
        files.update({"data": data, "data.raw": data, "chunks": "".join(
            f"{n}\n" for n in self.chunks)})
        self.reset_transaction()
        await self.end_of_data(files)

    def bdat_refusal(self, words):
        """Why this BDAT chunk is refused, or None."""
        if len(words) == 2 and words[1].upper() != b"LAST":
            return "501 5.5.4 Syntax: BDAT size [LAST]"
        if self.mail is None:
            return "503 5.5.1 Error: need MAIL command"
        if not self.rcpts:
            return "503 5.5.1 Error: need RCPT command"
        return None

    async def read_chunk(self, size):
        """The size octets of a BDAT chunk, logged line by line."""
        try:
            chunk = await self._reader.readexactly(size)
        except asyncio.IncompleteReadError as e:
            self.log_client(e.partial + b"\n")
            self.hang_up("connection closed by client during BDAT")
        self._reset_timeout()
        # (Lines end at LF only, as on the wire; a last piece without one
        # gets its own transcript line.)
        for line in re.findall(rb"[^\n]*\n|[^\n]+", chunk):
            self.log_client(line if line.endswith(b"\n") else line + b"\n")
        self.note(f"BDAT chunk of {size} octets")
        return chunk

    def message_files(self):
        """The stored files of the current transaction, except the data."""
        auth = "%s %s" % self.auth_info if self.auth_info else ""
        return {"helo": self.helo, "helo.verb": self.helo_verb,
                "mail": self.mail, "rcpt": b"".join(r + b"\n"
                                                    for r in self.rcpts),
                "tls": self.tls_version or "none",
                "client-cert": self.client_cert, "auth": auth,
                "bearer": self.bearer,
                "session": str(self.number)}

    async def receive_data(self):
        """Read the DATA section up to the final dot.

        Returns (raw, unstuffed); raw is the text as sent, up to and
        including the CRLF before the final ".CRLF".  None when a body fault
        answered instead.
        """
        fault = self.faults.find("body")
        if fault:
            self.note(f"fault {fault.text}")
            await asyncio.sleep(fault.delay)
        raw, data = bytearray(), bytearray()
        rejected = False
        while True:
            chunk = await self.read_line()
            self.log_client(chunk)
            if not raw:
                self.record("(data)")
            at_line_start = not raw or raw.endswith(b"\r\n")
            if fault and not rejected and (fault.drop or fault.reply):
                rejected = await self.body_fault(fault)
            if at_line_start and chunk == b".\r\n":
                return None if rejected else (bytes(raw), bytes(data))
            raw += chunk
            # RFC 5321 4.5.2: a leading dot was added by the client.
            data += chunk[1:] if at_line_start and chunk[:1] == b"." \
                else chunk

    async def body_fault(self, fault):
        """Cut the DATA section short after its first line."""
        if fault.drop:
            self.hang_up("dropped during DATA by fault")
        # Reply at once; the rest of the data is read and thrown away.
        await self.reply(fault.reply)
        await self.flush()
        return True

    async def end_of_data(self, files):
        files["flights"] = self.transaction_flights()
        # Shielded: a client hanging up during an eod sleep does not stop
        # the relay from finishing (and storing) the message.
        self.accepting = asyncio.ensure_future(self.accept_message(files))
        line = await asyncio.shield(self.accepting)
        if line is None:
            self.hang_up("dropped after end of data by fault")
        await self.reply(line)

    async def accept_message(self, files):
        """Decide on a received message; return the reply, None to drop."""
        fault = self.faults.find("eod")
        if fault:
            self.note(f"fault {fault.text}")
            await asyncio.sleep(fault.delay)
            if fault.drop:
                n = self.relay.store("dropped", files)
                self.note(f"stored dropped.{n}")
                return None
            if fault.reply and fault.reply[0] != "2":
                return fault.reply
        too_big = self.opts.size and len(files["data"]) > self.opts.size
        if too_big and not (fault and fault.reply):
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        n = self.relay.store("msg", files)
        self.note(f"stored msg.{n}")
        if fault and fault.reply:
            return fault.reply
        return f"250 2.0.0 Ok: queued as {n}"

    # ---- other commands

    async def smtp_RSET(self, arg):
        if await self.fault_gate("rset"):
            return
        self.reset_transaction()
        await self.succeed(["250 2.0.0 Ok"])

    async def smtp_NOOP(self, arg):
        await self.push("250 2.0.0 Ok")

    async def smtp_QUIT(self, arg):
        if await self.fault_gate("quit"):
            return
        await self.succeed(["221 2.0.0 Bye"])
        self.hang_up("closed after QUIT")

    async def smtp_VRFY(self, arg):
        await self.push("252 2.0.0 Cannot VRFY user")

    async def smtp_EXPN(self, arg):
        await self.push("502 5.5.1 EXPN not available")

    async def smtp_HELP(self, arg):
        await self.push("214 2.0.0 See RFC 5321")


# ---------------------------------------------------------------- SASL

def decode_response(line):
    """Decode a base64 SASL response; "=" is an empty one (RFC 4954)."""
    if line == b"*":
        raise AuthFailed("501 5.7.0 Authentication aborted")
    if line == b"=":
        return b""
    try:
        return base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raise AuthFailed("501 5.5.2 Cannot decode response") from None


async def first_response(session, initial):
    """The client's first SASL response: the initial one, or asked for."""
    if initial is None:
        return await session.challenge(b"")
    return decode_response(initial)


def checked_user(session, user, secret):
    """The user name if secret is the user's; raise AuthFailed if not."""
    if not session.relay.secret_matches(text(user), secret):
        raise AuthFailed(INVALID_CREDENTIALS)
    return text(user)


async def mech_plain(session, initial):
    parts = (await first_response(session, initial)).split(b"\0")
    if len(parts) != 3:
        raise AuthFailed("501 5.5.2 Malformed PLAIN response")
    return checked_user(session, parts[1], parts[2])


async def mech_login(session, initial):
    if initial is None:
        user = await session.challenge(b"Username:")
    else:
        user = decode_response(initial)
    password = await session.challenge(b"Password:")
    return checked_user(session, user, password)


async def mech_cram_md5(session, initial):
    if initial is not None:
        raise AuthFailed("501 5.5.4 CRAM-MD5 takes no initial response")
    nonce = "<%s.%d@%s>" % (secrets.token_hex(8), time.time(),
                            session.opts.hostname)
    response = await session.challenge(nonce.encode())
    user, _, digest = response.rpartition(b" ")
    secret = session.relay.creds.get(text(user))
    expected = hmac.new(as_bytes(secret or ""), nonce.encode(), hashlib.md5)
    if secret is None or not hmac.compare_digest(
            expected.hexdigest().encode(), digest.lower()):
        raise AuthFailed(INVALID_CREDENTIALS)
    return text(user)


async def bearer_failure(session, status):
    """Report a bad token the OAuth way: a JSON challenge, then 535."""
    error = json.dumps(status, separators=(",", ":")).encode()
    await session.push(b"334 " + base64.b64encode(error))
    session.log_client(await session.read_line())
    session.record("(auth)")
    raise AuthFailed(INVALID_CREDENTIALS)


def bearer_token(fields):
    """The token of an "auth=Bearer TOKEN" field, or None."""
    for field in fields:
        if field[:12].lower() == b"auth=bearer ":
            return field[12:].strip()
    return None


def issued_tokens(path):
    """The tokens in the file an identity provider writes, one a line."""
    try:
        with open(path, "rb") as f:
            return set(f.read().split())
    except FileNotFoundError:
        return set()


def bearer_user(session, user, token):
    """Whom the token belongs to (any user if none is named), or None."""
    if session.opts.bearer_file:
        # Only a token the provider issued, and has not revoked.
        if token is None or token not in issued_tokens(
                session.opts.bearer_file):
            return None
        session.bearer = token
        return text(user) or "(token)"
    names = [text(user)] if user else list(session.relay.creds)
    for name in names:
        if token is not None and session.relay.secret_matches(name, token):
            return name
    return None


async def mech_xoauth2(session, initial):
    fields = (await first_response(session, initial)).split(b"\x01")
    user = next((f[5:] for f in fields if f[:5].lower() == b"user="), b"")
    name = bearer_user(session, user, bearer_token(fields))
    if name is None:
        await bearer_failure(session, {"status": "401"})
    return name


async def mech_oauthbearer(session, initial):
    gs2, *fields = (await first_response(session, initial)).split(b"\x01")
    # gs2 header "n,a=USER," (RFC 5801); "=2C" and "=3D" escape "," and "=".
    user = next((a[2:] for a in gs2.split(b",") if a.startswith(b"a=")), b"")
    user = user.replace(b"=2C", b",").replace(b"=3D", b"=")
    name = bearer_user(session, user, bearer_token(fields))
    if name is None:
        await bearer_failure(session, {"status": "invalid_token",
                                       "schemes": "bearer", "scope": ""})
    return name


MECHANISMS = {"PLAIN": mech_plain, "LOGIN": mech_login,
              "CRAM-MD5": mech_cram_md5, "XOAUTH2": mech_xoauth2,
              "OAUTHBEARER": mech_oauthbearer}


# ---------------------------------------------------------------- main

def credentials(value):
    user, colon, secret = value.partition(":")
    if not colon or not user:
        raise argparse.ArgumentTypeError("expected USER:SECRET")
    return user, secret


def mechanism_list(value):
    mechs = [m.strip().upper() for m in value.split(",") if m.strip()]
    unknown = [m for m in mechs if m not in MECHANISMS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown mechanism {unknown[0]}; known: {','.join(MECHANISMS)}")
    return mechs


def fault_option(value):
    try:
        return parse_fault(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Test SMTP relay for mailout (see tests/relay/README.md).")
    add = p.add_argument
    add("--dir", required=True, help="where to write port, pid and messages")
    add("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    add("--fault", type=fault_option, action="append", default=[],
        metavar="STAGE=ACTION[@SPEC]", help="inject a fault (repeatable)")
    add("--tls-cert", metavar="FILE", help="certificate: offer STARTTLS")
    add("--tls-key", metavar="FILE", help="private key of --tls-cert")
    add("--implicit-tls", action="store_true",
        help="TLS from the first byte instead of STARTTLS")
    add("--no-starttls", action="store_true",
        help="never advertise STARTTLS")
    add("--require-starttls", action="store_true",
        help="refuse MAIL before TLS (530)")
    add("--client-ca", metavar="FILE",
        help="request client certificates, verify them with this CA")
    add("--require-client-cert", action="store_true",
        help="fail the TLS handshake without a valid client certificate")
    add("--tls-max", choices=sorted(TLS_VERSIONS), help="highest TLS version")
    add("--auth", type=credentials, action="append", default=[],
        metavar="USER:SECRET", help="accept these credentials (repeatable)")
    add("--auth-mechs", type=mechanism_list, metavar="MECH,...",
        help="mechanisms to advertise (default PLAIN,LOGIN with --auth)")
    add("--bearer-file", metavar="FILE",
        help="XOAUTH2 and OAUTHBEARER take only the tokens in FILE "
        "(one a line, read at each AUTH)")
    add("--auth-without-tls", action="store_true",
        help="allow AUTH before TLS")
    add("--require-auth", action="store_true",
        help="refuse MAIL before AUTH (530)")
    add("--size", type=int, default=0, metavar="N",
        help="advertise SIZE N and refuse larger messages (552)")
    add("--ehlo-ext", action="append", default=[], metavar="WORD",
        help="extra EHLO keyword (repeatable)")
    add("--no-ehlo-ext", action="append", default=[], metavar="WORD",
        help="EHLO keyword not to advertise (repeatable)")
    add("--idle-421", type=float, metavar="SECONDS",
        help="send 421 and close after this long without a command")
    add("--hostname", default="relay.test", help="name in the greeting")
    add("--pipelining", action="store_true",
        help="advertise PIPELINING (RFC 2920)")
    add("--dsn", action="store_true", help="advertise DSN (RFC 3461)")
    add("--chunking", action="store_true",
        help="advertise CHUNKING and take BDAT (RFC 3030)")
    add("--max-rcpts", type=int, default=0, metavar="N",
        help="RCPT beyond N accepted recipients gets 452")
    opts = p.parse_args(argv)
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if (opts.implicit_tls or opts.client_ca or opts.tls_max) \
            and not opts.tls_cert:
        p.error("--implicit-tls, --client-ca and --tls-max need --tls-cert")
    if opts.require_client_cert and not opts.client_ca:
        p.error("--require-client-cert needs --client-ca")
    return opts


async def serve(relay):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(
        lambda: RelaySession(relay), "127.0.0.1", relay.opts.port,
        ssl=relay.tls if relay.opts.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    write_atomic(relay.path("sessions"), b"0")
    write_atomic(relay.path("port"), b"%d" % port)
    await stop.wait()
    server.close()
    for session in list(relay.live):
        session.note("relay stopped")
        session.ended = True
        if session.transport is not None:
            session.transport.abort()


def main(argv):
    opts = parse_args(argv)
    try:
        relay = Relay(opts)
    except (OSError, ssl.SSLError) as e:
        print(f"relay: cannot load the TLS files: {e}", file=sys.stderr)
        return 1
    os.makedirs(opts.dir, exist_ok=True)
    write_atomic(relay.path("pid"), b"%d" % os.getpid())
    try:
        asyncio.run(serve(relay))
    except OSError as e:
        print(f"relay: cannot listen on 127.0.0.1:{opts.port}: {e}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
