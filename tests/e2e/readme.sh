#!/usr/bin/env bash
# README examples as tests (issue #14): every `bulkhead ...` line of README.md's ```sh blocks runs on test inputs.
# This script builds the inputs the examples name (image.tar, oci:./layout:1.0, Dockerfile, k8s/, a DB, a
# podman Engine API service and container); tests/e2e/readme_examples.py extracts, maps and runs the lines.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
SHARED=${BH_SHARED_DATA:-$(cd "$SRC/.." && pwd)/shared/data}
[ -x "$BH" ] || { echo "FAIL readme: $BH not built"; echo "readme: 0 passed, 1 failed, 0 skipped"; exit 1; }
[ -d "$SHARED" ] || { echo "FAIL readme: no shared data at $SHARED (BH_SHARED_DATA)"; echo "readme: 0 passed, 1 failed, 0 skipped"; exit 1; }

T=$(mktemp -d /tmp/bh-readme.XXXXXX)
W=$T/work          # the examples run here; ../shared/data resolves to $T/shared/data
tag=$$
app=localhost/bh-readme-app-$tag:1
web=bh-readme-web-$tag
svc=
srv=
cleanup() {
	podman rm -f -t 0 "$web" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	podman rmi -f "$app" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
setup_fail() { echo "FAIL readme setup: $1"; echo "readme: 0 passed, 1 failed, 0 skipped"; exit 1; }

mkdir -p "$W/build" "$W/k8s" "$W/project" "$T/shared" "$T/bin" "$T/cache"
ln -s "$SHARED" "$T/shared/data"
ln -s "$BH" "$T/bin/bulkhead"        # `bulkhead` on PATH
ln -s "$BH" "$W/build/bulkhead"      # `build/bulkhead` from the working directory
export PATH="$T/bin:$PATH"
export XDG_CACHE_HOME=$T/cache       # the default DB ($XDG_CACHE_HOME/bulkhead/vuln.db) is a scratch one
export BH_SHARED_DATA=$SHARED        # compliance data
export SOURCE_DATE_EPOCH=1700000000
export GITHUB_STEP_SUMMARY=$W/step-summary.md   # the GitHub Actions example appends its Markdown there

# image.tar: the cached Debian 12 minbase image of tests/e2e/run.sh, else a small one from this machine's dpkg status
D=${BH_TESTDATA:-/var/tmp/bulkhead-testdata}/debmin
if [ -f "$D/.done" ] && [ -f "$D/docker.tar" ]; then
	ln -s "$D/docker.tar" "$W/image.tar"
	ROOTFS=$D/rootfs
	echo "# image.tar = $D/docker.tar (cached Debian 12 minbase)"
else
	command -v podman >/dev/null || setup_fail "no cached test image in $D and no podman to make one"
	ROOTFS=$T/root
	mkdir -p "$ROOTFS/var/lib/dpkg" "$ROOTFS/usr/lib" "$ROOTFS/etc"
	cp /var/lib/dpkg/status "$ROOTFS/var/lib/dpkg/" && cp /usr/lib/os-release "$ROOTFS/usr/lib/"
	ln -s ../usr/lib/os-release "$ROOTFS/etc/os-release"
	tar -C "$ROOTFS" -cf "$T/rootfs.tar" .
	podman import -q "$T/rootfs.tar" "localhost/bh-readme-img-$tag:1" >/dev/null 2>"$T/e" || setup_fail "podman import: $(head -1 "$T/e")"
	skopeo copy -q "containers-storage:localhost/bh-readme-img-$tag:1" "docker-archive:$W/image.tar:localhost/bh-readme-img-$tag:1" || setup_fail "skopeo docker-archive"
	podman rmi -f "localhost/bh-readme-img-$tag:1" >/dev/null 2>&1
	echo "# image.tar = a small image of this machine's dpkg status (no cached Debian 12 minbase in $D)"
fi
export BH_README_ROOTFS=$ROOTFS
# oci:./layout:1.0 and :1, oci:build/oci:app, oci-archive:image-oci.tar: the same image through skopeo
skopeo copy -q "docker-archive:$W/image.tar" "oci:$W/layout:1.0" || setup_fail "skopeo oci layout"
skopeo copy -q "oci:$W/layout:1.0" "oci:$W/layout:1" || setup_fail "skopeo oci layout tag 1"
skopeo copy -q "oci:$W/layout:1.0" "oci:$W/build/oci:app" || setup_fail "skopeo build/oci:app"
skopeo copy -q "oci:$W/layout:1.0" "oci-archive:$W/image-oci.tar" || setup_fail "skopeo oci-archive"

# Dockerfile, Kubernetes manifests, the policy, a project with a .bulkheadignore
cp tests/fixtures/dockerfile/Dockerfile.problems "$W/Dockerfile"
cp tests/fixtures/k8s/restricted.yaml "$W/k8s/deployment.yaml"     # a Deployment (and a CronJob)
cp tests/fixtures/k8s/bad.yaml "$W/k8s/bad.yaml"
cp docs/bulkhead.example.yaml "$W/bulkhead.yaml"
cp -r tests/fixtures/npm/installed/node_modules "$W/project/"
printf 'CVE-2024-0727 exp:2027-01-01 # no PKCS12 parsing in this service\n' >"$W/project/.bulkheadignore"

# The default DB from ../shared/data (the README's own import list), and a stored CycloneDX SBOM
(cd "$W" && bulkhead db import -q ../shared/data/golang-vulndb ../shared/data/pypa-advisory-database \
	../shared/data/rustsec-advisory-db ../shared/data/alpine-secdb ../shared/data/kev \
	../shared/data/debian-security-tracker) >"$T/import.log" 2>&1 || setup_fail "db import: $(tail -3 "$T/import.log")"
(cd "$W" && bulkhead sbom -q -f cyclonedx -o sbom.cdx.json image.tar) || setup_fail "sbom -f cyclonedx"

# engine: and container: examples: podman's Docker Engine API service on a scratch socket (as
# tests/e2e/containers.sh starts it), an image for `engine:localhost/app:1` and a container for `container:web`
export BH_README_SOCK='' BH_README_APP=$app BH_README_WEB=$web
why_no_engine="podman is not installed"
if command -v podman >/dev/null; then
	mkdir -p "$T/app/bin"
	cp /usr/bin/sleep "$T/app/bin/"
	for lib in $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do mkdir -p "$T/app$(dirname "$lib")" && cp -L "$lib" "$T/app$lib"; done
	tar -C "$T/app" -cf "$T/app.tar" .
	if ! podman import -q "$T/app.tar" "$app" >/dev/null 2>"$T/e"; then why_no_engine="podman import failed: $(head -1 "$T/e")"
	elif ! podman --runtime runc run -d --name "$web" --network=none "$app" /bin/sleep 1000 >/dev/null 2>"$T/e"; then
		why_no_engine="podman cannot run containers here: $(head -1 "$T/e")"
	else
		if podman_service "$T/podman.sock" "$T/service.log"; then BH_README_SOCK=$T/podman.sock; export DOCKER_HOST=unix://$T/podman.sock
		else why_no_engine="podman system service did not start: $(head -1 "$T/service.log")"; fi
	fi
fi
export BH_README_NO_ENGINE=$why_no_engine

# `db update --mirror https://mirror.internal/bulkhead --only go,debian,kev`: that mirror's layout served on
# loopback from ../shared/data (as tests/e2e/vuln.sh does)
export BH_README_MIRROR=''
M=$T/mirror
mkdir -p "$M/osv/Go" "$M/kev" "$M/debian"
if python3 - "$SHARED/golang-vulndb/golang-vulndb-osv.tar.zst" "$M/osv/Go/all.zip" <<'PY'
import io, subprocess, sys, tarfile, zipfile
raw = subprocess.run(["zstd", "-dc", sys.argv[1]], capture_output=True, check=True).stdout
with tarfile.open(fileobj=io.BytesIO(raw)) as t, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for m in t.getmembers():
        if m.isfile() and m.name.endswith(".json") and "/osv/" in m.name:
            z.writestr(m.name.rsplit("/", 1)[1], t.extractfile(m).read())
PY
then
	cp "$SHARED/kev/known_exploited_vulnerabilities.json" "$M/kev/"
	cp "$SHARED/debian-security-tracker/format-samples/tracker-json-sample.json" "$M/debian/json"
	port=$(free_port)
	(cd "$M" && exec python3 -m http.server "$port" --bind 127.0.0.1 >"$T/http.log" 2>&1) &
	srv=$!
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && BH_README_MIRROR=http://127.0.0.1:$port && break; sleep 0.1; done
fi

(cd "$W" && python3 "$SRC/tests/e2e/readme_examples.py" "$SRC/README.md")
