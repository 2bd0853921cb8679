#!/usr/bin/env bash
# Vulnerability DB and matching speed (issue #4 figures; a benchmark, not a test):
#  - import of all advisory data in ../shared/data
#  - scan of the Debian 12 minbase docker-archive with a ready DB vs sbom alone (overhead of matching)
#  - matching 10,000 components (a synthetic SBOM of real package names from the DB)
# Times are CPU seconds (user + system) of the whole process, the median of RUNS runs (default 5):
# the machine is shared, and CPU time is what other load disturbs least. "matching alone" is the
# wall time bulkhead logs for bh_match (-v), also a median.
# BH_BASE=/path/to/other/bulkhead adds a column for that build, run alternately with this one on
# the same inputs (each with a DB it imported itself: schemas may differ).
set -euo pipefail
cd "$(dirname "$0")/.."
BH=${BH:-$PWD/${BUILD:-build}/bulkhead}
BASE=${BH_BASE:-}
DATA=${BH_SHARED_DATA:-$PWD/../shared/data}
W=${BH_BENCH:-/var/tmp/bh-bench}
RUNS=${RUNS:-5}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j1
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/../shared/testbed/containers.conf}
. bench/common.sh
bench_debmin

# cpu BIN ARGS...: CPU seconds (user + system) of one run: perf's task clock (ms), else time(1) (10 ms steps)
if perf stat -e task-clock -x, -o "$W/cpu.txt" true 2>/dev/null; then
	cpu() { perf stat -e task-clock -x, -o "$W/cpu.txt" "$@" >/dev/null 2>&1 || true
		awk -F, '/task-clock/ { printf "%.3f", $1 / 1000 }' "$W/cpu.txt"; }
else
	cpu() { /usr/bin/time -f "%U %S" -o "$W/cpu.txt" "$@" >/dev/null 2>&1 || true; awk '{ printf "%.3f", $1 + $2 }' "$W/cpu.txt"; }
fi
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# which: "new" or "base"; the binary and its DB files
bin() { [ "$1" = base ] && echo "$BASE" || echo "$BH"; }
db() { echo "$W/vuln-$1.db"; }
builds() { echo new; [ -n "$BASE" ] && echo base || true; }

declare -A R
# measure KEY CMD...: CMD with @BH@ and @DB@ / @EMPTY@ replaced per build; runs alternate between builds
measure() {
	local key=$1 i b; shift
	for b in $(builds); do : >"$W/t.$key.$b"; done
	for i in $(seq "$RUNS"); do
		for b in $(builds); do
			local args=() a
			for a in "$@"; do
				a=${a//@BH@/$(bin "$b")}; a=${a//@DB@/$(db "$b")}; a=${a//@EMPTY@/$W/empty-$b.db}
				args+=("$a")
			done
			cpu "${args[@]}" >>"$W/t.$key.$b"; echo >>"$W/t.$key.$b"
		done
	done
	for b in $(builds); do R[$key.$b]=$(median <"$W/t.$key.$b"); done
}

imp_args=(db import --db @DB@ "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/rustsec-advisory-db"
	"$DATA/alpine-secdb" "$DATA/kev" "$DATA/debian-security-tracker")
for b in $(builds); do : >"$W/t.imp.$b"; done
for i in $(seq "$RUNS"); do
	for b in $(builds); do
		rm -f "$(db "$b")"
		args=(); for a in "${imp_args[@]}"; do args+=("${a//@DB@/$(db "$b")}"); done
		cpu "$(bin "$b")" "${args[@]}" >>"$W/t.imp.$b"; echo >>"$W/t.imp.$b"
	done
done
for b in $(builds); do R[imp.$b]=$(median <"$W/t.imp.$b"); done
measure sb @BH@ sbom -q -f json "$W/debmin-docker.tar"
measure sc @BH@ scan -q --scanners vuln --db @DB@ -f json "$W/debmin-docker.tar"
measure sa @BH@ scan -q --db @DB@ -f json "$W/debmin-docker.tar"
# 10,000 components: real (ecosystem, package) pairs from the DB, each at an old version
python3 - "$(db new)" "$W/10k.json" <<'PY'
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
mkdir -p "$W/empty-feed"
for b in $(builds); do   # a DB with no advisories
	rm -f "$W/empty-$b.db"; "$(bin "$b")" db import --db "$W/empty-$b.db" "$W/empty-feed" >/dev/null
done
measure base @BH@ scan -q --db @EMPTY@ -f json "$W/10k.json"
measure m10k @BH@ scan -q --db @DB@ -f json "$W/10k.json"
for b in $(builds); do
	R[nf.$b]=$("$(bin "$b")" scan -q --db "$(db "$b")" -f json "$W/10k.json" | jq '.findings | length')
	R[monly.$b]=$(for i in $(seq "$RUNS"); do "$(bin "$b")" scan -v --db "$(db "$b")" -f table "$W/10k.json" 2>&1 >/dev/null |
		sed -n 's/.*findings in \([0-9.]*\) ms/\1/p'; done | median)
done
row() { # label key unit
	local s="| $1 | ${R[$2.new]}$3"
	[ -n "$BASE" ] && s="$s | ${R[$2.base]}$3"
	echo "$s |"
}
{
	if [ -n "$BASE" ]; then
		echo "| job (CPU s, median of $RUNS) | this build | BH_BASE |"
		echo "|---|---|---|"
	else
		echo "| job (CPU s, median of $RUNS) | time |"
		echo "|---|---|"
	fi
	row "import of all of ../shared/data (Go OSV, PyPA, RustSec, Alpine secdb, KEV, Debian DSA/DLA + tracker)" imp " s"
	row "sbom of Debian 12 minbase docker-archive" sb " s"
	row "scan --scanners vuln of the same image with a ready DB" sc " s"
	row "scan with the default scanners (vuln, image config, secrets in every file of every layer)" sa " s"
	row "scan of a stored SBOM of 10,000 components, empty DB (read + report)" base " s"
	row "the same with the full DB (${R[nf.new]} findings, JSON report)" m10k " s"
	row "matching alone (bh_match, wall ms as logged by -v) for those 10,000 components" monly " ms"
} | tee bench/out/vuln.md
