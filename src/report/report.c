/* report.c - format selection and the helpers the writers share. */
#include "report/report.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bh_format_parse(const char *name, bh_format *out)
{
	if (!strcmp(name, "table")) *out = BH_FORMAT_TABLE;
	else if (!strcmp(name, "json")) *out = BH_FORMAT_JSON;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx") || !strcmp(name, "cyclonedx-json")) *out = BH_FORMAT_CYCLONEDX;
	else if (!strcmp(name, "spdx") || !strcmp(name, "spdx-json")) *out = BH_FORMAT_SPDX;
	else return BH_EUSAGE;
	return 0;
}

static void uuid_format(unsigned char b[16], unsigned version, char out[37]);

void bh_report_timestamp(char out[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void bh_report_uuid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	uuid_format(b, 4, out);
}

static void uuid_format(unsigned char b[16], unsigned version, char out[37])
{
	b[6] = (unsigned char)((b[6] & 0x0f) | (version << 4));
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void hash_str(EVP_MD_CTX *c, const char *s)
{
	/* length-prefixed so ("ab","c") and ("a","bc") differ */
	size_t n = s ? strlen(s) : (size_t)-1;
	EVP_DigestUpdate(c, &n, sizeof(n));
	if (s)
		EVP_DigestUpdate(c, s, strlen(s));
}

int bh_report_content_uuid(const bh_sbom *s, const char *salt, char out[37])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *c;
	size_t i;
	int ok;
	if (!sde || !*sde) {
		bh_report_uuid(out);
		return 0;
	}
	if (!(c = EVP_MD_CTX_new()))
		return BH_ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
	hash_str(c, "bulkhead " BH_VERSION);
	hash_str(c, salt);
	hash_str(c, s->image_id ? s->image_id : s->name);
	hash_str(c, s->manifest_digest);
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *x = s->comps.items[i];
		hash_str(c, x->purl);
		hash_str(c, x->name);
		hash_str(c, x->version);
		hash_str(c, x->path);
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen >= 16;
	EVP_MD_CTX_free(c);
	if (!ok)
		return BH_ENOMEM;
	/* name-based: version 5's layout (CycloneDX's pattern accepts 1-5), SHA-256 instead of SHA-1 */
	uuid_format(md, 5, out);
	return 0;
}

int bh_report_write(const bh_sbom *s, bh_format f, FILE *fp, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	switch (f) {
	case BH_FORMAT_TABLE:
		return bh_report_table(s, fp, err);
	case BH_FORMAT_JSON: {
		bh_jstream *js = bh_jstream_open(fp);
		if (js)
			bh_report_json_stream(s, js, NULL);
		return bh_jstream_close(js, err);
	}
	case BH_FORMAT_CYCLONEDX: {
		bh_jstream *js = bh_jstream_open(fp);
		if (js)
			bh_report_cyclonedx_stream(s, js);
		return bh_jstream_close(js, err);
	}
	case BH_FORMAT_SPDX: {
		bh_jstream *js = bh_jstream_open(fp);
		if (js)
			bh_report_spdx_stream(s, js);
		return bh_jstream_close(js, err);
	}
	default:
		return bh_error_set(err, BH_EUSAGE, "unknown format");
	}
	if (rc)
		return rc;
	return bh_report_dump(doc, fp, err);
}

struct dump_buf {
	FILE *fp;
	size_t len;
	bool failed;
	char data[65536];
};

static int dump_flush(struct dump_buf *d)
{
	if (d->len && fwrite(d->data, 1, d->len, d->fp) != d->len)
		d->failed = true;
	d->len = 0;
	return d->failed ? -1 : 0;
}

static int dump_cb(const char *p, size_t n, void *arg)
{
	struct dump_buf *d = arg;
	if (n > sizeof(d->data) - d->len && dump_flush(d))
		return -1;
	if (n > sizeof(d->data))
		return fwrite(p, 1, n, d->fp) == n ? 0 : -1;
	memcpy(d->data + d->len, p, n);
	d->len += n;
	return 0;
}

struct bh_jstream {
	struct dump_buf out;
	int depth;
	bool oom;
	bool empty[17];
	char close[17];
	int indent; /* added after every newline jansson writes: the depth of the value */
};

/* Jansson indents a nested value from column 0; the stream shifts it to where it sits. */
static int jstream_cb(const char *p, size_t n, void *arg)
{
	bh_jstream *js = arg;
	static const char spaces[] = "                                  ";
	size_t i, start = 0;
	for (i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (dump_cb(p + start, i + 1 - start, &js->out) ||
		    dump_cb(spaces, (size_t)js->indent * 2 < sizeof(spaces) - 1 ? (size_t)js->indent * 2 : sizeof(spaces) - 1, &js->out))
			return -1;
		start = i + 1;
	}
	return start < n ? dump_cb(p + start, n - start, &js->out) : 0;
}

bh_jstream *bh_jstream_open(FILE *fp)
{
	bh_jstream *js = calloc(1, sizeof(*js));
	if (js)
		js->out.fp = fp;
	return js;
}

/* The separator and key before a member at the current depth. */
static void jstream_lead(bh_jstream *js, const char *key)
{
	if (js->depth == 0)
		return;
	jstream_cb(js->empty[js->depth] ? "\n" : ",\n", js->empty[js->depth] ? 1 : 2, js);
	js->empty[js->depth] = false;
	if (key) {
		json_t *k = json_string(key);
		js->indent = 0;
		if (!k || json_dump_callback(k, jstream_cb, js, JSON_ENCODE_ANY))
			js->oom = true;
		json_decref(k);
		jstream_cb(": ", 2, js);
	}
}

void bh_jstream_begin(bh_jstream *js, const char *key, char open)
{
	js->indent = js->depth;
	jstream_lead(js, key);
	if (js->depth >= 16) {
		js->oom = true;
		return;
	}
	js->depth++;
	js->indent = js->depth;
	js->empty[js->depth] = true;
	js->close[js->depth] = open == '[' ? ']' : '}';
	dump_cb(open == '[' ? "[" : "{", 1, &js->out);
}

void bh_jstream_value(bh_jstream *js, const char *key, json_t *v)
{
	js->indent = js->depth;
	jstream_lead(js, key);
	js->indent = js->depth;
	if (!v || json_dump_callback(v, jstream_cb, js, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY))
		js->oom = true;
	json_decref(v);
}

void bh_jstream_end(bh_jstream *js)
{
	if (js->depth == 0)
		return;
	if (!js->empty[js->depth]) {
		js->indent = js->depth - 1;
		jstream_cb("\n", 1, js);
	}
	dump_cb(&js->close[js->depth], 1, &js->out);
	js->depth--;
}

int bh_jstream_close(bh_jstream *js, bh_error *err)
{
	bool bad;
	if (!js)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	while (js->depth > 0)
		bh_jstream_end(js);
	dump_cb("\n", 1, &js->out);
	bad = dump_flush(&js->out) || js->oom || js->out.failed;
	free(js);
	return bad ? bh_error_set(err, BH_EIO, "cannot write the report") : 0;
}

int bh_report_dump(json_t *doc, FILE *fp, bh_error *err)
{
	struct dump_buf *d = malloc(sizeof(*d));
	int rc = -1;
	if (!d) {
		json_decref(doc);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	d->fp = fp;
	d->len = 0;
	d->failed = false;
	if (json_dump_callback(doc, dump_cb, d, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && dump_cb("\n", 1, d) == 0)
		rc = dump_flush(d);
	json_decref(doc);
	free(d);
	return rc ? bh_error_set(err, BH_EIO, "cannot write the report") : 0;
}
