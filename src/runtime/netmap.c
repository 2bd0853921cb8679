/* netmap.c - the network map's nodes and edges: events, /proc/PID/net scans and byte counters folded into (from, to, port, proto) edges; JSON out. */
#include "runtime/netmap.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/map.h"

#define MAX_EDGES 200000
#define MAX_HOST 256
#define MAX_PROC_SOCKS 65536

struct ctinfo {
	char id[65], name[256], image[512], digest[80];
	json_t *labels;
	uint8_t addrs[BH_CTNET_MAX_NETS * 2][16];
	size_t naddrs;
	uint64_t cgroup_id;
};

struct edge {
	char from[128], to[128];
	uint16_t port;
	uint8_t proto;
	uint64_t connections, blocked, first_ns, last_ns;
	uint64_t bytes_events; /* bytes from byte counters (totals, see bytes map) */
};

/* One kernel counter (cgroup, peer, port, proto, role) as fed so far. */
struct bytes_src {
	struct edge *e;
	uint64_t out, in;           /* the counter's totals at the last feed */
	uint64_t base_out, base_in; /* totals of earlier lives of the counter (it went back: evicted, made anew) */
	bool hooked;                /* the peer counts its own bytes out (our bytes in); once seen, kept */
	uint64_t round;             /* m->bround when last fed */
	uint64_t last;              /* what this source added to e->bytes_events */
};

struct bh_netmap {
	bh_map cts;     /* container id -> struct ctinfo */
	bh_map edges;   /* "from|to|port|proto" -> struct edge */
	bh_map bsrc;    /* byte counter source key -> struct bytes_src */
	uint64_t bround; /* full reads of the counters ended (bh_netmap_bytes_round) */
	bh_map seen;    /* connections counted by the /proc scan */
	uint8_t host[MAX_HOST][16];
	size_t nhost;
	char hostname[256];
	uint64_t changes; /* counters moved or edges added (bh_netmap_changes) */
};

