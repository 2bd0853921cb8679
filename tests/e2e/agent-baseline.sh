#!/usr/bin/env bash
# agent-baseline: baselines through `bulkhead agent --runtime --learn` and `bulkhead serve` (SQLite, a port of
# 18480-18489) on real podman containers: the agent learns an app and its database, promotes both to monitor and
# sends them to the server; a shell started in the app reaches the server as a baseline.deviation with the entry
# it violated and what accepting it would add; accepting it and switching the app to protect through the API
# reach the agent (its copy of the baseline changes within seconds); then a program outside the baseline is
# killed in the kernel at exec (exit 137) and reported with the mechanism. Label rules of modes: the agent's own
# modes.yaml goes up once while the server has none (GET /api/v1/baselines/modes); a rule then PUT on the
# server reaches the agent's modes.yaml and puts a labelled container of the protected app in monitor (no
# longer killed, its deviation says mode_from label) while the unlabelled one stays in protect.
# Names: containers and images $BH_AGBL_PREFIX-* (default bhagbl).
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/podman.sh"
LEARN=${BL_LEARN_SECS:-8}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS agent-baseline: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL agent-baseline: $1: $2"; }
skip() { echo "SKIP agent-baseline: $1"; echo "agent-baseline: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL agent-baseline: $BH not built"; echo "agent-baseline: 0 passed, 1 failed"; exit 1; }
sensor_ready curl jq python3 podman cc

