#!/usr/bin/env bash
# platform: issue #15's first "Must show" with real parts: one `bulkhead serve` (SQLite, a DB imported from
# tests/fixtures/vuln/osv-pypa), one docker-registry (TLS with a CA made here, htpasswd basic auth,
# notifications to the server), one podman service and one `bulkhead agent` following it. Three containers
# are started (one lives 15 s) and two images pushed with skopeo: each appears through the API within 5 s
# of its event (seconds printed in a table), with SBOM, findings and checks; the 15-second container has
# its start and stop; the host row has its facts; host and container CIS results are stored.
# SKIPs with the reason when podman, docker-registry or skopeo (or a helper tool) is missing.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP platform: $1"; echo "platform: 0 passed, 0 failed (skipped)"; exit 0; }
finish() { echo "platform: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

[ -x "$BH" ] || { echo "FAIL platform: $BH not built"; echo "platform: 0 passed, 1 failed"; exit 1; }
for t in podman docker-registry skopeo openssl jq curl python3 sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
START=$SECONDS

T=$(mktemp -d /tmp/bh-platform-e2e.XXXXXX)
chmod 711 "$T"
SRV='' REG='' AGT='' svc=''
# podman on a storage and event log of its own (other tests' containers stay out of the agent's view);
# the machine's containers.conf settings ($CONTAINERS_CONF, e.g. runc and ulimits) are kept.
cat >"$T/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$T/graph"
runroot = "$T/run"
CONF
evlines="events_logger = \"file\"\nevents_logfile_path = \"$T/podman-events.log\""
if [ -n "${CONTAINERS_CONF:-}" ] && [ -r "$CONTAINERS_CONF" ]; then
	awk -v ev="$evlines" '
		/^[ \t]*events_log(ger|file_path)[ \t]*=/ { next }
		{ print }
		/^[ \t]*\[engine\][ \t]*$/ { print ev; done = 1 }
		END { if (!done) { print "[engine]"; print ev } }' "$CONTAINERS_CONF" >"$T/containers.conf"
else
	printf '[engine]\n%b\n' "$evlines" >"$T/containers.conf"
fi
export CONTAINERS_STORAGE_CONF=$T/storage.conf CONTAINERS_CONF=$T/containers.conf
cleanup() {
	[ -n "$AGT" ] && kill "$AGT" 2>/dev/null && wait "$AGT" 2>/dev/null
	[ -n "$REG" ] && kill "$REG" 2>/dev/null && wait "$REG" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	podman rm -af -t 0 >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -af >/dev/null 2>&1
	umount "$T/graph/overlay" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
. "$HERE/podman.sh"
RUN="podman run --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
now() { date +%s.%N; }
secs() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
le5() { [ "$(python3 -c 'import sys; print(float(sys.argv[1]) <= 5.0)' "$1")" = True ]; }

# ---- what every image here carries: Debian os-release, a dpkg status, jw.util 2.0 (PYSEC-2020-341)
content() { # rootfs marker
	mkdir -p "$1/usr/lib/python3/dist-packages/jw.util-2.0.dist-info" "$1/var/lib/dpkg" "$1/etc" "$1/opt"
	cp /usr/lib/os-release "$1/usr/lib/os-release" && ln -sf ../usr/lib/os-release "$1/etc/os-release"
	printf 'Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\nArchitecture: amd64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n' >"$1/var/lib/dpkg/status"
	printf 'Metadata-Version: 2.1\nName: jw.util\nVersion: 2.0\n' >"$1/usr/lib/python3/dist-packages/jw.util-2.0.dist-info/METADATA"
	echo "$2" >"$1/opt/marker"
}
# a container image: this machine's sleep and its libraries (as podman.sh's sleep_image) plus the above
ctr_image() { # dir tag
	local d=$1 lib
	mkdir -p "$d/root/bin" "$d/root/etc"
	cp /usr/bin/sleep "$d/root/bin/"
	for lib in $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do
		mkdir -p "$d/root$(dirname "$lib")" && cp -L "$lib" "$d/root$lib"
	done
	echo 'root:x:0:0:root:/:/bin/sleep' >"$d/root/etc/passwd"
	content "$d/root" "$2"
	tar -C "$d/root" -cf "$d/rootfs.tar" .
	podman import -q "$d/rootfs.tar" "$2" >/dev/null 2>"$d/import.err"
}
# a registry image: an OCI layout written by registry_image.py (as regwatch.sh)
reg_image() { # name
	content "$T/rootfs-$1" "$1"
	mkdir -p "$T/arm-$1/usr/lib" && cp /usr/lib/os-release "$T/arm-$1/usr/lib/"
	python3 "$HERE/registry_image.py" "$T/layout-$1" "$T/rootfs-$1" "$T/arm-$1" >"$T/img-$1.log" 2>&1
}

ctr_image "$T/c1" localhost/bh-plat:1 || skip "podman cannot import an image: $(tail -1 "$T/c1/import.err")"
$RUN --rm localhost/bh-plat:1 sleep 0 >"$T/run.err" 2>&1 || skip "podman cannot run a container: $(tail -1 "$T/run.err")"
for n in a b; do reg_image $n || { ko "registry image $n" "$(tail -2 "$T/img-$n.log")"; finish; }; done

# ---- certificates (a CA and a server certificate for 127.0.0.1), htpasswd with bcrypt cost 5
(
	cd "$T" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bh-test-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext
) >"$T/openssl.log" 2>&1 || { ko "certificates" "$(tail -3 "$T/openssl.log")"; finish; }
mkdir -p "$T/certs" && cp "$T/ca.crt" "$T/certs/ca.crt"
RUSER=bhuser RPASS='s3cret-pass:word'
# the registry checks the hash on every request: cost 5, as htpasswd -B makes it (regwatch.sh)
bcrypt() {
	if command -v htpasswd >/dev/null; then htpasswd -nbB "$1" "$2" | cut -d: -f2- | head -1; return; fi
	h=$(python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))' "$2" 2>/dev/null) \
		&& [ "${h:0:3}" = '$2b' ] && { echo "$h"; return; }
	command -v mkpasswd >/dev/null && mkpasswd -m bcrypt -R 5 "$2" && return
	return 1
}
h=$(bcrypt "$RUSER" "$RPASS") || skip "nothing here makes bcrypt hashes for htpasswd (htpasswd, python3 crypt, mkpasswd)"
printf '%s:%s\n' "$RUSER" "$h" >"$T/htpasswd"

# ---- the server: SQLite in the data dir, the vulnerability DB made by db import
"$BH" db import --db "$T/vuln.db" "$SRC/tests/fixtures/vuln/osv-pypa" >"$T/dbimport.log" 2>&1 || { ko "db import" "$(tail -2 "$T/dbimport.log")"; finish; }
"$BH" serve -q --data "$T/data" --listen 127.0.0.1:0 --db "$T/vuln.db" --registry-tick 1 2>"$T/serve.log" &
SRV=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve.log")
	[ -n "$port" ] && break
	kill -0 $SRV 2>/dev/null || break
	sleep 0.1
done
[ -n "$port" ] || { ko "serve started" "$(tail -3 "$T/serve.log")"; finish; }
U=http://127.0.0.1:$port
HOST=plat-h1
V=$("$BH" token create --data "$T/data" --role viewer --name v 2>/dev/null)
AD=$("$BH" token create --data "$T/data" --role admin --name a 2>/dev/null)
N=$("$BH" token create --data "$T/data" --role operator --name registry-notify 2>/dev/null)
AG=$("$BH" token create --data "$T/data" --role agent --host $HOST --name ag 2>/dev/null)
[ -n "$V" ] && [ -n "$AD" ] && [ -n "$N" ] && [ -n "$AG" ] || { ko "tokens" "token create failed"; finish; }
api() { curl -s -H "Authorization: Bearer $V" "$U/api/v1/$1"; }
# waits up to $1 seconds for the jq filter $3 on GET $2 to print "true"
waitfor() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -le $end ]; do
		[ "$(api "$2" | jq -r "$3" 2>/dev/null)" = true ] && return 0
		sleep 0.1
	done
	return 1
}
rows=() # the table: what, event, seconds
# measure LABEL EVENT T0 TIMEOUT PATH FILTER: the seconds from T0 until FILTER holds on GET PATH, <= 5 s
measure() {
	local s
	if waitfor "$4" "$5" "$6"; then
		s=$(secs "$3" "$(now)")
		rows+=("$(printf '%-26s %-22s %6s' "$1" "$2" "$s")")
		le5 "$s" && ok "$1 in the API $s s after $2 (<= 5 s)" || ko "$1 within 5 s" "took $s s after $2"
	else
		rows+=("$(printf '%-26s %-22s %6s' "$1" "$2" ">$4")")
		ko "$1 in the API" "not within $4 s after $2"
	fi
}

