#!/usr/bin/env bash
# registry: targets end to end: Debian's docker-registry on 127.0.0.1 with TLS (a CA made here) and
# htpasswd basic auth, images pushed by skopeo as Docker v2s2, OCI, an OCI index and a Docker
# manifest list; `bulkhead sbom registry:...` must list what the docker-archive of the same image
# lists, and the error cases (credentials, CA, missing tag, digest mismatches) exit with their codes.
# A second registry without TLS or auth checks plain HTTP on loopback. SKIPs with the reason when a
# tool is missing; never passes silently.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP registry: $1"; echo "registry: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL registry: $BH not built"; echo "registry: 0 passed, 1 failed"; exit 1; }
command -v docker-registry >/dev/null || skip "docker-registry is not installed (apt-get install docker-registry)"
command -v skopeo >/dev/null || skip "skopeo is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v jq >/dev/null || skip "jq is not installed"
command -v curl >/dev/null || skip "curl is not installed"

T=$(mktemp -d /tmp/bh-reg-e2e.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# bcrypt for htpasswd: apache2-utils' htpasswd, else Python's crypt (Blowfish), else mkpasswd.
bcrypt() {
	if command -v htpasswd >/dev/null; then htpasswd -nbB "$1" "$2" | cut -d: -f2- | head -1; return; fi
	for py in python3 /usr/bin/python3; do
		h=$("$py" -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))' "$2" 2>/dev/null) \
			&& [ "${h:0:3}" = '$2b' ] && { echo "$h"; return; }
	done
	command -v mkpasswd >/dev/null && mkpasswd -m bcrypt "$2" && return
	return 1
}
wait_up() { # url, curl options...
	local u=$1; shift
	for _ in $(seq 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$u") && [ "$code" != 000 ] && return 0
		sleep 0.1
	done
	return 1
}

# --- certificates: a CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA ---
(
	cd "$T" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bh-test-ca &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 -subj /CN=bh-other-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext
) >"$T/openssl.log" 2>&1 || { ko "certificates" "$(tail -3 "$T/openssl.log")"; echo "registry: $pass passed, $fail failed"; exit 1; }
mkdir -p "$T/certs" "$T/empty" && cp "$T/ca.crt" "$T/certs/ca.crt"

USER_=bhuser PASS_='s3cret pass:word'
if h=$(bcrypt "$USER_" "$PASS_"); then
	printf '%s:%s\n' "$USER_" "$h" >"$T/htpasswd"
	AUTH=1
else
	echo "SKIP registry auth cases: nothing here makes bcrypt hashes (htpasswd, python3 crypt, mkpasswd)"
	AUTH=0
fi

PORT=$(free_port)
PLAIN=$(free_port)
{
	echo "version: 0.1"
	echo "log: {level: error}"
	echo "storage: {filesystem: {rootdirectory: $T/data}, delete: {enabled: true}}"
	echo "http: {addr: 127.0.0.1:$PORT, tls: {certificate: $T/srv.crt, key: $T/srv.key}}"
	[ "$AUTH" = 1 ] && echo "auth: {htpasswd: {realm: bh-test, path: $T/htpasswd}}"
} >"$T/tls.yml"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$T/plain-data" "$PLAIN" >"$T/plain.yml"
docker-registry serve "$T/tls.yml" >"$T/tls.log" 2>&1 &
pids+=($!)
docker-registry serve "$T/plain.yml" >"$T/plain.log" 2>&1 &
pids+=($!)
wait_up "https://127.0.0.1:$PORT/v2/" --cacert "$T/ca.crt" || { ko "TLS registry starts" "$(tail -3 "$T/tls.log")"; echo "registry: $pass passed, $fail failed"; exit 1; }
wait_up "http://127.0.0.1:$PLAIN/v2/" || { ko "plain registry starts" "$(tail -3 "$T/plain.log")"; echo "registry: $pass passed, $fail failed"; exit 1; }
R=127.0.0.1:$PORT
[ "$AUTH" = 1 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.crt" "https://$R/v2/")" = 401 ] \
	&& ok "registry wants credentials (401 without)" || { [ "$AUTH" = 1 ] && ko "registry wants credentials" "no 401"; }

# --- images: two small root filesystems (this machine's dpkg status; a made-up arm64 one) ---
mkdir -p "$T/amd/var/lib/dpkg" "$T/amd/usr/lib" "$T/amd/etc" "$T/arm/var/lib/dpkg" "$T/arm/usr/lib" "$T/arm/etc"
cp /var/lib/dpkg/status "$T/amd/var/lib/dpkg/" && cp /usr/lib/os-release "$T/amd/usr/lib/" && cp /usr/lib/os-release "$T/arm/usr/lib/"
ln -s ../usr/lib/os-release "$T/amd/etc/os-release"; ln -s ../usr/lib/os-release "$T/arm/etc/os-release"
printf 'Package: armonly\nStatus: install ok installed\nVersion: 1.2-3\nArchitecture: arm64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: arm64\n' >"$T/arm/var/lib/dpkg/status"
python3 "$HERE/registry_image.py" "$T/layout" "$T/amd" "$T/arm" || { ko "test image layout" "registry_image.py failed"; echo "registry: $pass passed, $fail failed"; exit 1; }
skopeo copy -q "oci:$T/layout:amd" "docker-archive:$T/amd.tar:localhost/bh-reg:amd" &&
	skopeo copy -q "oci:$T/layout:arm" "docker-archive:$T/arm.tar:localhost/bh-reg:arm" || { ko "docker-archives" "skopeo failed"; echo "registry: $pass passed, $fail failed"; exit 1; }
comps() { jq -r '.components[] | [.ecosystem, .name, .version, (.arch // ""), (.path // ""), (.layer|tostring)] | @tsv' | sort; }
want_amd=$("$BH" sbom -q -f json "$T/amd.tar" | comps)
want_arm=$("$BH" sbom -q -f json "$T/arm.tar" | comps)
[ "$(echo "$want_amd" | wc -l)" -gt 100 ] && echo "$want_arm" | grepq armonly || ko "reference SBOMs" "amd=$(echo "$want_amd" | wc -l) lines, arm without armonly"

CREDS=()
[ "$AUTH" = 1 ] && CREDS=(--dest-creds "$USER_:$PASS_")
push() { # src dest-repo:tag extra...
	local src=$1 dst=$2; shift 2
	skopeo copy -q "${CREDS[@]}" --dest-cert-dir "$T/certs" "$@" "$src" "docker://$R/$dst" >"$T/push.log" 2>&1 \
		|| { ko "push $dst" "$(tail -2 "$T/push.log")"; return 1; }
}
push "oci:$T/layout:amd" bh/v2s2:1 --format v2s2
push "oci:$T/layout:amd" bh/oci:1 --format oci
push "oci:$T/layout:multi" bh/multi:1 --all --format oci
push "oci:$T/layout:multi" bh/list:1 --all --format v2s2
push "oci:$T/layout:arm" bh/bad:1 --format oci

# bulkhead with the test's credentials on stdin and its CA; extra options first
bh() { printf '%s\n' "$PASS_" | "$BH" sbom -q -f json --registry-ca "$T/ca.crt" ${AUTHOPT[@]+"${AUTHOPT[@]}"} "$@"; }
AUTHOPT=()
[ "$AUTH" = 1 ] && AUTHOPT=(--registry-user "$USER_" --registry-password-stdin)
same() { # name, want, json file
	local got; got=$(comps <"$3")
	[ -n "$2" ] && [ "$got" = "$2" ] && ok "$1 ($(echo "$got" | wc -l) components)" || ko "$1" "$(diff <(echo "$2") <(echo "$got") | head -5)"
}

bh "registry:$R/bh/v2s2:1" >"$T/v2s2.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "v2s2 image equals its docker-archive" "$want_amd" "$T/v2s2.json" || ko "v2s2 image" "rc=$rc $(cat "$T/err")"
jq -e '.target.kind == "registry" and .layers[0].media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip" and (.target.manifest_digest | startswith("sha256:"))' "$T/v2s2.json" >/dev/null \
	&& ok "v2s2: kind registry, Docker layer media type, manifest digest" || ko "v2s2 target fields" "$(jq -c '.target, .layers[0].media_type' "$T/v2s2.json")"
bh "registry:$R/bh/oci:1" >"$T/oci.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "OCI image equals its docker-archive" "$want_amd" "$T/oci.json" || ko "OCI image" "rc=$rc $(cat "$T/err")"
jq -e '.layers[0].media_type | startswith("application/vnd.oci.image.layer.v1.tar")' "$T/oci.json" >/dev/null \
	&& ok "OCI: OCI layer media type" || ko "OCI layer media type" "$(jq -c '.layers[0].media_type' "$T/oci.json")"

# pinned by digest, through the docker:// alias
dig=$(jq -r .target.manifest_digest "$T/oci.json")
bh "docker://$R/bh/oci@$dig" >"$T/pin.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "docker:// alias pinned by @$dig" "$want_amd" "$T/pin.json" || ko "pinned by digest" "rc=$rc $(cat "$T/err")"

# indexes: OCI index and Docker manifest list, default platform (this machine: amd64) and --platform
bh "registry:$R/bh/multi:1" >"$T/multi.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "OCI index: linux/amd64 by default" "$want_amd" "$T/multi.json" || ko "OCI index default" "rc=$rc $(cat "$T/err")"
jq -e --arg r "$R/bh/multi@" '.target.repo_digests[0] | startswith($r)' "$T/multi.json" >/dev/null && \
	[ "$(jq -r '.target.repo_digests[0] | split("@")[1]' "$T/multi.json")" != "$(jq -r .target.manifest_digest "$T/multi.json")" ] \
	&& ok "OCI index: repo digest is the index's, manifest digest the image's" || ko "index digests" "$(jq -c .target "$T/multi.json")"
bh --platform linux/arm64 "registry:$R/bh/multi:1" >"$T/arm.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "OCI index: --platform linux/arm64" "$want_arm" "$T/arm.json" || ko "OCI index arm64" "rc=$rc $(cat "$T/err")"
bh --platform linux/arm64/v8 "registry:$R/bh/list:1" >"$T/larm.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "Docker manifest list: --platform linux/arm64/v8" "$want_arm" "$T/larm.json" || ko "manifest list arm64/v8" "rc=$rc $(cat "$T/err")"
bh "registry:$R/bh/list:1" >"$T/lamd.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "Docker manifest list: linux/amd64 by default" "$want_amd" "$T/lamd.json" || ko "manifest list default" "rc=$rc $(cat "$T/err")"
bh --platform linux/s390x "registry:$R/bh/multi:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq 'no linux/s390x image in the index (it has linux/amd64, linux/arm64/v8' "$T/err" \
	&& ok "index without the platform: exit 3 listing what it has" || ko "missing platform" "rc=$rc $(cat "$T/err")"

# credentials from an auth file (REGISTRY_AUTH_FILE, docker config.json format)
if [ "$AUTH" = 1 ]; then
	printf '{"auths": {"https://%s/v1/": {"auth": "%s"}}}\n' "$R" "$(printf '%s:%s' "$USER_" "$PASS_" | base64 -w0)" >"$T/auth.json"
	REGISTRY_AUTH_FILE=$T/auth.json "$BH" sbom -q -f json --registry-ca "$T/ca.crt" "registry:$R/bh/v2s2:1" >"$T/af.json" 2>"$T/err"; rc=$?
	[ $rc = 0 ] && same "credentials from \$REGISTRY_AUTH_FILE" "$want_amd" "$T/af.json" || ko "auth file" "rc=$rc $(cat "$T/err")"
	mkdir -p "$T/home/.docker" && cp "$T/auth.json" "$T/home/.docker/config.json"
	HOME=$T/home REGISTRY_AUTH_FILE= "$BH" sbom -q -f json --registry-ca "$T/ca.crt" "registry:$R/bh/oci:1" >"$T/hf.json" 2>"$T/err"; rc=$?
	[ $rc = 0 ] && same "credentials from ~/.docker/config.json" "$want_amd" "$T/hf.json" || ko "docker config.json" "rc=$rc $(cat "$T/err")"

	# wrong password: exit 6 naming the host and user
	printf 'wrong\n' | "$BH" sbom -q --registry-ca "$T/ca.crt" --registry-user "$USER_" --registry-password-stdin "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 6 ] && grepq "$R refused the credentials of user \"$USER_\"" "$T/err" \
		&& ok "wrong password: exit 6 ($(head -1 "$T/err"))" || ko "wrong password" "rc=$rc $(cat "$T/err")"
	# no credentials anywhere: exit 6 saying how to give them

	HOME=$T/empty REGISTRY_AUTH_FILE= "$BH" sbom -q --registry-ca "$T/ca.crt" "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 6 ] && grepq "wants credentials.*--registry-user" "$T/err" \
		&& ok "no credentials: exit 6 ($(head -1 "$T/err"))" || ko "no credentials" "rc=$rc $(cat "$T/err")"
	# an auth file that is not JSON (named explicitly): exit 3 naming it
	echo 'not json' >"$T/badauth.json"
	REGISTRY_AUTH_FILE=$T/badauth.json "$BH" sbom -q --registry-ca "$T/ca.crt" "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 3 ] && grepq "badauth.json" "$T/err" && ok "malformed auth file: exit 3 naming it" || ko "malformed auth file" "rc=$rc $(cat "$T/err")"
fi
printf 'x\n' | "$BH" sbom -q --registry-password-stdin "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grepq "needs --registry-user" "$T/err" && ok "--registry-password-stdin alone: exit 2" || ko "password without user" "rc=$rc $(cat "$T/err")"

# TLS: an unrelated CA, and the system CAs, fail verification (exit 5 naming the host); --insecure-registry reads
bh_ca() { printf '%s\n' "$PASS_" | "$BH" sbom -q -f json ${AUTHOPT[@]+"${AUTHOPT[@]}"} "$@"; }
bh_ca --registry-ca "$T/other.crt" "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 5 ] && grepq "$R: TLS certificate verification failed.*--registry-ca" "$T/err" \
	&& ok "wrong CA: exit 5 naming the host ($(head -1 "$T/err" | cut -c1-150))" || ko "wrong CA" "rc=$rc $(cat "$T/err")"
bh_ca "registry:$R/bh/v2s2:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 5 ] && grepq "$R: TLS certificate verification failed" "$T/err" && ok "system CAs only: exit 5" || ko "system CAs" "rc=$rc $(cat "$T/err")"
bh_ca --insecure-registry "registry:$R/bh/v2s2:1" >"$T/ins.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "--insecure-registry skips verification" "$want_amd" "$T/ins.json" || ko "--insecure-registry" "rc=$rc $(cat "$T/err")"

# missing tag and repository: exit 3 naming repo:tag
bh "registry:$R/bh/v2s2:nope" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "$R/bh/v2s2:nope: no such manifest" "$T/err" && ok "missing tag: exit 3 naming repo:tag" || ko "missing tag" "rc=$rc $(cat "$T/err")"
bh "registry:$R/bh/absent:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "$R/bh/absent:1: no such manifest" "$T/err" && ok "missing repository: exit 3" || ko "missing repository" "rc=$rc $(cat "$T/err")"
"$BH" sbom -q "registry:$R/Bad/Name" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grepq "bad repository" "$T/err" && ok "malformed reference: exit 2" || ko "malformed reference" "rc=$rc $(cat "$T/err")"

# plain HTTP on loopback (no TLS, anonymous)
skopeo copy -q --dest-tls-verify=false "oci:$T/layout:amd" "docker://127.0.0.1:$PLAIN/bh/plain:1" >"$T/push.log" 2>&1 || ko "push plain" "$(tail -2 "$T/push.log")"
"$BH" sbom -q -f json "registry:127.0.0.1:$PLAIN/bh/plain:1" >"$T/plain.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "plain HTTP on 127.0.0.1, anonymous" "$want_amd" "$T/plain.json" || ko "plain HTTP loopback" "rc=$rc $(cat "$T/err")"
"$BH" sbom -q -f json "registry:localhost:$PLAIN/bh/plain:1" >"$T/plain2.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "plain HTTP on localhost" "$want_amd" "$T/plain2.json" || ko "plain HTTP localhost" "rc=$rc $(cat "$T/err")"

# bearer tokens: a third registry (TLS) whose `auth: token` sends clients to tests/e2e/registry_token.py
TOKPORT=$(free_port)
(cd "$T" && openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 2 -subj /CN=bh-token-issuer) >>"$T/openssl.log" 2>&1
python3 "$HERE/registry_token.py" "$T/token.port" "$T/token.key" "$T/token.crt" "$USER_" "$PASS_" bh-test-issuer >"$T/token.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$T/token.port" ] && break; sleep 0.1; done
if [ -s "$T/token.port" ]; then
	cat >"$T/token.yml" <<EOF2
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/token-data}}
http: {addr: 127.0.0.1:$TOKPORT, tls: {certificate: $T/srv.crt, key: $T/srv.key}}
auth: {token: {realm: "http://127.0.0.1:$(cat "$T/token.port")/token", service: bh-registry, issuer: bh-test-issuer, rootcertbundle: $T/token.crt}}
EOF2
	docker-registry serve "$T/token.yml" >"$T/tokreg.log" 2>&1 &
	pids+=($!)
	TR=127.0.0.1:$TOKPORT
	if wait_up "https://$TR/v2/" --cacert "$T/ca.crt"; then
		curl -s -D- -o /dev/null --cacert "$T/ca.crt" "https://$TR/v2/" | grepq -i '^www-authenticate: Bearer realm=' \
			&& ok "token registry challenges with Bearer" || ko "token registry" "no Bearer challenge"
		skopeo copy -q --dest-creds "$USER_:$PASS_" --dest-cert-dir "$T/certs" "oci:$T/layout:amd" "docker://$TR/bh/tok:1" >"$T/push.log" 2>&1 \
			|| ko "push to the token registry" "$(tail -2 "$T/push.log")"
		n0=$(grep -c '^token user=.*scope=repository:bh/tok:pull' "$T/token.log")
		printf '%s\n' "$PASS_" | "$BH" sbom -q -f json --registry-ca "$T/ca.crt" --registry-user "$USER_" --registry-password-stdin "registry:$TR/bh/tok:1" >"$T/tok.json" 2>"$T/err"; rc=$?
		n1=$(grep -c '^token user=.*scope=repository:bh/tok:pull' "$T/token.log")
		[ $rc = 0 ] && [ "$n1" -gt "$n0" ] && same "bearer token (Basic to the realm, scope repository:bh/tok:pull)" "$want_amd" "$T/tok.json" \
			|| ko "bearer token" "rc=$rc tokens $n0->$n1 $(cat "$T/err")"
		printf 'wrong\n' | "$BH" sbom -q --registry-ca "$T/ca.crt" --registry-user "$USER_" --registry-password-stdin "registry:$TR/bh/tok:1" >/dev/null 2>"$T/err"; rc=$?
		[ $rc = 6 ] && grepq "token server refused the credentials of user \"$USER_\"" "$T/err" \
			&& ok "bearer, wrong password: exit 6" || ko "bearer wrong password" "rc=$rc $(cat "$T/err")"
		HOME=$T/empty REGISTRY_AUTH_FILE= "$BH" sbom -q --registry-ca "$T/ca.crt" "registry:$TR/bh/tok:1" >/dev/null 2>"$T/err"; rc=$?
		[ $rc = 6 ] && grepq "token server wants credentials" "$T/err" \
			&& ok "bearer, anonymous refused: exit 6" || ko "bearer anonymous" "rc=$rc $(cat "$T/err")"
	else
		ko "token registry starts" "$(tail -3 "$T/tokreg.log")"
	fi
