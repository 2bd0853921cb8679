#!/usr/bin/env bash
# Vulnerability DB and matching end to end, on the real advisory data in ../shared/data.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
# grep -q stops reading at the first match; under pipefail the writer's SIGPIPE would then
# fail the check at random (seen once in CI), so matches are read to the end.
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
DATA=${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0; skipped=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
# a check that cannot run says why and counts as neither a pass nor a failure
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }

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

# --- vulnerability DB: import details, re-import, concurrent imports, the lock, stale files, help ---
# Alpine secfixes entries: ids only ("CVE 2018-16859", "CVE-2018-14881 (BGP)" notes are not ids)
echo "$out" | grepq "Alpine secfixes: 12028 entries, 12821 advisory ids, 25 entries without an id skipped, 70 entries with other words dropped" \
	&& ok "Alpine secdb v3.3-v3.11: 12,028 entries, 12,821 ids, 25 entries without an id skipped, 70 notes dropped" \
	|| ko "Alpine figures" "$(echo "$out" | grep Alpine)"
grepq "Alpine secfixes entries without an advisory id are skipped (first: " "$T/err" && [ "$(grep -c 'Alpine secfixes entries without' "$T/err")" -eq 1 ] \
	&& ok "Alpine entries without an id: one warning with an example" || ko "Alpine warning" "$(grep -i alpine "$T/err")"
grepq "kev/known_exploited_vulnerabilities_schema.json skipped: not advisory data" "$T/err" \
	&& ok "a skipped document is named with the reason" || ko "skipped document named" "$(cat "$T/err")"
if python3 -c 'import yaml, tomllib, sqlite3' 2>/dev/null && command -v zstd >/dev/null; then
	python3 tests/e2e/vuln_db_check.py "$T/all.db" "$DATA" >"$T/dbcheck" 2>&1 \
		&& ok "DB content equals an independent reading of Alpine, RustSec and OSV data ($(tr '\n' ' ' <"$T/dbcheck" | cut -c1-400))" \
		|| ko "DB content vs independent reading" "$(cat "$T/dbcheck")"
else
	skip "independent DB content check: needs python3 with yaml and tomllib, and zstd"
fi
# the matcher never sees a note as an id: an Alpine 3.11 SBOM with tcpdump and rsync before their fixes
cat >"$T/alpsb.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "alpine"}, "os": {"family": "alpine", "version": "3.11.6"}, "components": [
 {"ecosystem": "apk", "name": "tcpdump", "version": "4.9.2-r4", "purl": "pkg:apk/alpine/tcpdump@4.9.2-r4?distro=alpine-3.11.6"},
 {"ecosystem": "apk", "name": "rsync", "version": "3.1.2-r6", "purl": "pkg:apk/alpine/rsync@3.1.2-r6?distro=alpine-3.11.6"}]}
JSON
al=$("$BH" scan --db "$T/all.db" -q -f json "$T/alpsb.json" | jq -r '[.findings[] | select(.package == "tcpdump" or .package == "rsync") | .id] | unique | .[]')
bad=$(echo "$al" | grep -cvE '^(CVE-[0-9]{4}-[0-9]{4,}|XSA-[0-9]+)$')
ntcp=$(echo "$al" | grep -c .)
[ "$ntcp" -gt 0 ] && [ "$bad" -eq 0 ] && ! echo "$al" | grepq "CVE-2017-17434" \
	&& ok "Alpine findings are advisory ids only ($ntcp ids for tcpdump/rsync, none from notes or malformed ids)" \
	|| ko "Alpine finding ids" "$(echo "$al" | tr '\n' ' ')"
