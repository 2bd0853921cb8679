/* blmodes.c - baseline modes per container label: modes.yaml parsed, matched against a container's labels, edited and written whole. */
#include "runtime/blmodes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "core/yaml.h"
#include "runtime/ctnet.h"

struct rule {
	char *label;    /* "KEY=VALUE" or "KEY" (any value), as written */
	bh_bl_mode mode;
};

struct bh_blmodes {
	struct rule *v;
	size_t n;
};

int bh_blmodes_new(bh_blmodes **out, bh_error *err)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	return 0;
}

static void rule_free(struct rule *r)
{
	free(r->label);
}

void bh_blmodes_free(bh_blmodes *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->n; i++)
		rule_free(&ms->v[i]);
	free(ms->v);
	free(ms);
}

size_t bh_blmodes_count(const bh_blmodes *ms) { return ms ? ms->n : 0; }
const char *bh_blmodes_label(const bh_blmodes *ms, size_t i) { return i < ms->n ? ms->v[i].label : ""; }
bh_bl_mode bh_blmodes_mode(const bh_blmodes *ms, size_t i) { return i < ms->n ? ms->v[i].mode : BH_BL_MONITOR; }

bool bh_blmodes_label_valid(const char *s)
{
	size_t n;
	if (!s || !s[0] || s[0] == '=')
		return false;
	n = strlen(s);
	if (n >= BH_BLMODES_LABEL_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int find(const bh_blmodes *ms, const char *label)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->v[i].label, label))
			return (int)i;
	return -1;
}

int bh_blmodes_set(bh_blmodes *ms, const char *label, bh_bl_mode mode, bh_error *err)
{
	struct rule r;
	int at;

	if (!bh_blmodes_label_valid(label))
		return bh_error_set(err, BH_EINVAL, "label \"%.64s\" is not KEY or KEY=VALUE (KEY not empty, at most %d bytes, no control characters)",
				    label ? label : "", BH_BLMODES_LABEL_MAX - 1);
	if ((unsigned)mode > BH_BL_PROTECT)
		return bh_error_set(err, BH_EINVAL, "not a mode");
	if ((at = find(ms, label)) >= 0) {
		ms->v[at].mode = mode;
		return 0;
	}
	if (ms->n >= BH_BLMODES_RULES_MAX)
		return bh_error_set(err, BH_ELIMIT, "more than %d label rules", BH_BLMODES_RULES_MAX);
	memset(&r, 0, sizeof(r));
	r.mode = mode;
	if (!(r.label = strdup(label)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	{
		/* at most BH_BLMODES_RULES_MAX, so the size cannot overflow */
		struct rule *nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv));
		if (!nv) {
			rule_free(&r);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		ms->v = nv;
	}
	ms->v[ms->n++] = r;
	return 0;
}

int bh_blmodes_remove(bh_blmodes *ms, const char *label)
{
	int at = find(ms, label);
	if (at < 0)
		return 0;
	rule_free(&ms->v[at]);
	memmove(&ms->v[at], &ms->v[at + 1], (ms->n - (size_t)at - 1) * sizeof(*ms->v));
	ms->n--;
	return 1;
}

/* A string field or absent (*out NULL); anything else is refused naming where and key. */
static int get_str(const json_t *o, const char *key, const char *where, const char **out, bh_error *err)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bh_error_set(err, BH_EINVAL, "%s.%s: not a string", where, key);
	*out = json_string_value(v);
	return 0;
}

