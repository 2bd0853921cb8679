/* test_engine.c - the Engine API client (src/engine/engine.c) against a real `podman system service`
 * (tests/engine/podman_fixture.sh); SKIPs with the reason when podman cannot serve here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/engine.h"
#include "image/source.h"
#include "support/tmpdir.h"

static char g_dir[256], g_host[400], g_image[128], g_ctr[128], g_skip[512];
static long g_t0;
static bh_limits g_lim;

static int setup(void **state)
{
	char cmd[600], path[300], sock[300];
	FILE *fp;
	(void)state;
	bh_limits_default(&g_lim);
	bh_log_set_level(BH_LOG_QUIET);
	if (bh_test_mkdtemp(g_dir, sizeof(g_dir), "engine"))
		return -1;
	g_t0 = (long)time(NULL) - 1;
	snprintf(cmd, sizeof(cmd), "bash tests/engine/podman_fixture.sh start %s", g_dir);
	if (system(cmd) != 0)
		snprintf(g_skip, sizeof(g_skip), "tests/engine/podman_fixture.sh failed");
	snprintf(path, sizeof(path), "%s/skip", g_dir);
	if ((fp = fopen(path, "r"))) {
		if (!fgets(g_skip, sizeof(g_skip), fp))
			snprintf(g_skip, sizeof(g_skip), "podman fixture skipped");
		g_skip[strcspn(g_skip, "\n")] = '\0';
		fclose(fp);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/env", g_dir);
	if (!(fp = fopen(path, "r")) || fscanf(fp, "SOCK=%299s IMAGE=%127s CONTAINER=%127s", sock, g_image, g_ctr) != 3) {
		snprintf(g_skip, sizeof(g_skip), "podman fixture wrote no %s", path);
		if (fp)
			fclose(fp);
		return 0;
	}
	fclose(fp);
	snprintf(g_host, sizeof(g_host), "unix://%s", sock);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof(cmd), "bash tests/engine/podman_fixture.sh stop %s", g_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "podman fixture stop failed\n");
	bh_test_rmtree(g_dir);
	return 0;
}

#define NEED_ENGINE() do { if (g_skip[0]) { fprintf(stderr, "SKIP: %s\n", g_skip); skip(); } } while (0)

static void test_containers(void **state)
{
	json_t *list = NULL, *doc = NULL, *c;
	bh_error err;
	char want[140];
	size_t i;
	bool found = false;
	(void)state;
	NEED_ENGINE();
	assert_int_equal(bh_engine_container_list(g_host, &g_lim, &list, &err), 0);
	assert_true(json_is_array(list));
	snprintf(want, sizeof(want), "/%s", g_ctr);
	json_array_foreach(list, i, c) {
		const char *n = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
		if (n && (!strcmp(n, want) || !strcmp(n, g_ctr)))
			found = true;
	}
	assert_true(found);
	json_decref(list);
	assert_int_equal(bh_engine_container_inspect(g_host, g_ctr, &g_lim, &doc, &err), 0);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "State"), "Running")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc, "Config"), "Labels"), "bh.test")), "engine");
	json_decref(doc);
	/* names are escaped into the path: no traversal into other endpoints */
	assert_int_equal(bh_engine_container_inspect(g_host, "../images/json?x=", &g_lim, &doc, &err), BH_ENOTFOUND);
	assert_int_equal(bh_engine_container_inspect(g_host, "bh-no-such-container", &g_lim, &doc, &err), BH_ENOTFOUND);
	assert_null(doc);
	assert_non_null(strstr(err.msg, "has no container \"bh-no-such-container\""));
}

static void test_images(void **state)
{
	json_t *list = NULL, *doc = NULL, *im;
	bh_error err;
	const char *id;
	size_t i;
	bool found = false;
	bh_limits tiny = g_lim;
	(void)state;
	NEED_ENGINE();
	assert_int_equal(bh_engine_image_inspect(g_host, g_image, &g_lim, &doc, &err), 0);
	id = json_string_value(json_object_get(doc, "Id"));
	assert_non_null(id);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "RepoTags"), 0)), g_image);
	assert_int_equal(bh_engine_image_list(g_host, &g_lim, &list, &err), 0);
	json_array_foreach(list, i, im) {
		const char *lid = json_string_value(json_object_get(im, "Id"));
		/* docker and podman agree on "sha256:HEX" in the list; inspect may omit the prefix */
		if (lid && (strstr(lid, id) || strstr(id, lid)))
			found = true;
	}
	assert_true(found);
	json_decref(list);
	json_decref(doc);
	doc = NULL;
	assert_int_equal(bh_engine_image_inspect(g_host, "localhost/bh-no-such-image:1", &g_lim, &doc, &err), BH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "has no image"));
	/* answers are bounded by max_meta_size */
	tiny.max_meta_size = 64;
	assert_int_equal(bh_engine_image_inspect(g_host, g_image, &tiny, &doc, &err), BH_ELIMIT);
	assert_null(doc);
}

