#!/usr/bin/env bash
# The dashboard (issue 17) in a real browser: `bulkhead serve` with a vulnerability DB (Go, PyPA, KEV)
# and real data: a two-layer image built with podman/buildah (a Go binary and Jinja2 in layer 0,
# salt 3000, whose CVE-2020-11651 is in CISA KEV, in layer 1) uploaded as `bulkhead sbom -f json`, a
# second tag of it in another registry, and one SBOM of every PyPA and Go package at 0.0.1 (several
# thousand findings, for the render time); a host with CIS results, containers (running and exited)
# and a runtime event. tests/browser/dashboard.mjs (Debian's chromium through playwright-core) signs
# in with a token, filters by KEV, opens the image and follows a finding to its layer, accepts a risk
# (when the server has /api/v1/exceptions), checks the keyboard, 1280 px and 390 px, axe-core, and
# fails on any console error, page error or CSP violation. Screenshots: $BUILD/dashboard/ (the README's
# copies in docs/screenshots/ are refreshed with BH_SCREENSHOTS=1). Ports 18460-18469.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BROWSER=$(cd "$HERE/../browser" && pwd)
DATA=${BH_SHARED_DATA:-$(cd "$HERE/../../.." && pwd)/shared/data}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
CHROMIUM=${BH_CHROMIUM:-/usr/bin/chromium}
PORT=${BH_DASH_PORT:-18461}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP dashboard: $1"; echo "dashboard: 0 passed, 0 failed (skipped)"; exit 0; }
die() { echo "FAIL dashboard: $1"; echo "dashboard: $pass passed, $((fail + 1)) failed"; exit 1; }

