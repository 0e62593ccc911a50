/* General-admission places under contention: threads of one process, then
 * processes of one machine (one of them killed with SIGKILL while it holds
 * and confirms), all holding places of one standing area by count, some
 * with a seat, and confirming, releasing or abandoning them, on a fake
 * clock they share, so abandoned holds run out under the others.
 *
 * At the end: the area's counts add up to its capacity, its booked places
 * are exactly the places of the live bookings in LMDB (so none was sold
 * twice and none is lost), every booking a worker reported is there, and
 * the store invariants hold (tests/util/invariants.h: seats.map agrees
 * with LMDB seat by seat, no seat in two bookings, one outbox event per
 * booking). TIX_GA_OPS scales the run (operations per worker, 4000). */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "invariants.h"
#include "testutil.h"
#include "writer.h"

#define SEATS 20
#define TTL 60

static int64_t *shared_now; /* MAP_SHARED: one clock for every process */

static int64_t shared_clock(void *ctx)
{
    return __atomic_load_n((int64_t *)ctx, __ATOMIC_SEQ_CST);
}
static int64_t clock_now(void) { return shared_clock(shared_now); }

static void ga_config(tix_config *cfg)
{
    tt_config(cfg);
    cfg->clock = shared_clock;
    cfg->clock_ctx = shared_now;
    cfg->confirm_lease = 3600; /* no confirm outlives its lease */
}

static unsigned ops_per_worker(void)
{
    const char *v = getenv("TIX_GA_OPS");
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : 4000;
}

typedef struct fixture {
    char *base, store[512];
    tix_id show, user, area;
    uint32_t cap;
} fixture;

/* A store with 20 seats and a standing area of @p cap places, closed. */
static fixture *make(uint32_t cap)
{
    fixture *f = calloc(1, sizeof *f);
    shared_now = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(shared_now != MAP_FAILED);
    *shared_now = 1767225600;
    f->base = tt_tmpdir();
    f->cap = cap;
    snprintf(f->store, sizeof f->store, "%s/store", f->base);
    tix_config cfg;
    ga_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, 2, 10, &c);
    tix_area a = {.screen_id = c.screen, .tier_id = c.tier_cheap,
                  .name = "FLOOR", .capacity = cap};
    assert_ok(tix_area_create(db, &a, &f->area));
    tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                   .start = clock_now() + 30 * 86400};
    assert_ok(tix_show_create(db, &sh, &f->show));
    tix_user u = {.name = "Ravi", .email = "ravi@example.com"};
    assert_ok(tix_user_create(db, &u, &f->user));
    tix_db_close(db);
    return f;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_rmrf(f->base);
    free(f->base);
    munmap(shared_now, 4096);
    free(f);
    return 0;
}

/* ---- a worker ----------------------------------------------------------- */

typedef struct worker {
    const fixture *f;
    tix_db *db;
    int idx, fd; /* fd: where confirmed bookings are reported, or -1 */
    uint64_t rng;
    unsigned seq, failures;
    size_t booked_places; /* places of the bookings it confirmed */
} worker;

static uint32_t rnd(worker *w, uint32_t n)
{
    return (uint32_t)(tt_xorshift(&w->rng) % n);
}

static void wfail(worker *w, const char *what, int rc)
{
    fprintf(stderr, "worker %d: %s -> %d: %s\n", w->idx, what, rc,
            tix_errmsg());
    w->failures++;
}

static size_t places_of(const worker *w, const tix_hold *h)
{
    size_t n = 0;
    for (size_t i = 0; i < tix_hold_count(h); i++)
        n += tix_hold_seat(h, i) >= SEATS;
    (void)w;
    return n;
}

static void report(worker *w, const char *line, int len)
{
    if (w->fd >= 0 && write(w->fd, line, (size_t)len) != len)
        wfail(w, "report", -1);
}

static void confirm(worker *w, tix_hold *h)
{
    char ref[48], line[TT_LINE_MAX];
    snprintf(ref, sizeof ref, "ga-%d-%d-%u", (int)getpid(), w->idx, w->seq++);
    tix_confirm_opts o = {.user_id = w->f->user, .payment_ref = ref,
                          .seats_per_ticket = 1};
    tix_id id;
    int rc = tix_hold_confirm(w->db, h, &o, &id);
    if (rc == TIX_OK) {
        w->booked_places += places_of(w, h);
        report(w, line, tt_line_confirmed(line, id, h, ref));
        if (rnd(w, 3) == 0) { /* cancels keep places coming back */
            report(w, line, tt_line_id(line, 'c', id));
            if ((rc = tix_booking_cancel(w->db, id))) wfail(w, "cancel", rc);
            else report(w, line, tt_line_id(line, 'X', id));
            if (!rc) w->booked_places -= places_of(w, h);
        }
    } else if (!(rc == TIX_EEXPIRED && clock_now() >= tix_hold_expires(h))) {
        wfail(w, "confirm of a live hold", rc);
    }
}

