/* test_secret.c - secret scanner: each rule fires and stays quiet, the fixture tree (and secretlint's findings on it), limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BH_SECRET_INTERNAL
#include "check/secret.h"
#include "support/fixture.h"

#define FX "tests/fixtures/secrets/app"
#define MAX_HITS 256

/* Token prefixes are split ("gh" "p_") so that no scanner flags this file for its own test data. */

typedef struct got {
	char rule[64];
	bh_severity sev;
	unsigned long line;
	char masked[64];
	char text[256];
} got;

typedef struct hits {
	got h[MAX_HITS];
	size_t n;
	int stop; /* returned by the callback when non-zero */
} hits;

static int collect(void *ctx, const bh_secret_hit *hit)
{
	hits *h = ctx;
	got *g;
	assert_non_null(hit->rule);
	assert_non_null(hit->title);
	assert_true(hit->line >= 1);
	assert_true(strlen(hit->masked) <= 40);
	assert_true(strlen(hit->line_text) <= 200);
	if (h->n < MAX_HITS) {
		g = &h->h[h->n];
		snprintf(g->rule, sizeof(g->rule), "%s", hit->rule);
		g->sev = hit->severity;
		g->line = hit->line;
		snprintf(g->masked, sizeof(g->masked), "%s", hit->masked);
		snprintf(g->text, sizeof(g->text), "%s", hit->line_text);
	}
	h->n++;
	return h->stop;
}

static int scan_mem(const bh_secret_rules *r, const char *path, const void *data, size_t len, hits *h)
{
	bh_error err = { 0 };
	memset(h->h, 0, sizeof(h->h));
	h->n = 0;
	return bh_secret_scan(r, path, data, len, collect, h, &err);
}

static size_t count_rule(const hits *h, const char *rule)
{
	size_t i, c = 0;
	for (i = 0; i < h->n && i < MAX_HITS; i++)
		c += !strcmp(h->h[i].rule, rule);
	return c;
}

static const got *find_rule(const hits *h, const char *rule)
{
	size_t i;
	for (i = 0; i < h->n && i < MAX_HITS; i++)
		if (!strcmp(h->h[i].rule, rule))
			return &h->h[i];
	return NULL;
}

static int setup(void **state)
{
	bh_secret_rules *r = NULL;
	bh_error err;
	if (bh_secret_rules_new(NULL, &r, &err))
		return -1;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	bh_secret_rules_free(*state);
	return 0;
}

/* ---- every rule: one case that fires, one lookalike that stays quiet ---- */

#define PK8_BODY "MC4CAQAwBQYDK2VwBCIEIJ9IQK+qwV2toyEXNoCpiOajJMU4CK+39LSQGu4KRToc"
#define PK8 "-----BEGIN PRIVATE" " KEY-----\n" PK8_BODY "\n-----END PRIVATE KEY-----\n"
#define PK8_JSON "-----BEGIN PRIVATE" " KEY-----\\n" PK8_BODY "\\n-----END PRIVATE KEY-----\\n"
#define OPS_TOKEN "op" "s_eyJzaWduSW5BZGRyZXNzIjoieC4xcGFzc3dvcmQuY29tIiwiZW1haWwiOiJhQGIuaW52YWxpZCIsInNlY3JldEtleSI6IkEzLVRUUVBLWk9YRTJESEdNTUNKM1dWRkdVOFNJIiwic3JwWCI6IjYxZDI4MTU2ZTljODVlNTkzYjRmOWE5Y2MzYjk1M2FhNzFiMzgzMGExM2ZjZjkzZTNlM2YxM2M5MDMzNTUxNWMifQ=="

typedef struct rule_case {
	const char *rule, *path, *fire, *quiet;
} rule_case;

