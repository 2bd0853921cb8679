#!/usr/bin/env bash
# The dashboard's Baselines and Network pages (issue 18) in a real browser: `bulkhead serve` (SQLite)
# holds two baselines imported as YAML (app: outbound image:localhost/db tcp/5432 and inbound host
# tcp/8080; db: inbound image:localhost/app tcp/5432, listening on 5432), a network.snapshot of app,
# db, a third container, an outside address and the host (app->db, third->db blocked 3 times,
# app->outside:443, host->app:8080) and baseline.deviation events. tests/browser/network.mjs (Debian's
# chromium through playwright-core) checks every edge drawn and listed with its status (expected,
# unexpected, exposed, blocked) by image, label and container, accepts deviations with one click,
# compares versions, switches the mode through its confirm dialog, exports the YAML, edits and
# imports it, adds (keyboard), changes and removes label rules of modes (GET/PUT
# /api/v1/baselines/modes), at 1280 and 390 px, axe-core, no console error or CSP violation. Here: the API's map
# and the audit rows of what the browser did. Screenshots: $BUILD/dashboard/ (docs/screenshots/ with
# BH_SCREENSHOTS=1). Ports 18470-18479.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BROWSER=$(cd "$HERE/../browser" && pwd)
CHROMIUM=${BH_CHROMIUM:-/usr/bin/chromium}
PORT=${BH_NETDASH_PORT:-18471}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP network-dashboard: $1"; echo "network-dashboard: 0 passed, 0 failed (skipped)"; exit 0; }
die() { echo "FAIL network-dashboard: $1"; echo "network-dashboard: $pass passed, $((fail + 1)) failed"; exit 1; }

