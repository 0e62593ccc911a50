/*
 * tix-bench: figures for the libtix seat engine.
 *
 *   tix-bench [--seconds S] [--threads 1,2] [--confirm-threads 1,2,16,64]
 *             [--inflight 256] [--repeat N] [--quick] [--json] [--dir DIR]
 *             [--keep] [--only hold,avail,best,confirm,async,soldout,queue]
 *             [--confirm-sync full|nometa|none] [--verbose]
 *
 * Scenarios (each step runs --seconds, --repeat times; the median is kept):
 *   hold+release   tix_hold_create of 2 adjacent random seats on a
 *                  20,000-seat show, tix_hold_release, tix_hold_free;
 *                  1 and N threads (--threads).
 *   availability   tix_show_availability of a 1,000-seat show with 30% of
 *                  its seats held or booked.
 *   best+release   tix_hold_best(2 seats) on that show, release, free.
 *   confirm        hold 1 or 2 seats + tix_hold_confirm (unique payment
 *                  refs), TIX_SYNC_FULL, from 1, 2, 16, 64 client threads,
 *                  each run on a fresh copy of the same store; confirms/s,
 *                  p50/p99 latency of the confirm call, group-commit batches
 *                  (tix_db_commit_stats), and a check that the shows hold
 *                  exactly the seats confirmed.
 *   confirm async  one thread keeping --inflight confirms in flight with
 *                  tix_confirm_submit / tix_confirm_poll.
 *   sold out       tix_hold_best(2) on a 150,000-seat stadium whose seats
 *                  are all held: every attempt fails (TIX_ECONFLICT, counted
 *                  as ops); afterwards one hold is released and the next
 *                  tix_hold_best must find its seats (the check column).
 *   queue          the waiting room of a stadium on-sale (bench/queue.c):
 *                  13M joins from every CPU (1.3M with --quick), the
 *                  shuffle at on-sale, then the 150,000 seats sold out in
 *                  admission order: the join rate, the time to sold out,
 *                  and whether admissions followed the shuffled order.
 *
 * Targets from the issue are printed next to their rows and marked MET or
 * NOT MET: hold+release >= 5M/s on one thread, availability >= 1M/s on one
 * thread, durable confirms >= 50k/s with 64 clients in full sync, sold-out
 * failures >= 10M/s with 16 threads.
 *
 * Stores live in a temporary directory (mkdtemp under $TMPDIR or /tmp, or
 * under --dir) that is removed at the end unless --keep is given.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "compare.h" /* tix-bench compare: libtix vs SQLite/PostgreSQL/Redis */

#define MAX_THREAD_COUNTS 16
#define MAX_REPEAT 25
#define ROW_SEATS 40            /* every bench screen has 40 seats a row */
#define HOLD_ROWS 500           /* 20,000 seats for hold+release */
#define AVAIL_ROWS 25           /* 1,000 seats for availability / best */
#define CONFIRM_ROWS 1000       /* 40,000 seats per confirm show */
#define CONFIRM_RATE_GUESS 250000.0 /* seats/s the pool is sized for */
#define STADIUM_ROWS 3750       /* 150,000 seats for sold out */

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

typedef struct opts {
    double seconds;
    int threads[MAX_THREAD_COUNTS], n_threads;
    int sthreads[MAX_THREAD_COUNTS], n_sthreads;
    char sthreads_text[128];
    int cthreads[MAX_THREAD_COUNTS], n_cthreads;
    char threads_text[128], cthreads_text[128];
    int inflight;
    int repeat;
    int quick, json, keep, verbose;
    uint32_t confirm_pool; /* seats; 0 = sized from --seconds */
    const char *dir;
    unsigned only;         /* bit per scenario (1 << bench_kind); 0 = all */
    tix_durability sync;   /* of the confirm runs */
    const char *repl;      /* --repl NATS URLs: confirm runs also replicated */
} opts;

static const char *const kind_names[] = {
    [K_HOLD] = "hold", [K_AVAIL] = "avail", [K_BEST] = "best",
    [K_CONFIRM] = "confirm", [K_ASYNC] = "async", [K_SOLDOUT] = "soldout",
    [K_GA] = "ga", [K_QUEUE] = "queue"};

static int wanted(const opts *o, enum bench_kind k)
{
    return !o->only || (o->only & (1u << k));
}

static const char *sync_name(tix_durability d)
{
    return d == TIX_SYNC_FULL ? "full" : d == TIX_SYNC_NOMETA ? "nometa" : "none";
}

static void usage(FILE *f)
{
    fputs("usage: tix-bench [options]\n"
          "  --seconds S            run time of each scenario step (2)\n"
          "  --threads LIST         thread counts for holds/availability/best (1,2)\n"
          "  --confirm-threads LIST client threads for durable confirms (1,2,16,64)\n"
"  --soldout-threads LIST threads failing on the sold-out stadium (1,16)\n"
          "  --inflight N           async confirms kept in flight (256)\n"
          "  --confirm-pool SEATS   seats made for each confirm run (auto)\n"
          "  --repeat N             run every step N times, report the median (1)\n"
          "  --quick                short runs (0.3 s per step)\n"
          "  --json                 print one JSON object on stdout instead of tables\n"
          "  --dir DIR              make the temporary stores under DIR (default $TMPDIR or /tmp)\n"
          "  --keep                 keep the stores afterwards\n"
          "  --only LIST            run only some of: hold,avail,best,confirm,async,\n"
          "                         soldout,ga (16 threads holding 2 places of a\n"
          "                         50,000-place standing area and confirming),\n"
          "                         queue\n"
          "  --confirm-sync MODE    full (default), nometa or none: durability of the\n"
          "                         confirm runs (targets only count for full)\n"
          "  --repl URLS            also run every confirm step replicated through\n"
          "                         NATS JetStream (docs/replication.md): a fresh R=3\n"
          "                         stream per run; target at 16 clients: at least\n"
          "                         half the local-only rate of the same run\n"
          "  --verbose              progress on stderr\n",
          f);
}