static const rule_case cases[] = {
	{ "private-key", "deploy/key.pem", PK8,
	  /* a marker with a placeholder body, as in documentation */
	  "-----BEGIN RSA PRIVATE" " KEY-----\n...your key here...\n-----END RSA PRIVATE KEY-----\n" },
	{ "gcp-service-account", "sa.json",
	  "{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"3f1a9c0d5e7b2a4c6d8e0f1a2b3c4d5e6f708192\",\n"
	  "  \"private_key\": \"" PK8_JSON "\",\n  \"client_email\": \"ci@p.iam.gserviceaccount.com\"\n}\n",
	  "{\n  \"type\": \"authorized_user\",\n  \"client_secret_file\": \"x\"\n}\n" },
	{ "aws-access-key-id", "main.go", "id := \"AK" "IAQUMPMHS6PJARB7LM\"\n", "id := \"AK" "IAIOSFODNN7EXAMPLE\"\n" },
	{ "aws-secret-access-key", "credentials", "aws_secret_access_key = XxQPplH8ACyjkz4jmBQlm7knI4pShZFC8ZrXbeg/\n",
	  "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" },
	{ "gcp-api-key", "maps.js", "key: 'AI" "zafT3pG_h8msMlc_T1ah9sdbEl7oX8nrEHAlu'\n",
	  "key: 'AI" "zaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'\n" },
	{ "azure-storage-account-key", "app.config",
	  "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=vtdgDW1+In81LJK6yc+jecsblnAk2vnXK6+Zy2GKlPOyJV9YZGWNkJnsrUgBhcpqIuRhWlMkU6ag5t/Zj3aoeW==\n",
	  /* the Azurite emulator key from Microsoft's documentation */
	  "AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n" },
	{ "azure-shared-access-key", "bus.txt",
	  "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=qeHGwlifXjw9APP8Dy+3XzZmBNQR2yTBGTCuSsH5LM/=\n",
	  "SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" },
	{ "azure-client-secret", "main.tf", "client_secret = \"pS85Q~m9iJLwbL132Zn4T8_WvXX2HdNK4-4cjXQV\"\n",
	  "client_secret = var.azure_client_secret\n" },
	{ "github-pat", "ci.sh", "GH_TOKEN=gh" "p_QrM3hwwjhCS6jkdFKsvw8f46QqXYilvBSbEL\n",
	  "GH_TOKEN=gh" "p_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" },
	{ "github-oauth", "ci.sh", "t=gh" "o_gGOBomUOLc877EgNB6bfbdUwFDrzIe3mGxHo\n", "t=gh" "o_gGOBomUOLc877EgNB6bfbdUwFDrzIe3mGxH\n" },
	{ "github-app-token", "ci.sh", "t=gh" "s_L43ScQQYK8TUkl1JYnrw8tdVIIfHmxOCTQE8\n",
	  /* an identifier, not a random token */
	  "t=gh" "s_configuration_setting_name_for_test\n" },
	{ "github-refresh-token", "ci.sh", "t=gh" "r_phIECUyUALDgxkhOFosZYG9uVqv8ExVuo5Zb\n",
	  "t=gh" "r_your_token_here_0000000000000000000\n" },
	{ "github-fine-grained-pat", "ci.sh",
	  "t=github" "_pat_cb99JpX9M02bB3f8nUVRBo_MFTXptvp7WhPvFMKFl8zE8Ajlb0cdkbx9ZFqJDGf1rB853IgN95Dci7xD93\n",
	  "t=github" "_pat_cb99JpX9M02bB3f8nUVRBo_MFTXptvp7WhPvFMKFl8zE8Ajlb0cdkbx9ZFqJDGf1rB853IgN95Dci7xD9\n" },
	{ "gitlab-pat", "ci.sh", "t=gl" "pat-lgWk7J6rWs77hSx91Hqa\n", "t=gl" "pat-xxxxxxxxxxxxxxxxxxxx\n" },
	{ "gitlab-token", "ci.sh", "t=gl" "ptt-598e7d8a50f510dc6c4393a96e78c3403049d3e8\n", "t=gl" "ptt-short\n" },
	{ "slack-token", "bot.py", "SLACK=\"xo" "xb-923827159836-6660330936611-JjH3LZ7wM6GKHVjk9tCSi5eI\"\n",
	  "SLACK=\"xo" "xb-your-bot-token-here\"\n" },
	{ "slack-webhook", "alert.sh", "curl https://hooks.slack" ".com/services/TEEA0RZSJ/B7O3B030ZQX/2T4Rc1hotdHNYgt0sgCWBn1B\n",
	  /* Slack's documentation example */
	  "curl https://hooks.slack" ".com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n" },
	{ "stripe-secret-key", "pay.rb", "Stripe.api_key = 's" "k_live_ue6bsBu4RstbtSPrwfm74O5b'\n",
	  /* test-mode keys reach no money */
	  "Stripe.api_key = 's" "k_test_ue6bsBu4RstbtSPrwfm74O5b'\n" },
	{ "npm-access-token", "ci.yml.txt", "NPM_TOKEN: np" "m_FGEhS2v3y7X6Qd4VKW0y1tpQP3JTkLoaz48F\n",
	  "echo $np" "m_package_config_registry_url_override\n" },
	{ "npmrc-auth-token", ".npmrc", "//npm.corp.invalid/:_auth" "Token=e779eda3-1455-4f62-5b65-a91d1cbb5371\n",
	  "//registry.npmjs.org/:_auth" "Token=${NPM_TOKEN}\n" },
	{ "pypi-upload-token", "publish.sh",
	  "twine upload -p pyp" "i-AgEIcHlwaS5vcmcCJe3ZVMkfcDWKbFYV6RZc123ybgnl8LzRRIC7wQqVThu1r2WZxfm2rBvqZptcSyEXcg_8_8o\n",
	  "twine upload -p pyp" "i-AgEIcHlwaS5vcmc\n" },
	{ "jwt", "client.ts",
	  "auth = 'Bearer ey" "JhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInJvbGUiOiJhZG1pbiJ9.eNu9Jchmw9pUNlWbDrio9ToGG1-ONo64osfMnadO70l'\n",
	  /* jwt.io's sample token */
	  "auth = 'Bearer ey" "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'\n" },
	{ "password-in-url", "notes.txt", "db: postgres://admin:S3cr3tPw9@db.corp.internal:5432/app\n",
	  "db: postgres://user:password@db.corp.invalid:5432/app\n" },
	{ "docker-config-auth", ".docker/config.json", "{\"auths\":{\"r.io\":{\"auth\": \"ZGVwbG95OkhxN3ZSMm1Yazk=\"}}}\n",
	  "{\"auths\":{\"r.io\":{\"auth\": \"bm9jb2xvbmhlcmU=\"}}}\n" },
	{ "heroku-api-key", "deploy.sh", "export HEROKU_API_KEY=e779eda3-1455-4f62-5b65-a91d1cbb5371\n",
	  "export HEROKU_API_KEY=00000000-0000-0000-0000-000000000000\n" },
	{ "twilio-api-key", "sms.py", "TWILIO_AUTH_TOKEN = 'bd6a2ba11015b11f5c9538f28f41ec36'\n",
	  /* the account SID is an identifier, not a secret */
	  "TWILIO_ACCOUNT_SID = 'ACbd6a2ba11015b11f5c9538f28f41ec36'\n" },
	{ "sendgrid-api-key", "mail.py", "key = 'S" "G.9i7w8QJUr4Z-4w3WNq8PDJ.5w_OcmKYDF2l9ubwqcQD72XQvUs55ZaRb8LHTE-2ihz'\n",
	  "key = 'S" "G.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n" },
	{ "mailgun-api-key", "mail.py", "auth=('api', 'ke" "y-d63d17418e52d2d058b3abc4aa0df28d')\n",
	  "auth=('api', 'ke" "y-00000000000000000000000000000000')\n" },
	{ "shopify-token", "shop.sh", "H='X-Shopify-Access-Token: sh" "pat_2993a370361fd9eec39ea79497344d3b'\n", "H='sh" "pat_2993a370'\n" },
	{ "openai-api-key", "ai.py",
	  "k='sk-proj-Y-C0tLOkQdMhfx6zErjulaLO3RHCdxFmZPCvFcwEqhGuYyGTo7LjmL4bHyT3Blbk" "FJVZJ20fdb_d7deor8fuA9dvhMzHW64eplsjRRkqclBdx7HI4VgmfkqiEZIK'\n",
	  "k='sk-proj-1234'\n" },
	{ "anthropic-api-key", "ai.py",
	  "k='sk-an" "t-api03-Q60ZGZbJ6ajz3HUlVOJO2v5nTr53VaYGeeZWhbLpKGVHKVwapppTudVVGtZpqNTXQ9patiIUJLe7Cvm5q66lPnIs-dbVNAA'\n",
	  "k='sk-an" "t-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA'\n" },
	{ "groq-api-key", "ai.py", "k='gs" "k_EAdjSXtri5nAk8UeloAWonlguyQYvT7TvGRFusGAqryLB6mQ6RpI'\n",
	  "k='gs" "k_EAdjSXtri5nAk8UeloAWonlguyQYvT7TvGRFusGAqryLB6mQ6Rp'\n" },
	{ "huggingface-token", "ai.py", "k='h" "f_HcwtqGEkaaijuFrnbgFlzdANyqImaCpPPk'\n",
	  "k='h" "f_abcdefghijklmnopqrstuvwxyzabcdefgh'\n" },
	{ "linear-api-key", "ci.sh", "LINEAR=li" "n_api_fSoW1ARR4u6fHqLlGO1wAWzKiLZj0Jhy6MyUT0wP\n", "LINEAR=li" "n_api_short\n" },
	{ "notion-token", "ci.sh", "NOTION=nt" "n_14619150911kToC3zvlZHVJccffqwAs47Dd61RoSHqZlBk\n",
	  "NOTION=nt" "n_abcdefghijkkToC3zvlZHVJccffqwAs47Dd61RoSHqZlBk\n" },
	{ "1password-service-token", "ci.sh", "OP=" OPS_TOKEN "\n", "OP=op" "s_eyJzaWduSW5\n" },
	{ "vault-token", "ci.sh",
	  "VAULT_TOKEN=hv" "s.u2mzI1vAuQdn_dRTs4L2-hyeyvi6MAoNMggVaH82I9ZjlsskgHSY9fMIygIE1jw_58cyeTCfZP4IAC2FguNDBHszUEaW8mQ\n",
	  "VAULT_TOKEN=hv" "s.short\n" },
	{ "vercel-token", "ci.sh", "VERCEL=vc" "p_SW6cQGS09U0wn7dhTpHVEN1N\n", "VERCEL=vc" "p_abcdefghijklmnopqrstuvwx\n" },
	{ "databricks-token", "ci.sh", "--token da" "pi55e84f9681b98c7b765109fb5eb81024\n",
	  "--token da" "pi00000000000000000000000000000000\n" },
	{ "docker-hub-pat", "ci.sh", "echo dc" "kr_pat_xmyFJ5_uSN3R79MrpzcZ1_IYV7E | docker login\n",
	  "echo dc" "kr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx | docker login\n" },
	{ "figma-token", "ci.sh", "FIGMA=fi" "gd_LJ715-s82tAVVCtePDOIaAISZeBlrLl6UhdX8C4m\n", "FIGMA=fi" "gd_short\n" },
	{ "grafana-token", "ci.sh", "G=gl" "sa_cDK9ixd7fI16JgbHTYCOB6JqCpsNa3rD_e7d68bda\n", "G=gl" "sa_cDK9ixd7fI16JgbHTYCOB6JqCpsNa3rD_zzzzzzzz\n" },
	{ "generic-password", "app.properties", "db.password=Xk9#mP2vL7q\n", "db.password=changeme\n" },
	{ "generic-secret", "values.yaml", "api_key: xqXLsJh8cP9h0ZvvVqGc\n",
	  "token_url: https://auth.corp.invalid/token\n" },
};

