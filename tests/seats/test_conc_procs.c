/* Contention between processes: four children (fork) each open the same
 * store directory with their own tix_db and hammer one show with holds,
 * best-available holds, releases, extends, sync and async confirms and
 * cancels, on a fake clock they share through a MAP_SHARED page (so holds
 * and leases of one process run out under another). Each child writes the
 * bookings it confirmed and cancelled to a file and exits with 0 when it
 * saw nothing unexpected. The parent then reopens the store and checks that
 * LMDB bookings, LMDB seat rows, seats.map and the availability counts
 * agree, that no seat is in two live bookings, and that every booking a
 * child reported is there in the state the child left it.
 *
 * As in test_conc_threads.c the random run goes twice: strict (an hour's
 * confirm_lease: no lease runs out, every call must do what it says) and
 * with lease overruns (30 s leases under a fast clock: confirms outlive
 * their leases and get repaired away by other processes, so failed
 * confirms are tolerated, but the end state must still agree).
 *
 * A store may be open only once per process, so the parent closes its
 * handle before forking; a tix_db is never shared across fork.
 *
 * TIX_PROC_OPS (operations per child, default 1000) and TIX_CONC_SEED
 * scale and reproduce the run. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "engine.h"
#include "invariants.h"
#include "testutil.h"

#define N_PROCS 4
#define ROWS 15
#define PER_ROW 20
#define N_SEATS (ROWS * PER_ROW) /* 300 */
#define MAX_HOLD 4

/* ---- the clock shared by every process --------------------------------- */

static int64_t *shared_now; /* MAP_SHARED | MAP_ANONYMOUS, made before fork */

static int64_t shared_clock(void *ctx)
{
    return __atomic_load_n((int64_t *)ctx, __ATOMIC_SEQ_CST);
}
static int64_t clock_now(void) { return __atomic_load_n(shared_now, __ATOMIC_SEQ_CST); }
static void clock_advance(int64_t s) { __atomic_fetch_add(shared_now, s, __ATOMIC_SEQ_CST); }

static uint32_t g_lease = 30; /* confirm_lease of the current test */

static void proc_config(tix_config *cfg)
{
    tt_config(cfg);
    cfg->clock = shared_clock;
    cfg->clock_ctx = shared_now;
    cfg->confirm_lease = g_lease;
}

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : def;
}

/* ---- fixture: a store with one show and one user, closed --------------- */

typedef struct fixture {
    char *base; /* temp dir: store/ and the children's reports */
    char store[512];
    tt_catalog c;
    tix_id show, user;
} fixture;

static int setup_lease(void **state, uint32_t lease)
{
    g_lease = lease;
    fixture *f = calloc(1, sizeof *f);
    shared_now = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(shared_now != MAP_FAILED);
    *shared_now = 1767225600;
    f->base = tt_tmpdir();
    snprintf(f->store, sizeof f->store, "%s/store", f->base);
    tix_config cfg;
    proc_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_make_catalog(db, ROWS, PER_ROW, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = clock_now() + 30 * 86400};
    assert_ok(tix_show_create(db, &sh, &f->show));
    tix_user u = {.name = "Ravi", .email = "ravi@example.com"};
    assert_ok(tix_user_create(db, &u, &f->user));
    tix_db_close(db);
    *state = f;
    return 0;
}

static int setup(void **state) { return setup_lease(state, 30); }
static int setup_strict(void **state) { return setup_lease(state, 3600); }

static int teardown(void **state)
{
    fixture *f = *state;
    tt_rmrf(f->base);
    free(f->base);
    munmap(shared_now, 4096);
    shared_now = NULL;
    free(f);
    return 0;
}

/* ---- a child ----------------------------------------------------------- */

typedef struct child {
    const fixture *f;
    int idx;
    tix_db *db;
    FILE *out;
    uint64_t rng;
    unsigned ref_seq;
    int failures;
    int overruns_ok; /* leases may run out: failed confirms tolerated */
    tix_id *mine;    /* own live bookings (to cancel) */
    size_t n_mine, cap_mine;
    unsigned holds, conflicts, confirms, async_confirms, expired, releases,
        cancels, late, tolerated, slow;
} child;