static int parse_list(const char *s, int *out, int *n, char *text, size_t cap)
{
    *n = 0;
    snprintf(text, cap, "%s", s);
    const char *p = s;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 4096 || *n == MAX_THREAD_COUNTS) return -1;
        out[(*n)++] = (int)v;
        if (*end == ',') end++;
        else if (*end) return -1;
        p = end;
    }
    return *n ? 0 : -1;
}

static void parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->seconds = 2.0;
    o->inflight = 256;
    o->repeat = 1;
    parse_list("1,2", o->threads, &o->n_threads, o->threads_text,
               sizeof o->threads_text);
    parse_list("1,16", o->sthreads, &o->n_sthreads, o->sthreads_text,
               sizeof o->sthreads_text);
    parse_list("1,2,16,64", o->cthreads, &o->n_cthreads, o->cthreads_text,
               sizeof o->cthreads_text);
    int seconds_given = 0;
    enum { O_SECONDS = 1, O_THREADS, O_CTHREADS, O_INFLIGHT, O_POOL, O_QUICK,
           O_JSON, O_DIR, O_KEEP, O_VERBOSE, O_HELP, O_ONLY, O_SYNC, O_REPEAT,
           O_STHREADS, O_REPL };
    static const struct option longopts[] = {
        {"seconds", required_argument, NULL, O_SECONDS},
        {"threads", required_argument, NULL, O_THREADS},
        {"confirm-threads", required_argument, NULL, O_CTHREADS},
        {"inflight", required_argument, NULL, O_INFLIGHT},
        {"confirm-pool", required_argument, NULL, O_POOL},
        {"quick", no_argument, NULL, O_QUICK},
        {"json", no_argument, NULL, O_JSON},
        {"dir", required_argument, NULL, O_DIR},
        {"keep", no_argument, NULL, O_KEEP},
        {"verbose", no_argument, NULL, O_VERBOSE},
        {"help", no_argument, NULL, O_HELP},
        {"only", required_argument, NULL, O_ONLY},
        {"repeat", required_argument, NULL, O_REPEAT},
        {"confirm-sync", required_argument, NULL, O_SYNC},
        {"soldout-threads", required_argument, NULL, O_STHREADS},
        {"repl", required_argument, NULL, O_REPL},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_SECONDS:
            o->seconds = strtod(optarg, &end);
            if (*end || !(o->seconds > 0 && o->seconds <= 3600))
                bench_fatal("--seconds wants a number in (0, 3600]");
            seconds_given = 1;
            break;
        case O_THREADS:
            if (parse_list(optarg, o->threads, &o->n_threads, o->threads_text,
                           sizeof o->threads_text))
                bench_fatal("--threads wants a list such as 1,2,4");
            break;
        case O_CTHREADS:
            if (parse_list(optarg, o->cthreads, &o->n_cthreads,
                           o->cthreads_text, sizeof o->cthreads_text))
                bench_fatal("--confirm-threads wants a list such as 1,16,64");
            break;
        case O_STHREADS:
            if (parse_list(optarg, o->sthreads, &o->n_sthreads,
                           o->sthreads_text, sizeof o->sthreads_text))
                bench_fatal("--soldout-threads wants a list such as 1,16");
            break;
        case O_INFLIGHT:
            o->inflight = (int)strtol(optarg, &end, 10);
            if (*end || o->inflight < 1 || o->inflight > 65536)
                bench_fatal("--inflight wants 1..65536");
            break;
        case O_POOL: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < ROW_SEATS || v > 100000000)
                bench_fatal("--confirm-pool wants %d..100000000 seats", ROW_SEATS);
            o->confirm_pool = (uint32_t)v;
            break;
        }
        case O_REPEAT:
            o->repeat = (int)strtol(optarg, &end, 10);
            if (*end || o->repeat < 1 || o->repeat > MAX_REPEAT)
                bench_fatal("--repeat wants 1..%d", MAX_REPEAT);
            break;
        case O_REPL: o->repl = optarg; break;
        case O_QUICK: o->quick = 1; break;
        case O_JSON: o->json = 1; break;
        case O_DIR: o->dir = optarg; break;
        case O_KEEP: o->keep = 1; break;
        case O_VERBOSE: o->verbose = 1; break;
        case O_HELP: usage(stdout); exit(0);
        case O_ONLY: {
            char buf[256];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *save = NULL;
            for (char *t = strtok_r(buf, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                unsigned k = 0;
                while (k <= K_QUEUE && strcmp(t, kind_names[k]) != 0) k++;
                if (k > K_QUEUE)
                    bench_fatal("--only: unknown scenario '%s' (hold, avail, "
                                "best, confirm, async, soldout, ga, queue)", t);
                o->only |= 1u << k;
            }
            break;
        }
        case O_SYNC:
            if (strcmp(optarg, "full") == 0) o->sync = TIX_SYNC_FULL;
            else if (strcmp(optarg, "nometa") == 0) o->sync = TIX_SYNC_NOMETA;
            else if (strcmp(optarg, "none") == 0) o->sync = TIX_SYNC_NONE;
            else bench_fatal("--confirm-sync wants full, nometa or none");
            break;
        default: usage(stderr); exit(2);
        }
    }
    if (optind < argc) {
        usage(stderr);
        exit(2);
    }
    if (o->quick && !seconds_given) o->seconds = 0.3;
}

