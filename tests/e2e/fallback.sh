#!/usr/bin/env bash
# The runtime sensor's fallback (netlink process connector + fanotify, runtime/fallback.c) end to end,
# forced through bh_rtsource: a `podman exec` of a process that lives a second is an exec in its
# container's cgroup; a write below /etc, a rename, a delete and a chmod in the container are seen
# through fanotify; a binary written to /usr/local/bin and run is an exec not from the image (and
# the default rule says so). Auto mode says which source it chose, and falls back when eBPF cannot load.
set -uo pipefail
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP fallback: $1"; echo "fallback: 0 passed, 0 failed (skipped)"; exit 0; }

[ -f "$BUILD/libbulkhead.a" ] || { echo "FAIL fallback: $BUILD/libbulkhead.a not built"; echo "fallback: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (the process connector and fanotify need CAP_NET_ADMIN and CAP_SYS_ADMIN)"
command -v podman >/dev/null || skip "podman is not installed"
command -v jq >/dev/null || skip "jq is not installed"

T=$(mktemp -d /tmp/bh-fallback-e2e.XXXXXX)
prefix=${BH_E2E_PREFIX:-bh-e2e}   # container and image names (the shared testbed runs several suites at once)
tag=$$
img=localhost/$prefix-fallback:$tag
name=$prefix-fallback-$tag
svc= dpid=
P="podman --runtime runc"
cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	$P rm -f -t 0 "$name" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# The driver, linked against the library under test (sanitizer runtime and libbpf when the library has them).
san= bpf=
nm "$BUILD/libbulkhead.a" 2>/dev/null | grep __asan_ >/dev/null && san="-fsanitize=address,undefined"
nm "$BUILD/libbulkhead.a" 2>/dev/null | grep ' U ring_buffer__new' >/dev/null && bpf="libbpf libelf"
pq=$(pkg-config --exists libpq && echo libpq)
# shellcheck disable=SC2046,SC2086
if ! cc -std=c11 -D_GNU_SOURCE $san -Isrc $(pkg-config --cflags jansson) -o "$T/driver" tests/e2e/fallback_driver.c "$BUILD/libbulkhead.a" \
	$(pkg-config --libs libarchive jansson yaml-0.1 sqlite3 libcurl libcrypto zlib libpcre2-8 expat libmicrohttpd $pq $bpf) -lm 2>"$T/cc.err"; then
	echo "FAIL driver build: $(head -5 "$T/cc.err")"; echo "fallback: 0 passed, 1 failed"; exit 1
fi
ok "driver built against $BUILD/libbulkhead.a"

# Auto mode: eBPF where it runs, else the fallback with the reason; either way one line says which.
"$T/driver" auto 1 >/dev/null 2>"$T/auto.err"
line=$(grep '^sensor:' "$T/auto.err")
case $line in
"sensor: eBPF") ok "auto mode chose eBPF here and said so" ;;
"sensor: fallback (netlink proc connector + fanotify): eBPF unavailable: "?*) ok "auto mode fell back and said why: $line" ;;
*) ko "auto mode line" "$(head -3 "$T/auto.err")" ;;
esac
# eBPF made unavailable: the kernel's BTF hidden in a private mount namespace (CO-RE cannot load)
if [ "$line" = "sensor: eBPF" ] && command -v unshare >/dev/null; then
	unshare -m sh -c 'mount --bind /dev/null /sys/kernel/btf/vmlinux && exec "$0" auto 1' "$T/driver" >/dev/null 2>"$T/auto2.err"
	line=$(grep '^sensor:' "$T/auto2.err")
	case $line in
	"sensor: fallback (netlink proc connector + fanotify): eBPF unavailable: "?*) ok "auto mode without BTF fell back and said why: ${line#*unavailable: }" ;;
	*) ko "auto mode without BTF" "$(head -3 "$T/auto2.err")" ;;
	esac
fi

# A small image from this machine's bash, true, cat, chmod, mv, rm and sleep (their libraries too).
mkdir -p "$T/root/bin" "$T/root/etc" "$T/root/usr/local/bin" "$T/root/tmp"
for b in bash true cat chmod mv rm sleep; do
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

# the container's cgroup v2 dir: its inode is the id the events must carry
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
cgdir=$(find "${cg2:-/sys/fs/cgroup}" -maxdepth 3 -type d -name "*$cid*" 2>/dev/null | head -1)
cgid=$([ -n "$cgdir" ] && stat -c %i "$cgdir")

BH_FALLBACK_CONTAINERS_ONLY=1 "$T/driver" fallback 60 "unix://$sock" >"$T/events" 2>"$T/driver.err" &
dpid=$!
for _ in $(seq 100); do grep -q '^sensor:' "$T/driver.err" && break; kill -0 $dpid 2>/dev/null || break; sleep 0.1; done
if ! grep -q '^sensor: fallback' "$T/driver.err"; then
	grep -q 'process connector' "$T/driver.err" && skip "$(tail -1 "$T/driver.err")"
	ko "fallback started" "$(tail -3 "$T/driver.err")"; echo "fallback: $pass passed, $fail failed"; exit 1
