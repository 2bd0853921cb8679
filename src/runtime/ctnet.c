/* ctnet.c - running containers with their networks and cgroup ids: engine list + inspect (each container inspected once while its init lives), /proc/PID/cgroup for the cgroup v2 dir. */
#include "runtime/ctnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/limits.h"
#include "engine/engine.h"

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

int bh_ctnet_addr_parse(const char *s, uint8_t out[16])
{
	struct in_addr a4;

	if (!s || !*s)
		return -1;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int bh_ctnet_cidr_parse(const char *s, uint8_t out[16], unsigned *prefix)
{
	char tmp[64];
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t len = !s ? 0 : slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (bh_ctnet_addr_parse(tmp, out))
		return -1;
	max = bh_ctnet_addr_is_v4(out) && !strchr(tmp, ':') ? 32 : 128;
	*prefix = 128;
	if (slash) {
		char *end;
		unsigned long v;
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		v = strtoul(slash + 1, &end, 10);
		if (*end || v > max)
			return -1;
		*prefix = (unsigned)v + (128 - max);
	}
	return 0;
}

bool bh_ctnet_cidr_contains(const uint8_t net[16], unsigned prefix, const uint8_t a[16])
{
	unsigned full = prefix / 8, rest = prefix % 8;
	if (prefix > 128 || memcmp(net, a, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xFF << (8 - rest));
		return (net[full] & m) == (a[full] & m);
	}
	return true;
}

bool bh_ctnet_addr_is_v4(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a, pfx, 12) == 0;
}

void bh_ctnet_addr_str(const uint8_t a[16], char *buf, size_t n)
{
	if (!inet_ntop(bh_ctnet_addr_is_v4(a) ? AF_INET : AF_INET6, bh_ctnet_addr_is_v4(a) ? a + 12 : a, buf, (socklen_t)n))
		copy_str(buf, n, "?");
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void parse_net(const char *name, const json_t *n, bh_ctnet_net *out)
{
	memset(out, 0, sizeof(*out));
	copy_str(out->name, sizeof(out->name), name);
	out->has4 = bh_ctnet_addr_parse(jstr(n, "IPAddress"), out->ip4) == 0;
	out->has6 = bh_ctnet_addr_parse(jstr(n, "GlobalIPv6Address"), out->ip6) == 0;
	out->hasgw4 = bh_ctnet_addr_parse(jstr(n, "Gateway"), out->gw4) == 0;
	out->hasgw6 = bh_ctnet_addr_parse(jstr(n, "IPv6Gateway"), out->gw6) == 0;
	out->prefix4 = (int)json_integer_value(json_object_get(n, "IPPrefixLen"));
	out->prefix6 = (int)json_integer_value(json_object_get(n, "GlobalIPv6PrefixLen"));
	if (out->prefix4 < 0 || out->prefix4 > 32)
		out->prefix4 = 0;
	if (out->prefix6 < 0 || out->prefix6 > 128)
		out->prefix6 = 0;
}

static bool hex64(const char *s)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == 0;
}

void bh_ctnet_ct_clear(bh_ctnet_ct *ct)
{
	if (!ct)
		return;
	json_decref(ct->labels);
	memset(ct, 0, sizeof(*ct));
}

int bh_ctnet_parse_inspect(const json_t *doc, bh_ctnet_ct *ct, bh_error *err)
{
	const json_t *cfg = json_object_get(doc, "Config"), *labels = json_object_get(cfg, "Labels");
	const json_t *ns = json_object_get(doc, "NetworkSettings"), *nets = json_object_get(ns, "Networks");
	const char *id = jstr(doc, "Id"), *name = jstr(doc, "Name"), *img = jstr(doc, "Image");
	const char *mode = jstr(json_object_get(doc, "HostConfig"), "NetworkMode");
	json_int_t pid = json_integer_value(json_object_get(json_object_get(doc, "State"), "Pid"));
	const char *k;
	json_t *v;

	memset(ct, 0, sizeof(*ct));
	if (!json_is_object(doc) || !hex64(id))
		return bh_error_set(err, BH_EINVAL, "container inspect document: no 64-hex Id");
	copy_str(ct->id, sizeof(ct->id), id);
	copy_str(ct->name, sizeof(ct->name), name + (name[0] == '/'));
	copy_str(ct->image, sizeof(ct->image), jstr(cfg, "Image"));
	if (!ct->image[0])
		copy_str(ct->image, sizeof(ct->image), jstr(doc, "ImageName"));
	/* podman's compat API gives the image id without its algorithm */
	if (strlen(img) == 64 && hex64(img))
		snprintf(ct->digest, sizeof(ct->digest), "sha256:%s", img);
	else
		copy_str(ct->digest, sizeof(ct->digest), img);
	ct->pid = pid > 0 && pid < (1 << 30) ? (int)pid : 0;
	ct->host_network = !strcmp(mode, "host");
	ct->labels = json_is_object(labels) ? json_deep_copy(labels) : json_object();
	if (!ct->labels)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	json_object_foreach((json_t *)nets, k, v) {
		if (ct->nnets == BH_CTNET_MAX_NETS)
			break;
		parse_net(k, v, &ct->nets[ct->nnets++]);
	}
	/* docker's default network sits at the top level only in old versions */
	if (ct->nnets == 0 && json_is_string(json_object_get(ns, "IPAddress")) && jstr(ns, "IPAddress")[0])
		parse_net("bridge", ns, &ct->nets[ct->nnets++]);
	return 0;
}

