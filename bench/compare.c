/*
 * tix-bench compare: libtix side by side with real peers, in one run, on
 * this machine.
 *
 *   tix-bench compare [--peers sqlite,postgres,redis] [--scenarios LIST]
 *                     [--threads 1,2,16] [--seconds S] [--seats 20000,150000]
 *                     [--durability full|none] [--flash-threads LIST]
 *                     [--flash-limit S] [--flash-ttl S] [--confirm-pool N]
 *                     [--quick] [--json] [--results-dir DIR] [--no-save]
 *                     [--dir DIR] [--keep] [--note TEXT]
 *
 * Every system is reached through the interface of bench/peer.h; the peers
 * are servers the bench starts itself in a temporary directory (unix
 * sockets only) and stops at the end. Scenarios (--scenarios names):
 *   hold     hold+release of 2 random adjacent seats of a 20,000-seat show
 *   confirm  hold 1-2 seats + durable confirm (unique payment references)
 *   avail    availability counts (per tier) of a 1,000-seat show, 30% taken
 *   flash    flash sale: shows of --seats seats (default 20,000 and a
 *            150,000-seat stadium of 12 tiers) sold out by clients that
 *            each try best-available 1-4 seats (a random tier, then any),
 *            then confirm durably; 10% abandon their hold (it expires after
 *            --flash-ttl s). Time to sell out, confirms/s, conflicts, and a
 *            check that no seat was sold twice and sold = capacity.
 *   browse   90% reads (availability, seat map, a page of 20 reviews, in
 *            equal parts), 9% hold+release, 1% hold+durable confirm
 * Each reports ops/s and p50/p99/p99.9 latency per system at every
 * --threads count. Results go to --results-dir/<date>-<host>.json
 * (default bench/results when run from the repository root).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "compare.h"
#include "peer.h"

#define MAX_SYS 4
#define MAX_TC 8
#define MAX_SIZES 4
#define MAX_RES 512
#define HIST_SUB 32
#define HIST_N (60 * HIST_SUB)
#define POOL_COLS 50
#define HOLD_ROWS 500
#define HOLD_COLS 40
#define AVAIL_ROWS 25
#define AVAIL_COLS 40
#define FLASH_COLS 50
#define LONG_TTL 600

enum { S_HOLD, S_CONFIRM, S_AVAIL, S_FLASH, S_BROWSE, S_N };
static const char *const scen_key[S_N] = {"hold", "confirm", "avail", "flash",
                                          "browse"};
static const char *const scen_name[S_N] = {"hold_release", "confirm",
                                           "availability", "flash_sale",
                                           "browse_mix"};
static const char *const scen_title[S_N] = {
    "hold+release: 2 random adjacent seats of a 20,000-seat show",
    "durable hold+confirm: hold 1-2 seats, confirm (fsync on commit)",
    "availability: per-tier counts of a 1,000-seat show, 30% taken",
    "flash sale: best-available 1-4 seats + durable confirm until sold out, "
    "10% abandon their hold",
    "browse mix: 90% reads (availability / seat map / 20 reviews), 9% "
    "hold+release, 1% hold+confirm"};

/* A peer whose client library was missing at build time is NULL here. */
static const peer_ops *const all_ops[MAX_SYS] = {
    &peer_libtix_ops,
#ifdef TIX_BENCH_SQLITE
    &peer_sqlite_ops,
#else
    NULL,
#endif
#ifdef TIX_BENCH_PG
    &peer_pg_ops,
#else
    NULL,
#endif
#ifdef TIX_BENCH_REDIS
    &peer_redis_ops,
#else
    NULL,
#endif
};
static const char *const sys_names[MAX_SYS] = {"libtix", "sqlite", "postgres",
                                               "redis"};
static const char *const sys_pkgs[MAX_SYS] = {"", "libsqlite3-dev",
                                              "libpq-dev", "libhiredis-dev"};

typedef struct cmp_opts {
    double seconds;
    int threads[MAX_TC], n_threads;
    int fthreads[MAX_TC], n_fthreads;
    uint32_t sizes[MAX_SIZES];
    int n_sizes;
    int durable, tix_journal, json, quick, keep, save;
    unsigned sys_mask, scen_mask;
    double flash_limit;
    uint32_t flash_ttl, pool;
    int abandon_expire; /* 1: abandoned holds are left to expire */
    const char *dir, *results_dir, *note;
    char threads_text[64], fthreads_text[64], sizes_text[64], peers_text[128],
        scen_text[128];
} cmp_opts;

typedef struct sys {
    const peer_ops *ops;
    peer *p;
    int up;
    char why[600];
    char settings[4096];
    char dir[1200];
    uint64_t hold_show, avail_show, pool_show;
    peer_layout hold_l, avail_l, pool_l;
    _Atomic uint32_t pool_next_row;
    double setup_secs;
} sys;

typedef struct cmp_result {
    int scen;
    const char *system;
    int threads;
    uint32_t seats; /* flash: show size */
    uint64_t ops, conflicts, errors;
    char first_error[200];
    double secs, rate, p50_us, p99_us, p999_us;
    int pool_exhausted;
    /* flash */
    int sold_out, verified, consistent;
    double sellout_s, confirm_rate;
    uint64_t capacity, sold, confirms, abandoned, no_seats, confirm_conflicts,
        double_sold, attempts;
    peer_verify store;
    char verify_text[200];
} cmp_result;

typedef struct crun {
    sys *s;
    const cmp_opts *o;
    int scen, nthreads, run_id;
    _Atomic int stop;
    pthread_barrier_t bar;
    /* flash */
    uint64_t show;
    const peer_layout *l;
    uint32_t capacity;
    _Atomic uint64_t sold;
    _Atomic uint8_t *sold_map;
    _Atomic uint64_t double_sold;
    _Atomic int sold_out;
    _Atomic uint64_t sellout_ns;
    uint64_t start_ns, deadline_ns;
} crun;

typedef struct cworker {
    _Alignas(64) crun *r;
    int id;
    peer_conn *c;
    uint64_t rng, seq, sink;
    uint64_t ops, conflicts, errors, seats, confirms, abandoned, no_seats,
        confirm_conflicts, attempts;
    char first_error[200];
    uint64_t t0, t1;
    uint32_t pool_row, pool_pos;
    int has_row, exhausted;
    uint8_t *states;
    uint64_t hist[HIST_N];
} cworker;

static cmp_result g_res[MAX_RES];
static size_t g_nres;
static int g_step, g_steps;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tix-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- latency histogram: 32 linear sub-buckets per power of two -------- */

static inline int h_index(uint64_t ns)
{
    if (ns < HIST_SUB) return (int)ns;
    int msb = 63 - __builtin_clzll(ns);
    int shift = msb - 5;
    int idx = (shift + 1) * HIST_SUB + (int)((ns >> shift) & (HIST_SUB - 1));
    return idx < HIST_N ? idx : HIST_N - 1;
}

static double h_value(int idx) /* middle of the bucket, ns */
{
    if (idx < HIST_SUB) return idx;
    int shift = idx / HIST_SUB - 1, sub = idx % HIST_SUB;
    double lo = (double)((uint64_t)(HIST_SUB + sub) << shift);
    return lo + (double)((uint64_t)1 << shift) / 2.0;
}

static double h_quantile(const uint64_t *h, uint64_t total, double q)
{
    if (!total) return 0;
    uint64_t want = (uint64_t)ceil(q * (double)total), acc = 0;
    if (want < 1) want = 1;
    for (int i = 0; i < HIST_N; i++) {
        acc += h[i];
        if (acc >= want) return h_value(i);
    }
    return h_value(HIST_N - 1);
}

/* ---- options ------------------------------------------------------------ */

