#!/usr/bin/env python3
"""osv_ref.py - reference evaluation of OSV records (PyPA advisory database, OSV YAML; Go vulndb, OSV JSON)
by the OSV schema's own evaluation pseudo-code: each range's events sorted by version and walked
(introduced / fixed / last_affected, limit events bound the range), versions[] matched exactly, GIT
ranges ignored, withdrawn records skipped. PyPI uses PEP 440 (python3-packaging), Go uses SemVer 2.0.
Probe versions are made around every event of every record and from every versions[] entry, put in one
SBOM per ecosystem and scanned by bulkhead; findings are compared alias-aware.
usage: osv_ref.py BULKHEAD DB DATA_DIR WORK_DIR [pypi|go ...]"""
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import versions  # noqa: E402


# ------------------------------------------------------------------ the OSV evaluation, order-agnostic
class Order:
    """A version order for OSV: parse(str) -> comparable or None when the string is not a version."""

    def __init__(self, parse):
        self.parse = parse


def hkey(p):
    """A cheap hashable equality key of a parsed version (packaging's Version hashes its key each time)."""
    return ("k", getattr(p, "_key", None)) if hasattr(p, "_key") else p


def sorted_events(events, order):
    """Events as (kind, value, parsed) sorted by version ("0" first, limit "*" last); None if an event
    version does not parse in this order (the range cannot be evaluated)."""
    out = []
    for e in events:
        for kind, val in e.items():
            if kind not in ("introduced", "fixed", "last_affected", "limit"):
                continue
            val = str(val)
            if kind == "introduced" and val == "0":
                out.append((kind, val, None, 0))
            elif kind == "limit" and "*" in val:
                out.append((kind, val, None, 2))
            else:
                p = order.parse(val)
                if p is None:
                    return None
                out.append((kind, val, p, 1))
    # Python's sort is stable: events of equal versions keep the order of the record
    out.sort(key=lambda t: (t[3], t[2]) if t[3] == 1 else (t[3],))
    return out


def before_limits(v, evs):
    lim = [e for e in evs if e[0] == "limit"]
    if not lim:
        return True
    return any(e[3] == 2 or v < e[2] for e in lim)


def eval_range(v, evs):
    """(vulnerable, branch fix) of version v (parsed) in one range; the branch fix is the version of the
    fixed event that closes the interval holding v (None: closed by last_affected, or open)."""
    if not before_limits(v, evs):
        return False, None
    vulnerable, at = False, -1
    for i, (kind, val, p, rank) in enumerate(evs):
        if kind == "introduced" and (rank == 0 or v >= p):
            vulnerable, at = True, i
        elif kind == "fixed" and v >= p:
            vulnerable = False
        elif kind == "last_affected" and v > p:
            vulnerable = False
    if not vulnerable:
        return False, None
    for kind, val, p, rank in evs[at + 1:]:
        if kind == "fixed":
            return True, val
        if kind == "last_affected":
            return True, None
    return True, None


# ------------------------------------------------------------------ PyPI
def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def spellings(name):
    """Spellings PEP 503 treats as the same project: as written, normalised, and mangled variants."""
    n = pep503(name)
    parts = n.split("-")
    return [name, n, "__".join(p.capitalize() for p in parts), ".".join(p.upper() for p in parts)]


def pypi_probes(v):
    """Probe versions around one event version: itself, .post1, +local, rc1, .dev0, one below, one above."""
    pv = versions.pep440(v)
    if pv is None:
        return [(v, "event")]
    out = [(v, "event")]
    if pv.local is None:
        out.append((v + "+ref.1", "local of " + v))
    if pv.post is None and pv.dev is None and pv.local is None:
        out.append((v + ".post1", "post of " + v))
    if pv.pre is None and pv.post is None and pv.dev is None and pv.local is None:
        out.append((v + "rc1", "rc of " + v))
    if pv.dev is None and pv.local is None:
        out.append((v + ".dev0", "dev of " + v))
    rel = list(pv.release)
    if rel[-1] > 0:
        below = rel[:-1] + [rel[-1] - 1]
        out.append(((str(pv.epoch) + "!" if pv.epoch else "") + ".".join(map(str, below)), "below " + v))
    above = rel[:-1] + [rel[-1] + 1]
    out.append(((str(pv.epoch) + "!" if pv.epoch else "") + ".".join(map(str, above)), "above " + v))
    return out