# ---- the registry: TLS, basic auth, notifications to the server with an operator token; watched
RPORT=$(free_port)
R=127.0.0.1:$RPORT
cat >"$T/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/regdata}, delete: {enabled: true}}
http: {addr: $R, tls: {certificate: $T/srv.crt, key: $T/srv.key}}
auth: {htpasswd: {realm: bh-test, path: $T/htpasswd}}
notifications:
  endpoints:
    - name: bulkhead
      url: $U/api/v1/registry/notifications
      headers: {Authorization: [Bearer $N]}
      timeout: 2s
      threshold: 3
      backoff: 1s
YML
body='{"url": "https://'$R'", "username": "'$RUSER'", "password": "'$RPASS'", "ca_file": "'$T/ca.crt'", "interval_s": 3600}'
check "POST /api/v1/registries: 201" "$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $AD" -H 'Content-Type: application/json' -d "$body" "$U/api/v1/registries")" 201
docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
REG=$!
up=
for _ in $(seq 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.crt" "https://$R/v2/")" = 401 ] && { up=1; break; }
	sleep 0.1
done
[ -n "$up" ] || { ko "registry started (401 on /v2/ without credentials)" "$(tail -3 "$T/registry.log")"; finish; }

# ---- podman service and the agent following it
podman_service "$T/podman.sock" "$T/podman.log" || skip "podman system service did not come up: $(tail -1 "$T/podman.log")"
D1=sha256:$(podman image inspect --format '{{.Id}}' localhost/bh-plat:1)
"$BH" agent -v --server "$U" --token "$AG" --host $HOST --engine-host "unix://$T/podman.sock" --spool "$T/spool" 2>"$T/agent.log" &
AGT=$!
# the listing at start is done (the image uploaded) before the event stream is followed
waitfor 20 images "[.items[] | select(.digest == \"$D1\" and .has_sbom)] | length == 1" || ko "agent listed the first image" "$(tail -3 "$T/agent.log")"
for _ in $(seq 50); do grep -q 'running)' "$T/agent.log" && break; sleep 0.1; done
sleep 1

ctr_running() { echo "[.items[] | select(.container_id == \"$1\" and .state == \"running\" and .image_digest == \"$2\")] | length == 1"; }
# ---- the 15-second container first, so the rest happens during its life
C15=$($RUN -d --name bh-plat-c15 localhost/bh-plat:1 sleep 15); t0=$(now)
measure "container c15 (15 s)" "podman run returned" "$t0" 10 "containers?host=$HOST" "$(ctr_running "$C15" "$D1")"
C1=$($RUN -d --name bh-plat-c1 localhost/bh-plat:1 sleep 600); t0=$(now)
measure "container c1" "podman run returned" "$t0" 10 "containers?host=$HOST" "$(ctr_running "$C1" "$D1")"
# the third on an image new to the server: its SBOM is computed and uploaded on the way
ctr_image "$T/c2" localhost/bh-plat:2 || ko "second container image" "$(tail -1 "$T/c2/import.err")"
D2=sha256:$(podman image inspect --format '{{.Id}}' localhost/bh-plat:2)
C2=$($RUN -d --name bh-plat-c2 localhost/bh-plat:2 sleep 600); t0=$(now)
measure "container c2 (new image)" "podman run returned" "$t0" 10 "containers?host=$HOST" "$(ctr_running "$C2" "$D2")"

# ---- two pushes
for n in a b; do
	if skopeo copy -q --dest-creds "$RUSER:$RPASS" --dest-cert-dir "$T/certs" --digestfile "$T/digest-$n" \
		"oci:$T/layout-$n:amd" "docker://$R/bh/plat-$n:1" >"$T/push-$n.log" 2>&1; then
		t0=$(now)
		d=$(cat "$T/digest-$n")
		measure "pushed image $n" "skopeo copy returned" "$t0" 10 "images?limit=1000" "[.items[] | select(.digest == \"$d\" and .components > 0)] | length == 1"
	else ko "push bh/plat-$n:1" "$(tail -2 "$T/push-$n.log")"; fi
done

# the seconds above are those of the notification path, not of a poll that happened to pass by
check "both pushes indexed from the registry's notifications" \
	"$(sqlite3 "$T/data/bulkhead.db" "select count(*) || ':' || sum(payload like '%\"source\":\"notification\"%') from jobs where kind='registry.index' and state='done'")" "2:2"

# ---- the pushed images: SBOM, findings (PYSEC-2020-341 for jw.util 2.0), checks, repo tag
for n in a b; do
	d=$(cat "$T/digest-$n" 2>/dev/null) || continue
	api "images/$d" >"$T/img-$n.json"
	if jq -e --arg t "$R/bh/plat-$n:1" '.components > 0 and (.repo_tags | index($t) != null) and (.checks | length) > 0 and .findings.total > 0' "$T/img-$n.json" >/dev/null; then
		ok "pushed image $n: SBOM ($(jq .components "$T/img-$n.json") components), $(jq '.checks | length' "$T/img-$n.json") checks, $(jq .findings.total "$T/img-$n.json") findings, tag $R/bh/plat-$n:1"
	else ko "pushed image $n content" "$(jq -c '{components, repo_tags, checks: (.checks|length), findings}' "$T/img-$n.json")"; fi
	check "pushed image $n: GET /findings?image= has PYSEC-2020-341" "$(api "findings?image=$d" | jq -r '[.items[].advisory] | index("PYSEC-2020-341") != null')" true
	check "pushed image $n: CycloneDX SBOM names jw.util 2.0" "$(api "images/$d/sbom?format=cyclonedx" | jq -r '[.components[] | select(.name == "jw.util" and .version == "2.0")] | length > 0')" true
done

# ---- the containers' images: SBOM uploaded by the agent, matched by the server
for d in "$D1" "$D2"; do
	check "container image ${d:7:12}: listed with its SBOM" "$(api 'images?limit=1000' | jq -r --arg d "$d" '[.items[] | select(.digest == $d and .has_sbom and .components > 0)] | length')" 1
	check "container image ${d:7:12}: finding PYSEC-2020-341" "$(api "findings?image=$d" | jq -r '[.items[].advisory] | index("PYSEC-2020-341") != null')" true
done

# ---- host row and CIS results
HOSTROW=$(api hosts | jq -c --arg h $HOST '.items[] | select(.name == $h)')
check "host row: os" "$(jq -r .os <<<"$HOSTROW")" "$(. /etc/os-release; echo "$PRETTY_NAME")"
check "host row: kernel" "$(jq -r .kernel <<<"$HOSTROW")" "$(uname -r)"
check "host row: engine_version" "$(jq -r '.engine + " " + .engine_version' <<<"$HOSTROW")" "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version | awk '{print $3}')"
check "host CIS results stored (GET /hosts/$HOST/checks?container=)" "$(api "hosts/$HOST/checks?container=&limit=1000" | jq -r '[.items[] | select(.container_id == "" and (.rule_id | startswith("BH-HOST-")))] | length > 0')" true
for c in "$C15" "$C1" "$C2"; do
	if waitfor 5 "hosts/$HOST/checks?container=$c&limit=1000" "[.items[] | select(.container_id == \"$c\" and (.rule_id | startswith(\"BH-CTR-\")))] | length > 0"; then
		ok "container ${c:0:12}: CIS 5.x results stored ($(api "hosts/$HOST/checks?container=$c&limit=1000" | jq '.items | length') rows)"
	else ko "container ${c:0:12} CIS results" "none in GET /hosts/$HOST/checks?container=$c"; fi
done

# ---- the 15-second container ends by itself: its stop within 5 s, start and stop recorded
if timeout 30 podman wait bh-plat-c15 >/dev/null 2>&1; then
	t0=$(now)
	measure "container c15 stopped" "podman wait returned" "$t0" 10 "containers?host=$HOST" "[.items[] | select(.container_id == \"$C15\" and .state == \"exited\")] | length == 1"
else ko "15-second container" "podman wait failed"; fi
LIFE=$(api "containers?host=$HOST" | jq -r --arg c "$C15" '.items[] | select(.container_id == $c) | if .started_at and .stopped_at then .stopped_at - .started_at else "missing" end')
if [ -n "$LIFE" ] && [ "$LIFE" != missing ] && [ "$LIFE" -ge 14 ] && [ "$LIFE" -le 17 ]; then ok "15-second container: stopped_at - started_at = $LIFE s"
else ko "15-second container lifetime" "stopped_at - started_at: '$LIFE'"; fi
check "15-second container: container.start and container.die events" \
	"$(api 'events?limit=500' | jq -r --arg c "$C15" '[.items[] | select(.container == $c and (.type == "container.start" or .type == "container.die")) | .type] | sort | join(" ")')" \
	"container.die container.start"
check "the other two containers still running" "$(api "containers?host=$HOST&running=true" | jq -r --arg a "$C1" --arg b "$C2" '[.items[] | select(.container_id == $a or .container_id == $b)] | length')" 2
check "every image event the agent sent names its image (podman's id-less pull events resolved by name)" \
	"$(api 'events?type=image.pull&limit=1000' | jq '[.items[] | select((.payload.id // "") == "" or .payload.digest == null)] | length')" 0
check "server up (/healthz)" "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" 200

kill "$AGT"; wait "$AGT"; check "agent exits 0 on SIGTERM" "$?" 0; AGT=
kill -TERM "$SRV"; wait "$SRV"; check "serve exits 0 on SIGTERM" "$?" 0; SRV=
echo "measured (seconds from the event until GET /api/v1/... shows it):"
printf '  %-26s %-22s %6s\n' what event seconds
for r in "${rows[@]}"; do echo "  $r"; done
echo "platform runtime: $((SECONDS - START)) s"
finish
