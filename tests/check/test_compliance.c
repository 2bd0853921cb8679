/* test_compliance.c - benchmark controls from a TSV and their status from findings: pass, fail, not applicable, manual. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/compliance.h"
#include "check/rules.h"
#include "support/tmpdir.h"

static char dir[256], tsv[320];

/* Rows as docker-bench-security_checks.tsv writes them: its quirks (an id repeated in the title,
 * "(Scored)" with an empty assessment, community checks) included. */
static const char data[] =
	"id\tkind\ttitle\tassessment\tscored_in_docker_bench\tremediation_impact\tsource_file\tfunction\n"
	"1\tsection\tHost Configuration\t\t\t\ttests/1_host_configuration.sh\tcheck_1\n"
	"1.1\tsection\tLinux Hosts Specific Configuration\t\t\t\ttests/1_host_configuration.sh\tcheck_1_1\n"
	"1.1.12\tcheck\t1.1.12 Ensure auditing is configured for Dockerfiles and directories - /etc/containerd/config.toml\tAutomated\tyes\tx\ttests/1_host_configuration.sh\tcheck_1_1_12\n"
	"1.2.1\tcheck\tEnsure the container host has been Hardened\tManual\tinfo/note\tNone.\ttests/1_host_configuration.sh\tcheck_1_2_1\n"
	"2\tsection\tDocker daemon configuration\t\t\t\ttests/2_docker_daemon_configuration.sh\tcheck_2\n"
	"2.2\tcheck\tEnsure network traffic is restricted between containers on the default bridge (Scored)\t\tyes\tx\ttests/2_docker_daemon_configuration.sh\tcheck_2_2\n"
	"4\tsection\tContainer Images and Build File\t\t\t\ttests/4_container_images.sh\tcheck_4\n"
	"4.1\tcheck\tEnsure that a user for the container has been created\tAutomated\tyes\tx\ttests/4_container_images.sh\tcheck_4_1\n"
	"4.7\tcheck\tEnsure update instructions are not used alone in the Dockerfile\tManual\tyes\tx\ttests/4_container_images.sh\tcheck_4_7\n"
	"5\tsection\tContainer Runtime\t\t\t\ttests/5_container_runtime.sh\tcheck_5\n"
	"5.5\tcheck\tEnsure that privileged containers are not used\tAutomated\tyes\tx\ttests/5_container_runtime.sh\tcheck_5_5\n"
	"5.16\tcheck\tEnsure that the host's process namespace is not shared\tAutomated\tyes\tx\ttests/5_container_runtime.sh\tcheck_5_16\n"
	"6.1\tcheck\tEnsure that image sprawl is avoided\tManual\tyes\tx\ttests/6_docker_security_operations.sh\tcheck_6_1\n"
	"99\tsection\tCommunity contributed checks\t\t\t\ttests/99_community_checks.sh\tcheck_c\n"
	"C.1\tcheck\tThis is a example check for a Automated check\t\t\t\ttests/99_community_checks.sh\tcheck_c_1\n"
	"C.5.3.1\tcheck\tEnsure that CAP_DAC_READ_SEARCH Linux kernel capability is disabled\tAutomated\t\t\ttests/99_community_checks.sh\tcheck_c_5_3_1\n";

static int setup(void **state)
{
	FILE *fp;
	(void)state;
	if (bh_test_mkdtemp(dir, sizeof(dir), "compliance"))
		return -1;
	snprintf(tsv, sizeof(tsv), "%s/checks.tsv", dir);
	if (!(fp = fopen(tsv, "w")))
		return -1;
	fputs(data, fp);
	return fclose(fp);
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

static const bh_comp_control *ctl(const bh_compliance *c, const char *id)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].id, id))
			return &c->items[i];
	fail_msg("control %s missing", id);
	return NULL;
}