static void ct_free(void *p)
{
	struct ctinfo *c = p;
	if (c)
		json_decref(c->labels);
	free(c);
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void add_host(bh_netmap *m, const uint8_t *a)
{
	for (size_t i = 0; i < m->nhost; i++)
		if (!memcmp(m->host[i], a, 16))
			return;
	if (m->nhost < MAX_HOST)
		memcpy(m->host[m->nhost++], a, 16);
}

int bh_netmap_new(bh_netmap **out, bh_error *err)
{
	bh_netmap *m = calloc(1, sizeof(*m));
	struct ifaddrs *ifa = NULL, *i;

	*out = NULL;
	if (!m)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_map_init(&m->cts, ct_free);
	bh_map_init(&m->edges, free);
	bh_map_init(&m->bsrc, free);
	bh_map_init(&m->seen, NULL);
	if (gethostname(m->hostname, sizeof(m->hostname) - 1))
		snprintf(m->hostname, sizeof(m->hostname), "host");
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next) {
			uint8_t a[16];
			if (!i->ifa_addr)
				continue;
			if (i->ifa_addr->sa_family == AF_INET) {
				memset(a, 0, 10);
				a[10] = a[11] = 0xff;
				memcpy(a + 12, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
			} else if (i->ifa_addr->sa_family == AF_INET6) {
				memcpy(a, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
			} else {
				continue;
			}
			add_host(m, a);
		}
		freeifaddrs(ifa);
	}
	*out = m;
	return 0;
}

void bh_netmap_free(bh_netmap *m)
{
	if (!m)
		return;
	bh_map_free(&m->cts);
	bh_map_free(&m->edges);
	bh_map_free(&m->bsrc);
	bh_map_free(&m->seen);
	free(m);
}

int bh_netmap_set_containers(bh_netmap *m, const bh_ctnet *cts, bh_error *err)
{
	for (size_t i = 0; cts && i < cts->n; i++) {
		const bh_ctnet_ct *ct = &cts->v[i];
		struct ctinfo *c = calloc(1, sizeof(*c));
		if (!c)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		snprintf(c->id, sizeof(c->id), "%s", ct->id);
		snprintf(c->name, sizeof(c->name), "%s", ct->name);
		snprintf(c->image, sizeof(c->image), "%s", ct->image);
		snprintf(c->digest, sizeof(c->digest), "%s", ct->digest);
		c->labels = ct->labels ? json_incref(ct->labels) : json_object();
		c->cgroup_id = ct->cgroup_id;
		for (size_t j = 0; j < ct->nnets && !ct->host_network; j++) {
			if (ct->nets[j].has4)
				memcpy(c->addrs[c->naddrs++], ct->nets[j].ip4, 16);
			if (ct->nets[j].has6)
				memcpy(c->addrs[c->naddrs++], ct->nets[j].ip6, 16);
			/* the gateway is this host's side of the network */
			if (ct->nets[j].hasgw4)
				add_host(m, ct->nets[j].gw4);
			if (ct->nets[j].hasgw6)
				add_host(m, ct->nets[j].gw6);
		}
		if (bh_map_put(&m->cts, c->id, c)) {
			ct_free(c);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static bool loopback(const uint8_t *a)
{
	static const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t any6[16] = { 0 };
	if (bh_ctnet_addr_is_v4(a))
		return a[12] == 127 || (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0);
	return !memcmp(a, lo6, 16) || !memcmp(a, any6, 16);
}

/* The node of an address: a container that has it, this host, or external. */
static void node_of_addr(const bh_netmap *m, const uint8_t *a, char *id, size_t n)
{
	size_t i = 0;
	const char *k;
	void *v;
	char s[64];

	/* the most recent container holding the address wins (a restart may reuse it) */
	while (bh_map_next(&m->cts, &i, &k, &v)) {
		const struct ctinfo *c = v;
		for (size_t j = 0; j < c->naddrs; j++)
			if (!memcmp(c->addrs[j], a, 16)) {
				snprintf(id, n, "container:%s", c->id);
				return;
			}
	}
	for (size_t j = 0; j < m->nhost; j++)
		if (!memcmp(m->host[j], a, 16)) {
			snprintf(id, n, "host");
			return;
		}
	bh_ctnet_addr_str(a, s, sizeof(s));
	snprintf(id, n, "external:%s", s);
}

static void node_of_cgroup(const bh_netmap *m, uint64_t cg, const bh_rt_container *ct, char *id, size_t n)
{
	size_t i = 0;
	const char *k;
	void *v;

	if (ct && ct->id && ct->id[0]) {
		snprintf(id, n, "container:%s", ct->id);
		return;
	}
	while (cg && bh_map_next(&m->cts, &i, &k, &v))
		if (((const struct ctinfo *)v)->cgroup_id == cg) {
			snprintf(id, n, "container:%s", k);
			return;
		}
	snprintf(id, n, "host");
}

static struct edge *edge_get(bh_netmap *m, const char *from, const char *to, uint16_t port, uint8_t proto, uint64_t t)
{
	char key[300];
	struct edge *e;

	snprintf(key, sizeof(key), "%s|%s|%u|%u", from, to, port, proto);
	if ((e = bh_map_get(&m->edges, key))) {
		if (t && (!e->first_ns || t < e->first_ns))
			e->first_ns = t;
		if (t > e->last_ns)
			e->last_ns = t;
		return e;
	}
	if (m->edges.n >= MAX_EDGES || !(e = calloc(1, sizeof(*e))))
		return NULL;
	snprintf(e->from, sizeof(e->from), "%s", from);
	snprintf(e->to, sizeof(e->to), "%s", to);
	e->port = port;
	e->proto = proto;
	e->first_ns = e->last_ns = t;
	if (bh_map_put(&m->edges, key, e)) {
		free(e);
		return NULL;
	}
	m->changes++;
	return e;
}

static bool is_ct(const char *id)
{
	return !strncmp(id, "container:", 10);
}

int bh_netmap_feed(bh_netmap *m, const bh_rt_event *ev, const bh_rt_container *ct)
{
	char self[128], peer[128];
	uint8_t proto = ev->proto == 17 ? 17 : 6; /* a connect whose socket was not read: TCP */
	struct edge *e;

	if ((ev->type != BH_RT_CONNECT && ev->type != BH_RT_ACCEPT) || (ev->family != AF_INET && ev->family != AF_INET6))
		return 0;
	if (ev->proto && ev->proto != 6 && ev->proto != 17)
		return 0;
	node_of_cgroup(m, ev->cgroup_id, ct, self, sizeof(self));
	if (ev->type == BH_RT_CONNECT) {
		uint8_t a[16];
		if (ev->family == AF_INET) {
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
			memcpy(a + 12, ev->daddr, 4);
		} else {
			memcpy(a, ev->daddr, 16);
		}
		if (loopback(a) || ev->dport == 0)
			return 0;
		node_of_addr(m, a, peer, sizeof(peer));
		if (!is_ct(self) && !is_ct(peer))
			return 0; /* the host's own traffic is not the map's */
		/* the accept on the other side counts a TCP connection the sensor can see accepted */
		if (proto == 6 && strncmp(peer, "external:", 9) != 0)
			return 0;
		if (!strcmp(self, peer))
			return 0;
		if (!(e = edge_get(m, self, peer, ev->dport, proto, ev->wall_ns)))
			return BH_ELIMIT;
	} else {
		uint8_t a[16];
		if (ev->family == AF_INET) {
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
			memcpy(a + 12, ev->saddr, 4);
		} else {
			memcpy(a, ev->saddr, 16);
		}
		if (loopback(a))
			return 0;
		node_of_addr(m, a, peer, sizeof(peer));
		if (!strcmp(self, peer) || (!is_ct(self) && !is_ct(peer)))
			return 0;
		if (!(e = edge_get(m, peer, self, ev->dport, proto, ev->wall_ns)))
			return BH_ELIMIT;
	}
	e->connections++;
	m->changes++;
	return 0;
}

int bh_netmap_feed_verdict(bh_netmap *m, const bh_netpol_verdict *v)
{
	char from[128], to[128];
	struct edge *e;

	if (strcmp(v->verdict, "blocked") != 0 || (v->proto != 6 && v->proto != 17))
		return 0;
	/* at connect/sendmsg the hook's cgroup is the sender; at ingress the receiver */
	if (!strcmp(v->hook, "cgroup_skb/ingress")) {
		node_of_addr(m, v->saddr, from, sizeof(from));
		node_of_cgroup(m, v->cgroup_id, NULL, to, sizeof(to));
	} else if (!strcmp(v->hook, "nftables")) {
		return 0; /* counters without addresses: no edge to put them on */
	} else {
		node_of_cgroup(m, v->cgroup_id, NULL, from, sizeof(from));
		node_of_addr(m, v->daddr, to, sizeof(to));
	}
	if (!(e = edge_get(m, from, to, v->dport, v->proto, v->wall_ns)))
		return BH_ELIMIT;
	e->blocked += v->count ? v->count : 1;
	m->changes++;
	return 0;
}

static bool new_peer(const bh_ctnet *cts, const uint8_t a[16]);

/*
 * bh_netmap_feed_bytes; with live (the containers of the last list), a counter not seen before
 * whose cgroup is no known container, or whose peer is an address on a listed container's network
 * that no container is known to hold, is left for a later read (*deferred set): containers that
 * started since the list would otherwise make it an edge from "host" or to "external:…" that a later
 * read, the containers known, counts again on the right edge.
 */
static int bytes_feed(bh_netmap *m, uint64_t cgroup_id, const uint8_t peer[16], uint16_t svc_port, uint8_t proto, int role,
		      uint64_t bytes_out, uint64_t bytes_in, bool peer_hooked, const bh_ctnet *live, bool *deferred)
{
	char self[128], other[128], key[400];
	struct bytes_src *s;
	struct edge *e;
	uint64_t total;

	if (loopback(peer) || (proto != 6 && proto != 17))
		return 0;
	node_of_addr(m, peer, other, sizeof(other));
	snprintf(key, sizeof(key), "%llu|%s|%u|%u|%d", (unsigned long long)cgroup_id, other, svc_port, proto, role);
	if (!(s = bh_map_get(&m->bsrc, key))) {
		node_of_cgroup(m, cgroup_id, NULL, self, sizeof(self));
		if (live && (!strcmp(self, "host") || (!strncmp(other, "external:", 9) && new_peer(live, peer)))) {
			*deferred = true;
			return 0;
		}
		if (!strcmp(self, other))
			return 0;
		e = role == 1 ? edge_get(m, self, other, svc_port, proto, 0) : edge_get(m, other, self, svc_port, proto, 0);
		if (!e)
			return BH_ELIMIT;
		if (!e->first_ns)
			e->first_ns = e->last_ns = now_ns();
		if (!(s = calloc(1, sizeof(*s))) || bh_map_put(&m->bsrc, key, s)) {
			free(s);
			return BH_ENOMEM;
		}
		s->e = e;
	}
	e = s->e;
	s->round = m->bround;
	/* a kernel counter only grows: a smaller total is a new life of it (the LRU map evicted the
	 * entry and the next packet made it anew), counted on top of what the old one reached */
	if (bytes_out < s->out)
		s->base_out += s->out;
	if (bytes_in < s->in)
		s->base_in += s->in;
	s->out = bytes_out;
	s->in = bytes_in;
	/* sticky: a peer that stopped since is no longer listed, but what its hooks counted stays counted */
	s->hooked = s->hooked || peer_hooked;
	total = s->base_out + s->out + (s->hooked ? 0 : s->base_in + s->in);
	if (total != s->last) {
		/* less than before only when the peer turned out hooked: its own out covers our in */
		e->bytes_events = e->bytes_events - s->last + total;
		s->last = total;
		e->last_ns = now_ns();
		m->changes++;
	}
	return 0;
}

int bh_netmap_feed_bytes(bh_netmap *m, uint64_t cgroup_id, const uint8_t peer[16], uint16_t svc_port, uint8_t proto, int role,
			 uint64_t bytes_out, uint64_t bytes_in, bool peer_hooked)
{
	return bytes_feed(m, cgroup_id, peer, svc_port, proto, role, bytes_out, bytes_in, peer_hooked, NULL, NULL);
}

size_t bh_netmap_bytes_round(bh_netmap *m)
{
	size_t i = 0, gone = 0;
	const char *k;
	void *v;
	while (bh_map_next(&m->bsrc, &i, &k, &v)) {
		const struct bytes_src *s = v;
		/* two full reads without it: its kernel entry is gone (a read that runs while the kernel
		 * adds entries may miss one; forgetting a live one would count it twice) */
		if (m->bround - s->round >= 2) {
			bh_map_del(&m->bsrc, k);
			gone++;
		}
	}
	m->bround++;
	return gone;
}

/* ---- /proc/net ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0100007F:1F90" (IPv4, the u32 in host order) or 32 hex digits (four such u32) ':' port. */
static int parse_endpoint(const char *s, size_t n, bool v6, uint8_t a[16], uint16_t *port)
{
	size_t hex = v6 ? 32 : 8;
	unsigned p = 0;
	uint8_t raw[16];

	if (n != hex + 5 || s[hex] != ':')
		return -1;
	for (size_t i = 0; i < hex / 2; i++) {
		int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		raw[i] = (uint8_t)(h << 4 | l);
	}
	for (size_t i = hex + 1; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return -1;
		p = p << 4 | (unsigned)d;
	}
	/* each 32-bit word was printed as a number of this (little-endian) machine: bytes reversed */
	if (v6) {
		for (int w = 0; w < 4; w++)
			for (int b = 0; b < 4; b++)
				a[w * 4 + b] = raw[w * 4 + 3 - b];
	} else {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		for (int b = 0; b < 4; b++)
			a[12 + b] = raw[3 - b];
	}
	*port = (uint16_t)p;
	return 0;
}

int bh_netmap_parse_proc_net(const char *data, size_t len, bool v6, bh_netmap_sock *out, size_t max, size_t *bad, bh_error *err)
{
	bh_lines it;
	const char *line;
	size_t ll, n = 0, nbad = 0;
	bool first = true;

	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &ll)) {
		const char *f[5];
		size_t fl[5], nf = 0, i = 0;
		bh_netmap_sock s;
		unsigned st = 0;
		if (first) {
			/* "  sl  local_address rem_address   st ..." */
			first = false;
			while (i < ll && line[i] == ' ')
				i++;
			if (ll - i < 2 || strncmp(line + i, "sl", 2) != 0)
				return bh_error_set(err, BH_EINVAL, "/proc/net table: the first line is not the kernel's header");
			continue;
		}
		while (nf < 5) {
			while (i < ll && line[i] == ' ')
				i++;
			if (i >= ll)
				break;
			f[nf] = line + i;
			while (i < ll && line[i] != ' ')
				i++;
			fl[nf] = (size_t)(line + i - f[nf]);
			nf++;
		}
		if (n >= max)
			break;
		if (nf < 4) {
			nbad += nf > 0;
			continue;
		}
		memset(&s, 0, sizeof(s));
		if (parse_endpoint(f[1], fl[1], v6, s.local, &s.lport) || parse_endpoint(f[2], fl[2], v6, s.remote, &s.rport) || fl[3] != 2 ||
		    hexval(f[3][0]) < 0 || hexval(f[3][1]) < 0) {
			nbad++;
			continue;
		}
		st = (unsigned)(hexval(f[3][0]) << 4 | hexval(f[3][1]));
		s.state = (uint8_t)st;
		out[n++] = s;
	}
	if (bad)
		*bad = nbad;
	return (int)n;
}

static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *b;
	size_t n = 0;

	*len = 0;
	if (!f)
		return NULL;
	if (!(b = malloc(max + 1))) {
		fclose(f);
		return NULL;
	}
	n = fread(b, 1, max, f);
	fclose(f);
	b[n] = 0;
	*len = n;
	return b;
}

int bh_netmap_scan_proc(bh_netmap *m, const bh_ctnet *cts, const char *proc_root, bh_error *err)
{
	static const struct { const char *file; bool v6; uint8_t proto; } tabs[] = {
		{ "tcp", false, 6 }, { "tcp6", true, 6 }, { "udp", false, 17 }, { "udp6", true, 17 },
	};
	bh_netmap_sock *socks = calloc(MAX_PROC_SOCKS, sizeof(*socks));
	uint64_t t = now_ns();
	int added = 0;

	if (!socks)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (size_t c = 0; cts && c < cts->n; c++) {
		const bh_ctnet_ct *ct = &cts->v[c];
		char self[128];
		if (ct->host_network || ct->pid <= 0)
			continue;
		snprintf(self, sizeof(self), "container:%s", ct->id);
		for (size_t tb = 0; tb < sizeof(tabs) / sizeof(tabs[0]); tb++) {
			char path[256], *data;
			size_t len, nbad;
			int n;
			snprintf(path, sizeof(path), "%s/%d/net/%s", proc_root ? proc_root : "/proc", ct->pid, tabs[tb].file);
			if (!(data = slurp(path, 16u << 20, &len)))
				continue;
			n = bh_netmap_parse_proc_net(data, len, tabs[tb].v6, socks, MAX_PROC_SOCKS, &nbad, err);
			free(data);
			if (n < 0)
				continue;
			for (int i = 0; i < n; i++) {
				const bh_netmap_sock *s = &socks[i];
				bool server = false;
				char peer[128], key[300], ca[64], sa[64];
				struct edge *e;
				if (s->state != 1 || loopback(s->remote) || s->rport == 0)
					continue;
				/* an established socket on a port this namespace listens on was accepted */
				for (int j = 0; tabs[tb].proto == 6 && j < n && !server; j++)
					server = socks[j].state == 10 && socks[j].lport == s->lport;
				node_of_addr(m, s->remote, peer, sizeof(peer));
				if (!strcmp(peer, self))
					continue;
				bh_ctnet_addr_str(server ? s->remote : s->local, ca, sizeof(ca));
				bh_ctnet_addr_str(server ? s->local : s->remote, sa, sizeof(sa));
				snprintf(key, sizeof(key), "%u|%s|%u|%s|%u", (unsigned)tabs[tb].proto, ca, (unsigned)(server ? s->rport : s->lport), sa,
					 (unsigned)(server ? s->lport : s->rport));
				if (bh_map_get(&m->seen, key))
					continue; /* the other end of a connection already counted */
				if (bh_map_put(&m->seen, key, (void *)1)) {
					free(socks);
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				}
				e = server ? edge_get(m, peer, self, s->lport, tabs[tb].proto, t) : edge_get(m, self, peer, s->rport, tabs[tb].proto, t);
				if (!e) {
					free(socks);
					return bh_error_set(err, BH_ELIMIT, "network map: more than %d edges", MAX_EDGES);
				}
				e->connections++;
				m->changes++;
				added++;
			}
		}
	}
	free(socks);
	return added;
}

/* ---- JSON ---- */

static void rfc3339(uint64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char d[32];
	gmtime_r(&s, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03lluZ", d, (unsigned long long)(ns % 1000000000ull / 1000000ull));
}

static int cmp_edge(const void *pa, const void *pb)
{
	const struct edge *a = *(const struct edge *const *)pa, *b = *(const struct edge *const *)pb;
	int c = strcmp(a->from, b->from);
	if (!c)
		c = strcmp(a->to, b->to);
	if (!c)
		c = (int)a->proto - (int)b->proto;
	if (!c)
		c = (int)a->port - (int)b->port;
	return c;
}

static int node_rank(const char *id)
{
	return !strncmp(id, "container:", 10) ? 0 : !strcmp(id, "host") ? 1 : 2;
}

static int cmp_node(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ra = node_rank(a), rb = node_rank(b);
	return ra != rb ? ra - rb : strcmp(a, b);
}

static json_t *node_json(const bh_netmap *m, const char *id)
{
	json_t *o, *labels, *addrs = json_array();
	char s[64];

	if (!addrs)
		return NULL;
	if (!strncmp(id, "container:", 10)) {
		const struct ctinfo *c = bh_map_get(&m->cts, id + 10);
		for (size_t j = 0; c && j < c->naddrs; j++) {
			bh_ctnet_addr_str(c->addrs[j], s, sizeof(s));
			json_array_append_new(addrs, json_string(s));
		}
		labels = c && c->labels ? json_incref(c->labels) : json_object();
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", id, "kind", "container", "name", c ? c->name : "",
			      "image", c ? c->image : "", "image_digest", c ? c->digest : "", "labels", labels, "addresses", addrs);
		return o;
	}
	if (!strcmp(id, "host")) {
		for (size_t j = 0; j < m->nhost; j++) {
			if (loopback(m->host[j]))
				continue;
			bh_ctnet_addr_str(m->host[j], s, sizeof(s));
			json_array_append_new(addrs, json_string(s));
		}
		return json_pack("{s:s, s:s, s:s, s:n, s:n, s:{}, s:o}", "id", id, "kind", "host", "name", m->hostname, "image", "image_digest",
				 "labels", "addresses", addrs);
	}
	json_array_append_new(addrs, json_string(id + 9));
	return json_pack("{s:s, s:s, s:s, s:n, s:n, s:{}, s:o}", "id", id, "kind", "external", "name", id + 9, "image", "image_digest", "labels",
			 "addresses", addrs);
}

/* The most recently seen first (the ones a capped snapshot keeps), then the usual order. */
static int cmp_recent(const void *pa, const void *pb)
{
	const struct edge *a = *(const struct edge *const *)pa, *b = *(const struct edge *const *)pb;
	if (a->last_ns != b->last_ns)
		return a->last_ns > b->last_ns ? -1 : 1;
	return cmp_edge(pa, pb);
}

int bh_netmap_to_json_max(const bh_netmap *m, size_t max_edges, json_t **out, size_t *dropped, bh_error *err)
{
	struct edge **ev = NULL;
	const char **nodes = NULL;
	size_t ne = 0, nn = 0, i = 0;
	const char *k;
	void *v;
	json_t *root = NULL, *jn, *je;
	bh_map seen;

	*out = NULL;
	if (dropped)
		*dropped = 0;
	bh_map_init(&seen, NULL);
	/* arrays of pointers (sizeof(void *) each): the edges and node ids, to sort; edges.n <= MAX_EDGES, so 2n cannot overflow */
	if (m->edges.n && (!(ev = calloc(m->edges.n, sizeof(void *))) || !(nodes = calloc(m->edges.n * 2, sizeof(void *)))))
		goto oom;
	while (ev && ne < m->edges.n && bh_map_next(&m->edges, &i, &k, &v))
		ev[ne++] = v;
	if (max_edges && ne > max_edges) {
		qsort(ev, ne, sizeof(void *), cmp_recent);
		if (dropped)
			*dropped = ne - max_edges;
		ne = max_edges;
	}
	for (size_t j = 0; j < ne; j++) {
		const char *ends[2] = { ev[j]->from, ev[j]->to };
		for (int x = 0; x < 2; x++) {
			if (bh_map_get(&seen, ends[x]))
				continue;
			if (bh_map_put(&seen, ends[x], (void *)1))
				goto oom;
			nodes[nn++] = ends[x];
		}
	}
	if (ne > 1)
		qsort(ev, ne, sizeof(void *), cmp_edge);
	if (nn > 1)
		qsort(nodes, nn, sizeof(void *), cmp_node);
	if (!(root = json_object()) || !(jn = json_array()) || json_object_set_new(root, "nodes", jn) || !(je = json_array()) ||
	    json_object_set_new(root, "edges", je))
		goto oom;
	for (size_t j = 0; j < nn; j++) {
		json_t *o = node_json(m, nodes[j]);
		if (!o || json_array_append_new(jn, o))
			goto oom;
	}
	for (size_t j = 0; j < ne; j++) {
		char f[48], l[48];
		json_t *o;
		rfc3339(ev[j]->first_ns, f, sizeof(f));
		rfc3339(ev[j]->last_ns, l, sizeof(l));
		o = json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:s, s:s, s:I}", "from", ev[j]->from, "to", ev[j]->to, "port", (int)ev[j]->port,
			      "proto", ev[j]->proto == 17 ? "udp" : "tcp", "connections", (json_int_t)ev[j]->connections, "bytes",
			      (json_int_t)ev[j]->bytes_events, "first_seen", f, "last_seen", l, "blocked", (json_int_t)ev[j]->blocked);
		if (!o || json_array_append_new(je, o))
			goto oom;
	}
	free(ev);
	free(nodes);
	bh_map_free(&seen);
	*out = root;
	return 0;