[ -x "$BH" ] || die "$BH not built"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (sh scripts/setup.sh installs Debian's chromium)"
command -v node >/dev/null || skip "node is not installed (Debian package nodejs)"
nv=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${nv:-0}" -ge 18 ] 2>/dev/null || skip "node $(node --version 2>/dev/null) is older than 18, which playwright-core 1.49 needs"
for m in playwright-core axe-core; do
	[ -f "$BROWSER/node_modules/$m/package.json" ] || skip "no $BROWSER/node_modules/$m (run: npm ci --prefix tests/browser)"
done
for t in jq curl podman skopeo python3 tar; do command -v $t >/dev/null || skip "$t is not installed"; done
for d in golang-vulndb pypa-advisory-database kev; do [ -d "$DATA/$d" ] || skip "no $DATA/$d (set BH_SHARED_DATA)"; done

T=$(mktemp -d /tmp/bh-dash-e2e.XXXXXX)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "${BH_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
[ -n "${BH_KEEP:-}" ] && echo "dashboard: keeping $T"
SHOTS="$(pwd)/$BUILD/dashboard"
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png

# ---- a real two-layer image (as html.sh builds it)
R="$T/root"
. "$HERE/inputs.sh"
report_rootfs "$R"
tar -C "$R" -cf "$T/rootfs.tar" .
L="$T/l1"
mkdir -p "$L/usr/lib/python3/dist-packages/salt-3000.dist-info" "$L/app"
printf 'Metadata-Version: 2.1\nName: salt\nVersion: 3000\nLicense: Apache-2.0\n' >"$L/usr/lib/python3/dist-packages/salt-3000.dist-info/METADATA"
printf 'print("shop")\n' >"$L/app/main.py"
img=localhost/shop/web:1.4
if command -v buildah >/dev/null; then
	{ podman import -q "$T/rootfs.tar" "$img-base" >/dev/null && ctr=$(buildah from --quiet "$img-base") \
		&& buildah copy --quiet "$ctr" "$L" / >/dev/null && buildah commit --quiet "$ctr" "$img" >/dev/null \
		&& buildah rm "$ctr" >/dev/null; } 2>"$T/err"
else
	tar -C "$L" -rf "$T/rootfs.tar" . && podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/err"
fi
skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>>"$T/err"
podman rmi -f "$img" "$img-base" >/dev/null 2>&1
[ -s "$T/img.tar" ] || die "image (podman import + buildah + skopeo): $(head -3 "$T/err")"
"$BH" sbom -q -f json -o "$T/web.json" "$T/img.tar" 2>"$T/err" || die "sbom: $(head -3 "$T/err")"
# the same image pushed to another registry under another name (another digest: the manifest differs)
jq '.target.repo_tags = ["registry.example.com/shop/api:2.1"] | .target.manifest_digest = null | .target.image_id = null' "$T/web.json" >"$T/api.json"

# ---- every PyPA and Go package at 0.0.1: thousands of findings
mkdir -p "$T/gv"
tar --zstd -xf "$DATA"/golang-vulndb/*.tar.zst -C "$T/gv" 2>/dev/null || die "cannot unpack the Go vulndb"
tar --zstd -tf "$DATA"/pypa-advisory-database/*.tar.zst | awk -F/ '$1=="vulns" && NF>=3 && $3!="" {print $2}' | sort -u >"$T/pypi.txt"
python3 - "$T" <<'PY' || die "bulk SBOM"
import glob, json, sys
t = sys.argv[1]
mods = set()
for f in glob.glob(f"{t}/gv/**/GO-*.json", recursive=True):
    for a in json.load(open(f)).get("affected", []):
        p = a.get("package", {})
        if p.get("ecosystem") == "Go" and p.get("name") not in ("stdlib", "toolchain"):
            mods.add(p["name"])
comps = [{"ecosystem": "golang", "name": m, "version": "v0.0.1", "purl": f"pkg:golang/{m}@v0.0.1"} for m in sorted(mods)]
comps += [{"ecosystem": "pypi", "name": p, "version": "0.0.1", "purl": f"pkg:pypi/{p}@0.0.1"} for p in open(f"{t}/pypi.txt").read().split()]
json.dump({"schema": "bulkhead-sbom/1", "target": {"name": "monolith", "repo_tags": ["registry.example.com/legacy/monolith:0.9"]},
           "os": {}, "components": comps}, open(f"{t}/bulk.json", "w"))
PY

"$BH" db import --db "$T/vuln.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/kev" >/dev/null 2>"$T/err" || die "DB import: $(head -3 "$T/err")"
"$BH" serve --data "$T/data" --db "$T/vuln.db" --listen "127.0.0.1:$PORT" -q 2>"$T/serve.log" &
SRV=$!
U=http://127.0.0.1:$PORT
for i in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
curl -s -o /dev/null "$U/healthz" || die "serve did not start: $(tail -3 "$T/serve.log")"
AD=$("$BH" token create --data "$T/data" --role admin --name dash-admin 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name dash-viewer 2>/dev/null)
post() { curl -s -H "Authorization: Bearer $AD" -H 'Content-Type: application/json' --data-binary "@$2" "$U$1"; }
get() { curl -s -H "Authorization: Bearer $AD" "$U$1"; }
WEB=$(post /api/v1/images "$T/web.json" | jq -r .digest)
API_D=sha256:$(printf 'a%.0s' $(seq 64))
BULK_D=sha256:$(printf 'b%.0s' $(seq 64))
post "/api/v1/images?digest=$API_D" "$T/api.json" >/dev/null
post "/api/v1/images?digest=$BULK_D" "$T/bulk.json" >/dev/null
[ -n "$WEB" ] && [ "$WEB" != null ] || die "upload of the image's SBOM: $(post /api/v1/images "$T/web.json")"
NF=$(get /api/v1/ui/summary | jq .findings.open)
[ "${NF:-0}" -ge 5000 ] && ok "store holds $NF open findings (at least 5000)" || ko "findings stored" "only ${NF:-0}"
[ "$(get "/api/v1/images/$WEB" | jq '.config.history | length')" -ge 2 ] && ok "GET /api/v1/images/{digest}: config.history has the uploaded SBOM's layers" \
	|| ko "layers kept" "$(get "/api/v1/images/$WEB" | jq -c .config)"

# a host with CIS results, containers and a runtime event (as the agent and sensor send them)
now=$(date +%s)
cat >"$T/events.json" <<JSON
[{"type":"host.facts","host":"node-1","time":$now,"seq":1,"payload":{"os":"Debian GNU/Linux 12 (bookworm)","kernel":"6.1.0-18-amd64","engine":"podman","engine_version":"4.3.1"}},
 {"type":"container.start","host":"node-1","container":"c0ffee000001","time":$now,"seq":2,"payload":{"image":"$WEB","name":"web-1"}},
 {"type":"container.start","host":"node-1","container":"c0ffee000002","time":$now,"seq":3,"payload":{"image":"$BULK_D","name":"legacy-1"}},
 {"type":"container.start","host":"node-1","container":"c0ffee000003","time":$now,"seq":4,"payload":{"image":"$API_D","name":"api-1"}},
 {"type":"container.die","host":"node-1","container":"c0ffee000003","time":$now,"seq":5,"payload":{"image":"$API_D","name":"api-1"}},
 {"type":"runtime.alert","host":"node-1","container":"c0ffee000001","time":$now,"seq":6,"payload":{"rule":"Terminal shell in container","priority":"warning","output":"shell /bin/sh spawned in web-1 (parent python3)"}}]
JSON
post /api/v1/events "$T/events.json" | jq -e '.accepted == 6' >/dev/null && ok "events stored (host, 3 containers, a runtime alert)" || ko "events" "$(post /api/v1/events "$T/events.json")"
cat >"$T/hostchecks.json" <<'JSON'
{"container_id":"","checks":[
 {"rule_id":"BH-HOST-001","target":"/var/lib/docker","status":"fail","severity":"medium","title":"1.1.1 Ensure a separate partition for containers has been created"},
 {"rule_id":"BH-HOST-014","target":"daemon.json","status":"fail","severity":"high","title":"2.2 Ensure network traffic is restricted between containers on the default bridge"},
 {"rule_id":"BH-HOST-020","target":"daemon.json","status":"pass","severity":"medium","title":"2.5 Ensure insecure registries are not used"}]}
JSON
cat >"$T/ctrchecks.json" <<'JSON'
{"container_id":"c0ffee000001","checks":[
 {"rule_id":"BH-CTR-004","status":"fail","severity":"high","title":"5.4 Ensure that privileged containers are not used"},
 {"rule_id":"BH-CTR-010","status":"fail","severity":"medium","title":"5.10 Ensure that the memory usage for containers is limited"}]}
JSON
post /api/v1/hosts/node-1/checks "$T/hostchecks.json" | jq -e '.stored == 3' >/dev/null && ok "host CIS results stored" || ko "host checks" "$(post /api/v1/hosts/node-1/checks "$T/hostchecks.json")"
post /api/v1/hosts/node-1/checks "$T/ctrchecks.json" | jq -e '.stored == 2' >/dev/null && ok "container CIS results stored" || ko "container checks" "?"

# the dashboard's own routes (uiapi.c), checked here against the core API
code() { curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $1" "${@:3}" "$U$2"; }
WEBN=$(get "/api/v1/images/$WEB" | jq '.findings.total')
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
check_eq "GET /api/v1/ui/image-findings: the image's total and KEV equal GET /api/v1/images/{digest}" \
	"$(get /api/v1/ui/image-findings | jq -c --arg d "$WEB" '[.items[] | select(.digest == $d) | .total, .kev]')" \
	"$(get "/api/v1/images/$WEB" | jq -c '[.findings.total, .findings.kev]')"
check_eq "GET /api/v1/ui/summary: open findings, KEV, KEV in running containers, 30 days of trend ending with today's open count" \
	"$(get "/api/v1/ui/summary?days=30" | jq -c '[.findings.open, .findings.kev, (.findings.kev_running > 0), (.trend | length), .trend[-1].open, .role]')" \
	"[$NF,$(get "/api/v1/findings?kev=true&limit=1000" | jq '.items | length'),true,30,$NF,\"admin\"]"
check_eq "GET /api/v1/ui/events?container=: that container's events, newest first" \
	"$(get "/api/v1/ui/events?container=c0ffee000001&host=node-1" | jq -c '[.items[].type]')" '["runtime.alert","container.start"]'
check_eq "GET /api/v1/tokens: viewer 403; admin sees the tokens without any secret" \
	"$(code "$V" /api/v1/tokens) $(get /api/v1/tokens | jq -c '[(.items | length), ([.items[] | keys[]] | unique | map(select(test("hash|token|secret"))) | length)]')" "403 [2,0]"
TMP=$("$BH" token create --data "$T/data" --role viewer --name to-revoke 2>/dev/null)
TID=$(get /api/v1/tokens | jq '.items[] | select(.name == "to-revoke") | .id')
check_eq "DELETE /api/v1/tokens/{id}: a viewer may not (403); the admin revokes it, then it is refused (401)" \
	"$(code "$V" "/api/v1/tokens/$TID" -X DELETE) $(code "$AD" "/api/v1/tokens/$TID" -X DELETE) $(code "$TMP" /api/v1/ui/summary) $(code "$AD" /api/v1/tokens/999999 -X DELETE)" "403 200 401 404"

# the expectations the browser checks against, from the API itself
KEVN=$(curl -s -H "Authorization: Bearer $AD" "$U/api/v1/findings?kev=true&limit=1000" | jq '.items | length')
# findings carry the advisory's own id (PyPA's PYSEC-…); /api/v1/ui/aliases finds it from the CVE
ADV=$(get "/api/v1/ui/aliases?id=CVE-2020-11651" | jq -r '.related[0] // empty')
SALT=$(get "/api/v1/findings?image=$WEB&advisory=$ADV&limit=10" | jq -c '.items[0]')
[ -n "$ADV" ] && [ "$(jq -r .kev <<<"$SALT")" = true ] && [ "$(jq -r .package <<<"$SALT")" = salt ] \
	&& ok "salt 3000's CVE-2020-11651 ($ADV, found through /api/v1/ui/aliases) is a KEV finding of the image" || ko "KEV finding" "$ADV $SALT"
SALT_LAYER=$(jq -r '[.components[] | select(.name == "salt")][0].layer' "$T/web.json")
CREATED_BY=$(jq -r --argjson l "${SALT_LAYER:-1}" '.layers[$l].created_by // ""' "$T/web.json")
EXC=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AD" "$U/api/v1/exceptions")
cat >"$T/expect.json" <<JSON
{"base":"$U/","admin":"$AD","viewer":"$V","image":"$WEB","image_name":"$img","kev_findings":$KEVN,"open_findings":$NF,
 "advisory":"$ADV","cve":"CVE-2020-11651","salt_layer":${SALT_LAYER:-1},"created_by":$(jq -Rn --arg s "$CREATED_BY" '$s'),
 "exceptions":$([ "$EXC" = 404 ] || [ "$EXC" = 405 ] && echo false || echo true),"host":"node-1","container":"c0ffee000001"}
JSON
[ "$EXC" = 404 ] && echo "dashboard: GET /api/v1/exceptions answers 404 here: the accept-risk flow runs against a stand-in of its contract, and a plain page checks that the button is hidden"

BH_CHROMIUM="$CHROMIUM" timeout 300 node "$BROWSER/dashboard.mjs" "$T/expect.json" "$SHOTS" >"$T/out" 2>"$T/err"; rc=$?
grep -v 'dev-shm\|^$' "$T/out"
pass=$((pass + $(grep -c '^PASS ' "$T/out"))); fail=$((fail + $(grep -c '^FAIL ' "$T/out")))
if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$T/out"; then
	fail=$((fail + 1)); echo "FAIL dashboard: the browser script exited $rc: $(grep -v dev-shm "$T/err" | head -5)"
fi
grep -q '^PASS ' "$T/out" || { fail=$((fail + 1)); echo "FAIL dashboard: no browser check ran"; }
# the stored counts (server/uimetrics.h): a server that always answers the stored copy (--metrics-sync-ms 0,
# as a big store does) counts again in the background within about a second of an upload
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
"$BH" serve --data "$T/data" --db "$T/vuln.db" --listen "127.0.0.1:$PORT" -q --metrics-sync-ms 0 2>"$T/serve2.log" &
SRV=$!
for i in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
for i in $(seq 50); do [ "$(get /api/v1/ui/summary | jq .stale)" = false ] && break; sleep 0.1; done
S0=$(get /api/v1/ui/summary)
check_eq "GET /api/v1/ui/summary after a restart: the stored counts, recounted at start (stale false, computed_at set)" \
	"$(jq -c '[.stale, (.computed_at > 0), (.images > 0)]' <<<"$S0")" "[false,true,true]"
IMGS1=$(( $(jq .images <<<"$S0") + 1 ))
NEW_D=sha256:$(printf 'c%.0s' $(seq 64))
# a package no other image has (findings are per package): new findings, not only a new image
printf '%s' '{"schema":"bulkhead-sbom/1","target":{"name":"late","repo_tags":["registry.example.com/shop/late:1"]},"os":{},
 "components":[{"ecosystem":"pypi","name":"django","version":"1.0","purl":"pkg:pypi/django@1.0"}]}' >"$T/late.json"
t0=$(date +%s%N)
post "/api/v1/images?digest=$NEW_D" "$T/late.json" >/dev/null
S1=$(get /api/v1/ui/summary)
late=
for i in $(seq 40); do
	S2=$(get /api/v1/ui/summary)
	[ "$(jq -c '[.images, .stale]' <<<"$S2")" = "[$IMGS1,false]" ] && { late=$(( ($(date +%s%N) - t0) / 1000000 )); break; }
	sleep 0.1
done
echo "dashboard: right after the upload the summary said images $(jq .images <<<"$S1"), stale $(jq .stale <<<"$S1"); counted after ${late:-(never)} ms"
if [ -n "$late" ] && [ "$late" -le 2000 ] && [ "$(jq .findings.open <<<"$S2")" -gt "$(jq .findings.open <<<"$S0")" ] \
	&& [ "$(jq '.computed_at >= '"$(jq .computed_at <<<"$S0")" <<<"$S2")" = true ]; then
	ok "GET /api/v1/ui/summary changes within 2 s of an upload with the counting in the background (${late} ms; open $(jq .findings.open <<<"$S0") -> $(jq .findings.open <<<"$S2"))"
else
	ko "summary after an upload" "after ${late:-more than 4000} ms: $(jq -c '{images, stale, computed_at, open: .findings.open}' <<<"$S2")"
fi
check_eq "GET /api/v1/ui/image-findings: the uploaded image is counted too (stale false)" \
	"$(get /api/v1/ui/image-findings | jq -c --arg d "$NEW_D" '[([.items[] | select(.digest == $d)] | length), .stale]')" "[1,false]"

if [ -n "${BH_SCREENSHOTS:-}" ] && [ "$fail" -eq 0 ]; then
	mkdir -p "$SRC/docs/screenshots"
	for s in overview findings-kev image-layers finding accept mobile-findings; do
		[ -f "$SHOTS/$s.png" ] && cp "$SHOTS/$s.png" "$SRC/docs/screenshots/dashboard-$s.png"
	done
	echo "dashboard: copied the screenshots to docs/screenshots/"
fi
echo "dashboard: screenshots in $SHOTS: $(cd "$SHOTS" && ls *.png 2>/dev/null | tr '\n' ' ')"
echo "dashboard: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