static int g_verbose;
static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
    if (!g_verbose) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("tix-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */

typedef struct run {
    tix_db *db;
    const bench_catalog *cat;
    int nthreads;
    _Atomic int stop;
    pthread_barrier_t barrier;
    /* hold / availability / best */
    tix_id show;
    uint32_t rows, cols;
    /* confirm seat pool: chunk c is row (c % chunks_per_show) of show
     * shows[c / chunks_per_show] */
    const tix_id *shows;
    uint32_t chunks_per_show, n_chunks;
    _Atomic uint32_t next_chunk;
    int run_id;
    int inflight;
} run;

typedef struct worker {
    _Alignas(64) run *r;
    int id;
    uint64_t rng;
    uint64_t ops, seats, conflicts, errors;
    double t0, t1;
    uint64_t *lat;
    size_t n_lat, cap_lat;
    int exhausted;
    char first_error[160];
    tix_id pool_show;
    uint32_t pool_base, pool_pos;
    uint64_t seq;
    uint64_t sink;
} worker;

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void note_error(worker *w, int rc)
{
    if (rc == TIX_ECONFLICT) {
        w->conflicts++;
        return;
    }
    w->errors++;
    if (!w->first_error[0])
        snprintf(w->first_error, sizeof w->first_error, "%s: %s",
                 tix_strerror(rc), tix_errmsg());
}

static void lat_push(worker *w, uint64_t ns)
{
    if (w->n_lat == w->cap_lat) {
        size_t cap = w->cap_lat ? w->cap_lat * 2 : 4096;
        uint64_t *p = realloc(w->lat, cap * sizeof *p);
        if (!p) bench_fatal("out of memory");
        w->lat = p;
        w->cap_lat = cap;
    }
    w->lat[w->n_lat++] = ns;
}

static void begin(worker *w)
{
    pthread_barrier_wait(&w->r->barrier);
    w->t0 = bench_secs();
}

static int stopping(run *r)
{
    return atomic_load_explicit(&r->stop, memory_order_relaxed);
}

/* Takes the next @p want (1 or 2) seats of the confirm pool, adjacent in
 * one row; fewer at a row's end. 0 when the pool is used up. */
static uint32_t pool_take(worker *w, uint32_t want, tix_id *show,
                          uint32_t *seats)
{
    run *r = w->r;
    if (!w->pool_show || w->pool_pos >= r->cols) {
        uint32_t c = atomic_fetch_add(&r->next_chunk, 1);
        if (c >= r->n_chunks) return 0;
        w->pool_show = r->shows[c / r->chunks_per_show];
        w->pool_base = (c % r->chunks_per_show) * r->cols;
        w->pool_pos = 0;
    }
    uint32_t n = want;
    if (w->pool_pos + n > r->cols) n = r->cols - w->pool_pos;
    for (uint32_t i = 0; i < n; i++) seats[i] = w->pool_base + w->pool_pos + i;
    w->pool_pos += n;
    *show = w->pool_show;
    return n;
}

static void *hold_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    tix_db *db = r->db;
    const uint64_t rows = r->rows, span = r->cols - 1;
    begin(w);
    while (!stopping(r)) {
        uint64_t x = rng_next(&w->rng);
        uint32_t row = (uint32_t)(((x & 0xFFFFFFFFu) * rows) >> 32);
        uint32_t col = (uint32_t)(((x >> 32) * span) >> 32);
        uint32_t seats[2] = {row * r->cols + col, row * r->cols + col + 1};
        tix_hold *h;
        int rc = tix_hold_create(db, r->show, seats, 2, NULL, &h);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        rc = tix_hold_release(db, h);
        tix_hold_free(h);
        if (rc) note_error(w, rc);
        else w->ops++;
    }
    w->t1 = bench_secs();
    return NULL;
}

static void *avail_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    begin(w);
    while (!stopping(r)) {
        tix_avail *a;
        int rc = tix_show_availability(r->db, r->show, &a);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        w->sink += a->all.free + a->tiers[0].held;
        tix_avail_free(a);
        w->ops++;
    }
    w->t1 = bench_secs();
    return NULL;
}

static void *best_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    begin(w);
    while (!stopping(r)) {
        tix_hold *h;
        int rc = tix_hold_best(r->db, r->show, 2, NULL, &h);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        rc = tix_hold_release(r->db, h);
        tix_hold_free(h);
        if (rc) note_error(w, rc);
        else w->ops++;
    }
    w->t1 = bench_secs();
    return NULL;
}

static void confirm_opts(worker *w, char *ref, size_t cap, tix_confirm_opts *o)
{
    snprintf(ref, cap, "pay-%d-%d-%llu", w->r->run_id, w->id,
             (unsigned long long)w->seq++);
    *o = (tix_confirm_opts){.user_id = w->r->cat->users[w->id % BENCH_USERS],
                            .payment_ref = ref};
}

static void *confirm_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    begin(w);
    while (!stopping(r)) {
        tix_id show;
        uint32_t seats[2];
        uint32_t n = pool_take(w, 1 + (uint32_t)(w->seq & 1), &show, seats);
        if (!n) {
            w->exhausted = 1;
            break;
        }
        tix_hold *h;
        int rc = tix_hold_create(r->db, show, seats, n, NULL, &h);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        char ref[64];
        tix_confirm_opts o;
        confirm_opts(w, ref, sizeof ref, &o);
        tix_id booking;
        uint64_t t = bench_ns();
        rc = tix_hold_confirm(r->db, h, &o, &booking);
        lat_push(w, bench_ns() - t);
        tix_hold_free(h);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        w->ops++;
        w->seats += n;
    }
    w->t1 = bench_secs();
    return NULL;
}

