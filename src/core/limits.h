/* limits.h - every bound on hostile input, in one place, configurable from the CLI. */
#ifndef BH_CORE_LIMITS_H
#define BH_CORE_LIMITS_H

#include <stdint.h>

typedef struct bh_limits {
	uint64_t max_layer_size;    /* uncompressed bytes in one layer */
	uint64_t max_files;         /* tar entries over the whole image */
	uint64_t max_file_read;     /* bytes of one file an analyzer may hold in memory */
	uint64_t max_meta_size;     /* manifest/config/index JSON blob size */
	unsigned max_json_depth;    /* nesting depth accepted in JSON documents */
	unsigned max_layers;        /* layers in one image */
	unsigned max_archive_depth; /* nested archives (jar in jar) */
	unsigned time_budget_s;     /* wall-clock budget for one scan, 0 = none */
	uint64_t max_components;    /* components found in one target (memory follows this, not file sizes) */
} bh_limits;

void bh_limits_default(bh_limits *l);
/* Parses "name=value" (value with optional k/m/g suffix) into l; returns 0 or BH_EUSAGE. */
int bh_limits_set(bh_limits *l, const char *spec);

#endif
