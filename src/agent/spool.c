/* spool.c - the agent's bounded on-disk queue of event envelopes and its persisted sequence number. */
#include "agent/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

struct seg {
	uint64_t num;
	uint64_t bytes;
	size_t lines;
};

struct bh_spool {
	char *dir;
	uint64_t max_bytes, total;
	struct seg *segs; /* oldest first */
	size_t n, cap;
	bool sealed;      /* the newest segment takes no more lines (it is being or was sent) */
	int64_t seq;
	unsigned long dropped;
};

static int seg_path(const bh_spool *sp, uint64_t num, char *out, size_t n)
{
	int w = snprintf(out, n, "%s/seg-%020" PRIu64 ".jsonl", sp->dir, num);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->num < y->num ? -1 : x->num > y->num;
}

static int seg_push(bh_spool *sp, const struct seg *s)
{
	if (sp->n >= sp->cap || !sp->segs) {
		size_t nc = sp->cap ? sp->cap * 2 : 16;
		struct seg *ns;
		if (nc > SIZE_MAX / sizeof(*ns) || !(ns = realloc(sp->segs, nc * sizeof(*ns))))
			return BH_ENOMEM;
		sp->segs = ns;
		sp->cap = nc;
	}
	sp->segs[sp->n++] = *s;
	return 0;
}

