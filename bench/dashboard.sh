#!/usr/bin/env bash
# dashboard: the dashboard's Overview and Images over N stored findings (default 10,000,000) on SQLite and
# PostgreSQL 15 in a temp dir (issue 17). The findings are bench/risk.sh's (bench/risk_fill.sh); beside
# them 1,000 images (image j has component j, so each holds N/1000 findings), 20 hosts and 2,000
# containers (about 480 images running). Times, with curl:
#   - the first GET /api/v1/ui/summary of a fresh server (no stored counts: counted on the spot) and the
#     count's own time (compute_ms);
#   - GET /api/v1/ui/summary and GET /api/v1/ui/image-findings from the stored counts (median of 5);
#   - after an upload: the GET right after it (the stored copy, stale: true) and how long until the
#     answer holds the new image (the worker's recount).
# BROWSER=1 (default when chromium and tests/browser are there) also times the Overview and Images
# pages in chromium (bench/dashboard_pages.mjs). Target: each GET < 100 ms, each page < 1 s.
#   N=10000000 STORE=sqlite|postgres|both bash bench/dashboard.sh       (KEEP=1 keeps the temp dir)
# Ports: HPORT (default 18521) and PGPORT (default 5491).
set -euo pipefail
BUILD=${BUILD:-build}
SRC=$(pwd)
BH="$SRC/$BUILD/bulkhead"
N=${N:-10000000}
STORE=${STORE:-both}
PGPORT=${PGPORT:-5491}
HPORT=${HPORT:-18521}
PGBIN=${BH_PG_BINDIR:-/usr/lib/postgresql/15/bin}
for t in curl jq sqlite3 psql; do command -v $t >/dev/null || { echo "dashboard: $t is needed" >&2; exit 1; }; done
[ -x "$BH" ] || { echo "dashboard: $BH not built (make BUILD=$BUILD)" >&2; exit 1; }
if [ -z "${BROWSER:-}" ]; then
	BROWSER=0
	command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$SRC/tests/browser/node_modules/playwright-core" ] && BROWSER=1
fi

T=$(mktemp -d /tmp/bh-dash-bench.XXXXXX)
chmod 711 "$T"
SRV=
PGDATA=
pgrun() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$PGDATA" ] && pgrun "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	if [ -n "${KEEP:-}" ]; then echo "kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

start() { # label, then serve's options
	local label=$1; shift
	"$BH" serve "$@" --data "$T/data-$label" --listen 127.0.0.1:$HPORT -q 2>"$T/serve-$label.log" &
	SRV=$!
	for _ in $(seq 600); do
		grep -q "listening on" "$T/serve-$label.log" && return 0
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	echo "dashboard: serve did not start: $(tail -3 "$T/serve-$label.log")" >&2
	exit 1
}
stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true; SRV=; }

. "$SRC/bench/risk_fill.sh"
# images, hosts, containers: written for both backends (the hex digest differs: printf / to_hex)
extra() { # hexdigest-expression, series-of-j(1..K)-as-FROM, K
	local hex=$1
	echo "
INSERT INTO hosts(name, first_seen, last_seen) SELECT 'node-' || j, 1765000000, 1765000000 FROM $2 WHERE j <= 20;
INSERT INTO images(digest, repo_tags, registry, first_seen, last_seen, ncomponents, has_sbom)
 SELECT 'sha256:' || $hex, '[\"registry.example.com/team' || (j % 20) || '/app' || j || ':1.0\"]', 'registry.example.com',
  1765000000, 1765000000, 1, 1 FROM $2;
INSERT INTO image_components(image_id, component_id, path, layer) SELECT j, j, '', 0 FROM $2;
INSERT INTO containers(host_id, container_id, image_digest, name, state, updated_at)
 SELECT 1 + j % 20, 'a' || j, 'sha256:' || $hex, 'app-' || j, CASE WHEN j % 3 = 0 THEN 'running' ELSE 'exited' END, 1765000000 FROM $2;
INSERT INTO containers(host_id, container_id, image_digest, name, state, updated_at)
 SELECT 1 + j % 20, 'b' || j, 'sha256:' || $hex, 'app-' || j || '-b', CASE WHEN j % 7 = 0 THEN 'running' ELSE 'removed' END, 1765000000 FROM $2;
"
}
LITE_EXTRA="BEGIN; $(extra "printf('%064x', j)" "(WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 1000) SELECT j FROM k) AS s") COMMIT; ANALYZE;"
PG_EXTRA="$(extra "lpad(to_hex(j), 64, '0')" "generate_series(1, 1000) AS s(j)") ANALYZE;"

ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }

