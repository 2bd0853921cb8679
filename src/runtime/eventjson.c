/* eventjson.c - runtime events to JSON and back (bounded, unknown keys refused). */
#include "runtime/eventjson.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static json_t *jstr(const char *s) { json_t *j = json_string(s ? s : ""); return j ? j : json_string(""); }

static void time_str(uint64_t ns, char *out, size_t n)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char base[32];
	gmtime_r(&s, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%09lluZ", base, (unsigned long long)(ns % 1000000000ull));
}

static const char *family_name(uint16_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : f == AF_UNIX ? "unix" : "other";
}

static const char *proto_name(uint16_t p) { return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "other"; }

static json_t *addr_json(uint16_t family, const uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN];
	if (family == AF_INET && inet_ntop(AF_INET, a, buf, sizeof(buf)))
		return json_string(buf);
	if (family == AF_INET6 && inet_ntop(AF_INET6, a, buf, sizeof(buf)))
		return json_string(buf);
	return json_string("");
}

json_t *bh_rt_event_json(const bh_rt_event *ev, const bh_rt_container *ct)
{
	char t[48];
	json_t *o = json_object(), *tr;
	if (!o)
		return NULL;
	time_str(ev->wall_ns, t, sizeof(t));
	json_object_set_new(o, "time", json_string(t));
	json_object_set_new(o, "type", json_string(bh_rt_type_name(ev->type)));
	json_object_set_new(o, "class", json_string(bh_rt_class_name(bh_rt_class_of(ev->type))));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "tid", json_integer(ev->tid));
	json_object_set_new(o, "ppid", json_integer(ev->ppid));
	json_object_set_new(o, "uid", json_integer(ev->uid));
	json_object_set_new(o, "euid", json_integer(ev->euid));
	json_object_set_new(o, "gid", json_integer(ev->gid));
	json_object_set_new(o, "comm", jstr(ev->comm));
	json_object_set_new(o, "pcomm", jstr(ev->pcomm));
	json_object_set_new(o, "path", jstr(ev->path));
	json_object_set_new(o, "path2", jstr(ev->path2));
	json_object_set_new(o, "cwd", jstr(ev->cwd));
	json_object_set_new(o, "args", jstr(ev->args));
	json_object_set_new(o, "argc", json_integer(ev->argc));
	json_object_set_new(o, "flags", json_integer(ev->flags));
	json_object_set_new(o, "mode", json_integer(ev->mode));
	json_object_set_new(o, "arg", json_integer((json_int_t)ev->arg));
	json_object_set_new(o, "target_pid", json_integer(ev->target_pid));
	json_object_set_new(o, "ret", json_integer(ev->ret));
	json_object_set_new(o, "exe_upper", json_boolean(ev->exe_upper));
	if (ev->stdio_net)
		json_object_set_new(o, "stdio_net", json_true());
	if (ev->kact & BH_RT_KACT_SCRIPT_WATCH)
		json_object_set_new(o, "script_watch", json_true());
	if (ev->kact & BH_RT_KACT_KILLED) {
		json_object_set_new(o, "killed_in_kernel", json_true());
		json_object_set_new(o, "action", json_string("killed (" BH_RT_KILL_MECHANISM ")"));
		json_object_set_new(o, "kill_reason", json_string(ev->kact & BH_RT_KACT_WHY_DENIED     ? "denied executable path"
								  : ev->kact & BH_RT_KACT_WHY_BASELINE ? "not in the baseline (protect mode)"
												       : "executable not from the image"));
	}
	if (ev->trunc && (tr = json_array())) {
		if (ev->trunc & BH_RT_TRUNC_PATH)
			json_array_append_new(tr, json_string("path"));
		if (ev->trunc & BH_RT_TRUNC_PATH2)
			json_array_append_new(tr, json_string("path2"));
		if (ev->trunc & BH_RT_TRUNC_ARGS)
			json_array_append_new(tr, json_string("args"));
		if (ev->trunc & BH_RT_TRUNC_CWD)
			json_array_append_new(tr, json_string("cwd"));
		json_object_set_new(o, "truncated", tr);
	}
	if (bh_rt_class_of(ev->type) == BH_RT_CLASS_NET)
		json_object_set_new(o, "net",
				    json_pack("{s:s, s:s, s:o, s:i, s:o, s:i}", "family", family_name(ev->family), "proto",
					      proto_name(ev->proto), "saddr", addr_json(ev->family, ev->saddr), "sport", (int)ev->sport,
					      "daddr", addr_json(ev->family, ev->daddr), "dport", (int)ev->dport));
	json_object_set_new(o, "cgroup_id", json_integer((json_int_t)ev->cgroup_id));
	if (ct && ct->id && *ct->id)
		json_object_set_new(o, "container",
				    json_pack("{s:o, s:o, s:o, s:o, s:b}", "id", jstr(ct->id), "name", jstr(ct->name), "image",
					      jstr(ct->image), "image_digest", jstr(ct->image_digest), "privileged", ct->privileged));
	return o;
}

/* ---------------------------------------------------------------- reading back */

