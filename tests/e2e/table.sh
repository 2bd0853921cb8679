#!/usr/bin/env bash
# Output people read, on a real image (a Go binary, a PyPI package with PYSEC advisories, a dpkg
# package with a long CJK name, a setuid file under a long path): the scan table fits 80, 100 and
# 200 columns (display columns, UTF-8 aware) for vulnerabilities and checks, also with
# --group-by package; the width comes from the terminal, else COLUMNS, else 100; --group-by makes
# one row per package with the highest fixed version; PYSEC findings get a title from their
# details; the HTML report is risk-ordered and works under its strict Content-Security-Policy.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${BH_SHARED_DATA:-$(cd "$HERE/../../.." && pwd)/shared/data}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
trap '[ -n "${BH_KEEP:-}" ] || rm -rf "$T"' EXIT
[ -n "${BH_KEEP:-}" ] && echo "table: keeping $T"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

R="$T/root"
. "$HERE/inputs.sh"
report_rootfs "$R"
tar -C "$R" -cf "$T/rootfs.tar" .
img=localhost/bh-e2e-table:1
if ! podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/err" || ! skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>>"$T/err"; then
	ko "image (podman import + skopeo)" "$(head -3 "$T/err")"
	echo "table: $pass passed, $fail failed"; exit 1
fi
podman rmi -f "$img" >/dev/null 2>&1
"$BH" db import --db "$T/t.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/kev" >/dev/null 2>"$T/err" \
	|| { ko "DB import" "$(head -3 "$T/err")"; echo "table: $pass passed, $fail failed"; exit 1; }
S=(scan -q --db "$T/t.db" --scanners vuln,config,secret)