static void test_rules_fire_and_quiet(void **state)
{
	const bh_secret_rules *r = *state;
	const bh_secret_builtin *b;
	size_t nb, i, j;
	hits *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rule_case *c = &cases[i];
		assert_int_equal(scan_mem(r, c->path, c->fire, strlen(c->fire), h), 0);
		if (!count_rule(h, c->rule))
			fail_msg("%s: did not fire on %s", c->rule, c->fire);
		assert_int_equal(scan_mem(r, c->path, c->quiet, strlen(c->quiet), h), 0);
		if (count_rule(h, c->rule))
			fail_msg("%s: fired on the lookalike %s", c->rule, c->quiet);
	}
	/* every built-in rule has its pair of cases */
	b = bh_secret_builtins(&nb);
	for (i = 0; i < nb; i++) {
		for (j = 0; j < sizeof(cases) / sizeof(cases[0]) && strcmp(cases[j].rule, b[i].id); j++)
			;
		if (j == sizeof(cases) / sizeof(cases[0]))
			fail_msg("rule %s has no test case", b[i].id);
	}
	free(h);
}

/* Generic assignments only count in configuration files; specific tokens count everywhere. */
static void test_generic_only_in_config(void **state)
{
	const bh_secret_rules *r = *state;
	static const char line[] = "db.password=Xk9#mP2vL7q\n";
	static const char *const cfg[] = { "app.properties", ".env", ".env.production", "config.yaml", "web.xml", "my.cnf",
		"main.tf", "credentials", NULL };
	static const char json_fire[] = "{\"db\": {\"password\": \"Xk9#mP2vL7q\"}}\n";
	/* go test2json output: "PASS: Test..." inside a string is not a key */
	static const char json_quiet[] = "{\"Action\":\"output\",\"Output\":\"--- PASS: TestWithColons (0.00s)\\n\"}\n";
	static const char commented[] = "# password = Xk9#mP2vL7q\n;password=Xk9#mP2vL7q\n// password: Xk9#mP2vL7q\n";
	static const char *const src[] = { "main.c", "app.py", "README.md", "run.sh", NULL };
	hits *h = calloc(1, sizeof(*h));
	size_t i;
	assert_non_null(h);
	for (i = 0; cfg[i]; i++) {
		scan_mem(r, cfg[i], line, sizeof(line) - 1, h);
		if (count_rule(h, "generic-password") != 1)
			fail_msg("no generic-password in %s", cfg[i]);
	}
	for (i = 0; src[i]; i++) {
		scan_mem(r, src[i], line, sizeof(line) - 1, h);
		assert_int_equal(h->n, 0);
	}
	scan_mem(r, "a/b/settings.json", json_fire, sizeof(json_fire) - 1, h);
	assert_int_equal(count_rule(h, "generic-password"), 1);
	scan_mem(r, "a/b/test.json", json_quiet, sizeof(json_quiet) - 1, h);
	assert_int_equal(h->n, 0);
	/* a commented-out setting documents a default */
	scan_mem(r, "app.conf", commented, sizeof(commented) - 1, h);
	assert_int_equal(h->n, 0);
	free(h);
}