static int parse_ints(const char *s, int *out, int max, int lo, int hi)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < lo || v > hi || n == max) return -1;
        out[n++] = (int)v;
        if (*end == ',') end++;
        else if (*end) return -1;
        p = end;
    }
    return n;
}

static void usage(FILE *f)
{
    fputs("usage: tix-bench compare [options]\n"
          "  --peers LIST        peers beside libtix: sqlite,postgres,redis (all)\n"
          "                      or 'none'\n"
          "  --scenarios LIST    hold,confirm,avail,flash,browse (all)\n"
          "  --threads LIST      client threads (1,2,16)\n"
          "  --seconds S         run time of each timed step (3; --quick 0.3)\n"
          "  --seats LIST        flash-sale show sizes (20000,150000); multiples\n"
          "                      of 50 seats\n"
          "  --durability MODE   full (default): confirms fsync on commit on\n"
          "                      every system; none: no fsync anywhere\n"
          "  --tix-sync MODE     libtix's durable mode: journal (default,\n"
          "                      TIX_SYNC_JOURNAL) or full (TIX_SYNC_FULL)\n"
          "  --flash-threads LIST client threads of the flash sales (--threads;\n"
          "                      --quick: the largest of --threads)\n"
          "  --flash-limit S     give up a sale after S seconds (45; --quick 6)\n"
          "  --flash-ttl S       hold lifetime in the sale (2)\n"
          "  --abandon MODE      release (default): an abandoning client releases\n"
          "                      its hold; expire: it walks away and the hold\n"
          "                      comes back after --flash-ttl\n"
          "  --confirm-pool N    seats made per system for confirms (300000;\n"
          "                      --quick 60000)\n"
          "  --quick             about a minute: short steps, one flash thread count\n"
          "  --json              print the JSON result on stdout instead of tables\n"
          "  --results-dir DIR   write DIR/<date>-<host>.json (bench/results when\n"
          "                      ./bench exists)\n"
          "  --no-save           do not write the results file\n"
          "  --dir DIR           parent of the temporary directory ($TMPDIR, /tmp)\n"
          "  --keep              keep the temporary directory\n"
          "  --note TEXT         a note stored with the results (machine state)\n",
          f);
}

static void parse(int argc, char **argv, cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seconds = 3;
    o->durable = 1;
    o->tix_journal = 1;
    o->save = 1;
    o->flash_limit = 45;
    o->flash_ttl = 2;
    o->pool = 300000;
    o->sys_mask = 0xF;
    o->scen_mask = (1u << S_N) - 1;
    int seconds_given = 0, fthreads_given = 0, limit_given = 0, pool_given = 0;
    snprintf(o->threads_text, sizeof o->threads_text, "1,2,16");
    snprintf(o->sizes_text, sizeof o->sizes_text, "20000,150000");
    snprintf(o->peers_text, sizeof o->peers_text, "sqlite,postgres,redis");
    snprintf(o->scen_text, sizeof o->scen_text, "hold,confirm,avail,flash,browse");
    enum { O_PEERS = 1, O_SCEN, O_THREADS, O_SECONDS, O_SEATS, O_DUR, O_TSYNC, O_FTHR,
           O_FLIM, O_FTTL, O_POOL, O_QUICK, O_JSON, O_RDIR, O_NOSAVE, O_DIR,
           O_KEEP, O_NOTE, O_HELP, O_ABANDON };
    static const struct option lo[] = {
        {"peers", required_argument, NULL, O_PEERS},
        {"scenarios", required_argument, NULL, O_SCEN},
        {"threads", required_argument, NULL, O_THREADS},
        {"seconds", required_argument, NULL, O_SECONDS},
        {"seats", required_argument, NULL, O_SEATS},
        {"durability", required_argument, NULL, O_DUR},
        {"tix-sync", required_argument, NULL, O_TSYNC},
        {"flash-threads", required_argument, NULL, O_FTHR},
        {"flash-limit", required_argument, NULL, O_FLIM},
        {"flash-ttl", required_argument, NULL, O_FTTL},
        {"confirm-pool", required_argument, NULL, O_POOL},
        {"quick", no_argument, NULL, O_QUICK},
        {"json", no_argument, NULL, O_JSON},
        {"results-dir", required_argument, NULL, O_RDIR},
        {"no-save", no_argument, NULL, O_NOSAVE},
        {"dir", required_argument, NULL, O_DIR},
        {"keep", no_argument, NULL, O_KEEP},
        {"note", required_argument, NULL, O_NOTE},
        {"help", no_argument, NULL, O_HELP},
        {"abandon", required_argument, NULL, O_ABANDON},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        char *end;
        switch (ch) {
        case O_PEERS: {
            o->sys_mask = 1; /* libtix is always measured */
            snprintf(o->peers_text, sizeof o->peers_text, "%s", optarg);
            char buf[256];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *save = NULL;
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "none") || !strcmp(t, "libtix")) continue;
                if (!strcmp(t, "sqlite")) o->sys_mask |= 2;
                else if (!strcmp(t, "postgres") || !strcmp(t, "pg") ||
                         !strcmp(t, "postgresql")) o->sys_mask |= 4;
                else if (!strcmp(t, "redis")) o->sys_mask |= 8;
                else bench_fatal("--peers: unknown peer '%s' (sqlite, postgres, redis, none)", t);
            }
            break;
        }
        case O_SCEN: {
            o->scen_mask = 0;
            snprintf(o->scen_text, sizeof o->scen_text, "%s", optarg);
            char buf[256];
            snprintf(buf, sizeof buf, "%s", optarg);
            char *save = NULL;
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int k = 0;
                while (k < S_N && strcmp(t, scen_key[k]) && strcmp(t, scen_name[k])) k++;
                if (k == S_N)
                    bench_fatal("--scenarios: unknown '%s' (hold, confirm, avail, flash, browse)", t);
                o->scen_mask |= 1u << k;
            }
            break;
        }
        case O_THREADS:
            if ((o->n_threads = parse_ints(optarg, o->threads, MAX_TC, 1, 1024)) <= 0)
                bench_fatal("--threads wants a list such as 1,2,16");
            snprintf(o->threads_text, sizeof o->threads_text, "%s", optarg);
            break;
        case O_FTHR:
            if ((o->n_fthreads = parse_ints(optarg, o->fthreads, MAX_TC, 1, 1024)) <= 0)
                bench_fatal("--flash-threads wants a list such as 16");
            fthreads_given = 1;
            break;
        case O_SECONDS:
            o->seconds = strtod(optarg, &end);
            if (*end || !(o->seconds > 0 && o->seconds <= 600))
                bench_fatal("--seconds wants a number in (0, 600]");
            seconds_given = 1;
            break;
        case O_SEATS: {
            int v[MAX_SIZES];
            if ((o->n_sizes = parse_ints(optarg, v, MAX_SIZES, 50, 1000000)) <= 0)
                bench_fatal("--seats wants a list such as 20000,150000 (50..1000000)");
            for (int i = 0; i < o->n_sizes; i++) {
                if (v[i] % FLASH_COLS)
                    bench_fatal("--seats: %d is not a multiple of %d", v[i], FLASH_COLS);
                o->sizes[i] = (uint32_t)v[i];
            }
            snprintf(o->sizes_text, sizeof o->sizes_text, "%s", optarg);
            break;
        }
        case O_DUR:
            if (!strcmp(optarg, "full")) o->durable = 1;
            else if (!strcmp(optarg, "none")) o->durable = 0;
            else bench_fatal("--durability wants full or none");
            break;
        case O_TSYNC:
            if (!strcmp(optarg, "journal")) o->tix_journal = 1;
            else if (!strcmp(optarg, "full")) o->tix_journal = 0;
            else bench_fatal("--tix-sync wants journal or full");
            break;
        case O_FLIM:
            o->flash_limit = strtod(optarg, &end);
            if (*end || !(o->flash_limit > 0 && o->flash_limit <= 3600))
                bench_fatal("--flash-limit wants (0, 3600] seconds");
            limit_given = 1;
            break;
        case O_FTTL: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 600) bench_fatal("--flash-ttl wants 1..600 s");
            o->flash_ttl = (uint32_t)v;
            break;
        }
        case O_POOL: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1000 || v > 1000000)
                bench_fatal("--confirm-pool wants 1000..1000000 seats");
            o->pool = (uint32_t)(v / POOL_COLS * POOL_COLS);
            pool_given = 1;
            break;
        }
        case O_QUICK: o->quick = 1; break;
        case O_JSON: o->json = 1; break;
        case O_RDIR: o->results_dir = optarg; break;
        case O_NOSAVE: o->save = 0; break;
        case O_DIR: o->dir = optarg; break;
        case O_KEEP: o->keep = 1; break;
        case O_NOTE: o->note = optarg; break;
        case O_HELP: usage(stdout); exit(0);
        case O_ABANDON:
            if (!strcmp(optarg, "release")) o->abandon_expire = 0;
            else if (!strcmp(optarg, "expire")) o->abandon_expire = 1;
            else bench_fatal("--abandon wants release or expire");
            break;
        default: usage(stderr); exit(2);
        }
    }
    if (optind < argc) {
        usage(stderr);
        exit(2);
    }
    if (!o->n_threads) o->n_threads = parse_ints("1,2,16", o->threads, MAX_TC, 1, 1024);
    if (!o->n_sizes) {
        o->sizes[0] = 20000;
        o->sizes[1] = 150000;
        o->n_sizes = 2;
    }
    if (o->quick) {
        if (!seconds_given) o->seconds = 0.3;
        if (!limit_given) o->flash_limit = 6;
        if (!pool_given) o->pool = 60000;
    }
    if (!fthreads_given) {
        if (o->quick) {
            int mx = 1;
            for (int i = 0; i < o->n_threads; i++)
                if (o->threads[i] > mx) mx = o->threads[i];
            o->fthreads[0] = mx;
            o->n_fthreads = 1;
        } else {
            memcpy(o->fthreads, o->threads, sizeof o->threads);
            o->n_fthreads = o->n_threads;
        }
    }
    size_t k = 0;
    for (int i = 0; i < o->n_fthreads && k + 8 < sizeof o->fthreads_text; i++)
        k += (size_t)snprintf(o->fthreads_text + k, sizeof o->fthreads_text - k,
                              "%s%d", i ? "," : "", o->fthreads[i]);
    if (!o->results_dir) {
        struct stat st;
        if (stat("bench", &st) == 0 && S_ISDIR(st.st_mode)) o->results_dir = "bench/results";
        else o->save = 0;
    }
}

