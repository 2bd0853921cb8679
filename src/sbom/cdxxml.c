/* cdxxml.c - CycloneDX XML to the CycloneDX JSON shape (expat, one pass, no DTD). */
#include "sbom/cdxxml.h"

#include <expat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define NS_PREFIX "http://cyclonedx.org/schema/bom/1."
#define NS_SEP '\n' /* cannot occur in a namespace URI, so "URI\nlocal" splits without doubt */
#define TEXT_MAX (1u << 20)
#define CHUNK (1u << 20)

/* What an open element becomes in the JSON tree. */
enum kind {
	K_SKIP,       /* not read (hashes, pedigree, services, other namespaces): children skipped too */
	K_BOM,
	K_METADATA,
	K_COMPONENTS, /* array of components */
	K_COMPONENT,
	K_LICENSES,
	K_LICENSE,
	K_PROPERTIES,
	K_PROPERTY,   /* its text is the value */
	K_TEXT,       /* its text is member `key` of obj */
	K_DEPENDENCIES,
	K_DEPENDENCY,
	K_DEPREF      /* a dependency nested in a dependency: only its ref counts */
};

struct frame {
	enum kind kind;
	json_t *obj;     /* borrowed: the object or array this element fills */
	const char *key; /* K_TEXT, K_PROPERTY: the member the text becomes */
};

struct ctx {
	XML_Parser p;
	const bh_limits *lim;
	const char *label;
	bh_error *err;
	int rc;
	json_t *doc;
	char ns[64];         /* the root's namespace: every element read must be in it */
	struct frame *stack;
	unsigned depth, max_depth;
	uint64_t ncomps;
	bh_buf text;
	bool text_on;
};

