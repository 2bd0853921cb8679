/* image.c - image checks: config (CIS Docker Benchmark section 4) and files of every layer. */
#include "check/image.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check/dockerfile.h"
#include "check/secret.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"

/* What a flagged file looked like in the layer that last wrote it. */
struct fstate {
	int layer;
	uint32_t mode;
	uint64_t size;
	unsigned kind; /* FS_* */
};

enum { FS_SETID = 1, FS_WORLDW = 2, FS_CACHE = 4 };

/* A secret as found; deleted_in >= 0 when a later layer removed or replaced the file. */
struct secret {
	char *path, *rule, *title, *masked, *line_text;
	bh_severity sev;
	unsigned long line;
	int layer, deleted_in;
};

struct bh_imgcheck {
	bh_imgcheck_opts o;
	bh_entry_hook hook;
	bh_map files; /* path -> struct fstate, only flagged entries */
	bh_secret_rules *rules;
	struct secret *sec;
	size_t nsec, capsec;
	int cur_layer;
	const char *cur_path;
	uint64_t secret_files, secret_bytes;
	bool sec_capped;
	bh_buf body; /* content read for the secret scan alone, kept across files (see read_body) */
};

/* A hostile image can hold millions of fake keys: past this many the rest are counted, not kept. */
#define MAX_SECRETS 100000

/* ---- rules ---- */

#define PKG_FIX "Remove the package from the image (apt-get purge / apk del) and use docker exec for administration."

enum {
	R_ROOT, R_HEALTH, R_ENV_SECRET, R_LABEL_SECRET, R_PORT, R_CURL_SH, R_ADD_URL, R_TAG, R_AGE, R_SETID,
	R_WORLDW, R_CACHE, R_SUDO, R_SSHD, R_COUNT
};

/* Findings of R_TAG, R_WORLDW and R_CACHE say which case they are (title, fix); the table has the general text. */
const bh_rule bh_imgcheck_rules[R_COUNT] = {
	[R_ROOT] = { "BH-IMG-001", "4.1", BH_SEV_HIGH, "Image runs as root",
		"A process that breaks out of the application runs with root's rights in the container and, "
		"without user namespaces, as root on the host's files it can reach.",
		"Create an unprivileged user and switch to it: RUN useradd -r -u 10001 app && USER 10001" },
	[R_HEALTH] = { "BH-IMG-002", "4.6", BH_SEV_LOW, "No HEALTHCHECK in the image",
		"Without a health check the engine cannot tell a hung service from a working one, so it is never restarted.",
		"Add a HEALTHCHECK instruction, e.g. HEALTHCHECK CMD curl -fs http://localhost:8080/health || exit 1" },
	[R_ENV_SECRET] = { "BH-IMG-003", "4.10", BH_SEV_HIGH, "Secret in an environment variable of the image",
		"ENV values are stored in the image config: anyone who can pull the image can read them, and every "
		"container inherits them.",
		"Pass the secret at run time (docker run --env-file, a secrets manager, or a mounted secret file) or use "
		"RUN --mount=type=secret during the build." },
	[R_LABEL_SECRET] = { "BH-IMG-004", "4.10", BH_SEV_HIGH, "Secret in an image label",
		"Labels are part of the image config and visible to anyone who can inspect or pull the image.",
		"Remove the label and rotate the credential." },
	[R_PORT] = { "BH-IMG-005", NULL, BH_SEV_MEDIUM, "Image exposes a remote-access port",
		"Remote shells and management APIs inside a container bypass the engine's access control "
		"(docker exec) and widen the attack surface.",
		"Remove the EXPOSE and the service; use docker exec or kubectl exec for access." },
	[R_CURL_SH] = { "BH-IMG-006", "4.11", BH_SEV_HIGH, "Remote script piped into a shell during the build",
		"The script is run unverified: whoever controls the server (or the network path) decides what runs "
		"as root in the build.",
		"Download to a file, verify a pinned checksum or signature (sha256sum -c), then run it; or install "
		"from the distribution's signed packages." },
	[R_ADD_URL] = { "BH-IMG-007", "4.9", BH_SEV_MEDIUM, "ADD fetches a remote URL",
		"ADD downloads without verifying what it got, and the content can change between builds.",
		"Use ADD --checksum=sha256:... (BuildKit) or RUN curl -fsSLo f URL && echo \"SUM  f\" | sha256sum -c -" },
	[R_TAG] = { "BH-IMG-008", NULL, BH_SEV_LOW, "Image is tagged latest or has no tag",
		"A moving or missing tag makes deployments unrepeatable and hides which build (and which "
		"vulnerabilities) is running.",
		"Tag every build with an immutable version (v1.4.2, a git sha) and deploy by digest." },
	[R_AGE] = { "BH-IMG-009", "4.4", BH_SEV_LOW, "Image has not been rebuilt for a long time",
		"Distribution security fixes only reach an image when it is rebuilt.",
		"Rebuild regularly (weekly) from an updated base image and redeploy." },
	[R_SETID] = { "BH-IMG-010", "4.8", BH_SEV_MEDIUM, "File with setuid or setgid permission",
		"A setuid/setgid binary runs with its owner's rights whoever starts it: a bug in it is a way to root inside the container.",
		"Remove the bits where the program is not needed: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +" },
	[R_WORLDW] = { "BH-IMG-011", NULL, BH_SEV_MEDIUM, "World-writable file, or directory without the sticky bit",
		"Any user in the container can change it: a way to tamper with programs, configuration or other users' files.",
		"chmod o-w (or chmod +t for a shared scratch directory)" },
	[R_CACHE] = { "BH-IMG-012", NULL, BH_SEV_LOW, "Package manager cache left in the image",
		"Caches make the image bigger and ship package indexes and downloads nobody needs at run time.",
		"Clean the cache in the RUN that fills it (apt-get clean, apk add --no-cache, pip install --no-cache-dir, ...)." },
	[R_SUDO] = { "BH-IMG-013", "4.3", BH_SEV_MEDIUM, "sudo is installed",
		"sudo in an image means something expects to gain root inside the container; a compromised process can try the same.",
		PKG_FIX },
	[R_SSHD] = { "BH-IMG-014", "4.3", BH_SEV_MEDIUM, "An SSH server is installed",
		"An SSH daemon in a container is a second way in that bypasses the engine's access control and needs its own keys and patching.",
		PKG_FIX },
};