else
	ko "token server starts" "$(tail -3 "$T/token.log")"
fi

# tampered content in the registry's storage (bh/bad holds the arm64 image alone)
blob() { echo "$T/data/docker/registry/v2/blobs/sha256/${1:7:2}/${1:7}/data"; }
bh "registry:$R/bh/bad:1" >"$T/bad.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && same "image to tamper with reads first" "$want_arm" "$T/bad.json" || ko "bad image before tampering" "rc=$rc $(cat "$T/err")"
mdig=$(jq -r .target.manifest_digest "$T/bad.json")
cdig=$(jq -r .target.image_id "$T/bad.json")
ldig=$(jq -r '.layers[0].digest' "$T/bad.json")
# a layer: the gzip header's MTIME changes the bytes, not what they unpack to
f=$(blob "$ldig"); cp "$f" "$T/layer.bak"
if [ "$(head -c2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
	printf '\x01\x02\x03\x04' | dd of="$f" bs=1 seek=4 conv=notrunc 2>/dev/null
else
	printf '\x01' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 1)) conv=notrunc 2>/dev/null
fi
bh "registry:$R/bh/bad:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "$ldig: digest mismatch: expected $ldig, content is sha256:" "$T/err" \
	&& ok "tampered layer blob: exit 3 naming the digest" || ko "tampered layer" "rc=$rc $(cat "$T/err")"
