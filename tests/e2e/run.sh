#!/usr/bin/env bash
# End-to-end smoke tests: drive build/bulkhead on real images made here with podman + skopeo.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# A small real image: this machine's dpkg database and os-release, imported by podman.
mkdir -p "$T/root/var/lib/dpkg" "$T/root/usr/lib" "$T/root/etc"
cp /var/lib/dpkg/status "$T/root/var/lib/dpkg/" && cp /usr/lib/os-release "$T/root/usr/lib/"
ln -s ../usr/lib/os-release "$T/root/etc/os-release"
tar -C "$T/root" -cf "$T/rootfs.tar" .
img=localhost/bh-e2e-smoke:1
podman import -q "$T/rootfs.tar" "$img" >/dev/null
skopeo copy -q "containers-storage:$img" "docker-archive:$T/d.tar:$img"
skopeo copy -q "containers-storage:$img" "oci:$T/oci:1"
skopeo copy -q "containers-storage:$img" "oci-archive:$T/o.tar:1"
skopeo copy -q --dest-compress-format=zstd "containers-storage:$img" "oci:$T/ozstd:1"
podman rmi -f "$img" >/dev/null 2>&1

want=$(dpkg-query -W -f '${db:Status-Status} ${Package} ${Version} ${Architecture}\n' | awk '$1=="installed"{print $2, $3, $4}' | sort)
for t in "docker-archive:$T/d.tar" "oci:$T/oci:1" "oci:$T/ozstd:1" "oci-archive:$T/o.tar:1" "$T/d.tar" "dir:$T/root"; do
	got=$(timeout 60 "$BH" sbom -q -f json "$t" | jq -r '.components[] | select(.ecosystem=="deb") | "\(.name) \(.version) \(.arch)"' | sort)
	[ "$got" = "$want" ] && ok "dpkg components of $t" || ko "dpkg components of $t" "$(diff <(echo "$want") <(echo "$got") | head -5)"
done
for f in table json cyclonedx spdx; do
	if timeout 60 "$BH" sbom -q -f $f -o "$T/out.$f" "$T/d.tar" && [ -s "$T/out.$f" ]; then ok "format $f"; else ko "format $f" "no output"; fi
done
[ "$(jq -r .specVersion "$T/out.cyclonedx")" = 1.6 ] && ok "cyclonedx specVersion 1.6 (the newest)" || ko "cyclonedx specVersion" "$(jq -r .specVersion "$T/out.cyclonedx")"
[ "$(jq -r .spdxVersion "$T/out.spdx")" = SPDX-2.3 ] && ok "spdx version" || ko "spdx version" "?"
# npm: a project with both package-lock.json and node_modules lists each installed package once
mkdir -p "$T/proj" && cp tests/fixtures/npm/package-lock.json "$T/proj/" && cp -r tests/fixtures/npm/installed/node_modules "$T/proj/"
rm -rf "$T/proj/node_modules/wordwrap"   # in the lockfile only: kept from there
n_all=$("$BH" sbom -q -f json "dir:$T/proj" | jq '.components | length')
n_lock=$("$BH" sbom -q -f json "dir:$T/proj" | jq -r '[.components[] | select(.path == "/package-lock.json") | .name] | join(" ")')
n_inst=$("$BH" sbom -q -f json dir:tests/fixtures/npm/installed | jq '.components | length')
[ "$n_all" = "$n_inst" ] && [ "$n_lock" = "wordwrap" ] && ok "npm lockfile + node_modules: each package once ($n_all)" || ko "npm dedupe" "all=$n_all from the lockfile: $n_lock; installed=$n_inst"
# vendored JavaScript (issue #14): the excerpts of real dist files under their usual names in a web
# folder, next to an npm-installed jquery; the same folder as a podman image gives the same components,
# and the npm advisories apply to a vendored copy.
mkdir -p "$T/web/static/js" "$T/web/node_modules/jquery/dist"
cp tests/fixtures/vendorjs/* "$T/web/static/js/"   # LIB-VERSION--NAME.js: no file-name signature fits, content decides
cp tests/fixtures/vendorjs/jquery-3.3.1--jquery.min.js "$T/web/node_modules/jquery/dist/jquery.min.js"
printf '{"name":"jquery","version":"3.3.1"}\n' >"$T/web/node_modules/jquery/package.json"
vj() { jq -r '.components[] | select(.ecosystem=="npm") | "\(.path | sub("^/srv/www"; "")) \(.purl)"' | sort; }
vdir=$(timeout 60 "$BH" sbom -q -f json "dir:$T/web" | vj)
# every excerpt gives the library and version its name says (jquery-ui-dist and ckeditor ship jquery-ui and ckeditor4)
vwant=$(for f in tests/fixtures/vendorjs/*; do b=${f##*/}; s=${b%%--*}; n=${s%-*}; v=${s##*-}
	case $n in jquery-ui-dist) n=jquery-ui ;; ckeditor) n=ckeditor4 ;; esac; echo "/static/js/$b pkg:npm/$n@$v"; done
	echo "/node_modules/jquery/package.json pkg:npm/jquery@3.3.1")
