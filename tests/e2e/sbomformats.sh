#!/usr/bin/env bash
# Stored SBOMs of every CycloneDX flavour read back: real documents (tests/fixtures/cyclonedx, from
# CycloneDX/bom-examples and CycloneDX/specification; JSON and XML, spec 1.1-1.6, nested components,
# SaaSBOM, odd purl types) give as many components as an independent walk of each document
# (tests/e2e/sbom_count.py); format detection by content (keys after 4 KiB, XML namespaces, SPDX
# tag-value/3.0) with a message saying what a refused file is; CycloneDX 1.6 written for a test
# image is schema-valid and reads back to the same components.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
HERE=$(cd "$(dirname "$0")" && pwd)
FIX="$HERE/../fixtures/cyclonedx"
DATA=${BH_SHARED_DATA:-$(cd "$HERE/../../.." && pwd)/shared/data}
export BH_SHARED_DATA=$DATA
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$HERE/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
trap '[ -n "${BH_KEEP:-}" ] || rm -rf "$T"' EXIT
pass=0; fail=0; skip=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
sk() { skip=$((skip + 1)); echo "SKIP $1"; }
V="python3 $HERE/schema_validate.py"

# `scan` is the command that reads stored SBOMs; an empty DB (one PyPI advisory) keeps it offline
"$BH" db import --db "$T/e.db" "$HERE/../fixtures/vuln/osv-pypa" >/dev/null 2>&1 || { echo "FAIL cannot make a DB"; exit 1; }
readsbom() { "$BH" scan -q --db "$T/e.db" -f json "$@"; }