# importing the same feed again leaves every table as it was
rows() { python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); print(" ".join("%s %d" % (t, d.execute("select count(*) from " + t).fetchone()[0]) for t in ("advisories", "aliases", "affected", "kev", "sources")))' "$1"; }
"$BH" db import --db "$T/re.db" "$DATA/golang-vulndb" >/dev/null 2>&1
r1=$(rows "$T/re.db")
"$BH" db import --db "$T/re.db" "$DATA/golang-vulndb" >/dev/null 2>&1
r2=$(rows "$T/re.db")
[ -n "$r1" ] && [ "$r1" = "$r2" ] && ok "golang-vulndb imported twice: the same rows ($r2)" || ko "re-import" "$r1 / $r2"
# a revised advisory replaces the stored one: PYSEC-2020-341 (jw.util, fixed in 2.3) revised to "fixed in 1.5"
cat >"$T/jw.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "py"}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"}]}
JSON
mkdir -p "$T/rev"
# (the revision also drops the explicit `versions` list, which names 2.0 too)
sed -e 's/fixed: "2.3"/fixed: "1.5"/' -e 's/^modified: .*/modified: "2023-03-01T00:00:00Z"/' \
	-e '/^  versions:/,/^references:/{/^references:/!d}' tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml >"$T/rev/PYSEC-2020-341.yaml"
"$BH" db import --db "$T/rev.db" tests/fixtures/vuln/osv-pypa >/dev/null 2>&1
j1=$("$BH" scan --db "$T/rev.db" -q -f json "$T/jw.json" | jq -r '[.findings[] | select(.id == "PYSEC-2020-341") | .fixed_version] | join(",")')
"$BH" db import --db "$T/rev.db" "$T/rev" >/dev/null 2>&1
j2=$("$BH" scan --db "$T/rev.db" -q -f json "$T/jw.json" | jq -r '[.findings[] | select(.id == "PYSEC-2020-341")] | length')
"$BH" db import --db "$T/rev.db" tests/fixtures/vuln/osv-pypa >"$T/rev.out" 2>&1
j3=$("$BH" scan --db "$T/rev.db" -q -f json "$T/jw.json" | jq -r '[.findings[] | select(.id == "PYSEC-2020-341")] | length')
[ "$j1" = "2.3" ] && [ "$j2" = "0" ] && [ "$j3" = "0" ] && grepq "1 older copies ignored" "$T/rev.out" \
	&& ok "advisory revised to fixed in 1.5: jw.util 2.0 reported before (fixed 2.3), not after; the older copy imported again is ignored" \
	|| ko "revised advisory" "before=$j1 after=$j2 older-again=$j3 $(cat "$T/rev.out")"
# two feeds that share the source name "osv", imported one after the other: neither wipes the other
"$BH" db import --db "$T/re.db" "$DATA/pypa-advisory-database" >/dev/null 2>&1
r3=$(rows "$T/re.db")
[ "${r3%% aliases*}" = "advisories 6952" ] && ok "PyPA after Go into one DB: 4,291 + 2,661 advisories" || ko "PyPA after Go" "$r3"
# two imports at once: the second waits for the first's lock and starts from its result
"$BH" db import --db "$T/cc.db" "$DATA/golang-vulndb" >"$T/cc1" 2>&1 &
p1=$!
for _ in $(seq 100); do ls "$T"/cc.db.tmp-* >/dev/null 2>&1 && break; sleep 0.05; done
"$BH" db import --db "$T/cc.db" "$DATA/pypa-advisory-database" >"$T/cc2" 2>&1 &
p2=$!
wait $p1; c1=$?; wait $p2; c2=$?
r=$(rows "$T/cc.db")
[ $c1 -eq 0 ] && [ $c2 -eq 0 ] && [ "${r%% aliases*}" = "advisories 6952" ] \
	&& ok "two concurrent imports (Go, PyPA) into one DB: both kept ($r)$(grepq 'waiting for the lock' "$T/cc2" && echo '; the second waited for the lock')" \
	|| ko "concurrent imports" "rc=$c1/$c2 $r $(cat "$T/cc1" "$T/cc2")"
