/* map.c - open-addressing string map with tombstones. */
#include "core/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

static char tombstone;
#define TOMB (&tombstone)

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

void bh_map_init(bh_map *m, void (*free_val)(void *))
{
	memset(m, 0, sizeof(*m));
	m->free_val = free_val;
}

static int rehash(bh_map *m, size_t ncap)
{
	char **ok = m->keys;
	void **ov = m->vals;
	size_t oc = m->cap, i;

	m->keys = calloc(ncap, sizeof(char *));
	m->vals = calloc(ncap, sizeof(void *));
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = ok;
		m->vals = ov;
		return BH_ENOMEM;
	}
	m->cap = ncap;
	m->used = m->n;
	for (i = 0; i < oc; i++) {
		size_t j;
		if (!ok[i] || ok[i] == TOMB)
			continue;
		j = hash(ok[i]) & (ncap - 1);
		while (m->keys[j])
			j = (j + 1) & (ncap - 1);
		m->keys[j] = ok[i];
		m->vals[j] = ov[i];
	}
	free(ok);
	free(ov);
	return 0;
}

static size_t find(const bh_map *m, const char *key)
{
	size_t j;
	if (!m->cap)
		return SIZE_MAX;
	j = hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] != TOMB && strcmp(m->keys[j], key) == 0)
			return j;
		j = (j + 1) & (m->cap - 1);
	}
	return SIZE_MAX;
}

int bh_map_put(bh_map *m, const char *key, void *val)
{
	size_t j = find(m, key), slot = SIZE_MAX;
	char *k;

	if (j != SIZE_MAX) {
		if (m->free_val && m->vals[j] != val)
			m->free_val(m->vals[j]);
		m->vals[j] = val;
		return 0;
	}
	if ((m->used + 1) * 4 >= m->cap * 3) {
		size_t ncap = m->cap ? m->cap : 16;
		while ((m->n + 1) * 2 >= ncap)
			if (!bh_size_mul(ncap, 2, &ncap))
				return BH_ENOMEM;
		if (rehash(m, ncap))
			return BH_ENOMEM;
	}
	k = bh_strdup(key);
	if (!k)
		return BH_ENOMEM;
	j = hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == TOMB && slot == SIZE_MAX)
			slot = j;
		j = (j + 1) & (m->cap - 1);
	}
	if (slot == SIZE_MAX) {
		slot = j;
		m->used++;
	}
	m->keys[slot] = k;
	m->vals[slot] = val;
	m->n++;
	return 0;
}

void *bh_map_get(const bh_map *m, const char *key)
{
	size_t j = find(m, key);
	return j == SIZE_MAX ? NULL : m->vals[j];
}

int bh_map_del(bh_map *m, const char *key)
{
	size_t j = find(m, key);
	if (j == SIZE_MAX)
		return 0;
	free(m->keys[j]);
	if (m->free_val)
		m->free_val(m->vals[j]);
	m->keys[j] = TOMB;
	m->vals[j] = NULL;
	m->n--;
	return 1;
}

int bh_map_next(const bh_map *m, size_t *i, const char **key, void **val)
{
	while (*i < m->cap) {
		size_t j = (*i)++;
		if (m->keys[j] && m->keys[j] != TOMB) {
			*key = m->keys[j];
			if (val)
				*val = m->vals[j];
			return 1;
		}
	}
	return 0;
}

void bh_map_free(bh_map *m)
{
	size_t i;
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] && m->keys[i] != TOMB) {
			free(m->keys[i]);
			if (m->free_val)
				m->free_val(m->vals[i]);
		}
	}
	free(m->keys);
	free(m->vals);
	bh_map_init(m, m->free_val);
}
