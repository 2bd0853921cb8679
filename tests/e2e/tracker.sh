#!/usr/bin/env bash
# tracker: GitHub issues from `bulkhead serve` against tests/trackers/github_standin.mjs, a local
# stand-in that checks every request against GitHub's published OpenAPI description (the npm
# package @octokit/openapi, pinned in tests/trackers/package-lock.json) and logs what fails it.
# Findings come from real advisories (as in reeval.sh) in two images of one repository and one image
# of another: exactly one issue per (repository, advisory) (and per (digest, advisory) for a second,
# filtered tracker); a moved fix edits that issue (PATCH), no second one; a withdrawn advisory closes
# its issues (completed); both GitHub rate limits are waited out; a restart with the tracker_issues
# rows deleted, and two servers started at once over one data directory, find the issues by their
# marker and open none twice, and the restart's reconcile pass brings in what uploads (no events)
# changed; zero violations; admins only; the token is never returned.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
P_STANDIN=${TRACKER_PORT_BASE:-18470}
P_SRV=$((P_STANDIN + 1)); P_SRV2=$((P_STANDIN + 2))
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL tracker: $BH not built"; echo "tracker: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar sqlite3 node; do
	command -v $t >/dev/null || { echo "SKIP tracker: $t is not installed"; echo "tracker: 0 passed, 0 failed (skipped)"; exit 0; }
done
[ -f "$SRC/tests/trackers/node_modules/@octokit/openapi/generated/api.github.com.json" ] || {
	echo "SKIP tracker: tests/trackers/node_modules is missing (npm ci --prefix tests/trackers, as scripts/setup.sh does)"
	echo "tracker: 0 passed, 0 failed (skipped)"; exit 0; }

T=$(mktemp -d /tmp/bh-tracker-e2e.XXXXXX)
SRV=; SRV2=; GH=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$SRV2" ] && kill "$SRV2" 2>/dev/null && wait "$SRV2" 2>/dev/null
	[ -n "$GH" ] && kill "$GH" 2>/dev/null && wait "$GH" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the images: team/app 1.0 and 2.0, team/other; the advisories as in reeval.sh