static int bad(bh_error *err, const char *where, const char *key, const char *why)
{
	return bh_error_set(err, BH_EINVAL, "%s: event key \"%s\": %s", where, key, why);
}

static int get_str(const json_t *v, const char *where, const char *key, char *out, size_t n, bh_error *err)
{
	const char *s = json_string_value(v);
	size_t len;
	if (!s)
		return bad(err, where, key, "not a string");
	len = json_string_length(v);
	if (len >= n || memchr(s, '\0', len))
		return bad(err, where, key, "too long or holds a NUL byte");
	memcpy(out, s, len + 1);
	return 0;
}

static int get_uint(const json_t *v, const char *where, const char *key, uint64_t max, uint64_t *out, bh_error *err)
{
	json_int_t i;
	if (!json_is_integer(v))
		return bad(err, where, key, "not an integer");
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return bad(err, where, key, "out of range");
	*out = (uint64_t)i;
	return 0;
}

static int get_addr(const json_t *v, const char *where, const char *key, uint16_t family, uint8_t out[16], bh_error *err)
{
	const char *s = json_string_value(v);
	if (!s)
		return bad(err, where, key, "not a string");
	memset(out, 0, 16);
	if (!*s)
		return 0;
	if (family == AF_INET6 ? inet_pton(AF_INET6, s, out) != 1 : inet_pton(AF_INET, s, out) != 1)
		return bad(err, where, key, "not an address of the event's family");
	return 0;
}

