#!/usr/bin/env python3
"""Builds the malicious-image corpus (issue #3) into DIR: docker-archive tars whose layers, manifests
and configs are hostile. Each case is described in CASES with the outcome bulkhead must give."""
import gzip, hashlib, io, json, os, random, sys, tarfile

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
STATUS = b"Package: ok\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"


def layer(entries):
    """entries: list of (TarInfo-fields dict, bytes or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for info, data in entries:
            ti = tarfile.TarInfo(info["name"])
            for k, v in info.items():
                if k != "name":
                    setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return buf.getvalue()


def unzipped_sha(b):
    """diff_id of a gzip layer: the digest of the tar inside (streamed: bombs are large)."""
    h = hashlib.sha256()
    with gzip.GzipFile(fileobj=io.BytesIO(b)) as g:
        for chunk in iter(lambda: g.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive(name, layers, config=None, manifest=None, extra=None, diff_ids=None, extra_first=False):
    """A docker-archive with the given raw layer blobs (names <sha>.tar); extra members go last, or
    first with extra_first."""
    names, ids = [], []
    for b in layers:
        h = hashlib.sha256(b).hexdigest()
        names.append(h + ".tar")
        ids.append("sha256:" + (h if b[:2] != b"\x1f\x8b" else unzipped_sha(b)))
    cfg = config if config is not None else json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids or ids},
        "history": [{"created_by": "layer %d" % i} for i in range(len(layers))]}).encode()
    ch = hashlib.sha256(cfg).hexdigest() + ".json"
    man = manifest if manifest is not None else json.dumps([{"Config": ch, "RepoTags": ["evil:1"], "Layers": names}]).encode()
    with tarfile.open(os.path.join(OUT, name + ".tar"), "w") as t:
        members = list(zip(names, layers)) + [(ch, cfg), ("manifest.json", man)]
        members = (extra or []) + members if extra_first else members + (extra or [])
        for n, b in members:
            ti = tarfile.TarInfo(n)
            ti.size = len(b)
            t.addfile(ti, io.BytesIO(b))


def oci_archive(name, layers, tamper_config=False, tamper_layer=False):
    """A tar of an OCI layout; tamper_* flips one byte of that blob after its digest was taken."""
    blobs, descs = [], []
    for b in layers:
        d = hashlib.sha256(b).hexdigest()
        blobs.append((d, b))
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + d, "size": len(b)})
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": [x["digest"] for x in descs]}}).encode()
    cd = hashlib.sha256(cfg).hexdigest()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(cfg)},
                      "layers": descs}).encode()
    md = hashlib.sha256(man).hexdigest()
    index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": "sha256:" + md, "size": len(man)}]}).encode()
    flip = lambda b: b[:-1] + bytes([b[-1] ^ 1])
    if tamper_config:
        cfg = flip(cfg)
    if tamper_layer:
        blobs[0] = (blobs[0][0], flip(blobs[0][1]))
    files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index),
             ("blobs/sha256/" + md, man), ("blobs/sha256/" + cd, cfg)] + [("blobs/sha256/" + d, b) for d, b in blobs]
    with tarfile.open(os.path.join(OUT, name + ".tar"), "w") as t:
        for n, b in files:
            ti = tarfile.TarInfo(n)
            ti.size = len(b)
            t.addfile(ti, io.BytesIO(b))


ok_layer = [({"name": "var/lib/dpkg/status"}, STATUS)]

# 1. path traversal and absolute paths inside a layer: skipped with a warning, scan succeeds
archive("traversal", [layer([({"name": "../../../../tmp/bh-escape-canary"}, b"pwned"),
                             ({"name": "/etc/bh-abs"}, b"abs"), *ok_layer])])
# 2. symlink and hard link escapes, and a symlink loop: links are never followed
archive("links", [layer([
    ({"name": "etc/passwd-link", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, None),
    ({"name": "var/lib/dpkg", "type": tarfile.DIRTYPE}, None),
    ({"name": "var/lib/dpkg/status", "type": tarfile.SYMTYPE, "linkname": "../../../etc/shadow"}, None),
    ({"name": "loop-a", "type": tarfile.SYMTYPE, "linkname": "loop-b"}, None),
    ({"name": "loop-b", "type": tarfile.SYMTYPE, "linkname": "loop-a"}, None),
    ({"name": "var/lib/dpkg/status.d/x", "type": tarfile.LNKTYPE, "linkname": "../../../../etc/shadow"}, None)])])
# 3. whiteouts that point outside the image
archive("whiteout-escape", [layer(ok_layer), layer([({"name": "../.wh.etc"}, b""), ({"name": ".wh..."}, b"")])])
# 4. a layer whose tar header says 10 GB but the data is not there
hdr = tarfile.TarInfo("var/lib/dpkg/status")
hdr.size = 10 << 30
raw = hdr.tobuf(format=tarfile.GNU_FORMAT) + b"x" * 4096
archive("huge-entry", [raw], diff_ids=["sha256:" + hashlib.sha256(raw).hexdigest()])
# 5. decompression bomb: 1 GiB of zeros in one gzip layer (about 1 MB on disk)
bomb = io.BytesIO()
with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=9) as g:
    t = tarfile.TarInfo("zeros")
    t.size = 1 << 30
    g.write(t.tobuf(format=tarfile.GNU_FORMAT))
    chunk = b"\0" * (1 << 20)
    for _ in range(1024):
        g.write(chunk)
archive("gzip-bomb", [bomb.getvalue()])
# 6. a layer whose content does not match its digest
good = layer(ok_layer)
archive("digest-mismatch", [good[:-1024] + b"X" + good[-1023:]], diff_ids=["sha256:" + hashlib.sha256(good).hexdigest()])
# 7. manifest pointing at a missing layer
archive("missing-layer", [layer(ok_layer)], manifest=json.dumps([{"Config": "nope.json", "Layers": ["gone.tar"]}]).encode())
# 8. deeply nested JSON manifest
archive("deep-json", [layer(ok_layer)], manifest=b"[" * 100000 + b"]" * 100000)
# 9. huge manifest (over the max-meta-size default of 16 MiB)
archive("huge-manifest", [layer(ok_layer)], manifest=b"[" + b" " * (17 << 20) + b"]")
# 10. 10,000 layers
archive("many-layers", [layer([({"name": "f%d" % i}, b"")]) for i in range(10000)][:10000])
# 11. a million tiny files in one gzip layer (streamed into the compressor, never held whole)
def million():
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as g:
        with tarfile.open(fileobj=g, mode="w|", format=tarfile.GNU_FORMAT) as t:
            for i in range(1000000):
                ti = tarfile.TarInfo("d%d/%d" % (i // 1000, i))
                t.addfile(ti)
    return raw.getvalue()
archive("many-files", [million()])
# 12. duplicate entries: the later one wins
archive("duplicates", [layer([({"name": "var/lib/dpkg/status"}, STATUS.replace(b"Version: 1", b"Version: 0")), *ok_layer])])
# 13. invalid UTF-8 names
archive("bad-utf8", [layer([({"name": "bad-\udcff\udcfe-name".encode("utf-8", "surrogateescape").decode("latin-1")}, b"x"), *ok_layer])])
# 14. not a tar at all
#     (seeded: the bytes are the same on every run, and the cases below cover the starts that once
#     made random bytes read as a JSON or XML document)
rng = random.Random(14)
open(os.path.join(OUT, "not-a-tar.tar"), "wb").write(bytes(rng.getrandbits(8) for _ in range(4096)))
open(os.path.join(OUT, "brace-binary.tar"), "wb").write(b"{" + bytes(rng.getrandbits(8) for _ in range(4095)) + b"\0")
open(os.path.join(OUT, "angle-binary.tar"), "wb").write(b"<?xml" + bytes(rng.getrandbits(8) for _ in range(4091)) + b"\0")
# 14b. a real image whose first archive member's name starts like a JSON or XML document
archive("brace-first-member", [layer(ok_layer)], extra=[("{first}.json", b"{}")], extra_first=True)
# 15. a docker-archive config whose content is not the sha256 its name says
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [
    "sha256:" + hashlib.sha256(layer(ok_layer)).hexdigest()]}}).encode()
evil = cfg.replace(b"amd64", b"arm64")
archive("config-mismatch", [layer(ok_layer)], manifest=json.dumps([{"Config": hashlib.sha256(cfg).hexdigest() + ".json",
        "Layers": [hashlib.sha256(layer(ok_layer)).hexdigest() + ".tar"]}]).encode(),
        extra=[(hashlib.sha256(cfg).hexdigest() + ".json", evil)], config=b"{}")
# 16./17. OCI archives whose layer blob, or config blob, does not match the manifest's digest
oci_archive("oci-ok", [layer(ok_layer)])
oci_archive("oci-layer-mismatch", [layer(ok_layer)], tamper_layer=True)
oci_archive("oci-config-mismatch", [layer(ok_layer)], tamper_config=True)

# --- issue #12 (image reader) ---
def gz(b):
    return gzip.compress(b, compresslevel=6, mtime=0)
# 18. a gzip layer whose compressed digest is right but whose tar is not the config's diff_id
evil_tar = layer([({"name": "var/lib/dpkg/status"}, STATUS.replace(b"Package: ok", b"Package: evil"))])
archive("gzip-diffid-mismatch", [gz(evil_tar)], diff_ids=["sha256:" + hashlib.sha256(layer(ok_layer)).hexdigest()])
# 19. the same with a correct diff_id, and the legacy <id>/layer.tar layout: accepted
archive("gzip-diffid-ok", [gz(layer(ok_layer))], diff_ids=["sha256:" + hashlib.sha256(layer(ok_layer)).hexdigest()])
def legacy(name, blob):
    did = "sha256:" + hashlib.sha256(blob).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [did]}}).encode()
    ch = hashlib.sha256(cfg).hexdigest() + ".json"
    man = json.dumps([{"Config": ch, "Layers": ["0123abcd/layer.tar"]}]).encode()
    with tarfile.open(os.path.join(OUT, name + ".tar"), "w") as t:
        for n, b in [("0123abcd/layer.tar", blob), (ch, cfg), ("manifest.json", man)]:
            ti = tarfile.TarInfo(n)
            ti.size = len(b)
            t.addfile(ti, io.BytesIO(b))
legacy("legacy-layout", layer(ok_layer))
# 20.-24. links must not hide packages: hard links to unclaimed files (same and earlier layer),
# directory symlinks (relative, absolute = image root, chained, across layers) and a loop
D = lambda n: ({"name": n, "type": tarfile.DIRTYPE}, None)
S = lambda n, t: ({"name": n, "type": tarfile.SYMTYPE, "linkname": t}, None)
H = lambda n, t: ({"name": n, "type": tarfile.LNKTYPE, "linkname": t}, None)
archive("hardlink-hidden", [layer([({"name": "opt/x"}, STATUS), D("var/lib/dpkg"), H("var/lib/dpkg/status", "opt/x")])])
archive("hardlink-hidden-layers", [layer([({"name": "opt/x"}, STATUS)]), layer([D("var/lib/dpkg"), H("var/lib/dpkg/status", "opt/x")])])
archive("symlink-hidden", [layer([D("opt/db"), ({"name": "opt/db/status"}, STATUS), D("var/lib"), S("var/lib/dpkg", "../../opt/db")])])
archive("symlink-hidden-abs", [layer([({"name": "opt/db/status"}, STATUS)]),
                               layer([D("var/lib"), S("var/lib/dpkg", "/../../../opt/db")])])
archive("symlink-chain-loop", [layer([({"name": "opt/db/status"}, STATUS), S("a", "b"), S("b", "opt/db"),
                                      S("c", "d"), S("d", "c"), S("var/lib/dpkg", "/a"),
                                      S("e", "e/e")])])
# 25. a 200 MB dpkg status (2.4 M packages) that gzip shrinks to about 13 MB: memory must follow what
# is reported, so max-components (default 500,000) refuses it early, under the RSS bound
def big_status():
    raw = io.BytesIO()
    body = b"".join(b"Package: p%d\nStatus: install ok installed\nVersion: 1.%d\nArchitecture: amd64\n\n" % (i, i)
                    for i in range(2400000))
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as g:
        with tarfile.open(fileobj=g, mode="w|", format=tarfile.GNU_FORMAT) as t:
            ti = tarfile.TarInfo("var/lib/dpkg/status")
            ti.size = len(body)
            t.addfile(ti, io.BytesIO(body))
    return raw.getvalue(), hashlib.sha256(gzip.decompress(raw.getvalue())).hexdigest()
bs, bs_diff = big_status()
archive("big-status", [bs], diff_ids=["sha256:" + bs_diff])