[ "$vdir" = "$(echo "$vwant" | sort)" ] && ok "vendorjs: $(ls tests/fixtures/vendorjs | wc -l) vendored libraries by content, node_modules/jquery once (npm)" \
	|| ko "vendorjs dir" "$(diff <(echo "$vwant" | sort) <(echo "$vdir") | head -5)"
if command -v podman >/dev/null; then
	tar -C "$T/web" --transform 's,^\.,srv/www,' -cf "$T/web.tar" .
	podman import -q "$T/web.tar" localhost/bh-e2e-vendorjs:1 >/dev/null
	skopeo copy -q containers-storage:localhost/bh-e2e-vendorjs:1 "docker-archive:$T/web-image.tar:localhost/bh-e2e-vendorjs:1"
	podman rmi -f localhost/bh-e2e-vendorjs:1 >/dev/null 2>&1
	vimg=$(timeout 60 "$BH" sbom -q -f json "docker-archive:$T/web-image.tar" | vj)
	[ -n "$vimg" ] && [ "$vimg" = "$vdir" ] && ok "vendorjs: docker-archive of the folder gives the same components" || ko "vendorjs image" "$(diff <(echo "$vdir") <(echo "$vimg") | head -5)"
fi
"$BH" db import --db "$T/npm.db" tests/fixtures/osv-npm >/dev/null 2>&1
vf=$(timeout 60 "$BH" scan -q --db "$T/npm.db" -f json "dir:$T/web" | jq -r '.findings[] | select(.path == "/static/js/jquery-3.3.1--jquery.min.js") | .id' | sort -u | tr '\n' ' ')
[ -n "$vf" ] && ok "vendorjs: npm advisories match a vendored jquery 3.3.1 ($vf)" || ko "vendorjs advisories" "none on the vendored jquery"

"$BH" sbom -q /nonexistent/x >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q /nonexistent/x "$T/err" && ok "missing target exits 3" || ko "missing target exits 3" "rc=$rc"
"$BH" sbom --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "usage error exits 2" || ko "usage error exits 2" "rc=$rc"
"$BH" sbom -q --limit max-files=3 "$T/d.tar" >/dev/null 2>&1; rc=$?
[ $rc -eq 4 ] && ok "limit exits 4" || ko "limit exits 4" "rc=$rc"