static void cfail(child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cfail(child *c, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(c->out, "F %s [%s]\n", msg, tix_errmsg());
    c->failures++;
}

static uint32_t rnd(child *c, uint32_t n)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (uint32_t)((c->rng * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

static void report_confirm(child *c, tix_id id, const tix_hold *h,
                           const char *ref)
{
    if (id == 0) {
        cfail(c, "confirm returned booking 0");
        return;
    }
    fprintf(c->out, "C %llu %s %zu", (unsigned long long)id, ref,
            tix_hold_count(h));
    for (size_t i = 0; i < tix_hold_count(h); i++)
        fprintf(c->out, " %u", tix_hold_seat(h, i));
    fputc('\n', c->out);
    if (c->n_mine == c->cap_mine) {
        c->cap_mine = c->cap_mine ? c->cap_mine * 2 : 64;
        c->mine = realloc(c->mine, c->cap_mine * sizeof *c->mine);
    }
    c->mine[c->n_mine++] = id;
}

/* A failed confirm is acceptable only when the hold had run out, or when
 * leases may run out (this confirm, or one landing late on a seat of this
 * hold, outlived its lease). */
static void confirm_failed(child *c, int rc, const tix_hold *h)
{
    if ((rc == TIX_EEXPIRED || rc == TIX_ECONFLICT) &&
        clock_now() >= tix_hold_expires(h)) {
        c->expired++;
        return;
    }
    if ((rc == TIX_EEXPIRED || rc == TIX_ECONFLICT) && c->overruns_ok) {
        c->tolerated++;
        return;
    }
    cfail(c, "confirm of a live hold (expires %lld, now %lld) -> %d",
          (long long)tix_hold_expires(h), (long long)clock_now(), rc);
}

static void confirm(child *c, tix_hold *h)
{
    char ref[48];
    snprintf(ref, sizeof ref, "pay-p%d-%u", c->idx, c->ref_seq++);
    tix_confirm_opts o = {.user_id = c->f->user, .payment_ref = ref,
                          .seats_per_ticket = rnd(c, 3)};
    tix_id id = 0;
    int rc;
    int64_t t0 = clock_now();
    if (rnd(c, 3) == 0) {
        tix_confirm *cf;
        rc = tix_confirm_submit(c->db, h, &o, &cf);
        if (rc == TIX_OK) {
            while ((rc = tix_confirm_poll(cf, &id)) == TIX_EAGAIN)
                if (rnd(c, 8) == 0 &&
                    (rc = tix_confirm_wait(cf, 50, &id)) != TIX_ETIMEDOUT)
                    break;
            tix_confirm_free(cf);
            if (rc == TIX_OK) c->async_confirms++;
        }
    } else {
        rc = tix_hold_confirm(c->db, h, &o, &id);
        if (rc == TIX_OK) c->confirms++;
    }
    c->slow += clock_now() - t0 >= 30; /* outlived a 30 s lease */
    if (rc) {
        confirm_failed(c, rc, h);
        return;
    }
    report_confirm(c, id, h, ref);
    if (rnd(c, 10) == 0) {
        /* the same payment ref gives the same booking, from any process */
        tix_id again = 0;
        rc = tix_hold_confirm(c->db, h, &o, &again);
        if (rc || again != id)
            cfail(c, "repeat confirm -> %d, %llu not %llu", rc,
                  (unsigned long long)again, (unsigned long long)id);
    }
}

static void cancel_one(child *c)
{
    if (!c->n_mine) return;
    size_t k = rnd(c, (uint32_t)c->n_mine);
    tix_id id = c->mine[k];
    c->mine[k] = c->mine[--c->n_mine];
    int rc = tix_booking_cancel(c->db, id);
    if (rc) {
        cfail(c, "cancel of own booking %llu -> %d", (unsigned long long)id, rc);
        return;
    }
    fprintf(c->out, "X %llu\n", (unsigned long long)id);
    c->cancels++;
}

/* Uses a hold; returns 1 when it is parked for later. */
static int act(child *c, tix_hold *h, int may_park)
{
    uint32_t what = rnd(c, 100);
    int rc;
    if (what < 45) {
        confirm(c, h);
    } else if (what < 72) {
        if ((rc = tix_hold_release(c->db, h))) cfail(c, "release -> %d", rc);
        c->releases++;
    } else if (what < 82) {
        rc = tix_hold_extend(c->db, h, 5 + rnd(c, 30));
        if (rc == TIX_OK) confirm(c, h);
        else if (rc != TIX_EEXPIRED ||
                 (clock_now() < tix_hold_expires(h) && !c->overruns_ok))
            cfail(c, "extend -> %d", rc);
    } else if (what < 94 && may_park) {
        return 1;
    }
    return 0; /* else: abandoned, left to expire */
}

static int child_main(const fixture *f, int idx, unsigned ops, unsigned seed,
                      int overruns_ok, const char *report)
{
    child c = {.f = f, .idx = idx, .overruns_ok = overruns_ok};
    c.rng = ((uint64_t)seed << 20) ^ (0x9E3779B97F4A7C15ull * (uint64_t)(idx + 1));
    if (!c.rng) c.rng = 1;
    c.out = fopen(report, "w");
    if (!c.out) return 3;
    tix_config cfg;
    proc_config(&cfg);
    int rc = tix_db_open(f->store, &cfg, &c.db);
    if (rc) {
        fprintf(c.out, "F open -> %d %s\n", rc, tix_errmsg());
        fclose(c.out);
        return 2;
    }
    tix_hold *parked[4] = {0};
    for (unsigned op = 0; op < ops; op++) {
        /* The clock runs faster when leases may run out, so they do. */
        if (rnd(&c, 100) < (overruns_ok ? 10 : 5))
            clock_advance(1 + rnd(&c, overruns_ok ? 8 : 4));
        uint32_t r = rnd(&c, 100);
        if (r < 18) {
            cancel_one(&c);
            continue;
        }
        if (r < 30) {
            uint32_t k = rnd(&c, 4);
            if (parked[k]) {
                c.late++;
                if (!act(&c, parked[k], 1)) {
                    tix_hold_free(parked[k]);
                    parked[k] = NULL;
                }
                continue;
            }
        }
        tix_hold *h = NULL;
        uint32_t ttl = rnd(&c, 3) ? 5 + rnd(&c, 40) : 0;
        uint32_t n = 1 + rnd(&c, MAX_HOLD);
        if (rnd(&c, 2)) {
            uint32_t seats[MAX_HOLD], span = rnd(&c, 2) ? 40 : N_SEATS;
            for (uint32_t i = 0; i < n; i++) {
                int dup;
                do {
                    seats[i] = rnd(&c, span);
                    dup = 0;
                    for (uint32_t k = 0; k < i; k++) dup |= seats[k] == seats[i];
                } while (dup);
            }
            tix_hold_opts o = {.ttl = ttl};
            rc = tix_hold_create(c.db, f->show, seats, n, &o, &h);
        } else {
            tix_best_opts o = {.ttl = ttl,
                               .flags = rnd(&c, 2) ? TIX_BEST_ANY_TIER : 0};
            rc = tix_hold_best(c.db, f->show, n, &o, &h);
        }
        if (rc == TIX_ECONFLICT) {
            c.conflicts++;
            continue;
        }
        if (rc) {
            cfail(&c, "hold -> %d", rc);
            continue;
        }
        c.holds++;
        if (tix_hold_count(h) != n) cfail(&c, "hold of %zu seats, asked %u",
                                          tix_hold_count(h), n);
        uint32_t k = rnd(&c, 4);
        if (act(&c, h, !parked[k])) parked[k] = h;
        else tix_hold_free(h);
    }
    for (int k = 0; k < 4; k++) tix_hold_free(parked[k]);
    tix_db_close(c.db);
    fprintf(c.out, "S holds %u conflicts %u confirms %u async %u expired %u "
                   "releases %u cancels %u late %u tolerated %u "
                   "outlived-lease %u\n",
            c.holds, c.conflicts, c.confirms, c.async_confirms, c.expired,
            c.releases, c.cancels, c.late, c.tolerated, c.slow);
    free(c.mine);
    int failed = c.failures != 0;
    if (fclose(c.out) != 0) return 3;
    return failed;
}

/* ---- the parent's checks ------------------------------------------------ */

typedef struct rep {
    tix_id id;
    int cancelled;
    uint32_t n, seats[MAX_HOLD];
    char ref[48];
} rep;

typedef struct reports {
    rep *v;
    size_t n, cap;
    unsigned confirms[N_PROCS], cancels[N_PROCS];
} reports;

static rep *find_rep(reports *r, tix_id id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].id == id) return &r->v[i];
    return NULL;
}

/* Reads a child's report; prints and counts its failure lines. */
static int read_report(const char *path, int idx, reports *r)
{
    FILE *in = fopen(path, "r");
    if (!in) fail_msg("child %d wrote no report", idx);
    char line[1024];
    int failures = 0;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == 'F') {
            print_error("child %d: %s", idx, line + 2);
            failures++;
        } else if (line[0] == 'S') {
            print_message("child %d: %s", idx, line + 2);
        } else if (line[0] == 'C') {
            if (r->n == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 256;
                r->v = realloc(r->v, r->cap * sizeof *r->v);
            }
            rep *p = &r->v[r->n];
            memset(p, 0, sizeof *p);
            unsigned long long id;
            int used;
            if (sscanf(line, "C %llu %47s %u%n", &id, p->ref, &p->n, &used) != 3 ||
                p->n < 1 || p->n > MAX_HOLD)
                fail_msg("child %d: bad line %s", idx, line);
            const char *s = line + used;
            for (uint32_t k = 0; k < p->n; k++) {
                int adv;
                if (sscanf(s, " %u%n", &p->seats[k], &adv) != 1)
                    fail_msg("child %d: bad line %s", idx, line);
                s += adv;
            }
            p->id = id;
            if (find_rep(r, p->id))
                fail_msg("booking %llu reported twice", id);
            r->n++;
            r->confirms[idx]++;
        } else if (line[0] == 'X') {
            unsigned long long id;
            if (sscanf(line, "X %llu", &id) != 1) fail_msg("bad line %s", line);
            rep *p = find_rep(r, id);
            if (!p) fail_msg("child %d cancelled unknown booking %llu", idx, id);
            p->cancelled = 1;
            r->cancels[idx]++;
        }
    }
    fclose(in);
    return failures;
}

