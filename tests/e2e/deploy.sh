#!/usr/bin/env bash
# deploy: the operations files of the repository hold what docs/OPERATIONS.md says. deploy/Containerfile and
# deploy/k8s/*.yaml pass bulkhead's own checks (asserted on the JSON, with a broken copy of each to show the
# checks do look); the systemd units pass `systemd-analyze verify`; the image builds offline from a local
# Debian 12 base (podman build --network=none), runs as uid 10001 and its HEALTHCHECK passes; and the
# documented backup/restore works: an online backup of a running server (sqlite3 .backup; pg_dump -Fc),
# restored into a new store that a new server serves, with the image and the old token, and nothing written
# after the backup. SKIP lines say why a part cannot run here.
set -uo pipefail
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
SRC=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }

[ -x "$BH" ] || { echo "FAIL deploy: $BH not built"; echo "deploy: 0 passed, 1 failed"; exit 1; }
for t in curl jq; do
	command -v $t >/dev/null || { echo "SKIP deploy: $t is not installed"; echo "deploy: 0 passed, 0 failed (skipped)"; exit 0; }
done

T=$(mktemp -d /tmp/bh-deploy-e2e.XXXXXX)
chmod 711 "$T"
SRV='' PGDATA='' CTR='' IMG=''
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	[ -n "$CTR" ] && podman rm -f -t 0 "$CTR" >/dev/null 2>&1
	[ -n "$IMG" ] && podman rmi -f "$IMG" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# ---- deploy/Containerfile: `bulkhead scan` finds nothing; a copy without USER and HEALTHCHECK is caught
"$BH" scan -q -f json "$SRC/deploy/Containerfile" >"$T/df.json" 2>"$T/df.err"
check "Containerfile: scanned as a Dockerfile, no check at or above MEDIUM, no LOW either" \
	"$(jq -r '[.target.kind, ([.checks[] | select(.severity != "LOW" and .severity != "UNKNOWN")] | length), ([.checks[] | select(.severity == "LOW")] | length)] | join(" ")' "$T/df.json")" \
	"dockerfile 0 0"
grep -v -e '^USER ' -e '^HEALTHCHECK' -e '^  CMD curl' "$SRC/deploy/Containerfile" >"$T/Containerfile.bad"
check "Containerfile without USER and HEALTHCHECK: BH-DF-001 and BH-DF-003 (the check reads the file)" \
	"$("$BH" scan -q -f json "$T/Containerfile.bad" | jq -r '[.checks[].rule] | sort | join(",")')" "BH-DF-001,BH-DF-003"
check "Containerfile: non-root USER, HEALTHCHECK on /healthz, EXPOSE 8470, VOLUME /data, the documented ENTRYPOINT" \
	"$(grep -c -e '^USER 10001:10001$' -e '^EXPOSE 8470$' -e '^VOLUME /data$' -e 'http://127.0.0.1:8470/healthz' \
		-e '^ENTRYPOINT \["/usr/local/bin/bulkhead", "serve", "--listen", "0.0.0.0:8470", "--data", "/data"\]$' "$SRC/deploy/Containerfile")" 5

