#!/usr/bin/env python3
"""registry_image.py - writes a small OCI image layout for tests/e2e/registry.sh (no podman needed).

Usage: registry_image.py LAYOUT ROOTFS_AMD64 ROOTFS_ARM64
Tags in LAYOUT: "amd" (the linux/amd64 image alone), "arm" (linux/arm64/v8 alone) and "multi"
(a nested OCI index of both, as `docker buildx` pushes multi-platform images). Layers are plain
tars of the rootfs directories (skopeo compresses them on push); configs carry diff_ids.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def put(layout, data):
    d = hashlib.sha256(data).hexdigest()
    p = os.path.join(layout, "blobs", "sha256", d)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
    return "sha256:" + d, len(data)


def layer_of(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                full = os.path.join(top, name)
                arc = os.path.relpath(full, rootfs)
                ti = t.gettarinfo(full, arc)
                ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 1700000000, 0, 0, "root", "root"
                if ti.isreg():
                    with open(full, "rb") as f:
                        t.addfile(ti, f)
                else:
                    t.addfile(ti)
    return buf.getvalue()


def image(layout, rootfs, arch, variant):
    layer = layer_of(rootfs)
    ld, ls = put(layout, layer)
    cfg = {"architecture": arch, "os": "linux", "created": "2026-12-01T00:00:00Z",
           "config": {"Cmd": ["/bin/sh"]},
           "rootfs": {"type": "layers", "diff_ids": [ld]},
           "history": [{"created": "2026-12-01T00:00:00Z", "created_by": "registry_image.py " + arch}]}
    if variant:
        cfg["variant"] = variant
    cd, cs = put(layout, json.dumps(cfg, sort_keys=True).encode())
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}
    md, ms = put(layout, json.dumps(man, sort_keys=True).encode())
    plat = {"architecture": arch, "os": "linux"}
    if variant:
        plat["variant"] = variant
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms, "platform": plat}


def main():
    layout, amd_root, arm_root = sys.argv[1:4]
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    amd = image(layout, amd_root, "amd64", None)
    arm = image(layout, arm_root, "arm64", "v8")
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd, arm]}
    xd, xs = put(layout, json.dumps(idx, sort_keys=True).encode())

    def named(desc, name):
        d = {k: v for k, v in desc.items() if k != "platform"}
        d["annotations"] = {"org.opencontainers.image.ref.name": name}
        return d
    top = {"schemaVersion": 2, "manifests": [
        named(amd, "amd"), named(arm, "arm"),
        named({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": xd, "size": xs}, "multi")]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(top, f)


if __name__ == "__main__":
    main()
