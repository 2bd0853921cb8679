/* netpol_peer.c - the static test program of tests/e2e/netpol.sh, agent-network.sh and bench/netpol.sh, run inside podman containers: a TCP/UDP server, an echo server and a client sending a known amount of data, counted connect attempts, and the connect/accept/close loop of the benchmark. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * netpol_peer serve PORT...        accept on every TCP port (write "hi\n", close) and echo UDP on the same ports
 * netpol_peer idle                 sleep until killed
 * netpol_peer connect IP PORT N    N TCP connects (250 ms timeout each), sends "ping" on each; prints
 *                                  "ok=K fail=F eperm=E refused=R timeout=T other=O"; exit 0
 * netpol_peer udp IP PORT N        N datagrams, each waiting 250 ms for its echo; prints "ok=K fail=F eperm=E"
 * netpol_peer bench IP PORT SECS   connect/close (RST, no TIME_WAIT) as fast as possible for SECS;
 *                                  prints "conns=N per_s=R p50_us=A p99_us=B max_us=C fail=F"
 * netpol_peer echo PORT...         accept on every TCP port, one connection at a time, and send back
 *                                  every byte read until the client's end of stream
 * netpol_peer send IP PORT BYTES   one TCP connection: BYTES sent, the stream closed for writing, what
 *                                  comes back read to its end (10 s at most); prints "sent=S received=R"
 */

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int addr_of(const char *ip, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int serve(int argc, char **argv)
{
	struct pollfd fds[32];
	int n = 0;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < argc && n + 2 <= 32; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[i])) };
		int one = 1, t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(t, (struct sockaddr *)&sa, sizeof(sa)) || listen(t, 1024) || bind(u, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("bind");
			return 1;
		}
		fds[n++] = (struct pollfd){ t, POLLIN, 0 };
		fds[n++] = (struct pollfd){ u, POLLIN, 0 };
	}
	for (;;) {
		if (poll(fds, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			if (i % 2 == 0) {
				int c = accept(fds[i].fd, NULL, NULL);
				if (c >= 0) {
					(void)!write(c, "hi\n", 3);
					close(c);
				}
			} else {
				char buf[512];
				struct sockaddr_in from;
				socklen_t fl = sizeof(from);
				ssize_t r = recvfrom(fds[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
				if (r > 0)
					(void)sendto(fds[i].fd, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
			}
		}
	}
}

/* One TCP connect with a timeout: 0, or the errno (ETIMEDOUT on timeout). */
static int try_connect(const struct sockaddr_in *sa, int timeout_ms)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), e = 0;
	socklen_t el = sizeof(e);
	struct pollfd p;

	if (s < 0)
		return errno;
	if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		goto done;
	if (errno != EINPROGRESS) {
		e = errno;
		close(s);
		return e;
	}
	p = (struct pollfd){ s, POLLOUT, 0 };
	if (poll(&p, 1, timeout_ms) != 1) {
		close(s);
		return ETIMEDOUT;
	}
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el);
	if (e) {
		close(s);
		return e;
	}
done:
	(void)!write(s, "ping\n", 5);
	{
		char b[8];
		p = (struct pollfd){ s, POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) == 1)
			(void)!read(s, b, sizeof(b));
	}
	close(s);
	return 0;
}

static int connect_n(const char *ip, int port, long n)
{
	struct sockaddr_in sa;
	long ok = 0, fail = 0, eperm = 0, refused = 0, timeout = 0, other = 0;

	if (addr_of(ip, port, &sa))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < n; i++) {
		int e = try_connect(&sa, 250);
		if (!e) {
			ok++;
			continue;
		}
		fail++;
		if (e == EPERM)
			eperm++;
		else if (e == ECONNREFUSED)
			refused++;
		else if (e == ETIMEDOUT)
			timeout++;
		else
			other++;
	}
	printf("ok=%ld fail=%ld eperm=%ld refused=%ld timeout=%ld other=%ld\n", ok, fail, eperm, refused, timeout, other);
	return 0;
}

