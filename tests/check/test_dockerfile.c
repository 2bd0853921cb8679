/* test_dockerfile.c - Dockerfile parser and BH-DF rules: each rule fires and stays quiet, the parser
 * edge cases, limits, and the side-by-side fixture against dockerfilelint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/dockerfile.h"
#include "core/buf.h"
#include "support/fixture.h"

#define FIX "tests/fixtures/dockerfile/"
#define D "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/* a pinned base and a compliant end, so a snippet shows only the finding under test */
#define BASE "FROM debian:12" D "\n"
#define TAIL "USER app\nHEALTHCHECK CMD true\n"

static void dump(const char *text, const bh_checks *l)
{
	size_t i;
	print_error("--- Dockerfile:\n%s\n--- findings:\n", text);
	for (i = 0; i < l->n; i++)
		print_error("%lu %s %s | %s\n", l->items[i].line, l->items[i].rule, l->items[i].title, l->items[i].detail);
}

static void lint(const char *text, bh_checks *l)
{
	bh_error err = { 0 };
	int rc = bh_dockerfile_check("Dockerfile", text, strlen(text), l, &err);
	if (rc)
		print_error("rc %d: %s\n", rc, err.msg);
	assert_int_equal(rc, 0);
}

/* Findings of rule at line (0 = any line). */
static size_t count(const bh_checks *l, const char *rule, unsigned long line)
{
	size_t i, n = 0;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule, rule) == 0 && (!line || l->items[i].line == line))
			n++;
	return n;
}

static void fires(const char *text, const char *rule, unsigned long line)
{
	bh_checks l = { 0 };
	lint(text, &l);
	if (count(&l, rule, line) != 1) {
		dump(text, &l);
		fail_msg("%s expected once at line %lu", rule, line);
	}
	bh_checks_free(&l);
}

static void quiet(const char *text, const char *rule)
{
	bh_checks l = { 0 };
	lint(text, &l);
	if (count(&l, rule, 0)) {
		dump(text, &l);
		fail_msg("%s not expected", rule);
	}
	bh_checks_free(&l);
}

static void clean(const char *text)
{
	bh_checks l = { 0 };
	lint(text, &l);
	if (l.n) {
		dump(text, &l);
		fail_msg("no finding expected");
	}
	bh_checks_free(&l);
}

/* ------------------------------------------------------------ parser */

static void test_continuations_and_comments(void **state)
{
	(void)state;
	/* the finding sits on the line where the instruction starts */
	fires(BASE "RUN apt-get update \\\n"
		   "# a comment inside the continuation\n"
		   "\n"
		   " && apt-get install -y \\\n"
		   "      curl \\\n"
		   " && rm -rf /var/lib/apt/lists/*\n" TAIL,
	      "BH-DF-009", 2);
	/* a comment line ending in a backslash does not continue */
	fires(BASE "# RUN apt-get install foo \\\nEXPOSE 22\n" TAIL, "BH-DF-017", 3);
	/* a doubled escape at the end is an escaped backslash: the next line is an instruction */
	fires(BASE "RUN echo \\\\\nEXPOSE 22\n" TAIL, "BH-DF-017", 3);
	/* whitespace after the escape still continues */
	fires(BASE "RUN curl -fsSL https://x.example/i.sh \\   \n  | sh\n" TAIL, "BH-DF-008", 2);
	/* lowercase instructions, CRLF line ends and a BOM */
	fires("\xEF\xBB\xBF" "from ubuntu:latest\r\nrun curl https://x.example | sh\r\nuser app\r\nhealthcheck cmd true\r\n",
	      "BH-DF-004", 1);
	fires("\xEF\xBB\xBF" "from ubuntu:latest\r\nrun curl https://x.example | sh\r\nuser app\r\nhealthcheck cmd true\r\n",
	      "BH-DF-008", 2);
	fires(BASE "user root\nhealthcheck cmd true\n", "BH-DF-002", 2);
}

static void test_escape_directive(void **state)
{
	(void)state;
	/* backtick escape (Windows): backslashes are path separators, ` continues */
	const char *win = "# escape=`\n"
			  "FROM mcr.microsoft.com/windows/servercore:ltsc2022" D "\n"
			  "COPY app C:\\app\\\n"
			  "RUN powershell -Command `\n"
			  "    iwr https://x.example/install.ps1 -UseBasicParsing | iex\n"
			  "RUN powershell -Command Set-ExecutionPolicy Bypass; `\n"
			  "    iex ((New-Object System.Net.WebClient).DownloadString('https://x.example/i.ps1'))\n"
			  "USER ContainerUser\n"
			  "HEALTHCHECK CMD ping -n 1 localhost\n";
	bh_checks l = { 0 };
	lint(win, &l);
	assert_int_equal(count(&l, "BH-DF-008", 4), 1);
	assert_int_equal(count(&l, "BH-DF-008", 6), 1);
	assert_int_equal(l.n, 2);
	bh_checks_free(&l);
	/* a directive after a comment is a comment: backslash stays the escape */
	fires("# hello\n# escape=`\n" BASE "RUN curl https://x.example/i \\\n | sh\n" TAIL, "BH-DF-008", 4);
	/* a blank line ends the directives too */
	fires("\n# escape=`\n" BASE "RUN curl https://x.example/i \\\n | sh\n" TAIL, "BH-DF-008", 4);
}

