/* test_risk.c - the risk score's order properties and the terms it reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/risk.h"

static int score(const bh_risk_input *in)
{
	bh_risk r;
	bh_risk_compute(in, &r);
	return r.score;
}

static const bh_risk_term *find(const bh_risk *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->terms[i].name, name))
			return &r->terms[i];
	return NULL;
}

static void running(bh_risk_input *in, long n, long hosts)
{
	in->running = n;
	in->hosts = hosts;
	in->exposure_known = true;
}

static void test_kev_beats_not_kev(void **state)
{
	bh_risk_input a, b;
	bh_severity s;
	(void)state;
	for (s = BH_SEV_UNKNOWN; s <= BH_SEV_CRITICAL; s++) {
		bh_risk_input_init(&a, s);
		bh_risk_input_init(&b, s);
		a.kev = true;
		/* even the highest EPSS percentile is a prediction: KEV is observed */
		b.has_epss = true;
		b.epss = 0.97;
		b.epss_pct = 1.0;
		assert_true(score(&a) > score(&b));
		a.kev_ransomware = true;
		{
			int with = score(&a);
			a.kev_ransomware = false;
			assert_true(with > score(&a));
		}
	}
}

static void test_epss_monotone(void **state)
{
	bh_risk_input a;
	int prev = -1, i;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_HIGH);
	a.cvss = 7.5;
	for (i = 0; i <= 10; i++) {
		int s;
		a.has_epss = true;
		a.epss_pct = i / 10.0;
		s = score(&a);
		assert_true(s >= prev);
		prev = s;
	}
	/* an unknown EPSS counts as the lowest percentile, not less */
	a.has_epss = false;
	{
		int unknown = score(&a);
		a.has_epss = true;
		a.epss_pct = 0;
		assert_int_equal(unknown, score(&a));
	}
}

static void test_running_beats_not_running(void **state)
{
	bh_risk_input a, b, c;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_MEDIUM);
	bh_risk_input_init(&b, BH_SEV_MEDIUM);
	bh_risk_input_init(&c, BH_SEV_MEDIUM);
	running(&a, 1, 1);
	running(&b, 0, 0);
	/* c: not known (a local scan) sits between */
	assert_true(score(&a) > score(&c));
	assert_true(score(&c) > score(&b));
	/* more hosts, more reach */
	{
		int one = score(&a);
		running(&a, 4, 3);
		assert_true(score(&a) > one);
	}
}

static void test_exposure(void **state)
{
	bh_risk_input a;
	int plain, ports, all;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_HIGH);
	running(&a, 2, 1);
	plain = score(&a);
	a.ports = 2;
	ports = score(&a);
	a.privileged = a.host_network = true;
	a.cap_add = 1;
	all = score(&a);
	assert_true(ports > plain);
	assert_true(all > ports);
	/* seen reached from outside by the network map: above what the config alone says */
	a.outside_peers = 1;
	assert_true(score(&a) > all);
	a.outside_peers = 0;
	/* exposure of a stopped container adds nothing */
	a.running = 0;
	{
		bh_risk_input b;
		bh_risk_input_init(&b, BH_SEV_HIGH);
		running(&b, 0, 0);
		assert_int_equal(score(&a), score(&b));
	}
}

static void test_unknown_kev_rated_high(void **state)
{
	bh_risk_input a, b;
	bh_risk r;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_UNKNOWN);
	bh_risk_input_init(&b, BH_SEV_HIGH);
	a.kev = b.kev = true;
	bh_risk_compute(&a, &r);
	assert_int_equal(r.terms[0].weight, 75);
	assert_int_equal(r.score, score(&b));
	/* KEV still never lowers: unknown + KEV above unknown alone */
	a.kev = false;
	assert_true(score(&a) < r.score);
}

