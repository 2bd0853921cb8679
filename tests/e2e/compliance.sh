#!/usr/bin/env bash
# Compliance reports end to end: `scan --compliance docker-cis-1.6` over a Docker host fixture, a
# real privileged podman container (Engine API) and an image archive, in table, JSON and HTML:
# every CIS Docker v1.6 control of the shared data listed once, with the statuses the targets call for.
set -uo pipefail
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
DATA=${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
TSV="$DATA/cis-benchmarks/docker-bench-security_checks.tsv"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP compliance: $1"; echo "compliance: $pass passed, $fail failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL compliance: $BH not built"; echo "compliance: 0 passed, 1 failed"; exit 1; }
[ -r "$TSV" ] || skip "no benchmark data at $TSV (set BH_SHARED_DATA)"
command -v jq >/dev/null || skip "jq is not installed"
# the controls of the data: rows of kind "check", docker-bench-security's community checks (section
# 99, ids C.n from tests/99_community_checks.sh) excepted
want_ids=$(awk -F'\t' 'NR > 1 && $2 == "check" && $1 !~ /^(99|C)(\.|$)/ && $7 !~ /99_community/ {print $1}' "$TSV")
want_n=$(printf '%s\n' "$want_ids" | wc -l)
T=$(mktemp -d /tmp/bh-comp-e2e.XXXXXX)

# Without containers first: the host fixture and the plain host, no engine needed.
"$BH" scan -q --compliance docker-cis-1.6 --compliance-data "$DATA" -f json host:tests/fixtures/host/insecure >"$T/h.json" 2>"$T/e"; rc=$?
[ $rc -eq 0 ] && ok "host fixture: exit 0" || ko "host fixture" "rc=$rc $(head -2 "$T/e")"
jq -e '.controls[] | select(.id == "2.2") | .status == "fail" and (.findings[0].rule == "BH-HOST-021")' "$T/h.json" >/dev/null \
	&& ok "host fixture: 2.2 icc fails with BH-HOST-021" || ko "host 2.2" "$(jq -c '.controls[] | select(.id == "2.2")' "$T/h.json")"
jq -e '.controls[] | select(.id == "5.5") | .status == "not-applicable" and (.reason | test("no running containers scanned"))' "$T/h.json" >/dev/null \
	&& ok "host only: 5.5 not applicable, no running containers scanned" || ko "host 5.5" "$(jq -c '.controls[] | select(.id == "5.5")' "$T/h.json")"
jq -e '.controls[] | select(.id == "4.1") | .status == "not-applicable" and (.reason | test("no image scanned"))' "$T/h.json" >/dev/null \
	&& ok "host only: 4.1 not applicable, no image scanned" || ko "host 4.1" "$(jq -c '.controls[] | select(.id == "4.1")' "$T/h.json")"
jq -e '.controls[] | select(.id == "1.2.1") | .status == "manual"' "$T/h.json" >/dev/null \
	&& ok "1.2.1 (a Manual control, no rule) is manual" || ko "1.2.1" "$(jq -c '.controls[] | select(.id == "1.2.1")' "$T/h.json")"
[ "$(BH_SHARED_DATA=$DATA "$BH" scan -q --compliance docker-cis-1.6 -f json host | jq '.summary.total')" = "$want_n" ] \
	&& ok "data found through \$BH_SHARED_DATA without --compliance-data" || ko "BH_SHARED_DATA" "not found"
"$BH" scan -q --compliance docker-cis-1.6 --compliance-data "$DATA" -f json host:tests/fixtures/host/nodocker >"$T/nd.json" 2>"$T/e"
jq -e '[.controls[] | select(.id == "2.2" or .id == "3.1")] | all(.status == "not-applicable" and (.reason | test("Docker engine is not installed")))' "$T/nd.json" >/dev/null \
	&& ok "host without Docker: its controls not applicable, saying why" || ko "nodocker" "$(jq -c '.controls[] | select(.id == "2.2")' "$T/nd.json")"
"$BH" scan -q --compliance docker-cis-1.6 --compliance-data "$T/none" host >/dev/null 2>"$T/e"; rc=$?
[ $rc -ne 0 ] && grepq -- "--compliance-data" "$T/e" && ok "missing data: error naming --compliance-data" || ko "missing data" "rc=$rc $(cat "$T/e")"
"$BH" scan -q --compliance docker-cis-1.6 --compliance-data "$DATA" -f sarif host >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--compliance with -f sarif: usage error" || ko "sarif" "rc=$rc"

# k8s-pss: the Kubernetes project's own Pod Security Standards fixtures, every PSS control per manifest
PSS="$DATA/k8s-pss-fixtures"
nb=$("$BH" rules list -f json | jq '[.rules[] | select(.title | test("Pod Security Standards baseline"))] | length')
nr=$("$BH" rules list -f json | jq '[.rules[] | select(.title | test("Pod Security Standards (baseline|restricted)"))] | length')
if [ -d "$PSS/baseline/v1.37" ] && [ -d "$PSS/restricted/v1.37" ]; then
	for lvl in baseline restricted; do
		for kind in pass fail; do
			files=("$PSS/$lvl/v1.37/$kind"/*.yaml)
			"$BH" scan -q --compliance k8s-pss -f json "${files[@]}" >"$T/pss.json" 2>"$T/e"
			# every manifest: nb baseline rows and nr restricted rows
			jq -e --argjson n "${#files[@]}" --argjson nb "$nb" --argjson nr "$nr" '.benchmark == "k8s-pss" and (.targets | length) == $n
				and ([.controls[] | select(.profile == "baseline")] | length) == $n * $nb
				and ([.controls[] | select(.profile == "restricted")] | length) == $n * $nr
				and ([.controls[] | .status] | all(IN("pass", "fail", "manual")))' "$T/pss.json" >/dev/null \
				&& ok "k8s-pss $lvl/$kind: ${#files[@]} manifests x ($nb baseline + $nr restricted) controls" || ko "k8s-pss $lvl/$kind rows" "$(head -3 "$T/e")"
			if [ $kind = pass ]; then
				want='[.controls[] | select(.profile == $lvl)] | all(.status == "pass")'
			else
				want='[.controls[] | select(.profile == $lvl)] | group_by(.target) | all(any(.status == "fail"))'
			fi
			jq -e --arg lvl "$lvl" "$want" "$T/pss.json" >/dev/null \
				&& ok "k8s-pss $lvl/$kind: every manifest ${kind}es the $lvl profile" \
				|| ko "k8s-pss $lvl/$kind" "$(jq -r --arg lvl "$lvl" --arg k "$kind" '[.controls[] | select(.profile == $lvl)] | group_by(.target)[]
					| select(if $k == "pass" then any(.status != "pass") else all(.status != "fail") end) | .[0].target' "$T/pss.json" | head -3)"
		done
	done
else
	echo "SKIP k8s-pss fixtures: $PSS not found"
fi
"$BH" scan -q --compliance k8s-pss -f html tests/fixtures/k8s/bad.yaml >"$T/pss.html"
! grep -Eiq '<script|[[:space:]]on[a-z]+=' "$T/pss.html" && grepq '<td class="fail">fail</td>' "$T/pss.html" && ok "k8s-pss HTML: failing rows, no handlers" || ko "k8s-pss html" "bad"
"$BH" scan -q --compliance k8s-pss host >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "k8s-pss refuses a non-manifest target (exit 2)" || ko "k8s-pss host" "rc=$rc"

command -v podman >/dev/null || { rm -rf "$T"; skip "podman is not installed (host-only checks above: $pass passed)"; }
tag=$$
img=localhost/bh-e2e-comp:$tag
name=bh-e2e-comp-priv-$tag
svc=
P="podman --runtime runc"
cleanup() {
	$P rm -f -t 0 "$name" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# A minimal image (sleep and its libraries, runs as root) and its docker-archive.
sleep_image "$T" "$img" || skip "podman import failed: $(head -2 "$T/import.err")"
skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>"$T/e" || skip "skopeo copy failed: $(head -2 "$T/e")"
$P run --rm --network=none "$img" /bin/sleep 0 >/dev/null 2>"$T/run.err" || skip "podman cannot run containers here: $(head -2 "$T/run.err")"
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"
$P run -d --name "$name" --privileged --network=none "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || skip "privileged container did not start: $(head -2 "$T/e")"

run() { "$BH" scan -q --compliance docker-cis-1.6 --compliance-data "$DATA" --engine-host "unix://$sock" "$@" \
	host host:tests/fixtures/host/insecure "container:$name" "$T/img.tar"; }
run -f json >"$T/all.json" 2>"$T/e"; rc=$?
[ $rc -eq 0 ] && ok "host + container + image: exit 0" || ko "all targets" "rc=$rc $(head -3 "$T/e")"

# shape of the JSON document
jq -e '.schema == "bulkhead-compliance/1" and .benchmark == "docker-cis-1.6" and (.targets | length == 4)
	and (.summary | (.pass + .fail + ."not-applicable" + .manual) == .total)
	and (.controls | all(has("id") and has("title") and has("status") and has("reason") and (.rules | type == "array")
		and (.findings | type == "array") and (.status | IN("pass", "fail", "not-applicable", "manual"))
		and (.title | length > 0) and (.reason | length > 0)))
	and ([.controls[] | select(.status == "fail") | .findings | length > 0] | all)' "$T/all.json" >/dev/null \
	&& ok "JSON shape: schema, targets, summary adds up, every control complete" || ko "JSON shape" "$(head -c 400 "$T/all.json")"
got_n=$(jq '.controls | length' "$T/all.json")
[ "$got_n" = "$want_n" ] && [ "$(jq '.summary.total' "$T/all.json")" = "$want_n" ] && ok "every control listed: $got_n = $want_n in the data" || ko "count" "$got_n != $want_n"
[ "$(jq -r '.controls[].id' "$T/all.json")" = "$want_ids" ] && ok "each control exactly once, in the data's order" || ko "ids" "$(diff <(echo "$want_ids") <(jq -r '.controls[].id' "$T/all.json") | head -5)"
st() { jq -r --arg id "$1" '.controls[] | select(.id == $id) | .status' "$T/all.json"; }
[ "$(st 5.5)" = fail ] && jq -e '.controls[] | select(.id == "5.5") | any(.findings[]; .rule == "BH-CTR-005")' "$T/all.json" >/dev/null \
	&& ok "5.5 privileged container: fail (BH-CTR-005)" || ko "5.5" "$(st 5.5)"
[ "$(st 4.1)" = fail ] && ok "4.1 image runs as root: fail" || ko "4.1" "$(st 4.1)"
[ "$(st 2.2)" = fail ] && ok "2.2 host fixture icc: fail" || ko "2.2" "$(st 2.2)"
[ "$(st 5.16)" = pass ] && ok "5.16 host PID namespace not shared: pass" || ko "5.16" "$(st 5.16)"
[ "$(st 4.7)" = not-applicable ] && jq -e '.controls[] | select(.id == "4.7") | .reason | test("no Dockerfile")' "$T/all.json" >/dev/null \
	&& ok "4.7 (Dockerfile rule only): not applicable, no Dockerfile scanned" || ko "4.7" "$(st 4.7)"
[ "$(st 6.1)" = manual ] && ok "6.1 image sprawl: manual" || ko "6.1" "$(st 6.1)"
jq -r '"controls \(.summary.total): \(.summary.pass) pass, \(.summary.fail) fail, \(.summary."not-applicable") not applicable, \(.summary.manual) manual"' "$T/all.json"

# table: every id once, the summary line
run >"$T/all.txt" 2>"$T/e"
[ "$(awk '/^ID /{on=1; next} on && /^[0-9]/ {print $1}' "$T/all.txt")" = "$want_ids" ] && grepq '^Summary: ' "$T/all.txt" \
	&& ok "table: every control once with a summary" || ko "table" "$(head -5 "$T/all.txt")"
# HTML: one row per control, no scripts, no inline handlers
run -f html >"$T/all.html" 2>"$T/e"
rows=$(grep -c '^<tr><td>' "$T/all.html")
[ "$rows" = "$want_n" ] && ok "HTML: $rows control rows" || ko "HTML rows" "$rows"
! grep -Eiq '<script|[[:space:]]on[a-z]+=' "$T/all.html" && ok "HTML: no scripts, no inline handlers" || ko "HTML handlers" "$(grep -Eio '<script|[[:space:]]on[a-z]+=' "$T/all.html" | head -3)"
# --exit-code: a failing control fails the run
run --exit-code 7 >/dev/null 2>&1; rc=$?
[ $rc -eq 7 ] && ok "--exit-code 7 with failing controls" || ko "exit code" "rc=$rc"

echo "compliance: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
