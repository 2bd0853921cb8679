/* cond.c - the condition language: a recursive-descent parser to a tree of resolved accessors, and its evaluator. */
#include "runtime/cond.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/suggest.h"
#include "core/text.h"

/* Bounds on hostile rule text: nesting, macro depth, tree size, one value's length. */
#define MAX_DEPTH 200
#define MAX_MACRO_DEPTH 32
#define MAX_NODES 200000
#define MAX_VALUES 100000
#define MAX_WORDS 64 /* proc.argv items looked at */

enum ftype { T_STR, T_NUM, T_BOOL, T_TYPE, T_LIST };
enum farg { A_NONE, A_INT, A_STR };

enum fid {
	F_EVT_TYPE, F_EVT_CLASS, F_EVT_TIME, F_EVT_DIR, F_EVT_FLAGS, F_EVT_MODE, F_EVT_RET, F_EVT_VALUE, F_EVT_TPID,
	F_EVT_PATH, F_EVT_PATH2, F_EVT_OPENW, F_EVT_OPENR,
	F_PROC_PID, F_PROC_TID, F_PROC_PPID, F_PROC_NAME, F_PROC_PNAME, F_PROC_ANAME, F_PROC_EXE, F_PROC_CMDLINE,
	F_PROC_ARGS, F_PROC_ARGV, F_PROC_CWD, F_PROC_FROM_IMAGE, F_PROC_IS_SHELL, F_PROC_STDIO_NET,
	F_USER_UID, F_USER_EUID, F_GROUP_GID,
	F_FD_NAME, F_FD_DIR, F_FD_FILE, F_FD_NAME2, F_FD_TYPECHAR, F_FD_SIP, F_FD_SPORT, F_FD_CIP, F_FD_CPORT, F_FD_RIP,
	F_FD_RPORT, F_FD_LIP, F_FD_LPORT, F_FD_L4PROTO, F_FD_FAMILY,
	F_CT_ID, F_CT_NAME, F_CT_IMAGE, F_CT_REPO, F_CT_TAG, F_CT_DIGEST, F_CT_PRIV, F_IMG_HAS_PKG,
	F__COUNT
};

static const struct fdef {
	const char *name;
	unsigned char type, arg;
} fields[F__COUNT] = {
	[F_EVT_TYPE] = { "evt.type", T_TYPE, A_NONE },          [F_EVT_CLASS] = { "evt.class", T_STR, A_NONE },
	[F_EVT_TIME] = { "evt.time", T_NUM, A_NONE },           [F_EVT_DIR] = { "evt.dir", T_STR, A_NONE },
	[F_EVT_FLAGS] = { "evt.arg.flags", T_NUM, A_NONE },     [F_EVT_MODE] = { "evt.arg.mode", T_NUM, A_NONE },
	[F_EVT_RET] = { "evt.arg.ret", T_NUM, A_NONE },         [F_EVT_VALUE] = { "evt.arg.value", T_NUM, A_NONE },
	[F_EVT_TPID] = { "evt.arg.target_pid", T_NUM, A_NONE }, [F_EVT_PATH] = { "evt.arg.path", T_STR, A_NONE },
	[F_EVT_PATH2] = { "evt.arg.path2", T_STR, A_NONE },     [F_EVT_OPENW] = { "evt.is_open_write", T_BOOL, A_NONE },
	[F_EVT_OPENR] = { "evt.is_open_read", T_BOOL, A_NONE },
	[F_PROC_PID] = { "proc.pid", T_NUM, A_NONE },           [F_PROC_TID] = { "proc.tid", T_NUM, A_NONE },
	[F_PROC_PPID] = { "proc.ppid", T_NUM, A_NONE },         [F_PROC_NAME] = { "proc.name", T_STR, A_NONE },
	[F_PROC_PNAME] = { "proc.pname", T_STR, A_NONE },       [F_PROC_ANAME] = { "proc.aname", T_LIST, A_INT },
	[F_PROC_EXE] = { "proc.exe", T_STR, A_NONE },           [F_PROC_CMDLINE] = { "proc.cmdline", T_STR, A_NONE },
	[F_PROC_ARGS] = { "proc.args", T_STR, A_NONE },         [F_PROC_ARGV] = { "proc.argv", T_LIST, A_NONE },
	[F_PROC_CWD] = { "proc.cwd", T_STR, A_NONE },           [F_PROC_FROM_IMAGE] = { "proc.exe_from_image", T_BOOL, A_NONE },
	[F_PROC_IS_SHELL] = { "proc.is_shell", T_BOOL, A_NONE },   [F_PROC_STDIO_NET] = { "proc.stdio_net", T_BOOL, A_NONE },
	[F_USER_UID] = { "user.uid", T_NUM, A_NONE },           [F_USER_EUID] = { "user.euid", T_NUM, A_NONE },
	[F_GROUP_GID] = { "group.gid", T_NUM, A_NONE },
	[F_FD_NAME] = { "fd.name", T_STR, A_NONE },             [F_FD_DIR] = { "fd.directory", T_STR, A_NONE },
	[F_FD_FILE] = { "fd.filename", T_STR, A_NONE },         [F_FD_NAME2] = { "fd.name2", T_STR, A_NONE },
	[F_FD_TYPECHAR] = { "fd.typechar", T_STR, A_NONE },     [F_FD_SIP] = { "fd.sip", T_STR, A_NONE },
	[F_FD_SPORT] = { "fd.sport", T_NUM, A_NONE },           [F_FD_CIP] = { "fd.cip", T_STR, A_NONE },
	[F_FD_CPORT] = { "fd.cport", T_NUM, A_NONE },           [F_FD_RIP] = { "fd.rip", T_STR, A_NONE },
	[F_FD_RPORT] = { "fd.rport", T_NUM, A_NONE },           [F_FD_LIP] = { "fd.lip", T_STR, A_NONE },
	[F_FD_LPORT] = { "fd.lport", T_NUM, A_NONE },           [F_FD_L4PROTO] = { "fd.l4proto", T_STR, A_NONE },
	[F_FD_FAMILY] = { "fd.family", T_STR, A_NONE },
	[F_CT_ID] = { "container.id", T_STR, A_NONE },          [F_CT_NAME] = { "container.name", T_STR, A_NONE },
	[F_CT_IMAGE] = { "container.image", T_STR, A_NONE },    [F_CT_REPO] = { "container.image.repository", T_STR, A_NONE },
	[F_CT_TAG] = { "container.image.tag", T_STR, A_NONE },  [F_CT_DIGEST] = { "container.image.digest", T_STR, A_NONE },
	[F_CT_PRIV] = { "container.privileged", T_BOOL, A_NONE }, [F_IMG_HAS_PKG] = { "image.has_package", T_BOOL, A_STR },
};

static const char *field_names[F__COUNT];

const char *const *bh_cond_field_names(size_t *n)
{
	int i;
	for (i = 0; i < F__COUNT; i++)
		field_names[i] = fields[i].name;
	*n = F__COUNT;
	return field_names;
}

static int field_lookup(const char *name, size_t len)
{
	int i;
	for (i = 0; i < F__COUNT; i++)
		if (strlen(fields[i].name) == len && !memcmp(fields[i].name, name, len))
			return i;
	return -1;
}

bool bh_cond_field_known(const char *name) { return field_lookup(name, strlen(name)) >= 0; }

