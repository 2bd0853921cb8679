/* test_registry.c - the pure parts of the registry client (registry/registry.h, registry/auth.h): references,
 * WWW-Authenticate challenges, auth files, token answers, manifests and platform selection in indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry/auth.h"
#include "registry/registry.h"
#include "support/tmpdir.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D3 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void ref_ok(const char *s, const char *host, const char *repo, const char *tag, const char *digest)
{
	bh_registry_ref r;
	bh_error err;
	int rc = bh_registry_ref_parse(s, &r, &err);
	if (rc)
		fail_msg("%s: %s", s, err.msg);
	assert_string_equal(r.host, host);
	assert_string_equal(r.repo, repo);
	if (tag)
		assert_string_equal(r.tag, tag);
	else
		assert_null(r.tag);
	if (digest)
		assert_string_equal(r.digest, digest);
	else
		assert_null(r.digest);
	bh_registry_ref_free(&r);
}

static void ref_bad(const char *s, int code, const char *msg)
{
	bh_registry_ref r;
	bh_error err;
	assert_int_equal(bh_registry_ref_parse(s, &r, &err), code);
	if (!strstr(err.msg, msg))
		fail_msg("%s: message \"%s\" lacks \"%s\"", s, err.msg, msg);
	assert_null(r.host);
	assert_null(r.repo);
}

static void test_refs(void **state)
{
	(void)state;
	ref_ok("127.0.0.1:5000/bh/app:1", "127.0.0.1:5000", "bh/app", "1", NULL);
	ref_ok("127.0.0.1:5000/bh/app", "127.0.0.1:5000", "bh/app", "latest", NULL);
	ref_ok("localhost/app", "localhost", "app", "latest", NULL);
	ref_ok("[::1]:5000/a/b:v1.2-3_x", "[::1]:5000", "a/b", "v1.2-3_x", NULL);
	ref_ok("ghcr.io/o/r@" D1, "ghcr.io", "o/r", NULL, D1);
	ref_ok("ghcr.io/o/r:1.0@" D1, "ghcr.io", "o/r", "1.0", D1);
	/* docker's defaults: docker.io, library/ for one component */
	ref_ok("debian:12", "docker.io", "library/debian", "12", NULL);
	ref_ok("debian", "docker.io", "library/debian", "latest", NULL);
	ref_ok("bitnami/redis:7", "docker.io", "bitnami/redis", "7", NULL);
	ref_ok("docker.io/debian", "docker.io", "library/debian", "latest", NULL);
	ref_ok("a.b-c/x__y/z.w-v:T", "a.b-c", "x__y/z.w-v", "T", NULL);

	ref_bad("", BH_EINVAL, "empty");
	ref_bad("h:5000/Upper", BH_EINVAL, "bad repository");
	ref_bad("h:5000/a//b", BH_EINVAL, "bad repository");
	ref_bad("h:5000/-a", BH_EINVAL, "bad repository");
	ref_bad("h:5000/a:", BH_EINVAL, "bad tag");
	ref_bad("h:5000/a:.x", BH_EINVAL, "bad tag");
	ref_bad("h:0/a", BH_EINVAL, "bad registry host");
	ref_bad("h:65536/a", BH_EINVAL, "bad registry host");
	ref_bad("-h.io/a", BH_EINVAL, "bad registry host");
	ref_bad("h.io/a@sha256:abc", BH_EINVAL, "not sha256:<64");
	ref_bad("h.io/a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", BH_EINVAL, "lowercase");
	ref_bad("h.io/a@sha512:00", BH_EUNSUPPORTED, "only sha256");
	ref_bad("h.io/a b", BH_EINVAL, "space, control or non-ASCII");
	ref_bad("h.io/a\x1b[2J", BH_EINVAL, "control");
	{
		char big[1100];
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ref_bad(big, BH_EINVAL, "longer than 1024");
	}
}

