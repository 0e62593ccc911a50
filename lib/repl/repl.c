/* Replication through NATS JetStream; the design is in repl.h and
 * docs/replication.md. */
#include "repl.h"

#include <stdint.h>
#include <string.h>

#include "error.h"

/* ---- a replicated store opened without replication ----------------------
 * Its writes would reach LMDB and never the stream: the followers would
 * silently miss them and the store's place in the stream would lie. So a
 * store that holds a stream position ("repl.seq") and is opened without
 * repl_urls reads, but refuses every write that changes something. */
#define GUARD_KEY "repl.seq"
static _Thread_local int guard_changes;

static int guard_begin(tix_db *db, MDB_txn *txn)
{
    (void)db;
    (void)txn;
    guard_changes = 0;
    return TIX_OK;
}

static int guard_change(tix_db *db, int op, int table, unsigned flags,
                        const MDB_val *k, const MDB_val *v, size_t *mark)
{
    (void)db, (void)op, (void)table, (void)flags, (void)k, (void)v;
    *mark = 0;
    guard_changes++;
    return 0;
}

static int guard_precommit(tix_db *db, MDB_txn *txn)
{
    (void)txn;
    if (!guard_changes) return TIX_OK;
    return tix__err(TIX_EFENCED, "store %s is replicated (it holds a place in "
                    "a JetStream stream): open it with repl_urls to write",
                    db->path);
}

static const tix__txn_observer guard_observer = {
    .begin = guard_begin,
    .change = guard_change,
    .precommit = guard_precommit,
};

static int guard_open(tix_db *db)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_val k = {sizeof GUARD_KEY - 1, GUARD_KEY}, v;
    int mrc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    tix__db_read_end(db, txn);
    return mrc == 0 ? tix__db_observe(db, &guard_observer) : TIX_OK;
}

#ifdef TIX_HAVE_NATS
#include <errno.h>
#include <limits.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "engine.h"
#include "redo.h"
#include "seatword.h"
#include "tables.h"

#define REC_MAGIC "TIXREPL1"
#define REC_HDR 48u
#define SEQ_KEY GUARD_KEY
#define LEASE_KEY "primary"
#define BATCH_MAX 256
#define URLS_MAX 16

struct tix_repl {
    char stream[64], subject[96], bucket[96], holder[PATH_MAX + 160];
    uint32_t timeout_ms, lease_ms;
    natsConnection *nc;
    jsCtx *js;
    kvStore *kv;
    /* Role, fencing, the lease and the applied sequence: read by every
     * write's precommit and by status, changed by follow, promote and the
     * lease thread. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned role;
    int fenced;
    char fence_msg[320];
    int doubt; /* a publish got no answer: the stream may hold it */
    uint64_t applied;
    uint64_t lease_rev;
    int64_t lease_ok_ms;
    pthread_t lease_thread;
    int lease_on, stop;
    /* The write transaction in progress (under LMDB's writer lock). */
    uint8_t *buf;
    size_t len, cap;
    int capturing, applying, published;
    uint64_t pending_seq;
    /* Following: one follow or promote at a time. */
    pthread_mutex_t follow_mu;
    natsSubscription *sub;
    int stopped_rc;
    char stopped_msg[512];
    unsigned replicas;
    /* The change feed's state (feed.c), freed through feed_free. */
    void *feed;
    void (*feed_free)(void *);
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int nats_fail(int code, natsStatus s, jsErrCode jerr, const char *what)
{
    if (jerr)
        return tix__err(code, "replication: %s: %s (JetStream error %d)", what,
                        natsStatus_GetText(s), (int)jerr);
    return tix__err(code, "replication: %s: %s", what, natsStatus_GetText(s));
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* ---- configuration and connection -------------------------------------- */

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int config(tix_db *db, struct tix_repl *r, unsigned *replicas)
{
    const tix_config *c = &db->cfg;
    const char *stream = c->repl_stream ? c->repl_stream : "TIX";
    if (!name_ok(stream))
        return tix__err(TIX_EINVAL, "repl_stream '%s': 1..40 letters, digits, "
                                    "'-' or '_'", stream);
    r->role = c->repl_role ? c->repl_role : TIX_REPL_PRIMARY;
    if (r->role != TIX_REPL_PRIMARY && r->role != TIX_REPL_FOLLOWER)
        return tix__err(TIX_EINVAL, "repl_role %u is neither TIX_REPL_PRIMARY "
                                    "nor TIX_REPL_FOLLOWER", c->repl_role);
    *replicas = c->repl_replicas ? c->repl_replicas : 3;
    r->lease_ms = c->repl_lease_ms ? c->repl_lease_ms : 5000;
    r->timeout_ms = c->repl_timeout_ms ? c->repl_timeout_ms : 2000;
    if (*replicas > 5) return tix__err(TIX_EINVAL, "repl_replicas %u not in 1..5", *replicas);
    if (r->lease_ms < 500 || r->lease_ms > 600000)
        return tix__err(TIX_EINVAL, "repl_lease_ms %u not in 500..600000", r->lease_ms);
    if (r->timeout_ms < 50 || r->timeout_ms > 60000)
        return tix__err(TIX_EINVAL, "repl_timeout_ms %u not in 50..60000", r->timeout_ms);
    snprintf(r->stream, sizeof r->stream, "%s", stream);
    snprintf(r->subject, sizeof r->subject, "tix.%s.redo", stream);
    snprintf(r->bucket, sizeof r->bucket, "tix_lease_%s", stream);
    /* The same holder for every process of this machine on this store, so
     * that they share one lease and a restarted primary takes its own back
     * at once; a follower elsewhere (another host or directory) differs. */
    char host[128] = "?", real[PATH_MAX];
    gethostname(host, sizeof host - 1);
    if (!realpath(db->path, real)) snprintf(real, sizeof real, "%s", db->path);
    snprintf(r->holder, sizeof r->holder, "%.127s:%s", host, real);
    return TIX_OK;
}

/* nats.c reports asynchronous errors here; they surface as the failed
 * call's error instead (the library never prints). */
static void quiet(natsConnection *nc, natsSubscription *sub, natsStatus err,
                  void *closure)
{
    (void)nc;
    (void)sub;
    (void)err;
    (void)closure;
}

static int connect_to(struct tix_repl *r, const char *urls)
{
    char copy[2048];
    if (strlen(urls) >= sizeof copy)
        return tix__err(TIX_ETOOLONG, "repl_urls is longer than %zu bytes", sizeof copy - 1);
    snprintf(copy, sizeof copy, "%s", urls);
    const char *servers[URLS_MAX];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t && n < URLS_MAX;
         t = strtok_r(NULL, ", ", &save))
        servers[n++] = t;
    if (n == 0) return tix__err(TIX_EINVAL, "repl_urls names no server");
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetServers(o, servers, n);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, r->timeout_ms);
    if (s == NATS_OK) s = natsOptions_SetName(o, "libtix");
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, 100);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, quiet, NULL);
    if (s == NATS_OK) s = natsConnection_Connect(&r->nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) return nats_fail(TIX_EREPL, s, 0, "connect to NATS");
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = r->timeout_ms;
    s = natsConnection_JetStream(&r->js, r->nc, &jo);
    return s == NATS_OK ? TIX_OK : nats_fail(TIX_EREPL, s, 0, "JetStream context");
}

