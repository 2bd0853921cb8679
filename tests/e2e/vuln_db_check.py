#!/usr/bin/env python3
"""Independent check of what `bulkhead db import` stored from the shared advisory data: reads the
sources with PyYAML, json and tomllib (not bulkhead's parsers) and compares with the DB (sqlite3).
  alpine:  ids are whole words of the id forms (CVE-YYYY-N, XSA-N, TALOS-YYYY-N, wnpa-sec-YYYY-N, ZBX-N,
           GHSA-x-x-x); several on a line are one advisory (first CVE, else first id) with the others as
           aliases; an entry without any id is skipped; "0" as fixed version is not_affected.
  rustsec: informational -> kind, withdrawn, aliases, REQS JSON equal to [versions] patched/unaffected.
  osv:     PyPA + Go affected rows: PEP 503 names (the PEP's own regex), non-GIT ranges as given.
Prints one line per check; exits 1 on any mismatch.
usage: vuln_db_check.py DB SHARED_DATA_DIR"""
import collections, glob, io, json, re, sqlite3, subprocess, sys, tarfile, tomllib
import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same results, faster
db = sqlite3.connect(sys.argv[1])
data = sys.argv[2]
bad = 0


def report(name, ok, text):
    global bad
    print(f"{name}: {'ok' if ok else 'MISMATCH'}: {text}")
    bad += 0 if ok else 1


def members(tar_zst, suffix):
    raw = subprocess.run(["zstd", "-dc", tar_zst], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.endswith(suffix):
                yield m.name, t.extractfile(m).read()


# Alpine secdb
ID = re.compile(r'^(CVE-\d{4}-\d{4,12}|XSA-\d{1,12}|ZBX-\d{1,12}|TALOS-\d{4}-\d{1,12}|wnpa-sec-\d{4}-\d{1,12}|'
                r'GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$')
exp_rows, exp_alias = collections.Counter(), set()
entries = ids = prose = notes = 0
for f in sorted(glob.glob(data + '/alpine-secdb/v*/*.yaml')):
    d = yaml.load(open(f), Loader=LOADER)
    distro = 'alpine:' + d['distroversion'].lstrip('v')
    for p in d.get('packages') or []:
        for ver, lst in (p['pkg'].get('secfixes') or {}).items():
            for line in lst or []:
                entries += 1
                words = str(line).split()
                found = []
                for w in words:
                    if ID.match(w) and w not in found:
                        found.append(w)
                if not found:
                    prose += 1
                    continue
                ids += len(found)
                notes += len(found) < len(words)
                prim = next((x for x in found if x.startswith('CVE-')), found[0])
                exp_alias.update((prim, x) for x in found if x != prim)
                st = 'not_affected' if str(ver) == '0' else 'fixed'
                exp_rows[(prim, p['pkg']['name'], distro, st, str(ver) if st == 'fixed' else None)] += 1
got_rows = collections.Counter(db.execute(
    "select advisory_id, package, distro, status, fixed_version from affected where source='alpine'").fetchall())
got_alias = set(db.execute("select advisory_id, alias from aliases where source='alpine'").fetchall())
report("alpine", exp_rows == got_rows and exp_alias == got_alias,
       f"{entries} entries, {ids} ids, {prose} entries without an id, {notes} with other words; "
       f"rows expected {sum(exp_rows.values())} stored {sum(got_rows.values())}, "
       f"aliases expected {len(exp_alias)} stored {len(got_alias)}")

# RustSec
n = mism = 0
kinds = collections.Counter()
for name, raw in members(data + '/rustsec-advisory-db/rustsec-advisory-db.tar.zst', '.md'):
    m = re.search(r'```toml\n(.*?)```', raw.decode(), re.S)
    if not m:
        continue
    d = tomllib.loads(m.group(1))
    a, v = d['advisory'], d.get('versions', {})
    n += 1
    kinds[a.get('informational')] += 1
    row = db.execute("select kind, withdrawn from advisories where source='rustsec' and id=?", (a['id'],)).fetchone()
    aff = db.execute("select package, ranges from affected where source='rustsec' and advisory_id=?", (a['id'],)).fetchall()
    al = sorted(x[0] for x in db.execute("select alias from aliases where source='rustsec' and advisory_id=?", (a['id'],)))
    wd = str(a['withdrawn']) if 'withdrawn' in a else None
    reqs = [{"type": "REQS", "patched": v.get('patched', []), "unaffected": v.get('unaffected', [])}]
    if (not row or row[0] != a.get('informational') or row[1] != wd or al != sorted(a.get('aliases', []))
            or len(aff) != 1 or aff[0][0] != a['package'] or json.loads(aff[0][1]) != reqs):
        mism += 1
        if mism <= 5:
            print(f"  rustsec {a['id']}: stored {row} {al} {aff}")
report("rustsec", n > 0 and mism == 0, f"{n} advisories, {mism} differ; kinds {dict(kinds)}")

# OSV (PyPA YAML, Go JSON)
exp = collections.Counter()
docs = 0
srcs = [(data + '/pypa-advisory-database/pypa-advisory-database.tar.zst', '.yaml'),
        (data + '/golang-vulndb/golang-vulndb-osv.tar.zst', '.json')]
for path, suffix in srcs:
    for name, raw in members(path, suffix):
        doc = yaml.load(raw, Loader=LOADER) if suffix == '.yaml' else json.loads(raw)
        if not isinstance(doc, dict) or 'id' not in doc:
            continue
        docs += 1
        for a in doc.get('affected') or []:
            eco = {'PyPI': 'pypi', 'Go': 'golang'}[a['package']['ecosystem']]
            pkg = a['package']['name']
            if eco == 'pypi':
                pkg = re.sub(r"[-_.]+", "-", pkg).lower()  # PEP 503's normalisation, verbatim
            ranges = [r for r in a.get('ranges') or [] if r.get('type') != 'GIT']
            vers = a.get('versions') or []
            if ranges or vers:
                exp[(doc['id'], eco, pkg, json.dumps(ranges) if ranges else None, json.dumps(vers) if vers else None)] += 1
got = collections.Counter()
for aid, eco, pkg, r, v in db.execute(
        "select advisory_id, ecosystem, package, ranges, versions from affected where source='osv' and ecosystem in ('pypi','golang')"):
    got[(aid, eco, pkg, json.dumps(json.loads(r)) if r else None, json.dumps(json.loads(v)) if v else None)] += 1
report("osv", exp == got, f"{docs} documents, rows expected {sum(exp.values())} stored {sum(got.values())}, "
       f"missing {sum((exp - got).values())}, extra {sum((got - exp).values())}")
sys.exit(1 if bad else 0)
