/* scan.c - `bulkhead scan TARGET`: options into a scan job (src/scan), then the report and the exit code. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/log.h"
#include "report/vulnreport.h"
#include "scan/scan.h"

enum { OPT_DB = 2000, OPT_SEVERITY, OPT_UNFIXED, OPT_EXITCODE, OPT_UNIMPORTANT, OPT_IGNORE, OPT_SCANNERS,
       OPT_DOCKERFILE, OPT_POLICY, OPT_MAXAGE, OPT_LICDATA, OPT_INFORMATIONAL };

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
	      "      --license-data F   SPDX licence list JSON (default: a built-in table of common licences)\n"
	      "      --db PATH          vulnerability DB (default $XDG_CACHE_HOME/bulkhead/vuln.db)\n"
	      "      --severity LIST    only these severities, e.g. HIGH,CRITICAL\n"
	      "      --ignore-unfixed   only vulnerabilities with a fixed version\n"
	      "      --include-unimportant  Debian \"unimportant\" issues too\n"
	      "      --include-informational  count RustSec unmaintained/unsound/notice advisories as vulnerabilities\n"
	      "      --exit-code N      exit with N when findings remain after filtering\n"
	      "      --ignore-file F    suppress findings: text (ID [exp:YYYY-MM-DD] # reason) or YAML with ids,\n"
	      "                         purls, paths, expires and reason (repeatable)\n"
	      "      --vex F            OpenVEX or CycloneDX VEX: not_affected statements suppress findings (repeatable)\n"
	      BH_CLI_TARGET_HELP
	      "\nTARGET: any `bulkhead sbom` target, an SBOM file (bulkhead JSON, CycloneDX, SPDX; prefix sbom: to force),\n"
	      "a Dockerfile (or dockerfile:PATH), a Kubernetes manifest (.yaml, or k8s:PATH), host (or host:ROOT)\n"
	      "for the Docker host's CIS checks, container:NAME for a running container or containers for all of\n"
	      "them (Docker Engine API)\n", fp);
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

/* "vuln,secret" -> BH_SCANNER_* bits; -1 on an unknown name. */
static int parse_scanners(const char *s)
{
	int bits = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 4 && !strncmp(s, "vuln", 4)) bits |= BH_SCANNER_VULN;
		else if ((n == 6 && !strncmp(s, "config", 6)) || (n == 9 && !strncmp(s, "misconfig", 9))) bits |= BH_SCANNER_CONFIG;
		else if (n == 6 && !strncmp(s, "secret", 6)) bits |= BH_SCANNER_SECRET;
		else if (n == 7 && !strncmp(s, "license", 7)) bits |= BH_SCANNER_LICENSE;
		else return -1;
		s += n;
		s += *s == ',';
	}
	return bits;
}