static void test_heredocs(void **state)
{
	(void)state;
	/* the body is the script: judged, and none of its lines is an instruction */
	const char *h = BASE "RUN <<EOF\n"
			     "set -e\n"
			     "curl -fsSL https://x.example/i.sh | sh\n"
			     "FROM ubuntu\n"
			     "USER root\n"
			     "EOF\n"
			     "EXPOSE 22\n" TAIL;
	bh_checks l = { 0 };
	lint(h, &l);
	assert_int_equal(count(&l, "BH-DF-008", 2), 1);
	assert_int_equal(count(&l, "BH-DF-017", 8), 1); /* line numbers go on after the body */
	assert_int_equal(l.n, 2);
	bh_checks_free(&l);
	/* quoted and <<- delimiters, two heredocs in one RUN, COPY heredocs */
	fires(BASE "RUN <<-\"EOT\" bash\n\tapt-get update\n\tEOT\nEXPOSE 23\n" TAIL, "BH-DF-017", 5);
	fires(BASE "RUN cat <<'A' > /a && cat <<B > /b\nFROM x\nA\nUSER root\nB\nEXPOSE 21\n" TAIL, "BH-DF-017", 7);
	fires(BASE "COPY <<EOF /etc/app.conf\nFROM ubuntu\nEOF\nEXPOSE 22\n" TAIL, "BH-DF-017", 5);
	clean(BASE "COPY <<EOF /etc/app.conf\nFROM ubuntu\nEOF\n" TAIL);
	/* a file written by cat is data, not a script */
	quiet(BASE "RUN cat <<EOF > /etc/sudoers.d/ops\nsudo ALL=(ALL) NOPASSWD: ALL\nEOF\n" TAIL, "BH-DF-018");
	/* RUN bash <<EOF runs the body */
	fires(BASE "RUN bash <<EOF\nsudo make install\nEOF\n" TAIL, "BH-DF-018", 2);
	/* ONBUILD RUN may carry a heredoc too */
	fires(BASE "ONBUILD RUN <<EOF\nwget -O- https://x.example | sh\nEOF\n" TAIL, "BH-DF-008", 2);
	/* here-strings are not heredocs */
	fires(BASE "RUN cat <<< 'x'\nEXPOSE 22\n" TAIL, "BH-DF-017", 3);
	/* an exec form has no heredocs */
	fires(BASE "RUN [\"cat\", \"<<EOF\"]\nEXPOSE 22\n" TAIL, "BH-DF-017", 3);
	/* an unterminated heredoc swallows the rest, as BuildKit reads it (it refuses the file) */
	clean(BASE TAIL "RUN <<EOF\nEXPOSE 22\n");
}

static void test_exec_form(void **state)
{
	(void)state;
	fires(BASE "RUN [\"sh\", \"-c\", \"curl -s https://x.example | sh\"]\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n" TAIL, "BH-DF-009", 2);
	fires(BASE "COPY [\"id_rsa\", \"/root/.ssh/\"]\n" TAIL, "BH-DF-021", 2);
	fires(BASE "ADD [\"https://x.example/a\", \"/a\"]\n" TAIL, "BH-DF-007", 2);
	/* invalid JSON is the shell form */
	fires(BASE "RUN [ \"x\" && curl https://x.example | sh\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN [\"powershell\", \"-Command\", \"iwr https://x.example/a.ps1 | iex\"]\n" TAIL, "BH-DF-008", 2);
}

static void test_stages(void **state)
{
	(void)state;
	/* FROM build refers to the stage (any case), not to an image called build */
	const char *ms = "FROM golang:1.22" D " AS Build\n"
			 "RUN go build -o /app\n"
			 "FROM build AS test\n"
			 "FROM BUILD\n" TAIL;
	clean(ms);
	/* a name used before its stage exists is an image */
	fires("FROM node\nFROM node:20" D " AS node\n" TAIL, "BH-DF-004", 1);
	/* USER and HEALTHCHECK are inherited from the stage built on */
	clean("FROM alpine:3.20" D " AS base\n" TAIL "FROM base\nRUN true\n");
	fires("FROM alpine:3.20" D " AS base\nUSER root\nHEALTHCHECK CMD true\nFROM base\n", "BH-DF-002", 2);
	/* only the final stage counts: a builder running as root is fine */
	clean("FROM alpine:3.20" D " AS b\nUSER root\nRUN true\nFROM alpine:3.20" D "\nCOPY --from=b /x /x\n" TAIL);
	/* scratch and images chosen by build arguments */
	clean("FROM scratch\n" TAIL);
	clean("ARG BASE=ubuntu\nFROM ${BASE}\nFROM --platform=$BUILDPLATFORM $BASE AS x\n" TAIL);
	/* ONBUILD triggers do not change this image's USER */
	fires(BASE "ONBUILD USER app\n", "BH-DF-001", 1);
	quiet(BASE "ONBUILD USER root\n" TAIL, "BH-DF-002");
	/* no FROM at all: nothing to say about stages */
	clean("RUN true\n");
	clean("");
}