const char *bh_ctnet_cgroup_root(void)
{
	struct stat st;
	return stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
}

uint64_t bh_ctnet_cgroup(int pid, const char *cgroup_root, char *cgpath, size_t cgn)
{
	char path[64], line[4096], full[4600];
	struct stat st;
	uint64_t id = 0;
	FILE *f;

	if (cgpath && cgn)
		cgpath[0] = 0;
	if (pid <= 0)
		return 0;
	if (!cgroup_root)
		cgroup_root = bh_ctnet_cgroup_root();
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s%s", cgroup_root, line + 3) < sizeof(full) && stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			id = (uint64_t)st.st_ino;
			if (cgpath && cgn)
				copy_str(cgpath, cgn, line + 3);
		}
		break;
	}
	fclose(f);
	return id;
}

uint64_t bh_ctnet_cgroup_id(int pid, const char *cgroup_root)
{
	return bh_ctnet_cgroup(pid, cgroup_root, NULL, 0);
}

static void add_repo_digests(const char *host, bh_ctnet_ct *ct)
{
	json_t *doc = NULL, *rd;
	bh_limits lim;
	bh_error e;
	size_t i;

	if (!ct->digest[0])
		return;
	bh_limits_default(&lim);
	if (bh_engine_image_inspect(host, ct->digest, &lim, &doc, &e))
		return;
	rd = json_object_get(doc, "RepoDigests");
	for (i = 0; i < json_array_size(rd) && ct->nrepo_digests < BH_CTNET_MAX_REPO_DIGESTS; i++)
		if (json_is_string(json_array_get(rd, i)))
			copy_str(ct->repo_digests[ct->nrepo_digests++], sizeof(ct->repo_digests[0]), json_string_value(json_array_get(rd, i)));
	json_decref(doc);
}

