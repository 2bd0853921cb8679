#!/usr/bin/env bash
# check-includes.sh - scripts/check-includes.py must catch an upward include, a parent include, a cycle and an unmapped folder.
set -u
cd "$(dirname "$0")/../.."
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
mk() { mkdir -p "$(dirname "$T/$1/$2")"; printf '%b' "$3" > "$T/$1/$2"; }
expect() { # name, expected exit, expected text
	out=$(python3 scripts/check-includes.py "$T/$1" 2>&1); rc=$?
	if [ "$rc" = "$2" ] && grep -q -- "$3" <<<"$out"; then pass=$((pass+1)); else
		fail=$((fail+1)); echo "FAIL $1: exit $rc, wanted $2 and '$3':"; echo "$out"; fi
}
mk clean core/a.h '#include <stdio.h>\n'; mk clean vuln/b.c '#include "core/a.h"\n#include "vuln/b.h"\n'; mk clean vuln/b.h ''
mk clean runtime/r.c '#include "runtime/bpf/x.h"\n'; mk clean runtime/bpf/x.h '#include "core/a.h"\n'
expect clean 0 "0 violations"
mk up core/a.c '#include "vuln/b.h"\n'; mk up vuln/b.h ''
expect up 1 'core/ includes "vuln/b.h" from vuln/, which is not below it'
mk parent runtime/r.h ''; mk parent runtime/bpf/x.c '#include "runtime/r.h"\n'
expect parent 1 'runtime/bpf/ includes "runtime/r.h"'
mk cycle core/a.h '#include "core/b.h"\n'; mk cycle core/b.h '#include "core/c.h"\n'; mk cycle core/c.h '#include "core/a.h"\n'
expect cycle 1 'include cycle: core/a.h -> core/b.h -> core/c.h -> core/a.h'
mk unmapped widgets/w.c ''
expect unmapped 1 "folder 'widgets' is not on the layer map"
mk bare core/a.c '#include "a.h"\n'; mk bare core/a.h ''
expect bare 1 'must name its folder'
# and the real tree
if python3 scripts/check-includes.py src; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: src/ has include violations"; fi
echo "check-includes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
