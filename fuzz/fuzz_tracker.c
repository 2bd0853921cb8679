/* fuzz_tracker.c - POST /api/v1/trackers bodies (checked as the route checks them), issue bodies
 * rendered for GitHub and for GitLab from hostile package names and versions (the Markdown must
 * hold no unescaped inline syntax, no reference character a mention or reference could start from,
 * no control character, no line a GitLab quick action, and carry its one marker), and the issue
 * list answers of both back-ends (server/trackerapi.h): what they pass on is well formed. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "server/tracker.h"
#include "server/trackerapi.h"

#define ZWSP "\xe2\x80\x8b"

/* The characters after which a zero-width space must stand (tracker.c's ref_start). */
static bool ref_char(unsigned char c, bh_tracker_md md)
{
	return c == '@' || c == '#' || (md == BH_TRACKER_MD_GITLAB && c && strchr("!%~&$*^[", c));
}

static void need_break(const char *s, size_t n, size_t i)
{
	if (n - i < 4 || memcmp(s + i + 1, ZWSP, 3))
		abort();
}

/* Every inline-syntax character is escaped, every reference character broken, nothing below 0x20
 * but '\n'. */
static void check_md(const char *s, size_t n, bool lines, bh_tracker_md md)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\') {
			if (i + 1 >= n || !strchr("\\`*_{}[]()!|<>~&$", s[i + 1]))
				abort(); /* a lone backslash would escape what follows it */
			i++;
			if (ref_char((unsigned char)s[i], md))
				need_break(s, n, i);
			continue;
		}
		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f || (c && strchr("`*_{}[]()!<>~&$|", c)))
			abort();
		if (ref_char(c, md))
			need_break(s, n, i);
		if (c >= 0x80) {
			size_t k = bh_utf8_seq((const unsigned char *)s + i, n - i);
			if (!k)
				abort();
			i += k - 1;
		}
	}
}

/* A list answer's issue: a positive number and a state of "open" or "closed". */
static int issue_cb(void *ud, const bh_trackerapi_issue *it)
{
	(void)ud;
	if (it->number <= 0 || !it->state || (strcmp(it->state, "open") != 0 && strcmp(it->state, "closed") != 0))
		abort();
	if (it->body) {
		char h[65];
		if (bh_tracker_marker_find(it->body, h) && strlen(h) != 64)
			abort();
	}
	return 0;
}

static void lists(const json_t *answer)
{
	static const char *const kinds[] = { "github", "gitlab" };
	char why[128] = "";
	size_t k;
	for (k = 0; k < 2; k++) {
		int rc = bh_trackerapi_parse_list(bh_trackerapi_find(kinds[k]), answer, issue_cb, NULL, why, sizeof(why));
		if (rc != 0 && (rc != BH_EINVAL || json_is_array(answer) || !why[0]))
			abort(); /* only a non-list is refused, and it says why */
	}
}

/* One rendering of the group, checked: the marker, the title, the lines that carry input (the
 * heading, the subject and the table's cells, each checked as escaped text, cells split at
 * unescaped pipes), no line a quick action. */
static void render_check(const bh_tracker_group *g, const char *hash, bh_tracker_md md)
{
	char found[65], *title = NULL, *body = NULL, *line, *save = NULL;
	size_t i, k;
	if (bh_tracker_render(g, hash, md, &title, &body))
		abort();
	/* the marker found is the group's own, whatever the packages are called */
	if (!bh_tracker_marker_find(body, found) || strcmp(found, hash))
		abort();
	if (strchr(title, '\n') || strchr(title, '`'))
		abort();
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		static const char *const heads[] = { "### ", "**Repository:** ", "**Image:** " };
		size_t start, n;
		if (line[0] == '/')
			abort();
		for (k = 0; k < 3; k++)
			if (!strncmp(line, heads[k], strlen(heads[k])))
				check_md(line + strlen(heads[k]), strlen(line + strlen(heads[k])), false, md);
		if (line[0] != '|' || !strncmp(line, "| Package", 9) || !strncmp(line, "| ---", 5))
			continue;
		for (start = 1, i = 1; line[i]; i++) {
			if (line[i] == '\\' && line[i + 1]) {
				i++;
				continue;
			}
			if (line[i] != '|')
				continue;
			n = i - start;
			while (n && line[start] == ' ')
				start++, n--;
			while (n && line[start + n - 1] == ' ' && (n < 2 || line[start + n - 2] != '\\'))
				n--;
			check_md(line + start, n, false, md);
			start = i + 1;
		}
	}
	free(title);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je), *pk;
	bh_tracker_spec sp;
	bh_tracker_pkg pkgs[8];
	const char *imgs[8][4];
	bh_tracker_group g;
	bh_buf b = BH_BUF_INIT;
	char why[256] = "", hash[65];
	size_t i, k;
	int rc;
	if (!j)
		return 0;
	/* a list answer: the whole input, or its "list" */
	lists(json_is_array(j) ? j : json_object_get(j, "list"));
	rc = bh_tracker_spec_parse(json_object_get(j, "spec"), &sp, why, sizeof(why));
	if (rc && !why[0])
		abort(); /* a refusal always says why */
	if (!rc && (!sp.api || !sp.api->repository_ok(sp.repository)))
		abort();
	/* one text escaped on its own, both ways: one line, nothing unescaped */
	if (json_is_string(json_object_get(j, "text"))) {
		for (k = 0; k < 2; k++) {
			if (bh_tracker_md_escape(&b, json_string_value(json_object_get(j, "text")), 4096, (bh_tracker_md)k))
				abort();
			check_md(b.data ? b.data : "", b.len, false, (bh_tracker_md)k);
			bh_buf_free(&b);
		}
	}
	/* a group of up to 8 packages with up to 4 images each, from the input */
	memset(&g, 0, sizeof(g));
	memset(pkgs, 0, sizeof(pkgs));
	g.scope = json_is_true(json_object_get(j, "image")) ? "image" : "repository";
	g.subject = json_string_value(json_object_get(j, "subject"));
	g.advisory = json_string_value(json_object_get(j, "advisory"));
	if (!g.subject)
		g.subject = "team/app";
	if (!g.advisory)
		g.advisory = "CVE-1";
	json_array_foreach(json_object_get(j, "pkgs"), i, pk) {
		json_t *im;
		if (i >= 8)
			break;
		pkgs[i].purl = "pkg:x/y";
		pkgs[i].name = json_string_value(json_object_get(pk, "name"));
		pkgs[i].version = json_string_value(json_object_get(pk, "version"));
		pkgs[i].fixed = json_string_value(json_object_get(pk, "fixed"));
		pkgs[i].severity = json_string_value(json_object_get(pk, "severity"));
		pkgs[i].kev = json_is_true(json_object_get(pk, "kev"));
		json_array_foreach(json_object_get(pk, "images"), k, im) {
			if (k >= 4 || !json_is_string(im))
				break;
			imgs[i][k] = json_string_value(im);
			pkgs[i].nimages = k + 1;
		}
		pkgs[i].images = imgs[i];
		g.npkgs = i + 1;
	}
	g.pkgs = pkgs;
	bh_tracker_group_hash(g.advisory, hash);
	render_check(&g, hash, BH_TRACKER_MD_GITHUB);
	render_check(&g, hash, BH_TRACKER_MD_GITLAB);
	json_decref(j);
	return 0;
}
