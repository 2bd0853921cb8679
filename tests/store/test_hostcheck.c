/* test_hostcheck.c - host_checks (store/hostcheck) and scans (store/scanrec) against SQLite and a real PostgreSQL in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/hostcheck.h"
#include "store/scanrec.h"
#include "store/store.h"
#include "support/storetest.h"
#include "support/tmpdir.h"


/* ---- host_checks ---- */

struct seen {
	char rows[16][160];
	size_t n;
};

static int seen_cb(void *ud, const bh_hostcheck *c)
{
	struct seen *s = ud;
	if (s->n < 16)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s|%s|%s|%s|%s|%s", c->host, c->container_id, c->rule_id, c->target,
			 c->status, c->severity ? c->severity : "-");
	return 0;
}

static void test_hostcheck_set_list(void **state)
{
	bh_store *st = *state;
	bh_error err = { 0 };
	struct seen s;
	int64_t next = -1;
	const bh_hostcheck host[] = {
		{ 0, NULL, NULL, "BH-HOST-001", "/etc/docker/daemon.json", NULL, "high", "t1", "d1", 0 },
		{ 0, NULL, NULL, "BH-HOST-002", "", "not-applicable", "unknown", "t2", NULL, 0 },
	};
	const bh_hostcheck ctr[] = { { 0, NULL, NULL, "BH-CTR-001", "web (abc)", "fail", "medium", NULL, NULL, 0 },
				     /* the same rule and target twice: the last one stays */
				     { 0, NULL, NULL, "BH-CTR-001", "web (abc)", "manual", "low", NULL, NULL, 0 } };
	const bh_hostcheck bad[] = { { 0, NULL, NULL, "", "x", NULL, NULL, NULL, NULL, 0 } };

	assert_int_equal(bh_hostcheck_set(st, "h1", "", host, 2, 100, &err), 0);
	assert_int_equal(bh_hostcheck_set(st, "h1", "abc", ctr, 2, 101, &err), 0);
	assert_int_equal(bh_hostcheck_set(st, "h2", "abc", ctr, 1, 102, &err), 0);
	memset(&s, 0, sizeof(s));
	if (bh_hostcheck_list(st, "h1", NULL, 0, 0, seen_cb, &s, &next, &err) != 0)
		fail_msg("list: %s", err.msg);
	assert_int_equal(s.n, 3);
	assert_int_equal(next, 0);
	assert_string_equal(s.rows[0], "h1||BH-HOST-001|/etc/docker/daemon.json|fail|high");
	assert_string_equal(s.rows[1], "h1||BH-HOST-002||not-applicable|unknown");
	assert_string_equal(s.rows[2], "h1|abc|BH-CTR-001|web (abc)|manual|low");
	/* "" is the host's own; a container id on any host */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", "", 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, NULL, "abc", 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[1], "h2|abc|BH-CTR-001|web (abc)|fail|medium");
	/* pages of 1 */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, 0, 1, seen_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 1);
	assert_true(next > 0);
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, next, 1, seen_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[1], "h1||BH-HOST-002||not-applicable|unknown");
	/* replacing one container leaves the host's rows; an empty set clears; a bad row changes nothing */
	assert_int_equal(bh_hostcheck_set(st, "h1", "abc", NULL, 0, 103, &err), 0);
	assert_int_not_equal(bh_hostcheck_set(st, "h1", "", bad, 1, 104, &err), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[0], "h1||BH-HOST-001|/etc/docker/daemon.json|fail|high");
	/* a filter value with SQL in it is a value */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1' OR '1'='1", NULL, 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 0);
}

/* ---- scans ---- */

static int scan_cb(void *ud, const bh_scanrec *r)
{
	struct seen *s = ud;
	if (s->n < 16)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s|%s|%s|%s|%s|%d|%lld", r->who, r->target,
			 r->image_digest ? r->image_digest : "-", r->pipeline_json, r->verdict, r->exit_code, (long long)r->created);
	return 0;
}

static void test_scanrec_add_list(void **state)
{
	bh_store *st = *state;
	bh_error err = { 0 };
	struct seen s;
	int64_t id1 = 0, id2 = 0, next = -1;
	bh_scanrec r = { 0, "ci#1", "oci:x", "sha256:aa", "{\"id\":\"7\"}", "fail", "{}", 3, 0 };
	assert_int_equal(bh_scanrec_add(st, &r, 500, &id1, &err), 0);
	r.image_digest = NULL;
	r.verdict = "pass";
	r.exit_code = 0;
	assert_int_equal(bh_scanrec_add(st, &r, 501, &id2, &err), 0);
	assert_true(id2 > id1 && id1 > 0);
	memset(&s, 0, sizeof(s));
	if (bh_scanrec_list(st, NULL, 0, 0, scan_cb, &s, &next, &err) != 0)
		fail_msg("list: %s", err.msg);
	assert_int_equal(s.n, 2);
	assert_int_equal(next, 0);
	assert_string_equal(s.rows[0], "ci#1|oci:x|sha256:aa|{\"id\":\"7\"}|fail|3|500");
	assert_string_equal(s.rows[1], "ci#1|oci:x|-|{\"id\":\"7\"}|pass|0|501");
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_scanrec_list(st, "sha256:aa", 0, 0, scan_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_scanrec_list(st, NULL, 0, 1, scan_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(next, id1);
}

#define TESTS                                                                                     \
	cmocka_unit_test_setup_teardown(test_hostcheck_set_list, bh_storetest_setup, bh_storetest_teardown),   \
	cmocka_unit_test_setup_teardown(test_scanrec_add_list, bh_storetest_setup, bh_storetest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	return bh_storetest_run("hostcheck", tests, sizeof(tests) / sizeof(tests[0]), 5495);
}
