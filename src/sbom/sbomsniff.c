/* sbomsniff.c - the format of a stored document from its content (top-level JSON keys, XML root). */
#include "sbom/sbomsniff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

#define XML_NS_CDX "http://cyclonedx.org/schema/bom/1."
#define HEAD_MAX 65536              /* XML prologue and text formats: decided within this */
#define FILE_SCAN_MAX (256u << 20)  /* a JSON object's top-level keys: looked for this far */

/* The top-level keys that decide a JSON document's format; a value is the first string after its key. */
enum { J_BOMFORMAT, J_SPECVERSION, J_SPDXVERSION, J_SPDXID, J_CONTEXT, J_SCHEMA, J_NKEYS };
static const char *const jkeys[J_NKEYS] = { "bomFormat", "specVersion", "spdxVersion", "SPDXID", "@context", "schema" };

/* A scanner of one JSON object's top level, fed piece by piece; nothing is built or kept but keys. */
struct jscan {
	unsigned depth;
	bool started, done, in_str, esc, is_key, key_next;
	int want;             /* the key whose value the next string is, -1 none */
	char str[64];
	size_t slen;
	bool found[J_NKEYS];
	char val[J_NKEYS][64];
};

static void str_end(struct jscan *j)
{
	size_t k;
	j->str[j->slen < sizeof(j->str) ? j->slen : sizeof(j->str) - 1] = '\0';
	if (j->is_key) {
		j->want = -1;
		if (j->slen >= sizeof(j->str))
			return;
		for (k = 0; k < J_NKEYS; k++)
			if (!strcmp(j->str, jkeys[k])) {
				j->found[k] = true;
				j->want = (int)k;
			}
	} else if (j->want >= 0) {
		if (!j->val[j->want][0])
			snprintf(j->val[j->want], sizeof(j->val[0]), "%s", j->str);
		j->want = -1;
	}
}

/* Enough seen: each format's deciding keys are in. */
static bool decided(const struct jscan *j)
{
	return !strncmp(j->val[J_SCHEMA], "bulkhead-sbom/", 14) || (j->val[J_BOMFORMAT][0] && j->val[J_SPECVERSION][0]) ||
	       j->val[J_SPDXVERSION][0] || j->val[J_CONTEXT][0];
}

static void jscan_feed(struct jscan *j, const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n && !j->done; i++) {
		char ch = p[i];
		if (j->in_str) {
			if (j->esc) {
				j->esc = false;
			} else if (ch == '\\') {
				j->esc = true;
			} else if (ch == '"') {
				j->in_str = false;
				str_end(j);
				continue;
			}
			if (j->slen < sizeof(j->str))
				j->str[j->slen] = ch;
			j->slen++;
			continue;
		}
		switch (ch) {
		case '"':
			j->in_str = true;
			j->esc = false;
			j->slen = 0;
			j->is_key = j->depth == 1 && j->key_next;
			j->key_next = false;
			break;
		case '{':
		case '[':
			j->depth++;
			if (j->depth == 1)
				j->key_next = true;
			break;
		case '}':
		case ']':
			if (j->depth && !--j->depth)
				j->done = true;
			break;
		case ',':
			if (j->depth == 1) {
				j->key_next = true;
				j->want = -1;
			}
			break;
		default:
			break;
		}
		if (decided(j))
			j->done = true;
	}
}

