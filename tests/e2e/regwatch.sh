#!/usr/bin/env bash
# regwatch: `bulkhead serve` watching a real docker-registry (TLS with a CA made here, htpasswd basic auth,
# notifications.endpoints POSTing to the server with an operator token). Images pushed by skopeo appear
# through GET /api/v1/images within 5 s of the push (seconds printed) with SBOM, checks and findings (a DB
# imported from tests/fixtures/vuln/osv-pypa); a second tag of the same digest is not indexed again; a
# poll finds an image pushed while notifications were off; a wrong password fails its job with a clear
# error while the server stays up; 401/403 on the new routes; the password is never shown nor stored
# in clear. SKIPs with the reason when a tool is missing. Runs on SQLite, then again on a PostgreSQL 15
# cluster started in a temp dir (BH_REGWATCH_STORE=postgres; SKIP with the reason when it cannot).
set -uo pipefail
. "$(dirname "$0")/ports.sh"
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP regwatch: $1"; echo "regwatch: 0 passed, 0 failed (skipped)"; exit 0; }
finish() { echo "regwatch: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

[ -x "$BH" ] || { echo "FAIL regwatch: $BH not built"; echo "regwatch: 0 passed, 1 failed"; exit 1; }
for t in docker-registry skopeo openssl jq curl python3 sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done

STORE=${BH_REGWATCH_STORE:-sqlite}
T=$(mktemp -d /tmp/bh-regwatch-e2e.XXXXXX)
chmod 711 "$T"
SRV= REG= PGDATA=
cleanup() {
	[ -n "$REG" ] && kill "$REG" 2>/dev/null && wait "$REG" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "${SRV2:-}" ] && kill "$SRV2" 2>/dev/null && wait "$SRV2" 2>/dev/null
	pg_stop
	[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# ---- certificates (a CA and a server certificate for 127.0.0.1 and localhost), htpasswd
(
	cd "$T" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bh-test-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext
) >"$T/openssl.log" 2>&1 || { ko "certificates" "$(tail -3 "$T/openssl.log")"; finish; }
mkdir -p "$T/certs" && cp "$T/ca.crt" "$T/certs/ca.crt"
RUSER=bhuser RPASS='s3cret-pass:word'
# bcrypt for htpasswd: apache2-utils' htpasswd, else Python's crypt (Blowfish), else mkpasswd (as registry.sh).
# Cost 5 as htpasswd -B makes it: the registry checks the hash on every request, and Python's default
# (12, about 0.3 s here) would make every index and poll take seconds of bcrypt alone.
bcrypt() {
	if command -v htpasswd >/dev/null; then htpasswd -nbB "$1" "$2" | cut -d: -f2- | head -1; return; fi
	h=$(python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))' "$2" 2>/dev/null) \
		&& [ "${h:0:3}" = '$2b' ] && { echo "$h"; return; }
	command -v mkpasswd >/dev/null && mkpasswd -m bcrypt "$2" && return
	return 1
}
h=$(bcrypt "$RUSER" "$RPASS") || skip "nothing here makes bcrypt hashes for htpasswd (htpasswd, python3 crypt, mkpasswd)"
printf '%s:%s\n' "$RUSER" "$h" >"$T/htpasswd"

# ---- a DB with the PyPA fixtures (jw.util < 2.3 is PYSEC-2020-341)
"$BH" db import --db "$T/vuln.db" "$SRC/tests/fixtures/vuln/osv-pypa" >"$T/dbimport.log" 2>&1 || { ko "db import" "$(tail -2 "$T/dbimport.log")"; finish; }

# ---- three small images: Debian os-release, a dpkg status, jw.util 2.0; a marker makes each digest its own
mkimage() { # name
	local r=$T/rootfs-$1
	mkdir -p "$r/usr/lib/python3/dist-packages/jw.util-2.0.dist-info" "$r/var/lib/dpkg" "$r/etc" "$r/opt"
	cp /usr/lib/os-release "$r/usr/lib/os-release" && ln -s ../usr/lib/os-release "$r/etc/os-release"
	printf 'Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\nArchitecture: amd64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n' >"$r/var/lib/dpkg/status"
	printf 'Metadata-Version: 2.1\nName: jw.util\nVersion: 2.0\n' >"$r/usr/lib/python3/dist-packages/jw.util-2.0.dist-info/METADATA"
	echo "$1" >"$r/opt/marker"
	mkdir -p "$T/arm-$1/usr/lib" && cp /usr/lib/os-release "$T/arm-$1/usr/lib/"
	python3 "$HERE/registry_image.py" "$T/layout-$1" "$r" "$T/arm-$1" >"$T/img-$1.log" 2>&1
}
for n in one two three; do mkimage $n || { ko "image $n" "$(tail -2 "$T/img-$n.log")"; finish; }; done

# ---- the store: SQLite in the data dir, or a PostgreSQL cluster of this test (the data dir then holds secret.key)
S=(--data "$T/data")
db() { sqlite3 "$T/data/bulkhead.db" "$1"; }
if [ "$STORE" = postgres ]; then
	why=
	PGPORT=$(free_port)
	command -v psql >/dev/null || why="no psql"
	[ -z "$why" ] && ! pg_start "$T/pg" $PGPORT && why=$pg_why
	[ -n "$why" ] && skip "postgres: $why"
	S=(--store "host=$T/pg port=$PGPORT user=postgres dbname=postgres" --data "$T/data")
	db() { psql -X -q -h "$T/pg" -p "$PGPORT" -U postgres -d postgres -tA -c "$1"; }
fi

# ---- the server (the registry is watched before it runs, so notifications find it)
"$BH" serve "${S[@]}" --listen 127.0.0.1:0 --db "$T/vuln.db" --registry-tick 1 2>"$T/serve.log" &
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
# PostgreSQL: a second server over the same store and key shares the jobs (either may index a push)
SRV2=
if [ "$STORE" = postgres ]; then
	"$BH" serve "${S[@]}" --secret-key-file "$T/data/secret.key" --listen 127.0.0.1:0 --db "$T/vuln.db" --registry-tick 1 2>"$T/serve2.log" &
	SRV2=$!
	for _ in $(seq 100); do grep -q "listening on" "$T/serve2.log" && break; sleep 0.1; done
	grep -q "listening on" "$T/serve2.log" && ok "postgres: second server over the same store" || ko "second server" "$(tail -2 "$T/serve2.log")"
fi
V=$("$BH" token create "${S[@]}" --role viewer --name v 2>/dev/null)
O=$("$BH" token create "${S[@]}" --role operator --name o 2>/dev/null)
AD=$("$BH" token create "${S[@]}" --role admin --name a 2>/dev/null)
AG=$("$BH" token create "${S[@]}" --role agent --host h1 --name ag 2>/dev/null)
N=$("$BH" token create "${S[@]}" --role operator --name registry-notify 2>/dev/null)
[ -n "$V" ] && [ -n "$O" ] && [ -n "$AD" ] && [ -n "$N" ] || { ko "tokens" "token create failed"; finish; }
api() { local tok=$1; shift; curl -s -H "Authorization: Bearer $tok" "$@"; }
code() { local tok=$1; shift; curl -s -o "$T/body" -w '%{http_code}' ${tok:+-H "Authorization: Bearer $tok"} "$@"; }

RPORT=$(free_port)
R=127.0.0.1:$RPORT
regconf() { # file, with-notifications (1/0)
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage: {filesystem: {rootdirectory: $T/regdata}, delete: {enabled: true}}"
		echo "http: {addr: $R, tls: {certificate: $T/srv.crt, key: $T/srv.key}}"
		echo "auth: {htpasswd: {realm: bh-test, path: $T/htpasswd}}"
		if [ "$2" = 1 ]; then
			echo "notifications:"
			echo "  endpoints:"
			echo "    - name: bulkhead"
			echo "      url: $U/api/v1/registry/notifications"
			echo "      headers: {Authorization: [Bearer $N]}"
			echo "      timeout: 2s"
			echo "      threshold: 3"
			echo "      backoff: 1s"
		fi
	} >"$1"
}
regstart() {
	docker-registry serve "$1" >>"$T/registry.log" 2>&1 &
	REG=$!
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/ca.crt" "https://$R/v2/")" = 401 ] && return 0
		sleep 0.1
	done
	return 1
}
regstop() { kill "$REG" 2>/dev/null; wait "$REG" 2>/dev/null; REG=; }

