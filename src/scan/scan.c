/* scan.c - one scan job: inventory, matching, checks, policy and filters, in that order. */
#include "scan/scan.h"

#include <stdlib.h>
#include <string.h>

#include "check/cfgfile.h"
#include "check/container.h"
#include "check/host.h"
#include "check/image.h"
#include "check/licfind.h"
#include "core/buf.h"
#include "core/log.h"
#include "image/engine.h"
#include "sbom/sbomread.h"

void bh_job_init(bh_job *j)
{
	memset(j, 0, sizeof(*j));
	j->scanners = -1;
	j->max_age_days = -1;
	bh_scan_opts_default(&j->scan);
}

bh_job_kind bh_job_kind_of(const char *target)
{
	if (!strcmp(target, "host") || !strncmp(target, "host:", 5))
		return BH_JOB_HOST;
	if (!strncmp(target, "container:", 10) || !strcmp(target, "containers"))
		return BH_JOB_CONTAINER;
	if (bh_cfgfile_kind(target) != BH_CFG_NONE)
		return BH_JOB_CFGFILE;
	return BH_JOB_INVENTORY;
}

int bh_job_default_scanners(const char *target)
{
	if (bh_job_kind_of(target) != BH_JOB_INVENTORY)
		return BH_SCANNER_CONFIG;
	/* Directories are usually a host or a source tree: secrets and image rules are opt-in there. */
	if (!strncmp(target, "dir:", 4) || !strncmp(target, "sbom:", 5) || bh_sbom_is_document(target))
		return BH_SCANNER_VULN;
	return BH_SCANNER_VULN | BH_SCANNER_CONFIG | BH_SCANNER_SECRET;
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? bh_strdup(s) : NULL;
	return s && !*dst ? BH_ENOMEM : 0;
}

/* "containers": every running container the engine lists; one that vanishes meanwhile is skipped. */
static int check_all_containers(const bh_job *j, bh_job_result *out, bh_error *err)
{
	json_t *list = NULL;
	size_t i, n = 0;
	int rc;
	if (set_str(&out->sbom.kind, "containers") || set_str(&out->sbom.name, "running containers"))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = bh_engine_container_list(j->scan.engine_host, &j->scan.limits, &list, err)))
		return rc;
	for (i = 0; i < json_array_size(list) && !rc; i++) {
		const char *id = json_string_value(json_object_get(json_array_get(list, i), "Id"));
		json_t *doc = NULL;
		bh_error e;
		if (!id)
			continue;
		rc = bh_engine_container_inspect(j->scan.engine_host, id, &j->scan.limits, &doc, &e);
		if (rc == BH_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc) {
			*err = e;
			break;
		}
		rc = bh_container_check(doc, &out->checks, err);
		json_decref(doc);
		n++;
	}
	json_decref(list);
	bh_log_info("checked %zu running containers", n);
	return rc;
}

/* Checks that need no inventory: a config file, the host, one container. */
static int run_standalone(const bh_job *j, bh_job_kind k, bh_job_result *out, bh_error *err)
{
	const char *t = j->target;
	int rc;
	if (set_str(&out->sbom.input, t))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (k == BH_JOB_CFGFILE) {
		bh_cfg_kind ck = bh_cfgfile_kind(t);
		if (set_str(&out->sbom.kind, ck == BH_CFG_DOCKERFILE ? "dockerfile" : "kubernetes") ||
		    set_str(&out->sbom.name, !strncmp(t, "dockerfile:", 11) ? t + 11 : !strncmp(t, "k8s:", 4) ? t + 4 : t))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		return bh_cfgfile_check(t, ck, &j->scan.limits, &out->checks, err);
	}
	if (k == BH_JOB_HOST) {
		const char *root = t[4] == ':' ? t + 5 : "/";
		if (set_str(&out->sbom.kind, "host") || set_str(&out->sbom.name, root))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		return bh_host_check(root, &out->checks, err);
	}
	if (!strcmp(t, "containers"))
		return check_all_containers(j, out, err);
	{
		json_t *doc = NULL;
		if (set_str(&out->sbom.kind, "container") || set_str(&out->sbom.name, t + 10))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if ((rc = bh_engine_container_inspect(j->scan.engine_host, t + 10, &j->scan.limits, &doc, err)))
			return rc;
		rc = bh_container_check(doc, &out->checks, err);
		json_decref(doc);
		return rc;
	}
}

