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
