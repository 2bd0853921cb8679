/* test_gobinary.c - Go build info from this machine's real Go binaries, checked against `go version -m`,
 * read both with random access (directories) and as a forward-only stream (image layers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "pkg/gobinary.h"

extern const bh_analyzer bh_analyzer_binary;

/*
 * Debian's Go packages are GOPATH builds (stdlib only in their build info); module builds with
 * dependencies come from the machine's other tools and from one the test builds (built[]).
 */
static const char *const bins[] = { "/usr/bin/umoci", "/usr/bin/skopeo", "/usr/bin/docker-registry", "/usr/bin/podman",
				     "/usr/local/bin/terraform", "/usr/lib/google-cloud-sdk/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/kpt" };
static char built[256];

struct fdsrc {
	int fd;
	uint64_t pos;
};

static int fd_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	struct fdsrc *s = ctx;
	ssize_t r;
	/* hand out odd-sized pieces to exercise the window logic */
	if (n > 7777)
		n = 7777;
	r = pread(s->fd, buf, n, (off_t)s->pos);
	if (r < 0)
		return bh_error_set(err, BH_EIO, "read");
	s->pos += (uint64_t)r;
	*got = (size_t)r;
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t n, uint64_t off, size_t *got, bh_error *err)
{
	struct fdsrc *s = ctx;
	ssize_t r = pread(s->fd, buf, n, (off_t)off);
	if (r < 0)
		return bh_error_set(err, BH_EIO, "read");
	*got = (size_t)r;
	return 0;
}

static const bh_file_ops stream_ops = { fd_read, NULL };
static const bh_file_ops seek_ops = { fd_read, fd_pread };

static int analyze(const char *path, bool seekable, bh_complist *out)
{
	struct fdsrc s = { open(path, O_RDONLY), 0 };
	struct stat st;
	bh_limits lim;
	bh_file f;
	bh_error err;
	int rc;
	assert_true(s.fd >= 0);
	fstat(s.fd, &st);
	bh_limits_default(&lim);
	memset(&f, 0, sizeof(f));
	f.path = path + 1;
	f.mode = st.st_mode;
	f.size = (uint64_t)st.st_size;
	f.limits = &lim;
	f.ops = seekable ? &seek_ops : &stream_ops;
	f.ctx = &s;
	rc = bh_analyzer_binary.analyze(&f, out, &err);
	close(s.fd);
	return rc;
}

/* `go version -m` lines -> "path@version" set, with replacements applied and stdlib added. */
static void expected(const char *bin, bh_buf *want)
{
	char cmd[512], line[4096], last[2048] = "";
	FILE *p;
	snprintf(cmd, sizeof(cmd), "go version -m %s", bin);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char k[16], path[1024], ver[512];
		line[strcspn(line, "\n")] = '\0';
		if (strchr(line, ':') && line[0] == '/') {
			const char *v = strstr(line, ": go");
			if (v) {
				size_t n = strcspn(v + 4, " ");
				snprintf(last, sizeof(last), "stdlib@v%.*s\n", (int)n, v + 4);
			}
			continue;
		}
		if (sscanf(line, " %15s %1023s %511s", k, path, ver) < 2)
			continue;
		if (!strcmp(k, "mod")) {
			bh_buf_printf(want, "%s@\n", path); /* the main module's version may come from -ldflags */
		} else if (!strcmp(k, "dep")) {
			if (!strcmp(ver, "(devel)"))
				ver[0] = '\0';
			bh_buf_printf(want, "%s@%s\n", path, ver);
		} else if (!strcmp(k, "=>")) {
			/* a local directory keeps the module as required; a module replacement takes its place */
			if (path[0] == '.' || path[0] == '/')
				continue;
			/* replace the previous line */
			char *nl = want->len > 1 ? memrchr(want->data, '\n', want->len - 1) : NULL;
			want->len = nl ? (size_t)(nl - want->data) + 1 : 0;
			bh_buf_printf(want, "%s@%s\n", path, ver);
		}
	}
	pclose(p);
	bh_buf_puts(want, last);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of b, sorted, as one string (caller frees): the analyzer and go list modules in different orders. */
