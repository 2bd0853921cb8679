/* blmon.c - baselines at work: events to observations, learning and promotion, deviations, and the baselines' files. */
#include "runtime/blmon.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/map.h"
#include "core/text.h"
#include "registry/registry.h"

#define PIDS_MAX 65536
#define HASHES_MAX 8192
#define HOST_ADDRS_MAX 64
#define HASH_FILE_MAX (512u << 20) /* an executable bigger than this is not hashed */

struct hashent {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime;
	char hex[65];
};

struct blent {
	bh_baseline *bl;
	uint64_t saved_version; /* the version of its file in store_dir (0: none) */
	int64_t mtime_ns;       /* of that file when it was read or written */
	bool label_learned;     /* a container in learn by label added to it (not a version to keep in history/) */
};

/* A container's first matching label rule, computed once per version of the rules. */
struct ctmode {
	uint64_t gen;
	int rule; /* index in modes, -1: none */
	bool warned; /* said that its label's mode has no baseline */
};

struct bh_blmon {
	bh_blmon_opts o;
	char *store_dir;
	char **repos;
	struct blent *v;
	size_t n, cap;
	bh_map byrepo;  /* repository -> index + 1 */
	bh_map pids;    /* "pid" -> executable path (owned) */
	bh_map probes;  /* "pid" -> (void *)1: a probe or a process a probe started */
	bh_map hashes;  /* "repo\x1fpath" -> struct hashent (owned) */
	bh_map allow;   /* "cgroup id" -> baseline version + 1 whose executables the kernel's allow-list holds */
	bh_map netpol;  /* repository -> baseline version + 1 set as its network policy (0: not protected) */
	bh_map netbound; /* container id -> (void *)1 when bound to its baseline's policy */
	bh_blmodes *modes; /* label rules (never NULL) */
	uint64_t modes_gen; /* +1 whenever modes is replaced */
	int64_t modes_mtime; /* of modes.yaml when read (0: there was none) */
	ino_t modes_ino;
	bh_map ctmodes; /* container id -> struct ctmode (owned) */
	struct { int family; uint8_t a[16]; } host[HOST_ADDRS_MAX];
	size_t nhost;
	uint64_t last_reload;
	size_t reloaded;
};

static const char *const engine_comms[] = { "runc", "crun", "conmon", "containerd-shim", "containerd-shim-runc-v2",
					    "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]", "dockerd", "podman" };

bool bh_blmon_engine_comm(const char *comm)
{
	for (size_t i = 0; i < sizeof(engine_comms) / sizeof(engine_comms[0]); i++)
		if (!strncmp(comm, engine_comms[i], 15)) /* comm is cut at 15 bytes */
			return true;
	return false;
}

static void host_addrs(bh_blmon *m)
{
	struct ifaddrs *ifa, *p;
	if (getifaddrs(&ifa))
		return;
	for (p = ifa; p && m->nhost < HOST_ADDRS_MAX; p = p->ifa_next) {
		if (!p->ifa_addr)
			continue;
		memset(m->host[m->nhost].a, 0, 16);
		if (p->ifa_addr->sa_family == AF_INET) {
			memcpy(m->host[m->nhost].a, &((struct sockaddr_in *)(void *)p->ifa_addr)->sin_addr, 4);
			m->host[m->nhost++].family = AF_INET;
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			memcpy(m->host[m->nhost].a, &((struct sockaddr_in6 *)(void *)p->ifa_addr)->sin6_addr, 16);
			m->host[m->nhost++].family = AF_INET6;
		}
	}
	freeifaddrs(ifa);
}

int bh_blmon_new(const bh_blmon_opts *o, bh_blmon **out, bh_error *err)
{
	bh_blmon *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	m->o = *o;
	bh_map_init(&m->byrepo, NULL);
	bh_map_init(&m->pids, free);
	bh_map_init(&m->probes, NULL);
	bh_map_init(&m->hashes, free);
	bh_map_init(&m->allow, NULL);
	bh_map_init(&m->netpol, NULL);
	bh_map_init(&m->netbound, NULL);
	bh_map_init(&m->ctmodes, free);
	m->modes_gen = 1;
	if (bh_blmodes_new(&m->modes, err)) {
		bh_blmon_free(m);
		return err->code;
	}
	if (o->store_dir && !(m->store_dir = strdup(o->store_dir)))
		goto oom;
	if (o->nrepos) {
		if (!(m->repos = calloc(o->nrepos, sizeof(char *))))
			goto oom;
		for (size_t i = 0; i < o->nrepos; i++)
			if (!(m->repos[i] = strdup(o->repos[i])))
				goto oom;
	}
	m->o.store_dir = m->store_dir;
	m->o.repos = (const char *const *)m->repos;
	host_addrs(m);
	*out = m;
	return 0;
oom:
	bh_blmon_free(m);
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}

void bh_blmon_free(bh_blmon *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		bh_baseline_free(m->v[i].bl);
	free(m->v);
	if (m->repos)
		for (size_t i = 0; i < m->o.nrepos; i++)
			free(m->repos[i]);
	free(m->repos);
	free(m->store_dir);
	bh_map_free(&m->byrepo);
	bh_map_free(&m->pids);
	bh_map_free(&m->probes);
	bh_map_free(&m->hashes);
	bh_map_free(&m->allow);
	bh_map_free(&m->netpol);
	bh_map_free(&m->netbound);
	bh_map_free(&m->ctmodes);
	bh_blmodes_free(m->modes);
	free(m);
}

size_t bh_blmon_count(const bh_blmon *m) { return m->n; }
bh_baseline *bh_blmon_at(bh_blmon *m, size_t i) { return i < m->n ? m->v[i].bl : NULL; }

bh_baseline *bh_blmon_get(bh_blmon *m, const char *repo)
{
	uintptr_t at = (uintptr_t)bh_map_get(&m->byrepo, repo);
	return at ? m->v[at - 1].bl : NULL;
}

