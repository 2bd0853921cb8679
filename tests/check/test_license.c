/* test_license.c - declared licences as found in real packages, normalised to SPDX, classified, and the BH-LIC findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/licclass.h"
#include "check/license.h"
#include "check/licexpr.h"
#include "check/licfind.h"
#include "sbom/sbom.h"

enum { U = BH_LIC_UNKNOWN, P = BH_LIC_PERMISSIVE, W = BH_LIC_WEAK_COPYLEFT, S = BH_LIC_STRONG_COPYLEFT,
       N = BH_LIC_NETWORK_COPYLEFT, D = BH_LIC_PUBLIC_DOMAIN, X = BH_LIC_PROPRIETARY };

/*
 * Declared strings as they appear in Debian copyright files (License: fields on this machine),
 * PyPI METADATA (License: and classifiers), npm package.json "license" and Maven <license><name>.
 */
static const struct {
	const char *declared, *spdx;
	int cls;
} real[] = {
	/* Debian copyright (DEP-5 short names) */
	{ "GPL-2+", "GPL-2.0-or-later", S },
	{ "GPL-2", "GPL-2.0-only", S },
	{ "GPL-1+ or Artistic", "GPL-1.0-or-later OR Artistic-1.0-Perl", P },
	{ "LGPL-2.1+", "LGPL-2.1-or-later", W },
	{ "BSD-3-clause", "BSD-3-Clause", P },
	{ "LGPL-2+", "LGPL-2.0-or-later", W },
	{ "Expat", "MIT", P },
	{ "GPL-3+", "GPL-3.0-or-later", S },
	{ "LGPL-3+ or GPL-2+", "LGPL-3.0-or-later OR GPL-2.0-or-later", W },
	{ "BSD-2-clause", "BSD-2-Clause", P },
	{ "OpenLDAP-2.8", "OLDAP-2.8", P },
	{ "public-domain", "LicenseRef-public-domain", D },
	{ "GPLv3+", "GPL-3.0-or-later", S },
	{ "LGPLv3+_or_GPLv2+", "LGPL-3.0-or-later OR GPL-2.0-or-later", W },
	{ "GPL-2.0+", "GPL-2.0-or-later", S },
	{ "Apache-2", "Apache-2.0", P },
	{ "LGPLv2.1+", "LGPL-2.1-or-later", W },
	{ "GPL", "GPL-1.0-or-later", S },
	{ "LGPL", "LGPL-2.0-or-later", W },
	{ "BSL-1.0 and Jam", "BSL-1.0 AND Jam", P },
	{ "APACHE-2-LLVM-EXCEPTIONS", "Apache-2.0 WITH LLVM-exception", P },
	{ "BSL-1.0 and MIT", "BSL-1.0 AND MIT", P },
	{ "LGPL-2.1+ with staticLink exception", "LGPL-2.1-or-later WITH AdditionRef-staticLink-exception", W },
	{ "GPL-2+ with Autoconf exception", "GPL-2.0-or-later WITH Autoconf-exception-2.0", W },
	{ "GPL-3+ with Bison exception", "GPL-3.0-or-later WITH Bison-exception-2.2", W },
	{ "GPL-2 with Linux-syscall-note exception", "GPL-2.0-only WITH Linux-syscall-note", W },
	{ "GPL-3+ with GCC-Runtime-3.1 exception", "GPL-3.0-or-later WITH GCC-exception-3.1", W },
	{ "GPL-3+ with autoconf exception", "GPL-3.0-or-later WITH Autoconf-exception-3.0", W },
	{ "GPL-3+-WITH-BISON-EXCEPTION", "GPL-3.0-or-later WITH Bison-exception-2.2", W },
	{ "GPL-2+-libtool-exception", "GPL-2.0-or-later WITH Libtool-exception", W },
	{ "GPL-2+ with OpenSSL exception", "GPL-2.0-or-later WITH AdditionRef-OpenSSL-exception", S },
	{ "MPL-1.1 or LGPL-2.1+, and SC", "(MPL-1.1 OR LGPL-2.1-or-later) AND LicenseRef-SC", U },
	{ "GPL-1+ or Artistic, and Expat", "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT", P },
	{ "GPL-2+ or AFL-2.1, and Expat", "(GPL-2.0-or-later OR AFL-2.1) AND MIT", P },
	{ "Apache-2.0 with LLVM exception", "Apache-2.0 WITH LLVM-exception", P },
	{ "MIT/X11", "MIT", P },
	{ "zlib/libpng", "Zlib", P },
	{ "ZLIB", "Zlib", P },
	{ "Artistic-2", "Artistic-2.0", P },
	{ "CDDL-1", "CDDL-1.0", W },
	{ "MPL-2", "MPL-2.0", W },
	{ "BSD-4-clause", "BSD-4-Clause", P },
	{ "GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later", S },
	{ "GFDL-1.2+ or CC-BY-SA-3.0-Unported or CC-BY-SA-2.0-IT, and CC-BY-3.0-US",
	  "(GFDL-1.2-or-later OR CC-BY-SA-3.0 OR LicenseRef-CC-BY-SA-2.0-IT) AND CC-BY-3.0-US", S },
	{ "CC0", "CC0-1.0", D },
	{ "Apache-2.0 and/or Expat", "Apache-2.0 OR MIT", P },
	{ "BSD-3-clause and/or GPL-3+", "BSD-3-Clause OR GPL-3.0-or-later", P },
	{ "Expat or CC0-1.0", "MIT OR CC0-1.0", D },
	{ "LGPL-2.1 or GPL-2 or MPL-1.1", "LGPL-2.1-only OR GPL-2.0-only OR MPL-1.1", W },
	{ "Zlib and LGPL-2.1+ with staticLink exception", "Zlib AND LGPL-2.1-or-later WITH AdditionRef-staticLink-exception", W },
	{ "GPL-2+ with Libtool exception and GPL-3+ with Libtool exception and GPL-3+",
	  "GPL-2.0-or-later WITH Libtool-exception AND GPL-3.0-or-later WITH Libtool-exception AND GPL-3.0-or-later", S },
	{ "Sleepycat and BSD-3-clause", "Sleepycat AND BSD-3-Clause", S },
	{ "OpenSSL+SSLeay", "OpenSSL", P },
	{ "BSD-2-Clause-netbsd", "BSD-2-Clause", P },
	{ "FreeBSD", "BSD-2-Clause", P },
	{ "BOOST-1.0", "BSL-1.0", P },
	{ "Python", "Python-2.0", P },
	{ "permissive", "LicenseRef-permissive", P },
	{ "GPL-djd", "LicenseRef-GPL-djd", S },
	{ "Permission to use, copy, modify, and distribute this software and its",
	  "LicenseRef-Permission-to-use-copy-modify-and-distribute-this-software-and-i", U },
	{ "", "NOASSERTION", U },
	/* PyPI METADATA: License: lines and trove classifiers */
	{ "License :: OSI Approved :: MIT License", "MIT", P },
	{ "License :: OSI Approved :: Apache Software License", "Apache-2.0", P },
	{ "License :: OSI Approved :: BSD License", "LicenseRef-BSD", P },
	{ "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)", "LGPL-2.0-or-later", W },
	{ "License :: OSI Approved :: Python Software Foundation License", "PSF-2.0", P },
	{ "License :: OSI Approved :: ISC License (ISCL)", "ISC", P },
	{ "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0", W },
	{ "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only", W },
	{ "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later", W },
	{ "License :: OSI Approved :: GNU General Public License (GPL)", "GPL-1.0-or-later", S },
	{ "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later", S },
	{ "License :: OSI Approved :: GNU Affero General Public License v3", "AGPL-3.0-only", N },
	{ "License :: Public Domain", "LicenseRef-public-domain", D },
	{ "License :: Other/Proprietary License", "LicenseRef-proprietary", X },
	{ "MIT", "MIT", P },
	{ "MIT License", "MIT", P },
	{ "MIT license", "MIT", P },
	{ "UNKNOWN", "NOASSERTION", U },
	{ "BSD", "LicenseRef-BSD", P },
	{ "Apache 2.0", "Apache-2.0", P },
	{ "Apache License 2.0", "Apache-2.0", P },
	{ "Apache License, Version 2.0", "Apache-2.0", P },
	{ "Apache Software License", "Apache-2.0", P },
	{ "ASL 2", "Apache-2.0", P },
	{ "BSD-3-Clause OR Apache-2.0", "BSD-3-Clause OR Apache-2.0", P },
	{ "Your choice of MIT or Apache License 2.0", "MIT OR Apache-2.0", P },
	{ "Modified BSD License", "BSD-3-Clause", P },
	{ "BSD 3-Clause License", "BSD-3-Clause", P },
	{ "LGPL v3", "LGPL-3.0-only", W },
	{ "LGPLv3", "LGPL-3.0-only", W },
	{ "GPLv2", "GPL-2.0-only", S },
	{ "GNU LGPL", "LGPL-2.0-or-later", W },
	{ "GNU GPL", "GPL-1.0-or-later", S },
	{ "ISC license", "ISC", P },
	{ "Expat (MIT/X11)", "MIT", P },
	{ "public domain, Python, 2-Clause BSD, GPL 3 (see COPYING.txt)",
	  "LicenseRef-public-domain AND Python-2.0 AND BSD-2-Clause AND GPL-3.0-only", S },
	{ "LicenseRef-NVIDIA-Proprietary", "LicenseRef-NVIDIA-Proprietary", X },
	{ "Apache-2.0 AND CNRI-Python", "Apache-2.0 AND CNRI-Python", P },
	{ "PSF-2.0", "PSF-2.0", P },
	{ "MIT-0", "MIT-0", P },
	/* npm package.json */
	{ "ISC", "ISC", P },
	{ "BlueOak-1.0.0", "BlueOak-1.0.0", P },
	{ "BSD-2-Clause", "BSD-2-Clause", P },
	{ "BSD-3-Clause OR MIT", "BSD-3-Clause OR MIT", P },
	{ "(MIT OR Apache-2.0)", "MIT OR Apache-2.0", P },
	{ "CC-BY-3.0", "CC-BY-3.0", P },
	{ "Artistic-2.0", "Artistic-2.0", P },
	{ "0BSD", "0BSD", P },
	{ "UNLICENSED", "LicenseRef-UNLICENSED", X },
	{ "(MIT AND Zlib)", "MIT AND Zlib", P },
	{ "(GPL-2.0-only OR MIT) AND LGPL-2.1-or-later", "(GPL-2.0-only OR MIT) AND LGPL-2.1-or-later", W },
	{ "mit or apache-2.0", "MIT OR Apache-2.0", P },
	/* Maven <license><name> */
	{ "The Apache Software License, Version 2.0", "Apache-2.0", P },
	{ "Apache 2", "Apache-2.0", P },
	{ "ASL, version 2", "Apache-2.0", P },
	{ "Eclipse Public License - v 1.0", "EPL-1.0", W },
	{ "Eclipse Public License v2.0", "EPL-2.0", W },
	{ "GNU Lesser General Public License, version 2.1", "LGPL-2.1-only", W },
	{ "The MIT License", "MIT", P },
	{ "New BSD License", "BSD-3-Clause", P },
	{ "CDDL + GPLv2 with classpath exception", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0", W },
	{ "Common Development and Distribution License (CDDL) v1.0", "CDDL-1.0", W },
	{ "GNU General Public License, version 2 (GPL2), with the classpath exception", "GPL-2.0-only WITH Classpath-exception-2.0", W },
	{ "GPL2 w/ CPE", "GPL-2.0-only WITH Classpath-exception-2.0", W },
	{ "Bouncy Castle Licence", "MIT", P },
	{ "Eclipse Distribution License - v 1.0", "BSD-3-Clause", P },
	{ "MPL 1.1", "MPL-1.1", W },
	{ "Mozilla Public License Version 2.0", "MPL-2.0", W },
	{ "Public Domain", "LicenseRef-public-domain", D },
	{ "GNU Affero General Public License v3.0 or later", "AGPL-3.0-or-later", N },
	{ "Server Side Public License, v 1", "SSPL-1.0", N },
	{ "Open Software License 3.0", "OSL-3.0", N },
	/* licence URLs (Maven <url>, npm "license" URLs, PKG-INFO) */
	{ "https://opensource.org/licenses/MIT", "MIT", P },
	{ "http://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0", P },
	{ "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html", "GPL-2.0-only", S },
	{ "http://www.gnu.org/licenses/lgpl-2.1.html", "LGPL-2.1-only", W },
	{ "https://www.eclipse.org/legal/epl-v10.html", "EPL-1.0", W },
	{ "https://spdx.org/licenses/BSD-3-Clause.html", "BSD-3-Clause", P },
	{ "https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0", S },
	/* R DESCRIPTION style, deprecated SPDX ids */
	{ "GPL (>= 2)", "GPL-2.0-or-later", S },
	{ "LGPL (>= 2.1)", "LGPL-2.1-or-later", W },
	{ "GPL-2.0", "GPL-2.0-only", S },
	{ "AGPL-3.0", "AGPL-3.0-only", N },
	{ "GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0", W },
	{ "BUSL-1.1", "BUSL-1.1", X },
	{ "CC-BY-NC-4.0", "CC-BY-NC-4.0", X },
};

static bh_licdata *load_shared(void)
{
	const char *d = getenv("BH_SHARED_DATA");
	char path[4096];
	bh_licdata *l = NULL;
	bh_error err;
	snprintf(path, sizeof(path), "%s/spdx-licenses", d ? d : "../shared/data");
	if (access(path, R_OK))
		return NULL;
	assert_int_equal(bh_licdata_load(path, &l, &err), 0);
	return l;
}

static void check_table(const bh_licdata *l)
{
	size_t i, bad = 0;
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		char *out = NULL;
		bh_error err;
		bh_license_class c;
		assert_int_equal(bh_license_normalize(l, real[i].declared, &out, &err), 0);
		c = bh_licclass_of(l, out);
		if (strcmp(out, real[i].spdx) != 0 || (int)c != real[i].cls) {
			print_message("'%s' -> '%s' (%s), want '%s' (%s)\n", real[i].declared, out, bh_licclass_name(c),
				      real[i].spdx, bh_licclass_name((bh_license_class)real[i].cls));
			bad++;
		}
		free(out);
	}
	assert_int_equal(bad, 0);
}