static int ensure_stream(struct tix_repl *r, unsigned replicas)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, r->js, r->stream, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return TIX_OK;
    }
    if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr)
        return nats_fail(TIX_EREPL, s, jerr, "stream info");
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[1] = {r->subject};
    sc.Name = r->stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = replicas;
    jerr = 0;
    s = js_AddStream(&si, r->js, &sc, NULL, &jerr);
    if (s == NATS_OK) jsStreamInfo_Destroy(si);
    if (s == NATS_OK || jerr == JSStreamNameExistErr) return TIX_OK;
    return nats_fail(TIX_EREPL, s, jerr, "create the stream");
}

static int ensure_bucket(struct tix_repl *r, unsigned replicas)
{
    natsStatus s = js_KeyValue(&r->kv, r->js, r->bucket);
    if (s == NATS_OK) return TIX_OK;
    kvConfig kc;
    kvConfig_Init(&kc);
    kc.Bucket = r->bucket;
    kc.History = 1;
    kc.TTL = (int64_t)r->lease_ms * 1000000; /* nanoseconds: nats.c 3.4 hands it on as the stream MaxAge */
    kc.Replicas = (int)replicas;
    s = js_CreateKeyValue(&r->kv, r->js, &kc);
    if (s == NATS_OK) return TIX_OK;
    const char *why = nats_GetLastError(NULL);
    char msg[256];
    snprintf(msg, sizeof msg, "create lease bucket %s (%s)", r->bucket,
             why ? why : "?");
    if (js_KeyValue(&r->kv, r->js, r->bucket) == NATS_OK) return TIX_OK; /* a race */
    return nats_fail(TIX_EREPL, s, 0, msg);
}

static int stream_last(struct tix_repl *r, uint64_t *last)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, r->js, r->stream, NULL, &jerr);
    if (s != NATS_OK) return nats_fail(TIX_EREPL, s, jerr, "stream info");
    *last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    return TIX_OK;
}

/* ---- the store's place in the stream ----------------------------------- */

static int seq_get(MDB_txn *txn, tix_db *db, uint64_t *seq, int *found)
{
    MDB_val k = {sizeof SEQ_KEY - 1, SEQ_KEY}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    *found = rc == 0;
    *seq = 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "replication sequence");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "replication sequence is malformed");
    *seq = tix__be64_get(v.mv_data);
    return TIX_OK;
}

