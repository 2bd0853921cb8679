/* compliance.c - CIS Docker Benchmark controls read from the shared TSV, each given pass/fail/n.a./manual from findings and the catalogue. */
#include "check/compliance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/k8s.h"
#include "check/rules.h"
#include "core/buf.h"
#include "core/file.h"

static const char *const status_names[BH_COMP_STATUS_COUNT] = { "pass", "fail", "not-applicable", "manual" };

const char *bh_compliance_status_name(bh_comp_status s)
{
	return (unsigned)s < BH_COMP_STATUS_COUNT ? status_names[s] : "unknown";
}

static void control_clear(bh_comp_control *x)
{
	free(x->id); free(x->title); free(x->assessment); free(x->section); free(x->target);
	free(x->reason); free(x->rules); free(x->hits);
	memset(x, 0, sizeof(*x));
}

void bh_compliance_free(bh_compliance *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		control_clear(&c->items[i]);
	free(c->items);
	free(c->benchmark);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

static char *memdup0(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Splits line[0..n) at tabs into at most max fields (pointers into the line); returns the count. */
static size_t split(const char *line, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0, start = 0, i;
	for (i = 0; i <= n && k < max; i++)
		if (i == n || line[i] == '\t') {
			f[k] = line + start;
			fl[k++] = i - start;
			start = i + 1;
		}
	return k;
}

/*
 * The data carries docker-bench-security's wording: some titles repeat their id ("1.1.12 Ensure…")
 * or end in "(Scored)"/"(Not Scored)" where the assessment column is empty; the suffix is the older
 * benchmarks' spelling of Automated/Manual.
 */
static void clean_title(const char *id, const char **t, size_t *tn, const char **assess, size_t *an)
{
	size_t il = strlen(id);
	bh_trim(t, tn);
	if (*tn > il && memcmp(*t, id, il) == 0 && (*t)[il] == ' ') {
		*t += il + 1;
		*tn -= il + 1;
	}
	if (bh_mem_endswith(*t, *tn, "(Not Scored)")) {
		*tn -= strlen("(Not Scored)");
		if (!*an) {
			*assess = "Manual";
			*an = 6;
		}
	} else if (bh_mem_endswith(*t, *tn, "(Scored)")) {
		*tn -= strlen("(Scored)");
		if (!*an) {
			*assess = "Automated";
			*an = 9;
		}
	}
	bh_trim(t, tn);
}

static int slurp(const char *path, char **data, size_t *len, bh_error *err)
{
	int rc = bh_file_read_all(path, BH_COMPLIANCE_MAX_BYTES, "compliance file", data, len, err);
	if (!rc && !*len) {
		free(*data);
		*data = NULL;
		return bh_error_set(err, BH_EINVAL, "%s: empty file", path);
	}
	return rc;
}

int bh_compliance_load_docker(const char *path, bh_compliance *out, bh_error *err)
{
	char *data = NULL, *sect = NULL;
	size_t len = 0, lineno = 0, cap = 0;
	const char *line;
	size_t ll;
	bh_lines it;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = slurp(path, &data, &len, err)))
		return rc;
	if (!(out->benchmark = bh_strdup("docker-cis-1.6")) || !(out->source = bh_strdup(path))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto fail;
	}
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &ll)) {
		const char *f[7], *t, *as;
		size_t fl[7], tn, an, nf;
		bh_comp_control *x;
		lineno++;
		nf = split(line, ll, f, fl, 7);
		if (lineno == 1) {
			if (nf < 4 || fl[0] != 2 || memcmp(f[0], "id", 2) != 0 || fl[1] != 4 || memcmp(f[1], "kind", 4) != 0 ||
			    fl[2] != 5 || memcmp(f[2], "title", 5) != 0) {
				rc = bh_error_set(err, BH_EINVAL, "%s: not a docker-bench-security checks table (header id, kind, title, assessment)", path);
				goto fail;
			}
			continue;
		}
		if (nf < 3 || !fl[0])
			continue;
		if (fl[1] == 7 && memcmp(f[1], "section", 7) == 0 && !memchr(f[0], '.', fl[0])) {
			/* a top-level section: its title labels the controls below it */
			free(sect);
			t = f[2]; tn = fl[2];
			bh_trim(&t, &tn);
			if (!(sect = memdup0(t, tn))) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto fail;
			}
			continue;
		}
		if (fl[1] != 5 || memcmp(f[1], "check", 5) != 0)
			continue;
		/* section 99: docker-bench-security's own community checks (ids "C.n" from
		 * tests/99_community_checks.sh), not part of the benchmark */
		if ((fl[0] >= 2 && memcmp(f[0], "99", 2) == 0 && (fl[0] == 2 || f[0][2] == '.')) ||
		    (fl[0] >= 2 && memcmp(f[0], "C.", 2) == 0) || (nf > 6 && memmem(f[6], fl[6], "99_community", 12)))
			continue;
		if (out->n >= BH_COMPLIANCE_MAX_CONTROLS) {
			rc = bh_error_set(err, BH_ELIMIT, "%s: more than %d controls", path, BH_COMPLIANCE_MAX_CONTROLS);
			goto fail;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 64, bytes;
			bh_comp_control *n;
			if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(out->items, bytes))) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto fail;
			}
			out->items = n;
			cap = ncap;
		}
		x = &out->items[out->n++];
		memset(x, 0, sizeof(*x));
		if (!(x->id = memdup0(f[0], fl[0]))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto fail;
		}
		t = f[2]; tn = fl[2];
		as = nf > 3 ? f[3] : ""; an = nf > 3 ? fl[3] : 0;
		bh_trim(&as, &an);
		clean_title(x->id, &t, &tn, &as, &an);
		if (!(x->title = memdup0(t, tn)) || !(x->assessment = memdup0(as, an)) ||
		    !(x->section = bh_strdup(sect ? sect : ""))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (!out->n) {
		rc = bh_error_set(err, BH_EINVAL, "%s: no controls", path);
		goto fail;
	}
	free(sect);
	free(data);
	return 0;
fail:
	free(sect);
	free(data);
	bh_compliance_free(out);
	return rc;
}