const size_t bh_imgcheck_rule_count = R_COUNT;

/* Every BH-SECRET-<pattern> finding; its severity and pattern title (in the detail) come from the secret rule. */
const bh_rule bh_imgcheck_secret_rule = { "BH-SECRET-", "4.10", BH_SEV_HIGH, "Secret in the image",
	"Anyone who can pull the image can read the credential and use it.",
	"Revoke and rotate the credential, remove it from the build (use RUN --mount=type=secret or runtime secrets), and rebuild." };

void bh_imgcheck_opts_default(bh_imgcheck_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->config = true;
	o->secrets = true;
	o->max_age_days = 365;
	o->secret_max_file = 10u << 20;
}

/* Package manager caches that images ship by mistake: the files below these directories. */
static const struct {
	const char *dir;
	const char *tool;
	const char *fix;
} caches[] = {
	{ "var/cache/apt/archives", "apt", "RUN apt-get install ... && apt-get clean && rm -rf /var/lib/apt/lists/*" },
	{ "var/lib/apt/lists", "apt", "RUN apt-get update && apt-get install ... && rm -rf /var/lib/apt/lists/* in the same RUN" },
	{ "var/cache/apk", "apk", "apk add --no-cache ..." },
	{ "var/cache/yum", "yum", "yum install ... && yum clean all" },
	{ "var/cache/dnf", "dnf", "dnf install ... && dnf clean all" },
	{ "root/.cache/pip", "pip", "pip install --no-cache-dir ..." },
	{ "root/.npm/_cacache", "npm", "npm ci && npm cache clean --force (same RUN)" },
	{ "usr/local/share/.cache/yarn", "yarn", "yarn install && yarn cache clean (same RUN)" },
	{ "root/.cache/go-build", "go", "build in a separate stage; copy only the binary" },
};

static int cache_of(const char *path)
{
	size_t i, n;
	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		n = strlen(caches[i].dir);
		if (!strncmp(path, caches[i].dir, n) && path[n] == '/' && path[n + 1])
			return (int)i;
	}
	return -1;
}

