/* limits.c - defaults and parsing of --limit name=value. */
#include "core/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void bh_limits_default(bh_limits *l)
{
	l->max_layer_size = 8ULL << 30;
	l->max_files = 2000000;
	l->max_file_read = 256ULL << 20;
	l->max_meta_size = 16ULL << 20;
	l->max_json_depth = 64;
	l->max_layers = 1000;
	l->max_archive_depth = 4;
	l->time_budget_s = 0;
	/*
	 * The largest real inventories are tens of thousands of components (a full Debian archive
	 * has about 65,000 binary packages; big node images 10-20k npm packages): 500,000 leaves 10x
	 * headroom while a refusal still comes before about 150 MB of components are held.
	 */
	l->max_components = 500000;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	if (*s < '0' || *s > '9')
		return BH_EUSAGE;
	v = strtoull(s, &end, 10);
	if (errno)
		return BH_EUSAGE;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	default: return BH_EUSAGE;
	}
	if (*end || __builtin_mul_overflow((uint64_t)v, mul, out))
		return BH_EUSAGE;
	return 0;
}

int bh_limits_set(bh_limits *l, const char *spec)
{
	const char *eq = strchr(spec, '=');
	uint64_t v;
	size_t n;

	if (!eq || parse_size(eq + 1, &v))
		return BH_EUSAGE;
	n = (size_t)(eq - spec);
#define IS(name) (n == strlen(name) && strncmp(spec, name, n) == 0)
	if (IS("max-layer-size")) l->max_layer_size = v;
	else if (IS("max-files")) l->max_files = v;
	else if (IS("max-file-read")) l->max_file_read = v;
	else if (IS("max-meta-size")) l->max_meta_size = v;
	else if (IS("max-json-depth") && v <= 100000) l->max_json_depth = (unsigned)v;
	else if (IS("max-layers") && v <= 1000000) l->max_layers = (unsigned)v;
	else if (IS("max-archive-depth") && v <= 64) l->max_archive_depth = (unsigned)v;
	else if (IS("time-budget") && v <= 86400 * 7) l->time_budget_s = (unsigned)v;
	else if (IS("max-components")) l->max_components = v;
	else return BH_EUSAGE;
#undef IS
	return 0;
}
