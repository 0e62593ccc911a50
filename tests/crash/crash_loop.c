/* Crash loop: kill a writer with SIGKILL at random points, over and over,
 * and prove after every kill that the store kept every promise.
 *
 * Each iteration forks a writer process. It opens the store with
 * TIX_SYNC_FULL and the real clock and runs, from three threads, random
 * holds (explicit and best-available), sync and async confirms, releases,
 * cancels, gate check-ins and outbox read/ack, reporting each step over a
 * pipe only after the call returned TIX_OK (and a "started" line before
 * cancels and check-ins, whose outcome a kill leaves open). The driver
 * SIGKILLs it at a random moment: mostly 1..250 ms after it is ready,
 * sometimes within 20 ms of the fork (inside tix_db_open and its repair
 * of what the previous writer left). Every seventh iteration also deletes
 * seats.map first, so the writer rebuilds it from LMDB.
 *
 * After the kill the driver reopens the store alone and checks
 * (tests/util/invariants.c):
 *  - every booking reported confirmed exists with its seats, tickets and
 *    payment reference, cancelled exactly when the cancel was reported
 *    done (either way when it was only started); every reported check-in
 *    and outbox acknowledgement is there;
 *  - no seat is in two live bookings; LMDB seat rows, seats.map words
 *    (after the exclusive reopen repaired the dead writer's leases: no
 *    word may still be CONFIRMING) and availability agree;
 *  - the outbox holds exactly one event per committed booking, cancel and
 *    check-in -- also for the ones committed but never reported;
 *  - the library's own consistency check (tix check) finds nothing.
 * When the shows fill up the driver cancels every live booking (each
 * must cancel: its words carry its id) to make room.
 *
 * Usage: crash_loop [iterations]   (default $TIX_CRASH_ITERS, else 20)
 * $TIX_CRASH_SEED reproduces a run; $TIX_TEST_TMP is where the store
 * lives. Exit status 0 when every iteration passed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "invariants.h"
#include "testutil.h"

#define ROWS 12
#define PER_ROW 25
#define N_SEATS (ROWS * PER_ROW) /* 300 per show */
#define N_SHOWS 2
#define WRITER_THREADS 3
#define MAX_HOLD 4
#define CONSUMER "mail"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void crash_config(tix_config *cfg)
{
    tix_config_init(cfg); /* real clock */
    cfg->durability = tt_durability(TIX_SYNC_FULL);
    cfg->map_size = (size_t)4 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* ---- the writer --------------------------------------------------------- */

typedef struct wshared {
    tix_db *db;
    tix_id shows[N_SHOWS], user;
    int fd;
    unsigned iter;
} wshared;

typedef struct own {
    tix_id id;
    uint32_t n_codes;
    char codes[MAX_HOLD][TIX_TICKET_CODE_LEN + 1];
    uint8_t checked[MAX_HOLD];
} own;

typedef struct wthread {
    wshared *sh;
    int idx;
    uint64_t rng;
    own mine[32];
    int n_mine;
    unsigned seq;
} wthread;

static uint32_t rnd(wthread *t, uint32_t n) { return (uint32_t)(xorshift(&t->rng) >> 32) % n; }

static void emit(wshared *sh, const char *line, int len)
{
    ssize_t w;
    do w = write(sh->fd, line, (size_t)len);
    while (w < 0 && errno == EINTR);
}

static void fail_line(wshared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_line(wshared *sh, const char *fmt, ...)
{
    char line[TT_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + 1, sizeof line - 3, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 4) n = (int)sizeof line - 4;
    line[0] = 'F';
    line[n + 1] = '\n';
    emit(sh, line, n + 2);
}

static void w_confirm(wthread *t, tix_hold *h)
{
    wshared *sh = t->sh;
    char ref[64];
    snprintf(ref, sizeof ref, "i%u-t%d-%u", sh->iter, t->idx, t->seq++);
    tix_confirm_opts o = {.user_id = sh->user, .payment_ref = ref,
                          .seats_per_ticket = rnd(t, 3)};
    tix_id id = 0;
    int rc;
    if (rnd(t, 3) == 0) {
        tix_confirm *c;
        rc = tix_confirm_submit(sh->db, h, &o, &c);
        if (rc == TIX_OK) {
            rc = tix_confirm_wait(c, -1, &id);
            tix_confirm_free(c);
        }
    } else {
        rc = tix_hold_confirm(sh->db, h, &o, &id);
    }
    if (rc) {
        /* holds live 120 s: a confirm of our own live hold must work */
        fail_line(sh, "confirm -> %d %s", rc, tix_errmsg());
        return;
    }
    char line[TT_LINE_MAX];
    emit(sh, line, tt_line_confirmed(line, id, h, ref));
    if (t->n_mine == (int)(sizeof t->mine / sizeof *t->mine)) return;
    tix_booking *b;
    if ((rc = tix_booking_get(sh->db, id, &b))) {
        fail_line(sh, "booking %llu just confirmed -> %d", (unsigned long long)id, rc);
        return;
    }
    own *m = &t->mine[t->n_mine++];
    memset(m, 0, sizeof *m);
    m->id = id;
    m->n_codes = (uint32_t)(b->n_tickets < MAX_HOLD ? b->n_tickets : MAX_HOLD);
    for (uint32_t i = 0; i < m->n_codes; i++)
        memcpy(m->codes[i], b->tickets[i].code, sizeof m->codes[i]);
    tix_booking_free(b);
}

static void w_cancel(wthread *t)
{
    int k = (int)rnd(t, (uint32_t)t->n_mine);
    tix_id id = t->mine[k].id;
    t->mine[k] = t->mine[--t->n_mine];
    char line[TT_LINE_MAX];
    emit(t->sh, line, tt_line_id(line, 'c', id));
    int rc = tix_booking_cancel(t->sh->db, id);
    if (rc) fail_line(t->sh, "cancel %llu -> %d %s", (unsigned long long)id, rc,
                      tix_errmsg());
    else emit(t->sh, line, tt_line_id(line, 'X', id));
}

static void w_checkin(wthread *t)
{
    own *m = &t->mine[rnd(t, (uint32_t)t->n_mine)];
    uint32_t k = rnd(t, m->n_codes);
    if (m->checked[k]) return;
    char line[TT_LINE_MAX];
    emit(t->sh, line, tt_line_code(line, 'k', m->codes[k]));
    tix_checkin ci;
    int rc = tix_ticket_checkin(t->sh->db, m->codes[k], rnd(t, 2) ? "Gate 1" : "Gate 2",
                                &ci);
    if (rc) {
        fail_line(t->sh, "check-in %s -> %d %s", m->codes[k], rc, tix_errmsg());
        return;
    }
    m->checked[k] = 1;
    emit(t->sh, line, tt_line_code(line, 'K', m->codes[k]));
}

static void w_outbox(wthread *t)
{
    tix_event_list *l;
    int rc = tix_outbox_read(t->sh->db, CONSUMER, 1 + rnd(t, 64), &l);
    if (rc) {
        fail_line(t->sh, "outbox read -> %d %s", rc, tix_errmsg());
        return;
    }
    uint64_t last = l->count ? l->items[l->count - 1].seq : 0;
    tix_event_list_free(l);
    if (!last) return;
    if ((rc = tix_outbox_ack(t->sh->db, CONSUMER, last))) {
        fail_line(t->sh, "outbox ack %llu -> %d %s", (unsigned long long)last,
                  rc, tix_errmsg());
        return;
    }
    char line[TT_LINE_MAX];
    emit(t->sh, line, tt_line_ack(line, CONSUMER, last));
}

static void *writer_thread(void *arg)
{
    wthread *t = arg;
    wshared *sh = t->sh;
    int64_t deadline = mono_ms() + 30000;
    while (mono_ms() < deadline) {
        uint32_t r = rnd(t, 100);
        if (r < 14 && t->n_mine) {
            w_cancel(t);
            continue;
        }
        if (r < 28 && t->n_mine) {
            w_checkin(t);
            continue;
        }
        if (r < 33 && t->idx == 0) {
            w_outbox(t);
            continue;
        }
        tix_id show = sh->shows[rnd(t, N_SHOWS)];
        uint32_t n = 1 + rnd(t, MAX_HOLD);
        tix_hold *h = NULL;
        int rc;
        if (rnd(t, 2)) {
            tix_best_opts bo = {.ttl = 120,
                                .flags = rnd(t, 2) ? TIX_BEST_ANY_TIER : 0};
            rc = tix_hold_best(sh->db, show, n, &bo, &h);
        } else {
            uint32_t seats[MAX_HOLD];
            for (uint32_t i = 0; i < n; i++) {
                int dup;
                do {
                    seats[i] = rnd(t, N_SEATS);
                    dup = 0;
                    for (uint32_t j = 0; j < i; j++) dup |= seats[j] == seats[i];
                } while (dup);
            }
            tix_hold_opts ho = {.ttl = 120};
            rc = tix_hold_create(sh->db, show, seats, n, &ho, &h);
        }
        if (rc == TIX_ECONFLICT) continue;
        if (rc) {
            fail_line(sh, "hold -> %d %s", rc, tix_errmsg());
            continue;
        }
        uint32_t what = rnd(t, 10);
        if (what < 8) w_confirm(t, h);
        else if (what == 8) tix_hold_release(sh->db, h);
        /* else abandoned: left held at the kill */
        tix_hold_free(h);
    }
    fail_line(sh, "writer ran 30 s without being killed");
    return NULL;
}

static void writer_main(const char *store, const tix_id *shows, tix_id user,
                        int fd, unsigned iter, uint64_t seed)
{
    tix_config cfg;
    crash_config(&cfg);
    wshared sh = {.user = user, .fd = fd, .iter = iter};
    memcpy(sh.shows, shows, sizeof sh.shows);
    int rc = tix_db_open(store, &cfg, &sh.db);
    if (rc) {
        fail_line(&sh, "open -> %d %s", rc, tix_errmsg());
        _exit(2);
    }
    emit(&sh, "R\n", 2);
    wthread t[WRITER_THREADS];
    pthread_t th[WRITER_THREADS];
    for (int i = 0; i < WRITER_THREADS; i++) {
        t[i] = (wthread){.sh = &sh, .idx = i};
        t[i].rng = seed * 0x9E3779B97F4A7C15ull + (uint64_t)i * 7919 + iter + 1;
        pthread_create(&th[i], NULL, writer_thread, &t[i]);
    }
    for (int i = 0; i < WRITER_THREADS; i++) pthread_join(th[i], NULL);
    _exit(3); /* never closes: this is a crash test */
}

/* ---- the driver --------------------------------------------------------- */

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
    unsigned iters = env_uint("TIX_CRASH_ITERS", 20);
    if (argc > 1) iters = (unsigned)strtoul(argv[1], NULL, 0);
    uint64_t seed = env_uint("TIX_CRASH_SEED", (unsigned)time(NULL) ^ (unsigned)getpid());
    printf("crash loop: %u iterations, TIX_CRASH_SEED=%llu\n", iters,
           (unsigned long long)seed);
    fflush(stdout);
    uint64_t rng = seed * 2654435761u + 1;

    char *base = tt_tmpdir();
    char store[600], map[700];
    snprintf(store, sizeof store, "%s/store", base);
    snprintf(map, sizeof map, "%s/seats.map", store);
    tix_config cfg;
    crash_config(&cfg);
    tix_db *db;
    int rc = tix_db_open(store, &cfg, &db);
    if (rc) {
        fprintf(stderr, "open -> %s\n", tix_errmsg());
        return 1;
    }
    tt_catalog c;
    tt_make_catalog(db, ROWS, PER_ROW, &c);
    tix_id shows[N_SHOWS], user;
    for (int i = 0; i < N_SHOWS; i++) {
        tix_show sh = {.movie_id = c.movie, .screen_id = c.screen,
                       .start = tix_db_now(db) + (30 + i) * 86400};
        if ((rc = tix_show_create(db, &sh, &shows[i]))) return 1;
    }
    tix_user u = {.name = "Meera", .email = "meera@example.com",
                  .phone = "+919800000002"};
    if (tix_user_create(db, &u, &user) || tix_outbox_register(db, CONSUMER, 0))
        return 1;
    tix_db_close(db);

    tt_ledger ledger;
    tt_ledger_init(&ledger);
    int64_t started = mono_ms();
    size_t failures = 0, early_kills = 0, rebuilds = 0, unreported = 0;
    size_t cancel_sweeps = 0;
    tt_inv_stats st = {0};
    for (unsigned it = 0; it < iters && !failures; it++) {
        if (it % 7 == 3) { /* the writer rebuilds seats.map from LMDB */
            unlink(map);
            rebuilds++;
        }
        int p[2];
        if (pipe(p)) return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            close(p[0]);
            writer_main(store, shows, user, p[1], it, seed + it);
        }
        close(p[1]);
        int early = xorshift(&rng) % 10 == 0;
        int64_t t0 = mono_ms(), kill_at = early ? t0 + (int64_t)(xorshift(&rng) % 20)
                                                : -1;
        early_kills += early;
        size_t reports_before = ledger.lines;
        char buf[1 << 16];
        size_t have = 0;
        int killed = 0, ready = 0;
        for (;;) {
            int64_t now = mono_ms();
            if (!killed && ready && kill_at < 0)
                kill_at = now + 1 + (int64_t)(xorshift(&rng) % 250);
            if (!killed && kill_at >= 0 && now >= kill_at) {
                kill(pid, SIGKILL);
                killed = 1;
            }
            if (!killed && now - t0 > 20000) {
                kill(pid, SIGKILL);
                killed = 1;
                fprintf(stderr, "iteration %u: writer never got ready\n", it);
                failures++;
            }
            struct pollfd pfd = {.fd = p[0], .events = POLLIN};
            if (poll(&pfd, 1, killed ? 1000 : 1) <= 0) continue;
            ssize_t n = read(p[0], buf + have, sizeof buf - 1 - have);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            for (ssize_t i = 0; i < n; i++)
                if (buf[have + (size_t)i] == 'R' &&
                    (have + (size_t)i == 0 || buf[have + (size_t)i - 1] == '\n'))
                    ready = 1;
            have += (size_t)n;
            failures += tt_ledger_feed(&ledger, buf, &have);
        }
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
            fprintf(stderr, "iteration %u: writer ended with status 0x%x\n", it,
                    status);
            failures++;
        }
        /* a torn last line (have > 0) is simply not a report */

        /* The checker's own writes (the cancel sweep) need no fsync each:
         * one tix_db_sync() before close makes them durable. */
        tix_config ccfg = cfg;
        ccfg.durability = TIX_SYNC_NONE;
        /* A journal-mode writer: every other check reopens in journal mode
         * too, so its recovery runs as well as the other modes'. */
        if (cfg.durability == TIX_SYNC_JOURNAL && it % 2 == 0)
            ccfg.durability = TIX_SYNC_JOURNAL;
        if ((rc = tix_db_open(store, &ccfg, &db))) {
            fprintf(stderr, "iteration %u: reopen -> %s: %s\n", it,
                    tix_strerror(rc), tix_errmsg());
            failures++;
            break;
        }
        tt_inv_opts o = {.run_check = 1};
        size_t bad = tt_inv_check(db, &o, &st);
        bad += tt_ledger_verify(db, &ledger, 0);
        if (bad) {
            fprintf(stderr, "iteration %u: %zu problems\n", it, bad);
            failures++;
        }
        unreported = st.bookings - ledger.nb; /* committed, killed first */
        if (st.seats_booked > N_SHOWS * N_SEATS / 2) {
            size_t n;
            if (tt_inv_cancel_all(db, &n)) failures++;
            for (size_t i = 0; i < ledger.nb; i++) ledger.b[i].cancel = 2;
            cancel_sweeps++;
            if (tix_db_sync(db)) failures++;
        }
        tix_db_close(db);
        if (getenv("TIX_CRASH_VERBOSE"))
            printf("iteration %u: %s kill, %zu lines, bookings %zu live %zu "
                   "events %zu, %lld ms\n", it, early ? "early" : "late",
                   ledger.lines - reports_before, st.bookings, st.live,
                   st.events, (long long)(mono_ms() - t0));
    }
    printf("crash loop: %u iterations in %lld ms (%zu early kills, %zu "
           "seats.map rebuilds, %zu cancel sweeps): %zu bookings (%zu "
           "reported, %zu committed unreported), %zu tickets, %zu check-ins, "
           "%zu outbox events; %zu report lines; %s\n",
           iters, (long long)(mono_ms() - started), early_kills, rebuilds,
           cancel_sweeps, st.bookings, ledger.nb, unreported, st.tickets,
           st.checked_in, st.events, ledger.lines,
           failures ? "FAILED" : "all invariants held");
    tt_ledger_free(&ledger);
    if (!failures) tt_rmrf(base);
    else fprintf(stderr, "store kept at %s\n", store);
    free(base);
    return failures ? 1 : 0;
}