/* Copies s (up to its end, a quote or n bytes) into out as printable ASCII. */
static void copy_spec(char *out, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;
	for (i = 0; i < n && s[i] && s[i] != '"' && s[i] != '\'' && s[i] != '\n' && s[i] != '\r' && o + 1 < cap; i++)
		out[o++] = (unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e ? '?' : s[i];
	while (o && out[o - 1] == '?')
		o--;
	out[o] = '\0';
}

static void jscan_result(const struct jscan *j, bh_sbomsniff *out)
{
	const char *ctx = j->val[J_CONTEXT], *rdf;
	if (j->found[J_SCHEMA] && !strncmp(j->val[J_SCHEMA], "bulkhead-sbom/", 14)) {
		out->fmt = BH_SBOMFMT_BULKHEAD;
		copy_spec(out->spec, sizeof(out->spec), j->val[J_SCHEMA], sizeof(j->val[0]));
	} else if (j->found[J_BOMFORMAT] && !strcmp(j->val[J_BOMFORMAT], "CycloneDX")) {
		out->fmt = BH_SBOMFMT_CDX_JSON;
		copy_spec(out->spec, sizeof(out->spec), j->val[J_SPECVERSION], sizeof(j->val[0]));
	} else if (j->found[J_SPDXVERSION] || j->found[J_SPDXID]) {
		out->fmt = BH_SBOMFMT_SPDX_JSON;
		copy_spec(out->spec, sizeof(out->spec), j->val[J_SPDXVERSION], sizeof(j->val[0]));
	} else if (strstr(ctx, "spdx.org/rdf/")) {
		/* "https://spdx.org/rdf/3.0.1/spdx-context.jsonld" */
		out->fmt = BH_SBOMFMT_SPDX3_JSONLD;
		rdf = strstr(ctx, "spdx.org/rdf/") + 13;
		copy_spec(out->spec, sizeof(out->spec), rdf, strcspn(rdf, "/"));
	} else {
		out->fmt = BH_SBOMFMT_OTHER_JSON;
	}
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static const char *find(const char *p, const char *e, const char *needle)
{
	size_t n = strlen(needle);
	for (; p + n <= e; p++)
		if (!memcmp(p, needle, n))
			return p;
	return NULL;
}

/* The root element of an XML head: its namespace decides (CycloneDX 1.x, SPDX RDF, other). */
static void sniff_xml(const char *p, const char *e, bh_sbomsniff *out)
{
	const char *gt, *name, *ne, *colon, *ns;
	char attr[80];
	out->fmt = BH_SBOMFMT_OTHER_XML;
	for (;;) {
		p = skip_ws(p, e);
		if (p >= e || *p != '<')
			return;
		if (e - p >= 2 && p[1] == '?') {
			if (!(p = find(p, e, "?>")))
				return;
			p += 2;
		} else if (e - p >= 4 && !memcmp(p, "<!--", 4)) {
			if (!(p = find(p + 4, e, "-->")))
				return;
			p += 3;
		} else if (e - p >= 2 && p[1] == '!') {
			/* DOCTYPE, with an internal subset in [...] perhaps */
			const char *br = memchr(p, '[', (size_t)(e - p)), *g = memchr(p, '>', (size_t)(e - p));
			if (br && g && br < g && !(g = find(br, e, "]")))
				return;
			if (!g || !(g = memchr(g, '>', (size_t)(e - g))))
				return;
			p = g + 1;
		} else {
			break;
		}
	}
	if (!(gt = memchr(p, '>', (size_t)(e - p))))
		return;
	name = p + 1;
	for (ne = name; ne < gt && !strchr(" \t\r\n/", *ne); ne++)
		;
	colon = memchr(name, ':', (size_t)(ne - name));
	if (colon)
		snprintf(attr, sizeof(attr), "xmlns:%.*s=", (int)(colon - name < 60 ? colon - name : 60), name);
	else
		snprintf(attr, sizeof(attr), "xmlns=");
	ns = find(ne, gt, attr);
	if (ns) {
		ns = skip_ws(ns + strlen(attr), gt);
		if (ns < gt && (*ns == '"' || *ns == '\''))
			ns++;
	}
	{
		const char *local = colon ? colon + 1 : name;
		size_t ll = (size_t)(ne - local);
		if (ns && ll == 3 && !memcmp(local, "bom", 3) && gt - ns > (long)sizeof(XML_NS_CDX) - 1 &&
		    !memcmp(ns, XML_NS_CDX, sizeof(XML_NS_CDX) - 1)) {
			out->fmt = BH_SBOMFMT_CDX_XML;
			copy_spec(out->spec, sizeof(out->spec), ns + sizeof(XML_NS_CDX) - 3, (size_t)(gt - ns) - (sizeof(XML_NS_CDX) - 3));
		} else if (ll == 3 && !memcmp(local, "RDF", 3) && find(ne, gt, "spdx.org/rdf/terms")) {
			out->fmt = BH_SBOMFMT_SPDX_RDF;
		}
	}
}

/* SPDX tag-value ("SPDXVersion: SPDX-2.3" first) and YAML ("spdxVersion:" at the left margin). */
static void sniff_text(const char *p, const char *e, bh_sbomsniff *out)
{
	bool first = true;
	out->fmt = BH_SBOMFMT_NONE;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *le = nl ? nl : e, *v;
		size_t n = (size_t)(le - p);
		bool blank = skip_ws(p, le) == le;
		if (!blank && *p != '#' && !(n >= 3 && !memcmp(p, "---", 3))) {
			if (first && n >= 12 && !memcmp(p, "SPDXVersion:", 12)) {
				out->fmt = BH_SBOMFMT_SPDX_TV;
				v = skip_ws(p + 12, le);
				copy_spec(out->spec, sizeof(out->spec), v, (size_t)(le - v));
				return;
			}
			first = false;
			if ((n >= 12 && !memcmp(p, "spdxVersion:", 12)) || (n >= 14 && !memcmp(p, "\"spdxVersion\":", 14))) {
				out->fmt = BH_SBOMFMT_SPDX_YAML;
				v = skip_ws(p + (p[0] == '"' ? 14 : 12), le);
				if (v < le && (*v == '"' || *v == '\''))
					v++;
				copy_spec(out->spec, sizeof(out->spec), v, (size_t)(le - v));
				return;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Decides from the head (BOM and white space skipped); NONE with *json set when a JSON object needs the scanner. */
static void sniff_head(const char *data, size_t len, bh_sbomsniff *out, bool *json)
{
	const char *p = data, *e = data + (len > HEAD_MAX ? HEAD_MAX : len);
	*json = false;
	memset(out, 0, sizeof(*out));
	if (e - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	p = skip_ws(p, e);
	if (p >= e)
		return;
	/* JSON, XML and SPDX text hold no NUL; a tar header (whose first name may start with '{' or
	 * '<') and any binary do, so they stay NONE and go on to be probed as archives */
	if (memchr(data, 0, (size_t)(e - data)))
		return;
	if (*p == '{')
		*json = true;
	else if (*p == '[')
		out->fmt = BH_SBOMFMT_OTHER_JSON;
	else if (*p == '<')
		sniff_xml(p, e, out);
	else
		sniff_text(p, e, out);
}

void bh_sbomsniff_buf(const char *data, size_t len, bh_sbomsniff *out)
{
	struct jscan j;
	bool json;
	sniff_head(data, len, out, &json);
	if (!json)
		return;
	memset(&j, 0, sizeof(j));
	j.want = -1;
	jscan_feed(&j, data, len);
	jscan_result(&j, out);
}

int bh_sbomsniff_file(const char *path, bh_sbomsniff *out, bh_error *err)
{
	struct jscan j;
	uint64_t total;
	ssize_t n;
	bool json;
	int fd, rc;
	char *local;

	memset(out, 0, sizeof(*out));
	if (!(local = malloc(HEAD_MAX)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = bh_file_open_regular(path, &fd, err))) {
		free(local);
		return rc;
	}
	n = read(fd, local, HEAD_MAX);
	if (n < 0) {
		close(fd);
		free(local);
		return bh_error_set(err, BH_EIO, "%s: cannot read", path);
	}
	sniff_head(local, (size_t)n, out, &json);
	if (json) {
		memset(&j, 0, sizeof(j));
		j.want = -1;
		total = 0;
		do {
			jscan_feed(&j, local, (size_t)n);
			total += (uint64_t)n;
		} while (!j.done && total < FILE_SCAN_MAX && (n = read(fd, local, HEAD_MAX)) > 0);
		jscan_result(&j, out);
	}
	close(fd);
	free(local);
	return 0;
}

bool bh_sbomsniff_is_sbom(const bh_sbomsniff *s)
{
	return s->fmt != BH_SBOMFMT_NONE && s->fmt != BH_SBOMFMT_OTHER_JSON && s->fmt != BH_SBOMFMT_OTHER_XML;
}

const char *bh_sbomsniff_describe(const bh_sbomsniff *s, char *out, size_t n)
{
	const char *spec = s->spec[0] ? s->spec : "unknown";
	const char *v = !strncmp(s->spec, "SPDX-", 5) ? s->spec + 5 : s->spec; /* "SPDX-2.3" -> "2.3" */
	switch (s->fmt) {
	case BH_SBOMFMT_BULKHEAD:
		snprintf(out, n, "a bulkhead SBOM (%s)", spec);
		break;
	case BH_SBOMFMT_CDX_JSON:
		snprintf(out, n, "a CycloneDX JSON document of spec %s", spec);
		break;
	case BH_SBOMFMT_CDX_XML:
		snprintf(out, n, "a CycloneDX XML document of spec %s", spec);
		break;
	case BH_SBOMFMT_SPDX_JSON:
		snprintf(out, n, "an SPDX %s%sJSON document", v, *v ? " " : "");
		break;
	case BH_SBOMFMT_SPDX_TV:
		snprintf(out, n, "an SPDX %s%stag-value document", v, *v ? " " : "");
		break;
	case BH_SBOMFMT_SPDX_YAML:
		snprintf(out, n, "an SPDX %s%sYAML document", v, *v ? " " : "");
		break;
	case BH_SBOMFMT_SPDX3_JSONLD:
		snprintf(out, n, "an SPDX %s%sJSON-LD document", v, *v ? " " : "");
		break;
	case BH_SBOMFMT_SPDX_RDF:
		snprintf(out, n, "an SPDX RDF/XML document");
		break;
	case BH_SBOMFMT_OTHER_JSON:
		snprintf(out, n, "a JSON document that is no SBOM format bulkhead reads");
		break;
	case BH_SBOMFMT_OTHER_XML:
		snprintf(out, n, "an XML document that is no SBOM format bulkhead reads");
		break;
	default:
		snprintf(out, n, "not an SBOM document (neither JSON, XML nor SPDX tag-value)");
		break;
	}
	return out;
}