int bh_ctnet_list(const char *engine_host, const bh_ctnet *prev, bh_ctnet *out, bh_error *err)
{
	json_t *list = NULL;
	bh_limits lim;
	bh_ctnet n = { NULL, 0 };
	size_t i;
	int rc;

	size_t cnt;

	bh_limits_default(&lim);
	if ((rc = bh_engine_container_list(engine_host, &lim, &list, err)))
		return rc;
	cnt = json_array_size(list);
	if (cnt && !(n.v = calloc(cnt, sizeof(*n.v)))) {
		json_decref(list);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	for (i = 0; n.v && i < cnt; i++) {
		const char *id = jstr(json_array_get(list, i), "Id");
		const bh_ctnet_ct *old = prev ? bh_ctnet_by_id(prev, id) : NULL;
		bh_ctnet_ct *ct = &n.v[n.n];
		json_t *doc = NULL;
		bh_error e;

		/* the same init in the same cgroup: the same run of the container, nothing to inspect */
		if (old && old->pid > 0 && old->cgroup_id && bh_ctnet_cgroup_id(old->pid, NULL) == old->cgroup_id) {
			*ct = *old;
			json_incref(ct->labels);
			n.n++;
			continue;
		}
		if (bh_engine_container_inspect(engine_host, id, &lim, &doc, &e))
			continue; /* gone between the list and the inspect */
		if (bh_ctnet_parse_inspect(doc, ct, &e) == 0 && ct->pid > 0) {
			ct->cgroup_id = bh_ctnet_cgroup(ct->pid, NULL, ct->cgpath, sizeof(ct->cgpath));
			add_repo_digests(engine_host, ct);
			n.n++;
		} else {
			bh_ctnet_ct_clear(ct);
		}
		json_decref(doc);
	}
	json_decref(list);
	bh_ctnet_free(out);
	*out = n;
	return 0;
}

void bh_ctnet_free(bh_ctnet *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		bh_ctnet_ct_clear(&n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

const bh_ctnet_ct *bh_ctnet_by_cgroup(const bh_ctnet *n, uint64_t cgroup_id)
{
	for (size_t i = 0; cgroup_id && i < n->n; i++)
		if (n->v[i].cgroup_id == cgroup_id)
			return &n->v[i];
	return NULL;
}

bool bh_ctnet_has_addr(const bh_ctnet_ct *ct, const uint8_t a[16])
{
	for (size_t j = 0; j < ct->nnets; j++)
		if ((ct->nets[j].has4 && !memcmp(ct->nets[j].ip4, a, 16)) || (ct->nets[j].has6 && !memcmp(ct->nets[j].ip6, a, 16)))
			return true;
	return false;
}

const bh_ctnet_ct *bh_ctnet_by_addr(const bh_ctnet *n, const uint8_t addr[16])
{
	for (size_t i = 0; i < n->n; i++)
		if (!n->v[i].host_network && bh_ctnet_has_addr(&n->v[i], addr))
			return &n->v[i];
	return NULL;
}

const bh_ctnet_ct *bh_ctnet_by_id(const bh_ctnet *n, const char *id)
{
	for (size_t i = 0; id && *id && i < n->n; i++)
		if (!strcmp(n->v[i].id, id))
			return &n->v[i];
	return NULL;
}

bool bh_ctnet_on_network(const bh_ctnet_ct *ct, const char *name)
{
	for (size_t j = 0; j < ct->nnets; j++)
		if (!strcmp(ct->nets[j].name, name))
			return true;
	return false;
}

/* "debian" -> "docker.io/library/debian", "x/y" -> "docker.io/x/y"; a first component with a dot,
 * a colon or "localhost" is a registry and stays. Splits off the tag (":tag") and digest ("@…"). */
static void normalise(const char *ref, char *repo, size_t rn, char *tag, size_t tn, char *dig, size_t dn)
{
	char tmp[400];
	const char *slash, *at;
	char *colon, *lastslash;

	copy_str(tmp, sizeof(tmp), ref);
	at = strchr(tmp, '@');
	copy_str(dig, dn, at ? at + 1 : "");
	if (at)
		tmp[at - tmp] = 0;
	lastslash = strrchr(tmp, '/');
	colon = strrchr(lastslash ? lastslash : tmp, ':');
	copy_str(tag, tn, colon ? colon + 1 : "");
	if (colon)
		*colon = 0;
	slash = strchr(tmp, '/');
	if (!slash)
		snprintf(repo, rn, "docker.io/library/%s", tmp);
	else if (memchr(tmp, '.', (size_t)(slash - tmp)) || memchr(tmp, ':', (size_t)(slash - tmp)) || !strncmp(tmp, "localhost/", 10))
		copy_str(repo, rn, tmp);
	else
		snprintf(repo, rn, "docker.io/%s", tmp);
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool bh_ctnet_image_match(const bh_ctnet_ct *ct, const char *sel)
{
	char srepo[440], stag[200], sdig[200], crepo[440], ctag[200], cdig[200];

	if (!sel || !*sel)
		return false;
	normalise(sel, srepo, sizeof(srepo), stag, sizeof(stag), sdig, sizeof(sdig));
	normalise(ct->image, crepo, sizeof(crepo), ctag, sizeof(ctag), cdig, sizeof(cdig));
	if (!streq(srepo, crepo))
		return false;
	if (stag[0] && !streq(stag, ctag[0] ? ctag : "latest"))
		return false;
	if (sdig[0]) {
		if (streq(sdig, ct->digest) || streq(sdig, cdig))
			return true;
		for (size_t i = 0; i < ct->nrepo_digests; i++) {
			const char *a = strchr(ct->repo_digests[i], '@');
			if (a && streq(a + 1, sdig))
				return true;
		}
		return false;
	}
	return true;
}

bool bh_ctnet_labels_match(const json_t *labels, const char *sel)
{
	const char *eq = sel ? strchr(sel, '=') : NULL;
	char key[256];
	json_t *v;

	if (!sel || !*sel || !json_is_object(labels))
		return false;
	if (!eq)
		return json_object_get(labels, sel) != NULL;
	if ((size_t)(eq - sel) >= sizeof(key))
		return false;
	memcpy(key, sel, (size_t)(eq - sel));
	key[eq - sel] = 0;
	v = json_object_get(labels, key);
	return json_is_string(v) && !strcmp(json_string_value(v), eq + 1);
}

bool bh_ctnet_label_match(const bh_ctnet_ct *ct, const char *sel)
{
	return bh_ctnet_labels_match(ct->labels, sel);
}