# ---- access: 401 without a token, 403 for a too-weak role, nothing changed
for r in "GET /api/v1/registries" "POST /api/v1/registries" "DELETE /api/v1/registries?url=x" \
	"POST /api/v1/registries/poll?url=x" "POST /api/v1/registry/notifications"; do
	set -- $r
	c=$(code "" -X "$1" "$U$2"); check "$r without a token: 401" "$c" 401
	c=$(code "bht_$(printf '0%.0s' $(seq 64))" -X "$1" "$U$2"); check "$r with a wrong token: 401" "$c" 401
done
body='{"url": "https://'$R'", "username": "'$RUSER'", "password": "'$RPASS'", "ca_file": "'$T/ca.crt'", "interval_s": 3600}'
for t in V O AG; do
	c=$(code "${!t}" -X POST -H 'Content-Type: application/json' -d "$body" "$U/api/v1/registries"); check "POST /api/v1/registries as $t: 403" "$c" 403
	c=$(code "${!t}" -X DELETE "$U/api/v1/registries?url=https://$R"); check "DELETE /api/v1/registries as $t: 403" "$c" 403
done
for t in V AG; do
	c=$(code "${!t}" -X POST "$U/api/v1/registries/poll?url=https://$R"); check "POST /api/v1/registries/poll as $t: 403" "$c" 403
	c=$(code "${!t}" -X POST -d '{"events": []}' "$U/api/v1/registry/notifications"); check "POST /api/v1/registry/notifications as $t: 403" "$c" 403
