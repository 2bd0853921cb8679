/* rtsource.c - picks the eBPF sensor or the fallback and forwards every call to the one that runs. */
#include "runtime/rtsource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bh_rtsource {
	bh_rtsource_kind kind;
	bh_sensor *bpf;
	bh_fallback *fb;
	char reason[BH_ERROR_MSG_MAX];
	char line[BH_ERROR_MSG_MAX + 96];
};

int bh_rtsource_mode_parse(const char *s, bh_rtsource_mode *mode, bh_error *err)
{
	if (s && !strcmp(s, "auto"))
		*mode = BH_RTSOURCE_AUTO;
	else if (s && (!strcmp(s, "bpf") || !strcmp(s, "ebpf")))
		*mode = BH_RTSOURCE_BPF;
	else if (s && !strcmp(s, "fallback"))
		*mode = BH_RTSOURCE_FALLBACK;
	else
		return bh_error_set(err, BH_EUSAGE, "--sensor wants auto, bpf or fallback, not \"%s\"", s ? s : "");
	return 0;
}

int bh_rtsource_open(const bh_sensor_opts *o, bh_rtsource_mode mode, bh_rtsource **out, bh_error *err)
{
	bh_rtsource *s = calloc(1, sizeof(*s));
	bh_error e1;
	int rc;

	*out = NULL;
	if (!s)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (mode != BH_RTSOURCE_FALLBACK) {
		rc = bh_sensor_open(o, &s->bpf, &e1);
		if (rc == 0) {
			s->kind = BH_RTSOURCE_KIND_BPF;
			snprintf(s->line, sizeof(s->line), "sensor: eBPF");
			*out = s;
			return 0;
		}
		/* only "eBPF cannot run here" moves on to the fallback; a bad option is the caller's */
		if (mode == BH_RTSOURCE_BPF || (rc != BH_EIO && rc != BH_EUNSUPPORTED)) {
			free(s);
			if (err)
				*err = e1;
			return rc;
		}
		snprintf(s->reason, sizeof(s->reason), "%s", e1.msg);
	}
	rc = bh_fallback_open(o, &s->fb, err);
	if (rc) {
		if (s->reason[0] && err) {
			char fbmsg[BH_ERROR_MSG_MAX];
			snprintf(fbmsg, sizeof(fbmsg), "%s", err->msg);
			bh_error_set(err, rc, "eBPF unavailable (%.200s) and the fallback failed: %.250s", s->reason, fbmsg);
		}
		free(s);
		return rc;
	}
	s->kind = BH_RTSOURCE_KIND_FALLBACK;
	snprintf(s->line, sizeof(s->line), "sensor: fallback (netlink proc connector + fanotify)%s%s",
		 s->reason[0] ? ": eBPF unavailable: " : ": asked for", s->reason);
	*out = s;
	return 0;
}

bh_sensor *bh_rtsource_sensor(bh_rtsource *s)
{
	return s ? s->bpf : NULL;
}

bh_rtsource_kind bh_rtsource_kind_get(const bh_rtsource *s) { return s->kind; }

const char *bh_rtsource_reason(const bh_rtsource *s) { return s->reason; }

const char *bh_rtsource_describe(const bh_rtsource *s) { return s->line; }

const bh_sensor_hook *bh_rtsource_hooks(const bh_rtsource *s, size_t *n)
{
	return s->kind == BH_RTSOURCE_KIND_BPF ? bh_sensor_hooks(s->bpf, n) : bh_fallback_hooks(s->fb, n);
}

int bh_rtsource_poll(bh_rtsource *s, int timeout_ms, bh_sensor_event_fn fn, void *ud, bh_error *err)
{
	return s->kind == BH_RTSOURCE_KIND_BPF ? bh_sensor_poll(s->bpf, timeout_ms, fn, ud, err)
					       : bh_fallback_poll(s->fb, timeout_ms, fn, ud, err);
}

void bh_rtsource_stats_get(bh_rtsource *s, bh_rtsource_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s->kind == BH_RTSOURCE_KIND_BPF) {
		bh_sensor_stats_get(s->bpf, &st->s);
		return;
	}
	bh_fallback_stats_get(s->fb, &st->fallback);
	memcpy(st->s.events, st->fallback.events, sizeof(st->s.events));
	st->s.drops[BH_RT_CLASS_PROC] = st->fallback.lost_exec;
	st->s.drops[BH_RT_CLASS_FILE] = st->fallback.fan_overflows;
	st->s.bad_records = st->fallback.bad_messages;
}

void bh_rtsource_drops_by_cgroup(bh_rtsource *s, bh_sensor_cgdrops_fn fn, void *ud)
{
	if (s->kind == BH_RTSOURCE_KIND_BPF)
		bh_sensor_drops_by_cgroup(s->bpf, fn, ud);
}

void bh_rtsource_close(bh_rtsource *s)
{
	if (!s)
		return;
	bh_sensor_close(s->bpf);
	bh_fallback_close(s->fb);
	free(s);
}
