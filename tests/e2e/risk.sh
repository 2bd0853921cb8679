#!/usr/bin/env bash
# risk: the risk order of `bulkhead serve` (issue 17). A fleet of three image SBOMs (Go stdlib 1.12.0;
# wazuh 4.8.0 + golang.org/x/net 0.10.0; golang.org/x/crypto 0.1.0 + urllib3 2.0.5 + cryptography
# 41.0.5) matched against the real Go vulndb, PyPA advisories and CISA KEV, plus the EPSS FIXTURE
# tests/fixtures/epss/epss_scores-sample.csv (made-up scores in FIRST's format: no real EPSS snapshot
# exists offline). Containers start and stop through /api/v1/events; GET /api/v1/findings?sort=risk
# must list the findings by score with the terms that made it (KEV date, EPSS date and model, running
# containers and hosts, fix), kev=true&running=true must be the running known-exploited ones only,
# paging by cursor must continue the order, POST /api/v1/findings/rescore (admin) must follow a stop.
# Prints the top 10 with their terms and why each is above the next. SQLite, then PostgreSQL 15 in a
# temp dir (SKIP with the reason when it cannot start).
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
DATA=${BH_SHARED_DATA:-$SRC/../shared/data}
PGPORT=${BH_RISK_PGPORT:-5493}
HPORT=${BH_RISK_HPORT:-18482}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL risk: $BH not built"; echo "risk: 0 passed, 1 failed"; exit 1; }
for t in curl jq; do
	command -v $t >/dev/null || { echo "SKIP risk: $t is not installed"; echo "risk: 0 passed, 0 failed (skipped)"; exit 0; }
done
for d in golang-vulndb pypa-advisory-database kev; do
	[ -d "$DATA/$d" ] || { echo "SKIP risk: $DATA/$d missing (set BH_SHARED_DATA)"; echo "risk: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-risk-e2e.XXXXXX)
chmod 711 "$T"
SRV=
PGDATA=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/a.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app-a"}, "os": {}, "components": [
 {"ecosystem": "golang", "name": "stdlib", "version": "v1.12.0", "purl": "pkg:golang/stdlib@v1.12.0"}]}
JSON
cat >"$T/b.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app-b"}, "os": {}, "components": [
 {"ecosystem": "golang", "name": "github.com/wazuh/wazuh", "version": "v4.8.0+incompatible",
  "purl": "pkg:golang/github.com/wazuh/wazuh@v4.8.0%2Bincompatible"},
 {"ecosystem": "golang", "name": "golang.org/x/net", "version": "v0.10.0", "purl": "pkg:golang/golang.org/x/net@v0.10.0"}]}
JSON
cat >"$T/c.json" <<'JSON'
{"schema": "bulkhead-sbom/1", "target": {"name": "app-c"}, "os": {}, "components": [
 {"ecosystem": "golang", "name": "golang.org/x/crypto", "version": "v0.1.0", "purl": "pkg:golang/golang.org/x/crypto@v0.1.0"},
 {"ecosystem": "pypi", "name": "urllib3", "version": "2.0.5", "purl": "pkg:pypi/urllib3@2.0.5"},
 {"ecosystem": "pypi", "name": "cryptography", "version": "41.0.5", "purl": "pkg:pypi/cryptography@41.0.5"}]}
JSON
DA=sha256:$(printf 'a%.0s' $(seq 64))
DB=sha256:$(printf 'b%.0s' $(seq 64))
DC=sha256:$(printf 'c%.0s' $(seq 64))
if ! "$BH" db import -q --db "$T/vuln.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/kev" \
	"$SRC/tests/fixtures/epss/epss_scores-sample.csv" >"$T/import.log" 2>&1; then
	echo "FAIL risk: db import: $(tail -2 "$T/import.log")"; echo "risk: 0 passed, 1 failed"; exit 1
fi
KEVDATE=$(jq -r '.vulnerabilities[] | select(.cveID == "CVE-2025-24016") | .dateAdded' "$DATA/kev/known_exploited_vulnerabilities.json")

