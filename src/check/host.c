/* host.c - CIS Docker Benchmark v1.6 sections 1-3 checks of a Docker host, read from its files under a root directory. */
#include "check/host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"

enum {
	R_NODOCKER,
	R_PARTITION, R_GROUP,
	R_A3, R_A4, R_A5, R_A6, R_A7, R_A8, R_A9, R_A10, R_A11, R_A12, R_A13, R_A14, R_A15, R_A16, R_A17, R_A18,
	R_VERSION, R_ROOTLESS,
	R_ICC, R_LOGLEVEL, R_IPTABLES, R_INSECURE, R_AUFS, R_TLS, R_ULIMIT, R_USERNS, R_CGROUP, R_BASESIZE,
	R_AUTHZ, R_LOGDRIVER, R_NNP, R_LIVE, R_PROXY, R_SECCOMP, R_EXPERIMENTAL,
	R_BADJSON,
	R_F1, R_F2, R_F3, R_F4, R_F5, R_F6, R_F7, R_F8, R_F9, R_F10, R_F11, R_F12, R_F13, R_F14, R_F15, R_F16,
	R_F17, R_F18, R_F19, R_F20, R_F21, R_F22, R_F23, R_F24,
	R_SWARM,
	R_COUNT
};

#define AUDIT_WHY "Without an audit watch, changes to and use of this Docker component leave no trace in the audit log."
#define AUDIT_FIX "Add a watch to /etc/audit/rules.d/docker.rules (-w PATH -k docker) and load it with augenrules --load."
#define OWN_WHY "A file of the Docker daemon owned by another user or group can be changed by that user, and through it the daemon that runs as root."
#define MODE_WHY "Write (or, for keys, read) access for others than root lets them alter or steal what the root-owned Docker daemon trusts."
/* File rules: each finding gives the exact command for the file it found. */
#define OWN_FIX "Give the file to root: chown root:root FILE."
#define MODE_FIX "Remove the permission bits beyond the mode in the title: chmod MODE FILE."

/* Titles are the CIS Docker Benchmark v1.6 titles of ../shared/data/cis-benchmarks (without the
 * "(Scored)" suffixes and the id repeated in 1.1.12's title there). The severity is the rule's usual
 * one: TLS off on a public address is CRITICAL, a world-writable file HIGH or CRITICAL; rules that
 * need the running daemon are always "not-applicable" and have none (UNKNOWN). */