measure() { # label, serve options...
	local label=$1; shift
	local tok U t i times cold before after dg
	tok=$("$BH" token create "$@" --data "$T/data-$label" --role operator --name bench 2>/dev/null)
	# a fresh server: no counts are stored yet, the first GET waits for the first count
	start "$label" "$@"
	U="http://127.0.0.1:$HPORT/api/v1"
	g() { curl -s -o "$T/out.json" -w '%{time_total}' -H "Authorization: Bearer $tok" "$U$1"; }
	cold=$(g "/ui/summary?days=30")
	echo "  first GET /ui/summary (nothing stored: counted then): $(ms "$cold") ms; the count took $(jq .compute_ms "$T/out.json") ms;"\
	     "open $(jq .findings.open "$T/out.json"), kev_running $(jq .findings.kev_running "$T/out.json"), images $(jq .images "$T/out.json")"
	for path in "/ui/summary?days=30" "/ui/summary?days=1" "/ui/image-findings"; do
		times=()
		for i in 1 2 3 4 5; do times+=("$(g "$path")"); done
		t=$(median5 "${times[@]}")
		echo "  GET $path stored: $(for x in "${times[@]}"; do printf '%s ' "$(ms "$x")"; done)ms, median $(ms "$t") ms;"\
		     "stale $(jq .stale "$T/out.json"), $(jq -c 'if .items then "\(.items | length) images, the first \(.items[0].total) findings" else "\(.trend | length) days" end' "$T/out.json")"
		awk -v m="$t" -v p="$path" -v l="$label" 'BEGIN { if (m * 1000 < 100) print "  PASS " l " GET " p ": " m * 1000 " ms < 100 ms"; else print "  FAIL " l " GET " p ": " m * 1000 " ms >= 100 ms" }'
	done
	# an upload: the next GET answers the stored copy at once, the worker recounts within about a second plus the count
	before=$(jq .images < <(curl -s -H "Authorization: Bearer $tok" "$U/ui/summary"))
	dg=sha256:$(printf 'e%.0s' $(seq 64))
	printf '{"schema":"bulkhead-sbom/1","target":{"name":"late","repo_tags":["registry.example.com/late:1"]},"os":{},"components":[]}' >"$T/late.json"
	curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' --data-binary "@$T/late.json" "$U/images?digest=$dg"
	s=$(date +%s.%N)
	t=$(g "/ui/summary")
	echo "  GET /ui/summary right after an upload: $(ms "$t") ms, stale $(jq .stale "$T/out.json"), images $(jq .images "$T/out.json") (before: $before)"
	for i in $(seq 1200); do
		g "/ui/summary" >/dev/null
		[ "$(jq .images "$T/out.json")" -gt "$before" ] && [ "$(jq .stale "$T/out.json")" = false ] && break
		sleep 0.1
	done
	echo "  the new image counted, stale false, after $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"\
	     "(the recount: $(jq .compute_ms "$T/out.json") ms)"
	if [ "$BROWSER" = 1 ]; then
		node "$SRC/bench/dashboard_pages.mjs" "http://127.0.0.1:$HPORT/" "$tok" 2>&1 | grep -v dev-shm || true
	else
		echo "  SKIP browser: needs node, /usr/bin/chromium and tests/browser/node_modules (sh scripts/setup.sh)"
	fi
	stop
}

echo "== dashboard bench: $N findings ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
if [ "$STORE" != postgres ]; then
	echo "-- sqlite"
	start sqlite
	stop
	s=$(date +%s)
	sqlite3 "$T/data-sqlite/bulkhead.db" "$LITE_FILL" >/dev/null
	sqlite3 "$T/data-sqlite/bulkhead.db" "$LITE_EXTRA" >/dev/null
	echo "  filled in $(( $(date +%s) - s )) s; file $(du -h "$T/data-sqlite/bulkhead.db" | cut -f1)"
	measure sqlite
fi
if [ "$STORE" != sqlite ]; then
	echo "-- postgres"
	pg_start
	if [ -n "$why" ]; then
		echo "SKIP postgres: $why"
	else
		PGS="host=$T/pg port=$PGPORT user=postgres dbname=postgres"
		start postgres --store "$PGS"
		stop
		s=$(date +%s)
		psql -q "$PGS" -v ON_ERROR_STOP=1 -f - <<<"$PG_FILL" >/dev/null
		psql -q "$PGS" -v ON_ERROR_STOP=1 -f - <<<"$PG_EXTRA" >/dev/null
		echo "  filled in $(( $(date +%s) - s )) s; findings table+indexes $(psql -At "$PGS" -c "SELECT pg_size_pretty(pg_total_relation_size('findings'))")"
		measure postgres --store "$PGS"
	fi
fi
