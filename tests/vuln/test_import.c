/* test_import.c - advisory importers on real documents: re-import replaces, Alpine ids, RustSec kinds, skip reporting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "support/fixture.h"
#include "support/tarbuild.h"
#include "vuln/import.h"
#include "support/tmpdir.h"
#include "support/vulndb.h"

#define FIX "tests/fixtures/vuln/"

static char dir[64];
static bh_limits lim;
static size_t tlen;

static int setup(void **state)
{
	(void)state;
	if (bh_test_mkdtemp(dir, sizeof(dir), "import"))
		return -1;
	bh_log_set_level(BH_LOG_QUIET);
	bh_limits_default(&lim);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

/* A writable DB at dir/name, starting from what an earlier test committed there. */
static bh_vulndb *create(const char *name)
{
	char p[128];
	bh_vulndb *db;
	bh_error err;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(bh_vulndb_create(p, true, &db, &err), 0);
	return db;
}

static void commit(bh_vulndb *db)
{
	bh_error err;
	assert_int_equal(bh_vulndb_commit(db, &err), 0);
	bh_vulndb_close(db);
}

static void import(bh_vulndb *db, const char *path, bh_import_stats *st)
{
	bh_error err;
	memset(st, 0, sizeof(*st));
	assert_int_equal(bh_vulndb_begin(db, &err), 0);
	assert_int_equal(bh_import_path(db, path, &lim, st, &err), 0);
	assert_int_equal(bh_vulndb_end(db, &err), 0);
}

static void import_doc(bh_vulndb *db, const char *name, const char *text, bh_import_stats *st)
{
	bh_error err;
	memset(st, 0, sizeof(*st));
	assert_int_equal(bh_import_document(db, name, text, strlen(text), &lim, st, &err), 0);
}

/* got (freed here) equals want (NULL: unset). */
static void assert_str(char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got ? got : "(null)", want);
	free(got);
}

/* Text with the first `from` replaced by `to` (caller frees). */
static char *subst(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t a, f = strlen(from), t = strlen(to), n = strlen(text);
	char *out;
	assert_non_null(at);
	a = (size_t)(at - text);
	out = malloc(n - f + t + 1);
	assert_non_null(out);
	memcpy(out, text, a);
	memcpy(out + a, to, t);
	memcpy(out + a + t, at + f, n - a - f + 1);
	return out;
}

/*
 * PYSEC-2020-341 (real, PyPA): the name "jw.util" is stored PEP 503-normalised; importing it again
 * changes nothing; a later revision "fixed in 1.5" replaces the "fixed in 2.3" row; an older copy
 * does not roll it back.
 */
static void test_osv_reimport_replaces(void **state)
{
	bh_vulndb *db = create("osv.db");
	bh_import_stats st;
	char *text = bh_test_slurp(FIX "osv-pypa/PYSEC-2020-341.yaml", &tlen), *newer, *newer2, *older, *older2;
	(void)state;
	import(db, FIX "osv-pypa", &st);
	assert_int_equal(st.advisories, 1);
	assert_int_equal(st.affected, 1);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("package=jw-util", "ecosystem=pypi")), 1);
	assert_str(bh_test_row_field(db, "fixed_version", BH_TEST_C("advisory_id=PYSEC-2020-341")), "2.3");
	assert_int_equal(bh_test_count_words(bh_test_advisory_field(db, "aliases", BH_TEST_C("id=PYSEC-2020-341"))), 2);
	import(db, FIX "osv-pypa", &st);
	assert_int_equal(bh_test_count_rows(db, NULL), 1);
	assert_int_equal(bh_test_count_aliases(db), 2);
	assert_int_equal(bh_test_count_advisories(db, NULL), 1);

	newer = subst(text, "fixed: \"2.3\"", "fixed: \"1.5\"");
	newer2 = subst(newer, "2022-01-05T02:16:25.743194Z", "2023-03-01T00:00:00Z");
	import_doc(db, "PYSEC-2020-341.yaml", newer2, &st);
	assert_int_equal(st.kept, 0);
	assert_int_equal(bh_test_count_rows(db, NULL), 1);
	assert_str(bh_test_row_field(db, "fixed_version", BH_TEST_C("advisory_id=PYSEC-2020-341")), "1.5");
	assert_str(bh_test_advisory_field(db, "modified", BH_TEST_C("id=PYSEC-2020-341")), "2023-03-01T00:00:00Z");

	older = subst(text, "fixed: \"2.3\"", "fixed: \"9.9\"");
	older2 = subst(older, "2022-01-05T02:16:25.743194Z", "2021-01-01T00:00:00Z");
	import_doc(db, "PYSEC-2020-341.yaml", older2, &st);
	assert_int_equal(st.kept, 1);
	assert_int_equal(st.advisories, 0);
	assert_str(bh_test_row_field(db, "fixed_version", BH_TEST_C("advisory_id=PYSEC-2020-341")), "1.5");
	commit(db);
	free(text); free(newer); free(newer2); free(older); free(older2);
}

