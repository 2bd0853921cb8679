#!/usr/bin/env bash
# `bulkhead watch` end to end: the eBPF sensor sees a real podman container's exec, write and
# connect with that container's id and name, tells a binary written in the container (exe_upper)
# from one of the image, and sees every one of a burst of 10,000 execs with no drops.
set -uo pipefail
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP watch: $1"; echo "watch: 0 passed, 0 failed (skipped)"; exit 0; }
BURST=${BH_WATCH_BURST:-10000}

[ -x "$BUILD/bulkhead" ] || { echo "FAIL watch: $BUILD/bulkhead not built"; echo "watch: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (the eBPF sensor needs CAP_BPF and CAP_PERFMON)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v podman >/dev/null || skip "podman is not installed"
command -v jq >/dev/null || skip "jq is not installed"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

T=$(mktemp -d /tmp/bh-watch-e2e.XXXXXX)
tag=$$
img=localhost/bh-e2e-watch:$tag
name=bh-e2e-watch-$tag
svc= wpid=
P="podman --runtime runc"
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	$P rm -f -t 0 "$name" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# A small image from this machine's bash, true, cat, chmod and sleep (their libraries too).
mkdir -p "$T/root/bin" "$T/root/etc" "$T/root/usr/local/bin" "$T/root/tmp"
for b in bash true cat chmod sleep; do
	src=$(type -P $b) && cp "$src" "$T/root/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$T/root$(dirname "$lib")" && cp -L "$lib" "$T/root$lib"; done
done
echo 'root:x:0:0:root:/:/bin/bash' >"$T/root/etc/passwd"
tar -C "$T/root" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"
$P run -d --name "$name" --network=none "$img" /bin/sleep 1000 >"$T/id" 2>"$T/run.err" || skip "podman cannot run containers here: $(head -2 "$T/run.err")"
cid=$(cat "$T/id")
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"

"$BUILD/bulkhead" watch --sensor bpf -f json --stats --container "$name" --engine-host "unix://$sock" >"$T/events" 2>"$T/watch.err" &
wpid=$!
for _ in $(seq 100); do grep -q '^sensor:' "$T/watch.err" && break; kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
if ! grep -q '^sensor:' "$T/watch.err"; then
	grep -q 'without eBPF support' "$T/watch.err" && skip "$(tail -1 "$T/watch.err")"
	ko "watch started" "$(tail -3 "$T/watch.err")"; echo "watch: $pass passed, $fail failed"; exit 1
fi
ok "watch started: $(grep '^sensor:' "$T/watch.err")"
grep -q 'sched_process_exec *attached' "$T/watch.err" && ok "hook report: sched_process_exec attached" || ko "hook report" "$(head -3 "$T/watch.err")"
grep 'failed at' "$T/watch.err" | sed 's/^/  (kernel) /'
# only the module hooks may fail here (this kernel has no module support); any other is a sensor bug
bad=$(grep 'failed at' "$T/watch.err" | grep -v '_module ')
[ -z "$bad" ] && ok "every hook but the module loads attached" || ko "hooks failed" "$bad"

$P exec "$name" /bin/true
$P exec "$name" /bin/bash -c 'echo hi >/etc/x'
$P exec "$name" /bin/bash -c 'cat /bin/true >/usr/local/bin/x && chmod 755 /usr/local/bin/x && /usr/local/bin/x'
$P exec "$name" /bin/bash -c 'echo >/dev/tcp/127.0.0.1/9' 2>/dev/null
sleep 1

# the burst: the container's bash forks and execs /bin/true BURST times; the sensor's CPU time around it
ticks() { awk '{print $14 + $15}' "/proc/$wpid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
$P exec "$name" /bin/bash -c "for ((i = 0; i < $BURST; i++)); do /bin/true burst; done"
s1=$(date +%s.%N)
sleep 2
t1=$(ticks)
kill -INT $wpid; wait $wpid; rc=$?; wpid=
[ $rc -eq 0 ] && ok "watch stopped cleanly on SIGINT" || ko "watch exit status" "$rc: $(tail -2 "$T/watch.err")"

ev() { jq -c "select($1)" "$T/events"; }
n=$(ev ".type==\"execve\" and .path==\"/bin/true\" and .args==\"/bin/true\" and .container.id==\"$cid\" and .container.name==\"$name\"" | wc -l)
[ "$n" -ge 1 ] && ok "exec /bin/true seen with the container's id and name" || ko "exec /bin/true" "$(head -c 600 "$T/events")"
n=$(ev ".type==\"open\" and .path==\"/etc/x\" and (.flags % 4) >= 1 and .container.id==\"$cid\"" | wc -l)
[ "$n" -ge 1 ] && ok "write of /etc/x seen" || ko "open /etc/x" "$(ev '.class=="file"' | head -3)"
n=$(ev ".type==\"connect\" and .net.daddr==\"127.0.0.1\" and .net.dport==9 and .container.name==\"$name\"" | wc -l)
[ "$n" -ge 1 ] && ok "connect to 127.0.0.1:9 seen" || ko "connect" "$(ev '.class=="net"' | head -3)"
up=$(ev '.type=="execve" and .path=="/usr/local/bin/x"' | jq -r .exe_upper | head -1)
[ "$up" = true ] && ok "exec of /usr/local/bin/x written in the container: exe_upper true" || ko "exe_upper of /usr/local/bin/x" "${up:-no event}"
up=$(ev '.type=="execve" and .path=="/bin/true"' | jq -r .exe_upper | sort -u | tr '\n' ' ')
[ "$up" = "false " ] && ok "exec of /bin/true from the image: exe_upper false" || ko "exe_upper of /bin/true" "${up:-no event}"
cwd=$(ev '.type=="execve" and .path=="/usr/local/bin/x"' | jq -r .cwd | head -1)
[ "$cwd" = / ] && ok "exec cwd read in the kernel: /" || ko "cwd" "$cwd"

# the default rules, evaluated on every event: the drift exec and the /etc write alert, with the event
al() { jq -r "select(.alert and .alert.rule == \"$1\" and .event.container.id == \"$cid\") | .event.path" "$T/events" | sort -u | tr '\n' ' '; }
check_alert() { if [ "$(al "$1")" = "$2 " ]; then ok "alert \"$1\" on $2"; else ko "alert $1" "got '$(al "$1")'"; fi; }
check_alert "Executable not from the image run" /usr/local/bin/x
check_alert "Write below etc" /etc/x
check_alert "Write below binary directory" /usr/local/bin/x
n=$(jq -r 'select(.alert) | .event.args' "$T/events" | grep -c '^/bin/true burst$')
[ "$n" = 0 ] && ok "no alert on the 10,000 execs of the image's /bin/true" || ko "false alarms" "$n alerts on /bin/true"

seen=$(ev ".type==\"execve\" and .args==\"/bin/true burst\" and .container.id==\"$cid\"" | wc -l)
stats=$(grep '^stats (end)' "$T/watch.err")
drops=$(echo "$stats" | grep -o '[0-9]* drops' | awk '{s += $1} END {print s + 0}')
echo "  burst: $seen of $BURST execs seen, drops $drops, $(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.1f s, %.0f exec/s", b - a, '"$BURST"' / (b - a)}')"
echo "  sensor CPU during the burst: $((t1 - t0)) ticks of $(getconf CLK_TCK)/s (user+sys of bulkhead watch)"
echo "  $stats"
[ "$seen" -eq "$BURST" ] && ok "burst: all $BURST execs seen" || ko "burst" "$seen of $BURST"
[ -n "$stats" ] && [ "$drops" -eq 0 ] && ok "burst: drops 0 in every class" || ko "drops" "${stats:-no stats line}"
p99=$(echo "$stats" | sed -n 's/.*p99 \([0-9]*\) us.*/\1/p')
[ -n "$p99" ] && [ "$p99" -lt 50000 ] && ok "exec->event p99 ${p99} us (< 50 ms)" || ko "latency" "${stats:-none}"

# Drops are counted, not silent: 16 KiB rings and a reader blocked on its stdout for 5 s while 500 execs run.
"$BUILD/bulkhead" watch --sensor bpf -f json --stats --ring-size 16 --container "$name" --duration 9 --engine-host "unix://$sock" \
	2>"$T/drop.err" | { sleep 5; cat >/dev/null; } &
dpid=$!
for _ in $(seq 100); do grep -q '^sensor:' "$T/drop.err" && break; sleep 0.1; done
$P exec "$name" /bin/bash -c 'for ((i = 0; i < 500; i++)); do /bin/true drop; done'
wait $dpid
dstats=$(grep '^stats (end)' "$T/drop.err")
pdrops=$(echo "$dstats" | sed -n 's/.* proc [0-9]* events \([0-9]*\) drops.*/\1/p')
pseen=$(echo "$dstats" | sed -n 's/.* proc \([0-9]*\) events.*/\1/p')
echo "  small rings, blocked reader: proc events $pseen, drops ${pdrops:-?}; $(grep '^  drops of' "$T/drop.err" | head -1)"
[ -n "$pdrops" ] && [ "$pdrops" -gt 0 ] && [ $((pseen + pdrops)) -ge 1000 ] && ok "drops counted: $pseen delivered + $pdrops dropped >= 1000 proc records" || ko "drop counting" "${dstats:-no stats}"
grep -q "^  drops of container $name proc [1-9]" "$T/drop.err" && ok "drops attributed to the container" || ko "per-container drops" "$(grep 'drops of' "$T/drop.err" | head -2)"

echo "watch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