/* Linux ABI values, so rules can name flags instead of numbers. */
static const struct {
	const char *name;
	uint64_t v;
} constants[] = {
	{ "O_WRONLY", 01 }, { "O_RDWR", 02 }, { "O_CREAT", 0100 }, { "O_EXCL", 0200 }, { "O_TRUNC", 01000 },
	{ "O_APPEND", 02000 }, { "O_NONBLOCK", 04000 }, { "O_DIRECTORY", 0200000 }, { "O_CLOEXEC", 02000000 },
	{ "O_TMPFILE", 020200000 }, { "O_PATH", 010000000 },
	{ "CLONE_NEWNS", 0x00020000 }, { "CLONE_NEWCGROUP", 0x02000000 }, { "CLONE_NEWUTS", 0x04000000 },
	{ "CLONE_NEWIPC", 0x08000000 }, { "CLONE_NEWUSER", 0x10000000 }, { "CLONE_NEWPID", 0x20000000 },
	{ "CLONE_NEWNET", 0x40000000 }, { "CLONE_NEWTIME", 0x00000080 },
	{ "PTRACE_TRACEME", 0 }, { "PTRACE_PEEKTEXT", 1 }, { "PTRACE_PEEKDATA", 2 }, { "PTRACE_POKETEXT", 4 },
	{ "PTRACE_POKEDATA", 5 }, { "PTRACE_POKEUSER", 6 }, { "PTRACE_SETREGS", 13 }, { "PTRACE_ATTACH", 16 },
	{ "PTRACE_SEIZE", 0x4206 },
	{ "MS_RDONLY", 1 }, { "MS_REMOUNT", 32 }, { "MS_BIND", 4096 }, { "MS_MOVE", 8192 }, { "MS_REC", 16384 },
	{ "S_ISUID", 04000 }, { "S_ISGID", 02000 }, { "S_IXUSR", 0100 }, { "S_IXGRP", 010 }, { "S_IXOTH", 01 },
	{ "CAP_CHOWN", 1ull << 0 }, { "CAP_DAC_OVERRIDE", 1ull << 1 }, { "CAP_DAC_READ_SEARCH", 1ull << 2 },
	{ "CAP_SETGID", 1ull << 6 }, { "CAP_SETUID", 1ull << 7 }, { "CAP_NET_ADMIN", 1ull << 12 },
	{ "CAP_NET_RAW", 1ull << 13 }, { "CAP_SYS_MODULE", 1ull << 16 }, { "CAP_SYS_RAWIO", 1ull << 17 },
	{ "CAP_SYS_CHROOT", 1ull << 18 }, { "CAP_SYS_PTRACE", 1ull << 19 }, { "CAP_SYS_ADMIN", 1ull << 21 },
	{ "CAP_BPF", 1ull << 39 },
};

/* Falco's syscall names for our event types. */
static const struct {
	const char *name;
	bh_rt_type t;
} type_alias[] = {
	{ "execveat", BH_RT_EXEC },   { "procexit", BH_RT_EXIT },   { "openat", BH_RT_OPEN },       { "openat2", BH_RT_OPEN },
	{ "creat", BH_RT_OPEN },      { "unlinkat", BH_RT_UNLINK }, { "renameat", BH_RT_RENAME },   { "renameat2", BH_RT_RENAME },
	{ "fchmod", BH_RT_CHMOD },    { "fchmodat", BH_RT_CHMOD },  { "accept4", BH_RT_ACCEPT },    { "finit_module", BH_RT_MODULE },
	{ "setresuid", BH_RT_SETUID }, { "setreuid", BH_RT_SETUID }, { "memfd", BH_RT_MEMFD },
};

static const char *const shells[] = { "ash", "bash", "busybox", "csh", "dash", "fish", "ksh", "mksh", "sh", "tcsh", "zsh" };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS, OP_ICONTAINS, OP_STARTS, OP_ENDS, OP_GLOB, OP_IGLOB,
	  OP_IN, OP_INTERSECTS, OP_PMATCH, OP_EXISTS };

static const struct {
	const char *s;
	enum op op;
} ops[] = {
	{ "==", OP_EQ }, { "=", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { "<", OP_LT }, { ">=", OP_GE }, { ">", OP_GT },
	{ "contains", OP_CONTAINS }, { "icontains", OP_ICONTAINS }, { "startswith", OP_STARTS }, { "endswith", OP_ENDS },
	{ "glob", OP_GLOB }, { "iglob", OP_IGLOB }, { "in", OP_IN }, { "intersects", OP_INTERSECTS }, { "pmatch", OP_PMATCH },
	{ "exists", OP_EXISTS },
};

bool bh_cond_op_known(const char *op)
{
	size_t i;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].s, op))
			return true;
	return false;
}

/* ------------------------------------------------------------------ the tree */

typedef struct sval {
	char *s;
	size_t n;
} sval;

enum kind { N_AND, N_OR, N_NOT, N_CMP };

typedef struct node {
	unsigned char kind, op;
	short field;
	long iarg;   /* proc.aname[N]: N, or -1 */
	char *sarg;  /* image.has_package[NAME] */
	struct node **kids;
	size_t nkids;
	sval *sv;    /* string values (sorted for in/intersects) */
	uint64_t *uv; /* numeric values (sorted for in) */
	size_t nv;
	uint32_t tmask; /* evt.type = / in */
	bool bv;
	short rfield; /* val(FIELD) on the right: compared with that field's value; -1 none */
} node;

struct bh_cond {
	node *root;
};

static void node_free(node *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	if (n->sv)
		for (i = 0; i < n->nv; i++)
			free(n->sv[i].s);
	free(n->sv);
	free(n->uv);
	free(n->sarg);
	free(n);
}

void bh_cond_free(bh_cond *c)
{
	if (!c)
		return;
	node_free(c->root);
	free(c);
}

/* ------------------------------------------------------------------ parser */

struct parser {
	const char *text, *p;
	const char *macro; /* the macro whose text this is (NULL: the top) */
	const bh_cond_env *env;
	const char *stack[MAX_MACRO_DEPTH]; /* macros being expanded */
	int nstack;
	int depth;
	size_t nodes, values;
	bh_cond_pos *pos;
	bh_error *err;
};

static int fail_at(struct parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	char msg[BH_ERROR_MSG_MAX];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->pos) {
		ps->pos->macro = ps->macro;
		ps->pos->off = (size_t)(at - ps->text);
	}
	return bh_error_set(ps->err, BH_EINVAL, "%s", msg);
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-'; }

/* A keyword: the word and then something that cannot continue a name. */
static bool at_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);
	return !strncmp(ps->p, w, n) && !name_char(ps->p[n]);
}

static node *new_node(struct parser *ps, int kind)
{
	node *n;
	if (++ps->nodes > MAX_NODES)
		return NULL;
	if (!(n = calloc(1, sizeof(*n))))
		return NULL;
	n->kind = (unsigned char)kind;
	n->iarg = -1;
	n->rfield = -1;
	return n;
}

static int add_kid(node *n, node *k)
{
	node **kk = realloc(n->kids, (n->nkids + 1) * sizeof(node *));
	if (!kk)
		return BH_ENOMEM;
	n->kids = kk;
	n->kids[n->nkids++] = k;
	return 0;
}

