#!/usr/bin/env bash
# Image checks end to end: real images built here with buildah (a "bad" one with every problem the
# image rules look for, a "good" one with none of them), scanned as docker-archive and OCI layouts.
# Every BH-IMG rule must fire on the bad image and stay quiet on the good one.
set -uo pipefail
# grep -q stops reading at the first match; under pipefail the writer's SIGPIPE would then
# fail the check at random (seen once in CI), so matches are read to the end.
grepq() { grep "$@" >/dev/null; }
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/testbed/containers.conf}
T=$(mktemp -d)
ctrs=()
# only what this test made: other buildah work on the machine is left alone
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"; [ ${#ctrs[@]} -eq 0 ] || buildah rm "${ctrs[@]}" >/dev/null 2>&1; podman rmi -f localhost/bh-checks-bad:latest localhost/bh-checks-bad:stage1 localhost/bh-checks-good:v1 >/dev/null 2>&1' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
if ! command -v buildah >/dev/null; then echo "checks: buildah missing"; echo "checks: 0 passed, 1 failed"; exit 1; fi

# Base tree: os-release and a dpkg database; the bad one also lists sudo and openssh-server.
base() {
	mkdir -p "$1/var/lib/dpkg" "$1/usr/lib" "$1/etc" "$1/tmp" "$1/usr/bin"
	cp /usr/lib/os-release "$1/usr/lib/"
	ln -s ../usr/lib/os-release "$1/etc/os-release"
	printf 'Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\nArchitecture: amd64\n\n' >"$1/var/lib/dpkg/status"
	chmod 1777 "$1/tmp"
	printf '#!/bin/sh\n' >"$1/usr/bin/tool" && chmod 755 "$1/usr/bin/tool"
}
base "$T/bad"
cat >>"$T/bad/var/lib/dpkg/status" <<'EOF'
Package: sudo
Status: install ok installed
Version: 1.9.13p3-1+deb12u1
Architecture: amd64

Package: openssh-server
Status: install ok installed
Source: openssh
Version: 1:9.2p1-2+deb12u3
Architecture: amd64

EOF
chmod 4755 "$T/bad/usr/bin/tool"
mkdir -p "$T/bad/srv/drop" "$T/bad/var/cache/apt/archives" "$T/bad/app"
chmod 0777 "$T/bad/srv/drop"
# seeded: the same bytes on every run (random bytes once began like a document and a test flaked)
python3 -c 'import random, sys; r = random.Random(4096); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(4096)))' >"$T/bad/var/cache/apt/archives/curl_7.88.1-10_amd64.deb"
printf '[default]\naws_access_key_id = AKIAZ3MSJV7WQXHDP5LN\naws_secret_access_key = 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\n' >"$T/bad/app/credentials"
printf 'GITHUB_TOKEN=ghp_R8mZt2KqW9xVbN4cYpL7sJ3dF6gH1aE5uT0o\n' >"$T/bad/app/.env"
printf 'ACME_KEY = "acme_Q7fK2mX9pL4vB8nR1tY6wZ3cH5jD0sGa"\n' >"$T/bad/app/settings.py"

c=$(buildah from --quiet scratch); ctrs+=("$c")
buildah copy --quiet "$c" "$T/bad" / >/dev/null
buildah config --env DB_PASSWORD=Sup3rS3cretValue42 --env PATH=/usr/bin --port 22 --port 8080 \
	--label api_token=tok_9f8e7d6c5b4a3210 --created-by "/bin/sh -c curl -fsSL https://get.example.com/install.sh | sh" "$c"
buildah commit --quiet --format docker "$c" localhost/bh-checks-bad:stage1 >/dev/null
buildah rm "$c" >/dev/null
# The second layer deletes the .env file: the token is still in the first (JSON layer.index 0).
c=$(buildah from --quiet localhost/bh-checks-bad:stage1); ctrs+=("$c")
m=$(buildah mount "$c")
rm -f "$m/app/.env"
buildah umount "$c" >/dev/null
buildah config --created-by "/bin/sh -c #(nop) ADD https://example.com/app.tar.gz /opt/" "$c"
buildah commit --quiet --format docker "$c" localhost/bh-checks-bad:latest >/dev/null
buildah rm "$c" >/dev/null
podman rmi -f localhost/bh-checks-bad:stage1 >/dev/null 2>&1
skopeo copy -q containers-storage:localhost/bh-checks-bad:latest "docker-archive:$T/bad.tar:localhost/bh-checks-bad:latest"
skopeo copy -q containers-storage:localhost/bh-checks-bad:latest "oci:$T/bad-oci:latest"

