/* webui.h - the dashboard of `bulkhead serve`: the static files of web/, embedded in the binary, served at / and /ui/NAME. */
#ifndef BH_SERVER_WEBUI_H
#define BH_SERVER_WEBUI_H

#include <stddef.h>

#include "core/error.h"
#include "server/http.h"

/*
 * Adds two public routes (no token: the page itself asks for one and sends it as a bearer header
 * to /api/v1, never in a URL):
 *   GET /          web/index.html
 *   GET /ui/{name} one file of web/ (flat: names have no '/'); 404 for any other name
 * Each answer carries its Content-Type, an ETag (a hash of the embedded bytes; If-None-Match gets
 * 304) and the server's HTML security headers (http.c: a strict Content-Security-Policy with no
 * inline script or style, Cache-Control: no-cache so the browser revalidates with the ETag).
 * The files are in the binary's read-only data (assembled with .incbin from web/ at build time).
 */
int bh_webui_register(bh_srv *s, bh_error *err);

/* The embedded file NAME ("index.html", "app.js"): its bytes (static, never freed), *len and
 * *content_type; NULL when there is none by that name. */
const char *bh_webui_file(const char *name, size_t *len, const char **content_type);

#endif