static int parse_or(struct parser *ps, node **out);

/* One value token: quoted (escapes \\ \" \') or bare. *s owned by the caller. */
static int value_token(struct parser *ps, char **s, size_t *n, bool *quoted)
{
	bh_buf b = BH_BUF_INIT;
	const char *start;
	skip_ws(ps);
	start = ps->p;
	*quoted = false;
	if (*ps->p == '"' || *ps->p == '\'') {
		char q = *ps->p++;
		*quoted = true;
		for (;;) {
			if (!*ps->p) {
				bh_buf_free(&b);
				return fail_at(ps, start, "unterminated string: the %c here has no closing %c", q, q);
			}
			if (*ps->p == q) {
				ps->p++;
				break;
			}
			if (*ps->p == '\\' && (ps->p[1] == q || ps->p[1] == '\\' || ps->p[1] == '"' || ps->p[1] == '\''))
				ps->p++;
			bh_buf_putc(&b, *ps->p++);
		}
	} else {
		while (*ps->p && !strchr(" \t\r\n(),", *ps->p))
			bh_buf_putc(&b, *ps->p++);
		if (ps->p == start) {
			bh_buf_free(&b);
			if (!*start)
				return fail_at(ps, start, "expected a value at the end of the condition");
			return fail_at(ps, start, "expected a value, found '%c'", *start);
		}
	}
	if (bh_buf_oom(&b) || ++ps->values > MAX_VALUES) {
		bh_buf_free(&b);
		return fail_at(ps, start, "out of memory or too many values");
	}
	*n = b.len;
	*s = b.data ? bh_buf_steal(&b) : strdup("");
	return *s ? 0 : BH_ENOMEM;
}

struct raw {
	char **s;
	size_t *n;
	const char **at;
	size_t len, cap;
};

static int raw_add(struct raw *r, char *s, size_t n, const char *at)
{
	if (!s)
		return BH_ENOMEM;
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		char **ss = realloc(r->s, cap * sizeof(*ss));
		size_t *nn;
		const char **aa;
		if (!ss)
			return BH_ENOMEM;
		r->s = ss;
		if (!(nn = realloc(r->n, cap * sizeof(*nn))))
			return BH_ENOMEM;
		r->n = nn;
		if (!(aa = realloc(r->at, cap * sizeof(*aa))))
			return BH_ENOMEM;
		r->at = aa;
		r->cap = cap;
	}
	r->s[r->len] = s;
	r->n[r->len] = n;
	r->at[r->len++] = at;
	return 0;
}

static void raw_free(struct raw *r)
{
	size_t i;
	for (i = 0; i < r->len; i++)
		free(r->s[i]);
	free(r->s);
	free(r->n);
	free(r->at);
}

/* "(a, b, listname)": the items, lists expanded. */
static int value_list(struct parser *ps, struct raw *r)
{
	skip_ws(ps);
	if (*ps->p != '(')
		return fail_at(ps, ps->p, "expected '(' and a list of values after the operator");
	ps->p++;
	skip_ws(ps);
	if (*ps->p == ')') {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *s = NULL;
		size_t n = 0, i, nl = 0;
		bool quoted = false;
		const char *at;
		const char *const *items;
		int rc;
		skip_ws(ps);
		at = ps->p;
		if ((rc = value_token(ps, &s, &n, &quoted)))
			return rc;
		if (!quoted && ps->env && ps->env->list && (items = ps->env->list(ps->env->user, s, &nl))) {
			free(s);
			for (i = 0; i < nl; i++) {
				char *c = strdup(items[i]);
				if (!c || ++ps->values > MAX_VALUES || raw_add(r, c, strlen(c), at)) {
					free(c);
					return fail_at(ps, at, "out of memory or too many values");
				}
			}
		} else if (raw_add(r, s, n, at)) {
			free(s);
			return BH_ENOMEM;
		}
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ')') {
			ps->p++;
			return 0;
		}
		if (!*ps->p)
			return fail_at(ps, ps->p, "the list of values has no closing ')'");
		return fail_at(ps, ps->p, "expected ',' or ')' in the list of values");
	}
}

static int svcmp(const void *a, const void *b)
{
	const sval *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, n);
	return c ? c : x->n < y->n ? -1 : x->n > y->n;
}

static int ucmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int parse_num(struct parser *ps, const char *s, const char *at, uint64_t *out)
{
	char *end;
	size_t i;
	long long v;
	for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
		if (!strcmp(constants[i].name, s)) {
			*out = constants[i].v;
			return 0;
		}
	errno = 0;
	if (*s == '-') {
		v = strtoll(s, &end, 0);
		*out = (uint64_t)v;
	} else {
		*out = strtoull(s, &end, 0);
	}
	if (!*s || *end || errno) {
		const char *names[sizeof(constants) / sizeof(constants[0])];
		const char *sug;
		for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
			names[i] = constants[i].name;
		sug = bh_suggest(s, names, sizeof(names) / sizeof(names[0]));
		return fail_at(ps, at, "\"%s\" is not a number or a known constant%s%s%s", s, sug ? ", did you mean " : "",
			       sug ? sug : "", sug ? "?" : "");
	}
	return 0;
}

static int parse_type(struct parser *ps, const char *s, const char *at, uint32_t *mask)
{
	bh_rt_type t = bh_rt_type_parse(s);
	size_t i;
	if (t == BH_RT_NONE)
		for (i = 0; i < sizeof(type_alias) / sizeof(type_alias[0]); i++)
			if (!strcmp(type_alias[i].name, s))
				t = type_alias[i].t;
	if (t == BH_RT_NONE) {
		const char *names[BH_RT__TYPE_COUNT];
		const char *sug;
		int k;
		for (k = 1; k < BH_RT__TYPE_COUNT; k++)
			names[k - 1] = bh_rt_type_name((bh_rt_type)k);
		sug = bh_suggest(s, names, BH_RT__TYPE_COUNT - 1);
		/* a Falco syscall the sensor does not report matches nothing, but a typo should not pass */
		return fail_at(ps, at, "unknown event type \"%s\"%s%s%s (the sensor reports: execve, exit, open, unlink, rename, chmod, connect, "
				       "accept, listen, setuid, capset, unshare, setns, ptrace, init_module, mount, memfd_create)",
			       s, sug ? ", did you mean " : "", sug ? sug : "", sug ? "?" : "");
	}
	*mask |= 1u << t;
	return 0;
}

static const char *op_name(enum op o)
{
	size_t i;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == o)
			return ops[i].s;
	return "?";
}