base "$T/good"
c=$(buildah from --quiet scratch); ctrs+=("$c")
buildah copy --quiet "$c" "$T/good" / >/dev/null
buildah config --user 10001 --healthcheck 'CMD ["/usr/bin/tool"]' --env PATH=/usr/bin --env PASSWORD_FILE=/run/secrets/db \
	--port 8080 --label org.opencontainers.image.source=https://example.com/app --created-by "/bin/sh -c apt-get install -y curl" "$c"
buildah commit --quiet --format docker "$c" localhost/bh-checks-good:v1 >/dev/null
buildah rm "$c" >/dev/null
skopeo copy -q containers-storage:localhost/bh-checks-good:v1 "docker-archive:$T/good.tar:localhost/bh-checks-good:v1"

"$BH" scan -q --scanners config,secret -f json "$T/bad.tar" >"$T/bad.json" 2>"$T/bad.err"; rc=$?
[ $rc -eq 0 ] && ok "scan of the bad image" || ko "scan bad" "rc=$rc $(cat "$T/bad.err")"
"$BH" scan -q --scanners config,secret -f json "$T/good.tar" >"$T/good.json" 2>"$T/good.err"; rc=$?
[ $rc -eq 0 ] && ok "scan of the good image" || ko "scan good" "rc=$rc $(cat "$T/good.err")"
rules_bad=$(jq -r '.checks[].rule' "$T/bad.json" | sort -u)
rules_good=$(jq -r '.checks[].rule' "$T/good.json" | sort -u)
for r in BH-IMG-001 BH-IMG-002 BH-IMG-003 BH-IMG-004 BH-IMG-005 BH-IMG-006 BH-IMG-007 BH-IMG-008 BH-IMG-010 BH-IMG-011 BH-IMG-012 BH-IMG-013 BH-IMG-014; do
	echo "$rules_bad" | grepq -x "$r" && ok "$r fires on the bad image" || ko "$r fires" "not reported: $(echo $rules_bad)"
	echo "$rules_good" | grepq -x "$r" && ko "$r quiet on the good image" "reported: $(jq -c --arg r "$r" '[.checks[] | select(.rule==$r) | .detail]' "$T/good.json")" || ok "$r quiet on the good image"
done
# Age: the images were created now; with a 0-day limit in the past-check they are "old" only when older.
"$BH" scan -q --scanners config --max-image-age 0 -f json "$T/bad.tar" | jq -e '[.checks[] | select(.rule=="BH-IMG-009")] | length == 0' >/dev/null \
	&& ok "BH-IMG-009 quiet when off" || ko "BH-IMG-009 off" "reported"
python3 - "$T/bad.tar" <<'PY'
import io, json, sys, tarfile
# Rewrite the config's "created" to 2019 in a copy of the archive: an old image.
src = tarfile.open(sys.argv[1]); out = tarfile.open(sys.argv[1].replace("bad.tar", "old.tar"), "w")
man = json.load(src.extractfile("manifest.json"))
cfgname = man[0]["Config"]
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isfile() else None
    if m.name == cfgname:
        c = json.loads(data); c["created"] = "2019-01-01T00:00:00Z"; data = json.dumps(c).encode()
        m.size = len(data)
    out.addfile(m, io.BytesIO(data) if data is not None else None)
out.close()
PY
"$BH" scan -q --no-verify --scanners config -f json "$T/old.tar" | jq -e '[.checks[] | select(.rule=="BH-IMG-009" and .cis=="4.4")] | length == 1' >/dev/null \
	&& ok "BH-IMG-009 fires on an image from 2019" || ko "BH-IMG-009" "not reported"
echo "$rules_good" | grepq -x BH-IMG-009 && ko "BH-IMG-009 quiet on a new image" "reported" || ok "BH-IMG-009 quiet on a new image"

# Details that matter: where, which layer, what to do.
jq -e '[.checks[] | select(.rule=="BH-IMG-010")][0] | .path == "/usr/bin/tool" and .cis == "4.8" and (.fix | length) > 0' "$T/bad.json" >/dev/null \
	&& ok "setuid finding names the file, CIS 4.8 and a fix" || ko "setuid detail" "$(jq -c '[.checks[] | select(.rule=="BH-IMG-010")]' "$T/bad.json")"
