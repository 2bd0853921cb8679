/* fuzz_import.c - libFuzzer target: advisory documents of every format through the importers into a DB. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "vuln/import.h"

static bh_vulndb *db;

/* closing without commit removes the DB's temporary file; the lock file an import takes beside
 * the DB path is left by design (see db.c), so the target removes it itself */
static void cleanup(void)
{
	char lock[64];
	bh_vulndb_close(db);
	snprintf(lock, sizeof(lock), "/tmp/bh-fuzz-import-%d.db.lock", (int)getpid());
	unlink(lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the format the document is offered as */
	static const char *const names[] = { "x.json", "x.yaml", "RUSTSEC-2020-0001.md", "data/DSA/list", "epss.csv" };
	static unsigned ndocs;
	bh_import_stats st;
	bh_limits lim;
	bh_error err;
	char *doc;

	if (!size)
		return 0;
	bh_log_set_level(BH_LOG_QUIET);
	/* a fresh DB every 20,000 documents: upserts still meet earlier rows, but the file (and the
	 * B-tree walks) stay small instead of growing by every mutated advisory list */
	if (db && ++ndocs % 20000 == 0) { /* ndocs > 0 from here on: cleanup is registered once */
		bh_vulndb_close(db);
		db = NULL;
	}
	if (!db) {
		char path[64];
		snprintf(path, sizeof(path), "/tmp/bh-fuzz-import-%d.db", (int)getpid());
		if (bh_vulndb_create(path, false, &db, &err))
			abort();
		if (!ndocs)
			atexit(cleanup);
	}
	bh_limits_default(&lim);
	memset(&st, 0, sizeof(st));
	doc = malloc(size);
	memcpy(doc, data + 1, size - 1);
	doc[size - 1] = '\0';
	bh_import_document(db, names[data[0] % 5], doc, size - 1, &lim, &st, &err);
	free(doc);
	return 0;
}