/*
 * Two directories feed the same source name ("osv"): importing Go after PyPA (two runs on one
 * DB) keeps PyPA's advisory. The Go record's ranges are stored as given (events in file order).
 */
static void test_same_source_two_dirs(void **state)
{
	bh_vulndb *db = create("two.db");
	bh_import_stats st;
	char *text, *stored;
	json_t *doc, *got;
	(void)state;
	import(db, FIX "osv-pypa", &st);
	commit(db);
	db = create("two.db");
	import(db, FIX "osv-go", &st);
	assert_int_equal(st.advisories, 1);
	commit(db);
	db = create("two.db");
	assert_int_equal((bh_test_count_advisories(db, BH_TEST_C("source=osv", "id=PYSEC-2020-341")) + bh_test_count_advisories(db, BH_TEST_C("source=osv", "id=GO-2024-2916"))), 2);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("source=osv")), 2);
	text = bh_test_slurp(FIX "osv-go/GO-2024-2916.json", &tlen);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	stored = bh_test_row_field(db, "ranges", BH_TEST_C("advisory_id=GO-2024-2916"));
	assert_non_null(stored);
	got = json_loads(stored, 0, NULL);
	/* json_equal compares arrays element by element, in order */
	assert_true(json_equal(got, json_object_get(json_array_get(json_object_get(doc, "affected"), 0), "ranges")));
	assert_str(bh_test_row_field(db, "package", BH_TEST_C("advisory_id=GO-2024-2916")), "github.com/goharbor/harbor");
	json_decref(got);
	json_decref(doc);
	free(stored);
	free(text);
	bh_vulndb_close(db);
}

/*
 * Excerpts of the real Alpine secdb (v3.7-v3.11; README.md beside them). Expected figures from
 * an independent reading (PyYAML, one regular expression per id form): 324 entries, 520 ids,
 * 5 entries without an id, 29 with other words, 319 affected rows (5 of them "0" = not affected).
 */
