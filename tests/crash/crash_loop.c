/* Crash loop: kill a writer with SIGKILL at random points, over and over,
 * and prove after every kill that the store kept every promise.
 *
 * Each iteration forks a writer process (tests/util/writer.c, shared
 * with tests/powerloss). It opens the store with TIX_SYNC_FULL (or the
 * mode $TIX_TEST_DURABILITY names) and the real clock and runs, from
 * three threads, random holds (explicit and best-available), sync and
 * async confirms, releases, cancels, gate check-ins and outbox read/ack,
 * reporting each step over a pipe only after the call returned TIX_OK
 * (and a "started" line before cancels and check-ins, whose outcome a
 * kill leaves open). The driver
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
 * $TIX_CRASH_SEED reproduces a run; $TIX_CRASH_VERBOSE prints every
 * iteration; $TIX_TEST_TMP is where the store lives. Exit status 0 when
 * every iteration passed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "invariants.h"
#include "testutil.h"
#include "writer.h"

#define WRITER_SECONDS 30 /* far past the latest kill (20 s, never ready) */

/* TIX_SYNC_FULL unless $TIX_TEST_DURABILITY names another mode. */
static void crash_config(tix_config *cfg)
{
    tt_writer_config(cfg, tt_durability(TIX_SYNC_FULL));
}

/* ---- the writer (tests/util/writer.c) ----------------------------------- */

static void writer_main(const char *store, const tix_id *shows, tix_id user,
                        int fd, unsigned iter, uint64_t seed)
{
    tix_config cfg;
    crash_config(&cfg);
    tt_writer w = {.user = user, .fd = fd, .ref_prefix = "i", .iter = iter};
    memcpy(w.shows, shows, sizeof w.shows);
    int rc = tix_db_open(store, &cfg, &w.db);
    if (rc) {
        tt_writer_fail(&w, "open -> %d %s", rc, tix_errmsg());
        _exit(2);
    }
    tt_writer_run(&w, seed, iter, WRITER_SECONDS);
    tt_writer_fail(&w, "writer ran %d s without being killed", WRITER_SECONDS);
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
    tix_id shows[TT_WRITER_SHOWS], user;
    if (tt_writer_catalog(db, shows, &user)) return 1;
    tix_db_close(db);

    tt_ledger ledger;
    tt_ledger_init(&ledger);
    int64_t started = tt_mono_ms();
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
        int early = tt_xorshift(&rng) % 10 == 0;
        int64_t t0 = tt_mono_ms();
        int64_t kill_at = early ? t0 + (int64_t)(tt_xorshift(&rng) % 20) : -1;
        early_kills += early;
        size_t reports_before = ledger.lines;
        tt_reports rep = {0};
        int killed = 0;
        for (;;) {
            int64_t now = tt_mono_ms();
            if (!killed && rep.ready && kill_at < 0)
                kill_at = now + 1 + (int64_t)(tt_xorshift(&rng) % 250);
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
            if (!tt_reports_read(&rep, p[0], &ledger)) break;
        }
        failures += rep.bad;
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
            fprintf(stderr, "iteration %u: writer ended with status 0x%x\n", it,
                    status);
            failures++;
        }

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
        if (st.seats_booked > TT_WRITER_SHOWS * TT_WRITER_SEATS / 2) {
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
                   st.events, (long long)(tt_mono_ms() - t0));
    }
    printf("crash loop: %u iterations in %lld ms (%zu early kills, %zu "
           "seats.map rebuilds, %zu cancel sweeps): %zu bookings (%zu "
           "reported, %zu committed unreported), %zu tickets, %zu check-ins, "
           "%zu outbox events; %zu report lines; %s\n",
           iters, (long long)(tt_mono_ms() - started), early_kills, rebuilds,
           cancel_sweeps, st.bookings, ledger.nb, unreported, st.tickets,
           st.checked_in, st.events, ledger.lines,
           failures ? "FAILED" : "all invariants held");
    tt_ledger_free(&ledger);
    if (!failures) tt_rmrf(base);
    else fprintf(stderr, "store kept at %s\n", store);
    free(base);
    return failures ? 1 : 0;
}