static int seq_read(tix_db *db, uint64_t *seq, int *found)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = seq_get(txn, db, seq, found);
    tix__db_read_end(db, txn);
    return rc;
}

/* ---- the lease --------------------------------------------------------- */

/* Takes the lease, or adopts it when it is already ours (this machine's
 * store); TIX_EBUSY naming the holder when another has it, TIX_EAGAIN when
 * it lapsed while we looked. Under follow_mu or from the lease thread. */
static int lease_take(struct tix_repl *r)
{
    uint64_t rev = 0;
    int len = (int)strlen(r->holder);
    natsStatus s = kvStore_Create(&rev, r->kv, LEASE_KEY, r->holder, len);
    if (s != NATS_OK) {
        kvEntry *e = NULL;
        natsStatus g = kvStore_Get(&e, r->kv, LEASE_KEY);
        if (g == NATS_NOT_FOUND) return TIX_EAGAIN;
        if (g != NATS_OK) return nats_fail(TIX_EREPL, g, 0, "read the lease");
        int mine = kvEntry_ValueLen(e) == len &&
                   memcmp(kvEntry_Value(e), r->holder, (size_t)len) == 0;
        uint64_t seen = kvEntry_Revision(e);
        int rc = mine ? TIX_OK
                      : tix__err(TIX_EBUSY, "replication: the lease of stream "
                                 "%s is held by %.*s; it lapses %u ms after its "
                                 "last renewal", r->stream, kvEntry_ValueLen(e),
                                 (const char *)kvEntry_Value(e), r->lease_ms);
        kvEntry_Destroy(e);
        if (rc) return rc;
        s = kvStore_Update(&rev, r->kv, LEASE_KEY, r->holder, len, seen);
        if (s != NATS_OK) return TIX_EAGAIN;
    }
    pthread_mutex_lock(&r->mu);
    r->lease_rev = rev;
    r->lease_ok_ms = mono_ms();
    pthread_mutex_unlock(&r->mu);
    return TIX_OK;
}

static void fence(struct tix_repl *r, const char *why)
{
    pthread_mutex_lock(&r->mu);
    r->fenced = 1;
    r->role = TIX_REPL_FOLLOWER;
    snprintf(r->fence_msg, sizeof r->fence_msg, "%s", why);
    pthread_mutex_unlock(&r->mu);
}

static void lease_renew(struct tix_repl *r)
{
    pthread_mutex_lock(&r->mu);
    uint64_t rev = r->lease_rev;
    int fenced = r->fenced;
    pthread_mutex_unlock(&r->mu);
    if (fenced) return;
    uint64_t next = 0;
    natsStatus s = kvStore_Update(&next, r->kv, LEASE_KEY, r->holder,
                                  (int)strlen(r->holder), rev);
    if (s == NATS_OK) {
        pthread_mutex_lock(&r->mu);
        r->lease_rev = next;
        r->lease_ok_ms = mono_ms();
        pthread_mutex_unlock(&r->mu);
        return;
    }
    /* Lapsed (nobody took it: take it again) or taken by another process
     * of ours (adopt it), or by another primary: then we are fenced. */
    int rc = lease_take(r);
    if (rc == TIX_EBUSY) fence(r, tix_errmsg());
}

static void *lease_main(void *arg)
{
    struct tix_repl *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (int64_t)(r->lease_ms / 3) * 1000000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&r->cv, &r->mu, &until);
        if (r->stop) break;
        pthread_mutex_unlock(&r->mu);
        lease_renew(r);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static int lease_start(struct tix_repl *r)
{
    if (r->lease_on) return TIX_OK;
    if (pthread_create(&r->lease_thread, NULL, lease_main, r) != 0)
        return tix__err(TIX_ENOMEM, "cannot start the lease thread");
    r->lease_on = 1;
    return TIX_OK;
}

/* ---- the primary's write path (a transaction observer) ----------------- */

static int obs_begin(tix_db *db, MDB_txn *txn)
{
    (void)txn;
    struct tix_repl *r = db->repl;
    r->len = REC_HDR;
    r->capturing = 1;
    r->applying = 0;
    r->published = 0;
    return TIX_OK;
}

static int capture(tix_db *db, int op, int table, unsigned flags,
                   const MDB_val *k, const MDB_val *v, size_t *mark)
{
    struct tix_repl *r = db->repl;
    *mark = r->len;
    if (!r->capturing) return 0;
    size_t n = tix__redo_size(k, v);
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n) cap *= 2;
        uint8_t *b = realloc(r->buf, cap);
        if (!b) return ENOMEM;
        r->buf = b;
        r->cap = cap;
    }
    tix__redo_put(r->buf + r->len, op, table, flags, k, v);
    r->len += n;
    return 0;
}

static void capture_undo(tix_db *db, size_t mark)
{
    if (db->repl->capturing) db->repl->len = mark;
}

