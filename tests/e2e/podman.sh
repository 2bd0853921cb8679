# podman.sh - sourced by the e2e scripts that need running containers or the Engine API (not run alone).

# sleep_image DIR IMG: a minimal image from this machine's /usr/bin/sleep and the libraries it loads
# (runs as root, nothing from a registry), imported into podman as IMG; DIR/rootfs.tar is kept.
# Non-zero when podman cannot import it (the reason in DIR/import.err).
sleep_image() {
	local d=$1 lib
	mkdir -p "$d/root/bin" "$d/root/etc"
	cp /usr/bin/sleep "$d/root/bin/"
	for lib in $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do
		mkdir -p "$d/root$(dirname "$lib")" && cp -L "$lib" "$d/root$lib"
	done
	echo 'root:x:0:0:root:/:/bin/sleep' >"$d/root/etc/passwd"
	tar -C "$d/root" -cf "$d/rootfs.tar" .
	podman import -q "$d/rootfs.tar" "$2" >/dev/null 2>"$d/import.err"
}

# podman_service SOCK LOG: `podman system service` speaking the Docker Engine API on unix socket SOCK
# (its output in LOG); sets svc to its pid for the caller's cleanup and waits up to 10 s for the
# socket. Non-zero when it did not come up.
podman_service() {
	podman system service --time=0 "unix://$1" >"$2" 2>&1 &
	svc=$!
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}

# sensor_ready TOOL...: the checks every test of the eBPF sensor makes first; calls the caller's
# skip() with the reason when root, BTF or one of the tools is missing, and mounts tracefs.
sensor_ready() {
	local t
	[ "$(id -u)" -eq 0 ] || skip "not root (the eBPF sensor needs CAP_BPF and CAP_PERFMON)"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
	for t in "$@"; do command -v "$t" >/dev/null || skip "$t is not installed"; done
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	return 0
}

# peer_image DIR IMG: the static TCP/UDP peer (tests/e2e/netpol_peer.c: serve, connect N times,
# idle) as the only file of image IMG (nothing from a registry); calls skip() when it cannot be
# built or imported.
peer_image() {
	local here
	here=$(dirname "${BASH_SOURCE[0]}")
	cc -std=gnu11 -O2 -static -o "$1/peer" "$here/netpol_peer.c" 2>"$1/cc.err" || skip "cannot build the static helper: $(head -2 "$1/cc.err")"
	mkdir -p "$1/root" && cp "$1/peer" "$1/root/peer" && tar -C "$1/root" -cf "$1/rootfs.tar" .
	podman import -q "$1/rootfs.tar" "$2" >/dev/null 2>"$1/import.err" || skip "podman import failed: $(head -2 "$1/import.err")"
}
