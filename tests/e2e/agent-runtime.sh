#!/usr/bin/env bash
# agent-runtime: `bulkhead agent --runtime` end to end against `bulkhead serve` (SQLite, a port of 18490-18499)
# and a real podman container on a private storage: a binary written into the container and run, and a read of
# /etc/shadow, reach the server's API within 2 s as drift.detected (added, exec) and runtime.alert (the default
# rules "Executable not from the image run", "Read of shadow or sudoers file") with the container's name and
# image digest; a loop writing one file 200 times is one envelope per interval (repeats counted); /metrics
# shows the host's sensor counters (label values escaped); with the server away for 5 s the events wait in
# the spool and arrive once each after its restart; an agent whose sensor cannot start (not root) says so once
# and goes on, and --runtime-required makes it fail.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
. "$(dirname "$0")/pg.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP agent-runtime: $1"; echo "agent-runtime: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL agent-runtime: $BH not built"; echo "agent-runtime: 0 passed, 1 failed"; exit 1; }
. "$(dirname "$0")/podman.sh"
sensor_ready curl jq python3 podman setpriv

T=$(mktemp -d /tmp/bh-agent-runtime-e2e.XXXXXX)
chmod 755 "$T" # the unprivileged agent below reaches its spool in here
SRV= AGT= AG2= svc= SRV2= PGDATA=
# podman on a storage and event log of its own: the machine's images stay out of the agent's inventory
cat >"$T/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$T/graph"
runroot = "$T/run"
CONF
cat >"$T/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/podman-events.log"
CONF
export CONTAINERS_STORAGE_CONF=$T/storage.conf CONTAINERS_CONF=$T/containers.conf
cleanup() {
	[ -n "$AG2" ] && kill "$AG2" 2>/dev/null && wait "$AG2" 2>/dev/null
	[ -n "$AGT" ] && kill "$AGT" 2>/dev/null && wait "$AGT" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$SRV2" ] && kill "$SRV2" 2>/dev/null && wait "$SRV2" 2>/dev/null
	pg_stop
	podman rm -af -t 0 >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -af >/dev/null 2>&1
	umount "$T/graph/overlay" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
RUN="podman run --network=none"

# An image with a shell, cat, chmod and sleep from this machine (their libraries too), a shadow file,
# and an empty /usr/local/bin: what the container writes there is not from the image.
mkdir -p "$T/root/bin" "$T/root/etc" "$T/root/usr/local/bin" "$T/root/tmp"
for b in sh cat chmod sleep; do
	src=$(type -P $b) && cp -L "$src" "$T/root/bin/" || skip "no $b on this machine"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do mkdir -p "$T/root$(dirname "$lib")" && cp -L "$lib" "$T/root$lib"; done
done
echo 'root:x:0:0:root:/:/bin/sh' >"$T/root/etc/passwd"
echo 'root:*:19000:0:99999:7:::' >"$T/root/etc/shadow"
echo 'image' >"$T/root/etc/motd"
tar -C "$T/root" -cf "$T/rootfs.tar" .
IMG=localhost/bhchan-rt:1
podman import -q "$T/rootfs.tar" "$IMG" >/dev/null 2>"$T/import.err" || skip "podman cannot import an image: $(tail -1 "$T/import.err")"
$RUN --rm "$IMG" /bin/sleep 0 >"$T/run.err" 2>&1 || skip "podman cannot run a container: $(tail -1 "$T/run.err")"
podman_service "$T/podman.sock" "$T/podman.log" || skip "podman system service did not come up: $(tail -1 "$T/podman.log")"
ENG=unix://$T/podman.sock
DIG=sha256:$(podman image inspect --format '{{.Id}}' "$IMG")

PORT=$(free_port_in 18490 18499) || skip "no free port in 18490-18499"
U=http://127.0.0.1:$PORT
serve() {
	"$BH" serve --data "$T/data" --listen 127.0.0.1:$PORT 2>>"$T/serve.log" &
	SRV=$!
	for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && return 0; sleep 0.1; done
	return 1
}
serve || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "agent-runtime: $pass passed, $fail failed"; exit 1; }
H=bhchan-h1
AG=$("$BH" token create --data "$T/data" --role agent --host $H --name ag 2>/dev/null)
AGW=$("$BH" token create --data "$T/data" --role agent --host 'we"ird\h' --name agw 2>/dev/null)
AGN=$("$BH" token create --data "$T/data" --role agent --host bhchan-h2 --name agn 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name v 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $V" "$U/api/v1/$1"; }
# waits up to $1 seconds for the jq filter $3 on GET $2 to print "true"
waitfor() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -le $end ]; do
		[ "$(api "$2" | jq -r "$3" 2>/dev/null)" = true ] && return 0
		sleep 0.05
	done
	return 1
}
now_ns() { date +%s%N; }
# every page of GET $1 (a list paged by after/next) as one {"items": [...]}
allpages() {
	local after=0 page sep='?'
	case $1 in *\?*) sep='&';; esac
	while :; do
		page=$(api "$1${sep}limit=1000&after=$after")
		jq -c '.items[]' <<<"$page"
		after=$(jq -r '.next // empty' <<<"$page")
		[ -n "$after" ] || break
	done | jq -s '{items: .}'
}

