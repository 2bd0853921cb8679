#!/usr/bin/env bash
# risk: the first page of GET /api/v1/findings?sort=risk&kev=true&running=true&limit=50 over N stored
# findings (default 10,000,000) on SQLite and on PostgreSQL 15 in a temp dir (issue 17). The store is
# made by `bulkhead serve` (migrations), then filled with SQL (recursive CTE / generate_series):
# 1,000 components, severities critical 5% / high 25% / medium 45% / low 20% / unknown 5%, 1% KEV,
# 20% running (1-3 containers), risk spread as src/vuln/risk.h would give it, a short terms array.
# Times the request with curl (median of 5 after one cold call) and prints the plan (an index scan).
#   N=10000000 STORE=sqlite|postgres|both bash bench/risk.sh        (KEEP=1 keeps the temp dir)
# BROWSER=1 also times the dashboard's findings page over each store in chromium (bench/findings_page.mjs).
set -euo pipefail
BUILD=${BUILD:-build}
SRC=$(pwd)
BH="$SRC/$BUILD/bulkhead"
N=${N:-10000000}
STORE=${STORE:-both}
PGPORT=${PGPORT:-5493}
HPORT=${HPORT:-18480}
PGBIN=${BH_PG_BINDIR:-/usr/lib/postgresql/15/bin}
for t in curl jq sqlite3 psql; do command -v $t >/dev/null || { echo "risk: $t is needed" >&2; exit 1; }; done
[ -x "$BH" ] || { echo "risk: $BH not built (make BUILD=$BUILD)" >&2; exit 1; }

T=$(mktemp -d /tmp/bh-risk-bench.XXXXXX)
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

start() { # label, then serve's store options
	local label=$1; shift
	"$BH" serve "$@" --data "$T/data-$label" --listen 127.0.0.1:$HPORT -q 2>"$T/serve-$label.log" &
	SRV=$!
	for _ in $(seq 300); do
		grep -q "listening on" "$T/serve-$label.log" && return 0
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	echo "risk: serve did not start: $(tail -3 "$T/serve-$label.log")" >&2
	exit 1
}
stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true; SRV=; }

# the rows (LITE_FILL, PG_FILL): bench/risk_fill.sh, shared with bench/dashboard.sh
. "$SRC/bench/risk_fill.sh"
# the statement bh_store_finding_list runs for this filter (values written in)
Q="SELECT (1000 - f.risk) * 1099511627776 + f.id, f.component_id, c.purl, c.eco, c.name, c.version, f.advisory, f.severity,
 f.fixed_version, f.state, f.db_version, f.kev, f.first_seen, f.updated_at, f.resolved_at, f.risk, f.risk_terms, f.running, f.id
 FROM findings f JOIN components c ON c.id = f.component_id WHERE 1 = 1 AND f.state = 'open' AND f.kev = 1 AND f.running > 0
 ORDER BY f.risk DESC, f.id LIMIT 50"

measure() { # label, serve options...
	local label=$1; shift
	local tok url times=() i med
	tok=$("$BH" token create "$@" --data "$T/data-$label" --role viewer --name bench 2>/dev/null)
	start "$label" "$@"
	url="http://127.0.0.1:$HPORT/api/v1/findings?sort=risk&kev=true&running=true&limit=50"
	cold=$(curl -s -o "$T/page-$label.json" -w '%{time_total}' -H "Authorization: Bearer $tok" "$url")
	for i in 1 2 3 4 5; do
		times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "$url")")
	done
	med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
	echo "  first call ${cold}s; then $(printf '%s ' "${times[@]}")s: median ${med}s"
	echo "  page: $(jq '.items | length' "$T/page-$label.json") items, all KEV: $(jq '[.items[].kev] | all' "$T/page-$label.json"),"\
	     "scores $(jq -c '[.items[0].risk.score, .items[-1].risk.score]' "$T/page-$label.json") (first, last), next cursor $(jq .next "$T/page-$label.json")"
	# the second page through the cursor
	nxt=$(jq -r .next "$T/page-$label.json")
	t2=$(curl -s -o "$T/page2-$label.json" -w '%{time_total}' -H "Authorization: Bearer $tok" "$url&after=$nxt")
	echo "  second page ${t2}s: scores $(jq -c '[.items[0].risk.score, .items[-1].risk.score]' "$T/page2-$label.json")"
	awk -v m="$med" -v l="$label" 'BEGIN { if (m * 1000 < 100) print "  PASS " l ": median " m * 1000 " ms < 100 ms"; else print "  FAIL " l ": median " m * 1000 " ms >= 100 ms" }'
	# BROWSER=1: the dashboard's findings page over this store, in chromium
	if [ "${BROWSER:-0}" = 1 ]; then
		if command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$SRC/tests/browser/node_modules/playwright-core" ]; then
			node "$SRC/bench/findings_page.mjs" "http://127.0.0.1:$HPORT/" "$tok" 2>&1 | grep -v dev-shm || true
		else
			echo "  SKIP browser: needs node, /usr/bin/chromium and tests/browser/node_modules (sh scripts/setup.sh)"
		fi
	fi
	stop
}

echo "== risk bench: $N findings ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
if [ "$STORE" != postgres ]; then
	echo "-- sqlite"
	start sqlite
	stop
	s=$(date +%s)
	sqlite3 "$T/data-sqlite/bulkhead.db" "$LITE_FILL" >/dev/null
	echo "  filled in $(( $(date +%s) - s )) s; $(sqlite3 "$T/data-sqlite/bulkhead.db" "SELECT count(*), sum(kev), sum(running > 0), sum(kev = 1 AND running > 0) FROM findings") (rows, KEV, running, both);"\
	     "file $(du -h "$T/data-sqlite/bulkhead.db" | cut -f1)"
	echo "  plan: $(sqlite3 "$T/data-sqlite/bulkhead.db" "EXPLAIN QUERY PLAN $Q" | tr '\n' ' ')"
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
		echo "  filled in $(( $(date +%s) - s )) s; $(psql -At "$PGS" -c "SELECT count(*), sum(kev), sum((running > 0)::int), sum((kev = 1 AND running > 0)::int) FROM findings") (rows, KEV, running, both);"\
		     "table+indexes $(psql -At "$PGS" -c "SELECT pg_size_pretty(pg_total_relation_size('findings'))")"
		echo "  plan:"
		psql -At "$PGS" -c "EXPLAIN (ANALYZE, BUFFERS) $Q" | sed 's/^/    /'
		measure postgres --store "$PGS"
	fi
fi
