/* scan.c - `bulkhead scan TARGET`: inventory (or a stored SBOM), match against the DB, run the
 * checks, apply the policy and filters, report. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check/cfgfile.h"
#include "check/container.h"
#include "check/host.h"
#include "check/image.h"
#include "check/licfind.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "core/log.h"
#include "image/engine.h"
#include "policy/ignore.h"
#include "policy/policy.h"
#include "sbom/sbomread.h"
#include "report/vulnreport.h"
#include "vuln/match.h"

enum { OPT_DB = 2000, OPT_SEVERITY, OPT_UNFIXED, OPT_EXITCODE, OPT_UNIMPORTANT, OPT_IGNORE, OPT_SCANNERS,
       OPT_DOCKERFILE, OPT_POLICY, OPT_MAXAGE, OPT_LICDATA };

/* Scanners (--scanners). */
enum { SC_VULN = 1, SC_CONFIG = 2, SC_SECRET = 4, SC_LICENSE = 8 };

static void usage(FILE *fp)
{
	fputs("usage: bulkhead scan [options] TARGET\n\n"
	      "  -f, --format FMT       table (default), json, sarif, cyclonedx (with vulnerabilities), junit,\n"
	      "                         html, markdown\n"
	      "      --scanners LIST    vuln,config,secret,license (default: images vuln,config,secret;\n"
	      "                         directories and SBOMs vuln; Dockerfiles, manifests, host, containers config)\n"
	      "      --dockerfile F     also lint the Dockerfile the image was built from\n"
	      "      --policy F         policy file (bulkhead.yaml): registries, denied packages and licences,\n"
	      "                         required labels, rules switched off, exceptions, severity, exit code\n"
	      "      --max-image-age D  report images created more than D days ago (default 365, 0 = off)\n"
	      "      --license-data F   SPDX licence list JSON (default ../shared/data/spdx-licenses if found)\n"
	      "      --db PATH          vulnerability DB (default $XDG_CACHE_HOME/bulkhead/vuln.db)\n"
	      "      --severity LIST    only these severities, e.g. HIGH,CRITICAL\n"
	      "      --ignore-unfixed   only vulnerabilities with a fixed version\n"
	      "      --include-unimportant  Debian \"unimportant\" issues too\n"
	      "      --exit-code N      exit with N when findings remain after filtering\n"
	      "      --ignore-file F    suppress findings: text (ID [exp:YYYY-MM-DD] # reason) or YAML with ids,\n"
	      "                         purls, paths, expires and reason (repeatable)\n"
	      "      --vex F            OpenVEX or CycloneDX VEX: not_affected statements suppress findings (repeatable)\n"
	      BH_CLI_TARGET_HELP
	      "\nTARGET: any `bulkhead sbom` target, an SBOM file (bulkhead JSON, CycloneDX, SPDX; prefix sbom: to force),\n"
	      "a Dockerfile (or dockerfile:PATH), a Kubernetes manifest (.yaml, or k8s:PATH), host (or host:ROOT)\n"
	      "for the Docker host's CIS checks, container:NAME for a running container (Docker Engine API)\n", fp);
}

/* "HIGH,CRITICAL" -> bit set of severities; 0 on a bad name. */
static unsigned parse_severities(const char *s)
{
	unsigned mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		char one[16];
		bh_severity v;
		snprintf(one, sizeof(one), "%.*s", (int)(n < 15 ? n : 15), s);
		v = bh_severity_parse(one);
		if (v == BH_SEV_UNKNOWN && strcasecmp(one, "unknown") != 0)
			return 0;
		mask |= 1u << v;
		s += n;
		s += *s == ',';
	}
	return mask;
}

/* "vuln,secret" -> SC_* bits; -1 on an unknown name. */
static int parse_scanners(const char *s)
{
	int bits = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 4 && !strncmp(s, "vuln", 4)) bits |= SC_VULN;
		else if ((n == 6 && !strncmp(s, "config", 6)) || (n == 9 && !strncmp(s, "misconfig", 9))) bits |= SC_CONFIG;
		else if (n == 6 && !strncmp(s, "secret", 6)) bits |= SC_SECRET;
		else if (n == 7 && !strncmp(s, "license", 7)) bits |= SC_LICENSE;
		else return -1;
		s += n;
		s += *s == ',';
	}
	return bits;
}

