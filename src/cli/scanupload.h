/* scanupload.h - `bulkhead scan --server`: the finished scan (SBOM, findings, checks, verdict, pipeline ids) to `bulkhead serve`. */
#ifndef BH_CLI_SCANUPLOAD_H
#define BH_CLI_SCANUPLOAD_H

#include <stdbool.h>

#include "core/error.h"
#include "scan/scan.h"

typedef struct bh_scanupload_opts {
	const char *server;       /* http(s)://HOST:PORT */
	const char *token;        /* bearer token: operator (or agent) */
	const char *ca_file;      /* https: CA bundle instead of the system's; NULL: system */
	const char *target;       /* as the user named it */
	const char *pipeline_id, *pipeline_url, *commit, *branch; /* NULL: from the CI's variables, when set */
	const char *policy;       /* the policy file used, or NULL */
	bool failing;             /* findings fail the run (the policy's verdict) */
	int exit_code;            /* the scan's exit code, as the command returns it */
} bh_scanupload_opts;

/*
 * Uploads r: the image's SBOM through POST /api/v1/images (when the scan read an image with a digest:
 * the server stores and matches it as for agents), then POST /api/v1/scans with the verdict, the
 * exit code, the pipeline identifiers, a summary of the findings and the check results. BH_EUSAGE
 * for a bad server URL or token, BH_ENET when the server does not answer or fails (5xx), BH_EAUTH
 * for 401/403, BH_EINVAL for another refusal; err says which request and why.
 */
int bh_scanupload_send(const bh_scanupload_opts *o, const bh_scan_result *r, bh_error *err);

#endif