int bh_cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
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
		{ "include-informational", no_argument, NULL, OPT_INFORMATIONAL },
		BH_CLI_TARGET_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	bh_cli_common c;
	bh_vreport_format fmt = BH_VREPORT_TABLE;
	int exit_code = 0, ch, rc = 0, fail = 0;
	bool write_failed = false;
	const char *policy_path = NULL, *sev_arg = NULL;
	bh_ignores ig = { NULL, 0 };
	bh_policy pol;
	bool have_policy = false, have_exit_code = false;
	bh_scan_job job;
	bh_scan_result res;
	bh_error err;
	bh_cli_out out;

	memset(&pol, 0, sizeof(pol));
	memset(&res, 0, sizeof(res));
	bh_scan_job_init(&job);
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
			if (bh_vreport_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead scan: unknown format \"%s\" (table, json, sarif, cyclonedx, junit, html, markdown)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DB: job.db_path = optarg; break;
		case OPT_SEVERITY:
			sev_arg = optarg;
			if (!(job.severities = parse_severities(optarg))) {
				fprintf(stderr, "bulkhead scan: bad --severity \"%s\" (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_UNFIXED: job.ignore_unfixed = true; break;
		case OPT_UNIMPORTANT: job.match.include_unimportant = true; break;
		case OPT_INFORMATIONAL: job.include_informational = true; break;
		case OPT_IGNORE:
			if ((rc = bh_ignore_load(&ig, optarg, &c.scan.limits, &err))) {
				bh_cli_print_error(rc, &err);
				goto done;
			}
			break;
		case OPT_EXITCODE:
			if (bh_cli_parse_uint(optarg, 255, &exit_code)) {
				fprintf(stderr, "bulkhead scan: --exit-code takes a decimal number 0..255, not \"%.40s\"\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			have_exit_code = true;
			break;
		case OPT_SCANNERS:
			if ((job.scanners = parse_scanners(optarg)) <= 0) {
				fprintf(stderr, "bulkhead scan: bad --scanners \"%s\" (vuln,config,secret,license)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DOCKERFILE: job.dockerfile = optarg; break;
		case OPT_POLICY: policy_path = optarg; break;
		case OPT_LICDATA: job.license_data = optarg; break;
		case OPT_MAXAGE:
			if (bh_cli_parse_uint(optarg, 100000, &job.max_age_days)) {
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
	if (policy_path) {
		if ((rc = bh_policy_load(policy_path, &c.scan.limits, &pol, &err))) {
			bh_cli_print_error(rc, &err);
			goto done;
		}
		have_policy = true;
		job.policy = &pol;
		/* --exit-code wins; a policy with fail-on and no exit-code fails the run with 1 */
		if (!have_exit_code)
			exit_code = pol.exit_code ? pol.exit_code : pol.fail_on >= 0 ? BH_EXIT_ERROR : 0;
	}
	if ((rc = bh_cli_registry_credentials(&c, &err))) {
		bh_cli_print_error(rc, &err);
		goto done;
	}
	job.target = argv[optind];
	job.ignores = &ig;
	job.scan = c.scan;
	bh_log_set_level(c.quiet ? BH_LOG_QUIET : BH_LOG_WARN + c.verbose);
	bh_log_set_progress(!c.quiet && isatty(2));
	bh_error_clear(&err);
	if ((rc = bh_scan_run(&job, &res, &err))) {
		bh_cli_print_error(rc, &err);
		goto done;
	}
	/* UNKNOWN is not "low": say what the severity list hid (Go advisories carry no severity) */
	if (res.findings.hidden_unknown && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s of UNKNOWN severity hidden by %s%s (their advisories carry none, as Go's; "
			"add UNKNOWN to the list to see them)\n", res.findings.hidden_unknown, res.findings.hidden_unknown == 1 ? "" : "s",
			sev_arg ? "--severity " : "the policy's severity list", sev_arg ? sev_arg : "");
	if (res.suppressed && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s suppressed by the policy, ignore files or VEX\n", res.suppressed,
			res.suppressed == 1 ? "" : "s");
	/* The scan is done: a report that cannot be written is exit 1 (README), whatever the cause. */
	if (bh_cli_open_output(&c, &out)) {
		write_failed = true;
		goto done;
	}
	if ((rc = bh_vreport_write(&res.sbom, &res.findings, &res.checks, fmt, out.fp, &err))) {
		bh_cli_print_error(rc, &err);
		write_failed = true;
		rc = 0;
	}
	if (bh_cli_close_output(&c, &out, !write_failed))
		write_failed = true;
	/* Not an error: the findings that remain (at or above the policy's fail-on) decide. */
	if (!write_failed && exit_code && bh_scan_failing(&res, have_policy ? &pol : NULL))
		fail = exit_code;
done:
	bh_scan_result_free(&res);
	if (have_policy)
		bh_policy_free(&pol);
	bh_ignore_free(&ig);
	return rc ? bh_cli_exit_code(rc) : write_failed ? BH_EXIT_ERROR : fail;
}
