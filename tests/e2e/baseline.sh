#!/usr/bin/env bash
# Baselines on real containers: an app (a loop that connects to a database every second) and a
# database (a listener) on podman's bridge network are learned under `bulkhead watch --learn` for
# BL_LEARN_SECS (default 15; the issue's 5 minutes: BL_LEARN_SECS=300 BL_NORMAL_SECS=300), promoted
# to monitor after a quiet period, then: an unexpected shell in the app, an unexpected outbound
# connection of the app and a connection from a third container to the database must each be
# flagged with the baseline entry they violate; the normal workload for BL_NORMAL_SECS (default 6)
# must raise nothing; a second app container labelled bhbl-env=prod put in protect by its label
# (`baseline mode --label`) while the repository stays in monitor has the shell killed, the unlabelled
# one only alerts; in protect mode the shell is killed in the kernel at exec, and the shell, the
# outbound connection and the third container's connection each retried 1,000 times never succeed;
# a program of the baseline run under another parent than the baseline's is killed in the kernel
# at exec too (never writes its file, 1,000 times).
set -uo pipefail
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/podman.sh"
LEARN=${BL_LEARN_SECS:-15}
NORMAL=${BL_NORMAL_SECS:-6}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS baseline: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL baseline: $1: $2"; }
skip() { echo "SKIP baseline: $1"; echo "baseline: 0 passed, 0 failed (skipped)"; exit 0; }

BH="$(pwd)/$BUILD/bulkhead"
[ -x "$BH" ] || { echo "FAIL baseline: $BH not built"; echo "baseline: 0 passed, 1 failed"; exit 1; }
sensor_ready podman jq cc