int bench_compare_wanted(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "compare") == 0) return 1;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--peers", 7) || !strncmp(argv[i], "--scenarios", 11))
            return 1;
    return 0;
}

/* ---- layouts -------------------------------------------------------------- */

static void layout(peer_layout *l, uint32_t rows, uint32_t cols, uint32_t tiers)
{
    memset(l, 0, sizeof *l);
    l->rows = rows;
    l->cols = cols;
    l->n_tiers = tiers;
    for (uint32_t t = 0; t < tiers; t++) l->tier_row_end[t] = rows * (t + 1) / tiers;
}

static uint32_t flash_tiers(uint32_t seats) { return seats >= 100000 ? 12 : 4; }

/* ---- workers ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint64_t *rng, uint32_t n)
{
    return (uint32_t)(((rng_next(rng) & 0xFFFFFFFFu) * n) >> 32);
}

static int note(cworker *w, int rc)
{
    if (rc == PEER_CONFLICT) {
        w->conflicts++;
    } else if (rc != PEER_OK) {
        w->errors++;
        if (!w->first_error[0])
            snprintf(w->first_error, sizeof w->first_error, "%s",
                     w->r->s->ops->error(w->c));
    }
    return rc;
}

static int stopping(crun *r)
{
    return atomic_load_explicit(&r->stop, memory_order_relaxed);
}

static void done_hold(cworker *w, peer_hold *h)
{
    if (w->r->s->ops->hold_done) w->r->s->ops->hold_done(h);
}

/* 1 or 2 seats of the confirm pool, adjacent in one row; 0 = pool used up */
static uint32_t pool_take(cworker *w, uint32_t want, uint32_t *seats)
{
    sys *s = w->r->s;
    if (!w->has_row || w->pool_pos + want > POOL_COLS) {
        uint32_t row = atomic_fetch_add(&s->pool_next_row, 1);
        if (row >= s->pool_l.rows) return 0;
        w->pool_row = row;
        w->pool_pos = 0;
        w->has_row = 1;
    }
    for (uint32_t i = 0; i < want; i++) seats[i] = w->pool_row * POOL_COLS + w->pool_pos + i;
    w->pool_pos += want;
    return want;
}

static void payref(cworker *w, char *buf, size_t cap)
{
    snprintf(buf, cap, "pay-%d-%d-%llu", w->r->run_id, w->id,
             (unsigned long long)w->seq++);
}

/* One hold+release of 2 random adjacent seats of the hold show. */
static int op_hold_release(cworker *w)
{
    sys *s = w->r->s;
    uint32_t row = below(&w->rng, s->hold_l.rows);
    uint32_t col = below(&w->rng, s->hold_l.cols - 1);
    uint32_t seats[2] = {row * s->hold_l.cols + col, row * s->hold_l.cols + col + 1};
    peer_hold h;
    int rc = s->ops->hold(w->c, s->hold_show, seats, 2, LONG_TTL, &h);
    if (rc) return note(w, rc);
    rc = s->ops->release(w->c, &h);
    done_hold(w, &h);
    return note(w, rc);
}

/* One hold of 1-2 pool seats + durable confirm. */
static int op_confirm(cworker *w)
{
    sys *s = w->r->s;
    uint32_t seats[2];
    uint32_t n = pool_take(w, 1 + (uint32_t)(w->seq & 1), seats);
    if (!n) {
        w->exhausted = 1;
        return PEER_ERR;
    }
    peer_hold h;
    int rc = s->ops->hold(w->c, s->pool_show, seats, n, LONG_TTL, &h);
    if (rc) return note(w, rc);
    char ref[64];
    payref(w, ref, sizeof ref);
    rc = s->ops->confirm(w->c, &h, (uint32_t)w->id, ref, NULL);
    done_hold(w, &h);
    if (rc == PEER_OK) w->seats += n;
    return note(w, rc);
}

static int op_avail(cworker *w)
{
    peer_avail a;
    int rc = w->r->s->ops->avail(w->c, w->r->s->avail_show, &a);
    if (rc == PEER_OK) w->sink += a.all.free + a.tiers[0].held;
    return note(w, rc);
}

static int op_seat_map(cworker *w)
{
    sys *s = w->r->s;
    uint32_t n = peer_layout_seats(&s->avail_l);
    int rc = s->ops->seat_map(w->c, s->avail_show, w->states, n);
    if (rc == PEER_OK) w->sink += w->states[w->seq++ % n];
    return note(w, rc);
}

static int op_reviews(cworker *w)
{
    return note(w, w->r->s->ops->reviews(w->c, 20, &w->sink));
}

