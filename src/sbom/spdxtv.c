/* spdxtv.c - SPDX 2.x tag-value ("Tag: value" lines, <text> blocks) into the SPDX 2.3 JSON shape. */
#include "sbom/spdxtv.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum section { SEC_DOC, SEC_PKG, SEC_FILE, SEC_SNIPPET, SEC_LICENSE };

/* One document being converted; the borrowed pointers point into the arrays below them. */
struct tv {
	const bh_limits *lim;
	bh_error *err;
	unsigned long line;
	enum section sec;
	bool have_version;
	json_t *doc, *ci, *creators, *pkgs, *rels, *anns, *lics, *xdocs;
	json_t *pkg, *ann, *rel, *lic, *xref; /* the record being read, each borrowed */
};

/* What a package tag becomes in the JSON package. */
enum kind { K_STR, K_LIST, K_BOOL, K_CHECKSUM, K_EXTREF, K_VCODE };
static const struct {
	const char *tag, *key;
	enum kind kind;
} pkg_tags[] = {
	{ "PackageVersion", "versionInfo", K_STR },
	{ "PackageFileName", "packageFileName", K_STR },
	{ "PackageSupplier", "supplier", K_STR },
	{ "PackageOriginator", "originator", K_STR },
	{ "PackageDownloadLocation", "downloadLocation", K_STR },
	{ "FilesAnalyzed", "filesAnalyzed", K_BOOL },
	{ "PackageVerificationCode", "packageVerificationCode", K_VCODE },
	{ "PackageChecksum", "checksums", K_CHECKSUM },
	{ "PackageHomePage", "homepage", K_STR },
	{ "PackageSourceInfo", "sourceInfo", K_STR },
	{ "PackageLicenseConcluded", "licenseConcluded", K_STR },
	{ "PackageLicenseInfoFromFiles", "licenseInfoFromFiles", K_LIST },
	{ "PackageLicenseDeclared", "licenseDeclared", K_STR },
	{ "PackageLicenseComments", "licenseComments", K_STR },
	{ "PackageCopyrightText", "copyrightText", K_STR },
	{ "PackageSummary", "summary", K_STR },
	{ "PackageDescription", "description", K_STR },
	{ "PackageComment", "comment", K_STR },
	{ "PackageAttributionText", "attributionTexts", K_LIST },
	{ "PrimaryPackagePurpose", "primaryPackagePurpose", K_STR },
	{ "ReleaseDate", "releaseDate", K_STR },
	{ "BuiltDate", "builtDate", K_STR },
	{ "ValidUntilDate", "validUntilDate", K_STR },
	{ "ExternalRef", "externalRefs", K_EXTREF },
};

/* A document string as it may be shown in a message: at most 60 bytes, control characters as '?'. */
static const char *shown(const char *s, size_t n, char *out, size_t outn)
{
	size_t i;
	for (i = 0; i < n && i + 1 < outn && i < 60; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

/*
 * Length of the valid UTF-8 sequence at s (no overlongs, surrogates or values past U+10FFFF),
 * 0 when there is none. Checked once over the document so that a failed json_stringn later can
 * only mean out of memory.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t k, i;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

static int check_text(const char *data, size_t len, bh_error *err)
{
	size_t i = 0, k;
	unsigned long line = 1;
	while (i < len) {
		if (data[i] == '\0')
			return bh_error_set(err, BH_EINVAL, "SPDX tag-value line %lu: NUL byte", line);
		if (data[i] == '\n')
			line++;
		if (!(k = utf8_seq((const unsigned char *)data + i, len - i)))
			return bh_error_set(err, BH_EINVAL, "SPDX tag-value line %lu: not valid UTF-8", line);
		i += k;
	}
	return 0;
}

static int oom(struct tv *t)
{
	return bh_error_set(t->err, BH_ENOMEM, "out of memory");
}

static int bad(struct tv *t, const char *what, const char *v, size_t n)
{
	char b[64];
	return bh_error_set(t->err, BH_EINVAL, "SPDX tag-value line %lu: %s: \"%s\"", t->line, what, shown(v, n, b, sizeof(b)));
}

/* Sets o[key] to the string v[0..n); the document was checked for UTF-8, so NULL is out of memory. */
static int put(struct tv *t, json_t *o, const char *key, const char *v, size_t n)
{
	json_t *s = json_stringn(v, n);
	if (!s || json_object_set_new(o, key, s))
		return oom(t);
	return 0;
}

static int push(struct tv *t, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v))
		return oom(t);
	return 0;
}

