#!/usr/bin/env bash
# Trivy habits on the command line (issue 14): --skip-dirs/--skip-files on a directory walk and on image
# layers, the root .bulkheadignore, --show-suppressed, --pkg-types, --timeout, --list-all-pkgs, the image/fs/rootfs
# aliases, "did you mean", missing TARGET, engine errors naming each socket, and exit 7 without a DB.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP $1"; }
grepq() { grep "$@" >/dev/null; }

# A tree with packages of three ecosystems, a vulnerable Python package and a planted AWS key pair.
R=$T/root
mkdir -p "$R/app/node_modules/lodash" "$R/vendor/py/six-1.16.0.dist-info" "$R/srv/venv/jw.util-2.0.dist-info" \
	"$R/opt/keys" "$R/var/lib/dpkg" "$R/etc"
printf '{"name":"lodash","version":"4.17.15"}' >"$R/app/node_modules/lodash/package.json"
printf 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n' >"$R/vendor/py/six-1.16.0.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: jw.util\nVersion: 2.0\n' >"$R/srv/venv/jw.util-2.0.dist-info/METADATA"
printf 'requests==2.19.0\n' >"$R/srv/requirements.txt"
printf 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\nPackage: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.13p3-1+deb12u1\n\n' >"$R/var/lib/dpkg/status"
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' >"$R/etc/os-release"
printf 'aws_access_key_id = AKIAZ7Q3K4L5M6N7P8Q2\naws_secret_access_key = Zb8qY3nR5tW1xV7uK2mJ9hG4fD6sA0pL3eC8iO5n\n' >"$R/opt/keys/creds.ini"
"$BH" db import --db "$T/v.db" tests/fixtures/vuln/osv-pypa >/dev/null 2>&1 || ko "db import" "osv-pypa fixture"

names() { jq -r '[.components[] | .name] | sort | join(",")'; }
all=$("$BH" sbom -q -f json "dir:$R" | names)
[ "$all" = "bash,jw.util,lodash,requests,six,sudo,zlib1g" ] && ok "dir: without skips lists all 7 packages" || ko "dir: all" "$all"

# --skip-dirs / --skip-files on the directory walk: relative, `**`, absolute, repeatable and comma-separated
got=$("$BH" sbom -q -f json --skip-dirs '**/node_modules' --skip-files srv/requirements.txt "dir:$R" | names)
[ "$got" = "bash,jw.util,six,sudo,zlib1g" ] && ok "--skip-dirs '**/node_modules' --skip-files srv/requirements.txt" || ko "dir skips" "$got"
got=$("$BH" sbom -q -f json --skip-dirs "$R/vendor" "dir:$R" | names)
[ "$got" = "bash,jw.util,lodash,requests,sudo,zlib1g" ] && ok "--skip-dirs with an absolute path under the scanned root" || ko "abs skip" "$got"
got=$("$BH" sbom -q -f json --skip-dirs vendor,app --skip-dirs srv "dir:$R" | names)
[ "$got" = "bash,sudo,zlib1g" ] && ok "--skip-dirs repeatable and comma-separated" || ko "skip list" "$got"
got=$("$BH" sbom -q -f json --skip-files '**/METADATA,*.txt' "dir:$R" | names)
[ "$got" = "bash,lodash,requests,sudo,zlib1g" ] && ok "--skip-files '**/METADATA' (and *.txt stays at the root)" || ko "skip-files glob" "$got"
# never descended: a tree deeper than the walk's 128-level bound warns, unless skipped before it
deep="$R/app/cache"; for i in $(seq 1 135); do deep="$deep/d"; done; mkdir -p "$deep"
"$BH" sbom -f json "dir:$R" 2>"$T/e1" >/dev/null
"$BH" sbom -f json --skip-dirs app/cache "dir:$R" 2>"$T/e2" >/dev/null
grepq "deeper than 128 directories" "$T/e1" && ! grepq "deeper" "$T/e2" && ok "a skipped directory is not descended into" || ko "not descended" "$(head -c 300 "$T/e1") / $(head -c 300 "$T/e2")"
rm -rf "$R/app/cache"
got=$(cd "$T" && "$BH" sbom -q -f json --skip-dirs ./root/vendor,./root/../root/app "dir:root" | names)
[ "$got" = "bash,jw.util,requests,sudo,zlib1g" ] && ok "--skip-dirs ./root/vendor from the working directory (Trivy's cwd-relative form)" || ko "cwd-relative skip" "$got"
n=$("$BH" scan --db "$T/v.db" -q --scanners secret -f json "dir:$R" | jq '[.checks[] | select(.rule | startswith("BH-SECRET"))] | length')
n2=$("$BH" scan --db "$T/v.db" -q --scanners secret -f json --skip-dirs opt/keys "dir:$R" | jq '[.checks[] | select(.rule | startswith("BH-SECRET"))] | length')
[ "$n" = 2 ] && [ "$n2" = 0 ] && ok "secrets: 2 in the walk, none in a skipped dir" || ko "dir secrets skip" "$n / $n2"

