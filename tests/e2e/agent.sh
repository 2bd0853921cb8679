#!/usr/bin/env bash
# agent: `bulkhead agent` end to end against `bulkhead serve` (temp --data, a fixed free port) and a podman
# service on a private storage: --once lists the host, images and containers; the following agent reports
# each container event within 5 s, a 15-second container with its start and stop, every image uploaded once
# (asked through POST /images/known, nothing remembered locally); host facts in the hosts row, a stopped
# container listed with its times, CIS results of the host and of each container;
# with the server stopped, events go to the spool and arrive after its restart, in order, none twice.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "got '$2', expected '$3'"; fi; }
skip() { echo "SKIP agent: $1"; echo "agent: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL agent: $BH not built"; echo "agent: 0 passed, 1 failed"; exit 1; }
for t in curl jq python3 podman; do command -v $t >/dev/null || skip "$t is not installed"; done

T=$(mktemp -d /tmp/bh-agent-e2e.XXXXXX)
SRV= AGT= svc=
# podman on a storage and event log of its own: the machine's containers and images stay out of the count
cat >"$T/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$T/graph"
runroot = "$T/run"
CONF
cat >"$T/containers.conf" <<CONF
[engine]
events_logger = "file"
events_logfile_path = "$T/podman-events.log"
CONF
export CONTAINERS_STORAGE_CONF=$T/storage.conf CONTAINERS_CONF=$T/containers.conf
cleanup() {
	[ -n "$AGT" ] && kill "$AGT" 2>/dev/null && wait "$AGT" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	podman rm -af -t 0 >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	podman rmi -af >/dev/null 2>&1
	umount "$T/graph/overlay" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/podman.sh"
# rlimits this sandbox lets runc set (its defaults are above the hard limits here)
RUN="podman run --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"

sleep_image "$T/img1" localhost/bh-agent-sleep:1 || skip "podman cannot import an image: $(tail -1 "$T/img1/import.err")"
$RUN --rm localhost/bh-agent-sleep:1 sleep 0 >"$T/run.err" 2>&1 || skip "podman cannot run a container: $(tail -1 "$T/run.err")"
podman_service "$T/podman.sock" "$T/podman.log" || skip "podman system service did not come up: $(tail -1 "$T/podman.log")"
ENG=unix://$T/podman.sock
D1=sha256:$(podman image inspect --format '{{.Id}}' localhost/bh-agent-sleep:1)

PORT=$(free_port)
U=http://127.0.0.1:$PORT
serve() {
	"$BH" serve --data "$T/data" --listen 127.0.0.1:$PORT 2>>"$T/serve.log" &
	SRV=$!
	for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && return 0; sleep 0.1; done
	return 1
}
serve || { ko "serve started" "$(tail -3 "$T/serve.log")"; echo "agent: $pass passed, $fail failed"; exit 1; }
AG=$("$BH" token create --data "$T/data" --role agent --host h1 --name ag 2>/dev/null)
V=$("$BH" token create --data "$T/data" --role viewer --name v 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $V" "$U/api/v1/$1"; }
uploads() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit where action=? and target=?", ("image.put", sys.argv[2])).fetchone()[0])' "$T/data/bulkhead.db" "$1"; }
# waits up to $1 seconds for the jq filter $3 on GET $2 to print "true"
waitfor() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -le $end ]; do
		[ "$(api "$2" | jq -r "$3" 2>/dev/null)" = true ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- --once: host facts, the image (SBOM uploaded), the running container, a stopped one
C0=$($RUN -d --name bhag-c0 localhost/bh-agent-sleep:1 sleep 300)
CS=$($RUN -d --name bhag-stopped localhost/bh-agent-sleep:1 sleep 1)
CX=$($RUN -d --name bhag-exp --cap-add SYS_PTRACE localhost/bh-agent-sleep:1 sleep 300)
podman wait bhag-stopped >/dev/null 2>&1
"$BH" agent --once --server "$U" --token "$AG" --host h1 --engine-host "$ENG" --spool "$T/spool" 2>"$T/once.err"
check "agent --once exits 0" "$?" 0
check "host h1 listed" "$(api hosts | jq -r '[.items[].name] | index("h1") != null')" true
check "host facts: kernel" "$(api 'events?type=host.facts' | jq -r '.items[0].payload.kernel')" "$(uname -r)"
check "host facts: engine" "$(api 'events?type=host.facts' | jq -r '.items[0].payload.engine + " " + .items[0].payload.engine_version')" "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version | awk '{print $3}')"
check "host facts: OS" "$(api 'events?type=host.facts' | jq -r '.items[0].payload.os')" "$(. /etc/os-release; echo "$PRETTY_NAME")"
check "image listed with its SBOM" "$(api images | jq -r --arg d "$D1" '[.items[] | select(.digest == $d and .has_sbom)] | length')" 1
check "container listed running" "$(api 'containers?host=h1' | jq -r --arg c "$C0" --arg d "$D1" '[.items[] | select(.container_id == $c and .state == "running" and .image_digest == $d and .name == "bhag-c0")] | length')" 1
check "the exposure fields of the inspect document stored with the container (risk's exposure term)" \
	"$(api 'containers?host=h1' | jq -c --arg c "$CX" '[.items[] | select(.container_id == $c) | .config | [.HostConfig.CapAdd, .HostConfig.Privileged, .HostConfig.NetworkMode]]')" \
	'[[["SYS_PTRACE"],false,"none"]]'
check "stopped container listed at start, exited, with start and stop" "$(api 'containers?host=h1' | jq -r --arg c "$CS" '[.items[] | select(.container_id == $c and .state == "exited" and .name == "bhag-stopped" and .started_at != null and .stopped_at != null and .stopped_at >= .started_at)] | length')" 1
HOSTROW=$(api hosts | jq -c '.items[] | select(.name == "h1")')
check "hosts row: os" "$(jq -r .os <<<"$HOSTROW")" "$(. /etc/os-release; echo "$PRETTY_NAME")"
check "hosts row: kernel" "$(jq -r .kernel <<<"$HOSTROW")" "$(uname -r)"
check "hosts row: engine and engine_version" "$(jq -r '.engine + " " + .engine_version' <<<"$HOSTROW")" "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version | awk '{print $3}')"
check "hosts row: facts" "$(jq -r .facts.arch <<<"$HOSTROW")" "$(uname -m)"
HC=$(api 'hosts/h1/checks?container=&limit=1000')
check "host CIS results stored" "$(jq -r '[.items[] | select(.container_id == "" and (.rule_id | startswith("BH-HOST-")) and .host == "h1")] | length > 0' <<<"$HC")" true
check "host CIS results: statuses as the checks gave them" "$(jq -r '[.items[].status] - ["fail","not-applicable","manual"] | length' <<<"$HC")" 0
CC=$(api "containers/$C0/checks?limit=1000")
check "container CIS 5.x results stored" "$(jq -r --arg c "$C0" '[.items[] | select(.container_id == $c and .host == "h1" and (.rule_id | startswith("BH-CTR-")))] | length > 0' <<<"$CC")" true
check "container results name the container" "$(jq -r '[.items[] | select(.target | test("bhag-c0"))] | length > 0' <<<"$CC")" true
check "stopped container's CIS results stored too" "$(api "containers/$CS/checks" | jq -r '.items | length > 0')" true
check "no digest list kept in the spool" "$(ls "$T/spool/images" 2>/dev/null | wc -l)" 0
check "/images/known answers the stored digest" "$(curl -s -H "Authorization: Bearer $AG" -H 'Content-Type: application/json' -d "{\"digests\":[\"$D1\",\"sha256:$(printf '0%.0s' $(seq 64))\"]}" "$U/api/v1/images/known" | jq -c .known)" "[\"$D1\"]"
check "/images/known refuses a malformed digest (400)" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $V" -d '{"digests":["latest"]}' "$U/api/v1/images/known")" 400
check "an agent may not write another host's checks (403)" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AG" -d '{"container_id":"","checks":[]}' "$U/api/v1/hosts/h2/checks")" 403
check "a viewer may not write checks (403)" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $V" -d '{"container_id":"","checks":[]}' "$U/api/v1/hosts/h1/checks")" 403
"$BH" agent -v --once --server "$U" --token "$AG" --host h1 --engine-host "$ENG" --spool "$T/spool" 2>"$T/once2.err"
check "agent --once again exits 0" "$?" 0
check "the second run asked the server (POST /images/known): it has the image" "$(grep -c 'the server has 1 of 1 images' "$T/once2.err")" 1
check "image uploaded once over two runs" "$(uploads "$D1")" 1

# ---- following events
"$BH" agent -v --server "$U" --token "$AG" --host h1 --engine-host "$ENG" --spool "$T/spool" 2>"$T/agent.log" &
AGT=$!
for _ in $(seq 50); do grep -q 'running)' "$T/agent.log" && break; sleep 0.1; done
sleep 1 # the event stream is open once the listing is done
C15=$($RUN -d --name bhag-c15 localhost/bh-agent-sleep:1 sleep 15)
T15=$SECONDS
if waitfor 5 "containers?host=h1" "[.items[] | select(.container_id == \"$C15\" and .state == \"running\")] | length == 1"; then
	ok "15-second container running in the API within 5 s ($((SECONDS - T15)) s)"
else ko "15-second container start" "not in /api/v1/containers within 5 s"; fi
check "its container.start event" "$(api 'events?type=container.start' | jq -r --arg c "$C15" '[.items[] | select(.container == $c and .payload.name == "bhag-c15")] | length')" 1
# a second image, new to the server: its SBOM goes up once, before the container's events
sleep_image "$T/img2" localhost/bh-agent-sleep:2 && echo extra >"$T/img2/x" && tar -C "$T/img2" -rf "$T/img2/rootfs.tar" x \
	&& podman import -q "$T/img2/rootfs.tar" localhost/bh-agent-sleep:2 >/dev/null
D2=sha256:$(podman image inspect --format '{{.Id}}' localhost/bh-agent-sleep:2)
C2=$($RUN -d --name bhag-c2 localhost/bh-agent-sleep:2 sleep 300)
T2=$SECONDS
if waitfor 5 "containers?host=h1" "[.items[] | select(.container_id == \"$C2\" and .state == \"running\" and .image_digest == \"$D2\")] | length == 1"; then
	ok "second container running in the API within 5 s ($((SECONDS - T2)) s)"
else ko "second container start" "not in /api/v1/containers within 5 s"; fi
check "second image listed with its SBOM" "$(api images | jq -r --arg d "$D2" '[.items[] | select(.digest == $d and .has_sbom)] | length')" 1
# the 15-second container ends by itself: start and stop recorded
if waitfor 25 "containers?host=h1" "[.items[] | select(.container_id == \"$C15\" and .state == \"exited\")] | length == 1"; then
	ok "15-second container recorded as exited"
else ko "15-second container stop" "not exited after 25 s"; fi
LIFE=$(api 'containers?host=h1' | jq -r --arg c "$C15" '.items[] | select(.container_id == $c) | if .started_at and .stopped_at then .stopped_at - .started_at else "missing" end')
if [ "$LIFE" != missing ] && [ "$LIFE" -ge 14 ] && [ "$LIFE" -le 18 ]; then ok "15-second container: stopped_at - started_at = $LIFE s"
else ko "15-second container lifetime" "stopped_at - started_at: $LIFE"; fi
check "its container.die event" "$(api 'events?type=container.die' | jq -r --arg c "$C15" '[.items[] | select(.container == $c)] | length')" 1
check "CIS results of a container started while following" "$(api "containers/$C2/checks" | jq -r '[.items[] | select(.rule_id | startswith("BH-CTR-"))] | length > 0')" true
check "first image still uploaded once" "$(uploads "$D1")" 1
check "second image uploaded once" "$(uploads "$D2")" 1

# ---- server away: events are spooled, then arrive after its restart, none twice
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
C3=$($RUN -d --name bhag-c3 localhost/bh-agent-sleep:1 sleep 300)
podman stop -t 0 bhag-c0 >/dev/null
SPOOLED=0
for _ in $(seq 50); do
	SPOOLED=$(cat "$T/spool"/seg-*.jsonl 2>/dev/null | wc -l)
	[ "$SPOOLED" -ge 3 ] && break; sleep 0.1
done
if [ "$SPOOLED" -ge 2 ]; then ok "events spooled while the server is away ($SPOOLED)"; else ko "spool" "$SPOOLED lines in $T/spool"; fi
cat "$T/spool"/seg-*.jsonl 2>/dev/null | jq -r .idempotency_key >"$T/spooled-keys"
sleep 1
serve || ko "serve restarted" "$(tail -3 "$T/serve.log")"
if waitfor 10 "events?limit=500" "([.items[] | select(.container == \"$C3\" and .type == \"container.start\")] | length == 1) and ([.items[] | select(.container == \"$C0\" and .type == \"container.die\")] | length == 1)"; then
	ok "spooled events arrived after the restart"
else ko "spooled events" "container.start of c3 / container.die of c0 missing after 10 s"; fi
check "container c0 exited, c3 running" "$(api 'containers?host=h1' | jq -r --arg a "$C0" --arg b "$C3" '[.items[] | select((.container_id == $a and .state == "exited") or (.container_id == $b and .state == "running"))] | length')" 2
sleep 1
for _ in $(seq 30); do ls "$T/spool"/seg-*.jsonl >/dev/null 2>&1 || break; sleep 0.2; done
check "spool empty after the resend" "$(ls "$T/spool"/seg-*.jsonl 2>/dev/null | wc -l)" 0
api 'events?limit=500' >"$T/events.json"
check "each spooled event stored exactly once" "$(jq -r --rawfile k "$T/spooled-keys" '($k | split("\n") | map(select(length > 0))) as $ks | [$ks[] as $x | [.items[] | select(.idempotency_key == $x)] | length] | (length > 0 and all(. == 1))' "$T/events.json")" true
check "agent sequence in server order" "$(jq -r '[.items[] | select(.host == "h1") | .idempotency_key | split("/")[1] | tonumber] | . == sort' "$T/events.json")" true

# ---- the engine restarts: the agent reconnects (backoff) and reports what follows
kill "$svc"; wait "$svc" 2>/dev/null; rm -f "$T/podman.sock"
sleep 2
podman_service "$T/podman.sock" "$T/podman2.log" || ko "podman service restarted" "$(tail -1 "$T/podman2.log")"
for _ in $(seq 100); do grep -q 'engine back' "$T/agent.log" && break; sleep 0.2; done
C4=$($RUN -d --name bhag-c4 localhost/bh-agent-sleep:1 sleep 300)
if waitfor 5 "containers?host=h1" "[.items[] | select(.container_id == \"$C4\" and .state == \"running\")] | length == 1"; then
	ok "after an engine restart the agent reconnected and reported a new container"
else ko "engine reconnect" "container c4 not in the API; agent log: $(grep -c reconnect "$T/agent.log") reconnect lines"; fi

kill "$AGT"; wait "$AGT"; check "agent exits 0 on SIGTERM" "$?" 0; AGT=
echo "agent: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
