/* Placement (docs/scaling.md): which shard sells a venue. The shard map
 * lives in a JetStream KV bucket, so every router reads the same one:
 * key "shards" holds the number of shards, key "venue.<code>" an override
 * for one venue (a venue moved by hand, a hot venue given a shard of its
 * own). Without an override the shard is
 *     jump_consistent_hash(XXH3_64bits(code), shards)
 * (Lamping & Veach): no table, and going from n to n + 1 shards moves only
 * 1/(n + 1) of the venues. */
#include <stdint.h>
#include <string.h>

#include "error.h"

#ifdef TIX_HAVE_NATS
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <xxhash.h>

#define SHARDS_KEY "shards"
#define CODE_MAX 200

struct tix_placement {
    natsConnection *nc;
    jsCtx *js;
    kvStore *kv;
};

static int fail(natsStatus s, const char *what)
{
    return tix__err(TIX_EREPL, "placement: %s: %s", what, natsStatus_GetText(s));
}

/* Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm". */
static uint32_t jump(uint64_t key, uint32_t buckets)
{
    int64_t b = -1, j = 0;
    while (j < (int64_t)buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = (int64_t)((double)(b + 1) * ((double)(1LL << 31) / (double)((key >> 33) + 1)));
    }
    return (uint32_t)b;
}

static int code_check(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > CODE_MAX)
        return tix__err(TIX_EINVAL, "placement: venue code must be 1..%d bytes", CODE_MAX);
    for (const char *c = code; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_'))
            return tix__err(TIX_EINVAL, "placement: venue code '%s': only "
                            "[a-z0-9_-]", code);
    return TIX_OK;
}

int tix_placement_open(const char *urls, const char *bucket, tix_placement **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(urls);
    if (!bucket) bucket = "tix_placement";
    struct tix_placement *p = calloc(1, sizeof *p);
    if (!p) return tix__err(TIX_ENOMEM, "out of memory");
    natsStatus s = natsConnection_ConnectTo(&p->nc, urls);
    if (s == NATS_OK) s = natsConnection_JetStream(&p->js, p->nc, NULL);
    if (s == NATS_OK && js_KeyValue(&p->kv, p->js, bucket) != NATS_OK) {
        kvConfig kc;
        kvConfig_Init(&kc);
        kc.Bucket = bucket;
        kc.History = 5;
        s = js_CreateKeyValue(&p->kv, p->js, &kc);
        if (s != NATS_OK) s = js_KeyValue(&p->kv, p->js, bucket); /* a race */
    }
    if (s != NATS_OK) {
        tix_placement_close(p);
        return fail(s, "open the shard map");
    }
    *out = p;
    return TIX_OK;
}

void tix_placement_close(tix_placement *p)
{
    if (!p) return;
    if (p->kv) kvStore_Destroy(p->kv);
    if (p->js) jsCtx_Destroy(p->js);
    if (p->nc) natsConnection_Destroy(p->nc);
    free(p);
}

int tix_placement_set_shards(tix_placement *p, uint32_t shards)
{
    TIX__ARG(p);
    if (shards < 1 || shards > 65536)
        return tix__err(TIX_ERANGE, "placement: shards %u not in 1..65536", shards);
    char v[16];
    snprintf(v, sizeof v, "%u", shards);
    natsStatus s = kvStore_PutString(NULL, p->kv, SHARDS_KEY, v);
    return s == NATS_OK ? TIX_OK : fail(s, "set the number of shards");
}

/* A key's value as an unsigned number; TIX_ENOTFOUND when absent. */
static int get_u32(tix_placement *p, const char *key, uint32_t *out)
{
    kvEntry *e = NULL;
    natsStatus s = kvStore_Get(&e, p->kv, key);
    if (s == NATS_NOT_FOUND) return TIX_ENOTFOUND;
    if (s != NATS_OK) return fail(s, key);
    char buf[16] = "";
    int n = kvEntry_ValueLen(e);
    if (n > 0 && n < (int)sizeof buf) memcpy(buf, kvEntry_Value(e), (size_t)n);
    kvEntry_Destroy(e);
    char *end;
    unsigned long v = strtoul(buf, &end, 10);
    if (!buf[0] || *end || v > UINT32_MAX)
        return tix__err(TIX_ECORRUPT, "placement: %s holds '%s', not a number", key, buf);
    *out = (uint32_t)v;
    return TIX_OK;
}

int tix_placement_override(tix_placement *p, const char *venue_code, int64_t shard)
{
    TIX__ARG(p);
    int rc = code_check(venue_code);
    if (rc) return rc;
    char key[CODE_MAX + 8];
    snprintf(key, sizeof key, "venue.%s", venue_code);
    if (shard < 0) {
        natsStatus s = kvStore_Delete(p->kv, key);
        return s == NATS_OK ? TIX_OK : fail(s, "remove an override");
    }
    uint32_t n;
    if ((rc = get_u32(p, SHARDS_KEY, &n)) == TIX_ENOTFOUND)
        return tix__err(TIX_ESTATE, "placement: set the number of shards first");
    if (rc) return rc;
    if (shard >= n)
        return tix__err(TIX_ERANGE, "placement: shard %lld, there are %u",
                        (long long)shard, n);
    char v[16];
    snprintf(v, sizeof v, "%lld", (long long)shard);
    natsStatus s = kvStore_PutString(NULL, p->kv, key, v);
    return s == NATS_OK ? TIX_OK : fail(s, "set an override");
}

int tix_placement_shard_of(tix_placement *p, const char *venue_code, uint32_t *shard,
                           int *overridden)
{
    TIX__ARG(p);
    TIX__ARG(shard);
    int rc = code_check(venue_code);
    if (rc) return rc;
    char key[CODE_MAX + 8];
    snprintf(key, sizeof key, "venue.%s", venue_code);
    uint32_t n;
    rc = get_u32(p, key, shard);
    if (overridden) *overridden = rc == TIX_OK;
    if (rc != TIX_ENOTFOUND) return rc;
    if ((rc = get_u32(p, SHARDS_KEY, &n)) == TIX_ENOTFOUND)
        return tix__err(TIX_ESTATE, "placement: the shard map has no number of shards");
    if (rc) return rc;
    *shard = jump(XXH3_64bits(venue_code, strlen(venue_code)), n);
    return TIX_OK;
}

#else

int tix_placement_open(const char *urls, const char *bucket, tix_placement **out)
{
    (void)urls;
    (void)bucket;
    if (out) *out = NULL;
    return tix__err(TIX_ESTATE, "this libtix was built without NATS (TIX_REPL=OFF)");
}

void tix_placement_close(tix_placement *p) { (void)p; }

int tix_placement_set_shards(tix_placement *p, uint32_t shards)
{
    (void)p;
    (void)shards;
    return tix__err(TIX_ESTATE, "this libtix was built without NATS");
}

int tix_placement_override(tix_placement *p, const char *venue_code, int64_t shard)
{
    (void)p;
    (void)venue_code;
    (void)shard;
    return tix__err(TIX_ESTATE, "this libtix was built without NATS");
}

int tix_placement_shard_of(tix_placement *p, const char *venue_code, uint32_t *shard,
                           int *overridden)
{
    (void)p;
    (void)venue_code;
    (void)shard;
    (void)overridden;
    return tix__err(TIX_ESTATE, "this libtix was built without NATS");
}
#endif