static int udp_n(const char *ip, int port, long n)
{
	struct sockaddr_in sa;
	long ok = 0, fail = 0, eperm = 0;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (addr_of(ip, port, &sa) || s < 0)
		return 2;
	for (long i = 0; i < n; i++) {
		struct pollfd p = { s, POLLIN, 0 };
		char b[16];
		if (sendto(s, "ping", 4, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fail++;
			eperm += errno == EPERM;
			continue;
		}
		if (poll(&p, 1, 250) == 1 && recv(s, b, sizeof(b), 0) > 0)
			ok++;
		else
			fail++;
	}
	printf("ok=%ld fail=%ld eperm=%ld\n", ok, fail, eperm);
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int bench(const char *ip, int port, double secs)
{
	struct sockaddr_in sa;
	size_t cap = 1 << 20, n = 0;
	double *lat = malloc(cap * sizeof(double)), t0, end;
	long fail = 0;
	struct linger lg = { 1, 0 };

	if (addr_of(ip, port, &sa) || !lat)
		return 2;
	t0 = now_us();
	end = t0 + secs * 1e6;
	while (now_us() < end) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		double a = now_us();
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
			fail++;
			if (s >= 0)
				close(s);
			continue;
		}
		if (n < cap)
			lat[n++] = now_us() - a;
		/* RST instead of FIN: no TIME_WAIT, so the ephemeral ports last the whole run */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	qsort(lat, n, sizeof(double), cmp_d);
	printf("conns=%zu per_s=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f fail=%ld\n", n, (double)n / ((now_us() - t0) / 1e6),
	       n ? lat[n / 2] : 0.0, n ? lat[(size_t)((double)n * 0.99)] : 0.0, n ? lat[n - 1] : 0.0, fail);
	free(lat);
	return 0;
}

static int echo_serve(int argc, char **argv)
{
	struct pollfd fds[32];
	int n = 0;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < argc && n < 32; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[i])) };
		int one = 1, t = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(t, (struct sockaddr *)&sa, sizeof(sa)) || listen(t, 64)) {
			perror("bind");
			return 1;
		}
		fds[n++] = (struct pollfd){ t, POLLIN, 0 };
	}
	for (;;) {
		if (poll(fds, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			char buf[16384];
			ssize_t r;
			int c;
			if (!(fds[i].revents & POLLIN) || (c = accept(fds[i].fd, NULL, NULL)) < 0)
				continue;
			/* blocking both ways: the client reads while it writes, so the echo never stalls */
			while ((r = read(c, buf, sizeof(buf))) > 0) {
				ssize_t off = 0, w;
				while (off < r && (w = write(c, buf + off, (size_t)(r - off))) > 0)
					off += w;
				if (off < r)
					break;
			}
			close(c);
		}
	}
}

static int send_n(const char *ip, int port, long total)
{
	struct sockaddr_in sa;
	char buf[16384];
	long sent = 0, got = 0;
	bool wr_open = true;
	double end = now_us() + 10e6;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (addr_of(ip, port, &sa) || s < 0 || total < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("sent=0 received=0 error=%s\n", strerror(errno));
		return 0;
	}
	memset(buf, 'b', sizeof(buf));
	fcntl(s, F_SETFL, O_NONBLOCK);
	while (now_us() < end) {
		struct pollfd p = { s, (short)(POLLIN | (wr_open ? POLLOUT : 0)), 0 };
		ssize_t r;
		if (wr_open && sent == total) {
			shutdown(s, SHUT_WR);
			wr_open = false;
			continue;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			size_t want = (size_t)(total - sent) < sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
			if ((r = write(s, buf, want)) > 0)
				sent += r;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(s, buf, sizeof(buf));
			if (r == 0 || (r < 0 && errno != EAGAIN))
				break;
			if (r > 0)
				got += r;
		}
	}
	close(s);
	printf("sent=%ld received=%ld\n", sent, got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "serve"))
		return serve(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "idle")) {
		for (;;)
			pause();
	}
	if (argc == 5 && !strcmp(argv[1], "connect"))
		return connect_n(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "udp"))
		return udp_n(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "bench"))
		return bench(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc >= 3 && !strcmp(argv[1], "echo"))
		return echo_serve(argc - 2, argv + 2);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_n(argv[2], atoi(argv[3]), atol(argv[4]));
	fputs("usage: netpol_peer serve PORT... | echo PORT... | idle | connect IP PORT N | udp IP PORT N | send IP PORT BYTES | bench IP PORT SECONDS\n",
	      stderr);
	return 2;
}
