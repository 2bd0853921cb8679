#!/usr/bin/env bash
# `bulkhead baseline ... --server` against a real `bulkhead serve` (SQLite, a port of 18480-18489): every
# subcommand (import, list, show, export, mode, accept, diff, mode --label, learn) gives the same output as
# the local command on a --dir holding the same baseline, changes what the API then answers, and fails
# with the server's own message: no baseline (exit 5), a viewer token changing something (6), no token
# (2), a document the server refuses (3, its message), the server away (5). The token comes from --token
# or $BULKHEAD_TOKEN, as for `scan --server`.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS baseline-server: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL baseline-server: $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP baseline-server: $1"; echo "baseline-server: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL baseline-server: $BH not built"; echo "baseline-server: 0 passed, 1 failed"; exit 1; }
for t in curl jq python3; do command -v $t >/dev/null || skip "$t is not installed"; done
T=$(mktemp -d /tmp/bhblsrv-cli.XXXXXX)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

PORT=$(free_port_in 18480 18489) || skip "no free port in 18480-18489"
U=http://127.0.0.1:$PORT
"$BH" serve --data "$T/data" --listen 127.0.0.1:$PORT -q 2>"$T/serve.log" &
SRV=$!
for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && break; kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
curl -sf "$U/healthz" >/dev/null || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "baseline-server: $pass passed, $fail failed"; exit 1; }
O=$("$BH" token create --data "$T/data" --role operator --name secteam 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name v 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $O" "$U/api/v1/$1"; }
L=$T/local
APP=$SRC/fuzz/corpus/baseline/app.yaml
# both sides: the local command on --dir L, the same one on the server; stdout and exit code each
both() {
	local_out=$("$BH" baseline "$@" --dir "$L" 2>"$T/lerr"); local_rc=$?
	srv_out=$(BULKHEAD_TOKEN=$O "$BH" baseline "$@" --server "$U" 2>"$T/serr"); srv_rc=$?
}

both import "$APP"
check "import: the same line as the local import, exit 0; the server has the baseline" \
	"$srv_rc $srv_out|$(api baselines | jq -r '.items[] | "\(.repository) \(.mode) \(.version)"')" "$local_rc $local_out|localhost/app monitor 3"
both list
check "list: the baselines' table as the local one (label rules: none, with --server in the hint)" \
	"$srv_rc $(head -2 <<<"$srv_out")|$(tail -1 <<<"$srv_out")" \
	"$local_rc $(head -2 <<<"$local_out")|label rules: none (bulkhead baseline mode --label KEY=VALUE MODE --server $U)"
both show localhost/app:1
check "show (table) of an image's repository: the same as the local one" "$srv_rc $srv_out" "$local_rc $local_out"
both show localhost/app -f json
check "show -f json: the same document" "$srv_rc $(jq -S . <<<"$srv_out" | md5sum)" "$local_rc $(jq -S . <<<"$local_out" | md5sum)"
both show localhost/app -f yaml
check "show -f yaml: the same" "$srv_rc $srv_out" "$local_rc $local_out"
"$BH" baseline export localhost/app --dir "$L" -o "$T/local.yaml"
"$BH" baseline export localhost/app --server "$U" --token "$O" -o "$T/srv.yaml"; rc=$?
check "export -o FILE (--token): the same YAML file" "$rc $(md5sum <"$T/srv.yaml")" "0 $(md5sum <"$T/local.yaml")"

both mode localhost/app protect
check "mode IMAGE protect: the same line; the server's baseline in protect" \
	"$srv_rc $srv_out $(api 'baselines/doc?repository=localhost/app' | jq -r .mode)" "$local_rc $local_out protect"
both accept localhost/app process exe=/bin/sh parent=/opt/app
check "accept: the same line; the entry on the server" \
	"$srv_rc $srv_out $(api 'baselines/doc?repository=localhost/app' | jq -r '[.processes[] | select(.exe == "/bin/sh") | .source] | join(",")')" \
	"$local_rc $local_out accepted"
both accept localhost/app process exe=/bin/sh parent=/opt/app
check "accept again: already in the baseline (both)" "$srv_rc $srv_out" "$local_rc $local_out"
both accept localhost/app outbound peer=10.0.0.0/8 proto=tcp port=443
check "accept outbound with a port: the same line" "$srv_rc $srv_out" "$local_rc $local_out"
both diff localhost/app
check "diff IMAGE (from the version before): the same JSON" "$srv_rc $(jq -S -c . <<<"$srv_out")" "$local_rc $(jq -S -c . <<<"$local_out")"
both diff localhost/app --from 3
check "diff --from 3: the same JSON (mode monitor -> protect, 2 entries added)" \
	"$srv_rc $(jq -S -c . <<<"$srv_out") $(jq -r '"\(.mode.from)->\(.mode.to) \(.added | length)"' <<<"$srv_out")" \
	"$local_rc $(jq -S -c . <<<"$local_out") monitor->protect 2"
both diff localhost/app --from 3 --to 4
check "diff --from 3 --to 4: the same JSON" "$srv_rc $(jq -S -c . <<<"$srv_out")" "$local_rc $(jq -S -c . <<<"$local_out")"

both mode --label env=prod protect
check "mode --label env=prod protect: the local line's form, naming the server and the rules' version" \
	"$srv_rc $srv_out" "0 label env=prod: (no rule) -> protect ($U, version 1)"
both mode --label team monitor
both mode --label env=prod learn
check "mode --label: a second rule, the first changed in place (version 3)" "$srv_rc $srv_out" "0 label env=prod: protect -> learn ($U, version 3)"
check "the server's rules: env=prod learn, team monitor, by secteam" \
	"$(api baselines/modes | jq -c '[.version, .updated_by, [.labels[] | "\(.label):\(.mode)"]]')" '[3,"secteam",["env=prod:learn","team:monitor"]]'
both list
check "list: the label rules after the baselines, as the local list prints them (where: the server, version 3)" \
	"$srv_rc $(tail -4 <<<"$srv_out")" \
	"0 label rules ($U, version 3, first match wins over the baseline's mode):
#    LABEL                                            MODE
1    env=prod                                         learn
2    team                                             monitor"
check "list: the same rules locally" "$(tail -4 <<<"$local_out" | sed 's/([^)]*)/()/')" "$(tail -4 <<<"$srv_out" | sed 's/([^)]*)/()/')"
both mode --label team none
check "mode --label team none: removed (version 4)" "$srv_rc $srv_out $(api baselines/modes | jq -c '[.labels[].label]')" \
	"0 label team: monitor -> (no rule) ($U, version 4) [\"env=prod\"]"

out=$(BULKHEAD_TOKEN=$O "$BH" baseline learn localhost/app:2 localhost/newapp:1 --learn-for 10m --server "$U" 2>"$T/serr"); rc=$?
check "learn IMAGE... --server: says so for both, exit 0" \
	"$rc $(grep -c "learn on $U" <<<"$out") $(grep -c 'was protect' <<<"$out") $(grep -c 'was a new baseline' <<<"$out")" "0 2 1 1"
check "learn --server: the server's baselines in learn for 600 s (an existing one switched, a new empty one made)" \
	"$(api 'baselines/doc?repository=localhost/app' | jq -r '"\(.mode) \(.learn.duration_s)"') $(api 'baselines/doc?repository=localhost/newapp' | jq -r '"\(.mode) \(.learn.duration_s) \(.processes | length)"')" \
	"learn 600 learn 600 0"

# failures: exit codes and the server's own message
out=$(BULKHEAD_TOKEN=$O "$BH" baseline show localhost/nope --server "$U" 2>&1); rc=$?
"$BH" baseline show localhost/nope --dir "$L" >/dev/null 2>&1; lrc=$?
check "show of a repository without a baseline: exit 5 (as locally), saying how to learn one" \
	"$rc $lrc $(grep -c "no baseline of localhost/nope on $U (learn one: bulkhead baseline learn localhost/nope --server $U)" <<<"$out")" "5 5 1"
out=$(BULKHEAD_TOKEN=$O "$BH" baseline accept localhost/nope process exe=/x --server "$U" 2>&1); rc=$?
check "accept into a repository without a baseline: exit 5" "$rc $(grep -c 'no baseline of localhost/nope' <<<"$out")" "5 1"
out=$("$BH" baseline mode localhost/app monitor --server "$U" --token "$V" 2>&1); rc=$?
check "a viewer token changing a mode: exit 6 with the server's message; the mode unchanged" \
	"$rc $(grep -c "may not do this.*HTTP 403: this token's role may not use this route" <<<"$out") $(api 'baselines/doc?repository=localhost/app' | jq -r .mode)" "6 1 learn"
out=$("$BH" baseline list --server "$U" --token "$V" 2>&1); rc=$?
check "a viewer token may list" "$rc $(grep -c '^localhost/app ' <<<"$out")" "0 1"
out=$(env -u BULKHEAD_TOKEN "$BH" baseline list --server "$U" 2>&1); rc=$?
check "no token: exit 2 naming --token and \$BULKHEAD_TOKEN" "$rc $(grep -c 'needs a token: --token T or \$BULKHEAD_TOKEN' <<<"$out")" "2 1"
out=$(BULKHEAD_TOKEN=$O "$BH" baseline accept localhost/app outbound peer=somewhere port=1 --server "$U" 2>&1); rc=$?
check "an entry the server refuses: exit 3 with the server's message (HTTP 400)" "$rc $(grep -c 'POST /api/v1/baselines/accept: HTTP 400: .*peer' <<<"$out")" "3 1"
printf 'repository: x\noutbound: [{peer: "10.0.0.0/40"}]\n' >"$T/bad.yaml"
out=$(BULKHEAD_TOKEN=$O "$BH" baseline import "$T/bad.yaml" --server "$U" 2>&1); rc=$?
check "import of a broken file: exit 3 naming the file and field, nothing sent" "$rc $(grep -c "$T/bad.yaml.*outbound\[0\]" <<<"$out") $(api baselines | jq '[.items[] | select(.repository == "x")] | length')" "3 1 0"
out=$(BULKHEAD_TOKEN=$O "$BH" baseline mode --label 'env=prod' sometimes --server "$U" 2>&1); rc=$?
check "mode --label with a bad mode: exit 2" "$rc" 2
out=$(BULKHEAD_TOKEN=$O "$BH" baseline list --server "$U" --dir "$L" 2>&1); rc=$?
check "--dir and --server together: exit 2" "$rc $(grep -c -- '--dir or --server' <<<"$out")" "2 1"
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
out=$(BULKHEAD_TOKEN=$O "$BH" baseline list --server "$U" 2>&1); rc=$?
check "the server away: exit 5 naming the URL" "$rc $(grep -c "GET /api/v1/baselines: $U/api/v1/baselines" <<<"$out")" "5 1"

echo "baseline-server: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