/* apt keeps a "lock" file and a "partial" directory in its cache dirs even when clean. */
static bool cache_noise(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return !strcmp(b, "lock") || !strcmp(b, "partial") || strstr(path, "/partial/") != NULL;
}

static unsigned flags_of(bh_entry_kind kind, const char *path, uint32_t mode)
{
	unsigned f = 0;
	if (kind == BH_ENTRY_FILE && (mode & (S_ISUID | S_ISGID)))
		f |= FS_SETID;
	/* World-writable: sticky directories (/tmp) are meant to be; symlinks always show 0777. */
	if ((kind == BH_ENTRY_FILE || kind == BH_ENTRY_DIR) && (mode & S_IWOTH) && !(kind == BH_ENTRY_DIR && (mode & S_ISVTX)))
		f |= FS_WORLDW;
	if (kind == BH_ENTRY_FILE && cache_of(path) >= 0 && !cache_noise(path))
		f |= FS_CACHE;
	return f;
}

/* path itself and, when subtree, everything below it: gone (deleted or replaced) at layer. */
static void drop(bh_imgcheck *c, const char *path, bool self, bool subtree, int layer)
{
	size_t i, n = strlen(path);
	const char *k;
	void *v;
	if (self)
		bh_map_del(&c->files, path);
	if (subtree) {
		for (i = 0; bh_map_next(&c->files, &i, &k, &v);)
			if ((!n || (!strncmp(k, path, n) && k[n] == '/')) && ((struct fstate *)v)->layer < layer)
				bh_map_del(&c->files, k);
	}
	for (i = 0; i < c->nsec; i++) {
		struct secret *s = &c->sec[i];
		size_t pn = strlen(s->path);
		if (s->deleted_in >= 0 || s->layer >= layer)
			continue;
		if ((self && !strcmp(s->path, path)) || (subtree && (!n || (pn > n && !strncmp(s->path, path, n) && s->path[n] == '/'))))
			s->deleted_in = layer;
	}
}

