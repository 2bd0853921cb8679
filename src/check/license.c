/* license.c - declared licences to SPDX expressions: ids, aliases, families, Debian, Python, Maven, URLs. */
#include "check/license.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

#define MAX_NEST BH_LICEXPR_MAX_NEST /* parentheses in one expression */
#define MAX_TERMS 256                /* licences in one declared string */
#define REF_MAX 64                   /* characters kept after LicenseRef- */
#define KEY_MAX BH_LICDATA_KEY_MAX   /* longer terms are never a known name */

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

/* One normalisation: the list, the out-of-memory flag every step checks, and the bounds on hostile text. */
struct ctx {
	const bh_licdata *l;
	bool oom;
	unsigned terms, prose, depth; /* names read, names of more than 4 words, parentheses open */
};

static bool is_url(const char *key)
{
	return strstr(key, "://") || !strncmp(key, "www.", 4);
}

static bh_licexpr *leaf(struct ctx *c, const char *id, size_t n)
{
	return bh_licexpr_leaf(id, n, &c->oom);
}

static bh_licexpr *join(struct ctx *c, int op, bh_licexpr *a, bh_licexpr *b)
{
	return bh_licexpr_join(op, a, b, &c->oom);
}

static bh_licexpr *strict_parse(struct ctx *c, const char *s)
{
	return bh_licexpr_parse(s, &c->oom);
}

/* ---- terms: one licence name in any of its spellings ---- */

static bh_licexpr *term(struct ctx *c, const char *text, size_t n, int depth);

static bool known_id(const struct ctx *c, const char *id)
{
	return bh_licdata_find_id(c->l, id) || bh_licdata_deprecated(id);
}

/* BSD licences (and EDL, which is BSD-3-Clause) have no later versions: a '+' on them is dropped. */
static bool no_later_versions(const char *id)
{
	return !strncmp(id, "BSD-", 4) || !strcmp(id, "0BSD");
}

/* The id of a family at a parsed version ("GPL", "2", plus -> GPL-2.0-or-later); NULL when none is listed. */
static bh_licexpr *family_id(struct ctx *c, int fam, const char *cc, const char *ver, bool plus)
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
		const bh_licdata_entry *x = bh_licdata_find_id(c->l, id);
		const char *canon = x ? x->id : id;
		bh_licexpr *nd = leaf(c, canon, strlen(canon));
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
static bh_licexpr *family(struct ctx *c, const char *key)
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
static bh_licexpr *lookup(struct ctx *c, const char *key)
{
	const bh_licdata_entry *x;
	const char *dep;
	if ((dep = bh_licdata_alias(key)))
		return strict_parse(c, dep);
	if ((dep = bh_licdata_deprecated(key)))
		return strict_parse(c, dep);
	if ((x = bh_licdata_find_id(c->l, key)) || (x = bh_licdata_find_name(c->l, key)))
		return leaf(c, x->id, strlen(x->id));
	return NULL;
}

/* Licence URLs: the well-known sites by path, else the URLs of the list. */
static bh_licexpr *url_lookup(struct ctx *c, const char *text)
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
	const bh_licdata_entry *x;
	size_t i;

	bh_licdata_url_key(text, k, sizeof(k));
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (k[0] == urls[i].url[0] && !strcmp(k, urls[i].url))
			return strict_parse(c, urls[i].expr);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		char rest[KEY_MAX], *e;
		bh_licexpr *r;
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
	if ((x = bh_licdata_find_url(c->l, k)))
		return leaf(c, x->id, strlen(x->id));
	return NULL;
}

