/* store.h - the server's inventory store (hosts, images, components, containers, findings, events, tokens, jobs) over bh_sql. */
#ifndef BH_STORE_STORE_H
#define BH_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "sbom/sbom.h"
#include "store/sql.h"

/*
 * One store per connection (not shared between threads: open one per worker). Times are Unix
 * seconds given by the caller (`now`), so tests and replays decide the clock. JSON arguments
 * (*_json) are stored as given; the caller has validated them. Strings in the row structs handed
 * to callbacks belong to the store and are valid only during the callback.
 *
 * Lists page by keyset: rows come in id (or sequence) order after `after` (0 = from the start),
 * at most `limit` of them (0 = BH_STORE_LIMIT_MAX); *next (optional) gets the id to pass as
 * `after` for the next page, or 0 when this page was the last. A callback returning non-zero
 * stops the list and is returned.
 */
typedef struct bh_store bh_store;

#define BH_STORE_LIMIT_MAX 1000
#define BH_STORE_DB_FILE "bulkhead.db"

/* url as bh_sql_open takes it; migrates the schema (refuses a newer one: BH_EUNSUPPORTED). Caller closes. */
int bh_store_open(const char *url, bh_store **out, bh_error *err);
/* The embedded default: SQLite in DIR/bulkhead.db (DIR made with mode 0700 when missing). */
int bh_store_open_dir(const char *dir, bh_store **out, bh_error *err);
void bh_store_close(bh_store *st);
/* The connection, for transactions around several calls (bh_sql_begin/commit) and for tests. */
bh_sql *bh_store_sql(bh_store *st);
/* For the store's modules: turns the current row of a list query into a call of the module's callback cb. */
typedef int (*bh_store_row_fn)(bh_sql_rows *r, void *cb, void *ud);
/* For the store's modules: one page of a keyset list. Column 0 of sql is the row's id (the cursor) and
 * its last parameter, p[n - 1], the LIMIT: set here to one row more than the page (limit, 0 or too
 * many: BH_STORE_LIMIT_MAX), so *next (optional) is 0 on the last page. row's non-zero stops the list
 * and is returned. */
int bh_store_page(bh_sql *db, const char *sql, bh_sql_value *p, size_t n, size_t limit, bh_store_row_fn row, void *cb,
		  void *ud, int64_t *next, bh_error *err);

/* ---- hosts: upserted by name ---- */
typedef struct bh_store_host {
	int64_t id;
	const char *name, *os, *kernel, *engine, *engine_version, *facts_json;
	int64_t first_seen, last_seen;
} bh_store_host;
typedef int (*bh_store_host_cb)(void *ud, const bh_store_host *h);
/* Inserts or updates h->name (id, first_seen of h ignored; NULL fields keep the stored value). */
int bh_store_host_put(bh_store *st, const bh_store_host *h, int64_t now, int64_t *id, bh_error *err);
int bh_store_host_list(bh_store *st, int64_t after, size_t limit, bh_store_host_cb cb, void *ud, int64_t *next, bh_error *err);

/* ---- images (by digest) and their components (once per purl) ---- */
typedef struct bh_store_image {
	int64_t id;
	const char *digest, *repo_tags_json, *registry, *labels_json, *config_json, *os, *arch, *distro, *distro_version;
	int64_t ncomponents, first_seen, last_seen;
	bool has_sbom;
} bh_store_image;
typedef int (*bh_store_image_cb)(void *ud, const bh_store_image *i);

typedef struct bh_store_component {
	int64_t id;
	const char *purl, *eco, *name, *namespace_, *version, *arch, *src_name, *src_version, *license;
	const char *path; /* where it was found in the image (image lists only) */
	int layer;
} bh_store_component;
typedef int (*bh_store_component_cb)(void *ud, const bh_store_component *c);

enum {
	/* re-link the components of a digest already stored (a new analyzer version read it again) */
	BH_STORE_SBOM_REPLACE = 1u << 0
};

/*
 * Stores the image `digest` and, once per digest, the components of s (one row per purl across
 * all images, a link per (image, component, path)), in one transaction. meta (optional) gives
 * repo tags, registry, labels and the config summary; what it leaves NULL comes from s (repo_tags,
 * os, arch, osinfo). *is_new (optional): true when the digest was not stored before; a digest seen
 * again only moves last_seen (and merges meta). Components without a purl are not stored
 * (*skipped, optional, counts them).
 */
