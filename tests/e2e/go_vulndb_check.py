#!/usr/bin/env python3
"""Independent check of bulkhead's Go matching: evaluates the Go vulndb OSV ranges in Python for the
modules `go version -m` reports in each binary, compares with `bulkhead scan` findings, and prints 20
random findings with the version and ranges that justify them.
usage: go_vulndb_check.py BULKHEAD DB GOVULNDB_TAR_ZST DIR"""
import json, random, re, subprocess, sys, tarfile, io

bh, db, tarpath, root = sys.argv[1:5]

def key(v):
    v = v.lstrip("v")
    main, _, pre = v.partition("-")
    nums = [int(x) for x in re.findall(r"\d+", main)[:3]] + [0, 0, 0]
    pre_key = (1,) if not pre else (0,) + tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return tuple(nums[:3]), pre_key

def affected(ver, ranges):
    for r in ranges:
        if r.get("type") != "SEMVER":
            continue
        inr = False
        for ev in r.get("events", []):
            if "introduced" in ev:
                if ev["introduced"] == "0" or key(ver) >= key(ev["introduced"]):
                    inr = True
            elif "fixed" in ev:
                if key(ver) >= key(ev["fixed"]):
                    inr = False
            elif "last_affected" in ev:
                if key(ver) > key(ev["last_affected"]):
                    inr = False
        if inr:
            return True
    return False

raw = subprocess.run(["zstd", "-dc", tarpath], capture_output=True, check=True).stdout
adv = {}
with tarfile.open(fileobj=io.BytesIO(raw)) as t:
    for m in t.getmembers():
        if m.isfile() and m.name.endswith(".json") and "/osv/" in m.name:
            d = json.load(t.extractfile(m))
            if d.get("withdrawn"):
                continue
            for a in d.get("affected", []):
                adv.setdefault(a["package"]["name"], []).append((d["id"], a.get("ranges", [])))

out = json.loads(subprocess.run([bh, "scan", "-q", "--db", db, "-f", "json", "dir:" + root], capture_output=True, check=True).stdout)
got = {(f["path"], f["package"], f["installed_version"], f["id"]) for f in out["findings"] if f["ecosystem"] == "golang"}
bins = sorted({c["path"] for c in out["sbom"]["components"] if c["ecosystem"] == "golang"})
want = set()
for b in bins:
    mods = {}
    info = subprocess.run(["go", "version", "-m", root.rstrip("/") + b], capture_output=True, text=True).stdout.splitlines()
    gov = info[0].split(": ", 1)[1].split()[0] if info else ""
    mods["stdlib"] = "v" + gov[2:] if gov.startswith("go") else None
    last = None
    for line in info[1:]:
        f = line.strip().split("\t")
        if f[0] in ("dep", "mod") and len(f) >= 3 and f[2] != "(devel)":
            mods[f[1]] = f[2]; last = f[1]
        elif f[0] == "=>" and last:
            v = mods.pop(last); mods[f[1]] = f[2] if len(f) > 2 and f[2] else v
    for name, ver in mods.items():
        if not ver:
            continue
        for aid, ranges in adv.get(name, []):
            if affected(ver, ranges):
                want.add((b, name, ver, aid))
# bulkhead keys the main module version from -ldflags too; compare on (path, module, id)
g3 = {(p, n, i) for p, n, v, i in got}
w3 = {(p, n, i) for p, n, v, i in want}
print(f"binaries {len(bins)}; findings: bulkhead {len(g3)}, independent check {len(w3)}; "
      f"missed by bulkhead {len(w3 - g3)}; extra in bulkhead {len(g3 - w3)}")
for x in sorted(w3 - g3)[:10]:
    print("  MISSED", x)
for x in sorted(g3 - w3)[:10]:
    print("  EXTRA", x)
random.seed(2026)
idx = {}
for name, aid_list in adv.items():
    for aid, ranges in aid_list:
        idx[(aid, name)] = ranges
print("\n20 random findings, each with the installed version and the advisory's ranges:")
for p, n, v, i in random.sample(sorted(got), min(20, len(got))):
    evs = [e for r in idx.get((i, n), []) for e in r.get("events", [])]
    print(f"  {i:14} {n} {v} in {p}: events {evs}")
sys.exit(1 if w3 - g3 else 0)