sbom() { # name tag components...
	local name=$1 tag=$2; shift 2
	printf '{"schema": "bulkhead-sbom/1", "target": {"name": "%s", "repo_tags": ["%s"]}, "os": {}, "components": [%s]}\n' \
		"$name" "$tag" "$(IFS=,; echo "$*")"
}
JW='{"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"}'
HB='{"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible", "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"}'
NPM='{"ecosystem": "npm", "name": "@octo/lib", "version": "1.0.0", "purl": "pkg:npm/%40octo/lib@1.0.0"}'
sbom app "127.0.0.1:5000/team/app:1.0" "$JW" "$HB" >"$T/app1.json"
sbom app "127.0.0.1:5000/team/app:2.0" "$JW" "$NPM" >"$T/app2.json"
sbom other "127.0.0.1:5000/team/other:7" "$JW" "$HB" >"$T/other.json"
D1=sha256:$(printf 'a%.0s' $(seq 64)); D2=sha256:$(printf 'b%.0s' $(seq 64)); D3=sha256:$(printf 'c%.0s' $(seq 64))
mkdir -p "$T/b1" "$T/b2" "$T/b3"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
# an npm advisory whose package name starts with '@': the issue must not mention anyone
cat >"$T/b1/BHTEST-2099-7.json" <<'JSON'
{"id": "BHTEST-2099-7", "modified": "2030-01-01T00:00:00Z", "summary": "scoped package",
 "affected": [{"package": {"name": "@octo/lib", "ecosystem": "npm"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}
JSON
# b2: PYSEC-2020-341's fix moves to 2.4, and a new advisory for jw.util
sed -e 's/- fixed: "2.3"/- fixed: "2.4"/' "$T/b1/PYSEC-2020-341.yaml" | grep -v '^modified:' >"$T/b2/PYSEC-2020-341.yaml"
echo 'modified: "2030-01-01T00:00:00Z"' >>"$T/b2/PYSEC-2020-341.yaml"
cat >"$T/b2/PYSEC-2099-1.json" <<'JSON'
{"id": "PYSEC-2099-1", "modified": "2030-01-01T00:00:00Z", "summary": "test advisory",
 "affected": [{"package": {"name": "jw.util", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.0"}]}]}]}
JSON
# b3: that advisory withdrawn
jq '.modified = "2030-02-01T00:00:00Z" | .withdrawn = "2030-02-01T00:00:00Z"' "$T/b2/PYSEC-2099-1.json" >"$T/b3/PYSEC-2099-1.json"
for b in b1 b2 b3; do tar -C "$T/$b" -czf "$T/$b.tar.gz" .; done

# ---- the stand-in
GHTOKEN=ghp_bulkheadTestToken0123456789abcdef
node "$SRC/tests/trackers/github_standin.mjs" --port "$P_STANDIN" --port-file "$T/ghport" --log "$T/gh.jsonl" \
	--token "$GHTOKEN" --repo acme/tracked --repo acme/byimage 2>"$T/gh.err" &
GH=$!
for i in $(seq 100); do [ -s "$T/ghport" ] && break; sleep 0.1; done
[ -s "$T/ghport" ] || { ko "stand-in started" "$(cat "$T/gh.err")"; echo "tracker: $pass passed, $fail failed"; exit 1; }
GHU=http://127.0.0.1:$P_STANDIN
check "stand-in: loaded GitHub's description from @octokit/openapi" "$(head -1 "$T/gh.jsonl" | jq -r '.description | startswith("@octokit/openapi ")')" true
issues() { curl -s "$GHU/_standin/issues" | jq -c ".[\"${1:-acme/tracked}\"]"; }

# ---- the server
data=$T/data
start_srv() { # port logfile -> pid in $!
	"$BH" serve --data "$data" --listen "127.0.0.1:$1" --db-check-interval 1 -q 2>"$2" &
}
wait_srv() {
	local i
	for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.1; done
	return 1
}
start_srv "$P_SRV" "$T/serve.log"; SRV=$!
wait_srv "$P_SRV" || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "tracker: $pass passed, $fail failed"; exit 1; }
U=http://127.0.0.1:$P_SRV
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
J=(-H 'Content-Type: application/json')
feed() { # uploads a bundle (again while the server answers 409: one is still waiting) and waits for its re-evaluation
	local i c at
	at=$(get /api/v1/db | jq -r .reevaluations)
	for i in $(seq 100); do
		c=$(code POST /api/v1/db "$AD" --data-binary @"$1")
		[ "$c" = 409 ] || break
		sleep 0.1
	done
	case $c in 2??) ;; *) ko "upload $(basename "$1")" "HTTP $c: $(cat "$T/body")"; return 1 ;; esac
	settle "$at" || ko "$(basename "$1") re-evaluated" "$(get /api/v1/db)"
}

# ---- access and validation
check "trackers: no token 401, viewer 403, operator 403" \
	"$(code GET /api/v1/trackers '') $(code GET /api/v1/trackers "$V") $(code POST /api/v1/trackers "$O" "${J[@]}" --data '{"kind":"github","repository":"a/b","token":"x"}')" "401 403 403"
check "DELETE by a viewer 403" "$(code DELETE /api/v1/trackers/1 "$V")" 403
check "kind jira 400 (GitHub and GitLab only)" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"jira","repository":"a/b","token":"x"}')" 400
check "bad repository 400" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"github","repository":"a/b/c","token":"x"}')" 400
check "unknown field 400 naming it" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"github","repository":"a/b","token":"x","lables":["x"]}') $(jq -r .error.message "$T/body" | grep -c '^lables is not')" "400 1"
check "bad filter 400" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"github","repository":"a/b","token":"x","filter":{"severity":"high"}}')" 400
check "no token 400" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"github","repository":"a/b"}')" 400