oom:
	free(ev);
	free(nodes);
	bh_map_free(&seen);
	json_decref(root);
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}

int bh_netmap_to_json(const bh_netmap *m, json_t **out, bh_error *err)
{
	return bh_netmap_to_json_max(m, 0, out, NULL, err);
}

size_t bh_netmap_edge_count(const bh_netmap *m)
{
	return m->edges.n;
}

uint64_t bh_netmap_changes(const bh_netmap *m)
{
	return m->changes;
}

/* ---- a map kept up to date from the engine and the sensor ---- */

#define RELIST_NS 500000000ull /* an event's unknown container lists again at most this often */

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int bh_netmap_live_relist(bh_netmap_live *l, bh_error *err)
{
	bh_ctnet nc = { NULL, 0 };
	int rc;
	l->listed_ns = mono_ns();
	if ((rc = bh_ctnet_list(l->engine_host, &l->cts, &nc, err)))
		return rc;
	bh_ctnet_free(&l->cts);
	l->cts = nc;
	l->relists++;
	return bh_netmap_set_containers(l->map, &l->cts, err);
}

int bh_netmap_live_open(bh_netmap_live *l, const char *engine_host, bh_error *err)
{
	int rc;
	memset(l, 0, sizeof(*l));
	l->engine_host = engine_host;
	if ((rc = bh_netmap_new(&l->map, err)))
		return rc;
	if ((rc = bh_netmap_live_relist(l, err)))
		return rc;
	/* connections open before the sensor's events began: the map cannot see their start, /proc can */
	return bh_netmap_scan_proc(l->map, &l->cts, NULL, err);
}

