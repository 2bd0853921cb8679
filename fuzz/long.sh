#!/usr/bin/env bash
# The long fuzzing run: every target until RUNS executions (default 10 million) or LIMIT seconds
# (default 3600), JOBS targets at a time (default 2), seeded like fuzz/run.sh.
# Prints executions per target; findings land in build-fuzz/artifacts, logs in build-fuzz/long-*.log.
#   nice bash fuzz/long.sh                       (33 targets: about 8 hours on 2 cores)
#   TARGETS="java pnpm" LIMIT=600 bash fuzz/long.sh
#   TARGETS="java=7300000 pnpm" bash fuzz/long.sh   (NAME=RUNS: top a target up to its total)
# Text parsers are fuzzed with inputs up to 16 KiB (larger inputs only slow the search down; the
# size limits themselves are covered by tests/malicious); archives and binaries up to 1 MiB. The rpm
# target is seeded with a vacuumed 39 KB copy of the real rpmdb.sqlite and fuzzed up to 64 KiB;
# licence strings just past the normaliser's 4 KiB bound.
set -uo pipefail
cd "$(dirname "$0")/.."
# ASan's quarantine of freed memory (256 MB by default) would count against the 512 MB RSS bound
# after a few thousand inputs; 64 MB still catches a use after free within an input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
RUNS=${RUNS:-10000000}
LIMIT=${LIMIT:-3600}
JOBS=${JOBS:-2}
bash fuzz/run.sh 1 >/dev/null 2>&1 || true   # builds and seeds build-fuzz/corpus/*
mkdir -p build-fuzz/artifacts
one() {
	name=${1%%=*}
	runs=$RUNS
	case $1 in *=*) runs=${1#*=} ;; esac
	case $name in
	archive|layer|java|binary) maxlen=1048576 ;;
	rpm) maxlen=65536 ;;
	license) maxlen=4200 ;; # the normaliser refuses declared licences over 4 KiB at once
	*) maxlen=16384 ;;
	esac
	log=build-fuzz/long-$name.log
	start=$(date +%s)
	build-fuzz/fuzz_"$name" -runs="$runs" -max_total_time="$LIMIT" -rss_limit_mb=512 -timeout=10 \
		-max_len="$maxlen" -artifact_prefix=build-fuzz/artifacts/"$name"- build-fuzz/corpus/"$name" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	echo "$name: exit $rc, ${execs:-?} executions, $(( $(date +%s) - start )) s"
}
export -f one
export RUNS LIMIT
if [ -n "${TARGETS:-}" ]; then list=$TARGETS
else list=$(for b in build-fuzz/fuzz_*; do case $b in *.d) ;; *) echo "${b#build-fuzz/fuzz_}" ;; esac; done)
fi
printf '%s\n' $list | xargs -P "$JOBS" -I{} bash -c 'one {}'