int bh_store_image_put_sbom(bh_store *st, const char *digest, const bh_sbom *s, const bh_store_image *meta,
			    unsigned flags, int64_t now, bool *is_new, size_t *skipped, bh_error *err);
/* True (1) when the digest is stored with an SBOM, 0 when not: what the agent asks before an upload. */
int bh_store_image_has(bh_store *st, const char *digest, bh_error *err);
/* 1 and cb called once when found, 0 when not. */
int bh_store_image_get(bh_store *st, const char *digest, bh_store_image_cb cb, void *ud, bh_error *err);
int bh_store_image_list(bh_store *st, int64_t after, size_t limit, bh_store_image_cb cb, void *ud, int64_t *next, bh_error *err);
/* The components of one image, paged by component id (one row per link: a purl at two paths is two rows). */
int bh_store_image_components(bh_store *st, const char *digest, int64_t after, size_t limit, bh_store_component_cb cb,
			      void *ud, int64_t *next, bh_error *err);
/* Components whose purl starts with prefix (byte-wise; "pkg:deb/debian/" or "pkg:npm/%40babel/"). */
int bh_store_component_by_prefix(bh_store *st, const char *prefix, int64_t after, size_t limit, bh_store_component_cb cb,
				 void *ud, int64_t *next, bh_error *err);
/* The reverse index: images that contain the component with this purl (by image id). */
int bh_store_component_images(bh_store *st, const char *purl, int64_t after, size_t limit, bh_store_image_cb cb, void *ud,
			      int64_t *next, bh_error *err);
/* Components of an ecosystem and package name (re-evaluation: what an advisory names). */
int bh_store_component_find(bh_store *st, const char *eco, const char *name, int64_t after, size_t limit,
			    bh_store_component_cb cb, void *ud, int64_t *next, bh_error *err);

/* ---- containers (host by name, created when unknown) ---- */
typedef struct bh_store_container {
	int64_t id;
	const char *host, *container_id, *image_digest, *name, *state, *config_json;
	int64_t created_at, started_at, stopped_at, updated_at; /* 0 = unknown */
} bh_store_container;
typedef int (*bh_store_container_cb)(void *ud, const bh_store_container *c);
/* Inserts or updates (host, container_id); zero times and NULL strings keep the stored values. */
int bh_store_container_put(bh_store *st, const bh_store_container *c, int64_t now, bh_error *err);
/* host, image_digest: NULL for any; running_only: state = 'running'. */
int bh_store_container_list(bh_store *st, const char *host, const char *image_digest, bool running_only, int64_t after,
			    size_t limit, bh_store_container_cb cb, void *ud, int64_t *next, bh_error *err);

/* ---- findings per (component, advisory) ---- */
typedef enum bh_store_change {
	BH_STORE_UNCHANGED = 0,
	BH_STORE_NEW,      /* finding.new */
	BH_STORE_CHANGED,  /* finding.changed: severity, KEV or fixed version differ */
	BH_STORE_REOPENED, /* was resolved, open again (finding.new for a reader of events) */
	BH_STORE_RESOLVED  /* finding.resolved */
} bh_store_change;

typedef struct bh_store_finding {
	int64_t id, component_id;
	const char *purl, *eco, *package, *version;
	const char *advisory, *severity, *fixed_version, *state, *db_version;
	bool kev;
	int64_t first_seen, updated_at, resolved_at;
	int risk;                     /* 0..1000 (src/vuln/risk.h), 0 until scored */
	const char *risk_terms_json;  /* the terms' JSON array, NULL until scored */
	int64_t running;              /* running containers using the component when it was scored */
} bh_store_finding;
typedef int (*bh_store_finding_cb)(void *ud, const bh_store_finding *f);

/* Opens or updates the finding; *chg says what an event should report (db_version is recorded on a change). */
int bh_store_finding_put(bh_store *st, int64_t component_id, const char *advisory, const char *severity, bool kev,
			 const char *fixed_version, const char *db_version, int64_t now, bh_store_change *chg, bh_error *err);
