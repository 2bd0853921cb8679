/* rtrecord.h - decodes the sensor's raw ring-buffer records (runtime/bpf/record.h) into bh_rt_event, bounded and defensively. */
#ifndef BH_RUNTIME_RTRECORD_H
#define BH_RUNTIME_RTRECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"

/*
 * data[0..len) is one record from the ring buffer of class cls (BH_RT_CLASS_*). The bytes are
 * attacker-influenced (paths, argv and names come from processes in containers), so nothing in
 * them is trusted: lengths are clamped to their fields, strings need not be NUL-terminated, every
 * type is checked against the class. Fills *ev (zeroed first) with ev->wall_ns = ts + wall_off_ns.
 * BH_EINVAL (err says why) for a short record, an unknown type or one of another class.
 * No allocation; ev is the caller's.
 */
int bh_rtrecord_decode(bh_rt_class cls, const void *data, size_t len, int64_t wall_off_ns, bh_rt_event *ev, bh_error *err);

#endif
