#!/usr/bin/env bash
# Every output format of `sbom` and `scan` on a small real image with hostile names, validated
# against the official schemas in ../shared/data/schemas (tests/e2e/schema_validate.py): counts
# agree with the JSON, CVE aliases show everywhere, no control character reaches a terminal or
# a document, invalid UTF-8 never drops a finding, and SOURCE_DATE_EPOCH output is reproducible.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${BH_SHARED_DATA:-$(cd "$HERE/../../.." && pwd)/shared/data}
export BH_SHARED_DATA=$DATA
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
trap '[ -n "${BH_KEEP:-}" ] || rm -rf "$T"' EXIT
[ -n "${BH_KEEP:-}" ] && echo "formats: keeping $T"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
V="python3 $HERE/schema_validate.py"
ESC=$(printf '\033'); FF=$(printf '\377')

# --- the image: this machine's dpkg status + os-release, a hostile dpkg entry, a vulnerable Python
# package, a Go binary under a path with \xff, a setuid file and a secret whose names carry \xff,
# ESC/OSC sequences, CR and DEL. Made by podman import + skopeo, as run.sh does.
R="$T/root"
mkdir -p "$R/var/lib/dpkg" "$R/usr/lib" "$R/etc" "$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info" \
	"$R/app/bin$FF" "$R/usr/local/bin" "$R/srv/conf${FF}"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/" && cp /usr/lib/os-release "$R/usr/lib/"
ln -s ../usr/lib/os-release "$R/etc/os-release"
printf '\nPackage: evil%spkg\nStatus: install ok installed\nVersion: 1.0%s]0;owned%s\nArchitecture: amd64\nDescription: x\n' \
	"$FF" "$ESC" "$(printf '\007')" >>"$R/var/lib/dpkg/status"
printf 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nLicense: BSD\n' >"$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA"
GOBIN=$(command -v skopeo || command -v podman)
cp "$GOBIN" "$R/app/bin$FF/tool"
printf '#!/bin/sh\n' >"$R/usr/local/bin/su${FF}${ESC}[31mdo$(printf '\r')x$(printf '\177')"
chmod 4755 "$R/usr/local/bin/su${FF}${ESC}[31mdo$(printf '\r')x$(printf '\177')"
printf 'aws_access_key_id = AKIAZ7QXW3ERT5YU6OP2\naws_secret_access_key = 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\n' \
	>"$R/srv/conf${FF}/cred${ESC}]0;x$(printf '\007')[a](b)|<i>\`.ini"
tar -C "$R" -cf "$T/rootfs.tar" .
img=localhost/bh-e2e-formats:1
if ! podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/err" || ! skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>>"$T/err"; then
	ko "image with hostile names (podman import + skopeo)" "$(head -3 "$T/err")"
	echo "formats: $pass passed, $fail failed"; exit 1
fi
podman rmi -f "$img" >/dev/null 2>&1
"$BH" db import --db "$T/f.db" "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" "$DATA/kev" >/dev/null 2>"$T/err" \
	|| { ko "DB import" "$(head -3 "$T/err")"; echo "formats: $pass passed, $fail failed"; exit 1; }

# --- sbom: every format
for f in table json cyclonedx spdx; do
	timeout 120 "$BH" sbom -q -f $f -o "$T/sbom.$f" "$T/img.tar" 2>"$T/sbom.$f.err"; rc=$?
	[ $rc -eq 0 ] && [ -s "$T/sbom.$f" ] && ok "sbom -f $f" || ko "sbom -f $f" "rc=$rc $(head -c 300 "$T/sbom.$f.err")"
