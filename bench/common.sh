# common.sh - sourced by the bench scripts: the shared inputs, built once under $W.
# bench_debmin: Debian 12 minbase rootfs (debootstrap) in $W/rootfs, imported with podman and saved
# as $W/debmin-docker.tar (docker-archive) and $W/debmin-oci (OCI layout).
bench_debmin() {
	if [ ! -f "$W/rootfs/var/lib/dpkg/status" ]; then
		debootstrap --variant=minbase bookworm "$W/rootfs" http://deb.debian.org/debian >"$W/debootstrap.log"
	fi
	if [ ! -f "$W/debmin-docker.tar" ]; then
		tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
		podman import -q --change 'CMD ["/bin/bash"]' "$W/rootfs.tar" localhost/bh-debmin:bookworm >/dev/null
		skopeo copy -q containers-storage:localhost/bh-debmin:bookworm "docker-archive:$W/debmin-docker.tar:localhost/bh-debmin:bookworm"
		skopeo copy -q containers-storage:localhost/bh-debmin:bookworm "oci:$W/debmin-oci:bookworm"
	fi
}