/* o[key] as an array, made when absent (borrowed); NULL when out of memory. */
static json_t *list_of(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);
	if (json_is_array(a))
		return a;
	a = json_array();
	if (!a || json_object_set_new(o, key, a))
		return NULL;
	return a;
}

/* The next whitespace-separated token of [*p, end), or NULL; *n its length. */
static const char *token(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *e;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return NULL;
	for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
		;
	*p = e;
	*n = (size_t)(e - s);
	return s;
}

static void trim(const char **v, size_t *n)
{
	while (*n && (**v == ' ' || **v == '\t'))
		(*v)++, (*n)--;
	while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t' || (*v)[*n - 1] == '\r'))
		(*n)--;
}

/* "SHA256: 0d6e..." -> {"algorithm": "SHA256", "checksumValue": "0d6e..."}. */
static json_t *checksum(struct tv *t, const char *v, size_t n, int *rc)
{
	const char *colon = memchr(v, ':', n), *cv;
	size_t an, cn;
	json_t *o;
	*rc = 0;
	if (!colon) {
		*rc = bad(t, "a checksum is \"ALGORITHM: value\"", v, n);
		return NULL;
	}
	an = (size_t)(colon - v);
	cv = colon + 1;
	cn = n - an - 1;
	trim(&v, &an);
	trim(&cv, &cn);
	if (!an || !cn) {
		*rc = bad(t, "a checksum is \"ALGORITHM: value\"", v, n);
		return NULL;
	}
	if (!(o = json_object()) || (*rc = put(t, o, "algorithm", v, an)) || (*rc = put(t, o, "checksumValue", cv, cn))) {
		json_decref(o);
		if (!*rc)
			*rc = oom(t);
		return NULL;
	}
	return o;
}

/* "CATEGORY TYPE LOCATOR" (the locator is the rest of the value). */
static int extref(struct tv *t, json_t *arr, const char *v, size_t n)
{
	const char *p = v, *end = v + n, *cat, *type, *loc;
	size_t cn, tn, ln;
	json_t *o;
	int rc;
	if (!(cat = token(&p, end, &cn)) || !(type = token(&p, end, &tn)))
		return bad(t, "ExternalRef is \"CATEGORY TYPE LOCATOR\"", v, n);
	loc = p;
	ln = (size_t)(end - p);
	trim(&loc, &ln);
	if (!ln)
		return bad(t, "ExternalRef is \"CATEGORY TYPE LOCATOR\"", v, n);
	if (!(o = json_object()))
		return oom(t);
	if ((rc = put(t, o, "referenceCategory", cat, cn)) || (rc = put(t, o, "referenceType", type, tn)) ||
	    (rc = put(t, o, "referenceLocator", loc, ln))) {
		json_decref(o);
		return rc;
	}
	t->xref = o;
	return push(t, arr, o);
}

/* "d6a770ba...(./package.spdx)" or "d6a7... (excludes: ./package.spdx)". */
static int vcode(struct tv *t, json_t *pkg, const char *v, size_t n)
{
	const char *paren = memchr(v, '(', n), *ex = paren ? paren + 1 : v + n;
	size_t hn = paren ? (size_t)(paren - v) : n, en = (size_t)(v + n - ex);
	json_t *o = json_object(), *a;
	int rc;
	if (!o || json_object_set_new(pkg, "packageVerificationCode", o))
		return oom(t);
	trim(&v, &hn);
	if ((rc = put(t, o, "packageVerificationCodeValue", v, hn)))
		return rc;
	if (!paren)
		return 0;
	if (en && ex[en - 1] == ')')
		en--;
	if (en >= 9 && !strncasecmp(ex, "excludes:", 9))
		ex += 9, en -= 9;
	trim(&ex, &en);
	if (!en)
		return 0;
	if (!(a = list_of(o, "packageVerificationCodeExcludedFiles")))
		return oom(t);
	return push(t, a, json_stringn(ex, en));
}