/* The values of a comparison, checked and converted for the field's type. */
static int cmp_values(struct parser *ps, node *n, struct raw *r, const char *opat)
{
	int t = fields[n->field].type;
	size_t i;
	enum op o = (enum op)n->op;
	if (t == T_TYPE) {
		if (o != OP_EQ && o != OP_NE && o != OP_IN)
			return fail_at(ps, opat, "evt.type takes =, != or in, not %s", op_name(o));
		for (i = 0; i < r->len; i++)
			if (parse_type(ps, r->s[i], r->at[i], &n->tmask))
				return BH_EINVAL;
		return 0;
	}
	if (t == T_BOOL) {
		if (o != OP_EQ && o != OP_NE)
			return fail_at(ps, opat, "%s is true or false: it takes = or !=, not %s", fields[n->field].name, op_name(o));
		if (r->len != 1)
			return fail_at(ps, opat, "%s takes one value", fields[n->field].name);
		if (!strcmp(r->s[0], "true"))
			n->bv = true;
		else if (!strcmp(r->s[0], "false"))
			n->bv = false;
		else
			return fail_at(ps, r->at[0], "%s is true or false, not \"%s\"", fields[n->field].name, r->s[0]);
		return 0;
	}
	if (t == T_NUM) {
		if (o == OP_ICONTAINS || o == OP_STARTS || o == OP_ENDS || o == OP_GLOB || o == OP_IGLOB || o == OP_PMATCH)
			return fail_at(ps, opat, "%s is a number: %s compares strings", fields[n->field].name, op_name(o));
		if (!(n->uv = calloc(r->len ? r->len : 1, sizeof(*n->uv))))
			return BH_ENOMEM;
		for (i = 0; i < r->len; i++)
			if (parse_num(ps, r->s[i], r->at[i], &n->uv[i]))
				return BH_EINVAL;
		n->nv = r->len;
		if (o == OP_IN || o == OP_INTERSECTS)
			qsort(n->uv, n->nv, sizeof(*n->uv), ucmp);
		return 0;
	}
	if (o == OP_LT || o == OP_LE || o == OP_GT || o == OP_GE)
		return fail_at(ps, opat, "%s is a string: %s compares numbers", fields[n->field].name, op_name(o));
	if (!(n->sv = calloc(r->len ? r->len : 1, sizeof(*n->sv))))
		return BH_ENOMEM;
	for (i = 0; i < r->len; i++) {
		n->sv[i].s = r->s[i];
		n->sv[i].n = r->n[i];
		r->s[i] = NULL;
		if (o == OP_ICONTAINS) {
			size_t k;
			for (k = 0; k < n->sv[i].n; k++)
				n->sv[i].s[k] = (char)tolower((unsigned char)n->sv[i].s[k]);
		}
		if (o == OP_PMATCH)
			while (n->sv[i].n > 1 && n->sv[i].s[n->sv[i].n - 1] == '/')
				n->sv[i].s[--n->sv[i].n] = '\0';
	}
	n->nv = r->len;
	if (o == OP_IN || o == OP_INTERSECTS)
		qsort(n->sv, n->nv, sizeof(*n->sv), svcmp);
	return 0;
}

static const char *suggest_name(const char *word, const bh_cond_env *env, bool with_macros)
{
	size_t n;
	const char *const *f = bh_cond_field_names(&n);
	const char *s = bh_suggest(word, f, n);
	if (!s && with_macros && env && env->macro_names) {
		const char *const *m = env->macro_names(env->user, &n);
		s = bh_suggest(word, m, n);
	}
	return s;
}

static int parse_macro(struct parser *ps, const char *name, const char *at, node **out);