# the lock: a writer that cannot get it within --lock-timeout fails naming the lock file
if command -v flock >/dev/null; then
	flock "$T/cc.db.lock" sleep 3 &
	fl=$!
	sleep 0.3
	"$BH" db import --db "$T/cc.db" --lock-timeout 1 "$DATA/kev" >/dev/null 2>"$T/lk"; rc=$?
	wait $fl
	[ $rc -eq 3 ] && grepq "waiting for the lock on $T/cc.db.lock held by another import" "$T/lk" && grepq "gave up after 1 s waiting for the lock on $T/cc.db.lock" "$T/lk" \
		&& ok "a held lock: waits with a message, fails after --lock-timeout naming the lock (exit 3)" || ko "lock timeout" "rc=$rc $(cat "$T/lk")"
else
	skip "lock timeout: no flock(1)"
fi
# a killed import's temporary file is removed by the next import (its PID is gone)
sh -c 'exit 0' & dead=$!; wait $dead
: >"$T/cc.db.tmp-$dead"
: >"$T/cc.db.tmp-$$"
"$BH" db import --db "$T/cc.db" "$DATA/kev" >/dev/null 2>&1
[ ! -e "$T/cc.db.tmp-$dead" ] && [ -e "$T/cc.db.tmp-$$" ] && ok "stale cc.db.tmp-PID of a dead import removed (a live PID's file kept)" || ko "stale tmp" "$(ls "$T")"
rm -f "$T/cc.db.tmp-$$"
# help and status
for sub in import update status; do
	"$BH" db $sub --help >"$T/h" 2>&1; rc=$?
	[ $rc -eq 0 ] && grepq "^usage: bulkhead db $sub" "$T/h" && ok "db $sub --help: usage, exit 0" || ko "db $sub --help" "rc=$rc $(head -2 "$T/h")"
done
"$BH" db >/dev/null 2>"$T/h"; rc=$?
[ $rc -eq 2 ] && grepq "^  import" "$T/h" && grepq "^  update" "$T/h" && grepq "^  status" "$T/h" && ok "bulkhead db: usage lists import, update, status (exit 2)" || ko "db usage" "rc=$rc"
"$BH" db import --db "$T/st.db" tests/fixtures/vuln/epss.csv ./tests/fixtures/vuln/alpine >/dev/null 2>&1
"$BH" db status --db "$T/st.db" >"$T/status"
grepq "^schema:  3$" "$T/status" && grepq "^built:   20[0-9-]*T" "$T/status" && grepq "^tests/fixtures/vuln/epss.csv  " "$T/status" \
	&& grepq "^./tests/fixtures/vuln/alpine  " "$T/status" && [ "$(grep -c '^SOURCE  *RECORDS  IMPORTED$' "$T/status")" -eq 1 ] \
	&& ok "db status: schema, build time, sources as given in aligned columns" || ko "db status" "$(cat "$T/status")"
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
# (the checker's exit status covers misses only: extras are read from its summary line)
if ! command -v go >/dev/null; then
	skip "independent evaluation of the Go findings: no go toolchain (go version -m) on PATH"
elif ! command -v zstd >/dev/null; then
	skip "independent evaluation of the Go findings: no zstd to unpack the Go vulndb"
