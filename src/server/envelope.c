/* envelope.c - event envelopes as agents (and later the sensor) send them: body parsing and checks. */
#include "server/envelope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "server/http.h"

static bool type_ok(const char *t)
{
	size_t n = strlen(t);
	return n && n <= 64 && strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* NULL when j is a valid envelope (e filled), else why not; "agent" in the text means 403. */
static const char *check(json_t *j, const char *agent_host, bh_envelope *e)
{
	json_t *v;
	memset(e, 0, sizeof(*e));
	if (!json_is_object(j))
		return "an event must be a JSON object";
	e->type = json_string_value(json_object_get(j, "type"));
	if (!e->type || !type_ok(e->type))
		return "\"type\" must be 1..64 characters of a-z 0-9 . _ -";
	v = json_object_get(j, "host");
	if (v && !json_is_null(v) && (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 255))
		return "\"host\" must be a string of 1..255 bytes";
	e->host = json_string_value(v);
	if (agent_host) {
		if (!agent_host[0])
			return "this agent token names no host: it may not write events";
		if (e->host && strcmp(e->host, agent_host) != 0)
			return "an agent token may write only its own host's events";
		e->host = agent_host;
	}
	v = json_object_get(j, "container");
	if (v && !json_is_null(v) && (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 256))
		return "\"container\" must be a string of 1..256 bytes";
	e->container = json_string_value(v);
	v = json_object_get(j, "time");
	if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return "\"time\" must be Unix seconds (a non-negative integer)";
	e->time = v && json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)time(NULL);
	v = json_object_get(j, "seq");
	if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return "\"seq\" must be a non-negative integer";
	{
		json_t *k = json_object_get(j, "idempotency_key");
		if (k && !json_is_null(k) && (!json_is_string(k) || !json_string_length(k) || json_string_length(k) > 200))
			return "\"idempotency_key\" must be a string of 1..200 bytes";
		if (json_is_string(k))
			e->key = strdup(json_string_value(k));
		else if (v && json_is_integer(v) && e->host) {
			/* an agent's own sequence number is unique per host: resends carry the same one */
			char buf[300];
			snprintf(buf, sizeof(buf), "%s/%lld", e->host, (long long)json_integer_value(v));
			e->key = strdup(buf);
		}
	}
	v = json_object_get(j, "payload");
	if (v && !json_is_null(v))
		e->payload = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return NULL;
}

void bh_envelope_batch_free(bh_envelope_batch *b)
{
	size_t i;
	for (i = 0; b->ev && i < b->n; i++) {
		free(b->ev[i].payload);
		free(b->ev[i].key);
	}
	free(b->ev);
	json_decref(b->list);
	memset(b, 0, sizeof(*b));
}

int bh_envelope_parse(const char *body, size_t len, unsigned max_depth, size_t max_events, const char *agent_host,
		      bh_envelope_batch *b, char *why, size_t whylen)
{
	const char *at = body, *end = body + len;
	bh_error err;
	size_t i, n;

	memset(b, 0, sizeof(*b));
	while (at < end && isspace((unsigned char)*at))
		at++;
	if (at == end) {
		snprintf(why, whylen, "no events in the body");
		return 400;
	}
	if (*at == '[') {
		if (bh_srv_body_parse(body, len, max_depth, &b->list, &err)) {
			snprintf(why, whylen, "%s", err.msg);
			return 400;
		}
		if (!json_is_array(b->list)) {
			snprintf(why, whylen, "expected an array of events");
			return 400;
		}
	} else {
		const char *nl;
		size_t line = 0;
		if (!(b->list = json_array()))
			return BH_ENOMEM;
		for (; at < end; at = nl + 1) {
			json_t *one;
			const char *s = at;
			nl = memchr(at, '\n', (size_t)(end - at));
			if (!nl)
				nl = end;
			line++;
			while (s < nl && isspace((unsigned char)*s))
				s++;
			if (s == nl)
				continue;
			if (json_array_size(b->list) >= max_events) {
				json_array_append_new(b->list, json_null()); /* one over: the count check answers */
				break;
			}
			if (bh_srv_body_parse(s, (size_t)(nl - s), max_depth, &one, &err)) {
				snprintf(why, whylen, "line %zu: %s", line, err.msg);
				return 400;
			}
			if (json_array_append_new(b->list, one))
				return BH_ENOMEM;
		}
	}
	n = json_array_size(b->list);
	if (n == 0 || n > max_events) {
		snprintf(why, whylen, "between 1 and %zu events per request", max_events);
		return n ? 413 : 400;
	}
	if (!(b->ev = calloc(n, sizeof(*b->ev))))
		return BH_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *w = check(json_array_get(b->list, i), agent_host, &b->ev[i]);
		b->n = i + 1; /* what check filled is freed by bh_envelope_batch_free */
		if (w) {
			snprintf(why, whylen, "event %zu: %s", i, w);
			return agent_host && strstr(w, "agent") ? 403 : 400;
		}
	}
	return 0;
}
