/* dockerfile.c - Dockerfile parser (directives, continuations, heredocs, exec/shell forms, stages)
 * and the BH-DF security rules evaluated over it. */
#include "check/dockerfile.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/map.h"

/* ---------------------------------------------------------------- rules */

enum {
	R_NO_USER, R_ROOT_USER, R_NO_HEALTHCHECK, R_LATEST, R_NO_DIGEST, R_ADD_LOCAL, R_ADD_URL,
	R_CURL_SH, R_APT_PIN, R_APK_PIN, R_UPGRADE, R_UPDATE_ALONE, R_APT_LISTS, R_APK_CACHE,
	R_PIP_CACHE, R_SECRET, R_EXPOSE, R_SUDO, R_CHMOD_WORLD, R_CHMOD_SUID, R_SENSITIVE_COPY,
	R_INSECURE_RUN, R_COUNT
};

const bh_rule bh_dockerfile_rules[R_COUNT] = {
	[R_NO_USER] = { "BH-DF-001", "4.1", BH_SEV_HIGH, "final stage has no USER: the container runs as root",
		"Without a USER instruction the process runs as root (uid 0) in the container; a compromise of the "
		"application, or a container escape, then starts with root privileges.",
		"Create an unprivileged user (useradd -r app, adduser -S app) and end the final stage with USER app "
		"(or a numeric uid)." },
	[R_ROOT_USER] = { "BH-DF-002", "4.1", BH_SEV_HIGH, "last USER of the final stage is root",
		"The image's default user is root: every process started from it runs as uid 0 unless the runtime "
		"overrides the user.",
		"Switch to root only for the steps that need it and end the final stage with USER set to an "
		"unprivileged user." },
	[R_NO_HEALTHCHECK] = { "BH-DF-003", "4.6", BH_SEV_LOW, "final stage has no HEALTHCHECK",
		"Without a health check the engine cannot tell a hung or misbehaving service from a healthy one, so it "
		"is neither restarted nor taken out of service.",
		"Add HEALTHCHECK CMD <probe> (for example a request to a /health endpoint) to the final stage; do not "
		"disable it with HEALTHCHECK NONE." },
	[R_LATEST] = { "BH-DF-004", NULL, BH_SEV_MEDIUM, "base image uses the latest tag",
		"latest (also what no tag means) moves: each build may start from a different, unreviewed image, and "
		"whoever can push to the repository decides what you build on.",
		"Pin the base image to a version tag and its digest: FROM image:1.2.3@sha256:<digest>." },
	[R_NO_DIGEST] = { "BH-DF-005", NULL, BH_SEV_MEDIUM, "base image not pinned by digest",
		"A tag is a mutable pointer: the registry, or anyone who can push to it, can change what image:tag "
		"means between two builds, so the build is neither reproducible nor protected against a replaced image.",
		"Add the digest of the reviewed image: FROM image:tag@sha256:<digest> (docker buildx imagetools inspect "
		"image:tag shows it) and update it deliberately, e.g. with Renovate or Dependabot." },
	[R_ADD_LOCAL] = { "BH-DF-006", "4.9", BH_SEV_LOW, "ADD used where COPY fits",
		"ADD also fetches URLs and unpacks archives; for local files it hides that behaviour, and a source that "
		"is or later becomes a tar archive is silently extracted into the image.",
		"Use COPY for local files and directories; keep ADD for local archives that must be unpacked." },
	[R_ADD_URL] = { "BH-DF-007", "4.9", BH_SEV_MEDIUM, "ADD downloads a remote URL without a checksum",
		"The file is fetched at build time and put into the image without any integrity check: a compromised "
		"or spoofed server changes the image content.",
		"Use ADD --checksum=sha256:<digest> <url> <dest>, or download in a RUN and verify the checksum "
		"(sha256sum -c) before using the file." },
	[R_CURL_SH] = { "BH-DF-008", NULL, BH_SEV_HIGH, "remote script piped into a shell",
		"Whatever the server, or anyone on the path to it, returns is executed during the build (usually as "
		"root) with no review and no integrity check; the next build may run something else.",
		"Download the script to a file, verify its checksum or signature, then run it; better, install the "
		"software from a package at a pinned version." },
	[R_APT_PIN] = { "BH-DF-009", NULL, BH_SEV_MEDIUM, "apt-get install without version pins",
		"Unpinned packages install whatever version the mirror serves at build time: builds are not "
		"reproducible and a reviewed image can change silently (the CIS benchmark, 4.7, asks for version "
		"pinning when installing).",
		"Pin each package: apt-get install -y pkg=1.2.3-1 (apt-cache policy pkg shows the candidate version)." },
	[R_APK_PIN] = { "BH-DF-010", NULL, BH_SEV_MEDIUM, "apk add without version pins",
		"Unpinned packages install whatever version the repository serves at build time: builds are not "
		"reproducible and a reviewed image can change silently.",
		"Pin each package: apk add --no-cache pkg=1.2.3-r0 (or pkg~1.2 to accept patch releases)." },
	[R_UPGRADE] = { "BH-DF-011", NULL, BH_SEV_LOW, "apt-get upgrade in a Dockerfile",
		"upgrade/dist-upgrade installs every newer package the mirror has at build time, unpinned: the result "
		"differs from build to build and cannot be reviewed. The CIS benchmark (4.4) asks instead for images "
		"rebuilt on a patched base image.",
		"Rebuild on an updated, digest-pinned base image and pin the packages you install; if one package "
		"needs a fix, install that package at a pinned version." },
	[R_UPDATE_ALONE] = { "BH-DF-012", "4.7", BH_SEV_MEDIUM, "package index update alone in its own RUN",
		"The layer holding the update is cached: later builds reuse the stale package index, so packages "
		"installed by a following RUN can miss security fixes.",
		"Update and install in the same RUN: RUN apt-get update && apt-get install -y pkg=version && "
		"rm -rf /var/lib/apt/lists/*." },
	[R_APT_LISTS] = { "BH-DF-013", NULL, BH_SEV_LOW, "apt package lists left in the image",
		"/var/lib/apt/lists stays in the layer: tens of MB more to ship and a stale package index for whoever "
		"installs packages in a running container.",
		"End the same RUN with rm -rf /var/lib/apt/lists/*, or use RUN --mount=type=cache,target=/var/lib/apt." },
	[R_APK_CACHE] = { "BH-DF-014", NULL, BH_SEV_LOW, "apk add without --no-cache",
		"The package index and downloaded packages stay in /var/cache/apk in the layer.",
		"Use apk add --no-cache, or remove /var/cache/apk/* in the same RUN." },
	[R_PIP_CACHE] = { "BH-DF-015", NULL, BH_SEV_LOW, "pip install without --no-cache-dir",
		"pip keeps every downloaded archive in ~/.cache/pip, which stays in the layer.",
		"Use pip install --no-cache-dir, ENV PIP_NO_CACHE_DIR=1, or RUN --mount=type=cache,target=/root/.cache/pip." },
	[R_SECRET] = { "BH-DF-016", "4.10", BH_SEV_HIGH, "secret stored in ENV or ARG",
		"ENV values are stored in the image configuration and ARG defaults in the build history (docker "
		"history, docker inspect): anyone who can pull the image reads the secret.",
		"Pass build secrets with RUN --mount=type=secret (docker build --secret) and runtime secrets through "
		"the orchestrator's secret store; rotate the exposed secret." },
	[R_EXPOSE] = { "BH-DF-017", NULL, BH_SEV_MEDIUM, "EXPOSE of a risky port",
		"The port belongs to remote administration or a plaintext protocol (ssh, telnet, ftp, RDP, VNC, the "
		"Docker API): exposing it invites credential attacks and, for the Docker API, control of the host.",
		"Do not run remote-administration daemons in application containers (use docker exec or kubectl exec); "
		"never serve the Docker API from a container." },
	[R_SUDO] = { "BH-DF-018", NULL, BH_SEV_MEDIUM, "sudo used or installed",
		"Build steps already run as the current USER; sudo adds a setuid-root binary and, in the final image, "
		"a way back to root for a compromised unprivileged process.",
		"Run privileged steps under USER root and switch back afterwards; use gosu or su-exec in entrypoints; "
		"do not install sudo." },
	[R_CHMOD_WORLD] = { "BH-DF-019", NULL, BH_SEV_MEDIUM, "world-writable permissions set",
		"Any user in the container, including a compromised unprivileged process, can change these files, e.g. "
		"replace a script or binary that root runs later.",
		"Give write access to the owner or a group only (chown app: ... and chmod 755/644); shared scratch "
		"directories take the sticky bit (1777)." },
	[R_CHMOD_SUID] = { "BH-DF-020", "4.8", BH_SEV_MEDIUM, "setuid/setgid bit set",
		"setuid/setgid programs run with their owner's or group's privileges: each one is a privilege "
		"escalation path for an unprivileged process.",
		"Do not add setuid/setgid bits; grant the one capability the program needs, or do the privileged work "
		"at build time." },
	[R_SENSITIVE_COPY] = { "BH-DF-021", "4.10", BH_SEV_MEDIUM, "sensitive file copied into the image",
		"Private keys, .env files, certificates and keys, credentials files and .git history copied into a "
		"layer stay in the image for everyone who pulls it, even if a later step deletes them.",
		"Exclude these files in .dockerignore; provide keys and credentials at build time with "
		"RUN --mount=type=secret or --mount=type=ssh." },
	[R_INSECURE_RUN] = { "BH-DF-022", NULL, BH_SEV_HIGH, "RUN with elevated privileges (--security=insecure)",
		"The step runs outside the build sandbox, like docker run --privileged: it reaches host devices and "
		"kernel interfaces, so a malicious package or script can take over the build host.",
		"Remove --security=insecure (and the security.insecure entitlement from the builder); do the "
		"privileged work outside the image build." },
};