/* The children's reports match the bookings, and the store satisfies the
 * shared invariants. */
static void check_store(const fixture *f, tix_db *db, reports *r)
{
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, f->show, &l));
    tix_id owner[N_SEATS] = {0};
    size_t live = 0, owned = 0;
    for (size_t i = 0; i < l->count; i++) {
        const tix_booking *b = &l->items[i];
        assert_int_equal(b->show_id, f->show);
        assert_true(b->n_seats >= 1 && b->n_tickets >= 1);
        size_t in_tickets = 0;
        for (size_t t = 0; t < b->n_tickets; t++) in_tickets += b->tickets[t].n_seats;
        assert_int_equal(in_tickets, b->n_seats);
        /* every booking was made by a child and reported (children close
         * their store before exiting: nothing was in flight) */
        rep *p = find_rep(r, b->id);
        if (!p) fail_msg("booking %llu (%s) was never reported",
                         (unsigned long long)b->id, b->payment_ref);
        assert_string_equal(b->payment_ref, p->ref);
        assert_int_equal(b->status, p->cancelled ? TIX_BOOKING_CANCELLED
                                                 : TIX_BOOKING_CONFIRMED);
        assert_int_equal(b->n_seats, p->n);
        for (uint32_t k = 0; k < p->n; k++)
            assert_int_equal(b->seats[k].seat, p->seats[k]);
        if (b->status != TIX_BOOKING_CONFIRMED) continue;
        live++;
        for (size_t k = 0; k < b->n_seats; k++) {
            uint32_t s = b->seats[k].seat;
            assert_true(s < N_SEATS);
            if (owner[s])
                fail_msg("seat %u is in live bookings %llu and %llu", s,
                         (unsigned long long)owner[s], (unsigned long long)b->id);
            owner[s] = b->id;
            owned++;
        }
    }
    /* every reported booking exists (the list has them all) */
    assert_int_equal(l->count, r->n);

    /* LMDB seat rows, seats.map words and states, availability, the outbox
     * and tix check: the shared invariants (tests/util/invariants.c) */
    tt_inv_opts o = {.run_check = 1};
    tt_inv_stats st;
    tt_inv_assert(db, &o, &st);
    assert_int_equal(st.seats_booked, owned);
    assert_int_equal(st.blocked, 0);
    print_message("bookings %zu, live %zu, seats booked %zu\n", l->count, live,
                  owned);
    tix_booking_list_free(l);
}

