/* rtapi.h - the runtime side of the API: alerts and drift that agents' sensors sent, and the sensors' counters in /metrics. */
#ifndef BH_SERVER_RTAPI_H
#define BH_SERVER_RTAPI_H

#include "core/buf.h"
#include "core/error.h"
#include "server/api.h"
#include "server/http.h"

/*
 * Adds (on the API a, in server/apictx.h's pool), both paged by seq like /api/v1/events:
 *   GET /api/v1/runtime/alerts            runtime.alert events, ?host= ?container=ID   viewer
 *   GET /api/v1/containers/{id}/drift     drift.detected events of that container, ?host=   viewer
 * The events are the ones agents POST to /api/v1/events (agent/rtfeed.h says their payloads).
 */
int bh_rtapi_register(bh_api *a, bh_srv *s, bh_error *err);

/*
 * Appends to a /metrics answer, from each host's newest runtime.stats event (read incrementally
 * from the store by seq, so servers sharing one PostgreSQL all show every host):
 *   bulkhead_sensor_events_total{host,class}, bulkhead_sensor_drops_total{host,class},
 *   bulkhead_sensor_drops_container_total{host,container,class} (container "host": the host's own
 *   cgroups), bulkhead_runtime_suppressed_total{host,kind} (alert, drift: refused by the agent's
 *   per-container bounds), and the gauges bulkhead_sensor_up{host}, bulkhead_sensor_hooks_attached{host},
 *   bulkhead_sensor_report_time_seconds{host}.
 * Label values are escaped per the Prometheus text format (and made valid UTF-8). The per-host state
 * is kept for the process (one bh_api at a time: another API starts it afresh).
 */
void bh_rtapi_gauges(bh_api *a, bh_buf *out);

/* Bounds on what one host's runtime.stats may put into /metrics. */
#define BH_RTAPI_HOSTS_MAX 10000
#define BH_RTAPI_CLASSES_MAX 16
#define BH_RTAPI_CONTAINERS_MAX 1000

/* Appends s as a Prometheus label value (without the quotes): \ " and newline escaped, invalid UTF-8 -> U+FFFD. */
int bh_rtapi_label(bh_buf *out, const char *s);

#endif