struct tarcheck {
	uint64_t total;
	char first[512];
	size_t have;
};

static int on_tar(void *ud, const char *p, size_t n, bh_error *err)
{
	struct tarcheck *t = ud;
	size_t k = n < sizeof(t->first) - t->have ? n : sizeof(t->first) - t->have;
	(void)err;
	memcpy(t->first + t->have, p, k);
	t->have += k;
	t->total += n;
	return 0;
}

static void test_export(void **state)
{
	struct tarcheck t;
	bh_error err;
	(void)state;
	NEED_ENGINE();
	memset(&t, 0, sizeof(t));
	assert_int_equal(bh_engine_image_export(g_host, g_image, (uint64_t)1 << 30, on_tar, &t, &err), 0);
	/* a tar: 512-byte blocks, the first header carries "ustar" at offset 257 */
	assert_int_equal(t.have, 512);
	assert_true(t.total > 100000 && t.total % 512 == 0);
	assert_memory_equal(t.first + 257, "ustar", 5);
	/* the cap holds on the stream */
	memset(&t, 0, sizeof(t));
	assert_int_equal(bh_engine_image_export(g_host, g_image, 4096, on_tar, &t, &err), BH_ELIMIT);
	assert_true(t.total <= 4096);
	assert_int_equal(bh_engine_image_export(g_host, "localhost/bh-no-such-image:1", 4096, on_tar, &t, &err), BH_ENOTFOUND);
}

/* The engine: target (src/image/enginesrc.c): inspect, then the export spooled and read as a docker-archive. */
static void test_source(void **state)
{
	bh_source_opts o;
	bh_sbom s;
	bh_error err;
	json_t *doc = NULL;
	char target[160];
	const char *id;
	(void)state;
	NEED_ENGINE();
	assert_int_equal(bh_engine_image_inspect(g_host, g_image, &g_lim, &doc, &err), 0);
	id = json_string_value(json_object_get(doc, "Id"));
	bh_source_opts_default(&o);
	o.engine_host = g_host;
	snprintf(target, sizeof(target), "engine:%s", g_image);
	bh_sbom_init(&s);
	assert_int_equal(bh_source_read_target(target, &o, &s, &err), 0);
	assert_string_equal(s.kind, "engine");
	assert_int_equal(s.nlayers, 1);
	assert_non_null(s.image_id);
	assert_non_null(strstr(s.image_id, id));
	assert_true(s.files_seen >= 3); /* /bin/sleep, /etc/passwd, the C library */
	bh_sbom_free(&s);
	json_decref(doc);
	/* the export is bounded by the layer limit (four layers' worth) */
	o.limits.max_layer_size = 1024;
	bh_sbom_init(&s);
	assert_int_equal(bh_source_read_target(target, &o, &s, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "over the 4096-byte limit"));
	bh_sbom_free(&s);
}

struct evlog {
	unsigned n, ours, started;
	unsigned stop_after;
	char name[128];
};

static int on_event(void *ud, json_t *ev, bh_error *err)
{
	struct evlog *l = ud;
	json_t *actor = json_object_get(ev, "Actor");
	const char *name = json_string_value(json_object_get(json_object_get(actor, "Attributes"), "name"));
	const char *type = json_string_value(json_object_get(ev, "Type"));
	const char *action = json_string_value(json_object_get(ev, "Action"));
	(void)err;
	l->n++;
	/* the filter let only containers through */
	assert_non_null(type);
	assert_string_equal(type, "container");
	if (name && !strcmp(name, l->name)) {
		l->ours++;
		if (action && !strcmp(action, "start"))
			l->started++;
	}
	return l->stop_after && l->n >= l->stop_after ? BH_ENGINE_STOP : 0;
}