static void test_loopback(void **state)
{
	(void)state;
	assert_true(bh_registry_host_loopback("127.0.0.1:5000"));
	assert_true(bh_registry_host_loopback("127.1.2.3"));
	assert_true(bh_registry_host_loopback("localhost:80"));
	assert_true(bh_registry_host_loopback("[::1]:5000"));
	assert_false(bh_registry_host_loopback("128.0.0.1"));
	assert_false(bh_registry_host_loopback("localhost.evil.com"));
	assert_false(bh_registry_host_loopback("127.0.0.1.nip.io:5000"));
	assert_false(bh_registry_host_loopback("[::2]"));
	assert_false(bh_registry_host_loopback("ghcr.io"));
}

static void ch_ok(const char *v, bh_regauth_scheme scheme, const char *realm, const char *service, const char *scope)
{
	bh_regauth_challenge c;
	bh_error err;
	int rc = bh_regauth_challenge_parse(v, strlen(v), &c, &err);
	if (rc)
		fail_msg("%s: %s", v, err.msg);
	assert_int_equal(c.scheme, scheme);
#define EQ(a, b) do { if (b) assert_string_equal(a, b); else assert_null(a); } while (0)
	EQ(c.realm, realm);
	EQ(c.service, service);
	EQ(c.scope, scope);
#undef EQ
	bh_regauth_challenge_free(&c);
}

