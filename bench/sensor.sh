#!/usr/bin/env bash
# The runtime sensor's cost (issue #16): (a) CPU of `bulkhead watch` plus its BPF programs' run time
# while a container execs /bin/true EXEC_RATE times a second for EXEC_SECS seconds, as % of one core;
# (b) a workload's loss with the sensor on: dd of 512-byte writes (wall time; the same loop's CPU time)
# and an openat/close loop (CPU time: the sensor's programs run in the task's syscalls, and other load
# on a shared machine disturbs CPU time far less than wall time), sensor off, "floor" and on in turn,
# median of RUNS. "floor" is bench/sensor_floor.bpf.c: an empty program on each of the sensor's hooks,
# what the kernel charges for the hooks alone (the syscall slow path every task takes while any
# syscall tracepoint is attached, and the tracepoint's dispatch), which no program can go below.
# Needs root, podman, bpftool, clang. Figures only, no assertions.
# Env: BUILD (build), EXEC_RATE (1000), EXEC_SECS (60), RUNS (5), DD_COUNT (400000), OPEN_N (1000000),
# WATCH_ARGS (extra `watch` options, e.g. "--alerts-only"), PERF=1 records `perf record -g` of watch during (a).
set -uo pipefail
BUILD=${BUILD:-build}
RATE=${EXEC_RATE:-1000} SECS=${EXEC_SECS:-60} RUNS=${RUNS:-5} DDN=${DD_COUNT:-400000} OPN=${OPEN_N:-1000000}
export CONTAINERS_CONF=${CONTAINERS_CONF:-/work/shared/testbed/containers.conf}
HERE=$(cd "$(dirname "$0")" && pwd)
BH="$(pwd)/$BUILD/bulkhead"
[ -x "$BH" ] || { echo "sensor bench: $BH not built"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "sensor bench: needs root"; exit 1; }
for t in podman bpftool jq cc; do command -v $t >/dev/null || { echo "sensor bench: no $t"; exit 1; }; done
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

T=$(mktemp -d /tmp/bhrules-bench.XXXXXX)
img=localhost/bhrules-bench:$$ ct=bhrules-bench-$$
P="podman --runtime runc"
wpid= fpid= stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	$P rm -f -t 0 "$ct" >/dev/null 2>&1
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

cc -std=gnu11 -O2 -static -o "$T/load" "$HERE/sensor_load.c" || exit 1
# the floor: the same hooks as the sensor (the lists must match), each with an empty program
hooks() { grep -o 'SEC("tracepoint/[^"]*")' "$1" | grep -v sys_exit_openat | sort; }
if ! diff <(hooks "$HERE/../src/runtime/bpf/sensor.bpf.c") <(hooks "$HERE/sensor_floor.bpf.c") >/dev/null; then
	echo "sensor bench: bench/sensor_floor.bpf.c no longer has the sensor's hooks:"
	diff <(hooks "$HERE/../src/runtime/bpf/sensor.bpf.c") <(hooks "$HERE/sensor_floor.bpf.c"); exit 1
fi
[ -f "$BUILD/bpf/vmlinux.h" ] || { echo "sensor bench: no $BUILD/bpf/vmlinux.h (make builds it with the sensor)"; exit 1; }
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I"$BUILD/bpf" -c -o "$T/floor.bpf.o" "$HERE/sensor_floor.bpf.c" &&
	cc -std=gnu11 -O2 -Wall -o "$T/floor" "$HERE/sensor_floor.c" $(pkg-config --cflags --libs libbpf) || exit 1
R=$T/root
mkdir -p "$R/bin" "$R/etc" && mkdir -m 1777 "$R/tmp"
cp "$T/load" "$R/bin/load"
for b in true dd sleep; do
	src=$(type -P $b) && cp "$src" "$R/bin/"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"; done
done
echo 'root:x:0:0:root:/:/bin/true' >"$R/etc/passwd"
echo x >"$R/etc/bench.conf"
tar -C "$R" -cf "$T/rootfs.tar" . && podman import -q "$T/rootfs.tar" "$img" >/dev/null || exit 1
$P run -d --name "$ct" --network=none "$img" /bin/sleep 100000 >/dev/null || exit 1