else
	python3 tests/e2e/go_vulndb_check.py "$BH" "$T/all.db" "$DATA/golang-vulndb/golang-vulndb-osv.tar.zst" /usr/bin >"$T/gocheck" 2>&1; rc=$?
	sum=$(head -1 "$T/gocheck")
	miss=$(echo "$sum" | sed -n 's/.*missed by bulkhead \([0-9]*\); extra in bulkhead \([0-9]*\).*/\1/p')
	extra=$(echo "$sum" | sed -n 's/.*missed by bulkhead \([0-9]*\); extra in bulkhead \([0-9]*\).*/\2/p')
	checked=$(echo "$sum" | sed -n 's/.*independent check \([0-9]*\);.*/\1/p')
	if [ -z "$miss" ] || [ -z "$extra" ]; then
		ko "Go findings vs independent evaluation" "no summary from the checker (rc=$rc): $(head -5 "$T/gocheck")"
	elif [ "${checked:-0}" -eq 0 ]; then
		ko "Go findings vs independent evaluation" "the checker found nothing to compare ($sum)"
	elif [ $rc -eq 0 ] && [ "$miss" -eq 0 ] && [ "$extra" -eq 0 ]; then
		ok "Go findings in /usr/bin equal an independent evaluation, 0 missed, 0 extra ($sum)"
	else
		ko "Go findings vs independent evaluation" "rc=$rc $(grep -E 'binaries|MISSED|EXTRA' "$T/gocheck" | head -8)"
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
port=$(free_port)
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
# the 29 ids retire.js reports for lodash, jquery and handlebars, and minimist's 4 (not looked at by
# retire.js): nothing missing, nothing more
want="CVE-2019-11358 CVE-2019-19919 CVE-2019-20920 CVE-2019-20922 CVE-2020-11022 CVE-2020-11023 CVE-2020-28500 CVE-2020-7598
CVE-2020-8203 CVE-2021-23337 CVE-2021-23369 CVE-2021-23383 CVE-2021-44906 CVE-2025-13465 GHSA-29mw-wpgm-hmr9 GHSA-2cf5-4w76-r9qv
GHSA-35jh-r3h4-6jhm GHSA-3cqr-58rm-57f8 GHSA-62gr-4qp9-h98f GHSA-6c3j-c64m-qhgq GHSA-765h-qjxv-5f44 GHSA-f2jv-r9rf-7988
GHSA-f52g-6jhx-586p GHSA-g9r4-xpmj-mj65 GHSA-gxr4-xjj5-5px2 GHSA-jpcq-cgw6-v4j6 GHSA-p6mc-m468-83gw GHSA-q2c6-c6pm-g3gh
GHSA-q42p-pg8m-cqh6 GHSA-vh95-rmgr-6w4m GHSA-w457-6q6x-cgp9 GHSA-xvch-5gv4-984h GHSA-xxjr-mmjv-4gpg"
want=$(echo $want | tr ' ' '\n' | sort)
got=$(echo "$got" | sort -u)
miss=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
extra=$(comm -13 <(echo "$want") <(echo "$got") | tr '\n' ' ')
[ "$(echo "$want" | grep -c .)" = 33 ] && [ -z "$miss" ] && [ -z "$extra" ] \
	&& ok "npm: exactly the 29 ids retire.js reports for lodash/jquery/handlebars and minimist's 4 (none missing, none extra)" \
	|| ko "npm OSV" "missing: $miss; extra: $extra"

# exit codes, filters, formats
"$BH" scan --db "$T/deb.db" -q --exit-code 7 tests/fixtures/vuln/debian-bookworm-sbom.json >/dev/null; rc=$?
[ $rc -eq 7 ] && ok "--exit-code when findings remain" || ko "--exit-code" "rc=$rc"
"$BH" scan --db "$T/deb.db" -q --exit-code 7 --ignore-unfixed --severity CRITICAL tests/fixtures/vuln/debian-bookworm-sbom.json >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "filters drop findings before the exit code" || ko "filters" "rc=$rc"
"$BH" scan --db "$T/deb.db" -q -f sarif tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '.version == "2.1.0" and (.runs[0].results | length) == 2' >/dev/null && ok "SARIF 2.1.0" || ko "sarif" "bad"
schema=${BH_SARIF_SCHEMA:-${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}/schemas/sarif-schema-2.1.0.json}
if [ -f "$schema" ]; then  # no jsonschema module: the validator fails (setup.sh installs it)
	"$BH" scan --db "$T/npm.db" -q -f sarif -o "$T/v.sarif" dir:tests/fixtures/npm/installed
	python3 "$(dirname "$0")/sarif_validate.py" "$schema" "$T/v.sarif" >"$T/sv.out" 2>&1 \
		&& ok "SARIF valid against the SARIF 2.1.0 JSON schema" || ko "sarif schema" "$(cat "$T/sv.out")"
else
	skip "SARIF schema validation: no schema at $schema"
