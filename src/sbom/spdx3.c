/* spdx3.c - SPDX 3.0 JSON-LD (an @graph of elements) into SPDX 2.3-shaped packages and relationships. */
#include "sbom/spdx3.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

/* One document being converted. */
struct s3 {
	const bh_limits *lim;
	bh_error *err;
	json_t *byid;  /* element id -> element (borrowed from the graph), the first of each id */
	json_t *pkgby; /* software_Package id -> its SPDX 2 package */
	json_t *docid; /* the SpdxDocument's id, written as SPDXRef-DOCUMENT */
};

static int oom(struct s3 *c)
{
	return bh_error_set(c->err, BH_ENOMEM, "out of memory");
}

/* A document string as it may be shown in a message: at most 80 bytes, control characters as '?'. */
static const char *shown(const char *s, char *out, size_t outn)
{
	size_t i;
	if (!s)
		return "?";
	for (i = 0; s[i] && i + 1 < outn && i < 80; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

/* The compact name ("software_Package", "type") or the expanded IRI ending ("/Software/Package", "@type"). */
static const char *type_of(const json_t *e)
{
	const char *t = bh_json_str(e, "type");
	return t ? t : bh_json_str(e, "@type");
}

static bool is_type(const json_t *e, const char *compact, const char *iri_tail)
{
	const char *t = type_of(e);
	size_t n, m;
	if (!t)
		return false;
	if (!strcmp(t, compact))
		return true;
	n = strlen(t);
	m = strlen(iri_tail);
	return n > m && !strcmp(t + n - m, iri_tail);
}

static const char *id_of(const json_t *e)
{
	const char *id = bh_json_str(e, "spdxId");
	return id ? id : bh_json_str(e, "@id");
}

/* A reference: an id string, or an element written in place. */
static const char *ref_id(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : id_of(v);
}

static json_t *deref(struct s3 *c, json_t *v)
{
	if (json_is_object(v))
		return v;
	return json_is_string(v) ? json_object_get(c->byid, json_string_value(v)) : NULL;
}

static int put(struct s3 *c, json_t *o, const char *key, const char *v)
{
	json_t *s;
	if (!v)
		return 0;
	if (!(s = json_string(v)) || json_object_set_new(o, key, s))
		return oom(c);
	return 0;
}

/* "dependsOn" -> "DEPENDS_ON" (sep '_'), "operatingSystem" -> "OPERATING-SYSTEM" (sep '-'). */
static void upper_words(const char *v, char sep, char *out, size_t n)
{
	size_t o = 0;
	for (; *v && o + 2 < n; v++) {
		char ch = *v;
		if (ch >= 'A' && ch <= 'Z' && o)
			out[o++] = sep;
		else if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (ch == '_' || ch == '-' || ch == ' ')
			ch = sep;
		/* ASCII only: a cut multi-byte character would be invalid UTF-8 */
		out[o++] = (unsigned char)ch < 0x20 || (unsigned char)ch > 0x7e ? '?' : ch;
	}
	out[o] = '\0';
}

/* "Organization: ACME" for an agent reference; NULL when the agent has no name. */
static int agent(struct s3 *c, json_t *ref, bh_buf *b)
{
	json_t *a = deref(c, ref);
	const char *name = bh_json_str(a, "name"), *kind = "Organization";
	bh_buf_reset(b);
	if (!name)
		return 0;
	if (is_type(a, "Person", "/Core/Person"))
		kind = "Person";
	else if (is_type(a, "Tool", "/Core/Tool") || is_type(a, "SoftwareAgent", "/Core/SoftwareAgent"))
		kind = "Tool";
	return bh_buf_printf(b, "%s: %s", kind, name) ? oom(c) : 0;
}

/* An external reference of an SPDX 2 package. */
static int add_ref(struct s3 *c, json_t *refs, const char *cat, const char *type, const char *loc)
{
	json_t *o = json_object();
	if (!o || put(c, o, "referenceCategory", cat) || put(c, o, "referenceType", type) || put(c, o, "referenceLocator", loc)) {
		json_decref(o);
		return oom(c);
	}
	return json_array_append_new(refs, o) ? oom(c) : 0; /* on failure jansson has dropped o */
}

/* One software_Package element as an SPDX 2.3 package. */
static int package(struct s3 *c, json_t *e, json_t *pkgs)
{
	static const char *const same[][2] = {
		{ "name", "name" },
		{ "software_packageVersion", "versionInfo" },
		{ "software_downloadLocation", "downloadLocation" },
		{ "software_homePage", "homepage" },
		{ "software_copyrightText", "copyrightText" },
		{ "software_sourceInfo", "sourceInfo" },
		{ "description", "description" },
		{ "summary", "summary" },
		{ "comment", "comment" },
		{ "releaseTime", "releaseDate" },
		{ "builtTime", "builtDate" },
		{ "validUntilTime", "validUntilDate" },
	};
	json_t *p = json_object(), *refs = json_array(), *sums = json_array(), *x;
	const char *id = id_of(e), *purl = bh_json_str(e, "software_packageUrl"), *purpose = bh_json_str(e, "software_primaryPurpose");
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = 0;

	if (!p || !refs || !sums || json_array_append(pkgs, p)) {
		rc = oom(c);
		goto out;
	}
	if (id && !json_object_get(c->pkgby, id) && json_object_set(c->pkgby, id, p)) {
		rc = oom(c);
		goto out;
	}
	if ((rc = put(c, p, "SPDXID", id)))
		goto out;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if ((rc = put(c, p, same[i][1], bh_json_str(e, same[i][0]))))
			goto out;
	if (json_object_set_new(p, "filesAnalyzed", json_false())) {
		rc = oom(c);
		goto out;
	}
	if (purpose) {
		char up[64];
		upper_words(purpose, '-', up, sizeof(up));
		if ((rc = put(c, p, "primaryPackagePurpose", up)))
			goto out;
	}
	/* the package's own purl first: the reader takes the first purl reference */
	if (purl && (rc = add_ref(c, refs, "PACKAGE-MANAGER", "purl", purl)))
		goto out;
	json_array_foreach(json_object_get(e, "externalIdentifier"), i, x) {
		const char *t = bh_json_str(x, "externalIdentifierType"), *v = bh_json_str(x, "identifier");
		if (!t || !v)
			continue;
		if (!strcmp(t, "packageUrl")) {
			/* often software_packageUrl again: one reference (no search of the list: a package
			 * with many identifiers would make that quadratic) */
			if (!purl || strcmp(purl, v) != 0)
				rc = add_ref(c, refs, "PACKAGE-MANAGER", "purl", v);
		}
		else if (!strcmp(t, "cpe23"))
			rc = add_ref(c, refs, "SECURITY", "cpe23Type", v);
		else if (!strcmp(t, "cpe22"))
			rc = add_ref(c, refs, "SECURITY", "cpe22Type", v);
		if (rc)
			goto out;
	}
	json_array_foreach(json_object_get(e, "verifiedUsing"), i, x) {
		const char *alg = bh_json_str(x, "algorithm"), *v = bh_json_str(x, "hashValue");
		char up[40];
		json_t *o;
		if (!alg || !v || !is_type(x, "Hash", "/Core/Hash"))
			continue;
		upper_words(alg, '-', up, sizeof(up)); /* sha256 -> SHA256, sha3_256 -> SHA3-256 */
		if (!(o = json_object()) || json_array_append_new(sums, o) || put(c, o, "algorithm", up) || put(c, o, "checksumValue", v)) {
			rc = oom(c);
			goto out;
		}
	}
	if ((json_array_size(refs) && json_object_set(p, "externalRefs", refs)) || (json_array_size(sums) && json_object_set(p, "checksums", sums))) {
		rc = oom(c);
		goto out;
	}
	if ((rc = agent(c, json_object_get(e, "suppliedBy"), &b)) || (b.len && (rc = put(c, p, "supplier", b.data))))
		goto out;
	if ((rc = agent(c, json_array_get(json_object_get(e, "originatedBy"), 0), &b)) || (b.len && (rc = put(c, p, "originator", b.data))))
		goto out;
out:
	bh_buf_free(&b);
	json_decref(p);
	json_decref(refs);
	json_decref(sums);
	return rc;
}

/* The licence a hasDeclaredLicense/hasConcludedLicense relationship points to, as SPDX 2 text. */
static const char *license_text(struct s3 *c, json_t *ref)
{
	json_t *l = deref(c, ref);
	const char *id = l ? id_of(l) : ref_id(ref), *slash;
	if (l && is_type(l, "simplelicensing_LicenseExpression", "/SimpleLicensing/LicenseExpression"))
		return bh_json_str(l, "simplelicensing_licenseExpression");
	if (l && is_type(l, "expandedlicensing_NoAssertionLicense", "/ExpandedLicensing/NoAssertionLicense"))
		return "NOASSERTION";
	if (l && is_type(l, "expandedlicensing_NoneLicense", "/ExpandedLicensing/NoneLicense"))
		return "NONE";
	/* listed licences are named by their IRI: https://spdx.org/licenses/MIT */
	if (id && !strncmp(id, "https://spdx.org/licenses/", 26) && id[26])
		return id + 26;
	if (id && (slash = strrchr(id, '/')) && slash[1] && l && type_of(l) && strstr(type_of(l), "icense"))
		return slash + 1;
	return NULL;
}

/* A relationship element: licences into the package, anything else as SPDX 2 relationships. */
static int relationship(struct s3 *c, json_t *e, json_t *rels)
{
	const char *rt = bh_json_str(e, "relationshipType"), *from = ref_id(json_object_get(e, "from"));
	json_t *to = json_object_get(e, "to"), *pkg, *one = NULL, *x;
	size_t i;
	int rc = 0;
	if (!rt || !from)
		return 0;
	if (!json_is_array(to)) {
		/* a single target written without the list */
		if (!to || !(one = json_array()) || json_array_append(one, to)) {
			json_decref(one);
			return to ? oom(c) : 0;
		}
		to = one;
	}
	if ((!strcmp(rt, "hasDeclaredLicense") || !strcmp(rt, "hasConcludedLicense")) && (pkg = json_object_get(c->pkgby, from))) {
		bh_buf b = BH_BUF_INIT;
		json_array_foreach(to, i, x) {
			const char *l = license_text(c, x);
			if (l)
				bh_buf_printf(&b, "%s%s", b.len ? " AND " : "", l);
		}
		if (bh_buf_oom(&b))
			rc = oom(c);
		else if (b.len)
			rc = put(c, pkg, rt[3] == 'D' ? "licenseDeclared" : "licenseConcluded", b.data);
		bh_buf_free(&b);
		json_decref(one);
		return rc;
	}
	json_array_foreach(to, i, x) {
		const char *tid = ref_id(x);
		char up[64];
		json_t *o;
		if (!tid)
			continue;
		upper_words(rt, '_', up, sizeof(up));
		if (!(o = json_object()) || json_array_append_new(rels, o) ||
		    put(c, o, "spdxElementId", c->docid && !strcmp(from, json_string_value(c->docid)) ? "SPDXRef-DOCUMENT" : from) ||
		    put(c, o, "relationshipType", up) || put(c, o, "relatedSpdxElement", tid)) {
			rc = oom(c);
			break;
		}
	}
	json_decref(one);
	return rc;
}

/* spdxVersion, name, creationInfo of the SPDX 2 document, from the SpdxDocument and its CreationInfo. */
static int document(struct s3 *c, json_t *graph, json_t *out)
{
	json_t *sdoc = NULL, *ci = NULL, *e, *ci2 = json_object(), *creators = json_array(), *x;
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = 0;
	json_array_foreach(graph, i, e) {
		if (!sdoc && is_type(e, "SpdxDocument", "/Core/SpdxDocument"))
			sdoc = e;
		if (!ci && is_type(e, "CreationInfo", "/Core/CreationInfo"))
			ci = e;
	}
	if (sdoc && deref(c, json_object_get(sdoc, "creationInfo")))
		ci = deref(c, json_object_get(sdoc, "creationInfo"));
	if (!ci2 || !creators || json_object_set(ci2, "creators", creators) || json_object_set(out, "creationInfo", ci2)) {
		rc = oom(c);
		goto out;
	}
	if (put(c, out, "spdxVersion", "SPDX-2.3") || put(c, out, "dataLicense", "CC0-1.0") || put(c, out, "SPDXID", "SPDXRef-DOCUMENT") ||
	    put(c, out, "name", sdoc && bh_json_str(sdoc, "name") ? bh_json_str(sdoc, "name") : "SPDX 3 document") ||
	    put(c, out, "documentNamespace", sdoc ? id_of(sdoc) : NULL) || put(c, ci2, "created", bh_json_str(ci, "created"))) {
		rc = oom(c);
		goto out;
	}
	if (sdoc && id_of(sdoc) && !(c->docid = json_string(id_of(sdoc)))) {
		rc = oom(c);
		goto out;
	}
	if (bh_buf_printf(&b, "converted by bulkhead from SPDX %s JSON-LD", bh_json_str(ci, "specVersion") ? bh_json_str(ci, "specVersion") : "3") ||
	    put(c, ci2, "comment", b.data)) {
		rc = oom(c);
		goto out;
	}
	json_array_foreach(json_object_get(ci, "createdBy"), i, x) {
		if ((rc = agent(c, x, &b)))
			goto out;
		if (b.len && json_array_append_new(creators, json_string(b.data))) {
			rc = oom(c);
			goto out;
		}
	}
	json_array_foreach(json_object_get(ci, "createdUsing"), i, x) {
		const char *name = bh_json_str(deref(c, x), "name");
		bh_buf_reset(&b);
		if (name && (bh_buf_printf(&b, "Tool: %s", name) || json_array_append_new(creators, json_string(b.data)))) {
			rc = oom(c);
			goto out;
		}
	}
out:
	bh_buf_free(&b);
	json_decref(ci2);
	json_decref(creators);
	return rc;
}

/* True when the @context names the SPDX 3 vocabulary (a string, or one of a list). */
static bool spdx3_context(const json_t *ctx)
{
	size_t i;
	json_t *x;
	if (json_is_string(ctx))
		return strstr(json_string_value(ctx), "spdx.org/rdf/3.") != NULL;
	json_array_foreach(ctx, i, x)
		if (json_is_string(x) && strstr(json_string_value(x), "spdx.org/rdf/3."))
			return true;
	return false;
}

bool bh_spdx3_sniff(const char *data, size_t len)
{
	char head[4097];
	size_t n = len < sizeof(head) - 1 ? len : sizeof(head) - 1, i;
	memcpy(head, data, n);
	head[n] = '\0';
	/* a NUL inside the head would hide what follows from strstr */
	for (i = 0; i < n; i++)
		if (!head[i])
			head[i] = ' ';
	if (head[strspn(head, " \t\r\n")] != '{' || strstr(head, "\"spdxVersion\""))
		return false;
	return strstr(head, "spdx.org/rdf/3.") || (strstr(head, "\"@graph\"") && strstr(head, "\"spdxId\""));
}

int bh_spdx3_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err)
{
	struct s3 c;
	json_t *root = NULL, *graph, *one = NULL, *doc = NULL, *pkgs = NULL, *rels = NULL, *e;
	size_t i, npkg = 0;
	char b[96];
	int rc = 0;

	*out = NULL;
	if (len > lim->max_meta_size)
		return bh_error_set(err, BH_ELIMIT, "SPDX 3 document of %zu bytes is over the max-meta-size limit (%llu)", len,
				    (unsigned long long)lim->max_meta_size);
	memset(&c, 0, sizeof(c));
	c.lim = lim;
	c.err = err;
	if ((rc = bh_json_load(data, len, lim->max_json_depth, "SPDX 3 JSON-LD", &root, err)))
		return rc;
	if (!json_is_object(root)) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX 3 JSON-LD: the document is not a JSON object");
		goto out;
	}
	if (!spdx3_context(json_object_get(root, "@context"))) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX 3 JSON-LD: no @context naming https://spdx.org/rdf/3.x/spdx-context.jsonld");
		goto out;
	}
	graph = json_object_get(root, "@graph");
	if (!graph) {
		/* a document of one element, written without the graph */
		if (!(one = json_array()) || json_array_append(one, root)) {
			rc = oom(&c);
			goto out;
		}
		graph = one;
	} else if (!json_is_array(graph)) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX 3 JSON-LD: @graph is not a list");
		goto out;
	}
	if (!(c.byid = json_object()) || !(c.pkgby = json_object()) || !(doc = json_object()) || !(pkgs = json_array()) || !(rels = json_array())) {
		rc = oom(&c);
		goto out;
	}
	json_array_foreach(graph, i, e) {
		const char *id = id_of(e);
		if (!json_is_object(e)) {
			rc = bh_error_set(err, BH_EINVAL, "SPDX 3 JSON-LD: @graph element %zu is not an object", i + 1);
			goto out;
		}
		if (id && !json_object_get(c.byid, id) && json_object_set(c.byid, id, e)) {
			rc = oom(&c);
			goto out;
		}
		if (is_type(e, "software_Package", "/Software/Package") && lim->max_components && ++npkg > lim->max_components) {
			rc = bh_error_set(err, BH_ELIMIT, "SPDX 3 JSON-LD: software_Package \"%s\" (element %zu) is one more than %llu (max-components limit)",
					  shown(id, b, sizeof(b)), i + 1, (unsigned long long)lim->max_components);
			goto out;
		}
	}
	if ((rc = document(&c, graph, doc)))
		goto out;
	json_array_foreach(graph, i, e)
		if (is_type(e, "software_Package", "/Software/Package") && (rc = package(&c, e, pkgs)))
			goto out;
	/* relationships once every package exists: they may come first in the graph */
	json_array_foreach(graph, i, e)
		if ((is_type(e, "Relationship", "/Core/Relationship") || is_type(e, "LifecycleScopedRelationship", "/Core/LifecycleScopedRelationship")) &&
		    (rc = relationship(&c, e, rels)))
			goto out;
	if (json_object_set(doc, "packages", pkgs) || json_object_set(doc, "relationships", rels)) {
		rc = oom(&c);
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	json_decref(root);
	json_decref(one);
	json_decref(doc);
	json_decref(pkgs);
	json_decref(rels);
	json_decref(c.byid);
	json_decref(c.pkgby);
	json_decref(c.docid);
	return rc;
}