/* Lines of a segment file (its newline count); 0 when unreadable. */
static size_t count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int c;
	if (!fp)
		return 0;
	while ((c = getc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void drop_first(bh_spool *sp)
{
	char path[4096];
	if (!sp->n)
		return;
	if (!seg_path(sp, sp->segs[0].num, path, sizeof(path)))
		unlink(path);
	sp->total -= sp->segs[0].bytes;
	memmove(sp->segs, sp->segs + 1, (sp->n - 1) * sizeof(*sp->segs));
	sp->n--;
	if (!sp->n)
		sp->sealed = false;
}

int bh_spool_open(const char *dir, uint64_t max_bytes, bh_spool **out, bh_error *err)
{
	bh_spool *sp;
	DIR *d;
	struct dirent *de;
	char path[4096];
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return bh_error_set(err, BH_EIO, "spool %s: cannot make the directory: %s", dir, strerror(errno));
	if (!(sp = calloc(1, sizeof(*sp))) || !(sp->dir = strdup(dir))) {
		free(sp);
		return bh_error_set(err, BH_ENOMEM, "spool: out of memory");
	}
	sp->max_bytes = max_bytes ? max_bytes : BH_SPOOL_MAX_DEFAULT;
	if (!(d = opendir(dir))) {
		rc = bh_error_set(err, BH_EIO, "spool %s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		struct seg s;
		struct stat st;
		char tail[8];
		memset(&s, 0, sizeof(s));
		if (sscanf(de->d_name, "seg-%20" SCNu64 "%7s", &s.num, tail) != 2 || strcmp(tail, ".jsonl") != 0)
			continue;
		if (seg_path(sp, s.num, path, sizeof(path)) || stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		s.bytes = (uint64_t)st.st_size;
		if ((rc = seg_push(sp, &s)) != 0) {
			closedir(d);
			bh_error_set(err, rc, "spool: out of memory");
			goto fail;
		}
		sp->total += s.bytes;
	}
	closedir(d);
	if (sp->n) {
		qsort(sp->segs, sp->n, sizeof(*sp->segs), seg_cmp);
		seg_path(sp, sp->segs[sp->n - 1].num, path, sizeof(path));
		sp->segs[sp->n - 1].lines = count_lines(path);
	}
	snprintf(path, sizeof(path), "%s/seq", dir);
	if ((fp = fopen(path, "r")) != NULL) {
		long long v = 0;
		if (fscanf(fp, "%lld", &v) == 1 && v > 0)
			sp->seq = v;
		fclose(fp);
	}
	*out = sp;
	return 0;
fail:
	bh_spool_close(sp);
	return rc;
}

void bh_spool_close(bh_spool *sp)
{
	if (!sp)
		return;
	free(sp->segs);
	free(sp->dir);
	free(sp);
}

int bh_spool_reserve_seq(bh_spool *sp, size_t n, int64_t *first, bh_error *err)
{
	char path[4096], tmp[4096 + 8];
	FILE *fp;
	int ok;
	if (n == 0 || n > (size_t)INT64_MAX || sp->seq > INT64_MAX - (int64_t)n)
		return bh_error_set(err, BH_ELIMIT, "spool %s: sequence number exhausted", sp->dir);
	snprintf(path, sizeof(path), "%s/seq", sp->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(fp = fopen(tmp, "w")))
		return bh_error_set(err, BH_EIO, "spool %s: %s", tmp, strerror(errno));
	ok = fprintf(fp, "%" PRId64 "\n", sp->seq + (int64_t)n) > 0;
	ok = fflush(fp) == 0 && ok;
	ok = fsync(fileno(fp)) == 0 && ok; /* a seq handed out twice would be de-duplicated away by the server */
	ok = fclose(fp) == 0 && ok;
	if (!ok || rename(tmp, path))
		return bh_error_set(err, BH_EIO, "spool %s: cannot write: %s", path, strerror(errno));
	*first = sp->seq + 1;
	sp->seq += (int64_t)n;
	return 0;
}

int bh_spool_next_seq(bh_spool *sp, int64_t *seq, bh_error *err)
{
	return bh_spool_reserve_seq(sp, 1, seq, err);
}

int bh_spool_append(bh_spool *sp, const char *line, size_t len, bh_error *err)
{
	char path[4096];
	struct seg *last = sp->n ? &sp->segs[sp->n - 1] : NULL;
	uint64_t seg_max = sp->max_bytes / 4 < BH_SPOOL_SEG_BYTES ? sp->max_bytes / 4 : BH_SPOOL_SEG_BYTES;
	FILE *fp;
	int ok;
	if (len >= UINT64_MAX / 2 || memchr(line, '\n', len))
		return bh_error_set(err, BH_EINVAL, "spool: a line must not hold a newline");
	if (!last || sp->sealed || last->lines >= BH_SPOOL_SEG_LINES || (last->bytes && last->bytes + len + 1 > seg_max)) {
		struct seg s;
		memset(&s, 0, sizeof(s));
		s.num = last ? last->num + 1 : 1;
		if (seg_push(sp, &s))
			return bh_error_set(err, BH_ENOMEM, "spool: out of memory");
		last = &sp->segs[sp->n - 1];
		sp->sealed = false;
	}
	if (seg_path(sp, last->num, path, sizeof(path)))
		return bh_error_set(err, BH_EUSAGE, "spool %s: path too long", sp->dir);
	if (!(fp = fopen(path, "a")))
		return bh_error_set(err, BH_EIO, "spool %s: %s", path, strerror(errno));
	ok = fwrite(line, 1, len, fp) == len && putc('\n', fp) != EOF;
	ok = fflush(fp) == 0 && ok;
	ok = fclose(fp) == 0 && ok;
	if (!ok)
		return bh_error_set(err, BH_EIO, "spool %s: cannot write: %s", path, strerror(errno));
	last->bytes += len + 1;
	last->lines++;
	sp->total += len + 1;
	/* full: the oldest go first, so what is kept is the most recent state of the host */
	while (sp->total > sp->max_bytes && sp->n > 1) {
		size_t lines = sp->segs[0].lines;
		if (!lines && !seg_path(sp, sp->segs[0].num, path, sizeof(path)))
			lines = count_lines(path);
		sp->dropped += lines;
		bh_log_warn("agent: spool %s is full (%" PRIu64 " bytes): dropped %zu oldest events (%lu so far)", sp->dir,
			    sp->max_bytes, lines, sp->dropped);
		drop_first(sp);
	}
	return 0;
}

bool bh_spool_empty(const bh_spool *sp) { return sp->n == 0; }
uint64_t bh_spool_bytes(const bh_spool *sp) { return sp->total; }
unsigned long bh_spool_dropped(const bh_spool *sp) { return sp->dropped; }
const char *bh_spool_dir(const bh_spool *sp) { return sp->dir; }

int bh_spool_send_oldest(bh_spool *sp, bh_spool_send_fn fn, void *ud, bh_error *err)
{
	char path[4096];
	FILE *fp;
	char *data;
	size_t len, lines = 0, i;
	int rc;
	if (!sp->n)
		return 0;
	if (sp->n == 1)
		sp->sealed = true; /* new lines go to a new segment, after this one */
	if (seg_path(sp, sp->segs[0].num, path, sizeof(path)))
		return bh_error_set(err, BH_EUSAGE, "spool %s: path too long", sp->dir);
	if (!(fp = fopen(path, "r"))) {
		if (errno == ENOENT) { /* removed behind our back: nothing to send */
			drop_first(sp);
			return 1;
		}
		return bh_error_set(err, BH_EIO, "spool %s: %s", path, strerror(errno));
	}
	if (sp->segs[0].bytes > BH_SPOOL_SEG_BYTES * 4) {
		fclose(fp);
		bh_log_warn("agent: spool segment %s is oversized: dropped", path);
		drop_first(sp);
		return 1;
	}
	len = (size_t)sp->segs[0].bytes;
	if (!(data = malloc(len + 1))) {
		fclose(fp);
		return bh_error_set(err, BH_ENOMEM, "spool: out of memory");
	}
	len = fread(data, 1, len, fp);
	fclose(fp);
	/* a torn last line (crash mid-write) is cut off rather than sent */
	while (len && data[len - 1] != '\n')
		len--;
	for (i = 0; i < len; i++)
		lines += data[i] == '\n';
	rc = lines ? fn(ud, data, len, lines, err) : 0;
	free(data);
	if (rc)
		return rc;
	drop_first(sp);
	return 1;
}