/* Image, directory or stored SBOM: inventory with the image checks riding on the layer walk. */
static int run_inventory(const bh_job *j, int scanners, bh_job_result *out, bh_error *err)
{
	const bh_policy *p = j->policy;
	bh_scan_opts so = j->scan;
	bh_imgcheck *ic = NULL;
	bh_vulndb *db = NULL;
	char *dbpath = NULL;
	int rc = 0;

	if (scanners & BH_SCANNER_VULN) {
		if (!(dbpath = j->db_path ? bh_strdup(j->db_path) : bh_vulndb_default_path()))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		rc = bh_vulndb_open(dbpath, &db, err);
		free(dbpath);
		if (rc)
			return rc;
	}
	if (scanners & (BH_SCANNER_CONFIG | BH_SCANNER_SECRET)) {
		bh_imgcheck_opts io;
		bh_imgcheck_opts_default(&io);
		io.config = (scanners & BH_SCANNER_CONFIG) != 0;
		io.secrets = (scanners & BH_SCANNER_SECRET) != 0;
		if (j->max_age_days >= 0)
			io.max_age_days = (unsigned)j->max_age_days;
		else if (p && p->max_image_age_days >= 0)
			io.max_age_days = (unsigned)p->max_image_age_days;
		io.secret_max_file = j->scan.limits.max_file_read;
		io.secret_rules = p ? p->secret_rules : NULL;
		if ((rc = bh_imgcheck_new(&io, &ic, err)))
			goto out;
		so.hook = bh_imgcheck_hook(ic);
	}
	if (!strncmp(j->target, "sbom:", 5) || bh_sbom_is_document(j->target))
		rc = bh_sbom_read(!strncmp(j->target, "sbom:", 5) ? j->target + 5 : j->target, &so.limits, &out->sbom, err);
	else
		rc = bh_scan_target(j->target, &so, &out->sbom, err);
	bh_log_progress_done();
	if (rc)
		goto out;
	if (db) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = bh_match(db, &out->sbom, &j->match, &out->findings, err)))
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		out->match_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		/* no findings because nothing was there to match against must not read as "clean" */
		if ((rc = bh_match_coverage(db, &out->sbom, err)))
			goto out;
		bh_log_info("matched %zu components: %zu findings in %.1f ms", out->sbom.comps.n, out->findings.n, out->match_ms);
	}
	if ((ic && (rc = bh_imgcheck_finish(ic, &out->sbom, &out->checks, err))) ||
	    ((scanners & BH_SCANNER_LICENSE) && (rc = bh_licfind_run(&out->sbom, p, j->license_data, &out->checks, err))) ||
	    (p && (rc = bh_policy_check_image(p, &out->sbom, &out->checks, err))) ||
	    (j->dockerfile && (rc = bh_cfgfile_check(j->dockerfile, BH_CFG_DOCKERFILE, &j->scan.limits, &out->checks, err))))
		goto out;
out:
	bh_imgcheck_free(ic);
	bh_vulndb_close(db);
	return rc;
}

/* Severity, unfixed, ignore files, VEX and the policy's switches: what is left is reported. */
static void filter(const bh_job *j, bh_job_result *r)
{
	const bh_policy *p = j->policy;
	unsigned sev = j->severities ? j->severities : p && p->severities ? p->severities : 0x1fu;
	bool unfixed = j->ignore_unfixed || (p && p->ignore_unfixed);
	time_t now = j->now ? j->now : time(NULL);
	size_t i, k;

	for (i = k = 0; i < r->findings.n; i++) {
		bh_finding *x = &r->findings.items[i];
		const bh_component *c = r->sbom.comps.items[x->comp];
		const bh_ignore_rule *ir;
		if (!(sev & (1u << x->severity)) || (unfixed && !x->fixed)) {
			/* counted so the reports can say what a severity list hid (Go advisories carry none) */
			r->findings.hidden_unknown += x->severity == BH_SEV_UNKNOWN && !(sev & (1u << x->severity));
			bh_finding_clear(x);
			continue;
		}
		if ((ir = bh_ignore_match_sbom(j->ignores, &r->sbom, x->id, x->aliases, c, now)) != NULL) {
			bh_log_info("%s in %s suppressed by %s%s%s", x->id, c->name, ir->origin, ir->reason ? ": " : "",
				    ir->reason ? ir->reason : "");
			r->suppressed++;
			bh_finding_clear(x);
			continue;
		}
		r->findings.items[k++] = *x;
	}
	r->findings.n = k;
	for (i = r->checks.n; i-- > 0;) {
		const bh_check_finding *x = &r->checks.items[i];
		if (!(sev & (1u << x->severity)) && !x->status) {
			bh_checks_remove(&r->checks, i);
		} else if (bh_policy_suppressed(p, x->rule, x->path, now) || bh_ignore_match(j->ignores, x->rule, NULL, NULL, now)) {
			r->suppressed++;
			bh_checks_remove(&r->checks, i);
		}
	}
	bh_findings_sort(&r->sbom, &r->findings);
	bh_checks_sort(&r->checks);
}

int bh_job_run(const bh_job *j, bh_job_result *out, bh_error *err)
{
	bh_job_kind k = bh_job_kind_of(j->target);
	int scanners = j->scanners >= 0 ? j->scanners : bh_job_default_scanners(j->target);
	int rc;

	memset(out, 0, sizeof(*out));
	bh_sbom_init(&out->sbom);
	rc = k == BH_JOB_INVENTORY ? run_inventory(j, scanners, out, err) : run_standalone(j, k, out, err);
	out->findings.count_informational = j->include_informational || (j->policy && j->policy->include_informational);
	if (!rc)
		filter(j, out);
	return rc;
}

void bh_job_result_free(bh_job_result *r)
{
	bh_sbom_free(&r->sbom);
	bh_findings_free(&r->findings);
	bh_checks_free(&r->checks);
	memset(r, 0, sizeof(*r));
}

size_t bh_job_failing(const bh_job_result *r, const bh_policy *p)
{
	int min = p ? p->fail_on : -1;
	size_t i, n = 0;
	for (i = 0; i < r->findings.n; i++)
		n += (!r->findings.items[i].kind || r->findings.count_informational) &&
		     (min < 0 || (int)r->findings.items[i].severity >= min);
	for (i = 0; i < r->checks.n; i++)
		n += !r->checks.items[i].status && (min < 0 || (int)r->checks.items[i].severity >= min);
	return n;
}
