#!/usr/bin/env python3
"""registry_hostile.py - a hostile Registry API v2 server on 127.0.0.1 for tests/e2e/registry.sh.

Usage: registry_hostile.py PORT_FILE
Plain HTTP, anonymous. Each repository h/NAME (tag 1) misbehaves in one way; h/ok is a valid tiny
image (one dpkg package) so the test knows the server itself works. Requests are logged on stdout
as "METHOD PATH" so the test can count retries and token requests.
"""
import hashlib
import http.server
import io
import json
import os
import sys
import tarfile

MT_MAN = "application/vnd.oci.image.manifest.v1+json"
MT_IDX = "application/vnd.oci.image.index.v1+json"
blobs = {}


def put(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[d] = data
    return d


def tiny_layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"Package: hostile-ok\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n"
        ti = tarfile.TarInfo("var/lib/dpkg/status")
        ti.size, ti.mtime = len(data), 1700000000
        t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


LAYER = tiny_layer()
LAYER_D = put(LAYER)


def image(layer_digest, layer_size, config_type="application/vnd.oci.image.config.v1+json", diff_id=None):
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": [diff_id or layer_digest]}}).encode()
    cd = put(cfg)
    return json.dumps({"schemaVersion": 2, "mediaType": MT_MAN,
                       "config": {"mediaType": config_type, "digest": cd, "size": len(cfg)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest,
                                   "size": layer_size}]}).encode()


def index(entries):
    return json.dumps({"schemaVersion": 2, "mediaType": MT_IDX, "manifests": entries}).encode()


def desc(doc, mt, arch="amd64"):
    return {"mediaType": mt, "digest": put(doc), "size": len(doc), "platform": {"os": "linux", "architecture": arch}}


ENDLESS_D = "sha256:" + "e" * 64    # streamed forever
SHORT_D = "sha256:" + "5" * 64      # shorter than declared
REDIR_D = "sha256:" + "7" * 64      # redirected to file://
manifests = {
    "ok": image(LAYER_D, len(LAYER)),
    "endless": image(ENDLESS_D, 1024),
    "unsized": image(ENDLESS_D, 0),
    "short": image(SHORT_D, 4096),
    "redirect": image(REDIR_D, 100),
    "helm": image(LAYER_D, len(LAYER), config_type="application/vnd.cncf.helm.config.v1+json"),
    "schema1": json.dumps({"schemaVersion": 1, "name": "h/schema1", "tag": "1", "fsLayers": []}).encode(),
    "pathdigest": json.dumps({"schemaVersion": 2, "mediaType": MT_MAN,
                              "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                         "digest": "sha256:../../../../etc/passwd", "size": 10},
                              "layers": []}).encode(),
    "deep": b"[" * 100000 + b"]" * 100000,
    "manyidx": index([desc(image(LAYER_D, len(LAYER)), MT_MAN, "arch%d" % i) for i in range(2000)]),
}
inner = index([desc(manifests["ok"], MT_MAN)])
middle = index([desc(inner, MT_IDX)])
manifests["nest"] = index([desc(middle, MT_IDX)])
BIG = 17 << 20


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def chunked(self, gen):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for piece in gen:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def do_GET(self):
        p = self.path
        print("GET " + p, flush=True)
        port = self.server.server_address[1]
        if p == "/v2/":
            return self.send(200, b"{}")
        if p.startswith("/token") or p.startswith("/bigtoken"):
            if p.startswith("/bigtoken"):
                return self.send(200, json.dumps({"token": "a" * 100000}).encode())
            return self.send(200, b'{"token":"never-accepted"}')
        parts = p.split("/")
        if len(parts) < 6 or parts[1] != "v2" or parts[2] != "h":
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
        name, kind, ref = parts[3], parts[4], parts[5]
        if kind == "manifests":
            if name == "bigman":
                return self.send(200, b" " * BIG, MT_MAN)
            if name == "bigchunk":
                return self.chunked(b" " * 65536 for _ in range(BIG // 65536 + 1))
            if name == "err500":
                return self.send(500, b'{"errors":[{"code":"UNKNOWN","message":"\x1b[31mboom"}]}')
            if name == "authloop":
                return self.send(401, b"{}", extra={"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",service="h"' % port})
            if name == "bigtoken":
                return self.send(401, b"{}", extra={"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/bigtoken",service="h"' % port})
            if name == "filerealm":
                return self.send(401, b"{}", extra={"WWW-Authenticate": 'Bearer realm="file:///etc/passwd"'})
            doc = manifests.get(name)
            if doc is None:
                if ref.startswith("sha256:"):
                    for d in [v for v in list(blobs)]:
                        if d == ref:
                            return self.send(200, blobs[d], MT_MAN)
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            if ref.startswith("sha256:"):
                doc = blobs.get(ref, doc)
            return self.send(200, doc, MT_MAN)
        if kind == "blobs":
            if ref == ENDLESS_D:
                return self.chunked(b"\0" * 65536 for _ in iter(int, 1))
            if ref == SHORT_D:
                return self.send(200, b"\0" * 100, "application/octet-stream")
            if ref == REDIR_D:
                return self.send(307, b"", extra={"Location": "file:///etc/passwd"})
            if ref in blobs:
                return self.send(200, blobs[ref], "application/octet-stream")
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        return self.send(404, b"{}")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
