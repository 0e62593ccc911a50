/* Multi-process torture: four processes x four threads on one store, for a
 * fixed number of operations each (holds, best-available holds, sync and
 * async confirms, releases, cancels, gate check-ins, outbox read/ack on
 * two shows), and half way through seats.map is taken away under them:
 *  - deleted (the running processes keep the unlinked inode), or
 *  - its header corrupted in place (they keep using the mapping),
 * and a fifth process opens the store: it finds the file missing or bad
 * while others have it open, so it builds a new seats.map from LMDB and
 * renames it into place, and works on it (two threads) while the first
 * four finish on the old one. LMDB's seat rows are the only thing the two
 * groups share, so their confirms collide there: a confirm that loses a
 * seat to the other group fails (TIX_ECONFLICT/TIX_EEXPIRED) and heals the
 * word; nothing may be sold twice.
 *
 * When every process has exited, the store is reopened alone and must
 * satisfy every invariant of tests/util/invariants.c (bookings, seat rows,
 * seats.map words after the exclusive reopen, availability, exactly one
 * outbox event per change, tix check), every step a process reported must
 * be there, and no booking may exist that nobody reported. Finally every
 * live booking must still cancel and every seat be holdable.
 *
 * TIX_TORTURE_OPS (operations per thread, default 300) and
 * TIX_CONC_SEED scale and reproduce the run; TIX_TEST_DURABILITY=journal
 * runs it in the default durability mode (ctest test_conc_torture_journal). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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
#define N_THREADS 4
#define OPENER_THREADS 2
#define ROWS 15
#define PER_ROW 20
#define N_SEATS (ROWS * PER_ROW)
#define N_SHOWS 2
#define MAX_HOLD 4

enum { TAMPER_DELETE = 1, TAMPER_CORRUPT = 2 };

/* Shared between every process (MAP_SHARED, made before fork). */
typedef struct shm {
    _Atomic unsigned long ops;     /* operations done by the first four */
    _Atomic int rebuilt;           /* the opener has the new file */
} shm;

typedef struct fixture {
    char *base;
    char store[512];
    tix_id shows[N_SHOWS], user;
    shm *sh;
} fixture;

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : def;
}

static void torture_config(tix_config *cfg)
{
    tix_config_init(cfg); /* real clock: holds of 60 s never run out here */
    /* Journal mode (the default) when TIX_TEST_DURABILITY says so: then
     * the five processes share one journal ring and its checkpoints. */
    cfg->durability = tt_durability(TIX_SYNC_NONE);
    cfg->map_size = (size_t)8 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->sh = mmap(NULL, sizeof *f->sh, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(f->sh != MAP_FAILED);
    memset(f->sh, 0, sizeof *f->sh);
    f->base = tt_tmpdir();
    snprintf(f->store, sizeof f->store, "%s/store", f->base);
    tix_config cfg;
    torture_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, ROWS, PER_ROW, &c);
    for (int i = 0; i < N_SHOWS; i++) {
        tix_show s = {.movie_id = c.movie, .screen_id = c.screen,
                      .start = tix_db_now(db) + (20 + i) * 86400};
        assert_ok(tix_show_create(db, &s, &f->shows[i]));
    }
    tix_user u = {.name = "Kavya", .email = "kavya@example.com"};
    assert_ok(tix_user_create(db, &u, &f->user));
    for (int i = 0; i <= N_PROCS; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        assert_ok(tix_outbox_register(db, name, 0));
    }
    tix_db_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_rmrf(f->base);
    free(f->base);
    munmap(f->sh, sizeof *f->sh);
    free(f);
    return 0;
}

/* ---- a worker process --------------------------------------------------- */

typedef struct proc {
    const fixture *f;
    int idx;          /* 0..3, or N_PROCS for the opener */
    tix_db *db;
    FILE *out;
    pthread_mutex_t out_mu;
    unsigned ops;
    uint64_t seed;
} proc;

typedef struct own {
    tix_id id;
    uint32_t n_codes;
    char codes[MAX_HOLD][TIX_TICKET_CODE_LEN + 1];
    uint8_t checked[MAX_HOLD];
} own;

typedef struct wk {
    proc *p;
    int idx;
    uint64_t rng;
    own mine[48];
    int n_mine;
    unsigned seq;
    unsigned confirms, lost, cancels, checkins, acks, holds, conflicts;
} wk;