done
$V cyclonedx "$T/sbom.cyclonedx" >"$T/v" 2>&1 && ok "sbom CycloneDX valid against bom-1.5.schema.json ($(cat "$T/v"))" || ko "sbom CycloneDX schema" "$(cat "$T/v")"
$V spdx "$T/sbom.spdx" >"$T/v" 2>&1 && ok "sbom SPDX valid against spdx-schema-2.3.json, licence expressions valid ($(cat "$T/v"))" || ko "sbom SPDX schema" "$(cat "$T/v")"
# This machine's Debian copyright files give hundreds of real declared licences (WITH exceptions, odd names)
if timeout 180 "$BH" sbom -q -f spdx -o "$T/host.spdx" dir:/ 2>"$T/err"; then
	$V spdx "$T/host.spdx" >"$T/v" 2>&1 && ok "SPDX of dir:/ valid, every licenseDeclared an SPDX 2.3 expression ($(jq '[.packages[] | select(.licenseDeclared != "NOASSERTION")] | length' "$T/host.spdx") declared, $(jq '.hasExtractedLicensingInfos // [] | length' "$T/host.spdx") LicenseRefs; $(cut -c1-200 "$T/v"))" || ko "SPDX of dir:/" "$(cut -c1-600 "$T/v")"
else
	ko "sbom -f spdx dir:/" "$(head -c 300 "$T/err")"
fi
nj=$(jq '.components | length' "$T/sbom.json")
nc=$(jq '[.components[] | select(.type != "operating-system")] | length' "$T/sbom.cyclonedx")
ns=$(jq '[.packages[] | select(.SPDXID | startswith("SPDXRef-Package-"))] | length' "$T/sbom.spdx")
nt=$(awk 'p && NF {n++} /^TYPE /{p=1} /^Warning: /{p=0} END {print n+0}' "$T/sbom.table")
[ "$nj" -gt 0 ] && [ "$nj" = "$nc" ] && [ "$nj" = "$ns" ] && ok "every component in JSON, CycloneDX and SPDX ($nj)" || ko "component counts" "json=$nj cdx=$nc spdx=$ns table=$nt"
jq -e '[.components[] | select(.name | test("^evil\uFFFDpkg$"))] | length == 1' "$T/sbom.json" >/dev/null \
	&& jq -e '[.packages[] | select(.name == "evil\uFFFDpkg")] | length == 1' "$T/sbom.spdx" >/dev/null \
	&& jq -e '[.components[] | select(.name == "evil\uFFFDpkg")] | length == 1' "$T/sbom.cyclonedx" >/dev/null \
	&& ok "a dpkg name with \\xff is kept, as U+FFFD, in JSON, SPDX and CycloneDX" || ko "invalid UTF-8 package name" "$(jq -c '[.components[] | select(.name | startswith("evil"))]' "$T/sbom.json")"
jq -e '[.components[] | select(.path | test("^/app/bin\uFFFD/tool$"))] | length > 0' "$T/sbom.json" >/dev/null \
	&& ok "Go modules of a binary under a \\xff path are listed ($(jq '[.components[] | select(.path | test("^/app/bin"))] | length' "$T/sbom.json"))" || ko "Go binary under a \\xff path" "missing"

# --- scan: every format
S=(scan -q --db "$T/f.db" --scanners vuln,config,secret)
for f in table json sarif cyclonedx junit html markdown; do
	timeout 180 "$BH" "${S[@]}" -f $f -o "$T/scan.$f" "$T/img.tar" 2>"$T/scan.$f.err"; rc=$?
	[ $rc -eq 0 ] && [ -s "$T/scan.$f" ] && ok "scan -f $f" || ko "scan -f $f" "rc=$rc $(head -c 300 "$T/scan.$f.err")"