typedef struct slot {
    tix_confirm *c;
    uint64_t t0;
    uint32_t n;
} slot;

/* One thread, r->inflight confirms in flight: fill free slots, poll all,
 * and when a pass finds nothing finished, wait (1 ms at most) on the
 * oldest rather than spin. */
static void *async_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    slot *sl = calloc((size_t)r->inflight, sizeof *sl);
    if (!sl) bench_fatal("out of memory");
    size_t live = 0;
    int filling = 1;
    begin(w);
    for (;;) {
        if (filling && stopping(r)) filling = 0;
        for (int i = 0; filling && i < r->inflight; i++) {
            if (sl[i].c) continue;
            tix_id show;
            uint32_t seats[2];
            uint32_t n = pool_take(w, 1 + (uint32_t)(w->seq & 1), &show, seats);
            if (!n) {
                w->exhausted = 1;
                filling = 0;
                break;
            }
            tix_hold *h;
            int rc = tix_hold_create(r->db, show, seats, n, NULL, &h);
            if (rc) {
                note_error(w, rc);
                continue;
            }
            char ref[64];
            tix_confirm_opts o;
            confirm_opts(w, ref, sizeof ref, &o);
            sl[i].t0 = bench_ns();
            rc = tix_confirm_submit(r->db, h, &o, &sl[i].c);
            tix_hold_free(h);
            if (rc) {
                sl[i].c = NULL;
                note_error(w, rc);
                continue;
            }
            sl[i].n = n;
            live++;
        }
        if (!live) {
            if (!filling) break;
            continue;
        }
        int done = 0;
        int oldest = -1;
        for (int i = 0; i < r->inflight; i++) {
            if (!sl[i].c) continue;
            tix_id booking;
            int rc = tix_confirm_poll(sl[i].c, &booking);
            if (rc == TIX_EAGAIN) {
                if (oldest < 0 || sl[i].t0 < sl[oldest].t0) oldest = i;
                continue;
            }
            lat_push(w, bench_ns() - sl[i].t0);
            if (rc) {
                note_error(w, rc);
            } else {
                w->ops++;
                w->seats += sl[i].n;
            }
            tix_confirm_free(sl[i].c);
            sl[i].c = NULL;
            live--;
            done++;
        }
        if (!done && oldest >= 0) tix_confirm_wait(sl[oldest].c, 1, NULL);
    }
    w->t1 = bench_secs();
    free(sl);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Runs @p body on r->nthreads threads for @p seconds and sums the
 * workers into @p res. */
static void run_threads(run *r, void *(*body)(void *), double seconds,
                        bench_result *res)
{
    int n = r->nthreads;
    worker *w = aligned_alloc(64, sizeof(worker) * (size_t)n);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!w || !tid) bench_fatal("out of memory");
    memset(w, 0, sizeof(worker) * (size_t)n);
    atomic_store(&r->stop, 0);
    pthread_barrier_init(&r->barrier, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        w[i].r = r;
        w[i].id = i;
        w[i].rng = 0x1234567ull * (uint64_t)(i + 1) + (uint64_t)r->run_id;
        if (pthread_create(&tid[i], NULL, body, &w[i]) != 0)
            bench_fatal("cannot start thread %d", i);
    }
    pthread_barrier_wait(&r->barrier);
    bench_sleep(seconds);
    atomic_store(&r->stop, 1);
    for (int i = 0; i < n; i++) pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&r->barrier);

    double t0 = w[0].t0, t1 = w[0].t1;
    size_t n_lat = 0;
    for (int i = 0; i < n; i++) {
        if (w[i].t0 < t0) t0 = w[i].t0;
        if (w[i].t1 > t1) t1 = w[i].t1;
        res->ops += w[i].ops;
        res->seats += w[i].seats;
        res->conflicts += w[i].conflicts;
        res->errors += w[i].errors;
        res->exhausted |= w[i].exhausted;
        if (!res->first_error[0] && w[i].first_error[0])
            snprintf(res->first_error, sizeof res->first_error, "%s",
                     w[i].first_error);
        n_lat += w[i].n_lat;
    }
    res->threads = n;
    res->secs = t1 - t0;
    res->rate = res->secs > 0 ? (double)res->ops / res->secs : 0;
    if (n_lat) {
        uint64_t *all = malloc(n_lat * sizeof *all);
        if (!all) bench_fatal("out of memory");
        size_t k = 0;
        for (int i = 0; i < n; i++) {
            memcpy(all + k, w[i].lat, w[i].n_lat * sizeof *all);
            k += w[i].n_lat;
        }
        qsort(all, n_lat, sizeof *all, cmp_u64);
        res->p50_ms = (double)all[n_lat / 2] / 1e6;
        res->p99_ms = (double)all[(size_t)((double)(n_lat - 1) * 0.99)] / 1e6;
        res->max_ms = (double)all[n_lat - 1] / 1e6;
        free(all);
    }
    for (int i = 0; i < n; i++) free(w[i].lat);
    free(w);
    free(tid);
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

#define MAX_RESULTS 64
static bench_result g_res[MAX_RESULTS];
static size_t g_nres;
static int g_json;