static void test_real_strings_list(void **state)
{
	bh_licdata *l = load_shared();
	(void)state;
	if (!l)
		skip();
	assert_true(sizeof(real) / sizeof(real[0]) >= 80);
	check_table(l);
	bh_licdata_free(l);
}

/* The built-in table alone gives the same answers for the common cases. */
static void test_builtin_only(void **state)
{
	static const struct {
		const char *declared, *spdx;
		int cls;
	} t[] = {
		{ "GPL-2+", "GPL-2.0-or-later", S },
		{ "Expat", "MIT", P },
		{ "Apache License, Version 2.0", "Apache-2.0", P },
		{ "License :: OSI Approved :: MIT License", "MIT", P },
		{ "BSD-3-clause or GPL-2", "BSD-3-Clause OR GPL-2.0-only", P },
		{ "AGPL-3.0", "AGPL-3.0-only", N },
		{ "LGPL-2.1+ with staticLink exception", "LGPL-2.1-or-later WITH AdditionRef-staticLink-exception", W },
		{ "MPL-1.1 or LGPL-2.1+", "MPL-1.1 OR LGPL-2.1-or-later", W },
		{ "EUPL-1.2", "EUPL-1.2", S },
		{ "OpenLDAP-2.8", "OLDAP-2.8", P },
		{ "Jam", "LicenseRef-Jam", U }, /* listed in SPDX, not in the built-in table */
		{ "GPL-3.0+", "GPL-3.0-or-later", S },
	};
	bh_licdata *l = NULL;
	bh_error err;
	size_t i;
	(void)state;
	assert_int_equal(bh_licdata_load(NULL, &l, &err), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *o1 = NULL, *o2 = NULL;
		assert_int_equal(bh_license_normalize(l, t[i].declared, &o1, &err), 0);
		assert_int_equal(bh_license_normalize(NULL, t[i].declared, &o2, &err), 0);
		if (strcmp(o1, t[i].spdx) != 0)
			print_message("'%s' -> '%s', want '%s'\n", t[i].declared, o1, t[i].spdx);
		assert_string_equal(o1, t[i].spdx);
		assert_string_equal(o2, t[i].spdx);
		assert_int_equal(bh_licclass_of(l, o1), t[i].cls);
		assert_int_equal(bh_licclass_of(NULL, o1), t[i].cls);
		free(o1);
		free(o2);
	}
	bh_licdata_free(l);
}

