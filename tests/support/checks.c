/* checks.c - assertion helpers over check findings shared by the tests of src/check. */
#include "support/checks.h"

#include <string.h>

const char *bh_test_rule_ids(const bh_checks *l, const char *st, bool (*skip)(const char *rule))
{
	static char buf[4096];
	const char *v[128];
	size_t i, j, n = 0, len = 0;
	buf[0] = '\0';
	for (i = 0; i < l->n && n < 128; i++) {
		const bh_check_finding *f = &l->items[i];
		if (!(st ? f->status && strcmp(f->status, st) == 0 : !f->status))
			continue;
		if (skip && skip(f->rule))
			continue;
		v[n++] = f->rule;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < n && len + strlen(v[i]) + 2 < sizeof(buf); i++) {
		if (i)
			buf[len++] = ' ';
		memcpy(buf + len, v[i], strlen(v[i]) + 1);
		len += strlen(v[i]);
	}
	return buf;
}

const bh_check_finding *bh_test_find(const bh_checks *l, const char *rule, size_t nth)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule, rule) == 0 && nth-- == 0)
			return &l->items[i];
	return NULL;
}

const bh_check_finding *bh_test_failed(const bh_checks *l, const char *rule)
{
	const bh_check_finding *f = bh_test_find(l, rule, 0);
	return f && !f->status ? f : NULL;
}

size_t bh_test_count(const bh_checks *l, const char *rule)
{
	size_t i, n = 0;
	for (i = 0; i < l->n; i++)
		n += strcmp(l->items[i].rule, rule) == 0;
	return n;
}