enum target_kind { T_INVENTORY, T_CFGFILE, T_HOST, T_CONTAINER };

/* Runs the checks that need no inventory: files, host, one container. s gets a name and kind only. */
static int run_standalone(enum target_kind tk, const char *target, bh_cli_common *c, bh_sbom *s, bh_checks *ck,
			  bh_error *err)
{
	int rc;
	bh_log_set_level(c->quiet ? BH_LOG_QUIET : BH_LOG_WARN + c->verbose);
	bh_sbom_init(s);
	s->input = strdup(target);
	if (tk == T_CFGFILE) {
		bh_cfg_kind k = bh_cfgfile_kind(target);
		s->kind = strdup(k == BH_CFG_DOCKERFILE ? "dockerfile" : "kubernetes");
		s->name = strdup(!strncmp(target, "dockerfile:", 11) ? target + 11 : !strncmp(target, "k8s:", 4) ? target + 4 : target);
		return bh_cfgfile_check(target, k, &c->scan.limits, ck, err);
	}
	if (tk == T_HOST) {
		const char *root = target[4] == ':' ? target + 5 : "/";
		s->kind = strdup("host");
		s->name = strdup(root);
		return bh_host_check(root, ck, err);
	}
	{
		json_t *doc = NULL;
		s->kind = strdup("container");
		s->name = strdup(target + 10);
		if ((rc = bh_engine_container_inspect(c->scan.engine_host, target + 10, &c->scan.limits, &doc, err)))
			return rc;
		rc = bh_container_check(doc, ck, err);
		json_decref(doc);
		return rc;
	}
}