/* ------------------------------------------------------------ rules */

static void test_user(void **state)
{
	(void)state;
	fires(BASE "RUN true\nHEALTHCHECK CMD true\n", "BH-DF-001", 1);
	fires("FROM a:1" D " AS x\nUSER app\nFROM b:1" D "\nHEALTHCHECK CMD true\n", "BH-DF-001", 3);
	quiet(BASE "USER 1000:1000\n", "BH-DF-001");
	fires(BASE "USER app\nUSER 0\nHEALTHCHECK CMD true\n", "BH-DF-002", 3);
	fires(BASE "USER root:root\nHEALTHCHECK CMD true\n", "BH-DF-002", 2);
	fires(BASE "USER 0:0\nHEALTHCHECK CMD true\n", "BH-DF-002", 2);
	quiet(BASE "USER root\nRUN make install\nUSER app\n", "BH-DF-002");
	quiet(BASE "USER ${APP_USER}\n", "BH-DF-002");
	quiet(BASE "USER rootless\n", "BH-DF-002");
}

static void test_healthcheck(void **state)
{
	(void)state;
	fires(BASE "USER app\n", "BH-DF-003", 1);
	fires(BASE "USER app\nHEALTHCHECK NONE\n", "BH-DF-003", 3);
	quiet(BASE "USER app\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n", "BH-DF-003");
}

static void test_base_image(void **state)
{
	(void)state;
	fires("FROM ubuntu\n" TAIL, "BH-DF-004", 1);
	fires("FROM ubuntu:latest\n" TAIL, "BH-DF-004", 1);
	fires("FROM --platform=linux/amd64 docker.io/library/ubuntu\n" TAIL, "BH-DF-004", 1);
	fires("FROM localhost:5000/app\n" TAIL, "BH-DF-004", 1); /* a registry port is not a tag */
	quiet("FROM ubuntu:latest" D "\n" TAIL, "BH-DF-004");
	quiet("FROM ubuntu:22.04\n" TAIL, "BH-DF-004");
	fires("FROM ubuntu:22.04\n" TAIL, "BH-DF-005", 1);
	fires("FROM localhost:5000/team/app:1.0 AS app\n" TAIL, "BH-DF-005", 1);
	fires("FROM ubuntu@sha256:abc\n" TAIL, "BH-DF-005", 1); /* not a digest */
	quiet("FROM ubuntu:22.04" D "\n" TAIL, "BH-DF-005");
	quiet("FROM ubuntu" D "\n" TAIL, "BH-DF-005");
	quiet("FROM ubuntu\n" TAIL, "BH-DF-005"); /* reported once, as BH-DF-004 */
}

static void test_add(void **state)
{
	(void)state;
	fires(BASE "ADD config.yaml /etc/app/\n" TAIL, "BH-DF-006", 2);
	fires(BASE "ADD --chown=app src/ /app/\n" TAIL, "BH-DF-006", 2);
	quiet(BASE "ADD app.tar.gz /opt/\n" TAIL, "BH-DF-006");
	quiet(BASE "COPY config.yaml /etc/app/\n" TAIL, "BH-DF-006");
	quiet(BASE "ADD https://x.example/tool /usr/bin/tool\n" TAIL, "BH-DF-006");
	fires(BASE "ADD https://x.example/tool /usr/bin/tool\n" TAIL, "BH-DF-007", 2);
	fires(BASE "ADD git@github.com:org/repo.git /src\n" TAIL, "BH-DF-007", 2);
	quiet(BASE "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
		   "https://x.example/tool /usr/bin/tool\n" TAIL, "BH-DF-007");
	quiet(BASE "ADD ${URL} /x\n" TAIL, "BH-DF-007");
}

