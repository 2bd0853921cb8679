#!/usr/bin/env bash
# Runtime actions end to end on a real podman container: `watch --enforce` kills an executable
# written in the container in the kernel at exec (its marker file never appears; without --enforce
# it does), pauses (cgroup freezer) and unpause resumes, quarantines (nftables in the container's
# network namespace; a peer namespace joined by a veth pair loses TCP both ways, `contain release`
# restores it) with forensics, and stops the container through the engine API.
set -uo pipefail
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP actions: $1"; echo "actions: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BUILD/bulkhead" ] || { echo "FAIL actions: $BUILD/bulkhead not built"; echo "actions: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (the eBPF sensor, cgroups, setns and nft need it)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v podman >/dev/null || skip "podman is not installed"
for t in jq ip nsenter python3; do command -v $t >/dev/null || skip "$t is not installed"; done
[ -x /usr/sbin/nft ] || [ -x /sbin/nft ] || skip "nft is not installed (apt-get install nftables)"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

T=$(mktemp -d /tmp/bhact-e2e.XXXXXX)
tag=$$
img=localhost/bhact-e2e:$tag
name=bhact-e2e-$tag
peer=bhact-peer-$tag
svc= wpid=
P="podman --runtime runc"
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
	[ -n "${cpid:-}" ] && "$BUILD/bulkhead" contain release "$name" --engine-host "unix://$sock" >/dev/null 2>&1
	$P rm -f -t 0 "$name" >/dev/null 2>&1
	ip netns del "$peer" 2>/dev/null
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# A small image from this machine's bash and coreutils (their libraries too).
mkdir -p "$T/root/bin" "$T/root/etc" "$T/root/usr/local/bin" "$T/root/tmp"
for b in bash true cat chmod sleep touch cp rm; do
	src=$(type -P $b) && cp "$src" "$T/root/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$T/root$(dirname "$lib")" && cp -L "$lib" "$T/root$lib"; done
done
echo 'root:x:0:0:root:/:/bin/bash' >"$T/root/etc/passwd"
tar -C "$T/root" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"
$P run -d --name "$name" --network=none "$img" /bin/sleep 1000 >"$T/id" 2>"$T/run.err" || skip "podman cannot run containers here: $(head -2 "$T/run.err")"
cid=$(cat "$T/id")
cpid=$(podman inspect -f '{{.State.Pid}}' "$name")
upper=$(podman inspect -f '{{.GraphDriver.Data.UpperDir}}' "$name")
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"

# The default rules with the drift rule's action set to kill, and three rules whose actions a
# marker argument of /bin/true triggers.
cat >"$T/rules.yaml" <<'EOF'
- rule: Executable not from the image run
  action: kill
  override:
    action: replace
- rule: bhact pause trigger
  desc: test rule
  condition: spawned_process and container and proc.cmdline contains "bhact-pause-now"
  output: pause requested (cmdline=%proc.cmdline)
  priority: WARNING
  action: pause
- rule: bhact quarantine trigger
  desc: test rule
  condition: spawned_process and container and proc.cmdline contains "bhact-quarantine-now"
  output: quarantine requested (cmdline=%proc.cmdline)
  priority: WARNING
  action: quarantine
- rule: bhact stop trigger
  desc: test rule
  condition: spawned_process and container and proc.cmdline contains "bhact-stop-now"
  output: stop requested (cmdline=%proc.cmdline)
  priority: WARNING
  action: stop
EOF

# start_watch OUT ERR ARGS...: bulkhead watch in the background (wpid), waits for its start-up report
start_watch() {
	local out=$1 err=$2
	shift 2
	"$BUILD/bulkhead" watch -f json --container "$name" --engine-host "unix://$sock" --rules "$T/rules.yaml" "$@" >"$out" 2>"$err" &
	wpid=$!
	for _ in $(seq 100); do grep -q '^sensor:' "$err" && break; kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
	if ! grep -q '^sensor:' "$err"; then
		grep -q 'without eBPF support' "$err" && skip "$(tail -1 "$err")"
		ko "watch started" "$(tail -3 "$err")"; echo "actions: $pass passed, $fail failed"; exit 1
	fi
	sleep 0.3
}
stop_watch() { kill -INT $wpid; wait $wpid; local rc=$?; wpid=; return $rc; }

