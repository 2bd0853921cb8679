#!/usr/bin/env bash
# exceptions: accepted risks through `bulkhead serve` (issue 17). Findings come from real advisories
# (as reeval.sh). An advisory accepted for one image, for a repository (with or without its registry
# host) or everywhere disappears from the finding list exactly where it should (a component shared
# with an image out of scope stays), shows again with ?accepted=true naming the exception, and comes
# back by itself when the exception expires (one exception.expired event); revoking ends it at once.
# The OpenVEX export validates against the official schema and, given to `bulkhead scan --vex`,
# suppresses the same finding in CI; the ignore-file export does the same with --ignore-file. Only
# operators and admins change exceptions, every change is audited. Check rules are accepted the same
# way: an image's own checks (a CI scan upload), a host's CIS results and a container's (judged by
# the image it runs) for a repository, an image, a host or everywhere, hidden from the check lists,
# shown again with ?accepted=true, back at expiry, and in the ignore export that `bulkhead scan
# --ignore-file` reads (checked on a real Dockerfile scan). SQLite and PostgreSQL.
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL exceptions: $BH not built"; echo "exceptions: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar python3; do
	command -v $t >/dev/null || { echo "SKIP exceptions: $t is not installed"; echo "exceptions: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-exceptions-e2e.XXXXXX)
chmod 711 "$T"
SRV=; PGDATA=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT

# three images: two tags of team/app (jw.util and harbor), other/svc (jw.util only)
D1=sha256:$(printf '1%.0s' $(seq 64)); D2=sha256:$(printf '2%.0s' $(seq 64)); D3=sha256:$(printf '3%.0s' $(seq 64))
sbom() { # digest tag with-harbor
	local h=
	[ "$3" = 1 ] && h=', {"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible", "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"}'
	cat <<JSON
{"schema": "bulkhead-sbom/1", "target": {"name": "$2", "repo_tags": ["$2"], "repo_digests": ["${2%:*}@$1"]}, "os": {}, "components": [
 {"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"}$h]}
JSON
}
sbom "$D1" 127.0.0.1:5000/team/app:1.0 1 >"$T/d1.json"
sbom "$D2" 127.0.0.1:5000/team/app:2.0 1 >"$T/d2.json"
sbom "$D3" 127.0.0.1:5000/other/svc:1 0 >"$T/d3.json"
mkdir -p "$T/b1"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
tar -C "$T/b1" -czf "$T/b1.tar.gz" .

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
	local U=http://127.0.0.1:$port AD V O
	AD=$("$BH" token create "${S[@]}" --data "$data" --role admin --name a 2>/dev/null)
	V=$("$BH" token create "${S[@]}" --data "$data" --role viewer --name v 2>/dev/null)
	O=$("$BH" token create "${S[@]}" --data "$data" --role operator --name secteam 2>/dev/null)
	code() { local m=$1 p=$2 t=$3; shift 3; curl -s -o "$T/body" -w '%{http_code}' -X "$m" ${t:+-H "Authorization: Bearer $t"} "$@" "$U$p"; }
	get() { curl -s -H "Authorization: Bearer $V" "$U$1"; }
	post() { code POST /api/v1/exceptions "$O" -H 'Content-Type: application/json' --data "$1"; }
	# open findings as "package advisory" lines for a query string
	findings() { get "/api/v1/findings?limit=1000${1:-}" | jq -r '.items[] | "\(.package) \(.advisory)"' | sort | tr '\n' ';'; }
	local now; now=$(date +%s)

	for d in 1 2 3; do dg=D$d; code POST "/api/v1/images?digest=${!dg}" "$O" --data-binary @"$T/d$d.json" >/dev/null; done
	local at; at=$(get /api/v1/db | jq -r .reevaluations)
	code POST /api/v1/db "$AD" --data-binary @"$T/b1.tar.gz" >/dev/null
	for i in $(seq 150); do
		[ "$(get /api/v1/db | jq -r '"\(.state) \(.reevaluations)"')" = "idle $((at + 1))" ] && break
		sleep 0.1
	done
	check "$label: findings before any exception" "$(findings)" "github.com/goharbor/harbor GO-2024-2916;jw.util PYSEC-2020-341;"

	# access and validation
	check "$label: POST exception: no token 401, viewer 403" \
		"$(code POST /api/v1/exceptions '' --data '{}') $(code POST /api/v1/exceptions "$V" -H 'Content-Type: application/json' --data '{}')" "401 403"
	check "$label: no expiry / a past one / no reason: 400" \
		"$(post '{"advisory":"GO-2024-2916","scope":{"kind":"everywhere"},"reason":"x"}') $(post "{\"advisory\":\"GO-2024-2916\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"x\",\"expires\":$((now - 5))}") $(post "{\"advisory\":\"GO-2024-2916\",\"scope\":{\"kind\":\"everywhere\"},\"expires\":$((now + 60))}")" "400 400 400"
	check "$label: bad scope kind / image scope without a digest / bad justification: 400" \
		"$(post "{\"advisory\":\"X\",\"scope\":{\"kind\":\"cluster\"},\"reason\":\"x\",\"expires\":$((now + 60))}") $(post "{\"advisory\":\"X\",\"scope\":{\"kind\":\"image\",\"value\":\"latest\"},\"reason\":\"x\",\"expires\":$((now + 60))}") $(post "{\"advisory\":\"X\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"x\",\"expires\":$((now + 60)),\"justification\":\"trust me\"}")" "400 400 400"

	# an image scope: hidden for that image only
	check "$label: accept GO-2024-2916 for image 1: 201" "$(post "{\"advisory\":\"GO-2024-2916\",\"scope\":{\"kind\":\"image\",\"value\":\"$D1\"},\"reason\":\"harbor client code only, no server\",\"expires\":$((now + 3600))}")" 201
	local E1; E1=$(jq -r .id "$T/body")
	check "$label: image scope: still listed (image 2 has it too), hidden for ?image=1, shown for ?image=2" \
		"$(findings | grep -c GO-2024-2916) $(findings "&image=$D1" | grep -c GO-2024-2916) $(findings "&image=$D2" | grep -c GO-2024-2916)" "1 0 1"

	# a repository scope (without the registry host), expiring in a few seconds
	local exp=$(( $(date +%s) + 4 ))
	check "$label: accept GO-2024-2916 for repository team/app until +4 s: 201" "$(post "{\"advisory\":\"GO-2024-2916\",\"scope\":{\"kind\":\"repository\",\"value\":\"team/app\"},\"reason\":\"fix in the next release\",\"expires\":$exp,\"justification\":\"vulnerable_code_not_in_execute_path\"}")" 201
	local E2; E2=$(jq -r .id "$T/body")
	check "$label: repository scope: hidden from the list (both images of team/app in scope)" "$(findings)" "jw.util PYSEC-2020-341;"
	check "$label: ?accepted=true shows it with the exception that covers all its images; ?accepted=only only it" \
		"$(get '/api/v1/findings?accepted=true' | jq -r '.items[] | select(.advisory == "GO-2024-2916") | "\(.accepted.id) \(.accepted.reason)"') $(findings '&accepted=only')" \
		"$E2 fix in the next release github.com/goharbor/harbor GO-2024-2916;"
	check "$label: shown accepted, its risk is 0 with the exception as the policy term; the score it returns to kept" \
		"$(get '/api/v1/findings?accepted=true' | jq -r --arg e "exception $E2" '.items[] | select(.advisory == "GO-2024-2916") | .risk |
			"\(.score) \(.score_unaccepted > 0) \(.terms[] | select(.name == "policy") | "\(.value)|\(.weight)|\(.source == $e)|\(.date | test("^[0-9]{4}-"))")"')" \
		"0 true accepted: fix in the next release|0|true|true"
	check "$label: PYSEC-2020-341 accepted for team/app stays listed (other/svc has jw.util too)" \
		"$(post "{\"advisory\":\"PYSEC-2020-341\",\"scope\":{\"kind\":\"repository\",\"value\":\"127.0.0.1:5000/team/app\"},\"reason\":\"r\",\"expires\":$((now + 3600))}") $(findings | grep -c PYSEC-2020-341) $(findings "&image=$D3" | grep -c PYSEC) $(findings "&image=$D1" | grep -c PYSEC)" "201 1 1 0"
	check "$label: GET exceptions: 3 in force, with who accepted them" "$(get /api/v1/exceptions | jq -r '[(.items | length), .items[0].created_by] | join(" ")')" "3 secteam"

	# exports: OpenVEX (schema-valid, used by scan --vex) and the ignore file (scan --ignore-file)
	get '/api/v1/exceptions?format=openvex' >"$T/ex-$label.openvex.json"
	if out=$(python3 "$SRC/tests/e2e/schema_validate.py" openvex "$T/ex-$label.openvex.json" 2>&1); then ok "$label: OpenVEX export valid ($out)"; else ko "$label: OpenVEX export valid" "$out"; fi
	check "$label: OpenVEX: the repository statement's product and its package" \
		"$(jq -r '.statements[] | select(.vulnerability.name == "GO-2024-2916" and .justification != null) | "\(.status) \(.justification) \(.products[0]["@id"]) \(.products[0].subcomponents[0]["@id"])"' "$T/ex-$label.openvex.json")" \
		"not_affected vulnerable_code_not_in_execute_path pkg:oci/app?repository_url=team%2Fapp pkg:golang/github.com/goharbor/harbor"
	get '/api/v1/exceptions?format=ignore' >"$T/ex-$label.ignore.yaml"
	local db=$data/vuln.db
	check "$label: scan of image 1's SBOM with the server's DB: GO-2024-2916 found without the exports" \
		"$("$BH" scan -q --db "$db" -f json "$T/d1.json" | jq -r '[.findings[]?.id] | sort | join(",")')" "GO-2024-2916,PYSEC-2020-341"
	check "$label: ... suppressed with --vex (the OpenVEX export), and with --ignore-file (the ignore export)" \
		"$("$BH" scan -q --db "$db" -f json --vex "$T/ex-$label.openvex.json" "$T/d1.json" | jq -r '[.findings[]?.id] | index("GO-2024-2916") == null') $("$BH" scan -q --db "$db" -f json --ignore-file "$T/ex-$label.ignore.yaml" "$T/d1.json" | jq -r '[.findings[]?.id] | index("GO-2024-2916") == null')" "true true"
	check "$label: --vex keeps it for other/svc's image (out of the statement's product)" \
		"$("$BH" scan -q --db "$db" -f json --vex "$T/ex-$label.openvex.json" "$T/d3.json" | jq -r '[.findings[]?.id] | join(",")')" "PYSEC-2020-341"

	# expiry: the finding comes back by itself, one exception.expired event
	while [ "$(date +%s)" -le "$exp" ]; do sleep 0.2; done
	check "$label: after the expiry: GO-2024-2916 listed again" "$(findings | grep -c GO-2024-2916)" 1
	for i in $(seq 30); do [ "$(get '/api/v1/events?type=exception.expired' | jq '.items | length')" -ge 1 ] && break; sleep 0.1; done
	sleep 1.2
	check "$label: one exception.expired event naming it" "$(get '/api/v1/events?type=exception.expired' | jq -r '[(.items | length), .items[0].payload.id] | join(" ")')" "1 $E2"
	check "$label: GET exceptions: 2 in force, 3 with ?all=true" "$(get /api/v1/exceptions | jq '.items | length') $(get '/api/v1/exceptions?all=true' | jq '.items | length')" "2 3"

	# revoking
	check "$label: DELETE exception: viewer 403, operator 200, again 404" \
		"$(code DELETE "/api/v1/exceptions/$E1" "$V") $(code DELETE "/api/v1/exceptions/$E1" "$O") $(code DELETE "/api/v1/exceptions/$E1" "$O")" "403 200 404"
	check "$label: revoked: image 1's finding back" "$(findings "&image=$D1" | grep -c GO-2024-2916)" 1
	check "$label: GET exceptions?all=true shows when it was revoked" "$(get '/api/v1/exceptions?all=true' | jq -r --argjson id "$E1" '.items[] | select(.id == $id) | .revoked != null')" true

	# ---- check rules ----
	rules() { jq -r '[.items[] | "\(.rule_id)\(if .accepted then "=acc" + (.accepted.id | tostring) else "" end)"] | sort | join(",")'; }
	code POST /api/v1/scans "$O" -H 'Content-Type: application/json' --data "{\"target\":\"127.0.0.1:5000/team/app:1.0\",\"image_digest\":\"$D1\",\"verdict\":\"fail\",\"checks\":[{\"rule_id\":\"BH-IMG-001\",\"target\":\"config.User\",\"status\":\"fail\",\"severity\":\"high\",\"title\":\"runs as root\"},{\"rule_id\":\"BH-IMG-005\",\"status\":\"fail\",\"severity\":\"low\",\"title\":\"no HEALTHCHECK\"}]}" >/dev/null
	printf '%s\n' "{\"type\":\"container.start\",\"host\":\"h1\",\"container\":\"c1\",\"time\":101,\"payload\":{\"image\":\"$D1\",\"name\":\"c1\"},\"idempotency_key\":\"c1-101\"}" \
		"{\"type\":\"container.start\",\"host\":\"h1\",\"container\":\"c3\",\"time\":102,\"payload\":{\"image\":\"$D3\",\"name\":\"c3\"},\"idempotency_key\":\"c3-102\"}" >"$T/ctr-$label.jsonl"
	code POST /api/v1/events "$O" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/ctr-$label.jsonl" >/dev/null
	local hc='{"rule_id":"BH-HOST-014","target":"daemon.json","status":"fail","severity":"high","title":"2.2 restrict traffic between containers"},{"rule_id":"BH-HOST-020","target":"daemon.json","status":"fail","severity":"medium","title":"2.5 insecure registries"}'
	local cc='{"rule_id":"BH-CTR-004","status":"fail","severity":"high","title":"5.4 privileged"},{"rule_id":"BH-CTR-010","status":"fail","severity":"medium","title":"5.10 memory limit"}'
	for h in h1 h2; do code POST "/api/v1/hosts/$h/checks" "$O" --data "{\"container_id\":\"\",\"checks\":[$hc]}" >/dev/null; done
	for c in c1 c3; do code POST /api/v1/hosts/h1/checks "$O" --data "{\"container_id\":\"$c\",\"checks\":[$cc]}" >/dev/null; done
	check "$label: checks stored: image 1's two, h1's and h2's, c1's and c3's" \
		"$(get "/api/v1/images/$D1" | jq -r '[.checks[].rule_id] | sort | join(",")') $(get '/api/v1/hosts/h1/checks?container=' | rules) $(get '/api/v1/containers/c1/checks?host=h1' | rules)" \
		"BH-IMG-001,BH-IMG-005 BH-HOST-014,BH-HOST-020 BH-CTR-004,BH-CTR-010"
	check "$label: a rule with a package, a justification, or an advisory with scope host: 400" \
		"$(post "{\"rule\":\"BH-CTR-004\",\"package\":\"x\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"x\",\"expires\":$((now + 60))}") $(post "{\"rule\":\"BH-CTR-004\",\"justification\":\"component_not_present\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"x\",\"expires\":$((now + 60))}") $(post "{\"advisory\":\"GO-2024-2916\",\"scope\":{\"kind\":\"host\",\"value\":\"h1\"},\"reason\":\"x\",\"expires\":$((now + 60))}") $(post "{\"advisory\":\"X\",\"rule\":\"Y\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"x\",\"expires\":$((now + 60))}")" "400 400 400 400"
	check "$label: accept BH-CTR-004 for repository team/app (the container running it): 201" \
		"$(post "{\"rule\":\"BH-CTR-004\",\"scope\":{\"kind\":\"repository\",\"value\":\"team/app\"},\"reason\":\"the app needs raw sockets; isolated node\",\"expires\":$((now + 3600))}")" 201
	local R1; R1=$(jq -r .id "$T/body")
	check "$label: the rule exception reads back as a rule" "$(jq -r '"\(.kind) \(.rule) \(.advisory) \(.scope.kind)"' "$T/body")" "rule BH-CTR-004 null repository"
	check "$label: repository scope: c1 (team/app) hides BH-CTR-004, c3 (other/svc) keeps it" \
		"$(get '/api/v1/containers/c1/checks?host=h1' | rules) $(get '/api/v1/containers/c3/checks?host=h1' | rules)" "BH-CTR-010 BH-CTR-004,BH-CTR-010"
	check "$label: ?accepted=true shows it with its exception, ?accepted=only only it" \
		"$(get '/api/v1/containers/c1/checks?host=h1&accepted=true' | rules) $(get '/api/v1/hosts/h1/checks?accepted=only' | rules)" "BH-CTR-004=acc$R1,BH-CTR-010 BH-CTR-004=acc$R1"
	local rexp=$(( $(date +%s) + 4 ))
	check "$label: accept BH-HOST-014 for host h1 until +4 s, BH-IMG-005 for image 1, BH-HOST-020 on target daemon.json everywhere: 201 201 201" \
		"$(post "{\"rule\":\"BH-HOST-014\",\"scope\":{\"kind\":\"host\",\"value\":\"h1\"},\"reason\":\"swarm overlay does it\",\"expires\":$rexp}") $(post "{\"rule\":\"BH-IMG-005\",\"scope\":{\"kind\":\"image\",\"value\":\"$D1\"},\"reason\":\"orchestrator probes\",\"expires\":$((now + 3600))}") $(post "{\"rule\":\"BH-HOST-020\",\"target\":\"daemon.json\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"internal mirror\",\"expires\":$((now + 3600))}")" "201 201 201"
	local R2; R2=$(get /api/v1/exceptions | jq -r '.items[] | select(.rule == "BH-HOST-014") | .id')
	check "$label: host scope: h1 hides BH-HOST-014, h2 keeps it; BH-HOST-020 hidden on both (everywhere, its target)" \
		"$(get '/api/v1/hosts/h1/checks?container=' | rules) $(get '/api/v1/hosts/h2/checks?container=' | rules)" " BH-HOST-014"
	check "$label: image scope: image 1's BH-IMG-005 hidden, shown with ?accepted=true" \
		"$(get "/api/v1/images/$D1" | jq -r '[.checks[].rule_id] | join(",")') $(get "/api/v1/images/$D1?accepted=true" | jq -r '[.checks[] | select(.accepted) | .rule_id] | join(",")')" "BH-IMG-001 BH-IMG-005"
	check "$label: OpenVEX export still names advisories only (rules are no vulnerabilities) and validates" \
		"$(get '/api/v1/exceptions?format=openvex' | jq -r '[.statements[].vulnerability.name | select(startswith("BH-"))] | length')" 0
	get '/api/v1/exceptions?format=ignore' >"$T/ig-$label.yaml"
	get "/api/v1/exceptions?format=ignore&image=$D1" >"$T/ig1-$label.yaml"
	check "$label: ignore export: no image scope -> only what holds everywhere as a plain id, the rest in comments" \
		"$(grep -c '^  - id: "BH-' "$T/ig-$label.yaml") $(grep -c '^  # not for this scan' "$T/ig-$label.yaml")" "0 4"
	check "$label: ignore export for image 1: BH-CTR-004 (its repository) and BH-IMG-005 (the image) as ids" \
		"$(grep -o '^  - id: "BH-[A-Z]*-[0-9]*"' "$T/ig1-$label.yaml" | sort | tr '\n' ' ')" '  - id: "BH-CTR-004"   - id: "BH-IMG-005" '
	# a real CI scan honours an exported rule: accept a Dockerfile rule everywhere, export, scan
	check "$label: accept BH-DF-002 everywhere: 201" "$(post "{\"rule\":\"BH-DF-002\",\"scope\":{\"kind\":\"everywhere\"},\"reason\":\"base image pinned by digest in CI\",\"expires\":$((now + 3600))}")" 201
	get '/api/v1/exceptions?format=ignore' >"$T/ig2-$label.yaml"
	local df=$SRC/tests/fixtures/dockerfile/Dockerfile.problems
	check "$label: scan of a Dockerfile: BH-DF-002 fails without the export, is suppressed with --ignore-file (the export)" \
		"$("$BH" scan -q -f json "$df" | jq '[.checks[] | select(.rule == "BH-DF-002")] | length') $("$BH" scan -q -f json --ignore-file "$T/ig2-$label.yaml" "$df" | jq '[.checks[] | select(.rule == "BH-DF-002")] | length')" "1 0"
	while [ "$(date +%s)" -le "$rexp" ]; do sleep 0.2; done
	check "$label: after its expiry BH-HOST-014 is back on h1" "$(get '/api/v1/hosts/h1/checks?container=' | rules)" "BH-HOST-014"
	for i in $(seq 30); do [ "$(get '/api/v1/events?type=exception.expired' | jq --argjson id "$R2" '[.items[] | select(.payload.id == $id)] | length')" -ge 1 ] && break; sleep 0.1; done
	check "$label: one exception.expired event for the rule, naming it" "$(get '/api/v1/events?type=exception.expired' | jq -r --argjson id "$R2" '[.items[] | select(.payload.id == $id) | .payload.rule] | join(",")')" "BH-HOST-014"
	check "$label: revoking BH-CTR-004 brings c1's result back" "$(code DELETE "/api/v1/exceptions/$R1" "$O") $(get '/api/v1/containers/c1/checks?host=h1' | rules)" "200 BH-CTR-004,BH-CTR-010"

	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
	if [ "$label" = sqlite ] && command -v sqlite3 >/dev/null; then
		check "$label: audit: 8 exception.add (3 advisories, 5 rules), 2 exception.revoke" \
			"$(sqlite3 "$data/bulkhead.db" "SELECT action || ':' || count(*) FROM audit WHERE action LIKE 'exception.%' GROUP BY action ORDER BY action" | tr '\n' ' ')" "exception.add:8 exception.revoke:2 "
	fi
}

suite sqlite

why=
[ -z "$why" ] && ! pg_start "$T/pg" 5492 && why=$pg_why
if [ -z "$why" ]; then
	suite postgres --store "host=$T/pg port=5492 user=postgres dbname=postgres"
else
	echo "SKIP exceptions postgres: $why"
fi

echo "exceptions: $pass passed, $fail failed"
[ "$fail" = 0 ]