const size_t bh_dockerfile_rule_count = R_COUNT;

/* ---------------------------------------------------------------- byte helpers */

/* ASCII only and locale-independent: the input is arbitrary bytes. */
static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }
static char to_upper(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c; }

/* s[0..n) equals lit, ignoring ASCII case. */
static bool mem_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!lit[i] || to_lower(s[i]) != to_lower(lit[i]))
			return false;
	return lit[n] == '\0';
}

static bool str_ieq(const char *s, const char *lit)
{
	return mem_ieq(s, strlen(s), lit);
}

static bool str_iendswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && mem_ieq(s + n - m, m, suffix);
}

static bool str_istartswith(const char *s, const char *prefix)
{
	size_t m = strlen(prefix);
	return strlen(s) >= m && mem_ieq(s, m, prefix);
}

/* Last path component ("/usr/bin/curl" -> "curl"). */
static const char *base_name(const char *w)
{
	const char *s = strrchr(w, '/');
	return s ? s + 1 : w;
}

static void skip_blanks(const char **p, const char *e)
{
	while (*p < e && is_space(**p))
		(*p)++;
}

/* Next physical line at *p (without '\n' and a trailing '\r'); false at the end. */
static bool next_line(const char **p, const char *e, const char **ls, size_t *ll)
{
	const char *nl;
	size_t n;
	if (*p >= e)
		return false;
	nl = memchr(*p, '\n', (size_t)(e - *p));
	n = nl ? (size_t)(nl - *p) : (size_t)(e - *p);
	*ls = *p;
	*p = nl ? nl + 1 : e;
	if (n && (*ls)[n - 1] == '\r')
		n--;
	*ll = n;
	return true;
}

/* Grows an array so that index n fits; returns the (possibly moved) array or NULL (unchanged). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap = *cap ? *cap : 16, bytes;
	void *p;
	if (arr && n < *cap)
		return arr;
	while (ncap <= n)
		if (!bh_size_mul(ncap, 2, &ncap))
			return NULL;
	if (!bh_size_mul(ncap, elem, &bytes) || !(p = realloc(arr, bytes)))
		return NULL;
	*cap = ncap;
	return p;
}

/*
 * Printable one-line copy of s[0..n): surrounding whitespace dropped, inner whitespace runs made one
 * space, control bytes and invalid UTF-8 made '?', at most max characters with "..." marking a cut,
 * so hostile text cannot forge report lines or break JSON/terminal output. Caller frees.
 */
static char *render(const char *s, size_t n, size_t max)
{
	bh_buf b = BH_BUF_INIT;
	size_t i = 0, chars = 0, cut = 0;
	bool space = false;
	bh_trim(&s, &n);
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t k;
		if (is_space((char)ch)) {
			space = true;
			i++;
			continue;
		}
		if (chars + (space ? 1 : 0) >= max) {
			/* more text follows: cut back so the marker fits */
			b.len = cut;
			if (bh_buf_puts(&b, "...")) {
				bh_buf_free(&b);
				return NULL;
			}
			break;
		}
		if (space) {
			if (bh_buf_putc(&b, ' '))
				goto oom;
			chars++;
			space = false;
			if (chars == max - 3)
				cut = b.len;
		}
		k = ch < 0x80 ? 1 : bh_utf8_seq((const unsigned char *)s + i, n - i);
		if (ch < 0x20 || ch == 0x7f || k == 0) {
			if (bh_buf_putc(&b, '?'))
				goto oom;
			k = 1;
		} else if (bh_buf_append(&b, s + i, k)) {
			goto oom;
		}
		i += k;
		chars++;
		if (chars == max - 3)
			cut = b.len;
	}
	if (!b.data && bh_buf_puts(&b, ""))
		goto oom;
	return bh_buf_steal(&b);
oom:
	bh_buf_free(&b);
	return NULL;
}

/* ---------------------------------------------------------------- shell words */

/* One simple command: words [first, first + n) of its script; pipe = its output feeds the next. */
struct shcmd {
	size_t first, n;
	bool pipe;
};

/*
 * A RUN script split into words and commands. Words are NUL-terminated in chars, found by offset
 * because chars grows while parsing. Owned by the declaring function; sh_free releases it.
 */
struct sh {
	bh_buf chars;
	size_t *w, nw, capw;
	struct shcmd *c;
	size_t nc, capc;
	size_t cmd_start; /* first word of the command being read */
};

#define W(s, i) ((s)->chars.data + (s)->w[i])

static void sh_free(struct sh *s)
{
	bh_buf_free(&s->chars);
	free(s->w);
	free(s->c);
	memset(s, 0, sizeof(*s));
}

/* Closes the command being read; an empty one only carries a pipe over ("(a) | b"). */
static int sh_end_cmd(struct sh *s, bool pipe)
{
	if (s->nw > s->cmd_start) {
		struct shcmd *c = grow(s->c, &s->capc, s->nc, sizeof(*s->c));
		if (!c)
			return BH_ENOMEM;
		s->c = c;
		c[s->nc].first = s->cmd_start;
		c[s->nc].n = s->nw - s->cmd_start;
		c[s->nc].pipe = pipe;
		s->nc++;
	} else if (pipe && s->nc) {
		s->c[s->nc - 1].pipe = true;
	}
	s->cmd_start = s->nw;
	return 0;
}

/* Ends the word that starts at chars offset start. */
static int sh_push_word(struct sh *s, size_t start)
{
	size_t *w;
	if (bh_buf_putc(&s->chars, '\0'))
		return BH_ENOMEM;
	if (!(w = grow(s->w, &s->capw, s->nw, sizeof(*s->w))))
		return BH_ENOMEM;
	s->w = w;
	w[s->nw++] = start;
	return 0;
}

static int sh_add_word(struct sh *s, const char *p, size_t n)
{
	size_t start = s->chars.len;
	if (bh_buf_append(&s->chars, p, n))
		return BH_ENOMEM;
	return sh_push_word(s, start);
}

/* End of the group opening at *p ('(' or '{'), quote-aware; e when unbalanced. */
static const char *group_end(const char *p, const char *e)
{
	char open = *p, close = open == '(' ? ')' : '}';
	size_t depth = 0;
	for (; p < e; p++) {
		const char *q;
		if (*p == '\\') {
			if (p + 1 < e)
				p++;
		} else if (*p == '\'' || *p == '"') {
			for (q = p + 1; q < e && *q != *p; q++)
				if (*p == '"' && *q == '\\' && q + 1 < e)
					q++;
			if (q >= e)
				return e;
			p = q;
		} else if (*p == open) {
			depth++;
		} else if (*p == close && --depth == 0) {
			return p + 1;
		}
	}
	return e;
}

/* End of the backquoted command at *p ('`'). */
static const char *backquote_end(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '`')
			return p + 1;
	}
	return e;
}

/*
 * Reads one word at *pp with quotes removed. Command substitutions ($(...), `...`, <(...)) are kept
 * verbatim inside the word so the caller can look into them.
 */
static int sh_word(struct sh *s, const char **pp, const char *e)
{
	const char *p = *pp, *g;
	size_t start = s->chars.len;
	int rc = 0;
	while (p < e && !rc) {
		char ch = *p;
		if (is_space(ch) || ch == ';' || ch == '|' || ch == '(' || ch == ')')
			break;
		if (ch == '&') {
			if (!(p + 1 < e && p[1] == '>'))
				break;
			rc = bh_buf_append(&s->chars, p, 2);
			p += 2;
		} else if (ch == '\\') {
			if (p + 1 < e && p[1] != '\n')
				rc = bh_buf_putc(&s->chars, p[1]);
			p += p + 1 < e ? 2 : 1;
		} else if (ch == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(e - p - 1));
			const char *qe = q ? q : e;
			rc = bh_buf_append(&s->chars, p + 1, (size_t)(qe - p - 1));
			p = q ? q + 1 : e;
		} else if (ch == '"') {
			for (p++; p < e && *p != '"' && !rc;) {
				if (*p == '\\' && p + 1 < e && strchr("\"\\$`\n", p[1])) {
					if (p[1] != '\n')
						rc = bh_buf_putc(&s->chars, p[1]);
					p += 2;
				} else if (*p == '$' && p + 1 < e && (p[1] == '(' || p[1] == '{')) {
					g = group_end(p + 1, e);
					rc = bh_buf_append(&s->chars, p, (size_t)(g - p));
					p = g;
				} else if (*p == '`') {
					g = backquote_end(p, e);
					rc = bh_buf_append(&s->chars, p, (size_t)(g - p));
					p = g;
				} else {
					rc = bh_buf_putc(&s->chars, *p++);
				}
			}
			if (p < e)
				p++;
		} else if (p + 1 < e && ((ch == '$' && (p[1] == '(' || p[1] == '{')) ||
					 ((ch == '<' || ch == '>') && p[1] == '('))) {
			/* $(...), ${...}, <(...), >(...) */
			g = group_end(p + 1, e);
			rc = bh_buf_append(&s->chars, p, (size_t)(g - p));
			p = g;
		} else if (ch == '`') {
			g = backquote_end(p, e);
			rc = bh_buf_append(&s->chars, p, (size_t)(g - p));
			p = g;
		} else if ((ch == '<' || ch == '>') && p + 1 < e && (p[1] == '&' || (ch == '>' && p[1] == '|'))) {
			rc = bh_buf_append(&s->chars, p, 2); /* 2>&1, >|file: a redirection, not an operator */
			p += 2;
		} else {
			rc = bh_buf_putc(&s->chars, ch);
			p++;
		}
	}
	if (p == *pp)
		p++; /* never stall on a byte nobody consumes */
	*pp = p;
	return rc ? BH_ENOMEM : sh_push_word(s, start);
}

