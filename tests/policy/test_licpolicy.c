/* test_licpolicy.c - the policy file's licence rules (allow, deny, deny-classes) and the BH-LIC findings they decide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "policy/licpolicy.h"

static void parse(const char *text, bh_policy *p)
{
	bh_limits lim;
	bh_error e;
	bh_limits_default(&lim);
	assert_int_equal(bh_policy_parse(text, strlen(text), "t.yaml", &lim, p, &e), 0);
}

static void test_judge_deny(void **state)
{
	bh_policy p;
	(void)state;
	parse("version: 1\nlicenses:\n  deny: [MIT, gpl-2.0-or-later]\n  deny-classes: [network-copyleft]\n", &p);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "MIT"), BH_LICFIND_DENIED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "GPL-2.0-or-later"), BH_LICFIND_DENIED); /* ids ignore case */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "GPL-2.0-only"), BH_LICFIND_UNJUDGED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "ISC AND MIT"), BH_LICFIND_DENIED);   /* any part of AND */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "ISC OR MIT"), BH_LICFIND_UNJUDGED);  /* another choice is left */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "AGPL-3.0-only OR MIT"), BH_LICFIND_DENIED); /* every choice denied */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "(ISC OR MIT) AND AGPL-3.0-only"), BH_LICFIND_UNJUDGED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "AGPL-3.0-or-later"), BH_LICFIND_DENIED); /* by class */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "LicenseRef-agpl-fork"), BH_LICFIND_DENIED); /* class from its words */
	bh_policy_free(&p);
}

static void test_judge_allow(void **state)
{
	bh_policy p;
	(void)state;
	parse("version: 1\nlicenses:\n  allow: [MIT, ISC, GPL-2.0-only]\n  deny: [ISC]\n", &p);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "MIT"), BH_LICFIND_ALLOWED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "MIT AND ISC"), BH_LICFIND_ALLOWED); /* allow wins over deny */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "BSD-2-Clause"), BH_LICFIND_NOT_ALLOWED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "BSD-2-Clause OR MIT"), BH_LICFIND_ALLOWED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "BSD-2-Clause AND MIT"), BH_LICFIND_NOT_ALLOWED);
	/* the exception is an id of its own: not on the list */
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "GPL-2.0-only WITH Classpath-exception-2.0"), BH_LICFIND_NOT_ALLOWED);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "NOASSERTION"), BH_LICFIND_NOT_ALLOWED);
	bh_policy_free(&p);
	/* a policy without licence rules has no say */
	parse("version: 1\n", &p);
	assert_int_equal(bh_licpolicy_judge(&p, NULL, "AGPL-3.0-only"), BH_LICFIND_UNJUDGED);
	bh_policy_free(&p);
}

static void add(bh_sbom *s, const char *name, const char *license)
{
	bh_component *c = bh_complist_add(&s->comps, BH_ECO_NPM);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, name, strlen(name)), 0);
	assert_int_equal(bh_component_set(&c->license, license, strlen(license)), 0);
}

static const bh_check_finding *of(const bh_checks *out, const char *name)
{
	size_t i, n = strlen(name);
	for (i = 0; i < out->n; i++)
		if (!strncmp(out->items[i].detail, name, n) && out->items[i].detail[n] == ' ')
			return &out->items[i];
	return NULL;
}

/* Through the scan's entry point: declared text is normalised before the policy sees it. */
static void test_run(void **state)
{
	bh_policy p;
	bh_sbom s;
	bh_checks out = { 0 };
	bh_error e;
	const bh_check_finding *f;
	(void)state;

	bh_sbom_init(&s);
	add(&s, "expat", "Expat");
	add(&s, "bsd", "BSD 2-Clause License");
	add(&s, "gpl", "GPLv3");
	add(&s, "agpl", "AGPLv3+");
	add(&s, "isc", "ISC License (ISCL)");
	parse("version: 1\nlicenses:\n  allow: [MIT, ISC, AGPL-3.0-or-later]\n  deny: [GPL-3.0-only]\n", &p);
	assert_int_equal(bh_licpolicy_run(&s, &p, NULL, &out, &e), 0);
	assert_int_equal(out.n, 2);
	assert_non_null(f = of(&out, "gpl"));
	assert_string_equal(f->rule, "BH-LIC-001");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	assert_non_null(strstr(f->detail, "declared \"GPLv3\" = GPL-3.0-only, strong-copyleft"));
	assert_non_null(f = of(&out, "bsd"));
	assert_string_equal(f->rule, "BH-LIC-002");
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_non_null(strstr(f->detail, "= BSD-2-Clause, permissive"));
	/* allowed network copyleft, allowed MIT (as Expat) and ISC give nothing */
	assert_null(of(&out, "agpl"));
	assert_null(of(&out, "expat"));
	assert_null(of(&out, "isc"));
	bh_checks_free(&out);
	bh_policy_free(&p);
	/* no policy: the classes decide */
	assert_int_equal(bh_licpolicy_run(&s, NULL, NULL, &out, &e), 0);
	assert_int_equal(out.n, 2);
	assert_string_equal(of(&out, "gpl")->rule, "BH-LIC-004");
	assert_string_equal(of(&out, "agpl")->rule, "BH-LIC-003");
	bh_checks_free(&out);
	/* a licence list that is not there is an error, not a silent fallback to the built-in table */
	assert_int_equal(bh_licpolicy_run(&s, NULL, "/nonexistent/spdx.json", &out, &e), BH_ENOTFOUND);
	assert_int_equal(out.n, 0);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_deny),
		cmocka_unit_test(test_judge_allow),
		cmocka_unit_test(test_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
