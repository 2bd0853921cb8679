/* uiapi.h - the small /api/v1 additions the dashboard needs: a summary with trends, per-image finding counts,
 * events newest first with a container filter, the token list and revocation; and the dashboard's own routes. */
#ifndef BH_SERVER_UIAPI_H
#define BH_SERVER_UIAPI_H

#include "core/error.h"
#include "sbom/sbom.h"
#include "server/api.h"
#include "server/http.h"

/*
 * Adds (on the API a; documented in docs/openapi.yaml):
 *   GET    /api/v1/ui/summary          counts (images, hosts, containers, open findings by severity,
 *                                      KEV, KEV in running containers, fixable) and ?days=N (1..365,
 *                                      default 30) of daily trend: open, new and resolved findings   viewer
 *   GET    /api/v1/ui/image-findings   per image digest: open findings by severity, KEV, total        viewer
 *   GET    /api/v1/ui/events           events newest first: ?container=&host=&type=&before=&limit=   viewer
 *   GET    /api/v1/ui/aliases?id=X     ids the DB relates to X: advisories listing X as an alias (a CVE)
 *                                      and X's own aliases (read once per DB, then bisected)          viewer
 *   GET    /api/v1/tokens              tokens without their secrets                                    admin
 *   DELETE /api/v1/tokens/{id}         revoke one (audited)                                            admin
 * then the dashboard's static routes (server/webui.h: GET / and GET /ui/{name}, public).
 */
int bh_uiapi_register(bh_api *a, bh_srv *s, bh_error *err);

/*
 * The layers of an uploaded SBOM in the shape of an OCI image config (history[].created_by and
 * rootfs.diff_ids, one entry per layer in order, plus created, os, architecture), so GET
 * /api/v1/images/{digest} can answer `config` for images that were uploaded as SBOMs: the layer
 * index of each component points into history. A new string the caller frees; NULL when s has no
 * layers (or on out of memory: the image is then stored without it).
 */
char *bh_uiapi_config_json(const bh_sbom *s);

#endif