jq -e '[.checks[] | select(.rule=="BH-IMG-011")] | map(.path) | index("/tmp") == null and index("/srv/drop") != null' "$T/bad.json" >/dev/null \
	&& ok "world-writable: /srv/drop reported, sticky /tmp not" || ko "world-writable" "$(jq -c '[.checks[] | select(.rule=="BH-IMG-011") | .path]' "$T/bad.json")"
jq -e '[.checks[] | select(.category=="secret" and .path=="/app/.env")][0] | (.title | test("deleted")) and (.layer.index == 0)' "$T/bad.json" >/dev/null \
	&& ok "secret in a file deleted by a later layer: reported with its layer" || ko "deleted secret" "$(jq -c '[.checks[] | select(.category=="secret")]' "$T/bad.json")"
jq -e '[.checks[] | select(.category=="secret" and .path=="/app/credentials")] | length >= 1' "$T/bad.json" >/dev/null \
	&& ok "AWS credentials file reported" || ko "aws credentials" "missing"
jq -e '[.checks[] | select(.category=="secret")] | map(.detail) | join(" ") | test("ghp_R8mZt2KqW9xVbN4cYpL7sJ3dF6gH1aE5uT0o|Sup3rS3cretValue42") | not' "$T/bad.json" >/dev/null \
	&& ok "secrets are masked in the report" || ko "masking" "a secret appears in clear"
"$BH" scan -q --scanners config,secret -f json "oci:$T/bad-oci:latest" | jq -r '.checks[].rule' | sort -u >"$T/oci.rules"
diff <(echo "$rules_bad") "$T/oci.rules" >/dev/null && ok "OCI layout gives the same rules" || ko "oci" "$(diff <(echo "$rules_bad") "$T/oci.rules")"

# Formats and exit codes
"$BH" scan -q --scanners config,secret --exit-code 9 "$T/bad.tar" >/dev/null; rc=$?
[ $rc -eq 9 ] && ok "--exit-code with check findings" || ko "exit code" "rc=$rc"
"$BH" scan -q --scanners config,secret --severity CRITICAL --exit-code 9 "$T/good.tar" >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "no exit code when the good image has nothing at that severity" || ko "exit code good" "rc=$rc"
"$BH" scan -q --scanners config,secret -f sarif "$T/bad.tar" | jq -e '.version == "2.1.0" and ([.runs[0].results[] | select(.ruleId=="BH-IMG-010")] | length) >= 1 and ([.runs[0].tool.driver.rules[] | select(.id=="BH-IMG-001") | .properties["security-severity"]] | length) == 1' >/dev/null \
	&& ok "SARIF carries check results and rules" || ko "sarif" "bad"
# The official schema (oasis-tcs/sarif-spec, as shipped in github/codeql-action) when it is cached:
# it is not in this repository; BH_SARIF_SCHEMA points at it.
schema=${BH_SARIF_SCHEMA:-${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}/schemas/sarif-schema-2.1.0.json}
if [ -f "$schema" ]; then  # no jsonschema module: the validator fails (setup.sh installs it)
	"$BH" scan -q --scanners config,secret -f sarif -o "$T/bad.sarif" "$T/bad.tar"
	python3 "$(dirname "$0")/sarif_validate.py" "$schema" "$T/bad.sarif" >"$T/sv.out" 2>&1 \
		&& ok "SARIF valid against the SARIF 2.1.0 JSON schema" || ko "sarif schema" "$(cat "$T/sv.out")"
else
	echo "SKIP SARIF schema validation: no schema at $schema (see README)"
fi
"$BH" scan -q --scanners config,secret -f junit "$T/bad.tar" >"$T/j.xml" && python3 -c "
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot(); assert r.tag == 'testsuites' and sum(int(t.get('failures')) for t in r) > 10, r.attrib" "$T/j.xml" \
	&& ok "JUnit XML parses and counts failures" || ko "junit" "$(head -c 300 "$T/j.xml")"
"$BH" scan -q --scanners config,secret -f html -o "$T/r.html" "$T/bad.tar" && grep -q 'BH-IMG-010' "$T/r.html" && ! grep -q '<script' "$T/r.html" \
	&& python3 -c "import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())" "$T/r.html" \
	&& ok "HTML report written, no script tags" || ko "html" "bad"
"$BH" scan -q --scanners config,secret -f markdown "$T/bad.tar" | grepq '^| HIGH | `BH-IMG-001` (CIS 4.1)' && ok "Markdown summary" || ko "markdown" "bad"

