#!/usr/bin/env bash
# server: `bulkhead serve` end to end on 127.0.0.1 (an ephemeral port, a temp --data dir), tokens made
# with `bulkhead token create`, every /api/v1 route driven with curl: 401 without, with a wrong and with
# an expired token, 403 for a too-weak role with nothing changed, SBOM upload stored once per digest,
# findings filters (also with SQL metacharacters), events de-duplicated by key, malformed / oversized /
# 100,000-deep bodies, SIGTERM; every path of docs/openapi.yaml exercised. The same suite runs against
# SQLite and against a PostgreSQL 15 cluster started in a temp dir (SKIP with the reason when it cannot).
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL server: $BH not built"; echo "server: 0 passed, 1 failed"; exit 1; }
for t in curl jq python3; do
	command -v $t >/dev/null || { echo "SKIP server: $t is not installed"; echo "server: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-server-e2e.XXXXXX)
chmod 711 "$T"
SRV=
PGDATA=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the OpenAPI document parses, and lists its routes (checked against what was exercised below)
python3 - "$SRC/docs/openapi.yaml" >"$T/spec-routes" 2>"$T/spec-err" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert str(doc.get('openapi', '')).startswith('3.1'), 'not OpenAPI 3.1'
for path, ops in doc['paths'].items():
    for m in ops:
        if m in ('get', 'post', 'put', 'delete', 'patch'):
            print(m.upper(), path)
PY
if [ -s "$T/spec-routes" ]; then ok "docs/openapi.yaml parses ($(wc -l <"$T/spec-routes") operations)"; else ko "openapi.yaml" "$(tail -1 "$T/spec-err")"; fi
# the OpenAPI Initiative's own schema of 3.1 documents, and JSON Schema 2020-12 for each Schema Object
if python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	if out=$(python3 "$SRC/tests/e2e/openapi_validate.py" "$SRC/docs/openapi.yaml" "$SRC/tests/fixtures/schemas/openapi-3.1/schema.yaml" 2>&1); then
		ok "$(tail -1 <<<"$out")"
	else
		ko "docs/openapi.yaml against the OpenAPI 3.1 schema" "$(head -3 <<<"$out" | tr '\n' ' ')"
	fi
	sed 's/      responses:/      responsez:/' "$SRC/docs/openapi.yaml" >"$T/bad-openapi.yaml"
	if python3 "$SRC/tests/e2e/openapi_validate.py" "$T/bad-openapi.yaml" "$SRC/tests/fixtures/schemas/openapi-3.1/schema.yaml" >/dev/null 2>&1; then
		ko "the OpenAPI validator rejects a broken copy" "it accepted 'responsez'"
	else
		ok "the OpenAPI validator rejects a broken copy (the check reads the document)"
	fi
else
	echo "SKIP server: OpenAPI 3.1 validation needs python3-jsonschema and python3-yaml"
fi

# ---- inputs: a real SBOM of the Debian rootfs fixture, a Python one, a DB of the PyPA fixtures
"$BH" sbom -q -f json dir:"$SRC/tests/fixtures/sbom/rootfs" >"$T/deb.json" || ko "input" "bulkhead sbom of tests/fixtures/sbom/rootfs failed"
"$BH" sbom -q -f cyclonedx dir:"$SRC/tests/fixtures/sbom/rootfs" >"$T/deb.cdx.json"
NDEB=$(jq '.components | length' "$T/deb.json")
cat >"$T/py.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "py"}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"},
 {"ecosystem": "pypi", "name": "jw_util_x", "version": "1.0", "purl": "pkg:pypi/jw-util-x@1.0"}]}
JSON
"$BH" db import --db "$T/vuln.db" "$SRC/tests/fixtures/vuln/osv-pypa" >/dev/null 2>&1 || ko "input" "db import of the PyPA fixtures failed"
D1=sha256:$(printf '1%.0s' $(seq 64))
D2=sha256:$(printf '2%.0s' $(seq 64))
D3=sha256:$(printf '3%.0s' $(seq 64))

