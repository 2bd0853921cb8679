#!/usr/bin/env bash
# The east-west policy's cost (issue #18): a client container connects to a server container (podman
# bridge) in a tight connect/close loop (tests/e2e/netpol_peer.c `bench`: blocking connect, RST close,
# so no TIME_WAIT) for SECS seconds; connections per second and connect() latency (p50, p99) with no
# policy, and with `bulkhead netpol enforce` in protect mode allowing exactly that edge (the client's
# connect4 hook checks both the client's egress and the server's ingress policy; the server's skb
# ingress hook sees the SYN). The two alternate RUNS times; medians and the spread are printed.
# The programs' own run time (kernel.bpf_stats_enabled, bpftool) is summed over the protect runs: the
# cost a connection pays in the kernel, apart from the scheduling noise of a shared machine.
# Needs root, podman, cc, bpftool. Figures only, no assertions. Env: BUILD (build), RUNS (5), SECS (4).
set -uo pipefail
BUILD=${BUILD:-build}
RUNS=${RUNS:-5} SECS=${SECS:-4}
export CONTAINERS_CONF=${CONTAINERS_CONF:-/work/shared/testbed/containers.conf}
HERE=$(cd "$(dirname "$0")" && pwd)
BH="$(pwd)/$BUILD/bulkhead"
[ -x "$BH" ] || { echo "netpol bench: $BH not built"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "netpol bench: needs root"; exit 1; }
for t in podman cc jq bpftool; do command -v $t >/dev/null || { echo "netpol bench: no $t"; exit 1; }; done
. "$HERE/../tests/e2e/podman.sh"
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup

T=$(mktemp -d /tmp/bhnetpol-bench.XXXXXX)
tag=$$
img=localhost/bhnetpol-bench:$tag srv=bhnpb-srv-$tag cli=bhnpb-cli-$tag parent=/bhnetpol-bench-$tag
P="podman --runtime runc"
svc= epid= stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	[ -n "$epid" ] && kill "$epid" 2>/dev/null && wait "$epid" 2>/dev/null
	$P rm -f -t 0 "$srv" "$cli" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	for h in $(ls -d /sys/fs/cgroup/*$parent "$CGROOT$parent" 2>/dev/null); do rmdir "$h" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap "exit 1" INT TERM

cc -std=gnu11 -O2 -static -o "$T/peer" "$HERE/../tests/e2e/netpol_peer.c" || exit 1
mkdir -p "$T/root" && cp "$T/peer" "$T/root/peer" && tar -C "$T/root" -cf "$T/rootfs.tar" .
podman import -q "$T/rootfs.tar" "$img" >/dev/null || exit 1
$P run -d --name "$srv" --label "bhnpb-$tag=srv" --cgroup-parent "$parent" --network=bridge "$img" /peer serve 5432 >/dev/null || exit 1
$P run -d --name "$cli" --label "bhnpb-$tag=cli" --cgroup-parent "$parent" --network=bridge "$img" /peer idle >/dev/null || exit 1
SRV=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$srv")
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || { echo "netpol bench: podman system service did not start"; exit 1; }
cat >"$T/policy.yaml" <<EOF
mode: protect
policies:
  - name: srv
    match: {label: bhnpb-$tag=srv}
    ingress:
      - from: [{label: bhnpb-$tag=cli}]
        ports: [5432]
  - name: cli
    match: {label: bhnpb-$tag=cli}
    egress:
      - to: [{label: bhnpb-$tag=srv}]
        ports: [5432]
EOF

start_enforce() {
	"$BH" netpol enforce "$T/policy.yaml" --cgroup-parent "$CGROOT$parent" --engine-host "unix://$sock" >"$T/verdicts" 2>"$T/enforce.err" &
	epid=$!
	for _ in $(seq 100); do [ "$(grep -c '^netpol: container bhnpb-' "$T/enforce.err")" -ge 2 ] && return 0; sleep 0.1; done
	echo "netpol bench: enforce did not map the containers: $(tail -3 "$T/enforce.err")"; exit 1
}
# the netpol programs' run counts and times so far (they go away with the enforcer)
prog_stats() { bpftool -j prog show 2>/dev/null | jq -r '.[] | select(.name | startswith("bh_np_")) | "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' >>"$T/progstats"; }
stop_enforce() { prog_stats; kill -INT "$epid"; wait "$epid"; epid=; }
sysctl -q kernel.bpf_stats_enabled=1

# one warm-up of each, not counted
$P exec "$cli" /peer bench "$SRV" 5432 1 >/dev/null
: >"$T/off"; : >"$T/on"
for i in $(seq "$RUNS"); do
	$P exec "$cli" /peer bench "$SRV" 5432 "$SECS" >>"$T/off"
	start_enforce
	$P exec "$cli" /peer bench "$SRV" 5432 "$SECS" >>"$T/on"
	stop_enforce
	echo "run $i: no policy: $(tail -1 "$T/off")"
	echo "run $i: protect:   $(tail -1 "$T/on")"
done
[ -s "$T/verdicts" ] && echo "netpol bench: WARNING: the policy blocked something: $(head -2 "$T/verdicts")"
stat() { # FILE FIELD -> median min max
	sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s", v[int((NR+1)/2)], v[1], v[NR]}'
}
read -r cm cmin cmax < <(stat "$T/off" per_s); read -r pm pmin pmax < <(stat "$T/on" per_s)
read -r l50 _ _ < <(stat "$T/off" p50_us); read -r m50 _ _ < <(stat "$T/on" p50_us)
read -r l99 l99min l99max < <(stat "$T/off" p99_us); read -r m99 m99min m99max < <(stat "$T/on" p99_us)
echo
echo "| (median of $RUNS runs of ${SECS} s) | connections/s | connect p50 | connect p99 |"
echo "|---|---|---|---|"
echo "| no policy | $cm ($cmin-$cmax) | $l50 µs | $l99 µs ($l99min-$l99max) |"
echo "| protect, edge allowed | $pm ($pmin-$pmax) | $m50 µs | $m99 µs ($m99min-$m99max) |"
awk -v a="$cm" -v b="$pm" -v x="$l99" -v y="$m99" -v p="$l50" -v q="$m50" 'BEGIN {printf "difference: %.1f %% fewer connections/s; p50 connect %+.1f µs, p99 connect %+.1f µs\n", (a-b)*100/a, q-p, y-x}'
conns=$(sed -n 's/.*conns=\([0-9]*\).*/\1/p' "$T/on" | awk '{s+=$1} END {print s}')
awk -v c="$conns" '{n[$1]+=$2; t[$1]+=$3} END {tot=0; for (k in n) if (n[k]) {printf "%s: %d runs, %.0f ns a run, %.2f runs a connection\n", k, n[k], t[k]/n[k], n[k]/c; tot+=t[k]}; printf "in-kernel cost of the hooks: %.2f µs a connection (both containers, all packets)\n", tot/c/1000}' "$T/progstats"
