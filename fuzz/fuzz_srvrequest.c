/* fuzz_srvrequest.c - libFuzzer target: the server's request parsing (router path matching, query
 * integers, pagination cursors, JSON bodies). Input: PATH \n QUERYVALUE \n BODY; each check also
 * asserts a round trip, so a wrong answer is found as well as a crash. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"

static const char *const patterns[] = {
	"/", "/healthz", "/api/v1/images", "/api/v1/images/{digest}", "/api/v1/images/{digest}/sbom",
	"/api/v1/hosts/{host}/containers/{id}", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL
};

/* Puts the parameters back into the pattern: must give the path that matched. */
static void check_match(const char *pat, const char *path, const bh_srv_param_ref *p, unsigned n)
{
	char out[BH_SRV_PATH_MAX + 64];
	size_t used = 0;
	unsigned k = 0;
	const char *s = pat;
	while (*s) {
		if (*s == '{') {
			const char *e = strchr(s, '}');
			size_t vl = strlen(p[k].value);
			if (k >= n || !e || !vl || strchr(p[k].value, '/') || (size_t)(e - s - 1) != p[k].name_len ||
			    memcmp(s + 1, p[k].name, p[k].name_len) || used + vl >= sizeof(out))
				abort();
			memcpy(out + used, p[k].value, vl);
			used += vl;
			k++;
			s = e + 1;
		} else {
			if (used + 1 >= sizeof(out))
				abort();
			out[used++] = *s++;
		}
	}
	out[used] = '\0';
	if (k != n || strcmp(out, path))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *path, *query, *body, *nl;
	bh_srv_param_ref params[BH_SRV_PARAMS_MAX];
	char vbuf[BH_SRV_PATH_MAX + 1];
	unsigned n, i;
	int64_t v, v2;
	unsigned char cur[BH_SRV_CURSOR_MAX];
	size_t clen, blen;
	json_t *j = NULL;
	bh_error err;

	if (size > 1 << 20 || !(buf = malloc(size + 1)))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	path = buf;
	query = "";
	body = "";
	if ((nl = memchr(buf, '\n', size))) {
		*nl = '\0';
		query = nl + 1;
		if ((nl = strchr(query, '\n'))) {
			*nl = '\0';
			body = nl + 1;
		}
	}
	blen = size - (size_t)(body - buf);
	if (!*body)
		blen = 0;

	if (strlen(path) <= BH_SRV_PATH_MAX)
		for (i = 0; patterns[i]; i++)
			if (bh_srv_path_match(patterns[i], path, params, BH_SRV_PARAMS_MAX, &n, vbuf, sizeof(vbuf)))
				check_match(patterns[i], path, params, n);

	if (bh_srv_parse_int(query, -1000, 1000000, &v) == 0) {
		char again[32];
		if (v < -1000 || v > 1000000)
			abort();
		snprintf(again, sizeof(again), "%" PRId64, v);
		if (bh_srv_parse_int(again, -1000, 1000000, &v2) || v2 != v)
			abort();
	}
	if (bh_srv_cursor_decode(query, cur, sizeof(cur), &clen) == 0) {
		bh_buf b = BH_BUF_INIT;
		/* one spelling per cursor: encoding the bytes gives the text back */
		if (bh_srv_cursor_encode(cur, clen, &b) || strcmp(b.data ? b.data : "", query))
			abort();
		bh_buf_free(&b);
	}

	if (bh_srv_body_parse(body, blen, 64, &j, &err) == 0 && j) {
		char *s = json_dumps(j, JSON_COMPACT);
		if (!s)
			abort();
		free(s);
		json_decref(j);
	}
	free(buf);
	return 0;
}