T=$(mktemp -d /tmp/bhbl-e2e.XXXXXX)
tag=$$
# the tag in the repositories too: a baseline is per repository, and another run of this script on the
# machine must not see its containers under this run's baselines
appimg=localhost/bhbl-app-$tag:1 dbimg=localhost/bhbl-db-$tag:1 thirdimg=localhost/bhbl-third-$tag:1
app=bhbl-app-$tag db=bhbl-db-$tag third=bhbl-third-$tag lbl=bhbl-lbl-$tag
P="podman --runtime runc"
svc= wpid=
BL=$T/baselines
cleanup() {
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	$P rm -f -t 0 "$app" "$db" "$third" "$lbl" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$appimg" "$dbimg" "$thirdimg" >/dev/null 2>&1
	[ "${BL_KEEP:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

# ---- one image from this machine's files (bash, sleep, the static helper), under three repositories
cc -std=gnu11 -O2 -static -o "$T/act" "$HERE/rules_actions.c" 2>"$T/cc.err" || skip "cannot build a static helper: $(head -2 "$T/cc.err")"
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/opt/bhr"
mkdir -m 1777 "$R/tmp"
for b in bash sleep; do
	src=$(type -P $b) && cp "$src" "$R/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"; done
done
ln -s bash "$R/bin/sh"
cp "$T/act" "$R/opt/bhr/act"
# the app: connects to the database named in /tmp/target once a second (bash builtins only, so the
# loop's processes are act and sleep)
cat >"$R/opt/bhr/app.sh" <<'EOF'
#!/bin/bash
echo "$1" >/tmp/target
while :; do read -r t </tmp/target; /opt/bhr/act connect "$t" 5432; /bin/sleep 1; done
EOF
chmod 755 "$R/opt/bhr/app.sh"
echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
tar -C "$R" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$appimg" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"
podman tag "$appimg" "$dbimg" "$thirdimg" || skip "podman tag failed"

sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"

# ---- learn: the watch starts first, so every process's parent is known
learn_t0=$SECONDS
"$BH" watch -f json --alerts-only --no-default-rules --containers-only --engine-host "unix://$sock" --baseline-dir "$BL" \
	--learn "$appimg" --learn "$dbimg" --learn-for "$LEARN" --quiet-for 3 >"$T/alerts" 2>"$T/watch.err" &
wpid=$!
for _ in $(seq 100); do grep -q '^sensor:' "$T/watch.err" && break; kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
grep -q '^sensor:' "$T/watch.err" || {
	grep -q 'without eBPF support' "$T/watch.err" && skip "$(tail -1 "$T/watch.err")"
	ko "watch started" "$(tail -3 "$T/watch.err")"; echo "baseline: $pass passed, $fail failed"; exit 1; }
$P run -d --name "$db" --network=bridge "$dbimg" /opt/bhr/act serve 5432 >/dev/null 2>"$T/run.err" \
	|| skip "podman cannot run a bridge-networked container here: $(head -2 "$T/run.err")"
dbip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$db")
[ -n "$dbip" ] || skip "no bridge address for the database container"
gw=$(podman inspect -f '{{.NetworkSettings.Gateway}}' "$db")
$P run -d --name "$app" --network=bridge "$appimg" /opt/bhr/app.sh "$dbip" >/dev/null 2>>"$T/run.err" || skip "run: $(tail -2 "$T/run.err")"
$P run -d --name "$lbl" --label bhbl-env=prod --network=bridge "$appimg" /opt/bhr/app.sh "$dbip" >/dev/null 2>>"$T/run.err" || skip "run: $(tail -2 "$T/run.err")"

# an operator's routine exec during learning: the engine running bash, which writes the target
sleep 2
$P exec "$app" /bin/bash -c "echo $dbip >/tmp/target" >/dev/null 2>&1
# promoted to monitor after LEARN + the quiet period
for _ in $(seq $((LEARN * 10 + 300))); do
	[ "$(grep -c 'promoted from learn to monitor' "$T/watch.err")" -ge 2 ] && break
	kill -0 $wpid 2>/dev/null || break
	sleep 0.1
done
if [ "$(grep -c 'promoted from learn to monitor' "$T/watch.err")" -ge 2 ]; then ok "both baselines learned and promoted to monitor"
else ko "promotion" "$(grep baseline "$T/watch.err" | tail -3)"; fi
# not before --learn-for has passed (a baseline once began its learning at time 0 and was promoted
# after the quiet period alone)
[ $((SECONDS - learn_t0)) -ge "$LEARN" ] && ok "promoted no earlier than --learn-for ${LEARN}s (after $((SECONDS - learn_t0))s)" \
	|| ko "promoted too early" "after $((SECONDS - learn_t0))s of ${LEARN}s"
"$BH" baseline list --dir "$BL" >"$T/list" 2>&1
grep -q "bhbl-app.*monitor" "$T/list" && grep -q "bhbl-db.*monitor" "$T/list" && ok "baseline list shows both in monitor mode" \
	|| ko "baseline list" "$(cat "$T/list")"
"$BH" baseline show "$appimg" --dir "$BL" -f json >"$T/app.json" 2>&1
if jq -e --arg db "image:localhost/bhbl-db-$tag" '.processes[] | select(.exe == "/opt/bhr/act" and .parent == "/opt/bhr/app.sh")' "$T/app.json" >/dev/null &&
   jq -e --arg db "image:localhost/bhbl-db-$tag" '.outbound[] | select(.peer == $db and .port == 5432)' "$T/app.json" >/dev/null; then
	ok "the app's baseline has its loop (act under app.sh) and its database peer by image"
else ko "app baseline" "$(jq -c '{processes, outbound}' "$T/app.json" | head -c 600)"; fi
"$BH" baseline show "$dbimg" --dir "$BL" -f json >"$T/db.json" 2>&1
jq -e --arg app "image:localhost/bhbl-app-$tag" '.inbound[] | select(.peer == $app and .port == 5432)' "$T/db.json" >/dev/null \
	&& jq -e '.listen[] | select(.port == 5432)' "$T/db.json" >/dev/null \
	&& ok "the database's baseline has its listener and the app as its inbound peer" \
	|| ko "db baseline" "$(jq -c '{listen, inbound}' "$T/db.json" | head -c 600)"

# ---- monitor: the normal workload raises nothing
before=$(wc -l <"$T/alerts")
sleep "$NORMAL"
n=$(tail -n +$((before + 1)) "$T/alerts" | jq -c 'select(.baseline_deviation)' | grep -c "bhbl-.*-$tag")
[ "$n" -eq 0 ] && ok "normal workload for ${NORMAL}s in monitor mode: no deviation" \
	|| ko "normal workload" "$n deviations: $(tail -n +$((before + 1)) "$T/alerts" | jq -r '.baseline_deviation.what' | sort | uniq -c | head -5)"

# dev KIND PATTERN: a deviation of that kind whose text matches, after line $mark
devs() { tail -n +$((mark + 1)) "$T/alerts" | jq -c 'select(.baseline_deviation) | .baseline_deviation'; }
# has FILTER...: some line of stdin matches (jq -e answers for the last line only)
has() { [ -n "$(jq -c "$@" 2>/dev/null)" ]; }
wait_dev() {
	for _ in $(seq 50); do devs | has --arg k "$1" --arg p "$2" 'select(.kind == $k and (.what | test($p)))' && return 0; sleep 0.1; done
	return 1
}
mark=$(wc -l <"$T/alerts")
$P exec "$app" /bin/sh -c 'exit 0' >/dev/null 2>&1
wait_dev process '^process /bin/sh' && ok "monitor: unexpected shell flagged ($(devs | jq -r 'select(.kind == "process") | .violated' | head -1 | cut -c1-120))" \
	|| ko "monitor: shell" "$(devs | head -3)"
# its ancestry: podman exec's shell was started by the engine
devs | has 'select(.kind == "process" and (.what | test("^process /bin/sh")) and .chain == "/bin/sh < (engine)")' \
	&& ok "monitor: the shell's deviation says its parent chain (/bin/sh < (engine))" \
	|| ko "monitor: chain" "$(devs | jq -c 'select(.kind == "process") | .chain' | head -2)"
mark=$(wc -l <"$T/alerts")
$P exec "$app" /bin/bash -c "echo $gw >/tmp/target" >/dev/null 2>&1
sleep 2
$P exec "$app" /bin/bash -c "echo $dbip >/tmp/target" >/dev/null 2>&1
wait_dev outbound "^outbound $gw" && ok "monitor: unexpected outbound connection flagged ($(devs | jq -r 'select(.kind == "outbound") | .violated' | head -1 | cut -c1-120))" \
	|| ko "monitor: outbound" "$(devs | head -3)"
mark=$(wc -l <"$T/alerts")
$P run --rm --name "$third" --network=bridge "$thirdimg" /opt/bhr/act connect "$dbip" 5432 >/dev/null 2>&1
wait_dev inbound 'bhbl-third' && ok "monitor: a third container's connection to the database flagged ($(devs | jq -r 'select(.kind == "inbound") | .violated' | head -1 | cut -c1-120))" \
	|| ko "monitor: inbound from a third container" "$(devs | head -3)"
devs | has 'select(.action_taken | test("monitor"))' && ok "monitor mode only alerts" || ko "monitor action" "$(devs | head -2)"

# ---- modes per label: the labelled container in protect, the repository's baseline still in monitor
"$BH" baseline mode --label bhbl-env=prod protect --dir "$BL" >/dev/null 2>"$T/mode.err" || ko "baseline mode --label" "$(cat "$T/mode.err")"
for _ in $(seq 60); do grep -q "protect: container $lbl" "$T/watch.err" && break; sleep 0.1; done
grep -q "protect: container $lbl .*by label bhbl-env=prod" "$T/watch.err" && ! grep -q "protect: container $app" "$T/watch.err" \
	&& ok "the label rule read by the running watch: only the labelled container protected" || ko "label protect" "$(grep protect "$T/watch.err" | tail -3)"
"$BH" baseline list --dir "$BL" | grep -q '^1 *bhbl-env=prod *protect' && ok "baseline list shows the label rule" \
	|| ko "list label rules" "$("$BH" baseline list --dir "$BL" 2>&1 | tail -3)"
mark=$(wc -l <"$T/alerts")
gl=$($P exec "$lbl" /bin/bash -c '/bin/sh -c "exit 7"; echo $?' 2>/dev/null)
ga=$($P exec "$app" /bin/bash -c '/bin/sh -c "exit 7"; echo $?' 2>/dev/null)
[ "$gl" = 137 ] && [ "$ga" = 7 ] && ok "the same shell killed at exec in the labelled container, run in the unlabelled one" \
	|| ko "label protect: shell" "labelled exit '$gl' (want 137), unlabelled exit '$ga' (want 7)"
wait_jq() { for _ in $(seq 50); do devs | has --arg lbl "$lbl" --arg app "$app" "$1" && return 0; sleep 0.1; done; return 1; }
wait_jq 'select(.container == $lbl and (.what | test("^process /bin/sh")) and .mode == "protect" and .mode_label == "bhbl-env=prod" and (.action_taken | test("killed")))' \
	&& wait_jq 'select(.container == $app and (.what | test("^process /bin/sh")) and .mode == "monitor" and .mode_from == "baseline" and (.action_taken | test("monitor")))' \
	&& ok "deviations say the mode and the rule that made it (protect by label bhbl-env=prod: killed; monitor by the baseline: alerted)" \
	|| ko "label deviations" "$(devs | jq -c '{container, mode, mode_from, mode_label, action_taken}' | head -3)"

# ---- protect: the baseline's executables only, killed in the kernel at exec
"$BH" baseline mode "$appimg" protect --dir "$BL" >/dev/null 2>"$T/mode.err" || ko "baseline mode" "$(cat "$T/mode.err")"
for _ in $(seq 60); do grep -q 'protect: container bhbl-app' "$T/watch.err" && break; sleep 0.1; done
grep -q 'protect: container bhbl-app' "$T/watch.err" && ok "protect mode picked up by the running watch" || ko "protect" "$(tail -3 "$T/watch.err")"
mark=$(wc -l <"$T/alerts")
got=$($P exec "$app" /bin/bash -c 'n=0; for ((i = 0; i < 1000; i++)); do /bin/sh -c "exit 7"; [ $? -eq 7 ] && n=$((n + 1)); done; echo $n' 2>/dev/null)
[ "$got" = 0 ] && ok "protect: the shell retried 1,000 times ran 0 times (killed at exec in the kernel)" \
	|| ko "protect: shell" "ran $got of 1000 times"
wait_dev process '^process /bin/sh' && devs | has 'select(.kind == "process" and (.action_taken | test("killed")))' \
	&& ok "protect: each kill reported with the entry it violated" || ko "protect report" "$(devs | head -2)"
# a listed program under a parent the baseline does not give it: act is in the baseline under app.sh
# only; run from an operator's bash it is killed in the kernel at exec (the parent check of
# allow_pair), so it never runs an instruction: the file it would write never appears, 1,000 times
mark=$(wc -l <"$T/alerts")
got=$($P exec "$app" /bin/bash -c 'n=0; for ((i = 0; i < 1000; i++)); do /opt/bhr/act write /tmp/bhbl-parent-$i 2>/dev/null; [ $? -ne 137 ] && n=$((n + 1)); done; f=(/tmp/bhbl-parent-*); [ -e "${f[0]}" ] && echo "$n ${#f[@]}" || echo "$n 0"' 2>/dev/null)
[ "$got" = "0 0" ] && ok "protect: a listed program (act) under another parent (bash) retried 1,000 times: killed at exec every time, no file written" \
	|| ko "protect: parent" "not killed, files written: '$got' (want '0 0')"
wait_dev process '^process /opt/bhr/act' && devs | has 'select(.kind == "process" and (.what | test("parent /bin/bash")) and (.action_taken | test("sched_process_exec")))' \
	&& ok "protect: the parent kill reported with the entry it violated ($(devs | jq -r 'select(.kind == "process") | .violated // empty' | head -1))" \
	|| ko "protect parent report" "$(devs | head -2)"
# the network half of protect: the database protected too; connections no entry allows are refused in the kernel
"$BH" baseline mode "$dbimg" protect --dir "$BL" >/dev/null 2>"$T/mode.err" || ko "baseline mode db" "$(cat "$T/mode.err")"
for _ in $(seq 60); do grep -q 'protect: container bhbl-db' "$T/watch.err" && break; sleep 0.1; done
sleep 3
mark=$(wc -l <"$T/alerts")
$P exec "$app" /bin/bash -c "echo $gw >/tmp/target" >/dev/null 2>&1
sleep 2
$P exec "$app" /bin/bash -c "echo $dbip >/tmp/target" >/dev/null 2>&1
wait_dev outbound "^outbound $gw" && devs | has 'select(.kind == "outbound" and (.action_taken | test("refused in the kernel")))' \
	&& tail -n +$((mark + 1)) "$T/alerts" | has 'select(.netpol and .netpol.verdict == "blocked")' \
	&& ok "protect: the unexpected outbound connection refused in the kernel, with the entry it violated" \
	|| ko "protect: outbound" "$(devs | jq -c '{what, action_taken}' | head -2) $(tail -n +$((mark + 1)) "$T/alerts" | jq -c 'select(.netpol)' | head -2)"
# the blocked outbound retried 1,000 times: a listener of the test's own on the host's bridge
# address counts what reaches it; a container without a baseline (the third) reaches it, the
# protected app never does
lport=$((20000 + tag % 20000))
python3 - "$gw" "$lport" "$T/accepts" <<'PY' 2>"$T/listener.err" &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1024)
n = 0
open(sys.argv[3], "w").write("0\n")
while True:
    c, _ = s.accept()
    c.close()
    n += 1
    open(sys.argv[3], "w").write("%d\n" % n)
PY
lpid=$!
for _ in $(seq 50); do [ -s "$T/accepts" ] && break; sleep 0.1; done
$P run --rm --network=bridge "$thirdimg" /opt/bhr/act connect "$gw" "$lport" >/dev/null 2>&1
sleep 0.3
reach=$(cat "$T/accepts" 2>/dev/null)
got=$($P exec "$app" /bin/bash -c "n=0; for ((i = 0; i < 1000; i++)); do /opt/bhr/act connect $gw $lport && n=\$((n + 1)); done; echo \$n" 2>/dev/null)
sleep 0.3
[ "$reach" = 1 ] && [ "$got" = 0 ] && [ "$(cat "$T/accepts")" = 1 ] \
	&& ok "protect: the unexpected outbound connection retried 1,000 times succeeded 0 times (the listener, reached once by a container without a baseline, saw none of them)" \
	|| ko "protect: outbound x1000" "reached by the third container: '$reach' (want 1); app succeeded '$got' of 1000; the listener accepted '$(cat "$T/accepts" 2>/dev/null)' in all $(head -1 "$T/listener.err")"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; lpid=
got=$($P run --rm --name "$third" --network=bridge "$thirdimg" /bin/bash -c \
	"n=0; for ((i = 0; i < 1000; i++)); do /opt/bhr/act connect $dbip 5432 && n=\$((n + 1)); done; echo \$n" 2>/dev/null)
[ "$got" = 0 ] && ok "protect: a third container's connection to the database retried 1,000 times succeeded 0 times" \
	|| ko "protect: third container" "succeeded '$got' of 1000 times"
before=$(wc -l <"$T/alerts")
sleep "$NORMAL"
n=$(tail -n +$((before + 1)) "$T/alerts" | jq -c 'select(.baseline_deviation)' | grep -c "bhbl-.*-$tag")
nb=$(tail -n +$((before + 1)) "$T/alerts" | jq -c 'select(.netpol and .netpol.verdict == "blocked")' | grep -c "bhbl-app-$tag")
[ "$n" -eq 0 ] && [ "$nb" -eq 0 ] && ok "normal workload for ${NORMAL}s in protect mode: nothing raised, nothing killed, the app's connections to the database not refused" \
	|| ko "normal workload in protect" "$n deviations, $nb refused connections of the app"
podman exec "$app" /bin/bash -c 'read -r t </tmp/target; echo $t' >/dev/null 2>&1 && ok "the app still runs" || ko "app" "not running"

# ---- diff and accept
"$BH" baseline diff "$appimg" --dir "$BL" >"$T/diff" 2>&1 && jq -e '.mode.to == "protect"' "$T/diff" >/dev/null \
	&& ok "baseline diff shows the mode change" || ko "diff" "$(head -c 300 "$T/diff")"
"$BH" baseline accept "$appimg" process exe=/bin/sh parent=/bin/bash --dir "$BL" >/dev/null 2>"$T/acc.err" || ko "accept" "$(cat "$T/acc.err")"
sleep 3
got=$($P exec "$app" /bin/bash -c '/bin/sh -c "exit 7"; echo $?' 2>/dev/null)
[ "$got" = 7 ] && ok "an accepted deviation runs again (allow-list updated in the kernel)" || ko "accepted shell" "exit $got"
"$BH" baseline export "$appimg" --dir "$BL" -o "$T/app.yaml" && "$BH" baseline import "$T/app.yaml" --dir "$T/bl2" >/dev/null \
	&& "$BH" baseline show "$appimg" --dir "$T/bl2" -f json | jq -e '.mode == "protect"' >/dev/null \
	&& ok "export and import round-trip" || ko "export/import" "failed"

# ---- patterns in protect: a directory pattern is matched in the kernel too (it used to kill what the
# baseline allowed); a pattern the kernel cannot match leaves that baseline's execs to user space,
# said on stderr; a new version empties the kernel's list first, so an entry taken out is killed again.
# The shell is started by the engine (podman exec): the baseline has it only under bash by now.
installs() { grep -c "protect: container $app" "$T/watch.err"; }
wait_install() { for _ in $(seq 80); do [ "$(installs)" -gt "$1" ] && return 0; sleep 0.1; done; return 1; }
shells() { local n=0; for _ in $(seq 10); do $P exec "$app" /bin/sh -c 'exit 7' >/dev/null 2>&1; [ $? -eq 7 ] && n=$((n + 1)); done; echo $n; }
"$BH" baseline export "$appimg" --dir "$BL" -o "$T/app-before.yaml" 2>"$T/exp.err" || ko "baseline export" "$(cat "$T/exp.err")"
got=$(shells)
[ "$got" = 0 ] || ko "protect: shell under the engine before the pattern" "ran $got of 10 times (want 0)"
n0=$(installs)
"$BH" baseline accept "$appimg" process 'exe=/bin/*' --dir "$BL" >/dev/null 2>"$T/acc.err" || ko "baseline accept /bin/*" "$(cat "$T/acc.err")"
wait_install "$n0" || ko "pattern install" "$(tail -3 "$T/watch.err")"
got=$(shells)
[ "$got" = 10 ] && ok "protect: with {exe: /bin/*} accepted, the engine's shell runs 10 of 10 times (killed 10 of 10 before; the kernel matches the directory pattern)" \
	|| ko "protect: directory pattern" "the shell ran $got of 10 times"
n0=$(installs)
"$BH" baseline accept "$appimg" process 'exe=/opt/bh?/act' --dir "$BL" >/dev/null 2>"$T/acc.err" || ko "baseline accept /opt/bh?/act" "$(cat "$T/acc.err")"
wait_install "$n0" || ko "pattern install (user space)" "$(tail -3 "$T/watch.err")"
grep -q "WARNING: protect: baseline localhost/bhbl-app-$tag has the exe pattern /opt/bh?/act, which the kernel's allow-list cannot match" "$T/watch.err" \
	&& grep -q "protect: container $app: deviations killed from user space after the exec" "$T/watch.err" \
	&& ok "protect: a pattern the kernel cannot match is named on stderr and its baseline judged in user space" \
	|| ko "protect: user-space pattern" "$(grep -i 'pattern' "$T/watch.err" | tail -2)"
$P exec "$app" /opt/bhr/act write /tmp/bhbl-pattern >/dev/null 2>&1
got=$?
sleep 1
$P exec "$app" /bin/bash -c 'test -e /tmp/bhbl-pattern' 2>/dev/null && [ "$got" = 0 ] \
	&& ok "protect: act under the engine, allowed only by {exe: /opt/bh?/act}, runs and writes its file" \
	|| ko "protect: user-space pattern run" "exit '$got' (want 0)"
# back to the baseline as it was: /bin/* leaves the kernel's list with the new version
n0=$(installs)
sed -i 's/^version: .*/version: 9999/' "$T/app-before.yaml"
"$BH" baseline import "$T/app-before.yaml" --dir "$BL" >/dev/null 2>"$T/imp.err" || ko "baseline import" "$(cat "$T/imp.err")"
wait_install "$n0" || ko "reinstall" "$(tail -3 "$T/watch.err")"
got=$(shells)
[ "$got" = 0 ] && ok "protect: the patterns taken out again, the engine's shell runs 0 of 10 times (the kernel's list was emptied before the new version)" \
	|| ko "protect: stale entry" "the shell ran $got of 10 times"

# a stopped container's list leaves the kernel: the labelled container's allow_exe entries, counted
# in the map by its cgroup id (bpftool), go within a few seconds of podman rm
lid=$(podman inspect -f '{{.Id}}' "$lbl" 2>/dev/null)
ldir=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "*$lid*" 2>/dev/null | head -1)
if [ -n "$lid" ] && [ -n "$ldir" ] && command -v bpftool >/dev/null; then
	lcg=$(stat -c %i "$ldir")
	in_map() { bpftool map dump name allow_exe -j 2>/dev/null | jq --argjson cg "$lcg" '[.. | objects | select(.formatted?.key?.cgroup_id? == $cg)] | length'; }
	before=$(in_map)
	$P rm -f -t 0 "$lbl" >/dev/null 2>&1
	for _ in $(seq 60); do [ "$(in_map)" = 0 ] && break; sleep 0.1; done
	after=$(in_map)
	[ "${before:-0}" -gt 0 ] && [ "$after" = 0 ] && ok "a stopped protected container's allow-list left the kernel ($before entries of cgroup $lcg, then 0)" \
		|| ko "stopped container's allow-list" "entries of cgroup $lcg: before '$before', after '$after'"
else
	echo "SKIP baseline: the stopped container's allow-list: no cgroup dir for $lbl or no bpftool"
fi

kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; wpid=
echo "baseline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
