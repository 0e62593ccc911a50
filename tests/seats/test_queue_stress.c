/* Waiting rooms under contention: four threads sharing one handle, then
 * four processes each with its own, join one show's queue before on-sale,
 * race to be the first to look after it (the shuffle), join more, and try
 * holds with their tickets while admissions move on, by rate and by
 * tix_queue_admit(). Each worker checks every answer as it goes: a hold
 * with a ticket succeeds only if the ticket's place was admitted, is
 * refused (TIX_EAGAIN) only if it was not, and a hold without a ticket or
 * flag is always refused (TIX_EPERM).
 *
 * At the end every ticket's place is read back: the places are exactly
 * 0..joined-1, each once (every admitted place went to one ticket); the
 * pre-queue tickets took the first places and the later ones followed in
 * arrival order; a ticket's window started if and only if one of its
 * holds succeeded, and only once; no seat is left held; tix check is
 * clean. TIX_QUEUE_STRESS (tickets per worker and phase, default 400)
 * scales the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define WORKERS 4
#define ROUNDS 8

typedef struct ticket {
    char s[TIX_QUEUE_TICKET_MAX];
    int post;          /* joined after on-sale */
    int held;          /* one of its holds succeeded */
    int passed;        /* the gate let one of its holds through */
    int64_t window_end;
} ticket;

/* Shared between the workers: MAP_SHARED so processes see it too. */
typedef struct shared {
    int64_t now;
    int joined_pre, looked, round_done[ROUNDS];
    ticket t[]; /* WORKERS * 2 * per */
} shared;

static shared *g;
static unsigned g_per;
static tix_id g_show;

static int64_t shared_clock(void *ctx)
{
    (void)ctx;
    return __atomic_load_n(&g->now, __ATOMIC_SEQ_CST);
}

static void wait_for(int *counter, int n)
{
    while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < n) usleep(200);
}

static void config(tix_config *cfg)
{
    tt_config(cfg);
    cfg->clock = shared_clock;
    cfg->hold_max_seats = 4;
}

typedef struct worker {
    tix_db *db;
    int idx;
    int failures;
    char msg[300];
} worker;

static void wfail(worker *w, const char *what, int rc)
{
    if (!w->failures++)
        snprintf(w->msg, sizeof w->msg, "worker %d: %s -> %d (%s)", w->idx,
                 what, rc, tix_errmsg());
}

static uint64_t admitted_now(worker *w)
{
    tix_queue_info qi;
    int rc = tix_queue_get(w->db, g_show, &qi);
    if (rc) wfail(w, "tix_queue_get", rc);
    return qi.admitted;
}

/* One hold attempt with ticket @p t, checked against the admissions read
 * just before and just after it. */
static void try_hold(worker *w, ticket *t)
{
    uint64_t before = admitted_now(w);
    tix_best_opts o = {.queue_ticket = t->s};
    tix_hold *h = NULL;
    int rc = tix_hold_best(w->db, g_show, 1, &o, &h);
    uint64_t after = admitted_now(w);
    tix_queue_place p;
    int src = tix_queue_status(w->db, t->s, &p);
    if (src) wfail(w, "tix_queue_status", src);
    t->passed |= rc == TIX_OK || rc == TIX_ECONFLICT;
    if (rc == TIX_OK) {
        t->held = 1;
        if (p.position >= after) wfail(w, "hold of a ticket not admitted", rc);
        int rrc = tix_hold_release(w->db, h);
        if (rrc) wfail(w, "release", rrc);
        tix_hold_free(h);
    } else if (rc == TIX_EAGAIN) {
        if (p.position < before) wfail(w, "admitted ticket refused", rc);
    } else if (rc != TIX_ECONFLICT) {
        wfail(w, "tix_hold_best with a ticket", rc);
    }
    uint32_t seat = (uint32_t)(w->idx * 7);
    rc = tix_hold_create(w->db, g_show, &seat, 1, NULL, &h);
    if (rc != TIX_EPERM) wfail(w, "a hold without a ticket", rc);
}

static void join_n(worker *w, ticket *t, unsigned n, int post)
{
    for (unsigned i = 0; i < n; i++) {
        t[i].post = post;
        int rc = tix_queue_join(w->db, g_show, t[i].s, sizeof t[i].s);
        if (rc) wfail(w, "tix_queue_join", rc);
    }
}

/* The run of one worker: its tickets are t[idx*2*per ..]. Worker 0 moves
 * the clock and admits; the others follow round by round. */
static void work(worker *w)
{
    ticket *mine = &g->t[(size_t)w->idx * 2 * g_per];
    join_n(w, mine, g_per, 0);
    __atomic_fetch_add(&g->joined_pre, 1, __ATOMIC_SEQ_CST);
    wait_for(&g->joined_pre, WORKERS);
    if (w->idx == 0) __atomic_fetch_add(&g->now, 100, __ATOMIC_SEQ_CST);
    while (shared_clock(NULL) < 1767225600 + 100) usleep(100);
    /* Everyone looks at once: one of them shuffles. */
    tix_queue_place p;
    int rc = tix_queue_status(w->db, mine[0].s, &p);
    if (rc) wfail(w, "first look", rc);
    __atomic_fetch_add(&g->looked, 1, __ATOMIC_SEQ_CST);
    wait_for(&g->looked, WORKERS);
    join_n(w, mine + g_per, g_per, 1);
    for (int r = 0; r < ROUNDS; r++) {
        if (w->idx == 0) {
            if ((rc = tix_queue_admit(w->db, g_show, g_per / 2)))
                wfail(w, "tix_queue_admit", rc);
            __atomic_fetch_add(&g->now, 1, __ATOMIC_SEQ_CST); /* rate */
        }
        for (unsigned i = (unsigned)r; i < 2 * g_per; i += ROUNDS / 2)
            try_hold(w, &mine[i]);
        __atomic_fetch_add(&g->round_done[r], 1, __ATOMIC_SEQ_CST);
        wait_for(&g->round_done[r], WORKERS);
    }
}