# --no-verify is for local archives: registry digests are always checked (it once let this through)
bh --no-verify "registry:$R/bh/bad:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "$ldig: digest mismatch: expected $ldig, content is sha256:" "$T/err" \
	&& ok "tampered layer with --no-verify: exit 3" || ko "tampered layer --no-verify" "rc=$rc $(cat "$T/err")"
cp "$T/layer.bak" "$f"
# the config: same length, other bytes
f=$(blob "$cdig"); cp "$f" "$T/config.bak"
sed -i 's/registry_image.py arm64/registry_image.py ARM64/' "$f"
bh "registry:$R/bh/bad:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "$cdig: digest mismatch: expected $cdig" "$T/err" \
	&& ok "tampered config blob: exit 3 naming the digest" || ko "tampered config" "rc=$rc $(cat "$T/err")"
cp "$T/config.bak" "$f"
# the manifest: by digest, and by tag (the registry's Docker-Content-Digest no longer matches)
f=$(blob "$mdig"); cp "$f" "$T/manifest.bak"
python3 - "$f" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["annotations"] = {"tampered": "yes"}
open(p, "w").write(json.dumps(d))
EOF
bh "registry:$R/bh/bad@$mdig" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "manifest digest mismatch: expected $mdig, content is sha256:" "$T/err" \
	&& ok "tampered manifest pinned by digest: exit 3 naming it" || ko "tampered manifest by digest" "rc=$rc $(cat "$T/err")"
