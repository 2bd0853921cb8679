"""common.py - shared plumbing of the reference evaluators: reading the tar.zst data sets, writing one
bulkhead-sbom/1 document per data set, running `bulkhead scan -f json` on it and comparing the findings
with the expected advisories (alias-aware), with counts and the first differences printed."""
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.parse


def tar_zst_members(path, want=lambda name: True):
    """Yields (name, bytes) of the regular files of a tar.zst archive whose name passes want()."""
    raw = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        for m in t.getmembers():
            if m.isfile() and want(m.name):
                yield m.name, t.extractfile(m).read()


class Expect:
    """What the reference says about one advisory for one component."""
    __slots__ = ("fixes", "kind", "group", "record")

    def __init__(self, fixes=None, kind=None, group=None, record=None):
        self.fixes = fixes    # list of branch fixed versions (None = no fix known); None = fixed not checked
        self.kind = kind      # RustSec informational kind, or None
        self.group = group    # ids that must land in one finding (Alpine: several ids on one line)
        self.record = record  # where the expectation comes from, for the report


class Probe:
    """One synthetic component: its SBOM fields and the advisories the reference expects for it."""
    __slots__ = ("comp", "expect", "tolerated", "why")

    def __init__(self, comp, why=""):
        self.comp = comp      # dict written into the SBOM (path is set by Run)
        self.expect = {}      # advisory id -> Expect
        self.tolerated = set()  # ids neither required nor counted as extra (ambiguous data)
        self.why = why        # how the probe version was derived


class Run:
    """One data set: probes -> SBOM -> bulkhead scan -> comparison -> PASS/FAIL lines."""

    def __init__(self, name, bh, db, work, os_obj=None):
        self.name, self.bh, self.db, self.work = name, bh, db, work
        self.os = os_obj or {}
        self.probes = []
        self.records = 0
        self.scan_seconds = 0.0
        self.notes = []       # counted oddities of the data ("records skipped: ...")

    def add(self, probe):
        probe.comp["path"] = "/reference/%s/%d" % (self.name, len(self.probes))
        if "purl" not in probe.comp:
            # bulkhead's own SBOMs always carry a purl; the name/version fields win over what it encodes
            probe.comp["purl"] = purl(probe.comp, self.os)
        self.probes.append(probe)
        return probe

    def scan(self, chunk=40000):
        findings = {}
        for start in range(0, len(self.probes), chunk):
            part = self.probes[start:start + chunk]
            doc = {"schema": "bulkhead-sbom/1", "tool": {"name": "reference", "version": "1"},
                   "target": {"input": "reference:" + self.name, "kind": "sbom", "name": "reference-" + self.name},
                   "os": self.os, "components": [p.comp for p in part]}
            sb = os.path.join(self.work, "%s-%d.sbom.json" % (self.name, start))
            with open(sb, "w") as f:
                json.dump(doc, f)
            t0 = time.time()
            r = subprocess.run([self.bh, "scan", "-q", "--db", self.db, "-f", "json", sb],
                               capture_output=True)
            self.scan_seconds += time.time() - t0
            if r.returncode not in (0,):
                raise SystemExit("FAIL %s: bulkhead scan exited %d: %s" % (self.name, r.returncode, r.stderr[:500]))
            out = json.loads(r.stdout)
            for f in out.get("findings", []):
                findings.setdefault(f.get("path"), []).append(f)
        return findings

    def compare(self, same_version, max_version, show=int(os.environ.get("REF_SHOW", "10"))):
        """same_version(a, b) / max_version(list) in the data set's order (None = no fix).
        Prints the summary and the first differences; returns the number of failures."""
        findings = self.scan()
        st = dict(probes=len(self.probes), expected=0, found=0, misses=0, extras=0, fixed_checked=0,
                  fixed_mismatch=0, kind_mismatch=0, split=0, tolerated=0)
        shown = {"MISS": [], "EXTRA": [], "FIXED": [], "KIND": [], "SPLIT": []}
        for p in self.probes:
            got = findings.get(p.comp["path"], [])
            exp = p.expect
            c = p.comp
            label = "%s %s" % (c["name"], c["version"])
            for x, e in exp.items():
                st["expected"] += 1
                hits = [f for f in got if f.get("id") == x or x in (f.get("aliases") or [])]
                if not hits:
                    st["misses"] += 1
                    shown["MISS"].append("%s: %s not reported (%s; probe %s)" % (label, x, e.record or x, p.why))
                    continue
                st["found"] += 1
                if e.group and len(e.group) > 1:
                    cover = [f for f in got if ({f.get("id")} | set(f.get("aliases") or [])) & set(e.group)]
                    if len(cover) > 1 and x == sorted(e.group)[0]:
                        st["split"] += 1
                        shown["SPLIT"].append("%s: ids %s of one line reported as %d findings (%s)"
                                              % (label, " ".join(e.group), len(cover), ", ".join(f["id"] for f in cover)))
            for f in got:
                ids = {f.get("id")} | set(f.get("aliases") or [])
                mine = [x for x in ids if x in exp]
                if not mine:
                    if ids & p.tolerated:
                        st["tolerated"] += 1
                        continue
                    st["extras"] += 1
                    shown["EXTRA"].append("%s: %s reported (aliases %s, fixed %s) but the reference expects %s"
                                          % (label, f.get("id"), f.get("aliases") or [], f.get("fixed_version"),
                                             _short(sorted(exp)) if exp else "nothing"))
                    continue
                # the fixed version of the finding: the branch fix of its primary id, or the highest branch fix
                # of the expected records it merges
                fx = [exp[x].fixes for x in mine]
                if any(v is None for v in fx):
                    pass
                else:
                    allfix = [v for l in fx for v in l]
                    want = max_version(allfix) if allfix else None
                    st["fixed_checked"] += 1
                    gotfix = f.get("fixed_version")
                    if not ((want is None and not gotfix) or (want is not None and gotfix and same_version(want, gotfix))):
                        st["fixed_mismatch"] += 1
                        shown["FIXED"].append("%s: %s fixed_version %r, reference %r (%s)"
                                              % (label, f.get("id"), gotfix, want, exp[mine[0]].record))
                kinds = {exp[x].kind for x in mine}
                gk = f.get("kind")
                if kinds != {None}:
                    if gk not in kinds:
                        st["kind_mismatch"] += 1
                        shown["KIND"].append("%s: %s kind %r, reference %r" % (label, f.get("id"), gk, sorted(k for k in kinds if k)))
                elif gk not in (None, "vulnerability"):
                    st["kind_mismatch"] += 1
                    shown["KIND"].append("%s: %s kind %r, reference: a vulnerability" % (label, f.get("id"), gk))
        self.stats = st
        fails = st["misses"] + st["extras"] + st["fixed_mismatch"] + st["kind_mismatch"] + st["split"]
        summary = ("records %d, probes %d, expected %d, found %d, misses %d, extras %d, fixed checked %d, "
                   "fixed mismatches %d, kind mismatches %d, split groups %d, tolerated %d; scan %.1f s"
                   % (self.records, st["probes"], st["expected"], st["found"], st["misses"], st["extras"],
                      st["fixed_checked"], st["fixed_mismatch"], st["kind_mismatch"], st["split"], st["tolerated"],
                      self.scan_seconds))
        for n in self.notes:
            print("  note %s: %s" % (self.name, n))
        for k, lst in shown.items():
            if lst:
                print("  %s %d, first ones:" % (k, len(lst)))
                for s in lst[:show]:
                    print("    %s %s" % (k, s))
        if fails:
            print("FAIL %s: %s" % (self.name, summary))
        else:
            print("PASS %s: %s" % (self.name, summary))
        sys.stdout.flush()
        return fails


