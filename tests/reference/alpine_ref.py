#!/usr/bin/env python3
"""alpine_ref.py - reference evaluation of the Alpine secdb (v3.3-v3.11, main + community): for release
v3.X and package P, every `secfixes` key F (an apk version; "0" = never affected) lists advisories; an
installed P at version V is affected by the ids under F iff V < F in apk-tools' version order
(versions.apk_cmp). Only advisory ids count (CVE-, XSA-, TALOS-, GHSA-, wnpa-sec-, ZBX- tokens); prose
on a line is not an id, and several ids on one line are aliases of one finding. Tokens that embed an id
but are not one (CVE-2017-17434-1, CVE-2019-19451.patch, CVE_2019-2426) are tolerated either way.
usage: alpine_ref.py BULKHEAD DB DATA_DIR WORK_DIR"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from versions import apk_cmp, apk_cmp_invalid, apk_key, apk_valid  # noqa: E402

ID = re.compile(r"^(CVE-\d{4}-\d{4,}|XSA-\d+|TALOS-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}"
                r"|wnpa-sec-\d{4}-\d+|ZBX-\d+)$")
EMBEDDED = re.compile(r"(CVE[-_]\d{4}-\d{4,}|XSA-\d+|TALOS-\d{4}-\d{4,})")


def line_ids(line):
    """(ids, tolerated) of one secfixes line."""
    ids, tol = [], set()
    for tok in str(line).split():
        if ID.match(tok):
            ids.append(tok)
        else:
            m = EMBEDDED.search(tok)
            if m:
                tol.add(tok)
                tol.add(m.group(1).replace("_", "-", 1))
    return ids, tol


def split_rev(v):
    m = re.match(r"^(.*)-r(\d+)$", v)
    return (m.group(1), int(m.group(2))) if m else (v, None)


def probes_for(fixes):
    """Probe versions for one package: each fix F, its predecessor (r-1, else the previous fix), one
    revision above, pre-/post-release suffixes and a letter on F's upstream version, a floor, a ceiling."""
    out = {}
    srt = sorted(fixes, key=apk_key)
    for i, f in enumerate(srt):
        base, rev = split_rev(f)
        out.setdefault(f, "fix " + f)
        if rev is not None:
            if rev > 0:
                out.setdefault("%s-r%d" % (base, rev - 1), "r-1 of " + f)
            elif i > 0:
                out.setdefault(srt[i - 1], "previous fix before " + f)
            out.setdefault("%s-r%d" % (base, rev + 1), "r+1 of " + f)
        if re.search(r"\d$", base):
            out.setdefault(base + "_rc1-r0", "rc of " + f)
            out.setdefault(base + "_p1-r0", "post-release of " + f)
            out.setdefault(base + "a-r0", "letter of " + f)
    # a floor and a ceiling even for packages whose only key is "0" (never affected: must stay silent)
    out.setdefault("0.0.1-r0", "floor")
    out.setdefault("99999-r0", "ceiling")
    return {v: w for v, w in out.items() if apk_valid(v)}


def main(argv):
    bh, db, data, work = common.cli(argv)
    import yaml
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # keys as written: "1.10-r0" stays a string
    rel = {}
    for path in sorted(glob.glob(os.path.join(data, "alpine-secdb", "v3.*", "*.yaml"))):
        with open(path, "rb") as f:
            d = yaml.load(f, Loader=loader)
        dv = d.get("distroversion", "")
        for p in d.get("packages") or []:
            pkg = p.get("pkg") or {}
            name = pkg.get("name")
            sf = pkg.get("secfixes") or {}
            if not name or not isinstance(sf, dict):
                continue
            ent = rel.setdefault(dv, {}).setdefault(name, [])
            for fix, lines in sf.items():
                for line in lines or []:
                    ids, tol = line_ids(line)
                    ent.append((fix, ids, tol, "%s/%s %s %s: %s" % (dv, os.path.basename(path), name, fix, line)))
    fails = 0
    total_records = noid = 0
    badkeys = set()
    for dv in sorted(rel, key=lambda s: [int(x) for x in s.lstrip("v").split(".")]):
        ver = dv.lstrip("v") + ".0"
        run = common.Run("alpine-" + dv, bh, db, work, {"family": "alpine", "name": "Alpine Linux v" + dv.lstrip("v"),
                                                       "version": ver})
        for name in sorted(rel[dv]):
            rows = rel[dv][name]
            run.records += len(rows)
            noid += sum(1 for r in rows if not r[1])
            real = [r for r in rows if r[0] != "0"]
            tol = set().union(*[r[2] for r in rows]) if rows else set()
            badkeys.update("%s %s %s" % (dv, name, r[0]) for r in real if not apk_valid(r[0]))
            for v, why in sorted(probes_for({r[0] for r in real if apk_valid(r[0])}).items()):
                pr = common.Probe({"ecosystem": "apk", "name": name, "version": v, "source_name": name,
                                   "source_version": v, "arch": "x86_64"}, why)
                pr.tolerated |= tol
                for fix, ids, _, where in real:
                    c, invalid = apk_cmp_invalid(v, fix)
                    if invalid:
                        # the order is decided by a token apk cannot parse (irssi "0.8.21.r2"): either
                        # answer is a guess at what the secdb author meant
                        pr.tolerated.update(ids)
                        continue
                    if c < 0:
                        for x in ids:
                            e = pr.expect.get(x)
                            if e:
                                e.fixes.append(fix)
                            else:
                                pr.expect[x] = common.Expect(fixes=[fix], group=tuple(ids), record=where)
                run.add(pr)
        total_records += run.records

        def same(a, b):
            return apk_cmp(a, b) == 0

        def mx(lst):
            vals = [x for x in lst if x is not None]
            return max(vals, key=apk_key) if vals else None

        fails += run.compare(same, mx)
    print("  note alpine: %d secfixes lines, %d of them carry no advisory id (prose only)" % (total_records, noid))
    print("  note alpine: %d secfixes keys are no apk version (their ids are tolerated where the order reaches "
          "the invalid part): %s"
          % (len(badkeys), ", ".join(sorted(badkeys)[:6])))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
