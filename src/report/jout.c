/* jout.c - checked JSON building with UTF-8 repair (see jout.h for why). */
#include "report/jout.h"

#include <stdlib.h>
#include <string.h>

#include "core/stamp.h"
#include "core/text.h"

json_t *bh_jstrn(const char *s, size_t n)
{
	bh_buf b = BH_BUF_INIT;
	json_t *v;
	if (bh_text_is_utf8(s, n))
		return json_stringn(s, n);
	if (bh_text_put_utf8(&b, s, n)) {
		bh_buf_free(&b);
		return NULL;
	}
	v = json_stringn(b.data, b.len);
	bh_buf_free(&b);
	return v;
}

json_t *bh_jstr(const char *s)
{
	return s ? bh_jstrn(s, strlen(s)) : json_null();
}

void bh_jset(bool *bad, json_t *o, const char *key, json_t *v)
{
	char *fixed = NULL;
	if (!o || !v || !key) {
		json_decref(v);
		*bad = true;
		return;
	}
	if (!bh_text_is_utf8(key, strlen(key))) {
		fixed = bh_text_utf8_dup(key);
		if (!fixed) {
			json_decref(v);
			*bad = true;
			return;
		}
		key = fixed;
	}
	if (json_object_set_new(o, key, v))
		*bad = true;
	free(fixed);
}

void bh_jpush(bool *bad, json_t *a, json_t *v)
{
	if (!a || !v) {
		json_decref(v);
		*bad = true;
		return;
	}
	if (json_array_append_new(a, v))
		*bad = true;
}

json_t *bh_jok(bool *bad, json_t *v)
{
	if (!v)
		*bad = true;
	return v;
}

void bh_jprop(bool *bad, json_t *a, const char *k, const char *v)
{
	if (v)
		bh_jpush(bad, a, json_pack("{s:o,s:o}", "name", bh_jstr(k), "value", bh_jstr(v)));
}

int bh_jdoc_uuid(const bh_sbom *s, const char *salt, char out[37])
{
	bh_stamp_digest d;
	size_t i;
	bh_stamp_digest_begin(&d, salt);
	bh_stamp_digest_add(&d, s->image_id ? s->image_id : s->name);
	bh_stamp_digest_add(&d, s->manifest_digest);
	for (i = 0; d.md && i < s->comps.n; i++) {
		const bh_component *x = s->comps.items[i];
		bh_stamp_digest_add(&d, x->purl);
		bh_stamp_digest_add(&d, x->name);
		bh_stamp_digest_add(&d, x->version);
		bh_stamp_digest_add(&d, x->path);
	}
	return bh_stamp_digest_uuid(&d, out);
}
