#!/usr/bin/env bash
# notify: webhooks of `bulkhead serve` against a real HTTP receiver (tests/e2e/webhook_receiver.py,
# which checks each signature as the README tells a receiver to). Findings come from real advisories
# fed to the server (as in reeval.sh): finding.new reaches the receiver signed, within 1 s of the
# bundle's upload; the receiver killed for NOTIFY_DOWN_SECS (default 30) misses nothing, in order,
# with the failed attempts in the delivery log; a Slack-format webhook gets {"text"}; filters keep
# out what they should; only admins see or change webhooks; secrets are never returned again.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
# the sanitizer pass keeps the outage short: the plain pass shows the 30 s the issue asks for
if [ "${BH_SAN:-0}" = 1 ]; then DOWN=${NOTIFY_DOWN_SECS:-10}; else DOWN=${NOTIFY_DOWN_SECS:-30}; fi
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL notify: $BH not built"; echo "notify: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar python3; do
	command -v $t >/dev/null || { echo "SKIP notify: $t is not installed"; echo "notify: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-notify-e2e.XXXXXX)
SRV=; RCV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$RCV" ] && kill "$RCV" 2>/dev/null && wait "$RCV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the advisories (as reeval.sh): bundle 1 brings two findings, bundle 2 a third and a changed fix
cat >"$T/app.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app", "repo_tags": ["127.0.0.1:5000/team/app:1.0"]}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"},
 {"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible",
  "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"}]}
JSON
D1=sha256:$(printf 'a%.0s' $(seq 64))
mkdir -p "$T/b1" "$T/b2"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
sed -e 's/- fixed: "2.3"/- fixed: "2.4"/' "$T/b1/PYSEC-2020-341.yaml" | grep -v '^modified:' >"$T/b2/PYSEC-2020-341.yaml"
echo 'modified: "2030-01-01T00:00:00Z"' >>"$T/b2/PYSEC-2020-341.yaml"
cat >"$T/b2/PYSEC-2099-1.json" <<'JSON'
{"id": "PYSEC-2099-1", "modified": "2030-01-01T00:00:00Z", "summary": "test <advisory> & co",
 "affected": [{"package": {"name": "jw.util", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.0"}]}]}]}
JSON
for b in b1 b2; do tar -C "$T/$b" -czf "$T/$b.tar.gz" .; done

# ---- the receiver
SECRET=
start_rcv() {
	python3 "$SRC/tests/e2e/webhook_receiver.py" "$T/rport" "$T/rcv.jsonl" "$SECRET" 2>>"$T/rcv.err" &
	RCV=$!
	local i
	for i in $(seq 50); do
		[ -s "$T/rport" ] && curl -s -o /dev/null "http://127.0.0.1:$(cat "$T/rport")/" -X POST --data x 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_rcv() { kill "$RCV" 2>/dev/null; wait "$RCV" 2>/dev/null; RCV=; }

# ---- the server
data=$T/data
"$BH" serve --data "$data" --listen 127.0.0.1:0 --db-check-interval 1 -q 2>"$T/serve.log" &
SRV=$!
port=
for i in $(seq 100); do
	port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve.log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "notify: $pass passed, $fail failed"; exit 1; }
U=http://127.0.0.1:$port
AD=$("$BH" token create --data "$data" --role admin --name a 2>/dev/null)
V=$("$BH" token create --data "$data" --role viewer --name v 2>/dev/null)
O=$("$BH" token create --data "$data" --role operator --name o 2>/dev/null)
code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
get() { curl -s -H "Authorization: Bearer $AD" "$U$1"; }
settle() {
	local i s
	for i in $(seq 150); do
		s=$(get /api/v1/db)
		[ "$(jq -r .state <<<"$s")" = idle ] && [ "$(jq -r '.reevaluations' <<<"$s")" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- access and validation
check "webhooks: no token 401, viewer 403, operator 403" \
	"$(code GET /api/v1/webhooks '') $(code GET /api/v1/webhooks "$V") $(code POST /api/v1/webhooks "$O" -H 'Content-Type: application/json' --data '{"url":"http://127.0.0.1:1/"}')" "401 403 403"
check "bad URL 400" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data '{"url":"file:///etc/passwd"}')" 400
check "misspelt filter 400 naming it" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data '{"url":"http://127.0.0.1:1/","filter":{"severity":"high"}}') $(jq -r '.error.message' "$T/body" | grep -c 'filter.severity is not a filter')" "400 1"
check "bad min_severity 400" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data '{"url":"http://127.0.0.1:1/","filter":{"min_severity":"urgent"}}')" 400

# ---- webhooks: all findings (signed, secret made by the server), Slack text, and two that must stay quiet
[ -s "$T/rport" ] || free_port >"$T/rport"
R=http://127.0.0.1:$(cat "$T/rport")
check "POST webhook (findings): 201" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data "{\"name\":\"all findings\",\"url\":\"$R/hook\",\"filter\":{\"types\":[\"finding.*\"]}}")" 201
H1=$(jq -r .id "$T/body"); SECRET=$(jq -r .secret "$T/body")
check "the server made a 64-hex secret and shows it once" "$(grep -cE '^[0-9a-f]{64}$' <<<"$SECRET")" 1
check "POST webhook (slack): 201" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data "{\"url\":\"$R/slack\",\"format\":\"slack\",\"filter\":{\"types\":[\"finding.new\"]}}")" 201
check "POST webhook (critical only): 201" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data "{\"url\":\"$R/critical\",\"filter\":{\"types\":[\"finding.*\"],\"min_severity\":\"critical\"}}")" 201
check "POST webhook (another repository): 201" "$(code POST /api/v1/webhooks "$AD" -H 'Content-Type: application/json' --data "{\"url\":\"$R/other\",\"filter\":{\"repositories\":[\"team/other\"]}}")" 201
check "GET webhooks: 4, no secret in the answer" "$(get /api/v1/webhooks | jq '.items | length') $(get /api/v1/webhooks | grep -c "$SECRET")" "4 0"
start_rcv || ko "receiver started" "$(cat "$T/rcv.err")"
: >"$T/rcv.jsonl"

