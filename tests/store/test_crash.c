/* Crash safety: a child process opens the store with TIX_SYNC_FULL and
 * confirms (and cancels) bookings from several threads, reporting each
 * booking over a pipe only after tix_hold_confirm() returned TIX_OK. The
 * parent reads a few dozen reports, SIGKILLs the child mid-flight (while
 * confirms sit in the group committer, seats are CONFIRMING, holds are
 * live), then reopens the store alone and checks:
 *
 *  - every reported booking exists with its tickets, its payment
 *    reference and status CONFIRMED (CANCELLED if the child reported the
 *    cancel; either if the child was killed during the cancel);
 *  - no seat is in two live bookings; LMDB seat rows name exactly the live
 *    bookings' seats; the outbox has one event per committed change (the
 *    shared invariants of tests/util/invariants.c);
 *  - seats.map agrees with LMDB after the exclusive reopen repaired what
 *    the child left behind: no word is CONFIRMING any more (the leases are
 *    30 s of real time, so only the repair at open can have fixed them),
 *    seats read BOOKED exactly when a live booking has them, and the
 *    availability counts match;
 *  - every live booking can be cancelled (its words carry its id).
 *
 * Seven rounds with different timing; reports accumulate, so a booking
 * reported in round 1 must still be there in round 7. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "engine.h"
#include "invariants.h"
#include "show.h"
#include "testutil.h"

#define ROWS 20
#define PER_ROW 30
#define N_SEATS (ROWS * PER_ROW) /* 600 */
#define CHILD_THREADS 4
#define MAX_HOLD 3
#define ROUNDS 7