# ---- the agent with its sensor
C=$($RUN -d --name bhchan-rt1 "$IMG" /bin/sleep 600)
"$BH" agent -v --runtime --server "$U" --token "$AG" --host $H --engine-host "$ENG" --spool "$T/spool" 2>"$T/agent.log" &
AGT=$!
for _ in $(seq 100); do grep -q 'running)' "$T/agent.log" && break; kill -0 $AGT 2>/dev/null || break; sleep 0.1; done
if ! grep -q 'runtime sensor on' "$T/agent.log"; then
	grep -q 'without eBPF support\|runtime monitoring is off' "$T/agent.log" && skip "$(grep -m1 'runtime monitoring is off' "$T/agent.log")"
	ko "agent started with its sensor" "$(tail -3 "$T/agent.log")"; echo "agent-runtime: $pass passed, $fail failed"; exit 1
fi
ok "agent started: $(grep -m1 -o 'runtime sensor on.*' "$T/agent.log")"
sleep 1 # the inventory's uploads are done; the event stream is open
if waitfor 5 "events?type=runtime.stats" "[.items[] | select(.host == \"$H\" and .payload.available == true and .payload.hooks.attached > 0)] | length >= 1"; then
	ok "runtime.stats at start: hooks attached $(api 'events?type=runtime.stats' | jq -r '[.items[] | select(.host == "'$H'")][0].payload.hooks | "\(.attached) of \(.total)"')"
else ko "runtime.stats at start" "$(api 'events?type=runtime.stats' | head -c 300)"; fi

