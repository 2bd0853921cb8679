/* baseline.h - one image's learned behaviour (processes, files written, listening ports, peers, capabilities): the document, its YAML/JSON forms, matching and diffs. */
#ifndef BH_RUNTIME_BASELINE_H
#define BH_RUNTIME_BASELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * A baseline belongs to an image repository ("localhost/app"); it records the digest it was
 * learned on, and newer digests of the same repository inherit it until it is learned again (README
 * "Baselines"). Its entries are what the image's containers were seen doing while it learned, or
 * what a person accepted or wrote; anything a container does that no entry matches is a
 * deviation (runtime/blmon.h decides what to do with it by the baseline's mode).
 *
 * Entries (kind: fields; a field that is "" or 0 matches anything):
 *   process:    exe (glob), parent (glob over the parent's executable; "(engine)" = started by
 *               the container engine: the entrypoint or an exec), sha256 of the executable
 *   probe:      exe and args exactly: a command the engine runs in the container (health check, exec probe)
 *   file:       path (glob; "DIR/ *" one level, "DIR/ **" all below, written without the space), access "w" or "r"
 *   listen:     proto ("tcp", "udp"), port
 *   outbound:   peer, proto, port (the remote port)
 *   inbound:    peer, proto, port (the local port)
 *   capability: name ("CAP_NET_ADMIN")
 * A peer is "image:REPOSITORY" (a container of that image), an address, a CIDR ("10.88.0.0/16"),
 * "host" (this machine), "world" (an address that is neither a container's nor private) or "*".
 *
 * Sizes are bounded (BH_BL_ENTRIES_MAX entries, BH_BL_STR_MAX bytes per string) because baselines
 * are imported from files and from the server's API; a document over a bound is refused with the
 * field that broke it.
 */
#define BH_BL_ENTRIES_MAX 4096
#define BH_BL_STR_MAX 512
/* a baseline file or request body: its entries and strings at their bounds fit well within it */
#define BH_BL_FILE_MAX (16u << 20)
#define BH_BL_API_VERSION "bulkhead/v1"

typedef enum bh_bl_mode { BH_BL_LEARN = 0, BH_BL_MONITOR, BH_BL_PROTECT } bh_bl_mode;

typedef enum bh_bl_kind {
	BH_BL_PROCESS = 0,
	BH_BL_PROBE,
	BH_BL_FILE,
	BH_BL_LISTEN,
	BH_BL_OUTBOUND,
	BH_BL_INBOUND,
	BH_BL_CAPABILITY,
	BH_BL__KIND_COUNT
} bh_bl_kind;

#define BH_BL_PARENT_ENGINE "(engine)"

/* One entry, as passed in and read back (strings are the baseline's own copies when read back). */
typedef struct bh_bl_entry {
	bh_bl_kind kind;
	const char *a;      /* process/probe: exe; file: path; outbound/inbound: peer; capability: name */
	const char *b;      /* process: parent; probe: args; file: access ("w"/"r"); listen/outbound/inbound: proto */
	const char *sha256; /* process: hex digest of the executable, or NULL/"" */
	uint32_t port;      /* listen/outbound/inbound */
	const char *source; /* "learned", "accepted", "manual" (NULL: "learned") */
	uint64_t first_seen, last_seen, count; /* Unix seconds, times seen */
} bh_bl_entry;

typedef struct bh_baseline bh_baseline;

/* A new, empty baseline in learn mode (caller frees with bh_baseline_free). digest may be NULL. */
int bh_baseline_new(const char *repository, const char *digest, bh_baseline **out, bh_error *err);
void bh_baseline_free(bh_baseline *b);

const char *bh_baseline_repository(const bh_baseline *b);
const char *bh_baseline_digest(const bh_baseline *b);
int bh_baseline_set_digest(bh_baseline *b, const char *digest, bh_error *err);
bh_bl_mode bh_baseline_mode(const bh_baseline *b);
void bh_baseline_set_mode(bh_baseline *b, bh_bl_mode m);
/* The document's version: 1 when new, +1 on every change of entries or mode (bh_baseline_bump). */
uint64_t bh_baseline_version(const bh_baseline *b);
void bh_baseline_bump(bh_baseline *b);

/* Learning state: when learning started, how long it lasts (0: until told), how many events
 * it has seen, when the last new entry came, how long without a new one promotes it (0: never),
 * and how many events end it as its time would (0: time only; whichever comes first). */
typedef struct bh_bl_learn {
	uint64_t started, duration_s, events, last_new, quiet_s, events_max;
} bh_bl_learn;
bh_bl_learn *bh_baseline_learn(bh_baseline *b);

/*
 * Adds e unless an entry with the same kind and fields exists (then its last_seen, count and a
 * missing sha256 are updated). *added says which (may be NULL). BH_ELIMIT past BH_BL_ENTRIES_MAX,
 * BH_EINVAL for a string over BH_BL_STR_MAX or a malformed field (a peer that is not one of the
 * forms above, a port over 65535, an unknown access or proto).
 */
int bh_baseline_add(bh_baseline *b, const bh_bl_entry *e, bool *added, bh_error *err);
/* Removes the entry with e's kind and fields; 1 removed, 0 none. */
int bh_baseline_remove(bh_baseline *b, const bh_bl_entry *e);
size_t bh_baseline_count(const bh_baseline *b, bh_bl_kind k);
/* The i-th entry of kind k into *e (pointers valid until the baseline changes). */
void bh_baseline_entry(const bh_baseline *b, bh_bl_kind k, size_t i, bh_bl_entry *e);

/*
 * What a container did, to be matched. peer_addr is the remote address as text (outbound and
 * inbound), peer_name its "image:REPO" or "host" when known; parent NULL when not known (then any
 * parent matches), BH_BL_PARENT_ENGINE when the engine started it.
 */
typedef struct bh_bl_obs {
	bh_bl_kind kind;
	const char *exe, *parent, *sha256, *args; /* process, probe */
	const char *path, *access;                /* file */
	const char *proto;                        /* listen, outbound, inbound */
	uint32_t port;
	const char *peer_addr, *peer_name;        /* outbound, inbound */
	bool peer_private;                        /* peer_addr is loopback, private or link-local (not "world") */
	const char *cap;                          /* capability */
} bh_bl_obs;

/*
 * Whether an entry matches o. When none does, why[n] says what differed and which entry it
 * violated: the nearest entry (same executable with another parent or digest, same peer on
 * another port, ...) or the section it is missing from with a few of its entries.
 */
bool bh_baseline_match(const bh_baseline *b, const bh_bl_obs *o, char *why, size_t n);
/* The entry o would add when learned (strings point into o). */
void bh_baseline_entry_of(const bh_bl_obs *o, bh_bl_entry *e);
/* "process /bin/sh (parent /usr/bin/app)" etc. into buf, for messages. */
void bh_baseline_obs_describe(const bh_bl_obs *o, char *buf, size_t n);
void bh_baseline_entry_describe(const bh_bl_entry *e, char *buf, size_t n);

/* At the end of learning: a directory holding BH_BL_COLLAPSE_MIN or more learned files becomes "DIR/" + "*". */
#define BH_BL_COLLAPSE_MIN 4
int bh_baseline_generalize(bh_baseline *b, bh_error *err);

/* The document (README "Baselines") as JSON (caller decrefs; NULL out of memory) and as YAML. */
json_t *bh_baseline_to_json(const bh_baseline *b);
int bh_baseline_to_yaml(const bh_baseline *b, bh_buf *out);
/* From JSON or YAML text; label names the input in errors ("app.yaml: processes[3].exe: ..."). */
int bh_baseline_load(const char *data, size_t len, const char *label, bh_baseline **out, bh_error *err);
int bh_baseline_from_json(const json_t *doc, const char *label, bh_baseline **out, bh_error *err);

/* Entries in b and not in a ("added") and in a and not in b ("removed"), and the mode if it changed:
 * {"added": [entry...], "removed": [...], "mode": {"from": ..., "to": ...}} (caller decrefs). */
json_t *bh_baseline_diff(const bh_baseline *a, const bh_baseline *b);

const char *bh_bl_mode_name(bh_bl_mode m);
int bh_bl_mode_parse(const char *s, bh_bl_mode *m);
const char *bh_bl_kind_name(bh_bl_kind k);     /* "process", ... */
const char *bh_bl_section_name(bh_bl_kind k);  /* "processes", ... (the document's keys) */

#endif
