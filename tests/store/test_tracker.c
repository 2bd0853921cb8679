/* test_tracker.c - trackers and tracker_issues (store/tracker) against SQLite and a real PostgreSQL in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/tracker.h"
#include "support/storetest.h"

struct got {
	int n;
	bh_tracker last;
	char repo[64], token[64], labels[64], group_by[16];
};

static int got_cb(void *ud, const bh_tracker *t)
{
	struct got *g = ud;
	g->n++;
	g->last = *t;
	snprintf(g->repo, sizeof(g->repo), "%s", t->repository);
	snprintf(g->token, sizeof(g->token), "%s", t->token ? t->token : "");
	snprintf(g->labels, sizeof(g->labels), "%s", t->labels_json ? t->labels_json : "");
	snprintf(g->group_by, sizeof(g->group_by), "%s", t->group_by);
	g->last.kind = g->last.api_url = g->last.repository = g->last.token = g->last.group_by = NULL;
	g->last.filter_json = g->last.labels_json = g->last.last_error = NULL; /* the store's, gone after the call */
	return 0;
}

static void test_tracker_rows(void **state)
{
	bh_store *st = *state;
	bh_tracker t;
	struct got g;
	bh_error err;
	int64_t id = 0, id2 = 0;
	memset(&t, 0, sizeof(t));
	t.kind = "github";
	t.api_url = "https://api.github.com";
	t.repository = "acme/app";
	t.token = "sealed-token";
	t.labels_json = "[\"sec\"]";
	t.enabled = true;
	t.cursor = -1;
	assert_int_equal(bh_tracker_add(st, &t, 100, &id, &err), 0);
	assert_true(id > 0);
	t.repository = "acme/two";
	assert_int_equal(bh_tracker_add(st, &t, 100, &id2, &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(bh_tracker_list(st, 0, got_cb, &g, &err), 0);
	assert_int_equal(g.n, 2);
	memset(&g, 0, sizeof(g));
	assert_int_equal(bh_tracker_list(st, id, got_cb, &g, &err), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.repo, "acme/app");
	assert_string_equal(g.token, "sealed-token");
	assert_string_equal(g.labels, "[\"sec\"]");
	assert_string_equal(g.group_by, "repository");
	assert_int_equal(g.last.cursor, 0);

	/* the lease: one worker at a time, taken over when it runs out */
	assert_int_equal(bh_tracker_claim(st, id, "a", 60, 1000, &err), 1);
	assert_int_equal(bh_tracker_claim(st, id, "b", 60, 1010, &err), 0);
	assert_int_equal(bh_tracker_claim(st, id, "a", 60, 1010, &err), 1);
	/* only the holder records progress */
	assert_int_equal(bh_tracker_progress(st, id, "b", 50, 0, 0, 201, NULL, 1020, &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(bh_tracker_list(st, id, got_cb, &g, &err), 0);
	assert_int_equal(g.last.cursor, 0);
	assert_int_equal(bh_tracker_progress(st, id, "a", 50, 0, 0, 201, NULL, 1020, &err), 0);
	assert_int_equal(bh_tracker_progress(st, id, "a", 40, 2, 1030, 403, "rate limited", 1021, &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(bh_tracker_list(st, id, got_cb, &g, &err), 0);
	assert_int_equal(g.last.cursor, 50); /* never backwards */
	assert_int_equal(g.last.fails, 2);
	assert_int_equal(g.last.next_try, 1030);
	assert_int_equal(g.last.last_status, 403);
	assert_int_equal(g.last.last_ok, 1020);
	assert_int_equal(bh_tracker_claim(st, id, "b", 60, 1071, &err), 1);
	/* a stopping server gives its leases up: another takes the tracker before the lease runs out */
	assert_int_equal(bh_tracker_claim(st, id, "c", 60, 1072, &err), 0);
	assert_int_equal(bh_tracker_release(st, "a", &err), 0); /* not a's: left alone */
	assert_int_equal(bh_tracker_claim(st, id, "c", 60, 1072, &err), 0);
	assert_int_equal(bh_tracker_release(st, "b", &err), 0);
	assert_int_equal(bh_tracker_claim(st, id, "c", 60, 1072, &err), 1);

	assert_int_equal(bh_tracker_delete(st, id2, &err), 0);
	assert_int_equal(bh_tracker_delete(st, id2, &err), BH_ENOTFOUND);
	assert_int_equal(bh_tracker_list(st, id2, got_cb, &g, &err), BH_ENOTFOUND);
}

static int key_cb(void *ud, const bh_tracker_issue *i)
{
	char *out = ud;
	size_t l = strlen(out);
	snprintf(out + l, 256 - l, "%s#%lld/%s;", i->group_key, (long long)i->number, i->state);
	return 0;
}

static void test_tracker_issues(void **state)
{
	bh_store *st = *state;
	bh_tracker t;
	bh_tracker_issue i;
	bh_error err;
	int64_t id = 0, number = 0, open = 0, total = 0;
	char stt[8], content[65], keys[256] = "";
	memset(&t, 0, sizeof(t));
	t.kind = "github";
	t.api_url = "https://api.github.com";
	t.repository = "acme/app";
	t.enabled = true;
	assert_int_equal(bh_tracker_add(st, &t, 100, &id, &err), 0);
	assert_int_equal(bh_tracker_issue_get(st, id, "h1", &number, stt, content, &err), 0);
	memset(&i, 0, sizeof(i));
	i.tracker_id = id;
	i.group_hash = "h1";
	i.group_key = "repository:team/app advisory:CVE-1";
	i.number = 7;
	i.state = "open";
	i.content = "c1";
	i.url = "https://github.example/acme/app/issues/7";
	i.updated = 200;
	assert_int_equal(bh_tracker_issue_put(st, &i, &err), 0);
	i.group_hash = "h2";
	i.group_key = "repository:team/app advisory:CVE-2";
	i.number = 8;
	assert_int_equal(bh_tracker_issue_put(st, &i, &err), 0);
	/* the same group again: replaced, not added */
	i.state = "closed";
	i.content = "c2";
	i.url = NULL;
	assert_int_equal(bh_tracker_issue_put(st, &i, &err), 0);
	assert_int_equal(bh_tracker_issue_get(st, id, "h2", &number, stt, content, &err), 1);
	assert_int_equal(number, 8);
	assert_string_equal(stt, "closed");
	assert_string_equal(content, "c2");
	assert_int_equal(bh_tracker_issue_count(st, id, &open, &total, &err), 0);
	assert_int_equal(open, 1);
	assert_int_equal(total, 2);
	assert_int_equal(bh_tracker_issue_list(st, id, true, key_cb, keys, &err), 0);
	assert_string_equal(keys, "repository:team/app advisory:CVE-1#7/open;");
	assert_int_equal(bh_tracker_issue_delete(st, id, "h1", &err), 0);
	assert_int_equal(bh_tracker_issue_get(st, id, "h1", &number, stt, content, &err), 0);
	/* a deleted tracker's rows go with it */
	assert_int_equal(bh_tracker_delete(st, id, &err), 0);
	assert_int_equal(bh_tracker_issue_get(st, id, "h2", &number, stt, content, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tracker_rows, bh_storetest_setup, bh_storetest_teardown),
		cmocka_unit_test_setup_teardown(test_tracker_issues, bh_storetest_setup, bh_storetest_teardown),
	};
	return bh_storetest_run("tracker", tests, sizeof(tests) / sizeof(tests[0]), 5487);
}
