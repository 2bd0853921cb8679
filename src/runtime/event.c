/* event.c - names and classes of runtime event types. */
#include "runtime/event.h"

#include <string.h>

static const char *const type_names[BH_RT__TYPE_COUNT] = {
	[BH_RT_NONE] = "none",     [BH_RT_EXEC] = "execve",   [BH_RT_EXIT] = "exit",      [BH_RT_OPEN] = "open",
	[BH_RT_UNLINK] = "unlink", [BH_RT_RENAME] = "rename", [BH_RT_CHMOD] = "chmod",     [BH_RT_CONNECT] = "connect",
	[BH_RT_ACCEPT] = "accept", [BH_RT_LISTEN] = "listen", [BH_RT_SETUID] = "setuid",  [BH_RT_CAPSET] = "capset",
	[BH_RT_UNSHARE] = "unshare", [BH_RT_SETNS] = "setns", [BH_RT_PTRACE] = "ptrace",  [BH_RT_MODULE] = "init_module",
	[BH_RT_MOUNT] = "mount",   [BH_RT_MEMFD] = "memfd_create",
};

const char *bh_rt_type_name(bh_rt_type t) { return (unsigned)t < BH_RT__TYPE_COUNT ? type_names[t] : "none"; }

bh_rt_type bh_rt_type_parse(const char *name)
{
	int t;
	for (t = 1; name && t < BH_RT__TYPE_COUNT; t++)
		if (!strcmp(type_names[t], name))
			return (bh_rt_type)t;
	return BH_RT_NONE;
}

bh_rt_class bh_rt_class_of(bh_rt_type t)
{
	switch (t) {
	case BH_RT_EXEC: case BH_RT_EXIT: return BH_RT_CLASS_PROC;
	case BH_RT_OPEN: case BH_RT_UNLINK: case BH_RT_RENAME: case BH_RT_CHMOD: return BH_RT_CLASS_FILE;
	case BH_RT_CONNECT: case BH_RT_ACCEPT: case BH_RT_LISTEN: return BH_RT_CLASS_NET;
	default: return BH_RT_CLASS_PRIV;
	}
}

const char *bh_rt_class_name(bh_rt_class c)
{
	static const char *const n[BH_RT_CLASS__COUNT] = { "proc", "file", "net", "priv" };
	return (unsigned)c < BH_RT_CLASS__COUNT ? n[c] : "?";
}