static void step(worker *w)
{
    tix_area_take t = {w->f->area, 1 + rnd(w, 6)};
    uint32_t seat = rnd(w, SEATS);
    size_t nseats = rnd(w, 8) == 0;
    tix_hold_opts ho = {.ttl = TTL};
    tix_hold *h;
    int rc = tix_hold_areas(w->db, w->f->show, &seat, nseats, &t, 1, &ho, &h);
    if (rc == TIX_ECONFLICT) return; /* sold out for now, or the seat */
    if (rc) {
        wfail(w, "hold", rc);
        return;
    }
    if (tix_hold_count(h) != t.count + nseats) wfail(w, "hold size", -1);
    uint32_t r = rnd(w, 10);
    if (r < 6) confirm(w, h);
    else if (r < 8 && (rc = tix_hold_release(w->db, h))) wfail(w, "release", rc);
    tix_hold_free(h); /* r >= 8: abandoned, it runs out */
    if (rnd(w, 40) == 0) __atomic_fetch_add(shared_now, TTL / 2, __ATOMIC_SEQ_CST);
}

static void run(worker *w)
{
    for (unsigned i = 0, n = ops_per_worker(); i < n; i++) step(w);
}

static void *thread_main(void *arg)
{
    run(arg);
    return NULL;
}

/* ---- the end state ------------------------------------------------------- */

/* Places of the live bookings of the show, from LMDB. */
static size_t booked_in_lmdb(tix_db *db, const fixture *f)
{
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, f->show, &l));
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const tix_booking *b = &l->items[i];
        if (b->status == TIX_BOOKING_CONFIRMED)
            for (size_t s = 0; s < b->n_seats; s++)
                n += b->seats[s].seat >= SEATS;
    }
    tix_booking_list_free(l);
    return n;
}

static void assert_end_state(tix_db *db, const fixture *f)
{
    tix_counts c;
    assert_ok(tix_area_availability(db, f->show, f->area, &c));
    assert_int_equal(c.total, f->cap);
    assert_int_equal(c.free + c.held + c.booked, f->cap);
    assert_int_equal(c.booked, booked_in_lmdb(db, f));
    assert_true(c.booked > 0);
    if (getenv("TIX_GA_VERBOSE"))
        fprintf(stderr, "area of %u: %u booked, %u held, %u free\n", f->cap,
                c.booked, c.held, c.free);
    tt_inv_opts o = {.run_check = 1};
    tt_inv_assert(db, &o, NULL);
    /* Every hold runs out: what is not booked is free again. */
    __atomic_fetch_add(shared_now, 2 * TTL, __ATOMIC_SEQ_CST);
    assert_ok(tix_area_availability(db, f->show, f->area, &c));
    assert_int_equal(c.held, 0);
    assert_int_equal(c.free, f->cap - c.booked);
}

/* ---- threads ------------------------------------------------------------- */

enum { N_THREADS = 8 };

static void threads_never_oversell(void **state)
{
    fixture *f = make(64); /* small: threads fight for the last places */
    *state = f;
    tix_config cfg;
    ga_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    worker w[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (worker){.f = f, .db = db, .idx = i, .fd = -1,
                        .rng = 0x9E3779B97F4A7C15ull * (i + 1)};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &w[i]), 0);
    }
    size_t reported = 0;
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
        reported += w[i].booked_places;
    }
    assert_int_equal(reported, booked_in_lmdb(db, f));
    assert_end_state(db, f);
    tix_db_close(db);
}

/* ---- processes, one killed ------------------------------------------------ */

enum { N_PROCS = 4 };

static pid_t spawn(const fixture *f, int idx, int fd)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    tix_config cfg;
    ga_config(&cfg);
    worker w = {.f = f, .idx = idx, .fd = fd,
                .rng = 0xD1B54A32D192ED03ull * (uint64_t)(idx + 1) ^
                       (uint64_t)getpid()};
    int rc = tix_db_open(f->store, &cfg, &w.db);
    if (rc) _exit(2);
    if (idx == N_PROCS) /* the victim: until it is killed */
        for (;;) step(&w);
    run(&w);
    tix_db_close(w.db);
    _exit(w.failures ? 1 : 0);
}

static void processes_survive_a_killed_holder(void **state)
{
    fixture *f = make(256);
    *state = f;
    char path[600];
    snprintf(path, sizeof path, "%s/reports", f->base);
    int fd = open(path, O_CREAT | O_RDWR | O_APPEND, 0600);
    assert_true(fd >= 0);
    pid_t pids[N_PROCS + 1];
    for (int i = 0; i <= N_PROCS; i++) pids[i] = spawn(f, i, fd);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(pids[N_PROCS], SIGKILL); /* mid-hold or mid-confirm */
    for (int i = 0; i <= N_PROCS; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        if (i < N_PROCS) assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        else assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    }
    /* Alone again: the open brings every word in line with LMDB. */
    tix_config cfg;
    ga_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_ledger l;
    tt_ledger_init(&l);
    char buf[1 << 16];
    size_t len = 0;
    ssize_t got;
    lseek(fd, 0, SEEK_SET);
    while ((got = read(fd, buf + len, sizeof buf - len - 1)) > 0) {
        len += (size_t)got;
        assert_int_equal(tt_ledger_feed(&l, buf, &len), 0);
    }
    close(fd);
    assert_true(l.nb > 0);
    assert_int_equal(tt_ledger_verify(db, &l, 0), 0);
    tt_ledger_free(&l);
    assert_end_state(db, f);
    tix_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(threads_never_oversell, teardown),
        cmocka_unit_test_teardown(processes_survive_a_killed_holder, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