# ---- (a) drift killed in the kernel at exec ----
# without --enforce: the copied binary runs, its marker appears, the alert fires (action not taken)
start_watch "$T/plain.json" "$T/plain.err"
$P exec "$name" /bin/bash -c 'cp /bin/touch /usr/local/bin/x && /usr/local/bin/x /tmp/marker; echo "rc=$?"' >"$T/plain.out" 2>&1
sleep 0.5
stop_watch
[ -e "$upper/tmp/marker" ] && grep -q 'rc=0' "$T/plain.out" && ok "without --enforce: /usr/local/bin/x ran (marker written, exit 0)" || ko "without --enforce" "$(cat "$T/plain.out")"
a=$(jq -c 'select(.alert.rule == "Executable not from the image run" and .event.path == "/usr/local/bin/x")' "$T/plain.json" | head -1)
[ -n "$a" ] && [ "$(echo "$a" | jq -r .alert.action_taken)" = none ] && [ "$(echo "$a" | jq -r '.event.killed_in_kernel // false')" = false ] &&
	ok "without --enforce: alert \"Executable not from the image run\", action_taken none, not killed" || ko "alert without --enforce" "${a:-none}: $(head -c 400 "$T/plain.json")"
$P exec "$name" /bin/rm -f /tmp/marker /usr/local/bin/x  # in the container: the overlay must see it

start_watch "$T/enf.json" "$T/enf.err" --enforce --forensics-dir "$T/forensics" --deny-exe /bin/rm
grep '^enforce:' "$T/enf.err" | sed 's/^/  /'
grep -q '^enforce: kill at exec in the kernel (bpf_send_signal at sched_process_exec) for container' "$T/enf.err" &&
	ok "start-up report names the mechanism: bpf_send_signal at sched_process_exec" || ko "enforce report" "$(cat "$T/enf.err" | tail -5)"
$P exec "$name" /bin/bash -c 'cp /bin/touch /usr/local/bin/x && /usr/local/bin/x /tmp/marker; echo "rc=$?"' >"$T/enf.out" 2>&1
sleep 0.5
# a copy under another name, denied by nothing but drift; and a script, whose interpreter is from the image
[ ! -e "$upper/tmp/marker" ] && ok "with --enforce: marker never appeared" || ko "marker" "it exists: the program ran"
grep -q 'rc=137' "$T/enf.out" && ok "with --enforce: /usr/local/bin/x died of SIGKILL (exit 137)" || ko "exit status" "$(cat "$T/enf.out")"
e=$(jq -c 'select(.type == "execve" and .path == "/usr/local/bin/x")' "$T/enf.json" | head -1)
[ "$(echo "$e" | jq -r .killed_in_kernel)" = true ] && [ "$(echo "$e" | jq -r .action)" = "killed (bpf_send_signal at sched_process_exec)" ] &&
	ok "exec event: killed_in_kernel, action \"killed (bpf_send_signal at sched_process_exec)\", reason $(echo "$e" | jq -r .kill_reason)" || ko "exec event" "${e:-none}"
a=$(jq -c 'select(.alert.rule == "Executable not from the image run" and .event.path == "/usr/local/bin/x")' "$T/enf.json" | head -1)
[ -n "$a" ] && echo "$a" | jq -r .alert.action_taken | grep -q '^killed (bpf_send_signal' && ok "alert with action_taken: $(echo "$a" | jq -r .alert.action_taken)" || ko "alert with --enforce" "${a:-none}"
act=$(jq -c 'select((.action|type) == "object" and .action.action == "kill" and .action.rule == "Executable not from the image run")' "$T/enf.json" | head -1)
[ -n "$act" ] && [ "$(echo "$act" | jq -r .action.result)" = killed ] && [ "$(echo "$act" | jq -r .action.container)" = "$name" ] &&
	[ "$(echo "$act" | jq -r .action.mechanism)" = "bpf_send_signal at sched_process_exec" ] && ok "action event: $act" || ko "action event" "${act:-none}"