/* Exception name after WITH: an id, a known short name, or AdditionRef-<text>. */
static bh_licexpr *exception(struct ctx *c, const bh_licexpr *lic, const char *text, size_t n)
{
	char k[KEY_MAX], id[KEY_MAX + 32];
	size_t i, kl;
	int e;
	bool v3 = false;
	const char *named;

	bh_licdata_key(text, n, k, sizeof(k));
	/* the licence the exception lands on (see attach): its version picks Autoconf/GCC 2 or 3 */
	for (const bh_licexpr *x = lic; x; x = x->op == BH_LICEXPR_WITH ? x->a : x->b) {
		if (x->op == BH_LICEXPR_LEAF) {
			v3 = x->id && strstr(x->id, "-3.0") != NULL;
			break;
		}
	}
	if ((e = bh_licdata_exception(k)) >= 0) {
		snprintf(id, sizeof(id), "%s", bh_licdata_exception_id(e));
	} else {
		/* "autoconf exception", "gcc-runtime-3.1 exception", "the classpath exception" */
		kl = strlen(k);
		if (kl > 10 && (!strcmp(k + kl - 10, " exception") || !strcmp(k + kl - 10, "-exception")))
			k[kl - 10] = 0;
		else if (kl > 11 && (!strcmp(k + kl - 11, " exceptions") || !strcmp(k + kl - 11, "-exceptions")))
			k[kl - 11] = 0;
		if (!strncmp(k, "the ", 4))
			memmove(k, k + 4, strlen(k + 4) + 1);
		if ((named = bh_licdata_exception_named(k, v3))) {
			snprintf(id, sizeof(id), "%s", named);
		} else {
			snprintf(id, sizeof(id), "%s-exception", k);
			e = bh_licdata_exception(id);
			if (e < 0)
				e = bh_licdata_exception_prefix(id);
			if (e >= 0) {
				snprintf(id, sizeof(id), "%s", bh_licdata_exception_id(e));
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
	return bh_licexpr_with(id, &c->oom);
}

/*
 * Puts exception w (a WITH node without its licence) on the right-most licence of l: "A and B with X"
 * reads A AND (B WITH X), and SPDX allows WITH after one licence only. A licence keeps its first exception.
 */
static bh_licexpr *attach(bh_licexpr *l, bh_licexpr *w)
{
	bh_licexpr **slot = &l;
	/* AND/OR nodes always have both operands (bh_licexpr_join); the test says so to the analyzer */
	while (((*slot)->op == BH_LICEXPR_AND || (*slot)->op == BH_LICEXPR_OR) && (*slot)->b)
		slot = &(*slot)->b;
	/* a second exception, or one to NONE/NOASSERTION ("none WITH x" is no SPDX and says nothing) */
	if ((*slot)->op == BH_LICEXPR_WITH || bh_licexpr_says_nothing(*slot)) {
		bh_licexpr_free(w);
		return l;
	}
	w->a = *slot;
	*slot = w;
	return l;
}

/* Marks a found licence as or-later (a trailing '+' on a name the tables know without it). */
static bh_licexpr *or_later(struct ctx *c, bh_licexpr *n)
{
	char *p;
	if (!n || n->plus)
		return n;
	if (n->op != BH_LICEXPR_LEAF || !strncmp(n->id, "LicenseRef-", 11) || !strcmp(n->id, "NOASSERTION") || !strcmp(n->id, "NONE")) {
		/* "+" only follows a licence id; the caller keeps the text as a LicenseRef */
		bh_licexpr_free(n);
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
				bh_licexpr_free(n);
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
static bh_licexpr *term(struct ctx *c, const char *text, size_t len, int depth)
{
	static const char *const fillers[] = { "your choice of ", "either ", "dual licensed under ", "dual-licensed under ",
					       "licensed under the ", "licensed under ", "under the ", "under ", "gnu ", "version " };
	char key[KEY_MAX], k2[KEY_MAX];
	bh_licexpr *n;
	size_t kl, i;

	if (len >= KEY_MAX || depth > 3)
		return NULL;
	bh_licdata_key(text, len, key, sizeof(key));
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
				bh_licexpr_free(n);
				cut = i;
				rest = i + 1;
				break;
			}
			if (c->oom)
				return NULL;
		}
		if (cut && (n = term(c, key, cut, depth + 1))) {
			bh_licexpr *x = exception(c, n, key + rest, kl - rest);
			if (!x) {
				bh_licexpr_free(n);
				return NULL;
			}
			return attach(n, x);
		}
	}
	/* "MIT/X11" was an alias; "GPL/Artistic": either */
	if (strchr(key, '/') && depth == 0) {
		const char *p = key;
		bh_licexpr *all = NULL;
		while (*p) {
			size_t pl = strcspn(p, "/");
			bh_licexpr *part = pl ? term(c, p, pl, depth + 1) : NULL;
			if (!part) {
				bh_licexpr_free(all);
				return NULL;
			}
			all = join(c, BH_LICEXPR_OR, all, part);
			p += pl + (p[pl] == '/');
		}
		return all;
	}
	return NULL;
}

/* LicenseRef-<text>: letters, digits, '.', '-' kept; runs of anything else become one '-'. */
static bh_licexpr *license_ref(struct ctx *c, const char *text, size_t n)
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

static bh_licexpr *tp_or(struct tp *p);

/* Text from token a to token b (exclusive), as written. */
static void span(const struct tp *p, size_t a, size_t b, const char **s, size_t *n)
{
	*s = p->t[a].s;
	*n = b > a ? (size_t)(p->t[b - 1].s + p->t[b - 1].n - *s) : 0;
}

/* A run of words naming one licence, then an optional "(...)" that restates or versions it. */
static bh_licexpr *tp_term(struct tp *p)
{
	struct ctx *c = p->c;
	size_t a = p->i, words;
	const char *s;
	size_t n;
	bh_licexpr *r;

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
			bh_licexpr *alt = NULL;
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
				bh_licexpr_free(r);
				r = alt;
			}
		}
		p->i = p->t[e].kind == T_END ? e : e + 1;
	}
	if (!r && !c->oom)
		r = license_ref(c, s, n);
	return r;
}

