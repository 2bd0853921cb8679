/* licclass.c - what an SPDX licence expression obliges: permissive, weak, strong or network copyleft, ... */
#include "check/licclass.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/licexpr.h"

#define KEY_MAX BH_LICDATA_KEY_MAX

enum { C_UNK = BH_LIC_UNKNOWN, C_PERM = BH_LIC_PERMISSIVE, C_WEAK = BH_LIC_WEAK_COPYLEFT, C_STRONG = BH_LIC_STRONG_COPYLEFT,
       C_NET = BH_LIC_NETWORK_COPYLEFT, C_PD = BH_LIC_PUBLIC_DOMAIN, C_PROP = BH_LIC_PROPRIETARY };

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

const char *bh_licclass_name(bh_license_class c)
{
	static const char *const names[] = { "unknown", "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft",
					     "public-domain", "proprietary" };
	return (unsigned)c < BH_LIC_NCLASS ? names[c] : "unknown";
}

int bh_licclass_parse(const char *name)
{
	int i;
	for (i = 0; i < BH_LIC_NCLASS; i++)
		if (name && !strcasecmp(name, bh_licclass_name((bh_license_class)i)))
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

/* The class of a listed id: the built-in table, then prefix rules, then the list's flags, name and words. */
static unsigned char entry_class(const bh_licdata_entry *x)
{
	size_t i;
	if (x->cls < BH_LIC_NCLASS)
		return x->cls;
	for (i = 0; i < sizeof(class_rules) / sizeof(class_rules[0]); i++)
		if (!strncasecmp(x->id, class_rules[i].prefix, strlen(class_rules[i].prefix)))
			return class_rules[i].cls;
	if (x->osi)
		return C_PERM; /* every OSI copyleft family is caught by the rules above */
	if (x->name && strcasestr(x->name, "public domain"))
		return C_PD;
	return ref_class(x->id);
}

static unsigned char leaf_class(const bh_licdata *l, const bh_licexpr *n)
{
	const bh_licdata_entry *x;
	const char *dep, *id = n->id;
	char buf[KEY_MAX];
	if (!strncasecmp(id, "LicenseRef-", 11))
		return ref_class(id + 11);
	if (strstr(id, ":LicenseRef-"))
		return ref_class(strstr(id, ":LicenseRef-") + 12);
	if (n->plus) {
		snprintf(buf, sizeof(buf), "%s+", id);
		if ((dep = bh_licdata_deprecated(buf)))
			id = dep;
	}
	if ((dep = bh_licdata_deprecated(id))) {
		/* "GPL-2.0-with-classpath-exception" names its exception: the first word is the licence */
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(dep, " "), dep);
		id = buf;
		if (strstr(dep, " WITH ")) {
			int e = bh_licdata_exception(strstr(dep, " WITH ") + 6);
			x = bh_licdata_find_id(l, id);
			if (x && e >= 0 && bh_licdata_exception_weak(e) && (entry_class(x) == C_STRONG || entry_class(x) == C_NET))
				return C_WEAK;
		}
	}
	if ((x = bh_licdata_find_id(l, id)))
		return entry_class(x);
	if (!l) {
		/* not in the built-in table: the prefix rules still know the families */
		bh_licdata_entry tmp = { id, NULL, NULL, BH_LIC_NCLASS, 0, 0 };
		return entry_class(&tmp);
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

static unsigned char classify(const bh_licdata *l, const bh_licexpr *n)
{
	unsigned char a, b;
	switch (n->op) {
	case BH_LICEXPR_LEAF:
		return leaf_class(l, n);
	case BH_LICEXPR_WITH: {
		int e = bh_licdata_exception(n->id);
		a = classify(l, n->a);
		return e >= 0 && bh_licdata_exception_weak(e) && (a == C_STRONG || a == C_NET) ? C_WEAK : a;
	}
	case BH_LICEXPR_OR:
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

bh_license_class bh_licclass_of(const bh_licdata *l, const char *spdx_expr)
{
	bool oom = false;
	bh_licexpr *n;
	unsigned char r;
	if (!spdx_expr || strlen(spdx_expr) > BH_LIC_MAX_DECLARED)
		return BH_LIC_UNKNOWN;
	if (!(n = bh_licexpr_parse(spdx_expr, &oom)))
		return BH_LIC_UNKNOWN;
	r = classify(l, n);
	bh_licexpr_free(n);
	return (bh_license_class)r;
}

static bool known_tree(const bh_licdata *l, const bh_licexpr *n)
{
	char buf[KEY_MAX];
	if (n->op == BH_LICEXPR_WITH)
		return bh_licdata_exception(n->id) >= 0 && known_tree(l, n->a);
	if (n->op != BH_LICEXPR_LEAF)
		return known_tree(l, n->a) && known_tree(l, n->b);
	if (n->plus)
		snprintf(buf, sizeof(buf), "%s+", n->id);
	return bh_licdata_find_id(l, n->id) || bh_licdata_deprecated(n->id) || (n->plus && bh_licdata_deprecated(buf));
}

bool bh_licclass_is_known(const bh_licdata *l, const char *spdx_expr)
{
	bool oom = false;
	bh_licexpr *n;
	bool r;
	if (!spdx_expr || strlen(spdx_expr) > BH_LIC_MAX_DECLARED)
		return false;
	if (!(n = bh_licexpr_parse(spdx_expr, &oom)))
		return false;
	r = known_tree(l, n);
	bh_licexpr_free(n);
	return r;
}