# exec (kernel time) -> alert printed (user space), both CLOCK_REALTIME
lat=$(python3 -c 'import sys,json,datetime
a=json.loads(sys.argv[1])
def ns(t):
    s,f=t.rstrip("Z").split(".")
    return int(datetime.datetime.strptime(s,"%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp())*10**9+int((f+"000000000")[:9])
print(ns(a["alert"]["time"])-ns(a["event"]["time"]))' "$a" 2>/dev/null)
echo "  exec -> alert: $((lat / 1000)) us"
[ -n "$lat" ] && [ "$lat" -ge 0 ] && [ "$lat" -lt 50000000 ] && ok "exec -> drift alert in $((lat / 1000)) us (< 50 ms)" || ko "latency" "${lat:-?} ns"
# an image binary still runs under --enforce
$P exec "$name" /bin/touch /tmp/fine && [ -e "$upper/tmp/fine" ] && ok "with --enforce: the image's /bin/touch still runs" || ko "image binary" "did not run"
# a script written in the container: the kernel sees its interpreter (/bin/bash, from the image)
printf '#!/bin/bash\n/bin/touch /tmp/script-marker\n' >"$T/s.sh"
$P exec "$name" /bin/bash -c "cat >/usr/local/bin/s <<'X'
$(cat "$T/s.sh")
X
chmod 755 /usr/local/bin/s; /usr/local/bin/s; echo rc=\$?" >"$T/script.out" 2>&1
sleep 0.3
[ ! -e "$upper/tmp/script-marker" ] && grep -q 'rc=137' "$T/script.out" && ok "with --enforce: a script written in the container is killed before its first line (no marker, exit 137)" || ko "script" "$(tail -1 "$T/script.out"), marker $([ -e "$upper/tmp/script-marker" ] && echo written || echo absent)"
act=$(jq -c 'select((.action|type) == "object" and .action.action == "kill" and .action.mechanism == "bpf_send_signal at the interpreter'"'"'s openat of the script")' "$T/enf.json" | head -1)
[ -n "$act" ] && ok "script kill action event: $(echo "$act" | jq -c '.action | {result, mechanism}')" || ko "script action event" "$(jq -c 'select((.action|type) == "object")' "$T/enf.json" | tail -2)"

# the kernel alone: with the user-space side stopped (SIGSTOP), drift binaries and scripts still die
kill -STOP $wpid
$P exec "$name" /bin/bash -c 'cp /bin/touch /usr/local/bin/y && /usr/local/bin/y /tmp/marker-y; echo "rc=$?"' >"$T/stopped.out" 2>&1
$P exec "$name" /bin/bash -c 'printf "#!/bin/bash\n/bin/touch /tmp/marker-z\n" >/usr/local/bin/z && chmod 755 /usr/local/bin/z && /usr/local/bin/z; echo "rc=$?"' >>"$T/stopped.out" 2>&1
kill -CONT $wpid
[ "$(grep -c 'rc=137' "$T/stopped.out")" = 2 ] && [ ! -e "$upper/tmp/marker-y" ] && [ ! -e "$upper/tmp/marker-z" ] &&
	ok "with watch itself stopped (SIGSTOP): a copied binary and a script are still killed in the kernel, no marker" || ko "kernel-only kill" "$(cat "$T/stopped.out")"
# the deny list: an image binary denied by exact path
$P exec "$name" /bin/rm -f /tmp/fine; rc=$?
sleep 0.3
e=$(jq -c 'select(.type == "execve" and .path == "/bin/rm" and .killed_in_kernel == true)' "$T/enf.json" | head -1)
[ $rc -eq 137 ] && [ -e "$upper/tmp/fine" ] && [ "$(echo "$e" | jq -r .kill_reason)" = "denied executable path" ] &&
	ok "--deny-exe /bin/rm: killed at exec (137), file kept, kill_reason \"denied executable path\"" || ko "deny-exe" "rc $rc, event ${e:-none}"

# ---- (b) pause freezes, unpause resumes ----
$P exec -d "$name" /bin/bash -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; /bin/sleep 0.05; done' >/dev/null
sleep 0.5
# detached: the freeze may come before /bin/true has exited, and a waiting `exec` would wait for the unpause
$P exec -d "$name" /bin/true bhact-pause-now >/dev/null
for _ in $(seq 50); do jq -e 'select((.action|type) == "object" and .action.action == "pause")' "$T/enf.json" >/dev/null 2>&1 && break; sleep 0.1; done
act=$(jq -c 'select((.action|type) == "object" and .action.action == "pause")' "$T/enf.json" | head -1)
[ "$(echo "$act" | jq -r .action.result)" = paused ] && ok "pause action event: $(echo "$act" | jq -c '.action | {result, mechanism, pid}')" || ko "pause action" "${act:-none}"
fs=$(cat /sys/fs/cgroup/freezer/libpod_parent/libpod-$cid/freezer.state 2>/dev/null)
c1=$(cat "$upper/tmp/count"); sleep 1; c2=$(cat "$upper/tmp/count")
[ "$fs" = FROZEN ] && [ "$c1" = "$c2" ] && ok "paused: freezer.state $fs, counter stayed at $c1 for 1 s" || ko "pause" "state '$fs', counter $c1 -> $c2"
"$BUILD/bulkhead" contain status "$name" --engine-host "unix://$sock" >"$T/status" 2>&1
grep -q 'paused yes' "$T/status" && ok "contain status: $(cat "$T/status")" || ko "contain status" "$(cat "$T/status")"
"$BUILD/bulkhead" contain unpause "$name" --engine-host "unix://$sock" >"$T/unpause" 2>&1 || ko "contain unpause" "$(cat "$T/unpause")"
sleep 1; c3=$(cat "$upper/tmp/count")
fs=$(cat /sys/fs/cgroup/freezer/libpod_parent/libpod-$cid/freezer.state 2>/dev/null)
[ "$fs" = THAWED ] && [ "$c3" -gt "$c2" ] && ok "unpaused ($(cat "$T/unpause")): counter $c2 -> $c3" || ko "unpause" "state '$fs', counter $c2 -> $c3"

# ---- (c) quarantine ----
ip netns add "$peer" || skip "ip netns add failed"
ip link add bhact-v$tag type veth peer name bhact-w$tag 2>/dev/null || ip link add bhact-v0 type veth peer name bhact-w0
vh=bhact-v$tag; vc=bhact-w$tag
ip link show "$vh" >/dev/null 2>&1 || { vh=bhact-v0; vc=bhact-w0; }
ip link set "$vh" netns "$peer" && ip link set "$vc" netns "$cpid" || ko "veth" "cannot move the veth ends"
ip -n "$peer" addr add 10.213.77.1/30 dev "$vh"; ip -n "$peer" link set "$vh" up; ip -n "$peer" link set lo up
nsenter -t "$cpid" -n ip addr add 10.213.77.2/30 dev "$vc"; nsenter -t "$cpid" -n ip link set "$vc" up
# a TCP listener inside the container's network namespace, one in the peer
nsenter -t "$cpid" -n python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.213.77.2", 8081)); s.listen(64)
while True:
    c,_=s.accept(); c.close()' &
lpid=$!
ip netns exec "$peer" python3 -c 'import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.213.77.1", 8082)); s.listen(64)
while True:
    c,_=s.accept(); c.close()' &
lpid="$lpid $!"
sleep 0.5
conn_in() { ip netns exec "$peer" python3 -c 'import socket; socket.create_connection(("10.213.77.2", 8081), timeout=1).close()' 2>/dev/null; }
# a dropped SYN is retried for minutes: the connect gets 2 s, then bash's kill ends it
conn_out() { $P exec "$name" /bin/bash -c '(exec 3<>/dev/tcp/10.213.77.1/8082) 2>/dev/null & p=$!; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $p 2>/dev/null || { wait $p; exit $?; }; /bin/sleep 0.2; done; kill $p; exit 1'; }
conn_in && conn_out && ok "before quarantine: peer -> container and container -> peer TCP connect" || ko "connectivity before" "in $(conn_in; echo $?) out $(conn_out; echo $?)"
timeout 20 $P exec "$name" /bin/true bhact-quarantine-now
for _ in $(seq 50); do jq -e 'select((.action|type) == "object" and .action.action == "quarantine")' "$T/enf.json" >/dev/null 2>&1 && break; sleep 0.1; done
act=$(jq -c 'select((.action|type) == "object" and .action.action == "quarantine")' "$T/enf.json" | head -1)
[ "$(echo "$act" | jq -r .action.result)" = quarantined ] && ok "quarantine action event: $(echo "$act" | jq -c '.action | {result, mechanism, forensics}')" || ko "quarantine action" "${act:-none}"
conn_in && ko "quarantine inbound" "peer still connects" || ok "quarantined: peer -> container TCP connect fails"
conn_out && ko "quarantine outbound" "container still connects" || ok "quarantined: container -> peer TCP connect fails"
fd=$(echo "$act" | jq -r .action.forensics)
[ -d "$fd" ] && grep -q "^$cpid	" "$fd/processes.tsv" && grep -q '/bin/sleep 1000$' "$fd/processes.tsv" && grep -q 'bash -c i=0' "$fd/processes.tsv" &&
	ok "forensics processes.tsv: $(($(wc -l <"$fd/processes.tsv") - 1)) processes, init $cpid sleep 1000 and the counter loop" || ko "forensics processes" "$(cat "$fd/processes.tsv" 2>/dev/null | head -5)"
grep -q '^file	.*	/usr/local/bin/x$' "$fd/upper.tsv" && grep -q '^file	.*	/tmp/count$' "$fd/upper.tsv" && cmp -s "$fd/files/usr/local/bin/x" /bin/touch &&
	ok "forensics upper.tsv lists /usr/local/bin/x and /tmp/count; files/ has the copy of x" || ko "forensics upper" "$(head -5 "$fd/upper.tsv" 2>/dev/null)"
"$BUILD/bulkhead" contain release "$name" --engine-host "unix://$sock" >"$T/release" 2>&1 || ko "contain release" "$(cat "$T/release")"
conn_in && conn_out && ok "released: TCP both ways again ($(head -1 "$T/release"))" || ko "after release" "in $(conn_in; echo $?) out $(conn_out; echo $?)"
# the manual path: contain quarantine / unquarantine with forensics into a chosen dir
"$BUILD/bulkhead" contain quarantine "$name" --engine-host "unix://$sock" --forensics-dir "$T/f2" >"$T/q2" 2>&1
conn_out && ko "contain quarantine" "still connects: $(cat "$T/q2")" || ok "contain quarantine cuts the network: $(head -1 "$T/q2")"
ls "$T/f2"/*/processes.tsv >/dev/null 2>&1 && ok "contain quarantine wrote forensics into --forensics-dir" || ko "contain forensics" "$(cat "$T/q2")"
"$BUILD/bulkhead" contain unquarantine "$name" --engine-host "unix://$sock" >/dev/null 2>&1
conn_out && ok "contain unquarantine restores it" || ko "unquarantine" "no connection"
kill $lpid 2>/dev/null; lpid=

# ---- (d) stop through the engine ----
timeout 20 $P exec "$name" /bin/true bhact-stop-now
for _ in $(seq 150); do jq -e 'select((.action|type) == "object" and .action.action == "stop")' "$T/enf.json" >/dev/null 2>&1 && break; sleep 0.1; done
act=$(jq -c 'select((.action|type) == "object" and .action.action == "stop")' "$T/enf.json" | head -1)
st=$(podman inspect -f '{{.State.Running}}' "$name")
[ "$(echo "$act" | jq -r .action.result)" = stopped ] && [ "$st" = false ] && ok "stop action event ($(echo "$act" | jq -r .action.mechanism)); podman says Running=$st" || ko "stop" "${act:-none}; running $st"
stop_watch
rc=$?
[ $rc -eq 0 ] && ok "watch --enforce exited cleanly" || ko "watch exit" "$rc: $(tail -2 "$T/enf.err")"

echo "actions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