suite() {
	local label=$1; shift
	local S=("$@") data=$T/data-$label
	"$BH" serve "${S[@]}" --data "$data" --db "$T/vuln.db" --listen 127.0.0.1:$HPORT -q 2>"$T/serve-$label.log" &
	SRV=$!
	local i up=
	for i in $(seq 100); do
		grep -q "listening on" "$T/serve-$label.log" && { up=1; break; }
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$up" ]; then ko "$label: serve started" "$(tail -3 "$T/serve-$label.log")"; SRV=; return; fi
	local U=http://127.0.0.1:$HPORT AD V O
	AD=$("$BH" token create "${S[@]}" --data "$data" --role admin --name a 2>/dev/null)
	V=$("$BH" token create "${S[@]}" --data "$data" --role viewer --name v 2>/dev/null)
	O=$("$BH" token create "${S[@]}" --data "$data" --role operator --name o 2>/dev/null)
	code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
	get() { curl -s -H "Authorization: Bearer $V" "$U$1"; }
	ev() { # type host container image seq
		printf '{"type":"%s","host":"%s","container":"%s","time":%s,"payload":{"image":"%s","name":"%s"},"idempotency_key":"%s-%s"}\n' \
			"$1" "$2" "$3" "$5" "$4" "$3" "$3" "$5" >>"$T/ev-$label.jsonl"
	}

	check "$label: three images stored (201 each)" \
		"$(code POST "/api/v1/images?digest=$DA" "$O" --data-binary @"$T/a.json") $(code POST "/api/v1/images?digest=$DB" "$O" --data-binary @"$T/b.json") $(code POST "/api/v1/images?digest=$DC" "$O" --data-binary @"$T/c.json")" \
		"201 201 201"
	local total
	total=$(get "/api/v1/findings?limit=1000" | jq '.items | length')
	check "$label: findings scored at upload (every one has a score and 7 terms)" \
		"$(get "/api/v1/findings?limit=1000" | jq '[.items[] | select(.risk.score > 0 and (.risk.terms | length) == 7)] | length')" "$total"

	# the fleet: app-b on two hosts, app-c on one, app-a started and stopped
	: >"$T/ev-$label.jsonl"
	ev container.start h1 cb1 "$DB" 101; ev container.start h2 cb2 "$DB" 102; ev container.start h1 cc1 "$DC" 103
	ev container.start h2 ca1 "$DA" 104; ev container.die h2 ca1 "$DA" 105
	check "$label: container events accepted" "$(code POST /api/v1/events "$O" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/ev-$label.jsonl")" 200
	check "$label: POST /api/v1/findings/rescore: no token 401, viewer 403, operator 403" \
		"$(code POST /api/v1/findings/rescore '') $(code POST /api/v1/findings/rescore "$V") $(code POST /api/v1/findings/rescore "$O")" "401 403 403"
	check "$label: POST /api/v1/findings/rescore (admin): every open finding scored" \
		"$(code POST /api/v1/findings/rescore "$AD") $(jq .scored "$T/body")" "200 $total"

	local all top
	all=$(get "/api/v1/findings?limit=1000")
	check "$label: default order is risk, highest first, ties by id" \
		"$(jq '[.items[] | [-.risk.score, .id]] as $k | $k == ($k | sort)' <<<"$all")" true
	check "$label: sort=risk is the default" "$(get "/api/v1/findings?sort=risk&limit=1000" | jq -c '[.items[].id]')" "$(jq -c '[.items[].id]' <<<"$all")"
	check "$label: terms in a fixed order" "$(jq -r '[.items[] | [.risk.terms[].name] | join(",")] | unique | join(" ")' <<<"$all")" \
		"severity,kev,epss,running,exposure,fix,policy"
	# the wazuh finding: KEV with its date, EPSS with the snapshot's date and model, two hosts
	local w
	w=$(jq -c '[.items[] | select(.advisory == "GO-2025-3459")][0]' <<<"$all")
	check "$label: GO-2025-3459 (wazuh): KEV term with dateAdded" \
		"$(jq -r '.risk.terms[] | select(.name == "kev") | "\(.value)|\(.weight)|\(.source)|\(.date)"' <<<"$w")" "known exploited|200|CISA KEV|$KEVDATE"
	check "$label: GO-2025-3459: EPSS term from the fixture, outranked by KEV" \
		"$(jq -r '.risk.terms[] | select(.name == "epss") | "\(.value)|\(.weight)|\(.source)|\(.date)"' <<<"$w")" \
		"probability 0.91000, percentile 0.99600 (KEV outranks it)|100|EPSS v2025.03.14|2026-12-01"
	check "$label: GO-2025-3459: running on two hosts" \
		"$(jq -r '.risk.terms[] | select(.name == "running") | "\(.value)|\(.weight)"' <<<"$w")" "2 running containers on 2 hosts|105"
	# no severity but known exploited: rated high, 75 x 2.00 x 1.05 x 1.00 x 1.05 (fix 4.9.1) = 165.4 of 641.025
	check "$label: GO-2025-3459: score 75 x 2.00 x 1.05 x 1.05 -> 258, the top of the fleet" \
		"$(jq .risk.score <<<"$w") $(jq -r '.items[0].advisory' <<<"$all")" "258 GO-2025-3459"
	local s
	s=$(jq -c '[.items[] | select(.advisory == "GO-2022-0535")][0]' <<<"$all")
	check "$label: GO-2022-0535 (stdlib, KEV, stopped): not running, below the running KEV one" \
		"$(jq -r '.risk.terms[] | select(.name == "running") | "\(.value)|\(.weight)"' <<<"$s") $(jq -n --argjson a "$w" --argjson b "$s" '$a.risk.score > $b.risk.score')" \
		"not running|60 true"
	local u
	u=$(jq -c '[.items[] | select(.advisory == "PYSEC-2023-192")][0]' <<<"$all")
	check "$label: PYSEC-2023-192 (urllib3): CVSS vector in the severity term" \
		"$(jq -r '.risk.terms[0] | "\(.weight)|\(.value | test("CVSS 8.1 \\(CVSS:3"))"' <<<"$u")" "81|true"
	check "$label: kev=true&running=true: the running known-exploited findings only" \
		"$(get "/api/v1/findings?kev=true&running=true" | jq -r '[.items[].advisory] | join(",")')" "GO-2025-3459"
	check "$label: kev=true: both known-exploited, running first" \
		"$(get "/api/v1/findings?kev=true" | jq -r '[.items[].advisory] | join(",")')" "GO-2025-3459,GO-2022-0535"
	# paging continues the order
	local p1 nx p2
	p1=$(get "/api/v1/findings?limit=5")
	nx=$(jq -r .next <<<"$p1")
	p2=$(get "/api/v1/findings?limit=5&after=$nx")
	check "$label: two pages of 5 by cursor = the first 10" \
		"$(jq -c '[.items[].id]' <<<"$p1")$(jq -c '[.items[].id]' <<<"$p2")" "$(jq -c '[.items[0:5][].id]' <<<"$all")$(jq -c '[.items[5:10][].id]' <<<"$all")"
	check "$label: sort=id: by id" "$(get "/api/v1/findings?sort=id&limit=1000" | jq '[.items[].id] as $k | $k == ($k | sort)')" true
	check "$label: sort=bogus: 400" "$(code GET "/api/v1/findings?sort=bogus" "$V")" 400

	if [ "$label" = sqlite ]; then
		echo "---- top 10 by risk ($label), with the terms and why each is above the next"
		jq -r '.items[0:10] as $t | range(0; $t | length) as $i | $t[$i] as $a |
			"\($i + 1). \($a.risk.score)  \($a.advisory)  \($a.package) \($a.version)\n" +
			([$a.risk.terms[] | "     \(.name): \(.value) [\(.weight)]\(if .date then " (" + .date + ")" else "" end)"] | join("\n")) +
			(if $i + 1 < ($t | length) then
				($t[$i + 1]) as $b |
				"\n     above #\($i + 2) because: " +
				(if $a.risk.score == $b.risk.score then "the same score \($a.risk.score); the lower id (\($a.id) < \($b.id)) first"
				 else ([range(0; 7) as $k | select($a.risk.terms[$k].weight != $b.risk.terms[$k].weight) |
					"\($a.risk.terms[$k].name) \($a.risk.terms[$k].weight) vs \($b.risk.terms[$k].weight)"] | join(", ")) +
					" (products \($a.risk.score) > \($b.risk.score))" end)
			else "" end)' <<<"$all"
	fi

	# app-b stops everywhere: after a rescore the KEV finding is no longer running
	: >"$T/ev-$label.jsonl"
	ev container.die h1 cb1 "$DB" 201; ev container.die h2 cb2 "$DB" 202
	code POST /api/v1/events "$O" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/ev-$label.jsonl" >/dev/null
	code POST /api/v1/findings/rescore "$AD" >/dev/null
	check "$label: after app-b stops and a rescore: kev&running empty, wazuh not running, score 147" \
		"$(get "/api/v1/findings?kev=true&running=true" | jq '.items | length') $(get "/api/v1/findings?advisory=GO-2025-3459" | jq -r '.items[0] | "\(.risk.terms[3].value) \(.risk.score)"')" \
		"0 not running 147"

	# exposure: the agent sends the inspect fields exposure depends on with container.* events; the
	# server keeps them (typed, rebuilt) and the network map's inbound edges from outside add to them
	local cfg xf
	cfg='{"HostConfig":{"Privileged":true,"NetworkMode":"bridge","CapAdd":["NET_ADMIN"],"Devices":"kept out","PortBindings":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080","Evil":"x"}],"81/tcp":null}},"NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}}}'
	printf '{"type":"container.start","host":"h1","container":"cc1","time":301,"payload":{"image":"%s","name":"cc1","config":%s},"idempotency_key":"cc1-301"}\n' \
		"$DC" "$cfg" >"$T/ev-$label.jsonl"
	code POST /api/v1/events "$O" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/ev-$label.jsonl" >/dev/null
	check "$label: the container's stored config holds the exposure fields only" \
		"$(get "/api/v1/containers?image=$DC" | jq -c '.items[0].config | [.HostConfig.Privileged, .HostConfig.CapAdd, (.HostConfig | has("Devices")), .HostConfig.PortBindings["80/tcp"][0], .HostConfig.PortBindings["81/tcp"]]')" \
		'[true,["NET_ADMIN"],false,{"HostIp":"0.0.0.0","HostPort":"8080"},null]'
	xf=$(get "/api/v1/findings?image=$DC&limit=1" | jq -c '.items[0]')
	check "$label: exposure from the config: 1 published port, privileged, 1 added capability (x1.50)" \
		"$(jq -r '.risk.terms[] | select(.name == "exposure") | "\(.value)|\(.weight)|\(.source)"' <<<"$xf")" \
		"1 published port, privileged, 1 added capability|150|container config"
	cat >"$T/snap-$label.json" <<JSON