static void fail(struct ctx *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct ctx *c, int rc, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	if (c->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->rc = bh_error_set(c->err, rc, "%s: line %lu: %s", c->label, (unsigned long)XML_GetCurrentLineNumber(c->p), msg);
	if (!c->rc)
		c->rc = rc; /* err may be NULL: keep the code */
	XML_StopParser(c->p, XML_FALSE);
}

/* The attribute named n (no namespace) of atts, or NULL. */
static const char *attr(const XML_Char **atts, const char *n)
{
	size_t i;
	for (i = 0; atts[i]; i += 2)
		if (!strcmp(atts[i], n))
			return atts[i + 1];
	return NULL;
}

static bool put(json_t *o, const char *k, json_t *v)
{
	return v && !json_object_set_new(o, k, v);
}

/* Copies the attribute n of atts as member k of o; false when out of memory. */
static bool copy_attr(json_t *o, const char *k, const XML_Char **atts, const char *n)
{
	const char *v = attr(atts, n);
	return !v || put(o, k, json_string(v));
}

/* A new object or array appended to the array arr (or set as member key of an object). */
static json_t *child(json_t *parent, const char *key, json_t *v)
{
	if (!v)
		return NULL;
	if (json_is_array(parent)) {
		if (json_array_append_new(parent, v))
			return NULL;
	} else if (json_object_set_new(parent, key, v)) {
		return NULL;
	}
	return v;
}

static const char *const component_text[] = { "name", "group", "version", "purl", "cpe", "scope", "publisher", "author" };

static void start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct ctx *c = ud;
	const char *sep = strchr(name, NS_SEP), *local = sep ? sep + 1 : name;
	struct frame *up = c->depth ? &c->stack[c->depth - 1] : NULL, *f;
	size_t i;

	if (c->rc)
		return;
	if (c->depth >= c->max_depth) {
		fail(c, BH_ELIMIT, "elements nest deeper than %u (max-json-depth limit)", c->max_depth);
		return;
	}
	f = &c->stack[c->depth++];
	f->kind = K_SKIP;
	f->obj = NULL;
	f->key = NULL;
	if (!up) {
		/* the root: <bom xmlns="http://cyclonedx.org/schema/bom/1.N"> */
		if (!sep || strcmp(local, "bom") != 0 || strncmp(name, NS_PREFIX, sizeof(NS_PREFIX) - 1) != 0 ||
		    (size_t)(sep - name) >= sizeof(c->ns)) {
			fail(c, BH_EINVAL, "the root element is not a CycloneDX <bom> (%.120s)", name);
			return;
		}
		memcpy(c->ns, name, (size_t)(sep - name));
		c->ns[sep - name] = '\0';
		f->kind = K_BOM;
		f->obj = c->doc;
		if (!put(c->doc, "bomFormat", json_string("CycloneDX")) ||
		    !put(c->doc, "specVersion", json_string(c->ns + sizeof(NS_PREFIX) - 3)) ||
		    !copy_attr(c->doc, "serialNumber", atts, "serialNumber") ||
		    (attr(atts, "version") && !put(c->doc, "version", json_integer(strtol(attr(atts, "version"), NULL, 10)))))
			fail(c, BH_ENOMEM, "out of memory");
		return;
	}
	/* elements of another namespace (extensions) and everything inside a skipped one are left out */
	if (up->kind == K_SKIP || up->kind == K_TEXT || up->kind == K_PROPERTY || up->kind == K_DEPREF || !sep ||
	    (size_t)(sep - name) != strlen(c->ns) || strncmp(name, c->ns, (size_t)(sep - name)) != 0)
		return;
	switch (up->kind) {
	case K_BOM:
		if (!strcmp(local, "metadata")) {
			f->kind = K_METADATA;
			f->obj = child(up->obj, local, json_object());
		} else if (!strcmp(local, "components")) {
			f->kind = K_COMPONENTS;
			f->obj = child(up->obj, local, json_array());
		} else if (!strcmp(local, "dependencies")) {
			f->kind = K_DEPENDENCIES;
			f->obj = child(up->obj, local, json_array());
		} else if (!strcmp(local, "properties")) {
			f->kind = K_PROPERTIES;
			f->obj = child(up->obj, local, json_array());
		}
		break;
	case K_METADATA:
		if (!strcmp(local, "component")) {
			f->kind = K_COMPONENT;
			f->obj = child(up->obj, local, json_object());
		} else if (!strcmp(local, "properties")) {
			f->kind = K_PROPERTIES;
			f->obj = child(up->obj, local, json_array());
		}
		break;
	case K_COMPONENTS:
		if (!strcmp(local, "component")) {
			f->kind = K_COMPONENT;
			f->obj = child(up->obj, NULL, json_object());
		}
		break;
	case K_COMPONENT:
		if (!strcmp(local, "components")) {
			f->kind = K_COMPONENTS;
			f->obj = child(up->obj, local, json_array());
		} else if (!strcmp(local, "licenses")) {
			f->kind = K_LICENSES;
			f->obj = child(up->obj, local, json_array());
		} else if (!strcmp(local, "properties")) {
			f->kind = K_PROPERTIES;
			f->obj = child(up->obj, local, json_array());
		} else {
			for (i = 0; i < sizeof(component_text) / sizeof(component_text[0]); i++)
				if (!strcmp(local, component_text[i])) {
					f->kind = K_TEXT;
					f->obj = up->obj;
					f->key = component_text[i];
				}
		}
		break;
	case K_LICENSES:
		if (!strcmp(local, "license")) {
			json_t *l = child(up->obj, NULL, json_object());
			f->kind = K_LICENSE;
			f->obj = l ? child(l, "license", json_object()) : NULL;
		} else if (!strcmp(local, "expression")) {
			f->kind = K_TEXT;
			f->obj = child(up->obj, NULL, json_object());
			f->key = "expression";
		}
		break;
	case K_LICENSE:
		if (!strcmp(local, "id") || !strcmp(local, "name")) {
			f->kind = K_TEXT;
			f->obj = up->obj;
			f->key = !strcmp(local, "id") ? "id" : "name";
		}
		break;
	case K_PROPERTIES:
		if (!strcmp(local, "property")) {
			f->kind = K_PROPERTY;
			f->obj = child(up->obj, NULL, json_object());
			f->key = "value";
			if (f->obj && !copy_attr(f->obj, "name", atts, "name"))
				f->obj = NULL;
		}
		break;
	case K_DEPENDENCIES:
		if (!strcmp(local, "dependency")) {
			f->kind = K_DEPENDENCY;
			f->obj = child(up->obj, NULL, json_object());
			if (f->obj && (!copy_attr(f->obj, "ref", atts, "ref") || !child(f->obj, "dependsOn", json_array())))
				f->obj = NULL;
		}
		break;
	case K_DEPENDENCY:
		if (!strcmp(local, "dependency")) {
			f->kind = K_DEPREF;
			f->obj = up->obj;
			if (attr(atts, "ref") && json_array_append_new(json_object_get(up->obj, "dependsOn"), json_string(attr(atts, "ref"))))
				f->obj = NULL;
		}
		break;
	default:
		break;
	}
	if (f->kind == K_SKIP)
		return;
	if (!f->obj) {
		fail(c, BH_ENOMEM, "out of memory");
		return;
	}
	if (f->kind == K_COMPONENT) {
		/* the reader counts what it keeps; this bounds the tree built before it runs */
		if (c->lim->max_components && ++c->ncomps > c->lim->max_components) {
			fail(c, BH_ELIMIT, "more than %llu components in the document (max-components limit)",
			     (unsigned long long)c->lim->max_components);
			return;
		}
		if (!copy_attr(f->obj, "type", atts, "type") || !copy_attr(f->obj, "bom-ref", atts, "bom-ref"))
			fail(c, BH_ENOMEM, "out of memory");
	}
	if (f->kind == K_TEXT || f->kind == K_PROPERTY) {
		bh_buf_reset(&c->text);
		c->text_on = true;
	}
}