/* A package tag: the row of pkg_tags it matched. */
static int package_tag(struct tv *t, size_t row, const char *v, size_t n)
{
	const char *key = pkg_tags[row].key;
	json_t *a;
	int rc = 0;
	switch (pkg_tags[row].kind) {
	case K_STR:
		return put(t, t->pkg, key, v, n);
	case K_LIST:
		if (!(a = list_of(t->pkg, key)))
			return oom(t);
		return push(t, a, json_stringn(v, n));
	case K_BOOL:
		if (n == 4 && !strncasecmp(v, "true", 4))
			return json_object_set_new(t->pkg, key, json_true()) ? oom(t) : 0;
		if (n == 5 && !strncasecmp(v, "false", 5))
			return json_object_set_new(t->pkg, key, json_false()) ? oom(t) : 0;
		return bad(t, "FilesAnalyzed is true or false", v, n);
	case K_CHECKSUM: {
		json_t *c = checksum(t, v, n, &rc);
		if (!c)
			return rc;
		if (!(a = list_of(t->pkg, key))) {
			json_decref(c);
			return oom(t);
		}
		return push(t, a, c);
	}
	case K_EXTREF:
		if (!(a = list_of(t->pkg, key)))
			return oom(t);
		return extref(t, a, v, n);
	case K_VCODE:
		return vcode(t, t->pkg, v, n);
	}
	return 0;
}

static int new_package(struct tv *t, const char *v, size_t n)
{
	json_t *p;
	int rc;
	if (t->lim->max_components && json_array_size(t->pkgs) >= t->lim->max_components)
		return bh_error_set(t->err, BH_ELIMIT, "SPDX tag-value line %lu: more than %llu packages (max-components limit)", t->line,
				    (unsigned long long)t->lim->max_components);
	if (!(p = json_object()))
		return oom(t);
	if ((rc = put(t, p, "name", v, n))) {
		json_decref(p);
		return rc;
	}
	t->pkg = p;
	t->xref = NULL;
	t->sec = SEC_PKG;
	return push(t, t->pkgs, p);
}

/* "SPDXRef-A TYPE SPDXRef-B". */
static int relationship(struct tv *t, const char *v, size_t n)
{
	const char *p = v, *end = v + n, *a, *type, *b;
	size_t an, tn, bn, xn;
	json_t *o;
	int rc;
	if (!(a = token(&p, end, &an)) || !(type = token(&p, end, &tn)) || !(b = token(&p, end, &bn)) || token(&p, end, &xn))
		return bad(t, "Relationship is \"ELEMENT TYPE ELEMENT\"", v, n);
	if (!(o = json_object()))
		return oom(t);
	if ((rc = put(t, o, "spdxElementId", a, an)) || (rc = put(t, o, "relationshipType", type, tn)) ||
	    (rc = put(t, o, "relatedSpdxElement", b, bn))) {
		json_decref(o);
		return rc;
	}
	t->rel = o;
	return push(t, t->rels, o);
}

/* "DocumentRef-x https://... SHA1: d6a7...". */
static int external_doc(struct tv *t, const char *v, size_t n)
{
	const char *p = v, *end = v + n, *id, *uri;
	size_t in, un;
	json_t *o, *c;
	int rc = 0;
	if (!(id = token(&p, end, &in)) || !(uri = token(&p, end, &un)))
		return bad(t, "ExternalDocumentRef is \"DocumentRef-ID URI ALGORITHM: value\"", v, n);
	if (!(c = checksum(t, p, (size_t)(end - p), &rc)))
		return rc;
	if (!(o = json_object())) {
		json_decref(c);
		return oom(t);
	}
	if (json_object_set_new(o, "checksum", c)) { /* which has dropped c */
		json_decref(o);
		return oom(t);
	}
	if ((rc = put(t, o, "externalDocumentId", id, in)) || (rc = put(t, o, "spdxDocument", uri, un))) {
		json_decref(o);
		return rc;
	}
	return push(t, t->xdocs, o);
}

/* The current annotation, started by Annotator (or by any annotation tag that comes first). */
static json_t *annotation(struct tv *t, bool start)
{
	json_t *o;
	if (t->ann && !start)
		return t->ann;
	if (!(o = json_object()) || json_array_append_new(t->anns, o))
		return NULL;
	return t->ann = o;
}

#define IS(s) (tn == sizeof(s) - 1 && !memcmp(tag, s, sizeof(s) - 1))