# A layered image built with buildah: layer 1 adds a Go binary and a distroless-style dpkg entry,
# layer 2 deletes the binary (whiteout) and replaces a directory (opaque).
if command -v buildah >/dev/null; then
	mkdir -p "$T/l1/app/bin" "$T/l1/var/lib/dpkg/status.d"
	cp /usr/bin/umoci "$T/l1/app/bin/" 2>/dev/null || cp "$(command -v skopeo)" "$T/l1/app/bin/umoci"
	cp "$(command -v skopeo)" "$T/l1/app/bin/skopeo"
	printf 'Package: extra\nVersion: 1.0\nArchitecture: amd64\n' >"$T/l1/var/lib/dpkg/status.d/extra"
	ctr=$(buildah from --quiet "docker-archive:$T/d.tar")
	buildah copy --quiet "$ctr" "$T/l1/app" /app >/dev/null
	buildah copy --quiet "$ctr" "$T/l1/var/lib/dpkg/status.d" /var/lib/dpkg/status.d >/dev/null
	buildah commit --quiet "$ctr" localhost/bh-e2e-layered:1 >/dev/null
	buildah rm "$ctr" >/dev/null
	ctr=$(buildah from --quiet localhost/bh-e2e-layered:1)
	mnt=$(buildah mount "$ctr")
	rm -f "$mnt/app/bin/umoci"
	buildah umount "$ctr" >/dev/null
	buildah commit --quiet "$ctr" localhost/bh-e2e-layered:2 >/dev/null
	buildah rm "$ctr" >/dev/null
	skopeo copy -q containers-storage:localhost/bh-e2e-layered:2 "docker-archive:$T/layered.tar:localhost/bh-e2e-layered:2"
	podman rmi -f localhost/bh-e2e-layered:2 localhost/bh-e2e-layered:1 >/dev/null 2>&1
	out=$(timeout 60 "$BH" sbom -q -f json "$T/layered.tar")
	nl=$(echo "$out" | jq '.layers | length')
	[ "$nl" -eq 3 ] && ok "layered image has 3 layers" || ko "layered image has 3 layers" "got $nl"
	echo "$out" | jq -e '[.components[] | select(.path == "/app/bin/umoci")] | length == 0' >/dev/null \
		&& ok "whiteout removes the deleted binary's modules" || ko "whiteout" "umoci still listed"
	echo "$out" | jq -e '[.components[] | select(.path == "/app/bin/skopeo" and .ecosystem == "golang")] | length >= 1 and all(.layer == 1)' >/dev/null \
		&& ok "Go modules of a binary added in layer 1 are attributed to layer 1" || ko "Go layer attribution" "$(echo "$out" | jq -c '[.components[] | select(.path == "/app/bin/skopeo")][0]')"
	echo "$out" | jq -e '[.components[] | select(.name == "extra" and .ecosystem == "deb" and .layer == 1)] | length == 1' >/dev/null \
		&& ok "status.d package from layer 1" || ko "status.d package from layer 1" "missing"
	echo "$out" | jq -e '[.components[] | select(.ecosystem == "deb" and .name == "bash")][0].layer == 0' >/dev/null \
		&& ok "base packages stay in layer 0" || ko "base packages stay in layer 0" "wrong layer"
fi

# This machine: every installed package dpkg-query lists, one for one.
want=$(dpkg-query -W -f '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' | awk -F'\t' '$1=="installed"' | cut -f2- | sort)
got=$(timeout 120 "$BH" sbom -q -f json dir:/ | jq -r '.components[] | select(.ecosystem=="deb") | [.name, .version, .arch, .source_name, .source_version] | @tsv' | sort)
[ "$got" = "$want" ] && ok "dir:/ lists every dpkg-query package" || ko "dir:/ vs dpkg-query" "$(diff <(echo "$want") <(echo "$got") | head -5)"

