/* container_check_driver.c - runs bh_container_check on an inspect document file for tests/e2e/containers.sh. */
#include <stdio.h>
#include <stdlib.h>

#include "check/container.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/severity.h"

/*
 * Usage: container_check_driver FILE
 * Prints one line per finding, in the order found: "RULE CIS STATUS SEVERITY" (CIS "-" when none,
 * STATUS "fail" for a failing finding). Exit 0, 1 when the document cannot be read or checked.
 */
int main(int argc, char **argv)
{
	FILE *fp;
	bh_buf b = BH_BUF_INIT;
	char tmp[65536];
	size_t r, i;
	json_t *doc = NULL;
	bh_checks out = { 0 };
	bh_error err = { 0 };
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s INSPECT.json\n", argv[0]);
		return 1;
	}
	if (!(fp = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 1;
	}
	/* the same bound the engine source puts on metadata documents (max-meta-size) */
	while ((r = fread(tmp, 1, sizeof(tmp), fp)) > 0 && b.len < (16u << 20))
		if (bh_buf_append(&b, tmp, r)) {
			fclose(fp);
			bh_buf_free(&b);
			return 1;
		}
	fclose(fp);
	rc = bh_json_load(b.data ? b.data : "", b.len, 64, argv[1], &doc, &err);
	bh_buf_free(&b);
	if (!rc)
		rc = bh_container_check(doc, &out, &err);
	json_decref(doc);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], err.msg);
		bh_checks_free(&out);
		return 1;
	}
	for (i = 0; i < out.n; i++)
		printf("%s %s %s %s\n", out.items[i].rule, out.items[i].cis ? out.items[i].cis : "-",
		       out.items[i].status ? out.items[i].status : "fail", bh_severity_name(out.items[i].severity));
	bh_checks_free(&out);
	return 0;
}