static void test_challenges(void **state)
{
	bh_regauth_challenge c;
	bh_error err;
	(void)state;
	/* Docker Hub's and distribution's forms */
	ch_ok("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/debian:pull\"",
	      BH_REGAUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io", "repository:library/debian:pull");
	ch_ok("Basic realm=\"bh-test\"", BH_REGAUTH_BASIC, "bh-test", NULL, NULL);
	/* case, spaces, tokens without quotes, escapes, unknown params, a scope with commas in quotes */
	ch_ok("bearer  Realm = https://h/t , service=reg, foo=\"a,b\", scope=\"repository:a:pull,push\"",
	      BH_REGAUTH_BEARER, "https://h/t", "reg", "repository:a:pull,push");
	ch_ok("Bearer realm=\"http://h/\\\"q\\\"\"", BH_REGAUTH_BEARER, "http://h/\"q\"", NULL, NULL);
	/* another scheme first (with a token68), then ours; the first of ours wins */
	ch_ok("Negotiate abc/def==, Basic realm=\"r1\", Bearer realm=\"r2\"", BH_REGAUTH_BASIC, "r1", NULL, NULL);
	ch_ok("Newauth realm=\"x\", type=1, Bearer realm=\"r2\"", BH_REGAUTH_BEARER, "r2", NULL, NULL);
	ch_ok("Basic", BH_REGAUTH_BASIC, NULL, NULL, NULL);
	ch_ok("Basic dXNlcjpwYXNz", BH_REGAUTH_BASIC, NULL, NULL, NULL);
	/* bad ones */
	assert_int_equal(bh_regauth_challenge_parse("Digest realm=\"x\"", 16, &c, &err), BH_EUNSUPPORTED);
	assert_int_equal(bh_regauth_challenge_parse("", 0, &c, &err), BH_EUNSUPPORTED);
	assert_int_equal(bh_regauth_challenge_parse("Bearer realm=\"open", 18, &c, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "unterminated"));
	assert_int_equal(bh_regauth_challenge_parse("Bearer realm=\"a\nb\"", 18, &c, &err), BH_EINVAL);
	assert_int_equal(bh_regauth_challenge_parse("\"x\"", 3, &c, &err), BH_EINVAL);
	{
		size_t n = BH_REGAUTH_MAX_HEADER + 1;
		char *big = malloc(n);
		assert_non_null(big);
		memset(big, 'a', n);
		assert_int_equal(bh_regauth_challenge_parse(big, n, &c, &err), BH_EINVAL);
		free(big);
	}
}

static void af_ok(const char *json, const char *host, const char *user, const char *pass)
{
	bh_regauth_cred c;
	bh_error err;
	int rc = bh_regauth_file_lookup(json, strlen(json), host, 64, "auth.json", &c, &err);
	if (rc)
		fail_msg("%s in %s: %s", host, json, err.msg);
	assert_string_equal(c.user, user);
	assert_string_equal(c.password, pass);
	bh_regauth_cred_free(&c);
	assert_null(c.user);
}

static void test_auth_file(void **state)
{
	/* base64("bhuser:s3cret pass:word") and base64("u:p") */
	static const char doc[] =
		"{\"auths\": {"
		"\"127.0.0.1:5000\": {\"auth\": \"Ymh1c2VyOnMzY3JldCBwYXNzOndvcmQ=\"},"
		"\"https://index.docker.io/v1/\": {\"auth\": \"dTpw\"},"
		"\"https://ghcr.io\": {\"username\": \"gh\", \"password\": \"tok\"},"
		"\"quay.io\": {\"auth\": \"\", \"identitytoken\": \"x\"},"
		"\"bad.io\": {\"auth\": \"!!!!\"},"
		"\"nocolon.io\": {\"auth\": \"YWJj\"}"
		"}, \"credHelpers\": {\"gcr.io\": \"gcloud\"}}";
	bh_regauth_cred c;
	bh_error err;
	char dir[256], path[400], used[400];
	FILE *fp;
	(void)state;
	af_ok(doc, "127.0.0.1:5000", "bhuser", "s3cret pass:word");
	af_ok(doc, "docker.io", "u", "p");
	af_ok(doc, "ghcr.io", "gh", "tok");
	assert_int_equal(bh_regauth_file_lookup(doc, strlen(doc), "quay.io", 64, "a", &c, &err), BH_ENOTFOUND);
	assert_int_equal(bh_regauth_file_lookup(doc, strlen(doc), "gcr.io", 64, "a", &c, &err), BH_ENOTFOUND);
	assert_int_equal(bh_regauth_file_lookup(doc, strlen(doc), "127.0.0.1:5001", 64, "a", &c, &err), BH_ENOTFOUND);
	assert_int_equal(bh_regauth_file_lookup(doc, strlen(doc), "bad.io", 64, "a", &c, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "not base64"));
	assert_int_equal(bh_regauth_file_lookup(doc, strlen(doc), "nocolon.io", 64, "a", &c, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "user:password"));
	assert_int_equal(bh_regauth_file_lookup("[]", 2, "x", 64, "a", &c, &err), BH_EINVAL);
	assert_int_equal(bh_regauth_file_lookup("{\"auths\": 1}", 12, "x", 64, "a", &c, &err), BH_EINVAL);
	assert_int_equal(bh_regauth_file_lookup("{}", 2, "x", 64, "a", &c, &err), BH_ENOTFOUND);
	assert_int_equal(bh_regauth_file_lookup("nope", 4, "x", 64, "a.json", &c, &err), BH_EINVAL);
	/* from a file: $REGISTRY_AUTH_FILE, then ~/.docker/config.json; a missing default is not an error */
	assert_int_equal(bh_test_mkdtemp(dir, sizeof(dir), "regauth"), 0);
	snprintf(path, sizeof(path), "%s/auth.json", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(doc, fp);
	fclose(fp);
	setenv("REGISTRY_AUTH_FILE", path, 1);
	assert_int_equal(bh_regauth_file_load(NULL, "127.0.0.1:5000", 64, &c, used, sizeof(used), &err), 0);
	assert_string_equal(c.user, "bhuser");
	assert_string_equal(used, path);
	bh_regauth_cred_free(&c);
	unsetenv("REGISTRY_AUTH_FILE");
	setenv("HOME", dir, 1);
	assert_int_equal(bh_regauth_file_load(NULL, "127.0.0.1:5000", 64, &c, used, sizeof(used), &err), BH_ENOTFOUND);
	snprintf(path, sizeof(path), "%s/.docker", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.docker/config.json", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(doc, fp);
	fclose(fp);
	assert_int_equal(bh_regauth_file_load(NULL, "ghcr.io", 64, &c, used, sizeof(used), &err), 0);
	assert_string_equal(c.password, "tok");
	bh_regauth_cred_free(&c);
	/* an explicit file that is missing is an error */
	assert_int_equal(bh_regauth_file_load("/nonexistent/auth.json", "x", 64, &c, used, sizeof(used), &err), BH_ENOTFOUND);
	bh_test_rmtree(dir);
	{
		bh_regauth_cred k = { "Aladdin", "open sesame" };
		char *b = bh_regauth_basic(&k);
		assert_string_equal(b, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
		free(b);
	}
}

static void test_token(void **state)
{
	char *t = NULL;
	bh_error err;
	(void)state;
	assert_int_equal(bh_regauth_token_parse("{\"token\":\"abc.def\",\"expires_in\":300}", 36, 64, &t, &err), 0);
	assert_string_equal(t, "abc.def");
	free(t);
	assert_int_equal(bh_regauth_token_parse("{\"access_token\":\"xyz\"}", 22, 64, &t, &err), 0);
	assert_string_equal(t, "xyz");
	free(t);
	assert_int_equal(bh_regauth_token_parse("{\"token\":\"\"}", 12, 64, &t, &err), BH_EINVAL);
	{
		static const char evil[] = "{\"token\":\"a\\r\\nX-Evil: 1\"}";
		assert_int_equal(bh_regauth_token_parse(evil, strlen(evil), 64, &t, &err), BH_EINVAL);
	}
	if (!strstr(err.msg, "0x0d")) fail_msg("%s", err.msg);
	assert_int_equal(bh_regauth_token_parse("[1]", 3, 64, &t, &err), BH_EINVAL);
	{
		size_t n = BH_REGAUTH_MAX_TOKEN + 1 + 20;
		char *big = malloc(n + 1);
		assert_non_null(big);
		memcpy(big, "{\"token\":\"", 10);
		memset(big + 10, 'a', n - 12);
		memcpy(big + n - 2, "\"}", 2);
		big[n] = '\0';
		assert_int_equal(bh_regauth_token_parse(big, n, 64, &t, &err), BH_ELIMIT);
		free(big);
	}
}

static const char v2s2[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
	"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1469,\"digest\":\"" D1 "\"},"
	"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":10,\"digest\":\"" D2 "\"},"
	"{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":20,\"digest\":\"" D3 "\"}]}";

static void test_manifests(void **state)
{
	bh_registry_manifest m;
	bh_registry_kind k;
	bh_error err;
	char buf[1024];
	(void)state;
	assert_int_equal(bh_registry_kind_of(v2s2, strlen(v2s2), NULL, 64, &k, &err), 0);
	assert_int_equal(k, BH_REGISTRY_KIND_IMAGE);
	assert_int_equal(bh_registry_manifest_parse(v2s2, strlen(v2s2), NULL, 64, 1000, &m, &err), 0);
	assert_string_equal(m.media_type, "application/vnd.docker.distribution.manifest.v2+json");
	assert_string_equal(m.config.digest, D1);
	assert_int_equal(m.config.size, 1469);
	assert_int_equal(m.nlayers, 2);
	assert_string_equal(m.layers[1].digest, D3);
	assert_int_equal(m.layers[1].size, 20);
	bh_registry_manifest_free(&m);
	/* max-layers */
	assert_int_equal(bh_registry_manifest_parse(v2s2, strlen(v2s2), NULL, 64, 1, &m, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "2 layers"));
	/* OCI without mediaType: by Content-Type, else by shape */
	snprintf(buf, sizeof(buf), "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":2},\"layers\":[]}", D1);
	assert_int_equal(bh_registry_kind_of(buf, strlen(buf), "application/vnd.oci.image.manifest.v1+json; charset=x", 64, &k, &err), 0);
	assert_int_equal(k, BH_REGISTRY_KIND_IMAGE);
	assert_int_equal(bh_registry_manifest_parse(buf, strlen(buf), NULL, 64, 10, &m, &err), 0);
	assert_int_equal(m.nlayers, 0);
	bh_registry_manifest_free(&m);
	/* schema 1, artifacts, bad digests, bad sizes */
	{ static const char s1[] = "{\"schemaVersion\":1,\"fsLayers\":[]}";
	assert_int_equal(bh_registry_kind_of(s1, strlen(s1), NULL, 64, &k, &err), BH_EUNSUPPORTED); }
	assert_non_null(strstr(err.msg, "schema 1"));
	snprintf(buf, sizeof(buf), "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"%s\"},\"layers\":[]}", D1);
	assert_int_equal(bh_registry_manifest_parse(buf, strlen(buf), NULL, 64, 10, &m, &err), BH_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "helm"));
	snprintf(buf, sizeof(buf), "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:../../etc\"},\"layers\":[]}");
	assert_int_equal(bh_registry_manifest_parse(buf, strlen(buf), NULL, 64, 10, &m, &err), BH_EINVAL);
	snprintf(buf, sizeof(buf), "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"%s\"},\"layers\":[{\"digest\":\"%s\",\"size\":-1}]}", D1, D2);
	assert_int_equal(bh_registry_manifest_parse(buf, strlen(buf), NULL, 64, 10, &m, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "layer 0 has a bad size"));
	assert_int_equal(bh_registry_manifest_parse("{\"mediaType\":\"text/html\"}", 25, NULL, 64, 10, &m, &err), BH_EUNSUPPORTED);
	assert_int_equal(bh_registry_manifest_parse("[[[[", 4, NULL, 2, 10, &m, &err), BH_ELIMIT);
}

static void test_index_pick(void **state)
{
	char idx[2048];
	bh_registry_desc d;
	bh_registry_kind k;
	bh_error err;
	(void)state;
	snprintf(idx, sizeof(idx),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":1,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":3,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":4,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}",
		 D1, D2, D3, D1);
	assert_int_equal(bh_registry_kind_of(idx, strlen(idx), NULL, 64, &k, &err), 0);
	assert_int_equal(k, BH_REGISTRY_KIND_INDEX);
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux/amd64", 64, &d, &err), 0);
	assert_string_equal(d.digest, D3);
	assert_string_equal(d.platform, "linux/amd64");
	bh_registry_desc_free(&d);
	/* a variant in the request must match; without one, any variant of the architecture */
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux/arm64", 64, &d, &err), 0);
	assert_int_equal(d.size, 4);
	assert_string_equal(d.platform, "linux/arm64/v8");
	bh_registry_desc_free(&d);
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux/arm/v7", 64, &d, &err), 0);
	assert_string_equal(d.digest, D2);
	bh_registry_desc_free(&d);
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux/arm/v6", 64, &d, &err), BH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no linux/arm/v6 image in the index (it has linux/arm/v7, linux/amd64, linux/arm64/v8;"));
	/* the attestation entry is never picked */
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "unknown/unknown", 64, &d, &err), BH_ENOTFOUND);
#if defined(__x86_64__)
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), NULL, 64, &d, &err), 0);
	assert_string_equal(d.platform, "linux/amd64");
	bh_registry_desc_free(&d);