# ---- the images first, then the tracker, then the advisories
code POST "/api/v1/images?digest=$D1" "$O" --data-binary @"$T/app1.json" >/dev/null
code POST "/api/v1/images?digest=$D2" "$O" --data-binary @"$T/app2.json" >/dev/null
code POST "/api/v1/images?digest=$D3" "$O" --data-binary @"$T/other.json" >/dev/null
check "POST tracker: 201" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data "{\"kind\":\"github\",\"api_url\":\"$GHU\",\"repository\":\"acme/tracked\",\"token\":\"$GHTOKEN\",\"labels\":[\"security\"],\"filter\":{\"types\":[\"finding.*\"]}}")" 201
TR=$(jq -r .id "$T/body")
# a second tracker: per image digest, only team/other's image (the filter), in another repository
check "POST tracker (group_by image, filtered): 201" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data "{\"kind\":\"github\",\"api_url\":\"$GHU\",\"repository\":\"acme/byimage\",\"token\":\"$GHTOKEN\",\"group_by\":\"image\",\"filter\":{\"repositories\":[\"team/other\"]}}")" 201
TR2=$(jq -r .id "$T/body")
check "the answer has no token, says one is set" "$(grep -c "$GHTOKEN" "$T/body") $(jq -r .token_set "$T/body")" "0 true"
check "GET trackers: 2, no token" "$(get /api/v1/trackers | jq '.items | length') $(get /api/v1/trackers | grep -c "$GHTOKEN")" "2 0"
check "the token is stored sealed" "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM trackers WHERE token LIKE '%$GHTOKEN%'")" 0

wait_issues() { # jq condition over the issue list
	local i
	for i in $(seq 150); do [ "$(issues | jq "$1")" = true ] && return 0; sleep 0.1; done
	return 1
}
cursor_done() { # the tracker has read every event
	local i max
	max=$(sqlite3 "$data/bulkhead.db" "SELECT max(seq) FROM events")
	for i in $(seq 150); do
		[ "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM trackers WHERE cursor = $max")" = 2 ] && return 0
		sleep 0.1
	done
	return 1
}
# the issue of (repository, advisory): its title starts with the advisory and ends with " in REPO"
issue_of() { issues | jq -c --arg a "$2" --arg r "127.0.0.1:5000/team/$1" '[.[] | select((.title | startswith($a + " ")) and (.title | endswith(" in " + $r)))]'; }

# ---- bundle 1: PYSEC-2020-341 and GO-2024-2916 in both repositories, BHTEST-2099-7 in team/app
feed "$T/b1.tar.gz"
wait_issues 'length >= 5' || true
cursor_done || ko "tracker read every event" "$(get /api/v1/trackers)"
check "bundle 1: five issues, one per (repository, advisory)" \
	"$(issues | jq -r '.[] | .title' | sed 's/ (.*)//' | sort | tr '\n' ';')" \
	"BHTEST-2099-7 in 127.0.0.1:5000/team/app;GO-2024-2916 in 127.0.0.1:5000/team/app;GO-2024-2916 in 127.0.0.1:5000/team/other;PYSEC-2020-341 in 127.0.0.1:5000/team/app;PYSEC-2020-341 in 127.0.0.1:5000/team/other;"
check "every issue carries a distinct marker" "$(issues | jq -r '.[].body' | grep -o 'bulkhead-group: [0-9a-f]\{64\} -->' | sort -u | wc -l)" 5
check "labels: bulkhead and the tracker's" "$(issues | jq -r '[.[].labels | map(.name) | sort | join(",")] | unique | join(" ")')" "bulkhead,security"
app341=$(issue_of app PYSEC-2020-341)
check "team/app PYSEC-2020-341: jw.util 2.0, fixed in 2.3, in both images of the repository" \
	"$(jq -r '.[0].body' <<<"$app341" | grep -cxF '| jw.util | 2.0 | 2.3 | unknown | 127.0.0.1:5000/team/app:1.0, 127.0.0.1:5000/team/app:2.0 |')" 1