static void capture_mark(tix_db *db, size_t *mark) { *mark = db->repl->len; }

static uint64_t rec_hash(const uint8_t *rec, size_t len)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, rec, 40);
    XXH3_64bits_update(&st, rec + REC_HDR, len);
    return XXH3_64bits_digest(&st);
}

static void rec_frame(tix_db *db, uint8_t *rec, uint64_t seq, size_t len)
{
    uint64_t l = len;
    memcpy(rec, REC_MAGIC, 8);
    memcpy(rec + 8, db->identity, 16);
    memcpy(rec + 24, &seq, 8);
    memcpy(rec + 32, &l, 8);
    uint64_t h = rec_hash(rec, len);
    memcpy(rec + 40, &h, 8);
}

/* Whether this handle may publish now; under mu. */
static int may_write(struct tix_repl *r)
{
    if (r->fenced)
        return tix__err(TIX_EFENCED, "replication: fenced: %s; "
                        "tix_replica_promote reconciles", r->fence_msg);
    if (r->role != TIX_REPL_PRIMARY)
        return tix__err(TIX_EFENCED, "replication: this store follows stream "
                        "%s; writes go to its primary (or tix_replica_promote)",
                        r->stream);
    if (mono_ms() - r->lease_ok_ms >= (int64_t)r->lease_ms)
        return tix__err(TIX_EFENCED, "replication: the lease of stream %s was "
                        "not renewed for %u ms (NATS unreachable?)", r->stream,
                        r->lease_ms);
    return TIX_OK;
}

/* A publish went unanswered: if the stream holds more than the store, it
 * took that record, and the store must catch up before it sells again. */
static int doubt_resolve(struct tix_repl *r, uint64_t local)
{
    uint64_t last = 0;
    int rc = stream_last(r, &last);
    if (rc) return rc;
    pthread_mutex_lock(&r->mu);
    r->doubt = 0;
    pthread_mutex_unlock(&r->mu);
    if (last == local) return TIX_OK;
    fence(r, "the stream holds a record this store lacks (an unanswered "
             "publish that landed, or another primary)");
    return tix__err(TIX_EFENCED, "replication: stream %s is at %llu, this store "
                    "at %llu; tix_replica_promote reconciles", r->stream,
                    (unsigned long long)last, (unsigned long long)local);
}

static int publish(tix_db *db, struct tix_repl *r, uint64_t last)
{
    size_t len = r->len - REC_HDR;
    rec_frame(db, r->buf, last + 1, len);
    /* No message id: the server checks a duplicate id before the expected
     * sequence, and a follower promoted from a copy of this store would
     * publish the same ids, so a stale primary's record would be
     * "acknowledged" as the other's (found by tests/repl, fencing). A
     * record is never published twice, so there is nothing to dedupe. */
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = r->timeout_ms;
    po.ExpectStream = r->stream;
    po.ExpectLastSeq = last;
    /* nats.c sends no expectation for 0: say "the stream is empty" (its one
     * subject has no message) so that the first record is fenced too. */
    po.ExpectNoMessage = last == 0;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_Publish(&pa, r->js, r->subject, r->buf, (int)r->len, &po, &jerr);
    uint64_t got = pa ? pa->Sequence : 0;
    int dup = pa && pa->Duplicate;
    if (pa) jsPubAck_Destroy(pa);
    if (s == NATS_OK && got == last + 1 && !dup) return TIX_OK;
    if (jerr == JSStreamWrongLastSequenceErr || dup) {
        fence(r, "another primary wrote to the stream after this store");
        return tix__err(TIX_EFENCED, "replication: stream %s moved past %llu "
                        "(JetStream error 10071): another primary wrote; this "
                        "store is fenced", r->stream, (unsigned long long)last);
    }
    if (s == NATS_OK) /* a duplicate id answered with another sequence */
        return tix__err(TIX_EREPL, "replication: record %llu was acknowledged "
                        "as %llu", (unsigned long long)(last + 1),
                        (unsigned long long)got);
    if (s == NATS_NO_RESPONDERS) /* nobody took it: surely not stored */
        return tix__err(TIX_EREPL, "replication: no JetStream server answered "
                        "for stream %s (no leader right now, or reconnecting); "
                        "nothing was committed", r->stream);
    if (!jerr) { /* no answer: it may have landed */
        pthread_mutex_lock(&r->mu);
        r->doubt = 1;
        pthread_mutex_unlock(&r->mu);
        return tix__err(TIX_EREPL, "replication: no acknowledgement from stream "
                        "%s within %u ms (%s); nothing was committed", r->stream,
                        r->timeout_ms, natsStatus_GetText(s));
    }
    return nats_fail(TIX_EREPL, s, jerr, "the stream refused the record");
}

