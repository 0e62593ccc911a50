/* The Kafka relay of the change feed (docs/replication.md): outbox events,
 * as the same JSON as the JetStream feed, to the topics <prefix>.<kind>,
 * keyed <store id>-<seq>, through librdkafka with an idempotent producer.
 * For hosts that run Kafka rather than NATS.
 *
 * At least once: the relay reads through an outbox consumer cursor and
 * acknowledges a batch only after every message of it was delivered
 * (acks=all), so after a crash it sends the unacknowledged batch again;
 * consumers deduplicate on the key, which names the event. The cursor is a
 * write, so the relay runs where the store takes writes (the primary). */
#include <stdint.h>
#include <string.h>

#include "error.h"

#ifdef TIX_HAVE_KAFKA
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "eventjson.h"

struct tix_kafka_relay {
    tix_db *db;
    rd_kafka_t *rk;
    char consumer[TIX_CONSUMER_NAME_MAX + 1];
    char prefix[128], store[33];
    /* Delivery reports of the batch in flight (rd_kafka_flush runs them on
     * the calling thread). */
    uint64_t delivered, failed;
    char fail_msg[200];
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct tix_kafka_relay *k = opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        k->delivered++;
        return;
    }
    if (k->failed++ == 0)
        snprintf(k->fail_msg, sizeof k->fail_msg, "%s", rd_kafka_err2str(m->err));
}

static int conf_set(rd_kafka_conf_t *c, const char *name, const char *value)
{
    char err[256];
    if (rd_kafka_conf_set(c, name, value, err, sizeof err) == RD_KAFKA_CONF_OK)
        return TIX_OK;
    return tix__err(TIX_EINVAL, "kafka relay: %s=%s: %s", name, value, err);
}

static int producer_new(struct tix_kafka_relay *k, const char *brokers)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    int rc = conf_set(c, "bootstrap.servers", brokers);
    if (!rc) rc = conf_set(c, "enable.idempotence", "true");
    if (!rc) rc = conf_set(c, "acks", "all");
    if (!rc) rc = conf_set(c, "linger.ms", "5");
    if (rc) {
        rd_kafka_conf_destroy(c);
        return rc;
    }
    rd_kafka_conf_set_log_cb(c, NULL); /* the library never prints */
    rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
    rd_kafka_conf_set_opaque(c, k);
    char err[256];
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!k->rk) {
        rd_kafka_conf_destroy(c);
        return tix__err(TIX_EREPL, "kafka relay: %s", err);
    }
    return TIX_OK;
}

int tix_kafka_relay_open(tix_db *db, const char *brokers, const char *topic_prefix,
                         const char *consumer, tix_kafka_relay **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    TIX__ARG(brokers);
    if (!topic_prefix) topic_prefix = "tix";
    if (!consumer) consumer = "kafka";
    if (!*brokers) return tix__err(TIX_EINVAL, "kafka relay: brokers is empty");
    if (!*topic_prefix || strlen(topic_prefix) >= 100)
        return tix__err(TIX_EINVAL, "kafka relay: topic_prefix must be 1..99 bytes");
    int rc = tix_outbox_register(db, consumer, 0);
    if (rc && rc != TIX_EEXISTS) return rc;
    struct tix_kafka_relay *k = calloc(1, sizeof *k);
    if (!k) return tix__err(TIX_ENOMEM, "out of memory");
    k->db = db;
    snprintf(k->consumer, sizeof k->consumer, "%s", consumer);
    snprintf(k->prefix, sizeof k->prefix, "%s", topic_prefix);
    for (int i = 0; i < 16; i++)
        snprintf(k->store + 2 * i, 3, "%02x", db->identity[i]);
    if ((rc = producer_new(k, brokers))) {
        free(k);
        return rc;
    }
    *out = k;
    return TIX_OK;
}