PFX=${BH_AGBL_PREFIX:-bhagbl}
T=$(mktemp -d /tmp/$PFX-e2e.XXXXXX)
tag=$$
appimg=localhost/$PFX-app:$tag dbimg=localhost/$PFX-db:$tag
app=$PFX-app-$tag db=$PFX-db-$tag lbl=$PFX-lbl-$tag
P="podman --runtime runc"
svc= SRV= AGT=
cleanup() {
	[ -n "$AGT" ] && kill "$AGT" 2>/dev/null && wait "$AGT" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	$P rm -f -t 0 "$app" "$db" "$lbl" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$appimg" "$dbimg" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

cc -std=gnu11 -O2 -static -o "$T/act" "$HERE/rules_actions.c" 2>"$T/cc.err" || skip "cannot build a static helper: $(head -2 "$T/cc.err")"
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/opt/bhr"
mkdir -m 1777 "$R/tmp"
for b in bash sleep cat; do
	src=$(type -P $b) && cp "$src" "$R/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"; done
done
ln -s bash "$R/bin/sh"
cp "$T/act" "$R/opt/bhr/act"
cat >"$R/opt/bhr/app.sh" <<'EOS'
#!/bin/bash
echo "$1" >/tmp/target
while :; do read -r t </tmp/target; /opt/bhr/act connect "$t" 5432; /bin/sleep 1; done
EOS
chmod 755 "$R/opt/bhr/app.sh"
echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
tar -C "$R" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$appimg" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"
podman tag "$appimg" "$dbimg" || skip "podman tag failed"
podman_service "$T/podman.sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"

PORT=$(free_port_in 18480 18489) || skip "no free port in 18480-18489"
U=http://127.0.0.1:$PORT
"$BH" serve --data "$T/data" --listen 127.0.0.1:$PORT 2>"$T/serve.log" &
SRV=$!
for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && break; sleep 0.1; done
AG=$("$BH" token create --data "$T/data" --role agent --host $PFX-h --name ag 2>/dev/null)
O=$("$BH" token create --data "$T/data" --role operator --name secteam 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $O" "$U/api/v1/$1"; }
post() { curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $O" -H 'Content-Type: application/json' --data "$2" "$U/api/v1/$1"; }
waitfor() { # seconds path jq-filter
	local end=$((SECONDS + $1))
	while [ $SECONDS -le $end ]; do [ "$(api "$2" | jq -r "$3" 2>/dev/null)" = true ] && return 0; sleep 0.2; done
	return 1
}

# this host's own label rules, there before the agent starts (the server has none yet)
mkdir -p "$T/spool/baselines"
printf 'apiVersion: bulkhead/v1\nkind: BaselineModes\nlabels:\n  - {label: "%s-push", mode: monitor}\n' "$PFX" >"$T/spool/baselines/modes.yaml"
"$BH" agent -v --runtime --no-default-rules --learn "$appimg" --learn "$dbimg" --learn-for "$LEARN" --quiet-for 3 \
	--server "$U" --token "$AG" --host $PFX-h --engine-host "unix://$T/podman.sock" --spool "$T/spool" 2>"$T/agent.log" &
AGT=$!
for _ in $(seq 100); do grep -q 'runtime sensor on\|runtime monitoring is off' "$T/agent.log" 2>/dev/null && break; kill -0 $AGT 2>/dev/null || break; sleep 0.1; done
grep -q 'runtime sensor on' "$T/agent.log" || skip "the agent's sensor did not start: $(tail -2 "$T/agent.log")"
$P run -d --name "$db" --network=bridge "$dbimg" /opt/bhr/act serve 5432 >/dev/null 2>"$T/run.err" || skip "podman run: $(head -2 "$T/run.err")"
dbip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$db")
$P run -d --name "$app" --network=bridge "$appimg" /opt/bhr/app.sh "$dbip" >/dev/null 2>>"$T/run.err" || skip "podman run: $(tail -2 "$T/run.err")"
sleep 2
$P exec "$app" /bin/bash -c "echo $dbip >/tmp/target" >/dev/null 2>&1

if waitfor $((LEARN + 30)) baselines '[.items[] | select(.repository | startswith("localhost/'"$PFX"'-")) | select(.mode == "monitor")] | length == 2'; then
	ok "the agent learned both baselines and the server has them in monitor mode"
else ko "learned baselines on the server" "$(api baselines | jq -c '[.items[] | {repository, mode, version}]') $(grep -i baseline "$T/agent.log" | tail -2)"; fi
api "baselines/doc?repository=localhost/$PFX-app" | jq -e --arg p "image:localhost/$PFX-db" '.outbound[] | select(.peer == $p and .port == 5432)' >/dev/null \
	&& ok "the app's baseline on the server has its database peer by image" || ko "app baseline" "$(api "baselines/doc?repository=localhost/$PFX-app" | head -c 300)"

# the host's own label rules went up once: the server had none
if waitfor 15 baselines/modes '.version == 1 and .updated_by == "ag" and (.labels | map(.label) == ["'"$PFX"'-push"])'; then
	ok "the agent sent its own modes.yaml once, as the server had no label rules (version 1, by its token)"
else ko "modes push" "$(api baselines/modes) $(grep -i 'label rules' "$T/agent.log" | tail -2)"; fi

$P exec "$app" /bin/sh -c 'exit 0' >/dev/null 2>&1
if waitfor 15 'events?type=baseline.deviation&limit=1000' '[.items[] | select(.payload.repository == "localhost/'"$PFX"'-app" and (.payload.what | startswith("process /bin/sh")))] | length >= 1'; then
	ok "a shell in the app reached the server as baseline.deviation"
else ko "deviation on the server" "$(api 'events?type=baseline.deviation' | jq -c '[.items[].payload.what]' | head -c 300)"; fi
dev=$(api 'events?type=baseline.deviation&limit=1000' | jq -c '[.items[] | select(.payload.what | startswith("process /bin/sh"))][0].payload')
jq -e '.violated | test("processes")' <<<"$dev" >/dev/null && jq -e '.obs.exe == "/bin/sh"' <<<"$dev" >/dev/null \
	&& ok "the deviation names the entry it violated and what accepting it adds" || ko "deviation payload" "$(head -c 300 <<<"$dev")"

entry=$(jq -c '.obs' <<<"$dev")
code=$(post baselines/accept "{\"repository\":\"localhost/$PFX-app\",\"entry\":$entry}")
code2=$(post baselines/mode "{\"repository\":\"localhost/$PFX-app\",\"mode\":\"protect\"}")
[ "$code $code2" = "200 200" ] && ok "accepted through the API and switched to protect" || ko "accept/mode" "$code $code2 $(cat "$T/body")"
f="$T/spool/baselines/localhost%2F$PFX-app.yaml"
for _ in $(seq 100); do grep -q '^mode: "protect"' "$f" 2>/dev/null && grep -q '"/bin/sh"' "$f" && break; sleep 0.2; done
grep -q '^mode: "protect"' "$f" && grep -q 'exe: "/bin/sh"' "$f" && ok "the agent's copy has the accepted entry and protect mode" \
	|| ko "agent copy" "$(grep -E '^mode|bin/sh' "$f" 2>&1 | head -3)"
sleep 3
got=$($P exec "$app" /bin/bash -c '/bin/cat /dev/null; echo $?' 2>/dev/null)
[ "$got" = 137 ] && ok "protect: a program outside the baseline is killed at exec (exit 137)" || ko "protect kill" "exit '$got'"
if waitfor 15 'events?type=baseline.deviation&limit=1000' '[.items[] | select(.payload.what | startswith("process /bin/cat")) | select(.payload.action_taken | test("bpf_send_signal"))] | length >= 1'; then
	ok "the kill reached the server with its mechanism"
else ko "kill report" "$(api 'events?type=baseline.deviation&limit=1000' | jq -c '[.items[].payload | {what, action_taken}]' | tail -c 400)"; fi
$P exec "$app" /bin/sh -c 'exit 7' >/dev/null 2>&1
got=$?
[ "$got" = 7 ] && ok "the accepted shell (as it was accepted: run by the engine) still runs in protect mode" || ko "accepted shell" "exit '$got'"

# a label rule from the server: a second app container labelled $PFX-tier=gold is in protect as its
# baseline says (killed at exec) until the rule puts containers with that label in monitor
$P run -d --name "$lbl" --label "$PFX-tier=gold" --network=bridge "$appimg" /opt/bhr/app.sh "$dbip" >/dev/null 2>>"$T/run.err" \
	|| ko "podman run $lbl" "$(tail -2 "$T/run.err")"
sleep 2
got=$($P exec "$lbl" /bin/bash -c '/bin/cat /dev/null; echo $?' 2>/dev/null)
[ "$got" = 137 ] && ok "the labelled container is in protect by its baseline before any label rule (exit 137)" || ko "labelled before the rule" "exit '$got'"
code=$(curl -s -o "$T/body" -w '%{http_code}' -X PUT -H "Authorization: Bearer $O" --data-binary \
	"$(printf 'labels:\n  - {label: "%s-push", mode: monitor}\n  - {label: "%s-tier=gold", mode: monitor}\n' "$PFX" "$PFX")" "$U/api/v1/baselines/modes")
[ "$code $(jq -r .version "$T/body")" = "200 2" ] && ok "a label rule PUT on the server (version 2)" || ko "PUT modes" "$code $(cat "$T/body")"
for _ in $(seq 100); do grep -q "$PFX-tier=gold" "$T/spool/baselines/modes.yaml" 2>/dev/null && break; sleep 0.2; done
grep -q "{label: \"$PFX-tier=gold\", mode: monitor}" "$T/spool/baselines/modes.yaml" && [ "$(cat "$T/spool/baselines/.modes.version" 2>/dev/null)" = 2 ] \
	&& ok "the rule reached the agent's modes.yaml (written whole, version 2 remembered)" \
	|| ko "agent modes.yaml" "$(cat "$T/spool/baselines/modes.yaml" "$T/spool/baselines/.modes.version" 2>&1 | head -8)"
got=137
for _ in $(seq 30); do
	got=$($P exec "$lbl" /bin/bash -c '/bin/cat /dev/null; echo $?' 2>/dev/null)
	[ "$got" = 0 ] && break
	sleep 0.5
done
gotapp=$($P exec "$app" /bin/bash -c '/bin/cat /dev/null; echo $?' 2>/dev/null)
[ "$got $gotapp" = "0 137" ] && ok "the label rule changed the effective mode: the labelled container runs /bin/cat (monitor), the unlabelled one is still killed (protect)" \
	|| ko "label rule effect" "labelled exit '$got' (want 0), unlabelled exit '$gotapp' (want 137)"
if waitfor 15 'events?type=baseline.deviation&limit=1000' '[.items[] | select(.payload.container.name == "'"$lbl"'" and (.payload.what | startswith("process /bin/cat")) and .payload.mode == "monitor" and .payload.mode_from == "label" and .payload.mode_label == "'"$PFX"'-tier=gold")] | length >= 1'; then
	ok "the labelled container's deviation reached the server with mode monitor, mode_from label, mode_label $PFX-tier=gold"
else ko "label deviation" "$(api 'events?type=baseline.deviation&limit=1000' | jq -c '[.items[].payload | select(.what | startswith("process /bin/cat")) | {container: .container.name, mode, mode_from, mode_label}]' | tail -c 400)"; fi

echo "agent-baseline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