static void crash_config(tix_config *cfg)
{
    tix_config_init(cfg); /* real clock, TIX_SYNC_FULL */
    cfg->map_size = (size_t)8 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the child ---------------------------------------------------------- */

typedef struct cshared {
    tix_db *db;
    tix_id show, user;
    int fd;    /* pipe to the parent */
    int round;
    int64_t deadline_ms; /* the child gives up on its own after this */
} cshared;

typedef struct cthread {
    cshared *sh;
    int idx;
    uint64_t rng;
    tix_id mine[64];
    int n_mine;
} cthread;

static uint32_t crnd(cthread *t, uint32_t n)
{
    t->rng ^= t->rng >> 12;
    t->rng ^= t->rng << 25;
    t->rng ^= t->rng >> 27;
    return (uint32_t)((t->rng * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

/* One line, one write(): lines up to PIPE_BUF never interleave. */
static void say(cshared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(cshared *sh, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w;
    do w = write(sh->fd, line, (size_t)n);
    while (w < 0 && errno == EINTR);
}

static void child_cancel(cthread *t)
{
    int k = (int)crnd(t, (uint32_t)t->n_mine);
    tix_id id = t->mine[k];
    t->mine[k] = t->mine[--t->n_mine];
    say(t->sh, "I %llu", (unsigned long long)id); /* about to cancel */
    int rc = tix_booking_cancel(t->sh->db, id);
    if (rc) say(t->sh, "F cancel %llu -> %d %s", (unsigned long long)id, rc,
                tix_errmsg());
    else say(t->sh, "X %llu", (unsigned long long)id);
}

static void *child_thread(void *arg)
{
    cthread *t = arg;
    cshared *sh = t->sh;
    for (unsigned n = 0; mono_ms() < sh->deadline_ms; n++) {
        if (t->n_mine && (t->n_mine == 64 || crnd(t, 100) < 35)) {
            child_cancel(t);
            continue;
        }
        tix_hold *h = NULL;
        uint32_t k = 1 + crnd(t, MAX_HOLD);
        int rc;
        tix_hold_opts ho = {.ttl = 120};
        if (crnd(t, 2)) {
            tix_best_opts bo = {.ttl = 120, .flags = TIX_BEST_ANY_TIER};
            rc = tix_hold_best(sh->db, sh->show, k, &bo, &h);
        } else {
            uint32_t seats[MAX_HOLD];
            for (uint32_t i = 0; i < k; i++) {
                int dup;
                do {
                    seats[i] = crnd(t, N_SEATS);
                    dup = 0;
                    for (uint32_t j = 0; j < i; j++) dup |= seats[j] == seats[i];
                } while (dup);
            }
            rc = tix_hold_create(sh->db, sh->show, seats, k, &ho, &h);
        }
        if (rc == TIX_ECONFLICT) continue;
        if (rc) {
            say(sh, "F hold -> %d %s", rc, tix_errmsg());
            continue;
        }
        if (crnd(t, 10) == 0) { /* released, or left held at the kill */
            if (crnd(t, 2)) tix_hold_release(sh->db, h);
            tix_hold_free(h);
            continue;
        }
        char ref[64];
        snprintf(ref, sizeof ref, "crash-r%d-t%d-%u", sh->round, t->idx, n);
        tix_confirm_opts o = {.user_id = sh->user, .payment_ref = ref,
                              .seats_per_ticket = crnd(t, 3)};
        tix_id id = 0;
        if (crnd(t, 3) == 0) {
            tix_confirm *c;
            rc = tix_confirm_submit(sh->db, h, &o, &c);
            if (rc == 0) {
                rc = tix_confirm_wait(c, -1, &id);
                tix_confirm_free(c);
            }
        } else {
            rc = tix_hold_confirm(sh->db, h, &o, &id);
        }
        if (rc) {
            say(sh, "F confirm of a live hold -> %d %s", rc, tix_errmsg());
        } else {
            /* durable now: report it */
            char seats[64] = "";
            for (size_t i = 0, len = 0; i < tix_hold_count(h); i++)
                len += (size_t)snprintf(seats + len, sizeof seats - len, " %u",
                                        tix_hold_seat(h, i));
            say(sh, "C %llu %s %zu%s", (unsigned long long)id, ref,
                tix_hold_count(h), seats);
            if (t->n_mine < 64) t->mine[t->n_mine++] = id;
        }
        tix_hold_free(h);
    }
    return NULL;
}

static void child_main(const char *store, tix_id show, tix_id user, int fd,
                       int round)
{
    tix_config cfg;
    crash_config(&cfg);
    cshared sh = {.show = show, .user = user, .fd = fd, .round = round,
                  .deadline_ms = mono_ms() + 20000};
    int rc = tix_db_open(store, &cfg, &sh.db);
    if (rc) {
        say(&sh, "F open -> %d %s", rc, tix_errmsg());
        _exit(2);
    }
    cthread t[CHILD_THREADS];
    pthread_t th[CHILD_THREADS];
    for (int i = 0; i < CHILD_THREADS; i++) {
        t[i] = (cthread){.sh = &sh, .idx = i};
        t[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(round * 16 + i + 1) ^
                   (uint64_t)getpid();
        pthread_create(&th[i], NULL, child_thread, &t[i]);
    }
    for (int i = 0; i < CHILD_THREADS; i++) pthread_join(th[i], NULL);
    say(&sh, "F child ran out its 20 s without being killed");
    _exit(3); /* never closes: this is a crash test */
}

/* ---- the parent --------------------------------------------------------- */

typedef struct rep {
    tix_id id;
    int state; /* 0 confirmed, 1 cancel started, 2 cancelled */
    uint32_t n, seats[MAX_HOLD];
    char ref[64];
} rep;

typedef struct fixture {
    char *base;
    char store[512];
    tix_id show, user;
    rep *v;
    size_t n, cap;
} fixture;

static rep *find_rep(fixture *f, tix_id id)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].id == id) return &f->v[i];
    return NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->base = tt_tmpdir();
    snprintf(f->store, sizeof f->store, "%s/store", f->base);
    tix_config cfg;
    crash_config(&cfg);
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, ROWS, PER_ROW, &c);
    tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                   .start = tix_db_now(db) + 30 * 86400};
    assert_ok(tix_show_create(db, &sh, &f->show));
    tix_user u = {.name = "Meera", .email = "meera@example.com"};
    assert_ok(tix_user_create(db, &u, &f->user));
    tix_db_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_rmrf(f->base);
    free(f->base);
    free(f->v);
    free(f);
    return 0;
}

/* Parses one line from the child; returns 1 for a confirm line. */
static int take_line(fixture *f, char *line, int *failures)
{
    unsigned long long id;
    if (line[0] == 'F') {
        print_error("child: %s\n", line + 2);
        (*failures)++;
    } else if (line[0] == 'C') {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 256;
            f->v = realloc(f->v, f->cap * sizeof *f->v);
        }
        rep *r = &f->v[f->n];
        memset(r, 0, sizeof *r);
        int used;
        if (sscanf(line, "C %llu %63s %u%n", &id, r->ref, &r->n, &used) != 3 ||
            r->n < 1 || r->n > MAX_HOLD)
            fail_msg("bad line from child: %s", line);
        const char *s = line + used;
        for (uint32_t k = 0; k < r->n; k++) {
            int adv;
            if (sscanf(s, " %u%n", &r->seats[k], &adv) != 1)
                fail_msg("bad line from child: %s", line);
            s += adv;
        }
        r->id = id;
        if (find_rep(f, id)) fail_msg("booking %llu reported twice", id);
        f->n++;
        return 1;
    } else if (line[0] == 'I' || line[0] == 'X') {
        if (sscanf(line + 1, " %llu", &id) != 1) fail_msg("bad line: %s", line);
        rep *r = find_rep(f, id);
        if (!r) fail_msg("child cancelled unreported booking %llu", id);
        r->state = line[0] == 'I' ? 1 : 2;
    } else {
        fail_msg("bad line from child: %s", line);
    }
    return 0;
}