static int produce(struct tix_kafka_relay *k, const tix_event *ev)
{
    char *json;
    size_t len;
    int rc = tix__eventjson_encode(ev, k->store, &json, &len);
    if (rc) return rc;
    char topic[160], key[64];
    snprintf(topic, sizeof topic, "%s.%s", k->prefix, tix__eventjson_kind(ev->type));
    snprintf(key, sizeof key, "%s-%" PRIu64, k->store, ev->seq);
    rd_kafka_resp_err_t e;
    do {
        e = rd_kafka_producev(k->rk, RD_KAFKA_V_TOPIC(topic),
                              RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE(json, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(k->rk, 50);
    } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
    free(json);
    return e ? tix__err(TIX_EREPL, "kafka relay: produce to %s: %s", topic,
                        rd_kafka_err2str(e))
             : TIX_OK;
}

/* One batch: read, produce, wait for every delivery, acknowledge. */
static int relay_batch(struct tix_kafka_relay *k, uint32_t timeout_ms, uint64_t *n)
{
    *n = 0;
    tix_event_list *l = NULL;
    int rc = tix_outbox_read(k->db, k->consumer, TIX_OUTBOX_READ_MAX, &l);
    if (rc || l->count == 0) {
        tix_event_list_free(l);
        return rc;
    }
    k->delivered = k->failed = 0;
    for (size_t i = 0; i < l->count && rc == TIX_OK; i++)
        rc = produce(k, &l->items[i]);
    rd_kafka_resp_err_t e = rd_kafka_flush(k->rk, (int)timeout_ms);
    if (rc == TIX_OK && k->failed)
        rc = tix__err(TIX_EREPL, "kafka relay: %llu of %zu events not delivered: %s",
                      (unsigned long long)k->failed, l->count, k->fail_msg);
    else if (rc == TIX_OK && (e || k->delivered < l->count))
        rc = tix__err(TIX_EREPL, "kafka relay: %zu events not delivered within "
                      "%u ms", l->count - (size_t)k->delivered, timeout_ms);
    if (rc == TIX_OK) rc = tix_outbox_ack(k->db, k->consumer, l->items[l->count - 1].seq);
    if (rc == TIX_OK) *n = l->count;
    tix_event_list_free(l);
    return rc;
}

int tix_kafka_relay_run(tix_kafka_relay *k, uint32_t timeout_ms, uint64_t *sent)
{
    TIX__ARG(k);
    if (sent) *sent = 0;
    uint32_t wait = timeout_ms ? timeout_ms : 10000;
    for (;;) {
        uint64_t n;
        int rc = relay_batch(k, wait, &n);
        if (sent) *sent += n;
        if (rc) return rc;
        if (n == TIX_OUTBOX_READ_MAX) continue;
        if (!timeout_ms) return TIX_OK;
        rc = tix_outbox_wait(k->db, k->consumer, (int)timeout_ms);
        if (rc == TIX_ETIMEDOUT) return TIX_OK;
        if (rc) return rc;
        timeout_ms = 0; /* one more round for what just arrived */
    }
}

void tix_kafka_relay_close(tix_kafka_relay *k)
{
    if (!k) return;
    rd_kafka_flush(k->rk, 2000);
    rd_kafka_destroy(k->rk);
    free(k);
}

#else

int tix_kafka_relay_open(tix_db *db, const char *brokers, const char *topic_prefix,
                         const char *consumer, tix_kafka_relay **out)
{
    TIX__ARG(out);
    *out = NULL;
    (void)db;
    (void)brokers;
    (void)topic_prefix;
    (void)consumer;
    return tix__err(TIX_ESTATE, "this libtix was built without the Kafka relay "
                                "(TIX_KAFKA=OFF or no librdkafka)");
}

int tix_kafka_relay_run(tix_kafka_relay *k, uint32_t timeout_ms, uint64_t *sent)
{
    (void)k;
    (void)timeout_ms;
    if (sent) *sent = 0;
    return tix__err(TIX_ESTATE, "this libtix was built without the Kafka relay");
}

void tix_kafka_relay_close(tix_kafka_relay *k) { (void)k; }
#endif