# Policy file
cat >"$T/policy.yaml" <<'EOF'
version: 1
registries:
  allow: [registry.example.com]
packages:
  deny: [openssh-server]
labels:
  require: [org.opencontainers.image.source]
checks:
  disable: [BH-IMG-002]
  exceptions:
    - rule: BH-IMG-010
      paths: [/usr/bin/tool]
      expires: 2099-01-01
      reason: reviewed
    - rule: BH-IMG-011
      expires: 2001-01-01
      reason: expired long ago
fail-on: CRITICAL
exit-code: 7
EOF
"$BH" scan -q --scanners config,secret --policy "$T/policy.yaml" -f json "$T/bad.tar" >"$T/pol.json"; rc=$?
pr=$(jq -r '.checks[].rule' "$T/pol.json" | sort -u)
echo "$pr" | grepq -x BH-POL-001 && ok "policy: image origin not permitted (CIS 4.2)" || ko "origin" "$pr"
echo "$pr" | grepq -x BH-POL-002 && ok "policy: denied package" || ko "deny pkg" "$pr"
echo "$pr" | grepq -x BH-POL-003 && ok "policy: required label missing" || ko "labels" "$pr"
echo "$pr" | grepq -x BH-IMG-002 && ko "policy: disabled rule" "still reported" || ok "policy: disabled rule is gone"
echo "$pr" | grepq -x BH-IMG-010 && ko "policy: exception" "still reported" || ok "policy: exception with a path"
echo "$pr" | grepq -x BH-IMG-011 && ok "policy: expired exception no longer applies" || ko "expired" "$pr"
[ $rc -eq 7 ] && ok "policy: fail-on CRITICAL with exit-code 7 (a secret is CRITICAL)" || ko "policy exit" "rc=$rc"
"$BH" scan -q --scanners config --policy "$T/policy.yaml" "$T/good.tar" >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "policy: the good image passes fail-on CRITICAL" || ko "policy good" "rc=$rc"
cat >"$T/quiet.yaml" <<'EOF'
version: 1
registries:
  allow: [localhost]
packages:
  deny: [telnetd]
labels:
  require: [org.opencontainers.image.source]
secrets:
  rules:
    - id: acme-internal-token
      title: ACME internal API token
      severity: HIGH
      regex: 'acme_[A-Za-z0-9]{32}'
      keywords: [acme_]
EOF
q=$("$BH" scan -q --scanners config,secret --policy "$T/quiet.yaml" -f json "$T/good.tar" | jq -r '.checks[].rule' | sort -u)
echo "$q" | grepq '^BH-POL-' && ko "policy quiet" "$q" || ok "policy: permitted registry, no denied package, label present: no BH-POL finding"
"$BH" scan -q --scanners secret --policy "$T/quiet.yaml" -f json "$T/bad.tar" | jq -e '[.checks[] | select(.rule=="BH-SECRET-acme-internal-token" and .path=="/app/settings.py")] | length == 1' >/dev/null \
	&& ok "policy: custom secret rule finds its token" || ko "custom secret rule" "not found"
"$BH" scan -q --scanners secret -f json "$T/bad.tar" | jq -e '[.checks[] | select(.rule=="BH-SECRET-acme-internal-token")] | length == 0' >/dev/null \
	&& ok "custom secret rule is quiet without the policy" || ko "custom rule quiet" "reported"
"$BH" scan -q --scanners config --policy docs/bulkhead.example.yaml "$T/good.tar" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] && ! grep -q . "$T/err" && ok "policy: the documented example loads" || ko "example policy" "rc=$rc $(cat "$T/err")"
if python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	python3 - docs/bulkhead.schema.json docs/bulkhead.example.yaml "$T/quiet.yaml" "$T/policy.yaml" <<'EOF' && ok "policy files valid against docs/bulkhead.schema.json" || ko "policy schema" "invalid"
import json, sys, jsonschema, yaml
s = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
for f in sys.argv[2:]:
    d = json.loads(json.dumps(yaml.safe_load(open(f)), default=str))
    errs = list(jsonschema.Draft202012Validator(s).iter_errors(d))
    assert not errs, (f, [e.message for e in errs])
assert list(jsonschema.Draft202012Validator(s).iter_errors({"version": 1, "registry": {}}))
EOF
fi
printf 'version: 1\nregistry:\n  allow: [x]\n' >"$T/badpol.yaml"
"$BH" scan -q --policy "$T/badpol.yaml" "$T/good.tar" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q 'unknown key "registry"' "$T/err" && ok "policy: unknown key is an input error naming it" || ko "bad policy" "rc=$rc $(cat "$T/err")"