/* Counts the seat words of the show that are CONFIRMING in seats.map as
 * the killed child left it, without repairing anything: the store is
 * opened read-only (no seat engine) only to find the show's region. */
static uint32_t confirming_left(fixture *f)
{
    tix_config cfg;
    crash_config(&cfg);
    cfg.flags = TIX_OPEN_READONLY;
    tix_db *db;
    assert_ok(tix_db_open(f->store, &cfg, &db));
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    tix__show_info info;
    int rc = tix__show_read(db, txn, f->show, &info);
    tix__db_read_end(db, txn);
    tix_db_close(db);
    assert_ok(rc);
    char path[600];
    snprintf(path, sizeof path, "%s/seats.map", f->store);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    size_t off = TIX_MAP_HEADER_SIZE +
                 (info.seat_base + TIX_REGION_HDR_WORDS) * sizeof(uint64_t);
    size_t len = off + (size_t)info.seat_count * sizeof(uint64_t);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    uint32_t n = 0;
    if ((size_t)st.st_size >= len) {
        const uint8_t *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
        assert_true(m != MAP_FAILED);
        for (uint32_t s = 0; s < info.seat_count; s++) {
            uint64_t w;
            memcpy(&w, m + off + (size_t)s * 8, 8);
            n += tix__w_state(w) == TIX_W_CONFIRMING;
        }
        munmap((void *)m, len);
    }
    close(fd);
    return n;
}

/* Everything the crash may not have broken. Returns the live bookings. */
static size_t check_after_reopen(fixture *f, tix_db *db, size_t *unreported)
{
    /* before anything else touches the words: nothing is CONFIRMING */
    const tix__show_entry *e;
    assert_ok(tix__engine_show(db, f->show, &e));
    for (uint32_t s = 0; s < N_SEATS; s++)
        if (tix__w_state(tix__w_load(&e->seats[s])) == TIX_W_CONFIRMING)
            fail_msg("seat %u still CONFIRMING after the exclusive reopen", s);

    /* every reported booking, as the child left it */
    for (size_t i = 0; i < f->n; i++) {
        const rep *r = &f->v[i];
        tix_booking *b;
        int rc = tix_booking_get(db, r->id, &b);
        if (rc) fail_msg("reported booking %llu (%s): get -> %d %s",
                         (unsigned long long)r->id, r->ref, rc, tix_errmsg());
        assert_string_equal(b->payment_ref, r->ref);
        assert_int_equal(b->show_id, f->show);
        if (r->state == 0) assert_int_equal(b->status, TIX_BOOKING_CONFIRMED);
        if (r->state == 2) assert_int_equal(b->status, TIX_BOOKING_CANCELLED);
        assert_int_equal(b->n_seats, r->n);
        for (uint32_t k = 0; k < r->n; k++)
            assert_int_equal(b->seats[k].seat, r->seats[k]);
        assert_true(b->n_tickets >= 1);
        size_t in_tickets = 0;
        for (size_t t = 0; t < b->n_tickets; t++) {
            assert_int_equal(strlen(b->tickets[t].code), TIX_TICKET_CODE_LEN);
            in_tickets += b->tickets[t].n_seats;
        }
        assert_int_equal(in_tickets, b->n_seats);
        tix_booking_free(b);
        assert_ok(tix_booking_find_payment(db, r->ref, &b));
        assert_int_equal(b->id, r->id);
        tix_booking_free(b);
    }

    /* no seat twice; LMDB rows, words, states and counts agree */
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, f->show, &l));
    tix_id owner[N_SEATS] = {0};
    size_t live = 0, owned = 0;
    *unreported = 0;
    for (size_t i = 0; i < l->count; i++) {
        const tix_booking *b = &l->items[i];
        *unreported += find_rep(f, b->id) == NULL;
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
    tix_booking_list_free(l);

    /* LMDB seat rows, seats.map words and states, availability, exactly one
     * outbox event per committed change, tix check: the shared invariants
     * (tests/util/invariants.c; tests/crash/crash_loop.c runs them after
     * hundreds of kills). */
    tt_inv_opts o = {.run_check = 1};
    tt_inv_stats st;
    tt_inv_assert(db, &o, &st);
    assert_int_equal(st.seats_booked, owned);
    return live;
}

