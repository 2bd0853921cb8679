#!/usr/bin/env bash
# reeval: continuous re-evaluation at fleet size (issue #15). 10,000 stored image SBOMs built from this
# machine's real package lists (dpkg, the Go modules of its Go binaries, its Python site-packages, the
# test fixtures' Debian and Alpine systems), then a DB update that adds the PyPA and Go advisories:
# the changed findings are computed and emitted once; the same update again emits nothing; "which
# running images are affected by advisory X" is timed; incremental results are compared with a full
# match. SQLite, then PostgreSQL 15 in a temp dir (STORE=sqlite|postgres|both, default both).
#   IMAGES=10000 CONTAINERS=1000 CHECK=30 bash bench/reeval.sh     (KEEP=1 keeps the temp dir: lists, DBs, store)
set -euo pipefail
BUILD=${BUILD:-build}
SRC=$(pwd)
BH="$SRC/$BUILD/bulkhead"
DATA=${BH_SHARED_DATA:-$SRC/../shared/data}
IMAGES=${IMAGES:-10000}
CONTAINERS=${CONTAINERS:-1000}
CHECK=${CHECK:-30}
STORE=${STORE:-both}
make -s BUILD="$BUILD" all bench-tools >/dev/null
for t in jq; do command -v $t >/dev/null || { echo "reeval: $t is needed" >&2; exit 1; }; done

T=$(mktemp -d /tmp/bh-reeval.XXXXXX)
chmod 711 "$T"
PGDATA=
cleanup() {
	[ -n "$PGDATA" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	if [ -n "${KEEP:-}" ]; then echo "kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# ---- the package lists: real systems, cut into image-sized pieces
"$BH" sbom -q -f json dir:/ 2>/dev/null | jq 'del(.components[] | select(.path != null and (.path | startswith("/tmp/"))))' >"$T/root.json"
jq '.components |= map(select(.ecosystem == "deb"))' "$T/root.json" >"$T/list-debian.json"
# a Debian base (the first 120 packages) under each application
jq '[.components[] | select(.ecosystem == "deb")][0:120]' "$T/root.json" >"$T/base.json"
n=0
for p in $(jq -r '[.components[] | select(.ecosystem == "golang") | .path] | group_by(.) | map(select(length >= 20)) | sort_by(-length) | .[0:8][] | .[0]' "$T/root.json"); do
	jq --arg p "$p" --slurpfile b "$T/base.json" '.components = ($b[0] + [.components[] | select(.ecosystem == "golang" and .path == $p)])' "$T/root.json" >"$T/list-go$n.json"
	n=$((n + 1))
done
jq --slurpfile b "$T/base.json" '.components = ($b[0] + [.components[] | select(.ecosystem == "pypi" and (.path | test("site-packages|dist-packages")))])' "$T/root.json" >"$T/list-python.json"
"$BH" sbom -q -f json dir:"$SRC/tests/fixtures/sbom/rootfs" >"$T/list-fixture-debian.json"
mkdir -p "$T/alpine/lib/apk/db" "$T/alpine/etc"
cp "$SRC/tests/fixtures/apk/installed" "$T/alpine/lib/apk/db/installed"
echo 3.11.6 >"$T/alpine/etc/alpine-release"
printf 'ID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME="Alpine Linux v3.11"\n' >"$T/alpine/etc/os-release"
"$BH" sbom -q -f json dir:"$T/alpine" >"$T/list-alpine.json"
echo "package lists:"
for f in "$T"/list-*.json; do printf '  %-22s %5d components\n' "$(basename "$f" .json)" "$(jq '.components | length' "$f")"; done

# ---- the DBs: before (Debian, Alpine, RustSec, KEV) and after the update (+ PyPA and Go)
"$BH" db import -q --db "$T/base.db" "$DATA/debian-security-tracker" "$DATA/alpine-secdb" "$DATA/rustsec-advisory-db" "$DATA/kev"
sleep 1 # the DB version is its build time (seconds)
"$BH" db import -q --db "$T/new.db" "$DATA/debian-security-tracker" "$DATA/alpine-secdb" "$DATA/rustsec-advisory-db" "$DATA/kev" \
	"$DATA/pypa-advisory-database" "$DATA/golang-vulndb"

run() {
	echo
	echo "== store: $1 ($(date -u +%Y-%m-%d), $(nproc) cores)"
	/usr/bin/time -f "bench process: %e s wall, max RSS %M KB" "$SRC/$BUILD/bench/reeval" --store "$2" --base-db "$T/base.db" \
		--new-db "$T/new.db" --images "$IMAGES" --containers "$CONTAINERS" --check "$CHECK" "$T"/list-*.json
}

if [ "$STORE" = sqlite ] || [ "$STORE" = both ]; then
	run sqlite "$T/sqlite"
fi
if [ "$STORE" = postgres ] || [ "$STORE" = both ]; then
	PGBIN=/usr/lib/postgresql/15/bin
	if [ -x "$PGBIN/initdb" ] && id postgres >/dev/null 2>&1; then
		mkdir -p "$T/pg" && chown postgres "$T/pg"
		PGDATA="$T/pg/data"
		runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$T/pg/log" -w \
			-o "-p 54329 -k $T/pg -c listen_addresses='' -c shared_buffers=256MB" start >/dev/null
		run postgres "host=$T/pg port=54329 user=postgres dbname=postgres"
	else
		echo "SKIP postgres: no PostgreSQL 15 server (apt-get install postgresql)"
	fi
fi