fi
ok "fallback started: $(grep '^sensor:' "$T/driver.err")"
grep -q '^hook netlink proc connector: exec/exit/uid/ptrace: attached' "$T/driver.err" && ok "hook report: process connector attached" \
	|| ko "hook report" "$(head -4 "$T/driver.err")"
grep -q '^hook network: .*not seen without eBPF: n/a' "$T/driver.err" && ok "hook report says network events are not available" \
	|| ko "hook report (network)" "$(head -4 "$T/driver.err")"
grep -q "^hook fanotify: open-exec/modify/close-write on the root of pid .*: attached" "$T/driver.err" \
	&& ok "hook report: fanotify marked the running container's filesystem" || ko "fanotify mark" "$(grep fanotify "$T/driver.err")"

$P exec "$name" /bin/sleep 1
# one exec each: fanotify names a written file when its event is read, after a quick rename it has the new name
$P exec "$name" /bin/bash -c 'echo hi >/etc/x'
$P exec "$name" /bin/bash -c 'mv /etc/x /etc/y && rm /etc/y && chmod 600 /etc/passwd'
$P exec "$name" /bin/bash -c 'cat /bin/sleep >/usr/local/bin/x && chmod 755 /usr/local/bin/x && /usr/local/bin/x 1'
sleep 2
kill -INT $dpid; wait $dpid; rc=$?; dpid=
[ $rc -eq 0 ] && ok "driver stopped cleanly on SIGINT" || ko "driver exit status" "$rc: $(tail -2 "$T/driver.err")"
sed 's/^/  /' <(grep '^stats:' "$T/driver.err")

ev() { jq -c --arg id "$cid" "select(.event.container.id == \$id and ($1))" "$T/events"; }
e=$(ev '.alert == null and .event.type == "execve" and .event.path == "/bin/sleep" and .event.args == "/bin/sleep 1"' | head -1)
if [ -n "$e" ]; then
	ok "exec of sleep 1 seen with its arguments, in container $name"
	got=$(jq -r '.event.cgroup_id' <<<"$e")
	if [ -n "$cgid" ]; then
		[ "$got" = "$cgid" ] && ok "its cgroup id is the container's cgroup v2 dir inode ($cgid)" || ko "cgroup id" "event $got, $cgdir has $cgid"
	else
		echo "SKIP cgroup id check: no cgroup v2 dir found for $cid"
	fi
else
	ko "exec of sleep 1" "$(jq -c 'select(.event.type == "execve") | [.event.path, .event.args, .event.container.name]' "$T/events" | head -5)"
fi
[ -n "$(ev '.alert == null and .event.type == "open" and .event.path == "/etc/x" and .event.flags != 0')" ] \
	&& ok "write to /etc/x seen by fanotify (open for write)" || ko "write below /etc" "$(jq -c '[.event.type, .event.path]' "$T/events" | sort -u | head)"
[ -n "$(ev '.alert == "Write below etc" and .event.type == "open" and .event.path == "/etc/x"')" ] && ok "the default rule 'Write below etc' fired on it" \
	|| ko "Write below etc alert" "$(grep alert "$T/events" | head -3)"
[ -n "$(ev '.event.type == "rename" and .event.path == "/etc/x" and .event.path2 == "/etc/y"')" ] && ok "rename /etc/x -> /etc/y seen" \
	|| ko "rename" "$(jq -c 'select(.event.class == "file") | [.event.type, .event.path, .event.path2]' "$T/events" | sort -u | head)"
[ -n "$(ev '.event.type == "unlink" and .event.path == "/etc/y"')" ] && ok "unlink of /etc/y seen" \
	|| ko "unlink" "$(jq -c 'select(.event.class == "file") | [.event.type, .event.path]' "$T/events" | sort -u | head)"
[ -n "$(ev '.event.type == "chmod" and .event.path == "/etc/passwd" and .event.mode == 384')" ] && ok "chmod 600 of the image's /etc/passwd seen (mode 0600)" \
	|| ko "chmod" "$(jq -c 'select(.event.type == "chmod") | [.event.path, .event.mode]' "$T/events" | head)"
e=$(ev '.alert == null and .event.type == "execve" and .event.path == "/usr/local/bin/x"' | head -1)
if [ -n "$e" ]; then
	[ "$(jq -r '.event.exe_upper' <<<"$e")" = true ] && ok "exec of /usr/local/bin/x is not from the image (exe_upper)" || ko "exe_upper" "$e"
else
	ko "exec of /usr/local/bin/x" "$(jq -c 'select(.event.type == "execve") | [.event.path, .event.container.name]' "$T/events" | head -5)"
fi
[ -n "$(ev '.alert == "Executable not from the image run" and .event.path == "/usr/local/bin/x"')" ] \
	&& ok "the default rule 'Executable not from the image run' fired on it" || ko "drift alert" "$(grep alert "$T/events" | head -3)"
# containers only: nothing of the host came through
[ -z "$(jq -c 'select(.event.container == null or .event.container.id == "")' "$T/events" | head -1)" ] \
	&& ok "containers-only: no host events" || ko "host events with containers-only" "$(jq -c 'select(.event.container == null) | [.event.type, .event.comm]' "$T/events" | head -3)"

echo "fallback: $pass passed, $fail failed"
[ $fail -eq 0 ]