# The same tree as a one-layer image: skipped entries are neither analyzed nor checked
img=localhost/bh-e2e-cli:1
if tar -C "$R" -cf "$T/root.tar" . && podman import -q "$T/root.tar" "$img" >/dev/null 2>&1 &&
	skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>/dev/null; then
	podman rmi -f "$img" >/dev/null 2>&1
	a=$("$BH" scan --db "$T/v.db" -q --scanners vuln,secret -f json "$T/img.tar" | jq -c '[([.checks[].rule] | length), ([.findings[].id] | join(",")), (.sbom.components | length)]')
	b=$("$BH" scan --db "$T/v.db" -q --scanners vuln,secret -f json --skip-dirs /opt/keys --skip-files '**/METADATA' "$T/img.tar" |
		jq -c '[([.checks[].rule] | length), ([.findings[].id] | join(",")), (.sbom.components | length)]')
	[ "$a" = '[2,"PYSEC-2020-341",7]' ] && [ "$b" = '[0,"",5]' ] && ok "image layers: --skip-dirs /opt/keys drops the secrets, --skip-files '**/METADATA' the Python packages" \
		|| ko "image skips" "$a / $b"
	got=$("$BH" sbom -q -f json --skip-dirs '**/node_modules,vendor' "$T/img.tar" | names)
	[ "$got" = "bash,jw.util,requests,sudo,zlib1g" ] && ok "image layers: sbom --skip-dirs" || ko "image sbom skip" "$got"
	# image: alias
	c=$("$BH" image --db "$T/v.db" -q --scanners vuln,secret -f json "$T/img.tar" | jq -c '[([.checks[].rule] | length), ([.findings[].id] | join(",")), (.sbom.components | length)]')
	[ "$c" = "$a" ] && ok "bulkhead image X = bulkhead scan X" || ko "image alias" "$c / $a"
else
	skip "image layer skips: podman import or skopeo failed (CONTAINERS_CONF=$CONTAINERS_CONF)"
fi

# fs / rootfs aliases: scan dir:PATH (the default scanners of dir:, the same result)
s=$("$BH" scan --db "$T/v.db" -q -f json "dir:$R" | jq -c '[.target, [.findings[].id]]')
f=$("$BH" fs --db "$T/v.db" -q -f json "$R" | jq -c '[.target, [.findings[].id]]')
r=$("$BH" rootfs --db "$T/v.db" -q -f json "$R" | jq -c '[.target, [.findings[].id]]')
[ -n "$s" ] && [ "$s" = "$f" ] && [ "$s" = "$r" ] && grepq PYSEC-2020-341 <<<"$s" && ok "fs PATH and rootfs PATH = scan dir:PATH" || ko "fs alias" "$s / $f / $r"

# --pkg-types
for p in "os:deb" "library:npm,pypi" "os,library:deb,npm,pypi"; do
	got=$("$BH" sbom -q -f json --pkg-types "${p%%:*}" "dir:$R" | jq -r '[.components[] | .ecosystem] | unique | join(",")')
	[ "$got" = "${p#*:}" ] && ok "--pkg-types ${p%%:*}: $got" || ko "--pkg-types ${p%%:*}" "$got"
done
n=$("$BH" scan --db "$T/v.db" -q -f json --pkg-types os "dir:$R" | jq -c '[(.findings | length), (.sbom.components | length)]')
[ "$n" = "[0,3]" ] && ok "scan --pkg-types os: Python packages neither matched nor listed" || ko "scan pkg-types" "$n"
if [ -f "$T/img.tar" ]; then
	j=$("$BH" scan -q -f json --scanners config --pkg-types library "$T/img.tar" | jq -c '[([.checks[].rule] | index("BH-IMG-013") != null), ([.sbom.components[].name] | index("sudo"))]')
	[ "$j" = "[true,null]" ] && ok "--pkg-types library: sudo not listed, its image check (BH-IMG-013) still reported" || ko "pkg-types checks" "$j"
fi
"$BH" sbom -q --pkg-types os,lib "dir:$R" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq -- "--pkg-types" "$T/e" && ok "--pkg-types os,lib: exit 2 naming the option" || ko "bad pkg-types" "rc=$rc"