# widest line in display columns (East Asian wide = 2, combining/format = 0)
cat >"$T/width.py" <<'EOF'
import sys, unicodedata
def w(s):
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max(w(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")))
EOF
for W in 80 100 200; do
	for g in "" "--group-by package"; do
		# shellcheck disable=SC2086
		COLUMNS=$W "$BH" "${S[@]}" $g "$T/img.tar" >"$T/t$W$g.txt" 2>"$T/err"
		m=$(python3 "$T/width.py" "$T/t$W$g.txt")
		hv="SEVERITY ID"; [ -n "$g" ] && hv="SEVERITY PACKAGE"
		if [ "$m" -le "$W" ] && grep -q "^SEVERITY RULE" "$T/t$W$g.txt" && grep -q "^$hv" "$T/t$W$g.txt"; then
			ok "COLUMNS=$W ${g:-(rows per finding)}: checks and vulnerability tables, widest line $m"
		else
			ko "COLUMNS=$W $g" "widest line $m; $(head -c 300 "$T/err")"
		fi
	done
done
m200=$(python3 "$T/width.py" "$T/t200.txt")
[ "$m200" -gt 100 ] && ok "200 columns are used (widest line $m200)" || ko "wide terminal" "widest line $m200"
env -u COLUMNS "$BH" "${S[@]}" "$T/img.tar" >"$T/tdef.txt"
m=$(python3 "$T/width.py" "$T/tdef.txt")
[ "$m" -le 100 ] && [ "$m" -gt 80 ] && ok "not a terminal, COLUMNS unset: 100 columns (widest line $m)" || ko "default width" "widest line $m"
# a terminal of 90 columns: its width wins over COLUMNS
if command -v script >/dev/null; then
	COLUMNS=200 script -qec "stty cols 90 rows 50; $BH ${S[*]} $T/img.tar" /dev/null | tr -d '\r' >"$T/tty.txt"
	m=$(python3 "$T/width.py" "$T/tty.txt")
	[ "$m" -le 90 ] && [ "$m" -gt 80 ] && ok "a terminal's width (TIOCGWINSZ, 90) wins over COLUMNS=200 (widest line $m)" || ko "tty width" "widest line $m"
else
	echo "SKIP terminal width: no script(1) (util-linux) to give the scan a pseudo-terminal"
fi

# JSON and table agree; fixed versions are never cut; PYSEC titles come from the details
"$BH" "${S[@]}" -f json --group-by package -o "$T/g.json" "$T/img.tar"
"$BH" "${S[@]}" -f json -o "$T/plain.json" "$T/img.tar"
python3 - "$T" <<'EOF' >"$T/py" 2>&1 && ok "--group-by package: $(cat "$T/py")" || ko "--group-by" "$(cat "$T/py")"
import json, re, sys
t = sys.argv[1]
j = json.load(open(t + "/g.json"))
plain = json.load(open(t + "/plain.json"))
assert "groups" not in plain, "groups without --group-by"
f = j["findings"]
groups = j["groups"]
keys = {(x["ecosystem"], x["package"], x["installed_version"]) for x in f}
assert len(groups) == len(keys), (len(groups), len(keys))
assert sum(g["count"] for g in groups) == len(f)
std = [g for g in groups if g["package"] == "stdlib"]
assert len(std) == 1 and std[0]["count"] > 10, std
def gover(v):
    return tuple(int(p) for p in re.findall(r"\d+", v))
fixes = [x["fixed_version"] for x in f if x["package"] == "stdlib" and x["fixed_version"]]
assert std[0]["fixed_version"] == max(fixes, key=gover), (std[0]["fixed_version"], max(fixes, key=gover))
table = open(t + "/t100--group-by package.txt", encoding="utf-8").read().split("SEVERITY PACKAGE", 1)[1]
rows = [l for l in table.split("\n") if re.match(r"(CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN) ", l)]
assert len(rows) == len(groups), (len(rows), len(groups))
row = [r for r in rows if " stdlib " in r][0].split()
assert row[3] == std[0]["fixed_version"] and int(row[4]) == std[0]["count"], row
print("%d findings in %d rows; stdlib: %d advisories in one row, highest fix %s" % (len(f), len(rows), std[0]["count"], std[0]["fixed_version"]))
EOF
python3 - "$T" <<'EOF' >"$T/py" 2>&1 && ok "fixed versions whole in the 80-column table; $(cat "$T/py")" || ko "fixed versions / titles" "$(cat "$T/py")"
import json, sys
t = sys.argv[1]
f = json.load(open(t + "/plain.json"))["findings"]
table = open(t + "/t80.txt", encoding="utf-8").read()
cut = [x["fixed_version"] for x in f if x["fixed_version"] and x["fixed_version"] not in table]
assert not cut, cut[:5]
py = [x for x in f if x["id"].startswith("PYSEC-")]
assert py, "no PYSEC finding"
bad = [x["id"] for x in py if not x["title"] or "`" in x["title"] or len(x["title"].encode()) > 163]
assert not bad, bad
print("%d PYSEC findings titled from their details, e.g. %r" % (len(py), py[0]["title"][:70]))
EOF

# HTML: strict CSP, no event handlers, one risk-ordered list with CVE ids and layers
"$BH" "${S[@]}" -f html -o "$T/r.html" "$T/img.tar"
python3 - "$T/r.html" "$T/plain.json" <<'EOF' >"$T/py" 2>&1 && ok "HTML: $(cat "$T/py")" || ko "HTML" "$(cat "$T/py")"
import base64, hashlib, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
j = json.load(open(sys.argv[2]))
on = re.findall(r"<[^>]*\son[a-z]+\s*=", page, re.I)
assert not on, on[:3]
m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page)
assert m, "no CSP meta"
csp = m.group(1)
assert "default-src 'none'" in csp and "unsafe-inline" not in csp, csp
blocks = re.findall(r"<(style|script)[^>]*>(.*?)</\1>", page, re.S)
assert blocks, "no inline block"
for kind, body in blocks:
    h = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
    src = re.search(kind + r"-src ([^;]*)", csp)
    assert src and h in src.group(1).split(), (kind, h, csp)
assert not re.search(r"\sstyle=", page), "inline style attribute (blocked by the CSP)"
rank = {"critical": 4, "high": 3, "medium": 2, "low": 1, "unknown": 0}
rows = re.findall(r'<tr class="(vuln|check) s-(\w+) (hasfix|nofix) (iskev|nokev)"', page)
assert len(rows) == len(j["findings"]) + len(j["checks"]), (len(rows), len(j["findings"]), len(j["checks"]))
sev = [rank[r[1]] for r in rows if not (r[0] == "check")] 
keys = [(rank[s], k == "iskev", fx == "hasfix") for kind, s, fx, k in rows]
assert all(a[0] >= b[0] for a, b in zip(keys, keys[1:])), "not in severity order"
assert rows[0][0] == "check" or rank[rows[0][1]] == max(rank[r[1]] for r in rows)
cves = [a for x in j["findings"] for a in x["aliases"] if a.startswith("CVE-")]
assert cves and all(c in page for c in cves), "CVE ids missing"
assert re.search(r"layer \d+", page), "no layer"
print("CSP %s matches %d inline block(s); %d rows in risk order, %d CVE ids shown" % (csp.split(";")[1].strip()[:40], len(blocks), len(rows), len(set(cves))))
EOF

echo "table: $pass passed, $fail failed"
[ $fail -eq 0 ]
