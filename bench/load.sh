#!/usr/bin/env bash
# Load on `bulkhead serve` (issue 15 "Load"; a benchmark, not a test): AGENTS simulated agents
# (bench/loadgen.c, one agent token and host each) POST RATE events/s for SECS seconds in a batch
# every BATCH_MS on loopback; at KILL_AT seconds the server is killed with SIGKILL and restarted on
# the same data and port (the agents keep resending with the same idempotency keys). Afterwards
# every acknowledged key is looked up in what GET /api/v1/events pages out (and counted in the
# store with sqlite3/psql): lost = acknowledged but not stored, dup = stored more than once.
# Server RSS is sampled every second (VmRSS of /proc/PID/status), its maximum reported.
# Latency is per POST as the agent saw it; "outside" leaves out the requests that started between
# the kill and 1 s after the restarted server answered /healthz (the catch-up of the backlog).
#   STORE=sqlite|postgres|both (default both)  AGENTS=50 RATE=100 SECS=60 KILL_AT=30 (0: no kill)
#   BATCH_MS=100 PG_FSYNC=on  BUILD=build  KEEP=1 (keep the work dir)
# Prints a table, and one machine-readable "LOAD store=... " line per store (tests/e2e/load.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
BH=${BH:-$PWD/${BUILD:-build}/bulkhead}
STORE=${STORE:-both}
AGENTS=${AGENTS:-50}
RATE=${RATE:-100}
SECS=${SECS:-60}
KILL_AT=${KILL_AT:-30}
BATCH_MS=${BATCH_MS:-100}
DRAIN=${DRAIN:-30}
PG_FSYNC=${PG_FSYNC:-on}
PGBIN=${BH_PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$BH" ] || { echo "load: $BH is not built (make BUILD=...)" >&2; exit 2; }
for t in curl python3 cc; do command -v $t >/dev/null || { echo "load: $t is not installed" >&2; exit 2; }; done

W=$(mktemp -d /tmp/bh-load.XXXXXX)
chmod 711 "$W"
SRV= SAMPLER= PGDATA=
pgrun() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$PGDATA" ] && pgrun "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	if [ -n "${KEEP:-}" ]; then echo "load: work dir kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT

cc -O2 -std=c11 -Wall -Wextra -Werror -o "$W/loadgen" bench/loadgen.c -lcurl -ljansson -lpthread || exit 2

ms() { date +%s%3N; }

# start_serve LOGFILE LISTEN NTH STOREARGS...: sets SRV and PORT (waits for the NTH "listening" line)
start_serve() {
	local log=$1 listen=$2 nth=$3 i; shift 3
	"$BH" serve "$@" --listen "$listen" -q 2>>"$log" &
	SRV=$!
	PORT=
	for i in $(seq 200); do
		PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | tail -1)
		[ -n "$PORT" ] && [ "$(grep -c 'listening on' "$log")" -ge "$nth" ] && break
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.05
	done
}

# start_pg DIR: a PostgreSQL 15 cluster in DIR on a Unix socket; sets PGURL or WHY
start_pg() {
	local d=$1 port=$((5500 + $$ % 400))
	WHY=
	[ -x "$PGBIN/initdb" ] || { WHY="no $PGBIN/initdb (Debian package postgresql; or set BH_PG_BINDIR)"; return 1; }
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then WHY="running as root and there is no postgres user"; return 1; fi
	mkdir -p "$d" && [ "$(id -u)" = 0 ] && chown postgres: "$d"
	pgrun "$PGBIN/initdb" -D "$d/data" -A trust -U postgres -E UTF8 >"$d/initdb.log" 2>&1 || { WHY="initdb failed: $(tail -1 "$d/initdb.log")"; return 1; }
	pgrun "$PGBIN/pg_ctl" -D "$d/data" -l "$d/log" -w -o "-p $port -k $d -c listen_addresses='' -c fsync=$PG_FSYNC -c max_connections=100" start >/dev/null 2>&1 ||
		{ WHY="pg_ctl start failed: $(tail -2 "$d/log" 2>/dev/null)"; return 1; }
	PGDATA=$d/data
	PGURL="host=$d port=$port user=postgres dbname=postgres"
}

