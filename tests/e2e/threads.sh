#!/usr/bin/env bash
# threads.sh - the threaded directory walk (src/image/dirsrc.c): the same SBOM and warnings with 1, 2
# and 8 threads on real trees, and no data race under ThreadSanitizer (a build-tsan/ binary, made here
# with `make SAN=thread` unless TSAN=0). Run by .ci/run after the sanitizer builds.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BH=$PWD/$BUILD/bulkhead
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
[ -x "$BH" ] || { echo "FAIL threads: $BH is not built (make)"; exit 1; }
command -v jq >/dev/null || { echo "FAIL threads: jq is missing (scripts/setup.sh installs it)"; exit 1; }
T=$(mktemp -d /tmp/bh-threads.XXXXXX)
trap 'rm -rf "$T"' EXIT

# A tree made to stress the hand-offs: many small directories, links that give files wanted names
# (pass 2), unreadable entries (warnings from several threads), plus the fixtures (jars, rpm, dpkg...).
mkdir -p "$T/tree"
cp -a tests/fixtures "$T/tree/fixtures"
for i in $(seq 1 300); do
	d="$T/tree/app/d$((i % 17))/s$i/node_modules/p$i"
	mkdir -p "$d"
	printf '{"name":"p%s","version":"1.0.%s"}\n' "$i" "$i" >"$d/package.json"
done
mkdir -p "$T/tree/real/lib/python3/site-packages/pkg-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n' >"$T/tree/real/lib/python3/site-packages/pkg-1.0.dist-info/METADATA"
ln -s ../real/lib "$T/tree/app/lib"
for i in 1 2 3; do printf 'x' >"$T/tree/app/locked$i.jar"; chmod 000 "$T/tree/app/locked$i.jar"; done

# as root the mode-000 files are still readable; the broken jars warn either way
for tree in "$T/tree" /usr/lib/python3; do
	[ -d "$tree" ] || continue
	for t in 1 2 8; do
		BH_THREADS=$t "$BH" sbom -q -f json "dir:$tree" 2>/dev/null | jq -S '{c: .components, w: .warnings, n: .stats.files}' >"$T/out$t.json" || true
	done
	n=$(jq '.c | length' "$T/out1.json")
	if [ "$n" -gt 0 ] && cmp -s "$T/out1.json" "$T/out2.json" && cmp -s "$T/out1.json" "$T/out8.json"; then
		ok "dir:$tree: 1, 2 and 8 threads give the same $n components, warnings and file count"
	else
		ko "dir:$tree: the output depends on the number of threads ($n components with 1)"
		diff "$T/out1.json" "$T/out2.json" | head -5
	fi
done

if [ "${TSAN:-1}" = 0 ]; then
	echo "SKIP threads: ThreadSanitizer run (TSAN=0)"
else
	if make -s SAN=thread -j"$(nproc)" build-tsan/bulkhead >"$T/tsan-build.log" 2>&1; then
		for tree in "$T/tree" /usr/lib/python3; do
			[ -d "$tree" ] || continue
			BH_THREADS=4 TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/bulkhead sbom -q -f json "dir:$tree" >/dev/null 2>"$T/tsan.err"
			rc=$?
			if [ $rc -eq 0 ] && ! grep -q ThreadSanitizer "$T/tsan.err"; then
				ok "ThreadSanitizer: dir:$tree with 4 threads, no race"
			else
				ko "ThreadSanitizer: dir:$tree (exit $rc)"
				head -30 "$T/tsan.err"
			fi
		done
	else
		ko "ThreadSanitizer build failed"
		tail -20 "$T/tsan-build.log"
	fi
fi
echo "threads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