fi
"$BH" scan --db "$T/deb.db" -q -f cyclonedx tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '.specVersion == "1.6" and (.vulnerabilities | length) == 2 and (.vulnerabilities[0].affects[0].ref | length) > 0' >/dev/null && ok "CycloneDX with vulnerabilities" || ko "cdx vulns" "bad"
"$BH" scan --db "$T/deb.db" -q -f cyclonedx-1.5 tests/fixtures/vuln/debian-bookworm-sbom.json | jq -e '.specVersion == "1.5" and (.vulnerabilities | length) == 2' >/dev/null && ok "CycloneDX 1.5 with vulnerabilities (-f cyclonedx-1.5)" || ko "cdx 1.5 vulns" "bad"
"$BH" scan --db "$T/none.db" dir:/tmp >/dev/null 2>"$T/nodb"; rc=$?
[ $rc -eq 7 ] && grepq "no vulnerability DB at $T/none.db" "$T/nodb" && grepq -- "--db PATH" "$T/nodb" && grepq "bulkhead db import PATH" "$T/nodb" \
	&& grepq "bulkhead db update" "$T/nodb" && ok "missing DB exits 7 naming --db, db import and db update" || ko "missing DB" "rc=$rc $(cat "$T/nodb")"
"$BH" db status --db "$T/none.db" >/dev/null 2>&1; rc=$?
[ $rc -eq 7 ] && ok "db status of a missing DB exits 7" || ko "db status missing DB" "rc=$rc"

# Trivy's CycloneDX of a fully patched Debian 11 (debootstrap minbase + bullseye-security, written as
# Trivy writes it: tests/fixtures/vuln/trivy_cdx.py): source versions are [SrcEpoch:]SrcVersion[-SrcRelease],
# so the packages read back as dpkg-query shows them and no DSA/DLA fix is reported as missing
"$BH" db import --db "$T/dsa.db" "$DATA/debian-security-tracker" >/dev/null 2>&1
"$BH" scan --db "$T/dsa.db" -q -f json $V/bullseye-trivy.cdx.json >"$T/bullseye.json"; rc=$?
got=$(jq -r '.sbom.components[] | "\(.name) \(.version) \(.source_name) \(.source_version)"' "$T/bullseye.json" | sort)
[ $rc -eq 0 ] && [ "$got" = "$(cat $V/bullseye-dpkg-query.txt)" ] && ok "Trivy CycloneDX: 96 packages read back as dpkg-query shows them (epochs, source versions)" \
	|| ko "Trivy CycloneDX read back" "rc=$rc $(diff <(echo "$got") $V/bullseye-dpkg-query.txt | head -3)"
n=$(jq '.findings | length' "$T/bullseye.json")
[ "$n" = 0 ] && ok "Trivy CycloneDX of a fully patched bullseye: 0 findings against the DSA/DLA lists" || ko "patched bullseye" "$n findings"

# VEX against a stored CycloneDX SBOM: a BOM-Link with its serial number and the bom-ref suppresses,
# the same link to another document does not; OpenVEX subcomponents inside the image product
"$BH" scan --db "$T/deb.db" -q -f cyclonedx -o "$T/bw.cdx.json" $V/debian-bookworm-sbom.json
serial=$(jq -r '.serialNumber | sub("^urn:uuid:"; "")' "$T/bw.cdx.json")
ref=$(jq -r '.components[] | select(.name == "libssl3") | ."bom-ref" | @uri' "$T/bw.cdx.json")
for sn in "$serial" 00000000-0000-4000-8000-000000000000; do
	printf '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"vulnerabilities":[{"id":"CVE-2024-0727","analysis":{"state":"not_affected"},"affects":[{"ref":"urn:cdx:%s/1#%s"}]}]}' \
		"$sn" "$ref" >"$T/link-$sn.json"
done
a=$("$BH" scan --db "$T/deb.db" -q -f json --vex "$T/link-$serial.json" "$T/bw.cdx.json" | jq -c '[.findings[].id]')
b=$("$BH" scan --db "$T/deb.db" -q -f json --vex "$T/link-00000000-0000-4000-8000-000000000000.json" "$T/bw.cdx.json" | jq -c '[.findings[].id] | sort')
[ "$a" = '["CVE-2025-53603"]' ] && [ "$b" = '["CVE-2024-0727","CVE-2025-53603"]' ] && ok "CycloneDX VEX BOM-Link: applied to the SBOM it names (serial, bom-ref), not to another" \
	|| ko "BOM-Link" "same serial: $a, other serial: $b"