static int on_entry(void *ctx, int layer, bh_entry_kind kind, const char *path, uint32_t mode, uint64_t size, bh_error *err)
{
	bh_imgcheck *c = ctx;
	unsigned f;
	switch (kind) {
	case BH_ENTRY_WHITEOUT:
		drop(c, path, true, true, layer);
		return 0;
	case BH_ENTRY_OPAQUE:
		drop(c, path, false, true, layer);
		return 0;
	case BH_ENTRY_DIR:
		/* A directory merges with what is below; it only replaces a non-directory at its path. */
		drop(c, path, true, false, layer);
		break;
	default:
		drop(c, path, true, true, layer);
		break;
	}
	if (!c->o.config || !(f = flags_of(kind, path, mode)))
		return 0;
	{
		struct fstate *st = malloc(sizeof(*st));
		if (!st)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		st->layer = layer;
		st->mode = mode;
		st->size = size;
		st->kind = f;
		if (bh_map_put(&c->files, path, st)) {
			free(st);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static bool wants(void *ctx, const char *path, uint32_t mode, uint64_t size)
{
	bh_imgcheck *c = ctx;
	return c->rules && bh_secret_wants(path, size, c->o.secret_max_file);
}

static int on_hit(void *ctx, const bh_secret_hit *h)
{
	bh_imgcheck *c = ctx;
	struct secret *s;
	if (c->nsec >= MAX_SECRETS) {
		if (!c->sec_capped)
			bh_log_warn("more than %d secrets in this image: the rest are not reported", MAX_SECRETS);
		c->sec_capped = true;
		return 0;
	}
	if (c->nsec == c->capsec) {
		size_t ncap = c->capsec ? c->capsec * 2 : 16, bytes;
		struct secret *n;
		if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(c->sec, bytes)))
			return BH_ENOMEM;
		c->sec = n;
		c->capsec = ncap;
	}
	s = &c->sec[c->nsec];
	memset(s, 0, sizeof(*s));
	s->path = bh_strdup(c->cur_path);
	s->rule = bh_strdup(h->rule);
	s->title = bh_strdup(h->title);
	s->masked = bh_strdup(h->masked ? h->masked : "");
	s->line_text = h->line_text ? bh_strdup(h->line_text) : NULL;
	s->sev = h->severity;
	s->line = h->line;
	s->layer = c->cur_layer;
	s->deleted_in = -1;
	if (!s->path || !s->rule || !s->title || !s->masked) {
		free(s->path); free(s->rule); free(s->title); free(s->masked); free(s->line_text);
		return BH_ENOMEM;
	}
	c->nsec++;
	return 0;
}

/* Above this the buffer is given back after the file: one huge file must not pin its size. */
#define BODY_KEEP (16u << 20)

/*
 * The file's content: the copy an analyzer already holds, else read into c->body, which is reused
 * from file to file (bh_file_slurp's fresh allocation per file costs a page fault per 4 KiB read,
 * and most files the secret scan reads are read for it alone). Same bounds as bh_file_slurp:
 * nothing over max-file-read. Non-zero = skip the file.
 */
static int read_body(bh_imgcheck *c, bh_file *f, const unsigned char **d, size_t *n, bh_error *err)
{
	uint64_t max = f->limits ? f->limits->max_file_read : (256ULL << 20);
	if (f->content) {
		*d = f->content;
		*n = f->content_len;
		return 0;
	}
	if (f->consumed || f->size > max || f->size > SIZE_MAX / 2)
		return BH_ELIMIT;
	bh_buf_reset(&c->body);
	if (bh_buf_grow(&c->body, (size_t)f->size + 65536))
		return BH_ENOMEM;
	for (;;) {
		size_t got;
		int rc;
		if (bh_buf_grow(&c->body, 65536))
			return BH_ENOMEM;
		if ((rc = bh_file_read(f, c->body.data + c->body.len, 65536, &got, err)))
			return rc;
		if (!got)
			break;
		c->body.len += got;
		if (c->body.len > max)
			return BH_ELIMIT;
	}
	*d = (const unsigned char *)c->body.data;
	*n = c->body.len;
	return 0;
}

static int on_content(void *ctx, int layer, bh_file *f, bh_error *err)
{
	bh_imgcheck *c = ctx;
	const unsigned char *d;
	size_t n;
	bh_error ferr;
	int rc;
	if (read_body(c, f, &d, &n, &ferr)) {
		bh_buf_free(&c->body); /* also clears a failed mark */
		return 0; /* too large or unreadable: the inventory already warned if it mattered */
	}
	c->cur_layer = layer;
	c->cur_path = f->path;
	c->secret_files++;
	c->secret_bytes += n;
	rc = bh_secret_scan(c->rules, f->path, d, n, on_hit, c, err);
	if (c->body.cap > BODY_KEEP)
		bh_buf_free(&c->body);
	if (rc == BH_ENOMEM)
		return bh_error_set(err, rc, "/%s: out of memory", f->path);
	return 0;
}

int bh_imgcheck_new(const bh_imgcheck_opts *o, bh_imgcheck **out, bh_error *err)
{
	bh_imgcheck *c = calloc(1, sizeof(*c));
	int rc;
	if (!c)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	c->o = *o;
	bh_map_init(&c->files, free);
	if (o->secrets && (rc = bh_secret_rules_new(o->secret_rules, &c->rules, err))) {
		bh_imgcheck_free(c);
		return rc;
	}
	c->hook.entry = on_entry;
	c->hook.wants = wants;
	c->hook.content = on_content;
	c->hook.ctx = c;
	*out = c;
	return 0;
}

const bh_entry_hook *bh_imgcheck_hook(bh_imgcheck *c)
{
	return &c->hook;
}

void bh_imgcheck_free(bh_imgcheck *c)
{
	size_t i;
	if (!c)
		return;
	bh_map_free(&c->files);
	for (i = 0; i < c->nsec; i++) {
		free(c->sec[i].path); free(c->sec[i].rule); free(c->sec[i].title);
		free(c->sec[i].masked); free(c->sec[i].line_text);
	}
	free(c->sec);
	bh_secret_rules_free(c->rules);
	bh_buf_free(&c->body);
	free(c);
}

/* ---- config checks ---- */

/* A finding of rule r about the image config; title NULL = the rule's. */
static int add(bh_checks *out, int r, const char *target, const char *title, const char *detail)
{
	bh_check_at at;
	memset(&at, 0, sizeof(at));
	at.category = "image-config";
	at.target = target;
	at.title = title;
	at.detail = detail;
	return bh_checks_emit(out, &bh_imgcheck_rules[r], &at);
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

/* Variable names that hold credentials; *_FILE / *_PATH variables point at them instead. */
static bool secret_name(const char *name, size_t n)
{
	static const char *const words[] = { "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY",
					     "ACCESS_KEY", "CREDENTIAL", "AUTH_KEY" };
	char buf[256];
	size_t i, len = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (len > 5 && (!strcasecmp(&buf[len - 5], "_FILE") || !strcasecmp(&buf[len - 5], "_PATH")))
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ci_contains(buf, words[i]))
			return true;
	return false;
}

/* Values that are clearly not secrets: empty, references, placeholders. */
static bool placeholder(const char *v)
{
	size_t n = strlen(v), i;
	if (n < 4 || v[0] == '$' || v[0] == '/' || v[0] == '<' || !strncmp(v, "{{", 2))
		return true;
	if (ci_contains(v, "changeme") || ci_contains(v, "example") || ci_contains(v, "placeholder") || ci_contains(v, "xxxx"))
		return true;
	for (i = 1; i < n && v[i] == v[0]; i++)
		;
	return i == n;
}

static void mask(const char *v, char *out, size_t outsz)
{
	size_t n = strlen(v), keep = n > 12 ? 3 : 1, i;
	snprintf(out, outsz, "%.*s", (int)keep, v);
	for (i = keep; i < n && i < 24 && i + 1 < outsz; i++)
		out[i] = '*';
	out[i < outsz ? i : outsz - 1] = '\0';
}

/* Whether the first word of w is lit (and more words follow). */
static bool word_is(const char *w, const char *lit)
{
	size_t n = strlen(lit);
	return !strncmp(w, lit, n) && (w[n] == ' ' || w[n] == '\t');
}

static const char *skip_word(const char *p)
{
	p += strcspn(p, " \t");
	return p + strspn(p, " \t");
}

int bh_imgcheck_history_fetch_exec(const char *created_by, bool *found)
{
	/* Instructions BuildKit records by name that run nothing at build time. */
	static const char *const quiet[] = { "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
					     "MAINTAINER", "ONBUILD", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR" };
	const char *p = created_by + strspn(created_by, " \t"), *sh;
	size_t i;
	*found = false;
	if (word_is(p, "RUN"))
		p = skip_word(p); /* BuildKit: "RUN /bin/sh -c CMD # buildkit" */
	else
		for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
			if (word_is(p, quiet[i]))
				return 0;
	/* "|N K=V ..." : the N build arguments a RUN saw, recorded before the command */
	if (p[0] == '|' && isdigit((unsigned char)p[1])) {
		unsigned long n = strtoul(p + 1, NULL, 10);
		for (p = skip_word(p), i = 0; i < n && *p; i++)
			p = skip_word(p);
	}
	/* "/bin/sh -c SCRIPT": the shell form, SCRIPT as written (a "#(nop) ..." script is a comment) */
	sh = p;
	p = skip_word(p);
	{
		size_t n = strcspn(sh, " \t");
		const char *b = sh;
		for (i = 0; i < n; i++)
			if (sh[i] == '/')
				b = sh + i + 1;
		n -= (size_t)(b - sh);
		if (((n == 2 && !strncmp(b, "sh", 2)) || (n == 4 && !strncmp(b, "bash", 4))) && word_is(p, "-c"))
			return bh_dockerfile_fetch_exec(skip_word(p), found);
	}
	/* the exec form, its words joined by spaces */
	return bh_dockerfile_fetch_exec(sh, found);
}

/* "ADD https://..." in a history line (Docker, buildah and BuildKit spellings). */
static bool add_url(const char *cmd)
{
	const char *p = strstr(cmd, "ADD ");
	bool checksum = false;
	if (!p)
		return false;
	for (p += 4;;) {
		while (*p == ' ')
			p++;
		if (p[0] != '-' || p[1] != '-')
			break;
		if (!strncmp(p, "--checksum=", 11))
			checksum = true; /* BuildKit verifies the download */
		p += strcspn(p, " ");
	}
	return !checksum && (!strncasecmp(p, "http://", 7) || !strncasecmp(p, "https://", 8));
}

static long long parse_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			  &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

int bh_imgcheck_config(const json_t *config, const char *target, const char *const *repo_tags, size_t ntags,
		       const bh_imgcheck_opts *o, bh_checks *out, bh_error *err)
{
	const json_t *cc = json_object_get(config, "config");
	const char *user = json_string_value(json_object_get(cc, "User"));
	const json_t *hc = json_object_get(cc, "Healthcheck"), *env = json_object_get(cc, "Env");
	const json_t *labels = json_object_get(cc, "Labels"), *ports = json_object_get(cc, "ExposedPorts");
	const json_t *hist = json_object_get(config, "history");
	char detail[512];
	size_t i;
	int rc = 0;

	if (!json_is_object(config))
		return 0;
	/* CIS 4.1: no USER (or USER root/0, with or without a group) runs everything as root. */
	if (!user || !*user || !strcmp(user, "root") || !strcmp(user, "0") || !strncmp(user, "0:", 2) || !strncmp(user, "root:", 5)) {
		snprintf(detail, sizeof(detail), "config.User is %s%s%s", user && *user ? "\"" : "", user && *user ? user : "not set",
			 user && *user ? "\"" : "");
		rc |= add(out, R_ROOT, target, NULL, detail);
	}
	/* CIS 4.6 */
	{
		const json_t *test = json_object_get(hc, "Test");
		const char *t0 = json_string_value(json_array_get(test, 0));
		if (!hc || !json_is_array(test) || json_array_size(test) == 0 || (t0 && !strcmp(t0, "NONE")))
			rc |= add(out, R_HEALTH, target, NULL, hc ? "config.Healthcheck.Test is NONE" : "config.Healthcheck is not set");
	}
	/* CIS 4.10: credentials baked into ENV are readable by anyone who can pull the image. */
	for (i = 0; i < json_array_size(env); i++) {
		const char *kv = json_string_value(json_array_get(env, i)), *eq;
		char m[32];
		if (!kv || !(eq = strchr(kv, '=')) || !secret_name(kv, (size_t)(eq - kv)) || placeholder(eq + 1))
			continue;
		mask(eq + 1, m, sizeof(m));
		snprintf(detail, sizeof(detail), "ENV %.*s=%s", (int)(eq - kv > 100 ? 100 : eq - kv), kv, m);
		rc |= add(out, R_ENV_SECRET, target, NULL, detail);
	}
	{
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)labels, k, v) {
			const char *val = json_string_value(v);
			char m[32];
			if (!val || !secret_name(k, strlen(k)) || placeholder(val))
				continue;
			mask(val, m, sizeof(m));
			snprintf(detail, sizeof(detail), "LABEL %.100s=%s", k, m);
			rc |= add(out, R_LABEL_SECRET, target, NULL, detail);
		}
	}
	/* Remote-access and management services published by the image. */
	{
		const char *k;
		json_t *v;
		static const struct {
			const char *port, *what;
		} risky[] = { { "22", "SSH" }, { "23", "telnet" }, { "21", "FTP" }, { "3389", "RDP" }, { "5900", "VNC" },
			      { "2375", "the Docker API without TLS" }, { "2376", "the Docker API" }, { "6443", "the Kubernetes API" },
			      { "10250", "the kubelet API" } };
		json_object_foreach((json_t *)ports, k, v) {
			size_t j, n = strcspn(k, "/");
			for (j = 0; j < sizeof(risky) / sizeof(risky[0]); j++) {
				if (strlen(risky[j].port) != n || strncmp(k, risky[j].port, n) != 0)
					continue;
				snprintf(detail, sizeof(detail), "EXPOSE %s (%s)", k, risky[j].what);
				rc |= add(out, R_PORT, target, NULL, detail);
			}
		}
	}
	/* History: how the layers were made. */
	for (i = 0; i < json_array_size(hist); i++) {
		const char *cb = json_string_value(json_object_get(json_array_get(hist, i), "created_by"));
		bool fetch_exec = false;
		if (!cb)
			continue;
		if (bh_imgcheck_history_fetch_exec(cb, &fetch_exec))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if (fetch_exec) {
			snprintf(detail, sizeof(detail), "history[%zu]: %.300s", i, cb);
			rc |= add(out, R_CURL_SH, target, NULL, detail);
		}
		if (add_url(cb)) {
			snprintf(detail, sizeof(detail), "history[%zu]: %.300s", i, cb);
			rc |= add(out, R_ADD_URL, target, NULL, detail);
		}
	}
	/* Tag: latest or none means nobody knows which build runs. */
	{
		bool latest = false, tagged = false;
		for (i = 0; i < ntags; i++) {
			const char *t = repo_tags[i], *colon = strrchr(t, ':');
			if (colon && !strchr(colon, '/')) {
				tagged = true;
				if (!strcmp(colon + 1, "latest"))
					latest = true;
			}
		}
		if (latest || (!tagged && ntags == 0 && target && strchr(target, ':') == NULL)) {
			snprintf(detail, sizeof(detail), latest ? "tag \"latest\"" : "no tag");
			rc |= add(out, R_TAG, target, latest ? "Image is tagged latest" : "Image has no tag", detail);
		}
	}
	/* CIS 4.4: an old image has not been rebuilt with the security fixes since. */
	if (o->max_age_days) {
		long long created = parse_time(json_string_value(json_object_get(config, "created")));
		long long now = o->now ? o->now : (long long)time(NULL);
		if (created > 0 && now > created && (now - created) / 86400 > (long long)o->max_age_days) {
			snprintf(detail, sizeof(detail), "created %s (%lld days ago; limit %u)", json_string_value(json_object_get(config, "created")),
				 (now - created) / 86400, o->max_age_days);
			rc |= add(out, R_AGE, target, NULL, detail);
		}
	}
	return rc ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
}

