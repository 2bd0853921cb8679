#!/usr/bin/env python3
"""debian_ref.py - reference evaluation of the Debian Security Advisories (DSA; the DLA list has no
bullseye rows in this snapshot) on a time-shifted bullseye system: for every bullseye source package with
a DSA row, the installed versions are real earlier versions of that package (the fixed versions of its
bullseye rows, and deb11 versions from this machine's changelog.Debian.gz when present), plus every fixed
version itself. A version is affected by a row iff installed < fixed_version in dpkg's order
(python3-apt's libapt-pkg, a sample re-checked with `dpkg --compare-versions`). Rows come from the
derived dsa_fixes.tsv.gz and are cross-checked against the raw data/DSA/list of the tracker archive.
usage: debian_ref.py BULKHEAD DB DATA_DIR WORK_DIR"""
import functools
import gzip
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from versions import Dpkg  # noqa: E402

RELEASE = "bullseye"


def tsv_rows(data):
    rows = []
    for fn in ("dsa_fixes.tsv.gz", "dla_fixes.tsv.gz"):
        with gzip.open(os.path.join(data, "debian-security-tracker", fn), "rt", encoding="utf-8") as f:
            head = f.readline().rstrip("\n").split("\t")
            for line in f:
                r = dict(zip(head, line.rstrip("\n").split("\t")))
                if r.get("release") == RELEASE:
                    rows.append(r)
    return rows


def raw_rows(data):
    """(advisory, package, version) of the [bullseye] lines of data/DSA/list and data/DLA/list."""
    out = set()
    for name, raw in common.tar_zst_members(os.path.join(data, "debian-security-tracker",
                                                         "debian-security-tracker-2023-04-data.tar.zst"),
                                            lambda n: n.endswith("DSA/list") or n.endswith("DLA/list")):
        adv = None
        for line in raw.decode("utf-8", "replace").splitlines():
            m = re.match(r"^\[[^\]]*\]\s+(D[SL]A-\d+-\d+)\s", line)
            if m:
                adv = m.group(1)
                continue
            m = re.match(r"^\s+\[(\w+)\]\s+-\s+(\S+)\s+(\S+)", line)
            if m and adv and m.group(1) == RELEASE:
                out.add((adv, m.group(2), m.group(3)))
    return out


@functools.lru_cache(maxsize=1)
def installed_sources():
    """source package -> binary packages installed on this machine (one dpkg-query call)."""
    out = {}
    try:
        q = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${source:Package}\n"], capture_output=True,
                           text=True).stdout
    except OSError:
        return out
    for ln in q.splitlines():
        f = ln.split()
        if len(f) == 2:
            out.setdefault(f[1], set()).add(f[0])
    return out


def changelog_versions(src):
    """deb11 versions of src from this machine's changelogs (binary packages built from src)."""
    vers = set()
    bins = {src} | installed_sources().get(src, set())
    for b in sorted(bins):
        p = "/usr/share/doc/%s/changelog.Debian.gz" % b
        if not os.path.exists(p):
            continue
        try:
            with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r"^%s \(([^)\s]+)\)" % re.escape(src), line)
                    if m and "deb11" in m.group(1):
                        vers.add(m.group(1))
        except OSError:
            pass
        if vers:
            break
    return vers


def main(argv):
    bh, db, data, work = common.cli(argv)
    dpkg = Dpkg()
    key = functools.cmp_to_key(dpkg.cmp)
    run = common.Run("debian-" + RELEASE, bh, db, work,
                     {"family": "debian", "name": "Debian GNU/Linux 11 (bullseye)", "version": "11", "codename": RELEASE})
    rows = tsv_rows(data)
    raw = raw_rows(data)
    tsv_set = {(r["advisory"], r["source_package"], r["fixed_version"]) for r in rows}
    fails = 0
    if tsv_set == raw:
        print("PASS debian: the %d bullseye rows of dsa_fixes.tsv.gz/dla_fixes.tsv.gz equal the raw DSA/DLA lists" % len(raw))
    else:
        fails += 1
        print("FAIL debian: TSV and raw lists differ: only TSV %s, only raw %s" % (sorted(tsv_set - raw)[:5], sorted(raw - tsv_set)[:5]))
    bypkg = {}
    for r in rows:
        bypkg.setdefault(r["source_package"], []).append(r)
    run.records = len(rows)
    from_changelog = 0
    for src in sorted(bypkg):
        prs = bypkg[src]
        cand = {r["fixed_version"]: "fixed version of " + r["advisory"] for r in prs}
        for r in prs:
            # the security update before this one (+deb11u3 -> +deb11u2) was a real bullseye version too
            m = re.match(r"^(.*[+~]deb11u)(\d+)$", r["fixed_version"])
            if m and int(m.group(2)) > 1:
                cand.setdefault("%s%d" % (m.group(1), int(m.group(2)) - 1), "deb11u predecessor of " + r["fixed_version"])
        for v in changelog_versions(src):
            if v not in cand:
                cand[v] = "changelog.Debian.gz of this machine"
                from_changelog += 1
        for v in sorted(cand, key=key):
            pr = common.Probe({"ecosystem": "deb", "name": src, "version": v, "source_name": src,
                               "source_version": v, "arch": "amd64"}, cand[v])
            for r in prs:
                if dpkg.cmp(v, r["fixed_version"]) < 0:
                    e = pr.expect.get(r["advisory"])
                    if e:
                        e.fixes.append(r["fixed_version"])
                    else:
                        pr.expect[r["advisory"]] = common.Expect(fixes=[r["fixed_version"]],
                                                                 record="%s %s %s" % (r["advisory"], src, r["fixed_version"]))
            run.add(pr)
    run.notes.append("%d source packages; %d installed versions taken from changelog.Debian.gz" % (len(bypkg), from_changelog))

    def same(a, b):
        return dpkg.cmp(a, b) == 0

    def mx(lst):
        vals = [x for x in lst if x is not None]
        return max(vals, key=key) if vals else None

    fails += run.compare(same, mx)
    bad = dpkg.crosscheck(150)
    if bad:
        fails += 1
        print("FAIL debian: libapt-pkg and dpkg --compare-versions disagree: %s" % bad[:5])
    else:
        print("PASS debian: libapt-pkg order agrees with dpkg --compare-versions on a sample of %d comparisons"
              % min(150, len(dpkg.done)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
