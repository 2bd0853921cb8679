/* map.c - open-addressing string map with tombstones. */
#include "core/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

static char tombstone;
#define TOMB (&tombstone)

/*
 * Keys are mostly paths of 20-80 bytes looked up hundreds of thousands of times per scan, so the
 * hash takes 8 bytes a step (a byte-at-a-time FNV-1a was a quarter of the link planning's time)
 * and ends with a full avalanche because the table masks the low bits.
 */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), w;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x94d049bb133111ebULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

void bh_map_init(bh_map *m, void (*free_val)(void *))
{
	memset(m, 0, sizeof(*m));
	m->free_val = free_val;
}

static int rehash(bh_map *m, size_t ncap)
{
	bh_map_slot *os = m->slots, *ns;
	size_t oc = m->cap, i;

	if (!(ns = calloc(ncap, sizeof(*ns))))
		return BH_ENOMEM;
	m->slots = ns;
	m->cap = ncap;
	m->used = m->n;
	for (i = 0; i < oc; i++) {
		size_t j;
		if (!os[i].key || os[i].key == TOMB)
			continue;
		j = os[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = os[i];
	}
	free(os);
	return 0;
}

static size_t find_h(const bh_map *m, const char *key, uint64_t h)
{
	size_t j;
	if (!m->cap)
		return SIZE_MAX;
	j = h & (m->cap - 1);
	while (m->slots[j].key) {
		if (m->slots[j].hash == h && m->slots[j].key != TOMB && strcmp(m->slots[j].key, key) == 0)
			return j;
		j = (j + 1) & (m->cap - 1);
	}
	return SIZE_MAX;
}

static size_t find(const bh_map *m, const char *key)
{
	return m->cap ? find_h(m, key, hash(key, strlen(key))) : SIZE_MAX;
}

int bh_map_put(bh_map *m, const char *key, void *val)
{
	size_t klen = strlen(key), j, slot = SIZE_MAX;
	uint64_t h = hash(key, klen);
	char *k;

	j = find_h(m, key, h);
	if (j != SIZE_MAX) {
		if (m->free_val && m->slots[j].val != val)
			m->free_val(m->slots[j].val);
		m->slots[j].val = val;
		return 0;
	}
	/* at most half full: most lookups here miss (is this path a link target?), and a miss under
	 * linear probing costs about 1/(1-load)^2 slots */
	if ((m->used + 1) * 2 >= m->cap) {
		size_t ncap = m->cap ? m->cap : 16;
		while ((m->n + 1) * 4 >= ncap)
			if (!bh_size_mul(ncap, 2, &ncap))
				return BH_ENOMEM;
		if (rehash(m, ncap))
			return BH_ENOMEM;
	}
	if (!(k = malloc(klen + 1)))
		return BH_ENOMEM;
	memcpy(k, key, klen + 1);
	j = h & (m->cap - 1);
	while (m->slots[j].key) {
		if (m->slots[j].key == TOMB && slot == SIZE_MAX)
			slot = j;
		j = (j + 1) & (m->cap - 1);
	}
	if (slot == SIZE_MAX) {
		slot = j;
		m->used++;
	}
	m->slots[slot].key = k;
	m->slots[slot].val = val;
	m->slots[slot].hash = h;
	m->n++;
	return 0;
}

void *bh_map_get(const bh_map *m, const char *key)
{
	size_t j = find(m, key);
	return j == SIZE_MAX ? NULL : m->slots[j].val;
}

int bh_map_del(bh_map *m, const char *key)
{
	size_t j = find(m, key);
	if (j == SIZE_MAX)
		return 0;
	free(m->slots[j].key);
	if (m->free_val)
		m->free_val(m->slots[j].val);
	m->slots[j].key = TOMB;
	m->slots[j].val = NULL;
	m->n--;
	return 1;
}

int bh_map_next(const bh_map *m, size_t *i, const char **key, void **val)
{
	while (*i < m->cap) {
		size_t j = (*i)++;
		if (m->slots[j].key && m->slots[j].key != TOMB) {
			*key = m->slots[j].key;
			if (val)
				*val = m->slots[j].val;
			return 1;
		}
	}
	return 0;
}

void bh_map_free(bh_map *m)
{
	size_t i;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key && m->slots[i].key != TOMB) {
			free(m->slots[i].key);
			if (m->free_val)
				m->free_val(m->slots[i].val);
		}
	}
	free(m->slots);
	bh_map_init(m, m->free_val);
}