def load_pypa(data):
    import yaml
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # every scalar a string: "1.10" stays "1.10"
    recs = []
    for name, raw in common.tar_zst_members(os.path.join(data, "pypa-advisory-database", "pypa-advisory-database.tar.zst"),
                                            lambda n: n.endswith(".yaml") and "/vulns/" in "/" + n):
        recs.append(yaml.load(raw, Loader=loader))
    return recs


def load_go(data):
    recs = []
    for name, raw in common.tar_zst_members(os.path.join(data, "golang-vulndb", "golang-vulndb-osv.tar.zst"),
                                            lambda n: n.endswith(".json") and "/osv/" in n):
        recs.append(json.loads(raw))
    return recs


def truthy(x):
    return x not in (None, "", False, "null", "~")


# Findings grow with probes x records of a package (Django: 1,185 probes x 300 records), so packages
# with many records keep every exact event version first and a reproducible sample of the rest.
CAP = 0 if os.environ.get("REF_FULL") else 120


def cap_probes(key, cand):
    items = sorted(cand.items())
    if not CAP or len(items) <= CAP:
        return items
    rnd = random.Random(key)
    exact = [it for it in items if it[1].startswith("event")]
    rest = [it for it in items if not it[1].startswith("event")]
    if len(exact) >= CAP:
        return sorted(rnd.sample(exact, CAP))
    return sorted(exact + rnd.sample(rest, CAP - len(exact)))


def evaluate(run, recs, eco_osv, rtype, order, norm, probe_versions, component, same, maxv):
    """Shared driver: index the records by package, make probes, compute expectations, compare."""
    bypkg = {}
    skipped_withdrawn = skipped_pkgs = unparsable = 0
    for d in recs:
        withdrawn = truthy(d.get("withdrawn"))
        if withdrawn:
            # never expected, but its package is probed around its events: it must not come out
            skipped_withdrawn += 1
        else:
            run.records += 1
        for a in d.get("affected") or []:
            pk = a.get("package") or {}
            if pk.get("ecosystem") != eco_osv:
                continue
            if norm(pk.get("name", "")) is None:
                skipped_pkgs += 1
                continue
            ranges = []
            bad = False
            for r in a.get("ranges") or []:
                if r.get("type") != rtype:
                    continue
                evs = sorted_events(r.get("events") or [], order)
                if evs is None:
                    bad = True
                    continue
                ranges.append(evs)
            vers = [str(x) for x in a.get("versions") or []]
            if bad:
                unparsable += 1
            bypkg.setdefault(norm(pk["name"]), {"names": set(), "recs": []})
            ent = bypkg[norm(pk["name"])]
            ent["names"].add(pk["name"])
            vset = set(vers) | {hkey(p) for p in map(order.parse, vers) if p is not None}
            ent["recs"].append((d["id"], ranges, vers, bad or None if withdrawn else bad, vset))
    run.notes.append("%d withdrawn records: never expected, their packages probed" % skipped_withdrawn)
    if skipped_pkgs:
        run.notes.append("%d affected entries of packages not probed here (e.g. Go toolchain)" % skipped_pkgs)
    if unparsable:
        run.notes.append("%d affected entries with a range whose versions do not parse in this order: "
                         "their ids are tolerated (neither miss nor extra) for that package" % unparsable)
    n_unparsable_probes = 0
    capped = [0, 0]
    for key in sorted(bypkg):
        ent = bypkg[key]
        names = sorted(ent["names"])
        cand = {}
        for rid, ranges, vers, bad, vset in ent["recs"]:
            for evs in ranges:
                for kind, val, p, rank in evs:
                    if rank == 1:
                        for pv, why in probe_versions(val):
                            cand.setdefault(pv, "%s (%s %s)" % (why, rid, kind))
            for v in vers:
                cand.setdefault(v, "versions[] of " + rid)
        items = cap_probes(key, cand)
        if len(items) < len(cand):
            capped[0] += 1
            capped[1] += len(cand) - len(items)
        for i, (v, why) in enumerate(items):
            pv = order.parse(v)
            comp = component(key, names, v, i)
            if pv is None or comp is None:
                n_unparsable_probes += 1
                continue
            pr = common.Probe(comp, why)
            pk = hkey(pv)
            for rid, ranges, vers, bad, vset in ent["recs"]:
                fixes, hit = [], False
                for evs in ranges:
                    ok, fix = eval_range(pv, evs)
                    if ok:
                        hit = True
                        fixes.append(fix)
                in_list = v in vset or pk in vset
                if bad is None:
                    continue  # withdrawn
                if bad:
                    pr.tolerated.add(rid)
                    continue
                if hit or in_list:
                    prev = pr.expect.get(rid)
                    if hit:
                        f = (prev.fixes or []) + fixes if prev else fixes
                    else:
                        f = prev.fixes if prev else None  # only versions[]: no branch fix to check
                    pr.expect[rid] = common.Expect(fixes=f, record=rid)
            run.add(pr)
    if capped[0]:
        run.notes.append("%d packages with more than %d probe versions: %d probes left out by a sample seeded with "
                         "the package name (REF_FULL=1 keeps them all)" % (capped[0], CAP, capped[1]))
    if n_unparsable_probes:
        run.notes.append("%d probe versions that do not parse (or cannot be written) skipped" % n_unparsable_probes)
    return run.compare(same, maxv)