static void hammer(fixture *f, int overruns_ok)
{
    unsigned ops = env_uint("TIX_PROC_OPS", 1000);
    unsigned seed = env_uint("TIX_CONC_SEED", (unsigned)time(NULL));
    print_message("procs: %d x %u ops, TIX_CONC_SEED=%u\n", N_PROCS, ops, seed);
    char report[N_PROCS][600];
    pid_t pids[N_PROCS];
    fflush(NULL); /* nothing buffered gets written twice */
    for (int i = 0; i < N_PROCS; i++) {
        snprintf(report[i], sizeof report[i], "%s/child%d.txt", f->base, i);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(child_main(f, i, ops, seed, overruns_ok, report[i]));
    }
    int bad_exit = 0;
    for (int i = 0; i < N_PROCS; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            print_error("child %d: %s %d\n", i,
                        WIFEXITED(status) ? "exit" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            bad_exit++;
        }
    }
    reports r = {0};
    int failures = 0;
    for (int i = 0; i < N_PROCS; i++) failures += read_report(report[i], i, &r);
    assert_int_equal(failures, 0);
    assert_int_equal(bad_exit, 0);
    for (int i = 0; i < N_PROCS; i++) assert_true(r.confirms[i] > 0);

    /* Reopen alone (exclusive): everything must agree. */
    tix_config cfg;
    proc_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    check_store(f, db, &r);

    /* Once every hold has run out, every unbooked seat can be held again. */
    clock_advance(4000);
    uint8_t st[N_SEATS];
    assert_ok(tix_show_seat_states(db, f->show, st, sizeof st));
    for (uint32_t s = 0; s < N_SEATS; s++) {
        if (st[s] == TIX_SEAT_BOOKED) continue;
        assert_int_equal(st[s], TIX_SEAT_FREE);
        tix_hold *h;
        assert_ok(tix_hold_create(db, f->show, &s, 1, NULL, &h));
        tix_hold_free(h); /* left held; harmless */
    }
    tix_db_close(db);
    free(r.v);
}