static void test_events(void **state)
{
	bh_engine_events_opts o;
	struct evlog l;
	json_t *filters;
	char since[32], until[32];
	bh_error err;
	unsigned long skipped = 99;
	(void)state;
	NEED_ENGINE();
	filters = json_pack("{s:[s], s:[s]}", "type", "container", "label", "bh.test=engine");
	assert_non_null(filters);
	snprintf(since, sizeof(since), "%ld", g_t0);
	/* podman 4.3 sends nothing when until is past and ends the stream by a timer at until: a
	 * moment ahead leaves it time to replay the events file */
	snprintf(until, sizeof(until), "%ld", (long)time(NULL) + 2);
	memset(&o, 0, sizeof(o));
	o.filters = filters;
	o.since = since;
	o.until = until;
	o.skipped = &skipped;
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", g_ctr);
	/* past events up to `until`: the stream ends by itself */
	assert_int_equal(bh_engine_events(g_host, &o, on_event, &l, &err), 0);
	assert_true(l.ours >= 1);
	assert_int_equal(l.started, 1);
	assert_int_equal(skipped, 0);
	/* the reader ends it */
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", g_ctr);
	l.stop_after = 1;
	o.until = NULL;
	assert_int_equal(bh_engine_events(g_host, &o, on_event, &l, &err), 0);
	assert_int_equal(l.n, 1);
	/* an event longer than max_line is skipped, not fatal, and counted */
	memset(&l, 0, sizeof(l));
	snprintf(until, sizeof(until), "%ld", (long)time(NULL) + 2);
	o.until = until;
	o.max_line = 16;
	assert_int_equal(bh_engine_events(g_host, &o, on_event, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_true(skipped >= 1);
	json_decref(filters);
}

struct canceller {
	volatile int flag;
};

static void *cancel_later(void *p)
{
	struct canceller *c = p;
	usleep(300000);
	c->flag = 1;
	return NULL;
}

static void test_events_cancel(void **state)
{
	bh_engine_events_opts o;
	struct canceller c = { 0 };
	struct evlog l;
	pthread_t th;
	bh_error err;
	json_t *filters;
	time_t t0;
	(void)state;
	NEED_ENGINE();
	/* no event will match: only the cancel flag ends the stream */
	filters = json_pack("{s:[s], s:[s]}", "type", "container", "label", "bh.test=never");
	memset(&o, 0, sizeof(o));
	o.filters = filters;
	o.cancel = &c.flag;
	memset(&l, 0, sizeof(l));
	t0 = time(NULL);
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	assert_int_equal(bh_engine_events(g_host, &o, on_event, &l, &err), 0);
	pthread_join(th, NULL);
	assert_true(time(NULL) - t0 <= 4);
	assert_int_equal(l.n, 0);
	json_decref(filters);
}

/* ?all=1 lists the running container too (stopped ones: tests/e2e/agent.sh); /version names the engine */
static void test_all_and_version(void **state)
{
	json_t *list = NULL, *v = NULL, *c;
	bh_error err;
	char want[140];
	size_t i;
	bool found = false;
	(void)state;
	NEED_ENGINE();
	assert_int_equal(bh_engine_container_list_all(g_host, &g_lim, &list, &err), 0);
	assert_true(json_is_array(list));
	snprintf(want, sizeof(want), "/%s", g_ctr);
	json_array_foreach(list, i, c) {
		const char *n = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
		if (n && (!strcmp(n, want) || !strcmp(n, g_ctr)))
			found = json_string_value(json_object_get(c, "State")) != NULL;
	}
	assert_true(found);
	json_decref(list);
	assert_int_equal(bh_engine_version(g_host, &g_lim, &v, &err), 0);
	assert_non_null(json_string_value(json_object_get(v, "Version")));
	assert_non_null(json_string_value(json_object_get(v, "ApiVersion")));
	json_decref(v);
}

static void test_no_engine(void **state)
{
	json_t *doc = NULL;
	bh_error err;
	char host[400];
	(void)state;
	snprintf(host, sizeof(host), "unix://%s/nothing.sock", g_dir);
	assert_int_equal(bh_engine_container_list(host, &g_lim, &doc, &err), BH_ENET);
	assert_non_null(strstr(err.msg, "nothing.sock"));
	/* the socket tried and why it gave nothing, in plain words */
	assert_non_null(strstr(err.msg, "no container engine answered"));
	assert_non_null(strstr(err.msg, "nothing.sock (no such file"));
	assert_int_equal(bh_engine_container_list("tcp://127.0.0.1:2375", &g_lim, &doc, &err), BH_EUSAGE);
	assert_null(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_cancel),
		cmocka_unit_test(test_all_and_version),
		cmocka_unit_test(test_no_engine),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
