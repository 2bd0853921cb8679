#!/usr/bin/env python3
"""rustsec_ref.py - reference evaluation of the RustSec advisory database (Markdown with a ```toml front
matter) with cargo-audit's rule: a crate version is affected iff it matches none of `patched` and none of
`unaffected`. Each requirement (comma-separated comparators >= > < <= = ^ ~, bare version = caret,
`*`) is turned into one interval as the rustsec crate behind cargo-audit does (osv/unaffected_range.rs:
missing parts read as 0, caret/tilde upper bounds at the next release's "-0"), and intervals are
evaluated in plain SemVer 2.0 precedence, pre-releases included. Informational
advisories must come out with JSON "kind" equal to their word; withdrawn ones never.
usage: rustsec_ref.py BULKHEAD DB DATA_DIR WORK_DIR"""
import os
import re
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from versions import SemVer  # noqa: E402

_PARTIAL = re.compile(r"^(\d+)(?:\.(\d+|\*|x|X))?(?:\.(\d+|\*|x|X))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def sv(ma, mi, pa, pre=None):
    return SemVer("%d.%d.%d%s" % (ma, mi, pa, "-" + pre if pre else ""))


class Interval:
    """[lo, hi) style interval with inclusivity flags; None bounds are open."""
    __slots__ = ("lo", "lo_inc", "hi", "hi_inc")

    def __init__(self, lo=None, lo_inc=True, hi=None, hi_inc=False):
        self.lo, self.lo_inc, self.hi, self.hi_inc = lo, lo_inc, hi, hi_inc

    def contains(self, v):
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_inc)):
            return False
        if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_inc)):
            return False
        return True

    def meet(self, o):
        r = Interval(self.lo, self.lo_inc, self.hi, self.hi_inc)
        if o.lo is not None and (r.lo is None or o.lo > r.lo or (o.lo == r.lo and not o.lo_inc)):
            r.lo, r.lo_inc = o.lo, o.lo_inc
        if o.hi is not None and (r.hi is None or o.hi < r.hi or (o.hi == r.hi and not o.hi_inc)):
            r.hi, r.hi_inc = o.hi, o.hi_inc
        return r


def comparator(text):
    """One comparator -> Interval, as cargo-audit reads it: the rustsec crate turns each requirement
    into one range of plain SemVer precedence (its osv/unaffected_range.rs). Missing minor/patch read
    as 0 for every operator ("> 0.5" is "> 0.5.0", "=1.0" is exactly 1.0.0); "^" (and a bare version)
    and "~" end at the next incompatible release's "-0", so no pre-release of that release is inside
    ("^0.9.1" is [0.9.1, 0.10.0-0): 0.10.0-rc.1 is not patched)."""
    t = text.strip()
    m = re.match(r"^(>=|<=|>|<|=|\^|~)?\s*(.*)$", t)
    op, ver = m.group(1) or "^", m.group(2).strip()
    if ver in ("*", "x", "X"):
        return Interval()
    pm = _PARTIAL.match(ver)
    if not pm:
        raise ValueError("bad version in requirement: %r" % text)
    ma = int(pm.group(1))
    mi = None if pm.group(2) in (None, "*", "x", "X") else int(pm.group(2))
    pa = None if pm.group(3) in (None, "*", "x", "X") else int(pm.group(3))
    pre = pm.group(4)
    full_lo = sv(ma, mi or 0, pa or 0, pre)
    if op == "=":
        return Interval(full_lo, True, full_lo, True)
    if op == ">=":
        return Interval(full_lo, True)
    if op == ">":
        return Interval(full_lo, False)
    if op == "<":
        return Interval(None, True, full_lo, False)
    if op == "<=":
        return Interval(None, True, full_lo, True)
    if op == "~":
        if mi is None:
            return Interval(full_lo, True, sv(ma + 1, 0, 0, "0"), False)
        return Interval(full_lo, True, sv(ma, mi + 1, 0, "0"), False)
    # caret
    if ma > 0:
        return Interval(full_lo, True, sv(ma + 1, 0, 0, "0"), False)
    if mi is None:
        return Interval(full_lo, True, sv(1, 0, 0, "0"), False)
    if mi == 0 and pa is not None:
        return Interval(full_lo, True, sv(0, 0, pa + 1, "0"), False)
    return Interval(full_lo, True, sv(0, mi + 1, 0, "0"), False)


def requirement(text):
    iv = Interval()
    for part in text.split(","):
        if part.strip():
            iv = iv.meet(comparator(part))
    return iv