static bench_result *result_new(enum bench_kind k, const char *name,
                                const char *label)
{
    if (g_nres == MAX_RESULTS) bench_fatal("too many results");
    bench_result *r = &g_res[g_nres++];
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->name = name;
    r->label = label;
    return r;
}

static void result_done(bench_result *r)
{
    if (!g_json) bench_print_row(r);
}

static int cmp_rate(const void *a, const void *b)
{
    double x = ((const bench_result *)a)->rate, y = ((const bench_result *)b)->rate;
    return x < y ? -1 : x > y;
}

/* Keeps the run with the median rate in @p res (its kind, name and label
 * stay), with the lowest and highest rates of all @p n runs. */
static void result_median(bench_result *res, bench_result *runs, int n)
{
    int verified = 1, exhausted = 0;
    char first_error[sizeof res->first_error] = "";
    for (int i = 0; i < n; i++) {
        verified &= runs[i].verified;
        exhausted |= runs[i].exhausted;
        if (!first_error[0] && runs[i].first_error[0])
            memcpy(first_error, runs[i].first_error, sizeof first_error);
    }
    qsort(runs, (size_t)n, sizeof *runs, cmp_rate);
    bench_result keep = *res;
    *res = runs[n / 2];
    res->kind = keep.kind;
    res->name = keep.name;
    res->label = keep.label;
    res->inflight = keep.inflight;
    res->repeats = n;
    res->rate_min = runs[0].rate;
    res->rate_max = runs[n - 1].rate;
    res->verified = verified;
    res->exhausted = exhausted;
    memcpy(res->first_error, first_error, sizeof first_error);
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */

typedef struct engine_store {
    char dir[1100];
    tix_db *db;
    bench_catalog cat;
    bench_screen hold_screen, avail_screen;
    tix_id hold_show, avail_show;
    tix_avail *avail0; /* availability after setup */
} engine_store;

/* The store for holds, availability and best-available: a 20,000-seat
 * show and a 1,000-seat show with 15% booked and 15% held. */
static void engine_setup(engine_store *s, const char *base)
{
    snprintf(s->dir, sizeof s->dir, "%s/engine", base);
    bench_store_open(s->dir, TIX_SYNC_FULL, &s->db);
    bench_catalog_create(s->db, &s->cat);
    bench_screen_create(s->db, &s->cat, HOLD_ROWS, ROW_SEATS, &s->hold_screen);
    bench_screen_create(s->db, &s->cat, AVAIL_ROWS, ROW_SEATS, &s->avail_screen);
    s->hold_show = bench_show_create(s->db, &s->cat, &s->hold_screen);
    s->avail_show = bench_show_create(s->db, &s->cat, &s->avail_screen);

    /* Take 30% of the 1,000 seats at random: half booked, half held. */
    uint32_t n = AVAIL_ROWS * ROW_SEATS, perm[AVAIL_ROWS * ROW_SEATS];
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    uint64_t rng = 42;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rng_next(&rng) % (i + 1));
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint32_t taken = n * 3 / 10;
    tix_hold_opts ho = {.ttl = 3600};
    for (uint32_t i = 0; i < taken; i += 2) {
        tix_hold *h;
        CHECK(tix_hold_create(s->db, s->avail_show, &perm[i], 2, &ho, &h));
        if (i < taken / 2) {
            char ref[32];
            snprintf(ref, sizeof ref, "setup-%u", i);
            tix_confirm_opts co = {.user_id = s->cat.users[0], .payment_ref = ref};
            CHECK(tix_hold_confirm(s->db, h, &co, NULL));
        }
        tix_hold_free(h);
    }
    CHECK(tix_show_availability(s->db, s->avail_show, &s->avail0));
    tix_avail *a;
    CHECK(tix_show_availability(s->db, s->hold_show, &a)); /* map the region */
    tix_avail_free(a);
}

static void scenario_threads(engine_store *s, const opts *o,
                             enum bench_kind kind)
{
    static const char *const names[] = {[K_HOLD] = "hold_release",
                                        [K_AVAIL] = "availability",
                                        [K_BEST] = "best_release"};
    static const char *const labels[] = {
        [K_HOLD] = "hold+release (2 seats, 20k-seat show)",
        [K_AVAIL] = "availability (1000 seats, 30% taken)",
        [K_BEST] = "hold_best(2)+release (1000 seats)"};
    void *(*body)(void *) = kind == K_HOLD ? hold_body
                            : kind == K_AVAIL ? avail_body : best_body;
    for (int i = 0; i < o->n_threads; i++) {
        progress("%s, %d thread(s)", names[kind], o->threads[i]);
        run r = {.db = s->db, .cat = &s->cat, .nthreads = o->threads[i],
                 .run_id = (int)g_nres};
        if (kind == K_HOLD) {
            r.show = s->hold_show;
            r.rows = s->hold_screen.rows;
            r.cols = s->hold_screen.cols;
        } else {
            r.show = s->avail_show;
        }
        bench_result *res = result_new(kind, names[kind], labels[kind]);
        bench_result runs[MAX_REPEAT];
        for (int k = 0; k < o->repeat; k++) {
            memset(&runs[k], 0, sizeof runs[k]);
            runs[k].verified = 1;
            r.run_id = (int)g_nres * MAX_REPEAT + k;
            run_threads(&r, body, o->seconds, &runs[k]);
        }
        result_median(res, runs, o->repeat);
        if (o->threads[i] == 1 && kind == K_HOLD) {
            res->target = 5e6;
            res->target_text = ">= 5M/s (1 thread)";
        }
        if (o->threads[i] == 1 && kind == K_AVAIL) {
            res->target = 1e6;
            res->target_text = ">= 1M/s (1 thread)";
        }
        result_done(res);
    }
}

