#!/usr/bin/env bash
# False alarms of the default runtime rules on a normal workload (issue #16): a busybox web service with
# a podman health check every 5 s and a client requesting twice a second, under `bulkhead watch` for
# RB_QUIET_SECS seconds (default 300). Prints the counts of events and alerts (the target is 0 alerts);
# the same run as the last part of tests/e2e/rules-default.sh, which uses 60 s.
set -uo pipefail
export RB_QUIET_SECS=${RB_QUIET_SECS:-300} BH_RULES_QUIET_ONLY=1
out=$(bash "$(dirname "$0")/../tests/e2e/rules-default.sh" 2>&1); rc=$?
grep -E '^  quiet:|^(FAIL|SKIP)' <<<"$out"
q=$(sed -n 's/^  quiet: .*, \([0-9]*\) events (.*), \([0-9]*\) alerts$/\1 \2/p' <<<"$out")
[ -n "$q" ] && echo "rules-quiet: ${RB_QUIET_SECS}s, events $(cut -d' ' -f1 <<<"$q"), alerts $(cut -d' ' -f2 <<<"$q")"
exit $rc
