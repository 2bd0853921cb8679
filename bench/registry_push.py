#!/usr/bin/env python3
"""registry_push.py - pushes a docker-archive to a registry with its layers left uncompressed.

Usage: registry_push.py BASE_URL CA_FILE DOCKER_ARCHIVE REPO:TAG
skopeo gzips every layer it pushes to a registry; this writes the same image with the layers as
plain tars (OCI media type application/vnd.oci.image.layer.v1.tar, which registries accept), so
bench/registry.sh can compare `registry:` with the docker-archive byte for byte: the difference is
then the registry client (TLS, HTTP, digests), not gzip. Registry API v2, monolithic uploads.
"""
import hashlib
import json
import ssl
import sys
import tarfile
import urllib.request


def main():
    base, ca, archive, ref = sys.argv[1:5]
    repo, tag = ref.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=ca)

    def call(method, url, data=None, headers=None):
        req = urllib.request.Request(url if url.startswith("http") else base + url, data=data,
                                     method=method, headers=headers or {})
        with urllib.request.urlopen(req, context=ctx) as r:
            return r.status, dict(r.headers), r.read()

    def push_blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        _, h, _ = call("POST", "/v2/%s/blobs/uploads/" % repo, b"")
        loc = h["Location"]
        loc += ("&" if "?" in loc else "?") + "digest=" + digest
        call("PUT", loc, data, {"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    with tarfile.open(archive) as t:
        man = json.load(t.extractfile("manifest.json"))[0]
        config = t.extractfile(man["Config"]).read()
        layers = [t.extractfile(name).read() for name in man["Layers"]]
    cdesc = push_blob(config)
    cdesc["mediaType"] = "application/vnd.oci.image.config.v1+json"
    ldescs = []
    for data in layers:
        d = push_blob(data)
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
        ldescs.append(d)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": ldescs}
    call("PUT", "/v2/%s/manifests/%s" % (repo, tag), json.dumps(manifest).encode(),
         {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})


if __name__ == "__main__":
    main()