[{"type":"network.snapshot","host":"h1","time":302,"idempotency_key":"snap-h1-302","payload":{
 "nodes":[{"id":"container:cc1","kind":"container","name":"cc1"},{"id":"external:203.0.113.7","kind":"external"},
          {"id":"external:198.51.100.9","kind":"external"},{"id":"container:cb1","kind":"container","name":"cb1"}],
 "edges":[{"from":"external:203.0.113.7","to":"container:cc1","port":80,"proto":"tcp","connections":3},
          {"from":"external:198.51.100.9","to":"container:cc1","port":80,"proto":"tcp","connections":1},
          {"from":"container:cc1","to":"external:203.0.113.7","port":443,"proto":"tcp","connections":5},
          {"from":"external:203.0.113.7","to":"container:cb1","port":80,"proto":"tcp","connections":9}]}}]
JSON
	code POST /api/v1/events "$O" --data-binary @"$T/snap-$label.json" >/dev/null
	code POST /api/v1/findings/rescore "$AD" >/dev/null
	local xf2
	xf2=$(get "/api/v1/findings?image=$DC&advisory=$(jq -r .advisory <<<"$xf")" | jq -c '.items[0]')
	check "$label: the network map adds what it saw: two external peers connected in (x1.70), the score rises" \
		"$(jq -r '.risk.terms[] | select(.name == "exposure") | "\(.value)|\(.weight)|\(.source)"' <<<"$xf2") $(jq -n --argjson a "$xf2" --argjson b "$xf" '$a.risk.score > $b.risk.score')" \
		"1 published port, privileged, 1 added capability, reached from outside by 2 peers|170|container config, network map true"
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SRV=
}