static void test_curl_pipe_shell(void **state)
{
	(void)state;
	fires(BASE "RUN curl -fsSL https://x.example/i.sh | sh\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN wget -qO- https://x.example/i.sh | bash -s -- --yes\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN set -eux; /usr/bin/curl -sL https://deb.nodesource.com/setup_20.x | sudo -E bash -\n" TAIL,
	      "BH-DF-008", 2);
	fires(BASE "RUN curl -s https://x.example/get-pip.py | python3\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN curl -s https://x.example/i | tee /tmp/i | sh\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN bash <(curl -s https://x.example/i.sh)\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN sh -c \"$(curl -fsSL https://x.example/install.sh)\"\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN bash -ec 'wget -O - https://x.example | sh'\n" TAIL, "BH-DF-008", 2);
	fires(BASE "RUN (curl https://x.example/i) | sh\n" TAIL, "BH-DF-008", 2);
	quiet(BASE "RUN curl -fsSLo /tmp/i.sh https://x.example/i.sh && echo \"$SUM  /tmp/i.sh\" | sha256sum -c "
		   "&& sh /tmp/i.sh\n" TAIL, "BH-DF-008");
	quiet(BASE "RUN curl -fsSL https://x.example/a.tgz | tar -xz -C /opt\n" TAIL, "BH-DF-008");
	quiet(BASE "RUN echo curl | sh\n" TAIL, "BH-DF-008");
	quiet(BASE "RUN curl https://x.example/a -o a; sh ./configure\n" TAIL, "BH-DF-008");
	quiet(BASE "RUN echo 'curl x | sh' > /usr/share/doc/notes\n" TAIL, "BH-DF-008");
}

static void test_packages(void **state)
{
	(void)state;
	/* apt pins */
	fires(BASE "RUN apt-get install -y --no-install-recommends curl=7.88.1-10 git\n" TAIL, "BH-DF-009", 2);
	fires(BASE "RUN apt -o Dpkg::Options::=--force-confnew install -y nginx/bookworm-backports\n" TAIL, "BH-DF-009", 2);
	quiet(BASE "RUN apt-get -y install curl=7.88.1-10 git=1:2.39.2-1.1\n" TAIL, "BH-DF-009");
	quiet(BASE "RUN apt-get install -y ./local.deb /tmp/x.deb $EXTRA_PACKAGES >/dev/null 2>&1\n" TAIL, "BH-DF-009");
	/* apk pins */
	fires(BASE "RUN apk add --no-cache curl\n" TAIL, "BH-DF-010", 2);
	quiet(BASE "RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0 musl-dev~1.2 >/dev/null\n" TAIL, "BH-DF-010");
	quiet(BASE "RUN apk --no-cache add -X https://dl-cdn.alpinelinux.org/alpine/edge/testing foo=1.0-r0\n" TAIL,
	      "BH-DF-010");
	/* upgrade */
	fires(BASE "RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n" TAIL, "BH-DF-011", 2);
	fires(BASE "RUN apt-get dist-upgrade -y\n" TAIL, "BH-DF-011", 2);
	quiet(BASE "RUN apt-get update && apt-get install -y a=1 && rm -rf /var/lib/apt/lists/*\n" TAIL, "BH-DF-011");
	/* update alone (CIS 4.7) */
	fires(BASE "RUN apt-get update\nRUN apt-get install -y a=1\n" TAIL, "BH-DF-012", 2);
	fires(BASE "RUN apk update\n" TAIL, "BH-DF-012", 2);
	fires(BASE "RUN yum -y update && yum clean all\n" TAIL, "BH-DF-012", 2);
	quiet(BASE "RUN apt-get update && apt-get install -y a=1 && rm -rf /var/lib/apt/lists/*\n" TAIL, "BH-DF-012");
	quiet(BASE "RUN apk update && apk add a=1 && rm -rf /var/cache/apk/*\n" TAIL, "BH-DF-012");
	quiet(BASE "RUN dnf makecache && dnf install -y a-1.0\n" TAIL, "BH-DF-012");
}

static void test_caches(void **state)
{
	(void)state;
	fires(BASE "RUN apt-get update && apt-get install -y a=1\n" TAIL, "BH-DF-013", 2);
	quiet(BASE "RUN apt-get update && apt-get install -y a=1 && rm -rf /var/lib/apt/lists/*\n" TAIL, "BH-DF-013");
	quiet(BASE "RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y a=1\n" TAIL,
	      "BH-DF-013");
	quiet(BASE "RUN apt-get install -y a=1\n" TAIL, "BH-DF-013"); /* no update: no lists fetched */
	fires(BASE "RUN apk add a=1\n" TAIL, "BH-DF-014", 2);
	fires(BASE "RUN apk add --update a=1\n" TAIL, "BH-DF-014", 2);
	quiet(BASE "RUN apk add --no-cache a=1\n" TAIL, "BH-DF-014");
	quiet(BASE "RUN apk add --update a=1 && rm -rf /var/cache/apk/*\n" TAIL, "BH-DF-014");
	quiet(BASE "RUN --mount=type=cache,target=/var/cache/apk apk add a=1\n" TAIL, "BH-DF-014");
	fires(BASE "RUN pip install flask==3.0.0\n" TAIL, "BH-DF-015", 2);
	fires(BASE "RUN python3 -m pip install -r requirements.txt\n" TAIL, "BH-DF-015", 2);
	quiet(BASE "RUN pip3 install --no-cache-dir flask==3.0.0\n" TAIL, "BH-DF-015");
	quiet(BASE "ENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.0\n" TAIL, "BH-DF-015");
	quiet(BASE "RUN PIP_NO_CACHE_DIR=1 pip install flask==3.0.0\n" TAIL, "BH-DF-015");
	quiet(BASE "RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.0\n" TAIL, "BH-DF-015");
	quiet(BASE "RUN pip --version\n" TAIL, "BH-DF-015");
}