static void *soldout_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    tix_best_opts bo = {0};
    begin(w);
    while (!stopping(r)) {
        tix_hold *h;
        int rc = tix_hold_best(r->db, r->show, 2, &bo, &h);
        if (rc == TIX_ECONFLICT) {
            w->ops++;
            continue;
        }
        if (rc == 0) { /* a sold-out show sold a seat */
            tix_hold_release(r->db, h);
            tix_hold_free(h);
            rc = TIX_EINVAL;
        }
        note_error(w, rc);
    }
    w->t1 = bench_secs();
    return NULL;
}

/* The 150,000-seat stadium with every seat held for an hour, in holds of
 * ten seats; *first is the first of them (seats 0..9), kept to release. */
static tix_id soldout_setup(tix_db *db, bench_catalog *cat, tix_hold **first)
{
    bench_screen sc;
    bench_screen_create(db, cat, STADIUM_ROWS, ROW_SEATS, &sc);
    tix_id show = bench_show_create(db, cat, &sc);
    tix_hold_opts ho = {.ttl = 3600};
    uint32_t seats[10];
    for (uint32_t s0 = 0; s0 < STADIUM_ROWS * ROW_SEATS; s0 += 10) {
        for (uint32_t i = 0; i < 10; i++) seats[i] = s0 + i;
        tix_hold *h;
        CHECK(tix_hold_create(db, show, seats, 10, &ho, &h));
        if (s0 == 0) *first = h;
        else tix_hold_free(h);
    }
    return show;
}

/* Failing attempts on the sold-out stadium, then the check that a seat
 * coming back is found at once. */
static void scenario_soldout(engine_store *s, const opts *o)
{
    progress("sold out: holding every seat of the stadium");
    tix_hold *first = NULL;
    tix_id show = soldout_setup(s->db, &s->cat, &first);
    bench_result *res[MAX_THREAD_COUNTS];
    for (int i = 0; i < o->n_sthreads; i++) {
        progress("soldout, %d thread(s)", o->sthreads[i]);
        run r = {.db = s->db, .cat = &s->cat, .nthreads = o->sthreads[i],
                 .show = show};
        res[i] = result_new(K_SOLDOUT, "soldout_best",
                            "hold_best(2) failing, 150k sold out");
        bench_result runs[MAX_REPEAT];
        for (int k = 0; k < o->repeat; k++) {
            memset(&runs[k], 0, sizeof runs[k]);
            r.run_id = (int)g_nres * MAX_REPEAT + k;
            run_threads(&r, soldout_body, o->seconds, &runs[k]);
            runs[k].verified = runs[k].errors == 0;
        }
        result_median(res[i], runs, o->repeat);
        if (o->sthreads[i] == 16) {
            res[i]->target = 1e7;
            res[i]->target_text = ">= 10M/s failing (16 threads)";
        }
    }
    /* The released seats must be offered by the very next search. */
    CHECK(tix_hold_release(s->db, first));
    tix_hold_free(first);
    tix_hold *h = NULL;
    int back = tix_hold_best(s->db, show, 2, NULL, &h) == 0;
    if (h) tix_hold_free(h);
    for (int i = 0; i < o->n_sthreads; i++) {
        res[i]->verified &= back;
        if (!back)
            snprintf(res[i]->first_error, sizeof res[i]->first_error,
                     "released seats not found by the next tix_hold_best");
        result_done(res[i]);
    }
}

/* General admission: hold 2 places of the standing area by count, confirm
 * (group-committed, the engine store's full durability). */
static void *ga_body(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    tix_area_take t = {r->shows[0], 2}; /* shows[0]: the area's id */
    begin(w);
    while (!stopping(r)) {
        tix_hold *h;
        int rc = tix_hold_areas(r->db, r->show, NULL, 0, &t, 1, NULL, &h);
        if (rc == TIX_ECONFLICT) {
            w->exhausted = 1; /* sold out */
            break;
        }
        if (rc) {
            note_error(w, rc);
            continue;
        }
        char ref[64];
        tix_confirm_opts o;
        confirm_opts(w, ref, sizeof ref, &o);
        uint64_t t0 = bench_ns();
        rc = tix_hold_confirm(r->db, h, &o, NULL);
        lat_push(w, bench_ns() - t0);
        tix_hold_free(h);
        if (rc) {
            note_error(w, rc);
            continue;
        }
        w->ops++;
        w->seats += 2;
    }
    w->t1 = bench_secs();
    return NULL;
}

#define GA_PLACES 50000
#define GA_THREADS 16

/* A fresh show of a screen with a 50,000-place area per run, so every run
 * starts with the area empty. */
static void scenario_ga(engine_store *s, const opts *o)
{
    bench_screen sc;
    bench_screen_create(s->db, &s->cat, 1, ROW_SEATS, &sc);
    tix_area a = {.screen_id = sc.id, .tier_id = sc.tiers[0],
                  .name = "FLOOR", .capacity = GA_PLACES};
    tix_id area;
    CHECK(tix_area_create(s->db, &a, &area));
    bench_result *res = result_new(K_GA, "ga_hold_confirm",
                                   "GA hold(2 places)+confirm, 50k area");
    bench_result runs[MAX_REPEAT];
    for (int k = 0; k < o->repeat; k++) {
        progress("ga, %d threads, run %d", GA_THREADS, k + 1);
        run r = {.db = s->db, .cat = &s->cat, .nthreads = GA_THREADS,
                 .show = bench_show_create(s->db, &s->cat, &sc),
                 .shows = &area, .run_id = (int)g_nres * MAX_REPEAT + k};
        memset(&runs[k], 0, sizeof runs[k]);
        run_threads(&r, ga_body, o->seconds, &runs[k]);
        tix_counts c;
        CHECK(tix_area_availability(s->db, r.show, area, &c));
        runs[k].verified = c.booked == runs[k].seats && runs[k].errors == 0 &&
                           c.booked <= GA_PLACES;
    }
    result_median(res, runs, o->repeat);
    result_done(res);
}