/* The allow-list: documented examples and placeholders are never reported, in any rule. */
static void test_placeholders(void **state)
{
	const bh_secret_rules *r = *state;
	static const char *const quiet[] = {
		"AWS_ACCESS_KEY_ID=AK" "IAIOSFODNN7EXAMPLE\n",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"aws_access_key_id = AK" "IAI44QH8DHBEXAMPLE\n",
		"aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
		"DB_PASSWORD=changeme\n",
		"DB_PASSWORD=<password>\n",
		"DB_PASSWORD=${DB_PASSWORD}\n",
		"DB_PASSWORD=xxxxxxxx\n",
		"API_TOKEN=your_token_here\n",
		"API_SECRET=aaaaaaaaaaaaaaaaaaaa\n",
		"password: \"{{ .Values.db.password }}\"\n",
		"password: !vault |\n",
		"password: ENC(Xk9mP2vL7qz8)\n",
		"password_file: /run/secrets/db\n",
		"token: \"...\"\n",
		"GITHUB_TOKEN=gh" "p_000000000000000000000000000000000000\n",
		"AK" "IAXXXXXXXXXXXXXXXX\n",
		/* documentation hosts (RFC 2606) and a too-short password */
		"URL=https://deploy:Zq8vLm2xR@registry.example.com/v2\n",
		"URL=https://deploy:Zq8vLm2xR@ci.invalid/\n",
		"URL=https://abc:xyz@build.corp.internal/\n",
		NULL,
	};
	hits *h = calloc(1, sizeof(*h));
	size_t i;
	assert_non_null(h);
	for (i = 0; quiet[i]; i++) {
		scan_mem(r, ".env", quiet[i], strlen(quiet[i]), h);
		if (h->n)
			fail_msg("reported %s (%s) in %s", h->h[0].rule, h->h[0].masked, quiet[i]);
	}
	free(h);
}


static void test_masking_and_lines(void **state)
{
	const bh_secret_rules *r = *state;
	static const char crlf[] = "# creds\r\n\r\nexport GH=gh" "p_QrM3hwwjhCS6jkdFKsvw8f46QqXYilvBSbEL\r\nid=AK" "IAQUMPMHS6PJARB7LM\r\n";
	static const char shortpw[] = "password=Xk9#mP\n";
	hits *h = calloc(1, sizeof(*h));
	const got *g;
	assert_non_null(h);
	assert_int_equal(scan_mem(r, "x.sh", crlf, sizeof(crlf) - 1, h), 0);
	assert_int_equal(h->n, 2);
	assert_non_null(g = find_rule(h, "github-pat"));
	assert_int_equal(g->line, 3);
	assert_int_equal(g->sev, BH_SEV_HIGH);
	assert_string_equal(g->masked, "gh" "p_************************************");
	assert_string_equal(g->text, "export GH=gh" "p_************************************");
	assert_non_null(g = find_rule(h, "aws-access-key-id"));
	assert_int_equal(g->line, 4);
	assert_int_equal(g->sev, BH_SEV_CRITICAL);
	assert_string_equal(g->masked, "AK" "IA****************");
	assert_string_equal(g->text, "id=AK" "IA****************");

	/* a long secret shows 40 characters; its line is the BEGIN line */
	assert_int_equal(scan_mem(r, "k.pem", "\n" PK8, sizeof(PK8), h), 0);
	assert_int_equal(h->n, 1);
	assert_int_equal(h->h[0].line, 2);
	assert_string_equal(h->h[0].masked, "MC4C************************************");
	assert_string_equal(h->h[0].text, "-----BEGIN PRIVATE" " KEY-----");

	/* a short password never shows more than half of itself */
	assert_int_equal(scan_mem(r, ".env", shortpw, sizeof(shortpw) - 1, h), 0);
	assert_int_equal(h->n, 1);
	assert_int_equal(h->h[0].sev, BH_SEV_MEDIUM);
	assert_string_equal(h->h[0].masked, "Xk9***");
	assert_string_equal(h->h[0].text, "password=Xk9***");
	free(h);
}

/* ---- the fixture tree ---- */

typedef struct fx_hit {
	const char *file;
	unsigned long line;
	const char *rule;
} fx_hit;

