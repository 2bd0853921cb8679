/* import.c - recognises advisory documents and stores them: OSV (JSON/YAML), Debian tracker JSON,
 * DSA/DLA lists, Alpine secdb, RustSec, CISA KEV, EPSS. */
#include "vuln/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "vuln/cvss.h"
#include "core/yaml.h"

#define MAX_DETAILS (64 * 1024)

/* Text from a document for a warning: control bytes and bytes past ASCII as \xNN, bounded. */
static const char *printable(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (; s && *s && o + 5 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (s && *s && o + 4 < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* A document left out: counted, and named with the reason while fewer than the bound were. */
static void skip_doc(bh_import_stats *st, const char *name, const char *reason)
{
	char nb[1200], rb[700];
	st->skipped++;
	if (st->skipped <= BH_IMPORT_NAMED_SKIPS)
		bh_log_warn("import: %s skipped: %s", printable(name, nb, sizeof(nb)), printable(reason, rb, sizeof(rb)));
}

/* OSV ecosystem -> (purl type, distro). "Debian:12" -> deb, "debian:12". */
static void map_ecosystem(const char *eco, char *type, size_t tn, char *distro, size_t dn)
{
	static const struct { const char *osv, *type, *distro; } t[] = {
		{ "Go", "golang", NULL }, { "PyPI", "pypi", NULL }, { "npm", "npm", NULL }, { "crates.io", "cargo", NULL },
		{ "Maven", "maven", NULL }, { "RubyGems", "gem", NULL }, { "Packagist", "composer", NULL },
		{ "NuGet", "nuget", NULL }, { "Debian", "deb", "debian" }, { "Ubuntu", "deb", "ubuntu" },
		{ "Alpine", "apk", "alpine" }, { "Rocky Linux", "rpm", "rocky" }, { "AlmaLinux", "rpm", "almalinux" },
		{ "Red Hat", "rpm", "rhel" }, { "SUSE", "rpm", "sles" }, { "openSUSE", "rpm", "opensuse" },
	};
	const char *colon = strchr(eco, ':');
	size_t n = colon ? (size_t)(colon - eco) : strlen(eco), i;
	distro[0] = '\0';
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strlen(t[i].osv) == n && !strncmp(eco, t[i].osv, n)) {
			snprintf(type, tn, "%s", t[i].type);
			if (t[i].distro && colon) {
				/* "Alpine:v3.18" -> "alpine:3.18"; "Ubuntu:22.04:LTS" -> "ubuntu:22.04" */
				const char *v = colon + 1;
				size_t vn;
				if (*v == 'v')
					v++;
				vn = strcspn(v, ":");
				snprintf(distro, dn, "%s:%.*s", t[i].distro, (int)vn, v);
			}
			return;
		}
	}
	for (i = 0; i < n && i + 1 < tn; i++)
		type[i] = (char)tolower((unsigned char)eco[i]);
	type[i] = '\0';
}

/* PEP 503 for PyPI names; others as written. */
static void norm_name(const char *type, const char *name, char *out, size_t n)
{
	size_t i, o = 0;
	if (strcmp(type, "pypi") != 0) {
		snprintf(out, n, "%s", name);
		return;
	}
	for (i = 0; name[i] && o + 1 < n; i++) {
		char ch = name[i];
		if (ch == '_' || ch == '.' || ch == '-') {
			if (o && out[o - 1] == '-')
				continue;
			ch = '-';
		}
		out[o++] = (char)tolower((unsigned char)ch);
	}
	out[o] = '\0';
}

static int put_adv(bh_vulndb *db, bh_advisory *a, json_t *aliases, bh_import_stats *st, bh_error *err)
{
	const char *al[64];
	size_t i, n = 0;
	char *details = NULL;
	int rc;
	for (i = 0; i < json_array_size(aliases) && n < 64; i++)
		if (json_is_string(json_array_get(aliases, i)))
			al[n++] = json_string_value(json_array_get(aliases, i));
	a->aliases = al;
	a->naliases = n;
	if (a->details && strlen(a->details) > MAX_DETAILS) {
		details = bh_strndup(a->details, MAX_DETAILS);
		a->details = details;
	}
	rc = bh_vulndb_put_advisory(db, a, err);
	a->aliases = NULL; /* al lives on this stack frame */
	a->naliases = 0;
	free(details);
	if (!rc)
		st->advisories++;
	return rc;
}

static int import_osv(bh_vulndb *db, json_t *doc, bh_import_stats *st, bh_error *err)
{
	bh_advisory a;
	json_t *aff = json_object_get(doc, "affected"), *sev = json_object_get(doc, "severity"), *refs;
	const char *vector = NULL;
	char sevbuf[16] = "";
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	a.id = bh_json_str(doc, "id");
	if (!a.id)
		return bh_error_set(err, BH_EINVAL, "OSV document without id");
	a.source = "osv";
	a.summary = bh_json_str(doc, "summary");
	a.details = bh_json_str(doc, "details");
	a.published = bh_json_str(doc, "published");
	a.modified = bh_json_str(doc, "modified");
	a.withdrawn = bh_json_str(doc, "withdrawn");
	for (i = 0; i < json_array_size(sev); i++) {
		const char *type = bh_json_str(json_array_get(sev, i), "type");
		if (type && !strncmp(type, "CVSS_V3", 7))
			vector = bh_json_str(json_array_get(sev, i), "score");
	}
	if (vector) {
		double sc = bh_cvss3_score(vector);
		a.cvss_vector = vector;
		a.cvss_score = sc > 0 ? sc : 0;
		if (sc > 0)
			snprintf(sevbuf, sizeof(sevbuf), "%s", bh_cvss_severity(sc));
	}
	{
		/* GHSA-style database_specific.severity wins over a computed band */
		const char *ds = bh_json_str(json_object_get(doc, "database_specific"), "severity");
		if (ds)
			snprintf(sevbuf, sizeof(sevbuf), "%s", !strcasecmp(ds, "moderate") ? "MEDIUM" : ds);
	}
	a.severity = sevbuf[0] ? sevbuf : NULL;
	{
		/* a copy older than the stored one (an old mirror, feeds imported out of order) is ignored */
		bool newer;
		if ((rc = bh_vulndb_stored_is_newer(db, a.source, a.id, a.modified, &newer, err)))
			return rc;
		if (newer) {
			st->kept++;
			return 0;
		}
		if ((rc = bh_vulndb_forget_advisory(db, a.source, a.id, NULL, err)))
			return rc;
	}
	a.url = bh_json_str(json_object_get(doc, "database_specific"), "url");
	refs = json_object_get(doc, "references");
	for (i = 0; !a.url && i < json_array_size(refs); i++) {
		const char *t = bh_json_str(json_array_get(refs, i), "type");
		if (t && (!strcmp(t, "ADVISORY") || !strcmp(t, "WEB")))
			a.url = bh_json_str(json_array_get(refs, i), "url");
	}
	if ((rc = put_adv(db, &a, json_object_get(doc, "aliases"), st, err)))
		return rc;
	for (i = 0; i < json_array_size(aff); i++) {
		json_t *x = json_array_get(aff, i), *pkg = json_object_get(x, "package"), *ranges = json_object_get(x, "ranges");
		json_t *keep = json_array(), *versions = json_object_get(x, "versions");
		const char *eco = bh_json_str(pkg, "ecosystem"), *name = bh_json_str(pkg, "name"), *fixed = NULL;
		char type[32], distro[64], pname[512];
		char *rj = NULL, *vj = NULL;
		bh_affected row;
		size_t k, e;
		if (!eco || !name) {
			json_decref(keep);
			continue;
		}
		map_ecosystem(eco, type, sizeof(type), distro, sizeof(distro));
		norm_name(type, name, pname, sizeof(pname));
		for (k = 0; k < json_array_size(ranges); k++) {
			json_t *r = json_array_get(ranges, k);
			const char *rt = bh_json_str(r, "type");
			json_t *evs = json_object_get(r, "events");
			if (rt && !strcmp(rt, "GIT"))
				continue;
			json_array_append(keep, r);
			for (e = 0; !fixed && e < json_array_size(evs); e++)
				fixed = bh_json_str(json_array_get(evs, e), "fixed");
		}
		if (json_array_size(keep))
			rj = json_dumps(keep, JSON_COMPACT);
		if (json_array_size(versions))
			vj = json_dumps(versions, JSON_COMPACT);
		json_decref(keep);
		if (!rj && !vj)
			continue;
		memset(&row, 0, sizeof(row));
		row.advisory_id = a.id;
		row.ecosystem = type;
		row.package = pname;
		row.distro = distro[0] ? distro : NULL;
		row.ranges = rj;
		row.versions = vj;
		row.status = fixed ? "fixed" : "affected";
		row.fixed_version = fixed;
		rc = bh_vulndb_put_affected(db, &row, err);
		free(rj);
		free(vj);
		if (rc)
			return rc;
		st->affected++;
	}
	return 0;
}

static const char *debian_release_number(const char *codename)
{
	static const char *const t[][2] = {
		{ "wheezy", "7" }, { "jessie", "8" }, { "stretch", "9" }, { "buster", "10" }, { "bullseye", "11" },
		{ "bookworm", "12" }, { "trixie", "13" }, { "forky", "14" }, { "sid", "sid" }, { "woody", "3.0" },
		{ "sarge", "3.1" }, { "etch", "4" }, { "lenny", "5" }, { "squeeze", "6" },
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(codename, t[i][0]))
			return t[i][1];
	return NULL;
}

/* security-tracker.debian.org/tracker/data/json: {srcpkg: {CVE: {description, releases: {...}}}} */
static int import_debian_json(bh_vulndb *db, json_t *doc, bh_import_stats *st, bh_error *err)
{
	const char *src, *cve;
	json_t *cves, *c;
	int rc;
	json_object_foreach(doc, src, cves) {
		json_object_foreach(cves, cve, c) {
			const char *rel;
			json_t *r;
			char url[256];
			bh_advisory a;
			if (!json_is_object(c))
				continue;
			memset(&a, 0, sizeof(a));
			snprintf(url, sizeof(url), "https://security-tracker.debian.org/tracker/%s", cve);
			a.id = cve;
			a.source = "debian";
			a.summary = bh_json_str(c, "description");
			a.url = url;
			/* one CVE is listed under each source package it touches: replace this package's rows only */
			if ((rc = bh_vulndb_forget_advisory(db, a.source, cve, src, err)) || (rc = put_adv(db, &a, NULL, st, err)))
				return rc;
			json_object_foreach(json_object_get(c, "releases"), rel, r) {
				const char *status = bh_json_str(r, "status"), *fixed = bh_json_str(r, "fixed_version");
				const char *urg = bh_json_str(r, "urgency"), *num = debian_release_number(rel), *st_out;
				char distro[32];
				bh_affected row;
				if (!num || !status)
					continue;
				snprintf(distro, sizeof(distro), "debian:%s", num);
				if (!strcmp(status, "resolved"))
					st_out = fixed && !strcmp(fixed, "0") ? "not_affected" : "fixed";
				else
					st_out = "affected";
				if (urg && !strncmp(urg, "end-of-life", 11))
					st_out = "end_of_life";
				else if (!strcmp(st_out, "affected") && json_object_get(r, "nodsa"))
					st_out = "will_not_fix";
				memset(&row, 0, sizeof(row));
				row.advisory_id = cve;
				row.ecosystem = "deb";
				row.package = src;
				row.distro = distro;
				row.status = st_out;
				row.fixed_version = !strcmp(st_out, "fixed") ? fixed : NULL;
				row.severity = urg;
				if ((rc = bh_vulndb_put_affected(db, &row, err)))
					return rc;
				st->affected++;
			}
		}
	}
	return 0;
}

/* n decimal digits (at least min, at most max) at *p, moving *p past them. */
static bool span_digits(const char **p, const char *end, size_t min, size_t max)
{
	size_t n = 0;
	while (*p + n < end && isdigit((unsigned char)(*p)[n]))
		n++;
	if (n < min || n > max)
		return false;
	*p += n;
	return true;
}

static bool lit(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(end - *p) < n || strncmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}

/*
 * Whether a whole word of a secfixes entry is an advisory id. The forms are those of the Alpine
 * data (v3.3-v3.11: CVE-YYYY-N, XSA-N, TALOS-YYYY-NNNN, wnpa-sec-YYYY-NN, ZBX-N) and GHSA ids;
 * near misses ("CVE_2019-2426", "CVE-2017-17434-1", "CVE-2019-19451.patch", "CVE-????-?????")
 * are not ids: guessing what was meant could invent a finding.
 */
static bool is_advisory_id(const char *t, size_t n)
{
	const char *p = t, *end = t + n;
	if (lit(&p, end, "CVE-"))
		return span_digits(&p, end, 4, 4) && lit(&p, end, "-") && span_digits(&p, end, 4, 12) && p == end;
	if (lit(&p, end, "TALOS-"))
		return span_digits(&p, end, 4, 4) && lit(&p, end, "-") && span_digits(&p, end, 1, 12) && p == end;
	if (lit(&p, end, "wnpa-sec-"))
		return span_digits(&p, end, 4, 4) && lit(&p, end, "-") && span_digits(&p, end, 1, 12) && p == end;
	if (lit(&p, end, "XSA-") || lit(&p, end, "ZBX-"))
		return span_digits(&p, end, 1, 12) && p == end;
	if (lit(&p, end, "GHSA-")) {
		int g, k;
		for (g = 0; g < 3; g++) {
			if (g && !lit(&p, end, "-"))
				return false;
			for (k = 0; k < 4; k++, p++)
				if (p >= end || !(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z')))
					return false;
		}
		return p == end;
	}
	return false;
}

/*
 * Alpine secdb: {distroversion: "v3.11", packages: [{pkg: {name, secfixes: {"1.2-r0": ["CVE-…"]}}}]}
 * Each entry is a line of free text in APKBUILD comments: its advisory ids are one advisory (the
 * first CVE, else the first id; the others its aliases: "CVE-2016-6258 XSA-182"); other words are
 * dropped ("CVE-2018-14881 (BGP)") and an entry without any id is skipped ("CVE 2018-16859"),
 * both counted and shown once with an example. Version "0": the release was never affected.
 */
static int import_secdb(bh_vulndb *db, const char *docname, json_t *doc, bh_import_stats *st, bh_error *err)
{
	const char *dv = bh_json_str(doc, "distroversion");
	json_t *pkgs = json_object_get(doc, "packages");
	char distro[32], nb[600], eb[600], pb[200], vb[200];
	size_t i;
	int rc;
	if (!dv)
		return bh_error_set(err, BH_EINVAL, "secdb without distroversion");
	snprintf(distro, sizeof(distro), "alpine:%s", dv[0] == 'v' ? dv + 1 : dv);
	/* this document's packages are replaced whole, before any is added (a name may recur) */
	for (i = 0; i < json_array_size(pkgs); i++) {
		const char *name = bh_json_str(json_object_get(json_array_get(pkgs, i), "pkg"), "name");
		if (name && (rc = bh_vulndb_forget_package(db, "alpine", "apk", name, distro, err)))
			return rc;
	}
	for (i = 0; i < json_array_size(pkgs); i++) {
		json_t *p = json_object_get(json_array_get(pkgs, i), "pkg"), *fixes = json_object_get(p, "secfixes"), *list;
		const char *name = bh_json_str(p, "name"), *ver;
		if (!name)
			continue;
		json_object_foreach(fixes, ver, list) {
			bool never = !strcmp(ver, "0");
			size_t k;
			for (k = 0; k < json_array_size(list); k++) {
				const char *line = json_string_value(json_array_get(list, k));
				const char *ids[16], *q;
				char words[512], url[128], *rj = NULL;
				size_t nid = 0, w = 0, len, x, primary = 0;
				bool note = false;
				json_t *aliases;
				bh_advisory a;
				bh_affected row;
				if (!line)
					continue;
				st->entries++;
				len = strlen(line);
				if (len >= sizeof(words)) {
					note = true; /* no id is that long: read the first words only */
					len = sizeof(words) - 1;
				}
				/* the words, each NUL-terminated in `words` */
				for (q = line; q < line + len;) {
					size_t wl;
					q += strspn(q, " \t");
					wl = strcspn(q, " \t");
					if (q + wl > line + len)
						wl = (size_t)(line + len - q);
					if (!wl)
						break;
					if (is_advisory_id(q, wl) && nid < sizeof(ids) / sizeof(ids[0])) {
						bool dup = false;
						memcpy(words + w, q, wl);
						words[w + wl] = '\0';
						for (x = 0; x < nid; x++)
							dup = dup || !strcmp(ids[x], words + w);
						if (!dup)
							ids[nid++] = words + w;
						w += wl + 1;
					} else {
						note = true;
					}
					q += wl;
				}
				if (!nid) {
					if (!st->prose)
						bh_log_warn("import: %s: Alpine secfixes entries without an advisory id are skipped "
							    "(first: %s %s \"%s\"); the import summary counts them",
							    printable(docname, nb, sizeof(nb)), printable(name, pb, sizeof(pb)),
							    printable(ver, vb, sizeof(vb)), printable(line, eb, sizeof(eb)));
					st->prose++;
					continue;
				}
				st->ids += (long)nid;
				if (note) {
					if (!st->notes)
						bh_log_warn("import: %s: words of Alpine secfixes entries that are not advisory ids "
							    "are dropped (first: %s %s \"%s\"); the import summary counts them",
							    printable(docname, nb, sizeof(nb)), printable(name, pb, sizeof(pb)),
							    printable(ver, vb, sizeof(vb)), printable(line, eb, sizeof(eb)));
					st->notes++;
				}
				for (x = 0; x < nid; x++) {
					if (!strncmp(ids[x], "CVE-", 4)) {
						primary = x;
						break;
					}
				}
				aliases = json_array();
				for (x = 0; x < nid; x++)
					if (x != primary)
						json_array_append_new(aliases, json_string(ids[x]));
				memset(&a, 0, sizeof(a));
				snprintf(url, sizeof(url), "https://security.alpinelinux.org/vuln/%s", ids[primary]);
				a.id = ids[primary];
				a.source = "alpine";
				a.url = url;
				rc = put_adv(db, &a, aliases, st, err);
				json_decref(aliases);
				if (rc)
					return rc;
				memset(&row, 0, sizeof(row));
				row.advisory_id = ids[primary];
				row.ecosystem = "apk";
				row.package = name;
				row.distro = distro;
				if (never) {
					row.status = "not_affected";
				} else {
					/* json_pack, not a format string: a version is data and may hold quotes */
					json_t *r = json_pack("[{s:s,s:[{s:s},{s:s}]}]", "type", "ECOSYSTEM", "events", "introduced", "0", "fixed", ver);
					rj = r ? json_dumps(r, JSON_COMPACT) : NULL;
					json_decref(r);
					if (!rj)
						return bh_error_set(err, BH_ENOMEM, "out of memory");
					row.ranges = rj;
					row.status = "fixed";
					row.fixed_version = ver;
				}
				rc = bh_vulndb_put_affected(db, &row, err);
				free(rj);
				if (rc)
					return rc;
				st->affected++;
			}
		}
	}
	return 0;
}

static int import_kev(bh_vulndb *db, json_t *doc, bh_import_stats *st, bh_error *err)
{
	json_t *v = json_object_get(doc, "vulnerabilities");
	size_t i;
	int rc;
	for (i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);
		if (!bh_json_str(x, "cveID"))
			continue;
		if ((rc = bh_vulndb_put_kev(db, bh_json_str(x, "cveID"), bh_json_str(x, "dateAdded"), bh_json_str(x, "dueDate"),
					    bh_json_str(x, "knownRansomwareCampaignUse"), bh_json_str(x, "vulnerabilityName"), err)))
			return rc;
		st->kev++;
	}
	return 0;
}

/* RustSec: ```toml front matter ([advisory], [versions]) then a Markdown title. */

/*
 * One TOML string at *p ("basic" with escapes, or 'literal'), appended to b; *p moves past it.
 * Requirement strings are stored exactly as written, so escapes are decoded, nothing else.
 */
static int toml_string(const char **p, const char *end, bh_buf *b)
{
	const char *q = *p;
	char quote = *q++;
	bh_buf_reset(b);
	if (q < end && q + 1 < end && q[0] == quote && q[1] == quote)
		return -1; /* multi-line strings: not in RustSec front matter */
	while (q < end && *q != quote && *q != '\n') {
		if (quote == '"' && *q == '\\' && q + 1 < end) {
			char c = q[1];
			q += 2;
			switch (c) {
			case 'n': bh_buf_putc(b, '\n'); break;
			case 't': bh_buf_putc(b, '\t'); break;
			case 'r': bh_buf_putc(b, '\r'); break;
			case 'b': bh_buf_putc(b, '\b'); break;
			case 'f': bh_buf_putc(b, '\f'); break;
			case '"': case '\\': bh_buf_putc(b, c); break;
			default: return -1; /* \u escapes and the like: not expected here */
			}
			continue;
		}
		bh_buf_putc(b, *q++);
	}
	if (q >= end || *q != quote)
		return -1;
	*p = q + 1;
	return 0;
}

/*
 * The value of key in [section]: a string (returned, caller frees) when arr is NULL, or a string
 * array (in *arr, caller decrefs) when arr is given; a value of the other kind is ignored.
 * Keys may be indented and followed by spaces or tabs; arrays may span lines and hold comments.
 */
static char *toml_value(const char *fm, const char *section, const char *key, json_t **arr)
{
	const char *p = fm, *end = fm + strlen(fm);
	bool in = false;
	size_t kl = strlen(key), sl = strlen(section);
	bh_buf b = BH_BUF_INIT;
	char *out = NULL;

	if (arr)
		*arr = NULL;
	for (; p && p < end; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *v;
		p += strspn(p, " \t");
		if (*p == '[') {
			in = !strncmp(p + 1, section, sl) && p[1 + sl] == ']';
			continue;
		}
		if (!in || strncmp(p, key, kl) != 0)
			continue;
		v = p + kl;
		v += strspn(v, " \t");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t");
		if ((*v == '"' || *v == '\'') && !arr) {
			if (!toml_string(&v, end, &b))
				out = bh_strndup(b.data ? b.data : "", b.len);
		} else if (*v == '[' && arr) {
			json_t *a = json_array();
			const char *q = v + 1;
			while (q < end && *q != ']') {
				if (*q == '"' || *q == '\'') {
					if (toml_string(&q, end, &b))
						break;
					json_array_append_new(a, json_stringn(b.data ? b.data : "", b.len));
				} else if (*q == '#') {
					q += strcspn(q, "\n");
				} else {
					q++;
				}
			}
			*arr = a;
		}
		break;
	}
	bh_buf_free(&b);
	return out;
}

static int import_rustsec(bh_vulndb *db, const char *data, size_t len, bh_import_stats *st, bh_error *err)
{
	const char *s = strstr(data, "```toml"), *e;
	char *fm, *id, *pkg, *url, *date, *cvss, *info, *withdrawn, *title = NULL;
	json_t *aliases, *patched, *unaffected, *ranges;
	char sevbuf[16] = "";
	int rc = 0;
	(void)len;
	if (!s || !(e = strstr(s + 7, "```")))
		return bh_error_set(err, BH_EINVAL, "no ```toml front matter");
	fm = bh_strndup(s + 7, (size_t)(e - s - 7));
	if (!fm)
		return BH_ENOMEM;
	id = toml_value(fm, "advisory", "id", NULL);
	pkg = toml_value(fm, "advisory", "package", NULL);
	url = toml_value(fm, "advisory", "url", NULL);
	date = toml_value(fm, "advisory", "date", NULL);
	cvss = toml_value(fm, "advisory", "cvss", NULL);
	info = toml_value(fm, "advisory", "informational", NULL);
	withdrawn = toml_value(fm, "advisory", "withdrawn", NULL);
	toml_value(fm, "advisory", "aliases", &aliases);
	toml_value(fm, "versions", "patched", &patched);
	toml_value(fm, "versions", "unaffected", &unaffected);
	{
		const char *t = strstr(e, "\n# ");
		if (t) {
			t += 3;
			title = bh_strndup(t, strcspn(t, "\n"));
		}
	}
	if (!id || !pkg) {
		rc = bh_error_set(err, BH_EINVAL, "RustSec advisory without id or package");
	} else {
		bh_advisory a;
		bh_affected row;
		char rurl[128];
		memset(&a, 0, sizeof(a));
		snprintf(rurl, sizeof(rurl), "https://rustsec.org/advisories/%s", id);
		a.id = id;
		a.source = "rustsec";
		a.summary = title;
		a.published = date;
		a.withdrawn = withdrawn;
		/* informational = "unmaintained" | "unsound" | "notice": shown, not a vulnerability */
		a.kind = info && *info ? info : NULL;
		a.url = url ? url : rurl;
		if (cvss && bh_cvss3_score(cvss) > 0) {
			a.cvss_vector = cvss;
			a.cvss_score = bh_cvss3_score(cvss);
			snprintf(sevbuf, sizeof(sevbuf), "%s", bh_cvss_severity(a.cvss_score));
		}
		a.severity = sevbuf[0] ? sevbuf : (info ? "LOW" : NULL);
		if (!(rc = bh_vulndb_forget_advisory(db, a.source, id, NULL, err)))
			rc = put_adv(db, &a, aliases, st, err);
		if (!rc) {
			if (!patched)
				patched = json_array();
			if (!unaffected)
				unaffected = json_array();
			ranges = json_pack("[{s:s,s:O,s:O}]", "type", "REQS", "patched", patched, "unaffected", unaffected);
			memset(&row, 0, sizeof(row));
			row.advisory_id = id;
			row.ecosystem = "cargo";
			row.package = pkg;
			row.ranges = json_dumps(ranges, JSON_COMPACT);
			row.status = json_array_size(patched) ? "fixed" : "affected";
			row.fixed_version = json_string_value(json_array_get(patched, 0));
			rc = bh_vulndb_put_affected(db, &row, err);
			free((char *)row.ranges);
			json_decref(ranges);
			if (!rc)
				st->affected++;
		}
	}
	json_decref(aliases);
	json_decref(patched);
	json_decref(unaffected);
	free(fm); free(id); free(pkg); free(url); free(date); free(cvss); free(info); free(withdrawn); free(title);
	return rc;
}

/* data/DSA/list and data/DLA/list of the security tracker. */
static int import_dsa_list(bh_vulndb *db, const char *data, size_t len, bh_import_stats *st, bh_error *err)
{
	bh_lines it;
	const char *line;
	size_t n;
	char id[64] = "", summary[256] = "";
	json_t *cves = NULL;
	int rc = 0;
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n) && !rc) {
		char buf[512];
		if (n >= sizeof(buf))
			continue;
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (buf[0] == '[') {
			/* [dd Mon YYYY] DSA-NNNN-N pkg - summary */
			char *d = strchr(buf, ']'), *sp, *dash;
			bh_advisory a;
			char url[128];
			json_decref(cves);
			cves = json_array();
			id[0] = '\0';
			/* "] " then the id: a line ending at the ']' has nothing after it to read (found by fuzz_import) */
			if (!d || d[1] != ' ')
				continue;
			d += 2;
			sp = strchr(d, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			snprintf(id, sizeof(id), "%s", d);
			dash = strstr(sp + 1, " - ");
			memset(&a, 0, sizeof(a));
			snprintf(url, sizeof(url), "https://security-tracker.debian.org/tracker/%s", id);
			a.id = id;
			a.source = !strncmp(id, "DLA", 3) ? "debian-dla" : "debian-dsa";
			snprintf(summary, sizeof(summary), "%s", dash ? dash + 3 : "");
			a.summary = summary[0] ? summary : NULL;
			a.url = url;
			if (!(rc = bh_vulndb_forget_advisory(db, a.source, id, NULL, err)))
				rc = put_adv(db, &a, NULL, st, err);
		} else if (id[0] && buf[0] == '\t' && buf[1] == '{') {
			/* {CVE-… CVE-…}: aliases */
			char *p = buf + 2;
			bh_advisory a;
			char url[128];
			while (*p && *p != '}') {
				size_t k = strcspn(p, " }");
				if (k)
					json_array_append_new(cves, json_stringn(p, k));
				p += k;
				p += *p == ' ';
			}
			memset(&a, 0, sizeof(a));
			snprintf(url, sizeof(url), "https://security-tracker.debian.org/tracker/%s", id);
			a.id = id;
			a.source = !strncmp(id, "DLA", 3) ? "debian-dla" : "debian-dsa";
			a.summary = summary[0] ? summary : NULL;
			a.url = url;
			rc = put_adv(db, &a, cves, st, err);
			st->advisories--; /* same advisory, now with its CVEs */
		} else if (id[0] && buf[0] == '\t' && buf[1] == '[') {
			/* \t[bookworm] - pkg version  (or <not-affected> / <end-of-life> / <unfixed>) */
			char rel[32], pkg[128], ver[128];
			const char *num;
			if (sscanf(buf + 2, "%31[^]]] - %127s %127s", rel, pkg, ver) != 3 || !(num = debian_release_number(rel)))
				continue;
			{
				char distro[32];
				bh_affected row;
				memset(&row, 0, sizeof(row));
				snprintf(distro, sizeof(distro), "debian:%s", num);
				row.advisory_id = id;
				row.ecosystem = "deb";
				row.package = pkg;
				row.distro = distro;
				if (ver[0] == '<') {
					row.status = !strcmp(ver, "<not-affected>") ? "not_affected" : !strcmp(ver, "<end-of-life>") ? "end_of_life" : "affected";
				} else {
					row.status = "fixed";
					row.fixed_version = ver;
				}
				rc = bh_vulndb_put_affected(db, &row, err);
				st->affected++;
			}
		}
	}
	json_decref(cves);
	return rc;
}

static int import_epss(bh_vulndb *db, const char *data, size_t len, bh_import_stats *st, bh_error *err)
{
	bh_lines it;
	const char *line;
	size_t n;
	int rc;
	bool first = true;
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		char buf[128], cve[64];
		double s, p;
		/* "#model_version:v2025.03.14,score_date:2026-12-01T00:00:00+0000": the date of every score */
		if (first && n > 1 && line[0] == '#') {
			char model[40] = "", date[40] = "";
			const char *m = memmem(line, n, "model_version:", 14), *d = memmem(line, n, "score_date:", 11);
			first = false;
			if (m) {
				size_t k = 0;
				for (m += 14; m < line + n && *m != ',' && k + 1 < sizeof(model); m++)
					if ((unsigned char)*m > ' ' && (unsigned char)*m < 0x7f)
						model[k++] = *m;
				model[k] = '\0';
			}
			if (d) {
				size_t k = 0;
				for (d += 11; d < line + n && *d != ',' && k + 1 < sizeof(date); d++)
					if ((unsigned char)*d > ' ' && (unsigned char)*d < 0x7f)
						date[k++] = *d;
				date[k] = '\0';
				if (k > 10 && date[10] == 'T')
					date[10] = '\0'; /* the day: the model scores once a day */
			}
			if ((m || d) && (rc = bh_vulndb_put_epss_snapshot(db, model[0] ? model : NULL, date[0] ? date : NULL, err)))
				return rc;
			continue;
		}
		first = false;
		if (n >= sizeof(buf) || n < 5 || strncmp(line, "CVE-", 4) != 0)
			continue;
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (sscanf(buf, "%63[^,],%lf,%lf", cve, &s, &p) != 3)
			continue;
		if ((rc = bh_vulndb_put_epss(db, cve, s, p, err)))
			return rc;
		st->epss++;
	}
	return 0;
}

