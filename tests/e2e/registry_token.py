#!/usr/bin/env python3
"""registry_token.py - a bearer-token server for tests/e2e/registry.sh (docker-registry's `auth: token`).

Usage: registry_token.py PORT_FILE KEY CERT USER PASSWORD ISSUER
Answers GET /token?service=S&scope=repository:NAME:ACTIONS with a JWT signed RS256 by KEY (CERT in
its x5c header, the same CERT in the registry's rootcertbundle), granting the requested actions, but
only to USER:PASSWORD given as HTTP Basic; anything else is 401. Each request is logged on stdout
("token user=... scope=..." or "refused ...") so the test can see the bearer flow was taken.
Signing goes through the openssl command: no Python packages beyond the standard library.
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

port_file, key, cert, user, password, issuer = sys.argv[1:7]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
x5c = base64.b64encode(der).decode()


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path != "/token":
            return self.reply(404, b"{}")
        auth = self.headers.get("Authorization", "")
        given = ""
        if auth.startswith("Basic "):
            try:
                given = base64.b64decode(auth[6:]).decode()
            except ValueError:
                given = ""
        scopes = " ".join(q.get("scope", []))
        if given != f"{user}:{password}":
            print(f"refused user={given.split(':')[0] or '-'} scope={scopes}", flush=True)
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": 'Basic realm="token"'})
        access = []
        for s in scopes.split():
            parts = s.split(":")
            if len(parts) >= 3:
                access.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")})
        now = int(time.time())
        claims = {"iss": issuer, "sub": user, "aud": q.get("service", [""])[0], "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": os.urandom(8).hex(), "access": access}
        header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
        signing = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                             capture_output=True, check=True).stdout
        print(f"token user={user} scope={scopes}", flush=True)
        self.reply(200, json.dumps({"token": signing + "." + b64u(sig), "expires_in": 300}).encode())


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