def probes_of(b):
    """Around one interval bound: itself, one below, one above, a pre-release of it."""
    out = [b.text]
    if b.pre:
        out.append(b.core())
    else:
        out.append(b.core() + "-rc.1")
    if b.patch > 0:
        out.append("%d.%d.%d" % (b.major, b.minor, b.patch - 1))
    elif b.minor > 0:
        out.append("%d.%d.99" % (b.major, b.minor - 1))
    elif b.major > 0:
        out.append("%d.99.0" % (b.major - 1))
    out.append("%d.%d.%d" % (b.major, b.minor, b.patch + 1))
    return out


def load(data):
    recs, rust = [], 0
    for name, raw in common.tar_zst_members(os.path.join(data, "rustsec-advisory-db", "rustsec-advisory-db.tar.zst"),
                                            lambda n: n.endswith(".md") and ("/crates/" in "/" + n or "/rust/" in "/" + n)):
        if "/crates/" not in "/" + name:
            rust += 1  # rust/ holds toolchain advisories (std, cargo, rustdoc): no crate to probe
            continue
        text = raw.decode("utf-8")
        m = re.search(r"```toml\n(.*?)\n```", text, re.S)
        if not m:
            continue
        recs.append((name, tomllib.loads(m.group(1))))
    return recs, rust


def main(argv):
    bh, db, data, work = common.cli(argv)
    run = common.Run("rustsec", bh, db, work)
    recs, rust = load(data)
    run.notes.append("%d toolchain advisories under rust/ not probed" % rust)
    bypkg = {}
    withdrawn = bad = 0
    for name, d in recs:
        a = d.get("advisory", {})
        v = d.get("versions", {})
        if a.get("withdrawn"):
            # never expected, but its crate is probed around its bounds: it must not come out
            withdrawn += 1
            try:
                bypkg.setdefault(a["package"], []).append((a["id"], "withdrawn",
                                                           [requirement(r) for r in v.get("patched", [])], None))
            except ValueError:
                pass
            continue
        try:
            patched = [requirement(r) for r in v.get("patched", [])]
            unaffected = [requirement(r) for r in v.get("unaffected", [])]
        except ValueError as e:
            bad += 1
            run.notes.append("%s: %s (record tolerated)" % (a.get("id"), e))
            bypkg.setdefault(a["package"], []).append((a["id"], None, None, a.get("informational")))
            continue
        run.records += 1
        bypkg.setdefault(a["package"], []).append((a["id"], patched, unaffected, a.get("informational")))
    run.notes.append("%d withdrawn advisories: never expected, their crates probed" % withdrawn)
    for pkg in sorted(bypkg):
        cand = set()
        for rid, patched, unaffected, info in bypkg[pkg]:
            # a withdrawn advisory keeps its requirements in the third slot, for the probes only
            ivs = unaffected if patched == "withdrawn" else (patched or []) + (unaffected or [])
            for iv in ivs:
                for b in (iv.lo, iv.hi):
                    if b is not None:
                        cand.update(probes_of(b))
        cand.add("0.0.1")
        cand.add("999.0.0")
        for ver in sorted(cand):
            v = SemVer(ver)
            pr = common.Probe({"ecosystem": "cargo", "name": pkg, "version": ver}, "bound probe")
            for rid, patched, unaffected, info in bypkg[pkg]:
                if patched == "withdrawn":
                    continue
                if patched is None:
                    pr.tolerated.add(rid)
                    continue
                if any(iv.contains(v) for iv in patched + unaffected):
                    continue
                # the branch fix: the lowest lower bound of a patched requirement above v; an exclusive
                # bound (> 0.7.19) names no patched version itself, so its next patch release stands for it
                los = [iv.lo for iv in patched if iv.lo is not None and iv.lo_inc and iv.lo > v]
                los += [sv(iv.lo.major, iv.lo.minor, iv.lo.patch + 1) for iv in patched
                        if iv.lo is not None and not iv.lo_inc and iv.lo >= v]
                fix = min(los).text if los else None
                pr.expect[rid] = common.Expect(fixes=[fix], kind=info, record=rid)
            run.add(pr)

    def same(a, b):
        b = b.strip()
        pm = _PARTIAL.match(b)
        if pm and not pm.group(3):
            b = b.split("-")[0] + ".0" * (2 - b.split("-")[0].count("."))
        try:
            return SemVer(a) == SemVer(b)
        except ValueError:
            return False

    def mx(lst):
        vals = [x for x in lst if x is not None]
        return max(vals, key=SemVer) if vals else None

    return 1 if run.compare(same, mx) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