static bool ends(const char *s, const char *suf) { return bh_str_endswith(s, suf); }

int bh_import_document(bh_vulndb *db, const char *name, const char *data, size_t len, const bh_limits *lim,
		       bh_import_stats *st, bh_error *err)
{
	json_t *doc = NULL;
	int rc = 0;
	bh_error derr;

	st->documents++;
	bh_error_clear(&derr);
	if (ends(name, ".json")) {
		if ((rc = bh_json_load(data, len, lim->max_json_depth, name, &doc, &derr)))
			goto bad;
		if (json_object_get(doc, "catalogVersion") && json_object_get(doc, "vulnerabilities"))
			rc = import_kev(db, doc, st, &derr);
		else if (json_is_object(doc) && bh_json_str(doc, "id") && (json_object_get(doc, "affected") || json_object_get(doc, "modified")))
			rc = import_osv(db, doc, st, &derr);
		else if (json_is_array(doc)) {
			size_t i;
			for (i = 0; i < json_array_size(doc) && !rc; i++)
				rc = import_osv(db, json_array_get(doc, i), st, &derr);
		} else if (json_is_object(doc)) {
			/* the tracker: source package -> CVE -> ... */
			const char *k;
			json_t *v;
			bool tracker = false;
			json_object_foreach(doc, k, v) {
				const char *k2;
				json_t *v2;
				json_object_foreach(v, k2, v2) {
					tracker = !strncmp(k2, "CVE-", 4) || !strncmp(k2, "TEMP-", 5);
					break;
				}
				break;
			}
			if (tracker)
				rc = import_debian_json(db, doc, st, &derr);
			else
				rc = bh_error_set(&derr, BH_EUNSUPPORTED, "not advisory data");
		}
	} else if (ends(name, ".yaml") || ends(name, ".yml")) {
		if ((rc = bh_yaml_load(data, len, lim->max_json_depth, name, &doc, &derr)))
			goto bad;
		if (bh_json_str(doc, "distroversion"))
			rc = import_secdb(db, name, doc, st, &derr);
		else if (bh_json_str(doc, "id"))
			rc = import_osv(db, doc, st, &derr);
		else
			rc = bh_error_set(&derr, BH_EUNSUPPORTED, "not advisory data");
	} else if (ends(name, ".md") && memmem(data, len, "```toml", 7)) {
		rc = import_rustsec(db, data, len, st, &derr);
	} else if (ends(name, "DSA/list") || ends(name, "DLA/list")) {
		rc = import_dsa_list(db, data, len, st, &derr);
	} else if (ends(name, ".csv") && memmem(data, len < 4096 ? len : 4096, "epss", 4)) {
		rc = import_epss(db, data, len, st, &derr);
	} else {
		st->documents--;
		return 0; /* licences, READMEs: not ours */
	}
	if (doc)
		json_decref(doc);
	if (rc == BH_EIO || rc == BH_ENOMEM) {
		*err = derr;
		return rc;
	}
	if (!rc)
		return 0;
	doc = NULL;
bad:
	if (doc)
		json_decref(doc);
	skip_doc(st, name, derr.msg[0] ? derr.msg : bh_error_name(rc));
	return 0;
}

