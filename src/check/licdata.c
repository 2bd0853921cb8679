/* licdata.c - the SPDX licence list (built-in table or spdx.org JSON), deprecated ids, exceptions and aliases. */
#include "check/licdata.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"
#include "core/map.h"

#define MAX_LIST_BYTES ((size_t)32 << 20) /* the spdx.org licenses.json is ~0.5 MiB */
#define KEY_MAX BH_LICDATA_KEY_MAX

enum { C_UNK = BH_LIC_UNKNOWN, C_PERM = BH_LIC_PERMISSIVE, C_WEAK = BH_LIC_WEAK_COPYLEFT, C_STRONG = BH_LIC_STRONG_COPYLEFT,
       C_NET = BH_LIC_NETWORK_COPYLEFT, C_PD = BH_LIC_PUBLIC_DOMAIN, C_PROP = BH_LIC_PROPRIETARY };

/* The fallback: the ids met most in images, with their class (authoritative even when a list is loaded). */
static const bh_licdata_entry builtin[] = {
	{ "0BSD", "BSD Zero Clause License", "https://opensource.org/licenses/0BSD", C_PERM, 1, 0 },
	{ "AFL-2.1", "Academic Free License v2.1", NULL, C_PERM, 1, 0 },
	{ "AFL-3.0", "Academic Free License v3.0", NULL, C_PERM, 1, 0 },
	{ "Apache-1.1", "Apache License 1.1", NULL, C_PERM, 1, 0 },
	{ "Apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0", C_PERM, 1, 0 },
	{ "Artistic-1.0", "Artistic License 1.0", NULL, C_PERM, 1, 0 },
	{ "Artistic-1.0-Perl", "Artistic License 1.0 (Perl)", NULL, C_PERM, 1, 0 },
	{ "Artistic-2.0", "Artistic License 2.0", NULL, C_PERM, 1, 0 },
	{ "Beerware", "Beerware License", NULL, C_PERM, 0, 0 },
	{ "BlueOak-1.0.0", "Blue Oak Model License 1.0.0", NULL, C_PERM, 1, 0 },
	{ "BSD-1-Clause", "BSD 1-Clause License", NULL, C_PERM, 1, 0 },
	{ "BSD-2-Clause", "BSD 2-Clause \"Simplified\" License", "https://opensource.org/licenses/BSD-2-Clause", C_PERM, 1, 0 },
	{ "BSD-2-Clause-Patent", "BSD-2-Clause Plus Patent License", NULL, C_PERM, 1, 0 },
	{ "BSD-3-Clause", "BSD 3-Clause \"New\" or \"Revised\" License", "https://opensource.org/licenses/BSD-3-Clause", C_PERM, 1, 0 },
	{ "BSD-3-Clause-Clear", "BSD 3-Clause Clear License", NULL, C_PERM, 0, 0 },
	{ "BSD-4-Clause", "BSD 4-Clause \"Original\" or \"Old\" License", NULL, C_PERM, 0, 0 },
	{ "BSL-1.0", "Boost Software License 1.0", "https://www.boost.org/LICENSE_1_0.txt", C_PERM, 1, 0 },
	{ "bzip2-1.0.6", "bzip2 and libbzip2 License v1.0.6", NULL, C_PERM, 0, 0 },
	{ "CC-BY-3.0", "Creative Commons Attribution 3.0 Unported", NULL, C_PERM, 0, 0 },
	{ "CC-BY-4.0", "Creative Commons Attribution 4.0 International", NULL, C_PERM, 0, 0 },
	{ "CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0 International", NULL, C_PROP, 0, 0 },
	{ "CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0 International", NULL, C_PROP, 0, 0 },
	{ "CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0 International", NULL, C_PROP, 0, 0 },
	{ "CC-BY-SA-3.0", "Creative Commons Attribution Share Alike 3.0 Unported", NULL, C_STRONG, 0, 0 },
	{ "CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International", NULL, C_STRONG, 0, 0 },
	{ "CC-PDDC", "Creative Commons Public Domain Dedication and Certification", NULL, C_PD, 0, 0 },
	{ "CC0-1.0", "Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/legalcode", C_PD, 0, 0 },
	{ "CDDL-1.0", "Common Development and Distribution License 1.0", NULL, C_WEAK, 1, 0 },
	{ "CDDL-1.1", "Common Development and Distribution License 1.1", NULL, C_WEAK, 0, 0 },
	{ "CNRI-Python", "CNRI Python License", NULL, C_PERM, 1, 0 },
	{ "CPL-1.0", "Common Public License 1.0", NULL, C_WEAK, 1, 0 },
	{ "curl", "curl License", NULL, C_PERM, 0, 0 },
	{ "ECL-2.0", "Educational Community License v2.0", NULL, C_PERM, 1, 0 },
	{ "Elastic-2.0", "Elastic License 2.0", NULL, C_PROP, 0, 0 },
	{ "EPL-1.0", "Eclipse Public License 1.0", "https://www.eclipse.org/legal/epl-v10.html", C_WEAK, 1, 0 },
	{ "EPL-2.0", "Eclipse Public License 2.0", "https://www.eclipse.org/legal/epl-2.0", C_WEAK, 1, 0 },
	{ "EUPL-1.1", "European Union Public License 1.1", NULL, C_STRONG, 1, 0 },
	{ "EUPL-1.2", "European Union Public License 1.2", NULL, C_STRONG, 1, 0 },
	{ "FSFAP", "FSF All Permissive License", NULL, C_PERM, 0, 0 },
	{ "FSFUL", "FSF Unlimited License", NULL, C_PERM, 0, 0 },
	{ "FSFULLR", "FSF Unlimited License (with License Retention)", NULL, C_PERM, 0, 0 },
	{ "FTL", "Freetype Project License", NULL, C_PERM, 0, 0 },
	{ "GFDL-1.1-only", "GNU Free Documentation License v1.1 only", NULL, C_STRONG, 0, 0 },
	{ "GFDL-1.1-or-later", "GNU Free Documentation License v1.1 or later", NULL, C_STRONG, 0, 0 },
	{ "GFDL-1.2-only", "GNU Free Documentation License v1.2 only", NULL, C_STRONG, 0, 0 },
	{ "GFDL-1.2-or-later", "GNU Free Documentation License v1.2 or later", NULL, C_STRONG, 0, 0 },
	{ "GFDL-1.3-only", "GNU Free Documentation License v1.3 only", NULL, C_STRONG, 0, 0 },
	{ "GFDL-1.3-or-later", "GNU Free Documentation License v1.3 or later", NULL, C_STRONG, 0, 0 },
	{ "GPL-1.0-only", "GNU General Public License v1.0 only", NULL, C_STRONG, 0, 0 },
	{ "GPL-1.0-or-later", "GNU General Public License v1.0 or later", NULL, C_STRONG, 0, 0 },
	{ "GPL-2.0-only", "GNU General Public License v2.0 only", "https://www.gnu.org/licenses/old-licenses/gpl-2.0-standalone.html", C_STRONG, 1, 0 },
	{ "GPL-2.0-or-later", "GNU General Public License v2.0 or later", NULL, C_STRONG, 1, 0 },
	{ "GPL-3.0-only", "GNU General Public License v3.0 only", "https://www.gnu.org/licenses/gpl-3.0-standalone.html", C_STRONG, 1, 0 },
	{ "GPL-3.0-or-later", "GNU General Public License v3.0 or later", NULL, C_STRONG, 1, 0 },
	{ "AGPL-1.0-only", "Affero General Public License v1.0 only", NULL, C_NET, 0, 0 },
	{ "AGPL-3.0-only", "GNU Affero General Public License v3.0 only", NULL, C_NET, 1, 0 },
	{ "AGPL-3.0-or-later", "GNU Affero General Public License v3.0 or later", NULL, C_NET, 1, 0 },
	{ "HPND", "Historical Permission Notice and Disclaimer", NULL, C_PERM, 1, 0 },
	{ "ICU", "ICU License", NULL, C_PERM, 1, 0 },
	{ "IJG", "Independent JPEG Group License", NULL, C_PERM, 0, 0 },
	{ "Info-ZIP", "Info-ZIP License", NULL, C_PERM, 0, 0 },
	{ "ISC", "ISC License", "https://opensource.org/licenses/ISC", C_PERM, 1, 0 },
	{ "JSON", "JSON License", "https://www.json.org/license.html", C_UNK, 0, 0 }, /* "shall be used for Good, not Evil" */
	{ "LGPL-2.0-only", "GNU Library General Public License v2 only", NULL, C_WEAK, 1, 0 },
	{ "LGPL-2.0-or-later", "GNU Library General Public License v2 or later", NULL, C_WEAK, 1, 0 },
	{ "LGPL-2.1-only", "GNU Lesser General Public License v2.1 only", NULL, C_WEAK, 1, 0 },
	{ "LGPL-2.1-or-later", "GNU Lesser General Public License v2.1 or later", NULL, C_WEAK, 1, 0 },
	{ "LGPL-3.0-only", "GNU Lesser General Public License v3.0 only", NULL, C_WEAK, 1, 0 },
	{ "LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later", NULL, C_WEAK, 1, 0 },
	{ "libpng", "PNG Reference Library License v1 (for libpng 0.5 through 1.6.35)", NULL, C_PERM, 0, 0 },
	{ "libpng-2.0", "PNG Reference Library License v2", NULL, C_PERM, 0, 0 },
	{ "MirOS", "The MirOS Licence", NULL, C_PERM, 1, 0 },
	{ "MIT", "MIT License", "https://opensource.org/licenses/MIT", C_PERM, 1, 0 },
	{ "MIT-0", "MIT No Attribution", NULL, C_PERM, 1, 0 },
	{ "MIT-CMU", "CMU License", NULL, C_PERM, 0, 0 },
	{ "MPL-1.0", "Mozilla Public License 1.0", NULL, C_WEAK, 1, 0 },
	{ "MPL-1.1", "Mozilla Public License 1.1", NULL, C_WEAK, 1, 0 },
	{ "MPL-2.0", "Mozilla Public License 2.0", "https://mozilla.org/MPL/2.0/", C_WEAK, 1, 0 },
	{ "MPL-2.0-no-copyleft-exception", "Mozilla Public License 2.0 (no copyleft exception)", NULL, C_WEAK, 1, 0 },
	{ "MS-PL", "Microsoft Public License", NULL, C_PERM, 1, 0 },
	{ "MS-RL", "Microsoft Reciprocal License", NULL, C_WEAK, 1, 0 },
	{ "NCSA", "University of Illinois/NCSA Open Source License", NULL, C_PERM, 1, 0 },
	{ "OFL-1.1", "SIL Open Font License 1.1", NULL, C_WEAK, 1, 0 },
	{ "OLDAP-2.8", "Open LDAP Public License v2.8", NULL, C_PERM, 1, 0 },
	{ "OpenSSL", "OpenSSL License", NULL, C_PERM, 0, 0 },
	{ "OSL-3.0", "Open Software License 3.0", NULL, C_NET, 1, 0 },
	{ "PDDL-1.0", "Open Data Commons Public Domain Dedication & License 1.0", NULL, C_PD, 0, 0 },
	{ "PHP-3.01", "PHP License v3.01", NULL, C_PERM, 1, 0 },
	{ "PostgreSQL", "PostgreSQL License", NULL, C_PERM, 1, 0 },
	{ "PSF-2.0", "Python Software Foundation License 2.0", NULL, C_PERM, 0, 0 },
	{ "Python-2.0", "Python License 2.0", NULL, C_PERM, 1, 0 },
	{ "RPL-1.5", "Reciprocal Public License 1.5", NULL, C_NET, 1, 0 },
	{ "Ruby", "Ruby License", NULL, C_PERM, 0, 0 },
	{ "Sleepycat", "Sleepycat License", NULL, C_STRONG, 1, 0 },
	{ "SMLNJ", "Standard ML of New Jersey License", NULL, C_PERM, 0, 0 },
	{ "SSPL-1.0", "Server Side Public License, v 1", NULL, C_NET, 0, 0 },
	{ "BUSL-1.1", "Business Source License 1.1", NULL, C_PROP, 0, 0 },
	{ "TCL", "TCL/TK License", NULL, C_PERM, 0, 0 },
	{ "Unicode-3.0", "Unicode License v3", NULL, C_PERM, 1, 0 },
	{ "Unicode-DFS-2016", "Unicode License Agreement - Data Files and Software (2016)", NULL, C_PERM, 1, 0 },
	{ "Unlicense", "The Unlicense", "https://unlicense.org/", C_PD, 1, 0 },
	{ "UPL-1.0", "Universal Permissive License v1.0", NULL, C_PERM, 1, 0 },
	{ "Vim", "Vim License", NULL, C_PERM, 0, 0 },
	{ "W3C", "W3C Software Notice and License (2002-12-31)", NULL, C_PERM, 1, 0 },
	{ "WTFPL", "Do What The F*ck You Want To Public License", NULL, C_PERM, 0, 0 },
	{ "X11", "X11 License", NULL, C_PERM, 0, 0 },
	{ "Zlib", "zlib License", NULL, C_PERM, 1, 0 },
	{ "zlib-acknowledgement", "zlib/libpng License with Acknowledgement", NULL, C_PERM, 0, 0 },
	{ "ZPL-2.1", "Zope Public License 2.1", NULL, C_PERM, 1, 0 },
};
#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))