check "team/other PYSEC-2020-341: its own image only" "$(issue_of other PYSEC-2020-341 | jq -r '.[0].body' | grep -c 'team/other:7 |$') $(issue_of other PYSEC-2020-341 | jq -r '.[0].body' | grep -c 'team/app')" "1 0"
npmbody=$(issue_of app BHTEST-2099-7 | jq -r '.[0].body')
check "a package named @octo/lib mentions nobody: '@' is followed by a zero-width space" \
	"$(grep -c '@octo' <<<"$npmbody") $(grep -c $'| @\u200bocto/lib | 1.0.0 | 1.0.1 |' <<<"$npmbody")" "0 1"
check "no HTML in any body but the marker comment" "$(issues | jq -r '.[].body' | grep -v '^<!-- bulkhead-group: [0-9a-f]\{64\} -->$' | grep -c '<[a-zA-Z!/]')" 0
check "by image: team/other's digest only, one issue per advisory" \
	"$(issues acme/byimage | jq -r '.[].title' | sed 's/ (.*)//' | sort | tr '\n' ';')" "GO-2024-2916 in $D3;PYSEC-2020-341 in $D3;"
check "by image: the image named by its tag" "$(issues acme/byimage | jq -r '.[].body' | grep -c '^\*\*Image:\*\* sha256:c*$') $(issues acme/byimage | jq -r '.[].body' | grep -c '| 127.0.0.1:5000/team/other:7 |$')" "2 2"
n341=$(jq -r '.[0].number' <<<"$app341")
check "bundle 1: seven POSTs (five and two), nothing else written" \
	"$(jq -s '[.[] | select(.method == "POST")] | length' "$T/gh.jsonl") $(jq -s '[.[] | select(.method == "PATCH")] | length' "$T/gh.jsonl")" "7 0"

# ---- bundle 2: PYSEC-2020-341's fix moves to 2.4 (PATCH, no new issue); PYSEC-2099-1 is new; GitHub's
# secondary rate limit (429, Retry-After: 2) meets the first request
curl -s -X POST "$GHU/_standin/ratelimit?count=1&kind=secondary" >/dev/null
feed "$T/b2.tar.gz"
cursor_done || ko "tracker read every event (bundle 2)" "$(get /api/v1/trackers)"
app341=$(issue_of app PYSEC-2020-341)
check "team/app PYSEC-2020-341: still one issue, the same number, now fixed in 2.4" \
	"$(jq 'length' <<<"$app341") $(jq -r '.[0].number' <<<"$app341") $(jq -r '.[0].body' <<<"$app341" | grep -c '^| jw.util | 2.0 | 2.4 |')" "1 $n341 1"
check "that issue was PATCHed with the new body" \
	"$(jq -s --arg p "/repos/acme/tracked/issues/$n341" '[.[] | select(.method == "PATCH" and .path == $p and .status == 200 and (.body.body | contains("| 2.4 |")))] | length' "$T/gh.jsonl")" 1
check "bundle 2: seven issues (PYSEC-2099-1 in both repositories), none twice" \
	"$(issues | jq 'length') $(issues | jq -r '.[].title' | sed 's/ (.*)//' | sort | uniq -d | wc -l)" "7 0"

# ---- a rate limit (403, x-ratelimit-remaining: 0) before bundle 3: waited out, then done
curl -s -X POST "$GHU/_standin/ratelimit?count=1&kind=primary" >/dev/null
feed "$T/b3.tar.gz"
wait_issues '[.[] | select(.title | startswith("PYSEC-2099-1")) | .state] == ["closed","closed"]' || true
cursor_done || ko "tracker read every event (bundle 3)" "$(get /api/v1/trackers)"
check "bundle 3 (withdrawn): both PYSEC-2099-1 issues closed as completed" \
	"$(issues | jq -r '[.[] | select(.title | startswith("PYSEC-2099-1")) | "\(.state)/\(.state_reason)"] | join(" ")')" "closed/completed closed/completed"