static void test_classify(void **state)
{
	static const struct {
		const char *expr;
		int cls;
	} t[] = {
		{ "MIT OR GPL-3.0-only", P },                       /* OR: most permissive */
		{ "MIT AND GPL-3.0-only", S },                      /* AND: most restrictive */
		{ "AGPL-3.0-only OR GPL-2.0-only", S },
		{ "MIT AND AGPL-3.0-or-later", N },
		{ "CC0-1.0 OR MIT", D },
		{ "MIT AND LicenseRef-foo", U },                    /* an unknown part: unknown */
		{ "LicenseRef-foo OR GPL-2.0-only", S },            /* unknown alternatives are not picked */
		{ "AGPL-3.0-only AND LicenseRef-proprietary", X },  /* proprietary wins */
		{ "GPL-2.0-only WITH Classpath-exception-2.0", W },
		{ "GPL-3.0-or-later WITH GCC-exception-3.1", W },
		{ "GPL-2.0-or-later WITH AdditionRef-foo-exception", S },
		{ "GPL-2.0+", S },                                  /* deprecated forms */
		{ "LGPL-2.1", W },
		{ "GPL-2.0-with-classpath-exception", W },
		{ "SSPL-1.0", N },
		{ "OSL-3.0", N },
		{ "EPL-2.0", W },
		{ "CDDL-1.1", W },
		{ "EUPL-1.1", S },
		{ "Unlicense", D },
		{ "Elastic-2.0", X },
		{ "CC-BY-ND-4.0", X },
		{ "LicenseRef-BSD-3-clause-google", P },
		{ "LicenseRef-public-domain-md5", D },
		{ "LicenseRef-submit", U },                          /* "mit" only as a word */
		{ "(MIT", U },                                       /* not an expression */
		{ "", U },
		{ "MIT AND", U },
	};
	bh_licdata *l = load_shared();
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bh_license_class c = bh_licclass_of(l, t[i].expr);
		if ((int)c != t[i].cls)
			print_message("'%s' -> %s, want %s\n", t[i].expr, bh_licclass_name(c), bh_licclass_name((bh_license_class)t[i].cls));
		assert_int_equal(c, t[i].cls);
	}
	assert_string_equal(bh_licclass_name(BH_LIC_NETWORK_COPYLEFT), "network-copyleft");
	assert_int_equal(bh_licclass_parse("weak-copyleft"), BH_LIC_WEAK_COPYLEFT);
	assert_int_equal(bh_licclass_parse("nope"), -1);
	assert_true(bh_licclass_is_known(l, "MIT OR GPL-2.0-only WITH Classpath-exception-2.0"));
	assert_false(bh_licclass_is_known(l, "MIT AND LicenseRef-x"));
	assert_false(bh_licclass_is_known(l, "GPL-2.0-only WITH AdditionRef-x-exception"));
	assert_false(bh_licclass_is_known(l, "NOASSERTION"));
	bh_licdata_free(l);
}

