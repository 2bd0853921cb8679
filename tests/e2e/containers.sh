#!/usr/bin/env bash
# Container checks end to end: real podman containers (privileged, default, hardened) checked by
# `bulkhead scan container:NAME` through podman's Docker Engine API service; the stored inspect
# documents in tests/fixtures/container give the same findings (through a small driver).
set -uo pipefail
# grep -q stops reading at the first match; under pipefail the writer's SIGPIPE would then
# fail the check at random (seen once in CI), so matches are read to the end.
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP containers: $1"; echo "containers: 0 passed, 0 failed (skipped)"; exit 0; }

[ -f "$BUILD/libbulkhead.a" ] || { echo "FAIL containers: $BUILD/libbulkhead.a not built"; echo "containers: 0 passed, 1 failed"; exit 1; }
command -v podman >/dev/null || skip "podman is not installed"
command -v curl >/dev/null || skip "curl is not installed"

T=$(mktemp -d /tmp/bh-ctr-e2e.XXXXXX)
tag=$$
img=localhost/bh-e2e-ctr:$tag
names=(bh-e2e-ctr-priv-$tag bh-e2e-ctr-default-$tag bh-e2e-ctr-hardened-$tag)
svc=
P="podman --runtime runc"
cleanup() {
	$P rm -f -t 0 "${names[@]}" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# The driver, linked against the library under test (sanitizer runtime when the library has it).
san=
# (grep without -q: an early exit would SIGPIPE nm and fail the pipeline under pipefail)
nm "$BUILD/libbulkhead.a" 2>/dev/null | grep __asan_ >/dev/null && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046
if ! cc -std=c11 -D_GNU_SOURCE $san -Isrc $(pkg-config --cflags jansson) -o "$T/driver" tests/e2e/container_check_driver.c \
	"$BUILD/libbulkhead.a" $(pkg-config --libs libarchive jansson yaml-0.1 sqlite3 libcurl libcrypto zlib libpcre2-8) -lm 2>"$T/cc.err"; then
	echo "FAIL driver build: $(head -5 "$T/cc.err")"; echo "containers: 0 passed, 1 failed"; exit 1
fi
ok "driver built against $BUILD/libbulkhead.a"

# A minimal image: sleep and the libraries it loads, nothing from a registry.
sleep_image "$T" "$img" || skip "podman import failed: $(head -2 "$T/import.err")"
$P run --rm --network=none "$img" /bin/sleep 0 >/dev/null 2>"$T/run.err" || skip "podman cannot run containers here: $(head -2 "$T/run.err")"

# The Docker Engine API, as podman serves it.
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"

$P run -d --name "${names[0]}" --privileged --network=host -v /var/run:/var/run "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "privileged container" "$(head -2 "$T/e")"
$P run -d --name "${names[1]}" "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "default container" "$(head -2 "$T/e")"
$P run -d --name "${names[2]}" --read-only --memory 64m --cpus 0.5 --pids-limit 100 --cap-drop ALL \
	--security-opt no-new-privileges "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "hardened container" "$(head -2 "$T/e")"

# findings of one container: "RULE CIS STATUS SEVERITY" lines, from the CLI over the Engine API
check() {
	local name=$1 out=$T/$1.findings
	if ! "$BUILD/bulkhead" scan -q --engine-host "unix://$sock" -f json "container:$name" >"$T/$name.scan" 2>"$T/$name.err"; then
		ko "scan container:$name" "$(head -2 "$T/$name.err")"; : >"$out"; return
	fi
	jq -r '.checks[] | "\(.rule) \(.cis // "-") \(.status) \(.severity)"' "$T/$name.scan" >"$out"
}
fails() { awk '$3=="fail" {print $1}' "$T/$1.findings" | sort | tr '\n' ' ' | sed 's/ $//'; }
has() { grep -q "^$2 $3 fail $4\$" "$T/$1.findings"; }

for n in "${names[@]}"; do check "$n"; done
priv=${names[0]} def=${names[1]} hard=${names[2]}

# privileged, host network, /var/run (holding the engine sockets) mounted
has "$priv" BH-CTR-005 5.5 CRITICAL && ok "privileged: 5.5 privileged container (CRITICAL)" || ko "privileged 5.5" "$(fails "$priv")"
has "$priv" BH-CTR-010 5.10 HIGH && ok "privileged: 5.10 host network namespace" || ko "privileged 5.10" "$(fails "$priv")"
has "$priv" BH-CTR-032 5.32 CRITICAL && ok "privileged: 5.32 engine socket directory mounted" || ko "privileged 5.32" "$(fails "$priv")"
has "$priv" BH-CTR-022 5.22 HIGH && ok "privileged: 5.22 no seccomp filter" || ko "privileged 5.22" "$(fails "$priv")"

# default: none of the privileged case's findings, nor any other namespace / mount / capability one
bad=$(grep -E '^BH-CTR-(005|010|022|032|004|006|016|017|020|021|031) ' "$T/$def.findings")
[ -z "$bad" ] && ok "default: none of 5.5 5.10 5.22 5.32 (nor 5.4 added caps, 5.6, 5.16, 5.17, 5.20, 5.21, 5.31)" || ko "default" "$bad"
# podman's defaults: no memory/CPU limit, writable root, no no-new-privileges, default caps kept, root;
# PidsLimit 2048 (containers.conf), so no 5.29
want="BH-CTR-011 BH-CTR-012 BH-CTR-013 BH-CTR-026 BH-CTR-100 BH-CTR-104"
[ "$(fails "$def")" = "$want" ] && ok "default: exactly podman's defaults ($want)" || ko "default set" "$(fails "$def")"
grep -q '^BH-CTR-002 5.2 not-applicable UNKNOWN$' "$T/$def.findings" && ok "default: 5.2 not-applicable (no AppArmor on this host)" || ko "default 5.2" "$(grep BH-CTR-002 "$T/$def.findings")"

# hardened: only "runs as root" is left (no --user)
[ "$(fails "$hard")" = "BH-CTR-100" ] && ok "hardened: only BH-CTR-100 (root user) remains" || ko "hardened" "$(fails "$hard")"

# the stored fixtures were captured the same way: same podman, same findings
for pair in "$priv:podman-privileged" "$def:podman-default" "$hard:podman-hardened"; do
	live=${pair%%:*} fx=tests/fixtures/container/${pair#*:}.json
	"$T/driver" "$fx" | sort >"$T/fx" && sort "$T/$live.findings" >"$T/lv"
	diff -q "$T/fx" "$T/lv" >/dev/null && ok "live findings equal the fixture ${pair#*:}.json" || ko "fixture ${pair#*:}" "$(diff "$T/fx" "$T/lv" | head -4 | tr '\n' ' ')"
done

# every running container at once
"$BUILD/bulkhead" scan -q --engine-host "unix://$sock" -f json containers >"$T/all.json" 2>"$T/e"; rc=$?
got=$(jq -r '[.checks[] | select(.rule=="BH-CTR-005") | .target] | join(" ")' "$T/all.json")
[ $rc -eq 0 ] && echo "$got" | grepq "$priv" && ! echo "$got" | grepq "$def" \
	&& [ "$(jq '[.checks[] | .target] | unique | map(select(test("'"$tag"'"))) | length' "$T/all.json")" -eq 3 ] \
	&& ok "scan containers: all three checked, 5.5 only on the privileged one" || ko "scan containers" "rc=$rc $got $(head -2 "$T/e")"
"$BUILD/bulkhead" scan -q --engine-host "unix://$sock" "container:bh-no-such-$tag" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 3 ] && grep -q "no container" "$T/e" && ok "unknown container: exit 3 naming it" || ko "unknown container" "rc=$rc $(cat "$T/e")"
"$BUILD/bulkhead" scan -q --severity CRITICAL --exit-code 4 --engine-host "unix://$sock" "container:$def" >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "default container: nothing CRITICAL (exit 0)" || ko "default exit" "rc=$rc"
"$BUILD/bulkhead" scan -q --severity CRITICAL --exit-code 4 --engine-host "unix://$sock" "container:$priv" >/dev/null; rc=$?
[ $rc -eq 4 ] && ok "privileged container fails a CRITICAL gate (exit 4)" || ko "priv exit" "rc=$rc"

# hostile input through the driver: not an object, invalid JSON
echo '[1,2]' >"$T/arr.json"; echo '{"HostConfig":' >"$T/bad.json"
"$T/driver" "$T/arr.json" >/dev/null 2>&1; rc1=$?
"$T/driver" "$T/bad.json" >/dev/null 2>&1; rc2=$?
[ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && ok "non-object and invalid documents are errors" || ko "hostile documents" "rc=$rc1,$rc2"

echo "containers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
