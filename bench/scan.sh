#!/usr/bin/env bash
# Default image scan against its sbom (issue #14; a benchmark, not a test): the Debian 12 minbase
# docker-archive through `sbom`, `scan --scanners vuln,config` and the default `scan` (which adds the
# secret pass over every file of every layer), and, when bench/secrets.sh has built it, the 200 MB
# planted-secret image through `scan --scanners secret` (with the count of planted secrets found).
# CPU seconds (user + system, perf's task clock) are the median of RUNS runs (default 5); peak RSS is
# the largest of RUNS runs under /usr/bin/time. BH_BASE=/path/to/other/bulkhead adds a column for
# that build, run alternately with this one.
set -euo pipefail
cd "$(dirname "$0")/.."
BH=${BH:-$PWD/${BUILD:-build}/bulkhead}
BASE=${BH_BASE:-}
W=${BH_BENCH:-/var/tmp/bh-bench}
RUNS=${RUNS:-5}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j1
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/../shared/testbed/containers.conf}
. bench/common.sh
[ -f "$W/debmin-docker.tar" ] || bench_debmin

if perf stat -e task-clock -x, -o "$W/scan-cpu.txt" true 2>/dev/null; then
	cpu() { perf stat -e task-clock -x, -o "$W/scan-cpu.txt" "$@" >/dev/null 2>&1 || true
		awk -F, '/task-clock/ { printf "%.3f", $1 / 1000 }' "$W/scan-cpu.txt"; }
else
	cpu() { /usr/bin/time -f "%U %S" -o "$W/scan-cpu.txt" "$@" >/dev/null 2>&1 || true
		awk '{ printf "%.3f", $1 + $2 }' "$W/scan-cpu.txt"; }
fi
rss() { /usr/bin/time -f "%M" -o "$W/scan-rss.txt" "$@" >/dev/null 2>&1 || true; cat "$W/scan-rss.txt"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
bin() { [ "$1" = base ] && echo "$BASE" || echo "$BH"; }
builds() { echo new; [ -n "$BASE" ] && echo base || true; }

# A DB without advisories: the figures are about reading the image, not matching.
mkdir -p "$W/empty-feed"
for b in $(builds); do
	rm -f "$W/scan-empty-$b.db"; "$(bin "$b")" db import --db "$W/scan-empty-$b.db" "$W/empty-feed" >/dev/null
done

declare -A R
# measure KEY ARGS...: @BH@ and @DB@ replaced per build; runs alternate between builds
measure() {
	local key=$1 i b a; shift
	for b in $(builds); do : >"$W/scan-t.$key.$b"; : >"$W/scan-m.$key.$b"; done
	for i in $(seq "$RUNS"); do
		for b in $(builds); do
			local args=()
			for a in "$@"; do a=${a//@BH@/$(bin "$b")}; args+=("${a//@DB@/$W/scan-empty-$b.db}"); done
			cpu "${args[@]}" >>"$W/scan-t.$key.$b"; echo >>"$W/scan-t.$key.$b"
			rss "${args[@]}" >>"$W/scan-m.$key.$b"
		done
	done
	for b in $(builds); do
		R[$key.$b]=$(median <"$W/scan-t.$key.$b")
		R[$key.rss.$b]=$(sort -n "$W/scan-m.$key.$b" | tail -1)
	done
}

img=$W/debmin-docker.tar
measure sb @BH@ sbom -q -f json "$img"
measure nv @BH@ scan -q --scanners vuln,config --db @DB@ -f json "$img"
measure sa @BH@ scan -q --db @DB@ -f json "$img"
sec=$W/secrets-image.tar
if [ -f "$sec" ]; then
	measure ss @BH@ scan -q --scanners secret -f json "$sec"
	for b in $(builds); do
		R[found.$b]=$("$(bin "$b")" scan -q --scanners secret -f json "$sec" |
			jq '[.checks[] | select(.path | startswith("/data/"))] | length')
	done
fi

row() { # label key
	local s="| $1 | ${R[$2.new]} s | $((R[$2.rss.new] / 1024)) MB"
	[ -n "$BASE" ] && s="$s | ${R[$2.base]} s | $((R[$2.rss.base] / 1024)) MB"
	echo "$s |"
}
{
	if [ -n "$BASE" ]; then
		echo "| job (CPU seconds, median of $RUNS; peak RSS) | this build | RSS | BH_BASE | RSS |"
		echo "|---|---|---|---|---|"
	else
		echo "| job (CPU seconds, median of $RUNS; peak RSS) | this build | RSS |"
		echo "|---|---|---|"
	fi
	row "sbom of the Debian 12 minbase docker-archive" sb
	row "scan --scanners vuln,config (no secret pass)" nv
	row "scan with the default scanners (vuln, config, secrets in every file of every layer)" sa
	[ -f "$sec" ] && row "scan --scanners secret of the 200 MB planted-secret image (bench/secrets.sh)" ss
	echo
	for b in $(builds); do
		line="$b: default scan / sbom = $(awk -v a="${R[sa.$b]}" -v s="${R[sb.$b]}" 'BEGIN { printf "%.2fx", a / s }')"
		[ -f "$sec" ] && line="$line; planted secrets found: ${R[found.$b]} of $(cut -d' ' -f1 "$W/secret-text/done" 2>/dev/null || echo 40)"
		echo "$line"
	done
} | tee bench/out/scan.md
