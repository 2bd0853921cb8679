/* report.c - format selection and the JSON output the writers share (tree dump and stream). */
#include "report/report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/cyclonedx.h"

int bh_format_parse(const char *name, bh_format *out)
{
	if (!strcmp(name, "table")) *out = BH_FORMAT_TABLE;
	else if (!strcmp(name, "json")) *out = BH_FORMAT_JSON;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx") || !strcmp(name, "cyclonedx-json") || !strcmp(name, "cyclonedx-1.6"))
		*out = BH_FORMAT_CYCLONEDX;
	else if (!strcmp(name, "cyclonedx-1.5")) *out = BH_FORMAT_CYCLONEDX_1_5;
	else if (!strcmp(name, "spdx") || !strcmp(name, "spdx-json")) *out = BH_FORMAT_SPDX;
	else return BH_EUSAGE;
	return 0;
}

int bh_report_write(const bh_sbom *s, bh_format f, FILE *fp, bh_error *err)
{
	switch (f) {
	case BH_FORMAT_TABLE:
		return bh_report_table(s, fp, err);
	case BH_FORMAT_JSON: {
		bh_jstream *js = bh_jstream_open(fp);
		if (js)
			bh_report_json_stream(s, js, NULL);
		return bh_jstream_close(js, err);
	}
	case BH_FORMAT_CYCLONEDX:
	case BH_FORMAT_CYCLONEDX_1_5: {
		bh_jstream *js = bh_jstream_open(fp);
		if (js)
			bh_report_cyclonedx_stream_as(s, f == BH_FORMAT_CYCLONEDX_1_5 ? BH_REPORT_CDX_1_5 : BH_REPORT_CDX_NEWEST, js);
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
