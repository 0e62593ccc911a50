/* tix-bench queue: the waiting room of a big on-sale (issue 17 item 6).
 * JOINS tickets (13M; 1.3M with --quick) join the queue of a 150,000-seat
 * stadium before its on-sale, from every CPU; then the on-sale shuffles
 * the pre-queue, every ticket reads its place, and the show is sold out
 * (held, two seats a buyer, one once only
 * single seats are left) in admission order: places are admitted a
 * thousand at a time with tix_queue_admit(), as a box office would when
 * seats free up, and each admitted buyer holds the best two seats with
 * its ticket. It reports the join rate, the time from on-sale to sold out,
 * and whether admissions followed the shuffled order: the places are a
 * permutation of the tickets, not their arrival order, every admitted
 * ticket got in, and the first ticket not yet admitted was refused. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define BATCH 1000

typedef struct queue_run {
    tix_db *db;
    tix_id show;
    uint32_t n;
    char (*tickets)[TIX_QUEUE_TICKET_MAX];
    uint32_t *place_of; /* ticket -> place */
    _Atomic uint32_t next;
    _Atomic int failed;
} queue_run;

static void *join_body(void *arg)
{
    queue_run *q = arg;
    for (;;) {
        uint32_t i = atomic_fetch_add(&q->next, 1);
        if (i >= q->n) return NULL;
        if (tix_queue_join(q->db, q->show, q->tickets[i], TIX_QUEUE_TICKET_MAX))
            atomic_store(&q->failed, 1);
    }
}

static void *place_body(void *arg)
{
    queue_run *q = arg;
    for (;;) {
        uint32_t i = atomic_fetch_add(&q->next, 1);
        if (i >= q->n) return NULL;
        tix_queue_place p;
        if (tix_queue_status(q->db, q->tickets[i], &p) || p.position >= q->n)
            atomic_store(&q->failed, 1);
        else
            q->place_of[i] = (uint32_t)p.position;
    }
}

static double in_threads(queue_run *q, void *(*body)(void *), int nthreads)
{
    pthread_t th[64];
    atomic_store(&q->next, 0);
    double t0 = bench_secs();
    for (int i = 0; i < nthreads; i++) pthread_create(&th[i], NULL, body, q);
    for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
    return bench_secs() - t0;
}

/* 1 when place_of is a permutation of [0, n); *ascending gets the share of
 * neighbours in arrival order whose places ascend (1/2 when shuffled). */
static int is_permutation(const queue_run *q, uint32_t *by_place,
                          double *ascending)
{
    uint64_t up = 0;
    memset(by_place, 0xff, (size_t)q->n * sizeof *by_place);
    for (uint32_t i = 0; i < q->n; i++) {
        uint32_t p = q->place_of[i];
        if (by_place[p] != UINT32_MAX) return 0;
        by_place[p] = i;
        up += i && p > q->place_of[i - 1];
    }
    *ascending = q->n > 1 ? (double)up / (q->n - 1) : 0.5;
    return 1;
}

/* Sells the show out in admission order; returns 1 when every admitted
 * buyer got in and the next one waiting was refused each time. */
static int sell_out(queue_run *q, const uint32_t *by_place, uint32_t *buyers,
                    uint64_t *seats)
{
    tix_best_opts bo = {.ttl = 3600};
    int order_kept = 1;
    uint32_t p = 0;
    for (;;) {
        CHECK(tix_queue_admit(q->db, q->show, BATCH));
        for (uint32_t end = p + BATCH; p < end && p < q->n; p++) {
            bo.queue_ticket = q->tickets[by_place[p]];
            tix_hold *h;
            int rc = tix_hold_best(q->db, q->show, 2, &bo, &h);
            if (rc == TIX_ECONFLICT) /* only single seats left */
                rc = tix_hold_best(q->db, q->show, 1, &bo, &h);
            if (rc == TIX_ECONFLICT) {
                *buyers = p;
                return order_kept;
            }
            if (rc) {
                order_kept = 0;
                continue;
            }
            *seats += tix_hold_count(h);
            tix_hold_free(h);
        }
        if (p >= q->n) break;
        /* The next place is not in yet: its ticket must wait. */
        bo.queue_ticket = q->tickets[by_place[p]];
        tix_hold *h = NULL;
        if (tix_hold_best(q->db, q->show, 2, &bo, &h) != TIX_EAGAIN) order_kept = 0;
        tix_hold_free(h);
    }
    *buyers = p;
    return order_kept;
}

void bench_queue(tix_db *db, tix_id show, uint32_t joins, bench_result *join_res,
                 bench_result *sell_res)
{
    int nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nthreads < 1) nthreads = 1;
    if (nthreads > 64) nthreads = 64;
    queue_run q = {.db = db, .show = show, .n = joins};
    q.tickets = malloc((size_t)joins * sizeof *q.tickets);
    q.place_of = malloc((size_t)joins * sizeof *q.place_of);
    uint32_t *by_place = malloc((size_t)joins * sizeof *by_place);
    if (!q.tickets || !q.place_of || !by_place) bench_fatal("out of memory");
    /* On-sale tomorrow while the fans join; then moved to now. */
    tix_queue_config c = {.onsale = tix_db_now(db) + 86400, .capacity = joins};
    CHECK(tix_queue_set(db, show, &c));
    double tj = in_threads(&q, join_body, nthreads);
    join_res->threads = nthreads;
    join_res->ops = joins;
    join_res->secs = tj;
    join_res->rate = join_res->rate_min = join_res->rate_max = joins / tj;
    join_res->repeats = 1;
    join_res->verified = !atomic_load(&q.failed);
    c.onsale = tix_db_now(db);
    CHECK(tix_queue_set(db, show, &c));
    double t0 = bench_secs();
    tix_queue_info qi;
    CHECK(tix_queue_get(db, show, &qi)); /* the first look shuffles */
    double tshuffle = bench_secs() - t0;
    double tplaces = in_threads(&q, place_body, nthreads);
    double ascending = 0;
    int perm = !atomic_load(&q.failed) && qi.prequeue == joins &&
               is_permutation(&q, by_place, &ascending);
    uint32_t buyers = 0;
    uint64_t seats = 0;
    double ts0 = bench_secs();
    int kept = perm && sell_out(&q, by_place, &buyers, &seats);
    double tsell = bench_secs() - ts0;
    sell_res->threads = 1;
    sell_res->ops = buyers;
    sell_res->secs = tsell;
    sell_res->rate = sell_res->rate_min = sell_res->rate_max = buyers / tsell;
    sell_res->repeats = 1;
    sell_res->verified = kept && ascending > 0.45 && ascending < 0.55;
    if (!sell_res->verified)
        snprintf(sell_res->first_error, sizeof sell_res->first_error,
                 "admissions did not follow the shuffled order");
    fprintf(stderr,
            "queue: %u joins in %.2f s (%.0f joins/s, %d threads); shuffle "
            "%.3f ms; every place read in %.2f s; places a permutation: %s, "
            "neighbours ascending %.3f (0.5 = shuffled); sold out (%llu seats "
            "held by %u admitted buyers) in %.2f s after on-sale; admissions "
            "followed the shuffled order: %s\n",
            joins, tj, joins / tj, nthreads, tshuffle * 1e3, tplaces,
            perm ? "yes" : "NO", ascending, (unsigned long long)seats, buyers,
            tsell + tshuffle, sell_res->verified ? "yes" : "NO");
    free(q.tickets);
    free(q.place_of);
    free(by_place);
}