/* The waiting room of a stadium on-sale: 13M joins (1.3M --quick), then
 * the 150,000 seats sold out in admission order (bench/queue.c). */
static void scenario_queue(engine_store *s, const opts *o)
{
    progress("queue: %s joins, then the stadium sold out",
             o->quick ? "1.3M" : "13M");
    bench_screen sc;
    bench_screen_create(s->db, &s->cat, STADIUM_ROWS, ROW_SEATS, &sc);
    tix_id show = bench_show_create(s->db, &s->cat, &sc);
    bench_result *j = result_new(K_QUEUE, "queue_join", "queue join (stadium on-sale)");
    bench_result *b = result_new(K_QUEUE, "queue_sellout",
                                 "admitted hold_best(2) to sold out (150k)");
    bench_queue(s->db, show, o->quick ? 1300000u : 13000000u, j, b);
    result_done(j);
    result_done(b);
}

/* A template store for the confirm runs: catalog plus enough shows of
 * 40,000 seats for @p pool seats. Each run copies its data.mdb. */
typedef struct confirm_tmpl {
    char dir[1100];
    bench_catalog cat;
    tix_id *shows;
    uint32_t n_shows, chunks_per_show, n_chunks;
} confirm_tmpl;

static void confirm_template(confirm_tmpl *t, const char *base, uint32_t pool)
{
    snprintf(t->dir, sizeof t->dir, "%s/confirm-template", base);
    tix_db *db;
    bench_store_open(t->dir, TIX_SYNC_NONE, &db);
    bench_catalog_create(db, &t->cat);
    uint32_t per_show = CONFIRM_ROWS * ROW_SEATS;
    if (pool < per_show) per_show = (pool + ROW_SEATS - 1) / ROW_SEATS * ROW_SEATS;
    bench_screen sc;
    bench_screen_create(db, &t->cat, per_show / ROW_SEATS, ROW_SEATS, &sc);
    t->n_shows = (pool + per_show - 1) / per_show;
    t->shows = calloc(t->n_shows, sizeof *t->shows);
    if (!t->shows) bench_fatal("out of memory");
    for (uint32_t i = 0; i < t->n_shows; i++)
        t->shows[i] = bench_show_create(db, &t->cat, &sc);
    t->chunks_per_show = per_show / ROW_SEATS;
    t->n_chunks = t->chunks_per_show * t->n_shows;
    CHECK(tix_db_sync(db));
    tix_db_close(db);
}

/* One confirm run on a fresh copy of the template store. */
/* A confirm store, replicated through a stream of its own when @p repl. */
static void confirm_store_open(const opts *o, const char *dir, int repl,
                               int run_id, tix_db **db)
{
    if (!repl) {
        bench_store_open(dir, o->sync, db);
        return;
    }
    char stream[32];
    snprintf(stream, sizeof stream, "BENCH%d_%d", (int)getpid(), run_id);
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = o->sync;
    cfg.map_size = (size_t)4 << 30;
    cfg.seatmap_reserve = (size_t)4 << 30;
    cfg.repl_urls = o->repl;
    cfg.repl_stream = stream;
    CHECK(tix_db_open(dir, &cfg, db));
}

static void confirm_once(const confirm_tmpl *t, const opts *o, const char *base,
                         int threads, int inflight, int repl, int run_id,
                         bench_result *res)
{
    char dir[1100], from[1200], to[1200];
    snprintf(dir, sizeof dir, "%s/confirm-%s%s%d-%d", base,
             inflight ? "async-" : "", repl ? "repl-" : "",
             inflight ? inflight : threads, run_id);
    if (mkdir(dir, 0700) != 0) bench_fatal("mkdir %s: %s", dir, strerror(errno));
    snprintf(from, sizeof from, "%s/data.mdb", t->dir);
    snprintf(to, sizeof to, "%s/data.mdb", dir);
    if (bench_copy_file(from, to) != 0)
        bench_fatal("cannot copy %s to %s: %s", from, to, strerror(errno));
    tix_db *db;
    confirm_store_open(o, dir, repl, run_id, &db);
    /* Map every show's region now, not inside the timed run. */
    for (uint32_t i = 0; i < t->n_shows; i++) {
        tix_avail *a;
        CHECK(tix_show_availability(db, t->shows[i], &a));
        tix_avail_free(a);
    }
    run r = {.db = db, .cat = &t->cat, .nthreads = inflight ? 1 : threads,
             .cols = ROW_SEATS, .shows = t->shows,
             .chunks_per_show = t->chunks_per_show, .n_chunks = t->n_chunks,
             .run_id = run_id, .inflight = inflight};
    tix_commit_stats s0, s1;
    CHECK(tix_db_commit_stats(db, &s0));
    run_threads(&r, inflight ? async_body : confirm_body, o->seconds, res);
    CHECK(tix_db_commit_stats(db, &s1));
    res->batches = s1.batches - s0.batches;
    res->batch_confirms = s1.confirms - s0.confirms;
    res->max_batch = s1.max_batch;
    /* Check: the shows have exactly the seats the clients were told are
     * booked. */
    uint64_t booked = 0;
    for (uint32_t i = 0; i < t->n_shows; i++) {
        tix_avail *a;
        CHECK(tix_show_availability(db, t->shows[i], &a));
        booked += a->all.booked;
        tix_avail_free(a);
    }
    res->verified = booked == res->seats;
    tix_db_close(db);
    if (!o->keep) bench_rmtree(dir);
}