# Hostile: 120,000 fake AWS keys in one file; findings stop at 100,000 with a warning, the scan goes on
mkdir -p "$T/many"
python3 -c "
import random, sys
r = random.Random(3); A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
sys.stdout.write(''.join('key%d = AKIA%s\\n' % (i, ''.join(r.choice(A) for _ in range(16))) for i in range(120000)))" >"$T/many/keys.txt"
"$BH" scan --scanners secret -f json -o "$T/many.json" "dir:$T/many" 2>"$T/many.err"; rc=$?
[ $rc -eq 0 ] && [ "$(jq '.checks | length' "$T/many.json")" = 100000 ] && grep -q 'more than 100000 secrets' "$T/many.err" \
	&& ok "120,000 secrets: 100,000 reported, a warning, exit 0" || ko "many secrets" "rc=$rc $(head -2 "$T/many.err")"

# Configuration files and the host, through the CLI
"$BH" scan -q -f json tests/fixtures/dockerfile/Dockerfile.problems | jq -e '[.checks[] | select(.rule=="BH-DF-008" and .line==16 and .category=="dockerfile")] | length == 1' >/dev/null \
	&& ok "scan Dockerfile: curl|bash on line 16" || ko "dockerfile" "$("$BH" scan -q tests/fixtures/dockerfile/Dockerfile.problems | head -5)"
[ "$("$BH" scan -q -f json dockerfile:tests/fixtures/dockerfile/Dockerfile.good | jq '.checks | length')" = 0 ] && ok "scan dockerfile:Dockerfile.good: nothing" || ko "dockerfile good" "findings"
"$BH" scan -q --scanners config --dockerfile tests/fixtures/dockerfile/Dockerfile.problems -f json "$T/good.tar" | jq -e '[.checks[] | select(.category=="dockerfile")] | length > 10' >/dev/null \
	&& ok "--dockerfile adds the Dockerfile's findings to an image scan" || ko "--dockerfile" "none"
[ "$("$BH" scan -q -f json tests/fixtures/k8s/bad.yaml | jq '[.checks[] | select(.category=="kubernetes")] | length')" -ge 30 ] && ok "scan k8s manifest: PSS findings" || ko "k8s" "few"
[ "$("$BH" scan -q -f json k8s:tests/fixtures/k8s/restricted.yaml | jq '[.checks[] | select(.rule < "BH-K8S-018")] | length')" = 0 ] && ok "restricted-compliant manifest: no PSS finding" || ko "k8s restricted" "findings"
"$BH" scan -q -f json k8s:tests/fixtures/k8s/restricted.yaml | jq -e '[.checks[] | select(.rule >= "BH-K8S-018") | .rule] | unique == ["BH-K8S-018","BH-K8S-019","BH-K8S-020","BH-K8S-021"]' >/dev/null \
	&& ok "restricted-compliant manifest: hardening beyond the PSS (latest/untagged image, limits, read-only root, token) reported" || ko "k8s hardening" "missing"
"$BH" scan -q -f json host:tests/fixtures/host/insecure | jq -e '[.checks[] | select(.rule=="BH-HOST-021" and .cis=="2.2")] | length == 1' >/dev/null && ok "scan host:ROOT: daemon.json icc (CIS 2.2)" || ko "host" "missing"
"$BH" scan -q -f json host | jq -e '.checks | length >= 1' >/dev/null && ok "scan host on this machine (no Docker: not applicable)" || ko "host /" "bad"
"$BH" scan -q /nonexistent/Dockerfile >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q /nonexistent/Dockerfile "$T/err" && ok "missing Dockerfile exits 3 naming it" || ko "missing dockerfile" "rc=$rc"

# Licences with no policy: network copyleft and unrecognised ones (a stored SBOM as input)
cat >"$T/lic-sbom.json" <<'EOF'
{"schema": "bulkhead-sbom/1", "target": {"name": "lic"}, "os": {}, "components": [
 {"ecosystem": "npm", "name": "agpl-thing", "version": "1.0.0", "purl": "pkg:npm/agpl-thing@1.0.0", "licenses": ["AGPL-3.0-or-later"]},
 {"ecosystem": "npm", "name": "odd-thing", "version": "1.0.0", "purl": "pkg:npm/odd-thing@1.0.0", "licenses": ["Frobnicator Community Licence v7"]},
 {"ecosystem": "npm", "name": "fine-thing", "version": "1.0.0", "purl": "pkg:npm/fine-thing@1.0.0", "licenses": ["Apache 2.0"]}]}