static uint32_t rnd(wk *w, uint32_t n)
{
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return (uint32_t)((w->rng * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

static void put_line(proc *p, const char *line)
{
    pthread_mutex_lock(&p->out_mu);
    fputs(line, p->out);
    pthread_mutex_unlock(&p->out_mu);
}

static void wfail(wk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wfail(wk *w, const char *fmt, ...)
{
    char line[TT_LINE_MAX];
    line[0] = 'F';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + 1, sizeof line - 200, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n > (int)sizeof line - 201) n = (int)sizeof line - 201;
    snprintf(line + 1 + n, 199, " [proc %d thread %d: %s]\n", w->p->idx, w->idx,
             tix_errmsg());
    put_line(w->p, line);
}

/* Confirms of the two groups (before and after the rebuild) meet only in
 * LMDB: losing a seat there is expected once the rebuild happened. */
static int rebuild_seen(const wk *w)
{
    return atomic_load(&w->p->f->sh->rebuilt);
}

static void w_confirm(wk *w, tix_hold *h)
{
    proc *p = w->p;
    char ref[64];
    snprintf(ref, sizeof ref, "p%d-t%d-%u", p->idx, w->idx, w->seq++);
    tix_confirm_opts o = {.user_id = p->f->user, .payment_ref = ref,
                          .seats_per_ticket = rnd(w, 3)};
    tix_id id = 0;
    int rc;
    int saw = rebuild_seen(w);
    if (rnd(w, 3) == 0) {
        tix_confirm *c;
        rc = tix_confirm_submit(p->db, h, &o, &c);
        if (rc == TIX_OK) {
            while ((rc = tix_confirm_poll(c, &id)) == TIX_EAGAIN)
                if ((rc = tix_confirm_wait(c, 5, &id)) != TIX_ETIMEDOUT) break;
            tix_confirm_free(c);
        }
    } else {
        rc = tix_hold_confirm(p->db, h, &o, &id);
    }
    if (rc) {
        if ((rc == TIX_ECONFLICT || rc == TIX_EEXPIRED) &&
            (saw || rebuild_seen(w)))
            w->lost++;
        else
            wfail(w, "confirm of a live hold -> %d", rc);
        return;
    }
    w->confirms++;
    char line[TT_LINE_MAX];
    tt_line_confirmed(line, id, h, ref);
    put_line(p, line);
    if (w->n_mine == (int)(sizeof w->mine / sizeof *w->mine)) return;
    tix_booking *b;
    if ((rc = tix_booking_get(p->db, id, &b))) {
        wfail(w, "booking %llu just confirmed -> %d", (unsigned long long)id, rc);
        return;
    }
    own *m = &w->mine[w->n_mine++];
    memset(m, 0, sizeof *m);
    m->id = id;
    m->n_codes = (uint32_t)(b->n_tickets < MAX_HOLD ? b->n_tickets : MAX_HOLD);
    for (uint32_t i = 0; i < m->n_codes; i++)
        memcpy(m->codes[i], b->tickets[i].code, sizeof m->codes[i]);
    tix_booking_free(b);
}

static void w_cancel(wk *w)
{
    int k = (int)rnd(w, (uint32_t)w->n_mine);
    tix_id id = w->mine[k].id;
    w->mine[k] = w->mine[--w->n_mine];
    int rc = tix_booking_cancel_ex(w->p->db, id, TIX_CANCEL_AFTER_CHECKIN);
    if (rc) {
        wfail(w, "cancel of own booking %llu -> %d", (unsigned long long)id, rc);
        return;
    }
    w->cancels++;
    char line[TT_LINE_MAX];
    tt_line_id(line, 'c', id);
    put_line(w->p, line);
    tt_line_id(line, 'X', id);
    put_line(w->p, line);
}

static void w_checkin(wk *w)
{
    own *m = &w->mine[rnd(w, (uint32_t)w->n_mine)];
    uint32_t k = rnd(w, m->n_codes);
    if (m->checked[k]) return;
    int rc = tix_ticket_checkin(w->p->db, m->codes[k], "North gate", NULL);
    if (rc) {
        wfail(w, "check-in %s -> %d", m->codes[k], rc);
        return;
    }
    m->checked[k] = 1;
    w->checkins++;
    char line[TT_LINE_MAX];
    tt_line_code(line, 'K', m->codes[k]);
    put_line(w->p, line);
}

static void w_outbox(wk *w)
{
    char name[16];
    snprintf(name, sizeof name, "w%d", w->p->idx);
    tix_event_list *l;
    int rc = tix_outbox_read(w->p->db, name, 1 + rnd(w, 32), &l);
    if (rc) {
        wfail(w, "outbox read -> %d", rc);
        return;
    }
    uint64_t last = l->count ? l->items[l->count - 1].seq : 0;
    tix_event_list_free(l);
    if (!last) return;
    /* Two threads of a process ack the same consumer: an old ack is a
     * no-op, so the cursor only moves forward. */
    if ((rc = tix_outbox_ack(w->p->db, name, last))) {
        wfail(w, "ack %llu -> %d", (unsigned long long)last, rc);
        return;
    }
    w->acks++;
    char line[TT_LINE_MAX];
    tt_line_ack(line, name, last);
    put_line(w->p, line);
}

static void *wk_main(void *arg)
{
    wk *w = arg;
    proc *p = w->p;
    shm *sh = p->f->sh;
    for (unsigned op = 0; op < p->ops; op++) {
        if (p->idx < N_PROCS) atomic_fetch_add(&sh->ops, 1);
        uint32_t r = rnd(w, 100);
        if (r < 12 && w->n_mine) {
            w_cancel(w);
            continue;
        }
        if (r < 22 && w->n_mine) {
            w_checkin(w);
            continue;
        }
        if (r < 27) {
            w_outbox(w);
            continue;
        }
        tix_id show = p->f->shows[rnd(w, N_SHOWS)];
        uint32_t n = 1 + rnd(w, MAX_HOLD);
        tix_hold *h = NULL;
        int rc;
        if (rnd(w, 2)) {
            tix_best_opts bo = {.ttl = 60, .flags = rnd(w, 2) ? TIX_BEST_ANY_TIER : 0};
            rc = tix_hold_best(p->db, show, n, &bo, &h);
        } else {
            uint32_t seats[MAX_HOLD], span = rnd(w, 2) ? 40 : N_SEATS;
            for (uint32_t i = 0; i < n; i++) {
                int dup;
                do {
                    seats[i] = rnd(w, span);
                    dup = 0;
                    for (uint32_t j = 0; j < i; j++) dup |= seats[j] == seats[i];
                } while (dup);
            }
            tix_hold_opts ho = {.ttl = 60};
            rc = tix_hold_create(p->db, show, seats, n, &ho, &h);
        }
        if (rc == TIX_ECONFLICT) {
            w->conflicts++;
            continue;
        }
        if (rc) {
            wfail(w, "hold -> %d", rc);
            continue;
        }
        w->holds++;
        uint32_t what = rnd(w, 10);
        if (what < 7) w_confirm(w, h);
        else if (what < 9) {
            if ((rc = tix_hold_release(p->db, h))) wfail(w, "release -> %d", rc);
        }
        tix_hold_free(h);
    }
    return NULL;
}

static int proc_main(const fixture *f, int idx, unsigned ops, uint64_t seed,
                     int threads, const char *report)
{
    proc p = {.f = f, .idx = idx, .ops = ops, .seed = seed};
    pthread_mutex_init(&p.out_mu, NULL);
    p.out = fopen(report, "w");
    if (!p.out) return 3;
    tix_config cfg;
    torture_config(&cfg);
    int rc = tix_db_open(f->store, &cfg, &p.db);
    if (rc) {
        fprintf(p.out, "Fopen -> %d %s\n", rc, tix_errmsg());
        fclose(p.out);
        return 2;
    }
    if (idx == N_PROCS) atomic_store(&f->sh->rebuilt, 1);
    wk w[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < threads; i++) {
        w[i] = (wk){.p = &p, .idx = i};
        w[i].rng = (seed << 20) ^ (0x9E3779B97F4A7C15ull * (uint64_t)(idx * 16 + i + 1));
        if (!w[i].rng) w[i].rng = 1;
        pthread_create(&th[i], NULL, wk_main, &w[i]);
    }
    unsigned t[7] = {0};
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        unsigned v[7] = {w[i].holds, w[i].conflicts, w[i].confirms, w[i].lost,
                         w[i].cancels, w[i].checkins, w[i].acks};
        for (int k = 0; k < 7; k++) t[k] += v[k];
    }
    int rebuilt = p.db->engine->map.rebuilt;
    tix_db_close(p.db);
    fprintf(p.out, "S proc %d%s: holds %u conflicts %u confirms %u lost-in-lmdb "
            "%u cancels %u check-ins %u acks %u\n", idx,
            rebuilt ? " (rebuilt seats.map)" : "", t[0], t[1], t[2], t[3], t[4],
            t[5], t[6]);
    pthread_mutex_destroy(&p.out_mu);
    return fclose(p.out) == 0 ? 0 : 3;
}

/* ---- the parent --------------------------------------------------------- */

static void tamper(const fixture *f, int how)
{
    char map[700];
    snprintf(map, sizeof map, "%s/seats.map", f->store);
    if (how == TAMPER_DELETE) {
        assert_int_equal(unlink(map), 0);
    } else {
        int fd = open(map, O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "garbage!", 8, 0), 8); /* the magic */
        close(fd);
    }
}

static int wait_child(pid_t pid, int idx)
{
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    print_error("process %d: %s %d\n", idx, WIFEXITED(status) ? "exit" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 1;
}

static void torture(fixture *f, int how)
{
    unsigned ops = env_uint("TIX_TORTURE_OPS", 300);
    unsigned seed = env_uint("TIX_CONC_SEED", (unsigned)time(NULL));
    print_message("torture: %d processes x %d threads x %u ops, seats.map %s "
                  "half way, TIX_CONC_SEED=%u\n", N_PROCS, N_THREADS, ops,
                  how == TAMPER_DELETE ? "deleted" : "corrupted", seed);
    char report[N_PROCS + 1][600];
    pid_t pids[N_PROCS + 1];
    fflush(NULL);
    for (int i = 0; i < N_PROCS; i++) {
        snprintf(report[i], sizeof report[i], "%s/proc%d.txt", f->base, i);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(proc_main(f, i, ops, seed, N_THREADS, report[i]));
    }
    /* Half way: take seats.map away and let a new process rebuild it. */
    unsigned long total = (unsigned long)N_PROCS * N_THREADS * ops;
    while (atomic_load(&f->sh->ops) < total / 2) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    tamper(f, how);
    snprintf(report[N_PROCS], sizeof report[N_PROCS], "%s/opener.txt", f->base);
    pids[N_PROCS] = fork();
    assert_true(pids[N_PROCS] >= 0);
    if (pids[N_PROCS] == 0)
        _exit(proc_main(f, N_PROCS, ops, seed, OPENER_THREADS, report[N_PROCS]));
    int bad = 0;
    for (int i = 0; i <= N_PROCS; i++) bad += wait_child(pids[i], i);

    tt_ledger l;
    tt_ledger_init(&l);
    size_t failures = 0;
    for (int i = 0; i <= N_PROCS; i++) {
        FILE *in = fopen(report[i], "r");
        assert_non_null(in);
        char line[TT_LINE_MAX + 8], err[300];
        while (fgets(line, sizeof line, in)) {
            line[strcspn(line, "\n")] = '\0';
            if (line[0] == 'F') {
                print_error("process %d: %s\n", i, line + 1);
                failures++;
            } else if (line[0] == 'S') {
                print_message("%s\n", line + 2);
            } else if (tt_ledger_line(&l, line, err, sizeof err)) {
                print_error("%s\n", err);
                failures++;
            }
        }
        fclose(in);
    }
    assert_int_equal(bad, 0);
    assert_int_equal(failures, 0);

    /* Reopen alone: everything must agree. */
    tix_config cfg;
    torture_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_inv_opts o = {.run_check = 1};
    tt_inv_stats st;
    size_t problems = tt_inv_check(db, &o, &st);
    problems += tt_ledger_verify(db, &l, 0);
    print_message("after: %zu bookings (%zu live), %zu seats booked, %zu "
                  "tickets, %zu checked in, %zu events, %zu report lines\n",
                  st.bookings, st.live, st.seats_booked, st.tickets,
                  st.checked_in, st.events, l.lines);
    if (problems) fail_msg("%zu problems after the torture", problems);
    /* every booking was reported by the process that made it */
    assert_int_equal(st.bookings, l.nb);
    size_t cancelled;
    assert_int_equal(tt_inv_cancel_all(db, &cancelled), 0);
    assert_int_equal(cancelled, st.live);
    for (int s = 0; s < N_SHOWS; s++) {
        tix_avail *a;
        assert_ok(tix_show_availability(db, f->shows[s], &a));
        assert_int_equal(a->all.booked, 0);
        tix_avail_free(a);
    }
    tt_inv_assert(db, &o, NULL);
    tix_db_close(db);
    tt_ledger_free(&l);
}

static void torture_seatmap_deleted(void **state) { torture(*state, TAMPER_DELETE); }
static void torture_seatmap_corrupted(void **state) { torture(*state, TAMPER_CORRUPT); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(torture_seatmap_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(torture_seatmap_corrupted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