cat >"$T/sub.json" <<'JSON'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://openvex.dev/docs/public/vex-h5", "author": "h5", "timestamp": "2026-12-04T17:30:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2024-0727"}, "products": [{"@id": "pkg:oci/debian", "subcomponents": [{"@id": "pkg:deb/debian/libssl3"}]}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
JSON
[ "$(ids --vex "$T/sub.json")" = '["CVE-2025-53603"]' ] && ok "OpenVEX subcomponents (vexctl --subcomponents form) applied" || ko "openvex subcomponents" "$(ids --vex "$T/sub.json")"

# exit codes (README): --exit-code parsed strictly; a report that cannot be written is exit 1;
# a policy with fail-on and no exit-code fails with 1
S=tests/fixtures/vuln/debian-bookworm-sbom.json
bad=""
for v in abc "" 0x7 -1 300 7x " 7"; do
	"$BH" scan --db "$T/deb.db" -q --exit-code "$v" $S >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q -- "--exit-code" "$T/err" || bad="$bad '$v':rc=$rc"
done
[ -z "$bad" ] && ok "--exit-code abc, '', 0x7, -1, 300, 7x, ' 7': usage errors (exit 2) naming the option" || ko "--exit-code strict" "$bad"
"$BH" scan --db "$T/deb.db" -q -o /nonexistent/dir/x $S 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "/nonexistent/dir/x" "$T/err" && ok "scan -o into a missing directory: exit 1 naming the file" || ko "scan -o missing dir" "rc=$rc $(cat "$T/err")"
if [ -w /dev/full ]; then
	"$BH" scan --db "$T/deb.db" -q -f json -o /dev/full $S 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && ok "scan -o /dev/full: exit 1" || ko "scan /dev/full" "rc=$rc $(cat "$T/err")"
	"$BH" scan --db "$T/deb.db" -q -f json --exit-code 7 $S >/dev/full 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && ok "scan to a full stdout: exit 1, not the findings' exit code" || ko "scan stdout /dev/full" "rc=$rc"
	"$BH" sbom -q -o /dev/full dir:tests/fixtures/sbom/rootfs 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && ok "sbom -o /dev/full: exit 1" || ko "sbom /dev/full" "rc=$rc"
else
	skip "/dev/full write failures: /dev/full not writable"
fi
# the fixture's findings are one LOW and one UNKNOWN
printf 'version: 1\nfail-on: LOW\n' >"$T/failon.yaml"
printf 'version: 1\nfail-on: MEDIUM\n' >"$T/failon-med.yaml"
"$BH" scan --db "$T/deb.db" -q --policy "$T/failon.yaml" $S >/dev/null; rc=$?
"$BH" scan --db "$T/deb.db" -q --policy "$T/failon-med.yaml" $S >/dev/null; rc2=$?
lo=$("$BH" scan --db "$T/deb.db" -q -f json $S | jq '[.findings[] | select(.severity != "UNKNOWN")] | length')
[ "$lo" -gt 0 ] && [ $rc -eq 1 ] && [ $rc2 -eq 0 ] \
	&& ok "policy fail-on without exit-code: exit 1 when findings remain at or above it (LOW), 0 when none (MEDIUM)" \
	|| ko "fail-on without exit-code" "rc=$rc rc2=$rc2 ($lo LOW+)"