static int obs_precommit(tix_db *db, MDB_txn *txn)
{
    struct tix_repl *r = db->repl;
    r->capturing = 0;
    if (r->applying || r->len == REC_HDR) return TIX_OK;
    pthread_mutex_lock(&r->mu);
    int rc = may_write(r), doubt = r->doubt;
    pthread_mutex_unlock(&r->mu);
    uint64_t last = 0;
    int found;
    /* The sequence is read inside the transaction, under LMDB's writer
     * lock: every process of this machine writing the store agrees on it. */
    if (rc == TIX_OK) rc = seq_get(txn, db, &last, &found);
    if (rc == TIX_OK && doubt) rc = doubt_resolve(r, last);
    if (rc == TIX_OK) rc = publish(db, r, last);
    if (rc) return rc;
    uint8_t be[8];
    tix__be64_put(be, last + 1);
    MDB_val k = {sizeof SEQ_KEY - 1, SEQ_KEY}, v = {8, be};
    /* Not through the observers: the record cannot name its own sequence
     * key, and a follower writes it when it applies the record. */
    int mrc = mdb_put(txn, db->dbi[TIX_T_META], &k, &v, 0);
    r->published = 1;
    r->pending_seq = last + 1;
    return mrc ? tix__mdb_err(mrc, "replication sequence") : TIX_OK;
}

static int obs_postcommit(tix_db *db, int committed)
{
    struct tix_repl *r = db->repl;
    r->capturing = 0;
    r->applying = 0;
    if (!r->published) return TIX_OK;
    r->published = 0;
    pthread_mutex_lock(&r->mu);
    if (committed) r->applied = r->pending_seq;
    else r->doubt = 1; /* the stream has a record the store lacks */
    pthread_mutex_unlock(&r->mu);
    return TIX_OK;
}

static const tix__txn_observer repl_observer = {
    .begin = obs_begin,
    .change = capture,
    .undo = capture_undo,
    .savepoint = capture_mark,
    .precommit = obs_precommit,
    .postcommit = obs_postcommit,
};

/* ---- the follower: apply records in order ------------------------------ */

struct rec {
    natsMsg *msg;
    uint64_t seq;
    const uint8_t *ops;
    size_t len;
};

/* Checks one message; 1 when it is the next record, 0 when the store
 * already holds it (a redelivery), TIX_ECORRUPT otherwise. */
static int rec_check(tix_db *db, struct tix_repl *r, natsMsg *m, uint64_t want,
                     struct rec *out)
{
    jsMsgMetaData *meta = NULL;
    if (natsMsg_GetMetaData(&meta, m) != NATS_OK)
        return tix__err(TIX_ECORRUPT, "replication: a message of stream %s has "
                        "no stream sequence", r->stream);
    uint64_t at = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    if (at < want) return 0;
    const uint8_t *p = (const uint8_t *)natsMsg_GetData(m);
    size_t n = (size_t)natsMsg_GetDataLength(m);
    uint64_t seq, len, hash;
    if (n < REC_HDR || memcmp(p, REC_MAGIC, 8) != 0)
        return tix__err(TIX_ECORRUPT, "replication: message %llu of stream %s "
                        "is not a libtix record", (unsigned long long)at, r->stream);
    memcpy(&seq, p + 24, 8);
    memcpy(&len, p + 32, 8);
    memcpy(&hash, p + 40, 8);
    if (len != n - REC_HDR || rec_hash(p, len) != hash)
        return tix__err(TIX_ECORRUPT, "replication: record %llu of stream %s "
                        "is torn (length or checksum)", (unsigned long long)at,
                        r->stream);
    if (memcmp(p + 8, db->identity, 16) != 0) {
        char theirs[33], ours[33];
        hex(p + 8, 16, theirs);
        hex(db->identity, 16, ours);
        return tix__err(TIX_ECORRUPT, "replication: record %llu of stream %s is "
                        "another store's (%s; this store is %s)",
                        (unsigned long long)at, r->stream, theirs, ours);
    }
    if (seq != at)
        return tix__err(TIX_ECORRUPT, "replication: record %llu of stream %s "
                        "says it is %llu: replayed", (unsigned long long)at,
                        r->stream, (unsigned long long)seq);
    if (at != want)
        return tix__err(TIX_ECORRUPT, "replication: stream %s skips from %llu "
                        "to %llu (records were removed): reseed this store",
                        r->stream, (unsigned long long)(want - 1),
                        (unsigned long long)at);
    out->msg = m;
    out->seq = seq;
    out->ops = p + REC_HDR;
    out->len = (size_t)len;
    return 1;
}

struct batch {
    struct rec recs[BATCH_MAX];
    int n;
};

