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
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

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

# An OCI layout with one gzip layer of that tree: its decompression runs in a thread of its own.
python3 - "$T/tree" "$T/oci" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
src, out = sys.argv[1:3]
os.makedirs(out + "/blobs/sha256")
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as t:
    t.add(src, arcname=".")
raw = raw.getvalue()
layer = put(gzip.compress(raw, 6))
layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
cfg = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode())
cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
man = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": cfg, "layers": [layer]}).encode())
man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
man["annotations"] = {"org.opencontainers.image.ref.name": "t"}
json.dump({"schemaVersion": 2, "manifests": [man]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY

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
		# the gzip layer twice: its content hashed, and with --no-verify (unpacked in its thread, unhashed)
		for tgt in "dir:$T/tree" dir:/usr/lib/python3 "oci:$T/oci:t" "--no-verify oci:$T/oci:t"; do
			# shellcheck disable=SC2086 # the option and the target are two words
			BH_THREADS=4 TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/bulkhead sbom -q -f json $tgt >"$T/tsan.json" 2>"$T/tsan.err"
			rc=$?
			if [ $rc -eq 0 ] && ! grep -q ThreadSanitizer "$T/tsan.err" && [ "$(jq '.components | length' "$T/tsan.json")" -gt 0 ]; then
				ok "ThreadSanitizer: $tgt (4 walk threads; a gzip layer unpacked in its own thread), no race"
			else
				ko "ThreadSanitizer: $tgt (exit $rc)"
				head -30 "$T/tsan.err"
			fi
		done
		n_oci=$("$BH" sbom -q -f json "oci:$T/oci:t" | jq '.components | length')
		[ "$n_oci" -gt 0 ] && ok "gzip OCI layout of the tree: $n_oci components (diff_id checked on the unpacked stream)" ||
			ko "gzip OCI layout of the tree: no components"
		check_same() { "$BH" sbom -q -f json "$@" | jq -S '.components'; }
		cmp -s <(check_same "oci:$T/oci:t") <(check_same --no-verify "oci:$T/oci:t") &&
			ok "gzip OCI layout with --no-verify: the same components" || ko "gzip OCI layout with --no-verify" "other components"
	else
		ko "ThreadSanitizer build failed"
		tail -20 "$T/tsan-build.log"
	fi
fi
echo "threads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
