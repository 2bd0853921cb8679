#!/usr/bin/env bash
# East-west network policy and the network map end to end on real podman containers (bridge network,
# a cgroup parent of the test's own so other containers on the machine are not touched): db listens
# on 5432, the policy allows app -> db:5432 only. Protect: app connects, a third container's 1,000
# connects to db all fail (EPERM at its connect, the verdicts name db's policy and the missing ingress
# rule), app's egress elsewhere fails; the third restarted (a new cgroup) still never connects, also
# before bulkhead mapped it (fail closed). Audit: the third connects and each connect is reported as
# would-block. nftables fallback (--mechanism nft): same outcome. `netmap` sees exactly the edges made.
set -uo pipefail
BUILD=${BUILD:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
. "$HERE/podman.sh"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS netpol: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL netpol: $1: $2"; }
skip() { echo "SKIP netpol: $1"; echo "netpol: 0 passed, 0 failed (skipped)"; exit 0; }

BH="$(pwd)/$BUILD/bulkhead"
[ -x "$BH" ] || { echo "FAIL netpol: $BH not built"; echo "netpol: 0 passed, 1 failed"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (cgroup eBPF hooks, setns and nft need it)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v podman >/dev/null || skip "podman is not installed"
for t in jq cc nsenter; do command -v $t >/dev/null || skip "$t is not installed"; done
[ -x /usr/sbin/nft ] || [ -x /sbin/nft ] || skip "nft is not installed (apt-get install nftables)"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup

T=$(mktemp -d /tmp/bhnetpol-e2e.XXXXXX)
tag=$$
img=localhost/bhnetpol-peer:$tag
CT=${BH_NETPOL_PREFIX:-bhnp} # the containers' names (runs side by side take another)
db=$CT-db-$tag app=$CT-app-$tag third=$CT-third-$tag
parent=/bhnetpol-$tag
P="podman --runtime runc"
svc= epid=
cleanup() {
	[ -n "$epid" ] && kill "$epid" 2>/dev/null && wait "$epid" 2>/dev/null
	$P rm -f -t 0 "$db" "$app" "$third" >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	for h in $(ls -d /sys/fs/cgroup/*$parent "$CGROOT$parent" 2>/dev/null); do rmdir "$h" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap "exit 1" INT TERM

peer_image "$T" "$img"
run() { $P run -d --name "$1" --label "bhnp-$tag=$2" --cgroup-parent "$parent" --network=bridge "$img" "${@:3}" >/dev/null 2>>"$T/run.err"; }
run "$db" db /peer serve 5432 || skip "podman cannot run a bridge-networked container here: $(head -2 "$T/run.err")"
run "$app" app /peer idle && run "$third" third /peer idle || skip "podman run failed: $(head -2 "$T/run.err")"
ip_of() { podman inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }
DB=$(ip_of "$db"); APP=$(ip_of "$app")
id_of() { podman inspect -f '{{.Id}}' "$1"; }
DBID=$(id_of "$db"); APPID=$(id_of "$app"); THID=$(id_of "$third")
sock="$T/podman.sock"
podman_service "$sock" "$T/service.log" || skip "podman system service did not start: $(head -2 "$T/service.log")"
conn() { $P exec "$1" /peer connect "$2" "$3" "$4" 2>&1; }

cat >"$T/policy.yaml" <<EOF
# db accepts 5432 from app only; app may reach db:5432 and nothing else
mode: protect
policies:
  - name: db
    match: {label: bhnp-$tag=db}
    default: {ingress: deny, egress: allow}
    ingress:
      - from: [{label: bhnp-$tag=app}]
        ports: [5432]
        proto: tcp
  - name: app
    match: {label: bhnp-$tag=app}
    default: {ingress: allow, egress: deny}
    egress:
      - to: [{label: bhnp-$tag=db}]
        ports: [5432]
EOF

# ---- check
"$BH" netpol check "$T/policy.yaml" >"$T/check.out" 2>&1 && grep -q 'valid: 2 policies, 2 rules' "$T/check.out" &&
	ok "netpol check: $(head -1 "$T/check.out")" || ko "netpol check" "$(cat "$T/check.out")"
sed 's/ports: \[5432\]/ports: [70000]/' "$T/policy.yaml" >"$T/bad.yaml"
"$BH" netpol check "$T/bad.yaml" >"$T/bad.out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q 'policies\[0\].ingress\[0\].ports\[0\]' "$T/bad.out" && ok "netpol check of a bad port: exit 3, $(cat "$T/bad.out")" || ko "bad policy" "rc $rc: $(cat "$T/bad.out")"

# start_enforce OUT ERR ARGS...: enforce in the background (epid), waits until the three containers are mapped
start_enforce() {
	local out=$1 err=$2
	shift 2
	"$BH" netpol enforce "$T/policy.yaml" --cgroup-parent "$CGROOT$parent" --engine-host "unix://$sock" "$@" >"$out" 2>"$err" &
	epid=$!
	for _ in $(seq 100); do
		[ "$(grep -c "^netpol: container $CT-.*$tag" "$err")" -ge 3 ] && grep -q '^netpol: mapped' "$err" && return 0
		kill -0 $epid 2>/dev/null || break
		sleep 0.1
	done
	ko "enforce started" "$(tail -5 "$err")"
	return 1
}
stop_enforce() { kill -INT $epid; wait $epid; local rc=$?; epid=; return $rc; }

# ---- protect (eBPF cgroup hooks)
before=$(conn "$third" "$DB" 5432 3)
echo "$before" | grep -q '^ok=3 ' && ok "without a policy the third container reaches db ($before)" || ko "baseline" "$before"
if start_enforce "$T/p.out" "$T/p.err"; then
	grep -E '^(hook|WARNING|netpol:)' "$T/p.err" | sed 's/^/  /'
	[ "$(grep -c '^hook .* attached$' "$T/p.err")" -eq 5 ] && ! grep -q WARNING "$T/p.err" &&
		ok "5 hooks attached to $CGROOT$parent (connect4/6, sendmsg4/6, skb ingress), no warning" || ko "hooks" "$(grep -E 'hook|WARN' "$T/p.err")"
	r=$(conn "$app" "$DB" 5432 20)
	echo "$r" | grep -q '^ok=20 fail=0' && ok "protect: app -> db:5432 allowed ($r)" || ko "app -> db" "$r"
	r=$(conn "$third" "$DB" 5432 1000)
	echo "$r" | grep -q '^ok=0 fail=1000 eperm=1000' && ok "protect: third -> db:5432, 1,000 retries, 0 successes ($r)" || ko "third -> db" "$r"
	r=$(conn "$app" "$DB" 22 3)
	echo "$r" | grep -q '^ok=0 fail=3 eperm=3' && ok "protect: app -> db:22 (not in app's egress) refused ($r)" || ko "app egress" "$r"
	sleep 0.5
	n=$(jq -c "select(.netpol.verdict == \"blocked\" and .netpol.container_id == \"$THID\" and .netpol.dst == \"$DB\" and .netpol.dport == 5432)" "$T/p.out" | wc -l)
	v=$(jq -c "select(.netpol.container_id == \"$THID\") | .netpol | {hook, missing_rule, why, policy, deciding_container, proto, src, dst, dport}" "$T/p.out" | head -1)
	[ "$n" -eq 1000 ] && echo "$v" | jq -e ".missing_rule == \"ingress\" and .policy == \"yaml:db\" and .deciding_container == \"$db\" and .hook == \"cgroup/connect4\"" >/dev/null &&
		ok "1,000 verdict events for third -> db: $v" || ko "verdicts" "$n events; $v"
	v=$(jq -c "select(.netpol.container_id == \"$APPID\") | .netpol | {missing_rule, policy, dport}" "$T/p.out" | head -1)
	echo "$v" | jq -e '.missing_rule == "egress" and .policy == "yaml:app" and .dport == 22' >/dev/null && ok "app's verdict names its egress rule: $v" || ko "app verdict" "${v:-none}"
	# restart: a new cgroup; connects right after the start (maybe before it is mapped) and after it must fail
	$P restart -t 0 "$third" >/dev/null 2>&1
	r1=$(conn "$third" "$DB" 5432 200)
	for _ in $(seq 50); do grep -q "^netpol: container $third .* policy (none)" "$T/p.err" && [ "$(grep -c "^netpol: container $third" "$T/p.err")" -ge 2 ] && break; sleep 0.1; done
	r2=$(conn "$third" "$DB" 5432 200)
	echo "$r1" | grep -q '^ok=0 ' && echo "$r2" | grep -q '^ok=0 ' && ok "third restarted: 0 successes right after the restart ($r1) and once mapped ($r2)" || ko "restart" "$r1 / $r2"
	nu=$(jq -c 'select(.netpol.why == "unmapped")' "$T/p.out" | wc -l)
	echo "  verdicts for the restarted container before it was mapped (fail closed): $nu"
	r=$(conn "$app" "$DB" 5432 5)
	echo "$r" | grep -q '^ok=5 ' && ok "after the restart app -> db still allowed ($r)" || ko "app after restart" "$r"
	stop_enforce && ok "enforce exited 0 on SIGINT" || ko "enforce exit" "$(tail -2 "$T/p.err")"
	r=$(conn "$third" "$DB" 5432 3)
	echo "$r" | grep -q '^ok=3 ' && ok "hooks detached at exit: third reaches db again ($r)" || ko "detach" "$r"
fi

# ---- audit
if start_enforce "$T/a.out" "$T/a.err" --mode audit; then
	r=$(conn "$third" "$DB" 5432 10)
	sleep 0.5
	n=$(jq -c "select(.netpol.verdict == \"would-block\" and .netpol.container_id == \"$THID\" and .netpol.dport == 5432)" "$T/a.out" | wc -l)
	nb=$(jq -c 'select(.netpol.verdict == "blocked")' "$T/a.out" | wc -l)
	echo "$r" | grep -q '^ok=10 ' && [ "$n" -eq 10 ] && [ "$nb" -eq 0 ] && ok "audit: third -> db allowed ($r) and reported 10 times as would-block" || ko "audit" "$r; $n would-block, $nb blocked"
	stop_enforce
fi

# ---- nftables fallback
if start_enforce "$T/n.out" "$T/n.err" --mechanism nft; then
	grep -q "^netpol: nftables in each container's network namespace" "$T/n.err" && ok "--mechanism nft says so: $(grep '^netpol: nft' "$T/n.err")" || ko "nft banner" "$(head -3 "$T/n.err")"
	ra=$(conn "$app" "$DB" 5432 5); rt=$(conn "$third" "$DB" 5432 20)
	echo "$ra" | grep -q '^ok=5 ' && echo "$rt" | grep -q '^ok=0 fail=20' && ok "nft: app -> db allowed ($ra), third -> db refused ($rt)" || ko "nft" "$ra / $rt"
	sleep 1.5
	stop_enforce
	c=$(jq -s "[.[] | select(.netpol.hook == \"nftables\" and .netpol.container_id == \"$DBID\") | .netpol.count] | add" "$T/n.out")
	[ "${c:-0}" -ge 20 ] && ok "nft: db's block counter reported $c blocked packets" || ko "nft verdicts" "$(head -3 "$T/n.out")"
	nsenter -t "$(podman inspect -f '{{.State.Pid}}' "$db")" -n nft list tables 2>&1 | grep -q bulkhead_netpol && ko "nft cleanup" "table left in db's namespace" || ok "nft: tables removed at exit"
fi

# ---- the network map
"$BH" netmap --seconds 5 --cgroup-parent "$CGROOT$parent" --engine-host "unix://$sock" >"$T/map.json" 2>"$T/map.err" &
mpid=$!
for _ in $(seq 100); do grep -q '^netmap: .*watching' "$T/map.err" && break; sleep 0.1; done
conn "$app" "$DB" 5432 7 >/dev/null; conn "$third" "$DB" 5432 4 >/dev/null
$P exec "$third" /peer udp "$DB" 5432 3 >/dev/null
wait $mpid; rc=$?
mine=$(jq -c --arg a "container:$APPID" --arg d "container:$DBID" --arg t "container:$THID" \
	'[.edges[] | select(.from == $a or .from == $d or .from == $t or .to == $a or .to == $d or .to == $t)
	  | {from: (if .from == $a then "app" elif .from == $d then "db" elif .from == $t then "third" else .from end),
	     to: (if .to == $a then "app" elif .to == $d then "db" elif .to == $t then "third" else .to end), port, proto, connections, bytes_pos: (.bytes > 0)}]' "$T/map.json")
want='[{"from":"app","to":"db","port":5432,"proto":"tcp","connections":7,"bytes_pos":true},{"from":"third","to":"db","port":5432,"proto":"tcp","connections":4,"bytes_pos":true},{"from":"third","to":"db","port":5432,"proto":"udp","connections":0,"bytes_pos":true}]'
[ $rc -eq 0 ] && [ "$(echo "$mine" | jq -S 'sort_by(.from, .proto)')" = "$(echo "$want" | jq -S 'sort_by(.from, .proto)')" ] &&
	ok "netmap: exactly app -> db:5432/tcp x7, third -> db:5432/tcp x4, third -> db:5432/udp, with bytes" || ko "netmap edges" "rc $rc: $mine; $(tail -2 "$T/map.err")"
n=$(jq --arg d "container:$DBID" '[.nodes[] | select(.id == $d and .kind == "container" and .name == "'"$db"'" and (.addresses | index("'"$DB"'")) != null and .labels["bhnp-'"$tag"'"] == "db")] | length' "$T/map.json")
[ "$n" = 1 ] && ok "netmap node for db: name, address $DB, label, image $(jq -r --arg d "container:$DBID" '.nodes[] | select(.id == $d) | .image' "$T/map.json")" || ko "netmap node" "$(jq -c '.nodes[0]' "$T/map.json")"
"$BH" netmap --seconds 0 -f table --engine-host "unix://$sock" >"$T/table" 2>&1 && tail -1 "$T/table" | grep -q 'edges' && ok "netmap -f table: $(tail -1 "$T/table")" || ko "table" "$(tail -3 "$T/table")"

echo "netpol: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