static int apply_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct batch *b = arg;
    db->repl->applying = 1; /* inside the transaction: its precommit skips */
    db->repl->capturing = 0;
    for (int i = 0; i < b->n; i++) {
        int rc = tix__redo_apply(db, txn, b->recs[i].ops, b->recs[i].len, 1,
                                 "replication apply");
        if (rc) return rc;
    }
    uint8_t be[8];
    tix__be64_put(be, b->recs[b->n - 1].seq);
    MDB_val k = {sizeof SEQ_KEY - 1, SEQ_KEY}, v = {8, be};
    int mrc = tix__db_raw_put(db, txn, TIX_T_META, &k, &v, 0);
    return mrc ? tix__mdb_err(mrc, "replication sequence") : TIX_OK;
}

/* The seat words of the seats the batch changed now say what LMDB says,
 * so a follower's availability is current. */
static void repair_seats(tix_db *db, const struct batch *b)
{
    if (!db->engine) return;
    for (int i = 0; i < b->n; i++) {
        size_t at = 0;
        tix__redo_op o;
        while (tix__redo_next(b->recs[i].ops, b->recs[i].len, &at, &o, "") == 1) {
            if (o.table != TIX_T_SEAT_STATE || o.k.mv_size != TIX__SHOW_SEAT_KEY_LEN)
                continue;
            const uint8_t *k = o.k.mv_data;
            const tix__show_entry *e;
            uint32_t seat = tix__be32_get(k + 8);
            if (tix__engine_show(db, tix__be64_get(k), &e) != TIX_OK ||
                seat >= e->info.seat_count)
                continue;
            uint64_t now;
            (void)tix__engine_repair(db, e, seat, tix__w_load(&e->seats[seat]), &now);
        }
    }
}

static int sub_open(struct tix_repl *r)
{
    if (r->sub) return TIX_OK;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = r->stream;
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = r->applied + 1;
    jsErrCode jerr = 0;
    natsStatus s = js_SubscribeSync(&r->sub, r->js, r->subject, NULL, &so, &jerr);
    return s == NATS_OK ? TIX_OK : nats_fail(TIX_EREPL, s, jerr, "subscribe to the stream");
}

static void sub_close(struct tix_repl *r)
{
    if (!r->sub) return;
    natsSubscription_Unsubscribe(r->sub);
    natsSubscription_Destroy(r->sub);
    r->sub = NULL;
}

static void batch_free(struct batch *b)
{
    for (int i = 0; i < b->n; i++) natsMsg_Destroy(b->recs[i].msg);
    b->n = 0;
}

/* Gathers the next records (waiting up to @p wait_ms for the first);
 * *bad is set to the error of a record that failed its checks. */
static int gather(tix_db *db, struct tix_repl *r, struct batch *b, int64_t wait_ms,
                  int *bad)
{
    *bad = TIX_OK;
    uint64_t want = r->applied + 1;
    while (b->n < BATCH_MAX) {
        natsMsg *m = NULL;
        int pending = 0;
        if (b->n > 0 && (natsSubscription_GetPending(r->sub, &pending, NULL) !=
                             NATS_OK || pending == 0))
            break;
        natsStatus s = natsSubscription_NextMsg(&m, r->sub, b->n ? 1 : (wait_ms > 0 ? wait_ms : 1));
        if (s == NATS_TIMEOUT) break;
        if (s != NATS_OK) return nats_fail(TIX_EREPL, s, 0, "read the stream");
        int got = rec_check(db, r, m, want, &b->recs[b->n]);
        if (got == 1) {
            b->n++;
            want++;
            continue;
        }
        natsMsg_Destroy(m);
        if (got < 0) {
            *bad = got;
            break;
        }
    }
    return TIX_OK;
}

static int stop_follower(struct tix_repl *r, int rc)
{
    r->stopped_rc = rc;
    snprintf(r->stopped_msg, sizeof r->stopped_msg, "%s", tix_errmsg());
    return rc;
}

/* Applies records until the store holds @p target (0: none in particular)
 * or @p deadline (CLOCK_MONOTONIC ms) passed. Under follow_mu. */
static int pull(tix_db *db, struct tix_repl *r, uint64_t target, int64_t deadline,
                uint64_t *count)
{
    int rc = sub_open(r);
    struct batch *b = calloc(1, sizeof *b);
    if (!b) return tix__err(TIX_ENOMEM, "out of memory");
    while (rc == TIX_OK && !(target && r->applied >= target)) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) break;
        int bad;
        rc = gather(db, r, b, left < 200 ? left : 200, &bad);
        if (rc == TIX_OK && b->n > 0) {
            rc = tix__db_write(db, apply_fn, b);
            if (rc == TIX_OK) {
                repair_seats(db, b);
                pthread_mutex_lock(&r->mu);
                r->applied = b->recs[b->n - 1].seq;
                pthread_mutex_unlock(&r->mu);
                if (count) *count += (uint64_t)b->n;
            }
        }
        batch_free(b);
        if (rc == TIX_OK && bad) rc = stop_follower(r, bad);
    }
    free(b);
    if (rc == TIX_OK && target && r->applied < target)
        rc = tix__err(TIX_EREPL, "replication: stream %s holds %llu records, "
                      "only %llu arrived in time", r->stream,
                      (unsigned long long)target, (unsigned long long)r->applied);
    return rc;
}

