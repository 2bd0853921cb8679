#!/usr/bin/env bash
# Baselines and the network map through `bulkhead serve` (issue 18): a baseline exported by
# `bulkhead baseline` is imported over the API (YAML), read back as JSON and YAML, switched to
# protect, a deviation accepted into it with one call (audit-logged, operators only), its versions
# listed and diffed; a broken document is refused naming the field. The label rules of modes
# (GET/PUT /api/v1/baselines/modes): versioned, audited, operators write, viewers and agents read, an
# agent only while there are none, bad documents refused naming the field. network.snapshot events from two
# hosts become one map of nodes and edges, counters kept across an agent restart. SQLite and PostgreSQL.
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL blapi: $BH not built"; echo "blapi: 0 passed, 1 failed"; exit 1; }
for t in curl jq; do
	command -v $t >/dev/null || { echo "SKIP blapi: $t is not installed"; echo "blapi: 0 passed, 0 failed (skipped)"; exit 0; }
done
T=$(mktemp -d /tmp/bh-blapi-e2e.XXXXXX)
chmod 711 "$T"
SRV=; PGDATA=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
[ "${BL_KEEP:-0}" = 1 ] && trap - EXIT

"$BH" baseline import "$SRC/fuzz/corpus/baseline/app.yaml" --dir "$T/local" >/dev/null
"$BH" baseline export localhost/app --dir "$T/local" -o "$T/app.yaml"

snap() { # host edge-connections key [agent-run]
	local run=
	[ -n "${4:-}" ] && run="\"run\":\"$4\","
	cat <<JSON
[{"type":"network.snapshot","host":"$1","time":$(date +%s),"idempotency_key":"$1-$2-$3","payload":{ $run
 "nodes":[{"id":"container:aaa","kind":"container","name":"app","image":"localhost/app:1"},
          {"id":"container:bbb","kind":"container","name":"db","image":"localhost/db:1"},
          {"id":"external:93.184.216.34","kind":"external","addresses":["93.184.216.34"]},
          {"id":"","kind":"container"}, {"kind":"bad"}],
 "edges":[{"from":"container:aaa","to":"container:bbb","port":5432,"proto":"tcp","connections":$2,"bytes":$(($2 * 100)),"blocked":0,
           "first_seen":"2026-12-07T06:00:00Z","last_seen":"2026-12-07T06:10:00Z"},
          {"from":"container:aaa","to":"external:93.184.216.34","port":443,"proto":"tcp","connections":1,"bytes":10,"blocked":1},
          {"from":"x","to":"y","port":99999,"proto":"tcp"}, {"from":"x","to":"y","port":1,"proto":"icmp"}]}}]
JSON
}