static void *timed_body(void *arg)
{
    cworker *w = arg;
    crun *r = w->r;
    pthread_barrier_wait(&r->bar);
    uint64_t t = bench_ns();
    w->t0 = t;
    while (!stopping(r)) {
        int rc;
        switch (r->scen) {
        case S_HOLD: rc = op_hold_release(w); break;
        case S_CONFIRM: rc = op_confirm(w); break;
        case S_AVAIL: rc = op_avail(w); break;
        default: { /* S_BROWSE */
            uint32_t x = below(&w->rng, 100);
            if (x < 30) rc = op_avail(w);
            else if (x < 60) rc = op_seat_map(w);
            else if (x < 90) rc = op_reviews(w);
            else if (x < 99) rc = op_hold_release(w);
            else rc = op_confirm(w);
        }
        }
        uint64_t t1 = bench_ns();
        if (rc == PEER_OK) {
            w->ops++;
            w->hist[h_index(t1 - t)]++;
        }
        t = t1;
        if (w->exhausted) break;
    }
    w->t1 = bench_ns();
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *flash_body(void *arg)
{
    cworker *w = arg;
    crun *r = w->r;
    sys *s = r->s;
    const peer_layout *l = r->l;
    uint32_t ttl = r->o->flash_ttl;
    pthread_barrier_wait(&r->bar);
    uint64_t t = bench_ns();
    w->t0 = t;
    while (!atomic_load_explicit(&r->sold_out, memory_order_relaxed) &&
           t < r->deadline_ns) {
        uint32_t n = 1 + below(&w->rng, 4);
        uint32_t tier = 1 + below(&w->rng, l->n_tiers);
        peer_hold h;
        w->attempts++;
        int rc = s->ops->best(w->c, r->show, tier, n, ttl, &h);
        if (rc == PEER_CONFLICT) rc = s->ops->best(w->c, r->show, 0, n, ttl, &h);
        /* nothing of that size left: take what there is */
        for (uint32_t m = 4; rc == PEER_CONFLICT && m >= 1; m--)
            if (m != n) rc = s->ops->best(w->c, r->show, 0, m, ttl, &h);
        if (rc == PEER_CONFLICT) {
            w->no_seats++;
            if (atomic_load(&r->sold) >= r->capacity) break;
            sleep_ms(1); /* the rest is held: wait for confirms or expiry */
            t = bench_ns();
            continue;
        }
        if (rc != PEER_OK) {
            note(w, rc);
            sleep_ms(1);
            t = bench_ns();
            continue;
        }
        if (below(&w->rng, 10) == 0) { /* abandons the checkout */
            w->abandoned++;
            if (!r->o->abandon_expire) { /* closes it: the hold is released */
                rc = s->ops->release(w->c, &h);
                if (rc) note(w, rc);
            } /* else walks away: the hold expires after --flash-ttl */
            done_hold(w, &h);
            t = bench_ns();
            continue;
        }
        char ref[64];
        payref(w, ref, sizeof ref);
        rc = s->ops->confirm(w->c, &h, (uint32_t)w->id, ref, NULL);
        uint64_t t1 = bench_ns();
        if (rc == PEER_OK) {
            w->confirms++;
            w->ops++;
            w->seats += h.n;
            w->hist[h_index(t1 - t)]++;
            for (uint32_t i = 0; i < h.n; i++)
                if (h.seats[i] >= r->capacity ||
                    atomic_exchange(&r->sold_map[h.seats[i]], 1) != 0)
                    atomic_fetch_add(&r->double_sold, 1);
            uint64_t sold = atomic_fetch_add(&r->sold, h.n) + h.n;
            if (sold >= r->capacity) {
                uint64_t zero = 0;
                atomic_compare_exchange_strong(&r->sellout_ns, &zero, t1);
                atomic_store(&r->sold_out, 1);
            }
        } else if (rc == PEER_CONFLICT) {
            w->confirm_conflicts++;
        } else {
            note(w, rc);
        }
        done_hold(w, &h);
        t = t1;
    }
    w->t1 = bench_ns();
    return NULL;
}

/* Connects @p n workers, runs them, fills the common fields of @p res. */
static int run_workers(crun *r, void *(*body)(void *), double seconds,
                       cmp_result *res)
{
    int n = r->nthreads;
    sys *s = r->s;
    cworker *w = aligned_alloc(64, sizeof(cworker) * (size_t)n);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!w || !tid) bench_fatal("out of memory");
    memset(w, 0, sizeof(cworker) * (size_t)n);
    uint32_t map_n = peer_layout_seats(&s->avail_l);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        w[i].r = r;
        w[i].id = i;
        w[i].rng = 0x1234567ull * (uint64_t)(i + 1) + (uint64_t)r->run_id * 7919u;
        w[i].states = calloc(map_n, 1);
        char err[300];
        w[i].c = s->ops->connect(s->p, err, sizeof err);
        if (!w[i].c) {
            snprintf(res->first_error, sizeof res->first_error, "connect: %.180s", err);
            rc = -1;
            for (int j = 0; j < i; j++) s->ops->disconnect(w[j].c);
            for (int j = 0; j <= i; j++) free(w[j].states);
            free(w);
            free(tid);
            return rc;
        }
    }
    atomic_store(&r->stop, 0);
    pthread_barrier_init(&r->bar, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++)
        if (pthread_create(&tid[i], NULL, body, &w[i]) != 0)
            bench_fatal("cannot start thread %d", i);
    r->start_ns = bench_ns();
    if (body == flash_body) r->deadline_ns = r->start_ns + (uint64_t)(r->o->flash_limit * 1e9);
    pthread_barrier_wait(&r->bar);
    if (body == flash_body) {
        double next = 2;
        while (!atomic_load(&r->sold_out) && bench_ns() < r->deadline_ns) {
            sleep_ms(50);
            double el = (double)(bench_ns() - r->start_ns) / 1e9;
            if (el >= next) {
                next += 2;
                fprintf(stderr, "tix-bench:   ... %s: %.1f%% sold after %.0f s\n",
                        s->ops->name, 100.0 * (double)atomic_load(&r->sold) / r->capacity, el);
            }
        }
    } else {
        bench_sleep(seconds);
    }
    atomic_store(&r->stop, 1);
    for (int i = 0; i < n; i++) pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&r->bar);

    uint64_t t0 = w[0].t0, t1 = w[0].t1;
    static uint64_t hist[HIST_N];
    memset(hist, 0, sizeof hist);
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        if (w[i].t0 < t0) t0 = w[i].t0;
        if (w[i].t1 > t1) t1 = w[i].t1;
        res->ops += w[i].ops;
        res->conflicts += w[i].conflicts;
        res->errors += w[i].errors;
        res->pool_exhausted |= w[i].exhausted;
        res->confirms += w[i].confirms;
        res->abandoned += w[i].abandoned;
        res->no_seats += w[i].no_seats;
        res->confirm_conflicts += w[i].confirm_conflicts;
        res->attempts += w[i].attempts;
        if (!res->first_error[0] && w[i].first_error[0])
            snprintf(res->first_error, sizeof res->first_error, "%s", w[i].first_error);
        for (int k = 0; k < HIST_N; k++) {
            hist[k] += w[i].hist[k];
            total += w[i].hist[k];
        }
    }
    res->threads = n;
    res->secs = (double)(t1 - t0) / 1e9;
    res->rate = res->secs > 0 ? (double)res->ops / res->secs : 0;
    res->p50_us = h_quantile(hist, total, 0.50) / 1e3;
    res->p99_us = h_quantile(hist, total, 0.99) / 1e3;
    res->p999_us = h_quantile(hist, total, 0.999) / 1e3;
    if (body == flash_body) {
        /* verify with the first worker's connection */
        int vr = s->ops->verify(w[0].c, r->show, &res->store);
        if (vr != PEER_OK && !res->first_error[0])
            snprintf(res->first_error, sizeof res->first_error, "verify: %s",
                     s->ops->error(w[0].c));
    }
    for (int i = 0; i < n; i++) {
        s->ops->disconnect(w[i].c);
        free(w[i].states);
    }
    free(w);
    free(tid);
    return rc;
}

