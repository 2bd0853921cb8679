/* test_image.c - image config checks: the history's remote-script rule (the Dockerfile linter's shell analysis) and the rule texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check/image.h"
#include "support/checks.h"

static bool fetch_exec(const char *line)
{
	bool found = true;
	assert_int_equal(bh_imgcheck_history_fetch_exec(line, &found), 0);
	return found;
}

/*
 * History lines as Docker, buildah and BuildKit record them. "old" is what the strpbrk matcher that
 * image.c used before said; the cases where it differs from "want" are the reason for the change.
 */
static const struct {
	const char *line;
	bool want, old;
} hist[] = {
	/* both right */
	{ "/bin/sh -c curl -fsSL https://get.example.com/install.sh | sh", true, true },
	{ "|2 VERSION=1.2 CHANNEL=stable /bin/sh -c wget -qO- https://x.example/i | bash -s -- --yes", true, true },
	{ "RUN /bin/sh -c curl -sSL https://x.example/i.sh | python3 - # buildkit", true, true },
	{ "/bin/sh -c curl -fsSLo /tmp/i.sh https://x.example/i.sh && sha256sum -c sums && sh /tmp/i.sh", false, false },
	{ "/bin/sh -c curl -fsS https://x.example/health || sh /fallback.sh", false, false },
	{ "/bin/sh -c #(nop)  ADD file:4b03b5f5 in / ", false, false },
	{ "/bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", false, false },
	/* the old matcher missed these: sudo with flags, process substitution, command substitution,
	 * env in front of the interpreter, PowerShell */
	{ "/bin/sh -c curl -fsSL https://x.example/i.sh | sudo -E bash", true, false },
	{ "/bin/sh -c bash <(curl -fsSL https://x.example/i.sh)", true, false },
	{ "/bin/sh -c sh -c \"$(wget -qO- https://x.example/i.sh)\"", true, false },
	{ "/bin/sh -c curl -fsSL https://x.example/i.js | /usr/bin/env node", true, false },
	{ "RUN powershell -Command iex ((New-Object Net.WebClient).DownloadString('https://x.example/i.ps1')) # buildkit", true, false },
	/* ... and reported these, where nothing downloaded is run */
	{ "/bin/sh -c echo \"install: curl https://x.example | sh -s\" >> /usr/share/doc/README", false, true },
	{ "/bin/sh -c echo curl | sh", false, true },
	{ "LABEL org.example.install=curl|sh", false, true },
};

static void test_history_shell_analysis(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(hist) / sizeof(hist[0]); i++)
		if (fetch_exec(hist[i].line) != hist[i].want)
			fail_msg("history line %zu (%s): want %d", i, hist[i].line, hist[i].want);
}

/* A config whose history holds every line above: BH-IMG-006 once per line that runs a download. */
static void test_history_findings(void **state)
{
	json_t *cfg = json_pack("{s:{s:s, s:{s:[s]}}, s:[]}", "config", "User", "10001", "Healthcheck", "Test", "CMD", "history");
	json_t *h = json_object_get(cfg, "history");
	bh_imgcheck_opts o;
	bh_checks l = { 0 };
	bh_error err = { 0 };
	const bh_check_finding *f;
	size_t i, want = 0;
	(void)state;
	for (i = 0; i < sizeof(hist) / sizeof(hist[0]); i++) {
		json_array_append_new(h, json_pack("{s:s}", "created_by", hist[i].line));
		want += hist[i].want;
	}
	bh_imgcheck_opts_default(&o);
	o.max_age_days = 0;
	assert_int_equal(bh_imgcheck_config(cfg, "app:1.0", NULL, 0, &o, &l, &err), 0);
	assert_int_equal(bh_test_count(&l, "BH-IMG-006"), want);
	assert_non_null(f = bh_test_find(&l, "BH-IMG-006", 0));
	assert_string_equal(f->detail, "history[0]: /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh");
	assert_string_equal(f->title, "Remote script piped into a shell during the build");
	assert_string_equal(f->cis, "4.11");
	assert_string_equal(f->category, "image-config");
	assert_string_equal(f->target, "app:1.0");
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_string_equal(f->fix, "Download to a file, verify a pinned checksum or signature (sha256sum -c), then run it; or install "
				    "from the distribution's signed packages.");
	/* nothing else fires on this config: a user, a health check, a tag */
	assert_int_equal(l.n, want);
	bh_checks_free(&l);
	json_decref(cfg);
}

/* Findings that vary their title by case keep today's texts; the rest take the table's. */
static void test_rule_texts(void **state)
{
	json_t *cfg = json_pack("{s:{s:s, s:[s]}, s:[{s:s}]}", "config", "User", "root", "Env", "DB_PASSWORD=Sup3rS3cretValue42",
				"history", "created_by", "ADD https://x.example/app.tgz /app");
	const char *tags[] = { "registry.example/app:latest" };
	bh_imgcheck_opts o;
	bh_checks l = { 0 };
	bh_error err = { 0 };
	const bh_check_finding *f;
	size_t i;
	(void)state;
	bh_imgcheck_opts_default(&o);
	o.max_age_days = 0;
	assert_int_equal(bh_imgcheck_config(cfg, "app", tags, 1, &o, &l, &err), 0);
	assert_string_equal(bh_test_rule_ids(&l, NULL, NULL), "BH-IMG-001 BH-IMG-002 BH-IMG-003 BH-IMG-007 BH-IMG-008");
	assert_non_null(f = bh_test_failed(&l, "BH-IMG-008"));
	assert_string_equal(f->title, "Image is tagged latest");
	assert_string_equal(f->detail, "tag \"latest\"");
	assert_null(f->cis);
	assert_int_equal(f->severity, BH_SEV_LOW);
	assert_non_null(f = bh_test_failed(&l, "BH-IMG-001"));
	assert_string_equal(f->title, "Image runs as root");
	assert_string_equal(f->detail, "config.User is \"root\"");
	assert_string_equal(f->cis, "4.1");
	assert_non_null(f = bh_test_failed(&l, "BH-IMG-003"));
	assert_string_equal(f->detail, "ENV DB_PASSWORD=Sup***************");
	assert_non_null(f = bh_test_failed(&l, "BH-IMG-002"));
	assert_string_equal(f->detail, "config.Healthcheck is not set");
	assert_int_equal(f->severity, BH_SEV_LOW);
	/* every finding's fixed text is its rule's */
	for (i = 0; i < l.n; i++) {
		size_t r;
		for (r = 0; r < bh_imgcheck_rule_count && strcmp(bh_imgcheck_rules[r].id, l.items[i].rule); r++)
			;
		assert_true(r < bh_imgcheck_rule_count);
		assert_string_equal(l.items[i].why, bh_imgcheck_rules[r].why);
		assert_string_equal(l.items[i].fix, bh_imgcheck_rules[r].fix);
	}
	bh_checks_free(&l);
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_shell_analysis),
		cmocka_unit_test(test_history_findings),
		cmocka_unit_test(test_rule_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
