/* fuzz_tracker.c - POST /api/v1/trackers bodies (checked as the route checks them) and issue bodies
 * rendered from hostile package names and versions: the Markdown must hold no unescaped inline
 * syntax, no '@' a mention could start from, no control character, and carry its one marker. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "server/tracker.h"

#define ZWSP "\xe2\x80\x8b"

/* Every inline-syntax character is escaped, every '@' and '#' broken, nothing below 0x20 but '\n'. */
static void check_md(const char *s, size_t n, bool lines)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\') {
			if (i + 1 >= n || !strchr("\\`*_{}[]()!|<>~&$", s[i + 1]))
				abort(); /* a lone backslash would escape what follows it */
			i++;
			continue;
		}
		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f || (c && strchr("`*_{}[]()!<>~&$|", c)))
			abort();
		if ((c == '@' || c == '#') && (n - i < 4 || memcmp(s + i + 1, ZWSP, 3)))
			abort();
		if (c >= 0x80) {
			size_t k = bh_utf8_seq((const unsigned char *)s + i, n - i);
			if (!k)
				abort();
			i += k - 1;
		}
	}
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
	char why[256] = "", hash[65], found[65], *title = NULL, *body = NULL, *line, *save = NULL;
	size_t i, k;
	int rc;
	if (!j)
		return 0;
	rc = bh_tracker_spec_parse(json_object_get(j, "spec"), &sp, why, sizeof(why));
	if (rc && !why[0])
		abort(); /* a refusal always says why */
	/* one text escaped on its own: one line, nothing unescaped */
	if (json_is_string(json_object_get(j, "text"))) {
		if (bh_tracker_md_escape(&b, json_string_value(json_object_get(j, "text")), 4096))
			abort();
		check_md(b.data ? b.data : "", b.len, false);
		bh_buf_free(&b);
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
	if (bh_tracker_render(&g, hash, &title, &body))
		abort();
	/* the marker found is the group's own, whatever the packages are called */
	if (!bh_tracker_marker_find(body, found) || strcmp(found, hash))
		abort();
	if (strchr(title, '\n') || strchr(title, '`'))
		abort();
	/* the lines that carry input: the heading, the subject and the table's cells, each checked as
	 * escaped text (cells split at unescaped pipes) */
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		static const char *const heads[] = { "### ", "**Repository:** ", "**Image:** " };
		size_t start, n;
		for (k = 0; k < 3; k++)
			if (!strncmp(line, heads[k], strlen(heads[k])))
				check_md(line + strlen(heads[k]), strlen(line + strlen(heads[k])), false);
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
			check_md(line + start, n, false);
			start = i + 1;
		}
	}
	free(title);
	free(body);
	json_decref(j);
	return 0;
}