static void test_load(void **state)
{
	static const char official[] =
		"{\"licenseListVersion\":\"3.25\",\"licenses\":[{\"licenseId\":\"MIT\",\"name\":\"MIT License\",\"isOsiApproved\":true,"
		"\"seeAlso\":[\"https://opensource.org/license/mit/\"]},{\"licenseId\":\"Frobnicate-1.0\",\"name\":\"Frobnicate Public Domain Grant\","
		"\"isOsiApproved\":false},{\"licenseId\":\"Quux-2.0\",\"name\":\"Quux License\",\"isOsiApproved\":false,\"isFsfLibre\":true}]}";
	char dir[] = "/tmp/bh-lic-XXXXXX", path[64];
	bh_licdata *l = NULL;
	bh_error err;
	char *o = NULL;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/licenses.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(official, f);
	fclose(f);
	/* a directory holding the spdx.org licenses.json */
	assert_int_equal(bh_licdata_load(dir, &l, &err), 0);
	assert_int_equal(bh_license_normalize(l, "frobnicate-1.0 or quux-2.0", &o, &err), 0);
	assert_string_equal(o, "Frobnicate-1.0 OR Quux-2.0");
	assert_int_equal(bh_licclass_of(l, "Frobnicate-1.0"), BH_LIC_PUBLIC_DOMAIN); /* from its name */
	assert_int_equal(bh_licclass_of(l, "Quux-2.0"), BH_LIC_PERMISSIVE);        /* FSF libre */
	free(o);
	assert_int_equal(bh_license_normalize(l, "https://opensource.org/license/mit/", &o, &err), 0);
	assert_string_equal(o, "MIT");
	free(o);
	bh_licdata_free(l);
	/* a plain array of ids */
	f = fopen(path, "w");
	fputs("[\"MIT\", \"Zed-1.0\"]", f);
	fclose(f);
	assert_int_equal(bh_licdata_load(path, &l, &err), 0);
	assert_true(bh_licclass_is_known(l, "Zed-1.0"));
	bh_licdata_free(l);
	/* errors */
	f = fopen(path, "w");
	fputs("{\"licenses\": 3}", f);
	fclose(f);
	assert_int_equal(bh_licdata_load(path, &l, &err), BH_EINVAL);
	assert_null(l);
	f = fopen(path, "w");
	fputs("[[[[", f);
	fclose(f);
	assert_int_equal(bh_licdata_load(path, &l, &err), BH_EINVAL);
	unlink(path);
	assert_int_equal(bh_licdata_load(path, &l, &err), BH_ENOTFOUND);
	assert_int_equal(bh_licdata_load(dir, &l, &err), BH_ENOTFOUND);
	rmdir(dir);
}

