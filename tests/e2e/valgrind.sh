#!/usr/bin/env bash
# valgrind memcheck over end-to-end scans of real targets: a podman-made docker-archive, an OCI
# layout and this machine's root filesystem. Any error or leak fails.
set -euo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/root/var/lib/dpkg" "$T/root/etc"
cp /var/lib/dpkg/status "$T/root/var/lib/dpkg/" && cp /etc/os-release "$T/root/etc/"
tar -C "$T/root" -cf "$T/rootfs.tar" .
img=localhost/bh-valgrind:1
podman import -q "$T/rootfs.tar" "$img" >/dev/null
skopeo copy -q "containers-storage:$img" "docker-archive:$T/d.tar:$img"
skopeo copy -q "containers-storage:$img" "oci:$T/oci:1"
podman rmi -f "$img" >/dev/null 2>&1
pass=0; fail=0
for args in "-f cyclonedx $T/d.tar" "-f spdx oci:$T/oci:1" "-f json dir:/usr/lib/python3"; do
	# shellcheck disable=SC2086
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BH" sbom -q $args >/dev/null 2>"$T/vg.log"; then
		pass=$((pass + 1)); echo "PASS valgrind sbom $args"
	else
		fail=$((fail + 1)); echo "FAIL valgrind sbom $args"; head -40 "$T/vg.log"
	fi
done
# the checks: image config, every layer's files and the secret scanner (PCRE2) on the same image,
# plus a Dockerfile and a Kubernetes manifest
for args in "--scanners config,secret -f json $T/d.tar" "-f sarif tests/fixtures/dockerfile/Dockerfile.problems" \
	"-f junit tests/fixtures/k8s/bad.yaml" "--scanners secret -f html dir:tests/fixtures/secrets"; do
	# shellcheck disable=SC2086
	# (PCRE2's JIT code is opaque to valgrind: the interpreter is checked instead)
	if BH_PCRE2_NO_JIT=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BH" scan -q $args >/dev/null 2>"$T/vg.log"; then
		pass=$((pass + 1)); echo "PASS valgrind scan $args"
	else
		fail=$((fail + 1)); echo "FAIL valgrind scan $args"; head -40 "$T/vg.log"
	fi
done
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