/* Resolves an open finding (*chg = BH_STORE_RESOLVED), or BH_STORE_UNCHANGED when none was open. */
int bh_store_finding_resolve(bh_store *st, int64_t component_id, const char *advisory, const char *db_version, int64_t now,
			     bh_store_change *chg, bh_error *err);

/* Filters of the finding list; zero/NULL fields do not filter. Values are bound, never pasted. */
typedef struct bh_store_filter {
	const char *min_severity;  /* "high": HIGH and CRITICAL */
	int kev;                   /* 1 only KEV, -1 only not KEV, 0 any */
	int fix;                   /* 1 a fixed version exists, -1 none, 0 any */
	bool running_only;         /* in an image that a running container uses */
	bool include_resolved;     /* default: open findings only */
	const char *ecosystem, *package, *advisory, *image_digest;
	int accepted;              /* accepted risks (store/exception.h): 0 hidden, 1 only them, -1 both */
	int64_t now;               /* when exceptions are judged; 0: the clock */
	/* by risk (score descending, then id) instead of by id; running_only then reads the
	 * findings.running column the last scoring wrote (an index condition), and the cursor is
	 * (1000 - risk) << 40 | id, which bh_store_finding_list hands back in *next */
	bool by_risk;
	bool unscored_only;        /* findings never scored (risk_terms NULL): what bh_rescore does after an upload */
} bh_store_filter;
int bh_store_finding_list(bh_store *st, const bh_store_filter *f, int64_t after, size_t limit, bh_store_finding_cb cb,
			  void *ud, int64_t *next, bh_error *err);

/* Stores the risk score, its terms (a JSON array) and the running count it was computed with. */
int bh_store_finding_set_risk(bh_store *st, int64_t id, int risk, const char *terms_json, int64_t running, bh_error *err);

/* Where a component runs: the running containers of every image that holds it. */
typedef struct bh_store_reach {
	int64_t containers, hosts;
	bool exposure_known;  /* every running container's config was stored (docker inspect) */
	int64_t ports;        /* published ports, summed over the containers */
	bool host_network, privileged;
	int64_t cap_add;      /* the most capabilities one container adds */
	int64_t outside_peers; /* the network map's distinct external peers that connected into one of them */
} bh_store_reach;
int bh_store_component_reach(bh_store *st, int64_t component_id, bh_store_reach *out, bh_error *err);

/* "Which images, and which running containers, are affected by advisory X": one query, one row per
 * (image, component, container); container fields NULL for an image without a running container. */
typedef struct bh_store_affected {
	const char *image_digest, *repo_tags_json, *purl, *version, *fixed_version, *severity;
	const char *host, *container_id, *container_name;
	bool kev;
} bh_store_affected;
typedef int (*bh_store_affected_cb)(void *ud, const bh_store_affected *a);
int bh_store_affected_by(bh_store *st, const char *advisory, bool running_only, bh_store_affected_cb cb, void *ud,
			 bh_error *err);

/* ---- image check results (misconfiguration rules) ---- */
typedef struct bh_store_check {
	int64_t id;
	const char *rule_id, *target, *severity, *title, *detail;
	int64_t updated_at;
} bh_store_check;
typedef int (*bh_store_check_cb)(void *ud, const bh_store_check *c);
/* Replaces the image's check results with these n (one transaction). */
int bh_store_check_set(bh_store *st, const char *digest, const bh_store_check *checks, size_t n, int64_t now, bh_error *err);
int bh_store_check_list(bh_store *st, const char *digest, bh_store_check_cb cb, void *ud, bh_error *err);

/* ---- events: the sequence number comes from the store; idem_key de-duplicates resends ---- */
typedef struct bh_store_event {
	int64_t seq;
	const char *type, *host, *container, *payload_json, *idem_key;
	int64_t time, received;
} bh_store_event;
typedef int (*bh_store_event_cb)(void *ud, const bh_store_event *e);
/* *seq gets the new sequence number, or the stored one with *dup = true when idem_key was seen. */
int bh_store_event_add(bh_store *st, const bh_store_event *e, int64_t now, int64_t *seq, bool *dup, bh_error *err);
/* type NULL: all types. */
int bh_store_event_list(bh_store *st, const char *type, int64_t after, size_t limit, bh_store_event_cb cb, void *ud,
			int64_t *next, bh_error *err);