# ---- bundle 1: two finding.new, delivered within 1 s of the upload
code POST "/api/v1/images?digest=$D1" "$O" --data-binary @"$T/app.json" >/dev/null
at=$(get /api/v1/db | jq -r .reevaluations)
t0=$(date +%s.%N)
code POST /api/v1/db "$AD" --data-binary @"$T/b1.tar.gz" >/dev/null
settle "$at" || ko "bundle 1 re-evaluated" "$(get /api/v1/db)"
for i in $(seq 30); do [ "$(grep -c '"path": "/hook"' "$T/rcv.jsonl")" -ge 2 ] && break; sleep 0.1; done
hook() { jq -c "select(.path == \"$1\")" "$T/rcv.jsonl"; }
check "two finding.new delivered to /hook" "$(hook /hook | jq -r '.body.event.type' | sort | uniq -c | tr -s ' ')" " 2 finding.new"
check "every delivery signed and verified by the receiver" "$(hook /hook | jq -r '.sig_ok' | sort -u)" true
check "X-Bulkhead-Event and X-Bulkhead-Delivery headers" "$(hook /hook | jq -r '"\(.event) \(.delivery | test("^bhd-[0-9]+-[0-9]+$"))"' | sort -u)" "finding.new true"
lat=$(hook /hook | jq -s --argjson t0 "$t0" '[.[].t - $t0] | max')
check "delivered within 1 s of the bundle's upload (import + re-evaluation + delivery: ${lat} s)" "$(jq -n --argjson l "$lat" '$l < 1')" true
check "finding payload: advisory, package, db_version" "$(hook /hook | jq -r '.body.event.payload | "\(.advisory) \(.package) \(.db_version != null)"' | sort | tr '\n' ';')" \
	"GO-2024-2916 github.com/goharbor/harbor true;PYSEC-2020-341 jw.util true;"
check "slack webhook: {text} naming the advisory, unsigned (Slack checks its URL)" \
	"$(hook /slack | jq -r '.body.text' | grep -c '^\[bulkhead\] \*finding.new\*') $(hook /slack | jq -r '.signed' | sort -u)" "2 false"