static cmp_result *result_new(int scen, sys *s, int threads)
{
    if (g_nres == MAX_RES) bench_fatal("too many results");
    cmp_result *r = &g_res[g_nres++];
    memset(r, 0, sizeof *r);
    r->scen = scen;
    r->system = s->ops->name;
    r->threads = threads;
    return r;
}

static void progress_step(const char *what, sys *s, int threads)
{
    g_step++;
    say("[%d/%d] %s, %s, %d thread%s", g_step, g_steps, what, s->ops->name,
        threads, threads == 1 ? "" : "s");
}

static void timed(sys *s, const cmp_opts *o, int scen, int threads)
{
    progress_step(scen_name[scen], s, threads);
    cmp_result *res = result_new(scen, s, threads);
    crun r = {.s = s, .o = o, .scen = scen, .nthreads = threads,
              .run_id = (int)g_nres};
    run_workers(&r, timed_body, o->seconds, res);
}

static void flash(sys *s, const cmp_opts *o, uint32_t seats, int threads)
{
    char what[64];
    snprintf(what, sizeof what, "flash sale %u seats", seats);
    progress_step(what, s, threads);
    cmp_result *res = result_new(S_FLASH, s, threads);
    res->seats = seats;
    res->capacity = seats;
    static peer_layout ls[MAX_RES];
    peer_layout *l = &ls[g_nres - 1];
    layout(l, seats / FLASH_COLS, FLASH_COLS, flash_tiers(seats));
    uint64_t show;
    double t0 = bench_secs();
    if (s->ops->show_create(s->p, l, &show) != PEER_OK) {
        snprintf(res->first_error, sizeof res->first_error, "show_create failed");
        return;
    }
    say("  show of %u seats, %u tiers made in %.1f s", seats, l->n_tiers,
        bench_secs() - t0);
    crun r = {.s = s, .o = o, .scen = S_FLASH, .nthreads = threads,
              .run_id = (int)g_nres, .show = show, .l = l, .capacity = seats};
    r.sold_map = calloc(seats, 1);
    if (!r.sold_map) bench_fatal("out of memory");
    run_workers(&r, flash_body, 0, res);
    res->sold = atomic_load(&r.sold);
    res->double_sold = atomic_load(&r.double_sold);
    res->sold_out = atomic_load(&r.sold_out);
    uint64_t so = atomic_load(&r.sellout_ns);
    res->sellout_s = so ? (double)(so - r.start_ns) / 1e9 : res->secs;
    double span = res->sold_out ? res->sellout_s : res->secs;
    res->confirm_rate = span > 0 ? (double)res->confirms / span : 0;
    res->verified = res->sold_out && res->double_sold == 0 &&
                    res->sold == res->capacity &&
                    res->store.booked_seats == res->capacity &&
                    res->store.booking_seats == res->capacity &&
                    res->store.bookings == res->confirms;
    /* not sold out, but nothing sold twice and the store agrees */
    res->consistent = res->double_sold == 0 && res->store.booked_seats == res->sold &&
                      res->store.booking_seats == res->sold &&
                      res->store.bookings == res->confirms;
    snprintf(res->verify_text, sizeof res->verify_text,
             "clients sold %llu/%llu, sold twice %llu; store: %llu seats booked, "
             "%llu bookings of %llu seats",
             (unsigned long long)res->sold, (unsigned long long)res->capacity,
             (unsigned long long)res->double_sold,
             (unsigned long long)res->store.booked_seats,
             (unsigned long long)res->store.bookings,
             (unsigned long long)res->store.booking_seats);
    say("  %s in %.2f s: %.0f confirms/s; %s", res->sold_out ? "sold out" : "NOT sold out",
        res->sold_out ? res->sellout_s : res->secs, res->confirm_rate, res->verify_text);
    free(r.sold_map);
}

/* ---- setup of one system -------------------------------------------------- */

static int sys_setup(sys *s, const cmp_opts *o, const char *base)
{
    snprintf(s->dir, sizeof s->dir, "%s/%s", base, s->ops->name);
    if (mkdir(s->dir, 0711) != 0) bench_fatal("mkdir %s: %s", s->dir, strerror(errno));
    peer_cfg cfg = {.dir = s->dir, .durable = o->durable,
                    .tix_journal = o->tix_journal, .max_conns = 64};
    double t0 = bench_secs();
    char err[600];
    if (s->ops->start(&cfg, &s->p, err, sizeof err) != PEER_OK) {
        snprintf(s->why, sizeof s->why, "%s", err);
        return -1;
    }
    s->up = 1;
    s->ops->describe(s->p, s->settings, sizeof s->settings);
    layout(&s->hold_l, HOLD_ROWS, HOLD_COLS, 3);
    layout(&s->avail_l, AVAIL_ROWS, AVAIL_COLS, 3);
    layout(&s->pool_l, o->pool / POOL_COLS, POOL_COLS, 1);
    if (s->ops->show_create(s->p, &s->hold_l, &s->hold_show) ||
        s->ops->show_create(s->p, &s->avail_l, &s->avail_show) ||
        ((o->scen_mask & ((1u << S_CONFIRM) | (1u << S_BROWSE))) &&
         s->ops->show_create(s->p, &s->pool_l, &s->pool_show))) {
        snprintf(s->why, sizeof s->why, "creating the shows failed");
        return -1;
    }
    /* 30% of the 1,000-seat show taken, the same seats everywhere: pairs of
     * random seats, half confirmed, half held for an hour. */
    peer_conn *c = s->ops->connect(s->p, err, sizeof err);
    if (!c) {
        snprintf(s->why, sizeof s->why, "connect: %.500s", err);
        return -1;
    }
    uint32_t n = peer_layout_seats(&s->avail_l), perm[AVAIL_ROWS * AVAIL_COLS];
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    uint64_t rng = 42;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rng_next(&rng) % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint32_t taken = n * 3 / 10;
    for (uint32_t i = 0; i < taken; i += 2) {
        uint32_t pair[2] = {perm[i] < perm[i + 1] ? perm[i] : perm[i + 1],
                            perm[i] < perm[i + 1] ? perm[i + 1] : perm[i]};
        peer_hold h;
        int rc = s->ops->hold(c, s->avail_show, pair, 2, 3600, &h);
        if (rc == PEER_OK && i < taken / 2) {
            char ref[32];
            snprintf(ref, sizeof ref, "setup-%u", i);
            rc = s->ops->confirm(c, &h, 0, ref, NULL);
        }
        if (rc == PEER_OK && s->ops->hold_done) s->ops->hold_done(&h);
        if (rc != PEER_OK) {
            snprintf(s->why, sizeof s->why, "filling the 1,000-seat show: %s",
                     s->ops->error(c));
            s->ops->disconnect(c);
            return -1;
        }
    }
    peer_avail a;
    int rc = s->ops->avail(c, s->avail_show, &a);
    s->ops->disconnect(c);
    if (rc != PEER_OK || a.all.total != n || a.all.booked != taken / 2 ||
        a.all.held != taken - taken / 2) {
        snprintf(s->why, sizeof s->why,
                 "the 1,000-seat show counts wrong: total %u booked %u held %u",
                 a.all.total, a.all.booked, a.all.held);
        return -1;
    }
    s->setup_secs = bench_secs() - t0;
    return 0;
}

/* ---- output ---------------------------------------------------------------- */

static const cmp_result *find(int scen, const char *system, int threads,
                              uint32_t seats)
{
    for (size_t i = 0; i < g_nres; i++)
        if (g_res[i].scen == scen && !strcmp(g_res[i].system, system) &&
            g_res[i].threads == threads && g_res[i].seats == seats)
            return &g_res[i];
    return NULL;
}

