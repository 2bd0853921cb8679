#!/usr/bin/env python3
"""webhook_receiver.py PORTFILE LOG SECRET: a real HTTP receiver for bulkhead's webhooks.

Listens on 127.0.0.1 (the port given in PORTFILE if it exists, else a free one written there),
checks X-Bulkhead-Signature against HMAC-SHA256(SECRET, body) as a receiver is told to in the
README, and appends one JSON line per request to LOG: arrival time, path, the headers that
matter, whether the signature verified, and the body parsed."""
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

portfile, log, secret = sys.argv[1], sys.argv[2], sys.argv[3].encode()


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        sig = self.headers.get("X-Bulkhead-Signature")
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        rec = {"t": time.time(), "path": self.path, "delivery": self.headers.get("X-Bulkhead-Delivery"),
               "event": self.headers.get("X-Bulkhead-Event"), "signed": sig is not None,
               "sig_ok": sig is not None and hmac.compare_digest(sig, want),
               "content_type": self.headers.get("Content-Type"), "body": parsed}
        with open(log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        code = 500 if self.path.startswith("/fail") else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


port = int(open(portfile).read()) if os.path.exists(portfile) else 0
srv = http.server.HTTPServer(("127.0.0.1", port), H)
if not port:
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