/* Whether a is on one of the listed containers' networks (its subnet), is no listed container's and
 * no gateway: a container that started since the list. */
static bool new_peer(const bh_ctnet *cts, const uint8_t a[16])
{
	bool v4 = bh_ctnet_addr_is_v4(a);
	if (bh_ctnet_by_addr(cts, a))
		return false;
	for (size_t i = 0; i < cts->n; i++)
		for (size_t j = 0; j < cts->v[i].nnets; j++) {
			const bh_ctnet_net *n = &cts->v[i].nets[j];
			const uint8_t *ip = v4 ? n->ip4 : n->ip6, *gw = v4 ? n->gw4 : n->gw6;
			int bits = v4 ? 96 + n->prefix4 : n->prefix6;
			if (!(v4 ? n->has4 : n->has6) || bits <= (v4 ? 96 : 0) || bits > 128)
				continue;
			if ((v4 ? n->hasgw4 : n->hasgw6) && !memcmp(gw, a, 16))
				return false;
			if (memcmp(ip, a, (size_t)bits / 8) == 0 &&
			    (bits % 8 == 0 || ((ip[bits / 8] ^ a[bits / 8]) & (uint8_t)(0xff << (8 - bits % 8))) == 0))
				return true;
		}
	return false;
}

int bh_netmap_live_flush(bh_netmap_live *l, bool force, bh_error *err)
{
	bh_error e;
	size_t i;
	if (!l->npending || (!force && mono_ns() - l->listed_ns < RELIST_NS))
		return 0;
	if (bh_netmap_live_relist(l, &e) == BH_ENOMEM)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	/* their containers are found by cgroup now (the list has them): no container info is kept */
	for (i = 0; i < l->npending; i++)
		if (bh_netmap_feed(l->map, &l->pending[i], NULL) == BH_ENOMEM)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	l->npending = 0;
	return 0;
}