# run_one LABEL: one load run; appends a table row to $W/table and prints a LOAD line
run_one() {
	local label=$1 S=() d log tokens
	d=$W/$label
	mkdir -p "$d"
	log=$d/serve.log; tokens=$d/tokens
	if [ "$label" = postgres ]; then
		if ! start_pg "$d/pg"; then
			echo "SKIP postgres: $WHY"
			echo "LOAD store=postgres skipped=1 why=\"$WHY\""
			return
		fi
		S=(--data "$d/data" --store "$PGURL")
	else
		S=(--data "$d/data")
	fi
	local i
	: >"$tokens"
	for i in $(seq -w 1 "$AGENTS"); do
		echo "agent$i $("$BH" token create "${S[@]}" --role agent --host "agent$i" --name "load$i" 2>/dev/null)" >>"$tokens"
	done
	local viewer
	viewer=$("$BH" token create "${S[@]}" --role viewer --name load-reader 2>/dev/null)
	start_serve "$log" 127.0.0.1:0 1 "${S[@]}"
	[ -n "$PORT" ] || { echo "load: $label: serve did not start: $(tail -3 "$log")"; return; }
	local url=http://127.0.0.1:$PORT
	echo "$SRV" >"$d/pid"
	# RSS every second, of whichever server process is current
	( while :; do p=$(cat "$d/pid" 2>/dev/null); awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null; sleep 1; done >"$d/rss" ) &
	SAMPLER=$!
	local t0 kill_ms= ready_ms=
	t0=$(ms)
	"$W/loadgen" --url "$url" --tokens "$tokens" --rate "$RATE" --seconds "$SECS" --batch-ms "$BATCH_MS" --drain "$DRAIN" \
		--acked "$d/acked" --log "$d/requests" --window "$d/window" >"$d/loadgen.out" 2>"$d/loadgen.err" &
	local LG=$!
	# a consumer following the event log as it grows (?after= the last seq it saw, every 100 ms):
	# an event that commits after a higher seq was already paged out is never seen by it ("skipped")
	python3 - "$url" "$viewer" "$d/follow.stop" >"$d/follow" 2>"$d/follow.err" <<'PY' &
import json, os, sys, time, urllib.request
url, tok, stop = sys.argv[1:4]
after = 0; seen = set(); final = False
while True:
    try:
        rq = urllib.request.Request(f"{url}/api/v1/events?type=bench.load&limit=1000&after={after}",
                                    headers={"Authorization": "Bearer " + tok})
        page = json.load(urllib.request.urlopen(rq, timeout=10))
    except Exception:
        time.sleep(0.1); continue
    for e in page["items"]:
        seen.add(e["idempotency_key"])
    if page["items"]:
        after = page["items"][-1]["seq"]
    if page.get("next"):
        continue
    if final:
        break
    if os.path.exists(stop):
        final = True
        continue
    time.sleep(0.1)
print("\n".join(sorted(seen)))
PY
	local FOL=$!
	if [ "$KILL_AT" -gt 0 ]; then
		sleep "$KILL_AT"
		kill -9 "$SRV"; kill_ms=$(ms); wait "$SRV" 2>/dev/null
		start_serve "$log" "127.0.0.1:$PORT" 2 "${S[@]}"
		echo "$SRV" >"$d/pid"
		for i in $(seq 200); do curl -sf -o /dev/null "$url/healthz" && break; sleep 0.02; done
		ready_ms=$(ms)
		echo "$kill_ms $((ready_ms + 1000))" >"$d/window"
	fi
	wait "$LG"
	touch "$d/follow.stop"; wait "$FOL"
	kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=
	local rss
	rss=$(sort -n "$d/rss" | tail -1)
	# every acknowledged key against what the API pages out, and the store's own count
	python3 - "$url" "$viewer" "$d/acked" "$d/follow" >"$d/verify" <<'PY'
import json, sys, urllib.request, collections
url, tok, ackf, followf = sys.argv[1:5]
keys = collections.Counter(); seqs = set(); after = 0; pages = 0; order_ok = True; last = 0
while True:
    rq = urllib.request.Request(f"{url}/api/v1/events?type=bench.load&limit=1000&after={after}",
                                headers={"Authorization": "Bearer " + tok})
    page = json.load(urllib.request.urlopen(rq, timeout=30)); pages += 1
    for e in page["items"]:
        keys[e["idempotency_key"]] += 1; seqs.add(e["seq"])
        if e["seq"] <= last: order_ok = False
        last = e["seq"]
    if not page.get("next"): break
    after = page["next"]
acked = [l.strip() for l in open(ackf) if l.strip()]
lost = sum(1 for k in acked if keys[k] == 0)
dup = sum(c - 1 for c in keys.values() if c > 1) + (sum(keys.values()) - len(seqs))
followed = set(l.strip() for l in open(followf) if l.strip())
skipped = sum(1 for k in keys if k not in followed)
print(f"stored={sum(keys.values())} lost={lost} dup={dup} unacked_stored={len(set(keys) - set(acked))} pages={pages} order_ok={int(order_ok)} follower_skipped={skipped}")
PY
	local direct
	if [ "$label" = postgres ]; then
		direct=$(pgrun psql -qtA "$PGURL" -c "SELECT count(*), count(DISTINCT idem_key) FROM events WHERE type = 'bench.load'" 2>&1 | tr '|' ' ')
	else
		direct=$(sqlite3 "$d/data/bulkhead.db" "SELECT count(*), count(DISTINCT idem_key) FROM events WHERE type = 'bench.load'" 2>&1 | tr '|' ' ')
	fi
	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
	[ -n "$PGDATA" ] && { pgrun "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1; PGDATA=; }
	local R V
	R=$(sed -n 's/^RESULT //p' "$d/loadgen.out")
	V=$(cat "$d/verify")
	[ -n "$R" ] || { echo "load: $label: loadgen gave no result: $(tail -3 "$d/loadgen.err")"; return; }
	get() { echo " $R $V " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
	echo "--- $label"; cat "$d/loadgen.out"; echo "verify: $V; in the store: $direct (rows, distinct keys)"
	[ -n "$kill_ms" ] && echo "kill -9 at $(( (kill_ms - t0) / 1000 )) s; restarted server answered /healthz $((ready_ms - kill_ms)) ms later"
	grep -c 'listening on' "$log" | sed 's/^/serve starts: /'
	printf '%-9s %6s %6s %10s %6s %4s %8s %8s %8s %8s %8s\n' "$label" "$AGENTS" "$RATE" "$(get acked)" "$(get lost)" "$(get dup)" \
		"$(get out_p50)" "$(get out_p99)" "$(get p99)" "$((rss / 1024))" "$(get follower_skipped)" >>"$W/table"
	echo "LOAD store=$label $R $V direct=\"$direct\" rss_kb=$rss kill_window_ms=$(( ${ready_ms:-0} - ${kill_ms:-0} ))"
}

echo "load: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start (the machine may be shared)"
printf '%-9s %6s %6s %10s %6s %4s %8s %8s %8s %8s %8s\n' store agents ev/s acked lost dup p50ms p99ms p99all rssMB skipped >"$W/table"
case $STORE in
	sqlite) run_one sqlite ;;
	postgres) run_one postgres ;;
	*) run_one sqlite; run_one postgres ;;
esac
echo "load: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo; cat "$W/table"
echo "(p50ms/p99ms: POST latency outside the kill window [kill, restart ready + 1 s]; p99all: every acknowledged POST;"
echo " skipped: stored events a consumer following GET /api/v1/events?after=LAST every 100 ms never saw)"
