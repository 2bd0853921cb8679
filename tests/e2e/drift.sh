#!/usr/bin/env bash
# `bulkhead drift` end to end: real podman containers (runc, no network) changed with `podman exec`,
# compared with their two-layer image through podman's Docker Engine API service.
set -uo pipefail
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH=$BUILD/bulkhead
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
. "$(dirname "$0")/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "SKIP drift: $1"; echo "drift: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL drift: $BH not built"; echo "drift: 0 passed, 1 failed"; exit 1; }
command -v podman >/dev/null || skip "podman is not installed"
command -v jq >/dev/null || skip "jq is not installed"
[ "$(id -u)" = 0 ] || skip "drift reads the engine's overlay storage, which only root can (run as root)"

T=$(mktemp -d /tmp/bh-drift-e2e.XXXXXX)
tag=$$
base=localhost/bh-e2e-drift-base:$tag img=localhost/bh-e2e-drift:$tag
names=(bh-e2e-drift-$tag bh-e2e-drift-fresh-$tag bh-e2e-drift-many-$tag)
svc=
P="podman --runtime runc"
cleanup() {
	$P rm -f -t 0 "${names[@]}" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" "$base" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# The base layer: a shell and the tools the test runs in the container, from this machine.
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/run" "$R/usr/local/bin" "$R/usr/share/doc/pkg"
for b in sh sleep true cp chmod chown rm mkdir cat ln; do cp "$(type -P "$b")" "$R/bin/"; done
for lib in $(ldd "$R"/bin/* | grep -v ":$" | grep -o '/[^ ]*' | sort -u); do
	mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
done
chmod 1777 "$R/tmp"
echo 'root:x:0:0:root:/:/bin/sh' >"$R/etc/passwd"
echo 'welcome' >"$R/etc/motd"
echo 'owned' >"$R/etc/owned"
echo 'gone' >"$R/etc/gone"
echo 'layer' >"$R/etc/layergone"
echo 'a' >"$R/usr/share/doc/pkg/a"
echo 'b' >"$R/usr/share/doc/pkg/b"
tar -C "$R" -cf "$T/rootfs.tar" . && podman import -q "$T/rootfs.tar" "$base" >/dev/null 2>"$T/import.err" ||
	skip "podman import failed: $(head -2 "$T/import.err")"
# A second layer that deletes a base file (a whiteout in a lower layer) and changes another.
printf 'FROM %s\nRUN rm /etc/layergone && echo "welcome to the top layer" > /etc/motd\n' "$base" >"$T/Containerfile"
podman build -q --runtime runc --network=none -t "$img" -f "$T/Containerfile" "$T" >/dev/null 2>"$T/build.err" ||
	skip "podman build failed: $(head -2 "$T/build.err")"
$P run --rm --network=none "$img" /bin/true >/dev/null 2>"$T/run.err" || skip "podman cannot run containers here: $(head -2 "$T/run.err")"
sock=$T/podman.sock
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"
E=(--engine-host "unix://$sock")
c=${names[0]} fresh=${names[1]} many=${names[2]}

# 1. a fresh container: no drift, exit 0 (the engine's mount points are left out)
$P run -d --name "$fresh" --network=none "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "fresh container" "$(head -2 "$T/e")"
nl=$(podman inspect -f '{{.GraphDriver.Data.LowerDir}}' "$fresh" 2>/dev/null | tr ':' '\n' | grep -c .)
[ "${nl:-0}" -ge 2 ] && ok "the container's image has $nl layers (LowerDir)" || ko "two-layer image" "LowerDir has ${nl:-0} entries"
"$BH" drift -f json "${E[@]}" "$fresh" >"$T/fresh.json" 2>"$T/fresh.err"; rc=$?
n=$(jq '.drift | length' "$T/fresh.json" 2>/dev/null)
[ "$rc" = 0 ] && [ "$n" = 0 ] && ok "fresh container: no drift, exit 0" || ko "fresh container" "rc=$rc entries=$n $(head -c 600 "$T/fresh.json") $(head -2 "$T/fresh.err")"
"$BH" drift "${E[@]}" "$fresh" >"$T/fresh.txt" 2>&1; rc=$?
[ "$rc" = 0 ] && grepq '^drift: 0 added, 0 changed, 0 mode, 0 owner, 0 deleted' "$T/fresh.txt" && ok "fresh container: table says 0" || ko "fresh table" "rc=$rc $(cat "$T/fresh.txt")"

# 2. a container changed in every way
$P run -d --name "$c" --network=none "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "container" "$(head -2 "$T/e")"
$P exec "$c" /bin/sh -c '
	cp /bin/true /usr/local/bin/x &&
	echo more >> /etc/motd &&
	chmod 4755 /bin/cat &&
	chown 1000:1000 /etc/owned &&
	rm /etc/gone &&
	echo back > /etc/layergone &&
	rm -rf /usr/share/doc/pkg && mkdir /usr/share/doc/pkg && echo a > /usr/share/doc/pkg/a &&
	echo scratch > /tmp/scratch &&
	ln -s /etc/shadow /etc/evil &&
	ln -s / /escape &&
	echo x > "/etc/$(printf "esc\033[31mred\nline")"' 2>"$T/e" || ko "podman exec changes" "$(head -2 "$T/e")"
# the host's /etc/shadow, so following the link would show up as a hash
"$BH" drift -f json "${E[@]}" "$c" >"$T/c.json" 2>"$T/c.err"; rc=$?
[ "$rc" = 3 ] && ok "drift: exit 3" || ko "drift exit" "rc=$rc $(head -2 "$T/c.err")"
jq -e . "$T/c.json" >/dev/null 2>&1 && ok "JSON parses" || ko "JSON" "$(head -c 300 "$T/c.json")"
# "PATH KIND EXEC LIB ALLOWED" lines
jq -r '.drift[] | "\(.path) \(.kind) \(.executable) \(.library) \(.allowed)"' "$T/c.json" >"$T/c.lines" 2>/dev/null
has() { grep -qxF "$1" "$T/c.lines" && ok "reported: $1" || ko "expected \"$1\"" "$(tr '\n' '|' <"$T/c.lines")"; }
has "/usr/local/bin/x added true false false"
has "/etc/motd changed false false false"
has "/bin/cat mode true false false"
has "/etc/owned owner false false false"
has "/etc/gone deleted false false false"
has "/etc/layergone added false false false"
has "/usr/share/doc/pkg/b deleted false false false"
has "/tmp/scratch added false false true"
has "/etc/evil added false false false"
has "/escape added false false false"
esc=$(printf '/etc/esc\033[31mred\nline')
jq -e --arg p "$esc" '[.drift[] | select(.path == $p and .kind == "added")] | length == 1' "$T/c.json" >/dev/null &&
	ok "a control-character name is reported (JSON escapes it)" || ko "escaped name" "$(jq -c '[.drift[].path]' "$T/c.json")"
n=$(jq '[.drift[]] | length' "$T/c.json")
[ "$n" = 11 ] && ok "nothing else reported (11 entries)" || ko "entry count" "$n: $(tr '\n' '|' <"$T/c.lines")"
jq -e '.summary | .added == 5 and .changed == 1 and .mode == 1 and .owner == 1 and .deleted == 2 and .allowed == 1 and .drift == 10' \
	"$T/c.json" >/dev/null && ok "summary counts" || ko "summary" "$(jq -c .summary "$T/c.json")"
jq -e '.drift[] | select(.path == "/usr/local/bin/x") | .severity == "HIGH" and (.container.sha256 | length == 64)' "$T/c.json" >/dev/null &&
	ok "new executable: HIGH, hashed" || ko "x severity" "$(jq -c '.drift[] | select(.path == "/usr/local/bin/x")' "$T/c.json")"
jq -e '.drift[] | select(.path == "/bin/cat") | .severity == "HIGH" and .image.mode == "0755" and .container.mode == "4755" and .image.sha256 == .container.sha256' \
	"$T/c.json" >/dev/null && ok "setuid binary: mode 0755 -> 4755, HIGH, same sha256" || ko "cat" "$(jq -c '.drift[] | select(.path == "/bin/cat")' "$T/c.json")"
want=$(printf 'welcome to the top layer\n' | sha256sum | cut -c1-64)
jq -e --arg h "$want" '.drift[] | select(.path == "/etc/motd") | .image.sha256 == $h and .container.sha256 != $h' "$T/c.json" >/dev/null &&
	ok "changed file compared with the top layer's copy" || ko "motd hash" "$(jq -c '.drift[] | select(.path == "/etc/motd")' "$T/c.json")"
jq -e '.drift[] | select(.path == "/etc/owned") | .image.uid == 0 and .container.uid == 1000 and .container.gid == 1000' "$T/c.json" >/dev/null &&
	ok "owner 0 -> 1000:1000" || ko "owner" "$(jq -c '.drift[] | select(.path == "/etc/owned")' "$T/c.json")"
jq -e '.drift[] | select(.path == "/etc/evil") | .container.type == "symlink" and .container.link == "/etc/shadow" and .container.sha256 == null' \
	"$T/c.json" >/dev/null && ok "symlink to /etc/shadow: a link, not followed" || ko "evil link" "$(jq -c '.drift[] | select(.path == "/etc/evil")' "$T/c.json")"
jq -e '[.drift[] | select(.path | startswith("/escape/"))] | length == 0' "$T/c.json" >/dev/null && jq -e '.summary.entries_read < 100' "$T/c.json" >/dev/null &&
	ok "symlink to / not descended ($(jq .summary.entries_read "$T/c.json") entries read)" || ko "escape" "$(jq -c .summary "$T/c.json")"

# table: 100 columns, no raw control character, the same counts
"$BH" drift "${E[@]}" "$c" >"$T/c.txt" 2>&1; rc=$?
[ "$rc" = 3 ] && ok "table: exit 3" || ko "table exit" "$rc"
w=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$T/c.txt")
[ "$w" -le 100 ] && ok "table fits 100 columns ($w)" || ko "table width" "$w"
LC_ALL=C grep -q $'\033' "$T/c.txt" && ko "table escape" "raw ESC in the table" || ok "table: no raw control characters"
grepq -F 'esc\x1b[31mred\x0aline' "$T/c.txt" && ok "table shows the name escaped" || ko "table escaped name" "$(grep esc "$T/c.txt")"
grepq '^drift: 5 added, 1 changed, 1 mode, 1 owner, 2 deleted; 2 executables or libraries' "$T/c.txt" && ok "table summary" || ko "table summary" "$(grep '^drift' "$T/c.txt")"

# allow-list: --allow replaces the defaults
"$BH" drift -f json "${E[@]}" --allow /etc --allow /usr/local "$c" >"$T/allow.json" 2>&1; rc=$?
jq -e '.summary.allowed == 7 and .summary.drift == 4 and ([.drift[] | select(.path == "/tmp/scratch") | .allowed] == [false])' "$T/allow.json" >/dev/null && [ "$rc" = 3 ] &&
	ok "--allow /etc --allow /usr/local: 7 allowed, 4 left" || ko "allow" "rc=$rc $(jq -c .summary "$T/allow.json")"
"$BH" drift -q "${E[@]}" --allow / "$c" >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] && ok "everything allowed: exit 0" || ko "allow /" "rc=$rc"

# stopped container: the upper layer is still there
$P stop -t 0 "$c" >/dev/null 2>&1
"$BH" drift -f json "${E[@]}" "$c" >"$T/stopped.json" 2>"$T/stopped.err"; rc=$?
[ "$rc" = 3 ] && jq -e '.summary.drift == 10' "$T/stopped.json" >/dev/null && ok "stopped container: same drift" || ko "stopped" "rc=$rc $(head -2 "$T/stopped.err")"

# errors
"$BH" drift "${E[@]}" no-such-container-$tag >/dev/null 2>"$T/nf.err"; rc=$?
[ "$rc" = 3 ] && grepq "no-such-container-$tag" "$T/nf.err" && ok "unknown container: exit 3, named" || ko "unknown container" "rc=$rc $(cat "$T/nf.err")"
"$BH" drift >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "no CONTAINER: usage, exit 2" || ko "usage" "rc=$rc"
"$BH" drift --engine-host "unix://$T/none.sock" "$c" >/dev/null 2>&1; rc=$?
[ "$rc" = 5 ] && ok "no engine: exit 5" || ko "no engine" "rc=$rc"

# 3. time for 10,000 small files
$P run -d --name "$many" --network=none "$img" /bin/sleep 1000 >/dev/null 2>"$T/e" || ko "many container" "$(head -2 "$T/e")"
$P exec "$many" /bin/sh -c 'mkdir /srv && i=0; while [ $i -lt 10000 ]; do echo $i > /srv/f$i; i=$((i+1)); done' 2>"$T/e" || ko "10,000 files" "$(head -2 "$T/e")"
t0=$(date +%s%N)
"$BH" drift -f json "${E[@]}" "$many" >"$T/many.json" 2>"$T/many.err"; rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
jq -e '.summary.added == 10001 and .summary.drift == 10001' "$T/many.json" >/dev/null && [ "$rc" = 3 ] &&
	ok "10,000 files written: 10,001 added (the dir too) in $ms ms" || ko "10,000 files" "rc=$rc $(jq -c .summary "$T/many.json" 2>/dev/null) $(head -2 "$T/many.err")"
echo "TIME drift of a container with 10,000 small files written: $ms ms"

echo "drift: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