[ -x "$BH" ] || die "$BH not built"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (sh scripts/setup.sh installs Debian's chromium)"
command -v node >/dev/null || skip "node is not installed (Debian package nodejs)"
nv=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${nv:-0}" -ge 18 ] 2>/dev/null || skip "node $(node --version 2>/dev/null) is older than 18, which playwright-core 1.49 needs"
for m in playwright-core axe-core; do
	[ -f "$BROWSER/node_modules/$m/package.json" ] || skip "no $BROWSER/node_modules/$m (run: npm ci --prefix tests/browser)"
done
for t in jq curl sqlite3; do command -v $t >/dev/null || skip "$t is not installed"; done

T=$(mktemp -d /tmp/bh-netdash-e2e.XXXXXX)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "${BH_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
[ -n "${BH_KEEP:-}" ] && echo "network-dashboard: keeping $T"
SHOTS="$(pwd)/$BUILD/dashboard"
mkdir -p "$SHOTS"
rm -f "$SHOTS"/network*.png "$SHOTS"/baseline*.png

curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && die "port $PORT is in use (BH_NETDASH_PORT picks another)"
"$BH" serve --data "$T/data" --listen "127.0.0.1:$PORT" -q 2>"$T/serve.log" &
SRV=$!
U=http://127.0.0.1:$PORT
for i in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
curl -s -o /dev/null "$U/healthz" || die "serve did not start (port $PORT): $(tail -3 "$T/serve.log")"
OP=$("$BH" token create --data "$T/data" --role operator --name secteam 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name netviewer 2>/dev/null)
[ -n "$OP" ] && [ -n "$V" ] || die "token create"
put() { curl -s -o "$T/body" -w '%{http_code}' -X PUT -H "Authorization: Bearer $OP" --data-binary "@$1" "$U/api/v1/baselines"; }
post() { curl -s -H "Authorization: Bearer $OP" -H 'Content-Type: application/json' --data-binary "@$2" "$U$1"; }
get() { curl -s -H "Authorization: Bearer $V" "$U$1"; }

# ---- two baselines, as `bulkhead baseline export` writes them (YAML)
cat >"$T/app.yaml" <<'YAML'
apiVersion: "bulkhead/v1"
kind: "Baseline"
repository: "localhost/app"
version: 1
mode: "monitor"
processes:
  - {exe: "/opt/app/server", parent: "(engine)"}
listen:
  - {proto: "tcp", port: 8080}
outbound:
  - {peer: "image:localhost/db", proto: "tcp", port: 5432}
inbound:
  - {peer: "host", proto: "tcp", port: 8080}
YAML
cat >"$T/db.yaml" <<'YAML'
apiVersion: "bulkhead/v1"
kind: "Baseline"
repository: "localhost/db"
version: 1
mode: "monitor"
processes:
  - {exe: "/usr/lib/postgresql/15/bin/postgres", parent: "(engine)"}
listen:
  - {proto: "tcp", port: 5432}
inbound:
  - {peer: "image:localhost/app", proto: "tcp", port: 5432}
YAML
check "PUT /api/v1/baselines: app and db imported as YAML" "$(put "$T/app.yaml") $(put "$T/db.yaml")" "200 200"

# ---- the map an agent on node-1 reports, and the deviations its `watch --baseline` raised
now=$(date +%s)
cat >"$T/events.json" <<JSON
[{"type":"network.snapshot","host":"node-1","time":$now,"idempotency_key":"netdash-snap-1","payload":{
 "nodes":[{"id":"container:a1","kind":"container","name":"app","image":"localhost/app:1","labels":{"tier":"web","team":"shop"},"addresses":["10.88.0.10"]},
          {"id":"container:d1","kind":"container","name":"db","image":"localhost/db:15","labels":{"tier":"data"},"addresses":["10.88.0.11"]},
          {"id":"container:t1","kind":"container","name":"third","image":"localhost/third:2","labels":{"tier":"web"},"addresses":["10.88.0.12"]},
          {"id":"external:93.184.216.34","kind":"external","addresses":["93.184.216.34"]},
          {"id":"host:node-1","kind":"host","name":"node-1","addresses":["10.88.0.1"]}],
 "edges":[{"from":"container:a1","to":"container:d1","port":5432,"proto":"tcp","connections":12,"bytes":48000,"blocked":0,"first_seen":$((now - 3600)),"last_seen":$now},
          {"from":"container:t1","to":"container:d1","port":5432,"proto":"tcp","connections":3,"bytes":0,"blocked":3,"first_seen":$((now - 600)),"last_seen":$now},
          {"from":"container:a1","to":"external:93.184.216.34","port":443,"proto":"tcp","connections":2,"bytes":5120,"blocked":0,"first_seen":$((now - 300)),"last_seen":$now},
          {"from":"host:node-1","to":"container:a1","port":8080,"proto":"tcp","connections":40,"bytes":81920,"blocked":0,"first_seen":$((now - 3600)),"last_seen":$now}]}},
 {"type":"baseline.deviation","host":"node-1","container":"a1","time":$((now - 900)),"idempotency_key":"netdash-dev-1","payload":{
  "time":"2026-12-07T06:00:00Z","repository":"localhost/app","mode":"monitor","kind":"listen","what":"listening on tcp/8080",
  "violated":"the baseline has no listen entries","container":"app","action_taken":"none (monitor mode)","baseline_version":1,
  "obs":{"kind":"listen","proto":"tcp","port":8080}}},
 {"type":"baseline.deviation","host":"node-1","container":"a1","time":$((now - 120)),"idempotency_key":"netdash-dev-2","payload":{
  "time":"2026-12-07T06:10:00Z","repository":"localhost/app","mode":"monitor","kind":"process","what":"process /bin/sh (parent /opt/app/server)",
  "violated":"no processes entry matches (1 entry: {exe /opt/app/server, parent (engine)})","container":"app","action_taken":"none (monitor mode)","baseline_version":1,
  "chain":"/bin/sh < /opt/app/server < (engine)","mode_from":"baseline",
  "obs":{"kind":"process","exe":"/bin/sh","parent":"/opt/app/server"}}},
 {"type":"baseline.deviation","host":"node-1","container":"a1","time":$((now - 60)),"idempotency_key":"netdash-dev-3","payload":{
  "time":"2026-12-07T06:11:00Z","repository":"localhost/app","mode":"monitor","kind":"outbound","what":"outbound 93.184.216.34:443/tcp",
  "violated":"no outbound entry matches (1 entry: {peer image:localhost/db, tcp/5432})","container":"app","action_taken":"none (monitor mode)","baseline_version":1,
  "obs":{"kind":"outbound","peer":"93.184.216.34","proto":"tcp","port":443}}},
 {"type":"baseline.deviation","host":"node-1","container":"d1","time":$((now - 30)),"idempotency_key":"netdash-dev-4","payload":{
  "time":"2026-12-07T06:11:30Z","repository":"localhost/db","mode":"monitor","kind":"inbound","what":"inbound from 10.88.0.12 (image:localhost/third) to port 5432/tcp",
  "violated":"no inbound entry matches (1 entry: {peer image:localhost/app, tcp/5432})","container":"db","action_taken":"none (monitor mode)","baseline_version":1,
  "obs":{"kind":"inbound","peer":"image:localhost/third","proto":"tcp","port":5432}}}]
JSON
post /api/v1/events "$T/events.json" | jq -e '.accepted == 5' >/dev/null && ok "events stored: a network.snapshot and 4 baseline.deviation" \
	|| ko "events" "$(post /api/v1/events "$T/events.json")"

# ---- the map through the API: every edge as the agent reported it
check "GET /api/v1/network: 5 nodes and the 4 edges with their ports, counts and blocked" \
	"$(get /api/v1/network | jq -r '"\(.nodes | length) " + ([.edges[] | "\(.from)>\(.to):\(.proto)/\(.port):\(.connections):\(.blocked)"] | sort | join(" "))')" \
	"5 container:a1>container:d1:tcp/5432:12:0 container:a1>external:93.184.216.34:tcp/443:2:0 container:t1>container:d1:tcp/5432:3:3 host:node-1>container:a1:tcp/8080:40:0"
check "GET /api/v1/events?type=baseline.deviation: the 4 deviations" \
	"$(get '/api/v1/events?type=baseline.deviation' | jq -r '[.items[].payload.repository] | sort | join(" ")')" "localhost/app localhost/app localhost/app localhost/db"

cat >"$T/expect.json" <<JSON
{"base":"$U/","operator":"$OP","viewer":"$V","app":"localhost/app","db":"localhost/db"}
JSON
BH_CHROMIUM="$CHROMIUM" timeout 120 node "$BROWSER/network.mjs" "$T/expect.json" "$SHOTS" "$T" >"$T/out" 2>"$T/err"; rc=$?
grep -v 'dev-shm\|^$' "$T/out"
pass=$((pass + $(grep -c '^PASS ' "$T/out"))); fail=$((fail + $(grep -c '^FAIL ' "$T/out")))
if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$T/out"; then
	fail=$((fail + 1)); echo "FAIL network-dashboard: the browser script exited $rc: $(grep -v dev-shm "$T/err" | head -5)"
fi
grep -q '^PASS ' "$T/out" || { fail=$((fail + 1)); echo "FAIL network-dashboard: no browser check ran"; }

# ---- what the clicks did, from the API and the audit log
check "after the browser: app's baseline holds the accepted shell and outbound entry and the imported file entry, in monitor, 5 versions stored" \
	"$(get '/api/v1/baselines/doc?repository=localhost/app' | jq -r '"\([.processes[].exe] | join(",")) \([.outbound[] | "\(.peer):\(.port)"] | join(",")) \([.files[].path] | join(",")) \(.mode)"') $(get '/api/v1/baselines/versions?repository=localhost/app' | jq '.items | length')" \
	"/opt/app/server,/bin/sh image:localhost/db:5432,93.184.216.34:443 /var/cache/app/* monitor 5"
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
check "audit: both accepts, the mode change and the import by secteam, in order" \
	"$(sqlite3 "$T/data/bulkhead.db" "SELECT action || ':' || coalesce(target, '') || ':' || who FROM audit WHERE action LIKE 'baseline.%' ORDER BY id" | sed 's/#[0-9]*$//' | tail -4 | tr '\n' ' ')" \
	"baseline.accept:localhost/app:secteam baseline.accept:localhost/app:secteam baseline.mode:localhost/app:secteam baseline.put:localhost/app:secteam "

check "audit: the 4 label rule changes the browser made (add, add, change, remove) by secteam" \
	"$(sqlite3 "$T/data/bulkhead.db" "SELECT action || ':' || who || ':' || detail FROM audit WHERE action = 'baseline.modes' ORDER BY id" | sed 's/#[0-9]*:/:/' | tr '\n' ' ')" \
	"baseline.modes:secteam:1 rule: tier=web=>monitor baseline.modes:secteam:2 rules: tier=web=>monitor, team=>learn baseline.modes:secteam:2 rules: tier=web=>protect, team=>learn baseline.modes:secteam:1 rule: tier=web=>protect "

if [ -n "${BH_SCREENSHOTS:-}" ] && [ "$fail" -eq 0 ]; then
	mkdir -p "$SRC/docs/screenshots"
	for s in network baseline; do
		[ -f "$SHOTS/$s.png" ] && cp "$SHOTS/$s.png" "$SRC/docs/screenshots/$s.png"
	done
	echo "network-dashboard: copied the screenshots to docs/screenshots/"
fi
echo "network-dashboard: screenshots in $SHOTS: $(cd "$SHOTS" && ls network*.png baseline*.png 2>/dev/null | tr '\n' ' ')"
echo "network-dashboard: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