done
check "nothing stored by refused requests" "$(db 'select count(*) from registries'):$(db 'select count(*) from jobs')" "0:0"

# ---- bad input: 400 with a clear message, 413 over the cap
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d '{"url": "ftp://x"}' "$U/api/v1/registries")
check "POST registries with a bad url: 400" "$c:$(jq -r .error.code "$T/body")" "400:bad_url"
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d '{"url": "http://registry.example:5000", "username": "u", "password": "p"}' "$U/api/v1/registries")
check "POST registries with plain http:// to another host: 400 (credentials never in clear)" "$c:$(jq -r .error.code "$T/body")" "400:bad_url"
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d '{"url": "https://'$R'", "pasword": "x"}' "$U/api/v1/registries")
check "POST registries with an unknown member: 400 naming it" "$c:$(jq -r .error.message "$T/body")" '400:unknown member "pasword"'
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d '{"url": "https://'$R'", "username": "u", "password": "p", "token": "t"}' "$U/api/v1/registries")
check "POST registries with password and token: 400" "$c" 400
c=$(code "$O" -X POST -d 'not json' "$U/api/v1/registry/notifications")
[ "$c" = 400 ] && [ "$(jq -r .error.code "$T/body")" = bad_notification ] && ok "notification not JSON: 400 ($(jq -r .error.message "$T/body"))" || ko "notification not JSON" "$c $(cat "$T/body")"
c=$(code "$O" -X POST -d '{"events": [{"action": "push", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:xyz", "repository": "a"}}]}' "$U/api/v1/registry/notifications")
[ "$c" = 400 ] && jq -r .error.message "$T/body" | grep -q 'events\[0\]: target.digest' && ok "notification with a bad digest: 400 ($(jq -r .error.message "$T/body"))" || ko "bad digest" "$c $(cat "$T/body")"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big"
c=$(code "$O" -X POST --data-binary @"$T/big" "$U/api/v1/registry/notifications"); check "notification over 1 MiB: 413" "$c" 413
c=$(code "$O" -X POST -d '{"events": [{"action": "pull", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:'$(printf 'a%.0s' $(seq 64))'", "repository": "a"}}]}' "$U/api/v1/registry/notifications")
check "a pull is ignored (202, nothing queued)" "$c:$(jq -c '[.queued, .ignored]' "$T/body")" "202:[0,1]"