int bh_cmd_scan(int argc, char **argv)
{
	struct option longopts[32] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "ignore-unfixed", no_argument, NULL, OPT_UNFIXED },
		{ "exit-code", required_argument, NULL, OPT_EXITCODE },
		{ "include-unimportant", no_argument, NULL, OPT_UNIMPORTANT },
		{ "ignore-file", required_argument, NULL, OPT_IGNORE },
		{ "vex", required_argument, NULL, OPT_IGNORE },
		{ "scanners", required_argument, NULL, OPT_SCANNERS },
		{ "dockerfile", required_argument, NULL, OPT_DOCKERFILE },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "max-image-age", required_argument, NULL, OPT_MAXAGE },
		{ "license-data", required_argument, NULL, OPT_LICDATA },
	};
	bh_cli_common c;
	bh_scan_format fmt = BH_SCAN_TABLE;
	bh_match_opts mo = { false };
	unsigned sevmask = 0x1f;
	int ignore_unfixed = 0, exit_code = 0, ch, rc = 0, scanners = -1, max_age = -1;
	char *dbpath = NULL;
	const char *dockerfile = NULL, *policy_path = NULL, *licdata = NULL, *target;
	bh_vulndb *db = NULL;
	bh_findings f = { 0 };
	bh_checks ck = { 0 };
	bh_ignores ig = { NULL, 0 };
	bh_policy pol;
	bool have_policy = false;
	bh_imgcheck *ic = NULL;
	enum target_kind tk = T_INVENTORY;
	size_t suppressed = 0, remaining;
	time_t now = time(NULL);
	bh_sbom s;
	bh_error err;
	FILE *fp;
	size_t i, k;

	memset(&pol, 0, sizeof(pol));
	bh_sbom_init(&s);
	memcpy(longopts + 14, bh_cli_target_longopts, 8 * sizeof(struct option));
	bh_cli_common_init(&c);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:qvh", longopts, NULL)) != -1) {
		int r = bh_cli_common_opt(&c, ch, optarg, "scan");
		if (r < 0) {
			rc = BH_EUSAGE;
			goto done;
		}
		if (r)
			continue;
		switch (ch) {
		case 'f':
			if (bh_scan_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead scan: unknown format \"%s\" (table, json, sarif, cyclonedx, junit, html, markdown)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DB: free(dbpath); dbpath = strdup(optarg); break;
		case OPT_SEVERITY:
			if (!(sevmask = parse_severities(optarg))) {
				fprintf(stderr, "bulkhead scan: bad --severity \"%s\" (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_UNFIXED: ignore_unfixed = 1; break;
		case OPT_UNIMPORTANT: mo.include_unimportant = true; break;
		case OPT_IGNORE:
			if ((rc = bh_ignore_load(&ig, optarg, &c.scan.limits, &err))) {
				fprintf(stderr, "bulkhead: %s\n", err.msg);
				goto done;
			}
			break;
		case OPT_EXITCODE:
			exit_code = atoi(optarg);
			if (exit_code < 0 || exit_code > 255) {
				fprintf(stderr, "bulkhead scan: --exit-code takes 0..255\n");
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_SCANNERS:
			if ((scanners = parse_scanners(optarg)) <= 0) {
				fprintf(stderr, "bulkhead scan: bad --scanners \"%s\" (vuln,config,secret,license)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DOCKERFILE: dockerfile = optarg; break;
		case OPT_POLICY: policy_path = optarg; break;
		case OPT_LICDATA: licdata = optarg; break;
		case OPT_MAXAGE:
			max_age = atoi(optarg);
			if (max_age < 0 || max_age > 100000) {
				fprintf(stderr, "bulkhead scan: --max-image-age takes a number of days (0 = off)\n");
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case 'h': usage(stdout); goto done;
		default: usage(stderr); rc = BH_EUSAGE; goto done;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		rc = BH_EUSAGE;
		goto done;
	}
	target = argv[optind];
	if (!strcmp(target, "host") || !strncmp(target, "host:", 5))
		tk = T_HOST;
	else if (!strncmp(target, "container:", 10))
		tk = T_CONTAINER;
	else if (bh_cfgfile_kind(target) != BH_CFG_NONE)
		tk = T_CFGFILE;
	if (policy_path) {
		if ((rc = bh_policy_load(policy_path, &c.scan.limits, &pol, &err))) {
			fprintf(stderr, "bulkhead: %s\n", err.msg);
			goto done;
		}
		have_policy = true;
		if (pol.severities && sevmask == 0x1f)
			sevmask = pol.severities;
		if (pol.ignore_unfixed)
			ignore_unfixed = 1;
		if (pol.exit_code && !exit_code)
			exit_code = pol.exit_code;
		if (pol.max_image_age_days >= 0 && max_age < 0)
			max_age = pol.max_image_age_days;
	}
	if (scanners < 0) {
		if (tk != T_INVENTORY)
			scanners = SC_CONFIG;
		else if (!strncmp(target, "dir:", 4) || !strncmp(target, "sbom:", 5) || bh_sbom_is_document(target))
			scanners = SC_VULN;
		else
			scanners = SC_VULN | SC_CONFIG | SC_SECRET;
	}

	if (tk != T_INVENTORY) {
		if ((rc = run_standalone(tk, target, &c, &s, &ck, &err))) {
			fprintf(stderr, "bulkhead: %s: %s\n", bh_error_name(rc), err.msg);
			goto done;
		}
	} else {
		if (scanners & SC_VULN) {
			if (!dbpath)
				dbpath = bh_vulndb_default_path();
			if ((rc = bh_vulndb_open(dbpath, &db, &err))) {
				fprintf(stderr, "bulkhead: %s: %s\n", bh_error_name(rc), err.msg);
				goto done;
			}
		}
		if (scanners & (SC_CONFIG | SC_SECRET)) {
			bh_imgcheck_opts io;
			bh_imgcheck_opts_default(&io);
			io.config = (scanners & SC_CONFIG) != 0;
			io.secrets = (scanners & SC_SECRET) != 0;
			if (max_age >= 0)
				io.max_age_days = (unsigned)max_age;
			io.secret_max_file = c.scan.limits.max_file_read;
			io.secret_rules = have_policy ? pol.secret_rules : NULL;
			if ((rc = bh_imgcheck_new(&io, &ic, &err))) {
				fprintf(stderr, "bulkhead: %s\n", err.msg);
				goto done;
			}
			c.scan.hook = bh_imgcheck_hook(ic);
		}
		bh_sbom_free(&s);
		if ((rc = bh_cli_inventory(&c, target, 1, &s)))
			goto done;
		if (db) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if ((rc = bh_match(db, &s, &mo, &f, &err))) {
				fprintf(stderr, "bulkhead: %s\n", err.msg);
				goto done;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			bh_log_info("matched %zu components: %zu findings in %.1f ms", s.comps.n, f.n,
				    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		}
		if (ic && (rc = bh_imgcheck_finish(ic, &s, &ck, &err))) {
			fprintf(stderr, "bulkhead: %s\n", err.msg);
			goto done;
		}
		if ((scanners & SC_LICENSE) && (rc = bh_licfind_run(&s, have_policy ? &pol : NULL, licdata, &ck, &err))) {
			fprintf(stderr, "bulkhead: %s\n", err.msg);
			goto done;
		}
		if (have_policy && (rc = bh_policy_check_image(&pol, &s, &ck, &err))) {
			fprintf(stderr, "bulkhead: %s\n", err.msg);
			goto done;
		}
		if (dockerfile && (rc = bh_cfgfile_check(dockerfile, BH_CFG_DOCKERFILE, &c.scan.limits, &ck, &err))) {
			fprintf(stderr, "bulkhead: %s: %s\n", bh_error_name(rc), err.msg);
			goto done;
		}
	}
	/* Filters drop findings before reports and before the exit code is decided. */
	for (i = k = 0; i < f.n; i++) {
		bh_finding *x = &f.items[i];
		if (!(sevmask & (1u << x->severity)) || (ignore_unfixed && !x->fixed)) {
			bh_finding_clear(x);
			continue;
		}
		{
			const bh_ignore_rule *r = bh_ignore_match(&ig, x->id, x->aliases, s.comps.items[x->comp], now);
			if (r) {
				if (c.verbose)
					fprintf(stderr, "bulkhead: %s in %s suppressed by %s%s%s\n", x->id, s.comps.items[x->comp]->name,
						r->origin, r->reason ? ": " : "", r->reason ? r->reason : "");
				suppressed++;
				bh_finding_clear(x);
				continue;
			}
		}
		f.items[k++] = *x;
	}
	f.n = k;
	for (i = ck.n; i-- > 0;) {
		const bh_check_finding *x = &ck.items[i];
		if (!(sevmask & (1u << x->severity)) && !x->status) {
			bh_checks_remove(&ck, i);
		} else if ((have_policy && bh_policy_suppressed(&pol, x->rule, x->path, now)) ||
			   bh_ignore_match(&ig, x->rule, NULL, NULL, now)) {
			suppressed++;
			bh_checks_remove(&ck, i);
		}
	}
	if (suppressed && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s suppressed by the policy, ignore files or VEX\n", suppressed,
			suppressed == 1 ? "" : "s");
	bh_findings_sort(&s, &f);
	bh_checks_sort(&ck);
	if (!(fp = bh_cli_open_output(&c))) {
		rc = BH_EIO;
		goto done;
	}
	rc = bh_vreport_write(&s, &f, &ck, fmt, fp, &err);
	if (rc)
		fprintf(stderr, "bulkhead: %s\n", err.msg);
	if (bh_cli_close_output(&c, fp) && !rc)
		rc = BH_EIO;
done:
	/* What fails the run: any remaining finding, or with the policy's fail-on only those at or above it. */
	remaining = 0;
	for (i = 0; i < f.n; i++)
		remaining += !have_policy || pol.fail_on < 0 || (int)f.items[i].severity >= pol.fail_on;
	for (i = 0; i < ck.n; i++)
		remaining += !ck.items[i].status && (!have_policy || pol.fail_on < 0 || (int)ck.items[i].severity >= pol.fail_on);
	bh_imgcheck_free(ic);
	if (have_policy)
		bh_policy_free(&pol);
	bh_ignore_free(&ig);
	bh_vulndb_close(db);
	bh_sbom_free(&s);
	free(dbpath);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	if (rc)
		return bh_cli_exit_code(rc);
	return remaining && exit_code ? exit_code : BH_EXIT_OK;
}
