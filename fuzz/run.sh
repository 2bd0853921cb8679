#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan+UBSan) and runs each for SECONDS (default 10).
#   bash fuzz/run.sh            short run, as CI does
#   bash fuzz/run.sh 3600       the long run (figures in the issue notes)
# Seeds: fuzz/corpus/<name>/ (committed, small, from real files); findings land in build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}   # see long.sh
make -s -j"$(nproc)" fuzz
mkdir -p build-fuzz/artifacts
total=0; failed=0
for bin in build-fuzz/fuzz_*; do
	case $bin in *.d) continue ;; esac   # dependency files of the build
	name=${bin#build-fuzz/fuzz_}
	corpus=build-fuzz/corpus/$name
	mkdir -p "$corpus"
	[ -d "fuzz/corpus/$name" ] && cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
	# seeds from the real test fixtures of the matching analyzer
	case $name in
	npm_lock) seeds="tests/fixtures/npm/package-lock.json" ;;
	npm_pkg) seeds="tests/fixtures/npm/installed/node_modules/lodash/package.json" ;;
	yarn) seeds="tests/fixtures/npm/yarn.lock" ;;
	pnpm) seeds="tests/fixtures/npm/pnpm-lock.yaml" ;;
	python_meta) seeds="$(find tests/fixtures/python/site-packages -type f | tr '\n' ' ')" ;;
	poetry) seeds="tests/fixtures/python/poetry.lock" ;;
	pipfile) seeds="tests/fixtures/python/Pipfile.lock" ;;
	requirements) seeds="tests/fixtures/python/requirements.txt" ;;
	apk) seeds="tests/fixtures/apk/installed" ;;
	rpm) seeds="tests/fixtures/rpm/rpmdb.sqlite tests/fixtures/rpm/Packages.db" ;;
	java) seeds="$(find tests/fixtures/java -name '*.jar' -size -64k | tr '\n' ' ')" ;;
	gemspec) seeds="$(find tests/fixtures/ruby -name '*.gemspec' | tr '\n' ' ')" ;;
	gemfile) seeds="$(find tests/fixtures/ruby -name 'Gemfile.lock' | tr '\n' ' ')" ;;
	cargo) seeds="$(find tests/fixtures/cargo -name 'Cargo.lock' | tr '\n' ' ')" ;;
	composer) seeds="$(find tests/fixtures/composer -name '*.json' -o -name '*.lock' | tr '\n' ' ')" ;;
	container) seeds="$(find tests/fixtures/container -name '*.json' | tr '\n' ' ')" ;;
	sbomread) seeds="tests/fixtures/vuln/debian-derived.json tests/fixtures/cyclonedx/odd-purls-keys-late-1.6.json tests/fixtures/cyclonedx/odd-purls-1.6.xml" ;;
	cdxxml) seeds="tests/fixtures/cyclonedx/odd-purls-1.6.xml tests/fixtures/cyclonedx/spec-valid-bom-1.6.xml tests/fixtures/cyclonedx/laravel-1.1.xml" ;;
	binary) seeds="" ;;
	*) seeds="" ;;
	esac
	for f in $seeds; do [ -f "$f" ] && cp -n "$f" "$corpus/seed-$(basename "$f")" 2>/dev/null; done
	# the same rpm database vacuumed to 512-byte pages: 39 KB instead of 217 KB, so the fuzzer
	# mutates records rather than empty pages (the long run caps rpm inputs at 64 KiB)
	if [ "$name" = rpm ] && [ ! -f "$corpus/seed-rpmdb-small.sqlite" ]; then
		python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA page_size=512"); c.execute("VACUUM INTO ?", (sys.argv[2],))' \
			tests/fixtures/rpm/rpmdb.sqlite "$corpus/seed-rpmdb-small.sqlite" 2>/dev/null || true
	fi
	log=build-fuzz/$name.log
	if "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=512 -timeout=10 -max_len=1048576 \
		-artifact_prefix=build-fuzz/artifacts/"$name"- "$corpus" >"$log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' || true)
		[ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
		echo "fuzz $name: ok, ${runs:-?} executions"
	else
		failed=$((failed + 1)); echo "fuzz $name: FAILED (see $log)"; tail -30 "$log"
	fi
	total=$((total + 1))
done
echo "fuzz: $((total - failed)) passed, $failed failed"
[ $failed -eq 0 ]