done
J="$T/scan.json"
nf=$(jq '.findings | length' "$J"); nck=$(jq '[.checks[] | select(.status == "fail")] | length' "$J")
[ "$nf" -gt 0 ] && ok "scan finds vulnerabilities ($nf) and checks ($nck)" || ko "scan findings" "none: the test needs findings"
$V sarif "$T/scan.sarif" >"$T/v" 2>&1 && ok "SARIF valid against sarif-schema-2.1.0.json, URIs RFC 3986 ($(cat "$T/v"))" || ko "SARIF schema" "$(cat "$T/v")"
$V cyclonedx "$T/scan.cyclonedx" >"$T/v" 2>&1 && ok "scan CycloneDX valid against bom-1.5.schema.json ($(cat "$T/v"))" || ko "scan CycloneDX schema" "$(cat "$T/v")"
if command -v xmllint >/dev/null; then
	$V junit "$T/scan.junit" >"$T/v" 2>&1 && ok "JUnit valid against JUnit.xsd ($(cat "$T/v"))" || ko "JUnit schema" "$(cat "$T/v")"
else
	echo "SKIP JUnit.xsd validation: no xmllint (apt-get install libxml2-utils; scripts/setup.sh does)"
fi
ns=$(jq '.runs[0].results | length' "$T/scan.sarif")
[ "$ns" -eq $((nf + nck)) ] && ok "SARIF results = JSON findings + failed checks ($ns)" || ko "SARIF count" "sarif=$ns json=$nf+$nck"
nv=$(jq '.vulnerabilities | length' "$T/scan.cyclonedx")
[ "$nv" -eq "$nf" ] && ok "CycloneDX vulnerabilities = JSON findings ($nv)" || ko "CycloneDX count" "cdx=$nv json=$nf"
nju=$(python3 -c "import sys, xml.etree.ElementTree as E; print(len(E.parse(sys.argv[1]).getroot().findall('.//failure')))" "$T/scan.junit")
[ "$nju" -eq $((nf + nck)) ] && ok "JUnit failures = JSON findings + failed checks ($nju)" || ko "JUnit count" "junit=$nju json=$nf+$nck"
# GitLab: Code Quality (fields checked by hand: GitLab publishes no schema for it) and Container Scanning
# (GitLab's schema 15.2.4, tests/fixtures/gitlab); named .json so the escaping check below reads them as JSON
for f in codequality container-scanning; do
	timeout 180 "$BH" "${S[@]}" -f gitlab-$f -o "$T/scan.gl-$f.json" "$T/img.tar" 2>"$T/err"; rc=$?
	[ $rc -eq 0 ] && python3 "$HERE/gitlab_validate.py" $f "$T/scan.gl-$f.json" >"$T/v" 2>&1 \
		&& ok "scan -f gitlab-$f valid ($(cat "$T/v"))" || ko "scan -f gitlab-$f" "rc=$rc $(head -c 300 "$T/err") $(cat "$T/v")"
done
python3 - "$J" "$T/scan.gl-codequality.json" "$T/scan.gl-container-scanning.json" <<'EOF' >"$T/v" 2>&1 && ok "GitLab reports: every finding and failed check placed, CVE aliases as identifiers ($(cat "$T/v"))" || ko "GitLab content" "$(cat "$T/v")"
import json, sys
j, cq, cs = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
fails = [c for c in j["checks"] if c["status"] == "fail"]
miss = []
if len(cq) != len(j["findings"]) + len(fails) or len(cs["vulnerabilities"]) != len(j["findings"]):
    miss.append("counts cq=%d cs=%d json=%d+%d" % (len(cq), len(cs["vulnerabilities"]), len(j["findings"]), len(fails)))
