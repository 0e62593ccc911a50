/* tix-bench-growth: durable confirms as the store grows (issue 16), and
 * two processes confirming into one store at once. Public API only.
 *
 *   tix-bench-growth [--bookings N] [--threads T] [--segments K]
 *                    [--sync journal|full|none] [--dir DIR] [--procs P]
 *
 * Fills a fresh store with N two-seat bookings (hold 2 seats, confirm)
 * from T threads, printing per segment the confirm rate, the size of
 * data.mdb and of the whole store directory. Then: the time of a clean
 * close, of the open after it, and of the open after a process that had
 * the store open was killed with SIGKILL while confirming.
 * With --procs P (> 1) it instead runs P processes of T threads each on
 * one store for --seconds S, then one process alone, and prints the
 * rates of each. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define STADIUM_ROWS 300
#define STADIUM_COLS 500 /* 150,000 seats a show */
#define PAIRS_PER_SHOW (STADIUM_ROWS * STADIUM_COLS / 2)

typedef struct growth {
    tix_db *db;
    bench_catalog cat;
    tix_id *shows;
    uint64_t n_shows, target;
    _Atomic uint64_t next, done, errors;
    _Atomic int stop;
} growth;

static uint64_t dir_bytes(const char *dir, uint64_t *data)
{
    DIR *d = opendir(dir);
    uint64_t total = 0;
    struct dirent *e;
    char p[4096];
    while (d && (e = readdir(d))) {
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(p, &st) || !S_ISREG(st.st_mode)) continue;
        /* Allocated blocks: a sparse file costs what it holds. */
        uint64_t b = (uint64_t)st.st_blocks * 512;
        total += b;
        if (!strcmp(e->d_name, "data.mdb") && data) *data = b;
    }
    if (d) closedir(d);
    return total;
}

/* One booking: pair @p k (show k / PAIRS_PER_SHOW, seats 2i, 2i+1). */
static int book_pair(growth *g, uint64_t k, unsigned user)
{
    tix_id show = g->shows[k / PAIRS_PER_SHOW];
    uint32_t i = (uint32_t)(k % PAIRS_PER_SHOW), seats[2] = {2 * i, 2 * i + 1};
    tix_hold *h;
    int rc = tix_hold_create(g->db, show, seats, 2, NULL, &h);
    if (rc) return rc;
    char ref[40];
    snprintf(ref, sizeof ref, "grow-%llu", (unsigned long long)k);
    tix_confirm_opts o = {.user_id = g->cat.users[user % BENCH_USERS],
                          .payment_ref = ref};
    rc = tix_hold_confirm(g->db, h, &o, NULL);
    tix_hold_free(h);
    return rc;
}

static void *worker(void *arg)
{
    growth *g = arg;
    unsigned user = (unsigned)(uintptr_t)pthread_self();
    while (!atomic_load(&g->stop)) {
        uint64_t k = atomic_fetch_add(&g->next, 1);
        if (k >= g->target) break;
        if (book_pair(g, k, user++)) atomic_fetch_add(&g->errors, 1);
        else atomic_fetch_add(&g->done, 1);
    }
    return NULL;
}

static void setup(growth *g, const char *dir, tix_durability d, uint64_t target)
{
    memset(g, 0, sizeof *g);
    bench_store_open(dir, d, &g->db);
    bench_catalog_create(g->db, &g->cat);
    g->target = target;
    g->n_shows = (target + PAIRS_PER_SHOW - 1) / PAIRS_PER_SHOW;
    g->shows = calloc(g->n_shows, sizeof *g->shows);
    bench_screen sc;
    bench_screen_create(g->db, &g->cat, STADIUM_ROWS, STADIUM_COLS, &sc);
    for (uint64_t i = 0; i < g->n_shows; i++) {
        if (sc.next_slot >= 40) /* a screen's slots run out: a new one */
            bench_screen_create(g->db, &g->cat, STADIUM_ROWS, STADIUM_COLS, &sc);
        g->shows[i] = bench_show_create(g->db, &g->cat, &sc);
    }
}

static void fill(growth *g, const char *dir, int threads, int segments)
{
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, g);
    printf("%12s %10s %12s %12s %10s\n", "bookings", "confirms/s",
           "data.mdb MB", "store MB", "B/booking");
    uint64_t seg = g->target / (uint64_t)segments, mark = seg, last = 0;
    double t0 = bench_secs(), tl = t0, first_rate = 0, rate = 0;
    while (atomic_load(&g->done) + atomic_load(&g->errors) < g->target) {
        bench_sleep(0.05);
        uint64_t n = atomic_load(&g->done);
        if (n < mark && n + atomic_load(&g->errors) < g->target) continue;
        double now = bench_secs();
        rate = (double)(n - last) / (now - tl);
        if (!first_rate) first_rate = rate;
        uint64_t data = 0, all = dir_bytes(dir, &data);
        printf("%12llu %10.0f %12.1f %12.1f %10.0f\n", (unsigned long long)n,
               rate, data / 1e6, all / 1e6, n ? (double)all / (double)n : 0);
        fflush(stdout);
        last = n;
        tl = now;
        mark = n - n % seg + seg;
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    free(t);
    printf("filled %llu bookings (%llu errors) in %.1f s; last segment at "
           "%.0f%% of the first\n", (unsigned long long)atomic_load(&g->done),
           (unsigned long long)atomic_load(&g->errors), bench_secs() - t0,
           first_rate ? 100 * rate / first_rate : 0);
}