static void kill_mid_flight_then_reopen(void **state)
{
    fixture *f = *state;
    srand((unsigned)time(NULL));
    int64_t started = mono_ms();
    size_t unreported_before = 0;
    uint32_t total_confirming = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            child_main(f->store, f->show, f->user, p[1], round);
        }
        close(p[1]);

        /* read reports until it is time to kill */
        int want = 15 + rand() % 50, got = 0, failures = 0;
        char buf[1 << 16];
        size_t have = 0;
        int64_t deadline = mono_ms() + 15000, kill_at = -1;
        int killed = 0, eof = 0;
        while (!eof) {
            if (!killed && got >= want && kill_at < 0)
                kill_at = mono_ms() + rand() % 4; /* 0-3 ms more */
            if (!killed && kill_at >= 0 && mono_ms() >= kill_at) {
                kill(pid, SIGKILL);
                killed = 1;
            }
            if (!killed && mono_ms() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                fail_msg("round %d: only %d confirms in 15 s", round, got);
            }
            struct pollfd pfd = {.fd = p[0], .events = POLLIN};
            if (poll(&pfd, 1, killed ? 1000 : 1) <= 0) continue;
            ssize_t n = read(p[0], buf + have, sizeof buf - 1 - have);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                eof = 1;
                break;
            }
            have += (size_t)n;
            char *start = buf, *nl;
            while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
                *nl = '\0';
                got += take_line(f, start, &failures);
                start = nl + 1;
            }
            have -= (size_t)(start - buf);
            memmove(buf, start, have);
        }
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        assert_int_equal(failures, 0);
        assert_true(killed);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* a torn last line (have > 0) is simply not a report */

        uint32_t confirming = confirming_left(f);
        total_confirming += confirming;

        tix_config cfg;
        crash_config(&cfg);
        tix_db *db;
        assert_ok(tix_db_open(f->store, &cfg, &db));
        size_t unreported; /* so far, all rounds */
        size_t live = check_after_reopen(f, db, &unreported);
        print_message("round %d: %d reports, killed with %u seats CONFIRMING, "
                      "%zu live bookings, %zu committed but unreported\n",
                      round, got, confirming, live,
                      unreported - unreported_before);
        unreported_before = unreported;

        /* Every live booking cancels: its words carry its id. This also
         * makes room for the next round. */
        tix_booking_list *l;
        assert_ok(tix_booking_list_by_show(db, f->show, &l));
        for (size_t i = 0; i < l->count; i++) {
            if (l->items[i].status != TIX_BOOKING_CONFIRMED) continue;
            assert_ok(tix_booking_cancel(db, l->items[i].id));
            rep *r = find_rep(f, l->items[i].id);
            if (r) r->state = 2;
        }
        tix_booking_list_free(l);
        tix_db_close(db);
    }
    print_message("%d rounds in %lld ms; %zu reported bookings, %u CONFIRMING "
                  "words repaired, %zu unreported commits\n",
                  ROUNDS, (long long)(mono_ms() - started), f->n,
                  total_confirming, unreported_before);
    assert_true(f->n > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kill_mid_flight_then_reopen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