static const char *layer_name(const bh_sbom *s, int layer, char *buf, size_t n)
{
	if (layer < 0)
		return NULL;
	if ((size_t)layer < s->nlayers && s->layers[layer].digest)
		snprintf(buf, n, "layer %d (%.19s)", layer + 1, s->layers[layer].digest);
	else
		snprintf(buf, n, "layer %d", layer + 1);
	return buf;
}

static int file_findings(bh_imgcheck *c, const bh_sbom *s, const char *target, bh_checks *out)
{
	const char *k;
	void *v;
	size_t i;
	uint64_t ccount[sizeof(caches) / sizeof(caches[0])] = { 0 }, cbytes[sizeof(caches) / sizeof(caches[0])] = { 0 };
	int clayer[sizeof(caches) / sizeof(caches[0])];
	char detail[600], lname[64];
	int rc = 0;

	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++)
		clayer[i] = -1;
	for (i = 0; bh_map_next(&c->files, &i, &k, &v);) {
		const struct fstate *st = v;
		bh_check_at at;
		memset(&at, 0, sizeof(at));
		at.category = "image-config";
		at.target = target;
		at.layer = layer_name(s, st->layer, lname, sizeof(lname));
		if (st->kind & FS_SETID) {
			char p[4200];
			snprintf(p, sizeof(p), "/%s", k);
			snprintf(detail, sizeof(detail), "/%s mode %04o (%s%s)", k, st->mode & 07777, st->mode & S_ISUID ? "setuid" : "",
				 (st->mode & S_ISUID) && (st->mode & S_ISGID) ? "+setgid" : st->mode & S_ISGID ? "setgid" : "");
			at.path = p;
			at.detail = detail;
			rc |= bh_checks_emit(out, &bh_imgcheck_rules[R_SETID], &at);
		}
		if (st->kind & FS_WORLDW) {
			char p[4200];
			snprintf(p, sizeof(p), "/%s", k);
			snprintf(detail, sizeof(detail), "/%s mode %04o", k, st->mode & 07777);
			at.path = p;
			at.detail = detail;
			at.title = S_ISDIR(st->mode) ? "World-writable directory without the sticky bit" : "World-writable file";
			at.fix = S_ISDIR(st->mode) ? NULL : "chmod o-w";
			rc |= bh_checks_emit(out, &bh_imgcheck_rules[R_WORLDW], &at);
		}
		if (st->kind & FS_CACHE) {
			int ci = cache_of(k);
			if (ci >= 0) {
				ccount[ci]++;
				cbytes[ci] += st->size;
				if (st->layer > clayer[ci])
					clayer[ci] = st->layer;
			}
		}
	}
	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		bh_check_at at;
		char p[300];
		if (!ccount[i])
			continue;
		snprintf(p, sizeof(p), "/%s", caches[i].dir);
		snprintf(detail, sizeof(detail), "%llu files, %llu bytes of %s cache under /%s", (unsigned long long)ccount[i],
			 (unsigned long long)cbytes[i], caches[i].tool, caches[i].dir);
		memset(&at, 0, sizeof(at));
		at.category = "image-config";
		at.target = target;
		at.path = p;
		at.layer = layer_name(s, clayer[i], lname, sizeof(lname));
		at.detail = detail;
		at.fix = caches[i].fix;
		rc |= bh_checks_emit(out, &bh_imgcheck_rules[R_CACHE], &at);
	}
	/* CIS 4.3: packages that have no business in a container image. */
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *cp = s->comps.items[i];
		bh_check_at at;
		int r;
		if (!cp->name || (cp->eco != BH_ECO_DEB && cp->eco != BH_ECO_APK && cp->eco != BH_ECO_RPM))
			continue;
		if (!strcmp(cp->name, "sudo"))
			r = R_SUDO;
		else if (!strcmp(cp->name, "openssh-server"))
			r = R_SSHD;
		else
			continue;
		snprintf(detail, sizeof(detail), "package %s %s", cp->name, cp->version ? cp->version : "");
		memset(&at, 0, sizeof(at));
		at.category = "image-config";
		at.target = target;
		at.path = cp->path;
		at.layer = layer_name(s, cp->layer, lname, sizeof(lname));
		at.detail = detail;
		rc |= bh_checks_emit(out, &bh_imgcheck_rules[r], &at);
	}
	return rc ? BH_ENOMEM : 0;
}