check "closed issues say why" "$(issues | jq -r '.[] | select(.title | startswith("PYSEC-2099-1")) | .body' | grep -c '^\*\*Resolved:\*\* no image of this repository has an open finding')" 2
check "both rate limits were met (429 Retry-After, 403 x-ratelimit-reset) and waited out" \
	"$(jq -s -c '[.[] | select(.rate_limited) | .status]' "$T/gh.jsonl") $(get /api/v1/trackers | jq -r '.items[] | "\(.failures) \(.last_error)"' | sort -u)" "[429,403] 0 null"
check "after each, the same request again, not before the time it said" \
	"$(jq -s '. as $a | [range(length) | select($a[.].rate_limited) as $i | (([$a[$i+1:][] | select(.path == $a[$i].path and .method == $a[$i].method)][0].t) - $a[$i].t) >= 0.9] | all' "$T/gh.jsonl")" true
check "the others stay open" "$(issues | jq '[.[] | select(.state == "open")] | length')" 5
check "GET trackers counts the issues" "$(get /api/v1/trackers | jq -c '[.items[].issues]')" '[{"open":5,"total":7},{"open":2,"total":3}]'
check "by image: PYSEC-2099-1 opened for team/other's image, then closed" \
	"$(issues acme/byimage | jq -r '.[] | select(.title | startswith("PYSEC-2099-1")) | "\(.state)/\(.state_reason)"')" "closed/completed"

# ---- what no event says: an image added to team/app whose finding did not change, and an image of a
# new repository whose component's finding exists already (uploads make no events). The restart's
# reconcile pass finds them, and finds every open issue again by its marker with the rows lost
# (eight rows: the closed issues' groups have no finding and need none).
sbom app "127.0.0.1:5000/team/app:3.0" "$JW" >"$T/app3.json"
sbom new "127.0.0.1:5000/team/new:1" "$HB" >"$T/new.json"
D4=sha256:$(printf 'd%.0s' $(seq 64)); D5=sha256:$(printf 'e%.0s' $(seq 64))
code POST "/api/v1/images?digest=$D4" "$O" --data-binary @"$T/app3.json" >/dev/null
code POST "/api/v1/images?digest=$D5" "$O" --data-binary @"$T/new.json" >/dev/null
sleep 1
check "uploads alone change no issue" "$(issues | jq 'length') $(issue_of app PYSEC-2020-341 | jq -r '.[0].body' | grep -c 'app:3.0')" "7 0"
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
sqlite3 "$data/bulkhead.db" "DELETE FROM tracker_issues; UPDATE trackers SET locked_by = NULL"
before=$(wc -l <"$T/gh.jsonl")
start_srv "$P_SRV" "$T/serve2.log"; SRV=$!
wait_srv "$P_SRV" || ko "serve restarted" "$(tail -3 "$T/serve2.log")"
rows_back() { # every issue has its row again
	local i
	for i in $(seq 150); do
		[ "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM tracker_issues")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
rows_back 8 || ko "restart: the rows back" "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM tracker_issues")"
sleep 0.5
after=$(tail -n +"$((before + 1))" "$T/gh.jsonl")
check "restart without rows: the issues found by listing (labels=bulkhead), one POST: team/new's" \
	"$(jq -s '[.[] | select(.method == "GET" and (.query | test("labels=bulkhead")))] | length > 0' <<<"$after") $(jq -s -r '[.[] | select(.method == "POST") | .body.title] | join(";")' <<<"$after")" \
	"true GO-2024-2916 in 127.0.0.1:5000/team/new"
check "team/app PYSEC-2020-341 now names app:3.0 too (PATCHed, the same issue)" \
	"$(issue_of app PYSEC-2020-341 | jq -r '.[0] | "\(.number) \(.body | contains("| 127.0.0.1:5000/team/app:1.0, 127.0.0.1:5000/team/app:2.0, 127.0.0.1:5000/team/app:3.0 |\n"))"')" "$n341 true"
check "restart without rows: eight and three issues, none twice" \
	"$(issues | jq 'length') $(issues acme/byimage | jq 'length') $(issues | jq -r '.[].title' | sort | uniq -d | wc -l)" "8 3 0"