bh "registry:$R/bh/bad:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 3 ] && grepq "manifest digest mismatch: the registry says $mdig" "$T/err" \
	&& ok "tampered manifest by tag: exit 3 (Docker-Content-Digest differs)" || ko "tampered manifest by tag" "rc=$rc $(cat "$T/err")"
cp "$T/manifest.bak" "$f"
bh "registry:$R/bh/bad:1" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 0 ] && ok "restored blobs read again" || ko "restored" "rc=$rc $(cat "$T/err")"

# a hostile registry (tests/e2e/registry_hostile.py): each repository misbehaves in one way; every
# case must end fast, bounded, with its exit code and a message that names it
python3 "$HERE/registry_hostile.py" "$T/hostile.port" >"$T/hostile.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$T/hostile.port" ] && break; sleep 0.1; done
if [ -s "$T/hostile.port" ]; then
	H=127.0.0.1:$(cat "$T/hostile.port")
	hostile() { # name, exit code, message (grep -E), extra options...
		local n=$1 want=$2 msg=$3; shift 3
		/usr/bin/time -f '%e %M' -o "$T/time" timeout 60 "$BH" sbom -q -f json "$@" "registry:$H/h/$n:1" >"$T/h.json" 2>"$T/err"; rc=$?
		read -r secs kb < <(tail -1 "$T/time" 2>/dev/null) || { secs=?; kb=0; }
		if [ "$rc" = "$want" ] && { [ -z "$msg" ] || grep -Eq -- "$msg" "$T/err"; } && [ "${kb:-0}" -lt 262144 ]; then
			ok "hostile registry, $n: exit $want in ${secs}s, ${kb} KB ($(head -1 "$T/err" | cut -c1-140))"
		else
			ko "hostile registry, $n" "rc=$rc (want $want) ${secs}s ${kb}KB: $(head -c 400 "$T/err")"
		fi
	}
	hostile ok 0 ''
	jq -e '[.components[] | select(.name == "hostile-ok")] | length == 1' "$T/h.json" >/dev/null && ok "hostile registry serves a valid image too" || ko "hostile ok image" "$(head -c 300 "$T/h.json")"
	hostile bigman 4 "h/bigman:1: manifest larger than 16777216 bytes \\(max-meta-size limit\\)"
	hostile bigchunk 4 "h/bigchunk:1: manifest larger than 16777216 bytes"
	hostile manyidx 4 "index lists 2000 manifests, more than 1024"
	hostile nest 4 "indexes nested more than 2 deep"
	hostile deep 4 "JSON nested deeper than 64 levels"
	hostile endless 3 "h/endless@sha256:e{64}: longer than the 1024 bytes the manifest declares"
	hostile unsized 4 "h/unsized@sha256:e{64}: more than [0-9]+ bytes \\(max-layer-size" --limit max-layer-size=1m
	hostile short 3 "h/short@sha256:5{64}: 100 bytes, the manifest declares 4096"
	hostile redirect 5 'Protocol "file" not supported'
	hostile helm 3 "config type application/vnd.cncf.helm.config.v1\\+json: an artifact, not a container image"
	hostile schema1 3 "schema 1 manifest"
	hostile pathdigest 3 'config has digest "sha256:../../../../etc/passwd"'
	hostile err500 5 "answered HTTP 500: .*\\?\\[31mboom"
	[ "$(grep -c '^GET /v2/h/err500/manifests/1' "$T/hostile.log")" = 3 ] && ok "HTTP 500 retried twice, then given up" || ko "500 retries" "$(grep -c err500 "$T/hostile.log") requests"
	hostile authloop 6 "wants credentials \\(HTTP 401\\)"
	[ "$(grep -c '^GET /token' "$T/hostile.log")" -le 2 ] && ok "a token the registry keeps refusing is fetched at most twice" || ko "token loop" "$(grep -c '^GET /token' "$T/hostile.log") token requests"
	hostile bigtoken 4 "token server: token of 100000 bytes, more than 65536"
	hostile filerealm 6 "bearer challenge without an http\\(s\\) realm"
else
	ko "hostile registry starts" "$(tail -3 "$T/hostile.log")"
fi

# scan reads registry: targets too (vulnerabilities off: no DB needed)
printf '%s\n' "$PASS_" | "$BH" scan -q -f json --scanners config --registry-ca "$T/ca.crt" ${AUTHOPT[@]+"${AUTHOPT[@]}"} "registry:$R/bh/oci:1" >"$T/scan.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && jq -e '.' "$T/scan.json" >/dev/null && ok "scan registry: (config checks)" || ko "scan registry:" "rc=$rc $(cat "$T/err")"

echo "registry: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
