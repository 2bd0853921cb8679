/* sensor_load.c - the workloads of bench/sensor.sh: exec at a paced rate, and a tight openat/close loop; each prints what it achieved. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * sensor_load exec RATE SECONDS PROG   spawn PROG RATE times a second (absolute deadlines, so a late
 *                                      spawn does not lower the rate), reap children as they end;
 *                                      prints "exec N in S s = R/s"
 * sensor_load open N FILE [w]          N x openat(FILE, O_RDONLY, or O_WRONLY with w) + close;
 *                                      prints "open N in S s = NS ns/op, cpu C ns/op"
 * sensor_load write N FILE              N x write(FILE, 512 zero bytes), as dd bs=512 does;
 *                                      prints "write N in S s = NS ns/op, cpu C ns/op"
 * The sensor's programs run in the traced task's syscalls, so its cost shows in the task's CPU time
 * (user + system), which other load on the machine disturbs less than the wall time.
 */

extern char **environ;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int exec_rate(long rate, long secs, const char *prog)
{
	struct timespec next;
	char *argv[] = { (char *)prog, NULL };
	long n = rate * secs, done = 0, failed = 0;
	double t0 = now();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < n; i++) {
		pid_t p;
		if (posix_spawn(&p, prog, NULL, NULL, argv, environ) != 0)
			failed++;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			done++;
		next.tv_nsec += 1000000000L / rate;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	double t1 = now();
	while (waitpid(-1, NULL, 0) > 0)
		done++;
	printf("exec %ld in %.2f s = %.0f/s (%ld failed)\n", n - failed, t1 - t0, (double)(n - failed) / (t1 - t0), failed);
	return failed ? 1 : 0;
}

static double cpu(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int open_loop(long n, const char *path, int wr)
{
	double c0 = cpu(), t0 = now();
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, wr ? O_WRONLY | O_CREAT : O_RDONLY, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	double t1 = now(), c1 = cpu();
	printf("open %ld in %.3f s = %.1f ns/op, cpu %.1f ns/op\n", n, t1 - t0, (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n);
	return 0;
}

static int write_loop(long n, const char *path)
{
	static const char zero[512];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	double c0 = cpu(), t0 = now();
	for (long i = 0; i < n; i++)
		if (write(fd, zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
			perror(path);
			return 1;
		}
	double t1 = now(), c1 = cpu();
	close(fd);
	printf("write %ld in %.3f s = %.1f ns/op, cpu %.1f ns/op\n", n, t1 - t0, (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "exec"))
		return exec_rate(atol(argv[2]), atol(argv[3]), argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "open"))
		return open_loop(atol(argv[2]), argv[3], argc > 4 && !strcmp(argv[4], "w"));
	if (argc >= 4 && !strcmp(argv[1], "write"))
		return write_loop(atol(argv[2]), argv[3]);
	fprintf(stderr, "usage: sensor_load exec RATE SECONDS PROG | open N FILE [w] | write N FILE\n");
	return 2;
}