# ---- the registry, watched
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d "$body" "$U/api/v1/registries"); check "POST /api/v1/registries as admin: 201" "$c" 201
api "$V" "$U/api/v1/registries" >"$T/regs.json"
if ! grep -qF "$RPASS" "$T/regs.json" && jq -e --arg u "https://$R" '.items[0].url == $u and .items[0].has_secret == true and .items[0].secret_kind == "password" and (.items[0] | has("secret") | not)' "$T/regs.json" >/dev/null; then
	ok "GET /api/v1/registries shows has_secret, never the password"
else ko "GET registries" "$(cat "$T/regs.json")"; fi
sec=$(db 'select secret from registries')
[ "${sec:0:3}" = "v1:" ] && ! db 'select * from registries' | grep -qF "$RPASS" && ok "password sealed at rest (${#sec} chars, v1:...)" || ko "sealed at rest" "$sec"
check "secret.key made with mode 600, 32 bytes" "$(stat -c '%a %s' "$T/data/secret.key" 2>/dev/null)" "600 32"
check "registry.put audited" "$(db "select count(*) from audit where action='registry.put' and target='https://$R'")" 1

regconf "$T/reg-notify.yml" 1
regconf "$T/reg-quiet.yml" 0
regstart "$T/reg-notify.yml" || { ko "registry started" "$(tail -3 "$T/registry.log")"; finish; }
# the first poll (the registry is new, so due at once) ran on an empty registry
for _ in $(seq 50); do [ "$(db "select count(*) from jobs where kind='registry.poll' and state in ('done','failed')")" -ge 1 ] && break; sleep 0.1; done
check "first poll of an empty registry done" "$(db "select state || ':' || coalesce(error,'') from jobs where kind='registry.poll' order by id limit 1")" "done:"

push() { # name repo:tag
	skopeo copy -q --dest-creds "$RUSER:$RPASS" --dest-cert-dir "$T/certs" --digestfile "$T/digest-$1" \
		"oci:$T/layout-$1:amd" "docker://$R/$2" >"$T/push.log" 2>&1 || { ko "push $2" "$(tail -2 "$T/push.log")"; return 1; }
}
# waits for the digest in GET /api/v1/images with components; prints the seconds since $2
appear() { # digest start-time timeout
	local end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		if [ "$(api "$V" "$U/api/v1/images?limit=1000" | jq -r --arg d "$1" '[.items[] | select(.digest == $d and .components > 0)] | length')" = 1 ]; then
			secs "$2" "$(now)"
			return 0
		fi
		sleep 0.1
	done
	return 1
}
img_ok() { # label digest repo:tag
	api "$V" "$U/api/v1/images/$2" >"$T/img.json"
	if jq -e --arg t "$R/$3" '.components > 0 and (.repo_tags | index($t) != null) and .registry != null and (.checks | length) > 0 and .findings.total > 0' "$T/img.json" >/dev/null &&
		api "$V" "$U/api/v1/findings?image=$2" | jq -e '[.items[].advisory] | index("PYSEC-2020-341") != null' >/dev/null; then
		ok "$1: SBOM ($(jq .components "$T/img.json") components), $(jq '.checks | length' "$T/img.json") checks, findings incl. PYSEC-2020-341"
	else ko "$1 content" "$(jq -c '{components, repo_tags, registry, checks: (.checks|length), findings}' "$T/img.json")"; fi
}
times=()
for n in one two; do
	push $n "bh/$n:1" || continue
	t0=$(now)
	d=$(cat "$T/digest-$n")
	if s=$(appear "$d" "$t0" 10); then
		times+=("$n=${s}s")
		[ "$(python3 -c "print(float('$s') <= 5.0)")" = True ] && ok "image $n ($d) indexed through the notification in ${s} s (<= 5 s)" \
			|| ko "image $n within 5 s" "took ${s} s"
		img_ok "image $n" "$d" "bh/$n:1"
	else ko "image $n appears" "not within 10 s; $(tail -3 "$T/serve.log")"; fi