static int time_parse(const char *s, uint64_t *ns)
{
	struct tm tm;
	unsigned long frac = 0;
	int digits = 0;
	const char *p;
	memset(&tm, 0, sizeof(tm));
	if (!(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
			frac = frac * 10 + (unsigned long)(*p - '0');
		while (*p >= '0' && *p <= '9')
			p++;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	*ns = (uint64_t)timegm(&tm) * 1000000000ull + frac;
	return 0;
}

static int read_net(const json_t *n, const char *where, bh_rt_event *ev, bh_error *err)
{
	const char *k;
	json_t *v;
	const char *fam = json_string_value(json_object_get(n, "family"));
	uint64_t u = 0;
	int rc;
	if (!json_is_object(n))
		return bad(err, where, "net", "not an object");
	ev->family = !fam ? 0 : !strcmp(fam, "inet") ? AF_INET : !strcmp(fam, "inet6") ? AF_INET6 : !strcmp(fam, "unix") ? AF_UNIX : 0;
	json_object_foreach((json_t *)n, k, v) {
		if (!strcmp(k, "family")) {
			if (!ev->family && (!fam || strcmp(fam, "other") != 0))
				return bad(err, where, "net.family", "inet, inet6, unix or other");
		} else if (!strcmp(k, "proto")) {
			const char *p = json_string_value(v);
			if (!p)
				return bad(err, where, "net.proto", "not a string");
			ev->proto = !strcmp(p, "tcp") ? IPPROTO_TCP : !strcmp(p, "udp") ? IPPROTO_UDP : 0;
		} else if (!strcmp(k, "saddr")) {
			if ((rc = get_addr(v, where, "net.saddr", ev->family, ev->saddr, err)))
				return rc;
		} else if (!strcmp(k, "daddr")) {
			if ((rc = get_addr(v, where, "net.daddr", ev->family, ev->daddr, err)))
				return rc;
		} else if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
			if ((rc = get_uint(v, where, k, 65535, &u, err)))
				return rc;
			if (k[0] == 's')
				ev->sport = (uint16_t)u;
			else
				ev->dport = (uint16_t)u;
		} else {
			return bad(err, where, k, "unknown key in net");
		}
	}
	return 0;
}

int bh_rt_event_from_json(const json_t *o, const char *where, bh_rt_event *ev, bh_rt_container *ct, bh_error *err)
{
	static const struct {
		const char *key;
		size_t off, size;
	} strs[] = {
		{ "comm", offsetof(bh_rt_event, comm), BH_RT_COMM_MAX },   { "pcomm", offsetof(bh_rt_event, pcomm), BH_RT_COMM_MAX },
		{ "path", offsetof(bh_rt_event, path), BH_RT_PATH_MAX },   { "path2", offsetof(bh_rt_event, path2), BH_RT_PATH_MAX },
		{ "cwd", offsetof(bh_rt_event, cwd), BH_RT_PATH_MAX },     { "args", offsetof(bh_rt_event, args), BH_RT_ARGS_MAX },
	};
	const char *k;
	json_t *v;
	int rc;
	memset(ev, 0, sizeof(*ev));
	if (ct) {
		memset(ct, 0, sizeof(*ct));
		ct->id = ct->name = ct->image = ct->image_digest = "";
	}
	if (!json_is_object(o))
		return bh_error_set(err, BH_EINVAL, "%s: an event is a JSON object", where);
	json_object_foreach((json_t *)o, k, v) {
		uint64_t u = 0;
		size_t i;
		bool done = false;
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (!strcmp(k, strs[i].key)) {
				if ((rc = get_str(v, where, k, (char *)ev + strs[i].off, strs[i].size, err)))
					return rc;
				done = true;
			}
		if (done)
			continue;
		if (!strcmp(k, "type")) {
			if (!json_is_string(v) || (ev->type = bh_rt_type_parse(json_string_value(v))) == BH_RT_NONE)
				return bad(err, where, k, "not an event type (execve, open, connect, …)");
		} else if (!strcmp(k, "time")) {
			if (!json_is_string(v) || time_parse(json_string_value(v), &ev->wall_ns))
				return bad(err, where, k, "not an RFC 3339 UTC time (2026-12-06T23:40:01.5Z)");
		} else if (!strcmp(k, "killed_in_kernel")) {
			if (!json_is_boolean(v))
				return bad(err, where, k, "not a boolean");
			if (json_is_true(v))
				ev->kact |= BH_RT_KACT_KILLED;
		} else if (!strcmp(k, "script_watch")) {
			if (!json_is_boolean(v))
				return bad(err, where, k, "not a boolean");
			if (json_is_true(v))
				ev->kact |= BH_RT_KACT_SCRIPT_WATCH;
		} else if (!strcmp(k, "kill_reason")) {
			if (!json_is_string(v))
				return bad(err, where, k, "not a string");
			ev->kact |= strstr(json_string_value(v), "denied")     ? BH_RT_KACT_WHY_DENIED
				    : strstr(json_string_value(v), "baseline") ? BH_RT_KACT_WHY_BASELINE
									       : BH_RT_KACT_WHY_DRIFT;
		} else if (!strcmp(k, "class") || !strcmp(k, "truncated") || !strcmp(k, "action")) {
			/* derived on output: accepted and ignored */
		} else if (!strcmp(k, "exe_upper")) {
			if (!json_is_boolean(v))
				return bad(err, where, k, "not a boolean");
			ev->exe_upper = json_is_true(v);
		} else if (!strcmp(k, "stdio_net")) {
			if (!json_is_boolean(v))
				return bad(err, where, k, "not a boolean");
			ev->stdio_net = json_is_true(v);
		} else if (!strcmp(k, "ret")) {
			if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
				return bad(err, where, k, "not a 32-bit integer");
			ev->ret = (int32_t)json_integer_value(v);
		} else if (!strcmp(k, "net")) {
			if ((rc = read_net(v, where, ev, err)))
				return rc;
		} else if (!strcmp(k, "container")) {
			const char *ck;
			json_t *cv;
			if (!json_is_object(v))
				return bad(err, where, k, "not an object");
			json_object_foreach(v, ck, cv) {
				if (!strcmp(ck, "privileged")) {
					if (!json_is_boolean(cv))
						return bad(err, where, "container.privileged", "not a boolean");
					if (ct)
						ct->privileged = json_is_true(cv);
					continue;
				}
				if (!json_is_string(cv))
					return bad(err, where, ck, "not a string");
				if (!ct)
					continue;
				if (!strcmp(ck, "id"))
					ct->id = json_string_value(cv);
				else if (!strcmp(ck, "name"))
					ct->name = json_string_value(cv);
				else if (!strcmp(ck, "image"))
					ct->image = json_string_value(cv);
				else if (!strcmp(ck, "image_digest"))
					ct->image_digest = json_string_value(cv);
				else
					return bad(err, where, ck, "unknown key in container");
			}
		} else {
			static const struct {
				const char *key;
				uint64_t max;
			} ints[] = { { "pid", UINT32_MAX }, { "tid", UINT32_MAX },  { "ppid", UINT32_MAX },  { "uid", UINT32_MAX },
				     { "euid", UINT32_MAX }, { "gid", UINT32_MAX }, { "argc", UINT32_MAX },  { "flags", UINT32_MAX },
				     { "mode", UINT32_MAX }, { "arg", UINT64_MAX / 2 }, { "target_pid", UINT32_MAX },
				     { "cgroup_id", UINT64_MAX / 2 } };
			for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
				if (!strcmp(k, ints[i].key))
					break;
			if (i == sizeof(ints) / sizeof(ints[0]))
				return bad(err, where, k, "unknown key");
			if ((rc = get_uint(v, where, k, ints[i].max, &u, err)))
				return rc;
			switch (i) {
			case 0: ev->pid = (uint32_t)u; break;
			case 1: ev->tid = (uint32_t)u; break;
			case 2: ev->ppid = (uint32_t)u; break;
			case 3: ev->uid = (uint32_t)u; break;
			case 4: ev->euid = (uint32_t)u; break;
			case 5: ev->gid = (uint32_t)u; break;
			case 6: ev->argc = (uint32_t)u; break;
			case 7: ev->flags = (uint32_t)u; break;
			case 8: ev->mode = (uint32_t)u; break;
			case 9: ev->arg = u; break;
			case 10: ev->target_pid = (uint32_t)u; break;
			default: ev->cgroup_id = u; break;
			}
		}
	}
	if (ev->type == BH_RT_NONE)
		return bh_error_set(err, BH_EINVAL, "%s: an event needs a \"type\"", where);
	if (ct)
		ct->cgroup_id = ev->cgroup_id;
	return 0;
}