static void test_hostile(void **state)
{
	bh_licdata *l = NULL;
	bh_error err;
	char *o = NULL, *big;
	size_t i;
	(void)state;
	assert_int_equal(bh_licdata_load(NULL, &l, &err), 0);

	big = malloc(BH_LIC_MAX_DECLARED + 2);
	assert_non_null(big);
	memset(big, 'a', BH_LIC_MAX_DECLARED + 1);
	big[BH_LIC_MAX_DECLARED + 1] = 0;
	assert_int_equal(bh_license_normalize(l, big, &o, &err), BH_ELIMIT);
	/* deep parentheses stop at the nesting limit, without recursion trouble */
	for (i = 0; i < 2000; i++)
		big[i] = '(';
	memcpy(big + 2000, "MIT", 4);
	assert_int_equal(bh_license_normalize(l, big, &o, &err), 0);
	free(o);
	assert_int_equal(bh_licclass_of(l, big), BH_LIC_UNKNOWN);
	/* too many licences in one string */
	for (i = 0; i < 300; i++)
		memcpy(big + i * 7, "MIT or ", 7);
	memcpy(big + i * 7, "MIT", 4);
	assert_int_equal(bh_license_normalize(l, big, &o, &err), BH_ELIMIT);
	/*
	 * Stray ')' between names side by side ("MIT or a) ISC or b) ...") print one level deeper per
	 * pair; past the nesting limit that is an error, not an expression that reads back differently.
	 */
	big[0] = 0;
	for (i = 0; i < 20; i++)
		sprintf(big + strlen(big), "%s or LicenseRef-a%zu) ", i % 2 ? "MIT" : "ISC", i);
	assert_int_equal(bh_license_normalize(l, big, &o, &err), 0);
	{
		char *again = NULL;
		assert_int_equal(bh_license_normalize(l, o, &again, &err), 0);
		assert_string_equal(o, again);
		free(again);
	}
	free(o);
	for (; i < 40; i++)
		sprintf(big + strlen(big), "%s or LicenseRef-a%zu) ", i % 2 ? "MIT" : "ISC", i);
	assert_int_equal(bh_license_normalize(l, big, &o, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "nests more than"));
	free(big);
	/* control bytes and odd characters never leak into the expression */
	assert_int_equal(bh_license_normalize(l, "\x1b[31mevil\x07 licence; rm -rf /", &o, &err), 0);
	for (i = 0; o[i]; i++)
		assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+:() ", o[i]) != NULL);
	free(o);
	assert_int_equal(bh_license_normalize(l, "   ", &o, &err), 0);
	assert_string_equal(o, "NOASSERTION");
	free(o);
	assert_int_equal(bh_license_normalize(l, NULL, &o, &err), BH_EUSAGE);
	bh_licdata_free(l);
}