const bh_rule bh_host_rules[R_COUNT] = {
	[R_NODOCKER] = { "BH-HOST-000", NULL, BH_SEV_UNKNOWN, "Docker engine is not installed on this host",
		"The CIS Docker Benchmark host checks only apply where the Docker engine is installed.", "None." },
	[R_PARTITION] = { "BH-HOST-001", "1.1.1", BH_SEV_LOW, "Ensure a separate partition for containers has been created",
		"Containers and images filling the filesystem that holds the rest of the system can make the host unusable.",
		"Put Docker's data root (/var/lib/docker or \"data-root\") on its own partition or logical volume, listed in /etc/fstab." },
	[R_GROUP] = { "BH-HOST-002", "1.1.2", BH_SEV_LOW, "Ensure only trusted users are allowed to control Docker daemon",
		"Members of the docker group can start privileged containers that mount /: each of them is root on the host.",
		"Remove every user who does not need to be root from the docker group (gpasswd -d USER docker)." },
	[R_A3] = { "BH-HOST-003", "1.1.3", BH_SEV_LOW, "Ensure auditing is configured for the Docker daemon", AUDIT_WHY, AUDIT_FIX },
	[R_A4] = { "BH-HOST-004", "1.1.4", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories -/run/containerd", AUDIT_WHY, AUDIT_FIX },
	[R_A5] = { "BH-HOST-005", "1.1.5", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /var/lib/docker", AUDIT_WHY, AUDIT_FIX },
	[R_A6] = { "BH-HOST-006", "1.1.6", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /etc/docker", AUDIT_WHY, AUDIT_FIX },
	[R_A7] = { "BH-HOST-007", "1.1.7", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - docker.service", AUDIT_WHY, AUDIT_FIX },
	[R_A8] = { "BH-HOST-008", "1.1.8", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - containerd.sock", AUDIT_WHY, AUDIT_FIX },
	[R_A9] = { "BH-HOST-009", "1.1.9", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - docker.socket", AUDIT_WHY, AUDIT_FIX },
	[R_A10] = { "BH-HOST-010", "1.1.10", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /etc/default/docker", AUDIT_WHY, AUDIT_FIX },
	[R_A11] = { "BH-HOST-011", "1.1.11", BH_SEV_LOW, "Ensure auditing is configured for Dockerfiles and directories - /etc/docker/daemon.json", AUDIT_WHY, AUDIT_FIX },
	[R_A12] = { "BH-HOST-012", "1.1.12", BH_SEV_LOW, "Ensure auditing is configured for Dockerfiles and directories - /etc/containerd/config.toml", AUDIT_WHY, AUDIT_FIX },
	[R_A13] = { "BH-HOST-013", "1.1.13", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker", AUDIT_WHY, AUDIT_FIX },
	[R_A14] = { "BH-HOST-014", "1.1.14", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd", AUDIT_WHY, AUDIT_FIX },
	[R_A15] = { "BH-HOST-015", "1.1.15", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim", AUDIT_WHY, AUDIT_FIX },
	[R_A16] = { "BH-HOST-016", "1.1.16", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v1", AUDIT_WHY, AUDIT_FIX },
	[R_A17] = { "BH-HOST-017", "1.1.17", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v2", AUDIT_WHY, AUDIT_FIX },
	[R_A18] = { "BH-HOST-018", "1.1.18", BH_SEV_LOW, "Ensure auditing is configured for Docker files and directories - /usr/bin/runc", AUDIT_WHY, AUDIT_FIX },
	[R_VERSION] = { "BH-HOST-019", "1.2.2", BH_SEV_UNKNOWN, "Ensure that the version of Docker is up to date",
		"Old Docker releases carry known vulnerabilities of the daemon, containerd and runc.", "Keep docker-ce / docker.io updated from the distribution or Docker's repository." },
	[R_ROOTLESS] = { "BH-HOST-020", "2.1", BH_SEV_UNKNOWN, "Run the Docker daemon as a non-root user, if possible",
		"A rootless daemon limits what a daemon or container escape can reach.", "Consider dockerd-rootless-setuptool.sh install (rootless mode)." },
	[R_ICC] = { "BH-HOST-021", "2.2", BH_SEV_MEDIUM, "Ensure network traffic is restricted between containers on the default bridge",
		"With inter-container communication on, every container on the default bridge can reach every port of every other one.",
		"Set \"icc\": false in /etc/docker/daemon.json (or dockerd --icc=false) and link containers through user-defined networks." },
	[R_LOGLEVEL] = { "BH-HOST-022", "2.3", BH_SEV_LOW, "Ensure the logging level is set to 'info'",
		"debug logs leak request details; warn and above lose the events an investigation needs.",
		"Set \"log-level\": \"info\" in daemon.json (or remove the setting: info is the default)." },
	[R_IPTABLES] = { "BH-HOST-023", "2.4", BH_SEV_MEDIUM, "Ensure Docker is allowed to make changes to iptables",
		"With iptables off Docker cannot install the rules that isolate container networks and published ports are not filtered as configured.",
		"Remove \"iptables\": false from daemon.json (and --iptables=false from the dockerd flags)." },
	[R_INSECURE] = { "BH-HOST-024", "2.5", BH_SEV_MEDIUM, "Ensure insecure registries are not used",
		"Images from an insecure registry travel without TLS verification: anyone on the path can replace them.",
		"Remove the registries from \"insecure-registries\" and give them a certificate (/etc/docker/certs.d/HOST/ca.crt)." },
	[R_AUFS] = { "BH-HOST-025", "2.6", BH_SEV_MEDIUM, "Ensure aufs storage driver is not used",
		"aufs is unmaintained, not in mainline kernels and has had kernel crashes and security issues.",
		"Use \"storage-driver\": \"overlay2\" (and migrate the images)." },
	[R_TLS] = { "BH-HOST-026", "2.7", BH_SEV_HIGH, "Ensure TLS authentication for Docker daemon is configured",
		"The Docker API is root on the host: a TCP listener without TLS client verification gives it to anyone who reaches the port.",
		"Listen only on the unix socket, or set \"tlsverify\": true with \"tlscacert\", \"tlscert\" and \"tlskey\" for the tcp:// host." },
	[R_ULIMIT] = { "BH-HOST-027", "2.8", BH_SEV_LOW, "Ensure the default ulimit is configured appropriately",
		"Without a default ulimit every container inherits dockerd's own (very high) limits.",
		"Set \"default-ulimits\" in daemon.json, e.g. {\"nofile\": {\"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 64000}}." },
	[R_USERNS] = { "BH-HOST-028", "2.9", BH_SEV_MEDIUM, "Enable user namespace support",
		"Without user namespace remapping root in a container is root (uid 0) on the host.",
		"Set \"userns-remap\": \"default\" in daemon.json (and check that the images work with it)." },
	[R_CGROUP] = { "BH-HOST-029", "2.10", BH_SEV_LOW, "Ensure the default cgroup usage has been confirmed",
		"A non-default cgroup parent moves every container's resource accounting and limits elsewhere; it must be intended.",
		"Confirm the \"cgroup-parent\" setting, or remove it to use the default." },
	[R_BASESIZE] = { "BH-HOST-030", "2.11", BH_SEV_LOW, "Ensure base device size is not changed until needed",
		"A larger base device size lets every container use more disk than intended.", "Remove dm.basesize from \"storage-opts\"." },
	[R_AUTHZ] = { "BH-HOST-031", "2.12", BH_SEV_LOW, "Ensure that authorization for Docker client commands is enabled",
		"Without an authorization plugin every client that reaches the socket can run every command.",
		"Install an authorization plugin and list it in \"authorization-plugins\" in daemon.json." },
	[R_LOGDRIVER] = { "BH-HOST-032", "2.13", BH_SEV_LOW, "Ensure centralized and remote logging is configured",
		"Container logs that stay on the host are lost with it and can be altered by whoever compromises it.",
		"Set \"log-driver\" to a remote driver (syslog, journald with forwarding, gelf, fluentd, awslogs, splunk) with its \"log-opts\"." },
	[R_NNP] = { "BH-HOST-033", "2.14", BH_SEV_MEDIUM, "Ensure containers are restricted from acquiring new privileges",
		"Without no-new-privileges by default a container process can gain privileges through setuid binaries.",
		"Set \"no-new-privileges\": true in daemon.json." },
	[R_LIVE] = { "BH-HOST-034", "2.15", BH_SEV_LOW, "Ensure live restore is enabled",
		"Without live restore every daemon restart or upgrade stops all containers, which discourages timely updates.",
		"Set \"live-restore\": true in daemon.json (not with swarm mode)." },
	[R_PROXY] = { "BH-HOST-035", "2.16", BH_SEV_LOW, "Ensure Userland Proxy is Disabled",
		"The userland proxy is one more root process per published port, with its own attack surface; hairpin NAT does the same in the kernel.",
		"Set \"userland-proxy\": false in daemon.json." },
	[R_SECCOMP] = { "BH-HOST-036", "2.17", BH_SEV_HIGH, "Ensure that a daemon-wide custom seccomp profile is applied if appropriate",
		"\"seccomp-profile\": \"unconfined\" turns the system call filter off for every container on the host.",
		"Remove \"seccomp-profile\": \"unconfined\"; keep the default profile or give a custom profile's path." },
	[R_EXPERIMENTAL] = { "BH-HOST-037", "2.18", BH_SEV_LOW, "Ensure that experimental features are not implemented in production",
		"Experimental features are unsupported and less reviewed.", "Remove \"experimental\": true (and --experimental)." },
	[R_BADJSON] = { "BH-HOST-090", NULL, BH_SEV_MEDIUM, "Docker daemon configuration cannot be read",
		"dockerd refuses to start with an unreadable daemon.json, and none of the daemon settings could be checked.",
		"Fix /etc/docker/daemon.json (it must be one JSON object); dockerd --validate checks it." },
	[R_F1] = { "BH-HOST-101", "3.1", BH_SEV_MEDIUM, "Ensure that the docker.service file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F2] = { "BH-HOST-102", "3.2", BH_SEV_MEDIUM, "Ensure that docker.service file permissions are appropriately set", MODE_WHY, MODE_FIX },
	[R_F3] = { "BH-HOST-103", "3.3", BH_SEV_MEDIUM, "Ensure that docker.socket file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F4] = { "BH-HOST-104", "3.4", BH_SEV_MEDIUM, "Ensure that docker.socket file permissions are set to 644 or more restrictive", MODE_WHY, MODE_FIX },
	[R_F5] = { "BH-HOST-105", "3.5", BH_SEV_MEDIUM, "Ensure that the /etc/docker directory ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F6] = { "BH-HOST-106", "3.6", BH_SEV_MEDIUM, "Ensure that /etc/docker directory permissions are set to 755 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F7] = { "BH-HOST-107", "3.7", BH_SEV_MEDIUM, "Ensure that registry certificate file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F8] = { "BH-HOST-108", "3.8", BH_SEV_MEDIUM, "Ensure that registry certificate file permissions are set to 444 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F9] = { "BH-HOST-109", "3.9", BH_SEV_MEDIUM, "Ensure that TLS CA certificate file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F10] = { "BH-HOST-110", "3.10", BH_SEV_MEDIUM, "Ensure that TLS CA certificate file permissions are set to 444 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F11] = { "BH-HOST-111", "3.11", BH_SEV_MEDIUM, "Ensure that Docker server certificate file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F12] = { "BH-HOST-112", "3.12", BH_SEV_MEDIUM, "Ensure that the Docker server certificate file permissions are set to 444 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F13] = { "BH-HOST-113", "3.13", BH_SEV_MEDIUM, "Ensure that the Docker server certificate key file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F14] = { "BH-HOST-114", "3.14", BH_SEV_MEDIUM, "Ensure that the Docker server certificate key file permissions are set to 400", MODE_WHY, MODE_FIX },
	[R_F15] = { "BH-HOST-115", "3.15", BH_SEV_MEDIUM, "Ensure that the Docker socket file ownership is set to root:docker", OWN_WHY,
		"Give the socket to root and group docker: chown root:docker FILE." },
	[R_F16] = { "BH-HOST-116", "3.16", BH_SEV_MEDIUM, "Ensure that the Docker socket file permissions are set to 660 or more restrictively",
		"Anyone who can connect to the Docker socket is root on the host.", "Give the socket to root:docker and take access from others: chmod 660 FILE." },
	[R_F17] = { "BH-HOST-117", "3.17", BH_SEV_MEDIUM, "Ensure that the daemon.json file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F18] = { "BH-HOST-118", "3.18", BH_SEV_MEDIUM, "Ensure that daemon.json file permissions are set to 644 or more restrictive", MODE_WHY, MODE_FIX },
	[R_F19] = { "BH-HOST-119", "3.19", BH_SEV_MEDIUM, "Ensure that the /etc/default/docker file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F20] = { "BH-HOST-120", "3.20", BH_SEV_MEDIUM, "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F21] = { "BH-HOST-121", "3.21", BH_SEV_MEDIUM, "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more restrictively", MODE_WHY, MODE_FIX },
	[R_F22] = { "BH-HOST-122", "3.22", BH_SEV_MEDIUM, "Ensure that the /etc/sysconfig/docker file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F23] = { "BH-HOST-123", "3.23", BH_SEV_MEDIUM, "Ensure that the Containerd socket file ownership is set to root:root", OWN_WHY, OWN_FIX },
	[R_F24] = { "BH-HOST-124", "3.24", BH_SEV_MEDIUM, "Ensure that the Containerd socket file permissions are set to 660 or more restrictively",
		"Anyone who can connect to the containerd socket can start containers as root.", "Take access from others: chmod 660 FILE." },
	[R_SWARM] = { "BH-HOST-051", "5.1", BH_SEV_UNKNOWN, "Ensure swarm mode is not Enabled, if not needed",
		"Swarm mode opens management ports and keeps cluster secrets on the host.", "docker swarm leave, where swarm is not used." },
};

const size_t bh_host_rule_count = R_COUNT;

/* Bounds on what a hostile tree can make us read or hold. */
#define FILE_MAX (4u << 20) /* bytes of one config, unit or rules file */
#define DIR_MAX 1024        /* entries read from one directory */
#define WATCH_MAX 65536     /* audit watches kept */
#define CLEAN_MAX 200       /* bytes of a value quoted in a detail */

static const char *const dockerd_paths[] = { "/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/local/bin/dockerd", "/bin/dockerd", "/sbin/dockerd" };
/* systemd's precedence: /etc over /run over the vendor directories */
static const char *const unit_dirs[] = { "/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system" };

typedef struct hctx {
	int root;             /* O_PATH fd of root */
	bool slash;           /* root is "/": nothing to escape from */
	char *rootname;       /* root without trailing '/' ("" for "/"); owned */
	bh_checks *out;
	int rc;               /* sticky first failure */
	json_t *cfg;          /* daemon.json merged with the dockerd flags; owned */
	json_t *origin;       /* option -> in-root path of the file that set it; owned */
	bool cfg_ok;          /* daemon.json absent or a valid object */
	char unit[256];       /* in-root path of docker.service, "" when none */
	char sock_unit[256];  /* of docker.socket */
	const char *dockerd;  /* in-root path of dockerd, NULL when none */
	long docker_gid;      /* gid of group docker, -1 when none */
	char data_root[1024]; /* "data-root", default /var/lib/docker */
} hctx;

/* ---- text ---- */

/* The path as seen from here: root + in-root path, cleaned. Caller frees; NULL on ENOMEM. */
static char *shown(hctx *c, const char *path)
{
	bh_buf b = BH_BUF_INIT;
	if (bh_buf_puts(&b, c->rootname) || bh_buf_put_clean(&b, path, 1024)) {
		bh_buf_free(&b);
		return NULL;
	}
	return bh_buf_steal(&b);
}

/* The severity argument that means "the rule's own". */
#define SEV_RULE BH_SEV_UNKNOWN

/* Adds a finding about the in-root path `path`; sev SEV_RULE and fix NULL take the rule's. */
static void emit(hctx *c, int r, bh_severity sev, const char *status, const char *path, const char *detail, const char *fix)
{
	bh_check_at at;
	char *t;
	if (c->rc)
		return;
	if (!(t = shown(c, path))) {
		c->rc = BH_ENOMEM;
		return;
	}
	memset(&at, 0, sizeof(at));
	at.category = "host";
	at.severity = sev;
	at.detail = detail;
	at.fix = fix;
	at.target = t;
	at.status = status;
	c->rc = bh_checks_emit(c->out, &bh_host_rules[r], &at);
	free(t);
}

static void emitf(hctx *c, int r, bh_severity sev, const char *status, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void emitf(hctx *c, int r, bh_severity sev, const char *status, const char *path, const char *fmt, ...)
{
	char d[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	emit(c, r, sev, status, path, d, NULL);
}

/* ---- files inside root ---- */

/* Opens the in-root absolute path; symlinks and ".." resolve inside root. fd, or -1 with errno set. */
static int h_open(hctx *c, const char *path, int flags)
{
	struct open_how how;
	const char *rel = path + strspn(path, "/");
	int fd, tries;
	if (!*rel)
		rel = ".";
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	for (tries = 0; tries < 8; tries++) {
		fd = (int)syscall(SYS_openat2, c->root, rel, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN) /* EAGAIN: a concurrent rename in the tree; the kernel asks to retry */
			break;
	}
	if (errno == ENOSYS && c->slash)
		return openat(c->root, rel, flags | O_CLOEXEC);
	return -1;
}

/* stat() inside root: 0, or -1 with errno set. */
static int h_stat(hctx *c, const char *path, struct stat *st)
{
	int fd = h_open(c, path, O_PATH), rc = 0, e;
	if (fd < 0)
		return -1;
	if (fstat(fd, st))
		rc = -1;
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static bool h_isdir(hctx *c, const char *path)
{
	struct stat st;
	return h_stat(c, path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool h_isreg(hctx *c, const char *path)
{
	struct stat st;
	return h_stat(c, path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Reads a regular file into *data (NUL-terminated, caller frees). 0; BH_ENOTFOUND when it does not
 * exist; BH_EIO when it cannot be opened or read (errno says why); BH_EINVAL when not a regular
 * file; BH_ELIMIT over FILE_MAX; BH_ENOMEM. O_NONBLOCK so a FIFO planted in the tree cannot hang the open.
 */
static int h_read(hctx *c, const char *path, char **data, size_t *len)
{
	struct stat st;
	bh_buf b = BH_BUF_INIT;
	char tmp[16384];
	ssize_t r;
	int fd = h_open(c, path, O_RDONLY | O_NONBLOCK | O_NOCTTY), rc = 0;
	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? BH_ENOTFOUND : BH_EIO;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return BH_EINVAL;
	}
	while ((r = read(fd, tmp, sizeof(tmp))) > 0) {
		if (b.len + (size_t)r > FILE_MAX) {
			rc = BH_ELIMIT;
			break;
		}
		if ((rc = bh_buf_append(&b, tmp, (size_t)r)))
			break;
	}
	if (!rc && r < 0)
		rc = BH_EIO; /* errno from read() survives the close below only if saved */
	if (!rc && bh_buf_putc(&b, '\0'))
		rc = BH_ENOMEM;
	close(fd);
	if (rc) {
		bh_buf_free(&b);
		return rc;
	}
	*len = b.len - 1;
	*data = bh_buf_steal(&b);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in an in-root directory (no "." or ".."; at most DIR_MAX), caller frees each and the
 * array. 0 (n 0 when the directory does not exist) or BH_ENOMEM. */
static int h_list(hctx *c, const char *dir, char ***names, size_t *n)
{
	int fd = h_open(c, dir, O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t k = 0;
	*names = NULL;
	*n = 0;
	if (fd < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	if (!(v = calloc(DIR_MAX, sizeof(*v)))) {
		closedir(d);
		return BH_ENOMEM;
	}
	while (k < DIR_MAX && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!(v[k] = bh_strdup(e->d_name))) {
			closedir(d);
			while (k)
				free(v[--k]);
			free(v);
			return BH_ENOMEM;
		}
		k++;
	}
	closedir(d);
	qsort(v, k, sizeof(*v), cmpstr);
	*names = v;
	*n = k;
	return 0;
}

static void list_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* ---- /etc/group ---- */

/* Finds group docker: its gid in c->docker_gid and its members (cleaned, comma-separated) in *members (caller frees). */
static void read_group(hctx *c, char **members)
{
	char *data, *line, *save = NULL;
	size_t len;
	*members = NULL;
	c->docker_gid = -1;
	if (h_read(c, "/etc/group", &data, &len))
		return;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 }, *p = line;
		int i;
		for (i = 0; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i < 3 || strcmp(f[0], "docker") != 0)
			continue;
		c->docker_gid = strtol(f[2], NULL, 10);
		if (f[3])
			f[3][strcspn(f[3], "\r")] = '\0';
		if (f[3] && f[3][strspn(f[3], " \t")]) {
			bh_buf b = BH_BUF_INIT;
			if (bh_buf_put_clean(&b, f[3], 1024))
				c->rc = BH_ENOMEM;
			*members = bh_buf_steal(&b);
			bh_buf_free(&b);
		}
		break;
	}
	free(data);
}

/* ---- daemon configuration: daemon.json + dockerd flags ---- */

enum { F_BOOL, F_STR, F_LIST };
typedef struct dflag {
	const char *name;
	const char *key; /* daemon.json key */
	int kind;
	char shortname;
} dflag;

/* The dockerd flags behind the options checked here, with their daemon.json names. */
static const dflag dflags[] = {
	{ "icc", "icc", F_BOOL, 0 },
	{ "log-level", "log-level", F_STR, 'l' },
	{ "iptables", "iptables", F_BOOL, 0 },
	{ "insecure-registry", "insecure-registries", F_LIST, 0 },
	{ "storage-driver", "storage-driver", F_STR, 's' },
	{ "tls", "tls", F_BOOL, 0 },
	{ "tlsverify", "tlsverify", F_BOOL, 0 },
	{ "tlscacert", "tlscacert", F_STR, 0 },
	{ "tlscert", "tlscert", F_STR, 0 },
	{ "tlskey", "tlskey", F_STR, 0 },
	{ "default-ulimit", "default-ulimits", F_LIST, 0 },
	{ "userns-remap", "userns-remap", F_STR, 0 },
	{ "cgroup-parent", "cgroup-parent", F_STR, 0 },
	{ "storage-opt", "storage-opts", F_LIST, 0 },
	{ "authorization-plugin", "authorization-plugins", F_LIST, 0 },
	{ "log-driver", "log-driver", F_STR, 0 },
	{ "live-restore", "live-restore", F_BOOL, 0 },
	{ "userland-proxy", "userland-proxy", F_BOOL, 0 },
	{ "seccomp-profile", "seccomp-profile", F_STR, 0 },
	{ "experimental", "experimental", F_BOOL, 0 },
	{ "no-new-privileges", "no-new-privileges", F_BOOL, 0 },
	{ "host", "hosts", F_LIST, 'H' },
	{ "data-root", "data-root", F_STR, 0 },
	{ "graph", "data-root", F_STR, 'g' },
};

/* Go's strconv.ParseBool, which dockerd's flag parser uses. */
static int parse_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" }, *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;
	for (i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* A JSON string of s made valid UTF-8 first (jansson refuses anything else); NULL only on ENOMEM. */
static json_t *jstr(const char *s)
{
	bh_buf b = BH_BUF_INIT;
	json_t *j = NULL;
	if (!bh_buf_put_clean(&b, s, 4096) && !bh_buf_putc(&b, '\0'))
		j = json_string(b.data);
	bh_buf_free(&b);
	return j;
}

/* Sets cfg[key] from one flag value (list flags append), remembering the unit that set it. */
static void set_flag(hctx *c, const dflag *fl, const char *val, const char *unit)
{
	json_t *v = NULL;
	if (c->rc)
		return;
	if (fl->kind == F_BOOL) {
		int b = val ? parse_bool(val) : 1;
		v = b < 0 ? jstr(val) : json_boolean(b); /* an unparsable value is kept for the detail */
	} else if (!val) {
		return;
	} else if (fl->kind == F_STR) {
		v = jstr(val);
	} else {
		json_t *a = json_object_get(c->cfg, fl->key);
		if (!json_is_array(a)) {
			if (!(a = json_array()) || json_object_set_new(c->cfg, fl->key, a)) {
				c->rc = BH_ENOMEM;
				return;
			}
		}
		/* a list keeps the file that started it: the fix goes there */
		if (json_array_append_new(a, jstr(val)) ||
		    (!json_object_get(c->origin, fl->key) && json_object_set_new(c->origin, fl->key, jstr(unit))))
			c->rc = BH_ENOMEM;
		return;
	}
	if (!v || json_object_set_new(c->cfg, fl->key, v) || json_object_set_new(c->origin, fl->key, jstr(unit)))
		c->rc = BH_ENOMEM;
}

/* Applies the dockerd flags of one ExecStart command line (already joined, in place). */
static void apply_flags(hctx *c, char *cmd, const char *unit)
{
	char *tok[512], *save = NULL, *t;
	size_t n = 0, i, j;
	const char *bin;
	for (t = strtok_r(cmd, " \t", &save); t && n < 512; t = strtok_r(NULL, " \t", &save)) {
		size_t l = strlen(t);
		/* systemd unquotes "..." and '...'; a quoted token with spaces is not split back, which only affects values we do not use */
		if (l >= 2 && (t[0] == '"' || t[0] == '\'') && t[l - 1] == t[0]) {
			t[l - 1] = '\0';
			t++;
		}
		tok[n++] = t;
	}
	if (!n)
		return;
	bin = strrchr(tok[0], '/');
	bin = bin ? bin + 1 : tok[0];
	if (strcmp(bin, "dockerd") != 0)
		return;
	for (i = 1; i < n; i++) {
		const char *a = tok[i], *eq, *val = NULL;
		size_t nl;
		const dflag *fl = NULL;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			a += 2;
			eq = strchr(a, '=');
			nl = eq ? (size_t)(eq - a) : strlen(a);
			for (j = 0; j < sizeof(dflags) / sizeof(*dflags); j++)
				if (strlen(dflags[j].name) == nl && strncmp(dflags[j].name, a, nl) == 0)
					fl = &dflags[j];
			if (eq)
				val = eq + 1;
		} else {
			for (j = 0; j < sizeof(dflags) / sizeof(*dflags); j++)
				if (dflags[j].shortname && dflags[j].shortname == a[1])
					fl = &dflags[j];
			if (a[2] == '=')
				val = a + 3;
			else if (a[2])
				val = a + 2; /* -Hunix:///x */
		}
		if (!fl)
			continue;
		if (!val && fl->kind != F_BOOL && i + 1 < n)
			val = tok[++i];
		set_flag(c, fl, val, unit);
	}
}

/* The ExecStart of one unit file into *exec (replaced; "ExecStart=" alone clears it), continuation
 * lines joined. True when the file has an ExecStart line. */
static bool unit_execstart(hctx *c, const char *path, char **exec)
{
	char *data, *p, *end;
	size_t len;
	bool service = false, seen = false;
	if (h_read(c, path, &data, &len))
		return false;
	/* join "\\\n" continuations in place */
	for (p = data; (p = strstr(p, "\\\n"));) {
		p[0] = ' ';
		p[1] = ' ';
	}
	for (p = data, end = data + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p, *v;
		size_t l;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : end;
		line += strspn(line, " \t");
		l = strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
			line[--l] = '\0';
		if (line[0] == '[') {
			service = strcmp(line, "[Service]") == 0;
			continue;
		}
		if (!service || strncmp(line, "ExecStart", 9) != 0)
			continue;
		v = line + 9 + strspn(line + 9, " \t");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t");
		v += strspn(v, "-@+!:"); /* systemd's command prefixes */
		free(*exec);
		*exec = *v ? bh_strdup(v) : NULL;
		if (*v && !*exec)
			c->rc = BH_ENOMEM;
		seen = true;
	}
	free(data);
	return seen;
}

/* Finds docker.service and docker.socket where systemd would. */
static void find_units(hctx *c)
{
	char path[256];
	size_t i;
	for (i = 0; i < sizeof(unit_dirs) / sizeof(*unit_dirs); i++) {
		snprintf(path, sizeof(path), "%s/docker.service", unit_dirs[i]);
		if (!c->unit[0] && h_isreg(c, path))
			snprintf(c->unit, sizeof(c->unit), "%s", path);
		snprintf(path, sizeof(path), "%s/docker.socket", unit_dirs[i]);
		if (!c->sock_unit[0] && h_isreg(c, path))
			snprintf(c->sock_unit, sizeof(c->sock_unit), "%s", path);
	}
}

/* Applies the dockerd flags of docker.service's effective ExecStart (drop-ins included). */
static void read_units(hctx *c)
{
	char *exec = NULL, path[256], where[sizeof(path)] = "";
	size_t i, k, n;
	char **names;
	if (!c->unit[0])
		return;
	if (unit_execstart(c, c->unit, &exec))
		snprintf(where, sizeof(where), "%s", c->unit);
	/* drop-ins, vendor directories first so /etc wins; the last ExecStart= after a reset is the one run */
	for (i = sizeof(unit_dirs) / sizeof(*unit_dirs); i-- > 0;) {
		char dir[256];
		snprintf(dir, sizeof(dir), "%s/docker.service.d", unit_dirs[i]);
		if (h_list(c, dir, &names, &n)) {
			c->rc = BH_ENOMEM;
			break;
		}
		for (k = 0; k < n; k++) {
			if (!bh_str_endswith(names[k], ".conf") || strlen(dir) + strlen(names[k]) + 2 > sizeof(path))
				continue;
			snprintf(path, sizeof(path), "%.100s/%.150s", dir, names[k]);
			if (unit_execstart(c, path, &exec))
				snprintf(where, sizeof(where), "%s", path);
		}
		list_free(names, n);
	}
	if (exec && !c->rc)
		apply_flags(c, exec, where);
	free(exec);
}

/* Loads daemon.json and the flags into c->cfg. An unreadable or invalid daemon.json is reported and leaves cfg_ok false. */
static void read_config(hctx *c)
{
	static const char dj[] = "/etc/docker/daemon.json";
	char *data = NULL;
	size_t len;
	json_t *j = NULL;
	bh_error e = { 0 };
	int rc;
	const char *k;
	json_t *v;

	c->cfg = json_object();
	c->origin = json_object();
	if (!c->cfg || !c->origin) {
		c->rc = BH_ENOMEM;
		return;
	}
	c->cfg_ok = true;
	rc = h_read(c, dj, &data, &len);
	if (rc == BH_ENOMEM) {
		c->rc = rc;
		return;
	}
	if (rc == 0) {
		if (bh_json_load(data, len, 64, "daemon.json", &j, &e) || !json_is_object(j)) {
			c->cfg_ok = false;
			emitf(c, R_BADJSON, SEV_RULE, NULL, dj, "%s", e.msg[0] ? e.msg : "daemon.json: not a JSON object");
		} else {
			json_object_foreach(j, k, v) {
				if (json_object_set(c->cfg, k, v) || json_object_set_new(c->origin, k, json_string(dj)))
					c->rc = BH_ENOMEM;
			}
		}
	} else if (rc != BH_ENOTFOUND) {
		c->cfg_ok = false;
		emitf(c, R_BADJSON, SEV_RULE, NULL, dj, "daemon.json cannot be read: %s",
		      rc == BH_ELIMIT ? "larger than 4 MiB" : rc == BH_EINVAL ? "not a regular file" : "open or read failed");
	}
	json_decref(j);
	free(data);
	read_units(c);
	{
		const char *dr = json_string_value(json_object_get(c->cfg, "data-root"));
		bh_buf b = BH_BUF_INIT;
		/* cleaned: it is quoted in details and fixes */
		if (!dr || dr[0] != '/' || bh_buf_put_clean(&b, dr, sizeof(c->data_root) - 8) || bh_buf_putc(&b, '\0'))
			snprintf(c->data_root, sizeof(c->data_root), "/var/lib/docker");
		else
			snprintf(c->data_root, sizeof(c->data_root), "%s", b.data);
		bh_buf_free(&b);
	}
}

static json_t *opt(hctx *c, const char *key)
{
	return json_object_get(c->cfg, key);
}

/* The in-root file an option came from (daemon.json when unset: that is where the fix goes). */
static const char *origin(hctx *c, const char *key)
{
	const char *o = json_string_value(json_object_get(c->origin, key));
	return o ? o : "/etc/docker/daemon.json";
}

/* '"key": VALUE' of an option, cleaned and bounded, into buf. */
static const char *shown_opt(hctx *c, const char *key, char *buf, size_t n)
{
	char *s;
	bh_buf b = BH_BUF_INIT;
	if (!opt(c, key)) {
		snprintf(buf, n, "\"%s\" not set", key);
		return buf;
	}
	s = json_dumps(opt(c, key), JSON_ENCODE_ANY | JSON_COMPACT);
	if (!s || bh_buf_put_clean(&b, s, CLEAN_MAX) || bh_buf_putc(&b, '\0')) {
		c->rc = BH_ENOMEM;
		snprintf(buf, n, "\"%s\"", key);
	} else {
		snprintf(buf, n, "\"%s\": %s", key, b.data);
	}
	free(s);
	bh_buf_free(&b);
	return buf;
}

/* Emits rule r (its own severity) about option key: "VALUE" when set, "not set (default ...)" otherwise. */
static void opt_emit(hctx *c, int r, const char *status, const char *key, const char *unset_note)
{
	char b[512];
	if (opt(c, key))
		emitf(c, r, SEV_RULE, status, origin(c, key), "%s", shown_opt(c, key, b, sizeof(b)));
	else
		emitf(c, r, SEV_RULE, status, origin(c, key), "\"%s\" is not set in daemon.json or the dockerd flags (%s)", key, unset_note);
}

static bool nonempty(const json_t *v)
{
	return (json_is_array(v) && json_array_size(v) > 0) || (json_is_object(v) && json_object_size(v) > 0) ||
	       (json_is_string(v) && json_string_length(v) > 0);
}

static bool loopback(const char *h)
{
	return bh_str_startswith(h, "127.") || bh_str_startswith(h, "localhost") || bh_str_startswith(h, "[::1]") ||
	       bh_str_startswith(h, "::1");
}

static void check_tls(hctx *c)
{
	const json_t *hosts = opt(c, "hosts");
	const char *tcp = NULL;
	bool public = false;
	size_t i, n = json_is_array(hosts) ? json_array_size(hosts) : 1;
	char b[512];
	bh_buf hb = BH_BUF_INIT;
	for (i = 0; i < n && i < DIR_MAX; i++) {
		const json_t *h = json_is_array(hosts) ? json_array_get(hosts, i) : hosts;
		const char *s = json_string_value(h), *addr;
		if (!s)
			continue;
		/* unix://, fd:// (socket activation) and npipe:// are local; tcp:// or a bare HOST:PORT listens on the network */
		if (bh_str_startswith(s, "unix://") || bh_str_startswith(s, "fd://") || bh_str_startswith(s, "npipe://") ||
		    bh_str_startswith(s, "ssh://") || s[0] == '/' || !*s)
			continue;
		addr = bh_str_startswith(s, "tcp://") ? s + 6 : s;
		if (!tcp || (!public && !loopback(addr)))
			tcp = s;
		if (!loopback(addr))
			public = true;
	}
	if (!tcp)
		return;
	if (bh_buf_put_clean(&hb, tcp, CLEAN_MAX) || bh_buf_putc(&hb, '\0')) {
		bh_buf_free(&hb);
		c->rc = BH_ENOMEM;
		return;
	}
	if (json_is_true(opt(c, "tlsverify"))) {
		bh_buf_free(&hb);
		return;
	}
	if (json_is_true(opt(c, "tls")))
		emitf(c, R_TLS, SEV_RULE, NULL, origin(c, "hosts"), "listens on %s with TLS but without client certificate verification (\"tlsverify\" not true)", hb.data);
	else
		emitf(c, R_TLS, public ? BH_SEV_CRITICAL : BH_SEV_HIGH, NULL, origin(c, "hosts"), "listens on %s without TLS (%s)", hb.data,
		      shown_opt(c, "tlsverify", b, sizeof(b)));
	bh_buf_free(&hb);
}

static void check_insecure(hctx *c)
{
	const json_t *a = opt(c, "insecure-registries");
	bh_buf b = BH_BUF_INIT;
	size_t i, shown_n = 0;
	char ob[512];
	if (!a)
		return;
	if (!json_is_array(a)) {
		emitf(c, R_INSECURE, SEV_RULE, NULL, origin(c, "insecure-registries"), "%s", shown_opt(c, "insecure-registries", ob, sizeof(ob)));
		return;
	}
	for (i = 0; i < json_array_size(a) && i < DIR_MAX; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		/* Docker trusts 127.0.0.0/8 without TLS anyway: listing it changes nothing */
		if (!s || bh_str_startswith(s, "127.") || bh_str_startswith(s, "localhost"))
			continue;
		if (shown_n++ < 8 && ((b.len && bh_buf_puts(&b, ", ")) || bh_buf_put_clean(&b, s, 100)))
			c->rc = BH_ENOMEM;
	}
	if (shown_n > 8 && bh_buf_printf(&b, " (and %zu more)", shown_n - 8))
		c->rc = BH_ENOMEM;
	if (shown_n && !c->rc)
		emitf(c, R_INSECURE, SEV_RULE, NULL, origin(c, "insecure-registries"), "\"insecure-registries\": %s", b.data);
	bh_buf_free(&b);
}

static void check_daemon_options(hctx *c)
{
	const json_t *v;
	const char *s;
	size_t i;

	if (!json_is_false(opt(c, "icc")))
		opt_emit(c, R_ICC, NULL, "icc", "default true");
	v = opt(c, "log-level");
	if (v && !(json_is_string(v) && strcasecmp(json_string_value(v), "info") == 0))
		opt_emit(c, R_LOGLEVEL, NULL, "log-level", "");
	if (json_is_false(opt(c, "iptables")))
		opt_emit(c, R_IPTABLES, NULL, "iptables", "");
	check_insecure(c);
	if ((s = json_string_value(opt(c, "storage-driver"))) && strcmp(s, "aufs") == 0)
		opt_emit(c, R_AUFS, NULL, "storage-driver", "");
	check_tls(c);
	if (!nonempty(opt(c, "default-ulimits")))
		opt_emit(c, R_ULIMIT, "manual", "default-ulimits", "containers inherit dockerd's limits");
	if (!nonempty(opt(c, "userns-remap")))
		opt_emit(c, R_USERNS, NULL, "userns-remap", "default: no remapping");
	if (nonempty(opt(c, "cgroup-parent")))
		opt_emit(c, R_CGROUP, "manual", "cgroup-parent", "");
	v = opt(c, "storage-opts");
	for (i = 0; json_is_array(v) && i < json_array_size(v) && i < DIR_MAX; i++)
		if ((s = json_string_value(json_array_get(v, i))) && bh_str_startswith(s, "dm.basesize")) {
			opt_emit(c, R_BASESIZE, NULL, "storage-opts", "");
			break;
		}
	if (!nonempty(opt(c, "authorization-plugins")))
		opt_emit(c, R_AUTHZ, NULL, "authorization-plugins", "default: none");
	s = json_string_value(opt(c, "log-driver"));
	if (!s || strcmp(s, "json-file") == 0 || strcmp(s, "local") == 0 || strcmp(s, "none") == 0)
		opt_emit(c, R_LOGDRIVER, NULL, "log-driver", "default json-file, kept on this host");
	if (!json_is_true(opt(c, "no-new-privileges")))
		opt_emit(c, R_NNP, NULL, "no-new-privileges", "default false");
	if (!json_is_true(opt(c, "live-restore")))
		opt_emit(c, R_LIVE, NULL, "live-restore", "default false");
	if (!json_is_false(opt(c, "userland-proxy")))
		opt_emit(c, R_PROXY, NULL, "userland-proxy", "default true");
	if ((s = json_string_value(opt(c, "seccomp-profile"))) && strcmp(s, "unconfined") == 0)
		opt_emit(c, R_SECCOMP, NULL, "seccomp-profile", "");
	if (json_is_true(opt(c, "experimental")))
		opt_emit(c, R_EXPERIMENTAL, NULL, "experimental", "");
}

/* ---- section 1: partition, group, audit ---- */

/* Normalised, with the usual aliases folded (/var/run = /run; merged-usr /lib, /bin, /sbin = /usr/...), so a
 * watch written either way counts. */
static bool canon(const char *s, char *out, size_t n)
{
	static const char *const alias[][2] = { { "/var/run", "/run" }, { "/lib", "/usr/lib" }, { "/bin", "/usr/bin" }, { "/sbin", "/usr/sbin" } };
	char tmp[4096];
	size_t i;
	if (!bh_path_norm_abs(s, tmp, sizeof(tmp)))
		return false;
	for (i = 0; i < sizeof(alias) / sizeof(*alias); i++) {
		size_t l = strlen(alias[i][0]);
		if (strncmp(tmp, alias[i][0], l) == 0 && (tmp[l] == '/' || !tmp[l])) {
			if ((size_t)snprintf(out, n, "%s%s", alias[i][1], tmp + l) >= n)
				return false;
			return true;
		}
	}
	if (strlen(tmp) >= n)
		return false;
	memcpy(out, tmp, strlen(tmp) + 1);
	return true;
}

/* Audit watches from /etc/audit/audit.rules and /etc/audit/rules.d/ *.rules, canonical paths; owned by the struct. */
typedef struct watches {
	char **p;
	size_t n;
	bool any_file; /* some rules file exists */
} watches;

static void watch_add(hctx *c, watches *w, const char *path)
{
	char cp[4096];
	if (c->rc || w->n >= WATCH_MAX || !canon(path, cp, sizeof(cp)))
		return;
	if (w->n % 64 == 0) {
		size_t bytes;
		char **np;
		if (!bh_size_mul(w->n + 64, sizeof(*np), &bytes) || !(np = realloc(w->p, bytes))) {
			c->rc = BH_ENOMEM;
			return;
		}
		w->p = np;
	}
	if (!(w->p[w->n] = bh_strdup(cp)))
		c->rc = BH_ENOMEM;
	else
		w->n++;
}

static void watches_from(hctx *c, watches *w, const char *file)
{
	char *data, *line, *save = NULL;
	size_t len;
	if (h_read(c, file, &data, &len))
		return;
	w->any_file = true;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t, *prev = NULL, *s2 = NULL;
		line += strspn(line, " \t");
		if (*line == '#')
			continue;
		/* "-w PATH ..." (a watch) or "-a ... -F path=PATH" / "-F dir=PATH" (a syscall rule on it) */
		for (t = strtok_r(line, " \t\r", &s2); t; prev = t, t = strtok_r(NULL, " \t\r", &s2)) {
			if (prev && strcmp(prev, "-w") == 0)
				watch_add(c, w, t);
			else if (prev && strcmp(prev, "-F") == 0 && bh_str_startswith(t, "path="))
				watch_add(c, w, t + 5);
			else if (prev && strcmp(prev, "-F") == 0 && bh_str_startswith(t, "dir="))
				watch_add(c, w, t + 4);
		}
	}
	free(data);
}

/* A watch on the path itself or on a directory above it (directory watches are recursive). */
static bool watched(const watches *w, const char *path)
{
	char cp[4096];
	size_t i;
	if (!canon(path, cp, sizeof(cp)))
		return false;
	for (i = 0; i < w->n; i++) {
		size_t l = strlen(w->p[i]);
		if (strcmp(w->p[i], cp) == 0 || (strncmp(w->p[i], cp, l) == 0 && (cp[l] == '/' || strcmp(w->p[i], "/") == 0)))
			return true;
	}
	return false;
}

static void check_audit(hctx *c)
{
	static const struct {
		int r;
		const char *path[4];
	} items[] = {
		{ R_A3, { NULL } }, /* dockerd, where it was found */
		{ R_A4, { "/run/containerd" } },
		{ R_A5, { NULL } }, /* the data root */
		{ R_A6, { "/etc/docker" } },
		{ R_A7, { NULL } }, /* docker.service, where it was found */
		{ R_A8, { "/run/containerd/containerd.sock" } },
		{ R_A9, { NULL } }, /* docker.socket */
		{ R_A10, { "/etc/default/docker" } },
		{ R_A11, { "/etc/docker/daemon.json" } },
		{ R_A12, { "/etc/containerd/config.toml" } },
		{ R_A13, { "/etc/sysconfig/docker" } },
		{ R_A14, { "/usr/bin/containerd", "/usr/local/bin/containerd", "/usr/sbin/containerd" } },
		{ R_A15, { "/usr/bin/containerd-shim", "/usr/local/bin/containerd-shim" } },
		{ R_A16, { "/usr/bin/containerd-shim-runc-v1", "/usr/local/bin/containerd-shim-runc-v1" } },
		{ R_A17, { "/usr/bin/containerd-shim-runc-v2", "/usr/local/bin/containerd-shim-runc-v2" } },
		{ R_A18, { "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc" } },
	};
	watches w = { 0 };
	char **names;
	size_t n, i, k;
	struct stat st;

	watches_from(c, &w, "/etc/audit/audit.rules");
	if (h_list(c, "/etc/audit/rules.d", &names, &n)) {
		c->rc = BH_ENOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		char p[512];
		if (bh_str_endswith(names[i], ".rules") && strlen(names[i]) < 256) {
			snprintf(p, sizeof(p), "/etc/audit/rules.d/%s", names[i]);
			watches_from(c, &w, p);
		}
	}
	list_free(names, n);

	for (i = 0; i < sizeof(items) / sizeof(*items); i++) {
		const char *path = NULL;
		int r = items[i].r;
		if (r == R_A3)
			path = c->dockerd;
		else if (r == R_A5)
			path = c->data_root;
		else if (r == R_A7)
			path = c->unit[0] ? c->unit : NULL;
		else if (r == R_A9)
			path = c->sock_unit[0] ? c->sock_unit : NULL;
		else
			for (k = 0; k < 4 && items[i].path[k] && !path; k++)
				if (h_stat(c, items[i].path[k], &st) == 0)
					path = items[i].path[k];
		/* CIS audits only what is there (containerd's runtime paths exist while it runs) */
		if (!path || h_stat(c, path, &st) != 0 || watched(&w, path))
			continue;
		{
			char fix[1200];
			snprintf(fix, sizeof(fix), "Add \"-w %.1050s -k docker\" to /etc/audit/rules.d/docker.rules and load it (augenrules --load).", path);
			if (w.any_file)
				emit(c, r, SEV_RULE, NULL, path, "no audit rule watches this path (looked in /etc/audit/audit.rules and /etc/audit/rules.d/*.rules)", fix);
			else
				emit(c, r, SEV_RULE, NULL, path, "no audit rules at all: neither /etc/audit/audit.rules nor /etc/audit/rules.d/*.rules exists", fix);
		}
	}
	for (i = 0; i < w.n; i++)
		free(w.p[i]);
	free(w.p);
}

/* Whether fstab (or, for "/", the live mount table) has a filesystem mounted exactly at the data root. */
static bool own_partition(hctx *c, const char *dr)
{
	static const char *const files[] = { "/etc/fstab", "/proc/self/mountinfo" };
	char want[4096];
	size_t f;
	if (!bh_path_norm_abs(dr, want, sizeof(want)))
		return false;
	for (f = 0; f < 2; f++) {
		char *data = NULL, *line, *save = NULL;
		size_t len;
		int field = f == 0 ? 1 : 4; /* fstab: spec FILE ...; mountinfo: id parent maj:min root MOUNTPOINT ... */
		bool found = false;
		if (f == 1 && !c->slash)
			break; /* this machine's mounts say nothing about another root */
		if (f == 0 ? h_read(c, files[f], &data, &len) : 0)
			continue;
		if (f == 1) {
			FILE *fp = fopen(files[f], "re");
			bh_buf b = BH_BUF_INIT;
			char tmp[4096];
			size_t r;
			if (!fp)
				continue;
			while ((r = fread(tmp, 1, sizeof(tmp), fp)) > 0 && b.len < FILE_MAX)
				if (bh_buf_append(&b, tmp, r))
					break;
			fclose(fp);
			if (bh_buf_putc(&b, '\0')) {
				bh_buf_free(&b);
				continue;
			}
			data = bh_buf_steal(&b);
		}
		for (line = strtok_r(data, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
			char *t, *s2 = NULL, mp[4096];
			int i = 0;
			if (line[strspn(line, " \t")] == '#')
				continue;
			for (t = strtok_r(line, " \t", &s2); t && i < field; t = strtok_r(NULL, " \t", &s2))
				i++;
			/* both files write a space in a path as \040; the data root rarely has one */
			if (t && bh_path_norm_abs(t, mp, sizeof(mp)) && strcmp(mp, want) == 0)
				found = true;
		}
		free(data);
		if (found)
			return true;
	}
	return false;
}

/* ---- section 3: ownership and modes ---- */

typedef struct fcheck {
	int r_own, r_mode;
	unsigned max_mode;  /* the CIS mode: bits beyond it fail */
	bool docker_group;  /* root:docker is right (the API socket) */
	bool socket;        /* made by the running daemon: missing is not-applicable */
} fcheck;

static void check_file(hctx *c, const char *path, const fcheck *k)
{
	struct stat st;
	char fix[1200], detail[512];
	int rc = h_stat(c, path, &st);
	unsigned mode, extra;
	bool group_ok;
	char *sp;
	if (rc && (errno == ENOENT || errno == ENOTDIR)) {
		if (k->socket) {
			char d[600];
			snprintf(d, sizeof(d), "%s does not exist: the socket is created by the running daemon, which is needed to check it", path);
			snprintf(fix, sizeof(fix), "With the daemon running: chown root:%s %s", k->docker_group ? "docker" : "root", path);
			emit(c, k->r_own, BH_SEV_UNKNOWN, "not-applicable", path, d, fix);
			snprintf(fix, sizeof(fix), "With the daemon running: chmod %o %s", k->max_mode, path);
			emit(c, k->r_mode, BH_SEV_UNKNOWN, "not-applicable", path, d, fix);
		}
		return;
	}
	if (rc)
		return; /* unreadable metadata (EACCES, ELOOP): nothing to judge */
	if (!(sp = shown(c, path))) {
		c->rc = BH_ENOMEM;
		return;
	}
	group_ok = st.st_gid == 0 || (k->docker_group && c->docker_gid >= 0 && (long)st.st_gid == c->docker_gid);
	if (st.st_uid != 0 || !group_ok) {
		snprintf(detail, sizeof(detail), "owned by %lu:%lu, want root:%s", (unsigned long)st.st_uid, (unsigned long)st.st_gid,
			 k->docker_group ? "docker" : "root");
		snprintf(fix, sizeof(fix), "chown root:%s %s", k->docker_group ? "docker" : "root", sp);
		emit(c, k->r_own, SEV_RULE, NULL, path, detail, fix);
	}
	mode = (unsigned)st.st_mode & 07777;
	extra = mode & ~k->max_mode;
	if (extra) {
		bh_severity sev = BH_SEV_MEDIUM;
		if (extra & 0002)
			sev = k->socket ? BH_SEV_CRITICAL : BH_SEV_HIGH; /* anyone can write: change the file or drive the daemon */
		else if ((k->socket && (extra & 0004)) || (k->max_mode == 0400 && (extra & 0044)))
			sev = BH_SEV_HIGH; /* anyone may connect to the socket; others can read the TLS key */
		snprintf(detail, sizeof(detail), "mode %04o, want %03o or more restrictive", mode, k->max_mode);
		snprintf(fix, sizeof(fix), "chmod %o %s", k->max_mode, sp);
		emit(c, k->r_mode, sev, NULL, path, detail, fix);
	}
	free(sp);
}

static void check_files(hctx *c)
{
	static const fcheck svc = { R_F1, R_F2, 0644, false, false }, sock = { R_F3, R_F4, 0644, false, false },
			    etc = { R_F5, R_F6, 0755, false, false }, reg = { R_F7, R_F8, 0444, false, false },
			    ca = { R_F9, R_F10, 0444, false, false }, cert = { R_F11, R_F12, 0444, false, false },
			    key = { R_F13, R_F14, 0400, false, false }, api = { R_F15, R_F16, 0660, true, true },
			    dj = { R_F17, R_F18, 0644, false, false }, def = { R_F19, R_F20, 0644, false, false },
			    sysc = { R_F22, R_F21, 0644, false, false }, ctrd = { R_F23, R_F24, 0660, false, true };
	char **hosts, **files;
	size_t nh, nf, i, j;

	if (c->unit[0])
		check_file(c, c->unit, &svc);
	if (c->sock_unit[0])
		check_file(c, c->sock_unit, &sock);
	check_file(c, "/etc/docker", &etc);
	/* certs.d/HOST[:PORT]/{ca.crt,client.cert,client.key} */
	if (h_list(c, "/etc/docker/certs.d", &hosts, &nh)) {
		c->rc = BH_ENOMEM;
		return;
	}
	for (i = 0; i < nh && !c->rc; i++) {
		char dir[512];
		if (strlen(hosts[i]) > 255)
			continue;
		snprintf(dir, sizeof(dir), "/etc/docker/certs.d/%s", hosts[i]);
		if (!h_isdir(c, dir))
			continue;
		if (h_list(c, dir, &files, &nf)) {
			c->rc = BH_ENOMEM;
			break;
		}
		for (j = 0; j < nf; j++) {
			char p[1024];
			if (strlen(files[j]) > 255)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, files[j]);
			if (h_isreg(c, p))
				check_file(c, p, &reg);
		}
		list_free(files, nf);
	}
	list_free(hosts, nh);
	if (c->cfg_ok) {
		const char *p;
		if ((p = json_string_value(opt(c, "tlscacert"))) && p[0] == '/')
			check_file(c, p, &ca);
		if ((p = json_string_value(opt(c, "tlscert"))) && p[0] == '/')
			check_file(c, p, &cert);
		if ((p = json_string_value(opt(c, "tlskey"))) && p[0] == '/')
			check_file(c, p, &key);
	}
	check_file(c, "/var/run/docker.sock", &api);
	check_file(c, "/etc/docker/daemon.json", &dj);
	check_file(c, "/etc/default/docker", &def);
	check_file(c, "/etc/sysconfig/docker", &sysc);
	check_file(c, "/run/containerd/containerd.sock", &ctrd);
}

/* ---- entry ---- */

static int setup(hctx *c, const char *root, bh_checks *out, bh_error *err)
{
	size_t l = strlen(root);
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->docker_gid = -1;
	c->root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->root < 0)
		return bh_error_set(err, errno == ENOENT || errno == ENOTDIR ? BH_ENOTFOUND : BH_EIO, "%s: %s", root, strerror(errno));
	while (l > 1 && root[l - 1] == '/')
		l--;
	c->slash = l == 1 && root[0] == '/';
	if (!(c->rootname = bh_strndup(root, c->slash ? 0 : l))) {
		close(c->root);
		return bh_error_set(err, BH_ENOMEM, "host check: out of memory");
	}
	/* without openat2 an absolute symlink in a foreign tree would be followed out of it */
	if (!c->slash) {
		int fd = h_open(c, "/", O_PATH);
		if (fd < 0 && errno == ENOSYS) {
			close(c->root);
			free(c->rootname);
			return bh_error_set(err, BH_EUNSUPPORTED, "%s: reading a root other than / needs openat2 (Linux 5.6 or later)", root);
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int bh_host_check(const char *root, bh_checks *out, bh_error *err)
{
	hctx c;
	size_t i;
	char *members = NULL;
	int rc;
	const char *anchor;

	if (!root || !*root)
		return bh_error_set(err, BH_EUSAGE, "host check: no root directory");
	if ((rc = setup(&c, root, out, err)))
		return rc;
	for (i = 0; i < sizeof(dockerd_paths) / sizeof(*dockerd_paths) && !c.dockerd; i++)
		if (h_isreg(&c, dockerd_paths[i]))
			c.dockerd = dockerd_paths[i];
	find_units(&c);
	/* /etc/docker alone is no sign of the engine: docker-registry keeps its config there and clients
	 * (podman too) read certs.d from it */
	if (!c.dockerd && !c.unit[0] && !c.sock_unit[0] && !h_isreg(&c, "/etc/docker/daemon.json") && !h_isdir(&c, "/var/lib/docker")) {
		/* one line instead of dozens of failures for a component that is not there */
		emit(&c, R_NODOCKER, BH_SEV_UNKNOWN, "not-applicable", "/",
		     "no dockerd (/usr/bin, /usr/sbin, /usr/local/bin), docker.service, /etc/docker/daemon.json or /var/lib/docker under this root: "
		     "the Docker engine is not installed and the CIS Docker host checks do not apply", NULL);
		goto done;
	}
	anchor = c.dockerd ? c.dockerd : "/etc/docker";
	read_group(&c, &members);
	read_config(&c);

	/* section 1 */
	if (!own_partition(&c, c.data_root))
		emitf(&c, R_PARTITION, SEV_RULE, NULL, c.data_root, "%s is not a separate filesystem (no entry in /etc/fstab%s)", c.data_root,
		      c.slash ? " nor in the current mounts" : "");
	if (members)
		emitf(&c, R_GROUP, SEV_RULE, "manual", "/etc/group",
		      "members of group docker (gid %ld), each able to control the daemon and so root on this host: %s", c.docker_gid, members);
	check_audit(&c);
	emit(&c, R_VERSION, BH_SEV_UNKNOWN, "not-applicable", anchor, "the Docker version is read from the running daemon (docker version), not from files", NULL);

	/* section 2 */
	emit(&c, R_ROOTLESS, BH_SEV_UNKNOWN, "not-applicable", anchor, "whether dockerd runs as root or rootless is a property of the running daemon", NULL);
	if (c.cfg_ok)
		check_daemon_options(&c);

	/* section 3 */
	check_files(&c);

	/* section 5 items about the daemon rather than a container */
	emit(&c, R_SWARM, BH_SEV_UNKNOWN, "not-applicable", anchor, "swarm mode is a state of the running daemon (docker info)", NULL);

done:
	free(members);
	json_decref(c.cfg);
	json_decref(c.origin);
	free(c.rootname);
	close(c.root);
	if (c.rc)
		return bh_error_set(err, c.rc, "host check of %s: %s", root, c.rc == BH_ENOMEM ? "out of memory" : bh_error_name(c.rc));
	return 0;
}