at = {(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in cq}
for f in j["findings"]:
    if (f["id"], (f["path"] or "").lstrip("/"), 1) not in at:
        miss.append(("vuln", f["id"], f["path"]))
for c in fails:
    if c["path"] and (c["rule"], c["path"].lstrip("/"), c["line"] or 1) not in at:
        miss.append(("check", c["rule"], c["path"], c["line"]))
ids = {(v["location"]["dependency"]["package"]["name"], v["identifiers"][0]["value"]): v for v in cs["vulnerabilities"]}
for f in j["findings"]:
    v = ids.get((f["package"], f["id"]))
    if not v:
        miss.append(("cs", f["id"], f["package"])); continue
    want = sorted(a for a in f["aliases"] if a.startswith("CVE-"))
    if sorted(i["value"] for i in v["identifiers"] if i["type"] == "cve" and i["value"] != f["id"]) != want:
        miss.append(("cs aliases", f["id"], [i["value"] for i in v["identifiers"]], f["aliases"]))
if not any("\ufffd" in i["location"]["path"] for i in cq):
    miss.append("no path with \\xff (as U+FFFD) among the issues")
if miss:
    print(len(miss), "problems, e.g.", miss[:4]); sys.exit(1)
print("%d issues, %d vulnerabilities, %d with a CVE alias" % (len(cq), len(cs["vulnerabilities"]),
      sum(any(i["type"] == "cve" for i in v["identifiers"][1:]) for v in cs["vulnerabilities"])))
EOF
"$BH" "${S[@]}" -f gitlab-codequality -o "$T/gl2.json" "$T/img.tar" 2>/dev/null
[ "$(jq -c '[.[].fingerprint]' "$T/gl2.json")" = "$(jq -c '[.[].fingerprint]' "$T/scan.gl-codequality.json")" ] \
	&& ok "GitLab Code Quality fingerprints stable across runs" || ko "GitLab fingerprints" "differ between two runs"
python3 - "$J" "$T/scan.sarif" <<'EOF' && ok "every SARIF result of a file has an artifact URI, the others a logical location" || ko "SARIF locations" "see above"
import json, sys
s = json.load(open(sys.argv[2]))
bad = [r["ruleId"] for r in s["runs"][0]["results"] for l in r["locations"]
       if not (("physicalLocation" in l and l["physicalLocation"]["artifactLocation"]["uri"]) or l.get("logicalLocations"))]
uris = [l["physicalLocation"]["artifactLocation"]["uri"] for r in s["runs"][0]["results"] for l in r["locations"] if "physicalLocation" in l]
if bad or not any("%FF" in u for u in uris):
    print("bad locations:", bad[:5], "no %FF-encoded uri" if not any("%FF" in u for u in uris) else ""); sys.exit(1)
EOF

# CVE aliases (CVE first) in every format
python3 - "$T" <<'EOF' >"$T/al" 2>&1 && ok "CVE aliases in table, HTML, Markdown, SARIF, JUnit and CycloneDX ($(cat "$T/al"))" || ko "aliases" "$(cat "$T/al")"
import json, sys, html, xml.etree.ElementTree as E
t = sys.argv[1]
j = json.load(open(t + "/scan.json"))
withcve = [f for f in j["findings"] if any(a.startswith("CVE-") for a in f["aliases"])]
if not withcve:
    print("no finding with a CVE alias"); sys.exit(1)
table = open(t + "/scan.table", encoding="utf-8").read()
page = open(t + "/scan.html", encoding="utf-8").read()
md = open(t + "/scan.markdown", encoding="utf-8").read()
sarif = json.load(open(t + "/scan.sarif"))["runs"][0]["results"]
cdx = {v["id"]: v for v in json.load(open(t + "/scan.cyclonedx"))["vulnerabilities"]}
junit = " ".join((c.get("name") or "") + " " + (c.findtext("failure") or "") for c in E.parse(t + "/scan.junit").getroot().iter("testcase"))
miss = []
for f in withcve:
    cve = sorted(a for a in f["aliases"] if a.startswith("CVE-"))[0]
    for name, text in (("table", table), ("html", page), ("markdown", md.replace("\\-", "-")), ("junit", junit)):
        if cve not in text:
            miss.append((name, f["id"], cve))
    if not any(r["ruleId"] == f["id"] and cve in r.get("properties", {}).get("aliases", []) and cve in r["message"]["text"] for r in sarif):
        miss.append(("sarif", f["id"], cve))
    if not any(x["id"] == cve for x in cdx.get(f["id"], {}).get("references", [])):
        miss.append(("cyclonedx", f["id"], cve))
if miss:
    print(len(miss), "missing, e.g.", miss[:5]); sys.exit(1)
print("%d findings with a CVE alias" % len(withcve))
EOF

# No control character or invalid UTF-8 in any output; Markdown and HTML escape markup
python3 - "$T" <<'EOF' >"$T/cc" 2>&1 && ok "all outputs valid UTF-8, no raw control characters; Markdown/HTML markup escaped" || ko "escaping" "$(cat "$T/cc")"
import glob, re, sys
t = sys.argv[1]
bad = []
for p in sorted(glob.glob(t + "/sbom.*") + glob.glob(t + "/scan.*")):
    b = open(p, "rb").read()
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("%s: invalid UTF-8 at %d" % (p, e.start)); continue
    # JSON escapes C0 itself; DEL and C1 are legal raw JSON text, so only the text formats are held to them
    js = p.endswith((".json", ".sarif", ".cyclonedx", ".spdx"))
    ctl = re.findall(r"[\x00-\x08\x0b-\x1f]" if js else r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]", s)
    if ctl:
        bad.append("%s: %d raw control characters %r" % (p, len(ctl), ctl[:3]))
md = open(t + "/scan.markdown", encoding="utf-8").read()
md = re.sub(r"`[A-Za-z0-9._:-]+`", "ID", md)  # plain rule ids are code spans; nothing else may be
for m in re.finditer(r"(?<!\\)[<`]|(?<!\\)\[(?!(CVE|GHSA|GO|PYSEC|RUSTSEC|DSA|DLA|OSV)-)", md):
    bad.append("markdown: unescaped %r at %d: %r" % (m.group(0), m.start(), md[max(0, m.start() - 30):m.start() + 30])); break
page = open(t + "/scan.html", encoding="utf-8").read()
if re.search(r"<i>|<script", page):
    bad.append("html: markup from a file name")
if bad:
    print("\n".join(bad[:8])); sys.exit(1)
EOF
grep -qF "su$(printf '\357\277\275')\\x1b[31mdo\\x0dx\\x7f" "$T/scan.table" && ok "table shows control characters of a file name as \\xNN" || ko "table escaping" "$(grep -a 'usr/local/bin/su' "$T/scan.table" | head -2 | od -c | head -3)"
"$BH" sbom -q "$T/no-such${ESC}]0;owned$(printf '\007')${FF}.tar" >/dev/null 2>"$T/err"
! grep -q "$ESC" "$T/err" && grep -q 'no-such\\x1b\]0;owned\\x07' "$T/err" && ok "errors on stderr escape control characters ($(head -c 120 "$T/err"))" || ko "stderr escaping" "$(od -c "$T/err" | head -3)"

# One layer numbering: findings and checks carry {index, digest, created_by}, index into layers[]
jq -e '(.sbom.layers | length) as $n | [(.findings[], .checks[]) | .layer | select(. != null) | (keys == ["created_by","digest","index"] and .index >= 0 and .index < $n)] | (length > 0 and all)' "$J" >/dev/null \
	&& jq -e '[.checks[] | .layer | select(. != null and type != "object")] | length == 0' "$J" >/dev/null \
	&& ok "JSON layer of findings and checks: one object shape, 0-based like layers[]" || ko "layer shape" "$(jq -c '[.findings[0].layer, .checks[0].layer]' "$J")"
li=$(jq -r '[.checks[] | select(.layer != null)][0].layer.index' "$J")
grep -q "layer $li (" "$T/scan.table" && grep -q "layer $li (" "$T/scan.html" && ok "table and HTML say \"layer $li\" like the JSON index" || ko "human layer numbering" "json index $li"

# Warnings in every scan format
w=$(jq -r '.warnings[0] // empty' "$J")
if [ -n "$w" ]; then
	k=$(echo "$w" | cut -c1-30)
	miss=""
	for f in table html junit; do grep -qF -- "$k" "$T/scan.$f" || miss="$miss $f"; done
	sed 's/\\\([[:punct:]]\)/\1/g' "$T/scan.markdown" | grep -F -- "$k" >/dev/null || miss="$miss markdown"
	jq -e --arg w "$w" '.runs[0].invocations[0].toolExecutionNotifications | any(.message.text == $w)' "$T/scan.sarif" >/dev/null || miss="$miss sarif"
	jq -e --arg w "$w" '.metadata.properties | any(.name == "bulkhead:warning" and .value == $w)' "$T/scan.cyclonedx" >/dev/null || miss="$miss cyclonedx"
	[ -z "$miss" ] && ok "scan warnings in every format ($(jq ".warnings | length" "$J"): \"$k...\")" || ko "warnings" "\"$k\" missing in:$miss"
else
	echo "SKIP warnings in every format: this scan has no warning"
fi

# SOURCE_DATE_EPOCH: byte-identical CycloneDX and SPDX; serial and namespace derived from the content
for f in cyclonedx spdx; do
	SOURCE_DATE_EPOCH=1700000000 "$BH" sbom -q -f $f -o "$T/r1.$f" "$T/img.tar" && SOURCE_DATE_EPOCH=1700000000 "$BH" sbom -q -f $f -o "$T/r2.$f" "$T/img.tar"
	cmp -s "$T/r1.$f" "$T/r2.$f" && ok "SOURCE_DATE_EPOCH: two sbom -f $f runs are byte-identical" || ko "reproducible $f" "$(diff "$T/r1.$f" "$T/r2.$f" | head -4)"
done
SOURCE_DATE_EPOCH=1700000000 "$BH" "${S[@]}" -f cyclonedx -o "$T/r1.scdx" "$T/img.tar"; SOURCE_DATE_EPOCH=1700000000 "$BH" "${S[@]}" -f cyclonedx -o "$T/r2.scdx" "$T/img.tar"
cmp -s "$T/r1.scdx" "$T/r2.scdx" && ok "SOURCE_DATE_EPOCH: two scan -f cyclonedx runs are byte-identical" || ko "reproducible scan cdx" "$(diff "$T/r1.scdx" "$T/r2.scdx" | head -4)"
SOURCE_DATE_EPOCH=1700000000 "$BH" "${S[@]}" -f gitlab-container-scanning -o "$T/r1.gcs" "$T/img.tar"; SOURCE_DATE_EPOCH=1700000000 "$BH" "${S[@]}" -f gitlab-container-scanning -o "$T/r2.gcs" "$T/img.tar"
cmp -s "$T/r1.gcs" "$T/r2.gcs" && ok "SOURCE_DATE_EPOCH: two scan -f gitlab-container-scanning runs are byte-identical" || ko "reproducible gitlab-container-scanning" "$(diff "$T/r1.gcs" "$T/r2.gcs" | head -4)"
[ "$(jq -r .metadata.timestamp "$T/r1.cyclonedx")" = 2023-11-14T22:13:20Z ] && [ "$(jq -r .serialNumber "$T/r1.cyclonedx")" != "$(jq -r .serialNumber "$T/sbom.cyclonedx")" ] \
	&& [ "$(jq -r .serialNumber "$T/r1.cyclonedx")" != "$(jq -r .serialNumber "$T/r1.scdx")" ] \
	&& ok "timestamp from SOURCE_DATE_EPOCH; serials differ without it and between sbom and scan BOMs" || ko "serials" "$(jq -r .serialNumber "$T/r1.cyclonedx" "$T/sbom.cyclonedx" "$T/r1.scdx")"
$V cyclonedx "$T/r1.cyclonedx" "$T/r1.scdx" >/dev/null && $V spdx "$T/r1.spdx" >/dev/null && ok "reproducible documents are schema-valid" || ko "reproducible documents schema" "invalid"

echo "formats: $pass passed, $fail failed"
[ $fail -eq 0 ]