static int one_tag(struct tv *t, const char *tag, size_t tn, const char *v, size_t n)
{
	size_t i;
	json_t *o;
	/* document tags, wherever they stand */
	if (IS("SPDXVersion")) {
		if (n < 7 || memcmp(v, "SPDX-2.", 7) != 0)
			return bad(t, "only SPDX-2.x tag-value documents are read, SPDXVersion is", v, n);
		t->have_version = true;
		return put(t, t->doc, "spdxVersion", v, n);
	}
	if (IS("DataLicense"))
		return put(t, t->doc, "dataLicense", v, n);
	if (IS("DocumentName"))
		return put(t, t->doc, "name", v, n);
	if (IS("DocumentNamespace"))
		return put(t, t->doc, "documentNamespace", v, n);
	if (IS("DocumentComment"))
		return put(t, t->doc, "comment", v, n);
	if (IS("Creator"))
		return push(t, t->creators, json_stringn(v, n));
	if (IS("Created"))
		return put(t, t->ci, "created", v, n);
	if (IS("CreatorComment"))
		return put(t, t->ci, "comment", v, n);
	if (IS("LicenseListVersion"))
		return put(t, t->ci, "licenseListVersion", v, n);
	if (IS("ExternalDocumentRef"))
		return external_doc(t, v, n);
	if (IS("Relationship"))
		return relationship(t, v, n);
	if (IS("RelationshipComment"))
		return t->rel ? put(t, t->rel, "comment", v, n) : 0;
	if (IS("Annotator"))
		return (o = annotation(t, true)) ? put(t, o, "annotator", v, n) : oom(t);
	if (IS("AnnotationDate"))
		return (o = annotation(t, false)) ? put(t, o, "annotationDate", v, n) : oom(t);
	if (IS("AnnotationType"))
		return (o = annotation(t, false)) ? put(t, o, "annotationType", v, n) : oom(t);
	if (IS("AnnotationComment"))
		return (o = annotation(t, false)) ? put(t, o, "comment", v, n) : oom(t);
	if (IS("SPDXREF"))
		return (o = annotation(t, false)) ? put(t, o, "_ref", v, n) : oom(t);
	/* sections */
	if (IS("PackageName"))
		return new_package(t, v, n);
	if (IS("FileName")) {
		t->sec = SEC_FILE;
		t->pkg = NULL;
		return 0;
	}
	if (IS("SnippetSPDXID")) {
		t->sec = SEC_SNIPPET;
		t->pkg = NULL;
		return 0;
	}
	if (IS("LicenseID")) {
		t->sec = SEC_LICENSE;
		t->pkg = NULL;
		if (!(o = json_object()) || json_array_append_new(t->lics, o))
			return oom(t);
		t->lic = o;
		return put(t, o, "licenseId", v, n);
	}
	if (IS("SPDXID")) {
		if (t->sec == SEC_DOC)
			return put(t, t->doc, "SPDXID", v, n);
		return t->sec == SEC_PKG ? put(t, t->pkg, "SPDXID", v, n) : 0;
	}
	if (t->sec == SEC_LICENSE) {
		if (IS("ExtractedText"))
			return put(t, t->lic, "extractedText", v, n);
		if (IS("LicenseName"))
			return put(t, t->lic, "name", v, n);
		if (IS("LicenseComment"))
			return put(t, t->lic, "comment", v, n);
		if (IS("LicenseCrossReference")) {
			json_t *a = list_of(t->lic, "seeAlsos");
			return a ? push(t, a, json_stringn(v, n)) : oom(t);
		}
	}
	if (IS("ExternalRefComment"))
		return t->sec == SEC_PKG && t->xref ? put(t, t->xref, "comment", v, n) : 0;
	for (i = 0; i < sizeof(pkg_tags) / sizeof(pkg_tags[0]); i++) {
		if (strlen(pkg_tags[i].tag) != tn || memcmp(pkg_tags[i].tag, tag, tn) != 0)
			continue;
		if (t->sec != SEC_PKG)
			return bad(t, "package tag outside a package (no PackageName before it)", tag, tn);
		return package_tag(t, i, v, n);
	}
	return 0; /* files, snippets, reviews and tags of later versions: nothing the reader uses */
}

#undef IS