/* Splits a POSIX shell script into commands (;, &&, ||, |, &, newline, parentheses) and words. */
static int sh_parse(struct sh *s, const char *p, size_t n)
{
	const char *e = p + n;
	int rc;
	s->cmd_start = s->nw;
	while (p < e) {
		char ch = *p;
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f') {
			p++;
		} else if (ch == '\\' && p + 1 < e && p[1] == '\n') {
			p += 2;
		} else if (ch == '#') {
			while (p < e && *p != '\n')
				p++;
		} else if (ch == '\n' || ch == ';' || ch == '(' || ch == ')' || ch == '|' ||
			   (ch == '&' && !(p + 1 < e && p[1] == '>'))) {
			bool pipe = false;
			if ((ch == '|' || ch == '&' || ch == ';') && p + 1 < e && p[1] == ch) {
				p++; /* ||, &&, ;; */
			} else if (ch == '|') {
				pipe = true;
				if (p + 1 < e && p[1] == '&')
					p++;
			}
			p++;
			if ((rc = sh_end_cmd(s, pipe)))
				return rc;
		} else if ((rc = sh_word(s, &p, e))) {
			return rc;
		}
	}
	return sh_end_cmd(s, false);
}

/* ---------------------------------------------------------------- RUN analysis */

/* What one RUN (with its -c scripts and heredoc bodies) does. */
struct facts {
	bool pipe_sh, sudo, sudo_pkg, chmod_world, chmod_suid;
	bool apt_update, apt_install, apt_unpinned, apt_upgrade, apt_rm_lists;
	bool apk_update, apk_install, apk_unpinned, apk_cache, apk_rm_cache;
	bool rpm_update, rpm_install; /* yum, dnf, microdnf, tdnf, zypper */
	bool pip_cache;
};

static bool in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* "python", "python3", "python3.12" (and the same for pip). */
static bool versioned(const char *w, const char *stem)
{
	size_t n = strlen(stem);
	if (strncmp(w, stem, n) != 0)
		return false;
	for (w += n; *w; w++)
		if (!is_digit(*w) && *w != '.')
			return false;
	return true;
}

static bool is_shell(const char *name)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", NULL };
	return in_list(name, shells);
}

/* Programs that run the code they read on stdin. */
static bool is_interpreter(const char *name)
{
	static const char *const more[] = { "perl", "ruby", "node", "php", "fish", NULL };
	return is_shell(name) || in_list(name, more) || versioned(name, "python") || str_ieq(name, "iex") ||
	       str_ieq(name, "invoke-expression");
}

static bool is_fetcher(const char *name)
{
	return strcmp(name, "curl") == 0 || strcmp(name, "wget") == 0 || str_ieq(name, "curl.exe") ||
	       str_ieq(name, "iwr") || str_ieq(name, "irm") || str_ieq(name, "invoke-webrequest") ||
	       str_ieq(name, "invoke-restmethod");
}

/* NAME=value (a shell variable assignment before the command). */
static bool is_assignment(const char *w)
{
	if (!is_alpha(*w) && *w != '_')
		return false;
	for (w++; is_alnum(*w) || *w == '_'; w++)
		;
	return *w == '=';
}

/* word occurs in s as a whole word (not part of a longer name). */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;
	for (p = strstr(s, word); p; p = strstr(p + 1, word)) {
		bool before = p == s || !(is_alnum(p[-1]) || p[-1] == '_' || p[-1] == '-' || p[-1] == '.');
		bool after = !(is_alnum(p[n]) || p[n] == '_' || p[n] == '-');
		if (before && after)
			return true;
	}
	return false;
}

/* has_word without regard to ASCII case (PowerShell names). */
static bool has_word_ci(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;
	for (p = strcasestr(s, word); p; p = strcasestr(p + 1, word)) {
		bool before = p == s || !(is_alnum(p[-1]) || p[-1] == '_' || p[-1] == '-' || p[-1] == '.');
		bool after = !(is_alnum(p[n]) || p[n] == '_' || p[n] == '-');
		if (before && after)
			return true;
	}
	return false;
}

/* PowerShell download-and-run: iex (iwr URL), iwr URL | iex, iex ((New-Object Net.WebClient).DownloadString(URL)).
 * Its parentheses defeat the POSIX word split, so the text is searched as a whole. */
static bool ps_download_exec(const char *text)
{
	return (has_word_ci(text, "iex") || has_word_ci(text, "invoke-expression")) &&
	       (strcasestr(text, "downloadstring") || has_word_ci(text, "iwr") || has_word_ci(text, "irm") ||
		has_word_ci(text, "invoke-webrequest") || has_word_ci(text, "invoke-restmethod"));
}

/*
 * Index of the real command of c, past assignments, shell keywords and wrappers (sudo, env, nohup,
 * time, exec...). Sets f->sudo when sudo wraps it and *pip_env for PIP_NO_CACHE_DIR=... cmd.
 */
static size_t skip_prefix(const struct sh *s, const struct shcmd *c, struct facts *f, bool *pip_env)
{
	static const char *const words[] = { "!", "{", "}", "then", "do", "else", "elif", "if", "while",
					     "until", "time", "exec", "nohup", "command", "builtin", NULL };
	static const char *const sudo_arg[] = { "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", NULL };
	static const char *const env_arg[] = { "-u", "-C", "-S", "--unset", "--chdir", "--split-string", NULL };
	size_t k = c->first, end = c->first + c->n;
	while (k < end) {
		const char *w = W(s, k), *b = base_name(w);
		if (is_assignment(w)) {
			if (strncmp(w, "PIP_NO_CACHE_DIR=", 17) == 0)
				*pip_env = true;
			k++;
		} else if (in_list(w, words)) {
			k++;
		} else if (strcmp(b, "sudo") == 0 || strcmp(b, "doas") == 0) {
			if (b[0] == 's')
				f->sudo = true;
			for (k++; k < end && W(s, k)[0] == '-'; k++)
				if (in_list(W(s, k), sudo_arg) && k + 1 < end)
					k++;
		} else if (strcmp(b, "env") == 0) {
			for (k++; k < end && (W(s, k)[0] == '-' || is_assignment(W(s, k))); k++) {
				if (strncmp(W(s, k), "PIP_NO_CACHE_DIR=", 17) == 0)
					*pip_env = true;
				if (in_list(W(s, k), env_arg) && k + 1 < end)
					k++;
			}
		} else {
			break;
		}
	}
	return k;
}

/* A redirection word ("2>&1", ">/dev/null", "<file"), not an argument. */
static bool is_redirect(const char *w)
{
	while (is_digit(*w))
		w++;
	return *w == '<' || *w == '>' || (*w == '&' && w[1] == '>');
}

/* A package argument that can carry a version (not a local file, not a variable we cannot see). */
static bool is_pkg_name(const char *w)
{
	return *w && !is_redirect(w) && !strchr(w, '$') && !strchr(w, '`') && w[0] != '/' && w[0] != '.' &&
	       !str_iendswith(w, ".deb") && !str_iendswith(w, ".apk") && !str_iendswith(w, ".rpm");
}

static bool is_sudo_pkg(const char *w)
{
	return strcmp(w, "sudo") == 0 || strncmp(w, "sudo=", 5) == 0 || strncmp(w, "sudo~", 5) == 0 ||
	       (strncmp(w, "sudo-", 5) == 0 && is_digit(w[5]));
}

/* apt-get / apt / aptitude. */
static void apt_cmd(const struct sh *s, size_t k, size_t end, struct facts *f)
{
	static const char *const valued[] = { "-o", "-c", "-t", "--option", "--config-file", "--target-release",
					      "--default-release", NULL };
	const char *sub = NULL;
	size_t j;
	for (j = k + 1; j < end; j++) {
		const char *w = W(s, j);
		if (w[0] == '-') {
			if (in_list(w, valued) && j + 1 < end)
				j++;
			continue;
		}
		if (!sub) {
			sub = w;
			if (strcmp(sub, "update") == 0)
				f->apt_update = true;
			else if (strcmp(sub, "upgrade") == 0 || strcmp(sub, "dist-upgrade") == 0 ||
				 strcmp(sub, "full-upgrade") == 0)
				f->apt_upgrade = f->apt_install = true;
			else if (strcmp(sub, "install") == 0 || strcmp(sub, "reinstall") == 0 ||
				 strcmp(sub, "build-dep") == 0)
				f->apt_install = true;
			continue;
		}
		if (strcmp(sub, "install") != 0 && strcmp(sub, "reinstall") != 0)
			continue;
		if (is_sudo_pkg(w))
			f->sudo_pkg = true;
		/* pkg=version pins; pkg/release only picks a suite */
		if (is_pkg_name(w) && !strchr(w, '='))
			f->apt_unpinned = true;
	}
}