int bh_netmap_live_feed(bh_netmap_live *l, const bh_rt_event *ev, const bh_rt_container *ct, bh_error *err)
{
	int rc;
	if ((rc = bh_netmap_live_flush(l, false, err)))
		return rc;
	if ((ev->type == BH_RT_CONNECT || ev->type == BH_RT_ACCEPT) && (ev->family == AF_INET || ev->family == AF_INET6)) {
		const uint8_t *raw = ev->type == BH_RT_CONNECT ? ev->daddr : ev->saddr;
		uint8_t a[16];
		bool stale;
		if (ev->family == AF_INET) {
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
			memcpy(a + 12, raw, 4);
		} else {
			memcpy(a, raw, 16);
		}
		/* the event's own container or its peer started after the last list: list again before
		 * the edge is drawn, or it would go to the host or an external address */
		stale = (ct && ct->id && ct->id[0] && !bh_ctnet_by_id(&l->cts, ct->id)) ||
			(!ct && ev->cgroup_id && !bh_ctnet_by_cgroup(&l->cts, ev->cgroup_id) && l->cts.n) || new_peer(&l->cts, a);
		if (stale && mono_ns() - l->listed_ns >= RELIST_NS) {
			bh_error e;
			if (bh_netmap_live_relist(l, &e) == BH_ENOMEM)
				return bh_error_set(err, BH_ENOMEM, "out of memory");
		} else if (stale) {
			/* listed moments ago, before this container or peer existed: held for the next
			 * list (a peer on a container network is a container that just started, not the
			 * outside; a new container is not the host) */
			if (!l->pending && !(l->pending = calloc(BH_NETMAP_PENDING_MAX, sizeof(*l->pending))))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			if (l->npending < BH_NETMAP_PENDING_MAX) {
				l->pending[l->npending++] = *ev;
				return 0;
			}
		}
	}
	return bh_netmap_feed(l->map, ev, ct);
}

