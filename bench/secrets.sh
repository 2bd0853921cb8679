#!/usr/bin/env bash
# Secret scanning speed (issue #5): the Debian 12 minbase image plus a 200 MB layer of text
# (200 files of 1 MB: prose, config and code lines, with 40 planted secrets), bulkhead scanning the
# image (docker-archive, every layer streamed) vs secretlint (recommended preset) on the same files
# unpacked. Also lists what each found among the planted secrets. Not a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BH=$ROOT/build/bulkhead
W=${BH_BENCH:-/var/tmp/bh-bench}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/../shared/testbed/containers.conf}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j"$(nproc)"
. "$ROOT/bench/common.sh"
bench_debmin
[ -x "$W/tools/node_modules/.bin/secretlint" ] ||
	npm install --no-audit --no-fund --prefix "$W/tools" secretlint @secretlint/secretlint-rule-preset-recommend >/dev/null

if [ ! -f "$W/secret-text/done" ] || [ "$(cat "$W/secret-text/done")" != "40 v3" ]; then
	rm -f "$W/secrets-image.tar"
	rm -rf "$W/secret-text" && mkdir -p "$W/secret-text"
	python3 - "$W/secret-text" <<'PY'
import os, random, sys
out = sys.argv[1]
rnd = random.Random(42)
words = open("/usr/share/dict/words").read().split() if os.path.exists("/usr/share/dict/words") else \
    [w for w in open("/usr/share/common-licenses/GPL-3").read().split() if w.isalpha()]
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def tok(n, a=alnum): return "".join(rnd.choice(a) for _ in range(n))
def secret(i):
    k = i % 4
    if k == 0: return "aws_access_key_id = AKIA" + tok(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    if k == 1: return "token: ghp_" + tok(36)
    if k == 2: return "SLACK=xoxb-" + tok(11, "0123456789") + "-" + tok(12, "0123456789") + "-" + tok(24)
    # shaped like a 2048-bit PKCS#1 key: DER header, 25 lines of base64 (bodies that do not start
    # like DER are not keys and are not reported)
    body = "MIIEpAIBAAKCAQEA" + tok(1584, alnum + "+/")
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END RSA PRIVATE KEY-----"
planted = 0
for f in range(200):
    lines, size = [], 0
    while size < 1 << 20:
        r = rnd.random()
        if r < 0.6: l = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 16)))
        elif r < 0.8: l = "%s_%s = %s" % (rnd.choice(words), rnd.choice(words), rnd.choice(words))
        else: l = "    if (%s(%s) != %d) { return %s; }" % (rnd.choice(words), rnd.choice(words), rnd.randint(0, 99), rnd.choice(words))
        lines.append(l); size += len(l) + 1
    if f % 5 == 0:
        lines.insert(rnd.randint(0, len(lines)), secret(planted)); planted += 1
    with open(os.path.join(out, "doc%03d.txt" % f), "w") as fp:
        fp.write("\n".join(lines) + "\n")
open(os.path.join(out, "done"), "w").write("%d v3\n" % planted)
PY
fi
if [ ! -f "$W/secrets-image.tar" ]; then
	c=$(buildah from --quiet "docker-archive:$W/debmin-docker.tar")
	buildah copy --quiet "$c" "$W/secret-text" /data >/dev/null
	buildah commit --quiet "$c" localhost/bh-bench-secrets:1 >/dev/null
	buildah rm "$c" >/dev/null
	skopeo copy -q containers-storage:localhost/bh-bench-secrets:1 "docker-archive:$W/secrets-image.tar:localhost/bh-bench-secrets:1"
	podman rmi -f localhost/bh-bench-secrets:1 >/dev/null 2>&1 || true
fi
measure() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
best=999 rss=0
for _ in 1 2 3; do
	read -r t r < <(measure "$BH" scan -q --scanners secret -f json -o "$W/bh-secrets.json" "$W/secrets-image.tar")
	if awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t rss=$r; fi
done
# secretlint on the same files, unpacked: the rootfs and the text layer
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' >"$W/secretlintrc.json"
read -r sl_t sl_rss < <(cd "$W" && measure "$W/tools/node_modules/.bin/secretlint" --secretlintrc "$W/secretlintrc.json" \
	--format json --output "$W/secretlint.json" --maskSecrets "rootfs/**/*" "secret-text/**/*")
planted=$(cut -d" " -f1 "$W/secret-text/done")
bh_found=$(jq '[.checks[] | select(.path | startswith("/data/"))] | length' "$W/bh-secrets.json")
bh_all=$(jq '.checks | length' "$W/bh-secrets.json")
sl_found=$(jq '[.[] | select(.filePath | test("secret-text/")) | .messages[]] | length' "$W/secretlint.json" 2>/dev/null || echo "?")
sl_all=$(jq '[.[] | .messages[]] | length' "$W/secretlint.json" 2>/dev/null || echo "?")
mb=$(du -sm "$W/rootfs" "$W/secret-text" | awk '{s += $1} END { print s }')
{
	echo "| job ($mb MB of files: Debian 12 minbase + 200 MB text, $planted planted secrets) | time | peak RSS | hits in the text layer | hits overall |"
	echo "|---|---|---|---|---|"
	echo "| bulkhead scan --scanners secret (docker-archive, all layers) | ${best} s | $((rss / 1024)) MB | $bh_found | $bh_all |"
	echo "| secretlint $("$W/tools/node_modules/.bin/secretlint" --version) (recommend preset, unpacked files) | ${sl_t} s | $((sl_rss / 1024)) MB | $sl_found | $sl_all |"
	echo
	echo "speed-up: $(awk -v a="$sl_t" -v b="$best" 'BEGIN { printf "%.1fx", a / b }')"
} | tee bench/out/secrets.md