static double timed_open(const char *dir, tix_durability d, tix_db **db)
{
    double t0 = bench_secs();
    bench_store_open(dir, d, db);
    return bench_secs() - t0;
}

/* A child opens the store, confirms until killed; the parent kills it
 * after @p secs and times the next open. */
static double open_after_kill(growth *g, const char *dir, tix_durability d)
{
    pid_t pid = fork();
    if (pid == 0) {
        growth c = *g;
        bench_store_open(dir, d, &c.db);
        atomic_store(&c.stop, 0);
        atomic_store(&c.next, g->target + 1);
        c.target = (uint64_t)c.n_shows * PAIRS_PER_SHOW;
        worker(&c);
        _exit(0);
    }
    bench_sleep(1.0);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    tix_db *db;
    double s = timed_open(dir, d, &db);
    tix_db_close(db);
    return s;
}

/* ---- --procs: several processes on one store --------------------------- */

static double rate_for(growth *g, int threads, double secs)
{
    atomic_store(&g->stop, 0);
    atomic_store(&g->done, 0);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    double t0 = bench_secs();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, g);
    bench_sleep(secs);
    atomic_store(&g->stop, 1);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    free(t);
    return (double)atomic_load(&g->done) / (bench_secs() - t0);
}

/* Process p of @p procs takes pairs p, p + procs, ... of its own share. */
static void procs_run(growth *g, const char *dir, tix_durability d, int procs,
                      int threads, double secs)
{
    uint64_t share = g->target / (uint64_t)(procs + 1);
    tix_db_close(g->db);
    int fds[16][2];
    pid_t pids[16];
    for (int p = 0; p < procs; p++) {
        if (pipe(fds[p])) bench_fatal("pipe: %s", strerror(errno));
        if ((pids[p] = fork()) == 0) {
            growth c = *g;
            bench_store_open(dir, d, &c.db);
            atomic_store(&c.next, share * (uint64_t)p);
            c.target = share * (uint64_t)(p + 1);
            double r = rate_for(&c, threads, secs);
            if (write(fds[p][1], &r, sizeof r) != sizeof r) _exit(1);
            tix_db_close(c.db);
            _exit(0);
        }
    }
    double sum = 0;
    for (int p = 0; p < procs; p++) {
        double r = 0;
        if (read(fds[p][0], &r, sizeof r) != sizeof r) bench_fatal("child %d", p);
        waitpid(pids[p], NULL, 0);
        printf("process %d: %d threads, %.0f confirms/s\n", p, threads, r);
        sum += r;
    }
    bench_store_open(dir, d, &g->db);
    atomic_store(&g->next, share * (uint64_t)procs);
    g->target = share * (uint64_t)(procs + 1);
    double alone = rate_for(g, threads, secs);
    printf("together: %.0f confirms/s; one process alone, %d threads: %.0f "
           "confirms/s (%.2fx)\n", sum, threads, alone, sum / alone);
    tix_db_close(g->db);
}

int main(int argc, char **argv)
{
    uint64_t bookings = 1000000;
    int threads = 16, segments = 10, procs = 0;
    double secs = 5;
    tix_durability d = TIX_SYNC_JOURNAL;
    const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--bookings") && v) bookings = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--segments") && v) segments = atoi(argv[++i]);
        else if (!strcmp(a, "--procs") && v) procs = atoi(argv[++i]);
        else if (!strcmp(a, "--seconds") && v) secs = atof(argv[++i]);
        else if (!strcmp(a, "--dir") && v) parent = argv[++i];
        else if (!strcmp(a, "--sync") && v) {
            v = argv[++i];
            d = !strcmp(v, "full") ? TIX_SYNC_FULL
                : !strcmp(v, "none") ? TIX_SYNC_NONE : TIX_SYNC_JOURNAL;
        } else {
            fprintf(stderr, "usage: tix-bench-growth [--bookings N] [--threads T] "
                            "[--segments K] [--sync journal|full|none] "
                            "[--procs P --seconds S] [--dir DIR]\n");
            return 2;
        }
    }
    if (threads < 1 || segments < 1 || procs > 16 || !bookings)
        bench_fatal("bad arguments");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tix-growth-%d", parent, (int)getpid());
    growth g;
    setup(&g, dir, d, bookings);
    printf("tix-bench-growth: %s, %llu bookings of 2 seats, %llu shows of "
           "150,000 seats, %d threads\n", dir, (unsigned long long)bookings,
           (unsigned long long)g.n_shows, threads);
    if (procs > 1) {
        procs_run(&g, dir, d, procs, threads, secs);
    } else {
        fill(&g, dir, threads, segments);
        double t0 = bench_secs();
        tix_db_close(g.db);
        double close_s = bench_secs() - t0;
        tix_db *db;
        double open_s = timed_open(dir, d, &db);
        tix_db_close(db);
        double kill_s = open_after_kill(&g, dir, d);
        uint64_t data = 0, all = dir_bytes(dir, &data);
        printf("close %.3f s; open after a clean close %.3f s; open after "
               "kill -9 %.3f s; store %.1f MB (%.0f B a booking)\n", close_s,
               open_s, kill_s, all / 1e6,
               (double)all / (double)atomic_load(&g.done));
    }
    free(g.shows);
    bench_rmtree(dir);
    return 0;
}
