#!/usr/bin/env bash
# Vulnerability DB and matching speed (issue #4 figures; a benchmark, not a test):
#  - import of all advisory data in ../shared/data
#  - scan of the Debian 12 minbase docker-archive with a ready DB vs sbom alone (overhead of matching)
#  - matching 10,000 components (a synthetic SBOM of real package names from the DB)
set -euo pipefail
cd "$(dirname "$0")/.."
BH=${BH:-$PWD/${BUILD:-build}/bulkhead}
DATA=${BH_SHARED_DATA:-$PWD/../shared/data}
W=${BH_BENCH:-/var/tmp/bh-bench}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j"$(nproc)"
[ -f "$W/debmin-docker.tar" ] || RUNS=1 bash bench/sbom.sh >/dev/null
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'; }
rm -f "$W/vuln.db"
imp=$(t "$BH" db import --db "$W/vuln.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/rustsec-advisory-db" \
	"$DATA/alpine-secdb" "$DATA/kev" "$DATA/debian-security-tracker")
best() { local b=999 i x; for i in 1 2 3 4 5; do x=$(t "$@"); b=$(awk -v a="$b" -v c="$x" 'BEGIN { print (c < a) ? c : a }'); done; echo "$b"; }
sb=$(best "$BH" sbom -q -f json "$W/debmin-docker.tar")
sc=$(best "$BH" scan -q --scanners vuln --db "$W/vuln.db" -f json "$W/debmin-docker.tar")
sa=$(best "$BH" scan -q --db "$W/vuln.db" -f json "$W/debmin-docker.tar")
# 10,000 components: real (ecosystem, package) pairs from the DB, each at an old version
python3 - "$W/vuln.db" "$W/10k.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT DISTINCT ecosystem, package FROM affected WHERE ecosystem IN ('golang','pypi','cargo') LIMIT 10000").fetchall()
comps = []
i = 0
while len(comps) < 10000:
    eco, name = rows[i % len(rows)]
    i += 1
    ver = "v0.1.0" if eco == "golang" else "0.1.0"
    purl = "pkg:%s/%s@%s" % (eco, name, ver)
    comps.append({"ecosystem": eco, "name": name, "version": ver, "purl": purl})
json.dump({"schema": "bulkhead-sbom/1", "target": {"name": "10k"}, "os": {}, "components": comps}, open(sys.argv[2], "w"))
PY
rm -f "$W/empty.db"
mkdir -p "$W/empty-feed" && "$BH" db import -q --db "$W/empty.db" "$W/empty-feed" >/dev/null   # a DB with no advisories
base=$(best "$BH" scan -q --db "$W/empty.db" -f json "$W/10k.json")
m10k=$(best "$BH" scan -q --db "$W/vuln.db" -f json "$W/10k.json")
nf=$("$BH" scan -q --db "$W/vuln.db" -f json "$W/10k.json" | jq '.findings | length')
# bh_match alone, as the scan logs it (best of 5)
monly=$(for i in 1 2 3 4 5; do "$BH" scan -v --db "$W/vuln.db" -f table "$W/10k.json" 2>&1 >/dev/null |
	sed -n 's/.*findings in \([0-9.]*\) ms/\1/p'; done | sort -n | head -1)
{
	echo "| job | time |"
	echo "|---|---|"
	echo "| import all of ../shared/data (Go OSV, PyPA, RustSec, Alpine secdb, KEV, Debian DSA/DLA + tracker) | ${imp} s |"
	echo "| sbom of Debian 12 minbase docker-archive | ${sb} s |"
	echo "| scan --scanners vuln of the same image with a ready DB | ${sc} s ($(awk -v a="$sb" -v b="$sc" 'BEGIN { printf "%+.0f%%", (b - a) / a * 100 }')) |"
	echo "| scan with the default scanners (vuln, image config, secrets in every file of every layer) | ${sa} s |"
	echo "| scan of a stored SBOM of 10,000 components, empty DB (read + report) | ${base} s |"
	echo "| the same with the full DB ($nf findings, JSON report) | ${m10k} s: matching and reporting add $(awk -v a="$base" -v b="$m10k" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }') |"
	echo "| matching alone (bh_match) for those 10,000 components | ${monly} ms |"
} | tee bench/out/vuln.md
