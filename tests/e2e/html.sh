#!/usr/bin/env bash
# The HTML reports in a real browser (Debian's chromium through playwright-core, installed by
# scripts/setup.sh): a two-layer image (table.sh's Go binary and PyPI package, plus a layer with a
# known-exploited salt release and a private key) scanned to -f html and -f json, and the CIS Docker
# and k8s-pss compliance pages, served over HTTP with the CSP each declares; tests/browser/html_report.mjs
# asserts no CSP violation or console error, the rows and counts of the JSON, CVE ids and layers
# shown, the CSS-only filters and their counters, and the layout; screenshots in $BUILD/html-report/.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
HERE=$(cd "$(dirname "$0")" && pwd)
BROWSER=$(cd "$HERE/../browser" && pwd)
DATA=${BH_SHARED_DATA:-$(cd "$HERE/../../.." && pwd)/shared/data}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
CHROMIUM=${BH_CHROMIUM:-/usr/bin/chromium}
pass=0; fail=0
skip() { echo "SKIP html: $1"; echo "html: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL html: $BH not built"; echo "html: 0 passed, 1 failed"; exit 1; }
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (sh scripts/setup.sh installs Debian's chromium)"
command -v node >/dev/null || skip "node is not installed (Debian package nodejs)"
nv=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${nv:-0}" -ge 18 ] 2>/dev/null || skip "node $(node --version 2>/dev/null) is older than 18, which playwright-core 1.49 needs"
[ -f "$BROWSER/node_modules/playwright-core/package.json" ] || skip "no $BROWSER/node_modules/playwright-core (run: npm ci --prefix tests/browser)"
for t in jq podman skopeo; do command -v $t >/dev/null || skip "$t is not installed"; done
[ -d "$DATA/golang-vulndb" ] || skip "no advisory data at $DATA (set BH_SHARED_DATA)"

T=$(mktemp -d)
trap '[ -n "${BH_KEEP:-}" ] || rm -rf "$T"' EXIT
[ -n "${BH_KEEP:-}" ] && echo "html: keeping $T"
SHOTS="$(pwd)/$BUILD/html-report"
mkdir -p "$SHOTS" "$T/www"
rm -f "$SHOTS"/*.png

# layer 0: table.sh's image (a Go binary, Jinja2 2.10, a setuid file under a long path, CJK names)
R="$T/root"
. "$HERE/inputs.sh"
report_rootfs "$R"
tar -C "$R" -cf "$T/rootfs.tar" .
# layer 1 (buildah; without it the same files in one layer): salt 3000, whose CVE-2020-11651/11652 are
# in CISA KEV and whose later advisories carry CVSS severities, ajenti-panel 0.13 (advisories with no
# fix), and a private key (a CRITICAL check)
L="$T/l1"
mkdir -p "$L/usr/lib/python3/dist-packages/salt-3000.dist-info" "$L/usr/lib/python3/dist-packages/ajenti_panel-0.13.dist-info" "$L/app"
printf 'Metadata-Version: 2.1\nName: salt\nVersion: 3000\nLicense: Apache-2.0\n' >"$L/usr/lib/python3/dist-packages/salt-3000.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: ajenti-panel\nVersion: 0.13\nLicense: LGPL-3.0\n' >"$L/usr/lib/python3/dist-packages/ajenti_panel-0.13.dist-info/METADATA"
printf -- '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1x0c1Ya9U9w1mD8vIc6p5ZkYw0JkqvDsQ2bZtQ2Xl5hXfGq\n-----END RSA PRIVATE KEY-----\n' >"$L/app/deploy.pem"
img=localhost/bh-e2e-html:$$
if command -v buildah >/dev/null; then
	{ podman import -q "$T/rootfs.tar" "$img-0" >/dev/null && ctr=$(buildah from --quiet "$img-0") \
		&& buildah copy --quiet "$ctr" "$L" / >/dev/null && buildah commit --quiet "$ctr" "$img" >/dev/null \
		&& buildah rm "$ctr" >/dev/null; } 2>"$T/err"
else
	tar -C "$L" -rf "$T/rootfs.tar" . && podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/err"
fi
skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>>"$T/err"
podman rmi -f "$img" "$img-0" >/dev/null 2>&1
[ -s "$T/img.tar" ] || { echo "FAIL html: image (podman import + buildah + skopeo): $(head -3 "$T/err")"; echo "html: 0 passed, 1 failed"; exit 1; }

"$BH" db import --db "$T/t.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/kev" >/dev/null 2>"$T/err" \
	|| { echo "FAIL html: DB import: $(head -3 "$T/err")"; echo "html: 0 passed, 1 failed"; exit 1; }
S=(scan -q --db "$T/t.db" --scanners "vuln,config,secret")
if ! "$BH" "${S[@]}" -f html -o "$T/www/scan.html" "$T/img.tar" 2>"$T/err" || ! "$BH" "${S[@]}" -f json -o "$T/www/scan.json" "$T/img.tar" 2>>"$T/err"; then
	echo "FAIL html: scan: $(head -3 "$T/err")"; echo "html: 0 passed, 1 failed"; exit 1
fi
pages=(scan:scan)
C=(scan -q --compliance docker-cis-1.6 --compliance-data "$DATA" host:tests/fixtures/host/insecure "$T/img.tar")
if [ -r "$DATA/cis-benchmarks/docker-bench-security_checks.tsv" ]; then
	"$BH" "${C[@]}" -f html >"$T/www/cis.html" 2>"$T/err"; "$BH" "${C[@]}" -f json >"$T/www/cis.json" 2>>"$T/err"
	pages+=(compliance:cis)
else
	echo "SKIP html: CIS Docker page: no benchmark data under $DATA/cis-benchmarks"
fi
"$BH" scan -q --compliance k8s-pss -f html tests/fixtures/k8s/bad.yaml >"$T/www/pss.html" 2>"$T/err"
"$BH" scan -q --compliance k8s-pss -f json tests/fixtures/k8s/bad.yaml >"$T/www/pss.json" 2>>"$T/err"
pages+=(compliance:pss)

# the node script prints PASS/FAIL lines; they count here like the other scripts' own
BH_CHROMIUM="$CHROMIUM" timeout 180 node "$BROWSER/html_report.mjs" "$T/www" "$SHOTS" "${pages[@]}" >"$T/out" 2>"$T/err"; rc=$?
grep -v '^\[.*dev-shm\|^$' "$T/out"
pass=$(grep -c '^PASS ' "$T/out"); fail=$(grep -c '^FAIL ' "$T/out")
if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1; echo "FAIL html: the browser script exited $rc: $(grep -v dev-shm "$T/err" | head -5)"
fi
[ "$pass" -gt 0 ] || { fail=$((fail + 1)); echo "FAIL html: no browser check ran"; }
shots=("$SHOTS"/*.png)
echo "html: screenshots for people to look at: ${shots[*]}"
echo "html: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