static void test_secrets(void **state)
{
	bh_checks l = { 0 };
	(void)state;
	fires(BASE "ENV DB_PASSWORD=hunter2\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ENV API_KEY abc123def456\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ARG AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ENV dbPassword=\"s3cr3t value\" HOME=/root\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ENV PRIVATE_KEY='-----BEGIN RSA' HOME=/root\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ARG NPM_TOKEN=npm_0123456789\n" TAIL, "BH-DF-016", 2);
	fires(BASE "ENV SECRET_KEY_BASE=abcdef0123456789\n" TAIL, "BH-DF-016", 2);
	quiet(BASE "ARG GITHUB_TOKEN\n" TAIL, "BH-DF-016");
	quiet(BASE "ARG NPM_TOKEN\nENV NPM_TOKEN=$NPM_TOKEN TOKEN=${NPM_TOKEN}\n" TAIL, "BH-DF-016");
	quiet(BASE "ENV DB_PASSWORD_FILE=/run/secrets/db POSTGRES_PASSWORD=\"\"\n" TAIL, "BH-DF-016");
	quiet(BASE "ENV TOKENIZERS_PARALLELISM=false GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n" TAIL,
	      "BH-DF-016");
	quiet(BASE "ENV DISABLE_PASSWORD=true PASSWORD_MIN_LENGTH=12 AWS_ACCESS_KEY_ID=AKIAEXAMPLE\n" TAIL, "BH-DF-016");
	quiet(BASE "ENV PASSPORT_VERSION=1 BYPASS=1 PWD=/src\n" TAIL, "BH-DF-016");
	/* one finding per secret, the value masked in the evidence */
	lint(BASE "ENV DB_PASSWORD=hunter2 API_TOKEN=t0ps3cret\n" TAIL, &l);
	assert_int_equal(count(&l, "BH-DF-016", 2), 2);
	assert_string_equal(l.items[0].detail, "ENV DB_PASSWORD=****");
	assert_string_equal(l.items[1].detail, "ENV API_TOKEN=****");
	assert_string_equal(l.items[0].cis, "4.10");
	assert_int_equal(l.items[0].severity, BH_SEV_HIGH);
	bh_checks_free(&l);
}

static void test_expose(void **state)
{
	bh_checks l = { 0 };
	(void)state;
	fires(BASE "EXPOSE 22\n" TAIL, "BH-DF-017", 2);
	fires(BASE "EXPOSE 80 3389/tcp\n" TAIL, "BH-DF-017", 2);
	fires(BASE "EXPOSE 5900-5910/tcp\n" TAIL, "BH-DF-017", 2);
	fires(BASE "EXPOSE 2222:22\n" TAIL, "BH-DF-017", 2);
	quiet(BASE "EXPOSE 80 443 8080/tcp 53/udp 220 2200-2300\n" TAIL, "BH-DF-017");
	quiet(BASE "EXPOSE $PORT ${SSH}\n" TAIL, "BH-DF-017");
	lint(BASE "EXPOSE 2375 21 21/udp 23\n" TAIL, &l);
	assert_int_equal(count(&l, "BH-DF-017", 2), 3);
	assert_int_equal(l.items[0].severity, BH_SEV_HIGH); /* the plain Docker API */
	assert_int_equal(l.items[1].severity, BH_SEV_MEDIUM);
	bh_checks_free(&l);
}

