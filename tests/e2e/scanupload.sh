#!/usr/bin/env bash
# scanupload: `bulkhead scan --server` end to end against `bulkhead serve` (temp --data, a free port): a scan of
# an OCI layout fixture uploads its SBOM, checks and a scans row with the pipeline identifiers; the exit code and
# the report are those of the same scan without --server; a server that is away, a wrong token (401) and a
# viewer token (403) give a message on stderr and the same exit code (--server-required: exit 5 / 6).
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP scanupload: $1"; echo "scanupload: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL scanupload: $BH not built"; echo "scanupload: 0 passed, 1 failed"; exit 1; }
for t in curl jq python3; do command -v $t >/dev/null || skip "$t is not installed"; done

T=$(mktemp -d /tmp/bh-scanupload-e2e.XXXXXX)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
unset BULKHEAD_SERVER BULKHEAD_TOKEN CI_PIPELINE_ID GITHUB_RUN_ID CI_PIPELINE_URL CI_COMMIT_SHA GITHUB_SHA CI_COMMIT_REF_NAME GITHUB_REF_NAME

# ---- the fixture: the Debian rootfs of tests/fixtures/sbom plus jw.util 2.0 (PYSEC-2020-341), as an OCI layout
cp -a "$SRC/tests/fixtures/sbom/rootfs" "$T/tree"
mkdir -p "$T/tree/usr/lib/python3/dist-packages/jw.util-2.0.dist-info"
printf 'Metadata-Version: 2.1\nName: jw.util\nVersion: 2.0\n' >"$T/tree/usr/lib/python3/dist-packages/jw.util-2.0.dist-info/METADATA"
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
cfg = put(json.dumps({"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode())
cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
man = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": cfg, "layers": [layer]}).encode())
man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
man["annotations"] = {"org.opencontainers.image.ref.name": "t"}
json.dump({"schemaVersion": 2, "manifests": [man]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')

PY
"$BH" db import --db "$T/vuln.db" "$SRC/tests/fixtures/vuln/osv-pypa" >/dev/null 2>&1 || { ko "input" "db import of the PyPA fixtures failed"; echo "scanupload: $pass passed, $fail failed"; exit 1; }
TARGET=oci:$T/oci
SCAN=("$BH" scan -q -f json --db "$T/vuln.db" --exit-code 3 --max-image-age 0)

# ---- the scan alone: the reference exit code and report
"${SCAN[@]}" "$TARGET" >"$T/plain.json" 2>"$T/plain.err"; RC0=$?
check "scan without --server: exit 3 (PYSEC-2020-341 found)" "$RC0 $(jq -r '[.. | objects | select(.id? == "PYSEC-2020-341")] | length > 0' "$T/plain.json")" "3 true"
D=$(jq -r '.sbom.manifest_digest // .sbom.target.manifest_digest // empty' "$T/plain.json" 2>/dev/null)

PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$BH" serve --data "$T/data" --listen 127.0.0.1:$PORT --db "$T/vuln.db" 2>>"$T/serve.log" &
SRV=$!
for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$U/healthz" >/dev/null || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "scanupload: $pass passed, $fail failed"; exit 1; }
O=$("$BH" token create --data "$T/data" --role operator --name ci 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name v 2>/dev/null)
AG=$("$BH" token create --data "$T/data" --role agent --host h1 --name ag 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $V" "$U/api/v1/$1"; }
nscans() { api 'scans?limit=1000' | jq '.items | length'; }

# ---- upload: the token from the environment, the server from --server, the pipeline's identifiers
BULKHEAD_TOKEN=$O "${SCAN[@]}" --server "$U" --pipeline-id 4711 --pipeline-url https://ci.example/p/4711 --commit 0123abc \
	--branch main "$TARGET" >"$T/up.json" 2>"$T/up.err"; RC=$?
check "scan --server: the same exit code" "$RC" "$RC0"
check "scan --server: nothing on stderr" "$(cat "$T/up.err")" ""
check "scan --server: the same report" "$(jq -S 'del(.. | .seconds?, .match_ms?)' "$T/up.json" | md5sum)" \
	"$(jq -S 'del(.. | .seconds?, .match_ms?)' "$T/plain.json" | md5sum)"
ROW=$(api scans | jq -c '.items[-1]')
IMG=$(jq -r .image_digest <<<"$ROW")
check "a scans row with the pipeline identifiers" "$(jq -c '.pipeline' <<<"$ROW")" '{"branch":"main","commit":"0123abc","id":"4711","url":"https://ci.example/p/4711"}'
check "the row: target, verdict, exit code, who" "$(jq -r '[.target, .verdict, .exit_code, (.who | startswith("ci#"))] | map(tostring) | join(" ")' <<<"$ROW")" "$TARGET fail 3 true"
check "the row's summary: the finding and its counts" "$(jq -r '[.summary.findings.total > 0, ([.summary.vulnerabilities[].id] | index("PYSEC-2020-341") != null), .summary.components > 0] | map(tostring) | join(" ")' <<<"$ROW")" "true true true"
if [[ "$IMG" == sha256:* ]]; then ok "the row names the image digest ($IMG)"; else ko "image digest" "$IMG"; fi
[ -n "$D" ] && check "the digest is the report's" "$IMG" "$D"
GI=$(api "images/$IMG")
check "the image is stored with its SBOM (as POST /api/v1/images stores it)" "$(jq -r '[.has_sbom, .components > 0] | map(tostring) | join(" ")' <<<"$GI")" "true true"
check "the server matched it: PYSEC-2020-341 among its findings" "$(api "findings?image=$IMG" | jq -r '[.items[].advisory] | index("PYSEC-2020-341") != null')" true
NCHK=$(jq '[.checks // [] | .[] | select(.status == null or .status == "fail")] | length' "$T/plain.json")
check "the image's check results stored ($NCHK failing checks in the report)" "$(jq '.checks | length' <<<"$GI")" "$NCHK"
check "the upload audited (image.put, scan.add)" "$(python3 -c 'import sqlite3,sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select action from audit where action in (\"image.put\",\"scan.add\") order by id")))' "$T/data/bulkhead.db")" "image.put scan.add"

# the server and the token both from the environment; a second upload of the same image is not new
BULKHEAD_SERVER=$U BULKHEAD_TOKEN=$O "${SCAN[@]}" "$TARGET" >/dev/null 2>"$T/env.err"; RC=$?
check "BULKHEAD_SERVER + BULKHEAD_TOKEN: uploaded, same exit code" "$RC $(nscans)" "$RC0 2"
check "the image is stored once" "$(api 'images?limit=1000' | jq --arg d "$IMG" '[.items[] | select(.digest == $d)] | length')" 1

# a scan that passes: verdict pass, exit 0
"$BH" scan -q -f json --db "$T/vuln.db" --max-image-age 0 --scanners vuln --severity CRITICAL --server "$U" --token "$O" "$TARGET" >/dev/null 2>&1; RC=$?
check "a passing scan uploads verdict pass, exit code 0" "$RC $(api scans | jq -r '.items[-1] | .verdict + " " + (.exit_code | tostring)')" "0 pass 0"

# ---- failures: a message, the same exit code; --server-required makes them errors
N=$(nscans)
DOWN=$(free_port)
BULKHEAD_TOKEN=$O "${SCAN[@]}" --server "http://127.0.0.1:$DOWN" "$TARGET" >/dev/null 2>"$T/down.err"; RC=$?
check "server away: same exit code" "$RC" "$RC0"
check "server away: a message on stderr" "$(grep -c "upload to http://127.0.0.1:$DOWN failed" "$T/down.err")" 1
BULKHEAD_TOKEN=$O "${SCAN[@]}" --server "http://127.0.0.1:$DOWN" --server-required "$TARGET" >/dev/null 2>&1; RC=$?
check "server away with --server-required: exit 5" "$RC" 5
"${SCAN[@]}" --server "$U" --token bht_0000000000000000000000000000000000000000000000000000000000000000 "$TARGET" >/dev/null 2>"$T/401.err"; RC=$?
check "a wrong token: same exit code, HTTP 401 said" "$RC $(grep -c 'HTTP 401' "$T/401.err")" "$RC0 1"
BULKHEAD_TOKEN=$V "${SCAN[@]}" --server "$U" "$TARGET" >/dev/null 2>"$T/403.err"; RC=$?
check "a viewer token: same exit code, HTTP 403 said" "$RC $(grep -c 'HTTP 403' "$T/403.err")" "$RC0 1"
BULKHEAD_TOKEN=$V "${SCAN[@]}" --server "$U" --server-required "$TARGET" >/dev/null 2>&1; RC=$?
check "a viewer token with --server-required: exit 6" "$RC" 6
check "nothing stored by the refused uploads" "$(nscans)" "$N"

# ---- the routes themselves
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
check "POST /api/v1/scans without a token: 401" "$(code -d '{}' "$U/api/v1/scans")" 401
check "POST /api/v1/scans as viewer: 403" "$(code -H "Authorization: Bearer $V" -d '{"target":"x","verdict":"pass"}' "$U/api/v1/scans")" 403
check "POST /api/v1/scans, malformed: 400" "$(code -H "Authorization: Bearer $O" -d '{"target":"x","verdict":"maybe"}' "$U/api/v1/scans")" 400
check "POST /api/v1/scans, 100000-deep JSON: 400" "$(python3 -c 'print("["*100000 + "]"*100000)' | code -H "Authorization: Bearer $O" --data-binary @- "$U/api/v1/scans")" 400
check "POST /api/v1/scans by an agent token (a directory scan, no image): 201" "$(code -H "Authorization: Bearer $AG" -d '{"target":"dir:.","verdict":"pass","exit_code":0,"pipeline":{"id":"9","extra":"dropped"}}' "$U/api/v1/scans") $(api scans | jq -c '.items[-1].pipeline')" '201 {"id":"9"}'
check "GET /api/v1/scans without a token: 401" "$(code "$U/api/v1/scans")" 401
check "GET /api/v1/scans as agent: 403" "$(code -H "Authorization: Bearer $AG" "$U/api/v1/scans")" 403
check "GET /api/v1/scans paged by 1" "$(api 'scans?limit=1' | jq -r '(.items | length | tostring) + " " + (.next != null | tostring)')" "1 true"
check "GET /api/v1/scans?image= filters" "$(api "scans?image=$IMG" | jq --arg d "$IMG" '[.items[] | select(.image_digest != $d)] | length')" 0
check "the server is still up" "$(curl -s "$U/healthz" -o /dev/null -w '%{http_code}')" 200

echo "scanupload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