static void test_alpine(void **state)
{
	bh_vulndb *db = create("alpine.db");
	bh_import_stats st;
	long long rows;
	(void)state;
	import(db, FIX "alpine", &st);
	assert_int_equal(st.entries, 324);
	assert_int_equal(st.ids, 520);
	assert_int_equal(st.prose, 5);
	assert_int_equal(st.notes, 29);
	assert_int_equal(st.affected, 319);
	assert_int_equal(st.skipped, 0);
	rows = bh_test_count_rows(db, NULL);
	assert_int_equal(rows, 319);
	/* several ids on one line: one advisory, the others its aliases; "XPTI" is not an id */
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("advisory_id=CVE-2017-5753", "distro=alpine:3.7")), 1);
	assert_str(bh_test_advisory_field(db, "aliases", BH_TEST_C("id=CVE-2017-5753")), "CVE-2017-5715 CVE-2017-5754 XSA-254");
	assert_int_equal((bh_test_count_advisories(db, BH_TEST_C("id=CVE-2017-5715")) + bh_test_count_advisories(db, BH_TEST_C("id=CVE-2017-5754")) + bh_test_count_advisories(db, BH_TEST_C("id=XPTI"))), 0);
	/* tcpdump's notes are dropped, its CVEs kept */
	assert_str(bh_test_row_field(db, "fixed_version", BH_TEST_C("advisory_id=CVE-2018-14881", "package=tcpdump")), "4.9.3-r0");
	/* "CVE 2018-16859" (ansible), "CVE_2019-2426", "CVE-2017-17434-1", "CVE-2019-19451.patch": no advisory */
	assert_int_equal(bh_test_count_advisories(db, BH_TEST_C("id!=CVE-[0-9][0-9][0-9][0-9]-[0-9]*", "id!=XSA-[0-9]*", "id!=TALOS-[0-9]*")), 0);
	assert_int_equal(bh_test_count_advisories(db, BH_TEST_C("id=*[!-A-Z0-9]*")), 0);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("package=ansible", "advisory_id=*16859*")), 0);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("package=rsync", "advisory_id=CVE-2017-17434*")), 0);
	/* "CVE-????-?????  XSA-295": the XSA id alone */
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("advisory_id=XSA-295", "package=xen")), 1);
	/* TALOS ids ride along as aliases of their CVE */
	assert_int_equal(bh_test_count_advisories(db, BH_TEST_C("id=CVE-2017-12122", "alias=TALOS-2017-0488")), 1);
	/* "0": never affected in that release */
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("package=db", "status=not_affected", "distro=alpine:3.8", "fixed_version=NULL", "ranges=NULL")), 5);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("status=fixed", "ranges!=[[]{\"type\":\"ECOSYSTEM\",*")), 0);
	/* importing again: the same rows, not twice as many */
	import(db, FIX "alpine", &st);
	assert_int_equal(bh_test_count_rows(db, NULL), rows);
	assert_int_equal(bh_test_count_aliases(db), 115);
	commit(db);
}

/* Real RustSec advisories (README.md beside them): kind, withdrawn, aliases and the requirement strings. */
static void test_rustsec(void **state)
{
	bh_vulndb *db = create("rustsec.db");
	bh_import_stats st;
	(void)state;
	import(db, FIX "rustsec", &st);
	assert_int_equal(st.advisories, 7);
	assert_int_equal(st.skipped, 0);
	assert_str(bh_test_advisory_field(db, "kind", BH_TEST_C("id=RUSTSEC-2020-0011")), "notice");
	assert_str(bh_test_advisory_field(db, "kind", BH_TEST_C("id=RUSTSEC-2022-0057")), "unmaintained");
	assert_str(bh_test_advisory_field(db, "kind", BH_TEST_C("id=RUSTSEC-2024-0442")), "unsound");
	assert_str(bh_test_advisory_field(db, "kind", BH_TEST_C("id=RUSTSEC-2021-0076")), NULL);
	assert_str(bh_test_advisory_field(db, "withdrawn", BH_TEST_C("id=RUSTSEC-2022-0044")), "2025-04-28");
	assert_str(bh_test_advisory_field(db, "kind", BH_TEST_C("id=RUSTSEC-2022-0044")), "unmaintained");
	/* "aliases\t= [...]": a tab after the key */
	assert_str(bh_test_advisory_field(db, "aliases", BH_TEST_C("id=RUSTSEC-2021-0076")), "CVE-2021-38195 GHSA-g4vj-x7v9-h82m");
	assert_str(bh_test_row_field(db, "ranges", BH_TEST_C("advisory_id=RUSTSEC-2024-0433")), "[{\"type\":\"REQS\",\"patched\":[\">= 0.6.1, < 0.7.0\",\">= 0.7.2, < 0.8.0\",\">= 0.8.2, < 0.9.0\","
		 "\">= 0.9.3, < 0.10.0\",\">= 0.10.1, < 0.11.0\",\">= 0.11.1\"],\"unaffected\":[\"< 0.6.0\"]}]");
	assert_str(bh_test_row_field(db, "ranges", BH_TEST_C("advisory_id=RUSTSEC-2026-0041")), "[{\"type\":\"REQS\",\"patched\":[\">= 0.11.6, < 0.12.0\",\">= 0.12.1\"],\"unaffected\":[]}]");
	assert_str(bh_test_row_field(db, "package", BH_TEST_C("advisory_id=RUSTSEC-2026-0041")), "lz4_flex");
	import(db, FIX "rustsec", &st);
	assert_int_equal(bh_test_count_rows(db, NULL), 7);
	assert_int_equal(bh_test_count_advisories(db, NULL), 7);
	commit(db);
}