# ---- the CLI: `bulkhead scan` orders by the same score and writes the same terms
"$BH" scan -q --db "$T/vuln.db" -f json "$T/c.json" >"$T/scan-c.json" 2>"$T/scan.err"
check "cli: scan -f json: findings by risk, highest first, 7 terms each" \
	"$(jq '[.findings[].risk.score] as $s | ($s == ($s | sort | reverse)) and ([.findings[] | .risk.terms | length] | unique == [7]) and (.findings | length > 5)' "$T/scan-c.json")" true
check "cli: a local scan does not know where the image runs" \
	"$(jq -r '[.findings[].risk.terms[3].value] | unique | join(",")' "$T/scan-c.json")" "not known (local scan)"
check "cli: urllib3 PYSEC-2023-192 first: CVSS 8.1 x EPSS 1.49 x 0.80 x 1.05 -> 158" \
	"$(jq -r '.findings[0] | "\(.id) \(.risk.score)"' "$T/scan-c.json")" "PYSEC-2023-192 158"
"$BH" scan -q --db "$T/vuln.db" -f json "$T/b.json" >"$T/scan-b.json"
check "cli: the KEV finding of app-b first, with dateAdded and the EPSS snapshot date" \
	"$(jq -r '.findings[0] | "\(.id) \(.risk.terms[1].date) \(.risk.terms[2].date)"' "$T/scan-b.json")" "GO-2025-3459 $KEVDATE 2026-12-01"
