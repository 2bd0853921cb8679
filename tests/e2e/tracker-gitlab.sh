#!/usr/bin/env bash
# tracker-gitlab: GitLab issues from `bulkhead serve` against tests/trackers/gitlab_standin.mjs, a
# local stand-in that checks every request against GitLab's published API description (an
# unmodified extract of gitlabhq's doc/api/openapi/openapi_v2.yaml, tests/trackers/gitlab-openapi-issues.yaml)
# and exits 1 when any request broke it. The scenario of tracker.sh, for a GitLab project in a
# subgroup (acme/sec/tracked, its path %2F-encoded): real advisories over two images of one
# repository and one of another open exactly one issue per (repository, advisory), labelled
# bulkhead and the tracker's; a package path with '~' (a GitLab label reference) and one with '@'
# are broken so they reference nothing; a moved fix edits that issue (PUT, the same iid); a withdrawn
# advisory closes its issues (state_event close); a 5xx and both kinds of GitLab rate limit (429
# with Retry-After, and with RateLimit-Reset only) are waited out and tried again; a restart as two
# servers at once over the same data directory writes nothing; and a server with an empty store,
# given the same images and advisories, finds every issue by its marker through the paged list
# (X-Next-Page; --page-cap 2) and opens none. Then a second stand-in is sent requests the
# description refuses: each is refused and logged, and it exits 1.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
P_STANDIN=${TRACKER_GITLAB_PORT_BASE:-18440}
P_SRV=$((P_STANDIN + 1)); P_SRV2=$((P_STANDIN + 2)); P_SRV3=$((P_STANDIN + 3)); P_PROBE=$((P_STANDIN + 4))
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
finish() { echo "tracker-gitlab: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

[ -x "$BH" ] || { echo "FAIL tracker-gitlab: $BH not built"; echo "tracker-gitlab: 0 passed, 1 failed"; exit 1; }
for t in curl jq tar sqlite3 node; do
	command -v $t >/dev/null || { echo "SKIP tracker-gitlab: $t is not installed"; echo "tracker-gitlab: 0 passed, 0 failed (skipped)"; exit 0; }
done
[ -f "$SRC/tests/trackers/node_modules/yaml/package.json" ] || {
	echo "SKIP tracker-gitlab: tests/trackers/node_modules is missing (npm ci --prefix tests/trackers, as scripts/setup.sh does)"
	echo "tracker-gitlab: 0 passed, 0 failed (skipped)"; exit 0; }

T=$(mktemp -d /tmp/bh-tracker-gitlab-e2e.XXXXXX)
SRV=; SRV2=; SRV3=; GL=; PROBE=
cleanup() {
	local p
	for p in $SRV $SRV2 $SRV3 $GL $PROBE; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the images and advisories (as in tracker.sh), and a Go module whose path holds '~'
sbom() { # name tag components...
	local name=$1 tag=$2; shift 2
	printf '{"schema": "bulkhead-sbom/1", "target": {"name": "%s", "repo_tags": ["%s"]}, "os": {}, "components": [%s]}\n' \
		"$name" "$tag" "$(IFS=,; echo "$*")"
}
JW='{"ecosystem": "pypi", "name": "jw.util", "version": "2.0", "purl": "pkg:pypi/jw-util@2.0"}'
HB='{"ecosystem": "golang", "name": "github.com/goharbor/harbor", "version": "v2.9.1+incompatible", "purl": "pkg:golang/github.com/goharbor/harbor@v2.9.1%2Bincompatible"}'
NPM='{"ecosystem": "npm", "name": "@octo/lib", "version": "1.0.0", "purl": "pkg:npm/%40octo/lib@1.0.0"}'
TILDE='{"ecosystem": "golang", "name": "example.com/~bug/lib", "version": "v1.0.0", "purl": "pkg:golang/example.com/~bug/lib@v1.0.0"}'
sbom app "127.0.0.1:5000/team/app:1.0" "$JW" "$HB" >"$T/app1.json"
sbom app "127.0.0.1:5000/team/app:2.0" "$JW" "$NPM" "$TILDE" >"$T/app2.json"
sbom other "127.0.0.1:5000/team/other:7" "$JW" "$HB" >"$T/other.json"
D1=sha256:$(printf 'a%.0s' $(seq 64)); D2=sha256:$(printf 'b%.0s' $(seq 64)); D3=sha256:$(printf 'c%.0s' $(seq 64))
mkdir -p "$T/b1" "$T/b2" "$T/b3" "$T/all"
cp "$SRC/tests/fixtures/vuln/osv-pypa/PYSEC-2020-341.yaml" "$SRC/tests/fixtures/vuln/osv-go/GO-2024-2916.json" "$T/b1/"
cat >"$T/b1/BHTEST-2099-7.json" <<'JSON'
{"id": "BHTEST-2099-7", "modified": "2030-01-01T00:00:00Z", "summary": "scoped package",
 "affected": [{"package": {"name": "@octo/lib", "ecosystem": "npm"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}
JSON
cat >"$T/b1/BHTEST-2099-8.json" <<'JSON'
{"id": "BHTEST-2099-8", "modified": "2030-01-01T00:00:00Z", "summary": "a module path with a tilde",
 "affected": [{"package": {"name": "example.com/~bug/lib", "ecosystem": "Go"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}]}]}
JSON
# b2: PYSEC-2020-341's fix moves to 2.4, and a new advisory for jw.util; b3: that one withdrawn
sed -e 's/- fixed: "2.3"/- fixed: "2.4"/' "$T/b1/PYSEC-2020-341.yaml" | grep -v '^modified:' >"$T/b2/PYSEC-2020-341.yaml"
echo 'modified: "2030-01-01T00:00:00Z"' >>"$T/b2/PYSEC-2020-341.yaml"
cat >"$T/b2/PYSEC-2099-1.json" <<'JSON'
{"id": "PYSEC-2099-1", "modified": "2030-01-01T00:00:00Z", "summary": "test advisory",
 "affected": [{"package": {"name": "jw.util", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.0"}]}]}]}
JSON
jq '.modified = "2030-02-01T00:00:00Z" | .withdrawn = "2030-02-01T00:00:00Z"' "$T/b2/PYSEC-2099-1.json" >"$T/b3/PYSEC-2099-1.json"
# all: where b1, b2 and b3 end, in one bundle (for the server with an empty store)
cp "$T/b1/"* "$T/all/"; cp "$T/b2/PYSEC-2020-341.yaml" "$T/all/"; cp "$T/b3/PYSEC-2099-1.json" "$T/all/"
for b in b1 b2 b3 all; do tar -C "$T/$b" -czf "$T/$b.tar.gz" .; done

# ---- the stand-in
GLTOKEN=glpat-bulkheadTestToken0123456789
PROJ=acme/sec/tracked
start_standin() { # port portfile log -> pid in $!
	node "$SRC/tests/trackers/gitlab_standin.mjs" --port "$1" --port-file "$2" --log "$3" --token "$GLTOKEN" \
		--project "$PROJ" --page-cap 2 2>"$3.err" &
}
start_standin "$P_STANDIN" "$T/glport" "$T/gl.jsonl"; GL=$!
for i in $(seq 100); do [ -s "$T/glport" ] && break; sleep 0.1; done
[ -s "$T/glport" ] || { ko "stand-in started" "$(cat "$T/gl.jsonl.err")"; finish; }
GLU=http://127.0.0.1:$P_STANDIN
check "stand-in: loaded the extract of GitLab's description (three operations, commit named)" \
	"$(head -1 "$T/gl.jsonl" | jq -r '"\(.operations | length) \(.description | test("openapi_v2.yaml at [0-9a-f]{40}$"))"')" "3 true"
issues() { curl -s "$GLU/_standin/issues" | jq -c --arg p "$PROJ" '.[$p]'; }
requests() { jq -s -c "[.[] | select(.method)] | .[${1:-0}:]" "$T/gl.jsonl"; } # the API requests, from the nth

# ---- the server
data=$T/data
start_srv() { # data port logfile -> pid in $!
	"$BH" serve --data "$1" --listen "127.0.0.1:$2" --db-check-interval 1 -q 2>"$3" &
}
wait_srv() {
	local i
	for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.1; done
	return 1
}
start_srv "$data" "$P_SRV" "$T/serve.log"; SRV=$!
wait_srv "$P_SRV" || { ko "serve started" "$(tail -3 "$T/serve.log")"; finish; }
U=http://127.0.0.1:$P_SRV
J=(-H 'Content-Type: application/json')
tokens() { # data -> AD and O
	AD=$("$BH" token create --data "$1" --role admin --name a 2>/dev/null)
	O=$("$BH" token create --data "$1" --role operator --name o 2>/dev/null)
}
tokens "$data"
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
feed() { # uploads a bundle (again while the server answers 409) and waits for its re-evaluation
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
images() {
	code POST "/api/v1/images?digest=$D1" "$O" --data-binary @"$T/app1.json" >/dev/null
	code POST "/api/v1/images?digest=$D2" "$O" --data-binary @"$T/app2.json" >/dev/null
	code POST "/api/v1/images?digest=$D3" "$O" --data-binary @"$T/other.json" >/dev/null
}
TRACKER="{\"kind\":\"gitlab\",\"api_url\":\"$GLU/api/v4\",\"repository\":\"$PROJ\",\"token\":\"$GLTOKEN\",\"labels\":[\"security\"]}"

# ---- validation (no tracker made here talks to anything but the stand-in)
check "kind gitlab: a path without a group 400, naming GitLab's form" \
	"$(code POST /api/v1/trackers "$AD" "${J[@]}" --data '{"kind":"gitlab","repository":"tracked","token":"x"}') $(jq -r .error.message "$T/body" | grep -c 'group/subgroup/project')" "400 1"
check "kind gitlab: .git, a leading '-', an encoded '/' 400" \
	"$(for r in acme/app.git acme/-app acme%2Fapp; do code POST /api/v1/trackers "$AD" "${J[@]}" --data "{\"kind\":\"gitlab\",\"repository\":\"$r\",\"token\":\"x\"}"; echo -n ' '; done)" "400 400 400 "

# ---- the images first, then the tracker, then the advisories
images
check "POST tracker (gitlab, a project in a subgroup): 201, no token in the answer" \
	"$(code POST /api/v1/trackers "$AD" "${J[@]}" --data "$TRACKER") $(jq -r '"\(.kind) \(.repository) \(.api_url == "'"$GLU"'/api/v4") \(.token_set)"' "$T/body") $(grep -c "$GLTOKEN" "$T/body")" \
	"201 gitlab $PROJ true true 0"
check "the token is stored sealed" "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM trackers WHERE token LIKE '%$GLTOKEN%'")" 0

wait_issues() { # jq condition over the issue list
	local i
	for i in $(seq 150); do [ "$(issues | jq "$1")" = true ] && return 0; sleep 0.1; done
	return 1
}
cursor_done() { # the tracker has read every event, and is not waiting to try again
	local i max
	max=$(sqlite3 "$data/bulkhead.db" "SELECT max(seq) FROM events")
	for i in $(seq 150); do
		[ "$(sqlite3 "$data/bulkhead.db" "SELECT count(*) FROM trackers WHERE cursor = $max AND fails = 0")" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
issue_of() { issues | jq -c --arg a "$2" --arg r "127.0.0.1:5000/team/$1" '[.[] | select((.title | startswith($a + " ")) and (.title | endswith(" in " + $r)))]'; }

# ---- bundle 1: PYSEC-2020-341 and GO-2024-2916 in both repositories, BHTEST-2099-7 and -8 in team/app
feed "$T/b1.tar.gz"
wait_issues 'length >= 6' || true
cursor_done || ko "tracker read every event" "$(get /api/v1/trackers)"
check "bundle 1: six issues, one per (repository, advisory)" \
	"$(issues | jq -r '.[] | .title' | sed 's/ (.*)//' | sort | tr '\n' ';')" \
	"BHTEST-2099-7 in 127.0.0.1:5000/team/app;BHTEST-2099-8 in 127.0.0.1:5000/team/app;GO-2024-2916 in 127.0.0.1:5000/team/app;GO-2024-2916 in 127.0.0.1:5000/team/other;PYSEC-2020-341 in 127.0.0.1:5000/team/app;PYSEC-2020-341 in 127.0.0.1:5000/team/other;"
check "every issue carries a distinct marker in its description" "$(issues | jq -r '.[].description' | grep -o 'bulkhead-group: [0-9a-f]\{64\} -->' | sort -u | wc -l)" 6
check "labels: bulkhead and the tracker's; iids 1-6; state opened" \
	"$(issues | jq -r '[.[].labels | sort | join(",")] | unique | join(" ")') $(issues | jq -c '[.[].iid] | sort') $(issues | jq -r '[.[].state] | unique | join(",")')" \
	"bulkhead,security [1,2,3,4,5,6] opened"
app341=$(issue_of app PYSEC-2020-341)
check "team/app PYSEC-2020-341: jw.util 2.0, fixed in 2.3, in both images of the repository" \
	"$(jq -r '.[0].description' <<<"$app341" | grep -cxF '| jw.util | 2.0 | 2.3 | unknown | 127.0.0.1:5000/team/app:1.0, 127.0.0.1:5000/team/app:2.0 |')" 1
check "'@octo/lib' mentions nobody, '~bug' is no label reference: each broken by a zero-width space" \
	"$(issue_of app BHTEST-2099-7 | jq -r '.[0].description' | grep -cF $'| @\u200bocto/lib | 1.0.0 | 1.0.1 |') $(issue_of app BHTEST-2099-8 | jq -r '.[0].description' | grep -cF $'| example.com/\\~\u200bbug/lib | v1.0.0 | 1.2.0 |')" "1 1"
check "no reference character unbroken in a table cell of any description (@ # ! % ~ & \$ * ^ [)" \
	"$(issues | jq '[.[].description | split("\n")[] | select(test("^\\| ") and (test("^\\| (Package|---) ") | not)) | select(test("[@#!%~&$*^\\[](?!\u200b)"))] | length')" 0
check "no line of a description starts with '/' (a quick action)" "$(issues | jq -r '.[].description' | grep -c '^/')" 0
iid341=$(jq -r '.[0].iid' <<<"$app341")
check "bundle 1: six POSTs to /projects/acme%2Fsec%2Ftracked/issues, nothing else written" \
	"$(requests | jq -r '[.[] | select(.method == "POST") | .path] | unique | join(" ")') $(requests | jq '[.[] | select(.method == "POST")] | length') $(requests | jq '[.[] | select(.method == "PUT")] | length')" \
	"/api/v4/projects/acme%2Fsec%2Ftracked/issues 6 0"

# ---- bundle 2: PYSEC-2020-341's fix moves to 2.4 (PUT, no new issue); PYSEC-2099-1 is new. A 502
# meets the first request, then a rate limit (429, Retry-After: 2) the retry
curl -s -X POST "$GLU/_standin/fail?count=1&status=502" >/dev/null
curl -s -X POST "$GLU/_standin/ratelimit?count=1&kind=retry-after" >/dev/null
n=$(requests | jq length)
feed "$T/b2.tar.gz"
wait_issues 'length >= 8' || true
cursor_done || ko "tracker read every event (bundle 2)" "$(get /api/v1/trackers)"
app341=$(issue_of app PYSEC-2020-341)
check "team/app PYSEC-2020-341: still one issue, the same iid, now fixed in 2.4" \
	"$(jq 'length' <<<"$app341") $(jq -r '.[0].iid' <<<"$app341") $(jq -r '.[0].description' <<<"$app341" | grep -c '^| jw.util | 2.0 | 2.4 |')" "1 $iid341 1"
check "that issue was PUT with the new description, no state_event" \
	"$(requests | jq --arg p "/api/v4/projects/acme%2Fsec%2Ftracked/issues/$iid341" '[.[] | select(.method == "PUT" and .path == $p and .status == 200 and (.body.description | contains("| 2.4 |")) and (.body | has("state_event") | not))] | length')" 1
check "bundle 2: eight issues (PYSEC-2099-1 in both repositories), none twice" \
	"$(issues | jq 'length') $(issues | jq -r '.[].title' | sed 's/ (.*)//' | sort | uniq -d | wc -l)" "8 0"
check "the 502 and the 429 (Retry-After: 2) were met, the same request made again each time, the second time after 2 s" \
	"$(requests "$n" | jq -c '[.[:3][] | .status < 300]') $(requests "$n" | jq '(.[0].path == .[1].path and .[1].path == .[2].path) and (.[2].t - .[1].t >= 0.9)')" \
	"[false,false,true] true"
check "the first answers: 502, then 429" "$(requests "$n" | jq -c '[.[:2][] | .status]')" "[502,429]"

# ---- bundle 3 (withdrawn) after a rate limit that says only RateLimit-Reset
curl -s -X POST "$GLU/_standin/ratelimit?count=1&kind=reset" >/dev/null
n=$(requests | jq length)
feed "$T/b3.tar.gz"
wait_issues '[.[] | select(.title | startswith("PYSEC-2099-1")) | .state] == ["closed","closed"]' || true
cursor_done || ko "tracker read every event (bundle 3)" "$(get /api/v1/trackers)"
check "bundle 3 (withdrawn): both PYSEC-2099-1 issues closed (state_event close), saying why" \
	"$(issues | jq -r '[.[] | select(.title | startswith("PYSEC-2099-1")) | .state] | join(" ")') $(requests "$n" | jq '[.[] | select(.method == "PUT" and .status == 200 and .body.state_event == "close")] | length') $(issues | jq -r '.[] | select(.title | startswith("PYSEC-2099-1")) | .description' | grep -c '^\*\*Resolved:\*\* no image of this repository has an open finding')" \
	"closed closed 2 2"
check "the 429 with RateLimit-Reset only was waited out, then the same request made again" \
	"$(requests "$n" | jq -c '[.[:2][] | .status] | .[0]') $(requests "$n" | jq '.[1].path == .[0].path and .[1].t - .[0].t >= 0.9')" "429 true"
check "the others stay open; GET trackers counts them; no failure left" \
	"$(issues | jq '[.[] | select(.state == "opened")] | length') $(get /api/v1/trackers | jq -c '[.items[] | .issues, .failures, .last_error]')" \
	'6 [{"open":6,"total":8},0,null]'

# ---- a restart as two servers at once over the same data directory: the rows are there, nothing
# changed, nothing is written (a new server's first pass reconciles every group: last_ok moves)
last=$(sqlite3 "$data/bulkhead.db" "SELECT last_ok FROM trackers")
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
n=$(requests | jq length)
sleep 1.1
start_srv "$data" "$P_SRV" "$T/serve2.log"; SRV=$!
start_srv "$data" "$P_SRV2" "$T/serve3.log"; SRV2=$!
wait_srv "$P_SRV" && wait_srv "$P_SRV2" || ko "two servers started" "$(tail -3 "$T/serve2.log" "$T/serve3.log")"
for i in $(seq 100); do [ "$(sqlite3 "$data/bulkhead.db" "SELECT last_ok > $last FROM trackers")" = 1 ] && break; sleep 0.1; done
sleep 0.5
check "restart, two servers, one store: a pass done, still eight issues, none twice, no request at all" \
	"$(sqlite3 "$data/bulkhead.db" "SELECT last_ok > $last FROM trackers") $(issues | jq 'length') $(issues | jq -r '.[].title' | sort | uniq -d | wc -l) $(requests "$n" | jq length)" "1 8 0 0"

# ---- a server with an empty store: the same images and advisories, the same tracker; it finds every
# issue by its marker, walking the paged list, and opens none
data3=$T/data3
start_srv "$data3" "$P_SRV3" "$T/serve4.log"; SRV3=$!
wait_srv "$P_SRV3" || ko "a server with an empty store started" "$(tail -3 "$T/serve4.log")"
U=http://127.0.0.1:$P_SRV3
tokens "$data3"
images
feed "$T/all.tar.gz"
n=$(requests | jq length)
check "empty store: POST tracker 201" "$(code POST /api/v1/trackers "$AD" "${J[@]}" --data "$TRACKER")" 201
for i in $(seq 150); do
	[ "$(sqlite3 "$data3/bulkhead.db" "SELECT count(*) FROM tracker_issues")" = 6 ] && break
	sleep 0.1
done
sleep 0.5
check "empty store: the six open issues found by marker (rows with the same iids), nothing written" \
	"$(sqlite3 "$data3/bulkhead.db" "SELECT group_concat(number) FROM (SELECT number FROM tracker_issues ORDER BY number)") $(requests "$n" | jq '[.[] | select(.method != "GET")] | length')" \
	"$(issues | jq -r '[.[] | select(.state == "opened") | .iid] | sort | map(tostring) | join(",")') 0"
check "empty store: the list walked page by page by X-Next-Page (4 pages of 2 for 8 issues), labels=bulkhead&state=all" \
	"$(requests "$n" | jq -r '[.[] | select(.method == "GET") | .query | capture("page=(?<p>[0-9]+)$").p] | join(",")') $(requests "$n" | jq '[.[] | select(.method == "GET") | .query | startswith("?labels=bulkhead&state=all&per_page=100&page=")] | all')" \
	"1,2,3,4 true"
check "still eight issues, none twice" "$(issues | jq 'length') $(issues | jq -r '.[].title' | sort | uniq -d | wc -l)" "8 0"
check "DELETE tracker: 200, then 404; audited" \
	"$(code DELETE /api/v1/trackers/1 "$AD") $(code DELETE /api/v1/trackers/1 "$AD") $(sqlite3 "$data3/bulkhead.db" "SELECT group_concat(action) FROM (SELECT action FROM audit WHERE action LIKE 'tracker.%' ORDER BY id)")" \
	"200 404 tracker.add,tracker.delete"

# ---- the stand-in's verdict: no request broke the description, no answer broke it either; exit 0
check "zero violations of GitLab's description in $(requests | jq length) requests; every answer fits API_Entities_Issue" \
	"$(requests | jq '[.[] | .violations[]] | length') $(requests | jq '[.[] | select(.standin_errors or .unimplemented)] | length')" "0 0"
requests | jq -c '.[] | select((.violations | length > 0) or .standin_errors)' | head -5
check "operations used" "$(requests | jq -r '[.[].operation] | unique | join(" ")')" \
	"getApiV4ProjectsIdIssues postApiV4ProjectsIdIssues putApiV4ProjectsIdIssuesIssueIid"
kill -TERM "$SRV" "$SRV2" "$SRV3"; wait "$SRV"; rc1=$?; wait "$SRV2"; rc2=$?; wait "$SRV3"; rc3=$?; SRV=; SRV2=; SRV3=
kill -TERM "$GL"; wait "$GL"; rcgl=$?; GL=
check "SIGTERM: the three servers exit 0 (no sanitizer report), the stand-in 0 (nothing broke the description)" \
	"$rc1 $rc2 $rc3 $(cat "$T"/serve*.log | grep -c 'Sanitizer') $rcgl" "0 0 0 0 0"

# ---- the checker is live: a second stand-in refuses what the description refuses, logs it, exits 1
start_standin "$P_PROBE" "$T/probeport" "$T/probe.jsonl"; PROBE=$!
for i in $(seq 100); do [ -s "$T/probeport" ] && break; sleep 0.1; done
PU=http://127.0.0.1:$P_PROBE/api/v4/projects/acme%2Fsec%2Ftracked
pc() { local m=$1 u=$2; shift 2; curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "PRIVATE-TOKEN: $GLTOKEN" -H 'Content-Type: application/json' "$@" "$u"; }
pc POST "$PU/issues" --data '{"title":"t","description":"d"}' >/dev/null # iid 1, for the PUT below
got="$(pc PUT "$PU/issues/1" --data '{"state_event":"closed","colour":1}') $(pc POST "$PU/issues" --data '{"description":"no title"}') $(pc POST "$PU/issues" --data '{"title":"t","labels":"a,b"}') $(pc GET "$PU/issues?state=open&labels=bulkhead") $(pc GET "$PU/issues?sort=up&page=x") $(pc GET "http://127.0.0.1:$P_PROBE/api/v4/projects/acme/sec/tracked/issues") $(pc PATCH "$PU/issues/1" --data '{"description":"d"}') $(curl -s -o /dev/null -w '%{http_code}' "$PU/issues")"
kill -TERM "$PROBE"; wait "$PROBE"; rcp=$?; PROBE=
check "refused (400, 404, 401): a state_event not listed with an undeclared field, no title, labels not a list, a state not listed, a sort not listed with a page not an integer, an unencoded path, PATCH, no token" \
	"$got $(jq -s -r '[.[] | select(.method) | .violations | length | tostring] | join(",")' "$T/probe.jsonl")" "400 400 400 400 400 404 404 401 0,2,1,1,1,2,1,1,1"
check "that stand-in exits 1 (it saw violations) and says how many" "$rcp $(tail -1 "$T/probe.jsonl" | jq -c '[.violations, .standin_errors]')" "1 [10,0]"

finish
