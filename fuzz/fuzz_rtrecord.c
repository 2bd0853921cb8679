/* fuzz_rtrecord.c - the sensor's raw ring-buffer records (attacker-influenced: paths, argv, names):
 * byte 0 picks the ring (class), the rest is the record. Every accepted record must decode to an
 * event of that class with every string NUL-terminated inside its array, and turn into JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/eventjson.h"
#include "runtime/rtrecord.h"

#define TERMINATED(a) (memchr((a), 0, sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_rt_event ev;
	bh_error err;
	bh_rt_class cls;
	json_t *o;

	if (size < 1)
		return 0;
	cls = (bh_rt_class)(data[0] % BH_RT_CLASS__COUNT);
	if (bh_rtrecord_decode(cls, data + 1, size - 1, 0, &ev, &err) != 0) {
		if (err.code != BH_EINVAL || !err.msg[0])
			abort();
		return 0;
	}
	if (ev.type <= BH_RT_NONE || ev.type >= BH_RT__TYPE_COUNT || bh_rt_class_of(ev.type) != cls)
		abort();
	if (!TERMINATED(ev.comm) || !TERMINATED(ev.pcomm) || !TERMINATED(ev.path) || !TERMINATED(ev.path2) ||
	    !TERMINATED(ev.cwd) || !TERMINATED(ev.args))
		abort();
	if (ev.type == BH_RT_EXEC && ev.cwd[0] != '/')
		abort();
	o = bh_rt_event_json(&ev, NULL);
	if (!o)
		abort();
	json_decref(o);
	return 0;
}