suite() {
	local label=$1; shift
	local S=("$@") data=$T/data-$label
	"$BH" serve "${S[@]}" --data "$data" --listen 127.0.0.1:0 -q 2>"$T/serve-$label.log" &
	SRV=$!
	local port= i
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve-$label.log")
		[ -n "$port" ] && break
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then ko "$label: serve started" "$(tail -3 "$T/serve-$label.log")"; SRV=; return; fi
	local U=http://127.0.0.1:$port V O
	V=$("$BH" token create "${S[@]}" --data "$data" --role viewer --name v 2>/dev/null)
	O=$("$BH" token create "${S[@]}" --data "$data" --role operator --name secteam 2>/dev/null)
	code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
	get() { curl -s -H "Authorization: Bearer $V" "$U$1"; }

	check "$label: import the YAML export: 200, viewer 403" \
		"$(code PUT /api/v1/baselines "$O" --data-binary @"$T/app.yaml") $(code PUT /api/v1/baselines "$V" --data-binary @"$T/app.yaml")" "200 403"
	check "$label: import by POST too (the agent's way): 200, the version does not go back" \
		"$(code POST /api/v1/baselines "$O" --data-binary @"$T/app.yaml") $(jq -r .version "$T/body")" "200 4"
	check "$label: a broken document: 400 naming the field" \
		"$(code PUT /api/v1/baselines "$O" --data-binary $'repository: x\noutbound: [{peer: "10.0.0.0/40"}]\n') $(jq -r .error.message "$T/body" | grep -c 'outbound\[0\]')" "400 1"
	check "$label: list: one baseline in monitor with its entry counts" \
		"$(get /api/v1/baselines | jq -r '.items[] | "\(.repository) \(.mode) \(.entries.processes) \(.entries.outbound)"')" "localhost/app monitor 2 2"
	check "$label: the document as JSON and as YAML" \
		"$(get '/api/v1/baselines/doc?repository=localhost/app' | jq -r '.outbound[0].peer') $(get '/api/v1/baselines/doc?repository=localhost/app&format=yaml' | grep -c '^mode: "monitor"')" \
		"image:localhost/db 1"
	check "$label: mode protect (operator), viewer 403, unknown repository 404" \
		"$(code POST /api/v1/baselines/mode "$O" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","mode":"protect"}') $(code POST /api/v1/baselines/mode "$V" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","mode":"learn"}') $(code POST /api/v1/baselines/mode "$O" -H 'Content-Type: application/json' --data '{"repository":"nope/x","mode":"learn"}')" \
		"200 403 404"
	check "$label: accept a deviation: a process entry added" \
		"$(code POST /api/v1/baselines/accept "$O" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","entry":{"kind":"process","exe":"/bin/sh","parent":"/opt/bhr/app.sh"}}') $(jq -r .added "$T/body")" "200 true"
	check "$label: a bad entry: 400" \
		"$(code POST /api/v1/baselines/accept "$O" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","entry":{"kind":"outbound","peer":"somewhere","port":1}}')" 400
	local v; v=$(get '/api/v1/baselines/doc?repository=localhost/app' | jq -r .version)
	check "$label: versions listed newest first (4 of them)" "$(get '/api/v1/baselines/versions?repository=localhost/app' | jq -r '[.items[].mode] | join(",")')" "protect,protect,monitor,monitor"
	local first; first=$(get '/api/v1/baselines/versions?repository=localhost/app' | jq -r '.items[-1].version')
	check "$label: diff from the import: the shell added, mode monitor -> protect" \
		"$(get "/api/v1/baselines/diff?repository=localhost/app&from=$first" | jq -r '"\(.added[0].exe) \(.removed | length) \(.mode.from)->\(.mode.to) \(.to_version)"')" \
		"/bin/sh 0 monitor->protect $v"

	check "$label: mode learn with learn_for (what \`baseline learn --server --learn-for\` sends): 200, learning for 600 s; learn_for with protect 400" \
		"$(code POST /api/v1/baselines/mode "$O" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","mode":"learn","learn_for":600}') $(get '/api/v1/baselines/doc?repository=localhost/app' | jq -r '"\(.mode) \(.learn.duration_s)"') $(code POST /api/v1/baselines/mode "$O" -H 'Content-Type: application/json' --data '{"repository":"localhost/app","mode":"protect","learn_for":600}')" \
		"200 learn 600 400"

	# label rules of modes (modes.yaml on the server): PUT by operators (YAML or JSON), checked by the
	# one parser with the field named, versioned, audited; viewers and agents read them
	local AGT; AGT=$("$BH" token create "${S[@]}" --data "$data" --role agent --host h1 --name ag1 2>/dev/null)
	check "$label: modes: none yet (version 0), viewer and agent may read, no token 401" \
		"$(get /api/v1/baselines/modes | jq -c '[.version, .labels, .updated_by]') $(code GET /api/v1/baselines/modes "$AGT") $(code GET /api/v1/baselines/modes '')" "[0,[],null] 200 401"
	check "$label: modes PUT (YAML) by the operator: version 1; the viewer 403; nothing changed by the viewer" \
		"$(code PUT /api/v1/baselines/modes "$O" --data-binary $'apiVersion: bulkhead/v1\nkind: BaselineModes\nlabels:\n  - {label: "env=prod", mode: protect}\n  - {label: team, mode: monitor}\n') $(jq -c '[.version, .updated_by, [.labels[] | "\(.label):\(.mode)"]]' "$T/body") $(code PUT /api/v1/baselines/modes "$V" --data-binary 'labels: []') $(get /api/v1/baselines/modes | jq .version)" \
		'200 [1,"secteam",["env=prod:protect","team:monitor"]] 403 1'
	check "$label: modes PUT (JSON, if_version=1): version 2, read back by an agent, as YAML the modes.yaml document" \
		"$(code PUT '/api/v1/baselines/modes?if_version=1' "$O" -H 'Content-Type: application/json' --data '{"labels":[{"label":"tier=web","mode":"learn"},{"label":"env=prod","mode":"protect"}]}') $(curl -s -H "Authorization: Bearer $AGT" "$U/api/v1/baselines/modes" | jq -c '[.version, [.labels[].label]]') $(get '/api/v1/baselines/modes?format=yaml' | grep -c -e '^kind: BaselineModes$' -e '^  - {label: "tier=web", mode: learn}$')" \
		'200 [2,["tier=web","env=prod"]] 2'
	local bad b
	bad=
	for b in $'labels:\n  - {label: "env=prod", mode: protekt}\n|labels[0].mode' \
		$'labels:\n  - {label: a, mode: learn}\n  - {label: b, mode: learn, modes: x}\n|labels[1]: unknown field "modes"' \
		$'labels:\n  - {label: "=x", mode: learn}\n|labels[0].label' \
		$'labels:\n  - {label: a, mode: learn}\n  - {label: a, mode: monitor}\n|labels[1].label' \
		$'labels:\n  - {mode: learn}\n|labels[0].label: missing' \
		$'lables: []\n|unknown field "lables"' \
		$'kind: Baseline\nlabels: []\n|body.kind' \
		$'labels: {a: b}\n|body.labels: not a list'; do
		code PUT /api/v1/baselines/modes "$O" --data-binary "${b%%|*}" >"$T/c"
		[ "$(cat "$T/c")" = 400 ] && jq -r .error.message "$T/body" | grep -qF -- "${b#*|}" || bad="$bad [${b#*|}: $(cat "$T/c") $(jq -r .error.message "$T/body")]"
	done
	check "$label: modes: 8 bad documents refused with 400 naming the field (mode, unknown field, label, duplicate, missing, top level, kind, list)$bad" "$bad" ""
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/big-modes"
	check "$label: modes: an empty body 400, 2 MiB 413, a stale if_version 409, an agent while the server has rules 409; still version 2" \
		"$(code PUT /api/v1/baselines/modes "$O" --data-binary '') $(code PUT /api/v1/baselines/modes "$O" --data-binary @"$T/big-modes") $(code PUT '/api/v1/baselines/modes?if_version=1' "$O" --data-binary 'labels: []') $(code PUT /api/v1/baselines/modes "$AGT" --data-binary 'labels: []') $(get /api/v1/baselines/modes | jq .version)" \
		"400 413 409 409 2"
	check "$label: modes: labels: [] removes every rule (version 3)" \
		"$(code PUT /api/v1/baselines/modes "$O" --data-binary $'labels: []\n') $(get /api/v1/baselines/modes | jq -c '[.version, .labels]')" "200 [3,[]]"

	# network: two hosts, the second restarting (counters from 0 again)
	code POST /api/v1/events "$O" --data-binary "$(snap h1 10 a)" >/dev/null
	code POST /api/v1/events "$O" --data-binary "$(snap h2 5 a)" >/dev/null
	code POST /api/v1/events "$O" --data-binary "$(snap h1 12 b)" >/dev/null
	code POST /api/v1/events "$O" --data-binary "$(snap h1 3 c)" >/dev/null
	# h3's agent says its run: a restart is seen even when the new run has already counted past the old
	code POST /api/v1/events "$O" --data-binary "$(snap h3 5 a r1)" >/dev/null
	code POST /api/v1/events "$O" --data-binary "$(snap h3 8 b r2)" >/dev/null
	code POST /api/v1/events "$O" --data-binary "$(snap h3 9 c r2)" >/dev/null
	get /api/v1/network >"$T/net-$label.json"
	check "$label: network: 3 nodes (malformed ones left out), the app seen from both hosts" \
		"$(jq -r '[(.nodes | length), (.nodes[] | select(.id == "container:aaa") | .hosts | sort | join("+"))] | join(" ")' "$T/net-$label.json")" "3 h1+h2+h3"
	check "$label: network: edges per host; h1's counters kept across its restart (12 + 3), h3's across a new run (5 + 9)" \
		"$(jq -r '[.edges[] | select(.port == 5432) | "\(.host):\(.connections):\(.bytes)"] | sort | join(" ")' "$T/net-$label.json")" "h1:15:1500 h2:5:500 h3:14:1400"
	check "$label: network: the blocked edge to the outside, malformed edges left out" \
		"$(jq -r '"\([.edges[] | select(.port == 443 and .host == "h1") | .blocked] | join(" ")) \(.edges | length)"' "$T/net-$label.json")" "1 6"
	check "$label: network needs a token" "$(code GET /api/v1/network '')" 401

	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
	local audq="SELECT action || ':' || who FROM audit WHERE action LIKE 'baseline.%' ORDER BY id" audit=
	if [ "$label" = sqlite ] && command -v sqlite3 >/dev/null; then
		audit=$(sqlite3 "$data/bulkhead.db" "$audq")
	elif [ "$label" = postgres ] && command -v psql >/dev/null; then
		audit=$(psql -h "$T/pg" -p 5490 -U postgres -d postgres -tAc "$audq")
	else
		echo "SKIP blapi $label: audit rows not read (no sqlite3 / psql)"
	fi
	[ -n "$audit" ] && check "$label: audit: 2 baseline.put, baseline.mode, baseline.accept, baseline.mode, 3 baseline.modes by secteam (refused writes not logged)" \
		"$(sed 's/#[0-9]*$//' <<<"$audit" | tr '\n' ' ')" \
		"baseline.put:secteam baseline.put:secteam baseline.mode:secteam baseline.accept:secteam baseline.mode:secteam baseline.modes:secteam baseline.modes:secteam baseline.modes:secteam "
}

suite sqlite

why=
[ -z "$why" ] && ! pg_start "$T/pg" 5490 && why=$pg_why
if [ -z "$why" ]; then
	suite postgres --store "host=$T/pg port=5490 user=postgres dbname=postgres"
else
	echo "SKIP blapi postgres: $why"
fi

echo "blapi: $pass passed, $fail failed"
[ "$fail" = 0 ]