EOF
out=$("$BH" scan -q --scanners license -f json "$T/lic-sbom.json" | jq -r '.checks[] | "\(.rule) \(.detail)"')
echo "$out" | grepq '^BH-LIC-003 agpl-thing' && ok "licences: AGPL is network copyleft (BH-LIC-003)" || ko "agpl" "$out"
echo "$out" | grepq '^BH-LIC-005 odd-thing' && ok "licences: an unrecognised licence (BH-LIC-005)" || ko "unknown lic" "$out"
echo "$out" | grepq 'fine-thing' && ko "apache" "$out" || ok "licences: Apache 2.0 (normalised) gives nothing"

# Licences: the npm fixture (MIT, ISC, BSD) and the Python one (a GPLv2 package)
lic() { "$BH" scan -q --scanners license "$@" -f json | jq -r '.checks[] | "\(.rule) \(.severity) \(.detail)"'; }
out=$(lic dir:tests/fixtures/npm/installed)
[ -z "$out" ] && ok "licences: permissive npm tree gives nothing" || ko "licences quiet" "$out"
lic dir:tests/fixtures/python | grepq '^BH-LIC-004 MEDIUM crit .*GPL-2.0-only, strong-copyleft' && ok "licences: GPLv2 normalised to GPL-2.0-only, strong copyleft" \
	|| ko "licences gpl" "$(lic dir:tests/fixtures/python)"
printf 'version: 1\nlicenses:\n  deny: [MIT]\n' >"$T/lic1.yaml"
out=$(lic --policy "$T/lic1.yaml" dir:tests/fixtures/npm/installed)
n=$(echo "$out" | grep -c '^BH-LIC-001 CRITICAL')
echo "$out" | grepq 'uglify-js.*BSD' && ko "deny MIT" "a BSD package was denied" || { [ "$n" -ge 20 ] && ok "licences: policy deny MIT hits the MIT packages only ($n)" || ko "deny MIT" "$n: $out"; }
echo "$out" | grepq '^BH-LIC-001.*"BSD-3-Clause OR MIT"' && ko "deny MIT" "a choice with BSD was denied" || ok "licences: MIT OR BSD-3-Clause is not denied (the other choice is allowed)"
printf 'version: 1\nlicenses:\n  allow: [MIT, ISC, BSD-3-Clause]\n' >"$T/lic2.yaml"
out=$(lic --policy "$T/lic2.yaml" dir:tests/fixtures/npm/installed)
[ "$(echo "$out" | grep -c '^BH-LIC-002 HIGH')" -ge 1 ] && echo "$out" | grepq 'BSD-2-Clause' && ! echo "$out" | grepq ' = MIT,' \
	&& ok "licences: allow list reports what is not on it (BSD-2-Clause)" || ko "allow list" "$out"

# A declared licence built to nest past the parser's limit: skipped with a warning naming the component
deep=$(python3 -c "print(' '.join('%s or LicenseRef-a%d)' % ('MIT' if i % 2 else 'ISC', i) for i in range(40)))")
printf '{"schema": "bulkhead-sbom/1", "target": {"name": "deep"}, "os": {}, "components": [{"ecosystem": "npm", "name": "deep-thing", "version": "1.0.0", "purl": "pkg:npm/deep-thing@1.0.0", "licenses": ["%s"]}, {"ecosystem": "npm", "name": "agpl-thing", "version": "1.0.0", "purl": "pkg:npm/agpl-thing@1.0.0", "licenses": ["AGPL-3.0-only"]}]}\n' "$deep" >"$T/deep-sbom.json"
out=$("$BH" scan --scanners license -f json "$T/deep-sbom.json" 2>"$T/err" | jq -r '.checks[] | .rule'); rc=$?
grepq 'deep-thing 1.0.0.*licence not checked: declared licence nests more than 32 levels deep' "$T/err" && echo "$out" | grepq '^BH-LIC-003$' \
	&& ok "licences: one nested past the limit is skipped with a warning, the others still checked" || ko "deep licence" "rc=$rc $out $(cat "$T/err")"

echo "checks: $pass passed, $fail failed"
[ $fail -eq 0 ]
