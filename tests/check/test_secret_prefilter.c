/* test_secret_prefilter.c - the keyword prefilter finds every keyword: at every offset, in every case, at the ends of the data, in binary content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/secret.h"

/* Token prefixes are assembled at run time so that no scanner flags this file for its own test data. */

typedef struct hits {
	size_t n;
	char rule[8][64];
	unsigned long line[8];
} hits;

static int collect(void *ctx, const bh_secret_hit *hit)
{
	hits *h = ctx;
	if (h->n < 8) {
		snprintf(h->rule[h->n], sizeof(h->rule[0]), "%s", hit->rule);
		h->line[h->n] = hit->line;
	}
	h->n++;
	return 0;
}

/* Prose around the token, so that the pair filter passes often and the keyword must still be found. */
static const char filler[] = "the secret of a good token is access to the key, shared with her client app; ";

/* Builds [filler bytes][\n][token][\n][filler bytes] with the token at offset `at` of a line-2 start,
 * `tail` filler bytes after it (0 = the token ends the data). */
static size_t build(char *buf, size_t cap, size_t at, const char *token, size_t tail)
{
	size_t n = 0, i, tl = strlen(token);
	assert_true(at + tl + tail + 2 < cap);
	for (i = 0; i + 1 < at; i++)
		buf[n++] = filler[i % (sizeof(filler) - 1)];
	if (at)
		buf[n++] = '\n';
	memcpy(buf + n, token, tl);
	n += tl;
	if (tail) {
		buf[n++] = '\n';
		for (i = 0; i + 1 < tail; i++)
			buf[n++] = filler[i % (sizeof(filler) - 1)];
	}
	return n;
}

static void expect_one(const bh_secret_rules *r, const char *path, const char *data, size_t n, const char *rule,
		       unsigned long line, size_t at)
{
	hits h;
	bh_error err = { 0 };
	memset(&h, 0, sizeof(h));
	assert_int_equal(bh_secret_scan(r, path, (const unsigned char *)data, n, collect, &h, &err), 0);
	if (h.n != 1 || strcmp(h.rule[0], rule) != 0 || h.line[0] != line)
		fail_msg("%s at offset %zu (%zu bytes): %zu hits, first %s line %lu; want %s line %lu", rule, at, n, h.n,
			 h.n ? h.rule[0] : "-", h.n ? h.line[0] : 0, rule, line);
}

static bh_secret_rules *rules_with_custom(void)
{
	bh_secret_rules *r = NULL;
	bh_error err = { 0 };
	json_error_t je;
	/* a 3-byte keyword (the shortest) and a longer one; the data below spells both in mixed case */
	json_t *custom = json_loads("[{\"id\": \"short-kw\", \"regex\": \"(?i)zqx[0-9]{8}\", \"keywords\": [\"zqx\"]},"
				    " {\"id\": \"long-kw\", \"regex\": \"(?i)qv_tok_[0-9]{8}\", \"keywords\": [\"QV_Tok_\"]}]",
				    0, &je);
	assert_non_null(custom);
	assert_int_equal(bh_secret_rules_new(custom, &r, &err), 0);
	json_decref(custom);
	return r;
}

/* Every start offset (odd, even, both sides of the 64-byte blocks the filter works in, the first
 * bytes and the last ones) and every case spelling of the keyword. */
static void test_every_offset_every_case(void **state)
{
	static const char *const spellings[][2] = {
		{ "short-kw", "zqx12345678" }, { "short-kw", "ZQX12345678" }, { "short-kw", "zQx12345678" },
		{ "short-kw", "ZqX12345678" }, { "long-kw", "qv_tok_12345678" }, { "long-kw", "QV_TOK_12345678" },
		{ "long-kw", "Qv_tOk_12345678" }, { "aws-access-key-id", NULL },
	};
	char aws[32], buf[512];
	bh_secret_rules *r = rules_with_custom();
	size_t s, at, tail;
	(void)state;
	/* AKIA + 16 of [A-Z2-7], varied enough for the rule's entropy floor */
	snprintf(aws, sizeof(aws), "%s%s", "AK", "IAQ3EGJ7KZ2MX5WTY4");
	for (s = 0; s < sizeof(spellings) / sizeof(spellings[0]); s++) {
		const char *tok = spellings[s][1] ? spellings[s][1] : aws;
		for (at = 0; at < 200; at++)
			for (tail = 0; tail < 4; tail += 3) {
				size_t n = build(buf, sizeof(buf), at, tok, tail);
				expect_one(r, "notes.txt", buf, n, spellings[s][0], at ? 2 : 1, at);
			}
	}
	bh_secret_rules_free(r);
}

