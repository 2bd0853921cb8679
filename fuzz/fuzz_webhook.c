/* fuzz_webhook.c - POST /api/v1/webhooks filters: parsed as the route parses them, then matched
 * against a fixed event and rendered as Slack text, which must stay one line of printable text. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je), *payload, *images;
	bh_notify_filter f;
	char why[256], *text;
	int rc;
	size_t i;
	if (!j)
		return 0;
	rc = bh_notify_filter_parse(json_object_get(j, "filter"), &f, why, sizeof(why));
	if (rc && !why[0])
		abort(); /* a refusal always says why */
	payload = json_object_get(j, "payload");
	images = json_object_get(j, "images");
	if (!rc)
		(void)bh_notify_filter_match(&f, "finding.new", "h1", payload, images);
	bh_notify_filter_free(&f);
	text = bh_notify_slack_text("finding.new", json_string_value(json_object_get(j, "host")), payload, images);
	for (i = 0; text && text[i]; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == '<' || text[i] == '>')
			abort();
	free(text);
	json_decref(j);
	return 0;
}
