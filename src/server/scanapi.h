/* scanapi.h - POST/GET /api/v1/scans: results `bulkhead scan --server` uploads (pipeline ids, verdict, checks); the body parser (fuzz/fuzz_scanbody.c). */
#ifndef BH_SERVER_SCANAPI_H
#define BH_SERVER_SCANAPI_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "store/hostcheck.h"

/*
 *   POST /api/v1/scans   operator, admin, agent (an agent may report CI scans: they name no host)
 *   GET  /api/v1/scans   ?image=DIGEST, paged; viewer
 * The image's SBOM travels beforehand through POST /api/v1/images (the same storing and matching);
 * POST /scans adds the scans row and, for an image the server has, replaces its check results.
 */
int bh_scanapi_register(bh_api *a, bh_srv *s, bh_error *err);

#define BH_SCANAPI_BODY_MAX (16u << 20)
#define BH_SCANAPI_CHECKS_MAX 20000

/* A parsed POST /api/v1/scans body; strings borrow from doc. */
typedef struct bh_scanapi_body {
	json_t *doc;
	const char *target, *image_digest, *verdict; /* image_digest NULL: no image (a directory, a Dockerfile) */
	int exit_code;
	char *pipeline_json, *summary_json; /* owned: compact JSON ({} when absent) */
	bh_hostcheck *checks;               /* owned array */
	size_t nchecks;
} bh_scanapi_body;
/*
 * {"target": S, "image_digest": D|null, "verdict": "pass"|"fail", "exit_code": 0..255,
 *  "pipeline": {"id","url","commit","branch": strings}, "summary": {...}, "checks": [...]}.
 * Returns 0, or the HTTP status to answer (400, 413) with why; BH_ENOMEM. bh_scanapi_body_free after either.
 */
int bh_scanapi_parse(const char *body, size_t len, unsigned max_depth, bh_scanapi_body *out, char *why, size_t whylen);
void bh_scanapi_body_free(bh_scanapi_body *b);

#endif