start_watch() { # [OUTPUT]: the events go to a file in (a), to /dev/null in (b)
	# shellcheck disable=SC2086
	"$BH" watch -f json --containers-only ${WATCH_ARGS:-} >"${1:-$T/events}" 2>"$T/watch.err" &
	wpid=$!
	for _ in $(seq 150); do grep -q '^sensor:' "$T/watch.err" && return 0; sleep 0.1; done
	echo "watch did not start: $(tail -3 "$T/watch.err")"; exit 1
}
stop_watch() { kill -INT "$wpid"; wait "$wpid" 2>/dev/null; wpid=; }
start_floor() {
	"$T/floor" "$T/floor.bpf.o" 2>"$T/floor.err" &
	fpid=$!
	for _ in $(seq 100); do grep -q '^floor:' "$T/floor.err" && return 0; sleep 0.05; done
	echo "floor did not start: $(cat "$T/floor.err")"; exit 1
}
stop_floor() { kill -INT "$fpid"; wait "$fpid" 2>/dev/null; fpid=; }
ticks() { awk '{print $14 + $15}' "/proc/$wpid/stat"; }
# the watch's own programs: their ids from its descriptors (other sensors on the machine are left out)
my_ids() { grep -h '^prog_id:' /proc/"$wpid"/fdinfo/* 2>/dev/null | awk '{print $2}' | jq -s -c .; }
# "name runs ns" per program of ours
bpf_each() { bpftool prog show -j | jq -r --argjson ids "$(my_ids)" '.[] | select(.id as $i | $ids | index($i)) | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort; }
others() { bpftool prog show -j | jq --argjson me "$([ -n "$wpid" ] && echo 1 || echo 0)" '[.[] | select(.name == "bh_openat")] | length - $me'; }
hz=$(getconf CLK_TCK)

echo "## (a) sensor CPU at $RATE exec/s for $SECS s (watch ${WATCH_ARGS:-full JSON events} > file)"
sysctl -q kernel.bpf_stats_enabled=1
start_watch
sleep 1
bpf_each >"$T/bpf0"; t0=$(ticks) s0=$(date +%s.%N)
if [ "${PERF:-0}" = 1 ]; then perf record -q -g -o "$T/perf.data" -p "$wpid" -- sleep "$SECS" >/dev/null 2>&1 & perfpid=$!; fi
$P exec "$ct" /bin/load exec "$RATE" "$SECS" /bin/true | tee "$T/exec.out"
sleep 1
t1=$(ticks) s1=$(date +%s.%N); bpf_each >"$T/bpf1"
b=$(join "$T/bpf0" "$T/bpf1" | awk '{n += $5 - $3} END {print n + 0}')
c=$(join "$T/bpf0" "$T/bpf1" | awk '{n += $4 - $2} END {print n + 0}')
echo "(other bulkhead sensors loaded on this machine meanwhile: $(others))"
[ "${PERF:-0}" = 1 ] && wait "$perfpid"
nev=$(wc -l <"$T/events")
stop_watch
sysctl -q kernel.bpf_stats_enabled=0
# a loaded machine may not reach RATE: the last column scales the cost per exec to RATE exec/s
nx=$(sed -n 's/^exec \([0-9]*\) in .*/\1/p' "$T/exec.out")
awk -v t="$((t1 - t0))" -v hz="$hz" -v b="$b" -v c="$c" -v s0="$s0" -v s1="$s1" -v n="$nev" -v x="${nx:-0}" -v r="$RATE" 'BEGIN {
	w = s1 - s0; u = t / hz
	printf "| wall | events | watch user+sys | BPF programs (runs, ns/run) | total, %% of one core | CPU per exec | at %d exec/s |\n|---|---|---|---|---|---|---|\n", r
	printf "| %.1f s | %d | %.2f s (%.2f%%) | %.3f s (%d, %.0f) (%.2f%%) | %.2f%% | %.1f us | %.2f%% of one core |\n", w, n, u, 100 * u / w, b / 1e9, c, (c ? b / c : 0), 100 * b / 1e9 / w, 100 * (u + b / 1e9) / w, (x ? (u + b / 1e9) / x * 1e6 : 0), (x ? 100 * (u + b / 1e9) / x * r : 0)
}'
echo "the watch's BPF programs, busiest first (every task on the machine runs the syscall ones; most leave at wanted()):"
join "$T/bpf0" "$T/bpf1" | awk '{c = $4 - $2; n = $5 - $3; if (c > 0) printf "  %-18s %9d runs %8.1f ms %6.0f ns/run\n", $1, c, n / 1e6, n / c}' | sort -k4 -rn | head -8
if [ "${PERF:-0}" = 1 ]; then
	perf report -i "$T/perf.data" --no-children --stdio -g none --sort dso,symbol --percent-limit 0.7 2>/dev/null | grep -v "^#" | grep -v "^$" | head -40 >"$T/perf.txt"
	cp "$T/perf.txt" "/tmp/bhrules-perf.txt"; echo "perf report of watch: /tmp/bhrules-perf.txt"
	head -40 "$T/perf.txt"
