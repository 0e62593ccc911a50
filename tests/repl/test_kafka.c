/* The change feed's Kafka relay (lib/repl/kafka.c) against librdkafka's
 * built-in mock cluster (Debian packages no Kafka broker): every outbox
 * event reaches its topic once as JSON keyed <store id>-<seq>; a second
 * run sends nothing (the cursor moved); a relay whose brokers never answer
 * fails with TIX_EREPL and acknowledges nothing, so the events go out on
 * the next run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#ifdef TIX_HAVE_KAFKA
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

typedef struct kfix {
    tt_store s;
    tt_catalog c;
    tix_id show, user;
    rd_kafka_t *mock_rk;
    rd_kafka_mock_cluster_t *mc;
    char brokers[256];
} kfix;

static int setup(void **state)
{
    kfix *f = calloc(1, sizeof *f);
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 2, 10, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_int_equal(tix_show_create(f->s.db, &sh, &f->show), TIX_OK);
    tix_user u = {.name = "Kafka Fan", .email = "k@example.com"};
    assert_int_equal(tix_user_create(f->s.db, &u, &f->user), TIX_OK);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, NULL);
    f->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(f->mock_rk);
    f->mc = rd_kafka_mock_cluster_new(f->mock_rk, 3);
    assert_non_null(f->mc);
    snprintf(f->brokers, sizeof f->brokers, "%s", rd_kafka_mock_cluster_bootstraps(f->mc));
    assert_int_equal(rd_kafka_mock_topic_create(f->mc, "tixtest.booked", 1, 3), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    kfix *f = *state;
    tt_close(&f->s);
    rd_kafka_mock_cluster_destroy(f->mc);
    rd_kafka_destroy(f->mock_rk);
    free(f);
    return 0;
}

static void book(kfix *f, int n)
{
    for (int i = 0; i < n; i++) {
        tix_hold *h;
        assert_int_equal(tix_hold_best(f->s.db, f->show, 2, NULL, &h), TIX_OK);
        char ref[32];
        snprintf(ref, sizeof ref, "k-%d-%d", n, i);
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref};
        tix_id b;
        assert_int_equal(tix_hold_confirm(f->s.db, h, &o, &b), TIX_OK);
        tix_hold_free(h);
    }
}

/* Reads every message of @p topic; counts them, checks their keys. */
static int consume(kfix *f, const char *topic, const char *want_in_value)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, NULL);
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", f->brokers,
                                       err, sizeof err), RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "test", err, sizeof err),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "auto.offset.reset", "earliest",
                                       err, sizeof err), RD_KAFKA_CONF_OK);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(c);
    /* The topic has one partition (setup): read it from the start. */
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tl, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(c, tl), 0);
    rd_kafka_topic_partition_list_destroy(tl);
    int n = 0, idle = 0;
    while (idle < 4) { /* 2 s without a message: done */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 500);
        if (!m) {
            idle++;
            continue;
        }
        if (m->err == 0) {
            n++;
            idle = 0;
            assert_true(m->key_len > 33 && ((const char *)m->key)[32] == '-');
            char *v = strndup(m->payload, m->len);
            assert_non_null(strstr(v, want_in_value));
            free(v);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(c, NULL);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return n;
}

static void events_reach_their_topics_once(void **state)
{
    kfix *f = *state;
    book(f, 3);
    tix_kafka_relay *k;
    assert_int_equal(tix_kafka_relay_open(f->s.db, f->brokers, "tixtest", NULL, &k),
                     TIX_OK);
    uint64_t sent = 0;
    assert_int_equal(tix_kafka_relay_run(k, 0, &sent), TIX_OK);
    assert_int_equal(sent, 3);
    assert_int_equal(tix_kafka_relay_run(k, 0, &sent), TIX_OK);
    assert_int_equal(sent, 0); /* acknowledged: not sent again */
    book(f, 2);
    assert_int_equal(tix_kafka_relay_run(k, 0, &sent), TIX_OK);
    assert_int_equal(sent, 2);
    tix_kafka_relay_close(k);
    assert_int_equal(consume(f, "tixtest.booked", "\"type\":\"booked\""), 5);
}

static void undelivered_events_are_sent_again(void **state)
{
    kfix *f = *state;
    book(f, 2);
    tix_kafka_relay *k;
    /* Nobody listens there: the deliveries time out. */
    assert_int_equal(tix_kafka_relay_open(f->s.db, "127.0.0.1:1", "tixtest", "k2", &k),
                     TIX_OK);
    uint64_t sent = 9;
    assert_int_equal(tix_kafka_relay_run(k, 1000, &sent), TIX_EREPL);
    assert_non_null(strstr(tix_errmsg(), "not delivered"));
    assert_int_equal(sent, 0);
    tix_kafka_relay_close(k);
    /* Nothing was acknowledged: the same consumer sends both again. */
    assert_int_equal(tix_kafka_relay_open(f->s.db, f->brokers, "tixtest", "k2", &k),
                     TIX_OK);
    assert_int_equal(tix_kafka_relay_run(k, 0, &sent), TIX_OK);
    assert_int_equal(sent, 2);
    tix_kafka_relay_close(k);
    assert_int_equal(consume(f, "tixtest.booked", "\"show_id\":"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(events_reach_their_topics_once, setup, teardown),
        cmocka_unit_test_setup_teardown(undelivered_events_are_sent_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
    puts("test_kafka: SKIPPED: built without librdkafka (TIX_KAFKA=OFF)");
    return 0;
}
#endif