# ---- deploy/k8s: Pod Security Standards and the k8s rules
"$BH" scan -q --compliance k8s-pss -f json "$SRC"/deploy/k8s/*.yaml >"$T/pss.json" 2>"$T/pss.err"
srv="$SRC/deploy/k8s/server.yaml" agt="$SRC/deploy/k8s/agent.yaml"
check "k8s-pss: server.yaml passes every baseline and restricted control" \
	"$(jq -r --arg t "$srv" '[.controls[] | select(.target == $t)] | [([.[] | select(.profile == "baseline" and .status == "pass")] | length), ([.[] | select(.profile == "restricted" and .status == "pass")] | length), ([.[] | select(.status != "pass")] | length)] | join(" ")' "$T/pss.json")" \
	"$(jq -r --arg t "$srv" '[.controls[] | select(.target == $t)] | [([.[] | select(.profile == "baseline")] | length), ([.[] | select(.profile == "restricted")] | length), 0] | join(" ")' "$T/pss.json")"
check "k8s-pss: server.yaml was evaluated (a pod template found: controls pass on it, not n/a)" \
	"$(jq -r --arg t "$srv" '[.controls[] | select(.target == $t and .status == "pass")] | length > 20' "$T/pss.json")" true
check "k8s-pss: agent.yaml fails only BH-K8S-005 (the engine socket hostPath), in baseline and restricted" \
	"$(jq -r --arg t "$agt" '[.controls[] | select(.target == $t and .status != "pass") | .profile + ":" + .id + ":" + .status] | sort | join(",")' "$T/pss.json")" \
	"baseline:BH-K8S-005:fail,restricted:BH-K8S-005:fail"
"$BH" scan -q -f json "$srv" >"$T/k8s-server.json"
"$BH" scan -q -f json "$agt" >"$T/k8s-agent.json"
check "bulkhead scan server.yaml: kubernetes, no findings" "$(jq -r '[.target.kind, (.checks | length)] | join(" ")' "$T/k8s-server.json")" "kubernetes 0"
check "bulkhead scan agent.yaml: the one accepted finding, on the docker.sock volume" \
	"$(jq -r '[.checks[] | .rule + " " + .detail] | join(",")' "$T/k8s-agent.json")" \
	"BH-K8S-005 DaemonSet/bulkhead-agent/bulkhead-agent: spec.template.spec.volumes[0].hostPath=/var/run/docker.sock"
undoc=
for r in $(jq -r '.checks[].rule' "$T/k8s-agent.json") $(jq -r --arg t "$agt" '.controls[] | select(.target == $t and .status != "pass") | .id' "$T/pss.json"); do
	grep -q "ACCEPTED: $r" "$agt" && grep -q "^#   $r " "$agt" || undoc="$undoc $r"
done
check "agent.yaml: every accepted finding is documented in a YAML comment (header and at the volume)" "$undoc" ""
"$BH" scan -q -f json --show-suppressed --ignore-file "$SRC/deploy/k8s/agent.bulkheadignore" "$agt" >"$T/k8s-agent-ig.json"; rc=$?
check "bulkhead scan --ignore-file deploy/k8s/agent.bulkheadignore agent.yaml: exit 0, no findings, the accepted one suppressed with its reason" \
	"$rc $(jq -r '[(.checks | length), (.suppressed // [] | map(.id) | join(","))] | join(" ")' "$T/k8s-agent-ig.json")" "0 0 BH-K8S-005"
sed -e '/runAsNonRoot: true/d' -e 's/drop: \[ALL\]/drop: [NET_RAW]/' "$srv" >"$T/server-bad.yaml"
check "a copy of server.yaml without runAsNonRoot and drop ALL fails restricted BH-K8S-014 and -017 (the check reads the file)" \
	"$("$BH" scan -q --compliance k8s-pss -f json "$T/server-bad.yaml" | jq -r '[.controls[] | select(.status == "fail") | .id] | unique | join(",")')" "BH-K8S-014,BH-K8S-017"

# ---- systemd units
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP deploy/systemd: systemd-analyze is not installed"
else
	# verify wants ExecStart to exist: the units' /usr/local/bin/bulkhead becomes this build's binary
	for u in bulkhead-server bulkhead-agent; do sed "s|/usr/local/bin/bulkhead|$BH|" "$SRC/deploy/$u.service" >"$T/$u.service"; done
	(cd "$T" && systemd-analyze verify ./bulkhead-server.service ./bulkhead-agent.service) >"$T/verify.log" 2>&1
	check "systemd-analyze verify of both units: exit 0, no message" "$?:$(head -c 300 "$T/verify.log")" "0:"
	printf '[Service]\nExecStart=%s serve\nNoSuchKey=1\n' "$BH" >"$T/bad.service"
	(cd "$T" && systemd-analyze verify ./bad.service) >"$T/verify-bad.log" 2>&1
	check "systemd-analyze verify reports a unit with an unknown key (the check looks)" "$(grep -c "Unknown key 'NoSuchKey'" "$T/verify-bad.log")" 1
	for u in bulkhead-server bulkhead-agent; do
		e=$(cd "$T" && systemd-analyze security --offline=true "./$u.service" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		if [ -z "$e" ]; then echo "SKIP deploy/systemd: systemd-analyze security --offline needs systemd 250 or later"; break; fi
		check "$u: systemd-analyze security exposure $e is at most 2.0" "$(awk -v e="$e" 'BEGIN {print (e <= 2.0) ? "yes" : "no"}')" yes
	done
	grep -q '^ExecStart=/usr/local/bin/bulkhead serve --data /var/lib/bulkhead ' "$SRC/deploy/bulkhead-server.service" &&
		grep -q '^StateDirectory=bulkhead$' "$SRC/deploy/bulkhead-server.service" && grep -q '^CapabilityBoundingSet=$' "$SRC/deploy/bulkhead-server.service"
	check "server unit: serve --data /var/lib/bulkhead, StateDirectory=bulkhead, empty CapabilityBoundingSet" "$?" 0
fi

# ---- the image: built offline from a local Debian 12 base, run, health-checked
BASE=${BH_DEPLOY_BASE:-localhost/bh-deploy-base:bookworm}
why=
command -v podman >/dev/null || why="podman is not installed"
[ "${BH_DEPLOY_IMAGE:-1}" = 0 ] && why="BH_DEPLOY_IMAGE=0 (the image build takes about half a minute on 2 cores; the sanitizer pass of make test skips it, the plain pass builds it)"
export CONTAINERS_CONF=${CONTAINERS_CONF:-/work/shared/testbed/containers.conf}
# the Containerfile's packages (name=series pins of its apt-get install lines)
pk=$(sed -n '/apt-get install/,/rm -rf \/var\/lib\/apt/p' "$SRC/deploy/Containerfile" | tr ' \\' '\n\n' | sed -n 's/^\([a-z0-9][a-z0-9.+-]*\)=.*/\1/p' | sort -u | paste -sd, -)
if [ -z "$why" ] && podman image exists "$BASE" 2>/dev/null && [ -z "${BH_DEPLOY_BASE:-}" ] &&
	! podman run --rm --network=none "$BASE" dpkg-query -W ${pk//,/ } >/dev/null 2>&1; then
	echo "deploy: $BASE lacks packages the Containerfile now installs: made again"
	podman rmi -f "$BASE" >/dev/null 2>&1
fi
if [ -z "$why" ] && ! podman image exists "$BASE" 2>/dev/null; then
	# Debian 12 with the Containerfile's packages preinstalled and no apt sources: its `apt-get update` then
	# fetches nothing and `apt-get install pkg=series.*` finds each package installed at a matching version
	if ! command -v debootstrap >/dev/null; then
		why="no base image $BASE and no debootstrap to make one (or set BH_DEPLOY_BASE to a Debian 12 image with the packages)"
	else
		echo "deploy: making $BASE with debootstrap (once; about a minute): $pk"
		if debootstrap --variant=minbase --include="$pk" bookworm "$T/root" "${BH_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$T/debootstrap.log" 2>&1; then
			rm -rf "$T/root/etc/apt/sources.list.d"/* "$T/root/var/cache/apt/archives"/*.deb
			: >"$T/root/etc/apt/sources.list"
			tar -C "$T/root" -cf "$T/rootfs.tar" . && podman import --change 'CMD ["/bin/bash"]' "$T/rootfs.tar" "$BASE" >/dev/null 2>&1 ||
				why="podman import of the debootstrap root failed"
			rm -rf "$T/root" "$T/rootfs.tar"
		else
			why="debootstrap failed (no Debian mirror?): $(tail -1 "$T/debootstrap.log")"
		fi
	fi
fi
if [ -n "$why" ]; then
	echo "SKIP deploy/image: $why"
else
	IMG=localhost/bh-deploy-e2e:$$
	t0=$(date +%s)
	if podman build --layers=false --format docker --network=none -f "$SRC/deploy/Containerfile" --build-arg BASE="$BASE" --build-arg JOBS="$(nproc)" \
		-t "$IMG" "$SRC" >"$T/build.log" 2>&1; then
		ok "podman build --network=none of deploy/Containerfile from $BASE ($(($(date +%s) - t0)) s)"
		check "image config: user, entrypoint, port, volume, healthcheck" \
			"$(podman image inspect "$IMG" | jq -c '.[0] | [.Config.User, .Config.Entrypoint, (.Config.ExposedPorts | keys), (.Config.Volumes | keys), ((.Healthcheck // .Config.Healthcheck).Test | join(" ") | test("/healthz"))]')" \
			'["10001:10001",["/usr/local/bin/bulkhead","serve","--listen","0.0.0.0:8470","--data","/data"],["8470/tcp"],["/data"],true]'
		check "the binary built in the image is this tree's version" "$(podman run --rm --network=none --entrypoint /usr/local/bin/bulkhead "$IMG" --version 2>/dev/null)" "$("$BH" --version)"
		CTR=$(podman --runtime runc run -d --network=none "$IMG" 2>"$T/run.err")
		if [ -z "$CTR" ]; then
			ko "podman run of the image" "$(tail -1 "$T/run.err")"
		else
			for _i in $(seq 50); do podman logs "$CTR" 2>&1 | grep -q 'listening on' && break; sleep 0.1; done
			podman healthcheck run "$CTR" >/dev/null 2>&1
			check "the container's HEALTHCHECK passes (podman healthcheck run)" "$?" 0
			check "serve runs as uid 10001 in the container" "$(podman exec "$CTR" id -u)" 10001
			tok=$(podman exec "$CTR" bulkhead token create --data /data --role viewer --name e2e 2>/dev/null)
			check "a token made in the container reads /api/v1/images (empty store)" \
				"$(podman exec "$CTR" curl -s -H "Authorization: Bearer $tok" http://127.0.0.1:8470/api/v1/images | jq -c .items)" "[]"
			check "the store is in the /data volume" "$(podman exec "$CTR" ls /data | grep -c '^bulkhead.db')" 3
			podman exec "$CTR" sqlite3 /data/bulkhead.db ".backup /data/backup.db" 2>"$T/exec.err"
			check "online backup inside the container (sqlite3 .backup): the token is in the copy" \
				"$(podman exec "$CTR" sqlite3 /data/backup.db "SELECT name FROM tokens")" e2e
			podman stop -t 10 "$CTR" >/dev/null 2>&1
			check "podman stop: serve stopped gracefully" "$(podman logs "$CTR" 2>&1 | grep -v '^time=' | tail -1)" "bulkhead serve: stopped"
		fi
	else
		ko "podman build of deploy/Containerfile" "$(grep -v '^cc ' "$T/build.log" | tail -3)"
	fi
fi

# ---- backup and restore, as docs/OPERATIONS.md says, with a running server
# start_serve LABEL STORE-OPTIONS...: sets SRV and U; the port comes from the "listening on" line
start_serve() {
	local label=$1 port='' _i; shift
	: >"$T/serve-$label.log"
	"$BH" serve "$@" --listen 127.0.0.1:0 -q 2>"$T/serve-$label.log" &
	SRV=$!
	for _i in $(seq 100); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/serve-$label.log")
		[ -n "$port" ] && break
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then ko "$label: serve started" "$(tail -2 "$T/serve-$label.log")"; wait $SRV 2>/dev/null; SRV=; return 1; fi
	U=http://127.0.0.1:$port
}
stop_serve() { kill -TERM "$SRV"; wait "$SRV"; local rc=$?; SRV=; return $rc; }
post() { curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $1" --data-binary @"$T/sbom.json" "$U/api/v1/images?digest=$2"; }
images() { local c; c=$(curl -s -o "$T/imgs" -w '%{http_code}' -H "Authorization: Bearer $1" "$U/api/v1/images"); echo "$c $(jq -r '[.items[].digest] | sort | join(",")' "$T/imgs" 2>/dev/null)"; }
ncomp() { curl -s -H "Authorization: Bearer $1" "$U/api/v1/images/$2/components?limit=1000" | jq '.items | length'; }

"$BH" sbom -q -f json dir:"$SRC/tests/fixtures/sbom/rootfs" >"$T/sbom.json" || ko "input" "bulkhead sbom of tests/fixtures/sbom/rootfs failed"
NCOMP=$(jq '.components | length' "$T/sbom.json")
D1=sha256:$(printf 'a%.0s' $(seq 64))
D2=sha256:$(printf 'b%.0s' $(seq 64))
D3=sha256:$(printf 'c%.0s' $(seq 64))

# restore_checks LABEL VIEWER-TOKEN OPERATOR-TOKEN: the restored server has D1 (before the backup), not D2 (after)
restore_checks() {
	local label=$1 v=$2 o=$3
	check "$label: restored server: GET /api/v1/images with the old viewer token shows the image from before the backup only" \
		"$(images "$v")" "200 $D1"
	check "$label: its $NCOMP components are back" "$(ncomp "$v" "$D1")" "$NCOMP"
	check "$label: the old operator token writes to the restored store (ids continue after the restore)" "$(post "$o" "$D3") $(images "$v")" "201 200 $D1,$D3"
	check "$label: a wrong token is still refused" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer bht_0' "$U/api/v1/images")" 401
}

if ! command -v sqlite3 >/dev/null; then
	echo "SKIP deploy/sqlite-backup: the sqlite3 CLI is not installed (Debian package sqlite3)"
elif start_serve sqlite --data "$T/live"; then
	V=$("$BH" token create --data "$T/live" --role viewer --name backup-v 2>/dev/null)
	O=$("$BH" token create --data "$T/live" --role operator --name backup-o 2>/dev/null)
	check "sqlite: SBOM stored in the running server" "$(post "$O" "$D1") $(images "$V")" "201 200 $D1"
	# online backup while serve runs and holds the database open (WAL mode): the documented command
	sqlite3 "$T/live/bulkhead.db" ".backup '$T/backup.db'"
	check "sqlite: sqlite3 .backup while serve runs: exit 0, integrity ok" "$?:$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check')" "0:ok"
	sqlite3 "$T/live/bulkhead.db" "VACUUM INTO '$T/vacuum.db'"
	check "sqlite: VACUUM INTO while serve runs gives the same tokens and images" \
		"$(sqlite3 "$T/vacuum.db" 'SELECT count(*) FROM tokens; SELECT digest FROM images' | tr '\n' ' ')" "2 $D1 "
	check "sqlite: a write after the backup" "$(post "$O" "$D2")" 201
	stop_serve
	check "sqlite: serve stopped with exit 0" "$?" 0
	mkdir -m 0700 "$T/restored" && cp "$T/backup.db" "$T/restored/bulkhead.db"
	if start_serve sqlite-restored --data "$T/restored"; then
		restore_checks sqlite "$V" "$O"
		stop_serve
	fi
	# upgrade safety: a store written by a newer binary (a higher schema version) is refused, unchanged
	cp "$T/backup.db" "$T/future.db" && mkdir -m 0700 "$T/future" && mv "$T/future.db" "$T/future/bulkhead.db"
	sqlite3 "$T/future/bulkhead.db" "INSERT INTO schema_version(version, applied_at, by_binary) VALUES (999, 0, 'future')"
	"$BH" serve --data "$T/future" --listen 127.0.0.1:0 -q >/dev/null 2>"$T/future.log" &
	fp=$!
	( sleep 10; kill $fp 2>/dev/null ) &
	dog=$!
	wait $fp; rc=$?
	kill $dog 2>/dev/null; wait $dog 2>/dev/null
	check "sqlite: a store newer than the binary is refused at start (exit != 0, says so)" \
		"$([ $rc != 0 ] && echo refused) $(grep -c 'store schema version 999 is newer than this' "$T/future.log")" "refused 1"
fi

# ---- PostgreSQL: pg_dump -Fc of the running server's database, pg_restore into a new one
why=
[ -x "$PGBIN/initdb" ] || why="no $PGBIN/initdb (Debian package postgresql; or set BH_PG_BINDIR)"
for t in pg_dump pg_restore createdb; do [ -z "$why" ] && ! [ -x "$PGBIN/$t" ] && why="no $PGBIN/$t"; done
PGPORT_E2E=${BH_DEPLOY_PGPORT:-5496}
[ -z "$why" ] && ! pg_start "$T/pg" "$PGPORT_E2E" && why=$pg_why
if [ -n "$why" ]; then
	echo "SKIP deploy/postgres-backup: $why"
else
	CONN="host=$T/pg port=$PGPORT_E2E user=postgres"
	pgrun "$PGBIN/createdb" -h "$T/pg" -p "$PGPORT_E2E" -U postgres bulkhead
	if start_serve postgres --store "$CONN dbname=bulkhead"; then
		V=$("$BH" token create --store "$CONN dbname=bulkhead" --role viewer --name backup-v 2>/dev/null)
		O=$("$BH" token create --store "$CONN dbname=bulkhead" --role operator --name backup-o 2>/dev/null)
		check "postgres: SBOM stored in the running server" "$(post "$O" "$D1") $(images "$V")" "201 200 $D1"
		"$PGBIN/pg_dump" -Fc -f "$T/bulkhead.dump" "$CONN dbname=bulkhead" 2>"$T/pg_dump.err"
		check "postgres: pg_dump -Fc while serve runs: exit 0, a custom-format archive" "$?:$(head -c 5 "$T/bulkhead.dump")" "0:PGDMP"
		check "postgres: a write after the dump" "$(post "$O" "$D2")" 201
		stop_serve
		check "postgres: serve stopped with exit 0" "$?" 0
		pgrun "$PGBIN/createdb" -h "$T/pg" -p "$PGPORT_E2E" -U postgres bulkhead_restored
		"$PGBIN/pg_restore" --no-owner -d "$CONN dbname=bulkhead_restored" "$T/bulkhead.dump" 2>"$T/pg_restore.err"
		check "postgres: pg_restore into a new database: exit 0, no message" "$?:$(head -c 300 "$T/pg_restore.err")" "0:"
		if start_serve postgres-restored --store "$CONN dbname=bulkhead_restored"; then
			restore_checks postgres "$V" "$O"
			stop_serve
		fi
	fi
fi

echo "deploy: $pass passed, $fail failed"
[ "$fail" = 0 ]