# .bulkheadignore at the scanned root, --show-suppressed
printf 'PYSEC-2020-341 # not reachable in this service\n' >"$R/.bulkheadignore"
"$BH" scan --db "$T/v.db" -v -f json "dir:$R" >"$T/j" 2>"$T/e"
[ "$(jq '.findings | length' "$T/j")" = 0 ] && grepq "reading $R/.bulkheadignore" "$T/e" && grepq "as with --ignore-file" "$T/e" \
	&& ok ".bulkheadignore at the root of dir: applied, said with -v" || ko ".bulkheadignore" "$(jq -c '[.findings[].id]' "$T/j") $(head -3 "$T/e")"
"$BH" scan --db "$T/v.db" -f json "dir:$R" 2>"$T/e" >/dev/null; ! grepq "reading" "$T/e" && ok ".bulkheadignore: nothing said without -v" || ko "quiet ignore" "$(cat "$T/e")"
j=$("$BH" scan --db "$T/v.db" -q -f json --show-suppressed "$R" | jq -c '[.summary.findings, (.suppressed | length), .suppressed[0].id, .suppressed[0].reason, .suppressed[0].package]')
[ "$j" = '[0,1,"PYSEC-2020-341","not reachable in this service","jw.util"]' ] && ok "--show-suppressed JSON: listed with its reason, not counted" || ko "show-suppressed json" "$j"
"$BH" scan --db "$T/v.db" -q --show-suppressed "$R" >"$T/t"
grepq "^Found:   0 vulnerabilities" "$T/t" && grepq "^Suppressed: 1 (not counted)" "$T/t" && grepq "PYSEC-2020-341.*jw.util 2.0.*not reachable in this service" "$T/t" \
	&& ok "--show-suppressed table: a Suppressed section, Found 0" || ko "show-suppressed table" "$(cat "$T/t")"
j=$("$BH" scan --db "$T/v.db" -q -f json "$R" | jq -c 'has("suppressed")')
[ "$j" = false ] && ok "without --show-suppressed: no suppressed list" || ko "no suppressed" "$j"
printf 'BH-SECRET-aws-access-key-id # a test key\n' >"$R/.bulkheadignore"
j=$("$BH" scan --db "$T/v.db" -q -f json --scanners secret --show-suppressed "$R" | jq -c '[(.checks | length), .summary.checks, ([.suppressed[] | [.type, .id, .path, .reason]])]')
[ "$j" = '[1,1,[["check","BH-SECRET-aws-access-key-id","/opt/keys/creds.ini","a test key"]]]' ] && ok "--show-suppressed: a check suppressed by rule id, with path and reason" || ko "suppressed check" "$j"
rm -f "$R/.bulkheadignore"

# --list-all-pkgs: accepted; the JSON holds every component
n=$("$BH" scan --db "$T/v.db" -q -f json --list-all-pkgs "dir:$R" | jq '.sbom.components | length')
[ "$n" = 7 ] && ok "--list-all-pkgs: scan JSON lists all 7 components" || ko "list-all-pkgs" "$n"

# --timeout
"$BH" sbom -q --timeout 5m "dir:$R" >/dev/null && "$BH" sbom -q --timeout 1h30m20s "dir:$R" >/dev/null && ok "--timeout 5m, 1h30m20s accepted" || ko "timeout ok" "refused"
bad=""
for v in 5x 1ms -1 "" 99999999h m; do
	"$BH" sbom -q --timeout "$v" "dir:$R" >/dev/null 2>"$T/e"; rc=$?
	[ $rc -eq 2 ] && grepq -- "--timeout takes a duration" "$T/e" || bad="$bad '$v':$rc"
done
[ -z "$bad" ] && ok "--timeout: bad durations exit 2" || ko "timeout bad" "$bad"
# --timeout is the time-budget limit: a secret scan of dir:/ (every file read, one thread) takes
# several seconds here, so 1 s runs out (a machine that finishes first: SKIP)
t0=$(date +%s)
"$BH" scan -q --scanners secret --timeout 1s dir:/ >/dev/null 2>"$T/e"; rc=$?
if [ $rc -eq 4 ]; then
	grepq "time budget of 1 s exceeded" "$T/e" && [ $(($(date +%s) - t0)) -le 3 ] && ok "--timeout 1s on a secret scan of dir:/: exit 4, time budget of 1 s exceeded" || ko "timeout expiry" "$(cat "$T/e")"
elif [ $rc -eq 0 ]; then
	skip "--timeout expiry: dir:/ finished within 1 s on this machine"
else
	ko "timeout expiry" "rc=$rc $(cat "$T/e")"
fi

