#!/bin/sh
# Runs every unit-test binary under $BUILD/tests; prints one closing summary line.
BUILD=${BUILD:-build}
pass=0; fail=0
for t in $(find "$BUILD/tests" -type f -perm -u+x -name 'test_*' | sort); do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit test programs: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