# Matching rules on the real records (issue #12): OSV events sorted before the walk (PYSEC-2023-212
# lists them out of order), the fixed version of the installed branch, PEP 503 names, RustSec
# requirements as cargo-audit reads them (SemVer order, pre-releases included)
cat >"$T/m.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "matching"}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "urllib3", "version": "2.0.6+local", "purl": "pkg:pypi/urllib3", "path": "/a"},
 {"ecosystem": "pypi", "name": "urllib3", "version": "1.26.12", "purl": "pkg:pypi/urllib3", "path": "/b"},
 {"ecosystem": "pypi", "name": "Django", "version": "2.1.6", "purl": "pkg:pypi/django", "path": "/c"},
 {"ecosystem": "pypi", "name": "Django", "version": "2.2.post1", "purl": "pkg:pypi/django", "path": "/d"},
 {"ecosystem": "pypi", "name": "Django", "version": "1.11.0", "purl": "pkg:pypi/django", "path": "/e"},
 {"ecosystem": "cargo", "name": "smallvec", "version": "1.6.0", "purl": "pkg:cargo/smallvec", "path": "/f"},
 {"ecosystem": "pypi", "name": "Flask__Cors", "version": "3.0.0", "purl": "pkg:pypi/flask-cors", "path": "/g"},
 {"ecosystem": "cargo", "name": "hyper", "version": "1.0.0-rc.1", "purl": "pkg:cargo/hyper", "path": "/h"},
 {"ecosystem": "pypi", "name": "urllib3", "version": "1.26.12", "purl": "pkg:pypi/urllib3", "path": "/j", "properties": {"os.owner": "python3-urllib3"}}]}
JSON
"$BH" scan --db "$T/all.db" -q -f json "$T/m.json" >"$T/m.out"
got=$(jq -r '[.findings[] | select(.id == "PYSEC-2023-212" or .id == "PYSEC-2023-192" or .id == "PYSEC-2019-13" or .id == "RUSTSEC-2021-0003" or .id == "PYSEC-2020-43")
	| "\(.path) \(.id) \(.fixed_version)"] | sort | join(",")' "$T/m.out")
want="/a PYSEC-2023-212 2.0.7,/b PYSEC-2023-192 1.26.17,/b PYSEC-2023-212 1.26.18,/c PYSEC-2019-13 2.1.11,/d PYSEC-2019-13 2.2.4,/e PYSEC-2019-13 1.11.23,/f RUSTSEC-2021-0003 1.6.1,/g PYSEC-2020-43 3.0.9"
[ "$got" = "$want" ] && ok "matching on real records: out-of-order events, fixed version of the installed branch, PEP 503, RustSec lower bound" \
	|| ko "matching rules" "$got"
n=$(jq '[.findings[] | select(.path == "/h" or .path == "/j")] | length' "$T/m.out")
[ "$n" = 0 ] && ok "hyper 1.0.0-rc.1 is >= 0.9.4 (RUSTSEC-2016-0002 patched); an os.owner component is left to its OS package" || ko "hyper rc / os.owner" "$n findings"
jq -e '[.findings[] | select(.id == "PYSEC-2023-212")][0].aliases == ["CVE-2023-45803", "GHSA-g4mx-q9vg-27p4"]' "$T/m.out" >/dev/null \
	&& ok "aliases sorted, primary id not repeated" || ko "aliases" "$(jq -c '[.findings[] | select(.id == "PYSEC-2023-212")][0].aliases' "$T/m.out")"
# informational RustSec advisories (net2 0.2.37: unmaintained RUSTSEC-2020-0016; RUSTSEC-2020-0078 patched)
printf '{"schema": "bulkhead-sbom/1", "target": {"name": "n"}, "os": {}, "components": [%s]}\n' \
	'{"ecosystem": "cargo", "name": "net2", "version": "0.2.37", "purl": "pkg:cargo/net2"}' >"$T/net2.json"