/* The catalogue rules of one CIS id: their ids and the categories they belong to. */
struct mapped {
	const char *cis;
	bh_buf ids;
	unsigned cats;
	int secret_listed;
};

static unsigned category_bit(const char *cat)
{
	if (!strcmp(cat, "host")) return BH_COMP_RAN_HOST;
	if (!strcmp(cat, "container")) return BH_COMP_RAN_CONTAINER;
	if (!strcmp(cat, "image-config")) return BH_COMP_RAN_IMAGE;
	if (!strcmp(cat, "secret")) return BH_COMP_RAN_SECRET;
	if (!strcmp(cat, "dockerfile")) return BH_COMP_RAN_DOCKERFILE;
	return 0;
}

static int visit(const bh_rule *r, const char *category, void *ctx)
{
	struct mapped *m = ctx;
	if (!r->cis || strcmp(r->cis, m->cis) != 0)
		return 0;
	m->cats |= category_bit(category);
	if (!strcmp(category, "secret")) {
		/* one BH-SECRET-<pattern> rule per pattern: listed once as a family */
		if (m->secret_listed++)
			return 0;
		bh_buf_printf(&m->ids, "%sBH-SECRET-*", m->ids.len ? "," : "");
		return 0;
	}
	bh_buf_printf(&m->ids, "%s%s", m->ids.len ? "," : "", r->id);
	return 0;
}