static const char *fmt_int(char *buf, size_t cap, double v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *fmt_us(char *buf, size_t cap, double us)
{
    if (us < 10) snprintf(buf, cap, "%.2f", us);
    else if (us < 1000) snprintf(buf, cap, "%.1f", us);
    else snprintf(buf, cap, "%.0f", us);
    return buf;
}

/* Best (highest ops/s) peer result for a scenario/threads/seats. */
static const cmp_result *best_peer(int scen, int threads, uint32_t seats)
{
    const cmp_result *b = NULL;
    for (size_t i = 0; i < g_nres; i++) {
        const cmp_result *r = &g_res[i];
        if (r->scen != scen || r->threads != threads || r->seats != seats ||
            !strcmp(r->system, "libtix") || r->ops == 0)
            continue;
        double v = scen == S_FLASH ? r->confirm_rate : r->rate;
        double bv = b ? (scen == S_FLASH ? b->confirm_rate : b->rate) : -1;
        if (v > bv) b = r;
    }
    return b;
}

static void print_tables(const cmp_opts *o, sys *systems)
{
    char a[32], b[32], c[32], d[32];
    for (int sc = 0; sc < S_N; sc++) {
        if (!(o->scen_mask & (1u << sc))) continue;
        if (sc == S_FLASH) {
            for (int z = 0; z < o->n_sizes; z++) {
                printf("\n== %s ==\n   show of %u seats (%u tiers, rows of %d), hold "
                       "ttl %u s, abandoned holds %s\n",
                       scen_title[sc], o->sizes[z], flash_tiers(o->sizes[z]),
                       FLASH_COLS, o->flash_ttl,
                       o->abandon_expire ? "left to expire" : "released");
                printf("%-4s %-9s %9s %6s %11s %9s %9s %9s %8s %8s %9s %-6s %s\n",
                       "thr", "system", "sold out", "secs", "confirms/s",
                       "p50 us", "p99 us", "p999 us", "no-seat", "cfl-fail",
                       "abandoned", "check", "libtix/this");
                for (int t = 0; t < o->n_fthreads; t++)
                    for (int k = 0; k < MAX_SYS; k++) {
                        if (!systems[k].ops) continue;
                        const cmp_result *r = find(sc, systems[k].ops->name,
                                                   o->fthreads[t], o->sizes[z]);
                        if (!r) continue;
                        const cmp_result *lt = find(sc, "libtix", o->fthreads[t], o->sizes[z]);
                        char ratio[32] = "-";
                        if (lt && r->confirm_rate > 0 && strcmp(r->system, "libtix"))
                            snprintf(ratio, sizeof ratio, "%.1fx", lt->confirm_rate / r->confirm_rate);
                        char pct[16];
                        snprintf(pct, sizeof pct, "%.0f%%", 100.0 * (double)r->sold / (double)r->capacity);
                        printf("%-4d %-9s %9s %6.2f %11s %9s %9s %9s %8llu %8llu %9llu %-6s %s\n",
                               r->threads, r->system, r->sold_out ? "yes" : pct,
                               r->sold_out ? r->sellout_s : r->secs,
                               fmt_int(a, sizeof a, r->confirm_rate),
                               fmt_us(b, sizeof b, r->p50_us), fmt_us(c, sizeof c, r->p99_us),
                               fmt_us(d, sizeof d, r->p999_us),
                               (unsigned long long)r->no_seats,
                               (unsigned long long)r->confirm_conflicts,
                               (unsigned long long)r->abandoned,
                               r->verified ? "ok" : r->consistent ? "part" : "FAIL", ratio);
                        if (!r->verified) printf("       %s\n", r->verify_text);
                        if (r->first_error[0]) printf("       first error: %s\n", r->first_error);
                    }
            }
            continue;
        }
        printf("\n== %s ==\n", scen_title[sc]);
        printf("%-4s %-9s %13s %9s %9s %9s %10s %7s %s\n", "thr", "system", "ops/s",
               "p50 us", "p99 us", "p999 us", "conflicts", "errors", "libtix/this");
        for (int t = 0; t < o->n_threads; t++)
            for (int k = 0; k < MAX_SYS; k++) {
                if (!systems[k].ops) continue;
                const cmp_result *r = find(sc, systems[k].ops->name, o->threads[t], 0);
                if (!r) continue;
                const cmp_result *lt = find(sc, "libtix", o->threads[t], 0);
                char ratio[32] = "-";
                if (lt && r->rate > 0 && strcmp(r->system, "libtix"))
                    snprintf(ratio, sizeof ratio, "%.1fx", lt->rate / r->rate);
                printf("%-4d %-9s %13s %9s %9s %9s %10llu %7llu %s%s\n", r->threads,
                       r->system, fmt_int(a, sizeof a, r->rate),
                       fmt_us(b, sizeof b, r->p50_us), fmt_us(c, sizeof c, r->p99_us),
                       fmt_us(d, sizeof d, r->p999_us),
                       (unsigned long long)r->conflicts, (unsigned long long)r->errors,
                       ratio, r->pool_exhausted ? "  (confirm pool used up)" : "");
                if (r->first_error[0]) printf("       first error: %s\n", r->first_error);
            }
    }
}

typedef struct target {
    const char *what;
    double want, got;
    int met;
    char detail[200];
} target;

static size_t targets(const cmp_opts *o, target *out)
{
    size_t n = 0;
    static const struct {
        int scen;
        double want;
        const char *what;
    } ratio_targets[] = {
        {S_HOLD, 100, "hold+release: libtix >= 100x the best peer"},
        {S_AVAIL, 100, "availability: libtix >= 100x the best peer"},
        {S_CONFIRM, 10, "durable confirms: libtix >= 10x the best peer"}};
    for (size_t i = 0; i < 3; i++) {
        int sc = ratio_targets[i].scen;
        if (!(o->scen_mask & (1u << sc))) continue;
        for (int t = 0; t < o->n_threads; t++) {
            const cmp_result *lt = find(sc, "libtix", o->threads[t], 0);
            const cmp_result *bp = best_peer(sc, o->threads[t], 0);
            if (!lt || !bp) continue;
            target *x = &out[n++];
            x->what = ratio_targets[i].what;
            x->want = ratio_targets[i].want;
            x->got = lt->rate / bp->rate;
            x->met = x->got >= x->want;
            char a[32], b[32];
            snprintf(x->detail, sizeof x->detail,
                     "%d thread%s: libtix %s/s vs %s %s/s = %.1fx", o->threads[t],
                     o->threads[t] == 1 ? "" : "s", fmt_int(a, sizeof a, lt->rate),
                     bp->system, fmt_int(b, sizeof b, bp->rate), x->got);
        }
    }
    if (o->scen_mask & (1u << S_FLASH)) {
        uint32_t big = 0;
        for (int z = 0; z < o->n_sizes; z++)
            if (o->sizes[z] > big) big = o->sizes[z];
        for (int t = 0; t < o->n_fthreads; t++) {
            int mt = o->fthreads[t];
            const cmp_result *lt = find(S_FLASH, "libtix", mt, big);
            if (!lt || big < 150000) continue;
            target *x = &out[n++];
            x->what = "150k-seat stadium sold out durably in under 10 s";
            x->want = 10;
            x->got = lt->sold_out ? lt->sellout_s : INFINITY;
            x->met = lt->sold_out && lt->verified && lt->sellout_s < 10 && o->durable;
            snprintf(x->detail, sizeof x->detail,
                     "%u seats, %d client threads: %s %.2f s, %.0f confirms/s, check %s",
                     big, mt, lt->sold_out ? "sold out in" : "NOT sold out after",
                     lt->sold_out ? lt->sellout_s : lt->secs, lt->confirm_rate,
                     lt->verified ? "ok" : lt->consistent ? "consistent" : "FAILED");
        }
    }
    return n;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", f);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fputs("null", f);
}

typedef struct meta {
    char date[32], host[128], cpu[128], kernel[128], fs[32], base[1024];
    int nproc;
    double load_start, load_end, wall;
    double fsync_p50_ms, fsync_p99_ms; /* < 0: not measured */
} meta;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* fdatasync latency of this file system: 40 appends of 4 KiB, each
 * followed by fdatasync (what a WAL commit does). */
static void measure_fsync(const char *dir, meta *m)
{
    m->fsync_p50_ms = m->fsync_p99_ms = -1;
    char path[1100];
    snprintf(path, sizeof path, "%s/fsync-probe", dir);
    FILE *f = fopen(path, "w");
    if (!f) return;
    static char page[4096];
    double t[40];
    int n = 0;
    for (int i = 0; i < 40; i++) {
        page[0] = (char)i;
        if (fwrite(page, 1, sizeof page, f) != sizeof page || fflush(f) != 0) break;
        uint64_t t0 = bench_ns();
        if (fdatasync(fileno(f)) != 0) break;
        t[n++] = (double)(bench_ns() - t0) / 1e6;
    }
    fclose(f);
    remove(path);
    if (n < 10) return;
    qsort(t, (size_t)n, sizeof t[0], cmp_double);
    m->fsync_p50_ms = t[n / 2];
    m->fsync_p99_ms = t[n - 1];
}

static void write_json(FILE *f, const cmp_opts *o, const meta *m, sys *systems)
{
    fprintf(f, "{\n\"tool\": \"tix-bench compare\",\n\"libtix_version\": ");
    json_str(f, tix_version());
    fprintf(f, ",\n\"date\": ");
    json_str(f, m->date);
    fprintf(f, ",\n\"host\": ");
    json_str(f, m->host);
    fprintf(f, ",\n\"machine\": {\"nproc\": %d, \"cpu\": ", m->nproc);
    json_str(f, m->cpu);
    fprintf(f, ", \"kernel\": ");
    json_str(f, m->kernel);
    fprintf(f, ", \"fs\": ");
    json_str(f, m->fs);
    fprintf(f, ", \"load_start\": ");
    json_num(f, m->load_start);
    fprintf(f, ", \"load_end\": ");
    json_num(f, m->load_end);
    fprintf(f, ", \"fsync_p50_ms\": ");
    json_num(f, m->fsync_p50_ms >= 0 ? m->fsync_p50_ms : NAN);
    fprintf(f, ", \"fsync_p99_ms\": ");
    json_num(f, m->fsync_p99_ms >= 0 ? m->fsync_p99_ms : NAN);
    fprintf(f, ", \"note\": ");
    json_str(f, o->note ? o->note : "");
    fprintf(f, "},\n\"config\": {\"seconds\": ");
    json_num(f, o->seconds);
    fprintf(f, ", \"threads\": ");
    json_str(f, o->threads_text);
    fprintf(f, ", \"flash_threads\": ");
    json_str(f, o->fthreads_text);
    fprintf(f, ", \"seats\": ");
    json_str(f, o->sizes_text);
    fprintf(f, ", \"durability\": \"%s\", \"tix_sync\": \"%s\", \"flash_limit_s\": ",
            o->durable ? "full" : "none",
            !o->durable ? "none" : o->tix_journal ? "journal" : "full");
    json_num(f, o->flash_limit);
    fprintf(f, ", \"flash_ttl_s\": %u, \"abandon\": \"%s\", \"confirm_pool\": %u, "
               "\"quick\": %s, \"scenarios\": ",
            o->flash_ttl, o->abandon_expire ? "expire" : "release", o->pool,
            o->quick ? "true" : "false");
    json_str(f, o->scen_text);
    fprintf(f, ", \"wall_s\": ");
    json_num(f, m->wall);
    fprintf(f, "},\n\"scenarios\": {");
    for (int sc = 0; sc < S_N; sc++) {
        fprintf(f, "%s\"%s\": ", sc ? ", " : "", scen_name[sc]);
        json_str(f, scen_title[sc]);
    }
    fprintf(f, "},\n\"systems\": [");
    int first = 1;
    for (int k = 0; k < MAX_SYS; k++) {
        sys *s = &systems[k];
        if (!(o->sys_mask & (1u << k))) continue;
        fprintf(f, "%s\n  {\"name\": \"%s\", \"status\": \"%s\", \"settings\": ",
                first ? "" : ",", sys_names[k],
                !all_ops[k] ? "not built" : s->up ? "ok" : "skipped");
        first = 0;
        json_str(f, s->settings);
        fprintf(f, ", \"skip_reason\": ");
        if (!all_ops[k]) {
            char why[160];
            snprintf(why, sizeof why, "not built into this tix-bench: install %s "
                     "(bash scripts/deps.sh bench) and rebuild", sys_pkgs[k]);
            json_str(f, why);
        } else {
            json_str(f, s->why);
        }
        fprintf(f, ", \"setup_s\": ");
        json_num(f, s->setup_secs);
        fputc('}', f);
    }
    fprintf(f, "\n],\n\"results\": [");
    for (size_t i = 0; i < g_nres; i++) {
        const cmp_result *r = &g_res[i];
        fprintf(f, "%s\n  {\"scenario\": \"%s\", \"system\": \"%s\", \"threads\": %d",
                i ? "," : "", scen_name[r->scen], r->system, r->threads);
        fprintf(f, ", \"ops\": %llu, \"seconds\": ", (unsigned long long)r->ops);
        json_num(f, r->secs);
        fprintf(f, ", \"ops_per_s\": ");
        json_num(f, r->rate);
        fprintf(f, ", \"p50_us\": ");
        json_num(f, r->p50_us);
        fprintf(f, ", \"p99_us\": ");
        json_num(f, r->p99_us);
        fprintf(f, ", \"p999_us\": ");
        json_num(f, r->p999_us);
        fprintf(f, ", \"conflicts\": %llu, \"errors\": %llu",
                (unsigned long long)r->conflicts, (unsigned long long)r->errors);
        if (r->pool_exhausted) fprintf(f, ", \"pool_exhausted\": true");
        if (r->scen == S_FLASH) {
            fprintf(f, ", \"seats\": %u, \"tiers\": %u, \"sold_out\": %s, \"sellout_s\": ",
                    r->seats, flash_tiers(r->seats), r->sold_out ? "true" : "false");
            json_num(f, r->sold_out ? r->sellout_s : NAN);
            fprintf(f, ", \"confirms_per_s\": ");
            json_num(f, r->confirm_rate);
            fprintf(f, ", \"sold\": %llu, \"capacity\": %llu, \"confirms\": %llu, "
                       "\"attempts\": %llu, \"abandoned\": %llu, \"no_seats\": %llu, "
                       "\"confirm_conflicts\": %llu, \"double_sold\": %llu, "
                       "\"store_booked_seats\": %llu, \"store_bookings\": %llu, "
                       "\"store_booking_seats\": %llu, \"verified\": %s, "
                       "\"consistent\": %s",
                    (unsigned long long)r->sold, (unsigned long long)r->capacity,
                    (unsigned long long)r->confirms, (unsigned long long)r->attempts,
                    (unsigned long long)r->abandoned, (unsigned long long)r->no_seats,
                    (unsigned long long)r->confirm_conflicts,
                    (unsigned long long)r->double_sold,
                    (unsigned long long)r->store.booked_seats,
                    (unsigned long long)r->store.bookings,
                    (unsigned long long)r->store.booking_seats,
                    r->verified ? "true" : "false", r->consistent ? "true" : "false");
        }
        if (r->first_error[0]) {
            fprintf(f, ", \"first_error\": ");
            json_str(f, r->first_error);
        }
        fputc('}', f);
    }
    fprintf(f, "\n],\n\"targets\": [");
    target tg[64];
    size_t nt = targets(o, tg);
    for (size_t i = 0; i < nt; i++) {
        fprintf(f, "%s\n  {\"what\": ", i ? "," : "");
        json_str(f, tg[i].what);
        fprintf(f, ", \"want\": ");
        json_num(f, tg[i].want);
        fprintf(f, ", \"got\": ");
        json_num(f, tg[i].got);
        fprintf(f, ", \"met\": %s, \"detail\": ", tg[i].met ? "true" : "false");
        json_str(f, tg[i].detail);
        fputc('}', f);
    }
    fprintf(f, "\n]\n}\n");
}

/* ---- main ------------------------------------------------------------------ */

int bench_compare_main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "compare") == 0) {
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    cmp_opts o;
    parse(argc, argv, &o);
    meta m = {0};
    m.nproc = bench_nproc();
    m.load_start = bench_loadavg();
    bench_cpu_model(m.cpu, sizeof m.cpu);
    bench_kernel(m.kernel, sizeof m.kernel);
    if (gethostname(m.host, sizeof m.host) != 0) snprintf(m.host, sizeof m.host, "host");
    m.host[sizeof m.host - 1] = '\0';
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(m.date, sizeof m.date, "%Y-%m-%d", &tmv);
    double wall0 = bench_secs();

    const char *parent = o.dir ? o.dir : getenv("TMPDIR");
    if (!parent || !*parent) parent = "/tmp";
    snprintf(m.base, sizeof m.base, "%s/tix-compare-XXXXXX", parent);
    if (!mkdtemp(m.base)) bench_fatal("mkdtemp %s: %s", m.base, strerror(errno));
    /* servers may run as another user (postgres): let them reach their
     * own subdirectory */
    chmod(m.base, 0711);
    bench_fs_type(m.base, m.fs, sizeof m.fs);
    measure_fsync(m.base, &m);

    sys systems[MAX_SYS];
    memset(systems, 0, sizeof systems);
    for (int k = 0; k < MAX_SYS; k++) {
        if (!(o.sys_mask & (1u << k))) continue;
        if (all_ops[k]) systems[k].ops = all_ops[k];
        else say("SKIPPING %s: not built into this tix-bench (install %s, e.g. "
                 "`bash scripts/deps.sh bench`, and rebuild)",
                 sys_names[k], sys_pkgs[k]);
    }

    say("comparing libtix with %s in %s (%s); %d CPU(s), load average %.2f%s",
        o.peers_text, m.base, m.fs, m.nproc, m.load_start,
        m.load_start > 0.5 ? " (other work is running: figures will be low and noisy)" : "");
    for (int k = 0; k < MAX_SYS; k++) {
        sys *s = &systems[k];
        if (!s->ops) continue;
        say("starting %s ...", s->ops->name);
        if (sys_setup(s, &o, m.base) != 0) {
            say("SKIPPING %s: %s", s->ops->name, s->why);
            if (s->up) s->ops->stop(s->p);
            s->up = 0;
            s->p = NULL;
            if (k == 0) bench_fatal("libtix itself could not be set up: %s", s->why);
        } else {
            say("%s ready in %.1f s", s->ops->name, s->setup_secs);
        }
    }
    int n_up = 0;
    for (int k = 0; k < MAX_SYS; k++) n_up += systems[k].up;
    g_steps = 0;
    for (int sc = 0; sc < S_N; sc++)
        if (o.scen_mask & (1u << sc))
            g_steps += n_up * (sc == S_FLASH ? o.n_fthreads * o.n_sizes : o.n_threads);

    if (!o.json) {
        printf("tix-bench compare: libtix %s against real peers, one run, this machine\n",
               tix_version());
        printf("machine : %s, %d CPU(s), %s, %s; load average %.2f at start\n",
               m.host, m.nproc, m.cpu, m.kernel, m.load_start);
        printf("          a shared, noisy VM: other work (builds, tests) may run "
               "beside the bench; servers share the same CPUs as their clients\n");
        if (o.note) printf("note    : %s\n", o.note);
        printf("files   : %s (%s); fdatasync of a 4 KiB append: p50 %.2f ms, "
               "max %.2f ms (40 tries before the run)\n",
               m.base, m.fs, m.fsync_p50_ms, m.fsync_p99_ms);
        printf("run     : %.2g s per step; threads %s; flash threads %s; flash "
               "seats %s; durability %s\n",
               o.seconds, o.threads_text, o.fthreads_text, o.sizes_text,
               o.durable ? "full (every confirm fsyncs on commit)"
                         : "none (NO fsync: not durable)");
        for (int k = 0; k < MAX_SYS; k++) {
            sys *s = &systems[k];
            if (!s->ops) continue;
            printf("\n[%s]%s\n", s->ops->name, s->up ? "" : " SKIPPED");
            if (!s->up) {
                printf("  %s\n", s->why);
                continue;
            }
            const char *p = s->settings;
            while (*p) {
                const char *nl = strchr(p, '\n');
                int len = nl ? (int)(nl - p) : (int)strlen(p);
                printf("  %.*s\n", len, p);
                p += len + (nl ? 1 : 0);
            }
        }
        fflush(stdout);
    }

    /* Scenario by scenario, every system at every thread count. */
    for (int sc = 0; sc < S_N; sc++) {
        if (!(o.scen_mask & (1u << sc))) continue;
        if (sc == S_FLASH) {
            for (int z = 0; z < o.n_sizes; z++)
                for (int t = 0; t < o.n_fthreads; t++)
                    for (int k = 0; k < MAX_SYS; k++)
                        if (systems[k].up) flash(&systems[k], &o, o.sizes[z], o.fthreads[t]);
            continue;
        }
        for (int t = 0; t < o.n_threads; t++)
            for (int k = 0; k < MAX_SYS; k++)
                if (systems[k].up) timed(&systems[k], &o, sc, o.threads[t]);
    }

    for (int k = 0; k < MAX_SYS; k++)
        if (systems[k].up) {
            say("stopping %s", systems[k].ops->name);
            systems[k].ops->stop(systems[k].p);
            systems[k].p = NULL;
        }
    m.load_end = bench_loadavg();
    m.wall = bench_secs() - wall0;

    if (o.json) {
        write_json(stdout, &o, &m, systems);
    } else {
        print_tables(&o, systems);
        target tg[64];
        size_t nt = targets(&o, tg);
        printf("\ntargets\n");
        for (size_t i = 0; i < nt; i++)
            printf("  %-50s %-8s %s\n", tg[i].what, tg[i].met ? "MET" : "NOT MET",
                   tg[i].detail);
        printf("\nload average %.2f at start, %.2f at the end (bench and servers "
               "included); wall time %.0f s\n",
               m.load_start, m.load_end, m.wall);
    }
    if (o.save) {
        char path[2048];
        if (mkdir(o.results_dir, 0755) != 0 && errno != EEXIST)
            bench_fatal("mkdir %s: %s", o.results_dir, strerror(errno));
        snprintf(path, sizeof path, "%s/%s-%s%s.json", o.results_dir, m.date, m.host,
                 o.quick ? "-quick" : "");
        FILE *f = fopen(path, "w");
        if (!f) bench_fatal("cannot write %s: %s", path, strerror(errno));
        write_json(f, &o, &m, systems);
        if (fclose(f) != 0) bench_fatal("cannot write %s: %s", path, strerror(errno));
        say("results written to %s", path);
    }
    if (!o.keep) bench_rmtree(m.base);
    else say("files kept in %s", m.base);
    return 0;
}