static int catch_up(tix_db *db, struct tix_repl *r)
{
    uint64_t last = 0;
    int rc = stream_last(r, &last);
    if (rc || last <= r->applied) return rc;
    return pull(db, r, last, mono_ms() + 10 * (int64_t)r->timeout_ms + 30000, NULL);
}

/* ---- open and close ---------------------------------------------------- */

static int start(tix_db *db, struct tix_repl *r)
{
    unsigned replicas;
    int rc = config(db, r, &replicas);
    r->replicas = replicas;
    if (!rc) rc = connect_to(r, db->cfg.repl_urls);
    if (!rc) rc = ensure_stream(r, replicas);
    if (!rc) rc = ensure_bucket(r, replicas);
    uint64_t seq = 0, last = 0;
    int found = 0;
    if (!rc) rc = seq_read(db, &seq, &found);
    if (!rc) rc = stream_last(r, &last);
    if (!rc && !found && last > 0)
        rc = tix__err(TIX_ESTATE, "replication: store %s has no place in stream "
                      "%s (%llu records): seed it from a backup of the primary "
                      "taken since replication began", db->path, r->stream,
                      (unsigned long long)last);
    if (!rc && seq > last)
        rc = tix__err(TIX_ECORRUPT, "replication: store %s holds record %llu, "
                      "stream %s only %llu: not this store's stream", db->path,
                      (unsigned long long)seq, r->stream, (unsigned long long)last);
    r->applied = seq;
    if (!rc) rc = tix__db_observe(db, &repl_observer);
    if (!rc && r->role == TIX_REPL_PRIMARY) {
        int lrc = lease_take(r);
        if (lrc == TIX_EBUSY || lrc == TIX_EAGAIN) fence(r, tix_errmsg());
        else rc = lrc;
    }
    pthread_mutex_lock(&r->follow_mu);
    if (!rc) rc = catch_up(db, r);
    pthread_mutex_unlock(&r->follow_mu);
    if (!rc && r->role == TIX_REPL_PRIMARY) rc = lease_start(r);
    return rc;
}

int tix__repl_open(tix_db *db)
{
    if (db->readonly) return TIX_OK;
    if (!db->cfg.repl_urls) return guard_open(db);
    struct tix_repl *r = calloc(1, sizeof *r);
    if (!r) return tix__err(TIX_ENOMEM, "out of memory");
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    pthread_mutex_init(&r->follow_mu, NULL);
    db->repl = r;
    return start(db, r);
}

void tix__repl_close(tix_db *db)
{
    struct tix_repl *r = db->repl;
    if (!r) return;
    if (r->lease_on) {
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->lease_thread, NULL);
        /* Gone cleanly: a successor need not wait for the lease to lapse. */
        if (!r->fenced) kvStore_Delete(r->kv, LEASE_KEY);
    }
    sub_close(r);
    if (r->feed) r->feed_free(r->feed);
    if (r->kv) kvStore_Destroy(r->kv);
    if (r->js) jsCtx_Destroy(r->js);
    if (r->nc) {
        natsConnection_Close(r->nc);
        natsConnection_Destroy(r->nc);
    }
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->follow_mu);
    free(r->buf);
    free(r);
    db->repl = NULL;
}

/* ---- for the change feed (feed.c) -------------------------------------- */

natsConnection *tix__repl_conn(tix_db *db, const char **stream,
                               unsigned *replicas, uint32_t *timeout_ms)
{
    struct tix_repl *r = db->repl;
    *stream = r->stream;
    *replicas = r->replicas;
    *timeout_ms = r->timeout_ms;
    return r->nc;
}

void **tix__repl_feed_slot(tix_db *db, void (*destroy)(void *))
{
    db->repl->feed_free = destroy;
    return &db->repl->feed;
}

/* ---- the public calls -------------------------------------------------- */

static int replicated(tix_db *db)
{
    if (!db->repl)
        return tix__err(TIX_ESTATE, "store is not replicated (no repl_urls)");
    if (db->repl->stopped_rc)
        return tix__err_str(db->repl->stopped_rc, db->repl->stopped_msg);
    return TIX_OK;
}

int tix_replica_follow(tix_db *db, uint32_t timeout_ms, uint64_t *applied)
{
    TIX__ARG(db);
    if (applied) *applied = 0;
    int rc = replicated(db);
    if (rc) return rc;
    struct tix_repl *r = db->repl;
    pthread_mutex_lock(&r->mu);
    unsigned role = r->role;
    pthread_mutex_unlock(&r->mu);
    if (role == TIX_REPL_PRIMARY)
        return tix__err(TIX_ESTATE, "the primary of stream %s does not follow it",
                        r->stream);
    pthread_mutex_lock(&r->follow_mu);
    uint64_t last = 0;
    if (timeout_ms == 0) rc = stream_last(r, &last);
    if (rc == TIX_OK && (timeout_ms || last > r->applied))
        rc = pull(db, r, timeout_ms ? 0 : last,
                  mono_ms() + (timeout_ms ? timeout_ms : 10 * r->timeout_ms),
                  applied);
    pthread_mutex_unlock(&r->follow_mu);
    return rc;
}

