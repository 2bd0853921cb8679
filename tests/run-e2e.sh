#!/usr/bin/env bash
# Runs the end-to-end scripts named in $BH_E2E (paths under tests/), each to its end even when one
# before it failed, with its wall time; one closing line. BH_SAN=1 (the sanitizer pass of make test)
# loosens the one latency bound ASan's slowdown would break and skips the container image build.
set -uo pipefail
BUILD=${BUILD:-build}
export BUILD
failed=
total=0
times=
for s in ${BH_E2E:?BH_E2E names the scripts}; do
	t0=$(date +%s)
	if [ "${BH_SAN:-0}" = 1 ]; then
		BH_LOAD_P99_MAX_MS=1000 BH_DEPLOY_IMAGE=0 bash "tests/$s"
	else
		bash "tests/$s"
	fi
	rc=$?
	dt=$(($(date +%s) - t0))
	total=$((total + dt))
	times="$times $(basename "$s" .sh)=${dt}s"
	[ "$rc" = 0 ] || failed="$failed $s"
done
echo "e2e timings:$times (total ${total}s)"
if [ -n "$failed" ]; then
	echo "e2e scripts: FAILED:$failed"
	exit 1
fi
echo "e2e scripts: all passed"