/* The rule table is what `bulkhead rules list` prints and what the README documents. */
static void test_rules(void **state)
{
	static const struct {
		const char *id;
		bh_severity sev;
		const char *title;
	} want[] = {
		{ "BH-LIC-001", BH_SEV_CRITICAL, "Licence denied by the policy" },
		{ "BH-LIC-002", BH_SEV_HIGH, "Licence not in the policy's allow list" },
		{ "BH-LIC-003", BH_SEV_HIGH, "Network copyleft licence" },
		{ "BH-LIC-004", BH_SEV_MEDIUM, "Strong copyleft licence" },
		{ "BH-LIC-005", BH_SEV_LOW, "Licence not recognised" },
	};
	size_t i;
	(void)state;
	assert_int_equal(bh_licfind_rule_count, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < bh_licfind_rule_count; i++) {
		assert_string_equal(bh_licfind_rules[i].id, want[i].id);
		assert_int_equal(bh_licfind_rules[i].severity, want[i].sev);
		assert_string_equal(bh_licfind_rules[i].title, want[i].title);
		assert_null(bh_licfind_rules[i].cis);
		assert_true(strlen(bh_licfind_rules[i].why) > 20);
		assert_true(strlen(bh_licfind_rules[i].fix) > 20);
	}
}

static void add_comp(bh_sbom *s, bh_ecosystem eco, const char *name, const char *license)
{
	bh_component *c = bh_complist_add(&s->comps, eco);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, name, strlen(name)), 0);
	assert_int_equal(bh_component_set(&c->version, "1.0", 3), 0);
	if (license)
		assert_int_equal(bh_component_set(&c->license, license, strlen(license)), 0);
}

static const bh_check_finding *finding_of(const bh_checks *out, const char *name)
{
	size_t i;
	char key[64];
	snprintf(key, sizeof(key), "%s 1.0 ", name);
	for (i = 0; i < out->n; i++)
		if (!strncmp(out->items[i].detail, key, strlen(key)))
			return &out->items[i];
	return NULL;
}

/* A stand-in policy: denies expressions naming MIT, admits ones naming ISC, has no say on the rest. */
static bh_licfind_verdict test_judge(const void *ctx, const bh_licdata *l, const char *spdx)
{
	(void)l;
	assert_string_equal(ctx, "ctx");
	if (strstr(spdx, "MIT"))
		return BH_LICFIND_DENIED;
	if (strstr(spdx, "ISC"))
		return BH_LICFIND_ALLOWED;
	if (strstr(spdx, "Zlib"))
		return BH_LICFIND_NOT_ALLOWED;
	return BH_LICFIND_UNJUDGED;
}