# ---- one suite against one store; $1 = label, the rest = store options for serve and token
suite() {
	local label=$1; shift
	local S=("$@") data=$T/data-$label
	: >"$T/hit"
	"$BH" serve "${S[@]}" --listen 127.0.0.1:0 --db "$T/vuln.db" --network-retention 3s -q 2>"$T/serve-$label.log" &
	SRV=$!
	local port= i
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve-$label.log")
		[ -n "$port" ] && break
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then ko "$label: serve started" "$(tail -3 "$T/serve-$label.log")"; SRV=; return; fi
	ok "$label: serve listening on port $port"
	U=http://127.0.0.1:$port
	local V O AD AG AG2 EX
	V=$("$BH" token create "${S[@]}" --role viewer --name v 2>/dev/null)
	O=$("$BH" token create "${S[@]}" --role operator --name o 2>/dev/null)
	AD=$("$BH" token create "${S[@]}" --role admin --name a 2>/dev/null)
	AG=$("$BH" token create "${S[@]}" --role agent --host h1 --name ag 2>/dev/null)
	EX=$("$BH" token create "${S[@]}" --role admin --name old --expires 2000-01-01 2>/dev/null)
	AG2=$("$BH" token create "${S[@]}" --role agent --host h9 --name revoked-agent 2>/dev/null)
	if [[ "$V" == bht_* && "$O" == bht_* && "$AD" == bht_* && "$AG" == bht_* && "$EX" == bht_* ]]; then ok "$label: token create, 5 roles"; else ko "$label: token create" "no token printed"; fi
	local rid
	rid=$("$BH" token list "${S[@]}" | awk '$3 == "revoked-agent" {print $1}')
	"$BH" token revoke "${S[@]}" "$rid" 2>/dev/null
	check "$label: token list shows revoked and expired" "$("$BH" token list "${S[@]}" | awk '$3=="revoked-agent"||$3=="old" {print $NF}' | sort | tr '\n' ' ')" "expired revoked "

	# code METHOD PATH TOKEN [curl args...] -> HTTP status
	code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
	get() { curl -s -H "Authorization: Bearer $AD" "$U$1"; }
	count() { get "$1" | jq '.items | length'; }

	check "$label: /healthz without a token" "$(code GET /healthz '')" 200
	echo "GET /healthz" >>"$T/hit"

	# every route: no token, a wrong token, an expired one, a revoked one -> 401
	local routes=("GET /api/v1/hosts" "GET /api/v1/images" "GET /api/v1/images/$D1" "GET /api/v1/images/$D1/components"
		"GET /api/v1/images/$D1/sbom" "GET /api/v1/containers" "GET /api/v1/findings" "GET /api/v1/advisories/X/affected"
		"GET /api/v1/events" "POST /api/v1/images?digest=$D1" "POST /api/v1/events")
	local r n401=0 bad401=
	for r in "${routes[@]}"; do
		set -- $r
		for t in "" "bht_0000000000000000000000000000000000000000000000000000000000000000" "$EX" "$AG2"; do
			c=$(code "$1" "$2" "$t" --data-binary @"$T/deb.json")
			[ "$c" = 401 ] && n401=$((n401 + 1)) || bad401="$bad401 $r(${t:0:8})=$c"
		done
	done
	check "$label: 44 requests without a valid token (none, wrong, expired, revoked) answer 401$bad401" "$n401" 44
	# ... and every other route of docs/openapi.yaml (those other scripts exercise), from the document
	# itself: a route added later is covered without editing this list
	local m p nall=0 want=0 badall=
	while read -r m p; do
		[ "$p" = /healthz ] && continue
		p=${p//\{digest\}/$D1}; p=${p//\{id\}/X}; p=${p//\{name\}/h1}
		for t in "" "bht_0000000000000000000000000000000000000000000000000000000000000000" "$EX" "$AG2"; do
			want=$((want + 1))
			c=$(code "$m" "$p" "$t" --data-binary '{}')
			[ "$c" = 401 ] && nall=$((nall + 1)) || badall="$badall $m $p(${t:0:8})=$c"
		done
	done <"$T/spec-routes"
	check "$label: every route of docs/openapi.yaml but /healthz: none, wrong, expired and revoked tokens answer 401$badall" "$nall" "$want"

	# too-weak roles: an agent may not read, a viewer may not write; nothing changes
	local nimg0 nev0 n403=0 bad403=
	nimg0=$(count /api/v1/images); nev0=$(count /api/v1/events)
	for r in "${routes[@]}"; do
		set -- $r
		if [ "$1" = GET ]; then t=$AG; else t=$V; fi
		c=$(code "$1" "$2" "$t" --data-binary @"$T/deb.json")
		[ "$c" = 403 ] && n403=$((n403 + 1)) || bad403="$bad403 $r=$c"
	done
	check "$label: 11 routes with a too-weak role answer 403$bad403" "$n403" 11
	check "$label: nothing stored by the refused writes (images, events)" "$(count /api/v1/images) $(count /api/v1/events)" "$nimg0 $nev0"

	# SBOM upload: stored once per digest
	c1=$(code POST "/api/v1/images?digest=$D1" "$O" --data-binary @"$T/deb.json"); n1=$(jq -r .new "$T/body")
	c2=$(code POST "/api/v1/images?digest=$D1" "$AG" --data-binary @"$T/deb.cdx.json"); n2=$(jq -r .new "$T/body")
	check "$label: POST /api/v1/images twice (bulkhead JSON, then CycloneDX by an agent): new, then not new" "$c1 $n1 $c2 $n2" "201 true 200 false"
	check "$label: the image is stored once" "$(get /api/v1/images | jq --arg d "$D1" '[.items[] | select(.digest == $d)] | length')" 1
	echo "POST /api/v1/images" >>"$T/hit"; echo "GET /api/v1/images" >>"$T/hit"
	check "$label: its components ($NDEB from bulkhead sbom)" "$(get "/api/v1/images/$D1/components?limit=1000" | jq '.items | length')" "$NDEB"
	check "$label: components paged by 3 give the same purls" \
		"$(a=0; while :; do p=$(get "/api/v1/images/$D1/components?limit=3&after=$a"); echo "$p" | jq -r '.items[].purl'; a=$(echo "$p" | jq -r '.next // empty'); [ -n "$a" ] || break; done | sort | md5sum)" \
		"$(get "/api/v1/images/$D1/components?limit=1000" | jq -r '.items[].purl' | sort | md5sum)"
	echo "GET /api/v1/images/{digest}/components" >>"$T/hit"
	code POST "/api/v1/images?digest=$D2" "$O" --data-binary @"$T/py.json" >/dev/null
	check "$label: the Python SBOM matched against --db: PYSEC-2020-341" "$(jq -r '.new, .findings' "$T/body" | tr '\n' ' ')" "true 1 "
	check "$label: GET image: components, findings summary, checks" "$(get "/api/v1/images/$D2" | jq -c '[.components, .findings.total, .findings.fixable, (.checks | length)]')" "[2,1,1,0]"
	check "$label: GET unknown image 404" "$(code GET "/api/v1/images/$D3" "$V")" 404
	echo "GET /api/v1/images/{digest}" >>"$T/hit"
	check "$label: POST of a body that is no SBOM: 400" "$(code POST "/api/v1/images?digest=$D3" "$O" --data-binary '{"x": 1}')" 400
	check "$label: POST with a bad digest: 400" "$(code POST "/api/v1/images?digest=sha256:zz" "$O" --data-binary @"$T/py.json")" 400

	# SBOM download from the stored components
	check "$label: sbom?format=cyclonedx has the $NDEB components" "$(code GET "/api/v1/images/$D1/sbom?format=cyclonedx" "$V"; jq -r '"",.bomFormat, ([.components[] | select(.type != "operating-system")] | length)' "$T/body" | tr '\n' ' ')" "200 CycloneDX $(jq '[.components[] | select(.type != "operating-system")] | length' "$T/deb.cdx.json") "
	check "$label: sbom?format=spdx" "$(code GET "/api/v1/images/$D1/sbom?format=spdx" "$V") $(jq -r .spdxVersion "$T/body")" "200 SPDX-2.3"
	check "$label: sbom?format=xml: 400" "$(code GET "/api/v1/images/$D1/sbom?format=xml" "$V")" 400
	echo "GET /api/v1/images/{digest}/sbom" >>"$T/hit"

	# findings filters, also with SQL metacharacters (bound, never pasted: they match nothing)
	fcount() { curl -s -G -H "Authorization: Bearer $V" "$U/api/v1/findings" "$@" | jq '.items | length'; }
	check "$label: findings: all / package=jw.util / ecosystem=pypi / advisory / fix=true / fix=false / severity=critical / kev=true" \
		"$(fcount) $(fcount --data-urlencode package=jw.util) $(fcount --data-urlencode ecosystem=pypi) $(fcount --data-urlencode advisory=PYSEC-2020-341) $(fcount --data-urlencode fix=true) $(fcount --data-urlencode fix=false) $(fcount --data-urlencode severity=critical) $(fcount --data-urlencode kev=true)" \
		"1 1 1 1 1 0 0 0"
	check "$label: findings with package = \"'; DROP TABLE images;--\", \"%\", \"_w.util\", \"jw.util' OR '1'='1\"" \
		"$(fcount --data-urlencode "package='; DROP TABLE images;--") $(fcount --data-urlencode 'package=%') $(fcount --data-urlencode 'package=_w.util') $(fcount --data-urlencode "package=jw.util' OR '1'='1") $(fcount --data-urlencode 'ecosystem=%')" \
		"0 0 0 0 0"
	check "$label: images still there after the metacharacters" "$(count /api/v1/images)" 2
	check "$label: findings?severity=bogus: 400" "$(code GET "/api/v1/findings?severity=bogus" "$V")" 400
	echo "GET /api/v1/findings" >>"$T/hit"

	# events: JSON lines and arrays, de-duplicated by idempotency key; agents write only their host
	printf '{"type":"container.start","host":"h1","container":"c1","time":100,"payload":{"image":"%s","name":"web"},"idempotency_key":"k1"}\n{"type":"host.facts","host":"h1","seq":7,"payload":{"kernel":"6.1"}}\n' "$D2" >"$T/ev.jsonl"
	c1=$(code POST /api/v1/events "$AG" --data-binary @"$T/ev.jsonl"); a1=$(jq -c '[.accepted, .duplicate]' "$T/body")
	c2=$(code POST /api/v1/events "$AG" --data-binary @"$T/ev.jsonl"); a2=$(jq -c '[.accepted, .duplicate]' "$T/body")
	check "$label: events posted twice: accepted, then duplicate" "$c1 $a1 $c2 $a2" "200 [2,0] 200 [0,2]"
	check "$label: stored once" "$(count /api/v1/events)" 2
	nev0=$(count /api/v1/events)
	check "$label: an agent posting another host's event: 403" "$(code POST /api/v1/events "$AG" --data-binary '[{"type":"x","host":"h2"}]')" 403
	check "$label: events?type=host.facts / type with metacharacters" "$(count '/api/v1/events?type=host.facts') $(curl -s -G -H "Authorization: Bearer $V" "$U/api/v1/events" --data-urlencode "type='; DROP TABLE events;--" | jq '.items | length')" "1 0"
	check "$label: events?after=1" "$(get '/api/v1/events?after=1' | jq -c '[.items[].seq]')" "[2]"
	echo "POST /api/v1/events" >>"$T/hit"; echo "GET /api/v1/events" >>"$T/hit"
	check "$label: hosts has h1" "$(get /api/v1/hosts | jq -r '[.items[].name] | join(",")')" h1
	echo "GET /api/v1/hosts" >>"$T/hit"
	check "$label: containers?running=true after container.start" "$(get '/api/v1/containers?running=true' | jq -r '[.items[] | .container_id + "@" + .image_digest] | join(",")')" "c1@$D2"
	check "$label: advisory affected: image and running container in one call" \
		"$(get /api/v1/advisories/PYSEC-2020-341/affected | jq -r '[(.images | map(.digest) | join(",")), (.containers | map(.container_id) | join(","))] | join(" ")')" "$D2 c1"
	code POST /api/v1/events "$O" --data-binary '[{"type":"container.die","host":"h1","container":"c1","time":115,"idempotency_key":"k2"}]' >/dev/null
	check "$label: containers?running=true after container.die / all" "$(count '/api/v1/containers?running=true') $(get /api/v1/containers | jq -c '[.items[0].started_at, .items[0].stopped_at]')" "0 [100,115]"
	check "$label: affected?running=true after it stopped" "$(get '/api/v1/advisories/PYSEC-2020-341/affected?running=true' | jq '.containers | length')" 0
	echo "GET /api/v1/containers" >>"$T/hit"; echo "GET /api/v1/advisories/{id}/affected" >>"$T/hit"

	# hostile bodies; the server stays up
	nev0=$(count /api/v1/events)
	check "$label: malformed JSON: 400 (events, images)" "$(code POST /api/v1/events "$O" --data-binary '[{"type": "x",') $(code POST "/api/v1/images?digest=$D3" "$O" --data-binary '{"schema": "bulkhead-sbom/1", ')" "400 400"
	head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/big"
	check "$label: 5 MiB of events: 413" "$(code POST /api/v1/events "$O" --data-binary @"$T/big")" 413
	python3 -c 'print("[" * 100000 + "]" * 100000)' >"$T/deep"
	check "$label: 100,000-deep JSON: 400 (events, images)" "$(code POST /api/v1/events "$O" --data-binary @"$T/deep") $(code POST "/api/v1/images?digest=$D3" "$O" --data-binary @"$T/deep")" "400 400"
	check "$label: a bad event in a batch refuses the batch: 400, nothing stored" "$(code POST /api/v1/events "$O" --data-binary '[{"type":"ok"},{"type":"BAD TYPE"}]') $(count /api/v1/events)" "400 $nev0"
	check "$label: still answering after the hostile bodies" "$(code GET /healthz '')" 200

	# the audit trail has the writes, with who and from where
	if [ "$label" = sqlite ] && command -v sqlite3 >/dev/null; then
		check "$label: audit rows of the writes from 127.0.0.1 (3 image.put, 2 events.add)" \
			"$(sqlite3 "$data/bulkhead.db" "SELECT action || ':' || count(*) FROM audit WHERE from_addr = '127.0.0.1' GROUP BY action ORDER BY action" | tr '\n' ' ')" \
			"events.add:2 image.put:3 "
	fi

	# /metrics: requests and latencies (http.c), store sizes and the shared work queue (api.c)
	check "$label: /metrics: no token 401, viewer 200" "$(code GET /metrics '') $(code GET /metrics "$V")" "401 200"
	check "$label: /metrics has request counts, latency buckets, store rows, the job queue" \
		"$(grep -c '^bulkhead_http_requests_total\|^bulkhead_http_request_duration_seconds_bucket\|^bulkhead_store_rows{table="images"}\|^bulkhead_jobs{state="queued"}' "$T/body" | awk '{print ($1 >= 4)}') $(grep -c '^bulkhead_store_rows{table="images"} [1-9]' "$T/body")" "1 1"
	echo "GET /metrics" >>"$T/hit"

	# the network map forgets what it has not seen for --network-retention (3 s here, looked at each
	# second): an edge last seen 100 s ago goes at once, a fresh one and its nodes once 3 s pass unseen
	local nowt; nowt=$(date +%s)
	cat >"$T/ret.json" <<JSON
[{"type":"network.snapshot","host":"h1","time":$nowt,"idempotency_key":"ret-$label-$nowt","payload":{
 "nodes":[{"id":"container:r1","kind":"container","name":"r1"},{"id":"external:203.0.113.9","kind":"external"}],
 "edges":[{"from":"container:r1","to":"external:203.0.113.9","port":443,"proto":"tcp","connections":1,"last_seen":$nowt},
          {"from":"external:203.0.113.9","to":"container:r1","port":22,"proto":"tcp","connections":1,"first_seen":$((nowt - 100)),"last_seen":$((nowt - 100))}]}}]
JSON
	code POST /api/v1/events "$AG" --data-binary @"$T/ret.json" >/dev/null
	sleep 1.5
	check "$label: --network-retention: an edge last seen 100 s ago forgotten, the fresh one kept" \
		"$(get /api/v1/network | jq -r '[.edges[] | select(.from == "container:r1" or .to == "container:r1") | .port] | sort | join(",")')" "443"
	sleep 3
	check "$label: ... and 3 s later, unseen since, the fresh edge and its nodes too" \
		"$(get /api/v1/network | jq -c '[([.edges[] | select(.from == "container:r1" or .to == "container:r1")] | length), ([.nodes[] | select(.id == "container:r1")] | length)]')" "[0,0]"
	# every route of the OpenAPI document was exercised, here or by the script routes-elsewhere.txt
	# names (which must hold a request to that path)
	local missing m p s rx
	while read -r m p s rx; do
		case "$m" in ''|'#'*) continue ;; esac
		[ -n "$rx" ] || rx="$p([?\" ]|\$)"
		grep -Eq -- "$rx" "$SRC/$s" 2>/dev/null && echo "$m $p" >>"$T/hit"
	done <"$SRC/tests/e2e/routes-elsewhere.txt"
	missing=$(sort -u "$T/hit" | comm -13 - <(sort -u "$T/spec-routes"))
	extra=$(sort -u "$T/hit" | comm -23 - <(sort -u "$T/spec-routes"))
	check "$label: every route of docs/openapi.yaml exercised, none outside it" "$missing|$extra" "|"

	kill -TERM $SRV
	wait $SRV; rc=$?
	SRV=
	check "$label: SIGTERM stops serve with exit 0" "$rc $(tail -1 "$T/serve-$label.log")" "0 bulkhead serve: stopped"
}

suite sqlite --data "$T/data-sqlite"

# ---- the same suite on PostgreSQL 15 in a temp dir
why=
[ -z "$why" ] && ! pg_start "$T/pg" 5497 && why=$pg_why
if [ -n "$why" ]; then
	echo "SKIP server/postgres: $why"
else
	suite postgres --store "host=$T/pg port=5497 user=postgres dbname=postgres"
fi

echo "server: $pass passed, $fail failed"
[ "$fail" = 0 ]
