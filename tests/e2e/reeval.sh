#!/usr/bin/env bash
# reeval: continuous re-evaluation through `bulkhead serve`. Images are uploaded while the server has
# no DB; feed bundles POSTed to /api/v1/db (as an air-gapped site does) then bring findings without
# any image being sent again: finding.new, finding.changed (a fixed version moves), finding.resolved
# (an advisory withdrawn), each event exactly once with the DB version that caused it; asking again
# (also a full re-match) emits nothing; a DB file replaced on disk by `bulkhead db import` is noticed;
# the results equal a scan of the same SBOM with the same DB; 401/403 on the DB routes. The same suite
# on SQLite and on a PostgreSQL 15 cluster started in a temp dir (SKIP with the reason when it cannot).
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL reeval: $BH not built"; echo "reeval: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar; do
	command -v $t >/dev/null || { echo "SKIP reeval: $t is not installed"; echo "reeval: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-reeval-e2e.XXXXXX)
chmod 711 "$T"
SRV=
PGDATA=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT

# ---- inputs: an SBOM with a PyPI and a Go package, and three feed bundles made from real advisories
cat >"$T/app.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app"}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"},
 {"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible",
  "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"},
 {"ecosystem": "pypi", "name": "requests", "version": "2.31.0", "purl": "pkg:pypi/requests@2.31.0"}]}
