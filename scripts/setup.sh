#!/bin/sh
# setup.sh - on a fresh Debian 12 machine: install what bulkhead needs (build, tests, benchmarks)
# from Debian's packages, build it, and run the main job: an SBOM scan of this machine.
#   sh scripts/setup.sh            install + build + scan dir:/
#   sh scripts/setup.sh --no-scan  install + build only (what CI uses)
set -eu
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Build and library dependencies.
BUILD_PKGS="build-essential pkg-config libarchive-dev libjansson-dev libyaml-dev libsqlite3-dev
  libcurl4-openssl-dev libssl-dev zlib1g-dev libisal-dev libcmocka-dev libpcre2-dev libexpat1-dev libpq-dev libmicrohttpd-dev
  clang libbpf-dev libelf-dev bpftool"
# Tools the tests use to make real images and artefacts, and the sanitizer/fuzzer runtime.
TEST_PKGS="clang libclang-rt-14-dev jq python3 python3-jsonschema python3-yaml python3-packaging python3-apt podman runc skopeo umoci buildah debootstrap
  docker-registry postgresql golang-go rpm curl ca-certificates valgrind zstd libxml2-utils chromium
  nftables busybox-static iproute2 sqlite3"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
# node and npm for the browser test: Debian's (node 18) unless some node is there already (a
# NodeSource nodejs provides npm itself and conflicts with Debian's npm package)
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	$SUDO apt-get update -q
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# playwright-core (pinned in tests/browser/package-lock.json; 1.49 runs on Debian 12's node 18) drives
# the chromium above for tests/e2e/html.sh; @octokit/openapi (pinned in tests/trackers/package-lock.json)
# is GitHub's REST API description the GitHub stand-in of tests/e2e/tracker.sh checks requests against,
# and yaml (pinned there too) reads the extract of GitLab's description (tests/trackers/gitlab-openapi-issues.yaml)
# for the GitLab stand-in of tests/e2e/tracker-gitlab.sh. Without npm those tests print SKIP.
if command -v npm >/dev/null; then
	npm ci --prefix tests/browser --no-audit --no-fund
	npm ci --prefix tests/trackers --no-audit --no-fund
else
	echo "setup: npm not found: skipping the browser and tracker test tooling (tests/e2e/html.sh, tracker.sh and tracker-gitlab.sh will SKIP)"
fi

make -j"$(nproc)"

if [ "${1:-}" != "--no-scan" ]; then
	DATA=${BH_SHARED_DATA:-$(dirname "$0")/../../shared/data}
	if [ -d "$DATA/golang-vulndb" ]; then
		# The DB goes where `bulkhead scan` looks by default ($XDG_CACHE_HOME or ~/.cache/bulkhead/vuln.db).
		echo "setup: vulnerability DB from $DATA into the default location (bulkhead db status shows it)"
		./build/bulkhead db import "$DATA/golang-vulndb" "$DATA/pypa-advisory-database" \
			"$DATA/rustsec-advisory-db" "$DATA/alpine-secdb" "$DATA/kev" "$DATA/debian-security-tracker" >/dev/null
		# This checkout's own test fixtures are not the machine's software; one row per package
		# (its highest fix) is what a person reads first. The JSON keeps every finding.
		echo "setup: scanning this machine (build/bulkhead scan --group-by package --skip-dirs $(pwd) dir:/)"
		./build/bulkhead scan -q --skip-dirs "$(pwd)" -f json -o build/scan-this-machine.json dir:/
		./build/bulkhead scan -q --skip-dirs "$(pwd)" --group-by package -o build/scan-this-machine.txt dir:/
		head -n 40 build/scan-this-machine.txt
		echo "setup: the whole report is build/scan-this-machine.txt (JSON: build/scan-this-machine.json)"
	else
		echo "setup: no advisory data at $DATA: inventory only (build/bulkhead sbom dir:/)"
		./build/bulkhead sbom dir:/
	fi
fi