#endif
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux", 64, &d, &err), BH_EUSAGE);
	assert_int_equal(bh_registry_index_pick(idx, strlen(idx), "linux/arm/v7/x", 64, &d, &err), BH_EUSAGE);
	assert_int_equal(bh_registry_index_pick("{\"manifests\":{}}", 16, NULL, 64, &d, &err), BH_EINVAL);
	/* an entry that matches but has a bad digest */
	{
		static const char md5[] = "{\"manifests\":[{\"digest\":\"md5:1\",\"platform\":{\"os\":\"linux\",\"architecture\":\"s390x\"}}]}";
		assert_int_equal(bh_registry_index_pick(md5, strlen(md5), "linux/s390x", 64, &d, &err), BH_EINVAL);
	}
	/* more entries than BH_REGISTRY_MAX_INDEX */
	{
		size_t i, n = BH_REGISTRY_MAX_INDEX + 1, cap = 32 + n * 4;
		char *big = malloc(cap), *p = big;
		assert_non_null(big);
		p += sprintf(p, "{\"manifests\":[");
		for (i = 0; i < n; i++)
			p += sprintf(p, "%s{}", i ? "," : "");
		sprintf(p, "]}");
		assert_int_equal(bh_registry_index_pick(big, strlen(big), NULL, 64, &d, &err), BH_ELIMIT);
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_auth_file),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_manifests),
		cmocka_unit_test(test_index_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