/* Without a policy the class decides; the normalised expression and the class are in the detail. */
static void test_licfind(void **state)
{
	bh_sbom s;
	bh_checks out = { 0 };
	bh_error err;
	const bh_check_finding *f;
	(void)state;

	bh_sbom_init(&s);
	s.name = strdup("img:1");
	add_comp(&s, BH_ECO_NPM, "agpl", "AGPLv3+");
	add_comp(&s, BH_ECO_PYPI, "gpl", "GNU General Public License v2 (GPLv2)");
	add_comp(&s, BH_ECO_NPM, "odd", "Frobnitz Licence");
	add_comp(&s, BH_ECO_NPM, "prop", "License :: Other/Proprietary License");
	add_comp(&s, BH_ECO_NPM, "fine", "Apache 2.0");
	add_comp(&s, BH_ECO_NPM, "lgpl", "LGPL-2.1+");
	add_comp(&s, BH_ECO_NPM, "choice", "MIT OR AGPL-3.0-only");
	add_comp(&s, BH_ECO_NPM, "none", NULL);
	add_comp(&s, BH_ECO_OS, "os", "GPL-3.0-only");
	add_comp(&s, BH_ECO_NPM, "cp", "GPL-2.0-only WITH Classpath-exception-2.0");

	assert_int_equal(bh_licfind_run(&s, NULL, NULL, NULL, &out, &err), 0);
	assert_int_equal(out.n, 4);
	assert_non_null(f = finding_of(&out, "agpl"));
	assert_string_equal(f->rule, "BH-LIC-003");
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_string_equal(f->category, "license");
	assert_string_equal(f->target, "img:1");
	assert_string_equal(f->title, "Network copyleft licence");
	assert_string_equal(f->detail, "agpl 1.0 (npm): declared \"AGPLv3+\" = AGPL-3.0-or-later, network-copyleft");
	assert_non_null(f = finding_of(&out, "gpl"));
	assert_string_equal(f->rule, "BH-LIC-004");
	assert_int_equal(f->severity, BH_SEV_MEDIUM);
	assert_non_null(strstr(f->detail, "= GPL-2.0-only, strong-copyleft"));
	assert_non_null(f = finding_of(&out, "odd"));
	assert_string_equal(f->rule, "BH-LIC-005");
	assert_int_equal(f->severity, BH_SEV_LOW);
	assert_string_equal(f->title, "Licence not recognised");
	assert_non_null(strstr(f->detail, "= LicenseRef-Frobnitz-Licence, unknown"));
	assert_non_null(f = finding_of(&out, "prop"));
	assert_string_equal(f->rule, "BH-LIC-005");
	assert_string_equal(f->title, "Proprietary licence");
	assert_non_null(strstr(f->detail, ", proprietary"));
	/* permissive, weak copyleft, a permissive choice, nothing declared, OS packages, linking exceptions: quiet */
	assert_null(finding_of(&out, "fine"));
	assert_null(finding_of(&out, "lgpl"));
	assert_null(finding_of(&out, "choice"));
	assert_null(finding_of(&out, "none"));
	assert_null(finding_of(&out, "os"));
	assert_null(finding_of(&out, "cp"));
	bh_checks_free(&out);

	/* the policy's verdict comes first: denied, not allowed, allowed; no say leaves the class */
	assert_int_equal(bh_licfind_run(&s, NULL, test_judge, "ctx", &out, &err), 0);
	assert_non_null(f = finding_of(&out, "choice"));
	assert_string_equal(f->rule, "BH-LIC-001");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	assert_string_equal(f->title, "Licence denied by the policy");
	assert_non_null(strstr(f->detail, "= MIT OR AGPL-3.0-only, permissive"));
	assert_non_null(f = finding_of(&out, "agpl"));
	assert_string_equal(f->rule, "BH-LIC-003");
	bh_checks_free(&out);
	bh_sbom_free(&s);

	/* a licence the normaliser refuses is skipped; the others are still judged */
	bh_sbom_init(&s);
	{
		char *deep = malloc(BH_LIC_MAX_DECLARED + 2);
		assert_non_null(deep);
		memset(deep, 'a', BH_LIC_MAX_DECLARED + 1);
		deep[BH_LIC_MAX_DECLARED + 1] = 0;
		add_comp(&s, BH_ECO_NPM, "long", deep);
		free(deep);
	}
	add_comp(&s, BH_ECO_NPM, "z", "zlib");
	add_comp(&s, BH_ECO_NPM, "i", "ISC");
	add_comp(&s, BH_ECO_NPM, "a", "AGPL-3.0-only");
	assert_int_equal(bh_licfind_run(&s, NULL, test_judge, "ctx", &out, &err), 0);
	assert_int_equal(out.n, 2);
	assert_non_null(f = finding_of(&out, "z"));
	assert_string_equal(f->rule, "BH-LIC-002");
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_non_null(strstr(f->detail, "= Zlib, permissive"));
	assert_non_null(f = finding_of(&out, "a"));
	assert_string_equal(f->rule, "BH-LIC-003");
	assert_null(finding_of(&out, "i"));
	assert_null(finding_of(&out, "long"));
	bh_checks_free(&out);
	bh_sbom_free(&s);
}

