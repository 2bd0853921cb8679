/* apk.c - Alpine packages from lib/apk/db/installed (the apk-tools "installed" database). */
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return len == 20 && memcmp(path, "lib/apk/db/installed", 20) == 0;
}

struct rec {
	const char *f[128];
	size_t n[128];
};

static int emit(struct rec *r, bh_complist *out)
{
	bh_component *c;
	if (!r->f['P'] || !r->f['V'])
		return 0;
	c = bh_complist_add(out, BH_ECO_APK);
	if (!c || bh_component_set(&c->name, r->f['P'], r->n['P']) || bh_component_set(&c->version, r->f['V'], r->n['V']) ||
	    (r->f['A'] && bh_component_set(&c->arch, r->f['A'], r->n['A'])) ||
	    (r->f['L'] && bh_component_set(&c->license, r->f['L'], r->n['L'])) ||
	    /* origin is the aports package that built it: what secdb speaks of */
	    bh_component_set(&c->src_name, r->f['o'] ? r->f['o'] : r->f['P'], r->f['o'] ? r->n['o'] : r->n['P']) ||
	    bh_component_set(&c->src_version, r->f['V'], r->n['V']))
		return BH_ENOMEM;
	return 0;
}

/* Records are blank-line separated "K:value" lines; only the first value of a key counts. */
static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	const char *line;
	size_t len, n;
	struct rec r;
	bh_lines it;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	memset(&r, 0, sizeof(r));
	bh_lines_init(&it, (const char *)data, len);
	for (;;) {
		bool more = bh_lines_next(&it, &line, &n);
		if (!more || n == 0) {
			if ((rc = emit(&r, out)))
				return bh_error_set(err, rc, "%s: out of memory", f->path);
			memset(&r, 0, sizeof(r));
			if (!more)
				break;
			continue;
		}
		if (n >= 2 && line[1] == ':' && (unsigned char)line[0] < 128 && !r.f[(unsigned char)line[0]]) {
			r.f[(unsigned char)line[0]] = line + 2;
			r.n[(unsigned char)line[0]] = n - 2;
		}
	}
	return 0;
}

const bh_analyzer bh_analyzer_apk = { "apk", match, analyze, NULL };
