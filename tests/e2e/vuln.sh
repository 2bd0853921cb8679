#!/usr/bin/env bash
# Vulnerability DB and matching end to end, on the real advisory data in ../shared/data.
set -uo pipefail
# grep -q stops reading at the first match; under pipefail the writer's SIGPIPE would then
# fail the check at random (seen once in CI), so matches are read to the end.
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
DATA=${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

if [ ! -d "$DATA/golang-vulndb" ]; then
	echo "vuln: shared data not found at $DATA"; echo "vuln: 0 passed, 1 failed"; exit 1
fi
out=$(timeout 120 "$BH" db import --db "$T/all.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" \
	"$DATA/rustsec-advisory-db" "$DATA/alpine-secdb" "$DATA/kev" "$DATA/debian-security-tracker" 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && ok "import of all shared data" || ko "import" "rc=$rc $(head -3 "$T/err")"
echo "$out" | grepq "golang-vulndb: 4291 documents, 4291 advisories" && ok "4,291 Go OSV advisories" || ko "Go OSV count" "$(echo "$out" | head -1)"
echo "$out" | grepq "pypa-advisory-database: 2661 documents, 2661 advisories" && ok "2,661 PYSEC advisories" || ko "PyPA count" "$out"
echo "$out" | grepq "1404 known exploited" && ok "1,404 KEV entries" || ko "KEV count" "$out"
"$BH" db status --db "$T/all.db" | grepq "advisories" && ok "db status" || ko "db status" "no summary"
# Go toolchains as binaries record them: release candidates and vendor snapshots compare as SemVer
cat >"$T/gosb.json" <<'EOF'
{"schema": "bulkhead-sbom/1", "target": {"name": "go"}, "os": {}, "components": [
 {"ecosystem": "golang", "name": "stdlib", "version": "go1.25-20250209-RC00 cl/724970549 +ff27d270c9", "purl": "pkg:golang/stdlib", "path": "/bin/x"},
 {"ecosystem": "golang", "name": "stdlib", "version": "go1.21rc2", "purl": "pkg:golang/stdlib", "path": "/bin/y"}]}
EOF
got=$("$BH" scan --db "$T/all.db" -q -f json "$T/gosb.json" | jq -r '[.findings[] | .compared_version] | unique | join(" ")')
[ "$got" = "v1.21.0-rc.2 v1.25.0-20250209-RC00" ] && ok "Go toolchain versions: go1.21rc2 and a vendor snapshot of 1.25 are matched" || ko "go toolchain" "$got"

# Go binaries of this machine against the Go vulndb (stdlib and modules)
"$BH" scan --db "$T/all.db" -q -f json dir:/usr/bin >"$T/go.json"
n=$(jq '[.findings[] | select(.ecosystem == "golang")] | length' "$T/go.json")
[ "$n" -gt 0 ] && ok "Go binaries in /usr/bin have GO- findings ($n)" || ko "Go findings" "none"
jq -e '[.findings[] | select(.id | startswith("GO-"))] | all(.url != null)' "$T/go.json" >/dev/null && ok "Go findings carry the advisory URL" || ko "Go URL" "missing"

# An independent evaluation of the OSV ranges (Python) over `go version -m` of the same binaries
if command -v go >/dev/null && command -v zstd >/dev/null; then
	if python3 tests/e2e/go_vulndb_check.py "$BH" "$T/all.db" "$DATA/golang-vulndb/golang-vulndb-osv.tar.zst" /usr/bin >"$T/gocheck" 2>&1; then
		ok "Go findings in /usr/bin equal an independent evaluation ($(head -1 "$T/gocheck"))"
	else
		ko "Go findings vs independent evaluation" "$(head -5 "$T/gocheck")"
	fi
fi

# Debian: backported fix not reported, open CVE affected with no fix, unimportant only with a flag
"$BH" db import --db "$T/deb.db" "$DATA/debian-security-tracker/format-samples/tracker-json-sample.json" tests/fixtures/vuln/debian-derived.json >/dev/null
f=$("$BH" scan --db "$T/deb.db" -q -f json tests/fixtures/vuln/debian-bookworm-sbom.json)
echo "$f" | jq -e '[.findings[] | select(.package == "sope4.9")] | length == 0' >/dev/null && ok "Debian backport (5.8.0-1+deb12u1 < upstream 5.12.1-2) not reported" || ko "backport" "reported"
echo "$f" | jq -e '[.findings[] | select(.package == "libsope1" and .fixed_version == "5.8.0-1+deb12u1")] | length == 1' >/dev/null && ok "older sope reported with the bookworm fix" || ko "sope" "$f"
echo "$f" | jq -e '[.findings[] | select(.package == "libssl3" and .status == "affected" and .fixed_version == null)] | length == 1' >/dev/null && ok "open CVE reported as affected with no fix" || ko "open CVE" "missing"
echo "$f" | jq -e '[.findings[] | select(.package == "libtiff6")] | length == 0' >/dev/null && ok "unimportant hidden by default" || ko "unimportant default" "shown"
"$BH" scan --db "$T/deb.db" -q -f json --include-unimportant tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '[.findings[] | select(.package == "libtiff6")] | length == 1' >/dev/null && ok "unimportant shown with --include-unimportant" || ko "unimportant flag" "missing"

# EPSS scores ride along with the findings (format of the FIRST CSV: a comment line, then cve,epss,percentile)
"$BH" db import --db "$T/deb.db" tests/fixtures/vuln/epss.csv >/dev/null
"$BH" scan --db "$T/deb.db" -q -f json tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '[.findings[] | select(.id == "CVE-2025-53603")][0].epss == 0.91' >/dev/null \
	&& ok "EPSS score attached to the finding" || ko "EPSS" "missing"

# ignore files (expiry, purls) and VEX documents
V=tests/fixtures/vuln
ids() { "$BH" scan --db "$T/deb.db" -q -f json "$@" $V/debian-bookworm-sbom.json | jq -c '[.findings[].id] | sort'; }
[ "$(ids --ignore-file $V/ignore.txt)" = '["CVE-2025-53603"]' ] && ok "text ignore file; an expired entry no longer applies" || ko "ignore.txt" "$(ids --ignore-file $V/ignore.txt)"
[ "$(ids --ignore-file $V/ignore.yaml)" = '["CVE-2024-0727"]' ] && ok "YAML ignore file with a purl" || ko "ignore.yaml" "$(ids --ignore-file $V/ignore.yaml)"
[ "$(ids --vex $V/openvex.json)" = '["CVE-2025-53603"]' ] && ok "OpenVEX not_affected" || ko "openvex" "$(ids --vex $V/openvex.json)"
[ "$(ids --vex $V/cyclonedx-vex.json)" = '["CVE-2024-0727"]' ] && ok "CycloneDX VEX not_affected" || ko "cdx vex" "$(ids --vex $V/cyclonedx-vex.json)"
"$BH" scan --db "$T/deb.db" -q --vex "$T/missing.json" $V/debian-bookworm-sbom.json >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok "missing VEX file exits 3" || ko "missing vex" "rc=$rc"

# db update from a mirror served on loopback (python3 http.server): 200, then 304 keeps the cache
M="$T/mirror"
mkdir -p "$M/osv/Go" "$M/kev" "$M/debian"
python3 - "$DATA/golang-vulndb/golang-vulndb-osv.tar.zst" "$M/osv/Go/all.zip" <<'PY'
import io, subprocess, sys, tarfile, zipfile
raw = subprocess.run(["zstd", "-dc", sys.argv[1]], capture_output=True, check=True).stdout
with tarfile.open(fileobj=io.BytesIO(raw)) as t, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for m in t.getmembers():
        if m.isfile() and m.name.endswith(".json") and "/osv/" in m.name:
            z.writestr(m.name.rsplit("/", 1)[1], t.extractfile(m).read())
PY
cp "$DATA/kev/known_exploited_vulnerabilities.json" "$M/kev/"
cp "$DATA/debian-security-tracker/format-samples/tracker-json-sample.json" "$M/debian/json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$M" && exec python3 -m http.server "$port" --bind 127.0.0.1 >"$T/http.log" 2>&1) &
srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
u1=$(timeout 120 "$BH" db update --db "$T/upd/vuln.db" --mirror "http://127.0.0.1:$port" --only go,kev,debian 2>&1)
u2=$(timeout 120 "$BH" db update --db "$T/upd/vuln.db" --mirror "http://127.0.0.1:$port" --only go,kev,debian 2>&1)
kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
echo "$u1" | grepq "go  *downloaded" && echo "$u2" | grepq "go  *up to date" && grep -q '"GET /osv/Go/all.zip HTTP/1.1" 304' "$T/http.log" \
	&& ok "db update: download, then 304 Not Modified keeps the cache" || ko "db update" "$u1 / $u2"
"$BH" db status --db "$T/upd/vuln.db" | grepq "advisories 4298" && ok "db update rebuilt the DB from the feeds" || ko "db update content" "$("$BH" db status --db "$T/upd/vuln.db" | tail -1)"
"$BH" db update --db "$T/upd/vuln.db" --mirror "http://127.0.0.1:$port" --only go --retries 0 >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "cached earlier" "$T/err" && ok "db update offline keeps the cached feed, with a warning" || ko "offline with cache" "rc=$rc $(cat "$T/err")"
"$BH" db update --db "$T/none/vuln.db" --mirror "http://127.0.0.1:$port" --only kev --retries 0 >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 5 ] && grep -q "127.0.0.1" "$T/err" && ok "db update offline without a cache exits 5 naming the URL" || ko "offline" "rc=$rc $(cat "$T/err")"