static void apk_cmd(const struct sh *s, size_t k, size_t end, struct facts *f)
{
	static const char *const valued[] = { "-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch",
					      "--keys-dir", "--repositories-file", "--cache-dir", "--cache-max-age",
					      "--progress-fd", "--wait", NULL };
	const char *sub = NULL;
	bool nocache = false, unpinned = false;
	size_t j;
	for (j = k + 1; j < end; j++) {
		const char *w = W(s, j);
		if (w[0] == '-') {
			if (strcmp(w, "--no-cache") == 0)
				nocache = true;
			else if (in_list(w, valued) && j + 1 < end)
				j++;
			continue;
		}
		if (!sub) {
			sub = w;
			continue;
		}
		if (strcmp(sub, "add") != 0)
			continue;
		if (is_sudo_pkg(w))
			f->sudo_pkg = true;
		if (is_pkg_name(w) && !strpbrk(w, "=~<>"))
			unpinned = true;
	}
	if (!sub)
		return;
	if (strcmp(sub, "update") == 0) {
		f->apk_update = true;
	} else if (strcmp(sub, "add") == 0 || strcmp(sub, "upgrade") == 0) {
		f->apk_install = true;
		if (!nocache)
			f->apk_cache = true;
		if (unpinned)
			f->apk_unpinned = true;
	}
}

/* yum, dnf, microdnf, tdnf, zypper: only index updates and sudo matter here. */
static void rpm_cmd(const struct sh *s, size_t k, size_t end, struct facts *f)
{
	const char *sub = NULL;
	size_t j;
	for (j = k + 1; j < end; j++) {
		const char *w = W(s, j);
		if (w[0] == '-')
			continue;
		if (!sub) {
			sub = w;
			if (strcmp(w, "update") == 0 || strcmp(w, "makecache") == 0 || strcmp(w, "refresh") == 0 ||
			    strcmp(w, "ref") == 0)
				f->rpm_update = true;
			else if (strcmp(w, "install") == 0 || strcmp(w, "in") == 0 || strcmp(w, "upgrade") == 0)
				f->rpm_install = true;
			continue;
		}
		if ((strcmp(sub, "install") == 0 || strcmp(sub, "in") == 0) && is_sudo_pkg(w))
			f->sudo_pkg = true;
	}
}

static void pip_cmd(const struct sh *s, size_t j, size_t end, bool pip_env, struct facts *f)
{
	bool install = false, nocache = pip_env;
	for (; j < end; j++) {
		const char *w = W(s, j);
		if (strcmp(w, "--no-cache-dir") == 0)
			nocache = true;
		else if (!install && w[0] != '-' && strcmp(w, "install") == 0)
			install = true;
	}
	if (install && !nocache)
		f->pip_cache = true;
}