/* The expression layer on its own: precedence, repeats, what says nothing, the nesting bound. */
static void test_licexpr(void **state)
{
	bool oom = false;
	bh_buf b = BH_BUF_INIT;
	bh_licexpr *n;
	char deep[200];
	size_t i;
	(void)state;

	n = bh_licexpr_parse("(mit or MIT) and (Apache-2.0 OR GPL-2.0+ with Classpath-exception-2.0)", &oom);
	assert_non_null(n);
	assert_int_equal(n->op, BH_LICEXPR_AND);
	assert_int_equal(n->a->op, BH_LICEXPR_OR);
	assert_int_equal(bh_licexpr_print(&b, n), 0);
	assert_string_equal(b.data, "(mit OR MIT) AND (Apache-2.0 OR GPL-2.0+ WITH Classpath-exception-2.0)");
	bh_buf_free(&b);
	bh_licexpr_free(n);
	/* repeats and NOASSERTION drop out of a join */
	n = bh_licexpr_join(BH_LICEXPR_AND, bh_licexpr_leaf("MIT", 3, &oom), bh_licexpr_leaf("MIT", 3, &oom), &oom);
	n = bh_licexpr_join(BH_LICEXPR_AND, n, bh_licexpr_leaf("NOASSERTION", 11, &oom), &oom);
	assert_int_equal(bh_licexpr_print(&b, n), 0);
	assert_string_equal(b.data, "MIT");
	bh_buf_free(&b);
	bh_licexpr_free(n);
	/* a '+' marks or-later, except on LicenseRef- names where it is part of the text */
	n = bh_licexpr_leaf("LicenseRef-x+", 13, &oom);
	assert_false(n->plus);
	bh_licexpr_free(n);
	/* syntax errors and nesting past the bound are NULL without oom */
	assert_null(bh_licexpr_parse("MIT AND", &oom));
	assert_null(bh_licexpr_parse("MIT WITH", &oom));
	assert_null(bh_licexpr_parse("(MIT", &oom));
	for (i = 0; i < BH_LICEXPR_MAX_NEST; i++)
		deep[i] = '(';
	memcpy(deep + i, "MIT", 3);
	memset(deep + i + 3, ')', i);
	deep[2 * i + 3] = 0;
	assert_non_null(n = bh_licexpr_parse(deep, &oom)); /* at the bound */
	assert_int_equal(n->op, BH_LICEXPR_LEAF);
	bh_licexpr_free(n);
	memmove(deep + 1, deep, strlen(deep) + 1);
	deep[0] = '(';
	strcat(deep, ")");
	assert_null(bh_licexpr_parse(deep, &oom)); /* one past it */
	assert_false(oom);
}

/* Normalises IN, expects WANT, and expects WANT to normalise to itself: the property the long fuzz
 * run checks, which each case below once broke. */
static void assert_reads_back(const bh_licdata *l, const char *in, const char *want)
{
	bh_error e;
	char *a = NULL, *b = NULL;
	assert_int_equal(bh_license_normalize(l, in, &a, &e), 0);
	assert_string_equal(a, want);
	assert_int_equal(bh_license_normalize(l, a, &b, &e), 0);
	assert_string_equal(b, want);
	free(a);
	free(b);
}

/* Found by the long fuzz run: NOASSERTION inside AND was printed, did not parse back as SPDX and a
 * second normalisation gave another answer. It says nothing next to a real licence, so it goes. */
static void test_noassertion_in_compound(void **state)
{
	bh_licdata *l = NULL;
	bh_error e;
	(void)state;
	assert_int_equal(bh_licdata_load(NULL, &l, &e), 0);
	assert_reads_back(l, "GPLv2 and unknown", "GPL-2.0-only");
	assert_reads_back(l, "unknown", "NOASSERTION");
	/* an exception to no licence says nothing either ("NONE WITH x" is no SPDX and did not read back) */
	assert_reads_back(l, "none WITH Classpath-exception-2.0", "NONE");
	assert_reads_back(l,
			  "GPL-2.0-or-later WITH Classpath-exception-2.0 AND (LicenseRef-a OR MIT) "
			  "AND NONE WITH AdditionRef-1-exception",
			  "GPL-2.0-or-later WITH Classpath-exception-2.0 AND (LicenseRef-a OR MIT)");
	/* a '+' on a deprecated BSD id is dropped as it is on the current one (it did not read back) */
	assert_reads_back(l, "MIT AND BSD-2-Clause-NetBSD+", "MIT AND BSD-2-Clause");
	assert_reads_back(l, "0BSD+", "0BSD");
	assert_reads_back(l, "BSD 0+", "0BSD");
	bh_licdata_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_strings_list), cmocka_unit_test(test_builtin_only), cmocka_unit_test(test_classify),
		cmocka_unit_test(test_load),		  cmocka_unit_test(test_hostile),      cmocka_unit_test(test_rules),
		cmocka_unit_test(test_licfind), cmocka_unit_test(test_licexpr),
		cmocka_unit_test(test_noassertion_in_compound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