static char *sorted_lines(const bh_buf *b)
{
	char *copy = strdup(b->data ? b->data : ""), *save = NULL, *l, **v = NULL, *out;
	size_t n = 0, i, len = 0;
	assert_non_null(copy);
	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		v[n++] = l;
		len += strlen(l) + 1;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	out = calloc(1, len + 1);
	assert_non_null(out);
	for (i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
	}
	free(v);
	free(copy);
	return out;
}

/*
 * A module build with a required dependency (replaced by a local copy, so no network) and a
 * version stamped by -ldflags: `go version -m` shows mod, dep and => lines for it.
 */
static void build_module_binary(void)
{
	char dir[] = "/tmp/bh-gobin-XXXXXX", cmd[1024];
	if (!mkdtemp(dir))
		return;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p app dep && "
		 "printf 'module example.com/dep\\n\\ngo 1.19\\n' > dep/go.mod && "
		 "printf 'package dep\\n\\nfunc Hi() string { return \"hi\" }\\n' > dep/dep.go && "
		 "printf 'module example.com/app\\n\\ngo 1.19\\n\\nrequire example.com/dep v1.2.3\\n\\nreplace example.com/dep => ../dep\\n' > app/go.mod && "
		 "printf 'package main\\n\\nimport \"example.com/dep\"\\n\\nfunc main() { println(dep.Hi()) }\\n' > app/main.go && "
		 "cd app && GOFLAGS=-mod=mod GOPROXY=off GOCACHE=%s/cache GOPATH=%s/gopath go build -o ../app.bin . >/dev/null 2>&1",
		 dir, dir, dir);
	if (system(cmd) == 0)
		snprintf(built, sizeof(built), "%s/app.bin", dir);
	else
		print_message("note: could not build a module binary with go (offline); only installed binaries are checked\n");
}

/* The machine's own Go binaries: exactly the modules `go version -m` lists (the oracle), both read modes. */
static void test_real_binaries(void **state)
{
	size_t b, i, checked = 0, modules = 0;
	(void)state;
	if (system("command -v go >/dev/null 2>&1") != 0) {
		print_message("SKIP: go not installed, so there is no `go version -m` to compare with (scripts/setup.sh installs golang-go)\n");
		skip();
	}
	build_module_binary();
	for (b = 0; b <= sizeof(bins) / sizeof(bins[0]); b++) {
		int mode;
		bh_buf want = BH_BUF_INIT;
		const char *bin = b < sizeof(bins) / sizeof(bins[0]) ? bins[b] : built;
		if (!bin[0] || access(bin, R_OK) != 0)
			continue;
		expected(bin, &want);
		modules += want.data && strstr(want.data, "\n") != strrchr(want.data, '\n'); /* more than stdlib */
		for (mode = 0; mode < 2; mode++) {
			bh_complist l = { 0 };
			bh_buf got = BH_BUF_INIT;
			assert_int_equal(analyze(bin, mode == 1, &l), 0);
			for (i = 0; i < l.n; i++) {
				/* main module version may come from -ldflags: compare path only for it */
				if (l.items[i]->flags & BH_COMP_MAIN)
					bh_buf_printf(&got, "%s@\n", l.items[i]->name);
				else
					bh_buf_printf(&got, "%s@%s\n", l.items[i]->name, l.items[i]->version ? l.items[i]->version : "");
			}
			{
				char *g = sorted_lines(&got), *w = sorted_lines(&want);
				if (strcmp(g, w) != 0)
					print_error("%s (%s):\nwant:\n%s\ngot:\n%s\n", bin, mode ? "seekable" : "stream", w, g);
				assert_true(l.n >= 1); /* stdlib at least */
				assert_string_equal(g, w);
				free(g);
				free(w);
			}
			checked++;
			bh_buf_free(&got);
			bh_complist_free(&l);
		}
		bh_buf_free(&want);
	}
	if (built[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(built, '/') - built), built);
		(void)system(cmd);
	}
	if (!modules) {
		print_message("SKIP: no Go binary with module build info could be read or built here (checked %zu GOPATH-build pairs)\n", checked);
		skip();
	}
	print_message("checked %zu binary/mode pairs against go version -m, %zu binaries with modules\n", checked, modules);
}

