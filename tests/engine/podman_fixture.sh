#!/usr/bin/env bash
# podman_fixture.sh - a podman Docker Engine API service, an image and a running container for
# test_engine. `start DIR` prints nothing and writes DIR/env (SOCK IMAGE CONTAINER) or DIR/skip
# (the reason); `stop DIR` removes what start made and stops the service it started.
set -uo pipefail
cmd=$1 D=$2
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
P="podman --runtime runc"
skip() { echo "$1" >"$D/skip"; exit 0; }

if [ "$cmd" = stop ]; then
	[ -f "$D/env" ] && . "$D/env"
	[ -n "${CONTAINER:-}" ] && $P rm -f -t 0 "$CONTAINER" >/dev/null 2>&1
	[ -f "$D/svc.pid" ] && kill "$(cat "$D/svc.pid")" 2>/dev/null
	[ -n "${IMAGE:-}" ] && podman rmi -f "$IMAGE" >/dev/null 2>&1
	exit 0
fi

command -v podman >/dev/null || skip "podman is not installed"
tag=$$
IMAGE=localhost/bh-test-engine:$tag
CONTAINER=bh-test-engine-$tag
mkdir -p "$D/root/bin" "$D/root/etc"
cp /usr/bin/sleep "$D/root/bin/"
for lib in $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do
	mkdir -p "$D/root$(dirname "$lib")" && cp -L "$lib" "$D/root$lib"
done
echo 'root:x:0:0:root:/:/bin/sleep' >"$D/root/etc/passwd"
tar -C "$D/root" -cf "$D/rootfs.tar" .
podman import -q "$D/rootfs.tar" "$IMAGE" >/dev/null 2>"$D/import.err" || skip "podman import failed: $(head -1 "$D/import.err")"
echo "SOCK=$D/podman.sock IMAGE=$IMAGE CONTAINER=$CONTAINER" >"$D/env"
podman system service --time=0 "unix://$D/podman.sock" >"$D/service.log" 2>&1 &
echo $! >"$D/svc.pid"
for _ in $(seq 100); do [ -S "$D/podman.sock" ] && break; sleep 0.1; done
[ -S "$D/podman.sock" ] || skip "podman system service did not start: $(head -1 "$D/service.log")"
$P run -d --name "$CONTAINER" --network=none --label bh.test=engine "$IMAGE" /bin/sleep 1000 >/dev/null 2>"$D/run.err" ||
	skip "podman cannot run containers here: $(head -1 "$D/run.err")"
exit 0