/* Reads the lines of data into t. */
static int parse(struct tv *t, const char *data, size_t len)
{
	size_t pos = 0;
	int rc;
	t->line = 0;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *e = nl ? nl : data + len, *tag, *v;
		size_t tn, n;
		t->line++;
		pos = (size_t)(e - data) + (nl ? 1 : 0);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#' || (e - s == 1 && *s == '\r'))
			continue;
		for (tag = s; s < e && (*s == '_' || *s == '-' || (*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')); s++)
			;
		tn = (size_t)(s - tag);
		if (!tn || s == e || *s != ':')
			return bad(t, "expected \"Tag: value\"", tag, (size_t)(e - tag));
		v = s + 1;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		if (e - v >= 6 && !memcmp(v, "<text>", 6)) {
			/* a value over several lines, up to the first </text> (line numbers go on counting) */
			const char *close = memmem(v + 6, (size_t)(data + len - (v + 6)), "</text>", 7), *q;
			if (!close)
				return bad(t, "<text> is not closed by </text>", tag, tn);
			if ((rc = one_tag(t, tag, tn, v + 6, (size_t)(close - (v + 6)))))
				return rc;
			for (q = v; q < close; q++)
				t->line += *q == '\n';
			/* the rest of the line holding </text> is ignored */
			nl = memchr(close, '\n', (size_t)(data + len - close));
			pos = nl ? (size_t)(nl - data) + 1 : len;
			continue;
		}
		n = (size_t)(e - v);
		trim(&v, &n);
		if ((rc = one_tag(t, tag, tn, v, n)))
			return rc;
	}
	return 0;
}

/* Annotations go into the package they name (SPDXREF), the document's when they name it. */
static int place_annotations(struct tv *t)
{
	json_t *byid = json_object(), *p, *a;
	const char *docid = json_string_value(json_object_get(t->doc, "SPDXID"));
	size_t i;
	int rc = 0;
	if (!byid)
		return oom(t);
	json_array_foreach(t->pkgs, i, p) {
		const char *id = json_string_value(json_object_get(p, "SPDXID"));
		if (id && !json_object_get(byid, id) && json_object_set(byid, id, p)) {
			rc = oom(t);
			goto out;
		}
	}
	json_array_foreach(t->anns, i, a) {
		const char *ref = json_string_value(json_object_get(a, "_ref"));
		json_t *to = ref ? json_object_get(byid, ref) : NULL, *list;
		if (!to && (!ref || !docid || strcmp(ref, docid) != 0))
			continue; /* a file's or a snippet's */
		if (!(list = list_of(to ? to : t->doc, "annotations")) || json_array_append(list, a)) {
			rc = oom(t);
			goto out;
		}
		json_object_del(a, "_ref");
	}
out:
	json_decref(byid);
	return rc;
}

bool bh_spdxtv_sniff(const char *data, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *e = nl ? nl : data + len, *p;
		pos = (size_t)(e - data) + 1;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == e || *s == '#')
			continue;
		if (e - s >= 18 && !memcmp(s, "SPDXVersion:", 12)) {
			for (p = s + 12; p < e && (*p == ' ' || *p == '\t'); p++)
				;
			return e - p >= 5 && !memcmp(p, "SPDX-", 5);
		}
		/* only other tags may come first */
		for (p = s; p < e && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'); p++)
			;
		if (p == s || p == e || *p != ':')
			return false;
		if (!nl)
			return false;
	}
	return false;
}

int bh_spdxtv_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err)
{
	struct tv t;
	int rc;
	*out = NULL;
	if (len > lim->max_meta_size)
		return bh_error_set(err, BH_ELIMIT, "SPDX tag-value document of %zu bytes is over the max-meta-size limit (%llu)", len,
				    (unsigned long long)lim->max_meta_size);
	if ((rc = check_text(data, len, err)))
		return rc;
	memset(&t, 0, sizeof(t));
	t.lim = lim;
	t.err = err;
	t.doc = json_object();
	t.ci = json_object();
	t.creators = json_array();
	t.pkgs = json_array();
	t.rels = json_array();
	t.anns = json_array();
	t.lics = json_array();
	t.xdocs = json_array();
	if (!t.doc || !t.ci || !t.creators || !t.pkgs || !t.rels || !t.anns || !t.lics || !t.xdocs) {
		rc = oom(&t);
		goto out;
	}
	if ((rc = parse(&t, data, len)))
		goto out;
	if (!t.have_version) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX tag-value: no SPDXVersion line (not an SPDX tag-value document)");
		goto out;
	}
	if ((rc = place_annotations(&t)))
		goto out;
	if (json_object_set(t.ci, "creators", t.creators) || json_object_set(t.doc, "creationInfo", t.ci) ||
	    json_object_set(t.doc, "packages", t.pkgs) || json_object_set(t.doc, "relationships", t.rels) ||
	    (json_array_size(t.lics) && json_object_set(t.doc, "hasExtractedLicensingInfos", t.lics)) ||
	    (json_array_size(t.xdocs) && json_object_set(t.doc, "externalDocumentRefs", t.xdocs))) {
		rc = oom(&t);
		goto out;
	}
	*out = t.doc;
	t.doc = NULL;
out:
	json_decref(t.doc);
	json_decref(t.ci);
	json_decref(t.creators);
	json_decref(t.pkgs);
	json_decref(t.rels);
	json_decref(t.anns);
	json_decref(t.lics);
	json_decref(t.xdocs);
	return rc;
}