# npm: real GHSA records in OSV form against the npm fixture (installed tree with old versions);
# these are the CVEs retire.js reports for the same versions (bench/retire.sh runs retire.js itself)
"$BH" db import --db "$T/npm.db" tests/fixtures/osv-npm >/dev/null 2>&1
got=$("$BH" scan --db "$T/npm.db" -q -f json dir:tests/fixtures/npm/installed | jq -r '[.findings[] | .id, (.aliases // [])[]] | unique | .[]')
miss=""
for id in CVE-2019-11358 CVE-2020-11022 CVE-2020-11023 CVE-2020-8203 CVE-2020-28500 CVE-2021-23337 CVE-2025-13465 \
	CVE-2019-19919 CVE-2019-20920 CVE-2019-20922 CVE-2021-23369 CVE-2021-23383 GHSA-q42p-pg8m-cqh6 GHSA-xvch-5gv4-984h; do
	echo "$got" | grepq -x "$id" || miss="$miss $id"
done
[ -z "$miss" ] && ok "npm: every CVE retire.js reports for lodash/jquery/handlebars (and minimist's)" || ko "npm OSV" "missing:$miss"

# exit codes, filters, formats
"$BH" scan --db "$T/deb.db" -q --exit-code 7 tests/fixtures/vuln/debian-bookworm-sbom.json >/dev/null; rc=$?
[ $rc -eq 7 ] && ok "--exit-code when findings remain" || ko "--exit-code" "rc=$rc"
"$BH" scan --db "$T/deb.db" -q --exit-code 7 --ignore-unfixed --severity CRITICAL tests/fixtures/vuln/debian-bookworm-sbom.json >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "filters drop findings before the exit code" || ko "filters" "rc=$rc"
"$BH" scan --db "$T/deb.db" -q -f sarif tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '.version == "2.1.0" and (.runs[0].results | length) == 2' >/dev/null && ok "SARIF 2.1.0" || ko "sarif" "bad"
schema=${BH_SARIF_SCHEMA:-/var/tmp/bh-bench/sarif-schema-2.1.0.json}
if [ -f "$schema" ] && python3 -c 'import jsonschema' 2>/dev/null; then
	"$BH" scan --db "$T/npm.db" -q -f sarif -o "$T/v.sarif" dir:tests/fixtures/npm/installed
	python3 "$(dirname "$0")/sarif_validate.py" "$schema" "$T/v.sarif" >"$T/sv.out" 2>&1 \
		&& ok "SARIF valid against the SARIF 2.1.0 JSON schema" || ko "sarif schema" "$(cat "$T/sv.out")"
else
	echo "SKIP SARIF schema validation: no schema at $schema"
fi
"$BH" scan --db "$T/deb.db" -q -f cyclonedx tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '.specVersion == "1.5" and (.vulnerabilities | length) == 2 and (.vulnerabilities[0].affects[0].ref | length) > 0' >/dev/null && ok "CycloneDX with vulnerabilities" || ko "cdx vulns" "bad"
"$BH" scan --db "$T/none.db" -q dir:/tmp >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok "missing DB exits 3" || ko "missing DB" "rc=$rc"

echo "vuln: $pass passed, $fail failed"
[ $fail -eq 0 ]