/* Deprecated ids and their current form (several became "X WITH exception"). */
static const struct {
	const char *from, *to;
} deprecated[] = {
	{ "GPL-1.0", "GPL-1.0-only" },
	{ "GPL-1.0+", "GPL-1.0-or-later" },
	{ "GPL-2.0", "GPL-2.0-only" },
	{ "GPL-2.0+", "GPL-2.0-or-later" },
	{ "GPL-3.0", "GPL-3.0-only" },
	{ "GPL-3.0+", "GPL-3.0-or-later" },
	{ "LGPL-2.0", "LGPL-2.0-only" },
	{ "LGPL-2.0+", "LGPL-2.0-or-later" },
	{ "LGPL-2.1", "LGPL-2.1-only" },
	{ "LGPL-2.1+", "LGPL-2.1-or-later" },
	{ "LGPL-3.0", "LGPL-3.0-only" },
	{ "LGPL-3.0+", "LGPL-3.0-or-later" },
	{ "AGPL-1.0", "AGPL-1.0-only" },
	{ "AGPL-3.0", "AGPL-3.0-only" },
	{ "GFDL-1.1", "GFDL-1.1-only" },
	{ "GFDL-1.2", "GFDL-1.2-only" },
	{ "GFDL-1.3", "GFDL-1.3-only" },
	{ "GPL-2.0-with-autoconf-exception", "GPL-2.0-only WITH Autoconf-exception-2.0" },
	{ "GPL-2.0-with-bison-exception", "GPL-2.0-or-later WITH Bison-exception-2.2" },
	{ "GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "GPL-2.0-with-font-exception", "GPL-2.0-only WITH Font-exception-2.0" },
	{ "GPL-2.0-with-GCC-exception", "GPL-2.0-only WITH GCC-exception-2.0" },
	{ "GPL-3.0-with-autoconf-exception", "GPL-3.0-only WITH Autoconf-exception-3.0" },
	{ "GPL-3.0-with-GCC-exception", "GPL-3.0-only WITH GCC-exception-3.1" },
	{ "eCos-2.0", "GPL-2.0-or-later WITH eCos-exception-2.0" },
	{ "wxWindows", "LGPL-2.0-or-later WITH WxWindows-exception-3.1" },
	{ "Nunit", "zlib-acknowledgement" },
	{ "StandardML-NJ", "SMLNJ" },
	{ "BSD-2-Clause-FreeBSD", "BSD-2-Clause" },
	{ "BSD-2-Clause-NetBSD", "BSD-2-Clause" },
	{ "bzip2-1.0.5", "bzip2-1.0.6" },
};

/* SPDX licence exceptions; weak = turns a copyleft licence into weak copyleft for the code using it. */
static const struct {
	const char *id;
	unsigned char weak;
} exceptions[] = {
	{ "389-exception", 1 }, { "Asterisk-exception", 0 }, { "Autoconf-exception-2.0", 1 }, { "Autoconf-exception-3.0", 1 },
	{ "Autoconf-exception-generic", 1 }, { "Autoconf-exception-generic-3.0", 1 }, { "Autoconf-exception-macro", 1 },
	{ "Bison-exception-1.24", 1 }, { "Bison-exception-2.2", 1 }, { "Bootloader-exception", 1 }, { "CGAL-linking-exception", 1 },
	{ "Classpath-exception-2.0", 1 }, { "CLISP-exception-2.0", 1 }, { "DigiRule-FOSS-exception", 0 }, { "eCos-exception-2.0", 1 },
	{ "erlang-otp-linking-exception", 1 }, { "Fawkes-Runtime-exception", 1 }, { "FLTK-exception", 1 }, { "Font-exception-2.0", 1 },
	{ "freertos-exception-2.0", 1 }, { "GCC-exception-2.0", 1 }, { "GCC-exception-3.1", 1 }, { "GNAT-exception", 1 },
	{ "GNU-compiler-exception", 1 }, { "gnu-javamail-exception", 1 }, { "GPL-3.0-linking-exception", 1 },
	{ "GPL-3.0-linking-source-exception", 1 }, { "GPL-CC-1.0", 0 }, { "GStreamer-exception-2005", 1 },
	{ "GStreamer-exception-2008", 1 }, { "i2p-gpl-java-exception", 1 }, { "Independent-modules-exception", 1 },
	{ "KiCad-libraries-exception", 1 }, { "LGPL-3.0-linking-exception", 1 }, { "libpri-OpenH323-exception", 0 },
	{ "Libtool-exception", 1 }, { "Linux-syscall-note", 1 }, { "LLGPL", 1 }, { "LLVM-exception", 1 }, { "LZMA-exception", 1 },
	{ "mif-exception", 1 }, { "mxml-exception", 1 }, { "OCaml-LGPL-linking-exception", 1 }, { "OCCT-exception-1.0", 1 },
	{ "OpenJDK-assembly-exception-1.0", 1 }, { "openvpn-openssl-exception", 0 }, { "PS-or-PDF-font-exception-20170817", 1 },
	{ "QPL-1.0-INRIA-2004-exception", 0 }, { "Qt-GPL-exception-1.0", 1 }, { "Qt-LGPL-exception-1.1", 1 },
	{ "Qwt-exception-1.0", 1 }, { "romic-exception", 1 }, { "RRDtool-FLOSS-exception-2.0", 0 }, { "SANE-exception", 1 },
	{ "SHL-2.0", 0 }, { "SHL-2.1", 0 }, { "stunnel-exception", 0 }, { "Swift-exception", 1 }, { "Texinfo-exception", 1 },
	{ "u-boot-exception-2.0", 1 }, { "UBDL-exception", 1 }, { "Universal-FOSS-exception-1.0", 1 },
	{ "vsftpd-openssl-exception", 0 }, { "WxWindows-exception-3.1", 1 }, { "x11vnc-openssl-exception", 0 },
};

/* Exception names as Debian and others write them (key: lower case, "exception" removed). */
static const struct {
	const char *name, *id2, *id3; /* id3: used with a version-3 licence when it differs */
} exception_names[] = {
	{ "autoconf", "Autoconf-exception-2.0", "Autoconf-exception-3.0" },
	{ "autoconf-3.0", "Autoconf-exception-3.0", NULL },
	{ "bison", "Bison-exception-2.2", NULL },
	{ "bison-2.2", "Bison-exception-2.2", NULL },
	{ "classpath", "Classpath-exception-2.0", NULL },
	{ "cpe", "Classpath-exception-2.0", NULL },
	{ "ce", "Classpath-exception-2.0", NULL },
	{ "gcc", "GCC-exception-2.0", "GCC-exception-3.1" },
	{ "gcc-runtime", "GCC-exception-2.0", "GCC-exception-3.1" },
	{ "gcc-runtime-3.1", "GCC-exception-3.1", NULL },
	{ "gcc runtime library", "GCC-exception-2.0", "GCC-exception-3.1" },
	{ "libtool", "Libtool-exception", NULL },
	{ "llvm", "LLVM-exception", NULL },
	{ "llvm-exceptions", "LLVM-exception", NULL },
	{ "font", "Font-exception-2.0", NULL },
	{ "texinfo", "Texinfo-exception", NULL },
	{ "linux-syscall-note", "Linux-syscall-note", NULL },
	{ "syscall-note", "Linux-syscall-note", NULL },
	{ "wxwindows", "WxWindows-exception-3.1", NULL },
	{ "ecos", "eCos-exception-2.0", NULL },
	{ "u-boot", "u-boot-exception-2.0", NULL },
	{ "openssl-linking", "openvpn-openssl-exception", NULL },
	{ "qt-gpl", "Qt-GPL-exception-1.0", NULL },
	{ "qt-lgpl", "Qt-LGPL-exception-1.1", NULL },
	{ "swift", "Swift-exception", NULL },
	{ "ocaml", "OCaml-LGPL-linking-exception", NULL },
};

/* Whole names (key form: lower case, single spaces, no commas, no leading "the") and their expression. */
static const struct {
	const char *key, *expr;
} aliases[] = {
	{ "expat", "MIT" },
	{ "mit/x11", "MIT" },
	{ "mit/x", "MIT" },
	{ "mit x11", "MIT" },
	{ "mit/expat", "MIT" },
	{ "mit license", "MIT" },
	{ "mit licence", "MIT" },
	{ "mit licensed", "MIT" },
	{ "mit-style", "LicenseRef-MIT-style" },
	{ "x11 license", "X11" },
	{ "mit/x consortium license", "X11" },
	{ "zlib/libpng", "Zlib" },
	{ "zlib/libpng license", "Zlib" },
	{ "iscl", "ISC" },
	{ "isc license", "ISC" },
	{ "public domain", "LicenseRef-public-domain" },
	{ "public-domain", "LicenseRef-public-domain" },
	{ "pd", "LicenseRef-public-domain" },
	{ "public domain dedication", "LicenseRef-public-domain" },
	{ "bsd", "LicenseRef-BSD" },
	{ "bsd license", "LicenseRef-BSD" },
	{ "bsd licence", "LicenseRef-BSD" },
	{ "bsd-like", "LicenseRef-BSD-like" },
	{ "bsd-style", "LicenseRef-BSD-like" },
	{ "new bsd", "BSD-3-Clause" },
	{ "new bsd license", "BSD-3-Clause" },
	{ "bsd-new", "BSD-3-Clause" },
	{ "modified bsd", "BSD-3-Clause" },
	{ "modified bsd license", "BSD-3-Clause" },
	{ "revised bsd", "BSD-3-Clause" },
	{ "revised bsd license", "BSD-3-Clause" },
	{ "3-clause bsd", "BSD-3-Clause" },
	{ "3-clause bsd license", "BSD-3-Clause" },
	{ "bsd 3-clause \"new\" or \"revised\" license", "BSD-3-Clause" },
	{ "simplified bsd", "BSD-2-Clause" },
	{ "simplified bsd license", "BSD-2-Clause" },
	{ "2-clause bsd", "BSD-2-Clause" },
	{ "2-clause bsd license", "BSD-2-Clause" },
	{ "freebsd", "BSD-2-Clause" },
	{ "freebsd license", "BSD-2-Clause" },
	{ "bsd-0-clause", "0BSD" },
	{ "zero-clause bsd", "0BSD" },
	{ "python", "Python-2.0" },
	{ "python license", "Python-2.0" },
	{ "cnri python license", "CNRI-Python" },
	{ "unlicense", "Unlicense" },
	{ "cc0", "CC0-1.0" },
	{ "cc0 license", "CC0-1.0" },
	{ "cc-zero", "CC0-1.0" },
	{ "cc0 1.0 universal", "CC0-1.0" },
	{ "creative commons zero", "CC0-1.0" },
	{ "bouncy castle licence", "MIT" },
	{ "bouncy castle license", "MIT" },
	{ "json license", "JSON" },
	{ "perl", "Artistic-1.0-Perl OR GPL-1.0-or-later" },
	{ "same as perl itself", "Artistic-1.0-Perl OR GPL-1.0-or-later" },
	{ "perl_5", "Artistic-1.0-Perl OR GPL-1.0-or-later" },
	{ "apache-2-llvm-exceptions", "Apache-2.0 WITH LLVM-exception" },
	{ "apache-2.0-with-llvm-exception", "Apache-2.0 WITH LLVM-exception" },
	{ "cddl + gplv2 with classpath exception", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "cddl+gpl license", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "cddl+gpl", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "cddl/gplv2+ce", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "cddl 1.1/gpl 2.0 with classpath exception", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "gpl2 w/ cpe", "GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "gplv2+ce", "GPL-2.0-only WITH Classpath-exception-2.0" },
	{ "gnu library or lesser general public license", "LGPL-2.0-or-later" },
	{ "gnu library or lesser general public license (lgpl)", "LGPL-2.0-or-later" },
	{ "server side public license", "SSPL-1.0" },
	{ "sspl", "SSPL-1.0" },
	{ "business source license", "BUSL-1.1" },
	{ "elastic license", "Elastic-2.0" },
	{ "postgresql license", "PostgreSQL" },
	{ "openssl license", "OpenSSL" },
	{ "the openssl license", "OpenSSL" },
	{ "openssl+ssleay", "OpenSSL" },
	{ "do what the f*ck you want to public license", "WTFPL" },
	{ "wtfpl", "WTFPL" },
	{ "universal permissive license", "UPL-1.0" },
	{ "upl", "UPL-1.0" },
	{ "blueoak-1.0.0", "BlueOak-1.0.0" },
	{ "unlicensed", "LicenseRef-UNLICENSED" },
	{ "proprietary", "LicenseRef-proprietary" },
	{ "proprietary license", "LicenseRef-proprietary" },
	{ "other/proprietary license", "LicenseRef-proprietary" },
	{ "commercial", "LicenseRef-proprietary" },
	{ "commercial license", "LicenseRef-proprietary" },
	{ "closed source", "LicenseRef-proprietary" },
	{ "all rights reserved", "LicenseRef-proprietary" },
	{ "see license", "NOASSERTION" },
	{ "see license file", "NOASSERTION" },
	{ "see license.txt", "NOASSERTION" },
	{ "osi approved", "NOASSERTION" },
	{ "dfsg approved", "NOASSERTION" },
	{ "other", "NOASSERTION" },
	{ "custom", "NOASSERTION" },
	{ "unknown", "NOASSERTION" },
	{ "noassertion", "NOASSERTION" },
	{ "none", "NONE" },
};

struct bh_licdata {
	bh_licdata_entry *v; /* owned; strings owned where owned = 1 */
	size_t n, cap;
	bh_map by_id;   /* lower-case id -> index + 1 */
	bh_map by_name; /* name key -> index + 1 */
	bh_map by_url;  /* url key -> index + 1 */
};

/* ---- keys ---- */

/* Lower case, whitespace runs (and commas, ';') to one space, trimmed, no trailing '.', no leading "the ". */
void bh_licdata_key(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i;
	bool sp = false;
	for (i = 0; i < n && o + 2 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';') {
			sp = o > 0;
			continue;
		}
		if (sp)
			out[o++] = ' ';
		sp = false;
		out[o++] = (char)tolower(c);
	}
	out[o] = 0;
	while (o && (out[o - 1] == '.' || out[o - 1] == ' '))
		out[--o] = 0;
	if (o >= 2 && (out[0] == '"' || out[0] == '\'') && out[o - 1] == out[0]) {
		memmove(out, out + 1, o - 2);
		out[o - 2] = 0;
	}
	if (!strncmp(out, "the ", 4))
		memmove(out, out + 4, strlen(out + 4) + 1);
}

/* URL key: no scheme, no "www.", no query/fragment/trailing slash; lower case. */
void bh_licdata_url_key(const char *s, char *out, size_t cap)
{
	const char *p = strstr(s, "://");
	size_t n;
	bh_licdata_key(p ? p + 3 : s, strlen(p ? p + 3 : s), out, cap);
	if (!strncmp(out, "www.", 4))
		memmove(out, out + 4, strlen(out + 4) + 1);
	out[strcspn(out, "?#")] = 0;
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = 0;
}

/* ---- the list ---- */

static const bh_licdata_entry *lic_at(const bh_licdata *l, void *v)
{
	return v ? &l->v[(uintptr_t)v - 1] : NULL;
}

/* By id, case-insensitively. */
const bh_licdata_entry *bh_licdata_find_id(const bh_licdata *l, const char *id)
{
	char k[KEY_MAX];
	size_t i;
	if (l) {
		for (i = 0; id[i] && i + 1 < sizeof(k); i++)
			k[i] = (char)tolower((unsigned char)id[i]);
		k[i] = 0;
		return id[i] ? NULL : lic_at(l, bh_map_get(&l->by_id, k));
	}
	for (i = 0; i < NBUILTIN; i++)
		if (!strcasecmp(builtin[i].id, id))
			return &builtin[i];
	return NULL;
}

const bh_licdata_entry *bh_licdata_find_name(const bh_licdata *l, const char *key)
{
	char k[KEY_MAX];
	size_t i;
	if (l)
		return lic_at(l, bh_map_get(&l->by_name, key));
	for (i = 0; i < NBUILTIN; i++) {
		bh_licdata_key(builtin[i].name, strlen(builtin[i].name), k, sizeof(k));
		if (!strcmp(k, key))
			return &builtin[i];
	}
	return NULL;
}

const bh_licdata_entry *bh_licdata_find_url(const bh_licdata *l, const char *ukey)
{
	char k[KEY_MAX];
	size_t i;
	if (l)
		return lic_at(l, bh_map_get(&l->by_url, ukey));
	for (i = 0; i < NBUILTIN; i++) {
		if (!builtin[i].url)
			continue;
		bh_licdata_url_key(builtin[i].url, k, sizeof(k));
		if (!strcmp(k, ukey))
			return &builtin[i];
	}
	return NULL;
}

const char *bh_licdata_deprecated(const char *id)
{
	size_t i;
	for (i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++)
		if (tolower((unsigned char)deprecated[i].from[0]) == tolower((unsigned char)id[0]) &&
		    !strcasecmp(deprecated[i].from, id))
			return deprecated[i].to;
	return NULL;
}

int bh_licdata_exception(const char *id)
{
	size_t i;
	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (tolower((unsigned char)exceptions[i].id[0]) == tolower((unsigned char)id[0]) &&
		    !strcasecmp(exceptions[i].id, id))
			return (int)i;
	return -1;
}

/* The last match wins: the list is in id order, so "Autoconf-exception" finds the newest version. */
int bh_licdata_exception_prefix(const char *prefix)
{
	size_t i, n = strlen(prefix);
	int e = -1;
	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (!strncasecmp(exceptions[i].id, prefix, n) && exceptions[i].id[n] == '-')
			e = (int)i;
	return e;
}

const char *bh_licdata_exception_id(int i)
{
	return i >= 0 && (size_t)i < sizeof(exceptions) / sizeof(exceptions[0]) ? exceptions[i].id : NULL;
}

bool bh_licdata_exception_weak(int i)
{
	return i >= 0 && (size_t)i < sizeof(exceptions) / sizeof(exceptions[0]) && exceptions[i].weak;
}

const char *bh_licdata_exception_named(const char *key, bool v3)
{
	size_t i;
	for (i = 0; i < sizeof(exception_names) / sizeof(exception_names[0]); i++)
		if (!strcmp(key, exception_names[i].name))
			return v3 && exception_names[i].id3 ? exception_names[i].id3 : exception_names[i].id2;
	return NULL;
}

const char *bh_licdata_alias(const char *key)
{
	size_t i;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (aliases[i].key[0] == key[0] && !strcmp(aliases[i].key, key))
			return aliases[i].expr;
	return NULL;
}

unsigned char bh_licdata_builtin_class(const char *id)
{
	size_t i;
	for (i = 0; i < NBUILTIN; i++)
		if (!strcasecmp(builtin[i].id, id))
			return builtin[i].cls;
	return BH_LIC_NCLASS;
}

static int add_lic(bh_licdata *l, const char *id, const char *name, const char *url, bool osi, bool owned)
{
	char k[KEY_MAX];
	bh_licdata_entry *x;
	size_t i;
	int rc;

	for (i = 0; id[i] && i + 1 < sizeof(k); i++)
		k[i] = (char)tolower((unsigned char)id[i]);
	k[i] = 0;
	if (id[i] || !*id || bh_map_get(&l->by_id, k))
		return 0; /* over-long, empty or repeated ids are left out */
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256, bytes;
		bh_licdata_entry *nv;
		if (!bh_size_mul(ncap, sizeof(*nv), &bytes) || !(nv = realloc(l->v, bytes)))
			return BH_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	x = &l->v[l->n];
	memset(x, 0, sizeof(*x));
	x->owned = owned;
	if (owned) {
		x->id = bh_strdup(id);
		x->name = bh_strdup(name);
		x->url = bh_strdup(url);
		if (!x->id || (name && !x->name) || (url && !x->url)) {
			free((char *)x->id);
			free((char *)x->name);
			free((char *)x->url);
			return BH_ENOMEM;
		}
	} else {
		x->id = id;
		x->name = name;
		x->url = url;
	}
	x->osi = osi;
	x->cls = bh_licdata_builtin_class(x->id); /* authoritative for listed ids too; check/licclass derives the rest */
	l->n++;
	if ((rc = bh_map_put(&l->by_id, k, (void *)(uintptr_t)l->n)))
		return rc;
	/* names and URLs point at current ids only: a deprecated id shares its name with its successor */
	if (bh_licdata_deprecated(id))
		return 0;
	if (name) {
		bh_licdata_key(name, strlen(name), k, sizeof(k));
		if (*k && !bh_map_get(&l->by_name, k) && (rc = bh_map_put(&l->by_name, k, (void *)(uintptr_t)l->n)))
			return rc;
	}
	if (url) {
		bh_licdata_url_key(url, k, sizeof(k));
		if (*k && !bh_map_get(&l->by_url, k) && (rc = bh_map_put(&l->by_url, k, (void *)(uintptr_t)l->n)))
			return rc;
	}
	return 0;
}

static int read_file(const char *path, char **data, size_t *len, bh_error *err)
{
	FILE *f = bh_file_fopen_regular(path, err);
	struct stat st;
	char *d;
	if (!f)
		return err->code;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return bh_error_set(err, BH_EIO, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > MAX_LIST_BYTES) {
		fclose(f);
		return bh_error_set(err, BH_ELIMIT, "%s: licence list larger than %zu bytes", path, MAX_LIST_BYTES);
	}
	if (!(d = malloc((size_t)st.st_size + 1))) {
		fclose(f);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	*len = fread(d, 1, (size_t)st.st_size, f);
	fclose(f);
	d[*len] = 0;
	*data = d;
	return 0;
}

static int load_json(bh_licdata *l, const char *path, bh_error *err)
{
	char *data = NULL;
	size_t len = 0, i, before = l->n;
	json_t *j = NULL, *v, *arr;
	const char *k;
	int rc;

	if ((rc = read_file(path, &data, &len, err)))
		return rc;
	rc = bh_json_load(data, len, 16, path, &j, err);
	free(data);
	if (rc)
		return rc;
	if ((arr = json_object_get(j, "licenses")) && json_is_array(arr)) {
		/* spdx.org licenses.json */
		json_array_foreach(arr, i, v) {
			const char *id = bh_json_str(v, "licenseId");
			json_t *see = json_object_get(v, "seeAlso");
			if (id && (rc = add_lic(l, id, bh_json_str(v, "name"), json_string_value(json_array_get(see, 0)),
						json_is_true(json_object_get(v, "isOsiApproved")) ||
							json_is_true(json_object_get(v, "isFsfLibre")), true)))
				break;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (json_is_string(v) && (rc = add_lic(l, json_string_value(v), NULL, NULL, false, true)))
				break;
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			if (json_is_object(v) &&
			    (rc = add_lic(l, k, bh_json_str(v, "name"), bh_json_str(v, "url"),
					  json_is_true(json_object_get(v, "osiApproved")) || json_is_true(json_object_get(v, "isOsiApproved")),
					  true)))
				break;
		}
	}
	json_decref(j);
	if (rc)
		return bh_error_set(err, rc, "out of memory");
	if (l->n == before)
		return bh_error_set(err, BH_EINVAL, "%s: no SPDX licence ids found", path);
	return 0;
}

void bh_licdata_free(bh_licdata *l)
{
	size_t i;
	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].owned) {
			free((char *)l->v[i].id);
			free((char *)l->v[i].name);
			free((char *)l->v[i].url);
		}
	}
	free(l->v);
	bh_map_free(&l->by_id);
	bh_map_free(&l->by_name);
	bh_map_free(&l->by_url);
	free(l);
}