/* ---- fixture ----------------------------------------------------------- */

typedef struct fixture {
    char *dir;
    size_t bytes;
} fixture;

static int setup(void **state)
{
    const char *e = getenv("TIX_QUEUE_STRESS");
    g_per = e && *e ? (unsigned)strtoul(e, NULL, 0) : 400;
    fixture *f = calloc(1, sizeof *f);
    f->bytes = sizeof *g + (size_t)WORKERS * 2 * g_per * sizeof(ticket);
    g = mmap(NULL, f->bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
             -1, 0);
    assert_true(g != MAP_FAILED);
    g->now = 1767225600;
    f->dir = tt_tmpdir();
    tix_config cfg;
    config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->dir, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, 10, 20, &c);
    tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                   .start = g->now + 86400};
    assert_ok(tix_show_create(db, &sh, &g_show));
    tix_queue_config q = {.onsale = g->now + 100, .rate = g_per / 4,
                          .capacity = WORKERS * 2 * g_per, .window = 3600};
    assert_ok(tix_queue_set(db, g_show, &q));
    tix_db_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_rmrf(f->dir);
    free(f->dir);
    munmap(g, f->bytes);
    free(f);
    return 0;
}

/* ---- the checks at the end ---------------------------------------------- */

static void check_end(const fixture *f)
{
    tix_config cfg;
    config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->dir, &cfg, &db));
    unsigned n = WORKERS * 2 * g_per, pre = WORKERS * g_per;
    tix_queue_info qi;
    assert_ok(tix_queue_get(db, g_show, &qi));
    assert_int_equal(qi.joined, n);
    assert_int_equal(qi.prequeue, pre);
    uint8_t *seen = calloc(n, 1);
    unsigned held = 0;
    for (int wk = 0; wk < WORKERS; wk++) {
        uint64_t last_post = 0;
        for (unsigned i = 0; i < 2 * g_per; i++) {
            ticket *t = &g->t[(size_t)wk * 2 * g_per + i];
            tix_queue_place p;
            assert_ok(tix_queue_status(db, t->s, &p));
            assert_true(p.position < n);
            if (seen[p.position]) fail_msg("place %llu given twice",
                                           (unsigned long long)p.position);
            seen[p.position] = 1;
            /* The pre-queue first, then arrival order. */
            assert_int_equal(p.position >= pre, t->post);
            if (t->post) {
                assert_true(p.position > last_post);
                last_post = p.position;
            }
            /* The window started exactly for the tickets let through. */
            assert_int_equal(p.window_end != 0, t->passed);
            held += t->held;
            if (t->held) assert_true(p.position < qi.admitted);
        }
    }
    free(seen);
    assert_true(held > 0);
    tix_avail *a;
    assert_ok(tix_show_availability(db, g_show, &a));
    assert_int_equal(a->all.held, 0);
    tix_avail_free(a);
    tix_check_counts cc;
    assert_ok(tix_db_check(db, NULL, NULL, &cc));
    assert_int_equal(cc.problems, 0);
    tix_db_close(db);
}

/* ---- threads ------------------------------------------------------------ */

static void *thread_main(void *arg)
{
    work(arg);
    return NULL;
}

static void test_threads(void **state)
{
    fixture *f = *state;
    tix_config cfg;
    config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->dir, &cfg, &db));
    pthread_t th[WORKERS];
    worker w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (worker){.db = db, .idx = i};
        pthread_create(&th[i], NULL, thread_main, &w[i]);
    }
    for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
    tix_db_close(db);
    for (int i = 0; i < WORKERS; i++)
        if (w[i].failures) fail_msg("%s (%d failures)", w[i].msg, w[i].failures);
    check_end(f);
}

/* ---- processes ---------------------------------------------------------- */

static void test_processes(void **state)
{
    fixture *f = *state;
    pid_t pid[WORKERS];
    int fds[WORKERS][2];
    for (int i = 0; i < WORKERS; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            close(fds[i][0]);
            tix_config cfg;
            config(&cfg);
            worker w = {.idx = i};
            int rc = tix_db_open(f->dir, &cfg, &w.db);
            if (rc) wfail(&w, "open", rc);
            else work(&w);
            tix_db_close(w.db);
            if (w.failures && write(fds[i][1], w.msg, strlen(w.msg)) < 0) _exit(3);
            _exit(w.failures ? 1 : 0);
        }
        close(fds[i][1]);
    }
    for (int i = 0; i < WORKERS; i++) {
        int st;
        char msg[300] = "";
        ssize_t r = read(fds[i][0], msg, sizeof msg - 1);
        close(fds[i][0]);
        assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail_msg("child %d: %s", i, r > 0 ? msg : "died");
    }
    check_end(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_processes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