static void test_sudo_chmod(void **state)
{
	(void)state;
	fires(BASE "RUN sudo apt-get install -y a=1\n" TAIL, "BH-DF-018", 2);
	fires(BASE "RUN apt-get install -y sudo=1.9.13p3-1\n" TAIL, "BH-DF-018", 2);
	fires(BASE "RUN apk add --no-cache sudo=1.9-r0\n" TAIL, "BH-DF-018", 2);
	fires(BASE "RUN dnf install -y sudo\n" TAIL, "BH-DF-018", 2);
	quiet(BASE "RUN echo sudo; visudo -c; pseudo-tool\n" TAIL, "BH-DF-018");
	fires(BASE "RUN chmod 777 /app\n" TAIL, "BH-DF-019", 2);
	fires(BASE "RUN chmod -R a+w /data\n" TAIL, "BH-DF-019", 2);
	fires(BASE "RUN chmod 0666 /etc/app.conf\n" TAIL, "BH-DF-019", 2);
	fires(BASE "RUN chmod u=rwx,o=rwx /x\n" TAIL, "BH-DF-019", 2);
	quiet(BASE "RUN chmod 1777 /scratch && chmod 755 /app && chmod +w /f && chmod -R g+w /data && chmod -w /g\n" TAIL,
	      "BH-DF-019");
	fires(BASE "RUN chmod u+s /usr/bin/helper\n" TAIL, "BH-DF-020", 2);
	fires(BASE "RUN chmod 4755 /usr/bin/helper\n" TAIL, "BH-DF-020", 2);
	fires(BASE "RUN chmod +s /usr/bin/helper\n" TAIL, "BH-DF-020", 2);
	fires(BASE "RUN chmod g+s /srv/shared\n" TAIL, "BH-DF-020", 2);
	quiet(BASE "RUN chmod 0755 /usr/bin/helper && chmod u-s /usr/bin/passwd && chmod $MODE /x\n" TAIL, "BH-DF-020");
	/* COPY/ADD --chmod sets the same bits */
	fires(BASE "COPY --chmod=4755 helper /usr/bin/\n" TAIL, "BH-DF-020", 2);
	fires(BASE "ADD --chown=app --chmod=777 app.tar.gz /opt/\n" TAIL, "BH-DF-019", 2);
	quiet(BASE "COPY --chmod=0755 entrypoint.sh /\n" TAIL, "BH-DF-019");
	quiet(BASE "COPY --chmod=0755 entrypoint.sh /\n" TAIL, "BH-DF-020");
}

static void test_sensitive_copy(void **state)
{
	(void)state;
	fires(BASE "COPY id_rsa /root/.ssh/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "COPY .env /app/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "COPY .env.production /app/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "COPY certs/server.pem /etc/ssl/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "COPY .git/ /src/.git/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "ADD --chown=app id_ed25519 /home/app/.ssh/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "COPY --chown=app .npmrc package.json /app/\n" TAIL, "BH-DF-021", 2);
	quiet(BASE "COPY . .\n" TAIL, "BH-DF-021");
	quiet(BASE "COPY id_rsa.pub .env.example /x/\n" TAIL, "BH-DF-021");
	quiet(BASE "COPY --from=build /etc/ssl/certs/ca.pem /etc/ssl/certs/\n" TAIL, "BH-DF-021");
	quiet(BASE "COPY src/ /app/.env\n" TAIL, "BH-DF-021"); /* the destination is not a context file */
}

static void test_insecure_run(void **state)
{
	(void)state;
	fires(BASE "RUN --security=insecure mount -t tmpfs none /mnt\n" TAIL, "BH-DF-022", 2);
	fires(BASE "RUN --mount=type=cache,target=/x --security=INSECURE true\n" TAIL, "BH-DF-022", 2);
	fires(BASE "RUN --privileged true\n" TAIL, "BH-DF-022", 2);
	quiet(BASE "RUN --security=sandbox --network=none --mount=type=secret,id=npm cat /run/secrets/npm\n" TAIL,
	      "BH-DF-022");
	/* a flag inside the command is not a RUN flag */
	quiet(BASE "RUN docker run --security=insecure x\n" TAIL, "BH-DF-022");
}

static void test_onbuild(void **state)
{
	(void)state;
	fires(BASE "ONBUILD RUN curl https://x.example | sh\n" TAIL, "BH-DF-008", 2);
	fires(BASE "ONBUILD COPY id_rsa /root/.ssh/\n" TAIL, "BH-DF-021", 2);
	fires(BASE "ONBUILD ENV API_TOKEN=abc123\n" TAIL, "BH-DF-016", 2);
}

/* ------------------------------------------------------------ findings and limits */