/* Why a control whose rules check cats is not applicable, given what ran. */
static void why_na(bh_buf *b, unsigned cats)
{
	static const struct { unsigned bit; const char *what; } w[] = {
		{ BH_COMP_RAN_HOST, "no Docker host scanned (target host)" },
		{ BH_COMP_RAN_CONTAINER, "no running containers scanned" },
		{ BH_COMP_RAN_IMAGE, "no image scanned" },
		{ BH_COMP_RAN_SECRET, "no image scanned for secrets" },
		{ BH_COMP_RAN_DOCKERFILE, "no Dockerfile scanned (--dockerfile or a Dockerfile target)" },
	};
	size_t i;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (cats & w[i].bit)
			bh_buf_printf(b, "%s%s", b->len ? "; " : "", w[i].what);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* A whole category found not applicable (the host without a Docker daemon): its bit and the reason. */
struct cat_na {
	unsigned bits;
	const char *why[5];
};

static int bit_index(unsigned bit)
{
	int i = 0;
	while (bit > 1u) {
		bit >>= 1;
		i++;
	}
	return i;
}

static int eval_one(bh_comp_control *x, const bh_checks *ck, unsigned ran, const struct cat_na *cna)
{
	struct mapped m = { x->id, BH_BUF_INIT, 0, 0 };
	bh_buf why = BH_BUF_INIT;
	const bh_check_finding *other = NULL;
	size_t i, nother = 0;
	int rc;

	free(x->reason); free(x->rules); free(x->hits);
	x->reason = x->rules = NULL;
	x->hits = NULL;
	x->nhits = 0;
	(void)bh_rules_each(visit, &m);
	bh_buf_puts(&m.ids, ""); /* an empty list is "" rather than NULL */
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *f = &ck->items[i];
		if (!f->cis || strcmp(f->cis, x->id) != 0)
			continue;
		if (f->status) {
			other = other ? other : f;
			nother++;
			continue;
		}
		if (!(x->nhits & (x->nhits - 1))) { /* 0, 1, 2, 4, …: grow to twice */
			size_t ncap = x->nhits ? x->nhits * 2 : 1, bytes;
			size_t *n;
			if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(x->hits, bytes)))
				goto oom;
			x->hits = n;
		}
		x->hits[x->nhits++] = i;
	}
	if (x->nhits) {
		const bh_check_finding *f = &ck->items[x->hits[0]];
		x->status = BH_COMP_FAIL;
		bh_buf_printf(&why, "%zu finding%s: %s on %s%s%.200s", x->nhits, x->nhits == 1 ? "" : "s", nz(f->rule),
			      f->target ? f->target : "the target", f->detail ? ": " : "", nz(f->detail));
	} else if (!m.ids.len) {
		x->status = other && !strcmp(other->status, "not-applicable") ? BH_COMP_NA : BH_COMP_MANUAL;
		if (other && other->detail)
			bh_buf_puts(&why, other->detail);
		else if (!strcmp(x->assessment, "Manual"))
			bh_buf_puts(&why, "a Manual control of the benchmark: review it by hand");
		else
			bh_buf_puts(&why, "no automated bulkhead check for this control: review it by hand");
	} else if (!(m.cats & ran)) {
		x->status = BH_COMP_NA;
		/* a category whose target was scanned and found not applicable says why in its own words */
		for (unsigned b = 1; b <= BH_COMP_RAN_DOCKERFILE; b <<= 1)
			if ((m.cats & cna->bits & b) && cna->why[bit_index(b)])
				bh_buf_printf(&why, "%s%s", why.len ? "; " : "", cna->why[bit_index(b)]);
		why_na(&why, m.cats & ~cna->bits);
		if (!why.len)
			bh_buf_puts(&why, "none of its checks ran");
	} else if (other) {
		/* the checks ran and could not judge (a host check that needs the running daemon) */
		x->status = !strcmp(other->status, "manual") ? BH_COMP_MANUAL : BH_COMP_NA;
		bh_buf_puts(&why, other->detail ? other->detail : other->status);
		if (nother > 1)
			bh_buf_printf(&why, " (and %zu more)", nother - 1);
	} else {
		x->status = BH_COMP_PASS;
		bh_buf_printf(&why, "checked by %s: nothing found", m.ids.data);
	}
	rc = 0;
	if (!(x->rules = bh_buf_steal(&m.ids)) || !(x->reason = bh_buf_steal(&why)))
		rc = BH_ENOMEM;
	bh_buf_free(&m.ids);
	bh_buf_free(&why);
	return rc;
oom:
	bh_buf_free(&m.ids);
	bh_buf_free(&why);
	return BH_ENOMEM;
}

/*
 * A finding with no CIS id that says "not-applicable" speaks for its whole category (BH-HOST-000:
 * no Docker daemon on this host): the first such finding of each category, bits and reasons.
 */
static void find_cat_na(const bh_checks *ck, struct cat_na *cna)
{
	size_t i;
	memset(cna, 0, sizeof(*cna));
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *f = &ck->items[i];
		unsigned b = f->category ? category_bit(f->category) : 0;
		if (!f->cis && b && f->status && !strcmp(f->status, "not-applicable") && !cna->why[bit_index(b)]) {
			cna->bits |= b;
			cna->why[bit_index(b)] = f->detail ? f->detail : "its checks found nothing to judge";
		}
	}
}

unsigned bh_compliance_na_categories(const bh_checks *ck)
{
	struct cat_na cna;
	find_cat_na(ck, &cna);
	return cna.bits;
}

