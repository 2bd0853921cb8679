#!/usr/bin/env bash
# multiserver: two `bulkhead serve` processes over one PostgreSQL 15 (started in a temp dir) and one DB
# file on a shared volume. A feed bundle posted to server A is imported and re-evaluated by A, which is
# killed with -9 in the middle of that re-evaluation (changes written, not committed: the test hook
# BH_TEST_REEVAL_PAUSE_MS holds it there). Server B, which noticed the new DB file but found the
# re-evaluation lock taken, gets the lock when A's connection dies and does the work: every finding
# and every finding.new event exists exactly once. A restarted A changes nothing. Both servers answer
# the same API over the same store throughout. SKIP (with the reason) without PostgreSQL.
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL multiserver: $BH not built"; echo "multiserver: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar; do
	command -v $t >/dev/null || { echo "SKIP multiserver: $t is not installed"; echo "multiserver: 0 passed, 0 failed (skipped)"; exit 0; }
done
T=$(mktemp -d /tmp/bh-multi-e2e.XXXXXX)
chmod 711 "$T"
A= B= PGDATA=
cleanup() {
	for p in $A $B; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/shared"
if ! pg_start "$T/pg" 5499; then
	echo "SKIP multiserver: $pg_why"; echo "multiserver: 0 passed, 0 failed (skipped)"; exit 0
fi
STORE="host=$T/pg port=5499 user=postgres dbname=postgres"
VDB=$T/shared/vuln.db

# start NAME [env...]: a server over the shared store and DB file; sets PORT_NAME and the pid
start() {
	local name=$1 port= i pid; shift
	env "$@" "$BH" serve --store "$STORE" --data "$T/data-$name" --db "$VDB" --db-check-interval 1 --listen 127.0.0.1:0 -q \
		2>"$T/serve-$name.log" &
	pid=$!
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve-$name.log")
		[ -n "$port" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	eval "PORT_$name=$port"
	eval "$name=$pid"
	[ -n "$port" ]
}
get() { curl -s -H "Authorization: Bearer $AD" "http://127.0.0.1:$1$2"; }

start A BH_TEST_REEVAL_PAUSE_MS=4000 || ko "server A started" "$(tail -2 "$T/serve-A.log")"
start B || ko "server B started" "$(tail -2 "$T/serve-B.log")"
AD=$("$BH" token create --store "$STORE" --role admin --name a 2>/dev/null)
O=$("$BH" token create --store "$STORE" --role operator --name o 2>/dev/null)
check "two servers over one PostgreSQL answer with the same token" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AD" "http://127.0.0.1:$PORT_A/api/v1/images") $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AD" "http://127.0.0.1:$PORT_B/api/v1/images")" "200 200"

cat >"$T/app.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app"}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"},
 {"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible",
  "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"}]}
JSON
D1=sha256:$(printf 'c%.0s' $(seq 64))
curl -s -o /dev/null -H "Authorization: Bearer $O" --data-binary @"$T/app.json" "http://127.0.0.1:$PORT_A/api/v1/images?digest=$D1"
check "an image uploaded to A is listed by B" "$(get "$PORT_B" /api/v1/images | jq -r '.items[0].digest')" "$D1"

mkdir -p "$T/b1"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
tar -C "$T/b1" -czf "$T/b1.tar.gz" .
check "bundle posted to A: 202" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AD" --data-binary @"$T/b1.tar.gz" "http://127.0.0.1:$PORT_A/api/v1/db")" 202
# A imports, starts re-evaluating, writes, and pauses before its commit
paused=
for i in $(seq 100); do
	grep -q "pausing .* before the commit" "$T/serve-A.log" && { paused=1; break; }
	sleep 0.1
done
[ -n "$paused" ] && ok "A is in the middle of its re-evaluation (changes written, not committed)" || ko "A paused" "$(tail -3 "$T/serve-A.log")"
sleep 1.5 # B notices the new DB file, and finds the re-evaluation lock taken
check "B found the re-evaluation lock held by A (GET /api/v1/db: waiting_for_lock)" "$(get "$PORT_B" /api/v1/db | jq -r .waiting_for_lock)" true
# (not the event log: on PostgreSQL a reader of it waits for A's transaction, which holds the
# event-order lock from its event inserts to its end)
check "nothing committed yet: no findings visible to B" "$(get "$PORT_B" /api/v1/findings | jq '.items | length')" 0
kill -9 "$A"; wait "$A" 2>/dev/null; A=
ok "A killed with -9 mid-job"

# B takes over at its next look (the lock went with A's connection)
done_b=
for i in $(seq 100); do
	[ "$(get "$PORT_B" /api/v1/findings | jq '.items | length')" = 2 ] && { done_b=1; break; }
	sleep 0.1
done
[ -n "$done_b" ] && ok "B re-evaluated after A died: 2 findings" || ko "B took over" "$(tail -3 "$T/serve-B.log")"
check "every finding.new event exactly once (2), one db.reevaluated" \
	"$(get "$PORT_B" '/api/v1/events?type=finding.new' | jq '.items | length') $(get "$PORT_B" '/api/v1/events?type=finding.new' | jq '[.items[].idempotency_key] | unique | length') $(get "$PORT_B" '/api/v1/events?type=db.reevaluated' | jq '.items | length')" \
	"2 2 1"

start A || ko "server A restarted" "$(tail -2 "$T/serve-A.log")"
sleep 1.5
check "A restarted: its start-up re-evaluation moved nothing, still 2 finding.new events" \
	"$(get "$PORT_A" /api/v1/db | jq '.last_reevaluation.keys_changed // 0') $(get "$PORT_A" '/api/v1/events?type=finding.new' | jq '.items | length')" "0 2"
check "both servers give the same findings" "$(get "$PORT_A" /api/v1/findings | jq -c '[.items[].advisory] | sort')" \
	"$(get "$PORT_B" /api/v1/findings | jq -c '[.items[].advisory] | sort')"

echo "multiserver: $pass passed, $fail failed"
[ "$fail" = 0 ]
