/* rtsource.h - one runtime event source over the eBPF sensor and its fallback (process connector + fanotify): chosen at open, one poll/stats/hooks/close. */
#ifndef BH_RUNTIME_RTSOURCE_H
#define BH_RUNTIME_RTSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"
#include "runtime/fallback.h"
#include "runtime/sensor.h"

typedef enum bh_rtsource_mode {
	BH_RTSOURCE_AUTO = 0, /* eBPF, else the fallback when eBPF cannot run here */
	BH_RTSOURCE_BPF,      /* eBPF only: its error when it cannot run */
	BH_RTSOURCE_FALLBACK  /* the fallback only */
} bh_rtsource_mode;

typedef enum bh_rtsource_kind { BH_RTSOURCE_KIND_BPF = 1, BH_RTSOURCE_KIND_FALLBACK } bh_rtsource_kind;

typedef struct bh_rtsource bh_rtsource;

/*
 * What a source counted, in the eBPF sensor's shape for both: events per class; drops (eBPF: ring
 * buffer full; fallback: proc = execs whose process was gone before /proc was read and fanotify had
 * no path for, file = fanotify queue overflows); bad records; exec latency (eBPF only, else n = 0).
 * `fallback` holds the fallback's own counters (zeros for eBPF).
 */
typedef struct bh_rtsource_stats {
	bh_sensor_stats s;
	bh_fallback_stats fallback;
} bh_rtsource_stats;

/* "auto", "bpf" (or "ebpf"), "fallback" -> mode; BH_EUSAGE otherwise. */
int bh_rtsource_mode_parse(const char *s, bh_rtsource_mode *mode, bh_error *err);

/*
 * Opens the source mode asks for. In AUTO, the eBPF sensor's BH_EIO or BH_EUNSUPPORTED (not root,
 * no BTF, built without eBPF, nothing attached) opens the fallback instead and keeps the sensor's
 * message as the reason (bh_rtsource_reason); another error of the sensor (BH_EUSAGE: a bad ring
 * size) is returned. When both fail, err says both. *out is freed with bh_rtsource_close.
 */
int bh_rtsource_open(const bh_sensor_opts *o, bh_rtsource_mode mode, bh_rtsource **out, bh_error *err);

bh_rtsource_kind bh_rtsource_kind_get(const bh_rtsource *s);

/* The eBPF sensor when it is the source (for its enforcement maps), else NULL. */
bh_sensor *bh_rtsource_sensor(bh_rtsource *s);

/* Why eBPF is not used ("" when it is, or when the fallback was asked for). Valid until close. */
const char *bh_rtsource_reason(const bh_rtsource *s);

/*
 * The one line that says which source runs, e.g. "sensor: eBPF" or "sensor: fallback (netlink
 * proc connector + fanotify): eBPF unavailable: <reason>" (no newline). Valid until close.
 */
const char *bh_rtsource_describe(const bh_rtsource *s);

/* The source's start-up report (bh_sensor_hooks or bh_fallback_hooks). */
const bh_sensor_hook *bh_rtsource_hooks(const bh_rtsource *s, size_t *n);

/* As bh_sensor_poll, over whichever source runs. */
int bh_rtsource_poll(bh_rtsource *s, int timeout_ms, bh_sensor_event_fn fn, void *ud, bh_error *err);

void bh_rtsource_stats_get(bh_rtsource *s, bh_rtsource_stats *st);

/* Per-cgroup drops where the source has them (eBPF); nothing for the fallback. */
void bh_rtsource_drops_by_cgroup(bh_rtsource *s, bh_sensor_cgdrops_fn fn, void *ud);

/* Closes the source and frees s (NULL is fine). */
void bh_rtsource_close(bh_rtsource *s);

#endif