static void end(void *ud, const XML_Char *name)
{
	struct ctx *c = ud;
	struct frame *f;
	(void)name;
	if (c->rc || !c->depth)
		return;
	f = &c->stack[--c->depth];
	if ((f->kind == K_TEXT || f->kind == K_PROPERTY) && c->text_on) {
		const char *t = c->text.data ? c->text.data : "";
		size_t a = strspn(t, " \t\r\n"), n = c->text.len > a ? c->text.len - a : 0;
		/* pretty-printed XML puts line breaks around values; no purl or name has them at its ends */
		while (n && strchr(" \t\r\n", t[a + n - 1]))
			n--;
		c->text_on = false;
		if (!put(f->obj, f->key, json_stringn(t + a, n)))
			fail(c, BH_EINVAL, "text that is not valid UTF-8 in <%.60s>", f->key);
	}
}

static void chars(void *ud, const XML_Char *s, int n)
{
	struct ctx *c = ud;
	if (c->rc || !c->text_on || n <= 0)
		return;
	if (c->text.len + (size_t)n > TEXT_MAX) {
		fail(c, BH_ELIMIT, "more than 1 MiB of text in one element");
		return;
	}
	if (bh_buf_append(&c->text, s, (size_t)n))
		fail(c, BH_ENOMEM, "out of memory");
}

/* CycloneDX has no DTD: any DOCTYPE is refused before an entity could be declared or expanded. */
static void doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	fail(ud, BH_EINVAL, "a DOCTYPE declaration (%.60s); CycloneDX has none and entities are not expanded", name);
}

static void entity_decl(void *ud, const XML_Char *name, int pe, const XML_Char *value, int vlen, const XML_Char *base,
			const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)pe;
	(void)value;
	(void)vlen;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	fail(ud, BH_EINVAL, "an entity declaration (%.60s); entities are not expanded", name);
}

/* Never fetches: an external entity reference is an error (expat calls this only for those). */
static int external_entity(XML_Parser p, const XML_Char *context, const XML_Char *base, const XML_Char *sysid,
			   const XML_Char *pubid)
{
	(void)p;
	(void)context;
	(void)base;
	(void)sysid;
	(void)pubid;
	return XML_STATUS_ERROR;
}

int bh_cdxxml_to_json(const char *data, size_t len, const bh_limits *lim, const char *label, json_t **out, bh_error *err)
{
	struct ctx c;
	size_t off = 0;
	int rc = 0;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.lim = lim;
	c.label = label;
	c.err = err;
	c.max_depth = lim->max_json_depth ? lim->max_json_depth : 64;
	c.doc = json_object();
	c.stack = calloc(c.max_depth, sizeof(*c.stack));
	c.p = XML_ParserCreateNS("UTF-8", NS_SEP);
	if (!c.doc || !c.stack || !c.p) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, start, end);
	XML_SetCharacterDataHandler(c.p, chars);
	XML_SetStartDoctypeDeclHandler(c.p, doctype);
	XML_SetEntityDeclHandler(c.p, entity_decl);
	XML_SetExternalEntityRefHandler(c.p, external_entity);
#ifdef XML_DTD
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
	/* a second fence behind the DOCTYPE refusal: expat's own billion-laughs bound */
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(c.p, 10.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(c.p, 1u << 20);
#endif
#endif
	do {
		size_t n = len - off > CHUNK ? CHUNK : len - off;
		bool last = off + n == len;
		if (XML_Parse(c.p, data + off, (int)n, last) == XML_STATUS_ERROR) {
			if (c.rc) {
				rc = c.rc;
			} else {
				rc = bh_error_set(err, BH_EINVAL, "%s: line %lu: not well-formed XML: %s", label,
						  (unsigned long)XML_GetCurrentLineNumber(c.p), XML_ErrorString(XML_GetErrorCode(c.p)));
				if (!rc)
					rc = BH_EINVAL;
			}
			goto out;
		}
		off += n;
	} while (off < len);
	if (c.rc) {
		rc = c.rc;
		goto out;
	}
	if (!json_object_get(c.doc, "bomFormat")) {
		rc = bh_error_set(err, BH_EINVAL, "%s: no CycloneDX <bom> element", label);
		goto out;
	}
	*out = c.doc;
	c.doc = NULL;
out:
	if (c.p)
		XML_ParserFree(c.p);
	free(c.stack);
	bh_buf_free(&c.text);
	json_decref(c.doc);
	return rc;
}
