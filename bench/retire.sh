#!/usr/bin/env bash
# Side by side with retire.js (issue #4): an npm project installed for real with old versions
# (lodash 4.17.15, jquery 3.3.1, handlebars 4.0.11, minimist 1.2.0); retire.js with the
# vulnerability file bundled in @salesforce/code-analyzer-retirejs-engine scans its JS files,
# bulkhead scans the same tree with the npm advisories of tests/fixtures/osv-npm (real GHSA
# records in OSV form). Fails when retire.js reports a CVE or GHSA id bulkhead does not.
# Needs the npm registry once (cached under $BH_BENCH, default /var/tmp/bh-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
BH=$PWD/build/bulkhead
W=${BH_BENCH:-/var/tmp/bh-bench}
[ -x "$BH" ] || make -s -j"$(nproc)"
mkdir -p "$W/npmproj" "$W/tools" bench/out
if [ ! -f "$W/npmproj/node_modules/handlebars/package.json" ]; then
	(cd "$W/npmproj" && echo '{"name":"bh-retire-fixture","version":"1.0.0","private":true}' >package.json &&
		npm install --no-audit --no-fund lodash@4.17.15 jquery@3.3.1 handlebars@4.0.11 minimist@1.2.0 >/dev/null)
fi
[ -x "$W/tools/node_modules/.bin/retire" ] ||
	npm install --no-audit --no-fund --prefix "$W/tools" retire @salesforce/code-analyzer-retirejs-engine >/dev/null
REPO=$W/tools/node_modules/@salesforce/code-analyzer-retirejs-engine/vulnerabilities/RetireJsVulns.json
"$W/tools/node_modules/.bin/retire" --path "$W/npmproj" --jsrepo "$REPO" --outputformat json \
	--outputpath "$W/retire.json" >/dev/null 2>&1 || true   # retire exits 13 when it finds something
rm -f "$W/npm.db"
"$BH" db import --db "$W/npm.db" tests/fixtures/osv-npm >/dev/null
"$BH" scan -q --db "$W/npm.db" -f json "dir:$W/npmproj" >"$W/bh-npm.json"
python3 - "$W/retire.json" "$W/bh-npm.json" "$("$W/tools/node_modules/.bin/retire" --version)" <<'PY' | tee bench/out/retire.md
import json, sys
r = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
want = {}  # id -> (component, version)
for f in r.get("data", []):
    for res in f.get("results", []):
        for v in res.get("vulnerabilities", []):
            ids = v.get("identifiers", {})
            for i in ids.get("CVE", []) + ([ids["githubID"]] if ids.get("githubID") else []):
                want[i] = (res["component"], res["version"])
have = {}
for f in b["findings"]:
    for i in [f["id"]] + (f.get("aliases") or []):
        have.setdefault(i, set()).add(f["id"])
missing = sorted(i for i in want if i not in have)
print("retire.js %s: %d distinct CVE/GHSA ids on %s; bulkhead: %d findings (%d distinct advisories)" % (
    sys.argv[3], len(want), "lodash 4.17.15, jquery 3.3.1, handlebars 4.0.11, minimist 1.2.0",
    len(b["findings"]), len({f["id"] for f in b["findings"]})))
print()
print("| retire.js id | library | bulkhead advisory |")
print("|---|---|---|")
for i in sorted(want):
    print("| %s | %s %s | %s |" % (i, want[i][0], want[i][1], ", ".join(sorted(have.get(i, []))) or "MISSING"))
extra = sorted({f["id"] for f in b["findings"]} - {x for i in want for x in have.get(i, [])})
print()
print("bulkhead only: %s" % (", ".join(extra) or "none"))
print("missed by bulkhead: %s" % (", ".join(missing) or "none"))
sys.exit(1 if missing else 0)
PY