static void add(bh_checks *ck, const char *rule, const char *cis, const char *category, const char *status, const char *detail)
{
	bh_check_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = rule;
	f.cis = cis;
	f.category = category;
	f.severity = status ? BH_SEV_UNKNOWN : BH_SEV_HIGH;
	f.title = "t";
	f.target = "tgt";
	f.status = status;
	f.detail = detail;
	assert_int_equal(bh_checks_add(ck, &f), 0);
}

static void test_load(void **state)
{
	bh_compliance c;
	bh_error err;
	(void)state;
	assert_int_equal(bh_compliance_load_docker(tsv, &c, &err), 0);
	/* every check row, the community checks (section 99, C.n) left out, in file order */
	assert_int_equal(c.n, 8);
	assert_string_equal(c.items[0].id, "1.1.12");
	assert_string_equal(c.items[7].id, "6.1");
	assert_string_equal(c.benchmark, "docker-cis-1.6");
	/* the id repeated in the title is dropped; "(Scored)" becomes the assessment */
	assert_string_equal(ctl(&c, "1.1.12")->title, "Ensure auditing is configured for Dockerfiles and directories - /etc/containerd/config.toml");
	assert_string_equal(ctl(&c, "2.2")->title, "Ensure network traffic is restricted between containers on the default bridge");
	assert_string_equal(ctl(&c, "2.2")->assessment, "Automated");
	assert_string_equal(ctl(&c, "5.5")->section, "Container Runtime");
	bh_compliance_free(&c);
}

static void test_bad_files(void **state)
{
	char p[400];
	FILE *fp;
	bh_compliance c;
	bh_error err;
	(void)state;
	snprintf(p, sizeof(p), "%s/none.tsv", dir);
	assert_int_equal(bh_compliance_load_docker(p, &c, &err), BH_ENOTFOUND);
	assert_int_equal(c.n, 0);
	snprintf(p, sizeof(p), "%s/bad.tsv", dir);
	assert_non_null(fp = fopen(p, "w"));
	fputs("benchmark\tfile\tnode_type\n1.1\tx\ty\n", fp);
	fclose(fp);
	assert_int_equal(bh_compliance_load_docker(p, &c, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "header"));
	assert_null(c.items);
}

/* Host, a container and an image scanned: a finding fails its control, the rest of the scanned
 * categories pass, Dockerfile-only rules are not applicable, controls no rule maps to are manual. */
static void test_status(void **state)
{
	bh_compliance c;
	bh_checks ck = { NULL, 0, 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_compliance_load_docker(tsv, &c, &err), 0);
	add(&ck, "BH-CTR-005", "5.5", "container", NULL, "HostConfig.Privileged: true");
	add(&ck, "BH-CTR-005", "5.5", "container", NULL, "second container");
	add(&ck, "BH-IMG-001", "4.1", "image-config", NULL, "no USER");
	add(&ck, "BH-HOST-021", "2.2", "host", NULL, "\"icc\": true");
	assert_int_equal(bh_compliance_eval(&c, &ck, BH_COMP_RAN_HOST | BH_COMP_RAN_CONTAINER | BH_COMP_RAN_IMAGE | BH_COMP_RAN_SECRET, &err), 0);
	assert_int_equal(ctl(&c, "5.5")->status, BH_COMP_FAIL);
	assert_int_equal(ctl(&c, "5.5")->nhits, 2);
	assert_int_equal(ctl(&c, "5.5")->hits[1], 1);
	assert_non_null(strstr(ctl(&c, "5.5")->reason, "2 findings: BH-CTR-005"));
	assert_int_equal(ctl(&c, "4.1")->status, BH_COMP_FAIL);
	assert_int_equal(ctl(&c, "2.2")->status, BH_COMP_FAIL);
	assert_int_equal(ctl(&c, "5.16")->status, BH_COMP_PASS);
	assert_string_equal(ctl(&c, "5.16")->rules, "BH-CTR-016");
	assert_int_equal(ctl(&c, "1.1.12")->status, BH_COMP_PASS);
	/* 4.7 is checked by a Dockerfile rule only and no Dockerfile was scanned */
	assert_int_equal(ctl(&c, "4.7")->status, BH_COMP_NA);
	assert_non_null(strstr(ctl(&c, "4.7")->reason, "no Dockerfile scanned"));
	assert_int_equal(ctl(&c, "1.2.1")->status, BH_COMP_MANUAL);
	assert_non_null(strstr(ctl(&c, "1.2.1")->reason, "Manual control"));
	assert_int_equal(ctl(&c, "6.1")->status, BH_COMP_MANUAL);
	assert_int_equal(c.count[BH_COMP_FAIL], 3);
	assert_int_equal(c.count[BH_COMP_PASS], 2);
	assert_int_equal(c.count[BH_COMP_NA], 1);
	assert_int_equal(c.count[BH_COMP_MANUAL], 2);
	assert_int_equal(c.count[BH_COMP_FAIL] + c.count[BH_COMP_PASS] + c.count[BH_COMP_NA] + c.count[BH_COMP_MANUAL], c.n);
	/* 4.1 maps to an image rule and a Dockerfile rule: both listed */
	assert_non_null(strstr(ctl(&c, "4.1")->rules, "BH-IMG-001"));
	assert_non_null(strstr(ctl(&c, "4.1")->rules, "BH-DF-001"));
	bh_checks_free(&ck);
	bh_compliance_free(&c);
}

