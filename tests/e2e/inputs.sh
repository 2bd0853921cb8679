# inputs.sh - test inputs shared by e2e scripts (sourced, not run).

# report_rootfs R: the tree of tests/e2e/table.sh and html.sh in R: a Go binary and a setuid
# script under East Asian wide-character and very long paths, a dpkg package with a long name and
# version, Jinja2 2.10 (advisories with fixes), os-release of Debian 12. Sets CJK and deep.
report_rootfs() {
	local R=$1
	CJK=$(printf '\346\227\245\346\234\254\350\252\236') # three East Asian wide characters
	deep="$R/opt/a/rather/deeply/nested/directory/tree/that/goes/on/and/on/for/a/while/bin"
	mkdir -p "$R/var/lib/dpkg" "$R/usr/lib" "$R/etc" "$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info" "$R/app/$CJK/bin" "$deep"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n' >"$R/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$R/etc/os-release"
	printf 'Package: \346\227\245\346\234\254\350\252\236-library-with-a-rather-long-name-for-a-package\nStatus: install ok installed\nVersion: 1.0.0+really.a.very.long.version.string.from.a.backport-1~deb12u1\nArchitecture: amd64\nDescription: x\n' >"$R/var/lib/dpkg/status"
	printf 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nLicense: BSD\n' >"$R/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA"
	cp "$(command -v skopeo || command -v podman)" "$R/app/$CJK/bin/tool"
	printf '#!/bin/sh\n' >"$deep/helper-$CJK-with-a-long-name"
	chmod 4755 "$deep/helper-$CJK-with-a-long-name"
}
