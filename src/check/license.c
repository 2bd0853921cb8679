/* license.c - declared licences to SPDX expressions (ids, aliases, families, Debian, Python, Maven,
 * URLs), their classification and the policy check. */
#include "check/license.h"

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
#define MAX_NEST 32                       /* parentheses in one expression */
#define MAX_TERMS 256                     /* licences in one declared string */
#define REF_MAX 64                        /* characters kept after LicenseRef- */
#define KEY_MAX 512                       /* longer terms are never a known name */

enum { C_UNK = BH_LIC_UNKNOWN, C_PERM = BH_LIC_PERMISSIVE, C_WEAK = BH_LIC_WEAK_COPYLEFT, C_STRONG = BH_LIC_STRONG_COPYLEFT,
       C_NET = BH_LIC_NETWORK_COPYLEFT, C_PD = BH_LIC_PUBLIC_DOMAIN, C_PROP = BH_LIC_PROPRIETARY };

/* One licence. Strings are static (built-in) or owned by the list (owned = 1). */
struct lic {
	const char *id, *name, *url;
	unsigned char cls, osi, owned;
};

/* The fallback: the ids met most in images, with their class (authoritative even when a list is loaded). */
static const struct lic builtin[] = {
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

/* Licence families written with a version: the phrase, then [v|version] N[.N][+|only|or later]. */
enum fam { F_GPL, F_LGPL, F_AGPL, F_GFDL, F_GFDL_NIV, F_APACHE, F_MPL, F_EPL, F_CDDL, F_EDL, F_ARTISTIC, F_BSL,
	   F_EUPL, F_OSL, F_AFL, F_OFL, F_ZPL, F_OLDAP, F_LPPL, F_PSF, F_BSD, F_CC, F_CC0 };
static const struct {
	const char *phrase;
	int fam;
	const char *cc; /* CC kind */
} families[] = {
	{ "gnu affero general public license", F_AGPL, NULL },
	{ "affero general public license", F_AGPL, NULL },
	{ "gnu agpl", F_AGPL, NULL },
	{ "agpl", F_AGPL, NULL },
	{ "gnu lesser general public license", F_LGPL, NULL },
	{ "gnu library general public license", F_LGPL, NULL },
	{ "lesser general public license", F_LGPL, NULL },
	{ "library general public license", F_LGPL, NULL },
	{ "gnu lgpl", F_LGPL, NULL },
	{ "lgpl", F_LGPL, NULL },
	{ "gnu general public license", F_GPL, NULL },
	{ "general public license", F_GPL, NULL },
	{ "gnu public license", F_GPL, NULL },
	{ "gnu gpl", F_GPL, NULL },
	{ "gpl", F_GPL, NULL },
	{ "gnu free documentation license", F_GFDL, NULL },
	{ "gfdl-niv", F_GFDL_NIV, NULL },
	{ "gfdl", F_GFDL, NULL },
	{ "fdl", F_GFDL, NULL },
	{ "apache software license", F_APACHE, NULL },
	{ "apache license", F_APACHE, NULL },
	{ "apache public license", F_APACHE, NULL },
	{ "apache", F_APACHE, NULL },
	{ "asl", F_APACHE, NULL },
	{ "mozilla public license", F_MPL, NULL },
	{ "mpl", F_MPL, NULL },
	{ "eclipse public license", F_EPL, NULL },
	{ "epl", F_EPL, NULL },
	{ "common development and distribution license", F_CDDL, NULL },
	{ "cddl", F_CDDL, NULL },
	{ "eclipse distribution license", F_EDL, NULL },
	{ "edl", F_EDL, NULL },
	{ "artistic license", F_ARTISTIC, NULL },
	{ "artistic", F_ARTISTIC, NULL },
	{ "boost software license", F_BSL, NULL },
	{ "boost", F_BSL, NULL },
	{ "bsl", F_BSL, NULL },
	{ "european union public licence", F_EUPL, NULL },
	{ "european union public license", F_EUPL, NULL },
	{ "eupl", F_EUPL, NULL },
	{ "open software license", F_OSL, NULL },
	{ "osl", F_OSL, NULL },
	{ "academic free license", F_AFL, NULL },
	{ "afl", F_AFL, NULL },
	{ "sil open font license", F_OFL, NULL },
	{ "open font license", F_OFL, NULL },
	{ "ofl", F_OFL, NULL },
	{ "zope public license", F_ZPL, NULL },
	{ "zpl", F_ZPL, NULL },
	{ "openldap public license", F_OLDAP, NULL },
	{ "openldap", F_OLDAP, NULL },
	{ "oldap", F_OLDAP, NULL },
	{ "latex project public license", F_LPPL, NULL },
	{ "lppl", F_LPPL, NULL },
	{ "python software foundation license", F_PSF, NULL },
	{ "psf license", F_PSF, NULL },
	{ "psfl", F_PSF, NULL },
	{ "psf", F_PSF, NULL },
	{ "bsd", F_BSD, NULL },
	{ "creative commons attribution-noncommercial-sharealike", F_CC, "BY-NC-SA" },
	{ "creative commons attribution-sharealike", F_CC, "BY-SA" },
	{ "creative commons attribution share alike", F_CC, "BY-SA" },
	{ "creative commons attribution", F_CC, "BY" },
	{ "cc-by-nc-nd", F_CC, "BY-NC-ND" },
	{ "cc-by-nc-sa", F_CC, "BY-NC-SA" },
	{ "cc-by-nc", F_CC, "BY-NC" },
	{ "cc-by-nd", F_CC, "BY-ND" },
	{ "cc-by-sa", F_CC, "BY-SA" },
	{ "cc by-sa", F_CC, "BY-SA" },
	{ "cc-by", F_CC, "BY" },
	{ "cc by", F_CC, "BY" },
	{ "cc0", F_CC0, NULL },
};

/* Class by id prefix (case-insensitive), for listed ids the built-in table does not name. */
static const struct {
	const char *prefix;
	unsigned char cls;
} class_rules[] = {
	{ "AGPL-", C_NET }, { "SSPL-", C_NET }, { "OSL-", C_NET }, { "RPL-", C_NET }, { "CPAL-", C_NET },
	{ "LGPL", C_WEAK }, { "GPL-", C_STRONG }, { "EUPL-", C_STRONG }, { "GFDL-", C_STRONG }, { "Sleepycat", C_STRONG },
	{ "CECILL-B", C_PERM }, { "CECILL-C", C_WEAK }, { "CECILL-", C_STRONG }, { "QPL-", C_STRONG }, { "copyleft-next", C_STRONG },
	{ "Parity-", C_STRONG }, { "Watcom-", C_STRONG }, { "RPSL-", C_WEAK }, { "APSL-", C_WEAK }, { "MPL-", C_WEAK },
	{ "EPL-", C_WEAK }, { "CDDL-", C_WEAK }, { "CPL-", C_WEAK }, { "IPL-", C_WEAK }, { "SPL-", C_WEAK }, { "NPL-", C_WEAK },
	{ "MS-RL", C_WEAK }, { "ErlPL-", C_WEAK }, { "OFL-", C_WEAK }, { "LPL-", C_WEAK }, { "Motosoto", C_WEAK },
	{ "NPOSL-", C_WEAK }, { "CATOSL-", C_WEAK }, { "SISSL", C_WEAK }, { "Nokia", C_WEAK }, { "CC-BY-NC", C_PROP },
	{ "CC-BY-ND", C_PROP }, { "CC-BY-SA", C_STRONG }, { "CC-BY-", C_PERM }, { "CC0-", C_PD }, { "CC-PDDC", C_PD },
	{ "PDDL-", C_PD }, { "Unlicense", C_PD }, { "NIST-PD", C_PD }, { "SAX-PD", C_PD }, { "blessing", C_PD },
	{ "BUSL-", C_PROP }, { "Elastic-", C_PROP }, { "PolyForm-", C_PROP }, { "Commons-Clause", C_PROP },
};

struct bh_licenses {
	struct lic *v; /* owned; strings owned where owned = 1 */
	size_t n, cap;
	bh_map by_id;   /* lower-case id -> index + 1 */
	bh_map by_name; /* name key -> index + 1 */
	bh_map by_url;  /* url key -> index + 1 */
};

/* ---- keys ---- */

/* Lower case, whitespace runs (and commas, ';') to one space, trimmed, no trailing '.', no leading "the ". */
static void make_key(const char *s, size_t n, char *out, size_t cap)
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
static void url_key(const char *s, char *out, size_t cap)
{
	const char *p = strstr(s, "://");
	size_t n;
	make_key(p ? p + 3 : s, strlen(p ? p + 3 : s), out, cap);
	if (!strncmp(out, "www.", 4))
		memmove(out, out + 4, strlen(out + 4) + 1);
	out[strcspn(out, "?#")] = 0;
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = 0;
}

static bool is_url(const char *key)
{
	return strstr(key, "://") || !strncmp(key, "www.", 4);
}

/* ---- the list ---- */

static const struct lic *lic_at(const bh_licenses *l, void *v)
{
	return v ? &l->v[(uintptr_t)v - 1] : NULL;
}

/* By id, case-insensitively. */
static const struct lic *find_id(const bh_licenses *l, const char *id)
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

static const struct lic *find_name(const bh_licenses *l, const char *key)
{
	char k[KEY_MAX];
	size_t i;
	if (l)
		return lic_at(l, bh_map_get(&l->by_name, key));
	for (i = 0; i < NBUILTIN; i++) {
		make_key(builtin[i].name, strlen(builtin[i].name), k, sizeof(k));
		if (!strcmp(k, key))
			return &builtin[i];
	}
	return NULL;
}

static const struct lic *find_url(const bh_licenses *l, const char *ukey)
{
	char k[KEY_MAX];
	size_t i;
	if (l)
		return lic_at(l, bh_map_get(&l->by_url, ukey));
	for (i = 0; i < NBUILTIN; i++) {
		if (!builtin[i].url)
			continue;
		url_key(builtin[i].url, k, sizeof(k));
		if (!strcmp(k, ukey))
			return &builtin[i];
	}
	return NULL;
}

static const char *find_deprecated(const char *id)
{
	size_t i;
	for (i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++)
		if (tolower((unsigned char)deprecated[i].from[0]) == tolower((unsigned char)id[0]) &&
		    !strcasecmp(deprecated[i].from, id))
			return deprecated[i].to;
	return NULL;
}

static int find_exception(const char *id)
{
	size_t i;
	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (tolower((unsigned char)exceptions[i].id[0]) == tolower((unsigned char)id[0]) &&
		    !strcasecmp(exceptions[i].id, id))
			return (int)i;
	return -1;
}

static bool starts_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

static unsigned char ref_class(const char *ref);

/* The class of a listed id: the built-in table, then prefix rules, then the list's flags, name and words. */
static unsigned char derive_class(const struct lic *x)
{
	size_t i;
	for (i = 0; i < NBUILTIN; i++)
		if (!strcasecmp(builtin[i].id, x->id))
			return builtin[i].cls;
	for (i = 0; i < sizeof(class_rules) / sizeof(class_rules[0]); i++)
		if (starts_ci(x->id, class_rules[i].prefix))
			return class_rules[i].cls;
	if (x->osi)
		return C_PERM; /* every OSI copyleft family is caught by the rules above */
	if (x->name && strcasestr(x->name, "public domain"))
		return C_PD;
	return ref_class(x->id);
}

static int add_lic(bh_licenses *l, const char *id, const char *name, const char *url, bool osi, bool owned)
{
	char k[KEY_MAX];
	struct lic *x;
	size_t i;
	int rc;

	for (i = 0; id[i] && i + 1 < sizeof(k); i++)
		k[i] = (char)tolower((unsigned char)id[i]);
	k[i] = 0;
	if (id[i] || !*id || bh_map_get(&l->by_id, k))
		return 0; /* over-long, empty or repeated ids are left out */
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256, bytes;
		struct lic *nv;
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
	x->cls = derive_class(x);
	l->n++;
	if ((rc = bh_map_put(&l->by_id, k, (void *)(uintptr_t)l->n)))
		return rc;
	/* names and URLs point at current ids only: a deprecated id shares its name with its successor */
	if (find_deprecated(id))
		return 0;
	if (name) {
		make_key(name, strlen(name), k, sizeof(k));
		if (*k && !bh_map_get(&l->by_name, k) && (rc = bh_map_put(&l->by_name, k, (void *)(uintptr_t)l->n)))
			return rc;
	}
	if (url) {
		url_key(url, k, sizeof(k));
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

static int load_json(bh_licenses *l, const char *path, bh_error *err)
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

void bh_licenses_free(bh_licenses *l)
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

int bh_licenses_load(const char *path, bh_licenses **out, bh_error *err)
{
	bh_licenses *l = calloc(1, sizeof(*l));
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
	/* the built-in class is authoritative for listed ids too */
	for (i = 0; !rc && i < l->n; i++)
		l->v[i].cls = derive_class(&l->v[i]);
	if (rc) {
		bh_licenses_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* ---- expressions ---- */

enum { N_LEAF, N_OR, N_AND, N_WITH };

/* Expression tree. Leaf: id (owned), plus. WITH: a = licence, id = exception. */
struct node {
	int op;
	char *id;
	bool plus;
	struct node *a, *b;
};

struct ctx {
	const bh_licenses *l;
	bool oom;
	unsigned terms, prose, depth; /* names read, names of more than 4 words, parentheses open */
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n->id);
	free(n);
}

static struct node *leaf(struct ctx *c, const char *id, size_t n)
{
	struct node *x = calloc(1, sizeof(*x));
	if (!x || !(x->id = bh_strndup(id, n))) {
		free(x);
		c->oom = true;
		return NULL;
	}
	if (n && x->id[n - 1] == '+' && strncmp(x->id, "LicenseRef-", 11) != 0) {
		x->id[n - 1] = 0;
		x->plus = true;
	}
	return x;
}

static int print_node(bh_buf *b, const struct node *n, int parent)
{
	int rc, prec = n->op == N_LEAF ? 4 : n->op == N_WITH ? 3 : n->op == N_AND ? 2 : 1;
	bool paren = prec < parent;
	if (paren && bh_buf_putc(b, '('))
		return BH_ENOMEM;
	if (n->op == N_LEAF)
		rc = bh_buf_puts(b, n->id) || (n->plus && bh_buf_putc(b, '+'));
	else if (n->op == N_WITH)
		rc = print_node(b, n->a, 4) || bh_buf_puts(b, " WITH ") || bh_buf_puts(b, n->id);
	else
		rc = print_node(b, n->a, prec) || bh_buf_puts(b, n->op == N_AND ? " AND " : " OR ") || print_node(b, n->b, prec);
	if (!rc && paren)
		rc = bh_buf_putc(b, ')');
	return rc ? BH_ENOMEM : 0;
}

static bool same(const struct node *x, const struct node *y)
{
	if (x->op != y->op || x->plus != y->plus || !!x->id != !!y->id || (x->id && strcmp(x->id, y->id) != 0))
		return false;
	return (!x->a || same(x->a, y->a)) && (!x->b || same(x->b, y->b));
}

/* True when y already appears as an operand of the op-chain x. */
static bool in_chain(const struct node *x, const struct node *y, int op)
{
	if (x->op == op)
		return in_chain(x->a, y, op) || in_chain(x->b, y, op);
	return same(x, y);
}

/* Takes a and b; NULL operands are skipped, repeated operands dropped ("MIT and MIT"). */
/* NOASSERTION and NONE stand alone in SPDX: inside AND/OR they say nothing (and would not parse back). */
static bool says_nothing(const struct node *n)
{
	return n && n->op == N_LEAF && n->id && (!strcmp(n->id, "NOASSERTION") || !strcmp(n->id, "NONE"));
}

static struct node *join(struct ctx *c, int op, struct node *a, struct node *b)
{
	struct node *x;
	if (!a || !b)
		return a ? a : b;
	if (says_nothing(b)) {
		node_free(b);
		return a;
	}
	if (says_nothing(a)) {
		node_free(a);
		return b;
	}
	if (b->op == op) {
		/* a op (b1 op b2) = (a op b1) op b2, so repeats inside b are dropped too */
		struct node *b1 = b->a, *b2 = b->b;
		b->a = b->b = NULL;
		node_free(b);
		return join(c, op, join(c, op, a, b1), b2);
	}
	if (in_chain(a, b, op)) {
		node_free(b);
		return a;
	}
	if (!(x = calloc(1, sizeof(*x)))) {
		c->oom = true;
		node_free(a);
		node_free(b);
		return NULL;
	}
	x->op = op;
	x->a = a;
	x->b = b;
	return x;
}

/* ---- strict SPDX syntax (aliases, classification) ---- */

struct lex {
	const char *p;
	char tok[KEY_MAX];
	int kind; /* 0 end, '(' ')', 'w' word, 'A' AND, 'O' OR, 'W' WITH, 'x' too long */
};

static void lex_next(struct lex *x)
{
	size_t n = 0;
	while (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n')
		x->p++;
	if (!*x->p) {
		x->kind = 0;
		return;
	}
	if (*x->p == '(' || *x->p == ')') {
		x->kind = (unsigned char)*x->p++;
		return;
	}
	while (*x->p && !strchr(" \t\r\n()", *x->p)) {
		if (n + 1 < sizeof(x->tok))
			x->tok[n] = *x->p;
		n++;
		x->p++;
	}
	if (n >= sizeof(x->tok)) {
		x->kind = 'x';
		return;
	}
	x->tok[n] = 0;
	x->kind = !strcasecmp(x->tok, "AND") ? 'A' : !strcasecmp(x->tok, "OR") ? 'O' : !strcasecmp(x->tok, "WITH") ? 'W' : 'w';
}

static struct node *strict_or(struct ctx *c, struct lex *x);

static struct node *strict_prim(struct ctx *c, struct lex *x)
{
	struct node *n;
	if (x->kind == '(') {
		if (++c->depth > MAX_NEST)
			return NULL;
		lex_next(x);
		n = strict_or(c, x);
		c->depth--;
		if (!n || x->kind != ')') {
			node_free(n);
			return NULL;
		}
		lex_next(x);
		return n;
	}
	if (x->kind != 'w')
		return NULL;
	n = leaf(c, x->tok, strlen(x->tok));
	lex_next(x);
	if (n && x->kind == 'W') {
		struct node *w;
		lex_next(x);
		if (x->kind != 'w') {
			node_free(n);
			return NULL;
		}
		if (!(w = calloc(1, sizeof(*w))) || !(w->id = bh_strdup(x->tok))) {
			free(w);
			c->oom = true;
			node_free(n);
			return NULL;
		}
		w->op = N_WITH;
		w->a = n;
		n = w;
		lex_next(x);
	}
	return n;
}

static struct node *strict_and(struct ctx *c, struct lex *x)
{
	struct node *n = strict_prim(c, x);
	while (n && x->kind == 'A') {
		struct node *r;
		lex_next(x);
		if (!(r = strict_prim(c, x))) {
			node_free(n);
			return NULL;
		}
		n = join(c, N_AND, n, r);
	}
	return n;
}

static struct node *strict_or(struct ctx *c, struct lex *x)
{
	struct node *n = strict_and(c, x);
	while (n && x->kind == 'O') {
		struct node *r;
		lex_next(x);
		if (!(r = strict_and(c, x))) {
			node_free(n);
			return NULL;
		}
		n = join(c, N_OR, n, r);
	}
	return n;
}

/* A whole SPDX expression, or NULL (syntax error or out of memory: see c->oom). */
static struct node *strict_parse(struct ctx *c, const char *s)
{
	struct lex x;
	struct node *n;
	memset(&x, 0, sizeof(x));
	x.p = s;
	lex_next(&x);
	n = strict_or(c, &x);
	if (n && x.kind != 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* ---- terms: one licence name in any of its spellings ---- */

static struct node *term(struct ctx *c, const char *text, size_t n, int depth);

static bool known_id(const struct ctx *c, const char *id)
{
	return find_id(c->l, id) || find_deprecated(id);
}

/* BSD licences (and EDL, which is BSD-3-Clause) have no later versions: a '+' on them is dropped. */
static bool no_later_versions(const char *id)
{
	return !strncmp(id, "BSD-", 4) || !strcmp(id, "0BSD");
}

/* The id of a family at a parsed version ("GPL", "2", plus -> GPL-2.0-or-later); NULL when none is listed. */
static struct node *family_id(struct ctx *c, int fam, const char *cc, const char *ver, bool plus)
{
	char id[64];
	const char *v = ver;
	/* "2" -> "2.0" for the families whose ids always carry a minor version */
	char vb[24];
	if (*ver && !strchr(ver, '.') && fam != F_BSD && fam != F_OLDAP) {
		snprintf(vb, sizeof(vb), "%s.0", ver);
		v = vb;
	}
	id[0] = 0;
	switch (fam) {
	case F_GPL:
	case F_LGPL:
	case F_AGPL:
	case F_GFDL:
	case F_GFDL_NIV: {
		static const char *const pre[] = { "GPL", "LGPL", "AGPL", "GFDL", "GFDL" };
		/* without a version any version may be chosen: the first one, or later */
		if (!*v) {
			v = fam == F_GPL ? "1.0" : fam == F_LGPL ? "2.0" : fam == F_AGPL ? "3.0" : "1.1";
			plus = true;
		}
		snprintf(id, sizeof(id), "%s-%s%s-%s", pre[fam], v, fam == F_GFDL_NIV ? "-no-invariants" : "", plus ? "or-later" : "only");
		return known_id(c, id) ? leaf(c, id, strlen(id)) : NULL;
	}
	case F_APACHE:
		snprintf(id, sizeof(id), "Apache-%s", *v ? v : "2.0");
		break;
	case F_MPL:
	case F_EPL:
	case F_CDDL:
	case F_EUPL:
	case F_OSL:
	case F_AFL:
	case F_OFL:
	case F_ZPL:
	case F_LPPL: {
		static const char *const pre[] = { [F_MPL] = "MPL", [F_EPL] = "EPL", [F_CDDL] = "CDDL", [F_EUPL] = "EUPL",
						   [F_OSL] = "OSL", [F_AFL] = "AFL", [F_OFL] = "OFL", [F_ZPL] = "ZPL", [F_LPPL] = "LPPL" };
		if (!*v)
			return NULL;
		snprintf(id, sizeof(id), "%s-%s", pre[fam], fam == F_LPPL ? ver : v);
		break;
	}
	case F_EDL:
		if (*v && strcmp(v, "1.0") != 0)
			return NULL;
		snprintf(id, sizeof(id), "BSD-3-Clause");
		break;
	case F_ARTISTIC:
		snprintf(id, sizeof(id), "%s", !*v ? "Artistic-1.0-Perl" : !strcmp(v, "1.0") ? "Artistic-1.0" : !strcmp(v, "2.0") ? "Artistic-2.0" : "");
		break;
	case F_BSL:
		if (*v && strcmp(v, "1.0") != 0)
			return NULL;
		snprintf(id, sizeof(id), "BSL-1.0");
		break;
	case F_OLDAP:
		if (!*v)
			return NULL;
		snprintf(id, sizeof(id), "OLDAP-%s", v);
		break;
	case F_PSF:
		if (*v && strcmp(v, "2.0") != 0)
			return NULL;
		snprintf(id, sizeof(id), "PSF-2.0");
		break;
	case F_BSD:
		if (!strcmp(v, "0"))
			snprintf(id, sizeof(id), "0BSD");
		else if (!strcmp(v, "1") || !strcmp(v, "2") || !strcmp(v, "3") || !strcmp(v, "4"))
			snprintf(id, sizeof(id), "BSD-%s-Clause", v);
		else
			return NULL;
		break;
	case F_CC:
		if (!*v)
			return NULL;
		snprintf(id, sizeof(id), "CC-%s-%s", cc, v);
		break;
	case F_CC0:
		if (*v && strcmp(v, "1.0") != 0)
			return NULL;
		snprintf(id, sizeof(id), "CC0-1.0");
		break;
	default:
		return NULL;
	}
	if (!*id || !known_id(c, id))
		return NULL;
	{
		const struct lic *x = find_id(c->l, id);
		const char *canon = x ? x->id : id;
		struct node *nd = leaf(c, canon, strlen(canon));
		if (nd && plus && !no_later_versions(canon))
			nd->plus = true;
		return nd;
	}
}

static bool word_at(const char **p, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

static void skip_seps(const char **p)
{
	while (**p == ' ' || **p == '-' || **p == '_' || **p == ':')
		(*p)++;
}

/* "gplv2+", "gnu general public license version 2 only", "bsd-3-clause", "apache 2.0", ... */
static struct node *family(struct ctx *c, const char *key)
{
	size_t i, n;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const char *p = key;
		char ver[16];
		bool plus = false;
		if (key[0] != families[i].phrase[0]) /* cheap reject before the compare: called per word */
			continue;
		n = strlen(families[i].phrase);
		if (strncmp(key, families[i].phrase, n) != 0)
			continue;
		p = key + n;
		/* a word boundary, or "v" before the version ("gplv2") */
		if (isalpha((unsigned char)*p) && !(*p == 'v' && (isdigit((unsigned char)p[1]) || p[1] == '.')))
			continue;
		skip_seps(&p);
		if (word_at(&p, "license") || word_at(&p, "licence"))
			skip_seps(&p);
		if (word_at(&p, "version") || word_at(&p, "ver.") || word_at(&p, "ver") || word_at(&p, "v.") ||
		    (*p == 'v' && (isdigit((unsigned char)p[1]) || p[1] == ' ') && (p++, true)))
			skip_seps(&p);
		n = 0;
		while ((isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) && n + 2 < sizeof(ver))
			ver[n++] = *p++;
		if (n && families[i].fam == F_LPPL && *p >= 'a' && *p <= 'c')
			ver[n++] = *p++;
		ver[n] = 0;
		/* "bsd-3-clause", "bsd 3 clause" */
		if (families[i].fam == F_BSD && n) {
			skip_seps(&p);
			if (!word_at(&p, "clause"))
				word_at(&p, "c");
		}
		skip_seps(&p);
		if (families[i].fam == F_CC && (word_at(&p, "unported") || word_at(&p, "international") || word_at(&p, "generic")))
			skip_seps(&p);
		if (*p == '+') {
			plus = true;
			p++;
		} else if (word_at(&p, "or-later") || word_at(&p, "or later") || word_at(&p, "or newer") || word_at(&p, "and later") ||
			   word_at(&p, "later")) {
			plus = true;
		} else {
			word_at(&p, "only"); /* the default */
		}
		skip_seps(&p);
		if (word_at(&p, "license") || word_at(&p, "licence"))
			skip_seps(&p);
		if (*p)
			continue;
		return family_id(c, families[i].fam, families[i].cc, ver, plus);
	}
	return NULL;
}

/* Known name or id for an already keyed string: aliases, ids (and deprecated ids), names, URLs. */
static struct node *lookup(struct ctx *c, const char *key)
{
	const struct lic *x;
	const char *dep;
	size_t i;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (aliases[i].key[0] == key[0] && !strcmp(aliases[i].key, key))
			return strict_parse(c, aliases[i].expr);
	if ((dep = find_deprecated(key)))
		return strict_parse(c, dep);
	if ((x = find_id(c->l, key)) || (x = find_name(c->l, key)))
		return leaf(c, x->id, strlen(x->id));
	return NULL;
}

/* Licence URLs: the well-known sites by path, else the URLs of the list. */
static struct node *url_lookup(struct ctx *c, const char *text)
{
	static const struct {
		const char *url, *expr;
	} urls[] = {
		{ "apache.org/licenses/license-2.0", "Apache-2.0" },
		{ "apache.org/licenses/license-2.0.txt", "Apache-2.0" },
		{ "apache.org/licenses/license-2.0.html", "Apache-2.0" },
		{ "apache.org/licenses/license-1.1", "Apache-1.1" },
		{ "opensource.org/licenses/mit-license.php", "MIT" },
		{ "opensource.org/licenses/mit-license", "MIT" },
		{ "opensource.org/licenses/bsd-license.php", "BSD-2-Clause" },
		{ "opensource.org/licenses/bsd-license", "BSD-2-Clause" },
		{ "opensource.org/licenses/apache2.0.php", "Apache-2.0" },
		{ "mit-license.org", "MIT" },
		{ "gnu.org/licenses/gpl.html", "GPL-3.0-only" },
		{ "gnu.org/licenses/gpl.txt", "GPL-3.0-only" },
		{ "gnu.org/licenses/lgpl.html", "LGPL-3.0-only" },
		{ "gnu.org/licenses/lgpl.txt", "LGPL-3.0-only" },
		{ "gnu.org/licenses/agpl.html", "AGPL-3.0-only" },
		{ "gnu.org/licenses/agpl.txt", "AGPL-3.0-only" },
		{ "gnu.org/copyleft/gpl.html", "GPL-3.0-only" },
		{ "gnu.org/copyleft/lesser.html", "LGPL-3.0-only" },
		{ "mozilla.org/mpl/2.0", "MPL-2.0" },
		{ "mozilla.org/mpl/mpl-1.1.html", "MPL-1.1" },
		{ "mozilla.org/mpl/1.1", "MPL-1.1" },
		{ "eclipse.org/legal/epl-v10.html", "EPL-1.0" },
		{ "eclipse.org/legal/epl-v20.html", "EPL-2.0" },
		{ "eclipse.org/legal/epl-2.0", "EPL-2.0" },
		{ "eclipse.org/org/documents/edl-v10.php", "BSD-3-Clause" },
		{ "eclipse.org/org/documents/edl-v10.html", "BSD-3-Clause" },
		{ "creativecommons.org/publicdomain/zero/1.0", "CC0-1.0" },
		{ "creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0-1.0" },
		{ "unlicense.org", "Unlicense" },
		{ "json.org/license.html", "JSON" },
		{ "boost.org/license_1_0.txt", "BSL-1.0" },
		{ "wtfpl.net", "WTFPL" },
		{ "wtfpl.net/txt/copying", "WTFPL" },
	};
	static const char *const dirs[] = { "opensource.org/licenses/", "spdx.org/licenses/", "gnu.org/licenses/old-licenses/",
					    "gnu.org/licenses/", "choosealicense.com/licenses/", "creativecommons.org/licenses/" };
	char k[KEY_MAX];
	const struct lic *x;
	size_t i;

	url_key(text, k, sizeof(k));
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (k[0] == urls[i].url[0] && !strcmp(k, urls[i].url))
			return strict_parse(c, urls[i].expr);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		char rest[KEY_MAX], *e;
		struct node *r;
		if (strncmp(k, dirs[i], n) != 0)
			continue;
		snprintf(rest, sizeof(rest), "%s", k + n);
		/* gpl-2.0.html, MIT.php, by-sa/4.0, lgpl-2.1.en.html */
		if ((e = strstr(rest, ".en.html")) || (e = strstr(rest, ".html")) || (e = strstr(rest, ".php")) ||
		    (e = strstr(rest, ".txt")) || (e = strstr(rest, ".json")))
			*e = 0;
		if (!strncmp(rest, "by", 2) && strchr(rest, '/')) {
			char cc[KEY_MAX + 4];
			*strchr(rest, '/') = '-';
			snprintf(cc, sizeof(cc), "cc-%s", rest);
			snprintf(rest, sizeof(rest), "%.*s", (int)(sizeof(rest) - 1), cc);
			if ((e = strchr(rest, '/')))
				*e = 0;
		}
		if (!strchr(rest, '/') && (r = term(c, rest, strlen(rest), 1)))
			return r;
	}
	if ((x = find_url(c->l, k)))
		return leaf(c, x->id, strlen(x->id));
	return NULL;
}

/* Exception name after WITH: an id, a known short name, or AdditionRef-<text>. */
static struct node *exception(struct ctx *c, const struct node *lic, const char *text, size_t n)
{
	char k[KEY_MAX], id[KEY_MAX + 32];
	size_t i, kl;
	int e;
	bool v3 = false;
	struct node *w;

	make_key(text, n, k, sizeof(k));
	/* the licence the exception lands on (see attach): its version picks Autoconf/GCC 2 or 3 */
	for (const struct node *x = lic; x; x = x->op == N_WITH ? x->a : x->b) {
		if (x->op == N_LEAF) {
			v3 = x->id && strstr(x->id, "-3.0") != NULL;
			break;
		}
	}
	if ((e = find_exception(k)) >= 0) {
		snprintf(id, sizeof(id), "%s", exceptions[e].id);
	} else {
		/* "autoconf exception", "gcc-runtime-3.1 exception", "the classpath exception" */
		kl = strlen(k);
		if (kl > 10 && (!strcmp(k + kl - 10, " exception") || !strcmp(k + kl - 10, "-exception")))
			k[kl - 10] = 0;
		else if (kl > 11 && (!strcmp(k + kl - 11, " exceptions") || !strcmp(k + kl - 11, "-exceptions")))
			k[kl - 11] = 0;
		if (!strncmp(k, "the ", 4))
			memmove(k, k + 4, strlen(k + 4) + 1);
		for (i = 0; i < sizeof(exception_names) / sizeof(exception_names[0]); i++)
			if (!strcmp(k, exception_names[i].name))
				break;
		if (i < sizeof(exception_names) / sizeof(exception_names[0])) {
			snprintf(id, sizeof(id), "%s", v3 && exception_names[i].id3 ? exception_names[i].id3 : exception_names[i].id2);
		} else {
			snprintf(id, sizeof(id), "%s-exception", k);
			e = find_exception(id);
			if (e < 0)
				for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
					if (!strncasecmp(exceptions[i].id, id, strlen(id)) && exceptions[i].id[strlen(id)] == '-')
						e = (int)i;
			if (e >= 0) {
				snprintf(id, sizeof(id), "%s", exceptions[e].id);
			} else {
				/* SPDX 3 syntax for an exception the list does not have; at most REF_MAX after the prefix */
				size_t o = 12, cap = 12 + REF_MAX;
				bool dash = true;
				if (n > 12 && !strncasecmp(text, "AdditionRef-", 12)) {
					text += 12;
					n -= 12;
				}
				memcpy(id, "AdditionRef-", 12);
				for (i = 0; i < n && o < cap; i++) {
					char ch = text[i];
					if (isalnum((unsigned char)ch) || ch == '.') {
						id[o++] = ch;
						dash = false;
					} else if (!dash) {
						id[o++] = '-';
						dash = true;
					}
				}
				while (o > 12 && (id[o - 1] == '-' || id[o - 1] == '.'))
					o--;
				if (o == 12) {
					memcpy(id + 12, "unknown", 7);
					o = 19;
				}
				id[o] = 0;
				if (!strcasestr(id + 12, "exception")) {
					if (o > cap - 10)
						o = cap - 10;
					while (o > 12 && (id[o - 1] == '-' || id[o - 1] == '.'))
						o--;
					if (o == 12) {
						memcpy(id + 12, "unknown", 7);
						o = 19;
					}
					memcpy(id + o, "-exception", 11);
					o += 10;
				}
				id[o] = 0;
			}
		}
	}
	if (!(w = calloc(1, sizeof(*w))) || !(w->id = bh_strdup(id))) {
		free(w);
		c->oom = true;
		return NULL;
	}
	w->op = N_WITH;
	return w;
}

/*
 * Puts exception w (a WITH node without its licence) on the right-most licence of l: "A and B with X"
 * reads A AND (B WITH X), and SPDX allows WITH after one licence only. A licence keeps its first exception.
 */
static struct node *attach(struct node *l, struct node *w)
{
	struct node **slot = &l;
	while ((*slot)->op == N_AND || (*slot)->op == N_OR)
		slot = &(*slot)->b;
	/* a second exception, or one to NONE/NOASSERTION ("none WITH x" is no SPDX and says nothing) */
	if ((*slot)->op == N_WITH || says_nothing(*slot)) {
		node_free(w);
		return l;
	}
	w->a = *slot;
	*slot = w;
	return l;
}

/* Marks a found licence as or-later (a trailing '+' on a name the tables know without it). */
static struct node *or_later(struct ctx *c, struct node *n)
{
	char *p;
	if (!n || n->plus)
		return n;
	if (n->op != N_LEAF || !strncmp(n->id, "LicenseRef-", 11) || !strcmp(n->id, "NOASSERTION") || !strcmp(n->id, "NONE")) {
		/* "+" only follows a licence id; the caller keeps the text as a LicenseRef */
		node_free(n);
		return NULL;
	}
	if (no_later_versions(n->id)) /* as the family parse does, so "0BSD+" and "BSD 0+" agree */
		return n;
	if ((p = strstr(n->id, "-only")) && !p[5]) {
		char id[64];
		snprintf(id, sizeof(id), "%.*s-or-later", (int)(p - n->id), n->id);
		if (known_id(c, id)) {
			char *d = bh_strdup(id);
			if (!d) {
				c->oom = true;
				node_free(n);
				return NULL;
			}
			free(n->id);
			n->id = d;
			return n;
		}
	}
	n->plus = true;
	return n;
}

/* One licence name (no operators) to a node; NULL when not recognised (or c->oom). */
static struct node *term(struct ctx *c, const char *text, size_t len, int depth)
{
	static const char *const fillers[] = { "your choice of ", "either ", "dual licensed under ", "dual-licensed under ",
					       "licensed under the ", "licensed under ", "under the ", "under ", "gnu ", "version " };
	char key[KEY_MAX], k2[KEY_MAX];
	struct node *n;
	size_t kl, i;

	if (len >= KEY_MAX || depth > 3)
		return NULL;
	make_key(text, len, key, sizeof(key));
	if (!*key)
		return NULL;
	if (is_url(key))
		return url_lookup(c, key);
	if ((n = lookup(c, key)) || c->oom || (n = family(c, key)) || c->oom)
		return n;
	kl = strlen(key);
	/* "MPL-1.1+", "GPL-2+" (Debian), "apache-2.0+" */
	if (kl > 1 && key[kl - 1] == '+') {
		snprintf(k2, sizeof(k2), "%.*s", (int)(kl - 1), key);
		if ((n = lookup(c, k2)))
			return or_later(c, n);
		if (c->oom)
			return NULL;
	}
	/* "MIT License (MIT)" handled by the caller; here: "... license", fillers */
	for (i = 0; i < 4; i++) {
		static const char *const suf[] = { " license", " licence", " licensed", " public license" };
		size_t sl = strlen(suf[i]);
		if (kl > sl && !strcmp(key + kl - sl, suf[i])) {
			snprintf(k2, sizeof(k2), "%.*s", (int)(kl - sl), key);
			if ((n = lookup(c, k2)) || c->oom || (n = family(c, k2)) || c->oom)
				return n;
		}
	}
	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++) {
		size_t fl = strlen(fillers[i]);
		if (kl > fl && !strncmp(key, fillers[i], fl))
			return term(c, key + fl, kl - fl, depth + 1);
	}
	/* Debian "GPL-3+-WITH-BISON-EXCEPTION", "GPL-2+-autoconf-exception" (top level only: it tries each '-') */
	if (depth == 0 && kl > 10 && !strcmp(key + kl - 10, "-exception")) {
		const char *w = strstr(key, "-with-");
		size_t cut = w ? (size_t)(w - key) : 0, rest = w ? cut + 6 : 0;
		for (i = w ? cut : kl - 10; !w && i > 0; i--) {
			if (key[i] != '-')
				continue;
			if ((n = term(c, key, i, depth + 1))) {
				node_free(n);
				cut = i;
				rest = i + 1;
				break;
			}
			if (c->oom)
				return NULL;
		}
		if (cut && (n = term(c, key, cut, depth + 1))) {
			struct node *x = exception(c, n, key + rest, kl - rest);
			if (!x) {
				node_free(n);
				return NULL;
			}
			return attach(n, x);
		}
	}
	/* "MIT/X11" was an alias; "GPL/Artistic": either */
	if (strchr(key, '/') && depth == 0) {
		const char *p = key;
		struct node *all = NULL;
		while (*p) {
			size_t pl = strcspn(p, "/");
			struct node *part = pl ? term(c, p, pl, depth + 1) : NULL;
			if (!part) {
				node_free(all);
				return NULL;
			}
			all = join(c, N_OR, all, part);
			p += pl + (p[pl] == '/');
		}
		return all;
	}
	return NULL;
}

/* LicenseRef-<text>: letters, digits, '.', '-' kept; runs of anything else become one '-'. */
static struct node *license_ref(struct ctx *c, const char *text, size_t n)
{
	char id[16 + REF_MAX + 16];
	size_t o, i;
	bool dash = true;
	if (n > 11 && !strncasecmp(text, "LicenseRef-", 11)) {
		text += 11;
		n -= 11;
	}
	o = (size_t)snprintf(id, sizeof(id), "LicenseRef-");
	for (i = 0; i < n && o < 11 + REF_MAX; i++) {
		char ch = text[i];
		if (ch == '+' && (i + 1 == n || !isalnum((unsigned char)text[i + 1])) && o + 9 <= 11 + REF_MAX) {
			memcpy(id + o - (dash ? 1 : 0), "-or-later", 9);
			o += 9 - (dash ? 1 : 0);
			dash = false;
		} else if (isalnum((unsigned char)ch) || ch == '.') {
			id[o++] = ch;
			dash = false;
		} else if (!dash) {
			id[o++] = '-';
			dash = true;
		}
	}
	while (o > 11 && (id[o - 1] == '-' || id[o - 1] == '.'))
		o--;
	id[o] = 0;
	if (o == 11)
		snprintf(id, sizeof(id), "LicenseRef-unknown");
	return leaf(c, id, strlen(id));
}

/* ---- the tolerant parser over declared text ---- */

enum { T_END, T_LP, T_RP, T_WORD, T_AND, T_OR, T_WITH };

struct tok {
	int kind;
	const char *s;
	size_t n;
};

struct tp {
	struct ctx *c;
	struct tok *t;
	size_t n, i;
};

static int word_kind(const char *s, size_t n)
{
	if ((n == 2 && !strncasecmp(s, "or", 2)) || (n == 6 && !strncasecmp(s, "and/or", 6)) || (n == 1 && *s == '|') ||
	    (n == 2 && !strncmp(s, "||", 2)))
		return T_OR;
	if ((n == 3 && !strncasecmp(s, "and", 3)) || (n == 1 && (*s == '&' || *s == '+')) || (n == 2 && !strncmp(s, "&&", 2)))
		return T_AND;
	if ((n == 4 && !strncasecmp(s, "with", 4)) || (n == 2 && !strncasecmp(s, "w/", 2)))
		return T_WITH;
	return T_WORD;
}

/* Splits s[0..n) into words and parentheses; false when there are more than cap tokens. */
static bool tokenize(const char *s, size_t n, struct tok *t, size_t cap, size_t *out)
{
	size_t i = 0, k = 0;
	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++;
			continue;
		}
		if (k + 1 >= cap)
			return false;
		if (s[i] == '(' || s[i] == ')' || s[i] == '[' || s[i] == ']') {
			t[k].kind = s[i] == '(' || s[i] == '[' ? T_LP : T_RP;
			t[k].s = s + i;
			t[k++].n = 1;
			i++;
			continue;
		}
		t[k].s = s + i;
		while (i < n && !strchr(" \t\r\n()[]", s[i]))
			i++;
		t[k].n = (size_t)(s + i - t[k].s);
		t[k].kind = word_kind(t[k].s, t[k].n);
		k++;
	}
	t[k].kind = T_END;
	*out = k;
	return true;
}

static struct node *tp_or(struct tp *p);

/* Text from token a to token b (exclusive), as written. */
static void span(const struct tp *p, size_t a, size_t b, const char **s, size_t *n)
{
	*s = p->t[a].s;
	*n = b > a ? (size_t)(p->t[b - 1].s + p->t[b - 1].n - *s) : 0;
}

/* A run of words naming one licence, then an optional "(...)" that restates or versions it. */
static struct node *tp_term(struct tp *p)
{
	struct ctx *c = p->c;
	size_t a = p->i, words;
	const char *s;
	size_t n;
	struct node *r;

	while (p->t[p->i].kind == T_WORD)
		p->i++;
	words = p->i - a;
	if (!words)
		return NULL;
	span(p, a, p->i, &s, &n);
	if (++c->terms > MAX_TERMS)
		return NULL;
	if (words > 4)
		c->prose++;
	r = term(c, s, n, 0);
	if (c->oom)
		return NULL;
	if (p->t[p->i].kind == T_LP) {
		/* "Expat (MIT/X11)", "GPL (>= 2)", "Apache Software License (Apache-2.0)", "(see COPYING)" */
		size_t g = p->i + 1, e = g, nest = 1;
		while (p->t[e].kind != T_END) {
			if (p->t[e].kind == T_LP)
				nest++;
			else if (p->t[e].kind == T_RP && !--nest)
				break;
			e++;
		}
		if (e > g) {
			const char *gs;
			size_t gn;
			struct node *alt = NULL;
			span(p, g, e, &gs, &gn);
			if (gn > 2 && gs[0] == '>' && gs[1] == '=') {
				char v[KEY_MAX];
				if (n + gn < sizeof(v) - 4) {
					snprintf(v, sizeof(v), "%.*s %.*s+", (int)n, s, (int)(gn - 2), gs + 2);
					alt = term(c, v, strlen(v), 0);
				}
			} else if (!r) {
				alt = term(c, gs, gn, 0);
			}
			if (alt) {
				node_free(r);
				r = alt;
			}
		}
		p->i = p->t[e].kind == T_END ? e : e + 1;
	}
	if (!r && !c->oom)
		r = license_ref(c, s, n);
	return r;
}

static struct node *tp_prim(struct tp *p)
{
	struct node *r;
	if (p->t[p->i].kind == T_LP) {
		p->i++;
		if (p->c->depth >= MAX_NEST)
			return NULL; /* the '(' is dropped; what follows is read at this level */
		p->c->depth++;
		r = tp_or(p);
		p->c->depth--;
		if (p->t[p->i].kind == T_RP)
			p->i++;
		return r;
	}
	return tp_term(p);
}

static struct node *tp_with(struct tp *p)
{
	struct node *l = tp_prim(p);
	while (p->t[p->i].kind == T_WITH) {
		size_t a = ++p->i;
		const char *s;
		size_t n;
		struct node *w;
		while (p->t[p->i].kind == T_WORD)
			p->i++;
		if (p->i == a || !l)
			continue;
		span(p, a, p->i, &s, &n);
		if (!(w = exception(p->c, l, s, n))) {
			node_free(l);
			return NULL;
		}
		l = attach(l, w);
	}
	return l;
}

static struct node *tp_and(struct tp *p)
{
	struct node *l = tp_with(p);
	while (!p->c->oom && p->t[p->i].kind == T_AND) {
		p->i++;
		l = join(p->c, N_AND, l, tp_with(p));
	}
	return l;
}

static struct node *tp_or(struct tp *p)
{
	struct node *l = tp_and(p);
	while (!p->c->oom) {
		size_t before = p->i;
		if (p->t[p->i].kind == T_OR) {
			p->i++;
			l = join(p->c, N_OR, l, tp_and(p));
		} else if ((p->t[p->i].kind == T_RP && p->c->depth == 0) || p->t[p->i].kind == T_AND || p->t[p->i].kind == T_WITH) {
			p->i++; /* a stray ')', or an operator with nothing before it */
		} else if (p->t[p->i].kind == T_LP || p->t[p->i].kind == T_WORD) {
			l = join(p->c, N_AND, l, tp_and(p)); /* two names side by side */
		} else {
			break;
		}
		if (p->i == before)
			p->i++; /* every round reads a token */
	}
	return l;
}

/* One comma-free segment of the declared text. */
static struct node *segment(struct ctx *c, const char *s, size_t n)
{
	struct tok *t;
	struct tp p;
	struct node *r;
	size_t cap = n / 2 + 4, k;

	if (!(t = calloc(cap, sizeof(*t)))) {
		c->oom = true;
		return NULL;
	}
	if (!tokenize(s, n, t, cap, &k)) {
		free(t);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.t = t;
	p.n = k;
	c->depth = 0;
	r = tp_or(&p);
	free(t);
	return r;
}

/* Replaces phrases that hide operators inside names: "v2 or later" -> "v2+", "_or_" -> " or ". */
static int pre_replace(const char *in, bh_buf *out)
{
	static const struct {
		const char *from, *to;
	} rep[] = {
		{ " or any later version", "+" }, { " or later", "+" }, { " or newer", "+" }, { " or greater", "+" },
		{ " and later", "+" }, { "_or_", " or " }, { "_and_", " and " },
	};
	const char *p = in;
	while (*p) {
		size_t i;
		for (i = 0; i < sizeof(rep) / sizeof(rep[0]); i++) {
			size_t fl = strlen(rep[i].from);
			if (!strncasecmp(p, rep[i].from, fl)) {
				if (bh_buf_puts(out, rep[i].to))
					return BH_ENOMEM;
				p += fl;
				break;
			}
		}
		if (i == sizeof(rep) / sizeof(rep[0]) && bh_buf_putc(out, *p++))
			return BH_ENOMEM;
	}
	return 0;
}

/* "Apache License, Version 2.0", "LGPL, v2.1": a comma inside a name, not between licences. */
static bool continues_name(const char *s, size_t n)
{
	size_t i = 0;
	bh_trim(&s, &n);
	if (n > 7 && !strncasecmp(s, "version", 7))
		return true;
	if (n && (s[0] == 'v' || s[0] == 'V'))
		i = 1;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return false;
	while (i < n && (isdigit((unsigned char)s[i]) || (s[i] == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))))
		i++;
	return i == n || s[i] == ' ' || s[i] == '+' || s[i] == ')' || s[i] == '(';
}

/* Debian's "A or B, and C" = (A or B) and C: comma-separated segments joined left to right. */
static struct node *tolerant(struct ctx *c, const char *text)
{
	const char *p = text, *seg = text;
	struct node *all = NULL;
	int op = N_AND, depth = 0;

	for (;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		if (*p && (depth || (*p != ',' && *p != ';')))
			continue;
		if (*p && continues_name(p + 1, strcspn(p + 1, ",;")))
			continue;
		{
			const char *s = seg;
			size_t n = (size_t)(p - seg);
			struct node *r;
			bh_trim(&s, &n);
			if (n > 4 && !strncasecmp(s, "and ", 4)) {
				s += 4, n -= 4;
			} else if (n > 3 && !strncasecmp(s, "or ", 3)) {
				s += 3, n -= 3;
				op = N_OR;
			} else if (n > 5 && !strncasecmp(s, "with ", 5) && all) {
				/* "GPL, version 2, with the classpath exception": the exception of what came before */
				struct node *w = exception(c, all, s + 5, n - 5);
				if (!w) {
					node_free(all);
					return NULL;
				}
				all = attach(all, w);
				n = 0;
			}
			r = n ? segment(c, s, n) : NULL;
			if (c->oom) {
				node_free(all);
				return NULL;
			}
			all = join(c, op, all, r);
			op = N_AND;
		}
		if (!*p)
			break;
		seg = p + 1;
	}
	return all;
}

static size_t words(const char *s)
{
	size_t n = 0;
	bool in = false;
	for (; *s; s++) {
		bool w = !isspace((unsigned char)*s);
		n += w && !in;
		in = w;
	}
	return n;
}

static int count_leaves(const struct node *n, bool refs_only)
{
	if (!n)
		return 0;
	if (n->op == N_LEAF)
		return !refs_only || !strncmp(n->id, "LicenseRef-", 11);
	return count_leaves(n->a, refs_only) + count_leaves(n->b, refs_only);
}

/* Every leaf a listed id or a LicenseRef, every exception listed or an AdditionRef: already SPDX. */
static bool spdx_like(const struct ctx *c, const struct node *n)
{
	char buf[KEY_MAX];
	switch (n->op) {
	case N_LEAF:
		if (!strncasecmp(n->id, "LicenseRef-", 11) || !strncasecmp(n->id, "DocumentRef-", 12) || says_nothing(n))
			return true;
		snprintf(buf, sizeof(buf), "%s+", n->id);
		return find_id(c->l, n->id) || find_deprecated(n->id) || (n->plus && find_deprecated(buf));
	case N_WITH:
		return (find_exception(n->id) >= 0 || !strncasecmp(n->id, "AdditionRef-", 12)) && spdx_like(c, n->a);
	default:
		return spdx_like(c, n->a) && spdx_like(c, n->b);
	}
}

/* Whole-string forms first (aliases, classifiers, URLs), then the tolerant parse. */
static struct node *normalize(struct ctx *c, const char *declared, int depth)
{
	char key[KEY_MAX];
	size_t n = strlen(declared);
	struct node *r;
	bh_buf pre = BH_BUF_INIT;
	bool spdx = false;

	make_key(declared, n, key, sizeof(key));
	if (n < KEY_MAX) {
		if (is_url(key))
			return (r = url_lookup(c, key)) || c->oom ? r : license_ref(c, declared, n);
		if ((r = lookup(c, key)) || c->oom)
			return r;
		/* "GNU Library or Lesser General Public License (LGPL)" without its abbreviation */
		if (*key && key[strlen(key) - 1] == ')' && strrchr(key, '(')) {
			char k2[KEY_MAX];
			snprintf(k2, sizeof(k2), "%.*s", (int)(strrchr(key, '(') - key), key);
			make_key(k2, strlen(k2), key, sizeof(key));
			if (*key && ((r = lookup(c, key)) || c->oom))
				return r;
		}
	}
	/* Python trove classifiers: "License :: OSI Approved :: MIT License" */
	if (depth == 0 && strstr(declared, "::")) {
		const char *last = declared, *q;
		for (q = declared; (q = strstr(q, "::")); q += 2)
			last = q + 2;
		return normalize(c, last, 1);
	}
	if (n < BH_LIC_MAX_DECLARED) {
		struct ctx probe = *c;
		struct node *t = strict_parse(&probe, declared);
		spdx = t && spdx_like(c, t);
		node_free(t);
		if (probe.oom) {
			c->oom = true;
			return NULL;
		}
	}
	if (pre_replace(declared, &pre)) {
		c->oom = true;
		return NULL;
	}
	/* one name with abbreviations in it: "Common Development and Distribution License (CDDL) v1.0" */
	if (!spdx && n < KEY_MAX && strchr(declared, '(') && !strchr(declared, '>')) {
		char flat[KEY_MAX];
		size_t o = 0, i, nest = 0;
		for (i = 0; pre.data && pre.data[i] && o + 1 < sizeof(flat); i++) {
			if (pre.data[i] == '(')
				nest++;
			else if (pre.data[i] == ')' && nest)
				nest--;
			else if (!nest)
				flat[o++] = pre.data[i];
		}
		flat[o] = 0;
		if ((r = term(c, flat, o, 0)) || c->oom) {
			bh_buf_free(&pre);
			return r;
		}
	}
	r = tolerant(c, pre.data ? pre.data : "");
	/* free prose ("Permission to use, copy, modify, ...") is one unknown licence, not many */
	if (r && !spdx && (c->prose || words(declared) >= 6) && count_leaves(r, false) > 1 &&
	    count_leaves(r, true) == count_leaves(r, false)) {
		node_free(r);
		r = license_ref(c, declared, n);
	}
	bh_buf_free(&pre);
	return r;
}

static bool only_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return !*s;
}

static unsigned paren_depth(const char *s)
{
	unsigned d = 0, max = 0;
	for (; s && *s; s++)
		if (*s == '(' && ++d > max)
			max = d;
		else if (*s == ')' && d)
			d--;
	return max;
}

int bh_license_normalize(const bh_licenses *l, const char *declared, char **spdx_out, bh_error *err)
{
	struct ctx c;
	struct node *r;
	bh_buf b = BH_BUF_INIT;
	size_t n;

	*spdx_out = NULL;
	if (!declared)
		return bh_error_set(err, BH_EUSAGE, "no licence given");
	n = strlen(declared);
	if (n > BH_LIC_MAX_DECLARED)
		return bh_error_set(err, BH_ELIMIT, "declared licence longer than %d bytes", BH_LIC_MAX_DECLARED);
	memset(&c, 0, sizeof(c));
	c.l = l;
	r = only_space(declared) ? NULL : normalize(&c, declared, 0);
	if (c.oom) {
		node_free(r);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (c.terms > MAX_TERMS) {
		node_free(r);
		return bh_error_set(err, BH_ELIMIT, "declared licence names more than %d licences", MAX_TERMS);
	}
	if (!r ? bh_buf_puts(&b, "NOASSERTION") : print_node(&b, r, 0)) {
		node_free(r);
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	node_free(r);
	/*
	 * Names side by side are joined without parentheses in the input, so the printed form can nest
	 * deeper than any parser here reads back; such an expression would not survive a second pass.
	 */
	if (paren_depth(b.data) > MAX_NEST) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_ELIMIT, "declared licence nests more than %d levels deep", MAX_NEST);
	}
	/*
	 * Read back once: joining the printed operands drops repeats that only show once exceptions are
	 * attached ("GPL2, with X, ... GPL2, with X"), so normalising the result again changes nothing.
	 */
	if (b.data && (r = strict_parse(&c, b.data))) {
		bh_buf again = BH_BUF_INIT;
		if (!print_node(&again, r, 0)) {
			bh_buf_free(&b);
			b = again;
		} else {
			bh_buf_free(&again);
		}
		node_free(r);
	}
	if (c.oom || !(*spdx_out = bh_buf_steal(&b))) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- classification ---- */

const char *bh_license_class_name(bh_license_class c)
{
	static const char *const names[] = { "unknown", "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft",
					     "public-domain", "proprietary" };
	return (unsigned)c < BH_LIC_NCLASS ? names[c] : "unknown";
}

int bh_license_class_parse(const char *name)
{
	int i;
	for (i = 0; i < BH_LIC_NCLASS; i++)
		if (name && !strcasecmp(name, bh_license_class_name((bh_license_class)i)))
			return i;
	return -1;
}

/* LicenseRef- names say what they are often enough: "LicenseRef-public-domain", "...-BSD-3-clause-google". */
static unsigned char ref_class(const char *ref)
{
	static const struct {
		const char *word;
		unsigned char cls;
	} words[] = {
		{ "proprietary", C_PROP }, { "commercial", C_PROP }, { "unlicensed", C_PROP }, { "all-rights-reserved", C_PROP },
		{ "public-domain", C_PD }, { "publicdomain", C_PD }, { "agpl", C_NET }, { "lgpl", C_WEAK }, { "gpl", C_STRONG },
		{ "permissive", C_PERM }, { "bsd", C_PERM }, { "mit", C_PERM }, { "expat", C_PERM }, { "x11", C_PERM },
		{ "isc", C_PERM }, { "zlib", C_PERM }, { "boost", C_PERM }, { "apache", C_PERM }, { "fsf-unlimited", C_PERM },
	};
	char low[KEY_MAX];
	size_t i;
	for (i = 0; ref[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)ref[i]);
	low[i] = 0;
	if (!strcmp(low, "pd") || !strncmp(low, "pd-", 3) || strstr(low, "-pd"))
		return C_PD;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = strstr(low, words[i].word);
		size_t wl = strlen(words[i].word);
		/* whole words only: "mit" in "submit" does not count */
		for (; w; w = strstr(w + 1, words[i].word))
			if ((w == low || !isalnum((unsigned char)w[-1])) && !isalnum((unsigned char)w[wl]) &&
			    !(words[i].cls == C_STRONG && w > low + 1 && (w[-1] == 'l' || w[-1] == 'a')))
				return words[i].cls;
	}
	return C_UNK;
}

static unsigned char leaf_class(const bh_licenses *l, const struct node *n)
{
	const struct lic *x;
	const char *dep, *id = n->id;
	char buf[KEY_MAX];
	if (!strncasecmp(id, "LicenseRef-", 11))
		return ref_class(id + 11);
	if (strstr(id, ":LicenseRef-"))
		return ref_class(strstr(id, ":LicenseRef-") + 12);
	if (n->plus) {
		snprintf(buf, sizeof(buf), "%s+", id);
		if ((dep = find_deprecated(buf)))
			id = dep;
	}
	if ((dep = find_deprecated(id))) {
		/* "GPL-2.0-with-classpath-exception" names its exception: the first word is the licence */
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(dep, " "), dep);
		id = buf;
		if (strstr(dep, " WITH ")) {
			int e = find_exception(strstr(dep, " WITH ") + 6);
			x = find_id(l, id);
			if (x && e >= 0 && exceptions[e].weak && (x->cls == C_STRONG || x->cls == C_NET))
				return C_WEAK;
		}
	}
	if ((x = find_id(l, id)))
		return x->cls;
	if (!l) {
		/* not in the built-in table: the prefix rules still know the families */
		struct lic tmp = { id, NULL, NULL, 0, 0, 0 };
		return derive_class(&tmp);
	}
	return C_UNK;
}

/* Rank for "most permissive" (OR): lower is freer. */
static int freedom(unsigned char c)
{
	static const int rank[BH_LIC_NCLASS] = { [C_UNK] = 99, [C_PD] = 0, [C_PERM] = 1, [C_WEAK] = 2, [C_STRONG] = 3,
						 [C_NET] = 4, [C_PROP] = 5 };
	return rank[c];
}

static unsigned char classify(const bh_licenses *l, const struct node *n)
{
	unsigned char a, b;
	switch (n->op) {
	case N_LEAF:
		return leaf_class(l, n);
	case N_WITH: {
		int e = find_exception(n->id);
		a = classify(l, n->a);
		return e >= 0 && exceptions[e].weak && (a == C_STRONG || a == C_NET) ? C_WEAK : a;
	}
	case N_OR:
		a = classify(l, n->a);
		b = classify(l, n->b);
		if (a == C_UNK || b == C_UNK)
			return a == C_UNK ? b : a;
		return freedom(a) <= freedom(b) ? a : b;
	default:
		a = classify(l, n->a);
		b = classify(l, n->b);
		if (a == C_PROP || b == C_PROP)
			return C_PROP;
		if (a == C_UNK || b == C_UNK)
			return C_UNK;
		return freedom(a) >= freedom(b) ? a : b;
	}
}

bh_license_class bh_license_classify(const bh_licenses *l, const char *spdx_expr)
{
	struct ctx c;
	struct node *n;
	unsigned char r;
	if (!spdx_expr || strlen(spdx_expr) > BH_LIC_MAX_DECLARED)
		return BH_LIC_UNKNOWN;
	memset(&c, 0, sizeof(c));
	c.l = l;
	if (!(n = strict_parse(&c, spdx_expr)))
		return BH_LIC_UNKNOWN;
	r = classify(l, n);
	node_free(n);
	return (bh_license_class)r;
}

static bool known_tree(const bh_licenses *l, const struct node *n)
{
	char buf[KEY_MAX];
	if (n->op == N_WITH)
		return find_exception(n->id) >= 0 && known_tree(l, n->a);
	if (n->op != N_LEAF)
		return known_tree(l, n->a) && known_tree(l, n->b);
	if (n->plus)
		snprintf(buf, sizeof(buf), "%s+", n->id);
	return find_id(l, n->id) || find_deprecated(n->id) || (n->plus && find_deprecated(buf));
}

bool bh_license_is_known(const bh_licenses *l, const char *spdx_expr)
{
	struct ctx c;
	struct node *n;
	bool r;
	if (!spdx_expr || strlen(spdx_expr) > BH_LIC_MAX_DECLARED)
		return false;
	memset(&c, 0, sizeof(c));
	c.l = l;
	if (!(n = strict_parse(&c, spdx_expr)))
		return false;
	r = known_tree(l, n);
	node_free(n);
	return r;
}

/* ---- policy ---- */

void bh_license_policy_default(bh_license_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->deny = 1u << BH_LIC_NETWORK_COPYLEFT | 1u << BH_LIC_PROPRIETARY;
	p->warn = 1u << BH_LIC_STRONG_COPYLEFT | 1u << BH_LIC_UNKNOWN;
}

static bool in_ids(const char *const *ids, const char *id)
{
	for (; ids && *ids; ids++)
		if (!strcasecmp(*ids, id))
			return true;
	return false;
}

/* What refuses an expression: 0 passes, 1 a denied class, 2 a denied id (*why names the part). */
static int refused(const bh_licenses *l, const bh_license_policy *p, const struct node *n, unsigned char cls_hint,
		   const struct node **why)
{
	int a, b;
	switch (n->op) {
	case N_LEAF: {
		char full[KEY_MAX];
		unsigned char cls = cls_hint != 0xff ? cls_hint : leaf_class(l, n);
		snprintf(full, sizeof(full), "%s%s", n->id, n->plus ? "+" : "");
		if (in_ids(p->allow_ids, full) || in_ids(p->allow_ids, n->id))
			return 0;
		*why = n;
		if (in_ids(p->deny_ids, full) || in_ids(p->deny_ids, n->id))
			return 2;
		return p->deny & (1u << cls) ? 1 : 0;
	}
	case N_WITH:
		return refused(l, p, n->a, classify(l, n), why);
	case N_OR:
		a = refused(l, p, n->a, 0xff, why);
		return a ? refused(l, p, n->b, 0xff, why) : 0;
	default:
		a = refused(l, p, n->a, 0xff, why);
		if (a)
			return a;
		b = refused(l, p, n->b, 0xff, why);
		return b;
	}
}

int bh_license_check(const bh_licenses *l, const bh_license_policy *p, const char *component, const char *declared,
		     const char *target, bh_checks *out, bh_error *err)
{
	char *expr = NULL, detail[1024], title[160];
	const struct node *why = NULL;
	struct ctx c;
	struct node *n;
	bh_check_finding f;
	bh_license_class cls;
	int rc, verdict;

	if ((rc = bh_license_normalize(l, declared, &expr, err)))
		return rc;
	if (!expr)
		return BH_ENOMEM;
	memset(&c, 0, sizeof(c));
	c.l = l;
	n = strict_parse(&c, expr);
	if (!n && c.oom) {
		free(expr);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	cls = n ? (bh_license_class)classify(l, n) : BH_LIC_UNKNOWN;
	verdict = n ? refused(l, p, n, 0xff, &why) : (p->deny & (1u << BH_LIC_UNKNOWN) ? 1 : 0);
	memset(&f, 0, sizeof(f));
	f.category = "license";
	f.target = target;
	if (verdict == 2) {
		f.rule = "BH-LIC-002";
		f.severity = BH_SEV_HIGH;
		snprintf(title, sizeof(title), "Licence %s is denied by policy", why->id);
		f.why = "The policy forbids this licence for shipped components.";
		f.fix = "Replace the component, obtain it under another licence, or record an exception in the policy.";
	} else if (verdict == 1) {
		f.rule = "BH-LIC-001";
		f.severity = cls == BH_LIC_NETWORK_COPYLEFT || cls == BH_LIC_PROPRIETARY ? BH_SEV_HIGH
			     : cls == BH_LIC_UNKNOWN					     ? BH_SEV_LOW
											     : BH_SEV_MEDIUM;
		snprintf(title, sizeof(title), "Licence class %s is not allowed by policy", bh_license_class_name(cls));
		f.why = cls == BH_LIC_NETWORK_COPYLEFT ? "Network copyleft obliges offering the source to every user of the service."
			: cls == BH_LIC_PROPRIETARY    ? "Proprietary or non-free terms may forbid redistribution or commercial use."
			: cls == BH_LIC_UNKNOWN	       ? "The licence could not be identified, so its obligations are unknown."
						       : "Copyleft terms oblige releasing source code when the component is distributed.";
		f.fix = "Replace the component, choose another of its licences, or allow the licence in the policy after review.";
	} else if (p->warn & (1u << cls)) {
		f.rule = "BH-LIC-003";
		f.severity = BH_SEV_LOW;
		snprintf(title, sizeof(title), "Licence class %s needs review", bh_license_class_name(cls));
		f.why = cls == BH_LIC_UNKNOWN ? "The licence could not be identified, so its obligations are unknown."
					      : "Copyleft terms oblige releasing source code when the component is distributed.";
		f.fix = "Review the licence terms for this use, then allow or deny it in the policy.";
	} else {
		node_free(n);
		free(expr);
		return 0;
	}
	snprintf(detail, sizeof(detail), "%s: declared \"%.300s\" = %.300s (%s)", component ? component : "(component)",
		 declared, expr, bh_license_class_name(cls));
	f.title = title;
	f.detail = detail;
	rc = bh_checks_add(out, &f);
	node_free(n);
	free(expr);
	return rc ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
}
