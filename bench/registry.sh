#!/usr/bin/env bash
# registry.sh - `sbom registry:` against `sbom` of the docker-archive of the same image (a benchmark,
# not a test): Debian's docker-registry on 127.0.0.1 with TLS (a CA made here), the Debian 12 minbase
# image of bench/sbom.sh pushed by skopeo as Docker v2s2 and as OCI (skopeo gzips the layer, so the
# local OCI layout with the same gzip layer is the like-for-like line); median wall and CPU of RUNS runs.
#   bash bench/registry.sh      prints a Markdown table, also saved to bench/out/registry.md
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BH=${BH:-$ROOT/${BUILD:-build}/bulkhead}
W=${BH_BENCH:-/var/tmp/bh-bench}
RUNS=${RUNS:-5}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/../shared/testbed/containers.conf}
mkdir -p "$W" bench/out
[ -x "$BH" ] || make -s -j"$(nproc)"
for t in docker-registry skopeo openssl curl; do command -v $t >/dev/null || { echo "registry bench: $t is missing"; exit 1; }; done
. "$ROOT/bench/common.sh"
bench_debmin

T=$(mktemp -d /tmp/bh-reg-bench.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$T"' EXIT
(cd "$T" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bh-bench-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext) >/dev/null 2>&1
mkdir -p "$T/certs" && cp "$T/ca.crt" "$T/certs/"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s, tls: {certificate: %s, key: %s}}\n' \
	"$T/data" "$PORT" "$T/srv.crt" "$T/srv.key" >"$T/r.yml"
docker-registry serve "$T/r.yml" >"$T/r.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null --cacert "$T/ca.crt" "https://127.0.0.1:$PORT/v2/" && break; sleep 0.1; done
R=127.0.0.1:$PORT
skopeo copy -q --dest-cert-dir "$T/certs" --format v2s2 "docker-archive:$W/debmin-docker.tar" "docker://$R/debmin:v2s2"
skopeo copy -q --dest-cert-dir "$T/certs" --format oci "docker-archive:$W/debmin-docker.tar" "docker://$R/debmin:oci"
# the same image with its layer as a plain tar, as in the docker-archive (skopeo always gzips)
python3 "$ROOT/bench/registry_push.py" "https://$R" "$T/ca.crt" "$W/debmin-docker.tar" debmin:plain

# median wall, median CPU (user+sys) and max RSS (MB) of RUNS runs
measure() {
	local walls=() cpus=() rss=0 i e u s m
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %U %S %M" -o "$T/time.txt" "$@" >/dev/null 2>&1
		read -r e u s m <"$T/time.txt"
		walls+=("$e"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
	echo "$(med "${walls[@]}") $(med "${cpus[@]}") $((rss / 1024))"
}
n_tar=$("$BH" sbom -q -f json "$W/debmin-docker.tar" | jq '.components | length')
n_reg=$("$BH" sbom -q -f json --registry-ca "$T/ca.crt" "registry:$R/debmin:v2s2" | jq '.components | length')
read -r w0 c0 r0 < <(measure "$BH" sbom -q -f cyclonedx "$W/debmin-docker.tar")
read -r wo co ro < <(measure "$BH" sbom -q -f cyclonedx "oci:$W/debmin-oci:bookworm")
read -r wn cn rn < <(measure "$BH" sbom -q -f cyclonedx --no-verify "oci:$W/debmin-oci:bookworm")
read -r w1 c1 r1 < <(measure "$BH" sbom -q -f cyclonedx --registry-ca "$T/ca.crt" "registry:$R/debmin:v2s2")
read -r w2 c2 r2 < <(measure "$BH" sbom -q -f cyclonedx --registry-ca "$T/ca.crt" "registry:$R/debmin:oci")
read -r w3 c3 r3 < <(measure "$BH" sbom -q -f cyclonedx --registry-ca "$T/ca.crt" "registry:$R/debmin:plain")
# the default scan (vulnerabilities, config, secrets in every file) with a DB without advisories, as
# bench/scan.sh: reading the image is what differs between the sources, not matching
mkdir -p "$T/empty-feed" && "$BH" db import --db "$T/empty.db" "$T/empty-feed" >/dev/null
read -r ws0 cs0 rs0 < <(measure "$BH" scan -q --db "$T/empty.db" -f json "$W/debmin-docker.tar")
read -r wso cso rso < <(measure "$BH" scan -q --db "$T/empty.db" -f json "oci:$W/debmin-oci:bookworm")
read -r ws2 cs2 rs2 < <(measure "$BH" scan -q --db "$T/empty.db" -f json --registry-ca "$T/ca.crt" "registry:$R/debmin:oci")
read -r ws3 cs3 rs3 < <(measure "$BH" scan -q --db "$T/empty.db" -f json --registry-ca "$T/ca.crt" "registry:$R/debmin:plain")
# the floor of any client: curl fetching the same layer blob over the same TLS connection setup
plain_layer=$(curl -s --cacert "$T/ca.crt" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "https://$R/v2/debmin/manifests/plain" | jq -r '.layers[0].digest')
read -r wc cc rc < <(measure curl -s --cacert "$T/ca.crt" -o /dev/null "https://$R/v2/debmin/blobs/$plain_layer")
gz_layer=$(curl -s --cacert "$T/ca.crt" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "https://$R/v2/debmin/manifests/oci" | jq -r '.layers[0].digest')
gz_mb=$(curl -s --cacert "$T/ca.crt" -o /dev/null -w '%{size_download}' "https://$R/v2/debmin/blobs/$gz_layer" | awk '{printf "%.0f", $1 / 1048576}')
read -r wg cg rg < <(measure curl -s --cacert "$T/ca.crt" -o /dev/null "https://$R/v2/debmin/blobs/$gz_layer")
n_plain=$("$BH" sbom -q -f json --registry-ca "$T/ca.crt" "registry:$R/debmin:plain" | jq '.components | length')
{
	echo "| job (Debian 12 minbase, $n_tar components; from the registry: $n_reg) | wall | CPU | peak RSS |"
	echo "|---|---|---|---|"
	echo "| sbom of the docker-archive (uncompressed layer) | $w0 s | $c0 s | $r0 MB |"
	echo "| sbom of the OCI layout (the same layer gzip-compressed, as a registry holds it) | $wo s | $co s | $ro MB |"
	echo "| sbom --no-verify of the OCI layout (gzip layer, no digest checked) | $wn s | $cn s | $rn MB |"
	echo "| sbom registry: over TLS, Docker v2s2 (gzip layer) | $w1 s | $c1 s | $r1 MB |"
	echo "| sbom registry: over TLS, OCI (gzip layer) | $w2 s | $c2 s | $r2 MB |"
	echo "| sbom registry: over TLS, OCI with the plain tar layer of the docker-archive ($n_plain components) | $w3 s | $c3 s | $r3 MB |"
	echo "| curl: download of that plain layer blob alone (what the registry server takes to send it) | $wc s | $cc s | $rc MB |"
	echo "| curl: download of the gzip layer blob alone ($gz_mb MB) | $wg s | $cg s | $rg MB |"
	echo "| default scan of the docker-archive | $ws0 s | $cs0 s | $rs0 MB |"
	echo "| default scan of the OCI layout (gzip layer) | $wso s | $cso s | $rso MB |"
	echo "| default scan registry: over TLS, OCI (gzip layer) | $ws2 s | $cs2 s | $rs2 MB |"
	echo "| default scan registry: over TLS, OCI with the plain tar layer | $ws3 s | $cs3 s | $rs3 MB |"
} | tee bench/out/registry.md