done
D1=$(cat "$T/digest-one" 2>/dev/null)
ev=$(api "$V" "$U/api/v1/events?type=image.indexed" | jq -c --arg d "$D1" '[.items[] | select(.payload.digest == $d)][0].payload')
[ "$(echo "$ev" | jq -r '.repository + " " + .tag + " " + (.components > 0 | tostring) + " " + (.findings > 0 | tostring)')" = "bh/one 1 true true" ] \
	&& ok "image.indexed event: $ev" || ko "image.indexed event" "$ev"

# ---- the same digest under another tag: not indexed again, the tag is added
push one "bh/one:2"
for _ in $(seq 50); do
	[ "$(db "select count(*) from jobs where kind='registry.index' and state='queued' or state='running'")" = 0 ] && \
		[ "$(db "select count(*) from jobs where kind='registry.index' and payload like '%\"tag\":\"2\"%'")" -ge 1 ] && break
	sleep 0.1
done
sleep 1
check "second tag: one image.indexed event for the digest" "$(db "select count(*) from events where type='image.indexed' and payload like '%$D1%'")" 1
check "second tag: one registry.index audit row for the digest" "$(db "select count(*) from audit where action='registry.index' and target='$D1'")" 1
check "second tag: its index job done" "$(db "select state from jobs where kind='registry.index' and payload like '%\"tag\":\"2\"%' order by id desc limit 1")" done
api "$V" "$U/api/v1/images/$D1" | jq -e --arg t "$R/bh/one:2" '.repo_tags | index($t) != null' >/dev/null && ok "second tag added to repo_tags" || ko "repo_tags" "$(api "$V" "$U/api/v1/images/$D1" | jq -c .repo_tags)"

# ---- notifications off: a poll finds the image
regstop
regstart "$T/reg-quiet.yml" || { ko "registry restarted without notifications" "$(tail -3 "$T/registry.log")"; finish; }
push three "bh/three:1"
D3=$(cat "$T/digest-three")
sleep 2
check "without notifications the image is not there yet" "$(api "$V" "$U/api/v1/images?limit=1000" | jq -r --arg d "$D3" '[.items[] | select(.digest == $d)] | length')" 0
t0=$(now)
c=$(code "$O" -X POST "$U/api/v1/registries/poll?url=https://$R"); check "POST /api/v1/registries/poll as operator: 202" "$c" 202
if s=$(appear "$D3" "$t0" 20); then
	times+=("poll=${s}s")
	ok "poll found the image pushed while notifications were off (${s} s)"
	img_ok "polled image" "$D3" "bh/three:1"
else ko "poll" "$D3 not indexed; $(db "select state, error from jobs where kind='registry.poll' order by id desc limit 1") $(tail -3 "$T/serve.log")"; fi
check "poll indexed only the new digest (one event per digest)" \
	"$(db "select count(*) from events where type='image.indexed'"):$(db "select count(distinct target) from audit where action='registry.index'")" "3:3"

