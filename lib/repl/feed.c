/* The change feed on JetStream (docs/replication.md, "The change feed"):
 * the store's outbox events, as JSON, on the subjects
 * tix.<stream>.feed.<kind> of the stream <stream>_FEED.
 *
 * At least once, and no gaps, without a cursor in the store: the feed's
 * place is the outbox sequence of the last message its stream holds (the
 * Tix-Seq header), read back after a restart or a failure; every message
 * has the id <store id>-<seq> (a republished one is dropped by the
 * server's duplicate window) and names the id of the one before it
 * (ExpectLastMsgId), so a message after a lost one is refused rather than
 * stored past a hole. Keeping no cursor in LMDB is what lets the feed run
 * on a follower, whose outbox is the primary's. */
#include <stdint.h>
#include <string.h>

#include "error.h"

#ifdef TIX_HAVE_NATS
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "eventjson.h"
#include "outbox.h"
#include "repl.h"

#define FEED_BATCH 256

struct feed {
    jsCtx *js;
    char stream[80], prefix[96], store[33];
    uint32_t timeout_ms;
    int known;         /* pos and last_id were read from the stream */
    uint64_t pos;      /* outbox sequence of the stream's last message */
    char last_id[64];  /* and its message id ("" when the stream is empty) */
    _Atomic int failed;
    char fail_msg[200];
};

static void feed_free(void *p)
{
    struct feed *f = p;
    if (f->js) jsCtx_Destroy(f->js);
    free(f);
}

static void on_async_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    struct feed *f = closure;
    if (!atomic_exchange(&f->failed, 1))
        snprintf(f->fail_msg, sizeof f->fail_msg, "%s (JetStream error %d)",
                 pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err),
                 (int)pae->ErrCode);
}

static int nats_fail(natsStatus s, jsErrCode jerr, const char *what)
{
    return tix__err(TIX_EREPL, "change feed: %s: %s (JetStream error %d)", what,
                    natsStatus_GetText(s), (int)jerr);
}

static int ensure_stream(struct feed *f, unsigned replicas)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, f->js, f->stream, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return TIX_OK;
    }
    char subject[112];
    snprintf(subject, sizeof subject, "%s.>", f->prefix);
    const char *subjects[1] = {subject};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = f->stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = replicas;
    jerr = 0;
    s = js_AddStream(&si, f->js, &sc, NULL, &jerr);
    if (s == NATS_OK) jsStreamInfo_Destroy(si);
    return s == NATS_OK || jerr == JSStreamNameExistErr
               ? TIX_OK : nats_fail(s, jerr, "create the feed stream");
}

static int feed_get(tix_db *db, struct feed **out)
{
    void **slot = tix__repl_feed_slot(db, feed_free);
    if (*slot) {
        *out = *slot;
        return TIX_OK;
    }
    const char *stream;
    unsigned replicas;
    uint32_t timeout_ms;
    natsConnection *nc = tix__repl_conn(db, &stream, &replicas, &timeout_ms);
    struct feed *f = calloc(1, sizeof *f);
    if (!f) return tix__err(TIX_ENOMEM, "out of memory");
    snprintf(f->stream, sizeof f->stream, "%s_FEED", stream);
    snprintf(f->prefix, sizeof f->prefix, "tix.%s.feed", stream);
    for (int i = 0; i < 16; i++)
        snprintf(f->store + 2 * i, 3, "%02x", db->identity[i]);
    f->timeout_ms = timeout_ms;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = timeout_ms;
    jo.PublishAsync.ErrHandler = on_async_error;
    jo.PublishAsync.ErrHandlerClosure = f;
    natsStatus s = natsConnection_JetStream(&f->js, nc, &jo);
    int rc = s == NATS_OK ? ensure_stream(f, replicas)
                          : nats_fail(s, 0, "JetStream context");
    if (rc) {
        feed_free(f);
        return rc;
    }
    *slot = f;
    *out = f;
    return TIX_OK;
}

