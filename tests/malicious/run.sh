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
# cases whose SBOM must hold a component of this name (links must not hide packages)
declare -A MUST=([hardlink-hidden]=ok [hardlink-hidden-layers]=ok [symlink-hidden]=ok [symlink-hidden-abs]=ok
	[symlink-chain-loop]=ok [gzip-diffid-ok]=ok [legacy-layout]=ok)
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
	if [ -n "${MUST[$name]:-}" ] && ! grep -q "\"name\": *\"${MUST[$name]}\"" "$W/out.json" 2>/dev/null; then
		why="$why; no component ${MUST[$name]} in the SBOM"
	fi
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
brace-binary     3 not a tar archive
angle-binary     3 not a tar archive
brace-first-member 0 -
config-mismatch  3 .json: digest mismatch: expected sha256:
oci-ok           0 -
oci-layer-mismatch 3 !/blobs/sha256/65e9abda8e4937e6b7c939106b3405c355257eaaeee3a4384b930f04a8d7348a: digest mismatch
oci-config-mismatch 3 !/blobs/sha256/014efc615d4b13f07a0aa43168af399e9729e351222ab6b16d6633179c5afc11: digest mismatch
gzip-diffid-mismatch 3 uncompressed content is sha256:
gzip-diffid-ok   0 -
legacy-layout    0 -
hardlink-hidden  0 -
hardlink-hidden-layers 0 -
symlink-hidden   0 -
symlink-hidden-abs 0 -
symlink-chain-loop 0 -
big-status       4 max-components limit
CASES
# Named FIFOs given as inputs: refused at once (exit 3), never waited on (a wait would hit timeout).
F="$W/fifo"
mkfifo "$F"
# a real (empty) SBOM, so the --vex/--ignore-file/--policy cases fail on the FIFO, not on the target
printf '{"schema": "bulkhead-sbom/1", "target": {"name": "x"}, "os": {}, "components": []}\n' >"$W/empty.sbom.json"
"$BH" db import -q --db "$W/empty.db" "$C/.stamp" >/dev/null 2>&1 || "$BH" db import -q --db "$W/empty.db" "$W" >/dev/null 2>&1
while read -r label args; do
	[ -z "$label" ] && continue
	# shellcheck disable=SC2086
	timeout 5 "$BH" ${args//FIFO/$F} >/dev/null 2>"$W/.err" </dev/null
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q "not a regular file (fifo)" "$W/.err"; then
		pass=$((pass + 1)); echo "PASS fifo-$label (exit 3)"
	else
		fail=$((fail + 1)); echo "FAIL fifo-$label: exit $rc, $(head -c 200 "$W/.err")"
	fi
done <<FIFOS
target        sbom -f json FIFO
docker-archive sbom -f json docker-archive:FIFO
oci-archive   sbom -f json oci-archive:FIFO
sbom          scan --db $W/empty.db sbom:FIFO
vex           scan --db $W/empty.db --vex FIFO sbom:$W/empty.sbom.json
ignore-file   scan --db $W/empty.db --ignore-file FIFO sbom:$W/empty.sbom.json
policy        scan --db $W/empty.db --policy FIFO sbom:$W/empty.sbom.json
db-import     db import --db $W/other.db FIFO
FIFOS
echo "malicious: $pass passed, $fail failed"
[ $fail -eq 0 ]
