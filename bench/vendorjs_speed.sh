#!/usr/bin/env bash
# CPU time of the vendorjs content analyzer alone, on every .js file (<= 8 MB) under the given
# directories (default: the Rust docs and npm trees of this machine). The files are read into memory
# first, then the analyzer runs over all of them REPS times (default 3), each file just after a read
# pass over it warmed the caches as bulkhead's own read does. Prints MB, the CPU seconds of each pass
# and a digest of every path/library/version/how-found line (compare it before/after a change).
#   BUILD=build-x bash bench/vendorjs_speed.sh [DIR...]      OUT=file also keeps the findings
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=${REPS:-3}
[ $# -gt 0 ] || set -- /root/.rustup /var/tmp/bh-vjs /var/tmp/bh-bench*
[ -f "$BUILD/libbulkhead.a" ] || make -s -j1 BUILD="$BUILD"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
cat >"$T/drv.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pkg/analyzer.h"
extern const bh_analyzer bh_analyzer_vendorjs;
static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}
int main(int argc, char **argv)
{
	int reps = atoi(argv[1]);
	size_t n = 0, cap = 0, total = 0;
	char line[8192], **paths = NULL;
	unsigned char **data = NULL;
	size_t *len = NULL;
	while (fgets(line, sizeof line, stdin)) {
		FILE *f;
		long sz;
		line[strcspn(line, "\n")] = 0;
		if (!(f = fopen(line, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		rewind(f);
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			paths = realloc(paths, cap * sizeof *paths);
			data = realloc(data, cap * sizeof *data);
			len = realloc(len, cap * sizeof *len);
		}
		data[n] = malloc(sz ? (size_t)sz : 1);
		len[n] = fread(data[n], 1, (size_t)sz, f);
		paths[n] = strdup(line + 1); /* run_mem adds the leading "/" */
		total += len[n];
		n++;
		fclose(f);
	}
	fprintf(stderr, "%zu files, %.1f MB\n", n, total / 1e6);
	for (int r = 0; r < reps; r++) {
		double t = 0;
		for (size_t i = 0; i < n; i++) {
			bh_complist out = { 0 };
			bh_error err;
			volatile unsigned char sink = 0;
			double t0;
			/* bulkhead reads a file just before the analyzers run: warm the caches the same way */
			for (size_t k = 0; k < len[i]; k += 64)
				sink ^= data[i][k];
			t0 = cpu();
			bh_analyzer_run_mem(&bh_analyzer_vendorjs, paths[i], data[i], len[i], &out, &err);
			t += cpu() - t0;
			if (r == 0)
				for (size_t k = 0; k < out.n; k++)
					printf("%s\t%s\t%s\t%s\n", paths[i], out.items[k]->name, out.items[k]->version,
					       out.items[k]->nprops ? out.items[k]->props[0].value : "");
			bh_complist_free(&out);
		}
		fprintf(stderr, "pass %d: %.3f s CPU\n", r + 1, t);
	}
	return 0;
}
C
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -o "$T/drv" "$T/drv.c" "$BUILD/libbulkhead.a" \
	-larchive -ljansson -lyaml -lsqlite3 -lcurl -lcrypto -lz -lpcre2-8 -lm
find "$@" -xdev -name '*.js' -type f -size -8193k 2>/dev/null | LC_ALL=C sort | "$T/drv" "$REPS" >"$T/found"
echo "findings: $(wc -l <"$T/found"), digest $(md5sum <"$T/found" | cut -c1-32)"
[ -z "${OUT:-}" ] || cp "$T/found" "$OUT"