int bh_compliance_eval(bh_compliance *c, const bh_checks *ck, unsigned ran, bh_error *err)
{
	struct cat_na cna;
	size_t i;
	find_cat_na(ck, &cna);
	memset(c->count, 0, sizeof(c->count));
	for (i = 0; i < c->n; i++) {
		if (eval_one(&c->items[i], ck, ran, &cna))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		c->count[c->items[i].status]++;
	}
	return 0;
}

/* The PSS profile a catalogue rule belongs to, from its title; NULL for rules outside the PSS. */
static const char *pss_profile(const bh_rule *r, size_t *title_len)
{
	static const char *const prof[] = { "baseline", "restricted" };
	size_t i;
	for (i = 0; i < 2; i++) {
		char suffix[64];
		snprintf(suffix, sizeof(suffix), " (Pod Security Standards %s)", prof[i]);
		if (bh_str_endswith(r->title, suffix)) {
			*title_len = strlen(r->title) - strlen(suffix);
			return prof[i];
		}
	}
	return NULL;
}

static int pss_row(bh_compliance *c, size_t *cap, const char *target, const char *profile, const bh_rule *r,
		   const bh_checks *ck)
{
	bh_comp_control *x;
	const bh_check_finding *unchecked = NULL;
	bh_buf why = BH_BUF_INIT;
	size_t i;
	if (c->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64, bytes;
		bh_comp_control *n;
		if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(c->items, bytes)))
			return BH_ENOMEM;
		c->items = n;
		*cap = ncap;
	}
	x = &c->items[c->n++];
	memset(x, 0, sizeof(*x));
	if (!(x->id = bh_strdup(r->id)) || !(x->title = bh_strdup(r->title)) || !(x->assessment = bh_strdup("Automated")) ||
	    !(x->section = bh_strdup(profile)) || !(x->target = bh_strdup(target)) || !(x->rules = bh_strdup(r->id)))
		return BH_ENOMEM;
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *f = &ck->items[i];
		if (!f->rule || !f->target || strcmp(f->target, target) != 0)
			continue;
		if (!strcmp(f->rule, "BH-K8S-000"))
			unchecked = unchecked ? unchecked : f;
		if (strcmp(f->rule, r->id) != 0 || f->status)
			continue;
		if (!(x->nhits & (x->nhits - 1))) {
			size_t ncap = x->nhits ? x->nhits * 2 : 1, bytes;
			size_t *n;
			if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(x->hits, bytes)))
				return BH_ENOMEM;
			x->hits = n;
		}
		x->hits[x->nhits++] = i;
	}
	if (x->nhits) {
		const bh_check_finding *f = &ck->items[x->hits[0]];
		x->status = BH_COMP_FAIL;
		bh_buf_printf(&why, "%zu finding%s: %.300s", x->nhits, x->nhits == 1 ? "" : "s", nz(f->detail));
	} else if (unchecked) {
		x->status = BH_COMP_MANUAL;
		bh_buf_printf(&why, "part of the manifest was not checked: %.300s", nz(unchecked->detail));
	} else {
		x->status = BH_COMP_PASS;
		bh_buf_puts(&why, "no violation in the manifest's pod templates");
	}
	if (!(x->reason = bh_buf_steal(&why)))
		return BH_ENOMEM;
	c->count[x->status]++;
	return 0;
}

int bh_compliance_pss(const char *const *targets, size_t nt, const bh_checks *ck, bh_compliance *out, bh_error *err)
{
	static const char *const profiles[] = { "baseline", "restricted" };
	size_t t, p, i, cap = 0, tl;
	memset(out, 0, sizeof(*out));
	if (!(out->benchmark = bh_strdup("k8s-pss")) || !(out->source = bh_strdup("Pod Security Standards (bulkhead rules BH-K8S-001..017, 022, 023)")))
		goto oom;
	for (t = 0; t < nt; t++)
		for (p = 0; p < 2; p++)
			for (i = 0; i < bh_k8s_rule_count; i++) {
				const char *prof = pss_profile(&bh_k8s_rules[i], &tl);
				/* restricted is baseline plus its own controls */
				if (!prof || (p == 0 && strcmp(prof, "baseline") != 0))
					continue;
				if (pss_row(out, &cap, targets[t], profiles[p], &bh_k8s_rules[i], ck))
					goto oom;
			}
	return 0;
oom:
	bh_compliance_free(out);
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}
