/* stamp.c - report time and UUIDs, reproducible under SOURCE_DATE_EPOCH. */
#include "core/stamp.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/product.h"

static bool reproducible(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	return sde && *sde;
}

void bh_stamp_time(char out[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void uuid_format(unsigned char b[16], unsigned version, char out[37])
{
	b[6] = (unsigned char)((b[6] & 0x0f) | (version << 4));
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void bh_stamp_uuid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	uuid_format(b, 4, out);
}

void bh_stamp_digest_add(bh_stamp_digest *d, const char *s)
{
	/* length-prefixed so ("ab","c") and ("a","bc") differ; (size_t)-1 stands for NULL */
	size_t n = s ? strlen(s) : (size_t)-1;
	if (!d->md)
		return;
	if (EVP_DigestUpdate(d->md, &n, sizeof(n)) != 1 || (s && EVP_DigestUpdate(d->md, s, n) != 1))
		d->failed = true;
}

void bh_stamp_digest_begin(bh_stamp_digest *d, const char *salt)
{
	d->md = NULL;
	d->failed = false;
	d->on = reproducible();
	if (!d->on)
		return;
	if (!(d->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		d->failed = true;
		return;
	}
	bh_stamp_digest_add(d, "bulkhead " BH_VERSION);
	bh_stamp_digest_add(d, salt);
}

int bh_stamp_digest_uuid(bh_stamp_digest *d, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	bool ok = d->on && d->md && !d->failed && EVP_DigestFinal_ex(d->md, md, &mdlen) == 1 && mdlen >= 16;
	bool on = d->on;
	EVP_MD_CTX_free(d->md);
	d->md = NULL;
	if (!ok) {
		bh_stamp_uuid(out);
		return on ? BH_ENOMEM : 0;
	}
	/* name-based: version 5's layout (CycloneDX's pattern accepts 1-5), SHA-256 instead of SHA-1 */
	uuid_format(md, 5, out);
	return 0;
}
