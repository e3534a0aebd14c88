"""Mock OAuth 2.0 identity provider for mailout's tests.

HTTPS on 127.0.0.1: a token endpoint (RFC 6749 section 3.2) with the
refresh_token, client_credentials and device_code grants, and a device
authorization endpoint (RFC 8628 section 3.1).  Everything it does is in
files under --dir, for the tests to read and steer:

  port, pid         written once it listens
  requests          one line per request: the endpoint, then its form
                    fields sorted, secrets as they came
  issued            one line per token issued: "access TOKEN" or
                    "refresh TOKEN"
  tokens            the access tokens the relay takes (relay.py
                    --bearer-file); empty it to revoke them all
  refresh           the refresh tokens the endpoint takes
  fail              if present, what the token endpoint does instead:
                    "invalid_grant", "invalid_client", "down" (HTTP 503,
                    HTML), "slow SECONDS" (then as usual)
  expires_in        if present, the lifetime of new access tokens
  pending           if present, how many more device polls get
                    authorization_pending

Run as: python3 idp.py --dir DIR --cert FILE --key FILE --client ID:SECRET
[--refresh TOKEN] [--rotate].
"""

import argparse
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class Provider:
    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Lock()
        self.clients = dict(opts.client)
        self.n = 0
        self.devices = {}
        for token in opts.refresh:
            self.add("refresh", token)
        self.add_line("tokens", None)

    def path(self, name):
        return os.path.join(self.opts.dir, name)

    def read(self, name):
        try:
            with open(self.path(name)) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def lines(self, name):
        return (self.read(name) or "").split()

    def add_line(self, name, line):
        # Written whole and renamed: the relay never reads half a file.
        old = self.lines(name)
        new = old + ([line] if line else [])
        tmp = self.path("." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write("".join(x + "\n" for x in new))
        os.rename(tmp, self.path(name))

    def remove_line(self, name, line):
        kept = [x for x in self.lines(name) if x != line]
        tmp = self.path("." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write("".join(x + "\n" for x in kept))
        os.rename(tmp, self.path(name))

    def log(self, name, line):
        with open(self.path(name), "a") as f:
            f.write(line + "\n")

    def add(self, kind, token):
        self.add_line("tokens" if kind == "access" else "refresh", token)
        self.log("issued", f"{kind} {token}")

    def new_token(self, kind):
        self.n += 1
        token = f"{kind[:1]}t{self.n}-{secrets.token_hex(8)}"
        self.add(kind, token)
        return token

    def access(self, refresh=False):
        lifetime = int(self.read("expires_in") or self.opts.expires_in)
        reply = {"access_token": self.new_token("access"),
                 "token_type": "Bearer", "expires_in": lifetime}
        if refresh:
            reply["refresh_token"] = self.new_token("refresh")
        return reply


def error(code, description):
    return 400, {"error": code, "error_description": description}


class Handler(BaseHTTPRequestHandler):
    server_version = "mock-idp/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else \
            json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        p = self.server.provider
        size = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(size).decode(),
                                     keep_blank_values=True)
        form = {k: v[0] for k, v in form.items()}
        with p.lock:
            p.log("requests", self.path + " " + " ".join(
                f"{k}={form[k]}" for k in sorted(form)))
        fail = p.read("fail") or ""
        if self.path == "/token" and fail.startswith("slow"):
            time.sleep(float(fail.split()[1]))
        elif self.path == "/token" and fail == "down":
            return self.reply(503, "<html>down</html>", "text/html")
        with p.lock:
            status, body = self.answer(p, form, fail)
        self.reply(status, body)

    def answer(self, p, form, fail):
        if self.path == "/device":
            return self.device(p, form)
        if self.path != "/token":
            return 404, {"error": "not_found"}
        if fail in ("invalid_grant", "invalid_client"):
            return error(fail, f"the provider says {fail}")
        secret = p.clients.get(form.get("client_id"))
        if secret is None:
            return error("invalid_client", "unknown client")
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if form.get("client_secret") != secret:
                return error("invalid_client", "bad client secret")
            return 200, p.access()
        if grant == "refresh_token":
            return self.refresh(p, form)
        if grant == DEVICE_GRANT:
            return self.device_token(p, form)
        return error("unsupported_grant_type", grant or "none")

    def refresh(self, p, form):
        token = form.get("refresh_token")
        if token not in p.lines("refresh"):
            return error("invalid_grant",
                         "AADSTS70008: the refresh token has expired or "
                         "was revoked")
        if p.opts.rotate:
            p.remove_line("refresh", token)
        return 200, p.access(refresh=p.opts.rotate)

    def device(self, p, form):
        if form.get("client_id") not in p.clients:
            return error("invalid_client", "unknown client")
        code = secrets.token_hex(8)
        p.devices[code] = True
        port = self.server.server_address[1]
        return 200, {"device_code": code, "user_code": "WDJB-MJHT",
                     "verification_uri": f"https://127.0.0.1:{port}/verify",
                     "expires_in": 60, "interval": 1}

    def device_token(self, p, form):
        if form.get("device_code") not in p.devices:
            return error("invalid_grant", "unknown device code")
        pending = int(p.read("pending") or "0")
        if pending > 0:
            with open(p.path("pending"), "w") as f:
                f.write(str(pending - 1))
            return error("authorization_pending", "")
        del p.devices[form["device_code"]]
        return 200, p.access(refresh=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client", action="append", default=[],
                    type=lambda v: tuple(v.split(":", 1)),
                    metavar="ID:SECRET")
    ap.add_argument("--refresh", action="append", default=[],
                    metavar="TOKEN", help="a refresh token it takes")
    ap.add_argument("--rotate", action="store_true",
                    help="each refresh issues a new refresh token and "
                    "retires the one used")
    ap.add_argument("--expires-in", type=int, default=3600)
    return ap.parse_args(argv)


def main(argv):
    opts = parse_args(argv)
    os.makedirs(opts.dir, exist_ok=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.provider = Provider(opts)
    with open(os.path.join(opts.dir, "pid"), "w") as f:
        f.write(str(os.getpid()))
    tmp = os.path.join(opts.dir, ".port")
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, os.path.join(opts.dir, "port"))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