int bh_licdata_load(const char *path, bh_licdata **out, bh_error *err)
{
	bh_licdata *l = calloc(1, sizeof(*l));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!l)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_map_init(&l->by_id, NULL);
	bh_map_init(&l->by_name, NULL);
	bh_map_init(&l->by_url, NULL);
	if (path) {
		struct stat st;
		if (stat(path, &st)) {
			rc = bh_error_set(err, BH_ENOTFOUND, "%s: not found", path);
		} else if (S_ISDIR(st.st_mode)) {
			static const char *const names[] = { "spdx.json", "licenses.json", "json/licenses.json" };
			char p[4096];
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				snprintf(p, sizeof(p), "%s/%s", path, names[i]);
				if (!stat(p, &st))
					break;
			}
			rc = i < sizeof(names) / sizeof(names[0]) ? load_json(l, p, err)
								   : bh_error_set(err, BH_ENOTFOUND, "%s: no spdx.json or licenses.json", path);
		} else {
			rc = load_json(l, path, err);
		}
	}
	/* listed ids keep the list's spelling; the built-in ones fill the gaps */
	for (i = 0; !rc && i < NBUILTIN; i++)
		if ((rc = add_lic(l, builtin[i].id, builtin[i].name, builtin[i].url, builtin[i].osi, false)))
			rc = bh_error_set(err, rc, "out of memory");
	if (rc) {
		bh_licdata_free(l);
		return rc;
	}
	*out = l;
	return 0;
}