/* Every hit bulkhead must report in tests/fixtures/secrets/app, and nothing else. */
static const fx_hit fx_expected[] = {
	{ ".aws/credentials", 2, "aws-access-key-id" },
	{ ".aws/credentials", 3, "aws-secret-access-key" },
	{ ".aws/credentials", 10, "aws-access-key-id" },
	{ ".aws/credentials", 11, "aws-secret-access-key" },
	{ ".aws/credentials", 12, "generic-secret" },
	{ ".docker/config.json", 4, "docker-config-auth" },
	{ ".env", 4, "password-in-url" },
	{ ".env", 5, "generic-password" },
	{ ".env", 7, "stripe-secret-key" },
	{ ".env", 8, "sendgrid-api-key" },
	{ ".env", 11, "github-pat" },
	{ ".git-credentials", 1, "github-pat" },
	{ ".npmrc", 1, "npm-access-token" },
	{ ".npmrc", 1, "npmrc-auth-token" },
	{ ".pypirc", 6, "pypi-upload-token" },
	{ "bin/agent", 16, "private-key" },
	{ "config/Web.config", 4, "azure-storage-account-key" },
	{ "config/Web.config", 9, "azure-shared-access-key" },
	{ "config/Web.config", 10, "generic-password" },
	{ "config/app.ini", 4, "generic-password" },
	{ "config/app.ini", 5, "mailgun-api-key" },
	{ "config/application.properties", 4, "generic-password" },
	{ "config/application.properties", 5, "password-in-url" },
	{ "config/database.yml", 18, "password-in-url" },
	{ "config/database.yml", 19, "generic-password" },
	{ "config/settings.json", 4, "gcp-api-key" },
	{ "config/settings.json", 8, "generic-password" },
	{ "config/settings.json", 14, "slack-webhook" },
	{ "config/settings.json", 20, "jwt" },
	{ "deploy/dsa.pem", 1, "private-key" },
	{ "deploy/ec.pem", 1, "private-key" },
	{ "deploy/encrypted.key", 1, "private-key" },
	{ "deploy/gcp-service-account.json", 1, "gcp-service-account" },
	{ "deploy/gcp-service-account.json", 5, "private-key" },
	{ "deploy/id_ed25519", 1, "private-key" },
	{ "deploy/id_rsa", 1, "private-key" },
	{ "deploy/legacy-encrypted.pem", 1, "private-key" },
	{ "deploy/release-signing.asc", 1, "private-key" },
	{ "deploy/service.key", 1, "private-key" },
	{ "mirror.git/config", 4, "gitlab-pat" },
	{ "k8s/secret.yaml", 7, "generic-password" },
	{ "k8s/secret.yaml", 9, "github-oauth" },
	{ "k8s/secret.yaml", 10, "azure-client-secret" },
	{ "scripts/deploy.sh", 3, "heroku-api-key" },
	{ "scripts/deploy.sh", 4, "twilio-api-key" },
	{ "scripts/deploy.sh", 5, "shopify-token" },
	{ "scripts/deploy.sh", 6, "databricks-token" },
	{ "scripts/deploy.sh", 7, "vault-token" },
	{ "scripts/deploy.sh", 8, "docker-hub-pat" },
	{ "scripts/deploy.sh", 9, "groq-api-key" },
	{ "scripts/deploy.sh", 10, "linear-api-key" },
	{ "scripts/deploy.sh", 11, "notion-token" },
	{ "scripts/deploy.sh", 12, "vercel-token" },
	{ "scripts/deploy.sh", 13, "figma-token" },
	{ "scripts/deploy.sh", 14, "grafana-token" },
	{ "scripts/deploy.sh", 15, "1password-service-token" },
	{ "src/client.js", 6, "slack-token" },
	{ "src/client.js", 7, "openai-api-key" },
	{ "src/client.js", 8, "anthropic-api-key" },
	{ "src/client.js", 9, "huggingface-token" },
	{ "src/main.py", 10, "aws-access-key-id" },
	{ "src/main.py", 11, "aws-secret-access-key" },
	{ "src/main.py", 15, "gitlab-pat" },
	{ "src/main.py", 16, "jwt" },
	{ "terraform/main.tf", 4, "azure-client-secret" },
	{ "terraform/main.tf", 16, "generic-password" },
	{ "tests/fixtures/test_keys.py", 3, "private-key" },
	{ "tests/fixtures/test_keys.py", 9, "github-app-token" },
	{ "web/static/app.min.js", 1, "gcp-api-key" },
};

/* What secretlint 12.0.0 (preset-recommend) reports on the same tree: see SECRETLINT.md. */
typedef struct sl_hit {
	const char *file;
	unsigned long line;
	const char *what;
	bool placeholder; /* secretlint's false positive: a documented placeholder bulkhead must not report */
} sl_hit;

