/* fuzz_host.c - libFuzzer target: a Docker host's configuration files through the CIS 1-3 host checks. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw's FTW_DEPTH; the Makefile passes -D_GNU_SOURCE too */
#endif
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/host.h"
#include "core/log.h"

/* The input is the files below separated by NUL bytes, in this order; missing ones stay empty. */
static const char *const files[] = {
	"etc/docker/daemon.json", "lib/systemd/system/docker.service", "etc/systemd/system/docker.service.d/x.conf",
	"etc/group", "etc/audit/audit.rules", "etc/fstab", "etc/default/docker", "etc/containerd/config.toml",
};

static int mkdirs(const char *root)
{
	static const char *const dirs[] = { "", "/etc", "/etc/docker", "/etc/systemd", "/etc/systemd/system",
		"/etc/systemd/system/docker.service.d", "/etc/audit", "/etc/default", "/etc/containerd", "/lib",
		"/lib/systemd", "/lib/systemd/system", "/usr", "/usr/bin" };
	char p[256];
	size_t i;
	FILE *fp;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		if (mkdir(p, 0755) != 0 && access(p, F_OK) != 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/usr/bin/dockerd", root); /* so the host counts as a Docker host */
	if (!(fp = fopen(p, "wb")))
		return -1;
	fclose(fp);
	return 0;
}

#define NFILES (sizeof(files) / sizeof(files[0]))

static char root[64];
static uint64_t prev_hash[NFILES]; /* FNV-1a of what each file holds now, and its length: no */
static size_t prev_len[NFILES];   /* allocation here, so libFuzzer's leak tracking stays exact */

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	return remove(p);
}

static void cleanup(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	bh_checks out = { 0 };
	bh_error err;
	size_t i, off = 0;

	bh_log_set_level(BH_LOG_QUIET);
	if (!ready) {
		snprintf(root, sizeof(root), "%s/bh-fuzz-host-%d", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
			 (int)getpid());
		if (mkdirs(root) != 0)
			return 0;
		atexit(cleanup);
		ready = 1;
	}
	for (i = 0; i < NFILES; i++) {
		const uint8_t *z = off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t n = off < size ? (z ? (size_t)(z - (data + off)) : size - off) : 0;
		uint64_t h = fnv(data + (off < size ? off : 0), n);
		char p[256];
		FILE *fp;
		/* a file is rewritten only when its part changed: syscalls are most of this target's time */
		if (ready > 1 && prev_len[i] == n && prev_hash[i] == h) {
			off += n + 1;
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		if (!(fp = fopen(p, "wb")))
			return 0;
		if (n)
			fwrite(data + off, 1, n, fp);
		fclose(fp);
		prev_hash[i] = h;
		prev_len[i] = n;
		off += n + 1;
	}
	ready = 2;
	bh_host_check(root, &out, &err);
	bh_checks_free(&out);
	return 0;
}