/* Waits for the lease; under follow_mu. */
static int lease_wait(struct tix_repl *r, uint32_t wait_ms)
{
    int64_t deadline = mono_ms() + wait_ms;
    for (;;) {
        int rc = lease_take(r);
        if (rc != TIX_EBUSY && rc != TIX_EAGAIN) return rc;
        if (mono_ms() >= deadline) {
            if (rc == TIX_EAGAIN)
                rc = tix__err(TIX_EBUSY, "replication: the lease of stream %s "
                              "changed hands while we waited", r->stream);
            return rc;
        }
        sleep_ms(100);
    }
}

int tix_replica_promote(tix_db *db, uint32_t wait_ms)
{
    TIX__ARG(db);
    int rc = replicated(db);
    if (rc) return rc;
    struct tix_repl *r = db->repl;
    pthread_mutex_lock(&r->follow_mu);
    pthread_mutex_lock(&r->mu);
    int done = r->role == TIX_REPL_PRIMARY && !r->fenced && !r->doubt;
    pthread_mutex_unlock(&r->mu);
    if (!done) rc = lease_wait(r, wait_ms);
    if (!done && !rc) rc = catch_up(db, r);
    /* The seat map of a follower knows nothing of holds and only the
     * seats it was told of: from now on LMDB's truth must be in it. */
    if (!done && !rc && db->engine) rc = tix__engine_resync(db);
    if (!done && !rc) {
        sub_close(r);
        pthread_mutex_lock(&r->mu);
        r->role = TIX_REPL_PRIMARY;
        r->fenced = 0;
        r->doubt = 0;
        pthread_mutex_unlock(&r->mu);
        rc = lease_start(r);
    }
    pthread_mutex_unlock(&r->follow_mu);
    return rc;
}

static void lease_holder(struct tix_repl *r, char *out, size_t cap)
{
    kvEntry *e = NULL;
    out[0] = 0;
    if (kvStore_Get(&e, r->kv, LEASE_KEY) != NATS_OK) return;
    int n = kvEntry_ValueLen(e);
    if (n >= (int)cap) n = (int)cap - 1;
    memcpy(out, kvEntry_Value(e), (size_t)n);
    out[n] = 0;
    kvEntry_Destroy(e);
}

int tix_replica_status(tix_db *db, tix_replica_info *out)
{
    TIX__ARG(db);
    TIX__ARG(out);
    memset(out, 0, sizeof *out);
    if (!db->repl) return tix__err(TIX_ESTATE, "store is not replicated (no repl_urls)");
    struct tix_repl *r = db->repl;
    pthread_mutex_lock(&r->mu);
    out->role = r->role;
    out->fenced = r->fenced || r->stopped_rc;
    out->applied_seq = r->applied;
    pthread_mutex_unlock(&r->mu);
    snprintf(out->stream, sizeof out->stream, "%s", r->stream);
    uint64_t last = 0;
    int rc = stream_last(r, &last);
    if (rc) return rc;
    out->stream_seq = last;
    out->lag = last > out->applied_seq ? last - out->applied_seq : 0;
    lease_holder(r, out->lease_holder, sizeof out->lease_holder);
    return TIX_OK;
}

#else /* built without libnats: the calls exist and say so */

static int unavailable(void)
{
    return tix__err(TIX_ESTATE, "this libtix was built without replication "
                                "(TIX_REPL=OFF or no libnats)");
}

int tix__repl_open(tix_db *db)
{
    if (db->readonly) return TIX_OK;
    if (!db->cfg.repl_urls) return guard_open(db);
    return tix__err(TIX_EINVAL, "repl_urls is set but this libtix was built "
                                "without replication (TIX_REPL=OFF or no libnats)");
}

void tix__repl_close(tix_db *db) { (void)db; }

int tix_replica_follow(tix_db *db, uint32_t timeout_ms, uint64_t *applied)
{
    TIX__ARG(db);
    (void)timeout_ms;
    if (applied) *applied = 0;
    return unavailable();
}

int tix_replica_promote(tix_db *db, uint32_t wait_ms)
{
    TIX__ARG(db);
    (void)wait_ms;
    return unavailable();
}

int tix_replica_status(tix_db *db, tix_replica_info *out)
{
    TIX__ARG(db);
    TIX__ARG(out);
    memset(out, 0, sizeof *out);
    return unavailable();
}
#endif