# --- real documents: components read == components with a purl in an independent walk
printf '%-40s %-6s %-6s %9s %6s\n' file format spec expected read
for f in "$FIX"/*.json "$FIX"/*.xml; do
	b=$(basename "$f")
	read -r _ fmt spec want < <(python3 "$HERE/sbom_count.py" "$f")
	got=$(readsbom "sbom:$f" 2>"$T/err" | jq '.sbom.components | length')
	printf '%-40s %-6s %-6s %9s %6s\n' "$b" "$fmt" "$spec" "$want" "${got:-error}"
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		ok "$b: $got components, as the walk counts"
	else
		ko "$b" "read ${got:-nothing}, walk counts $want: $(head -c 300 "$T/err")"
	fi
done

# the XML and JSON of one BOM agree component by component
a=$(readsbom "sbom:$FIX/odd-purls-1.6.xml" 2>/dev/null | jq -c '[.sbom.components[].purl] | sort')
b=$(readsbom "sbom:$FIX/odd-purls-keys-late-1.6.json" 2>/dev/null | jq -c '[.sbom.components[].purl] | sort')
[ -n "$a" ] && [ "$a" = "$b" ] && ok "odd-purls XML and JSON read to the same purls" || ko "odd-purls XML vs JSON" "$a / $b"
echo "$a" | jq -e 'index("pkg:github/CycloneDX/cyclonedx-core-java@v8.0.0") and index("pkg:swift/github.com/apple/swift-nio@2.62.0") and index("pkg:npm/%40angular/core@17.0.0")' >/dev/null \
	&& ok "unknown purl types (github, swift) kept; nested 4 deep read" || ko "odd purls kept" "$a"
# dropped ones are named with the reason, unknown types warned about
readsbom "sbom:$FIX/odd-purls-1.6.xml" 2>/dev/null | jq -e '[.sbom.warnings[]] | (any(test("2 components dropped.*bom-ref ref-nameless \\(library: no purl and no name\\).*no-purl-lib \\(library: no purl\\)"))) and any(test("kept but not matched: .*type github"))' >/dev/null \
	&& ok "dropped components named with their reason; unknown purl types warned as kept" || ko "drop warnings" "$(readsbom "sbom:$FIX/odd-purls-1.6.xml" 2>/dev/null | jq -c .sbom.warnings)"
# no prefix: the keys after 4 KiB still make it CycloneDX
got=$(readsbom "$FIX/odd-purls-keys-late-1.6.json" 2>"$T/err" | jq '.sbom.components | length')
[ "$got" = 8 ] && ok "bomFormat/specVersion after the first 4 KiB: detected without sbom: ($got components)" || ko "late keys" "$got $(cat "$T/err")"
got=$(readsbom "$FIX/laravel-1.3.xml" 2>"$T/err" | jq '.sbom.components | length')
[ "$got" = 63 ] && ok "CycloneDX XML detected by namespace without sbom: ($got components)" || ko "xml detection" "$got $(cat "$T/err")"

# --- refused documents say what they are
printf '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}\n' >"$T/spdx3.json"
printf 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n' >"$T/tv.spdx"
{ printf '{"padding": "%s", "kind": "not an sbom"}\n' "$(head -c 6000 /dev/zero | tr '\0' x)"; } >"$T/other.json"
printf '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"/>\n' >"$T/pom.xml"
printf '<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&b;</name><purl>pkg:npm/x@1</purl></component></components></bom>\n' >"$T/laughs.xml"
check_refused() { # FILE EXPECTED-TEXT
	for t in "$1" "sbom:$1"; do
		"$BH" scan -q --db "$T/e.db" -f json "$t" >/dev/null 2>"$T/err"; rc=$?
		if [ "$rc" -ne 0 ] && grep -qF "$2" "$T/err" && ! grep -q "not a tar archive" "$T/err"; then
			ok "$t refused: $(head -c 160 "$T/err" | tr '\n' ' ')"
		else
			ko "$t refused with \"$2\"" "exit $rc: $(head -c 300 "$T/err")"
		fi
	done
}
check_refused "$T/other.json" "a JSON document that is no SBOM format bulkhead reads"
check_refused "$T/pom.xml" "an XML document that is no SBOM format bulkhead reads"
check_refused "$T/laughs.xml" "a DOCTYPE declaration"

# --- SPDX: tag-value, YAML, JSON (2.2/2.3) and 3.0 JSON-LD from spdx-spec, spdx-examples and syft,
# read from the command line without sbom: (the content says what each is); the components read
# equal the packages with a purl that tests/e2e/spdx_count.py counts on its own, except where the
# purl is the document's own subject: syft-image-encoder's root package is the image (pkg:oci),
# which bulkhead takes as the target, not as a component.
SFIX="$HERE/../fixtures/spdx"
printf '%-40s %-13s %-11s %9s %6s\n' file format spec expected read
for f in "$SFIX"/*.spdx "$SFIX"/*.json "$SFIX"/*.yaml; do
	b=$(basename "$f")
	read -r _ fmt spec _ want < <(python3 "$HERE/spdx_count.py" "$f" 2>/dev/null | grep -F "$b" || python3 "$HERE/spdx_count.py" "$SFIX" | grep -F "$b")
	case $b in syft-image-encoder.spdx) want=$((want - 1)) ;; esac
	got=$(readsbom "$f" 2>"$T/err" | jq '.sbom.components | length')
	printf '%-40s %-13s %-11s %9s %6s\n' "$b" "$fmt" "$spec" "$want" "${got:-refused}"
	if [ "$want" = -1 ] || [ "$want" = -2 ]; then
		[ -z "$got" ] && grep -q "SPDX YAML" "$T/err" && ok "$b: invalid, refused naming the format and line" || ko "$b" "not refused"
	elif [ -n "$got" ] && [ "$got" = "$want" ]; then
		ok "$b: $got components, as the walk counts"
	else
		ko "$b" "read ${got:-nothing}, walk counts $want: $(head -c 300 "$T/err")"
	fi
done

# --- CycloneDX 1.6 written for a test image, schema-valid, read back to the same components
R="$T/root"
mkdir -p "$R/var/lib/dpkg" "$R/usr/lib" "$R/etc" "$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/" && cp /usr/lib/os-release "$R/usr/lib/"
ln -s ../usr/lib/os-release "$R/etc/os-release"
printf 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nLicense: BSD\n' >"$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA"
tar -C "$R" -cf "$T/rootfs.tar" .
img=localhost/bh-e2e-sbomformats:1
if podman import -q "$T/rootfs.tar" "$img" >/dev/null 2>"$T/err" && skopeo copy -q "containers-storage:$img" "docker-archive:$T/img.tar:$img" 2>>"$T/err"; then
	podman rmi -f "$img" >/dev/null 2>&1
	"$BH" sbom -q -f cyclonedx -o "$T/img.cdx.json" "$T/img.tar" && "$BH" sbom -q -f json -o "$T/img.json" "$T/img.tar" || ko "sbom of the test image" "failed"
	[ "$(jq -r .specVersion "$T/img.cdx.json")" = 1.6 ] && [ "$(jq -r '."$schema"' "$T/img.cdx.json")" = http://cyclonedx.org/schema/bom-1.6.schema.json ] \
		&& ok "-f cyclonedx writes spec 1.6" || ko "-f cyclonedx spec" "$(jq -r .specVersion "$T/img.cdx.json")"
	$V cyclonedx-1.6 "$T/img.cdx.json" >"$T/v" 2>&1 && ok "CycloneDX 1.6 of the image valid against bom-1.6.schema.json ($(cat "$T/v"))" || ko "1.6 schema" "$(cat "$T/v")"
	want=$(jq -c '[.components[].purl] | sort' "$T/img.json")
	got=$(readsbom "sbom:$T/img.cdx.json" 2>/dev/null | jq -c '[.sbom.components[].purl] | sort')
	[ "$(echo "$want" | jq length)" -gt 10 ] && [ "$got" = "$want" ] && ok "round trip: CycloneDX 1.6 reads back to the same $(echo "$want" | jq length) purls" \
		|| ko "round trip" "$(diff <(echo "$want" | jq -r '.[]') <(echo "$got" | jq -r '.[]') | head -5)"
	wantv=$(jq -c '[.components[] | [.purl, .version, .license]] | sort' "$T/img.json")
	gotv=$(readsbom "sbom:$T/img.cdx.json" 2>/dev/null | jq -c '[.sbom.components[] | [.purl, .version, .license]] | sort')
	[ "$gotv" = "$wantv" ] && ok "round trip keeps versions and licences" || ko "round trip fields" "$(diff <(echo "$wantv" | jq -c '.[]') <(echo "$gotv" | jq -c '.[]') | head -4)"
	"$BH" sbom -q -f cyclonedx-1.5 -o "$T/img15.cdx.json" "$T/img.tar" 2>"$T/err"
	[ "$(jq -r .specVersion "$T/img15.cdx.json" 2>/dev/null)" = 1.5 ] && $V cyclonedx-1.5 "$T/img15.cdx.json" >"$T/v" 2>&1 \
		&& ok "-f cyclonedx-1.5 writes a valid 1.5 document" || ko "-f cyclonedx-1.5" "$(cat "$T/err" "$T/v" 2>/dev/null | head -3)"
	# SPDX 2.3 too; and both give the findings the image gives, with every advisory in ../shared/data
	"$BH" sbom -q -f spdx -o "$T/img.spdx.json" "$T/img.tar" || ko "spdx of the test image" "failed"
	gotv=$(readsbom "sbom:$T/img.spdx.json" 2>/dev/null | jq -c '[.sbom.components[] | [.purl, .version, .license]] | sort')
	[ "$gotv" = "$wantv" ] && ok "round trip: SPDX 2.3 reads back to the same $(echo "$want" | jq length) purls, versions and licences" \
		|| ko "SPDX round trip" "$(diff <(echo "$wantv" | jq -c '.[]') <(echo "$gotv" | jq -c '.[]') | head -4)"
	DATA=${BH_SHARED_DATA:-$HERE/../../../shared/data}
	if [ -d "$DATA/debian-security-tracker" ] && "$BH" db import --db "$T/all.db" "$DATA" >/dev/null 2>&1; then
		fx() { "$BH" scan -q --db "$T/all.db" --scanners vuln -f json "$1" 2>/dev/null | jq -c '[.findings[] | [.id, .package, .installed_version]] | sort'; }
		fi=$(fx "$T/img.tar"); fc=$(fx "sbom:$T/img.cdx.json"); fs=$(fx "sbom:$T/img.spdx.json")
		n=$(echo "$fi" | jq length)
		[ "$n" -gt 0 ] && [ "$fc" = "$fi" ] && [ "$fs" = "$fi" ] \
			&& ok "the image, its CycloneDX 1.6 and its SPDX 2.3 give the same $n findings" \
			|| ko "findings after the round trip" "image $n, cdx $(echo "$fc" | jq length), spdx $(echo "$fs" | jq length)"
	else
		sk "findings after the round trip: no advisory data at $DATA (BH_SHARED_DATA)"
	fi
else
	sk "round trip: no test image (podman import + skopeo: $(head -2 "$T/err" | tr '\n' ' '))"
fi

echo "sbomformats: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