# did you mean, missing TARGET
"$BH" scan --severty HIGH "$T/img.tar" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq "unknown option --severty; did you mean --severity?" "$T/e" && ok "--severty: did you mean --severity? (exit 2)" || ko "did you mean" "rc=$rc $(cat "$T/e")"
"$BH" sbom --skip-dri x "dir:$R" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq "did you mean --skip-dirs?" "$T/e" && ok "--skip-dri: did you mean --skip-dirs?" || ko "skip-dri typo" "rc=$rc $(cat "$T/e")"
"$BH" scan --ignore x "dir:$R" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq -- "--ignore is ambiguous: --ignore-unfixed --ignore-file" "$T/e" && ok "--ignore: ambiguous, both named" || ko "ambiguous" "rc=$rc $(cat "$T/e")"
"$BH" scan --exit-code >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq -- "--exit-code needs a value" "$T/e" && ok "--exit-code without a value: named" || ko "missing value" "rc=$rc $(cat "$T/e")"
"$BH" scan >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq "scan: missing TARGET; e.g. bulkhead scan image.tar" "$T/e" && ok "scan: missing TARGET; e.g. bulkhead scan image.tar" || ko "missing target" "rc=$rc $(cat "$T/e")"
"$BH" fs >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq "fs: missing TARGET; e.g. bulkhead fs /path/to/rootfs" "$T/e" && ok "fs: missing TARGET" || ko "fs missing" "rc=$rc $(cat "$T/e")"
"$BH" sbom a b >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq 'sbom: one TARGET expected, got 2: "a" "b"' "$T/e" && ok "two targets: named" || ko "two targets" "rc=$rc $(cat "$T/e")"
"$BH" sacn x >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && grepq 'unknown command "sacn"; did you mean scan?' "$T/e" && ok "sacn: did you mean scan?" || ko "command typo" "rc=$rc"

# no DB: exit 7 and every way to get one
"$BH" scan --db "$T/none.db" "dir:$R" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 7 ] && grepq -- "--db PATH" "$T/e" && grepq "bulkhead db import PATH" "$T/e" && grepq "bulkhead db update" "$T/e" \
	&& ok "missing DB: exit 7 naming --db, db import, db update" || ko "no DB" "rc=$rc $(cat "$T/e")"
"$BH" scan --db "$T/none.db" --scanners secret "dir:$R" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && ok "no DB needed without the vuln scanner" || ko "secret without DB" "rc=$rc"

# engine errors: every socket tried and why
: >"$T/notsock"
DOCKER_HOST="unix://$T/notsock" "$BH" sbom engine:alpine >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 5 ] && grepq "socket \$DOCKER_HOST names: unix://$T/notsock (exists but is not a socket)" "$T/e" && ok "engine: a file that is no socket, named" || ko "notsock" "rc=$rc $(tail -1 "$T/e")"
"$BH" sbom --engine-host "unix://$T/none.sock" engine:alpine >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 5 ] && grepq "socket --engine-host names: unix://$T/none.sock (no such file" "$T/e" && ok "engine: a missing socket, named" || ko "nosock" "rc=$rc $(tail -1 "$T/e")"
if python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$T/dead.sock" 2>/dev/null; then
	"$BH" scan --engine-host "unix://$T/dead.sock" container:web >/dev/null 2>"$T/e"; rc=$?
	[ $rc -eq 5 ] && grepq "unix://$T/dead.sock (connection refused: nothing listens on it" "$T/e" && ok "engine: a socket nobody listens on, named" || ko "dead sock" "rc=$rc $(tail -1 "$T/e")"
fi
reach=""
for s in /var/run/docker.sock /run/podman/podman.sock; do [ -S "$s" ] && reach=1; done
if [ -z "$reach" ]; then
	env -u DOCKER_HOST "$BH" sbom engine:alpine >/dev/null 2>"$T/e"; rc=$?
	[ $rc -eq 5 ] && grepq "sockets tried: unix:///var/run/docker.sock (no such file.*), unix:///run/podman/podman.sock (no such file" "$T/e" \
		&& grepq -- "--engine-host unix:///PATH" "$T/e" && ok "engine: both default sockets named with the reason" || ko "default sockets" "rc=$rc $(tail -1 "$T/e")"
else
	skip "default engine sockets: one exists on this machine"
fi

# every help text fits a terminal 100 columns wide
wide=
for c in "" sbom scan image fs db rules serve token agent watch drift contain baseline netmap netpol version; do
	"$BH" $c --help 2>&1 | awk -v c="${c:-bulkhead}" 'length($0) > 100 {print c ": " length($0) " columns: " substr($0, 1, 60); exit 1}' ||
		wide="$wide ${c:-bulkhead}"
done
[ -z "$wide" ] && ok "--help of every command fits 100 columns" || ko "--help wider than 100 columns" "$wide"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
