/* webui.c - the dashboard's static files (web/), embedded with .incbin, served at / and /ui/NAME with an ETag. */
#include "server/webui.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * One .incbin per file of web/ (paths relative to the top directory, where make runs, as in
 * runtime/defrules.c). A NUL follows each file's bytes; the size is computed by the assembler so
 * that C never subtracts pointers into different objects. A new file of web/ needs a line here
 * and one in the table below.
 */
#define WEBUI_EMBED(sym, path)                                                                             \
	__asm__(".section .rodata\n"                                                                       \
		".balign 16\n"                                                                             \
		".globl bh_webui_" #sym "\n"                                                               \
		"bh_webui_" #sym ":\n"                                                                     \
		".incbin \"" path "\"\n"                                                                   \
		"bh_webui_" #sym "_end:\n"                                                                 \
		".byte 0\n"                                                                                \
		".balign 8\n"                                                                              \
		".globl bh_webui_" #sym "_size\n"                                                          \
		"bh_webui_" #sym "_size:\n"                                                                \
		".quad bh_webui_" #sym "_end - bh_webui_" #sym "\n"                                        \
		".previous\n");                                                                            \
	extern const char bh_webui_##sym[];                                                                \
	extern const uint64_t bh_webui_##sym##_size;

WEBUI_EMBED(index_html, "web/index.html")
WEBUI_EMBED(style_css, "web/style.css")
WEBUI_EMBED(favicon_svg, "web/favicon.svg")
WEBUI_EMBED(app_js, "web/app.js")
WEBUI_EMBED(api_js, "web/api.js")
WEBUI_EMBED(dom_js, "web/dom.js")
WEBUI_EMBED(overview_js, "web/overview.js")
WEBUI_EMBED(findings_js, "web/findings.js")
WEBUI_EMBED(images_js, "web/images.js")
WEBUI_EMBED(hosts_js, "web/hosts.js")
WEBUI_EMBED(admin_js, "web/admin.js")
WEBUI_EMBED(baselines_js, "web/baselines.js")
WEBUI_EMBED(network_js, "web/network.js")

#define CT_HTML "text/html; charset=utf-8"
#define CT_CSS "text/css; charset=utf-8"
#define CT_JS "text/javascript; charset=utf-8"
#define CT_SVG "image/svg+xml"

struct webfile {
	const char *name, *type;
	const char *data;
	const uint64_t *size;
	char etag[24]; /* "\"" + 16 hex + "\"" */
};

#define F(n, sym, t) { n, t, bh_webui_##sym, &bh_webui_##sym##_size, "" }
static struct webfile files[] = {
	F("index.html", index_html, CT_HTML), F("style.css", style_css, CT_CSS),
	F("favicon.svg", favicon_svg, CT_SVG), F("app.js", app_js, CT_JS),
	F("api.js", api_js, CT_JS),           F("dom.js", dom_js, CT_JS),
	F("overview.js", overview_js, CT_JS), F("findings.js", findings_js, CT_JS),
	F("images.js", images_js, CT_JS),     F("hosts.js", hosts_js, CT_JS),
	F("admin.js", admin_js, CT_JS),       F("baselines.js", baselines_js, CT_JS),
	F("network.js", network_js, CT_JS),
};
#undef F

static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

/* FNV-1a 64 of each file, once: the bytes never change while the binary runs. */
static void etags_make(void)
{
	size_t i, k;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		uint64_t h = 0xcbf29ce484222325ull;
		for (k = 0; k < (size_t)*files[i].size; k++)
			h = (h ^ (unsigned char)files[i].data[k]) * 0x100000001b3ull;
		snprintf(files[i].etag, sizeof(files[i].etag), "\"%016llx\"", (unsigned long long)h);
	}
}

static const struct webfile *lookup(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].name, name))
			return &files[i];
	return NULL;
}

const char *bh_webui_file(const char *name, size_t *len, const char **content_type)
{
	const struct webfile *f = lookup(name);
	if (!f)
		return NULL;
	*len = (size_t)*f->size;
	*content_type = f->type;
	return f->data;
}

/* true when an If-None-Match list names etag (or is "*") */
static bool etag_matches(const char *inm, const char *etag)
{
	size_t el = strlen(etag);
	const char *p = inm;
	while (p && *p) {
		p += strspn(p, " \t,");
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p == '*' || !strncmp(p, etag, el))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

static int send_file(bh_srv_req *req, bh_srv_resp *resp, const struct webfile *f)
{
	const char *inm = bh_srv_header(req, "If-None-Match");
	int rc;
	pthread_once(&etags_once, etags_make);
	if (inm && etag_matches(inm, f->etag))
		rc = bh_srv_resp_data(resp, 304, NULL, "", 0);
	else
		rc = bh_srv_resp_data(resp, 200, f->type, f->data, (size_t)*f->size);
	return rc ? rc : bh_srv_resp_header(resp, "ETag", f->etag);
}

static int get_index(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	(void)ud;
	return send_file(req, resp, &files[0]);
}

static int get_ui(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const struct webfile *f = lookup(bh_srv_param(req, "name"));
	(void)ud;
	if (!f)
		return bh_srv_resp_error(resp, 404, "not_found", "no such file of the dashboard");
	return send_file(req, resp, f);
}

int bh_webui_register(bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/", get_index, NULL, .allow = BH_SRV_ALLOW_VIEWER, .public_route = true, .html = true },
		{ "GET", "/ui/{name}", get_ui, NULL, .allow = BH_SRV_ALLOW_VIEWER, .public_route = true, .html = true },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}