static const sl_hit secretlint[] = {
	{ ".aws/credentials", 3, "aws AWSSecretAccessKey", false },
	{ ".aws/credentials", 11, "aws AWSSecretAccessKey", false },
	{ ".env", 4, "database-connection-string PostgreSQLConnection", false },
	{ ".env", 8, "sendgrid SENDGRID_KEY", false },
	{ ".env", 11, "github GITHUB_TOKEN", false },
	{ ".git-credentials", 1, "basicauth BasicAuth", false },
	{ ".git-credentials", 1, "github GITHUB_TOKEN", false },
	{ ".npmrc", 1, "npm NPM_ACCESS_TOKEN", false },
	{ ".npmrc", 1, "npm Npmrc_authToken", false },
	{ "config/application.properties", 5, "database-connection-string MongoDBConnection", false },
	{ "config/database.yml", 18, "database-connection-string MySQLConnection", false },
	{ "config/settings.json", 14, "slack IncomingWebhook", false },
	{ "deploy/dsa.pem", 1, "privatekey PrivateKey", false },
	{ "deploy/gcp-service-account.json", 1, "gcp PrivateKeyJSON", false },
	{ "deploy/gcp-service-account.json", 5, "privatekey PrivateKey", false },
	{ "deploy/id_ed25519", 1, "privatekey PrivateKey", false },
	{ "deploy/id_rsa", 1, "privatekey PrivateKey", false },
	{ "docs/README.md", 13, "slack IncomingWebhook (Slack's T00000000/B00000000/XXXX... example)", true },
	{ "k8s/secret.yaml", 9, "github GITHUB_TOKEN", false },
	{ "mirror.git/config", 4, "basicauth BasicAuth", false },
	{ "mirror.git/config", 4, "gitlab GITLAB_PERSONAL_ACCESS_TOKEN", false },
	{ "scripts/deploy.sh", 5, "shopify SHOPIFY_KEY", false },
	{ "scripts/deploy.sh", 6, "databricks DATABRICKS_PERSONAL_ACCESS_TOKEN", false },
	{ "scripts/deploy.sh", 7, "hashicorp-vault HASHICORP_VAULT_SERVICE_TOKEN", false },
	{ "scripts/deploy.sh", 8, "docker DOCKER_PERSONAL_ACCESS_TOKEN", false },
	{ "scripts/deploy.sh", 9, "groq GROQ_API_KEY", false },
	{ "scripts/deploy.sh", 10, "linear LINEAR_API_TOKEN", false },
	{ "scripts/deploy.sh", 11, "notion NOTION_INTEGRATION_TOKEN", false },
	{ "scripts/deploy.sh", 12, "vercel VERCEL_PERSONAL_ACCESS_TOKEN", false },
	{ "scripts/deploy.sh", 13, "figma FIGMA_PERSONAL_ACCESS_TOKEN", false },
	{ "scripts/deploy.sh", 14, "grafana GRAFANA_SERVICE_ACCOUNT_TOKEN", false },
	{ "scripts/deploy.sh", 15, "1password OPS_TOKEN", false },
	{ "src/client.js", 6, "slack SLACK_TOKEN", false },
	{ "src/client.js", 7, "openai OPENAI_TOKEN", false },
	{ "src/client.js", 8, "anthropic ANTHROPIC_API_KEY", false },
	{ "src/client.js", 9, "huggingface HUGGINGFACE_USER_ACCESS_TOKEN", false },
	{ "src/client.js", 14, "github GITHUB_TOKEN (ghp_ followed by 36 x)", true },
	{ "src/main.py", 11, "aws AWSSecretAccessKey", false },
	{ "src/main.py", 15, "gitlab GITLAB_PERSONAL_ACCESS_TOKEN", false },
	{ "tests/fixtures/test_keys.py", 9, "github GITHUB_TOKEN", false },
};

#define FX_MAX 512

typedef struct fx_got {
	char file[128];
	unsigned long line;
	char rule[64];
	char masked[64];
	char text[256];
} fx_got;

/* nftw has no context pointer: the walk fills these */
static const bh_secret_rules *fx_rules;
static fx_got fx_got_list[FX_MAX];
static size_t fx_n;
static const char *fx_cur;

static int fx_collect(void *ctx, const bh_secret_hit *hit)
{
	fx_got *g;
	(void)ctx;
	assert_true(fx_n < FX_MAX);
	g = &fx_got_list[fx_n++];
	snprintf(g->file, sizeof(g->file), "%s", fx_cur);
	g->line = hit->line;
	snprintf(g->rule, sizeof(g->rule), "%s", hit->rule);
	snprintf(g->masked, sizeof(g->masked), "%s", hit->masked);
	snprintf(g->text, sizeof(g->text), "%s", hit->line_text);
	return 0;
}

static int fx_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(FX) + 1;
	bh_error err = { 0 };
	size_t n = 0;
	char *data;
	(void)ftw;
	if (type != FTW_F || !bh_secret_wants(rel, (uint64_t)st->st_size, 1u << 20))
		return 0;
	data = bh_test_slurp(path, &n);
	fx_cur = rel;
	assert_int_equal(bh_secret_scan(fx_rules, rel, (const unsigned char *)data, n, fx_collect, NULL, &err), 0);
	free(data);
	return 0;
}

static bool fx_reported(const char *file, unsigned long line, const char *rule)
{
	size_t i;
	for (i = 0; i < fx_n; i++)
		if (!strcmp(fx_got_list[i].file, file) && fx_got_list[i].line == line &&
		    (!rule || !strcmp(fx_got_list[i].rule, rule)))
			return true;
	return false;
}

static void test_fixture_tree(void **state)
{
	size_t i, j;
	fx_rules = *state;
	fx_n = 0;
	assert_int_equal(nftw(FX, fx_visit, 16, FTW_PHYS), 0);
	for (i = 0; i < sizeof(fx_expected) / sizeof(fx_expected[0]); i++)
		if (!fx_reported(fx_expected[i].file, fx_expected[i].line, fx_expected[i].rule))
			fail_msg("missed %s:%lu %s", fx_expected[i].file, fx_expected[i].line, fx_expected[i].rule);
	for (i = 0; i < fx_n; i++) {
		const fx_got *g = &fx_got_list[i];
		for (j = 0; j < sizeof(fx_expected) / sizeof(fx_expected[0]); j++)
			if (!strcmp(fx_expected[j].file, g->file) && fx_expected[j].line == g->line &&
			    !strcmp(fx_expected[j].rule, g->rule))
				break;
		if (j == sizeof(fx_expected) / sizeof(fx_expected[0]))
			fail_msg("unexpected %s:%lu %s %s | %s", g->file, g->line, g->rule, g->masked, g->text);
		/* the AWS documentation keys are allow-listed, and nothing reported is unmasked */
		assert_null(strstr(g->masked, "EXAMPLE"));
		assert_non_null(strchr(g->masked, '*'));
	}
	assert_int_equal(fx_n, sizeof(fx_expected) / sizeof(fx_expected[0]));
}

