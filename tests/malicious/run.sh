#!/usr/bin/env bash
# The malicious-image corpus (tests/malicious/make.py): every case must end with its documented exit
# code and message, under 256 MB peak RSS and 10 s, writing nothing outside the requested output.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
C=${BH_MALICIOUS:-/var/tmp/bulkhead-malicious}
if [ ! -f "$C/.stamp" ] || [ tests/malicious/make.py -nt "$C/.stamp" ]; then
	rm -rf "$C" && python3 tests/malicious/make.py "$C" && touch "$C/.stamp"
fi
# Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) that would count
# against the RSS bound; a small one keeps the bound about bulkhead, not the sanitizer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
rm -f /tmp/bh-escape-canary /etc/bh-abs
pass=0; fail=0
# case  exit-code  text that stderr must contain ("-" for none)
while read -r name code text; do
	[ -z "$name" ] && continue
	cd "$W" || exit 1
	before=$(find "$W" | wc -l)
	/usr/bin/time -f "%e %M" -o "$W/.time" timeout 20 "$BH" sbom -f json -o "$W/out.json" "$C/$name.tar" >/dev/null 2>"$W/.err"
	rc=$?
	read -r secs kb < <(tail -1 "$W/.time")
	after=$(find "$W" -not -name out.json | wc -l)
	why=""
	[ "$rc" -eq "$code" ] || why="exit $rc, want $code"
	[ "$text" = "-" ] || grep -q -- "$text" "$W/.err" || why="$why; stderr lacks \"$text\": $(head -c 200 "$W/.err")"
	[ "$kb" -lt 262144 ] || why="$why; peak RSS ${kb} KB"
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || why="$why; took ${secs} s"
	[ "$after" -le "$((before + 2))" ] || why="$why; files appeared in the working directory"
	[ ! -e /tmp/bh-escape-canary ] && [ ! -e /etc/bh-abs ] || why="$why; wrote outside the image"
	if [ "$code" -ne 0 ] && [ -e "$W/out.json" ]; then why="$why; output written despite failure"; fi
	rm -f "$W/out.json" "$W/.err" "$W/.time"
	if [ -z "$why" ]; then pass=$((pass + 1)); echo "PASS $name (exit $rc, ${secs} s, $((kb / 1024)) MB)"; else fail=$((fail + 1)); echo "FAIL $name: $why"; fi
	cd - >/dev/null || exit 1
done <<'CASES'
traversal        0 path traversal
links            0 target escapes the image
whiteout-escape  0 path traversal
huge-entry       4 max-layer-size
gzip-bomb        0 -
digest-mismatch  3 diff_id
missing-layer    3 not in the archive
deep-json        4 max-json-depth
huge-manifest    4 max-meta-size
many-layers      4 max-layers
many-files       0 -
duplicates       0 -
bad-utf8         0 -
not-a-tar        3 not a tar archive
config-mismatch  3 .json: digest mismatch: expected sha256:
oci-ok           0 -
oci-layer-mismatch 3 !/blobs/sha256/65e9abda8e4937e6b7c939106b3405c355257eaaeee3a4384b930f04a8d7348a: digest mismatch
oci-config-mismatch 3 !/blobs/sha256/014efc615d4b13f07a0aa43168af399e9729e351222ab6b16d6633179c5afc11: digest mismatch
CASES
echo "malicious: $pass passed, $fail failed"
[ $fail -eq 0 ]