# ---- a binary written into the container and run, then /etc/shadow read; the test polls the API meanwhile
want="([.items[] | select(.type == \"drift.detected\" and .payload.path == \"/usr/local/bin/x\" and .payload.kind == \"added\")] | length >= 1)
 and ([.items[] | select(.type == \"drift.detected\" and .payload.path == \"/usr/local/bin/x\" and .payload.kind == \"exec\")] | length >= 1)
 and ([.items[] | select(.type == \"runtime.alert\" and .payload.rule == \"Executable not from the image run\")] | length >= 1)
 and ([.items[] | select(.type == \"runtime.alert\" and .payload.rule == \"Read of shadow or sudoers file\")] | length >= 1)"
podman exec bhchan-rt1 /bin/sh -c 'cat /bin/sleep > /usr/local/bin/x && chmod 755 /usr/local/bin/x && /usr/local/bin/x 0 && cat /etc/shadow >/dev/null' \
	>"$T/exec.err" 2>&1 &
EX=$!
SEEN=
end=$((SECONDS + 10))
while [ $SECONDS -le $end ]; do
	[ "$(api 'events?limit=1000' | jq -r "$want" 2>/dev/null)" = true ] && { SEEN=$(now_ns); break; }
	sleep 0.02
done
wait $EX || ko "podman exec" "$(tail -2 "$T/exec.err")"
api 'events?limit=1000' >"$T/ev1.json"
# from the kernel's time of the shadow read (the last of the four) to the moment the test saw all four listed
ns_of() { python3 -c 'import sys,datetime; t=sys.argv[1]; s,f=t[:-1].split("."); d=datetime.datetime.strptime(s,"%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc); print(int(d.timestamp())*10**9+int(f.ljust(9,"0")[:9]))' "$1"; }
TE=$(jq -r '[.items[] | select(.type == "runtime.alert" and .payload.rule == "Read of shadow or sudoers file") | .payload.event.time] | first // empty' "$T/ev1.json")
if [ -n "$SEEN" ] && [ -n "$TE" ]; then
	LAT=$((($SEEN - $(ns_of "$TE")) / 1000000))
	if [ $LAT -le 2000 ]; then ok "drift (added, exec) and both alerts listed by the server within 2 s: $LAT ms from the kernel event to the API (polled every 20 ms)"
	else ko "drift and alerts within 2 s" "$LAT ms"; fi
else ko "drift and alerts listed" "$(jq -c '[.items[] | select(.type | test("drift|alert")) | [.type, .payload.path, .payload.kind, .payload.rule]]' "$T/ev1.json")"; fi
AL=$(api "runtime/alerts?container=$C&limit=1000")
check "GET /runtime/alerts?container=: the exec alert names the container and its image digest" \
	"$(jq -r --arg d "$DIG" '[.items[] | select(.payload.rule == "Executable not from the image run" and .payload.container.name == "bhchan-rt1" and .payload.container.image_digest == $d and .payload.event.path == "/usr/local/bin/x" and .payload.event.exe_upper == true)] | length >= 1' <<<"$AL")" true
check "GET /runtime/alerts?container=: the shadow alert with its file, container name and digest" \
	"$(jq -r --arg d "$DIG" '[.items[] | select(.payload.rule == "Read of shadow or sudoers file" and .payload.event.path == "/etc/shadow" and .payload.container.name == "bhchan-rt1" and .payload.container.image_digest == $d and (.payload.priority | length > 0))] | length >= 1' <<<"$AL")" true
check "GET /runtime/alerts?host=other: none" "$(api 'runtime/alerts?host=nobody-here' | jq -r '.items | length')" 0
DR=$(api "containers/$C/drift")
check "GET /containers/{id}/drift: /usr/local/bin/x added by cat (open), then run (exec), with name and digest" \
	"$(jq -r --arg d "$DIG" '[.items[] | select(.payload.path == "/usr/local/bin/x" and .payload.container.name == "bhchan-rt1" and .payload.container.image_digest == $d) | .payload.kind + "/" + .payload.cause] | sort | join(",")' <<<"$DR")" "added/open,exec/execve"
check "drift of the exec names the process" "$(jq -r '[.items[] | select(.payload.kind == "exec") | .payload.process.pid > 0 and .payload.process.comm == "x"] | all' <<<"$DR")" true
check "GET /containers/{id}/drift of another container: none" "$(api 'containers/0123456789ab/drift' | jq -r '.items | length')" 0
check "GET /containers/{id}/drift with a bad id: 400" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $V" "$U/api/v1/containers/a%20b/drift")" 400
check "a file of the image written: changed, not added" "$(podman exec bhchan-rt1 /bin/sh -c 'echo x >> /etc/motd' && waitfor 2 "containers/$C/drift" '[.items[] | select(.payload.path == "/etc/motd" and .payload.kind == "changed")] | length == 1' && echo yes)" yes
check "a relative path is resolved against the process's cwd (/etc/rel, added)" "$(podman exec -w /etc bhchan-rt1 /bin/sh -c 'echo x > rel' && waitfor 2 "containers/$C/drift" '[.items[] | select(.payload.path == "/etc/rel" and .payload.kind == "added")] | length == 1' && echo yes)" yes
check "chmod of a file of the image: changed, cause chmod" "$(podman exec bhchan-rt1 /bin/chmod 600 /etc/passwd && waitfor 2 "containers/$C/drift" '[.items[] | select(.payload.path == "/etc/passwd" and .payload.kind == "changed" and .payload.cause == "chmod")] | length == 1' && echo yes)" yes
check "a write below /tmp is no drift" "$(podman exec bhchan-rt1 /bin/sh -c 'echo x > /tmp/scratch' && sleep 1 && api "containers/$C/drift" | jq -r '[.items[] | select(.payload.path | startswith("/tmp"))] | length')" 0

# ---- a loop writing one file: one envelope per interval, the rest counted as repeats
podman exec bhchan-rt1 /bin/sh -c 'i=0; while [ $i -lt 200 ]; do echo $i > /etc/loop; i=$((i+1)); done'
sleep 2
check "200 writes of one file: one drift.detected at once" "$(api "containers/$C/drift" | jq -r '[.items[] | select(.payload.path == "/etc/loop")] | length')" 1
if waitfor 14 "containers/$C/drift" '[.items[] | select(.payload.path == "/etc/loop")] | length == 2'; then
	check "... and one more after the interval: the 200 writes are the first plus the repeats both carry" \
		"$(api "containers/$C/drift" | jq -r '[.items[] | select(.payload.path == "/etc/loop") | .payload.repeats] | add + 1')" 200
else ko "drift interval" "$(api "containers/$C/drift" | jq -c '[.items[] | select(.payload.path == "/etc/loop") | .payload.repeats]')"; fi

# ---- an event storm: 1500 new files (a drift and a "Write below etc" alert each) against the per-container
# bucket (200, then 20 a second): the rest is counted in runtime.stats, not spooled
B0=$(api "runtime/alerts?container=$C&limit=1000" | jq -r '.items | length')
D0=$(api "containers/$C/drift?limit=1000" | jq -r '.items | length')
TS=$(now_ns)
podman exec bhchan-rt1 /bin/sh -c 'i=0; while [ $i -lt 1500 ]; do echo x > /etc/storm-$i; i=$((i+1)); done'
DUR=$((($(now_ns) - TS) / 1000000000 + 2))
sleep 1
SENT=$(( $(api "runtime/alerts?container=$C&limit=1000" | jq -r '.items | length') - B0 + $(api "containers/$C/drift?limit=1000" | jq -r '.items | length') - D0 ))
check "storm of 3000 would-be envelopes: the bucket let through at most 200 + 20/s ($SENT in ~$DUR s)" "$([ $SENT -ge 150 ] && [ $SENT -le $((200 + 20 * DUR)) ] && echo yes)" yes
TSEND=$(date +%s)
# the first runtime.stats sent after the storm ended has the whole count
if waitfor 12 "events?type=runtime.stats&limit=1000" "[.items[] | select(.host == \"$H\" and .time > $TSEND)] | length >= 1"; then
	SUP=$(api "events?type=runtime.stats&limit=1000" | jq -r --arg c "$C" --arg h "$H" --argjson t "$TSEND" '[.items[] | select(.host == $h and .time > $t)][0].payload | [.suppressed_by_container[] | select(.container == $c and .name == "bhchan-rt1") | .alert + .drift] | first // 0')
	check "runtime.stats counts what the bucket held back: sent + suppressed >= 3000 ($SENT + $SUP)" "$([ $((SENT + SUP)) -ge 3000 ] && echo yes)" yes
else ko "suppressed counted in runtime.stats" "no runtime.stats after the storm"; fi

# ---- /metrics: the host's sensor counters from its latest runtime.stats
waitfor 12 "events?type=runtime.stats&limit=1000" "[.items[] | select(.host == \"$H\" and .payload.events.proc > 0)] | length >= 1" >/dev/null
curl -s -H "Authorization: Bearer $AGW" -H 'Content-Type: application/x-ndjson' "$U/api/v1/events" \
	-d '{"type":"runtime.stats","seq":1,"payload":{"available":true,"events":{"proc":5,"file":1},"drops":{"proc":0},"drops_by_container":[{"container":"c\"1\\x","drops":{"file":3}}],"hooks":{"attached":2}}}' >/dev/null
M=$(curl -s -H "Authorization: Bearer $V" "$U/metrics")
check "/metrics: bulkhead_sensor_events_total{host,class} for the four classes, proc > 0" \
	"$(grep -E "^bulkhead_sensor_events_total\{host=\"$H\",class=\"(proc|file|net|priv)\"\} [0-9]+$" <<<"$M" | wc -l) $(grep -oP "^bulkhead_sensor_events_total\{host=\"$H\",class=\"proc\"\} \K[0-9]+" <<<"$M" | awk '{print ($1 > 0)}')" "4 1"
check "/metrics: bulkhead_sensor_drops_total{host,class} for the four classes" "$(grep -cE "^bulkhead_sensor_drops_total\{host=\"$H\",class=\"(proc|file|net|priv)\"\} [0-9]+$" <<<"$M")" 4
check "/metrics: bulkhead_sensor_up and hooks attached" "$(grep -c "^bulkhead_sensor_up{host=\"$H\"} 1$" <<<"$M") $(grep -oP "^bulkhead_sensor_hooks_attached\{host=\"$H\"\} \K[0-9]+" <<<"$M" | awk '{print ($1 > 0)}')" "1 1"
check "/metrics: bulkhead_runtime_suppressed_total{host,kind} > 0 after the storm" "$(grep -oP "^bulkhead_runtime_suppressed_total\{host=\"$H\",kind=\"(alert|drift)\"\} \K[0-9]+" <<<"$M" | awk '$1 > 0' | wc -l)" 2
check "/metrics: one TYPE line per family" "$(grep -c '^# TYPE bulkhead_sensor_events_total counter$' <<<"$M") $(grep -c '^# TYPE bulkhead_sensor_drops_container_total counter$' <<<"$M")" "1 1"
check "/metrics: label values escaped (host we\"ird\\h, container c\"1\\x)" \
	"$(grep -cF 'bulkhead_sensor_drops_container_total{host="we\"ird\\h",container="c\"1\\x",class="file"} 3' <<<"$M") $(grep -cF 'bulkhead_sensor_events_total{host="we\"ird\\h",class="proc"} 5' <<<"$M")" "1 1"
if command -v promtool >/dev/null; then
	check "/metrics passes promtool check metrics (sensor families)" "$(grep -E '^(# (HELP|TYPE) )?bulkhead_(sensor|runtime)_' <<<"$M" | promtool check metrics >/dev/null 2>&1 && echo ok)" ok
fi

# ---- server away for 5 s: runtime events wait in the spool, arrive after the restart, none twice
kill "$SRV"; wait "$SRV"; check "serve exits 0 on SIGTERM" "$?" 0; SRV=
TA=$SECONDS
podman exec bhchan-rt1 /bin/sh -c 'echo a > /etc/away-1; cat /etc/shadow > /dev/null; echo b > /etc/away-2'
sleep $((5 - (SECONDS - TA) > 0 ? 5 - (SECONDS - TA) : 0))
SP=$(cat "$T/spool"/seg-*.jsonl 2>/dev/null | jq -r 'select(.type == "drift.detected" or .type == "runtime.alert") | .payload.path // .payload.event.path' | sort -u | tr '\n' ' ')
check "while the server is away the runtime events are spooled" "$(grep -c '/etc/away-1' <<<"$SP")$(grep -c '/etc/away-2' <<<"$SP")$(grep -c '/etc/shadow' <<<"$SP")" 111
cat "$T/spool"/seg-*.jsonl 2>/dev/null | jq -r .idempotency_key >"$T/spooled-keys"
serve || ko "serve restarted" "$(tail -3 "$T/serve.log")"
if waitfor 10 "containers/$C/drift?limit=1000" '([.items[] | select(.payload.path == "/etc/away-1" or .payload.path == "/etc/away-2")] | length == 2)'; then
	ok "spooled drift arrived after the restart"
else ko "spooled drift" "$(api "containers/$C/drift?limit=1000" | jq -c "[.items[].payload.path] | .[-5:]")"; fi
check "the shadow read while away arrived: 2 such alerts in all" "$(allpages "runtime/alerts?container=$C" | jq -r '[.items[] | select(.payload.rule == "Read of shadow or sudoers file")] | length')" 2
for _ in $(seq 30); do ls "$T/spool"/seg-*.jsonl >/dev/null 2>&1 || break; sleep 0.2; done
allpages events >"$T/events.json"
check "each spooled envelope stored exactly once" "$(jq -r --rawfile k "$T/spooled-keys" '($k | split("\n") | map(select(length > 0))) as $ks | [$ks[] as $x | [.items[] | select(.idempotency_key == $x)] | length] | (length > 0 and all(. == 1))' "$T/events.json")" true
check "no idempotency key twice among all events" "$(jq -r '[.items[].idempotency_key] | (length == (unique | length))' "$T/events.json")" true
check "the agent's sequence in server order (runtime and engine events share it)" "$(jq -r --arg h $H '[.items[] | select(.host == $h) | .idempotency_key | split("/")[1] | tonumber] | . == sort' "$T/events.json")" true

# ---- a sensor that cannot start: said once, the agent goes on; --runtime-required fails
mkdir -p "$T/spool2" "$T/spool3" && chown 65534:65534 "$T/spool2" "$T/spool3"
NOB="setpriv --reuid=65534 --regid=65534 --clear-groups"
$NOB "$BH" agent --runtime-required --server "$U" --token "$AGN" --host bhchan-h2 --engine-host "$ENG" --spool "$T/spool3" 2>"$T/req.log"
rc=$?
check "--runtime-required without root: exits 3 (as watch does), saying why" "$rc $(grep -c 'runtime-required.*root' "$T/req.log")" "3 1"
$NOB "$BH" agent --runtime --server "$U" --token "$AGN" --host bhchan-h2 --engine-host "$ENG" --spool "$T/spool2" 2>"$T/nob.log" &
AG2=$!
sleep 3
check "--runtime without root: the agent goes on, and says so once" "$(kill -0 $AG2 2>/dev/null && echo running) $(grep -c 'runtime monitoring is off' "$T/nob.log")" "running 1"
check "... and tells the server: runtime.stats available=false, bulkhead_sensor_up 0" \
	"$(api 'events?type=runtime.stats&limit=1000' | jq -r '[.items[] | select(.host == "bhchan-h2" and .payload.available == false and (.payload.reason | test("root")))] | length') $(curl -s -H "Authorization: Bearer $V" "$U/metrics" | grep -c '^bulkhead_sensor_up{host="bhchan-h2"} 0$')" "1 1"
kill $AG2; wait $AG2; check "that agent exits 0 on SIGTERM" "$?" 0; AG2=
check "rules that do not compile are a usage error (exit 2)" "$("$BH" agent --runtime --rules /dev/null/nope --server "$U" --token "$AG" --host $H --spool "$T/spool4" 2>/dev/null; echo $?)" 2

kill "$AGT"; wait "$AGT"; check "agent --runtime exits 0 on SIGTERM" "$?" 0; AGT=
kill "$SRV"; wait "$SRV"; check "serve exits 0 on SIGTERM after the runtime routes and /metrics" "$?" 0; SRV=
grep -q 'runtime events' "$T/agent.log" && echo "  ($(grep -o '[0-9]* runtime events' "$T/agent.log" | tail -1) spooled by the agent)"
# ---- the runtime routes and /metrics over PostgreSQL (port 5494, its socket in the test's dir)
why=
[ -z "$why" ] && ! pg_start "$T/pg" 5494 && why=$pg_why
PORT2=$(free_port_in 18490 18499 "$PORT")
[ -z "$why" ] && [ -z "$PORT2" ] && why="no second free port in 18490-18499"
if [ -n "$why" ]; then
	echo "SKIP agent-runtime/postgres: $why"
else
	PGS="host=$T/pg port=5494 user=postgres dbname=postgres"
	U2=http://127.0.0.1:$PORT2
	"$BH" serve --store "$PGS" --data "$T/data2" --listen 127.0.0.1:$PORT2 2>"$T/serve2.log" &
	SRV2=$!
	for _ in $(seq 100); do curl -sf "$U2/healthz" >/dev/null && break; sleep 0.1; done
	PA=$("$BH" token create --store "$PGS" --role agent --host pgh --name pa 2>/dev/null)
	PV=$("$BH" token create --store "$PGS" --role viewer --name pv 2>/dev/null)
	CPG=$(printf 'c%.0s' $(seq 64))
	post2() { curl -s -H "Authorization: Bearer $PA" -H 'Content-Type: application/x-ndjson' --data-binary @- "$U2/api/v1/events"; }
	stats() { printf '{"type":"runtime.stats","seq":%s,"payload":{"available":true,"events":{"proc":%s,"file":2,"net":0,"priv":0},"drops":{"proc":0,"file":1,"net":0,"priv":0},"drops_by_container":[{"container":"%s","name":"pgc","drops":{"file":1}}],"hooks":{"attached":24,"total":26},"suppressed":{"alert":0,"drift":0}}}\n' "$1" "$2" "$CPG"; }
	{ stats 1 7
	  printf '{"type":"runtime.alert","seq":2,"container":"%s","payload":{"rule":"Read of shadow or sudoers file","container":{"id":"%s","name":"pgc"}}}\n' "$CPG" "$CPG"
	  printf '{"type":"drift.detected","seq":3,"container":"%s","payload":{"path":"/usr/local/bin/y","kind":"added"}}\n' "$CPG"; } | post2 >"$T/pg-post.json"
	check "postgres: the three runtime envelopes accepted" "$(jq -r .accepted "$T/pg-post.json")" 3
	check "postgres: sent again, all duplicates" "$({ stats 1 7; } | post2 | jq -r .duplicate)" 1
	check "postgres: GET /runtime/alerts?container= and /containers/{id}/drift" \
		"$(curl -s -H "Authorization: Bearer $PV" "$U2/api/v1/runtime/alerts?container=$CPG&host=pgh" | jq -r '.items[0].payload.rule') $(curl -s -H "Authorization: Bearer $PV" "$U2/api/v1/containers/$CPG/drift" | jq -r '.items[0].payload.path')" \
		"Read of shadow or sudoers file /usr/local/bin/y"
	M2=$(curl -s -H "Authorization: Bearer $PV" "$U2/metrics")
	check "postgres: /metrics from the host's runtime.stats" \
		"$(grep -c '^bulkhead_sensor_events_total{host="pgh",class="proc"} 7$' <<<"$M2") $(grep -c "^bulkhead_sensor_drops_container_total{host=\"pgh\",container=\"$CPG\",class=\"file\"} 1$" <<<"$M2")" "1 1"
	stats 4 9 | post2 >/dev/null
	check "postgres: a newer runtime.stats replaces the host's counters (read incrementally)" \
		"$(curl -s -H "Authorization: Bearer $PV" "$U2/metrics" | grep -c '^bulkhead_sensor_events_total{host="pgh",class="proc"} 9$')" 1
	kill "$SRV2"; wait "$SRV2"; check "postgres: serve exits 0 on SIGTERM" "$?" 0; SRV2=
fi

echo "agent-runtime: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