/* bulkhead finds every secret secretlint finds on the fixture, and skips secretlint's two placeholders. */
static void test_secretlint_parity(void **state)
{
	size_t i;
	fx_rules = *state;
	fx_n = 0;
	assert_int_equal(nftw(FX, fx_visit, 16, FTW_PHYS), 0);
	for (i = 0; i < sizeof(secretlint) / sizeof(secretlint[0]); i++) {
		bool found = fx_reported(secretlint[i].file, secretlint[i].line, NULL);
		if (found == secretlint[i].placeholder)
			fail_msg("%s:%lu (secretlint %s): bulkhead %s", secretlint[i].file, secretlint[i].line,
				 secretlint[i].what, found ? "reports a placeholder" : "misses it");
	}
}

/* ---- size, long lines, binary content ---- */

/* CPU time of this thread: the figure does not depend on what else the machine runs */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100 MB of source and prose without secrets (keywords included), one secret on the last line. */
static void test_large_file(void **state)
{
	static const char *const lines[] = {
		"static int parse_token(struct lexer *lx, const char *src, size_t len)\n",
		"    /* the password prompt is handled by the caller; see https://example.org/docs */\n",
		"    if (strcmp(key, \"api_key\") == 0 && value != NULL) return -EINVAL;\n",
		"The quick brown fox jumps over the lazy dog while the secret garden sleeps.\n",
		"def get_secret(name):\n        return os.environ.get(name)  # never hard-code a token\n",
		"2026-11-24T10:15:32Z INFO request id=3f0d2b8e path=/v1/orders status=200 took=12ms\n",
		"    key-value stores such as etcd keep every revision; see the Asia region notes.\n",
	};
	const bh_secret_rules *r = *state;
	const size_t target = 100u * 1000u * 1000u;
	static const char tail[] = "export TOKEN=gh" "p_QrM3hwwjhCS6jkdFKsvw8f46QqXYilvBSbEL\n";
	char *buf = malloc(target + 512 + sizeof(tail)); /* the last line may run past target */
	size_t n = 0, i = 0, nl = 0;
	hits *h = calloc(1, sizeof(*h));
	double t0, t1;
	assert_non_null(buf);
	assert_non_null(h);
	while (n < target) {
		const char *l = lines[i++ % (sizeof(lines) / sizeof(lines[0]))];
		size_t k = strlen(l);
		memcpy(buf + n, l, k);
		n += k;
	}
	for (i = 0; i < n; i++)
		nl += buf[i] == '\n';
	t0 = now();
	assert_int_equal(scan_mem(r, "src/big.c", buf, n, h), 0);
	t1 = now();
	assert_int_equal(h->n, 0);
	print_message("secret scan, %zu bytes of text without secrets: %.3f s CPU, %.0f MB/s\n", n, t1 - t0,
		      (double)n / (t1 - t0) / 1e6);
	memcpy(buf + n, tail, sizeof(tail) - 1);
	t0 = now();
	assert_int_equal(scan_mem(r, "config/big.yaml", buf, n + sizeof(tail) - 1, h), 0);
	t1 = now();
	print_message("secret scan, same as a configuration file (generic rules on): %.3f s CPU, %.0f MB/s\n", t1 - t0,
		      (double)n / (t1 - t0) / 1e6);
	assert_int_equal(h->n, 1);
	assert_string_equal(h->h[0].rule, "github-pat");
	assert_int_equal(h->h[0].line, nl + 1);
	free(buf);
	free(h);
}

/* A 4 MB single line (minified code) with keys at many offsets, some across window edges: each is
 * reported exactly once, with lookalikes of the keyword in between. */
static void test_long_line(void **state)
{
	const bh_secret_rules *r = *state;
	static const char key[] = "\"AI" "zafT3pG_h8msMlc_T1ah9sdbEl7oX8nrEHAlu\"";
	const size_t len = 4u << 20;
	char *buf = malloc(len);
	size_t i, placed = 0, at;
	hits *h = calloc(1, sizeof(*h));
	assert_non_null(buf);
	assert_non_null(h);
	for (i = 0; i < len; i++)
		buf[i] = "var a=b+c;aiza "[i % 15];
	for (at = 1000; at + sizeof(key) < len && placed < 200; at += 2048 + 7 * placed) {
		memcpy(buf + at, key, sizeof(key) - 1);
		placed++;
	}
	memcpy(buf + len - sizeof(key), key, sizeof(key) - 1);
	placed++;
	assert_int_equal(scan_mem(r, "app.min.js", buf, len, h), 0);
	assert_int_equal(h->n, placed);
	for (i = 0; i < h->n && i < MAX_HITS; i++) {
		assert_int_equal(h->h[i].line, 1);
		assert_string_equal(h->h[i].rule, "gcp-api-key");
		assert_true(strlen(h->h[i].text) <= 200);
	}
	free(buf);
	free(h);
}