/* Mode argument of chmod: octal or symbolic ("u+s,o+w"). */
static void chmod_mode(const char *m, struct facts *f)
{
	const char *p;
	if (!*m || strpbrk(m, "$`"))
		return;
	for (p = m; *p >= '0' && *p <= '7'; p++)
		;
	if (!*p) {
		unsigned long v = 0;
		if (p - m > 5)
			return;
		for (p = m; *p; p++)
			v = v * 8 + (unsigned long)(*p - '0');
		/* a sticky world-writable directory (/tmp style) is the accepted pattern */
		if ((v & 02) && !(v & 01000))
			f->chmod_world = true;
		if (v & 06000)
			f->chmod_suid = true;
		return;
	}
	for (p = m; *p;) {
		unsigned who = 0;
		for (; *p && strchr("ugoa", *p); p++)
			who |= *p == 'u' ? 1u : *p == 'g' ? 2u : *p == 'o' ? 4u : 7u;
		if (!*p || !strchr("+-=", *p))
			return; /* not a mode (a file name): nothing to judge */
		while (*p && strchr("+-=", *p)) {
			char op = *p++;
			bool w = false, st = false;
			for (; *p && strchr("rwxXstugo", *p); p++) {
				w |= *p == 'w';
				st |= *p == 's';
			}
			if (op == '-')
				continue;
			/* without who, +w is masked by the umask (022 normally) and does not reach others */
			if (w && (who & 4u))
				f->chmod_world = true;
			if (st && (who == 0 || (who & 3u)))
				f->chmod_suid = true;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return;
	}
}

static void chmod_cmd(const struct sh *s, size_t k, size_t end, struct facts *f)
{
	size_t j;
	for (j = k + 1; j < end; j++) {
		const char *w = W(s, j), *q;
		if (w[0] == '-' && w[1] == '-')
			continue;
		if (w[0] == '-') {
			for (q = w + 1; *q && strchr("Rcfv", *q); q++)
				;
			if (!*q && q > w + 1)
				continue; /* -R, -Rf: options; "-w" is a mode */
		}
		chmod_mode(w, f);
		return;
	}
}

static void rm_cmd(const struct sh *s, size_t k, size_t end, struct facts *f)
{
	size_t j;
	for (j = k + 1; j < end; j++) {
		const char *w = W(s, j);
		if (strncmp(w, "/var/lib/apt/lists", 18) == 0)
			f->apt_rm_lists = true;
		if (strncmp(w, "/var/cache/apk", 14) == 0)
			f->apk_rm_cache = true;
	}
}

/* Nested scripts (sh -c '...') are analysed this deep at most. */
#define MAX_SCRIPT_DEPTH 4

static int analyze_script(struct facts *f, const char *text, size_t n, unsigned depth);

/* Script argument of sh -c / bash -ec / su -c, or NULL. */
static const char *dash_c_script(const struct sh *s, size_t k, size_t end, bool su)
{
	size_t j;
	for (j = k + 1; j + 1 < end; j++) {
		const char *w = W(s, j);
		if (su) {
			if (strcmp(w, "-c") == 0 || strcmp(w, "--command") == 0)
				return W(s, j + 1);
			continue;
		}
		if (strcmp(w, "-o") == 0 || strcmp(w, "+o") == 0) {
			j++;
			continue;
		}
		if (w[0] == '-' && w[1] != '-' && strchr(w + 1, 'c'))
			return W(s, j + 1);
		if (w[0] != '-' && w[0] != '+')
			return NULL; /* a script file */
	}
	return NULL;
}

static int analyze_sh(struct facts *f, const struct sh *s, unsigned depth)
{
	bool fetched = false;
	size_t i, j;
	int rc;
	for (i = 0; i < s->nc; i++) {
		const struct shcmd *c = &s->c[i];
		size_t end = c->first + c->n, k;
		bool pip_env = false;
		const char *name, *script;
		if (i == 0 || !s->c[i - 1].pipe)
			fetched = false; /* a new pipeline */
		k = skip_prefix(s, c, f, &pip_env);
		if (k >= end)
			continue;
		name = base_name(W(s, k));
		if (fetched && is_interpreter(name))
			f->pipe_sh = true;
		if (is_interpreter(name) || strcmp(name, "eval") == 0 || strcmp(name, "source") == 0 ||
		    strcmp(name, ".") == 0) {
			/* bash <(curl ...), sh -c "$(wget -O- ...)", eval "$(curl ...)" */
			for (j = k + 1; j < end; j++) {
				const char *w = W(s, j);
				if ((strstr(w, "$(") || strstr(w, "<(") || strchr(w, '`')) &&
				    (has_word(w, "curl") || has_word(w, "wget")))
					f->pipe_sh = true;
			}
		}
		script = NULL;
		if (is_shell(name))
			script = dash_c_script(s, k, end, false);
		else if (strcmp(name, "su") == 0 || strcmp(name, "runuser") == 0)
			script = dash_c_script(s, k, end, true);
		if (script && depth < MAX_SCRIPT_DEPTH && (rc = analyze_script(f, script, strlen(script), depth + 1)))
			return rc;
		if (strcmp(name, "apt-get") == 0 || strcmp(name, "apt") == 0 || strcmp(name, "aptitude") == 0)
			apt_cmd(s, k, end, f);
		else if (strcmp(name, "apk") == 0)
			apk_cmd(s, k, end, f);
		else if (strcmp(name, "yum") == 0 || strcmp(name, "dnf") == 0 || strcmp(name, "microdnf") == 0 ||
			 strcmp(name, "tdnf") == 0 || strcmp(name, "zypper") == 0)
			rpm_cmd(s, k, end, f);
		else if (versioned(name, "pip"))
			pip_cmd(s, k + 1, end, pip_env, f);
		else if (versioned(name, "python") && k + 2 < end && strcmp(W(s, k + 1), "-m") == 0 &&
			 versioned(W(s, k + 2), "pip"))
			pip_cmd(s, k + 3, end, pip_env, f);
		else if (strcmp(name, "chmod") == 0)
			chmod_cmd(s, k, end, f);
		else if (strcmp(name, "rm") == 0)
			rm_cmd(s, k, end, f);
		if (is_fetcher(name))
			fetched = true;
	}
	return 0;
}

static int analyze_script(struct facts *f, const char *text, size_t n, unsigned depth)
{
	struct sh s;
	int rc;
	memset(&s, 0, sizeof(s));
	rc = sh_parse(&s, text, n);
	if (!rc)
		rc = analyze_sh(f, &s, depth);
	sh_free(&s);
	return rc;
}

int bh_dockerfile_fetch_exec(const char *script, bool *found)
{
	struct facts f;
	int rc;
	memset(&f, 0, sizeof(f));
	*found = false;
	if ((rc = analyze_script(&f, script, strlen(script), 0)))
		return rc;
	*found = f.pipe_sh || ps_download_exec(script);
	return 0;
}

/* ---------------------------------------------------------------- Dockerfile words */

/*
 * Next word of instruction arguments at *pp as the Dockerfile lexer sees it: whitespace-separated,
 * quotes removed, the escape character escaping the next byte. Appends it to w (reset first).
 * Returns 1 for a word, 0 at the end, BH_ENOMEM.
 */
static int df_word(const char **pp, const char *e, char esc, bh_buf *w)
{
	const char *p = *pp;
	int rc = 0;
	bh_buf_reset(w);
	skip_blanks(&p, e);
	if (p >= e) {
		*pp = p;
		return 0;
	}
	while (p < e && !is_space(*p) && !rc) {
		char ch = *p++;
		if (ch == esc) {
			if (p < e)
				rc = bh_buf_putc(w, *p++);
		} else if (ch == '"' || ch == '\'') {
			while (p < e && *p != ch && !rc) {
				if (ch == '"' && *p == esc && p + 1 < e)
					p++;
				rc = bh_buf_putc(w, *p++);
			}
			if (p < e)
				p++;
		} else {
			rc = bh_buf_putc(w, ch);
		}
	}
	*pp = p;
	if (rc || (!w->data && bh_buf_puts(w, "")))
		return BH_ENOMEM;
	return 1;
}

/* Raw span of the next word (quotes kept), for heredoc markers; false at the end. */
static bool raw_word(const char **pp, const char *e, char esc, const char **ws, size_t *wn)
{
	const char *p = *pp;
	skip_blanks(&p, e);
	if (p >= e)
		return false;
	*ws = p;
	while (p < e && !is_space(*p)) {
		char ch = *p++;
		if (ch == esc && p < e) {
			p++;
		} else if (ch == '"' || ch == '\'') {
			const char *q = memchr(p, ch, (size_t)(e - p));
			p = q ? q + 1 : e;
		}
	}
	*wn = (size_t)(p - *ws);
	*pp = p;
	return true;
}

/* Leading --flag[=value] words of an instruction; *pp is left on the first other word. */
static bool next_flag(const char **pp, const char *e, const char **fs, size_t *fn)
{
	const char *p = *pp;
	skip_blanks(&p, e);
	if (e - p < 3 || p[0] != '-' || p[1] != '-')
		return false;
	*fs = p + 2;
	while (p < e && !is_space(*p))
		p++;
	*fn = (size_t)(p - *fs);
	*pp = p;
	return true;
}

/* flag "name=value" (name case-insensitive): value span, or false. */
static bool flag_value(const char *fs, size_t fn, const char *name, const char **v, size_t *vn)
{
	size_t n = strlen(name);
	if (fn <= n || fs[n] != '=' || !mem_ieq(fs, n, name))
		return false;
	*v = fs + n + 1;
	*vn = fn - n - 1;
	return true;
}

/* ---------------------------------------------------------------- linter state */

/* One build stage. USER and HEALTHCHECK are inherited from a stage built on (FROM stage). */
struct stage {
	long user_src;      /* stage whose USER applies (itself or an ancestor), -1 = none */
	long health_src;    /* same for HEALTHCHECK */
	bool user_root;     /* the USER this stage set is root */
	bool health_none;   /* the HEALTHCHECK this stage set is NONE */
	bool pip_env;       /* ENV PIP_NO_CACHE_DIR seen here or in an ancestor */
	unsigned long user_line, health_line;
	char *user_detail;  /* rendered USER / HEALTHCHECK instruction (owned) */
	char *health_detail;
};

struct ctx {
	const char *target;
	bh_checks *out;
	size_t start_n;     /* out->n on entry: findings past it are ours (rolled back on failure) */
	bh_error *err;
	char esc;           /* escape character: '\\' or '`' (# escape= directive) */
	/* input cursor; heredoc bodies are read from it */
	const char *p, *end;
	unsigned long lineno;
	/* the instruction being handled */
	bh_buf inst;        /* logical instruction, continuation lines joined (owned, reused) */
	bh_buf body;        /* heredoc bodies of the current RUN, newline-separated (owned, reused) */
	bh_buf word;        /* scratch for df_word (owned, reused) */
	char *detail;       /* inst rendered, made on first use (owned, freed per instruction) */
	unsigned long line; /* 1-based line where the instruction starts */
	/* stages */
	struct stage *st;   /* owned, with the strings in it */
	size_t nst, capst;
	bh_map names;       /* lowercased stage name -> index + 1 (cast pointer; no values owned) */
	char *final_from;   /* rendered FROM of the last stage (owned) */
	unsigned long final_line;
};

static const char *inst_detail(struct ctx *c)
{
	if (!c->detail)
		c->detail = render(c->inst.data, c->inst.len, 200);
	return c->detail;
}

/* Appends a finding of rule r. title/detail NULL = the rule's title / the instruction's text;
 * sev 0 = the rule's severity. */
static int emit(struct ctx *c, int r, const char *title, bh_severity sev, unsigned long line, const char *detail)
{
	bh_check_at at;
	if (c->out->n - c->start_n >= BH_DOCKERFILE_MAX_FINDINGS)
		return bh_error_set(c->err, BH_ELIMIT, "%s: more than %d findings", c->target ? c->target : "Dockerfile",
				    BH_DOCKERFILE_MAX_FINDINGS);
	if (!detail && !(detail = inst_detail(c)))
		return BH_ENOMEM;
	memset(&at, 0, sizeof(at));
	at.category = "dockerfile";
	at.severity = sev;
	at.title = title;
	at.detail = detail;
	at.target = c->target;
	at.line = line;
	return bh_checks_emit(c->out, &bh_dockerfile_rules[r], &at);
}

static struct stage *cur_stage(struct ctx *c)
{
	return c->nst ? &c->st[c->nst - 1] : NULL;
}

/* ---------------------------------------------------------------- instructions */

/* Digest reference "alg:hex" with enough hex to be a real digest. */
static bool is_digest(const char *d)
{
	const char *colon = strchr(d, ':'), *p;
	if (!colon || colon == d)
		return false;
	for (p = colon + 1; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		;
	return !*p && p - colon - 1 >= 32;
}

static int do_from(struct ctx *c, const char *a, const char *e)
{
	struct stage *s;
	const char *fs, *at, *last, *colon;
	size_t fn, i;
	char *image = NULL, *name = NULL;
	long base = -1;
	int rc = 0;

	while (next_flag(&a, e, &fs, &fn))
		;
	if ((rc = df_word(&a, e, c->esc, &c->word)) <= 0)
		return rc;
	if (!(image = bh_strdup(c->word.data)))
		return BH_ENOMEM;
	if ((rc = df_word(&a, e, c->esc, &c->word)) == 1 && str_ieq(c->word.data, "as") &&
	    (rc = df_word(&a, e, c->esc, &c->word)) == 1) {
		if (!(name = bh_strdup(c->word.data)))
			rc = BH_ENOMEM;
		for (i = 0; name && name[i]; i++)
			name[i] = to_lower(name[i]);
	}
	if (rc < 0)
		goto out;
	rc = 0;

	/* FROM name refers to an earlier stage, never to an image of that name */
	{
		char *lower = bh_strdup(image);
		void *v;
		if (!lower) {
			rc = BH_ENOMEM;
			goto out;
		}
		for (i = 0; lower[i]; i++)
			lower[i] = to_lower(lower[i]);
		v = bh_map_get(&c->names, lower);
		free(lower);
		if (v)
			base = (long)((uintptr_t)v - 1);
	}
	if (!(s = grow(c->st, &c->capst, c->nst, sizeof(*c->st)))) {
		rc = BH_ENOMEM;
		goto out;
	}
	c->st = s;
	s = &c->st[c->nst];
	memset(s, 0, sizeof(*s));
	s->user_src = base >= 0 ? c->st[base].user_src : -1;
	s->health_src = base >= 0 ? c->st[base].health_src : -1;
	s->pip_env = base >= 0 && c->st[base].pip_env;
	c->nst++;
	free(c->final_from);
	if (!(c->final_from = render(c->inst.data, c->inst.len, 200))) {
		rc = BH_ENOMEM;
		goto out;
	}
	c->final_line = c->line;
	if (name && (rc = bh_map_put(&c->names, name, (void *)(uintptr_t)c->nst)))
		goto out;

	/* an image chosen by a build argument is only known at build time */
	if (base >= 0 || str_ieq(image, "scratch") || strpbrk(image, "$`"))
		goto out;
	if ((at = strchr(image, '@'))) {
		if (!is_digest(at + 1))
			rc = emit(c, R_NO_DIGEST, "base image digest is not a valid digest", 0, c->line, NULL);
		goto out;
	}
	last = base_name(image);
	colon = strchr(last, ':'); /* a colon before the last '/' is a registry port */
	if (!colon)
		rc = emit(c, R_LATEST, "base image has no tag (implicitly :latest)", 0, c->line, NULL);
	else if (strcmp(colon + 1, "latest") == 0)
		rc = emit(c, R_LATEST, "base image uses the :latest tag", 0, c->line, NULL);
	else
		rc = emit(c, R_NO_DIGEST, NULL, 0, c->line, NULL);
out:
	free(image);
	free(name);
	return rc;
}

static int do_user(struct ctx *c, const char *a, const char *e)
{
	struct stage *s = cur_stage(c);
	char *colon, *u;
	int rc;
	if (!s)
		return 0;
	if ((rc = df_word(&a, e, c->esc, &c->word)) <= 0)
		return rc;
	u = c->word.data;
	if ((colon = strchr(u, ':')))
		*colon = '\0';
	s->user_src = (long)(s - c->st);
	s->user_line = c->line;
	/* uid 0 in any spelling is root; a $VAR user is unknown and given the benefit of the doubt */
	s->user_root = strcmp(u, "root") == 0 || (*u && strspn(u, "0") == strlen(u));
	free(s->user_detail);
	if (!(s->user_detail = render(c->inst.data, c->inst.len, 200)))
		return BH_ENOMEM;
	return 0;
}

static int do_healthcheck(struct ctx *c, const char *a, const char *e)
{
	struct stage *s = cur_stage(c);
	int rc;
	if (!s)
		return 0;
	if ((rc = df_word(&a, e, c->esc, &c->word)) < 0)
		return rc;
	s->health_src = (long)(s - c->st);
	s->health_line = c->line;
	s->health_none = rc == 1 && str_ieq(c->word.data, "none");
	free(s->health_detail);
	if (!(s->health_detail = render(c->inst.data, c->inst.len, 200)))
		return BH_ENOMEM;
	return 0;
}

/* Secret-looking variable name: split into parts at '_', '-', '.' and camelCase humps. */
static bool secret_name(const char *name, size_t n)
{
	static const char *const whole[] = { "PASSWORD", "PASSWD", "PASSPHRASE", "PASS", "SECRET", "SECRETS",
					     "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "APIKEY",
					     "PRIVATEKEY", "ACCESSKEY", "SECRETKEY", "AUTHKEY", NULL };
	static const char *const pair1[] = { "API", "PRIVATE", "ACCESS", "AUTH", "SIGNING", "ENCRYPTION", "MASTER", NULL };
	/* these name where or how the secret is kept or shaped, not the secret itself */
	static const char *const tail[] = { "FILE", "FILES", "PATH", "DIR", "URL", "URI", "ENDPOINT", "HOST", "PORT",
					    "LENGTH", "LEN", "MIN", "MAX", "SIZE", "TTL", "TIMEOUT", "EXPIRY",
					    "EXPIRES", "EXPIRATION", "ID", "NAME", "TYPE", "HEADER", "FORMAT",
					    "POLICY", "ENABLED", "VERSION", "MODE", "METHOD", "LOCATION", "ROUNDS",
					    NULL };
	char parts[16][24];
	size_t np = 0, pl = 0, i;
	bool hit = false;
	for (i = 0; i <= n; i++) {
		char ch = i < n ? name[i] : '_';
		bool hump = i > 0 && i < n && ch >= 'A' && ch <= 'Z' && name[i - 1] >= 'a' && name[i - 1] <= 'z';
		if (!is_alnum(ch) || hump) {
			if (pl && np < 16) {
				parts[np][pl < 23 ? pl : 23] = '\0';
				np++;
			}
			pl = 0;
			if (!is_alnum(ch))
				continue;
		}
		if (np < 16 && pl < 23)
			parts[np][pl] = to_upper(ch);
		pl++;
	}
	if (!np || in_list(parts[np - 1], tail))
		return false;
	for (i = 0; i < np && !hit; i++)
		hit = in_list(parts[i], whole) || (i + 1 < np && in_list(parts[i], pair1) && strcmp(parts[i + 1], "KEY") == 0);
	return hit;
}

/* A literal value worth reporting: not empty, not a reference, not a switch. */
static bool secret_value(const char *v, size_t n)
{
	static const char *const trivial[] = { "true", "false", "yes", "no", "on", "off", "0", "1", "none", "null",
					       "nil", NULL };
	size_t i;
	char low[8];
	if (!n || *v == '$')
		return false;
	if (n >= sizeof(low))
		return true;
	for (i = 0; i < n; i++)
		low[i] = to_lower(v[i]);
	low[n] = '\0';
	return !in_list(low, trivial);
}

static int report_secret(struct ctx *c, const char *kw, const char *name, size_t n)
{
	char *rn = render(name, n, 80);
	const char *title;
	bh_buf d = BH_BUF_INIT;
	int rc;
	if (!rn)
		return BH_ENOMEM;
	/* the value is masked: reports end up in CI logs */
	title = strcmp(kw, "ENV") == 0 ? "secret stored in ENV" : "secret stored in an ARG default";
	rc = bh_buf_printf(&d, "%s %s=****", kw, rn) ? BH_ENOMEM : emit(c, R_SECRET, title, 0, c->line, d.data);
	bh_buf_free(&d);
	free(rn);
	return rc;
}

static int do_env_arg(struct ctx *c, const char *a, const char *e, bool env)
{
	const char *kw = env ? "ENV" : "ARG";
	struct stage *s = cur_stage(c);
	int rc;
	bool first = true;
	while ((rc = df_word(&a, e, c->esc, &c->word)) == 1) {
		const char *w = c->word.data, *eq = strchr(w, '=');
		size_t n = eq ? (size_t)(eq - w) : strlen(w);
		if (env && s && n == 16 && memcmp(w, "PIP_NO_CACHE_DIR", 16) == 0)
			s->pip_env = true;
		if (env && first && !eq) {
			/* legacy ENV NAME value with spaces: the rest of the line is the value */
			const char *v = a;
			size_t vn;
			char *name = bh_strndup(w, n);
			if (!name)
				return BH_ENOMEM;
			skip_blanks(&v, e);
			vn = (size_t)(e - v);
			bh_trim(&v, &vn);
			if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) {
				v++;
				vn -= 2;
			}
			rc = secret_name(name, n) && secret_value(v, vn) ? report_secret(c, kw, name, n) : 0;
			free(name);
			return rc;
		}
		first = false;
		if (eq && secret_name(w, n) && secret_value(eq + 1, strlen(eq + 1)) && (rc = report_secret(c, kw, w, n)))
			return rc;
	}
	return rc;
}

static int do_expose(struct ctx *c, const char *a, const char *e)
{
	static const struct {
		const char *title;
		unsigned port;
		bh_severity sev;
	} risky[] = {
		{ "EXPOSE of port 21 (ftp, plaintext credentials)", 21, 0 },
		{ "EXPOSE of port 22 (ssh daemon in a container)", 22, 0 },
		{ "EXPOSE of port 23 (telnet, plaintext)", 23, 0 },
		{ "EXPOSE of port 2375 (Docker API without TLS: root on the host)", 2375, BH_SEV_HIGH },
		{ "EXPOSE of port 2376 (Docker API)", 2376, 0 },
		{ "EXPOSE of port 3389 (RDP)", 3389, 0 },
		{ "EXPOSE of port 5900 (VNC)", 5900, 0 },
	};
	unsigned seen = 0;
	size_t i;
	int rc;
	while ((rc = df_word(&a, e, c->esc, &c->word)) == 1) {
		char *w = c->word.data, *p, *dash;
		unsigned long lo = 0, hi = 0;
		if ((p = strchr(w, '/')))
			*p = '\0';
		if ((p = strrchr(w, ':')))
			w = p + 1; /* host:container (old syntax): the container port */
		dash = strchr(w, '-');
		for (p = w; is_digit(*p) && lo <= 65535; p++)
			lo = lo * 10 + (unsigned long)(*p - '0');
		if (p == w || (*p && p != dash))
			continue; /* $PORT or not a port */
		hi = lo;
		if (dash) {
			hi = 0;
			for (p = dash + 1; is_digit(*p) && hi <= 65535; p++)
				hi = hi * 10 + (unsigned long)(*p - '0');
			if (p == dash + 1 || *p)
				continue;
		}
		for (i = 0; i < sizeof(risky) / sizeof(risky[0]); i++)
			if (lo <= risky[i].port && risky[i].port <= hi && !(seen & (1u << i))) {
				seen |= 1u << i;
				if ((rc = emit(c, R_EXPOSE, risky[i].title, risky[i].sev, c->line, NULL)))
					return rc;
			}
	}
	return rc;
}

/* Build-context files that must not end up in a layer. */
static const char *sensitive(const char *src)
{
	static const char *const keys[] = { "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", NULL };
	static const char *const env_ok[] = { ".example", ".sample", ".template", ".dist", ".defaults", NULL };
	static const char *const files[] = { ".netrc", ".npmrc", ".pypirc", ".git-credentials", ".ssh", ".aws",
					     ".gnupg", ".htpasswd", NULL };
	static const char *const exts[] = { ".pem", ".key", ".p12", ".pfx", NULL };
	char buf[256];
	const char *b;
	size_t n = strlen(src), i;
	while (n > 1 && src[n - 1] == '/')
		n--;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
	b = base_name(buf);
	for (i = 0; keys[i]; i++)
		if (strncmp(b, keys[i], strlen(keys[i])) == 0 && !str_iendswith(b, ".pub"))
			return "private SSH key";
	if (strcmp(b, ".env") == 0)
		return ".env file";
	if (strncmp(b, ".env.", 5) == 0) {
		for (i = 0; env_ok[i]; i++)
			if (str_iendswith(b, env_ok[i]))
				return NULL;
		return ".env file";
	}
	if (strcmp(b, ".git") == 0)
		return ".git directory";
	if (in_list(b, files) || strstr(buf, ".ssh/") || strstr(buf, ".aws/"))
		return "credentials file";
	for (i = 0; exts[i]; i++)
		if (str_iendswith(b, exts[i]))
			return "key or certificate file";
	return NULL;
}

static bool is_url(const char *s)
{
	return str_istartswith(s, "http://") || str_istartswith(s, "https://") || str_istartswith(s, "git://") ||
	       str_istartswith(s, "git@") || str_istartswith(s, "ssh://");
}

/* Names ADD unpacks (it goes by content, so a name is only a hint). */
static bool is_archive(const char *s)
{
	static const char *const exts[] = { ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".gz", ".bz2", ".xz",
					    ".zst", ".lz", ".lzma", NULL };
	size_t i;
	for (i = 0; exts[i]; i++)
		if (str_iendswith(s, exts[i]))
			return true;
	return false;
}

/* A JSON array of strings (exec form) at a[0..n), else NULL. Caller json_decref's. */
static json_t *exec_form(const char *a, size_t n)
{
	json_t *j = NULL;
	bh_error ignored;
	size_t i;
	bh_trim(&a, &n);
	if (!n || a[0] != '[' || bh_json_load(a, n, 2, "exec form", &j, &ignored))
		return NULL;
	if (!json_is_array(j))
		goto bad;
	for (i = 0; i < json_array_size(j); i++)
		if (!json_is_string(json_array_get(j, i)))
			goto bad;
	return j;
bad:
	json_decref(j);
	return NULL;
}

static bool exec_ok(const char *a, const char *e)
{
	json_t *j = exec_form(a, (size_t)(e - a));
	json_decref(j);
	return j != NULL;
}

static int do_copy_add(struct ctx *c, const char *a, const char *e, bool add)
{
	const char *fs, *v, *kind = NULL;
	size_t fn, vn, n, i;
	bool from = false, checksum = false, url = false, archive = false, local = false;
	struct facts mode;
	char **src = NULL;
	json_t *j;
	int rc = 0;

	memset(&mode, 0, sizeof(mode));
	while (next_flag(&a, e, &fs, &fn)) {
		if (flag_value(fs, fn, "from", &v, &vn)) {
			from = true;
		} else if (flag_value(fs, fn, "checksum", &v, &vn)) {
			checksum = true;
		} else if (flag_value(fs, fn, "chmod", &v, &vn) && vn < 16) {
			/* --chmod=4755 / --chmod=o+w sets the same bits a RUN chmod would */
			char m[16];
			memcpy(m, v, vn);
			m[vn] = '\0';
			chmod_mode(m, &mode);
		}
	}
	if (mode.chmod_world && (rc = emit(c, R_CHMOD_WORLD, NULL, 0, c->line, NULL)))
		return rc;
	if (mode.chmod_suid && (rc = emit(c, R_CHMOD_SUID, NULL, 0, c->line, NULL)))
		return rc;
	/* collect the arguments: the last is the destination */
	if ((j = exec_form(a, (size_t)(e - a)))) {
		n = json_array_size(j);
		for (i = 0; i + 1 < n && !rc; i++) {
			const char *s = json_string_value(json_array_get(j, i));
			if (is_url(s))
				url = true;
			else if (!strpbrk(s, "$`")) {
				local = true;
				archive |= is_archive(s);
			}
			if (!from && !kind)
				kind = sensitive(s);
		}
		json_decref(j);
	} else {
		size_t cap = 0, k;
		n = 0;
		while ((rc = df_word(&a, e, c->esc, &c->word)) == 1) {
			char **ns = grow(src, &cap, n, sizeof(*src));
			if (!ns || !(ns[n] = bh_strdup(c->word.data))) {
				src = ns ? ns : src;
				rc = BH_ENOMEM;
				break;
			}
			src = ns;
			n++;
		}
		for (k = 0; rc == 0 && k + 1 < n; k++) {
			const char *s = src[k];
			if (strncmp(s, "<<", 2) == 0)
				continue; /* heredoc: inline content, not a context file */
			if (is_url(s))
				url = true;
			else if (!strpbrk(s, "$`")) {
				local = true;
				archive |= is_archive(s);
			}
			if (!from && !kind)
				kind = sensitive(s);
		}
		for (k = 0; k < n; k++)
			free(src[k]);
		free(src);
		if (rc < 0)
			return rc;
		rc = 0;
	}
	if (kind) {
		char title[96];
		snprintf(title, sizeof(title), "%s of a %s into the image", add ? "ADD" : "COPY", kind);
		if ((rc = emit(c, R_SENSITIVE_COPY, title, 0, c->line, NULL)))
			return rc;
	}
	if (!add)
		return 0;
	if (url && !checksum && (rc = emit(c, R_ADD_URL, NULL, 0, c->line, NULL)))
		return rc;
	if (!url && !archive && local)
		rc = emit(c, R_ADD_LOCAL, NULL, 0, c->line, NULL);
	return rc;
}

/* Does the RUN's text run its heredoc bodies as shell (RUN <<EOF, RUN bash <<EOF)? */
static bool body_is_script(const char *a, const char *e)
{
	const char *p = a;
	size_t i;
	char name[16];
	skip_blanks(&p, e);
	if (e - p >= 2 && p[0] == '<' && p[1] == '<')
		return true;
	for (i = 0; p < e && !is_space(*p) && i < sizeof(name) - 1; p++)
		name[i++] = *p;
	name[i] = '\0';
	return is_shell(base_name(name));
}

static int do_run(struct ctx *c, const char *a, const char *e)
{
	struct stage *s = cur_stage(c);
	struct facts f;
	const char *fs, *v;
	size_t fn, vn;
	bool insecure = false, m_apt = false, m_apk = false, m_pip = false;
	json_t *j;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	while (next_flag(&a, e, &fs, &fn)) {
		if ((flag_value(fs, fn, "security", &v, &vn) && mem_ieq(v, vn, "insecure")) || mem_ieq(fs, fn, "privileged"))
			insecure = true;
		/* a cache or tmpfs mount keeps what is written there out of the layer */
		if (flag_value(fs, fn, "mount", &v, &vn) && (memmem(v, vn, "type=cache", 10) || memmem(v, vn, "type=tmpfs", 10))) {
			m_apt |= memmem(v, vn, "/var/lib/apt", 12) != NULL;
			m_apk |= memmem(v, vn, "/var/cache/apk", 14) != NULL || memmem(v, vn, "/etc/apk/cache", 14) != NULL;
			m_pip |= memmem(v, vn, ".cache", 6) != NULL;
		}
	}
	if ((j = exec_form(a, (size_t)(e - a)))) {
		struct sh sh;
		size_t i;
		memset(&sh, 0, sizeof(sh));
		for (i = 0; i < json_array_size(j) && !rc; i++) {
			json_t *x = json_array_get(j, i);
			if (ps_download_exec(json_string_value(x)))
				f.pipe_sh = true;
			rc = sh_add_word(&sh, json_string_value(x), json_string_length(x));
		}
		json_decref(j);
		if (!rc && !(rc = sh_end_cmd(&sh, false)))
			rc = analyze_sh(&f, &sh, 0);
		sh_free(&sh);
	} else {
		rc = analyze_script(&f, a, (size_t)(e - a), 0);
		if (!rc && c->body.len && body_is_script(a, e))
			rc = analyze_script(&f, c->body.data, c->body.len, 0);
		/* c->inst is NUL-terminated at e: the whole argument text as a string */
		if (ps_download_exec(a))
			f.pipe_sh = true;
	}
	if (rc)
		return rc;

	if (insecure && (rc = emit(c, R_INSECURE_RUN, NULL, 0, c->line, NULL)))
		return rc;
	if (f.pipe_sh && (rc = emit(c, R_CURL_SH, NULL, 0, c->line, NULL)))
		return rc;
	if ((f.sudo || f.sudo_pkg) &&
	    (rc = emit(c, R_SUDO, f.sudo && f.sudo_pkg ? "sudo installed and used in RUN" :
				  f.sudo ? "sudo used in RUN" : "sudo installed in the image", 0, c->line, NULL)))
		return rc;
	if (f.apt_unpinned && (rc = emit(c, R_APT_PIN, NULL, 0, c->line, NULL)))
		return rc;
	if (f.apk_unpinned && (rc = emit(c, R_APK_PIN, NULL, 0, c->line, NULL)))
		return rc;
	if (f.apt_upgrade && (rc = emit(c, R_UPGRADE, NULL, 0, c->line, NULL)))
		return rc;
	if (((f.apt_update && !f.apt_install) || (f.apk_update && !f.apk_install) || (f.rpm_update && !f.rpm_install)) &&
	    (rc = emit(c, R_UPDATE_ALONE, NULL, 0, c->line, NULL)))
		return rc;
	if (f.apt_update && !f.apt_rm_lists && !m_apt && (rc = emit(c, R_APT_LISTS, NULL, 0, c->line, NULL)))
		return rc;
	if (f.apk_cache && !f.apk_rm_cache && !m_apk && (rc = emit(c, R_APK_CACHE, NULL, 0, c->line, NULL)))
		return rc;
	if (f.pip_cache && !m_pip && !(s && s->pip_env) && (rc = emit(c, R_PIP_CACHE, NULL, 0, c->line, NULL)))
		return rc;
	if (f.chmod_world && (rc = emit(c, R_CHMOD_WORLD, NULL, 0, c->line, NULL)))
		return rc;
	if (f.chmod_suid && (rc = emit(c, R_CHMOD_SUID, NULL, 0, c->line, NULL)))
		return rc;
	return 0;
}

/* Instruction kw with arguments a..e. onbuild: a trigger for child images, so it does not change
 * this image's stages, USER or HEALTHCHECK, but its content is still judged. */
static int dispatch(struct ctx *c, const char *kw, size_t kn, const char *a, const char *e, bool onbuild)
{
	if (mem_ieq(kw, kn, "RUN"))
		return do_run(c, a, e);
	if (mem_ieq(kw, kn, "COPY"))
		return do_copy_add(c, a, e, false);
	if (mem_ieq(kw, kn, "ADD"))
		return do_copy_add(c, a, e, true);
	if (mem_ieq(kw, kn, "ENV"))
		return do_env_arg(c, a, e, true);
	if (mem_ieq(kw, kn, "ARG"))
		return do_env_arg(c, a, e, false);
	if (mem_ieq(kw, kn, "EXPOSE"))
		return do_expose(c, a, e);
	if (onbuild)
		return 0;
	if (mem_ieq(kw, kn, "FROM"))
		return do_from(c, a, e);
	if (mem_ieq(kw, kn, "USER"))
		return do_user(c, a, e);
	if (mem_ieq(kw, kn, "HEALTHCHECK"))
		return do_healthcheck(c, a, e);
	if (mem_ieq(kw, kn, "ONBUILD")) {
		const char *k2;
		skip_blanks(&a, e);
		for (k2 = a; a < e && !is_space(*a); a++)
			;
		return dispatch(c, k2, (size_t)(a - k2), a, e, true);
	}
	return 0;
}

/*
 * Heredoc bodies announced in args (RUN/COPY/ADD <<[-]WORD, quoted or not) follow the instruction:
 * consume them from the input so their lines are not taken for instructions. keep: collect them in
 * c->body for analysis.
 */
static int read_heredocs(struct ctx *c, const char *a, const char *e, bool keep)
{
	const char *ws, *ls;
	size_t wn, ll, i;
	bh_buf_reset(&c->body);
	while (raw_word(&a, e, c->esc, &ws, &wn)) {
		const char *name = ws;
		size_t nn = wn;
		bool chomp = false;
		while (nn && is_digit(*name))
			name++, nn--;
		if (nn < 3 || name[0] != '<' || name[1] != '<')
			continue;
		name += 2, nn -= 2;
		if (*name == '-')
			chomp = true, name++, nn--;
		if (!nn || memchr(name, '<', nn))
			continue; /* <<< here-string, or nothing usable */
		/* the delimiter is the word with its quotes removed (<<"EOF", <<'EOF' mean EOF) */
		bh_buf_reset(&c->word);
		for (i = 0; i < nn; i++)
			if (name[i] != '"' && name[i] != '\'' && bh_buf_putc(&c->word, name[i]))
				return BH_ENOMEM;
		if (!c->word.len)
			continue;
		while (next_line(&c->p, c->end, &ls, &ll)) {
			c->lineno++;
			if (chomp)
				while (ll && *ls == '\t')
					ls++, ll--;
			if (ll == c->word.len && memcmp(ls, c->word.data, ll) == 0)
				break;
			if (keep && (bh_buf_append(&c->body, ls, ll) || bh_buf_putc(&c->body, '\n')))
				return BH_ENOMEM;
		}
	}
	return 0;
}

/* A complete logical instruction is in c->inst. */
static int instruction(struct ctx *c)
{
	const char *p = c->inst.data, *e = p + c->inst.len, *kw, *a, *sub, *fs;
	size_t kn, subn, fn;
	bool run, heredocs;
	int rc = 0;
	free(c->detail);
	c->detail = NULL;
	bh_buf_reset(&c->body);
	for (kw = p; p < e && !is_space(*p); p++)
		;
	kn = (size_t)(p - kw);
	skip_blanks(&p, e);
	/* ONBUILD RUN/COPY/ADD may carry heredocs too */
	sub = kw;
	subn = kn;
	a = p;
	if (mem_ieq(kw, kn, "ONBUILD")) {
		for (sub = a; a < e && !is_space(*a); a++)
			;
		subn = (size_t)(a - sub);
	}
	run = mem_ieq(sub, subn, "RUN");
	heredocs = run || mem_ieq(sub, subn, "COPY") || mem_ieq(sub, subn, "ADD");
	if (heredocs) {
		while (next_flag(&a, e, &fs, &fn))
			;
		skip_blanks(&a, e);
		/* the exec (JSON) form has no heredocs */
		if ((a < e && *a == '[' && exec_ok(a, e)) || !memmem(p, (size_t)(e - p), "<<", 2))
			heredocs = false;
	}
	if (heredocs)
		rc = read_heredocs(c, p, e, run);
	if (!rc)
		rc = dispatch(c, kw, kn, p, e, false);
	return rc;
}

/* "# name=value" at the top of the file; only escape changes how we parse. */
static bool directive(const char *s, size_t n, char *esc)
{
	const char *e = s + n, *k, *v;
	size_t kn, vn;
	skip_blanks(&s, e);
	if (s >= e || *s != '#')
		return false;
	s++;
	while (s < e && is_blank(*s))
		s++;
	for (k = s; s < e && (s == k ? is_alpha(*s) : is_alnum(*s)); s++)
		;
	kn = (size_t)(s - k);
	while (s < e && is_blank(*s))
		s++;
	if (!kn || s >= e || *s != '=')
		return false;
	v = s + 1;
	vn = (size_t)(e - v);
	bh_trim(&v, &vn);
	if (!vn)
		return false;
	if (mem_ieq(k, kn, "escape") && vn == 1 && (*v == '`' || *v == '\\'))
		*esc = *v;
	return true;
}

/* Splits the input into logical instructions (comments dropped, continuations joined). */
static int parse(struct ctx *c)
{
	const char *ls, *t;
	size_t ll, tl, keep;
	bool directives = true, open = false;
	int rc;
	if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
	while (next_line(&c->p, c->end, &ls, &ll)) {
		c->lineno++;
		t = ls;
		tl = ll;
		bh_trim(&t, &tl);
		if (!open) {
			if (directives && directive(ls, ll, &c->esc))
				continue;
			directives = false;
			if (!tl || *t == '#')
				continue;
			bh_buf_reset(&c->inst);
			c->line = c->lineno;
			open = true;
			/* the first line is left-trimmed, continuation lines are kept as they are */
			ll = (size_t)((ls + ll) - t);
			ls = t;
		} else if (!tl || *t == '#') {
			continue; /* comments and empty lines inside a continuation are dropped */
		}
		keep = ll;
		while (keep && is_blank(ls[keep - 1]))
			keep--;
		/* as BuildKit: a doubled escape character at the end is an escaped one, not a continuation */
		if (keep && ls[keep - 1] == c->esc && (keep == 1 || ls[keep - 2] != c->esc)) {
			if (bh_buf_append(&c->inst, ls, keep - 1))
				return BH_ENOMEM;
			continue;
		}
		if (bh_buf_append(&c->inst, ls, ll))
			return BH_ENOMEM;
		open = false;
		if ((rc = instruction(c)))
			return rc;
	}
	if (open && c->inst.len)
		return instruction(c);
	return 0;
}

/* Final-stage rules: USER (CIS 4.1) and HEALTHCHECK (CIS 4.6), inherited through FROM stage. */
static int final_rules(struct ctx *c)
{
	const struct stage *s = cur_stage(c), *u, *h;
	int rc;
	if (!s)
		return 0;
	u = s->user_src >= 0 ? &c->st[s->user_src] : NULL;
	h = s->health_src >= 0 ? &c->st[s->health_src] : NULL;
	if (!u)
		rc = emit(c, R_NO_USER, NULL, 0, c->final_line, c->final_from);
	else
		rc = u->user_root ? emit(c, R_ROOT_USER, NULL, 0, u->user_line, u->user_detail) : 0;
	if (rc)
		return rc;
	if (!h)
		rc = emit(c, R_NO_HEALTHCHECK, NULL, 0, c->final_line, c->final_from);
	else if (h->health_none)
		rc = emit(c, R_NO_HEALTHCHECK, "final stage disables the health check (HEALTHCHECK NONE)", 0,
			  h->health_line, h->health_detail);
	return rc;
}

/* Refuses oversized input before any work. */
static int check_bounds(const char *text, size_t len, const char *target, bh_error *err)
{
	const char *p = text, *e = text + len, *nl;
	unsigned long line = 1;
	if (len > BH_DOCKERFILE_MAX_SIZE)
		return bh_error_set(err, BH_ELIMIT, "%s: Dockerfile larger than %zu bytes", target, BH_DOCKERFILE_MAX_SIZE);
	for (; p < e; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if ((size_t)((nl ? nl : e) - p) > BH_DOCKERFILE_MAX_LINE)
			return bh_error_set(err, BH_ELIMIT, "%s:%lu: line longer than %zu bytes", target, line,
					    BH_DOCKERFILE_MAX_LINE);
		if (!nl)
			break;
	}
	return 0;
}

int bh_dockerfile_check(const char *path, const char *text, size_t len, bh_checks *out, bh_error *err)
{
	const char *label = path ? path : "Dockerfile";
	struct ctx c;
	size_t i;
	int rc;

	if (!out || (!text && len))
		return bh_error_set(err, BH_EINVAL, "%s: no Dockerfile text or finding list", label);
	if (text && (rc = check_bounds(text, len, label, err)))
		return rc;
	memset(&c, 0, sizeof(c));
	c.target = path;
	c.out = out;
	c.start_n = out->n;
	c.err = err;
	c.esc = '\\';
	c.p = text;
	c.end = text ? text + len : NULL;
	bh_map_init(&c.names, NULL);

	rc = text ? parse(&c) : 0;
	if (!rc)
		rc = final_rules(&c);
	if (rc) {
		while (out->n > c.start_n)
			bh_checks_remove(out, out->n - 1);
		if (rc == BH_ENOMEM)
			bh_error_set(err, rc, "%s: out of memory", label);
	}

	for (i = 0; i < c.nst; i++) {
		free(c.st[i].user_detail);
		free(c.st[i].health_detail);
	}
	free(c.st);
	bh_map_free(&c.names);
	bh_buf_free(&c.inst);
	bh_buf_free(&c.body);
	bh_buf_free(&c.word);
	free(c.detail);
	free(c.final_from);
	return rc;
}