static void test_finding_fields(void **state)
{
	bh_checks l = { 0 };
	bh_error err = { 0 };
	char text[2048];
	size_t i;
	(void)state;
	/* a long instruction with control bytes and broken UTF-8 */
	snprintf(text, sizeof(text), "FROM ubuntu\nRUN curl https://x.example/\x01\x1b[31m\xff\xc3\xa9 | sh # %0900d\n", 0);
	assert_int_equal(bh_dockerfile_check("app/Dockerfile", text, strlen(text), &l, &err), 0);
	assert_true(l.n >= 4);
	for (i = 0; i < l.n; i++) {
		const bh_check_finding *f = &l.items[i];
		const unsigned char *p;
		size_t chars = 0;
		assert_non_null(f->title);
		assert_non_null(f->why);
		assert_non_null(f->fix);
		assert_string_equal(f->category, "dockerfile");
		assert_string_equal(f->target, "app/Dockerfile");
		assert_null(f->status);
		assert_true(strncmp(f->rule, "BH-DF-0", 7) == 0);
		assert_true(f->line == 1 || f->line == 2);
		for (p = (const unsigned char *)f->detail; *p; p++) {
			assert_true(*p >= 0x20 && *p != 0x7f && *p != 0xff);
			chars += (*p & 0xc0) != 0x80;
		}
		assert_true(chars <= 200);
	}
	assert_int_equal(count(&l, "BH-DF-008", 2), 1);
	for (i = 0; i < l.n && strcmp(l.items[i].rule, "BH-DF-008"); i++)
		;
	{
		const char *want = "RUN curl https://x.example/??[31m?\xc3\xa9 | sh # 0000";
		assert_true(strncmp(l.items[i].detail, want, strlen(want)) == 0);
	}
	assert_true(bh_str_endswith(l.items[i].detail, "..."));
	bh_checks_free(&l);
}

static void test_rule_table(void **state)
{
	size_t n = bh_dockerfile_rule_count, i, j;
	const bh_rule *r = bh_dockerfile_rules;
	(void)state;
	assert_int_equal(n, 22);
	for (i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof(want), "BH-DF-%03zu", i + 1);
		assert_string_equal(r[i].id, want);
		assert_non_null(r[i].title);
		assert_non_null(r[i].why);
		assert_non_null(r[i].fix);
		assert_true(r[i].severity >= BH_SEV_LOW);
		for (j = 0; j < i; j++)
			assert_string_not_equal(r[i].title, r[j].title);
	}
}

static void test_limits(void **state)
{
	bh_checks l = { 0 };
	bh_error err = { 0 };
	bh_check_finding mine = { .rule = "OTHER-1", .category = "image-config", .title = "kept" };
	size_t big = BH_DOCKERFILE_MAX_SIZE + 1, i;
	char *text = malloc(big);
	(void)state;
	assert_non_null(text);
	assert_int_equal(bh_checks_add(&l, &mine), 0);

	/* too big, a too long line: refused, the list as it was */
	memset(text, '\n', big);
	assert_int_equal(bh_dockerfile_check("D", text, big, &l, &err), BH_ELIMIT);
	memset(text, 'a', BH_DOCKERFILE_MAX_LINE + 8);
	memcpy(text, "FROM x\nRUN ", 11); /* line 2 is MAX_LINE + 1 bytes long */
	assert_int_equal(bh_dockerfile_check("D", text, BH_DOCKERFILE_MAX_LINE + 8, &l, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "D:2"));
	assert_int_equal(l.n, 1);
	assert_int_equal(bh_dockerfile_check("D", text, BH_DOCKERFILE_MAX_LINE + 7, &l, &err), 0);
	assert_int_equal(l.n, 1 + 3); /* FROM x: no tag, no USER, no HEALTHCHECK */
	while (l.n > 1)
		bh_checks_remove(&l, l.n - 1);

	/* more findings than the cap: refused and rolled back */
	for (i = 0; i + 10 <= BH_DOCKERFILE_MAX_SIZE && i / 10 <= BH_DOCKERFILE_MAX_FINDINGS; i += 10)
		memcpy(text + i, "EXPOSE 22\n", 10);
	assert_int_equal(bh_dockerfile_check("D", text, i, &l, &err), BH_ELIMIT);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].rule, "OTHER-1");

	/* no text at all */
	assert_int_equal(bh_dockerfile_check("D", NULL, 0, &l, &err), 0);
	assert_int_equal(bh_dockerfile_check("D", NULL, 5, &l, &err), BH_EINVAL);
	assert_int_equal(l.n, 1);
	free(text);
	bh_checks_free(&l);
}

/* Deep nesting, unbalanced quotes and substitutions, NUL bytes: bounded and clean. */
static void test_hostile(void **state)
{
	static const char *const cases[] = {
		"RUN $($($($($($(\nRUN `echo\nRUN \"unterminated\nRUN 'x\n",
		"RUN sh -c 'sh -c \"sh -c \\\"sh -c \\\\\\\"sh -c curl\\\\\\\"\\\"\"'\n",
		"RUN [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
		"RUN <<\nRUN <<-\nRUN <<''\nRUN 0<<EOF\nEOF\n",
		"ENV\nARG\nEXPOSE\nUSER\nFROM\nFROM a AS\nCOPY\nADD\nONBUILD\nONBUILD ONBUILD RUN x\n",
		"EXPOSE 99999999999999999999-1 22-\nEXPOSE -22\nRUN chmod 77777777777 x\nRUN chmod ugoa x\n",
		"\\\n\\\n\\",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bh_checks l = { 0 };
		bh_error err = { 0 };
		assert_int_equal(bh_dockerfile_check("D", cases[i], strlen(cases[i]), &l, &err), 0);
		bh_checks_free(&l);
	}
	{
		static const char nul[] = "FROM ubuntu\0:1\nRUN curl x\0 | sh\nEXPOSE 22\0";
		bh_checks l = { 0 };
		bh_error err = { 0 };
		assert_int_equal(bh_dockerfile_check("D", nul, sizeof(nul) - 1, &l, &err), 0);
		assert_int_equal(count(&l, "BH-DF-017", 3), 1);
		bh_checks_free(&l);
	}
}