static const bench_result *confirm_run(const confirm_tmpl *t, const opts *o,
                                       const char *base, int threads,
                                       int inflight, int repl,
                                       const bench_result *local)
{
    bench_result *res =
        inflight ? result_new(K_ASYNC, "confirm_async", "async confirm")
        : repl   ? result_new(K_CONFIRM, "confirm_repl", "replicated confirm")
                 : result_new(K_CONFIRM, "confirm", "durable confirm");
    res->inflight = inflight;
    progress("%s, %d client thread(s)%s", res->name, inflight ? 1 : threads,
             inflight ? ", async" : "");
    bench_result runs[MAX_REPEAT];
    for (int k = 0; k < o->repeat; k++) {
        memset(&runs[k], 0, sizeof runs[k]);
        confirm_once(t, o, base, threads, inflight, repl,
                     (int)g_nres * MAX_REPEAT + k, &runs[k]);
    }
    result_median(res, runs, o->repeat);
    if (!inflight && !repl && threads == 64 && o->sync == TIX_SYNC_FULL) {
        res->target = 5e4;
        res->target_text = ">= 50k/s (64 clients, full sync)";
    }
    if (repl && threads == 16 && local) { /* issue 21 */
        res->target = local->rate / 2;
        res->target_text = ">= half of local-only (16 clients, same run)";
    }
    result_done(res);
    return res;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    if (bench_compare_wanted(argc, argv)) return bench_compare_main(argc, argv);
    opts o;
    parse_opts(argc, argv, &o);
    g_json = o.json;
    g_verbose = o.verbose;

    char base[1024];
    const char *parent = o.dir;
    if (!parent) parent = getenv("TMPDIR");
    if (!parent || !*parent) parent = "/tmp";
    if (o.dir && mkdir(o.dir, 0700) != 0 && errno != EEXIST)
        bench_fatal("mkdir %s: %s", o.dir, strerror(errno));
    snprintf(base, sizeof base, "%s/tix-bench-XXXXXX", parent);
    if (!mkdtemp(base)) bench_fatal("mkdtemp %s: %s", base, strerror(errno));

    bench_info info = {.version = tix_version(), .nproc = bench_nproc(),
                       .seconds = o.seconds, .threads_text = o.threads_text,
                       .confirm_threads_text = o.cthreads_text,
                       .quick = o.quick, .sync = sync_name(o.sync),
                       .repeat = o.repeat};
    info.load_start = bench_loadavg();
    bench_cpu_model(info.cpu, sizeof info.cpu);
    bench_kernel(info.kernel, sizeof info.kernel);
    bench_fs_type(base, info.fs, sizeof info.fs);
    snprintf(info.dir, sizeof info.dir, "%s", base);

    progress("setting up stores in %s", base);
    engine_store es;
    engine_setup(&es, base);
    uint32_t pool = o.confirm_pool;
    if (!pool) {
        double want = CONFIRM_RATE_GUESS * (o.seconds + 0.5);
        pool = want > 4e7 ? 40000000u : (uint32_t)want;
    }
    confirm_tmpl tmpl = {0};
    if (wanted(&o, K_CONFIRM) || wanted(&o, K_ASYNC))
        confirm_template(&tmpl, base, pool);
    info.hold_seats = HOLD_ROWS * ROW_SEATS;
    info.avail_seats = es.avail0->all.total;
    info.avail_taken = es.avail0->all.held + es.avail0->all.booked +
                       es.avail0->all.unavailable;
    info.confirm_pool = tmpl.n_chunks * ROW_SEATS;
    if (!o.json) bench_print_header(&info);

    for (enum bench_kind k = K_HOLD; k <= K_BEST; k++)
        if (wanted(&o, k)) scenario_threads(&es, &o, k);
    if (wanted(&o, K_SOLDOUT)) scenario_soldout(&es, &o);
    if (wanted(&o, K_GA)) scenario_ga(&es, &o);
    if (wanted(&o, K_QUEUE)) scenario_queue(&es, &o);
    tix_avail_free(es.avail0);
    tix_db_close(es.db);

    for (int i = 0; wanted(&o, K_CONFIRM) && i < o.n_cthreads; i++) {
        const bench_result *local =
            confirm_run(&tmpl, &o, base, o.cthreads[i], 0, 0, NULL);
        if (o.repl) confirm_run(&tmpl, &o, base, o.cthreads[i], 0, 1, local);
    }
    if (wanted(&o, K_ASYNC)) confirm_run(&tmpl, &o, base, 1, o.inflight, 0, NULL);

    info.load_end = bench_loadavg();
    if (o.json) {
        bench_print_json(&info, g_res, g_nres);
    } else {
        bench_print_summary(g_res, g_nres);
        printf("load average (1 min): %.2f before the run, %.2f after it "
               "(the bench's own threads included), %d CPU(s)%s\n",
               info.load_start, info.load_end, info.nproc,
               info.load_start > 0.5 ? "\n  other work was running when the "
                                       "bench started: figures may be low"
                                     : "");
    }
    free(tmpl.shows);
    if (!o.keep) bench_rmtree(base);
    else if (!o.json) printf("stores kept in %s\n", base);
    return 0;
}