static int parse_primary(struct parser *ps, node **out)
{
	const char *start, *opat, *argat = NULL;
	char name[128], arg[256];
	size_t nl, al = 0;
	int fid, rc;
	size_t i;
	node *n;
	struct raw r;

	skip_ws(ps);
	start = ps->p;
	*out = NULL;
	if (*ps->p == '(') {
		ps->p++;
		if (++ps->depth > MAX_DEPTH)
			return fail_at(ps, start, "nested deeper than %d levels", MAX_DEPTH);
		if ((rc = parse_or(ps, out)))
			return rc;
		ps->depth--;
		skip_ws(ps);
		if (*ps->p != ')') {
			node_free(*out);
			*out = NULL;
			if (!*ps->p)
				return fail_at(ps, start, "missing ')' for this '('");
			return fail_at(ps, ps->p, "expected ')' or and/or, found \"%.20s\"", ps->p);
		}
		ps->p++;
		return 0;
	}
	if (!*ps->p)
		return fail_at(ps, ps->p, "unexpected end of the condition: expected a field, a macro or '('");
	if (!name_char(*ps->p) || *ps->p == '-' || *ps->p == '.')
		return fail_at(ps, ps->p, "expected a field, a macro or '(', found '%c'", *ps->p);
	while (name_char(*ps->p))
		ps->p++;
	nl = (size_t)(ps->p - start);
	if (nl >= sizeof(name))
		return fail_at(ps, start, "name longer than %zu bytes", sizeof(name) - 1);
	memcpy(name, start, nl);
	name[nl] = '\0';
	if (!strcmp(name, "and") || !strcmp(name, "or"))
		return fail_at(ps, start, "\"%s\" where a field, a macro or '(' was expected", name);
	if (*ps->p == '[') {
		const char *close = strchr(ps->p, ']');
		argat = ps->p + 1;
		if (!close)
			return fail_at(ps, ps->p, "the '[' of %s has no closing ']'", name);
		al = (size_t)(close - argat);
		if (al == 0 || al >= sizeof(arg))
			return fail_at(ps, argat, "the argument of %s in brackets is empty or too long", name);
		memcpy(arg, argat, al);
		arg[al] = '\0';
		ps->p = close + 1;
	}
	skip_ws(ps);
	opat = ps->p;
	/* a macro: a name without an operator after it */
	{
		bool has_op = false;
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t ol = strlen(ops[i].s);
			if (!strncmp(ps->p, ops[i].s, ol) && (!isalpha((unsigned char)ops[i].s[0]) || !name_char(ps->p[ol]))) {
				has_op = true;
				break;
			}
		}
		fid = field_lookup(name, nl);
		if (!has_op) {
			if (fid >= 0)
				return fail_at(ps, ps->p, "%s needs an operator (=, !=, in, contains, startswith, exists, ...)", name);
			if (argat)
				return fail_at(ps, start, "unknown field %s", name);
			return parse_macro(ps, name, start, out);
		}
		if (fid < 0) {
			const char *sug = suggest_name(name, ps->env, false);
			if (!strchr(name, '.') && ps->env && ps->env->macro && ps->env->macro(ps->env->user, name))
				return fail_at(ps, opat, "%s is a macro: it takes no operator", name);
			return fail_at(ps, start, "unknown field %s%s%s%s", name, sug ? ", did you mean " : "", sug ? sug : "", sug ? "?" : "");
		}
		ps->p += strlen(ops[i].s);
		if (!(n = new_node(ps, N_CMP)))
			return fail_at(ps, start, "out of memory or condition too large");
		n->field = (short)fid;
		n->op = (unsigned char)ops[i].op;
	}
	if (fields[fid].arg == A_STR && !argat) {
		node_free(n);
		return fail_at(ps, start, "%s needs an argument in brackets (%s[NAME])", name, name);
	}
	if (fields[fid].arg == A_NONE && argat) {
		node_free(n);
		return fail_at(ps, argat - 1, "%s takes no argument in brackets", name);
	}
	if (argat && fields[fid].arg == A_INT) {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 0 || v > 64) {
			node_free(n);
			return fail_at(ps, argat, "the argument of %s is an ancestor number (0 the process, 1 its parent)", name);
		}
		n->iarg = v;
	}
	if (argat && fields[fid].arg == A_STR && !(n->sarg = strdup(arg))) {
		node_free(n);
		return BH_ENOMEM;
	}
	if (n->op == OP_EXISTS) {
		*out = n;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	if (n->op == OP_IN || n->op == OP_INTERSECTS || n->op == OP_PMATCH) {
		rc = value_list(ps, &r);
	} else {
		char *s = NULL;
		size_t sl = 0;
		bool q = false;
		const char *at;
		skip_ws(ps);
		at = ps->p;
		if (!strncmp(ps->p, "val(", 4)) { /* another field's value */
			const char *fs = ps->p + 4, *fe = fs;
			int rf;
			while (name_char(*fe))
				fe++;
			rf = field_lookup(fs, (size_t)(fe - fs));
			if (*fe != ')' || rf < 0)
				rc = fail_at(ps, fs, "val() takes a field name: val(user.uid)");
			else if (fields[rf].type != fields[fid].type || (fields[rf].type != T_NUM && fields[rf].type != T_STR) ||
				 (n->op != OP_EQ && n->op != OP_NE && n->op != OP_LT && n->op != OP_LE && n->op != OP_GT && n->op != OP_GE))
				rc = fail_at(ps, fs, "val(%.*s): both fields must be numbers or both strings, compared with = != < <= > >=",
					     (int)(fe - fs), fs);
			else if (fields[rf].type == T_STR && n->op != OP_EQ && n->op != OP_NE)
				rc = fail_at(ps, opat, "strings are compared with = or !=");
			else {
				n->rfield = (short)rf;
				ps->p = fe + 1;
				*out = n;
				return 0;
			}
		} else if (*ps->p == '(') {
			rc = fail_at(ps, ps->p, "%s takes one value, not a list (use in)", op_name((enum op)n->op));
		} else if (!(rc = value_token(ps, &s, &sl, &q)) && (rc = raw_add(&r, s, sl, at))) {
			free(s);
		}
	}
	if (!rc)
		rc = cmp_values(ps, n, &r, opat);
	raw_free(&r);
	if (rc) {
		node_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

static int parse_macro(struct parser *ps, const char *name, const char *at, node **out)
{
	const char *text = ps->env && ps->env->macro ? ps->env->macro(ps->env->user, name) : NULL;
	struct parser sub;
	int i, rc;
	if (!text) {
		const char *sug = suggest_name(name, ps->env, true);
		return fail_at(ps, at, "unknown macro %s%s%s%s", name, sug ? ", did you mean " : "", sug ? sug : "", sug ? "?" : "");
	}
	for (i = 0; i < ps->nstack; i++)
		if (!strcmp(ps->stack[i], name))
			return fail_at(ps, at, "macro %s refers to itself", name);
	if (ps->nstack >= MAX_MACRO_DEPTH)
		return fail_at(ps, at, "macros nested deeper than %d", MAX_MACRO_DEPTH);
	sub = *ps;
	sub.text = sub.p = text;
	/* the name as the env spells it, so pos->macro stays valid after this call */
	sub.macro = NULL;
	{
		size_t k, nm;
		const char *const *names = ps->env->macro_names ? ps->env->macro_names(ps->env->user, &nm) : NULL;
		for (k = 0; names && k < nm; k++)
			if (!strcmp(names[k], name))
				sub.macro = names[k];
	}
	sub.stack[sub.nstack++] = sub.macro ? sub.macro : name;
	sub.depth = ps->depth + 1;
	if ((rc = parse_or(&sub, out)))
		return rc;
	skip_ws(&sub);
	if (*sub.p) {
		node_free(*out);
		*out = NULL;
		return fail_at(&sub, sub.p, "unexpected \"%.20s\" after the condition", sub.p);
	}
	ps->nodes = sub.nodes;
	ps->values = sub.values;
	return 0;
}

static int parse_unary(struct parser *ps, node **out)
{
	skip_ws(ps);
	*out = NULL;
	if (at_word(ps, "not")) {
		node *n, *k = NULL;
		int rc;
		const char *at = ps->p;
		ps->p += 3;
		if (++ps->depth > MAX_DEPTH)
			return fail_at(ps, at, "nested deeper than %d levels", MAX_DEPTH);
		if ((rc = parse_unary(ps, &k)))
			return rc;
		ps->depth--;
		if (!(n = new_node(ps, N_NOT)) || add_kid(n, k)) {
			node_free(n);
			node_free(k);
			return fail_at(ps, at, "out of memory or condition too large");
		}
		*out = n;
		return 0;
	}
	return parse_primary(ps, out);
}

static int parse_chain(struct parser *ps, node **out, bool is_or)
{
	node *first = NULL, *n = NULL;
	int rc;
	*out = NULL;
	if ((rc = is_or ? parse_chain(ps, &first, false) : parse_unary(ps, &first)))
		return rc;
	for (;;) {
		node *k = NULL;
		const char *at;
		skip_ws(ps);
		at = ps->p;
		if (!at_word(ps, is_or ? "or" : "and"))
			break;
		ps->p += is_or ? 2 : 3;
		if (!n) {
			if (!(n = new_node(ps, is_or ? N_OR : N_AND)) || add_kid(n, first)) {
				node_free(n);
				node_free(first);
				return fail_at(ps, at, "out of memory or condition too large");
			}
		}
		if ((rc = is_or ? parse_chain(ps, &k, false) : parse_unary(ps, &k))) {
			node_free(n);
			return rc;
		}
		if (add_kid(n, k)) {
			node_free(k);
			node_free(n);
			return BH_ENOMEM;
		}
	}
	*out = n ? n : first;
	return 0;
}

static int parse_or(struct parser *ps, node **out) { return parse_chain(ps, out, true); }

int bh_cond_compile(const char *text, const bh_cond_env *env, bh_cond **out, bh_cond_pos *pos, bh_error *err)
{
	struct parser ps;
	node *root = NULL;
	int rc;
	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.text = ps.p = text;
	ps.env = env;
	ps.pos = pos;
	ps.err = err;
	skip_ws(&ps);
	if (!*ps.p)
		return fail_at(&ps, ps.p, "empty condition");
	if ((rc = parse_or(&ps, &root)))
		return rc;
	skip_ws(&ps);
	if (*ps.p) {
		node_free(root);
		if (*ps.p == ')')
			return fail_at(&ps, ps.p, "')' without its '('");
		return fail_at(&ps, ps.p, "unexpected \"%.20s\": expected and, or or the end of the condition", ps.p);
	}
	if (!(*out = calloc(1, sizeof(**out)))) {
		node_free(root);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	(*out)->root = root;
	return 0;
}

/* ------------------------------------------------------------------ type index */

static uint32_t all_types(void) { return ((1u << BH_RT__TYPE_COUNT) - 1) & ~1u; }

static uint32_t class_mask(const node *n)
{
	uint32_t m = 0;
	size_t i;
	int t;
	for (t = 1; t < BH_RT__TYPE_COUNT; t++)
		for (i = 0; i < n->nv; i++)
			if (!strcmp(bh_rt_class_name(bh_rt_class_of((bh_rt_type)t)), n->sv[i].s))
				m |= 1u << t;
	return m;
}

static uint32_t types_of(const node *n)
{
	uint32_t m;
	size_t i;
	switch (n->kind) {
	case N_AND:
		for (m = all_types(), i = 0; i < n->nkids; i++)
			m &= types_of(n->kids[i]);
		return m;
	case N_OR:
		for (m = 0, i = 0; i < n->nkids; i++)
			m |= types_of(n->kids[i]);
		return m;
	case N_NOT: {
		const node *k = n->kids[0];
		if (k->kind == N_CMP && k->field == F_EVT_TYPE)
			return all_types() & ~(k->op == OP_NE ? all_types() & ~k->tmask : k->tmask);
		return all_types();
	}
	default:
		if (n->op == OP_EXISTS)
			return all_types();
		if (n->field == F_EVT_TYPE)
			return n->op == OP_NE ? all_types() & ~n->tmask : n->tmask;
		if (n->field == F_EVT_CLASS && (n->op == OP_EQ || n->op == OP_IN))
			return class_mask(n);
		return all_types();
	}
}

uint32_t bh_cond_types(const bh_cond *c) { return c && c->root ? types_of(c->root) : all_types(); }

/* ------------------------------------------------------------------ field values */

typedef struct word {
	const char *p;
	size_t n;
} word;

typedef struct val {
	int kind; /* 0 absent, 1 string, 2 number, 3 bool, 4 list */
	const char *s;
	size_t n;
	uint64_t u;
	bool b;
	word w[MAX_WORDS];
	size_t nw;
	char buf[BH_RT_COMM_MAX + BH_RT_ARGS_MAX + 128];
} val;

static void set_s(val *v, const char *s)
{
	v->kind = 1;
	v->s = s ? s : "";
	v->n = strlen(v->s);
}

static void set_u(val *v, uint64_t u)
{
	v->kind = 2;
	v->u = u;
}

static void set_b(val *v, bool b)
{
	v->kind = 3;
	v->b = b;
}

static bool is_net(const bh_rt_event *ev) { return bh_rt_class_of(ev->type) == BH_RT_CLASS_NET; }
static bool is_inet(const bh_rt_event *ev) { return is_net(ev) && (ev->family == AF_INET || ev->family == AF_INET6); }

static void set_ip(val *v, const bh_rt_event *ev, const uint8_t a[16])
{
	if (!inet_ntop(ev->family == AF_INET6 ? AF_INET6 : AF_INET, a, v->buf, sizeof(v->buf)))
		v->buf[0] = '\0';
	set_s(v, v->buf);
}

/* The args after argv[0]. */
static const char *args_rest(const bh_rt_event *ev)
{
	const char *sp = strchr(ev->args, ' ');
	return sp ? sp + 1 : "";
}

static bool has_ct(const bh_rt_container *ct) { return ct && ct->id && *ct->id; }

static bool fd_file(const bh_rt_event *ev)
{
	return bh_rt_class_of(ev->type) == BH_RT_CLASS_FILE || (is_net(ev) && ev->family == AF_UNIX && ev->path[0]);
}

static void get(const node *n, int fid, long iarg, const char *sarg, const bh_rt_event *ev, const bh_rt_container *ct,
		const bh_cond_ctx *ctx, val *v)
{
	bool exec = ev->type == BH_RT_EXEC;
	v->kind = 0;
	(void)n;
	switch (fid) {
	case F_EVT_TYPE: set_s(v, bh_rt_type_name(ev->type)); break;
	case F_EVT_CLASS: set_s(v, bh_rt_class_name(bh_rt_class_of(ev->type))); break;
	case F_EVT_TIME: set_u(v, ev->wall_ns); break;
	case F_EVT_DIR: set_s(v, "<"); break;
	case F_EVT_FLAGS: set_u(v, ev->flags); break;
	case F_EVT_MODE: set_u(v, ev->mode); break;
	case F_EVT_RET: set_u(v, (uint64_t)(int64_t)ev->ret); break;
	case F_EVT_VALUE: set_u(v, ev->arg); break;
	case F_EVT_TPID: if (ev->type == BH_RT_PTRACE) set_u(v, ev->target_pid); break;
	case F_EVT_PATH: if (ev->path[0]) set_s(v, ev->path); break;
	case F_EVT_PATH2: if (ev->path2[0]) set_s(v, ev->path2); break;
	case F_EVT_OPENW: if (ev->type == BH_RT_OPEN) set_b(v, (ev->flags & (01 | 02 | 0100 | 01000)) != 0); break;
	case F_EVT_OPENR: if (ev->type == BH_RT_OPEN) set_b(v, (ev->flags & (01 | 0100 | 01000)) == 0); break;
	case F_PROC_PID: set_u(v, ev->pid); break;
	case F_PROC_TID: set_u(v, ev->tid); break;
	case F_PROC_PPID: set_u(v, ev->ppid); break;
	case F_PROC_NAME: set_s(v, ev->comm); break;
	case F_PROC_PNAME: if (ev->pcomm[0]) set_s(v, ev->pcomm); break;
	case F_PROC_ANAME:
		if (iarg == 0)
			set_s(v, ev->comm);
		else if (iarg == 1 && ev->pcomm[0])
			set_s(v, ev->pcomm);
		else if (iarg < 0 && ev->pcomm[0]) {
			v->kind = 4;
			v->w[0].p = ev->pcomm;
			v->w[0].n = strlen(ev->pcomm);
			v->nw = 1;
		}
		break;
	case F_PROC_EXE: if (exec) set_s(v, ev->path); break;
	case F_PROC_CMDLINE:
		if (exec) {
			snprintf(v->buf, sizeof(v->buf), "%s%s%s", ev->comm, *args_rest(ev) ? " " : "", args_rest(ev));
			set_s(v, v->buf);
		}
		break;
	case F_PROC_ARGS: if (exec) set_s(v, args_rest(ev)); break;
	case F_PROC_ARGV:
		if (exec) {
			const char *p = ev->args;
			v->kind = 4;
			v->nw = 0;
			while (*p && v->nw < MAX_WORDS) {
				const char *e = strchr(p, ' ');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				if (len) {
					v->w[v->nw].p = p;
					v->w[v->nw++].n = len;
				}
				p += len;
				while (*p == ' ')
					p++;
			}
		}
		break;
	case F_PROC_CWD: if (exec && ev->cwd[0]) set_s(v, ev->cwd); break;
	case F_PROC_STDIO_NET: if (exec) set_b(v, ev->stdio_net); break;
	case F_PROC_FROM_IMAGE:
		if (exec) {
			int r = ctx && ctx->exe_from_image ? ctx->exe_from_image(ctx->user, ev, ct) : -1;
			set_b(v, r < 0 ? !ev->exe_upper : r > 0);
		}
		break;
	case F_PROC_IS_SHELL: {
		size_t lo = 0, hi = sizeof(shells) / sizeof(shells[0]);
		bool found = false;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(shells[mid], ev->comm);
			if (!c) {
				found = true;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		set_b(v, found);
		break;
	}
	case F_USER_UID: set_u(v, ev->uid); break;
	case F_USER_EUID: set_u(v, ev->euid); break;
	case F_GROUP_GID: set_u(v, ev->gid); break;
	case F_FD_NAME:
		if (fd_file(ev))
			set_s(v, ev->path);
		else if (is_inet(ev)) {
			char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
			int fam = ev->family == AF_INET6 ? AF_INET6 : AF_INET;
			const uint8_t *ca = ev->type == BH_RT_LISTEN ? NULL : ev->saddr, *sa = ev->type == BH_RT_LISTEN ? ev->saddr : ev->daddr;
			uint16_t cp = ev->type == BH_RT_LISTEN ? 0 : ev->sport, sp = ev->type == BH_RT_LISTEN ? ev->sport : ev->dport;
			if (!ca || !inet_ntop(fam, ca, c, sizeof(c)))
				c[0] = '\0';
			if (!inet_ntop(fam, sa, s, sizeof(s)))
				s[0] = '\0';
			if (ca)
				snprintf(v->buf, sizeof(v->buf), "%s:%u->%s:%u", c, cp, s, sp);
			else
				snprintf(v->buf, sizeof(v->buf), "%s:%u", s, sp);
			set_s(v, v->buf);
		}
		break;
	case F_FD_DIR:
	case F_FD_FILE:
		if (fd_file(ev)) {
			const char *sl = strrchr(ev->path, '/');
			if (fid == F_FD_FILE)
				set_s(v, sl ? sl + 1 : ev->path);
			else if (!sl)
				set_s(v, "");
			else {
				size_t len = sl == ev->path ? 1 : (size_t)(sl - ev->path);
				memcpy(v->buf, ev->path, len);
				v->buf[len] = '\0';
				set_s(v, v->buf);
			}
		}
		break;
	case F_FD_NAME2: if (ev->type == BH_RT_RENAME) set_s(v, ev->path2); break;
	case F_FD_TYPECHAR:
		if (bh_rt_class_of(ev->type) == BH_RT_CLASS_FILE)
			set_s(v, "f");
		else if (is_net(ev))
			set_s(v, ev->family == AF_INET ? "4" : ev->family == AF_INET6 ? "6" : ev->family == AF_UNIX ? "u" : "?");
		break;
	/* connect and accept: the client is saddr, the server daddr; listen: the bound address is the server */
	case F_FD_SIP: if (is_inet(ev)) set_ip(v, ev, ev->type == BH_RT_LISTEN ? ev->saddr : ev->daddr); break;
	case F_FD_SPORT: if (is_inet(ev)) set_u(v, ev->type == BH_RT_LISTEN ? ev->sport : ev->dport); break;
	case F_FD_CIP: if (is_inet(ev) && ev->type != BH_RT_LISTEN) set_ip(v, ev, ev->saddr); break;
	case F_FD_CPORT: if (is_inet(ev) && ev->type != BH_RT_LISTEN) set_u(v, ev->sport); break;
	/* connect: the peer is daddr; accept: saddr */
	case F_FD_RIP:
		if (is_inet(ev) && ev->type != BH_RT_LISTEN)
			set_ip(v, ev, ev->type == BH_RT_CONNECT ? ev->daddr : ev->saddr);
		break;
	case F_FD_RPORT:
		if (is_inet(ev) && ev->type != BH_RT_LISTEN)
			set_u(v, ev->type == BH_RT_CONNECT ? ev->dport : ev->sport);
		break;
	case F_FD_LIP: if (is_inet(ev)) set_ip(v, ev, ev->type == BH_RT_ACCEPT ? ev->daddr : ev->saddr); break;
	case F_FD_LPORT: if (is_inet(ev)) set_u(v, ev->type == BH_RT_ACCEPT ? ev->dport : ev->sport); break;
	case F_FD_L4PROTO:
		if (is_inet(ev))
			set_s(v, ev->proto == IPPROTO_TCP ? "tcp" : ev->proto == IPPROTO_UDP ? "udp" : "unknown");
		break;
	case F_FD_FAMILY:
		if (is_net(ev))
			set_s(v, ev->family == AF_INET ? "inet" : ev->family == AF_INET6 ? "inet6" : ev->family == AF_UNIX ? "unix" : "other");
		break;
	case F_CT_ID: set_s(v, has_ct(ct) ? ct->id : "host"); break;
	case F_CT_NAME: set_s(v, has_ct(ct) ? ct->name : "host"); break;
	case F_CT_IMAGE: if (has_ct(ct) && ct->image && *ct->image) set_s(v, ct->image); break;
	case F_CT_REPO:
	case F_CT_TAG:
		if (has_ct(ct) && ct->image && *ct->image) {
			const char *img = ct->image, *at = strchr(img, '@'), *sl = strrchr(img, '/');
			size_t end = at ? (size_t)(at - img) : strlen(img);
			const char *colon = NULL;
			size_t i;
			for (i = sl ? (size_t)(sl - img) : 0; i < end; i++)
				if (img[i] == ':')
					colon = img + i;
			if (fid == F_CT_TAG) {
				if (colon) {
					size_t len = (size_t)(img + end - colon - 1);
					if (len >= sizeof(v->buf))
						len = sizeof(v->buf) - 1;
					memcpy(v->buf, colon + 1, len);
					v->buf[len] = '\0';
					set_s(v, v->buf);
				}
			} else {
				size_t len = colon ? (size_t)(colon - img) : end;
				if (len >= sizeof(v->buf))
					len = sizeof(v->buf) - 1;
				memcpy(v->buf, img, len);
				v->buf[len] = '\0';
				set_s(v, v->buf);
			}
		}
		break;
	case F_CT_DIGEST: if (has_ct(ct) && ct->image_digest && *ct->image_digest) set_s(v, ct->image_digest); break;
	case F_CT_PRIV: set_b(v, has_ct(ct) && ct->privileged); break;
	case F_IMG_HAS_PKG:
		if (ctx && ctx->has_package && has_ct(ct))
			set_b(v, ctx->has_package(ctx->user, ct, sarg));
		break;
	default: break;
	}
}

/* ------------------------------------------------------------------ evaluation */

static bool icontains(const char *s, size_t n, const char *lower, size_t ln)
{
	size_t i, k;
	if (ln == 0)
		return true;
	for (i = 0; i + ln <= n; i++) {
		for (k = 0; k < ln && tolower((unsigned char)s[i + k]) == (unsigned char)lower[k]; k++)
			;
		if (k == ln)
			return true;
	}
	return false;
}

static bool str_in(const node *n, const char *s, size_t len)
{
	sval key = { (char *)s, len };
	return bsearch(&key, n->sv, n->nv, sizeof(*n->sv), svcmp) != NULL;
}

static bool str_match(const node *n, const char *s, size_t len)
{
	size_t i;
	const sval *v = n->sv;
	switch (n->op) {
	case OP_EQ: return len == v->n && !memcmp(s, v->s, len);
	case OP_NE: return !(len == v->n && !memcmp(s, v->s, len));
	case OP_CONTAINS: return v->n == 0 || (len >= v->n && memmem(s, len, v->s, v->n));
	case OP_ICONTAINS: return icontains(s, len, v->s, v->n);
	case OP_STARTS: return len >= v->n && !memcmp(s, v->s, v->n);
	case OP_ENDS: return len >= v->n && !memcmp(s + len - v->n, v->s, v->n);
	case OP_GLOB:
	case OP_IGLOB: {
		char tmp[BH_RT_ARGS_MAX + BH_RT_COMM_MAX + 128];
		if (len >= sizeof(tmp))
			return false;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		return fnmatch(v->s, tmp, n->op == OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
	}
	case OP_IN:
	case OP_INTERSECTS: return str_in(n, s, len);
	case OP_PMATCH:
		for (i = 0; i < n->nv; i++) {
			const sval *d = &n->sv[i];
			if (d->n == 1 && d->s[0] == '/')
				return len > 0 && s[0] == '/';
			if (len >= d->n && !memcmp(s, d->s, d->n) && (len == d->n || s[d->n] == '/'))
				return true;
		}
		return false;
	default: return false;
	}
}

static bool num_match(const node *n, uint64_t u)
{
	uint64_t c = n->nv ? n->uv[0] : 0;
	switch (n->op) {
	case OP_EQ: return u == c;
	case OP_NE: return u != c;
	case OP_LT: return (int64_t)u < (int64_t)c;
	case OP_LE: return (int64_t)u <= (int64_t)c;
	case OP_GT: return (int64_t)u > (int64_t)c;
	case OP_GE: return (int64_t)u >= (int64_t)c;
	case OP_CONTAINS: return c != 0 && (u & c) == c;
	case OP_IN:
	case OP_INTERSECTS: return bsearch(&u, n->uv, n->nv, sizeof(*n->uv), ucmp) != NULL;
	default: return false;
	}
}

static bool cmp(const node *n, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx)
{
	val v;
	size_t i;
	if (n->field == F_EVT_TYPE && n->op != OP_EXISTS) {
		bool in = ((n->tmask >> (unsigned)ev->type) & 1u) != 0;
		return n->op == OP_NE ? !in : in;
	}
	get(n, n->field, n->iarg, n->sarg, ev, ct, ctx, &v);
	if (n->op == OP_EXISTS)
		return v.kind != 0;
	if (n->rfield >= 0) {
		val w;
		get(n, n->rfield, -1, NULL, ev, ct, ctx, &w);
		if (!v.kind || v.kind != w.kind)
			return false;
		if (v.kind == 1) {
			bool eq = v.n == w.n && !memcmp(v.s, w.s, v.n);
			return n->op == OP_EQ ? eq : !eq;
		}
		switch (n->op) {
		case OP_EQ: return v.u == w.u;
		case OP_NE: return v.u != w.u;
		case OP_LT: return (int64_t)v.u < (int64_t)w.u;
		case OP_LE: return (int64_t)v.u <= (int64_t)w.u;
		case OP_GT: return (int64_t)v.u > (int64_t)w.u;
		default: return (int64_t)v.u >= (int64_t)w.u;
		}
	}
	switch (v.kind) {
	case 1: return str_match(n, v.s, v.n);
	case 2: return num_match(n, v.u);
	case 3: return n->op == OP_EQ ? v.b == n->bv : v.b != n->bv;
	case 4:
		if (n->op == OP_IN) { /* every item in the set */
			for (i = 0; i < v.nw; i++)
				if (!str_in(n, v.w[i].p, v.w[i].n))
					return false;
			return v.nw > 0;
		}
		if (n->op == OP_NE) {
			for (i = 0; i < v.nw; i++)
				if (v.w[i].n == n->sv[0].n && !memcmp(v.w[i].p, n->sv[0].s, v.w[i].n))
					return false;
			return true;
		}
		for (i = 0; i < v.nw; i++)
			if (str_match(n, v.w[i].p, v.w[i].n))
				return true;
		return false;
	default: return false;
	}
}

static bool eval(const node *n, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx)
{
	size_t i;
	switch (n->kind) {
	case N_AND:
		for (i = 0; i < n->nkids; i++)
			if (!eval(n->kids[i], ev, ct, ctx))
				return false;
		return true;
	case N_OR:
		for (i = 0; i < n->nkids; i++)
			if (eval(n->kids[i], ev, ct, ctx))
				return true;
		return false;
	case N_NOT: return !eval(n->kids[0], ev, ct, ctx);
	default: return cmp(n, ev, ct, ctx);
	}
}

bool bh_cond_eval(const bh_cond *c, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx)
{
	return c && c->root && eval(c->root, ev, ct, ctx);
}

/* ------------------------------------------------------------------ output fields */

int bh_cond_field_parse(const char *s, size_t *used, bh_cond_field *f, bh_error *err)
{
	size_t n = 0;
	int fid;
	memset(f, 0, sizeof(*f));
	f->iarg = -1;
	/* longest run of name characters that is a field ("proc.name." at a sentence's end is proc.name) */
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
		n++;
	while (n > 0 && field_lookup(s, n) < 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || (fid = field_lookup(s, n)) < 0) {
		char name[128];
		size_t nn;
		const char *const *names = bh_cond_field_names(&nn);
		const char *sug;
		snprintf(name, sizeof(name), "%.*s", (int)(n < 100 ? n : 100), s);
		sug = bh_suggest(name, names, nn);
		return bh_error_set(err, BH_EINVAL, "unknown field %%%s in the output%s%s%s", name, sug ? ", did you mean %" : "",
				    sug ? sug : "", sug ? "?" : "");
	}
	f->id = fid;
	if (s[n] == '[') {
		const char *close = strchr(s + n, ']');
		size_t al;
		if (!close || fields[fid].arg == A_NONE)
			return bh_error_set(err, BH_EINVAL, "%s: bad or unexpected argument in brackets", fields[fid].name);
		al = (size_t)(close - (s + n + 1));
		if (fields[fid].arg == A_INT) {
			char *end;
			f->iarg = strtol(s + n + 1, &end, 10);
			if (end != close || f->iarg < 0)
				return bh_error_set(err, BH_EINVAL, "%s: the argument is an ancestor number", fields[fid].name);
		} else if (!(f->sarg = strndup(s + n + 1, al))) {
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		n = (size_t)(close - s) + 1;
	} else if (fields[fid].arg == A_STR) {
		return bh_error_set(err, BH_EINVAL, "%%%s needs an argument in brackets", fields[fid].name);
	}
	*used = n;
	return 0;
}

int bh_cond_field_format(const bh_cond_field *f, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx, bh_buf *b)
{
	val v;
	size_t i;
	if (f->id == F_EVT_TIME) {
		time_t s = (time_t)(ev->wall_ns / 1000000000ull);
		struct tm tm;
		char t[40];
		gmtime_r(&s, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		return bh_buf_printf(b, "%s.%09lluZ", t, (unsigned long long)(ev->wall_ns % 1000000000ull));
	}
	get(NULL, f->id, f->iarg, f->sarg, ev, ct, ctx, &v);
	switch (v.kind) {
	case 1: return bh_text_put_term(b, v.s, v.n, 0);
	case 2:
		if (f->id == F_EVT_RET)
			return bh_buf_printf(b, "%d", ev->ret);
		if (f->id == F_EVT_MODE)
			return bh_buf_printf(b, "0%llo", (unsigned long long)v.u);
		if (f->id == F_EVT_FLAGS || f->id == F_EVT_VALUE)
			return bh_buf_printf(b, "0x%llx", (unsigned long long)v.u);
		return bh_buf_printf(b, "%llu", (unsigned long long)v.u);
	case 3: return bh_buf_puts(b, v.b ? "true" : "false");
	case 4:
		for (i = 0; i < v.nw; i++) {
			if (i)
				bh_buf_putc(b, ',');
			bh_text_put_term(b, v.w[i].p, v.w[i].n, 0);
		}
		return bh_buf_oom(b) ? BH_ENOMEM : 0;
	default: return bh_buf_puts(b, "<NA>");
	}
}

void bh_cond_field_free(bh_cond_field *f)
{
	if (f) {
		free(f->sarg);
		f->sarg = NULL;
	}
}