def _short(lst, n=4):
    return " ".join(lst[:n]) + (" ... (%d in all)" % len(lst) if len(lst) > n else "")


def _q(s, safe=""):
    return urllib.parse.quote(s, safe=safe)


def purl(c, os_obj):
    """The package URL of a probe component (purl-spec type rules for the types used here)."""
    eco, name, ver = c["ecosystem"], c["name"], c["version"]
    if eco == "pypi":
        return "pkg:pypi/%s@%s" % (_q(name.lower().replace("_", "-")), _q(ver))
    if eco == "golang":
        return "pkg:golang/%s@%s" % (_q(name, "/"), _q(ver))
    if eco == "cargo":
        return "pkg:cargo/%s@%s" % (_q(name), _q(ver))
    if eco == "apk":
        return "pkg:apk/alpine/%s@%s?arch=x86_64&distro=alpine-%s" % (_q(name.lower()), _q(ver), _q(os_obj.get("version", "")))
    if eco == "deb":
        return "pkg:deb/debian/%s@%s?arch=amd64&distro=debian-%s" % (_q(name), _q(ver), _q(os_obj.get("version", "")))
    return "pkg:generic/%s@%s" % (_q(name), _q(ver))


def cli(argv):
    """Arguments shared by the evaluators: BULKHEAD DB DATA WORKDIR."""
    if len(argv) < 5:
        raise SystemExit("usage: %s BULKHEAD DB DATA_DIR WORK_DIR" % argv[0])
    return argv[1], argv[2], argv[3], argv[4]
