/* npyaml.c - the network policy file: YAML (core/yaml.c, aliases refused, depth bounded) walked strictly into policies and flat allow rules, every error naming its path in the file. */
#include "runtime/npyaml.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/yaml.h"

#define MAX_DEPTH 16

struct pctx {
	const char *label;
	bh_error *err;
};

/* A value from the file for an error message: printable ASCII only, cut at 60 bytes. */
static const char *show(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (; s && *s && o + 5 < n && o < 60; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
	}
	if (s && *s && o + 4 < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o < n ? o : n - 1] = 0;
	return buf;
}

#define SHOW(v) show((v), (char[300]){ 0 }, 300)

static int fail(struct pctx *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct pctx *c, const char *path, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bh_error_set(c->err, BH_EINVAL, "%s: %s: %s", c->label, path, msg);
}

/* A path in the document for messages ("policies[1].ingress[0]"); cut when deeper than the buffer. */
static void sub(char *o, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sub(char *o, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o, n, fmt, ap);
	va_end(ap);
}

static const char *str_of(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Copies a string value into dst (n bytes) or fails naming path. */
static int get_str(struct pctx *c, const char *path, const json_t *v, char *dst, size_t n)
{
	const char *s = str_of(v);
	if (!s)
		return fail(c, path, "must be a string");
	if (!*s)
		return fail(c, path, "must not be empty");
	if (strlen(s) >= n) {
		return fail(c, path, "longer than %zu bytes: \"%s\"", n - 1, SHOW(s));
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(c, path, "has a control character: \"%s\"", SHOW(s));
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int check_keys(struct pctx *c, const char *path, const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (!allowed[i])
			return fail(c, path, "unknown key \"%s\"", SHOW(k));
	}
	return 0;
}

static int parse_mode(struct pctx *c, const char *path, const json_t *v, bh_netpol_mode *m)
{
	const char *s = str_of(v);
	if (s && !strcmp(s, "audit"))
		*m = BH_NETPOL_AUDIT;
	else if (s && !strcmp(s, "protect"))
		*m = BH_NETPOL_PROTECT;
	else if (s && !strcmp(s, "off"))
		*m = BH_NETPOL_OFF;
	else
		return fail(c, path, "mode must be audit, protect or off, not \"%s\"", s ? SHOW(s) : "(not a string)");
	return 0;
}

static int parse_allow_deny(struct pctx *c, const char *path, const json_t *v, bool *deny)
{
	const char *s = str_of(v);
	if (s && !strcmp(s, "deny"))
		*deny = true;
	else if (s && !strcmp(s, "allow"))
		*deny = false;
	else
		return fail(c, path, "must be deny or allow, not \"%s\"", s ? SHOW(s) : "(not a string)");
	return 0;
}

static int parse_sel(struct pctx *c, const char *path, const json_t *o, bh_npyaml_sel *s)
{
	static const char *const keys[] = { "image", "label", "name", "network", "namespace", NULL };
	char p[256];
	int rc;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(o) || json_object_size(o) == 0)
		return fail(c, path, "must be a map with image, label, name or network");
	if ((rc = check_keys(c, path, o, keys)))
		return rc;
	if (json_object_get(o, "network") && json_object_get(o, "namespace"))
		return fail(c, path, "network and namespace are the same selector: give one");
#define SEL(key, field)                                                                 \
	if (json_object_get(o, key)) {                                                  \
		sub(p, sizeof(p), "%s.%s", path, key);                             \
		if ((rc = get_str(c, p, json_object_get(o, key), s->field, sizeof(s->field)))) \
			return rc;                                                      \
	}
	SEL("image", image)
	SEL("label", label)
	SEL("name", name)
	SEL("network", network)
	SEL("namespace", network)
#undef SEL
	return 0;
}

/* "a.b.c.d", "a.b.c.d/n", "v6", "v6/n": bh_ctnet_cidr_parse, the one CIDR reader netpol and the
 * baselines share; a refusal whose address part is fine blames the prefix. */
static int parse_cidr(struct pctx *c, const char *path, const char *s, bh_netpol_rule *r)
{
	unsigned prefix;
	uint8_t a[16];
	char tmp[64];
	size_t n = strcspn(s, "/");

	if (!bh_ctnet_cidr_parse(s, r->addr, &prefix)) {
		r->prefix = (uint8_t)prefix;
		r->peer = BH_NETPOL_PEER_CIDR;
		return 0;
	}
	if (n < sizeof(tmp) && s[n] == '/' && s[n + 1] >= '0' && s[n + 1] <= '9' && strspn(s + n + 1, "0123456789") == strlen(s + n + 1)) {
		memcpy(tmp, s, n);
		tmp[n] = 0;
		if (!bh_ctnet_addr_parse(tmp, a))
			return fail(c, path, "\"%s\": prefix too long", SHOW(s));
	}
	return fail(c, path, "\"%s\" is not an address or CIDR", SHOW(s));
}

static int parse_peer(struct pctx *c, const char *path, const json_t *v, bh_netpol_rule *r)
{
	static const char *const keys[] = { "image", "label", "name", "network", "namespace", "cidr", NULL };
	const char *s = str_of(v);
	const char *k;
	json_t *x;
	char p[256];
	int rc;

	if (s) {
		if (!strcmp(s, "any"))
			r->peer = BH_NETPOL_PEER_ANY;
		else if (!strcmp(s, "host"))
			r->peer = BH_NETPOL_PEER_HOST;
		else if (!strcmp(s, "world"))
			r->peer = BH_NETPOL_PEER_WORLD;
		else
			return parse_cidr(c, path, s, r);
		return 0;
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return fail(c, path, "a peer is any, host, world, an address or CIDR, or a map with one of image, label, name, network, cidr");
	if ((rc = check_keys(c, path, v, keys)))
		return rc;
	json_object_foreach((json_t *)v, k, x) {
		sub(p, sizeof(p), "%s.%s", path, k);
		if (!strcmp(k, "cidr")) {
			if (!str_of(x))
				return fail(c, p, "must be a string");
			return parse_cidr(c, p, str_of(x), r);
		}
		r->peer = !strcmp(k, "image") ? BH_NETPOL_PEER_IMAGE : !strcmp(k, "label") ? BH_NETPOL_PEER_LABEL :
			  !strcmp(k, "name") ? BH_NETPOL_PEER_NAME : BH_NETPOL_PEER_NETWORK;
		return get_str(c, p, x, r->value, sizeof(r->value));
	}
	return 0;
}

static int parse_port(struct pctx *c, const char *path, const json_t *v, uint16_t *lo, uint16_t *hi)
{
	const char *s = str_of(v);
	unsigned long a, b;
	char *end;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 1 || i > 65535)
			return fail(c, path, "is not a port (1-65535)");
		*lo = *hi = (uint16_t)i;
		return 0;
	}
	if (!s)
		return fail(c, path, "a port is a number, a range N-M or any");
	if (!strcmp(s, "any")) {
		*lo = *hi = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return fail(c, path, "\"%s\" is not a port (1-65535)", SHOW(s));
	errno = 0;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		const char *s2 = end + 1;
		if (*s2 < '0' || *s2 > '9')
			return fail(c, path, "\"%s\" is not a port range", SHOW(s));
		b = strtoul(s2, &end, 10);
	}
	if (*end || errno || a < 1 || a > 65535 || b < a || b > 65535)
		return fail(c, path, "\"%s\" is not a port (1-65535) or range N-M", SHOW(s));
	if (b - a >= BH_NETPOL_MAX_RANGE) {
		return fail(c, path, "\"%s\": a range of at most %d ports", SHOW(s), BH_NETPOL_MAX_RANGE);
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int push_rule(struct pctx *c, const char *path, bh_npyaml_policy *pol, size_t *cap, const bh_netpol_rule *r)
{
	if (pol->nrules >= BH_NPYAML_MAX_RULES) {
		return fail(c, path, "more than %d rules in one policy", BH_NPYAML_MAX_RULES);
	}
	if (pol->nrules == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		bh_netpol_rule *p = realloc(pol->rules, nc * sizeof(*p));
		if (!p)
			return bh_error_set(c->err, BH_ENOMEM, "out of memory");
		pol->rules = p;
		*cap = nc;
	}
	pol->rules[pol->nrules++] = *r;
	return 0;
}

/* A list value, or a single value taken as a list of one. */
static const json_t *as_list(const json_t *v, json_t **tmp)
{
	if (json_is_array(v))
		return v;
	*tmp = json_array();
	if (*tmp)
		json_array_append((json_t *)*tmp, (json_t *)v);
	return *tmp;
}

static int parse_rules(struct pctx *c, const char *path, const json_t *list, bh_netpol_dir dir, bh_npyaml_policy *pol, size_t *cap)
{
	static const char *const in_keys[] = { "from", "ports", "proto", NULL };
	static const char *const out_keys[] = { "to", "ports", "proto", NULL };
	const char *peer_key = dir == BH_NETPOL_INGRESS ? "from" : "to";
	char p[256], pp[300];
	int rc;

	if (!json_is_array(list))
		return fail(c, path, "must be a list of rules");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *ru = json_array_get(list, i), *peers, *ports;
		json_t *tmp_peers = NULL, *tmp_ports = NULL;
		bh_netpol_rule base;
		const char *proto;

		sub(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_object(ru))
			return fail(c, p, "a rule is a map with %s, ports, proto", peer_key);
		if ((rc = check_keys(c, p, ru, dir == BH_NETPOL_INGRESS ? in_keys : out_keys)))
			return rc;
		memset(&base, 0, sizeof(base));
		base.dir = dir;
		proto = str_of(json_object_get(ru, "proto"));
		if (!json_object_get(ru, "proto") || (proto && !strcmp(proto, "tcp")))
			base.proto = 6;
		else if (proto && !strcmp(proto, "udp"))
			base.proto = 17;
		else if (proto && !strcmp(proto, "any"))
			base.proto = 0;
		else {
			sub(pp, sizeof(pp), "%s.proto", p);
			return fail(c, pp, "must be tcp, udp or any, not \"%s\"", proto ? SHOW(proto) : "(not a string)");
		}
		if (!json_object_get(ru, peer_key)) {
			return fail(c, p, "needs %s: (a peer list, or any)", peer_key);
		}
		peers = as_list(json_object_get(ru, peer_key), &tmp_peers);
		ports = json_object_get(ru, "ports") ? as_list(json_object_get(ru, "ports"), &tmp_ports) : NULL;
		rc = 0;
		if (!peers || (json_object_get(ru, "ports") && !ports))
			rc = bh_error_set(c->err, BH_ENOMEM, "out of memory");
		else if (json_array_size(peers) == 0 || json_array_size(peers) > BH_NPYAML_MAX_LIST ||
			 (ports && (json_array_size(ports) == 0 || json_array_size(ports) > BH_NPYAML_MAX_LIST))) {
			rc = fail(c, p, "%s and ports hold 1 to %d entries", peer_key, BH_NPYAML_MAX_LIST);
		}
		for (size_t j = 0; !rc && j < json_array_size(peers); j++) {
			bh_netpol_rule r = base;
			sub(pp, sizeof(pp), "%s.%s[%zu]", p, peer_key, j);
			if ((rc = parse_peer(c, pp, json_array_get(peers, j), &r)))
				break;
			if (!ports) {
				rc = push_rule(c, p, pol, cap, &r);
				continue;
			}
			for (size_t k = 0; !rc && k < json_array_size(ports); k++) {
				sub(pp, sizeof(pp), "%s.ports[%zu]", p, k);
				if (!(rc = parse_port(c, pp, json_array_get(ports, k), &r.port, &r.port_end)))
					rc = push_rule(c, p, pol, cap, &r);
			}
		}
		json_decref(tmp_peers);
		json_decref(tmp_ports);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_policy(struct pctx *c, const char *path, const json_t *o, bh_netpol_mode dmode, bh_npyaml_policy *pol)
{
	static const char *const keys[] = { "name", "match", "mode", "default", "ingress", "egress", NULL };
	const json_t *dflt = json_object_get(o, "default");
	char p[256];
	size_t cap = 0;
	int rc;

	if (!json_is_object(o))
		return fail(c, path, "a policy is a map with name, match, mode, default, ingress, egress");
	if ((rc = check_keys(c, path, o, keys)))
		return rc;
	sub(p, sizeof(p), "%s.name", path);
	if (!json_object_get(o, "name"))
		return fail(c, path, "needs a name");
	if ((rc = get_str(c, p, json_object_get(o, "name"), pol->name, sizeof(pol->name))))
		return rc;
	sub(p, sizeof(p), "%s.match", path);
	if (!json_object_get(o, "match"))
		return fail(c, path, "needs match: (image, label, name or network of the containers it applies to)");
	if ((rc = parse_sel(c, p, json_object_get(o, "match"), &pol->match)))
		return rc;
	pol->mode = dmode;
	sub(p, sizeof(p), "%s.mode", path);
	if (json_object_get(o, "mode") && (rc = parse_mode(c, p, json_object_get(o, "mode"), &pol->mode)))
		return rc;
	pol->deny_ingress = pol->deny_egress = true;
	sub(p, sizeof(p), "%s.default", path);
	if (json_is_object(dflt)) {
		static const char *const dk[] = { "ingress", "egress", NULL };
		char q[300];
		if ((rc = check_keys(c, p, dflt, dk)))
			return rc;
		sub(q, sizeof(q), "%s.ingress", p);
		if (json_object_get(dflt, "ingress") && (rc = parse_allow_deny(c, q, json_object_get(dflt, "ingress"), &pol->deny_ingress)))
			return rc;
		sub(q, sizeof(q), "%s.egress", p);
		if (json_object_get(dflt, "egress") && (rc = parse_allow_deny(c, q, json_object_get(dflt, "egress"), &pol->deny_egress)))
			return rc;
	} else if (dflt) {
		if ((rc = parse_allow_deny(c, p, dflt, &pol->deny_ingress)))
			return rc;
		pol->deny_egress = pol->deny_ingress;
	}
	sub(p, sizeof(p), "%s.ingress", path);
	if (json_object_get(o, "ingress") && (rc = parse_rules(c, p, json_object_get(o, "ingress"), BH_NETPOL_INGRESS, pol, &cap)))
		return rc;
	sub(p, sizeof(p), "%s.egress", path);
	if (json_object_get(o, "egress") && (rc = parse_rules(c, p, json_object_get(o, "egress"), BH_NETPOL_EGRESS, pol, &cap)))
		return rc;
	return 0;
}

int bh_npyaml_parse(const char *data, size_t len, const char *label, bh_npyaml_doc *doc, bh_error *err)
{
	static const char *const keys[] = { "version", "mode", "unmapped", "default_deny", "policies", NULL };
	struct pctx c = { label ? label : "policy", err };
	json_t *root = NULL;
	const json_t *pols, *dd;
	int rc;

	memset(doc, 0, sizeof(*doc));
	doc->mode = BH_NETPOL_AUDIT;
	doc->unmapped_deny = -1;
	if (len > BH_NPYAML_MAX_SIZE)
		return bh_error_set(err, BH_ELIMIT, "%s: %zu bytes, more than a policy file may have (%u)", c.label, len, BH_NPYAML_MAX_SIZE);
	if ((rc = bh_yaml_load(data, len, MAX_DEPTH, c.label, &root, err)))
		return rc;
	if (!json_is_object(root)) {
		rc = fail(&c, "(top)", "must be a map with policies, default_deny, mode, unmapped");
		goto out;
	}
	if ((rc = check_keys(&c, "(top)", root, keys)))
		goto out;
	if (json_object_get(root, "version") && (!str_of(json_object_get(root, "version")) || strcmp(str_of(json_object_get(root, "version")), "1") != 0)) {
		rc = fail(&c, "version", "only version 1 is known, not \"%s\"", SHOW(str_of(json_object_get(root, "version"))));
		goto out;
	}
	if (json_object_get(root, "mode") && (rc = parse_mode(&c, "mode", json_object_get(root, "mode"), &doc->mode)))
		goto out;
	if (json_object_get(root, "unmapped")) {
		bool deny = false;
		if ((rc = parse_allow_deny(&c, "unmapped", json_object_get(root, "unmapped"), &deny)))
			goto out;
		doc->unmapped_deny = deny;
	}
	dd = json_object_get(root, "default_deny");
	if (dd) {
		if (!json_is_array(dd) || json_array_size(dd) > BH_NPYAML_MAX_LIST) {
			rc = fail(&c, "default_deny", "must be a list of at most 256 selectors");
			goto out;
		}
		if (json_array_size(dd) && !(doc->dd = calloc(json_array_size(dd), sizeof(*doc->dd)))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < json_array_size(dd); i++) {
			char p[64];
			sub(p, sizeof(p), "default_deny[%zu]", i);
			if ((rc = parse_sel(&c, p, json_array_get(dd, i), &doc->dd[doc->ndd])))
				goto out;
			doc->ndd++;
		}
	}
	pols = json_object_get(root, "policies");
	if (pols && (!json_is_array(pols) || json_array_size(pols) > BH_NPYAML_MAX_POLICIES)) {
		rc = fail(&c, "policies", "must be a list of at most 4096 policies");
		goto out;
	}
	if (json_array_size(pols) && !(doc->pol = calloc(json_array_size(pols), sizeof(*doc->pol)))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(pols); i++) {
		char p[64];
		sub(p, sizeof(p), "policies[%zu]", i);
		rc = parse_policy(&c, p, json_array_get(pols, i), doc->mode, &doc->pol[doc->npol]);
		doc->npol++; /* counted even when it failed: its rules are freed with the document */
		if (rc)
			goto out;
		doc->nrules += doc->pol[i].nrules;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(doc->pol[j].name, doc->pol[i].name)) {
				rc = fail(&c, p, "name \"%s\" is used by an earlier policy", SHOW(doc->pol[i].name));
				goto out;
			}
	}
out:
	json_decref(root);
	return rc;
}

int bh_npyaml_load_file(const char *path, bh_npyaml_doc *doc, bh_error *err)
{
	char *buf;
	size_t n;
	int rc;

	memset(doc, 0, sizeof(*doc));
	if ((rc = bh_file_read_all(path, BH_NPYAML_MAX_SIZE, "network policy file", &buf, &n, err)))
		return rc;
	rc = bh_npyaml_parse(buf, n, path, doc, err);
	free(buf);
	return rc;
}

void bh_npyaml_free(bh_npyaml_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->npol; i++)
		free(doc->pol[i].rules);
	free(doc->pol);
	free(doc->dd);
	memset(doc, 0, sizeof(*doc));
}

bool bh_npyaml_sel_empty(const bh_npyaml_sel *s)
{
	return !s->image[0] && !s->label[0] && !s->name[0] && !s->network[0];
}

bool bh_npyaml_sel_match(const bh_npyaml_sel *s, const bh_ctnet_ct *ct)
{
	if (bh_npyaml_sel_empty(s))
		return false;
	if (s->image[0] && !bh_ctnet_image_match(ct, s->image))
		return false;
	if (s->label[0] && !bh_ctnet_label_match(ct, s->label))
		return false;
	if (s->name[0] && strcmp(s->name, ct->name) != 0 && strcmp(s->name, ct->id) != 0)
		return false;
	if (s->network[0] && !bh_ctnet_on_network(ct, s->network))
		return false;
	return true;
}
