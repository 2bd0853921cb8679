#!/usr/bin/env python3
"""httpd.py - the local HTTP server test_http talks to: TCP on 127.0.0.1 and a unix socket.

usage: httpd.py READY_FILE UNIX_SOCKET_PATH [CERT KEY]
Writes the TCP port (and the TLS port when CERT and KEY are given, else 0) to READY_FILE once
every listener accepts connections; runs until killed.
"""
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

counts = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "local"

    def send(self, status, body, ctype="text/plain", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def chunked(self, pieces, delay=0.0):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for p in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
            self.wfile.flush()
            if delay:
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")

    def route(self, body=b""):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        p = u.path
        if p == "/hello":
            return self.send(200, b"hello world", extra={"ETag": '"v1"', "X-Empty": ""})
        if p == "/big":
            return self.send(200, b"x" * int(q["n"]))
        if p == "/bigchunked":
            n = int(q["n"])
            return self.chunked([b"y" * 1000] * (n // 1000))
        if p == "/slow":
            time.sleep(float(q.get("s", "3")))
            return self.send(200, b"late")
        if p.startswith("/flaky/"):
            with lock:
                counts[p] = counts.get(p, 0) + 1
                c = counts[p]
            if c <= int(q["fail"]):
                return self.send(503, b"busy, try again\n")
            return self.send(200, b"ok after %d" % c)
        if p.startswith("/partial/"):
            # the first answer promises 1000 bytes and breaks off after 100
            with lock:
                counts[p] = counts.get(p, 0) + 1
                c = counts[p]
            if c == 1:
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"p" * 100)
                self.wfile.flush()
                self.close_connection = True
                return None
            return self.send(200, b"z" * 1000)
        if p.startswith("/count/"):
            with lock:
                return self.send(200, b"%d" % counts.get("/flaky/" + p[7:], 0))
        if p == "/missing":
            return self.send(404, b'{"message":"no such thing"}\n', "application/json")
        if p == "/stream":
            n = int(q["n"])
            return self.chunked([b"line %d\n" % i for i in range(n)], float(q.get("d", "0")))
        if p == "/echo":
            doc = {"method": self.command, "body": body.decode("utf-8", "replace"),
                   "x_test": self.headers.get("X-Test"), "user_agent": self.headers.get("User-Agent")}
            return self.send(200, json.dumps(doc).encode(), "application/json")
        return self.send(404, b"unknown path\n")

    def do_GET(self):
        self.route()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.route(self.rfile.read(n))

    do_PUT = do_POST


class Quiet:
    """Clients hang up on purpose here (size caps, timeouts, cancelled streams, refused TLS)."""

    def handle_error(self, request, client_address):
        pass


class TCPServer(Quiet, http.server.ThreadingHTTPServer):
    daemon_threads = True


class UnixServer(Quiet, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    ready, sock = sys.argv[1], sys.argv[2]
    tcp = TCPServer(("127.0.0.1", 0), Handler)
    unix = UnixServer(sock, Handler)
    threading.Thread(target=unix.serve_forever, daemon=True).start()
    tls_port = 0
    if len(sys.argv) > 4:
        tls = TCPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        tls_port = tls.server_address[1]
        threading.Thread(target=tls.serve_forever, daemon=True).start()
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n%d\n" % (tcp.server_address[1], tls_port))
    os.rename(ready + ".tmp", ready)
    tcp.serve_forever()


if __name__ == "__main__":
    main()