static int secret_findings(bh_imgcheck *c, const bh_sbom *s, const char *target, bh_checks *out)
{
	size_t i;
	int rc = 0;
	for (i = 0; i < c->nsec; i++) {
		const struct secret *x = &c->sec[i];
		bh_check_at at;
		char rule[160], p[4200], detail[700], lname[64], dl[64];
		snprintf(rule, sizeof(rule), "BH-SECRET-%s", x->rule);
		snprintf(p, sizeof(p), "/%s", x->path);
		if (x->deleted_in >= 0)
			snprintf(detail, sizeof(detail), "%s: %s (deleted in %s, but still in the earlier layer's blob)", x->title,
				 x->line_text ? x->line_text : x->masked, layer_name(s, x->deleted_in, dl, sizeof(dl)));
		else
			snprintf(detail, sizeof(detail), "%s: %s", x->title, x->line_text ? x->line_text : x->masked);
		memset(&at, 0, sizeof(at));
		at.id = rule;
		at.category = "secret";
		at.severity = x->sev;
		at.target = target;
		at.path = p;
		at.line = x->line;
		at.layer = layer_name(s, x->layer, lname, sizeof(lname));
		at.detail = detail;
		if (x->deleted_in >= 0) {
			at.title = "Secret in a layer (deleted later, still extractable)";
			at.why = "Deleting a file in a later layer does not remove it from the image: anyone who pulls the image can extract the earlier layer.";
		}
		rc |= bh_checks_emit(out, &bh_imgcheck_secret_rule, &at);
	}
	return rc ? BH_ENOMEM : 0;
}

int bh_imgcheck_finish(bh_imgcheck *c, const bh_sbom *s, bh_checks *out, bh_error *err)
{
	const char *target = s->name ? s->name : s->input;
	int rc = 0;
	if (c->o.config && s->config &&
	    (rc = bh_imgcheck_config(s->config, target, (const char *const *)s->repo_tags, s->nrepo_tags, &c->o, out, err)))
		return rc;
	if (c->o.config && file_findings(c, s, target, out))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (secret_findings(c, s, target, out))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	return 0;
}
