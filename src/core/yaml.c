/* yaml.c - libyaml event stream folded into jansson values; aliases are refused (billion laughs). */
#include "core/yaml.h"

#include <stdbool.h>
#include <string.h>
#include <yaml.h>

#define MAX_NODES 2000000

struct ctx {
	yaml_parser_t p;
	unsigned max_depth;
	unsigned long nodes;
	const char *label;
	bh_error *err;
};

static int node(struct ctx *c, yaml_event_t *ev, unsigned depth, json_t **out);
static int collection(struct ctx *c, bool map, unsigned depth, json_t **out);

static int next(struct ctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->p, ev))
		return bh_error_set(c->err, BH_EINVAL, "%s: YAML error at line %zu: %s", c->label,
				    c->p.problem_mark.line + 1, c->p.problem ? c->p.problem : "syntax");
	return 0;
}

static int collection(struct ctx *c, bool map, unsigned depth, json_t **out)
{
	json_t *j = map ? json_object() : json_array();
	for (;;) {
		yaml_event_t ev;
		json_t *k = NULL, *v = NULL;
		int rc;
		if ((rc = next(c, &ev)))
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			*out = j;
			return 0;
		}
		if (map) {
			rc = node(c, &ev, depth + 1, &k);
			if (rc)
				goto fail;
			if ((rc = next(c, &ev)) || (rc = node(c, &ev, depth + 1, &v))) {
				json_decref(k);
				goto fail;
			}
			if (json_is_string(k))
				json_object_set_new(j, json_string_value(k), v);
			else
				json_decref(v);
			json_decref(k);
		} else {
			if ((rc = node(c, &ev, depth + 1, &v)))
				goto fail;
			json_array_append_new(j, v);
		}
		continue;
fail:
		json_decref(j);
		return rc;
	}
}

/* Consumes ev (already read) and the events of its subtree. */
static int node(struct ctx *c, yaml_event_t *ev, unsigned depth, json_t **out)
{
	int rc = 0;
	*out = NULL;
	if (++c->nodes > MAX_NODES || depth > c->max_depth) {
		yaml_event_delete(ev);
		return bh_error_set(c->err, BH_ELIMIT, "%s: YAML nested deeper than %u levels or too many nodes", c->label, c->max_depth);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		*out = json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (!*out)
			*out = json_string("");
		break;
	case YAML_SEQUENCE_START_EVENT:
		yaml_event_delete(ev);
		return collection(c, false, depth, out);
	case YAML_MAPPING_START_EVENT:
		yaml_event_delete(ev);
		return collection(c, true, depth, out);
	case YAML_ALIAS_EVENT:
		rc = bh_error_set(c->err, BH_EINVAL, "%s: YAML aliases are not accepted", c->label);
		break;
	default:
		rc = bh_error_set(c->err, BH_EINVAL, "%s: unexpected YAML structure", c->label);
	}
	yaml_event_delete(ev);
	return rc;
}

int bh_yaml_load(const char *data, size_t len, unsigned max_depth, const char *label, json_t **out, bh_error *err)
{
	struct ctx c;
	yaml_event_t ev;
	int rc;

	memset(&c, 0, sizeof(c));
	c.max_depth = max_depth;
	c.label = label;
	c.err = err;
	*out = NULL;
	if (!yaml_parser_initialize(&c.p))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&c.p, (const unsigned char *)data, len);
	/* stream start, document start, then the root node */
	for (;;) {
		if ((rc = next(&c, &ev)))
			goto out;
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			rc = bh_error_set(err, BH_EINVAL, "%s: empty YAML document", label);
			goto out;
		}
		rc = node(&c, &ev, 0, out);
		break;
	}
out:
	yaml_parser_delete(&c.p);
	return rc;
}
