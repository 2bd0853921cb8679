/* map.h - string-keyed hash map (open addressing) for path and name lookups. */
#ifndef BH_CORE_MAP_H
#define BH_CORE_MAP_H

#include <stddef.h>
#include <stdint.h>

/* Keys are copied and owned by the map; values are the caller's (freed by the optional callback). */
/* One slot: a probe reads one cache line; the hash is compared before the string and reused by rehash. */
typedef struct bh_map_slot {
	uint64_t hash;
	char *key;  /* NULL: empty; the map's tombstone: removed */
	void *val;
} bh_map_slot;

typedef struct bh_map {
	bh_map_slot *slots;
	size_t cap;   /* power of two or 0 */
	size_t n;     /* live entries */
	size_t used;  /* live + tombstones */
	void (*free_val)(void *);
} bh_map;

void bh_map_init(bh_map *m, void (*free_val)(void *));
/* Inserts or replaces (the old value goes through free_val). */
int bh_map_put(bh_map *m, const char *key, void *val);
void *bh_map_get(const bh_map *m, const char *key);
/* Removes key; its value goes through free_val. Returns 1 if found. */
int bh_map_del(bh_map *m, const char *key);
void bh_map_free(bh_map *m);
/* Iteration: for (i = 0; bh_map_next(m, &i, &k, &v);) — removal of the current key is allowed. */
int bh_map_next(const bh_map *m, size_t *i, const char **key, void **val);

#endif