# ---- a wrong password: the job fails with a clear error, the server stays up
bad='{"url": "https://localhost:'$RPORT'", "username": "'$RUSER'", "password": "wrong", "ca_file": "'$T/ca.crt'"}'
c=$(code "$AD" -X POST -H 'Content-Type: application/json' -d "$bad" "$U/api/v1/registries"); check "second registry (wrong password) added" "$c" 201
for _ in $(seq 100); do
	[ "$(db "select count(*) from jobs where kind='registry.poll' and payload like '%localhost:$RPORT%' and state='failed'")" -ge 1 ] && break
	sleep 0.1
done
e=$(db "select error from jobs where kind='registry.poll' and payload like '%localhost:$RPORT%' and state='failed' limit 1")
echo "$e" | grep -q "refused the credentials of user \"$RUSER\"" && ok "wrong password: job failed with \"$e\"" || ko "wrong password job" "'$e'"
grep -qs "regwatch: job .* failed: .*refused the credentials" "$T/serve.log" "$T/serve2.log" && ok "wrong password: logged" || ko "wrong password log" "$(tail -3 "$T/serve.log")"
check "server up after the failed job (/healthz)" "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" 200

# ---- DELETE
c=$(code "$AD" -X DELETE "$U/api/v1/registries?url=https://localhost:$RPORT"); check "DELETE /api/v1/registries as admin: 200" "$c" 200
c=$(code "$AD" -X DELETE "$U/api/v1/registries?url=https://localhost:$RPORT"); check "DELETE again: 404" "$c" 404
check "registry.delete audited" "$(db "select count(*) from audit where action='registry.delete'")" 1
c=$(code "$O" -X POST "$U/api/v1/registries/poll?url=https://nowhere"); check "poll of an unknown registry: 404" "$c" 404

# ---- the routes of this module in docs/openapi.yaml are the ones exercised above
spec=$(python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(" ".join(sorted(m.upper() + " " + p for p, ops in d["paths"].items() if "/regist" in p for m in ops)))' "$SRC/docs/openapi.yaml" 2>&1)
check "docs/openapi.yaml lists the registry routes exercised here" "$spec" \
	"DELETE /api/v1/registries GET /api/v1/registries POST /api/v1/registries POST /api/v1/registries/poll POST /api/v1/registry/notifications"

# ---- SIGTERM: the worker is joined, the server stops cleanly
kill -TERM $SRV; wait $SRV; rc=$?; SRV=
check "serve exits 0 on SIGTERM with the worker running" "$rc" 0
grep -q "bulkhead serve: stopped" "$T/serve.log" && ok "serve said stopped" || ko "stopped line" "$(tail -2 "$T/serve.log")"
if [ -n "$SRV2" ]; then
	echo "jobs by worker: $(db "select locked_by || '=' || count(*) from jobs group by locked_by" | tr '\n' ' ')"
	kill -TERM $SRV2; wait $SRV2; rc=$?; SRV2=
	check "second server exits 0 on SIGTERM" "$rc" 0
fi
echo "regwatch timings ($STORE): ${times[*]}"
if [ "$STORE" = sqlite ] && [ -z "${BH_REGWATCH_NO_PG:-}" ]; then
	BH_REGWATCH_STORE=postgres bash "$0" >"$T/pg.out" 2>&1
	sed -e 's/^PASS /PASS postgres: /' -e 's/^FAIL /FAIL postgres: /' -e 's/^SKIP regwatch: /SKIP regwatch: /' \
		-e '/^regwatch: /d' -e 's/^regwatch timings/regwatch timings/' "$T/pg.out"
	pp=$(grep -c '^PASS ' "$T/pg.out"); pf=$(grep -c '^FAIL ' "$T/pg.out")
	pass=$((pass + pp)); fail=$((fail + pf))
	grep -q '^regwatch: ' "$T/pg.out" || ko "postgres run" "ended without its closing line: $(tail -2 "$T/pg.out")"
fi
finish