static bh_licexpr *tp_prim(struct tp *p)
{
	bh_licexpr *r;
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

static bh_licexpr *tp_with(struct tp *p)
{
	bh_licexpr *l = tp_prim(p);
	while (p->t[p->i].kind == T_WITH) {
		size_t a = ++p->i;
		const char *s;
		size_t n;
		bh_licexpr *w;
		while (p->t[p->i].kind == T_WORD)
			p->i++;
		if (p->i == a || !l)
			continue;
		span(p, a, p->i, &s, &n);
		if (!(w = exception(p->c, l, s, n))) {
			bh_licexpr_free(l);
			return NULL;
		}
		l = attach(l, w);
	}
	return l;
}

static bh_licexpr *tp_and(struct tp *p)
{
	bh_licexpr *l = tp_with(p);
	while (!p->c->oom && p->t[p->i].kind == T_AND) {
		p->i++;
		l = join(p->c, BH_LICEXPR_AND, l, tp_with(p));
	}
	return l;
}

static bh_licexpr *tp_or(struct tp *p)
{
	bh_licexpr *l = tp_and(p);
	while (!p->c->oom) {
		size_t before = p->i;
		if (p->t[p->i].kind == T_OR) {
			p->i++;
			l = join(p->c, BH_LICEXPR_OR, l, tp_and(p));
		} else if ((p->t[p->i].kind == T_RP && p->c->depth == 0) || p->t[p->i].kind == T_AND || p->t[p->i].kind == T_WITH) {
			p->i++; /* a stray ')', or an operator with nothing before it */
		} else if (p->t[p->i].kind == T_LP || p->t[p->i].kind == T_WORD) {
			l = join(p->c, BH_LICEXPR_AND, l, tp_and(p)); /* two names side by side */
		} else {
			break;
		}
		if (p->i == before)
			p->i++; /* every round reads a token */
	}
	return l;
}

/* One comma-free segment of the declared text. */
static bh_licexpr *segment(struct ctx *c, const char *s, size_t n)
{
	struct tok *t;
	struct tp p;
	bh_licexpr *r;
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
static bh_licexpr *tolerant(struct ctx *c, const char *text)
{
	const char *p = text, *seg = text;
	bh_licexpr *all = NULL;
	int op = BH_LICEXPR_AND, depth = 0;

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
			bh_licexpr *r;
			bh_trim(&s, &n);
			if (n > 4 && !strncasecmp(s, "and ", 4)) {
				s += 4, n -= 4;
			} else if (n > 3 && !strncasecmp(s, "or ", 3)) {
				s += 3, n -= 3;
				op = BH_LICEXPR_OR;
			} else if (n > 5 && !strncasecmp(s, "with ", 5) && all) {
				/* "GPL, version 2, with the classpath exception": the exception of what came before */
				bh_licexpr *w = exception(c, all, s + 5, n - 5);
				if (!w) {
					bh_licexpr_free(all);
					return NULL;
				}
				all = attach(all, w);
				n = 0;
			}
			r = n ? segment(c, s, n) : NULL;
			if (c->oom) {
				bh_licexpr_free(all);
				return NULL;
			}
			all = join(c, op, all, r);
			op = BH_LICEXPR_AND;
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

static int count_leaves(const bh_licexpr *n, bool refs_only)
{
	if (!n)
		return 0;
	if (n->op == BH_LICEXPR_LEAF)
		return !refs_only || !strncmp(n->id, "LicenseRef-", 11);
	return count_leaves(n->a, refs_only) + count_leaves(n->b, refs_only);
}

/* Every leaf a listed id or a LicenseRef, every exception listed or an AdditionRef: already SPDX. */
static bool spdx_like(const struct ctx *c, const bh_licexpr *n)
{
	char buf[KEY_MAX];
	switch (n->op) {
	case BH_LICEXPR_LEAF:
		if (!strncasecmp(n->id, "LicenseRef-", 11) || !strncasecmp(n->id, "DocumentRef-", 12) || bh_licexpr_says_nothing(n))
			return true;
		snprintf(buf, sizeof(buf), "%s+", n->id);
		return bh_licdata_find_id(c->l, n->id) || bh_licdata_deprecated(n->id) || (n->plus && bh_licdata_deprecated(buf));
	case BH_LICEXPR_WITH:
		return (bh_licdata_exception(n->id) >= 0 || !strncasecmp(n->id, "AdditionRef-", 12)) && spdx_like(c, n->a);
	default:
		return spdx_like(c, n->a) && spdx_like(c, n->b);
	}
}

/* Whole-string forms first (aliases, classifiers, URLs), then the tolerant parse. */
static bh_licexpr *normalize(struct ctx *c, const char *declared, int depth)
{
	char key[KEY_MAX];
	size_t n = strlen(declared);
	bh_licexpr *r;
	bh_buf pre = BH_BUF_INIT;
	bool spdx = false;

	bh_licdata_key(declared, n, key, sizeof(key));
	if (n < KEY_MAX) {
		if (is_url(key))
			return (r = url_lookup(c, key)) || c->oom ? r : license_ref(c, declared, n);
		if ((r = lookup(c, key)) || c->oom)
			return r;
		/* "GNU Library or Lesser General Public License (LGPL)" without its abbreviation */
		if (*key && key[strlen(key) - 1] == ')' && strrchr(key, '(')) {
			char k2[KEY_MAX];
			snprintf(k2, sizeof(k2), "%.*s", (int)(strrchr(key, '(') - key), key);
			bh_licdata_key(k2, strlen(k2), key, sizeof(key));
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
		bh_licexpr *t = strict_parse(&probe, declared);
		spdx = t && spdx_like(c, t);
		bh_licexpr_free(t);
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
		bh_licexpr_free(r);
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

int bh_license_normalize(const bh_licdata *l, const char *declared, char **spdx_out, bh_error *err)
{
	struct ctx c;
	bh_licexpr *r;
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
		bh_licexpr_free(r);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (c.terms > MAX_TERMS) {
		bh_licexpr_free(r);
		return bh_error_set(err, BH_ELIMIT, "declared licence names more than %d licences", MAX_TERMS);
	}
	if (!r ? bh_buf_puts(&b, "NOASSERTION") : bh_licexpr_print(&b, r)) {
		bh_licexpr_free(r);
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	bh_licexpr_free(r);
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
		if (!bh_licexpr_print(&again, r)) {
			bh_buf_free(&b);
			b = again;
		} else {
			bh_buf_free(&again);
		}
		bh_licexpr_free(r);
	}
	if (c.oom || !(*spdx_out = bh_buf_steal(&b))) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}
