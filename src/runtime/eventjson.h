/* eventjson.h - runtime events as JSON: what `bulkhead watch -f json` prints, what rule tests and the agent's channel carry, read back with bounds. */
#ifndef BH_RUNTIME_EVENTJSON_H
#define BH_RUNTIME_EVENTJSON_H

#include <jansson.h>

#include "core/error.h"
#include "runtime/event.h"

/*
 * One event is one JSON object:
 *   {"time": "2026-12-06T23:40:01.123456789Z", "type": "execve", "class": "proc",
 *    "pid": 1, "tid": 1, "ppid": 0, "uid": 0, "euid": 0, "gid": 0, "comm": "sh", "pcomm": "bash",
 *    "path": "/bin/sh", "path2": "", "cwd": "/", "args": "sh -c id", "argc": 3,
 *    (file events: a relative path is joined to the directory the kernel read for it, then in "cwd")
 *    "flags": 0, "mode": 0, "arg": 0, "target_pid": 0, "ret": 0, "exe_upper": false,
 *    "truncated": ["args"],
 *    "killed_in_kernel": true, "action": "killed (bpf_send_signal at sched_process_exec)",
 *    "kill_reason": "executable not from the image" | "denied executable path",   (killed execs only)
 *    "script_watch": true,   (maybe a script: the kernel kills it at its interpreter's open when on the upper layer)
 *    "stdio_net": true,      (an exec whose standard input or output is an IPv4/IPv6 socket)
 *    "net": {"family": "inet", "proto": "tcp", "saddr": "10.0.0.2", "sport": 40000,
 *            "daddr": "1.2.3.4", "dport": 3333},            (NET events only)
 *    "cgroup_id": 1234,
 *    "container": {"id": "…", "name": "web", "image": "…", "image_digest": "sha256:…",
 *                  "privileged": false}}                       (absent or id "" on the host)
 * Keys a reader does not know are errors (a typo in a recorded test event must not pass silently).
 */

/* A new object for ev in ct (ct may be NULL: the host). NULL when out of memory. Caller decrefs. */
json_t *bh_rt_event_json(const bh_rt_event *ev, const bh_rt_container *ct);

/*
 * Reads one object back into *ev and, when it has "container", into *ct with strings pointing into
 * o (valid while o lives; ct's fields are "" / NULL otherwise). Strings longer than their array
 * are BH_EINVAL (not cut): recorded events are inputs. `where` names the input in errors
 * ("rules-test.jsonl:12").
 */
int bh_rt_event_from_json(const json_t *o, const char *where, bh_rt_event *ev, bh_rt_container *ct, bh_error *err);

#endif