# Debian 12 minbase made with debootstrap (cached), as docker-archive and OCI layout: dpkg components
# equal dpkg-query run on that rootfs (name, version, arch, source, source version).
D=${BH_TESTDATA:-/var/tmp/bulkhead-testdata}/debmin
if [ "${BH_E2E_DEBOOTSTRAP:-1}" = 1 ]; then
	if [ ! -f "$D/.done" ]; then
		rm -rf "$D" && mkdir -p "$D"
		if debootstrap --variant=minbase bookworm "$D/rootfs" http://deb.debian.org/debian >"$D/debootstrap.log" 2>&1; then
			tar -C "$D/rootfs" -cf "$D/rootfs.tar" .
			podman import -q --change 'CMD ["/bin/bash"]' "$D/rootfs.tar" localhost/bh-debmin:bookworm >/dev/null
			skopeo copy -q containers-storage:localhost/bh-debmin:bookworm "docker-archive:$D/docker.tar:localhost/bh-debmin:bookworm"
			skopeo copy -q containers-storage:localhost/bh-debmin:bookworm "oci:$D/oci:bookworm"
			rm -f "$D/rootfs.tar"
			touch "$D/.done"
		fi
	fi
	if [ -f "$D/.done" ]; then
		want=$(dpkg-query --admindir="$D/rootfs/var/lib/dpkg" -W -f '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' | awk -F'\t' '$1=="installed"' | cut -f2- | sort)
		for t in "docker-archive:$D/docker.tar" "oci:$D/oci:bookworm"; do
			got=$(timeout 60 "$BH" sbom -q -f json "$t" | jq -r '.components[] | select(.ecosystem=="deb") | [.name, .version, .arch, .source_name, .source_version] | @tsv' | sort)
			[ -n "$want" ] && [ "$got" = "$want" ] && ok "debmin $t equals dpkg-query ($(echo "$want" | wc -l) packages)" || ko "debmin $t" "$(diff <(echo "$want") <(echo "$got") | head -5)"
		done
	else
		ko "debootstrap of the Debian 12 minbase image" "$(tail -3 "$D/debootstrap.log")"
	fi
fi

# engine: a real podman service speaking the Docker Engine API on a unix socket.
if command -v podman >/dev/null; then
	sock="$T/podman.sock"
	podman import -q "$T/rootfs.tar" localhost/bh-e2e-engine:1 >/dev/null
	podman_service "$sock" /dev/null
	a=$(DOCKER_HOST="unix://$sock" timeout 60 "$BH" sbom -q -f json engine:localhost/bh-e2e-engine:1 | jq -r '.components[] | "\(.name) \(.version)"' | sort)
	b=$(timeout 60 "$BH" sbom -q -f json "$T/d.tar" | jq -r '.components[] | "\(.name) \(.version)"' | sort)
	[ -n "$a" ] && [ "$a" = "$b" ] && ok "engine: image through the Docker Engine API equals the docker-archive" || ko "engine" "$(echo "$a" | head -2)"
	DOCKER_HOST="unix://$sock" timeout 60 "$BH" sbom -q engine:localhost/no-such-image:1 >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 3 ] && grep -q "no image" "$T/err" && ok "engine: unknown image exits 3" || ko "engine: unknown image" "rc=$rc $(cat "$T/err")"
	DOCKER_HOST="unix://$T/nothing.sock" timeout 60 "$BH" sbom -q engine:x >/dev/null 2>&1; rc=$?
	[ $rc -eq 5 ] && ok "engine: no daemon exits 5" || ko "engine: no daemon" "rc=$rc"
	kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null
	podman rmi -f localhost/bh-e2e-engine:1 >/dev/null 2>&1
fi

# -o: the report appears under its name only when complete; a failed run leaves the old file and no temporary
echo previous >"$T/keep.json"
"$BH" sbom -q -f json -o "$T/keep.json" "$T/no-such-target" 2>/dev/null
[ "$(cat "$T/keep.json")" = previous ] && [ -z "$(ls "$T" | grep 'keep.json.tmp-')" ] \
	&& ok "-o: a failed run leaves the previous file as it was and no temporary file" || ko "-o failed run" "$(head -c 80 "$T/keep.json")"
"$BH" sbom -q -f json -o "$T/keep.json" "dir:$T/root" && jq -e '.components | length > 0' "$T/keep.json" >/dev/null \
	&& [ -z "$(ls "$T" | grep 'keep.json.tmp-')" ] && ok "-o: a successful run replaces it whole" || ko "-o success" "no report"

echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
