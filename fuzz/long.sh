#!/usr/bin/env bash
# The long fuzzing run: every target until RUNS executions (default 10 million) or LIMIT seconds
# (default 1800), seeded like fuzz/run.sh. Prints executions per target; findings in build-fuzz/artifacts.
#   nice bash fuzz/long.sh                   (about an hour on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10000000}
LIMIT=${LIMIT:-1800}
bash fuzz/run.sh 1 >/dev/null 2>&1 || true   # builds and seeds build-fuzz/corpus/*
mkdir -p build-fuzz/artifacts
for bin in build-fuzz/fuzz_*; do
	name=${bin#build-fuzz/fuzz_}
	log=build-fuzz/long-$name.log
	start=$(date +%s)
	"$bin" -runs="$RUNS" -max_total_time="$LIMIT" -rss_limit_mb=512 -timeout=10 -max_len=1048576 \
		-artifact_prefix=build-fuzz/artifacts/"$name"- build-fuzz/corpus/"$name" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	echo "$name: exit $rc, ${execs:-?} executions, $(( $(date +%s) - start )) s"
done