void bh_netmap_live_close(bh_netmap_live *l)
{
	if (!l)
		return;
	free(l->pending);
	bh_netmap_free(l->map);
	bh_ctnet_free(&l->cts);
	memset(l, 0, sizeof(*l));
}

int bh_netmap_counters_open(const char *engine_host, const char *const *parents, size_t nparents, bh_netpol **out, bh_error *err)
{
	bh_netpol_opts po;
	memset(&po, 0, sizeof(po));
	po.engine_host = engine_host;
	for (size_t i = 0; i < nparents && i < BH_NETPOL_MAX_PARENTS; i++)
		po.parents[po.nparents++] = parents[i];
	po.count_bytes = true;
	/* the skb hooks count, so eBPF or nothing (nftables counts no edges); no policy is ever set
	 * and an unmapped container is let through: nothing is enforced */
	po.mech = BH_NETPOL_MECH_BPF;
	po.unmapped_mode = BH_NETPOL_OFF;
	return bh_netpol_open(&po, out, err);
}

struct livebytes {
	bh_netmap_live *l;
	const bh_netpol *np;
	int rc;
	bool deferred;
};

static void on_counter(void *ud, uint64_t cg, const uint8_t peer[16], uint16_t port, uint8_t proto, int role, uint64_t out, uint64_t in)
{
	struct livebytes *b = ud;
	const bh_ctnet_ct *pc = bh_ctnet_by_addr(&b->l->cts, peer);
	/* a peer under the parents runs the hooks too: its bytes out are our bytes in, counted there */
	int rc = bytes_feed(b->l->map, cg, peer, port, proto, role, out, in, pc && bh_netpol_managed(b->np, pc->cgroup_id), &b->l->cts,
			    &b->deferred);
	/* BH_ELIMIT (the map is full) keeps what is there */
	if (rc == BH_ENOMEM)
		b->rc = rc;
}

int bh_netmap_live_bytes(bh_netmap_live *l, bh_netpol *np, bh_error *err)
{
	struct livebytes b = { l, np, 0, false };
	bh_error e, le;
	int src = bh_netpol_sync(np, &e);
	bh_netpol_bytes(np, on_counter, &b);
	/* a counter of a container that started since the last list: list again and read once more
	 * (totals: nothing is lost by the wait when the engine cannot be listed now) */
	if (b.deferred && !b.rc && bh_netmap_live_relist(l, &le) == 0) {
		b.deferred = false;
		bh_netpol_bytes(np, on_counter, &b);
	}
	(void)bh_netmap_bytes_round(l->map);
	if (b.rc)
		return bh_error_set(err, b.rc, "out of memory");
	if (src)
		*err = e;
	return src;
}