# ---- two servers started at once over the same data directory, the rows lost again: one of them
# (the lease holder) reconciles, nothing is written twice
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
sqlite3 "$data/bulkhead.db" "DELETE FROM tracker_issues; UPDATE trackers SET locked_by = NULL"
before=$(wc -l <"$T/gh.jsonl")
start_srv "$P_SRV" "$T/serve3.log"; SRV=$!
start_srv "$P_SRV2" "$T/serve4.log"; SRV2=$!
wait_srv "$P_SRV" && wait_srv "$P_SRV2" || ko "two servers started" "$(tail -3 "$T/serve3.log" "$T/serve4.log")"
rows_back 8 || ko "two servers: the rows back" "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM tracker_issues")"
sleep 1
check "two servers: still eight and three issues, none twice, nothing written" \
	"$(issues | jq 'length') $(issues acme/byimage | jq 'length') $(issues | jq -r '.[].title' | sort | uniq -d | wc -l) $(tail -n +"$((before + 1))" "$T/gh.jsonl" | jq -s '[.[] | select(.method != "GET")] | length')" "8 3 0 0"
check "two servers: each repository's issues listed once (by its tracker's lease holder)" \
	"$(tail -n +"$((before + 1))" "$T/gh.jsonl" | jq -s -c '[.[] | select(.method == "GET") | .path] | group_by(.) | map(length)')" "[1,1]"

# ---- the stand-in's verdict
check "zero violations of GitHub's description in $(jq -s '[.[] | select(.method)] | length' "$T/gh.jsonl") requests" \
	"$(jq -s '[.[] | select(.method) | .violations[]] | length' "$T/gh.jsonl")" 0
[ "$(jq -s '[.[] | select(.method) | .violations[]] | length' "$T/gh.jsonl")" = 0 ] || jq -c 'select(.violations | length > 0)' "$T/gh.jsonl" | head -5
check "every answer of the stand-in fits the documented response schema; nothing unimplemented" \
	"$(jq -s '[.[] | select(.standin_errors or .unimplemented)] | length' "$T/gh.jsonl")" 0
check "operations used" "$(jq -r 'select(.method) | .operation' "$T/gh.jsonl" | sort -u | tr '\n' ' ')" "issues/create issues/list-for-repo issues/update "
# the checker is live: a request GitHub's description refuses (a state_reason it does not list, a
# field it does not have) is answered 422 and logged as a violation
check "the stand-in refuses what the description refuses (422, two violations logged)" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $GHTOKEN" -H 'Accept: application/vnd.github+json' \
		-H 'X-GitHub-Api-Version: 2022-11-28' -H 'Content-Type: application/json' --data '{"state":"closed","state_reason":"done","colour":1}' \
		"$GHU/repos/acme/tracked/issues/1") $(jq -s '[.[] | select(.method) | .violations[]] | length' "$T/gh.jsonl")" "422 2"

check "DELETE tracker: 200, then 404; the other one 200" "$(code DELETE "/api/v1/trackers/$TR" "$AD") $(code DELETE "/api/v1/trackers/$TR" "$AD") $(code DELETE "/api/v1/trackers/$TR2" "$AD")" "200 404 200"
check "audit: tracker.add and tracker.delete" \
	"$(sqlite3 "$data/bulkhead.db" "SELECT action || ':' || count(*) FROM audit WHERE action LIKE 'tracker.%' GROUP BY action ORDER BY action" | tr '\n' ' ')" "tracker.add:2 tracker.delete:2 "

# both servers stop on SIGTERM with exit 0 (under the sanitizers: no error, no leak)
kill -TERM "$SRV" "$SRV2"; wait "$SRV"; rc1=$?; wait "$SRV2"; rc2=$?; SRV=; SRV2=
check "SIGTERM stops both servers with exit 0, no sanitizer report" \
	"$rc1 $rc2 $(cat "$T"/serve*.log | grep -c 'Sanitizer')" "0 0 0"

echo "tracker: $pass passed, $fail failed"
[ "$fail" = 0 ]