static void procs_hammer_strict(void **state) { hammer(*state, 0); }
static void procs_hammer_lease_overruns(void **state) { hammer(*state, 1); }

/* All four processes race for the same few seats at once, over and over:
 * each seat ends up in exactly one live booking. */
static int race_child(const fixture *f, int idx, const char *report)
{
    FILE *out = fopen(report, "w");
    if (!out) return 3;
    tix_config cfg;
    proc_config(&cfg);
    tix_db *db;
    int rc = tix_db_open(f->store, &cfg, &db);
    if (rc) {
        fprintf(out, "F open -> %d\n", rc);
        fclose(out);
        return 2;
    }
    int failed = 0;
    for (uint32_t round = 0; round < 40; round++) {
        /* seats 5r..5r+4: child i wants (5r+i, 5r+i+1), overlapping its
         * neighbours */
        uint32_t seats[2] = {round * 5 + (uint32_t)idx, round * 5 + (uint32_t)idx + 1};
        tix_hold *h;
        rc = tix_hold_create(db, f->show, seats, 2, NULL, &h);
        if (rc == TIX_ECONFLICT) continue;
        if (rc) {
            fprintf(out, "F hold -> %d %s\n", rc, tix_errmsg());
            failed = 1;
            continue;
        }
        char ref[32];
        snprintf(ref, sizeof ref, "race-%d-%u", idx, round);
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref};
        tix_id id;
        rc = tix_hold_confirm(db, h, &o, &id);
        if (rc) {
            fprintf(out, "F confirm -> %d %s\n", rc, tix_errmsg());
            failed = 1;
        } else {
            fprintf(out, "C %llu %s 2 %u %u\n", (unsigned long long)id, ref,
                    seats[0], seats[1]);
        }
        tix_hold_free(h);
    }
    tix_db_close(db);
    if (fclose(out) != 0) return 3;
    return failed;
}

static void procs_race_for_the_same_seats(void **state)
{
    fixture *f = *state;
    char report[N_PROCS][600];
    pid_t pids[N_PROCS];
    fflush(NULL);
    for (int i = 0; i < N_PROCS; i++) {
        snprintf(report[i], sizeof report[i], "%s/race%d.txt", f->base, i);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) _exit(race_child(f, i, report[i]));
    }
    int bad_exit = 0;
    for (int i = 0; i < N_PROCS; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {
        }
        bad_exit += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    reports r = {0};
    int failures = 0;
    for (int i = 0; i < N_PROCS; i++) failures += read_report(report[i], i, &r);
    assert_int_equal(failures, 0);
    assert_int_equal(bad_exit, 0);
    /* every round, at least one child won and at most two (0-1 + 2-3) */
    assert_true(r.n >= 40 && r.n <= 80);
    tix_config cfg;
    proc_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    check_store(f, db, &r);
    tix_db_close(db);
    free(r.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(procs_race_for_the_same_seats, setup, teardown),
        cmocka_unit_test_setup_teardown(procs_hammer_strict, setup_strict, teardown),
        cmocka_unit_test_setup_teardown(procs_hammer_lease_overruns, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