/* The data is only the keyword's match: shorter than any block, and 3 bytes at the least. */
static void test_tiny_inputs(void **state)
{
	bh_secret_rules *r = rules_with_custom();
	hits h;
	bh_error err = { 0 };
	(void)state;
	expect_one(r, "a.txt", "ZQX31415926", 11, "short-kw", 1, 0);
	memset(&h, 0, sizeof(h));
	assert_int_equal(bh_secret_scan(r, "a.txt", (const unsigned char *)"zq", 2, collect, &h, &err), 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(bh_secret_scan(r, "a.txt", (const unsigned char *)"zqx", 3, collect, &h, &err), 0);
	assert_int_equal(h.n, 0);
	bh_secret_rules_free(r);
}

/* Binary content is searched for PEM keys only, every fifth byte until a '-': the BEGIN line at every
 * offset, after longer runs of dashes, and after a lone '-' just before it. */
static void test_binary_private_key(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char key[1024], buf[2048];
	bh_secret_rules *r = NULL;
	bh_error err = { 0 };
	size_t k = 0, i, at, lead;
	uint32_t x = 12345;
	(void)state;
	assert_int_equal(bh_secret_rules_new(NULL, &r, &err), 0);
	k += (size_t)snprintf(key + k, sizeof(key) - k, "-----%s RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA", "BEGIN");
	for (i = 0; i < 320; i++) {
		x = x * 1103515245u + 12345u;
		key[k++] = b64[(x >> 16) % 64];
		if (i % 64 == 47)
			key[k++] = '\n';
	}
	k += (size_t)snprintf(key + k, sizeof(key) - k, "\n-----%s RSA PRIVATE KEY-----", "END");
	for (lead = 0; lead < 3; lead++)
		for (at = 0; at < 23; at++) {
			size_t n = 0, line = 1;
			hits h;
			memset(buf, 0, 64); /* NUL bytes: binary content */
			n = 8 + at;
			for (i = 8; i < n; i++)
				buf[i] = (char)(i % 7 == 0 ? '\n' : 'x');
			for (i = 0; i < n; i++)
				line += buf[i] == '\n';
			/* "-" or "--" glued before the key: the dash run is longer than five */
			for (i = 0; i < lead; i++)
				buf[n++] = '-';
			memcpy(buf + n, key, k);
			n += k;
			memset(&h, 0, sizeof(h));
			assert_int_equal(bh_secret_scan(r, "blob", (const unsigned char *)buf, n, collect, &h, &err), 0);
			if (h.n != 1 || strcmp(h.rule[0], "private-key") != 0 || h.line[0] != line)
				fail_msg("key at %zu after %zu dashes: %zu hits, first %s line %lu, want line %zu", at, lead,
					 h.n, h.n ? h.rule[0] : "-", h.n ? h.line[0] : 0, line);
		}
	/* the key as the first bytes, NUL bytes after it */
	for (lead = 0; lead < 3; lead++) {
		hits h;
		size_t n = 0;
		for (i = 0; i < lead; i++)
			buf[n++] = '-';
		memcpy(buf + n, key, k);
		n += k;
		memset(buf + n, 0, 16);
		n += 16;
		memset(&h, 0, sizeof(h));
		assert_int_equal(bh_secret_scan(r, "blob", (const unsigned char *)buf, n, collect, &h, &err), 0);
		assert_int_equal(h.n, 1);
		assert_string_equal(h.rule[0], "private-key");
		assert_int_equal(h.line[0], 1);
	}
	bh_secret_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_offset_every_case),
		cmocka_unit_test(test_tiny_inputs),
		cmocka_unit_test(test_binary_private_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