static void test_severity_and_cvss(void **state)
{
	bh_risk_input a, b;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_CRITICAL);
	bh_risk_input_init(&b, BH_SEV_HIGH);
	assert_true(score(&a) > score(&b));
	a.cvss = 9.8;
	b.cvss = 9.1;
	assert_true(score(&a) > score(&b));
	/* exploitation outweighs one severity band: a KEV high is above a plain critical */
	b.cvss = 7.5;
	b.kev = true;
	assert_true(score(&b) > score(&a));
}

static void test_fix_and_policy(void **state)
{
	bh_risk_input a;
	bh_risk r;
	int nofix;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_HIGH);
	nofix = score(&a);
	a.fixed_version = "1.2.3";
	assert_true(score(&a) > nofix);
	a.kev = true;
	a.accepted = true;
	a.accepted_why = "VEX: not_affected (vulnerable_code_not_in_execute_path)";
	bh_risk_compute(&a, &r);
	assert_int_equal(r.score, 0);
	assert_non_null(find(&r, "policy"));
	assert_int_equal(find(&r, "policy")->weight, 0);
	assert_non_null(strstr(find(&r, "policy")->value, "vulnerable_code_not_in_execute_path"));
}

static void test_terms(void **state)
{
	bh_risk_input a;
	bh_risk r;
	json_t *j;
	char *s;
	(void)state;
	bh_risk_input_init(&a, BH_SEV_CRITICAL);
	a.cvss = 9.8;
	a.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
	a.severity_source = "nvd";
	a.kev = true;
	a.kev_date = "2021-12-10";
	a.kev_ransomware = true;
	a.has_epss = true;
	a.epss = 0.94358;
	a.epss_pct = 0.99957;
	a.epss_date = "2026-12-01";
	a.epss_model = "v2025.03.14";
	a.fixed_version = "2.15.0";
	running(&a, 3, 2);
	a.ports = 1;
	a.privileged = true;
	bh_risk_compute(&a, &r);
	assert_int_equal(r.n, 7);
	assert_string_equal(r.terms[0].name, "severity");
	assert_int_equal(r.terms[0].weight, 98);
	assert_non_null(strstr(r.terms[0].value, "AV:N/AC:L"));
	assert_string_equal(find(&r, "kev")->date, "2021-12-10");
	assert_int_equal(find(&r, "kev")->weight, 220);
	assert_string_equal(find(&r, "epss")->date, "2026-12-01");
	assert_string_equal(find(&r, "epss")->source, "EPSS v2025.03.14");
	assert_string_equal(find(&r, "running")->value, "3 running containers on 2 hosts");
	assert_int_equal(find(&r, "running")->weight, 105);
	assert_string_equal(find(&r, "exposure")->value, "1 published port, privileged");
	assert_int_equal(find(&r, "exposure")->weight, 140);
	/* 98 x 2.2 x 1.05 x 1.40 x 1.05 = 332.8 of 641.025 */
	assert_int_equal(r.score, 519);
	j = bh_risk_json(&r);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s, "\"score\":519"));
	assert_non_null(strstr(s, "{\"date\":\"2021-12-10\",\"name\":\"kev\",\"source\":\"CISA KEV\","));
	free(s);
	json_decref(j);
	/* the highest inputs score the top of the scale */
	a.hosts = 11;
	a.host_network = true;
	a.cap_add = 2;
	a.ports = 3;
	a.outside_peers = 4;
	bh_risk_compute(&a, &r);
	assert_true(r.score <= BH_RISK_MAX && r.score >= 975);
	assert_string_equal(find(&r, "exposure")->value,
			    "3 published ports, host network, privileged, 2 added capabilities, reached from outside by 4 peers");
	assert_string_equal(find(&r, "exposure")->source, "container config, network map");
	assert_int_equal(find(&r, "exposure")->weight, 185);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kev_beats_not_kev),
		cmocka_unit_test(test_epss_monotone),
		cmocka_unit_test(test_running_beats_not_running),
		cmocka_unit_test(test_exposure),
		cmocka_unit_test(test_unknown_kev_rated_high),
		cmocka_unit_test(test_severity_and_cvss),
		cmocka_unit_test(test_fix_and_policy),
		cmocka_unit_test(test_terms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