/* The tracker JSON (a CVE per source package) and a DSA list imported twice: no growth. */
static void test_debian_reimport(void **state)
{
	bh_vulndb *db = create("deb.db");
	bh_import_stats st;
	long long n;
	static const char dsa[] =
		"[14 Mar 2023] DSA-5374-1 firefox-esr - security update\n"
		"\t{CVE-2023-25751 CVE-2023-25752}\n"
		"\t[bullseye] - firefox-esr 102.9.0esr-1~deb11u1\n";
	(void)state;
	import(db, FIX "debian-derived.json", &st);
	n = bh_test_count_rows(db, NULL);
	assert_true(n > 0);
	import(db, FIX "debian-derived.json", &st);
	assert_int_equal(bh_test_count_rows(db, NULL), n);
	import_doc(db, "data/DSA/list", dsa, &st);
	import_doc(db, "data/DSA/list", dsa, &st);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("advisory_id=DSA-5374-1")), 1);
	assert_int_equal(bh_test_count_words(bh_test_advisory_field(db, "aliases", BH_TEST_C("id=DSA-5374-1"))), 2);
	bh_vulndb_close(db);
}

/* Skipped documents: all counted, the first 20 named (path inside the archive, reason), then one count. */
static void test_skips_named_and_bounded(void **state)
{
	char p[160], out[160];
	tb_entry e[25];
	char names[25][32];
	void *tar;
	size_t len, i;
	int fd, saved;
	unsigned long w0;
	bh_vulndb *db = create("skip.db");
	bh_import_stats st;
	char *log;
	(void)state;
	/* a name with a control character first (shown escaped), then 24 documents that are not advisories */
	e[0].path = "feed/bad\x01name.yaml";
	e[0].type = 'f';
	e[0].content = "- just\n- a list\n";
	e[0].mode = 0;
	for (i = 1; i < 25; i++) {
		snprintf(names[i], sizeof(names[i]), "feed/bad-%02zu.json", i);
		e[i].path = names[i];
		e[i].type = 'f';
		e[i].content = i == 3 ? "[1, 2" : "{\"neither\": \"osv nor kev\"}";
		e[i].mode = 0;
	}
	tar = tb_build(e, 25, 0, &len);
	assert_non_null(tar);
	snprintf(p, sizeof(p), "%s/feed.tar", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, tar, len), (ssize_t)len);
	close(fd);
	free(tar);
	snprintf(out, sizeof(out), "%s/stderr.txt", dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	close(fd);
	bh_log_set_level(BH_LOG_WARN);
	w0 = bh_log_warnings();
	import(db, p, &st);
	bh_log_set_level(BH_LOG_QUIET);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(st.skipped, 25);
	assert_int_equal(st.documents, 25);
	assert_int_equal(bh_log_warnings() - w0, 21);
	log = bh_test_slurp(out, &tlen);
	assert_non_null(strstr(log, "feed.tar!/feed/bad-01.json skipped: not advisory data"));
	assert_non_null(strstr(log, "feed.tar!/feed/bad-03.json skipped:"));
	assert_non_null(strstr(log, "feed.tar!/feed/bad\\x01name.yaml skipped:"));
	assert_null(strstr(log, "bad-21.json"));
	assert_non_null(strstr(log, "feed.tar: 5 more documents skipped (only the first 20 are named)"));
	free(log);
	bh_vulndb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osv_reimport_replaces),
		cmocka_unit_test(test_same_source_two_dirs),
		cmocka_unit_test(test_alpine),
		cmocka_unit_test(test_rustsec),
		cmocka_unit_test(test_debian_reimport),
		cmocka_unit_test(test_skips_named_and_bounded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