/* Where the feed is: the Tix-Seq and id of its stream's last message. */
static int place(struct feed *f)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, f->js, f->stream, NULL, &jerr);
    if (s != NATS_OK) return nats_fail(s, jerr, "feed stream info");
    uint64_t last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    f->pos = 0;
    f->last_id[0] = 0;
    if (last > 0) {
        natsMsg *m = NULL;
        s = js_GetMsg(&m, f->js, f->stream, last, NULL, &jerr);
        if (s != NATS_OK) return nats_fail(s, jerr, "read the feed's last message");
        const char *seq = NULL, *id = NULL;
        natsMsgHeader_Get(m, "Tix-Seq", &seq);
        natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
        int ok = seq && id && strlen(id) < sizeof f->last_id;
        if (ok) {
            f->pos = strtoull(seq, NULL, 10);
            snprintf(f->last_id, sizeof f->last_id, "%s", id);
        }
        natsMsg_Destroy(m);
        if (!ok)
            return tix__err(TIX_ECORRUPT, "change feed: the last message of "
                            "stream %s has no Tix-Seq or message id", f->stream);
    }
    f->known = 1;
    return TIX_OK;
}

static int publish_one(struct feed *f, const tix_event *ev)
{
    char *json;
    size_t len;
    int rc = tix__eventjson_encode(ev, f->store, &json, &len);
    if (rc) return rc;
    char subject[128], id[64], seq[24];
    snprintf(subject, sizeof subject, "%s.%s", f->prefix,
             tix__eventjson_kind(ev->type));
    snprintf(id, sizeof id, "%s-%" PRIu64, f->store, ev->seq);
    snprintf(seq, sizeof seq, "%" PRIu64, ev->seq);
    natsMsg *m = NULL;
    natsStatus s = natsMsg_Create(&m, subject, NULL, json, (int)len);
    free(json);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Tix-Seq", seq);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    po.ExpectLastMsgId = f->last_id[0] ? f->last_id : NULL;
    po.MaxWait = f->timeout_ms;
    if (s == NATS_OK) s = js_PublishMsgAsync(f->js, &m, &po);
    if (m) natsMsg_Destroy(m); /* left to us only when the publish failed */
    if (s != NATS_OK) return nats_fail(s, 0, "publish");
    snprintf(f->last_id, sizeof f->last_id, "%s", id);
    return TIX_OK;
}

/* Publishes the events after f->pos, one batch; *n how many. */
static int publish_batch(tix_db *db, struct feed *f, uint64_t *n)
{
    *n = 0;
    tix_event_list *l = NULL;
    int rc = tix__outbox_read_after(db, f->pos, FEED_BATCH, &l);
    if (rc || l->count == 0) {
        tix_event_list_free(l);
        return rc;
    }
    atomic_store(&f->failed, 0);
    for (size_t i = 0; i < l->count && rc == TIX_OK; i++)
        rc = publish_one(f, &l->items[i]);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = f->timeout_ms;
    natsStatus s = js_PublishAsyncComplete(f->js, &po);
    if (rc == TIX_OK && s != NATS_OK) rc = nats_fail(s, 0, "wait for the acknowledgements");
    if (rc == TIX_OK && atomic_load(&f->failed))
        rc = tix__err(TIX_EREPL, "change feed: JetStream refused an event: %s",
                      f->fail_msg);
    if (rc == TIX_OK) {
        f->pos = l->items[l->count - 1].seq;
        *n = l->count;
    } else {
        f->known = 0; /* read the place back from the stream next time */
    }
    tix_event_list_free(l);
    return rc;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tix_feed_publish(tix_db *db, uint32_t timeout_ms, uint64_t *sent)
{
    TIX__ARG(db);
    if (sent) *sent = 0;
    if (!db->repl)
        return tix__err(TIX_ESTATE, "the change feed needs a replicated store "
                                    "(repl_urls)");
    struct feed *f = NULL;
    int rc = feed_get(db, &f);
    if (rc == TIX_OK && !f->known) rc = place(f);
    int64_t deadline = mono_ms() + timeout_ms;
    while (rc == TIX_OK) {
        uint64_t n;
        rc = publish_batch(db, f, &n);
        if (sent) *sent += n;
        if (rc || n == FEED_BATCH) continue;
        if (mono_ms() >= deadline) break;
        struct timespec ms20 = {0, 20 * 1000000L}; /* other processes' commits */
        nanosleep(&ms20, NULL);
    }
    return rc;
}

#else

int tix_feed_publish(tix_db *db, uint32_t timeout_ms, uint64_t *sent)
{
    TIX__ARG(db);
    (void)timeout_ms;
    if (sent) *sent = 0;
    return tix__err(TIX_ESTATE, "this libtix was built without replication "
                                "(TIX_REPL=OFF or no libnats)");
}
#endif