# ---- the receiver down for $DOWN s while bundle 2 brings finding.new and finding.changed
stop_rcv
: >"$T/rcv.jsonl"
at=$(get /api/v1/db | jq -r .reevaluations)
code POST /api/v1/db "$AD" --data-binary @"$T/b2.tar.gz" >/dev/null
settle "$at" || ko "bundle 2 re-evaluated" "$(get /api/v1/db)"
# bundle 2 brings two finding events (a changed fix, a new advisory); a DB file noticed on disk may
# bring them in two re-evaluations, so wait for both
for i in $(seq 100); do
	nev=$(get '/api/v1/events?limit=1000' | jq '[.items[] | select(.type | startswith("finding."))] | length')
	[ "$nev" -ge 4 ] && break
	sleep 0.1
done
sleep "$DOWN"
fails=$(get "/api/v1/webhooks/$H1/deliveries" | jq '[.items[] | select(.delivered == false)] | length')
check "while the receiver was down: failed attempts logged with their error" "$([ "$fails" -ge 2 ] && echo yes) $(get "/api/v1/webhooks/$H1/deliveries" | jq -r '[.items[] | select(.delivered == false)][0].error | length > 0')" "yes true"
check "GET webhooks shows the failures and the next try" "$(get /api/v1/webhooks | jq -r --argjson id "$H1" '.items[] | select(.id == $id) | "\(.failures > 0) \(.next_try != null)"')" "true true"
start_rcv || ko "receiver restarted" "$(cat "$T/rcv.err")"
for i in $(seq 400); do [ "$(hook /hook | jq -r .delivery | sort -u | wc -l)" -ge $((nev - 2)) ] && break; sleep 0.1; done
check "after the outage: every finding event delivered, none missed ($((nev - 2)) new ones)" "$(hook /hook | jq -r .delivery | sort -u | wc -l)" "$((nev - 2))"
check "in event order" "$(hook /hook | jq -r '.body.event.seq' | awk '!seen[$0]++' | sort -n -c && echo sorted)" sorted
check "finding.changed carries the previous state" "$(hook /hook | jq -r 'select(.body.event.type == "finding.changed") | .body.event.payload.previous.fixed_version' | head -1)" 2.3
check "the new advisory's finding.new arrived too" "$(hook /hook | jq -r 'select(.body.event.type == "finding.new") | .body.event.payload.advisory' | sort -u)" PYSEC-2099-1
check "the finding names its image (repository and tag)" "$(hook /hook | jq -r '.body.images[0].repo_tags[0]' | sort -u)" "127.0.0.1:5000/team/app:1.0"
# the Slack webhook failed through the outage too, on its own backoff: wait for its retry as well
for i in $(seq 400); do [ "$(hook /slack | jq -r .body.text | grep -c 'PYSEC-2099-1')" -ge 1 ] && break; sleep 0.1; done
check "slack webhook: the new advisory too (finding.new only, as filtered)" "$(hook /slack | jq -r .body.text | grep -c 'PYSEC-2099-1') $(hook /slack | jq -r .body.text | grep -c 'finding.changed')" "1 0"
check "delivery log: the last attempt delivered with 200" "$(get "/api/v1/webhooks/$H1/deliveries?limit=1" | jq -r '.items[0] | "\(.delivered) \(.status)"')" "true 200"
check "filters: nothing for the critical-only and the other-repository webhooks" "$(hook /critical | wc -l) $(hook /other | wc -l)" "0 0"
check "DELETE webhook: 200, then 404" "$(code DELETE "/api/v1/webhooks/$H1" "$AD") $(code DELETE "/api/v1/webhooks/$H1" "$AD")" "200 404"
if command -v sqlite3 >/dev/null; then
	check "audit: webhook.add (4) and webhook.delete (1) recorded" \
		"$(sqlite3 "$data/bulkhead.db" "SELECT action || ':' || count(*) FROM audit WHERE action LIKE 'webhook.%' GROUP BY action ORDER BY action" | tr '\n' ' ')" "webhook.add:4 webhook.delete:1 "
else
	echo "SKIP audit rows: sqlite3 is not installed"
fi

echo "notify: $pass passed, $fail failed"
[ "$fail" = 0 ]