/* ---- tokens (only their SHA-256 is stored) and the audit log ---- */
typedef struct bh_store_auth {
	int64_t id;
	char role[16];
	char name[128];
	char host[256]; /* agents: the host they may write; "" otherwise */
} bh_store_auth;
/* role: viewer|operator|admin|agent; expires 0 = never. *token gets "bht_" + 64 hex (caller frees;
 * shown once, not recoverable). */
int bh_store_token_create(bh_store *st, const char *role, const char *name, const char *host, int64_t expires, int64_t now,
			  char **token, int64_t *id, bh_error *err);
/* BH_EAUTH for an unknown, revoked or expired token; fills *who. last_used is written only when
 * it is BH_STORE_TOKEN_TOUCH_S or more behind now. */
#define BH_STORE_TOKEN_TOUCH_S 60
/* The PostgreSQL advisory lock key that orders event commits (bh_store_event_add). */
#define BH_STORE_EVENTS_LOCK 0x62686576 /* "bhev" */
int bh_store_token_check(bh_store *st, const char *token, int64_t now, bh_store_auth *who, bh_error *err);
int bh_store_token_revoke(bh_store *st, int64_t id, bh_error *err);
/* Tokens without their secrets (what `bulkhead token list` shows), by id. */
typedef struct bh_store_token {
	int64_t id;
	const char *role, *name, *host;
	int64_t expires, created, last_used; /* 0 = never / not yet */
	bool revoked;
} bh_store_token;
typedef int (*bh_store_token_cb)(void *ud, const bh_store_token *t);
int bh_store_token_list(bh_store *st, int64_t after, size_t limit, bh_store_token_cb cb, void *ud, int64_t *next, bh_error *err);

typedef struct bh_store_audit {
	int64_t id;
	const char *who, *action, *target, *from_addr, *detail;
	int64_t time;
} bh_store_audit;
typedef int (*bh_store_audit_cb)(void *ud, const bh_store_audit *a);
int bh_store_audit_add(bh_store *st, const bh_store_audit *a, int64_t now, bh_error *err);
int bh_store_audit_list(bh_store *st, int64_t after, size_t limit, bh_store_audit_cb cb, void *ud, int64_t *next, bh_error *err);

/* ---- registries watched by the server ---- */
typedef struct bh_store_registry {
	int64_t id;
	const char *url, *username, *secret, *repositories_json;
	int64_t interval_s, last_polled;
} bh_store_registry;
typedef int (*bh_store_registry_cb)(void *ud, const bh_store_registry *r);
int bh_store_registry_put(bh_store *st, const bh_store_registry *r, int64_t *id, bh_error *err);
int bh_store_registry_list(bh_store *st, bh_store_registry_cb cb, void *ud, bh_error *err);
int bh_store_registry_delete(bh_store *st, const char *url, bh_error *err);

/* ---- jobs shared by several servers (PostgreSQL: FOR UPDATE SKIP LOCKED) ---- */
typedef struct bh_store_job {
	int64_t id;
	char *kind, *payload; /* owned; bh_store_job_clear frees */
	int attempts;
} bh_store_job;
int bh_store_job_add(bh_store *st, const char *kind, const char *payload, int64_t now, int64_t *id, bh_error *err);
/*
 * Takes the oldest queued job, or a running one whose lease ran out (its worker died), for
 * worker until now + lease_s. 1 taken (*job filled), 0 none. Two servers never take the same job:
 * PostgreSQL skips rows another transaction holds; SQLite has one writer at a time.
 */
int bh_store_job_take(bh_store *st, const char *worker, int64_t lease_s, int64_t now, bh_store_job *job, bh_error *err);
/* The same, only among jobs whose kind starts with kind_prefix ("registry.": one module's queue). */
int bh_store_job_take_kind(bh_store *st, const char *kind_prefix, const char *worker, int64_t lease_s, int64_t now,
			   bh_store_job *job, bh_error *err);
/* error NULL: done, else failed with that message. BH_ENOTFOUND when worker no longer holds the job. */
int bh_store_job_finish(bh_store *st, int64_t id, const char *worker, const char *error, int64_t now, bh_error *err);
void bh_store_job_clear(bh_store_job *job);

#endif