check "cli: --sort severity keeps the severity order, --sort package groups by package" \
	"$("$BH" scan -q --db "$T/vuln.db" -f json --sort severity "$T/c.json" | jq -r '[.findings[].severity] as $v | [$v[] | {"CRITICAL":4,"HIGH":3,"MEDIUM":2,"LOW":1,"UNKNOWN":0}[.]] as $r | $r == ($r | sort | reverse)') $("$BH" scan -q --db "$T/vuln.db" -f json --sort package "$T/c.json" | jq -r '[.findings[].package] as $p | $p == ($p | sort)')" "true true"
"$BH" scan -q --db "$T/vuln.db" "$T/b.json" >"$T/scan-b.txt"
check "cli: the table has a RISK column and a risk line of terms" \
	"$(grep -c '^SEVERITY ID *RISK PACKAGE' "$T/scan-b.txt") $(grep -c 'risk 197: severity unknown, known exploited' "$T/scan-b.txt")" "1 1"
"$BH" scan -q --db "$T/vuln.db" --sort bogus "$T/b.json" >/dev/null 2>"$T/sort.err"; rc=$?
check "cli: --sort bogus is a usage error" "$rc $(grep -c 'takes risk, severity or package' "$T/sort.err")" "2 1"

suite sqlite

why=
[ -z "$why" ] && ! pg_start "$T/pg" $PGPORT && why=$pg_why
if [ -z "$why" ]; then
	suite postgres --store "host=$T/pg port=$PGPORT user=postgres dbname=postgres"
else
	echo "SKIP risk postgres: $why"
fi

echo "risk: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