/* ------------------------------------------------------------ fixtures */

static void test_good_fixture(void **state)
{
	size_t n;
	char *text = bh_test_slurp(FIX "Dockerfile.good", &n);
	(void)state;
	clean(text);
	free(text);
}

/*
 * Every security issue dockerfilelint 1.8.0 reports on Dockerfile.problems (DOCKERFILELINT.md),
 * at its line, with the bulkhead rule covering it; then everything bulkhead reports there.
 */
static void test_problems_fixture(void **state)
{
	static const struct {
		unsigned long line;
		const char *rule;
	} dfl[] = {
		{ 2, "BH-DF-004" },  /* Base Image Latest Tag */
		{ 4, "BH-DF-014" },  /* apk --no-cache */
		{ 6, "BH-DF-014" },  /* apk --no-cache */
		{ 8, "BH-DF-004" },  /* Base Image Missing Tag */
		{ 12, "BH-DF-013" }, /* apt-get update without rm of the lists */
		{ 12, "BH-DF-012" }, /* apt-get update without install */
		{ 13, "BH-DF-018" }, /* sudo */
		{ 14, "BH-DF-013" }, /* apt-get update without rm of the lists */
		{ 14, "BH-DF-011" }, /* apt-get upgrade */
		{ 15, "BH-DF-011" }, /* apt-get dist-upgrade */
		{ 19, "BH-DF-018" }, /* sudo */
	}, all[] = {
		{ 2, "BH-DF-004" }, { 3, "BH-DF-012" }, { 4, "BH-DF-010" }, { 4, "BH-DF-014" }, { 5, "BH-DF-010" },
		{ 6, "BH-DF-010" }, { 6, "BH-DF-014" }, { 8, "BH-DF-004" }, { 8, "BH-DF-003" }, { 10, "BH-DF-016" },
		{ 11, "BH-DF-016" }, { 12, "BH-DF-012" }, { 12, "BH-DF-013" }, { 13, "BH-DF-018" },
		{ 13, "BH-DF-009" }, { 14, "BH-DF-009" }, { 14, "BH-DF-011" }, { 14, "BH-DF-013" },
		{ 15, "BH-DF-011" }, { 16, "BH-DF-008" }, { 17, "BH-DF-008" }, { 19, "BH-DF-018" },
		{ 19, "BH-DF-019" }, { 20, "BH-DF-020" }, { 22, "BH-DF-006" }, { 23, "BH-DF-007" },
		{ 24, "BH-DF-021" }, { 25, "BH-DF-021" }, { 27, "BH-DF-017" }, { 28, "BH-DF-017" },
		{ 30, "BH-DF-022" }, { 31, "BH-DF-015" }, { 32, "BH-DF-002" },
	};
	bh_checks l = { 0 };
	size_t n, i;
	char *text = bh_test_slurp(FIX "Dockerfile.problems", &n);
	(void)state;
	lint(text, &l);
	for (i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
		if (count(&l, dfl[i].rule, dfl[i].line) != 1) {
			dump(text, &l);
			fail_msg("dockerfilelint issue at line %lu: %s missing", dfl[i].line, dfl[i].rule);
		}
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (count(&l, all[i].rule, all[i].line) != 1) {
			dump(text, &l);
			fail_msg("line %lu: %s missing", all[i].line, all[i].rule);
		}
	if (l.n != sizeof(all) / sizeof(all[0])) {
		dump(text, &l);
		fail_msg("%zu findings, expected %zu", l.n, sizeof(all) / sizeof(all[0]));
	}
	free(text);
	bh_checks_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_continuations_and_comments),
		cmocka_unit_test(test_escape_directive),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_exec_form),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_healthcheck),
		cmocka_unit_test(test_base_image),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_curl_pipe_shell),
		cmocka_unit_test(test_packages),
		cmocka_unit_test(test_caches),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_expose),
		cmocka_unit_test(test_sudo_chmod),
		cmocka_unit_test(test_sensitive_copy),
		cmocka_unit_test(test_insecure_run),
		cmocka_unit_test(test_onbuild),
		cmocka_unit_test(test_finding_fields),
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_good_fixture),
		cmocka_unit_test(test_problems_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
