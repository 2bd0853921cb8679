/* cond.h - rule conditions in Falco's shape, compiled once to a tree of resolved field accessors and evaluated over runtime events. */
#ifndef BH_RUNTIME_COND_H
#define BH_RUNTIME_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "runtime/event.h"

/*
 * Grammar (keywords and operators are lowercase, as in Falco):
 *   expr    := or ;  or := and ("or" and)* ;  and := unary ("and" unary)* ;  unary := "not" unary | primary
 *   primary := "(" expr ")" | MACRO | FIELD OP
 *   FIELD   := name ["[" arg "]"]            e.g. proc.aname[1], image.has_package[curl]
 *   OP      := ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains" | "startswith"
 *               | "endswith" | "glob" | "iglob") VALUE
 *            | ("in" | "intersects" | "pmatch") "(" VALUE ("," VALUE)* ")"   a VALUE naming a list expands to its items
 *            | "exists"
 *   VALUE   := 'quoted' | "quoted" (\\ \" \' escapes) | bare (up to blank, comma or parenthesis)
 *            | val(FIELD)   another field of the same type (numbers: = != < <= > >=; strings: = !=)
 *
 * Fields (a field that does not apply to an event is absent: every comparison on it is false,
 * `exists` tells; `not` of a false comparison is true):
 *   evt.type       execve exit open unlink rename chmod connect accept listen setuid capset unshare setns
 *                  ptrace init_module mount memfd_create (Falco names accepted too: openat, execveat,
 *                  unlinkat, renameat2, accept4, finit_module, setresuid, procexit, ...)
 *   evt.class      proc file net priv            evt.time    wall clock, ns since 1970
 *   evt.dir        always "<" (the sensor reports completed calls; for Falco rules that test it)
 *   evt.arg.flags  O_* of open, MS_* of mount    evt.arg.mode  mode of open/chmod
 *   evt.arg.ret    the syscall's result          evt.arg.value the per-type argument: new uid (setuid),
 *                  effective caps (capset), CLONE_* (unshare), nstype (setns), request (ptrace)
 *   evt.arg.target_pid  ptrace target            evt.arg.path / evt.arg.path2  the event's paths as given
 *                  (module name, mount target and source, memfd name)
 *   evt.is_open_write / evt.is_open_read   open with O_WRONLY|O_RDWR|O_CREAT|O_TRUNC, or without
 *   proc.pid proc.tid proc.ppid   proc.name (comm)   proc.pname (the parent's comm)
 *   proc.aname[N]  N=0 the process, N=1 its parent; higher ancestors are not reported by the sensor
 *                  (absent). proc.aname without N: the known ancestors (the parent), a list
 *   proc.exe       the executed path (execve only)         proc.cmdline "comm arg1 arg2 ..." (execve only)
 *   proc.args      the arguments after argv[0] (execve)    proc.argv  argv words as a list (execve)
 *   proc.cwd       (execve)   proc.exe_from_image  true when the executed file is from the image
 *                  (not the upper layer; execve only; the context's callback may answer instead)
 *   proc.is_shell  comm is one of sh bash dash ash zsh ksh mksh csh tcsh fish busybox
 *   proc.stdio_net (execve)   standard input or output is an IPv4/IPv6 socket: a program run on a
 *                  connection, as a reverse shell is (the eBPF sensor; false from the fallback)
 *   user.uid user.euid group.gid   (no user.name: the host's /etc/passwd is not the container's)
 *   fd.name        the file's path (file events), the socket path (unix sockets) or
 *                  "cip:cport->sip:sport" (inet)        fd.directory fd.filename  of fd.name (files)
 *   fd.name2       rename target   fd.typechar  f (file) 4 6 (inet) u (unix)
 *   fd.sip fd.sport fd.cip fd.cport  server and client of connect/accept (listen: the bound address is the server)
 *   fd.rip fd.rport  the remote peer   fd.lip fd.lport  the local end   fd.l4proto tcp|udp   fd.family inet|inet6|unix
 *   container.id ("host" outside containers) container.name container.image container.image.repository
 *   container.image.tag container.image.digest container.privileged
 *   image.has_package[NAME]  from the image inventory through the context (absent without it)
 * Lists (proc.aname, proc.argv): `in` = every item in the set, `intersects` = some item in it, the
 * other operators: some item matches. Numbers take 12, 0x1f, 0755 (octal) or a constant name (O_WRONLY,
 * CLONE_NEWNS, PTRACE_ATTACH, MS_BIND, S_ISUID, ...); `contains` on a number tests bits.
 */

typedef struct bh_cond bh_cond; /* compiled; bh_cond_free */

/* Where macros and lists come from while compiling (all optional). */
typedef struct bh_cond_env {
	/* The items of list name (lists in items already expanded), or NULL when no such list. */
	const char *const *(*list)(void *user, const char *name, size_t *n);
	/* The condition text of macro name, or NULL. */
	const char *(*macro)(void *user, const char *name);
	/* Every macro name, for "did you mean". */
	const char *const *(*macro_names)(void *user, size_t *n);
	void *user;
} bh_cond_env;

/* Where a compile error is: in the text given (macro NULL) or in the text of that macro, at byte off. */
typedef struct bh_cond_pos {
	const char *macro; /* points into the env's names: valid while they live */
	size_t off;
} bh_cond_pos;

/* What the evaluator may ask the platform (all optional; a NULL callback leaves its field absent or at the event's answer). */
typedef struct bh_cond_ctx {
	bool (*has_package)(void *user, const bh_rt_container *ct, const char *name);
	int (*exe_from_image)(void *user, const bh_rt_event *ev, const bh_rt_container *ct); /* 1, 0, -1 = ask the event */
	void *user;
} bh_cond_ctx;

/* Compiles text; *out is the caller's (bh_cond_free). On error BH_EINVAL and pos says where. */
int bh_cond_compile(const char *text, const bh_cond_env *env, bh_cond **out, bh_cond_pos *pos, bh_error *err);
/* True when the event matches. ct and ctx may be NULL (host; no inventory). */
bool bh_cond_eval(const bh_cond *c, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx);
/* Bit t set when an event of type t can match (from evt.type / evt.class tests); all bits otherwise. */
uint32_t bh_cond_types(const bh_cond *c);
void bh_cond_free(bh_cond *c);

/* A field reference for output formats ("%proc.name", "%proc.aname[1]"). */
typedef struct bh_cond_field {
	int id;
	long iarg;
	char *sarg; /* owned */
} bh_cond_field;
/* True when s (NUL-terminated name, no brackets) is a field. */
bool bh_cond_field_known(const char *name);
/*
 * Reads a field reference at s ("proc.name[...]" up to the first character that cannot be in a
 * name): *used = bytes read. BH_EINVAL with a "did you mean" message when it names no field.
 */
int bh_cond_field_parse(const char *s, size_t *used, bh_cond_field *f, bh_error *err);
/* Appends the field's value for a terminal and a log (control characters escaped; absent: "<NA>"). */
int bh_cond_field_format(const bh_cond_field *f, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx, bh_buf *b);
void bh_cond_field_free(bh_cond_field *f);
/* Every field name (static), for documentation and suggestions. */
const char *const *bh_cond_field_names(size_t *n);
/* True for a known operator word or symbol ("=", "in", "pmatch", ...). */
bool bh_cond_op_known(const char *op);

#endif