static void test_binary(void **state)
{
	const bh_secret_rules *r = *state;
	static const char head[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0id=AK" "IAQUMPMHS6PJARB7LM\n\xff\xfe\n";
	char buf[512];
	size_t n = sizeof(head) - 1;
	hits *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	memcpy(buf, head, n);
	memcpy(buf + n, PK8, sizeof(PK8) - 1);
	n += sizeof(PK8) - 1;
	assert_int_equal(scan_mem(r, "usr/bin/agent", buf, n, h), 0);
	/* only the private key: binary content is not searched for anything else */
	assert_int_equal(h->n, 1);
	assert_string_equal(h->h[0].rule, "private-key");
	assert_int_equal(h->h[0].line, 3);
	/* the same bytes as text are searched fully */
	memset(buf + 7, 'x', 5);
	assert_int_equal(scan_mem(r, "usr/bin/agent", buf, n, h), 0);
	assert_int_equal(h->n, 2);
	free(h);
}

/* ---- API ---- */

static void test_custom_rules(void **state)
{
	static const char good[] = "[{\"id\":\"corp-token\",\"title\":\"Corp API token\",\"severity\":\"high\","
				   "\"regex\":\"corp_(?<secret>[a-z0-9]{24})\\\\b\",\"keywords\":[\"corp_\"]},"
				   "{\"id\":\"no-keyword\",\"regex\":\"ZQX[0-9]{6}\"}]";
	static const char text[] = "a=1\ntoken corp_0a1b2c3d4e5f6a7b8c9d0e1f\nZQX123456 and corp_short\n";
	static const char *const bad[] = {
		"{}",
		"[{\"id\":\"x\"}]",
		"[{\"id\":\"x\",\"regex\":\"(unclosed\"}]",
		"[{\"id\":\"x\",\"regex\":\"a\",\"severity\":\"urgent\"}]",
		"[{\"id\":\"github-pat\",\"regex\":\"a\"}]",
		"[{\"id\":\"x\",\"regex\":\"a\"},{\"id\":\"x\",\"regex\":\"b\"}]",
		"[{\"id\":\"bad id\",\"regex\":\"a\"}]",
		"[{\"id\":\"x\",\"regex\":\"a\",\"keywords\":\"abc\"}]",
		"[{\"id\":\"x\",\"regex\":\"a\",\"keywords\":[7]}]",
		"[{\"id\":\"x\",\"regex\":\"(*UTF)a\"}]",
		NULL,
	};
	bh_secret_rules *r = NULL;
	bh_error err = { 0 };
	json_error_t je;
	json_t *j = json_loads(good, 0, &je);
	hits *h = calloc(1, sizeof(*h));
	const got *g;
	size_t i;
	(void)state;
	assert_non_null(j);
	assert_non_null(h);
	assert_int_equal(bh_secret_rules_new(j, &r, &err), 0);
	json_decref(j);
	assert_int_equal(scan_mem(r, "notes.txt", text, sizeof(text) - 1, h), 0);
	assert_int_equal(h->n, 2);
	assert_non_null(g = find_rule(h, "corp-token"));
	assert_int_equal(g->line, 2);
	assert_int_equal(g->sev, BH_SEV_HIGH);
	assert_string_equal(g->masked, "0a1b********************");
	assert_non_null(g = find_rule(h, "no-keyword"));
	assert_int_equal(g->line, 3);
	assert_int_equal(g->sev, BH_SEV_MEDIUM);
	bh_secret_rules_free(r);

	for (i = 0; bad[i]; i++) {
		r = NULL;
		assert_non_null(j = json_loads(bad[i], 0, &je));
		memset(&err, 0, sizeof(err));
		if (bh_secret_rules_new(j, &r, &err) != BH_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_null(r);
		assert_true(err.msg[0] != '\0');
		json_decref(j);
	}
	free(h);
}

static int stop_at_first(void *ctx, const bh_secret_hit *hit)
{
	(void)hit;
	++*(int *)ctx;
	return 42;
}

static void test_api(void **state)
{
	const bh_secret_rules *r = *state;
	static const char two[] = "a=AK" "IAQUMPMHS6PJARB7LM\nb=gh" "p_QrM3hwwjhCS6jkdFKsvw8f46QqXYilvBSbEL\n";
	bh_error err = { 0 };
	int calls = 0;
	assert_int_equal(bh_secret_scan(r, "x", (const unsigned char *)two, sizeof(two) - 1, stop_at_first, &calls, &err), 42);
	assert_int_equal(calls, 1);
	assert_int_equal(bh_secret_scan(r, "x", NULL, 0, stop_at_first, &calls, &err), 0);
	assert_int_equal(bh_secret_scan(NULL, "x", (const unsigned char *)two, 3, stop_at_first, &calls, &err), BH_EINVAL);
	assert_int_equal(bh_secret_scan(r, NULL, (const unsigned char *)two, sizeof(two) - 1, stop_at_first, &calls, &err), 42);

	assert_true(bh_secret_wants("app/.env", 10, 1 << 20));
	assert_true(bh_secret_wants("etc/ssl/private/server.key", 1700, 0));
	assert_true(bh_secret_wants("repo/.git/config", 300, 1 << 20));
	assert_false(bh_secret_wants("repo/.git/objects/4b/825dc642cb6eb9a060e54bf8d69288fbee4904", 30, 1 << 20));
	assert_false(bh_secret_wants(".git/packed-refs", 30, 1 << 20));
	assert_false(bh_secret_wants("app/logo.PNG", 10, 1 << 20));
	assert_false(bh_secret_wants("usr/lib/x86_64-linux-gnu/libssl.so.3", 10, 1 << 20));
	assert_false(bh_secret_wants("app/empty.env", 0, 1 << 20));
	assert_false(bh_secret_wants("app/huge.log", (1 << 20) + 1, 1 << 20));
	assert_true(bh_secret_wants("app/huge.log", (uint64_t)1 << 40, 0));
	assert_true(bh_secret_wants("app/.github/workflows/ci.yml", 10, 1 << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_fire_and_quiet),
		cmocka_unit_test(test_generic_only_in_config),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_masking_and_lines),
		cmocka_unit_test(test_fixture_tree),
		cmocka_unit_test(test_secretlint_parity),
		cmocka_unit_test(test_large_file),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_custom_rules),
		cmocka_unit_test(test_api),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