JSON
D1=sha256:$(printf 'a%.0s' $(seq 64))
D2=sha256:$(printf 'b%.0s' $(seq 64))
mkdir -p "$T/b1" "$T/b2" "$T/b3" "$T/b4"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
# b2: PYSEC-2020-341 revised (a later `modified`, the fix moves to 2.4) and a new advisory for jw.util
sed -e 's/- fixed: "2.3"/- fixed: "2.4"/' "$T/b1/PYSEC-2020-341.yaml" | grep -v '^modified:' >"$T/b2/PYSEC-2020-341.yaml"
echo 'modified: "2030-01-01T00:00:00Z"' >>"$T/b2/PYSEC-2020-341.yaml"
cat >"$T/b2/PYSEC-2099-1.json" <<'JSON'
{"id": "PYSEC-2099-1", "modified": "2030-01-01T00:00:00Z", "summary": "test advisory",
 "affected": [{"package": {"name": "jw.util", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.0"}]}]}]}
JSON
# b3: that advisory withdrawn
jq '.modified = "2030-02-01T00:00:00Z" | .withdrawn = "2030-02-01T00:00:00Z"' "$T/b2/PYSEC-2099-1.json" >"$T/b3/PYSEC-2099-1.json"
# b4: imported on disk by `bulkhead db import` while the server runs: a requests advisory
cat >"$T/b4/PYSEC-2099-2.json" <<'JSON'
{"id": "PYSEC-2099-2", "modified": "2030-03-01T00:00:00Z", "summary": "test advisory 2",
 "affected": [{"package": {"name": "requests", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.32.0"}]}]}]}
JSON
for b in b1 b2 b3; do tar -C "$T/$b" -czf "$T/$b.tar.gz" .; done

suite() {
	local label=$1; shift
	local S=("$@") data=$T/data-$label
	"$BH" serve "${S[@]}" --data "$data" --listen 127.0.0.1:0 --db-check-interval 1 -q 2>"$T/serve-$label.log" &
	SRV=$!
	local port= i
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve-$label.log")
		[ -n "$port" ] && break
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then ko "$label: serve started" "$(tail -3 "$T/serve-$label.log")"; SRV=; return; fi
	local U=http://127.0.0.1:$port AD V O AG
	AD=$("$BH" token create "${S[@]}" --data "$data" --role admin --name a 2>/dev/null)
	V=$("$BH" token create "${S[@]}" --data "$data" --role viewer --name v 2>/dev/null)
	O=$("$BH" token create "${S[@]}" --data "$data" --role operator --name o 2>/dev/null)
	AG=$("$BH" token create "${S[@]}" --data "$data" --role agent --host h1 --name ag 2>/dev/null)
	code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
	get() { curl -s -H "Authorization: Bearer $AD" "$U$1"; }
	# findings as "package advisory fixed" lines, sorted
	findings() { get "/api/v1/findings?limit=1000" | jq -r '.items[] | "\(.package) \(.advisory) \(.fixed_version)"' | sort | tr '\n' ';'; }
	events() { get "/api/v1/events?type=$1&limit=1000" | jq '.items | length'; }
	# waits until the DB thread is idle after more re-evaluations than $1 (last_at before the request)
	settle() {
		local i s
		for i in $(seq 150); do
			s=$(get /api/v1/db)
			[ "$(jq -r .state <<<"$s")" = idle ] && [ "$(jq -r '.reevaluations' <<<"$s")" -gt "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	last_at() { get /api/v1/db | jq -r '.reevaluations'; }

	# access to the DB routes
	check "$label: GET /api/v1/db: no token 401, agent 403, viewer 200" \
		"$(code GET /api/v1/db '') $(code GET /api/v1/db "$AG") $(code GET /api/v1/db "$V")" "401 403 200"
	check "$label: POST /api/v1/db: no token 401, viewer 403, operator 403, agent 403" \
		"$(code POST /api/v1/db '' --data-binary @"$T/b1.tar.gz") $(code POST /api/v1/db "$V" --data-binary @"$T/b1.tar.gz") $(code POST /api/v1/db "$O" --data-binary @"$T/b1.tar.gz") $(code POST /api/v1/db "$AG" --data-binary @"$T/b1.tar.gz")" \
		"401 403 403 403"
	check "$label: POST /api/v1/db/reeval: viewer 403, operator 403" \
		"$(code POST /api/v1/db/reeval "$V") $(code POST /api/v1/db/reeval "$O")" "403 403"
	check "$label: no DB yet" "$(get /api/v1/db | jq -r '.present')" false

	# images arrive before any DB: stored without findings
	code POST "/api/v1/images?digest=$D1" "$O" --data-binary @"$T/app.json" >/dev/null
	code POST "/api/v1/images?digest=$D2" "$O" --data-binary @"$T/app.json" >/dev/null
	check "$label: two images stored, no findings yet" "$(get /api/v1/images | jq '.items | length') $(findings)" "2 "
	local nimg_audit0
	nimg_audit0=$(get /api/v1/images | jq -c '[.items[].last_seen]')

	# bundle 1: findings appear without any image being sent again
	local at
	at=$(last_at)
	check "$label: POST /api/v1/db with bundle 1: 202" "$(code POST /api/v1/db "$AD" --data-binary @"$T/b1.tar.gz")" 202
	settle "$at" || ko "$label: bundle 1 re-evaluated" "$(get /api/v1/db)"
	local v1
	v1=$(get /api/v1/db | jq -r .built_at)
	check "$label: after bundle 1: findings of the stored components" "$(findings)" \
		"github.com/goharbor/harbor GO-2024-2916 2.9.4+incompatible;jw.util PYSEC-2020-341 2.3;"
	check "$label: after bundle 1: finding.new events, once each, with the DB version" \
		"$(events finding.new) $(get '/api/v1/events?type=finding.new' | jq -r --arg v "$v1" '[.items[] | select(.payload.db_version == $v)] | length')" "2 2"
	check "$label: the images were not touched (last_seen unchanged)" "$(get /api/v1/images | jq -c '[.items[].last_seen]')" "$nimg_audit0"
	check "$label: one db.reevaluated event" "$(events db.reevaluated)" 1

	# asking again: nothing moves
	at=$(last_at)
	check "$label: POST /api/v1/db/reeval: 202" "$(code POST /api/v1/db/reeval "$AD")" 202
	settle "$at" || ko "$label: reeval settled" "$(get /api/v1/db)"
	check "$label: the same DB again: 0 keys moved, no new events" \
		"$(get /api/v1/db | jq '.last_reevaluation.keys_changed') $(events finding.new) $(events finding.changed) $(events finding.resolved)" "0 2 0 0"
	at=$(last_at)
	code POST "/api/v1/db/reeval?full=true" "$AD" >/dev/null
	settle "$at" || ko "$label: full reeval settled" "$(get /api/v1/db)"
	check "$label: a full re-match of the same DB: every component matched, still no finding event" \
		"$(get /api/v1/db | jq '.last_reevaluation.matched > 0') $(events finding.new) $(events finding.changed) $(events finding.resolved)" "true 2 0 0"

	# bundle 2: a fix moves (changed) and a new advisory (new)
	at=$(last_at)
	sleep 1 # the DB version is its build time, in seconds
	code POST /api/v1/db "$AD" --data-binary @"$T/b2.tar.gz" >/dev/null
	settle "$at" || ko "$label: bundle 2 re-evaluated" "$(get /api/v1/db)"
	local v2
	v2=$(get /api/v1/db | jq -r .built_at)
	check "$label: after bundle 2: the fixed version moved, a new advisory" "$(findings)" \
		"github.com/goharbor/harbor GO-2024-2916 2.9.4+incompatible;jw.util PYSEC-2020-341 2.4;jw.util PYSEC-2099-1 9.0;"
	check "$label: after bundle 2: one finding.changed (previous fix 2.3), one more finding.new, by DB $v2" \
		"$(events finding.changed) $(get '/api/v1/events?type=finding.changed' | jq -r '.items[0] | "\(.payload.previous.fixed_version) \(.payload.fixed_version) \(.payload.db_version)"') $(events finding.new)" \
		"1 2.3 2.4 $v2 3"

	# bundle 3: the new advisory withdrawn -> resolved
	at=$(last_at)
	sleep 1
	code POST /api/v1/db "$AD" --data-binary @"$T/b3.tar.gz" >/dev/null
	settle "$at" || ko "$label: bundle 3 re-evaluated" "$(get /api/v1/db)"
	check "$label: after bundle 3: the withdrawn advisory's finding resolved (finding.resolved once)" \
		"$(findings) $(events finding.resolved) $(get '/api/v1/findings?resolved=true&advisory=PYSEC-2099-1' | jq -r '.items[0].state // "none"')" \
		"github.com/goharbor/harbor GO-2024-2916 2.9.4+incompatible;jw.util PYSEC-2020-341 2.4; 1 resolved"

	# a DB file replaced on disk (a cron job's `bulkhead db import`): noticed within the check interval
	at=$(last_at)
	sleep 1
	"$BH" db import -q --db "$data/vuln.db" "$T/b4" >/dev/null 2>&1
	settle "$at" || ko "$label: the new file noticed" "$(get /api/v1/db)"
	check "$label: a DB imported on disk is noticed: requests finding new" "$(get '/api/v1/findings?package=requests' | jq -r '.items[0].advisory')" "PYSEC-2099-2"

	# the same answer as a scan of the same SBOM with the same DB (incremental = full)
	"$BH" scan -q -f json --db "$data/vuln.db" "$T/app.json" 2>/dev/null |
		jq -r '.findings[] | "\(.package) \(.id)"' 2>/dev/null | sort -u >"$T/scan-$label"
	get "/api/v1/findings?limit=1000" | jq -r '.items[] | "\(.package) \(.advisory)"' | sort -u >"$T/srv-$label"
	if [ -s "$T/scan-$label" ] && cmp -s "$T/scan-$label" "$T/srv-$label"; then
		ok "$label: server findings = bulkhead scan of the same SBOM with the same DB ($(wc -l <"$T/srv-$label"))"
	else
		ko "$label: server findings = scan" "scan: $(tr '\n' ';' <"$T/scan-$label") server: $(tr '\n' ';' <"$T/srv-$label")"
	fi

	# a bad bundle: the server stays up, findings unchanged
	local f0
	f0=$(findings)
	# seeded: the same bytes on every run (random bytes once began like a document and a test flaked)
	python3 -c 'import random, sys; r = random.Random(4096); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(4096)))' >"$T/garbage.tar.gz"
	at=$(last_at)
	code POST /api/v1/db "$AD" --data-binary @"$T/garbage.tar.gz" >/dev/null
	sleep 1.5
	check "$label: a garbage bundle: healthz 200, findings unchanged" "$(code GET /healthz '') $(findings)" "200 $f0"
	check "$label: audit rows for the DB changes" "$(get '/api/v1/events?type=db.reevaluated' | jq '.items | length >= 4')" true

	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
}

suite sqlite

why=
[ -z "$why" ] && ! pg_start "$T/pg" 5498 && why=$pg_why
if [ -z "$why" ]; then
	suite postgres --store "host=$T/pg port=5498 user=postgres dbname=postgres"
else
	echo "SKIP reeval postgres: $why"
fi

echo "reeval: $pass passed, $fail failed"
[ "$fail" = 0 ]