static int put(bh_blmon *m, bh_baseline *b, uint64_t saved, bh_error *err)
{
	const char *repo = bh_baseline_repository(b);
	uintptr_t at = (uintptr_t)bh_map_get(&m->byrepo, repo);

	if (at) {
		bh_baseline_free(m->v[at - 1].bl);
		m->v[at - 1].bl = b;
		if (saved)
			m->v[at - 1].saved_version = saved;
		return 0;
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 8;
		struct blent *nv = realloc(m->v, nc * sizeof(*nv));
		if (!nv) {
			bh_baseline_free(b);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		m->v = nv;
		m->cap = nc;
	}
	if (bh_map_put(&m->byrepo, repo, (void *)(uintptr_t)(m->n + 1))) {
		bh_baseline_free(b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	m->v[m->n].bl = b;
	m->v[m->n].saved_version = saved;
	m->n++;
	return 0;
}

int bh_blmon_put(bh_blmon *m, bh_baseline *b, bh_error *err)
{
	return put(m, b, 0, err);
}

/* ---- files ---- */

static int64_t file_mtime_ns(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

static void note_mtime(bh_blmon *m, const char *repo, const char *path)
{
	uintptr_t at = (uintptr_t)bh_map_get(&m->byrepo, repo);
	if (at)
		m->v[at - 1].mtime_ns = file_mtime_ns(path);
}

int bh_blmon_file_of(const char *repo, char *out, size_t n)
{
	size_t o = 0;
	/* a reversible name: letters, digits, '.', '-' and '_' as they are, every other byte as %XX */
	for (const unsigned char *p = (const unsigned char *)repo; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			     *p == '_' || (*p == '.' && p != (const unsigned char *)repo);
		if (o + 4 >= n)
			return BH_ELIMIT;
		if (plain)
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
	}
	if (o + 6 >= n || o == 0)
		return BH_ELIMIT;
	if (o == 5 && !memcmp(out, "modes", 5)) {
		/* modes.yaml is the label rules' file: this repository's baseline lives beside it */
		if (o + 8 >= n)
			return BH_ELIMIT;
		memmove(out + 3, out + 1, 4);
		out[0] = '%';
		out[1] = '6';
		out[2] = 'D';
		o += 2;
	}
	memcpy(out + o, ".yaml", 6);
	return 0;
}

static int load_dir(bh_blmon *m, bool reload_only, bh_error *err)
{
	DIR *dp;
	struct dirent *de;
	int rc = 0;

	if (!m->store_dir)
		return 0;
	if (!(dp = opendir(m->store_dir)))
		return errno == ENOENT ? 0 : bh_error_set(err, BH_EIO, "%s: %s", m->store_dir, strerror(errno));
	while ((de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		char path[4096], *data = NULL;
		size_t len = 0;
		bh_baseline *b;
		if (de->d_name[0] == '.' || l < 6 || (strcmp(de->d_name + l - 5, ".yaml") != 0 && strcmp(de->d_name + l - 5, ".json") != 0) ||
		    !strcmp(de->d_name, BH_BLMODES_FILE))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", m->store_dir, de->d_name) >= sizeof(path))
			continue;
		if (reload_only && file_mtime_ns(path) == 0)
			continue;
		if ((rc = bh_file_read_all(path, BH_BL_FILE_MAX, "baseline", &data, &len, err)))
			break;
		{
			/* a file changed by someone else (`baseline mode`, `import`) replaces the one in memory */
			int64_t mt = file_mtime_ns(path);
			bh_baseline *cur;
			uintptr_t at;
			if (reload_only) {
				char repo_file[1024];
				bool same = false;
				for (size_t i = 0; i < m->n && !same; i++)
					same = bh_blmon_file_of(bh_baseline_repository(m->v[i].bl), repo_file, sizeof(repo_file)) == 0 &&
					       !strcmp(repo_file, de->d_name) && m->v[i].mtime_ns == mt;
				if (same) {
					free(data);
					continue;
				}
			}
			rc = bh_baseline_load(data, len, path, &b, err);
			free(data);
			if (rc)
				break;
			cur = bh_blmon_get(m, bh_baseline_repository(b));
			if (cur && reload_only && bh_baseline_version(b) < bh_baseline_version(cur)) {
				bh_baseline_free(b); /* ours is newer: it will be written over that file */
				continue;
			}
			if ((rc = put(m, b, bh_baseline_version(b), err)))
				break;
			at = (uintptr_t)bh_map_get(&m->byrepo, bh_baseline_repository(b));
			if (at)
				m->v[at - 1].mtime_ns = mt;
			if (reload_only)
				m->reloaded++;
		}
	}
	closedir(dp);
	return rc;
}

/* Reads store_dir/modes.yaml when it changed since the last read (always when first): 1 read, 0 unchanged, negative: refused (the rules before stay). */
static int modes_reload(bh_blmon *m, bool first, bh_error *err)
{
	char path[4096];
	struct stat st;
	int64_t mt = 0;
	ino_t ino = 0;
	bh_blmodes *ms;
	int rc;

	if (!m->store_dir)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", m->store_dir, BH_BLMODES_FILE) >= sizeof(path))
		return bh_error_set(err, BH_ELIMIT, "%s: directory name too long", m->store_dir);
	if (stat(path, &st) == 0) {
		mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		ino = st.st_ino;
	}
	if (!first && mt == m->modes_mtime && ino == m->modes_ino)
		return 0;
	/* noted before reading: a broken file is reported once, not every 2 s */
	m->modes_mtime = mt;
	m->modes_ino = ino;
	if ((rc = bh_blmodes_read(m->store_dir, &ms, err)))
		return rc;
	bh_blmon_set_modes(m, ms);
	return 1;
}

int bh_blmon_load_dir(bh_blmon *m, bh_error *err)
{
	int rc = load_dir(m, false, err);
	if (rc)
		return rc;
	rc = modes_reload(m, true, err);
	return rc < 0 ? rc : 0;
}

const bh_blmodes *bh_blmon_modes(const bh_blmon *m) { return m->modes; }

void bh_blmon_set_modes(bh_blmon *m, bh_blmodes *ms)
{
	if (!ms)
		return;
	bh_blmodes_free(m->modes);
	m->modes = ms;
	m->modes_gen++; /* every container's rule is looked up again */
}

/* ct's first matching rule (-1: none), cached per container id and version of the rules. */
static int rule_of(bh_blmon *m, const bh_rt_container *ct, struct ctmode **out)
{
	struct ctmode *cm;

	if (out)
		*out = NULL;
	if (!ct || !ct->id || !ct->id[0])
		return -1;
	if (!bh_blmodes_count(m->modes) && !out)
		return -1;
	if ((cm = bh_map_get(&m->ctmodes, ct->id)) && cm->gen == m->modes_gen) {
		if (out)
			*out = cm;
		return cm->rule;
	}
	if (!cm) {
		if (m->ctmodes.n >= PIDS_MAX) {
			/* bounded: forgotten containers are looked up again */
			bh_map_free(&m->ctmodes);
			bh_map_init(&m->ctmodes, free);
		}
		if (!(cm = calloc(1, sizeof(*cm))) || bh_map_put(&m->ctmodes, ct->id, cm)) {
			free(cm);
			return bh_blmodes_match_text(m->modes, ct->labels_json);
		}
	}
	cm->gen = m->modes_gen;
	cm->warned = false;
	cm->rule = bh_blmodes_match_text(m->modes, ct->labels_json);
	if (out)
		*out = cm;
	return cm->rule;
}

bh_bl_mode bh_blmon_mode_of(bh_blmon *m, const bh_rt_container *ct, const bh_baseline *bl, const char **rule)
{
	int r = rule_of(m, ct, NULL);
	if (rule)
		*rule = r >= 0 ? bh_blmodes_label(m->modes, (size_t)r) : NULL;
	if (r >= 0)
		return bh_blmodes_mode(m->modes, (size_t)r);
	return bl ? bh_baseline_mode(bl) : BH_BL_MONITOR;
}

/* A label rule in monitor or protect for a repository without a baseline: said loudly, once per container and version of the rules. */
static void warn_no_baseline(bh_blmon *m, const bh_rt_container *ct, struct ctmode *cm, const char *repo)
{
	char msg[1500];
	if (!cm || cm->warned || cm->rule < 0 || !m->o.note)
		return;
	cm->warned = true;
	snprintf(msg, sizeof(msg),
		 "WARNING: baseline: container %.64s is in %s by label %.255s but its repository %.400s has no baseline: NOT watched, "
		 "nothing is %s (learn one first: bulkhead baseline learn %.400s, or a label rule in learn mode)",
		 ct->name && ct->name[0] ? ct->name : ct->id, bh_bl_mode_name(bh_blmodes_mode(m->modes, (size_t)cm->rule)),
		 bh_blmodes_label(m->modes, (size_t)cm->rule), repo,
		 bh_blmodes_mode(m->modes, (size_t)cm->rule) == BH_BL_PROTECT ? "blocked" : "alerted", repo);
	m->o.note(m->o.note_ud, NULL, msg);
}

static int save(bh_blmon *m, bh_baseline *b, bool history, bh_error *err);

int bh_blmon_save(bh_blmon *m, bh_baseline *b, bh_error *err)
{
	return save(m, b, true, err);
}

static int save(bh_blmon *m, bh_baseline *b, bool history, bh_error *err)
{
	char name[1024], path[4096], tmp[4200], hist[4400];
	bh_buf y = BH_BUF_INIT;
	uintptr_t at;
	FILE *fp;
	int rc;

	if (!m->store_dir)
		return 0;
	if (bh_blmon_file_of(bh_baseline_repository(b), name, sizeof(name)))
		return bh_error_set(err, BH_ELIMIT, "repository name too long for a file name");
	if ((rc = bh_file_mkdir_p(m->store_dir, 0700, err)))
		return rc;
	snprintf(path, sizeof(path), "%s/%s", m->store_dir, name);
	at = (uintptr_t)bh_map_get(&m->byrepo, bh_baseline_repository(b));
	/* the earlier version stays readable for `baseline diff` */
	if (history && at && m->v[at - 1].saved_version && m->v[at - 1].saved_version != bh_baseline_version(b) && access(path, F_OK) == 0) {
		char hdir[4200];
		snprintf(hdir, sizeof(hdir), "%s/history", m->store_dir);
		if ((rc = bh_file_mkdir_p(hdir, 0700, err)))
			return rc;
		snprintf(hist, sizeof(hist), "%s/%.*s.v%" PRIu64 ".yaml", hdir, (int)(strlen(name) - 5), name, m->v[at - 1].saved_version);
		if (rename(path, hist))
			return bh_error_set(err, BH_EIO, "%s: %s", hist, strerror(errno));
	}
	if ((rc = bh_baseline_to_yaml(b, &y))) {
		bh_buf_free(&y);
		return bh_error_set(err, rc, "out of memory");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(fp = fopen(tmp, "we")) || fwrite(y.data, 1, y.len, fp) != y.len || fclose(fp)) {
		rc = bh_error_set(err, BH_EIO, "%s: %s", tmp, strerror(errno));
		bh_buf_free(&y);
		return rc;
	}
	bh_buf_free(&y);
	if (rename(tmp, path))
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	if (at)
		m->v[at - 1].saved_version = bh_baseline_version(b);
	note_mtime(m, bh_baseline_repository(b), path);
	return 0;
}

/* ---- observations ---- */

static bool watched(const bh_blmon *m, const char *repo)
{
	if (!m->o.nrepos)
		return true;
	for (size_t i = 0; i < m->o.nrepos; i++)
		if (!strcmp(m->o.repos[i], repo))
			return true;
	return false;
}

bh_baseline *bh_blmon_for(bh_blmon *m, const bh_rt_container *ct, uint64_t now, bh_error *err)
{
	char repo[BH_BL_STR_MAX];
	bh_baseline *b;

	struct ctmode *cm;
	int rule;

	if (!ct || !ct->image || !bh_registry_repository_of(ct->image, repo, sizeof(repo)))
		return NULL;
	rule = rule_of(m, ct, &cm);
	if ((b = bh_blmon_get(m, repo)))
		return b;
	if (rule >= 0 && bh_blmodes_mode(m->modes, (size_t)rule) != BH_BL_LEARN) {
		warn_no_baseline(m, ct, cm, repo);
		return NULL;
	}
	/* a label rule in learn is an opt-in of its own, as --learn is */
	if ((rule < 0 && !watched(m, repo)) || bh_baseline_new(repo, ct->image_digest, &b, err))
		return NULL;
	bh_baseline_set_mode(b, m->o.mode);
	if (!now)
		now = (uint64_t)time(NULL);
	bh_baseline_learn(b)->started = now;
	bh_baseline_learn(b)->duration_s = m->o.learn_s;
	bh_baseline_learn(b)->events_max = m->o.learn_events;
	bh_baseline_learn(b)->quiet_s = m->o.quiet_s;
	bh_baseline_learn(b)->last_new = now;
	if (put(m, b, 0, err))
		return NULL;
	return b;
}

static void pidkey(uint32_t pid, char out[16])
{
	snprintf(out, 16, "%" PRIu32, pid);
}

/* The sha256 of /proc/PID/exe, cached per (repository, path) while the file's inode, size and mtime stay. */
static const char *exe_hash(bh_blmon *m, const char *repo, const char *path, uint32_t pid)
{
	char proc[64], key[BH_BL_STR_MAX * 2];
	struct hashent *h;
	struct stat st;
	EVP_MD_CTX *md;
	unsigned char buf[65536], dg[32];
	unsigned dn = 0;
	uint64_t total = 0;
	ssize_t r;
	int fd;

	if (m->o.no_hash)
		return NULL;
	snprintf(proc, sizeof(proc), "/proc/%" PRIu32 "/exe", pid);
	if ((fd = open(proc, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL; /* gone already: not known, which is not a deviation */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > HASH_FILE_MAX) {
		close(fd);
		return NULL;
	}
	snprintf(key, sizeof(key), "%s\x1f%s", repo, path);
	h = bh_map_get(&m->hashes, key);
	if (h && h->dev == st.st_dev && h->ino == st.st_ino && h->size == st.st_size && h->mtime == (int64_t)st.st_mtime) {
		close(fd);
		return h->hex;
	}
	if (!(md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		close(fd);
		return NULL;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0 && total <= HASH_FILE_MAX) {
		EVP_DigestUpdate(md, buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	if (r < 0 || !EVP_DigestFinal_ex(md, dg, &dn) || dn != 32) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	EVP_MD_CTX_free(md);
	if (m->hashes.n >= HASHES_MAX) {
		bh_map_free(&m->hashes);
		bh_map_init(&m->hashes, free);
	}
	if (!(h = calloc(1, sizeof(*h))))
		return NULL;
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	h->size = st.st_size;
	h->mtime = (int64_t)st.st_mtime;
	for (unsigned i = 0; i < 32; i++)
		snprintf(h->hex + 2 * i, 3, "%02x", dg[i]);
	if (bh_map_put(&m->hashes, key, h)) {
		free(h);
		return NULL;
	}
	return h->hex;
}

static bool private4(const uint8_t *a)
{
	return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64) || a[0] == 0;
}

static bool is_private(int family, const uint8_t a[16])
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	if (family == AF_INET)
		return private4(a);
	return !memcmp(a, v6lo, 16) || (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||
	       /* ::ffff:a.b.c.d */ (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && private4(a + 12));
}

static bool is_loopback(int family, const uint8_t a[16])
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	return family == AF_INET ? a[0] == 127 : !memcmp(a, v6lo, 16);
}

/* Fills the peer of a network observation: its address as text, its name ("image:REPO", "host"), private or not. */
static void peer_of(bh_blmon *m, const bh_rt_container *self, int family, const uint8_t a[16], bh_bl_obs *o, char *addr,
		    size_t an, char *name, size_t nn)
{
	const bh_rt_container *pc;

	addr[0] = name[0] = 0;
	inet_ntop(family, a, addr, (socklen_t)an);
	o->peer_addr = addr;
	o->peer_private = is_private(family, a);
	o->peer_name = NULL;
	if (is_loopback(family, a))
		return; /* inside the container itself */
	if (m->o.cts && (pc = bh_containers_by_addr(m->o.cts, family, a)) && pc->image) {
		char repo[BH_BL_STR_MAX];
		if (pc != self && bh_registry_repository_of(pc->image, repo, sizeof(repo))) {
			snprintf(name, nn, "image:%s", repo);
			o->peer_name = name;
		}
		return;
	}
	for (size_t i = 0; i < m->nhost; i++)
		if (m->host[i].family == family && !memcmp(m->host[i].a, a, family == AF_INET ? 4 : 16)) {
			snprintf(name, nn, "host");
			o->peer_name = name;
			return;
		}
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
	"CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

struct evctx {
	bh_blmon *m;
	const bh_rt_event *ev;
	const bh_rt_container *ct;
	bh_baseline *bl;
	bh_bl_mode mode;  /* the container's effective mode */
	const char *rule; /* the label rule that made it, NULL: the baseline's own */
	uint64_t now;
	bh_blmon_dev_fn fn;
	void *ud;
	bh_error *err;
	const char *chain; /* an exec's ancestry ("" or NULL: none) */
};

/* What the monitor keeps of a process it saw start: its parent's pid and its executable (one
 * allocation, freed by the map). */
struct pinfo {
	uint32_t ppid;
	bool by_engine; /* its parent was the engine (runc, conmon, ...) */
	char exe[];
};

#define CHAIN_DEPTH 6

/* "EXE < PARENT < GRANDPARENT ..." from the processes seen to start, up to CHAIN_DEPTH links,
 * "(engine)" when the engine started one, "?" when a link was not seen (started before the watch). */
static void chain_of(const bh_blmon *m, const bh_rt_event *ev, bool by_engine, char *out, size_t n)
{
	uint32_t pid = ev->ppid;
	size_t len;
	int i;
	char k[16];

	snprintf(out, n, "%s", ev->path);
	for (i = 0; i < CHAIN_DEPTH; i++) {
		const struct pinfo *p;
		len = strlen(out);
		if (i == 0 && by_engine) {
			snprintf(out + len, n - len, " < (engine)");
			return;
		}
		pidkey(pid, k);
		if (!pid || !(p = bh_map_get(&m->pids, k))) {
			snprintf(out + len, n - len, " < ?");
			return;
		}
		snprintf(out + len, n - len, " < %s", p->exe);
		if (p->by_engine) {
			len = strlen(out);
			snprintf(out + len, n - len, " < (engine)");
			return;
		}
		if (p->ppid == pid)
			return;
		pid = p->ppid;
	}
	len = strlen(out);
	snprintf(out + len, n - len, " < ...");
}

/* Learns o or matches it; a miss outside learn mode goes to fn. */
static int observe(struct evctx *c, bh_bl_obs *o)
{
	bh_blmon_dev d;
	bh_bl_learn *ln = bh_baseline_learn(c->bl);

	if (c->mode == BH_BL_LEARN) {
		bh_bl_entry e;
		bool added = false;
		int rc;
		bh_baseline_entry_of(o, &e);
		e.first_seen = e.last_seen = c->now;
		e.source = "learned";
		if ((rc = bh_baseline_add(c->bl, &e, &added, c->err))) {
			/* one odd observation (too long, malformed) is not worth stopping the monitor for */
			return rc == BH_ENOMEM ? rc : 0;
		}
		if (added) {
			ln->last_new = c->now;
			if (bh_baseline_mode(c->bl) != BH_BL_LEARN) {
				uintptr_t at = (uintptr_t)bh_map_get(&c->m->byrepo, bh_baseline_repository(c->bl));
				if (at)
					c->m->v[at - 1].label_learned = true;
			}
		}
		return 0;
	}
	if (bh_baseline_match(c->bl, o, d.violated, sizeof(d.violated)))
		return 0;
	d.ev = c->ev;
	d.ct = c->ct;
	d.bl = c->bl;
	d.obs = *o;
	snprintf(d.chain, sizeof(d.chain), "%s", c->chain ? c->chain : "");
	d.mode = c->mode;
	d.rule = c->rule;
	if (c->rule)
		snprintf(d.mode_text, sizeof(d.mode_text), "%s (label %s)", bh_bl_mode_name(c->mode), c->rule);
	else
		snprintf(d.mode_text, sizeof(d.mode_text), "%s (baseline)", bh_bl_mode_name(c->mode));
	bh_baseline_obs_describe(o, d.what, sizeof(d.what));
	return c->fn ? c->fn(c->ud, &d) : 0;
}

static const char *access_of(const bh_rt_event *ev)
{
	if (ev->type != BH_RT_OPEN)
		return "w";
	return (ev->flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) ? "w" : "r";
}

int bh_blmon_event(bh_blmon *m, const bh_rt_event *ev, const bh_rt_container *ct, uint64_t now, bh_blmon_dev_fn fn, void *ud,
		   bh_error *err)
{
	struct evctx c = { m, ev, ct, NULL, BH_BL_MONITOR, NULL, now, fn, ud, err, NULL };
	char chain[512];
	bh_bl_obs o;
	char pk[16], ppk[16], addr[64], name[BH_BL_STR_MAX + 8];
	int rc = 0;

	if (!ct || !ct->id || !ct->id[0])
		return 0;
	pidkey(ev->pid, pk);
	if (ev->type == BH_RT_EXIT) {
		if (ev->pid == ev->tid || ev->tid == 0) {
			bh_map_del(&m->pids, pk);
			bh_map_del(&m->probes, pk);
		}
		return 0;
	}
	/* the engine setting the container up (runc writing /etc/hosts into the rootfs, re-executing
	 * itself through /proc/self/exe or a sealed copy in /dev/fd) is not the container's behaviour */
	if (ev->type != BH_RT_EXEC && bh_blmon_engine_comm(ev->comm))
		return 0;
	if (ev->type == BH_RT_EXEC && bh_blmon_engine_comm(ev->pcomm) &&
	    (!strcmp(ev->path, "/proc/self/exe") || !strncmp(ev->path, "/dev/fd/", 8) || !strncmp(ev->path, "/proc/self/fd/", 14)))
		return 0;
	if (!(c.bl = bh_blmon_for(m, ct, now, err)))
		return 0;
	c.mode = bh_blmon_mode_of(m, ct, c.bl, &c.rule);
	if (c.mode == BH_BL_LEARN)
		bh_baseline_learn(c.bl)->events++;
	memset(&o, 0, sizeof(o));
	pidkey(ev->ppid, ppk);
	switch (ev->type) {
	case BH_RT_EXEC: {
		const struct pinfo *pp = bh_map_get(&m->pids, ppk);
		const char *parent = pp ? pp->exe : NULL;
		bool by_engine = bh_blmon_engine_comm(ev->pcomm);
		bool probe = (by_engine && ct->healthcheck && !strcmp(ev->args, ct->healthcheck)) || bh_map_get(&m->probes, ppk);
		size_t plen = strnlen(ev->path, sizeof(ev->path));
		struct pinfo *dup = malloc(sizeof(*dup) + plen + 1);

		if (!dup)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		dup->ppid = ev->ppid;
		dup->by_engine = by_engine;
		memcpy(dup->exe, ev->path, plen);
		dup->exe[plen] = 0;
		/* before this process is remembered: a pid reused as its own ancestor cannot loop */
		chain_of(m, ev, by_engine, chain, sizeof(chain));
		c.chain = chain;
		if (m->pids.n >= PIDS_MAX) {
			/* bounded: forgetting parents only makes parents "not known", which match any entry */
			bh_map_free(&m->pids);
			bh_map_init(&m->pids, free);
		}
		if (bh_map_put(&m->pids, pk, dup)) {
			free(dup);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		if (probe) {
			if (m->probes.n < PIDS_MAX)
				bh_map_put(&m->probes, pk, (void *)1);
			if (c.mode != BH_BL_LEARN)
				return 0; /* the engine's health check and what it runs: allowed */
			o.kind = BH_BL_PROBE;
			o.exe = ev->path;
			o.args = ev->args;
			return observe(&c, &o);
		}
		bh_map_del(&m->probes, pk);
		o.kind = BH_BL_PROCESS;
		o.exe = ev->path;
		o.parent = by_engine ? BH_BL_PARENT_ENGINE : parent; /* NULL: not known (started before we watched) */
		o.args = ev->args;
		{
			char repo[BH_BL_STR_MAX];
			if (bh_registry_repository_of(ct->image, repo, sizeof(repo)))
				o.sha256 = exe_hash(m, repo, ev->path, ev->pid);
		}
		return observe(&c, &o);
	}
	case BH_RT_OPEN:
	case BH_RT_UNLINK:
	case BH_RT_CHMOD:
		if (bh_map_get(&m->probes, pk))
			return 0;
		o.kind = BH_BL_FILE;
		o.path = ev->path;
		o.access = access_of(ev);
		return observe(&c, &o);
	case BH_RT_RENAME:
		if (bh_map_get(&m->probes, pk))
			return 0;
		o.kind = BH_BL_FILE;
		o.access = "w";
		o.path = ev->path;
		if ((rc = observe(&c, &o)))
			return rc;
		o.path = ev->path2;
		return observe(&c, &o);
	case BH_RT_LISTEN:
		o.kind = BH_BL_LISTEN;
		o.proto = ev->proto == 17 ? "udp" : "tcp";
		o.port = ev->sport;
		return observe(&c, &o);
	case BH_RT_CONNECT:
	case BH_RT_ACCEPT:
		if ((ev->family != AF_INET && ev->family != AF_INET6) || bh_map_get(&m->probes, pk))
			return 0;
		o.kind = ev->type == BH_RT_CONNECT ? BH_BL_OUTBOUND : BH_BL_INBOUND;
		o.proto = ev->proto == 17 ? "udp" : "tcp";
		if (ev->type == BH_RT_CONNECT) {
			o.port = ev->dport;
			peer_of(m, ct, ev->family, ev->daddr, &o, addr, sizeof(addr), name, sizeof(name));
		} else {
			o.port = ev->dport; /* accept: daddr/dport are the local end */
			peer_of(m, ct, ev->family, ev->saddr, &o, addr, sizeof(addr), name, sizeof(name));
		}
		if (is_loopback(ev->family, ev->type == BH_RT_CONNECT ? ev->daddr : ev->saddr))
			return 0; /* a container talking to itself is not east-west traffic */
		return observe(&c, &o);
	case BH_RT_CAPSET:
		o.kind = BH_BL_CAPABILITY;
		for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]) && i < 64; i++)
			if (ev->arg & (1ull << i)) {
				o.cap = cap_names[i];
				if ((rc = observe(&c, &o)))
					return rc;
			}
		return 0;
	default:
		return 0;
	}
}

int bh_blmon_tick(bh_blmon *m, uint64_t now, bh_blmon_note_fn fn, void *ud, bh_error *err)
{
	if (m->store_dir && now >= m->last_reload + 2) {
		size_t before = m->reloaded;
		int rc;
		m->last_reload = now;
		if ((rc = load_dir(m, true, err)))
			return rc;
		if (fn && m->reloaded != before)
			fn(ud, NULL, "baselines read again from their files (changed by someone else)");
		if ((rc = modes_reload(m, false, err)) != 0 && fn) {
			char msg[BH_ERROR_MSG_MAX + 200];
			if (rc > 0)
				snprintf(msg, sizeof(msg), "baseline modes by label read again from %s/%s: %zu rule(s)", m->store_dir, BH_BLMODES_FILE,
					 bh_blmodes_count(m->modes));
			else
				snprintf(msg, sizeof(msg), "WARNING: baseline modes by label: %s (the rules before stay in force)", err->msg);
			fn(ud, NULL, msg);
		}
		if (rc < 0) { /* said through fn; the monitor goes on with the rules before */
			err->code = 0;
			err->msg[0] = 0;
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		bh_baseline *b = m->v[i].bl;
		bh_bl_learn *ln = bh_baseline_learn(b);
		int rc;

		if (bh_baseline_mode(b) == BH_BL_LEARN &&
		    ((ln->duration_s && now >= ln->started + ln->duration_s) || (ln->events_max && ln->events >= ln->events_max)) &&
		    now >= ln->last_new + ln->quiet_s) {
			/* NeuVector's discover -> monitor: learning ends once it has lasted its time and nothing new came for quiet_s */
			if ((rc = bh_baseline_generalize(b, err)))
				return rc;
			bh_baseline_set_mode(b, BH_BL_MONITOR);
			if (fn)
				fn(ud, b, "promoted from learn to monitor");
		}
		/* while learning the file is rewritten in place: history keeps the versions people made */
		if (m->store_dir && bh_baseline_version(b) != m->v[i].saved_version) {
			/* nor what a container in learn by label adds to a baseline in monitor or protect */
			if ((rc = save(m, b, bh_baseline_mode(b) != BH_BL_LEARN && !m->v[i].label_learned, err)))
				return rc;
			m->v[i].label_learned = false;
		}
	}
	return 0;
}

bool bh_blmon_kernel_pattern(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	/* absolute, ending in a slash and a star, no glob or escape character before them */
	return n >= 2 && p[0] == '/' && p[n - 1] == '*' && p[n - 2] == '/' && strcspn(p, "*?[\\") == n - 1;
}

int bh_blmon_allowed_exes(const bh_baseline *bl, const bh_rt_container *ct, bh_blmon_path_fn fn, void *ud,
			  const char **unkernel)
{
	const char *parent;
	int rc;
	if (unkernel)
		*unkernel = NULL;
	for (int k = BH_BL_PROCESS; k <= BH_BL_PROBE; k++)
		for (size_t i = 0; i < bh_baseline_count(bl, (bh_bl_kind)k); i++) {
			bh_bl_entry e;
			bh_baseline_entry(bl, (bh_bl_kind)k, i, &e);
			if (!e.a || !e.a[0])
				continue;
			if (strpbrk(e.a, "*?[")) {
				/* the kernel pairs exact executables with parents only: a pattern's parent is judged in user space */
				if (bh_blmon_kernel_pattern(e.a)) {
					if ((rc = fn(ud, e.a, NULL)))
						return rc;
				} else if (unkernel && !*unkernel) {
					*unkernel = e.a;
				}
				continue;
			}
			/* a probe's b is its arguments, not a parent */
			parent = k == BH_BL_PROCESS && e.b && e.b[0] && !strpbrk(e.b, "*?[") ? e.b : NULL;
			if ((rc = fn(ud, e.a, parent)))
				return rc;
		}
	if (ct && ct->healthcheck && ct->healthcheck[0]) {
		char first[BH_BL_STR_MAX];
		size_t n = strcspn(ct->healthcheck, " ");
		if (n < sizeof(first)) {
			memcpy(first, ct->healthcheck, n);
			first[n] = 0;
			if ((rc = fn(ud, first, NULL)))
				return rc;
		}
	}
	return 0;
}

struct allowctx {
	bh_sensor *s;
	uint64_t cgid;
	bh_error *err;
	int rc;
};

static int allow_one(void *ud, const char *path, const char *parent)
{
	struct allowctx *c = ud;
	int rc = bh_sensor_allow_exe(c->s, c->cgid, path, parent, c->err);
	/* a path over the key's size cannot be allowed: it stays killed, which is the safe side */
	if (rc && rc != BH_EUSAGE)
		c->rc = rc;
	return 0;
}

/* Protect's kernel state of one cgroup goes: its key in m->allow (freed here), flags and allow-list. */
static int lift(bh_blmon *m, bh_sensor *s, const char *key, uint64_t cg, bh_error *err)
{
	int rc;
	bh_map_del(&m->allow, key);
	if ((rc = bh_sensor_enforce_set(s, cg, 0, err)))
		return rc;
	return bh_sensor_allow_clear(s, cg, err);
}

int bh_blmon_protect(bh_blmon *m, bh_sensor *s, const bh_rt_container *ct, bh_error *err)
{
	char key[32], repo[BH_BL_STR_MAX];
	bh_baseline *b;
	uintptr_t have;
	struct allowctx c;
	const char *unk;
	int rc;

	/* looked up, never created: a baseline made here began its learning at time 0, so it was
	 * promoted after the quiet period instead of after --learn-for (found by the 5-minute run) */
	if (!s || !ct || !ct->cgroup_id || !ct->image || !bh_registry_repository_of(ct->image, repo, sizeof(repo)))
		return 0;
	b = bh_blmon_get(m, repo);
	snprintf(key, sizeof(key), "%" PRIu64, ct->cgroup_id);
	have = (uintptr_t)bh_map_get(&m->allow, key);
	if (!b || bh_blmon_mode_of(m, ct, b, NULL) != BH_BL_PROTECT) {
		struct ctmode *cm;
		if (!b && rule_of(m, ct, &cm) >= 0 && bh_blmodes_mode(m->modes, (size_t)cm->rule) != BH_BL_LEARN)
			warn_no_baseline(m, ct, cm, repo); /* a quiet container is told about too */
		if (!have)
			return 0;
		/* it left protect: its own flags and list go, so only what applies to every container is left */
		if ((rc = lift(m, s, key, ct->cgroup_id, err)))
			return rc;
		return 2;
	}
	if (have == (uintptr_t)bh_baseline_version(b) + 1)
		return 0;
	if (m->allow.n >= PIDS_MAX) {
		bh_map_free(&m->allow);
		bh_map_init(&m->allow, NULL);
	}
	if (bh_map_put(&m->allow, key, (void *)(uintptr_t)(bh_baseline_version(b) + 1)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	/* a new version replaces the list: what the baseline no longer has must not stay allowed */
	if (have && (rc = bh_sensor_allow_clear(s, ct->cgroup_id, err)))
		return rc;
	c.s = s;
	c.cgid = ct->cgroup_id;
	c.err = err;
	c.rc = 0;
	bh_blmon_allowed_exes(b, ct, allow_one, &c, &unk);
	if (c.rc)
		return c.rc;
	if (unk && m->o.note) {
		/* the baseline file and the container name are anybody's text: escaped for the terminal */
		bh_buf msg = BH_BUF_INIT;
		const char *name = ct->name && ct->name[0] ? ct->name : key;
		if (!bh_buf_puts(&msg, "WARNING: protect: baseline ") && !bh_text_put_term(&msg, repo, strlen(repo), 400) &&
		    !bh_buf_puts(&msg, " has the exe pattern ") && !bh_text_put_term(&msg, unk, strlen(unk), 255) &&
		    !bh_buf_puts(&msg, ", which the kernel's allow-list cannot match (it matches exact paths and a directory "
				       "followed by a slash and a star): container ") &&
		    !bh_text_put_term(&msg, name, strlen(name), 64) &&
		    !bh_buf_puts(&msg, "'s execs are judged after the exec, in user space"))
			m->o.note(m->o.note_ud, NULL, msg.data);
		bh_buf_free(&msg);
	}
	if ((rc = bh_sensor_enforce_set(s, ct->cgroup_id, unk ? BH_SENSOR_KILL_DRIFT : BH_SENSOR_ALLOW_ONLY | BH_SENSOR_KILL_DRIFT,
					err)))
		return rc;
	return unk ? 3 : 1;
}

int bh_blmon_forget_gone(bh_blmon *m, bh_sensor *s, const bh_containers *cts, bh_error *err)
{
	const char *key;
	void *val;
	int rc = 0, n = 0;
	if (!s)
		return 0;
	for (size_t i = 0; bh_map_next(&m->allow, &i, &key, &val);) {
		uint64_t cg = strtoull(key, NULL, 10);
		int r;
		if (bh_containers_live(cts, cg))
			continue;
		/* bh_map_next allows removing the current key; cg was read from it before */
		if ((r = lift(m, s, key, cg, err)))
			rc = rc ? rc : r;
		else
			n++;
	}
	return rc ? rc : n;
}

/* A baseline peer as a netpol rule's peer; false when it cannot be one. */
static bool rule_peer(const char *p, bh_netpol_rule *r)
{
	uint8_t a[16];
	unsigned plen;

	if (!p || !strcmp(p, "*")) {
		r->peer = BH_NETPOL_PEER_ANY;
		return true;
	}
	if (!strcmp(p, "host")) {
		r->peer = BH_NETPOL_PEER_HOST;
		return true;
	}
	if (!strcmp(p, "world")) {
		r->peer = BH_NETPOL_PEER_WORLD;
		return true;
	}
	if (!strncmp(p, "image:", 6)) {
		if (strlen(p + 6) >= sizeof(r->value))
			return false;
		r->peer = BH_NETPOL_PEER_IMAGE;
		snprintf(r->value, sizeof(r->value), "%s", p + 6);
		return true;
	}
	if (bh_ctnet_cidr_parse(p, a, &plen))
		return false;
	r->peer = BH_NETPOL_PEER_CIDR;
	memcpy(r->addr, a, 16);
	r->prefix = (uint8_t)plen;
	return true;
}

size_t bh_blmon_netpol_rules(const bh_baseline *bl, bh_netpol_rule *rules, size_t max)
{
	size_t n = 0;
	for (int k = BH_BL_LISTEN; k <= BH_BL_INBOUND; k++)
		for (size_t i = 0; i < bh_baseline_count(bl, (bh_bl_kind)k); i++) {
			bh_bl_entry e;
			bh_netpol_rule r;
			bh_baseline_entry(bl, (bh_bl_kind)k, i, &e);
			memset(&r, 0, sizeof(r));
			r.dir = k == BH_BL_OUTBOUND ? BH_NETPOL_EGRESS : BH_NETPOL_INGRESS;
			r.proto = e.b && !strcmp(e.b, "udp") ? 17 : e.b && !strcmp(e.b, "tcp") ? 6 : 0;
			r.port = (uint16_t)e.port;
			if (k == BH_BL_LISTEN) {
				/* a listener learned without its clients is open to containers and the host; the
				 * inbound entries name its clients when they were seen */
				bool has_inbound = false;
				for (size_t j = 0; j < bh_baseline_count(bl, BH_BL_INBOUND) && !has_inbound; j++) {
					bh_bl_entry x;
					bh_baseline_entry(bl, BH_BL_INBOUND, j, &x);
					has_inbound = x.port == e.port || x.port == 0;
				}
				if (has_inbound)
					continue;
				r.peer = BH_NETPOL_PEER_HOST;
			} else if (!rule_peer(e.a, &r)) {
				continue;
			}
			if (n < max)
				rules[n] = r;
			n++;
		}
	return n;
}

#define NETPOL_RULES_MAX 1024

int bh_blmon_netpol_sync(bh_blmon *m, bh_netpol *np, bh_containers *cts, bh_error *err)
{
	bh_netpol_rule *rules = NULL;
	int rc = 0;

	if (!np)
		return 0;
	for (size_t i = 0; i < m->n && !rc; i++) {
		bh_baseline *b = m->v[i].bl;
		const char *repo = bh_baseline_repository(b);
		bool any = bh_baseline_mode(b) == BH_BL_PROTECT;
		uintptr_t want, have = (uintptr_t)bh_map_get(&m->netpol, repo);
		char key[BH_BL_STR_MAX + 16];

		/* the policy exists while the baseline or one of its containers (by label) is in protect */
		for (size_t c = 0; !any && cts && c < bh_containers_count(cts); c++) {
			const bh_rt_container *ct = bh_containers_at(cts, c);
			char r2[BH_BL_STR_MAX];
			any = ct && ct->image && bh_registry_repository_of(ct->image, r2, sizeof(r2)) && !strcmp(r2, repo) &&
			      bh_blmon_mode_of(m, ct, b, NULL) == BH_BL_PROTECT;
		}
		want = any ? (uintptr_t)bh_baseline_version(b) + 1 : 0;

		snprintf(key, sizeof(key), "baseline:%s", repo);
		if (want != have) {
			if (want) {
				size_t n;
				if (!rules && !(rules = calloc(NETPOL_RULES_MAX, sizeof(*rules)))) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					break;
				}
				n = bh_blmon_netpol_rules(b, rules, NETPOL_RULES_MAX);
				if (n > NETPOL_RULES_MAX)
					n = NETPOL_RULES_MAX;
				if ((rc = bh_netpol_policy_set(np, key, rules, n, BH_NETPOL_PROTECT, err)))
					break;
			}
			if (bh_map_put(&m->netpol, repo, (void *)want)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				break;
			}
		}
		/* bind the repository's containers in protect (unbind those that left it) */
		for (size_t c = 0; cts && c < bh_containers_count(cts); c++) {
			const bh_rt_container *ct = bh_containers_at(cts, c);
			char r2[BH_BL_STR_MAX];
			bool bound, prot;
			if (!ct || !ct->id || !ct->id[0] || !ct->image || !bh_registry_repository_of(ct->image, r2, sizeof(r2)) ||
			    strcmp(r2, repo) != 0)
				continue;
			bound = bh_map_get(&m->netbound, ct->id) != NULL;
			prot = want && bh_blmon_mode_of(m, ct, b, NULL) == BH_BL_PROTECT;
			if (prot && !bound) {
				if ((rc = bh_netpol_bind_container(np, ct->id, key, err)) || bh_map_put(&m->netbound, ct->id, (void *)1))
					break;
			} else if (!prot && bound) {
				if ((rc = bh_netpol_bind_container(np, ct->id, NULL, err)))
					break;
				bh_map_del(&m->netbound, ct->id);
			}
		}
	}
	free(rules);
	return rc;
}