static int read_fd(int fd, size_t max, bh_buf *b)
{
	for (;;) {
		ssize_t r;
		if (bh_buf_grow(b, 65536))
			return BH_ENOMEM;
		r = read(fd, b->data + b->len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? BH_EIO : 0;
		b->len += (size_t)r;
		if (b->len > max)
			return BH_ELIMIT;
	}
}

static bool is_archive(const char *p)
{
	return ends(p, ".tar") || ends(p, ".tar.gz") || ends(p, ".tgz") || ends(p, ".tar.zst") || ends(p, ".tar.xz") ||
	       ends(p, ".zip") || ends(p, ".csv.gz");
}

static int import_archive(bh_vulndb *db, const char *path, const bh_limits *lim, bh_import_stats *st, bh_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bh_buf b = BH_BUF_INIT;
	int r, rc = 0, fd;
	if (bh_file_open_regular(path, &fd, err)) {
		archive_read_free(a);
		return err->code;
	}
	archive_read_support_filter_all(a);
	/* a gzipped CSV (EPSS) is one raw stream: with every format offered, mtree claims its text */
	if (ends(path, ".csv.gz"))
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_all(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		rc = bh_error_set(err, BH_EINVAL, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		close(fd);
		return rc;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		char label[1024];
		if (archive_entry_filetype(e) != AE_IFREG && !ends(path, ".csv.gz"))
			continue;
		snprintf(label, sizeof(label), "%s!/%s", path, name && strcmp(name, "data") != 0 ? name : "data.csv");
		bh_buf_reset(&b);
		for (;;) {
			la_ssize_t n;
			if (bh_buf_grow(&b, 65536)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
			n = archive_read_data(a, b.data + b.len, 65536);
			if (n <= 0)
				break;
			b.len += (size_t)n;
			if (b.len > lim->max_file_read)
				break;
		}
		if (b.len > lim->max_file_read) {
			char why[80];
			snprintf(why, sizeof(why), "larger than the limit of %llu bytes", (unsigned long long)lim->max_file_read);
			skip_doc(st, label, why);
			continue;
		}
		if (b.data)
			b.data[b.len] = '\0';
		if ((rc = bh_import_document(db, label, b.data ? b.data : "", b.len, lim, st, err)))
			goto out;
	}
	if (r != ARCHIVE_EOF)
		rc = bh_error_set(err, BH_EINVAL, "%s: %s", path, archive_error_string(a));
out:
	bh_buf_free(&b);
	archive_read_free(a);
	close(fd);
	return rc;
}

static int import_file(bh_vulndb *db, const char *path, const bh_limits *lim, bh_import_stats *st, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	int fd, rc;
	if (is_archive(path))
		return import_archive(db, path, lim, st, err);
	if (bh_file_open_regular(path, &fd, err))
		return err->code;
	rc = read_fd(fd, (size_t)lim->max_file_read, &b);
	close(fd);
	if (rc == BH_ELIMIT) {
		char why[80];
		snprintf(why, sizeof(why), "larger than the limit of %llu bytes", (unsigned long long)lim->max_file_read);
		skip_doc(st, path, why);
		rc = 0;
	} else if (!rc) {
		rc = bh_import_document(db, path, b.data ? b.data : "", b.len, lim, st, err);
	} else {
		rc = bh_error_set(err, rc, "%s: cannot read", path);
	}
	bh_buf_free(&b);
	return rc;
}

static int walk(bh_vulndb *db, const char *dir, unsigned depth, const bh_limits *lim, bh_import_stats *st, bh_error *err)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;
	if (depth > 32)
		return 0;
	d = opendir(dir);
	if (!d)
		return bh_error_set(err, BH_EIO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) && !rc) {
		char p[4096];
		struct stat sb;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk(db, p, depth + 1, lim, st, err);
		else if (S_ISREG(sb.st_mode))
			rc = import_file(db, p, lim, st, err);
	}
	closedir(d);
	return rc;
}

int bh_import_path(bh_vulndb *db, const char *path, const bh_limits *lim, bh_import_stats *st, bh_error *err)
{
	struct stat sb;
	int rc;
	if (stat(path, &sb))
		return bh_error_set(err, BH_ENOTFOUND, "%s: %s", path, strerror(errno));
	rc = S_ISDIR(sb.st_mode) ? walk(db, path, 0, lim, st, err) : import_file(db, path, lim, st, err);
	if (!rc && st->skipped > BH_IMPORT_NAMED_SKIPS) {
		char nb[1200];
		bh_log_warn("import: %s: %ld more documents skipped (only the first %d are named)", printable(path, nb, sizeof(nb)),
			    st->skipped - BH_IMPORT_NAMED_SKIPS, BH_IMPORT_NAMED_SKIPS);
	}
	return rc;
}