static int rule_from_json(bh_blmodes *ms, const json_t *e, const char *where, bh_error *err)
{
	const char *label, *mode, *k;
	json_t *v;
	bh_bl_mode m;
	int rc, dup;

	if (!json_is_object(e))
		return bh_error_set(err, BH_EINVAL, "%s: not a mapping with label and mode", where);
	/* a misspelt field would leave a rule without effect: refused, not ignored */
	json_object_foreach((json_t *)e, k, v) {
		if (strcmp(k, "label") != 0 && strcmp(k, "mode") != 0)
			return bh_error_set(err, BH_EINVAL, "%s: unknown field \"%.64s\" (label and mode only)", where, k);
	}
	if ((rc = get_str(e, "label", where, &label, err)) || (rc = get_str(e, "mode", where, &mode, err)))
		return rc;
	if (!label)
		return bh_error_set(err, BH_EINVAL, "%s.label: missing", where);
	if (!bh_blmodes_label_valid(label))
		return bh_error_set(err, BH_EINVAL, "%s.label: \"%.64s\" is not KEY or KEY=VALUE (KEY not empty, at most %d bytes, no control characters)",
				    where, label, BH_BLMODES_LABEL_MAX - 1);
	if (!mode)
		return bh_error_set(err, BH_EINVAL, "%s.mode: missing", where);
	if (bh_bl_mode_parse(mode, &m))
		return bh_error_set(err, BH_EINVAL, "%s.mode: \"%.32s\" is not learn, monitor or protect", where, mode);
	if ((dup = find(ms, label)) >= 0)
		return bh_error_set(err, BH_EINVAL, "%s.label: \"%.64s\" is labels[%d] already (the first match wins: this one never would)",
				    where, label, dup);
	return bh_blmodes_set(ms, label, m, err);
}

int bh_blmodes_load(const char *data, size_t len, const char *label, bh_blmodes **out, bh_error *err)
{
	json_t *doc = NULL, *arr, *v;
	bh_blmodes *ms = NULL;
	const char *api, *kind, *k;
	size_t i = 0;
	int rc;

	*out = NULL;
	if (!label)
		label = BH_BLMODES_FILE;
	if (len > BH_BLMODES_FILE_MAX)
		return bh_error_set(err, BH_ELIMIT, "%s: larger than %u bytes", label, BH_BLMODES_FILE_MAX);
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if ((rc = bh_blmodes_new(&ms, err)))
		return rc;
	if (i == len) { /* an empty file: no rules */
		*out = ms;
		return 0;
	}
	rc = data[i] == '{' ? bh_json_load(data, len, 8, label, &doc, err) : bh_yaml_load(data, len, 8, label, &doc, err);
	if (rc)
		goto fail;
	if (!json_is_object(doc)) {
		rc = bh_error_set(err, BH_EINVAL, "%s: not a modes document (a mapping with kind: %s and labels)", label, BH_BLMODES_KIND);
		goto fail;
	}
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "apiVersion") != 0 && strcmp(k, "kind") != 0 && strcmp(k, "labels") != 0) {
			rc = bh_error_set(err, BH_EINVAL, "%s: unknown field \"%.64s\" (apiVersion, kind and labels only)", label, k);
			goto fail;
		}
	}
	if ((rc = get_str(doc, "apiVersion", label, &api, err)) || (rc = get_str(doc, "kind", label, &kind, err)))
		goto fail;
	if (api && strcmp(api, BH_BL_API_VERSION) != 0) {
		rc = bh_error_set(err, BH_EUNSUPPORTED, "%s.apiVersion: \"%.64s\" is not %s", label, api, BH_BL_API_VERSION);
		goto fail;
	}
	if (kind && strcmp(kind, BH_BLMODES_KIND) != 0) {
		rc = bh_error_set(err, BH_EINVAL, "%s.kind: \"%.64s\" is not %s", label, kind, BH_BLMODES_KIND);
		goto fail;
	}
	arr = json_object_get(doc, "labels");
	if (arr && !json_is_null(arr) && !(json_is_string(arr) && !json_string_value(arr)[0])) {
		if (!json_is_array(arr)) {
			rc = bh_error_set(err, BH_EINVAL, "%s.labels: not a list", label);
			goto fail;
		}
		if (json_array_size(arr) > BH_BLMODES_RULES_MAX) {
			rc = bh_error_set(err, BH_ELIMIT, "%s.labels: %zu rules, more than %d", label, json_array_size(arr), BH_BLMODES_RULES_MAX);
			goto fail;
		}
		json_array_foreach(arr, i, v) {
			char where[300];
			snprintf(where, sizeof(where), "%s: labels[%zu]", label, i);
			if ((rc = rule_from_json(ms, v, where, err)))
				goto fail;
		}
	}
	json_decref(doc);
	*out = ms;
	return 0;