"$BH" scan --db "$T/all.db" -q -f json "$T/net2.json" >"$T/net2.out"
if jq -e '[.findings[] | select(.id == "RUSTSEC-2020-0016")][0].kind == "unmaintained"' "$T/net2.out" >/dev/null; then
	"$BH" scan --db "$T/all.db" -q --exit-code 7 "$T/net2.json" >/dev/null; rc1=$?
	"$BH" scan --db "$T/all.db" -q --exit-code 7 --include-informational "$T/net2.json" >/dev/null; rc2=$?
	s=$(jq -c '[.summary.findings, .summary.informational]' "$T/net2.out")
	printf 'version: 1\nexit-code: 7\ninclude-informational: true\n' >"$T/inf.yaml"
	"$BH" scan --db "$T/all.db" -q --policy "$T/inf.yaml" "$T/net2.json" >/dev/null; rc3=$?
	[ $rc1 -eq 0 ] && [ $rc2 -eq 7 ] && [ $rc3 -eq 7 ] && [ "$s" = "[0,1]" ] \
		&& ok "informational (unmaintained net2): shown with its kind, not counted, no --exit-code unless --include-informational or the policy's include-informational" \
		|| ko "informational" "rc1=$rc1 rc2=$rc2 rc3=$rc3 summary=$s"
else
	ko "informational kinds" "the DB records no kind for RUSTSEC-2020-0016"
fi
# UNKNOWN severity hidden by --severity is counted and said (Go advisories carry none)
"$BH" scan --db "$T/all.db" -f json --severity HIGH,CRITICAL "$T/gosb.json" >"$T/hu.json" 2>"$T/hu.err"
h=$(jq '.summary.hidden_unknown' "$T/hu.json")
[ "${h:-0}" -gt 0 ] && grep -q "^bulkhead: $h findings* of UNKNOWN severity hidden by --severity HIGH,CRITICAL" "$T/hu.err" \
	&& ok "UNKNOWN findings hidden by --severity: $h counted in summary.hidden_unknown and on stderr" || ko "hidden unknown" "$h $(cat "$T/hu.err")"
# nothing to match against is said, not silent: Debian 12 packages without Debian data, npm without npm data
"$BH" db import --db "$T/py.db" "$DATA/pypa-advisory-database" >/dev/null 2>&1
printf '{"schema": "bulkhead-sbom/1", "target": {"name": "c"}, "os": {"family": "debian", "version": "12.5", "codename": "bookworm"}, "components": [%s, %s]}\n' \
	'{"ecosystem": "deb", "name": "bash", "version": "5.2.15-2+b2", "source_name": "bash", "source_version": "5.2.15-2", "purl": "pkg:deb/debian/bash"}' \
	'{"ecosystem": "npm", "name": "lodash", "version": "4.17.0", "purl": "pkg:npm/lodash@4.17.0"}' >"$T/cov.json"
w=$("$BH" scan --db "$T/py.db" -q -f json "$T/cov.json" | jq -r '.sbom.warnings | join("|")')
[ "$w" = "debian 12 (bookworm): no advisories in the DB; OS packages were not checked|npm: no advisories in the DB; 1 npm package was not checked" ] \
	&& ok "coverage warnings: an OS release and an ecosystem with no advisories in the DB" || ko "coverage warnings" "$w"

# A stored SBOM is read one component at a time and stops at max-components (exit 4 naming the limit)
python3 -c '
import json, sys
c = [{"type": "library", "name": "p%d" % i, "version": "1.0.%d" % i, "purl": "pkg:npm/p%d@1.0.%d" % (i, i)} for i in range(3000)]
c[5]["components"] = [{"type": "library", "name": "nested", "version": "2.0.0", "purl": "pkg:npm/nested@2.0.0"}]
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": c, "dependencies": []}, open(sys.argv[1], "w"))' "$T/many.cdx.json"
"$BH" scan --db "$T/deb.db" -q -f json --limit max-components=1000 "$T/many.cdx.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 4 ] && grepq "max-components" "$T/err" && ok "stored SBOM over max-components: exit 4 naming the limit" || ko "sbom max-components" "rc=$rc $(head -c 200 "$T/err")"
n=$("$BH" scan --db "$T/deb.db" -q -f json "$T/many.cdx.json" 2>/dev/null | jq '.sbom.components | length')
[ "$n" = 3001 ] && ok "stored CycloneDX read element by element: 3,000 components and the nested one" || ko "element reading" "n=$n"

echo "vuln: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