fi

[ "$RUNS" -gt 0 ] || exit 0
echo
echo "## (b) workload with the sensor off, the floor (empty programs on the same hooks) and the sensor on, in turn, median of $RUNS"
dd_s() { $P exec "$ct" /bin/dd if=/dev/zero of=/tmp/dd.out bs=512 count="$DDN" 2>&1 | sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p'; }
# the loop's CPU time per op (user + system: where the sensor's programs run), then its wall time per op
op_ns() { $P exec "$ct" /bin/load open "${3:-$OPN}" "$1" ${2:-} | sed -n 's/.* = \([0-9.]*\) ns\/op, cpu \([0-9.]*\) ns\/op/\2 \1/p'; }
for i in $(seq "$RUNS"); do
	for mode in off floor on; do
		[ $mode = on ] && start_watch /dev/null
		[ $mode = floor ] && start_floor
		echo "$(dd_s)" >>"$T/dd.$mode"
		$P exec "$ct" /bin/load write "$DDN" /tmp/w512.out | sed -n 's/.*cpu \([0-9.]*\) ns\/op/\1/p' >>"$T/wr.$mode"
		op_ns /etc/bench.conf >"$T/o" && cut -d' ' -f1 "$T/o" >>"$T/open.$mode" && cut -d' ' -f2 "$T/o" >>"$T/openwall.$mode"
		op_ns /tmp/w.out w "$((OPN / 5))" | cut -d' ' -f1 >>"$T/openw.$mode"
		[ $mode = on ] && stop_watch
		[ $mode = floor ] && stop_floor
	done
done
med() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
mn() { sort -g "$1" | head -1; }
echo "(other bulkhead sensors loaded on this machine: $(others); they stay on in both columns)"
echo "$(cat "$T/floor.err")"
printf "| workload | sensor off | floor (empty programs) | sensor on | floor's loss | sensor's loss (median) | sensor's loss (best run) | sensor above the floor |\n|---|---|---|---|---|---|---|---|\n"
row() { # name file unit
	local off fl on; off=$(med "$T/$2.off") fl=$(med "$T/$2.floor") on=$(med "$T/$2.on")
	awk -v n="$1" -v a="$off" -v f="$fl" -v b="$on" -v x="$(mn "$T/$2.off")" -v y="$(mn "$T/$2.on")" -v u="$3" 'BEGIN {printf "| %s | %.2f %s | %.2f %s | %.2f %s | %+.1f%% | %+.1f%% | %+.1f%% | %+.1f%% |\n", n, a, u, f, u, b, u, 100 * (f - a) / a, 100 * (b - a) / a, 100 * (y - x) / x, 100 * (b - f) / a}'
}
row "dd bs=512 count=$DDN, wall" dd s
row "write(512 bytes) x $DDN (dd's loop), CPU" wr ns/op
row "openat(O_RDONLY)+close x $OPN, CPU" open ns/op
row "openat(O_RDONLY)+close x $OPN, wall" openwall ns/op
row "openat(O_WRONLY)+close x $((OPN / 5)), CPU (every open is an event)" openw ns/op
echo "(runs: dd off $(tr '\n' ' ' <"$T/dd.off")/ floor $(tr '\n' ' ' <"$T/dd.floor")/ on $(tr '\n' ' ' <"$T/dd.on"); open off $(tr '\n' ' ' <"$T/open.off")/ floor $(tr '\n' ' ' <"$T/open.floor")/ on $(tr '\n' ' ' <"$T/open.on"))"