static void test_not_go(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(analyze("/bin/ls", true, &l), 0);
	assert_int_equal(analyze("/bin/ls", false, &l), 0);
	assert_int_equal(l.n, 0);
}

static void test_modinfo_and_ldflags(void **state)
{
	static const char mi[] =
		"path\tcloud.google.com/go/cbt\n"
		"mod\tcloud.google.com/go/cbt\tv0.0.0-20250422202024-9eeb4a7a08b6+dirty\t\n"
		"dep\tgithub.com/a/b\tv1.0.0\th1:x=\n"
		"dep\tgithub.com/c/d\tv1.0.0\th1:y=\n"
		"=>\t./local/d\t\t\n"
		"build\t-ldflags=\"-X \\\"main.version=1.23.2\\\" -X \\\"main.revision=9eeb4a7\\\"\"\n";
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(bh_gobinary_modinfo(mi, sizeof(mi) - 1, "go1.21.5 X:boringcrypto", &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[0]->version, "1.23.2");
	/* "=> ./local/d": a directory has no identity of its own; the module as required stays */
	assert_string_equal(l.items[2]->name, "github.com/c/d");
	assert_string_equal(l.items[2]->version, "v1.0.0");
	assert_string_equal(bh_component_get_prop(l.items[2], "go.replace.dir"), "./local/d");
	assert_string_equal(bh_component_get_prop(l.items[2], "go.replaced"), "true");
	assert_string_equal(l.items[3]->name, "stdlib");
	assert_string_equal(l.items[3]->version, "v1.21.5");
	bh_complist_free(&l);
}

/*
 * `go version -m` of a binary built with go1.19.8 from a module whose go.mod has
 * "require example.com/lib v1.4.2" and "replace example.com/lib => ../lib" (lines as printed,
 * leading tab removed), and of a module replacement (a fork at a version): the local one keeps the
 * required module's identity, the fork replaces it.
 */
static void test_local_replacement(void **state)
{
	static const char mi[] =
		"path\texample.com/app\n"
		"mod\texample.com/app\t(devel)\t\n"
		"dep\texample.com/lib\tv1.4.2\n"
		"=>\t../lib\t(devel)\t\n"
		"dep\tgolang.org/x/text\tv0.3.7\n"
		"=>\tgithub.com/fork/text\tv0.3.8\th1:abc=\n"
		"build\t-compiler=gc\n"
		"build\t-trimpath=true\n";
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(bh_gobinary_modinfo(mi, sizeof(mi) - 1, "go1.19.8", &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[0]->name, "example.com/app");
	assert_null(l.items[0]->version);
	assert_string_equal(l.items[1]->name, "example.com/lib");
	assert_string_equal(l.items[1]->version, "v1.4.2");
	assert_string_equal(bh_component_get_prop(l.items[1], "go.replace.dir"), "../lib");
	assert_string_equal(l.items[2]->name, "github.com/fork/text");
	assert_string_equal(l.items[2]->version, "v0.3.8");
	assert_null(bh_component_get_prop(l.items[2], "go.replace.dir"));
	assert_string_equal(l.items[3]->name, "stdlib");
	bh_complist_free(&l);
}

static void test_hostile_blobs(void **state)
{
	unsigned char blob[64];
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	memset(blob, 0, sizeof(blob));
	memcpy(blob, "\xff Go buildinf:", 14);
	blob[14] = 8;
	blob[15] = 2;
	blob[32] = 0xff; /* varint that never ends */
	memset(blob + 33, 0xff, 31);
	assert_int_equal(bh_gobinary_parse(blob, sizeof(blob), NULL, NULL, &l, &err), BH_EINVAL);
	blob[32] = 100; /* length past the end */
	assert_int_equal(bh_gobinary_parse(blob, sizeof(blob), NULL, NULL, &l, &err), BH_EINVAL);
	blob[15] = 0; /* old pointer format without random access */
	assert_int_equal(bh_gobinary_parse(blob, sizeof(blob), NULL, NULL, &l, &err), BH_EUNSUPPORTED);
	assert_int_equal(bh_gobinary_parse(blob, 20, NULL, NULL, &l, &err), BH_EINVAL);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_binaries),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_modinfo_and_ldflags),
		cmocka_unit_test(test_local_replacement),
		cmocka_unit_test(test_hostile_blobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
