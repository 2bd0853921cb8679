#!/usr/bin/env bash
# Reference checks: independent Python evaluators (tests/reference/) read the raw advisory data in
# ../shared/data, make probe versions around every event/bound/fix, scan them as synthetic SBOMs with
# `bulkhead scan -f json` and fail on any missed or extra finding or wrong fixed version.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
DATA=${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
REF="$(cd "$(dirname "$0")/../reference" && pwd)"
# Debian's python3 (python3-yaml, python3-packaging, python3-apt), not a python3 earlier in PATH
PY=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && [ -z "${PYTHON:-}" ] && PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
start=$(date +%s)

if [ ! -d "$DATA/golang-vulndb" ]; then
	echo "reference: shared data not found at $DATA"; echo "reference: 0 passed, 1 failed"; exit 1
fi
missing=$("$PY" -c 'import yaml, packaging, apt_pkg, tomllib' 2>&1 >/dev/null | tail -1)
if [ -n "$missing" ] || ! command -v zstd >/dev/null; then
	ko "python modules / zstd" "${missing:-zstd missing} (scripts/setup.sh installs python3-yaml python3-packaging python3-apt zstd)"
	echo "reference: $pass passed, $fail failed"; exit 1
fi
# The tracker archive alone (not format-samples/, whose CVE JSON would add per-CVE rows no evaluator models)
if timeout 120 "$BH" db import --db "$T/ref.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" \
	"$DATA/rustsec-advisory-db" "$DATA/alpine-secdb" \
	"$DATA/debian-security-tracker/debian-security-tracker-2023-04-data.tar.zst" >"$T/import" 2>&1; then
	ok "import of the reference data sets"
else
	ko "import" "$(head -3 "$T/import")"
	echo "reference: $pass passed, $fail failed"; exit 1
fi

selftest=$(cd "$REF" && "$PY" -c 'import versions; print("; ".join(versions.selftest()))' 2>&1)
[ -z "$selftest" ] && ok "reference version orders (SemVer, apk) agree with their specifications' examples" ||
	ko "reference version orders" "$selftest"

# Two lanes (CI has 2 cores): each evaluator writes its own log; the logs are printed in a fixed order.
run() { # log evaluator [args]
	local log=$1 name=$2; shift 2
	local t0; t0=$(date +%s)
	timeout 600 "$PY" "$REF/$name" "$BH" "$T/ref.db" "$DATA" "$T" "$@" >"$log" 2>&1
	echo "$?" >"$log.rc"
	echo "  ($name $* took $(($(date +%s) - t0)) s)" >>"$log"
}
( run "$T/1.log" osv_ref.py pypi; run "$T/3.log" rustsec_ref.py; run "$T/5.log" debian_ref.py ) &
lane=$!
run "$T/2.log" osv_ref.py go
run "$T/4.log" alpine_ref.py
wait $lane
for i in 1 2 3 4 5; do
	cat "$T/$i.log"
	p=$(grep -c '^PASS ' "$T/$i.log"); f=$(grep -c '^FAIL ' "$T/$i.log")
	pass=$((pass + p)); fail=$((fail + f))
	rc=$(cat "$T/$i.log.rc" 2>/dev/null || echo 1)
	if [ "$rc" != 0 ] && [ "$f" -eq 0 ]; then
		ko "evaluator $i" "exit $rc without a FAIL line: $(tail -3 "$T/$i.log")"
	fi
done

echo "  (reference checks took $(($(date +%s) - start)) s)"
echo "reference: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