def max_by(parse):
    def mx(lst):
        vals = [x for x in lst if x is not None]
        if not vals:
            return None
        return max(vals, key=lambda s: parse(s))
    return mx


# ------------------------------------------------------------------ PyPI specifics
def run_pypi(bh, db, data, work):
    run = common.Run("pypi", bh, db, work)
    order = Order(versions.pep440)

    def component(key, names, v, i):
        sp = spellings(names[0])
        return {"ecosystem": "pypi", "name": sp[i % len(sp)], "version": v}

    def same(a, b):
        pa, pb = versions.pep440(a), versions.pep440(b)
        return pa is not None and pa == pb

    return evaluate(run, load_pypa(data), "PyPI", "ECOSYSTEM", order, pep503, pypi_probes, component,
                    same, max_by(versions.pep440))


# ------------------------------------------------------------------ Go specifics
def semver_or_none(s):
    s = s[1:] if s.startswith("v") else s
    try:
        return versions.SemVer(s)
    except ValueError:
        return None


def semver_probes(v):
    """Around one SemVer event: itself, a pre-release of it, build metadata, one below, one above."""
    sv = semver_or_none(v)
    if sv is None:
        return [(v, "event")]
    out = [(v, "event")]
    if not sv.pre:
        out.append((v + "-rc.1", "pre-release of " + v))
        out.append((v + "+ref", "build metadata of " + v))
    else:
        out.append((sv.core(), "release of " + v))
    if sv.patch > 0:
        out.append(("%d.%d.%d" % (sv.major, sv.minor, sv.patch - 1), "below " + v))
    out.append(("%d.%d.%d" % (sv.major, sv.minor, sv.patch + 1), "above " + v))
    return out


def go_toolchain_name(sv):
    """The go1.x spelling of a toolchain SemVer (as `go version` prints it), or None."""
    if sv.build:
        return None
    if not sv.pre:
        if sv.patch == 0 and sv.major == 1 and sv.minor < 21:
            return "go%d.%d" % (sv.major, sv.minor)
        return "go%d.%d.%d" % (sv.major, sv.minor, sv.patch)
    if sv.patch == 0 and len(sv.pre) == 2 and sv.pre[0] in ("rc", "beta") and sv.pre[1].isdigit():
        return "go%d.%d%s%s" % (sv.major, sv.minor, sv.pre[0], sv.pre[1])
    return None


def go_norm(name):
    return None if name == "toolchain" else name


def run_go(bh, db, data, work):
    run = common.Run("go", bh, db, work)
    order = Order(semver_or_none)

    def component(key, names, v, i):
        sv = semver_or_none(v)
        if sv is None:
            return None
        if key == "stdlib":
            gv = go_toolchain_name(sv)
            return {"ecosystem": "golang", "name": "stdlib", "version": gv} if gv else None
        return {"ecosystem": "golang", "name": key, "version": "v" + v}

    def same(a, b):
        if b.startswith("go"):
            m = re.match(r"^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$", b)
            if m:
                b = "%s.%s.%s" % (m.group(1), m.group(2), m.group(3) or "0") + ("-%s.%s" % (m.group(4), m.group(5)) if m.group(4) else "")
        pa, pb = semver_or_none(a), semver_or_none(b)
        return pa is not None and pa == pb

    return evaluate(run, load_go(data), "Go", "SEMVER", order, go_norm, semver_probes, component,
                    same, max_by(semver_or_none))


def main(argv):
    bh, db, data, work = common.cli(argv)
    which = argv[5:] or ["pypi", "go"]
    fails = 0
    if "pypi" in which:
        fails += run_pypi(bh, db, data, work)
    if "go" in which:
        fails += run_go(bh, db, data, work)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