/* Nothing scanned for a section: not applicable with the reason; the same evaluation run again on
 * other findings starts afresh. */
static void test_not_applicable(void **state)
{
	bh_compliance c;
	bh_checks ck = { NULL, 0, 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_compliance_load_docker(tsv, &c, &err), 0);
	assert_int_equal(bh_compliance_eval(&c, &ck, BH_COMP_RAN_HOST, &err), 0);
	assert_int_equal(ctl(&c, "5.5")->status, BH_COMP_NA);
	assert_string_equal(ctl(&c, "5.5")->reason, "no running containers scanned");
	assert_int_equal(ctl(&c, "4.1")->status, BH_COMP_NA);
	assert_non_null(strstr(ctl(&c, "4.1")->reason, "no image scanned"));
	assert_int_equal(ctl(&c, "2.2")->status, BH_COMP_PASS);
	/* a host without Docker: the category-wide finding is the reason, and the host ran nothing */
	add(&ck, "BH-HOST-000", NULL, "host", "not-applicable", "the Docker engine is not installed");
	assert_int_equal(bh_compliance_na_categories(&ck), BH_COMP_RAN_HOST);
	assert_int_equal(bh_compliance_eval(&c, &ck, 0, &err), 0);
	assert_int_equal(ctl(&c, "2.2")->status, BH_COMP_NA);
	assert_string_equal(ctl(&c, "2.2")->reason, "the Docker engine is not installed");
	assert_int_equal(ctl(&c, "2.2")->nhits, 0);
	/* a control's own not-applicable finding (a check that needs the running daemon) */
	add(&ck, "BH-HOST-021", "2.2", "host", "not-applicable", "needs the running daemon");
	assert_int_equal(bh_compliance_eval(&c, &ck, BH_COMP_RAN_HOST, &err), 0);
	assert_int_equal(ctl(&c, "2.2")->status, BH_COMP_NA);
	assert_string_equal(ctl(&c, "2.2")->reason, "needs the running daemon");
	/* a failing finding wins over a not-applicable one */
	add(&ck, "BH-HOST-021", "2.2", "host", NULL, "\"icc\": true");
	assert_int_equal(bh_compliance_eval(&c, &ck, BH_COMP_RAN_HOST, &err), 0);
	assert_int_equal(ctl(&c, "2.2")->status, BH_COMP_FAIL);
	assert_int_equal(ctl(&c, "2.2")->nhits, 1);
	assert_int_equal(ctl(&c, "2.2")->hits[0], 2);
	assert_string_equal(bh_compliance_status_name(BH_COMP_NA), "not-applicable");
	bh_checks_free(&ck);
	bh_compliance_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_not_applicable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
