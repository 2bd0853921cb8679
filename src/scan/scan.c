/* scan.c - one scan job: inventory, matching, checks, policy and filters, in that order. */
#include "scan/scan.h"

#include <stdlib.h>
#include <string.h>

#include "check/cfgfile.h"
#include "check/container.h"
#include "check/host.h"
#include "check/image.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/engine.h"
#include "policy/licpolicy.h"
#include "sbom/sbomread.h"

void bh_scan_job_init(bh_scan_job *j)
{
	memset(j, 0, sizeof(*j));
	j->scanners = -1;
	j->max_age_days = -1;
	bh_source_opts_default(&j->scan);
}

/* Image, directory or stored SBOM: the kinds with an inventory to match. */
static bool has_inventory(bh_target_kind k)
{
	return (BH_TARGETS_IMAGE & BH_TARGET_BIT(k)) || k == BH_TARGET_SBOM;
}

int bh_scan_default_scanners(const bh_target *t)
{
	if (!has_inventory(t->kind))
		return BH_SCANNER_CONFIG;
	/* Written dir: targets are usually a host or a source tree: secrets and image rules are opt-in
	 * there (a bare directory path keeps the image defaults, as it always had). */
	if ((t->kind == BH_TARGET_DIR && !t->detected) || t->kind == BH_TARGET_SBOM)
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
static int check_all_containers(const bh_scan_job *j, bh_scan_result *out, bh_error *err)
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
	out->containers = n;
	bh_log_info("checked %zu running containers", n);
	return rc;
}

/* Checks that need no inventory: a config file, the host, one container. */
static int run_standalone(const bh_scan_job *j, const bh_target *t, bh_scan_result *out, bh_error *err)
{
	int rc;
	if (set_str(&out->sbom.input, t->input))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (t->kind == BH_TARGET_CONTAINERS)
		return check_all_containers(j, out, err);
	if (set_str(&out->sbom.kind, bh_target_kind_name(t->kind)) || set_str(&out->sbom.name, t->ref))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (t->kind == BH_TARGET_DOCKERFILE || t->kind == BH_TARGET_K8S)
		return bh_cfgfile_check_pss(t->ref, t->kind, &j->scan.limits, j->pss_version, &out->checks, err);
	if (t->kind == BH_TARGET_HOST)
		return bh_host_check(t->ref, &out->checks, err);
	{
		json_t *doc = NULL;
		if ((rc = bh_engine_container_inspect(j->scan.engine_host, t->ref, &j->scan.limits, &doc, err)))
			return rc;
		rc = bh_container_check(doc, &out->checks, err);
		json_decref(doc);
		out->containers = !rc;
		return rc;
	}
}

/* Image, directory or stored SBOM: inventory with the image checks riding on the layer walk. */
static int run_inventory(const bh_scan_job *j, const bh_target *t, int scanners, bh_scan_result *out, bh_error *err)
{
	const bh_policy *p = j->policy;
	bh_source_opts so = j->scan;
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
	if (t->kind == BH_TARGET_SBOM)
		rc = bh_sbom_read(t->ref, &so.limits, &out->sbom, err);
	else
		rc = bh_source_read(t, &so, &out->sbom, err);
	bh_log_progress_done();
	if (rc)
		goto out;
	/* the checks see the whole inventory (sudo installed, licences, denied packages) whatever --pkg-types says */
	if ((ic && (rc = bh_imgcheck_finish(ic, &out->sbom, &out->checks, err))) ||
	    ((scanners & BH_SCANNER_LICENSE) && (rc = bh_licpolicy_run(&out->sbom, p, j->license_data, &out->checks, err))) ||
	    (p && (rc = bh_policy_check_image(p, &out->sbom, &out->checks, err))) ||
	    (j->dockerfile && (rc = bh_cfgfile_check(j->dockerfile, BH_TARGET_DOCKERFILE, &j->scan.limits, &out->checks, err))))
		goto out;
	if (so.pkg_types) {
		size_t dropped = bh_complist_keep_pkgtypes(&out->sbom.comps, so.pkg_types);
		bh_log_info("--pkg-types: %zu component%s of other types left out", dropped, dropped == 1 ? "" : "s");
	}
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
out:
	bh_imgcheck_free(ic);
	bh_vulndb_close(db);
	return rc;
}

/* Severity, unfixed, ignore files, VEX and the policy's switches: what is left is reported. */
static void filter(const bh_scan_job *j, bh_scan_result *r)
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
			if (j->show_suppressed && bh_suppressions_add(&r->suppressed_list, false, x->id, c->name, c->version, c->path,
								      x->severity, ir->reason, ir->origin))
				r->oom = true;
			bh_finding_clear(x);
			continue;
		}
		r->findings.items[k++] = *x;
	}
	r->findings.n = k;
	for (i = r->checks.n; i-- > 0;) {
		const bh_check_finding *x = &r->checks.items[i];
		const bh_ignore_rule *ir = NULL;
		if (!(sev & (1u << x->severity)) && !x->status) {
			bh_checks_remove(&r->checks, i);
		} else if (bh_policy_suppressed(p, x->rule, x->path, now) || (ir = bh_ignore_match(j->ignores, x->rule, NULL, NULL, now))) {
			r->suppressed++;
			if (j->show_suppressed &&
			    bh_suppressions_add(&r->suppressed_list, true, x->rule, NULL, NULL, x->path, x->severity,
						ir ? ir->reason : "an exception in the policy file", ir ? ir->origin : "policy"))
				r->oom = true;
			bh_checks_remove(&r->checks, i);
		}
	}
	bh_findings_sort(&r->sbom, &r->findings);
	bh_checks_sort(&r->checks);
}

int bh_scan_run(const bh_scan_job *j, bh_scan_result *out, bh_error *err)
{
	bh_target t;
	int scanners, rc;

	memset(out, 0, sizeof(*out));
	bh_sbom_init(&out->sbom);
	if ((rc = bh_target_parse(j->target, BH_TARGETS_ALL, &t, err))) {
		bh_target_free(&t);
		return rc;
	}
	scanners = j->scanners >= 0 ? j->scanners : bh_scan_default_scanners(&t);
	rc = has_inventory(t.kind) ? run_inventory(j, &t, scanners, out, err) : run_standalone(j, &t, out, err);
	bh_target_free(&t);
	out->findings.count_informational = j->include_informational || (j->policy && j->policy->include_informational);
	if (!rc) {
		filter(j, out);
		if (out->oom)
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return rc;
}

void bh_scan_result_free(bh_scan_result *r)
{
	bh_sbom_free(&r->sbom);
	bh_findings_free(&r->findings);
	bh_checks_free(&r->checks);
	bh_suppressions_free(&r->suppressed_list);
	memset(r, 0, sizeof(*r));
}

size_t bh_scan_failing(const bh_scan_result *r, const bh_policy *p)
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