fail:
	json_decref(doc);
	bh_blmodes_free(ms);
	return rc;
}

int bh_blmodes_read(const char *dir, bh_blmodes **out, bh_error *err)
{
	char path[4096], *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, BH_BLMODES_FILE) >= sizeof(path))
		return bh_error_set(err, BH_ELIMIT, "%s: directory name too long", dir);
	rc = bh_file_read_all(path, BH_BLMODES_FILE_MAX, "modes file", &data, &len, err);
	if (rc == BH_ENOTFOUND) {
		err->code = 0;
		err->msg[0] = 0;
		return bh_blmodes_new(out, err);
	}
	if (rc)
		return rc;
	rc = bh_blmodes_load(data, len, path, out, err);
	free(data);
	return rc;
}

int bh_blmodes_to_yaml(const bh_blmodes *ms, bh_buf *out)
{
	bh_buf_puts(out, "apiVersion: " BH_BL_API_VERSION "\nkind: " BH_BLMODES_KIND "\n");
	bh_buf_puts(out, "# first match wins; a container no rule matches has its baseline's own mode\n");
	if (!ms->n)
		bh_buf_puts(out, "labels: []\n");
	else
		bh_buf_puts(out, "labels:\n");
	for (size_t i = 0; i < ms->n; i++) {
		/* JSON's double-quoted string is also YAML's, escapes included; non-ASCII escaped too, as
		 * YAML refuses C1 control characters written raw (found by fuzz_blmodes) */
		json_t *s = json_string(ms->v[i].label);
		char *q = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(s);
		if (!q) {
			bh_buf_fail(out);
			break;
		}
		bh_buf_printf(out, "  - {label: %s, mode: %s}\n", q, bh_bl_mode_name(ms->v[i].mode));
		free(q);
	}
	return bh_buf_oom(out) ? BH_ENOMEM : 0;
}

int bh_blmodes_write(const bh_blmodes *ms, const char *dir, bh_error *err)
{
	char path[4096], tmp[4200];
	bh_buf y = BH_BUF_INIT;
	FILE *fp;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, BH_BLMODES_FILE) >= sizeof(path))
		return bh_error_set(err, BH_ELIMIT, "%s: directory name too long", dir);
	if ((rc = bh_file_mkdir_p(dir, 0700, err)))
		return rc;
	if ((rc = bh_blmodes_to_yaml(ms, &y))) {
		bh_buf_free(&y);
		return bh_error_set(err, rc, "out of memory");
	}
	/* a dot file: the monitor's directory scan skips it */
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, BH_BLMODES_FILE);
	if (!(fp = fopen(tmp, "we")) || fwrite(y.data, 1, y.len, fp) != y.len || fclose(fp)) {
		rc = bh_error_set(err, BH_EIO, "%s: %s", tmp, strerror(errno));
		bh_buf_free(&y);
		return rc;
	}
	bh_buf_free(&y);
	if (rename(tmp, path)) {
		rc = bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	return 0;
}

int bh_blmodes_match(const bh_blmodes *ms, const json_t *labels)
{
	if (!ms || !json_is_object(labels))
		return -1;
	for (size_t i = 0; i < ms->n; i++)
		if (bh_ctnet_labels_match(labels, ms->v[i].label))
			return (int)i;
	return -1;
}

int bh_blmodes_match_text(const bh_blmodes *ms, const char *labels_json)
{
	json_t *l;
	int r;
	if (!ms || !ms->n || !labels_json || !labels_json[0])
		return -1;
	if (!(l = json_loads(labels_json, JSON_REJECT_DUPLICATES, NULL)))
		return -1;
	r = bh_blmodes_match(ms, l);
	json_decref(l);
	return r;
}
